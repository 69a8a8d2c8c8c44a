// A real Better Auth server (the npm `better-auth` dev dependency) with its JWT plugin, in this
// process, on 127.0.0.1 and a free port: in-memory database, email and password sign-up, served by
// node:http through Better Auth's own `toNodeHandler` (`better-auth/node`). It counts the GET
// requests for the JWKS it answers (except the harness's own), so tests can check how often a
// verifier fetched the keys.
// Every HTTP call made here is bounded by a timeout, and close() ends the listener and every open
// connection.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { toNodeHandler } from 'better-auth/node';
import { jwt } from 'better-auth/plugins/jwt';
import { closer, failure, listen } from './loopback-server.mjs';

const REQUEST_TIMEOUT_MS = 10_000;
// Marks the harness's own requests, so that requests.jwks counts only the verifier's fetches.
const HARNESS_HEADER = 'x-better-auth-harness';

/** The value of a `Cookie` request header made of every cookie in the response's `Set-Cookie`s. */
export function cookieHeaderOf(response) {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';', 1)[0].trim())
    .filter((pair) => pair.includes('=') && !pair.endsWith('='))
    .join('; ');
}

/**
 * An HTTP server that counts requests (`requests.total`, and `requests.jwks` for key set fetches
 * that are not the harness's own) and hands them to `handler()`, answering 503 until there is one.
 */
export function countingServer(requests, handler) {
  return createServer((req, res) => {
    requests.total += 1;
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'GET' && path === '/api/auth/jwks' && req.headers[HARNESS_HEADER] === undefined) requests.jwks += 1;
    const nodeHandler = handler();
    if (!nodeHandler) {
      res.writeHead(503).end('not ready');
      return;
    }
    Promise.resolve(nodeHandler(req, res)).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error && error.stack));
    });
  });
}

/** `fetch` for the harness's own requests to `url` (marked, so they are not counted as fetches). */
export function harnessFetch(url) {
  return (path, init = {}) => fetch(url + path, {
    ...init,
    headers: { ...init.headers, [HARNESS_HEADER]: '1' },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

/**
 * Starts Better Auth with `jwt({ jwks: { keyPairConfig, rotationInterval }, jwt: jwtOptions })`.
 * @param {{ keyPairConfig?: object, jwtOptions?: object, rotationInterval?: number, port?: number }} options
 */
export async function startBetterAuth({ keyPairConfig, jwtOptions, rotationInterval, port } = {}) {
  const requests = { jwks: 0, total: 0 };
  let nodeHandler = null;
  const server = countingServer(requests, () => nodeHandler);
  // Listen first, so the base URL (and so the tokens' `iss` and `aud`) names the real port.
  const boundPort = await listen(server, port);
  const url = `http://127.0.0.1:${boundPort}`;

  const jwks = {};
  if (keyPairConfig !== undefined) jwks.keyPairConfig = keyPairConfig;
  if (rotationInterval !== undefined) jwks.rotationInterval = rotationInterval;
  let auth;
  try {
    auth = betterAuth({
      baseURL: url,
      secret: randomBytes(32).toString('hex'),
      // The memory adapter needs every table the server uses to exist, empty.
      database: memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] }),
      emailAndPassword: { enabled: true },
      telemetry: { enabled: false },
      logger: { level: 'error' },
      plugins: [jwt({ jwks, ...(jwtOptions ? { jwt: jwtOptions } : {}) })],
    });
    nodeHandler = toNodeHandler(auth);
  } catch (error) {
    server.close();
    throw error;
  }

  const call = harnessFetch(url);

  async function signUp(email, password, name) {
    const response = await call('/api/auth/sign-up/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ email, password, name }),
    });
    if (!response.ok) throw await failure('POST /api/auth/sign-up/email', response);
    const cookieHeader = cookieHeaderOf(response);
    const body = await response.json();
    if (!cookieHeader) throw new Error('Better Auth sign-up set no session cookie');
    if (!body || !body.user || typeof body.user.id !== 'string') {
      throw new Error(`Better Auth sign-up returned no user: ${JSON.stringify(body).slice(0, 300)}`);
    }
    return { cookieHeader, user: body.user };
  }

  async function token(cookieHeader) {
    const response = await call('/api/auth/token', { headers: { cookie: cookieHeader } });
    if (!response.ok) throw await failure('GET /api/auth/token', response);
    const body = await response.json();
    if (!body || typeof body.token !== 'string') throw new Error(`GET /api/auth/token returned no token: ${JSON.stringify(body)}`);
    return body.token;
  }

  async function sessionJwt(cookieHeader) {
    const response = await call('/api/auth/get-session', { headers: { cookie: cookieHeader } });
    if (!response.ok) throw await failure('GET /api/auth/get-session', response);
    const header = response.headers.get('set-auth-jwt');
    await response.arrayBuffer();
    if (!header) throw new Error('GET /api/auth/get-session sent no set-auth-jwt header (is the session valid?)');
    return header;
  }

  // The test's own look at the key set; not counted in requests.jwks.
  async function jwksNow() {
    const response = await call('/api/auth/jwks');
    if (!response.ok) throw await failure('GET /api/auth/jwks', response);
    return response.json();
  }

  const close = closer(server);

  return { url, auth, signUp, token, sessionJwt, jwks: jwksNow, requests, close };
}
