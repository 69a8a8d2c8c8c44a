// The public API of the installed edge-jwt package (docs/api.md): exports, error classes,
// option validation, key sets, and what the results and errors look like.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { loadCjs, tryLoad } from './load.mjs';
import { NOW, NOW_MS } from './cases.mjs';

/** Class name -> code, docs/api.md, "Errors". */
const ERROR_TABLE = {
  JWSInvalid: 'ERR_JWS_INVALID',
  JWTInvalid: 'ERR_JWT_INVALID',
  JOSEAlgNotAllowed: 'ERR_JOSE_ALG_NOT_ALLOWED',
  JOSENotSupported: 'ERR_JOSE_NOT_SUPPORTED',
  JWKSNoMatchingKey: 'ERR_JWKS_NO_MATCHING_KEY',
  JWKSMultipleMatchingKeys: 'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  JWKSInvalid: 'ERR_JWKS_INVALID',
  JWKSTimeout: 'ERR_JWKS_TIMEOUT',
  JWKSFetchFailed: 'ERR_JWKS_FETCH_FAILED',
  JWSSignatureVerificationFailed: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  JWTExpired: 'ERR_JWT_EXPIRED',
  JWTClaimValidationFailed: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
};

const { lib, loadError } = await tryLoad();

const utf8 = new TextEncoder();
const b64u = (input) => Buffer.from(typeof input === 'string' ? utf8.encode(input) : input).toString('base64url');

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

/** Runs verifyToken and verifyTokenSync with the same arguments; returns both outcomes. */
async function bothModes(token, keys, options) {
  const out = {};
  try {
    const pending = lib.verifyToken(token, keys, options);
    assert.ok(isThenable(pending), 'verifyToken must return a promise');
    out.async = { ok: true, value: await pending };
  } catch (error) {
    out.async = { ok: false, error };
  }
  try {
    const value = lib.verifyTokenSync(token, keys, options);
    assert.ok(!isThenable(value), 'verifyTokenSync must not return a promise');
    out.sync = { ok: true, value };
  } catch (error) {
    out.sync = { ok: false, error };
  }
  return out;
}

/** Asserts that verifyToken rejects (without throwing synchronously) and verifyTokenSync throws,
 * both with an error accepted by `check`. Returns [asyncError, syncError]. */
async function failsBoth(token, keys, options, check, label) {
  let pending;
  try {
    pending = lib.verifyToken(token, keys, options);
  } catch (error) {
    assert.fail(`${label}: verifyToken threw synchronously (${error && error.name}: ${error && error.message}); it must reject`);
  }
  assert.ok(isThenable(pending), `${label}: verifyToken must return a promise`);
  let asyncError;
  await assert.rejects(pending, (error) => {
    asyncError = error;
    check(error, `${label} [verifyToken]`);
    return true;
  });
  let syncError;
  assert.throws(() => lib.verifyTokenSync(token, keys, options), (error) => {
    syncError = error;
    check(error, `${label} [verifyTokenSync]`);
    return true;
  });
  return [asyncError, syncError];
}

const isTypeError = (error, label) => {
  assert.ok(error instanceof TypeError, `${label}: expected a TypeError, got ${error && error.name}: ${error && error.message}`);
};
const hasCode = (code) => (error, label) => {
  assert.ok(error instanceof lib.errors.JOSEError, `${label}: expected a JOSEError with ${code}, got ${error && error.name}: ${error && error.message}`);
  assert.equal(error.code, code, `${label}: code`);
};

