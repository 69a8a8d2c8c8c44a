// createRemoteJWKSet against real HTTP servers on 127.0.0.1 (tests/runtimes/jwks-server.mjs), in
// Node, through the packed package (EDGE_JWT_SCRATCH). Every request the library makes is counted
// on the server side. Cache ages and cooldowns are driven by the `clock` option (a fake clock that
// moves only when a test says so); claim checks use real time (tokens are valid for 2 hours).
//
// Covered: key rotation; single flight under 1000 concurrent verifications; a flood of random kids;
// every failure mode (port closed, 500, slow, HTML, 10 MB with and without Content-Length, redirect,
// JSON that is not a key set) cold, stale and expired; the retry interval after a failure;
// Cache-Control; stale-while-revalidate; `initial`; stores (memory, Workers KV, Cache API, custom);
// reload/fresh/coolingDown/reloading/jwks/stats; `headers` and `fetch`; option validation.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadEsm } from './load.mjs';
import {
  closedPortUrl, fakeClock, jwksOf, newSigningKey, signToken, startJwksServer, waitFor,
} from '../runtimes/jwks-server.mjs';

const lib = await loadEsm();
const { createRemoteJWKSet, createLocalJWKSet, verifyToken, verifyTokenSync, errors, memoryStore, workersKVStore, cacheApiStore } = lib;

const MB10 = 10 * 1024 * 1024;
const MARGIN = 1000; // ms allowed beyond timeoutDuration for a rejection to arrive
const COOLDOWN = 30_000; // the default cooldownDuration
const KINDS = { // code -> class in `errors`
  ERR_JWKS_FETCH_FAILED: 'JWKSFetchFailed',
  ERR_JWKS_TIMEOUT: 'JWKSTimeout',
  ERR_JWKS_INVALID: 'JWKSInvalid',
  ERR_JWKS_NO_MATCHING_KEY: 'JWKSNoMatchingKey',
};

const A = await newSigningKey('key-A');
const B = await newSigningKey('key-B');
const C = await newSigningKey('key-C');

before(async () => {
  // Load and instantiate the WebAssembly once, so no timing below includes it.
  await verifyToken(await signToken(A), createLocalJWKSet(jwksOf(A)));
});

/** Rejects with `code` (and the matching class of `errors`); returns the error. */
async function rejectsWith(promise, code, what = '') {
  let caught;
  await assert.rejects(promise, (error) => { caught = error; return true; }, `${what}: expected a rejection with ${code}`);
  assert.equal(caught?.code, code, `${what}: expected ${code}, got ${caught?.code}: ${caught?.message}`);
  if (KINDS[code]) assert.ok(caught instanceof errors[KINDS[code]], `${what}: not an instance of errors.${KINDS[code]}`);
  assert.ok(caught instanceof errors.JOSEError, `${what}: not an instance of errors.JOSEError`);
  return caught;
}

/** Verifies and checks the subject; returns the elapsed ms. */
async function verifies(token, set, what = '') {
  const started = performance.now();
  let result;
  try {
    result = await verifyToken(token, set);
  } catch (error) {
    assert.fail(`${what}: expected the token to verify, got ${error?.code}: ${error?.message}`);
  }
  assert.equal(result.payload.sub, 'user-1', what);
  return performance.now() - started;
}

