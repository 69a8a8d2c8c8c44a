/**
 * The single-key forms jose's `jwtVerify` accepts (a `Uint8Array` secret, a `CryptoKey`, a Node
 * `KeyObject`, a JWK), turned into what the WebAssembly core verifies with: a secret, or a key set
 * of that one key. jose's rules for which key fits which `alg` are applied here, with jose's error
 * kinds (`TypeError` for a key of the wrong type, `JOSENotSupported` for a JWK of another `kty`).
 *
 * @module
 */
import { JOSENotSupported } from './errors.js';
import type { JWK, JWSHeader, KeyObjectLike } from './types.js';

// src/crypto/rsa.rs MIN_MODULUS_BITS (jose's rule too); tests/shared_facts.rs checks they are equal.
const MIN_MODULUS_BITS = 2048;

/**
 * What a key resolves to for the core: HMAC secret bytes, one public JWK, or a public CryptoKey
 * whose material cannot be read (`held`: WebCrypto checks the signature with it, the core decides
 * everything else with `jwk`, a placeholder key of the same type, see `js/verify.ts`).
 */
export type CoreKey =
  | { secret: Uint8Array }
  | { jwk: JWK; form: 'jwk' | 'keylike' }
  | { held: CryptoKey; jwk: JWK; form: 'keylike' };

/**
 * Valid public keys of each type with no use of their own: they stand in for a non-extractable
 * CryptoKey, so that the core's rules (which key type fits which alg) apply unchanged.
 */
const PLACEHOLDERS: Record<string, JWK> = {
  RSA: {
    kty: 'RSA',
    n: '4O48QKwYI0HI2jRBFjoeTP_Gs3x5yvdev-GA2bUf10CPy6ILzh4eaou3FNtk5Qx-GiOex9kjzFZ4kNk8VkxGr78j3tmUtuVy-8Yea82KjCs2V6zVx39BKPIHU0oH4JZZL_5BmHPPdLmKZMvJhQ1la54DGrpi3sG-UNfV87JwNn_9LskUy7SmHP2eGmx_7qmr55zvBr1xleqIcei1_q9Xp4aCuM-l1-kXAI9fTfPelQ3sZgGsXPkc2LcPavzLeAM5eWKzpw02BIK34iFSQG9LfZzx0Eib0TokAnXkwXgxazlb-EX0z1l-MAhNK8ql36dWD1TlxNAidE2IuB9BNo8IRQ',
    e: 'AQAB'
  },
  'P-256': {
    kty: 'EC',
    x: '2Q6mHusyEBBzFVHP5Zyqltc_wC7d6G0lKa877vD8-qo',
    y: 'vw1yRa2F6o1czOVDzV2lxyGDNy29CjcaNcZAD-ZVW_s',
    crv: 'P-256'
  },
  'P-384': {
    kty: 'EC',
    x: '-nmI4q0B1i8Ou1cRB0-Xp6TLc7d37R37kjgQrFjsuVNilXCK5iQvwM6XvcqZsS26',
    y: 'oWF2slH9ylRRXH8DgZqZUMaouszZId2qN5s0X5u5rCLQImNJLFECPcUKDMSm4lUL',
    crv: 'P-384'
  },
  'P-521': {
    kty: 'EC',
    x: 'Ac-0TvqhDToir194PWsd2NAnoO9Tg1XYoea_TsSjP6lcaqEK9JHHwZBqALGpGWN19cAnRyouluEa1vB_BNDLXk35',
    y: 'AI-p85qai19Y1naccDyRayhFaRRc7ZkWFqu_suClHjV54WsdrZHBuSzWPIEwZO6sKiYIQnQKq8WgkcCovjcUSvpn',
    crv: 'P-521'
  },
  Ed25519: {
    crv: 'Ed25519',
    x: 'gSMFV4QzkD_cbTU3g8LfLeko2nkMJ0bgF-2h-Q8kdso',
    kty: 'OKP'
  }
};

