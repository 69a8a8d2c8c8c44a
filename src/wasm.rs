//! The WebAssembly boundary, and the only file that names `wasm_bindgen`. It converts and nothing
//! else; every rule lives in the core. `js/wasm.ts` is the other side, typed by the declarations
//! wasm-bindgen generates from this file. The protocol (docs/ARCHITECTURE.md, "The seam"):
//!
//! - [`setup`], once per instance: the algorithms the host's crypto checks, by name.
//! - [`WasmKeySet`] (`KeySet`): a parsed JWKS, its cache of verified tokens, and the host checks
//!   it waits on. [`WasmOptions`] (`Options`): an options document read once.
//! - [`verify`]: a whole verification in WebAssembly, one call. A verified token crosses as one
//!   JSON text, `[header, payload]` ([`verified_json`]): one string to copy, one `JSON.parse`.
//! - [`prepare`], then `KeySet.finish`: at most two calls when the host checks the signature.
//!   `prepare` answers in one value either the finished `[verified_json]` (a cache hit, HMAC, an
//!   algorithm the host does not check) or `[ticket, algorithm, signature, ...key positions]`
//!   (the signature decoded here, so the host decodes nothing); `finish` takes the ticket and the
//!   host's verdict.
//! - [`WasmRemoteCache`] (`RemoteCache`): the policy of a remote key set, which answers fetch /
//!   serve / wait and turns fetched bodies into a `KeySet`. No verification goes through it.
//! - Failures cross as one [`VerifyError`] object whose `code` is the kind (`src/error.rs`).

use std::cell::Cell;

use wasm_bindgen::prelude::*;

use crate::alg::Algorithm;
use crate::error::Error;
use crate::jwks::KeySet;
use crate::options_document::{self, OptionsDocument};
use crate::remote::{Plan, RemoteCache, RemotePolicy};
use crate::session_cookie;
use crate::token_cache::TokenCache;
use crate::verify::{self, prepare_token, Failure, Prepared, VerifiedToken};

thread_local! {
    /// The algorithms the host checks ([`setup`]), one bit per position in `Algorithm::ALL`.
    static HOST_ALGORITHMS: Cell<u32> = const { Cell::new(0) };
    /// The next host-check ticket; tickets of different instances never meet ([`setup`]).
    static NEXT_TICKET: Cell<f64> = const { Cell::new(0.0) };
}

/// How many host checks one key set holds at a time; past that, the signature is checked here.
const PENDING_LIMIT: usize = 256;

/// Tickets of one instance: `instance` × 2^32 onward.
const TICKETS_PER_INSTANCE: f64 = 4_294_967_296.0;

/// Once per instance: the algorithms the host's crypto checks (names as in a JWS header), and the
/// instance's number (its tickets are told apart from an earlier instance's).
///
/// # Errors
/// `ERR_INVALID_OPTIONS` for a name that is no algorithm.
#[wasm_bindgen]
pub fn setup(host_algorithms: Vec<String>, instance: u32) -> Result<(), VerifyError> {
    let mut bits = 0u32;
    for name in &host_algorithms {
        let position = Algorithm::from_name(name)
            .and_then(|alg| Algorithm::ALL.iter().position(|a| *a == alg))
            .and_then(|i| u32::try_from(i).ok())
            .ok_or_else(|| invalid_options(&format!("{name} is not an algorithm")))?;
        bits |= 1u32.checked_shl(position).unwrap_or(0);
    }
    HOST_ALGORITHMS.with(|cell| cell.set(bits));
    NEXT_TICKET.with(|cell| cell.set(f64::from(instance) * TICKETS_PER_INSTANCE));
    Ok(())
}

fn host_checks(alg: Algorithm) -> bool {
    let bits = HOST_ALGORITHMS.with(Cell::get);
    Algorithm::ALL
        .iter()
        .position(|a| *a == alg)
        .and_then(|i| u32::try_from(i).ok())
        .and_then(|i| bits.checked_shr(i))
        .is_some_and(|bit| bit & 1 == 1)
}

fn next_ticket() -> f64 {
    NEXT_TICKET.with(|cell| {
        let ticket = cell.get();
        cell.set(ticket + 1.0);
        ticket
    })
}

/// A host check waiting for the host's verdict.
#[derive(Debug)]
struct Pending {
    ticket: f64,
    check: verify::HostCheck,
    token_cache: bool,
}

