// verifySessionCookie against the cookies of a real Better Auth server (the `better-auth` dev
// dependency, tests/runtimes/better-auth-cookies.mjs): for each cookie-cache strategy Better Auth
// has (`compact`, `jwt` with HS256 and the secret, `jwe`, and `jwt` signed by the JWT plugin's keys
// with `jwt({ sessionCookieCache: true })`), a user signs up and signs in with email and password,
// and the Cookie header a browser would send after the sign-in response's real `Set-Cookie` lines
// is verified through the installed package: as a string, as Headers and as a Request, with the
// strategy detected and explicit. Then forged and tampered cookies (edited payloads, other secrets
// and keys, another session's token, a missing token) must throw jose's codes, and expired caches,
// expired sessions, other versions and absent cookies must be misses (null). One more test covers
// chunked cookies (`.0`, `.1`, ...), `__Secure-` names and a custom cookie prefix.
//
// The servers run in this process on 127.0.0.1; every wait is bounded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import { loadEsm } from './load.mjs';
import { startCookieServer } from '../runtimes/better-auth-cookies.mjs';

let lib;
let loadError;
try {
  lib = await loadEsm();
  if (typeof lib.verifySessionCookie !== 'function') loadError = new Error('the installed edge-jwt package exports no verifySessionCookie function');
} catch (error) {
  loadError = error;
}

const PASSWORD = 'correct-horse-battery-staple';
const MAX_AGE_S = 300;              // session.cookieCache.maxAge of every server here
const SHORT_SESSION_S = 120;        // session.expiresIn of the "short session" servers
const CALL_TIMEOUT_MS = 15_000;     // bound on one verifySessionCookie call
const TEST_TIMEOUT_MS = 60_000;
const LONG_NAME = 'N'.repeat(6000); // a user name that makes session_data too big for one cookie
const LONG_IMAGE = `https://img.example.com/${'i'.repeat(40_000)}`; // enough for more than ten chunks
// A session_token cookie value of the right shape for a session this server never made.
/** A session_token cookie of another session, signed with `secret` as Better Auth signs it. */
const foreignTokenValue = (secret) => {
  const token = 'Z'.repeat(32);
  return encodeURIComponent(`${token}.${createHmac('sha256', secret).update(token).digest('base64')}`);
};

const SIG = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
const DECRYPT = 'ERR_JWE_DECRYPTION_FAILED';
const CLAIM = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
const CLASS_OF = {
  [SIG]: 'JWSSignatureVerificationFailed',
  [DECRYPT]: 'JWEDecryptionFailed',
  [CLAIM]: 'JWTClaimValidationFailed',
  ERR_JWKS_NO_MATCHING_KEY: 'JWKSNoMatchingKey',
};
// The codes a malformed (for instance truncated) session_data may fail with, per strategy, and
// for any strategy when the strategy is detected from a damaged value.
const JWS_DAMAGED = ['ERR_JWS_INVALID', 'ERR_JWT_INVALID', SIG];
const JWE_DAMAGED = ['ERR_JWE_INVALID', DECRYPT];
const ANY_DAMAGED = [...JWS_DAMAGED, ...JWE_DAMAGED];
// With only `jwks` (no secret), a damaged value detected as compact or jwe may also be refused as
// a strategy the options cannot verify, as jose refuses an HS256 token with a key set.
const JWKS_ONLY_DAMAGED = [...ANY_DAMAGED, 'ERR_JOSE_NOT_SUPPORTED'];

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const b64uJson = (value) => b64u(JSON.stringify(value));
const fromB64uJson = (text) => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
const randomEmail = () => `user-${randomBytes(6).toString('hex')}@example.com`;

// ---------------------------------------------------------------------------------------------
// Bounded calls and assertions

function bounded(promise, label) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: verifySessionCookie did not settle within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
  });
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => clearTimeout(timer));
}

function describeValue(value) {
  if (value === null) return 'null (a miss)';
  if (value && typeof value === 'object' && value.user) return `a verified session for user ${JSON.stringify(value.user.id)}`;
  return `${typeof value} ${String(value).slice(0, 100)}`;
}

function describeError(error) {
  return `${error?.name}${error?.code ? ` [${error.code}]` : ''}${error?.claim ? ` claim=${error.claim}` : ''}: ${String(error?.message).slice(0, 300)}`;
}

async function settle(label, input, options) {
  try {
    return { value: await bounded(lib.verifySessionCookie(input, options), label) };
  } catch (error) {
    if (String(error?.message).includes('did not settle')) throw error;
    return { error };
  }
}

/** Asserts a verified session for `login` (user id and session token). */
async function assertVerifies(label, input, options, login, extra = {}) {
  const outcome = await settle(label, input, options);
  if (outcome.error) assert.fail(`${label}: expected a verified session, got ${describeError(outcome.error)}`);
  const result = outcome.value;
  assert.ok(result && typeof result === 'object', `${label}: expected a verified session, got ${describeValue(result)}`);
  assert.ok(result.session && typeof result.session === 'object', `${label}: result.session`);
  assert.ok(result.user && typeof result.user === 'object', `${label}: result.user`);
  assert.ok(result.payload && typeof result.payload === 'object', `${label}: result.payload`);
  assert.equal(result.user.id, login.user.id, `${label}: user.id`);
  assert.equal(result.session.token, login.token, `${label}: session.token (the session_token cookie's token part)`);
  assert.equal(result.session.userId, login.user.id, `${label}: session.userId`);
  assert.equal(result.user.email, login.user.email, `${label}: user.email`);
  if (extra.name !== undefined) assert.equal(result.user.name, extra.name, `${label}: user.name`);
  return result;
}

