//! Better Auth's cookie cache (`session_data`), read and verified without the database: the
//! cookies found in a `Cookie` header (chunks `.0`, `.1`, ... joined), each strategy opened
//! (`compact`: HMAC-SHA256; `jwt`: HS256 with the secret, or the JWT plugin's keys through
//! [`crate::verify`]; `jwe`: `dir` + A256CBC-HS512 with the HKDF-derived key), then the checks
//! Better Auth's server makes: the cache belongs to the `session_token` cookie sent with it, its
//! version matches, and neither the cache nor the embedded session has expired. When the secret is
//! known, the `session_token` cookie's own signature (better-call's signed cookie:
//! `<token>.<base64 HMAC-SHA256(secret, token)>`) is verified too, as Better Auth's server does.
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

/// Which cookie names are read: Better Auth writes `__Secure-<prefix>.<name>` when its base URL is
/// `https` (or `advanced.useSecureCookies`), and `<prefix>.<name>` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieNames {
    /// Only the `__Secure-` names: plain-named cookies (which a sibling subdomain or a plain-HTTP
    /// page can set) are never read.
    Secure,
    /// Only the plain names.
    Plain,
    /// The `__Secure-` names when any of them is present, else the plain ones: a plain-named
    /// cookie is never read beside a `__Secure-` one (cookie tossing).
    Auto,
}

/// The two cookies a verification needs, as found in a `Cookie` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCookies {
    /// The `session_data` value, chunks joined.
    pub data: String,
    /// The `session_token` value, percent-decoded, if sent.
    pub session_token: Option<String>,
}

/// Finds `<prefix>.<data_name>` and `<prefix>.<token_name>` in a `Cookie` header, under the names
/// `names` allows (both from the same family: never a `__Secure-` one with a plain one). `None` when
/// there is no `session_data` cookie.
#[must_use]
pub fn find_cookies(
    header: &str,
    prefix: &str,
    data_name: &str,
    token_name: &str,
    names: CookieNames,
) -> Option<SessionCookies> {
    let pairs: Vec<(&str, &str)> = header
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.trim(), value.trim().trim_matches('"')))
        .collect();
    let secure_prefix = format!("__Secure-{prefix}.");
    let secure = match names {
        CookieNames::Secure => true,
        CookieNames::Plain => false,
        CookieNames::Auto => pairs.iter().any(|(n, _)| {
            n.strip_prefix(secure_prefix.as_str())
                .is_some_and(|rest| rest.starts_with(data_name) || rest == token_name)
        }),
    };
    let name_of = |name: &str| {
        if secure {
            format!("{secure_prefix}{name}")
        } else {
            format!("{prefix}.{name}")
        }
    };
    let data = read_chunked(&pairs, &name_of(data_name))?;
    let token_name = name_of(token_name);
    let session_token = pairs
        .iter()
        .find(|(n, _)| *n == token_name)
        .map(|(_, value)| percent_decode(value));
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
    options.algorithms = Some(vec!["HS256".into()]);
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

/// The length of a `session_token` cookie's signature: standard base64 of 32 bytes, padded.
const TOKEN_SIGNATURE_LEN: usize = 44;