if (loadError) {
  test('edge-jwt loads through the ESM entry point', () => {
    throw loadError;
  });
} else {
  // ----- fixtures ----------------------------------------------------------------------------
  const keyPairs = {};
  for (const alg of ['ES256', 'EdDSA', 'RS256', 'PS256']) {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    keyPairs[alg] = { privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid: `api-${alg}`, alg } };
  }
  const jwks = { keys: Object.values(keyPairs).map((k) => k.jwk) };
  const SECRET = 'api-test-secret-9c1f4e2b7a';
  const claims = { iss: 'https://issuer.example', sub: 'user-1', aud: 'api', iat: NOW - 10, exp: NOW + 600, scope: 'read write' };
  const sign = (alg, payload = claims, header = {}) => new jose.SignJWT(payload)
    .setProtectedHeader({ alg, typ: 'JWT', ...(alg.startsWith('HS') ? {} : { kid: `api-${alg}` }), ...header })
    .sign(alg.startsWith('HS') ? utf8.encode(SECRET) : keyPairs[alg].privateKey);
  const tokens = {};
  for (const alg of ['ES256', 'EdDSA', 'RS256', 'PS256', 'HS256']) tokens[alg] = await sign(alg);
  const at = { currentDate: new Date(NOW_MS) };

  // ----- exports -------------------------------------------------------------------------------
  test('exports verifyToken, verifyTokenSync, jwtVerify, createLocalJWKSet, createRemoteJWKSet, errors', () => {
    for (const name of ['verifyToken', 'verifyTokenSync', 'jwtVerify', 'createLocalJWKSet', 'createRemoteJWKSet']) {
      assert.equal(typeof lib[name], 'function', `${name} must be an exported function`);
    }
    assert.equal(typeof lib.errors, 'object', 'errors must be an exported object');
    assert.ok(lib.errors !== null);
  });

  // jwtVerify also takes jose's key forms (tests/package/jose-compat.test.mjs); with verifyToken's
  // key forms it answers exactly as verifyToken does.
  test("jwtVerify with verifyToken's key forms behaves as verifyToken", async () => {
    const inputs = [
      [tokens.ES256, jwks, at],
      [tokens.HS256, null, { ...at, secret: SECRET }],
      [tokens.ES256, jwks, { currentDate: new Date((NOW + 3600) * 1000) }],
      ['a.b', jwks, at],
    ];
    for (const [token, keys, options] of inputs) {
      const settle = (p) => p.then((value) => ({ value }), (error) => ({ error }));
      const a = await settle(lib.jwtVerify(token, keys, options));
      const b = await settle(lib.verifyToken(token, keys, options));
      if (a.error || b.error) {
        assert.ok(a.error && b.error, 'one failed and the other did not');
        assert.equal(a.error.code, b.error.code);
        assert.equal(a.error.constructor, b.error.constructor);
      } else {
        assert.deepEqual(a.value.payload, b.value.payload);
        assert.deepEqual(a.value.protectedHeader, b.value.protectedHeader);
      }
    }
  });

  test('verifyToken resolves and verifyTokenSync returns { payload, protectedHeader }', async () => {
    const r = await bothModes(tokens.ES256, jwks, at);
    for (const mode of ['async', 'sync']) {
      assert.ok(r[mode].ok, `${mode}: ${r[mode].error && r[mode].error.message}`);
      assert.deepEqual(r[mode].value.payload, claims);
      assert.deepEqual(r[mode].value.protectedHeader, { alg: 'ES256', typ: 'JWT', kid: 'api-ES256' });
    }
  });

  // ----- error classes ---------------------------------------------------------------------------
  test('errors.JOSEError extends Error and has a static and instance code', () => {
    const { JOSEError } = lib.errors;
    assert.equal(typeof JOSEError, 'function');
    assert.ok(JOSEError.prototype instanceof Error, 'JOSEError must extend Error');
    assert.equal(typeof JOSEError.code, 'string');
    const e = new JOSEError('m');
    assert.ok(e instanceof Error);
    assert.equal(e.code, JOSEError.code);
    assert.equal(e.name, 'JOSEError');
    assert.equal(e.message, 'm');
  });

  for (const [name, code] of Object.entries(ERROR_TABLE)) {
    test(`errors.${name}: extends JOSEError, code ${code}, name ${name}`, () => {
      const Cls = lib.errors[name];
      assert.equal(typeof Cls, 'function', `errors.${name} must exist`);
      assert.ok(Cls.prototype instanceof lib.errors.JOSEError, `${name} must extend errors.JOSEError`);
      assert.ok(Cls.prototype instanceof Error);
      assert.equal(Cls.code, code, 'static code');
      const e = new Cls('a message');
      assert.equal(e.code, code, 'instance code');
      assert.equal(e.name, name);
      assert.equal(e.message, 'a message');
      assert.ok(e instanceof lib.errors.JOSEError);
      assert.ok(e instanceof Error);
    });
  }

  test('every class in errors extends JOSEError and is named after its key', () => {
    for (const [key, value] of Object.entries(lib.errors)) {
      if (typeof value !== 'function') continue;
      assert.ok(value === lib.errors.JOSEError || value.prototype instanceof lib.errors.JOSEError, `errors.${key} must extend JOSEError`);
      assert.equal(value.name, key, `errors.${key}.name`);
      assert.match(String(value.code), /^ERR_[A-Z0-9_]+$/, `errors.${key}.code`);
    }
  });

  test('JWTExpired is not a subclass of JWTClaimValidationFailed', async () => {
    const { JWTExpired, JWTClaimValidationFailed } = lib.errors;
    assert.ok(!(JWTExpired.prototype instanceof JWTClaimValidationFailed));
    const [e] = await failsBoth(tokens.ES256, jwks, { currentDate: new Date((NOW + 3600) * 1000) }, hasCode('ERR_JWT_EXPIRED'), 'expired');
    assert.ok(e instanceof JWTExpired);
    assert.ok(!(e instanceof JWTClaimValidationFailed));
  });

  test('errors thrown by verification are instances of their class, with matching name and code', async () => {
    const ec = await jose.generateKeyPair('ES256', { extractable: true });
    const twin = (await jose.generateKeyPair('ES256', { extractable: true }));
    const twinJwks = { keys: [await jose.exportJWK(ec.publicKey), await jose.exportJWK(twin.publicKey)] };
    const stranger = await new jose.SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256' }).sign((await jose.generateKeyPair('ES256')).privateKey);
    const [h, p, s] = tokens.ES256.split('.');
    const arrayPayload = await new jose.CompactSign(utf8.encode('[]')).setProtectedHeader({ alg: 'ES256', kid: 'api-ES256' }).sign(keyPairs.ES256.privateKey);
    const rows = [
      ['JWSInvalid', `${h}.${p}`, jwks, at],
      ['JWTInvalid', arrayPayload, jwks, at],
      ['JOSEAlgNotAllowed', tokens.ES256, jwks, { ...at, algorithms: ['RS256'] }],
      ['JOSENotSupported', `${b64u('{"alg":"none"}')}.${p}.`, jwks, at],
      ['JWKSNoMatchingKey', await sign('ES256', claims, { kid: 'unknown' }), jwks, at],
      ['JWKSMultipleMatchingKeys', stranger, twinJwks, at],
      ['JWKSInvalid', tokens.ES256, { keys: null }, at],
      ['JWSSignatureVerificationFailed', `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`, jwks, at],
      ['JWTExpired', tokens.ES256, jwks, { currentDate: new Date((NOW + 3600) * 1000) }],
      ['JWTClaimValidationFailed', tokens.ES256, jwks, { ...at, issuer: 'someone-else' }],
    ];
    for (const [name, token, keys, options] of rows) {
      const Cls = lib.errors[name];
      const errs = await failsBoth(token, keys, options, hasCode(ERROR_TABLE[name]), name);
      for (const e of errs) {
        assert.ok(e instanceof Cls, `${name}: instanceof`);
        assert.equal(e.name, name);
        assert.equal(e.code, Cls.code);
        assert.equal(typeof e.message, 'string');
        assert.ok(e.message.length > 0, `${name}: empty message`);
      }
    }
  });

  test('claim errors carry claim, reason and the parsed payload', async () => {
    const rows = [
      ['exp', 'check_failed', 'ERR_JWT_EXPIRED', { sub: 'x', exp: NOW - 5 }, {}],
      ['iat', 'check_failed', 'ERR_JWT_EXPIRED', { sub: 'x', iat: NOW - 500 }, { maxTokenAge: 60 }],
      ['iss', 'missing', 'ERR_JWT_CLAIM_VALIDATION_FAILED', { sub: 'x' }, { issuer: 'i' }],
      ['aud', 'check_failed', 'ERR_JWT_CLAIM_VALIDATION_FAILED', { sub: 'x', aud: 'other', n: [1, { a: null }] }, { audience: 'api' }],
      ['nbf', 'check_failed', 'ERR_JWT_CLAIM_VALIDATION_FAILED', { sub: 'x', nbf: NOW + 60 }, {}],
    ];
    for (const [claim, reason, code, payload, options] of rows) {
      const token = await sign('ES256', payload);
      const errs = await failsBoth(token, jwks, { ...at, ...options }, hasCode(code), `${claim} ${reason}`);
      for (const e of errs) {
        assert.equal(e.claim, claim);
        assert.equal(e.reason, reason);
        assert.deepEqual(e.payload, payload);
      }
    }
    const invalid = await new jose.CompactSign(utf8.encode('{"sub":"x","exp":"9999999999"}')).setProtectedHeader({ alg: 'ES256', kid: 'api-ES256' }).sign(keyPairs.ES256.privateKey);
    const errs = await failsBoth(invalid, jwks, at, hasCode('ERR_JWT_CLAIM_VALIDATION_FAILED'), 'exp string');
    for (const e of errs) {
      assert.equal(e.claim, 'exp');
      assert.equal(e.reason, 'invalid');
      assert.deepEqual(e.payload, { sub: 'x', exp: '9999999999' });
    }
  });

  // ----- options ----------------------------------------------------------------------------------
  const badOptions = [
    ['clockTolerance: NaN', tokens.ES256, jwks, { clockTolerance: NaN }],
    ['clockTolerance: -1', tokens.ES256, jwks, { clockTolerance: -1 }],
    ['clockTolerance: Infinity', tokens.ES256, jwks, { clockTolerance: Infinity }],
    ['clockTolerance: "5 parsecs"', tokens.ES256, jwks, { clockTolerance: '5 parsecs' }],
    ['algorithms: "RS256" (not an array)', tokens.ES256, jwks, { algorithms: 'RS256' }],
    ['algorithms: [256]', tokens.ES256, jwks, { algorithms: [256] }],
    ['currentDate: "yesterday"', tokens.ES256, jwks, { currentDate: 'yesterday' }],
    ['currentDate: Invalid Date', tokens.ES256, jwks, { currentDate: new Date(NaN) }],
    ['maxTokenAge: "soon"', tokens.ES256, jwks, { maxTokenAge: 'soon' }],
    ['maxTokenAge: -1', tokens.ES256, jwks, { maxTokenAge: -1 }],
    ['maxTokenAge: NaN', tokens.ES256, jwks, { maxTokenAge: NaN }],
    ['secret: 42', tokens.HS256, null, { secret: 42 }],
    ['secret: {}', tokens.HS256, null, { secret: {} }],
    ['keys null and no secret', tokens.ES256, null, {}],
    ['keys null and no secret (HS256 token)', tokens.HS256, null, {}],
  ];
  for (const [label, token, keys, options] of badOptions) {
    test(`bad option ${label}: verifyToken rejects and verifyTokenSync throws a TypeError`, async () => {
      const merged = 'currentDate' in options ? options : { ...at, ...options };
      await failsBoth(token, keys, merged, isTypeError, label);
    });
  }
  test('bad options are reported as TypeError before the token is examined', async () => {
    for (const [label, , keys, options] of badOptions) {
      const merged = 'currentDate' in options ? options : { ...at, ...options };
      await failsBoth('not-a-token', keys, merged, isTypeError, `${label} with a malformed token`);
    }
  });

  test('a non-string token gives JWSInvalid (verifyToken rejects, verifyTokenSync throws)', async () => {
    for (const token of [42, null, undefined, {}, ['a.b.c'], true]) {
      await failsBoth(token, jwks, at, (error, label) => {
        assert.ok(error instanceof lib.errors.JWSInvalid, `${label} token=${String(token)}: expected JWSInvalid, got ${error && error.name}: ${error && error.message}`);
        assert.equal(error.code, 'ERR_JWS_INVALID');
      }, `token ${Array.isArray(token) ? 'array' : String(token)}`);
    }
  });

  test('options and the algorithms array are not mutated (frozen options work)', async () => {
    const options = Object.freeze({ ...at, algorithms: Object.freeze(['ES256']), audience: Object.freeze(['api']), requiredClaims: Object.freeze(['exp']), clockTolerance: '5s' });
    const before = { ...options, currentDate: options.currentDate.getTime() };
    const r = await bothModes(tokens.ES256, jwks, options);
    assert.ok(r.async.ok, r.async.error && r.async.error.message);
    assert.ok(r.sync.ok, r.sync.error && r.sync.error.message);
    assert.deepEqual({ ...options, currentDate: options.currentDate.getTime() }, before);
  });

  test('secret may be a string or a Uint8Array, with the same result', async () => {
    const a = await bothModes(tokens.HS256, null, { ...at, secret: SECRET });
    const b = await bothModes(tokens.HS256, null, { ...at, secret: utf8.encode(SECRET) });
    for (const r of [a, b]) {
      assert.ok(r.async.ok, r.async.error && r.async.error.message);
      assert.ok(r.sync.ok, r.sync.error && r.sync.error.message);
    }
    assert.deepEqual(a.async.value, b.async.value);
    assert.deepEqual(a.sync.value, b.sync.value);
    assert.deepEqual(a.async.value.payload, claims);
  });

  test('currentDate is read on every call', async () => {
    const before = { currentDate: new Date((NOW + 100) * 1000) };
    const after = { currentDate: new Date((NOW + 700) * 1000) };
    for (let round = 0; round < 3; round++) {
      const ok = await bothModes(tokens.ES256, jwks, before);
      assert.ok(ok.async.ok && ok.sync.ok, `round ${round}: valid before exp`);
      const late = await bothModes(tokens.ES256, jwks, after);
      assert.equal(late.async.error && late.async.error.code, 'ERR_JWT_EXPIRED', `round ${round}: expired after exp (async)`);
      assert.equal(late.sync.error && late.sync.error.code, 'ERR_JWT_EXPIRED', `round ${round}: expired after exp (sync)`);
    }
  });

  test('without currentDate the real clock is used', async () => {
    const now = Math.floor(Date.now() / 1000);
    const fresh = await sign('ES256', { sub: 'x', exp: now + 120 });
    const stale = await sign('ES256', { sub: 'x', exp: now - 120 });
    const a = await bothModes(fresh, jwks, {});
    assert.ok(a.async.ok && a.sync.ok, 'a token expiring in 2 minutes is valid now');
    const b = await bothModes(stale, jwks, {});
    assert.equal(b.async.error && b.async.error.code, 'ERR_JWT_EXPIRED');
    assert.equal(b.sync.error && b.sync.error.code, 'ERR_JWT_EXPIRED');
    const c = await bothModes(fresh, jwks, undefined);
    assert.ok(c.async.ok && c.sync.ok, 'options may be omitted');
  });

  // ----- key sets ---------------------------------------------------------------------------------
  test('createLocalJWKSet accepts a JWKS object and its JSON text; both verify in both modes', async () => {
    for (const input of [jwks, JSON.stringify(jwks)]) {
      const set = lib.createLocalJWKSet(input);
      assert.ok(!isThenable(set), 'createLocalJWKSet is synchronous');
      for (const alg of ['ES256', 'EdDSA', 'RS256', 'PS256']) {
        const r = await bothModes(tokens[alg], set, at);
        assert.ok(r.async.ok, `${alg} async: ${r.async.error && r.async.error.message}`);
        assert.ok(r.sync.ok, `${alg} sync: ${r.sync.error && r.sync.error.message}`);
        assert.deepEqual(r.sync.value.payload, claims);
      }
    }
  });

  test('createLocalJWKSet throws JWKSInvalid synchronously for malformed sets', () => {
    const malformed = [{ keys: null }, {}, { keys: [1] }, { keys: [null] }, { keys: 'x' }, [], 'not json', '{"keys":null}', '[]', '{"keys":[', ''];
    for (const input of malformed) {
      assert.throws(() => lib.createLocalJWKSet(input), (error) => {
        assert.ok(error instanceof lib.errors.JWKSInvalid, `${JSON.stringify(input)}: expected JWKSInvalid, got ${error && error.name}: ${error && error.message}`);
        assert.equal(error.code, 'ERR_JWKS_INVALID');
        return true;
      }, `createLocalJWKSet(${JSON.stringify(input)}) must throw`);
    }
  });

  test('a LocalKeySet is reusable across 1000 verifications, failures included', async () => {
    const set = lib.createLocalJWKSet(jwks);
    const algs = ['ES256', 'EdDSA', 'RS256', 'PS256'];
    const [h, p, s] = tokens.ES256.split('.');
    const bad = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
    let okCount = 0;
    for (let i = 0; i < 1000; i++) {
      const sync = i % 2 === 0;
      const failing = i % 10 === 9;
      const token = failing ? bad : tokens[algs[i % algs.length]];
      try {
        const result = sync ? lib.verifyTokenSync(token, set, at) : await lib.verifyToken(token, set, at);
        assert.ok(!failing, `iteration ${i}: a bad signature was accepted`);
        assert.equal(result.payload.sub, claims.sub);
        okCount++;
      } catch (error) {
        if (!failing) throw new Error(`iteration ${i} (${sync ? 'sync' : 'async'}) failed: ${error && error.name}: ${error && error.message}`);
        assert.equal(error.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', `iteration ${i}`);
      }
    }
    assert.equal(okCount, 900);
  });

  test('the JWKS object given is not mutated (and a deep-frozen one works)', async () => {
    const deepFreeze = (o) => {
      if (o && typeof o === 'object') {
        for (const v of Object.values(o)) deepFreeze(v);
        Object.freeze(o);
      }
      return o;
    };
    const given = structuredClone(jwks);
    const snapshot = JSON.stringify(given);
    const r1 = await bothModes(tokens.ES256, given, at);
    assert.ok(r1.async.ok && r1.sync.ok, 'verification with the JWKS object');
    const set = lib.createLocalJWKSet(given);
    await bothModes(tokens.RS256, set, at);
    await bothModes(tokens.EdDSA, given, at);
    assert.equal(JSON.stringify(given), snapshot, 'the JWKS object changed');
    assert.deepEqual(given, jwks);
    const frozen = deepFreeze(structuredClone(jwks));
    const r2 = await bothModes(tokens.ES256, frozen, at);
    assert.ok(r2.async.ok, r2.async.error && r2.async.error.message);
    assert.ok(r2.sync.ok, r2.sync.error && r2.sync.error.message);
    const set2 = lib.createLocalJWKSet(frozen);
    const r3 = await bothModes(tokens.PS256, set2, at);
    assert.ok(r3.async.ok && r3.sync.ok, 'a LocalKeySet of a frozen JWKS works');
  });

  // ----- messages -----------------------------------------------------------------------------------
  test('error messages echo neither the token, its signature segment, nor the secret', async () => {
    const [h, p, s] = tokens.ES256.split('.');
    const [hh, hp, hs] = tokens.HS256.split('.');
    const wrongSecret = 'wrong-secret-that-must-not-leak-7f3a';
    const rows = [
      ['bad ES256 signature', `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`, jwks, at],
      ['HS256 wrong secret', tokens.HS256, null, { ...at, secret: wrongSecret }],
      ['HS256 right secret, expired', tokens.HS256, null, { currentDate: new Date((NOW + 3600) * 1000), secret: SECRET }],
      ['HS256 right secret, issuer mismatch', tokens.HS256, null, { ...at, secret: SECRET, issuer: 'x' }],
      ['HS256 right secret, algorithms', tokens.HS256, null, { ...at, secret: SECRET, algorithms: ['HS512'] }],
      ['HS256 token against the JWKS', tokens.HS256, jwks, at],
      ['4 segments', `${tokens.ES256}.${s}`, jwks, at],
      ['unknown kid', await sign('ES256', claims, { kid: 'nope' }), jwks, at],
      ['expired', tokens.ES256, jwks, { currentDate: new Date((NOW + 3600) * 1000) }],
      ['audience', tokens.ES256, jwks, { ...at, audience: 'nope' }],
      ['bad base64url signature', `${h}.${p}.${s.slice(0, 10)}*${s.slice(11)}`, jwks, at],
      ['bad base64url signature (HS)', `${hh}.${hp}.${hs.slice(0, 10)}*${hs.slice(11)}`, null, { ...at, secret: wrongSecret }],
    ];
    for (const [label, token, keys, options] of rows) {
      const r = await bothModes(token, keys, options);
      for (const mode of ['async', 'sync']) {
        assert.ok(!r[mode].ok, `${label} ${mode}: expected a failure`);
        const { error } = r[mode];
        const texts = [String(error.message), String(error)];
        const sig = token.split('.')[2] || '';
        for (const text of texts) {
          assert.ok(!text.includes(token), `${label} ${mode}: the message contains the token`);
          if (sig.length >= 16) assert.ok(!text.includes(sig) && !text.includes(sig.slice(0, 16)), `${label} ${mode}: the message contains the signature segment`);
          assert.ok(!text.includes(SECRET), `${label} ${mode}: the message contains the secret`);
          assert.ok(!text.includes(wrongSecret), `${label} ${mode}: the message contains the given secret`);
        }
      }
    }
  });

  // ----- CommonJS and ESM -------------------------------------------------------------------------------
  test('the CommonJS and ESM loads both work, interleaved', async (t) => {
    const cjs = loadCjs();
    t.diagnostic(`CommonJS and ESM loads share ${cjs.verifyToken === lib.verifyToken ? 'one instance' : 'nothing: they are separate instances'}`);
    for (const name of ['verifyToken', 'verifyTokenSync', 'jwtVerify', 'createLocalJWKSet', 'createRemoteJWKSet']) {
      assert.equal(typeof cjs[name], 'function', `require('edge-jwt').${name}`);
    }
    assert.equal(typeof cjs.errors.JOSEError, 'function');
    const cjsSet = cjs.createLocalJWKSet(jwks);
    const esmSet = lib.createLocalJWKSet(jwks);
    for (let i = 0; i < 20; i++) {
      const alg = ['ES256', 'EdDSA', 'RS256', 'PS256'][i % 4];
      const a = cjs.verifyTokenSync(tokens[alg], cjsSet, at);
      const b = lib.verifyTokenSync(tokens[alg], esmSet, at);
      const c = await cjs.verifyToken(tokens[alg], jwks, at);
      const d = await lib.verifyToken(tokens[alg], jwks, at);
      for (const r of [a, b, c, d]) assert.deepEqual(r.payload, claims);
      assert.throws(() => cjs.verifyTokenSync('a.b', jwks, at), (e) => e instanceof cjs.errors.JWSInvalid && e.code === 'ERR_JWS_INVALID');
      await assert.rejects(lib.verifyToken('a.b', jwks, at), (e) => e instanceof lib.errors.JWSInvalid && e.code === 'ERR_JWS_INVALID');
      await assert.rejects(cjs.verifyToken(tokens.ES256, jwks, { currentDate: new Date((NOW + 3600) * 1000) }), (e) => e instanceof cjs.errors.JWTExpired);
    }
  });
}
