// The case generator of the differential test (tests/package/differential.test.mjs): tens of
// thousands of tokens, each with the keys and options to verify it with, run through edge-jwt and
// through jose's jwtVerify, whose answers must agree.
//
// Deterministic: everything comes from one seed through a seeded PRNG (sfc32 streams keyed by
// SHA-256 of the seed and a label; no Math.random, no crypto.randomBytes, no clock). The keys too:
// RSA primes are searched from the PRNG (sieve plus Miller-Rabin), EC and Ed25519 private keys are
// PRNG bytes, ECDSA nonces and PSS salts are PRNG bytes. The same seed gives byte-identical cases
// (see `digest`), so a failing case can be replayed.
//
// Who signs: valid tokens of the deterministic algorithms (EdDSA, Ed25519, RS*, HS*) are made by
// jose's SignJWT; jose's ES* and PS* signatures are randomised by WebCrypto, so those are signed
// here (ECDSA with a PRNG nonce, r computed by node:crypto's ECDH as k·G; PSS encoded here with a
// PRNG salt and raised to d by node:crypto). The generator checks on the first token of every
// algorithm that its own signer gives byte-for-byte what jose gives (deterministic algorithms) or
// something jose verifies (ES*, PS*). Tokens jose refuses to make (odd headers and payloads, raw
// JSON text, bad encodings) are signed here over the exact segments.
//
// Usage:
//   import { generate } from './generate.mjs';
//   const { material, cases, counts, digest } = await generate({ seed, scale });
//   node tests/differential/generate.mjs [--seed N] [--scale X] [--out cases.json]   (prints counts)
//
// A case is JSON: { category, label, token, keys, secret?, secretForm?, options, diff? }
//   keys:    name of a JWKS in material.jwks, or null (then `secret` names the HMAC secret)
//   secret:  name of a secret in material.secrets (edge-jwt: options.secret; jose: the key, or
//            for a case with keys too, the key a resolver returns for HS* tokens)
//   secretForm: 'string' (edge-jwt gets the string, jose its UTF-8 bytes) or 'bytes' (both bytes)
//   options: jose/edge-jwt option names; currentDate as epoch milliseconds in `currentDateMs`
//   diff:    id of a row in the test's table of deliberate differences, when the case is built to
//            fall in one (the test asserts both sides' outcomes exactly for those)

import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import * as jose from 'jose';

export const DEFAULT_SEED = 0x0d1ff007;
/** The clock of the cases: 2026-01-01T00:00:00Z. */
export const NOW = 1_767_225_600;
export const ISS = 'https://issuer.example.com';
export const ISS2 = 'https://auth.example.org';
export const AUD = 'api://edge-jwt';
export const AUD2 = 'https://api.example.com';
export const SUB = 'user-8f14e45f';

export const ALGS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'HS256', 'HS384', 'HS512'];
const ASYM = ALGS.filter((a) => !a.startsWith('HS'));
const HS = ['HS256', 'HS384', 'HS512'];
/** Relative cost weights when an algorithm is drawn (the pure-Rust ES384/ES512 checks are ~9 ms). */
const ALG_WEIGHTS = { EdDSA: 3, Ed25519: 3, ES256: 3, ES384: 1, ES512: 1, RS256: 2, RS384: 2, RS512: 2, PS256: 2, PS384: 2, PS512: 2, HS256: 3, HS384: 2, HS512: 2 };

// ---------------------------------------------------------------------------------------------
// PRNG: sfc32, seeded from SHA-256(seed ":" label). `fork(label)` gives an independent stream, so
// adding draws to one category does not shift the others.

export class Rng {
  constructor(seed, label = 'root') {
    this.seed = seed;
    this.label = label;
    const h = crypto.createHash('sha256').update(`${seed}:${label}`).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    for (let i = 0; i < 16; i++) this.u32();
  }

  fork(label) {
    return new Rng(this.seed, `${this.label}/${label}`);
  }

  u32() {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  float() {
    return this.u32() / 4294967296;
  }

  int(n) {
    return Math.floor(this.float() * n);
  }

  chance(p) {
    return this.float() < p;
  }

  pick(list) {
    return list[this.int(list.length)];
  }

  weighted(weights) {
    const entries = Object.entries(weights);
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.float() * total;
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1][0];
  }

  bytes(n) {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.u32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }

