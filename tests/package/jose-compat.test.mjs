// jose compatibility of the packed package, written from jose's documented behaviour: every key form
// jose's `jwtVerify(token, key, options)` takes goes through edge-jwt's `jwtVerify` and gives jose's
// result (`{ payload, protectedHeader }`, plus `key` exactly when a function resolved the key); jose
// itself (the devDependency) is run on the same inputs where it can be, so the two are compared, not
// just edge-jwt against a hand-written expectation. Also: `reloading` at once after `reload()`, the
// duration options validated as jose validates them, and `ERR_JWKS_FETCH_FAILED` keeping the
// underlying error (`cause`) and the HTTP status. Real servers on 127.0.0.1 only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import { loadEsm } from './load.mjs';
import { closedPortUrl, jwksOf, newSigningKey, signToken, startJwksServer } from '../runtimes/jwks-server.mjs';

const lib = await loadEsm();
const { jwtVerify, createLocalJWKSet, createRemoteJWKSet, errors } = lib;

const ISSUER = 'urn:example:issuer';
const now = () => Math.floor(Date.now() / 1000);

function sign(alg, key, header = {}, claims = {}) {
  return new jose.SignJWT({ sub: 'user-1', email: 'a@example.com', ...claims })
    .setProtectedHeader({ alg, ...header })
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);
}

/** jose's and edge-jwt's verdicts on the same call: both results, or both errors. */
async function both(token, key, options) {
  const run = (fn) => fn(token, key, options).then((value) => ({ value }), (error) => ({ error }));
  return { ours: await run(jwtVerify), theirs: await run(jose.jwtVerify) };
}

/** Asserts both verified with the same payload and header, and that `key` is present in both or neither. */
function sameResult({ ours, theirs }, what) {
  assert.ok(theirs.value, `${what}: jose refused: ${theirs.error?.message}`);
  assert.ok(ours.value, `${what}: edge-jwt refused: ${ours.error?.code ?? ours.error?.name}: ${ours.error?.message}`);
  assert.deepEqual(ours.value.payload, theirs.value.payload, `${what}: payload`);
  assert.deepEqual(ours.value.protectedHeader, theirs.value.protectedHeader, `${what}: protectedHeader`);
  assert.deepEqual(Object.keys(ours.value).sort(), Object.keys(theirs.value).sort(), `${what}: result members`);
}

/** Asserts both refused, with the same kind (TypeError, or the same jose code). */
function sameRefusal({ ours, theirs }, what) {
  assert.ok(theirs.error, `${what}: jose accepted`);
  assert.ok(ours.error, `${what}: edge-jwt accepted`);
  if (theirs.error instanceof TypeError && theirs.error.code === undefined) {
    assert.ok(ours.error instanceof TypeError, `${what}: expected TypeError, got ${ours.error?.code}: ${ours.error?.message}`);
  } else {
    assert.equal(ours.error.code, theirs.error.code, `${what}: ${ours.error.message}`);
  }
}

const ec = await jose.generateKeyPair('ES256');
const rsa = await jose.generateKeyPair('RS256', { extractable: true });
const ed = await jose.generateKeyPair('EdDSA');
const secret = randomBytes(32);

