// The gate's session cookie checks against a real Better Auth server (tests/runtimes/
// better-auth-cookies.mjs), each compared with the server's own verdict on the same Cookie header
// (GET /api/auth/get-session): a forged or missing session_token signature, a plain-named cookie
// beside (or instead of) the __Secure- ones, every form of session.expiresAt, a version of the
// wrong type. The gate is edge-jwt/hono's createGate from the packed package.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { scratchDir } from './load.mjs';
import { startCookieServer } from '../runtimes/better-auth-cookies.mjs';

const ORIGIN = 'https://app.example.com';
const SECRET = 'a-better-auth-secret-of-at-least-32-chars';
let lib; // edge-jwt/hono
const servers = [];

before(async () => {
  const shim = join(scratchDir(), 'gate-cookies-shim.mjs');
  writeFileSync(shim, "export * from 'edge-jwt/hono';\n");
  lib = await import(pathToFileURL(shim).href);
});

after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function server(options) {
  const started = await startCookieServer({ secret: SECRET, ...options });
  servers.push(started);
  return started;
}

const email = () => `u${Math.random().toString(36).slice(2)}@example.com`;
const req = (path, cookie) => new Request(`${ORIGIN}${path}`, { headers: { cookie } });
const pairs = (header) => header.split(/;\s*/).filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]);
const header = (list) => list.map(([name, value]) => `${name}=${value}`).join('; ');
const withCookie = (cookieHeader, name, value) => header(pairs(cookieHeader).map(([n, v]) => [n, n.endsWith(name) ? value : v]));
const signToken = (token, secret = SECRET) => `${token}.${createHmac('sha256', secret).update(token).digest('base64')}`;

/** The gate's verdict and Better Auth's own on one Cookie header. */
async function verdicts(ba, gate, cookieHeader) {
  const decision = await gate(req('/api/me', cookieHeader));
  const own = await ba.getSession(cookieHeader);
  return { decision, own: own.body?.user?.id ?? null };
}

