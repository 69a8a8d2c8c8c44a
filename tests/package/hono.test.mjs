// edge-jwt/hono from the packed package, in a Hono app in Node (the repository's hono): the context
// variables, the request handed on (claims headers, body), public paths, denials (default and
// onDeny), options given as a function of the bindings (called once; retried after a throw), and
// option mistakes. The same middleware runs in workerd against Better Auth in
// tests/package/cloudflare-worker.test.mjs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Hono } from 'hono';
import * as jose from 'jose';
import { scratchDir } from './load.mjs';

const ORIGIN = 'https://app.example.com';
let lib; // edge-jwt/hono
let jwks;
let token;
let claims;

before(async () => {
  const shim = join(scratchDir(), 'hono-shim.mjs');
  writeFileSync(shim, "export * from 'edge-jwt/hono';\n");
  lib = await import(pathToFileURL(shim).href);
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] };
  token = await new jose.SignJWT({ email: 'ann@example.com' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject('user-1')
    .setIssuer(ORIGIN)
    .setAudience(ORIGIN)
    .setExpirationTime('5m')
    .sign(privateKey);
  claims = jose.decodeJwt(token);
});

const bearer = (extra = {}) => ({ authorization: `Bearer ${token}`, ...extra });

/** An app with the middleware and routes that report what handlers see. */
function appWith(middleware) {
  const app = new Hono();
  app.use(async (c, next) => {
    c.set('original', c.req.raw);
    await next();
  });
  app.use(middleware);
  const report = (c) => c.json({
    jwtPayload: c.get('jwtPayload'),
    auth: c.get('auth'),
    header: c.req.header('x-edge-jwt-claims') ?? null,
    read: lib.readVerifiedClaims(c.req.raw),
    replaced: c.req.raw !== c.get('original'),
  });
  app.get('/', report);
  app.get('/api/me', report);
  app.post('/api/echo', async (c) => c.json({ body: await c.req.json(), sub: c.get('auth').sub }));
  return app;
}

const gated = () => lib.edgeJwt({ jwks, issuer: ORIGIN, audience: ORIGIN, publicPaths: ['/'] });

test('a verified request: jwtPayload and auth set, claims headers set on the request handed on', async () => {
  const response = await appWith(gated()).request('/api/me', { headers: bearer({ 'x-edge-jwt-claims': '{"forged":true}' }) });
  assert.equal(response.status, 200);
  const seen = await response.json();
  assert.deepEqual(seen.jwtPayload, claims);
  assert.deepEqual(seen.auth, { source: 'bearer', sub: 'user-1', claims });
  assert.deepEqual(JSON.parse(seen.header), seen.auth, 'the forged header was replaced');
  assert.deepEqual(seen.read, seen.auth);
  assert.equal(seen.replaced, true);
});

test('a public path: variables null, forged claims headers removed, the request untouched when clean', async () => {
  const app = appWith(gated());
  const forged = await (await app.request('/', { headers: { 'x-edge-jwt-claims': '{"source":"bearer","claims":{}}', 'x-edge-jwt-sub': 'admin' } })).json();
  assert.deepEqual(forged, { jwtPayload: null, auth: null, header: null, read: null, replaced: true });
  const underscored = await (await app.request('/', { headers: { x_edge_jwt_claims: '{"source":"bearer","claims":{}}', 'x-other': 'kept' } })).json();
  assert.equal(underscored.replaced, true, 'an underscore spelling of the claims header is removed too');
  const app2 = new Hono();
  app2.use(gated());
  app2.get('/', (c) => c.json({ underscore: c.req.raw.headers.get('x_edge_jwt_claims'), other: c.req.raw.headers.get('x-other') }));
  assert.deepEqual(await (await app2.request('/', { headers: { x_edge_jwt_claims: 'forged', 'x-other': 'kept' } })).json(), { underscore: null, other: 'kept' });
  const clean = await (await app.request('/')).json();
  assert.equal(clean.replaced, false, 'no copy of a request that carries no claims header');
  const withToken = await (await app.request('/', { headers: bearer() })).json();
  assert.equal(withToken.auth, null, 'public paths are not verified');
});

