/**
 * `verifyToken`, `verifyTokenSync` and `jwtVerify`: the public verification calls. They check the
 * options, hand the token, the key set handle and the options to the WebAssembly core, and turn its
 * answer into `{ payload, protectedHeader }` or a coded error.
 *
 * @module
 */
import { JWSInvalid } from './errors.js';
import { resultOfText, wasmFailure } from './failure.js';
import { keySetHandle, localKeySet, LocalKeySet } from './keys.js';
import { hostVerifiesPlan, isPromise, nativeVerifier, utf8 } from './native.js';
import { normalizeOptions, type NormalizedOptions } from './options.js';
import { RemoteKeySet } from './remote.js';
import type { JWKS, VerifyOptions, VerifyResult } from './types.js';
import { bindingsAsync, bindingsSync, currentGeneration, loadedBindings, type Bindings, type HostCheckHandle } from './wasm.js';

/** What `verifyTokenSync` accepts as keys. */
export type LocalKeysInput = LocalKeySet | JWKS | string | null | undefined;
/** What `verifyToken` accepts as keys. */
export type KeysInput = RemoteKeySet | LocalKeysInput;

const decoder = new TextDecoder();

function tokenText(token: unknown): string {
  if (typeof token === 'string') return token;
  if (token instanceof Uint8Array) return decoder.decode(token);
  throw new JWSInvalid(`the token must be a string; found ${token === null ? 'null' : typeof token}`);
}

/** The checked inputs of one verification with local keys (or a secret). */
interface Inputs {
  text: string;
  /** `text` as UTF-8: what the module reads, and (up to the last dot) what the signature signs. */
  bytes: Uint8Array;
  normalized: NormalizedOptions;
  set: LocalKeySet | undefined;
}

function inputs(token: unknown, keys: LocalKeysInput, options: VerifyOptions | undefined): Inputs {
  const text = tokenText(token);
  const normalized = normalizeOptions(options);
  if ((keys === null || keys === undefined) && normalized.secret === undefined) {
    throw new TypeError('verifyToken needs a key set (keys) or, for HS256/384/512 tokens, options.secret');
  }
  return { text, bytes: utf8(text), normalized, set: localKeySet(keys) };
}

/** The whole verification inside the module (pure Rust crypto). */
function verifyInModule(wasm: Bindings, { bytes, normalized, set }: Inputs): VerifyResult {
  let verified;
  try {
    verified = wasm.verify(bytes, keySetHandle(set), normalized.secret, normalized.json, normalized.now);
  } catch (error) {
    throw wasmFailure(error);
  }
  return resultOfText(verified);
}

function run(wasm: Bindings, token: unknown, keys: KeysInput, options: VerifyOptions | undefined): VerifyResult {
  if (keys instanceof RemoteKeySet) {
    throw new TypeError('verifyTokenSync needs local keys; use verifyToken with a remote key set');
  }
  return verifyInModule(wasm, inputs(token, keys, options));
}

/**
 * verifyToken with local keys: the host's crypto checks RSA/ECDSA/Ed25519 signatures where it has
 * them. One call into the module prepares everything up to the signature and holds both outcomes;
 * the host's answer completes it. With a synchronous host (`node:crypto`) nothing here awaits.
 */
function runHost(wasm: Bindings, token: unknown, keys: LocalKeysInput, options: VerifyOptions | undefined): VerifyResult | Promise<VerifyResult> {
  const native = nativeVerifier();
  if (native === undefined) return run(wasm, token, keys, options);
  const input = inputs(token, keys, options);
  const { normalized, set } = input;
  let check: HostCheckHandle;
  try {
    check = wasm.prepare(input.bytes, keySetHandle(set), normalized.secret, normalized.json, normalized.now, native.mask);
  } catch (error) {
    throw wasmFailure(error);
  }
  let pending: boolean | undefined | Promise<boolean | undefined>;
  try {
    const done = check.takeVerifiedText();
    if (done !== undefined) {
      check.free();
      return resultOfText(done);
    }
    pending = hostVerifiesPlan(check.plan(), input.text, input.bytes, (i) => input.set?.jwk(i));
  } catch (error) {
    check.free();
    throw error;
  }
  const generation = currentGeneration();
  if (!isPromise(pending)) return completeHost(wasm, input, check, generation, pending);
  return pending.then(
    (verified) => completeHost(wasm, input, check, generation, verified),
    (error: unknown): never => {
      if (generation === currentGeneration()) check.free();
      throw error;
    },
  );
}

/** Completes a prepared check with the host's answer (undefined: the host cannot; Rust verifies). */
function completeHost(wasm: Bindings, input: Inputs, check: HostCheckHandle, generation: number, verified: boolean | undefined): VerifyResult {
  // A handle from an instance that was replaced meanwhile (after a trap) must not be touched.
  if (generation !== currentGeneration()) return verifyInModule(bindingsSync(), input);
  try {
    if (verified === undefined) return verifyInModule(wasm, input);
    return resultOfText(check.finishText(keySetHandle(input.set), verified));
  } catch (error) {
    throw wasmFailure(error);
  } finally {
    if (generation === currentGeneration()) check.free();
  }
}

/**
 * Verifies a JWT synchronously, in WebAssembly only: never touches the network or host crypto.
 * Throws a coded error (see `errors`) when the token is not valid, and `TypeError` for bad options.
 *
 * @example
 * ```js
 * const { payload } = verifyTokenSync(token, jwks, { issuer: 'https://app.example.com', audience: 'https://app.example.com' });
 * ```
 */
export function verifyTokenSync(
  token: string | Uint8Array,
  keys: LocalKeysInput,
  options?: VerifyOptions,
): VerifyResult {
  return run(bindingsSync(), token, keys, options);
}

/**
 * Verifies a JWT: signature first, then claims, with jose's rules and error codes. `keys` is a key
 * set from `createRemoteJWKSet` or `createLocalJWKSet`, a JWKS object or its JSON text;
 * HS256/384/512 tokens are verified with `options.secret` instead (then `keys` may be null).
 *
 * @example
 * ```js
 * import { verifyToken } from 'edge-jwt';
 * const { payload } = await verifyToken(token, jwks, { issuer: 'https://app.example.com', audience: 'https://app.example.com' });
 * console.log(payload.sub); // the Better Auth user id
 * ```
 */
export async function verifyToken(
  token: string | Uint8Array,
  keys: KeysInput,
  options?: VerifyOptions,
): Promise<VerifyResult> {
  if (keys instanceof RemoteKeySet) {
    const text = tokenText(token);
    return keys.verify(text, normalizeOptions(options));
  }
  return runHost(loadedBindings() ?? (await bindingsAsync()), token, keys, options);
}

/** An alias of {@link verifyToken}, so `import { jwtVerify } from 'edge-jwt'` replaces jose's. */
export const jwtVerify = verifyToken;
