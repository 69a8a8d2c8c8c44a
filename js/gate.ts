/**
 * The framework-free gate behind `edge-jwt/next` and `edge-jwt/hono`: a standard `Request` in, a
 * {@link GateDecision} out. It verifies a Bearer token (the `Authorization` header) against the
 * configured keys, or Better Auth's session cookie cache, and says what to do: let a public request
 * through, let a verified one through with its claims in request headers, or answer a redirect
 * (pages), a 401 (API) or a 503 (the keys cannot be fetched).
 *
 * Claims headers are never trusted from the client: every decision that lets a request through
 * carries a copy of the request headers with every incoming claims header removed, and, when the
 * request was verified, set again from the verified result.
 *
 * Path patterns and how a request path is read are in `./paths.ts`: a path counts as public only
 * if every reading of it is public (as sent, decoded once and twice, with dot segments resolved and
 * slashes merged as nginx does, `\` as `/`, `;` parameters dropped), and as an API path or a
 * protected path if any reading is (protected paths also with case folded).
 *
 * @module
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  LocalKeySet,
  RemoteKeySet,
  verifySessionCookie,
  verifyToken,
  type JWKS,
  type JWTPayload,
  type RemoteJWKSetOptions,
  type SessionCookieOptions,
  type SessionResult,
  type VerifyOptions,
} from 'edge-jwt';
import { pathMatcher, pathReadings, patternList, type PathMatcher, type PathPattern } from './paths.js';

export type { PathPattern } from './paths.js';

/** Where a request's credentials came from. */
export type AuthSource = 'bearer' | 'cookie';

/**
 * Better Auth's session row as forwarded to the app: the row from the verified cookie without its
 * `token` (the session token is a credential and never leaves the gate).
 */
export interface ForwardedSession {
  /** The session id. */
  id?: string;
  /** The user's id. */
  userId?: string;
  /** When the session expires (ISO 8601, as Better Auth writes it). */
  expiresAt?: string;
  /** Any other column (`createdAt`, `ipAddress`, `userAgent`, additional fields). */
  [field: string]: unknown;
}

/**
 * What the gate verified, as the app reads it back with {@link readVerifiedClaims}.
 *
 * @typeParam C - the shape of the claims. Defaults to {@link JWTPayload}; the gate does not check a
 *   narrower type, it only passes on what it verified.
 */
export interface VerifiedClaims<C extends JWTPayload = JWTPayload> {
  /** `bearer`: a token in the `Authorization` header; `cookie`: Better Auth's session cookie. */
  source: AuthSource;
  /** The subject: the token's `sub`, or the session's user id. Absent only for a token without `sub`. */
  sub?: string;
  /**
   * The claims. For a Bearer token, its verified payload (a Better Auth token carries the user's
   * fields: `email`, `name`, ...). For a session cookie, the user's fields plus `sub` (the user id),
   * so both sources read alike.
   */
  claims: C;
  /** For a session cookie, the session (without its token); absent for a Bearer token. */
  session?: ForwardedSession;
}

/**
 * A user's session as a fallback returns it (the shape of Better Auth's `auth.api.getSession()`).
 */
export interface FallbackSession {
  /** The session row; its `token` is dropped before it is forwarded. */
  session: Record<string, unknown>;
  /** The user; `id` becomes `sub`. */
  user: Record<string, unknown> & { id: string };
}

/** The names of the request headers that carry the verified result to the app. */
export interface ClaimsHeaderNames {
  /** The JSON of {@link VerifiedClaims}. */
  claims: string;
  /** The subject alone, or `null` when it is not set. */
  subject: string | null;
  /** Every header removed from incoming requests (both of the above, plus `stripHeaders`). */
  stripped: readonly string[];
}

/** The default name of the header carrying the JSON of {@link VerifiedClaims}. */
export const DEFAULT_CLAIMS_HEADER = 'x-edge-jwt-claims';
/** The default name of the header carrying the verified subject alone. */
export const DEFAULT_SUBJECT_HEADER = 'x-edge-jwt-sub';

/**
 * Options of {@link createGate} (and of `authProxy` and the Hono middleware, which take the same).
 *
 * The verification options (`issuer`, `audience`, `algorithms`, `typ`, `clockTolerance`,
 * `maxTokenAge`, `requiredClaims`, `crit`, `secret`, `tokenCache`) apply to Bearer tokens, with
 * jose's meaning. Set `issuer` and `audience`: Better Auth's tokens carry its base URL origin in both.
 */
