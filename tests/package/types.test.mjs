// The published TypeScript declarations, as a consumer sees them: tests/types/consumer.ts is
// type-checked against the installed package with `moduleResolution` NodeNext (ESM and CommonJS
// consumers) and Bundler. It uses every public export and asserts misuse is a compile error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './load.mjs';

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const tsc = join(repo, 'node_modules', '.bin', 'tsc');

for (const [label, type, moduleKind, resolution, file] of [
  ['ESM consumer, NodeNext', 'module', 'NodeNext', 'NodeNext', 'consumer.mts'],
  ['CommonJS consumer, NodeNext', 'commonjs', 'NodeNext', 'NodeNext', 'consumer.cts'],
  ['bundler consumer', 'module', 'ESNext', 'Bundler', 'consumer.ts'],
]) {
  test(`declarations type-check: ${label}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-jwt-types-'));
    try {
      symlinkSync(join(scratchDir(), 'node_modules'), join(dir, 'node_modules'), 'dir');
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type }));
      copyFileSync(join(repo, 'tests', 'types', 'consumer.ts'), join(dir, file));
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { strict: true, noEmit: true, target: 'ES2022', lib: ['ES2022', 'DOM'], module: moduleKind, moduleResolution: resolution, types: [], skipLibCheck: false },
          files: [file],
        }),
      );
      const result = spawnSync(tsc, ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// The packed tarball, checked as npm would publish it: publint in strict mode (warnings fail), and
// are-the-types-wrong under node16 resolution (from ESM and from CommonJS) and bundler resolution,
// so a `require` that gets ESM declarations ("Masquerading as ESM") fails the test.
const packDir = () => `${scratchDir()}-pack`;
const tarball = () => {
  const file = readdirSync(packDir()).find((f) => f.startsWith('edge-jwt-') && f.endsWith('.tgz'));
  assert.ok(file, `no edge-jwt tarball in ${packDir()}`);
  return join(packDir(), file);
};
const bin = (name) => join(repo, 'node_modules', '.bin', name);

test('publint --strict on the packed tarball', () => {
  const result = spawnSync(bin('publint'), ['--strict', tarball()], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `publint:\n${result.stdout}${result.stderr}`);
  assert.match(result.stdout, /All good!/);
});

test('are-the-types-wrong on the packed tarball', () => {
  // Profile node16: the node10 resolution (TypeScript's `moduleResolution: node`) reads no
  // `exports`, so no subpath resolves there, by design of the exports map.
  // Excluded: `./wasm` is the raw `.wasm` file for bundlers that import it (no JavaScript, no
  // types to check). `./workerd` and `./edge-light` are ES modules only (Workers and Vercel Edge load
  // ES modules; a `require` of them is refused with the right types): they are checked separately,
  // with only the "CJS resolves to ESM" rule ignored.
  const common = ['--profile', 'node16', '--format', 'ascii', '--no-color', '--no-emoji'];
  const main = spawnSync(bin('attw'), [tarball(), ...common, '--exclude-entrypoints', './wasm', './workerd', './edge-light'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(main.status, 0, `attw (., ./inline, ./next, ./hono):\n${main.stdout}${main.stderr}`);
  for (const entry of ['.', './inline', './next', './hono']) {
    assert.ok(main.stdout.includes(`"edge-jwt${entry === '.' ? '' : entry.slice(1)}"`), `${entry} was checked:\n${main.stdout}`);
  }
  const esmOnly = spawnSync(bin('attw'), [tarball(), ...common, '--entrypoints', './workerd', './edge-light', '--ignore-rules', 'cjs-resolves-to-esm'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(esmOnly.status, 0, `attw (./workerd, ./edge-light):\n${esmOnly.stdout}${esmOnly.stderr}`);
});
