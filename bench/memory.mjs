// Memory over 1,000,000 verifications (run as its own process with --expose-gc): verifyToken on
// 1,000 distinct HS256 tokens in turn, token cache on (so the cache fills, evicts and stays within
// its bounds) and then off. Reports rss, heap and external memory before and after, and rss at
// each quarter, each after a full GC.
import * as jose from 'jose';

const [specifier, count] = [process.argv[2], Number(process.argv[3] ?? 1_000_000)];
const edge = await import(specifier);
const secret = 'a-shared-secret-of-sufficient-length-0123456789';
const now = Math.floor(Date.now() / 1000);
const tokens = [];
for (let i = 0; i < 1000; i += 1) {
  tokens.push(await new jose.SignJWT({ sub: `user-${i}`, n: i }).setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now).setExpirationTime(now + 3600).sign(new TextEncoder().encode(secret)));
}
const snapshot = () => {
  globalThis.gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
};
const out = {};
for (const tokenCache of [true, false]) {
  for (let i = 0; i < 10_000; i += 1) await edge.verifyToken(tokens[i % 1000], null, { secret, tokenCache });
  const before = snapshot();
  const start = performance.now();
  const rssMiB = []; // after a GC at every quarter: a leak shows as steady growth
  for (let i = 0; i < count; i += 1) {
    await edge.verifyToken(tokens[i % 1000], null, { secret, tokenCache });
    if ((i + 1) % (count / 4) === 0) rssMiB.push(Number((snapshot().rss / 2 ** 20).toFixed(1)));
  }
  const seconds = (performance.now() - start - 0) / 1000;
  out[tokenCache ? 'cacheOn' : 'cacheOff'] = { count, seconds, before, after: snapshot(), rssMiB };
}
process.stdout.write(JSON.stringify(out));
