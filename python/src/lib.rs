//! The Python boundary (`edge_jwt._native`), as `src/wasm.rs` is the JavaScript one: it converts
//! and nothing else. Strings and bytes in; the verified header and payload JSON text out; every
//! failure as the `edge_jwt.errors` class of its jose code (built by `errors._from_core`). Options arrive already validated and
//! normalised by `edge_jwt/_options.py` (seconds, lists). Verification runs with the GIL released.

use std::sync::Mutex;

use edge_jwt::claims::ClaimOptions;
use edge_jwt::json::JsString;
use edge_jwt::native::{verify_native_detailed, NativeKeySet};
use edge_jwt::remote::{Freshness, Plan, RemoteCache as CoreRemoteCache, RemotePolicy};
use edge_jwt::session_cookie;
use edge_jwt::verify::{verify_token_detailed, Failure, VerifiedToken, VerifyOptions};
use edge_jwt::Error;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The `edge_jwt.errors` class for a failure (`errors._from_core` picks it from the code and
/// fills `claim`, `reason` and `payload`).
fn core_error(failure: Failure) -> PyErr {
    let error = failure.error;
    let args = (
        error.code(),
        error.message().to_owned(),
        error
            .claim()
            .map(|claim| claim.to_text_lossy().into_owned()),
        error.reason().map(|reason| reason.as_str()),
        failure.payload_json,
    );
    Python::attach(|py| {
        match py
            .import("edge_jwt.errors")
            .and_then(|errors| errors.getattr("_from_core"))
            .and_then(|make| make.call1((args,)))
        {
            Ok(instance) => PyErr::from_value(instance),
            Err(err) => err,
        }
    })
}

fn poisoned() -> PyErr {
    PyRuntimeError::new_err("edge_jwt: a lock was poisoned by an earlier panic")
}

/// Which crypto checks public-key signatures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Provider {
    /// `ring` behind the host-check seam.
    Native,
    /// The core's own pure-Rust code (the wasm path).
    Rust,
}

fn provider(name: &str) -> PyResult<Provider> {
    match name {
        "native" => Ok(Provider::Native),
        "rust" => Ok(Provider::Rust),
        other => Err(PyValueError::new_err(format!(
            "provider must be \"native\" or \"rust\", not {other:?}"
        ))),
    }
}

/// A parsed key set (`edge_jwt.KeySet`).
#[pyclass(frozen, module = "edge_jwt", name = "KeySet")]
struct KeySet {
    keys: NativeKeySet,
}

#[pymethods]
impl KeySet {
    /// Parses a JWKS document: its JSON text (str or UTF-8 bytes) or the parsed dict.
    #[staticmethod]
    fn from_json(py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text: Vec<u8> = if let Ok(text) = jwks.extract::<String>() {
            text.into_bytes()
        } else if let Ok(bytes) = jwks.extract::<Vec<u8>>() {
            bytes
        } else if jwks.is_instance_of::<PyDict>() {
            py.import("json")?
                .call_method1("dumps", (jwks,))?
                .extract::<String>()?
                .into_bytes()
        } else {
            return Err(PyTypeError::new_err(
                "KeySet.from_json takes the JWKS as JSON text (str or bytes) or a dict",
            ));
        };
        py.detach(|| NativeKeySet::from_json(&text))
            .map(|keys| Self { keys })
            .map_err(|error| core_error(error.into()))
    }

    fn __len__(&self) -> usize {
        self.keys.keys().keys().len()
    }

    fn __repr__(&self) -> String {
        format!("KeySet({} keys)", self.keys.keys().keys().len())
    }
}

/// Normalised options, made once per distinct set of options on the Python side.
#[pyclass(frozen, module = "edge_jwt._native")]
struct Options {
    options: VerifyOptions,
}

