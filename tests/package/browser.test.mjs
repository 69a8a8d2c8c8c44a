// The packed edge-jwt in a real browser: Debian's Chromium, headless, driven by playwright-core
// (tests/runtimes/chromium.mjs installs it with apt-get when missing). A node:http server on
// 127.0.0.1, started here, serves two pages:
//   /bundled/  a module built with esbuild for the browser (`browser` condition), as Vite, webpack
//              or a plain esbuild build of an app would do;
//   /plain/    no bundler: a `<script type="module">` importing `edge-jwt` through an import map that
//              points at the installed package's dist/inline.js (the file needs nothing else: the
//              .wasm travels inside it), served from /node_modules/ as a static site would.
// Both pages run under a Content-Security-Policy without 'unsafe-eval' (only 'wasm-unsafe-eval', the
// permission WebAssembly needs); a third page without it shows what a stricter policy does.
// In each page: the whole shared case table in every mode, and jose-signed tokens (valid, tampered,
// expired, another key set, wrong audience) against a remote key set fetched from the server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { makeCases } from './cases.mjs';
import { MODES, checkOutcome, decodeSpecial } from './run-case.mjs';
import { scratchDir } from './load.mjs';
import { ensureChromium, launchChromium } from '../runtimes/chromium.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BATCH = 100;
const PAGE_TIMEOUT_MS = 20_000;
const ISSUER = 'https://app.example.com';
const AUDIENCE = 'https://app.example.com';

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm' };

// The harness both pages expose as window.harness once the package is imported: run cases, and
// verify tokens against a remote key set (made once per page) with the test's options.
const HARNESS = `
import * as lib from 'edge-jwt';
import { encodeSpecial, runCase } from '/run-case.mjs';

const jwks = lib.createRemoteJWKSet(new URL('/jwks.json', location.href));
window.harness = {
  exports: Object.keys(lib).sort(),
  // JSON text both ways: Playwright's own serialisation would turn an own "__proto__" member of a
  // payload into a prototype.
  async run(casesJson, mode) {
    const outcomes = [];
    for (const c of JSON.parse(casesJson)) outcomes.push(encodeSpecial(await runCase(lib, c, mode)));
    return JSON.stringify(outcomes);
  },
  async verifyRemote(token, options) {
    try {
      const { payload, protectedHeader } = await lib.verifyToken(token, jwks, options);
      return { ok: true, payload, protectedHeader };
    } catch (error) {
      return { ok: false, code: error.code, claim: error.claim, joseError: error instanceof lib.errors.JOSEError, message: String(error.message) };
    }
  },
  jwksFetches: () => jwks.stats().fetches,
};
`;

let server;
let origin;
let browser;
let bundled; // esbuild output for /bundled/app.js
let keys; // { primary: {alg: {privateKey, kid}}, foreign: {privateKey, kid} }
let jwksRequests = 0;
const pageErrors = [];

