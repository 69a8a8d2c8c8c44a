/**
 * Next.js edge middleware and Vercel Edge (`edge-light` condition): `?module` makes the bundler
 * deliver a compiled `WebAssembly.Module`, since these runtimes forbid compiling bytes.
 *
 * @module
 */
// @ts-expect-error: resolved by the Next.js / Vercel bundler, not by TypeScript.
import wasmModule from './edge_jwt_bg.wasm?module';
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
