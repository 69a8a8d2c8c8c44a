// edge-jwt/next in a real Next.js 16 app (examples/next-app: App Router, Better Auth 1.7.25 with the
// JWT plugin), built and started twice from a fresh copy with the packed package installed:
//
// - Node.js runtime: the committed proxy.ts.
// - Edge runtime: middleware.ts (scripts/use-runtime.mjs edge), run with the edge's ban on compiling
//   WebAssembly from bytes enforced inside Next's edge sandbox (next/edge-ban.cjs, preloaded), which
//   `next start` does not enforce by itself. A test-only edge route that uses the package's `inline`
//   entry (wasm compiled from bytes) shows the ban is real: it verifies without the ban and fails
//   with "Wasm code generation disallowed" with it, while the gate (edge-light entry) keeps working.
//
// Each build is driven over HTTP (sign-up, tokens, tampered, expired and foreign tokens, forged
// claims headers, session cookies, sign-out, a JWKS outage) and through Debian's Chromium
// (tests/runtimes/chromium.mjs): sign up in the form, dashboard, sign out, back on the sign-in page,
// sign in again. Every process is started here, bounded in time and killed at the end.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { scratchDir } from './load.mjs';
import { launchChromium } from '../runtimes/chromium.mjs';
import { Jar, TOKEN_LIFETIME_S, build, freePort, http, prepareApp as prepareExample, start, stopAll } from '../runtimes/next-app.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = join(root, 'build', 'next-test');
const inlineProbe = fileURLToPath(new URL('./next/inline-probe-route.ts', import.meta.url));
const CLAIMS = 'x-edge-jwt-claims';

after(stopAll);

function prepareApp(runtime) {
  return prepareExample(runtime, { work, edgeJwt: join(scratchDir(), 'node_modules', 'edge-jwt'), probeRoute: runtime === 'edge' ? inlineProbe : undefined });
}

