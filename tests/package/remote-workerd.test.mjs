// A remote key set shared by concurrent requests of one workerd isolate (the runtime of Cloudflare
// Workers), where one request cannot await I/O that another request started. The Worker
// (tests/runtimes/remote-worker.mjs) holds one module-level createRemoteJWKSet(url); the JWKS
// server runs in this process on 127.0.0.1 and counts requests. workerd's default outbound allows
// public addresses only, so this file writes its own config: the Worker's globalOutbound is a
// network service that also allows private and local (loopback) addresses, and the URL, cooldown
// and timeout are text bindings. Bundling reuses tests/workerd/harness.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKERD_BIN, bundleWorker, freePort, scratchProject } from '../workerd/harness.mjs';
import { jwksOf, newSigningKey, signToken, startJwksServer } from '../runtimes/jwks-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const WORKER = join(here, '..', 'runtimes', 'remote-worker.mjs');
const COMPATIBILITY_DATE = '2026-11-01';
const COOLDOWN_MS = 1000;
const TIMEOUT_MS = 2000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function config({ mainName, wasm, port, bindings }) {
  const q = (s) => JSON.stringify(s);
  const modules = [
    `(name = ${q(mainName)}, esModule = embed ${q(mainName)})`,
    ...wasm.map((w) => `(name = ${q(w.name)}, wasm = embed ${q(w.name)})`),
  ];
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "loopback-net", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const mainWorker :Workerd.Worker = (
  modules = [
    ${modules.join(',\n    ')},
  ],
  compatibilityDate = ${q(COMPATIBILITY_DATE)},
  bindings = [
    ${Object.entries(bindings).map(([name, text]) => `(name = ${q(name)}, text = ${q(text)})`).join(',\n    ')},
  ],
  globalOutbound = "loopback-net",
);
`;
}

/** Bundles the Worker, starts workerd with loopback outbound, waits for /health (bounded). */
async function startRemoteWorker({ scratch, bindings, startupTimeoutMs = 20_000 }) {
  const dir = mkdtempSync(join(tmpdir(), 'edge-jwt-remote-workerd-'));
  let child;
  let output = '';
  let exited = false;
  const stop = async () => {
    if (child !== undefined && !exited) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
      let timer;
      await Promise.race([
        new Promise((resolve) => child.once('exit', resolve)),
        new Promise((resolve) => { timer = setTimeout(resolve, 2000); }),
      ]);
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const onExit = () => { if (child !== undefined && !exited) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } } };
  process.once('exit', onExit);
  try {
    const bundle = await bundleWorker({ entry: WORKER, outDir: dir, scratch });
    const port = await freePort();
    writeFileSync(join(dir, 'config.capnp'), config({ ...bundle, port, bindings }));
    child = spawn(WORKERD_BIN, ['serve', join(dir, 'config.capnp')], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (d) => { output += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { output += d; });
    child.once('exit', () => { exited = true; });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + startupTimeoutMs;
    for (;;) {
      if (exited) throw new Error(`workerd exited during startup:\n${output}`);
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        await response.text();
        if (response.status === 200) break;
      } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error(`workerd did not answer /health within ${startupTimeoutMs} ms:\n${output}`);
      await sleep(50);
    }
    return {
      url,
      logs: () => output,
      stop: async () => { process.removeListener('exit', onExit); await stop(); },
    };
  } catch (error) {
    process.removeListener('exit', onExit);
    await stop();
    throw error;
  }
}

async function verifyVia(worker, token, timeoutMs = 15_000) {
  const response = await fetch(`${worker.url}/verify`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/verify answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

async function state(worker) {
  const response = await fetch(`${worker.url}/state`, { signal: AbortSignal.timeout(5000) });
  return response.json();
}

function summarize(settled) {
  const bad = [];
  settled.forEach((s, i) => {
    if (s.status === 'rejected') bad.push(`#${i}: ${s.reason?.message}`);
    else if (!s.value.ok) bad.push(`#${i}: ${s.value.code}: ${s.value.message}`);
  });
  return bad;
}

