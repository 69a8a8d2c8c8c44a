// `npm test`: every test. Rust lints and tests, the package build, `npm pack` installed into a
// scratch project, then the package tests (Node ESM and CommonJS, workerd, hostile input) against
// that installed copy, exactly as a user's project would load it.
import { join } from 'node:path';
import { build } from './build.mjs';
import { bootstrap, log, root, run } from './bootstrap.mjs';
import { buildPython, ensureVenv, venvPython } from './build-python.mjs';
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
step('native crypto (feature native-crypto: ring behind the host-check seam, same verdicts as the core)');
run('cargo', ['clippy', '--all-targets', '--features', 'native-crypto', '--', '-D', 'warnings']);
run('cargo', ['test', '--features', 'native-crypto', '--test', 'native_agreement']);
run('cargo', ['test', '--features', 'native-crypto', '--lib', 'native']);
run('cargo', ['test', '--features', 'native-crypto', '--doc', 'native']);
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
step('Python package (npm run build:python: the abi3 wheel into target/wheels/ and the venv; then pytest tests/python/)');
ensureVenv();
run('cargo', ['fmt', '--check', '--manifest-path', join(root, 'python', 'Cargo.toml')]);
run('cargo', ['clippy', '--manifest-path', join(root, 'python', 'Cargo.toml'), '--all-targets', '--', '-D', 'warnings'], {
  env: { ...process.env, CARGO_TARGET_DIR: join(root, 'target', 'python-binding'), PYO3_PYTHON: venvPython },
});
buildPython();
// run() fails on any non-zero exit, so pytest's 5 (no tests collected) is a failure too.
run(venvPython, ['-m', 'pytest', join(root, 'tests', 'python'), '-q', '-p', 'no:cacheprovider'], {
  env: { ...process.env, EDGE_JWT_SCRATCH: scratch },
});
step('all tests passed');
