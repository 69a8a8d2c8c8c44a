//! The WebAssembly boundary, and the only file that names `wasm_bindgen`. It converts and nothing
//! else: strings and bytes in, a [`KeySet`] handle, the verified header and payload JSON text out,
//! and every failure as one [`VerifyError`] object that `js/errors.ts` turns into the right class.
//!
//! Options arrive as a small JSON document that `js/options.ts` has already validated and
//! normalised (durations in seconds, single values as one-element lists), so this file only maps
//! names to fields. The last few documents are kept read ([`with_options`]): callers pass the same
//! options on every call.
//!
//! The local verification calls take the token as UTF-8 bytes (JS encodes it once and signs with
//! the same bytes) and answer the header and payload as one text, `header NUL payload`
//! ([`verified_text`]), so that a verification crosses the boundary as few times as possible.

use std::cell::Cell;

use wasm_bindgen::prelude::*;

use crate::alg::Algorithm;
use crate::claims::ClaimOptions;
use crate::error::Error;
use crate::json::{self, JsString, Object, Value};
use crate::jwks::KeySet;
use crate::remote::{Plan, RemoteCache, RemotePolicy};
use crate::session_cookie;
use crate::token_cache::TokenCache;
use crate::verify::{self, prepare_token, Failure, Prepared, VerifyOptions};

/// A parsed key set held inside the module, with its cache of tokens that verified.
#[wasm_bindgen(js_name = KeySet)]
#[derive(Debug)]
pub struct WasmKeySet(Option<KeySet>, TokenCache);

#[wasm_bindgen(js_class = KeySet)]
impl WasmKeySet {
    /// Parses a JWKS document.
    ///
    /// # Errors
    /// A [`VerifyError`] with `ERR_JWKS_INVALID`.
    #[wasm_bindgen(constructor)]
    pub fn new(jwks_json: &str) -> Result<WasmKeySet, VerifyError> {
        KeySet::from_json(jwks_json.as_bytes())
            .map(|keys| WasmKeySet(Some(keys), TokenCache::new()))
            .map_err(|error| VerifyError::from(Failure::from(error)))
    }

    /// The absence of a key set (the caller verifies HMAC tokens with a secret only).
    pub fn none() -> WasmKeySet {
        WasmKeySet(None, TokenCache::new())
    }

    /// How many keys the set holds.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.0.as_ref().map_or(0, |keys| keys.keys().len())
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