/** Asserts a miss: null, not an error. */
async function assertMiss(label, input, options) {
  const outcome = await settle(label, input, options);
  if (outcome.error) assert.fail(`${label}: expected null (a miss), got ${describeError(outcome.error)}`);
  assert.equal(outcome.value, null, `${label}: expected null (a miss), got ${describeValue(outcome.value)}`);
}

/**
 * Asserts a rejection with a coded errors.JOSEError: `code` exactly (and its class, and `claim`
 * when given), or one of `codes`.
 */
async function assertRejects(label, input, options, { code, codes, claim }) {
  const outcome = await settle(label, input, options);
  const expected = code ?? codes.join(' | ');
  if (!outcome.error) assert.fail(`${label}: expected a rejection with ${expected}, got ${describeValue(outcome.value)}`);
  const { error } = outcome;
  assert.ok(error instanceof lib.errors.JOSEError, `${label}: expected an errors.JOSEError with ${expected}, got ${describeError(error)}`);
  if (code !== undefined) {
    assert.equal(error.code, code, `${label}: expected ${code}, got ${describeError(error)}`);
    const className = CLASS_OF[code];
    if (className) {
      assert.equal(typeof lib.errors[className], 'function', `errors.${className} is not exported`);
      assert.ok(error instanceof lib.errors[className], `${label}: not an instance of errors.${className} (${describeError(error)})`);
    }
  } else {
    assert.ok(codes.includes(error.code), `${label}: expected one of ${expected}, got ${describeError(error)}`);
  }
  if (claim !== undefined) assert.equal(error.claim, claim, `${label}: error.claim (${describeError(error)})`);
}

// ---------------------------------------------------------------------------------------------
// Cookies

