// The third-party tools the README's quick starts are tried with, installed from npm once and kept
// under build/docs-cache/ (a repeated run reuses them):
// - a Next.js app made by create-next-app 16 with its default answers, plus better-auth;
// - wrangler 3 (wrangler 4 needs Node 22).
// The Next.js app's own files are kept as create-next-app wrote them (build/docs-cache/next-pristine)
// and laid back before every use, so each run starts from the fresh template.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const cacheDir = join(root, 'build', 'docs-cache');

export const CREATE_NEXT_APP = '16.4.3';
export const BETTER_AUTH = '1.7.29';
export const WRANGLER = '3.99.0';

const INSTALL_TIMEOUT_MS = 15 * 60_000;
const children = new Set();
process.on('exit', () => {
  for (const child of children) killGroup(child, 'SIGKILL');
});

export function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Runs a command in its own process group, bounded in time; resolves with its output, rejects on failure. */
export function run(command, args, { cwd, env = process.env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${output.slice(-4000)}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      children.delete(child);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
}

/** Starts a long-running command in its own process group; returns { child, output(), stop() }. */
export function startProcess(command, args, { cwd, env = process.env }) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let exited = false;
  const gone = new Promise((resolve) => child.once('exit', () => {
    exited = true;
    children.delete(child);
    resolve();
  }));
  const stop = async () => {
    if (exited) return;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };
  return { child, output: () => output, exited: () => exited, stop };
}

const npmEnv = () => ({ ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', NEXT_TELEMETRY_DISABLED: '1' });

/** wrangler 3's directory (with node_modules/.bin/wrangler), installed once. */
export async function wranglerDir() {
  const dir = join(cacheDir, `wrangler-${WRANGLER}`);
  const marker = join(dir, '.installed');
  if (existsSync(marker)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  await run('npm', ['install', `wrangler@${WRANGLER}`, '--no-package-lock'], { cwd: dir, env: npmEnv(), timeoutMs: INSTALL_TIMEOUT_MS });
  writeFileSync(marker, `${WRANGLER}\n`);
  return dir;
}

/**
 * A fresh create-next-app 16 default app with better-auth installed (made once, then cached): its
 * files are reset to what create-next-app wrote (node_modules kept, the build output removed).
 */
export async function nextApp() {
  const key = `next-${CREATE_NEXT_APP}-better-auth-${BETTER_AUTH}`;
  const dir = join(cacheDir, key, 'app');
  const pristine = join(cacheDir, key, 'pristine');
  const marker = join(cacheDir, key, '.installed');
  if (!existsSync(marker)) {
    rmSync(join(cacheDir, key), { recursive: true, force: true });
    mkdirSync(join(cacheDir, key), { recursive: true });
    await run('npx', ['--yes', `create-next-app@${CREATE_NEXT_APP}`, 'app', '--yes', '--use-npm', '--disable-git'], {
      cwd: join(cacheDir, key),
      env: npmEnv(),
      timeoutMs: INSTALL_TIMEOUT_MS,
    });
    cpSync(dir, pristine, { recursive: true, filter: (source) => !/[\\/](node_modules|\.next|\.git)$/.test(source) });
    await run('npm', ['install', `better-auth@${BETTER_AUTH}`], { cwd: dir, env: npmEnv(), timeoutMs: INSTALL_TIMEOUT_MS });
    // The install touched package.json and the lockfile: keep that state as the pristine one.
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(dir, file), join(pristine, file));
    writeFileSync(marker, `${key}\n`);
  }
  for (const entry of readdirSync(dir)) {
    if (entry !== 'node_modules') rmSync(join(dir, entry), { recursive: true, force: true });
  }
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

/** The create-next-app answers the cached app was made with (its next.config), for messages. */
export function nextConfigOf(dir) {
  for (const name of ['next.config.ts', 'next.config.mjs', 'next.config.js']) {
    if (existsSync(join(dir, name))) return readFileSync(join(dir, name), 'utf8');
  }
  return '';
}
