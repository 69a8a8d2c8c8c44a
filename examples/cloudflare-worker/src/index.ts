// A Cloudflare Worker (Hono) whose API is gated by edge-jwt/hono: Better Auth tokens
// (`Authorization: Bearer <token from /api/auth/token>`) and Better Auth's session cookie are
// verified at the edge against the JWT plugin's public keys, with no call to the auth server per
// request (the keys are fetched once per isolate, and again only when a token names a new key).
import { Hono } from 'hono';
import type { JWTPayload } from 'edge-jwt';
import { edgeJwt, type EdgeJwtVariables } from 'edge-jwt/hono';

/** The Worker's bindings: the `[vars]` of wrangler.toml, and secrets. */
export interface Env {
  /** Better Auth's public keys: `<Better Auth base URL>/api/auth/jwks`. */
  JWKS_URL: string;
  /** The `iss` its tokens carry: Better Auth's base URL, unless its JWT plugin sets `jwt.issuer`. */
  ISSUER: string;
  /** The `aud` its tokens carry: Better Auth's base URL, unless its JWT plugin sets `jwt.audience`. */
  AUDIENCE: string;
  /**
   * Only for session cookies of Better Auth's `compact` or `jwe` cookie-cache strategies
   * (`wrangler secret put BETTER_AUTH_SECRET`). Cookies signed by the JWT plugin's keys
   * (`jwt({ sessionCookieCache: true })`) need no secret.
   */
  BETTER_AUTH_SECRET?: string;
}

/** What a Better Auth token carries besides the registered claims: the user's fields. */
export type UserClaims = JWTPayload & { email?: string; name?: string };

const app = new Hono<{ Bindings: Env; Variables: EdgeJwtVariables<UserClaims> }>();

// The bindings arrive with the first request: the options are made then, once, and the gate (with
// its cached key set) serves every later request of this isolate.
app.use(
  edgeJwt((env: Env) => ({
    jwks: env.JWKS_URL,
    issuer: env.ISSUER,
    audience: env.AUDIENCE,
    ...(env.BETTER_AUTH_SECRET ? { session: { secret: env.BETTER_AUTH_SECRET } } : {}),
    publicPaths: ['/', '/health', '/public/**'],
    apiPaths: ['/**'], // an API: every refusal is a 401 (or 503) JSON answer, never a redirect
  })),
);

app.get('/', (c) =>
  c.text('edge-jwt on Cloudflare Workers. GET /me with "Authorization: Bearer <token>" or a Better Auth session cookie.\n'),
);

app.get('/health', (c) => c.text('ok'));

app.get('/public/hello', (c) => c.json({ hello: 'world' }));

// Gated: the middleware only lets verified requests through, so `auth` is set here.
app.get('/me', (c) => {
  const auth = c.get('auth')!;
  return c.json({
    source: auth.source, // 'bearer' or 'cookie'
    sub: auth.sub,
    email: auth.claims.email ?? null,
    name: auth.claims.name ?? null,
    expiresAt: typeof auth.claims.exp === 'number' ? new Date(auth.claims.exp * 1000).toISOString() : (auth.session?.expiresAt ?? null),
  });
});

export default app;
