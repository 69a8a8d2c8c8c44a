//! Better Auth's cookie cache (`session_data`), read and verified without the database: the
//! cookies found in a `Cookie` header (chunks `.0`, `.1`, ... joined), each strategy opened
//! (`compact`: HMAC-SHA256; `jwt`: HS256 with the secret, or the JWT plugin's keys through
//! [`crate::verify`]; `jwe`: `dir` + A256CBC-HS512 with the HKDF-derived key), then the checks
//! Better Auth's server makes: the cache belongs to the `session_token` cookie sent with it, its
//! version matches, and neither the cache nor the embedded session has expired.
//!
//! An expired or out-of-version cache is a miss ([`Opened::Miss`], `None`), for the caller to fall
//! back on; a forged or tampered cookie is an [`Error`].

use crate::base64url;
use crate::crypto::{self, jwe};
use crate::error::{Error, Reason};
use crate::json::{self, Object, Value};
use crate::token;
use crate::verify::{verify_token, VerifyOptions};
use crate::Algorithm;

/// The most chunks joined (Better Auth writes at most 100).
pub const MAX_CHUNKS: usize = 100;
/// The clock tolerance Better Auth applies to `jwt` and `jwe` cookies, in seconds.
pub const CLOCK_TOLERANCE_SECONDS: f64 = 15.0;
/// The `typ` of JWT-plugin-signed session cookies.
pub const SESSION_CACHE_TYP: &str = "better-auth.session-cache+jwt";
/// The `aud` of JWT-plugin-signed session cookies.
pub const SESSION_CACHE_AUDIENCE: &str = "better-auth:session-cache";

/// How the cookie cache was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// base64url JSON with an HMAC-SHA256 signature (Better Auth's default).
    Compact,
    /// A JWT: HS256 with the secret, or signed by the JWT plugin's keys.
    Jwt,
    /// A JWE (`dir`, A256CBC-HS512) under a key derived from the secret.
    Jwe,
}

impl Strategy {
    /// The strategy a cookie value has the shape of: 5 segments JWE, 3 JWT, otherwise compact.
    #[must_use]
    pub fn detect(value: &str) -> Self {
        match value.split('.').count() {
            5 => Self::Jwe,
            3 => Self::Jwt,
            _ => Self::Compact,
        }
    }

    /// The strategy named `name` (`compact`, `jwt`, `jwe`).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "compact" => Some(Self::Compact),
            "jwt" => Some(Self::Jwt),
            "jwe" => Some(Self::Jwe),
            _ => None,
        }
    }
}

/// The two cookies a verification needs, as found in a `Cookie` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCookies {
    /// The `session_data` value, chunks joined.
    pub data: String,
    /// The `session_token` value, percent-decoded, if sent.
    pub session_token: Option<String>,
}

/// Finds `<prefix>.<data_name>` (or its `__Secure-` form, preferred) and `<prefix>.<token_name>`
/// in a `Cookie` header. `None` when there is no `session_data` cookie.
#[must_use]
pub fn find_cookies(
    header: &str,
    prefix: &str,
    data_name: &str,
    token_name: &str,
) -> Option<SessionCookies> {
    let pairs: Vec<(&str, &str)> = header
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.trim(), value.trim().trim_matches('"')))
        .collect();
    let names = |name: &str| {
        [
            format!("__Secure-{prefix}.{name}"),
            format!("{prefix}.{name}"),
        ]
    };
    let data = names(data_name)
        .iter()
        .find_map(|name| read_chunked(&pairs, name))?;
    let session_token = names(token_name).iter().find_map(|name| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| percent_decode(value))
    });
    Some(SessionCookies {
        data,
        session_token,
    })
}

/// The value of `name`, or of its chunks `name.0`, `name.1`, ... joined in order (stopping at the
/// first missing index).
fn read_chunked(pairs: &[(&str, &str)], name: &str) -> Option<String> {
    if let Some((_, value)) = pairs.iter().find(|(n, _)| *n == name) {
        return Some((*value).to_owned());
    }
    let mut joined = String::new();
    for index in 0..MAX_CHUNKS {
        let chunk = format!("{name}.{index}");
        match pairs.iter().find(|(n, _)| *n == chunk) {
            Some((_, value)) => joined.push_str(value),
            None if index == 0 => return None,
            None => break,
        }
    }
    Some(joined)
}

