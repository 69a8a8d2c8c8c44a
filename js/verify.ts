/**
 * `verifyToken`, `verifyTokenSync` and `jwtVerify`: the public verification calls. They check the
 * options, hand the token, the key set handle and the options to the WebAssembly core, and turn its
 * answer into `{ payload, protectedHeader }` or a coded error.
 *
 * @module
 */
import { JWKSNoMatchingKey, JWSInvalid, JWSSignatureVerificationFailed } from './errors.js';
import { coreKey, isSingleKey, keyDoesNotFit, knownAlgorithm, oneKeySetText, type CoreKey } from './key-forms.js';
import { localKeySet, LocalKeySet } from './keys.js';
import { isPromise, publicMembers, utf8, webCryptoParams } from './native.js';
import { normalizeOptions } from './options.js';
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
import { signingInput, verifyInModule, verifyLocal, verifyWithHost, type SignatureCheck, type Verification } from './verification.js';
import { bindingsAsync, bindingsSync, loadedBindings } from './wasm.js';

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
function inputs(token: unknown, keys: LocalKeysInput, options: VerifyOptions | undefined): Verification {
  const text = tokenText(token);
  const normalized = normalizeOptions(options);
  if ((keys === null || keys === undefined) && normalized.secret === undefined) {
    throw new TypeError('verifyToken needs a key set (keys) or, for HS256/384/512 tokens, options.secret');
  }
  return { text, bytes: utf8(text), options: normalized, keys: localKeySet(keys) };
}

function localKeys(keys: KeysInput): LocalKeysInput {
  if (keys instanceof RemoteKeySet) {
    throw new TypeError('verifyTokenSync needs local keys; use verifyToken with a remote key set');
  }
  return keys;
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
  bindingsSync();
  return verifyInModule(inputs(token, localKeys(keys), options)) as VerifyResult<Payload>;
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
  if (loadedBindings() === undefined) await bindingsAsync();
  // A synchronous result is returned as it is (no tick); an asynchronous one is awaited, which
  // settles this promise in fewer ticks than returning the promise would.
  const result = verifyLocal(inputs(token, keys, options));
  return (isPromise(result) ? await result : result) as VerifyResult<Payload>;
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
  if (loadedBindings() === undefined) await bindingsAsync();
  try {
    verifyInModule({ text, bytes: utf8(text), options: normalizeOptions({ ...options, secret: undefined }), keys: undefined });
  } catch (failure) {
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
 * Verifies `text` with a public CryptoKey whose material cannot be read: a key set made for it
 * (`heldByHost`: a placeholder key of the same type stands for it, and every signature goes to the
 * host) lets the core run every check, and WebCrypto answers the signature with the real key.
 * Remembered tokens are off: the placeholder stands for every such key.
 */
async function verifyWithHeldKey(text: string, held: CryptoKey, placeholderSet: LocalKeySet, alg: string, options: VerifyOptions | undefined): Promise<VerifyResult> {
  if (loadedBindings() === undefined) await bindingsAsync();
  const v: Verification = { text, bytes: utf8(text), options: normalizeOptions({ ...options, secret: undefined, tokenCache: false }), keys: placeholderSet };
  const withHeldKey: SignatureCheck = async (algorithm, signature, _keys, verification) =>
    crypto.subtle
      .verify(webCryptoParams(algorithm).verify, held, signature as BufferSource, signingInput(verification) as BufferSource)
      .catch(() => false);
  return verifyWithHost(v, withHeldKey);
}

/** Verifies `text` with one key in the core's form. */
async function verifyWithCoreKey(text: string, core: CoreKey, header: JWSHeader, options: VerifyOptions | undefined): Promise<VerifyResult> {
  if ('secret' in core) return verifyToken(text, null, { ...options, secret: core.secret });
  if ('held' in core) {
    const placeholderSet = new LocalKeySet(oneKeySetText(core.jwk, header), undefined, true);
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
