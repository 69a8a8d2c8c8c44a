//! Native crypto (cargo feature `native-crypto`, never in the wasm build): RSA (PKCS#1 v1.5 and
//! PSS, 2048 to 8192 bits), ECDSA on P-256 and P-384, and Ed25519 signatures checked by `ring`
//! through the same prepare/complete seam the JavaScript host path uses
//! ([`verify::prepare_token`] then [`HostCheck::complete`]). Everything else is the core's: token
//! structure, the `algorithms` allow-list, key selection, key validity and strength, the Ed25519
//! small-order and canonical-`S` rules ([`crypto::host_precheck`]), the claims, the error codes and
//! messages. `ring` has no P-521 and no RSA modulus over 8192 bits, so `ES512` and those keys keep
//! the core's own code, which gives the same verdicts.
//!
//! ```
//! use edge_jwt::native::{verify_native, NativeKeySet};
//! use edge_jwt::VerifyOptions;
//! // RFC 8037 A.4: an Ed25519 JWS whose payload is not a JWT claims set.
//! let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
//! let keys = NativeKeySet::from_json(jwks.as_bytes()).unwrap();
//! let token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
//! let err = verify_native(token, Some(&keys), &VerifyOptions::at(0.0)).unwrap_err();
//! // The signature verified (with ring); the claims step refuses the payload, as jose does.
//! assert_eq!(err.code(), "ERR_JWT_INVALID");
//! ```

use ring::signature::{self as ring_sig, RsaPublicKeyComponents, UnparsedPublicKey};

use crate::alg::{Algorithm, Curve, KeyFamily};
use crate::base64url;
use crate::crypto::{self, PublicKey};
use crate::error::Error;
use crate::json::{self, Object, Value};
use crate::jwks::KeySet;
use crate::token_cache::TokenCache;
use crate::verify::{self, Failure, Prepared, VerifiedToken, VerifyOptions};

/// The largest RSA modulus `ring` verifies with; larger keys use the core's RSA.
pub const MAX_NATIVE_RSA_BITS: usize = 8192;

/// A key's material in the form `ring` takes, read from the JWK that the core accepted.
#[derive(Clone)]
pub enum NativeKey {
    /// RSA modulus and exponent, big-endian without leading zeros.
    Rsa {
        /// The modulus.
        n: Vec<u8>,
        /// The public exponent.
        e: Vec<u8>,
    },
    /// An uncompressed point (`04 || x || y`) on P-256 or P-384.
    Ec {
        /// The curve.
        curve: Curve,
        /// The SEC 1 encoding.
        point: Vec<u8>,
    },
    /// A 32-byte Ed25519 public key.
    Ed25519([u8; 32]),
}

impl std::fmt::Debug for NativeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rsa { n, .. } => write!(f, "NativeKey::Rsa({} bytes)", n.len()),
            Self::Ec { curve, .. } => write!(f, "NativeKey::Ec({})", curve.jwk_name()),
            Self::Ed25519(_) => f.write_str("NativeKey::Ed25519"),
        }
    }
}

fn member_bytes(jwk: &Object, name: &str) -> Option<Vec<u8>> {
    base64url::decode_str(jwk.get_str(name)?).ok()
}

fn without_leading_zeros(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().copied().skip_while(|&b| b == 0).collect()
}

impl NativeKey {
    /// The native form of `jwk`, whose core key is `core`, when `ring` can verify with it: `None`
    /// for P-521 keys, RSA keys over [`MAX_NATIVE_RSA_BITS`], and anything the core refused.
    #[must_use]
    pub fn from_jwk(jwk: &Object, core: &PublicKey) -> Option<Self> {
        match core {
            PublicKey::Rsa(key) if key.bits() <= MAX_NATIVE_RSA_BITS => Some(Self::Rsa {
                n: without_leading_zeros(&member_bytes(jwk, "n")?),
                e: without_leading_zeros(&member_bytes(jwk, "e")?),
            }),
            PublicKey::Ec(key) if matches!(key.curve(), Curve::P256 | Curve::P384) => {
                let mut point = vec![0x04];
                point.extend(member_bytes(jwk, "x")?);
                point.extend(member_bytes(jwk, "y")?);
                Some(Self::Ec {
                    curve: key.curve(),
                    point,
                })
            }
            PublicKey::Ed25519(_) => member_bytes(jwk, "x")?.try_into().ok().map(Self::Ed25519),
            _ => None,
        }
    }

