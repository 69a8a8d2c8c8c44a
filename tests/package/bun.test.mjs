// The packed edge-jwt in Bun (installed from npm by tests/runtimes/bun.mjs when not on PATH), as a
// Bun project gets it: a package.json and node_modules, the package imported by its name, so Bun's
// own resolution picks the entry. Checked: the entry Bun picks, the whole case table in every mode,
// `require('edge-jwt')` from CommonJS, a remote key set on a local JWKS server (a new kid, a
// refused connection), verifySessionCookie on the cookies of a real Better Auth server, and the
// Hono gate (`edge-jwt/hono`) under `Bun.serve`, asked over HTTP on 127.0.0.1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { makeCases } from './cases.mjs';
import { assertEveryMode } from './case-table.mjs';
import { decodeSpecial } from './run-case.mjs';
import { scratchDir } from './load.mjs';
import { ensureBun } from '../runtimes/bun.mjs';
import { closedPortUrl, jwksOf, newSigningKey, signToken, startJwksServer } from '../runtimes/jwks-server.mjs';
import { startCookieServer } from '../runtimes/better-auth-cookies.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const RUN_TIMEOUT_MS = 60_000;
const ORIGIN = 'https://app.example.com';

const FILES = {
  // Every case in every mode; cases on stdin, outcomes on stdout.
  'runner.mjs': `
import * as lib from 'edge-jwt';
import { MODES, encodeSpecial, runCase } from './run-case.mjs';
const cases = JSON.parse(await Bun.stdin.text());
const outcomes = {};
for (const mode of MODES) {
  outcomes[mode] = [];
  for (const c of cases) outcomes[mode].push(encodeSpecial(await runCase(lib, c, mode)));
}
console.log(JSON.stringify({ resolved: import.meta.resolve('edge-jwt'), version: Bun.version, outcomes }));
`,
  'require.cjs': `
const { verifyTokenSync, errors } = require('edge-jwt');
const [token, jwks] = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const { payload } = verifyTokenSync(token, jwks);
let tampered;
try { verifyTokenSync(token.slice(0, -4) + 'AAAA', jwks); } catch (e) { tampered = e instanceof errors.JOSEError && e.code; }
console.log(JSON.stringify({ sub: payload.sub, tampered, resolved: require.resolve('edge-jwt') }));
`,
  'remote.mjs': `
import { createRemoteJWKSet, verifyToken } from 'edge-jwt';
const [url, tokens] = JSON.parse(await Bun.stdin.text());
const jwks = createRemoteJWKSet(url);
const results = [];
for (const token of tokens) {
  results.push(await verifyToken(token, jwks).then(
    (r) => ({ sub: r.payload.sub, kid: r.protectedHeader.kid }),
    (e) => ({ code: e.code, message: e.message, causeCode: e.cause?.code ?? null }),
  ));
}
console.log(JSON.stringify({ results, fetches: jwks.stats().fetches }));
`,
  'session.mjs': `
import { verifySessionCookie } from 'edge-jwt';
const [cookie, secret] = JSON.parse(await Bun.stdin.text());
const verified = await verifySessionCookie(cookie, { secret });
const wrongSecret = await verifySessionCookie(cookie, { secret: secret + 'x' }).then((r) => r, (e) => ({ code: e.code }));
const none = await verifySessionCookie('theme=dark', { secret });
console.log(JSON.stringify({ userId: verified?.user?.id ?? null, email: verified?.user?.email ?? null, wrongSecret, none }));
`,
  // The Hono gate under Bun.serve on a free port; prints the port, serves until killed.
  'gate.mjs': `
import { Hono } from 'hono';
import { edgeJwt } from 'edge-jwt/hono';
const [jwks, origin] = JSON.parse(await Bun.stdin.text());
const app = new Hono();
app.use(edgeJwt({ jwks, issuer: origin, audience: origin, publicPaths: ['/'] }));
app.get('/', (c) => c.text('public'));
app.get('/api/me', (c) => c.json({ sub: c.get('auth').sub, email: c.get('jwtPayload').email }));
const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch });
console.log(JSON.stringify({ port: server.port }));
`,
};

let bun;
let project;

before(() => {
  bun = ensureBun(); // npm install bun when missing (bounded), before the timed tests
  project = mkdtempSync(join(tmpdir(), 'edge-jwt-bun-'));
  mkdirSync(join(project, 'node_modules'));
  cpSync(join(scratchDir(), 'node_modules', 'edge-jwt'), join(project, 'node_modules', 'edge-jwt'), { recursive: true, dereference: true });
  cpSync(join(repo, 'node_modules', 'hono'), join(project, 'node_modules', 'hono'), { recursive: true, dereference: true });
  writeFileSync(join(project, 'package.json'), '{"type":"module","private":true,"dependencies":{"edge-jwt":"*","hono":"*"}}\n');
  copyFileSync(join(here, 'run-case.mjs'), join(project, 'run-case.mjs'));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(project, name), text);
}, { timeout: 420_000 });

