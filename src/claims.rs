//! Claim checks with jose's semantics and order (`validateClaimsSet` in jose 6.2.17): `typ`, then
//! presence, then `iss`, `sub`, `aud`, then the types and values of `iat`, `nbf`, `exp`, then
//! `maxTokenAge`. Times are seconds; `now` is passed in (there is no clock in the core).

use crate::error::{Error, Reason};
use crate::json::{JsString, Object, Value};

/// What the caller requires of the claims. Every field is optional; the default checks only the
/// time claims that are present (`exp`, `nbf`, and `iat`'s type). Strings are JavaScript strings,
/// compared as `===` compares them (from Rust text: `"api".into()`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimOptions {
    /// `iss` must be present and equal one of these.
    pub issuer: Option<Vec<JsString>>,
    /// `aud` must be present; a string `aud` must be one of these, an array `aud` must contain one.
    pub audience: Option<Vec<JsString>>,
    /// `sub` must be present and equal this.
    pub subject: Option<JsString>,
    /// The header `typ` must equal this, case-insensitively, `application/` optional.
    pub typ: Option<JsString>,
    /// Seconds of clock skew allowed for `exp`, `nbf`, and `iat` under `max_token_age`.
    pub clock_tolerance: f64,
    /// `iat` must be present and no older than this many seconds, and not in the future.
    pub max_token_age: Option<f64>,
    /// These claims must be present (a `null` value counts as present).
    pub required_claims: Vec<JsString>,
}

/// Checks `payload` (and the header's `typ`) against `options` at time `now` (seconds).
///
/// # Errors
/// [`Error::Expired`] for `exp`, or `iat` older than `max_token_age`; [`Error::ClaimInvalid`] for
/// every other failed check, with the claim and the reason.
pub fn validate(
    header: &Object,
    payload: &Object,
    options: &ClaimOptions,
    now: f64,
) -> Result<(), Error> {
    if let Some(expected) = &options.typ {
        let matches = header
            .get_js("typ")
            .is_some_and(|typ| normalize_typ(typ) == normalize_typ(expected));
        if !matches {
            return Err(Error::claim_failed(
                "typ",
                Reason::CheckFailed,
                format!(
                    "the \"typ\" header is {}; expected {:?}",
                    describe(header.get("typ")),
                    expected.to_text_lossy()
                ),
            ));
        }
    }

    check_presence(payload, options)?;

    if let Some(issuers) = &options.issuer {
        let iss = payload.get_js("iss");
        if !iss.is_some_and(|iss| issuers.contains(iss)) {
            return Err(unexpected(payload, "iss", issuers));
        }
    }
    if let Some(subject) = &options.subject {
        if payload.get_js("sub") != Some(subject) {
            return Err(unexpected(payload, "sub", std::slice::from_ref(subject)));
        }
    }
    if let Some(audiences) = &options.audience {
        let accepted = match payload.get("aud") {
            Some(Value::String(aud)) => audiences.contains(aud),
            Some(Value::Array(items)) => audiences
                .iter()
                .any(|a| items.iter().any(|item| item.as_js() == Some(a))),
            _ => false,
        };
        if !accepted {
            return Err(unexpected(payload, "aud", audiences));
        }
    }

    let tolerance = options.clock_tolerance;
    let iat = numeric_date(payload, "iat")?;
    if let Some(nbf) = numeric_date(payload, "nbf")? {
        if nbf > now + tolerance {
            return Err(Error::claim_failed(
                "nbf",
                Reason::CheckFailed,
                format!(
                    "the token is not valid before {}, {} after the current time {}",
                    whole(nbf),
                    seconds(nbf - now),
                    whole(now)
                ),
            ));
        }
    }
    if let Some(exp) = numeric_date(payload, "exp")? {
        if exp <= now - tolerance {
            return Err(Error::expired(
                "exp",
                format!(
                    "the token expired at {}, {} before the current time {}",
                    whole(exp),
                    seconds(now - exp),
                    whole(now)
                ),
            ));
        }
    }
    if let (Some(max_age), Some(iat)) = (options.max_token_age, iat) {
        let age = now - iat;
        if age - tolerance > max_age {
            return Err(Error::expired(
                "iat",
                format!(
                    "the token was issued {} ago; at most {} is allowed",
                    seconds(age),
                    seconds(max_age)
                ),
            ));
        }
        if age < -tolerance {
            return Err(Error::claim_failed(
                "iat",
                Reason::CheckFailed,
                format!("the token's \"iat\" is {} in the future", seconds(-age)),
            ));
        }
    }
    Ok(())
}

