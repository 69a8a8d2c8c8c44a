//! A compact JWS taken apart before anything is trusted: three segments, the protected header
//! decoded and checked (`crit`, `b64`, `alg`) in jose's order. Nothing here looks at keys,
//! signatures or claims; [`crate::verify`] turns an [`UntrustedToken`] into a verified one.

use crate::alg::Algorithm;
use crate::base64url;
use crate::error::Error;
use crate::json::{self, JsString, Object, Value};
use crate::jwk::Member;

/// What [`UntrustedToken::alg`] answers if `parse` had not checked the `alg` (never).
static NO_ALG: JsString = JsString::EMPTY;

/// The longest token accepted, in bytes. Generous on purpose: Better Auth puts the whole user
/// object (with its `image`) into its tokens.
pub const MAX_TOKEN_BYTES: usize = 256 * 1024;

/// A token split and its header read, with nothing verified.
#[derive(Debug, Clone)]
pub struct UntrustedToken<'a> {
    header: Object,
    header_json: String,
    kid: Member,
    b64: bool,
    signing_input: &'a str,
    payload_segment: &'a str,
    signature_segment: &'a str,
}

impl<'a> UntrustedToken<'a> {
    /// Splits `token` and reads its protected header. `recognized_crit` lists the extension header
    /// names the caller understands beyond `b64`, each with whether it must be integrity protected
    /// (jose's `crit` option).
    ///
    /// # Errors
    /// [`Error::JwsInvalid`] for structure, base64url, UTF-8, JSON, `crit`, `b64` and `alg` syntax;
    /// [`Error::NotSupported`] for a `crit` name nobody recognises.
    pub fn parse(token: &'a str, recognized_crit: &[(JsString, bool)]) -> Result<Self, Error> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::JwsInvalid(format!(
                "the token is {} bytes; at most {MAX_TOKEN_BYTES} are accepted",
                token.len()
            )));
        }
        let mut parts = token.split('.');
        let (Some(header_segment), Some(payload_segment), Some(signature_segment), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            let found = token.split('.').count();
            return Err(Error::JwsInvalid(format!(
                "a compact JWS has 3 dot-separated segments; found {found}"
            )));
        };
        let (signing_input, _) = token
            .rsplit_once('.')
            .ok_or_else(|| Error::JwsInvalid("the token has no signature segment".to_owned()))?;

        let header_bytes = base64url::decode_str(header_segment).map_err(|err| {
            Error::JwsInvalid(format!("the header segment is not base64url ({err})"))
        })?;
        let header_json = utf8_text(header_bytes).ok_or_else(|| {
            Error::JwsInvalid("the protected header is not valid UTF-8".to_owned())
        })?;
        let header = json::parse_object(header_json.as_bytes()).map_err(|err| {
            Error::JwsInvalid(format!("the protected header is not a JSON object ({err})"))
        })?;

        let crit = validate_crit(&header, recognized_crit)?;
        let b64 = if crit.iter().any(|name| name.is("b64")) {
            header.get("b64").and_then(Value::as_bool).ok_or_else(|| {
                Error::JwsInvalid("the \"b64\" header parameter must be a boolean".to_owned())
            })?
        } else {
            true
        };
        if !matches!(header.get("alg"), Some(Value::String(alg)) if !alg.as_marked().is_empty()) {
            return Err(Error::JwsInvalid(
                "the \"alg\" header parameter is missing or not a non-empty string".to_owned(),
            ));
        }
        let kid = match header.get("kid") {
            None => Member::Absent,
            Some(Value::String(kid)) => Member::Str(kid.clone()),
            Some(_) => Member::NotString,
        };
        Ok(Self {
            header,
            header_json,
            kid,
            b64,
            signing_input,
            payload_segment,
            signature_segment,
        })
    }

    /// The decoded protected header.
    #[must_use]
    pub fn header(&self) -> &Object {
        &self.header
    }

    /// The protected header as JSON text (UTF-8 checked, a leading BOM removed).
    #[must_use]
    pub fn header_json(&self) -> &str {
        &self.header_json
    }

    /// The decoded protected header and its JSON text, taken out of the token.
    #[must_use]
    pub fn into_header(self) -> (Object, String) {
        (self.header, self.header_json)
    }

    /// The header `alg` as written.
    #[must_use]
    pub fn alg(&self) -> &JsString {
        // A non-empty string: `parse` checked it.
        self.header.get_js("alg").unwrap_or(&NO_ALG)
    }

    /// The header `alg`, if this library implements it (`none` is never implemented).
    #[must_use]
    pub fn algorithm(&self) -> Option<Algorithm> {
        // (Algorithm names hold no U+FFFD, so the marked form matches exactly when the text does.)
        Algorithm::from_name(self.alg().as_marked())
    }

    /// The header `kid`.
    #[must_use]
    pub fn kid(&self) -> &Member {
        &self.kid
    }

    /// False when the header lists `b64` in `crit` with the value `false` (RFC 7797).
    #[must_use]
    pub fn b64(&self) -> bool {
        self.b64
    }

    /// The bytes the signature covers: `header.payload` as they appear in the token.
    ///
    /// # Errors
    /// [`Error::JwsInvalid`] when the payload segment is not ASCII (jose's check).
    pub fn signing_input(&self) -> Result<&'a [u8], Error> {
        if self.payload_segment.is_ascii() {
            Ok(self.signing_input.as_bytes())
        } else {
            Err(Error::JwsInvalid(
                "the payload segment is not a valid base64url string".to_owned(),
            ))
        }
    }

    /// The decoded signature.
    ///
    /// # Errors
    /// [`Error::JwsInvalid`] when the segment is not base64url.
    pub fn signature(&self) -> Result<Vec<u8>, Error> {
        base64url::decode_str(self.signature_segment).map_err(|err| {
            Error::JwsInvalid(format!("the signature segment is not base64url ({err})"))
        })
    }

    /// The decoded payload bytes (only meaningful once the signature has verified).
    ///
    /// # Errors
    /// [`Error::JwsInvalid`] when the segment is not base64url.
    pub fn payload_bytes(&self) -> Result<Vec<u8>, Error> {
        base64url::decode_str(self.payload_segment).map_err(|err| {
            Error::JwsInvalid(format!("the payload segment is not base64url ({err})"))
        })
    }
}

