/**
 * Local key sets: a JWKS parsed once into the WebAssembly module and reused for every token, and
 * the conversion of `verifyToken`'s `keys` argument (a key set, a JWKS object, its JSON text, or
 * null) into a handle the module can use.
 *
 * @module
 */
import { JWKSInvalid } from './errors.js';
import { takeFailure } from './failure.js';
import type { JWK, JWKS } from './types.js';
import { InstanceBound, type Bindings, type KeySetHandle } from './wasm.js';

function jwksText(jwks: unknown): string {
  if (typeof jwks === 'string') return jwks;
  if (typeof jwks !== 'object' || jwks === null || Array.isArray(jwks)) {
    throw new JWKSInvalid('a key set must be a JWKS object ({ keys: [...] }) or its JSON text');
  }
  try {
    return JSON.stringify(jwks);
  } catch (cause) {
    throw new JWKSInvalid('the key set cannot be serialised to JSON', { cause });
  }
}

/** Makes the module-side set of `text`; a set that is no key set throws its coded error. */
function keySetMaker(text: string, heldByHost: boolean): (wasm: Bindings) => KeySetHandle {
  return (wasm) => {
    try {
      return heldByHost ? wasm.KeySet.heldByHost(text) : new wasm.KeySet(text);
    } catch (error) {
      throw takeFailure(error) ?? error;
    }
  };
}

/**
 * A JWKS parsed once. Every key is decoded when the set is made, so a verification only selects and
 * checks. Made by {@link createLocalJWKSet}.
 */
export class LocalKeySet {
  readonly #text: string;
  readonly #handle: InstanceBound<KeySetHandle>;

  /** @internal Use {@link createLocalJWKSet}. */
  constructor(text: string, made?: KeySetHandle, heldByHost = false) {
    this.#text = text;
    this.#handle = new InstanceBound(keySetMaker(text, heldByHost));
    if (made === undefined) this.#handle.get();
    else this.#handle.adopt(made);
  }

  /** How many keys the set holds (of any kind). */
  get size(): number {
    return this.handle().size;
  }

  /** A copy of the JWKS this set was made from. */
  jwks(): JWKS {
    return JSON.parse(this.#text) as JWKS;
  }

  #keys: JWK[] | undefined;

  /** @internal The JWK at `index` (for the host's native crypto). */
  jwk(index: number): JWK | undefined {
    this.#keys ??= (JSON.parse(this.#text) as JWKS).keys;
    return this.#keys[index];
  }

  /** @internal The module-side set for the current instance. */
  handle(): KeySetHandle {
    return this.#handle.get();
  }
}

/**
 * Parses a JWKS (object or JSON text) into a reusable key set. Throws `JWKSInvalid` at once when
 * the document is not a key set; a single malformed key fails only a token that chooses it.
 *
 * @example
 * ```js
 * const keys = createLocalJWKSet(await (await fetch('https://app.example.com/api/auth/jwks')).json());
 * const { payload } = await verifyToken(token, keys, { issuer: 'https://app.example.com' });
 * ```
 */
export function createLocalJWKSet(jwks: JWKS | string): LocalKeySet {
  return new LocalKeySet(jwksText(jwks));
}

/** Recently seen JWKS texts, so a JWKS passed inline on every call is parsed once. */
const recent = new Map<string, LocalKeySet>();
const RECENT_LIMIT = 16;
const none = new InstanceBound((wasm) => wasm.KeySet.none());

/** The local key set for `verifyToken`'s `keys` argument (undefined for null: secret only). */
export function localKeySet(keys: unknown): LocalKeySet | undefined {
  if (keys instanceof LocalKeySet) return keys;
  if (keys === null || keys === undefined) return undefined;
  const text = jwksText(keys);
  let set = recent.get(text);
  if (set === undefined) {
    set = new LocalKeySet(text);
    if (recent.size >= RECENT_LIMIT) {
      const oldest = recent.keys().next().value;
      if (oldest !== undefined) recent.delete(oldest);
    }
    recent.set(text, set);
  }
  return set;
}

/** The module-side set for a local key set, or for "no key set". */
export function keySetHandle(set: LocalKeySet | undefined): KeySetHandle {
  return set === undefined ? none.get() : set.handle();
}
