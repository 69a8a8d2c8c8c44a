// The gate's options, shared by proxy.ts (Node runtime) and middleware.ts (edge runtime).
import type { AuthProxyOptions } from 'edge-jwt/next';
import { origin } from './origin';

export const gateOptions: AuthProxyOptions = {
  // Better Auth's JWKS, fetched once and cached (refetched on an unknown kid). An absolute URL.
  jwks: `${origin}/api/auth/jwks`,
  // Better Auth's tokens carry the base URL origin as issuer and audience.
  issuer: origin,
  audience: origin,
  // Everything else needs a session (cookie) or a token (Authorization: Bearer). The sign-in page
  // and Better Auth's routes (/api/auth) are always public.
  publicPaths: ['/', '/sign-up'],
  // Pages without a session go to /sign-in?callbackURL=<path>; /api/* answers 401 JSON.
  signInPath: '/sign-in',
};
