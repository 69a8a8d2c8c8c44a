//! One JSON Web Key (RFC 7517) read into what key selection needs: its kind, its selection metadata
//! (`kid`, `alg`, `use`, `key_ops`, `ext`) and, for kinds this library verifies with, the public key.
//!
//! A key of a kind the library does not use (`oct`, Ed448, X25519, ML-DSA, ...) is kept as
//! [`KeyKind::Other`] and never chosen. A key of a known kind whose material is malformed, or that
//! is a private key, is kept with the reason, so that choosing it reports `ERR_JWKS_INVALID` while
//! other keys of the set stay usable.

use crate::alg::{Algorithm, Curve, KeyFamily};
use crate::base64url;
use crate::crypto::{ecdsa, eddsa, rsa, PublicKey};
use crate::error::Error;
use crate::json::{JsString, Object, Value};

/// The kind of key a JWK holds, from its `kty` and `crv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `kty: RSA`.
    Rsa,
    /// `kty: EC` on a supported curve.
    Ec(Curve),
    /// `kty: OKP`, `crv: Ed25519`.
    Ed25519,
    /// Anything else; never a candidate.
    Other,
}

impl KeyKind {
    fn of(jwk: &Object) -> Self {
        match (jwk.get_str("kty"), jwk.get_str("crv")) {
            (Some("RSA"), _) => Self::Rsa,
            (Some("EC"), Some("P-256")) => Self::Ec(Curve::P256),
            (Some("EC"), Some("P-384")) => Self::Ec(Curve::P384),
            (Some("EC"), Some("P-521")) => Self::Ec(Curve::P521),
            (Some("OKP"), Some("Ed25519")) => Self::Ed25519,
            _ => Self::Other,
        }
    }

    /// Whether this kind of key verifies `alg` (jose: `kty` in the algorithm's list, `crv` equal).
    #[must_use]
    pub fn fits(self, alg: Algorithm) -> bool {
        matches!(
            (self, alg.key_family()),
            (Self::Rsa, KeyFamily::Rsa) | (Self::Ed25519, KeyFamily::Ed25519)
        ) || matches!((self, alg.key_family()), (Self::Ec(a), KeyFamily::Ec(b)) if a == b)
    }
}

/// A JWK member that may be absent, a string, or present with another JSON type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// Not in the JWK.
    Absent,
    /// A string value.
    Str(JsString),
    /// Present but not a string: never equal to any header value.
    NotString,
}

impl Member {
    fn of(jwk: &Object, name: &str) -> Self {
        match jwk.get(name) {
            None => Self::Absent,
            Some(Value::String(s)) => Self::Str(s.clone()),
            Some(_) => Self::NotString,
        }
    }

    /// The string value, if it is one.
    #[must_use]
    pub fn as_js(&self) -> Option<&JsString> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A JWK from a key set, ready for selection.
#[derive(Debug, Clone)]
pub struct Jwk {
    kind: KeyKind,
    kid: Member,
    alg: Member,
    usable_for_verify: bool,
    key: Result<PublicKey, String>,
}

impl Jwk {
    /// Reads one JWK object. Never fails: problems are recorded and reported if the key is chosen.
    #[must_use]
    pub fn from_object(jwk: &Object) -> Self {
        let kind = KeyKind::of(jwk);
        let key = match kind {
            KeyKind::Other => Err("the library does not verify with this kind of key".to_owned()),
            _ if is_private(jwk) => {
                Err("it is a private key; a key set must hold public keys only".to_owned())
            }
            KeyKind::Rsa => rsa_key(jwk),
            KeyKind::Ec(curve) => ec_key(jwk, curve),
            KeyKind::Ed25519 => ed25519_key(jwk),
        };
        Self {
            kind,
            kid: Member::of(jwk, "kid"),
            alg: Member::of(jwk, "alg"),
            usable_for_verify: usable_for_verify(jwk),
            key,
        }
    }

    /// The key's kind.
    #[must_use]
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The key's `kid`.
    #[must_use]
    pub fn kid(&self) -> &Member {
        &self.kid
    }

    /// Whether this key is a candidate for a token with `alg` and header `kid` (docs/api.md, "Key
    /// selection"): kind fits, `kid` equal when the header has one, `alg` equal when the key has
    /// one, `use` is `sig` and `key_ops` include `verify` when present, `ext` boolean when present.
    #[must_use]
    pub fn is_candidate(&self, alg: Algorithm, header_kid: &Member) -> bool {
        let kid_matches = match header_kid {
            Member::Absent => true,
            Member::Str(kid) => self.kid.as_js() == Some(kid),
            Member::NotString => false,
        };
        let alg_matches = match &self.alg {
            Member::Absent => true,
            Member::Str(name) => name.is(alg.name()),
            Member::NotString => false,
        };
        self.usable_for_verify && self.kind.fits(alg) && kid_matches && alg_matches
    }

