//! The decisions of a remote key set cache, with no I/O: the caller (the JS layer) performs the
//! fetches this module asks for and reports what came back. Times are milliseconds since the epoch,
//! passed in, so every rule is testable with a fake clock.
//!
//! The rules:
//! - keys younger than their max-age are **fresh**; past it, and for at most `stale_if_error` more,
//!   they are **stale**: still used, while one refresh runs (stale-while-revalidate) or after it
//!   failed (stale-if-error). Older keys are **expired** and unusable.
//! - the max-age is the server's `Cache-Control: max-age` (or `s-maxage`) clamped to
//!   [`MIN_SERVER_MAX_AGE_MS`, `MAX_SERVER_MAX_AGE_MS`]; `no-store`/`no-cache` give the minimum;
//!   without the header, the configured `cache_max_age`.
//! - a token with an unknown `kid` may cause a refetch only when no refetch *caused by an unknown
//!   `kid`* began within `cooldown`: the initial fetch, the scheduled and background refreshes and
//!   `reload()` do not start the cooldown, so the first unknown `kid` after them (a key rotated
//!   right after a cold start) refetches at once, while a flood of random kids is still at most
//!   one fetch per cooldown.
//! - after a failed attempt, the next one waits at least `min(cooldown, MAX_RETRY_INTERVAL_MS)`
//!   (an unknown `kid` included). A refetch for an unknown `kid` that fails does not start the
//!   cooldown: while the server is down, unknown kids cost at most one attempt per retry interval,
//!   and a key rotated during an outage is fetched as soon as the server answers again.
//! - a response that is not a valid key set keeps the previous keys.

use crate::error::Error;
use crate::json;
use crate::jwks::{KeySet, MAX_JWKS_BYTES};
use crate::token_cache::TokenCache;

/// The least max-age a server's `Cache-Control` can impose (30 seconds).
pub const MIN_SERVER_MAX_AGE_MS: f64 = 30_000.0;
/// The most max-age a server's `Cache-Control` can impose (24 hours).
pub const MAX_SERVER_MAX_AGE_MS: f64 = 86_400_000.0;
/// The longest wait between attempts after a failure (5 seconds), if the cooldown is longer.
pub const MAX_RETRY_INTERVAL_MS: f64 = 5_000.0;

/// Durations that govern the cache, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RemotePolicy {
    /// How long fetched keys stay fresh when the server sends no `Cache-Control` (may be infinite).
    pub cache_max_age: f64,
    /// The least time between refetches caused by unknown `kid`s.
    pub cooldown: f64,
    /// How long past their max-age keys may still be used while refreshes run or fail.
    pub stale_if_error: f64,
}

impl Default for RemotePolicy {
    fn default() -> Self {
        Self {
            cache_max_age: 600_000.0,
            cooldown: 30_000.0,
            stale_if_error: 43_200_000.0,
        }
    }
}

/// How usable the cached keys are now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Nothing cached.
    Missing,
    /// Within max-age: use them.
    Fresh,
    /// Past max-age but within the stale window: use them and refresh.
    Stale,
    /// Past the stale window: unusable; a fetch must succeed first.
    Expired,
}

/// What the cache asks the caller to do before verifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Verify with the cached keys.
    Use,
    /// Verify with the cached keys, and start one refresh without waiting for it.
    UseAndRefresh,
    /// Fetch (or join the fetch in flight) and wait for it, then plan again.
    Fetch,
    /// No usable keys and a retry is not due yet: fail with the last error.
    Fail,
}

/// Counters an operator can read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Verifications answered from cached keys.
    pub hits: u64,
    /// Fetch attempts reported (successful or not).
    pub fetches: u64,
    /// Fetch attempts that failed, or returned something that is not a key set.
    pub failures: u64,
    /// Verifications answered from stale keys.
    pub stale_served: u64,
    /// When the last attempt was reported.
    pub last_fetch_at: Option<f64>,
    /// The last failure: code, message, time.
    pub last_error: Option<(String, String, f64)>,
}

#[derive(Debug, Clone)]
struct Cached {
    keys: KeySet,
    tokens: TokenCache,
    json: String,
    fetched_at: f64,
    max_age: f64,
}