/// Strict UTF-8, with one leading byte-order mark dropped (what `TextDecoder` does before jose's
/// `JSON.parse`).
pub(crate) fn utf8_text(bytes: Vec<u8>) -> Option<String> {
    let text = String::from_utf8(bytes).ok()?;
    Some(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// RFC 7515 §4.1.11 as jose applies it: `crit` is a non-empty array of non-empty strings; each
/// name must be recognised (`b64` always is), present in the header, and (for names the caller
/// marks so, and `b64`) integrity protected, which every compact header member is.
pub(crate) fn validate_crit(
    header: &Object,
    recognized: &[(JsString, bool)],
) -> Result<Vec<JsString>, Error> {
    let Some(crit) = header.get("crit") else {
        return Ok(Vec::new());
    };
    let names: Option<Vec<JsString>> = crit.as_array().and_then(|items| {
        if items.is_empty() {
            return None;
        }
        items
            .iter()
            .map(|item| item.as_js().filter(|s| s.marked_len() > 0).cloned())
            .collect()
    });
    let names = names.ok_or_else(|| {
        Error::JwsInvalid(
            "the \"crit\" header parameter must be a non-empty array of non-empty strings"
                .to_owned(),
        )
    })?;
    // Each distinct name is checked once, in array order (so the first problem reported is
    // jose's): a header repeating a name thousands of times must not cost thousands of member
    // lookups. jose accepts repeats, so they are not refused.
    let mut seen = std::collections::BTreeSet::new();
    for name in &names {
        // (By the marked form, equal exactly when the names are: one `BTreeSet<&str>` in the crate.)
        if !seen.insert(name.as_marked()) {
            continue;
        }
        let known = name.is("b64") || recognized.iter().any(|(known, _)| known == name);
        if !known {
            return Err(Error::NotSupported(format!(
                "the critical extension header parameter {:?} is not recognised",
                name.to_text_lossy().chars().take(64).collect::<String>()
            )));
        }
        if !header.contains(name) {
            return Err(Error::JwsInvalid(format!(
                "the critical extension header parameter {:?} is missing",
                name.to_text_lossy().chars().take(64).collect::<String>()
            )));
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::base64url::encode;

    fn token(header: &str) -> String {
        format!(
            "{}.{}.{}",
            encode(header.as_bytes()),
            encode(b"{}"),
            encode(b"sig")
        )
    }

    fn code(token: &str) -> &'static str {
        UntrustedToken::parse(token, &[]).unwrap_err().code()
    }

    #[test]
    fn structure() {
        assert_eq!(code("a.b"), "ERR_JWS_INVALID");
        assert_eq!(code("a.b.c.d"), "ERR_JWS_INVALID");
        assert_eq!(code(""), "ERR_JWS_INVALID");
        assert_eq!(code("..."), "ERR_JWS_INVALID");
        let long = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert!(UntrustedToken::parse(&long, &[])
            .unwrap_err()
            .message()
            .contains("at most"));
        let ok = token(r#"{"alg":"ES256","kid":"k"}"#);
        let t = UntrustedToken::parse(&ok, &[]).unwrap();
        assert_eq!(t.algorithm(), Some(Algorithm::Es256));
        assert_eq!(t.kid(), &Member::Str("k".into()));
        assert!(t.b64());
        assert_eq!(t.signature().unwrap(), b"sig");
        assert_eq!(t.payload_bytes().unwrap(), b"{}");
        assert!(ok.starts_with(std::str::from_utf8(t.signing_input().unwrap()).unwrap()));
    }

    #[test]
    fn header_rules() {
        assert_eq!(code(&token("[]")), "ERR_JWS_INVALID");
        assert_eq!(code(&token("{")), "ERR_JWS_INVALID");
        assert_eq!(code(&token(r#"{"alg":""}"#)), "ERR_JWS_INVALID");
        assert_eq!(code(&token(r#"{"alg":1}"#)), "ERR_JWS_INVALID");
        assert_eq!(code(&token(r#"{"typ":"JWT"}"#)), "ERR_JWS_INVALID");
        assert_eq!(
            code(&token(r#"{"alg":"HS256","crit":[]}"#)),
            "ERR_JWS_INVALID"
        );
        assert_eq!(
            code(&token(r#"{"alg":"HS256","crit":[""]}"#)),
            "ERR_JWS_INVALID"
        );
        assert_eq!(
            code(&token(r#"{"alg":"HS256","crit":["b64"]}"#)),
            "ERR_JWS_INVALID"
        );
        assert_eq!(
            code(&token(r#"{"alg":"HS256","crit":["b64"],"b64":"no"}"#)),
            "ERR_JWS_INVALID"
        );
        assert_eq!(
            code(&token(r#"{"alg":"HS256","crit":["foo"],"foo":1}"#)),
            "ERR_JOSE_NOT_SUPPORTED"
        );
        let t = token(r#"{"alg":"HS256","crit":["foo"],"foo":1}"#);
        assert!(UntrustedToken::parse(&t, &[("foo".into(), true)]).is_ok());
        let t = token(r#"{"alg":"HS256","crit":["b64"],"b64":false}"#);
        assert!(!UntrustedToken::parse(&t, &[]).unwrap().b64());
        let t = token(r#"{"alg":"HS256","b64":false}"#);
        assert!(
            UntrustedToken::parse(&t, &[]).unwrap().b64(),
            "b64 outside crit is ignored"
        );
        let t = token("\u{feff}{\"alg\":\"none\"}");
        let t = UntrustedToken::parse(&t, &[]).unwrap();
        assert_eq!(t.algorithm(), None);
        assert_eq!(t.header_json(), "{\"alg\":\"none\"}");
        let bad_utf8 = format!("{}.e30.c2ln", encode(b"{\"alg\":\"\xc0\xaf\"}"));
        assert_eq!(code(&bad_utf8), "ERR_JWS_INVALID");
        assert_eq!(code("eyJhbGciOiJIUzI1NiJ9=.e30.c2ln"), "ERR_JWS_INVALID");
    }
}