/// `%XX` sequences decoded (cookie values are `encodeURIComponent`-ed); invalid ones kept as is.
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&first, tail)) = rest.split_first() {
        let decoded = match (first, tail) {
            (b'%', [h, l, ..]) => char::from(*h)
                .to_digit(16)
                .zip(char::from(*l).to_digit(16))
                .and_then(|(h, l)| u8::try_from((h << 4) | l).ok()),
            _ => None,
        };
        match (decoded, tail.get(2..)) {
            (Some(byte), Some(after)) => {
                out.push(byte);
                rest = after;
            }
            _ => {
                out.push(first);
                rest = tail;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| value.to_owned())
}

/// What opening a cookie gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    /// The cache has expired: not an error, a miss.
    Miss,
    /// The verified payload, as JSON text.
    Payload(String),
}

/// Opens a `compact` cookie: base64url JSON `{"session":..., "expiresAt":ms, "signature":...}`
/// whose signature is HMAC-SHA256 over the `session` text with `"expiresAt"` appended.
///
/// # Errors
/// [`Error::JwsInvalid`] for a malformed value, [`Error::SignatureInvalid`] for a bad signature.
pub fn open_compact(value: &str, secret: &[u8], now_ms: f64) -> Result<Opened, Error> {
    let bytes = base64url::decode_str(value)
        .map_err(|err| Error::JwsInvalid(format!("the compact cookie is not base64url ({err})")))?;
    let text = token::utf8_text(bytes)
        .ok_or_else(|| Error::JwsInvalid("the compact cookie is not UTF-8".to_owned()))?;
    let spans = json::object_member_spans(&text).map_err(|err| {
        Error::JwsInvalid(format!("the compact cookie is not a JSON object ({err})"))
    })?;
    let raw = |name: &str| {
        spans
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, range)| text.get(range.clone()))
    };
    let (Some(session), Some(expires_at), Some(signature)) =
        (raw("session"), raw("expiresAt"), raw("signature"))
    else {
        return Err(Error::JwsInvalid(
            "the compact cookie lacks session, expiresAt or signature".to_owned(),
        ));
    };
    let signature = json::parse(signature.as_bytes())
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .and_then(|s| base64url::decode_str(&s).ok())
        .ok_or_else(|| {
            Error::JwsInvalid("the compact cookie's signature is malformed".to_owned())
        })?;
    let expires = json::parse(expires_at.as_bytes())
        .ok()
        .and_then(|v| v.as_f64())
        .ok_or_else(|| {
            Error::JwsInvalid("the compact cookie's expiresAt is not a number".to_owned())
        })?;
    let body = session.strip_suffix('}').ok_or_else(|| {
        Error::JwsInvalid("the compact cookie's session is not an object".to_owned())
    })?;
    let separator = if body.trim_end().ends_with('{') {
        ""
    } else {
        ","
    };
    let message = format!("{body}{separator}\"expiresAt\":{expires_at}}}");
    crypto::hmac::verify(Algorithm::Hs256, secret, message.as_bytes(), &signature).map_err(|_| {
        Error::SignatureInvalid(
            "the compact session cookie's signature does not verify (wrong secret, or the cookie was altered)"
                .to_owned(),
        )
    })?;
    if expires <= now_ms {
        return Ok(Opened::Miss);
    }
    Ok(Opened::Payload(session.to_owned()))
}

