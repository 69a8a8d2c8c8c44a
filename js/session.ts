/**
 * `verifySessionCookie`: Better Auth's `session_data` cookie cache verified at the edge, with no
 * database and no call to `/api/auth/get-session`. The Rust core finds the cookies (chunks joined),
 * opens the strategy (`compact`, `jwt`, `jwe`) and makes Better Auth's checks (the cache belongs to
 * the `session_token` cookie sent with it, whose own signature is verified when the secret is given;
 * its version; its expiry); cookies signed by the JWT plugin's keys go through `verifyToken` with
 * the key set given (without the secret, the `session_token` cookie's signature cannot be checked).
 *
 * @module
 */
import { JWSInvalid } from './errors.js';
import { wasmFailure } from './failure.js';
import type { LocalKeySet } from './keys.js';
import type { RemoteKeySet } from './remote.js';
import type { JWKS } from './types.js';
import { verifyToken } from './verify.js';
import { bindingsAsync } from './wasm.js';

/** Options of {@link verifySessionCookie}. */
export interface SessionCookieOptions {
  /** How the cache was written. Default: detected from the cookie (5 segments jwe, 3 jwt, else compact). */
  strategy?: 'compact' | 'jwt' | 'jwe';
  /** Better Auth's secret (`BETTER_AUTH_SECRET`): needed for compact, jwe and HS256 jwt cookies. */
  secret?: string;
  /** The JWT plugin's keys, for `jwt({ sessionCookieCache: true })` cookies (no secret needed). */
  jwks?: RemoteKeySet | LocalKeySet | JWKS | string;
  /** For JWT-plugin cookies: the expected `iss` (Better Auth's base URL origin). Not checked if absent. */
  issuer?: string;
  /** `advanced.cookiePrefix`. Default `better-auth`. */
  cookiePrefix?: string;
  /**
   * Which cookie names are read. `true`: only `__Secure-<prefix>.<name>` (what Better Auth writes
   * for an `https` base URL or `advanced.useSecureCookies`), so a plain-named cookie set by a
   * sibling subdomain or a plain-HTTP page is never read; `false`: only the plain names. Default:
   * the `__Secure-` names when any of them is sent, else the plain ones (never a mix of the two).
   */
  secureCookies?: boolean;
  /** The cache cookie's name. Default `session_data`. */
  cookieName?: string;
  /** The session cookie's name. Default `session_token`. */
  sessionTokenName?: string;
  /** `session.cookieCache.version`. Default `"1"`; a cache of another version is a miss. */
  version?: string;
  /** The clock. Default: now. */
  currentDate?: Date;
}

/** A session read from a verified cookie. */
export interface SessionResult {
  /** Better Auth's session row: `id`, `token`, `userId`, `expiresAt`, ... */
  session: Record<string, unknown> & { token?: string; userId?: string; expiresAt?: string };
  /** Better Auth's user: `id`, `email`, `name`, ... */
  user: Record<string, unknown> & { id: string };
  /** The whole verified cache payload. */
  payload: Record<string, unknown>;
}


const encoder = new TextEncoder();

function cookieHeader(input: unknown): string | null {
  if (typeof input === 'string') return input;
  const headers = (input as { headers?: unknown })?.headers ?? input;
  if (headers !== null && typeof headers === 'object' && typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get('cookie');
  }
  throw new TypeError('verifySessionCookie takes a Request, Headers, or a Cookie header string');
}

function text(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

/**
 * Verifies Better Auth's cookie cache. Resolves to `{ session, user, payload }`, or `null` when
 * there is no usable cache (absent, expired, another version): fall back to Better Auth then.
 * Rejects with a coded error when a cookie is present but forged or tampered.
 *
 * @example
 * ```js
 * const result = await verifySessionCookie(request, { secret: process.env.BETTER_AUTH_SECRET });
 * if (result) console.log(result.user.id);
 * ```
 */
export async function verifySessionCookie(
  input: Request | Headers | string,
  options: SessionCookieOptions,
): Promise<SessionResult | null> {
  if (typeof options !== 'object' || options === null) throw new TypeError('verifySessionCookie needs options');
  const strategy = options.strategy;
  if (strategy !== undefined && strategy !== 'compact' && strategy !== 'jwt' && strategy !== 'jwe') {
    throw new TypeError('strategy must be "compact", "jwt" or "jwe"');
  }
  if (options.secret !== undefined && (typeof options.secret !== 'string' || options.secret.length === 0)) {
    throw new TypeError('secret must be a non-empty string');
  }
  if (options.secret === undefined && options.jwks === undefined) {
    throw new TypeError('verifySessionCookie needs options.secret (compact, jwe, HS256 jwt) or options.jwks (JWT-plugin cookies)');
  }
  const prefix = text(options.cookiePrefix, 'cookiePrefix', 'better-auth');
  const dataName = text(options.cookieName, 'cookieName', 'session_data');
  const tokenName = text(options.sessionTokenName, 'sessionTokenName', 'session_token');
  const version = text(options.version, 'version', '1');
  if (options.secureCookies !== undefined && typeof options.secureCookies !== 'boolean') throw new TypeError('secureCookies must be a boolean');
  let nowMs = Date.now();
  if (options.currentDate !== undefined) {
    if (Object.prototype.toString.call(options.currentDate) !== '[object Date]' || !Number.isFinite(options.currentDate.getTime())) {
      throw new TypeError('currentDate must be a valid Date');
    }
    nowMs = options.currentDate.getTime();
  }
  const header = cookieHeader(input);
  if (header === null || header === '') return null;

  const wasm = await bindingsAsync();
  const [data, sessionToken] = wasm.findSessionCookies(header, prefix, dataName, tokenName, options.secureCookies);
  if (data === undefined) return null;
  const kind = strategy ?? wasm.detectStrategy(data);
  const pluginSigned = kind === 'jwt' && options.jwks !== undefined && !(options.secret !== undefined && wasm.sessionJwtAlg(data) === 'HS256');

  let payload: string | undefined;
  if (pluginSigned) {
    try {
      const verified = await verifyToken(data, options.jwks, {
        typ: 'better-auth.session-cache+jwt',
        audience: 'better-auth:session-cache',
        clockTolerance: 15,
        currentDate: new Date(nowMs),
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      });
      payload = JSON.stringify(verified.payload);
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_JWT_EXPIRED') return null;
      throw error;
    }
  } else {
    if (options.secret === undefined) {
      // Only the JWT plugin's keys were given: a cookie of another shape (or a JWT cut short, a
      // chunk missing) cannot be theirs. A present but unusable cookie is a coded error.
      throw new JWSInvalid(
        `the ${dataName} cookie is not a JWT signed by the JWT plugin's keys (it looks like a ${kind} cookie, or is truncated); ${kind === 'jwt' ? '' : 'compact and jwe cookies need options.secret'}`.trim(),
      );
    }
    try {
      payload = wasm.openSessionData(data, kind, encoder.encode(options.secret), nowMs);
    } catch (error) {
      throw wasmFailure(error);
    }
    if (payload === undefined) return null;
  }
  let checked: string[] | undefined;
  try {
    const secret = options.secret === undefined ? undefined : encoder.encode(options.secret);
    checked = wasm.checkSession(payload, sessionToken, secret, version, nowMs, pluginSigned);
  } catch (error) {
    throw wasmFailure(error);
  }
  if (checked === undefined) return null;
  const [session, user] = checked;
  return {
    session: JSON.parse(session ?? '{}') as SessionResult['session'],
    user: JSON.parse(user ?? '{}') as SessionResult['user'],
    payload: JSON.parse(payload) as Record<string, unknown>,
  };
}
