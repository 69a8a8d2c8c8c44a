/**
 * Instantiates the compiled module against wasm-bindgen's generated glue. Every runtime entry uses
 * this; they differ only in how the `WebAssembly.Module` arrives. No `instanceof
 * WebAssembly.Module` check and no compilation here: Next.js hands modules over from another
 * realm, and edge runtimes forbid compiling bytes.
 *
 * @module
 */
import * as glue from '../../build/wasm/edge_jwt_bg.js';
import type { Bindings } from '../wasm.js';

interface GlueWithSetter {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
}

/** Instantiates `module` and returns the glue's exports bound to it. */
export function attach(module: WebAssembly.Module): Bindings {
  const imports: WebAssembly.Imports = {};
  for (const { module: name } of WebAssembly.Module.imports(module)) {
    imports[name] = glue as unknown as WebAssembly.ModuleImports;
  }
  const instance = new WebAssembly.Instance(module, imports);
  (glue as unknown as GlueWithSetter).__wbg_set_wasm(instance.exports);
  const start = instance.exports.__wbindgen_start;
  if (typeof start === 'function') (start as () => void)();
  return glue as unknown as Bindings;
}