/// The state of one remote key set.
#[derive(Debug, Clone)]
pub struct RemoteCache {
    policy: RemotePolicy,
    cached: Option<Cached>,
    last_attempt: Option<f64>,
    last_attempt_failed: bool,
    /// When the last refetch caused by an unknown `kid` began (one that did not fail).
    last_kid_refetch: Option<f64>,
    /// While a refetch for an unknown `kid` is reported neither as a success nor as a failure: the
    /// `last_kid_refetch` before it, restored if it fails.
    kid_refetch_before: Option<Option<f64>>,
    stats: Stats,
    generation: u32,
}

impl RemoteCache {
    /// An empty cache.
    #[must_use]
    pub fn new(policy: RemotePolicy) -> Self {
        Self {
            policy,
            cached: None,
            last_attempt: None,
            last_attempt_failed: false,
            last_kid_refetch: None,
            kid_refetch_before: None,
            stats: Stats::default(),
            generation: 0,
        }
    }

    /// Changes whenever the cached key set is replaced, so that a copy of its keys kept elsewhere
    /// (the JS layer's JWKs for the host's crypto) is known to be current. Times cannot serve: two
    /// fetches may finish within one millisecond.
    #[must_use]
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// How usable the cached keys are at `now`.
    #[must_use]
    pub fn freshness(&self, now: f64) -> Freshness {
        let Some(cached) = &self.cached else {
            return Freshness::Missing;
        };
        let age = now - cached.fetched_at;
        if age < cached.max_age {
            Freshness::Fresh
        } else if age < cached.max_age + self.policy.stale_if_error {
            Freshness::Stale
        } else {
            Freshness::Expired
        }
    }

    /// Whether a fetch of any kind was attempted within the cooldown (jose's `coolingDown`). Only
    /// refetches caused by unknown kids are limited by the cooldown: see
    /// [`Self::may_refetch_for_unknown_kid`].
    #[must_use]
    pub fn cooling_down(&self, now: f64) -> bool {
        self.last_attempt
            .is_some_and(|at| now - at < self.policy.cooldown)
    }

    fn retry_due(&self, now: f64) -> bool {
        match self.last_attempt {
            Some(at) if self.last_attempt_failed => {
                now - at >= self.policy.cooldown.min(MAX_RETRY_INTERVAL_MS)
            }
            _ => true,
        }
    }

    /// What to do before a verification at `now`. `fetching` says whether a fetch is in flight.
    #[must_use]
    pub fn plan(&self, now: f64, fetching: bool) -> Plan {
        match self.freshness(now) {
            Freshness::Fresh => Plan::Use,
            Freshness::Stale if fetching || !self.retry_due(now) => Plan::Use,
            Freshness::Stale => Plan::UseAndRefresh,
            Freshness::Missing | Freshness::Expired if fetching || self.retry_due(now) => {
                Plan::Fetch
            }
            Freshness::Missing | Freshness::Expired => Plan::Fail,
        }
    }

    /// [`Self::plan`] for a verification that will use the keys itself (a binding that holds its
    /// own copy of them): when the answer is to use them, counts a hit (and a stale hit), as
    /// [`Self::keys_for_verification`] does.
    pub fn serve(&mut self, now: f64, fetching: bool) -> Plan {
        let plan = self.plan(now, fetching);
        if matches!(plan, Plan::Use | Plan::UseAndRefresh) {
            self.stats.hits = self.stats.hits.saturating_add(1);
            if self.freshness(now) == Freshness::Stale {
                self.stats.stale_served = self.stats.stale_served.saturating_add(1);
            }
        }
        plan
    }

    /// The key set last accepted or restored, whatever its age.
    #[must_use]
    pub fn current_keys(&self) -> Option<&KeySet> {
        self.cached.as_ref().map(|cached| &cached.keys)
    }

    /// Whether a token whose `kid` is unknown may cause a refetch now: no refetch caused by an
    /// unknown `kid` began within the cooldown, and no failed attempt asks to wait.
    #[must_use]
    pub fn may_refetch_for_unknown_kid(&self, now: f64) -> bool {
        let kid_cooldown_over = self
            .last_kid_refetch
            .is_none_or(|at| now - at >= self.policy.cooldown);
        kid_cooldown_over && self.retry_due(now)
    }

