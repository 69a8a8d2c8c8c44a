// Robustness of the installed package (ESM load): thousands of random, truncated and hostile tokens
// and key sets. Every failure must be a coded errors.JOSEError (a TypeError is allowed only for
// inputs that are not strings), never a WebAssembly.RuntimeError or another crash; and the same
// instance must still verify a good token afterwards.
//
// The inputs come from a deterministic PRNG. Set EDGE_JWT_FUZZ_SEED to replay or vary a run; the
// seed is printed in every failure message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import * as jose from 'jose';
import { tryLoad } from './load.mjs';
import { NOW, NOW_MS } from './cases.mjs';

const SEED = (() => {
  const fromEnv = process.env.EDGE_JWT_FUZZ_SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!Number.isSafeInteger(n)) throw new Error(`EDGE_JWT_FUZZ_SEED must be an integer, got ${JSON.stringify(fromEnv)}`);
    return n >>> 0;
  }
  return 0x5eed2026;
})();
const SEED_NOTE = `(fuzz seed ${SEED}; replay with EDGE_JWT_FUZZ_SEED=${SEED})`;

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const int = (n) => Math.floor(rand() * n);
const pick = (list) => list[int(list.length)];
const randomBytes = (n) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = int(256);
  return out;
};
const utf8 = new TextEncoder();
const b64u = (input) => Buffer.from(typeof input === 'string' ? utf8.encode(input) : input).toString('base64url');
const B64U_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ODD_CHARS = ['=', '+', '/', ' ', '.', '\n', '\t', '\0', 'é', '€', '\u00a0', '\ud800', '😀', '%', '"', '{', '\\'];
const randomSegment = (length) => {
  let s = '';
  for (let i = 0; i < length; i++) s += rand() < 0.03 ? pick(ODD_CHARS) : B64U_ALPHABET[int(64)];
  return s;
};

const { lib, loadError } = await tryLoad();

