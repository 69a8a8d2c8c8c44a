/**
 * `verifyToken`, `verifyTokenSync` and `jwtVerify`: the public verification calls. They check the
 * options, hand the token, the key set handle and the options to the WebAssembly core, and turn its
 * answer into `{ payload, protectedHeader }` or a coded error.
 *
 * @module
 */
import { JWSInvalid } from './errors.js';
import { result, wasmFailure } from './failure.js';
import { keySetHandle, localKeySet, LocalKeySet } from './keys.js';
import { hostVerifies, nativeVerifier } from './native.js';
import { normalizeOptions } from './options.js';
import { RemoteKeySet } from './remote.js';
import type { JWKS, VerifyOptions, VerifyResult } from './types.js';
import { bindingsAsync, bindingsSync, type Bindings } from './wasm.js';

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

function run(wasm: Bindings, token: unknown, keys: KeysInput, options: VerifyOptions | undefined): VerifyResult {
  if (keys instanceof RemoteKeySet) {
    throw new TypeError('verifyTokenSync needs local keys; use verifyToken with a remote key set');
  }
  const text = tokenText(token);
  const normalized = normalizeOptions(options);
  if ((keys === null || keys === undefined) && normalized.secret === undefined) {
    throw new TypeError('verifyToken needs a key set (keys) or, for HS256/384/512 tokens, options.secret');
  }
  let verified;
  try {
    verified = wasm.verify(text, keySetHandle(localKeySet(keys)), normalized.secret, normalized.json, normalized.now);
  } catch (error) {
    throw wasmFailure(error);
  }
  return result(verified);
}

/** verifyToken with local keys: the host's crypto checks RSA/ECDSA signatures where it has it. */
async function runAsync(token: unknown, keys: KeysInput, options: VerifyOptions | undefined): Promise<VerifyResult> {
  const wasm = await bindingsAsync();
  const native = nativeVerifier();
  if (native === undefined) return run(wasm, token, keys, options);
  const text = tokenText(token);
  const normalized = normalizeOptions(options);
  if ((keys === null || keys === undefined) && normalized.secret === undefined) {
    throw new TypeError('verifyToken needs a key set (keys) or, for HS256/384/512 tokens, options.secret');
  }
  const set = localKeySet(keys);
  const handle = keySetHandle(set);
  let check;
  try {
    check = wasm.prepare(text, handle, normalized.secret, normalized.json, normalized.now, native.mask);
  } catch (error) {
    throw wasmFailure(error);
  }
  const done = check.takeVerified();
  const alg = check.alg;
  const indices = check.keys;
  check.free();
  if (done !== undefined) return result(done);
  const verified = await hostVerifies(text, alg, indices, (i) => set?.jwk(i));
  if (verified === undefined) return run(wasm, text, keys, options);
  try {
    return result(wasm.finish(text, keySetHandle(set), normalized.json, normalized.now, verified));
  } catch (error) {
    throw wasmFailure(error);
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
  return runAsync(token, keys, options);
}

/** An alias of {@link verifyToken}, so `import { jwtVerify } from 'edge-jwt'` replaces jose's. */
export const jwtVerify = verifyToken;
