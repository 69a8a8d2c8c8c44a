// Runs a Worker in workerd, the open-source runtime behind Cloudflare Workers and wrangler.
//
// 1. bundleWorker: esbuild, configured as wrangler configures it for Workers: the `workerd`,
//    `worker` and `browser` conditions, platform neutral with the browser/module/main fields, ESM
//    output, and every `.wasm` import left in place (`external`) so workerd loads it as a compiled
//    WebAssembly module. `edge-jwt` is resolved from the scratch project where `npm test` installed
//    the packed tarball.
// 2. The bundle is read back: each `.wasm` specifier that survived in it becomes a module of the same
//    name, its bytes copied from the file the importing module points at (esbuild's metafile says
//    which input imported it, so the file is found, not assumed).
// 3. A capnp config (one worker service, one HTTP socket on 127.0.0.1 on a free port, the chosen
//    compatibility date) is written next to the bundle, `workerd serve` is started in its own
//    process group and polled on GET /health until it answers (bounded).
// stop() kills the process group and removes the temporary directory; it is also run if the Node
// process exits first. No experimental flags are used.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WORKERD_BIN = join(REPO, 'node_modules', '.bin', 'workerd');
const LOG_LIMIT = 64 * 1024;

const HOW = 'Run the package tests with `npm test`: it builds the package, packs it, installs the tarball into '
  + 'a scratch project and sets EDGE_JWT_SCRATCH to that project. To run this file alone, set '
  + 'EDGE_JWT_SCRATCH to the absolute path of a project where `npm install <edge-jwt tarball>` was run.';