/// A parsed key set held inside the module, with its cache of verified tokens and the host checks
/// it waits on.
#[wasm_bindgen(js_name = KeySet)]
#[derive(Debug)]
pub struct WasmKeySet {
    keys: Option<KeySet>,
    tokens: TokenCache,
    pending: Vec<Pending>,
    /// Every signature goes to the host: the set stands for a key whose material only the host
    /// holds (a non-extractable `CryptoKey`).
    host_only: bool,
}

impl WasmKeySet {
    fn of(keys: Option<KeySet>, host_only: bool) -> Self {
        Self {
            keys,
            tokens: TokenCache::new(),
            pending: Vec::new(),
            host_only,
        }
    }
}

#[wasm_bindgen(js_class = KeySet)]
impl WasmKeySet {
    /// Parses a JWKS document.
    ///
    /// # Errors
    /// A [`VerifyError`] with `ERR_JWKS_INVALID`.
    #[wasm_bindgen(constructor)]
    pub fn new(jwks_json: &str) -> Result<WasmKeySet, VerifyError> {
        KeySet::from_json(jwks_json.as_bytes())
            .map(|keys| Self::of(Some(keys), false))
            .map_err(failure)
    }

    /// The absence of a key set (the caller verifies HMAC tokens with a secret only).
    pub fn none() -> WasmKeySet {
        Self::of(None, false)
    }

    /// A set of one key whose material the host holds: `jwks_json` describes it (with stand-in
    /// material of the same type and size), and every signature goes to the host.
    ///
    /// # Errors
    /// A [`VerifyError`] with `ERR_JWKS_INVALID`.
    #[wasm_bindgen(js_name = heldByHost)]
    pub fn held_by_host(jwks_json: &str) -> Result<WasmKeySet, VerifyError> {
        KeySet::from_json(jwks_json.as_bytes())
            .map(|keys| Self::of(Some(keys), true))
            .map_err(failure)
    }

    /// How many keys the set holds.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.keys.as_ref().map_or(0, |keys| keys.keys().len())
    }

    /// Completes the host check of `ticket` ([`prepare`]) with the host's verdict: the verified
    /// token ([`verified_json`]). `undefined` when there is no such check (the instance was
    /// replaced since) or no verdict (the host could not check): then verify again.
    ///
    /// # Errors
    /// A [`VerifyError`].
    pub fn finish(
        &mut self,
        ticket: f64,
        verdict: Option<bool>,
    ) -> Result<Option<String>, VerifyError> {
        let Some(at) = self.pending.iter().position(|p| p.ticket == ticket) else {
            return Ok(None);
        };
        let pending = self.pending.swap_remove(at);
        let Some(verified) = verdict else {
            return Ok(None);
        };
        let cache = pending.token_cache.then_some(&mut self.tokens);
        let token = pending
            .check
            .complete(verified, cache)
            .map_err(VerifyError::from)?;
        Ok(Some(verified_json(&token)))
    }
}

/// An options document ([`options_document`]) read once, for every verification that uses it.
#[wasm_bindgen(js_name = Options)]
#[derive(Debug)]
pub struct WasmOptions(OptionsDocument);

#[wasm_bindgen(js_class = Options)]
impl WasmOptions {
    /// Reads the normalised options document of `js/options.ts`.
    ///
    /// # Errors
    /// `ERR_INVALID_OPTIONS`, naming the member.
    #[wasm_bindgen(constructor)]
    pub fn new(document: &str) -> Result<WasmOptions, VerifyError> {
        options_document::read(document.as_bytes())
            .map(WasmOptions)
            .map_err(|message| invalid_options(&message))
    }
}

/// A failed verification: jose's `code`, the message, and for claim errors `claim`, `reason` and
/// the payload JSON.
#[wasm_bindgen]
#[derive(Debug)]
pub struct VerifyError {
    code: &'static str,
    message: String,
    claim: Option<crate::Claim>,
    reason: Option<&'static str>,
    payload: Option<String>,
}

#[wasm_bindgen]
impl VerifyError {
    /// jose's error code, or `ERR_INVALID_OPTIONS` for options this layer could not read.
    #[wasm_bindgen(getter)]
    pub fn code(&self) -> String {
        self.code.to_owned()
    }