/** `name=value; ...` from [name, value] pairs. */
const cookieHeader = (pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('; ');

const tokenPart = (value) => {
  const decoded = decodeURIComponent(value);
  return decoded.slice(0, decoded.lastIndexOf('.'));
};

function chunkIndex(dataName, name) {
  if (!name.startsWith(`${dataName}.`)) return null;
  const suffix = name.slice(dataName.length + 1);
  return /^\d+$/.test(suffix) ? Number(suffix) : null;
}

/**
 * Signs up a user and signs in again; returns the browser's cookies after the sign-in response:
 * the session_token cookie, the session_data cookie or its chunks (in numeric order), the
 * Cookie header, and what the names should be.
 */
async function login(server, { name = 'Cookie User', image, cookiePrefix = 'better-auth', secure = false } = {}) {
  const email = randomEmail();
  const up = await server.signUp(email, PASSWORD, name, image === undefined ? {} : { image });
  const signedIn = await server.signIn(email, PASSWORD);
  const base = `${secure ? '__Secure-' : ''}${cookiePrefix}`;
  const tokenName = `${base}.session_token`;
  const dataName = `${base}.session_data`;
  const jar = signedIn.jar;
  const tokenValue = jar.get(tokenName);
  if (tokenValue === undefined) {
    throw new Error(`the sign-in response set no ${tokenName} cookie; it set: ${signedIn.setCookie.map((l) => l.split('=')[0]).join(', ')}`);
  }
  const chunks = [...jar]
    .filter(([n]) => n === dataName || chunkIndex(dataName, n) !== null)
    .sort(([a], [b]) => (chunkIndex(dataName, a) ?? -1) - (chunkIndex(dataName, b) ?? -1));
  if (chunks.length === 0) {
    throw new Error(`the sign-in response set no ${dataName} cookie; it set: ${signedIn.setCookie.map((l) => l.split('=')[0]).join(', ')}`);
  }
  return {
    server,
    user: { ...up.user, id: signedIn.user.id },
    setCookie: signedIn.setCookie,
    jar,
    header: signedIn.cookieHeader,
    tokenName,
    tokenValue,
    token: tokenPart(tokenValue),
    dataName,
    chunks,
    data: chunks.map(([, v]) => v).join(''),
  };
}

/** The Cookie header with this session_data value (one cookie) and session_token value (null: none). */
function withData(l, data, tokenValue = l.tokenValue) {
  const pairs = [[l.dataName, data]];
  if (tokenValue !== null) pairs.push([l.tokenName, tokenValue]);
  return cookieHeader(pairs);
}

// ---------------------------------------------------------------------------------------------
// Forgeries, in the documented formats

const decodeCompact = (value) => fromB64uJson(value);
const encodeCompact = (object) => b64uJson(object);
/** Better Auth's compact signature: HMAC-SHA256(secret, JSON of {...session, expiresAt}), base64url. */
const compactSignature = (object, secret) => createHmac('sha256', secret)
  .update(JSON.stringify({ ...object.session, expiresAt: object.expiresAt }))
  .digest('base64url');

const jwsParts = (token) => {
  const [header, payload, signature] = token.split('.');
  return { header: fromB64uJson(header), payload: fromB64uJson(payload), rawHeader: header, rawPayload: payload, signature };
};
const withPayload = (token, payload) => {
  const [header, , signature] = token.split('.');
  return `${header}.${b64uJson(payload)}.${signature}`;
};
const withHeader = (token, header) => {
  const [, payload, signature] = token.split('.');
  return `${b64uJson(header)}.${payload}.${signature}`;
};
function signHs256(header, payload, secret) {
  const input = `${b64uJson(header)}.${b64uJson(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Better Auth's JWE key: HKDF-SHA256(secret, salt "better-auth-session", info ..., 64 bytes). */
const jweKey = (secret) => new Uint8Array(hkdfSync('sha256', secret, 'better-auth-session', 'BetterAuth.js Generated Encryption Key', 64));
const jweKid = (key) => jose.calculateJwkThumbprint({ kty: 'oct', k: b64u(key) }, 'sha256');
async function encryptJwe(payload, secret, kid) {
  const key = jweKey(secret);
  return new jose.EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256CBC-HS512', kid: kid ?? await jweKid(key) })
    .encrypt(key);
}
/** The JWE with one bit flipped in its segment `index` (2: IV, 3: ciphertext, 4: tag). */
function flipJwe(token, index) {
  const parts = token.split('.');
  const bytes = Buffer.from(parts[index], 'base64url');
  bytes[0] ^= 1;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

/** The cache payload inside a session_data value (secret known to the test). */
async function cachePayload(kind, value, secret) {
  if (kind === 'compact') return decodeCompact(value).session;
  if (kind === 'jwe') return (await jose.jwtDecrypt(value, jweKey(secret))).payload;
  return jwsParts(value).payload;
}

// ---------------------------------------------------------------------------------------------
// Servers

/** Runs these async functions one after the other; resolves to their results. */
async function serial(...steps) {
  const results = [];
  for (const step of steps) results.push(await step());
  return results;
}

// Logins on one server run one after the other: the JWT plugin creates its first key lazily, so
// concurrent first sign-ins would each create a key (harmless, but the shape checks expect one).
async function startAll(t, configs) {
  const started = await Promise.allSettled(configs.map((config) => startCookieServer(config)));
  const servers = started.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  t.after(() => Promise.all(servers.map((s) => s.close())));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw new Error(`Better Auth could not start: ${failed.reason?.message}`, { cause: failed.reason });
  return started.map((r) => r.value);
}

const STRATEGIES = [
  { label: 'compact (HMAC-SHA256 with the secret)', kind: 'compact', strategy: 'compact', server: { strategy: 'compact' } },
  { label: 'jwt (HS256 with the secret)', kind: 'jwt', strategy: 'jwt', server: { strategy: 'jwt' } },
  { label: 'jwe (dir + A256CBC-HS512)', kind: 'jwe', strategy: 'jwe', server: { strategy: 'jwe' } },
  {
    label: 'jwt signed by the JWT plugin (jwt({ sessionCookieCache: true }), verified with the JWKS)',
    kind: 'jwks', strategy: 'jwt', server: { strategy: 'jwt', jwtPlugin: true, plainPrivateKeys: true },
  },
];

const remoteSet = (server) => lib.createRemoteJWKSet(`${server.url}/api/auth/jwks`);
/** The verifying options for cookies of `server`: its secret, or (JWT plugin) its remote JWKS. */
const keysFor = (kind, server, jwks) => (kind === 'jwks' ? { jwks } : { secret: server.secret });

/** Checks, independently of edge-jwt, that the cookie is what the research doc describes. */
async function checkShape(kind, l) {
  const value = l.data;
  const segments = value.split('.').length;
  const server = l.server;
  if (kind === 'compact') {
    assert.equal(segments, 1, 'compact: one segment');
    const object = decodeCompact(value);
    assert.deepEqual(Object.keys(object), ['session', 'expiresAt', 'signature']);
    assert.equal(encodeCompact(object), value, 'compact: base64url of the JSON, no padding');
    assert.equal(compactSignature(object, server.secret), object.signature, 'compact: the documented HMAC');
    assert.ok(Math.abs(object.expiresAt - Date.now() - MAX_AGE_S * 1000) < 30_000, 'compact: expiresAt = now + maxAge (ms)');
  } else if (kind === 'jwt') {
    assert.equal(segments, 3, 'jwt: three segments');
    const { header, payload } = jwsParts(value);
    assert.deepEqual(header, { alg: 'HS256' });
    assert.equal(signHs256(header, payload, server.secret), value, 'jwt: HS256 with UTF-8(secret)');
    assert.equal(payload.exp - payload.iat, MAX_AGE_S);
  } else if (kind === 'jwe') {
    assert.equal(segments, 5, 'jwe: five segments');
    const header = fromB64uJson(value.split('.')[0]);
    assert.deepEqual(header, { alg: 'dir', enc: 'A256CBC-HS512', kid: await jweKid(jweKey(server.secret)) });
    const { payload } = await jose.jwtDecrypt(value, jweKey(server.secret));
    assert.equal(payload.exp - payload.iat, MAX_AGE_S);
    assert.equal(typeof payload.jti, 'string');
  } else {
    assert.equal(segments, 3, 'JWT plugin: three segments');
    const { header, payload } = jwsParts(value);
    const jwks = await server.jwks();
    assert.equal(jwks.keys.length, 1, 'the JWKS has one key');
    assert.deepEqual(header, { alg: jwks.keys[0].alg, kid: jwks.keys[0].kid, typ: 'better-auth.session-cache+jwt' });
    assert.equal(payload.aud, 'better-auth:session-cache');
    assert.equal(payload.iss, server.url);
    assert.equal(payload.sub, l.user.id);
    assert.equal(payload.sid, l.token);
    assert.equal(payload.exp - payload.iat, MAX_AGE_S);
    await jose.jwtVerify(value, jose.createLocalJWKSet(jwks), { typ: 'better-auth.session-cache+jwt', audience: 'better-auth:session-cache' });
  }
  const cache = await cachePayload(kind, value, server.secret);
  assert.equal(cache.session.token, l.token, 'the cache holds the session_token cookie\'s token');
  assert.equal(cache.user.id, l.user.id);
  assert.equal(cache.version, '1');
  // Better Auth's own get-session accepts these cookies.
  const own = await server.getSession(l.header);
  assert.equal(own.body?.user?.id, l.user.id, 'Better Auth\'s get-session accepts the cookies');
}

// ---------------------------------------------------------------------------------------------
// One test per strategy

for (const config of STRATEGIES) {
  const { kind, strategy } = config;
  test(`verifySessionCookie: ${config.label}`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (loadError) throw loadError;
    // main: the server under test; other: same strategy, another secret (and other keys);
    // short: sessions that live SHORT_SESSION_S, cache version '2'.
    const [main, other, short] = await startAll(t, [
      config.server,
      config.server,
      { ...config.server, sessionExpiresIn: SHORT_SESSION_S, version: '2' },
    ]);
    const [[alice, bob], [mallory], [shortUser]] = await Promise.all([
      serial(() => login(main, { name: 'Alice' }), () => login(main, { name: 'Bob' })),
      serial(() => login(other, { name: 'Mallory' })),
      serial(() => login(short, { name: 'Shorty' })),
    ]);
    const jwks = kind === 'jwks' ? remoteSet(main) : undefined;
    const keys = keysFor(kind, main, jwks);
    const wrongKeys = kind === 'jwks' ? { jwks: remoteSet(other) } : { secret: randomBytes(32).toString('hex') };
    const wrongKeyCode = kind === 'jwks' ? 'ERR_JWKS_NO_MATCHING_KEY' : kind === 'jwe' ? DECRYPT : SIG;
    const forgedCode = kind === 'jwe' ? DECRYPT : SIG;

    await t.test('harness: the real cookies have the documented shape', async () => {
      const names = parseNames(alice.setCookie);
      assert.deepEqual(names, ['better-auth.session_token', 'better-auth.session_data']);
      assert.equal(alice.chunks.length, 1, 'not chunked');
      assert.match(alice.token, /^[A-Za-z0-9]{32}$/);
      assert.match(decodeURIComponent(alice.tokenValue), /^[A-Za-z0-9]{32}\.[A-Za-z0-9+/]{43}=$/);
      assert.equal(decodeURIComponent(alice.tokenValue).split('.')[1],
        createHmac('sha256', main.secret).update(alice.token).digest('base64'), 'session_token: HMAC-SHA256(secret, token), base64');
      const dataLine = alice.setCookie.find((line) => line.startsWith('better-auth.session_data='));
      assert.match(dataLine, new RegExp(`; Max-Age=${MAX_AGE_S}(;|$)`));
      await checkShape(kind, alice);
    });

    await t.test('1. verifies the sign-in cookies: string, Headers, Request', async () => {
      await assertVerifies('Cookie header string', alice.header, keys, alice);
      await assertVerifies('Headers', new Headers({ cookie: alice.header }), keys, alice);
      await assertVerifies('Request', new Request('http://app.example.com/dashboard', { headers: { cookie: alice.header } }), keys, alice);
      await assertVerifies('Bob\'s cookies', bob.header, keys, bob);
      // Among other cookies, in another order.
      const mixed = `theme=dark; ${alice.tokenName}=${alice.tokenValue}; lang=en; ${alice.dataName}=${alice.data}; other.session_data=x`;
      await assertVerifies('among other cookies, token first', mixed, keys, alice);
    });

    await t.test('2. strategy detected from the cookie, and explicit', async () => {
      await assertVerifies('detected', alice.header, keys, alice);
      await assertVerifies(`strategy: '${strategy}'`, alice.header, { ...keys, strategy }, alice);
      // A cookie of another strategy than the explicit one is malformed for it.
      const otherStrategy = strategy === 'jwe' ? 'compact' : 'jwe';
      await assertRejects(`strategy: '${otherStrategy}' on a ${strategy} cookie`, alice.header,
        { ...(kind === 'jwks' ? { secret: main.secret } : keys), strategy: otherStrategy },
        { codes: otherStrategy === 'jwe' ? JWE_DAMAGED : JWS_DAMAGED });
    });

    await t.test('4. forged and tampered cookies throw coded errors', async () => {
      const cache = await cachePayload(kind, alice.data, main.secret);
      // Alice's cache claiming Bob's user id (and, for the JWT plugin, subject).
      const asBob = { ...cache, user: { ...cache.user, id: bob.user.id }, session: { ...cache.session, userId: bob.user.id } };
      if (kind === 'jwks') asBob.sub = bob.user.id;

      if (kind === 'compact') {
        const object = decodeCompact(alice.data);
        await assertRejects('user id changed, signature kept', withData(alice, encodeCompact({ ...object, session: asBob })), keys, { code: SIG });
        await assertRejects('cache lifetime extended by a day, signature kept',
          withData(alice, encodeCompact({ ...object, expiresAt: object.expiresAt + 86_400_000 })), keys, { code: SIG });
        const forged = { ...object, session: asBob };
        forged.signature = compactSignature(forged, randomBytes(32).toString('hex'));
        await assertRejects('user id changed, re-signed with another secret', withData(alice, encodeCompact(forged)), keys, { code: SIG });
        await assertRejects('signature removed', withData(alice, encodeCompact({ ...object, signature: '' })), keys,
          { codes: ['ERR_JWS_INVALID', SIG] });
      } else if (kind === 'jwt') {
        const { header, payload } = jwsParts(alice.data);
        await assertRejects('user id changed, signature kept', withData(alice, withPayload(alice.data, asBob)), keys, { code: SIG });
        await assertRejects('exp extended by a day, signature kept',
          withData(alice, withPayload(alice.data, { ...payload, exp: payload.exp + 86_400 })), keys, { code: SIG });
        await assertRejects('user id changed, re-signed with another secret',
          withData(alice, signHs256(header, asBob, randomBytes(32).toString('hex'))), keys, { code: SIG });
        const unsigned = `${b64uJson({ alg: 'none' })}.${b64uJson(asBob)}.`;
        await assertRejects('alg "none", user id changed', withData(alice, unsigned), keys,
          { codes: ['ERR_JOSE_NOT_SUPPORTED', 'ERR_JOSE_ALG_NOT_ALLOWED', 'ERR_JWS_INVALID', SIG] });
      } else if (kind === 'jwe') {
        await assertRejects('IV bit flipped', withData(alice, flipJwe(alice.data, 2)), keys, { code: DECRYPT });
        await assertRejects('ciphertext bit flipped', withData(alice, flipJwe(alice.data, 3)), keys, { code: DECRYPT });
        await assertRejects('tag bit flipped', withData(alice, flipJwe(alice.data, 4)), keys, { code: DECRYPT });
        const [rawHeader, ...rest] = alice.data.split('.');
        const header = fromB64uJson(rawHeader);
        await assertRejects('protected header edited (the AAD)', withData(alice, [b64uJson({ ...header, x: 1 }), ...rest].join('.')), keys, { code: DECRYPT });
        const otherSecret = randomBytes(32).toString('hex');
        await assertRejects('user id changed, encrypted under another secret (its own kid)',
          withData(alice, await encryptJwe(asBob, otherSecret)), keys, { code: DECRYPT });
        await assertRejects('user id changed, encrypted under another secret with this server\'s kid',
          withData(alice, await encryptJwe(asBob, otherSecret, header.kid)), keys, { code: DECRYPT });
      } else {
        const { header, payload } = jwsParts(alice.data);
        await assertRejects('user id and sub changed, signature kept', withData(alice, withPayload(alice.data, asBob)), keys, { code: SIG });
        const { privateKey } = await jose.generateKeyPair(header.alg, { crv: 'Ed25519' });
        const selfSigned = await new jose.SignJWT(asBob).setProtectedHeader(header).sign(privateKey);
        await assertRejects('user id changed, signed with another key under this server\'s kid', withData(alice, selfSigned), keys, { code: SIG });
        const relabelled = withHeader(mallory.data, { ...jwsParts(mallory.data).header, kid: header.kid });
        await assertRejects('another server\'s cookie relabelled with this server\'s kid',
          withData(mallory, relabelled), keys, { code: SIG });

        // Signed with the server's real key, so only the claim checks can refuse them.
        const [privateJwk] = main.privateJwks();
        assert.equal(privateJwk.kid, header.kid, 'the server signs with the key the harness reads');
        const realKey = await jose.importJWK(privateJwk, privateJwk.alg);
        const resign = (h, p) => new jose.SignJWT(p).setProtectedHeader(h).sign(realKey);
        await assertVerifies('control: re-signed unchanged with the server\'s key', withData(alice, await resign(header, payload)), keys, alice);
        const claimCases = [
          ['typ "JWT"', { ...header, typ: 'JWT' }, payload, 'typ'],
          ['no typ', { alg: header.alg, kid: header.kid }, payload, 'typ'],
          ['aud of a /token JWT', header, { ...payload, aud: main.url }, 'aud'],
          ['sub is not user.id', header, { ...payload, sub: bob.user.id }, 'sub'],
          ['sid is not session.token', header, { ...payload, sid: bob.token }, 'sid'],
        ];
        for (const [label, h, p, claim] of claimCases) {
          await assertRejects(`server's key, ${label}`, withData(alice, await resign(h, p)), keys, { code: CLAIM, claim });
        }
        await assertVerifies('issuer: the server URL', alice.header, { ...keys, issuer: main.url }, alice);
        await assertRejects('issuer: another', alice.header, { ...keys, issuer: 'https://evil.example.com' }, { code: CLAIM, claim: 'iss' });
      }

      // Another server's cookies: signed with another secret, or (JWT plugin) a kid this JWKS lacks.
      const foreignCode = kind === 'jwks' ? 'ERR_JWKS_NO_MATCHING_KEY' : forgedCode;
      await assertRejects('another server\'s cookies (other secret or keys)', mallory.header, keys, { code: foreignCode });
      // The cache's signature is checked before its contents (here: another session's token) are trusted.
      await assertRejects('another server\'s session_data with this server\'s session_token', withData(alice, mallory.data), keys,
        { code: foreignCode });
      // A valid cache of Alice sent with Bob's session_token (and the reverse).
      await assertRejects('Alice\'s session_data with Bob\'s session_token', withData(alice, alice.data, bob.tokenValue), keys,
        { code: CLAIM, claim: 'session_token' });
      await assertRejects('Bob\'s session_data with Alice\'s session_token', withData(bob, bob.data, alice.tokenValue), keys,
        { code: CLAIM, claim: 'session_token' });
      await assertRejects('session_data without a session_token cookie', withData(alice, alice.data, null), keys,
        { code: CLAIM, claim: 'session_token' });
      // Malformed values, with the strategy explicit.
      const malformed = { compact: 'bm90IGpzb24', jwt: 'a.b.c', jwe: 'a.b.c.d.e', jwks: 'a.b.c' }[kind];
      await assertRejects(`malformed value ${JSON.stringify(malformed)}`, withData(alice, malformed), { ...keys, strategy },
        { codes: kind === 'jwe' ? ['ERR_JWE_INVALID'] : ['ERR_JWS_INVALID', 'ERR_JWT_INVALID'] });
    });

    if (kind === 'jwks') {
      await t.test('4. jwks only: a value that is not a JWS is a coded error', async () => {
        // With only a JWKS, a value of another shape is still a present, malformed cookie: a coded
        // error (the detected strategy needs a secret the caller does not have), never a TypeError.
        for (const value of ['bm90IGpzb24', 'a.b.c.d.e', `${alice.data.split('.').slice(0, 2).join('.')}`]) {
          await assertRejects(`jwks only, a ${value.split('.').length}-segment value`, withData(alice, value), keys, { codes: JWKS_ONLY_DAMAGED });
          await assertRejects(`jwks only, a ${value.split('.').length}-segment value, strategy 'jwt'`, withData(alice, value), { ...keys, strategy: 'jwt' },
            { codes: ['ERR_JWS_INVALID', 'ERR_JWT_INVALID'] });
        }
      });
    }

    await t.test('5. expiry: a past cache or session is a miss (null)', async () => {
      const now = Date.now();
      await assertVerifies(`currentDate ${MAX_AGE_S - 30} s ahead (cache still fresh)`, alice.header,
        { ...keys, currentDate: new Date(now + (MAX_AGE_S - 30) * 1000) }, alice);
      await assertMiss(`currentDate ${MAX_AGE_S + 60} s ahead (past the cache's maxAge)`, alice.header,
        { ...keys, currentDate: new Date(now + (MAX_AGE_S + 60) * 1000) });
      await assertMiss('currentDate 8 days ahead (past cache and session)', alice.header,
        { ...keys, currentDate: new Date(now + 8 * 86_400_000) });

      // The short server: sessions live SHORT_SESSION_S, the cache MAX_AGE_S.
      const shortKeys = keysFor(kind, short, kind === 'jwks' ? remoteSet(short) : undefined);
      const shortCache = await cachePayload(kind, shortUser.data, short.secret);
      const sessionExpiresAt = new Date(shortCache.session.expiresAt).getTime();
      assert.ok(Math.abs(sessionExpiresAt - now - SHORT_SESSION_S * 1000) < 30_000, 'the embedded session expires after session.expiresIn');
      await assertVerifies('short session, now', shortUser.header, { ...shortKeys, version: '2' }, shortUser);
      await assertMiss(`embedded session expired (currentDate ${SHORT_SESSION_S} s past session.expiresAt, cache still fresh)`, shortUser.header,
        { ...shortKeys, version: '2', currentDate: new Date(sessionExpiresAt + SHORT_SESSION_S * 1000) });

      if (kind === 'jwks') {
        const { exp } = jwsParts(alice.data).payload;
        await assertVerifies('JWT plugin: 10 s past exp (clock tolerance 15 s)', alice.header, { ...keys, currentDate: new Date((exp + 10) * 1000) }, alice);
        await assertMiss('JWT plugin: 20 s past exp', alice.header, { ...keys, currentDate: new Date((exp + 20) * 1000) });
      }
    });

    await t.test('version: a cache of another version is a miss', async () => {
      await assertVerifies('version \'1\' (the default)', alice.header, { ...keys, version: '1' }, alice);
      await assertMiss('version \'2\' expected, cache is \'1\'', alice.header, { ...keys, version: '2' });
      const shortKeys = keysFor(kind, short, kind === 'jwks' ? remoteSet(short) : undefined);
      await assertMiss('cache version \'2\', default expected \'1\'', shortUser.header, shortKeys);
      await assertVerifies('cache version \'2\', version: \'2\'', shortUser.header, { ...shortKeys, version: '2' }, shortUser);
    });

    await t.test('7. absent cookie is a miss; the wrong secret or keys throw', async () => {
      await assertMiss('empty Cookie header', '', keys);
      await assertMiss('Headers without cookie', new Headers(), keys);
      await assertMiss('Request without cookie', new Request('http://app.example.com/'), keys);
      await assertMiss('only unrelated cookies', 'theme=dark; lang=en', keys);
      await assertMiss('only the session_token cookie', `${alice.tokenName}=${alice.tokenValue}`, keys);
      await assertMiss('a session_data of another prefix', `myapp.session_data=${alice.data}; ${alice.tokenName}=${alice.tokenValue}`, keys);
      await assertRejects(kind === 'jwks' ? 'another server\'s JWKS' : 'another secret', alice.header, wrongKeys, { code: wrongKeyCode });
      if (kind !== 'jwks') {
        await assertRejects('the other server\'s secret', alice.header, { secret: other.secret }, { code: wrongKeyCode });
      }
    });
  });
}

