// The parts every test server here shares: listening on 127.0.0.1 within a bound, closing it (and
// every open connection) within a bound, and a readable error for a Better Auth answer that failed.
const CLOSE_TIMEOUT_MS = 5_000;
const LISTEN_TIMEOUT_MS = 5_000;

/** Listens on 127.0.0.1 and `port` (default: a free one); resolves with the port. */
export function listen(server, port) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start listening within ${LISTEN_TIMEOUT_MS} ms`)), LISTEN_TIMEOUT_MS);
    server.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    server.listen(port ?? 0, '127.0.0.1', () => {
      clearTimeout(timer);
      resolve(server.address().port);
    });
  });
}

/** A close() for `server`: ends the listener and every open connection, once, bounded in time. */
export function closer(server) {
  let closed = null;
  return function close() {
    closed ??= new Promise((resolve) => {
      const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeAllConnections();
    });
    return closed;
  };
}

/** The error for a Better Auth endpoint that answered with a failure status. */
export async function failure(what, response) {
  let body = '';
  try {
    body = (await response.text()).slice(0, 500);
  } catch {
    // no body
  }
  return new Error(`Better Auth ${what} answered HTTP ${response.status}: ${body}`);
}
