// An RSA signature must be exactly k bytes long (k: the modulus length; RFC 8017 §8.1.2 and §8.2.2,
// step 1). OpenSSL (node:crypto) and Node's WebCrypto take a PSS signature one byte short, as if a
// leading 0x00 had been dropped, so one PS token in 256 (those whose signature starts with 0x00) could
// be re-encoded into a second token string that verified in Node and failed elsewhere. edge-jwt
// refuses it before the host sees it, in every provider and runtime:
//   - Node: verifyToken (node:crypto) and verifyTokenSync (pure WebAssembly), keys as a JWKS object
//     and as a LocalKeySet;
//   - Node with WebCrypto: a child Node process where the package cannot reach node:crypto (its
//     `process.getBuiltinModule` removed), so its verifier is crypto.subtle (counted, so the test
//     knows the host was asked about the valid token);
//   - workerd (the Cloudflare Workers runtime), the `workerd` entry;
//   - edge-runtime (Vercel Edge), the `edge-light` entry, WebAssembly code generation banned.
// Controls in this process: node:crypto and WebCrypto themselves accept the short PS256 signature,
// so the token does exercise the difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EdgeRuntime } from 'edge-runtime';
import { MODES, checkOutcome, decodeSpecial, runCase } from './run-case.mjs';
import { scratchDir, tryLoad } from './load.mjs';
import { startWorkerd } from '../workerd/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const NOW_MS = 1_767_225_600_000;
const FAILED = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const seg = (value) => b64u(JSON.stringify(value));

const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'rsa' };
const K = 256;

/** Signs header.payload for `alg`; tries payload nonces until the signature starts with 0x00. */
function signedWithLeadingZero(alg) {
  const hash = `sha${alg.slice(2)}`;
  const pss = alg.startsWith('PS');
  for (let nonce = 0; nonce < 100_000; nonce++) {
    const header = { alg, kid: 'rsa' };
    const payload = { sub: 'rsa-length', nonce };
    const input = `${seg(header)}.${seg(payload)}`;
    const signature = crypto.sign(hash, Buffer.from(input), {
      key: privateKey,
      ...(pss ? { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 } : {}),
    });
    if (signature[0] === 0) return { header, payload, input, signature };
  }
  throw new Error(`no ${alg} signature starting with 0x00 in 100,000 tries`);
}

const ps256 = signedWithLeadingZero('PS256');
const rs256 = signedWithLeadingZero('RS256');
const options = { currentDateMs: NOW_MS };
const keys = { keys: [jwk] };

/** Cases in the shared table's form (tests/package/run-case.mjs). */
const cases = [];
for (const [alg, signed] of [['PS256', ps256], ['RS256', rs256]]) {
  const { header, payload, input, signature } = signed;
  assert.equal(signature.length, K);
  const expectOk = { ok: true, payload, header };
  cases.push(
    { name: `${alg}, the valid signature (k bytes, the first 0x00)`, token: `${input}.${b64u(signature)}`, keys, options, expect: expectOk },
    { name: `${alg}, the leading 0x00 removed (k - 1 bytes)`, token: `${input}.${b64u(signature.subarray(1))}`, keys, options, expect: { code: FAILED } },
    { name: `${alg}, another 0x00 in front (k + 1 bytes)`, token: `${input}.${b64u(Buffer.concat([Buffer.alloc(1), signature]))}`, keys, options, expect: { code: FAILED } },
    {
      // Two keys fit (no kid): the short signature is refused with the several-keys code.
      name: `${alg}, k - 1 bytes, no kid, two fitting keys`,
      token: `${seg({ alg })}.${input.split('.')[1]}.${b64u(signature.subarray(1))}`,
      keys: { keys: [{ ...jwk, kid: undefined }, { ...jwk, kid: 'again' }].map((k) => JSON.parse(JSON.stringify(k))) },
      options,
      expect: { code: 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' },
    },
  );
}

/** Runs every case in every mode through `run(cases, mode)`; fails listing each wrong outcome. */
async function allModes(t, where, run) {
  for (const mode of MODES) {
    await t.test(`${where}, ${mode}`, async () => {
      const outcomes = await run(cases, mode);
      assert.equal(outcomes.length, cases.length, 'one outcome per case');
      const failures = cases.map((c, i) => [c, checkOutcome(c, outcomes[i])]).filter(([, problem]) => problem !== null);
      assert.deepEqual(failures.map(([c, problem]) => `${c.name}: ${problem}`), [], `${where} (${mode})`);
    });
  }
}

test('controls: node:crypto and WebCrypto accept a PS256 signature with its leading 0x00 removed', async () => {
  const short = ps256.signature.subarray(1);
  const pss = { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  assert.equal(crypto.verify('sha256', Buffer.from(ps256.input), pss, ps256.signature), true, 'the full signature');
  assert.equal(crypto.verify('sha256', Buffer.from(ps256.input), pss, short), true,
    'node:crypto refuses k - 1 bytes now: this control no longer shows the hosts differing');
  const key = await crypto.subtle.importKey('jwk', { ...jwk, kid: undefined }, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['verify']);
  assert.equal(await crypto.subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, key, short, Buffer.from(ps256.input)), true,
    'WebCrypto refuses k - 1 bytes now: this control no longer shows the hosts differing');
});

const { lib, loadError } = await tryLoad();

test('Node: node:crypto (verifyToken) and pure WebAssembly (verifyTokenSync)', async (t) => {
  if (loadError) throw loadError;
  await allModes(t, 'Node', (batch, mode) => Promise.all(batch.map((c) => runCase(lib, c, mode))));
});

// A child Node process whose package sees no node:crypto: the inline entry then picks WebCrypto.
const WEBCRYPTO_CHILD = `
delete process.getBuiltinModule;
const subtle = globalThis.crypto.subtle;
let calls = 0;
const verify = subtle.verify.bind(subtle);
subtle.verify = (...args) => { calls += 1; return verify(...args); };
const lib = await import(${JSON.stringify(pathToFileURL(join(scratchDir(), 'esm-shim.mjs')).href)});
const { runCase, encodeSpecial } = await import(${JSON.stringify(pathToFileURL(join(here, 'run-case.mjs')).href)});
const { cases, mode } = JSON.parse(process.argv[1]);
const outcomes = [];
for (const c of cases) outcomes.push(encodeSpecial(await runCase(lib, c, mode)));
process.stdout.write(JSON.stringify({ calls, outcomes }));
`;

test('Node with WebCrypto (crypto.subtle as the host verifier)', async (t) => {
  if (loadError) throw loadError; // also writes the ESM shim the child imports
  await allModes(t, 'Node WebCrypto', (batch, mode) => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', WEBCRYPTO_CHILD, JSON.stringify({ cases: batch, mode })], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const { calls, outcomes } = JSON.parse(out);
    if (mode.startsWith('async')) assert.ok(calls >= 2, `crypto.subtle.verify was called ${calls} times: the host verifier is not WebCrypto`);
    else assert.equal(calls, 0, 'verifyTokenSync must not use the host');
    return decodeSpecial(outcomes);
  });
});