    /// Claims the refetch for an unknown `kid` at `now` if [`Self::may_refetch_for_unknown_kid`]
    /// allows it: the cooldown then counts from `now`, unless the fetch fails. The caller performs
    /// the fetch and reports it with [`Self::accept`] or [`Self::reject`] as any other.
    pub fn begin_refetch_for_unknown_kid(&mut self, now: f64) -> bool {
        if !self.may_refetch_for_unknown_kid(now) {
            return false;
        }
        self.kid_refetch_before = Some(self.last_kid_refetch.replace(now));
        true
    }

    /// The keys to verify with and their token cache, if usable at `now`; counts a hit (and a
    /// stale hit). Call once per verification.
    pub fn keys_for_verification(&mut self, now: f64) -> Option<(&KeySet, &mut TokenCache)> {
        let freshness = self.freshness(now);
        if !matches!(freshness, Freshness::Fresh | Freshness::Stale) {
            return None;
        }
        self.stats.hits = self.stats.hits.saturating_add(1);
        if freshness == Freshness::Stale {
            self.stats.stale_served = self.stats.stale_served.saturating_add(1);
        }
        self.keys_and_tokens(now)
    }

    /// The keys and their token cache, if usable at `now`, without counting (for the second half
    /// of a verification whose first half was counted).
    pub fn keys_and_tokens(&mut self, now: f64) -> Option<(&KeySet, &mut TokenCache)> {
        match self.freshness(now) {
            Freshness::Fresh | Freshness::Stale => self
                .cached
                .as_mut()
                .map(|cached| (&cached.keys, &mut cached.tokens)),
            Freshness::Missing | Freshness::Expired => None,
        }
    }

    /// The keys, if usable at `now`, without counting.
    #[must_use]
    pub fn keys(&self, now: f64) -> Option<&KeySet> {
        match self.freshness(now) {
            Freshness::Fresh | Freshness::Stale => self.cached.as_ref().map(|c| &c.keys),
            _ => None,
        }
    }

    /// Reports a successful HTTP response: the body and its `Cache-Control` header.
    ///
    /// # Errors
    /// [`Error::JwksInvalid`] when the body is not a key set; the previous keys are kept and the
    /// failure is counted.
    pub fn accept(
        &mut self,
        now: f64,
        body: &[u8],
        cache_control: Option<&str>,
    ) -> Result<(), Error> {
        self.note_attempt(now);
        // Not JSON at all (an HTML error page, say) is a failed fetch (`ERR_JWKS_FETCH_FAILED`);
        // JSON that is not a key set is an invalid key set (`ERR_JWKS_INVALID`).
        let parsed = match json::parse(body) {
            Err(err) => Err(Error::JwksFetchFailed(format!(
                "the key set URL answered a body that is not JSON ({err})"
            ))),
            Ok(_) if body.len() > MAX_JWKS_BYTES => Err(Error::JwksFetchFailed(format!(
                "the key set URL answered {} bytes; at most {MAX_JWKS_BYTES} are accepted",
                body.len()
            ))),
            Ok(document) => document
                .as_object()
                .ok_or_else(|| {
                    Error::JwksInvalid(
                        "the key set is not a JSON object with a \"keys\" array".to_owned(),
                    )
                })
                .and_then(KeySet::from_object)
                .map(|keys| (keys, String::from_utf8_lossy(body).into_owned())),
        };
        match parsed {
            Ok((keys, json)) => {
                let max_age = cache_control
                    .and_then(server_max_age)
                    .unwrap_or(self.policy.cache_max_age);
                self.cached = Some(Cached {
                    keys,
                    tokens: TokenCache::new(),
                    json,
                    fetched_at: now,
                    max_age,
                });
                self.generation = self.generation.wrapping_add(1);
                self.last_attempt_failed = false;
                self.kid_refetch_before = None;
                Ok(())
            }
            Err(error) => {
                self.note_failure(now, &error);
                Err(error)
            }
        }
    }

