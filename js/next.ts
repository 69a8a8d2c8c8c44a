/**
 * edge-jwt/next: the Next.js gate (reference: docs/gate.md). `authProxy(options)` is a ready `proxy.ts`
 * (Next 16, Node runtime) or `middleware.ts` (edge runtime) handler: it verifies a Bearer token or
 * Better Auth's session cookie with the gate of `./gate.ts`, redirects page requests without a valid
 * session to the sign-in page (with a callback URL), answers API requests with 401 JSON and
 * `WWW-Authenticate: Bearer`, and passes the verified claims to the app in request headers that a
 * client cannot forge. `getVerifiedClaims()` reads them back in server components and route handlers.
 *
 * The core is imported as `edge-jwt`, so Next resolves its entry per runtime: the `node` entry for
 * `proxy.ts`, the `edge-light` entry (a precompiled `?module` WebAssembly import) for `middleware.ts`.
 *
 * @module
 */
import { NextResponse } from 'next/server.js';
import type { JWTPayload } from 'edge-jwt';
import {
  createGate,
  readVerifiedClaims,
  type GateDecision,
  type GateDeny,
  type GateOptions,
  type HeaderReader,
  type VerifiedClaims,
} from './gate.js';

export {
  createGate,
  denyResponse,
  readVerifiedClaims,
  DEFAULT_CLAIMS_HEADER,
  DEFAULT_SUBJECT_HEADER,
  type AuthSource,
  type ClaimsHeaderNames,
  type DenyBody,
  type DenyReason,
  type FallbackSession,
  type ForwardedSession,
  type Gate,
  type GateAllow,
  type GateDecision,
  type GateDeny,
  type GateLogEntry,
  type GateOptions,
  type GatePublic,
  type HeaderReader,
  type PathPattern,
  type VerifiedClaims,
} from './gate.js';

/**
 * Options of {@link authProxy}: the gate's options, and `onDeny`. In addition to `publicPaths`,
 * Next's own static files (`/_next/static/`, `/_next/image`, `/favicon.ico`) are always public, so a
 * proxy without a `matcher` does not redirect the sign-in page's scripts.
 */
export interface AuthProxyOptions extends GateOptions {
  /**
   * Answers a denied request instead of the default response (307 to the sign-in page for pages,
   * 401 JSON with `WWW-Authenticate` for API paths, 503 when no keys can be fetched).
   * `decision.status`, `decision.body`, `decision.responseHeaders`, `decision.location`,
   * `decision.code` and `decision.error` say what the default would send and why. A plain
   * `Response` is returned as a `NextResponse` with the same status, headers and body.
   */
  onDeny?: (request: Request, decision: GateDeny) => Response | Promise<Response>;
}

/**
 * The handler {@link authProxy} returns: export it as `proxy` (or default) from `proxy.ts`, or as
 * `middleware` (or default) from `middleware.ts`.
 */
export type AuthProxy = (request: Request) => Promise<NextResponse>;

/** Next's build output and the favicon: never gated. */
const NEXT_ASSETS = ['/_next/static/', '/_next/image', '/favicon.ico'];

function respond(decision: GateDecision): NextResponse {
  if (decision.kind !== 'deny') return NextResponse.next({ request: { headers: decision.headers } });
  let response: NextResponse;
  if (decision.status === 307 && decision.location !== undefined) {
    response = NextResponse.redirect(decision.location, 307);
  } else if (decision.body !== undefined) {
    response = NextResponse.json(decision.body, { status: decision.status });
  } else {
    response = new NextResponse('Service unavailable: credentials cannot be checked right now. Try again shortly.\n', {
      status: decision.status,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  decision.responseHeaders.forEach((value, name) => response.headers.set(name, value));
  return response;
}

/**
 * Makes the Next.js gate. Options are checked at once (a mistake throws when `proxy.ts` loads); a
 * remote key set is made once and shared by every request.
 *
 * @example
 * ```ts
 * // proxy.ts (Next 16, Node runtime); in middleware.ts (edge): export const middleware = authProxy({...})
 * import { authProxy } from 'edge-jwt/next';
 *
 * export const proxy = authProxy({
 *   jwks: `${process.env.BETTER_AUTH_URL}/api/auth/jwks`,
 *   issuer: process.env.BETTER_AUTH_URL,
 *   audience: process.env.BETTER_AUTH_URL,
 *   publicPaths: ['/', '/sign-up'],
 * });
 * export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] };
 * ```
 */
export function authProxy(options: AuthProxyOptions): AuthProxy {
  if (typeof options !== 'object' || options === null) throw new TypeError('authProxy needs options');
  const { onDeny, ...gateOptions } = options;
  if (onDeny !== undefined && typeof onDeny !== 'function') throw new TypeError('onDeny must be a function');
  const gate = createGate({ ...gateOptions, publicPaths: [...NEXT_ASSETS, ...(gateOptions.publicPaths ?? [])] });
  return async (request: Request) => {
    const decision = await gate(request);
    if (decision.kind !== 'deny' || onDeny === undefined) return respond(decision);
    const response = await onDeny(request, decision);
    return response instanceof NextResponse ? response : new NextResponse(response.body, response);
  };
}

/**
 * The verified claims of the current request, in a server component, a route handler or a server
 * action (reads `headers()` from `next/headers`). `null` when the gate did not verify this request
 * (a public path). Only trust it on paths the proxy runs on.
 *
 * @typeParam C - the claims' shape you expect (for Better Auth tokens: the user's fields).
 * @param header - the claims header, if `authProxy` was given another `claimsHeader`.
 * @example
 * ```tsx
 * export default async function Dashboard() {
 *   const auth = await getVerifiedClaims<{ email: string; name: string }>();
 *   return <p>Signed in as {auth?.claims.email}</p>;
 * }
 * ```
 */
export async function getVerifiedClaims<C extends JWTPayload = JWTPayload>(header?: string): Promise<VerifiedClaims<C> | null> {
  const { headers } = await import('next/headers.js');
  return readVerifiedClaims<C>(await headers(), header);
}

/**
 * The verified claims carried by a request or its headers (a route handler's `request`, for
 * example). `null` when there are none. Same as {@link readVerifiedClaims}.
 *
 * @param input - a `Request` (or `NextRequest`), or headers.
 * @param header - the claims header, if `authProxy` was given another `claimsHeader`.
 */
export function verifiedClaims<C extends JWTPayload = JWTPayload>(
  input: Request | { headers: HeaderReader } | HeaderReader,
  header?: string,
): VerifiedClaims<C> | null {
  return readVerifiedClaims<C>(input, header);
}