    /// Whether `ring` verifies `alg` with this key (family and curve fit).
    #[must_use]
    pub fn handles(&self, alg: Algorithm) -> bool {
        match (self, alg.key_family()) {
            (Self::Rsa { .. }, KeyFamily::Rsa) | (Self::Ed25519(_), KeyFamily::Ed25519) => true,
            (Self::Ec { curve, .. }, KeyFamily::Ec(want)) => *curve == want,
            _ => false,
        }
    }

    /// `ring`'s answer on `signature` over `signing_input`. The caller has applied the core's key
    /// checks and [`crypto::host_precheck`]; false for an algorithm this key does not handle.
    #[must_use]
    pub fn verifies(&self, alg: Algorithm, signing_input: &[u8], signature: &[u8]) -> bool {
        let Some(algorithm) = ring_algorithm(alg) else {
            return false;
        };
        if !self.handles(alg) {
            return false;
        }
        match (self, algorithm) {
            (Self::Rsa { n, e }, RingAlgorithm::Rsa(params)) => RsaPublicKeyComponents { n, e }
                .verify(params, signing_input, signature)
                .is_ok(),
            (Self::Ec { point, .. }, RingAlgorithm::Other(algorithm)) => {
                UnparsedPublicKey::new(algorithm, point)
                    .verify(signing_input, signature)
                    .is_ok()
            }
            (Self::Ed25519(x), RingAlgorithm::Other(algorithm)) => {
                UnparsedPublicKey::new(algorithm, x)
                    .verify(signing_input, signature)
                    .is_ok()
            }
            _ => false,
        }
    }
}