test('the body reaches the handler, read or unread before the gate', async () => {
  const init = { method: 'POST', headers: bearer({ 'content-type': 'application/json' }), body: '{"n":1}' };
  const unread = await appWith(gated()).request('/api/echo', init);
  assert.deepEqual(await unread.json(), { body: { n: 1 }, sub: 'user-1' });

  const app = new Hono();
  app.use(async (c, next) => {
    await c.req.json(); // read through Hono before the gate
    await next();
  });
  app.use(gated());
  app.post('/api/echo', async (c) => c.json({ body: await c.req.json(), claims: c.req.header('x-edge-jwt-sub') ?? null }));
  const read = await app.request('/api/echo', init);
  assert.deepEqual(await read.json(), { body: { n: 1 }, claims: 'user-1' });
});

test('denials: 401 JSON for API paths, 307 for pages, onDeny replaces both', async () => {
  const app = appWith(gated());
  const api = await app.request('/api/me', { headers: { authorization: 'Bearer nope' } });
  assert.equal(api.status, 401);
  assert.match(api.headers.get('www-authenticate'), /^Bearer error="invalid_token"/);
  assert.deepEqual(await api.json(), { error: 'invalid_token', code: 'ERR_JWS_INVALID', message: 'the token is malformed' });
  const page = await app.request('/settings?tab=1');
  assert.equal(page.status, 307);
  assert.equal(page.headers.get('location'), 'http://localhost/sign-in?callbackURL=%2Fsettings%3Ftab%3D1');

  const seen = [];
  const custom = appWith(lib.edgeJwt({
    jwks,
    issuer: ORIGIN,
    audience: ORIGIN,
    onDeny: (c, decision) => {
      seen.push(decision.reason);
      return c.json({ denied: decision.code ?? decision.reason }, decision.status === 307 ? 401 : decision.status);
    },
  }));
  const denied = await custom.request('/settings');
  assert.equal(denied.status, 401);
  assert.deepEqual(await denied.json(), { denied: 'missing_token' });
  assert.deepEqual(seen, ['missing_token']);
});

test('no usable keys: 503 with Retry-After', async () => {
  const app = appWith(lib.edgeJwt({ jwks: 'http://127.0.0.1:1/jwks', jwksOptions: { timeoutDuration: 2000 }, issuer: ORIGIN, audience: ORIGIN }));
  const response = await app.request('/api/me', { headers: bearer() });
  assert.equal(response.status, 503);
  assert.equal(response.headers.get('retry-after'), '5');
  assert.equal((await response.json()).error, 'temporarily_unavailable');
});

test('options from the bindings: made on the first request, once; a throw is retried on the next', async () => {
  let calls = 0;
  const app = appWith(lib.edgeJwt((env) => {
    calls += 1;
    if (calls === 1) throw new Error('not configured yet');
    return { jwks: env.JWKS, issuer: env.ORIGIN, audience: env.ORIGIN };
  }));
  app.onError((error, c) => c.text(error.message, 500));
  const env = { JWKS: JSON.stringify(jwks), ORIGIN };
  assert.equal(calls, 0, 'nothing is made before a request');
  const first = await app.request('/api/me', { headers: bearer() }, env);
  assert.equal(first.status, 500);
  assert.equal(await first.text(), 'not configured yet');
  for (let i = 0; i < 3; i += 1) {
    const response = await app.request('/api/me', { headers: bearer() }, env);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).auth.sub, 'user-1');
  }
  assert.equal(calls, 2);
});

test('option mistakes throw TypeError when the middleware is made', () => {
  assert.throws(() => lib.edgeJwt(), TypeError);
  assert.throws(() => lib.edgeJwt({ jwks: '/api/auth/jwks' }), /absolute http\(s\) URL/);
  assert.throws(() => lib.edgeJwt({ jwks, onDeny: 'nope' }), /onDeny must be a function/);
  assert.deepEqual(Object.keys(lib).filter((name) => typeof lib[name] === 'function').sort(),
    ['createGate', 'denyResponse', 'edgeJwt', 'readVerifiedClaims']);
});