if (loadError) {
  test('edge-jwt loads through the ESM entry point', () => {
    throw loadError;
  });
} else {
  // ----- fixtures ---------------------------------------------------------------------------------
  const keyPairs = {};
  for (const alg of ['ES256', 'EdDSA', 'RS256']) {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    keyPairs[alg] = { privateKey, signingKey: crypto.KeyObject.from(privateKey), jwk: { ...(await jose.exportJWK(publicKey)), kid: `fz-${alg}`, alg } };
  }
  const jwks = { keys: Object.values(keyPairs).map((k) => k.jwk) };
  const jwksText = JSON.stringify(jwks);
  const SECRET = 'robustness-secret-2b8e1d';
  const at = { currentDate: new Date(NOW_MS) };
  const claims = { iss: 'https://issuer.example', sub: 'fuzz', aud: 'api', iat: NOW - 5, exp: NOW + 600, data: { list: [1, 2, 3], text: 'ünïcødé' } };
  const good = {};
  for (const alg of ['ES256', 'EdDSA', 'RS256', 'HS256']) {
    good[alg] = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg, typ: 'JWT', ...(alg === 'HS256' ? {} : { kid: `fz-${alg}` }) })
      .sign(alg === 'HS256' ? utf8.encode(SECRET) : keyPairs[alg].privateKey);
  }
  /** HS256 over arbitrary header/payload bytes, so the signature verifies and the parsers run. */
  const hsSigned = (headerBytes, payloadBytes) => {
    const input = `${b64u(headerBytes)}.${b64u(payloadBytes)}`;
    return `${input}.${b64u(crypto.createHmac('sha256', SECRET).update(input).digest())}`;
  };
  const HS_HEADER = '{"alg":"HS256","typ":"JWT"}';

  /** Verifies every good token in both modes; throws on any failure. */
  async function goodStillVerifies(where) {
    for (const [alg, token] of Object.entries(good)) {
      const keys = alg === 'HS256' ? null : jwks;
      const options = alg === 'HS256' ? { ...at, secret: SECRET } : at;
      let result;
      try {
        result = lib.verifyTokenSync(token, keys, options);
      } catch (error) {
        throw new Error(`${where}: a good ${alg} token no longer verifies (sync): ${error && error.name}: ${error && error.message} ${SEED_NOTE}`);
      }
      assert.deepEqual(result.payload, claims);
      try {
        result = await lib.verifyToken(token, keys, options);
      } catch (error) {
        throw new Error(`${where}: a good ${alg} token no longer verifies (async): ${error && error.name}: ${error && error.message} ${SEED_NOTE}`);
      }
      assert.deepEqual(result.payload, claims);
    }
  }

  function describeError(error) {
    if (error instanceof WebAssembly.RuntimeError) return `WebAssembly.RuntimeError (a trap or panic): ${error.message}`;
    if (error === null || typeof error !== 'object') return `a thrown ${typeof error}: ${String(error)}`;
    return `${error.name}${error.code !== undefined ? ` code=${error.code}` : ''}: ${String(error.message).slice(0, 200)}`;
  }

  function preview(value) {
    if (typeof value !== 'string') {
      try {
        return `${typeof value} ${String(JSON.stringify(value)).slice(0, 80)}`;
      } catch {
        return typeof value;
      }
    }
    return `${JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}...` : value)} (${value.length} chars)`;
  }

  /** Runs one token input in both modes and returns the problems found. */
  async function tryToken(input) {
    const problems = [];
    const judge = (mode, outcome) => {
      if (outcome.ok) {
        if (!input.mayPass) problems.push(`${input.label} [${mode}] was accepted: ${preview(input.token)}`);
        return;
      }
      const error = outcome.error;
      if (error instanceof lib.errors.JOSEError && typeof error.code === 'string' && error.code.startsWith('ERR_')) return;
      if (typeof input.token !== 'string' && error instanceof TypeError) return;
      problems.push(`${input.label} [${mode}]: ${describeError(error)} for ${preview(input.token)}`);
    };
    let pending;
    try {
      pending = lib.verifyToken(input.token, input.keys, input.options);
    } catch (error) {
      problems.push(`${input.label} [async]: verifyToken threw synchronously: ${describeError(error)}`);
    }
    if (pending) {
      try {
        await pending;
        judge('async', { ok: true });
      } catch (error) {
        judge('async', { ok: false, error });
      }
    }
    try {
      lib.verifyTokenSync(input.token, input.keys, input.options);
      judge('sync', { ok: true });
    } catch (error) {
      judge('sync', { ok: false, error });
    }
    return problems;
  }

  // Keys and options for a token input: rotate through the key forms and the secret mode.
  let rotation = 0;
  const keyChoice = () => {
    switch (rotation++ % 4) {
      case 0: return { keys: jwks, options: at };
      case 1: return { keys: jwksText, options: at };
      case 2: return { keys: null, options: { ...at, secret: SECRET } };
      default: return { keys: jwks, options: { ...at, secret: SECRET, maxTokenAge: '1h', clockTolerance: 30, audience: ['api', 'x'] } };
    }
  };
  const forToken = (token) => {
    const alg = (() => {
      try {
        return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).alg;
      } catch {
        return undefined;
      }
    })();
    return alg === 'HS256' ? { keys: null, options: { ...at, secret: SECRET } } : { keys: jwks, options: at };
  };

  // ----- token inputs ---------------------------------------------------------------------------------
  const categories = [];
  const category = (name, inputs) => categories.push({ name, inputs });

  {
    const inputs = [];
    for (let i = 0; i < 200; i++) inputs.push({ label: `random latin1 string #${i}`, token: Buffer.from(randomBytes(int(400))).toString('latin1'), ...keyChoice() });
    for (let i = 0; i < 100; i++) inputs.push({ label: `random UTF-8 string #${i}`, token: Buffer.from(randomBytes(int(400))).toString('utf8'), ...keyChoice() });
    category('random bytes', inputs);
  }
  {
    const inputs = [];
    for (let i = 0; i < 500; i++) {
      const parts = rand() < 0.6 ? 3 : 1 + int(6);
      const segments = [];
      for (let j = 0; j < parts; j++) segments.push(randomSegment(int(rand() < 0.1 ? 3000 : 200)));
      inputs.push({ label: `random base64url segments #${i}`, token: segments.join('.'), ...keyChoice() });
    }
    // Random segments behind a valid header, so key selection and signature checks run.
    for (let i = 0; i < 100; i++) {
      const header = b64u(pick([`{"alg":"ES256","kid":"fz-ES256"}`, '{"alg":"EdDSA"}', '{"alg":"RS256","kid":"fz-RS256"}', HS_HEADER, '{"alg":"ES512"}', '{"alg":"PS256"}']));
      inputs.push({ label: `valid header, random payload and signature segments #${i}`, token: `${header}.${randomSegment(int(300))}.${randomSegment(int(400))}`, ...keyChoice() });
    }
    category('random base64url', inputs);
  }
  {
    const inputs = [];
    for (const alg of ['ES256', 'EdDSA']) {
      const token = good[alg];
      for (let n = 0; n < token.length; n++) inputs.push({ label: `${alg} token truncated to ${n} chars`, token: token.slice(0, n), ...forToken(token) });
    }
    for (let n = 0; n < good.HS256.length; n += 3) inputs.push({ label: `HS256 token truncated to ${n} chars`, token: good.HS256.slice(0, n), ...forToken(good.HS256) });
    for (let n = 1; n < good.RS256.length; n += 7) inputs.push({ label: `RS256 token with its first ${n} chars cut`, token: good.RS256.slice(n), ...forToken(good.RS256) });
    category('truncations', inputs);
  }
  {
    const inputs = [];
    for (let i = 0; i < 200; i++) {
      const [h, , s] = good.ES256.split('.');
      inputs.push({ label: `ES256 header, random payload bytes, stale signature #${i}`, token: `${h}.${b64u(randomBytes(int(300)))}.${s}`, keys: jwks, options: at });
    }
    for (let i = 0; i < 400; i++) {
      // Signed, so the payload parser sees the random bytes: half random, half JSON-ish garbage.
      let payload;
      if (i % 2 === 0) payload = randomBytes(int(300));
      else {
        const pieces = ['{', '}', '[', ']', '"', ':', ',', 'null', 'true', '1e999', '-', '0', '"exp"', '"iat"', '"nbf"', '\\u0000', '\\ud800', '\\', ' ', 'é'];
        let text = '{';
        for (let j = 0, n = int(60); j < n; j++) text += pick(pieces);
        payload = utf8.encode(text);
      }
      inputs.push({ label: `HS256-signed random payload #${i}`, token: hsSigned(HS_HEADER, payload), keys: null, options: { ...at, secret: SECRET, ...(i % 3 === 0 ? { maxTokenAge: 60, requiredClaims: ['exp'] } : {}) }, mayPass: true });
    }
    for (let i = 0; i < 100; i++) {
      const header = rand() < 0.5 ? randomBytes(int(100)) : utf8.encode(`{"alg":"HS256",${pick(['"crit":', '"kid":', '"typ":', '"b64":', '"jwk":', '"alg":'])}${pick(['null', '[]', '{}', '1e400', '"x"', '[1]', '["b64"]', 'false', '[""]', '{"kty":"EC"}'])}}`);
      inputs.push({ label: `HS256-signed random header #${i}`, token: hsSigned(header, JSON.stringify({ sub: 'x' })), keys: null, options: { ...at, secret: SECRET }, mayPass: true });
    }
    category('random payloads and headers', inputs);
  }
  {
    const inputs = [];
    const numbers = ['1e400', '-1e400', '1e-400', '-0', '0e0', '123456789012345678901234567890', '9'.repeat(10000), `0.${'0'.repeat(5000)}1`, `1${'0'.repeat(400)}`,
      '1E+308', '2e308', '4.9e-324', '9007199254740993', '-9223372036854775809', '18446744073709551616', '1.7976931348623157e309', '1e2147483648', '-1e-2147483649', '0.5', `${NOW}.999999999999`];
    for (let i = 0; i < 100; i++) {
      const number = numbers[i % numbers.length];
      const claim = pick(['exp', 'nbf', 'iat', 'other']);
      const options = { ...at, secret: SECRET, ...(rand() < 0.5 ? { maxTokenAge: pick([0, 60, '1h']), clockTolerance: pick([0, 5, '2h']) } : {}) };
      inputs.push({ label: `huge number ${number.slice(0, 30)} in ${claim} #${i}`, token: hsSigned(HS_HEADER, `{"sub":"x","${claim}":${number}}`), keys: null, options, mayPass: true });
    }
    for (const number of numbers) {
      inputs.push({ label: `huge number ${number.slice(0, 30)} as header kid`, token: hsSigned(`{"alg":"HS256","kid":${number}}`, '{"sub":"x"}'), keys: null, options: { ...at, secret: SECRET }, mayPass: true });
      inputs.push({ label: `huge number ${number.slice(0, 30)} as the ES256 header kid (JWKS)`, token: `${b64u(`{"alg":"ES256","kid":${number}}`)}.${b64u('{}')}.${good.ES256.split('.')[2]}`, keys: jwks, options: at });
    }
    category('huge numbers', inputs);
  }
  {
    const inputs = [];
    const depths = [1, 2, 64, 126, 127, 128, 129, 130, 200, 256, 500, 1000, 2000, 5000, 10000];
    for (const depth of depths) {
      inputs.push({ label: `payload of ${depth} nested arrays`, token: hsSigned(HS_HEADER, `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`), keys: null, options: { ...at, secret: SECRET }, mayPass: true });
      inputs.push({ label: `payload of ${depth} nested objects`, token: hsSigned(HS_HEADER, `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`), keys: null, options: { ...at, secret: SECRET }, mayPass: true });
      inputs.push({ label: `payload of ${depth} unclosed arrays`, token: hsSigned(HS_HEADER, `{"a":${'['.repeat(depth)}`), keys: null, options: { ...at, secret: SECRET } });
      inputs.push({ label: `payload of ${depth} nested arrays in exp`, token: hsSigned(HS_HEADER, `{"exp":${'['.repeat(depth)}${']'.repeat(depth)}}`), keys: null, options: { ...at, secret: SECRET } });
      inputs.push({ label: `header nesting ${depth} levels`, token: hsSigned(`{"alg":"HS256","x":${'['.repeat(depth)}${']'.repeat(depth)}}`, '{"sub":"x"}'), keys: null, options: { ...at, secret: SECRET }, mayPass: true });
      inputs.push({ label: `header nesting ${depth} levels (JWKS)`, token: `${b64u(`{"alg":"ES256","kid":"fz-ES256","x":${'{"y":'.repeat(depth)}0${'}'.repeat(depth)}}`)}.${good.ES256.split('.')[1]}.${good.ES256.split('.')[2]}`, keys: jwks, options: at });
      inputs.push({ label: `unsigned payload of ${depth} nested arrays`, token: `${good.ES256.split('.')[0]}.${b64u(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`)}.${good.ES256.split('.')[2]}`, keys: jwks, options: at });
    }
    for (let i = 0; i < 15; i++) {
      const depth = 1 + int(10000);
      const open = Array.from({ length: depth }, () => (rand() < 0.5 ? '[' : '{"k":'));
      const close = open.map((o) => (o === '[' ? ']' : '}')).reverse();
      inputs.push({ label: `payload of ${depth} mixed nested levels`, token: hsSigned(HS_HEADER, `{"a":${open.join('')}0${close.join('')}}`), keys: null, options: { ...at, secret: SECRET }, mayPass: true });
    }
    category('deep nesting', inputs);
  }
  {
    const inputs = [];
    const big = 300 * 1024;
    inputs.push({ label: '300 KB random base64url, 3 segments', token: `${randomSegment(1000)}.${randomSegment(big)}.${randomSegment(100)}`, ...keyChoice() });
    inputs.push({ label: '300 KB of dots', token: '.'.repeat(big), ...keyChoice() });
    inputs.push({ label: '300 KB of A', token: 'A'.repeat(big), ...keyChoice() });
    inputs.push({ label: '300 KB random latin1', token: Buffer.from(randomBytes(big)).toString('latin1'), ...keyChoice() });
    inputs.push({ label: '300 KB HS256-signed token', token: hsSigned(HS_HEADER, JSON.stringify({ sub: 'x', pad: 'p'.repeat(big) })), keys: null, options: { ...at, secret: SECRET } });
    inputs.push({ label: '300 KB ES256 header segment', token: `${b64u(JSON.stringify({ alg: 'ES256', kid: 'fz-ES256', pad: 'h'.repeat(big) }))}.${good.ES256.split('.')[1]}.${good.ES256.split('.')[2]}`, keys: jwks, options: at });
    inputs.push({ label: '300 KB signature segment', token: `${good.ES256.split('.')[0]}.${good.ES256.split('.')[1]}.${b64u(randomBytes(big))}`, keys: jwks, options: at });
    inputs.push({ label: '300 KB RS256 signature segment', token: `${good.RS256.split('.')[0]}.${good.RS256.split('.')[1]}.${'A'.repeat(big)}`, keys: jwks, options: at });
    inputs.push({ label: '2 MB token', token: `${good.ES256.split('.')[0]}.${'B'.repeat(2 * 1024 * 1024)}.${good.ES256.split('.')[2]}`, keys: jwks, options: at });
    inputs.push({ label: '300 KB of a good token repeated', token: good.ES256.repeat(Math.ceil(big / good.ES256.length)), keys: jwks, options: at });
    category('300 KB tokens', inputs);
  }
  {
    const inputs = [];
    const target = 3000 - categories.reduce((n, c) => n + c.inputs.length, 0) - 12;
    for (let i = 0; i < target; i++) {
      const alg = pick(['ES256', 'EdDSA', 'RS256', 'HS256']);
      let chars = [...good[alg]];
      for (let m = 0, n = 1 + int(3); m < n; m++) {
        const at2 = int(chars.length);
        switch (int(6)) {
          case 0: chars[at2] = rand() < 0.8 ? B64U_ALPHABET[int(64)] : pick(ODD_CHARS); break;
          case 1: chars.splice(at2, 0, rand() < 0.8 ? B64U_ALPHABET[int(64)] : pick(ODD_CHARS)); break;
          case 2: chars.splice(at2, 1 + int(8)); break;
          case 3: {
            const parts = chars.join('').split('.');
            parts.splice(int(parts.length + 1), 0, parts[int(parts.length)]);
            chars = [...parts.join('.')];
            break;
          }
          case 4: {
            const parts = chars.join('').split('.');
            const a = int(parts.length);
            const b = int(parts.length);
            [parts[a], parts[b]] = [parts[b], parts[a]];
            chars = [...parts.join('.')];
            break;
          }
          default: {
            const c = chars[at2] || 'a';
            chars[at2] = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
          }
        }
      }
      const token = chars.join('');
      // A mutation can be a no-op (or change only unused low bits of the last character).
      inputs.push({ label: `mutated ${alg} token #${i}`, token, ...forToken(good[alg]), mayPass: true });
    }
    category('mutations', inputs);
  }
  {
    const inputs = [];
    for (const token of [undefined, null, 42, 0, true, {}, [], ['a', 'b', 'c'], { toString: () => good.ES256 }, new Uint8Array(10), 10n, () => good.ES256]) {
      inputs.push({ label: `non-string token ${typeof token}`, token, keys: jwks, options: at });
    }
    category('non-string tokens', inputs);
  }

  const total = categories.reduce((n, c) => n + c.inputs.length, 0);

  test(`fuzzed tokens: ${total} inputs, every failure is a coded JOSEError ${SEED_NOTE}`, async (t) => {
    t.diagnostic(`seed ${SEED}`);
    assert.ok(total >= 3000, `only ${total} inputs`);
    const problems = [];
    for (const { name, inputs } of categories) {
      const before = problems.length;
      for (const input of inputs) problems.push(...(await tryToken(input)));
      t.diagnostic(`${name}: ${inputs.length} inputs, ${problems.length - before} problems`);
      try {
        await goodStillVerifies(`after the "${name}" inputs`);
      } catch (error) {
        problems.push(error.message);
      }
    }
    assert.equal(problems.length, 0, `${problems.length} problems ${SEED_NOTE}; the first ones:\n${problems.slice(0, 25).join('\n')}`);
  });

  // ----- key set inputs -------------------------------------------------------------------------------
  const docs = [];
  {
    for (let i = 0; i < 150; i++) {
      const n = Math.floor((i / 150) * jwksText.length) + int(7);
      docs.push({ label: `JWKS text truncated to ${n} chars`, doc: jwksText.slice(0, n) });
    }
    const vocabulary = ['keys', 'kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use', 'key_ops', 'ext', 'd', 'k', 'x5c'];
    const randomValue = (depth) => {
      switch (int(depth > 3 ? 6 : 9)) {
        case 0: return null;
        case 1: return rand() < 0.5;
        case 2: return pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 2]);
        case 3: return b64u(randomBytes(int(140)));
        case 4: return pick(['EC', 'RSA', 'OKP', 'oct', 'P-256', 'P-384', 'P-521', 'Ed25519', 'Ed448', 'ES256', 'EdDSA', 'RS256', 'sig', 'enc', 'verify', 'AQAB', '', 'fz-ES256']);
        case 5: return randomSegment(int(50));
        case 6: return Array.from({ length: int(4) }, () => randomValue(depth + 1));
        case 7:
        case 8: {
          const o = {};
          for (let j = 0, n = int(7); j < n; j++) o[pick(vocabulary)] = randomValue(depth + 1);
          return o;
        }
        default: return null;
      }
    };
    for (let i = 0; i < 150; i++) {
      const value = rand() < 0.7 ? { keys: Array.from({ length: int(5) }, () => randomValue(1)) } : randomValue(0);
      docs.push({ label: `random JSON key set #${i}`, doc: i % 2 === 0 ? value : JSON.stringify(value) });
    }
    const pool = () => pick([
      null, 0, -1, '', 'A', 'AAAA', '====', 'not base64!', [], {}, true, 'P-999', 'RSA', 'EC', 'OKP', 'oct', ['verify'], ['verify', 'verify'], 'verify', ['sign'],
      12345678901234567890, b64u(randomBytes(int(600))), b64u(randomBytes(1)), 'A'.repeat(100000), b64u(new Uint8Array(32)), b64u(new Uint8Array(66).fill(255)),
    ]);
    for (let i = 0; i < 200; i++) {
      const doc = structuredClone(jwks);
      for (let m = 0, n = 1 + int(3); m < n; m++) {
        const key = doc.keys[int(doc.keys.length)];
        const r = int(10);
        if (r < 6) key[pick(['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use', 'key_ops', 'ext'])] = pool();
        else if (r === 6) delete key[pick(Object.keys(key))];
        else if (r === 7 && key.y) {
          const y = Buffer.from(key.y, 'base64url');
          y[int(y.length)] ^= 1 + int(255);
          key.y = b64u(y); // most likely not a point on the curve any more
        } else if (r === 8 && key.n) {
          key.n = pick([b64u(randomBytes(1 + int(8))), b64u(randomBytes(1024)), b64u(Buffer.concat([Buffer.alloc(300), randomBytes(10)])), key.n.slice(0, 40)]);
          key.e = pick(['AQAB', 'AQ', 'AA', b64u(randomBytes(300)), '']);
        } else {
          doc.keys.push(structuredClone(key));
        }
      }
      docs.push({ label: `mutated JWKS #${i}`, doc: i % 2 === 0 ? doc : JSON.stringify(doc) });
    }
    docs.push({ label: 'JWKS with 300 keys', doc: { keys: Array.from({ length: 300 }, (_, i) => ({ ...keyPairs.ES256.jwk, kid: `k${i}` })) } });
    docs.push({ label: 'JWKS text over 300 KB', doc: JSON.stringify({ keys: [{ ...keyPairs.ES256.jwk, pad: 'p'.repeat(300 * 1024) }] }) });
    docs.push({ label: 'JWKS nested 10000 levels', doc: `{"keys":[${'['.repeat(10000)}${']'.repeat(10000)}]}` });
    docs.push({ label: 'JWKS object nested 5000 levels', doc: { keys: [JSON.parse(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`)] } });
    docs.push({ label: 'JWKS with an EC key off the curve (all-zero x, y)', doc: { keys: [{ ...keyPairs.ES256.jwk, x: b64u(new Uint8Array(32)), y: b64u(new Uint8Array(32)) }] } });
    docs.push({ label: 'JWKS with an all-zero Ed25519 key', doc: { keys: [{ ...keyPairs.EdDSA.jwk, x: b64u(new Uint8Array(32)) }] } });
    docs.push({ label: 'JWKS with RSA n = 0', doc: { keys: [{ ...keyPairs.RS256.jwk, n: 'AA' }] } });
    docs.push({ label: 'JWKS with RSA e = 1', doc: { keys: [{ ...keyPairs.RS256.jwk, e: 'AQ' }] } });
    docs.push({ label: 'JWKS with a 16384-bit RSA modulus of random bytes', doc: { keys: [{ ...keyPairs.RS256.jwk, n: b64u(randomBytes(2048)) }] } });
    docs.push({ label: 'JWKS with a private EC key', doc: { keys: [{ ...keyPairs.ES256.jwk, d: b64u(randomBytes(32)) }] } });
    docs.push({ label: 'JWKS whose keys have __proto__ members', doc: JSON.parse(`{"keys":[{"__proto__":{"kty":"EC"},"kid":"fz-ES256","crv":"P-256"}],"__proto__":{"keys":[]}}`) });
    while (docs.length < 500) {
      const text = jwksText;
      const at2 = int(text.length);
      docs.push({ label: `JWKS text with a byte changed at ${at2}`, doc: `${text.slice(0, at2)}${pick(['"', '{', ']', ',', 'x', '\\', '\u0000', '9'])}${text.slice(at2 + 1)}` });
    }
  }

  test(`fuzzed key sets: ${docs.length} documents via createLocalJWKSet and as verifyToken keys ${SEED_NOTE}`, async (t) => {
    t.diagnostic(`seed ${SEED}`);
    assert.ok(docs.length >= 500);
    const problems = [];
    const acceptable = (error, doc) => {
      if (error instanceof lib.errors.JOSEError && typeof error.code === 'string' && error.code.startsWith('ERR_')) return true;
      const plainObject = doc !== null && typeof doc === 'object' && !Array.isArray(doc);
      return typeof doc !== 'string' && !plainObject && error instanceof TypeError;
    };
    const tokensToTry = [good.ES256, good.EdDSA, good.RS256];
    for (const { label, doc } of docs) {
      let set;
      try {
        set = lib.createLocalJWKSet(doc);
      } catch (error) {
        if (!acceptable(error, doc)) problems.push(`${label} [createLocalJWKSet]: ${describeError(error)}`);
      }
      for (const token of tokensToTry) {
        for (const keys of set ? [set, doc] : [doc]) {
          const form = keys === set ? 'LocalKeySet' : 'keys';
          try {
            await lib.verifyToken(token, keys, at);
          } catch (error) {
            if (!acceptable(error, doc)) problems.push(`${label} [verifyToken, ${form}]: ${describeError(error)}`);
          }
          try {
            lib.verifyTokenSync(token, keys, at);
          } catch (error) {
            if (!acceptable(error, doc)) problems.push(`${label} [verifyTokenSync, ${form}]: ${describeError(error)}`);
          }
        }
      }
    }
    try {
      await goodStillVerifies('after the key set inputs');
    } catch (error) {
      problems.push(error.message);
    }
    assert.equal(problems.length, 0, `${problems.length} problems ${SEED_NOTE}; the first ones:\n${problems.slice(0, 25).join('\n')}`);
  });

  test('a good token verifies in the same instance after all the fuzzing', async () => {
    await goodStillVerifies('at the end');
  });
}
