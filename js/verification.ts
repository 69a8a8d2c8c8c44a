/**
 * One verification with a local key set (or none, for a secret): the one path every verification
 * takes, remote key sets included (a remote set hands over its current local set), and the protocol
 * of the seam (`src/wasm.rs`, docs/ARCHITECTURE.md):
 *
 * - in WebAssembly alone, one call: `verify` answers the verified token, one JSON text
 *   `[protectedHeader, payload]`;
 * - with the host's crypto, at most two: `prepare` answers either the finished token (a cache hit,
 *   HMAC, an algorithm the host does not check) or `[ticket, algorithm, signature, ...keys]`; the
 *   host checks the signature; `KeySet.finish(ticket, verdict)` answers the verified token.
 *
 * @module
 */
import { resultOf, wasmFailure } from './failure.js';
import { keySetHandle, type LocalKeySet } from './keys.js';
import { hostVerifies, isPromise, nativeVerifier } from './native.js';
import type { NormalizedOptions } from './options.js';
import type { VerifyResult } from './types.js';
import { bindingsSync, InstanceBound, type HostRequest, type OptionsHandle, type Prepared, type Verified } from './wasm.js';

/** The checked inputs of one verification. */
export interface Verification {
  /** The token. */
  text: string;
  /** `text` as UTF-8: what the module reads, and (up to the last dot) what the signature signs. */
  bytes: Uint8Array;
  options: NormalizedOptions;
  /** The key set; undefined for a secret only. */
  keys: LocalKeySet | undefined;
}

/**
 * Checks `signature` over the token of `v` (its UTF-8 bytes up to the last dot) with one of `keys`
 * (positions in `v.keys`): the verdict, or undefined when this host cannot (then the module
 * verifies alone).
 */
export type SignatureCheck = (
  algorithm: string,
  signature: Uint8Array,
  keys: readonly number[],
  v: Verification,
) => boolean | undefined | Promise<boolean | undefined>;

const nativeCheck: SignatureCheck = (algorithm, signature, keys, v) =>
  hostVerifies(algorithm, signingInput(v), signature, keys, (i) => v.keys?.jwk(i));

/** What the signature signs: the token's UTF-8 bytes up to its last dot (the module parsed it, so it is ASCII). */
export function signingInput(v: Verification): Uint8Array {
  return v.bytes.subarray(0, v.text.lastIndexOf('.'));
}

/**
 * The verification `verifyToken` makes, local and remote key sets alike: with the host's native
 * crypto (`js/native.ts`) where the runtime has it, else in WebAssembly alone.
 */
export function verifyLocal(v: Verification): VerifyResult | Promise<VerifyResult> {
  return nativeVerifier() === undefined ? verifyInModule(v) : verifyWithHost(v, nativeCheck);
}

/** Options documents read into the module, by their text (callers pass the same options each time). */
const optionsRead = new Map<string, InstanceBound<OptionsHandle>>();
const OPTIONS_KEPT = 16;

function optionsHandle(json: string): OptionsHandle {
  let bound = optionsRead.get(json);
  if (bound === undefined) {
    if (optionsRead.size >= OPTIONS_KEPT) {
      const [oldest, dropped] = optionsRead.entries().next().value as [string, InstanceBound<OptionsHandle>];
      optionsRead.delete(oldest);
      // Never used across an await, so nothing holds it now.
      dropped.current()?.free();
    }
    bound = new InstanceBound((wasm) => new wasm.Options(json));
    optionsRead.set(json, bound);
  }
  return bound.get();
}

/** The whole verification in WebAssembly: one call into the module. */
export function verifyInModule(v: Verification): VerifyResult {
  let verified: Verified;
  try {
    const wasm = bindingsSync();
    verified = wasm.verify(v.bytes, keySetHandle(v.keys), optionsHandle(v.options.json), v.options.secret, v.options.now) as Verified;
  } catch (error) {
    throw wasmFailure(error);
  }
  return resultOf(verified);
}

/**
 * The verification with `host` checking the signature: at most two calls into the module, and
 * nothing awaited when the host answers synchronously (`node:crypto`).
 */
export function verifyWithHost(v: Verification, host: SignatureCheck): VerifyResult | Promise<VerifyResult> {
  let step: Prepared;
  try {
    const wasm = bindingsSync();
    step = wasm.prepare(v.bytes, keySetHandle(v.keys), optionsHandle(v.options.json), v.options.secret, v.options.now) as Prepared;
  } catch (error) {
    throw wasmFailure(error);
  }
  if (typeof step[0] === 'string') return resultOf(step[0]);
  const [ticket, algorithm, signature, ...keys] = step as HostRequest;
  let verdict: boolean | undefined | Promise<boolean | undefined>;
  try {
    verdict = host(algorithm, signature, keys, v);
  } catch (error) {
    release(v, ticket);
    throw error;
  }
  if (!isPromise(verdict)) return finish(v, ticket, verdict);
  return verdict.then(
    (answer) => finish(v, ticket, answer),
    (error: unknown): never => {
      release(v, ticket);
      throw error;
    },
  );
}

/** Completes the host check `ticket` with the host's verdict. */
function finish(v: Verification, ticket: number, verdict: boolean | undefined): VerifyResult {
  let done: Verified | undefined;
  try {
    done = keySetHandle(v.keys).finish(ticket, verdict) as Verified | undefined;
  } catch (error) {
    throw wasmFailure(error);
  }
  // No such check (the instance was replaced meanwhile) or no verdict (the host could not check
  // this key): the module verifies alone.
  return done === undefined ? verifyInModule(v) : resultOf(done);
}

/** Drops the host check `ticket` (the host failed). */
function release(v: Verification, ticket: number): void {
  try {
    keySetHandle(v.keys).finish(ticket, undefined);
  } catch (error) {
    wasmFailure(error);
  }
}
