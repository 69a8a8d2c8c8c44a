//! ECDSA on P-256, P-384 and P-521 (`ES256`, `ES384`, `ES512`) with raw `R||S` signatures
//! (RFC 7518 §3.4), verified as FIPS 186-4 §6.4.2 / SEC 1 §4.1.4 describe. DER signatures, zero or
//! out-of-range scalars are mismatches. High-S signatures verify, as they do with WebCrypto.

use super::digest;
use super::montgomery::limbs_from_be;
use super::nist_curves::{self, is_zero, to_limbs, CurveParams, Limbs, Point};
use crate::alg::{Algorithm, Curve, KeyFamily};
use crate::error::Error;

/// A parsed ECDSA public key: a point on its curve (never the point at infinity).
#[derive(Clone)]
pub struct EcKey {
    curve: Curve,
    point: Point,
}

impl std::fmt::Debug for EcKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EcKey({})", self.curve.jwk_name())
    }
}

impl EcKey {
    /// The key's curve.
    #[must_use]
    pub fn curve(&self) -> Curve {
        self.curve
    }
}

fn curve_params(curve: Curve) -> Result<&'static CurveParams, Error> {
    nist_curves::params(curve).ok_or_else(|| {
        Error::JwksInvalid(format!(
            "the {} parameters are unavailable",
            curve.jwk_name()
        ))
    })
}

/// Builds a key from the affine coordinates (JWK `x` and `y`), each exactly the curve's field size.
///
/// # Errors
/// [`Error::JwksInvalid`] when a coordinate has the wrong length, is not below the field prime, or
/// the point is not on the curve.
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
    let point = curve_params(curve)?.affine_point(x, y).ok_or_else(|| {
        Error::JwksInvalid(format!(
            "the {} key's point is not on the curve",
            curve.jwk_name()
        ))
    })?;
    Ok(EcKey { curve, point })
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
    if alg.key_family() != KeyFamily::Ec(key.curve) {
        return Err(super::wrong_key(alg));
    }
    let size = key.curve.scalar_len();
    if signature.len() != size.saturating_mul(2) {
        return Ok(false);
    }
    let (r, s) = signature.split_at(size);
    let digest = digest(alg.hash(), &[signing_input]);
    Ok(verify_digest(
        curve_params(key.curve)?,
        &key.point,
        &digest,
        r,
        s,
    ))
}

/// A scalar in `[1, n)` from big-endian bytes, or `None`.
fn scalar(params: &CurveParams, bytes: &[u8]) -> Option<Limbs> {
    let order = params.order();
    let limbs = to_limbs(&limbs_from_be(bytes, order.len())?);
    (!is_zero(&limbs) && order.contains(&limbs)).then_some(limbs)
}

/// The ECDSA check proper: with `z` the digest as an integer (every JOSE curve is paired with a
/// hash no longer than its order, so no truncation), `w = s^-1`, `u1 = z w`, `u2 = r w` (mod `n`),
/// the signature holds when `u1 G + u2 Q` has an x-coordinate equal to `r` modulo `n`.
fn verify_digest(params: &CurveParams, key: &Point, digest: &[u8], r: &[u8], s: &[u8]) -> bool {
    let order = params.order();
    let (Some(r), Some(s)) = (scalar(params, r), scalar(params, s)) else {
        return false;
    };
    if digest.len().saturating_mul(8) > order.bits() {
        return false;
    }
    let Some(mut z) = limbs_from_be(digest, order.len()) else {
        return false;
    };
    if !order.contains(&z) {
        // z < 2^bits(n) < 2n, so one subtraction reduces it.
        let mut reduced = vec![0u32; order.len()];
        order.sub_into(&z, order.limbs(), &mut reduced);
        z = reduced;
    }
    let w = order.invert_prime(&order.to_montgomery(&s));
    let u1 = order.to_standard(&order.mul(&order.to_montgomery(&z), &w));
    let u2 = order.to_standard(&order.mul(&order.to_montgomery(&r), &w));
    let point = params.double_mul(&to_limbs(&u1), &to_limbs(&u2), key);
    params.x_matches(&point, &r)
}
