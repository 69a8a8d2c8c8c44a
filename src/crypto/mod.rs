//! Signature primitives: one file per key family, each turning raw key material into a verifying key
//! and answering "does this signature verify over these bytes". Pure Rust, synchronous. Ed25519,
//! SHA-2, HMAC and AES come from RustCrypto/dalek crates; RSA and ECDSA are this crate's own
//! verification-only code on one variable-time Montgomery core (`montgomery.rs`, `nist_curves.rs`),
//! which only ever sees public values.
//!
//! Failures are [`Error::SignatureInvalid`] (bad signature, wrong signature length, weak key) or
//! [`Error::JwksInvalid`] (key material that is not a valid key). Nothing here reads JSON.

pub mod ecdsa;
pub mod eddsa;
pub mod hmac;
pub mod jwe;
mod montgomery;
mod nist_curves;
pub mod rsa;

use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::alg::{Algorithm, Hash, KeyFamily};
use crate::error::Error;

/// A public key ready to verify signatures.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// An RSA key (2048 to 16384 bits).
    Rsa(rsa::RsaKey),
    /// An ECDSA key on P-256, P-384 or P-521.
    Ec(ecdsa::EcKey),
    /// An Ed25519 key.
    Ed25519(eddsa::Ed25519Key),
}

impl PublicKey {
    /// Whether `alg` can be verified with this key (family and curve).
    #[must_use]
    pub fn fits(&self, alg: Algorithm) -> bool {
        match (self, alg.key_family()) {
            (Self::Rsa(_), KeyFamily::Rsa) | (Self::Ed25519(_), KeyFamily::Ed25519) => true,
            (Self::Ec(key), KeyFamily::Ec(curve)) => key.curve() == curve,
            _ => false,
        }
    }
}

/// Checks `signature` over `signing_input` with `key` for `alg`.
///
/// # Errors
/// [`Error::SignatureInvalid`] when the signature does not verify, has the wrong shape, or the key
/// does not fit the algorithm or is too weak for it.
pub fn verify(
    alg: Algorithm,
    key: &PublicKey,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    check_key(alg, key)?;
    let verified = match key {
        PublicKey::Rsa(key) => rsa::verify(alg, key, signing_input, signature)?,
        PublicKey::Ec(key) => ecdsa::verify(alg, key, signing_input, signature)?,
        PublicKey::Ed25519(key) => eddsa::verify(alg, key, signing_input, signature)?,
    };
    if verified {
        Ok(())
    } else {
        Err(signature_mismatch(alg))
    }
}

/// Whether `key` may verify `alg` at all: the right family and curve, and (RSA) at least
/// [`rsa::MIN_MODULUS_BITS`]. Both providers apply this before checking a signature.
///
/// # Errors
/// [`Error::SignatureInvalid`] naming the problem.
pub fn check_key(alg: Algorithm, key: &PublicKey) -> Result<(), Error> {
    if !key.fits(alg) {
        return Err(wrong_key(alg));
    }
    match key {
        PublicKey::Ed25519(key) if key.is_weak() => Err(Error::SignatureInvalid(
            "the chosen Ed25519 key is a small-order point, which verifies nothing".to_owned(),
        )),
        PublicKey::Rsa(rsa) if rsa.bits() < rsa::MIN_MODULUS_BITS => {
            Err(Error::SignatureInvalid(format!(
                "{alg} requires an RSA key of {} bits or more; the chosen key has {}",
                rsa::MIN_MODULUS_BITS,
                rsa.bits()
            )))
        }
        _ => Ok(()),
    }
}

/// Checks a signature must pass before it is handed to the host's crypto with `key`, so that both
/// providers give the same answer: the right length for ECDSA (`R||S`), Ed25519 and RSA (exactly
/// the modulus length `k`, RFC 8017 §8.1.2 and §8.2.2 step 1, which some hosts do not enforce:
/// OpenSSL takes a PSS signature one byte short, as if it had a leading zero byte), and for Ed25519
/// the small-order and canonical-`S` rules the host does not apply. False means a mismatch.
#[must_use]
pub fn host_precheck(alg: Algorithm, key: &PublicKey, signature: &[u8]) -> bool {
    match (alg.key_family(), key) {
        (KeyFamily::Ed25519, _) => eddsa::host_precheck(signature),
        (KeyFamily::Ec(curve), _) => signature.len() == curve.scalar_len().saturating_mul(2),
        (KeyFamily::Rsa, PublicKey::Rsa(rsa)) => signature.len() == rsa.len(),
        (KeyFamily::Rsa | KeyFamily::Secret, _) => true,
    }
}

/// The hash of the concatenated `parts` (one copy of each SHA-2 finalisation for RSA and ECDSA).
pub(crate) fn digest(hash: Hash, parts: &[&[u8]]) -> Vec<u8> {
    fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
        let mut hasher = D::new();
        for part in parts {
            hasher.update(part);
        }
        hasher.finalize().to_vec()
    }
    match hash {
        Hash::Sha256 => run::<Sha256>(parts),
        Hash::Sha384 => run::<Sha384>(parts),
        Hash::Sha512 => run::<Sha512>(parts),
    }
}

pub(crate) fn signature_mismatch(alg: Algorithm) -> Error {
    Error::SignatureInvalid(format!(
        "the {alg} signature does not verify with the chosen key"
    ))
}

pub(crate) fn wrong_key(alg: Algorithm) -> Error {
    Error::SignatureInvalid(format!("the chosen key cannot verify {alg}"))
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
    fn host_precheck_takes_only_k_byte_rsa_signatures() {
        // Any odd 2048-bit modulus makes a key; k = 256 bytes.
        let mut n = vec![0xC5; 256];
        n[255] = 0x01;
        let key = PublicKey::Rsa(rsa::public_key(&n, &[1, 0, 1]).unwrap());
        for alg in [Algorithm::Rs256, Algorithm::Ps256, Algorithm::Ps512] {
            assert!(host_precheck(alg, &key, &[0x11; 256]), "{alg}: k bytes");
            assert!(
                !host_precheck(alg, &key, &[0x11; 255]),
                "{alg}: k - 1 bytes"
            );
            assert!(
                !host_precheck(alg, &key, &[0x11; 257]),
                "{alg}: k + 1 bytes"
            );
            assert!(!host_precheck(alg, &key, &[]), "{alg}: no bytes");
        }
        // A modulus one bit past a byte boundary: k is 257 bytes.
        let mut n = vec![0xFF; 257];
        n[0] = 0x01;
        let key = PublicKey::Rsa(rsa::public_key(&n, &[3]).unwrap());
        assert!(host_precheck(Algorithm::Ps256, &key, &[0; 257]));
        assert!(!host_precheck(Algorithm::Ps256, &key, &[0; 256]));
    }
}
