/**
 * Node.js (ESM and CommonJS), Deno, Bun, browsers and the default: the `.wasm` travels inside this
 * file as base64 and is compiled synchronously on first use. This is the one form that works
 * unchanged under every bundler (including Next.js's Node-runtime middleware builds).
 *
 * @module
 */
import wasmBase64 from '../../build/wasm/edge_jwt_bg.wasm.base64.js';
import { nodeVerifier, setNativeVerifier, webCryptoVerifier, type NodeCrypto } from '../native.js';
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

// node:crypto where the host is Node (found without a static import, so browser bundles stay clean),
// WebCrypto elsewhere (Deno, browsers) and in Bun, whose node:crypto verifies slower than its
// WebCrypto (ES256 about 3 times, RS256 about 1.3 times, Bun 1.4.5 on a 2-core VM, 2026-12-06).
setNativeVerifier(() => {
  const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
  if (isBun && globalThis.crypto?.subtle !== undefined) return webCryptoVerifier(globalThis.crypto.subtle);
  const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const nodeCrypto = typeof host?.getBuiltinModule === 'function' ? (host.getBuiltinModule('node:crypto') as NodeCrypto | undefined) : undefined;
  if (nodeCrypto !== undefined && typeof nodeCrypto.verify === 'function') return nodeVerifier(nodeCrypto);
  const subtle = globalThis.crypto?.subtle;
  return subtle === undefined ? undefined : webCryptoVerifier(subtle);
});

export * from '../index.js';
