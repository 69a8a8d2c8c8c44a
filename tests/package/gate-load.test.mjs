// The gate under load and faults, in the real examples: examples/cloudflare-worker in workerd (as
// tests/workerd/harness.mjs bundles it, like wrangler) and examples/next-app built with `next build`
// and run with `next start`, once with proxy.ts (Node.js runtime) and once with middleware.ts (edge
// runtime, compiling WebAssembly from bytes banned in the sandbox as on Vercel's edge).
//
// Each of the three gates has its own real Better Auth server (tests/runtimes/rotating-better-auth.mjs)
// as its key set: the Worker's JWKS_URL, ISSUER and AUDIENCE name it, and the Next app runs with
// BETTER_AUTH_URL set to it (the example's gate reads its JWKS, issuer and audience from that
// origin). A fourth Better Auth, never stopped, signs the foreign tokens. The three runs share one
// clock and go at the same time; each gate takes 2,000 requests in 10 bursts of 200 concurrent:
//
//   bursts 1-3   keys cached on the first burst (a cold gate)
//   bursts 4-6   the Better Auth server is down (port closed) for OUTAGE_MS; the last of these comes
//                more than one cooldown (30 s, the default cooldownDuration) after the cold fetch, so
//                a foreign token's unknown kid makes the gate try a refetch, which fails
//   bursts 7-10  the server is back with a rotated key (Better Auth's own rotation: the signing
//                key's interval ends, the next signature makes a new key, the old one stays in the
//                key set), and tokens and session cookies signed by the new key arrive at once,
//                beside the old ones: the gate learns the new key with one refetch. The failed
//                refetch during the outage did not start the unknown-kid cooldown (src/remote.rs),
//                so only the retry interval (5 s) lies between it and this one
//
// Every burst mixes valid Bearer tokens and valid session cookies (two users) with tampered tokens
// and cookies, expired tokens, a foreign Better Auth's token (unknown kid) and a token signed by
// another key under the server's kid. Asserted for every request: a valid one is let through with
// its own user (none refused during the outage, none after the rotation), an invalid one is refused
// with 401 and its error code, no 5xx at all (keys were always cached, so the documented 503 never
// applies). Per gate: the key set was fetched a bounded number of times (one cold fetch and at most
// one unknown-kid refetch per cooldown; while the server is down, at most one attempt per retry
// interval), and the resident memory of its processes stays flat.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { scratchDir } from './load.mjs';
import { startWorkerd } from '../workerd/harness.mjs';
import { startBetterAuth } from '../runtimes/better-auth-server.mjs';
import { startRotatingBetterAuth } from '../runtimes/rotating-better-auth.mjs';
import { build, prepareApp, start, stopAll } from '../runtimes/next-app.mjs';
import { groupRss, listenerPid, processGroup } from '../runtimes/process-stats.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const WORKER_EXAMPLE = join(root, 'examples', 'cloudflare-worker');
const NEXT_WORK = join(root, 'build', 'gate-load-next');

const BURSTS = 10;
const CONCURRENT = 200;
const OUTAGE_MS = 20_000;
/** The gate's cooldownDuration (the default): the least time between refetches for unknown kids. */
const COOLDOWN_MS = 30_000;
/** The least time between attempts after a failed fetch (MAX_RETRY_INTERVAL_MS in src/remote.rs). */
const RETRY_INTERVAL_MS = 5_000;
/** Slack on top of a cooldown before counting on the next refetch being allowed. */
const SLACK_MS = 2_000;
const REQUEST_TIMEOUT_MS = 30_000;
const PASSWORD = 'correct-horse-battery-staple';
/**
 * Resident memory of a gate's processes may grow this much from the first bursts to the last:
 * about 70 KiB per request over the 1,400 requests between them.
 */
const RSS_GROWTH_LIMIT = 96 * 1024 * 1024;

after(stopAll);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const part = (jwt, i) => JSON.parse(Buffer.from(jwt.split('.')[i], 'base64url').toString('utf8'));