  big(bits) {
    const bytes = this.bytes(Math.ceil(bits / 8));
    let v = BigInt(`0x${bytes.toString('hex')}`);
    v &= (1n << BigInt(bits)) - 1n;
    return v;
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding helpers

const utf8 = new TextEncoder();
export const b64u = (input) => Buffer.from(typeof input === 'string' ? utf8.encode(input) : input).toString('base64url');
const fromB64u = (text) => Buffer.from(text, 'base64url');
/** Segment for a JSON value (JSON.stringify), raw JSON text (string) or raw bytes. */
const seg = (value) => (typeof value === 'string' || value instanceof Uint8Array ? b64u(value) : b64u(JSON.stringify(value)));

export function bigToBytes(value, length) {
  const hex = value.toString(16).padStart(length * 2, '0');
  if (hex.length > length * 2) throw new Error('bigToBytes: value too large');
  return Buffer.from(hex, 'hex');
}
const bytesToBig = (bytes) => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`));
const bitLength = (v) => v.toString(2).length;

// ---------------------------------------------------------------------------------------------
// Number theory for deterministic RSA keys

export function modPow(base, exp, mod) {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

export function modInv(a, m) {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('modInv: not invertible');
  return ((oldS % m) + m) % m;
}

const gcd = (a, b) => {
  let [x, y] = [a, b];
  while (y) [x, y] = [y, x % y];
  return x;
};

const SMALL_PRIMES = (() => {
  const limit = 30000;
  const sieve = new Uint8Array(limit);
  const out = [];
  for (let i = 3; i < limit; i++) {
    if (sieve[i]) continue;
    out.push(i);
    for (let j = i * i; j < limit; j += i) sieve[j] = 1;
  }
  return out;
})();

/** Miller-Rabin with PRNG bases (n odd, larger than every small prime). */
function millerRabin(n, rng, rounds) {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  const bits = bitLength(n);
  for (let i = 0; i < rounds; i++) {
    const a = 2n + (rng.big(bits - 1) % (n - 3n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

/**
 * A prime of exactly `bits` bits whose top six bits are set, so that up to 44 of them multiply to
 * a number of exactly the sum of their sizes in bits ((63/64)^44 > 1/2). Searched upwards from a
 * PRNG start with a sieve of the small primes' residues, then Miller-Rabin.
 */
export function randomPrime(bits, rng, e = 65537n) {
  for (;;) {
    const start = (rng.big(bits) | (63n << BigInt(bits - 6)) | 1n) & ((1n << BigInt(bits)) - 1n);
    const residues = SMALL_PRIMES.map((p) => Number(start % BigInt(p)));
    for (let offset = 0; offset < 20 * bits; offset += 2) {
      let divisible = false;
      for (let i = 0; i < SMALL_PRIMES.length; i++) {
        if ((residues[i] + offset) % SMALL_PRIMES[i] === 0) {
          divisible = true;
          break;
        }
      }
      if (divisible) continue;
      const candidate = start + BigInt(offset);
      if (bitLength(candidate) !== bits) break;
      if (gcd(candidate - 1n, e) !== 1n) continue;
      if (millerRabin(candidate, rng, 1) && millerRabin(candidate, rng, 15)) return candidate;
    }
  }
}

/** An RSA key from the PRNG: `{ bits, n, e, d, primes, jwk, privateKey (KeyObject, two primes only) }`. */
export function makeRsaKey(rng, bits, primeCount = 2) {
  const e = 65537n;
  for (;;) {
    const sizes = Array.from({ length: primeCount }, (_, i) => Math.floor(bits / primeCount) + (i < bits % primeCount ? 1 : 0));
    const primes = sizes.map((size) => randomPrime(size, rng, e));
    if (new Set(primes.map(String)).size !== primes.length) continue;
    const n = primes.reduce((a, b) => a * b, 1n);
    if (bitLength(n) !== bits) throw new Error(`makeRsaKey: ${bitLength(n)} bits instead of ${bits}`);
    const lambda = primes.map((p) => p - 1n).reduce((a, b) => (a * b) / gcd(a, b));
    const d = modInv(e, lambda);
    const byteLength = Math.ceil(bits / 8);
    const jwk = { kty: 'RSA', n: b64u(bigToBytes(n, byteLength)), e: 'AQAB' };
    let privateKey;
    if (primeCount === 2) {
      const [p, q] = primes;
      const half = (v) => b64u(bigToBytes(v, Math.ceil(bitLength(v) / 8)));
      privateKey = crypto.createPrivateKey({
        format: 'jwk',
        key: { ...jwk, d: b64u(bigToBytes(d, byteLength)), p: half(p), q: half(q), dp: half(d % (p - 1n)), dq: half(d % (q - 1n)), qi: half(modInv(q, p)) },
      });
    }
    return { kind: 'RSA', bits, n, e, d, primes, jwk, privateKey };
  }
}

/** m^d mod n by the Chinese remainder theorem over all the primes (multi-prime keys too). */
export function rsaPrivateOp(key, m) {
  let result = 0n;
  const { n, primes, d } = key;
  for (const p of primes) {
    const mp = modPow(m % p, d % (p - 1n), p);
    const np = n / p;
    result = (result + mp * np * modInv(np % p, p)) % n;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// EC and Ed25519 keys from the PRNG

const CURVES = {
  'P-256': { name: 'prime256v1', bytes: 32, order: BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551'), hash: 'sha256' },
  'P-384': { name: 'secp384r1', bytes: 48, order: BigInt('0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973'), hash: 'sha384' },
  'P-521': { name: 'secp521r1', bytes: 66, order: BigInt(`0x01FF${'FFFFFFFF'.repeat(7)}FFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409`), hash: 'sha512' },
};
const ALG_CURVE = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

function ecPoint(crv, scalar) {
  const c = CURVES[crv];
  const ecdh = crypto.createECDH(c.name);
  ecdh.setPrivateKey(bigToBytes(scalar, c.bytes));
  const point = ecdh.getPublicKey(null, 'uncompressed');
  return { x: point.subarray(1, 1 + c.bytes), y: point.subarray(1 + c.bytes) };
}

export function makeEcKey(rng, crv) {
  const c = CURVES[crv];
  const d = 1n + (rng.big(c.bytes * 8 + 64) % (c.order - 1n));
  const { x, y } = ecPoint(crv, d);
  const jwk = { kty: 'EC', crv, x: b64u(x), y: b64u(y) };
  const privateKey = crypto.createPrivateKey({ format: 'jwk', key: { ...jwk, d: b64u(bigToBytes(d, c.bytes)) } });
  return { kind: 'EC', crv, d, jwk, privateKey };
}

export function makeEdKey(rng) {
  const seed = rng.bytes(32);
  const privateKey = crypto.createPrivateKey({ format: 'der', type: 'pkcs8', key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]) });
  const jwk = crypto.createPublicKey(privateKey).export({ format: 'jwk' });
  return { kind: 'OKP', jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, privateKey };
}

// ---------------------------------------------------------------------------------------------
// Signing, deterministic for every algorithm

function mgf1(hash, seed, length) {
  const chunks = [];
  for (let counter = 0, total = 0; total < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = crypto.createHash(hash).update(seed).update(c).digest();
    chunks.push(block);
    total += block.length;
  }
  return Buffer.concat(chunks).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with salt length = hash length and a PRNG salt. */
function pssEncode(hash, message, modBits, rng) {
  const hLen = { sha256: 32, sha384: 48, sha512: 64 }[hash];
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const mHash = crypto.createHash(hash).update(message).digest();
  const salt = rng.bytes(hLen);
  const h = crypto.createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - hLen - hLen - 2), Buffer.from([1]), salt]);
  const mask = mgf1(hash, h, emLen - hLen - 1);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >>> (8 * emLen - emBits);
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

/**
 * Signs `signingInput` (a string, taken as latin1 bytes, which is what a JWS signs for ASCII
 * segments; non-ASCII segments are signed as their UTF-8 bytes) with `key` for `alg`.
 */
export function signRaw(alg, key, signingInput, rng) {
  const data = Buffer.from(signingInput, 'utf8');
  const bits = alg.slice(-3);
  const hash = `sha${bits}`;
  switch (alg.slice(0, 2)) {
    case 'HS':
      return crypto.createHmac(hash, key).update(data).digest();
    case 'RS':
      if (key.privateKey) return crypto.sign(hash, data, key.privateKey);
      return rsaPkcs1Sign(key, hash, data);
    case 'PS': {
      const k = Math.ceil(key.bits / 8);
      const em = pssEncode(hash, data, key.bits, rng);
      const padded = Buffer.concat([Buffer.alloc(k - em.length), em]);
      if (key.privateKey) return crypto.privateEncrypt({ key: key.privateKey, padding: crypto.constants.RSA_NO_PADDING }, padded);
      return bigToBytes(rsaPrivateOp(key, bytesToBig(padded)), k);
    }
    case 'ES': {
      const crv = key.crv;
      const c = CURVES[crv];
      const z = bytesToBig(crypto.createHash(hash).update(data).digest());
      for (;;) {
        const k = 1n + (rng.big(c.bytes * 8 + 64) % (c.order - 1n));
        const r = bytesToBig(ecPoint(crv, k).x) % c.order;
        if (r === 0n) continue;
        const s = (modInv(k, c.order) * (z + r * key.d)) % c.order;
        if (s === 0n) continue;
        return Buffer.concat([bigToBytes(r, c.bytes), bigToBytes(s, c.bytes)]);
      }
    }
    default:
      return crypto.sign(null, data, key.privateKey);
  }
}

const DIGEST_INFO = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

/** RSASSA-PKCS1-v1_5 by hand, for multi-prime keys node:crypto cannot import. */
export function rsaPkcs1Sign(key, hash, data) {
  const k = Math.ceil(key.bits / 8);
  const t = Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), crypto.createHash(hash).update(data).digest()]);
  const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - t.length - 3, 0xff), Buffer.from([0]), t]);
  return bigToBytes(rsaPrivateOp(key, bytesToBig(em)), k);
}

// ---------------------------------------------------------------------------------------------
// The material: keys, key sets and secrets

async function makeMaterial(rng) {
  const r = (label) => rng.fork(`key:${label}`);
  const keys = {
    EdDSA: makeEdKey(r('EdDSA')),
    Ed25519: makeEdKey(r('Ed25519')),
    ES256: makeEcKey(r('ES256'), 'P-256'),
    ES384: makeEcKey(r('ES384'), 'P-384'),
    ES512: makeEcKey(r('ES512'), 'P-521'),
    RS256: makeRsaKey(r('RS256'), 2048),
    RS384: makeRsaKey(r('RS384'), 3072),
    RS512: makeRsaKey(r('RS512'), 2048),
    PS256: makeRsaKey(r('PS256'), 2048),
    PS384: makeRsaKey(r('PS384'), 2048),
    PS512: makeRsaKey(r('PS512'), 4096),
  };
  // Attacker keys: same kinds, not in any set.
  const attacker = {
    EdDSA: makeEdKey(r('attacker-Ed')),
    ES256: makeEcKey(r('attacker-ES256'), 'P-256'),
    ES384: makeEcKey(r('attacker-ES384'), 'P-384'),
    ES512: makeEcKey(r('attacker-ES512'), 'P-521'),
    RSA: makeRsaKey(r('attacker-RSA'), 2048),
  };
  attacker.Ed25519 = attacker.EdDSA;
  for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']) attacker[alg] = attacker.RSA;
  // Keys of set "nokid" (no kid, no alg): one per kind.
  const plain = {
    OKP: makeEdKey(r('plain-Ed')),
    'P-256': makeEcKey(r('plain-P256'), 'P-256'),
    'P-384': makeEcKey(r('plain-P384'), 'P-384'),
    'P-521': makeEcKey(r('plain-P521'), 'P-521'),
    RSA: makeRsaKey(r('plain-RSA'), 2048),
  };
  const twins = [makeEcKey(r('twin-1'), 'P-256'), makeEcKey(r('twin-2'), 'P-256'), makeEcKey(r('twin-3'), 'P-256')];
  const weak = { 2047: makeRsaKey(r('weak-2047'), 2047), 1024: makeRsaKey(r('weak-1024'), 1024) };
  // An Ed25519 small-order public key (the identity point) and an RSA modulus over 16384 bits
  // (a 17-prime key, so a real signature exists).
  const big = makeRsaKey(r('rsa-16392'), 16392, 16);

  const kidOf = (alg) => `k-${alg}`;
  const main = {
    keys: [
      ...ASYM.map((alg) => ({
        ...keys[alg].jwk,
        kid: kidOf(alg),
        alg,
        ...(alg === 'ES384' ? { key_ops: ['verify'] } : alg === 'PS256' ? { key_ops: ['verify'], ext: true } : { use: 'sig' }),
      })),
      // Noise the selection must skip: encryption keys, key_ops without verify or with repeats,
      // an oct key, ECDH keys, a kind nobody uses.
      { ...keys.ES256.jwk, kid: kidOf('ES256'), use: 'enc' },
      { ...keys.RS256.jwk, kid: 'enc-rsa', use: 'enc' },
      { ...attacker.ES256.jwk, kid: 'ops-sign', key_ops: ['sign'] },
      { ...attacker.ES256.jwk, kid: 'ops-dup', key_ops: ['verify', 'verify'] },
      { kty: 'oct', kid: 'oct-1', k: b64u(rng.fork('oct').bytes(32)) },
      { kty: 'OKP', crv: 'X25519', kid: 'x25519', x: keys.EdDSA.jwk.x },
      { kty: 'EC', crv: 'P-256', kid: 'ecdh', x: keys.ES256.jwk.x, y: keys.ES256.jwk.y, use: 'enc' },
      { kty: 'FUTURE', kid: 'future', q: 'x' },
      { ...keys.ES256.jwk, kid: 'ext-string', ext: 'true', alg: 'ES256' },
    ],
  };
  const nokid = { keys: [plain.OKP.jwk, plain['P-256'].jwk, plain['P-384'].jwk, plain['P-521'].jwk, plain.RSA.jwk] };
  const jwks = {
    main,
    nokid,
    twins: { keys: [twins[0].jwk, twins[1].jwk] },
    weak: { keys: [{ ...weak[2047].jwk, kid: 'weak-2047' }, { ...weak[1024].jwk, kid: 'weak-1024' }] },
    smallOrder: { keys: [{ kty: 'OKP', crv: 'Ed25519', kid: 'small-order', x: b64u(Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])) }] },
    big: { keys: [{ ...big.jwk, kid: 'rsa-16392' }] },
    empty: { keys: [] },
    signVerifyOps: { keys: [{ ...twins[2].jwk, kid: 'ops-sign-verify', key_ops: ['sign', 'verify'] }] },
    // Over the key set bounds (256 keys; 256 KiB of JSON): the token's key is the last.
    tooManyKeys: { keys: [...Array.from({ length: 256 }, (_, i) => ({ ...plain.OKP.jwk, kid: `filler-${i}`, alg: 'EdDSA' })), { ...keys.EdDSA.jwk, kid: 'last', alg: 'EdDSA' }] },
    tooLarge: { keys: [{ ...keys.EdDSA.jwk, kid: 'last', alg: 'EdDSA', pad: 'p'.repeat(262_144) }] },
    // Kids that are lone surrogates or U+FFFD (JSON.stringify writes them as \ud800 escapes).
    oddKids: { keys: [{ ...keys.ES256.jwk, kid: '\ud800', alg: 'ES256' }, { ...keys.EdDSA.jwk, kid: '\ufffd', alg: 'EdDSA' }, { ...keys.RS256.jwk, kid: '\udc00\ud800', alg: 'RS256' }] },
  };

  const s = rng.fork('secrets');
  const secrets = {
    main: `diff-secret-${s.bytes(16).toString('hex')}`,
    bytes: s.bytes(64),
    unicode: `sécret-ключ-秘密-🔑-${s.bytes(4).toString('hex')}`,
    other: `other-secret-${s.bytes(16).toString('hex')}`,
    short: 'k',
    // Public keys as text, for alg confusion (a caller who passes a public key as the secret).
    rsaPem: crypto.createPublicKey({ format: 'jwk', key: keys.RS256.jwk }).export({ format: 'pem', type: 'spki' }),
    rsaJwk: JSON.stringify({ ...keys.RS256.jwk, kid: kidOf('RS256'), alg: 'RS256', use: 'sig' }),
    rsaDer: crypto.createPublicKey({ format: 'jwk', key: keys.RS256.jwk }).export({ format: 'der', type: 'spki' }),
    rsaN: fromB64u(keys.RS256.jwk.n),
    ecPem: crypto.createPublicKey({ format: 'jwk', key: keys.ES256.jwk }).export({ format: 'pem', type: 'spki' }),
    edX: fromB64u(keys.EdDSA.jwk.x),
  };
  return { keys, attacker, plain, twins, weak, big, jwks, secrets, kidOf };
}

/** Secrets as JSON (bytes as {$bytes: base64url}). */
function secretsJson(secrets) {
  const out = {};
  for (const [k, v] of Object.entries(secrets)) out[k] = typeof v === 'string' ? v : { $bytes: b64u(v) };
  return out;
}

/** The secret named `name` as bytes. */
export function secretBytes(material, name) {
  const v = material.secrets[name];
  if (v === undefined) throw new Error(`no secret named ${name}`);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof Uint8Array) return Buffer.from(v);
  return Buffer.from(v.$bytes, 'base64url');
}

// ---------------------------------------------------------------------------------------------
// Building blocks for cases

/** currentDate values: all but the last two floor to NOW (jose: now = floor(ms / 1000)). */
const CLOCKS = [NOW * 1000, NOW * 1000, NOW * 1000 + 999, NOW * 1000 + 500, NOW * 1000 - 1, NOW * 1000 + 1000];

class Builder {
  constructor(seed, scale, material) {
    this.seed = seed;
    this.scale = scale;
    this.rng = new Rng(seed, 'cases');
    this.m = material;
    this.cases = [];
    this.joseKeys = {};
  }

  n(count) {
    return Math.max(1, Math.round(count * this.scale));
  }

  add(category, label, token, config, options = {}, extra = {}) {
    const c = { category, label, token, keys: config.keys ?? null };
    if (config.secret !== undefined) {
      c.secret = config.secret;
      c.secretForm = config.secretForm ?? 'string';
    }
    c.options = { currentDateMs: NOW * 1000, ...options };
    Object.assign(c, extra);
    this.cases.push(c);
    return c;
  }

  /** The signing key for `alg`: 'legit' (in the sets), 'attacker', 'plain' (set nokid), or a secret name. */
  key(alg, who = 'legit') {
    if (alg.startsWith('HS')) return secretBytes(this.m, who === 'legit' ? 'main' : who);
    if (who === 'legit') return this.m.keys[alg];
    if (who === 'attacker') return this.m.attacker[alg];
    if (who === 'plain') {
      if (alg.startsWith('E') && !alg.startsWith('ES')) return this.m.plain.OKP;
      if (alg.startsWith('ES')) return this.m.plain[ALG_CURVE[alg]];
      return this.m.plain.RSA;
    }
    throw new Error(`unknown signer ${who}`);
  }

  /** A compact token over the exact segments (strings), signed with `signKey` for `alg`. */
  signSegments(headerSegment, payloadSegment, alg, signKey, rng = this.rng) {
    const input = `${headerSegment}.${payloadSegment}`;
    return `${input}.${b64u(signRaw(alg, signKey, input, rng))}`;
  }

  /** A compact token: header and payload are JSON values, raw JSON text or bytes. */
  hand(header, payload, alg, who = 'legit', rng = this.rng) {
    return this.signSegments(seg(header), seg(payload), alg, this.key(alg, who), rng);
  }

  /** jose's CryptoKey for a legit key (for SignJWT). */
  async joseKey(alg) {
    if (!this.joseKeys[alg]) {
      const pem = this.m.keys[alg].privateKey.export({ format: 'pem', type: 'pkcs8' });
      this.joseKeys[alg] = await jose.importPKCS8(pem, alg);
    }
    return this.joseKeys[alg];
  }

  /** A valid token: jose's SignJWT for deterministic algorithms, this file's signer otherwise. */
  async signed(alg, header, payload, who = 'legit', secretName = 'main') {
    const deterministic = alg.startsWith('HS') || alg.startsWith('RS') || alg === 'EdDSA' || alg === 'Ed25519';
    if (who === 'legit' && deterministic) {
      const key = alg.startsWith('HS') ? secretBytes(this.m, secretName) : await this.joseKey(alg);
      return new jose.SignJWT(payload).setProtectedHeader(header).sign(key);
    }
    return this.hand(header, payload, alg, alg.startsWith('HS') ? secretName : who);
  }

  /** The keys/secret configuration for a token of `alg` signed by the legit key. */
  config(alg, rng) {
    if (alg.startsWith('HS')) {
      const secret = rng.pick(['main', 'main', 'main', 'bytes', 'unicode', 'short']);
      const secretForm = secret === 'bytes' ? 'bytes' : rng.chance(0.2) ? 'bytes' : 'string';
      return { keys: rng.chance(0.2) ? 'main' : null, secret, secretForm };
    }
    return { keys: 'main', ...(rng.chance(0.1) ? { secret: 'main', secretForm: 'string' } : {}) };
  }
}

const orUndefined = (list, emptyWeight) => [...Array(emptyWeight).fill(undefined), ...list];

function timeClaims(rng) {
  const t = NOW;
  const exp = rng.pick(orUndefined([t - 3600, t - 31, t - 30, t - 29, t - 6, t - 5, t - 4, t - 1, t, t + 1, t + 2, t + 5, t + 30, t + 3600, t + 3600, t + 3600, t + 31_536_000, t + 0.5, t - 0.5, t + 0.001], 5));
  const nbf = rng.pick(orUndefined([t - 3600, t - 30, t - 1, t, t + 1, t + 4, t + 5, t + 6, t + 29, t + 30, t + 31, t + 3600, t + 0.5, t - 0.25], 12));
  const iat = rng.pick(orUndefined([t - 259_200, t - 7200, t - 3601, t - 3600, t - 3599, t - 91, t - 90, t - 89, t - 61, t - 60, t - 60, t - 59, t - 11, t - 10, t - 1, t, t + 1, t + 5, t + 6, t + 30, t + 31, t + 0.5], 4));
  return { exp, nbf, iat };
}

/** Claims: `wellFormed` ones are valid at NOW (with edges only inside the tolerances jose allows). */
function claimsFor(rng, i, wellFormed) {
  const t = NOW;
  const { exp, nbf, iat } = wellFormed
    ? { exp: rng.pick([t + 3600, t + 61, t + 1, t + 600.5, undefined]), nbf: rng.pick([undefined, undefined, t - 60, t]), iat: rng.pick([t - 60, t - 1, t, t - 30.25, undefined]) }
    : timeClaims(rng);
  const iss = wellFormed ? rng.pick([ISS, ISS, undefined]) : rng.pick(orUndefined([ISS, ISS, ISS, ISS, ISS2, `${ISS}/`, ISS.toUpperCase(), '', 42, null, [ISS]], 2));
  const sub = wellFormed ? rng.pick([SUB, SUB, undefined]) : rng.pick(orUndefined([SUB, SUB, SUB, SUB, 'user-other', '', 0, null], 2));
  const aud = wellFormed ? rng.pick([AUD, [AUD, AUD2], [AUD2, AUD], undefined]) : rng.pick(orUndefined([AUD, AUD, AUD, AUD2, [AUD], [AUD, AUD2], [AUD2, 'x'], ['x', 'y'], [], [AUD, 7], 'x', 12, null, {}], 2));
  const payload = {};
  // Claim order varies too; values in the JSON the way jose's signer writes them.
  const entries = [['iss', iss], ['sub', sub], ['aud', aud], ['exp', exp], ['nbf', nbf], ['iat', iat]];
  if (rng.chance(0.6)) entries.push(['jti', `jti-${i}-${rng.u32().toString(36)}`]);
  if (rng.chance(0.4)) entries.push(['scope', rng.pick(['read', 'read write', ''])]);
  if (rng.chance(0.3)) entries.push(['nested', { roles: ['admin', 'reader'], level: rng.int(10), ratio: rng.pick([0.25, 1e-7, 123456.789, -3]), flags: { a: true, b: false, c: null }, list: [1, 'two', { three: 3 }, []] }]);
  if (rng.chance(0.2)) entries.push(['name', rng.pick(['Zoë Ångström', '日本語 テキスト', 'Ελληνικά 🙂🚀', 'tab\tnewline\nquote"back\\slash', '\u0000\u001f\u007f\u2028\u2029', 'e\u0301'])]);
  if (rng.chance(0.1)) entries.push(['custom', rng.pick([0, -1, 1.5, true, false, null, 'x', [], {}])]);
  if (rng.chance(0.05)) entries.push(['toString', 'shadow']);
  if (rng.chance(0.05)) entries.push(['__proto__', { admin: true }]);
  if (rng.chance(0.5)) {
    for (let k = entries.length - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      [entries[k], entries[j]] = [entries[j], entries[k]];
    }
  }
  for (const [k, v] of entries) {
    if (v !== undefined) Object.defineProperty(payload, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return payload;
}

const TYPS = ['JWT', 'jwt', 'application/jwt', 'at+jwt', 'application/at+jwt', 'JOSE', 'secevent+jwt', 'Application/JWT', 'JWT ', '', 'JWTİ', 'ΣJWT', 'JWTΣ', 'ÀT+JWT', 'application/', '/'];

function optionsFor(rng, alg, payload, header, wellFormed) {
  if (wellFormed && rng.chance(0.6)) return alignedOptions(rng, alg, payload, header);
  const o = {};
  const r = () => rng.float();
  let x = r();
  if (x < 0.3) o.issuer = typeof payload.iss === 'string' ? payload.iss : ISS;
  else if (x < 0.45) o.issuer = rng.pick([ISS2, [ISS, ISS2], [ISS2, 'z'], [], ISS, [ISS]]);
  x = r();
  if (x < 0.3) {
    const aud = payload.aud;
    if (typeof aud === 'string') o.audience = rng.chance(0.5) ? aud : [aud, 'q'];
    else if (Array.isArray(aud) && aud.some((a) => typeof a === 'string')) o.audience = rng.pick(aud.filter((a) => typeof a === 'string'));
    else o.audience = AUD;
  } else if (x < 0.45) o.audience = rng.pick([AUD2, [AUD2], ['z'], [], AUD, [AUD, AUD2], ['x', AUD]]);
  x = r();
  if (x < 0.25) o.subject = typeof payload.sub === 'string' ? payload.sub : SUB;
  else if (x < 0.35) o.subject = rng.pick(['user-other', '', SUB]);
  x = r();
  if (x < 0.2) o.algorithms = [alg];
  else if (x < 0.3) o.algorithms = rng.chance(0.5) ? [alg, rng.pick(ALGS)] : [rng.pick(ALGS), alg];
  else if (x < 0.35) o.algorithms = [rng.pick(ALGS.filter((a) => a !== alg))];
  else if (x < 0.37) o.algorithms = [];
  else if (x < 0.39) o.algorithms = ['none', alg];
  if (r() < 0.5) o.clockTolerance = rng.pick([0, 1, 4, 5, 6, 30, 60, 0.5, 1.5, '5s', '5 s', '30 seconds', '1m', '1 minute', '2 hours', '1.5s', '0s', '6 secs']);
  if (r() < 0.35) o.maxTokenAge = rng.pick([0, 1, 10, 59, 60, 61, 89, 90, 3600, '1h', '90s', '1 hour', '2 days', '1.5 h', 0.5, '60 seconds']);
  x = r();
  if (x < 0.2 && typeof header.typ === 'string') o.typ = rng.pick([header.typ, header.typ.toLowerCase(), header.typ.includes('/') ? header.typ : `application/${header.typ}`]);
  else if (x < 0.35) o.typ = rng.pick(['JWT', 'at+jwt', 'application/jwt', 'JOSE', 'jwt', 'application/at+JWT']);
  if (r() < 0.3) o.requiredClaims = rng.pick([['exp'], ['iat'], ['nbf'], ['jti'], ['exp', 'iat', 'nbf'], ['iss', 'sub', 'aud'], ['toString'], ['__proto__'], ['hasOwnProperty'], ['custom'], [], ['nested', 'name']]);
  if (r() < 0.05) o.crit = rng.pick([{ foo: true }, { foo: false }, { b64: true }]);
  o.currentDateMs = rng.pick(CLOCKS);
  return o;
}

/** Options that the claims satisfy (each present or not), with the clock and a tolerance. */
function alignedOptions(rng, alg, payload, header) {
  const o = {};
  if (typeof payload.iss === 'string' && rng.chance(0.5)) o.issuer = rng.pick([payload.iss, [ISS2, payload.iss]]);
  if (payload.aud !== undefined && rng.chance(0.5)) o.audience = typeof payload.aud === 'string' ? payload.aud : rng.pick([payload.aud[0], [payload.aud[1], 'other']]);
  if (typeof payload.sub === 'string' && rng.chance(0.4)) o.subject = payload.sub;
  if (rng.chance(0.4)) o.algorithms = rng.pick([[alg], ALGS, [alg, 'ES256']]);
  if (typeof header.typ === 'string' && rng.chance(0.3)) o.typ = header.typ;
  if (typeof payload.iat === 'number' && rng.chance(0.4)) o.maxTokenAge = rng.pick([60, '1h', '2 minutes', 3600.5]);
  if (rng.chance(0.4)) o.clockTolerance = rng.pick([0, 5, '30s', 1.5]);
  if (rng.chance(0.3)) o.requiredClaims = Object.keys(payload).filter(() => rng.chance(0.5));
  o.currentDateMs = rng.pick([NOW * 1000, NOW * 1000 + 999, NOW * 1000 + 500]);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Categories

/** Valid tokens (claim and option combinations), each with several option sets. */
async function buildValid(B, tokens, optionSets) {
  const rng = B.rng.fork('valid');
  const checked = new Set();
  for (let i = 0; i < tokens; i++) {
    const alg = rng.weighted(ALG_WEIGHTS);
    const isHs = alg.startsWith('HS');
    let config = B.config(alg, rng);
    let who = 'legit';
    const header = { alg };
    if (!isHs) {
      const x = rng.float();
      if (x < 0.15) {
        config = { keys: 'nokid' };
        who = 'plain';
        if (rng.chance(0.1)) header.kid = 'k-unknown';
      } else if (x < 0.85) header.kid = B.m.kidOf(alg);
      else if (x < 0.93) { /* no kid: the only fitting key of the main set */ } else if (x < 0.97) header.kid = 'k-unknown';
      else header.kid = B.m.kidOf(rng.pick(ASYM.filter((a) => a !== alg)));
    } else if (rng.chance(0.2)) header.kid = rng.pick(['k-HS256', 'k-unknown', B.m.kidOf('RS256')]);
    const typ = rng.pick(orUndefined(TYPS, 6));
    if (typ !== undefined) header.typ = typ;
    if (rng.chance(0.1)) header.cty = rng.pick(['JWT', 'json']);
    if (rng.chance(0.05)) header.b64 = true;
    if (rng.chance(0.05)) header.foo = rng.pick([1, 'bar', { x: [null] }]);
    const wellFormed = rng.chance(0.45);
    const payload = claimsFor(rng, i, wellFormed);
    let token;
    if (who === 'plain') token = B.hand(header, payload, alg, 'plain', rng);
    else token = await B.signed(alg, header, payload, 'legit', config.secret ?? 'main');
    if (!checked.has(alg) && who === 'legit') {
      checked.add(alg);
      await selfCheck(B, alg, token, config);
    }
    for (let k = 0; k < optionSets; k++) {
      B.add('valid', `valid ${alg} #${i}.${k}${wellFormed ? ' (well-formed)' : ''}`, token, config, optionsFor(rng, alg, payload, header, wellFormed));
    }
  }
}

