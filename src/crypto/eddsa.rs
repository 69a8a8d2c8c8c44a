//! Ed25519 (`EdDSA` and `Ed25519`), verified strictly: non-canonical `S`, and small-order keys or
//! `R` values, are mismatches (RFC 8032 §5.1.7 with the checks of `verify_strict`).

use crate::alg::{Algorithm, KeyFamily};
use crate::error::Error;

/// A parsed Ed25519 public key.
#[derive(Debug, Clone)]
pub struct Ed25519Key(ed25519_dalek::VerifyingKey);

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
        .map(Ed25519Key)
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
    Ok(key.0.verify_strict(signing_input, &signature).is_ok())
}
