/**
 * Remote key sets (`createRemoteJWKSet`): the network side of the cache. Every decision (is the
 * set fresh, may an unknown `kid` refetch, how long a stale set may serve, what `Cache-Control`
 * means) is made by the Rust core's policy (`src/remote.rs`, bound as `RemoteCache`); this file
 * performs the fetches it asks for, shares them between concurrent verifications, and persists the
 * keys to an optional store. Verification does not go through the policy: each accepted body
 * becomes a local key set, and a token is verified with it as with any local set
 * (`js/verification.ts`).
 *
 * Sharing one fetch on Cloudflare Workers and Vercel Edge: there, one request cannot await I/O that
 * another request started (the promise may never settle if that request ends first, jose#355,
 * #509). So a verification that finds a fetch in flight started by another request does not await
 * its promise: it polls the shared state with its own timers until the fetch has finished or
 * `timeoutDuration` has passed since it started, and in the second case fetches itself. Everywhere
 * else, the promise is shared directly. Either way, concurrent verifications cause one fetch.
 *
 * @module
 */
import { JOSEError, JWKSFetchFailed, JWKSInvalid, JWKSNoMatchingKey, JWKSTimeout } from './errors.js';
import { takeFailure } from './failure.js';
import { LocalKeySet } from './keys.js';
import { utf8 } from './native.js';
import type { NormalizedOptions } from './options.js';
import type { JWKS, VerifyResult } from './types.js';
import { verifyLocal } from './verification.js';
import { bindingsAsync, bindingsSync, InstanceBound, type Bindings, type KeySetHandle, type RemoteCacheHandle } from './wasm.js';

/** What a persistent store keeps: the key set, when it was fetched (ms), and its max-age (ms). */
export interface CachedJWKS {
  jwks: JWKS;
  /** When the keys were fetched, in milliseconds since the epoch. */
  uat: number;
  /** How long they are fresh, in milliseconds. */
  maxAge: number;
}

/** Persistence across isolates and restarts (Workers KV, the Cache API, memory, ...). */
export interface JWKSStore {
  get(): Promise<CachedJWKS | undefined>;
  set(value: CachedJWKS): Promise<void>;
}

/** Options of {@link createRemoteJWKSet}. Durations are milliseconds. */
export interface RemoteJWKSetOptions {
  /**
   * A fetch not answered in time is aborted (`ERR_JWKS_TIMEOUT` when no usable keys). A
   * non-negative integer, as jose requires. Default 5000.
   */
  timeoutDuration?: number;
  /**
   * The least time between refetches caused by unknown `kid`s, counted from the last such refetch:
   * the first unknown `kid` after the initial, a scheduled or a background fetch refetches at once.
   * Not negative, not NaN; `Infinity` allowed (jose's rule). Default 30000.
   */
  cooldownDuration?: number;
  /**
   * How long fetched keys are fresh when the server sends no `Cache-Control`. Default 600000 (10
   * minutes); `Infinity` allowed. A server `max-age` (clamped to 30 s .. 24 h) takes precedence.
   */
  cacheMaxAge?: number;
  /**
   * How long past their max-age keys may still be used while a refresh runs or the server fails
   * (stale-while-revalidate, stale-if-error). Default 43200000 (12 hours).
   */
  staleIfErrorDuration?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Keys known at build time: used with no network on a cold start, as if fetched at creation. */
  initial?: JWKS;
  /** Where to persist fetched keys so that a cold isolate starts with them (see the stores). */
  store?: JWKSStore;
  /** The cache's clock in milliseconds (default `Date.now`); claim checks use `currentDate`. */
  clock?: () => number;
}

/** What {@link RemoteKeySet.stats} reports. */
export interface RemoteJWKSetStats {
  /** Verifications answered from cached keys. */
  hits: number;
  /** Fetch attempts. */
  fetches: number;
  /** Failed attempts (including bodies that were not a key set). */
  failures: number;
  /** Verifications answered from stale keys. */
  staleServed: number;
  /** Keys in the cached set. */
  keyCount: number;
  /** When the last attempt finished (ms). */
  lastFetchAt?: number;
  /** The last failure. */
  lastError?: { code: string; message: string; at: number };
}