/** What WebCrypto calls the algorithm of a key for `alg` (jose's checkCryptoKey). */
function expectedAlgorithm(alg: string): { name: string; hash?: string; namedCurve?: string } {
  const bits = alg.slice(2);
  if (alg.startsWith('HS')) return { name: 'HMAC', hash: `SHA-${bits}` };
  if (alg.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5', hash: `SHA-${bits}` };
  if (alg.startsWith('PS')) return { name: 'RSA-PSS', hash: `SHA-${bits}` };
  if (alg.startsWith('ES')) return { name: 'ECDSA', namedCurve: bits === '512' ? 'P-521' : `P-${bits}` };
  return { name: 'Ed25519' };
}

function checkCryptoKeyAlgorithm(key: CryptoKey, alg: string): void {
  const expected = expectedAlgorithm(alg);
  const algorithm = key.algorithm as { name?: string; hash?: { name?: string }; namedCurve?: string; modulusLength?: number };
  if (algorithm.name !== expected.name) {
    throw new TypeError(`CryptoKey does not support this operation, its algorithm.name must be ${expected.name}`);
  }
  if (expected.hash !== undefined && algorithm.hash?.name !== expected.hash) {
    throw new TypeError(`CryptoKey does not support this operation, its algorithm.hash must be ${expected.hash}`);
  }
  if (expected.namedCurve !== undefined && algorithm.namedCurve !== expected.namedCurve) {
    throw new TypeError(`CryptoKey does not support this operation, its algorithm.namedCurve must be ${expected.namedCurve}`);
  }
  if ((alg.startsWith('RS') || alg.startsWith('PS')) && (typeof algorithm.modulusLength !== 'number' || algorithm.modulusLength < MIN_MODULUS_BITS)) {
    throw new TypeError(`${alg} requires key modulusLength to be ${MIN_MODULUS_BITS} bits or larger`);
  }
}

/** The placeholder of the key type `alg` needs. */
function placeholderFor(alg: string): JWK {
  const expected = expectedAlgorithm(alg);
  return { ...(PLACEHOLDERS[expected.namedCurve ?? (expected.name === 'Ed25519' ? 'Ed25519' : 'RSA')] as JWK) };
}

/** Only the members that define the key (WebCrypto adds alg, key_ops, ext; the CryptoKey was checked). */
function keyMembers(jwk: JWK): JWK {
  const { alg: _alg, key_ops: _ops, ext: _ext, use: _use, ...rest } = jwk;
  return rest;
}

/** The signature algorithms the core knows (`src/alg.rs`). */
const KNOWN = new Set(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

/** Whether `alg` is one the core verifies. */
export function knownAlgorithm(alg: unknown): alg is string {
  return typeof alg === 'string' && KNOWN.has(alg);
}

function isSecretAlg(alg: string): boolean {
  return alg.startsWith('HS');
}

function tagOf(value: unknown): string | undefined {
  try {
    return (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] as string | undefined;
  } catch {
    return undefined;
  }
}

/** A `CryptoKey` (also from another realm). */
export function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof value === 'object' && value !== null && tagOf(value) === 'CryptoKey';
}

/** A Node `KeyObject`. */
export function isKeyObject(value: unknown): value is KeyObjectLike {
  return typeof value === 'object' && value !== null && tagOf(value) === 'KeyObject';
}

/** A JWK (a plain object with a string `kty`), as opposed to a JWKS (`{ keys: [...] }`). */
export function isJwk(value: unknown): value is JWK {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as JWK).kty === 'string';
}

/** Whether `value` is one of jose's single-key forms. */
export function isSingleKey(value: unknown): boolean {
  return value instanceof Uint8Array || isCryptoKey(value) || isKeyObject(value) || isJwk(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return `Received ${String(value)}`;
  if (typeof value === 'function') return 'Received a function';
  if (typeof value === 'object') return `Received an instance of ${(value as object).constructor?.name ?? 'Object'}`;
  return `Received type ${typeof value}`;
}

function wrongType(alg: string, value: unknown): TypeError {
  const kinds = isSecretAlg(alg) ? 'CryptoKey, KeyObject, JSON Web Key, or Uint8Array' : 'CryptoKey, KeyObject, or JSON Web Key';
  return new TypeError(`Key for the ${alg} algorithm must be one of type ${kinds}. ${describe(value)}`);
}

function base64urlDecode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('the JWK "k" member is not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** jose's checks of a JWK's `use`, `alg` and `key_ops` against the token's `alg`. */
function checkJwkFits(jwk: JWK, alg: string): void {
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    throw new TypeError('Invalid key for this operation, its "use" must be "sig" when present');
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw new TypeError(`Invalid key for this operation, its "alg" must be "${alg}" when present`);
  }
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops) || jwk.key_ops.some((op) => typeof op !== 'string') || new Set(jwk.key_ops).size !== jwk.key_ops.length) {
      throw new TypeError('"key_ops" (Key Operations) Parameter must be an array of unique strings');
    }
    if (!jwk.key_ops.includes('verify')) {
      throw new TypeError('Invalid key for this operation, its "key_ops" must include "verify" when present');
    }
  }
  if (jwk.ext !== undefined && typeof jwk.ext !== 'boolean') throw new TypeError('"ext" (Extractable) Parameter must be a boolean');
}

