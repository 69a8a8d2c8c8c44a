//! Ed25519 (`EdDSA` and `Ed25519`), verified strictly: non-canonical `S`, and small-order keys or
//! `R` values, are mismatches (RFC 8032 §5.1.7 with the checks of `verify_strict`).
//!
//! Host crypto (OpenSSL, BoringSSL) checks `S` but not small-order points, so before a signature
//! goes to the host, [`host_precheck`] applies the checks the host would skip, and a small-order key
//! is refused by [`Ed25519Key::is_weak`] for both providers: every runtime judges alike.

use std::sync::OnceLock;

use curve25519_dalek::scalar::Scalar;

use crate::alg::{Algorithm, KeyFamily};
use crate::error::Error;

/// A parsed Ed25519 public key.
#[derive(Debug, Clone)]
pub struct Ed25519Key {
    key: ed25519_dalek::VerifyingKey,
    /// Whether the point has small order, found once when the key is parsed (every verification
    /// asks).
    weak: bool,
}

impl Ed25519Key {
    /// Whether the key is a small-order point (no signature made with it means anything).
    #[must_use]
    pub fn is_weak(&self) -> bool {
        self.weak
    }
}

/// The canonical encodings of the eight small-order points, computed once.
fn small_order_encodings() -> &'static [[u8; 32]; 8] {
    static ENCODINGS: OnceLock<[[u8; 32]; 8]> = OnceLock::new();
    ENCODINGS.get_or_init(|| {
        curve25519_dalek::constants::EIGHT_TORSION.map(|point| point.compress().to_bytes())
    })
}

/// The checks `verify_strict` makes that host crypto does not: a 64-byte signature whose `R` is
/// not a small-order point and whose `S` is canonical. False means a mismatch, whoever verifies.
/// (A non-canonical encoding of a small-order `R` cannot equal the canonical `R` the host
/// computes, so comparing canonical encodings is enough.)
#[must_use]
pub fn host_precheck(signature: &[u8]) -> bool {
    let Some((r, s)) = signature.split_first_chunk::<32>() else {
        return false;
    };
    let Ok(s) = <[u8; 32]>::try_from(s) else {
        return false;
    };
    !small_order_encodings().contains(r) && bool::from(Scalar::from_canonical_bytes(s).is_some())
}

/// Builds a key from its 32-byte encoding (JWK `x`).
///
/// # Errors
/// [`Error::JwksInvalid`] when `x` is not 32 bytes or not a point encoding.
pub fn public_key(x: &[u8]) -> Result<Ed25519Key, Error> {
    let bytes: &[u8; 32] = x.try_into().map_err(|_| {
        Error::JwksInvalid(format!(
            "an Ed25519 key's x must be 32 bytes; found {}",
            x.len()
        ))
    })?;
    ed25519_dalek::VerifyingKey::from_bytes(bytes)
        .map(|key| Ed25519Key {
            weak: key.is_weak(),
            key,
        })
        .map_err(|_| Error::JwksInvalid("the Ed25519 key is not a valid point".to_owned()))
}

/// Verifies an Ed25519 signature. Returns `Ok(false)` on a mismatch, including a signature that is
/// not 64 bytes.
///
/// # Errors
/// [`Error::SignatureInvalid`] when `alg` is not an Ed25519 algorithm.
pub fn verify(
    alg: Algorithm,
    key: &Ed25519Key,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, Error> {
    if alg.key_family() != KeyFamily::Ed25519 {
        return Err(super::wrong_key(alg));
    }
    let Ok(bytes) = <&[u8; 64]>::try_from(signature) else {
        return Ok(false);
    };
    let signature = ed25519_dalek::Signature::from_bytes(bytes);
    Ok(key.key.verify_strict(signing_input, &signature).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_precheck_refuses_what_verify_strict_refuses() {
        let mut identity_r = [0u8; 64];
        identity_r[0] = 1; // (0, 1), the identity: small order
        assert!(!host_precheck(&identity_r));
        let mut canonical = [0u8; 64];
        canonical[0] = 0x58; // the base point's encoding: 0x58 then 0x66 bytes
        for byte in canonical.iter_mut().take(32).skip(1) {
            *byte = 0x66;
        }
        assert!(
            host_precheck(&canonical),
            "S = 0 is canonical, R not small-order"
        );
        let mut big_s = canonical;
        for byte in big_s.iter_mut().skip(32) {
            *byte = 0xff;
        }
        assert!(!host_precheck(&big_s), "S >= L");
        assert!(!host_precheck(&canonical[..63]));
        assert_eq!(small_order_encodings().len(), 8);
    }

    #[test]
    fn small_order_keys_are_weak() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(public_key(&identity).unwrap().is_weak());
        let rfc8037 =
            crate::base64url::decode_str("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
        assert!(!public_key(&rfc8037).unwrap().is_weak());
    }
}
