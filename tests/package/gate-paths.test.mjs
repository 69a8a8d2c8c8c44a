// The gate's path decisions against hostile paths, from the packed package (edge-jwt/hono's
// createGate, which has no runtime dependency on hono).
//
// A corpus of paths (encoded "?", "#", "/", "\", ";", ".", NUL, tab, newline, full-width dots,
// double encoding, case, repeated slashes, around public prefixes) is run through the gate, and for
// each path every canonical reading (WHATWG URL, nginx's decode-then-resolve-and-merge, a second
// decoding, each case-folded: tests/runtimes/nginx-like-origin.mjs) is compared with the gate's
// verdict: a path is never public when any reading is protected. Then the same corpus goes end to
// end through a front server running the gate (as a Worker in front of `fetch(origin)` does) to an
// origin that decodes like nginx and routes case-insensitively like Express: no request without
// credentials gets a protected body. Where nginx is installed (Debian's nginx-light), the model of its
// path reading is checked against nginx itself, and the corpus also goes through the gate to it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as jose from 'jose';
import { scratchDir } from './load.mjs';
import { canonicalReadings, nginxPath, rawGet, startGateFront, startNginxLikeOrigin } from '../runtimes/nginx-like-origin.mjs';
import { nginxBinary, startNginxEcho } from '../runtimes/nginx.mjs';

const ORIGIN = 'https://app.example.com';
let lib; // edge-jwt/hono
let jwks;
let token;
const servers = [];

before(async () => {
  const shim = join(scratchDir(), 'gate-paths-shim.mjs');
  writeFileSync(shim, "export * from 'edge-jwt/hono';\n");
  lib = await import(pathToFileURL(shim).href);
  const { publicKey, privateKey } = await jose.generateKeyPair('EdDSA', { extractable: true });
  jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }] };
  token = await new jose.SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setSubject('user-1')
    .setIssuer(ORIGIN)
    .setAudience(ORIGIN)
    .setExpirationTime('5m')
    .sign(privateKey);
});

after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

const options = (extra) => ({ jwks, issuer: ORIGIN, audience: ORIGIN, ...extra });

// What is public (allow list mode) and what is protected (protectedPaths mode), as plain prefix
// rules over one reading: these mirror the gate options used below.
const underPrefix = (path, prefix) => path === prefix || path.startsWith(`${prefix}/`);
const PUBLIC_PREFIXES = ['/docs', '/sign-in', '/api/auth'];
const publicReading = (path) => PUBLIC_PREFIXES.some((prefix) => underPrefix(path, prefix));
const PROTECTED_PREFIXES = ['/admin', '/api/admin', '/api/x', '/api/secret'];
const protectedReading = (path) => PROTECTED_PREFIXES.some((prefix) => underPrefix(path.toLowerCase(), prefix));

/** The hostile corpus: findings' paths, then every injection between a public prefix and a way back up. */
function corpus() {
  const paths = new Set([
    // %3F / %23 inside a path (the decoded "?" or "#" must not end the path).
    '/docs/%3F/..%2F..%2Fadmin',
    '/api/auth/%3F/..%2F..%2F..%2Fapi/admin',
    '/sign-in/%23/..%2F..%2Fadmin',
    '/docs/..%2Fadmin',
    // Repeated slashes, encoded slashes, case.
    '//admin', '/%2Fadmin', '///api/x', '/ADMIN', '/Api/Secret', '/aDmIn/users', '//Admin//users',
    '/%61dmin', '/%2561dmin', '/admin;x', '/admin%3Bx', '/%2e/admin', '/docs/../admin',
  ]);
  const prefixes = ['/docs', '/api/auth', '/sign-in', '/docs/a'];
  const injections = [
    '%3F', '%3f', '%23', '%2F', '%2f', '%5C', '\\', ';', '%3B', '..;', '%2e%2e%3B', '%00', '%09', '%0A', '%0D',
    '%2e', '%2E%2E', '%252e%252e', '%252F', '%25252e', '%EF%BC%8E%EF%BC%8E', '%C0%AE%C0%AE', '%E3%80%82', '%20',
    '..%00', '%2e%2e%5C', '.%2e', '%2e.',
  ];
  const tails = [
    '/..%2F..%2Fadmin', '/../admin', '%2F..%2F..%2Fadmin', '/..%2f..%2f..%2fapi/admin', '/..%252F..%252Fadmin',
    '%5C..%5C..%5Cadmin', '/..\\..\\admin', '/%2e%2e/%2e%2e/ADMIN', '//..//..//admin',
  ];
  for (const prefix of prefixes) {
    for (const injection of injections) {
      paths.add(`${prefix}/${injection}`);
      for (const tail of tails) paths.add(`${prefix}/${injection}${tail}`);
    }
    for (const tail of tails) paths.add(`${prefix}${tail}`);
  }
  return [...paths];
}

