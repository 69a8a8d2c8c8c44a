// The load benchmark's comparison Worker (bench/gate-load.mjs), not a product feature: what the
// edge-jwt/hono gate of examples/cloudflare-worker does for a Bearer token, built on jose instead:
// a Hono app whose middleware takes `Authorization: Bearer <token>`, verifies it with jose's
// jwtVerify against createRemoteJWKSet(JWKS_URL) (made once per isolate, jose's own cache and
// cooldown), checks issuer and audience, answers 401 JSON with the error code otherwise, and
// passes the claims to the same /me handler as the example's. Public /health as in the example.
import { Hono } from 'hono';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const app = new Hono();
let jwks;

app.get('/health', (c) => c.text('ok'));

app.use('*', async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer ([^\s]+)$/i.exec(header);
  if (match === null) {
    return c.json({ error: 'missing_token', code: null }, 401, { 'www-authenticate': 'Bearer', 'cache-control': 'no-store' });
  }
  jwks ??= createRemoteJWKSet(new URL(c.env.JWKS_URL));
  try {
    const { payload } = await jwtVerify(match[1], jwks, { issuer: c.env.ISSUER, audience: c.env.AUDIENCE });
    c.set('auth', { source: 'bearer', sub: payload.sub, claims: payload });
  } catch (error) {
    const code = typeof error?.code === 'string' ? error.code : null;
    const status = code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC' ? 503 : 401;
    return c.json({ error: status === 503 ? 'temporarily_unavailable' : 'invalid_token', code }, status, {
      'www-authenticate': 'Bearer error="invalid_token"',
      'cache-control': 'no-store',
    });
  }
  return next();
});

app.get('/me', (c) => {
  const auth = c.get('auth');
  return c.json({
    source: auth.source,
    sub: auth.sub,
    email: auth.claims.email ?? null,
    name: auth.claims.name ?? null,
    expiresAt: typeof auth.claims.exp === 'number' ? new Date(auth.claims.exp * 1000).toISOString() : null,
  });
});

export default app;
