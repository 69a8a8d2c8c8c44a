// examples/cloudflare-worker (a Hono app gated by edge-jwt/hono) in workerd, bundled as wrangler
// bundles it (tests/workerd/harness.mjs: esbuild with the `workerd` condition, the .wasm as a
// compiled module) from the packed package in EDGE_JWT_SCRATCH, against real Better Auth servers
// on 127.0.0.1 (tests/runtimes/): tokens from its /api/auth/token and its signJWT, and session
// cookies signed by its JWT plugin's keys.
//
// workerd gets wrangler.toml's compatibility date and its [vars] as text bindings (the same names,
// the values pointed at the local Better Auth), and may fetch from 127.0.0.1 (workerd's default
// outbound reaches public addresses only). It runs a small wrapper: the example app plus two routes
// that echo the claims headers the app's handlers receive (one public, one gated).
// The example's TypeScript is also type-checked against the installed package's declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { scratchProject, shortPath, startWorkerd } from '../workerd/harness.mjs';
import { startBetterAuth } from '../runtimes/better-auth-server.mjs';
import { startCookieServer } from '../runtimes/better-auth-cookies.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLE = join(repo, 'examples', 'cloudflare-worker');
const REQUEST_TIMEOUT_MS = 10_000;
const CONCURRENT = 50;
const PASSWORD = 'correct-horse-battery-staple';

/** The keys and values of wrangler.toml this test relies on (flat `key = "value"` lines and [vars]). */
function readWranglerToml() {
  const text = readFileSync(join(EXAMPLE, 'wrangler.toml'), 'utf8');
  const top = {};
  const vars = {};
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      section = header[1].trim();
      continue;
    }
    const pair = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"]*)"\s*(?:#.*)?$/.exec(line);
    if (!pair) continue;
    if (section === '') top[pair[1]] = pair[2];
    else if (section === 'vars') vars[pair[1]] = pair[2];
  }
  return { top, vars };
}

/** The wrapper workerd runs: the example app plus two header-echo routes. */
function wrapperSource() {
  const echo = "(c) => c.json({ claims: c.req.header('x-edge-jwt-claims') ?? null, sub: c.req.header('x-edge-jwt-sub') ?? null, auth: c.get('auth') })";
  return `import app from ${JSON.stringify(join(EXAMPLE, 'src', 'index.ts'))};
app.get('/public/echo-headers', ${echo});
app.get('/echo-headers', ${echo});
export default app;
`;
}