test('every key form of jose: Uint8Array, CryptoKey, KeyObject, JWK', async (t) => {
  const options = { issuer: ISSUER };
  await t.test('Uint8Array secret (HS256, HS512)', async () => {
    for (const alg of ['HS256', 'HS512']) {
      const r = await both(await sign(alg, secret), new Uint8Array(secret), options);
      sameResult(r, alg);
      assert.equal('key' in r.ours.value, false, 'no key without a function');
      assert.equal(r.ours.value.payload.email, 'a@example.com');
    }
  });
  await t.test('CryptoKey: public keys of ES256, RS256, EdDSA; an HMAC CryptoKey', async () => {
    sameResult(await both(await sign('ES256', ec.privateKey), ec.publicKey, options), 'ES256 CryptoKey');
    sameResult(await both(await sign('RS256', rsa.privateKey), rsa.publicKey, options), 'RS256 CryptoKey');
    sameResult(await both(await sign('EdDSA', ed.privateKey), ed.publicKey, options), 'EdDSA CryptoKey');
    const hmac = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, true, ['verify', 'sign']);
    sameResult(await both(await sign('HS256', secret), hmac, options), 'HMAC CryptoKey');
  });
  await t.test('CryptoKeys imported non-extractable (their material cannot be read)', async () => {
    const spki = await crypto.subtle.exportKey('spki', rsa.publicKey);
    const imported = await crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    assert.equal(imported.extractable, false);
    sameResult(await both(await sign('RS256', rsa.privateKey), imported, options), 'RS256, non-extractable');
    const raw = await crypto.subtle.exportKey('raw', ed.publicKey);
    const edKey = await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
    sameResult(await both(await sign('EdDSA', ed.privateKey), edKey, options), 'EdDSA, non-extractable');
    sameRefusal(await both(await sign('RS256', (await jose.generateKeyPair('RS256')).privateKey), imported, options), 'non-extractable, another key');
    sameRefusal(await both(await sign('RS256', rsa.privateKey), imported, { issuer: 'urn:other' }), 'non-extractable, claims still checked');
    sameRefusal(await both(await sign('ES256', ec.privateKey), imported, options), 'non-extractable RSA key for an ES256 token');
  });
  await t.test('Node KeyObject: public (from PEM), secret', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    sameResult(await both(await sign('ES384', privateKey), createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })), options), 'ES384 KeyObject');
    sameResult(await both(await sign('HS384', secret), createSecretKey(secret), options), 'secret KeyObject');
  });
  await t.test('JWK objects: public (with and without kid), oct', async () => {
    const jwk = await jose.exportJWK(ec.publicKey);
    sameResult(await both(await sign('ES256', ec.privateKey, { kid: 'whatever' }), jwk, options), 'public JWK, token kid the JWK lacks');
    sameResult(await both(await sign('ES256', ec.privateKey, { kid: 'a' }), { ...jwk, kid: 'b' }, options), 'a single key is not chosen by kid');
    sameResult(await both(await sign('ES256', ec.privateKey), { ...jwk, alg: 'ES256', use: 'sig' }, options), 'JWK with alg and use');
    const oct = { kty: 'oct', k: jose.base64url.encode(secret) };
    sameResult(await both(await sign('HS256', secret), oct, options), 'oct JWK');
  });
  await t.test('keys that do not fit are refused as jose refuses them', async () => {
    const es = await sign('ES256', ec.privateKey);
    sameRefusal(await both(es, new Uint8Array(secret), options), 'a secret for an ES256 token');
    sameRefusal(await both(es, ec.privateKey, options), 'a private CryptoKey');
    sameRefusal(await both(es, { ...(await jose.exportJWK(ec.publicKey)), alg: 'ES384' }, options), 'JWK alg ES384 for an ES256 token');
    sameRefusal(await both(es, { ...(await jose.exportJWK(ec.publicKey)), use: 'enc' }, options), 'JWK use enc');
    const extractable = await jose.generateKeyPair('ES256', { extractable: true });
    sameRefusal(await both(es, await jose.exportJWK(extractable.privateKey), options), 'a private JWK');
    sameRefusal(await both(es, 42, options), 'a number');
    sameRefusal(await both(es, true, options), 'a boolean');
    sameRefusal(await both(await sign('HS256', secret), ec.publicKey, options), 'a public key for an HS256 token');
    const other = await jose.generateKeyPair('ES256');
    sameRefusal(await both(es, other.publicKey, options), 'another key: bad signature');
    // An RSA CryptoKey under 2048 bits (jose will not sign with one: signed here with WebCrypto).
    const weak = await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']);
    const input = `${jose.base64url.encode(JSON.stringify({ alg: 'RS256' }))}.${jose.base64url.encode(JSON.stringify({ sub: 'user-1', iss: ISSUER }))}`;
    const weakSignature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', weak.privateKey, new TextEncoder().encode(input)));
    const r = await both(`${input}.${jose.base64url.encode(weakSignature)}`, weak.publicKey, options);
    sameRefusal(r, 'an RSA CryptoKey of 1024 bits');
    assert.match(r.ours.error.message, /2048/);
    sameRefusal(await both(es, ec.publicKey, { issuer: 'urn:other' }), 'claims are still checked');
  });
});