/** The generator's own signer must match jose's (deterministic algorithms) or satisfy it. */
async function selfCheck(B, alg, token, config) {
  const [h, p, s] = token.split('.');
  if (alg.startsWith('HS') || alg.startsWith('RS') || alg.startsWith('Ed')) {
    const own = b64u(signRaw(alg, alg.startsWith('HS') ? secretBytes(B.m, config.secret ?? 'main') : B.m.keys[alg], `${h}.${p}`, B.rng));
    if (own !== s) throw new Error(`generator self-check: the ${alg} signer differs from jose's`);
  } else {
    const jwk = { ...B.m.keys[alg].jwk };
    await jose.compactVerify(token, await jose.importJWK(jwk, alg));
  }
}

/** Clean tokens to mutate: valid at NOW with the plain options. */
async function makeBases(B, perAlg) {
  const rng = B.rng.fork('bases');
  const bases = [];
  for (const alg of ALGS) {
    for (let i = 0; i < perAlg; i++) {
      const header = { alg, typ: 'JWT' };
      if (!alg.startsWith('HS') && i % 5 !== 4) header.kid = B.m.kidOf(alg);
      const payload = { iss: ISS, sub: `${SUB}-${i}`, aud: i % 3 ? AUD : [AUD, AUD2], iat: NOW - 60 - i, exp: NOW + 3600 + i, jti: `base-${alg}-${i}` };
      if (i % 4 === 0) payload.nested = { n: i, s: 'ünï', a: [true, null] };
      const config = alg.startsWith('HS') ? { keys: null, secret: 'main', secretForm: i % 2 ? 'bytes' : 'string' } : { keys: 'main' };
      const token = await B.signed(alg, header, payload);
      bases.push({ alg, header, payload, token, config });
    }
  }
  return bases;
}

