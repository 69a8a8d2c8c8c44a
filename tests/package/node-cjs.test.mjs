// Runs every case of the shared table (cases.mjs) through edge-jwt loaded as CommonJS (require),
// in every mode of run-case.mjs (see case-table.mjs).
import { loadCjs, tryLoad } from './load.mjs';
import { registerCaseTable } from './case-table.mjs';

await registerCaseTable(await tryLoad(loadCjs), 'CommonJS (require)');
