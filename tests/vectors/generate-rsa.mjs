// Writes tests/vectors/rsa-openssl.json: RSA signatures over odd modulus sizes and exponents, with
// the edge cases of PKCS#1 v1.5 and PSS, each judged by OpenSSL (node:crypto's verify). The Rust
// test tests/rsa_openssl.rs checks that the crate's own RSA gives OpenSSL's verdict on every one
// (the only deliberate difference, marked in the file, is a signature shorter than the modulus,
// which RFC 8017 refuses and OpenSSL's PSS verification takes as if left-padded with zeros).
//
//   node tests/vectors/generate-rsa.mjs           # new keys and vectors (a few minutes)
//   node tests/vectors/generate-rsa.mjs --check   # writes nothing; re-judges the file with OpenSSL
//
// Keys: every modulus size of SIZES with every exponent of EXPONENTS. The primes come from OpenSSL
// (crypto.generatePrimeSync, top two bits set, so p * q has exactly the wanted size), the private
// key is imported into OpenSSL as a JWK. Valid signatures are OpenSSL's own (crypto.sign); crafted
// ones are an encoding built here, raised to d by OpenSSL's raw private operation (privateDecrypt
// with RSA_NO_PADDING), so every signature is a real RSA value whatever its encoding says.
// The judge: crypto.verify with the algorithm's hash and padding as JWS defines it (PKCS#1 v1.5,
// or PSS with MGF1 of the same hash and a salt as long as the hash).
import crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, 'rsa-openssl.json');

