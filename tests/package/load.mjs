// Loads the packed edge-jwt package the way a user's project does.
//
// `npm test` packs the package, installs the tarball into a scratch project and runs
// `node --test tests/package/` with EDGE_JWT_SCRATCH set to that project's absolute path. The
// loaders write a one-line shim into the scratch project and import/require it by absolute path,
// so Node resolves 'edge-jwt' from the scratch project's node_modules through the package's
// `exports` map (with the `import` or the `require` condition).

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const HOW = 'Run the package tests with `npm test` (it builds the package, packs it, installs the '
  + 'tarball into a scratch project and sets EDGE_JWT_SCRATCH), or set EDGE_JWT_SCRATCH to the '
  + 'absolute path of a project where `npm install <edge-jwt tarball>` was run.';

/** The scratch project directory, or a clear error. */
export function scratchDir() {
  const dir = process.env.EDGE_JWT_SCRATCH;
  if (!dir) throw new Error(`EDGE_JWT_SCRATCH is not set, so the installed edge-jwt package cannot be found. ${HOW}`);
  if (!isAbsolute(dir)) throw new Error(`EDGE_JWT_SCRATCH must be an absolute path, got ${JSON.stringify(dir)}. ${HOW}`);
  const manifest = join(dir, 'node_modules', 'edge-jwt', 'package.json');
  if (!existsSync(manifest)) {
    throw new Error(`EDGE_JWT_SCRATCH=${dir} has no node_modules/edge-jwt/package.json. ${HOW}`);
  }
  return dir;
}

// Test files run in parallel processes that all write the same shims: write only when the content
// differs, and atomically (temp file + rename), so no process ever reads a half-written shim.
function writeShim(path, content) {
  try {
    if (readFileSync(path, 'utf8') === content) return;
  } catch {
    // absent: write it
  }
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

/** The package as `import ... from 'edge-jwt'` sees it (its module namespace). */
export async function loadEsm() {
  const shim = join(scratchDir(), 'esm-shim.mjs');
  writeShim(shim, "export * from 'edge-jwt';\n");
  return import(pathToFileURL(shim).href);
}

/** The package as `require('edge-jwt')` sees it. */
export function loadCjs() {
  const shim = join(scratchDir(), 'cjs-shim.cjs');
  writeShim(shim, "module.exports = require('edge-jwt');\n");
  return createRequire(shim)(shim);
}

/**
 * The package loaded by `load` (default: as ESM), or the error that stopped it, so that a test
 * file can report a broken package as one failing test instead of crashing at import.
 */
export async function tryLoad(load = loadEsm) {
  try {
    return { lib: await load(), loadError: undefined };
  } catch (error) {
    return { lib: undefined, loadError: error };
  }
}
