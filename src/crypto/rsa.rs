//! RSASSA-PKCS1-v1_5 (`RS256/384/512`) and RSASSA-PSS (`PS256/384/512`, salt length equal to the
//! hash length, as WebCrypto and jose use).

use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};
use sha2::{Sha256, Sha384, Sha512};

use crate::alg::{Algorithm, Hash};
use crate::error::Error;

/// The smallest modulus accepted for any RSA algorithm (RFC 7518 §3.3, jose's rule).
pub const MIN_MODULUS_BITS: usize = 2048;
/// The largest modulus accepted, which bounds the time one verification can take.
pub const MAX_MODULUS_BITS: usize = 16384;

/// A parsed RSA public key. Keys under [`MIN_MODULUS_BITS`] are kept (a key set may hold them) but
/// never verify anything.
#[derive(Debug, Clone)]
pub struct RsaKey {
    key: RsaPublicKey,
    bits: usize,
}

impl RsaKey {
    /// The modulus size in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.bits
    }
}

/// Builds a key from the big-endian modulus and exponent (JWK `n` and `e`).
///
/// # Errors
/// [`Error::JwksInvalid`] for a modulus over [`MAX_MODULUS_BITS`], an even or tiny modulus, or an
/// exponent the RSA crate refuses.
pub fn public_key(n: &[u8], e: &[u8]) -> Result<RsaKey, Error> {
    let n = BigUint::from_bytes_be(n);
    let e = BigUint::from_bytes_be(e);
    let bits = n.bits();
    if bits > MAX_MODULUS_BITS {
        return Err(Error::JwksInvalid(format!(
            "the RSA modulus has {bits} bits; at most {MAX_MODULUS_BITS} are accepted"
        )));
    }
    let key = RsaPublicKey::new_with_max_size(n, e, MAX_MODULUS_BITS)
        .map_err(|err| Error::JwksInvalid(format!("the RSA key is not valid: {err}")))?;
    let bits = key.n().bits();
    Ok(RsaKey { key, bits })
}

/// Verifies an RSA signature. Returns `Ok(false)` on a mismatch.
///
/// # Errors
/// [`Error::SignatureInvalid`] when the key is under [`MIN_MODULUS_BITS`] or `alg` is not an RSA
/// algorithm.
pub fn verify(
    alg: Algorithm,
    key: &RsaKey,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, Error> {
    if key.bits < MIN_MODULUS_BITS {
        return Err(Error::SignatureInvalid(format!(
            "{alg} requires an RSA key of {MIN_MODULUS_BITS} bits or more; the chosen key has {}",
            key.bits
        )));
    }
    let is_pss = match alg {
        Algorithm::Rs256 | Algorithm::Rs384 | Algorithm::Rs512 => false,
        Algorithm::Ps256 | Algorithm::Ps384 | Algorithm::Ps512 => true,
        _ => return Err(super::wrong_key(alg)),
    };
    Ok(match (is_pss, alg.hash()) {
        (false, Hash::Sha256) => pkcs1::<Sha256>(&key.key, signing_input, signature),
        (false, Hash::Sha384) => pkcs1::<Sha384>(&key.key, signing_input, signature),
        (false, Hash::Sha512) => pkcs1::<Sha512>(&key.key, signing_input, signature),
        (true, Hash::Sha256) => pss::<Sha256>(&key.key, signing_input, signature),
        (true, Hash::Sha384) => pss::<Sha384>(&key.key, signing_input, signature),
        (true, Hash::Sha512) => pss::<Sha512>(&key.key, signing_input, signature),
    })
}

fn pkcs1<D>(key: &RsaPublicKey, input: &[u8], signature: &[u8]) -> bool
where
    D: sha2::Digest + rsa::pkcs8::AssociatedOid,
{
    let hashed = D::digest(input);
    key.verify(rsa::Pkcs1v15Sign::new::<D>(), &hashed, signature)
        .is_ok()
}

fn pss<D>(key: &RsaPublicKey, input: &[u8], signature: &[u8]) -> bool
where
    D: 'static + sha2::Digest + sha2::digest::DynDigest + Send + Sync,
{
    let hashed = D::digest(input);
    // Pss::new fixes the salt length to the hash length, as RFC 7518 §3.5 and WebCrypto do.
    key.verify(rsa::Pss::new::<D>(), &hashed, signature).is_ok()
}