function fromJwk(jwk: JWK, alg: string): CoreKey {
  const secret = isSecretAlg(alg);
  const isPrivate = jwk.d !== undefined || (jwk as { priv?: unknown }).priv !== undefined;
  if (secret ? !(jwk.kty === 'oct' && typeof jwk.k === 'string') : jwk.kty === 'oct' || isPrivate) {
    throw new TypeError(
      secret
        ? 'JSON Web Key for symmetric algorithms must have JWK "kty" (Key Type) equal to "oct" and the JWK "k" (Key Value) present'
        : 'JSON Web Key for this operation must be a public JWK',
    );
  }
  checkJwkFits(jwk, alg);
  if (secret) return { secret: base64urlDecode(jwk.k as string) };
  return { jwk: { ...jwk }, form: 'jwk' };
}

function fromKeyObject(key: KeyObjectLike, alg: string): CoreKey {
  const expected = isSecretAlg(alg) ? 'secret' : 'public';
  if (key.type !== expected) throw new TypeError(`KeyObject instances must be of type "${expected}" for the ${alg} algorithm`);
  if (expected === 'secret') return { secret: new Uint8Array(key.export() as Uint8Array) };
  return { jwk: keyMembers(key.export({ format: 'jwk' }) as JWK), form: 'keylike' };
}

/** Exported JWKs of CryptoKeys (`exportKey` is asynchronous: done once per key). */
const exported = new WeakMap<CryptoKey, Promise<CoreKey>>();

async function exportCryptoKey(key: CryptoKey, alg: string): Promise<CoreKey> {
  if (!key.extractable) {
    // Its material cannot be read: WebCrypto checks signatures with it, the core all the rest.
    if (key.type === 'public') return { held: key, jwk: placeholderFor(alg), form: 'keylike' };
    throw new TypeError('an HMAC CryptoKey must be extractable (edge-jwt checks HMAC in WebAssembly); pass the secret as a Uint8Array');
  }
  if (key.type === 'secret') return { secret: new Uint8Array(await crypto.subtle.exportKey('raw', key)) };
  const jwk = (await crypto.subtle.exportKey('jwk', key)) as JWK;
  return { jwk: keyMembers(jwk), form: 'keylike' };
}

async function fromCryptoKey(key: CryptoKey, alg: string): Promise<CoreKey> {
  const expected = isSecretAlg(alg) ? 'secret' : 'public';
  if (key.type !== expected) throw new TypeError(`CryptoKey instances must be of type "${expected}" for the ${alg} algorithm`);
  if (!key.usages.includes('verify') && key.usages.length > 0) {
    throw new TypeError('CryptoKey does not support this operation, its usages must include verify.');
  }
  checkCryptoKeyAlgorithm(key, alg);
  // The algorithm was checked, so one key stands for one placeholder: the cache can be by key.
  let pending = exported.get(key);
  if (pending === undefined) {
    pending = exportCryptoKey(key, alg);
    exported.set(key, pending);
    pending.catch(() => exported.delete(key));
  }
  return pending;
}

/**
 * The core's form of `key` for a token whose header says `alg` (a known algorithm): secret bytes
 * or one public JWK. Throws jose's `TypeError` when the key's type does not fit `alg`.
 */
export async function coreKey(key: unknown, alg: string): Promise<CoreKey> {
  if (key instanceof Uint8Array) {
    if (!isSecretAlg(alg)) throw wrongType(alg, key);
    return { secret: key };
  }
  if (isCryptoKey(key)) return fromCryptoKey(key, alg);
  if (isKeyObject(key)) return fromKeyObject(key, alg);
  if (isJwk(key)) return fromJwk(key, alg);
  throw wrongType(alg, key);
}

/**
 * The JWKS text of a one-key set that the core selects exactly when the key fits the token: the
 * key takes the token's `kid` (a single key is not chosen by `kid`, as in jose).
 */
export function oneKeySetText(jwk: JWK, header: JWSHeader): string {
  const member: JWK = { ...jwk };
  delete member.kid;
  if (typeof header.kid === 'string') member.kid = header.kid;
  return JSON.stringify({ keys: [member] });
}

/** The error for a single key that the core found does not fit the token (another kty or curve). */
export function keyDoesNotFit(form: 'jwk' | 'keylike', alg: string): Error {
  if (form === 'jwk') return new JOSENotSupported('Invalid or unsupported JWK "alg" (Algorithm) Parameter value');
  return new TypeError(`the key does not fit the ${alg} algorithm (another key type or curve)`);
}
