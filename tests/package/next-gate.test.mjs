// The gate behind edge-jwt/next (js/gate.ts) and authProxy, from the packed package, in plain Node:
// path patterns and their decoded forms, decisions and the responses built from them, claims headers
// (stripped, set, read back), every denial and its RFC 6750 challenge, a JWKS outage (503), option
// checks, Better Auth session cookies of every strategy from a real Better Auth server, and the
// session fallback. The full app runs in tests/package/next.test.mjs.
//
// The package is copied under build/ so that its `next/server.js` import resolves to the
// repository's Next.js, as it would in an app.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as jose from 'jose';
import { scratchDir } from './load.mjs';
import { startCookieServer } from '../runtimes/better-auth-cookies.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ORIGIN = 'https://app.example.com';

let lib; // edge-jwt/next
let core; // edge-jwt
let jwks;
let sign;
const servers = [];

before(async () => {
  const dir = join(root, 'build', 'next-gate-test', String(process.pid));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  cpSync(join(scratchDir(), 'node_modules', 'edge-jwt'), join(dir, 'node_modules', 'edge-jwt'), { recursive: true, dereference: true });
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  writeFileSync(join(dir, 'shim.mjs'), "export * as next from 'edge-jwt/next';\nexport * as core from 'edge-jwt';\n");
  ({ next: lib, core } = await import(pathToFileURL(join(dir, 'shim.mjs')).href));

  const { publicKey, privateKey } = await jose.generateKeyPair('EdDSA', { extractable: true });
  jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }] };
  sign = (claims = {}, { exp = '5m', iss = ORIGIN, aud = ORIGIN } = {}) =>
    new jose.SignJWT({ sub: 'user-1', email: 'ann@example.com', name: 'Ann Ünal', ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer(iss)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(privateKey);
});

after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  rmSync(join(root, 'build', 'next-gate-test', String(process.pid)), { recursive: true, force: true });
});

const req = (path, headers = {}) => new Request(`${ORIGIN}${path}`, { headers });
const bearer = (token, extra = {}) => ({ authorization: `Bearer ${token}`, ...extra });
const gateWith = (options = {}) => lib.createGate({ jwks, issuer: ORIGIN, audience: ORIGIN, ...options });

test('path patterns: prefixes at segment boundaries, "/" alone, globs, RegExps, functions, decoded forms', async () => {
  const gate = gateWith({
    publicPaths: ['/', '/docs', '/blog/*', '/files/**', /^\/health$/g, (path) => path.startsWith('/open-')],
  });
  const kinds = async (paths) => Object.fromEntries(await Promise.all(paths.map(async (p) => [p, (await gate(req(p))).kind])));
  const open = ['/', '/docs', '/docs/', '/docs/a/b', '/blog/x', '/files/a/b/c', '/health', '/health', '/open-day', '/sign-in', '/api/auth/get-session', '/api/auth'];
  const gated = ['/x', '/docsx', '/blog', '/blog/x/y', '/files', '/healthz', '/api/authx', '/%64ocs', '/docs/..%2Fadmin', '/docs/%2e%2e/admin', '/docs/%E0%A4%A', '/sign-in-x'];
  assert.deepEqual(await kinds(open), Object.fromEntries(open.map((p) => [p, 'public'])));
  assert.deepEqual(await kinds(gated), Object.fromEntries(gated.map((p) => [p, 'deny'])));

  const onlyAdmin = gateWith({ protectedPaths: ['/admin'] });
  assert.equal((await onlyAdmin(req('/other'))).kind, 'public');
  assert.equal((await onlyAdmin(req('/admin/users'))).kind, 'deny');
  assert.equal((await onlyAdmin(req('/%61dmin'))).kind, 'deny', 'protected in any form');

  const api = await gateWith()(req('/api'));
  assert.equal(api.status, 401, '/api itself is an API path under the default ["/api/"]');
  assert.equal((await gateWith()(req('/apix'))).status, 307);
  const custom = gateWith({ apiPaths: ['/rpc/**'] });
  assert.equal((await custom(req('/rpc/a/b'))).status, 401);
  assert.equal((await custom(req('/api/me'))).status, 307);
});

