// The gate under HTTP load: requests per second and p50/p99 latency of a gated request, measured
// from outside the runtime. Part of `npm run bench` (bench/run.mjs, key `gateLoad` of
// bench/results.json; skip with --no-gate); also runnable alone, `node bench/gate-load.mjs`, which
// uses EDGE_JWT_SCRATCH or packs pkg/ into build/bench-scratch and updates only that key.
//
// Method. Three servers, each in its own process, answer the same question ("who is this?"):
//   edge-jwt   examples/cloudflare-worker as shipped (Hono + edge-jwt/hono, key set from JWKS_URL)
//              in workerd, bundled as wrangler bundles it (tests/workerd/harness.mjs);
//   jose       the same Worker shape with the gate written on jose (bench/gate-load-jose-worker.mjs:
//              jwtVerify + createRemoteJWKSet, issuer and audience, 401 JSON), in workerd too;
//   get-session  a real Better Auth server on Node (tests/runtimes/better-auth-server.mjs, memory
//              adapter) answering GET /api/auth/get-session for the session cookie: the round
//              trip a gate makes when it asks the auth server instead of verifying a token.
// Both gates fetch Better Auth's JWKS from that same server once, then verify locally. Bearer
// tokens are Better Auth's (EdDSA), from its signJWT. Two token streams:
//   distinct   2,000 tokens taken in turn: no token returns before 1,000 others, so edge-jwt's token
//              cache (1,000 entries, oldest out first) never hits and every request is verified;
//   repeated   one token per client connection (not among the 2,000), the same on every request:
//              edge-jwt's token cache answers from the second request on; jose has no such cache.
// The load client is one Node process using node:http with keep-alive, CONCURRENCY requests in
// flight; each target runs ROUND_MS per round, targets interleaved round by round (so a load
// spike on the shared machine falls on all alike), after a warm-up. Every answer must be a 200
// with the expected user or the run fails. Figures: requests per second (median over rounds), the
// p50 and p99 of every request's latency over all rounds, and the server process's CPU time (user
// + system, from /proc) per request over all rounds. The client shares the machine's cores with
// the server under test and may be the bottleneck, so requests per second and latency are bounded
// by the client too; the server's CPU per request is the cost of the gate itself (plus workerd's
// HTTP handling, the same for both gates).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuMs, listenerPid } from '../tests/runtimes/process-stats.mjs';
import { startWorkerd } from '../tests/workerd/harness.mjs';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'cloudflare-worker');
const CONCURRENCY = 32;
const ROUND_MS = 2_000;
const ROUNDS = 5;
const DISTINCT_TOKENS = 2_000;

// The Better Auth child: starts the server, signs up one user, signs `count` tokens, prints one
// JSON line, and lives until its stdin closes.
const authChild = (count) => `
import { startBetterAuth } from ${JSON.stringify(pathToFileURL(join(ROOT, 'tests', 'runtimes', 'better-auth-server.mjs')).href)};
const server = await startBetterAuth();
const { cookieHeader, user } = await server.signUp('ada@example.com', 'correct-horse-battery-staple', 'Ada Lovelace');
const tokens = [];
for (let i = 0; i < ${count}; i += 1) {
  const { token } = await server.auth.api.signJWT({ body: { payload: { sub: user.id, email: user.email, name: user.name, n: i } } });
  tokens.push(token);
}
process.stdout.write(JSON.stringify({ url: server.url, cookieHeader, sub: user.id, tokens }) + '\\n');
process.stdin.resume();
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
`;

function startAuthChild(tokenCount) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', authChild(tokenCount)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the Better Auth child did not start within 60 s')); }, 60_000);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      const info = JSON.parse(out.slice(0, newline));
      resolve({ ...info, pid: child.pid, stop: () => new Promise((done) => { child.once('exit', done); child.stdin.end(); setTimeout(() => child.kill('SIGKILL'), 5_000).unref(); }) });
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the Better Auth child exited (${code})`)); });
  });
}

/** One GET with the agent; resolves with status and body text. */
function get(agent, url, headers) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk) => { body += chunk; }).on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${url}: no answer within 30 s`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * `concurrency` clients, each sending requests back to back for `ms`; `target.headersFor(client, i)`
 * gives the headers of the target's request i (counted in `target.sent`), `target.check(answer)`
 * throws on a wrong answer.
 */
async function round(target, { concurrency, ms }) {
  const { url, headersFor, check } = target;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  const started = performance.now();
  const client = async (c) => {
    while (performance.now() - started < ms) {
      // Numbered across rounds, so the distinct stream keeps its order from one round to the next.
      const i = target.sent;
      target.sent += 1;
      const t0 = performance.now();
      const answer = await get(agent, url, headersFor(c, i));
      latencies.push(performance.now() - t0);
      check(answer);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, c) => client(c)));
  const elapsed = performance.now() - started;
  agent.destroy();
  return { rps: (latencies.length * 1000) / elapsed, latencies };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** `{ [row]: { rps, p50, p99, serverCpuUs, requests } }`, plus the method's parameters. */