async function startExample(dir, name, bindings, compatibilityDate) {
  const entry = join(dir, `${name}.mjs`);
  writeFileSync(entry, wrapperSource());
  const worker = await startWorkerd({ entry, scratch: scratchProject(), compatibilityDate, bindings, outbound: ['local'] });
  const call = async (path, headers = {}) => {
    let response;
    try {
      response = await fetch(`${worker.url}${path}`, { headers, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new Error(`GET ${path} failed: ${error.message}\nworkerd output:\n${worker.logs()}`);
    }
    const text = await response.text();
    let body = text;
    if ((response.headers.get('content-type') ?? '').includes('application/json')) body = JSON.parse(text);
    return { status: response.status, headers: response.headers, body };
  };
  return { ...worker, call };
}

const bearer = (token, extra = {}) => ({ authorization: `Bearer ${token}`, ...extra });

/** A 401 from the gate, with its RFC 6750 challenge and JSON body. */
function assertRefused(response, code, what, error = code === null ? 'missing_token' : 'invalid_token') {
  assert.equal(response.status, 401, `${what}: ${JSON.stringify(response.body)}`);
  assert.equal(response.body.code, code, `${what}: ${JSON.stringify(response.body)}`);
  assert.equal(response.body.error, error, what);
  const challenge = response.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer\b/, `${what}: WWW-Authenticate ${challenge}`);
  if (code !== null) assert.match(challenge, /error="invalid_token"/, what);
  assert.equal(response.headers.get('cache-control'), 'no-store', what);
}

test('examples/cloudflare-worker in workerd, against Better Auth', { timeout: 180_000 }, async (t) => {
  const scratch = scratchProject();
  const { top, vars } = readWranglerToml();
  const dir = mkdtempSync(join(tmpdir(), 'edge-jwt-cf-example-'));
  const stops = [];
  try {
    await t.test('wrangler.toml names the entry and the vars the code reads', () => {
      assert.equal(top.main, 'src/index.ts');
      assert.ok(existsSync(join(EXAMPLE, top.main)));
      assert.match(top.compatibility_date ?? '', /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(top.name, 'a name to deploy under');
      assert.deepEqual(Object.keys(vars).sort(), ['AUDIENCE', 'ISSUER', 'JWKS_URL']);
      const source = readFileSync(join(EXAMPLE, top.main), 'utf8');
      for (const name of Object.keys(vars)) assert.match(source, new RegExp(`env\\.${name}\\b`), `src/index.ts reads env.${name}`);
    });

    await t.test('the example type-checks against the installed package', () => {
      const check = join(dir, 'typecheck');
      mkdirSync(join(check, 'node_modules'), { recursive: true });
      cpSync(join(EXAMPLE, 'src'), join(check, 'src'), { recursive: true });
      cpSync(join(EXAMPLE, 'tsconfig.json'), join(check, 'tsconfig.json'));
      symlinkSync(join(scratch, 'node_modules', 'edge-jwt'), join(check, 'node_modules', 'edge-jwt'), 'dir');
      symlinkSync(join(repo, 'node_modules', 'hono'), join(check, 'node_modules', 'hono'), 'dir');
      const result = spawnSync(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', join(check, 'tsconfig.json')], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
    });

    // Better Auth (JWT plugin, EdDSA), a user, a token; a second Better Auth with keys of its own.
    const auth = await startBetterAuth();
    stops.push(() => auth.close());
    const other = await startBetterAuth();
    stops.push(() => other.close());
    const { cookieHeader, user } = await auth.signUp('ann@example.com', PASSWORD, 'Ann Ünal');
    const token = await auth.token(cookieHeader);
    const otherToken = await other.token((await other.signUp('bob@example.com', PASSWORD, 'Bob')).cookieHeader);
    const now = Math.floor(Date.now() / 1000);
    const expired = (await auth.auth.api.signJWT({ body: { payload: { sub: user.id, email: user.email, iat: now - 7200, exp: now - 3600 } } })).token;
    const [head, body, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${signature}`;
    const { kid } = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    const impostorKey = (await jose.generateKeyPair('EdDSA')).privateKey;
    const sameKidOtherKey = await new jose.SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', kid }).sign(impostorKey);

    const worker = await startExample(dir, 'bearer', { JWKS_URL: `${auth.url}/api/auth/jwks`, ISSUER: auth.url, AUDIENCE: auth.url }, top.compatibility_date);
    stops.push(() => worker.stop());
    t.diagnostic(`workerd answered /health ${worker.startupMs} ms after spawn; bundle ${(worker.bundle.bytes / 1024).toFixed(0)} KiB + ${worker.bundle.wasm.map((w) => w.name).join(', ')}`);

    await t.test('bundled as wrangler does: the workerd entry, the .wasm as a module, hono/edge-jwt/hono from their packages', () => {
      const dist = join(scratch, 'node_modules', 'edge-jwt', 'dist');
      for (const file of ['workerd.js', 'hono.js']) {
        assert.ok(worker.bundle.inputs.includes(join(dist, file)), `the bundle lacks ${file}: ${worker.bundle.inputs.map(shortPath).join(', ')}`);
      }
      assert.ok(!worker.bundle.inputs.some((input) => input.endsWith('inline.js')), 'the inline (bytes) entry must not be in a Workers bundle');
      assert.deepEqual(worker.bundle.wasm, [{ name: 'edge_jwt_bg.wasm', source: join(dist, 'edge_jwt_bg.wasm') }]);
      assert.doesNotMatch(readFileSync(join(dist, 'hono.js'), 'utf8'), /from\s*["']hono/, 'edge-jwt/hono must not import hono at run time');
    });

    await t.test(`${CONCURRENT} concurrent requests on a cold isolate: all verified, the keys fetched once`, async () => {
      assert.equal(auth.requests.jwks, 0, 'no key fetch before the first request');
      const responses = await Promise.all(Array.from({ length: CONCURRENT }, () => worker.call('/me', bearer(token))));
      responses.forEach((r, i) => {
        assert.equal(r.status, 200, `request ${i}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.sub, user.id);
      });
      assert.equal(auth.requests.jwks, 1, 'the isolate fetched the JWKS once for all concurrent requests');
    });

    await t.test('public routes are open', async () => {
      const home = await worker.call('/');
      assert.equal(home.status, 200);
      assert.match(home.body, /edge-jwt on Cloudflare Workers/);
      assert.deepEqual((await worker.call('/public/hello')).body, { hello: 'world' });
      assert.equal((await worker.call('/health')).body, 'ok');
    });

    await t.test('a valid Better Auth token: 200 with its claims', async () => {
      const me = await worker.call('/me', bearer(token));
      assert.equal(me.status, 200, JSON.stringify(me.body));
      assert.deepEqual(me.body, {
        source: 'bearer',
        sub: user.id,
        email: 'ann@example.com',
        name: 'Ann Ünal',
        expiresAt: new Date(claims.exp * 1000).toISOString(),
      });
    });

    await t.test('refused: no token, tampered, expired, another key set, same kid with another key, not a JWT', async () => {
      assertRefused(await worker.call('/me'), null, 'no token');
      assertRefused(await worker.call('/me', bearer(tampered)), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'tampered payload');
      assertRefused(await worker.call('/me', bearer(expired)), 'ERR_JWT_EXPIRED', 'expired (signed by Better Auth)');
      assertRefused(await worker.call('/me', bearer(otherToken)), 'ERR_JWKS_NO_MATCHING_KEY', "another Better Auth's token");
      assertRefused(await worker.call('/me', bearer(sameKidOtherKey)), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'same kid, another key');
      assertRefused(await worker.call('/me', bearer('not-a-jwt')), 'ERR_JWS_INVALID', 'not a JWT');
      assertRefused(await worker.call('/me', { cookie: cookieHeader }), null, 'a bare session_token cookie (no cookie cache) cannot be verified at the edge', 'session_cache_missing');
      // The other server's kid is the first unknown kid after the initial fetch: looked up once,
      // at once; nothing else refetched (30 s cooldown of that refetch).
      assert.equal(auth.requests.jwks, 2, "one refetch for the other server's unknown kid, none for any other refusal");
    });

    await t.test('forged claims headers: never reach a handler, never authenticate', async () => {
      const forgedClaims = JSON.stringify({ source: 'bearer', sub: 'admin', claims: { sub: 'admin', role: 'admin' } });
      const forged = { 'x-edge-jwt-claims': forgedClaims, 'x-edge-jwt-sub': 'admin' };
      assertRefused(await worker.call('/echo-headers', forged), null, 'forged headers alone');

      const gated = await worker.call('/echo-headers', bearer(token, forged));
      assert.equal(gated.status, 200);
      assert.equal(gated.body.sub, user.id, 'x-edge-jwt-sub is the verified subject');
      assert.deepEqual(JSON.parse(gated.body.claims), { source: 'bearer', sub: user.id, claims });
      assert.deepEqual(gated.body.auth, { source: 'bearer', sub: user.id, claims });

      const open = await worker.call('/public/echo-headers', forged);
      assert.equal(open.status, 200);
      assert.deepEqual(open.body, { claims: null, sub: null, auth: null }, 'forged headers are removed on public routes too');
    });

    await t.test(`${CONCURRENT} concurrent requests, valid and invalid mixed: each its own answer`, async () => {
      const kinds = [[token, 200], [tampered, 401], [expired, 401], [sameKidOtherKey, 401], [undefined, 401]];
      const jobs = Array.from({ length: CONCURRENT }, (_, i) => kinds[i % kinds.length]);
      const responses = await Promise.all(jobs.map(([tk]) => worker.call('/me', tk === undefined ? {} : bearer(tk))));
      responses.forEach((r, i) => {
        assert.equal(r.status, jobs[i][1], `request ${i}: ${JSON.stringify(r.body)}`);
        if (r.status === 200) assert.equal(r.body.sub, user.id);
      });
    });

    // Session cookies: Better Auth with the cookie cache signed by the JWT plugin's keys.
    const cookies = await startCookieServer({ strategy: 'jwt', jwtPlugin: true });
    stops.push(() => cookies.close());
    const signedUp = await cookies.signUp('cy@example.com', PASSWORD, 'Cy');
    const cookieWorker = await startExample(dir, 'cookie', { JWKS_URL: `${cookies.url}/api/auth/jwks`, ISSUER: cookies.url, AUDIENCE: cookies.url }, top.compatibility_date);
    stops.push(() => cookieWorker.stop());

    await t.test("Better Auth's session cookie (jwt({ sessionCookieCache: true })): verified at the edge", async () => {
      assert.ok(signedUp.cookies.some((c) => c.name.endsWith('session_data')), 'Better Auth set the session_data cookie cache');
      const me = await cookieWorker.call('/me', { cookie: signedUp.cookieHeader });
      assert.equal(me.status, 200, JSON.stringify(me.body));
      assert.equal(me.body.source, 'cookie');
      assert.equal(me.body.sub, signedUp.user.id);
      assert.equal(me.body.email, 'cy@example.com');
      assert.equal(me.body.name, 'Cy');
      assert.equal(typeof me.body.expiresAt, 'string');

      const data = signedUp.cookies.find((c) => c.name.endsWith('session_data'));
      const [h, p, s] = data.value.split('.');
      const forgedPayload = Buffer.from(Buffer.from(p, 'base64url').toString('utf8').replace('cy@example.com', 'admin@example.com')).toString('base64url');
      const forgedCookie = signedUp.cookieHeader.replace(data.value, `${h}.${forgedPayload}.${s}`);
      assert.notEqual(forgedCookie, signedUp.cookieHeader);
      assertRefused(await cookieWorker.call('/me', { cookie: forgedCookie }), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'a tampered session cookie');
    });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});