// The limits below are src/jwks.rs MAX_JWKS_BYTES and src/remote.rs MAX_RETRY_INTERVAL_MS;
// tests/shared_facts.rs checks that each equals its Rust source.
const MAX_BODY_BYTES = 256 * 1024;
const MAX_RETRY_INTERVAL_MS = 5_000;
const POLL_MS = 5;

/** Failures thrown by `accept()`, which has recorded them in the cache's state already. */
const recordedByAccept = new WeakSet<Error>();

interface Flight {
  startedAt: number;
  done: boolean;
  error: Error | undefined;
  promise: Promise<void>;
}

const encoder = new TextEncoder();

/** Workers and Vercel Edge isolate requests from each other's I/O. */
function requestsAreIsolated(): boolean {
  const g = globalThis as { navigator?: { userAgent?: string }; EdgeRuntime?: unknown; WebSocketPair?: unknown };
  return g.navigator?.userAgent === 'Cloudflare-Workers' || typeof g.EdgeRuntime === 'string' || g.WebSocketPair !== undefined;
}

/** The longest delay `setTimeout` honours; a longer timeout is no timeout at all. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A duration option, validated as jose's `createRemoteJWKSet` validates it: `timeoutDuration`
 * must be a non-negative integer (so not `Infinity`); the others must be numbers that are not NaN
 * and not negative (fractions and `Infinity` allowed). Unlike jose, a value that is not a number
 * at all is a `TypeError` too (jose silently uses the default).
 */
function duration(value: unknown, name: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (integer) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new TypeError(`"${name}" option must be a non-negative integer (milliseconds)`);
    }
    return value;
  }
  if (typeof value !== 'number') throw new TypeError(`"${name}" option must be a number of milliseconds`);
  if (Number.isNaN(value)) throw new TypeError(`"${name}" option must not be NaN`);
  if (value < 0) throw new TypeError(`"${name}" option must not be negative`);
  return value;
}

