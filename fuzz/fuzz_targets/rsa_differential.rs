//! The crate's own RSA (`crypto::rsa`, on `crypto::montgomery`) against RustCrypto's `rsa` crate,
//! which edge-jwt used before and keeps here only as a reference. Input: an algorithm and key
//! selector, a message, then mutations. Properties: the reference's signature (PKCS#1 v1.5, or PSS
//! with the salt as long as the hash) verifies with ours; after each mutation of the signature
//! (bit flips, a byte dropped or added in front or behind, `s` set to 0, 1, n - 1, n, n + 1), the
//! message, the modulus or the exponent, both give the same verdict wherever our key rules accept
//! the key (odd modulus of 2048 bits or more, odd exponent from 3 to 2^33 - 1 and below it).
#![no_main]

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use edge_jwt::alg::Algorithm;
use edge_jwt::crypto::rsa as ours;
use libfuzzer_sys::fuzz_target;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};

/// A deterministic generator: the keys and PSS salts are the same on every run.
struct FixedRng(u64);

impl rand_core::RngCore for FixedRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 ^ (self.0 >> 29)
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

/// Private keys made once per process (about 10 s of prime search at start): sizes on and off byte boundaries, small and large exponents.
static KEYS: LazyLock<Vec<RsaPrivateKey>> = LazyLock::new(|| {
    [
        (2048, 65537u64),
        (2049, 3),
        (2055, 65537),
        (2064, (1 << 31) - 1),
        (3072, 65537),
    ]
    .iter()
    .enumerate()
    .map(|(i, &(bits, e))| {
        RsaPrivateKey::new_with_exp(&mut FixedRng(i as u64 + 1), bits, &BigUint::from(e))
            .expect("the reference makes a key")
    })
    .collect()
});

const ALGS: [Algorithm; 6] = [
    Algorithm::Rs256,
    Algorithm::Rs384,
    Algorithm::Rs512,
    Algorithm::Ps256,
    Algorithm::Ps384,
    Algorithm::Ps512,
];

fn hashed(alg: Algorithm, message: &[u8]) -> Vec<u8> {
    match alg {
        Algorithm::Rs256 | Algorithm::Ps256 => Sha256::digest(message).to_vec(),
        Algorithm::Rs384 | Algorithm::Ps384 => Sha384::digest(message).to_vec(),
        _ => Sha512::digest(message).to_vec(),
    }
}

fn pkcs1(alg: Algorithm) -> Pkcs1v15Sign {
    match alg {
        Algorithm::Rs256 => Pkcs1v15Sign::new::<Sha256>(),
        Algorithm::Rs384 => Pkcs1v15Sign::new::<Sha384>(),
        _ => Pkcs1v15Sign::new::<Sha512>(),
    }
}

fn pss(alg: Algorithm) -> Pss {
    match alg {
        Algorithm::Ps256 => Pss::new_with_salt::<Sha256>(32),
        Algorithm::Ps384 => Pss::new_with_salt::<Sha384>(48),
        _ => Pss::new_with_salt::<Sha512>(64),
    }
}

fn is_pss(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::Ps256 | Algorithm::Ps384 | Algorithm::Ps512)
}

/// The reference's verdict on (n, e, message, signature); the key is taken as it is.
fn reference_verifies(
    alg: Algorithm,
    n: &[u8],
    e: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    let key = RsaPublicKey::new_unchecked(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e));
    let digest = hashed(alg, message);
    if is_pss(alg) {
        key.verify(pss(alg), &digest, signature).is_ok()
    } else {
        key.verify(pkcs1(alg), &digest, signature).is_ok()
    }
}

