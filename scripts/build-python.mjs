// `npm run build:python`: the Python package. Makes the venv build/python-venv when missing (with
// maturin, zig and the test and benchmark tools, pinned), builds the abi3 wheel of python/ (pyo3, the
// core with its native-crypto feature; manylinux2014 on Linux) into target/wheels/, and installs it
// into the venv.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, root, run } from './bootstrap.mjs';

export const venv = join(root, 'build', 'python-venv');
export const venvPython = join(venv, 'bin', 'python');
export const wheels = join(root, 'target', 'wheels');

/** Pinned tools of the venv: the build, the tests, and the benchmark's comparison libraries. */
export const PYTHON_TOOLS = [
  'maturin==1.16.0',
  'pytest==9.2.0',
  'httpx==0.29.0',
  'fastapi==0.165.0',
  'uvicorn==0.55.0',
  'anyio==4.16.0',
  'mypy==2.4.1',
  'PyJWT==2.15.1',
  'cryptography==51.0.1',
  'joserfc==1.8.0',
  // zig as the linker for manylinux2014 (glibc 2.17) wheels on Linux, from its PyPI package.
  'ziglang==0.17.1',
];

function findPython() {
  for (const candidate of ['python3.11', 'python3.12', 'python3.13', 'python3', 'python']) {
    const probe = spawnSync(candidate, ['-c', 'import sys; print(sys.version_info >= (3, 9))'], { encoding: 'utf8' });
    if (probe.status === 0 && probe.stdout.trim() === 'True') return candidate;
  }
  throw new Error('Python 3.9 or newer is needed for the Python package (python3 was not found)');
}

function pipInstalled() {
  const probe = spawnSync(venvPython, ['-m', 'pip', 'freeze'], { encoding: 'utf8' });
  if (probe.status !== 0) return new Set();
  return new Set(probe.stdout.split('\n').map((line) => line.trim().toLowerCase()));
}

/** The venv with every pinned tool, made or completed when needed. */
export function ensureVenv() {
  if (!existsSync(venvPython)) {
    log('creating build/python-venv');
    run(findPython(), ['-m', 'venv', venv]);
  }
  const installed = pipInstalled();
  const missing = PYTHON_TOOLS.filter((pin) => !installed.has(pin.toLowerCase()));
  if (missing.length > 0) {
    log(`installing into the venv: ${missing.join(' ')}`);
    run(venvPython, ['-m', 'pip', 'install', '--quiet', ...missing]);
  }
}

/** Builds the wheel into target/wheels/ and installs it into the venv; returns its path. */
export function buildPython() {
  ensureVenv();
  for (const old of existsSync(wheels) ? readdirSync(wheels) : []) {
    if (old.startsWith('edge_jwt-')) rmSync(join(wheels, old));
  }
  // On Linux, zig links against glibc 2.17: one manylinux2014 wheel for every distribution since
  // CentOS 7. Elsewhere, the platform's own toolchain.
  const zig = process.platform === 'linux' ? ['--zig', '--compatibility', 'manylinux2014'] : [];
  log(`maturin build --release ${zig.join(' ')} (python/ -> target/wheels/)`);
  run(join(venv, 'bin', 'maturin'), ['build', '--release', ...zig, '--manifest-path', join(root, 'python', 'Cargo.toml'), '--out', wheels], {
    env: {
      ...process.env,
      CARGO_TARGET_DIR: join(root, 'target', 'python-binding'),
      PATH: `${join(venv, 'bin')}:${process.env.PATH ?? ''}`,
    },
  });
  const wheel = readdirSync(wheels).find((name) => name.startsWith('edge_jwt-') && name.endsWith('.whl'));
  if (wheel === undefined) throw new Error('maturin made no edge_jwt wheel');
  run(venvPython, ['-m', 'pip', 'install', '--quiet', '--force-reinstall', '--no-deps', join(wheels, wheel)]);
  log(`built and installed ${wheel}`);
  return join(wheels, wheel);
}

/** Builds the wheel, runs bench/python.py (its figures are printed) and returns them. */
export function benchPython() {
  buildPython();
  const out = join(root, 'build', 'bench-python.json');
  run(venvPython, [join(root, 'bench', 'python.py'), '--json', out]);
  return JSON.parse(readFileSync(out, 'utf8'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) buildPython();
