//! RSASSA-PKCS1-v1_5 (`RS256/384/512`) and RSASSA-PSS (`PS256/384/512`, MGF1 with the same hash,
//! salt length equal to the hash length, as RFC 7518 §3.5, WebCrypto and jose use), verified as
//! RFC 8017 §8.1.2 and §8.2.2 describe: the signature must be exactly the modulus length and below
//! the modulus, and the recovered encoding must match in every byte.

use super::digest;
use super::montgomery::{be_from_limbs, bit_length, limbs_from_be, Modulus};
use crate::alg::{Algorithm, Hash};
use crate::error::Error;

/// The smallest modulus accepted for any RSA algorithm (RFC 7518 §3.3, jose's rule).
pub const MIN_MODULUS_BITS: usize = 2048;
/// The largest modulus accepted, which bounds the time one verification can take.
pub const MAX_MODULUS_BITS: usize = 16384;
/// The largest public exponent accepted (2^33 - 1, as the RustCrypto `rsa` crate and most
/// libraries bound it); the smallest is 3.
const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// The most RSA arithmetic one token may cause, in [`RsaKey::work`] units: exactly the work of one
/// verification with the largest key accepted (16384 bits, e = 2^33 - 1). A token that several
/// keys fit (no `kid`, or a `kid` several keys share) is refused untried when the keys together
/// would cost more, so no token costs more than the single worst key.
pub const MAX_WORK_PER_TOKEN: u64 = 21_233_664; // 512^2 * (33 + 33 + 15): 16384 bits, e = 2^33 - 1

/// [`RsaKey::work`] of a key of `bits` bits with exponent `exponent`.
fn work_of(bits: usize, exponent: u64) -> u64 {
    let bit_length = |x: u64| u64::from(u64::BITS.saturating_sub(x.leading_zeros()));
    let limbs = u64::try_from(bits.div_ceil(32)).unwrap_or(u64::MAX);
    let multiplications = bit_length(exponent)
        .saturating_add(u64::from(exponent.count_ones()))
        .saturating_add(bit_length(limbs.saturating_mul(32)));
    limbs.saturating_mul(limbs).saturating_mul(multiplications)
}

/// A parsed RSA public key. Keys under [`MIN_MODULUS_BITS`] are kept (a key set may hold them) but
/// never verify anything.
#[derive(Debug, Clone)]
pub struct RsaKey {
    modulus: Modulus,
    exponent: u64,
}

impl RsaKey {
    /// The modulus size in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.modulus.bits()
    }

    /// What one verification with this key costs: (modulus limbs)^2 limb products per Montgomery
    /// multiplication, times the multiplications (one per exponent bit and per set bit, which
    /// covers the conversions in and out of Montgomery form, and the squarings that make `R^2 mod n`
    /// on the key's first use). A 2048-bit key with e = 65537 costs 64^2 * 31 = 126,976.
    #[must_use]
    pub fn work(&self) -> u64 {
        work_of(self.bits(), self.exponent)
    }

    /// The modulus size in bytes (the length of every signature).
    pub(crate) fn len(&self) -> usize {
        self.bits().div_ceil(8)
    }
}

fn invalid(reason: &str) -> Error {
    Error::JwksInvalid(format!("the RSA key is not valid: {reason}"))
}

/// Builds a key from the big-endian modulus and exponent (JWK `n` and `e`).
///
/// # Errors
/// [`Error::JwksInvalid`] for a modulus over [`MAX_MODULUS_BITS`] or an even one, or an exponent
/// that is even, below 3, over 2^33 - 1 or not below the modulus.
pub fn public_key(n: &[u8], e: &[u8]) -> Result<RsaKey, Error> {
    let bits = limbs_from_be(n, n.len().div_ceil(4)).map_or(0, |limbs| bit_length(&limbs));
    if bits > MAX_MODULUS_BITS {
        return Err(too_large(bits));
    }
    let e_bytes: Vec<u8> = e.iter().copied().skip_while(|&b| b == 0).collect();
    if e_bytes.len() > 8 {
        return Err(invalid("the public exponent is too large"));
    }
    let exponent = e_bytes
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let modulus = Modulus::new(n).ok_or_else(|| invalid("the modulus is even or too small"))?;
    let exponent_below_modulus = modulus.bits() > 64
        || modulus
            .limbs()
            .iter()
            .rev()
            .fold(0u64, |acc, &limb| (acc << 32) | u64::from(limb))
            > exponent;
    if !exponent_below_modulus {
        return Err(invalid("the modulus is not above the public exponent"));
    }
    if exponent % 2 == 0 {
        return Err(invalid("the public exponent is even"));
    }
    if exponent < 3 {
        return Err(invalid("the public exponent is too small"));
    }
    if exponent > MAX_EXPONENT {
        return Err(invalid("the public exponent is too large"));
    }
    Ok(RsaKey { modulus, exponent })
}

