// The README's quick-start code blocks, as files. Each block that stands for a file is preceded by
// an HTML comment naming it, `<!-- file: <project>/<path> -->`, where <project> is the quick start
// (next-app, worker, node) and <path> the file's path inside that project.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const MARK = /<!-- file: ([^\s]+) -->\r?\n```[^\n]*\n([\s\S]*?)\n```/g;

/** Every marked block of `markdown`: [{ project, path, code }], in order. */
export function snippets(markdown) {
  const out = [];
  for (const [, name, code] of markdown.matchAll(MARK)) {
    const slash = name.indexOf('/');
    const path = normalize(name.slice(slash + 1));
    if (slash <= 0 || path.startsWith('..') || path.startsWith('/')) throw new Error(`a README file marker names no project and path inside it: ${name}`);
    out.push({ project: name.slice(0, slash), path, code: `${code}\n` });
  }
  return out;
}

/** The marked blocks of the README at `readmePath` for `project`; throws when it has none. */
export function projectFiles(readmePath, project) {
  const files = snippets(readFileSync(readmePath, 'utf8')).filter((s) => s.project === project);
  if (files.length === 0) throw new Error(`${readmePath} has no code block marked <!-- file: ${project}/... -->`);
  const seen = new Set();
  for (const { path } of files) {
    if (seen.has(path)) throw new Error(`${readmePath} marks two blocks as ${project}/${path}`);
    seen.add(path);
  }
  return files;
}

/** Writes `files` ([{ path, code }]) under `dir`. */
export function writeFiles(dir, files) {
  for (const { path, code } of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), code);
  }
}