export const SIZES = process.env.RSA_SIZES ? process.env.RSA_SIZES.split(',').map(Number) : [2048, 2049, 2050, 2055, 2056, 2057, 2063, 2064, 3071, 3072, 3073, 4095, 4096, 4097];
export const EXPONENTS = [3n, 65537n, 2n ** 31n - 1n, 2n ** 32n + 1n, 2n ** 33n - 1n];
const HASH_LEN = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };
const ALG_HASH = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', PS256: 'sha256', PS384: 'sha384', PS512: 'sha512' };
const DIGEST_INFO = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const fromB64u = (text) => Buffer.from(text, 'base64url');
const toBig = (bytes) => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`));
function toBytes(value, length) {
  const hex = value.toString(16);
  const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  if (length === undefined) return bytes;
  if (bytes.length > length) throw new Error(`${bytes.length} bytes do not fit in ${length}`);
  return Buffer.concat([Buffer.alloc(length - bytes.length), bytes]);
}
const bitLength = (v) => (v === 0n ? 0 : v.toString(2).length);
function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}
function modInv(a, m) {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return ((s0 % m) + m) % m;
}

/** A key of exactly `bits` bits with exponent `e`: { bits, e, n, k, publicKey, privateKey }. */
function makeKey(bits, e) {
  const pBits = Math.ceil(bits / 2);
  const qBits = bits - pBits;
  for (;;) {
    const p = crypto.generatePrimeSync(pBits, { bigint: true });
    const q = crypto.generatePrimeSync(qBits, { bigint: true });
    if (p === q || gcd(e, p - 1n) !== 1n || gcd(e, q - 1n) !== 1n) continue;
    const n = p * q;
    if (bitLength(n) !== bits) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInv(e, lambda);
    const k = Math.ceil(bits / 8);
    const half = (v) => b64u(toBytes(v));
    const jwk = { kty: 'RSA', n: b64u(toBytes(n, k)), e: b64u(toBytes(e)) };
    const privateKey = crypto.createPrivateKey({
      format: 'jwk',
      key: { ...jwk, d: b64u(toBytes(d, k)), p: half(p), q: half(q), dp: half(d % (p - 1n)), dq: half(d % (q - 1n)), qi: half(modInv(q, p)) },
    });
    return { bits, e, n, k, jwk, publicKey: crypto.createPublicKey({ format: 'jwk', key: jwk }), privateKey };
  }
}

/** OpenSSL's raw private operation: `em^d mod n` as k bytes (em must be below n). */
function rawSign(key, em) {
  return crypto.privateDecrypt({ key: key.privateKey, padding: crypto.constants.RSA_NO_PADDING }, toBytes(toBig(em), key.k));
}

/** The judge: OpenSSL's verdict on `signature` over `message` for JWS algorithm `alg`. */
export function opensslVerifies(alg, publicKey, message, signature) {
  const hash = ALG_HASH[alg];
  const options = alg.startsWith('PS')
    ? { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_LEN[hash] }
    : { key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING };
  try {
    return crypto.verify(hash, message, options, signature);
  } catch {
    return false; // OpenSSL refusing the input (for example longer than the modulus) is a "no"
  }
}

/** EMSA-PKCS1-v1_5 with every part replaceable. */
function pkcs1Encode(key, message, { hash = 'sha256', blockType = 1, psByte = 0xff, psLen, psPatch, separator = 0, digestInfo, flipDigest = false, first = 0 } = {}) {
  const h = crypto.createHash(hash).update(message).digest();
  if (flipDigest) h[h.length >> 1] ^= 0x10;
  const t = Buffer.concat([Buffer.from(digestInfo ?? DIGEST_INFO[hash], 'hex'), h]);
  const len = psLen ?? key.k - t.length - 3;
  const ps = Buffer.alloc(len, psByte);
  if (psPatch !== undefined && len > 0) ps[len >> 1] = psPatch;
  const em = Buffer.concat([Buffer.from([first, blockType]), ps, Buffer.from([separator]), t]);
  if (em.length < key.k) return Buffer.concat([em, Buffer.alloc(key.k - em.length, 0x5a)]); // short PS: filler after
  return em.subarray(0, key.k);
}

function mgf1(hash, seed, length) {
  const out = [];
  for (let counter = 0; Buffer.concat(out).length < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(crypto.createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 9.1.1) with every part replaceable; returns k bytes. */
function pssEncode(key, message, { hash = 'sha256', mgfHash = hash, saltLen = HASH_LEN[hash], salt, psByte = 0, separator = 1, trailer = 0xbc, topBits = false, emBitsDelta = 0 } = {}) {
  const emBits = key.bits - 1 + emBitsDelta;
  const emLen = Math.ceil(emBits / 8);
  const mHash = crypto.createHash(hash).update(message).digest();
  const s = salt ?? crypto.randomBytes(saltLen);
  const h = crypto.createHash(hash).update(Buffer.alloc(8)).update(mHash).update(s).digest();
  const psLen = emLen - s.length - h.length - 2;
  if (psLen < 0) return undefined;
  const ps = Buffer.alloc(psLen, 0);
  if (psByte !== 0 && psLen > 0) ps[psLen >> 1] = psByte;
  const db = Buffer.concat([ps, Buffer.from([separator]), s]);
  const mask = mgf1(mgfHash, h, db.length);
  const masked = Buffer.from(db.map((b, i) => b ^ mask[i]));
  const unused = 8 * emLen - emBits;
  masked[0] &= 0xff >> unused;
  if (topBits && unused > 0) masked[0] |= (0xff << (8 - unused)) & 0xff;
  const em = Buffer.concat([masked, h, Buffer.from([trailer])]);
  return Buffer.concat([Buffer.alloc(key.k - em.length), em]);
}

/** The vectors of one key (index `keyIndex`). */
function vectorsFor(key, keyIndex) {
  const out = [];
  let counter = 0;
  const message = () => Buffer.from(`edge-jwt RSA vector ${keyIndex}.${counter++}`);
  const add = (alg, name, msg, signature) => {
    if (!signature) return;
    out.push({ key: keyIndex, alg, case: name, msg: msg.toString('latin1'), sig: b64u(signature), openssl: opensslVerifies(alg, key.publicKey, msg, signature) });
  };
  /** `em` raised to d when it is below n (an encoding at or above n has no signature). */
  const craft = (em) => (em && toBig(em) < key.n ? rawSign(key, em) : undefined);
  const sign = (alg, msg, saltLength) =>
    crypto.sign(ALG_HASH[alg], msg, alg.startsWith('PS')
      ? { key: key.privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: saltLength ?? HASH_LEN[ALG_HASH[alg]] }
      : { key: key.privateKey, padding: crypto.constants.RSA_PKCS1_PADDING });

  // Valid signatures by OpenSSL, every algorithm.
  for (const alg of Object.keys(ALG_HASH)) {
    const m = message();
    add(alg, 'valid (OpenSSL signed)', m, sign(alg, m));
  }
  // Cross-hash: a valid signature checked as another algorithm of the same padding.
  for (const [signedAs, checkedAs] of [['RS256', 'RS384'], ['RS512', 'RS256'], ['PS256', 'PS384'], ['PS512', 'PS256']]) {
    const m = message();
    add(checkedAs, `cross-hash: signed as ${signedAs}`, m, sign(signedAs, m));
  }

  // PKCS#1 v1.5 encodings.
  const pk = (name, options, alg = 'RS256') => {
    const m = message();
    add(alg, `PKCS#1: ${name}`, m, craft(pkcs1Encode(key, m, { hash: ALG_HASH[alg], ...options })));
  };
  pk('crafted, correct (control)', {});
  pk('DigestInfo without the NULL parameters', { digestInfo: '302f300b0609608648016503040201' + '0420' });
  pk('DigestInfo of SHA-384 around a SHA-256 digest', { digestInfo: DIGEST_INFO.sha384.replace(/0430$/, '0420') });
  pk('DigestInfo length byte wrong', { digestInfo: DIGEST_INFO.sha256.replace(/^3031/, '3032') });
  pk('digest with one bit flipped', { flipDigest: true });
  pk('block type 2', { blockType: 2 });
  pk('block type 0', { blockType: 0 });
  pk('first byte 0x01', { first: 1 });
  pk('padding byte 0xFE', { psByte: 0xfe });
  pk('padding of 7 bytes, filler after the digest', { psLen: 7 });
  pk('padding of 8 bytes, filler after the digest', { psLen: 8 });
  pk('separator 0x01', { separator: 1 });
  pk('crafted, correct, SHA-512 (control)', {}, 'RS512');
  pk('a 0x00 among the 0xFF padding bytes', { psPatch: 0x00 }, 'RS512');
  pk('a 0xFE among the 0xFF padding bytes', { psPatch: 0xfe }, 'RS384');

  // PSS encodings.
  const ps = (name, options, alg = 'PS256') => {
    const m = message();
    add(alg, `PSS: ${name}`, m, craft(pssEncode(key, m, { hash: ALG_HASH[alg], ...options })));
  };
  ps('crafted, correct (control)', {});
  ps('salt length 0', { saltLen: 0 });
  ps('salt length 20', { saltLen: 20 });
  ps('salt length 31', { saltLen: 31 });
  ps('salt length 33', { saltLen: 33 });
  ps('salt as long as fits', { saltLen: Math.ceil((key.bits - 1) / 8) - 32 - 2 });
  ps('MGF1 with SHA-1', { mgfHash: 'sha1' });
  ps('MGF1 with SHA-512', { mgfHash: 'sha512' });
  ps('top bits of EM set', { topBits: true });
  ps('encoded for emBits = modBits', { emBitsDelta: 1 });
  ps('non-zero padding byte', { psByte: 0x01 });
  ps('separator 0x00', { separator: 0 });
  ps('separator 0x02', { separator: 2 });
  ps('trailer 0xBD', { trailer: 0xbd });
  ps('trailer 0xCC', { trailer: 0xcc });
  ps('crafted, correct, SHA-384 (control)', {}, 'PS384');
  ps('salt length 64 with SHA-384', { saltLen: 64 }, 'PS384');
  ps('crafted, correct, SHA-512 (control)', {}, 'PS512');
  ps('MGF1 with SHA-256 under SHA-512', { mgfHash: 'sha256' }, 'PS512');

  // s = 0, 1, n - 1, n, n + 1 (k bytes; when n + 1 needs k + 1 bytes, those).
  for (const alg of ['RS256', 'PS256']) {
    for (const [name, s] of [['s = 0', 0n], ['s = 1', 1n], ['s = n - 1', key.n - 1n], ['s = n', key.n], ['s = n + 1', key.n + 1n]]) {
      const m = message();
      add(alg, name, m, toBytes(s, Math.max(key.k, toBytes(s).length)));
    }
  }
  // Lengths: a valid signature with a byte cut or added, and a valid signature whose first byte is
  // 0x00 (found by signing until one is), as k, k - 1 and k + 1 bytes.
  for (const alg of ['RS256', 'PS256']) {
    const m = message();
    const valid = sign(alg, m);
    add(alg, 'valid, last byte cut (k - 1 bytes)', m, valid.subarray(0, key.k - 1));
    add(alg, 'valid, 0x00 appended (k + 1 bytes)', m, Buffer.concat([valid, Buffer.alloc(1)]));
    for (let tries = 0; tries < 20_000; tries++) {
      const mz = Buffer.from(`edge-jwt RSA vector ${keyIndex} leading zero ${alg} ${tries}`);
      const sz = sign(alg, mz);
      if (sz[0] !== 0) continue;
      add(alg, 'valid, first byte 0x00 (k bytes)', mz, sz);
      add(alg, 'valid, first byte 0x00 removed (k - 1 bytes)', mz, sz.subarray(1));
      add(alg, 'valid, another 0x00 in front (k + 1 bytes)', mz, Buffer.concat([Buffer.alloc(1), sz]));
      break;
    }
  }
  return out;
}