function baseOptions(rng, base) {
  const x = rng.float();
  if (x < 0.6) return {};
  if (x < 0.8) return { issuer: ISS, audience: AUD, algorithms: [base.alg] };
  return { maxTokenAge: '1h', requiredClaims: ['exp', 'jti'], subject: base.payload.sub, typ: 'JWT' };
}

function flipBitSegment(rng, segment) {
  const bytes = fromB64u(segment);
  if (bytes.length === 0) return { text: segment, at: -1 };
  const at = rng.int(bytes.length);
  const bit = rng.int(8);
  bytes[at] ^= 1 << bit;
  return { text: b64u(bytes), at, bit };
}

function buildBitflips(B, bases, perSegment) {
  const rng = B.rng.fork('bitflip');
  for (const [index, name] of ['header', 'payload', 'signature'].entries()) {
    for (let i = 0; i < perSegment; i++) {
      const base = rng.pick(bases);
      const parts = base.token.split('.');
      const { text, at, bit } = flipBitSegment(rng, parts[index]);
      parts[index] = text;
      B.add(`bitflip-${name}`, `${base.alg} ${name} byte ${at} bit ${bit}`, parts.join('.'), base.config, baseOptions(rng, base));
    }
  }
}

function buildSegments(B, bases, count) {
  const rng = B.rng.fork('segments');
  const shapes = [
    ['p', 'h', 's'], ['h', 's', 'p'], ['s', 'p', 'h'], ['p', 's', 'h'], ['s', 'h', 'p'],
    ['h', 'h', 's'], ['h', 'p', 'p'], ['p', 'p', 's'], ['s', 's', 's'], ['h', 'p', 'h'],
    ['h', 'p'], ['h'], ['p', 's'], ['h', 's'],
    ['h', 'p', 's', 's'], ['h', 'p', 's', ''], ['', 'h', 'p', 's'], ['h', 'p', 's', 'h', 'p', 's'], ['h', 'p', '', 's'],
    ['h', '', 's'], ['', 'p', 's'], ['h', 'p', ''], ['', '', ''], ['', ''], [''],
    ['h', 'p', 'S'], ['H', 'p', 's'], ['h', 'P', 's'], ['H', 'P', 'S'],
  ];
  for (let i = 0; i < count; i++) {
    const base = rng.pick(bases);
    const other = rng.pick(bases.filter((b) => b.alg === base.alg && b !== base));
    const [h, p, s] = base.token.split('.');
    const [H, P, S] = other.token.split('.');
    const shape = shapes[i % shapes.length];
    const token = shape.map((x) => ({ h, p, s, H, P, S, '': '' })[x]).join('.');
    B.add('segments', `${base.alg} segments ${shape.join('.') || '(empty)'}`, token, base.config, baseOptions(rng, base));
  }
}

/** Claims or header edited, the old signature kept. */
function buildEdits(B, bases, count) {
  const rng = B.rng.fork('edits');
  const payloadEdits = [
    (p) => ({ ...p, exp: NOW + 999_999 }), (p) => ({ ...p, sub: 'admin' }), (p) => ({ ...p, aud: [AUD, 'evil'] }),
    (p) => { const q = { ...p }; delete q.exp; return q; }, (p) => ({ ...p, admin: true }), (p) => ({ ...p, iat: NOW }),
    (p) => ({ ...p, iss: ISS2 }), (p) => ({ ...p, exp: NOW - 10 }), (p) => ({ ...p, nbf: NOW + 100 }), (p) => ({ ...p }),
  ];
  const headerEdits = [
    (h) => ({ ...h, typ: 'at+jwt' }), (h) => { const g = { ...h }; delete g.kid; return g; }, (h) => ({ ...h, kid: 'k-unknown' }),
    (h) => ({ ...h, extra: 1 }), (h) => ({ ...h, alg: h.alg.replace(/256|384|512/, (m) => ({ 256: '384', 384: '512', 512: '256' })[m]) }),
    (h) => ({ ...h, alg: h.alg === 'EdDSA' ? 'Ed25519' : h.alg === 'Ed25519' ? 'EdDSA' : h.alg.startsWith('RS') ? h.alg.replace('RS', 'PS') : h.alg.startsWith('PS') ? h.alg.replace('PS', 'RS') : h.alg }),
    (h) => ({ typ: h.typ, ...h }), (h) => ({ ...h, kid: B.m.kidOf(rng.pick(ASYM)) }),
  ];
  for (let i = 0; i < count; i++) {
    const base = rng.pick(bases);
    const [h, p, s] = base.token.split('.');
    if (i % 3 !== 2) {
      const k = rng.int(payloadEdits.length);
      const edited = payloadEdits[k](JSON.parse(fromB64u(p).toString('utf8')));
      B.add('edited', `${base.alg} payload edit #${k}, old signature`, `${h}.${seg(edited)}.${s}`, base.config, baseOptions(rng, base));
    } else {
      const k = rng.int(headerEdits.length);
      const edited = headerEdits[k](JSON.parse(fromB64u(h).toString('utf8')));
      B.add('edited', `${base.alg} header edit #${k}, old signature`, `${seg(edited)}.${p}.${s}`, base.config, baseOptions(rng, base));
    }
  }
}

/** An ECDSA signature R||S re-encoded as DER (what WebCrypto and JWS do not use). */
function derSignature(raw) {
  const half = raw.length / 2;
  const int = (bytes) => {
    let b = Buffer.from(bytes);
    while (b.length > 1 && b[0] === 0 && b[1] < 0x80) b = b.subarray(1);
    if (b[0] >= 0x80) b = Buffer.concat([Buffer.alloc(1), b]);
    return Buffer.concat([Buffer.from([2, b.length]), b]);
  };
  const body = Buffer.concat([int(raw.subarray(0, half)), int(raw.subarray(half))]);
  const len = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}