    /// The claim, for claim errors, as a JSON string literal: a required claim's name may hold a
    /// lone surrogate, which only JSON carries across (see `json::MARK`).
    #[wasm_bindgen(getter)]
    pub fn claim(&self) -> Option<String> {
        self.claim.as_ref().map(JsString::to_json)
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

fn invalid_options(message: &str) -> VerifyError {
    VerifyError {
        code: "ERR_INVALID_OPTIONS",
        message: message.to_owned(),
        claim: None,
        reason: None,
        payload: None,
    }
}

/// Verifies `token` (UTF-8) against `keys` or `secret`. `options_json` is the normalised options
/// document; `now` is seconds since the epoch. Answers the header and payload as one text (see
/// [`verified_text`]).
///
/// # Errors
/// A [`VerifyError`].
#[wasm_bindgen]
pub fn verify(
    token: &[u8],
    keys: &mut WasmKeySet,
    secret: Option<Vec<u8>>,
    options_json: &str,
    now: f64,
) -> Result<String, VerifyError> {
    only_result(prepare(token, keys, secret, options_json, now, 0)?)
}

/// `header NUL payload`: the protected header and payload JSON texts of a verified token in one
/// string. Neither contains U+0000: both are JSON texts the core parsed, where a raw control
/// character can only be whitespace (tab, line feed, carriage return).
fn verified_text(token: &crate::VerifiedToken) -> String {
    let (header, payload) = (token.header_json(), token.payload_json());
    let mut text =
        String::with_capacity(header.len().saturating_add(payload.len()).saturating_add(1));
    text.push_str(header);
    text.push('\0');
    text.push_str(payload);
    text
}

/// A verification prepared up to the signature (`src/verify.rs` `prepare_token`): either already
/// verified, or the algorithm and the positions of the keys the host should try, with both
/// outcomes held here until the host answers (`finishText`, `RemoteCache.finish`), so nothing is
/// parsed twice.
#[wasm_bindgen]
#[derive(Debug)]
pub struct HostCheck {
    verified: Option<crate::VerifiedToken>,
    algorithm: Algorithm,
    pending: Option<verify::HostCheck>,
    use_cache: bool,
    /// The remote set's generation when prepared (0 for a local set).
    generation: u32,
}

#[wasm_bindgen]
impl HostCheck {
    /// The result as `header NUL payload` ([`verified_text`]), when no host check is needed
    /// (taken once).
    #[wasm_bindgen(js_name = takeVerifiedText)]
    pub fn take_verified_text(&mut self) -> Option<String> {
        self.verified.take().map(|token| verified_text(&token))
    }

    /// What the host checks, in one crossing: the algorithm's position in `Algorithm::ALL`, then
    /// the positions in the key set of the keys to try. Empty when nothing is left to the host.
    pub fn plan(&self) -> Vec<u32> {
        let Some(pending) = &self.pending else {
            return Vec::new();
        };
        let alg = Algorithm::ALL
            .iter()
            .position(|a| *a == self.algorithm)
            .and_then(|i| u32::try_from(i).ok());
        alg.into_iter()
            .chain(pending.keys().iter().filter_map(|&i| u32::try_from(i).ok()))
            .collect()
    }

    /// Completes a verification against a local key set with the host's answer (once), as
    /// `header NUL payload` ([`verified_text`]).
    ///
    /// # Errors
    /// A [`VerifyError`].
    #[wasm_bindgen(js_name = finishText)]
    pub fn finish_text(
        &mut self,
        keys: &mut WasmKeySet,
        host_verified: bool,
    ) -> Result<String, VerifyError> {
        let cache = self.use_cache.then_some(&mut keys.1);
        let token = self.complete_token(host_verified, cache)?;
        Ok(verified_text(&token))
    }
}

impl HostCheck {
    fn complete_token(
        &mut self,
        host_verified: bool,
        cache: Option<&mut TokenCache>,
    ) -> Result<crate::VerifiedToken, VerifyError> {
        let pending = self
            .pending
            .take()
            .ok_or_else(|| invalid_options("this verification was already finished"))?;
        Ok(pending.complete(host_verified, cache)?)
    }
}

/// `mask` has bit `i` set when the host verifies `Algorithm::ALL[i]` natively.
fn host_mask(mask: u32) -> impl Fn(Algorithm) -> bool {
    move |alg| {
        Algorithm::ALL
            .iter()
            .position(|a| *a == alg)
            .and_then(|i| u32::try_from(i).ok())
            .and_then(|i| mask.checked_shr(i))
            .is_some_and(|bits| bits & 1 == 1)
    }
}

fn host_check(prepared: Prepared, use_cache: bool, generation: u32) -> HostCheck {
    match prepared {
        Prepared::Verified(token) => HostCheck {
            algorithm: token.algorithm(),
            verified: Some(token),
            pending: None,
            use_cache,
            generation,
        },
        Prepared::HostCheck(pending) => HostCheck {
            verified: None,
            algorithm: pending.algorithm(),
            pending: Some(pending),
            use_cache,
            generation,
        },
    }
}

/// Runs a verification of `token` (UTF-8) up to the signature, leaving the algorithms in `mask`
/// to the host.
///
/// # Errors
/// A [`VerifyError`].
#[wasm_bindgen]
pub fn prepare(
    token: &[u8],
    keys: &mut WasmKeySet,
    secret: Option<Vec<u8>>,
    options_json: &str,
    now: f64,
    mask: u32,
) -> Result<HostCheck, VerifyError> {
    // JS hands over a string it encoded, so this never fails; a token that is not text would be
    // no compact JWS anyway.
    let token = std::str::from_utf8(token).map_err(|_| {
        VerifyError::from(Failure::from(Error::JwsInvalid(
            "the token is not UTF-8 text".to_owned(),
        )))
    })?;
    with_options(options_json, now, secret, |options, use_cache| {
        let WasmKeySet(set, tokens) = keys;
        let cache = use_cache.then_some(tokens);
        let prepared = prepare_token(token, set.as_ref(), options, &host_mask(mask), cache)?;
        Ok(host_check(prepared, use_cache, 0))
    })
}

/// An options document as read, with whether the token cache is on.
#[derive(Debug)]
struct ReadOptions {
    json: String,
    options: VerifyOptions,
    use_cache: bool,
}

/// How many options documents stay read.
const OPTIONS_KEPT: usize = 4;

thread_local! {
    /// The options documents read most recently, newest first (never holding a secret).
    static RECENT_OPTIONS: Cell<Vec<ReadOptions>> = const { Cell::new(Vec::new()) };
}

/// Runs `run` with the options of `options_json` at `now` with `secret`, and whether the token
/// cache is on (`tokenCache`, default true). A document read recently is not read again: the
/// options depend on its text alone, and the time and the secret are set for this call only.
fn with_options<T>(
    options_json: &str,
    now: f64,
    secret: Option<Vec<u8>>,
    run: impl FnOnce(&VerifyOptions, bool) -> Result<T, VerifyError>,
) -> Result<T, VerifyError> {
    let mut read = recall_options(options_json)?;
    read.options.now = now;
    read.options.secret = secret;
    let outcome = run(&read.options, read.use_cache);
    keep_options(read);
    outcome
}

/// The options of `options_json`: taken out of the recent ones, or read now. Not inlined, so the
/// callers of the generic [`with_options`] share one copy.
#[inline(never)]
fn recall_options(options_json: &str) -> Result<ReadOptions, VerifyError> {
    let mut recent = RECENT_OPTIONS.with(Cell::take);
    let found = recent
        .iter()
        .position(|read| read.json == options_json)
        .map(|i| recent.remove(i));
    RECENT_OPTIONS.with(|cell| cell.set(recent));
    found.map_or_else(|| read_options(options_json), Ok)
}

/// Keeps `read` (without its secret) as the most recent options.
#[inline(never)]
fn keep_options(mut read: ReadOptions) {
    read.options.secret = None;
    let mut recent = RECENT_OPTIONS.with(Cell::take);
    recent.insert(0, read);
    recent.truncate(OPTIONS_KEPT);
    RECENT_OPTIONS.with(|cell| cell.set(recent));
}

/// Reads an options document.
fn read_options(options_json: &str) -> Result<ReadOptions, VerifyError> {
    let document = json::parse_object(options_json.as_bytes())
        .map_err(|_| invalid_options("the options document is not a JSON object"))?;
    let options = read_options_document(&document)?;
    let use_cache = match document.get("tokenCache") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(on)) => *on,
        Some(_) => return Err(invalid_options("tokenCache must be a boolean")),
    };
    Ok(ReadOptions {
        json: options_json.to_owned(),
        options,
        use_cache,
    })
}