    /// The message.
    #[wasm_bindgen(getter)]
    pub fn message(&self) -> String {
        self.message.clone()
    }

    /// The claim, for claim errors, as UTF-16 code units: a required claim's name may hold a lone
    /// surrogate, which UTF-8 cannot carry.
    #[wasm_bindgen(getter)]
    pub fn claim(&self) -> Option<Vec<u16>> {
        self.claim.as_ref().map(crate::json::JsString::to_utf16)
    }

    /// `missing`, `check_failed` or `invalid`, for claim errors.
    #[wasm_bindgen(getter)]
    pub fn reason(&self) -> Option<String> {
        self.reason.map(str::to_owned)
    }

    /// The payload JSON, for claim errors.
    #[wasm_bindgen(getter)]
    pub fn payload(&self) -> Option<String> {
        self.payload.clone()
    }
}

impl From<Failure> for VerifyError {
    fn from(failure: Failure) -> Self {
        let Failure {
            error,
            payload_json,
        } = failure;
        Self {
            code: error.code(),
            message: error.message().to_owned(),
            claim: error.claim().cloned(),
            reason: error.reason().map(crate::Reason::as_str),
            payload: payload_json,
        }
    }
}

fn failure(error: Error) -> VerifyError {
    VerifyError::from(Failure::from(error))
}

fn invalid_options(message: &str) -> VerifyError {
    VerifyError {
        code: "ERR_INVALID_OPTIONS",
        message: message.to_owned(),
        claim: None,
        reason: None,
        payload: None,
    }
}

/// A verified token as one JSON text, `[header, payload]`: both are JSON texts the core parsed
/// (no byte-order mark left, only JSON whitespace), so the array is JSON, and `JSON.parse` of it
/// gives the two values `JSON.parse` gives each text.
fn verified_json(token: &VerifiedToken) -> String {
    let (header, payload) = (token.header_json(), token.payload_json());
    let mut text =
        String::with_capacity(header.len().saturating_add(payload.len()).saturating_add(3));
    text.push('[');
    text.push_str(header);
    text.push(',');
    text.push_str(payload);
    text.push(']');
    text
}

fn token_text(token: &[u8]) -> Result<&str, VerifyError> {
    // JS hands over a string it encoded, so this never fails; a token that is not text would be
    // no compact JWS anyway.
    std::str::from_utf8(token)
        .map_err(|_| failure(Error::JwsInvalid("the token is not UTF-8 text".to_owned())))
}

/// Verifies `token` (UTF-8) against `keys` or `secret` entirely in WebAssembly, `now` in seconds
/// since the epoch: the verified token ([`verified_json`]).
///
/// # Errors
/// A [`VerifyError`].
#[wasm_bindgen]
pub fn verify(
    token: &[u8],
    keys: &mut WasmKeySet,
    options: &mut WasmOptions,
    secret: Option<Vec<u8>>,
    now: f64,
) -> Result<String, VerifyError> {
    match run(token, keys, options, secret, now, &|_| false)? {
        (Prepared::Verified(verified), _) => Ok(verified_json(&verified)),
        (Prepared::HostCheck(_), _) => {
            Err(invalid_options("no signature is left to the host here"))
        }
    }
}

/// Verifies `token` (UTF-8) up to the signature, leaving the signatures of the algorithms given to
/// [`setup`] to the host: `[verified token]` ([`verified_json`]) when done, else `[ticket,
/// algorithm, signature, ...key positions]` (the signature decoded, as bytes; positions in the key
/// set's `keys`), for `KeySet.finish`.
///
/// # Errors
/// A [`VerifyError`].
#[wasm_bindgen]
pub fn prepare(
    token: &[u8],
    keys: &mut WasmKeySet,
    options: &mut WasmOptions,
    secret: Option<Vec<u8>>,
    now: f64,
) -> Result<Vec<JsValue>, VerifyError> {
    let room = keys.pending.len() < PENDING_LIMIT;
    let host_only = keys.host_only;
    let host = |alg: Algorithm| host_only || (room && host_checks(alg));
    match run(token, keys, options, secret, now, &host)? {
        (Prepared::Verified(verified), _) => Ok(vec![JsValue::from(verified_json(&verified))]),
        (Prepared::HostCheck(check), token_cache) => {
            let ticket = next_ticket();
            let mut answer = Vec::with_capacity(check.keys().len().saturating_add(3));
            answer.push(JsValue::from(ticket));
            answer.push(JsValue::from(check.algorithm().name()));
            answer.push(JsValue::from(check.signature().to_vec()));
            answer.extend(
                check
                    .keys()
                    .iter()
                    .filter_map(|&i| u32::try_from(i).ok())
                    .map(JsValue::from),
            );
            keys.pending.push(Pending {
                ticket,
                check,
                token_cache,
            });
            Ok(answer)
        }
    }
}

