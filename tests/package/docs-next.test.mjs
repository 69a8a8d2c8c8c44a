// The README's Next.js quick start, tried as a newcomer would: a fresh app from create-next-app 16
// with its default answers (App Router, TypeScript, Turbopack, `cacheComponents` on), better-auth
// and the packed edge-jwt installed, and the README's blocks marked next-app/... written into it
// (Better Auth's config and route handler, proxy.ts, a server component, a route handler). Then
// `next build` and `next start` on 127.0.0.1, and requests through the proxy: an anonymous page
// request is sent to sign in and an anonymous API request refused with 401, while a user who just
// signed up (Better Auth's session cookies) and a Bearer token from /api/auth/token get through,
// with the page and the route handler showing what the proxy verified.
// Then the README's proxy.ts or middleware.ts section: with both files `next build` stops with the
// message the README quotes; with the README's middleware.ts alone it builds (with the deprecation
// warning the README quotes), the gate runs on the edge runtime, with compiling WebAssembly from
// bytes banned as on Vercel's edge, and answers the same requests the same way.
//
// create-next-app and better-auth are installed from npm once, into build/docs-cache/ (see
// tests/docs/tools.mjs); each run starts again from the files create-next-app wrote. One change
// to the template: its layout loads two Google Fonts at build time, which needs fonts.googleapis.com;
// they are replaced by empty class names (and the test fails if the template stops loading them so).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './load.mjs';
import { EDGE_BAN, Jar, freePort, http } from '../runtimes/next-app.mjs';
import { projectFiles, writeFiles } from '../docs/snippets.mjs';
import { nextApp, nextConfigOf, root, run, startProcess } from '../docs/tools.mjs';

const BUILD_TIMEOUT_MS = 300_000;
const START_TIMEOUT_MS = 60_000;
const readme = join(root, 'README.md');
const files = projectFiles(readme, 'next-app');
const edgeFiles = projectFiles(readme, 'next-app-edge');
const PASSWORD = 'correct-horse-battery-staple';
const nextBin = () => join(app, 'node_modules', 'next', 'dist', 'bin', 'next');
const secret = randomBytes(32).toString('base64');
let app;

const GOOGLE_FONTS = 'import { Geist, Geist_Mono } from "next/font/google";\n';
const NO_GOOGLE_FONTS = "// Google Fonts are out of reach here: the template's two fonts become empty class names.\n"
  + "const Geist = (_options: { variable: string; subsets: string[] }) => ({ variable: '' });\nconst Geist_Mono = Geist;\n";

const oneLine = (text) => text.replace(/\s+/g, ' ');

function env(url) {
  const base = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', BETTER_AUTH_URL: url, BETTER_AUTH_SECRET: secret };
  delete base.NODE_OPTIONS;
  return base;
}

before(async () => {
  const started = Date.now();
  app = await nextApp();
  process.stderr.write(`create-next-app 16 app with better-auth ready (from build/docs-cache when cached): ${Date.now() - started} ms\n`);
  const layout = join(app, 'app', 'layout.tsx');
  const template = readFileSync(layout, 'utf8');
  assert.ok(template.includes(GOOGLE_FONTS), `the template's app/layout.tsx no longer imports its fonts as expected:\n${template}`);
  writeFileSync(layout, template.replace(GOOGLE_FONTS, NO_GOOGLE_FONTS));
  assert.match(nextConfigOf(app), /cacheComponents:\s*true/, 'the template no longer turns on cacheComponents');
  for (const { path } of [...files, ...edgeFiles]) assert.ok(!existsSync(join(app, path)), `the template already has ${path}`);
  writeFiles(app, files);
  rmSync(join(app, 'node_modules', 'edge-jwt'), { recursive: true, force: true });
  cpSync(join(scratchDir(), 'node_modules', 'edge-jwt'), join(app, 'node_modules', 'edge-jwt'), { recursive: true, dereference: true });
});

/** `next build` for the app's origin `url`; resolves with the build's output. */
async function nextBuild(t, url) {
  const started = Date.now();
  const output = await run(process.execPath, [nextBin(), 'build'], { cwd: app, env: env(url), timeoutMs: BUILD_TIMEOUT_MS });
  t.diagnostic(`next build: ${Date.now() - started} ms`);
  return output;
}

