// A real Better Auth server (the npm `better-auth` dev dependency) whose key set a test can take
// away and rotate: the JWT plugin (EdDSA tokens at /api/auth/token, keys at /api/auth/jwks) with
// the session cookie cache signed by its keys (`jwt({ sessionCookieCache: true })`, cookie cache
// strategy `jwt`), an in-memory database and email and password sign-up, served by node:http
// through Better Auth's own `toNodeHandler` on 127.0.0.1.
//
// - down(): Better Auth's HTTP server stops (its listener closed, every open connection destroyed).
//   Until up(), the port is held by a bare TCP listener that resets every connection as soon as it
//   is accepted, so a verifier's fetch of the keys fails at once, as against a stopped server, and
//   each attempt is counted (requests.refused).
// - rotate(): ends the current signing key's rotation interval (the plugin runs with
//   `jwks.rotationInterval`), so Better Auth itself makes a new key on its next signature and keeps
//   publishing the old one within its grace period, as a rotation in production does.
// - requests.jwks counts the GETs of /api/auth/jwks that reached the server, except the harness's
//   own (jwks()), so a test can bound how often a verifier fetched the keys; requests.refused counts
//   the connections reset while it was down.
// Every HTTP call made here is bounded by a timeout, and close() ends the listener and every open
// connection.
import { createServer as createTcpServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { toNodeHandler } from 'better-auth/node';
import { jwt } from 'better-auth/plugins/jwt';
import { cookieHeaderOf, countingServer, harnessFetch } from './better-auth-server.mjs';
import { failure, listen } from './loopback-server.mjs';

const CLOSE_TIMEOUT_MS = 5_000;
// Long enough never to end by itself during a test: only rotate() ends a key's interval.
const ROTATION_INTERVAL_S = 24 * 3600;


/** Starts the server on 127.0.0.1 and a free port. */
export async function startRotatingBetterAuth() {
  const requests = { jwks: 0, total: 0, refused: 0 };
  const sockets = new Set();
  let nodeHandler = null;
  const server = countingServer(requests, () => nodeHandler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  let listening = true;

  const db = { user: [], session: [], account: [], verification: [], jwks: [] };
  let auth;
  try {
    auth = betterAuth({
      baseURL: url,
      secret: randomBytes(32).toString('hex'),
      database: memoryAdapter(db),
      emailAndPassword: { enabled: true },
      session: { cookieCache: { enabled: true, strategy: 'jwt', maxAge: 300 } },
      telemetry: { enabled: false },
      logger: { level: 'error' },
      plugins: [jwt({ sessionCookieCache: true, jwks: { rotationInterval: ROTATION_INTERVAL_S } })],
    });
    nodeHandler = toNodeHandler(auth);
  } catch (error) {
    server.close();
    throw error;
  }

  const call = harnessFetch(url);

  async function postUser(path, body) {
    const response = await call(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await failure(`POST ${path}`, response);
    const cookieHeader = cookieHeaderOf(response);
    const json = await response.json();
    if (!/session_data=/.test(cookieHeader)) throw new Error(`Better Auth ${path} set no session_data cookie: ${cookieHeader}`);
    if (!json || !json.user || typeof json.user.id !== 'string') throw new Error(`Better Auth ${path} returned no user`);
    return { cookieHeader, user: json.user };
  }

  /** A new user: `{ cookieHeader, user }`, the cookies (session_token, session_data) a browser keeps. */
  const signUp = (email, password, name) => postUser('/api/auth/sign-up/email', { email, password, name });
  /** A new session for a user, with cookies signed by the current key. */
  const signIn = (email, password) => postUser('/api/auth/sign-in/email', { email, password });

  /** GET /api/auth/token: a token signed by the current key. */
  async function token(cookieHeader) {
    const response = await call('/api/auth/token', { headers: { cookie: cookieHeader } });
    if (!response.ok) throw await failure('GET /api/auth/token', response);
    const body = await response.json();
    if (!body || typeof body.token !== 'string') throw new Error(`GET /api/auth/token returned no token: ${JSON.stringify(body)}`);
    return body.token;
  }

  /** The key set as published now (not counted in requests.jwks). */
  async function jwks() {
    const response = await call('/api/auth/jwks');
    if (!response.ok) throw await failure('GET /api/auth/jwks', response);
    return response.json();
  }

  /** Ends the rotation interval of every live key: the next signature makes a new one. */
  function rotate() {
    const ended = new Date(Date.now() - 1000);
    let count = 0;
    for (const row of db.jwks) {
      if (row.expiresAt === undefined || row.expiresAt === null || row.expiresAt > ended) {
        row.expiresAt = ended;
        count += 1;
      }
    }
    if (count === 0) throw new Error('rotate(): no live key to rotate (nothing was signed yet)');
  }

  // While down: accepts and resets every connection, counting them.
  const resetter = createTcpServer((socket) => {
    requests.refused += 1;
    socket.on('error', () => {});
    socket.resetAndDestroy();
  });
  let resetting = false;

  async function closeBounded(what) {
    let timer;
    await Promise.race([what, new Promise((resolve) => { timer = setTimeout(resolve, CLOSE_TIMEOUT_MS); })]);
    clearTimeout(timer);
  }

  /** Closes Better Auth's HTTP server and every open connection, if it listens. */
  async function stopServer() {
    if (!listening) return;
    listening = false;
    const closed = new Promise((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await closeBounded(closed);
  }

  /** Closes the resetting listener, if it holds the port. */
  async function releasePort() {
    if (!resetting) return;
    resetting = false;
    await closeBounded(new Promise((resolve) => resetter.close(() => resolve())));
  }

  /** Stops Better Auth's HTTP server and holds the port with the resetting listener. */
  async function down() {
    if (!listening) return;
    await stopServer();
    await listen(resetter, port);
    resetting = true;
  }

  /** Releases the port and listens again with Better Auth on it. */
  async function up() {
    if (listening) return;
    await releasePort();
    await listen(server, port);
    listening = true;
  }

  /** Ends the listener (Better Auth's or the resetter) and every open connection. */
  async function close() {
    await releasePort();
    await stopServer();
  }

  return { url, port, auth, db, signUp, signIn, token, jwks, rotate, down, up, requests, close };
}
