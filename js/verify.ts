/**
 * `verifyToken`, `verifyTokenSync` and `jwtVerify`: the public verification calls. They check the
 * options, hand the token, the key set handle and the options to the WebAssembly core, and turn its
 * answer into `{ payload, protectedHeader }` or a coded error.
 *
 * @module
 */
import { JWKSNoMatchingKey, JWSInvalid, JWSSignatureVerificationFailed } from './errors.js';
import { resultOfText, wasmFailure } from './failure.js';
import { coreKey, isSingleKey, keyDoesNotFit, knownAlgorithm, oneKeySetText, type CoreKey } from './key-forms.js';
import { keySetHandle, localKeySet, LocalKeySet } from './keys.js';
import { hostVerifiesPlan, isPromise, nativeVerifier, publicMembers, utf8, webCryptoParams } from './native.js';
import { normalizeOptions, type NormalizedOptions } from './options.js';
import { RemoteKeySet } from './remote.js';
import type {
  CryptoKeyLike,
  FlattenedJWSInput,
  JWKS,
  JWSHeader,
  JWTPayload,
  JWTVerifyGetKey,
  KeyInput,
  ResolvedKey,
  VerifyOptions,
  VerifyResult,
} from './types.js';
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
 * `Payload` types your own claims (`verifyTokenSync<{ email: string }>(...)`).
 *
 * @example
 * ```js
 * const { payload } = verifyTokenSync(token, jwks, { issuer: 'https://app.example.com', audience: 'https://app.example.com' });
 * ```
 */
export function verifyTokenSync<Payload = JWTPayload>(
  token: string | Uint8Array,
  keys: LocalKeysInput,
  options?: VerifyOptions,
): VerifyResult<Payload> {
  return run(bindingsSync(), token, keys, options) as VerifyResult<Payload>;
}

/**
 * Verifies a JWT: signature first, then claims, with jose's rules and error codes. `keys` is a key
 * set from `createRemoteJWKSet` or `createLocalJWKSet`, a JWKS object or its JSON text;
 * HS256/384/512 tokens are verified with `options.secret` instead (then `keys` may be null).
 * `Payload` types your own claims (`verifyToken<{ email: string }>(...)`).
 *
 * @example
 * ```js
 * import { verifyToken } from 'edge-jwt';
 * const { payload } = await verifyToken(token, jwks, { issuer: 'https://app.example.com', audience: 'https://app.example.com' });
 * console.log(payload.sub); // the Better Auth user id
 * ```
 */
export async function verifyToken<Payload = JWTPayload>(
  token: string | Uint8Array,
  keys: KeysInput,
  options?: VerifyOptions,
): Promise<VerifyResult<Payload>> {
  if (keys instanceof RemoteKeySet) {
    const text = tokenText(token);
    return keys.verify(text, normalizeOptions(options)) as Promise<VerifyResult<Payload>>;
  }
  return runHost(loadedBindings() ?? (await bindingsAsync()), token, keys, options) as VerifyResult<Payload>;
}

/** What `jwtVerify` accepts as its key: every form jose's `jwtVerify` takes, and `verifyToken`'s key sets. */
export type JwtVerifyKey = KeyInput | JWTVerifyGetKey | KeysInput;

/** The parts of a compact token, and its protected header if it is a JSON object with an `alg`. */
interface Peeked {
  flattened: FlattenedJWSInput;
  header: JWSHeader | undefined;
}

function base64urlText(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function peek(text: string): Peeked | undefined {
  const parts = text.split('.');
  if (parts.length !== 3) return undefined;
  const [protectedPart = '', payload = '', signature = ''] = parts;
  const json = base64urlText(protectedPart);
  let header: JWSHeader | undefined;
  try {
    const parsed: unknown = json === undefined ? undefined : JSON.parse(json);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) header = parsed as JWSHeader;
  } catch {
    header = undefined;
  }
  return { flattened: { protected: protectedPart, payload, signature }, header };
}

/**
 * The coded error the core gives this token with no key at all: for a token that is malformed, or
 * whose `alg` is not allowed or not supported, that is the error jose gives before it asks for a key.
 */