/** The JWT with its payload changed and its signature kept. */
function tamper(jwt, change) {
  const [header, payload, signature] = jwt.split('.');
  const changed = Buffer.from(JSON.stringify({ ...part(jwt, 1), ...change })).toString('base64url');
  return `${header}.${changed}.${signature}`;
}

/** The Cookie header with its session_data cookie's payload changed (signature kept). */
function tamperCookie(cookieHeader, change) {
  const data = /session_data=([^;]+)/.exec(cookieHeader)?.[1];
  assert.ok(data, `no session_data in ${cookieHeader}`);
  return cookieHeader.replace(data, tamper(data, change));
}

function compatibilityDate() {
  const date = /^\s*compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(WORKER_EXAMPLE, 'wrangler.toml'), 'utf8'))?.[1];
  assert.match(date ?? '', /^\d{4}-\d{2}-\d{2}$/, 'wrangler.toml names a compatibility_date');
  return date;
}

/** Credentials signed by the server's current key: two users' tokens and cookies, and bad ones. */
async function credentials(server, users, fresh) {
  const out = { valid: [], invalid: [] };
  for (const user of users) {
    const session = fresh ? await server.signIn(user.email, PASSWORD) : user.session;
    const token = await server.token(session.cookieHeader);
    out.valid.push({ kind: 'token', headers: { authorization: `Bearer ${token}` }, source: 'bearer', sub: user.id, kid: part(token, 0).kid });
    out.valid.push({ kind: 'cookie', headers: { cookie: session.cookieHeader }, source: 'cookie', sub: user.id, kid: part(/session_data=([^;]+)/.exec(session.cookieHeader)[1], 0).kid });
  }
  const [first] = out.valid;
  const token = first.headers.authorization.slice('Bearer '.length);
  const now = Math.floor(Date.now() / 1000);
  const expired = (await server.auth.api.signJWT({ body: { payload: { sub: users[0].id, iat: now - 7200, exp: now - 3600 } } })).token;
  out.invalid.push({ kind: 'tampered token', headers: { authorization: `Bearer ${tamper(token, { sub: 'someone-else' })}` }, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  out.invalid.push({ kind: 'tampered cookie', headers: { cookie: tamperCookie(out.valid[1].headers.cookie, { email: 'admin@example.com' }) }, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  out.invalid.push({ kind: 'expired token', headers: { authorization: `Bearer ${expired}` }, code: 'ERR_JWT_EXPIRED' });
  const impostor = (await jose.generateKeyPair('EdDSA')).privateKey;
  const sameKid = await new jose.SignJWT(part(token, 1)).setProtectedHeader({ alg: 'EdDSA', kid: first.kid }).sign(impostor);
  out.invalid.push({ kind: 'same kid, another key', headers: { authorization: `Bearer ${sameKid}` }, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  return out;
}

/** One request through the gate: status, body, latency. */
async function send(url, headers) {
  const started = performance.now();
  try {
    const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: response.status, body, ms: performance.now() - started };
  } catch (error) {
    return { status: 0, body: `request failed: ${error.cause?.code ?? error.message}`, ms: performance.now() - started };
  }
}

/**
 * One gate's run: its server, its credentials, its bursts on the shared schedule. Resolves with
 * what it saw; asserts nothing itself (the caller does, per gate, after all runs ended).
 */
async function runGate(gate, schedule) {
  const { server, foreign } = gate;
  const mix = (phase) => [...phase.valid, ...phase.invalid, ...foreign];
  const results = [];
  const rss = [];
  const burst = async (n, phaseName, entries) => {
    const jobs = Array.from({ length: CONCURRENT }, (_, i) => entries[i % entries.length]);
    const answers = await Promise.all(jobs.map((entry) => send(gate.url, entry.headers)));
    answers.forEach((answer, i) => results.push({ burst: n, phase: phaseName, entry: jobs[i], ...answer }));
    rss.push({ burst: n, bytes: groupRss(gate.pgid) });
  };
  const before = gate.before;
  await schedule.at(0);
  await burst(1, 'cached', mix(before));
  const coldDone = schedule.now();
  await schedule.at(coldDone + 5_000);
  await burst(2, 'cached', mix(before));
  await schedule.at(coldDone + 10_000);
  await burst(3, 'cached', mix(before));
  // The outage spans the end of the cold fetch's cooldown, so a refetch is tried while it lasts.
  const downAt = coldDone + COOLDOWN_MS + SLACK_MS - 12_000;
  await schedule.at(downAt);
  await server.down();
  const outageStart = schedule.now();
  await schedule.at(downAt + 3_000);
  await burst(4, 'outage', mix(before));
  await schedule.at(downAt + 8_000);
  await burst(5, 'outage', mix(before));
  await schedule.at(coldDone + COOLDOWN_MS + SLACK_MS);
  await burst(6, 'outage', mix(before));
  const refetchTriedBy = schedule.now();
  await schedule.at(Math.max(outageStart + OUTAGE_MS, refetchTriedBy + RETRY_INTERVAL_MS + SLACK_MS));
  server.rotate();
  await server.up();
  const outageMs = schedule.now() - outageStart;
  const rotated = await credentials(server, gate.users, true);
  const both = { valid: [...before.valid, ...rotated.valid], invalid: [...before.invalid, ...rotated.invalid] };
  const backAt = schedule.now();
  for (const [i, n] of [7, 8, 9, 10].entries()) {
    await schedule.at(backAt + i * 4_000);
    await burst(n, 'new key', [...rotated.valid, ...mix(both)]);
  }
  return { results, rss, outageMs, rotated, elapsedMs: schedule.now() };
}

/** A clock shared by the runs: at(ms) waits until `ms` after the start. */
function sharedSchedule() {
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const at = async (ms) => {
    // Timers may fire a little early on performance.now()'s scale: wait until the time has come.
    for (let wait = ms - now(); wait > 0; wait = ms - now()) await sleep(Math.ceil(wait));
  };
  return { now, at };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

test('the gate under load and faults: the Worker in workerd and the Next app on Node and on the edge', { timeout: 900_000 }, async (t) => {
  const scratch = scratchDir();
  const stops = [];
  try {
    // Both Next builds first: they are the slow part, and no clock runs yet.
    const nextDirs = {};
    for (const runtime of ['node', 'edge']) {
      nextDirs[runtime] = await prepareApp(runtime, { work: NEXT_WORK, edgeJwt: join(scratch, 'node_modules', 'edge-jwt') });
      t.diagnostic(`next build (${runtime}): ${await build(nextDirs[runtime])} ms`);
    }

    const other = await startBetterAuth();
    stops.push(() => other.close());
    const otherToken = await other.token((await other.signUp('zed@example.com', PASSWORD, 'Zed')).cookieHeader);
    const foreign = [{ kind: 'foreign token', headers: { authorization: `Bearer ${otherToken}` }, code: 'ERR_JWKS_NO_MATCHING_KEY' }];

    const gates = [];
    for (const name of ['workerd (examples/cloudflare-worker)', 'next start, proxy.ts (Node.js)', 'next start, middleware.ts (edge)']) {
      const server = await startRotatingBetterAuth();
      stops.push(() => server.close());
      const users = [];
      for (const [email, label] of [['ann@example.com', 'Ann'], ['bo@example.com', 'Bo']]) {
        const session = await server.signUp(email, PASSWORD, label);
        users.push({ email, id: session.user.id, session });
      }
      const gate = { name, server, users, foreign };
      gate.before = await credentials(server, users, false);
      if (name.startsWith('workerd')) {
        const worker = await startWorkerd({
          entry: join(WORKER_EXAMPLE, 'src', 'index.ts'),
          scratch,
          compatibilityDate: compatibilityDate(),
          bindings: { JWKS_URL: `${server.url}/api/auth/jwks`, ISSUER: server.url, AUDIENCE: server.url },
          outbound: ['local'],
        });
        stops.push(() => worker.stop());
        gate.url = `${worker.url}/me`;
        gate.pid = listenerPid(Number(new URL(worker.url).port));
      } else {
        const edge = name.includes('edge');
        const next = await start(nextDirs[edge ? 'edge' : 'node'], { authUrl: server.url, banWasmCompile: edge });
        stops.push(() => next.stop());
        gate.url = `${next.url}/api/me`;
        gate.pid = listenerPid(Number(new URL(next.url).port));
      }
      assert.ok(gate.pid > 0, `${name}: the process listening on its port was found`);
      gate.pgid = processGroup(gate.pid);
      assert.equal(server.requests.jwks, 0, `${name}: no key fetch before the first request`);
      gates.push(gate);
    }

    const schedule = sharedSchedule();
    const runs = await Promise.all(gates.map((gate) => runGate(gate, schedule)));

    for (const [i, gate] of gates.entries()) {
      const run = runs[i];
      await t.test(gate.name, () => {
        assert.equal(run.results.length, BURSTS * CONCURRENT);
        assert.ok(run.outageMs >= OUTAGE_MS, `the server was down ${run.outageMs} ms`);
        assert.notEqual(run.rotated.valid[0].kid, gate.before.valid[0].kid, 'the rotation made a new key');
        assert.ok(run.results.some((r) => r.entry.kid === run.rotated.valid[0].kid), 'tokens signed by the new key were sent');
        const problems = [];
        for (const r of run.results) {
          const what = `burst ${r.burst} (${r.phase}), ${r.entry.kind}`;
          if (r.status >= 500 || r.status === 0) problems.push(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
          else if (r.entry.sub !== undefined) {
            if (r.status !== 200 || r.body?.sub !== r.entry.sub || r.body?.source !== r.entry.source) problems.push(`${what}: refused or wrong user: ${r.status} ${JSON.stringify(r.body)}`);
          } else if (r.status !== 401 || r.body?.code !== r.entry.code) {
            problems.push(`${what}: expected 401 ${r.entry.code}, got ${r.status} ${JSON.stringify(r.body)}`);
          }
        }
        assert.deepEqual(problems.slice(0, 20), [], `${problems.length} of ${run.results.length} requests answered wrongly`);

        const valid = run.results.filter((r) => r.entry.sub !== undefined);
        const sorted = run.results.map((r) => r.ms).sort((a, b) => a - b);
        const fetchBound = 1 + Math.ceil(run.elapsedMs / COOLDOWN_MS);
        t.diagnostic(`${gate.name}: ${run.results.length} requests (${valid.length} valid let through, ${run.results.length - valid.length} invalid refused), `
          + `${valid.filter((r) => r.phase === 'outage').length} valid during a ${run.outageMs.toFixed(0)} ms outage, ${valid.filter((r) => r.entry.kid === run.rotated.valid[0].kid).length} signed by the rotated key; `
          + `JWKS fetches ${gate.server.requests.jwks} (bound ${fetchBound}) and ${gate.server.requests.refused} tried during the outage; latency p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms under the run's load; `
          + `RSS MiB by burst ${run.rss.map((s) => (s.bytes / 1048576).toFixed(0)).join(' ')}`);
        assert.ok(gate.server.requests.refused >= 1, 'the gate tried a refetch while the server was down (its connection was reset)');
        assert.ok(gate.server.requests.refused <= 1 + Math.ceil(run.outageMs / RETRY_INTERVAL_MS), `${gate.server.requests.refused} refetches tried during the outage: more than one per retry interval`);
        assert.ok(gate.server.requests.jwks >= 2, 'the rotated key set was fetched');
        assert.ok(gate.server.requests.jwks <= fetchBound, `${gate.server.requests.jwks} JWKS fetches in ${run.elapsedMs.toFixed(0)} ms: more than one cold fetch and one refetch per cooldown`);

        // Flat: the least of the last three samples against the most of the first three, so the
        // garbage collector's timing does not count, while a leak of the kind that matters (a wasm
        // instance, a key set or a response kept per request: tens of KiB or more each) does.
        const early = Math.max(...run.rss.slice(0, 3).map((s) => s.bytes));
        const late = Math.min(...run.rss.slice(-3).map((s) => s.bytes));
        assert.ok(early > 0 && late > 0, 'resident memory was sampled');
        assert.ok(late - early <= RSS_GROWTH_LIMIT, `resident memory grew ${((late - early) / 1048576).toFixed(0)} MiB from the first three bursts to the last three`);
      });
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
});