/** The cookie names of Set-Cookie lines, in order. */
function parseNames(lines) {
  return lines.map((line) => line.slice(0, line.indexOf('=')));
}

// ---------------------------------------------------------------------------------------------
// Names and chunks

test('verifySessionCookie: chunked cookies, __Secure- names, cookie prefix', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  if (loadError) throw loadError;
  const chunkConfigs = STRATEGIES.map((c) => c.server);
  const servers = await startAll(t, [
    ...chunkConfigs,
    { useSecureCookies: true },                                    // Better Auth's default strategy (compact), __Secure-
    { strategy: 'jwe', cookiePrefix: 'myapp' },
    { strategy: 'jwt', jwtPlugin: true, useSecureCookies: true, cookiePrefix: 'myapp' },
  ]);
  const chunkServers = servers.slice(0, STRATEGIES.length);
  const [secure, prefixed, securePrefixed] = servers.slice(STRATEGIES.length);
  const remote = new Map(servers.map((s) => [s, remoteSet(s)]));
  const keysOf = (kind, server) => keysFor(kind, server, remote.get(server));

  const [[chunkedCompact, manyChunks], ...rest] = await Promise.all([
    serial(
      () => login(chunkServers[0], { name: LONG_NAME }),
      // An image URL long enough for more than ten chunks: .10 must follow .9, not .1.
      () => login(chunkServers[0], { image: LONG_IMAGE }),
    ),
    ...chunkServers.slice(1).map((s) => serial(() => login(s, { name: LONG_NAME }))),
    serial(() => login(secure, { secure: true }), () => login(secure, { secure: true, name: LONG_NAME })),
    serial(() => login(prefixed, { cookiePrefix: 'myapp' })),
    serial(() => login(securePrefixed, { cookiePrefix: 'myapp', secure: true })),
  ]);
  const chunked = [chunkedCompact, ...rest.slice(0, chunkServers.length - 1).map(([l]) => l)];
  const [[secureUser, secureChunked], [prefixedUser], [securePrefixedUser]] = rest.slice(chunkServers.length - 1);

  for (const [index, config] of STRATEGIES.entries()) {
    const { kind, strategy } = config;
    const l = chunked[index];
    const keys = keysOf(kind, l.server);
    await t.test(`3. chunked session_data, ${config.label}`, async () => {
      const names = parseNames(l.setCookie);
      assert.ok(!names.includes(l.dataName), `unexpected unchunked ${l.dataName}: ${names.join(', ')}`);
      assert.ok(names.includes(`${l.dataName}.0`) && names.includes(`${l.dataName}.1`), `Set-Cookie has no .0/.1 chunks: ${names.join(', ')}`);
      assert.ok(l.chunks.length >= 2);
      for (const line of l.setCookie) assert.ok(Buffer.byteLength(line) <= 4050, `a Set-Cookie line over 4050 bytes (${Buffer.byteLength(line)})`);
      const own = await l.server.getSession(l.header);
      assert.equal(own.body?.user?.id, l.user.id, 'Better Auth\'s get-session accepts the chunks');

      await assertVerifies('chunks as sent', l.header, keys, l, { name: LONG_NAME });
      await assertVerifies('chunks as sent, explicit strategy', new Headers({ cookie: l.header }), { ...keys, strategy }, l, { name: LONG_NAME });
      const reversed = cookieHeader([[l.tokenName, l.tokenValue], ...[...l.chunks].reverse()]);
      await assertVerifies('chunks in reverse order', reversed, keys, l, { name: LONG_NAME });

      const last = l.chunks.length - 1;
      const without = (i) => cookieHeader([...l.chunks.filter((_, j) => j !== i), [l.tokenName, l.tokenValue]]);
      const detected = kind === 'jwks' ? JWKS_ONLY_DAMAGED : ANY_DAMAGED;
      await assertRejects('chunk .1 dropped', without(1), keys, { codes: detected });
      await assertRejects(`last chunk .${last} dropped`, without(last), keys, { codes: detected });
      const damaged = kind === 'jwe' ? JWE_DAMAGED : JWS_DAMAGED;
      await assertRejects(`last chunk .${last} dropped, strategy '${strategy}'`, without(last), { ...keys, strategy }, { codes: damaged });
      const cut = l.chunks.map(([n, v], j) => [n, j === last ? v.slice(0, Math.floor(v.length / 2)) : v]);
      await assertRejects(`last chunk .${last} cut in half`, cookieHeader([...cut, [l.tokenName, l.tokenValue]]), keys, { codes: detected });
      await assertRejects(`last chunk .${last} cut in half, strategy '${strategy}'`, cookieHeader([...cut, [l.tokenName, l.tokenValue]]),
        { ...keys, strategy }, { codes: damaged });
      await assertRejects('chunks without a session_token cookie', withChunks(l, l.chunks, null), keys,
        { code: CLAIM, claim: 'session_token' });
      await assertRejects('chunks with a session_token of another token', withChunks(l, l.chunks, foreignTokenValue(l.server.secret)), keys,
        { code: CLAIM, claim: 'session_token' });
    });
  }

  await t.test('3. more than ten chunks join in numeric order', async () => {
    const keys = keysOf('compact', manyChunks.server);
    assert.ok(manyChunks.chunks.length > 10, `expected more than 10 chunks, got ${manyChunks.chunks.length}`);
    const own = await manyChunks.server.getSession(manyChunks.header);
    assert.equal(own.body?.user?.id, manyChunks.user.id, 'Better Auth\'s get-session accepts the chunks');
    await assertVerifies('as sent', manyChunks.header, keys, manyChunks);
    // Lexical order of the names (.0, .1, .10, .11, .2, ...), the order a naive sort gives.
    const lexical = [...manyChunks.chunks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    assert.notDeepEqual(lexical, manyChunks.chunks);
    const result = await assertVerifies('names in lexical order', cookieHeader([...lexical, [manyChunks.tokenName, manyChunks.tokenValue]]), keys, manyChunks);
    assert.equal(result.user.image, LONG_IMAGE);
  });

  await t.test('6. __Secure- names (advanced.useSecureCookies), Better Auth\'s default strategy', async () => {
    assert.deepEqual(parseNames(secureUser.setCookie), ['__Secure-better-auth.session_token', '__Secure-better-auth.session_data']);
    assert.ok(secureUser.setCookie.every((line) => /; Secure(;|$)/.test(line)), 'Secure attribute');
    assert.equal(secureUser.data.split('.').length, 1, 'default strategy: compact');
    const keys = { secret: secure.secret };
    await assertVerifies('__Secure- cookies', secureUser.header, keys, secureUser);
    await assertVerifies('__Secure- cookies, Request', new Request('https://app.example.com/', { headers: { cookie: secureUser.header } }), keys, secureUser);
    await assertVerifies('__Secure- chunks', secureChunked.header, keys, secureChunked, { name: LONG_NAME });
    assert.ok(parseNames(secureChunked.setCookie).includes('__Secure-better-auth.session_data.1'));
    await assertRejects('__Secure- session_data with another session\'s __Secure- token', withData(secureUser, secureUser.data, secureChunked.tokenValue), keys,
      { code: CLAIM, claim: 'session_token' });
    await assertRejects('__Secure- session_data without a session_token', withData(secureUser, secureUser.data, null), keys,
      { code: CLAIM, claim: 'session_token' });
  });

  await t.test('6. custom prefix (advanced.cookiePrefix: \'myapp\')', async () => {
    assert.deepEqual(parseNames(prefixedUser.setCookie), ['myapp.session_token', 'myapp.session_data']);
    const keys = { secret: prefixed.secret };
    await assertVerifies('cookiePrefix \'myapp\'', prefixedUser.header, { ...keys, cookiePrefix: 'myapp' }, prefixedUser);
    await assertMiss('default prefix: no better-auth.session_data cookie', prefixedUser.header, keys);
    await assertMiss('another prefix', prefixedUser.header, { ...keys, cookiePrefix: 'other' });
    await assertRejects('cookiePrefix \'myapp\', another secret', prefixedUser.header, { secret: randomBytes(32).toString('hex'), cookiePrefix: 'myapp' }, { code: DECRYPT });
  });

  await t.test('6. __Secure- names with a custom prefix, JWT plugin cookies', async () => {
    assert.deepEqual(parseNames(securePrefixedUser.setCookie), ['__Secure-myapp.session_token', '__Secure-myapp.session_data']);
    const keys = keysOf('jwks', securePrefixed);
    await assertVerifies('__Secure-myapp', securePrefixedUser.header, { ...keys, cookiePrefix: 'myapp' }, securePrefixedUser);
    await assertMiss('default prefix', securePrefixedUser.header, keys);
  });

  await t.test('cookieName and sessionTokenName', async () => {
    const renamed = cookieHeader([['better-auth.cache', secureUser.data], ['better-auth.sid', secureUser.tokenValue]]);
    const keys = { secret: secure.secret };
    await assertVerifies('renamed cookies', renamed, { ...keys, cookieName: 'cache', sessionTokenName: 'sid' }, secureUser);
    await assertMiss('renamed cookies, default names', renamed, keys);
    await assertRejects('cookieName only: no session_token cookie', renamed, { ...keys, cookieName: 'cache' }, { code: CLAIM, claim: 'session_token' });
  });
});

/** The Cookie header with these session_data chunks and no (null) or this session_token value. */
function withChunks(l, chunks, tokenValue) {
  const pairs = [...chunks];
  if (tokenValue !== null) pairs.push([l.tokenName, tokenValue]);
  return cookieHeader(pairs);
}