export interface GateOptions extends Omit<VerifyOptions, 'currentDate'> {
  /**
   * The keys for Bearer tokens (and for session cookies signed by the JWT plugin's keys):
   * - an absolute `http(s)` URL (a string or a `URL`): a remote key set made once per gate with
   *   `createRemoteJWKSet(url, jwksOptions)`, cached, refetched on an unknown `kid`. Better Auth
   *   serves it at `<baseURL>/api/auth/jwks`. Relative URLs are refused: resolving them against the
   *   request's `Host` header would let a client choose the keys.
   * - a JWKS object `{ keys: [...] }` or its JSON text (starting with `{`): a local key set, parsed
   *   on the first request.
   * - a key set made by `createRemoteJWKSet` or `createLocalJWKSet`, to share it.
   */
  jwks?: string | URL | JWKS | LocalKeySet | RemoteKeySet;
  /** Options of the remote key set made from a `jwks` URL (timeouts, cooldown, `initial`, `store`, ...). */
  jwksOptions?: RemoteJWKSetOptions;
  /** Whether Bearer tokens are accepted. Default `true` when `jwks` or `secret` is set. */
  bearer?: boolean;
  /**
   * Whether Bearer tokens need `issuer` and `audience` to be configured. Default `true`: a gate that
   * accepts Bearer tokens without them throws when it is made, since it would accept a token any
   * service sharing the keys made for any other. `false` accepts tokens of any issuer or audience
   * (those given are still checked).
   */
  requireIssuerAudience?: boolean;
  /**
   * Better Auth's session cookie cache, verified with `verifySessionCookie` (every strategy; these
   * options are passed through). `false` turns cookies off. Default: on when `jwks` is set, with
   * `{ jwks }` (cookies of `jwt({ sessionCookieCache: true })`), and this gate's `issuer` when it is a
   * string. Give `secret` here for the `compact` (Better Auth's default), `jwe` and HS256 `jwt`
   * strategies; `jwks` defaults to this gate's keys.
   */
  session?: Omit<SessionCookieOptions, 'currentDate'> | false;
  /**
   * Called when a request has cookies but no usable cookie cache (absent or expired: Better Auth
   * keeps it for `cookieCache.maxAge`, 5 minutes by default; or `session: false`), and no Bearer
   * token. Return the
   * session, or `null` for none. In a Node-runtime `proxy.ts`:
   * `sessionFallback: (request) => auth.api.getSession({ headers: request.headers })`.
   * If it throws, the request is answered 503. Default: none (a miss is no session).
   */
  sessionFallback?: (request: Request) => Promise<FallbackSession | null | undefined>;
  /**
   * Paths that pass without credentials (forged claims headers are still removed). Default `[]`.
   * The sign-in page and `authBasePath` are public in any case.
   */
  publicPaths?: PathPattern[];
  /**
   * When set, only these paths are gated and every other path is public. Default: every path that is
   * not public is gated.
   */
  protectedPaths?: PathPattern[];
  /** Paths answered like an API (401 JSON) rather than a page (redirect). Default `['/api/']`. */
  apiPaths?: PathPattern[];
  /** Better Auth's own routes, public so that signing in works; `false` to gate them. Default `'/api/auth'`. */
  authBasePath?: string | false;
  /** The sign-in page, where page requests without a valid session are redirected. Default `'/sign-in'`. */
  signInPath?: string;
  /** The query parameter carrying the original path and query to the sign-in page. Default `'callbackURL'` (Better Auth's). */
  callbackParam?: string;
  /** The request header carrying the JSON of {@link VerifiedClaims}. Default `'x-edge-jwt-claims'`. */
  claimsHeader?: string;
  /**
   * The request header carrying the verified subject alone (handy for logs and rate limits); set
   * only when it is printable ASCII. `false` for none. Default `'x-edge-jwt-sub'`.
   */
  subjectHeader?: string | false;
  /** More request headers to remove from every incoming request (for example an older claims header). */
  stripHeaders?: string[];
  /** The `realm` of the `WWW-Authenticate` challenge. Default: none. */
  realm?: string;
  /**
   * Logs every denial on the server: `true` writes one line per denial with `console.warn`; a
   * function receives a {@link GateLogEntry}. Never sent to the client. Default: off.
   */
  debug?: boolean | ((entry: GateLogEntry) => void);
}

/**
 * What `debug` logs about a denied request. It names the error's own message, which may quote claim
 * values (an unexpected `iss`), but never the token or the cookie.
 */