/// jose's order: the list `requiredClaims + [iat, aud, sub, iss]` reversed, first occurrence kept.
fn check_presence(payload: &Object, options: &ClaimOptions) -> Result<(), Error> {
    // The claims the options imply (the list's tail), already reversed and all distinct.
    let implied = [
        ("iss", options.issuer.is_some()),
        ("sub", options.subject.is_some()),
        ("aud", options.audience.is_some()),
        ("iat", options.max_token_age.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, implied)| implied.then_some(JsString::from_static(name)));
    let reversed = || {
        implied
            .clone()
            .chain(options.required_claims.iter().rev().cloned())
    };
    for (position, name) in reversed().enumerate() {
        let seen_before = reversed().take(position).any(|n| n == name);
        if !seen_before && !payload.contains(&name) {
            let message = format!("the required {:?} claim is missing", name.to_text_lossy());
            return Err(Error::claim_failed(name, Reason::Missing, message));
        }
    }
    Ok(())
}

/// A time claim: absent is `None`; present and not a JSON number is an error (CVE-2026-25537).
fn numeric_date(payload: &Object, claim: &str) -> Result<Option<f64>, Error> {
    match payload.get(claim) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(Some(*n)),
        Some(other) => Err(Error::claim_failed(
            claim,
            Reason::Invalid,
            format!(
                "the {claim:?} claim must be a number; found {}",
                kind(other)
            ),
        )),
    }
}

/// (On the [`crate::json::MARK`] encoding, lowercasing changes exactly what `toLowerCase` does.)
fn normalize_typ(typ: &JsString) -> String {
    let typ = typ.as_marked();
    let lower = typ.to_lowercase();
    if typ.contains('/') {
        lower
    } else {
        format!("application/{lower}")
    }
}

fn unexpected(payload: &Object, claim: &str, expected: &[JsString]) -> Error {
    let expected: Vec<String> = expected
        .iter()
        .take(8)
        .map(|e| format!("{:?}", e.to_text_lossy()))
        .collect();
    Error::claim_failed(
        claim,
        Reason::CheckFailed,
        format!(
            "the {claim:?} claim is {}; expected {}",
            describe(payload.get(claim)),
            if expected.is_empty() {
                "one of an empty list".to_owned()
            } else {
                expected.join(" or ")
            }
        ),
    )
}

