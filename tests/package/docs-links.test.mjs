// Every relative link in the Markdown files of the installed package (the README npm shows, and the
// docs/ it links to) names a file the package ships, and every #fragment names a heading of that
// file. Links are read from the Markdown outside code: [text](target), ![alt](target),
// [label]: target, and href/src attributes of inline HTML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { scratchDir } from './load.mjs';

const pkg = join(scratchDir(), 'node_modules', 'edge-jwt');

function markdownFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(path));
    else if (entry.name.endsWith('.md')) out.push(path);
  }
  return out;
}

/** The Markdown with fenced code blocks, inline code and HTML comments blanked out. */
function prose(text) {
  return text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/(`+)[\s\S]*?\1/g, '');
}

/** Every link target of a Markdown text. */
export function linkTargets(text) {
  const body = prose(text);
  const targets = [];
  for (const [, target] of body.matchAll(/!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(target);
  for (const [, target] of body.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(target);
  for (const [, target] of body.matchAll(/\b(?:href|src)\s*=\s*"([^"]+)"/g)) targets.push(target);
  return targets;
}

/** GitHub's heading anchors of a Markdown text (lower case, punctuation dropped, spaces as '-', repeats numbered). */
export function anchors(text) {
  const seen = new Map();
  const out = new Set();
  const body = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading] of body.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

test('the anchors are GitHub\'s', () => {
  assert.deepEqual([...anchors("# A b\n## Remote key sets (Better Auth's `/api/auth/jwks`)\n## A b\n```\n# not a heading\n```\n")], [
    'a-b',
    'remote-key-sets-better-auths-apiauthjwks',
    'a-b-1',
  ]);
  assert.deepEqual(linkTargets('[a](x.md) `[b](code.md)` ![c](d.svg "t") <!-- [e](f.md) -->\n```\n[g](h.md)\n```\n[i]: j.md\n<img src="k.svg">'), ['x.md', 'd.svg', 'j.md', 'k.svg']);
});

test('every relative link of the packed package\'s Markdown resolves to a shipped file and heading', () => {
  const files = markdownFiles(pkg).filter((file) => !relative(pkg, file).split(sep).includes('node_modules'));
  const names = files.map((file) => relative(pkg, file));
  assert.ok(names.includes('README.md'), `the package ships no README.md (it has ${names.join(', ')})`);
  assert.ok(names.some((name) => name.startsWith(`docs${sep}`)), `the package ships no docs/ (it has ${names.join(', ')})`);
  const broken = [];
  let checked = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const target of linkTargets(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // absolute URL
      checked += 1;
      const [pathPart, fragment] = target.split('#', 2);
      const path = decodeURIComponent(pathPart.split('?')[0]);
      const linked = path === '' ? file : resolve(dirname(file), path);
      const where = `${relative(pkg, file)}: ${target}`;
      if (linked !== pkg && !linked.startsWith(pkg + sep)) {
        broken.push(`${where} (outside the package)`);
      } else if (!existsSync(linked) || !statSync(linked).isFile()) {
        broken.push(`${where} (${relative(pkg, linked)} is not a file the package ships)`);
      } else if (fragment !== undefined && linked.endsWith('.md') && !anchors(readFileSync(linked, 'utf8')).has(fragment)) {
        broken.push(`${where} (${relative(pkg, linked)} has no heading #${fragment})`);
      }
    }
  }
  assert.deepEqual(broken, [], `dead links in the package:\n${broken.join('\n')}`);
  assert.ok(checked >= 10, `only ${checked} relative links were found: is the link reader broken?`);
});

test('the package manifest ships docs/, and names no placeholder repository, homepage or bugs URL', () => {
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  assert.ok(manifest.files.includes('docs'), `files: ${JSON.stringify(manifest.files)}`);
  assert.equal(manifest.license, 'MIT');
  for (const field of ['repository', 'homepage', 'bugs']) {
    if (manifest[field] === undefined) continue;
    const url = typeof manifest[field] === 'string' ? manifest[field] : manifest[field].url;
    assert.doesNotMatch(String(url), /example\.(com|org)|TODO|<|>/, `${field} is a placeholder: ${url}`);
  }
});