/** Re-signed with another key: same alg (attacker key or other secret), or a key of another alg. */
function buildResigned(B, bases, count) {
  const rng = B.rng.fork('resigned');
  for (let i = 0; i < count; i++) {
    const base = rng.pick(bases);
    const [h, p] = base.token.split('.');
    const header = JSON.parse(fromB64u(h).toString('utf8'));
    const mode = i % 4;
    if (mode === 0) {
      // Same alg, another key; header unchanged (legit kid) or kid removed or attacker kid.
      const variant = rng.pick(['same header', 'no kid', 'attacker kid']);
      const hh = { ...header };
      if (variant === 'no kid') delete hh.kid;
      if (variant === 'attacker kid') hh.kid = 'attacker';
      const token = base.alg.startsWith('HS') ? B.hand(hh, fromB64u(p), base.alg, 'other', rng) : B.hand(hh, fromB64u(p), base.alg, 'attacker', rng);
      B.add('resigned-same-alg', `${base.alg} re-signed with another key (${variant})`, token, base.config, baseOptions(rng, base));
    } else if (mode === 1) {
      // The header keeps its alg; the signature is made with the key of another alg.
      const other = rng.pick(ALGS.filter((a) => a !== base.alg));
      const input = `${h}.${p}`;
      const key = B.key(other, 'legit');
      const token = `${input}.${b64u(signRaw(other, key, input, rng))}`;
      B.add('resigned-other-alg', `${base.alg} header, signature by the ${other} key`, token, base.config, baseOptions(rng, base));
    } else if (mode === 2) {
      // The header says another alg (its own kid or the old one), signed by that alg's legit key.
      const other = rng.pick(ALGS.filter((a) => a !== base.alg));
      const hh = { ...header, alg: other };
      if (rng.chance(0.5) && !other.startsWith('HS')) hh.kid = B.m.kidOf(other);
      const token = B.hand(hh, fromB64u(p), other, 'legit', rng);
      // (A public-key token with only a secret is a documented difference, made in buildDocumented.)
      const config = other.startsWith('HS')
        ? rng.pick([base.config, { keys: 'main' }, { keys: 'main', secret: 'main', secretForm: 'string' }])
        : rng.pick([{ keys: 'main' }, { keys: 'main', secret: 'main', secretForm: 'bytes' }]);
      B.add('resigned-other-alg', `${base.alg} token rewritten as ${other} (kid ${hh.kid ?? 'none'})`, token, config, baseOptions(rng, base));
    } else {
      // Same key, other scheme of the same kind: RS<->PS over one RSA key, EdDSA<->Ed25519, ES with
      // a DER signature, ES with the other curve's key of set nokid.
      const variants = [];
      if (base.alg.startsWith('RS') || base.alg.startsWith('PS')) {
        const swapped = base.alg.startsWith('RS') ? base.alg.replace('RS', 'PS') : base.alg.replace('PS', 'RS');
        const hh = { alg: base.alg, typ: 'JWT' };
        const input = `${seg(hh)}.${p}`;
        variants.push([`${base.alg} header over the nokid RSA key, signed as ${swapped}`, `${input}.${b64u(signRaw(swapped, B.m.plain.RSA, input, rng))}`, { keys: 'nokid' }]);
      }
      if (base.alg.startsWith('ES')) {
        const input = `${h}.${p}`;
        const raw = fromB64u(base.token.split('.')[2]);
        variants.push([`${base.alg} with a DER-encoded signature`, `${input}.${b64u(derSignature(raw))}`, base.config]);
        variants.push([`${base.alg} signature with r and s swapped`, `${input}.${b64u(Buffer.concat([raw.subarray(raw.length / 2), raw.subarray(0, raw.length / 2)]))}`, base.config]);
        variants.push([`${base.alg} signature zero-padded by one byte`, `${input}.${b64u(Buffer.concat([Buffer.alloc(1), raw]))}`, base.config]);
        variants.push([`${base.alg} all-zero signature`, `${input}.${b64u(Buffer.alloc(raw.length))}`, base.config]);
        const c = CURVES[ALG_CURVE[base.alg]];
        const r = bytesToBig(raw.subarray(0, raw.length / 2));
        const s = bytesToBig(raw.subarray(raw.length / 2));
        variants.push([`${base.alg} high-S signature (s -> n - s)`, `${input}.${b64u(Buffer.concat([bigToBytes(r, c.bytes), bigToBytes(c.order - s, c.bytes)]))}`, base.config]);
        variants.push([`${base.alg} signature with s + n`, `${input}.${b64u(Buffer.concat([bigToBytes(r, c.bytes), bigToBytes(s + c.order, c.bytes + 1).subarray(1)]))}`, base.config]);
      }
      if (base.alg === 'EdDSA' || base.alg === 'Ed25519') {
        const swapped = base.alg === 'EdDSA' ? 'Ed25519' : 'EdDSA';
        const hh = { ...header, alg: swapped };
        variants.push([`${base.alg} key, header alg ${swapped}, same kid`, B.hand(hh, fromB64u(p), base.alg, 'legit', rng), base.config]);
        const input = `${h}.${p}`;
        const raw = fromB64u(base.token.split('.')[2]);
        const L = (1n << 252n) + 27742317777372353535851937790883648493n;
        let sv = 0n;
        for (let k = 63; k >= 32; k--) sv = (sv << 8n) | BigInt(raw[k]);
        sv += L;
        const bumped = Buffer.from(raw);
        for (let k = 32; k < 64; k++) {
          bumped[k] = Number(sv & 0xffn);
          sv >>= 8n;
        }
        variants.push([`${base.alg} signature with S + L (non-canonical)`, `${input}.${b64u(bumped)}`, base.config]);
      }
      if (base.alg.startsWith('HS')) {
        const hh = { ...header, alg: base.alg === 'HS256' ? 'HS512' : 'HS256' };
        variants.push([`${base.alg} secret, header alg ${hh.alg}, MAC of ${base.alg}`, `${seg(hh)}.${p}.${b64u(signRaw(base.alg, secretBytes(B.m, 'main'), `${seg(hh)}.${p}`, rng))}`, { keys: null, secret: 'main', secretForm: 'string' }]);
        variants.push([`${base.alg} MAC truncated to 16 bytes`, `${h}.${p}.${b64u(fromB64u(base.token.split('.')[2]).subarray(0, 16))}`, base.config]);
        variants.push([`${base.alg} empty signature`, `${h}.${p}.`, base.config]);
      }
      const [label, token, config] = rng.pick(variants);
      B.add('resigned-other-alg', label, token, config, baseOptions(rng, base));
    }
  }
}

/** Alg confusion: HS* MACed with public key material; alg none. */
function buildConfusion(B, count) {
  const rng = B.rng.fork('confusion');
  const payload = { iss: ISS, sub: 'admin', aud: AUD, exp: NOW + 3600, iat: NOW - 10 };
  const materials = ['rsaPem', 'rsaJwk', 'rsaDer', 'rsaN', 'ecPem', 'edX'];
  const half = Math.ceil(count * 0.6);
  for (let i = 0; i < half; i++) {
    const hs = rng.pick(HS);
    const mat = rng.pick(materials);
    const header = { alg: hs };
    const kid = rng.pick([undefined, 'k-RS256', 'k-ES256', 'k-EdDSA']);
    if (kid) header.kid = kid;
    if (rng.chance(0.5)) header.typ = 'JWT';
    const token = B.hand(header, payload, hs, mat, rng);
    const form = mat.endsWith('Pem') || mat === 'rsaJwk' ? 'string' : 'bytes';
    const config = rng.pick([
      { keys: 'main' }, { keys: 'main' }, { keys: 'nokid' }, { keys: 'main', secret: 'main', secretForm: 'string' },
      { keys: null, secret: 'main', secretForm: 'string' }, { keys: null, secret: mat, secretForm: form }, { keys: 'main', secret: mat, secretForm: form },
    ]);
    const options = rng.pick([{}, {}, { algorithms: ['RS256'] }, { algorithms: ['RS256', hs] }, { algorithms: ASYM }, { issuer: ISS }]);
    B.add('alg-confusion', `${hs} MACed with ${mat} (kid ${kid ?? 'none'}), keys ${config.keys}, secret ${config.secret ?? 'none'}`, token, config, options);
  }
  const names = ['none', 'none', 'none', 'None', 'NONE', 'nOnE', 'none ', ' none', '', 'NONE\u0000', 'HS256none'];
  for (let i = half; i < count; i++) {
    const name = rng.pick(names);
    const header = { alg: name, ...(rng.chance(0.5) ? { kid: rng.pick(['k-RS256', 'k-ES256', 'k-unknown']) } : {}), ...(rng.chance(0.3) ? { typ: 'JWT' } : {}) };
    const base = `${seg(header)}.${seg(payload)}`;
    const sig = rng.pick(['', '', 'AAAA', b64u(signRaw('HS256', secretBytes(B.m, 'main'), base, rng)), b64u(signRaw('ES256', B.m.keys.ES256, base, rng))]);
    const config = rng.pick([{ keys: 'main' }, { keys: 'nokid' }, { keys: null, secret: 'main', secretForm: 'string' }, { keys: 'main', secret: 'main', secretForm: 'bytes' }, { keys: 'empty' }]);
    const options = rng.pick([{}, {}, { algorithms: ['none'] }, { algorithms: [name] }, { algorithms: ['ES256'] }, { algorithms: ['none', 'ES256', 'HS256'] }]);
    B.add('alg-confusion', `alg ${JSON.stringify(name)} with a ${sig.length}-char signature, keys ${config.keys}`, `${base}.${sig}`, config, options);
  }
}

const t = NOW;
/** Number texts as JSON writes them: huge, tiny, negative zero, fractions, near the clock. */
const NUMBER_TEXTS = [
  '1e400', '-1e400', '1e308', '-1e308', '1.7976931348623157e308', '1.7976931348623158e308', '1.7976931348623159e308', '1e309', '2e308',
  '4.9e-324', '5e-324', '2.4703282292062327e-324', '2.4703282292062328e-324', '1e-400', '-1e-400', '-0', '-0.0', '0e0', '-0e-0', '0.0', '0',
  '1E3', '1e+3', '1.0', '9007199254740993', '9007199254740992', '18446744073709551616', '123456789012345678901234567890', '-9223372036854775809',
  `${t}`, `${t}.0`, `${t}.5`, `${t - 1}.999999999`, `${t}.0000001`, `${t}e0`, `${t / 100}e2`, `${t / 1e9}e9`, `${t - 1}.5`, `${t + 1}`, `${t - 1}`,
  `${t * 1000}`, '1e2147483648', '-1e2147483649', `0.${'0'.repeat(400)}1`, `1${'0'.repeat(400)}`, '9'.repeat(500), `${t}.${'9'.repeat(30)}`, '0.1', '-1',
];
const BAD_NUMBER_TEXTS = ['01', '+1', '.5', '1.', '0x10', 'NaN', 'Infinity', '-Infinity', '1e', '1e+', '--1', '1_000', '-', '١', '0.e1', '1.e2'];

