// The shared case table run inside workerd (the runtime of Cloudflare Workers), against the packed
// edge-jwt installed in EDGE_JWT_SCRATCH, bundled as wrangler bundles a Worker (tests/workerd/).
// Two compatibility dates: 2025-05-01, where compiling WebAssembly from bytes is refused even at
// startup, and 2026-11-01, where it is allowed at startup only (allow_eval_during_startup). For
// each: a probe Worker shows the ban is enforced, every case runs in every mode, then 50 concurrent
// requests go to the one isolate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCases } from './cases.mjs';
import { MODES, checkOutcome, decodeSpecial } from './run-case.mjs';
import { scratchProject, shortPath, startWorkerd } from '../workerd/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const WORKER = join(here, '..', 'workerd', 'worker.mjs');
const DATES = ['2025-05-01', '2026-11-01'];
const BATCH = 50; // cases per POST /run
const CONCURRENT = 50;

const cases = await makeCases();

// Stand-in Worker: tries `new WebAssembly.Module(bytes)` at startup and at request time.
const PROBE = `
const BYTES = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]); // the empty module
function tryCompile() {
  try { new WebAssembly.Module(BYTES); return 'compiled'; } catch (e) { return e.name + ': ' + e.message; }
}
const atStartup = tryCompile();
export default {
  fetch(request) {
    if (new URL(request.url).pathname === '/health') return new Response('ok');
    return Response.json({ atStartup, atRequest: tryCompile() });
  },
};
`;

async function post(worker, body, timeoutMs) {
  let response;
  try {
    response = await fetch(`${worker.url}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(`POST /run failed: ${error.message}\nworkerd output:\n${worker.logs()}`);
  }
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`POST /run answered ${response.status}: ${text.slice(0, 2000)}\nworkerd output:\n${worker.logs()}`);
  }
  return decodeSpecial(JSON.parse(text));
}

for (const compatibilityDate of DATES) {
  test(`workerd, compatibility date ${compatibilityDate}`, { timeout: 55_000 }, async (t) => {
    const scratch = scratchProject(); // fails with instructions when EDGE_JWT_SCRATCH is missing

    await t.test('the runtime refuses to compile WebAssembly from bytes', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'edge-jwt-probe-'));
      try {
        writeFileSync(join(dir, 'probe.mjs'), PROBE);
        const probe = await startWorkerd({ entry: join(dir, 'probe.mjs'), compatibilityDate });
        try {
          const answer = await (await fetch(`${probe.url}/`, { signal: AbortSignal.timeout(10_000) })).json();
          assert.match(answer.atRequest, /disallowed/, 'compiling from bytes worked at request time: this run would not catch a byte-compiling entry');
          if (compatibilityDate < '2025-06-01') assert.match(answer.atStartup, /disallowed/, 'compiling at startup should be refused before 2025-06-01');
          else assert.equal(answer.atStartup, 'compiled', 'compiling at startup should be allowed from 2025-06-01 (the date was not applied?)');
        } finally {
          await probe.stop();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    const worker = await startWorkerd({ entry: WORKER, scratch, compatibilityDate });
    t.diagnostic(`workerd answered /health ${worker.startupMs} ms after spawn; bundle ${(worker.bundle.bytes / 1024).toFixed(0)} KiB + ${worker.bundle.wasm.map((w) => w.name).join(', ')}`);
    try {
      await t.test('bundled from the workerd entry of the installed package', () => {
        const dist = join(scratch, 'node_modules', 'edge-jwt', 'dist');
        assert.ok(worker.bundle.inputs.includes(join(dist, 'workerd.js')),
          `the bundle does not contain ${join(dist, 'workerd.js')}; inputs: ${worker.bundle.inputs.map(shortPath).join(', ')}`);
        assert.deepEqual(worker.bundle.wasm, [{ name: 'edge_jwt_bg.wasm', source: join(dist, 'edge_jwt_bg.wasm') }]);
      });

      for (const mode of MODES) {
        await t.test(`all ${cases.length} cases, ${mode}`, async () => {
          const failures = [];
          for (let i = 0; i < cases.length; i += BATCH) {
            const batch = cases.slice(i, i + BATCH);
            const outcomes = await post(worker, { cases: batch, mode }, 30_000);
            assert.equal(outcomes.length, batch.length, 'one outcome per case');
            batch.forEach((c, j) => {
              const problem = checkOutcome(c, outcomes[j]);
              if (problem !== null) failures.push(`- ${c.name}: ${problem}`);
            });
          }
          assert.ok(failures.length === 0,
            `${failures.length} of ${cases.length} cases failed in workerd (${compatibilityDate}, ${mode}):\n${failures.join('\n')}`);
        });
      }

      await t.test(`${CONCURRENT} concurrent requests to one isolate all verify`, async () => {
        const valid = cases.filter((c) => c.expect.ok);
        assert.ok(valid.length > 0, 'the table has cases of valid tokens');
        const jobs = Array.from({ length: CONCURRENT }, (_, i) => ({
          c: valid[(i * 7) % valid.length],
          mode: MODES[i % MODES.length],
        }));
        const settled = await Promise.allSettled(jobs.map(({ c, mode }) => post(worker, { cases: [c], mode }, 30_000)));
        const failures = [];
        settled.forEach((s, i) => {
          const { c, mode } = jobs[i];
          const problem = s.status === 'rejected' ? s.reason.message : checkOutcome(c, s.value[0]);
          if (problem !== null) failures.push(`- request ${i} (${c.name}, ${mode}): ${problem}`);
        });
        assert.ok(failures.length === 0, `${failures.length} of ${CONCURRENT} concurrent requests failed:\n${failures.join('\n')}`);
      });
    } finally {
      await worker.stop();
    }
  });
}
