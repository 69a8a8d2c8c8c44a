/**
 * The host's native signature verification, used by `verifyToken` for RSA and ECDSA, where the
 * host's crypto is 3 to 15 times faster than pure Rust in WebAssembly (`node:crypto`: RS256 3x,
 * ES256 15x; docs/ARCHITECTURE.md "Dependencies"). The Rust core still makes
 * every decision (structure, allow-list, which keys, key validity and strength, claims); the host
 * only answers whether a signature verifies with a given key. `verifyTokenSync` never uses this.
 * Ed25519 goes to the host too, after the Rust core has applied the checks host crypto skips
 * (small-order keys and `R` values, see `src/crypto/eddsa.rs`), so every runtime judges alike. HMAC
 * stays in Rust. A host without an algorithm (Ed25519 on an old runtime) says so, and Rust answers.
 *
 * Each runtime entry chooses the verifier: `node:crypto` (synchronous) in Node, WebCrypto
 * elsewhere. Imported keys are cached by their key material, so a key is imported once.
 *
 * @module
 */
import type { JWK } from './types.js';

/** Verifies signatures with the host's crypto. */
export interface NativeVerifier {
  /** The algorithms (JWS `alg` names) this host verifies: registered once per instance (`js/wasm.ts`). */
  readonly algorithms: readonly string[];
  /** True or false; undefined when this host cannot verify `alg` (then Rust does). */
  verify(alg: string, jwk: JWK, input: Uint8Array, signature: Uint8Array): boolean | undefined | Promise<boolean | undefined>;
}

/** What both host verifiers check: every asymmetric algorithm (HMAC stays in Rust). */
const NATIVE: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };
const KEY_CACHE_LIMIT = 256;

let factory: (() => NativeVerifier | undefined) | undefined;
let chosen: NativeVerifier | null | undefined;

/** Called once by the runtime entry. */
export function setNativeVerifier(make: () => NativeVerifier | undefined): void {
  factory = make;
  chosen = undefined;
}

/** The verifier for this runtime, or undefined (then Rust checks every signature). */
export function nativeVerifier(): NativeVerifier | undefined {
  if (chosen === undefined) {
    try {
      chosen = factory?.() ?? null;
    } catch {
      chosen = null;
    }
  }
  return chosen ?? undefined;
}

/** Only the members that define the key: other JWK members (alg, use, key_ops) were checked by Rust. */
export function publicMembers(jwk: JWK): JWK {
  if (jwk.kty === 'RSA') return { kty: 'RSA', n: jwk.n, e: jwk.e };
  if (jwk.kty === 'OKP') return { kty: 'OKP', crv: jwk.crv, x: jwk.x };
  return { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
}

function isEd25519(alg: string): boolean {
  return alg === 'EdDSA' || alg === 'Ed25519';
}

function cached<T>(cache: Map<string, T>, id: string, make: () => T): T {
  let value = cache.get(id);
  if (value === undefined) {
    if (cache.size >= KEY_CACHE_LIMIT) cache.clear();
    value = make();
    cache.set(id, value);
  }
  return value;
}

function keyId(alg: string, jwk: JWK): string {
  return `${alg}.${jwk.n ?? ''}.${jwk.e ?? ''}.${jwk.crv ?? ''}.${jwk.x ?? ''}.${jwk.y ?? ''}`;
}

/** The parts of `node:crypto` used here. */
export interface NodeCrypto {
  createPublicKey(input: { key: object; format: 'jwk' }): unknown;
  verify(algorithm: string, data: Uint8Array, key: unknown, signature: Uint8Array): boolean;
  constants: { RSA_PKCS1_PSS_PADDING: number };
}

/** How `node:crypto` verifies `alg` with `key`: the digest and the key argument of `verify`. */
function nodeVerifyArguments(crypto: NodeCrypto, alg: string, key: unknown): { hash: string | null; keyInput: unknown } {
  if (isEd25519(alg)) return { hash: null, keyInput: key };
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('RS')) return { hash, keyInput: key };
  if (alg.startsWith('PS')) {
    const saltLength = Number(alg.slice(2)) / 8;
    return { hash, keyInput: { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength } };
  }
  return { hash, keyInput: { key, dsaEncoding: 'ieee-p1363' } };
}

/** `node:crypto`, synchronous. */
export function nodeVerifier(crypto: NodeCrypto): NativeVerifier {
  const keys = new Map<string, unknown>();
  // Key sets hand out the same JWK object for the same key, so most lookups stop here without
  // building the material string (an RSA modulus is hundreds of characters), with the arguments
  // of `verify` ready.
  const byObject = new WeakMap<JWK, { alg: string; hash: string | null; keyInput: unknown }>();
  return {
    algorithms: NATIVE,
    verify(alg, jwk, input, signature) {
      let known = byObject.get(jwk);
      if (known === undefined || known.alg !== alg) {
        let key: unknown;
        try {
          key = cached(keys, keyId(alg, jwk), () => crypto.createPublicKey({ key: publicMembers(jwk), format: 'jwk' }));
        } catch {
          return undefined; // this Node cannot import such a key: let Rust decide
        }
        known = { alg, ...nodeVerifyArguments(crypto, alg, key) };
        byObject.set(jwk, known);
      }
      try {
        return crypto.verify(known.hash as string, input, known.keyInput, signature);
      } catch {
        return false;
      }
    },
  };
}

