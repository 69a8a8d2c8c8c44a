/**
 * Ready stores for `createRemoteJWKSet({ store })`: keep the fetched key set where a cold isolate or
 * a restarted process finds it, so it verifies with no network round trip. The cache ignores an
 * entry that is too old (past its max-age plus `staleIfErrorDuration`), so stores need no expiry
 * logic of their own. Only your code should be able to write the store: whoever writes it chooses
 * which keys are trusted.
 *
 * @module
 */
import type { CachedJWKS, JWKSStore } from './remote.js';

function copy(value: CachedJWKS): CachedJWKS {
  return { jwks: JSON.parse(JSON.stringify(value.jwks)) as CachedJWKS['jwks'], uat: value.uat, maxAge: value.maxAge };
}

/**
 * An in-memory store (keys copied in and out; an infinite maxAge kept), shared by every key set given the same store object (for example several
 * `createRemoteJWKSet` calls in one Node process, or module instances re-created by a dev server).
 */
export function memoryStore(): JWKSStore {
  let entry: CachedJWKS | undefined;
  return {
    async get() {
      return entry === undefined ? undefined : copy(entry);
    },
    async set(value) {
      entry = copy(value);
    },
  };
}

/** The part of a Workers KV namespace binding the store uses. */
export interface KVNamespaceLike {
  get(key: string, type: 'json'): Promise<unknown>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
}

/**
 * A store in a Cloudflare Workers KV namespace: every isolate in every location starts with the
 * keys. `key` names the entry (use one per JWKS URL).
 *
 * @example
 * ```js
 * const jwks = createRemoteJWKSet(url, { store: workersKVStore(env.JWKS_CACHE) });
 * ```
 */
export function workersKVStore(namespace: KVNamespaceLike, key = 'edge-jwt:jwks'): JWKSStore {
  return {
    async get() {
      return ((await namespace.get(key, 'json')) ?? undefined) as CachedJWKS | undefined;
    },
    async set(value) {
      await namespace.put(key, JSON.stringify(value));
    },
  };
}

/** The part of the Cache API the store uses (`caches.default` on Workers). */
export interface CacheLike {
  match(request: Request | string): Promise<Response | undefined>;
  put(request: Request | string, response: Response): Promise<void>;
}

/**
 * A store in the Cache API (`caches.default` on Workers): shared by the isolates of one location,
 * with no binding to configure. `key` is the URL the entry is filed under.
 */
export function cacheApiStore(cache?: CacheLike, key = 'https://edge-jwt.invalid/jwks'): JWKSStore {
  const target = (): CacheLike => {
    if (cache !== undefined) return cache;
    const caches = (globalThis as { caches?: { default?: CacheLike } }).caches;
    if (caches?.default === undefined) throw new TypeError('cacheApiStore needs a cache (caches.default exists only on Workers)');
    return caches.default;
  };
  return {
    async get() {
      const response = await target().match(key);
      return response === undefined ? undefined : ((await response.json()) as CachedJWKS);
    },
    async set(value) {
      // The Cache API keeps a response only as long as its Cache-Control allows: a week.
      await target().put(
        key,
        new Response(JSON.stringify(value), {
          headers: { 'content-type': 'application/json', 'cache-control': 'max-age=604800' },
        }),
      );
    },
  };
}
