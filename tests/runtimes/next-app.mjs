// Runs the example Next.js app (examples/next-app) the way its tests and `npm run demo` need it: a
// fresh copy under the repository (so Next, React and Better Auth resolve upward from the root's
// node_modules, as in a monorepo) with the packed edge-jwt copied in, `next build`, and `next start`
// on 127.0.0.1 and a free port. Every process runs in its own group, bounded in time; stopAll()
// ends them all (the process's exit does too).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const example = join(root, 'examples', 'next-app');
const nextBin = join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
/** Preloaded into `next start`: bans compiling WebAssembly from bytes in Next's edge sandbox. */
export const EDGE_BAN = join(root, 'tests', 'package', 'next', 'edge-ban.cjs');

const BUILD_TIMEOUT_MS = 240_000;
const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** JWT_EXPIRATION for /api/auth/token unless told otherwise: short, so that one can expire. */
export const TOKEN_LIFETIME_S = 4;

const children = new Set();

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Stops every process started here (SIGTERM, then SIGKILL after 1.5 s). */
export async function stopAll() {
  for (const child of children) killGroup(child, 'SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, children.size > 0 ? 1_500 : 0));
  for (const child of children) killGroup(child, 'SIGKILL');
}
process.on('exit', () => {
  for (const child of children) killGroup(child, 'SIGKILL');
});

/** Runs a command to completion in its own process group, bounded in time; resolves with its output. */
function run(command, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`${args.join(' ')} did not finish within ${timeoutMs} ms:\n${output.slice(-3000)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve(output);
      else reject(new Error(`${args.join(' ')} exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function baseEnv() {
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' };
  delete env.NODE_OPTIONS;
  delete env.BETTER_AUTH_SECRET;
  return env;
}

/** The @types packages Next requires for a TypeScript app: from the root, or installed once into build/. */
async function typesPackages() {
  const names = ['@types/react', '@types/react-dom', 'csstype'];
  const fromRoot = names.map((name) => join(root, 'node_modules', name));
  if (fromRoot.every((dir) => existsSync(join(dir, 'package.json')))) return fromRoot;
  const cache = join(root, 'build', 'next-test-types');
  const installed = names.map((name) => join(cache, 'node_modules', name));
  if (!installed.every((dir) => existsSync(join(dir, 'package.json')))) {
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, 'package.json'), '{"private":true}\n');
    await run('npm', ['install', '@types/react@19.3.0', '@types/react-dom@19.3.0', '--no-package-lock', '--no-audit', '--no-fund'], {
      cwd: cache,
      env: process.env,
      timeoutMs: 180_000,
    });
  }
  return installed;
}

/** A fresh copy of the example with the packed edge-jwt installed, set up for `runtime`. */
export async function prepareApp(runtime, { work, edgeJwt, probeRoute } = {}) {
  const dir = join(work, runtime);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(example, dir, { recursive: true, filter: (source) => !/[\\/](\.next|node_modules)$/.test(source) });
  const installed = edgeJwt;
  if (!existsSync(join(installed, 'dist', 'next.js'))) throw new Error(`the packed edge-jwt in ${installed} has no dist/next.js (rebuild the package)`);
  cpSync(installed, join(dir, 'node_modules', 'edge-jwt'), { recursive: true, dereference: true });
  for (const source of await typesPackages()) {
    cpSync(source, join(dir, 'node_modules', source.slice(source.lastIndexOf('node_modules') + 'node_modules/'.length)), { recursive: true });
  }
  // TypeScript 7 (the repo's) has no compiler API for Next to call: let Next run its tsc CLI.
  const ts = createRequire(join(root, 'package.json'))('typescript');
  if (typeof ts.createProgram !== 'function') {
    renameSync(join(dir, 'next.config.mjs'), join(dir, 'next.config.base.mjs'));
    writeFileSync(
      join(dir, 'next.config.mjs'),
      "import base from './next.config.base.mjs';\nexport default { ...base, experimental: { ...base.experimental, useTypeScriptCli: true } };\n",
    );
  }
  if (runtime === 'node') {
    if (readFileSync(join(dir, 'proxy.ts'), 'utf8') !== readFileSync(join(dir, 'runtimes', 'proxy.ts'), 'utf8') || existsSync(join(dir, 'middleware.ts'))) {
      throw new Error('the example must ship proxy.ts equal to runtimes/proxy.ts, and no middleware.ts');
    }
  } else {
    const switched = spawnSync(process.execPath, ['scripts/use-runtime.mjs', 'edge'], { cwd: dir, encoding: 'utf8', timeout: 10_000 });
    if (switched.status !== 0) throw new Error(`use-runtime edge failed: ${switched.stderr}`);
    if (!existsSync(join(dir, 'middleware.ts')) || existsSync(join(dir, 'proxy.ts'))) throw new Error('use-runtime edge did not switch to middleware.ts');
    if (probeRoute !== undefined) {
      // Test-only: an edge route that compiles the wasm from bytes (the package's inline entry).
      mkdirSync(join(dir, 'app', 'api', 'inline-probe'), { recursive: true });
      cpSync(probeRoute, join(dir, 'app', 'api', 'inline-probe', 'route.ts'));
    }
  }
  return dir;
}

export async function build(dir) {
  const started = Date.now();
  await run(process.execPath, [nextBin, 'build'], { cwd: dir, env: baseEnv(), timeoutMs: BUILD_TIMEOUT_MS });
  return Date.now() - started;
}

/** `next start` on 127.0.0.1 and a free port; resolves once it answers. */
export async function start(dir, { banWasmCompile = false, authUrl, tokenLifetime = `${TOKEN_LIFETIME_S}s` } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...baseEnv(), BETTER_AUTH_URL: authUrl ?? url, JWT_EXPIRATION: tokenLifetime };
  if (banWasmCompile) env.NODE_OPTIONS = `--require ${EDGE_BAN}`;
  const child = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: dir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let exited = false;
  child.on('exit', () => {
    exited = true;
    children.delete(child);
  });
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`next start exited:\n${output.slice(-3000)}`);
    try {
      const response = await fetch(`${url}/sign-in`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer within ${START_TIMEOUT_MS} ms:\n${output.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, stop, output: () => output };
}

/** A minimal cookie jar: name -> value, updated from Set-Cookie (Max-Age=0 or an empty value deletes). */
export class Jar {
  cookies = new Map();
  update(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
      if (value === '' || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  get(suffix) {
    for (const [name, value] of this.cookies) if (name.endsWith(suffix)) return value;
    return undefined;
  }
}

export function http(base) {
  return async (path, { method, headers = {}, body, jar } = {}) => {
    const init = { method: method ?? (body === undefined ? 'GET' : 'POST'), headers: { ...headers }, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
    if (jar !== undefined && jar.cookies.size > 0) init.headers.cookie = jar.header();
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.headers.origin = base;
      init.body = JSON.stringify(body);
    }
    const response = await fetch(base + path, init);
    jar?.update(response);
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };
}