    /// The public key, or why this JWK cannot be used.
    ///
    /// # Errors
    /// [`Error::JwksInvalid`] naming the key and the problem.
    pub fn public_key(&self) -> Result<&PublicKey, Error> {
        self.key.as_ref().map_err(|reason| {
            let which = match self.kid.as_js() {
                Some(kid) => format!("the key with kid {:?}", kid.to_text_lossy()),
                None => "the chosen key".to_owned(),
            };
            Error::JwksInvalid(format!("{which} cannot be used: {reason}"))
        })
    }
}

/// `use` is `sig` when present; `key_ops` are unique strings including `verify` when present;
/// `ext` is a boolean when present (jose's `isUsableJWK`).
fn usable_for_verify(jwk: &Object) -> bool {
    let use_ok = jwk.get("use").is_none_or(|u| u.as_str() == Some("sig"));
    let ext_ok = jwk.get("ext").is_none_or(|e| e.as_bool().is_some());
    let ops_ok = jwk.get("key_ops").is_none_or(|ops| {
        ops.as_array().is_some_and(|ops| {
            // Unique strings, checked with a set: a hostile key_ops of thousands of entries must
            // cost n log n, not n².
            let mut seen = std::collections::BTreeSet::new();
            ops.iter()
                .all(|op| op.as_str().is_some_and(|name| seen.insert(name)))
                && seen.contains("verify")
        })
    });
    use_ok && ext_ok && ops_ok
}

fn is_private(jwk: &Object) -> bool {
    ["d", "p", "q", "dp", "dq", "qi", "oth"]
        .iter()
        .any(|name| jwk.contains_key(name))
}

fn member_bytes(jwk: &Object, name: &str) -> Result<Vec<u8>, String> {
    let text = match jwk.get(name) {
        Some(Value::String(s)) => s,
        Some(_) => return Err(format!("its \"{name}\" is not a string")),
        None => return Err(format!("its \"{name}\" is missing")),
    };
    // (Base64url holds no U+FFFD, so the marked form decodes exactly when the text would.)
    base64url::decode_str(text.as_marked())
        .map_err(|err| format!("its \"{name}\" is not base64url ({err})"))
}

fn rsa_key(jwk: &Object) -> Result<PublicKey, String> {
    let n = member_bytes(jwk, "n")?;
    let e = member_bytes(jwk, "e")?;
    rsa::public_key(&n, &e)
        .map(PublicKey::Rsa)
        .map_err(|err| err.message().to_owned())
}

fn ec_key(jwk: &Object, curve: Curve) -> Result<PublicKey, String> {
    let x = member_bytes(jwk, "x")?;
    let y = member_bytes(jwk, "y")?;
    ecdsa::public_key(curve, &x, &y)
        .map(PublicKey::Ec)
        .map_err(|err| err.message().to_owned())
}

fn ed25519_key(jwk: &Object) -> Result<PublicKey, String> {
    let x = member_bytes(jwk, "x")?;
    eddsa::public_key(&x)
        .map(PublicKey::Ed25519)
        .map_err(|err| err.message().to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::json;

    fn jwk(text: &str) -> Jwk {
        Jwk::from_object(&json::parse_object(text.as_bytes()).unwrap())
    }

    // RFC 8037 A.2 public key.
    const ED: &str =
        r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo""#;

    #[test]
    fn ed25519_key_is_candidate_by_rules() {
        let none = Member::Absent;
        let kid = |s: &str| Member::Str(s.into());
        let k = jwk(&format!("{ED}}}"));
        assert!(k.is_candidate(Algorithm::EdDsa, &none));
        assert!(k.is_candidate(Algorithm::Ed25519, &none));
        assert!(!k.is_candidate(Algorithm::Es256, &none));
        assert!(
            !k.is_candidate(Algorithm::EdDsa, &kid("a")),
            "header kid needs a key kid"
        );
        assert!(!k.is_candidate(Algorithm::EdDsa, &Member::NotString));
        let k = jwk(&format!(
            r#"{ED},"kid":"a","alg":"EdDSA","use":"sig","key_ops":["verify"]}}"#
        ));
        assert!(k.is_candidate(Algorithm::EdDsa, &kid("a")));
        assert!(
            !k.is_candidate(Algorithm::Ed25519, &kid("a")),
            "key alg must equal header alg"
        );
        assert!(!k.is_candidate(Algorithm::EdDsa, &kid("b")));
        for extra in [
            r#""use":"enc""#,
            r#""key_ops":["sign"]"#,
            r#""key_ops":["verify","verify"]"#,
            r#""key_ops":"verify""#,
            r#""ext":"yes""#,
            r#""alg":7"#,
        ] {
            let k = jwk(&format!("{ED},{extra}}}"));
            assert!(!k.is_candidate(Algorithm::EdDsa, &none), "{extra}");
        }
        assert!(k_public_ok(&format!("{ED}}}")));
    }

    fn k_public_ok(text: &str) -> bool {
        jwk(text).public_key().is_ok()
    }

    #[test]
    fn malformed_and_private_keys_are_recorded() {
        let bad = jwk(r#"{"kty":"OKP","crv":"Ed25519","x":"AAAA","kid":"k"}"#);
        assert!(bad.is_candidate(Algorithm::EdDsa, &Member::Absent));
        let err = bad.public_key().unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_INVALID");
        assert!(err.message().contains("\"k\""));
        let private = jwk(&format!(
            r#"{ED},"d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}}"#
        ));
        assert!(private
            .public_key()
            .unwrap_err()
            .message()
            .contains("private"));
        let other = jwk(r#"{"kty":"OKP","crv":"Ed448","x":"AAAA"}"#);
        assert_eq!(other.kind(), KeyKind::Other);
        assert!(!other.is_candidate(Algorithm::EdDsa, &Member::Absent));
        let oct = jwk(r#"{"kty":"oct","k":"c2VjcmV0"}"#);
        assert!(Algorithm::ALL
            .iter()
            .all(|a| !oct.is_candidate(*a, &Member::Absent)));
    }
}
