// The shared case table of the edge-jwt package tests.
//
// makeCases() signs fresh tokens with jose (the independent signer) and node:crypto (for tokens jose
// refuses to make), and returns JSON-serialisable cases:
//   { category, name, token, keys, options, expect, differsFromJose?, jose? }
// - keys: a JWKS object, its JSON text, or null (then options.secret holds the HMAC secret).
// - options: VerifyOptions, with currentDate given as epoch milliseconds in `currentDateMs`.
// - expect: { ok: true, payload, header } or { code, claim?, reason?, payload? } where code may be an
//   array of acceptable codes. Non-finite numbers are written as {"$number": "Infinity"}.
//
// While building, every case is also run through jose's own jwtVerify: an `ok` case must give the
// same payload and protectedHeader in jose, and an error case must give the same code (when jose
// answers with a JOSEError). Cases where this library deliberately differs from jose carry
// `differsFromJose: '<reason>'` and are not compared. A mismatch throws, so a wrong expectation is
// caught when the table is built.

import * as jose from 'jose';
import crypto from 'node:crypto';
import { CODE_TO_CLASS, checkOutcome, describeOutcome, encodeSpecial, decodeSpecial, toOptions } from './run-case.mjs';

/** The fixed clock of the table: 2026-01-01T00:00:00Z. */
export const NOW = 1_767_225_600;
/** currentDate of every case: 999 ms into the second NOW, so a verifier that rounds instead of
 * flooring milliseconds to seconds is caught by the exp/nbf edge cases. */
export const NOW_MS = NOW * 1000 + 999;

export const ISSUER = 'https://issuer.example.com';
export const AUDIENCE = 'api://edge-jwt-tests';
export const SUBJECT = 'user-8f14e45f';

/** Every algorithm of docs/api.md, "Algorithms". */
export const ALGORITHMS = [
  'EdDSA', 'Ed25519',
  'ES256', 'ES384', 'ES512',
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'HS256', 'HS384', 'HS512',
];

const CURVE_ORDER = {
  ES256: BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551'),
  ES384: BigInt('0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973'),
  ES512: BigInt('0x01FF' + 'FFFFFFFF'.repeat(7) + 'FFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409'),
};
const COMPONENT_BYTES = { ES256: 32, ES384: 48, ES512: 66 };

const ED25519_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;

// ---------------------------------------------------------------------------------------------
// Encoding helpers

const utf8 = new TextEncoder();

export function b64u(input) {
  return Buffer.from(typeof input === 'string' ? utf8.encode(input) : input).toString('base64url');
}

function fromB64u(segment) {
  return Buffer.from(segment, 'base64url');
}

/** Segment for a JSON value, a raw JSON text (string) or raw bytes (Buffer/Uint8Array). */
function segment(value) {
  if (typeof value === 'string' || value instanceof Uint8Array) return b64u(value);
  return b64u(JSON.stringify(value));
}

function flipBit(segmentText, byteIndex, bit = 0) {
  const bytes = fromB64u(segmentText);
  bytes[byteIndex] ^= 1 << bit;
  return b64u(bytes);
}

