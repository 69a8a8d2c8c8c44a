// Debian's Chromium for browser tests, driven by playwright-core (a dev dependency).
//
// ensureChromium() returns the path of /usr/bin/chromium, installing the `chromium` package with
// apt-get when it is missing (once: idempotent, serialised across processes with flock, every step
// bounded in time), or throws an error that says what to do. launchChromium() starts it headless
// with a fresh profile directory and returns the browser context and a close() that also removes
// the profile.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Flags for a quiet, offline, disposable headless Chromium (the profile directory is added by launchChromium). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const LOCK = join(tmpdir(), 'edge-jwt-chromium-install.lock');
const APT_TIMEOUT_S = 420;

function apt(args, timeoutS) {
  // flock serialises concurrent test processes; the check inside the lock makes a second caller a no-op.
  const script = `test -x ${CHROMIUM_PATH} || timeout ${timeoutS} apt-get ${args}`;
  return spawnSync('flock', ['-w', String(timeoutS + 60), LOCK, 'sh', '-c', script], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    timeout: (timeoutS + 90) * 1000,
  });
}

/** The path of Debian's Chromium, installed with apt-get if missing. Throws a clear error if it cannot be. */
export function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const how = 'Install it by hand (as root: apt-get update && apt-get install -y chromium), then run the tests again.';
  try {
    execFileSync('sh', ['-c', 'command -v apt-get && command -v flock'], { stdio: 'ignore' });
  } catch {
    throw new Error(`${CHROMIUM_PATH} is missing and this machine has no apt-get (or flock) to install it. ${how}`);
  }
  let result = apt('install -y --no-install-recommends chromium', APT_TIMEOUT_S);
  if (!existsSync(CHROMIUM_PATH)) {
    // Package lists may be absent or stale (a fresh container): update them, then retry once.
    apt('update', 180);
    result = apt('install -y --no-install-recommends chromium', APT_TIMEOUT_S);
  }
  if (!existsSync(CHROMIUM_PATH)) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
    const why = result.error ? result.error.message : `apt-get exited with status ${result.status}`;
    throw new Error(`could not install Debian's chromium (${why}). ${how}\n${output}`);
  }
  return CHROMIUM_PATH;
}

/**
 * Starts headless Chromium (ensureChromium first) with a fresh profile directory.
 * @returns {Promise<{ context: import('playwright-core').BrowserContext, close(): Promise<void> }>}
 */
export async function launchChromium({ timeoutMs = 30_000 } = {}) {
  const executablePath = ensureChromium();
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'edge-jwt-chromium-'));
  let context;
  try {
    // launchPersistentContext passes the profile as --user-data-dir (Playwright refuses it in args).
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS, timeout: timeoutMs });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  let closed;
  return {
    context,
    close() {
      closed ??= Promise.race([
        context.close().catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, 10_000)),
      ]).finally(() => rmSync(profile, { recursive: true, force: true }));
      return closed;
    },
  };
}
