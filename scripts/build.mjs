// `npm run build`: the Rust core to WebAssembly, wasm-bindgen's glue, wasm-opt, then the JS layer
// bundled once per runtime entry, TypeScript declarations, and pkg/package.json.
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bootstrap, log, root, run } from './bootstrap.mjs';

const wasmOut = join(root, 'build', 'wasm');
const dist = join(root, 'pkg', 'dist');

export async function build() {
  bootstrap();
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

  log('cargo build (wasm32-unknown-unknown, release)');
  run('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown']);

  log('wasm-bindgen');
  rmSync(wasmOut, { recursive: true, force: true });
  run('wasm-bindgen', [
    join(root, 'target', 'wasm32-unknown-unknown', 'release', 'edge_jwt.wasm'),
    '--target', 'bundler', '--out-dir', wasmOut, '--out-name', 'edge_jwt',
  ]);

  log('wasm-opt -Oz');
  const wasmFile = join(wasmOut, 'edge_jwt_bg.wasm');
  run('wasm-opt', [wasmFile, '-Oz', '--strip-debug', '--strip-producers', '-o', wasmFile]);
  const wasm = readFileSync(wasmFile);
  writeFileSync(join(wasmOut, 'edge_jwt_bg.wasm.base64.js'), `export default ${JSON.stringify(wasm.toString('base64'))};\n`);

  log('TypeScript declarations and type check');
  rmSync(join(root, 'build', 'types'), { recursive: true, force: true });
  run('tsc', ['-p', join(root, 'js', 'tsconfig.json')]);

  log('bundling the runtime entries');
  rmSync(join(root, 'pkg'), { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  const esbuild = await import('esbuild');
  const common = {
    bundle: true,
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'warning',
    external: ['*.wasm', '*.wasm?module'],
    legalComments: 'none',
  };
  const entry = (name) => join(root, 'js', 'entry', `${name}.ts`);
  await esbuild.build({ ...common, entryPoints: { inline: entry('inline'), workerd: entry('workerd'), 'edge-light': entry('edge-light') }, format: 'esm', outdir: dist });
  await esbuild.build({ ...common, entryPoints: { inline: entry('inline') }, format: 'cjs', outdir: dist, outExtension: { '.js': '.cjs' } });
  // The framework adapters import the core by its package name (kept external), so the host's own
  // resolution picks the core entry for its runtime (node, edge-light, workerd, browser).
  const adapters = { next: join(root, 'js', 'next.ts'), hono: join(root, 'js', 'hono.ts') };
  const adapterExternal = [...common.external, 'edge-jwt', 'next', 'next/*', 'hono', 'hono/*'];
  await esbuild.build({ ...common, external: adapterExternal, entryPoints: adapters, format: 'esm', outdir: dist });
  await esbuild.build({ ...common, external: adapterExternal, entryPoints: adapters, format: 'cjs', outdir: dist, outExtension: { '.js': '.cjs' } });
  await esbuild.build({ ...common, entryPoints: { cli: entry('cli') }, format: 'esm', platform: 'node', outdir: dist, banner: { js: '#!/usr/bin/env node' } });
  copyFileSync(wasmFile, join(dist, 'edge_jwt_bg.wasm'));
  // The internal modules' declarations name the exports' types, which wasm-bindgen declared
  // (build/wasm/edge_jwt.d.ts): shipped beside them, so every import in a declaration resolves.
  // Without their `[Symbol.dispose]` members, which need `lib: esnext` of every consumer (the
  // handles are internal: nobody outside the package disposes of them).
  const generated = readFileSync(join(wasmOut, 'edge_jwt.d.ts'), 'utf8').replace(/^ *\[Symbol\.dispose\]\(\): void;\n/gm, '');
  writeFileSync(join(root, 'build', 'types', 'edge_jwt.d.ts'), generated);
  copyTypes(join(root, 'build', 'types'), join(dist, 'types'));

  writeFileSync(join(root, 'pkg', 'package.json'), `${JSON.stringify(packageJson(version), null, 2)}\n`);
  copyFileSync(join(root, 'README.md'), join(root, 'pkg', 'README.md'));
  copyFileSync(join(root, 'LICENSE'), join(root, 'pkg', 'LICENSE'));
  // The reference the README links to (docs/*.md and the chart): shipped, so no link is dead on npm.
  cpSync(join(root, 'docs'), join(root, 'pkg', 'docs'), { recursive: true });

  const raw = wasm.length;
  const gz = gzipSync(wasm, { level: 9 }).length;
  log(`built pkg/: edge_jwt_bg.wasm ${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzip; inline.js ${(statSync(join(dist, 'inline.js')).size / 1024).toFixed(1)} KiB`);
}

// Each declaration file twice: `.d.ts` for the `import` conditions (ESM, as the package's `type`
// says) and `.d.cts` for the `require` ones, its relative imports pointing at `.cjs` twins, so a
// CommonJS consumer under node16/nodenext resolution gets CommonJS declarations, not ESM ones.
function copyTypes(from, to) {
  mkdirSync(to, { recursive: true });
  for (const file of readdirSync(from)) {
    if (!file.endsWith('.d.ts')) continue;
    const text = readFileSync(join(from, file), 'utf8').replace(/(['"])\.\.\/build\/wasm\/edge_jwt\.js\1/g, '$1./edge_jwt.js$1');
    writeFileSync(join(to, file), text);
    const cjs = text.replace(/(['"])(\.{1,2}\/[^'"]+?)\.js\1/g, '$1$2.cjs$1');
    writeFileSync(join(to, file.replace(/\.d\.ts$/, '.d.cts')), cjs);
  }
}

function adapter(name) {
  const types = `./dist/types/${name}.d.ts`;
  const cjsTypes = `./dist/types/${name}.d.cts`;
  return { import: { types, default: `./dist/${name}.js` }, require: { types: cjsTypes, default: `./dist/${name}.cjs` } };
}

function packageJson(version) {
  const types = './dist/types/index.d.ts';
  const cjsTypes = './dist/types/index.d.cts';
  const inline = { import: { types, default: './dist/inline.js' }, require: { types: cjsTypes, default: './dist/inline.cjs' } };
  return {
    name: 'edge-jwt',
    version,
    description: 'Verify JWTs (Better Auth and any JWKS) in WebAssembly with jose semantics: Node, Next.js, Vercel Edge, Cloudflare Workers, Deno, browsers.',
    license: 'MIT',
    type: 'module',
    keywords: ['jwt', 'jws', 'jwks', 'jose', 'better-auth', 'webassembly', 'edge', 'cloudflare-workers', 'nextjs'],
    sideEffects: ['./dist/*.js', './dist/*.cjs'],
    files: ['dist', 'docs', 'README.md', 'LICENSE'],
    main: './dist/inline.cjs',
    bin: { 'edge-jwt': './dist/cli.js' },
    module: './dist/inline.js',
    types,
    exports: {
      '.': {
        workerd: { types, default: './dist/workerd.js' },
        'edge-light': { types, default: './dist/edge-light.js' },
        browser: { types, default: './dist/inline.js' },
        node: inline,
        ...inline,
        default: { types, default: './dist/inline.js' },
      },
      './workerd': { types, default: './dist/workerd.js' },
      './edge-light': { types, default: './dist/edge-light.js' },
      './inline': inline,
      './next': adapter('next'),
      './hono': adapter('hono'),
      './wasm': './dist/edge_jwt_bg.wasm',
      './package.json': './package.json',
    },
    peerDependencies: { next: '>=15', hono: '>=4' },
    peerDependenciesMeta: { next: { optional: true }, hono: { optional: true } },
    engines: { node: '>=20' },
  };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  build().catch((error) => {
    log(error.stack ?? String(error));
    process.exit(1);
  });
}