/** WebCrypto (`crypto.subtle`), asynchronous. */
export function webCryptoVerifier(subtle: SubtleCrypto): NativeVerifier {
  const keys = new Map<string, Promise<CryptoKey>>();
  // Imported keys by JWK object (key sets hand out the same object for the same key): once a key
  // is imported, a verification is one subtle.verify call, with no await on the import's promise.
  const ready = new WeakMap<JWK, { alg: string; key: CryptoKey; params: WebCryptoParams['verify'] }>();
  const importFor = async (alg: string, jwk: JWK): Promise<{ key: CryptoKey; params: WebCryptoParams['verify'] } | undefined> => {
    const { importParams, verify } = webCryptoParams(alg);
    try {
      const key = await cached(keys, keyId(alg, jwk), () =>
        subtle.importKey('jwk', publicMembers(jwk) as JsonWebKey, importParams, false, ['verify']),
      );
      ready.set(jwk, { alg, key, params: verify });
      return { key, params: verify };
    } catch {
      keys.delete(keyId(alg, jwk));
      return undefined; // this runtime lacks the algorithm (Ed25519 on old hosts): let Rust decide
    }
  };
  const check = (params: WebCryptoParams['verify'], key: CryptoKey, input: Uint8Array, signature: Uint8Array): Promise<boolean> =>
    subtle.verify(params, key, signature as BufferSource, input as BufferSource).then(
      (verified) => verified,
      () => false,
    );
  return {
    algorithms: NATIVE,
    verify(alg, jwk, input, signature) {
      const known = ready.get(jwk);
      if (known !== undefined && known.alg === alg) return check(known.params, known.key, input, signature);
      return importFor(alg, jwk).then((imported) =>
        imported === undefined ? undefined : check(imported.params, imported.key, input, signature),
      );
    },
  };
}

/** How WebCrypto imports a key for an algorithm, and verifies with it. */
export interface WebCryptoParams {
  importParams: RsaHashedImportParams | EcKeyImportParams | Algorithm;
  verify: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
}

/** WebCrypto's import and verify parameters for `alg` (an asymmetric algorithm). */
export function webCryptoParams(alg: string): WebCryptoParams {
  const hash = `SHA-${alg.slice(2)}`;
  if (isEd25519(alg)) return { importParams: { name: 'Ed25519' }, verify: { name: 'Ed25519' } };
  if (alg.startsWith('RS')) return { importParams: { name: 'RSASSA-PKCS1-v1_5', hash }, verify: { name: 'RSASSA-PKCS1-v1_5' } };
  if (alg.startsWith('PS')) {
    return { importParams: { name: 'RSA-PSS', hash }, verify: { name: 'RSA-PSS', saltLength: Number(alg.slice(2)) / 8 } };
  }
  return { importParams: { name: 'ECDSA', namedCurve: CURVES[alg] ?? '' }, verify: { name: 'ECDSA', hash } };
}

const encoder = new TextEncoder();
type NodeBuffer = { from(s: string, e: string): Uint8Array };

/** `text` as UTF-8 (a lone surrogate as U+FFFD, as `TextEncoder` and wasm-bindgen write it). */
export function utf8(text: string): Uint8Array {
  const nodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;
  // Node's TextEncoder allocates a fresh ArrayBuffer per call; Buffer takes a slice of its pool.
  return nodeBuffer !== undefined ? nodeBuffer.from(text, 'utf8') : encoder.encode(text);
}

/** Whether `value` is a thenable (also one made in another realm). */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Asks the host's native crypto whether `signature` over `input` verifies with one of the keys the
 * module chose (`keys`: positions in the key set, whose JWKs `jwkAt` gives): true when one key
 * verifies it, false when none does, undefined when the host cannot verify this algorithm or key
 * (the module then verifies the whole token). Answers synchronously when the host does
 * (`node:crypto`), so the common path never waits on a microtask.
 */
export function hostVerifies(
  alg: string,
  input: Uint8Array,
  signature: Uint8Array,
  keys: readonly number[],
  jwkAt: (index: number) => JWK | undefined,
): boolean | undefined | Promise<boolean | undefined> {
  const native = nativeVerifier();
  if (native === undefined) return undefined;
  const tryFrom = (position: number): boolean | undefined | Promise<boolean | undefined> => {
    for (let k = position; k < keys.length; k += 1) {
      const jwk = jwkAt(keys[k] ?? -1);
      if (jwk === undefined) return undefined;
      const verdict = native.verify(alg, jwk, input, signature);
      // The last key's verdict is the answer as it is: no further promise for it.
      if (isPromise(verdict) && k + 1 === keys.length) return verdict;
      if (isPromise(verdict)) return verdict.then((v) => (v === true ? true : v === undefined ? undefined : tryFrom(k + 1)));
      if (verdict === undefined) return undefined;
      if (verdict) return true;
    }
    return false;
  };
  return tryFrom(0);
}