test('session_token signature: a forged signature or a bare token is refused, as Better Auth refuses it', async () => {
  const ba = await server({});
  const { cookieHeader, user } = await ba.signUp(email(), 'correct horse battery', 'Sig User');
  const gate = lib.createGate({ session: { secret: SECRET } });
  const good = await verdicts(ba, gate, cookieHeader);
  assert.equal(good.decision.kind, 'allow');
  assert.equal(good.decision.auth.sub, user.id);
  assert.equal(good.own, user.id);

  const raw = decodeURIComponent(pairs(cookieHeader).find(([n]) => n.endsWith('session_token'))[1]);
  const token = raw.slice(0, raw.lastIndexOf('.'));
  const cases = {
    'forged signature': `${token}.FORGED`,
    'bare token': token,
    'signature of another secret': signToken(token, 'another-secret-of-at-least-32-characters'),
    'signature in base64url': signToken(token).replace(/\+/g, '-').replace(/\//g, '_'),
  };
  for (const [label, value] of Object.entries(cases)) {
    if (value === raw) continue; // base64url and base64 agree for this signature
    const { decision, own } = await verdicts(ba, gate, withCookie(cookieHeader, 'session_token', encodeURIComponent(value)));
    assert.equal(own, null, `${label}: Better Auth refuses it`);
    assert.equal(decision.kind, 'deny', `${label}: the gate refuses it`);
    assert.equal(decision.reason, 'invalid_token', label);
    assert.match(decision.code, /^ERR_JWS_(INVALID|SIGNATURE_VERIFICATION_FAILED)$/, label);
    assert.ok(!JSON.stringify(decision.body).includes(token), `${label}: the answer never names the token`);
  }
});

test('__Secure- cookies: a plain-named cookie beside them is never read; with secureCookies, nor instead of them', async () => {
  const ba = await server({ useSecureCookies: true });
  const victim = await ba.signUp(email(), 'correct horse battery', 'Victim');
  const attacker = await ba.signUp(email(), 'correct horse battery', 'Attacker');
  assert.ok(pairs(victim.cookieHeader).every(([n]) => n.startsWith('__Secure-')));
  const plain = (cookieHeader) => header(pairs(cookieHeader).map(([n, v]) => [n.replace(/^__Secure-/, ''), v]));
  const gate = lib.createGate({ session: { secret: SECRET } });
  const pinned = lib.createGate({ session: { secret: SECRET, secureCookies: true } });

  // Tossed plain-named cookies of the attacker's session, before and after the victim's own.
  for (const tossed of [`${plain(attacker.cookieHeader)}; ${victim.cookieHeader}`, `${victim.cookieHeader}; ${plain(attacker.cookieHeader)}`]) {
    const { decision, own } = await verdicts(ba, gate, tossed);
    assert.equal(own, victim.user.id, 'Better Auth reads only the __Secure- cookies');
    assert.equal(decision.kind, 'allow');
    assert.equal(decision.auth.sub, victim.user.id, 'the gate reads only the __Secure- cookies');
    assert.equal((await pinned(req('/api/me', tossed))).auth.sub, victim.user.id);
  }
  // A tossed plain session_token beside the victim's __Secure- cache: not mixed in.
  const mixed = header([...pairs(victim.cookieHeader).filter(([n]) => !n.endsWith('session_token')), ...pairs(plain(attacker.cookieHeader)).filter(([n]) => n.endsWith('session_token'))]);
  const mixedVerdict = await verdicts(ba, gate, mixed);
  assert.equal(mixedVerdict.own, null);
  assert.notEqual(mixedVerdict.decision.kind, 'allow');

  // Plain-named cookies alone: Better Auth (useSecureCookies) does not read them; nor does a gate
  // with secureCookies: true.
  const only = await verdicts(ba, pinned, plain(attacker.cookieHeader));
  assert.equal(only.own, null);
  assert.equal(only.decision.kind, 'deny');
  assert.equal(only.decision.reason, 'missing_token');
});

/** The compact cookie of a Cookie header decoded, changed by `edit`, and signed again with the secret. */
function resignedCompact(cookieHeader, edit) {
  return header(pairs(cookieHeader).map(([name, value]) => {
    if (!name.endsWith('session_data')) return [name, value];
    const object = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    edit(object.session);
    object.signature = createHmac('sha256', SECRET).update(JSON.stringify({ ...object.session, expiresAt: object.expiresAt })).digest('base64url');
    return [name, Buffer.from(JSON.stringify(object)).toString('base64url')];
  }));
}

test('session.expiresAt: only the form Better Auth writes is read; any other is expired; a numeric version is refused', async () => {
  const ba = await server({ strategy: 'compact' });
  const { cookieHeader, user } = await ba.signUp(email(), 'correct horse battery', 'Expiry User');
  const gate = lib.createGate({ session: { secret: SECRET } });
  const future = new Date(Date.now() + 86_400_000);
  const iso = future.toISOString();

  // The control: re-signed with Better Auth's own form, it still verifies.
  const control = resignedCompact(cookieHeader, (payload) => { payload.session.expiresAt = iso; });
  const ok = await gate(req('/api/me', control));
  assert.equal(ok.kind, 'allow', JSON.stringify(ok.body));
  assert.equal(ok.auth.sub, user.id);

  const forms = {
    'space instead of T, no zone': '2000-01-01 00:00:00',
    'a future date with +00:00': iso.replace('Z', '+00:00'),
    'a future date without milliseconds': iso.replace(/\.\d{3}Z$/, 'Z'),
    'a future date, space instead of T': iso.replace('T', ' '),
    'milliseconds as a number': future.getTime(),
    garbage: 'garbage',
    'absent': undefined,
    'null': null,
  };
  for (const [label, value] of Object.entries(forms)) {
    const cookie = resignedCompact(cookieHeader, (payload) => {
      if (value === undefined) delete payload.session.expiresAt;
      else payload.session.expiresAt = value;
    });
    const decision = await gate(req('/api/me', cookie));
    assert.equal(decision.kind, 'deny', `${label}: treated as expired`);
    assert.equal(decision.reason, 'session_cache_missing', `${label}: a miss (the session_token is still there)`);
    const direct = await lib.createGate({ session: { secret: SECRET }, sessionFallback: async () => null })(req('/api/me', cookie));
    assert.equal(direct.kind, 'deny', label);
  }

  for (const version of [1, true, null, ['1'], { v: '1' }]) {
    const cookie = resignedCompact(cookieHeader, (payload) => { payload.version = version; });
    const decision = await gate(req('/api/me', cookie));
    assert.equal(decision.kind, 'deny', `version ${JSON.stringify(version)}`);
  }
  const stringVersion = await gate(req('/api/me', resignedCompact(cookieHeader, (payload) => { payload.version = '1'; })));
  assert.equal(stringVersion.kind, 'allow');
});

test('a session_token without a usable cookie cache (Better Auth\'s default config) gets its own code and a message naming the fix', async () => {
  const ba = await server({ maxAge: 1 });
  const { cookieHeader } = await ba.signUp(email(), 'correct horse battery', 'Cache User');
  const tokenOnly = header(pairs(cookieHeader).filter(([n]) => n.endsWith('session_token')));
  const gate = lib.createGate({ session: { secret: SECRET } });
  for (const cookie of [tokenOnly, header(pairs(cookieHeader).map(([n, v]) => [n.replace('better-auth.', '__Secure-better-auth.'), v]).filter(([n]) => n.endsWith('session_token')))]) {
    const api = await gate(req('/api/me', cookie));
    assert.equal(api.status, 401);
    assert.equal(api.reason, 'session_cache_missing');
    assert.equal(api.body.error, 'session_cache_missing');
    assert.equal(api.body.code, null);
    assert.match(api.body.message, /session\.cookieCache/);
    assert.match(api.body.message, /sessionFallback/);
    assert.ok(!api.body.message.includes(cookie.split('=')[1].slice(0, 20)), 'the message never contains the cookie');
    const page = await gate(req('/dashboard', cookie));
    assert.equal(page.status, 307);
    assert.equal(page.reason, 'session_cache_missing');
  }
  // Other cookies only: still missing_token.
  assert.equal((await gate(req('/api/me', 'theme=dark'))).reason, 'missing_token');
  // With a fallback, its verdict decides: no session is no session.
  const withFallback = lib.createGate({ session: { secret: SECRET }, sessionFallback: async () => null });
  assert.equal((await withFallback(req('/api/me', tokenOnly))).reason, 'missing_token');
});
