// Bun for the runtime tests, from the npm registry: the `bun` package carries the binary for this
// platform (through its per-platform optional dependency, `@oven/bun-linux-x64`, ...), so nothing is
// downloaded from anywhere else. Its postinstall script, which npm 11 may not run, only links that
// binary; the binary is looked for in both places.
//
// ensureBun() returns the path of a bun binary and its version: `bun` on PATH when it is there,
// else the one installed with `npm install bun@BUN_VERSION` into build/runtimes/bun (once:
// idempotent, serialised across processes with flock, bounded in time), or throws an error that
// says what to do.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUN_VERSION = '1.4.5';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = join(REPO, 'build', 'runtimes', 'bun');
const INSTALL_TIMEOUT_S = 300;

function versionOf(bin) {
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  const match = /^(\d+\.\d+\.\d+)/.exec(result.stdout ?? '');
  return result.status === 0 && match ? match[1] : undefined;
}

/** The binaries an npm-installed bun may have under `dir`, in the order they are tried. */
function candidates(dir = DIR) {
  const found = [join(dir, 'node_modules', 'bun', 'bin', 'bun.exe')];
  const scope = join(dir, 'node_modules', '@oven');
  if (existsSync(scope)) {
    for (const platform of readdirSync(scope)) found.push(join(scope, platform, 'bin', 'bun'));
  }
  return found.filter((bin) => existsSync(bin));
}

function installed() {
  for (const bin of candidates()) {
    const version = versionOf(bin);
    if (version !== undefined) return { bin, version };
  }
  return undefined;
}

/** The path of a bun binary (installed from npm when missing) and its version. */
export function ensureBun() {
  const onPath = spawnSync('sh', ['-c', 'command -v bun'], { encoding: 'utf8' }).stdout?.trim();
  const pathVersion = onPath ? versionOf(onPath) : undefined;
  if (pathVersion !== undefined) return { bin: onPath, version: pathVersion };

  let found = installed();
  if (found === undefined || found.version !== BUN_VERSION) {
    mkdirSync(DIR, { recursive: true });
    if (!existsSync(join(DIR, 'package.json'))) writeFileSync(join(DIR, 'package.json'), '{"private":true}\n');
    const install = `npm install bun@${BUN_VERSION} --no-save --no-package-lock --no-audit --no-fund`;
    const result = spawnSync('flock', ['-w', String(INSTALL_TIMEOUT_S + 60), join(DIR, '.install.lock'), 'sh', '-c', `timeout ${INSTALL_TIMEOUT_S} ${install}`], {
      cwd: DIR,
      encoding: 'utf8',
      timeout: (INSTALL_TIMEOUT_S + 90) * 1000,
    });
    found = installed();
    if (found === undefined) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
      const why = result.error ? result.error.message : `npm exited with status ${result.status}`;
      throw new Error(`could not install Bun from npm into ${DIR} (${why}); install bun on PATH, or run \`${install}\` there.\n${output}`);
    }
  }
  return found;
}