export interface GateLogEntry {
  /** The denial's reason. */
  reason: DenyReason;
  /** The answer's status. */
  status: 307 | 401 | 503;
  /** The verifier's error code, when a credential was refused. */
  code: string | undefined;
  /** The failing claim (`iss`, `aud`, `exp`, `session_token`, ...), when a claim check failed. */
  claim?: string;
  /** The message the client gets. */
  message: string;
  /** The verifier's own message (for the server's log only). */
  detail?: string;
  /** The request path, as received. */
  path: string;
}

/** Why a request was turned away. */
export type DenyReason = 'missing_token' | 'session_cache_missing' | 'invalid_token' | 'unavailable';

/** The JSON body of a 401 or 503 answer to an API request. */
export interface DenyBody {
  /**
   * `missing_token`; `session_cache_missing` (a `session_token` cookie without a usable cookie
   * cache, and no `sessionFallback`); `invalid_token` (RFC 6750's name); or
   * `temporarily_unavailable` (503).
   */
  error: 'missing_token' | 'session_cache_missing' | 'invalid_token' | 'temporarily_unavailable';
  /** The verifier's error code (`ERR_JWT_EXPIRED`, ...), or `null` when no credential was sent. */
  code: string | null;
  /** A short description, the same as the challenge's `error_description`. Never contains the token. */
  message: string;
}

/** A request that needs no credentials: pass it on with `headers` (forged claims headers removed). */
export interface GatePublic {
  kind: 'public';
  /** The request headers to forward. */
  headers: Headers;
}

/** A verified request: pass it on with `headers` (claims headers set from the verified result). */
export interface GateAllow {
  kind: 'allow';
  /** What was verified. */
  auth: VerifiedClaims;
  /** `auth.source`. */
  source: AuthSource;
  /** The request headers to forward. */
  headers: Headers;
}

/** A request turned away: answer it with `status`, `responseHeaders` and, for API requests, `body`. */
export interface GateDeny {
  kind: 'deny';
  /** Why. */
  reason: DenyReason;
  /** Whether the path is an API path (answered with JSON) rather than a page (redirected). */
  api: boolean;
  /** 307 (a page, to the sign-in page), 401 (an API request), or 503 (no usable keys, or the fallback failed). */
  status: 307 | 401 | 503;
  /** For 307: the sign-in page, with the original path and query in the callback parameter. */
  location?: URL;
  /** For API requests: the JSON body. */
  body?: DenyBody;
  /** `WWW-Authenticate` (401), `Retry-After` (503), `Cache-Control: no-store`; `Location` is separate. */
  responseHeaders: Headers;
  /** The verifier's error code, when a credential was refused. */
  code?: string;
  /** The client-facing description (the body's `message`; for pages, not sent). Never contains the token. */
  message: string;
  /** The error itself, for logging (its message may name claim values; it never contains the token). */
  error?: unknown;
}

/** What the gate says about a request. */
export type GateDecision = GatePublic | GateAllow | GateDeny;

/** A gate made by {@link createGate}. */
export interface Gate {
  /**
   * Decides about one request. Rejects only for a configuration mistake (a local `jwks` that does
   * not parse, a `TypeError` from the verifier's options) or a failure that is not a verdict on the
   * credential (an error without a jose code), never for a bad or forged credential.
   */
  (request: Request): Promise<GateDecision>;
  /** The claims header names this gate sets and strips. */
  readonly headerNames: ClaimsHeaderNames;
}

type Keys = LocalKeySet | RemoteKeySet;

const OUTAGE_CODES = new Set(['ERR_JWKS_FETCH_FAILED', 'ERR_JWKS_TIMEOUT']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A subject a header carries exactly: printable ASCII without leading or trailing space (which `Headers` trims). */
const EXACT_HEADER_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)$/;
/** The `typ` and `aud` of the JWT plugin's session cookie cache (`jwt({ sessionCookieCache: true })`). */
const SESSION_CACHE_TYP = 'better-auth.session-cache+jwt';
const SESSION_CACHE_AUDIENCE = 'better-auth:session-cache';

function headerName(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !HEADER_NAME.test(value)) throw new TypeError(`${name} must be a header name`);
  return value.toLowerCase();
}