function b64json(segment) {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/** The token with its payload changed and its signature kept. */
function tamper(token, change) {
  const [header, payload, signature] = token.split('.');
  const claims = { ...b64json(payload), ...change };
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

function assertUnauthorized(response, error, code) {
  assert.equal(response.status, 401, response.text);
  assert.equal(response.json?.error, error, response.text);
  assert.equal(response.json?.code, code, response.text);
  const challenge = response.headers.get('www-authenticate');
  if (error === 'missing_token') assert.equal(challenge, 'Bearer', 'no error attribute when no credential was sent (RFC 6750)');
  else assert.match(challenge, /^Bearer error="invalid_token", error_description="[^"]+"$/);
}

function assertSignInRedirect(response, callback) {
  assert.equal(response.status, 307, response.text);
  const location = new URL(response.headers.get('location'), 'http://x.invalid');
  assert.equal(location.pathname, '/sign-in');
  assert.equal(location.searchParams.get('callbackURL'), callback);
}

/** Everything checked over HTTP against one running build. */
async function httpSuite(t, base) {
  const call = http(base);
  const alice = new Jar();
  const email = `alice-${Date.now()}@example.com`;

  const signUp = await call('/api/auth/sign-up/email', { body: { email, password: 'correct horse battery', name: 'Alice Zoë' }, jar: alice });
  assert.equal(signUp.status, 200, signUp.text);
  const userId = signUp.json.user.id;
  const sessionData = alice.get('session_data');
  assert.ok(alice.get('session_token') && sessionData, 'sign-up set session_token and session_data');
  assert.equal(b64json(sessionData.split('.')[0]).typ, 'better-auth.session-cache+jwt', 'the cookie cache is signed by the JWT plugin keys');

  let bobJar; // signed in until the end, for the caller (Better Auth allows 3 sign-ups per 10 s per client)
  const freshToken = async (jar = alice) => {
    const response = await call('/api/auth/token', { jar });
    assert.equal(response.status, 200, response.text);
    return response.json.token;
  };

  await t.test('a valid Bearer token reaches /api/me with its verified claims', async () => {
    const token = await freshToken();
    const me = await call('/api/me', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.source, 'bearer');
    assert.equal(me.json.sub, userId);
    assert.equal(me.json.claims.email, email);
    assert.equal(me.json.claims.name, 'Alice Zoë', 'non-ASCII claims survive the header');
    assert.equal(me.json.claims.iss, base);
  });

  await t.test('no credential: 401 missing_token on the API, 307 to sign-in with the callback URL on pages', async () => {
    assertUnauthorized(await call('/api/me'), 'missing_token', null);
    assertSignInRedirect(await call('/dashboard'), '/dashboard');
    assertSignInRedirect(await call('/dashboard?tab=keys&x=1'), '/dashboard?tab=keys&x=1');
    assertUnauthorized(await call('/api/me', { headers: { authorization: 'Basic YTpi' } }), 'missing_token', null);
  });

  await t.test('a tampered token is refused', async () => {
    const token = tamper(await freshToken(), { sub: 'someone-else' });
    assertUnauthorized(await call('/api/me', { headers: { authorization: `Bearer ${token}` } }), 'invalid_token', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    assertUnauthorized(await call('/api/me', { headers: { authorization: 'Bearer not.a.jwt' } }), 'invalid_token', 'ERR_JWS_INVALID');
    assertUnauthorized(await call('/api/me', { headers: { authorization: 'Bearer' } }), 'invalid_token', 'ERR_JWS_INVALID');
  });

  await t.test('a token signed by another key set is refused (same kid, and an unknown kid)', async () => {
    const real = await freshToken();
    const { kid, alg } = b64json(real.split('.')[0]);
    const { privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    const claims = { ...b64json(real.split('.')[1]), email: 'mallory@example.com' };
    const sameKid = await new jose.SignJWT(claims).setProtectedHeader({ alg, kid }).sign(privateKey);
    assertUnauthorized(await call('/api/me', { headers: { authorization: `Bearer ${sameKid}` } }), 'invalid_token', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    const otherKid = await new jose.SignJWT(claims).setProtectedHeader({ alg, kid: 'attacker-key' }).sign(privateKey);
    assertUnauthorized(await call('/api/me', { headers: { authorization: `Bearer ${otherKid}` } }), 'invalid_token', 'ERR_JWKS_NO_MATCHING_KEY');
    const hs = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('guess'));
    assert.equal((await call('/api/me', { headers: { authorization: `Bearer ${hs}` } })).status, 401, 'an HS256 token is never verified with the key set');
  });

  await t.test(`an expired token is refused (tokens live ${TOKEN_LIFETIME_S} s here)`, async () => {
    const token = await freshToken();
    const { exp } = b64json(token.split('.')[1]);
    assert.equal((await call('/api/me', { headers: { authorization: `Bearer ${token}` } })).status, 200, 'valid before exp');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 250));
    const expired = await call('/api/me', { headers: { authorization: `Bearer ${token}` } });
    assertUnauthorized(expired, 'invalid_token', 'ERR_JWT_EXPIRED');
    assert.match(expired.headers.get('www-authenticate'), /error_description="the token has expired"/);
    assertSignInRedirect(await call('/dashboard', { headers: { authorization: `Bearer ${token}` } }), '/dashboard');
  });

  await t.test('forged claims headers are stripped on public and protected paths, never trusted', async () => {
    const forged = JSON.stringify({ source: 'bearer', sub: 'admin', claims: { sub: 'admin', email: 'admin@example.com', role: 'admin' } });
    const home = await call('/', { headers: { [CLAIMS]: forged, 'x-edge-jwt-sub': 'admin' } });
    assert.equal(home.status, 200);
    assert.ok(home.text.includes('No verified claims on this public page.'), 'the public page received the forged claims header');
    assertUnauthorized(await call('/api/me', { headers: { [CLAIMS]: forged } }), 'missing_token', null);
    assertSignInRedirect(await call('/dashboard', { headers: { [CLAIMS]: forged } }), '/dashboard');
    const token = await freshToken();
    const me = await call('/api/me', { headers: { authorization: `Bearer ${token}`, [CLAIMS]: forged, 'X-Edge-JWT-Claims': forged } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.sub, userId);
    assert.equal(me.json.claims.role, undefined);
    const byCookie = await call('/api/me', { headers: { [CLAIMS]: forged }, jar: alice });
    assert.equal(byCookie.json.sub, userId);
    assert.equal(byCookie.json.source, 'cookie');
  });

  await t.test('a valid session cookie reaches /dashboard and /api/me', async () => {
    const dashboard = await call('/dashboard', { jar: alice });
    assert.equal(dashboard.status, 200, dashboard.text.slice(0, 500));
    assert.match(dashboard.text, new RegExp(`id="user-email">${email.replace(/[.+]/g, '\\$&')}<`));
    assert.match(dashboard.text, /id="auth-source">cookie</);
    assert.match(dashboard.text, new RegExp(`id="user-id">${userId}<`));
    const me = await call('/api/me', { jar: alice });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.claims.email, email);
    assert.equal(me.json.session.userId, userId);
    assert.equal(me.json.session.token, undefined, 'the session token is not forwarded');
  });

  await t.test('a forged or swapped session cookie is refused', async () => {
    const [header, payload, signature] = sessionData.split('.');
    const claims = b64json(payload);
    claims.user = { ...claims.user, name: 'Mallory', email: 'mallory@example.com' };
    const forgedData = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const forged = new Jar();
    forged.cookies = new Map(alice.cookies);
    for (const name of forged.cookies.keys()) if (name.endsWith('session_data')) forged.cookies.set(name, forgedData);
    assertSignInRedirect(await call('/dashboard', { jar: forged }), '/dashboard');
    assertUnauthorized(await call('/api/me', { jar: forged }), 'invalid_token', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');

    // Bob's session_token with Alice's session_data: the cache belongs to another session.
    const bob = new Jar();
    const bobUp = await call('/api/auth/sign-up/email', { body: { email: `bob-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Bob' }, jar: bob });
    assert.equal(bobUp.status, 200, bobUp.text);
    const swapped = new Jar();
    swapped.cookies = new Map(bob.cookies);
    for (const name of swapped.cookies.keys()) if (name.endsWith('session_data')) swapped.cookies.set(name, sessionData);
    assertUnauthorized(await call('/api/me', { jar: swapped }), 'invalid_token', 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    bobJar = bob;
  });

  await t.test('after sign-out the dashboard redirects to sign-in', async () => {
    const out = await call('/api/auth/sign-out', { method: 'POST', body: {}, jar: alice });
    assert.equal(out.status, 200, out.text);
    assert.equal(alice.get('session_data'), undefined, 'sign-out cleared the cookie cache');
    assertSignInRedirect(await call('/dashboard', { jar: alice }), '/dashboard');
    assertUnauthorized(await call('/api/me', { jar: alice }), 'missing_token', null);
  });

  assert.ok(bobJar !== undefined, 'the session-cookie subtests ran');
  return { freshToken: () => freshToken(bobJar) };
}

/** Sign up in the form, dashboard, sign out, sign-in page, sign in again: in Chromium. */
async function browserSuite(base) {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${base}/dashboard`);
    assert.equal(new URL(page.url()).pathname, '/sign-in', 'the gate sent the browser to sign in');
    assert.equal(new URL(page.url()).searchParams.get('callbackURL'), '/dashboard');

    const email = `carol-${Date.now()}@example.com`;
    await page.goto(`${base}/sign-up?callbackURL=/dashboard`);
    await page.fill('#name', 'Carol');
    await page.fill('#email', email);
    await page.fill('#password', 'correct horse battery');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/dashboard`);
    assert.equal(await page.textContent('#user-email'), email);
    assert.equal(await page.textContent('#auth-source'), 'cookie');

    await page.click('text=Sign out');
    await page.waitForURL((url) => url.pathname === '/sign-in');
    assert.equal(new URL(page.url()).searchParams.get('callbackURL'), '/dashboard');
    const names = (await browser.context.cookies(base)).map((cookie) => cookie.name);
    assert.ok(!names.some((name) => name.endsWith('session_token') || name.endsWith('session_data')), `cookies after sign-out: ${names}`);

    await page.fill('#email', email);
    await page.fill('#password', 'correct horse battery');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/dashboard`);
    assert.equal(await page.textContent('#user-name'), 'Carol');
  } finally {
    await browser.close();
  }
}

/** With the JWKS unreachable and no keys cached: 503 for API requests and pages, never a 500. */
async function outageSuite(dir, liveToken) {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const server = await start(dir, { authUrl: dead });
  try {
    const call = http(server.url);
    const api = await call('/api/me', { headers: { authorization: `Bearer ${liveToken}` } });
    assert.equal(api.status, 503, api.text);
    assert.equal(api.json.error, 'temporarily_unavailable');
    assert.equal(api.json.code, 'ERR_JWKS_FETCH_FAILED');
    assert.equal(api.headers.get('retry-after'), '5');
    const page = await call('/dashboard', { headers: { authorization: `Bearer ${liveToken}` } });
    assert.equal(page.status, 503);
    assertUnauthorized(await call('/api/me'), 'missing_token', null);
    assert.equal((await call('/')).status, 200, 'public pages still work');
  } finally {
    await server.stop();
  }
}

async function liveToken(base) {
  const call = http(base);
  const jar = new Jar();
  const up = await call('/api/auth/sign-up/email', { body: { email: `dave-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Dave' }, jar });
  assert.equal(up.status, 200, up.text);
  return (await call('/api/auth/token', { jar })).json.token;
}

test('Next.js 16, Node.js runtime (proxy.ts)', { timeout: 300_000 }, async (t) => {
  const dir = await prepareApp('node');
  const ms = await build(dir);
  t.diagnostic(`next build: ${ms} ms`);
  const functions = JSON.parse(readFileSync(join(dir, '.next', 'server', 'functions-config-manifest.json'), 'utf8'));
  assert.equal(functions.functions['/_middleware']?.runtime, 'nodejs', 'proxy.ts was built for the Node.js runtime');

  const server = await start(dir);
  try {
    const { freshToken } = await httpSuite(t, server.url);
    await t.test('Chromium: sign up, dashboard, sign out, sign-in page, sign in', () => browserSuite(server.url));
    const token = await freshToken();
    await server.stop();
    await t.test('JWKS outage: 503 with Retry-After, never 500', () => outageSuite(dir, token));
  } finally {
    await server.stop();
  }
});

test('Next.js 16, edge runtime (middleware.ts) with compiling WebAssembly from bytes banned', { timeout: 300_000 }, async (t) => {
  const dir = await prepareApp('edge');
  const ms = await build(dir);
  t.diagnostic(`next build: ${ms} ms`);
  const manifest = JSON.parse(readFileSync(join(dir, '.next', 'server', 'middleware-manifest.json'), 'utf8'));
  const wasm = manifest.middleware['/']?.wasm ?? [];
  assert.ok(wasm.some((entry) => /edge_jwt_bg.*\.wasm$/.test(entry.filePath)), `the middleware imports edge-jwt's .wasm as a module: ${JSON.stringify(wasm)}`);

  const probe = async (base, token) => {
    const jwks = (await http(base)('/api/auth/jwks')).json;
    return http(base)('/api/inline-probe', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: { token, jwks } });
  };

  await t.test('control: without the ban, `next start` lets the inline entry compile bytes', async () => {
    const server = await start(dir);
    try {
      const token = await liveToken(server.url);
      const result = await probe(server.url, token);
      assert.equal(result.status, 200, result.text);
      assert.equal(result.json.verified, true, result.text);
      assert.doesNotMatch(server.output(), /edge-ban:/);
    } finally {
      await server.stop();
    }
  });

  const server = await start(dir, { banWasmCompile: true });
  try {
    const { freshToken } = await httpSuite(t, server.url);
    await t.test('Chromium: sign up, dashboard, sign out, sign-in page, sign in', () => browserSuite(server.url));

    await t.test('the ban is in force in the edge sandbox, and forcing the bytes path fails under it', async () => {
      const token = await freshToken();
      const result = await probe(server.url, token);
      assert.equal(result.status, 200, result.text);
      assert.equal(result.json.verified, false, result.text);
      assert.match(result.json.message, /Wasm code generation disallowed/);
      const log = server.output();
      assert.match(log, /edge-ban: sandbox created; compiling bytes inside it: refused: .*disallowed/);
      assert.doesNotMatch(log, /NOT banned|probe failed/);
    });
    const token = await freshToken();
    await server.stop();
    await t.test('JWKS outage: 503 with Retry-After, never 500', () => outageSuite(dir, token));
  } finally {
    await server.stop();
  }
});