after(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

const bunEnv = () => ({ ...process.env, BUN_INSTALL_CACHE_DIR: join(project, '.bun-cache'), NO_COLOR: '1', DO_NOT_TRACK: '1' });

/** Runs bun in the project, with stdin, bounded; resolves with { code, stdout, stderr }. */
function runBun(args, stdin = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(bun.bin, args, { cwd: project, env: bunEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bun ${args.join(' ')} did not finish within ${RUN_TIMEOUT_MS} ms:\n${stderr.slice(-2000)}`));
    }, RUN_TIMEOUT_MS);
    child.once('error', (error) => { clearTimeout(timer); reject(error); });
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
  });
}

function json(result, what) {
  assert.equal(result.code, 0, `${what} exited with ${result.code}:\n${result.stderr.slice(-3000)}`);
  return JSON.parse(result.stdout);
}

test('Bun: the case table in every mode', { timeout: 120_000 }, async (t) => {
  t.diagnostic(`bun ${bun.version} at ${bun.bin}`);
  const cases = await makeCases();
  const { resolved, version, outcomes } = decodeSpecial(json(await runBun(['run', 'runner.mjs'], JSON.stringify(cases)), 'runner.mjs'));
  assert.equal(version, bun.version);
  assert.match(resolved, /\/node_modules\/edge-jwt\/dist\/inline\.js$/, 'Bun resolves the package to its inline entry');
  assertEveryMode(cases, outcomes, 'Bun');
});

test("Bun: require('edge-jwt') from CommonJS", { timeout: 60_000 }, async () => {
  const key = await newSigningKey('k1', 'EdDSA');
  const out = json(await runBun(['run', 'require.cjs'], JSON.stringify([await signToken(key, { sub: 'bun-user' }), jwksOf(key)])), 'require.cjs');
  assert.equal(out.sub, 'bun-user');
  assert.equal(out.tampered, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  assert.match(out.resolved, /\/node_modules\/edge-jwt\/dist\/inline\.cjs$/);
});

test('Bun: a remote key set on a local server (a new kid, a bad signature, a refused connection)', { timeout: 60_000 }, async (t) => {
  const A = await newSigningKey('key-A', 'ES256');
  const B = await newSigningKey('key-B', 'RS256');
  const server = await startJwksServer({ jwks: jwksOf(A, B) });
  t.after(() => server.close());
  const forged = await signToken({ ...B, privateKey: (await newSigningKey('x', 'RS256')).privateKey });
  const tokens = [await signToken(A), await signToken(B), forged];
  const out = json(await runBun(['run', 'remote.mjs'], JSON.stringify([server.url, tokens])), 'remote.mjs');
  assert.deepEqual(out.results[0], { sub: 'user-1', kid: 'key-A' });
  assert.deepEqual(out.results[1], { sub: 'user-1', kid: 'key-B' });
  assert.equal(out.results[2].code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  assert.equal(out.fetches, 1);
  assert.equal(server.count, 1, 'one fetch for three verifications');
  const refused = json(await runBun(['run', 'remote.mjs'], JSON.stringify([await closedPortUrl(), tokens.slice(0, 1)])), 'remote.mjs, closed port');
  assert.equal(refused.results[0].code, 'ERR_JWKS_FETCH_FAILED', JSON.stringify(refused));
});

test("Bun: verifySessionCookie on a real Better Auth server's compact cookie", { timeout: 60_000 }, async (t) => {
  const secret = 'bun-test-secret-0123456789abcdef0123456789';
  const auth = await startCookieServer({ strategy: 'compact', secret });
  t.after(() => auth.close());
  const login = await auth.signUp('bun@example.com', 'password-123456', 'Bun User');
  const out = json(await runBun(['run', 'session.mjs'], JSON.stringify([login.cookieHeader, secret])), 'session.mjs');
  assert.equal(out.userId, login.user.id);
  assert.equal(out.email, 'bun@example.com');
  assert.ok(out.wrongSecret === null || typeof out.wrongSecret.code === 'string', `a wrong secret verifies nothing: ${JSON.stringify(out.wrongSecret)}`);
  assert.equal(out.none, null, 'no session cookie: null');
});

test('Bun: the Hono gate (edge-jwt/hono) under Bun.serve', { timeout: 60_000 }, async (t) => {
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] };
  const sign = (key = privateKey) => new jose.SignJWT({ email: 'ann@example.com' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('user-1').setIssuer(ORIGIN).setAudience(ORIGIN).setExpirationTime('5m').sign(key);
  const child = spawn(bun.bin, ['run', 'gate.mjs'], { cwd: project, env: bunEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('close', resolve));
  t.after(async () => {
    child.kill('SIGKILL');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
  });
  child.stdin.end(JSON.stringify([jwks, ORIGIN]));
  const port = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`Bun.serve did not start within 20 s:\n${stderr}`)), 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) { clearTimeout(timer); resolve(JSON.parse(line).port); }
    });
    child.once('close', (code) => { clearTimeout(timer); reject(new Error(`bun exited with ${code}:\n${stderr}`)); });
  });
  const base = `http://127.0.0.1:${port}`;
  const get = (path, headers = {}) => fetch(base + path, { headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });

  const ok = await get('/api/me', { authorization: `Bearer ${await sign()}` });
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.deepEqual(await ok.json(), { sub: 'user-1', email: 'ann@example.com' });
  const missing = await get('/api/me');
  assert.equal(missing.status, 401);
  assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
  await missing.text();
  const other = (await jose.generateKeyPair('ES256')).privateKey;
  const forged = await get('/api/me', { authorization: `Bearer ${await sign(other)}` });
  assert.equal(forged.status, 401);
  await forged.text();
  const open = await get('/');
  assert.equal(open.status, 200);
  assert.equal(await open.text(), 'public');
});
