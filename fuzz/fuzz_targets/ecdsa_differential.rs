//! The crate's own ECDSA (`crypto::ecdsa`, on `crypto::montgomery` and `crypto::nist_curves`)
//! against RustCrypto's `p256`/`p384`/`p521`, which edge-jwt used before and keeps here only as a
//! reference. Input: a curve selector, a private scalar, a message, then mutations. Properties: the
//! public key both derive is accepted by both; the reference's deterministic signature verifies
//! with ours; after the signature, message or key coordinates are mutated, both give the same
//! verdict on the key and on the signature.
#![no_main]

use edge_jwt::alg::{Algorithm, Curve};
use edge_jwt::crypto::ecdsa;
use libfuzzer_sys::fuzz_target;

/// One curve's reference operations, so the property is written once.
struct Reference {
    curve: Curve,
    alg: Algorithm,
    /// Private scalar -> (x, y, signature over the message), or None for an invalid scalar.
    sign: fn(&[u8], &[u8]) -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)>,
    /// Whether the reference accepts the key (x, y).
    key_ok: fn(&[u8], &[u8]) -> bool,
    /// Whether the reference verifies (x, y, message, signature).
    verifies: fn(&[u8], &[u8], &[u8], &[u8]) -> bool,
}

/// p521 signs with extra randomness only; a fixed generator keeps every run reproducible.
struct FixedRng(u64);

impl rand_core::RngCore for FixedRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for byte in dest {
            *byte = self.next_u64().to_le_bytes()[7];
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for FixedRng {}

macro_rules! reference {
    ($krate:ident, $hash:ty, $curve:expr, $alg:expr) => {{
        use $krate::ecdsa::signature::hazmat::RandomizedPrehashSigner;
        use $krate::ecdsa::signature::Verifier;
        use sha2::Digest;
        use $krate::ecdsa::{Signature, SigningKey, VerifyingKey};
        fn sec1(x: &[u8], y: &[u8]) -> Vec<u8> {
            [&[4u8][..], x, y].concat()
        }
        Reference {
            curve: $curve,
            alg: $alg,
            sign: |secret, message| {
                let key = SigningKey::from_slice(secret).ok()?;
                let point = VerifyingKey::from(&key).to_encoded_point(false);
                let signature: Signature = key
                    .sign_prehash_with_rng(&mut FixedRng(secret.len() as u64), &<$hash>::digest(message))
                    .ok()?;
                Some((
                    point.x()?.to_vec(),
                    point.y()?.to_vec(),
                    signature.to_bytes().to_vec(),
                ))
            },
            key_ok: |x, y| VerifyingKey::from_sec1_bytes(&sec1(x, y)).is_ok(),
            verifies: |x, y, message, signature| {
                let Ok(key) = VerifyingKey::from_sec1_bytes(&sec1(x, y)) else {
                    return false;
                };
                Signature::from_slice(signature)
                    .is_ok_and(|signature| key.verify(message, &signature).is_ok())
            },
        }
    }};
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let reference = match selector % 3 {
        0 => reference!(p256, sha2::Sha256, Curve::P256, Algorithm::Es256),
        1 => reference!(p384, sha2::Sha384, Curve::P384, Algorithm::Es384),
        _ => reference!(p521, sha2::Sha512, Curve::P521, Algorithm::Es512),
    };
    let size = reference.curve.scalar_len();
    if rest.len() < size.saturating_add(1) {
        return;
    }
    let (secret, rest) = rest.split_at(size);
    let (&message_len, rest) = rest.split_first().unwrap();
    let (message, mutations) = rest.split_at(usize::from(message_len).min(rest.len()));
    let Some((x, y, signature)) = (reference.sign)(secret, message) else {
        return;
    };

    // The untouched key and signature: both accept.
    let key = ecdsa::public_key(reference.curve, &x, &y).expect("a derived public key is valid");
    assert!(
        ecdsa::verify(reference.alg, &key, message, &signature).unwrap(),
        "a reference signature did not verify"
    );

    // Mutations: each pair of bytes (what, value) changes one thing; the verdicts must agree.
    let (mut x, mut y, mut message, mut signature) = (x, y, message.to_vec(), signature);
    for pair in mutations.chunks(3) {
        let [what, position, value] = [0, 1, 2].map(|i| pair.get(i).copied().unwrap_or(0));
        let at = |len: usize| usize::from(position) % len.max(1);
        match what % 8 {
            0 | 1 | 2 => {
                let i = at(signature.len());
                signature[i] ^= value.max(1);
            }
            3 => {
                // r := s or s := r, and a truncated or extended signature.
                let (r, s) = signature.split_at(size);
                signature = if value % 2 == 0 { [s, s].concat() } else { [r, r].concat() };
                if value % 7 == 0 {
                    signature.pop();
                }
            }
            4 => message.push(value),
            5 => {
                if !message.is_empty() {
                    let i = at(message.len());
                    message[i] ^= value.max(1);
                }
            }
            6 => {
                let i = at(x.len());
                x[i] ^= value.max(1);
            }
            _ => {
                let i = at(y.len());
                y[i] ^= value.max(1);
            }
        }
        let ours_key = ecdsa::public_key(reference.curve, &x, &y);
        assert_eq!(ours_key.is_ok(), (reference.key_ok)(&x, &y), "key verdicts differ");
        if let Ok(key) = ours_key {
            let ours = ecdsa::verify(reference.alg, &key, &message, &signature).unwrap();
            let theirs = (reference.verifies)(&x, &y, &message, &signature);
            assert_eq!(ours, theirs, "signature verdicts differ");
        }
    }
});
