// Runs one case of the shared table (see cases.mjs) against a loaded edge-jwt module and judges the
// outcome. Pure JavaScript with no `node:` imports, so a Cloudflare Worker test runner can bundle it.

/** The modes a case can run in. 'async' and 'sync' pass `c.keys` as given; the '-keyset' modes first
 * turn non-null keys into a LocalKeySet with `lib.createLocalJWKSet`. */
export const MODES = ['async', 'sync', 'async-keyset', 'sync-keyset'];

/** Class name in `errors` for each code of docs/api.md, "Errors". */
export const CODE_TO_CLASS = {
  ERR_JOSE_GENERIC: 'JOSEError',
  ERR_JWS_INVALID: 'JWSInvalid',
  ERR_JWT_INVALID: 'JWTInvalid',
  ERR_JOSE_ALG_NOT_ALLOWED: 'JOSEAlgNotAllowed',
  ERR_JOSE_NOT_SUPPORTED: 'JOSENotSupported',
  ERR_JWKS_NO_MATCHING_KEY: 'JWKSNoMatchingKey',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'JWKSMultipleMatchingKeys',
  ERR_JWKS_INVALID: 'JWKSInvalid',
  ERR_JWKS_TIMEOUT: 'JWKSTimeout',
  ERR_JWKS_FETCH_FAILED: 'JWKSFetchFailed',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'JWSSignatureVerificationFailed',
  ERR_JWT_EXPIRED: 'JWTExpired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'JWTClaimValidationFailed',
};

const CLAIM_CODES = new Set(['ERR_JWT_EXPIRED', 'ERR_JWT_CLAIM_VALIDATION_FAILED']);

// ---------------------------------------------------------------------------------------------
// JSON cannot carry Infinity or NaN, which a verified payload can hold (`"exp":1e400` parses as
// Infinity, as with JSON.parse). The case table writes such numbers as {"$number":"Infinity"}.

/** Replaces non-finite numbers by {$number: '...'} so the value survives JSON. */
export function encodeSpecial(value) {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $number: String(value) };
  if (Array.isArray(value)) return value.map(encodeSpecial);
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value)) defineOwn(out, key, encodeSpecial(value[key]));
    return out;
  }
  return value;
}

/** The inverse of encodeSpecial. */
export function decodeSpecial(value) {
  if (Array.isArray(value)) return value.map(decodeSpecial);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$number' && typeof value.$number === 'string') {
      return Number(value.$number);
    }
    const out = {};
    for (const key of keys) defineOwn(out, key, decodeSpecial(value[key]));
    return out;
  }
  return value;
}

