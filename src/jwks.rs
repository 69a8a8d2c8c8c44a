//! A JSON Web Key Set and the choice of key for a token (docs/api.md, "Key selection"; jose's
//! `createLocalJWKSet`).
//!
//! Keys are parsed once, when the set is made, so verifying a token never re-reads key material.
//! Header `jwk`, `jku`, `x5u` and `x5c` are never consulted: only the set chooses keys.

use crate::alg::Algorithm;
use crate::crypto::{self, PublicKey};
use crate::error::Error;
use crate::json::{self, Object, Value};
use crate::jwk::{Jwk, Member};

/// The largest JWKS document accepted, in bytes.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
/// The most keys one set may hold.
pub const MAX_KEYS: usize = 256;
/// The most keys tried for one token. A token without `kid` is tried against every key that fits
/// its `alg`; past this many it is refused at once (`ERR_JWKS_MULTIPLE_MATCHING_KEYS`), so leaving
/// the `kid` out cannot make one verification cost hundreds of signature checks. RSA keys are also
/// bounded by their cost together ([`crypto::rsa::MAX_WORK_PER_TOKEN`]).
pub const MAX_CANDIDATES: usize = 8;

/// A parsed key set.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<Jwk>,
}

impl KeySet {
    /// Parses a JWKS document (`{"keys":[...]}`).
    ///
    /// # Errors
    /// [`Error::JwksInvalid`] when the text is over [`MAX_JWKS_BYTES`], not JSON, not an object
    /// with a `keys` array of objects, or has more than [`MAX_KEYS`] keys. Individual keys that are
    /// malformed do not fail the set; they fail only if a token chooses them.
    pub fn from_json(text: &[u8]) -> Result<Self, Error> {
        if text.len() > MAX_JWKS_BYTES {
            return Err(Error::JwksInvalid(format!(
                "the key set is {} bytes; at most {MAX_JWKS_BYTES} are accepted",
                text.len()
            )));
        }
        let document = json::parse(text)
            .map_err(|err| Error::JwksInvalid(format!("the key set is not valid JSON ({err})")))?;
        let object = document.as_object().ok_or_else(|| {
            Error::JwksInvalid("the key set is not a JSON object with a \"keys\" array".to_owned())
        })?;
        Self::from_object(object)
    }

