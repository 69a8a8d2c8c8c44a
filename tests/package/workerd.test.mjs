// The shared case table run inside workerd (Cloudflare Workers' runtime), with the package bundled
// as wrangler bundles it, at two compatibility dates: 2025-05-01, where compiling WebAssembly from
// bytes is refused even at startup, and a current one. Then concurrent requests to one isolate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCases } from './cases.mjs';
import { scratchDir } from './load.mjs';
import { MODES, checkOutcome, decodeSpecial } from './run-case.mjs';
import { startWorker } from '../runtimes/workerd.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const scratch = scratchDir();
const cases = await makeCases();
const BATCH = 60;

for (const compatibilityDate of ['2025-05-01', '2026-11-01']) {
  test(`workerd, compatibility date ${compatibilityDate}`, { timeout: 120_000 }, async (t) => {
    const worker = await startWorker({ entry: join(here, '..', 'runtimes', 'workerd-worker.mjs'), scratch, compatibilityDate });
    t.diagnostic(`workerd answered after ${worker.startupMs} ms; worker bundle ${(worker.bundleBytes / 1024).toFixed(0)} KiB`);
    try {
      if (compatibilityDate === '2025-05-01') {
        await t.test('the runtime refuses to compile WebAssembly from bytes (the ban is real here)', async () => {
          const answer = await (await fetch(`${worker.url}/compile-bytes`)).json();
          assert.equal(answer.compiled, false, 'workerd compiled wasm from bytes: this test would not catch a byte-compiling entry');
        });
      }
      for (const mode of MODES) {
        await t.test(`every case, ${mode}`, async () => {
          const failures = [];
          for (let i = 0; i < cases.length; i += BATCH) {
            const batch = cases.slice(i, i + BATCH);
            const response = await fetch(`${worker.url}/run`, {
              method: 'POST',
              body: JSON.stringify({ cases: batch, mode }),
              signal: AbortSignal.timeout(60_000),
            });
            const body = await response.text();
            assert.equal(response.status, 200, `worker answered ${response.status}: ${body}\n${worker.logs()}`);
            const outcomes = decodeSpecial(JSON.parse(body));
            batch.forEach((c, j) => {
              const problem = checkOutcome(c, outcomes[j]);
              if (problem !== null) failures.push(`${c.name}: ${problem}`);
            });
          }
          assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed in workerd:\n${failures.join('\n')}`);
        });
      }
      await t.test('50 concurrent requests to one isolate all verify', async () => {
        const valid = cases.filter((c) => c.expect.ok).slice(0, 50);
        assert.ok(valid.length >= 10, 'the table has valid cases');
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            fetch(`${worker.url}/run`, {
              method: 'POST',
              body: JSON.stringify({ cases: [valid[i % valid.length]], mode: i % 2 ? 'sync' : 'async' }),
              signal: AbortSignal.timeout(30_000),
            }).then((r) => r.json()),
          ),
        );
        answers.forEach((outcomes, i) => {
          assert.equal(checkOutcome(valid[i % valid.length], decodeSpecial(outcomes)[0]), null);
        });
      });
    } finally {
      await worker.stop();
    }
  });
}