#[pymethods]
impl Options {
    #[new]
    #[pyo3(signature = (*, secret=None, algorithms=None, issuer=None, audience=None, subject=None,
        typ=None, clock_tolerance=0.0, max_token_age=None, required_claims=Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        secret: Option<Vec<u8>>,
        algorithms: Option<Vec<String>>,
        issuer: Option<Vec<String>>,
        audience: Option<Vec<String>>,
        subject: Option<String>,
        typ: Option<String>,
        clock_tolerance: f64,
        max_token_age: Option<f64>,
        required_claims: Vec<String>,
    ) -> Self {
        let js = |texts: Vec<String>| texts.into_iter().map(JsString::from).collect::<Vec<_>>();
        Self {
            options: VerifyOptions {
                now: 0.0,
                algorithms: algorithms.map(js),
                crit: Vec::new(),
                secret,
                claims: ClaimOptions {
                    issuer: issuer.map(js),
                    audience: audience.map(js),
                    subject: subject.map(JsString::from),
                    typ: typ.map(JsString::from),
                    clock_tolerance,
                    max_token_age,
                    required_claims: js(required_claims),
                },
            },
        }
    }
}

fn verified_text(verified: &VerifiedToken) -> (String, String) {
    (
        verified.header_json().to_owned(),
        verified.payload_json().to_owned(),
    )
}

/// Verifies `token` with `keys` (or `options.secret`) at `now` (seconds since the epoch); returns
/// the header and payload JSON text.
#[pyfunction]
#[pyo3(signature = (token, keys, options, now, provider_name="native"))]
fn verify(
    py: Python<'_>,
    token: String,
    keys: Option<PyRef<'_, KeySet>>,
    options: PyRef<'_, Options>,
    now: f64,
    provider_name: &str,
) -> PyResult<(String, String)> {
    let provider = provider(provider_name)?;
    let keys = keys.as_deref().map(|set| &set.keys);
    let mut options = options.options.clone();
    options.now = now;
    py.detach(|| match provider {
        Provider::Native => verify_native_detailed(&token, keys, &options, None),
        Provider::Rust => verify_token_detailed(&token, keys.map(NativeKeySet::keys), &options),
    })
    .map(|verified| verified_text(&verified))
    .map_err(core_error)
}

/// The state of one remote key set (`src/remote.rs`) and the native form of its current keys.
struct RemoteState {
    cache: CoreRemoteCache,
    /// The native key set built from the cache's keys, with the cache generation it was built for.
    native: Option<(u32, NativeKeySet)>,
}

impl RemoteState {
    /// The native key set matching the cache's current keys (rebuilt when they changed).
    fn refresh_native(&mut self) {
        let generation = self.cache.generation();
        if self
            .native
            .as_ref()
            .is_some_and(|(built, _)| *built == generation)
        {
            return;
        }
        self.native = self.cache.snapshot().and_then(|(json, _, _)| {
            NativeKeySet::from_json(json.as_bytes())
                .ok()
                .map(|keys| (generation, keys))
        });
    }
}

/// The I/O-free remote key set cache; `edge_jwt/remote.py` does the fetching.
#[pyclass(frozen, module = "edge_jwt._native")]
struct RemoteCache {
    state: Mutex<RemoteState>,
}

fn plan_name(plan: Plan) -> &'static str {
    match plan {
        Plan::Use => "use",
        Plan::UseAndRefresh => "use_and_refresh",
        Plan::Fetch => "fetch",
        Plan::Fail => "fail",
    }
}

impl RemoteCache {
    fn with<T>(&self, f: impl FnOnce(&mut RemoteState) -> T) -> PyResult<T> {
        let mut state = self.state.lock().map_err(|_| poisoned())?;
        Ok(f(&mut state))
    }
}

#[pymethods]
impl RemoteCache {
    /// Durations in milliseconds (`inf` allowed for the max-age and the stale window).
    #[new]
    fn new(cache_max_age: f64, cooldown: f64, stale_if_error: f64) -> Self {
        Self {
            state: Mutex::new(RemoteState {
                cache: CoreRemoteCache::new(RemotePolicy {
                    cache_max_age,
                    cooldown,
                    stale_if_error,
                }),
                native: None,
            }),
        }
    }

