// Differential test: the packed edge-jwt against jose 6.2.17 (the reference) on ~32,000 tokens from
// tests/differential/generate.mjs: valid tokens of every algorithm under many claim and option
// combinations, then bit flips, segment shuffles, edited claims, re-signed tokens, alg confusion,
// odd JSON and odd base64url.
//
// Every case runs through edge-jwt's verifyToken (host crypto, node:crypto) and verifyTokenSync
// (pure WebAssembly), each with its own LocalKeySet from createLocalJWKSet (so each keeps its own
// verified-token cache) or, for HS*, options.secret; and through jose.jwtVerify with
// jose.createLocalJWKSet of the same JWKS or the secret's bytes (with both, a resolver that returns
// the secret for HS256/384/512 and the key set otherwise, as edge-jwt does), with the same options
// and the same fixed currentDate. The answers must agree:
//   - accepted by both: the same payload and protected header (deep, strict: -0, Infinity, lone
//     surrogates, __proto__ members);
//   - refused by both: the same error code, and for claim errors the same claim, reason and payload;
//   - verifyToken and verifyTokenSync: the same answer, always.
// Inputs where edge-jwt differs from jose on purpose are built as such by the generator (a `diff`
// id) and listed in DIFFERENCES below, with both outcomes asserted exactly: if either library
// changes, this test fails. Any other disagreement fails the test.
//
// EDGE_JWT_DIFF_SEED (integer) and EDGE_JWT_DIFF_SCALE (default 1) replay or resize the run;
// EDGE_JWT_DIFF_REPORT=<file> writes the summary and every problem to a file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import * as jose from 'jose';
import { tryLoad } from './load.mjs';
import { generate, DEFAULT_SEED, secretBytes } from '../differential/generate.mjs';

const JOSE_VERSION = createRequire(import.meta.url)('jose/package.json').version;

const SEED = (() => {
  const v = process.env.EDGE_JWT_DIFF_SEED;
  if (v === undefined || v === '') return DEFAULT_SEED;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`EDGE_JWT_DIFF_SEED must be an integer, got ${JSON.stringify(v)}`);
  return n;
})();
const SCALE = (() => {
  const v = process.env.EDGE_JWT_DIFF_SCALE;
  if (v === undefined || v === '') return 1;
  const n = Number(v);
  if (!(n > 0 && n <= 10)) throw new Error(`EDGE_JWT_DIFF_SCALE must be in (0, 10], got ${JSON.stringify(v)}`);
  return n;
})();
const REPLAY = `(seed ${SEED}, scale ${SCALE}; replay with EDGE_JWT_DIFF_SEED=${SEED} EDGE_JWT_DIFF_SCALE=${SCALE})`;

const OK = { ok: true };
const code = (c) => ({ code: c });
const typeError = { name: 'TypeError' };

/**
 * Where edge-jwt differs from jose on purpose. One row per input class; `jose` and `edge` are the
 * exact outcomes (accepted, a coded error, or a plain TypeError), asserted for every case the
 * generator tags with the row's id.
 */