    /// Reads a parsed JWKS object.
    ///
    /// # Errors
    /// As [`KeySet::from_json`].
    pub fn from_object(jwks: &Object) -> Result<Self, Error> {
        let Some(Value::Array(members)) = jwks.get("keys") else {
            return Err(Error::JwksInvalid(
                "the key set has no \"keys\" array".to_owned(),
            ));
        };
        if members.len() > MAX_KEYS {
            return Err(Error::JwksInvalid(format!(
                "the key set has {} keys; at most {MAX_KEYS} are accepted",
                members.len()
            )));
        }
        let keys = members
            .iter()
            .enumerate()
            .map(|(index, member)| {
                member.as_object().map(Jwk::from_object).ok_or_else(|| {
                    Error::JwksInvalid(format!("key number {index} of the set is not an object"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { keys })
    }

    /// The keys, in document order.
    #[must_use]
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// Chooses the keys that fit a token with `alg` and header `kid` (docs/api.md, "Key
    /// selection").
    ///
    /// # Errors
    /// [`Error::NoMatchingKey`] when no key fits, with what the set holds;
    /// [`Error::MultipleMatchingKeys`] when more than [`MAX_CANDIDATES`] fit, or RSA keys whose
    /// verifications together would cost more than [`crypto::rsa::MAX_WORK_PER_TOKEN`].
    pub fn select(&self, alg: Algorithm, header_kid: &Member) -> Result<Selection<'_>, Error> {
        let candidates: Vec<(usize, &Jwk)> = self
            .keys
            .iter()
            .enumerate()
            .filter(|(_, key)| key.is_candidate(alg, header_kid))
            .collect();
        if candidates.is_empty() {
            return Err(self.no_matching_key(alg, header_kid));
        }
        if candidates.len() > MAX_CANDIDATES {
            return Err(Error::MultipleMatchingKeys(format!(
                "{} keys in the set fit this {alg} token; at most {MAX_CANDIDATES} are tried for one \
                 token, so it needs a kid that names one",
                candidates.len()
            )));
        }
        let work = candidates
            .iter()
            .filter_map(|(_, jwk)| match jwk.public_key() {
                Ok(key @ PublicKey::Rsa(rsa)) if crypto::check_key(alg, key).is_ok() => {
                    Some(rsa.work())
                }
                _ => None,
            })
            .fold(0u64, u64::saturating_add);
        if work > crypto::rsa::MAX_WORK_PER_TOKEN {
            return Err(Error::MultipleMatchingKeys(format!(
                "{} keys in the set fit this {alg} token, and trying them all would take more RSA \
                 work than one token may cause ({work} units; at most {}, one verification with \
                 a 16384-bit key and e = 2^33 - 1), so it needs a kid that names one",
                candidates.len(),
                crypto::rsa::MAX_WORK_PER_TOKEN
            )));
        }
        let mismatch = match candidates.len() {
            1 => Mismatch::OnlyKey(alg),
            count => Mismatch::SeveralKeys {
                count,
                alg,
                kid: describe_kid(header_kid),
            },
        };
        Ok(Selection {
            alg,
            candidates,
            mismatch,
        })
    }

    /// [`KeySet::select`], then [`Selection::verify`].
    ///
    /// # Errors
    /// As those two.
    pub fn verify(
        &self,
        alg: Algorithm,
        header_kid: &Member,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        self.select(alg, header_kid)?
            .verify(signing_input, signature)
    }

    fn no_matching_key(&self, alg: Algorithm, header_kid: &Member) -> Error {
        let same_kid = self
            .keys
            .iter()
            .filter(|key| match header_kid {
                Member::Str(kid) => key.kid().as_js() == Some(kid),
                _ => false,
            })
            .count();
        let kids: Vec<String> = self
            .keys
            .iter()
            .filter_map(|key| key.kid().as_js())
            .take(8)
            .map(|kid| format!("{:?}", kid.to_text_lossy()))
            .collect();
        let detail = if same_kid > 0 {
            " (a key with that kid exists but its type, curve, alg, use or key_ops do not fit)"
                .to_owned()
        } else if kids.is_empty() {
            format!(" (the set has {} keys, none with a kid)", self.keys.len())
        } else {
            format!(" (the set has kids {})", kids.join(", "))
        };
        Error::NoMatchingKey(format!(
            "no key in the set fits this {alg} token{}{detail}",
            describe_kid(header_kid)
        ))
    }
}

/// The keys of a set that fit one token.
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    alg: Algorithm,
    candidates: Vec<(usize, &'a Jwk)>,
    mismatch: Mismatch,
}

/// What to say when no candidate key verifies a signature, kept as the few facts the message
/// needs so that it is only written when a signature actually fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// One key fit the token.
    OnlyKey(Algorithm),
    /// Several keys fit the token (`kid` describes the header's kid, or is empty).
    SeveralKeys {
        /// How many keys fit.
        count: usize,
        /// The token's algorithm.
        alg: Algorithm,
        /// The header's kid, described.
        kid: String,
    },
}

impl Mismatch {
    /// [`Error::SignatureInvalid`] for one candidate, [`Error::MultipleMatchingKeys`] for several.
    #[must_use]
    pub fn error(&self) -> Error {
        match self {
            Self::OnlyKey(alg) => crypto::signature_mismatch(*alg),
            Self::SeveralKeys { count, alg, kid } => Error::MultipleMatchingKeys(format!(
                "{count} keys in the set fit this {alg} token{kid} and none verifies its signature"
            )),
        }
    }
}

impl Selection<'_> {
    /// How many keys fit.
    #[must_use]
    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    /// Always false: a selection holds at least one key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// The keys that may check the signature, with their positions in the set. One candidate: it
    /// must be well-formed ([`Error::JwksInvalid`]) and strong enough ([`Error::SignatureInvalid`]).
    /// Several: the malformed and weak ones are left out (possibly all of them).
    ///
    /// # Errors
    /// As above, for a single candidate.
    pub fn usable_keys(&self) -> Result<Vec<(usize, &PublicKey)>, Error> {
        let alg = self.alg;
        match self.candidates.as_slice() {
            [(index, only)] => {
                let key = only.public_key()?;
                crypto::check_key(alg, key)?;
                Ok(vec![(*index, key)])
            }
            several => Ok(several
                .iter()
                .filter_map(|(index, jwk)| {
                    let key = jwk.public_key().ok()?;
                    crypto::check_key(alg, key).ok()?;
                    Some((*index, key))
                })
                .collect()),
        }
    }

    /// The error for a signature no usable key verified: [`Error::SignatureInvalid`] for one
    /// candidate, [`Error::MultipleMatchingKeys`] for several.
    #[must_use]
    pub fn mismatch_error(&self) -> Error {
        self.mismatch.error()
    }

    /// What [`Selection::mismatch_error`] is made from, to keep until a signature fails.
    #[must_use]
    pub fn mismatch(&self) -> Mismatch {
        self.mismatch.clone()
    }

    /// Verifies the signature with the pure-Rust provider: the first usable key that verifies
    /// wins (a set that publishes a key twice still works).
    ///
    /// # Errors
    /// As [`Selection::usable_keys`], then [`Selection::mismatch_error`].
    pub fn verify(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), Error> {
        let verified = self
            .usable_keys()?
            .into_iter()
            .any(|(_, key)| crypto::verify(self.alg, key, signing_input, signature).is_ok());
        if verified {
            Ok(())
        } else {
            Err(self.mismatch_error())
        }
    }
}

fn describe_kid(kid: &Member) -> String {
    match kid {
        Member::Absent => String::new(),
        Member::Str(kid) => format!(" with kid {:?}", truncate(&kid.to_text_lossy())),
        Member::NotString => " whose kid is not a string".to_owned(),
    }
}

/// Caps echoed header values so a hostile `kid` cannot bloat messages.
fn truncate(text: &str) -> String {
    text.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )]
    use super::*;