test('a function (protectedHeader, token) => key, sync or async, and jose\'s own key sets', async (t) => {
  const options = { issuer: ISSUER };
  const token = await sign('ES256', ec.privateKey, { kid: 'k1', typ: 'JWT' });
  await t.test('what the function is given, and key in the result', async () => {
    const seen = [];
    const getKey = (header, flattened) => { seen.push({ header, flattened }); return ec.publicKey; };
    const r = await both(token, getKey, options);
    sameResult(r, 'sync function');
    assert.equal(r.ours.value.key, ec.publicKey, 'key: the CryptoKey the function returned');
    assert.equal(seen.length, 2);
    assert.deepEqual(seen[0].header, seen[1].header, 'the same protected header as jose gives');
    const [p, payload, signature] = token.split('.');
    for (const { flattened } of seen) {
      assert.equal(flattened.protected, p);
      assert.equal(flattened.payload, payload);
      assert.equal(flattened.signature, signature);
    }
  });
  await t.test('async functions returning a JWK, a secret', async () => {
    const jwk = await jose.exportJWK(ec.publicKey);
    const r = await both(token, async () => jwk, options);
    sameResult(r, 'async function returning a JWK');
    assert.equal(r.ours.value.key.type, 'public', 'the JWK as the CryptoKey it became (as jose returns it)');
    assert.equal(r.ours.value.key.algorithm.name, 'ECDSA');
    const hs = await both(await sign('HS256', secret), async () => new Uint8Array(secret), options);
    sameResult(hs, 'async function returning a secret');
    assert.ok(hs.ours.value.key instanceof Uint8Array);
  });
  await t.test("jose's createLocalJWKSet and createRemoteJWKSet results", async (t) => {
    const A = await newSigningKey('key-A');
    const B = await newSigningKey('key-B', 'RS256');
    const tokenB = await signToken(B);
    const local = jose.createLocalJWKSet(jwksOf(A, B));
    const r = await both(tokenB, local, undefined);
    sameResult(r, "jose's createLocalJWKSet");
    assert.equal(r.ours.value.key.type, 'public');
    const server = await startJwksServer({ jwks: jwksOf(A, B) });
    t.after(() => server.close());
    const remote = jose.createRemoteJWKSet(new URL(server.url));
    sameResult(await both(tokenB, remote, undefined), "jose's createRemoteJWKSet");
    sameRefusal(await both(await signToken({ ...A, kid: 'unknown' }), local, undefined), 'an unknown kid');
  });
  await t.test("edge-jwt's own key sets: the result has no key (no function resolved one)", async (t) => {
    const A = await newSigningKey('key-A');
    const tokenA = await signToken(A);
    const server = await startJwksServer({ jwks: jwksOf(A) });
    t.after(() => server.close());
    for (const keys of [createLocalJWKSet(jwksOf(A)), createRemoteJWKSet(server.url), jwksOf(A)]) {
      const result = await jwtVerify(tokenA, keys);
      assert.equal(result.payload.sub, 'user-1');
      assert.deepEqual(Object.keys(result).sort(), ['payload', 'protectedHeader']);
    }
  });
  await t.test('a token with an alg not allowed never reaches the function', async () => {
    let calls = 0;
    const getKey = () => { calls += 1; return ec.publicKey; };
    const r = await both(token, getKey, { algorithms: ['RS256'] });
    sameRefusal(r, 'alg not allowed');
    assert.equal(r.ours.error.code, 'ERR_JOSE_ALG_NOT_ALLOWED');
    assert.equal(calls, 0, 'neither library asked for a key');
    const malformed = await both('a.b', getKey, undefined);
    sameRefusal(malformed, 'not a JWS');
    assert.equal(calls, 0);
  });
});

