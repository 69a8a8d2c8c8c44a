// Writes the package case table (tests/package/cases.mjs), with what the installed npm package
// answers for each case, as JSON for the Python tests: `node tests/python/export-cases.mjs OUT`.
// Needs EDGE_JWT_SCRATCH (see tests/package/load.mjs). Non-finite numbers are written as
// {"$number": "Infinity"}, as the case table does.
import { writeFileSync } from 'node:fs';
import { makeCases } from '../package/cases.mjs';
import { tryLoad } from '../package/load.mjs';
import { encodeSpecial, runCase } from '../package/run-case.mjs';

const out = process.argv[2];
if (!out) throw new Error('usage: node tests/python/export-cases.mjs OUT.json');
const { lib, loadError } = await tryLoad();
if (loadError) throw loadError;
const cases = await makeCases();
const exported = [];
for (const c of cases) {
  const outcome = await runCase(lib, c, 'sync');
  exported.push(
    encodeSpecial({
      name: c.name,
      token: c.token,
      keys: c.keys,
      options: c.options ?? {},
      expect: c.expect,
      npm: outcome.ok
        ? { ok: true, payload: outcome.payload, header: outcome.protectedHeader }
        : {
            ok: false,
            code: outcome.code ?? null,
            name: outcome.name,
            claim: outcome.claim ?? null,
            reason: outcome.reason ?? null,
            payload: outcome.errorPayload ?? null,
            message: outcome.message,
          },
    }),
  );
}
writeFileSync(out, JSON.stringify(exported));
console.log(`${exported.length} cases written to ${out}`);
