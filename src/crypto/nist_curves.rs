//! The NIST prime curves P-256, P-384 and P-521 (`y^2 = x^3 - 3x + b` over `GF(p)`, prime order
//! `n`, cofactor 1): their parameters (FIPS 186-4 §D.1.2, SEC 2 §2.4-2.6) and the point arithmetic
//! ECDSA verification needs, in Jacobian coordinates on Montgomery-form field elements.
//!
//! Variable-time, like everything in [`super::montgomery`]: verification handles only public
//! values (the key, the signature, the digest).

use std::sync::OnceLock;

use super::montgomery::{add_in_place, limbs_from_be, Modulus};
use crate::alg::Curve;

/// Limbs in a field element: enough for P-521 (17 x 32 = 544 bits).
const LIMBS: usize = 17;

/// A field element or scalar in little-endian limbs; limbs past the modulus length are zero.
pub(crate) type Limbs = [u32; LIMBS];

const ZERO: Limbs = [0; LIMBS];

/// A point in Jacobian coordinates `(X : Y : Z)` for the affine `(X/Z^2, Y/Z^3)`, in Montgomery
/// form; `Z = 0` is the point at infinity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Point {
    x: Limbs,
    y: Limbs,
    z: Limbs,
}

impl Point {
    const INFINITY: Self = Self {
        x: ZERO,
        y: ZERO,
        z: ZERO,
    };

    fn is_infinity(&self) -> bool {
        is_zero(&self.z)
    }
}

/// One curve's parameters, prepared once.
#[derive(Debug)]
pub(crate) struct CurveParams {
    /// The field prime `p`.
    field: Modulus,
    /// The group order `n`.
    order: Modulus,
    /// `b`, in Montgomery form.
    b: Limbs,
    /// `0, G, 2G, ... 15G`.
    generator_multiples: [Point; 16],
}

/// Whether every limb is zero.
pub(crate) fn is_zero(a: &Limbs) -> bool {
    a.iter().all(|&limb| limb == 0)
}

/// Copies a limb slice into a fixed-size value (the caller knows it fits).
pub(crate) fn to_limbs(slice: &[u32]) -> Limbs {
    let mut limbs = ZERO;
    for (to, &from) in limbs.iter_mut().zip(slice) {
        *to = from;
    }
    limbs
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    let digits: Option<Vec<u8>> = hex
        .chars()
        .map(|c| c.to_digit(16).and_then(|d| u8::try_from(d).ok()))
        .collect();
    let digits = digits?;
    Some(
        digits
            .chunks(2)
            .map(|pair| pair.iter().fold(0u8, |acc, &d| (acc << 4) | d))
            .collect(),
    )
}

/// The published parameters, big-endian hex: `p`, `n`, `b`, `Gx`, `Gy`.
fn constants(curve: Curve) -> [&'static str; 5] {
    match curve {
        Curve::P256 => [
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
            "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
            "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
        ],
        Curve::P384 => [
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
            "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
            "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
            "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
        ],
        Curve::P521 => [
            "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
            "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
            "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
            "011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
        ],
    }
}

/// The prepared parameters of `curve`, built on first use. `None` only if the constants above were
/// malformed, which the unit tests rule out.
pub(crate) fn params(curve: Curve) -> Option<&'static CurveParams> {
    static P256: OnceLock<Option<CurveParams>> = OnceLock::new();
    static P384: OnceLock<Option<CurveParams>> = OnceLock::new();
    static P521: OnceLock<Option<CurveParams>> = OnceLock::new();
    let cell = match curve {
        Curve::P256 => &P256,
        Curve::P384 => &P384,
        Curve::P521 => &P521,
    };
    cell.get_or_init(|| CurveParams::new(curve)).as_ref()
}

impl CurveParams {
    fn new(curve: Curve) -> Option<Self> {
        let [p, n, b, gx, gy] = constants(curve).map(hex_bytes);
        let field = Modulus::new(&p?)?;
        let order = Modulus::new(&n?)?;
        let mut params = Self {
            b: ZERO,
            generator_multiples: [Point::INFINITY; 16],
            field,
            order,
        };
        params.b = params.field_element(&b?)?;
        let generator = params.affine_point(&gx?, &gy?)?;
        params.generator_multiples = params.multiples(&generator);
        Some(params)
    }