    /// Reports a failed attempt (network error, timeout, non-2xx, too large, ...).
    pub fn reject(&mut self, now: f64, error: &Error) {
        self.note_attempt(now);
        self.note_failure(now, error);
    }

    /// Seeds the cache with keys fetched at `fetched_at` with `max_age` (from a store, or the
    /// `initial` option), unless the cache already holds newer keys or the entry is expired.
    /// Counts no fetch.
    ///
    /// # Errors
    /// [`Error::JwksInvalid`] when `body` is not a key set.
    pub fn restore(
        &mut self,
        now: f64,
        body: &[u8],
        fetched_at: f64,
        max_age: f64,
    ) -> Result<bool, Error> {
        let newer = self
            .cached
            .as_ref()
            .is_none_or(|cached| fetched_at > cached.fetched_at);
        let usable = now - fetched_at < max_age + self.policy.stale_if_error;
        if !(newer && usable && fetched_at <= now) {
            return Ok(false);
        }
        let keys = KeySet::from_json(body)?;
        let json = String::from_utf8_lossy(body).into_owned();
        self.cached = Some(Cached {
            keys,
            tokens: TokenCache::new(),
            json,
            fetched_at,
            max_age,
        });
        self.generation = self.generation.wrapping_add(1);
        Ok(true)
    }

    /// The cached key set as JSON, when it was fetched, and its max-age (for a persistent store).
    #[must_use]
    pub fn snapshot(&self) -> Option<(&str, f64, f64)> {
        self.cached
            .as_ref()
            .map(|c| (c.json.as_str(), c.fetched_at, c.max_age))
    }

    /// How many keys the cached set holds (0 when nothing is cached).
    #[must_use]
    pub fn key_count(&self) -> usize {
        self.cached.as_ref().map_or(0, |c| c.keys.keys().len())
    }

    /// The counters.
    #[must_use]
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    fn note_attempt(&mut self, now: f64) {
        self.last_attempt = Some(now);
        self.stats.fetches = self.stats.fetches.saturating_add(1);
        self.stats.last_fetch_at = Some(now);
    }

    fn note_failure(&mut self, now: f64, error: &Error) {
        self.last_attempt_failed = true;
        // A failed refetch for an unknown kid leaves the kid cooldown as it was: the retry
        // interval alone spaces the attempts while the server fails.
        if let Some(before) = self.kid_refetch_before.take() {
            self.last_kid_refetch = before;
        }
        self.stats.failures = self.stats.failures.saturating_add(1);
        self.stats.last_error = Some((error.code().to_owned(), error.message().to_owned(), now));
    }
}