function page(title, head, body, nonce) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${head.replaceAll('NONCE', nonce)}</head><body>${body.replaceAll('NONCE', nonce)}</body></html>`;
}

function csp(nonce, { wasm = true } = {}) {
  return `default-src 'self'; script-src 'self' 'nonce-${nonce}'${wasm ? " 'wasm-unsafe-eval'" : ''}; object-src 'none'`;
}

function serveFile(res, file, root) {
  const full = resolve(root, `.${file}`);
  if (full !== root && !full.startsWith(root + sep)) return res.writeHead(403).end();
  let stat;
  try {
    stat = statSync(full);
  } catch {
    return res.writeHead(404).end('not found');
  }
  if (!stat.isFile()) return res.writeHead(404).end('not found');
  res.writeHead(200, { 'content-type': TYPES[extname(full)] ?? 'application/octet-stream' }).end(readFileSync(full));
}

function handle(req, res, jwks) {
  const { pathname } = new URL(req.url, origin);
  const nonce = randomBytes(12).toString('base64');
  const html = (text, policy) => res.writeHead(200, { 'content-type': TYPES['.html'], 'content-security-policy': policy }).end(text);
  if (pathname === '/bundled/') {
    return html(page('bundled', '', '<script type="module" nonce="NONCE" src="/bundled/app.js"></script>', nonce), csp(nonce));
  }
  if (pathname === '/bundled/app.js') return res.writeHead(200, { 'content-type': TYPES['.js'] }).end(bundled);
  if (pathname === '/plain/' || pathname === '/strict-csp/') {
    const importMap = '<script type="importmap" nonce="NONCE">{"imports":{"edge-jwt":"/node_modules/edge-jwt/dist/inline.js"}}</script>';
    return html(page('plain', importMap, `<script type="module" nonce="NONCE">${HARNESS}</script>`, nonce), csp(nonce, { wasm: pathname === '/plain/' }));
  }
  if (pathname === '/run-case.mjs') return serveFile(res, '/run-case.mjs', here);
  if (pathname.startsWith('/node_modules/')) return serveFile(res, pathname.slice('/node_modules'.length), join(scratchDir(), 'node_modules'));
  if (pathname === '/jwks.json') {
    jwksRequests += 1;
    return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  }
  return res.writeHead(404).end('not found');
}

before(async () => {
  ensureChromium(); // apt-get install when missing (bounded), before the timed tests
  const esbuild = await import('esbuild');
  const scratch = scratchDir();
  const result = await esbuild.build({
    stdin: { contents: HARNESS.replace("'/run-case.mjs'", JSON.stringify(join(here, 'run-case.mjs'))), resolveDir: here, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['browser'],
    nodePaths: [join(scratch, 'node_modules')],
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(input));
  assert.ok(inputs.includes(join(scratch, 'node_modules', 'edge-jwt', 'dist', 'inline.js')), `the browser bundle should use dist/inline.js: ${inputs.join(', ')}`);
  bundled = result.outputFiles[0].text;

  keys = { primary: {}, foreign: {} };
  const published = [];
  for (const [alg, kid] of [['EdDSA', 'ed'], ['ES256', 'es'], ['RS256', 'rs']]) {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    keys.primary[alg] = { privateKey, kid };
    published.push({ ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' });
  }
  keys.foreign = { privateKey: (await jose.generateKeyPair('EdDSA')).privateKey, kid: 'ed' };
  const jwks = { keys: published };

  server = createServer((req, res) => handle(req, res, jwks));
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolveListen);
  });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium();
}, { timeout: 600_000 });

after(async () => {
  await browser?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

async function openPage(path) {
  const tab = await browser.context.newPage();
  tab.setDefaultTimeout(PAGE_TIMEOUT_MS);
  tab.on('pageerror', (error) => pageErrors.push(`${path}: ${error.message}`));
  const response = await tab.goto(`${origin}${path}`);
  assert.equal(response.status(), 200);
  return tab;
}

const sign = ({ alg = 'EdDSA', key = keys.primary[alg], exp = '5m', aud = AUDIENCE, sub = 'user-42' } = {}) =>
  new jose.SignJWT({ sub, email: 'ann@example.com' })
    .setProtectedHeader({ alg, kid: key.kid })
    .setIssuer(ISSUER)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key.privateKey);

const cases = await makeCases();

for (const [path, what] of [['/bundled/', 'bundled with esbuild (browser condition)'], ['/plain/', 'plain <script type="module"> with an import map, no bundler']]) {
  test(`Chromium, ${what}`, { timeout: 120_000 }, async (t) => {
    const tab = await openPage(path);
    try {
      await tab.waitForFunction(() => window.harness !== undefined);
      const exported = await tab.evaluate(() => window.harness.exports);
      for (const name of ['verifyToken', 'verifyTokenSync', 'jwtVerify', 'createRemoteJWKSet', 'createLocalJWKSet', 'verifySessionCookie', 'errors']) {
        assert.ok(exported.includes(name), `the page's edge-jwt lacks ${name}: ${exported.join(', ')}`);
      }

      for (const mode of MODES) {
        await t.test(`all ${cases.length} cases, ${mode}`, async () => {
          const failures = [];
          for (let i = 0; i < cases.length; i += BATCH) {
            const batch = cases.slice(i, i + BATCH);
            const outcomes = decodeSpecial(JSON.parse(await tab.evaluate(([b, m]) => window.harness.run(b, m), [JSON.stringify(batch), mode])));
            assert.equal(outcomes.length, batch.length);
            batch.forEach((c, j) => {
              const problem = checkOutcome(c, outcomes[j]);
              if (problem !== null) failures.push(`- ${c.name}: ${problem}`);
            });
          }
          assert.ok(failures.length === 0, `${failures.length} of ${cases.length} cases failed in Chromium (${path}, ${mode}):\n${failures.join('\n')}`);
        });
      }

      await t.test('jose-signed tokens against a remote key set fetched by the page', async () => {
        const options = { issuer: ISSUER, audience: AUDIENCE };
        const verify = (token, opts = options) => tab.evaluate(([tk, o]) => window.harness.verifyRemote(tk, o), [token, opts]);
        const before = jwksRequests;
        for (const alg of ['EdDSA', 'ES256', 'RS256']) {
          const result = await verify(await sign({ alg }));
          assert.equal(result.ok, true, `${alg}: ${JSON.stringify(result)}`);
          assert.equal(result.payload.sub, 'user-42');
          assert.deepEqual(result.protectedHeader, { alg, kid: keys.primary[alg].kid });
        }
        const valid = await sign();
        const [head, body, signature] = valid.split('.');
        const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
        const refusals = [
          ['tampered signature', `${head}.${body}.${flipped}`, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
          ['expired', await sign({ exp: Math.floor(Date.now() / 1000) - 60 }), 'ERR_JWT_EXPIRED'],
          ['signed by another key set', await sign({ key: keys.foreign }), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
          ['another audience', await sign({ aud: 'https://other.example.com' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
          ['not a JWT', 'not-a-token', 'ERR_JWS_INVALID'],
        ];
        for (const [name, token, code] of refusals) {
          const result = await verify(token);
          assert.equal(result.ok, false, `${name}: accepted`);
          assert.equal(result.code, code, `${name}: ${JSON.stringify(result)}`);
          assert.equal(result.joseError, true, `${name}: not an errors.JOSEError`);
        }
        assert.equal((await verify(await sign({ aud: 'https://other.example.com' }))).claim, 'aud');
        assert.equal(jwksRequests - before, 1, 'the page fetched the key set once and reused it');
        assert.equal(await tab.evaluate(() => window.harness.jwksFetches()), 1);
      });
      assert.deepEqual(pageErrors.filter((e) => e.startsWith(path)), [], 'uncaught errors in the page');
    } finally {
      await tab.close();
    }
  });
}

test("Chromium: a Content-Security-Policy without 'wasm-unsafe-eval' stops WebAssembly (what the README tells users)", { timeout: 60_000 }, async (t) => {
  const tab = await openPage('/strict-csp/');
  try {
    await tab.waitForFunction(() => window.harness !== undefined);
    const result = await tab.evaluate(() => window.harness.verifyRemote('a.b.c', {}));
    assert.equal(result.ok, false);
    assert.equal(result.joseError, false, 'a CSP refusal is not a verdict on the token');
    assert.match(result.message, /WebAssembly|wasm-unsafe-eval|wasm-eval/i, result.message);
    t.diagnostic(`the page's error: ${result.message}`);
  } finally {
    await tab.close();
  }
});
