// `npm test`: every test. Rust lints and tests, the package build, `npm pack` installed into a
// scratch project, then the package tests (Node ESM and CommonJS, workerd, hostile input) against
// that installed copy, exactly as a user's project would load it.
import { join } from 'node:path';
import { build } from './build.mjs';
import { bootstrap, log, root, run } from './bootstrap.mjs';
import { packInto } from './pack.mjs';
import { testWasm32 } from './test-wasm32.mjs';

const started = Date.now();
const step = (name) => log(`--- ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);

bootstrap();
step('cargo fmt --check');
run('cargo', ['fmt', '--check']);
step('cargo clippy (warnings are errors; unwrap, expect, panics, indexing and unchecked arithmetic denied)');
run('cargo', ['clippy', '--all-targets', '--', '-D', 'warnings']);
// src/wasm.rs (the bindings) only compiles for wasm32: lint that build too.
run('cargo', ['clippy', '--lib', '--target', 'wasm32-unknown-unknown', '--', '-D', 'warnings']);
step('cargo test');
run('cargo', ['test']);
step('cargo test on wasm32 (the same tests compiled to wasm32-unknown-unknown, run in Node)');
testWasm32();
step('RSA vectors re-judged by this Node\'s OpenSSL (tests/vectors/generate-rsa.mjs --check)');
run(process.execPath, [join(root, 'tests', 'vectors', 'generate-rsa.mjs'), '--check']);
step('fuzz (cargo-fuzz, every target 20 s; the long run is `node scripts/fuzz.mjs`)');
run(process.execPath, [join(root, 'scripts', 'fuzz.mjs'), '--quick']);

step('npm run build');
await build();

step('npm pack, installed into a scratch project');
const scratch = packInto(join(root, 'build', 'scratch'));

step('package tests (node --test tests/package/)');
run(process.execPath, ['--test', '--test-concurrency=1', join(root, 'tests', 'package')], {
  env: { ...process.env, EDGE_JWT_SCRATCH: scratch },
});
step('all tests passed');
