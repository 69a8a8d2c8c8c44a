// Runs a Worker in workerd (the npm `workerd` binary, the runtime behind wrangler and Cloudflare
// Workers) on 127.0.0.1: bundles it the way wrangler does (esbuild with the `workerd`, `worker`,
// `browser` conditions, `.wasm` imports kept as modules), writes a capnp config, starts workerd,
// waits for /health, and stops it (process group) when done. Every wait is bounded.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Bundles `entry` against the edge-jwt installed in `scratch` and starts workerd.
 * @returns {Promise<{url: string, stop(): Promise<void>, logs(): string}>}
 */
export async function startWorker({ entry, scratch, compatibilityDate, timeoutMs = 20_000 }) {
  const esbuild = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'edge-jwt-workerd-'));
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    external: ['*.wasm'],
    nodePaths: [join(scratch, 'node_modules')],
    outfile: join(dir, 'worker.js'),
    logLevel: 'silent',
    metafile: true,
  });
  const bundle = readFileSync(join(dir, 'worker.js'), 'utf8');
  const wasmImports = [...bundle.matchAll(/from\s+["']([^"']+\.wasm)["']/g)].map((m) => m[1]);
  if (wasmImports.length !== 1) throw new Error(`expected one .wasm import in the bundle, found ${JSON.stringify(wasmImports)}`);
  // workerd resolves module names relative to the importing module ("worker.js" at the root).
  const wasmName = wasmImports[0].replace(/^\.\//, '');
  copyFileSync(join(scratch, 'node_modules', 'edge-jwt', 'dist', 'edge_jwt_bg.wasm'), join(dir, wasmName));
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "${wasmName}", wasm = embed "${wasmName}"),
  ],
  compatibilityDate = "${compatibilityDate}",
);
`,
  );
  let output = '';
  const child = spawn(join(repo, 'node_modules', '.bin', 'workerd'), ['serve', join(dir, 'config.capnp')], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      await new Promise((resolve) => { if (exited) resolve(); else child.on('exit', resolve); setTimeout(resolve, 2000); });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const started = Date.now();
  for (;;) {
    if (exited) { await stop(); throw new Error(`workerd exited during startup:\n${output}`); }
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() - started > timeoutMs) { await stop(); throw new Error(`workerd did not answer /health within ${timeoutMs} ms:\n${output}`); }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, stop, logs: () => output, startupMs: Date.now() - started, bundleBytes: bundle.length };
}