async function failureWithoutKey(text: string, options: VerifyOptions | undefined): Promise<Error> {
  const wasm = loadedBindings() ?? (await bindingsAsync());
  const normalized = normalizeOptions({ ...options, secret: undefined });
  try {
    wasm.verify(utf8(text), keySetHandle(undefined), undefined, normalized.json, normalized.now);
  } catch (error) {
    const failure = wasmFailure(error);
    return failure instanceof Error ? failure : new JWSInvalid(String(failure));
  }
  return new JWSSignatureVerificationFailed('no key was given to verify the token with');
}

/**
 * Whether the token passes what jose checks before it asks for a key: a JSON header with a known
 * `alg` that `options.algorithms` allows (everything else, `crit` included, the core checks).
 */
function readyForKey(peeked: Peeked | undefined, options: VerifyOptions | undefined): peeked is Peeked & { header: JWSHeader & { alg: string } } {
  const alg = peeked?.header?.alg;
  if (!knownAlgorithm(alg)) return false;
  const allowed = options?.algorithms;
  return !Array.isArray(allowed) || allowed.includes(alg);
}

/** Imported CryptoKeys for `key` in results, by the key object a function returned and `alg`. */
const importedForResult = new WeakMap<object, Map<string, Promise<CryptoKeyLike>>>();

