// The benchmark Worker: the same verification loop as the Node benchmark, inside workerd. Timers
// do not advance during a Worker's computation, so the caller times each request from outside and
// subtracts an empty loop. POST /setup stores the inputs; GET /run?lib=&alg=&n= verifies n times.
// lib=subtle is the bare primitive: crypto.subtle.verify on the token's bytes, the key imported at
// setup (the limit any verifier on WebCrypto has).
import * as edge from 'edge-jwt';
import * as jose from 'jose';

const inputs = new Map();
const secretBytes = (s) => new TextEncoder().encode(s);

/** WebCrypto's import and verify parameters for a JWS `alg`. */
function webCrypto(alg) {
  const hash = `SHA-${alg.slice(2)}`;
  if (alg === 'EdDSA') return { importParams: { name: 'Ed25519' }, verify: { name: 'Ed25519' } };
  if (alg.startsWith('HS')) return { importParams: { name: 'HMAC', hash }, verify: { name: 'HMAC' } };
  if (alg.startsWith('RS')) return { importParams: { name: 'RSASSA-PKCS1-v1_5', hash }, verify: { name: 'RSASSA-PKCS1-v1_5' } };
  if (alg.startsWith('PS')) return { importParams: { name: 'RSA-PSS', hash }, verify: { name: 'RSA-PSS', saltLength: Number(alg.slice(2)) / 8 } };
  const namedCurve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg];
  return { importParams: { name: 'ECDSA', namedCurve }, verify: { name: 'ECDSA', hash } };
}

/** The token's signing input and signature as bytes, its key imported, checked once. */
async function bare({ alg, token, jwks, secret }) {
  const { importParams, verify } = webCrypto(alg);
  const key = jwks
    ? await crypto.subtle.importKey('jwk', jwks.keys[0], importParams, false, ['verify'])
    : await crypto.subtle.importKey('raw', secretBytes(secret), importParams, false, ['verify']);
  const cut = token.lastIndexOf('.');
  const data = secretBytes(token.slice(0, cut));
  const b64 = token.slice(cut + 1).replaceAll('-', '+').replaceAll('_', '/');
  const signature = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  if (!(await crypto.subtle.verify(verify, key, signature, data))) throw new Error(`${alg}: the bare verify refused the token`);
  return { verify, key, signature, data };
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/health') return new Response('ok');
    if (url.pathname === '/setup') {
      for (const input of await request.json()) {
        inputs.set(input.alg, {
          ...input,
          edgeKeys: input.jwks ? edge.createLocalJWKSet(input.jwks) : null,
          joseKey: input.jwks ? jose.createLocalJWKSet(input.jwks) : secretBytes(input.secret),
          subtle: await bare(input),
        });
      }
      return new Response('ok');
    }
    const input = inputs.get(url.searchParams.get('alg'));
    const n = Number(url.searchParams.get('n'));
    const lib = url.searchParams.get('lib');
    if (input === undefined || !Number.isInteger(n)) return new Response('bad request', { status: 400 });
    const options = { issuer: input.options.issuer, audience: input.options.audience };
    const edgeOptions = { ...options, tokenCache: false, ...(input.secret ? { secret: input.secret } : {}) };
    for (let i = 0; i < n; i += 1) {
      if (lib === 'edge-jwt') await edge.verifyToken(input.token, input.edgeKeys, edgeOptions);
      else if (lib === 'jose') await jose.jwtVerify(input.token, input.joseKey, options);
      else if (lib === 'subtle') {
        const { verify, key, signature, data } = input.subtle;
        if (!(await crypto.subtle.verify(verify, key, signature, data))) throw new Error('the bare verify refused the token');
      }
    }
    return new Response('done');
  },
};
