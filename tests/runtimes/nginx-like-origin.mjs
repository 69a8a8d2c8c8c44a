// How origin servers read a request path, and an origin server that reads paths that way.
//
// nginx (ngx_http_parse_complex_uri) percent-decodes the path, then resolves "." and ".." segments
// and merges repeated slashes (merge_slashes on, its default) on the decoded text: a decoded "?" or
// "#" is an ordinary character there, not the start of a query or fragment. Express routes
// case-insensitively by default. `startNginxLikeOrigin` is a node:http server doing both: it serves
// a body marked PROTECTED for every path whose reading (decoded, resolved, merged, case-folded) is
// protected, so a test can see whether a gate in front of it let such a request through.
//
// This is written from nginx's documented behaviour and its URI parser's rules, independently of
// the gate's own path code (js/paths.ts), so that one checks the other.
import { createServer, request as httpRequest } from 'node:http';
import { closer, listen } from './loopback-server.mjs';

const REQUEST_TIMEOUT_MS = 5_000;

/** `%XX` escapes decoded to bytes, read as UTF-8 (invalid sequences become U+FFFD). */
export function percentDecode(path) {
  const bytes = [];
  for (let i = 0; i < path.length; i += 1) {
    const hex = path.slice(i + 1, i + 3);
    if (path[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(path[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** "." and ".." segments resolved on decoded text (never above the root), repeated slashes merged. */
export function resolveMerged(decoded) {
  const out = [];
  const segments = decoded.split('/').slice(1);
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '..') {
      out.pop();
      if (last) out.push('');
    } else if (segment === '.' || segment === '') {
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  });
  return `/${out.join('/')}`;
}

/** The path nginx acts on for a request path as sent on the wire. */
export function nginxPath(raw) {
  return resolveMerged(percentDecode(raw));
}

/**
 * The canonical readings of a path as a client sends it: the WHATWG URL parser's (what the gate
 * and `fetch` see), nginx's of that, nginx's after a second decoding (an origin behind another
 * decoding proxy), and each of those case-folded (Express).
 */
export function canonicalReadings(raw) {
  const whatwg = new URL(raw, 'http://origin.invalid').pathname;
  const nginx = nginxPath(whatwg);
  const twice = resolveMerged(percentDecode(percentDecode(whatwg)));
  const readings = [whatwg, nginx, twice];
  return [...new Set([...readings, ...readings.map((r) => r.toLowerCase())])];
}

/**
 * Starts the origin: `isProtected(path)` says which nginx-read, case-folded paths hold protected
 * content. Every request is answered 200, with `PROTECTED <path>` or `public <path>` as its body.
 * `seen` lists the raw paths it received.
 */
export async function startNginxLikeOrigin(isProtected) {
  const seen = [];
  const server = createServer((req, res) => {
    const raw = (req.url ?? '/').split('?', 1)[0];
    seen.push(raw);
    const path = nginxPath(raw).toLowerCase();
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${isProtected(path) ? 'PROTECTED' : 'public'} ${path}`);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, seen, close: closer(server) };
}

/**
 * One GET with node:http and `path` exactly as given (no client-side normalisation, as an attacker's
 * own client sends it), bounded in time. Resolves to `{ status, body }`.
 */
export function rawGet(base, path, headers = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET', headers }, (res) => {
      const parts = [];
      res.on('data', (part) => parts.push(part));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString('utf8') });
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`GET ${path} did not answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

/**
 * A front server running `gate` (from `createGate`) the way a Worker does in front of an origin:
 * the request as the runtime parses it (WHATWG URL), the gate's decision, and for `public` and
 * `allow` the request passed on with `fetch` to `origin` with the gate's headers. Denials are
 * answered with `denyResponse`.
 */
export async function startGateFront(gate, denyResponse, origin) {
  const server = createServer((req, res) => {
    (async () => {
      const host = `127.0.0.1:${server.address().port}`;
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
      for (const hop of ['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']) headers.delete(hop);
      const request = new Request(`http://${host}${req.url}`, { headers });
      const decision = await gate(request);
      let response;
      if (decision.kind === 'deny') {
        response = denyResponse(decision);
      } else {
        const url = new URL(request.url);
        response = await fetch(`${origin}${url.pathname}${url.search}`, { headers: decision.headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      }
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`front error: ${error && error.message}`);
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, close: closer(server) };
}
