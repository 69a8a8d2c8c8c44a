// The gate's headers, Bearer rules and diagnostics, from the packed package (edge-jwt/hono's
// createGate): the default claims headers stripped whatever the configured names, their underscore
// spellings too (CGI/WSGI origins read x_edge_jwt_claims as x-edge-jwt-claims), a subject a header
// cannot carry exactly left out, a sign-in path that would leave the origin refused; Better Auth's
// session cookie caches (JWT-plugin signed and HS256) refused as Bearer tokens, issuer and audience
// required; and what a developer sees of a refusal: the debug log (server side only) and
// client-facing messages for configuration mistakes that name neither the token nor the expected
// values.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as jose from 'jose';
import { scratchDir } from './load.mjs';
import { startCookieServer } from '../runtimes/better-auth-cookies.mjs';

const ORIGIN = 'https://app.example.com';
const SECRET = 'a-better-auth-secret-of-at-least-32-chars';
let lib; // edge-jwt/hono
let jwks;
let sign;
const servers = [];

before(async () => {
  const shim = join(scratchDir(), 'gate-hardening-shim.mjs');
  writeFileSync(shim, "export * from 'edge-jwt/hono';\n");
  lib = await import(pathToFileURL(shim).href);
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] };
  sign = (claims = {}, { iss = ORIGIN, aud = ORIGIN } = {}) => new jose.SignJWT({ sub: 'user-1', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(iss)
    .setAudience(aud)
    .setExpirationTime('5m')
    .sign(privateKey);
});

after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

const req = (path, headers = {}) => new Request(`${ORIGIN}${path}`, { headers });
const gateWith = (options = {}) => lib.createGate({ jwks, issuer: ORIGIN, audience: ORIGIN, ...options });
const forged = JSON.stringify({ source: 'bearer', sub: 'admin', claims: { sub: 'admin', role: 'admin' } });

test('renamed claims headers: the default names are stripped too, and a reader left at the default finds nothing', async () => {
  const token = await sign();
  for (const options of [{ claimsHeader: 'x-auth' }, { claimsHeader: 'x-auth', subjectHeader: false }, { subjectHeader: false }, { subjectHeader: 'x-auth-sub' }]) {
    const gate = gateWith({ ...options, publicPaths: ['/'] });
    const sent = { 'x-edge-jwt-claims': forged, 'x-edge-jwt-sub': 'admin' };
    for (const decision of [await gate(req('/api/me', { ...sent, authorization: `Bearer ${token}` })), await gate(req('/', sent))]) {
      const label = `${JSON.stringify(options)} ${decision.kind}`;
      assert.ok(decision.kind === 'allow' || decision.kind === 'public', label);
      const claimsName = options.claimsHeader ?? 'x-edge-jwt-claims';
      if (claimsName !== 'x-edge-jwt-claims') assert.equal(decision.headers.get('x-edge-jwt-claims'), null, `${label}: the default claims header`);
      if (options.subjectHeader !== undefined) assert.equal(decision.headers.get('x-edge-jwt-sub'), null, `${label}: the default subject header`);
      const read = lib.readVerifiedClaims(decision.headers);
      assert.ok(read === null || read.sub === 'user-1', `${label}: the default reader reads no forged identity`);
      if (decision.kind === 'allow') assert.equal(lib.readVerifiedClaims(decision.headers, claimsName).sub, 'user-1');
    }
  }
});