test('page requests: 307 to the sign-in page with the original path and query as a same-origin callback', async () => {
  const decision = await gateWith()(req('/dashboard?tab=keys&x=%2F'));
  assert.equal(decision.kind, 'deny');
  assert.equal(decision.status, 307);
  assert.equal(decision.reason, 'missing_token');
  assert.equal(decision.location.origin, ORIGIN);
  assert.equal(decision.location.pathname, '/sign-in');
  assert.equal(decision.location.searchParams.get('callbackURL'), '/dashboard?tab=keys&x=%2F');
  const evil = await gateWith()(req('//evil.example/x?y=1'));
  assert.equal(evil.location.searchParams.get('callbackURL'), '/evil.example/x?y=1', 'never a protocol-relative callback');
  const renamed = await gateWith({ signInPath: '/login', callbackParam: 'next' })(req('/a'));
  assert.equal(renamed.location.href, `${ORIGIN}/login?next=%2Fa`);
  const response = lib.denyResponse(decision);
  assert.equal(response.status, 307);
  assert.equal(response.headers.get('location'), decision.location.href);
  assert.equal(response.headers.get('cache-control'), 'no-store');
});

test('a verified Bearer token: claims headers set from the verified result, incoming copies removed', async () => {
  const token = await sign({ role: 'reader' });
  const forged = JSON.stringify({ source: 'bearer', sub: 'admin', claims: { sub: 'admin', role: 'admin' } });
  const decision = await gateWith()(req('/api/me', bearer(token, { 'x-edge-jwt-claims': forged, 'x-edge-jwt-sub': 'admin', other: 'kept' })));
  assert.equal(decision.kind, 'allow');
  assert.equal(decision.source, 'bearer');
  assert.equal(decision.auth.sub, 'user-1');
  assert.equal(decision.auth.claims.role, 'reader');
  const header = decision.headers.get('x-edge-jwt-claims');
  assert.match(header, /^[\x20-\x7e]*$/, 'printable ASCII only (non-ASCII escaped as \\uXXXX)');
  assert.deepEqual(lib.readVerifiedClaims(decision.headers), decision.auth);
  assert.equal(lib.readVerifiedClaims(decision.headers).claims.name, 'Ann Ünal');
  assert.equal(decision.headers.get('x-edge-jwt-sub'), 'user-1');
  assert.equal(decision.headers.get('other'), 'kept');
  assert.equal(decision.headers.get('authorization'), `Bearer ${token}`);

  const pub = await gateWith({ publicPaths: ['/'] })(req('/', { 'x-edge-jwt-claims': forged, 'x-edge-jwt-sub': 'admin' }));
  assert.equal(pub.kind, 'public');
  assert.equal(pub.headers.get('x-edge-jwt-claims'), null);
  assert.equal(pub.headers.get('x-edge-jwt-sub'), null);

  const renamed = gateWith({ claimsHeader: 'X-User', subjectHeader: false, stripHeaders: ['x-user-id'] });
  assert.deepEqual(renamed.headerNames, { claims: 'x-user', subject: null, stripped: ['x-user', 'x-edge-jwt-claims', 'x-edge-jwt-sub', 'x-user-id'] });
  const r = await renamed(req('/api/me', bearer(token, { 'x-user': forged, 'x-user-id': 'admin' })));
  assert.equal(lib.readVerifiedClaims(r.headers, 'x-user').sub, 'user-1');
  assert.equal(r.headers.get('x-user-id'), null);
  assert.equal(r.headers.get('x-edge-jwt-sub'), null);
});