export async function gateLoad({ scratch, concurrency = CONCURRENCY, roundMs = ROUND_MS, rounds = ROUNDS, log = () => {} }) {
  const auth = await startAuthChild(DISTINCT_TOKENS + concurrency);
  const stops = [auth.stop];
  try {
    const bindings = { JWKS_URL: `${auth.url}/api/auth/jwks`, ISSUER: auth.url, AUDIENCE: auth.url };
    const compatibilityDate = /^\s*compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(EXAMPLE, 'wrangler.toml'), 'utf8'))[1];
    const workers = {};
    for (const [name, entry] of [['edge-jwt', join(EXAMPLE, 'src', 'index.ts')], ['jose', join(ROOT, 'bench', 'gate-load-jose-worker.mjs')]]) {
      const worker = await startWorkerd({ entry, scratch, compatibilityDate, bindings, outbound: ['local'] });
      stops.push(() => worker.stop());
      workers[name] = { ...worker, pid: listenerPid(Number(new URL(worker.url).port)) };
    }
    const bearer = (token) => ({ authorization: `Bearer ${token}` });
    const gateCheck = (answer) => {
      if (answer.status !== 200 || JSON.parse(answer.body).sub !== auth.sub) throw new Error(`a gate refused a valid token: ${answer.status} ${answer.body.slice(0, 300)}`);
    };
    const sessionCheck = (answer) => {
      if (answer.status !== 200 || JSON.parse(answer.body)?.user?.id !== auth.sub) throw new Error(`get-session: ${answer.status} ${answer.body.slice(0, 300)}`);
    };
    const targets = {
      'edge-jwt gate, distinct tokens': { pid: workers['edge-jwt'].pid, url: `${workers['edge-jwt'].url}/me`, headersFor: (_c, i) => bearer(auth.tokens[i % DISTINCT_TOKENS]), check: gateCheck },
      'jose gate, distinct tokens': { pid: workers.jose.pid, url: `${workers.jose.url}/me`, headersFor: (_c, i) => bearer(auth.tokens[i % DISTINCT_TOKENS]), check: gateCheck },
      'edge-jwt gate, repeated token': { pid: workers['edge-jwt'].pid, url: `${workers['edge-jwt'].url}/me`, headersFor: (c) => bearer(auth.tokens[DISTINCT_TOKENS + c]), check: gateCheck },
      'jose gate, repeated token': { pid: workers.jose.pid, url: `${workers.jose.url}/me`, headersFor: (c) => bearer(auth.tokens[DISTINCT_TOKENS + c]), check: gateCheck },
      'Better Auth get-session': { pid: auth.pid, url: `${auth.url}/api/auth/get-session`, headersFor: () => ({ cookie: auth.cookieHeader }), check: sessionCheck },
    };
    for (const [name, target] of Object.entries(targets)) {
      if (!(target.pid > 0)) throw new Error(`${name}: the server's process was not found`);
      target.sent = 0;
    }
    // One request alone first: each gate fetches the keys once (jose's shared fetch must not be
    // awaited across concurrent Worker requests, jose#355), then the concurrent warm-up.
    for (const target of Object.values(targets)) target.check(await get(undefined, target.url, target.headersFor(0, 0)));
    for (const [name, target] of Object.entries(targets)) {
      log(`gate load: warm-up ${name}`);
      await round(target, { concurrency, ms: Math.min(1_000, roundMs) });
    }
    const samples = Object.fromEntries(Object.keys(targets).map((name) => [name, { rps: [], latencies: [], cpuMs: 0 }]));
    for (let r = 0; r < rounds; r += 1) {
      for (const [name, target] of Object.entries(targets)) {
        const cpuBefore = cpuMs(target.pid);
        const { rps, latencies } = await round(target, { concurrency, ms: roundMs });
        samples[name].cpuMs += cpuMs(target.pid) - cpuBefore;
        samples[name].rps.push(rps);
        for (const ms of latencies) samples[name].latencies.push(ms);
      }
      log(`gate load: round ${r + 1} of ${rounds}`);
    }
    const rows = {};
    for (const [name, { rps, latencies, cpuMs: cpu }] of Object.entries(samples)) {
      const sorted = latencies.sort((a, b) => a - b);
      rows[name] = {
        rps: Math.round(median(rps)),
        p50: Number(percentile(sorted, 50).toFixed(2)),
        p99: Number(percentile(sorted, 99).toFixed(2)),
        serverCpuUs: Math.round((cpu * 1000) / sorted.length),
        requests: sorted.length,
      };
    }
    return { node: process.version, date: new Date().toISOString(), concurrency, roundMs, rounds, rows };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}

/** The rows as a Markdown table. */
export function gateLoadTable(result) {
  const lines = [
    `| HTTP load, ${result.concurrency} in flight (Node ${result.node}, ${result.date.slice(0, 10)}) | requests/s | p50 ms | p99 ms | server CPU µs/request |`,
    '|---|---:|---:|---:|---:|',
  ];
  for (const [name, row] of Object.entries(result.rows)) lines.push(`| ${name} | ${row.rps} | ${row.p50} | ${row.p99} | ${row.serverCpuUs} |`);
  return lines.join('\n');
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  let scratch = process.env.EDGE_JWT_SCRATCH;
  if (!scratch) {
    if (!existsSync(join(ROOT, 'pkg', 'package.json'))) throw new Error('pkg/ is not built: run `npm run build` first (or set EDGE_JWT_SCRATCH)');
    const { packInto } = await import('../scripts/pack.mjs');
    scratch = packInto(join(ROOT, 'build', 'bench-scratch'));
  }
  const result = await gateLoad({ scratch, log: (line) => process.stderr.write(`${line}\n`) });
  const file = join(ROOT, 'bench', 'results.json');
  const results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  results.gateLoad = result;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${gateLoadTable(result)}\n`);
}