/** What the crate must answer: OpenSSL's verdict, except for a signature of another length than k. */
function expectation(vector, key) {
  const length = fromB64u(vector.sig).length;
  if (length !== key.k && vector.openssl) {
    return { expect: false, differs: 'the signature is not k bytes long: RFC 8017 8.1.2/8.2.2 step 1 refuse it; OpenSSL\'s PSS verification reads it as a number, as if left-padded with zeros' };
  }
  return { expect: vector.openssl };
}

function generate() {
  const started = Date.now();
  const keys = [];
  const vectors = [];
  for (const bits of SIZES) {
    for (const e of EXPONENTS) {
      const key = makeKey(bits, e);
      const index = keys.length;
      keys.push(key);
      for (const v of vectorsFor(key, index)) vectors.push({ ...v, ...expectation(v, key) });
      process.stderr.write(`${bits}-bit, e = ${e}: ${vectors.length} vectors so far (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }
  }
  const document = {
    source: `generated by tests/vectors/generate-rsa.mjs with node:crypto (OpenSSL ${process.versions.openssl}, Node ${process.version}) on ${new Date().toISOString().slice(0, 10)}; verdicts are OpenSSL's (crypto.verify; PSS with MGF1 of the same hash and a salt as long as the hash)`,
    keys: keys.map((k) => ({ bits: k.bits, e: b64u(toBytes(k.e)), n: k.jwk.n })),
    vectors,
  };
  writeFileSync(OUT, `${JSON.stringify(document, null, 0).replace(/\},\{"key"/g, '},\n{"key"')}\n`);
  return document;
}

function check(document) {
  const keys = document.keys.map((k) => ({ ...k, k: fromB64u(k.n).length, publicKey: crypto.createPublicKey({ format: 'jwk', key: { kty: 'RSA', n: k.n, e: k.e } }) }));
  let problems = 0;
  for (const v of document.vectors) {
    const verdict = opensslVerifies(v.alg, keys[v.key].publicKey, Buffer.from(v.msg, 'latin1'), fromB64u(v.sig));
    if (verdict !== v.openssl) {
      problems++;
      process.stderr.write(`OpenSSL now says ${verdict} on key ${v.key} ${v.alg} ${v.case}\n`);
    }
    if (expectation(v, keys[v.key]).expect !== v.expect) {
      problems++;
      process.stderr.write(`the expectation of key ${v.key} ${v.alg} ${v.case} is not what the rule gives\n`);
    }
  }
  const counts = {};
  for (const v of document.vectors) {
    const k = document.keys[v.key];
    const row = `${k.bits}`;
    counts[row] ??= { vectors: 0, valid: 0, differs: 0 };
    counts[row].vectors++;
    if (v.openssl) counts[row].valid++;
    if (v.differs) counts[row].differs++;
  }
  console.log(`${document.keys.length} keys, ${document.vectors.length} vectors, ${document.vectors.filter((v) => v.openssl).length} accepted by OpenSSL, ${document.vectors.filter((v) => v.differs).length} marked as differing on purpose`);
  for (const [bits, c] of Object.entries(counts)) console.log(`  ${bits} bits: ${c.vectors} vectors, ${c.valid} valid for OpenSSL, ${c.differs} differing on purpose`);
  if (problems) {
    console.error(`${problems} problems`);
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) check(JSON.parse(readFileSync(OUT, 'utf8')));
  else check(generate());
}