test('API denials: 401 JSON with RFC 6750 challenges, descriptions that never echo the token', async () => {
  const gate = gateWith();
  const missing = await gate(req('/api/me'));
  assert.deepEqual(missing.body, { error: 'missing_token', code: null, message: 'no bearer token or session cookie was sent' });
  assert.equal(missing.responseHeaders.get('www-authenticate'), 'Bearer');
  assert.equal((await gate(req('/api/me', { authorization: 'Basic YTpi' }))).reason, 'missing_token');

  const cases = [
    [await sign({}, { exp: '-1m' }), 'ERR_JWT_EXPIRED', 'the token has expired'],
    [await sign({}, { iss: 'https://other.example' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'the issuer (iss) of the token is not the one this server accepts (check the issuer and audience options: they must equal the values the token carries exactly)'],
    [await sign({}, { aud: 'https://other.example' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      'the audience (aud) of the token is not one this server accepts (check the issuer and audience options: they must equal the values the token carries exactly)'],
    ['a.b.c', 'ERR_JWS_INVALID', 'the token is malformed'],
    ['', 'ERR_JWS_INVALID', 'the token is malformed'],
  ];
  const good = await sign();
  const [h, p] = good.split('.');
  cases.push([`${h}.${p}.${'A'.repeat(86)}`, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'the token has an invalid signature']);
  for (const [token, code, message] of cases) {
    const decision = await gate(req('/api/me', bearer(token)));
    assert.equal(decision.status, 401, code);
    assert.deepEqual(decision.body, { error: 'invalid_token', code, message });
    assert.equal(decision.responseHeaders.get('www-authenticate'), `Bearer error="invalid_token", error_description="${message}"`);
    assert.equal(decision.code, code);
    assert.equal(decision.error.code, code, 'the verifier error is kept for logging');
    const response = lib.denyResponse(decision);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const text = await response.text();
    assert.ok(token === '' || !text.includes(token), 'the body never contains the token');
  }
  const withRealm = gateWith({ realm: 'api "v1"' });
  assert.equal((await withRealm(req('/api/me'))).responseHeaders.get('www-authenticate'), 'Bearer realm="api v1"');
  assert.equal(
    (await withRealm(req('/api/me', bearer('x')))).responseHeaders.get('www-authenticate'),
    'Bearer realm="api v1", error="invalid_token", error_description="the token is malformed"',
  );
});

test('no usable keys (JWKS unreachable, failing, or not a key set): 503 with Retry-After, never 401 or a crash', async () => {
  const token = await sign();
  const closed = await new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
  const unreachable = gateWith({ jwks: `http://127.0.0.1:${closed}/api/auth/jwks` });
  const api = await unreachable(req('/api/me', bearer(token)));
  assert.equal(api.status, 503);
  assert.equal(api.reason, 'unavailable');
  assert.deepEqual(api.body, { error: 'temporarily_unavailable', code: 'ERR_JWKS_FETCH_FAILED', message: 'the keys to verify credentials cannot be fetched; try again later' });
  assert.equal(api.responseHeaders.get('retry-after'), '5');
  const page = await unreachable(req('/dashboard', bearer(token)));
  assert.equal(page.status, 503);
  assert.equal(page.body, undefined);
  const pageResponse = lib.denyResponse(page);
  assert.equal(pageResponse.status, 503);
  assert.match(pageResponse.headers.get('content-type'), /^text\/plain/);

  const failing = core.createRemoteJWKSet(`${ORIGIN}/jwks`, { fetch: async () => new Response('down', { status: 500 }) });
  assert.equal((await gateWith({ jwks: failing })(req('/api/me', bearer(token)))).status, 503);
  const html = core.createRemoteJWKSet(`${ORIGIN}/jwks`, { fetch: async () => new Response('<html></html>', { headers: { 'content-type': 'text/html' } }) });
  const notASet = await gateWith({ jwks: html })(req('/api/me', bearer(token)));
  assert.equal(notASet.status, 503, JSON.stringify(notASet.body));

  // A remote set that works: one fetch, then cached.
  let fetches = 0;
  const working = core.createRemoteJWKSet(`${ORIGIN}/jwks`, { fetch: async () => (fetches++, Response.json(jwks)) });
  const gate = gateWith({ jwks: working });
  assert.equal((await gate(req('/api/me', bearer(token)))).kind, 'allow');
  assert.equal((await gate(req('/api/me', bearer(await sign())))).kind, 'allow');
  assert.equal(fetches, 1);
});

test('option mistakes throw TypeError at creation; a local key set that does not parse rejects (a 500, not a 401)', async () => {
  assert.throws(() => lib.createGate({}), TypeError);
  assert.throws(() => lib.createGate({ jwks: '/api/auth/jwks' }), /absolute http\(s\) URL/);
  const base = { jwks, issuer: ORIGIN, audience: ORIGIN };
  assert.throws(() => lib.createGate({ ...base, publicPaths: ['docs'] }), /start with "\/"/);
  assert.throws(() => lib.createGate({ ...base, publicPaths: '/docs' }), TypeError);
  assert.throws(() => lib.createGate({ ...base, claimsHeader: 'bad header' }), /header name/);
  assert.throws(() => lib.createGate({ ...base, signInPath: '//evil.example' }), TypeError);
  assert.throws(() => lib.createGate({ ...base, bearer: false, session: false }), /neither/);
  assert.throws(() => lib.createGate({ session: {} }), /session.secret/);
  assert.throws(() => lib.authProxy(null), TypeError);
  const broken = lib.createGate({ jwks: { keys: 'nope' }, issuer: ORIGIN, audience: ORIGIN });
  await assert.rejects(broken(req('/api/me', bearer(await sign()))), (error) => error.code === 'ERR_JWKS_INVALID');
  assert.equal((await broken(req('/api/me'))).status, 401, 'requests without a credential are still answered');
});

async function cookieGateCase(serverOptions, gateOptions) {
  const server = await startCookieServer(serverOptions);
  servers.push(server);
  const email = `u${Math.random().toString(36).slice(2)}@example.com`;
  const { cookieHeader, user } = await server.signUp(email, 'correct horse battery', 'Cookie User');
  const options = typeof gateOptions === 'function' ? gateOptions(server) : gateOptions;
  const gate = lib.createGate(await options);
  return { server, gate, cookieHeader, user, email };
}

function forgeSessionData(cookieHeader) {
  return cookieHeader.replace(/(session_data=)([^;]+)/, (_, name, value) => {
    const i = Math.floor(value.length / 2);
    return `${name}${value.slice(0, i)}${value[i] === 'A' ? 'B' : 'A'}${value.slice(i + 1)}`;
  });
}

for (const strategy of ['compact', 'jwe', 'jwt']) {
  test(`Better Auth session cookie, ${strategy} strategy with the secret: allowed, and refused when forged`, async () => {
    const secret = 'a-better-auth-secret-of-at-least-32-chars';
    const { gate, cookieHeader, user, email } = await cookieGateCase({ strategy, secret }, { session: { secret } });
    const decision = await gate(req('/dashboard', { cookie: cookieHeader, 'x-edge-jwt-claims': '{"source":"cookie","claims":{}}' }));
    assert.equal(decision.kind, 'allow', JSON.stringify(decision.body ?? decision.code));
    assert.equal(decision.source, 'cookie');
    assert.equal(decision.auth.sub, user.id);
    assert.equal(decision.auth.claims.email, email);
    assert.equal(decision.auth.claims.sub, user.id);
    assert.equal(decision.auth.session.userId, user.id);
    assert.equal(decision.auth.session.token, undefined, 'the session token never leaves the gate');
    assert.deepEqual(lib.readVerifiedClaims(decision.headers), decision.auth);

    const forged = forgeSessionData(cookieHeader);
    assert.notEqual(forged, cookieHeader);
    const page = await gate(req('/dashboard', { cookie: forged }));
    assert.equal(page.status, 307);
    assert.equal(page.reason, 'invalid_token');
    const api = await gate(req('/api/me', { cookie: forged }));
    assert.equal(api.status, 401);
    assert.match(api.body.code, /^ERR_(JWS|JWE|JWT)_/);
    assert.match(api.body.message, /the session cookie/);
  });
}

test('Better Auth session cookie signed by the JWT plugin keys: verified with the JWKS alone', async () => {
  const { server, gate, cookieHeader, user } = await cookieGateCase({ strategy: 'jwt', jwtPlugin: true }, async (s) => ({
    jwks: await s.jwks(),
    issuer: s.url,
    audience: s.url,
  }));
  const decision = await gate(req('/dashboard', { cookie: cookieHeader }));
  assert.equal(decision.kind, 'allow', JSON.stringify(decision.body ?? decision.code));
  assert.equal(decision.auth.sub, user.id);
  assert.equal((await gate(req('/api/me', { cookie: forgeSessionData(cookieHeader) }))).status, 401);
  // The same keys, but the gate expects another issuer: the cookie's iss is checked too.
  const other = lib.createGate({ jwks: await server.jwks(), issuer: 'https://other.example', bearer: false });
  assert.equal((await other(req('/api/me', { cookie: cookieHeader }))).body.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED');
});

test('a compact cookie with only the plugin keys configured is refused with a coded error (misconfiguration shows)', async () => {
  const { gate, cookieHeader } = await cookieGateCase({ strategy: 'compact' }, { jwks, bearer: false });
  const api = await gate(req('/api/me', { cookie: cookieHeader }));
  assert.equal(api.status, 401);
  assert.equal(api.body.code, 'ERR_JWS_INVALID');
  assert.match(api.error.message, /needs? options\.secret/);
  assert.match(api.body.message, /session\.secret/, 'the client-facing message names the missing option');
});

test('sessionFallback: asked on a cookie-cache miss, not without cookies; its failure is a 503', async () => {
  const calls = [];
  let answer = { session: { id: 's1', token: 'secret-session-token', userId: 'u9' }, user: { id: 'u9', email: 'fb@example.com' } };
  const gate = gateWith({ sessionFallback: async (request) => (calls.push(request.headers.get('cookie')), answer) });
  const allowed = await gate(req('/dashboard', { cookie: 'better-auth.session_token=abc' }));
  assert.equal(allowed.kind, 'allow');
  assert.equal(allowed.auth.source, 'cookie');
  assert.equal(allowed.auth.sub, 'u9');
  assert.deepEqual(allowed.auth.session, { id: 's1', userId: 'u9' });
  assert.equal((await gate(req('/dashboard'))).status, 307);
  assert.deepEqual(calls, ['better-auth.session_token=abc'], 'not asked without cookies');
  answer = null;
  assert.equal((await gate(req('/api/me', { cookie: 'a=b' }))).body.error, 'missing_token');
  answer = Promise.reject(new Error('database down'));
  answer.catch(() => {});
  const down = await gate(req('/api/me', { cookie: 'a=b' }));
  assert.equal(down.status, 503);
  assert.equal(down.error.message, 'database down');
  assert.equal((await gate(req('/api/me', bearer(await sign(), { cookie: 'a=b' })))).source, 'bearer', 'a Bearer token comes first');
  // The fallback alone (no cookie cache, no tokens), as a Node proxy.ts calling auth.api.getSession would.
  const only = lib.createGate({ bearer: false, session: false, sessionFallback: async () => ({ session: { id: 's2' }, user: { id: 'u2' } }) });
  assert.equal((await only(req('/dashboard', { cookie: 'a=b' }))).auth.sub, 'u2');
  assert.equal((await only(req('/api/me', bearer(await sign())))).status, 401, 'tokens are not accepted with bearer: false');
});

test('authProxy: NextResponse.next with the gate headers (forged copies dropped), redirect, 401 and 503 responses', async () => {
  const proxy = lib.authProxy({ jwks, issuer: ORIGIN, audience: ORIGIN, publicPaths: ['/'] });
  const forged = '{"source":"bearer","sub":"admin","claims":{"sub":"admin"}}';
  const allowed = await proxy(req('/api/me', bearer(await sign(), { 'x-edge-jwt-claims': forged })));
  assert.equal(allowed.status, 200);
  assert.equal(allowed.headers.get('x-middleware-next'), '1');
  const overridden = allowed.headers.get('x-middleware-override-headers').split(',');
  assert.ok(overridden.includes('x-edge-jwt-claims'));
  assert.equal(JSON.parse(allowed.headers.get('x-middleware-request-x-edge-jwt-claims')).sub, 'user-1');

  const pub = await proxy(req('/', { 'x-edge-jwt-claims': forged, accept: 'text/html' }));
  assert.equal(pub.headers.get('x-middleware-next'), '1');
  const kept = pub.headers.get('x-middleware-override-headers').split(',');
  assert.ok(kept.includes('accept') && !kept.includes('x-edge-jwt-claims'), 'Next drops headers missing from the override list');

  const redirect = await proxy(req('/dashboard'));
  assert.equal(redirect.status, 307);
  assert.equal(redirect.headers.get('location'), `${ORIGIN}/sign-in?callbackURL=%2Fdashboard`);
  const unauthorized = await proxy(req('/api/me', bearer('nope')));
  assert.equal(unauthorized.status, 401);
  assert.equal(unauthorized.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="the token is malformed"');
  assert.deepEqual(await unauthorized.json(), { error: 'invalid_token', code: 'ERR_JWS_INVALID', message: 'the token is malformed' });
  assert.equal((await proxy(req('/_next/static/chunks/app.js'))).headers.get('x-middleware-next'), '1', "Next's assets are public");

  const down = lib.authProxy({ issuer: ORIGIN, audience: ORIGIN, jwks: core.createRemoteJWKSet(`${ORIGIN}/jwks`, { fetch: async () => new Response('', { status: 502 }) }) });
  const unavailable = await down(req('/api/me', bearer(await sign())));
  assert.equal(unavailable.status, 503);
  assert.equal(unavailable.headers.get('retry-after'), '5');
  assert.equal((await unavailable.json()).error, 'temporarily_unavailable');
  const unavailablePage = await down(req('/dashboard', bearer(await sign())));
  assert.equal(unavailablePage.status, 503);
});

test('authProxy onDeny and debug: the real reason reaches the app and the server log, the default answer is replaced', async () => {
  const seen = [];
  const logged = [];
  const proxy = lib.authProxy({
    jwks,
    issuer: ORIGIN,
    audience: ORIGIN,
    debug: (entry) => logged.push(entry),
    onDeny: (request, decision) => {
      seen.push([new URL(request.url).pathname, decision.reason, decision.status, decision.code ?? null]);
      return decision.status === 307
        ? Response.redirect(new URL('/login', request.url), 303)
        : Response.json({ problem: decision.body.error }, { status: decision.status, headers: { 'x-reason': decision.reason } });
    },
  });
  const page = await proxy(req('/dashboard'));
  assert.equal(page.status, 303);
  assert.equal(page.headers.get('location'), `${ORIGIN}/login`);
  const api = await proxy(req('/api/me', bearer(await sign({}, { exp: '-1m' }))));
  assert.equal(api.status, 401);
  assert.equal(api.headers.get('x-reason'), 'invalid_token');
  assert.deepEqual(await api.json(), { problem: 'invalid_token' });
  assert.equal(typeof api.cookies?.get, 'function', 'a NextResponse (with its cookies API), not the plain Response');
  assert.deepEqual(seen, [['/dashboard', 'missing_token', 307, null], ['/api/me', 'invalid_token', 401, 'ERR_JWT_EXPIRED']]);
  assert.deepEqual(logged.map((entry) => [entry.path, entry.reason, entry.code, entry.claim]), [['/dashboard', 'missing_token', undefined, undefined], ['/api/me', 'invalid_token', 'ERR_JWT_EXPIRED', 'exp']]);
  const allowed = await proxy(req('/api/me', bearer(await sign())));
  assert.equal(allowed.headers.get('x-middleware-next'), '1', 'onDeny is not asked for allowed requests');
  assert.equal(seen.length, 2);
  assert.throws(() => lib.authProxy({ jwks, issuer: ORIGIN, audience: ORIGIN, onDeny: 'nope' }), /onDeny must be a function/);
});

test('readVerifiedClaims / verifiedClaims: from a Request or headers; anything malformed is null', () => {
  const auth = { source: 'bearer', sub: 'u1', claims: { sub: 'u1' } };
  const headers = new Headers({ 'x-edge-jwt-claims': JSON.stringify(auth) });
  assert.deepEqual(lib.verifiedClaims(new Request(ORIGIN, { headers })), auth);
  assert.deepEqual(lib.verifiedClaims(headers), auth);
  assert.deepEqual(lib.readVerifiedClaims({ get: (name) => headers.get(name) }), auth);
  for (const value of ['', 'not json', '"text"', 'null', '{"source":"admin","claims":{}}', '{"source":"bearer"}', '{"source":"cookie","claims":"x"}']) {
    assert.equal(lib.readVerifiedClaims(new Headers({ 'x-edge-jwt-claims': value })), null, value);
  }
  assert.equal(lib.readVerifiedClaims(new Headers()), null);
});
