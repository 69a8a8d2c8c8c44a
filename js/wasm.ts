/**
 * The WebAssembly instance and its life, in one place. Each runtime entry (`js/entry/*.ts`) tells
 * this file how to get a `WebAssembly.Module`; the module is instantiated on first use, not at
 * import, so importing the package costs nothing. If the module ever traps (it is built so that no
 * input can make it), the instance is dropped and a fresh one is made on the next call; every
 * handle into the old instance is then void, and {@link InstanceBound} makes it again.
 *
 * The exports are typed by the declarations wasm-bindgen generates from `src/wasm.rs`
 * (`build/wasm/edge_jwt.d.ts`), so a changed Rust export fails the type check of its callers. The
 * protocol is described there and in docs/ARCHITECTURE.md ("The seam").
 *
 * @module
 */
import type * as Generated from '../build/wasm/edge_jwt.js';
import { nativeVerifier } from './native.js';

/** The module's exports, as wasm-bindgen declares them. */
export type Bindings = typeof Generated;
/** A parsed key set inside the module, with its token cache and pending host checks. */
export type KeySetHandle = Generated.KeySet;
/** An options document read once inside the module. */
export type OptionsHandle = Generated.Options;
/** The policy of a remote key set inside the module. */
export type RemoteCacheHandle = Generated.RemoteCache;
/** A failure reported by the module. */
export type VerifyErrorHandle = Generated.VerifyError;

/** A verified token as one JSON text, `[protectedHeader, payload]` (`verify`, `prepare`, `KeySet.finish`). */
export type Verified = string;
/**
 * What a host check needs: the ticket for `KeySet.finish`, the algorithm, the signature (decoded by
 * the module), the positions of the keys to try.
 */
export type HostRequest = [ticket: number, algorithm: string, signature: Uint8Array, ...keys: number[]];
/** What `prepare` answers in one value (wasm-bindgen declares it as an array of any). */
export type Prepared = [verified: Verified] | HostRequest;

/** How an entry point provides the compiled module. */
export interface ModuleSource {
  /** Returns the module synchronously, or throws if this runtime cannot (then `load` is used). */
  sync(): WebAssembly.Module;
  /** Returns the module asynchronously (browsers compile off the main thread this way). */
  load(): Promise<WebAssembly.Module>;
  /** Attaches an instance to the glue and returns the glue's exports. */
  attach(module: WebAssembly.Module): Bindings;
}

let source: ModuleSource | undefined;
let module: WebAssembly.Module | undefined;
let bindings: Bindings | undefined;
/** The number of the current instance (1 for the first); 0 before any. */
let instance = 0;

/** Called once by the runtime entry. */
export function setModuleSource(s: ModuleSource): void {
  source = s;
}

function requireSource(): ModuleSource {
  if (source === undefined) {
    throw new Error('edge-jwt: import the package through its entry point ("edge-jwt"), not an internal file');
  }
  return source;
}

/** Makes an instance and tells it, once, which algorithms the host's crypto checks. */
function instantiate(m: WebAssembly.Module): Bindings {
  module = m;
  const made = requireSource().attach(m);
  instance += 1;
  made.setup([...(nativeVerifier()?.algorithms ?? [])], instance);
  bindings = made;
  return made;
}

/** The module's exports, instantiating it synchronously if needed. */
export function bindingsSync(): Bindings {
  return bindings ?? instantiate(module ?? requireSource().sync());
}

/** The module's exports if an instance exists already (the fast path of every later call). */
export function loadedBindings(): Bindings | undefined {
  return bindings;
}

/** The module's exports, compiling asynchronously where synchronous compilation is not allowed. */
export async function bindingsAsync(): Promise<Bindings> {
  if (bindings !== undefined) return bindings;
  if (module !== undefined) return instantiate(module);
  const s = requireSource();
  let m: WebAssembly.Module;
  try {
    m = s.sync();
  } catch {
    m = await s.load();
  }
  return bindings ?? instantiate(m);
}

/** Drops the instance after a trap; the next call makes a fresh one from the same module. */
export function discardInstance(): void {
  bindings = undefined;
}

/** Whether `error` is a trap of the WebAssembly module (also across realms). */
export function isTrap(error: unknown): boolean {
  return error instanceof Error && error.name === 'RuntimeError';
}

/**
 * A handle into the current instance, made again by `make` when the instance has been replaced:
 * no caller ever touches a handle of an old instance. (A handle of an old instance must not even be
 * freed: its address means nothing to the new one.)
 */
export class InstanceBound<T> {
  readonly #make: (wasm: Bindings) => T;
  #handle: T | undefined;
  #instance = 0;

  constructor(make: (wasm: Bindings) => T) {
    this.#make = make;
  }

  /** The handle for the current instance (instantiating the module if there is none). */
  get(): T {
    if (this.#instance === instance && bindings !== undefined) return this.#handle as T;
    const wasm = bindingsSync();
    const handle = this.#make(wasm);
    this.#handle = handle;
    this.#instance = instance;
    return handle;
  }

  /** The handle if it was made for the current instance. */
  current(): T | undefined {
    return this.#instance === instance && bindings !== undefined ? this.#handle : undefined;
  }

  /** Takes `handle`, made by the current instance, as this object's handle. */
  adopt(handle: T): void {
    this.#handle = handle;
    this.#instance = instance;
  }
}
