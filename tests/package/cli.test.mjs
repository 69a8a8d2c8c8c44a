// The `edge-jwt` command as installed by npm (node_modules/.bin/edge-jwt): verify with a JWKS file
// and a JWKS URL (a real server on 127.0.0.1), plain-word reasons and exit codes, and inspect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jose from 'jose';
import { scratchDir } from './load.mjs';

const bin = join(scratchDir(), 'node_modules', '.bin', 'edge-jwt');
const run = (...args) =>
  new Promise((resolve) => {
    execFile(bin, args, { timeout: 20_000, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code : 0, stdout, stderr }),
    );
  });

test('edge-jwt verify and inspect', async (t) => {
  const now = Math.floor(Date.now() / 1000);
  const { publicKey, privateKey } = await jose.generateKeyPair('EdDSA', { extractable: true });
  const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }] };
  const sign = (claims, exp) => new jose.SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).setIssuer('https://auth.example').setAudience('web').setExpirationTime(exp).sign(privateKey);
  const valid = await sign({ sub: 'user-1' }, now + 600);
  const expired = await sign({ sub: 'user-1' }, now - 180);
  const dir = mkdtempSync(join(tmpdir(), 'edge-jwt-cli-'));
  const file = join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify(jwks));
  let hits = 0;
  const server = createServer((req, res) => { hits += 1; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(jwks)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/api/auth/jwks`;
  try {
    await t.test('a valid token, JWKS from a file: exit 0, the claims', async () => {
      const r = await run('verify', valid, '--jwks', file, '--issuer', 'https://auth.example', '--audience', 'web');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^valid: EdDSA signature verified with key k1/);
      assert.match(r.stdout, /"sub": "user-1"/);
    });
    await t.test('JWKS from a URL', async () => {
      const r = await run('verify', valid, '--jwks', url);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(hits, 1);
    });
    await t.test('expired: exit 1 and how long ago', async () => {
      const r = await run('verify', expired, '--jwks', file);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /expired .*3 minutes before/);
      assert.match(r.stdout, /code: ERR_JWT_EXPIRED/);
    });
    await t.test('wrong audience: what was found and what was expected', async () => {
      const r = await run('verify', valid, '--jwks', file, '--audience', 'api');
      assert.equal(r.code, 1);
      assert.match(r.stdout, /"aud" claim is "web"; expected "api"/);
    });
    await t.test('unknown kid: the kids the set has', async () => {
      const other = await new jose.SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: 'k9' }).sign(privateKey);
      const r = await run('verify', other, '--jwks', file);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /kid "k9".*the set has kids "k1"/);
    });
    await t.test('inspect shows header and claims, unverified', async () => {
      const r = await run('inspect', expired);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /header \(unverified\)/);
      assert.match(r.stdout, /exp: .* \(3 minutes ago\)/);
    });
    await t.test('--help, -h and help <command> print usage on stdout, exit 0', async () => {
      for (const args of [['--help'], ['-h'], ['help']]) {
        const r = await run(...args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, /^usage:\n  edge-jwt verify <token\|->/, args.join(' '));
        assert.match(r.stdout, /edge-jwt inspect <token\|->/);
        assert.equal(r.stderr, '');
      }
      for (const args of [['help', 'verify'], ['verify', '--help'], ['verify', '-h']]) {
        const r = await run(...args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, /^usage: edge-jwt verify/, args.join(' '));
        assert.match(r.stdout, /--clock-tolerance <30s>/);
      }
      const inspectHelp = await run('help', 'inspect');
      assert.equal(inspectHelp.code, 0);
      assert.match(inspectHelp.stdout, /^usage: edge-jwt inspect/);
      const unknown = await run('help', 'frobnicate');
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /no help for "frobnicate"; commands: verify, inspect/);
    });
    await t.test('an unknown flag is named, with the known ones: exit 2', async () => {
      const r = await run('verify', valid, '--jwks', file, '--isuer', 'https://auth.example');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unknown flag --isuer for verify; known flags: --jwks, --secret, --issuer, --audience, --subject, --algorithms, --clock-tolerance, --max-token-age, --help/);
      assert.equal(r.stdout, '', 'nothing verified');
      const short = await run('verify', valid, '-x');
      assert.equal(short.code, 2);
      assert.match(short.stderr, /unknown flag -x; known flags: /);
      const inspectFlag = await run('inspect', valid, '--jwks', file);
      assert.equal(inspectFlag.code, 2);
      assert.match(inspectFlag.stderr, /unknown flag --jwks for inspect; known flags: --help/);
    });
    await t.test('usage errors: exit 2', async () => {
      assert.equal((await run('verify', valid)).code, 2);
      assert.equal((await run('frobnicate')).code, 2);
      const r = await run('inspect', 'not-a-token');
      assert.equal(r.code, 1);
      assert.match(r.stdout, /not a JWT/);
    });
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