test('underscore spellings of the gate headers are stripped (CGI/WSGI origins read them as the header)', async () => {
  const gate = gateWith({ claimsHeader: 'x-auth', publicPaths: ['/'], stripHeaders: ['x-user-id'] });
  const spellings = ['x_edge_jwt_claims', 'X_Edge_Jwt_Sub', 'x-edge_jwt-claims', 'x_auth', 'X_AUTH', 'x_user_id', 'x-user_id'];
  const sent = Object.fromEntries(spellings.map((name) => [name, forged]));
  for (const decision of [await gate(req('/', sent)), await gate(req('/api/me', { ...sent, authorization: `Bearer ${await sign()}` }))]) {
    for (const name of spellings) assert.equal(decision.headers.get(name), null, `${decision.kind}: ${name}`);
    const set = decision.kind === 'allow' ? ['authorization', 'x-auth', 'x-edge-jwt-sub'] : [];
    assert.deepEqual([...decision.headers.keys()].filter((name) => /jwt|auth|user/.test(name) && !set.includes(name)), [], decision.kind);
    if (decision.kind === 'allow') assert.equal(decision.headers.get('x-edge-jwt-sub'), 'user-1', 'the subject header is the gate\'s own');
  }
  // Headers of other names with underscores are kept.
  assert.equal((await gate(req('/', { x_request_id: 'r1' }))).headers.get('x_request_id'), 'r1');
});

test('a subject a header cannot carry exactly is left out of the subject header (the claims header has it)', async () => {
  const gate = gateWith();
  for (const sub of [' admin', 'admin ', '\tadmin', 'ädmin', 'a\u0000b', '']) {
    const decision = await gate(req('/api/me', { authorization: `Bearer ${await sign({ sub })}` }));
    assert.equal(decision.kind, 'allow', JSON.stringify(sub));
    assert.equal(decision.headers.get('x-edge-jwt-sub'), null, JSON.stringify(sub));
    assert.equal(lib.readVerifiedClaims(decision.headers).sub, sub);
  }
  for (const sub of ['admin', 'a b', 'user@example.com']) {
    const decision = await gate(req('/api/me', { authorization: `Bearer ${await sign({ sub })}` }));
    assert.equal(decision.headers.get('x-edge-jwt-sub'), sub);
  }
});

test('signInPath and authBasePath must stay on the origin', () => {
  for (const value of ['/\\evil.com', '/\\/evil.com', '//evil.com', '/\tevil', '/a b', 'https://evil.com', '/x?y', '/x#y', '\\evil.com']) {
    assert.throws(() => gateWith({ signInPath: value }), TypeError, JSON.stringify(value));
    assert.throws(() => gateWith({ authBasePath: value }), TypeError, JSON.stringify(value));
  }
  assert.equal(gateWith({ signInPath: '/login' }).headerNames.claims, 'x-edge-jwt-claims');
});

test("Better Auth's session cookie caches are refused as Bearer tokens; issuer and audience are required", async () => {
  const plugin = await startCookieServer({ strategy: 'jwt', jwtPlugin: true });
  const hs256 = await startCookieServer({ strategy: 'jwt', secret: SECRET });
  servers.push(plugin, hs256);
  const dataOf = (cookieHeader) => cookieHeader.split(/;\s*/).find((pair) => pair.includes('session_data=')).split('=')[1];

  const signedIn = await plugin.signUp(`p${Date.now()}@example.com`, 'correct horse battery', 'Plugin User');
  const cache = dataOf(signedIn.cookieHeader);
  assert.equal(jose.decodeProtectedHeader(cache).typ, 'better-auth.session-cache+jwt');
  const keys = await plugin.jwks();
  for (const options of [
    { jwks: keys, requireIssuerAudience: false },
    { jwks: keys, issuer: plugin.url, audience: 'better-auth:session-cache' },
    { jwks: keys, issuer: plugin.url, requireIssuerAudience: false },
  ]) {
    const decision = await lib.createGate(options)(req('/api/me', { authorization: `Bearer ${cache}` }));
    assert.equal(decision.kind, 'deny', JSON.stringify(Object.keys(options)));
    assert.equal(decision.reason, 'invalid_token');
    assert.equal(decision.body.message, 'the token is a session cookie cache, not an access token');
  }

  const hsIn = await hs256.signUp(`h${Date.now()}@example.com`, 'correct horse battery', 'HS User');
  const hsCache = dataOf(hsIn.cookieHeader);
  assert.equal(jose.decodeProtectedHeader(hsCache).alg, 'HS256');
  assert.throws(() => lib.createGate({ secret: SECRET }), /issuer and audience/);
  const loose = lib.createGate({ secret: SECRET, requireIssuerAudience: false });
  const decision = await loose(req('/api/me', { authorization: `Bearer ${hsCache}` }));
  assert.equal(decision.kind, 'deny');
  assert.equal(decision.body.message, 'the token is a session cookie cache, not an access token');
  assert.ok(!JSON.stringify(decision.body).includes(hsCache));

  // The requirement, and the ways to opt out of it.
  assert.throws(() => lib.createGate({ jwks }), /issuer and audience/);
  assert.throws(() => lib.createGate({ jwks, issuer: ORIGIN }), /issuer and audience/);
  assert.throws(() => lib.createGate({ jwks, audience: ORIGIN }), /issuer and audience/);
  assert.throws(() => lib.createGate({ jwks, requireIssuerAudience: 'no' }), /requireIssuerAudience must be a boolean/);
  assert.equal(typeof lib.createGate({ jwks, bearer: false }), 'function', 'session cookies only');
  const any = lib.createGate({ jwks, requireIssuerAudience: false });
  assert.equal((await any(req('/api/me', { authorization: `Bearer ${await sign({}, { iss: 'https://elsewhere.example' })}` }))).kind, 'allow');
});

