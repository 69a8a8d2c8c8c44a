// `npm run bench`: microseconds per verification, edge-jwt next to jose in one Node process, for
// every algorithm, on tokens signed by jose against a local JWKS (HS* with a secret). Median of
// several timed rounds after a warm-up. Also the size of the WebAssembly module (raw and gzip).
// The "node:crypto" column is the bare primitive on the same bytes with a pre-imported key: the
// limit. Writes bench/results.json. A benchmark, not a test: it asserts nothing about speed.
import crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from '../scripts/build.mjs';
import { root } from '../scripts/bootstrap.mjs';

if (!process.argv.includes('--no-build')) await build();
const jose = await import('jose');
const edge = await import(pathToFileURL(join(root, 'pkg', 'dist', 'inline.js')).href);

const ALGS = ['EdDSA', 'ES256', 'ES384', 'ES512', 'RS256', 'RS512', 'PS256', 'HS256', 'HS512'];
const ROUNDS = 7;
const now = Math.floor(Date.now() / 1000);
const claims = { sub: 'u_8f2c', email: 'ada@example.com', name: 'Ada Lovelace', emailVerified: true, role: 'admin' };

async function microseconds(fn, budgetMs) {
  for (let i = 0; i < 20; i += 1) await fn(); // warm-up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < budgetMs / 4) { await fn(); n += 1; }
  const perRound = Math.max(20, Math.round(n * 4 / ROUNDS));
  const samples = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    const start = performance.now();
    for (let i = 0; i < perRound; i += 1) await fn();
    samples.push(((performance.now() - start) * 1000) / perRound);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const results = [];
for (const alg of ALGS) {
  const options = { issuer: 'https://app.example.com', audience: 'https://app.example.com' };
  let token, edgeKeys, joseKey, primitive, edgeOptions = options;
  const signer = new jose.SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).setIssuedAt(now)
    .setIssuer(options.issuer).setAudience(options.audience).setExpirationTime(now + 3600);
  if (alg.startsWith('HS')) {
    const secret = new TextEncoder().encode('a-shared-secret-of-sufficient-length-0123456789');
    token = await signer.sign(secret);
    const [h, p, sig] = token.split('.');
    const data = Buffer.from(`${h}.${p}`);
    const expected = Buffer.from(sig, 'base64url');
    const hash = `sha${alg.slice(2)}`;
    primitive = () => crypto.timingSafeEqual(crypto.createHmac(hash, secret).update(data).digest(), expected);
    edgeKeys = null;
    edgeOptions = { ...options, secret };
    joseKey = secret;
  } else {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    token = await signer.sign(privateKey);
    const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg }] };
    const key = crypto.createPublicKey({ key: jwks.keys[0], format: 'jwk' });
    const [h, p, sig] = token.split('.');
    const data = Buffer.from(`${h}.${p}`);
    const signature = Buffer.from(sig, 'base64url');
    const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
    const keyInput = alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' }
      : alg.startsWith('PS') ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 } : key;
    primitive = () => { if (!crypto.verify(hash, data, keyInput, signature)) throw new Error('primitive failed'); };
    edgeKeys = edge.createLocalJWKSet(jwks);
    joseKey = jose.createLocalJWKSet(jwks);
  }
  const budget = 1500;
  const off = { ...edgeOptions, tokenCache: false };
  const row = {
    alg,
    verifyTokenSync: await microseconds(() => edge.verifyTokenSync(token, edgeKeys, off), budget),
    verifyToken: await microseconds(() => edge.verifyToken(token, edgeKeys, off), budget),
    verifyTokenCached: await microseconds(() => edge.verifyToken(token, edgeKeys, edgeOptions), budget),
    jose: await microseconds(() => jose.jwtVerify(token, joseKey, options), budget),
    native: await microseconds(primitive, budget),
  };
  row.ratio = row.verifyToken / row.jose;
  row.overNative = row.verifyToken / row.native;
  results.push(row);
  process.stdout.write(`${alg.padEnd(6)} sync ${row.verifyTokenSync.toFixed(1).padStart(8)} µs   verifyToken ${row.verifyToken.toFixed(1).padStart(7)} µs   cached ${row.verifyTokenCached.toFixed(1).padStart(6)} µs   jose ${row.jose.toFixed(1).padStart(8)} µs   node:crypto ${row.native.toFixed(1).padStart(7)} µs   vs jose ${row.ratio.toFixed(2)}   vs native ${row.overNative.toFixed(2)}\n`);
}
const wasm = readFileSync(join(root, 'pkg', 'dist', 'edge_jwt_bg.wasm'));
const size = { wasmRaw: wasm.length, wasmGzip: gzipSync(wasm, { level: 9 }).length };
process.stdout.write(`wasm ${(size.wasmRaw / 1024).toFixed(1)} KiB raw, ${(size.wasmGzip / 1024).toFixed(1)} KiB gzip\n`);
writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify({ node: process.version, date: new Date().toISOString(), results, size }, null, 2)}\n`);
