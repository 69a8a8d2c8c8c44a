/**
 * edge-jwt/hono: the gate of `edge-jwt/next`'s `authProxy` as a [Hono](https://hono.dev) middleware,
 * for Cloudflare Workers and every other runtime Hono runs on. `edgeJwt(options)` verifies a Bearer
 * token or Better Auth's session cookie with the gate of `./gate.ts`, answers API requests without a
 * valid credential with 401 JSON and `WWW-Authenticate: Bearer`, redirects page requests to the
 * sign-in page (with a callback URL), and lets verified requests through with:
 *
 * - `c.get('jwtPayload')`: the verified claims (the name Hono's own `hono/jwt` middleware uses);
 * - `c.get('auth')`: what was verified ({@link VerifiedClaims}: `source`, `sub`, `claims`, `session`);
 * - `c.req.raw` replaced by a copy of the request whose claims headers were removed and set again
 *   from the verified result, so `readVerifiedClaims(c.req.raw)`, and an origin server behind
 *   `fetch(c.req.raw)`, read claims that a client cannot forge.
 *
 * On public paths both variables are `null` (and forged claims headers are removed all the same).
 *
 * Only types are imported from `hono`: this module has no runtime dependency on it. The core is
 * imported as `edge-jwt`, so the host's resolution picks its entry per runtime (`workerd` on
 * Workers: the `.wasm` arrives as a compiled module).
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { JWTPayload } from 'edge-jwt';
import { createGate, denyResponse, type Gate, type GateDeny, type GateOptions, type VerifiedClaims } from './gate.js';

// The gate's whole public surface (createGate, denyResponse, readVerifiedClaims, the header names and
// the types), as edge-jwt/next offers it.
export * from './gate.js';

/**
 * The context variables {@link edgeJwt} sets. Declare them on your app so handlers are typed:
 * `new Hono<{ Bindings: Env; Variables: EdgeJwtVariables }>()`.
 *
 * @typeParam C - the claims' shape you expect (not checked: the gate passes on what it verified).
 *   For Better Auth tokens: the user's fields (`email`, `name`, ...) besides the registered claims.
 */
export type EdgeJwtVariables<C extends JWTPayload = JWTPayload> = {
  /** The verified claims (`auth.claims`), as `hono/jwt` names them; `null` on a public path. */
  jwtPayload: C | null;
  /** What was verified: `source` (`bearer` or `cookie`), `sub`, `claims`, `session`; `null` on a public path. */
  auth: VerifiedClaims<C> | null;
};

/**
 * The Hono environment of {@link edgeJwt}'s middleware: your bindings and {@link EdgeJwtVariables}.
 *
 * @typeParam C - the claims' shape.
 * @typeParam B - the bindings (`c.env`): on Workers, your vars, secrets, KV namespaces.
 */
export type EdgeJwtEnv<C extends JWTPayload = JWTPayload, B extends object = object> = {
  Bindings: B;
  Variables: EdgeJwtVariables<C>;
};

/**
 * Options of {@link edgeJwt}: the gate's options (`jwks`, `issuer`, `audience`, `publicPaths`,
 * `apiPaths`, `signInPath`, `session`, ...; see `GateOptions`), and `onDeny`.
 */
export interface EdgeJwtOptions<C extends JWTPayload = JWTPayload, B extends object = object> extends GateOptions {
  /**
   * Answers a denied request instead of the default response (`denyResponse(decision)`: 307 to the
   * sign-in page for pages, 401 JSON with `WWW-Authenticate` for API paths, 503 when no keys can
   * be fetched). `decision.status`, `decision.body`, `decision.responseHeaders` and
   * `decision.location` say what the default would send.
   */
  onDeny?: (c: Context<EdgeJwtEnv<C, B>>, decision: GateDeny) => Response | Promise<Response>;
}

/** The request with the gate's headers, its body (if still unread) moved along. */
function withHeaders(raw: Request, headers: Headers): Request {
  if (!raw.bodyUsed) return new Request(raw, { headers });
  // A middleware before this one read the body through Hono (which keeps its own copy of it).
  return new Request(raw.url, { method: raw.method, headers, redirect: raw.redirect, signal: raw.signal });
}

/**
 * Makes the Hono middleware gate.
 *
 * `options` is either the options, checked at once (a mistake throws here, when the module loads),
 * or a function of the bindings (`c.env`), for Workers, where vars and secrets only arrive with a
 * request: it is called once, on the first request, and the gate it makes (with its remote key set
 * and caches) serves every later request. If it throws, that request fails (Hono's `onError`) and
 * the next request calls it again.
 *
 * @typeParam C - the claims' shape you expect (for Better Auth tokens: the user's fields).
 * @typeParam B - the bindings, inferred from the function's parameter.
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { edgeJwt, type EdgeJwtVariables } from 'edge-jwt/hono';
 *
 * type Bindings = { BETTER_AUTH_URL: string; JWKS_URL: string };
 * const app = new Hono<{ Bindings: Bindings; Variables: EdgeJwtVariables }>();
 *
 * app.use(edgeJwt((env: Bindings) => ({
 *   jwks: env.JWKS_URL,
 *   issuer: env.BETTER_AUTH_URL,
 *   audience: env.BETTER_AUTH_URL,
 *   publicPaths: ['/', '/health'],
 * })));
 * app.get('/api/me', (c) => c.json({ user: c.get('jwtPayload') }));
 * export default app;
 * ```
 */
export function edgeJwt<C extends JWTPayload = JWTPayload, B extends object = object>(
  options: EdgeJwtOptions<C, B> | ((env: B) => EdgeJwtOptions<C, B>),
): MiddlewareHandler<EdgeJwtEnv<C, B>> {
  if (typeof options !== 'function' && (typeof options !== 'object' || options === null)) {
    throw new TypeError('edgeJwt needs options, or a function of the bindings that returns them');
  }
  let gate: Gate | undefined;
  let onDeny: EdgeJwtOptions<C, B>['onDeny'];
  const make = (resolved: EdgeJwtOptions<C, B>): Gate => {
    if (typeof resolved !== 'object' || resolved === null) throw new TypeError('edgeJwt: the options function must return the options');
    const { onDeny: deny, ...gateOptions } = resolved;
    if (deny !== undefined && typeof deny !== 'function') throw new TypeError('onDeny must be a function');
    const made = createGate(gateOptions);
    onDeny = deny;
    return made;
  };
  if (typeof options !== 'function') gate = make(options);

  return async (c: Context<EdgeJwtEnv<C, B>>, next: Next): Promise<Response | void> => {
    gate ??= make((options as (env: B) => EdgeJwtOptions<C, B>)(c.env));
    const raw = c.req.raw;
    const decision = await gate(raw);
    if (decision.kind === 'deny') return onDeny === undefined ? denyResponse(decision) : onDeny(c, decision);
    // Replaced when the gate set or removed a header (a forged claims header, in any spelling).
    if (decision.kind === 'allow' || [...raw.headers.keys()].some((name) => !decision.headers.has(name))) {
      c.req.raw = withHeaders(raw, decision.headers);
    }
    if (decision.kind === 'allow') {
      const auth = decision.auth as VerifiedClaims<C>;
      c.set('auth', auth);
      c.set('jwtPayload', auth.claims);
    } else {
      c.set('auth', null);
      c.set('jwtPayload', null);
    }
    await next();
  };
}