/// The state of a remote key set (`src/remote.rs`); `js/remote.ts` does the fetching.
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

    /// 0: use the keys; 1: use them and start a refresh; 2: fetch and wait; 3: fail.
    pub fn plan(&self, now: f64, fetching: bool) -> u8 {
        match self.0.plan(now, fetching) {
            Plan::Use => 0,
            Plan::UseAndRefresh => 1,
            Plan::Fetch => 2,
            Plan::Fail => 3,
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

    /// Reports a 2xx response body and its `Cache-Control`.
    ///
    /// # Errors
    /// `ERR_JWKS_INVALID` when the body is not a key set (the previous keys are kept).
    pub fn accept(
        &mut self,
        now: f64,
        body: &[u8],
        cache_control: Option<String>,
    ) -> Result<(), VerifyError> {
        self.0
            .accept(now, body, cache_control.as_deref())
            .map_err(|error| VerifyError::from(Failure::from(error)))
    }

    /// Reports a failed attempt with its code (`ERR_JWKS_TIMEOUT` or `ERR_JWKS_FETCH_FAILED`).
    pub fn reject(&mut self, now: f64, code: &str, message: &str) {
        let error = if code == "ERR_JWKS_TIMEOUT" {
            Error::JwksTimeout(message.to_owned())
        } else {
            Error::JwksFetchFailed(message.to_owned())
        };
        self.0.reject(now, &error);
    }

    /// Seeds the cache from a store or the `initial` option; true when the entry was taken.
    ///
    /// # Errors
    /// `ERR_JWKS_INVALID` when `body` is not a key set.
    pub fn restore(
        &mut self,
        now: f64,
        body: &[u8],
        fetched_at: f64,
        max_age: f64,
    ) -> Result<bool, VerifyError> {
        self.0
            .restore(now, body, fetched_at, max_age)
            .map_err(|error| VerifyError::from(Failure::from(error)))
    }

    /// Verifies with the cached keys (the caller planned first). `clock` is the cache time in
    /// milliseconds, `now` the claim time in seconds.
    ///
    /// # Errors
    /// A [`VerifyError`]; `ERR_JWKS_FETCH_FAILED` if no usable keys exist.
    pub fn verify(
        &mut self,
        token: &str,
        secret: Option<Vec<u8>>,
        options_json: &str,
        clock: f64,
        now: f64,
    ) -> Result<String, VerifyError> {
        only_result(self.prepare(token, secret, options_json, clock, now, 0)?)
    }

    /// [`prepare`] with the cached keys (`clock` in ms for the cache, `now` in s for claims).
    ///
    /// # Errors
    /// A [`VerifyError`]; `ERR_JWKS_FETCH_FAILED` if no usable keys exist.
    pub fn prepare(
        &mut self,
        token: &str,
        secret: Option<Vec<u8>>,
        options_json: &str,
        clock: f64,
        now: f64,
        mask: u32,
    ) -> Result<HostCheck, VerifyError> {
        with_options(options_json, now, secret, |options, use_cache| {
            let generation = self.0.generation();
            let (keys, tokens) = self
                .0
                .keys_for_verification(clock)
                .ok_or_else(no_usable_keys)?;
            let prepared = prepare_token(
                token,
                Some(keys),
                options,
                &host_mask(mask),
                use_cache.then_some(tokens),
            )?;
            Ok(host_check(prepared, use_cache, generation))
        })
    }

    /// Completes `check` (prepared by [`Self::prepare`]) with the host's answer, as
    /// `header NUL payload` ([`verified_text`]). The verified token joins the token cache only if
    /// the key set is still the one it was checked against.
    ///
    /// # Errors
    /// A [`VerifyError`].
    pub fn finish(
        &mut self,
        check: &mut HostCheck,
        clock: f64,
        host_verified: bool,
    ) -> Result<String, VerifyError> {
        let same_set = self.0.generation() == check.generation;
        let cache = match self.0.keys_and_tokens(clock) {
            Some((_, tokens)) if same_set && check.use_cache => Some(tokens),
            _ => None,
        };
        let token = check.complete_token(host_verified, cache)?;
        Ok(verified_text(&token))
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

    /// Changes whenever the cached key set is replaced.
    pub fn generation(&self) -> u32 {
        self.0.generation()
    }

    /// The cached keys' max-age (ms), or NaN.
    #[wasm_bindgen(js_name = maxAge)]
    pub fn max_age(&self) -> f64 {
        self.0.snapshot().map_or(f64::NAN, |(_, _, age)| age)
    }

    /// The counters as JSON.
    #[wasm_bindgen(js_name = statsJson)]
    pub fn stats_json(&self) -> String {
        let stats = self.0.stats();
        let keys = self.0.key_count();
        let mut out = format!(
            "{{\"hits\":{},\"fetches\":{},\"failures\":{},\"staleServed\":{},\"keyCount\":{keys}",
            stats.hits, stats.fetches, stats.failures, stats.stale_served
        );
        if let Some(at) = stats.last_fetch_at {
            out.push_str(&format!(",\"lastFetchAt\":{}", json_number(at)));
        }
        if let Some((code, message, at)) = &stats.last_error {
            out.push_str(&format!(
                ",\"lastError\":{{\"code\":{},\"message\":{},\"at\":{}}}",
                json::quote(code),
                json::quote(message),
                json_number(*at)
            ));
        }
        out.push('}');
        out
    }
}

/// The result of a preparation that left nothing to the host (mask 0 never does).
fn only_result(mut check: HostCheck) -> Result<String, VerifyError> {
    check
        .take_verified_text()
        .ok_or_else(|| invalid_options("the signature was left to a host provider"))
}

fn no_usable_keys() -> VerifyError {
    VerifyError::from(Failure::from(Error::JwksFetchFailed(
        "the remote key set has no usable keys".to_owned(),
    )))
}

/// A finite time in whole milliseconds for the stats document (non-finite becomes 0).
fn json_number(value: f64) -> String {
    if value.is_finite() {
        // `as` from f64 saturates and never panics; the value is a timestamp for display.
        #[allow(clippy::as_conversions, clippy::cast_possible_truncation)]
        let whole = value.round() as i64;
        whole.to_string()
    } else {
        "0".to_owned()
    }
}

/// Maps the normalised options document onto [`VerifyOptions`]. Absent members keep defaults.
fn read_options_document(document: &Object) -> Result<VerifyOptions, VerifyError> {
    Ok(VerifyOptions {
        algorithms: string_list(document, "algorithms")?,
        crit: crit(document)?,
        claims: ClaimOptions {
            issuer: string_list(document, "issuer")?,
            audience: string_list(document, "audience")?,
            subject: string(document, "subject")?,
            typ: string(document, "typ")?,
            clock_tolerance: number(document, "clockTolerance")?.unwrap_or(0.0),
            max_token_age: number(document, "maxTokenAge")?,
            required_claims: string_list(document, "requiredClaims")?.unwrap_or_default(),
        },
        ..VerifyOptions::default()
    })
}

fn string(document: &Object, name: &str) -> Result<Option<JsString>, VerifyError> {
    match document.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid_options(&format!("{name} must be a string"))),
    }
}