enum RingAlgorithm {
    Rsa(&'static ring_sig::RsaParameters),
    Other(&'static dyn ring_sig::VerificationAlgorithm),
}

fn ring_algorithm(alg: Algorithm) -> Option<RingAlgorithm> {
    Some(match alg {
        Algorithm::Rs256 => RingAlgorithm::Rsa(&ring_sig::RSA_PKCS1_2048_8192_SHA256),
        Algorithm::Rs384 => RingAlgorithm::Rsa(&ring_sig::RSA_PKCS1_2048_8192_SHA384),
        Algorithm::Rs512 => RingAlgorithm::Rsa(&ring_sig::RSA_PKCS1_2048_8192_SHA512),
        Algorithm::Ps256 => RingAlgorithm::Rsa(&ring_sig::RSA_PSS_2048_8192_SHA256),
        Algorithm::Ps384 => RingAlgorithm::Rsa(&ring_sig::RSA_PSS_2048_8192_SHA384),
        Algorithm::Ps512 => RingAlgorithm::Rsa(&ring_sig::RSA_PSS_2048_8192_SHA512),
        Algorithm::Es256 => RingAlgorithm::Other(&ring_sig::ECDSA_P256_SHA256_FIXED),
        Algorithm::Es384 => RingAlgorithm::Other(&ring_sig::ECDSA_P384_SHA384_FIXED),
        Algorithm::EdDsa | Algorithm::Ed25519 => RingAlgorithm::Other(&ring_sig::ED25519),
        _ => return None,
    })
}

/// One key's answer with the native provider: the core's key checks ([`crypto::check_key`]) and
/// signature prechecks ([`crypto::host_precheck`]) around `ring`, or the core's own code when
/// `native` is `None` or does not handle `alg`. Gives what [`crypto::verify`] gives.
///
/// # Errors
/// As [`crypto::verify`].
pub fn verify_with_key(
    alg: Algorithm,
    core: &PublicKey,
    native: Option<&NativeKey>,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let Some(native) = native.filter(|key| key.handles(alg)) else {
        return crypto::verify(alg, core, signing_input, signature);
    };
    crypto::check_key(alg, core)?;
    if crypto::host_precheck(alg, core, signature) && native.verifies(alg, signing_input, signature)
    {
        Ok(())
    } else {
        Err(crypto::signature_mismatch(alg))
    }
}

/// Whether the native provider takes `alg` at all (the rest is verified by the core).
#[must_use]
pub fn handles_algorithm(alg: Algorithm) -> bool {
    ring_algorithm(alg).is_some()
}

/// A key set with each key's native form beside the core's parsed key.
#[derive(Debug, Clone, Default)]
pub struct NativeKeySet {
    keys: KeySet,
    native: Vec<Option<NativeKey>>,
}

impl NativeKeySet {
    /// Parses a JWKS document, as [`KeySet::from_json`] does.
    ///
    /// # Errors
    /// As [`KeySet::from_json`].
    pub fn from_json(text: &[u8]) -> Result<Self, Error> {
        let keys = KeySet::from_json(text)?;
        // The core accepted the text, so it parses; read the same members again for ring.
        let document = json::parse(text)
            .map_err(|err| Error::JwksInvalid(format!("the key set is not valid JSON ({err})")))?;
        let native = document
            .as_object()
            .map(|object| native_keys(&keys, object))
            .unwrap_or_default();
        Ok(Self { keys, native })
    }

    /// The core's key set (for the pure-Rust provider).
    #[must_use]
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// The native form of key number `index`, if `ring` can use it.
    #[must_use]
    pub fn native_key(&self, index: usize) -> Option<&NativeKey> {
        self.native.get(index).and_then(Option::as_ref)
    }

    /// Whether the key at `index` verifies `signature` over `signing_input` for `alg`: with `ring`
    /// when it can, with the core's own code otherwise.
    fn key_verifies(
        &self,
        index: usize,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> bool {
        self.keys
            .keys()
            .get(index)
            .and_then(|jwk| jwk.public_key().ok())
            .is_some_and(|core| {
                verify_with_key(alg, core, self.native_key(index), signing_input, signature).is_ok()
            })
    }
}

fn native_keys(keys: &KeySet, document: &Object) -> Vec<Option<NativeKey>> {
    let Some(Value::Array(members)) = document.get("keys") else {
        return Vec::new();
    };
    members
        .iter()
        .zip(keys.keys())
        .map(|(member, jwk)| {
            let core = jwk.public_key().ok()?;
            NativeKey::from_jwk(member.as_object()?, core)
        })
        .collect()
}

/// Verifies `token` as [`verify::verify_token`] does, with the signature checked by `ring`.
///
/// # Errors
/// The same [`Error`] the pure-Rust provider gives.
pub fn verify_native(
    token: &str,
    keys: Option<&NativeKeySet>,
    options: &VerifyOptions,
) -> Result<VerifiedToken, Error> {
    verify_native_detailed(token, keys, options, None).map_err(|failure| failure.error)
}

/// As [`verify_native`], with a [`TokenCache`] for `keys` (a token that verified before skips the
/// signature; its header rules and claims are checked as always), and the payload text of a claim
/// failure.
///
/// # Errors
/// A [`Failure`].
pub fn verify_native_detailed(
    token: &str,
    keys: Option<&NativeKeySet>,
    options: &VerifyOptions,
    mut cache: Option<&mut TokenCache>,
) -> Result<VerifiedToken, Failure> {
    let prepared = verify::prepare_token(
        token,
        keys.map(NativeKeySet::keys),
        options,
        &handles_algorithm,
        cache.as_deref_mut(),
    )?;
    let check = match prepared {
        Prepared::Verified(verified) => return Ok(verified),
        Prepared::HostCheck(check) => check,
    };
    // The signing input: the token up to its last dot ([`verify::prepare_token`] accepted it).
    let verified = match (keys, token.rsplit_once('.')) {
        (Some(keys), Some((input, _))) => check.keys().iter().any(|&index| {
            keys.key_verifies(
                index,
                check.algorithm(),
                input.as_bytes(),
                check.signature(),
            )
        }),
        _ => false,
    };
    check.complete(verified, cache)
}

/// The Rust code blocks of `docs/python.md` ("From Rust"), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/python.md")]
pub struct PythonDocs;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_ring_algorithms_are_handed_over() {
        for alg in Algorithm::ALL {
            let expected = !alg.is_hmac() && alg != Algorithm::Es512;
            assert_eq!(handles_algorithm(alg), expected, "{alg}");
        }
    }

    #[test]
    fn a_p521_key_has_no_native_form_and_still_verifies_through_the_core() {
        let jwk = json::parse_object(br#"{"kty":"EC","crv":"P-521","x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt","y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"}"#).unwrap();
        let core = crate::jwk::Jwk::from_object(&jwk);
        assert!(NativeKey::from_jwk(&jwk, core.public_key().unwrap()).is_none());
    }
}