test('the findings: encoded "?" and "#" do not make a protected path public; slashes and case do not hide one', async () => {
  const allowList = lib.createGate(options({ publicPaths: ['/docs'] }));
  for (const path of ['/docs/%3F/..%2F..%2Fadmin', '/api/auth/%3F/..%2F..%2F..%2Fapi/admin', '/sign-in/%23/..%2F..%2Fadmin', '/docs/..%2Fadmin']) {
    assert.equal((await allowList(new Request(`${ORIGIN}${path}`))).kind, 'deny', path);
  }
  const byDefault = lib.createGate(options({}));
  for (const path of ['/api/auth/%3F/..%2F..%2F..%2Fapi/admin', '/sign-in/%23/..%2F..%2Fadmin']) {
    assert.equal((await byDefault(new Request(`${ORIGIN}${path}`))).kind, 'deny', `${path} with default options`);
  }
  const onlyAdmin = lib.createGate(options({ protectedPaths: ['/admin', '/api/'] }));
  for (const path of ['//admin', '/%2Fadmin', '///api/x', '/ADMIN', '/Api/Secret', '/admin;x', '/%2561dmin']) {
    assert.equal((await onlyAdmin(new Request(`${ORIGIN}${path}`))).kind, 'deny', path);
  }
  // Public paths stay public when nothing is hidden in them.
  for (const path of ['/docs', '/docs/', '/docs/intro', '/docs/a%20b', '/docs/caf%C3%A9', '/docs/a.b/c', '/docs/./x', '/docs//x']) {
    assert.equal((await allowList(new Request(`${ORIGIN}${path}`))).kind, 'public', path);
  }
  for (const path of ['/', '/other', '/blog/Admin-tips', '/administrator']) {
    assert.equal((await onlyAdmin(new Request(`${ORIGIN}${path}`))).kind, 'public', path);
  }
});

test('hostile-path corpus: never public when any canonical reading is protected', async () => {
  const paths = corpus();
  assert.ok(paths.length > 500, `corpus of ${paths.length} paths`);
  const allowList = lib.createGate(options({ publicPaths: ['/docs'] }));
  const onlyProtected = lib.createGate(options({ protectedPaths: ['/admin', '/api/'] }));
  let checkedAllow = 0;
  let checkedProtected = 0;
  for (const path of paths) {
    let request;
    try {
      request = new Request(`${ORIGIN}${path}`);
    } catch {
      continue; // not a URL a client can send through a WHATWG parser
    }
    const readings = canonicalReadings(path);
    if (readings.some((reading) => !publicReading(reading))) {
      checkedAllow += 1;
      const decision = await allowList(request);
      assert.notEqual(decision.kind, 'public', `publicPaths ['/docs']: ${path} (readings ${JSON.stringify(readings)})`);
    }
    if (readings.some(protectedReading)) {
      checkedProtected += 1;
      const decision = await onlyProtected(request);
      assert.notEqual(decision.kind, 'public', `protectedPaths ['/admin', '/api/']: ${path} (readings ${JSON.stringify(readings)})`);
    }
  }
  assert.ok(checkedAllow > 400 && checkedProtected > 400, `${checkedAllow} and ${checkedProtected} paths had a protected reading`);
});

