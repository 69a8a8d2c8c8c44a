// Options reused between calls: verifyToken keeps the last options it normalised and reuses them when
// a call's options have equal members. Users mutate options objects in place (push to an
// `issuer` list, swap the secret, move `currentDate`), so every step below first mutates, then
// verifies twice: once right after the previous call (where the reuse applies) and once after a call
// with unrelated options (which forces a fresh normalisation). Both verdicts must be identical, and
// the steps whose outcome matters carry the expected code, so the test also fails if both are wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { loadEsm } from './load.mjs';

const lib = await loadEsm();
const NOW = 1_800_000_000;
const SECRET = 'a-shared-secret-of-sufficient-length-0123456789';

async function outcome(call) {
  try {
    const { payload, protectedHeader } = await call();
    return { ok: true, payload, protectedHeader };
  } catch (error) {
    return { ok: false, name: error.constructor.name, code: error.code, message: error.message, claim: error.claim, reason: error.reason };
  }
}

test('options mutated in place between calls are honoured exactly as fresh options', async () => {
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] };
  const keys = lib.createLocalJWKSet(jwks);
  const sign = (claims, alg = 'ES256') => new jose.SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' })
    .setIssuedAt(NOW - 10).setExpirationTime(NOW + 3600)
    .sign(alg.startsWith('HS') ? new TextEncoder().encode(SECRET) : privateKey);
  const t1 = await sign({ iss: 'A', aud: ['x', 'y'], sub: 's', role: 'r' });
  const t2 = await sign({ iss: 'B', aud: 'z', sub: 't' });
  const t3 = await sign({ iss: 'A', aud: 'x', sub: 's' }, 'HS256');
  const at = (seconds) => new Date(seconds * 1000);

  const shared = { issuer: ['A'], audience: ['x'], currentDate: at(NOW) };
  const list = { issuer: ['A'], audience: 'x', requiredClaims: ['sub'], currentDate: at(NOW) };
  const secretOptions = { secret: SECRET, issuer: 'A', currentDate: at(NOW) };
  const OK = 'ok';
  const CLAIM = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
  // [what the step mutates, the call, the expected code (or OK)]
  const steps = [
    [() => {}, () => lib.verifyToken(t1, keys, shared), OK],
    [() => shared.issuer.push('B'), () => lib.verifyToken(t2, keys, shared), CLAIM], // aud z is not x
    [() => { shared.audience[0] = 'z'; }, () => lib.verifyToken(t2, keys, shared), OK],
    [() => { shared.issuer.length = 0; shared.issuer.push('A'); }, () => lib.verifyToken(t2, keys, shared), CLAIM],
    [() => {}, () => lib.verifyToken(t1, keys, { issuer: ['A'], audience: ['x'], currentDate: at(NOW) }), OK],
    [() => {}, () => lib.verifyToken(t1, keys, { issuer: ['A'], audience: ['q'], currentDate: at(NOW) }), CLAIM],
    [() => {}, () => lib.verifyToken(t1, keys, list), OK],
    [() => list.requiredClaims.push('role'), () => lib.verifyToken(t2, keys, list), CLAIM],
    [() => { list.requiredClaims[1] = 'iat'; }, () => lib.verifyToken(t1, keys, list), OK],
    [() => { list.issuer[0] = 'B'; list.audience = 'z'; list.requiredClaims.pop(); }, () => lib.verifyToken(t2, keys, list), OK],
    [() => { list.algorithms = ['HS256']; }, () => lib.verifyToken(t2, keys, list), 'ERR_JOSE_ALG_NOT_ALLOWED'],
    [() => list.algorithms.push('ES256'), () => lib.verifyToken(t2, keys, list), OK],
    [() => { list.algorithms = undefined; list.maxTokenAge = '5s'; }, () => lib.verifyToken(t2, keys, list), 'ERR_JWT_EXPIRED'],
    [() => { list.maxTokenAge = '5 minutes'; }, () => lib.verifyToken(t2, keys, list), OK],
    [() => { list.maxTokenAge = undefined; list.subject = 'x'; }, () => lib.verifyToken(t2, keys, list), CLAIM],
    [() => { list.subject = 't'; list.typ = 'JWT'; }, () => lib.verifyToken(t2, keys, list), CLAIM], // the token has no typ
    [() => { list.typ = undefined; list.currentDate = at(NOW + 7200); }, () => lib.verifyToken(t2, keys, list), 'ERR_JWT_EXPIRED'],
    [() => list.currentDate.setTime(NOW * 1000), () => lib.verifyToken(t2, keys, list), OK],
    [() => { list.clockTolerance = 'bogus'; }, () => lib.verifyToken(t2, keys, list), 'TypeError'],
    [() => { list.clockTolerance = 0; list.crit = { foo: true }; }, () => lib.verifyToken(t2, keys, list), OK],
    [() => {}, () => lib.verifyToken(t3, null, secretOptions), OK],
    [() => { secretOptions.secret = `${SECRET}x`; }, () => lib.verifyToken(t3, null, secretOptions), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    [() => { secretOptions.secret = SECRET; }, () => lib.verifyToken(t3, null, secretOptions), OK],
    [() => { secretOptions.secret = new TextEncoder().encode(SECRET); }, () => lib.verifyToken(t3, null, secretOptions), OK],
    [() => { secretOptions.secret[0] ^= 1; }, () => lib.verifyToken(t3, null, secretOptions), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    [() => { secretOptions.issuer = 'B'; }, () => lib.verifyToken(t3, null, { ...secretOptions, secret: SECRET }), CLAIM],
    [() => {}, () => lib.verifyTokenSync(t1, keys, { issuer: 'A', audience: 'y', currentDate: at(NOW) }), OK],
    [() => {}, () => lib.verifyTokenSync(t1, keys, { issuer: 'A', audience: 'w', currentDate: at(NOW) }), CLAIM],
  ];
  const unrelated = { issuer: 'unrelated', audience: 'unrelated', currentDate: at(NOW) };
  for (const [index, [mutate, call, expected]] of steps.entries()) {
    mutate();
    const reused = await outcome(call);
    await outcome(() => lib.verifyToken(t1, keys, unrelated)); // evicts the last options
    const fresh = await outcome(call);
    assert.deepEqual(reused, fresh, `step ${index}: a reused options document judged differently`);
    const got = reused.ok ? OK : (reused.code ?? reused.name);
    assert.equal(got, expected, `step ${index}: ${JSON.stringify(reused)}`);
  }
});
