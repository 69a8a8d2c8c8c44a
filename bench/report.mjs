// Turns bench/results.json into the benchmark figures of docs/benchmarks.md (between its
// bench:start/bench:end markers) and docs/benchmarks.svg (µs per verification per algorithm, log scale).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gateLoadTable } from './gate-load.mjs';

/** Where the figures go, relative to the repository root. */
export const REPORT_FILE = join('docs', 'benchmarks.md');
export const CHART_FILE = join('docs', 'benchmarks.svg');

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (a, b) => (a / b).toFixed(2);
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The Markdown block of figures for docs/benchmarks.md. */
export function markdown(results) {
  const { node, date, loop, workerd, cold, size, memory } = results;
  const lines = [
    `Node ${node}, ${date.slice(0, 10)}, a shared 2-core VM (µs per verification, median of`,
    'rounds after warm-up, lower is better; token cache off unless said; local JWKS; HS* with a secret).',
    '',
    '| alg | `verifyToken` | jose `jwtVerify` | `node:crypto` primitive | `verifyToken` / jose | `verifyToken` / primitive | `verifyTokenSync` (pure wasm) | cache hit | workerd: `verifyToken` | workerd: jose | workerd ratio |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of loop) {
    const w = workerd?.[r.alg];
    lines.push(`| ${r.alg} | ${fmt(r.verifyToken)} | ${fmt(r.jose)} | ${fmt(r.native)} | ${ratio(r.verifyToken, r.jose)} | ${ratio(r.verifyToken, r.native)} | ${fmt(r.verifyTokenSync)} | ${fmt(r.verifyTokenCached)} | ${w ? fmt(w.edge) : '–'} | ${w ? fmt(w.jose) : '–'} | ${w ? ratio(w.edge, w.jose) : '–'} |`);
  }
  lines.push('');
  lines.push(...peers(results), '');
  if (results.gateLoad) {
    lines.push('The gate under HTTP load (see `bench/gate-load.mjs` for the method):', '', gateLoadTable(results.gateLoad), '');
  }
  if (cold) {
    lines.push('Cold start (fresh Node process: import, local key set, first verification; ms, median of 9):', '');
    lines.push('| alg | edge-jwt | jose | ratio |', '|---|---:|---:|---:|');
    for (const [alg, c] of Object.entries(cold)) lines.push(`| ${alg} | ${c.edge.toFixed(1)} | ${c.jose.toFixed(1)} | ${ratio(c.edge, c.jose)} |`);
    lines.push('');
  }
  if (size) {
    lines.push(`Sizes: the WebAssembly module ${kib(size.wasmRaw)} raw, ${kib(size.wasmGzip)} gzip (every algorithm); `
      + `edge-jwt's JS for Workers (minified) ${kib(size.edgeJsRaw)} raw, ${kib(size.edgeJsGzip)} gzip; `
      + `jose's verify path (jwtVerify, createLocalJWKSet, createRemoteJWKSet, minified) ${kib(size.joseJsRaw)} raw, ${kib(size.joseJsGzip)} gzip.`, '');
  }
  if (memory) {
    for (const [name, m] of Object.entries(memory)) {
      lines.push(`Memory, ${m.count.toLocaleString('en')} \`verifyToken\` calls (HS256, 1,000 distinct tokens, token cache ${name === 'cacheOn' ? 'on' : 'off'}, ${m.seconds.toFixed(1)} s): `
        + `rss ${(m.before.rss / 2 ** 20).toFixed(1)} → ${(m.after.rss / 2 ** 20).toFixed(1)} MiB, heap ${(m.before.heapUsed / 2 ** 20).toFixed(1)} → ${(m.after.heapUsed / 2 ** 20).toFixed(1)} MiB, `
        + `external ${(m.before.external / 2 ** 20).toFixed(1)} → ${(m.after.external / 2 ** 20).toFixed(1)} MiB; rss after each quarter ${m.rssMiB.join(', ')} MiB.`);
    }
    lines.push('');
  }
  lines.push('![µs per verification, log scale](benchmarks.svg)');
  return lines.join('\n');
}