test('end to end: the gate in front of an origin that decodes like nginx and routes like Express serves no protected body without credentials', async () => {
  // Each origin holds protected content where its gate's options say: everything but the public
  // prefixes behind the allow-list gate, the protected prefixes behind the protectedPaths gate.
  const allowOrigin = await startNginxLikeOrigin((path) => !publicReading(path));
  const protectedOrigin = await startNginxLikeOrigin(protectedReading);
  servers.push(allowOrigin, protectedOrigin);
  const allowList = await startGateFront(lib.createGate(options({ publicPaths: ['/docs'], apiPaths: ['/**'] })), lib.denyResponse, allowOrigin.url);
  const onlyProtected = await startGateFront(lib.createGate(options({ protectedPaths: ['/admin', '/api/'], apiPaths: ['/**'] })), lib.denyResponse, protectedOrigin.url);
  servers.push(allowList, onlyProtected);

  // The pipeline works: a public path reaches the origin, a token opens a protected one.
  assert.deepEqual(await rawGet(allowList.url, '/docs/intro').then((r) => [r.status, r.body]), [200, 'public /docs/intro']);
  assert.deepEqual(await rawGet(allowList.url, '/admin', { authorization: `Bearer ${token}` }).then((r) => [r.status, r.body]), [200, 'PROTECTED /admin']);
  assert.equal((await rawGet(allowList.url, '/admin')).status, 401);

  const paths = corpus();
  let sent = 0;
  for (const front of [allowList, onlyProtected]) {
    for (const path of paths) {
      let answer;
      try {
        answer = await rawGet(front.url, path);
      } catch (error) {
        if (error && error.code === 'ERR_UNESCAPED_CHARACTERS') continue; // node:http will not send it
        throw error;
      }
      sent += 1;
      assert.ok(!answer.body.startsWith('PROTECTED'), `${front === allowList ? 'publicPaths' : 'protectedPaths'}: ${path} -> ${answer.status} ${answer.body}`);
    }
  }
  assert.ok(sent > 1000, `${sent} requests sent`);
  assert.ok(allowOrigin.seen.length > 20 && protectedOrigin.seen.length > 100,
    `${allowOrigin.seen.length} and ${protectedOrigin.seen.length} requests reached the origins (the public ones)`);
});

const NGINX = nginxBinary();
const withNginx = { skip: NGINX === null ? 'nginx is not installed (apt-get install nginx-light)' : false };

test('the nginx model of tests/runtimes/nginx-like-origin.mjs reads every corpus path as nginx itself does', withNginx, async () => {
  const nginx = await startNginxEcho(NGINX);
  servers.push(nginx);
  let answered = 0;
  for (const raw of corpus()) {
    let sent;
    try {
      sent = [raw, new URL(raw, 'http://origin.invalid').pathname];
    } catch {
      continue;
    }
    for (const path of sent) {
      const answer = await rawGet(nginx.url, path);
      if (answer.status !== 200) continue; // nginx refuses some paths outright (400): nothing is served
      answered += 1;
      assert.equal(answer.body, nginxPath(path), `nginx reads ${path} as ${answer.body}`);
    }
  }
  assert.ok(answered > 1500, `${answered} paths answered by nginx`);
});

test('end to end behind nginx itself: what nginx acts on is never protected without credentials', withNginx, async () => {
  const nginx = await startNginxEcho(NGINX);
  servers.push(nginx);
  const allowList = await startGateFront(lib.createGate(options({ publicPaths: ['/docs'], apiPaths: ['/**'] })), lib.denyResponse, nginx.url);
  const onlyProtected = await startGateFront(lib.createGate(options({ protectedPaths: ['/admin', '/api/'], apiPaths: ['/**'] })), lib.denyResponse, nginx.url);
  servers.push(allowList, onlyProtected);
  // The pipeline works: public paths reach nginx, a token opens a protected one.
  assert.deepEqual(await rawGet(allowList.url, '/docs/a/../b').then((r) => [r.status, r.body]), [200, '/docs/b']);
  assert.deepEqual(await rawGet(allowList.url, '/admin', { authorization: `Bearer ${token}` }).then((r) => [r.status, r.body]), [200, '/admin']);
  let reached = 0;
  for (const path of corpus()) {
    for (const [front, isAllowed] of [[allowList, publicReading], [onlyProtected, (reading) => !protectedReading(reading)]]) {
      let answer;
      try {
        answer = await rawGet(front.url, path);
      } catch (error) {
        if (error && error.code === 'ERR_UNESCAPED_CHARACTERS') continue;
        throw error;
      }
      if (answer.status !== 200) continue; // denied by the gate, or refused by nginx
      reached += 1;
      assert.ok(isAllowed(answer.body), `${front === allowList ? 'publicPaths' : 'protectedPaths'}: ${path} reached nginx as ${answer.body}`);
    }
  }
  assert.ok(reached > 300, `${reached} requests reached nginx`);
});
