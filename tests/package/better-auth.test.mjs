// Interoperability with a real Better Auth server (the `better-auth` dev dependency, JWT plugin):
// for every key type its `jwks.keyPairConfig` accepts, the installed edge-jwt package verifies
// the tokens of `GET /api/auth/token` and of the `set-auth-jwt` header of `GET /api/auth/get-session`
// against the server's `/api/auth/jwks` (remote and local key sets), rejects foreign, tampered,
// expired and mis-addressed tokens with jose's codes (each rejection is cross-checked against
// jose 6 itself), and follows a lazy key rotation with exactly one extra JWKS fetch, counted on
// the server.
//
// The servers run in this process (tests/runtimes/better-auth-server.mjs) on 127.0.0.1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { tryLoad } from './load.mjs';
import { startBetterAuth } from '../runtimes/better-auth-server.mjs';

const { lib, loadError } = await tryLoad();

// Every keyPairConfig Better Auth 1.7's JWT plugin accepts, and the JWK it must publish for it.
const KEY_TYPES = [
  { name: 'EdDSA / Ed25519 (Better Auth default)', keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' }, jwk: { kty: 'OKP', crv: 'Ed25519' } },
  { name: 'ES256', keyPairConfig: { alg: 'ES256' }, jwk: { kty: 'EC', crv: 'P-256' } },
  { name: 'ES512', keyPairConfig: { alg: 'ES512' }, jwk: { kty: 'EC', crv: 'P-521' } },
  { name: 'RS256', keyPairConfig: { alg: 'RS256' }, jwk: { kty: 'RSA' } },
  { name: 'PS256', keyPairConfig: { alg: 'PS256' }, jwk: { kty: 'RSA' } },
];

// Better Auth's default `jwt.expirationTime` is "15m".
const DEFAULT_LIFETIME_S = 15 * 60;
// Key rotation: keys expire after this many seconds; the next signing request mints a new one.
const ROTATION_INTERVAL_S = 2;
const ROTATION_WAIT_MS = (ROTATION_INTERVAL_S + 8) * 1000;

const PASSWORD = 'correct-horse-battery-staple';
const b64uJson = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decodePart = (token, index) => JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Replaces the protected header (or the payload) of a compact JWS, keeping the other parts. */
function withHeader(token, header) {
  const [, payload, signature] = token.split('.');
  return `${b64uJson(header)}.${payload}.${signature}`;
}
function withPayload(token, payload) {
  const [header, , signature] = token.split('.');
  return `${header}.${b64uJson(payload)}.${signature}`;
}

/** What jose 6 itself says about the same token and options (a local key set: no fetch). */
async function joseOutcome(token, jwks, options) {
  try {
    await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), options);
    return 'accepted';
  } catch (error) {
    return error.code ?? `${error.name}: ${error.message}`;
  }
}

/**
 * Asserts that verifyToken (with `keys`) rejects and verifyTokenSync (with a local set of `jwks`)
 * throws, both with `code` (and `claim`/`reason` when given), an instance of `errors[className]`,
 * and that jose reaches the same code.
 */
async function rejects(label, token, { keys, jwks, options, code, className, claim, reason }) {
  const check = (mode) => (error) => {
    assert.equal(error?.code, code, `${label} [${mode}]: expected ${code}, got ${error?.code} (${error?.name}: ${error?.message})`);
    assert.ok(error instanceof lib.errors[className], `${label} [${mode}]: not an instance of errors.${className}`);
    assert.ok(error instanceof lib.errors.JOSEError, `${label} [${mode}]: not an instance of errors.JOSEError`);
    if (claim !== undefined) assert.equal(error.claim, claim, `${label} [${mode}]: claim`);
    if (reason !== undefined) assert.equal(error.reason, reason, `${label} [${mode}]: reason`);
    return true;
  };
  await assert.rejects(lib.verifyToken(token, keys, options), check('verifyToken'));
  assert.throws(() => lib.verifyTokenSync(token, lib.createLocalJWKSet(jwks), options), check('verifyTokenSync'));
  assert.equal(await joseOutcome(token, jwks, options), code, `${label}: jose 6 disagrees on the code`);
}

