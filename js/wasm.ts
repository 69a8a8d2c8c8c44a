/**
 * Where the instantiated WebAssembly module lives. Each runtime entry (`js/entry/*.ts`) tells this
 * file how to get a `WebAssembly.Module`; the module is instantiated on first use, not at import,
 * so importing the package costs nothing. If the module ever traps (it is built so that no input can
 * make it), the instance is dropped and a fresh one is made on the next call.
 *
 * @module
 */

/** A parsed key set inside the module (`src/wasm.rs` `KeySet`). */
export interface KeySetHandle {
  readonly size: number;
  free(): void;
}

/** A failure reported by the module (`src/wasm.rs` `VerifyError`). */
export interface VerifyErrorHandle {
  readonly code: string;
  readonly message: string;
  /** The claim as a JSON string literal (it may hold a lone surrogate). */
  readonly claim: string | undefined;
  readonly reason: string | undefined;
  readonly payload: string | undefined;
  free(): void;
}

/** A verification prepared up to the signature (`src/wasm.rs` `HostCheck`). */
export interface HostCheckHandle {
  /** The result as `header NUL payload` (see {@link VerifiedText}), when nothing is left to the host (taken once). */
  takeVerifiedText(): VerifiedText | undefined;
  /** The algorithm's position in `Algorithm::ALL`, then the keys to try; empty when nothing is left to the host. */
  plan(): Uint32Array;
  /** Completes a local-key-set verification with the host's answer (once). */
  finishText(keys: KeySetHandle, hostVerified: boolean): VerifiedText;
  free(): void;
}

/**
 * A verified token's protected header and payload JSON texts in one string, `header NUL payload`
 * (`src/wasm.rs` `verified_text`): one crossing instead of a handle and two getters.
 */
export type VerifiedText = string;

/** What wasm-bindgen's generated glue exports once a module is attached. */
export interface Bindings {
  KeySet: { new (jwksJson: string): KeySetHandle; none(): KeySetHandle };
  VerifyError: abstract new (...args: never[]) => VerifyErrorHandle;
  /** `token` as UTF-8 bytes. */
  verify(
    token: Uint8Array,
    keys: KeySetHandle,
    secret: Uint8Array | undefined,
    optionsJson: string,
    now: number,
  ): VerifiedText;
  /** `token` as UTF-8 bytes. */
  prepare(
    token: Uint8Array,
    keys: KeySetHandle,
    secret: Uint8Array | undefined,
    optionsJson: string,
    now: number,
    mask: number,
  ): HostCheckHandle;
}

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
let generation = 0;

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

function instantiate(m: WebAssembly.Module): Bindings {
  module = m;
  bindings = requireSource().attach(m);
  generation += 1;
  return bindings;
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

/** Increases each time a fresh instance is made; handles from older instances are stale. */
export function currentGeneration(): number {
  return generation;
}

/** Drops the instance after a trap; the next call makes a fresh one from the same module. */
export function discardInstance(): void {
  bindings = undefined;
}

/** Whether `error` is a trap of the WebAssembly module (also across realms). */
export function isTrap(error: unknown): boolean {
  return error instanceof Error && error.name === 'RuntimeError';
}
