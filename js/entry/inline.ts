/**
 * Node.js (ESM and CommonJS), Deno, Bun, browsers and the default: the `.wasm` travels inside this
 * file as base64 and is compiled synchronously on first use. This is the one form that works
 * unchanged under every bundler (including Next.js's Node-runtime middleware builds).
 *
 * @module
 */
import wasmBase64 from '../../build/wasm/edge_jwt_bg.wasm.base64.js';
import { setModuleSource } from '../wasm.js';
import { attach } from './attach.js';

function wasmBytes(): Uint8Array {
  const nodeBuffer = (globalThis as { Buffer?: { from(s: string, e: string): Uint8Array } }).Buffer;
  if (nodeBuffer !== undefined) return nodeBuffer.from(wasmBase64, 'base64');
  const binary = atob(wasmBase64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

setModuleSource({
  sync: () => new WebAssembly.Module(wasmBytes()),
  load: () => WebAssembly.compile(wasmBytes()),
  attach,
});

export * from '../index.js';