async function timed(fn) {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

const kids = (set) => set.jwks()?.keys.map((k) => k.kid).sort();

async function server(t, behaviour) {
  const s = await startJwksServer(behaviour);
  t.after(() => s.close());
  return s;
}

// ---------------------------------------------------------------------------------------------
// Key rotation

test('key rotation: a new kid costs one fetch; a dropped key is used until the next fetch', async (t) => {
  const clock = fakeClock();
  const s = await server(t, { jwks: jwksOf(A) });
  const set = createRemoteJWKSet(s.url, { clock });

  await verifies(await signToken(A), set, 'first A token');
  assert.equal(s.count, 1, 'the first verification fetches once');
  await verifies(await signToken(A), set, 'second A token');
  assert.equal(s.count, 1, 'a known kid needs no fetch');

  // B appears one second after the first fetch: the cooldown limits only refetches caused by
  // unknown kids, so the first unknown kid refetches at once.
  s.set({ jwks: jwksOf(A, B) });
  clock.advance(1000);
  await verifies(await signToken(B), set, 'B token after rotation');
  assert.equal(s.count, 2, 'the unknown kid B causes exactly one more fetch');
  assert.deepEqual(kids(set), ['key-A', 'key-B']);
  for (let i = 0; i < 3; i += 1) await verifies(await signToken(A), set, `A token ${i} after rotation`);
  await verifies(await signToken(B), set, 'another B token');
  assert.equal(s.count, 2, 'A and B tokens verify with no further fetch');

  // The server drops A. What is asserted: the cached set still holds A, so A tokens keep verifying
  // with no fetch until the set is fetched again (here: reload()); after that fetch an A token is
  // rejected ERR_JWKS_NO_MATCHING_KEY, with no further fetch within the cooldown of the refetch B
  // caused, and with exactly one refetch (that still lacks A) once that cooldown has passed.
  s.set({ jwks: jwksOf(B) });
  clock.advance(1000);
  await verifies(await signToken(A), set, 'A token after the server dropped A, before any refetch');
  assert.equal(s.count, 2, 'dropping a key at the server causes no fetch by itself');
  await set.reload();
  assert.equal(s.count, 3, 'reload() fetches');
  assert.deepEqual(kids(set), ['key-B']);
  await rejectsWith(verifyToken(await signToken(A), set), 'ERR_JWKS_NO_MATCHING_KEY', 'A token after the refetch');
  assert.equal(s.count, 3, 'no refetch within the cooldown of the last unknown-kid refetch (B, 2 s ago)');
  clock.advance(COOLDOWN + 1000);
  await rejectsWith(verifyToken(await signToken(A), set), 'ERR_JWKS_NO_MATCHING_KEY', 'A token after the cooldown');
  assert.equal(s.count, 4, 'once the cooldown has passed, an unknown kid refetches exactly once');
  await verifies(await signToken(B), set, 'B token at the end');
  assert.equal(s.count, 4);
});

test('key rotated during an outage: a failed refetch for an unknown kid does not start the cooldown', async (t) => {
  const clock = fakeClock();
  const s = await server(t, { jwks: jwksOf(A) });
  const set = createRemoteJWKSet(s.url, { clock });
  await verifies(await signToken(A), set, 'A token, cold');
  assert.equal(s.count, 1);

  // The server fails; an unknown kid tries a refetch, which fails.
  s.set({ status: 503, body: 'down' });
  clock.advance(1000);
  await rejectsWith(verifyToken(await signToken(C), set), 'ERR_JWKS_NO_MATCHING_KEY', 'unknown kid while the server fails');
  assert.equal(s.count, 2, 'the unknown kid tried one refetch');
  await verifies(await signToken(A), set, 'A token during the outage (cached keys)');
  clock.advance(1000);
  await rejectsWith(verifyToken(await signToken(C), set), 'ERR_JWKS_NO_MATCHING_KEY', 'unknown kid within the retry interval');
  assert.equal(s.count, 2, 'no attempt within the retry interval after the failure');

  // The server is back with a rotated key; past the retry interval (5 s), far within the cooldown
  // (30 s), the new key's first token refetches and verifies.
  s.set({ jwks: jwksOf(A, B) });
  clock.advance(4500);
  await verifies(await signToken(B), set, 'B token once the server is back');
  assert.equal(s.count, 3, 'one refetch for the rotated key');
  // That refetch succeeded: it starts the cooldown for the next unknown kids.
  clock.advance(1000);
  await rejectsWith(verifyToken(await signToken(C), set), 'ERR_JWKS_NO_MATCHING_KEY', 'unknown kid after the good refetch');
  assert.equal(s.count, 3, 'no refetch within the cooldown of a successful unknown-kid refetch');
});

test('key rotation while the cache clock stands still: each token is checked with its own key, never a key of the previous set', async (t) => {
  // Two fetches at the same cache time (a frozen or coarse clock; two fetches within 1 ms). The new
  // set must be used in full: its keys verify their tokens, and a token signed by a key of the
  // previous set under the kid of a new key is a bad signature, not a valid token.
  for (const alg of ['ES256', 'RS256', 'EdDSA']) {
    const old = await newSigningKey('key-old', alg);
    const fresh = await newSigningKey('key-new', alg);
    for (const next of [[old, fresh], [fresh, old], [fresh]]) {
      const what = `${alg}, [key-old] -> [${next.map((k) => k.kid).join(', ')}]`;
      const clock = fakeClock();
      const s = await server(t, { jwks: jwksOf(old) });
      const set = createRemoteJWKSet(s.url, { clock });
      await verifies(await signToken(old), set, `${what}: before`);
      s.set({ jwks: jwksOf(...next) });
      await set.reload();
      assert.deepEqual(kids(set), next.map((k) => k.kid).sort(), what);
      for (const k of next) await verifies(await signToken(k, { n: Math.random() }), set, `${what}: ${k.kid} token`);
      const forged = await signToken({ ...old, kid: 'key-new' }, { sub: 'forged' });
      await rejectsWith(verifyToken(forged, set), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', `${what}: token signed by key-old with kid key-new`);
      if (!next.includes(old)) {
        await rejectsWith(verifyToken(await signToken(old), set), 'ERR_JWKS_NO_MATCHING_KEY', `${what}: key-old token`);
      }
    }
  }
});

test('a key rotated right after a cold start is accepted at once; scheduled and background fetches do not start the cooldown', async (t) => {
  const clock = fakeClock();
  const s = await server(t, { jwks: jwksOf(A) });
  const set = createRemoteJWKSet(s.url, { clock, cacheMaxAge: 5_000 });
  await verifies(await signToken(A), set, 'cold start');
  assert.equal(s.count, 1);
  assert.equal(set.coolingDown, true, "jose's coolingDown: a fetch within cooldownDuration");

  // The issuer rotates 100 ms after the cold start: the new kid refetches at once.
  s.set({ jwks: jwksOf(A, B) });
  clock.advance(100);
  await verifies(await signToken(B), set, 'B, 100 ms after the initial fetch');
  assert.equal(s.count, 2, 'one refetch, without waiting for the 30 s cooldown');

  // Within the cooldown of that refetch, random kids cause nothing.
  for (let i = 0; i < 20; i += 1) {
    await rejectsWith(verifyToken(await signToken({ ...C, kid: `random-${i}` }), set), 'ERR_JWKS_NO_MATCHING_KEY', `random kid ${i}`);
  }
  assert.equal(s.count, 2, 'random kids within the cooldown: no fetch');

  // A background refresh (keys past max-age) does not reopen the door for the random kids.
  clock.advance(6_000);
  await verifies(await signToken(A), set, 'stale keys, background refresh');
  await waitFor(() => s.count === 3 && !set.reloading, 3000, 'the background refresh');
  await rejectsWith(verifyToken(await signToken({ ...C, kid: 'random-after-refresh' }), set), 'ERR_JWKS_NO_MATCHING_KEY', 'random kid');
  assert.equal(s.count, 3, 'the last unknown-kid refetch was 6 s ago: no fetch');

  // ...and a new set whose first fetch was a background refresh gives the next rotation at once.
  const fresh = createRemoteJWKSet(s.url, { clock, cacheMaxAge: 5_000, initial: jwksOf(A) });
  clock.advance(6_000);
  const before = s.count;
  await verifies(await signToken(A), fresh, 'stale initial keys');
  await waitFor(() => s.count === before + 1 && !fresh.reloading, 3000, 'the background refresh');
  s.set({ jwks: jwksOf(A, B, C) });
  clock.advance(10);
  await verifies(await signToken(C), fresh, 'C, 10 ms after a background refresh');
  assert.equal(s.count, before + 2, 'the first unknown kid after a background refresh refetches at once');
});

// ---------------------------------------------------------------------------------------------
// Single flight and floods

test('1000 concurrent verifications with a kid unknown to the cached set share one fetch', async (t) => {
  const clock = fakeClock();
  const s = await server(t, { jwks: jwksOf(A) });
  const set = createRemoteJWKSet(s.url, { clock });
  await verifies(await signToken(A), set, 'priming');
  assert.equal(s.count, 1);

  // Round 1: the server is slow (100 ms), so every call finds the fetch in flight.
  // Round 2: the server answers at once, so some calls finish their first attempt after the new
  // keys arrived; they must still verify (with the new keys) and not fetch again.
  const rounds = [
    { key: B, jwks: jwksOf(A, B), delayMs: 100 },
    { key: C, jwks: jwksOf(A, B, C), delayMs: 0 },
  ];
  let expected = 1;
  for (const [i, round] of rounds.entries()) {
    s.set({ jwks: round.jwks, delayMs: round.delayMs });
    clock.advance(COOLDOWN + 1000);
    const token = await signToken(round.key);
    const settled = await Promise.allSettled(Array.from({ length: 1000 }, () => verifyToken(token, set)));
    const failed = settled.filter((r) => r.status === 'rejected');
    assert.equal(failed.length, 0,
      `round ${i + 1}: ${failed.length} of 1000 rejected, e.g. ${failed[0]?.reason?.code}: ${failed[0]?.reason?.message}`);
    expected += 1;
    assert.equal(s.count, expected, `round ${i + 1}: exactly one extra fetch for 1000 concurrent calls (server saw ${s.count - expected + 1})`);
  }
  assert.equal(set.stats().fetches, 3);
});

test('10,000 tokens with random unknown kids within one cooldown: at most one fetch, all ERR_JWKS_NO_MATCHING_KEY', async (t) => {
  const clock = fakeClock();
  const s = await server(t, { jwks: jwksOf(A) });
  const set = createRemoteJWKSet(s.url, { clock });
  await verifies(await signToken(A), set, 'priming');
  assert.equal(s.count, 1);
  // The cooldown since the priming fetch has passed: the first unknown kid may refetch (once).
  clock.advance(COOLDOWN + 1000);
  const stranger = { ...C, kid: 'unused' };
  const tokens = await Promise.all(Array.from({ length: 10_000 }, (_, i) =>
    signToken({ ...stranger, kid: `random-${i}-${Math.random().toString(36).slice(2)}` })));
  const codes = new Map();
  const started = performance.now();
  for (let i = 0; i < tokens.length; i += 1000) {
    const batch = tokens.slice(i, i + 1000);
    const settled = await Promise.allSettled(batch.map((token) => verifyToken(token, set)));
    for (const r of settled) {
      const code = r.status === 'fulfilled' ? 'verified' : r.reason?.code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    clock.advance(1); // a little time passes, still within the cooldown
  }
  t.diagnostic(`10,000 rejections in ${(performance.now() - started).toFixed(0)} ms`);
  assert.deepEqual(Object.fromEntries(codes), { ERR_JWKS_NO_MATCHING_KEY: 10_000 });
  assert.ok(s.count - 1 <= 1, `at most one fetch for the whole flood; the server saw ${s.count - 1}`);
  await verifies(await signToken(A), set, 'a known kid still verifies');
  assert.ok(s.count - 1 <= 1);
});

// ---------------------------------------------------------------------------------------------
// Failure modes: cold (no keys), stale (keys past max-age), expired (past max-age + stale window)

const HTML = '<!doctype html><html><head><title>Sign in</title></head><body>Please sign in</body></html>';
const FAILURES = [
  { name: 'server down (port closed)', code: 'ERR_JWKS_FETCH_FAILED', apply: (s) => s.down(), reachesServer: false },
  { name: 'HTTP 500', code: 'ERR_JWKS_FETCH_FAILED', apply: (s) => s.set({ status: 500, body: 'internal error', contentType: 'text/plain' }) },
  {
    name: 'answer after the timeout (300 ms timeout, 2 s delay)', code: 'ERR_JWKS_TIMEOUT', timeoutDuration: 300,
    apply: (s) => s.set({ jwks: jwksOf(A), delayMs: 2000 }),
  },
  {
    name: 'headers at once, body stalled past the timeout (300 ms)', code: 'ERR_JWKS_TIMEOUT', timeoutDuration: 300,
    apply: (s) => s.set({ jwks: jwksOf(A), stall: true }),
  },
  { name: 'HTML body with 200', code: 'ERR_JWKS_FETCH_FAILED', apply: (s) => s.set({ body: HTML, contentType: 'text/html' }) },
  { name: '10 MB body with Content-Length', code: 'ERR_JWKS_FETCH_FAILED', apply: (s) => s.set({ jwks: jwksOf(A), size: MB10 }) },
  { name: '10 MB body without Content-Length (chunked)', code: 'ERR_JWKS_FETCH_FAILED', apply: (s) => s.set({ jwks: jwksOf(A), size: MB10, chunked: true }) },
  {
    name: '302 redirect to another local server', code: 'ERR_JWKS_FETCH_FAILED', redirect: true,
    apply: (s, target) => s.set({ status: 302, location: target.url, body: '' }),
  },
  { name: '{"keys":null}', code: 'ERR_JWKS_INVALID', apply: (s) => s.set({ body: '{"keys":null}' }) },
  { name: '{} (JSON without "keys")', code: 'ERR_JWKS_INVALID', apply: (s) => s.set({ body: '{}' }) },
];

const MAX_AGE = 60_000;
const STALE = 3_600_000;

for (const mode of FAILURES) {
  test(`failure: ${mode.name} -> ${mode.code}`, async (t) => {
    const timeoutDuration = mode.timeoutDuration ?? 3000;
    // A redirect target that would hand out the right keys: it must never be asked.
    const target = await server(t, { jwks: jwksOf(A) });
    const options = (clock) => ({ clock, timeoutDuration, cacheMaxAge: MAX_AGE, staleIfErrorDuration: STALE });

    await t.test('no cached keys: the coded error, within timeoutDuration; a retry right away fails fast', async (t) => {
      const clock = fakeClock();
      const s = await server(t, { jwks: jwksOf(A) });
      await mode.apply(s, target);
      const set = createRemoteJWKSet(s.url, options(clock));
      const token = await signToken(A);
      const { ms } = await timed(() => rejectsWith(verifyToken(token, set), mode.code, 'cold'));
      t.diagnostic(`rejected after ${ms.toFixed(0)} ms`);
      assert.ok(ms < timeoutDuration + MARGIN, `the rejection took ${ms.toFixed(0)} ms (timeoutDuration ${timeoutDuration})`);
      if (mode.code === 'ERR_JWKS_TIMEOUT') assert.ok(ms >= timeoutDuration - 50, `a timeout after only ${ms.toFixed(0)} ms`);
      assert.equal(s.count, mode.reachesServer === false ? 0 : 1, 'one request');
      const stats = set.stats();
      assert.equal(stats.fetches, 1, 'stats().fetches');
      assert.equal(stats.failures, 1, 'stats().failures');
      assert.equal(stats.keyCount, 0, 'stats().keyCount');
      assert.equal(stats.lastError?.code, mode.code, 'stats().lastError.code');
      assert.equal(typeof stats.lastError?.message, 'string');
      assert.equal(stats.lastError?.at, clock(), 'stats().lastError.at is the cache clock');
      assert.equal(set.jwks(), undefined, 'no keys');
      assert.equal(set.fresh, false);

      // Within the retry interval: the last error again, at once, with no request.
      const again = await timed(() => rejectsWith(verifyToken(token, set), mode.code, 'right after the failure'));
      assert.ok(again.ms < 250, `failing again took ${again.ms.toFixed(0)} ms; expected to fail fast`);
      assert.equal(s.count, mode.reachesServer === false ? 0 : 1, 'no request within the retry interval');
      if (mode.redirect) assert.equal(target.count, 0, 'the redirect was followed');
    });

    await t.test('stale cached keys: valid tokens keep verifying, lastError records the failure, the keys are kept', async (t) => {
      const clock = fakeClock();
      const s = await server(t, { jwks: jwksOf(A) });
      const set = createRemoteJWKSet(s.url, options(clock));
      await verifies(await signToken(A), set, 'priming');
      assert.equal(s.count, 1);
      await mode.apply(s, target);
      clock.advance(MAX_AGE + 1000);
      assert.equal(set.fresh, false, 'past cacheMaxAge the keys are not fresh');

      const ms = await verifies(await signToken(A), set, 'stale keys, refresh failing');
      assert.ok(ms < timeoutDuration + MARGIN);
      await waitFor(() => !set.reloading && set.stats().failures >= 1, timeoutDuration + 3000, 'the refresh to fail');
      const stats = set.stats();
      assert.equal(stats.lastError?.code, mode.code, `stats().lastError: ${JSON.stringify(stats.lastError)}`);
      assert.equal(stats.failures, 1);
      assert.equal(stats.fetches, 2);
      assert.deepEqual(set.jwks(), jwksOf(A), 'the previous keys are kept');
      assert.equal(stats.keyCount, 1);
      assert.equal(s.count, mode.reachesServer === false ? 1 : 2, 'one refresh attempt');

      for (let i = 0; i < 3; i += 1) await verifies(await signToken(A), set, `stale keys after the failure (${i})`);
      assert.ok(set.stats().staleServed >= 4, `stats().staleServed ${set.stats().staleServed}`);
      assert.equal(s.count, mode.reachesServer === false ? 1 : 2, 'no new attempt within the retry interval');
      if (mode.redirect) assert.equal(target.count, 0, 'the redirect was followed');
    });

    await t.test('past cacheMaxAge + staleIfErrorDuration: the coded error', async (t) => {
      const clock = fakeClock();
      const s = await server(t, { jwks: jwksOf(A) });
      const set = createRemoteJWKSet(s.url, options(clock));
      await verifies(await signToken(A), set, 'priming');
      await mode.apply(s, target);
      clock.advance(MAX_AGE + STALE + 1000);
      const token = await signToken(A);
      const { ms } = await timed(() => rejectsWith(verifyToken(token, set), mode.code, 'expired keys'));
      assert.ok(ms < timeoutDuration + MARGIN, `the rejection took ${ms.toFixed(0)} ms`);
      assert.equal(set.stats().lastError?.code, mode.code);
      assert.equal(s.count, mode.reachesServer === false ? 1 : 2);
      if (mode.redirect) assert.equal(target.count, 0, 'the redirect was followed');
    });
  });
}

test('after a failed attempt the next waits min(cooldownDuration, 5000) ms; then it succeeds', async (t) => {
  const s = await server(t, { status: 500, body: 'down' });
  const token = await signToken(A);

  const clock = fakeClock();
  const set = createRemoteJWKSet(s.url, { clock }); // cooldown 30 s: retries every 5 s
  await rejectsWith(verifyToken(token, set), 'ERR_JWKS_FETCH_FAILED', 'first');
  assert.equal(s.count, 1);
  assert.equal(set.coolingDown, true, 'a failed attempt starts the cooldown');
  clock.advance(4999);
  await rejectsWith(verifyToken(token, set), 'ERR_JWKS_FETCH_FAILED', 'at +4999 ms');
  assert.equal(s.count, 1, 'no attempt before 5000 ms');
  clock.advance(1);
  await rejectsWith(verifyToken(token, set), 'ERR_JWKS_FETCH_FAILED', 'at +5000 ms');
  assert.equal(s.count, 2, 'a new attempt at 5000 ms');
  s.set({ jwks: jwksOf(A) });
  clock.advance(2000);
  await rejectsWith(verifyToken(token, set), 'ERR_JWKS_FETCH_FAILED', 'at +7000 ms (last error)');
  assert.equal(s.count, 2);
  clock.advance(3000);
  await verifies(token, set, 'at +10000 ms, the server is back');
  assert.equal(s.count, 3);
  assert.equal(set.stats().failures, 2);

  // A cooldown shorter than 5 s sets the retry interval.
  s.set({ status: 500, body: 'down' });
  const clock2 = fakeClock();
  const short = createRemoteJWKSet(s.url, { clock: clock2, cooldownDuration: 1000 });
  await rejectsWith(verifyToken(token, short), 'ERR_JWKS_FETCH_FAILED', 'short cooldown');
  assert.equal(s.count, 4);
  clock2.advance(999);
  await rejectsWith(verifyToken(token, short), 'ERR_JWKS_FETCH_FAILED', 'short cooldown, +999 ms');
  assert.equal(s.count, 4);
  clock2.advance(1);
  await rejectsWith(verifyToken(token, short), 'ERR_JWKS_FETCH_FAILED', 'short cooldown, +1000 ms');
  assert.equal(s.count, 5);
});

test('a connection reset is ERR_JWKS_FETCH_FAILED, and a body that is not a key set keeps the previous keys', async (t) => {
  const s = await server(t, { reset: true });
  const set = createRemoteJWKSet(s.url, { timeoutDuration: 3000 });
  await rejectsWith(verifyToken(await signToken(A), set), 'ERR_JWKS_FETCH_FAILED', 'reset');

  s.set({ jwks: jwksOf(A) });
  const good = createRemoteJWKSet(s.url);
  await verifies(await signToken(A), good, 'priming');
  const bodies = [
    ['{"keys":null}', 'ERR_JWKS_INVALID'], // JSON, not a key set
    ['[]', 'ERR_JWKS_INVALID'],
    ['"keys"', 'ERR_JWKS_INVALID'],
    ['{"keys":[', 'ERR_JWKS_FETCH_FAILED'], // not JSON
    [HTML, 'ERR_JWKS_FETCH_FAILED'],
  ];
  for (const [body, code] of bodies) {
    s.set({ body });
    await rejectsWith(good.reload(), code, `reload() answered ${body.slice(0, 20)}`);
    assert.deepEqual(good.jwks(), jwksOf(A), `the keys after a body ${body.slice(0, 20)}`);
    await verifies(await signToken(A), good, `after a body ${body.slice(0, 20)}`);
  }
});

test('no redirect status is followed (301, 302, 303, 307, 308)', async (t) => {
  const target = await server(t, { jwks: jwksOf(A) });
  const s = await server(t, {});
  for (const status of [301, 302, 303, 307, 308]) {
    s.set({ status, location: target.url, body: '' });
    const set = createRemoteJWKSet(s.url, { timeoutDuration: 3000 });
    await rejectsWith(verifyToken(await signToken(A), set), 'ERR_JWKS_FETCH_FAILED', `HTTP ${status}`);
    // A relative Location to a path of the same server that would answer keys is not followed either.
    s.set({ status, location: '/elsewhere', body: '' });
    await rejectsWith(createRemoteJWKSet(s.url).reload(), 'ERR_JWKS_FETCH_FAILED', `HTTP ${status}, relative Location`);
  }
  assert.equal(target.count, 0, 'a redirect target was asked');
  assert.ok(s.requests.every((r) => r.path === '/jwks'), `requests to other paths: ${s.requests.map((r) => r.path).join(', ')}`);
});

test('the size bound: a key set of exactly 256 KiB is accepted, one byte more is refused (with and without Content-Length)', async (t) => {
  const s = await server(t, {});
  for (const chunked of [false, true]) {
    s.set({ jwks: jwksOf(A), size: 256 * 1024, chunked });
    await verifies(await signToken(A), createRemoteJWKSet(s.url), `256 KiB${chunked ? ', chunked' : ''}`);
    s.set({ jwks: jwksOf(A), size: 256 * 1024 + 1, chunked });
    await rejectsWith(verifyToken(await signToken(A), createRemoteJWKSet(s.url)), 'ERR_JWKS_FETCH_FAILED', `256 KiB + 1${chunked ? ', chunked' : ''}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Freshness

/** A store that records every set() and never answers get(). */
function recordingStore() {
  const sets = [];
  return { sets, async get() { return undefined; }, async set(value) { sets.push(value); } };
}

const CACHE_CONTROL = [
  { header: 'max-age=120', cacheMaxAge: undefined, maxAge: 120_000, why: 'shorter than the default cacheMaxAge' },
  { header: 'public, max-age=3600', cacheMaxAge: 60_000, maxAge: 3_600_000, why: 'longer than cacheMaxAge' },
  { header: 'max-age=5', cacheMaxAge: undefined, maxAge: 30_000, why: 'clamped up to 30 s' },
  { header: 'max-age=0', cacheMaxAge: undefined, maxAge: 30_000, why: 'clamped up to 30 s' },
  { header: 'max-age=604800', cacheMaxAge: Infinity, maxAge: 86_400_000, why: 'clamped down to 24 h' },
  { header: 'no-store', cacheMaxAge: undefined, maxAge: 30_000, why: 'no-store means 30 s' },
  { header: 'no-cache', cacheMaxAge: undefined, maxAge: 30_000, why: 'no-cache means 30 s' },
  { header: undefined, cacheMaxAge: undefined, maxAge: 600_000, why: 'no header: the default cacheMaxAge' },
  { header: undefined, cacheMaxAge: 45_000, maxAge: 45_000, why: 'no header: cacheMaxAge' },
];

for (const c of CACHE_CONTROL) {
  test(`Cache-Control ${c.header ?? '(none)'}, cacheMaxAge ${c.cacheMaxAge ?? '(default)'}: fresh for ${c.maxAge / 1000} s (${c.why})`, async (t) => {
    const clock = fakeClock();
    const s = await server(t, { jwks: jwksOf(A), headers: c.header === undefined ? {} : { 'cache-control': c.header } });
    const store = recordingStore();
    const set = createRemoteJWKSet(s.url, { clock, store, ...(c.cacheMaxAge === undefined ? {} : { cacheMaxAge: c.cacheMaxAge }) });
    const fetchedAt = clock();
    await verifies(await signToken(A), set, 'first');
    assert.equal(s.count, 1);
    assert.equal(store.sets.length, 1, 'store.set() after the fetch');
    assert.equal(store.sets[0].maxAge, c.maxAge, 'CachedJWKS.maxAge');
    assert.equal(store.sets[0].uat, fetchedAt, 'CachedJWKS.uat is the cache clock at the fetch');
    assert.deepEqual(store.sets[0].jwks, jwksOf(A), 'CachedJWKS.jwks');

    clock.set(fetchedAt + c.maxAge - 1000);
    assert.equal(set.fresh, true, '1 s before max-age');
    await verifies(await signToken(A), set, 'before max-age');
    assert.equal(s.count, 1, 'no fetch while fresh');
    clock.set(fetchedAt + c.maxAge + 1000);
    assert.equal(set.fresh, false, '1 s past max-age');
    await verifies(await signToken(A), set, 'past max-age (stale, refreshed in the background)');
    await s.waitForCount(2, 3000);
    await waitFor(() => !set.reloading, 3000, 'the refresh to end');
    assert.equal(s.count, 2, 'one refresh');
    assert.equal(set.fresh, true, 'fresh again after the refresh');
  });
}

test('cacheMaxAge: Infinity with no Cache-Control keeps keys fresh for years', async (t) => {
  const clock = fakeClock();
  const s = await server(t, { jwks: jwksOf(A) });
  const set = createRemoteJWKSet(s.url, { clock, cacheMaxAge: Infinity });
  await verifies(await signToken(A), set);
  clock.advance(10 * 365 * 86_400_000);
  assert.equal(set.fresh, true);
  await verifies(await signToken(A), set);
  assert.equal(s.count, 1);
});

test('stale-while-revalidate: past max-age, verifications answer at once from the old keys while one refresh runs', async (t) => {
  const clock = fakeClock();
  const s = await server(t, { jwks: jwksOf(A) });
  const set = createRemoteJWKSet(s.url, { clock, cacheMaxAge: 60_000 });
  await verifies(await signToken(A), set, 'priming');
  assert.equal(s.count, 1);

  s.set({ jwks: jwksOf(A, B), delayMs: 1000 }); // the refresh takes 1 s
  clock.advance(61_000);
  const tokens = await Promise.all(Array.from({ length: 21 }, () => signToken(A)));
  const first = await verifies(tokens[0], set, 'first stale verification');
  assert.ok(first < 500, `the stale verification waited ${first.toFixed(0)} ms for the refresh`);
  assert.equal(set.reloading, true, 'a refresh is in flight');
  const { ms } = await timed(() => Promise.all(tokens.slice(1).map((tk) => verifyToken(tk, set))));
  assert.ok(ms < 500, `20 stale verifications took ${ms.toFixed(0)} ms`);
  await s.waitForCount(2, 2000); // the refresh request has arrived (and is being held for 1 s)
  // A token with the new kid during the refresh joins it: verifies, no second request.
  await verifies(await signToken(B), set, 'B token during the refresh');
  await waitFor(() => !set.reloading, 4000, 'the refresh to end');
  assert.equal(s.count, 2, 'exactly one background refresh');
  assert.deepEqual(kids(set), ['key-A', 'key-B']);
  assert.equal(set.fresh, true);
  assert.ok(set.stats().staleServed >= 21, `staleServed ${set.stats().staleServed}`);
});

// ---------------------------------------------------------------------------------------------
// Cold starts: initial, stores

test('initial: zero network on a cold start; an unknown kid still refetches', async (t) => {
  const clock = fakeClock();
  const s = await server(t, { jwks: jwksOf(A, B) });
  const set = createRemoteJWKSet(s.url, { clock, initial: jwksOf(A) });
  for (let i = 0; i < 3; i += 1) await verifies(await signToken(A), set, `A token ${i}`);
  assert.equal(s.count, 0, 'no request: the initial keys are used');
  assert.equal(set.stats().fetches, 0);
  assert.equal(set.fresh, true);
  assert.deepEqual(set.jwks(), jwksOf(A));
  await verifies(await signToken(B), set, 'B token (not in initial)');
  assert.equal(s.count, 1, 'the unknown kid refetched once');
  assert.deepEqual(kids(set), ['key-A', 'key-B']);

  // "as if fetched at creation": past cacheMaxAge the initial keys are stale.
  const late = createRemoteJWKSet(s.url, { clock, initial: jwksOf(A), cacheMaxAge: 60_000 });
  clock.advance(61_000);
  assert.equal(late.fresh, false, 'initial keys are as old as the key set');
  await verifies(await signToken(A), late, 'stale initial keys');
  await waitFor(() => s.count === 2 && !late.reloading, 3000, 'the refresh of stale initial keys');

  // Zero network even when the URL is unreachable.
  const offline = createRemoteJWKSet(await closedPortUrl(), { initial: jwksOf(A) });
  await verifies(await signToken(A), offline, 'initial keys, unreachable URL');
  assert.equal(offline.stats().failures, 0);
});

test('memoryStore: a second instance with the same store verifies with zero fetches', async (t) => {
  const s = await server(t, { jwks: jwksOf(A) });
  const store = memoryStore();
  const first = createRemoteJWKSet(s.url, { store });
  await verifies(await signToken(A), first, 'first instance');
  assert.equal(s.count, 1);
  const second = createRemoteJWKSet(s.url, { store });
  await verifies(await signToken(A), second, 'second instance');
  assert.equal(s.count, 1, 'the second instance did not fetch');
  assert.equal(second.stats().fetches, 0);
  assert.deepEqual(second.jwks(), jwksOf(A));
  const other = createRemoteJWKSet(s.url, { store: memoryStore() });
  await verifies(await signToken(A), other, 'an instance with another store');
  assert.equal(s.count, 2, 'another memoryStore() shares nothing');
});

test('memoryStore with cacheMaxAge: Infinity: a second instance verifies with zero fetches', async (t) => {
  const s = await server(t, { jwks: jwksOf(A) });
  const store = memoryStore();
  await verifies(await signToken(A), createRemoteJWKSet(s.url, { store, cacheMaxAge: Infinity }), 'first');
  await verifies(await signToken(A), createRemoteJWKSet(s.url, { store, cacheMaxAge: Infinity }), 'second');
  assert.equal(s.count, 1, 'the second instance fetched: the stored entry was lost or ignored');
});

test('store: set() after each successful fetch (not after failures); an expired entry is ignored; a stale one is used and refreshed', async (t) => {
  const clock = fakeClock();
  const s = await server(t, { jwks: jwksOf(A) });
  const store = recordingStore();
  const set = createRemoteJWKSet(s.url, { clock, store });
  await verifies(await signToken(A), set);
  assert.equal(store.sets.length, 1);
  assert.deepEqual(store.sets[0], { jwks: jwksOf(A), uat: clock(), maxAge: 600_000 });
  s.set({ status: 500, body: 'no' });
  clock.advance(COOLDOWN + 1000);
  await assert.rejects(set.reload());
  assert.equal(store.sets.length, 1, 'no set() after a failed fetch');
  s.set({ jwks: jwksOf(A, B) });
  clock.advance(5000);
  await set.reload();
  assert.equal(store.sets.length, 2);
  assert.deepEqual(store.sets[1], { jwks: jwksOf(A, B), uat: clock(), maxAge: 600_000 });

  // An entry older than maxAge + staleIfErrorDuration is ignored: the network decides.
  const now = Date.now();
  const expired = (jwks) => ({
    async get() { return { jwks, uat: now - (60_000 + 3_600_000) - 1000, maxAge: 60_000 }; },
    async set() {},
  });
  const opts = { cacheMaxAge: 60_000, staleIfErrorDuration: 3_600_000 };
  const down = createRemoteJWKSet(await closedPortUrl(), { ...opts, store: expired(jwksOf(A)) });
  await rejectsWith(verifyToken(await signToken(A), down), 'ERR_JWKS_FETCH_FAILED', 'expired store entry, server down');
  const onlyB = await server(t, { jwks: jwksOf(B) });
  const ignoring = createRemoteJWKSet(onlyB.url, { ...opts, store: expired(jwksOf(A)) });
  await rejectsWith(verifyToken(await signToken(A), ignoring), 'ERR_JWKS_NO_MATCHING_KEY', 'expired store entry holding A, server has B');
  assert.ok(onlyB.count >= 1, 'the network was asked');
  await verifies(await signToken(B), ignoring, 'B from the network');

  // An entry past its maxAge but within the stale window is used at once, and refreshed.
  const staleEntry = { async get() { return { jwks: jwksOf(A), uat: now - 61_000, maxAge: 60_000 }; }, async set() {} };
  const before = onlyB.count;
  const stale = createRemoteJWKSet(onlyB.url, { ...opts, store: staleEntry });
  await verifies(await signToken(A), stale, 'stale store entry');
  await waitFor(() => onlyB.count === before + 1 && !stale.reloading, 3000, 'the refresh of a stale store entry');
});

test('workersKVStore with an in-memory KV: shared across instances, zero fetches for the second', async (t) => {
  const s = await server(t, { jwks: jwksOf(A) });
  const data = new Map();
  const calls = [];
  const kv = {
    async get(key, type) {
      calls.push(['get', key, type]);
      const value = data.get(key);
      if (value === undefined) return null;
      return type === 'json' ? JSON.parse(value) : value;
    },
    async put(key, value, options) {
      calls.push(['put', key, typeof value, options]);
      assert.equal(typeof value, 'string', 'KV put takes a string');
      data.set(key, value);
    },
  };
  await verifies(await signToken(A), createRemoteJWKSet(s.url, { store: workersKVStore(kv) }), 'first');
  assert.equal(s.count, 1);
  assert.equal(data.size, 1, 'one KV entry');
  const [key] = data.keys();
  const entry = JSON.parse(data.get(key));
  assert.deepEqual(entry.jwks, jwksOf(A));
  assert.equal(typeof entry.uat, 'number');
  assert.equal(entry.maxAge, 600_000);
  await verifies(await signToken(A), createRemoteJWKSet(s.url, { store: workersKVStore(kv) }), 'second');
  assert.equal(s.count, 1, 'the second instance read KV instead of fetching');
  assert.ok(calls.some(([op, , type]) => op === 'get' && type === 'json'), 'get(key, "json")');

  await verifies(await signToken(A), createRemoteJWKSet(s.url, { store: workersKVStore(kv, 'custom-key') }), 'custom key, empty');
  assert.equal(s.count, 2, 'another key is another entry');
  assert.ok(data.has('custom-key'));
});

test('cacheApiStore with an in-memory Cache: shared across instances, zero fetches for the second', async (t) => {
  const s = await server(t, { jwks: jwksOf(A) });
  const entries = new Map();
  const keyOf = (request) => (typeof request === 'string' ? request : request.url);
  const cache = {
    async match(request) {
      const hit = entries.get(keyOf(request));
      return hit === undefined ? undefined : new Response(hit.body, { headers: hit.headers });
    },
    async put(request, response) {
      entries.set(keyOf(request), { body: await response.text(), headers: Object.fromEntries(response.headers) });
    },
  };
  await verifies(await signToken(A), createRemoteJWKSet(s.url, { store: cacheApiStore(cache) }), 'first');
  assert.equal(s.count, 1);
  assert.equal(entries.size, 1);
  await verifies(await signToken(A), createRemoteJWKSet(s.url, { store: cacheApiStore(cache) }), 'second');
  assert.equal(s.count, 1, 'the second instance read the cache instead of fetching');
  await verifies(await signToken(A), createRemoteJWKSet(s.url, { store: cacheApiStore(cache, 'https://example.test/other') }), 'other key');
  assert.equal(s.count, 2);
  assert.ok(entries.has('https://example.test/other'));
});

// ---------------------------------------------------------------------------------------------
// Observability

test('reload(), fresh, coolingDown, reloading, jwks(), stats()', async (t) => {
  const clock = fakeClock();
  const s = await server(t, { jwks: jwksOf(A), delayMs: 200 });
  const set = createRemoteJWKSet(s.url, { clock, cacheMaxAge: 120_000, headers: { 'x-edge-jwt-test': 'yes' } });
  assert.equal(set.fresh, false);
  assert.equal(set.coolingDown, false);
  assert.equal(set.reloading, false);
  assert.equal(set.jwks(), undefined);
  const empty = set.stats();
  assert.equal(empty.hits, 0);
  assert.equal(empty.fetches, 0);
  assert.equal(empty.failures, 0);
  assert.equal(empty.staleServed, 0);
  assert.equal(empty.keyCount, 0);
  assert.equal(empty.lastFetchAt, undefined);
  assert.equal(empty.lastError, undefined);

  const reloading = set.reload();
  await s.waitForCount(1, 2000);
  assert.equal(set.reloading, true, 'reloading while the fetch is in flight');
  await reloading;
  assert.equal(set.reloading, false);
  assert.equal(set.fresh, true);
  assert.equal(set.coolingDown, true);
  assert.equal(s.requests[0].headers['x-edge-jwt-test'], 'yes', 'the headers option is sent');
  const copy = set.jwks();
  assert.deepEqual(copy, jwksOf(A));
  copy.keys.push({ kty: 'oct', k: 'AAAA' });
  copy.keys[0].kid = 'changed';
  assert.deepEqual(set.jwks(), jwksOf(A), 'jwks() returns a copy');
  let stats = set.stats();
  assert.equal(stats.fetches, 1);
  assert.equal(stats.keyCount, 1);
  assert.equal(stats.lastFetchAt, clock());
  assert.equal(stats.lastError, undefined);

  const hits = stats.hits;
  for (let i = 0; i < 5; i += 1) await verifies(await signToken(A), set, `fresh ${i}`);
  stats = set.stats();
  assert.equal(stats.hits - hits, 5, 'five verifications from the cache are five hits');
  assert.equal(stats.staleServed, 0);

  s.set({ jwks: jwksOf(A, B) });
  await set.reload(); // ignores the cooldown
  assert.equal(s.count, 2, 'reload() fetches even while cooling down');
  assert.equal(set.stats().keyCount, 2);

  clock.advance(COOLDOWN + 1);
  assert.equal(set.coolingDown, false, 'past cooldownDuration');
  assert.equal(set.fresh, true);
  clock.advance(120_000);
  assert.equal(set.fresh, false, 'past cacheMaxAge');

  s.set({ status: 503, body: 'maintenance' });
  const failedAt = clock();
  await rejectsWith(set.reload(), 'ERR_JWKS_FETCH_FAILED', 'reload() against a 503');
  stats = set.stats();
  assert.equal(stats.fetches, 3);
  assert.equal(stats.failures, 1);
  assert.equal(stats.lastError?.code, 'ERR_JWKS_FETCH_FAILED');
  assert.equal(stats.lastError?.at, failedAt);
  assert.match(stats.lastError?.message ?? '', /503/, 'the message says what the server answered');
  assert.equal(set.coolingDown, true, 'a failed attempt counts for the cooldown');
  assert.equal(stats.keyCount, 2, 'keys kept');
  const stale = stats.staleServed;
  await verifies(await signToken(B), set, 'stale B');
  assert.equal(set.stats().staleServed - stale, 1, 'a stale verification counts in staleServed');

  s.set({ jwks: jwksOf(A), delayMs: 2000 });
  const slow = createRemoteJWKSet(s.url, { timeoutDuration: 300 });
  const { ms } = await timed(() => rejectsWith(slow.reload(), 'ERR_JWKS_TIMEOUT', 'reload() past the timeout'));
  assert.ok(ms < 300 + MARGIN, `reload() rejected after ${ms.toFixed(0)} ms`);
});

test('an injected fetch is used for every request', async (t) => {
  const s = await server(t, { jwks: jwksOf(A) });
  const seen = [];
  const counting = (input, init) => { seen.push(String(input instanceof Request ? input.url : input)); return globalThis.fetch(input, init); };
  const set = createRemoteJWKSet(new URL(s.url), { fetch: counting });
  await verifies(await signToken(A), set);
  await set.reload();
  assert.deepEqual(seen, [s.url, s.url]);
  assert.equal(s.count, 2);
});

// ---------------------------------------------------------------------------------------------
// Validation

test('options are validated: a non-URL or a negative duration is a TypeError', async () => {
  for (const url of ['not a url', '/api/auth/jwks', '', 'app.example.com/jwks']) {
    assert.throws(() => createRemoteJWKSet(url), TypeError, `url ${JSON.stringify(url)}`);
  }
  for (const name of ['timeoutDuration', 'cooldownDuration', 'cacheMaxAge', 'staleIfErrorDuration']) {
    assert.throws(() => createRemoteJWKSet('https://example.test/jwks', { [name]: -1 }), TypeError, `${name}: -1`);
    assert.throws(() => createRemoteJWKSet('https://example.test/jwks', { [name]: NaN }), TypeError, `${name}: NaN`);
    assert.throws(() => createRemoteJWKSet('https://example.test/jwks', { [name]: '5000' }), TypeError, `${name}: '5000'`);
  }
  // Valid ones do not throw.
  createRemoteJWKSet(new URL('https://example.test/jwks'), { timeoutDuration: 1, cooldownDuration: 0, cacheMaxAge: Infinity, staleIfErrorDuration: 0 });
});

test('verifyTokenSync with a remote key set throws TypeError', async () => {
  const set = createRemoteJWKSet('https://example.test/jwks', { initial: jwksOf(A) });
  const token = await signToken(A);
  assert.throws(() => verifyTokenSync(token, set), TypeError);
});