    #[test]
    fn malformed_sets_are_jwks_invalid() {
        for text in [
            "",
            "not json",
            "[]",
            "{}",
            r#"{"keys":null}"#,
            r#"{"keys":{}}"#,
            r#"{"keys":[1]}"#,
            r#"{"keys":[{}, "x"]}"#,
        ] {
            let err = KeySet::from_json(text.as_bytes()).unwrap_err();
            assert_eq!(err.code(), "ERR_JWKS_INVALID", "{text}");
        }
        let big = format!(r#"{{"keys":[{}]}}"#, vec!["{}"; MAX_KEYS + 1].join(","));
        assert_eq!(
            KeySet::from_json(big.as_bytes()).unwrap_err().code(),
            "ERR_JWKS_INVALID"
        );
        assert!(KeySet::from_json(br#"{"keys":[]}"#)
            .unwrap()
            .keys()
            .is_empty());
    }

    #[test]
    fn at_most_max_candidates_keys_are_tried_for_one_token() {
        let key =
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let set = |n: usize| {
            KeySet::from_json(format!(r#"{{"keys":[{}]}}"#, vec![key; n].join(",")).as_bytes())
                .unwrap()
        };
        let within = set(MAX_CANDIDATES);
        let selection = within.select(Algorithm::EdDsa, &Member::Absent).unwrap();
        assert_eq!(selection.usable_keys().unwrap().len(), MAX_CANDIDATES);
        let over = set(MAX_CANDIDATES + 1);
        let err = over.select(Algorithm::EdDsa, &Member::Absent).unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_MULTIPLE_MATCHING_KEYS");
        assert!(err.message().contains("kid"), "{}", err.message());
    }

    /// An RSA JWK of `bits` bits (an odd modulus; only its size matters) with exponent `e`.
    fn rsa_jwk(bits: usize, e: u64, kid: &str) -> String {
        use crate::base64url::encode;
        let mut n = vec![0x5A; bits.div_ceil(8)];
        n[0] = 1 << ((bits + 7) % 8);
        *n.last_mut().unwrap() |= 1;
        let e: Vec<u8> = e
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        format!(
            r#"{{"kty":"RSA","kid":"{kid}","n":"{}","e":"{}"}}"#,
            encode(&n),
            encode(&e)
        )
    }

    #[test]
    fn the_rsa_keys_tried_for_one_token_cost_at_most_the_largest_key() {
        let set = |keys: &[String]| {
            KeySet::from_json(format!(r#"{{"keys":[{}]}}"#, keys.join(",")).as_bytes()).unwrap()
        };
        let largest = rsa_jwk(16384, (1 << 33) - 1, "largest");
        let small = rsa_jwk(2048, 65537, "small");
        // The largest key alone is exactly the bound, and is tried; by its kid, too, beside others.
        let alone = set(std::slice::from_ref(&largest));
        assert!(alone.select(Algorithm::Rs256, &Member::Absent).is_ok());
        let both = set(&[largest.clone(), small.clone()]);
        let by_kid = both
            .select(Algorithm::Ps512, &Member::Str("largest".into()))
            .unwrap();
        assert_eq!(by_kid.len(), 1);
        // With one more (even the cheapest) key that fits, the token is refused untried.
        for alg in [Algorithm::Rs256, Algorithm::Ps384] {
            let err = both.select(alg, &Member::Absent).unwrap_err();
            assert_eq!(err.code(), "ERR_JWKS_MULTIPLE_MATCHING_KEYS");
            assert!(err.message().contains("RSA work"), "{}", err.message());
        }
        // Keys that are never tried do not count: under 2048 bits, or malformed.
        let weak = rsa_jwk(2047, 65537, "weak");
        let even =
            r#"{"kty":"RSA","n":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","e":"AQAB"}"#.to_owned();
        assert!(set(&[largest.clone(), weak, even])
            .select(Algorithm::Rs256, &Member::Absent)
            .is_ok());
        // Eight 4096-bit keys with the largest exponent are well within the bound.
        let eight: Vec<String> = (0..8)
            .map(|i| rsa_jwk(4096, (1 << 33) - 1, &format!("k{i}")))
            .collect();
        assert_eq!(
            set(&eight)
                .select(Algorithm::Rs256, &Member::Absent)
                .unwrap()
                .len(),
            8
        );
        // Two 16384-bit keys with e = 65537 are tried; a third is too many.
        let big = |i: usize| rsa_jwk(16384, 65537, &format!("big{i}"));
        assert!(set(&[big(0), big(1)])
            .select(Algorithm::Rs256, &Member::Absent)
            .is_ok());
        assert!(set(&[big(0), big(1), big(2)])
            .select(Algorithm::Rs256, &Member::Absent)
            .is_err());
    }

    #[test]
    fn no_matching_key_explains() {
        let set = KeySet::from_json(
            br#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#,
        )
        .unwrap();
        let err = set
            .verify(Algorithm::EdDsa, &Member::Str("b".into()), b"x", &[0; 64])
            .unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
        assert!(err.message().contains("\"b\"") && err.message().contains("\"a\""));
        let err = set
            .verify(Algorithm::Es256, &Member::Str("a".into()), b"x", &[0; 64])
            .unwrap_err();
        assert!(err.message().contains("exists"), "{}", err.message());
        let err = set
            .verify(Algorithm::EdDsa, &Member::Str("a".into()), b"x", &[0; 64])
            .unwrap_err();
        assert_eq!(err.code(), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    }
}
