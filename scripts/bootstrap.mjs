// Installs what the build needs, each tool only when it is missing or of the wrong version:
// the npm dev dependencies, the wasm32 Rust target, and the wasm-bindgen CLI matching Cargo.lock.
// wasm-opt comes from the npm package `binaryen` (node_modules/.bin), never from the system.
// Uses only Node built-ins, so it can run before `npm install`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cargoBin = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin');
process.env.PATH = [join(root, 'node_modules', '.bin'), cargoBin, process.env.PATH].join(':');

export function log(message) {
  process.stderr.write(`[edge-jwt] ${message}\n`);
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
}

function output(command, args) {
  try {
    return execFileSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function ensureNpmPackages() {
  const { devDependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const missing = Object.entries(devDependencies).filter(([name, version]) => {
    const manifest = join(root, 'node_modules', name, 'package.json');
    return !existsSync(manifest) || JSON.parse(readFileSync(manifest, 'utf8')).version !== version;
  });
  if (missing.length === 0) return;
  log(`installing npm packages (${missing.map(([n]) => n).join(', ')})`);
  // `npm install`, not `npm ci`: with npm 11 and lockfiles that omit resolved URLs, `npm ci` refuses
  // locks whose platform-specific optional packages (workerd's) were never installed here. Every dev
  // dependency is pinned exactly, and the lock still constrains the transitive ones.
  run('npm', ['install', '--no-audit', '--no-fund']);
}

function ensureWasmTarget() {
  const libdir = output('rustc', ['--print', 'target-libdir', '--target', 'wasm32-unknown-unknown']);
  if (libdir && existsSync(libdir) && readdirHasCore(libdir)) return;
  const script = join(root, '..', 'shared', 'toolchain', 'ensure-wasm32-target.sh');
  log('installing the wasm32-unknown-unknown Rust target');
  if (existsSync(script)) run('bash', [script]);
  else run('rustup', ['target', 'add', 'wasm32-unknown-unknown']);
}

function readdirHasCore(dir) {
  try {
    return execFileSync('ls', [dir], { encoding: 'utf8' }).split('\n').some((f) => f.startsWith('libcore-'));
  } catch {
    return false;
  }
}

export function wasmBindgenVersion() {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const match = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock);
  if (!match) throw new Error('Cargo.lock does not pin wasm-bindgen');
  return match[1];
}

function ensureWasmBindgen() {
  const want = wasmBindgenVersion();
  const have = output('wasm-bindgen', ['--version']);
  if (have === `wasm-bindgen ${want}`) return;
  log(`installing wasm-bindgen-cli ${want} with cargo (found: ${have ?? 'none'}); this takes a few minutes once`);
  run('cargo', ['install', 'wasm-bindgen-cli', '--version', `=${want}`, '--force']);
}

/** Everything the build needs. */
export function bootstrap() {
  ensureNpmPackages();
  ensureWasmTarget();
  ensureWasmBindgen();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) bootstrap();
