// Registers the shared case table (cases.mjs) as node:test tests for one way of loading edge-jwt:
// every case in every mode of run-case.mjs (verifyToken and verifyTokenSync, each with the keys as
// given and with the keys turned into a LocalKeySet first), one test per case, one subtest per
// mode, then a check that local verification made no network request. Used by node-esm.test.mjs
// and node-cjs.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCases } from './cases.mjs';
import { MODES, checkOutcome, runCase } from './run-case.mjs';

/** `loaded` is what `tryLoad` returned; `how` names the loading in the failure's title. */
export async function registerCaseTable({ lib, loadError }, how) {
  if (loadError) {
    test(`edge-jwt loads as ${how}`, () => {
      throw loadError;
    });
    return;
  }
  const cases = await makeCases();

  // Local verification must never touch the network (a header jku/x5u is never fetched).
  const fetchCalls = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input) => {
    fetchCalls.push(String(input && input.url ? input.url : input));
    throw new TypeError('network access is disabled in the local verification tests');
  };

  for (const c of cases) {
    test(c.name, async (t) => {
      for (const mode of MODES) {
        await t.test(mode, async () => {
          const outcome = await runCase(lib, c, mode);
          const problem = checkOutcome(c, outcome);
          assert.equal(problem, null, `${c.name} [${mode}]: ${problem}${c.differsFromJose ? ` (deliberate difference from jose: ${c.differsFromJose})` : ''}`);
        });
      }
    });
  }

  test('no network request was made during local verification', () => {
    globalThis.fetch = realFetch;
    assert.deepEqual(fetchCalls, [], `fetch was called: ${fetchCalls.join(', ')}`);
  });
}

/**
 * Asserts the outcomes another runtime reported for the case table: `outcomes[mode][i]` for
 * `cases[i]`, in every mode; `where` names the runtime in the failure.
 */
export function assertEveryMode(cases, outcomes, where) {
  for (const mode of MODES) {
    assert.equal(outcomes[mode].length, cases.length);
    const failures = cases.flatMap((c, i) => {
      const problem = checkOutcome(c, outcomes[mode][i]);
      return problem === null ? [] : [`- ${c.name}: ${problem}`];
    });
    assert.ok(failures.length === 0, `${failures.length} of ${cases.length} cases failed in ${where} (${mode}):\n${failures.join('\n')}`);
  }
}
