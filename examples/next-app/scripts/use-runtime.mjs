// Chooses where the gate runs: `node scripts/use-runtime.mjs node` (proxy.ts, Node.js runtime,
// Next 16's default) or `node scripts/use-runtime.mjs edge` (middleware.ts, edge runtime).
// Next.js refuses an app with both files, so exactly one is at the root.
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const app = fileURLToPath(new URL('..', import.meta.url));
const runtime = process.argv[2];
const files = { node: 'proxy.ts', edge: 'middleware.ts' };
const file = files[runtime];
if (file === undefined) {
  console.error('usage: node scripts/use-runtime.mjs node|edge');
  process.exit(2);
}
for (const other of Object.values(files)) rmSync(`${app}${other}`, { force: true });
copyFileSync(`${app}runtimes/${file}`, `${app}${file}`);
console.log(`the gate now runs in ${file} (${runtime === 'node' ? 'Node.js' : 'edge'} runtime)`);