/** What jose returns as `key`: the CryptoKey it verified with, or the secret's bytes. */
async function resolvedKey(given: unknown, core: CoreKey, alg: string): Promise<CryptoKeyLike | Uint8Array> {
  if ('secret' in core) return given instanceof Uint8Array ? given : core.secret;
  const tag = (given as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  if (tag === 'CryptoKey') return given as CryptoKeyLike;
  let byAlg = importedForResult.get(given as object);
  if (byAlg === undefined) {
    byAlg = new Map();
    importedForResult.set(given as object, byAlg);
  }
  let imported = byAlg.get(alg);
  if (imported === undefined) {
    const { importParams } = webCryptoParams(alg);
    imported = crypto.subtle.importKey('jwk', publicMembers(core.jwk) as JsonWebKey, importParams, true, ['verify']) as Promise<CryptoKeyLike>;
    byAlg.set(alg, imported);
  }
  return imported;
}

/**
 * Verifies `text` with a public CryptoKey whose material cannot be read: the core runs every check
 * with a placeholder key of the same type standing in for it, leaving the signature to the host
 * (the prepare/finish protocol of `runHost`), and WebCrypto answers with the real key. Remembered
 * tokens are off: the placeholder stands for every such key.
 */
async function verifyWithHeldKey(text: string, held: CryptoKey, placeholderSet: LocalKeySet, alg: string, options: VerifyOptions | undefined): Promise<VerifyResult> {
  const wasm = loadedBindings() ?? (await bindingsAsync());
  const bytes = utf8(text);
  const normalized = normalizeOptions({ ...options, secret: undefined, tokenCache: false });
  const mask = 1 << ALGORITHM_ORDER.indexOf(alg);
  let check: HostCheckHandle;
  try {
    check = wasm.prepare(bytes, keySetHandle(placeholderSet), undefined, normalized.json, normalized.now, mask);
  } catch (error) {
    throw wasmFailure(error);
  }
  const generation = currentGeneration();
  try {
    const done = check.takeVerifiedText();
    if (done !== undefined) throw new JWSSignatureVerificationFailed('the key could not be used to check the signature');
    if (check.plan().length < 2) throw new JWSSignatureVerificationFailed();
    const dot = text.lastIndexOf('.');
    const signature = base64urlBytes(text.slice(dot + 1));
    const verified = await crypto.subtle
      .verify(webCryptoParams(alg).verify, held, signature as BufferSource, bytes.subarray(0, dot) as BufferSource)
      .catch(() => false);
    if (generation !== currentGeneration()) throw new JWSSignatureVerificationFailed('the WebAssembly instance was replaced; verify again');
    return resultOfText(check.finishText(keySetHandle(placeholderSet), verified));
  } catch (error) {
    throw wasmFailure(error);
  } finally {
    if (generation === currentGeneration()) check.free();
  }
}

/** The order of `Algorithm::ALL` in `src/alg.rs` (bit positions of the host mask). */
const ALGORITHM_ORDER = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

function base64urlBytes(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Verifies `text` with one key in the core's form. */
async function verifyWithCoreKey(text: string, core: CoreKey, header: JWSHeader, options: VerifyOptions | undefined): Promise<VerifyResult> {
  if ('secret' in core) return verifyToken(text, null, { ...options, secret: core.secret });
  if ('held' in core) {
    const placeholderSet = localKeySet(oneKeySetText(core.jwk, header)) as LocalKeySet;
    try {
      return await verifyWithHeldKey(text, core.held, placeholderSet, String(header.alg), options);
    } catch (error) {
      if (error instanceof JWKSNoMatchingKey) throw keyDoesNotFit(core.form, String(header.alg));
      throw error;
    }
  }
  const set = localKeySet(oneKeySetText(core.jwk, header));
  try {
    return await verifyToken(text, set, options ? { ...options, secret: undefined } : undefined);
  } catch (error) {
    if (error instanceof JWKSNoMatchingKey) throw keyDoesNotFit(core.form, String(header.alg));
    throw error;
  }
}

/**
 * jose's `jwtVerify`, so that `import { jwtVerify } from 'edge-jwt'` replaces jose's with no other
 * edit: `key` is anything jose's takes (a `Uint8Array` secret, a `CryptoKey`, a Node `KeyObject`, a
 * JWK, or a function `(protectedHeader, token) => key`, sync or async, such as jose's own
 * `createLocalJWKSet`/`createRemoteJWKSet` results), or anything `verifyToken` takes (our key
 * sets, a JWKS, `null` with `options.secret`). Returns `{ payload, protectedHeader }`, plus `key`
 * (the CryptoKey or secret bytes it verified with) when a function resolved the key.
 *
 * @example
 * ```js
 * import { jwtVerify } from 'edge-jwt'; // was: from 'jose'
 * const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { issuer: 'urn:example' });
 * ```
 */
export async function jwtVerify<Payload = JWTPayload>(
  token: string | Uint8Array,
  getKey: JWTVerifyGetKey,
  options?: VerifyOptions,
): Promise<VerifyResult<Payload> & ResolvedKey>;
export async function jwtVerify<Payload = JWTPayload>(
  token: string | Uint8Array,
  key: KeyInput | KeysInput,
  options?: VerifyOptions,
): Promise<VerifyResult<Payload>>;
export async function jwtVerify<Payload = JWTPayload>(
  token: string | Uint8Array,
  key: JwtVerifyKey,
  options?: VerifyOptions,
): Promise<VerifyResult<Payload> & Partial<ResolvedKey>>;
export async function jwtVerify<Payload = JWTPayload>(
  token: string | Uint8Array,
  key: JwtVerifyKey,
  options?: VerifyOptions,
): Promise<VerifyResult<Payload> & Partial<ResolvedKey>> {
  const isFunction = typeof key === 'function';
  if (!isFunction && !isSingleKey(key)) {
    if (key !== null && key !== undefined && typeof key !== 'object' && typeof key !== 'string') {
      throw new TypeError(`Key must be one of type CryptoKey, KeyObject, JSON Web Key, Uint8Array, a key set, or a function; found ${typeof key}`);
    }
    return verifyToken<Payload>(token, key as KeysInput, options);
  }
  const text = tokenText(token);
  normalizeOptions(options); // malformed options fail first, as everywhere
  const peeked = peek(text);
  // Malformed, or an alg that is not allowed or not supported: the core's verdict, before any key
  // is looked at (a function is never asked about such a token, as in jose).
  if (!readyForKey(peeked, options)) throw await failureWithoutKey(text, options);
  const header = peeked.header;
  const alg = header.alg;
  const given: unknown = isFunction ? await (key as JWTVerifyGetKey)({ ...header }, { ...peeked.flattened }) : key;
  const core = await coreKey(given, alg);
  const result = (await verifyWithCoreKey(text, core, header, options)) as VerifyResult<Payload>;
  if (!isFunction) return result;
  return { ...result, key: await resolvedKey(given, core, alg) };
}