    /// `"use"`, `"use_and_refresh"`, `"fetch"` or `"fail"`.
    fn plan(&self, now: f64, fetching: bool) -> PyResult<&'static str> {
        self.with(|state| plan_name(state.cache.plan(now, fetching)))
    }

    /// Whether an unknown `kid` may cause a refetch now; if so, the cooldown for unknown kids
    /// counts from `now` (the caller then fetches and reports it with `accept` or `reject`).
    fn claim_kid_refetch(&self, now: f64) -> PyResult<bool> {
        self.with(|state| state.cache.begin_refetch_for_unknown_kid(now))
    }

    fn cooling_down(&self, now: f64) -> PyResult<bool> {
        self.with(|state| state.cache.cooling_down(now))
    }

    fn fresh(&self, now: f64) -> PyResult<bool> {
        self.with(|state| state.cache.freshness(now) == Freshness::Fresh)
    }

    fn usable(&self, now: f64) -> PyResult<bool> {
        self.with(|state| state.cache.keys(now).is_some())
    }

    /// Reports a 2xx response. Raises the coded error when the body is not a key set.
    #[pyo3(signature = (now, body, cache_control=None))]
    fn accept(&self, now: f64, body: Vec<u8>, cache_control: Option<String>) -> PyResult<()> {
        self.with(|state| state.cache.accept(now, &body, cache_control.as_deref()))?
            .map_err(|error| core_error(error.into()))
    }

    /// Reports a failed attempt with its code (`ERR_JWKS_TIMEOUT` or `ERR_JWKS_FETCH_FAILED`).
    fn reject(&self, now: f64, code: &str, message: String) -> PyResult<()> {
        let error = if code == "ERR_JWKS_TIMEOUT" {
            Error::JwksTimeout(message)
        } else {
            Error::JwksFetchFailed(message)
        };
        self.with(|state| state.cache.reject(now, &error))
    }

    /// Seeds the cache (the `initial` keys); true when they were taken.
    fn restore(&self, now: f64, body: Vec<u8>, fetched_at: f64, max_age: f64) -> PyResult<bool> {
        self.with(|state| state.cache.restore(now, &body, fetched_at, max_age))?
            .map_err(|error| core_error(error.into()))
    }

    /// The cached key set as JSON text.
    fn jwks_json(&self) -> PyResult<Option<String>> {
        self.with(|state| state.cache.snapshot().map(|(json, _, _)| json.to_owned()))
    }

    /// The counters, as a dict.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (stats, key_count) =
            self.with(|state| (state.cache.stats().clone(), state.cache.key_count()))?;
        let dict = PyDict::new(py);
        dict.set_item("hits", stats.hits)?;
        dict.set_item("fetches", stats.fetches)?;
        dict.set_item("failures", stats.failures)?;
        dict.set_item("stale_served", stats.stale_served)?;
        dict.set_item("key_count", key_count)?;
        dict.set_item("last_fetch_at", stats.last_fetch_at)?;
        match stats.last_error {
            Some((code, message, at)) => {
                let last = PyDict::new(py);
                last.set_item("code", code)?;
                last.set_item("message", message)?;
                last.set_item("at", at)?;
                dict.set_item("last_error", last)?;
            }
            None => dict.set_item("last_error", py.None())?,
        }
        Ok(dict)
    }

    /// Verifies with the cached keys (counting a hit), at cache time `clock` (ms) and claim time
    /// `now` (s). Raises the coded error; `ERR_JWKS_NO_MATCHING_KEY` lets the caller refetch.
    #[pyo3(signature = (token, options, clock, now, provider_name="native"))]
    fn verify(
        &self,
        py: Python<'_>,
        token: String,
        options: PyRef<'_, Options>,
        clock: f64,
        now: f64,
        provider_name: &str,
    ) -> PyResult<(String, String)> {
        let provider = provider(provider_name)?;
        let mut options = options.options.clone();
        options.now = now;
        let result = py.detach(|| {
            let mut state = self.state.lock().map_err(|_| None)?;
            state.refresh_native();
            let RemoteState { cache, native } = &mut *state;
            let Some((keys, tokens)) = cache.keys_for_verification(clock) else {
                return Err(Some(Failure::from(Error::JwksFetchFailed(
                    "no usable keys are cached".to_owned(),
                ))));
            };
            match provider {
                Provider::Native => verify_native_detailed(
                    &token,
                    native.as_ref().map(|(_, keys)| keys),
                    &options,
                    Some(tokens),
                ),
                Provider::Rust => verify_token_detailed(&token, Some(keys), &options),
            }
            .map_err(Some)
        });
        match result {
            Ok(verified) => Ok(verified_text(&verified)),
            Err(Some(failure)) => Err(core_error(failure)),
            Err(None) => Err(poisoned()),
        }
    }
}

