// A real nginx (Debian's `nginx-light` or `nginx` package, when installed) as an origin: one process
// (master_process off), on 127.0.0.1 and a free port, its files under a temporary prefix. It answers
// every request 200 with `$uri` as the body: the path after nginx's own decoding, dot-segment
// resolution and slash merging, which is the path it would serve.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const START_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;

/** The nginx binary, or `null` when nginx is not installed. */
export function nginxBinary() {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    const probe = spawnSync(candidate, ['-v'], { stdio: 'ignore', timeout: 5_000 });
    if (probe.status === 0) return candidate;
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilListening(port, child) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms`);
}

/** Starts nginx answering `$uri`; resolves to `{ url, close }`. */
export async function startNginxEcho(binary) {
  const prefix = mkdtempSync(join(tmpdir(), 'edge-jwt-nginx-'));
  mkdirSync(join(prefix, 'logs'));
  const port = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${name}_temp_path ${join(prefix, name)};`).join('\n');
  writeFileSync(join(prefix, 'nginx.conf'), `daemon off;
master_process off;
worker_processes 1;
error_log ${join(prefix, 'logs', 'error.log')} warn;
pid ${join(prefix, 'nginx.pid')};
events { worker_connections 256; }
http {
  access_log off;
${temp}
  server {
    listen 127.0.0.1:${port};
    location / { default_type text/plain; return 200 "$uri"; }
  }
}
`);
  const child = spawn(binary, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'ignore' });
  try {
    await waitUntilListening(port, child);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }
  let closed = null;
  const close = () => {
    closed ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise((resolve) => {
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, STOP_TIMEOUT_MS);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        });
      }
      rmSync(prefix, { recursive: true, force: true });
    })();
    return closed;
  };
  return { url: `http://127.0.0.1:${port}`, close };
}