test('debug: every denial logged on the server with code, message, claim and path; the client gets none of it', async () => {
  const entries = [];
  const gate = gateWith({ debug: (entry) => entries.push(entry) });
  const other = await sign({}, { iss: 'https://other.example' });
  const decision = await gate(req('/api/orders?x=1', { authorization: `Bearer ${other}` }));
  assert.equal(decision.status, 401);
  assert.equal(entries.length, 1);
  const [entry] = entries;
  assert.equal(entry.reason, 'invalid_token');
  assert.equal(entry.status, 401);
  assert.equal(entry.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  assert.equal(entry.claim, 'iss');
  assert.equal(entry.path, '/api/orders');
  assert.equal(entry.message, decision.body.message);
  assert.equal(typeof entry.detail, 'string');
  assert.ok(!JSON.stringify(entry).includes(other), 'the log never contains the token');
  const body = JSON.stringify(decision.body) + decision.responseHeaders.get('www-authenticate');
  assert.ok(!body.includes('other.example') && !body.includes(ORIGIN), `the client sees neither the token's nor the expected issuer: ${body}`);

  await gate(req('/dashboard'));
  assert.deepEqual([entries[1].reason, entries[1].status, entries[1].code, entries[1].path], ['missing_token', 307, undefined, '/dashboard']);
  assert.equal((await gate(req('/api/me', { authorization: `Bearer ${await sign()}` }))).kind, 'allow');
  assert.equal(entries.length, 2, 'allowed requests are not logged');

  const lines = [];
  const warn = console.warn;
  console.warn = (...args) => lines.push(args.join(' '));
  try {
    await gateWith({ debug: true })(req('/api/x', { authorization: 'Bearer abc.def.ghi' }));
  } finally {
    console.warn = warn;
  }
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^\[edge-jwt\] 401 invalid_token ERR_JWS_INVALID path="\/api\/x": /);
  assert.ok(!lines[0].includes('abc.def.ghi'));
  assert.throws(() => gateWith({ debug: 'yes' }), /debug must be a boolean or a function/);
});

test('configuration mistakes: the client-facing message says what is wrong without the expected values', async () => {
  const gate = gateWith();
  const message = async (token) => (await gate(req('/api/me', { authorization: `Bearer ${token}` }))).body.message;
  const slash = await message(await sign({}, { iss: `${ORIGIN}/` }));
  assert.equal(slash, 'the issuer (iss) of the token is not the one this server accepts (it differs from the configured value only by a trailing slash)');
  const audSlash = await message(await sign({}, { aud: `${ORIGIN}/` }));
  assert.equal(audSlash, 'the audience (aud) of the token is not one this server accepts (it differs from the configured value only by a trailing slash)');
  const cased = await message(await sign({}, { iss: ORIGIN.toUpperCase() }));
  assert.match(cased, /only in case/);
  for (const text of [slash, audSlash, cased]) assert.ok(!text.includes('app.example.com'), text);
});
