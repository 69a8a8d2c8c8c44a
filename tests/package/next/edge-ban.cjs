// Preloaded into `next start` (NODE_OPTIONS=--require) by tests/package/next.test.mjs: makes Next's
// edge sandbox enforce what Vercel's edge enforces and `next start` does not, namely that no
// WebAssembly is compiled from bytes at run time. Next builds each edge sandbox (middleware, edge
// route handlers) with `new EdgeRuntime({ codeGeneration })` from next/dist/compiled/edge-runtime,
// leaving wasm code generation on in production; this hook forces `{ strings: false, wasm: false }`.
// Modules that Next compiled itself from the build's `?module` imports (outside the sandbox) are
// still instantiable; `new WebAssembly.Module(bytes)` or `WebAssembly.compile(bytes)` inside throws.
//
// Each sandbox it makes is probed once and reported on stderr, so the test can check the hook was
// really applied: "edge-ban: sandbox created; compiling bytes inside it: <result>".
'use strict';
const Module = require('node:module');

const originalLoad = Module._load;
let patched;

function banned(real) {
  class BannedEdgeRuntime extends real.EdgeRuntime {
    constructor(options = {}) {
      super({ ...options, codeGeneration: { strings: false, wasm: false } });
      let probe;
      try {
        probe = this.evaluate(
          "(() => { try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); return 'compiled (NOT banned)'; } catch (e) { return 'refused: ' + e.message; } })()",
        );
      } catch (error) {
        probe = `probe failed: ${error && error.message}`;
      }
      process.stderr.write(`edge-ban: sandbox created; compiling bytes inside it: ${probe}\n`);
    }
  }
  return { ...real, EdgeRuntime: BannedEdgeRuntime };
}

Module._load = function load(request, parent, isMain) {
  const loaded = originalLoad.call(this, request, parent, isMain);
  if (typeof request === 'string' && request.endsWith('next/dist/compiled/edge-runtime')) {
    patched ??= banned(loaded);
    return patched;
  }
  return loaded;
};
