// The packed edge-jwt inside `edge-runtime` (npm), the runtime of Vercel Edge Functions and Next.js
// edge middleware (its EdgeVM is what Next's sandbox builds on), set up as Vercel's servers are and
// as `next start` is not: compiling WebAssembly from bytes forbidden (codeGeneration wasm: false,
// strings: false).
//
// The runner (a classic `addEventListener('fetch')` edge function around the shared case table) is
// bundled as Next/Vercel bundle edge code: esbuild with the `edge-light`, `worker` and `browser`
// conditions, and each `*.wasm?module` import replaced by a global `wasm_<sha1 of the file>`, filled
// with a WebAssembly.Module compiled in this (outer) realm, so it reaches the VM from another realm
// (`instanceof WebAssembly.Module` is false there), as in Next's sandbox. Requests go through
// EdgeVM's dispatchFetch.
//
// Checked: the ban is real (a probe, and the package's byte-compiling `inline` entry failing in the
// same VM), the bundle is the `edge-light` entry and nothing else, every case of the table in every
// mode, and concurrent requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EdgeRuntime } from 'edge-runtime';
import { makeCases } from './cases.mjs';
import { MODES, checkOutcome, decodeSpecial } from './run-case.mjs';
import { scratchDir } from './load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BATCH = 50;
const CONCURRENT = 50;
const EMPTY_MODULE = [0, 97, 115, 109, 1, 0, 0, 0];

// The edge function: POST /run {cases, mode} -> [outcome, ...] (encodeSpecial'd JSON).
const RUNNER = `
import * as lib from 'edge-jwt';
import { encodeSpecial, runCase } from './run-case.mjs';

async function handle(request) {
  const { pathname } = new URL(request.url);
  if (pathname !== '/run' || request.method !== 'POST') return new Response('not found', { status: 404 });
  const { cases, mode } = await request.json();
  const outcomes = [];
  for (const c of cases) outcomes.push(encodeSpecial(await runCase(lib, c, mode)));
  return new Response(JSON.stringify(outcomes), { headers: { 'content-type': 'application/json' } });
}

addEventListener('fetch', (event) => {
  event.respondWith(handle(event.request).catch((error) => new Response('runner failure: ' + (error && error.stack), { status: 500 })));
});
`;

/**
 * Bundles `contents` (resolved from tests/package, edge-jwt from the scratch project) as Next and
 * Vercel bundle edge code. Returns the script, the files bundled in, and the wasm globals to inject
 * ({ global name -> .wasm path }).
 */
async function bundleForEdge(contents, conditions) {
  const esbuild = await import('esbuild');
  const scratch = scratchDir();
  const globals = new Map();
  const result = await esbuild.build({
    stdin: { contents, resolveDir: here, sourcefile: 'edge-function.mjs', loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    conditions,
    mainFields: ['browser', 'module', 'main'],
    nodePaths: [join(scratch, 'node_modules')],
    metafile: true,
    logLevel: 'silent',
    plugins: [{
      // What @vercel/node's edge-wasm plugin and Next's edge build do with `?module` imports.
      name: 'wasm-module-global',
      setup(build) {
        build.onResolve({ filter: /\.wasm\?module$/ }, (args) => {
          const file = join(args.resolveDir, args.path.replace(/\?module$/, ''));
          const name = `wasm_${createHash('sha1').update(readFileSync(file)).digest('hex')}`;
          globals.set(name, file);
          return { path: name, namespace: 'wasm-module-global' };
        });
        build.onLoad({ filter: /.*/, namespace: 'wasm-module-global' }, (args) => ({
          contents: `export default globalThis[${JSON.stringify(args.path)}];`,
          loader: 'js',
        }));
      },
    }],
  });
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('wasm-module-global:'));
  return { code: result.outputFiles[0].text, inputs: inputs.map((input) => resolve(process.cwd(), input)), globals };
}

/** An EdgeRuntime with code generation off and each wasm global holding a Module of this realm. */
function edgeRuntime(globals, initialCode) {
  const modules = Object.fromEntries([...globals].map(([name, file]) => [name, new WebAssembly.Module(readFileSync(file))]));
  return new EdgeRuntime({
    codeGeneration: { strings: false, wasm: false },
    extend: (context) => Object.assign(context, modules),
    initialCode,
  });
}

async function run(runtime, body) {
  const response = await runtime.dispatchFetch('http://edge.test/run', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `the edge function answered ${response.status}: ${text.slice(0, 2000)}`);
  return decodeSpecial(JSON.parse(text));
}

const cases = await makeCases();