/** Payload texts (string: JSON text as UTF-8; Buffer: raw bytes) and the options each suggests. */
function oddPayloadItems() {
  const items = [];
  const item = (label, payload, diff) => items.push({ label, payload, diff });
  for (const claim of ['exp', 'nbf', 'iat', 'custom']) {
    for (const n of NUMBER_TEXTS) item(`${claim}: ${n.slice(0, 40)}`, `{"sub":"${SUB}","${claim}":${n}}`);
    for (const n of BAD_NUMBER_TEXTS) item(`${claim}: invalid number ${n}`, `{"sub":"${SUB}","${claim}":${n}}`);
    for (const v of ['"9999999999"', 'null', 'true', 'false', `[${t + 100}]`, `{"v":${t + 100}}`, '""', `"${t - 100}"`]) item(`${claim} of type ${v}`, `{"${claim}":${v}}`);
  }
  // Duplicate members: the last wins (JSON.parse).
  item('duplicate exp, the later in the future', `{"exp":${t - 10},"exp":${t + 100}}`);
  item('duplicate exp, the later in the past', `{"exp":${t + 100},"exp":${t - 10}}`);
  item('duplicate sub', `{"sub":"admin","sub":"${SUB}"}`);
  item('duplicate sub, admin last', `{"sub":"${SUB}","sub":"admin"}`);
  item('duplicate aud', `{"aud":"x","aud":"${AUD}"}`);
  item('duplicate iss of two types', `{"iss":1,"iss":"${ISS}"}`);
  item('duplicate iat', `{"iat":${t + 100},"iat":${t - 100}}`);
  item('duplicate nested member', '{"a":{"b":1},"a":2,"a":[3]}');
  item('duplicate __proto__', '{"__proto__":1,"__proto__":{"x":1}}');
  item('duplicate member inside a nested object', '{"o":{"k":1,"k":2}}');
  item('a member repeated 1000 times', `{${Array.from({ length: 1000 }, (_, i) => `"exp":${t - 500 + i}`).join(',')}}`);
  // Special names.
  item('__proto__ member', `{"__proto__":{"admin":true},"sub":"${SUB}"}`);
  item('constructor and toString members', '{"constructor":{"name":"x"},"toString":1,"valueOf":null,"hasOwnProperty":false}');
  item('empty member name', '{"":1,"sub":""}');
  item('member names with escapes', '{"\\u0065xp":1,"a\\"b":2,"\\u0000":3,"\\ud83d\\ude00":4}');
  // Strings.
  item('lone high surrogate', `{"sub":"\\ud800","exp":${t + 100}}`);
  item('lone low surrogate', '{"sub":"\\udc00"}');
  item('two high surrogates', '{"sub":"\\ud800\\ud800"}');
  item('reversed surrogate pair', '{"sub":"\\ude00\\ud83d"}');
  item('surrogate pair escaped', '{"sub":"\\ud83d\\ude00","x":"\\uDBFF\\uDFFF"}');
  item('lone surrogate then text', '{"sub":"\\ud800x","y":"a\\udfffb"}');
  item('lone surrogate as a member name', '{"\\ud800":1}');
  item('lone surrogate in iss', `{"iss":"\\ud800","exp":${t + 100}}`);
  item('U+FFFD in iss', `{"iss":"\ufffd","exp":${t + 100}}`);
  item('escapes', '{"a":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\\u007f\\u2028\\u2029\\u00e9\\u00E9"}');
  item('raw U+2028 and U+2029 in a string', '{"a":"\u2028\u2029"}');
  item('raw DEL and non-ASCII', '{"a":"\u007f\u0080é€😀"}');
  item('invalid escape \\x41', '{"a":"\\x41"}');
  item('short unicode escape', '{"a":"\\u00"}');
  item('escape of an uppercase U', '{"a":"\\U0041"}');
  item('raw tab in a string', '{"a":"\t"}');
  item('raw newline in a string', '{"a":"\n"}');
  item('raw NUL in a string', '{"a":"\u0000"}');
  item('single-quoted string', "{'a':1}");
  item('unquoted member name', '{a:1}');
  // Raw bytes that are not UTF-8.
  for (const [label, bytes] of [
    ['byte FF', [0xff]], ['overlong C0 AF', [0xc0, 0xaf]], ['encoded surrogate ED A0 80', [0xed, 0xa0, 0x80]], ['code point over U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['truncated E2 82', [0xe2, 0x82]], ['lone continuation 80', [0x80]], ['overlong E0 80 80', [0xe0, 0x80, 0x80]], ['F5 lead byte', [0xf5, 0x80, 0x80, 0x80]],
  ]) {
    item(`invalid UTF-8 (${label}) in a string`, Buffer.concat([Buffer.from('{"sub":"'), Buffer.from(bytes), Buffer.from('"}')]));
    item(`invalid UTF-8 (${label}) after the object`, Buffer.concat([Buffer.from('{"sub":"x"}'), Buffer.from(bytes)]));
  }
  item('valid 4-byte UTF-8', Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0xf0, 0x9f, 0x98, 0x80]), Buffer.from('"}')]));
  // BOM, whitespace, trailing garbage.
  item('BOM before the object', `\ufeff{"sub":"${SUB}","exp":${t + 100}}`);
  item('two BOMs before the object', '\ufeff\ufeff{"sub":"x"}');
  item('BOM after the object', '{"sub":"x"}\ufeff');
  item('space then BOM', ' \ufeff{"sub":"x"}');
  item('BOM then space', '\ufeff {"sub":"x"}');
  item('BOM inside', '{\ufeff"sub":"x"}');
  item('JSON whitespace around', ' \t\r\n{"sub":"x"} \t\r\n');
  item('NBSP before', '\u00a0{"sub":"x"}');
  item('U+2028 before', '\u2028{"sub":"x"}');
  item('vertical tab before', '\u000b{"sub":"x"}');
  item('form feed before', '\f{"sub":"x"}');
  item('trailing x', '{"sub":"x"}x');
  item('trailing NUL', '{"sub":"x"}\u0000');
  item('trailing second object', '{"sub":"x"}{}');
  item('trailing comma after the object', '{"sub":"x"},');
  item('trailing bracket', '{"sub":"x"}]');
  item('trailing comma inside', '{"sub":"x",}');
  item('missing value', '{"sub":}');
  item('missing colon', '{"sub" "x"}');
  item('unclosed object', '{"sub":"x"');
  item('unclosed string', '{"sub":"x}');
  item('comment', '{"sub":"x"/* c */}');
  // Not objects.
  for (const text of ['[]', `[{"exp":${t + 100}}]`, 'null', 'true', 'false', '0', '1', '-0', '"x"', '""', '', ' ', '{', '}', '[', 'nul', 'tru', '{}', '{ }', '[1,2', '1e400']) item(`payload ${JSON.stringify(text)}`, text);
  // Claims of the wrong type for the options.
  item('aud array with a number', `{"aud":["${AUD}",1]}`);
  item('aud object', `{"aud":{"0":"${AUD}"}}`);
  item('iss array', `{"iss":["${ISS}"]}`);
  item('sub number', '{"sub":123}');
  item('all claims null', '{"iss":null,"sub":null,"aud":null,"exp":null,"nbf":null,"iat":null,"jti":null}');
  item('big payload (100 KB of members)', `{${Array.from({ length: 4000 }, (_, i) => `"k${i}":"${'v'.repeat(16)}"`).join(',')}}`);
  // Nesting: the top-level object counts as one level; edge-jwt allows 128.
  for (const depth of [2, 10, 64, 100, 126, 127, 128, 129, 130, 200, 1000, 5000]) {
    const over = depth > 128 ? 'json-depth' : undefined;
    item(`payload nested ${depth} levels (arrays)`, `{"sub":"x","d":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`, over);
    item(`payload nested ${depth} levels (objects)`, `${'{"d":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`, over);
    item(`payload nested ${depth} levels (mixed, value inside)`, `{"d":${'[{"e":'.repeat(Math.floor((depth - 1) / 2))}${(depth - 1) % 2 ? '[1]' : '1'}${'}]'.repeat(Math.floor((depth - 1) / 2))}}`, over);
  }
  return items;
}