/// `prepare_token` with the document's options at `now` with `secret` (set in place for this call
/// only, not copied, and the secret not kept), leaving to the host what `host` names; with whether
/// the token cache was on.
fn run(
    token: &[u8],
    keys: &mut WasmKeySet,
    options: &mut WasmOptions,
    secret: Option<Vec<u8>>,
    now: f64,
    host: &dyn Fn(Algorithm) -> bool,
) -> Result<(Prepared, bool), VerifyError> {
    let token = token_text(token)?;
    let OptionsDocument {
        options,
        token_cache,
    } = &mut options.0;
    options.now = now;
    options.secret = secret;
    let cache = token_cache.then_some(&mut keys.tokens);
    let prepared = prepare_token(token, keys.keys.as_ref(), options, host, cache);
    options.secret = None;
    Ok((prepared?, *token_cache))
}

/// What a remote key set does before a verification (`src/remote.rs` `Plan`).
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemotePlan {
    /// Verify with the current keys.
    Use = 0,
    /// Verify with the current keys, and start a refresh.
    UseAndRefresh = 1,
    /// Fetch (or join the fetch in flight) and wait.
    Fetch = 2,
    /// No usable keys, and no fetch is due: fail.
    Fail = 3,
}

/// Why a fetch failed, as `RemoteCache.reject` records it.
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchFailure {
    /// No answer within `timeoutDuration` (`ERR_JWKS_TIMEOUT`).
    Timeout = 0,
    /// Anything else: network error, non-2xx, too large (`ERR_JWKS_FETCH_FAILED`).
    Failed = 1,
}

/// What a remote key set has done.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone)]
pub struct RemoteStats {
    /// Verifications answered from cached keys.
    pub hits: f64,
    /// Fetch attempts.
    pub fetches: f64,
    /// Failed attempts.
    pub failures: f64,
    /// Verifications answered from stale keys.
    #[wasm_bindgen(js_name = staleServed)]
    pub stale_served: f64,
    /// Keys in the cached set.
    #[wasm_bindgen(js_name = keyCount)]
    pub key_count: f64,
    /// When the last attempt finished (ms).
    #[wasm_bindgen(js_name = lastFetchAt)]
    pub last_fetch_at: Option<f64>,
    /// The last failure's code.
    #[wasm_bindgen(js_name = lastErrorCode)]
    pub last_error_code: Option<String>,
    /// The last failure's message.
    #[wasm_bindgen(js_name = lastErrorMessage)]
    pub last_error_message: Option<String>,
    /// When the last failure happened (ms).
    #[wasm_bindgen(js_name = lastErrorAt)]
    pub last_error_at: Option<f64>,
}

/// The policy of a remote key set (`src/remote.rs`); `js/remote.ts` does the fetching and
/// verifies with the `KeySet`s this hands back.
#[wasm_bindgen(js_name = RemoteCache)]
#[derive(Debug)]
pub struct WasmRemoteCache(RemoteCache);

#[wasm_bindgen(js_class = RemoteCache)]
impl WasmRemoteCache {
    /// An empty cache with these durations (milliseconds; `cache_max_age` may be infinite).
    #[wasm_bindgen(constructor)]
    pub fn new(cache_max_age: f64, cooldown: f64, stale_if_error: f64) -> WasmRemoteCache {
        WasmRemoteCache(RemoteCache::new(RemotePolicy {
            cache_max_age,
            cooldown,
            stale_if_error,
        }))
    }

    /// What to do before a verification at `now` (`fetching`: a fetch is in flight); counts a hit
    /// when the answer is to use the keys.
    pub fn serve(&mut self, now: f64, fetching: bool) -> RemotePlan {
        match self.0.serve(now, fetching) {
            Plan::Use => RemotePlan::Use,
            Plan::UseAndRefresh => RemotePlan::UseAndRefresh,
            Plan::Fetch => RemotePlan::Fetch,
            Plan::Fail => RemotePlan::Fail,
        }
    }

