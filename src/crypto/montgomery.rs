//! Arithmetic modulo an odd public modulus, in Montgomery form, on 32-bit limbs (WebAssembly
//! multiplies 32 by 32 bits into 64 natively; 64 by 64 into 128 it does not).
//!
//! Every operation here is **variable-time**: it is only ever given public values (signatures,
//! public keys, digests, curve constants). It must never see a secret.
//!
//! Numbers are little-endian limb slices at least as long as the modulus; limbs past the modulus
//! length are ignored on input and left alone on output, so callers may keep fixed-size arrays.
//! Every value handed in must already be below the modulus, and every value handed out is.

use std::cmp::Ordering;
use std::sync::OnceLock;

/// An odd modulus `m >= 3` with what Montgomery multiplication needs.
#[derive(Debug, Clone)]
pub(crate) struct Modulus {
    /// `m`, little-endian, with a non-zero top limb.
    limbs: Vec<u32>,
    /// `-m^-1 mod 2^32`.
    m0_inv: u32,
    /// `R^2 mod m`, where `R = 2^(32 * limbs.len())`: computed on first use, since it costs a few
    /// dozen multiplications and most keys of a key set never verify anything.
    r2: OnceLock<Vec<u32>>,
    /// The bit length of `m`.
    bits: usize,
}

/// The low 32 bits of `x`.
fn lo(x: u64) -> u32 {
    u32::try_from(x & 0xFFFF_FFFF).unwrap_or(0)
}

/// `a + b * c + carry` as (low limb, carry); cannot overflow 64 bits.
fn mul_add(a: u32, b: u32, c: u32, carry: u64) -> (u32, u64) {
    let s = u64::from(a)
        .wrapping_add(u64::from(b).wrapping_mul(u64::from(c)))
        .wrapping_add(carry);
    (lo(s), s >> 32)
}

/// Compares the first `len` limbs of `a` and `b` as numbers.
fn compare(a: &[u32], b: &[u32], len: usize) -> Ordering {
    let a = a.iter().take(len).rev();
    let b = b.iter().take(len).rev();
    a.cmp(b)
}

/// `a -= b` over the first `len` limbs; returns the borrow out.
fn sub_in_place(a: &mut [u32], b: &[u32], len: usize) -> bool {
    let mut borrow = false;
    for (x, &y) in a.iter_mut().zip(b).take(len) {
        let (d, b1) = x.overflowing_sub(y);
        let (d, b2) = d.overflowing_sub(u32::from(borrow));
        *x = d;
        borrow = b1 || b2;
    }
    borrow
}

/// `a += b` over the first `len` limbs; returns the carry out.
pub(crate) fn add_in_place(a: &mut [u32], b: &[u32], len: usize) -> bool {
    let mut carry = false;
    for (x, &y) in a.iter_mut().zip(b).take(len) {
        let (s, c1) = x.overflowing_add(y);
        let (s, c2) = s.overflowing_add(u32::from(carry));
        *x = s;
        carry = c1 || c2;
    }
    carry
}

/// The number of significant bits in a little-endian limb slice.
pub(crate) fn bit_length(limbs: &[u32]) -> usize {
    let mut bits = limbs.len().saturating_mul(32);
    for &limb in limbs.iter().rev() {
        if limb != 0 {
            let leading = usize::try_from(limb.leading_zeros()).unwrap_or(0);
            return bits.saturating_sub(leading);
        }
        bits = bits.saturating_sub(32);
    }
    0
}

/// Bit `index` of a little-endian limb slice (false past its end).
pub(crate) fn bit(limbs: &[u32], index: usize) -> bool {
    limbs
        .get(index / 32)
        .is_some_and(|limb| (limb >> (index % 32)) & 1 == 1)
}

/// Big-endian bytes to `len` little-endian limbs, or `None` when the value needs more limbs.
pub(crate) fn limbs_from_be(bytes: &[u8], len: usize) -> Option<Vec<u32>> {
    let significant = bytes
        .iter()
        .position(|&b| b != 0)
        .map_or(&[][..], |start| bytes.get(start..).unwrap_or_default());
    if significant.len() > len.saturating_mul(4) {
        return None;
    }
    let mut limbs = vec![0u32; len];
    for (limb, chunk) in limbs.iter_mut().zip(significant.rchunks(4)) {
        *limb = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    }
    Some(limbs)
}