/**
 * The fastest Node peer (fast-jwt, `node:crypto` only) and the fixed cost around the signature:
 * µs per verification, token caches off and on; `verifyToken` minus the bare primitive in Node and
 * minus a bare `crypto.subtle.verify` (key imported beforehand) in workerd.
 */
function peers({ loop, workerd }) {
  const f = (x) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(1));
  const lines = [
    'Next to fast-jwt (µs; "− primitive": what `verifyToken` costs beyond the bare signature check):',
    '',
    '| alg | `verifyToken` | fast-jwt | `verifyToken` / fast-jwt | cache hit | fast-jwt cache hit | `verifyToken` − primitive | workerd: `crypto.subtle.verify` | workerd: `verifyToken` − subtle |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of loop) {
    const w = workerd?.[r.alg];
    lines.push(`| ${r.alg} | ${f(r.verifyToken)} | ${f(r.fastJwt)} | ${r.fastJwt ? ratio(r.verifyToken, r.fastJwt) : '–'} | ${f(r.verifyTokenCached)} | ${f(r.fastJwtCached)} | ${f(r.verifyToken - r.native)} | ${f(w?.subtle)} | ${w ? f(w.edge - w.subtle) : '–'} |`);
  }
  return lines;
}

/** A grouped bar chart, log scale, one group per algorithm. */
export function svg(results) {
  const series = [
    ['verifyToken', '#2563eb'],
    ['jose', '#f59e0b'],
    ['native', '#10b981'],
    ['verifyTokenSync', '#9ca3af'],
  ];
  const labels = { verifyToken: 'edge-jwt verifyToken', jose: 'jose jwtVerify', native: 'node:crypto primitive', verifyTokenSync: 'edge-jwt verifyTokenSync' };
  const rows = results.loop;
  const [left, top, rowH, barH, width] = [70, 40, 64, 14, 760];
  const height = top + rows.length * rowH + 40;
  const max = Math.max(...rows.flatMap((r) => series.map(([k]) => r[k])));
  const lo = 1;
  const x = (v) => left + ((width - left - 90) * Math.log10(Math.max(v, lo) / lo)) / Math.log10(max / lo);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="16" font-size="13">µs per verification (log scale), Node ${results.node}, ${results.date.slice(0, 10)}</text>`];
  series.forEach(([k, color], i) => {
    out.push(`<rect x="${left + i * 170}" y="24" width="10" height="10" fill="${color}"/><text x="${left + i * 170 + 14}" y="33">${labels[k]}</text>`);
  });
  for (const decade of [1, 10, 100, 1000, 10000]) {
    if (decade > max * 1.5) break;
    out.push(`<line x1="${x(decade)}" y1="${top}" x2="${x(decade)}" y2="${height - 30}" stroke="#e5e7eb"/><text x="${x(decade)}" y="${height - 16}" text-anchor="middle">${decade}</text>`);
  }
  rows.forEach((r, i) => {
    const y0 = top + i * rowH + 4;
    out.push(`<text x="${left - 8}" y="${y0 + 2 * barH / 2 + 18}" text-anchor="end" font-weight="bold">${r.alg}</text>`);
    series.forEach(([k, color], j) => {
      const y = y0 + j * barH;
      out.push(`<rect x="${left}" y="${y}" width="${(x(r[k]) - left).toFixed(1)}" height="${barH - 2}" fill="${color}"/><text x="${(x(r[k]) + 4).toFixed(1)}" y="${y + barH - 4}">${fmt(r[k])}</text>`);
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * Writes the chart and replaces the figures between the markers of docs/benchmarks.md; returns the
 * Markdown block. Nothing is written when the run measured no algorithm.
 */
export function writeReport(root, results) {
  const table = markdown(results);
  if (results.loop.length === 0) return table;
  writeFileSync(join(root, CHART_FILE), svg(results));
  const path = join(root, REPORT_FILE);
  const text = readFileSync(path, 'utf8');
  const marked = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/;
  if (!marked.test(text)) throw new Error(`${REPORT_FILE} has no bench:start/bench:end markers`);
  writeFileSync(path, text.replace(marked, () => `<!-- bench:start -->\n${table}\n<!-- bench:end -->`));
  return table;
}