function oddHeaderItems(alg, kid) {
  const k = kid ? `,"kid":"${kid}"` : '';
  const items = [];
  const item = (label, header, diff) => items.push({ label, header, diff });
  item('duplicate alg, none first', `{"alg":"none","alg":"${alg}"${k}}`);
  item('duplicate alg, none last', `{"alg":"${alg}"${k},"alg":"none"}`);
  item('duplicate kid, right one last', `{"alg":"${alg}","kid":"k-unknown"${k || ',"kid":"x"'}}`);
  item('duplicate kid, unknown last', `{"alg":"${alg}"${k},"kid":"k-unknown"}`);
  item('BOM before the header', `\ufeff{"alg":"${alg}"${k}}`);
  item('BOM after the header', `{"alg":"${alg}"${k}}\ufeff`);
  item('whitespace around the header', ` \n{ "alg" : "${alg}" ${k} }\t`);
  item('NBSP before the header', `\u00a0{"alg":"${alg}"${k}}`);
  for (const text of ['[]', 'null', '"x"', '{}', '', '{"alg":""}', '{"alg":null}', '{"alg":256}', `{"alg":["${alg}"]}`, `{"alg":"${alg}"`, `{"alg":"${alg}"}x`, `[{"alg":"${alg}"}]`]) item(`header ${JSON.stringify(text)}`, text);
  item('header member 1e400', `{"alg":"${alg}"${k},"x":1e400}`);
  item('header member -0', `{"alg":"${alg}"${k},"x":-0,"y":-1e-400}`);
  item('header member huge integer', `{"alg":"${alg}"${k},"x":123456789012345678901234567890}`);
  item('typ number', `{"alg":"${alg}"${k},"typ":1}`);
  item('typ null', `{"alg":"${alg}"${k},"typ":null}`);
  item('kid lone surrogate', `{"alg":"${alg}","kid":"\\ud800"}`);
  item('member name lone surrogate', `{"\\ud800":1,"alg":"${alg}"${k}}`);
  item('__proto__ member', `{"alg":"${alg}"${k},"__proto__":{"alg":"none","kid":"x"}}`);
  item('escaped alg', `{"alg":"${alg.replace(/^./, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}"${k}}`);
  item('raw tab in a header string', `{"alg":"${alg}"${k},"x":"\t"}`);
  item('invalid UTF-8 in the header', Buffer.concat([Buffer.from(`{"alg":"${alg}"${k},"x":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
  item('alg lowercase', `{"alg":"${alg.toLowerCase()}"${k}}`);
  item('alg with a trailing space', `{"alg":"${alg} "${k}}`);
  item('alg ML-DSA-44', `{"alg":"ML-DSA-44"${k}}`, 'ml-dsa');
  item('alg ES256K', `{"alg":"ES256K"${k}}`);
  item('alg RSA-OAEP (a JWE alg)', `{"alg":"RSA-OAEP"${k}}`);
  item('alg Ed448', `{"alg":"Ed448"${k}}`);
  for (const depth of [2, 127, 128, 129, 300]) {
    item(`header nested ${depth} levels`, `{"alg":"${alg}"${k},"d":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`, depth > 128 ? 'json-depth' : undefined);
  }
  item('header of 200 members', `{"alg":"${alg}"${k},${Array.from({ length: 200 }, (_, i) => `"m${i}":${i}`).join(',')}}`);
  return items;
}

const ODD_OPTIONS = [
  {}, {}, {}, { maxTokenAge: 60 }, { maxTokenAge: '1h', clockTolerance: 5 }, { requiredClaims: ['exp', 'iat', 'nbf'] }, { clockTolerance: 30 },
  { issuer: ISS, audience: AUD, subject: SUB }, { typ: 'JWT' }, { currentDateMs: NOW * 1000 + 999 }, { currentDateMs: NOW * 1000 - 1 },
  { issuer: '\ud800' }, { issuer: '\ufffd' }, { subject: '\ud800' }, { requiredClaims: ['__proto__'] }, { requiredClaims: ['toString', 'custom'] },
];
const CHEAP = { HS256: 4, EdDSA: 3, ES256: 2, RS256: 2, HS512: 1, Ed25519: 1, PS256: 1, ES384: 0.3, ES512: 0.3, RS512: 0.5, PS384: 0.5 };

function buildOddJson(B, repeatsPayload, repeatsHeader) {
  const rng = B.rng.fork('odd-json');
  for (const it of oddPayloadItems()) {
    for (let r = 0; r < repeatsPayload; r++) {
      const alg = rng.weighted(CHEAP);
      const header = { alg, typ: 'JWT', ...(alg.startsWith('HS') ? {} : { kid: B.m.kidOf(alg) }) };
      const token = B.hand(header, typeof it.payload === 'string' ? Buffer.from(it.payload, 'utf8') : it.payload, alg, 'legit', rng);
      const config = alg.startsWith('HS') ? { keys: null, secret: 'main', secretForm: 'string' } : { keys: 'main' };
      // A case built to fall in a documented difference gets no options, so that jose's outcome
      // is exactly "accepted" (it does not trip on a claim rule instead).
      const options = it.diff ? {} : rng.pick(ODD_OPTIONS);
      B.add('odd-json-payload', `${it.label} (${alg})`, token, config, options, it.diff ? { diff: 'json-depth-payload' } : {});
    }
  }
  for (let r = 0; r < repeatsHeader; r++) {
    const alg = rng.weighted(CHEAP);
    const kid = alg.startsWith('HS') ? (rng.chance(0.3) ? 'k-HS' : undefined) : rng.chance(0.8) ? B.m.kidOf(alg) : undefined;
    for (const it of oddHeaderItems(alg, kid)) {
      const payload = { iss: ISS, sub: SUB, aud: AUD, exp: NOW + 600, iat: NOW - 5 };
      const token = B.signSegments(seg(typeof it.header === 'string' ? Buffer.from(it.header, 'utf8') : it.header), seg(payload), alg, B.key(alg), rng);
      const config = alg.startsWith('HS') ? { keys: rng.chance(0.3) ? 'main' : null, secret: 'main', secretForm: 'string' } : { keys: 'main' };
      let diff;
      if (it.diff === 'json-depth') diff = 'json-depth-header';
      else if (it.diff === 'ml-dsa') diff = config.keys ? 'ml-dsa-jwks' : 'ml-dsa-secret';
      B.add('odd-json-header', `${it.label} (${alg})`, token, config, diff ? {} : rng.pick(ODD_OPTIONS), diff ? { diff } : {});
    }
  }
}

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Odd base64url: padding, standard alphabet, whitespace, non-canonical trailing bits, bad characters. */
function buildOddBase64(B, count) {
  const rng = B.rng.fork('odd-b64');
  const payload = (i) => ({ iss: ISS, sub: SUB, aud: AUD, exp: NOW + 600, iat: NOW - 5, p: 'x'.repeat(i % 3) });
  const kinds = ['pad', 'pad', 'pad-wrong', 'whitespace', 'whitespace', 'whitespace-other', 'trailing-bits', 'trailing-bits', 'std-alphabet', 'bad-char', 'length-1'];
  for (let i = 0; i < count; i++) {
    const alg = rng.weighted(CHEAP);
    const header = { alg, typ: 'JWT', ...(alg.startsWith('HS') ? {} : { kid: B.m.kidOf(alg) }), ...(i % 3 ? { x: 'y'.repeat(i % 4) } : {}) };
    const config = alg.startsWith('HS') ? { keys: null, secret: 'main', secretForm: 'string' } : { keys: 'main' };
    const key = B.key(alg);
    const parts = [seg(header), seg(payload(i)), ''];
    const kind = kinds[i % kinds.length];
    const which = rng.int(3); // 0 header, 1 payload, 2 signature
    const resign = which < 2 && rng.chance(0.75);
    let edited = parts[which];
    const finishSig = () => {
      if (which < 2) {
        if (resign) parts[2] = b64u(signRaw(alg, key, `${parts[0]}.${parts[1]}`, rng));
        else parts[2] = b64u(signRaw(alg, key, `${seg(header)}.${seg(payload(i))}`, rng));
      }
    };
    if (which === 2) parts[2] = b64u(signRaw(alg, key, `${parts[0]}.${parts[1]}`, rng));
    edited = parts[which];
    let lenient = false; // jose's decoder reads the edited segment as the same bytes
    switch (kind) {
      case 'pad': {
        const pad = (4 - (edited.length % 4)) % 4;
        if (pad === 0) edited += '=';
        else {
          edited += '='.repeat(pad);
          lenient = true;
        }
        break;
      }
      case 'pad-wrong': {
        const pad = (4 - (edited.length % 4)) % 4;
        edited += rng.pick(pad === 1 ? ['==', '==='] : pad === 2 ? ['=', '===', '===='] : pad === 3 ? ['=', '==', '===='] : ['=', '==', '===', '====']);
        if (pad === 0 && edited.endsWith('====')) lenient = false;
        break;
      }
      case 'whitespace': {
        const at = 1 + rng.int(edited.length - 1);
        edited = `${edited.slice(0, at)}${rng.pick([' ', '\n', '\t', '\r', '\f', '\r\n', '  '])}${edited.slice(at)}`;
        lenient = true;
        break;
      }
      case 'whitespace-other': {
        const at = 1 + rng.int(edited.length - 1);
        edited = `${edited.slice(0, at)}${rng.pick(['\v', '\u00a0', '\u2028', '\u3000', '\u0000'])}${edited.slice(at)}`;
        break;
      }
      case 'trailing-bits': {
        const rem = edited.length % 4;
        if (rem === 2 || rem === 3) {
          const unused = rem === 2 ? 4 : 2;
          const last = B64U.indexOf(edited[edited.length - 1]);
          const changed = last | (1 + rng.int((1 << unused) - 1));
          if (changed !== last) {
            edited = edited.slice(0, -1) + B64U[changed];
            lenient = true;
          }
        } else {
          // No spare bits: change the last character (different bytes).
          const last = B64U.indexOf(edited[edited.length - 1]);
          edited = edited.slice(0, -1) + B64U[(last + 1) % 64];
        }
        break;
      }
      case 'std-alphabet': {
        if (/[-_]/.test(edited)) edited = edited.replace(/-/g, '+').replace(/_/g, '/');
        else {
          const at = rng.int(edited.length);
          edited = `${edited.slice(0, at)}${rng.pick(['+', '/'])}${edited.slice(at + 1)}`;
        }
        break;
      }
      case 'bad-char': {
        const at = rng.int(edited.length + 1);
        edited = `${edited.slice(0, at)}${rng.pick(['%', '*', '~', 'é', '$', '!', '\\', '"', '😀', '\ud800'])}${edited.slice(at)}`;
        break;
      }
      default: {
        // A length of 4k+1 characters is never base64.
        const rem = edited.length % 4;
        edited += 'AAAA'.slice(0, (5 - rem) % 4 || 4);
        if (edited.length % 4 !== 1) edited += 'A';
        break;
      }
    }
    parts[which] = edited;
    finishSig();
    const seg3 = ['header', 'payload', 'signature'][which];
    let diff;
    if (lenient && (which === 2 || resign)) diff = 'b64-lenient';
    else if (lenient && which === 0) diff = 'b64-lenient-header-unsigned';
    B.add('odd-base64url', `${alg} ${kind} in the ${seg3}${which < 2 ? (resign ? ' (signed over)' : ' (old signature)') : ''}`, parts.join('.'), config, diff ? {} : rng.pick([{}, {}, { algorithms: [alg] }, { issuer: ISS }]), diff ? { diff } : {});
  }
}

function buildKids(B, count) {
  const rng = B.rng.fork('kid');
  const kids = [
    undefined, 'RIGHT', 'k-unknown', '', 0, 1, null, [], {}, true, ['RIGHT'], 'RIGHT ', ' RIGHT', 'RIGHTx', 'UPPER', 'RIGHT\u0000',
    'enc-rsa', 'x25519', 'oct-1', 'future', 'ops-sign', 'ops-dup', 'ext-string', 'ecdh', '../../dev/null', "' OR 1=1--", 'k'.repeat(5000), 'k-ES256', 'k-EdDSA', 'k-RS256', 'k-PS512',
  ];
  for (let i = 0; i < count; i++) {
    const alg = rng.pick(ASYM);
    let kid = kids[i % kids.length];
    if (kid === 'RIGHT') kid = B.m.kidOf(alg);
    else if (typeof kid === 'string' && kid.startsWith('RIGHT')) kid = kid.replace('RIGHT', B.m.kidOf(alg));
    else if (Array.isArray(kid) && kid[0] === 'RIGHT') kid = [B.m.kidOf(alg)];
    else if (kid === 'UPPER') kid = B.m.kidOf(alg).toUpperCase();
    const header = { alg, ...(kid === undefined ? {} : { kid }) };
    // Signed by the legit key, or for the ES256 noise keys by the key they hold.
    const who = kid === 'ops-sign' || kid === 'ops-dup' ? 'attacker' : 'legit';
    const payload = { sub: SUB, exp: NOW + 60, kidCase: i };
    const token = B.hand(header, payload, alg, who, rng);
    const keys = rng.pick(['main', 'main', 'main', 'nokid', 'empty']);
    B.add('kid', `${alg} kid ${JSON.stringify(kid)?.slice(0, 40)}, keys ${keys}`, token, { keys }, rng.pick([{}, {}, { algorithms: [alg] }]));
  }
}

function buildCrit(B, repeats) {
  const rng = B.rng.fork('crit');
  const payload = { sub: SUB, exp: NOW + 60 };
  const variants = [
    [{ crit: ['b64'], b64: true }, {}], [{ crit: ['b64'], b64: false }, {}], [{ crit: ['b64'], b64: 'false' }, {}], [{ crit: ['b64'], b64: 0 }, {}], [{ crit: ['b64'] }, {}],
    [{ b64: false }, {}], [{ b64: 'x' }, {}], [{ crit: [] }, {}], [{ crit: 'b64', b64: true }, {}], [{ crit: [''] }, {}], [{ crit: [1] }, {}], [{ crit: null }, {}], [{ crit: {} }, {}],
    [{ crit: ['foo'], foo: 1 }, {}], [{ crit: ['foo'], foo: 1 }, { crit: { foo: true } }], [{ crit: ['foo'], foo: 1 }, { crit: { foo: false } }],
    [{ crit: ['foo'] }, { crit: { foo: true } }], [{ crit: ['foo'] }, { crit: { foo: false } }], [{ crit: ['foo'], foo: null }, { crit: { foo: true } }],
    [{ crit: ['foo', 'foo'], foo: 1 }, { crit: { foo: true } }], [{ crit: ['b64', 'foo'] }, { crit: { foo: true } }], [{ crit: ['foo', 'bar'], foo: 1, bar: 2 }, { crit: { foo: true } }],
    [{ crit: ['bar', 'foo'], foo: 1, bar: 2 }, { crit: { foo: true } }], [{ crit: ['alg'] }, {}], [{ crit: ['alg'] }, { crit: { alg: true } }], [{ crit: ['kid'] }, { crit: { kid: false } }],
    [{ crit: ['__proto__'] }, {}], [{ crit: ['toString'] }, {}], [{ crit: ['b64'], b64: true }, { crit: { b64: false } }], [{ crit: ['foo'], foo: 1 }, { crit: { bar: true } }],
    [{ crit: ['exp'], exp: NOW + 10 }, { crit: { exp: true } }], [{ crit: ['foo'], foo: 1 }, { crit: { foo: true }, algorithms: ['none'] }],
  ];
  for (let r = 0; r < repeats; r++) {
    for (const [extra, options] of variants) {
      const alg = rng.weighted(CHEAP);
      const header = { alg, ...(alg.startsWith('HS') ? {} : { kid: B.m.kidOf(alg) }), ...extra };
      let token;
      if (extra.b64 === false && extra.crit && rng.chance(0.5)) {
        // RFC 7797: the payload segment is the raw payload (only ASCII JSON without dots here).
        const raw = JSON.stringify(payload);
        token = B.signSegments(seg(header), raw, alg, B.key(alg), rng);
      } else token = B.hand(header, payload, alg, rng.chance(0.15) ? (alg.startsWith('HS') ? 'other' : 'attacker') : 'legit', rng);
      const config = alg.startsWith('HS') ? { keys: null, secret: 'main', secretForm: 'string' } : { keys: 'main' };
      B.add('crit-b64', `${alg} ${JSON.stringify(extra)} options ${JSON.stringify(options)}`, token, config, options);
    }
  }
}

/**
 * Strings compared as JavaScript compares them: lone surrogates, U+FFFD (raw and escaped) and
 * surrogate pairs in claims, typ, kid, required claim names, crit names and algorithms, against
 * option strings of each kind. Every combination, no sampling.
 */
function buildUnicodeCompare(B) {
  const rng = B.rng.fork('unicode');
  // [label, JSON string literal as it appears in the token, the same string in JavaScript]
  const values = [
    ['lone high surrogate escaped', '"\\ud800"'], ['lone low surrogate escaped', '"\\udc00"'], ['U+FFFD escaped', '"\\ufffd"'],
    ['U+FFFD raw', '"\ufffd"'], ['pair escaped', '"\\ud800\\udc00"'], ['U+10000 raw', '"\u{10000}"'], ['surrogate inside text', '"a\\ud800b"'],
    ['two high surrogates', '"\\ud800\\ud800"'], ['U+10D800 raw', '"\u{10d800}"'], ['U+FFFD then U+10D800 raw', '"\ufffd\u{10d800}"'],
  ];
  const options = ['\ud800', '\udc00', '\ufffd', '\u{10000}', 'a\ud800b', '\ud800\ud800', '\u{10d800}', '\ufffd\u{10d800}'];
  let n = 0;
  const sign = (headerText, payloadText) => {
    const alg = n++ % 2 ? 'HS256' : 'EdDSA';
    const header = headerText ?? `{"alg":"${alg}"${alg === 'EdDSA' ? `,"kid":"${B.m.kidOf('EdDSA')}"` : ''}}`;
    const h = headerText ? headerText.replace('ALG', alg).replace('KID', alg === 'EdDSA' ? `,"kid":"${B.m.kidOf('EdDSA')}"` : '') : header;
    const config = alg === 'HS256' ? { keys: null, secret: 'main', secretForm: 'string' } : { keys: 'main' };
    return { token: B.signSegments(seg(Buffer.from(h, 'utf8')), seg(Buffer.from(payloadText, 'utf8')), alg, B.key(alg), rng), config };
  };
  for (const [label, literal] of values) {
    for (const claim of ['iss', 'sub', 'aud']) {
      for (const option of options) {
        const { token, config } = sign(undefined, `{"${claim}":${literal},"exp":${NOW + 60}}`);
        const name = { iss: 'issuer', sub: 'subject', aud: 'audience' }[claim];
        B.add('unicode-compare', `${claim} ${label} vs option ${JSON.stringify(option)}`, token, config, { [name]: option });
      }
      if (claim === 'aud') {
        const { token, config } = sign(undefined, `{"aud":[${literal},"x"]}`);
        B.add('unicode-compare', `aud [${label}, "x"] vs options`, token, config, { audience: ['\udc00', '\ud800'] });
      }
    }
    for (const option of options.slice(0, 4)) {
      const { token, config } = sign(`{"alg":"ALG"KID,"typ":${literal}}`, `{"sub":"x"}`);
      B.add('unicode-compare', `typ ${label} vs option ${JSON.stringify(option)}`, token, config, { typ: option });
      const r = sign(undefined, `{${literal}:1,"sub":"x"}`);
      B.add('unicode-compare', `member ${label} vs requiredClaims ${JSON.stringify(option)}`, r.token, r.config, { requiredClaims: [option] });
      const c = sign(`{"alg":"ALG"KID,"crit":[${literal}],${literal}:1}`, `{"sub":"x"}`);
      B.add('unicode-compare', `crit [${label}] vs options.crit ${JSON.stringify(option)}`, c.token, c.config, { crit: { [option]: true } });
      const a = sign(`{"alg":${literal}}`, `{"sub":"x"}`);
      B.add('unicode-compare', `alg ${label} vs algorithms ${JSON.stringify(option)}`, a.token, a.config, { algorithms: [option] });
    }
    for (const alg of ['ES256', 'EdDSA', 'RS256']) {
      const token = B.signSegments(seg(Buffer.from(`{"alg":"${alg}","kid":${literal}}`, 'utf8')), seg({ sub: 'x' }), alg, B.key(alg), rng);
      B.add('unicode-compare', `${alg} kid ${label} in the set with odd kids`, token, { keys: 'oddKids' }, {});
    }
  }
}

/** Inputs where edge-jwt differs from jose on purpose (see the test's table), and their controls. */
function buildDocumented(B) {
  const rng = B.rng.fork('documented');
  const payload = { iss: ISS, sub: SUB, exp: NOW + 600 };
  // Several keys fit (two P-256 keys without kid): jose stops at once, edge-jwt tries each.
  for (const [i, twin] of B.m.twins.entries()) {
    const header = { alg: 'ES256' };
    const token = B.signSegments(seg(header), seg({ ...payload, twin: i }), 'ES256', twin, rng);
    B.add('documented', `ES256 without kid, two keys fit, signed by twin ${i + 1}`, token, { keys: 'twins' }, {}, i < 2 ? { diff: 'multiple-keys-one-verifies' } : {});
  }
  // RSA keys under 2048 bits.
  for (const bits of [2047, 1024]) {
    for (const alg of ['RS256', 'PS256']) {
      const token = B.signSegments(seg({ alg, kid: `weak-${bits}` }), seg(payload), alg, B.m.weak[bits], rng);
      B.add('documented', `${alg} with a ${bits}-bit key`, token, { keys: 'weak' }, {}, { diff: 'rsa-under-2048' });
    }
  }
  // RSA modulus over 16384 bits (16392).
  for (const alg of ['RS256', 'PS256']) {
    const token = B.signSegments(seg({ alg, kid: 'rsa-16392' }), seg(payload), alg, B.m.big, rng);
    B.add('documented', `${alg} with a 16392-bit key`, token, { keys: 'big' }, {}, { diff: 'rsa-over-16384' });
  }
  // Ed25519 small-order public key (identity point) and the identity signature: verifies for any
  // message with OpenSSL's Ed25519.
  {
    const identity = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]);
    for (const alg of ['EdDSA', 'Ed25519']) {
      const token = `${seg({ alg, kid: 'small-order' })}.${seg(payload)}.${b64u(Buffer.concat([identity, Buffer.alloc(32)]))}`;
      B.add('documented', `${alg} small-order key, identity signature`, token, { keys: 'smallOrder' }, {}, { diff: 'ed25519-small-order' });
    }
  }
  // A public key whose key_ops lists sign as well as verify.
  for (let i = 0; i < 2; i++) {
    const token = B.signSegments(seg({ alg: 'ES256', ...(i ? { kid: 'ops-sign-verify' } : {}) }), seg(payload), 'ES256', B.m.twins[2], rng);
    B.add('documented', `ES256, the key's key_ops are ["sign","verify"] (kid ${i ? 'given' : 'absent'})`, token, { keys: 'signVerifyOps' }, {}, { diff: 'key-ops-sign-verify' });
  }
  // ML-DSA (jose knows the name; edge-jwt does not implement it), with a key set and with a secret.
  for (const [config, diff] of [[{ keys: 'main' }, 'ml-dsa-jwks'], [{ keys: null, secret: 'main', secretForm: 'string' }, 'ml-dsa-secret']]) {
    const token = `${seg({ alg: 'ML-DSA-44', kid: 'k-ml' })}.${seg(payload)}.${b64u(rng.bytes(2420))}`;
    B.add('documented', `ML-DSA-44 token, keys ${config.keys}`, token, config, {}, { diff });
  }
  // Key sets over the bounds (edge-jwt refuses the set; jose uses it).
  for (const set of ['tooManyKeys', 'tooLarge']) {
    const token = B.signSegments(seg({ alg: 'EdDSA', kid: 'last' }), seg(payload), 'EdDSA', B.m.keys.EdDSA, rng);
    B.add('documented', `EdDSA token, key set ${set}`, token, { keys: set }, {}, { diff: set === 'tooManyKeys' ? 'jwks-too-many-keys' : 'jwks-too-large' });
  }
  // A public-key token with only a secret (no key set).
  for (const alg of ASYM) {
    const token = B.hand({ alg, kid: B.m.kidOf(alg) }, payload, alg, 'legit', rng);
    B.add('documented', `${alg} token, only a secret given`, token, { keys: null, secret: 'main', secretForm: rng.pick(['string', 'bytes']) }, {}, { diff: 'public-key-token-secret-only' });
  }
  // Token size: exactly at the bound (both accept), one byte over, and far over.
  for (const [length, diff] of [[262144, undefined], [262145, 'token-size'], [300000, 'token-size'], [1 << 20, 'token-size']]) {
    for (const alg of ['HS256', 'EdDSA']) {
      const { token } = exactLengthToken(B, alg, length, rng);
      const config = alg === 'HS256' ? { keys: null, secret: 'main', secretForm: 'string' } : { keys: 'main' };
      B.add('documented', `${alg} token of ${length} bytes`, token, config, {}, diff ? { diff } : {});
    }
  }
}

/** A token of exactly `length` characters (the payload padded). */
export function exactLengthToken(B, alg, length, rng) {
  const header = { alg, typ: 'JWT', ...(alg.startsWith('HS') ? {} : { kid: B.m.kidOf(alg) }) };
  const sigLength = b64u(signRaw(alg, B.key(alg), 'x.y', rng)).length;
  for (let extra = 0; extra < 4; extra++) {
    const h = { ...header, x: 'x'.repeat(extra) };
    const fixed = seg(h).length + 2 + sigLength;
    const empty = JSON.stringify({ sub: SUB, exp: NOW + 600, pad: '' }).length;
    const n = Math.floor(((length - fixed) * 3) / 4) - empty;
    for (let k = Math.max(0, n - 3); k <= n + 3; k++) {
      const payload = { sub: SUB, exp: NOW + 600, pad: 'a'.repeat(k) };
      if (fixed + seg(payload).length === length) {
        const token = B.signSegments(seg(h), seg(payload), alg, B.key(alg), rng);
        if (token.length !== length) throw new Error('exactLengthToken: arithmetic is wrong');
        return { token, header: h, payload };
      }
    }
  }
  throw new Error(`exactLengthToken: no token of ${length} characters`);
}

// ---------------------------------------------------------------------------------------------

/**
 * Generates the cases. `scale` multiplies the per-category counts (1 gives ~32,000 cases).
 * @returns {Promise<{ material: object, cases: object[], counts: Record<string, number>, digest: string, seed: number }>}
 */
export async function generate({ seed = DEFAULT_SEED, scale = 1 } = {}) {
  const material = await makeMaterial(new Rng(seed, 'material'));
  const B = new Builder(seed, scale, material);
  await buildValid(B, B.n(6800), 2);
  const bases = await makeBases(B, Math.max(2, Math.round(30 * Math.min(1, scale * 4))));
  buildBitflips(B, bases, B.n(1500));
  buildSegments(B, bases, B.n(1000));
  buildEdits(B, bases, B.n(1500));
  buildResigned(B, bases, B.n(2000));
  buildConfusion(B, B.n(1200));
  buildOddJson(B, Math.max(1, Math.round(8 * scale)), Math.max(1, Math.round(12 * scale)));
  buildOddBase64(B, B.n(2500));
  buildKids(B, B.n(1000));
  buildCrit(B, Math.max(1, Math.round(12 * scale)));
  buildUnicodeCompare(B);
  buildDocumented(B);

  const counts = {};
  for (const c of B.cases) counts[c.category] = (counts[c.category] || 0) + 1;
  const publicMaterial = { jwks: material.jwks, secrets: secretsJson(material.secrets) };
  const digest = crypto.createHash('sha256').update(JSON.stringify(publicMaterial)).update(JSON.stringify(B.cases)).digest('hex');
  return { seed, material: publicMaterial, cases: B.cases, counts, digest };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const started = performance.now();
  const result = await generate({ seed: Number(arg('--seed', DEFAULT_SEED)), scale: Number(arg('--scale', 1)) });
  const out = arg('--out');
  if (out) writeFileSync(out, JSON.stringify(result));
  console.log(JSON.stringify({ seed: result.seed, cases: result.cases.length, counts: result.counts, digest: result.digest, ms: Math.round(performance.now() - started) }, null, 2));
}
