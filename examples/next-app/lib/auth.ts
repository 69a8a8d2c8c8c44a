// Better Auth, server side: email and password, the JWT plugin (tokens at /api/auth/token, keys at
// /api/auth/jwks), and a session cookie cache signed by the JWT plugin's keys, so the gate checks
// sessions with the public keys alone (no secret in proxy.ts / middleware.ts, no database call).
import { randomBytes } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { nextCookies } from 'better-auth/next-js';
import { jwt } from 'better-auth/plugins/jwt';
import { origin } from './origin';

function secret(): string {
  const fromEnv = process.env.BETTER_AUTH_SECRET;
  if (fromEnv !== undefined && fromEnv.length >= 32) return fromEnv;
  // Demo only: the database below lives in memory too, so a secret that lives as long as the
  // process loses nothing. A real app sets BETTER_AUTH_SECRET (openssl rand -base64 32).
  console.warn('BETTER_AUTH_SECRET is not set (or shorter than 32 characters): using a random secret for this process');
  return randomBytes(32).toString('base64');
}

export const auth = betterAuth({
  baseURL: origin,
  secret: secret(),
  // The memory adapter needs every table the plugins use declared, empty. Data is lost on restart.
  database: memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] }),
  emailAndPassword: { enabled: true },
  session: {
    // session_data: a signed copy of the session, verified by the gate without the database.
    cookieCache: { enabled: true, strategy: 'jwt', maxAge: 5 * 60 },
  },
  telemetry: { enabled: false },
  plugins: [
    // sessionCookieCache: the cookie cache is signed by the JWT plugin's keys (Better Auth 1.7+).
    jwt({ sessionCookieCache: true, jwt: { expirationTime: process.env.JWT_EXPIRATION ?? '15m' } }),
    nextCookies(),
  ],
});
