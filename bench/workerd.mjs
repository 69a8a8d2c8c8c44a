// The verification loop inside workerd (the runtime of Cloudflare Workers), bundled the way
// wrangler bundles (tests/workerd/harness.mjs). Each request runs n verifications; its time from
// the outside, minus an empty request's, over n is the time per verification. Median of rounds.
// Next to edge-jwt and jose: the bare crypto.subtle.verify on the same bytes (key imported before).
import { join } from 'node:path';
import { startWorkerd } from '../tests/workerd/harness.mjs';
import { OPTIONS } from './tokens.mjs';

async function timed(url) {
  const start = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  await response.text();
  return performance.now() - start;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `{ [alg]: { edge, jose, subtle } }` in µs per verification inside workerd. */
export async function workerdLoop({ scratch, inputs, rounds = 9 }) {
  const worker = await startWorkerd({ entry: join(import.meta.dirname, 'workerd-worker.mjs'), scratch, compatibilityDate: '2026-11-01' });
  try {
    const body = JSON.stringify(inputs.map(({ alg, token, jwks, secret }) => ({ alg, token, jwks, secret, options: OPTIONS })));
    const setup = await fetch(`${worker.url}/setup`, { method: 'POST', body, signal: AbortSignal.timeout(30_000) });
    if (!setup.ok) throw new Error(`setup: ${setup.status}`);
    const out = {};
    for (const { alg } of inputs) {
      const slow = /^(ES384|ES512)$/.test(alg);
      const n = slow ? 100 : 400;
      const libs = ['edge-jwt', 'jose', 'subtle'];
      for (const lib of libs) await timed(`${worker.url}/run?lib=${lib}&alg=${alg}&n=${Math.ceil(n / 4)}`); // warm-up
      // Rounds interleaved (edge-jwt, jose, subtle, edge-jwt, ...), each against its own empty
      // request, so a load spike on the shared machine falls on every column alike.
      const samples = { 'edge-jwt': [], jose: [], subtle: [] };
      for (let r = 0; r < rounds; r += 1) {
        for (const lib of libs) {
          const empty = await timed(`${worker.url}/run?lib=none&alg=${alg}&n=0`);
          const full = await timed(`${worker.url}/run?lib=${lib}&alg=${alg}&n=${n}`);
          samples[lib].push(((full - empty) * 1000) / n);
        }
      }
      const row = { edge: median(samples['edge-jwt']), jose: median(samples.jose), subtle: median(samples.subtle) };
      out[alg] = row;
    }
    return out;
  } finally {
    await worker.stop();
  }
}
