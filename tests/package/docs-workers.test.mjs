// The README's Cloudflare Workers quick start (the blocks marked worker/wrangler.toml and
// worker/src/index.js) as a project with the packed edge-jwt installed, bundled by wrangler 3
// (`wrangler deploy --dry-run`: wrangler 4 needs Node 22) and served by `wrangler dev --local`
// (workerd) with AUTH_URL pointed at a real Better Auth server on 127.0.0.1: a token it issued is
// answered with its user, a missing, a tampered and a foreign token with 401 and the reason.
// wrangler 3 is installed from npm once, into build/docs-cache/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import { scratchDir } from './load.mjs';
import { startBetterAuth } from '../runtimes/better-auth-server.mjs';
import { freePort } from '../runtimes/next-app.mjs';
import { projectFiles, writeFiles } from '../docs/snippets.mjs';
import { root, run, startProcess, wranglerDir } from '../docs/tools.mjs';

const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 15_000;
const files = projectFiles(join(root, 'README.md'), 'worker');
const project = join(root, 'build', 'docs-worker');
let wrangler;
let server;
let user;
let token;

function env() {
  // wrangler's config, logs and metrics stay inside the project; no account is used.
  return {
    ...process.env,
    XDG_CONFIG_HOME: join(project, '.config'),
    WRANGLER_LOG_PATH: join(project, '.logs'),
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_API_TOKEN: '',
    CLOUDFLARE_ACCOUNT_ID: '',
    NODE_OPTIONS: '',
  };
}

before(async () => {
  const started = Date.now();
  wrangler = join(await wranglerDir(), 'node_modules', '.bin', 'wrangler');
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{ "private": true, "type": "module" }\n');
  cpSync(join(scratchDir(), 'node_modules', 'edge-jwt'), join(project, 'node_modules', 'edge-jwt'), { recursive: true, dereference: true });
  writeFiles(project, files);
  server = await startBetterAuth();
  const signedUp = await server.signUp(`readme-worker-${Date.now()}@example.com`, 'correct-horse-battery-staple', 'Ada Lovelace');
  user = signedUp.user;
  token = await server.token(signedUp.cookieHeader);
  process.stderr.write(`set-up (wrangler installed, project written, Better Auth started): ${Date.now() - started} ms\n`);
});

after(async () => {
  await server?.close();
});

test('the README gives a complete wrangler.toml and the Worker it names', () => {
  const toml = files.find((f) => f.path === 'wrangler.toml')?.code ?? '';
  const main = /^main\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  assert.ok(/^name\s*=\s*"[^"]+"/m.test(toml), 'wrangler.toml has no name');
  assert.ok(/^compatibility_date\s*=\s*"\d{4}-\d{2}-\d{2}"/m.test(toml), 'wrangler.toml has no compatibility_date');
  assert.ok(main !== undefined, 'wrangler.toml has no main');
  assert.ok(files.some((f) => f.path === main), `the README has no block marked worker/${main}`);
  assert.match(toml, /^\[vars\]\s*$[\s\S]*^AUTH_URL\s*=/m);
});

test('wrangler deploy --dry-run bundles the Worker with the package\'s WebAssembly as a module', async (t) => {
  const started = Date.now();
  const output = await run(wrangler, ['deploy', '--dry-run', '--outdir', 'dist'], { cwd: project, env: env(), timeoutMs: 120_000 });
  t.diagnostic(`wrangler deploy --dry-run: ${Date.now() - started} ms`);
  assert.match(output, /--dry-run: exiting now/);
  const out = readdirSync(join(project, 'dist'));
  const wasm = out.find((name) => name.endsWith('edge_jwt_bg.wasm'));
  assert.ok(wasm !== undefined, `no .wasm module in the bundle: ${out.join(', ')}`);
  assert.equal(readFileSync(join(project, 'dist', wasm)).subarray(0, 4).toString('hex'), '0061736d');
  assert.ok(existsSync(join(project, 'dist', 'index.js')));
});

test('wrangler dev --local answers a Better Auth token with its user, and refuses the rest', async (t) => {
  const port = await freePort();
  const inspector = await freePort();
  // .dev.vars overrides [vars] for `wrangler dev`: the Worker trusts the local Better Auth.
  writeFileSync(join(project, '.dev.vars'), `AUTH_URL=${server.url}\n`);
  const started = Date.now();
  const dev = startProcess(wrangler, ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector)], { cwd: project, env: env() });
  t.after(() => dev.stop());
  const base = `http://127.0.0.1:${port}`;
  const call = async (headers = {}) => {
    const response = await fetch(`${base}/`, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return { status: response.status, json: await response.json() };
  };
  for (;;) {
    if (dev.exited()) throw new Error(`wrangler dev exited:\n${dev.output().slice(-4000)}`);
    try {
      const response = await fetch(`${base}/`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`wrangler dev did not answer within ${START_TIMEOUT_MS} ms:\n${dev.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  t.diagnostic(`wrangler dev --local answering: ${Date.now() - started} ms`);

  const valid = await call({ authorization: `Bearer ${token}` });
  assert.equal(valid.status, 200, JSON.stringify(valid.json));
  assert.equal(valid.json.sub, user.id);
  assert.equal(valid.json.email, user.email);

  const missing = await call();
  assert.equal(missing.status, 401);
  assert.equal(missing.json.error, 'missing_token');

  const [header, payload, signature] = token.split('.');
  const forgedClaims = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url')), sub: 'someone-else' })).toString('base64url');
  const tampered = await call({ authorization: `Bearer ${header}.${forgedClaims}.${signature}` });
  assert.equal(tampered.status, 401);
  assert.equal(tampered.json.error, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');

  // Same claims and kid, a stranger's key.
  const protectedHeader = jose.decodeProtectedHeader(token);
  const { privateKey } = await jose.generateKeyPair(protectedHeader.alg, { extractable: true });
  const foreign = await new jose.SignJWT(jose.decodeJwt(token)).setProtectedHeader(protectedHeader).sign(privateKey);
  const stranger = await call({ authorization: `Bearer ${foreign}` });
  assert.equal(stranger.status, 401);
  assert.equal(stranger.json.error, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  assert.ok(server.requests.jwks >= 1, 'the Worker never fetched Better Auth\'s keys');
});
