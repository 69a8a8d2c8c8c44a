// The `edge-light` entry (Next.js edge middleware, Vercel Edge) under the two constraints that
// `next start` does not enforce locally: compiling WebAssembly from bytes is forbidden, and the
// `?module` import arrives as a WebAssembly.Module compiled in another realm (so `instanceof
// WebAssembly.Module` is false). The entry is bundled as Next bundles it (conditions edge-light,
// worker, browser; `*.wasm?module` replaced by an injected global, as Vercel's plugin does) and run
// in a node:vm context created with `codeGeneration: { wasm: false }`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import * as jose from 'jose';
import { scratchDir } from './load.mjs';

const scratch = scratchDir();

async function bundleEdgeLight() {
  const esbuild = await import('esbuild');
  const wasmGlobal = 'wasm_edge_jwt_test';
  const result = await esbuild.build({
    stdin: { contents: "export * from 'edge-jwt';", resolveDir: scratch, loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'edgeJwt',
    platform: 'neutral',
    conditions: ['edge-light', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    nodePaths: [join(scratch, 'node_modules')],
    logLevel: 'silent',
    plugins: [
      {
        name: 'wasm-module-global',
        setup(build) {
          build.onResolve({ filter: /\.wasm\?module$/ }, (args) => ({ path: args.path, namespace: 'wasm-module' }));
          build.onLoad({ filter: /.*/, namespace: 'wasm-module' }, () => ({
            contents: `export default globalThis.${wasmGlobal};`,
            loader: 'js',
          }));
        },
      },
    ],
  });
  return { code: result.outputFiles[0].text, wasmGlobal };
}

test('edge-light entry works where wasm code generation is banned and the module is cross-realm', async () => {
  const { code, wasmGlobal } = await bundleEdgeLight();
  assert.match(code, new RegExp(`globalThis\\.${wasmGlobal}`), 'the bundle takes the module from the injected global');
  const wasmBytes = readFileSync(join(scratch, 'node_modules', 'edge-jwt', 'dist', 'edge_jwt_bg.wasm'));
  const outerModule = new WebAssembly.Module(wasmBytes); // compiled in this (outer) realm
  const context = vm.createContext(
    { [wasmGlobal]: outerModule, TextEncoder, TextDecoder, console, setTimeout, clearTimeout, URL, atob },
    { codeGeneration: { strings: false, wasm: false } },
  );
  // The ban is real in this context, and the module is foreign to it.
  assert.throws(() => vm.runInContext('new WebAssembly.Module(new Uint8Array([0,97,115,109,1,0,0,0]))', context), /disallowed|Wasm code generation/i);
  assert.equal(vm.runInContext(`${wasmGlobal} instanceof WebAssembly.Module`, context), false);

  vm.runInContext(code, context);
  const { publicKey, privateKey } = await jose.generateKeyPair('EdDSA', { extractable: true });
  const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k', alg: 'EdDSA' }] };
  const token = await new jose.SignJWT({ sub: 'edge-user' }).setProtectedHeader({ alg: 'EdDSA', kid: 'k' }).setExpirationTime('5m').sign(privateKey);
  context.input = { token, jwks: JSON.stringify(jwks) };
  const result = await vm.runInContext(
    `edgeJwt.verifyToken(input.token, input.jwks).then((r) => JSON.stringify(r.payload), (e) => 'error ' + e.code + ' ' + e.message)`,
    context,
  );
  assert.equal(JSON.parse(result).sub, 'edge-user', result);
  const tampered = await vm.runInContext(
    `edgeJwt.verifyToken(input.token.slice(0, -4) + 'AAAA', input.jwks).then(() => 'accepted', (e) => e.code)`,
    context,
  );
  assert.equal(tampered, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
});