/// `(session_data, session_token)` found in a `Cookie` header (chunks joined), or `None`.
/// `secure_names`: `True` only the `__Secure-` names, `False` only the plain names, `None` the
/// `__Secure-` names when any of them is present, else the plain ones.
#[pyfunction]
#[pyo3(signature = (header, prefix, data_name, token_name, secure_names=None))]
fn find_session_cookies(
    header: &str,
    prefix: &str,
    data_name: &str,
    token_name: &str,
    secure_names: Option<bool>,
) -> Option<(String, Option<String>)> {
    let names = match secure_names {
        Some(true) => session_cookie::CookieNames::Secure,
        Some(false) => session_cookie::CookieNames::Plain,
        None => session_cookie::CookieNames::Auto,
    };
    session_cookie::find_cookies(header, prefix, data_name, token_name, names)
        .map(|found| (found.data, found.session_token))
}

/// `compact`, `jwt` or `jwe`, from the shape of a cookie value.
#[pyfunction]
fn detect_strategy(value: &str) -> &'static str {
    match session_cookie::Strategy::detect(value) {
        session_cookie::Strategy::Compact => "compact",
        session_cookie::Strategy::Jwt => "jwt",
        session_cookie::Strategy::Jwe => "jwe",
    }
}

/// The header `alg` of a JWT cookie, if it parses.
#[pyfunction]
fn session_jwt_alg(value: &str) -> Option<String> {
    edge_jwt::UntrustedToken::parse(value, &[])
        .ok()
        .map(|token| token.alg().to_text_lossy().into_owned())
}

/// Opens a secret-protected cookie cache: its payload JSON, or `None` when it has expired.
#[pyfunction]
fn open_session_data(
    py: Python<'_>,
    value: String,
    strategy: &str,
    secret: Vec<u8>,
    now_ms: f64,
) -> PyResult<Option<String>> {
    let strategy = session_cookie::Strategy::from_name(strategy)
        .ok_or_else(|| PyValueError::new_err("strategy must be compact, jwt or jwe"))?;
    let opened = py
        .detach(|| match strategy {
            session_cookie::Strategy::Compact => {
                session_cookie::open_compact(&value, &secret, now_ms)
            }
            session_cookie::Strategy::Jwt => {
                session_cookie::open_jwt_hs256(&value, &secret, now_ms)
            }
            session_cookie::Strategy::Jwe => session_cookie::open_jwe(&value, &secret, now_ms),
        })
        .map_err(|error| core_error(error.into()))?;
    Ok(match opened {
        session_cookie::Opened::Miss => None,
        session_cookie::Opened::Payload(json) => Some(json),
    })
}

/// Better Auth's checks on a verified cache payload: `(session_json, user_json)`, or `None` for a
/// miss (version mismatch or not a string, session expired or its `expiresAt` not in
/// `Date.toJSON`'s form). With `secret`, the `session_token` cookie's signature is verified.
#[pyfunction]
#[pyo3(signature = (payload_json, session_token, secret, version, now_ms, plugin_claims))]
fn check_session(
    payload_json: &str,
    session_token: Option<&str>,
    secret: Option<Vec<u8>>,
    version: &str,
    now_ms: f64,
    plugin_claims: bool,
) -> PyResult<Option<(String, String)>> {
    session_cookie::check_session(
        payload_json,
        session_token,
        secret.as_deref(),
        version,
        now_ms,
        plugin_claims,
    )
    .map(|session| session.map(|s| (s.session_json, s.user_json)))
    .map_err(|error| core_error(error.into()))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<KeySet>()?;
    m.add_class::<Options>()?;
    m.add_class::<RemoteCache>()?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(find_session_cookies, m)?)?;
    m.add_function(wrap_pyfunction!(detect_strategy, m)?)?;
    m.add_function(wrap_pyfunction!(session_jwt_alg, m)?)?;
    m.add_function(wrap_pyfunction!(open_session_data, m)?)?;
    m.add_function(wrap_pyfunction!(check_session, m)?)?;
    Ok(())
}
