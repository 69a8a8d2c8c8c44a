// `npm run demo`: builds the package, then signs real tokens with jose (the independent signer)
// for Better Auth's key types and verifies them with edge-jwt against a local JWKS: a valid token,
// a tampered one, an expired one, one for another audience, one signed by a stranger's key. Prints
// the verdict and the time of each decision next to jose's.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from './build.mjs';
import { root } from './bootstrap.mjs';

await build();
const jose = await import('jose');
const edge = await import(pathToFileURL(join(root, 'pkg', 'dist', 'inline.js')).href);

const issuer = 'http://localhost:3000';
const now = Math.floor(Date.now() / 1000);
const user = { id: 'u_8f2c', email: 'ada@example.com', name: 'Ada', emailVerified: true };

async function signer(alg, kid) {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true, ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}) });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg };
  const sign = (claims, { exp = now + 900, aud = issuer } = {}) =>
    new jose.SignJWT(claims).setProtectedHeader({ alg, kid }).setIssuedAt(now).setIssuer(issuer).setAudience(aud).setSubject(user.id).setExpirationTime(exp).sign(privateKey);
  return { jwk, sign };
}

function time(fn, rounds = 200) {
  return (async () => {
    await fn();
    const t0 = performance.now();
    for (let i = 0; i < rounds; i += 1) await fn();
    return ((performance.now() - t0) * 1000) / rounds;
  })();
}

const rows = [];
for (const alg of ['EdDSA', 'ES256', 'ES512', 'RS256', 'PS256']) {
  const mine = await signer(alg, `${alg}-key`);
  const stranger = await signer(alg, `${alg}-key`);
  const jwks = { keys: [mine.jwk] };
  const keys = edge.createLocalJWKSet(jwks);
  const options = { issuer, audience: issuer };
  const valid = await mine.sign(user);
  const [h, p, s] = valid.split('.');
  const forged = Buffer.from(JSON.stringify({ ...user, sub: 'admin', iss: issuer, aud: issuer, exp: now + 900 })).toString('base64url');
  const cases = {
    valid,
    'tampered payload': `${h}.${forged}.${s}`,
    expired: await mine.sign(user, { exp: now - 180 }),
    'other audience': await mine.sign(user, { aud: 'https://elsewhere.example' }),
    "stranger's key": await stranger.sign(user),
  };
  for (const [name, token] of Object.entries(cases)) {
    let verdict;
    try {
      const { payload } = await edge.verifyToken(token, keys, options);
      verdict = `accepted, sub=${payload.sub}`;
    } catch (error) {
      verdict = `${error.code}: ${error.message}`;
    }
    rows.push({ alg, case: name, verdict });
  }
  const joseKeys = jose.createLocalJWKSet(jwks);
  const edgeUs = await time(() => edge.verifyToken(valid, keys, options));
  const joseUs = await time(() => jose.jwtVerify(valid, joseKeys, options));
  rows.push({ alg, case: 'time per valid token', verdict: `edge-jwt ${edgeUs.toFixed(1)} µs, jose ${joseUs.toFixed(1)} µs` });
}

const width = Math.max(...rows.map((r) => r.case.length));
let last;
for (const row of rows) {
  if (row.alg !== last) process.stdout.write(`\n${row.alg}\n`);
  last = row.alg;
  process.stdout.write(`  ${row.case.padEnd(width)}  ${row.verdict}\n`);
}