/** The error a failed `fetch` call carries: the network's own (`code: 'ECONNREFUSED'`) when wrapped. */
function underlying(error: unknown): unknown {
  const inner = (error as { cause?: unknown } | null)?.cause;
  return inner instanceof Error ? inner : error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readLimited(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw new JWKSFetchFailed(`the key set URL answered ${declared} bytes; at most ${limit} are accepted`);
  }
  if (response.body === null) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new JWKSFetchFailed(`the key set URL answered more than ${limit} bytes; at most ${limit} are accepted`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * A key set fetched from a URL (Better Auth: `https://your.app/api/auth/jwks`) and cached. Made by
 * {@link createRemoteJWKSet}; pass it to `verifyToken` as the keys.
 */
export class RemoteKeySet {
  readonly #url: URL;
  readonly #timeout: number;
  readonly #cooldown: number;
  readonly #cacheMaxAge: number;
  readonly #staleIfError: number;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch | undefined;
  readonly #initial: string | undefined;
  readonly #createdAt: number;
  readonly #store: JWKSStore | undefined;
  readonly #clock: () => number;
  /** The policy inside the module, made again from {@link #snapshot} after a re-instantiation. */
  readonly #policy: InstanceBound<RemoteCacheHandle>;
  /** The key set to verify with: the last one the policy accepted. */
  #keys: LocalKeySet | undefined;
  #storeChecked = false;
  #flight: Flight | undefined;

  /** @internal Use {@link createRemoteJWKSet}. */
  constructor(url: string | URL, options: RemoteJWKSetOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(String(url));
    } catch {
      throw new TypeError('createRemoteJWKSet needs an absolute http(s) URL');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new TypeError('createRemoteJWKSet needs an absolute http(s) URL');
    }
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    this.#url = parsed;
    this.#timeout = duration(options.timeoutDuration, 'timeoutDuration', 5_000, true);
    this.#cooldown = duration(options.cooldownDuration, 'cooldownDuration', 30_000);
    this.#cacheMaxAge = duration(options.cacheMaxAge, 'cacheMaxAge', 600_000);
    this.#staleIfError = duration(options.staleIfErrorDuration, 'staleIfErrorDuration', 43_200_000);
    if (options.headers !== undefined && (typeof options.headers !== 'object' || options.headers === null)) {
      throw new TypeError('headers must be an object of strings');
    }
    this.#headers = { ...(options.headers ?? {}) };
    if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new TypeError('fetch must be a function');
    this.#fetch = options.fetch;
    if (options.clock !== undefined && typeof options.clock !== 'function') throw new TypeError('clock must be a function');
    this.#clock = options.clock ?? Date.now;
    if (options.store !== undefined && (typeof options.store?.get !== 'function' || typeof options.store?.set !== 'function')) {
      throw new TypeError('store must have get() and set()');
    }
    this.#store = options.store;
    if (options.initial !== undefined) {
      if (typeof options.initial !== 'object' || options.initial === null) {
        throw new JWKSInvalid('initial must be a JWKS object ({ keys: [...] })');
      }
      this.#initial = JSON.stringify(options.initial);
    }
    this.#createdAt = this.#clock();
    this.#policy = new InstanceBound((wasm) => this.#makePolicy(wasm));
  }

  /** Whether the cached keys are within their max-age. */
  get fresh(): boolean {
    return this.#policy.current()?.fresh(this.#clock()) ?? false;
  }

  /**
   * Whether a fetch of any kind was attempted within `cooldownDuration` (jose's meaning). The
   * cooldown itself only limits refetches caused by unknown `kid`s, counted from the last of them.
   */
  get coolingDown(): boolean {
    return this.#policy.current()?.coolingDown(this.#clock()) ?? false;
  }

  /** Whether a fetch is in flight. */
  get reloading(): boolean {
    return this.#flight !== undefined && !this.#flight.done;
  }

  /** A copy of the cached key set, if any. */
  jwks(): JWKS | undefined {
    const json = this.#snapshot?.json;
    return json === undefined ? undefined : (JSON.parse(json) as JWKS);
  }

  /**
   * The last key set the module accepted, kept in JavaScript: after a trap the module is
   * re-instantiated, every handle of the old instance is void, and the new cache starts from this.
   */
  #snapshot: { json: string; at: number; age: number } | undefined;

  /** Takes the key set the policy accepted or restored (`made`) as the one to verify with. */
  #take(policy: RemoteCacheHandle, made: KeySetHandle): void {
    const json = policy.jwksJson();
    if (json === undefined) return;
    this.#snapshot = { json, at: policy.fetchedAt(), age: policy.maxAge() };
    this.#keys = new LocalKeySet(json, made);
  }

  /** What the cache has done: hits, fetches, failures, stale answers, the last error. */
  stats(): RemoteJWKSetStats {
    const policy = this.#policy.current();
    if (policy === undefined) return { hits: 0, fetches: 0, failures: 0, staleServed: 0, keyCount: 0 };
    const read = policy.stats();
    const stats: RemoteJWKSetStats = {
      hits: read.hits,
      fetches: read.fetches,
      failures: read.failures,
      staleServed: read.staleServed,
      keyCount: read.keyCount,
    };
    if (read.lastFetchAt !== undefined) stats.lastFetchAt = Math.round(read.lastFetchAt);
    if (read.lastErrorCode !== undefined) {
      stats.lastError = { code: read.lastErrorCode, message: read.lastErrorMessage ?? '', at: Math.round(read.lastErrorAt ?? 0) };
    }
    read.free();
    return stats;
  }

  /**
   * Fetches the key set now, ignoring the cooldown (or joins the fetch in flight); `reloading` is
   * true from the call on. Rejects with the coded error if that fails.
   */
  reload(): Promise<void> {
    const inFlight = this.#flight !== undefined && !this.#flight.done;
    const shared = inFlight ? this.#ready().then(() => this.#fetchShared()) : Promise.resolve(this.#start(this.#ready()));
    return shared.then(async (flight) => {
      await flight.promise;
      if (flight.error !== undefined) throw flight.error;
    });
  }

  /** @internal Verifies with this set's keys, fetching as the policy decides. */
  async verify(token: string, options: NormalizedOptions): Promise<VerifyResult> {
    const wasm = await this.#ready();
    let refetched = false;
    for (let round = 0; round < 4; round += 1) {
      const plan = this.#policy.get().serve(this.#clock(), this.reloading);
      if (plan === wasm.RemotePlan.Fetch) {
        await this.#fetchShared();
        if (!this.#policy.get().usable(this.#clock())) throw this.#lastError();
        continue;
      }
      const keys = this.#keys;
      if (plan === wasm.RemotePlan.Fail || keys === undefined) throw this.#lastError();
      if (plan === wasm.RemotePlan.UseAndRefresh) this.#start();
      try {
        return await verifyLocal({ text: token, bytes: utf8(token), options, keys });
      } catch (failure) {
        // An unknown kid: join the fetch in flight (it may bring the key), or refetch if the
        // cooldown for unknown kids allows (src/remote.rs decides and records the claim).
        if (failure instanceof JWKSNoMatchingKey && !refetched && (this.reloading || this.#policy.get().claimKidRefetch(this.#clock()))) {
          refetched = true;
          await this.#fetchShared();
          continue;
        }
        throw failure;
      }
    }
    throw this.#lastError();
  }

  /** A new policy in `wasm`, holding the last key set accepted (kept in JavaScript across instances). */
  #makePolicy(wasm: Bindings): RemoteCacheHandle {
    const policy = new wasm.RemoteCache(this.#cacheMaxAge, this.#cooldown, this.#staleIfError);
    const snapshot = this.#snapshot;
    if (snapshot !== undefined) policy.restore(this.#clock(), encoder.encode(snapshot.json), snapshot.at, snapshot.age)?.free();
    return policy;
  }

  /** The module, with the policy seeded once from `initial` and the store. */
  async #ready(): Promise<Bindings> {
    const wasm = await bindingsAsync();
    if (this.#storeChecked) return wasm;
    this.#storeChecked = true;
    const policy = this.#policy.get();
    if (this.#initial !== undefined) {
      try {
        const made = policy.restore(this.#clock(), encoder.encode(this.#initial), this.#createdAt, this.#cacheMaxAge);
        if (made !== undefined) this.#take(policy, made);
      } catch (error) {
        throw takeFailure(error) ?? error;
      }
    }
    if (this.#store !== undefined) {
      try {
        const entry = await this.#store.get();
        // JSON-backed stores (KV, the Cache API) turn an infinite maxAge into null.
        const maxAge = entry?.maxAge === null ? Infinity : entry?.maxAge;
        if (entry && typeof entry === 'object' && typeof entry.uat === 'number' && typeof maxAge === 'number') {
          const current = this.#policy.get();
          const made = current.restore(this.#clock(), encoder.encode(JSON.stringify(entry.jwks)), entry.uat, maxAge);
          if (made !== undefined) this.#take(current, made);
        }
      } catch (error) {
        // A broken store entry is ignored: the network is the source of truth.
        takeFailure(error);
      }
    }
    return wasm;
  }

  /**
   * Fetches, or joins the fetch in flight. A verification that starts the fetch awaits its own
   * promise. One that finds a fetch in flight awaits that promise, except where requests are
   * isolated (Workers, Vercel Edge): there it watches the shared state with its own timers until
   * the fetch is done or `timeoutDuration` has passed since it began, then fetches itself.
   */
  async #fetchShared(): Promise<Flight> {
    const inFlight = this.#flight !== undefined && !this.#flight.done ? this.#flight : undefined;
    if (inFlight === undefined) {
      const own = this.#start();
      await own.promise;
      return own;
    }
    if (!requestsAreIsolated()) {
      await inFlight.promise;
      return inFlight;
    }
    const deadline = inFlight.startedAt + this.#timeout + 50;
    while (!inFlight.done && Date.now() < deadline) await sleep(POLL_MS);
    if (inFlight.done) return inFlight;
    const own = this.#start();
    await own.promise;
    return own;
  }

  /** Starts one fetch (after `before`, if given) and records it as the flight in progress. */
  #start(before?: Promise<unknown>): Flight {
    const flight: Flight = { startedAt: Date.now(), done: false, error: undefined, promise: Promise.resolve() };
    flight.promise = (before === undefined ? this.#download() : before.then(() => this.#download()))
      .then(async ({ body, cacheControl }) => {
        const policy = this.#policy.get();
        let made: KeySetHandle;
        try {
          made = policy.accept(this.#clock(), body, cacheControl);
        } catch (error) {
          const failure = takeFailure(error);
          if (failure === undefined) throw error;
          recordedByAccept.add(failure);
          throw failure;
        }
        this.#take(policy, made);
        await this.#persist();
      })
      .catch((error: unknown) => {
        const failure = error instanceof Error ? error : new JWKSFetchFailed(String(error));
        flight.error = failure;
        this.#lastFailure = failure;
        const code = (failure as JOSEError).code;
        // A body accept() refused (not JSON, not a key set) is already recorded there.
        if (!recordedByAccept.has(failure)) {
          const { FetchFailure } = bindingsSync();
          const kind = code === 'ERR_JWKS_TIMEOUT' ? FetchFailure.Timeout : FetchFailure.Failed;
          this.#policy.get().reject(this.#clock(), kind, failure.message);
        }
      })
      .finally(() => {
        flight.done = true;
      });
    this.#flight = flight;
    return flight;
  }

  async #persist(): Promise<void> {
    const snapshot = this.#snapshot;
    if (this.#store === undefined || snapshot === undefined) return;
    try {
      await this.#store.set({ jwks: JSON.parse(snapshot.json) as JWKS, uat: snapshot.at, maxAge: snapshot.age });
    } catch {
      // A store that cannot be written must not fail verification.
    }
  }

  async #download(): Promise<{ body: Uint8Array; cacheControl: string | undefined }> {
    const fetchImpl = this.#fetch ?? globalThis.fetch;
    const controller = new AbortController();
    const timer = this.#timeout <= MAX_TIMER_MS ? setTimeout(() => controller.abort(), this.#timeout) : undefined;
    try {
      const response = await fetchImpl(this.#url.href, {
        method: 'GET',
        headers: { accept: 'application/json, application/jwk-set+json', ...this.#headers },
        redirect: 'manual',
        signal: controller.signal,
      });
      if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
        await response.body?.cancel().catch(() => {});
        throw new JWKSFetchFailed(
          `${this.#url.origin}${this.#url.pathname} answered a redirect (${response.status || 'opaque'}); redirects are not followed`,
        );
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new JWKSFetchFailed(`${this.#url.origin}${this.#url.pathname} answered HTTP ${response.status}`, {
          status: response.status,
        });
      }
      const body = await readLimited(response, MAX_BODY_BYTES);
      return { body, cacheControl: response.headers.get('cache-control') ?? undefined };
    } catch (error) {
      if (error instanceof JOSEError) throw error;
      if (controller.signal.aborted) {
        throw new JWKSTimeout(`${this.#url.origin}${this.#url.pathname} did not answer within ${this.#timeout} ms`, { cause: error });
      }
      const cause = underlying(error);
      const reason = error instanceof Error ? error.message : String(error);
      const detail = cause !== error && cause instanceof Error ? ` (${cause.message})` : '';
      throw new JWKSFetchFailed(`could not fetch ${this.#url.origin}${this.#url.pathname}: ${reason}${detail}`, { cause });
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last failed fetch as it was thrown (its `cause` and `status` are kept for the next errors). */
  #lastFailure: Error | undefined;

  #lastError(): Error {
    const last = this.stats().lastError;
    if (last === undefined) return new JWKSFetchFailed(`no usable keys from ${this.#url.origin}${this.#url.pathname}`);
    const retry = Math.min(this.#cooldown, MAX_RETRY_INTERVAL_MS);
    const message = `${last.message} (no usable cached keys; the next attempt is at most every ${retry} ms)`;
    const failure = this.#lastFailure?.message === last.message ? (this.#lastFailure as Error & { status?: number }) : undefined;
    if (last.code === 'ERR_JWKS_TIMEOUT') return new JWKSTimeout(message, failure === undefined ? undefined : { cause: failure.cause });
    if (last.code === 'ERR_JWKS_INVALID') return new JWKSInvalid(message);
    return new JWKSFetchFailed(message, failure === undefined ? undefined : { cause: failure.cause, status: failure.status });
  }
}

/**
 * A key set fetched from `url` and cached: refetched on an unknown `kid` (at most once per
 * cooldown), shared by concurrent verifications, served stale while refreshing or while the server
 * fails (within `staleIfErrorDuration`), optionally persisted to a store.
 *
 * @example
 * ```js
 * const jwks = createRemoteJWKSet('https://app.example.com/api/auth/jwks');
 * const { payload } = await verifyToken(token, jwks, { issuer: 'https://app.example.com', audience: 'https://app.example.com' });
 * ```
 */
export function createRemoteJWKSet(url: string | URL, options?: RemoteJWKSetOptions): RemoteKeySet {
  return new RemoteKeySet(url, options);
}