fn number(document: &Object, name: &str) -> Result<Option<f64>, VerifyError> {
    match document.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(Some(*n)),
        Some(_) => Err(invalid_options(&format!("{name} must be a number"))),
    }
}

fn string_list(document: &Object, name: &str) -> Result<Option<Vec<JsString>>, VerifyError> {
    match document.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_js().cloned())
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| invalid_options(&format!("{name} must be a list of strings"))),
        Some(_) => Err(invalid_options(&format!("{name} must be a list"))),
    }
}

fn crit(document: &Object) -> Result<Vec<(JsString, bool)>, VerifyError> {
    match document.get("crit") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(names)) => names
            .iter()
            .map(|(name, protected)| protected.as_bool().map(|p| (name.clone(), p)))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid_options("crit must map names to booleans")),
        Some(_) => Err(invalid_options("crit must be an object")),
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
    .map_err(|error| VerifyError::from(Failure::from(error)))?;
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
    .map_err(|error| VerifyError::from(Failure::from(error)))
}

/// An unverified look at a token: `[header_json, payload_text]` (the payload may be any text).
///
/// # Errors
/// A [`VerifyError`] when the token is not a compact JWS.
#[wasm_bindgen(js_name = inspectToken)]
pub fn inspect_token(token: &str) -> Result<Vec<String>, VerifyError> {
    let untrusted = crate::UntrustedToken::parse(token, &[])
        .map_err(|error| VerifyError::from(Failure::from(error)))?;
    let payload = untrusted
        .payload_bytes()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|error| VerifyError::from(Failure::from(error)))?;
    Ok(vec![untrusted.header_json().to_owned(), payload])
}
