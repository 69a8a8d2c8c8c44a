// The benchmark Worker: the same verification loop as the Node benchmark, inside workerd. Timers
// do not advance during a Worker's computation, so the caller times each request from outside and
// subtracts an empty loop. POST /setup stores the inputs; GET /run?lib=&alg=&n= verifies n times.
import * as edge from 'edge-jwt';
import * as jose from 'jose';

const inputs = new Map();
const secretBytes = (s) => new TextEncoder().encode(s);

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
    }
    return new Response('done');
  },
};
