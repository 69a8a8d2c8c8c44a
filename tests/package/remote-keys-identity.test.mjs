// The host's crypto must check a signature with the key the Rust core chose, never with a stale
// copy. Regression: the JS copy of a remote set's keys was keyed by the fetch time, so a set
// replaced within the same millisecond (a fake clock here, two quick refetches in life) left the
// old JWK at the chosen position, and a token signed by a removed key verified.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadEsm } from './load.mjs';
import { jwksOf, newSigningKey, signToken, startJwksServer } from '../runtimes/jwks-server.mjs';

const { createRemoteJWKSet, verifyToken } = await loadEsm();

for (const alg of ['ES256', 'RS256', 'EdDSA']) {
  test(`${alg}: a key replaced at the same position within one millisecond is not used`, async () => {
    const old = await newSigningKey('k', alg);
    const replacement = await newSigningKey('k', alg);
    const server = await startJwksServer({ jwks: jwksOf(old) });
    try {
      const set = createRemoteJWKSet(server.url, { clock: () => 1_800_000_000_000 });
      const signedByOld = await signToken(old);
      assert.equal((await verifyToken(signedByOld, set)).payload.sub, 'user-1');
      server.set({ jwks: jwksOf(replacement) });
      await set.reload();
      assert.equal(set.jwks().keys[0].x ?? set.jwks().keys[0].n, replacement.jwk.x ?? replacement.jwk.n);
      const fresh = await signToken(old); // not in the token cache
      await assert.rejects(verifyToken(fresh, set), (e) => e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
      assert.equal((await verifyToken(await signToken(replacement), set)).payload.sub, 'user-1');
    } finally {
      await server.close();
    }
  });
}