/// A short, bounded description of a claim value for messages.
fn describe(value: Option<&Value>) -> String {
    match value {
        None => "absent".to_owned(),
        Some(Value::String(s)) => format!(
            "{:?}",
            s.to_text_lossy().chars().take(80).collect::<String>()
        ),
        Some(Value::Array(items)) => {
            let shown: Vec<String> = items.iter().take(4).map(|v| describe(Some(v))).collect();
            let more = if items.len() > 4 { ", ..." } else { "" };
            format!("[{}{more}]", shown.join(", "))
        }
        Some(other) => kind(other).to_owned(),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A time in whole seconds for messages. Printing an `f64` would pull the float formatter (about
/// 20 KiB of WebAssembly) into the module for nothing.
fn whole(value: f64) -> String {
    if value.is_finite() {
        // `as` from f64 saturates and never panics; the value is only displayed.
        #[allow(clippy::as_conversions, clippy::cast_possible_truncation)]
        let rounded = value.round() as i64;
        rounded.to_string()
    } else {
        "infinity".to_owned()
    }
}

/// "3 minutes", "2 hours", "45 seconds": rounded, for messages.
fn seconds(value: f64) -> String {
    let abs = value.abs();
    let (amount, unit) = if !abs.is_finite() {
        return "forever".to_owned();
    } else if abs < 120.0 {
        (abs, "second")
    } else if abs < 7200.0 {
        (abs / 60.0, "minute")
    } else if abs < 172_800.0 {
        (abs / 3600.0, "hour")
    } else {
        (abs / 86400.0, "day")
    };
    let rounded = amount.round();
    let plural = if (rounded - 1.0).abs() < f64::EPSILON {
        ""
    } else {
        "s"
    };
    format!("{rounded} {unit}{plural}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::json::parse_object;

    const NOW: f64 = 1_700_000_000.0;

    fn check(payload: &str, options: &ClaimOptions) -> Result<(), Error> {
        check_with_header(r#"{"alg":"EdDSA","typ":"JWT"}"#, payload, options)
    }

    fn check_with_header(header: &str, payload: &str, options: &ClaimOptions) -> Result<(), Error> {
        let header = parse_object(header.as_bytes()).unwrap();
        let payload = parse_object(payload.as_bytes()).unwrap();
        validate(&header, &payload, options, NOW)
    }

    fn failure(payload: &str, options: &ClaimOptions) -> (&'static str, String, &'static str) {
        let err = check(payload, options).unwrap_err();
        (
            err.code(),
            err.claim().unwrap().to_string(),
            err.reason().unwrap().as_str(),
        )
    }

    #[test]
    fn exp_boundaries() {
        let none = ClaimOptions::default();
        assert_eq!(
            failure(r#"{"exp":1700000000}"#, &none),
            ("ERR_JWT_EXPIRED", "exp".into(), "check_failed")
        );
        assert!(check(r#"{"exp":1700000001}"#, &none).is_ok());
        assert!(check(r#"{"exp":1e400}"#, &none).is_ok());
        let tol = ClaimOptions {
            clock_tolerance: 30.0,
            ..ClaimOptions::default()
        };
        assert!(check(r#"{"exp":1699999971}"#, &tol).is_ok());
        assert!(check(r#"{"exp":1699999970}"#, &tol).is_err());
        assert_eq!(
            failure(r#"{"exp":"9999999999"}"#, &none),
            ("ERR_JWT_CLAIM_VALIDATION_FAILED", "exp".into(), "invalid")
        );
    }

    #[test]
    fn nbf_and_iat() {
        let none = ClaimOptions::default();
        assert!(check(r#"{"nbf":1700000000}"#, &none).is_ok());
        assert_eq!(
            failure(r#"{"nbf":1700000001}"#, &none),
            (
                "ERR_JWT_CLAIM_VALIDATION_FAILED",
                "nbf".into(),
                "check_failed"
            )
        );
        assert_eq!(failure(r#"{"iat":null}"#, &none).2, "invalid");
        assert!(
            check(r#"{"iat":1800000000}"#, &none).is_ok(),
            "future iat ok without maxTokenAge"
        );
        let max = ClaimOptions {
            max_token_age: Some(60.0),
            ..ClaimOptions::default()
        };
        assert!(check(r#"{"iat":1699999940}"#, &max).is_ok());
        assert_eq!(
            failure(r#"{"iat":1699999939}"#, &max),
            ("ERR_JWT_EXPIRED", "iat".into(), "check_failed")
        );
        assert_eq!(
            failure(r#"{"iat":1700000001}"#, &max),
            (
                "ERR_JWT_CLAIM_VALIDATION_FAILED",
                "iat".into(),
                "check_failed"
            )
        );
        assert_eq!(
            failure("{}", &max),
            ("ERR_JWT_CLAIM_VALIDATION_FAILED", "iat".into(), "missing")
        );
        let zero = ClaimOptions {
            max_token_age: Some(0.0),
            ..ClaimOptions::default()
        };
        assert!(check(r#"{"iat":1700000000}"#, &zero).is_ok());
        assert!(check(r#"{"iat":1699999999}"#, &zero).is_err());
    }

    #[test]
    fn iss_sub_aud() {
        let opts = ClaimOptions {
            issuer: Some(vec!["a".into(), "b".into()]),
            audience: Some(vec!["x".into()]),
            subject: Some("u".into()),
            ..ClaimOptions::default()
        };
        assert!(check(r#"{"iss":"b","aud":"x","sub":"u"}"#, &opts).is_ok());
        assert!(check(r#"{"iss":"a","aud":["y","x"],"sub":"u"}"#, &opts).is_ok());
        assert_eq!(
            failure(r#"{"iss":"c","aud":"x","sub":"u"}"#, &opts).1,
            "iss"
        );
        assert_eq!(
            failure(r#"{"iss":"a","aud":123,"sub":"u"}"#, &opts).1,
            "aud"
        );
        assert_eq!(
            failure(r#"{"iss":"a","aud":"x","sub":"v"}"#, &opts).1,
            "sub"
        );
        // Presence runs first, in the order iss, sub, aud.
        assert_eq!(
            failure(r#"{"aud":"x"}"#, &opts),
            ("ERR_JWT_CLAIM_VALIDATION_FAILED", "iss".into(), "missing")
        );
        assert_eq!(failure(r#"{"iss":"q","aud":"x"}"#, &opts).1, "sub");
        let empty = ClaimOptions {
            audience: Some(vec![]),
            ..ClaimOptions::default()
        };
        assert!(check(r#"{"aud":"x"}"#, &empty).is_err());
    }

    #[test]
    fn required_and_typ() {
        let req = ClaimOptions {
            required_claims: vec!["a".into(), "b".into()],
            ..ClaimOptions::default()
        };
        assert!(check(r#"{"a":null,"b":0}"#, &req).is_ok());
        assert_eq!(failure(r#"{"a":1}"#, &req).1, "b");
        assert_eq!(failure("{}", &req).1, "b", "jose checks the reversed list");
        let typ = |t: &str| ClaimOptions {
            typ: Some(t.into()),
            ..ClaimOptions::default()
        };
        assert!(check("{}", &typ("jwt")).is_ok());
        assert!(check("{}", &typ("application/JWT")).is_ok());
        assert!(check_with_header(r#"{"typ":"at+jwt"}"#, "{}", &typ("application/at+jwt")).is_ok());
        assert_eq!(failure("{}", &typ("at+jwt")).1, "typ");
        assert!(check_with_header(r#"{"typ":1}"#, "{}", &typ("JWT")).is_err());
    }

    #[test]
    fn presence_follows_the_reversed_list_with_duplicates() {
        // jose's list is requiredClaims + [iat, aud, sub, iss], checked reversed, each name once.
        let jose_first_missing = |required: &[&str], implied: &[&str], present: &[&str]| {
            let list: Vec<&str> = required.iter().chain(implied).copied().collect();
            list.iter()
                .rev()
                .find(|name| !present.contains(name))
                .map(|name| (*name).to_owned())
        };
        let names = ["iss", "sub", "aud", "iat", "x"];
        for required in [
            &[][..],
            &["iss", "x", "iss", "y"],
            &["x", "aud", "x"],
            &["iat"],
        ] {
            for implied_mask in 0..16u32 {
                let on = |bit: u32| implied_mask & (1 << bit) != 0;
                let options = ClaimOptions {
                    issuer: on(0).then(Vec::new),
                    subject: on(1).then(JsString::default),
                    audience: on(2).then(Vec::new),
                    max_token_age: on(3).then_some(1.0),
                    required_claims: required.iter().map(|n| JsString::from(*n)).collect(),
                    ..ClaimOptions::default()
                };
                let implied: Vec<&str> = [(3, "iat"), (2, "aud"), (1, "sub"), (0, "iss")]
                    .into_iter()
                    .filter(|(bit, _)| on(*bit))
                    .map(|(_, name)| name)
                    .collect();
                for present_mask in 0..32u32 {
                    let present: Vec<&str> = (0..5)
                        .filter(|bit| present_mask & (1 << bit) != 0)
                        .map(|bit| names[bit])
                        .collect();
                    let mut payload = Object::default();
                    for name in &present {
                        payload.insert((*name).into(), Value::Null);
                    }
                    let got = match check_presence(&payload, &options) {
                        Ok(()) => None,
                        Err(err) => Some(err.claim().map(ToString::to_string).unwrap_or_default()),
                    };
                    assert_eq!(
                        got,
                        jose_first_missing(required, &implied, &present),
                        "{required:?} {implied:?} {present:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn messages_explain() {
        let err = check(r#"{"exp":1699999820}"#, &ClaimOptions::default()).unwrap_err();
        assert!(err.message().contains("3 minutes"), "{}", err.message());
        let opts = ClaimOptions {
            audience: Some(vec!["api".into()]),
            ..ClaimOptions::default()
        };
        let err = check(r#"{"aud":"web"}"#, &opts).unwrap_err();
        assert!(err.message().contains("\"web\"") && err.message().contains("\"api\""));
    }
}