/** A header name as CGI/WSGI origins see it (`-` and `_` alike), to strip every spelling. */
function cgiName(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

function pathOption(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  // A backslash is a slash to the WHATWG URL parser ("/\evil.com" is "//evil.com", another host).
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u0020\u007f?#]/.test(value)) {
    throw new TypeError(`${name} must be a path starting with a single "/", without "\\", "?", "#", spaces or control characters`);
  }
  if (new URL(value, 'http://gate.invalid').origin !== 'http://gate.invalid') throw new TypeError(`${name} must be a same-origin path`);
  return value;
}

/** JSON as a header value: every character outside printable ASCII escaped as `\uXXXX`. */
function headerJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function quoted(text: string): string {
  // RFC 6750 error_description: %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash).
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
}

function bearerToken(headers: Headers): string | undefined {
  const value = headers.get('authorization');
  if (value === null) return undefined;
  const match = /^\s*bearer(?:\s+(.*?))?\s*$/i.exec(value);
  if (match === null) return undefined; // another scheme (Basic, ...): not ours
  return match[1] ?? '';
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_') ? code : undefined;
}

function claimOf(error: unknown): string | undefined {
  const claim = (error as { claim?: unknown } | null)?.claim;
  return typeof claim === 'string' && /^[A-Za-z0-9_]{1,32}$/.test(claim) ? claim : undefined;
}

function detailOf(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** What the gate expects of a claim it compares (`iss`, `aud`), to explain a mismatch without naming values. */
type Expected = { iss?: string | string[] | undefined; aud?: string | string[] | undefined };

/** How a refused claim differs from the expected values, in words that name neither. */
function mismatchHint(found: unknown, expected: string | string[] | undefined): string {
  if (expected === undefined) return '';
  const wanted = Array.isArray(expected) ? expected : [expected];
  const values = (Array.isArray(found) ? found : [found]).filter((v): v is string => typeof v === 'string');
  const bare = (s: string): string => s.replace(/\/+$/, '');
  if (values.some((v) => wanted.some((w) => v !== w && bare(v) === bare(w)))) return ' (it differs from the configured value only by a trailing slash)';
  if (values.some((v) => wanted.some((w) => v.toLowerCase() === w.toLowerCase()))) return ' (it differs from the configured value only in case)';
  return ' (check the issuer and audience options: they must equal the values the token carries exactly)';
}

function description(code: string, source: AuthSource, error: unknown, expected: Expected, keysOnlyCookies: boolean): string {
  const what = source === 'bearer' ? 'the token' : 'the session cookie';
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return `${what} has expired`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWE_DECRYPTION_FAILED':
      return `${what} has an invalid signature`;
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return `no key verifies ${what}`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return `the algorithm of ${what} is not accepted`;
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = claimOf(error);
      const payload = (error as { payload?: Record<string, unknown> }).payload ?? {};
      if (claim === 'iss') return `the issuer (iss) of ${what} is not the one this server accepts${mismatchHint(payload.iss, expected.iss)}`;
      if (claim === 'aud') return `the audience (aud) of ${what} is not one this server accepts${mismatchHint(payload.aud, expected.aud)}`;
      return claim === undefined ? `a claim of ${what} is not valid` : `the ${claim} claim of ${what} is not valid`;
    }
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JWE_INVALID':
      return source === 'cookie' && keysOnlyCookies
        ? 'the session cookie is not signed by the JWT plugin keys this server has; compact and jwe cookies (and HS256 jwt ones) need the gate to be configured with session.secret'
        : `${what} is malformed`;
    default:
      return `${what} is not valid`;
  }
}

function forwardedSession(session: Record<string, unknown>): ForwardedSession {
  const { token: _token, ...rest } = session;
  return rest as ForwardedSession;
}

function cookieClaims(result: FallbackSession | SessionResult): VerifiedClaims {
  const user = result.user;
  return { source: 'cookie', sub: user.id, claims: { ...user, sub: user.id }, session: forwardedSession(result.session) };
}

/**
 * Whether a verified Bearer token is one of Better Auth's session cookie caches, never an access
 * token: the JWT plugin's (by its `typ` or audience), or an HS256 one (by the session token it carries).
 */
function isSessionCache(payload: JWTPayload, header: { typ?: unknown }): boolean {
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : '';
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const session = (payload as { session?: unknown }).session;
  const carriesSessionToken = typeof session === 'object' && session !== null && 'token' in session;
  return typ === SESSION_CACHE_TYP || aud.includes(SESSION_CACHE_AUDIENCE) || carriesSessionToken;
}

/** The names of cookies in a `Cookie` header. */
function cookieNames(header: string): Set<string> {
  return new Set(header.split(';').map((pair) => pair.split('=', 1)[0]?.trim() ?? '').filter((name) => name !== ''));
}

