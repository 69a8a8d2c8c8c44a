/**
 * Public types shared by every export.
 *
 * @module
 */

/** A JSON value as it can appear in a claim. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The claims of a verified token (RFC 7519 §4 registered names, plus anything else). */
export interface JWTPayload {
  /** Issuer. */
  iss?: string;
  /** Subject: for Better Auth, the user id. */
  sub?: string;
  /** Audience. */
  aud?: string | string[];
  /** JWT id. */
  jti?: string;
  /** Not before (seconds since the epoch). */
  nbf?: number;
  /** Expiration time (seconds since the epoch). */
  exp?: number;
  /** Issued at (seconds since the epoch). */
  iat?: number;
  /** Any other claim. */
  [claim: string]: unknown;
}

/** The protected header of a verified token. */
export interface JWSHeader {
  /** The algorithm that signed it. */
  alg: string;
  /** The key id. */
  kid?: string;
  /** The media type, such as `JWT`. */
  typ?: string;
  /** Critical extension names. */
  crit?: string[];
  /** Any other header parameter. */
  [parameter: string]: unknown;
}

/** One JSON Web Key (RFC 7517). Only public keys belong in a key set. */
export interface JWK {
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  ext?: boolean;
  [parameter: string]: unknown;
}

/** A JSON Web Key Set, as served at Better Auth's `/api/auth/jwks`. */
export interface JWKS {
  keys: JWK[];
}

/**
 * What a successful verification returns. `Payload` types your own claims, as with jose's
 * `jwtVerify<PayloadType>`: `verifyToken<{ email: string }>(...)` gives `payload.email: string`.
 * The type is a promise about your issuer, not something verification checks.
 */
export interface VerifyResult<Payload = JWTPayload> {
  /** The verified claims. */
  payload: Payload & JWTPayload;
  /** The verified protected header. */
  protectedHeader: JWSHeader;
}

/** The runtime's WebCrypto `CryptoKey` type (a structural stand-in where no DOM types are loaded). */
export type CryptoKeyLike = typeof globalThis extends { CryptoKey: { prototype: infer Key } }
  ? Key
  : { readonly type: string; readonly extractable: boolean; readonly algorithm: unknown; readonly usages: string[] };

/** Node's `KeyObject`, structurally (so no Node types are needed). */
export interface KeyObjectLike {
  readonly type: string;
  export(options?: { format: 'jwk' }): unknown;
}

/** One key as jose's `jwtVerify` takes it: a public key or, for HS256/384/512, the secret. */
export type KeyInput = CryptoKeyLike | KeyObjectLike | JWK | Uint8Array;

/** The token as a key-resolving function sees it (jose's `FlattenedJWSInput`; base64url parts). */
export interface FlattenedJWSInput {
  /** The base64url protected header. */
  protected?: string;
  /** The base64url payload. */
  payload: string;
  /** The base64url signature. */
  signature: string;
  /** An unprotected header (never present for a compact JWT). */
  header?: JWSHeader;
}

/**
 * A function that picks the key for a token, jose's `JWTVerifyGetKey`: jose's own
 * `createLocalJWKSet`/`createRemoteJWKSet` results are such functions, and so is yours.
 */
export type JWTVerifyGetKey = (protectedHeader: JWSHeader, token: FlattenedJWSInput) => KeyInput | Promise<KeyInput>;

/** `jwtVerify`'s result when a function resolved the key: the key it verified with (jose's `ResolvedKey`). */
export interface ResolvedKey {
  /** A `CryptoKey`, or the secret's bytes for HS256/384/512. */
  key: CryptoKeyLike | Uint8Array;
}

/** Options of {@link verifyToken}; the same names and meaning as jose's `jwtVerify`. */
export interface VerifyOptions {
  /** Allowed header `alg` values. `none` is never accepted. Default: any algorithm the key fits. */
  algorithms?: string[];
  /** `iss` must be present and equal one of these. */
  issuer?: string | string[];
  /** `aud` must be present; a string `aud` must be one of these, an array `aud` must contain one. */
  audience?: string | string[];
  /** `sub` must be present and equal this. */
  subject?: string;
  /** The header `typ` must equal this (case-insensitive, `application/` prefix optional). */
  typ?: string;
  /**
   * Clock skew allowed for `exp`, `nbf`, and `iat` under `maxTokenAge`: seconds, or a string such
   * as `"30s"`, `"5 minutes"`, `"2h"`. Default 0.
   */
  clockTolerance?: number | string;
  /** `iat` must be present and no older than this (seconds, or a string like `"1h"`). */
  maxTokenAge?: number | string;
  /** The clock. Default: now, read on every call. */
  currentDate?: Date;
  /** These claims must be present (a `null` value counts as present). */
  requiredClaims?: string[];
  /** Extension header names the caller understands, each with whether it must be protected. */
  crit?: Record<string, boolean>;
  /** The shared secret for HS256/384/512 tokens (a key set never supplies one). */
  secret?: string | Uint8Array;
  /**
   * Remember tokens whose signature verified with this key set, so that the same token seen again
   * skips the signature check (its header rules and claims are still checked, at the current time).
   * Bounded to 1000 tokens and 4 MiB per key set. Default true; an HMAC token is found only with the secret it verified with.
   */
  tokenCache?: boolean;
}
