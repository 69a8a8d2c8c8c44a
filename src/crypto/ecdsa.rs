//! ECDSA on P-256, P-384 and P-521 (`ES256`, `ES384`, `ES512`) with raw `R||S` signatures
//! (RFC 7518 §3.4). DER signatures, zero or out-of-range scalars are mismatches. High-S signatures
//! verify, as they do with WebCrypto.

use signature::Verifier;

use crate::alg::{Algorithm, Curve, KeyFamily};
use crate::error::Error;

/// A parsed ECDSA public key.
#[derive(Clone)]
pub enum EcKey {
    /// P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// P-521.
    P521(p521::ecdsa::VerifyingKey),
}

impl std::fmt::Debug for EcKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EcKey({})", self.curve().jwk_name())
    }
}

impl EcKey {
    /// The key's curve.
    #[must_use]
    pub fn curve(&self) -> Curve {
        match self {
            Self::P256(_) => Curve::P256,
            Self::P384(_) => Curve::P384,
            Self::P521(_) => Curve::P521,
        }
    }
}

/// Builds a key from the affine coordinates (JWK `x` and `y`), each exactly the curve's field size.
///
/// # Errors
/// [`Error::JwksInvalid`] when a coordinate has the wrong length or the point is not on the curve.
pub fn public_key(curve: Curve, x: &[u8], y: &[u8]) -> Result<EcKey, Error> {
    let size = curve.scalar_len();
    if x.len() != size || y.len() != size {
        return Err(Error::JwksInvalid(format!(
            "a {} key needs {size}-byte x and y coordinates; found {} and {}",
            curve.jwk_name(),
            x.len(),
            y.len()
        )));
    }
    let mut sec1 = Vec::with_capacity(size.saturating_mul(2).saturating_add(1));
    sec1.push(0x04);
    sec1.extend_from_slice(x);
    sec1.extend_from_slice(y);
    let not_on_curve = |_| {
        Error::JwksInvalid(format!(
            "the {} key's point is not on the curve",
            curve.jwk_name()
        ))
    };
    Ok(match curve {
        Curve::P256 => {
            EcKey::P256(p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(not_on_curve)?)
        }
        Curve::P384 => {
            EcKey::P384(p384::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(not_on_curve)?)
        }
        Curve::P521 => {
            EcKey::P521(p521::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(not_on_curve)?)
        }
    })
}

/// Verifies a raw `R||S` signature. Returns `Ok(false)` on a mismatch, including a signature of the
/// wrong length (a DER signature) or with scalars that are zero or not below the group order.
///
/// # Errors
/// [`Error::SignatureInvalid`] when `alg` does not use this key's curve.
pub fn verify(
    alg: Algorithm,
    key: &EcKey,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, Error> {
    if alg.key_family() != KeyFamily::Ec(key.curve()) {
        return Err(super::wrong_key(alg));
    }
    if signature.len() != key.curve().scalar_len().saturating_mul(2) {
        return Ok(false);
    }
    Ok(match key {
        EcKey::P256(key) => p256::ecdsa::Signature::from_slice(signature)
            .is_ok_and(|sig| key.verify(signing_input, &sig).is_ok()),
        EcKey::P384(key) => p384::ecdsa::Signature::from_slice(signature)
            .is_ok_and(|sig| key.verify(signing_input, &sig).is_ok()),
        EcKey::P521(key) => p521::ecdsa::Signature::from_slice(signature)
            .is_ok_and(|sig| key.verify(signing_input, &sig).is_ok()),
    })
}