/// Opens a `jwt` cookie signed with HS256 and the secret. An expired one is a miss.
///
/// # Errors
/// The verification error of a forged or malformed token.
pub fn open_jwt_hs256(value: &str, secret: &[u8], now_ms: f64) -> Result<Opened, Error> {
    let mut options = VerifyOptions::at((now_ms / 1000.0).floor());
    options.algorithms = Some(vec!["HS256".to_owned()]);
    options.secret = Some(secret.to_owned());
    options.claims.clock_tolerance = CLOCK_TOLERANCE_SECONDS;
    match verify_token(value, None, &options) {
        Ok(verified) => Ok(Opened::Payload(verified.payload_json().to_owned())),
        Err(Error::Expired { .. }) => Ok(Opened::Miss),
        Err(error) => Err(error),
    }
}

/// The HKDF parameters of Better Auth's session JWE key.
const JWE_SALT: &[u8] = b"better-auth-session";
const JWE_INFO: &[u8] = b"BetterAuth.js Generated Encryption Key";

/// Opens a `jwe` cookie with the key Better Auth derives from the secret. An expired one
/// (`exp` past, 15 s tolerance) is a miss.
///
/// # Errors
/// [`Error::JweInvalid`], [`Error::JweDecryptionFailed`], [`Error::JwtInvalid`] (not a claims
/// object), or a claim error for a non-number `exp`.
pub fn open_jwe(value: &str, secret: &[u8], now_ms: f64) -> Result<Opened, Error> {
    let key = jwe::hkdf_sha256_64(secret, JWE_SALT, JWE_INFO)?;
    let opened = jwe::open_dir_a256cbc_hs512(value, &key)?;
    let text = token::utf8_text(opened.plaintext)
        .ok_or_else(|| Error::JwtInvalid("the JWE payload is not UTF-8".to_owned()))?;
    let claims = json::parse_object(text.as_bytes()).map_err(|err| {
        Error::JwtInvalid(format!("the JWE payload is not a JSON object ({err})"))
    })?;
    match claims.get("exp") {
        Some(Value::Number(exp)) if exp * 1000.0 <= now_ms - CLOCK_TOLERANCE_SECONDS * 1000.0 => {
            return Ok(Opened::Miss);
        }
        None | Some(Value::Number(_)) => {}
        Some(_) => {
            return Err(Error::claim_failed(
                "exp",
                Reason::Invalid,
                "the \"exp\" claim must be a number".to_owned(),
            ))
        }
    }
    Ok(Opened::Payload(text))
}

/// A session read from a verified cookie.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// The `session` object as JSON text.
    pub session_json: String,
    /// The `user` object as JSON text.
    pub user_json: String,
}

/// The checks Better Auth's server makes on a verified cache payload: it has `session` and `user`
/// objects, it belongs to the `session_token` cookie sent with it, its `version` matches (else a
/// miss), and the embedded `session.expiresAt` has not passed (else a miss). For JWT-plugin-signed
/// cookies (`plugin_claims`), also `sub` = `user.id` and `sid` = `session.token`.
///
/// # Errors
/// [`Error::JwtInvalid`] for a payload without the objects; [`Error::ClaimInvalid`] (claim
/// `session_token`, `sub` or `sid`) when the cache is not this session's.
pub fn check_session(
    payload_json: &str,
    session_token: Option<&str>,
    version: &str,
    now_ms: f64,
    plugin_claims: bool,
) -> Result<Option<Session>, Error> {
    let payload = json::parse_object(payload_json.as_bytes()).map_err(|err| {
        Error::JwtInvalid(format!("the session cache is not a JSON object ({err})"))
    })?;
    let (Some(Value::Object(session)), Some(Value::Object(user))) =
        (payload.get("session"), payload.get("user"))
    else {
        return Err(Error::JwtInvalid(
            "the session cache has no session and user objects".to_owned(),
        ));
    };
    let found_version = match payload.get("version") {
        None => "1".to_owned(),
        Some(Value::String(v)) => v.clone(),
        Some(Value::Number(n)) => json_number_text(*n),
        Some(_) => String::new(),
    };
    if found_version != version {
        return Ok(None);
    }
    let cached_token = session.get_str("token");
    let Some(cookie_token) = session_token else {
        return Err(Error::claim_failed(
            "session_token",
            Reason::Missing,
            "the session_token cookie is missing; the cache is only valid next to its session"
                .to_owned(),
        ));
    };
    // The cookie is `token.signature`: the token is the part before the last dot.
    let token_part = cookie_token
        .rsplit_once('.')
        .map_or(cookie_token, |(t, _)| t);
    if cached_token != Some(token_part) {
        return Err(Error::claim_failed(
            "session_token",
            Reason::CheckFailed,
            "the session cache belongs to another session than the session_token cookie sent with it"
                .to_owned(),
        ));
    }
    if plugin_claims {
        check_plugin_claims(&payload, session, user)?;
    }
    if let Some(expires) = session.get("expiresAt").and_then(time_ms) {
        if expires <= now_ms {
            return Ok(None);
        }
    }
    Ok(Some(Session {
        session_json: to_json(session),
        user_json: to_json(user),
    }))
}