    /// Whether an unknown `kid` may cause a refetch now; if so, the cooldown for unknown kids
    /// counts from `now` (the caller then fetches).
    #[wasm_bindgen(js_name = claimKidRefetch)]
    pub fn claim_kid_refetch(&mut self, now: f64) -> bool {
        self.0.begin_refetch_for_unknown_kid(now)
    }

    /// Whether a fetch of any kind was attempted within the cooldown (jose's `coolingDown`).
    #[wasm_bindgen(js_name = coolingDown)]
    pub fn cooling_down(&self, now: f64) -> bool {
        self.0.cooling_down(now)
    }

    /// Whether the keys are within their max-age.
    pub fn fresh(&self, now: f64) -> bool {
        self.0.freshness(now) == crate::remote::Freshness::Fresh
    }

    /// Whether usable (fresh or stale) keys exist.
    pub fn usable(&self, now: f64) -> bool {
        self.0.keys(now).is_some()
    }

    /// Reports a 2xx response body and its `Cache-Control`: the new key set to verify with.
    ///
    /// # Errors
    /// `ERR_JWKS_FETCH_FAILED` when the body is not JSON, `ERR_JWKS_INVALID` when it is not a key
    /// set (the previous keys are kept).
    pub fn accept(
        &mut self,
        now: f64,
        body: &[u8],
        cache_control: Option<String>,
    ) -> Result<WasmKeySet, VerifyError> {
        self.0
            .accept(now, body, cache_control.as_deref())
            .map_err(failure)?;
        Ok(self.current())
    }

    /// Reports a failed attempt.
    pub fn reject(&mut self, now: f64, kind: FetchFailure, message: &str) {
        let error = match kind {
            FetchFailure::Timeout => Error::JwksTimeout(message.to_owned()),
            FetchFailure::Failed => Error::JwksFetchFailed(message.to_owned()),
        };
        self.0.reject(now, &error);
    }

    /// Seeds the cache from a store or the `initial` option: the key set when the entry was taken.
    ///
    /// # Errors
    /// `ERR_JWKS_INVALID` when `body` is not a key set.
    pub fn restore(
        &mut self,
        now: f64,
        body: &[u8],
        fetched_at: f64,
        max_age: f64,
    ) -> Result<Option<WasmKeySet>, VerifyError> {
        let taken = self
            .0
            .restore(now, body, fetched_at, max_age)
            .map_err(failure)?;
        Ok(taken.then(|| self.current()))
    }

    /// The cached key set as JSON text.
    #[wasm_bindgen(js_name = jwksJson)]
    pub fn jwks_json(&self) -> Option<String> {
        self.0.snapshot().map(|(json, _, _)| json.to_owned())
    }

    /// When the cached keys were fetched (ms), or NaN.
    #[wasm_bindgen(js_name = fetchedAt)]
    pub fn fetched_at(&self) -> f64 {
        self.0.snapshot().map_or(f64::NAN, |(_, at, _)| at)
    }

    /// The cached keys' max-age (ms), or NaN.
    #[wasm_bindgen(js_name = maxAge)]
    pub fn max_age(&self) -> f64 {
        self.0.snapshot().map_or(f64::NAN, |(_, _, age)| age)
    }

    /// The counters.
    pub fn stats(&self) -> RemoteStats {
        let stats = self.0.stats();
        let (code, message, at) = match &stats.last_error {
            Some((code, message, at)) => (Some(code.clone()), Some(message.clone()), Some(*at)),
            None => (None, None, None),
        };
        // Counters reach 2^53 only after centuries of verifications.
        #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
        let count = |n: u64| n as f64;
        #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
        let key_count = self.0.key_count() as f64;
        RemoteStats {
            hits: count(stats.hits),
            fetches: count(stats.fetches),
            failures: count(stats.failures),
            stale_served: count(stats.stale_served),
            key_count,
            last_fetch_at: stats.last_fetch_at,
            last_error_code: code,
            last_error_message: message,
            last_error_at: at,
        }
    }
}

impl WasmRemoteCache {
    /// A `KeySet` of the keys last accepted or restored, with a cache of its own.
    fn current(&self) -> WasmKeySet {
        WasmKeySet::of(self.0.current_keys().cloned(), false)
    }
}

