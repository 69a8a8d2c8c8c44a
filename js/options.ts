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

/**
 * The options document last built, with the member values it was built from (`items`: the copy of
 * an array value's items; a string list's items can change under the same array). Callers pass the
 * same options on every call, often as a fresh object literal; a call whose members equal these
 * (strings, numbers and booleans by value, arrays item by item) builds the same document, so it is
 * reused instead of built and serialised again. Options with `crit` are never reused.
 */
interface LastDocument {
  algorithms: unknown;
  algorithmsItems: readonly string[] | undefined;
  issuer: unknown;
  issuerItems: readonly string[] | undefined;
  audience: unknown;
  audienceItems: readonly string[] | undefined;
  subject: unknown;
  typ: unknown;
  clockTolerance: unknown;
  maxTokenAge: unknown;
  requiredClaims: unknown;
  requiredClaimsItems: readonly string[] | undefined;
  tokenCache: unknown;
  json: string;
}

let last: LastDocument | undefined;
/** The last string secret and its UTF-8 bytes (they only ever get copied into the module). */
let lastSecret: { text: string; bytes: Uint8Array } | undefined;

function sameMember(value: unknown, saved: unknown, items: readonly string[] | undefined): boolean {
  if (items === undefined) return value === saved;
  if (!Array.isArray(value) || value.length !== items.length) return false;
  for (let i = 0; i < items.length; i += 1) {
    if (value[i] !== items[i]) return false;
  }
  return true;
}

function sameDocument(o: VerifyOptions, d: LastDocument): boolean {
  return (
    o.crit === undefined &&
    sameMember(o.algorithms, d.algorithms, d.algorithmsItems) &&
    sameMember(o.issuer, d.issuer, d.issuerItems) &&
    sameMember(o.audience, d.audience, d.audienceItems) &&
    o.subject === d.subject &&
    o.typ === d.typ &&
    o.clockTolerance === d.clockTolerance &&
    o.maxTokenAge === d.maxTokenAge &&
    sameMember(o.requiredClaims, d.requiredClaims, d.requiredClaimsItems) &&
    o.tokenCache === d.tokenCache
  );
}

/** The items of `value` when it is an array (then `list` is its checked copy). */
function itemsOf(value: unknown, list: unknown): readonly string[] | undefined {
  return Array.isArray(value) ? (list as string[]) : undefined;
}

/** Checks the members of the options document and serialises it; remembers it as {@link last}. */
function documentJson(o: VerifyOptions): string {
  const doc: Record<string, unknown> = {};
  const { algorithms, issuer, audience, subject, typ, clockTolerance, maxTokenAge, requiredClaims } = o;
  if (algorithms !== undefined) doc.algorithms = stringList(algorithms, 'algorithms', false);
  if (issuer !== undefined) doc.issuer = stringList(issuer, 'issuer', true);
  if (audience !== undefined) doc.audience = stringList(audience, 'audience', true);
  if (subject !== undefined) {
    if (typeof subject !== 'string') throw new TypeError('subject must be a string');
    doc.subject = subject;
  }
  if (typ !== undefined) {
    if (typeof typ !== 'string') throw new TypeError('typ must be a string');
    doc.typ = typ;
  }
  if (clockTolerance !== undefined) doc.clockTolerance = seconds(clockTolerance, 'clockTolerance');
  if (maxTokenAge !== undefined) doc.maxTokenAge = seconds(maxTokenAge, 'maxTokenAge');
  if (requiredClaims !== undefined) doc.requiredClaims = stringList(requiredClaims, 'requiredClaims', false);
  const crit = o.crit as unknown;
  if (crit !== undefined) {
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
  const tokenCache = o.tokenCache;
  if (tokenCache !== undefined) {
    if (typeof tokenCache !== 'boolean') throw new TypeError('tokenCache must be a boolean');
    doc.tokenCache = tokenCache;
  }
  const json = JSON.stringify(doc);
  if (crit === undefined) {
    last = {
      algorithms,
      algorithmsItems: itemsOf(algorithms, doc.algorithms),
      issuer,
      issuerItems: itemsOf(issuer, doc.issuer),
      audience,
      audienceItems: itemsOf(audience, doc.audience),
      subject,
      typ,
      clockTolerance,
      maxTokenAge,
      requiredClaims,
      requiredClaimsItems: itemsOf(requiredClaims, doc.requiredClaims),
      tokenCache,
      json,
    };
  }
  return json;
}

/** Validates `options` and builds what the WebAssembly layer needs. */
export function normalizeOptions(options: VerifyOptions | undefined): NormalizedOptions {
  if (options === undefined || options === null) {
    return { json: '{}', secret: undefined, now: Math.floor(Date.now() / 1000) };
  }
  if (typeof options !== 'object') throw new TypeError('options must be an object');
  const o = options;
  const json = last !== undefined && sameDocument(o, last) ? last.json : documentJson(o);
  let now: number;
  const currentDate = o.currentDate;
  if (currentDate === undefined) {
    now = Math.floor(Date.now() / 1000);
  } else {
    if (!isDate(currentDate) || !Number.isFinite(currentDate.getTime())) {
      throw new TypeError('currentDate must be a valid Date');
    }
    now = Math.floor(currentDate.getTime() / 1000);
  }
  let secret: Uint8Array | undefined;
  const given = o.secret;
  if (given !== undefined) {
    if (typeof given === 'string') {
      if (lastSecret === undefined || lastSecret.text !== given) lastSecret = { text: given, bytes: encoder.encode(given) };
      secret = lastSecret.bytes;
    } else if (given instanceof Uint8Array) secret = given;
    else throw new TypeError('secret must be a string or a Uint8Array');
    if (secret.length === 0) throw new TypeError('secret must not be empty');
  }
  return { json, secret, now };
}
