// The README's Node.js quick starts (the blocks marked node/verify.mjs and node/verify.cjs), written
// into a directory of the scratch project that has the packed edge-jwt installed, and run by Node
// as ESM and as CommonJS against a real Better Auth server on 127.0.0.1: a token it issued is
// accepted (the user's id printed), a tampered one refused with jose's code, and each run ends by
// itself (no timer or socket left open by the remote key set).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { scratchDir } from './load.mjs';
import { startBetterAuth } from '../runtimes/better-auth-server.mjs';
import { projectFiles, writeFiles } from '../docs/snippets.mjs';
import { root } from '../docs/tools.mjs';

const RUN_TIMEOUT_MS = 20_000;
const files = projectFiles(join(root, 'README.md'), 'node');
const dir = mkdtempSync(join(scratchDir(), 'readme-node-'));
let server;
let user;
let token;

before(async () => {
  writeFiles(dir, files);
  server = await startBetterAuth();
  const signedUp = await server.signUp(`readme-node-${Date.now()}@example.com`, 'correct-horse-battery-staple', 'Ada Lovelace');
  user = signedUp.user;
  token = await server.token(signedUp.cookieHeader);
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `node <file> <token>` in the snippet directory; resolves with { code, stdout, stderr, ms }. */
async function runSnippet(file, argument) {
  const started = Date.now();
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [file, argument], {
      cwd: dir,
      env: { ...process.env, BETTER_AUTH_URL: server.url, NODE_OPTIONS: '' },
      timeout: RUN_TIMEOUT_MS,
    });
    return { code: 0, stdout, stderr, ms: Date.now() - started };
  } catch (error) {
    if (error.killed) throw new Error(`node ${file} did not end within ${RUN_TIMEOUT_MS} ms:\n${error.stdout}\n${error.stderr}`);
    return { code: error.code, stdout: error.stdout, stderr: error.stderr, ms: Date.now() - started };
  }
}

function tampered(jwt) {
  const [header, payload, signature] = jwt.split('.');
  const claims = { ...JSON.parse(Buffer.from(payload, 'base64url')), sub: 'someone-else' };
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

test('the README marks an ESM and a CommonJS Node quick start', () => {
  assert.deepEqual(files.map((f) => f.path).sort(), ['verify.cjs', 'verify.mjs']);
  assert.match(files.find((f) => f.path === 'verify.cjs').code, /require\('edge-jwt'\)/);
  assert.match(files.find((f) => f.path === 'verify.mjs').code, /from 'edge-jwt'/);
});

for (const file of ['verify.mjs', 'verify.cjs']) {
  test(`${file} accepts a Better Auth token and names its user`, async (t) => {
    const run = await runSnippet(file, token);
    assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, new RegExp(`\\b${user.id}\\b`));
    t.diagnostic(`${file}: ${run.ms} ms`);
  });

  test(`${file} refuses a tampered token with jose's code`, async () => {
    const run = await runSnippet(file, tampered(token));
    assert.equal(run.code, 1, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
    assert.doesNotMatch(run.stdout, new RegExp(user.id));
  });
}