function logger(debug: unknown): ((entry: GateLogEntry) => void) | undefined {
  if (debug === undefined || debug === false) return undefined;
  if (debug === true) {
    return (entry) => {
      const claim = entry.claim === undefined ? '' : ` claim=${entry.claim}`;
      console.warn(`[edge-jwt] ${entry.status} ${entry.reason} ${entry.code ?? '-'}${claim} path=${JSON.stringify(entry.path)}: ${entry.detail ?? entry.message}`);
    };
  }
  if (typeof debug === 'function') return debug as (entry: GateLogEntry) => void;
  throw new TypeError('debug must be a boolean or a function');
}

/**
 * Makes a gate. Options are checked at once (a mistake throws `TypeError` here, not on a request);
 * a remote key set is made here and shared by every request through this gate; a local key set is
 * parsed on the first request.
 *
 * A request goes through these steps, the first that decides wins: its path is public (every
 * reading of it is); it carries a Bearer token (verified: allow; refused: deny); it carries Better
 * Auth's session cookie cache (verified: allow; forged: deny); the session fallback finds a session;
 * otherwise it is denied as without credentials.
 *
 * @example
 * ```ts
 * const gate = createGate({
 *   jwks: 'https://app.example.com/api/auth/jwks',
 *   issuer: 'https://app.example.com',
 *   audience: 'https://app.example.com',
 *   publicPaths: ['/', '/about', '/sign-up'],
 * });
 * const decision = await gate(request);
 * if (decision.kind === 'deny') return denyResponse(decision);
 * // decision.headers: the request headers to forward (claims set or stripped)
 * ```
 */
