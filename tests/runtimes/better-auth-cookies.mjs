// A real Better Auth server (the npm `better-auth` dev dependency) with its session cookie cache
// enabled, in this process, on 127.0.0.1 and a free port: in-memory database, email and password
// sign-up and sign-in, served by node:http through Better Auth's own `toNodeHandler`.
//
// tests/runtimes/better-auth-server.mjs starts Better Auth with fixed session and cookie options;
// this harness is the cookie-cache variant: it sets `session.cookieCache` (strategy, maxAge,
// version), `session.expiresIn`, `advanced.cookiePrefix` and `advanced.useSecureCookies`, and can add
// the JWT plugin with `sessionCookieCache: true`. It hands back the raw `Set-Cookie` lines of each
// response and the `Cookie` header a browser would send after them.
//
// Every HTTP call is bounded by a timeout, and close() ends the listener and every open connection.
import { createServer, request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { toNodeHandler } from 'better-auth/node';
import { jwt } from 'better-auth/plugins/jwt';
import { closer, failure, listen } from './loopback-server.mjs';

const REQUEST_TIMEOUT_MS = 10_000;
// A session_data cookie may have up to 100 chunks of ~4 KB: Set-Cookie and Cookie headers far over
// Node's default 16 KiB header limit. Both ends of this harness accept up to 1 MiB of headers.
const MAX_HEADER_SIZE = 1024 * 1024;

/**
 * Parses the `Set-Cookie` lines of a response into `[{ name, value, attributes, line }]`, in order.
 * `value` is the raw value as sent on the wire (a browser sends it back unchanged); attribute
 * names are lower-cased.
 */
export function parseSetCookies(lines) {
  return lines.map((line) => {
    const [pair, ...rest] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const attributes = {};
    for (const part of rest) {
      const [key, ...v] = part.split('=');
      if (key.trim()) attributes[key.trim().toLowerCase()] = v.length ? v.join('=').trim() : true;
    }
    return { name, value, attributes, line };
  });
}

/**
 * The cookies a browser keeps after these `Set-Cookie` lines, applied over `jar` (a Map of name to
 * raw value): a cookie with an empty value or `Max-Age` <= 0 is deleted, any other is stored.
 */
export function applySetCookies(jar, lines) {
  const next = new Map(jar);
  for (const cookie of parseSetCookies(lines)) {
    const maxAge = cookie.attributes['max-age'];
    if (cookie.value === '' || (maxAge !== undefined && Number(maxAge) <= 0)) next.delete(cookie.name);
    else next.set(cookie.name, cookie.value);
  }
  return next;
}

/** The value of a `Cookie` request header for a Map (or an array of [name, value]) of cookies. */
export function cookieHeaderOf(jar) {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/**
 * One HTTP request with node:http (fetch cannot read response headers over 16 KiB), bounded by
 * REQUEST_TIMEOUT_MS. Resolves to a small Response-like object: status, ok, headers.get(),
 * headers.getSetCookie(), text(), json().
 */
function send(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const allHeaders = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = httpRequest(url, { method, headers: allHeaders, maxHeaderSize: MAX_HEADER_SIZE }, (res) => {
      const parts = [];
      res.on('data', (part) => parts.push(part));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(parts).toString('utf8');
        const setCookie = res.headers['set-cookie'] ?? [];
        resolve({
          status: res.statusCode,
          ok: res.statusCode >= 200 && res.statusCode < 300,
          headers: {
            get: (name) => {
              const value = res.headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
            },
            getSetCookie: () => [...setCookie],
          },
          text: async () => text,
          json: async () => JSON.parse(text),
        });
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`${method} ${url} did not answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/**
 * Starts Better Auth with the cookie cache on.
 * @param {{
 *   strategy?: 'compact' | 'jwt' | 'jwe',  // session.cookieCache.strategy (Better Auth's default: compact)
 *   maxAge?: number,                       // session.cookieCache.maxAge in seconds (default 300)
 *   version?: string,                      // session.cookieCache.version
 *   sessionExpiresIn?: number,             // session.expiresIn in seconds (Better Auth's default: 7 days)
 *   jwtPlugin?: boolean,                   // add jwt({ sessionCookieCache: true }) (needs strategy 'jwt')
 *   plainPrivateKeys?: boolean,            // JWT plugin: jwks.disablePrivateKeyEncryption, so privateJwks() can read the signing key
 *   secret?: string,                       // the Better Auth secret (default: 32 random bytes, hex)
 *   cookiePrefix?: string,                 // advanced.cookiePrefix
 *   useSecureCookies?: boolean,            // advanced.useSecureCookies
 * }} options
 */
export async function startCookieServer({
  strategy, maxAge = 300, version, sessionExpiresIn, jwtPlugin = false, plainPrivateKeys = false,
  secret = randomBytes(32).toString('hex'), cookiePrefix, useSecureCookies,
} = {}) {
  let nodeHandler = null;
  const server = createServer({ maxHeaderSize: MAX_HEADER_SIZE }, (req, res) => {
    if (!nodeHandler) {
      res.writeHead(503).end('not ready');
      return;
    }
    Promise.resolve(nodeHandler(req, res)).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error && error.stack));
    });
  });
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;

  // The memory adapter needs every table the server uses to exist, empty.
  const db = { user: [], session: [], account: [], verification: [], jwks: [] };
  const cookieCache = { enabled: true, maxAge };
  if (strategy !== undefined) cookieCache.strategy = strategy;
  if (version !== undefined) cookieCache.version = version;
  const session = { cookieCache };
  if (sessionExpiresIn !== undefined) session.expiresIn = sessionExpiresIn;
  const advanced = {};
  if (cookiePrefix !== undefined) advanced.cookiePrefix = cookiePrefix;
  if (useSecureCookies !== undefined) advanced.useSecureCookies = useSecureCookies;
  const plugins = [];
  if (jwtPlugin) {
    plugins.push(jwt({ sessionCookieCache: true, ...(plainPrivateKeys ? { jwks: { disablePrivateKeyEncryption: true } } : {}) }));
  }
  let auth;
  try {
    auth = betterAuth({
      baseURL: url,
      secret,
      database: memoryAdapter(db),
      emailAndPassword: { enabled: true },
      session,
      advanced,
      telemetry: { enabled: false },
      logger: { level: 'error' },
      plugins,
    });
    nodeHandler = toNodeHandler(auth);
  } catch (error) {
    server.close();
    throw error;
  }

  const call = (path, init = {}) => send(url + path, init);

  /** What a response set: its raw Set-Cookie lines, the parsed cookies, and the browser's jar after it. */
  function cookiesOf(response, jar = new Map()) {
    const setCookie = response.headers.getSetCookie();
    const next = applySetCookies(jar, setCookie);
    return { setCookie, cookies: parseSetCookies(setCookie), jar: next, cookieHeader: cookieHeaderOf(next) };
  }

  async function postJson(path, body, what) {
    const response = await call(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await failure(what, response);
    const result = cookiesOf(response);
    const json = await response.json();
    if (!json || !json.user || typeof json.user.id !== 'string') {
      throw new Error(`Better Auth ${what} returned no user: ${JSON.stringify(json).slice(0, 300)}`);
    }
    if (!result.cookieHeader) throw new Error(`Better Auth ${what} set no cookie`);
    return { ...result, user: json.user, body: json };
  }

  /** POST /api/auth/sign-up/email (extra fields such as `image` go in `extra`). */
  function signUp(email, password, name, extra = {}) {
    return postJson('/api/auth/sign-up/email', { email, password, name, ...extra }, 'POST /api/auth/sign-up/email');
  }

  /** POST /api/auth/sign-in/email: a new session, with fresh cookies. */
  function signIn(email, password) {
    return postJson('/api/auth/sign-in/email', { email, password }, 'POST /api/auth/sign-in/email');
  }

  /**
   * GET /api/auth/get-session with this Cookie header: the server's own verdict on the cookies
   * (body null when it sees no session) and the cookies it set in reply.
   */
  async function getSession(cookieHeader, { disableCookieCache = false } = {}) {
    const query = disableCookieCache ? '?disableCookieCache=true' : '';
    const response = await call(`/api/auth/get-session${query}`, { headers: { cookie: cookieHeader } });
    if (!response.ok) throw await failure('GET /api/auth/get-session', response);
    const jar = new Map(cookieHeader.split(/;\s*/).filter(Boolean).map((pair) => {
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }));
    const result = cookiesOf(response, jar);
    return { ...result, body: await response.json() };
  }

  async function jwksNow() {
    const response = await call('/api/auth/jwks');
    if (!response.ok) throw await failure('GET /api/auth/jwks', response);
    return response.json();
  }

  /**
   * The JWT plugin's private keys as JWKs with their kid and alg (needs plainPrivateKeys). The
   * plugin creates its first key lazily, on the first signature: concurrent first sign-ins can
   * create one key each.
   */
  function privateJwks() {
    if (!plainPrivateKeys) throw new Error('privateJwks() needs startCookieServer({ plainPrivateKeys: true })');
    return db.jwks.map((row) => ({ ...JSON.parse(row.privateKey), kid: row.id, alg: row.alg }));
  }

  const close = closer(server);

  return { url, secret, auth, db, signUp, signIn, getSession, jwks: jwksNow, privateJwks, close };
}