/// The session token of a `session_token` cookie value (percent-decoded), its signature verified
/// as better-call's `getSignedCookie` does: `<token>.<signature>`, split at the last `.`, a
/// non-empty token, a 44-character padded standard base64 signature of HMAC-SHA256(secret, token).
///
/// # Errors
/// [`Error::JwsInvalid`] for a value that is not signed, [`Error::SignatureInvalid`] for a signature
/// that does not verify.
pub fn verify_session_token<'a>(value: &'a str, secret: &[u8]) -> Result<&'a str, Error> {
    let unsigned = || {
        Error::JwsInvalid(
            "the session_token cookie is not signed (Better Auth signs it as <token>.<signature>)"
                .to_owned(),
        )
    };
    let (token, signature) = value.rsplit_once('.').ok_or_else(unsigned)?;
    if token.is_empty() || signature.len() != TOKEN_SIGNATURE_LEN || !signature.ends_with('=') {
        return Err(unsigned());
    }
    let forged = || {
        Error::SignatureInvalid(
            "the session_token cookie's signature does not verify (wrong secret, or the cookie was altered)"
                .to_owned(),
        )
    };
    if signature.contains(['-', '_']) {
        return Err(forged());
    }
    let url_form: String = signature
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    let mac = base64url::decode_str(&url_form).map_err(|_| forged())?;
    crypto::hmac::verify(Algorithm::Hs256, secret, token.as_bytes(), &mac).map_err(|_| forged())?;
    Ok(token)
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
/// objects, it belongs to the `session_token` cookie sent with it (whose signature is verified when
/// `secret` is given), its `version` is a string and matches (else a miss), and the embedded
/// `session.expiresAt`, written as `Date.toJSON` writes it, has not passed (else, or when it is
/// absent or in another form, a miss). For JWT-plugin-signed cookies (`plugin_claims`), also `sub` =
/// `user.id` and `sid` = `session.token`.
///
/// # Errors
/// [`Error::JwtInvalid`] for a payload without the objects; [`Error::ClaimInvalid`] (claim
/// `session_token`, `sub` or `sid`) when the cache is not this session's; the errors of
/// [`verify_session_token`].
pub fn check_session(
    payload_json: &str,
    session_token: Option<&str>,
    secret: Option<&[u8]>,
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
    // Better Auth's schema takes a string version (absent: "1"); a number is refused.
    let version_matches = match payload.get("version") {
        None => version == "1",
        Some(Value::String(v)) => v.is(version),
        Some(_) => return Ok(None),
    };
    if !version_matches {
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
    // The cookie is `token.signature`: the token is the part before the last dot. Without the
    // secret (JWT-plugin cookies verified by keys alone) the signature cannot be checked.
    let token_part = match secret {
        Some(secret) => verify_session_token(cookie_token, secret)?,
        None => cookie_token
            .rsplit_once('.')
            .map_or(cookie_token, |(t, _)| t),
    };
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
    // What does not parse is expired, as Better Auth's schema treats it.
    match session.get_str("expiresAt").and_then(iso_utc_ms) {
        Some(expires) if expires > now_ms => {}
        _ => return Ok(None),
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

/// `YYYY-MM-DDTHH:MM:SS.sssZ`, exactly as `Date.prototype.toJSON` writes a date of years 0 to
/// 9999, as milliseconds since the epoch. Anything else (no milliseconds, an offset, a space for
/// `T`, a day past the month's end) is `None`.
fn iso_utc_ms(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 24
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            19 => *b == b'.',
            23 => *b == b'Z',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> { text.get(range)?.parse().ok() };
    let (y, m, dd) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (h, mi, s) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let millis = number(20..23)?;
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=12).contains(&m) || !(1..=month_days).contains(&dd) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
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
        if !std::ptr::eq(object.member(name).unwrap_or(value), value) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&name.to_json());
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
        Value::String(s) => out.push_str(&s.to_json()),
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
        let find = |header, prefix, names| {
            find_cookies(header, prefix, "session_data", "session_token", names)
        };
        let found = find(header, "better-auth", CookieNames::Auto).unwrap();
        assert_eq!(found.data, "ABCD");
        assert_eq!(found.session_token.as_deref(), Some("tok.x.sig="));
        let secure = "__Secure-my.session_data=S; my.session_data=P; __Secure-my.session_token=t";
        let found = find(secure, "my", CookieNames::Auto).unwrap();
        assert_eq!(
            (found.data.as_str(), found.session_token.as_deref()),
            ("S", Some("t"))
        );
        assert!(find("x=1", "better-auth", CookieNames::Auto).is_none());
        // Cookie tossing: a plain-named cookie is never read beside a __Secure- one, nor when only
        // __Secure- names are allowed.
        let tossed = "my.session_data=P; my.session_token=p; __Secure-my.session_token=t";
        assert!(find(tossed, "my", CookieNames::Auto).is_none());
        let tossed = "my.session_data=P; __Secure-my.session_data=S; my.session_token=p";
        let found = find(tossed, "my", CookieNames::Auto).unwrap();
        assert_eq!((found.data.as_str(), found.session_token), ("S", None));
        assert!(find(
            "my.session_data=P; my.session_token=p",
            "my",
            CookieNames::Secure
        )
        .is_none());
        assert!(find("__Secure-my.session_data=S", "my", CookieNames::Plain).is_none());
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso_utc_ms("1970-01-01T00:00:00.000Z"), Some(0.0));
        assert_eq!(
            iso_utc_ms("2026-11-23T08:00:00.250Z"),
            Some(1_795_420_800_250.0)
        );
        assert_eq!(
            iso_utc_ms("2000-03-01T00:00:00.000Z"),
            Some(951_868_800_000.0)
        );
        assert_eq!(
            iso_utc_ms("2024-02-29T23:59:59.999Z"),
            Some(1_709_251_199_999.0)
        );
        for other in [
            "2000-03-01T00:00:00Z",
            "2000-01-01 00:00:00",
            "2000-01-01T00:00:00.000+00:00",
            "2026-11-23T08:00:00+01:00",
            "2026-13-01T00:00:00.000Z",
            "2023-02-29T00:00:00.000Z",
            "2026-01-01T00:00:60.000Z",
            "+002026-01-01T00:00:00.000Z",
            "2026-01-01T00:00:00.000z",
            "２026-01-01T00:00:00.000Z",
            "garbage",
            "",
        ] {
            assert_eq!(iso_utc_ms(other), None, "{other}");
        }
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
        let checked = check_session(session, Some("t1.sig"), None, "1", 4000.0, false)
            .unwrap()
            .unwrap();
        assert_eq!(checked.user_json, r#"{"id":"u1"}"#);
        let err = check_session(session, Some("t2.sig"), None, "1", 4000.0, false).unwrap_err();
        assert_eq!(
            (
                err.code(),
                err.claim().map(crate::json::JsString::as_marked)
            ),
            ("ERR_JWT_CLAIM_VALIDATION_FAILED", Some("session_token"))
        );
        assert!(check_session(session, None, None, "1", 4000.0, false).is_err());
        assert_eq!(
            check_session(session, Some("t1.s"), None, "2", 4000.0, false).unwrap(),
            None
        );
        assert_eq!(
            check_session(session, Some("t1.s"), None, "1", 4.2e12, false).unwrap(),
            None
        );
        // A version of the wrong type, and an expiresAt in another form, are misses.
        let numbered = session.replace(r#""version":"1""#, r#""version":1"#);
        assert_eq!(
            check_session(&numbered, Some("t1.s"), None, "1", 4000.0, false).unwrap(),
            None
        );
        for form in ["2099-01-01 00:00:00", "2099-01-01T00:00:00.000+00:00", "x"] {
            let other = session.replace("2099-01-01T00:00:00.000Z", form);
            assert_eq!(
                check_session(&other, Some("t1.s"), None, "1", 4000.0, false).unwrap(),
                None,
                "{form}"
            );
        }
        let no_expiry = session.replace(r#","expiresAt":"2099-01-01T00:00:00.000Z""#, "");
        assert_eq!(
            check_session(&no_expiry, Some("t1.s"), None, "1", 4000.0, false).unwrap(),
            None
        );
    }

    fn signed_token(token: &str, secret: &[u8]) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret).unwrap();
        mac.update(token.as_bytes());
        let url = base64url::encode(&mac.finalize().into_bytes());
        let standard: String = url
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect();
        format!("{token}.{standard}=")
    }

    #[test]
    fn session_token_signature() {
        let secret = b"better-auth-secret-12345678901234567890";
        let good = signed_token("t1", secret);
        assert_eq!(good.len(), 2 + 1 + 44);
        assert_eq!(verify_session_token(&good, secret).unwrap(), "t1");
        let code = |value: &str| verify_session_token(value, secret).unwrap_err().code();
        assert_eq!(
            code(&signed_token("t1", b"other")),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
        );
        assert_eq!(
            code(&good.replacen("t1", "t2", 1)),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
        );
        assert_eq!(code("t1"), "ERR_JWS_INVALID");
        assert_eq!(code("t1.FORGED"), "ERR_JWS_INVALID");
        assert_eq!(code(good.trim_start_matches("t1")), "ERR_JWS_INVALID");
        let url_alphabet = good.replace('+', "-").replace('/', "_");
        if url_alphabet != good {
            assert_eq!(code(&url_alphabet), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
        }
        let session = r#"{"session":{"token":"t1","expiresAt":"2099-01-01T00:00:00.000Z"},"user":{"id":"u1"},"version":"1"}"#;
        let check =
            |cookie: &str| check_session(session, Some(cookie), Some(secret), "1", 0.0, false);
        assert!(check(&good).unwrap().is_some());
        assert!(check("t1").is_err());
        assert!(check("t1.FORGED").is_err());
        assert!(check(&signed_token("t1", b"other")).is_err());
    }
}