test('reload() sets reloading to true at once', async (t) => {
  const server = await startJwksServer({ jwks: jwksOf(await newSigningKey('key-A')), delayMs: 100 });
  t.after(() => server.close());
  const ours = createRemoteJWKSet(server.url);
  const theirs = jose.createRemoteJWKSet(new URL(server.url));
  assert.equal(ours.reloading, false);
  assert.equal(theirs.reloading, false);
  const pending = [ours.reload(), theirs.reload()];
  assert.equal(ours.reloading, true, 'edge-jwt: reloading right after reload()');
  assert.equal(theirs.reloading, true, 'jose: reloading right after reload()');
  await Promise.all(pending);
  assert.equal(ours.reloading, false);
  assert.equal(theirs.reloading, false);
  assert.equal(ours.fresh, true);
});

test("duration options are validated as jose's createRemoteJWKSet validates them", () => {
  const url = 'https://example.test/jwks';
  const cases = [
    ['timeoutDuration', [0, 1, 5000, 2 ** 31], [-1, 0.5, NaN, Infinity, -Infinity]],
    ['cooldownDuration', [0, 0.5, 30_000, Infinity], [-1, -0.5, NaN, -Infinity]],
    ['cacheMaxAge', [0, 0.5, 600_000, Infinity], [-1, NaN, -Infinity]],
  ];
  for (const [name, accepted, refused] of cases) {
    for (const value of accepted) {
      assert.doesNotThrow(() => jose.createRemoteJWKSet(new URL(url), { [name]: value }), `jose accepts ${name}: ${value}`);
      assert.doesNotThrow(() => createRemoteJWKSet(url, { [name]: value }), `edge-jwt accepts ${name}: ${value}`);
    }
    for (const value of refused) {
      assert.throws(() => jose.createRemoteJWKSet(new URL(url), { [name]: value }), TypeError, `jose refuses ${name}: ${value}`);
      assert.throws(() => createRemoteJWKSet(url, { [name]: value }), TypeError, `edge-jwt refuses ${name}: ${value}`);
    }
  }
  // staleIfErrorDuration (edge-jwt's own) follows cacheMaxAge's rule.
  assert.doesNotThrow(() => createRemoteJWKSet(url, { staleIfErrorDuration: Infinity }));
  assert.throws(() => createRemoteJWKSet(url, { staleIfErrorDuration: -1 }), TypeError);
});

test('ERR_JWKS_FETCH_FAILED keeps the underlying error (cause) and the HTTP status', async (t) => {
  const token = await signToken(await newSigningKey('key-A'));
  await t.test('a refused connection: cause.code ECONNREFUSED, as with jose', async () => {
    const url = await closedPortUrl();
    const theirs = await jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(url))).catch((error) => error);
    assert.equal(theirs.cause?.code, 'ECONNREFUSED', 'jose');
    const ours = await jwtVerify(token, createRemoteJWKSet(url)).catch((error) => error);
    assert.equal(ours.code, 'ERR_JWKS_FETCH_FAILED');
    assert.ok(ours instanceof errors.JWKSFetchFailed);
    assert.equal(ours.cause?.code, 'ECONNREFUSED', `edge-jwt: ${ours.message}`);
    assert.match(ours.message, /ECONNREFUSED|refused/i, 'the message names the reason');
  });
  await t.test('an HTTP failure: status', async (t) => {
    const server = await startJwksServer({ status: 503, body: 'maintenance', contentType: 'text/plain' });
    t.after(() => server.close());
    const set = createRemoteJWKSet(server.url);
    const first = await jwtVerify(token, set).catch((error) => error);
    assert.equal(first.code, 'ERR_JWKS_FETCH_FAILED');
    assert.equal(first.status, 503);
    const reload = await set.reload().catch((error) => error);
    assert.equal(reload.status, 503, 'reload() rejects with the status too');
  });
});

test('a malformed maxTokenAge is a TypeError before any claim is read (a documented difference)', async () => {
  const token = await new jose.SignJWT({ sub: 'user-1' }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
  // jose reports the missing iat first; edge-jwt refuses the configuration first.
  const theirs = await jose.jwtVerify(token, secret, { maxTokenAge: 'soon' }).catch((error) => error);
  assert.equal(theirs.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  await assert.rejects(jwtVerify(token, new Uint8Array(secret), { maxTokenAge: 'soon' }), TypeError);
  const ok = await jwtVerify(token, new Uint8Array(secret), { currentDate: new Date((now() + 10) * 1000) });
  assert.equal(ok.payload.sub, 'user-1');
});