/// The low `len` bytes of a little-endian limb slice, big-endian.
pub(crate) fn be_from_limbs(limbs: &[u32], len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    let little_endian = limbs.iter().flat_map(|limb| limb.to_le_bytes());
    for (byte, value) in bytes.iter_mut().rev().zip(little_endian) {
        *byte = value;
    }
    bytes
}

impl Modulus {
    /// Prepares `m` (big-endian bytes, leading zeros allowed). `None` unless `m` is odd and at
    /// least 3.
    pub(crate) fn new(m: &[u8]) -> Option<Self> {
        let significant = m.iter().skip_while(|&&b| b == 0).count();
        let mut limbs = limbs_from_be(m, significant.div_ceil(4))?;
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
        let low = *limbs.first()?;
        if low & 1 == 0 || (limbs.len() == 1 && low < 3) {
            return None;
        }
        // Newton's iteration doubles the correct low bits each step: 1, 2, 4, ... 32 (odd m).
        let mut inv: u32 = 1;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(low.wrapping_mul(inv)));
        }
        let bits = bit_length(&limbs);
        Some(Self {
            m0_inv: inv.wrapping_neg(),
            r2: OnceLock::new(),
            bits,
            limbs,
        })
    }

    /// The number of limbs.
    pub(crate) fn len(&self) -> usize {
        self.limbs.len()
    }

    /// The bit length of `m`.
    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    /// `m` as little-endian limbs.
    pub(crate) fn limbs(&self) -> &[u32] {
        &self.limbs
    }

    /// Whether `a` (at least [`Self::len`] limbs) is below `m`.
    pub(crate) fn contains(&self, a: &[u32]) -> bool {
        a.len() >= self.len() && compare(a, &self.limbs, self.len()) == Ordering::Less
    }

    /// `R^2 mod m`: `R mod m` by doubling `2^(bits-1)`, then `2^(32 * len)` in Montgomery form by
    /// squaring and doubling, which is `2^(32 * len) * R = R^2 (mod m)`.
    fn compute_r2(&self) -> Vec<u32> {
        let len = self.len();
        let mut acc = vec![0u32; len];
        let top = self.bits.saturating_sub(1);
        if let Some(limb) = acc.get_mut(top / 32) {
            *limb = 1 << (top % 32);
        }
        let r_bits = len.saturating_mul(32);
        for _ in top..r_bits {
            acc = self.double(&acc);
        }
        // acc = R mod m = 1 in Montgomery form; raise 2 to r_bits in that form.
        let exponent_bits = usize::BITS.saturating_sub(r_bits.leading_zeros());
        for index in (0..exponent_bits).rev() {
            acc = self.mul(&acc, &acc);
            if (r_bits >> index) & 1 == 1 {
                acc = self.double(&acc);
            }
        }
        acc
    }

    /// `out = a * b * R^-1 mod m` (CIOS). `out` must hold [`Self::len`] limbs.
    pub(crate) fn mul_into(&self, a: &[u32], b: &[u32], out: &mut [u32]) {
        let len = self.len();
        for limb in out.iter_mut().take(len) {
            *limb = 0;
        }
        let mut top: u32 = 0;
        for &ai in a.iter().take(len) {
            let mut carry = 0u64;
            for (t, &bj) in out.iter_mut().zip(b).take(len) {
                (*t, carry) = mul_add(*t, ai, bj, carry);
            }
            let sum = u64::from(top).wrapping_add(carry);
            top = lo(sum);
            let overflow = sum >> 32;

            let q = out.first().copied().unwrap_or(0).wrapping_mul(self.m0_inv);
            let mut carry = 0u64;
            for (t, &mj) in out.iter_mut().zip(&self.limbs) {
                (*t, carry) = mul_add(*t, q, mj, carry);
            }
            // The low limb is now zero: shift everything down one limb.
            let sum = u64::from(top).wrapping_add(carry);
            if let Some(t) = out.get_mut(..len) {
                t.rotate_left(1);
                if let Some(last) = t.last_mut() {
                    *last = lo(sum);
                }
            }
            top = lo(overflow.wrapping_add(sum >> 32));
        }
        if top != 0 || compare(out, &self.limbs, len) != Ordering::Less {
            sub_in_place(out, &self.limbs, len);
        }
    }

    /// `a * b * R^-1 mod m`, newly allocated.
    pub(crate) fn mul(&self, a: &[u32], b: &[u32]) -> Vec<u32> {
        let mut out = vec![0u32; self.len()];
        self.mul_into(a, b, &mut out);
        out
    }

    /// `out = a + b mod m`.
    pub(crate) fn add_into(&self, a: &[u32], b: &[u32], out: &mut [u32]) {
        let len = self.len();
        for (o, &x) in out.iter_mut().zip(a).take(len) {
            *o = x;
        }
        let carry = add_in_place(out, b, len);
        if carry || compare(out, &self.limbs, len) != Ordering::Less {
            sub_in_place(out, &self.limbs, len);
        }
    }

    /// `out = a - b mod m`.
    pub(crate) fn sub_into(&self, a: &[u32], b: &[u32], out: &mut [u32]) {
        let len = self.len();
        for (o, &x) in out.iter_mut().zip(a).take(len) {
            *o = x;
        }
        if sub_in_place(out, b, len) {
            add_in_place(out, &self.limbs, len);
        }
    }

    /// `2a mod m`, newly allocated.
    fn double(&self, a: &[u32]) -> Vec<u32> {
        let mut out = vec![0u32; self.len()];
        self.add_into(a, a, &mut out);
        out
    }

    /// `a` (below `m`) into Montgomery form.
    pub(crate) fn to_montgomery(&self, a: &[u32]) -> Vec<u32> {
        let r2 = self.r2.get_or_init(|| self.compute_r2());
        self.mul(a, r2)
    }

    /// `a` from Montgomery form back to standard form.
    pub(crate) fn to_standard(&self, a: &[u32]) -> Vec<u32> {
        let mut one = vec![0u32; self.len()];
        if let Some(low) = one.first_mut() {
            *low = 1;
        }
        self.mul(a, &one)
    }

    /// `base^exponent` with `base` in Montgomery form and the result in Montgomery form;
    /// `exponent` is little-endian limbs of any length and must not be zero.
    pub(crate) fn pow(&self, base: &[u32], exponent: &[u32]) -> Vec<u32> {
        let bits = bit_length(exponent);
        let mut acc: Vec<u32> = base.iter().copied().take(self.len()).collect();
        for index in (0..bits.saturating_sub(1)).rev() {
            acc = self.mul(&acc, &acc);
            if bit(exponent, index) {
                acc = self.mul(&acc, base);
            }
        }
        acc
    }

    /// The inverse of `a` (Montgomery form, non-zero) in Montgomery form, by Fermat's little
    /// theorem: only meaningful when `m` is prime.
    pub(crate) fn invert_prime(&self, a: &[u32]) -> Vec<u32> {
        let mut exponent = self.limbs.clone();
        let mut two = vec![0u32; self.len()];
        if let Some(low) = two.first_mut() {
            *low = 2;
        }
        // m >= 3, so m - 2 does not underflow.
        sub_in_place(&mut exponent, &two, self.len());
        self.pow(a, &exponent)
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::as_conversions,
        clippy::cast_possible_truncation
    )]

    use super::*;
    use crate::test_rng::Rng;

    /// Reference arithmetic on u128 for moduli below 2^64.
    fn small(m: u64) -> Modulus {
        Modulus::new(&m.to_be_bytes()).unwrap()
    }

    fn limbs64(x: u64, len: usize) -> Vec<u32> {
        let mut v = vec![0u32; len];
        v[0] = lo(x);
        if len > 1 {
            v[1] = lo(x >> 32);
        }
        v
    }

    fn value(limbs: &[u32]) -> u64 {
        limbs
            .iter()
            .rev()
            .fold(0u64, |acc, &l| (acc << 32) | u64::from(l))
    }

    #[test]
    fn refuses_even_and_tiny_moduli() {
        assert!(Modulus::new(&[]).is_none());
        assert!(Modulus::new(&[0, 0]).is_none());
        assert!(Modulus::new(&[1]).is_none());
        assert!(Modulus::new(&[4]).is_none());
        assert!(Modulus::new(&[0, 3]).is_some());
        assert_eq!(Modulus::new(&[0, 0, 1, 1]).unwrap().bits(), 9);
    }

    #[test]
    fn matches_u128_arithmetic() {
        let mut rng = Rng(7);
        for round in 0..2000 {
            let m = if round % 2 == 0 {
                (rng.next() | 1).max(3)
            } else {
                (rng.next() >> 40 | 1).max(3)
            };
            let modulus = small(m);
            let len = modulus.len();
            let a = rng.next() % m;
            let b = rng.next() % m;
            let (la, lb) = (limbs64(a, len), limbs64(b, len));
            let (ma, mb) = (modulus.to_montgomery(&la), modulus.to_montgomery(&lb));
            let product = modulus.to_standard(&modulus.mul(&ma, &mb));
            assert_eq!(
                u128::from(value(&product)),
                u128::from(a) * u128::from(b) % u128::from(m),
                "{a} * {b} mod {m}"
            );
            let mut sum = vec![0; len];
            modulus.add_into(&la, &lb, &mut sum);
            assert_eq!(
                u128::from(value(&sum)),
                (u128::from(a) + u128::from(b)) % u128::from(m)
            );
            let mut diff = vec![0; len];
            modulus.sub_into(&la, &lb, &mut diff);
            assert_eq!(
                u128::from(value(&diff)),
                (u128::from(a) + u128::from(m) - u128::from(b)) % u128::from(m)
            );
            let e = rng.next() % 1000 + 1;
            let power = modulus.to_standard(&modulus.pow(&ma, &limbs64(e, 2)));
            let mut expected = 1u128;
            for _ in 0..e {
                expected = expected * u128::from(a) % u128::from(m);
            }
            assert_eq!(u128::from(value(&power)), expected, "{a}^{e} mod {m}");
        }
    }

    #[test]
    fn inverts_modulo_a_prime() {
        let p: u64 = 0xFFFF_FFFF_0000_0001; // the Goldilocks prime
        let modulus = small(p);
        let mut rng = Rng(3);
        for _ in 0..200 {
            let a = rng.next() % (p - 1) + 1;
            let ma = modulus.to_montgomery(&limbs64(a, 2));
            let inv = modulus.to_standard(&modulus.invert_prime(&ma));
            assert_eq!(u128::from(value(&inv)) * u128::from(a) % u128::from(p), 1);
        }
    }

    #[test]
    fn converts_bytes_and_limbs() {
        let limbs = limbs_from_be(&[0, 0, 1, 2, 3, 4, 5], 2).unwrap();
        assert_eq!(limbs, vec![0x0203_0405, 0x01]);
        assert_eq!(be_from_limbs(&limbs, 6), vec![0, 1, 2, 3, 4, 5]);
        assert!(limbs_from_be(&[1, 0, 0, 0, 0], 1).is_none());
        assert_eq!(bit_length(&[0, 1]), 33);
        assert!(bit(&[0, 1], 32));
        assert!(!bit(&[0, 1], 64));
    }

    /// A big-integer reference: `num-bigint` (a dev-dependency) against every operation, over moduli
    /// of the shapes that stress carries and the final subtraction.
    mod reference {
        use num_bigint::BigUint;

        use super::super::*;
        use crate::test_rng::Rng;

        fn big(limbs: &[u32]) -> BigUint {
            BigUint::from_slice(limbs)
        }

        fn limbs(value: &BigUint, len: usize) -> Vec<u32> {
            let mut out = value.to_u32_digits();
            assert!(out.len() <= len, "{value} does not fit in {len} limbs");
            out.resize(len, 0);
            out
        }

        fn random_below(rng: &mut Rng, m: &BigUint) -> BigUint {
            let words = m.to_u32_digits().len() + 1;
            let raw: Vec<u32> = (0..words).map(|_| rng.next() as u32).collect();
            BigUint::from_slice(&raw) % m
        }

        /// Odd moduli of every shape: one limb (3, 2^32 - 1, random), all ones over k limbs,
        /// top bit only (2^(32k - 1) + 1), 2^k +- 1 around limb boundaries, the curve primes and
        /// orders, and random odd numbers of RSA sizes.
        fn moduli(rng: &mut Rng) -> Vec<BigUint> {
            let one = BigUint::from(1u8);
            let mut out = vec![
                BigUint::from(3u8),
                BigUint::from(u32::MAX),
                BigUint::from(rng.next() as u32 | 0x8000_0001),
                BigUint::from(rng.next() as u32 >> 7 | 1),
            ];
            for k in [1usize, 2, 3, 8, 16, 17, 64, 65] {
                out.push((&one << (32 * k)) - &one); // all ones
                out.push((&one << (32 * k - 1)) + &one); // top bit only (and the low bit)
            }
            for k in [
                33usize, 63, 64, 65, 95, 96, 255, 256, 257, 384, 521, 2047, 2048, 2049, 4097,
            ] {
                out.push((&one << k) + &one);
                out.push((&one << k) - &one);
            }
            for curve in [
                crate::alg::Curve::P256,
                crate::alg::Curve::P384,
                crate::alg::Curve::P521,
            ] {
                let params = crate::crypto::nist_curves::params(curve).unwrap();
                out.push(big(params.order().limbs()));
            }
            for bits in [64usize, 100, 2048, 2049, 3072, 4095, 4097] {
                let words = bits.div_ceil(32);
                let mut raw: Vec<u32> = (0..words).map(|_| rng.next() as u32).collect();
                let top = bits - 32 * (words - 1);
                let last = raw.last_mut().unwrap();
                *last = (*last & (u32::MAX >> (32 - top))) | (1 << (top - 1));
                raw[0] |= 1;
                out.push(BigUint::from_slice(&raw));
            }
            out
        }

        #[test]
        fn every_operation_matches_num_bigint() {
            let mut rng = Rng(0x5eed_cafe);
            let mut checked = 0;
            for m in moduli(&mut rng) {
                let modulus = Modulus::new(&m.to_bytes_be()).unwrap();
                assert_eq!(big(modulus.limbs()), m);
                assert_eq!(modulus.bits(), usize::try_from(m.bits()).unwrap());
                let len = modulus.len();
                let r = BigUint::from(1u8) << (32 * len);
                let r_inv = r.modinv(&m).unwrap();
                let edges = [
                    BigUint::from(0u8),
                    BigUint::from(1u8),
                    &m - 1u8,
                    &m - 2u8 % &m,
                ];
                let rounds = if len > 64 { 6 } else { 24 };
                for round in 0..rounds {
                    let a = edges
                        .get(round)
                        .cloned()
                        .unwrap_or_else(|| random_below(&mut rng, &m));
                    let b = edges
                        .get(round.wrapping_sub(2))
                        .cloned()
                        .unwrap_or_else(|| random_below(&mut rng, &m));
                    let (la, lb) = (limbs(&a, len), limbs(&b, len));
                    // Montgomery multiplication itself: a * b * R^-1.
                    assert_eq!(
                        big(&modulus.mul(&la, &lb)),
                        &a * &b * &r_inv % &m,
                        "mul mod {m}"
                    );
                    // Conversions.
                    let ma = modulus.to_montgomery(&la);
                    assert_eq!(big(&ma), &a * &r % &m, "to_montgomery mod {m}");
                    assert_eq!(big(&modulus.to_standard(&ma)), a, "to_standard mod {m}");
                    let mb = modulus.to_montgomery(&lb);
                    let product = modulus.to_standard(&modulus.mul(&ma, &mb));
                    assert_eq!(big(&product), &a * &b % &m, "product mod {m}");
                    let mut sum = vec![0; len];
                    modulus.add_into(&la, &lb, &mut sum);
                    assert_eq!(big(&sum), (&a + &b) % &m, "add mod {m}");
                    let mut difference = vec![0; len];
                    modulus.sub_into(&la, &lb, &mut difference);
                    assert_eq!(big(&difference), (&a + &m - &b) % &m, "sub mod {m}");
                    // pow with exponents of RSA's range (and 1, the shortest).
                    let exponent: u64 = match round % 4 {
                        0 => 1,
                        1 => 65537,
                        2 => (1 << 33) - 1,
                        _ => rng.next() >> 20 | 1,
                    };
                    let e_limbs = [exponent as u32, (exponent >> 32) as u32];
                    let power = modulus.to_standard(&modulus.pow(&ma, &e_limbs));
                    assert_eq!(
                        big(&power),
                        a.modpow(&BigUint::from(exponent), &m),
                        "{a}^{exponent} mod {m}"
                    );
                    checked += 1;
                }
            }
            assert!(checked > 900, "{checked}");
        }

        #[test]
        fn inversion_matches_num_bigint_modulo_the_curve_primes_and_orders() {
            let mut rng = Rng(11);
            for curve in [
                crate::alg::Curve::P256,
                crate::alg::Curve::P384,
                crate::alg::Curve::P521,
            ] {
                let params = crate::crypto::nist_curves::params(curve).unwrap();
                let order = params.order();
                let m = big(order.limbs());
                for round in 0..20 {
                    let a = if round == 0 {
                        &m - 1u8
                    } else {
                        random_below(&mut rng, &m)
                    };
                    if a == BigUint::from(0u8) {
                        continue;
                    }
                    let inv = order.to_standard(
                        &order.invert_prime(&order.to_montgomery(&limbs(&a, order.len()))),
                    );
                    assert_eq!(big(&inv), a.modinv(&m).unwrap(), "{curve:?}");
                }
            }
        }
    }
}