export const DIFFERENCES = [
  {
    id: 'token-size',
    input: 'a token longer than 256 KiB (262,144 bytes)',
    jose: OK,
    edge: code('ERR_JWS_INVALID'),
    why: 'bounded work: refused before any decoding; jose has no size limit',
  },
  {
    id: 'b64-lenient',
    input: 'a segment with "=" padding, ASCII whitespace (space, tab, CR, LF, FF) or non-zero unused trailing bits, the signature made over the segment as written',
    jose: OK,
    edge: code('ERR_JWS_INVALID'),
    why: 'jose (on Node 20, atob) decodes base64url forgivingly; edge-jwt accepts one encoding per byte string (RFC 7515 §2, no padding, no whitespace), so a token cannot be re-encoded into another string that still verifies',
  },
  {
    id: 'b64-lenient-header-unsigned',
    input: 'the same in the header segment, with the signature still over the original header',
    jose: code('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'),
    edge: code('ERR_JWS_INVALID'),
    why: 'jose reads the header anyway and fails on the signature; edge-jwt stops at the encoding',
  },
  {
    id: 'jwks-too-many-keys',
    input: 'a key set of more than 256 keys (257)',
    jose: OK,
    edge: code('ERR_JWKS_INVALID'),
    why: 'bounded work per set: createLocalJWKSet (or verifyToken with the set) refuses it',
  },
  {
    id: 'jwks-too-large',
    input: 'a key set whose JSON is over 256 KiB',
    jose: OK,
    edge: code('ERR_JWKS_INVALID'),
    why: 'as above',
  },
  {
    id: 'json-depth-payload',
    input: 'a payload nested deeper than 128 levels (the top-level object is level 1)',
    jose: OK,
    edge: code('ERR_JWT_INVALID'),
    why: 'bounded parser stack in WebAssembly; jose uses JSON.parse',
  },
  {
    id: 'json-depth-header',
    input: 'a protected header nested deeper than 128 levels',
    jose: OK,
    edge: code('ERR_JWS_INVALID'),
    why: 'as above',
  },
  {
    id: 'multiple-keys-one-verifies',
    input: 'several keys of the set fit the token (no kid, two P-256 keys) and one of them verifies it',
    jose: code('ERR_JWKS_MULTIPLE_MATCHING_KEYS'),
    edge: OK,
    why: 'edge-jwt tries each fitting key, at most 8 (key rotation without kids); the code means "several fit and none verified" (docs/api.md, "Errors")',
  },
  {
    id: 'rsa-under-2048',
    input: 'an RS*/PS* token whose chosen key is under 2048 bits (2047, 1024)',
    jose: typeError,
    edge: code('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'),
    why: 'every failure is a coded error; the message gives the key size',
  },
  {
    id: 'rsa-over-16384',
    input: 'an RS*/PS* token whose chosen key has a modulus over 16384 bits (16392)',
    jose: code('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'),
    edge: code('ERR_JWKS_INVALID'),
    why: 'bounds the cost of one verification: such a key is malformed for edge-jwt (the message says why); for jose, OpenSSL refuses the key size inside the verification, which jose reports as a bad signature',
  },
  {
    id: 'ed25519-small-order',
    input: 'EdDSA/Ed25519 token, small-order public key (the identity point), identity signature',
    jose: OK,
    edge: code('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'),
    why: 'OpenSSL accepts this forgery for any message; edge-jwt refuses small-order keys and R on every runtime',
  },
  {
    id: 'key-ops-sign-verify',
    input: 'the chosen key is a public key whose key_ops are ["sign", "verify"]',
    jose: { name: 'DOMException' },
    edge: OK,
    why: 'the key fits jose\'s own selection rule (key_ops include "verify"), but WebCrypto refuses to import a public key for "sign" and jose lets that DOMException out; edge-jwt uses the key (docs/api.md, "Key selection": key_ops, if any, include verify)',
  },
  {
    id: 'public-key-token-secret-only',
    input: 'an EdDSA/ES*/RS*/PS* token verified with only a secret (no key set)',
    jose: typeError,
    edge: code('ERR_JWKS_NO_MATCHING_KEY'),
    why: 'jose throws a TypeError for a Uint8Array key with a public-key alg; edge-jwt codes every failure (no key set, so no key)',
  },
  {
    id: 'ml-dsa-jwks',
    input: 'alg ML-DSA-44 with a key set (no AKP keys in it)',
    jose: code('ERR_JWKS_NO_MATCHING_KEY'),
    edge: code('ERR_JOSE_NOT_SUPPORTED'),
    why: 'jose 6 knows the ML-DSA algorithms (where the runtime has them); edge-jwt does not implement them',
  },
  {
    id: 'ml-dsa-secret',
    input: 'alg ML-DSA-44 with only a secret',
    jose: typeError,
    edge: code('ERR_JOSE_NOT_SUPPORTED'),
    why: 'as above',
  },
];
const DIFFERENCE_BY_ID = new Map(DIFFERENCES.map((d) => [d.id, d]));

const CLAIM_CODES = new Set(['ERR_JWT_EXPIRED', 'ERR_JWT_CLAIM_VALIDATION_FAILED']);

/** An outcome: { ok: true, payload, header } or { ok: false, code?, name, claim?, reason?, payload? }. */
function failure(error, JOSEError) {
  const coded = error instanceof JOSEError;
  return {
    ok: false,
    code: coded ? error.code : undefined,
    name: error?.constructor?.name ?? typeof error,
    claim: error?.claim,
    reason: error?.reason,
    payload: error?.payload,
    message: String(error?.message ?? error).slice(0, 300),
  };
}

function describe(outcome) {
  if (outcome.ok) return 'accepted';
  const parts = [outcome.code ?? `uncoded ${outcome.name}`];
  if (outcome.claim !== undefined) parts.push(`claim=${outcome.claim}`);
  if (outcome.reason !== undefined) parts.push(`reason=${outcome.reason}`);
  return `${parts.join(' ')} (${outcome.message})`;
}

/** Whether two outcomes agree; returns null or what differs. */
function disagreement(a, b) {
  if (a.ok !== b.ok) return 'one accepts, the other refuses';
  if (a.ok) {
    if (!isDeepStrictEqual(a.payload, b.payload)) return 'payloads differ';
    if (!isDeepStrictEqual(a.header, b.header)) return 'protected headers differ';
    return null;
  }
  if (a.code !== b.code) return 'error codes differ';
  if (a.code === undefined && a.name !== b.name) return 'error classes differ';
  if (CLAIM_CODES.has(a.code)) {
    if (a.claim !== b.claim) return 'error claims differ';
    if (a.reason !== b.reason) return 'error reasons differ';
    if (!isDeepStrictEqual(a.payload, b.payload)) return 'error payloads differ';
  }
  return null;
}

