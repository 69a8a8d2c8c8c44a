// `npm test`: every test. Rust lints and tests, the package build, `npm pack` installed into a
// scratch project, then the package tests (Node ESM and CommonJS, workerd, hostile input) against
// that installed copy, exactly as a user's project would load it.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from './build.mjs';
import { bootstrap, log, root, run } from './bootstrap.mjs';

const started = Date.now();
const step = (name) => log(`--- ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);

bootstrap();
step('cargo fmt --check');
run('cargo', ['fmt', '--check']);
step('cargo clippy (warnings are errors; unwrap, expect, panics, indexing and unchecked arithmetic denied)');
run('cargo', ['clippy', '--all-targets', '--', '-D', 'warnings']);
step('cargo test');
run('cargo', ['test']);
step('fuzz (cargo-fuzz, every target 20 s; the long run is `node scripts/fuzz.mjs`)');
run(process.execPath, [join(root, 'scripts', 'fuzz.mjs'), '--quick']);

step('npm run build');
await build();

step('npm pack, installed into a scratch project');
const scratch = join(root, 'build', 'scratch');
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
for (const f of readdirSync(join(root, 'build'))) if (f.endsWith('.tgz')) rmSync(join(root, 'build', f));
run('npm', ['pack', './pkg', '--pack-destination', join(root, 'build'), '--silent']);
const tarball = readdirSync(join(root, 'build')).find((f) => f.startsWith('edge-jwt-') && f.endsWith('.tgz'));
writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
run('npm', ['install', join(root, 'build', tarball), '--no-audit', '--no-fund', '--no-package-lock', '--silent'], { cwd: scratch });

step('package tests (node --test tests/package/)');
run(process.execPath, ['--test', '--test-concurrency=1', join(root, 'tests', 'package')], {
  env: { ...process.env, EDGE_JWT_SCRATCH: scratch },
});
step('all tests passed');