fn too_large(bits: usize) -> Error {
    Error::JwksInvalid(format!(
        "the RSA modulus has {bits} bits; at most {MAX_MODULUS_BITS} are accepted"
    ))
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
    if key.bits() < MIN_MODULUS_BITS {
        return Err(Error::SignatureInvalid(format!(
            "{alg} requires an RSA key of {MIN_MODULUS_BITS} bits or more; the chosen key has {}",
            key.bits()
        )));
    }
    let is_pss = match alg {
        Algorithm::Rs256 | Algorithm::Rs384 | Algorithm::Rs512 => false,
        Algorithm::Ps256 | Algorithm::Ps384 | Algorithm::Ps512 => true,
        _ => return Err(super::wrong_key(alg)),
    };
    let hash = alg.hash();
    let Some(encoded) = recover_encoding(key, signature) else {
        return Ok(false);
    };
    let digest = digest(hash, &[signing_input]);
    Ok(if is_pss {
        pss_matches(hash, &digest, &encoded, key.bits())
    } else {
        pkcs1_matches(hash, &digest, &encoded)
    })
}

/// RSAVP1: `s^e mod n` as `k` big-endian bytes, or `None` when the signature is not `k` bytes long
/// or not below `n`.
fn recover_encoding(key: &RsaKey, signature: &[u8]) -> Option<Vec<u8>> {
    let modulus = &key.modulus;
    if signature.len() != key.len() {
        return None;
    }
    let s = limbs_from_be(signature, modulus.len())?;
    if !modulus.contains(&s) {
        return None;
    }
    let exponent = [
        u32::try_from(key.exponent & 0xFFFF_FFFF).ok()?,
        u32::try_from(key.exponent >> 32).ok()?,
    ];
    let m = modulus.to_standard(&modulus.pow(&modulus.to_montgomery(&s), &exponent));
    Some(be_from_limbs(&m, key.len()))
}

/// The DER `DigestInfo` prefix for each hash (RFC 8017 §9.2, note 1), NULL parameters included.
fn digest_info_prefix(hash: Hash) -> [u8; 19] {
    let (length, oid_last, digest_len) = match hash {
        Hash::Sha256 => (0x31, 0x01, 0x20),
        Hash::Sha384 => (0x41, 0x02, 0x30),
        Hash::Sha512 => (0x51, 0x03, 0x40),
    };
    [
        0x30, length, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
        oid_last, 0x05, 0x00, 0x04, digest_len,
    ]
}

/// EMSA-PKCS1-v1_5: `EM = 0x00 01 FF..FF 00 || DigestInfo || H`, at least eight `FF` bytes.
fn pkcs1_matches(hash: Hash, digest: &[u8], encoded: &[u8]) -> bool {
    let prefix = digest_info_prefix(hash);
    let t_len = prefix.len().saturating_add(digest.len());
    let Some(padding_len) = encoded.len().checked_sub(t_len.saturating_add(3)) else {
        return false;
    };
    if padding_len < 8 {
        return false;
    }
    let expected = [0x00, 0x01]
        .into_iter()
        .chain(std::iter::repeat_n(0xFF, padding_len))
        .chain([0x00])
        .chain(prefix)
        .chain(digest.iter().copied());
    expected.eq(encoded.iter().copied())
}

/// MGF1 with `hash`: `len` bytes of `Hash(seed || counter)` for counters 0, 1, ...
fn mgf1(hash: Hash, seed: &[u8], len: usize) -> Vec<u8> {
    let mut mask = Vec::with_capacity(len);
    let mut counter: u32 = 0;
    while mask.len() < len {
        mask.extend(digest(hash, &[seed, &counter.to_be_bytes()]));
        counter = counter.wrapping_add(1);
    }
    mask.truncate(len);
    mask
}

