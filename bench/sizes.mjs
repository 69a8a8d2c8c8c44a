// What a user ships: edge-jwt's WebAssembly module and its JS for Workers (the `workerd` entry,
// the .wasm separate), and jose's verify path (jwtVerify, createLocalJWKSet, createRemoteJWKSet)
// bundled and minified by esbuild for the same target. Raw and gzip (level 9) bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { root } from '../scripts/bootstrap.mjs';

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

async function bundle(source, scratch) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    bundle: true, minify: true, write: false, format: 'esm', platform: 'neutral', target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'], mainFields: ['browser', 'module', 'main'],
    external: ['*.wasm'], nodePaths: [join(scratch, 'node_modules')], logLevel: 'silent',
  });
  return Buffer.from(result.outputFiles[0].contents);
}

export async function sizes({ scratch }) {
  const wasm = readFileSync(join(scratch, 'node_modules', 'edge-jwt', 'dist', 'edge_jwt_bg.wasm'));
  const edgeJs = await bundle("export { verifyToken, createLocalJWKSet, createRemoteJWKSet } from 'edge-jwt';", scratch);
  const joseJs = await bundle("export { jwtVerify, createLocalJWKSet, createRemoteJWKSet } from 'jose';", scratch);
  return {
    wasmRaw: wasm.length,
    wasmGzip: gzip(wasm),
    edgeJsRaw: edgeJs.length,
    edgeJsGzip: gzip(edgeJs),
    joseJsRaw: joseJs.length,
    joseJsGzip: gzip(joseJs),
  };
}
