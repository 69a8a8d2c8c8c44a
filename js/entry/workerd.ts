/**
 * Cloudflare Workers (workerd, wrangler): the `.wasm` is imported as a module, which wrangler
 * bundles as a compiled WebAssembly module. Workers forbid compiling bytes at request time.
 *
 * @module
 */
// @ts-expect-error: resolved by wrangler/workerd, not by TypeScript.
import wasmModule from './edge_jwt_bg.wasm';
import { setNativeVerifier, webCryptoVerifier } from '../native.js';
import { setModuleSource } from '../wasm.js';
import { attach } from './attach.js';

setModuleSource({
  sync: () => wasmModule as WebAssembly.Module,
  load: async () => wasmModule as WebAssembly.Module,
  attach,
});

setNativeVerifier(() => (globalThis.crypto?.subtle === undefined ? undefined : webCryptoVerifier(globalThis.crypto.subtle)));

export * from '../index.js';
