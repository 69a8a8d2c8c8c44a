// `npm run bench`: edge-jwt next to jose, measured side by side. A benchmark, not a test: it asserts
// nothing about speed. Sections (each can be skipped with --no-<name>):
//   loop     one Node process, per algorithm: µs per verifyToken (cache off and on), verifyTokenSync,
//            jose.jwtVerify (local JWKS), fast-jwt's verifier (the key as PEM; its token cache off
//            and on) and the bare node:crypto primitive on the same bytes (the limit); median of
//            several timed rounds after a warm-up, the contenders interleaved
//   workerd  the same verifyToken / jwtVerify loop inside workerd (tests/workerd/harness.mjs), next
//            to a bare crypto.subtle.verify on the same bytes with the key imported beforehand
//   cold     fresh processes: import, key set, first verification (cold-start.mjs)
//   size     the .wasm and the JS a Worker ships, next to jose's verify path (sizes.mjs)
//   memory   1,000,000 verifications in a child process, memory before/after (memory.mjs)
//   python   the Python package against PyJWT, joserfc and `cryptography` (bench/python.py)
//   gate     HTTP load through the example Worker's gate, a jose gate and Better Auth's get-session (gate-load.mjs)
// The package is built (unless --no-build), packed and installed into build/bench-scratch, and
// every edge-jwt figure comes from that installed copy. Writes bench/results.json and
// docs/benchmarks.svg, and rewrites the figures of docs/benchmarks.md between its bench markers.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createVerifier } from 'fast-jwt';
import * as jose from 'jose';
import { build } from '../scripts/build.mjs';
import { bootstrap, log, root } from '../scripts/bootstrap.mjs';
import { packInto } from '../scripts/pack.mjs';
import { coldStart } from './cold-start.mjs';
import { gateLoad } from './gate-load.mjs';
import { REPORT_FILE, writeReport } from './report.mjs';
import { sizes } from './sizes.mjs';
import { ALGS, OPTIONS, benchInput } from './tokens.mjs';
import { workerdLoop } from './workerd.mjs';

const skip = (name) => process.argv.includes(`--no-${name}`);
const ROUNDS = 7;

if (skip('build')) bootstrap();
else await build();

log('packing the package into build/bench-scratch');
const scratch = packInto(join(root, 'build', 'bench-scratch'));
const entry = pathToFileURL(join(scratch, 'node_modules', 'edge-jwt', 'dist', 'inline.js')).href;
const edge = await import(entry);

const inputs = [];
for (const alg of ALGS) inputs.push(await benchInput(alg));

/** Median µs per call of each function in `fns`, rounds interleaved so drift hits all alike. */
async function interleaved(fns, budgetMs) {
  const names = Object.keys(fns);
  const perRound = {};
  for (const name of names) {
    for (let i = 0; i < 30; i += 1) await fns[name](); // warm-up
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < budgetMs / ROUNDS) { await fns[name](); n += 1; }
    perRound[name] = Math.max(10, n);
  }
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let r = 0; r < ROUNDS; r += 1) {
    for (const name of names) {
      const start = performance.now();
      for (let i = 0; i < perRound[name]; i += 1) await fns[name]();
      samples[name].push(((performance.now() - start) * 1000) / perRound[name]);
    }
  }
  return Object.fromEntries(names.map((name) => [name, samples[name].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]]));
}

const results = { node: process.version, date: new Date().toISOString(), loop: [] };
if (!skip('loop')) {
  log('Node loop');
  for (const { alg, token, jwks, secret, primitive } of inputs) {
    const keys = jwks ? edge.createLocalJWKSet(jwks) : null;
    const joseKey = jwks ? jose.createLocalJWKSet(jwks) : new TextEncoder().encode(secret);
    const edgeOptions = secret ? { ...OPTIONS, secret } : OPTIONS;
    const off = { ...edgeOptions, tokenCache: false };
    const slow = /^(ES384|ES512)$/.test(alg);
    // fast-jwt takes one key (a PEM public key, or the secret), not a key set.
    const fastKey = jwks ? crypto.createPublicKey({ key: jwks.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' }) : secret;
    const fastOptions = { key: fastKey, algorithms: [alg], allowedIss: OPTIONS.issuer, allowedAud: OPTIONS.audience };
    const fastJwt = createVerifier({ ...fastOptions, cache: false });
    const fastJwtCache = createVerifier({ ...fastOptions, cache: true });
    const row = {
      alg,
      ...(await interleaved({
        verifyToken: () => edge.verifyToken(token, keys, off),
        jose: () => jose.jwtVerify(token, joseKey, OPTIONS),
        native: async () => primitive(),
        verifyTokenCached: () => edge.verifyToken(token, keys, edgeOptions),
        fastJwt: async () => fastJwt(token),
        fastJwtCached: async () => fastJwtCache(token),
      }, slow ? 3000 : 1500)),
      ...(await interleaved({ verifyTokenSync: () => edge.verifyTokenSync(token, keys, off) }, slow ? 4000 : 1500)),
    };
    results.loop.push(row);
    log(`${alg.padEnd(6)} verifyToken ${row.verifyToken.toFixed(1)} µs, jose ${row.jose.toFixed(1)}, primitive ${row.native.toFixed(1)}, sync ${row.verifyTokenSync.toFixed(1)}, cached ${row.verifyTokenCached.toFixed(1)}, fast-jwt ${row.fastJwt.toFixed(1)}, fast-jwt cached ${row.fastJwtCached.toFixed(1)}`);
  }
}
if (!skip('workerd')) {
  log('workerd loop');
  results.workerd = await workerdLoop({ scratch, inputs });
}
if (!skip('cold')) {
  log('cold start');
  results.cold = coldStart({ scratch, inputs: inputs.filter((i) => ['EdDSA', 'ES256', 'RS256', 'HS256'].includes(i.alg)) });
}
if (!skip('gate')) {
  log('gate load: requests per second through the example Worker, a jose gate, Better Auth get-session');
  results.gateLoad = await gateLoad({ scratch, log });
}
if (!skip('size')) results.size = await sizes({ scratch });
if (!skip('memory')) {
  log('memory: 1,000,000 verifications, twice');
  const child = spawnSync(process.execPath, ['--expose-gc', join(root, 'bench', 'memory.mjs'), entry], { encoding: 'utf8', timeout: 20 * 60_000 });
  if (child.status !== 0) throw new Error(`memory run failed: ${child.stderr || child.error?.message}`);
  results.memory = JSON.parse(child.stdout);
}

if (!skip('python')) results.python = (await import('../scripts/build-python.mjs')).benchPython(); // bench/python.py
writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
const table = writeReport(root, results);
if (results.loop.length > 0) log(`${REPORT_FILE} and its chart updated`);
process.stdout.write(`${table}\n`);