/** Whether `outcome` is exactly the table's `expected` ({ok:true}, {code}, or {name}). */
function matchesRow(outcome, expected) {
  if (expected.ok) return outcome.ok;
  if (outcome.ok) return false;
  if (expected.code) return outcome.code === expected.code;
  return outcome.code === undefined && outcome.name === expected.name;
}

const rowText = (expected) => (expected.ok ? 'accepted' : expected.code ?? `a plain ${expected.name}`);

const preview = (token) => (token.length > 160 ? `${JSON.stringify(token.slice(0, 160))}... (${token.length} chars)` : JSON.stringify(token));

const { lib, loadError } = await tryLoad();

if (loadError) {
  test('edge-jwt loads through the ESM entry point', () => {
    throw loadError;
  });
} else {
  test(`differential: edge-jwt vs jose ${JOSE_VERSION} ${REPLAY}`, { timeout: 600_000 }, async (t) => {
    assert.equal(JOSE_VERSION, '6.2.17', 'the reference is pinned to jose 6.2.17 (behaviour drifts within 6.x)');
    const started = performance.now();
    const { material, cases, counts, digest } = await generate({ seed: SEED, scale: SCALE });
    const generatedMs = performance.now() - started;
    t.diagnostic(`generated ${cases.length} cases in ${(generatedMs / 1000).toFixed(1)} s, digest ${digest.slice(0, 16)}`);
    if (SCALE === 1) assert.ok(cases.length >= 30_000, `only ${cases.length} cases`);

    // Key sets: one per JWKS for each side; edge-jwt gets two, so verifyToken and verifyTokenSync
    // each fill their own verified-token cache.
    const edgeAsync = {};
    const edgeSync = {};
    const joseSets = {};
    // A set edge-jwt refuses (over its bounds) is kept as the error, the outcome of every case
    // that uses it.
    const makeSet = (input) => {
      try {
        return lib.createLocalJWKSet(input);
      } catch (error) {
        return { refused: error };
      }
    };
    for (const [name, jwks] of Object.entries(material.jwks)) {
      edgeAsync[name] = makeSet(jwks);
      edgeSync[name] = makeSet(JSON.stringify(jwks));
      joseSets[name] = jose.createLocalJWKSet(jwks);
    }
    const HMAC = new Set(['HS256', 'HS384', 'HS512']);

    const stats = {};
    const problems = [];
    const documented = new Map(DIFFERENCES.map((d) => [d.id, 0]));
    let agreements = 0;
    let index = 0;
    const runStarted = performance.now();
    for (const c of cases) {
      index++;
      const s = (stats[c.category] ??= { cases: 0, agree: 0, accepted: 0, documented: 0, ms: 0 });
      const caseStarted = performance.now();
      s.cases++;
      const currentDate = new Date(c.options.currentDateMs);
      const options = { ...c.options, currentDate };
      delete options.currentDateMs;
      const joseOptions = { ...options };
      const edgeOptions = { ...options };
      let secret;
      if (c.secret !== undefined) {
        const bytes = secretBytes(material, c.secret);
        const raw = material.secrets[c.secret];
        edgeOptions.secret = c.secretForm === 'string' && typeof raw === 'string' ? raw : new Uint8Array(bytes);
        secret = new Uint8Array(bytes);
      }
      let joseKey;
      if (c.keys && secret) {
        const set = joseSets[c.keys];
        joseKey = (header, token) => (HMAC.has(header.alg) ? secret : set(header, token));
      } else if (c.keys) joseKey = joseSets[c.keys];
      else joseKey = secret;

      let joseOut;
      try {
        const r = await jose.jwtVerify(c.token, joseKey, joseOptions);
        joseOut = { ok: true, payload: r.payload, header: r.protectedHeader };
      } catch (error) {
        joseOut = failure(error, jose.errors.JOSEError);
      }
      let asyncOut;
      try {
        if (c.keys && edgeAsync[c.keys].refused) throw edgeAsync[c.keys].refused;
        const r = await lib.verifyToken(c.token, c.keys ? edgeAsync[c.keys] : null, edgeOptions);
        asyncOut = { ok: true, payload: r.payload, header: r.protectedHeader };
      } catch (error) {
        asyncOut = failure(error, lib.errors.JOSEError);
      }
      let syncOut;
      try {
        if (c.keys && edgeSync[c.keys].refused) throw edgeSync[c.keys].refused;
        const r = lib.verifyTokenSync(c.token, c.keys ? edgeSync[c.keys] : null, edgeOptions);
        syncOut = { ok: true, payload: r.payload, header: r.protectedHeader };
      } catch (error) {
        syncOut = failure(error, lib.errors.JOSEError);
      }

      const where = () => `#${index} [${c.category}] ${c.label}\n    token ${preview(c.token)}\n    keys ${c.keys}, secret ${c.secret ?? 'none'} (${c.secretForm ?? '-'}), options ${JSON.stringify(c.options)}`;
      const modes = disagreement(asyncOut, syncOut);
      if (modes) problems.push(`${where()}\n    verifyToken and verifyTokenSync disagree (${modes}): async ${describe(asyncOut)}; sync ${describe(syncOut)}`);
      if (c.diff) {
        const row = DIFFERENCE_BY_ID.get(c.diff);
        if (!row) problems.push(`${where()}\n    tagged with unknown difference ${c.diff}`);
        else if (!matchesRow(joseOut, row.jose) || !matchesRow(asyncOut, row.edge)) {
          problems.push(`${where()}\n    documented difference "${c.diff}" expects jose ${rowText(row.jose)} and edge-jwt ${rowText(row.edge)}; got jose ${describe(joseOut)}, edge-jwt ${describe(asyncOut)}`);
        } else {
          s.documented++;
          documented.set(c.diff, documented.get(c.diff) + 1);
        }
      } else {
        const why = disagreement(joseOut, asyncOut);
        if (why) {
          let detail = '';
          if (why.includes('payload') || why.includes('header')) {
            detail = `\n    jose ${JSON.stringify(joseOut.ok ? [joseOut.header, joseOut.payload] : joseOut.payload)?.slice(0, 300)}\n    edge ${JSON.stringify(asyncOut.ok ? [asyncOut.header, asyncOut.payload] : asyncOut.payload)?.slice(0, 300)}`;
          }
          problems.push(`${where()}\n    undocumented disagreement (${why}): jose ${describe(joseOut)}; edge-jwt ${describe(asyncOut)}${detail}`);
        } else {
          s.agree++;
          agreements++;
          if (joseOut.ok) s.accepted++;
        }
      }
      s.ms += performance.now() - caseStarted;
    }
    const runMs = performance.now() - runStarted;

    for (const [category, s] of Object.entries(stats)) {
      t.diagnostic(`${category}: ${s.cases} cases, ${s.agree} agree (${s.accepted} accepted by both), ${s.documented} documented differences, ${(s.ms / 1000).toFixed(1)} s`);
    }
    for (const d of DIFFERENCES) t.diagnostic(`documented difference ${d.id}: ${documented.get(d.id)} cases`);
    const summary = `differential summary: ${cases.length} cases (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}); `
      + `${agreements} agreements, ${[...documented.values()].reduce((a, b) => a + b, 0)} documented differences, ${problems.length} problems; `
      + `generation ${(generatedMs / 1000).toFixed(1)} s, verification ${(runMs / 1000).toFixed(1)} s ${REPLAY}`;
    t.diagnostic(summary);

    if (process.env.EDGE_JWT_DIFF_REPORT) writeFileSync(process.env.EDGE_JWT_DIFF_REPORT, `${summary}\n\n${problems.join('\n')}\n`);
    assert.equal(problems.length, 0, `${problems.length} problems ${REPLAY}; the first ones:\n${problems.slice(0, 30).join('\n')}`);
    // Every row of the table is exercised, so a row cannot outlive its difference unnoticed.
    for (const d of DIFFERENCES) assert.ok(documented.get(d.id) > 0, `documented difference ${d.id} had no case`);
    // Every category reaches agreement on most of its cases (a generator that only makes documented
    // differences would test nothing).
    for (const [category, s] of Object.entries(stats)) {
      if (category !== 'documented') assert.ok(s.agree > s.cases / 2, `${category}: only ${s.agree} of ${s.cases} cases compared`);
    }
    // The valid-token category must exercise both answers, not only refusals.
    assert.ok(stats.valid.accepted > stats.valid.cases / 5 && stats.valid.accepted < stats.valid.cases * 0.9, `valid: ${stats.valid.accepted} of ${stats.valid.cases} accepted`);
  });

  test('the generator is deterministic: the same seed gives byte-identical cases', { timeout: 120_000 }, async () => {
    const a = await generate({ seed: SEED, scale: 0.005 });
    const b = await generate({ seed: SEED, scale: 0.005 });
    assert.equal(a.digest, b.digest);
    assert.deepEqual(a.cases.slice(0, 50), b.cases.slice(0, 50));
    assert.deepEqual(a.material, b.material);
  });
}
