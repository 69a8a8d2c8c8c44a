// Runs every case of the shared table (cases.mjs) through edge-jwt loaded as ESM (import), in
// every mode of run-case.mjs (see case-table.mjs).
import { tryLoad } from './load.mjs';
import { registerCaseTable } from './case-table.mjs';

await registerCaseTable(await tryLoad(), 'ESM (import)');
