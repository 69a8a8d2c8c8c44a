// The published TypeScript declarations, as a consumer sees them: tests/types/consumer.ts is
// type-checked against the installed package with `moduleResolution` NodeNext (ESM and CommonJS
// consumers) and Bundler. It uses every public export and asserts misuse is a compile error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
