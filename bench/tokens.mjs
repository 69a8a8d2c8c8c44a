// The benchmark's inputs: per algorithm, one token signed by jose, the key set (or secret) that
// verifies it, and the bare node:crypto primitive on the same bytes (the limit). Shared by the Node
// loop, the workerd loop and the cold-start runs, so every column measures the same work.
import crypto from 'node:crypto';
import * as jose from 'jose';

export const ALGS = ['EdDSA', 'ES256', 'ES384', 'ES512', 'RS256', 'RS512', 'PS256', 'HS256', 'HS512'];
export const ISSUER = 'https://app.example.com';
export const OPTIONS = { issuer: ISSUER, audience: ISSUER };
export const SECRET = 'a-shared-secret-of-sufficient-length-0123456789';
// A Better Auth-shaped payload: the user object next to the registered claims.
const CLAIMS = { sub: 'u_8f2c', email: 'ada@example.com', name: 'Ada Lovelace', emailVerified: true, role: 'admin', image: null };

/** `{ alg, token, jwks | null, secret | null, primitive }` for `alg`, valid for an hour. */
export async function benchInput(alg, now = Math.floor(Date.now() / 1000)) {
  const signer = new jose.SignJWT(CLAIMS).setProtectedHeader({ alg, kid: 'k1' }).setIssuedAt(now)
    .setIssuer(ISSUER).setAudience(ISSUER).setExpirationTime(now + 3600);
  const [h, p] = [0, 1];
  if (alg.startsWith('HS')) {
    const secret = new TextEncoder().encode(SECRET);
    const token = await signer.sign(secret);
    const parts = token.split('.');
    const data = Buffer.from(`${parts[h]}.${parts[p]}`);
    const expected = Buffer.from(parts[2], 'base64url');
    const hash = `sha${alg.slice(2)}`;
    const primitive = () => crypto.timingSafeEqual(crypto.createHmac(hash, secret).update(data).digest(), expected);
    return { alg, token, jwks: null, secret: SECRET, primitive };
  }
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const token = await signer.sign(privateKey);
  const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg }] };
  const key = crypto.createPublicKey({ key: jwks.keys[0], format: 'jwk' });
  const parts = token.split('.');
  const data = Buffer.from(`${parts[h]}.${parts[p]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
  const keyInput = alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' }
    : alg.startsWith('PS') ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 } : key;
  const primitive = () => {
    if (!crypto.verify(hash, data, keyInput, signature)) throw new Error('primitive failed');
  };
  return { alg, token, jwks, secret: null, primitive };
}
