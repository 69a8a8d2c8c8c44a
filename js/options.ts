/**
 * Checks and normalises {@link VerifyOptions} before anything reaches WebAssembly. A malformed option
 * throws `TypeError` at once (jose's rule); a well-formed one becomes a small JSON document with
 * durations in seconds and single values as lists, which `src/wasm.rs` maps onto the Rust options.
 *
 * @module
 */
import type { VerifyOptions } from './types.js';

/** Options ready for the WebAssembly layer. */
export interface NormalizedOptions {
  /** The JSON document `src/wasm.rs` reads. */
  json: string;
  /** The HMAC secret as bytes. */
  secret: Uint8Array | undefined;
  /** The current time in whole seconds. */
  now: number;
}

const encoder = new TextEncoder();

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31557600 };
const DURATION =
  /^(\+|-)? ?(\d+|\d+\.\d+) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)(?: (ago|from now))?$/i;

/**
 * Seconds in a duration string such as `"30s"`, `"5 minutes"`, `"2 h"`, `"1.5 days"` (jose's
 * format). Throws `TypeError` for anything else.
 */
export function durationSeconds(text: string, option: string): number {
  const match = DURATION.exec(text);
  if (match === null || (match[4] !== undefined && match[1] !== undefined)) {
    throw new TypeError(`${option}: ${JSON.stringify(text)} is not a duration such as "30s" or "5 minutes"`);
  }
  const unit = UNITS[(match[3] ?? 's').charAt(0).toLowerCase()] ?? 1;
  const seconds = Math.round(parseFloat(match[2] ?? '0') * unit);
  return match[1] === '-' || match[4] === 'ago' ? -seconds : seconds;
}

function seconds(value: unknown, option: string): number {
  const result = typeof value === 'string' ? durationSeconds(value, option) : value;
  if (typeof result !== 'number' || !Number.isFinite(result) || result < 0) {
    throw new TypeError(`${option} must be a finite, non-negative number of seconds or a duration string`);
  }
  return result;
}

function stringList(value: unknown, option: string, single: boolean): string[] {
  if (single && typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return [...value];
  throw new TypeError(`${option} must be ${single ? 'a string or ' : ''}an array of strings`);
}

function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

/** Validates `options` and builds what the WebAssembly layer needs. */
export function normalizeOptions(options: VerifyOptions | undefined): NormalizedOptions {
  if (options === undefined || options === null) {
    return { json: '{}', secret: undefined, now: Math.floor(Date.now() / 1000) };
  }
  if (typeof options !== 'object') throw new TypeError('options must be an object');
  const doc: Record<string, unknown> = {};
  const o = options;
  if (o.algorithms !== undefined) doc.algorithms = stringList(o.algorithms, 'algorithms', false);
  if (o.issuer !== undefined) doc.issuer = stringList(o.issuer, 'issuer', true);
  if (o.audience !== undefined) doc.audience = stringList(o.audience, 'audience', true);
  if (o.subject !== undefined) {
    if (typeof o.subject !== 'string') throw new TypeError('subject must be a string');
    doc.subject = o.subject;
  }
  if (o.typ !== undefined) {
    if (typeof o.typ !== 'string') throw new TypeError('typ must be a string');
    doc.typ = o.typ;
  }
  if (o.clockTolerance !== undefined) doc.clockTolerance = seconds(o.clockTolerance, 'clockTolerance');
  if (o.maxTokenAge !== undefined) doc.maxTokenAge = seconds(o.maxTokenAge, 'maxTokenAge');
  if (o.requiredClaims !== undefined) doc.requiredClaims = stringList(o.requiredClaims, 'requiredClaims', false);
  if (o.crit !== undefined) {
    const crit = o.crit as unknown;
    if (
      typeof crit !== 'object' ||
      crit === null ||
      Array.isArray(crit) ||
      !Object.values(crit).every((v) => typeof v === 'boolean')
    ) {
      throw new TypeError('crit must be an object mapping header names to booleans');
    }
    doc.crit = crit;
  }
  if (o.tokenCache !== undefined) {
    if (typeof o.tokenCache !== 'boolean') throw new TypeError('tokenCache must be a boolean');
    doc.tokenCache = o.tokenCache;
  }
  let now: number;
  if (o.currentDate === undefined) {
    now = Math.floor(Date.now() / 1000);
  } else {
    if (!isDate(o.currentDate) || !Number.isFinite(o.currentDate.getTime())) {
      throw new TypeError('currentDate must be a valid Date');
    }
    now = Math.floor(o.currentDate.getTime() / 1000);
  }
  let secret: Uint8Array | undefined;
  if (o.secret !== undefined) {
    if (typeof o.secret === 'string') secret = encoder.encode(o.secret);
    else if (o.secret instanceof Uint8Array) secret = o.secret;
    else throw new TypeError('secret must be a string or a Uint8Array');
    if (secret.length === 0) throw new TypeError('secret must not be empty');
  }
  return { json: JSON.stringify(doc), secret, now };
}
