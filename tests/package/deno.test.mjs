// The packed edge-jwt in Deno (installed from npm by tests/runtimes/deno.mjs when not on PATH), as a
// Deno project gets it: a package.json and node_modules (Deno's "bring your own node_modules"), the
// package imported by its name, so Deno's own resolution picks the entry.
// Checked: the entry Deno picks, the whole case table in every mode with no permissions granted at
// all, `require('edge-jwt')` from a .cjs file, a remote key set on a local server (with
// --allow-net for that host only, and what happens without it), and `deno check` of TypeScript
// against the package's declarations (a correct file passes, a wrong one fails).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { makeCases } from './cases.mjs';
import { assertEveryMode } from './case-table.mjs';
import { decodeSpecial } from './run-case.mjs';
import { scratchDir } from './load.mjs';
import { ensureDeno } from '../runtimes/deno.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const RUN_TIMEOUT_MS = 60_000;

const FILES = {
  // Every case in every mode; cases on stdin, outcomes on stdout.
  'runner.mjs': `
import * as lib from 'edge-jwt';
import { MODES, encodeSpecial, runCase } from './run-case.mjs';
const cases = JSON.parse(await new Response(Deno.stdin.readable).text());
const outcomes = {};
for (const mode of MODES) {
  outcomes[mode] = [];
  for (const c of cases) outcomes[mode].push(encodeSpecial(await runCase(lib, c, mode)));
}
console.log(JSON.stringify({ resolved: import.meta.resolve('edge-jwt'), outcomes }));
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
const [url, tokens] = JSON.parse(await new Response(Deno.stdin.readable).text());
const jwks = createRemoteJWKSet(url);
const results = [];
for (const token of tokens) {
  results.push(await verifyToken(token, jwks).then((r) => ({ sub: r.payload.sub }), (e) => ({ code: e.code, message: e.message })));
}
console.log(JSON.stringify(results));
`,
  'good.ts': `
import { createLocalJWKSet, errors, verifyTokenSync, type JWTPayload, type VerifyResult } from 'edge-jwt';
const keys = createLocalJWKSet({ keys: [] });
try {
  const result: VerifyResult = verifyTokenSync('a.b.c', keys, { issuer: 'x', clockTolerance: '30s' });
  const sub: string | undefined = (result.payload as JWTPayload).sub;
  console.log(sub);
} catch (error) {
  if (error instanceof errors.JOSEError) console.log(error.code);
}
`,
  'bad.ts': `
import { verifyTokenSync } from 'edge-jwt';
const n: number = verifyTokenSync('a.b.c', null);
console.log(n);
`,
};

let deno;
let project;
let jwksServer;
let jwksUrl;
let jwks;
let privateKey;

before(async () => {
  deno = ensureDeno(); // npm install deno when missing (bounded), before the timed tests
  project = mkdtempSync(join(tmpdir(), 'edge-jwt-deno-'));
  mkdirSync(join(project, 'node_modules'));
  cpSync(join(scratchDir(), 'node_modules', 'edge-jwt'), join(project, 'node_modules', 'edge-jwt'), { recursive: true, dereference: true });
  writeFileSync(join(project, 'package.json'), '{"type":"module","private":true,"dependencies":{"edge-jwt":"*"}}\n');
  copyFileSync(join(here, 'run-case.mjs'), join(project, 'run-case.mjs'));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(project, name), text);

  const pair = await jose.generateKeyPair('EdDSA', { extractable: true });
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await jose.exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA' }] };
  jwksServer = createServer((req, res) => {
    if (req.url === '/jwks.json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    else res.writeHead(404).end();
  });
  await new Promise((resolve, reject) => {
    jwksServer.once('error', reject);
    jwksServer.listen(0, '127.0.0.1', resolve);
  });
  jwksUrl = `http://127.0.0.1:${jwksServer.address().port}/jwks.json`;
}, { timeout: 420_000 });

after(async () => {
  if (jwksServer) {
    jwksServer.closeAllConnections();
    await new Promise((r) => jwksServer.close(r));
  }
  if (project) rmSync(project, { recursive: true, force: true });
});

/** Runs deno in the project, with stdin, bounded; resolves with { code, stdout, stderr }. */
function runDeno(args, stdin = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(deno.bin, args, {
      cwd: project,
      env: { ...process.env, DENO_DIR: join(project, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`deno ${args.join(' ')} did not finish within ${RUN_TIMEOUT_MS} ms:\n${stderr.slice(-2000)}`));
    }, RUN_TIMEOUT_MS);
    child.once('error', (error) => { clearTimeout(timer); reject(error); });
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.on('error', () => {}); // deno may exit before reading all of it
    child.stdin.end(stdin);
  });
}

function json(result, what) {
  assert.equal(result.code, 0, `${what} exited with ${result.code}:\n${result.stderr.slice(-3000)}`);
  return JSON.parse(result.stdout);
}

const sign = (key = privateKey, claims = { sub: 'deno-user' }) =>
  new jose.SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).setExpirationTime('5m').sign(key);

test('Deno: the case table in every mode, no permissions granted', { timeout: 120_000 }, async (t) => {
  t.diagnostic(`deno ${deno.version} at ${deno.bin}`);
  const cases = await makeCases();
  const { resolved, outcomes } = decodeSpecial(json(await runDeno(['run', '--no-prompt', 'runner.mjs'], JSON.stringify(cases)), 'runner.mjs'));
  assert.match(resolved, /\/node_modules\/edge-jwt\/dist\/inline\.js$/, 'Deno resolves the package to its inline entry');
  assertEveryMode(cases, outcomes, 'Deno');
});

test("Deno: require('edge-jwt') from CommonJS", { timeout: 60_000 }, async () => {
  const out = json(await runDeno(['run', '--no-prompt', 'require.cjs'], JSON.stringify([await sign(), jwks])), 'require.cjs');
  assert.equal(out.sub, 'deno-user');
  assert.equal(out.tampered, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  assert.match(out.resolved, /\/node_modules\/edge-jwt\/dist\/inline\.cjs$/);
});

test('Deno: a remote key set needs --allow-net for its host, and works with it', { timeout: 60_000 }, async () => {
  const other = (await jose.generateKeyPair('EdDSA')).privateKey;
  const tokens = [await sign(), await sign(other)];
  const host = new URL(jwksUrl).host;
  const allowed = json(await runDeno(['run', '--no-prompt', `--allow-net=${host}`, 'remote.mjs'], JSON.stringify([jwksUrl, tokens])), 'remote.mjs');
  assert.deepEqual(allowed[0], { sub: 'deno-user' });
  assert.equal(allowed[1].code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  const denied = json(await runDeno(['run', '--no-prompt', 'remote.mjs'], JSON.stringify([jwksUrl, tokens.slice(0, 1)])), 'remote.mjs without --allow-net');
  assert.equal(denied[0].code, 'ERR_JWKS_FETCH_FAILED', JSON.stringify(denied));
  assert.match(denied[0].message, /Requires net access/, denied[0].message);
});

test("Deno: `deno check` against the package's declarations", { timeout: 120_000 }, async () => {
  const good = await runDeno(['check', 'good.ts']);
  assert.equal(good.code, 0, good.stderr);
  const bad = await runDeno(['check', 'bad.ts']);
  assert.notEqual(bad.code, 0, 'a type error must fail deno check');
  assert.match(bad.stderr, /TS2322.*'VerifyResult(<JWTPayload>)?' is not assignable to type 'number'/s);
});
