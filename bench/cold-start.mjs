// Cold start: a fresh Node process imports the library, builds a local key set and verifies one
// token. Timed inside the child from the start of its first module (so Node's own start-up, the
// same for both, is left out) to the verified result; median of several fresh processes, edge-jwt
// and jose alternating. The child lives in the scratch project, so `import('edge-jwt')` resolves
// the installed package exactly as a user's project does.
import { spawnSync } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../scripts/bootstrap.mjs';
import { OPTIONS } from './tokens.mjs';

const CHILD = `
const t0 = performance.now();
const [lib, input] = [process.argv[2], JSON.parse(process.argv[3])];
const options = ${JSON.stringify(OPTIONS)};
if (lib === 'edge-jwt') {
  const { createLocalJWKSet, verifyToken } = await import('edge-jwt');
  const keys = input.jwks ? createLocalJWKSet(input.jwks) : null;
  await verifyToken(input.token, keys, input.secret ? { ...options, secret: input.secret } : options);
} else {
  const { createLocalJWKSet, jwtVerify } = await import('jose');
  await jwtVerify(input.token, input.jwks ? createLocalJWKSet(input.jwks) : new TextEncoder().encode(input.secret), options);
}
process.stdout.write(String(performance.now() - t0));
`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `{ [alg]: { edge, jose } }` in ms from first module line to the first verified token. */
export function coldStart({ scratch, inputs, runs = 9 }) {
  const child = join(scratch, 'bench-cold-start.mjs');
  writeFileSync(child, CHILD);
  const joseLink = join(scratch, 'node_modules', 'jose');
  if (!existsSync(joseLink)) symlinkSync(join(root, 'node_modules', 'jose'), joseLink, 'dir');
  const out = {};
  for (const { alg, token, jwks, secret } of inputs) {
    const arg = JSON.stringify({ token, jwks, secret });
    const samples = { 'edge-jwt': [], jose: [] };
    for (let r = 0; r < runs; r += 1) {
      for (const lib of ['edge-jwt', 'jose']) {
        const result = spawnSync(process.execPath, [child, lib, arg], { cwd: scratch, encoding: 'utf8', timeout: 30_000 });
        if (result.status !== 0) throw new Error(`cold start ${lib} ${alg}: ${result.stderr || result.error?.message}`);
        samples[lib].push(Number(result.stdout));
      }
    }
    out[alg] = { edge: median(samples['edge-jwt']), jose: median(samples.jose) };
  }
  return out;
}