/// The max-age (ms) a `Cache-Control` header asks for, clamped to the documented bounds; `None`
/// when it says nothing about freshness.
#[must_use]
pub fn server_max_age(cache_control: &str) -> Option<f64> {
    let mut max_age: Option<f64> = None;
    let mut shared_max_age: Option<f64> = None;
    let mut no_store = false;
    for directive in cache_control.split(',') {
        let directive = directive.trim();
        let (name, value) = match directive.split_once('=') {
            Some((name, value)) => (name.trim(), Some(value.trim().trim_matches('"'))),
            None => (directive, None),
        };
        let seconds = || {
            value
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<f64>().ok())
        };
        if name.eq_ignore_ascii_case("max-age") {
            max_age = seconds().or(max_age);
        } else if name.eq_ignore_ascii_case("s-maxage") {
            shared_max_age = seconds().or(shared_max_age);
        } else if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            no_store = true;
        }
    }
    if no_store {
        return Some(MIN_SERVER_MAX_AGE_MS);
    }
    shared_max_age
        .or(max_age)
        .map(|seconds| (seconds * 1000.0).clamp(MIN_SERVER_MAX_AGE_MS, MAX_SERVER_MAX_AGE_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWKS: &[u8] = br#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;

    fn cache() -> RemoteCache {
        RemoteCache::new(RemotePolicy {
            cache_max_age: 1_000.0,
            cooldown: 10_000.0,
            stale_if_error: 5_000.0,
        })
    }

    #[test]
    fn freshness_over_time() {
        let mut c = cache();
        assert_eq!(c.plan(0.0, false), Plan::Fetch);
        c.accept(0.0, JWKS, None).unwrap();
        assert_eq!(c.freshness(999.0), Freshness::Fresh);
        assert_eq!(c.plan(999.0, false), Plan::Use);
        assert_eq!(c.freshness(1_000.0), Freshness::Stale);
        assert_eq!(c.plan(1_000.0, false), Plan::UseAndRefresh);
        assert_eq!(c.plan(1_000.0, true), Plan::Use, "one refresh at a time");
        assert_eq!(c.freshness(6_000.0), Freshness::Expired);
        assert_eq!(c.plan(6_000.0, false), Plan::Fetch);
        assert!(c.keys(6_000.0).is_none());
    }

    #[test]
    fn failures_keep_keys_and_pace_retries() {
        let mut c = RemoteCache::new(RemotePolicy {
            cache_max_age: 1_000.0,
            cooldown: 10_000.0,
            stale_if_error: 20_000.0,
        });
        c.accept(0.0, JWKS, None).unwrap();
        let err = c.accept(1_500.0, b"<html>", None).unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_FETCH_FAILED");
        let err = c.accept(1_500.0, br#"{"keys":null}"#, None).unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_INVALID");
        assert!(
            c.keys(1_500.0).is_some(),
            "a bad body keeps the previous keys"
        );
        assert_eq!(c.plan(2_000.0, false), Plan::Use, "stale, retry not due");
        assert_eq!(
            c.plan(6_500.0, false),
            Plan::UseAndRefresh,
            "retry due after 5 s"
        );
        c.reject(6_500.0, &Error::JwksFetchFailed("down".into()));
        assert_eq!(c.plan(7_000.0, false), Plan::Use);
        assert_eq!(c.plan(21_500.0, false), Plan::Fetch, "expired, retry due");
        c.reject(21_500.0, &Error::JwksTimeout("slow".into()));
        assert_eq!(
            c.plan(22_000.0, false),
            Plan::Fail,
            "expired, retry not due"
        );
        assert_eq!(
            c.plan(22_000.0, true),
            Plan::Fetch,
            "join the fetch in flight"
        );
        assert_eq!(c.plan(26_500.0, false), Plan::Fetch);
        let stats = c.stats();
        assert_eq!((stats.fetches, stats.failures), (5, 4));
        let (code, _, at) = stats.last_error.as_ref().unwrap();
        assert_eq!((code.as_str(), *at), ("ERR_JWKS_TIMEOUT", 21_500.0));
    }

    #[test]
    fn first_unknown_kid_after_any_other_fetch_refetches_at_once() {
        let mut c = cache();
        c.accept(0.0, JWKS, None).unwrap(); // the initial fetch
        assert!(
            c.cooling_down(1.0),
            "jose's coolingDown: a fetch within the cooldown"
        );
        assert!(
            c.may_refetch_for_unknown_kid(1.0),
            "a rotated key right after a cold start"
        );
        assert!(c.begin_refetch_for_unknown_kid(1.0));
        c.accept(2.0, JWKS, None).unwrap();
        // Scheduled or background refreshes (and reload) do not start the kid cooldown either.
        let mut d = cache();
        d.restore(0.0, JWKS, 0.0, 1_000.0).unwrap();
        assert_eq!(d.plan(1_500.0, false), Plan::UseAndRefresh);
        d.accept(1_600.0, JWKS, None).unwrap();
        assert!(d.begin_refetch_for_unknown_kid(1_601.0));
    }

    #[test]
    fn unknown_kids_refetch_at_most_once_per_cooldown() {
        let mut c = cache();
        c.accept(0.0, JWKS, None).unwrap();
        assert!(c.begin_refetch_for_unknown_kid(100.0));
        c.accept(150.0, JWKS, None).unwrap();
        for at in [150.0, 5_000.0, 10_099.0] {
            assert!(!c.begin_refetch_for_unknown_kid(at), "flood at {at}");
        }
        // A background refresh in between does not reopen the door for the flood.
        c.accept(6_000.0, JWKS, None).unwrap();
        assert!(!c.may_refetch_for_unknown_kid(6_001.0));
        assert!(c.begin_refetch_for_unknown_kid(10_100.0), "cooldown over");
        assert!(!c.begin_refetch_for_unknown_kid(10_101.0));
    }

    #[test]
    fn unknown_kids_wait_for_the_retry_after_a_failure() {
        let mut c = cache();
        c.accept(0.0, JWKS, None).unwrap();
        c.reject(1_000.0, &Error::JwksFetchFailed("down".into())); // a background refresh failed
        assert!(
            !c.may_refetch_for_unknown_kid(5_999.0),
            "retry interval after a failure"
        );
        assert!(c.begin_refetch_for_unknown_kid(6_000.0));
        c.reject(6_000.0, &Error::JwksFetchFailed("down".into()));
        assert!(
            !c.may_refetch_for_unknown_kid(10_999.0),
            "retry interval while the server fails"
        );
        // The failed refetch did not start the kid cooldown: the next unknown kid, after the
        // retry interval, may refetch (a key rotated during the outage is found at once).
        assert!(c.begin_refetch_for_unknown_kid(11_000.0));
        c.accept(11_050.0, JWKS, None).unwrap();
        // This one succeeded: the cooldown counts from it.
        assert!(
            !c.may_refetch_for_unknown_kid(20_999.0),
            "cooldown after a good refetch"
        );
        assert!(c.may_refetch_for_unknown_kid(21_000.0));
    }

    #[test]
    fn an_invalid_body_for_an_unknown_kid_does_not_start_the_cooldown() {
        let mut c = cache();
        c.accept(0.0, JWKS, None).unwrap();
        assert!(c.begin_refetch_for_unknown_kid(1_000.0));
        assert!(c.accept(1_010.0, b"{}", None).is_err());
        assert!(!c.may_refetch_for_unknown_kid(6_009.0), "retry interval");
        assert!(c.may_refetch_for_unknown_kid(6_010.0), "no kid cooldown");
    }

    #[test]
    fn generation_changes_with_every_new_set() {
        let mut c = cache();
        let g0 = c.generation();
        c.accept(0.0, JWKS, None).unwrap();
        c.accept(0.0, JWKS, None).unwrap();
        assert_eq!(
            c.generation(),
            g0.wrapping_add(2),
            "same millisecond, still new"
        );
        let _ = c.accept(0.0, b"{}", None);
        assert_eq!(
            c.generation(),
            g0.wrapping_add(2),
            "a refused body changes nothing"
        );
    }

    #[test]
    fn cache_control() {
        assert_eq!(server_max_age("max-age=120"), Some(120_000.0));
        assert_eq!(
            server_max_age("public, max-age=1"),
            Some(MIN_SERVER_MAX_AGE_MS)
        );
        assert_eq!(
            server_max_age("max-age=99999999"),
            Some(MAX_SERVER_MAX_AGE_MS)
        );
        assert_eq!(server_max_age("max-age=60, s-maxage=300"), Some(300_000.0));
        assert_eq!(server_max_age("no-store"), Some(MIN_SERVER_MAX_AGE_MS));
        assert_eq!(server_max_age("public"), None);
        assert_eq!(server_max_age("max-age=-5"), None);
        assert_eq!(server_max_age("max-age=1e9"), None);
        let mut c = cache();
        c.accept(0.0, JWKS, Some("max-age=60")).unwrap();
        assert_eq!(c.freshness(59_999.0), Freshness::Fresh);
        assert_eq!(c.freshness(60_000.0), Freshness::Stale);
    }

    #[test]
    fn restore_only_newer_usable_entries() {
        let mut c = cache();
        assert!(
            !c.restore(100_000.0, JWKS, 0.0, 1_000.0).unwrap(),
            "expired entry"
        );
        assert!(c.restore(100_000.0, JWKS, 99_000.0, 1_000.0).unwrap());
        assert_eq!(c.stats().fetches, 0);
        assert!(
            !c.restore(100_000.0, JWKS, 98_000.0, 1_000.0).unwrap(),
            "older"
        );
        assert!(c.restore(100_000.0, b"{}", 99_500.0, 1_000.0).is_err());
        assert_eq!(c.snapshot().unwrap().1, 99_000.0);
    }
}