export function createGate(options: GateOptions): Gate {
  if (typeof options !== 'object' || options === null) throw new TypeError('the gate needs options');
  const {
    jwks,
    jwksOptions,
    bearer,
    requireIssuerAudience,
    session,
    sessionFallback,
    publicPaths,
    protectedPaths,
    apiPaths,
    authBasePath,
    signInPath,
    callbackParam,
    claimsHeader,
    subjectHeader,
    stripHeaders,
    realm,
    debug,
    ...verifyOptions
  } = options;

  // Keys.
  let keys: Keys | undefined;
  let localSource: JWKS | string | undefined;
  if (jwks instanceof RemoteKeySet || jwks instanceof LocalKeySet) {
    keys = jwks;
  } else if (jwks instanceof URL || (typeof jwks === 'string' && !jwks.trimStart().startsWith('{'))) {
    const url = String(jwks);
    if (!/^https?:\/\//i.test(url)) {
      throw new TypeError(`jwks must be an absolute http(s) URL (a relative one would be resolved against the client's Host header); found ${JSON.stringify(url)}`);
    }
    keys = createRemoteJWKSet(url, jwksOptions);
  } else if (typeof jwks === 'string' || (typeof jwks === 'object' && jwks !== null)) {
    localSource = jwks;
  } else if (jwks !== undefined) {
    throw new TypeError('jwks must be a URL, a JWKS object or its JSON text, or a key set');
  }
  const hasKeys = keys !== undefined || localSource !== undefined;
  let localError: unknown;
  const keySet = (): Keys | undefined => {
    if (keys === undefined && localSource !== undefined) {
      if (localError !== undefined) throw localError;
      try {
        keys = createLocalJWKSet(localSource);
      } catch (error) {
        localError = error;
        throw error;
      }
    }
    return keys;
  };

  // Bearer tokens.
  const acceptBearer = bearer ?? (hasKeys || verifyOptions.secret !== undefined);
  if (typeof acceptBearer !== 'boolean') throw new TypeError('bearer must be a boolean');
  if (acceptBearer && !hasKeys && verifyOptions.secret === undefined) {
    throw new TypeError('bearer tokens need jwks (or secret, for HS256/384/512 tokens)');
  }
  if (requireIssuerAudience !== undefined && typeof requireIssuerAudience !== 'boolean') throw new TypeError('requireIssuerAudience must be a boolean');
  if (acceptBearer && requireIssuerAudience !== false && (verifyOptions.issuer === undefined || verifyOptions.audience === undefined)) {
    throw new TypeError(
      'bearer tokens need issuer and audience (Better Auth puts its base URL in both), so that a token made for another service is refused; ' +
        'set bearer: false for session cookies only, or requireIssuerAudience: false to accept tokens of any issuer or audience',
    );
  }

  // Session cookies.
  let sessionOptions: Omit<SessionCookieOptions, 'currentDate' | 'jwks'> & { jwks?: SessionCookieOptions['jwks'] } | undefined;
  if (session === false) {
    sessionOptions = undefined;
  } else if (session === undefined) {
    sessionOptions = hasKeys ? {} : undefined;
  } else if (typeof session === 'object' && session !== null) {
    sessionOptions = { ...session };
    if (session.jwks === undefined && session.secret === undefined && !hasKeys) {
      throw new TypeError('session cookies need session.secret (compact, jwe, HS256 jwt) or jwks (JWT-plugin cookies)');
    }
  } else {
    throw new TypeError('session must be an options object or false');
  }
  if (sessionOptions !== undefined && sessionOptions.issuer === undefined && typeof verifyOptions.issuer === 'string') {
    sessionOptions.issuer = verifyOptions.issuer;
  }
  if (!acceptBearer && sessionOptions === undefined && sessionFallback === undefined) {
    throw new TypeError('the gate accepts neither bearer tokens nor session cookies (jwks, secret, session or sessionFallback)');
  }
  if (sessionFallback !== undefined && typeof sessionFallback !== 'function') throw new TypeError('sessionFallback must be a function');
  const keysOnlyCookies = sessionOptions !== undefined && sessionOptions.secret === undefined;
  const cookiePrefix = typeof session === 'object' && typeof session.cookiePrefix === 'string' ? session.cookiePrefix : 'better-auth';
  const plainTokenCookie = `${cookiePrefix}.${typeof session === 'object' && typeof session.sessionTokenName === 'string' ? session.sessionTokenName : 'session_token'}`;
  const secureNames = typeof session === 'object' ? session.secureCookies : undefined;
  const tokenCookies = [...(secureNames === false ? [] : [`__Secure-${plainTokenCookie}`]), ...(secureNames === true ? [] : [plainTokenCookie])];

  // Paths.
  const signIn = pathOption(signInPath, 'signInPath', '/sign-in');
  const authBase = authBasePath === false ? undefined : pathOption(authBasePath, 'authBasePath', '/api/auth');
  const callback = callbackParam ?? 'callbackURL';
  if (typeof callback !== 'string' || callback === '') throw new TypeError('callbackParam must be a non-empty string');
  const isPublic = pathMatcher([signIn, ...(authBase === undefined ? [] : [authBase]), ...(patternList(publicPaths, 'publicPaths') ?? [])]);
  const protectedList = patternList(protectedPaths, 'protectedPaths');
  const isProtected = protectedList === undefined ? undefined : pathMatcher(protectedList, { foldCase: true });
  const isApi = pathMatcher(patternList(apiPaths, 'apiPaths') ?? ['/api/'], { foldCase: true });

  // Headers.
  const claimsName = headerName(claimsHeader, 'claimsHeader', DEFAULT_CLAIMS_HEADER);
  const subjectName = subjectHeader === false ? null : headerName(subjectHeader, 'subjectHeader', DEFAULT_SUBJECT_HEADER);
  if (stripHeaders !== undefined && !Array.isArray(stripHeaders)) throw new TypeError('stripHeaders must be an array of header names');
  const stripped = [
    ...new Set([
      claimsName,
      ...(subjectName === null ? [] : [subjectName]),
      // The default names too: an app (or a reader left at its default) may still read them.
      DEFAULT_CLAIMS_HEADER,
      DEFAULT_SUBJECT_HEADER,
      ...(stripHeaders ?? []).map((name, i) => headerName(name, `stripHeaders[${i}]`, '')),
    ]),
  ];
  const strippedCgi = new Set(stripped.map(cgiName));
  if (realm !== undefined && typeof realm !== 'string') throw new TypeError('realm must be a string');
  const realmPart = realm === undefined ? '' : ` realm="${quoted(realm)}"`;
  const log = logger(debug);
  const expected: Expected = { iss: verifyOptions.issuer, aud: verifyOptions.audience };
  const cookieExpected: Expected = { iss: sessionOptions?.issuer };

  // Decision steps, in order.

  /** Whether the path needs credentials, and whether it is answered like an API. */
  const classify = (request: Request): { open: boolean; api: boolean } => {
    const { readings, mayBePublic } = pathReadings(new URL(request.url).pathname);
    const any = (test: PathMatcher): boolean => readings.some((path) => test(path, request));
    const all = (test: PathMatcher): boolean => readings.every((path) => test(path, request));
    const gated = isProtected === undefined || any(isProtected);
    return { open: !gated || (mayBePublic && all(isPublic)), api: any(isApi) };
  };

  const cleanHeaders = (request: Request): Headers => {
    const headers = new Headers(request.headers);
    for (const name of [...headers.keys()]) if (strippedCgi.has(cgiName(name))) headers.delete(name);
    return headers;
  };

  const deny = (request: Request, api: boolean, reason: DenyReason, code: string | undefined, message: string, error?: unknown): GateDeny => {
    const responseHeaders = new Headers({ 'cache-control': 'no-store' });
    const base = { kind: 'deny' as const, reason, api, responseHeaders, message, ...(code === undefined ? {} : { code }), ...(error === undefined ? {} : { error }) };
    let decision: GateDeny;
    if (reason === 'unavailable') {
      responseHeaders.set('retry-after', '5');
      decision = { ...base, status: 503, ...(api ? { body: { error: 'temporarily_unavailable', code: code ?? null, message } } : {}) };
    } else if (!api) {
      const url = new URL(request.url);
      const location = new URL(signIn, url);
      // The original path and query, as a same-origin relative reference (never "//host").
      location.searchParams.set(callback, `${url.pathname.replace(/^\/+/, '/')}${url.search}`);
      decision = { ...base, status: 307, location };
    } else {
      responseHeaders.set(
        'www-authenticate',
        reason === 'invalid_token' ? `Bearer${realmPart}${realm === undefined ? '' : ','} error="invalid_token", error_description="${quoted(message)}"` : `Bearer${realmPart}`,
      );
      decision = { ...base, status: 401, body: { error: reason, code: code ?? null, message } };
    }
    if (log !== undefined) {
      const claim = claimOf(error);
      const detail = detailOf(error);
      log({ reason, status: decision.status, code, message, path: new URL(request.url).pathname, ...(claim === undefined ? {} : { claim }), ...(detail === undefined ? {} : { detail }) });
    }
    return decision;
  };

  const refused = (request: Request, api: boolean, source: AuthSource, error: unknown, keysUsed: Keys | undefined): GateDeny => {
    const code = codeOf(error);
    if (code === undefined) throw error; // not a verdict on the credential: a configuration mistake or a bug
    const outage = OUTAGE_CODES.has(code) || (code === 'ERR_JWKS_INVALID' && keysUsed instanceof RemoteKeySet && keysUsed.jwks() === undefined);
    if (outage) return deny(request, api, 'unavailable', code, 'the keys to verify credentials cannot be fetched; try again later', error);
    return deny(request, api, 'invalid_token', code, description(code, source, error, source === 'bearer' ? expected : cookieExpected, keysOnlyCookies), error);
  };

  const allow = (request: Request, auth: VerifiedClaims): GateAllow => {
    const headers = cleanHeaders(request);
    headers.set(claimsName, headerJson(auth));
    if (subjectName !== null && auth.sub !== undefined && EXACT_HEADER_VALUE.test(auth.sub)) headers.set(subjectName, auth.sub);
    return { kind: 'allow', auth, source: auth.source, headers };
  };

  type Step = GateDecision | undefined;

  const bearerStep = async (request: Request, api: boolean): Promise<Step> => {
    const token = acceptBearer ? bearerToken(request.headers) : undefined;
    if (token === undefined) return undefined;
    const used = keySet(); // a local key set that does not parse is a configuration mistake: thrown
    let verified: { payload: JWTPayload; protectedHeader: { typ?: unknown } };
    try {
      verified = await verifyToken(token, used ?? null, verifyOptions);
    } catch (error) {
      return refused(request, api, 'bearer', error, used);
    }
    const { payload, protectedHeader } = verified;
    if (isSessionCache(payload, protectedHeader)) {
      const error = new errors.JWTClaimValidationFailed('a session cookie cache is not accepted as a Bearer token', payload, 'typ', 'check_failed');
      return deny(request, api, 'invalid_token', error.code, 'the token is a session cookie cache, not an access token', error);
    }
    return allow(request, { source: 'bearer', ...(typeof payload.sub === 'string' ? { sub: payload.sub } : {}), claims: payload });
  };

  const cookieStep = async (request: Request, api: boolean): Promise<Step> => {
    if (sessionOptions === undefined || (request.headers.get('cookie') ?? '') === '') return undefined;
    const used = sessionOptions.jwks === undefined ? keySet() : undefined;
    let result: SessionResult | null;
    try {
      const withKeys: SessionCookieOptions = used === undefined ? (sessionOptions as SessionCookieOptions) : { ...sessionOptions, jwks: used };
      result = await verifySessionCookie(request, withKeys);
    } catch (error) {
      return refused(request, api, 'cookie', error, used ?? (sessionOptions.jwks instanceof RemoteKeySet ? sessionOptions.jwks : undefined));
    }
    return result === null ? undefined : allow(request, cookieClaims(result));
  };

  const fallbackStep = async (request: Request, api: boolean): Promise<Step> => {
    if (sessionFallback === undefined || (request.headers.get('cookie') ?? '') === '') return undefined;
    let fallback: FallbackSession | null | undefined;
    try {
      fallback = await sessionFallback(request);
    } catch (error) {
      return deny(request, api, 'unavailable', undefined, 'the session could not be checked; try again later', error);
    }
    return fallback !== null && fallback !== undefined && typeof fallback.user?.id === 'string' ? allow(request, cookieClaims(fallback)) : undefined;
  };

  const noCredentials = (request: Request, api: boolean): GateDeny => {
    const names = cookieNames(request.headers.get('cookie') ?? '');
    const sessionOnly = sessionFallback === undefined && tokenCookies.some((name) => names.has(name));
    if (!sessionOnly) return deny(request, api, 'missing_token', undefined, 'no bearer token or session cookie was sent');
    return deny(
      request,
      api,
      'session_cache_missing',
      undefined,
      "a session_token cookie was sent without a usable session_data cookie cache (absent or expired), and this gate does not read the database: enable Better Auth's session.cookieCache, or give the gate a sessionFallback",
    );
  };

  const gate = async (request: Request): Promise<GateDecision> => {
    const { open, api } = classify(request);
    if (open) return { kind: 'public', headers: cleanHeaders(request) };
    return (
      (await bearerStep(request, api)) ??
      (await cookieStep(request, api)) ??
      (await fallbackStep(request, api)) ??
      noCredentials(request, api)
    );
  };

  return Object.assign(gate, {
    headerNames: Object.freeze({ claims: claimsName, subject: subjectName, stripped: Object.freeze(stripped) }),
  }) as Gate;
}