test('edge-runtime (Vercel Edge), WebAssembly code generation banned', { timeout: 120_000 }, async (t) => {
  const scratch = scratchDir();
  const dist = join(scratch, 'node_modules', 'edge-jwt', 'dist');

  await t.test('the ban is enforced in the VM, and a module from the outer realm is foreign there', async () => {
    const outer = new WebAssembly.Module(new Uint8Array(EMPTY_MODULE)); // compiled in this realm
    const runtime = new EdgeRuntime({ codeGeneration: { strings: false, wasm: false }, extend: (context) => Object.assign(context, { outer }) });
    const bytes = `new Uint8Array(${JSON.stringify(EMPTY_MODULE)})`;
    assert.throws(() => runtime.evaluate(`new WebAssembly.Module(${bytes})`), /Wasm code generation disallowed/);
    const compiled = await runtime.evaluate(`WebAssembly.compile(${bytes}).then(() => 'compiled', (e) => String(e))`);
    assert.match(compiled, /Wasm code generation disallowed/);
    const instantiated = await runtime.evaluate(`WebAssembly.instantiate(${bytes}).then(() => 'instantiated', (e) => String(e))`);
    assert.match(instantiated, /Wasm code generation disallowed/);
    assert.throws(() => runtime.evaluate('eval("1 + 1")'), /Code generation from strings disallowed/);
    assert.equal(runtime.evaluate('outer instanceof WebAssembly.Module'), false);
    assert.equal(runtime.evaluate('typeof new WebAssembly.Instance(outer, {}).exports'), 'object',
      'instantiating a precompiled module must work, or nothing could run here');
  });

  await t.test("control: the package's byte-compiling inline entry fails in the same VM", async () => {
    const control = await bundleForEdge(`
      import { verifyTokenSync } from 'edge-jwt/inline';
      globalThis.control = () => { try { verifyTokenSync('a.b.c', { keys: [] }); return 'ran'; } catch (e) { return String(e && e.message); } };
    `, ['worker', 'browser']);
    assert.ok(control.inputs.includes(join(dist, 'inline.js')), `the control bundle should hold dist/inline.js: ${control.inputs.join(', ')}`);
    const runtime = edgeRuntime(control.globals, control.code);
    assert.match(runtime.evaluate('control()'), /Wasm code generation disallowed/);
  });

  const bundle = await bundleForEdge(RUNNER, ['edge-light', 'worker', 'browser']);
  await t.test('bundled from the edge-light entry, the .wasm arriving as a ?module global', () => {
    assert.ok(bundle.inputs.includes(join(dist, 'edge-light.js')), `inputs: ${bundle.inputs.join(', ')}`);
    assert.ok(!bundle.inputs.some((input) => input.endsWith('inline.js')), 'the inline (bytes) entry must not be in an edge bundle');
    assert.deepEqual([...bundle.globals.values()], [join(dist, 'edge_jwt_bg.wasm')]);
    assert.match(bundle.code, /globalThis\["wasm_[0-9a-f]{40}"\]/);
  });

  const runtime = edgeRuntime(bundle.globals, bundle.code);
  for (const mode of MODES) {
    await t.test(`all ${cases.length} cases, ${mode}`, async () => {
      const failures = [];
      for (let i = 0; i < cases.length; i += BATCH) {
        const batch = cases.slice(i, i + BATCH);
        const outcomes = await run(runtime, { cases: batch, mode });
        assert.equal(outcomes.length, batch.length, 'one outcome per case');
        batch.forEach((c, j) => {
          const problem = checkOutcome(c, outcomes[j]);
          if (problem !== null) failures.push(`- ${c.name}: ${problem}`);
        });
      }
      assert.ok(failures.length === 0, `${failures.length} of ${cases.length} cases failed in edge-runtime (${mode}):\n${failures.join('\n')}`);
    });
  }

  await t.test(`${CONCURRENT} concurrent requests all verify`, async () => {
    const valid = cases.filter((c) => c.expect.ok);
    const jobs = Array.from({ length: CONCURRENT }, (_, i) => ({ c: valid[(i * 7) % valid.length], mode: MODES[i % MODES.length] }));
    const settled = await Promise.allSettled(jobs.map(({ c, mode }) => run(runtime, { cases: [c], mode })));
    const failures = [];
    settled.forEach((s, i) => {
      const problem = s.status === 'rejected' ? s.reason.message : checkOutcome(jobs[i].c, s.value[0]);
      if (problem !== null) failures.push(`- request ${i} (${jobs[i].c.name}, ${jobs[i].mode}): ${problem}`);
    });
    assert.ok(failures.length === 0, `${failures.length} of ${CONCURRENT} concurrent requests failed:\n${failures.join('\n')}`);
  });
});