function bigToBytes(value, length) {
  const out = Buffer.alloc(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function bytesToBig(bytes) {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function headerAlg(token) {
  try {
    const alg = JSON.parse(fromB64u(String(token).split('.')[0]).toString('utf8')).alg;
    return typeof alg === 'string' ? alg : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Keys and signing

async function makeKeyPair(alg, kid, { setAlg = true, modulusLength } = {}) {
  const options = { extractable: true };
  if (modulusLength) options.modulusLength = modulusLength;
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, options);
  const jwk = { ...(await jose.exportJWK(publicKey)), kid };
  if (setAlg) jwk.alg = alg;
  return { alg, kid, jwk, privateKey, signingKey: crypto.KeyObject.from(privateKey), publicKeyObject: crypto.KeyObject.from(publicKey) };
}

/** A key made with node:crypto, for sizes jose's generateKeyPair refuses (RSA under 2048 bits). */
function makeNodeRsaKey(bits, kid, alg) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid };
  if (alg) jwk.alg = alg;
  return { alg, kid, jwk, signingKey: privateKey, publicKeyObject: publicKey };
}

/** Signs `signingInput` (a string) for `alg` with a KeyObject or, for HS*, a secret. */
function rawSign(alg, key, signingInput, { dsaEncoding = 'ieee-p1363' } = {}) {
  const data = Buffer.from(signingInput, 'utf8');
  const bits = alg.slice(-3);
  switch (alg.slice(0, 2)) {
    case 'HS':
      return crypto.createHmac(`sha${bits}`, key).update(data).digest();
    case 'RS':
      return crypto.sign(`sha${bits}`, data, key);
    case 'PS':
      return crypto.sign(`sha${bits}`, data, {
        key,
        padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
        saltLength: Number(bits) / 8,
      });
    case 'ES':
      return crypto.sign(`sha${bits}`, data, { key, dsaEncoding });
    default:
      return crypto.sign(null, data, key); // EdDSA / Ed25519
  }
}

/** A compact token made by hand: header and payload are JSON values, raw JSON text or bytes. */
function handToken(alg, key, header, payload, opts) {
  const signingInput = `${segment(header)}.${segment(payload)}`;
  return `${signingInput}.${b64u(rawSign(alg, key, signingInput, opts))}`;
}

// ---------------------------------------------------------------------------------------------
// jose as the reference verifier

function joseErrorOutcome(error) {
  const isJoseError = error instanceof jose.errors.JOSEError;
  return {
    ok: false,
    code: isJoseError ? error.code : undefined,
    claim: error?.claim,
    reason: error?.reason,
    errorPayload: error?.payload,
    name: error?.name,
    isJoseError,
    message: String(error?.message ?? error),
  };
}

async function joseOutcome(c) {
  let jwks = c.keys;
  const fromText = typeof jwks === 'string';
  if (fromText) {
    try {
      jwks = JSON.parse(jwks);
    } catch {
      return { skipped: 'jose takes no JWKS JSON text, and this text is not JSON' };
    }
  }
  const options = toOptions(c.options);
  const secret = options.secret;
  delete options.secret;
  let key;
  const alg = headerAlg(c.token);
  if (secret !== undefined && (jwks === null || jwks === undefined || (alg && alg.startsWith('HS')))) {
    key = typeof secret === 'string' ? utf8.encode(secret) : secret;
  } else if (fromText || (jwks !== null && jwks !== undefined)) {
    try {
      key = jose.createLocalJWKSet(jwks);
    } catch (error) {
      return joseErrorOutcome(error);
    }
  } else {
    return { skipped: 'no key or secret' };
  }
  try {
    const { payload, protectedHeader } = await jose.jwtVerify(c.token, key, options);
    return { ok: true, payload, protectedHeader };
  } catch (error) {
    return joseErrorOutcome(error);
  }
}

async function crossCheckWithJose(cases) {
  for (const c of cases) {
    const outcome = await joseOutcome(c);
    if (outcome.skipped) {
      c.jose = `not compared: ${outcome.skipped}`;
      continue;
    }
    if (c.differsFromJose) {
      c.jose = `jose gives ${describeOutcome(outcome)}`;
      continue;
    }
    if (!c.expect.ok && !outcome.ok && !outcome.isJoseError) {
      // jose answers this one with a plain TypeError/DOMException: nothing to compare codes with.
      c.jose = `not compared: jose throws ${outcome.name}: ${outcome.message}`;
      continue;
    }
    const problem = checkOutcome(c, outcome);
    if (problem) {
      throw new Error(`case table: jose disagrees with the expectation of "${c.name}": ${problem}`);
    }
    // Claim errors carry the parsed payload; expect the same one jose reports.
    if (!c.expect.ok && (outcome.code === 'ERR_JWT_EXPIRED' || outcome.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')) {
      c.expect.payload = encodeSpecial(outcome.errorPayload);
    }
    c.jose = 'same';
  }
}

// ---------------------------------------------------------------------------------------------

const ok = (payload, header) => ({ ok: true, payload: encodeSpecial(payload), header: encodeSpecial(header) });
const fail = (code, claim, reason) => {
  const e = { code };
  if (claim !== undefined) e.claim = claim;
  if (reason !== undefined) e.reason = reason;
  return e;
};

const SIG_FAILED = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
const JWS_INVALID = 'ERR_JWS_INVALID';
const JWT_INVALID = 'ERR_JWT_INVALID';
const NOT_SUPPORTED = 'ERR_JOSE_NOT_SUPPORTED';
const ALG_NOT_ALLOWED = 'ERR_JOSE_ALG_NOT_ALLOWED';
const NO_MATCHING = 'ERR_JWKS_NO_MATCHING_KEY';
const MULTIPLE = 'ERR_JWKS_MULTIPLE_MATCHING_KEYS';
const JWKS_INVALID = 'ERR_JWKS_INVALID';
const EXPIRED = 'ERR_JWT_EXPIRED';
const CLAIM_FAILED = 'ERR_JWT_CLAIM_VALIDATION_FAILED';

/** Builds the case table. Takes a few seconds (RSA key generation). */
export async function makeCases() {
  const cases = [];
  const add = (category, name, token, keys, options, expect, extra = {}) => {
    cases.push({
      category,
      name: `${category}: ${name}`,
      token,
      keys,
      options: { currentDateMs: NOW_MS, ...options },
      expect,
      ...extra,
    });
  };

  // ----- keys --------------------------------------------------------------------------------
  const keys = {};
  const secrets = {};
  for (const alg of ALGORITHMS) {
    if (alg.startsWith('HS')) {
      secrets[alg] = `${alg.toLowerCase()}-secret-${crypto.randomBytes(24).toString('hex')}`;
    } else {
      keys[alg] = await makeKeyPair(alg, `k-${alg}`);
    }
  }
  // The JWKS of the table: one public key per asymmetric algorithm, each with kid and alg.
  const jwks = { keys: Object.values(keys).map((k) => k.jwk) };
  const jwksText = JSON.stringify(jwks);
  const es = keys.ES256;
  const noKid = (k) => {
    const j = { ...k.jwk };
    delete j.kid;
    return j;
  };

  const basePayload = () => ({
    iss: ISSUER,
    sub: SUBJECT,
    aud: AUDIENCE,
    iat: NOW - 60,
    exp: NOW + 3600,
    jti: crypto.randomUUID(),
    nested: { roles: ['admin', 'reader'], level: 3, ratio: 0.25, flags: { a: true, b: false, c: null }, list: [1, 'two', { three: 3 }] },
    name: 'Zoë Ångström 日本語 Ελληνικά 🙂🚀 \u0000\t"quoted"\\',
  });

  const signWith = async (alg, payload, header) => {
    const key = alg.startsWith('HS') ? utf8.encode(secrets[alg]) : keys[alg].privateKey;
    return new jose.SignJWT(payload).setProtectedHeader(header).sign(key);
  };
  const keysFor = (alg) => (alg.startsWith('HS') ? null : jwks);
  const secretOpt = (alg) => (alg.startsWith('HS') ? { secret: secrets[alg] } : {});

  /** An ES256 token from jose (object payload) or by hand (raw JSON text / bytes). */
  const esToken = async (payload, headerExtra = {}) => {
    const header = { alg: 'ES256', kid: es.kid, typ: 'JWT', ...headerExtra };
    // jose's signer refuses malformed crit and b64 members, and non-object payloads: make those by hand.
    if (typeof payload === 'string' || payload instanceof Uint8Array || 'crit' in headerExtra || 'b64' in headerExtra) {
      return { token: handToken('ES256', es.signingKey, header, payload), header };
    }
    return { token: await new jose.SignJWT(payload).setProtectedHeader(header).sign(es.privateKey), header };
  };
  const hsToken = (payload, headerExtra = {}, secret = secrets.HS256) => {
    const header = { alg: 'HS256', typ: 'JWT', ...headerExtra };
    return { token: handToken('HS256', secret, header, payload), header };
  };

  // ----- 1. every algorithm accepted ------------------------------------------------------------
  const goodTokens = {};
  for (const alg of ALGORITHMS) {
    const header = alg.startsWith('HS') ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid: keys[alg].kid };
    const payload = basePayload();
    const token = await signWith(alg, payload, header);
    goodTokens[alg] = { token, header, payload };
    add('alg', `${alg} accepted with every claim option`, token, keysFor(alg), {
      ...secretOpt(alg),
      algorithms: [alg],
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: SUBJECT,
      typ: 'JWT',
      maxTokenAge: '1h',
      clockTolerance: 5,
      requiredClaims: ['exp', 'jti', 'nested'],
    }, ok(payload, header));
    add('alg', `${alg} accepted with no options (keys as JSON text)`, token,
      alg.startsWith('HS') ? null : jwksText, secretOpt(alg), ok(payload, header));
  }
  {
    // Ed25519 key without alg serves both EdDSA and Ed25519 tokens; an RSA key without alg both RS and PS.
    const ed = await makeKeyPair('Ed25519', 'ed-no-alg', { setAlg: false });
    const rsa = await makeKeyPair('RS256', 'rsa-no-alg', { setAlg: false });
    const set = { keys: [ed.jwk, rsa.jwk] };
    for (const alg of ['EdDSA', 'Ed25519']) {
      const header = { alg, kid: ed.kid };
      const payload = { sub: SUBJECT, n: 1 };
      add('alg', `${alg} token, Ed25519 key without alg`, handToken(alg, ed.signingKey, header, payload), set, {}, ok(payload, header));
    }
    for (const alg of ['RS256', 'PS256', 'PS512']) {
      const header = { alg, kid: rsa.kid };
      const payload = { sub: SUBJECT, n: 2 };
      add('alg', `${alg} token, RSA key without alg`, handToken(alg, rsa.signingKey, header, payload), set, {}, ok(payload, header));
    }
    // A token without kid: the JWKS has exactly one key whose kty/crv/alg fit.
    for (const alg of ['ES256', 'RS256', 'EdDSA']) {
      const header = { alg };
      const payload = { sub: SUBJECT, nokid: true };
      add('alg', `${alg} token without kid selects the only fitting key`, handToken(alg, keys[alg].signingKey, header, payload), jwks, {}, ok(payload, header));
    }
    // HS256 with a secret while a JWKS is also given: the secret is used.
    add('alg', 'HS256 with options.secret and a JWKS also given', goodTokens.HS256.token, jwks, { secret: secrets.HS256 }, ok(goodTokens.HS256.payload, goodTokens.HS256.header));
    // ES256 with a secret also given: the JWKS is used.
    add('alg', 'ES256 with a JWKS and an unrelated options.secret', goodTokens.ES256.token, jwks, { secret: 'unrelated-secret' }, ok(goodTokens.ES256.payload, goodTokens.ES256.header));
    // Non-ASCII secret: a string secret is its UTF-8 bytes.
    const uniSecret = 'sécret-ключ-秘密-🔑-0123456789';
    const t = hsToken({ sub: SUBJECT }, {}, Buffer.from(uniSecret, 'utf8'));
    add('alg', 'HS256 with a non-ASCII string secret (UTF-8 bytes)', t.token, null, { secret: uniSecret }, ok({ sub: SUBJECT }, t.header));
    // JWKS with keys the library does not use (encryption keys, unknown kty) around the right one.
    const extra = {
      keys: [
        { kty: 'RSA', use: 'enc', kid: 'enc-1', n: keys.RS256.jwk.n, e: 'AQAB' },
        { kty: 'oct', kid: 'sym', k: b64u('not-a-verification-key') },
        { kty: 'XYZ', kid: 'future', foo: 'bar' },
        { kty: 'OKP', crv: 'X25519', kid: 'ecdh', x: keys.EdDSA.jwk.x },
        keys.ES256.jwk,
      ],
    };
    add('alg', 'JWKS with unusable keys (enc, oct, unknown kty, X25519) beside the right one', goodTokens.ES256.token, extra, {}, ok(goodTokens.ES256.payload, goodTokens.ES256.header));
    // An 8-byte HS256 secret is accepted (jose accepts any length; section 6 row 18).
    const short = hsToken({ sub: SUBJECT }, {}, Buffer.from('12345678'));
    add('alg', 'sec6#18 HS256 with an 8-byte secret is accepted', short.token, null, { secret: '12345678' }, ok({ sub: SUBJECT }, short.header));
  }

  // ----- 2. tampering --------------------------------------------------------------------------
  for (const alg of ALGORITHMS) {
    const { token } = goodTokens[alg];
    const [h, p, s] = token.split('.');
    const headerText = fromB64u(h).toString('utf8');
    // Flip bit 0 of the 'W' in "typ":"JWT": the header stays JSON, alg and kid are untouched.
    const wIndex = headerText.indexOf('"typ":"JWT"') + '"typ":"J'.length;
    add('tamper', `${alg} one bit flipped in the header`, `${flipBit(h, wIndex)}.${p}.${s}`, keysFor(alg), secretOpt(alg), fail([JWS_INVALID, SIG_FAILED]));
    add('tamper', `${alg} one bit flipped in the payload`, `${h}.${flipBit(p, Math.floor(fromB64u(p).length / 2))}.${s}`, keysFor(alg), secretOpt(alg), fail(SIG_FAILED));
    add('tamper', `${alg} one bit flipped in the signature`, `${h}.${p}.${flipBit(s, Math.floor(fromB64u(s).length / 3))}`, keysFor(alg), secretOpt(alg), fail(SIG_FAILED));
    // The header's first byte '{' with bit 0 flipped is 'z': the header is no longer JSON.
    add('tamper', `${alg} first header byte flipped (header not JSON)`, `${flipBit(h, 0)}.${p}.${s}`, keysFor(alg), secretOpt(alg), fail([JWS_INVALID, SIG_FAILED]));
  }

  // ----- 3. every error row of docs/api.md, "Errors" --------------------------------------------
  {
    const good = goodTokens.ES256;
    const [h, p, s] = good.token.split('.');
    const E = 'error';

    // ERR_JWS_INVALID
    add(E, 'JWS_INVALID 2 segments', `${h}.${p}`, jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID 4 segments', `${h}.${p}.${s}.${s}`, jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID 1 segment', `${h}${p}${s}`, jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID empty token', '', jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID only dots', '..', jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID bad base64url in the header (*)', `${h.slice(0, 4)}*${h.slice(5)}.${p}.${s}`, jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID bad base64url in the signature (*)', `${h}.${p}.${s.slice(0, 4)}*${s.slice(5)}`, jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID header segment of impossible length (4n+1)', `${h}A.${p}.${s}`, jwks, {}, fail(JWS_INVALID));
    for (const [label, text] of [
      ['header not JSON', 'not json'],
      ['header is a JSON array', '[{"alg":"ES256"}]'],
      ['header is JSON null', 'null'],
      ['header is a JSON string', '"ES256"'],
      ['header is empty', ''],
      ['header JSON with trailing garbage', '{"alg":"ES256","kid":"k-ES256"} x'],
    ]) {
      add(E, `JWS_INVALID ${label}`, handToken('ES256', es.signingKey, text, good.payload), jwks, {}, fail(JWS_INVALID));
    }
    add(E, 'JWS_INVALID header not UTF-8', handToken('ES256', es.signingKey, Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]), good.payload), jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID header without alg', handToken('ES256', es.signingKey, { kid: es.kid, typ: 'JWT' }, good.payload), jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID header alg is an empty string', handToken('ES256', es.signingKey, { alg: '', kid: es.kid }, good.payload), jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID header alg is a number', handToken('ES256', es.signingKey, { alg: 256, kid: es.kid }, good.payload), jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID crit is []', (await esToken(good.payload, { crit: [] })).token, jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID crit is a string', (await esToken(good.payload, { crit: 'b64', b64: true })).token, jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID crit contains an empty string', (await esToken(good.payload, { crit: [''] })).token, jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID crit lists b64 but b64 is missing', handToken('ES256', es.signingKey, { alg: 'ES256', kid: es.kid, crit: ['b64'] }, good.payload), jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID crit lists b64 but b64 is not a boolean', handToken('ES256', es.signingKey, { alg: 'ES256', kid: es.kid, crit: ['b64'], b64: 'false' }, good.payload), jwks, {}, fail(JWS_INVALID));
    add(E, 'JWS_INVALID crit lists a name the caller knows but the header lacks it', (await esToken(good.payload, { crit: ['exp-ext'] })).token, jwks, { crit: { 'exp-ext': true } }, fail(JWS_INVALID));

    // ERR_JWT_INVALID (valid signatures over a payload that is not a JSON object)
    for (const [label, text] of [
      ['payload []', '[]'],
      ['payload null', 'null'],
      ['payload "x"', '"x"'],
      ['payload 42', '42'],
      ['payload true', 'true'],
      ['payload empty', ''],
      ['payload not JSON', '{sub: "x"}'],
      ['payload JSON with trailing garbage', '{"sub":"x"} {}'],
      ['payload truncated JSON', '{"sub":"x"'],
    ]) {
      add(E, `JWT_INVALID ${label}`, (await esToken(text)).token, jwks, {}, fail(JWT_INVALID));
    }
    add(E, 'JWT_INVALID payload with overlong UTF-8 (C0 AF)', (await esToken(Buffer.from([...utf8.encode('{"sub":"'), 0xc0, 0xaf, ...utf8.encode('"}')]))).token, jwks, {}, fail(JWT_INVALID));
    add(E, 'JWT_INVALID payload with a lone continuation byte (80)', (await esToken(Buffer.from([...utf8.encode('{"sub":"'), 0x80, ...utf8.encode('"}')]))).token, jwks, {}, fail(JWT_INVALID));
    add(E, 'JWT_INVALID payload with an encoded surrogate (ED A0 80)', (await esToken(Buffer.from([...utf8.encode('{"sub":"'), 0xed, 0xa0, 0x80, ...utf8.encode('"}')]))).token, jwks, {}, fail(JWT_INVALID));
    {
      // b64:false listed in crit with a valid signature. The raw payload is itself the base64url
      // text of a JSON object, so the signing input is that of an ordinary JWT: a verifier that
      // ignored b64:false would accept this token.
      const raw = b64u(JSON.stringify({ sub: SUBJECT, admin: true }));
      const header = { alg: 'ES256', kid: es.kid, b64: false, crit: ['b64'] };
      const signingInput = `${segment(header)}.${raw}`;
      const token = `${signingInput}.${b64u(rawSign('ES256', es.signingKey, signingInput))}`;
      add(E, 'JWT_INVALID b64:false listed in crit, valid signature', token, jwks, {}, fail(JWT_INVALID));
    }

    // ERR_JOSE_ALG_NOT_ALLOWED
    add(E, 'ALG_NOT_ALLOWED ES256 token, algorithms [RS256]', good.token, jwks, { algorithms: ['RS256'] }, fail(ALG_NOT_ALLOWED));
    add(E, 'ALG_NOT_ALLOWED ES256 token, algorithms []', good.token, jwks, { algorithms: [] }, fail(ALG_NOT_ALLOWED));
    add(E, 'ALG_NOT_ALLOWED HS256 token, algorithms [HS384]', goodTokens.HS256.token, null, { secret: secrets.HS256, algorithms: ['HS384'] }, fail(ALG_NOT_ALLOWED));
    add(E, 'ALG_NOT_ALLOWED EdDSA token, algorithms [Ed25519] (names are distinct)', goodTokens.EdDSA.token, jwks, { algorithms: ['Ed25519'] }, fail(ALG_NOT_ALLOWED));
    add(E, 'ALG_NOT_ALLOWED allow-list is case-sensitive (es256)', good.token, jwks, { algorithms: ['es256'] }, fail(ALG_NOT_ALLOWED));

    // ERR_JOSE_NOT_SUPPORTED
    for (const none of ['none', 'None', 'NONE']) {
      const t = `${segment({ alg: none, typ: 'JWT' })}.${segment(good.payload)}.`;
      add(E, `NOT_SUPPORTED sec6#1 alg ${none} with an empty signature (JWKS)`, t, jwks, {}, fail(NOT_SUPPORTED));
      add(E, `NOT_SUPPORTED sec6#1 alg ${none} with an empty signature (secret)`, t, null, { secret: secrets.HS256 }, fail(NOT_SUPPORTED));
      add(E, `ALG_NOT_ALLOWED sec6#1 alg ${none} with an allow-list`, t, jwks, { algorithms: ['ES256', 'HS256'] }, fail(ALG_NOT_ALLOWED));
    }
    add(E, 'NOT_SUPPORTED sec6#1 alg none listed in algorithms is still refused', `${segment({ alg: 'none' })}.${segment(good.payload)}.`, jwks, { algorithms: ['none'] }, fail(NOT_SUPPORTED));
    add(E, 'NOT_SUPPORTED unknown alg XS256 (JWKS)', handToken('ES256', es.signingKey, { alg: 'XS256', kid: es.kid }, good.payload), jwks, {}, fail(NOT_SUPPORTED));
    add(E, 'NOT_SUPPORTED unknown alg XS256 (secret)', handToken('HS256', secrets.HS256, { alg: 'XS256' }, good.payload), null, { secret: secrets.HS256 }, fail(NOT_SUPPORTED));
    add(E, 'NOT_SUPPORTED alg es256 (algorithm names are case-sensitive)', handToken('ES256', es.signingKey, { alg: 'es256', kid: es.kid }, good.payload), jwks, {}, fail(NOT_SUPPORTED));
    add(E, 'NOT_SUPPORTED sec6#8 crit with unknown name foo (foo present)', (await esToken(good.payload, { crit: ['foo'], foo: 1 })).token, jwks, {}, fail(NOT_SUPPORTED));
    add(E, 'NOT_SUPPORTED HS256 token against a JWKS and no secret', goodTokens.HS256.token, jwks, {}, fail(NOT_SUPPORTED));
    add(E, 'NOT_SUPPORTED HS256 token against a JWKS holding an oct key', goodTokens.HS256.token, { keys: [{ kty: 'oct', k: b64u(secrets.HS256), alg: 'HS256' }] }, {}, fail(NOT_SUPPORTED));
    {
      // crit naming an extension the caller declared: accepted.
      const t = await esToken(good.payload, { crit: ['foo'], foo: 'bar' });
      add('alg', 'crit [foo] accepted when options.crit declares foo', t.token, jwks, { crit: { foo: true } }, ok(good.payload, t.header));
      add('alg', 'crit [foo] accepted when options.crit declares foo:false', t.token, jwks, { crit: { foo: false } }, ok(good.payload, t.header));
    }

    // ERR_JWKS_NO_MATCHING_KEY
    const p384 = await makeKeyPair('ES384', 'shared-kid', { setAlg: false });
    add(E, 'NO_MATCHING unknown kid', (await esToken(good.payload, { kid: 'no-such-kid' })).token, jwks, {}, fail(NO_MATCHING));
    add(E, 'NO_MATCHING sec6#5 ES256 token against a P-384 key', handToken('ES256', es.signingKey, { alg: 'ES256', kid: 'shared-kid' }, good.payload), { keys: [p384.jwk] }, {}, fail(NO_MATCHING));
    add(E, 'NO_MATCHING wrong kty (RS256 token, EC key with that kid)', handToken('RS256', keys.RS256.signingKey, { alg: 'RS256', kid: 'shared-kid' }, good.payload), { keys: [p384.jwk] }, {}, fail(NO_MATCHING));
    add(E, 'NO_MATCHING key use enc', good.token, { keys: [{ ...es.jwk, use: 'enc' }] }, {}, fail(NO_MATCHING));
    add(E, 'NO_MATCHING key_ops without verify', good.token, { keys: [{ ...es.jwk, key_ops: ['sign', 'encrypt'] }] }, {}, fail(NO_MATCHING));
    add(E, 'NO_MATCHING key alg differs (RS384 key, RS256 token)', handToken('RS256', keys.RS256.signingKey, { alg: 'RS256', kid: 'rsa' }, good.payload), { keys: [{ ...keys.RS256.jwk, kid: 'rsa', alg: 'RS384' }] }, {}, fail(NO_MATCHING));
    add(E, 'NO_MATCHING key alg EdDSA, token alg Ed25519', handToken('Ed25519', keys.EdDSA.signingKey, { alg: 'Ed25519', kid: keys.EdDSA.kid }, good.payload), jwks, {}, fail(NO_MATCHING));
    add(E, 'NO_MATCHING key alg RS256, token alg PS256', handToken('PS256', keys.RS256.signingKey, { alg: 'PS256', kid: keys.RS256.kid }, good.payload), { keys: [keys.RS256.jwk] }, {}, fail(NO_MATCHING));
    add(E, 'NO_MATCHING token kid given, key has no kid', good.token, { keys: [noKid(es)] }, {}, fail(NO_MATCHING));
    add(E, 'NO_MATCHING kid differs only in case', (await esToken(good.payload, { kid: es.kid.toUpperCase() })).token, jwks, {}, fail(NO_MATCHING));
    add(E, 'NO_MATCHING sec6#11 non-string header kid 0 (key kid "0")', handToken('ES256', es.signingKey, { alg: 'ES256', kid: 0 }, good.payload), { keys: [{ ...es.jwk, kid: '0' }] }, {}, fail(NO_MATCHING));
    for (const kid of ['../../dev/null', "' OR 1=1--", '']) {
      add(E, `NO_MATCHING sec6#11 kid ${JSON.stringify(kid)}`, (await esToken(good.payload, { kid })).token, jwks, {}, fail(NO_MATCHING));
    }
    add(E, 'NO_MATCHING empty keys array', good.token, { keys: [] }, {}, fail(NO_MATCHING));
    add(E, 'NO_MATCHING sec6#5 EdDSA token against an Ed448 key', handToken('EdDSA', keys.EdDSA.signingKey, { alg: 'EdDSA', kid: 'ed448' }, good.payload),
      { keys: [{ ...crypto.generateKeyPairSync('ed448').publicKey.export({ format: 'jwk' }), kid: 'ed448' }] }, {}, fail(NO_MATCHING));

    // ERR_JWKS_MULTIPLE_MATCHING_KEYS
    const twin1 = await makeKeyPair('ES256', 'twin', { setAlg: false });
    const twin2 = await makeKeyPair('ES256', 'twin', { setAlg: false });
    const third = await makeKeyPair('ES256', 'third', { setAlg: false });
    const twins = { keys: [noKid(twin1), noKid(twin2)] };
    add(E, 'MULTIPLE two P-256 keys without kid, token without kid signed by neither', handToken('ES256', third.signingKey, { alg: 'ES256' }, good.payload), twins, {}, fail(MULTIPLE));
    add(E, 'MULTIPLE two P-256 keys with the same kid, signed by neither', handToken('ES256', third.signingKey, { alg: 'ES256', kid: 'twin' }, good.payload), { keys: [twin1.jwk, twin2.jwk] }, {}, fail(MULTIPLE));
    {
      const header = { alg: 'ES256' };
      add(E, 'two P-256 keys without kid, token signed by the second: accepted', handToken('ES256', twin2.signingKey, header, good.payload), twins, {}, ok(good.payload, header), {
        differsFromJose: 'jose throws ERR_JWKS_MULTIPLE_MATCHING_KEYS whenever several keys fit; docs/api.md ("Key selection") reserves that code for "several fit and none verifies"',
      });
    }

    // ERR_JWKS_INVALID
    for (const [label, set] of [
      ['{keys:null}', { keys: null }],
      ['{}', {}],
      ['"not json"', 'not json'],
      ['keys array containing a number', { keys: [1] }],
      ['keys array containing null', { keys: [null] }],
      ['keys array containing a string', { keys: ['k'] }],
      ['keys array containing an array', { keys: [[]] }],
      ['keys array with a non-object beside a good key', { keys: [es.jwk, 7] }],
      ['keys is an object', { keys: { 0: es.jwk } }],
      ['keys is a string', { keys: 'x' }],
      ['JSON text {"keys":null}', '{"keys":null}'],
      ['JSON text []', '[]'],
      ['JSON text null', 'null'],
      ['truncated JSON text', jwksText.slice(0, 40)],
      ['empty JSON text', ''],
    ]) {
      add(E, `JWKS_INVALID ${label}`, good.token, set, {}, fail(JWKS_INVALID));
    }

    // ERR_JWS_SIGNATURE_VERIFICATION_FAILED
    const impostor = await makeKeyPair('ES256', es.kid);
    add(E, 'SIG_FAILED signed by another key with the same kid', handToken('ES256', impostor.signingKey, { alg: 'ES256', kid: es.kid }, good.payload), jwks, {}, fail(SIG_FAILED));
    add(E, 'SIG_FAILED HS256 with the wrong secret', goodTokens.HS256.token, null, { secret: 'wrong-secret-value' }, fail(SIG_FAILED));
    add(E, 'SIG_FAILED HS384 token verified with the HS256 secret', goodTokens.HS384.token, null, { secret: secrets.HS256 }, fail(SIG_FAILED));
    add(E, 'SIG_FAILED empty signature', `${h}.${p}.`, jwks, {}, fail(SIG_FAILED));
    add(E, 'SIG_FAILED signature of another token', `${h}.${p}.${(await esToken({ sub: 'other' })).token.split('.')[2]}`, jwks, {}, fail(SIG_FAILED));
    add(E, 'SIG_FAILED is reported before claims (expired token, bad signature)', `${(await esToken({ sub: 'x', exp: NOW - 10 })).token.split('.').slice(0, 2).join('.')}.${s}`, jwks, {}, fail(SIG_FAILED));

    // ERR_JWT_EXPIRED and ERR_JWT_CLAIM_VALIDATION_FAILED (each once here; boundaries in section 4)
    add(E, 'EXPIRED exp in the past', (await esToken({ sub: 'x', exp: NOW - 100 })).token, jwks, {}, fail(EXPIRED, 'exp', 'check_failed'));
    add(E, 'EXPIRED iat older than maxTokenAge', (await esToken({ sub: 'x', iat: NOW - 7200 })).token, jwks, { maxTokenAge: 3600 }, fail(EXPIRED, 'iat', 'check_failed'));
    add(E, 'CLAIM typ mismatch', (await esToken({ sub: 'x' }, { typ: 'JWT' })).token, jwks, { typ: 'at+jwt' }, fail(CLAIM_FAILED, 'typ', 'check_failed'));
    add(E, 'CLAIM iss mismatch', (await esToken({ iss: 'https://evil.example' })).token, jwks, { issuer: ISSUER }, fail(CLAIM_FAILED, 'iss', 'check_failed'));
    add(E, 'CLAIM iss missing', (await esToken({ sub: 'x' })).token, jwks, { issuer: ISSUER }, fail(CLAIM_FAILED, 'iss', 'missing'));
    add(E, 'CLAIM sub mismatch', (await esToken({ sub: 'someone-else' })).token, jwks, { subject: SUBJECT }, fail(CLAIM_FAILED, 'sub', 'check_failed'));
    add(E, 'CLAIM sub missing', (await esToken({ iss: ISSUER })).token, jwks, { subject: SUBJECT }, fail(CLAIM_FAILED, 'sub', 'missing'));
    add(E, 'CLAIM aud mismatch', (await esToken({ aud: 'api://other' })).token, jwks, { audience: AUDIENCE }, fail(CLAIM_FAILED, 'aud', 'check_failed'));
    add(E, 'CLAIM aud missing', (await esToken({ sub: 'x' })).token, jwks, { audience: AUDIENCE }, fail(CLAIM_FAILED, 'aud', 'missing'));
    add(E, 'CLAIM nbf in the future', (await esToken({ sub: 'x', nbf: NOW + 100 })).token, jwks, {}, fail(CLAIM_FAILED, 'nbf', 'check_failed'));
    add(E, 'CLAIM iat in the future with maxTokenAge', (await esToken({ sub: 'x', iat: NOW + 100 })).token, jwks, { maxTokenAge: 3600 }, fail(CLAIM_FAILED, 'iat', 'check_failed'));
    add(E, 'CLAIM iat missing with maxTokenAge', (await esToken({ sub: 'x' })).token, jwks, { maxTokenAge: 3600 }, fail(CLAIM_FAILED, 'iat', 'missing'));
    add(E, 'CLAIM requiredClaims missing', (await esToken({ sub: 'x' })).token, jwks, { requiredClaims: ['jti'] }, fail(CLAIM_FAILED, 'jti', 'missing'));
    add(E, 'CLAIM requiredClaims [toString] is not inherited', (await esToken({ sub: 'x' })).token, jwks, { requiredClaims: ['toString'] }, fail(CLAIM_FAILED, 'toString', 'missing'));
    add(E, 'CLAIM requiredClaims [exp] missing', (await esToken({ sub: 'x' })).token, jwks, { requiredClaims: ['exp'] }, fail(CLAIM_FAILED, 'exp', 'missing'));
    for (const [label, text, claim] of [
      ['sec6#15 exp "9999999999" (string)', '{"sub":"x","exp":"9999999999"}', 'exp'],
      ['sec6#15 iat null', '{"sub":"x","iat":null}', 'iat'],
      ['nbf "0" (string)', '{"sub":"x","nbf":"0"}', 'nbf'],
      ['exp true', '{"sub":"x","exp":true}', 'exp'],
      ['exp null', '{"sub":"x","exp":null}', 'exp'],
      ['nbf []', '{"sub":"x","nbf":[]}', 'nbf'],
      ['iat {}', '{"sub":"x","iat":{}}', 'iat'],
      ['exp [1]', '{"sub":"x","exp":[1]}', 'exp'],
    ]) {
      add(E, `CLAIM invalid ${label} with no option about it`, (await esToken(text)).token, jwks, {}, fail(CLAIM_FAILED, claim, 'invalid'));
    }
    add(E, 'CLAIM invalid iat "1" (string) with maxTokenAge', (await esToken('{"sub":"x","iat":"1"}')).token, jwks, { maxTokenAge: 60 }, fail(CLAIM_FAILED, 'iat', 'invalid'));
  }

  // ----- 4. claim option boundaries ----------------------------------------------------------------
  {
    const C = 'claims';
    const accept = async (name, payload, options = {}, headerExtra = {}) => {
      const t = await esToken(payload, headerExtra);
      add(C, name, t.token, jwks, options, ok(typeof payload === 'string' ? JSON.parse(payload) : payload, t.header));
    };
    const reject = async (name, payload, options, code, claim, reason, headerExtra = {}) => {
      const t = await esToken(payload, headerExtra);
      add(C, name, t.token, jwks, options, fail(code, claim, reason));
    };

    await reject('sec6#16 exp == now is expired', { exp: NOW }, {}, EXPIRED, 'exp', 'check_failed');
    await accept('exp == now+1 is valid', { exp: NOW + 1 });
    await reject('exp == now-1 is expired', { exp: NOW - 1 }, {}, EXPIRED, 'exp', 'check_failed');
    await accept('exp == now+0.5 is valid (now is floored to whole seconds)', { exp: NOW + 0.5 });
    await accept('sec6#16 nbf == now is valid', { nbf: NOW });
    await reject('nbf == now+1 is not yet valid', { nbf: NOW + 1 }, {}, CLAIM_FAILED, 'nbf', 'check_failed');
    await reject('nbf == now+0.5 is not yet valid (now is floored)', { nbf: NOW + 0.5 }, {}, CLAIM_FAILED, 'nbf', 'check_failed');
    await accept('nbf == now-1 is valid', { nbf: NOW - 1 });
    await reject('exp 0 is expired', { exp: 0 }, {}, EXPIRED, 'exp', 'check_failed');
    await reject('exp -1 is expired', { exp: -1 }, {}, EXPIRED, 'exp', 'check_failed');
    await accept('exp, nbf, iat all fine together', { iat: NOW - 10, nbf: NOW - 10, exp: NOW + 10 });

    for (const [tolerance, seconds] of [[30, 30], ['30s', 30], ['5 minutes', 300], ['2h', 7200]]) {
      const tag = `clockTolerance ${JSON.stringify(tolerance)}`;
      await accept(`${tag}: exp == now-${seconds}+1 valid`, { exp: NOW - seconds + 1 }, { clockTolerance: tolerance });
      await reject(`${tag}: exp == now-${seconds} expired`, { exp: NOW - seconds }, { clockTolerance: tolerance }, EXPIRED, 'exp', 'check_failed');
      await accept(`${tag}: nbf == now+${seconds} valid`, { nbf: NOW + seconds }, { clockTolerance: tolerance });
      await reject(`${tag}: nbf == now+${seconds}+1 not yet valid`, { nbf: NOW + seconds + 1 }, { clockTolerance: tolerance }, CLAIM_FAILED, 'nbf', 'check_failed');
    }
    await accept('clockTolerance 0 behaves as none', { exp: NOW + 1 }, { clockTolerance: 0 });

    // audience
    await accept('aud string, option string', { aud: 'a' }, { audience: 'a' });
    await accept('aud string, option array containing it', { aud: 'a' }, { audience: ['b', 'a'] });
    await accept('sec6#17 aud array containing the option', { aud: ['a', 'b'] }, { audience: 'b' });
    await accept('aud array and option array sharing one value', { aud: ['x', 'y'] }, { audience: ['z', 'y'] });
    await reject('aud array not containing the option', { aud: ['x', 'y'] }, { audience: 'b' }, CLAIM_FAILED, 'aud', 'check_failed');
    await reject('sec6#17 aud 123 fails', { aud: 123 }, { audience: '123' }, CLAIM_FAILED, 'aud', 'check_failed');
    await reject('sec6#17 audience option [] fails', { aud: 'a' }, { audience: [] }, CLAIM_FAILED, 'aud', 'check_failed');
    await reject('aud is case-sensitive', { aud: 'API' }, { audience: 'api' }, CLAIM_FAILED, 'aud', 'check_failed');
    await reject('aud [] fails', { aud: [] }, { audience: 'a' }, CLAIM_FAILED, 'aud', 'check_failed');
    await accept('aud present but no audience option: accepted', { aud: 'anything' });

    // issuer
    await accept('iss in an issuer array', { iss: 'https://b.example' }, { issuer: ['https://a.example', 'https://b.example'] });
    await reject('iss not in an issuer array', { iss: 'https://c.example' }, { issuer: ['https://a.example', 'https://b.example'] }, CLAIM_FAILED, 'iss', 'check_failed');
    await reject('iss is compared exactly (trailing slash)', { iss: `${ISSUER}/` }, { issuer: ISSUER }, CLAIM_FAILED, 'iss', 'check_failed');
    await reject('iss that is an array', { iss: [ISSUER] }, { issuer: ISSUER }, CLAIM_FAILED, 'iss', 'check_failed');

    // subject
    await accept('sub equal', { sub: SUBJECT }, { subject: SUBJECT });
    await reject('sub 123 vs option "123"', { sub: 123 }, { subject: '123' }, CLAIM_FAILED, 'sub', 'check_failed');

    // typ normalisation
    for (const [headerTyp, option, good] of [
      ['JWT', 'application/jwt', true],
      ['application/jwt', 'JWT', true],
      ['application/JWT', 'jwt', true],
      ['jwt', 'JWT', true],
      ['at+jwt', 'application/at+jwt', true],
      ['application/at+jwt', 'at+JWT', true],
      ['AT+JWT', 'at+jwt', true],
      ['JWT', 'at+jwt', false],
      ['application/jwt', 'application/at+jwt', false],
      ['text/jwt', 'jwt', false],
      ['jwt ', 'jwt', false],
    ]) {
      const name = `typ header ${JSON.stringify(headerTyp)} vs option ${JSON.stringify(option)}`;
      if (good) await accept(`${name} accepted`, { sub: 'x' }, { typ: option }, { typ: headerTyp });
      else await reject(`${name} rejected`, { sub: 'x' }, { typ: option }, CLAIM_FAILED, 'typ', 'check_failed', { typ: headerTyp });
    }
    {
      const t = handToken('ES256', es.signingKey, { alg: 'ES256', kid: es.kid }, { sub: 'x' });
      add(C, 'typ option with no typ header rejected', t, jwks, { typ: 'JWT' }, fail(CLAIM_FAILED, 'typ'));
      const t2 = handToken('ES256', es.signingKey, { alg: 'ES256', kid: es.kid, typ: 7 }, { sub: 'x' });
      add(C, 'typ option with a numeric typ header rejected', t2, jwks, { typ: 'JWT' }, fail(CLAIM_FAILED, 'typ', 'check_failed'));
      const t3 = handToken('ES256', es.signingKey, { alg: 'ES256', kid: es.kid, typ: 7 }, { sub: 'x' });
      add(C, 'a numeric typ header without typ option is accepted', t3, jwks, {}, ok({ sub: 'x' }, { alg: 'ES256', kid: es.kid, typ: 7 }));
    }

    // maxTokenAge
    await accept('maxTokenAge 60: iat == now-60 valid', { iat: NOW - 60 }, { maxTokenAge: 60 });
    await reject('maxTokenAge 60: iat == now-61 expired', { iat: NOW - 61 }, { maxTokenAge: 60 }, EXPIRED, 'iat', 'check_failed');
    await accept('maxTokenAge "1m": iat == now-60 valid', { iat: NOW - 60 }, { maxTokenAge: '1m' });
    await reject('maxTokenAge "1m": iat == now-61 expired', { iat: NOW - 61 }, { maxTokenAge: '1m' }, EXPIRED, 'iat', 'check_failed');
    await accept('maxTokenAge "2 hours": iat == now-7200 valid', { iat: NOW - 7200 }, { maxTokenAge: '2 hours' });
    await accept('maxTokenAge 0: iat == now valid', { iat: NOW }, { maxTokenAge: 0 });
    await reject('maxTokenAge 0: iat == now-1 expired', { iat: NOW - 1 }, { maxTokenAge: 0 }, EXPIRED, 'iat', 'check_failed');
    await reject('maxTokenAge: iat == now+1 rejected', { iat: NOW + 1 }, { maxTokenAge: 60 }, CLAIM_FAILED, 'iat', 'check_failed');
    await accept('maxTokenAge 60 + clockTolerance 10: iat == now-70 valid', { iat: NOW - 70 }, { maxTokenAge: 60, clockTolerance: 10 });
    await reject('maxTokenAge 60 + clockTolerance 10: iat == now-71 expired', { iat: NOW - 71 }, { maxTokenAge: 60, clockTolerance: 10 }, EXPIRED, 'iat', 'check_failed');
    await accept('maxTokenAge + clockTolerance 10: iat == now+10 valid', { iat: NOW + 10 }, { maxTokenAge: 60, clockTolerance: 10 });
    await reject('maxTokenAge + clockTolerance 10: iat == now+11 rejected', { iat: NOW + 11 }, { maxTokenAge: 60, clockTolerance: 10 }, CLAIM_FAILED, 'iat', 'check_failed');
    await accept('sec6#16 future iat accepted without maxTokenAge', { iat: NOW + 86400 });
    await accept('future iat with clockTolerance but no maxTokenAge accepted', { iat: NOW + 86400 }, { clockTolerance: 5 });

    // Large and unusual numbers, hand-written because jose's signer refuses non-finite dates.
    {
      const t = await esToken('{"sub":"x","exp":1e400}');
      add(C, 'sec6#16 exp 1e400 (Infinity) accepted', t.token, jwks, {}, ok({ sub: 'x', exp: Infinity }, t.header));
      const t2 = await esToken('{"sub":"x","exp":-1e400}');
      add(C, 'exp -1e400 (-Infinity) expired', t2.token, jwks, {}, fail(EXPIRED, 'exp', 'check_failed'));
      const t3 = await esToken('{"sub":"x","nbf":1e400}');
      add(C, 'nbf 1e400 (Infinity) not yet valid', t3.token, jwks, {}, fail(CLAIM_FAILED, 'nbf', 'check_failed'));
      const t4 = await esToken('{"sub":"x","exp":1e300,"nbf":-1e300,"iat":1.5}');
      add(C, 'exp 1e300, nbf -1e300, fractional iat accepted', t4.token, jwks, {}, ok({ sub: 'x', exp: 1e300, nbf: -1e300, iat: 1.5 }, t4.header));
      const t5 = await esToken('{"sub":"x","exp":17672256000e-1}');
      add(C, 'exp written with an exponent (17672256000e-1 == now) expired', t5.token, jwks, {}, fail(EXPIRED, 'exp', 'check_failed'));
    }

    // requiredClaims
    await accept('requiredClaims: a claim whose value is null counts as present', { sub: 'x', foo: null }, { requiredClaims: ['foo'] });
    await accept('requiredClaims: claims with false, 0 and "" count as present', { a: false, b: 0, c: '' }, { requiredClaims: ['a', 'b', 'c'] });
    await accept('requiredClaims []', { sub: 'x' }, { requiredClaims: [] });

    // JSON parsing with JSON.parse semantics
    {
      const t = await esToken('{"sub":"a","sub":"admin"}');
      add(C, 'sec6#12 duplicate members {"sub":"a","sub":"admin"}: last wins', t.token, jwks, {}, ok({ sub: 'admin' }, t.header));
      const t2 = await esToken('{"n":12345678901234567890,"f":1.0,"e":1E2,"s":1e-7,"neg":-0.5,"big":123456789012345678901234567890}');
      add(C, 'numbers parse as JSON.parse does (large integers become doubles)', t2.token, jwks, {}, ok(JSON.parse('{"n":12345678901234567890,"f":1.0,"e":1E2,"s":1e-7,"neg":-0.5,"big":123456789012345678901234567890}'), t2.header));
      const text3 = '{"u":"\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/","raw":"é😀","nul":"a\\u0000b"}';
      const t3 = await esToken(text3);
      add(C, 'string escapes and raw UTF-8 decode as JSON.parse does', t3.token, jwks, {}, ok(JSON.parse(text3), t3.header));
      const text4 = ' \n\t{ "sub" : "x" , "a" : [ 1 , 2 ] }\r\n ';
      const t4 = await esToken(text4);
      add(C, 'insignificant whitespace around and inside the payload', t4.token, jwks, {}, ok({ sub: 'x', a: [1, 2] }, t4.header));
      const text5 = '{"__proto__":{"admin":true},"sub":"x","constructor":{"prototype":{"polluted":true}}}';
      const t5 = await esToken(text5);
      add(C, 'a "__proto__" member is an own member, not the prototype', t5.token, jwks, {}, ok(JSON.parse(text5), t5.header));
      const t6 = await esToken('{}');
      add(C, 'empty object payload accepted', t6.token, jwks, {}, ok({}, t6.header));
    }
  }

  // ----- 5. security cases (research section 6) ----------------------------------------------
  {
    const S = 'security';
    const good = goodTokens.ES256;
    const payload = { sub: 'admin', iss: ISSUER, exp: NOW + 3600 };

    // #2 algorithm confusion: HS256 MACed with the public key's bytes, checked against the JWKS.
    for (const alg of ['RS256', 'ES256', 'EdDSA']) {
      const k = keys[alg];
      const noAlg = { ...k.jwk };
      delete noAlg.alg;
      for (const [label, secret] of [
        ['JWK JSON', Buffer.from(JSON.stringify(k.jwk))],
        ['JWK JSON (key without alg)', Buffer.from(JSON.stringify(noAlg))],
        ['SPKI DER', k.publicKeyObject.export({ type: 'spki', format: 'der' })],
        ['SPKI PEM', Buffer.from(k.publicKeyObject.export({ type: 'spki', format: 'pem' }))],
      ]) {
        const t = handToken('HS256', secret, { alg: 'HS256', kid: k.kid, typ: 'JWT' }, payload);
        add(S, `sec6#2 HS256 MACed with the ${alg} key's ${label}, checked against its JWKS`, t, label.includes('without alg') ? { keys: [noAlg] } : jwks, {}, fail(NOT_SUPPORTED));
      }
      const t = handToken('HS256', Buffer.from(JSON.stringify(k.jwk)), { alg: 'HS256', kid: k.kid }, payload);
      add(S, `sec6#2 HS256 MACed with the ${alg} JWK, algorithms [HS256, ${alg}]`, t, jwks, { algorithms: ['HS256', alg] }, fail(NOT_SUPPORTED));
    }

    // #3 psychic signatures and out-of-range components.
    for (const alg of ['ES256', 'ES384', 'ES512']) {
      const k = keys[alg];
      const n = CURVE_ORDER[alg];
      const len = COMPONENT_BYTES[alg];
      const signingInput = `${segment({ alg, kid: k.kid })}.${segment(payload)}`;
      const withSig = (bytes) => `${signingInput}.${b64u(bytes)}`;
      add(S, `sec6#3 ${alg} r = s = 0`, withSig(Buffer.alloc(2 * len)), jwks, {}, fail(SIG_FAILED));
      add(S, `sec6#3 ${alg} r = s = n`, withSig(Buffer.concat([bigToBytes(n, len), bigToBytes(n, len)])), jwks, {}, fail(SIG_FAILED));
      const real = rawSign(alg, k.signingKey, signingInput);
      const r = bytesToBig(real.subarray(0, len));
      const s = bytesToBig(real.subarray(len));
      add(S, `sec6#3 ${alg} r = n with the real s`, withSig(Buffer.concat([bigToBytes(n, len), bigToBytes(s, len)])), jwks, {}, fail(SIG_FAILED));
      add(S, `sec6#3 ${alg} s = 0 with the real r`, withSig(Buffer.concat([bigToBytes(r, len), Buffer.alloc(len)])), jwks, {}, fail(SIG_FAILED));
      if (alg === 'ES512') {
        // P-521 components have 7 spare bits, so s + n fits: congruent to the valid s, but out of range.
        add(S, 'sec6#3 ES512 s + n (out of range, congruent to the valid s)', withSig(Buffer.concat([bigToBytes(r, len), bigToBytes(s + n, len)])), jwks, {}, fail(SIG_FAILED));
        add(S, 'sec6#3 ES512 r + n (out of range, congruent to the valid r)', withSig(Buffer.concat([bigToBytes(r + n, len), bigToBytes(s, len)])), jwks, {}, fail(SIG_FAILED));
      }
      // High-S: (r, n - s) is also a valid signature; WebCrypto accepts it, so must this library.
      add(S, `high-S ${alg} signature (s replaced by n - s) accepted`, withSig(Buffer.concat([bigToBytes(r, len), bigToBytes(n - s, len)])), jwks, {}, ok(payload, { alg, kid: k.kid }));
      // #4 DER-encoded signature and wrong raw lengths.
      add(S, `sec6#4 ${alg} DER-encoded signature`, `${signingInput}.${b64u(rawSign(alg, k.signingKey, signingInput, { dsaEncoding: 'der' }))}`, jwks, {}, fail(SIG_FAILED));
      add(S, `sec6#4 ${alg} raw signature one byte short`, withSig(real.subarray(0, real.length - 1)), jwks, {}, fail(SIG_FAILED));
      add(S, `sec6#4 ${alg} raw signature with a zero byte appended`, withSig(Buffer.concat([real, Buffer.alloc(1)])), jwks, {}, fail(SIG_FAILED));
    }
    {
      const signingInput = `${segment({ alg: 'ES256', kid: es.kid })}.${segment(payload)}`;
      const sig384 = rawSign('ES384', keys.ES384.signingKey, signingInput);
      add(S, 'sec6#4 ES256 header with a 96-byte (ES384-sized) signature', `${signingInput}.${b64u(sig384)}`, jwks, {}, fail(SIG_FAILED));
    }

    // #6 Ed25519: S >= L, a small-order public key, and the RFC 8037 A.4 vector.
    {
      const k = keys.EdDSA;
      const header = { alg: 'EdDSA', kid: k.kid };
      const signingInput = `${segment(header)}.${segment(payload)}`;
      const sig = Buffer.from(rawSign('EdDSA', k.signingKey, signingInput));
      let sInt = 0n;
      for (let i = 31; i >= 0; i--) sInt = (sInt << 8n) | BigInt(sig[32 + i]);
      sInt += ED25519_ORDER;
      const bumped = Buffer.from(sig);
      for (let i = 0; i < 32; i++) {
        bumped[32 + i] = Number(sInt & 0xffn);
        sInt >>= 8n;
      }
      add(S, 'sec6#6 Ed25519 signature with S + L (non-canonical S)', `${signingInput}.${b64u(bumped)}`, jwks, {}, fail(SIG_FAILED));

      const identity = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]);
      const smallOrder = { kty: 'OKP', crv: 'Ed25519', x: b64u(identity), kid: 'small-order' };
      const forged = `${segment({ alg: 'EdDSA', kid: 'small-order' })}.${segment(payload)}.${b64u(Buffer.concat([identity, Buffer.alloc(32)]))}`;
      add(S, 'sec6#6 small-order Ed25519 public key (identity point) with the identity signature', forged, { keys: [smallOrder] }, {}, fail([SIG_FAILED, JWKS_INVALID]), {
        differsFromJose: 'jose on Node 20 (OpenSSL Ed25519) accepts this forgery, which verifies for any message; research section 6 row 6 says reject',
      });

      // RFC 8037 appendix A.1 public key and A.4 JWS. Its payload is text, not a JSON object, so a
      // good signature gives ERR_JWT_INVALID (a bad one would give a signature error).
      const rfcKey = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
      const rfcJws = 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg';
      add(S, 'sec6#6 RFC 8037 A.4 Ed25519 vector verifies (payload is not JSON: JWT_INVALID)', rfcJws, { keys: [rfcKey] }, {}, fail(JWT_INVALID));
      const [rh, rp, rs] = rfcJws.split('.');
      add(S, 'sec6#6 RFC 8037 A.4 vector with one signature bit flipped', `${rh}.${rp}.${flipBit(rs, 5)}`, { keys: [rfcKey] }, {}, fail(SIG_FAILED));
    }

    // #7 RSA keys under 2048 bits: this library answers with a signature failure.
    for (const [bits, alg] of [[1024, 'RS256'], [1024, 'PS256'], [2040, 'RS256']]) {
      const weak = makeNodeRsaKey(bits, `rsa-${bits}-${alg}`, undefined);
      const header = { alg, kid: weak.kid };
      add(S, `sec6#7 ${alg} with a ${bits}-bit RSA key`, handToken(alg, weak.signingKey, header, payload), { keys: [weak.jwk] }, {}, fail(SIG_FAILED), {
        differsFromJose: 'jose throws a plain TypeError ("2048 bits or larger"); this library reports a too-weak key as ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      });
    }

    // #8 crit (the rows are also in the error section; labelled here by row)
    add(S, 'sec6#8 crit ["foo"] with foo present', (await esToken(payload, { crit: ['foo'], foo: true })).token, jwks, {}, fail(NOT_SUPPORTED));
    add(S, 'sec6#8 crit []', (await esToken(payload, { crit: [] })).token, jwks, {}, fail(JWS_INVALID));
    add(S, 'sec6#8 crit ["b64"] with b64 absent', handToken('ES256', es.signingKey, { alg: 'ES256', kid: es.kid, crit: ['b64'] }, payload), jwks, {}, fail(JWS_INVALID));

    // #9 b64:false
    {
      const raw = b64u(JSON.stringify(payload));
      const header = { alg: 'HS256', b64: false, crit: ['b64'] };
      const signingInput = `${segment(header)}.${raw}`;
      const mac = rawSign('HS256', secrets.HS256, signingInput);
      add(S, 'sec6#9 b64:false in crit, valid MAC', `${signingInput}.${b64u(mac)}`, null, { secret: secrets.HS256 }, fail(JWT_INVALID));
      add(S, 'sec6#9 b64:false in crit, bad MAC', `${signingInput}.${b64u(rawSign('HS256', 'other-secret', signingInput))}`, null, { secret: secrets.HS256 }, fail(SIG_FAILED));
      const rawJson = JSON.stringify({ sub: 'x' });
      const signingInput2 = `${segment({ alg: 'HS256', b64: false, crit: ['b64'] })}.${rawJson}`;
      add(S, 'sec6#9 b64:false in crit, raw JSON payload segment, valid MAC', `${signingInput2}.${b64u(rawSign('HS256', secrets.HS256, signingInput2))}`, null, { secret: secrets.HS256 }, fail([JWT_INVALID, JWS_INVALID]));
      const t = hsToken(payload, { b64: false });
      add(S, 'sec6#9 b64:false without crit: header member ignored, verifies normally', t.token, null, { secret: secrets.HS256 }, ok(payload, t.header));
      const t2 = await esToken(payload, { b64: false });
      add(S, 'sec6#9 b64:false without crit (ES256): verifies normally', t2.token, jwks, {}, ok(payload, t2.header));
    }

    // #10 header jwk / jku / x5u never used.
    {
      const attacker = await makeKeyPair('ES256', 'attacker');
      const jwkHeader = { alg: 'ES256', jwk: attacker.jwk };
      add(S, 'sec6#10 header jwk with the attacker key, no kid', handToken('ES256', attacker.signingKey, jwkHeader, payload), jwks, {}, fail([NO_MATCHING, SIG_FAILED]));
      add(S, 'sec6#10 header jwk with the attacker key and its kid', handToken('ES256', attacker.signingKey, { ...jwkHeader, kid: 'attacker' }, payload), jwks, {}, fail([NO_MATCHING, SIG_FAILED]));
      add(S, 'sec6#10 header jwk with the attacker key, legit kid', handToken('ES256', attacker.signingKey, { ...jwkHeader, kid: es.kid }, payload), jwks, {}, fail([NO_MATCHING, SIG_FAILED]));
      add(S, 'sec6#10 header jwk with the attacker key, empty JWKS', handToken('ES256', attacker.signingKey, { ...jwkHeader, kid: 'attacker' }, payload), { keys: [] }, {}, fail([NO_MATCHING, SIG_FAILED]));
      for (const member of ['jku', 'x5u']) {
        const header = { alg: 'ES256', kid: es.kid, [member]: 'https://attacker.example/jwks.json' };
        add(S, `sec6#10 header ${member} pointing at an attacker URL, legit kid`, handToken('ES256', attacker.signingKey, header, payload), jwks, {}, fail([NO_MATCHING, SIG_FAILED]));
        add(S, `sec6#10 header ${member} pointing at an attacker URL, attacker kid`, handToken('ES256', attacker.signingKey, { ...header, kid: 'attacker' }, payload), jwks, {}, fail([NO_MATCHING, SIG_FAILED]));
      }
      const x5cHeader = { alg: 'ES256', kid: 'attacker', x5c: ['MIIBAAAA'] };
      add(S, 'sec6#10 header x5c, attacker kid', handToken('ES256', attacker.signingKey, x5cHeader, payload), jwks, {}, fail([NO_MATCHING, SIG_FAILED]));
    }

    // #12 duplicate header member: last wins, as JSON.parse.
    {
      const headerText = `{"alg":"none","alg":"ES256","kid":"${es.kid}"}`;
      add(S, 'sec6#12 duplicate header member {"alg":"none","alg":"ES256"}: last wins', handToken('ES256', es.signingKey, headerText, payload), jwks, {}, ok(payload, { alg: 'ES256', kid: es.kid }));
      const headerText2 = `{"alg":"ES256","kid":"${es.kid}","alg":"none"}`;
      add(S, 'sec6#12 duplicate header member {"alg":"ES256","alg":"none"}: last wins, refused', handToken('ES256', es.signingKey, headerText2, payload), jwks, {}, fail(NOT_SUPPORTED));
    }

    // #13 structure and alphabet.
    {
      const [h, p, s] = good.token.split('.');
      add(S, 'sec6#13 trailing dot', `${good.token}.`, jwks, {}, fail(JWS_INVALID));
      add(S, 'sec6#13 leading dot', `.${good.token}`, jwks, {}, fail(JWS_INVALID));
      const swap = (text, ch) => {
        const i = Math.floor(text.length / 2);
        return `${text.slice(0, i)}${ch}${text.slice(i + 1)}`;
      };
      for (const ch of ['+', '/', 'é', '\u00a0', '%']) {
        add(S, `sec6#13 ${JSON.stringify(ch)} in the signature segment`, `${h}.${p}.${swap(s, ch)}`, jwks, {}, fail(JWS_INVALID));
        add(S, `sec6#13 ${JSON.stringify(ch)} in the header segment`, `${swap(h, ch)}.${p}.${s}`, jwks, {}, fail(JWS_INVALID));
      }
      for (const ch of ['+', '/']) {
        add(S, `sec6#13 ${JSON.stringify(ch)} in the payload segment`, `${h}.${swap(p, ch)}.${s}`, jwks, {}, fail([JWS_INVALID, SIG_FAILED]));
      }
      // The signature segment as standard base64 (-/_ replaced by +//). ECDSA signatures are
      // random: sign again until one has a '-' or '_' (each try fails with p ~ 0.07), so the case
      // always exists.
      let signed = good.token;
      for (let tries = 0; !/[-_]/.test(signed.split('.')[2]) && tries < 64; tries += 1) {
        signed = (await esToken(JSON.parse(fromB64u(p).toString('utf8')))).token;
      }
      const [sh, sp, ss] = signed.split('.');
      const std = fromB64u(ss).toString('base64').replace(/=+$/, '');
      if (std === ss) throw new Error('no ES256 signature with - or _ in 64 tries');
      add(S, 'sec6#13 signature in the standard base64 alphabet', `${sh}.${sp}.${std}`, jwks, {}, fail(JWS_INVALID));
    }
    // #14 (the others are in the error section)
    add(S, 'sec6#14 overlong UTF-8 C0 AF in the claims', (await esToken(Buffer.from([...utf8.encode('{"sub":"'), 0xc0, 0xaf, ...utf8.encode('"}')]))).token, jwks, {}, fail(JWT_INVALID));
  }

  // ----- 6. library decisions (differ from jose on purpose) ---------------------------------------
  {
    const D = 'decision';
    const MAX = 262144;
    // A HS256 token of exactly `target` characters.
    const b64len = (bytes) => Math.ceil((bytes * 4) / 3);
    const exactLength = (target) => {
      for (let extra = 0; extra < 3; extra++) {
        const header = { alg: 'HS256', typ: 'JWT', x: 'x'.repeat(extra) };
        const headerLen = b64len(JSON.stringify(header).length);
        const emptyPayloadBytes = JSON.stringify({ sub: 'x', pad: '' }).length;
        for (let n = Math.floor(target * 0.74); n < target; n++) {
          const length = headerLen + 1 + b64len(emptyPayloadBytes + n) + 1 + 43;
          if (length === target) {
            const payload = { sub: 'x', pad: 'a'.repeat(n) };
            const t = hsToken(payload, { x: header.x });
            if (t.token.length !== target) throw new Error('exactLength arithmetic is wrong');
            return { ...t, payload };
          }
          if (length > target) break;
        }
      }
      throw new Error(`cannot build a token of exactly ${target} characters`);
    };
    const atMax = exactLength(MAX);
    add(D, `token of exactly ${MAX} bytes accepted`, atMax.token, null, { secret: secrets.HS256 }, ok(atMax.payload, atMax.header));
    const over = exactLength(MAX + 1);
    add(D, `token of ${MAX + 1} bytes (over the limit) rejected`, over.token, null, { secret: secrets.HS256 }, fail(JWS_INVALID), {
      differsFromJose: `this library refuses tokens longer than ${MAX} bytes; jose has no limit`,
    });
    const huge = exactLength(MAX * 2);
    add(D, `token of ${MAX * 2} bytes rejected`, huge.token, null, { secret: secrets.HS256 }, fail(JWS_INVALID), {
      differsFromJose: `this library refuses tokens longer than ${MAX} bytes; jose has no limit`,
    });

    // '=' padding in each segment (signed over the padded text, so only the padding is wrong).
    const lenient = 'jose decodes base64url leniently (accepts "=" padding and whitespace); this library is strict';
    {
      let header = { alg: 'HS256', typ: 'JWT' };
      for (let i = 0; JSON.stringify(header).length % 3 === 0; i++) header = { alg: 'HS256', typ: 'JWT', x: 'y'.repeat(i + 1) };
      let payload = { sub: 'x' };
      for (let i = 0; JSON.stringify(payload).length % 3 === 0; i++) payload = { sub: 'x', p: 'q'.repeat(i + 1) };
      const pad = (seg) => seg + '='.repeat((4 - (seg.length % 4)) % 4);
      const hp = pad(segment(header));
      const pp = pad(segment(payload));
      if (hp === segment(header) || pp === segment(payload)) throw new Error('padding construction failed');
      const signed = (hs, ps) => `${hs}.${ps}.${b64u(rawSign('HS256', secrets.HS256, `${hs}.${ps}`))}`;
      add(D, 'base64url "=" padding in the header segment', signed(hp, segment(payload)), null, { secret: secrets.HS256 }, fail(JWS_INVALID), { differsFromJose: lenient });
      add(D, 'base64url "=" padding in the payload segment', signed(segment(header), pp), null, { secret: secrets.HS256 }, fail(JWS_INVALID), { differsFromJose: lenient });
      const good = signed(segment(header), segment(payload));
      add(D, 'base64url "=" padding in the signature segment (HS256)', `${good}=`, null, { secret: secrets.HS256 }, fail(JWS_INVALID), { differsFromJose: lenient });
      add(D, 'base64url "==" padding in the signature segment (ES256)', `${goodTokens.ES256.token}==`, jwks, {}, fail(JWS_INVALID), { differsFromJose: lenient });
      add(D, 'control: the same unpadded token verifies', good, null, { secret: secrets.HS256 }, ok(payload, header));
      const [gh, gp, gs] = goodTokens.ES256.token.split('.');
      add(D, 'a space inside the signature segment', `${gh}.${gp}.${gs.slice(0, 20)} ${gs.slice(20)}`, jwks, {}, fail(JWS_INVALID), { differsFromJose: lenient });
      add(D, 'a newline inside the signature segment', `${gh}.${gp}.${gs.slice(0, 20)}\n${gs.slice(20)}`, jwks, {}, fail(JWS_INVALID), { differsFromJose: lenient });
      add(D, 'a trailing newline after the token', `${goodTokens.ES256.token}\n`, jwks, {}, fail(JWS_INVALID), { differsFromJose: lenient });
    }

    // Nesting depth: the top-level object counts as level 1.
    const nested = (depth) => `{"sub":"x","deep":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    const t100 = await esToken(nested(100));
    add(D, 'payload nested 100 levels accepted', t100.token, jwks, {}, ok(JSON.parse(nested(100)), t100.header));
    for (const depth of [129, 1000]) {
      const t = await esToken(nested(depth));
      add(D, `payload nested ${depth} levels rejected`, t.token, jwks, {}, fail(JWT_INVALID), {
        differsFromJose: 'this library bounds JSON nesting at 128 levels; jose uses JSON.parse',
      });
    }
    const objs = (depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const to = await esToken(objs(200));
    add(D, 'payload of 200 nested objects rejected', to.token, jwks, {}, fail(JWT_INVALID), {
      differsFromJose: 'this library bounds JSON nesting at 128 levels; jose uses JSON.parse',
    });
  }

  // ----- checks of the table itself ----------------------------------------------------------------
  const names = new Set();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`case table: duplicate case name "${c.name}"`);
    names.add(c.name);
  }
  await crossCheckWithJose(cases);
  for (const c of cases) {
    // The table must survive JSON (the workerd runner receives it as JSON).
    const roundTrip = JSON.parse(JSON.stringify(c));
    const code = [].concat(c.expect.code)[0];
    const problem = checkOutcome(roundTrip, c.expect.ok
      ? { ok: true, payload: decodeSpecial(c.expect.payload), protectedHeader: decodeSpecial(c.expect.header) }
      : { ok: false, code, name: CODE_TO_CLASS[code], isJoseError: true, message: 'x', claim: c.expect.claim ?? 'x', reason: c.expect.reason ?? 'x', errorPayload: decodeSpecial(c.expect.payload) });
    if (problem) throw new Error(`case table: "${c.name}" does not survive JSON: ${problem}`);
  }
  return cases;
}

/** Number of cases per category, for reports. */
export function countByCategory(cases) {
  const counts = {};
  for (const c of cases) counts[c.category] = (counts[c.category] || 0) + 1;
  return counts;
}