fn check_plugin_claims(payload: &Object, session: &Object, user: &Object) -> Result<(), Error> {
    if payload.get_str("sub").is_none() || payload.get_str("sub") != user.get_str("id") {
        return Err(Error::claim_failed(
            "sub",
            Reason::CheckFailed,
            "the session cookie's \"sub\" is not its user's id".to_owned(),
        ));
    }
    if payload.get_str("sid").is_none() || payload.get_str("sid") != session.get_str("token") {
        return Err(Error::claim_failed(
            "sid",
            Reason::CheckFailed,
            "the session cookie's \"sid\" is not its session's token".to_owned(),
        ));
    }
    Ok(())
}

/// A time as Better Auth serialises it: an ISO 8601 UTC string (`Date.toJSON`) or milliseconds.
fn time_ms(value: &Value) -> Option<f64> {
    match value {
        Value::Number(ms) => Some(*ms),
        Value::String(text) => iso_utc_ms(text),
        _ => None,
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]Z` as milliseconds since the epoch.
fn iso_utc_ms(text: &str) -> Option<f64> {
    let text = text.strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut d = date.splitn(3, '-');
    let (year, month, day) = (d.next()?, d.next()?, d.next()?);
    let (hms, fraction) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.splitn(3, ':');
    let (hour, minute, second) = (t.next()?, t.next()?, t.next()?);
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, dd) = (number(year)?, number(month)?, number(day)?);
    let (h, mi, s) = (number(hour)?, number(minute)?, number(second)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&dd) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let millis = number(
        &format!("{fraction:0<3}")
            .chars()
            .take(3)
            .collect::<String>(),
    )?;
    // Days from the civil date (Howard Hinnant's algorithm), in checked integer arithmetic.
    let y = if m <= 2 { y.checked_sub(1)? } else { y };
    let era = y.checked_div(400)?;
    let yoe = y.checked_sub(era.checked_mul(400)?)?;
    let mp = if m > 2 {
        m.checked_sub(3)?
    } else {
        m.checked_add(9)?
    };
    let doy = mp
        .checked_mul(153)?
        .checked_add(2)?
        .checked_div(5)?
        .checked_add(dd.checked_sub(1)?)?;
    let doe = yoe
        .checked_mul(365)?
        .checked_add(yoe.checked_div(4)?)?
        .checked_sub(yoe.checked_div(100)?)?
        .checked_add(doy)?;
    let days = era
        .checked_mul(146_097)?
        .checked_add(doe)?
        .checked_sub(719_468)?;
    let seconds = days
        .checked_mul(86_400)?
        .checked_add(h.checked_mul(3600)?)?
        .checked_add(mi.checked_mul(60)?)?
        .checked_add(s)?;
    let ms = seconds.checked_mul(1000)?.checked_add(millis)?;
    // Timestamps in range are exact in f64 (|ms| < 2^53).
    #[allow(clippy::as_conversions, clippy::cast_precision_loss)]
    Some(ms as f64)
}

fn json_number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        // Exact for integers in this range; only used to compare a version number as text.
        #[allow(clippy::as_conversions, clippy::cast_possible_truncation)]
        let whole = n as i64;
        whole.to_string()
    } else {
        String::new()
    }
}

/// Serialises a parsed object back to JSON (for the session and user objects handed to the caller).
fn to_json(object: &Object) -> String {
    let mut out = String::new();
    write_object(object, &mut out);
    out
}

fn write_object(object: &Object, out: &mut String) {
    out.push('{');
    let mut first = true;
    for (name, value) in object.iter() {
        // Later duplicates win, as in JSON.parse: skip a member that appears again later.
        if !std::ptr::eq(object.get(name).unwrap_or(value), value) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&json::quote(name));
        out.push(':');
        write_value(value, out);
    }
    out.push('}');
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_finite() => out.push_str(&n.to_string()),
        Value::Number(_) => out.push_str("null"),
        Value::String(s) => out.push_str(&json::quote(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(object) => write_object(object, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_chunks() {
        let header = "a=1; better-auth.session_data.1=CD; better-auth.session_data.0=AB; better-auth.session_token=tok%2Ex.sig%3D";
        let found = find_cookies(header, "better-auth", "session_data", "session_token").unwrap();
        assert_eq!(found.data, "ABCD");
        assert_eq!(found.session_token.as_deref(), Some("tok.x.sig="));
        let secure = "__Secure-my.session_data=S; my.session_data=P; __Secure-my.session_token=t";
        let found = find_cookies(secure, "my", "session_data", "session_token").unwrap();
        assert_eq!(
            (found.data.as_str(), found.session_token.as_deref()),
            ("S", Some("t"))
        );
        assert!(find_cookies("x=1", "better-auth", "session_data", "session_token").is_none());
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso_utc_ms("1970-01-01T00:00:00.000Z"), Some(0.0));
        assert_eq!(
            iso_utc_ms("2026-11-23T08:00:00.250Z"),
            Some(1_795_420_800_250.0)
        );
        assert_eq!(iso_utc_ms("2000-03-01T00:00:00Z"), Some(951_868_800_000.0));
        assert_eq!(iso_utc_ms("2026-11-23T08:00:00+01:00"), None);
        assert_eq!(iso_utc_ms("2026-13-01T00:00:00Z"), None);
    }

    #[test]
    fn compact_signature_over_raw_text() {
        let secret = b"better-auth-secret-12345678901234567890";
        let session = r#"{"session":{"token":"t1","expiresAt":"2099-01-01T00:00:00.000Z"},"user":{"id":"u1"},"updatedAt":1,"version":"1"}"#;
        let message = format!(
            "{},\"expiresAt\":5000}}",
            session.strip_suffix('}').unwrap()
        );
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret).unwrap();
        mac.update(message.as_bytes());
        let sig = base64url::encode(&mac.finalize().into_bytes());
        let cookie = base64url::encode(
            format!(r#"{{"session":{session},"expiresAt":5000,"signature":"{sig}"}}"#).as_bytes(),
        );
        assert_eq!(
            open_compact(&cookie, secret, 4000.0).unwrap(),
            Opened::Payload(session.to_owned())
        );
        assert_eq!(open_compact(&cookie, secret, 5000.0).unwrap(), Opened::Miss);
        assert_eq!(
            open_compact(&cookie, b"other", 4000.0).unwrap_err().code(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
        );
        let checked = check_session(session, Some("t1.sig"), "1", 4000.0, false)
            .unwrap()
            .unwrap();
        assert_eq!(checked.user_json, r#"{"id":"u1"}"#);
        let err = check_session(session, Some("t2.sig"), "1", 4000.0, false).unwrap_err();
        assert_eq!(
            (err.code(), err.claim()),
            ("ERR_JWT_CLAIM_VALIDATION_FAILED", Some("session_token"))
        );
        assert!(check_session(session, None, "1", 4000.0, false).is_err());
        assert_eq!(
            check_session(session, Some("t1.s"), "2", 4000.0, false).unwrap(),
            None
        );
        assert_eq!(
            check_session(session, Some("t1.s"), "1", 4.2e12, false).unwrap(),
            None
        );
    }
}
