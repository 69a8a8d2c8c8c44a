// `npm run demo`: the whole story on a fresh clone, with embedded defaults and nothing to configure.
//
// 1. Builds the package and installs the packed tarball, as a user's project would.
// 2. Builds and starts the example Next.js 16 app (examples/next-app): Better Auth with its JWT
//    plugin (the real server, in memory), gated by edge-jwt's authProxy in proxy.ts.
// 3. Starts the example Worker (examples/cloudflare-worker) in workerd, bundled as wrangler bundles
//    it, verifying the app's tokens against the app's /api/auth/jwks.
// 4. Signs a user up, gets a JWT (/api/auth/token) and the session cookie, and sends both gates a
//    valid token, no token, a tampered token, an expired token, a token signed by a stranger's key,
//    a valid cookie and a forged cookie; prints a table of what each answered and what it should.
// 5. Measures the edge decision (verifyToken with the remote key set; verifySessionCookie) in this
//    process next to the round trip to Better Auth's /api/auth/get-session that it replaces.
// Every process it starts is stopped at the end, on failure too; the whole run is bounded in time.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from './build.mjs';
import { log, root } from './bootstrap.mjs';
import { packInto } from './pack.mjs';

const DEADLINE_MS = 15 * 60_000;
const TOKEN_LIFETIME_S = 8;
const deadline = setTimeout(() => {
  log(`the demo did not finish within ${DEADLINE_MS / 60_000} minutes; stopping`);
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

await build();
log('installing the packed package into build/demo/scratch');
const scratch = packInto(join(root, 'build', 'demo', 'scratch'));
const edgeJwtDir = join(scratch, 'node_modules', 'edge-jwt');
const edge = await import(pathToFileURL(join(edgeJwtDir, 'dist', 'inline.js')).href);
const jose = await import('jose');
const nextApp = await import('../tests/runtimes/next-app.mjs');
const workerExample = join(root, 'examples', 'cloudflare-worker', 'src', 'index.ts');

const stops = [];
let failed = false;
try {
  log('next build (examples/next-app, proxy.ts on the Node.js runtime)');
  const appDir = await nextApp.prepareApp('node', { work: join(root, 'build', 'demo'), edgeJwt: edgeJwtDir });
  const buildMs = await nextApp.build(appDir);
  log(`next build: ${(buildMs / 1000).toFixed(1)} s; next start`);
  const app = await nextApp.start(appDir, { tokenLifetime: `${TOKEN_LIFETIME_S}s` });
  stops.push(app.stop);
  const call = nextApp.http(app.url);

  let worker;
  if (existsSync(workerExample)) {
    const { startWorkerd } = await import('../tests/workerd/harness.mjs');
    log('workerd (examples/cloudflare-worker)');
    worker = await startWorkerd({
      entry: workerExample,
      scratch,
      compatibilityDate: '2026-11-01',
      bindings: { JWKS_URL: `${app.url}/api/auth/jwks`, ISSUER: app.url, AUDIENCE: app.url },
      // workerd's default outbound reaches public addresses only; the app listens on loopback.
      outbound: ['local'],
    });
    stops.push(worker.stop);
  } else {
    log('examples/cloudflare-worker is missing: the Worker part is skipped');
  }

  log('signing up a user on the app (Better Auth, email and password)');
  const jar = new nextApp.Jar();
  const email = `ada-${Date.now()}@example.com`;
  const up = await call('/api/auth/sign-up/email', { body: { email, password: 'correct horse battery staple', name: 'Ada Lovelace' }, jar });
  if (up.status !== 200) throw new Error(`sign-up failed: ${up.status} ${up.text}`);
  const soonExpired = (await call('/api/auth/token', { jar })).json.token;
  const expiresAt = Date.now() + TOKEN_LIFETIME_S * 1000;

  // A token signed by a stranger: same claims and kid as a real one, another key.
  const real = (await call('/api/auth/token', { jar })).json.token;
  const header = jose.decodeProtectedHeader(real);
  const { privateKey } = await jose.generateKeyPair(header.alg, { extractable: true });
  const stranger = await new jose.SignJWT(jose.decodeJwt(real)).setProtectedHeader(header).sign(privateKey);
  const tamper = (token) => {
    const [h, p, s] = token.split('.');
    const claims = { ...JSON.parse(Buffer.from(p, 'base64url')), sub: 'someone-else' };
    return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  };
  const cookieHeader = jar.header();
  const sessionData = [...jar.cookies.keys()].find((name) => /session_data$/.test(name));
  const escaped = sessionData.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const forgedCookie = cookieHeader.replace(new RegExp(`(${escaped}=[^.;]+\\.)[^.;]+`), (_, head) => `${head}${Buffer.from('{"forged":true}').toString('base64url')}`);

  const wait = expiresAt - Date.now() + 1500;
  if (wait > 0) {
    log(`waiting ${(wait / 1000).toFixed(1)} s for the first token (lifetime ${TOKEN_LIFETIME_S} s) to expire`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const fresh = (await call('/api/auth/token', { jar })).json.token;

  const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } });
  const rows = [];
  const check = async (where, what, base, path, init, expect) => {
    const response = await nextApp.http(base)(path, init);
    const detail = response.json?.code ?? (response.status === 307 ? `→ ${new URL(response.headers.get('location'), base).pathname}` : response.json?.sub ? `sub ${response.json.sub}` : '');
    rows.push({ where, what, expect, got: response.status, detail, ok: response.status === expect });
  };
  for (const [where, base] of [['Next.js proxy.ts', app.url], ...(worker ? [['Worker (workerd)', worker.url]] : [])]) {
    const api = where.startsWith('Next') ? '/api/me' : '/me';
    await check(where, 'valid token', base, api, bearer(fresh), 200);
    await check(where, 'no token', base, api, {}, 401);
    await check(where, 'tampered token', base, api, bearer(tamper(fresh)), 401);
    await check(where, 'expired token', base, api, bearer(soonExpired), 401);
    await check(where, "stranger's key", base, api, bearer(stranger), 401);
    if (where.startsWith('Next')) {
      await check(where, 'valid session cookie', base, '/dashboard', { headers: { cookie: cookieHeader } }, 200);
      await check(where, 'no cookie (page)', base, '/dashboard', {}, 307);
      await check(where, 'forged session cookie', base, '/dashboard', { headers: { cookie: forgedCookie } }, 307);
    } else {
      await check(where, 'valid session cookie', base, api, { headers: { cookie: cookieHeader } }, 200);
      await check(where, 'forged session cookie', base, api, { headers: { cookie: forgedCookie } }, 401);
    }
  }

  log('timing the edge decision against the get-session round trip it replaces');
  const jwks = edge.createRemoteJWKSet(`${app.url}/api/auth/jwks`);
  const options = { issuer: app.url, audience: app.url, tokenCache: false };
  const median = async (n, fn) => {
    const samples = [];
    for (let i = 0; i < n; i += 1) {
      const start = performance.now();
      await fn();
      samples.push(performance.now() - start);
    }
    return samples.sort((a, b) => a - b)[Math.floor(n / 2)];
  };
  await edge.verifyToken(fresh, jwks, options);
  const tokenMs = await median(500, () => edge.verifyToken(fresh, jwks, options));
  const cookieMs = await median(500, async () => {
    if ((await edge.verifySessionCookie(cookieHeader, { jwks, issuer: app.url })) === null) throw new Error('the session cookie was not verified');
  });
  const roundTripMs = await median(50, async () => {
    const response = await fetch(`${app.url}/api/auth/get-session`, { headers: { cookie: cookieHeader }, signal: AbortSignal.timeout(10_000) });
    if (!(await response.json())?.user) throw new Error('get-session returned no user');
  });

  const pad = (text, n) => String(text).padEnd(n);
  const lines = [
    '',
    `${pad('gate', 18)} ${pad('request', 24)} ${pad('expected', 9)} ${pad('got', 5)} ${pad('detail', 40)} ok`,
    `${'-'.repeat(18)} ${'-'.repeat(24)} ${'-'.repeat(9)} ${'-'.repeat(5)} ${'-'.repeat(40)} --`,
    ...rows.map((r) => `${pad(r.where, 18)} ${pad(r.what, 24)} ${pad(r.expect, 9)} ${pad(r.got, 5)} ${pad(r.detail, 40)} ${r.ok ? 'yes' : 'NO'}`),
    '',
    'edge decision in this process (median; verifyToken with its token cache off) vs the call it replaces:',
    `  verifyToken, remote JWKS (${jose.decodeProtectedHeader(fresh).alg})                     ${(tokenMs * 1000).toFixed(0).padStart(6)} µs`,
    `  verifySessionCookie (JWT plugin keys, token cache on)${(cookieMs * 1000).toFixed(0).padStart(6)} µs`,
    `  GET /api/auth/get-session (loopback)                   ${(roundTripMs * 1000).toFixed(0).padStart(6)} µs   (${(roundTripMs / tokenMs).toFixed(0)}x the token check, before any real network)`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  failed = rows.some((r) => !r.ok);
  if (failed) log('some outcomes differ from what they should be (rows marked NO)');
} catch (error) {
  failed = true;
  log(error.stack ?? String(error));
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  await nextApp.stopAll();
}
process.exit(failed ? 1 : 0);
