/**
 * Turns what the WebAssembly layer answers into JS values: a failure (`src/wasm.rs` `VerifyError`,
 * told apart by its `code`) into the right class of `errors`, copied out of wasm memory and freed;
 * a verified token's header and payload texts into `{ payload, protectedHeader }`. Internal: not
 * exported.
 *
 * @module
 */
import * as errors from './errors.js';
import type { ClaimFailureReason, JOSEError } from './errors.js';
import type { JWSHeader, JWTPayload, VerifyResult } from './types.js';
import { discardInstance, isTrap, type Verified, type VerifyErrorHandle } from './wasm.js';

const byCode: Record<string, typeof JOSEError> = Object.fromEntries(
  [
    errors.JWSInvalid,
    errors.JWTInvalid,
    errors.JOSEAlgNotAllowed,
    errors.JOSENotSupported,
    errors.JWKSNoMatchingKey,
    errors.JWKSMultipleMatchingKeys,
    errors.JWKSInvalid,
    errors.JWKSTimeout,
    errors.JWKSFetchFailed,
    errors.JWSSignatureVerificationFailed,
    errors.JWEInvalid,
    errors.JWEDecryptionFailed,
  ].map((cls) => [cls.code, cls]),
);

/** A failure copied out of wasm memory. */
interface RawFailure {
  code: string;
  message: string;
  claim: string | undefined;
  reason: string | undefined;
  payload: string | undefined;
}

function toJoseError(raw: RawFailure): Error {
  if (raw.code === 'ERR_JWT_EXPIRED' || raw.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    let payload: JWTPayload = {};
    try {
      payload = raw.payload === undefined ? {} : (JSON.parse(raw.payload) as JWTPayload);
    } catch {
      // The core only reports payloads it parsed; keep {} if that ever fails.
    }
    const Cls = raw.code === 'ERR_JWT_EXPIRED' ? errors.JWTExpired : errors.JWTClaimValidationFailed;
    return new Cls(raw.message, payload, raw.claim, raw.reason as ClaimFailureReason);
  }
  const Cls = byCode[raw.code];
  // ERR_INVALID_OPTIONS: options that js/options.ts should already have refused.
  return Cls === undefined ? new TypeError(raw.message) : new Cls(raw.message);
}

/** If `error` is a failure object thrown by the module, its JS error (the object is freed). */
export function takeFailure(error: unknown): Error | undefined {
  const e = error as Partial<VerifyErrorHandle> | null;
  if (e === null || typeof e !== 'object' || typeof e.free !== 'function' || typeof e.code !== 'string') {
    return undefined;
  }
  // The claim arrives as UTF-16 code units: it may hold a lone surrogate, which UTF-8 cannot carry.
  const units = e.claim;
  const claim = units === undefined ? undefined : String.fromCharCode(...units);
  const raw = { code: e.code, message: e.message ?? '', claim, reason: e.reason, payload: e.payload };
  e.free();
  return toJoseError(raw);
}

/** The JS error for whatever the module threw; a trap also drops the instance. */
export function wasmFailure(error: unknown): unknown {
  if (isTrap(error)) discardInstance();
  return takeFailure(error) ?? error;
}

/** `{ payload, protectedHeader }` from a verified token's `[protectedHeader, payload]` JSON text. */
export function resultOf(verified: Verified): VerifyResult {
  const [protectedHeader, payload] = JSON.parse(verified) as [JWSHeader, JWTPayload];
  return { payload, protectedHeader };
}