/** `next start` on `url`; resolves once the home page answers 200. */
async function nextStart(t, url, extraEnv = {}) {
  const started = Date.now();
  const server = startProcess(process.execPath, [nextBin(), 'start', '-H', '127.0.0.1', '-p', new URL(url).port], { cwd: app, env: { ...env(url), ...extraEnv } });
  t.after(() => server.stop());
  for (;;) {
    if (server.exited()) throw new Error(`next start exited:\n${server.output().slice(-4000)}`);
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`next start did not answer within ${START_TIMEOUT_MS} ms:\n${server.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  t.diagnostic(`next start answering: ${Date.now() - started} ms`);
  return server;
}

async function anonymousRefused(url) {
  const call = http(url);
  const page = await call('/dashboard?tab=1');
  assert.equal(page.status, 307, page.text.slice(0, 500));
  const location = new URL(page.headers.get('location'), url);
  assert.equal(location.pathname, '/sign-in');
  assert.equal(location.searchParams.get('callbackURL'), '/dashboard?tab=1');

  const api = await call('/api/me');
  assert.equal(api.status, 401);
  assert.equal(api.json.error, 'missing_token');
  assert.match(api.headers.get('www-authenticate'), /^Bearer/);

  const home = await call('/');
  assert.equal(home.status, 200, 'the public home page is refused');
}

async function signedInAllowed(url) {
  const call = http(url);
  const jar = new Jar();
  const email = `readme-next-${Date.now()}@example.com`;
  const up = await call('/api/auth/sign-up/email', { body: { email, password: PASSWORD, name: 'Ada Lovelace' }, jar });
  assert.equal(up.status, 200, up.text);
  assert.ok(jar.get('session_token') !== undefined, `no session_token cookie: ${[...jar.cookies.keys()].join(', ')}`);
  assert.ok(jar.get('session_data') !== undefined, `no session_data cookie (the cookie cache): ${[...jar.cookies.keys()].join(', ')}`);

  const page = await call('/dashboard', { jar });
  assert.equal(page.status, 200, page.text.slice(0, 500));
  assert.ok(page.text.includes(email), 'the server component does not show the signed-in user\'s email');

  const me = await call('/api/me', { jar });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.source, 'cookie');
  assert.equal(me.json.sub, up.json.user.id);
  assert.equal(me.json.claims.email, email);

  const tokenAnswer = await call('/api/auth/token', { jar });
  assert.equal(tokenAnswer.status, 200, tokenAnswer.text);
  const bearer = await call('/api/me', { headers: { authorization: `Bearer ${tokenAnswer.json.token}` } });
  assert.equal(bearer.status, 200, bearer.text);
  assert.equal(bearer.json.source, 'bearer');
  assert.equal(bearer.json.sub, up.json.user.id);

  // A forged cache: another user's id under the same signature is refused, not trusted.
  const forged = new Jar();
  for (const [name, value] of jar.cookies) forged.cookies.set(name, value);
  const cacheName = [...forged.cookies.keys()].find((name) => name.endsWith('session_data'));
  const [head, payload, signature] = forged.cookies.get(cacheName).split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url'));
  const edited = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
  forged.cookies.set(cacheName, `${head}.${edited}.${signature}`);
  const refused = await call('/api/me', { jar: forged });
  assert.equal(refused.status, 401, refused.text);
}

test('the README marks Better Auth\'s config, its route handler, proxy.ts, a page, a route handler, and middleware.ts', () => {
  assert.deepEqual(files.map((f) => f.path).sort(), ['app/api/auth/[...all]/route.ts', 'app/api/me/route.ts', 'app/dashboard/page.tsx', 'lib/auth.ts', 'proxy.ts']);
  assert.deepEqual(edgeFiles.map((f) => f.path), ['middleware.ts']);
  const auth = files.find((f) => f.path === 'lib/auth.ts').code;
  assert.match(auth, /sessionCookieCache:\s*true/);
  assert.match(auth, /strategy:\s*'jwt'/);
});

test('proxy.ts (Node.js runtime): anonymous requests refused, a new user and a Bearer token let through', async (t) => {
  const url = `http://127.0.0.1:${await freePort()}`;
  await nextBuild(t, url);
  await nextStart(t, url);
  await anonymousRefused(url);
  await signedInAllowed(url);
});

test('proxy.ts and middleware.ts together: next build stops with the message the README quotes', async () => {
  writeFiles(app, edgeFiles);
  const quoted = /`(Both middleware file "\.\/middleware\.ts" and[^`]*?only\.)`/.exec(oneLine(readFileSync(readme, 'utf8')))?.[1];
  assert.ok(quoted !== undefined, 'the README does not quote what next build says with both files');
  await assert.rejects(run(process.execPath, [nextBin(), 'build'], { cwd: app, env: env('http://127.0.0.1:3000'), timeoutMs: BUILD_TIMEOUT_MS }), (error) => {
    assert.ok(oneLine(error.message).includes(quoted), error.message);
    return true;
  });
});

test('middleware.ts alone (edge runtime, WebAssembly compiled from bytes banned): the same answers', async (t) => {
  writeFiles(app, edgeFiles);
  rmSync(join(app, 'proxy.ts'));
  const url = `http://127.0.0.1:${await freePort()}`;
  const output = await nextBuild(t, url);
  const quoted = /`(The "middleware" file convention[^`]*?instead\.)`/.exec(oneLine(readFileSync(readme, 'utf8')))?.[1];
  assert.ok(quoted !== undefined, 'the README does not quote the deprecation warning');
  assert.ok(oneLine(output).includes(quoted), `next build did not print the warning the README quotes:\n${output.slice(0, 2000)}`);
  const manifest = JSON.parse(readFileSync(join(app, '.next', 'server', 'middleware-manifest.json'), 'utf8'));
  assert.ok(Object.keys(manifest.middleware ?? {}).length > 0, `middleware.ts was not built for the edge runtime: ${JSON.stringify(manifest)}`);
  const server = await nextStart(t, url, { NODE_OPTIONS: `--require ${EDGE_BAN}` });
  await anonymousRefused(url);
  await signedInAllowed(url);
  assert.match(server.output(), /edge-ban: sandbox created; compiling bytes inside it: refused/, 'the gate did not run in a sandbox with compiling WebAssembly from bytes banned');
  assert.doesNotMatch(server.output(), /NOT banned/);
});