test('workerd (Cloudflare Workers), the workerd entry', { timeout: 60_000 }, async (t) => {
  const worker = await startWorkerd({ entry: join(here, '..', 'workerd', 'worker.mjs'), scratch: scratchDir(), compatibilityDate: '2026-11-01' });
  try {
    await allModes(t, 'workerd', async (batch, mode) => {
      const response = await fetch(`${worker.url}/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cases: batch, mode }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      assert.equal(response.status, 200, `${text.slice(0, 2000)}\n${worker.logs()}`);
      return decodeSpecial(JSON.parse(text));
    });
  } finally {
    await worker.stop();
  }
});

// An edge function around runCase, bundled with the edge-light conditions; the .wasm arrives as a
// WebAssembly.Module global compiled in this realm, and code generation is off in the VM.
const EDGE_FUNCTION = `
import * as lib from 'edge-jwt';
import { encodeSpecial, runCase } from './run-case.mjs';
addEventListener('fetch', (event) => {
  event.respondWith((async () => {
    const { cases, mode } = await event.request.json();
    const outcomes = [];
    for (const c of cases) outcomes.push(encodeSpecial(await runCase(lib, c, mode)));
    return new Response(JSON.stringify(outcomes), { headers: { 'content-type': 'application/json' } });
  })());
});
`;

test('edge-runtime (Vercel Edge), the edge-light entry', { timeout: 60_000 }, async (t) => {
  const esbuild = await import('esbuild');
  const scratch = scratchDir();
  const modules = {};
  const built = await esbuild.build({
    stdin: { contents: EDGE_FUNCTION, resolveDir: here, sourcefile: 'edge-function.mjs', loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['edge-light', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    nodePaths: [join(scratch, 'node_modules')],
    metafile: true,
    logLevel: 'silent',
    plugins: [{
      name: 'wasm-module-global',
      setup(build) {
        build.onResolve({ filter: /\.wasm\?module$/ }, (args) => {
          const file = join(args.resolveDir, args.path.replace(/\?module$/, ''));
          const name = `wasm_${createHash('sha1').update(readFileSync(file)).digest('hex')}`;
          modules[name] = new WebAssembly.Module(readFileSync(file));
          return { path: name, namespace: 'wasm-module-global' };
        });
        build.onLoad({ filter: /.*/, namespace: 'wasm-module-global' }, (args) => ({
          contents: `export default globalThis[${JSON.stringify(args.path)}];`,
          loader: 'js',
        }));
      },
    }],
  });
  const inputs = Object.keys(built.metafile.inputs);
  assert.ok(inputs.some((input) => input.endsWith(join('edge-jwt', 'dist', 'edge-light.js'))), `bundled from: ${inputs.join(', ')}`);
  assert.equal(Object.keys(modules).length, 1, 'one .wasm module');
  const runtime = new EdgeRuntime({
    codeGeneration: { strings: false, wasm: false },
    extend: (context) => Object.assign(context, modules),
    initialCode: built.outputFiles[0].text,
  });
  await allModes(t, 'edge-runtime', async (batch, mode) => {
    const response = await runtime.dispatchFetch('http://edge.test/run', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cases: batch, mode }),
    });
    const text = await response.text();
    assert.equal(response.status, 200, text.slice(0, 2000));
    return decodeSpecial(JSON.parse(text));
  });
});