/** The scratch project holding node_modules/edge-jwt (from EDGE_JWT_SCRATCH), or a clear error. */
export function scratchProject() {
  const dir = process.env.EDGE_JWT_SCRATCH;
  if (!dir) throw new Error(`EDGE_JWT_SCRATCH is not set, so there is no installed edge-jwt to test. ${HOW}`);
  if (!isAbsolute(dir)) throw new Error(`EDGE_JWT_SCRATCH must be an absolute path, got ${JSON.stringify(dir)}. ${HOW}`);
  if (!existsSync(join(dir, 'node_modules', 'edge-jwt', 'package.json'))) {
    throw new Error(`EDGE_JWT_SCRATCH=${dir} has no node_modules/edge-jwt. ${HOW}`);
  }
  return dir;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

// Import specifiers of the bundle's static imports and re-exports (`import x from "..."`,
// `import "..."`, `export ... from "..."`). esbuild prints them one per statement.
function staticSpecifiers(code) {
  const found = [];
  const re = /^\s*(?:import|export)\b[^;'"()=]*?(?:\bfrom\s*)?(["'])([^"'\n]+)\1/gm;
  for (const m of code.matchAll(re)) found.push(m[2]);
  return found;
}

/**
 * Bundles `entry` into `outDir/worker.js` as wrangler does and copies every imported `.wasm` file
 * next to it under the name the bundle imports it by.
 * @param {{entry: string, outDir: string, scratch?: string}} options `scratch`: a project whose
 *   node_modules is searched for packages (edge-jwt).
 * @returns {Promise<{mainName: string, wasm: {name: string, source: string}[], inputs: string[], bytes: number}>}
 *   `inputs`: absolute paths of the files bundled in.
 */
export async function bundleWorker({ entry, outDir, scratch }) {
  const esbuild = await import('esbuild');
  const mainName = 'worker.js';
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: join(outDir, mainName),
    absWorkingDir: REPO,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    external: ['*.wasm'],
    nodePaths: scratch ? [join(scratch, 'node_modules')] : [],
    metafile: true,
    logLevel: 'silent',
  });
  const code = readFileSync(join(outDir, mainName), 'utf8');

  // Where each external .wasm import came from: input file (relative to absWorkingDir) + specifier.
  const sources = new Map(); // specifier -> absolute path of the .wasm file
  for (const [input, info] of Object.entries(result.metafile.inputs)) {
    for (const imp of info.imports) {
      if (!imp.external || !/\.wasm$/.test(imp.path)) continue;
      const source = resolve(REPO, dirname(input), imp.path);
      const earlier = sources.get(imp.path);
      if (earlier !== undefined && earlier !== source) {
        throw new Error(`two different .wasm files are imported as ${imp.path}: ${earlier} and ${source}`);
      }
      sources.set(imp.path, source);
    }
  }

  const wasm = [];
  for (const specifier of new Set(staticSpecifiers(code).filter((s) => /\.wasm$/.test(s)))) {
    const source = sources.get(specifier);
    if (source === undefined) throw new Error(`the bundle imports ${specifier}, which esbuild's metafile does not explain`);
    // workerd resolves a relative specifier against the importing module's name; the bundle is the
    // root module "worker.js", so "./x.wasm" names the module "x.wasm".
    const name = specifier.replace(/^\.\//, '');
    if (!/^[A-Za-z0-9_.-]+\.wasm$/.test(name)) {
      throw new Error(`the bundle imports ${JSON.stringify(specifier)}; expected a plain ./name.wasm next to the entry file`);
    }
    if (!existsSync(source)) throw new Error(`the bundle imports ${specifier}, but ${source} does not exist`);
    copyFileSync(source, join(outDir, name));
    wasm.push({ name, source });
  }
  const dynamic = [...code.matchAll(/\bimport\s*\(\s*(["'])([^"']+\.wasm)\1/g)].map((m) => m[2]);
  if (dynamic.length > 0) throw new Error(`the bundle imports .wasm dynamically (${dynamic.join(', ')}); not supported here`);

  const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(REPO, input));
  return { mainName, wasm, inputs, bytes: Buffer.byteLength(code) };
}

/**
 * The text of a workerd config: one worker service and one HTTP socket on 127.0.0.1:port.
 * `bindings`: text bindings (`env.NAME`), as wrangler.toml's [vars]. `outbound`: the address kinds
 * the Worker's fetch() may reach (workerd's `network` allow list, e.g. ["public", "private",
 * "local"] to reach servers on 127.0.0.1); by default workerd's own (public addresses only).
 */
export function capnpConfig({ mainName, wasm, port, compatibilityDate, compatibilityFlags = [], bindings = {}, outbound }) {
  const quote = (s) => JSON.stringify(s); // capnp text strings use the same escapes for these names
  const modules = [
    `(name = ${quote(mainName)}, esModule = embed ${quote(mainName)})`,
    ...wasm.map((w) => `(name = ${quote(w.name)}, wasm = embed ${quote(w.name)})`),
  ];
  const services = ['(name = "main", worker = .mainWorker)'];
  if (outbound !== undefined) services.push(`(name = "outbound", network = (allow = [${outbound.map(quote).join(', ')}]))`);
  const textBindings = Object.entries(bindings).map(([name, text]) => `(name = ${quote(name)}, text = ${quote(String(text))})`);
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ ${services.join(', ')} ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const mainWorker :Workerd.Worker = (
  modules = [
    ${modules.join(',\n    ')},
  ],
  compatibilityDate = ${quote(compatibilityDate)},
  compatibilityFlags = [${compatibilityFlags.map(quote).join(', ')}],
  bindings = [${textBindings.join(', ')}],${outbound === undefined ? '' : '\n  globalOutbound = "outbound",'}
);
`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every workerd still running, so none outlives this process. workerd runs in its own process group
// (so that stop() can kill the group), which also means a Ctrl-C at the terminal does not reach it:
// on exit, SIGINT and SIGTERM we kill them ourselves.
const live = new Set(); // {killGroup(signal), dir}
function killAllSync() {
  for (const w of live) {
    w.killGroup('SIGKILL');
    rmSync(w.dir, { recursive: true, force: true });
  }
  live.clear();
}
function onSignal(signal) {
  killAllSync();
  untrack();
  // Only our listener was there: do what the default action would have done.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
function track(w) {
  if (live.size === 0) {
    process.on('exit', killAllSync);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  live.add(w);
}
function untrack(w) {
  if (w !== undefined) live.delete(w);
  if (live.size === 0) {
    process.removeListener('exit', killAllSync);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/**
 * Bundles `entry`, starts workerd on it and waits until GET /health answers 200.
 * @param {{entry: string, scratch?: string, compatibilityDate: string, compatibilityFlags?: string[],
 *   bindings?: Record<string, string>, outbound?: string[], startupTimeoutMs?: number}} options
 *   `bindings` and `outbound`: see capnpConfig.
 * @returns {Promise<{url: string, stop(): Promise<void>, logs(): string, startupMs: number,
 *   bundle: {mainName: string, wasm: {name: string, source: string}[], inputs: string[], bytes: number}}>}
 *   `startupMs`: from spawning workerd to the first 200 on /health.
 */
export async function startWorkerd({ entry, scratch, compatibilityDate, compatibilityFlags = [], bindings = {}, outbound, startupTimeoutMs = 20_000 }) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(compatibilityDate)) throw new Error(`bad compatibilityDate ${compatibilityDate}`);
  if (!existsSync(WORKERD_BIN)) throw new Error(`workerd is not installed at ${WORKERD_BIN} (npm install in ${REPO})`);
  const dir = mkdtempSync(join(tmpdir(), 'edge-jwt-workerd-'));
  try {
    const bundle = await bundleWorker({ entry, outDir: dir, scratch });
    // The port is found free, then handed to workerd: another process may take it in between, in
    // which case workerd exits at once and we try another port.
    let lastError;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      writeFileSync(join(dir, 'config.capnp'), capnpConfig({ ...bundle, port, compatibilityDate, compatibilityFlags, bindings, outbound }));
      try {
        return await launch({ dir, port, bundle, startupTimeoutMs });
      } catch (error) {
        lastError = error;
        if (!/address already in use|EADDRINUSE/i.test(error.message)) break;
      }
    }
    throw lastError;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function launch({ dir, port, bundle, startupTimeoutMs }) {
  let output = '';
  const append = (chunk) => {
    output += chunk;
    if (output.length > LOG_LIMIT) output = `[...]${output.slice(-LOG_LIMIT)}`;
  };
  const spawnedAt = Date.now();
  const child = spawn(WORKERD_BIN, ['serve', join(dir, 'config.capnp')], {
    cwd: dir,
    detached: true, // its own process group, killed as a whole
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.setEncoding('utf8').on('data', append);
  child.stderr.setEncoding('utf8').on('data', append);
  let exit = null; // {code, signal} once it has exited
  const exited = new Promise((r) => {
    child.once('exit', (code, signal) => { exit = { code, signal }; r(); });
    child.once('error', (error) => { append(`\n[spawn error] ${error.message}\n`); exit = { code: null, signal: null }; r(); });
  });

  const killGroup = (signal) => {
    if (exit !== null || child.pid === undefined) return;
    try { process.kill(-child.pid, signal); } catch { /* already gone */ }
  };
  const tracked = { killGroup, dir };
  track(tracked);

  const end = async () => {
    killGroup('SIGTERM');
    await Promise.race([exited, sleep(2000)]);
    killGroup('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
    untrack(tracked);
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await end();
    rmSync(dir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = spawnedAt + startupTimeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    if (exit !== null) {
      await end(); // the caller removes the directory (or retries with another port)
      throw new Error(`workerd exited during startup (code ${exit.code}, signal ${exit.signal}); its output:\n${output}`);
    }
    try {
      const left = Math.max(100, Math.min(1000, deadline - Date.now()));
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(left) });
      const body = await response.text();
      if (response.status === 200) break;
      lastProblem = `GET /health answered ${response.status}: ${body.slice(0, 500)}`;
    } catch (error) {
      lastProblem = `GET /health: ${error.cause?.code ?? error.message}`;
    }
    if (Date.now() >= deadline) {
      await end();
      throw new Error(`workerd did not answer GET /health within ${startupTimeoutMs} ms (${lastProblem}); its output:\n${output}`);
    }
    await sleep(50);
  }
  const startupMs = Date.now() - spawnedAt;
  return { url, stop, logs: () => output, startupMs, bundle };
}

/** A path relative to the repository, for messages. */
export function shortPath(path) {
  const rel = relative(REPO, path);
  return rel.startsWith(`..${sep}`) ? path : rel;
}