/**
 * A standard `Response` for a denied request: the redirect (307, `Location`), the 401 with its JSON
 * body and `WWW-Authenticate` challenge, or the 503 (JSON for API requests, text for pages).
 */
export function denyResponse(decision: GateDeny): Response {
  const headers = new Headers(decision.responseHeaders);
  if (decision.status === 307 && decision.location !== undefined) {
    headers.set('location', decision.location.href);
    return new Response(null, { status: 307, headers });
  }
  if (decision.body !== undefined) {
    headers.set('content-type', 'application/json');
    return new Response(JSON.stringify(decision.body), { status: decision.status, headers });
  }
  headers.set('content-type', 'text/plain; charset=utf-8');
  return new Response('Service unavailable: credentials cannot be checked right now. Try again shortly.\n', { status: decision.status, headers });
}

/** Anything with a `get(name)` returning a header value: `Headers`, Next's `ReadonlyHeaders`. */
export interface HeaderReader {
  get(name: string): string | null;
}

/**
 * Reads what the gate verified back from the request (or its headers), on the server side (route
 * handlers, server components, Hono handlers). Returns `null` when the request carries no valid
 * claims header.
 *
 * Only trust it on routes the gate runs on: the gate removes every incoming copy of the header, but a
 * route the gate does not cover (outside a Next.js `matcher`, for example) receives whatever the
 * client sent.
 *
 * @typeParam C - the claims' shape you expect (not checked: the gate passes on what it verified).
 * @param input - the request, or its headers (`Headers`, Next's `headers()`, anything with `get`).
 * @param header - the claims header name, if the gate was configured with another `claimsHeader`.
 */
export function readVerifiedClaims<C extends JWTPayload = JWTPayload>(
  input: { headers: HeaderReader } | HeaderReader,
  header: string = DEFAULT_CLAIMS_HEADER,
): VerifiedClaims<C> | null {
  const headers = 'get' in input && typeof input.get === 'function' ? input : (input as { headers: HeaderReader }).headers;
  const value = headers.get(header);
  if (value === null || value === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const auth = parsed as Partial<VerifiedClaims<C>>;
  if ((auth.source !== 'bearer' && auth.source !== 'cookie') || typeof auth.claims !== 'object' || auth.claims === null) return null;
  return auth as VerifiedClaims<C>;
}
