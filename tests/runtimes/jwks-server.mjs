// A JWKS server the remote key set tests control: a real node:http server on 127.0.0.1 that
// counts every request it receives and answers the way the test says at that moment (a key set,
// a status, HTML, a delay, a 10 MB body with or without Content-Length, a redirect, ...). It can be
// taken down (the port is closed, connections refused) and brought back on the same port.
//
// Also: signing keys and tokens made with jose, a fake clock for the cache, and a bounded waitFor.
// Every wait here is bounded; close() clears pending delays and destroys open connections so no
// timer or socket outlives a test.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the server answers. Fields (all optional):
 * - `jwks`: a value sent as JSON (default `{ keys: [] }`); ignored when `body` or `size` is set.
 * - `body`: a raw string body.
 * - `status` (200), `contentType` ('application/json'), `headers` (extra response headers).
 * - `delayMs`: wait this long before answering (the request still counts when it arrives).
 * - `size`: send a body of this many bytes: `{"keys":[...jwks.keys]` + spaces + `}`, which is valid
 *   JSON and a valid key set, so only a size limit can refuse it. Streamed in 64 KiB chunks.
 * - `chunked`: with `size`, send no Content-Length (chunked transfer encoding).
 * - `location`: a Location header (for 3xx statuses).
 * - `reset`: destroy the connection without answering.
 * - `stall`: send the status, the headers (with the full Content-Length) and half of the body,
 *   then nothing more: the body never completes.
 * @typedef {{jwks?: any, body?: string, status?: number, contentType?: string,
 *   headers?: Record<string,string>, delayMs?: number, size?: number, chunked?: boolean,
 *   location?: string, reset?: boolean, stall?: boolean}} Behaviour
 */

/**
 * Starts a controllable JWKS server on 127.0.0.1 (a free port).
 * @param {Behaviour} [behaviour]
 */
export async function startJwksServer(behaviour = {}) {
  let current = { ...behaviour };
  const requests = []; // {method, path, headers, at}
  const timers = new Set();
  const sockets = new Set();
  let port = 0;
  let listening = false;

  const server = createServer((req, res) => {
    requests.push({ method: req.method, path: req.url, headers: { ...req.headers }, at: Date.now() });
    const b = current; // the behaviour when the request arrived
    res.on('error', () => {});
    req.on('error', () => {});
    let closed = false;
    res.on('close', () => { closed = true; });
    const answer = () => {
      if (closed) return;
      if (b.reset) { req.socket.destroy(); return; }
      const headers = { 'content-type': b.contentType ?? 'application/json', ...(b.headers ?? {}) };
      if (b.location !== undefined) headers.location = b.location;
      if (b.size !== undefined) {
        sendLarge(res, b, headers, () => closed);
        return;
      }
      const body = b.body !== undefined ? b.body : JSON.stringify(b.jwks ?? { keys: [] });
      headers['content-length'] = String(Buffer.byteLength(body));
      res.writeHead(b.status ?? 200, headers);
      if (b.stall) {
        res.write(body.slice(0, Math.floor(body.length / 2)));
        return; // never ended; close() destroys the connection
      }
      res.end(body);
    };
    if (b.delayMs > 0) {
      const timer = setTimeout(() => { timers.delete(timer); answer(); }, b.delayMs);
      timers.add(timer);
    } else {
      answer();
    }
  });
  server.keepAliveTimeout = 1000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  const listen = () => new Promise((resolve, reject) => {
    const onError = (error) => { server.removeListener('listening', onListening); reject(error); };
    const onListening = () => { server.removeListener('error', onError); listening = true; resolve(); };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
  const shut = async () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    if (!listening) return;
    listening = false;
    const closedPromise = new Promise((resolve) => server.close(() => resolve()));
    server.closeAllConnections?.();
    for (const socket of sockets) socket.destroy();
    let timer;
    await Promise.race([closedPromise, new Promise((resolve) => { timer = setTimeout(resolve, 2000); })]);
    clearTimeout(timer);
  };

  await listen();
  port = server.address().port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    port,
    /** The JWKS URL (any path is answered the same way; this one is recorded as /jwks). */
    url: `${origin}/jwks`,
    /** Every request received, in order. */
    requests,
    /** How many requests arrived so far. */
    get count() { return requests.length; },
    /** Replaces the behaviour for requests arriving from now on. */
    set(next) { current = { ...next }; },
    /** Changes some fields of the behaviour. */
    update(fields) { current = { ...current, ...fields }; },
    get behaviour() { return current; },
    /** Closes the port: connections are refused until up(). Pending answers are dropped. */
    async down() { await shut(); },
    /** Listens again on the same port. */
    async up() { if (!listening) await listen(); },
    /** Waits (bounded) until `n` requests have arrived in total. */
    async waitForCount(n, timeoutMs = 5000) {
      await waitFor(() => requests.length >= n, timeoutMs, `${n} requests at ${origin} (got ${requests.length})`);
    },
    async close() { await shut(); },
  };
}

// Streams `b.size` bytes: a valid JSON key set padded with spaces.
function sendLarge(res, b, headers, isClosed) {
  const head = Buffer.from(`{"keys":${JSON.stringify((b.jwks ?? { keys: [] }).keys ?? [])}`);
  const tail = Buffer.from('}');
  const total = Math.max(b.size, head.length + tail.length);
  if (!b.chunked) headers['content-length'] = String(total);
  res.writeHead(b.status ?? 200, headers);
  const CHUNK = 64 * 1024;
  const padding = Buffer.alloc(CHUNK, 0x20);
  let left = total - head.length - tail.length;
  res.write(head);
  const pump = () => {
    while (left > 0) {
      if (isClosed() || res.destroyed) return;
      const n = Math.min(CHUNK, left);
      left -= n;
      if (!res.write(n === CHUNK ? padding : padding.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    if (!isClosed() && !res.destroyed) res.end(tail);
  };
  pump();
}

/** Polls `predicate` every 5 ms until it is true; throws after `timeoutMs`. */
export async function waitFor(predicate, timeoutMs = 5000, what = 'a condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** A clock for the cache (`clock` option): starts at `start`, moves only with advance(). */
export function fakeClock(start = Date.now()) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms) => { now += ms; return now; };
  clock.set = (t) => { now = t; };
  return clock;
}

/**
 * A signing key: `{ kid, alg, privateKey, jwk }`, `jwk` the public JWK as a JWKS publishes it
 * (with kid, alg and use).
 */
export async function newSigningKey(kid = `k-${randomUUID()}`, alg = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, jwk };
}

/** A token signed by `key` (valid for 2 hours of real time), with `key.kid` in its header. */
export function signToken(key, claims = {}, header = {}) {
  return new SignJWT({ sub: 'user-1', ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(key.privateKey);
}

/** `{ keys: [...] }` of the public JWKs of `keys`. */
export function jwksOf(...keys) {
  return { keys: keys.map((k) => k.jwk) };
}

/** A port on 127.0.0.1 where nothing listens (found free, then closed). */
export async function closedPortUrl() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/jwks`;
}