/** Starts a server and checks it really signs with `keyPairConfig`; a clear error if it cannot. */
async function startSigningServer(type, extra = {}) {
  const config = JSON.stringify(type.keyPairConfig);
  let server;
  try {
    server = await startBetterAuth({ keyPairConfig: type.keyPairConfig, ...extra });
  } catch (error) {
    throw new Error(`Better Auth could not start with jwt({ jwks: { keyPairConfig: ${config} } }): ${error.message}`, { cause: error });
  }
  try {
    const email = `user-${Math.random().toString(36).slice(2)}@example.com`;
    const { cookieHeader, user } = await server.signUp(email, PASSWORD, 'Interop User');
    let token;
    try {
      token = await server.token(cookieHeader);
    } catch (error) {
      throw new Error(`Better Auth does not issue tokens with keyPairConfig ${config} (this key type was expected to be supported): ${error.message}`, { cause: error });
    }
    const header = decodePart(token, 0);
    assert.equal(header.alg, type.keyPairConfig.alg, `Better Auth with keyPairConfig ${config} signed with alg ${header.alg}`);
    return { server, cookieHeader, user, token, origin: new URL(server.url).origin };
  } catch (error) {
    await server.close();
    throw error;
  }
}

for (const type of KEY_TYPES) {
  const alg = type.keyPairConfig.alg;
  test(`Better Auth JWT plugin, ${type.name}`, { timeout: 60_000 }, async (t) => {
    if (loadError) throw loadError;
    // The server under test (default options, no rotation), a second server with the same alg
    // (other keys), a server whose tokens live 1 s, and a rotating one: started together, and all
    // closed after the test, even if one of them failed to start.
    const started = await Promise.allSettled([
      startSigningServer(type),
      startSigningServer(type),
      startSigningServer(type, { jwtOptions: { expirationTime: '1s' } }),
      startSigningServer(type, { rotationInterval: ROTATION_INTERVAL_S }),
    ]);
    const servers = started.filter((r) => r.status === 'fulfilled').map((r) => r.value.server);
    t.after(() => Promise.all(servers.map((s) => s.close())));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [main, other, shortLived, rotating] = started.map((r) => r.value);
    const { origin } = main;
    const claims = { issuer: origin, audience: origin };
    const mainJwks = await main.server.jwks();
    const remote = lib.createRemoteJWKSet(`${main.server.url}/api/auth/jwks`);
    const sessionToken = await main.server.sessionJwt(main.cookieHeader);

    await t.test('the JWKS publishes one key of the configured type', () => {
      assert.equal(mainJwks.keys.length, 1);
      const [key] = mainJwks.keys;
      assert.equal(key.alg, alg);
      for (const [field, value] of Object.entries(type.jwk)) assert.equal(key[field], value, `JWK ${field}`);
      assert.equal(typeof key.kid, 'string');
      assert.equal(key.d, undefined, 'the JWKS must not contain private keys');
    });

    await t.test('accepts /api/auth/token and set-auth-jwt tokens (remote set, then local set, sync)', async () => {
      const [key] = mainJwks.keys;
      for (const [label, token] of [['/api/auth/token', main.token], ['set-auth-jwt', sessionToken]]) {
        const result = await lib.verifyToken(token, remote, claims);
        assert.equal(result.payload.sub, main.user.id, `${label}: sub`);
        assert.equal(result.payload.iss, origin, `${label}: iss`);
        assert.equal(result.payload.aud, origin, `${label}: aud`);
        assert.equal(result.payload.email, main.user.email, `${label}: email`);
        assert.equal(result.payload.exp - result.payload.iat, DEFAULT_LIFETIME_S, `${label}: default lifetime`);
        assert.deepEqual(result.protectedHeader, { alg, kid: key.kid }, `${label}: protected header`);

        const sync = lib.verifyTokenSync(token, lib.createLocalJWKSet(mainJwks), claims);
        assert.deepEqual(sync, result, `${label}: verifyTokenSync and verifyToken differ`);
        assert.equal(await joseOutcome(token, mainJwks, claims), 'accepted', `${label}: jose 6 rejects it`);
      }
      assert.equal(main.server.requests.jwks, 1, 'the remote set fetched the JWKS once');
      assert.equal(remote.stats().fetches, 1);
    });

    await t.test('rejects a token signed by another Better Auth server', async () => {
      const foreign = other.token;
      const foreignKid = decodePart(foreign, 0).kid;
      assert.notEqual(foreignKid, mainJwks.keys[0].kid, 'the two servers must have different kids');
      await rejects('foreign kid', foreign, {
        keys: remote, jwks: mainJwks, options: claims, code: 'ERR_JWKS_NO_MATCHING_KEY', className: 'JWKSNoMatchingKey',
      });
      // Re-labelled with the main server's kid: the key is found, the signature does not verify.
      const relabelled = withHeader(foreign, { ...decodePart(foreign, 0), kid: mainJwks.keys[0].kid });
      await rejects('foreign token with the right kid', relabelled, {
        keys: remote, jwks: mainJwks, options: claims,
        code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', className: 'JWSSignatureVerificationFailed',
      });
    });

    await t.test('rejects a tampered payload (sub changed, signature kept)', async () => {
      const payload = decodePart(main.token, 1);
      const tampered = withPayload(main.token, { ...payload, sub: other.user.id });
      await rejects('tampered sub', tampered, {
        keys: remote, jwks: mainJwks, options: claims,
        code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', className: 'JWSSignatureVerificationFailed',
      });
    });

    await t.test('rejects an expired token (currentDate 20 minutes ahead; default lifetime 15 minutes)', async () => {
      const later = { ...claims, currentDate: new Date(Date.now() + 20 * 60 * 1000) };
      await rejects('20 minutes later', main.token, {
        keys: remote, jwks: mainJwks, options: later,
        code: 'ERR_JWT_EXPIRED', className: 'JWTExpired', claim: 'exp', reason: 'check_failed',
      });
      // ...and still accepts it 14 minutes ahead.
      const sooner = { ...claims, currentDate: new Date(Date.now() + 14 * 60 * 1000) };
      assert.equal((await lib.verifyToken(main.token, remote, sooner)).payload.sub, main.user.id);
    });

    await t.test('rejects a wrong audience', async () => {
      await rejects('audience option', main.token, {
        keys: remote, jwks: mainJwks, options: { issuer: origin, audience: 'https://api.example.com' },
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', className: 'JWTClaimValidationFailed', claim: 'aud', reason: 'check_failed',
      });
      // The foreign kid above refetched once (the first unknown kid after the initial fetch is
      // looked up at once); no other rejection fetched (the 30 s cooldown of that refetch).
      assert.equal(main.server.requests.jwks, 2, 'one refetch for the foreign kid, none for any other rejection');
    });

    await t.test(`key rotation (rotationInterval ${ROTATION_INTERVAL_S} s): one refetch for the new kid`, async () => {
      const url = `${rotating.server.url}/api/auth/jwks`;
      const rotatingClaims = { issuer: rotating.origin, audience: rotating.origin };
      // The default cooldown (30 s): the refetch on the new kid comes ~2 s after the first fetch,
      // and is made at once, since the cooldown counts only refetches caused by unknown kids.
      const set = lib.createRemoteJWKSet(url);
      const token1 = rotating.token;
      const kid1 = decodePart(token1, 0).kid;

      assert.equal((await lib.verifyToken(token1, set, rotatingClaims)).payload.sub, rotating.user.id);
      assert.equal(rotating.server.requests.jwks, 1, 'key 1: one JWKS fetch');

      // Better Auth rotates lazily: once key 1 has expired, the next /token call mints key 2.
      const deadline = Date.now() + ROTATION_WAIT_MS;
      let token2 = token1;
      while (decodePart(token2, 0).kid === kid1) {
        if (Date.now() > deadline) {
          assert.fail(`Better Auth did not rotate its key within ${ROTATION_WAIT_MS} ms (rotationInterval ${ROTATION_INTERVAL_S} s)`);
        }
        await sleep(250);
        token2 = await rotating.server.token(rotating.cookieHeader);
      }
      const kid2 = decodePart(token2, 0).kid;
      const published = (await rotating.server.jwks()).keys.map((k) => k.kid).sort();
      assert.deepEqual(published, [kid1, kid2].sort(), 'the JWKS publishes both keys during the grace period');

      const result2 = await lib.verifyToken(token2, set, rotatingClaims);
      assert.equal(result2.payload.sub, rotating.user.id);
      assert.deepEqual(result2.protectedHeader, { alg, kid: kid2 });
      assert.equal(rotating.server.requests.jwks, 2, 'key 2: exactly one more JWKS fetch');

      const again1 = await lib.verifyToken(token1, set, rotatingClaims);
      assert.deepEqual(again1.protectedHeader, { alg, kid: kid1 });
      assert.equal(rotating.server.requests.jwks, 2, 'key 1 again: no further fetch');
      assert.equal(set.stats().fetches, 2);
      assert.equal(set.stats().keyCount, 2);
    });

    await t.test("rejects a token past a real, short expiry (jwt: { expirationTime: '1s' })", async () => {
      const payload = decodePart(shortLived.token, 1);
      assert.equal(payload.exp - payload.iat, 1, 'the server honours expirationTime');
      // The rotation subtest has waited more than 2 s; wait out the rest if it was skipped.
      const wait = (payload.exp + 1) * 1000 - Date.now();
      if (wait > 0) await sleep(Math.min(wait, 3000));
      const jwks = await shortLived.server.jwks();
      const set = lib.createRemoteJWKSet(`${shortLived.server.url}/api/auth/jwks`);
      await rejects('1 s token', shortLived.token, {
        keys: set, jwks, options: { issuer: shortLived.origin, audience: shortLived.origin },
        code: 'ERR_JWT_EXPIRED', className: 'JWTExpired', claim: 'exp', reason: 'check_failed',
      });
    });
  });
}