test('workerd: one module-level remote key set, concurrent requests share one fetch', { timeout: 60_000 }, async (t) => {
  const scratch = scratchProject();
  const A = await newSigningKey('key-A');
  const B = await newSigningKey('key-B');
  const C = await newSigningKey('key-C');
  // Slow answers (300 ms), so the concurrent requests all find the fetch in flight.
  const jwksServer = await startJwksServer({ jwks: jwksOf(A), delayMs: 300 });
  t.after(() => jwksServer.close());
  const worker = await startRemoteWorker({
    scratch,
    bindings: { JWKS_URL: jwksServer.url, COOLDOWN_MS: String(COOLDOWN_MS), TIMEOUT_MS: String(TIMEOUT_MS) },
  });
  t.after(() => worker.stop());
  const logs = () => `\nworkerd output:\n${worker.logs().slice(-4000)}`;

  await t.test('50 concurrent requests on a cold isolate: all verify, the JWKS server sees one request', async () => {
    assert.equal(jwksServer.count, 0, 'nothing fetched before the first verification');
    const tokens = await Promise.all(Array.from({ length: 50 }, () => signToken(A)));
    const settled = await Promise.allSettled(tokens.map((token) => verifyVia(worker, token)));
    const bad = summarize(settled);
    assert.equal(bad.length, 0, `${bad.length} of 50 failed:\n${bad.slice(0, 10).join('\n')}${logs()}`);
    assert.equal(jwksServer.count, 1, `the JWKS server saw ${jwksServer.count} requests for 50 concurrent verifications`);
    const s = await state(worker);
    assert.equal(s.created, 1, 'one key set in the isolate');
    assert.equal(s.stats.fetches, 1);
    assert.deepEqual(s.kids, ['key-A']);

    // Warm: another 50 cause no request.
    const again = await Promise.allSettled((await Promise.all(Array.from({ length: 50 }, () => signToken(A)))).map((tk) => verifyVia(worker, tk)));
    assert.equal(summarize(again).length, 0, summarize(again).slice(0, 5).join('\n'));
    assert.equal(jwksServer.count, 1, 'a warm isolate does not fetch');
  });

  await t.test('rotation: a new kid under 20 concurrent requests costs exactly one more fetch', async () => {
    jwksServer.set({ jwks: jwksOf(A, B), delayMs: 300 });
    await sleep(COOLDOWN_MS + 300); // past the cooldown since the first fetch
    const before = jwksServer.count;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => signToken(B)));
    const settled = await Promise.allSettled(tokens.map((token) => verifyVia(worker, token)));
    const bad = summarize(settled);
    assert.equal(bad.length, 0, `${bad.length} of 20 failed:\n${bad.slice(0, 10).join('\n')}${logs()}`);
    assert.equal(jwksServer.count - before, 1, `the JWKS server saw ${jwksServer.count - before} requests for the new kid`);
    const s = await state(worker);
    assert.deepEqual(s.kids, ['key-A', 'key-B']);
    assert.equal(s.stats.fetches, 2);
    const a = await verifyVia(worker, await signToken(A));
    assert.equal(a.ok, true, JSON.stringify(a));
    assert.equal(jwksServer.count - before, 1);
  });

  await t.test('the request that started the fetch goes away: the others still verify, bounded', async () => {
    // The fetch for the new kid C is slow (1.5 s); the request that starts it is abandoned by its
    // client after 200 ms. Requests waiting on that fetch must not hang: each verifies within
    // timeoutDuration (2 s) plus a margin, and at most one more fetch is made to replace it.
    jwksServer.set({ jwks: jwksOf(A, B, C), delayMs: 1500 });
    await sleep(COOLDOWN_MS + 300);
    const before = jwksServer.count;
    const first = verifyVia(worker, await signToken(C), 200).then(() => 'answered', (e) => e.name);
    await jwksServer.waitForCount(before + 1, 3000);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => signToken(C)));
    const started = Date.now();
    const settled = await Promise.allSettled(tokens.map((token) => verifyVia(worker, token, TIMEOUT_MS + 5000)));
    const elapsed = Date.now() - started;
    t.diagnostic(`first request: ${await first}; 10 waiting requests done in ${elapsed} ms; JWKS requests: ${jwksServer.count - before}`);
    const bad = summarize(settled);
    assert.equal(bad.length, 0, `${bad.length} of 10 failed:\n${bad.slice(0, 10).join('\n')}${logs()}`);
    assert.ok(elapsed < 2 * TIMEOUT_MS + 1500, `the waiting requests took ${elapsed} ms`);
    assert.ok(jwksServer.count - before <= 2, `${jwksServer.count - before} fetches`);
  });
});

test('workerd: a key rotated right after a cold start is accepted at once; random kids at most once per cooldown', { timeout: 60_000 }, async (t) => {
  // A long cooldown (60 s): before the cooldown counted only unknown-kid refetches, the rotated key
  // would have been refused for a minute after the isolate's first fetch.
  const scratch = scratchProject();
  const A = await newSigningKey('key-A');
  const B = await newSigningKey('key-B');
  const jwksServer = await startJwksServer({ jwks: jwksOf(A) });
  t.after(() => jwksServer.close());
  const worker = await startRemoteWorker({
    scratch,
    bindings: { JWKS_URL: jwksServer.url, COOLDOWN_MS: '60000', TIMEOUT_MS: String(TIMEOUT_MS) },
  });
  t.after(() => worker.stop());
  const logs = () => `\nworkerd output:\n${worker.logs().slice(-4000)}`;

  const first = await verifyVia(worker, await signToken(A));
  assert.equal(first.ok, true, JSON.stringify(first) + logs());
  assert.equal(jwksServer.count, 1, 'the cold start fetches once');

  jwksServer.set({ jwks: jwksOf(A, B) });
  const tokens = await Promise.all(Array.from({ length: 10 }, () => signToken(B)));
  const settled = await Promise.allSettled(tokens.map((token) => verifyVia(worker, token)));
  const bad = summarize(settled);
  assert.equal(bad.length, 0, `${bad.length} of 10 B tokens failed right after the cold start:\n${bad.slice(0, 5).join('\n')}${logs()}`);
  assert.equal(jwksServer.count, 2, 'the new kid cost exactly one fetch, without waiting for the cooldown');

  const stranger = await newSigningKey('unused');
  const random = await Promise.all(Array.from({ length: 20 }, (_, i) => signToken({ ...stranger, kid: `random-${i}` })));
  const answers = await Promise.all(random.map((token) => verifyVia(worker, token)));
  assert.deepEqual([...new Set(answers.map((a) => a.code))], ['ERR_JWKS_NO_MATCHING_KEY']);
  assert.equal(jwksServer.count, 2, 'random kids within the cooldown of the last unknown-kid refetch: no fetch');
  const s = await state(worker);
  assert.deepEqual(s.kids.sort(), ['key-A', 'key-B']);
  assert.equal(s.stats.fetches, 2);
});