// Plain assignment of the key "__proto__" would set the prototype instead of an own member.
function defineOwn(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Options of a case as the library takes them: `currentDateMs` becomes `currentDate`. */
export function toOptions(caseOptions) {
  const options = {};
  for (const key of Object.keys(caseOptions || {})) {
    if (key === 'currentDateMs') options.currentDate = new Date(caseOptions.currentDateMs);
    else options[key] = caseOptions[key];
  }
  return options;
}

function errorOutcome(error, JOSEError) {
  let isJoseError = false;
  try {
    isJoseError = typeof JOSEError === 'function' && error instanceof JOSEError;
  } catch {
    isJoseError = false;
  }
  const isObj = error !== null && (typeof error === 'object' || typeof error === 'function');
  let name;
  try {
    name = isObj ? error.name : typeof error;
  } catch {
    name = 'unreadable';
  }
  let message;
  try {
    message = isObj ? String(error.message) : String(error);
  } catch {
    message = 'unreadable';
  }
  return {
    ok: false,
    code: isJoseError ? error.code : undefined,
    rawCode: isObj ? error.code : undefined,
    claim: isObj ? error.claim : undefined,
    reason: isObj ? error.reason : undefined,
    errorPayload: isObj ? error.payload : undefined,
    name,
    isJoseError,
    message,
  };
}

function contractViolation(message) {
  return { ok: false, code: undefined, name: 'ContractViolation', isJoseError: false, message };
}

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

/**
 * Runs case `c` through `lib` in `mode` (one of MODES). Never throws: every failure, including a
 * TypeError or a WebAssembly RuntimeError, comes back as `{ ok: false, ... }`.
 * @returns {Promise<{ok: true, payload: any, protectedHeader: any} |
 *   {ok: false, code: string|undefined, claim?: string, reason?: string, name: string,
 *    isJoseError: boolean, message: string, errorPayload?: any, syncThrow?: boolean}>}
 */
export async function runCase(lib, c, mode) {
  const JOSEError = lib && lib.errors && lib.errors.JOSEError;
  let options;
  let keys = c.keys;
  try {
    options = toOptions(c.options);
    if (mode === 'async-keyset' || mode === 'sync-keyset') {
      if (keys !== null && keys !== undefined) keys = lib.createLocalJWKSet(keys);
    } else if (mode !== 'async' && mode !== 'sync') {
      return contractViolation(`unknown mode ${mode}`);
    }
  } catch (error) {
    return errorOutcome(error, JOSEError);
  }

  const sync = mode === 'sync' || mode === 'sync-keyset';
  let result;
  if (sync) {
    try {
      result = lib.verifyTokenSync(c.token, keys, options);
    } catch (error) {
      return errorOutcome(error, JOSEError);
    }
    if (isThenable(result)) {
      // Keep an unobserved rejection from crashing the runner.
      try {
        result.then(undefined, () => {});
      } catch {
        // ignore
      }
      return contractViolation('verifyTokenSync returned a promise; it must return the result or throw');
    }
  } else {
    let pending;
    try {
      pending = lib.verifyToken(c.token, keys, options);
    } catch (error) {
      return { ...errorOutcome(error, JOSEError), syncThrow: true };
    }
    if (!isThenable(pending)) {
      return contractViolation('verifyToken did not return a promise');
    }
    try {
      result = await pending;
    } catch (error) {
      return errorOutcome(error, JOSEError);
    }
  }
  if (result === null || typeof result !== 'object') {
    return contractViolation(`the result is ${result === null ? 'null' : typeof result}, not { payload, protectedHeader }`);
  }
  return { ok: true, payload: result.payload, protectedHeader: result.protectedHeader };
}

// ---------------------------------------------------------------------------------------------

function show(value) {
  let text;
  try {
    text = typeof value === 'bigint' ? `${value}n` : JSON.stringify(encodeSpecial(value));
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** First difference between expected and actual (plain JSON-like data), or null. */
export function diff(expected, actual, path = '$') {
  if (typeof expected === 'number') {
    if (typeof actual === 'number' && (expected === actual || Object.is(expected, actual))) return null;
    return `${path}: expected ${show(expected)}, found ${show(actual)} (${typeof actual})`;
  }
  if (expected === null || typeof expected !== 'object') {
    if (expected === actual) return null;
    return `${path}: expected ${show(expected)}, found ${show(actual)} (${actual === null ? 'null' : typeof actual})`;
  }
  if (actual === null || typeof actual !== 'object') {
    return `${path}: expected ${show(expected)}, found ${show(actual)} (${actual === null ? 'null' : typeof actual})`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, found ${show(actual)}`;
    if (expected.length !== actual.length) {
      return `${path}: expected an array of ${expected.length}, found one of ${actual.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const d = diff(expected[i], actual[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (Array.isArray(actual)) return `${path}: expected an object, found an array ${show(actual)}`;
  const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
  for (const key of Object.keys(expected)) {
    if (!has(actual, key)) return `${path}.${key}: missing (expected ${show(expected[key])})`;
  }
  for (const key of Object.keys(actual)) {
    if (!has(expected, key)) return `${path}.${key}: unexpected member ${show(actual[key])}`;
  }
  for (const key of Object.keys(expected)) {
    const d = diff(expected[key], actual[key], `${path}.${key}`);
    if (d) return d;
  }
  return null;
}

/** One-line description of an outcome, for failure messages. */
export function describeOutcome(outcome) {
  if (outcome.ok) return `success with payload ${show(outcome.payload)}`;
  const parts = [outcome.name ?? 'error'];
  if (outcome.code !== undefined) parts.push(`code=${outcome.code}`);
  else if (outcome.rawCode !== undefined) parts.push(`(not a JOSEError; its code is ${show(outcome.rawCode)})`);
  if (outcome.claim !== undefined) parts.push(`claim=${show(outcome.claim)}`);
  if (outcome.reason !== undefined) parts.push(`reason=${show(outcome.reason)}`);
  if (!outcome.isJoseError) parts.push('[not an instance of errors.JOSEError]');
  parts.push(`message=${show(outcome.message)}`);
  return parts.join(' ');
}

/**
 * Compares an outcome of runCase with `c.expect`.
 * @returns {string|null} null when the outcome matches, otherwise what differs.
 */
export function checkOutcome(c, outcome) {
  const expect = c.expect;
  if (outcome.syncThrow) {
    return `verifyToken threw synchronously (${describeOutcome(outcome)}); it must return a rejected promise`;
  }
  if (expect.ok) {
    if (!outcome.ok) return `expected success, got ${describeOutcome(outcome)}`;
    const p = diff(decodeSpecial(expect.payload), outcome.payload, 'payload');
    if (p) return p;
    const h = diff(decodeSpecial(expect.header), outcome.protectedHeader, 'protectedHeader');
    if (h) return h;
    return null;
  }

  const codes = Array.isArray(expect.code) ? expect.code : [expect.code];
  const wanted = codes.join(' or ');
  if (outcome.ok) return `expected ${wanted}, but verification succeeded with payload ${show(outcome.payload)}`;
  if (!outcome.isJoseError) return `expected ${wanted}, got ${describeOutcome(outcome)}`;
  if (!codes.includes(outcome.code)) return `expected ${wanted}, got ${describeOutcome(outcome)}`;
  const className = CODE_TO_CLASS[outcome.code];
  if (className && outcome.name !== className) {
    return `error code ${outcome.code} should come with name ${className}, found name ${show(outcome.name)}`;
  }
  if (typeof outcome.message !== 'string' || outcome.message.length === 0) {
    return `error ${outcome.code} has an empty message`;
  }
  if (expect.claim !== undefined && outcome.claim !== expect.claim) {
    return `expected claim ${show(expect.claim)}, got ${describeOutcome(outcome)}`;
  }
  if (expect.reason !== undefined && outcome.reason !== expect.reason) {
    return `expected reason ${show(expect.reason)}, got ${describeOutcome(outcome)}`;
  }
  if (CLAIM_CODES.has(outcome.code)) {
    if (typeof outcome.claim !== 'string' || typeof outcome.reason !== 'string') {
      return `a ${outcome.code} error must carry string claim and reason: ${describeOutcome(outcome)}`;
    }
    if (expect.payload !== undefined) {
      const p = diff(decodeSpecial(expect.payload), outcome.errorPayload, 'error.payload');
      if (p) return p;
    }
  }
  if (typeof c.token === 'string' && c.token.length >= 24 && outcome.message.includes(c.token)) {
    return `the error message echoes the whole token: ${show(outcome.message)}`;
  }
  const secret = c.options && c.options.secret;
  if (typeof secret === 'string' && secret.length >= 6 && outcome.message.includes(secret)) {
    return `the error message echoes the secret: ${show(outcome.message)}`;
  }
  return null;
}
