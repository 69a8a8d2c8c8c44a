// `node scripts/test-wasm32.mjs`: the crate's own Rust tests (the unit tests in src/, and every
// integration test in tests/*.rs: vectors, Wycheproof, RSA against OpenSSL, fuzz regressions)
// compiled for wasm32-unknown-unknown, where `usize` is 32 bits as in the shipped module, and run
// in Node. Part of `npm test`.
//
// `cargo test --target wasm32-unknown-unknown --no-run` builds each test binary as a .wasm holding
// libtest's own harness and the same #[test] functions as the native run, not a copy. Node
// instantiates it (the few wasm-bindgen imports the library's bindings declare are stubs that fail
// if called; no test calls them) and calls its `main`. There is no clock, no thread and no output
// on that target: libtest runs the tests one after the other in the same thread; a failing test
// panics, and a panic there aborts (a WebAssembly trap), so the binary fails as a whole and the
// trap's stack (which keeps the function names) says which test it was. Tests that need a clock or
// a thread are marked `#[cfg_attr(target_arch = "wasm32", ignore = ...)]`.
//
// Each test's name is also looked up in its binary (libtest keeps them as strings), against the
// native `cargo test -- --list`, so a binary that compiled no tests cannot pass unnoticed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, root } from './bootstrap.mjs';

const TARGET = 'wasm32-unknown-unknown';

/** `cargo test [--target ...] --no-run --message-format=json`: { name, kind, executable }[]. */
function buildTests(target) {
  const args = ['test', '--no-run', '--message-format=json', ...(target ? ['--target', target] : [])];
  const result = spawnSync('cargo', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`cargo ${args.join(' ')} failed (exit ${result.status})`);
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((m) => m.reason === 'compiler-artifact' && m.executable && m.profile?.test)
    .map((m) => ({ name: m.target.name, kind: m.target.kind.join(','), executable: m.executable }));
}

/** The names of the tests a native test binary holds. */
function listNative(executable) {
  const out = spawnSync(executable, ['--list', '--format=terse'], { cwd: root, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${executable} --list failed`);
  const all = out.stdout.split('\n').filter((line) => line.endsWith(': test')).map((line) => line.slice(0, -': test'.length));
  return { all };
}

/** Runs one wasm test binary's libtest main; resolves to { ok, error }. */
function runWasm(file) {
  const module = new WebAssembly.Module(readFileSync(file));
  const imports = {};
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== 'function') throw new Error(`${relative(root, file)} imports a ${kind} (${from}.${name}); only function stubs are provided`);
    imports[from] ??= {};
    imports[from][name] = () => {
      throw new Error(`${from}.${name} was called: a test reached the JavaScript bindings`);
    };
  }
  const instance = new WebAssembly.Instance(module, imports);
  if (typeof instance.exports.main !== 'function') throw new Error(`${relative(root, file)} exports no main`);
  try {
    const status = instance.exports.main(0, 0);
    return status === 0 ? { ok: true } : { ok: false, error: new Error(`main returned ${status}`) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** `_ZN4core3ops8function6FnOnce9call_once17h...E` -> `core::ops::function::FnOnce::call_once`. */
function demangle(symbol) {
  const match = /_ZN((?:\d+[^\d].*?)+)E/.exec(symbol);
  if (!match) return symbol;
  const parts = [];
  let rest = match[1];
  while (rest.length > 0) {
    const digits = /^(\d+)/.exec(rest);
    if (!digits) break;
    const length = Number(digits[1]);
    parts.push(rest.slice(digits[1].length, digits[1].length + length));
    rest = rest.slice(digits[1].length + length);
  }
  if (/^h[0-9a-f]{16}$/.test(parts.at(-1) ?? '')) parts.pop();
  return parts.join('::').replace(/\$u7b\$/g, '{').replace(/\$u7d\$/g, '}').replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>');
}

/** The frames of a trap's stack in the crate's own code and tests (the failing test among them). */
function testFrames(error) {
  return String(error?.stack ?? error)
    .split('\n')
    .map((line) => /\.wasm\.(\S+)/.exec(line.trim())?.[1])
    .filter((symbol) => symbol !== undefined)
    .map(demangle)
    .filter((name) => !/^(core|std|alloc|test|__rust|_R)/.test(name) && !/panic|rust_begin_unwind|(^|::)main$/.test(name))
    .slice(0, 8);
}

export function testWasm32() {
  const started = Date.now();
  log(`cargo test --target ${TARGET} --no-run`);
  const wasm = buildTests(TARGET);
  const native = new Map(buildTests(undefined).map((t) => [`${t.kind}:${t.name}`, t]));
  Error.stackTraceLimit = 64;
  let failed = 0;
  let total = 0;
  for (const binary of wasm) {
    const twin = native.get(`${binary.kind}:${binary.name}`);
    if (!twin) throw new Error(`no native twin of the ${binary.kind} ${binary.name} to list its tests`);
    const { all } = listNative(twin.executable);
    const bytes = readFileSync(binary.executable).toString('latin1');
    const missing = all.filter((name) => !bytes.includes(name));
    if (missing.length > 0) throw new Error(`${binary.name}: tests missing from the wasm32 build: ${missing.join(', ')}`);
    const t0 = Date.now();
    const { ok, error } = runWasm(binary.executable);
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    total += all.length;
    if (ok) {
      log(`${binary.kind} ${binary.name}: ${all.length} tests compiled in, passed on ${TARGET} in ${seconds} s (those marked ignored there not run)`);
    } else {
      failed += 1;
      log(`${binary.kind} ${binary.name}: FAILED on ${TARGET} after ${seconds} s: ${error?.message ?? error}`);
      for (const frame of testFrames(error)) log(`    in ${frame}`);
      const natively = binary.kind === 'test' ? `cargo test --test ${binary.name}` : 'cargo test --lib';
      log(`    natively: ${natively}; a test that passes there and fails here depends on the target (usize is 32 bits here)`);
    }
  }
  log(`wasm32 tests: ${wasm.length} binaries, ${total} tests compiled in, ${failed ? `${failed} binaries failed` : 'all passed'} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (failed) throw new Error(`${failed} wasm32 test binaries failed`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    testWasm32();
  } catch (err) {
    log(`test-wasm32: ${err.message}`);
    process.exitCode = 1;
  }
}