/// EMSA-PSS verification (RFC 8017 §9.1.2) with salt length equal to the hash length.
fn pss_matches(hash: Hash, digest: &[u8], recovered: &[u8], bits: usize) -> bool {
    let h_len = digest.len();
    let s_len = h_len;
    let em_bits = bits.saturating_sub(1);
    let em_len = em_bits.div_ceil(8);
    // When the modulus is one bit past a byte boundary, EM is one byte shorter than the recovered
    // value, whose first byte must then be zero.
    let Some(skip) = recovered.len().checked_sub(em_len) else {
        return false;
    };
    let (leading, em) = recovered.split_at(skip);
    if leading.iter().any(|&b| b != 0) {
        return false;
    }
    let Some(db_len) = em_len.checked_sub(h_len.saturating_add(1)) else {
        return false;
    };
    if em_len < h_len.saturating_add(s_len).saturating_add(2) || em.last() != Some(&0xBC) {
        return false;
    }
    let (masked_db, rest) = em.split_at(db_len);
    let Some(h) = rest.get(..h_len) else {
        return false;
    };
    // The top 8 * emLen - emBits bits of EM must be zero.
    let unused_bits = em_len.saturating_mul(8).saturating_sub(em_bits);
    let top_mask = u8::try_from(0xFF_u32 >> unused_bits).unwrap_or(0xFF);
    if masked_db.first().is_some_and(|&b| b & !top_mask != 0) {
        return false;
    }
    let mut db: Vec<u8> = masked_db
        .iter()
        .zip(mgf1(hash, h, db_len))
        .map(|(a, b)| a ^ b)
        .collect();
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    // DB = PS (zeros) || 0x01 || salt
    let Some(ps_len) = db_len.checked_sub(s_len.saturating_add(1)) else {
        return false;
    };
    let (ps, rest) = db.split_at(ps_len);
    let Some((&separator, salt)) = rest.split_first() else {
        return false;
    };
    if ps.iter().any(|&b| b != 0) || separator != 0x01 {
        return false;
    }
    let expected = digest_pss(hash, digest, salt);
    expected == h
}

/// `H' = Hash(0x00 * 8 || mHash || salt)`.
fn digest_pss(hash: Hash, digest_of_message: &[u8], salt: &[u8]) -> Vec<u8> {
    digest(hash, &[&[0u8; 8], digest_of_message, salt])
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )]
    use super::*;

    /// An odd modulus of `bits` bits (not a product of primes: only its size matters here).
    fn modulus(bits: usize) -> Vec<u8> {
        let mut n = vec![0x5A; bits.div_ceil(8)];
        n[0] = 1 << ((bits + 7) % 8);
        *n.last_mut().unwrap() |= 1;
        n
    }

    #[test]
    fn work_counts_limbs_squared_times_multiplications() {
        assert_eq!(MAX_WORK_PER_TOKEN, work_of(MAX_MODULUS_BITS, MAX_EXPONENT));
        let largest = public_key(&modulus(16384), &MAX_EXPONENT.to_be_bytes()).unwrap();
        assert_eq!(largest.bits(), 16384);
        assert_eq!(largest.work(), MAX_WORK_PER_TOKEN);
        // 2048 bits, e = 65537: 64 limbs, 17 exponent bits, 2 set, R = 2^2048 has 12 bits.
        let common = public_key(&modulus(2048), &[1, 0, 1]).unwrap();
        assert_eq!(common.work(), 64 * 64 * (17 + 2 + 12));
        // One bit past a limb: 65 limbs.
        assert_eq!(
            public_key(&modulus(2049), &[3]).unwrap().work(),
            65 * 65 * (2 + 2 + 12)
        );
        // Larger keys and exponents cost more.
        let mut last = 0;
        for bits in [2048, 3072, 4096, 8192, 16384] {
            for e in [3u64, 65537, (1 << 31) - 1, (1 << 33) - 1] {
                let work = public_key(&modulus(bits), &e.to_be_bytes()).unwrap().work();
                assert!(work <= MAX_WORK_PER_TOKEN, "{bits} {e}");
                assert!(work > last || e == 3, "{bits} {e}");
                last = work;
            }
        }
    }
}
