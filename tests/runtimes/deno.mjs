// Deno for the runtime tests, from the npm registry: the `deno` package ships the binary in a
// per-platform optional dependency (`@deno/linux-x64-glibc`, ...), so nothing is downloaded from
// anywhere else (its postinstall script, which npm 11 may not run, only moves that binary).
//
// ensureDeno() returns the path of a deno binary: `deno` on PATH when it is there, else the one of a
// `deno` dev dependency in the repository's node_modules, else the one installed with
// `npm install deno@DENO_VERSION` into build/runtimes/deno (once: idempotent, serialised across
// processes with flock, bounded in time), or throws an error that says what to do.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DENO_VERSION = '2.9.6';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = join(REPO, 'build', 'runtimes', 'deno');
const INSTALL_TIMEOUT_S = 300;

function versionOf(bin) {
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  const match = /^deno (\S+)/.exec(result.stdout ?? '');
  return result.status === 0 && match ? match[1] : undefined;
}

/** The binary of an npm-installed deno under `dir`, if any: node_modules/@deno/<platform>/deno. */
function installedBinary(dir = DIR) {
  const scope = join(dir, 'node_modules', '@deno');
  if (!existsSync(scope)) return undefined;
  for (const platform of readdirSync(scope)) {
    const bin = join(scope, platform, process.platform === 'win32' ? 'deno.exe' : 'deno');
    if (existsSync(bin)) return bin;
  }
  return undefined;
}

/** The path of a deno binary (installed from npm when missing) and its version. */
export function ensureDeno() {
  const onPath = spawnSync('sh', ['-c', 'command -v deno'], { encoding: 'utf8' }).stdout?.trim();
  for (const found of [onPath, installedBinary(REPO)]) {
    const version = found ? versionOf(found) : undefined;
    if (version !== undefined) return { bin: found, version };
  }

  let bin = installedBinary();
  if (bin === undefined || versionOf(bin) !== DENO_VERSION) {
    mkdirSync(DIR, { recursive: true });
    if (!existsSync(join(DIR, 'package.json'))) writeFileSync(join(DIR, 'package.json'), '{"private":true}\n');
    const install = `npm install deno@${DENO_VERSION} --no-save --no-package-lock --no-audit --no-fund`;
    const result = spawnSync('flock', ['-w', String(INSTALL_TIMEOUT_S + 60), join(DIR, '.install.lock'), 'sh', '-c', `timeout ${INSTALL_TIMEOUT_S} ${install}`], {
      cwd: DIR,
      encoding: 'utf8',
      timeout: (INSTALL_TIMEOUT_S + 90) * 1000,
    });
    bin = installedBinary();
    if (bin === undefined || versionOf(bin) === undefined) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
      const why = result.error ? result.error.message : `npm exited with status ${result.status}`;
      throw new Error(`could not install Deno from npm into ${DIR} (${why}); install deno on PATH, or run \`${install}\` there.\n${output}`);
    }
  }
  return { bin, version: versionOf(bin) };
}
