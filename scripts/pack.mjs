// `npm pack` of pkg/ installed into a fresh project directory, as a user's project installs it.
// Used by `npm test` (build/scratch), `npm run bench` and `npm run demo`.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, root } from './bootstrap.mjs';

/** Packs pkg/ and installs the tarball into `dir` (emptied first); returns `dir`. */
export function packInto(dir) {
  const packDir = join(dir, '..', `${dir.split('/').pop()}-pack`);
  rmSync(dir, { recursive: true, force: true });
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  mkdirSync(packDir, { recursive: true });
  run('npm', ['pack', './pkg', '--pack-destination', packDir, '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(packDir).find((f) => f.startsWith('edge-jwt-') && f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack wrote no edge-jwt tarball into ${packDir}`);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  run('npm', ['install', join(packDir, tarball), '--no-audit', '--no-fund', '--no-package-lock', '--silent'], { cwd: dir });
  return dir;
}