    /// The group order `n`.
    pub(crate) fn order(&self) -> &Modulus {
        &self.order
    }

    /// A field element from big-endian bytes, in Montgomery form; `None` unless below `p`.
    fn field_element(&self, bytes: &[u8]) -> Option<Limbs> {
        let limbs = to_limbs(&limbs_from_be(bytes, self.field.len())?);
        self.field
            .contains(&limbs)
            .then(|| to_limbs(&self.field.to_montgomery(&limbs)))
    }

    /// The point `(x, y)` from big-endian coordinates; `None` unless both are below `p` and the
    /// point is on the curve (with cofactor 1, every such point is in the group).
    pub(crate) fn affine_point(&self, x: &[u8], y: &[u8]) -> Option<Point> {
        let x = self.field_element(x)?;
        let y = self.field_element(y)?;
        // y^2 = x^3 - 3x + b
        let x2 = self.mul(&x, &x);
        let x3 = self.mul(&x2, &x);
        let three_x = self.add(&self.add(&x, &x), &x);
        let rhs = self.add(&self.sub(&x3, &three_x), &self.b);
        let on_curve = self.mul(&y, &y) == rhs;
        let one = to_limbs(&self.field.to_montgomery(&to_limbs(&[1])));
        on_curve.then_some(Point { x, y, z: one })
    }

    fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut out = ZERO;
        self.field.mul_into(a, b, &mut out);
        out
    }

    fn add(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut out = ZERO;
        self.field.add_into(a, b, &mut out);
        out
    }

    fn sub(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut out = ZERO;
        self.field.sub_into(a, b, &mut out);
        out
    }

    /// `2P` (dbl-2001-b, for `a = -3`).
    fn double(&self, point: &Point) -> Point {
        if point.is_infinity() {
            return *point;
        }
        let Point { x, y, z } = point;
        let delta = self.mul(z, z);
        let gamma = self.mul(y, y);
        let beta = self.mul(x, &gamma);
        let alpha = self.mul(&self.sub(x, &delta), &self.add(x, &delta));
        let alpha = self.add(&self.add(&alpha, &alpha), &alpha);
        let beta4 = self.add(&beta, &beta);
        let beta4 = self.add(&beta4, &beta4);
        let beta8 = self.add(&beta4, &beta4);
        let x3 = self.sub(&self.mul(&alpha, &alpha), &beta8);
        let y_plus_z = self.add(y, z);
        let z3 = self.sub(&self.sub(&self.mul(&y_plus_z, &y_plus_z), &gamma), &delta);
        let gamma2 = self.mul(&gamma, &gamma);
        let gamma2x2 = self.add(&gamma2, &gamma2);
        let gamma2x4 = self.add(&gamma2x2, &gamma2x2);
        let gamma2x8 = self.add(&gamma2x4, &gamma2x4);
        let y3 = self.sub(&self.mul(&alpha, &self.sub(&beta4, &x3)), &gamma2x8);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `P + Q` (add-2007-bl without the final squaring trick), with the doubling and inverse cases.
    fn add_points(&self, p: &Point, q: &Point) -> Point {
        if p.is_infinity() {
            return *q;
        }
        if q.is_infinity() {
            return *p;
        }
        let z1z1 = self.mul(&p.z, &p.z);
        let z2z2 = self.mul(&q.z, &q.z);
        let u1 = self.mul(&p.x, &z2z2);
        let u2 = self.mul(&q.x, &z1z1);
        let s1 = self.mul(&self.mul(&p.y, &q.z), &z2z2);
        let s2 = self.mul(&self.mul(&q.y, &p.z), &z1z1);
        let h = self.sub(&u2, &u1);
        let r = self.sub(&s2, &s1);
        if is_zero(&h) {
            return if is_zero(&r) {
                #[cfg(test)]
                hits::count(&hits::DOUBLING);
                self.double(p)
            } else {
                #[cfg(test)]
                hits::count(&hits::INFINITY);
                Point::INFINITY
            };
        }
        let hh = self.mul(&h, &h);
        let hhh = self.mul(&h, &hh);
        let v = self.mul(&u1, &hh);
        let x3 = self.sub(&self.sub(&self.mul(&r, &r), &hhh), &self.add(&v, &v));
        let y3 = self.sub(&self.mul(&r, &self.sub(&v, &x3)), &self.mul(&s1, &hhh));
        let z3 = self.mul(&self.mul(&p.z, &q.z), &h);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `0, P, 2P, ... 15P`.
    fn multiples(&self, point: &Point) -> [Point; 16] {
        let mut table = [Point::INFINITY; 16];
        let mut acc = Point::INFINITY;
        for entry in table.iter_mut().skip(1) {
            acc = self.add_points(&acc, point);
            *entry = acc;
        }
        table
    }

    /// `u1 G + u2 Q` for scalars below `n` (plain form, not Montgomery), four bits at a time for
    /// both scalars together (Shamir's trick with fixed windows).
    pub(crate) fn double_mul(&self, u1: &Limbs, u2: &Limbs, q: &Point) -> Point {
        let q_multiples = self.multiples(q);
        let windows = self.order.bits().div_ceil(4);
        let mut acc = Point::INFINITY;
        for window in (0..windows).rev() {
            for _ in 0..4 {
                acc = self.double(&acc);
            }
            for (scalar, table) in [(u1, &self.generator_multiples), (u2, &q_multiples)] {
                let digit = nibble(scalar, window);
                if digit != 0 {
                    if let Some(multiple) = table.get(digit) {
                        acc = self.add_points(&acc, multiple);
                    }
                }
            }
        }
        acc
    }

    /// Whether the affine x-coordinate of `point`, reduced modulo `n`, equals `r` (plain form,
    /// `0 < r < n`), compared without an inversion: `r * Z^2 == X`, and when `r + n < p` also
    /// `(r + n) * Z^2 == X` (the x-coordinate may be the larger representative).
    pub(crate) fn x_matches(&self, point: &Point, r: &Limbs) -> bool {
        if point.is_infinity() {
            return false;
        }
        let z2 = self.mul(&point.z, &point.z);
        let matches = |candidate: &Limbs| {
            let candidate = to_limbs(&self.field.to_montgomery(candidate));
            self.mul(&candidate, &z2) == point.x
        };
        if matches(r) {
            return true;
        }
        let mut r_plus_n = *r;
        let carry = add_in_place(&mut r_plus_n, self.order.limbs(), self.order.len());
        let matched = !carry && self.field.contains(&r_plus_n) && matches(&r_plus_n);
        #[cfg(test)]
        if matched {
            hits::count(&hits::R_PLUS_N);
        }
        matched
    }
}

/// Test-only counters of the rare branches (per thread, so parallel tests do not mix): that the
/// tests reach them is asserted, not assumed. Compiled only into tests.
#[cfg(test)]
pub(crate) mod hits {
    use std::cell::Cell;
    use std::thread::LocalKey;

    thread_local! {
        /// `add_points` found `P == Q` and doubled.
        pub(crate) static DOUBLING: Cell<usize> = const { Cell::new(0) };
        /// `add_points` found `P == -Q`: the point at infinity.
        pub(crate) static INFINITY: Cell<usize> = const { Cell::new(0) };
        /// `x_matches` matched through `r + n` (an x-coordinate in `[n, p)`).
        pub(crate) static R_PLUS_N: Cell<usize> = const { Cell::new(0) };
    }

    pub(crate) fn count(counter: &'static LocalKey<Cell<usize>>) {
        counter.with(|c| c.set(c.get().saturating_add(1)));
    }

    pub(crate) fn get(counter: &'static LocalKey<Cell<usize>>) -> usize {
        counter.with(Cell::get)
    }
}

/// The 4-bit digit `window` of a little-endian scalar.
fn nibble(scalar: &Limbs, window: usize) -> usize {
    let bit = window.saturating_mul(4);
    scalar.get(bit / 32).map_or(0, |limb| {
        usize::try_from((limb >> (bit % 32)) & 0xF).unwrap_or(0)
    })
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

    #[test]
    fn parameters_are_consistent() {
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            let params = params(curve).unwrap();
            // n G = infinity, (n - 1) G = -G.
            let mut n_minus_1 = to_limbs(params.order.limbs());
            n_minus_1[0] -= 1;
            let g = params.generator_multiples[1];
            let minus_g = params.double_mul(&n_minus_1, &ZERO, &g);
            assert!(!minus_g.is_infinity());
            assert!(params.add_points(&minus_g, &g).is_infinity(), "{curve:?}");
            // 15 G from the table equals 15 G by the ladder.
            let fifteen = to_limbs(&[15]);
            let by_ladder = params.double_mul(&ZERO, &fifteen, &g);
            let difference =
                params.add_points(&by_ladder, &negate(params, &params.generator_multiples[15]));
            assert!(difference.is_infinity());
            assert_eq!(params.order.bits(), params.field.bits(), "{curve:?}");
        }
    }

    fn negate(params: &CurveParams, point: &Point) -> Point {
        Point {
            y: params.sub(&ZERO, &point.y),
            ..*point
        }
    }

    #[test]
    fn refuses_points_off_the_curve() {
        let params = params(Curve::P256).unwrap();
        let (_, _, _, gx, gy) = {
            let [p, n, b, gx, gy] = constants(Curve::P256).map(|h| hex_bytes(h).unwrap());
            (p, n, b, gx, gy)
        };
        assert!(params.affine_point(&gx, &gy).is_some());
        let mut bad = gy.clone();
        bad[31] ^= 1;
        assert!(params.affine_point(&gx, &bad).is_none());
        // A coordinate equal to p is refused even though it reduces to 0.
        let p = hex_bytes(constants(Curve::P256)[0]).unwrap();
        assert!(params.affine_point(&p, &gy).is_none());
    }

    /// An affine big-integer reference (`num-bigint`, a dev-dependency) for the double-scalar
    /// multiplication and the `r + n` comparison.
    mod reference {
        use num_bigint::BigUint;

        use super::super::*;
        use super::negate;
        use crate::crypto::ecdsa;
        use crate::test_rng::Rng;

        type Affine = Option<(BigUint, BigUint)>;

        fn big(limbs: &[u32]) -> BigUint {
            BigUint::from_slice(limbs)
        }

        fn limbs(value: &BigUint) -> Limbs {
            to_limbs(&value.to_u32_digits())
        }

        struct Curve {
            curve: crate::alg::Curve,
            params: &'static CurveParams,
            p: BigUint,
            n: BigUint,
            g: (BigUint, BigUint),
        }

        impl Curve {
            fn new(curve: crate::alg::Curve) -> Self {
                let params = params(curve).unwrap();
                let [p, n, _, gx, gy] =
                    constants(curve).map(|h| BigUint::from_bytes_be(&hex_bytes(h).unwrap()));
                Self {
                    curve,
                    params,
                    p,
                    n,
                    g: (gx, gy),
                }
            }

            fn inv(&self, a: &BigUint) -> BigUint {
                a.modinv(&self.p).unwrap()
            }

            fn add(&self, a: &Affine, b: &Affine) -> Affine {
                let (Some((x1, y1)), Some((x2, y2))) = (a, b) else {
                    return a.clone().or_else(|| b.clone());
                };
                let p = &self.p;
                let lambda = if x1 == x2 {
                    if (y1 + y2) % p == BigUint::from(0u8) {
                        return None;
                    }
                    // (3x^2 - 3) / 2y
                    (BigUint::from(3u8) * x1 * x1 + p * 3u8 - 3u8) * self.inv(&(y1 * 2u8 % p)) % p
                } else {
                    (y2 + p - y1) * self.inv(&((x2 + p - x1) % p)) % p
                };
                let x3 = (&lambda * &lambda + p * 2u8 - x1 - x2) % p;
                let y3 = (&lambda * ((x1 + p - &x3) % p) + p - y1) % p;
                Some((x3, y3))
            }

            fn mul(&self, k: &BigUint, point: &Affine) -> Affine {
                let mut acc = None;
                for i in (0..k.bits()).rev() {
                    acc = self.add(&acc, &acc);
                    if k.bit(i) {
                        acc = self.add(&acc, point);
                    }
                }
                acc
            }

            fn neg(&self, point: &Affine) -> Affine {
                point
                    .as_ref()
                    .map(|(x, y)| (x.clone(), (&self.p - y) % &self.p))
            }

            fn ours(&self, point: &Affine) -> Point {
                let (x, y) = point.as_ref().unwrap();
                let len = self.curve.scalar_len();
                let bytes = |v: &BigUint| {
                    let b = v.to_bytes_be();
                    [vec![0u8; len - b.len()], b].concat()
                };
                self.params.affine_point(&bytes(x), &bytes(y)).unwrap()
            }

            /// Our Jacobian point in affine big integers (None for infinity).
            fn affine(&self, point: &Point) -> Affine {
                if point.is_infinity() {
                    return None;
                }
                let field = &self.params.field;
                let z = big(&field.to_standard(&point.z));
                let x = big(&field.to_standard(&point.x));
                let y = big(&field.to_standard(&point.y));
                let z_inv = self.inv(&z);
                let z2 = &z_inv * &z_inv % &self.p;
                Some((x * &z2 % &self.p, y * z2 * z_inv % &self.p))
            }

            fn random_scalar(&self, rng: &mut Rng) -> BigUint {
                let words = self.n.to_u32_digits().len() + 1;
                let raw: Vec<u32> = (0..words).map(|_| rng.next() as u32).collect();
                (BigUint::from_slice(&raw) % (&self.n - 1u8)) + 1u8
            }
        }

        const CURVES: [crate::alg::Curve; 3] = [
            crate::alg::Curve::P256,
            crate::alg::Curve::P384,
            crate::alg::Curve::P521,
        ];

        #[test]
        fn double_mul_matches_the_reference_in_the_special_cases() {
            let mut rng = Rng(0xec_d5a);
            let (doubling, infinity) = (hits::get(&hits::DOUBLING), hits::get(&hits::INFINITY));
            for curve in CURVES.map(Curve::new) {
                let g = Some(curve.g.clone());
                let n = &curve.n;
                let k = curve.random_scalar(&mut rng);
                let two_g = curve.add(&g, &g);
                let kg = curve.mul(&k, &g);
                // (label, u1, u2, Q)
                let mut cases: Vec<(&str, BigUint, BigUint, Affine)> = Vec::new();
                for _ in 0..3 {
                    let u = curve.random_scalar(&mut rng);
                    let v = curve.random_scalar(&mut rng);
                    cases.push(("u1 = u2, Q = G", u.clone(), u.clone(), g.clone()));
                    cases.push(("u1 = -u2, Q = G", n - &u, u.clone(), g.clone()));
                    cases.push(("u1 = u2, Q = kG", u.clone(), u.clone(), kg.clone()));
                    cases.push(("u1 = -u2, Q = kG", n - &u, u.clone(), kg.clone()));
                    cases.push(("u1 G = u2 Q, Q = kG", &k * &u % n, u.clone(), kg.clone()));
                    cases.push((
                        "u1 G = -u2 Q, Q = kG",
                        n - &k * &u % n,
                        u.clone(),
                        kg.clone(),
                    ));
                    cases.push(("Q = G", u.clone(), v.clone(), g.clone()));
                    cases.push(("Q = -G", u.clone(), v.clone(), curve.neg(&g)));
                    cases.push(("Q = 2G", u.clone(), v.clone(), two_g.clone()));
                    cases.push(("Q = -2G", u.clone(), v.clone(), curve.neg(&two_g)));
                    cases.push((
                        "u1 = 2u2, Q = -2G",
                        &u * 2u8 % n,
                        u.clone(),
                        curve.neg(&two_g),
                    ));
                    cases.push(("random", u.clone(), v.clone(), kg.clone()));
                }
                cases.push((
                    "u1 = 1, u2 = n - 1, Q = G",
                    BigUint::from(1u8),
                    n - 1u8,
                    g.clone(),
                ));
                cases.push((
                    "u1 = n - 1, u2 = 1, Q = G",
                    n - 1u8,
                    BigUint::from(1u8),
                    g.clone(),
                ));
                cases.push((
                    "u1 = 0, u2 = 1, Q = G",
                    BigUint::from(0u8),
                    BigUint::from(1u8),
                    g.clone(),
                ));
                for (label, u1, u2, q) in cases {
                    let expected = curve.add(&curve.mul(&u1, &g), &curve.mul(&u2, &q));
                    let ours = curve
                        .params
                        .double_mul(&limbs(&u1), &limbs(&u2), &curve.ours(&q));
                    assert_eq!(curve.affine(&ours), expected, "{:?}: {label}", curve.curve);
                }
                // Negation as the tests above build it agrees with the reference.
                let minus_g = negate(curve.params, &curve.ours(&g));
                assert_eq!(curve.affine(&minus_g), curve.neg(&g));
            }
            assert!(
                hits::get(&hits::DOUBLING) > doubling,
                "the doubling branch of add_points was never reached"
            );
            assert!(
                hits::get(&hits::INFINITY) > infinity,
                "the infinity branch of add_points was never reached"
            );
        }

        /// A point whose x-coordinate lies in `[n, p)`: the signature's `r` is `x - n`, and only the
        /// `r + n` comparison can find it. Built backwards: `R` on the curve with such an x, any
        /// `s`, then the key `Q = u2^-1 (R - u1 G)`.
        #[test]
        fn an_x_coordinate_above_the_order_is_matched_through_r_plus_n() {
            let mut rng = Rng(0x70b0e);
            let before = hits::get(&hits::R_PLUS_N);
            for (curve, alg) in CURVES.map(Curve::new).into_iter().zip([
                crate::alg::Algorithm::Es256,
                crate::alg::Algorithm::Es384,
                crate::alg::Algorithm::Es512,
            ]) {
                let (p, n) = (&curve.p, &curve.n);
                assert!(n < p);
                // The smallest x > n with a square right-hand side (p = 3 mod 4 on all three).
                let b = BigUint::from_bytes_be(&hex_bytes(constants(curve.curve)[2]).unwrap());
                let mut x = n + 1u8;
                let r_point = loop {
                    let rhs = (&x * &x * &x + p * 3u8 - &x * 3u8 % p + &b) % p;
                    let y = rhs.modpow(&((p + 1u8) >> 2), p);
                    if &y * &y % p == rhs {
                        break Some((x.clone(), y));
                    }
                    x += 1u8;
                };
                let r = &x - n;
                let message = b"x in [n, p)";
                let e = BigUint::from_bytes_be(&crate::crypto::digest(alg.hash(), &[message])) % n;
                let s = curve.random_scalar(&mut rng);
                let w = s.modinv(n).unwrap();
                let (u1, u2) = (&e * &w % n, &r * &w % n);
                let q = curve.mul(
                    &u2.modinv(n).unwrap(),
                    &curve.add(
                        &r_point,
                        &curve.neg(&curve.mul(&u1, &Some(curve.g.clone()))),
                    ),
                );
                let (qx, qy) = q.clone().unwrap();
                let len = curve.curve.scalar_len();
                let fixed = |v: &BigUint| {
                    let b = v.to_bytes_be();
                    [vec![0u8; len - b.len()], b].concat()
                };
                let key = ecdsa::public_key(curve.curve, &fixed(&qx), &fixed(&qy)).unwrap();
                let signature = [fixed(&r), fixed(&s)].concat();
                assert!(
                    ecdsa::verify(alg, &key, message, &signature).unwrap(),
                    "{alg}: r = x - n"
                );
                // r itself must be below n: the unreduced x is refused.
                let unreduced = [fixed(&x), fixed(&s)].concat();
                assert!(
                    !ecdsa::verify(alg, &key, message, &unreduced).unwrap(),
                    "{alg}: r = x"
                );
                // And a different s fails.
                let other = [fixed(&r), fixed(&((&s + 1u8) % n))].concat();
                assert!(
                    !ecdsa::verify(alg, &key, message, &other).unwrap(),
                    "{alg}: s + 1"
                );
            }
            assert_eq!(
                hits::get(&hits::R_PLUS_N) - before,
                3,
                "the r + n comparison matched once per curve"
            );
        }
    }
}