/// `[session_data, session_token?]` found in a `Cookie` header, or `[]`. `secure_names`: `true`
/// only `__Secure-` names, `false` only plain names, `undefined` the `__Secure-` ones when present.
#[wasm_bindgen(js_name = findSessionCookies)]
pub fn find_session_cookies(
    header: &str,
    prefix: &str,
    data_name: &str,
    token_name: &str,
    secure_names: Option<bool>,
) -> Vec<String> {
    let names = match secure_names {
        Some(true) => session_cookie::CookieNames::Secure,
        Some(false) => session_cookie::CookieNames::Plain,
        None => session_cookie::CookieNames::Auto,
    };
    session_cookie::find_cookies(header, prefix, data_name, token_name, names).map_or_else(
        Vec::new,
        |found| {
            let mut values = vec![found.data];
            values.extend(found.session_token);
            values
        },
    )
}

/// `compact`, `jwt` or `jwe`, from the shape of a cookie value.
#[wasm_bindgen(js_name = detectStrategy)]
pub fn detect_strategy(value: &str) -> String {
    match session_cookie::Strategy::detect(value) {
        session_cookie::Strategy::Compact => "compact",
        session_cookie::Strategy::Jwt => "jwt",
        session_cookie::Strategy::Jwe => "jwe",
    }
    .to_owned()
}

/// The header `alg` of a JWT cookie, if it parses.
#[wasm_bindgen(js_name = sessionJwtAlg)]
pub fn session_jwt_alg(value: &str) -> Option<String> {
    crate::UntrustedToken::parse(value, &[])
        .ok()
        .map(|token| token.alg().to_text_lossy().into_owned())
}

/// Opens a secret-protected cookie cache; `undefined` when it has expired (a miss).
///
/// # Errors
/// A [`VerifyError`] for a forged, tampered or malformed cookie.
#[wasm_bindgen(js_name = openSessionData)]
pub fn open_session_data(
    value: &str,
    strategy: &str,
    secret: &[u8],
    now_ms: f64,
) -> Result<Option<String>, VerifyError> {
    let opened = match session_cookie::Strategy::from_name(strategy) {
        Some(session_cookie::Strategy::Compact) => {
            session_cookie::open_compact(value, secret, now_ms)
        }
        Some(session_cookie::Strategy::Jwt) => {
            session_cookie::open_jwt_hs256(value, secret, now_ms)
        }
        Some(session_cookie::Strategy::Jwe) => session_cookie::open_jwe(value, secret, now_ms),
        None => return Err(invalid_options("strategy must be compact, jwt or jwe")),
    }
    .map_err(failure)?;
    Ok(match opened {
        session_cookie::Opened::Miss => None,
        session_cookie::Opened::Payload(json) => Some(json),
    })
}

/// Better Auth's checks on a verified cache payload: `[session_json, user_json]`, or `undefined`
/// for a miss (version mismatch, session expired).
///
/// # Errors
/// A [`VerifyError`] when the cache is not the session's of the `session_token` cookie, or that
/// cookie's signature does not verify under `secret` (when given).
#[wasm_bindgen(js_name = checkSession)]
pub fn check_session(
    payload_json: &str,
    session_token: Option<String>,
    secret: Option<Vec<u8>>,
    version: &str,
    now_ms: f64,
    plugin_claims: bool,
) -> Result<Option<Vec<String>>, VerifyError> {
    session_cookie::check_session(
        payload_json,
        session_token.as_deref(),
        secret.as_deref(),
        version,
        now_ms,
        plugin_claims,
    )
    .map(|session| session.map(|s| vec![s.session_json, s.user_json]))
    .map_err(failure)
}

/// An unverified look at a token: `[header_json, payload_text]` (the payload may be any text).
///
/// # Errors
/// A [`VerifyError`] when the token is not a compact JWS.
#[wasm_bindgen(js_name = inspectToken)]
pub fn inspect_token(token: &str) -> Result<Vec<String>, VerifyError> {
    let untrusted = crate::UntrustedToken::parse(token, &[]).map_err(failure)?;
    let payload = untrusted
        .payload_bytes()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(failure)?;
    Ok(vec![untrusted.header_json().to_owned(), payload])
}
