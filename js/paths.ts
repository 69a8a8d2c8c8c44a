/**
 * Path matching for the gate (`./gate.ts`): path patterns, and the readings of a request path that
 * different origins would act on.
 *
 * Pattern rules ({@link PathPattern}):
 * - a string without `*` matches that path and every path below it, at a segment boundary:
 *   `'/api'` and `'/api/'` both match `/api`, `/api/` and `/api/me`, not `/apis`. The one exception
 *   is `'/'`, which matches only the home page (use `'/**'` for everything).
 * - a string with `*` is a glob over the whole path: `*` matches within one segment (no `/`), `**`
 *   matches across segments. `'/posts/*'` matches `/posts/1`, not `/posts/1/edit` nor `/posts`.
 * - a `RegExp` is tested against the path (its `g` and `y` flags are ignored).
 * - a function receives the path and the request and returns whether it matches.
 *
 * Readings ({@link pathReadings}): the gate sees the path as the WHATWG URL parser left it, but the
 * origin behind it may decode it further. A path is read as sent, and then percent-decoded once and
 * twice, each of those also with dot segments resolved as a decoding origin does (nginx: a decoded
 * `?` or `#` is a plain character, not a query or a fragment), repeated slashes merged, `\` taken
 * as `/`, `;` path parameters dropped (Tomcat, Spring) and NFKC-normalised (full-width dots). A
 * path is public only if every reading is public and it has none of the characters no public path
 * needs (`;`, a control character, an escape left after decoding, an escape that does not decode);
 * it is protected, and an API path, if any reading is, also with case folded.
 *
 * @module
 */

/**
 * A path matcher: a string (a path and everything below it, or a glob with `*` and `**`), a
 * `RegExp` tested against the path, or a function. See the module documentation for the exact rules.
 */
export type PathPattern = string | RegExp | ((pathname: string, request: Request) => boolean);

/** A compiled list of patterns: whether a path matches any of them. */
export type PathMatcher = (pathname: string, request: Request) => boolean;

/**
 * Checks an option's list of patterns and copies it (RegExps without their `g` and `y` flags, so a
 * test keeps no state). `undefined` stays `undefined`.
 *
 * @throws TypeError for anything that is not an array of strings starting with `/`, RegExps or functions.
 */
export function patternList(value: unknown, name: string): PathPattern[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of strings, RegExps or functions`);
  return value.map((pattern: unknown) => {
    if (typeof pattern === 'string') {
      if (!pattern.startsWith('/')) throw new TypeError(`${name}: a path pattern must start with "/"; found ${JSON.stringify(pattern)}`);
      return pattern;
    }
    if (pattern instanceof RegExp) return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    if (typeof pattern === 'function') return pattern as PathPattern;
    throw new TypeError(`${name} must be an array of strings, RegExps or functions`);
  });
}

function globRegExp(glob: string, flags: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob.charAt(i);
    if (c === '*') {
      if (glob.charAt(i + 1) === '*') {
        source += '.*';
        i += 1;
      } else {
        source += '[^/]*';
      }
    } else {
      source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, flags);
}

/**
 * Compiles patterns into one matcher. With `foldCase`, string patterns and RegExps match without
 * regard to case (a function gets the path as given): for protected paths, which an origin that
 * routes case-insensitively (Express's default) serves under any case.
 */
export function pathMatcher(patterns: readonly PathPattern[], { foldCase = false }: { foldCase?: boolean } = {}): PathMatcher {
  const fold = (text: string): string => (foldCase ? text.toLowerCase() : text);
  const tests: PathMatcher[] = patterns.map((pattern) => {
    if (typeof pattern === 'function') return (path, request) => pattern(path, request) === true;
    if (pattern instanceof RegExp) {
      const re = foldCase && !pattern.flags.includes('i') ? new RegExp(pattern.source, `${pattern.flags}i`) : pattern;
      return (path) => re.test(path);
    }
    if (pattern.includes('*')) {
      const re = globRegExp(pattern, foldCase ? 'i' : '');
      return (path) => re.test(path);
    }
    if (pattern === '/') return (path) => path === '/';
    const base = fold(pattern.replace(/\/+$/, ''));
    return (path) => {
      const p = fold(path);
      return p === base || p.startsWith(`${base}/`);
    };
  });
  return (path, request) => tests.some((test) => test(path, request));
}

/** The readings of one request path, and whether it may be public at all. */
export interface PathReadings {
  /** Every distinct reading (see the module documentation); the first is the path as sent. */
  readings: readonly string[];
  /**
   * `false` when the path has something no public path needs: an escape that does not decode, a
   * control character, a `;`, or an escape still there after one decoding (double encoding).
   */
  mayBePublic: boolean;
}

const HEX_ESCAPE = /%[0-9A-Fa-f]{2}/;
/**
 * A path every reading of which is the path itself: printable ASCII without `%`, `\`, `;` or a
 * repeated slash (the WHATWG parser has already resolved its dot segments).
 */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9\-._~!$&'()*+,=:@]+)*\/?$/;

/** `%XX` escapes decoded as UTF-8 bytes; invalid sequences become U+FFFD, a lone `%` stays. */
function decodeLenient(path: string): string {
  if (!path.includes('%')) return path;
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i += 1) {
    const c = path.charCodeAt(i);
    if (c === 0x25 && HEX_ESCAPE.test(path.slice(i, i + 3))) {
      bytes.push(Number.parseInt(path.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Not sent by a WHATWG parser (it escapes non-ASCII), but a reading must not lose it.
      for (const b of new TextEncoder().encode(path.charAt(i))) bytes.push(b);
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * Dot segments resolved and repeated slashes merged, as nginx does after decoding: every character
 * but `/` is part of a segment (a decoded `?` or `#` included), `..` above the root stays at the root.
 */
function resolveSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i] ?? '';
    const last = i === segments.length - 1;
    if (segment === '..') {
      out.pop();
      if (last) out.push('');
    } else if (segment === '.' || (segment === '' && !last)) {
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  }
  const joined = `/${out.join('/')}`;
  return joined.replace(/\/{2,}/g, '/');
}

/** The origin readings of one decoded form. */
function formReadings(form: string): string[] {
  const slashes = form.replace(/\\/g, '/');
  const withoutParams = slashes
    .split('/')
    .map((segment) => segment.split(';', 1)[0] ?? '')
    .join('/');
  const nfkc = slashes.normalize('NFKC');
  return [form, resolveSegments(form), resolveSegments(slashes), resolveSegments(withoutParams), resolveSegments(nfkc)];
}

/**
 * The readings of a request path (`new URL(request.url).pathname`), and whether it may be public.
 * See the module documentation.
 */
export function pathReadings(pathname: string): PathReadings {
  if (PLAIN_PATH.test(pathname) && !/\/\.\.?(?:\/|$)/.test(pathname)) return { readings: [pathname], mayBePublic: true };
  let strict: string | undefined;
  try {
    strict = decodeURIComponent(pathname);
  } catch {
    strict = undefined;
  }
  const once = strict ?? decodeLenient(pathname);
  const twice = decodeLenient(once);
  const readings = new Set<string>([pathname]);
  for (const form of [pathname, once, twice]) for (const reading of formReadings(form)) readings.add(reading);
  const mayBePublic =
    strict !== undefined &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f;]/.test(strict) &&
    !HEX_ESCAPE.test(strict);
  return { readings: [...readings], mayBePublic };
}
