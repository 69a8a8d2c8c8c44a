//! HMAC-SHA-2 (`HS256`, `HS384`, `HS512`), compared in constant time.

use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};

use crate::alg::{Algorithm, Hash};
use crate::error::Error;

/// Checks an HMAC tag. The secret may have any length (as jose accepts); the caller enforces a
/// minimum if it wants one.
///
/// # Errors
/// [`Error::SignatureInvalid`] when `alg` is not an HMAC algorithm or the tag does not match.
pub fn verify(
    alg: Algorithm,
    secret: &[u8],
    signing_input: &[u8],
    tag: &[u8],
) -> Result<(), Error> {
    if !alg.is_hmac() {
        return Err(super::wrong_key(alg));
    }
    let matches = match alg.hash() {
        Hash::Sha256 => check::<Hmac<Sha256>>(secret, signing_input, tag),
        Hash::Sha384 => check::<Hmac<Sha384>>(secret, signing_input, tag),
        Hash::Sha512 => check::<Hmac<Sha512>>(secret, signing_input, tag),
    };
    if matches {
        Ok(())
    } else {
        Err(super::signature_mismatch(alg))
    }
}

fn check<M: Mac + hmac::digest::KeyInit>(secret: &[u8], input: &[u8], tag: &[u8]) -> bool {
    match <M as Mac>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(input);
            // verify_slice rejects a tag of any other length than the full output.
            mac.verify_slice(tag).is_ok()
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::arithmetic_side_effects, clippy::string_slice)]
    use super::*;

    // RFC 4231 test case 2 (key "Jefe").
    const DATA: &[u8] = b"what do ya want for nothing?";
    const TAG_256: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn rfc4231_case2() {
        verify(Algorithm::Hs256, b"Jefe", DATA, &hex(TAG_256)).unwrap();
        let mut bad = hex(TAG_256);
        bad[31] ^= 1;
        assert!(verify(Algorithm::Hs256, b"Jefe", DATA, &bad).is_err());
        assert!(verify(Algorithm::Hs256, b"Jefe", DATA, &hex(TAG_256)[..16]).is_err());
        assert!(verify(Algorithm::Hs384, b"Jefe", DATA, &hex(TAG_256)).is_err());
        assert!(verify(Algorithm::Rs256, b"Jefe", DATA, &hex(TAG_256)).is_err());
    }
}
