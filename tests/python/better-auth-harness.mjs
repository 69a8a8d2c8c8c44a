// Real Better Auth servers for the Python tests, driven over stdin/stdout: one JSON command per
// line in, one JSON answer per line out ({ ok: true, value } or { ok: false, error }). The servers
// are the JS tests' own harnesses (tests/runtimes/better-auth-server.mjs for the JWT plugin's
// tokens and JWKS, tests/runtimes/better-auth-cookies.mjs for the session cookie cache), on
// 127.0.0.1. The `npmVerifySessionCookie` command answers with the installed npm package's
// verifySessionCookie (loaded from EDGE_JWT_SCRATCH, see tests/package/load.mjs), so the Python
// tests compare their verdicts with the npm package's. When stdin closes, every server is closed
// and the process exits.
import { createInterface } from 'node:readline';
import { loadEsm } from '../package/load.mjs';
import { startBetterAuth } from '../runtimes/better-auth-server.mjs';
import { startCookieServer } from '../runtimes/better-auth-cookies.mjs';

const servers = new Map();
let next = 1;
let npmPackage; // the npm package, loaded on first use

/** verifySessionCookie's verdict: `{ kind: 'ok', userId }`, `{ kind: 'miss' }` or `{ kind: 'error', code, claim, reason }`. */
async function npmVerdict(cookieHeader, options) {
  npmPackage ??= await loadEsm();
  try {
    const result = await npmPackage.verifySessionCookie(cookieHeader, options);
    return result === null ? { kind: 'miss' } : { kind: 'ok', userId: result.user.id };
  } catch (error) {
    return { kind: 'error', code: error.code ?? null, claim: error.claim ?? null, reason: error.reason ?? null };
  }
}

const commands = {
  async start({ keyPairConfig, jwtOptions, rotationInterval }) {
    const server = await startBetterAuth({ keyPairConfig, jwtOptions, rotationInterval });
    const id = next++;
    servers.set(id, server);
    return { id, url: server.url };
  },
  async startCookies(options) {
    const server = await startCookieServer(options);
    const id = next++;
    servers.set(id, server);
    return { id, url: server.url, secret: server.secret };
  },
  async signUp({ id, email, password, name, extra }) {
    const result = await servers.get(id).signUp(email, password, name, extra ?? {});
    return { cookieHeader: result.cookieHeader, user: result.user };
  },
  async signIn({ id, email, password }) {
    const result = await servers.get(id).signIn(email, password);
    return { cookieHeader: result.cookieHeader, user: result.user };
  },
  async getSession({ id, cookieHeader }) {
    const result = await servers.get(id).getSession(cookieHeader);
    return { body: result.body, cookieHeader: result.cookieHeader };
  },
  token: ({ id, cookieHeader }) => servers.get(id).token(cookieHeader),
  jwks: ({ id }) => servers.get(id).jwks(),
  npmVerifySessionCookie: ({ cookieHeader, options }) => npmVerdict(cookieHeader, options),
  requests: ({ id }) => servers.get(id).requests,
  async close({ id }) {
    await servers.get(id)?.close();
    servers.delete(id);
    return true;
  },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  let answer;
  try {
    const command = JSON.parse(line);
    const run = commands[command.op];
    if (!run) throw new Error(`unknown op ${command.op}`);
    answer = { ok: true, value: (await run(command)) ?? null };
  } catch (error) {
    answer = { ok: false, error: String(error && error.stack ? error.stack : error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
await Promise.allSettled([...servers.values()].map((server) => server.close()));
process.exit(0);