/// Our verdict, or None when our key rules refuse the key (those rules are ours alone: the reference
/// takes any modulus and exponent).
fn ours_verifies(
    alg: Algorithm,
    n: &[u8],
    e: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Option<bool> {
    let key = ours::public_key(n, e).ok()?;
    if key.bits() < ours::MIN_MODULUS_BITS {
        return None;
    }
    Some(ours::verify(alg, &key, message, signature).expect("an RSA algorithm with a large key"))
}

/// Signatures made so far, by (selector, message): signing is most of a run's time under the
/// fuzzer's instrumentation, and the fuzzer keeps coming back to the same few messages.
static SIGNATURES: LazyLock<Mutex<HashMap<(usize, Vec<u8>), Vec<u8>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The reference's signature over `message` (PSS salts from a generator seeded by the message).
fn reference_signature(
    selector: usize,
    alg: Algorithm,
    key: &RsaPrivateKey,
    message: &[u8],
) -> Vec<u8> {
    let mut cache = SIGNATURES.lock().expect("one thread");
    if let Some(signature) = cache.get(&(selector, message.to_vec())) {
        return signature.clone();
    }
    let digest = hashed(alg, message);
    let signature = if is_pss(alg) {
        key.sign_with_rng(&mut FixedRng(message.len() as u64), pss(alg), &digest)
    } else {
        key.sign(pkcs1(alg), &digest)
    }
    .expect("the reference signs");
    if cache.len() >= 4096 {
        cache.clear();
    }
    cache.insert((selector, message.to_vec()), signature.clone());
    signature
}

/// `value` as exactly `len` big-endian bytes (the low bytes when longer).
fn fixed(value: &BigUint, len: usize) -> Vec<u8> {
    let bytes = value.to_bytes_be();
    let mut out = vec![0u8; len.saturating_sub(bytes.len())];
    out.extend_from_slice(&bytes[bytes.len().saturating_sub(len)..]);
    out
}

fuzz_target!(
    // The keys are made before the first input, so the prime search does not count against the
    // run's per-input time limit.
    init: {
        LazyLock::force(&KEYS);
    },
    |data: &[u8]| {
    let [selector, message_len, rest @ ..] = data else {
        return;
    };
    let selector = usize::from(*selector) % (ALGS.len() * KEYS.len());
    let alg = ALGS[selector % ALGS.len()];
    let private = &KEYS[selector / ALGS.len()];
    let (message, mutations) = rest.split_at(usize::from(*message_len).min(rest.len()));
    let signature = reference_signature(selector, alg, private, message);
    let k = private.size();
    let modulus = private.n().clone();
    let mut n = fixed(&modulus, k);
    let mut e = private.e().to_bytes_be();
    assert_eq!(
        ours_verifies(alg, &n, &e, message, &signature),
        Some(true),
        "a reference signature did not verify"
    );

    let (mut message, mut signature) = (message.to_vec(), signature);
    // At most 16 mutations: each costs two full verifications, and libFuzzer grows inputs to
    // thousands of bytes.
    for chunk in mutations.chunks(3).take(16) {
        let [what, position, value] = [0, 1, 2].map(|i| chunk.get(i).copied().unwrap_or(0));
        let at = |len: usize| usize::from(position) % len.max(1);
        match what % 10 {
            0..=2 => {
                if !signature.is_empty() {
                    let i = at(signature.len());
                    signature[i] ^= value.max(1);
                }
            }
            3 => match value % 4 {
                0 => {
                    if !signature.is_empty() {
                        signature.remove(0);
                    }
                }
                1 => signature.insert(0, 0),
                2 => signature.push(value),
                _ => {
                    signature.pop();
                }
            },
            4 => {
                // s = 0, 1, n - 1, n, n + 1 (as k bytes; n + 1 may need k + 1).
                let s = match value % 5 {
                    0 => BigUint::from(0u8),
                    1 => BigUint::from(1u8),
                    2 => &modulus - 1u8,
                    3 => modulus.clone(),
                    _ => &modulus + 1u8,
                };
                signature = fixed(&s, k.max(s.to_bytes_be().len()));
            }
            5 => message.push(value),
            6 => {
                if !message.is_empty() {
                    let i = at(message.len());
                    message[i] ^= value.max(1);
                }
            }
            7 | 8 => {
                let i = at(n.len());
                n[i] ^= value.max(1);
            }
            _ => {
                if e.is_empty() || value % 3 == 0 {
                    e.push(value);
                } else {
                    let i = at(e.len());
                    e[i] ^= value.max(1);
                }
            }
        }
        if let Some(verdict) = ours_verifies(alg, &n, &e, &message, &signature) {
            assert_eq!(
                verdict,
                reference_verifies(alg, &n, &e, &message, &signature),
                "signature verdicts differ"
            );
        }
    }
});
