/**
 * The error classes, one per jose code, built from one table. Every class extends {@link JOSEError}
 * and carries a static and an instance `code`, so `err.code === 'ERR_JWT_EXPIRED'` and
 * `err instanceof errors.JWTExpired` both work exactly as with jose.
 *
 * @module
 */
import type { JWTPayload } from './types.js';

/** Every code an edge-jwt error can carry. */
export type JOSEErrorCode =
  | 'ERR_JOSE_GENERIC'
  | 'ERR_JWS_INVALID'
  | 'ERR_JWT_INVALID'
  | 'ERR_JOSE_ALG_NOT_ALLOWED'
  | 'ERR_JOSE_NOT_SUPPORTED'
  | 'ERR_JWKS_NO_MATCHING_KEY'
  | 'ERR_JWKS_MULTIPLE_MATCHING_KEYS'
  | 'ERR_JWKS_INVALID'
  | 'ERR_JWKS_TIMEOUT'
  | 'ERR_JWKS_FETCH_FAILED'
  | 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JWT_CLAIM_VALIDATION_FAILED'
  | 'ERR_JWE_INVALID'
  | 'ERR_JWE_DECRYPTION_FAILED';

/** Why a claim check failed. */
export type ClaimFailureReason = 'missing' | 'check_failed' | 'invalid';

/** The base class of every edge-jwt error. */
export class JOSEError extends Error {
  /** The error code of this class. */
  static code: JOSEErrorCode = 'ERR_JOSE_GENERIC';
  /** The error code, one of jose's. */
  code: JOSEErrorCode = 'ERR_JOSE_GENERIC';

  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = (new.target as typeof JOSEError).code;
    (Error as { captureStackTrace?: (target: object, ctor: unknown) => void }).captureStackTrace?.(
      this,
      new.target,
    );
  }
}

/** A claim check failed; says which claim and why. */
export class JWTClaimValidationFailed extends JOSEError {
  static override code: JOSEErrorCode = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
  /** The claim (or `typ`) that failed. */
  claim: string;
  /** `missing`, `check_failed` or `invalid`. */
  reason: ClaimFailureReason;
  /** The token's claims (its signature had verified). */
  payload: JWTPayload;

  constructor(
    message: string,
    payload: JWTPayload,
    claim = 'unspecified',
    reason: ClaimFailureReason = 'unspecified' as ClaimFailureReason,
  ) {
    super(message, { cause: { claim, reason, payload } });
    this.claim = claim;
    this.reason = reason;
    this.payload = payload;
  }
}

/** The token has expired (`exp`), or is older than `maxTokenAge` (`iat`). */
export class JWTExpired extends JOSEError {
  static override code: JOSEErrorCode = 'ERR_JWT_EXPIRED';
  /** `exp` or `iat`. */
  claim: string;
  /** Always `check_failed`. */
  reason: ClaimFailureReason;
  /** The token's claims (its signature had verified). */
  payload: JWTPayload;

  constructor(
    message: string,
    payload: JWTPayload,
    claim = 'unspecified',
    reason: ClaimFailureReason = 'unspecified' as ClaimFailureReason,
  ) {
    super(message, { cause: { claim, reason, payload } });
    this.claim = claim;
    this.reason = reason;
    this.payload = payload;
  }
}

function defineError<const Name extends string>(name: Name, code: JOSEErrorCode) {
  const classes = {
    [name]: class extends JOSEError {
      static override code: JOSEErrorCode = code;
    },
  };
  return classes[name] as typeof JOSEError;
}

/** Not a compact JWS: segments, base64url, header JSON, `crit` syntax, size bounds. */
export const JWSInvalid = defineError('JWSInvalid', 'ERR_JWS_INVALID');
/** The payload is not a JSON object, or the token uses `b64: false`. */
export const JWTInvalid = defineError('JWTInvalid', 'ERR_JWT_INVALID');
/** The header `alg` is not in `options.algorithms`. */
export const JOSEAlgNotAllowed = defineError('JOSEAlgNotAllowed', 'ERR_JOSE_ALG_NOT_ALLOWED');
/** Unknown `alg`, `none`, an unknown `crit` name, or an HMAC token against a key set. */
export const JOSENotSupported = defineError('JOSENotSupported', 'ERR_JOSE_NOT_SUPPORTED');
/** No key in the set fits the token. */
export const JWKSNoMatchingKey = defineError('JWKSNoMatchingKey', 'ERR_JWKS_NO_MATCHING_KEY');
/** Several keys fit and none of them verifies. */
export const JWKSMultipleMatchingKeys = defineError(
  'JWKSMultipleMatchingKeys',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
);
/** The key set, or the key chosen from it, is malformed. */
export const JWKSInvalid = defineError('JWKSInvalid', 'ERR_JWKS_INVALID');
/** The remote key set did not answer in time. */
export const JWKSTimeout = defineError('JWKSTimeout', 'ERR_JWKS_TIMEOUT');
/**
 * The remote key set could not be fetched and no usable cached set exists. `cause` is the
 * underlying error when there was one (a refused connection: `cause.code === 'ECONNREFUSED'` in
 * Node); `status` is the HTTP status when the server answered with an error.
 */
export class JWKSFetchFailed extends JOSEError {
  static override code: JOSEErrorCode = 'ERR_JWKS_FETCH_FAILED';
  /** The HTTP status of the failed response, when there was one. */
  status: number | undefined;

  constructor(message?: string, options?: { cause?: unknown; status?: number | undefined }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }
}
/** The signature does not verify, or the key is too weak. */
export const JWSSignatureVerificationFailed = defineError(
  'JWSSignatureVerificationFailed',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
);

/** Not a compact JWE this library opens (Better Auth's `jwe` session cookies). */
export const JWEInvalid = defineError('JWEInvalid', 'ERR_JWE_INVALID');
/** A JWE whose authentication tag does not verify: wrong secret, or an altered cookie. */
export const JWEDecryptionFailed = defineError('JWEDecryptionFailed', 'ERR_JWE_DECRYPTION_FAILED');

/* eslint-disable @typescript-eslint/no-redeclare */
/** An instance of {@link JWSInvalid}. */
export type JWSInvalid = JOSEError;
/** An instance of {@link JWTInvalid}. */
export type JWTInvalid = JOSEError;
/** An instance of {@link JOSEAlgNotAllowed}. */
export type JOSEAlgNotAllowed = JOSEError;
/** An instance of {@link JOSENotSupported}. */
export type JOSENotSupported = JOSEError;
/** An instance of {@link JWKSNoMatchingKey}. */
export type JWKSNoMatchingKey = JOSEError;
/** An instance of {@link JWKSMultipleMatchingKeys}. */
export type JWKSMultipleMatchingKeys = JOSEError;
/** An instance of {@link JWKSInvalid}. */
export type JWKSInvalid = JOSEError;
/** An instance of {@link JWKSTimeout}. */
export type JWKSTimeout = JOSEError;
/** An instance of {@link JWEInvalid}. */
export type JWEInvalid = JOSEError;
/** An instance of {@link JWEDecryptionFailed}. */
export type JWEDecryptionFailed = JOSEError;
/** An instance of {@link JWSSignatureVerificationFailed}. */
export type JWSSignatureVerificationFailed = JOSEError;
