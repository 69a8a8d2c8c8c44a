// The cache of verified tokens, seen from outside: a token verified once keeps being judged by its
// claims at the current time and by the header rules of each call; variants of it never ride on its
// entry; `tokenCache: false` gives the same verdicts. (That a hit skips only the signature check is
// proved in src/verify.rs, where a planted entry can be seen.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { loadEsm } from './load.mjs';

const lib = await loadEsm();
const NOW = 1_800_000_000;
const at = (seconds) => new Date(seconds * 1000);

for (const alg of ['EdDSA', 'ES256', 'RS256']) {
  test(`${alg}: cached tokens are still judged by their claims and the call's rules`, async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k', alg }] };
    const token = await new jose.SignJWT({ sub: 'u1' }).setProtectedHeader({ alg, kid: 'k' }).setIssuedAt(NOW).setExpirationTime(NOW + 60).sign(privateKey);
    for (const tokenCache of [true, false]) {
      const keys = lib.createLocalJWKSet(jwks);
      for (const verify of [(o) => lib.verifyToken(token, keys, o), async (o) => lib.verifyTokenSync(token, keys, o)]) {
        for (let i = 0; i < 3; i += 1) {
          const { payload } = await verify({ currentDate: at(NOW), tokenCache });
          assert.equal(payload.sub, 'u1');
        }
        await assert.rejects(verify({ currentDate: at(NOW + 60), tokenCache }), (e) => e.code === 'ERR_JWT_EXPIRED' && e.claim === 'exp');
        await assert.rejects(verify({ currentDate: at(NOW), tokenCache, algorithms: ['PS512'] }), (e) => e.code === 'ERR_JOSE_ALG_NOT_ALLOWED');
        await assert.rejects(verify({ currentDate: at(NOW), tokenCache, audience: 'api' }), (e) => e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'aud');
        await assert.rejects(verify({ currentDate: at(NOW), tokenCache, maxTokenAge: 0, clockTolerance: 0 }).then(() => verify({ currentDate: at(NOW + 1), tokenCache, maxTokenAge: 0 })), (e) => e.code === 'ERR_JWT_EXPIRED' && e.claim === 'iat');
      }
      // Variants of a cached token: other bytes, so no entry; each fails on its own merits.
      const [h, p, s] = token.split('.');
      const forged = Buffer.from(JSON.stringify({ sub: 'admin', exp: NOW + 60 })).toString('base64url');
      await assert.rejects(lib.verifyToken(`${h}.${forged}.${s}`, keys, { currentDate: at(NOW), tokenCache }), (e) => e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
      await assert.rejects(lib.verifyToken(`${h}.${p}.${s}x`, keys, { currentDate: at(NOW), tokenCache }), (e) => e.code === 'ERR_JWS_INVALID' || e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
      // The same token checked against another key set is not served from this set's cache.
      const other = await jose.generateKeyPair(alg, { extractable: true });
      const otherKeys = lib.createLocalJWKSet({ keys: [{ ...(await jose.exportJWK(other.publicKey)), kid: 'k', alg }] });
      await assert.rejects(lib.verifyToken(token, otherKeys, { currentDate: at(NOW), tokenCache }), (e) => e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    }
  });
}

test('tokenCache must be a boolean', async () => {
  await assert.rejects(lib.verifyToken('a.b.c', { keys: [] }, { tokenCache: 'yes' }), TypeError);
  assert.throws(() => lib.verifyTokenSync('a.b.c', { keys: [] }, { tokenCache: 1 }), TypeError);
});

test('HS256: a cached token is found only with the secret it verified with', async () => {
  const [a, b] = ['secret-a-of-sufficient-length-0123456789', 'secret-b-of-sufficient-length-0123456789'];
  const token = await new jose.SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(NOW).setExpirationTime(NOW + 60).sign(new TextEncoder().encode(a));
  for (let i = 0; i < 3; i += 1) {
    assert.equal((await lib.verifyToken(token, null, { secret: a, currentDate: at(NOW) })).payload.sub, 'u1');
    assert.equal(lib.verifyTokenSync(token, null, { secret: a, currentDate: at(NOW) }).payload.sub, 'u1');
  }
  const wrongSecret = (e) => e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
  await assert.rejects(lib.verifyToken(token, null, { secret: b, currentDate: at(NOW) }), wrongSecret);
  assert.throws(() => lib.verifyTokenSync(token, null, { secret: b, currentDate: at(NOW) }), wrongSecret);
  await assert.rejects(lib.verifyToken(token, null, { secret: a, currentDate: at(NOW + 60) }), (e) => e.code === 'ERR_JWT_EXPIRED');
  await assert.rejects(lib.verifyToken(token, null, { secret: a, currentDate: at(NOW), algorithms: ['HS512'] }), (e) => e.code === 'ERR_JOSE_ALG_NOT_ALLOWED');
});

test('a cached token with a crit header is refused by a call that does not recognise it', async () => {
  const { publicKey, privateKey } = await jose.generateKeyPair('EdDSA', { extractable: true });
  const keys = lib.createLocalJWKSet({ keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k' }] });
  const token = await new jose.SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'EdDSA', kid: 'k', crit: ['x-ext'], 'x-ext': 1 }).sign(privateKey, { crit: { 'x-ext': true } });
  for (let i = 0; i < 3; i += 1) {
    assert.equal((await lib.verifyToken(token, keys, { crit: { 'x-ext': true } })).payload.sub, 'u1');
  }
  await assert.rejects(lib.verifyToken(token, keys), (e) => e.code === 'ERR_JOSE_NOT_SUPPORTED');
  assert.throws(() => lib.verifyTokenSync(token, keys), (e) => e.code === 'ERR_JOSE_NOT_SUPPORTED');
});
