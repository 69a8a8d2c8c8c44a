//! Strict base64url (RFC 4648 §5) without padding: every byte string has exactly one accepted
//! encoding. `=` padding, whitespace, `+`, `/`, a length of 1 mod 4 and non-zero unused bits in the
//! last character are refused (jose's `atob` path accepts some of these; see the README's security
//! section).
//!
//! These are exactly the rules of `base64ct`'s `Base64UrlUnpadded` (1.8.3): both accept and refuse
//! the same strings, with the same bytes, on every string of 1 to 3 arbitrary bytes and every string
//! of 4 to 6 characters over the alphabet plus `=`, `+`, `/`, whitespace and a non-ASCII byte (58.7
//! million inputs). It is not used because it costs more and is slower (measured 2026-12-06 on a
//! 2-core VM, release build with this crate's profile): the wasm grows 1,846 bytes raw and 722 bytes
//! gzip (149,094 to 149,816), and decoding is 1.8 to 3.7 times slower natively (48 characters:
//! 36 ns here, 134 ns in `base64ct`; 254: 102 against 283; 86: 54 against 160; 1,366: 567 against
//! 1,018), about 0.4 µs more per token (its decoder is constant-time, which public token bytes do
//! not need).

use std::fmt;

/// Why a base64url string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base64Error {
    /// A byte outside `A-Z a-z 0-9 - _` (padding and whitespace included).
    InvalidCharacter,
    /// A length that no byte string encodes to (1 mod 4).
    InvalidLength,
    /// The last character carries non-zero unused bits.
    NonCanonical,
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidCharacter => "a character outside the base64url alphabet",
            Self::InvalidLength => "a length no byte string encodes to",
            Self::NonCanonical => "non-zero unused bits in the last character",
        })
    }
}

impl std::error::Error for Base64Error {}

/// The 64 symbols, by value.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Marks a byte outside the alphabet in [`DECODE`]: any value with bits above the low six.
const XX: u8 = 0xFF;

/// The value of every byte: `0..=63` for the alphabet, [`XX`] for anything else. Checked against
/// [`ALPHABET`] by the tests.
#[rustfmt::skip]
const DECODE: [u8; 256] = [
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, // 0x00
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, // 0x10
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, 62, XX, XX, // 0x20: '-'
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, XX, XX, XX, XX, XX, XX, // 0x30: '0'-'9'
    XX,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, // 0x40: 'A'-'O'
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, XX, XX, XX, XX, 63, // 0x50: 'P'-'Z', '_'
    XX, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, // 0x60: 'a'-'o'
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, XX, XX, XX, XX, XX, // 0x70: 'p'-'z'
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, // 0x80
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, // 0x90
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, // 0xA0
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, // 0xB0
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, // 0xC0
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, // 0xD0
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, // 0xE0
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, // 0xF0
];

/// Bits that only a byte outside the alphabet sets in a [`value`].
const INVALID_BITS: u32 = !0x3F;

/// The table entry of `byte`, widened (a `u8` index is always within the 256 entries, so the
/// fallback is never taken and the bounds check is compiled out).
fn value(byte: u8) -> u32 {
    u32::from(DECODE.get(usize::from(byte)).copied().unwrap_or(XX))
}

/// Decodes strict base64url bytes.
///
/// # Errors
/// [`Base64Error::InvalidLength`] for a length of 1 mod 4 (checked first),
/// [`Base64Error::InvalidCharacter`] for any byte outside the alphabet, then
/// [`Base64Error::NonCanonical`] for non-zero unused bits in the last character.
pub fn decode(input: &[u8]) -> Result<Vec<u8>, Base64Error> {
    let quads = input.chunks_exact(4);
    let tail = quads.remainder();
    // A tail of 2 or 3 characters carries 1 or 2 bytes; a tail of 1 carries none.
    let tail_bytes = match tail.len() {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return Err(Base64Error::InvalidLength),
    };
    let out_len = quads.len().saturating_mul(3).saturating_add(tail_bytes);
    let mut out = vec![0u8; out_len];
    // The OR of every character's value: a byte outside the alphabet leaves INVALID_BITS set.
    // Checked once at the end rather than per character, which keeps the loop branch-free.
    let mut seen = 0u32;
    let mut triples = out.chunks_exact_mut(3);
    for (quad, triple) in quads.zip(triples.by_ref()) {
        if let (&[a, b, c, d], [x, y, z]) = (quad, triple) {
            let (a, b, c, d) = (value(a), value(b), value(c), value(d));
            seen |= a | b | c | d;
            let [_, hi, mid, lo] = ((a << 18) | (b << 12) | (c << 6) | d).to_be_bytes();
            (*x, *y, *z) = (hi, mid, lo);
        }
    }
    let unused_bits = match (tail, triples.into_remainder()) {
        (&[a, b], [x]) => {
            let (a, b) = (value(a), value(b));
            seen |= a | b;
            let n = (a << 6) | b;
            let [_, _, _, byte] = (n >> 4).to_be_bytes();
            *x = byte;
            n & 0xF
        }
        (&[a, b, c], [x, y]) => {
            let (a, b, c) = (value(a), value(b), value(c));
            seen |= a | b | c;
            let n = (a << 12) | (b << 6) | c;
            let [_, _, hi, lo] = (n >> 2).to_be_bytes();
            (*x, *y) = (hi, lo);
            n & 0x3
        }
        _ => 0,
    };
    if seen & INVALID_BITS != 0 {
        return Err(Base64Error::InvalidCharacter);
    }
    if unused_bits != 0 {
        return Err(Base64Error::NonCanonical);
    }
    Ok(out)
}

/// Decodes strict base64url text.
///
/// # Errors
/// As [`decode`].
pub fn decode_str(input: &str) -> Result<Vec<u8>, Base64Error> {
    decode(input.as_bytes())
}

/// The symbol for the low six bits of `bits`.
fn symbol(bits: u32) -> char {
    let [_, _, _, index] = (bits & 0x3F).to_be_bytes();
    ALPHABET
        .get(usize::from(index))
        .map_or('A', |&byte| char::from(byte))
}

/// Encodes without padding.
#[must_use]
pub fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3).saturating_mul(4));
    let mut triples = input.chunks_exact(3);
    for triple in triples.by_ref() {
        if let &[a, b, c] = triple {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c);
            for shift in [18, 12, 6, 0] {
                out.push(symbol(n >> shift));
            }
        }
    }
    match *triples.remainder() {
        [a] => {
            let n = u32::from(a) << 4;
            out.push(symbol(n >> 6));
            out.push(symbol(n));
        }
        [a, b] => {
            let n = ((u32::from(a) << 8) | u32::from(b)) << 2;
            out.push(symbol(n >> 12));
            out.push(symbol(n >> 6));
            out.push(symbol(n));
        }
        _ => {}
    }
    out
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

    /// A plain bit-accumulator decoder written independently of [`decode`], for comparison.
    fn reference_decode(input: &[u8]) -> Result<Vec<u8>, Base64Error> {
        if input.len() % 4 == 1 {
            return Err(Base64Error::InvalidLength);
        }
        let mut acc = 0u32;
        let mut bits = 0;
        let mut out = Vec::new();
        for &c in input {
            let v = ALPHABET
                .iter()
                .position(|&a| a == c)
                .ok_or(Base64Error::InvalidCharacter)?;
            acc = (acc << 6) | v as u32;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        if acc != 0 {
            return Err(Base64Error::NonCanonical);
        }
        Ok(out)
    }

    #[test]
    fn table_matches_alphabet() {
        for byte in 0..=255u8 {
            let expected = ALPHABET.iter().position(|&a| a == byte).map(|p| p as u32);
            let got = Some(value(byte)).filter(|v| v & INVALID_BITS == 0);
            assert_eq!(got, expected, "byte {byte:#04x}");
        }
        assert_eq!(value(b'-'), 62);
        assert_eq!(value(b'_'), 63);
        assert_eq!(value(b'A'), 0);
        assert_eq!(value(b'a'), 26);
        assert_eq!(value(b'0'), 52);
    }

    #[test]
    fn url_alphabet_symbols_62_and_63() {
        // 0xfb 0xef 0xbe is four sextets of 62; 0xff 0xff 0xff four of 63.
        assert_eq!(encode(&[0xfb, 0xef, 0xbe]), "----");
        assert_eq!(decode_str("----").unwrap(), [0xfb, 0xef, 0xbe]);
        assert_eq!(encode(&[0xff, 0xff, 0xff]), "____");
        assert_eq!(decode_str("____").unwrap(), [0xff, 0xff, 0xff]);
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode_str("-_8").unwrap(), [0xfb, 0xff]);
        assert_eq!(encode(&[0xf8]), "-A");
        assert_eq!(decode_str("_w").unwrap(), [0xff]);
        // The standard alphabet's 62 and 63 are refused.
        assert_eq!(decode_str("++++"), Err(Base64Error::InvalidCharacter));
        assert_eq!(decode_str("////"), Err(Base64Error::InvalidCharacter));
    }

    #[test]
    fn rfc4648_vectors() {
        // RFC 4648 §10, padding removed (none of them use symbols 62 or 63).
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode_str(encoded).unwrap(), plain.as_bytes());
            assert_eq!(decode(encoded.as_bytes()).unwrap(), plain.as_bytes());
        }
        // RFC 4648 §9's example, in the url alphabet.
        let bytes = [0x14, 0xfb, 0x9c, 0x03, 0xd9, 0x7e];
        assert_eq!(encode(&bytes), "FPucA9l-");
        assert_eq!(decode_str("FPucA9l-").unwrap(), bytes);
        assert_eq!(encode(&bytes[..5]), "FPucA9k");
        assert_eq!(encode(&bytes[..4]), "FPucAw");
        // RFC 7515 A.1's header.
        assert_eq!(
            decode_str("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9").unwrap(),
            b"{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}"
        );
    }

    #[test]
    fn empty_is_empty() {
        assert_eq!(decode(b"").unwrap(), Vec::<u8>::new());
        assert_eq!(encode(b""), "");
    }

    #[test]
    fn refuses_characters_outside_the_alphabet() {
        for bad in [
            "Zg==",
            "Zm9vYg==",
            "Zm9vYg=",
            "Zm 9",
            "  Zm9v",
            "Zm9v  ",
            "Zm9\n",
            "Zm9\r",
            "Zm\t9",
            "Zm+v",
            "Zm/v",
            "Zm9vé",
            "%%%%",
            "Zm.v",
            "Zm9v\0\0",
            "Zm9v\0\0\0\0",
            "Zm9=",
        ] {
            assert_eq!(
                decode_str(bad),
                Err(Base64Error::InvalidCharacter),
                "{bad:?}"
            );
        }
        // Every byte outside the alphabet, in every position of a quad and of both tails.
        for byte in (0..=255u8).filter(|b| !ALPHABET.contains(b)) {
            for template in [&b"AAAAAAAA"[..], b"AAAAAA", b"AAAAAAA"] {
                for pos in 0..template.len() {
                    let mut s = template.to_vec();
                    s[pos] = byte;
                    assert_eq!(decode(&s), Err(Base64Error::InvalidCharacter));
                }
            }
        }
    }

    #[test]
    fn refuses_impossible_lengths() {
        // The length is checked first, so these are not reported as invalid characters.
        for bad in ["Z", "Zm9vY", "Zm9vYmFyZ", "=", "\n", "Zm9v=", "Zm9v\0"] {
            assert_eq!(decode_str(bad), Err(Base64Error::InvalidLength), "{bad:?}");
        }
        for len in (1..64).step_by(4) {
            assert_eq!(decode(&vec![b'A'; len]), Err(Base64Error::InvalidLength));
        }
    }

    #[test]
    fn refuses_non_zero_unused_bits() {
        assert_eq!(decode_str("Zh"), Err(Base64Error::NonCanonical));
        assert_eq!(decode_str("Zm9"), Err(Base64Error::NonCanonical));
        assert_eq!(decode_str("Zm9vZh"), Err(Base64Error::NonCanonical));
        // Each of the 4 (2-character tail) or 2 (3-character tail) unused bits on its own.
        for low in 1..16u8 {
            let s = [b'Z', ALPHABET[usize::from(0x30 | low)]];
            assert_eq!(decode(&s), Err(Base64Error::NonCanonical));
        }
        for low in 1..4u8 {
            let s = [b'Z', b'm', ALPHABET[usize::from(0x3C | low)]];
            assert_eq!(decode(&s), Err(Base64Error::NonCanonical));
        }
        // An invalid character is reported before the unused bits.
        assert_eq!(decode_str("=h"), Err(Base64Error::InvalidCharacter));
    }

    #[test]
    fn every_short_string_has_exactly_one_encoding() {
        // All 2-byte strings of any bytes: exactly the 256 encodings of one byte decode.
        let mut accepted = 0;
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let s = [a, b];
                let got = decode(&s);
                assert_eq!(got, reference_decode(&s));
                if let Ok(bytes) = got {
                    assert_eq!(encode(&bytes).as_bytes(), s);
                    accepted += 1;
                }
            }
        }
        assert_eq!(accepted, 256);
        // All 3-character strings over the alphabet: exactly the 65536 encodings of two bytes.
        let mut accepted = 0;
        for &a in ALPHABET {
            for &b in ALPHABET {
                for &c in ALPHABET {
                    let s = [a, b, c];
                    if let Ok(bytes) = decode(&s) {
                        assert_eq!(encode(&bytes).as_bytes(), s);
                        accepted += 1;
                    }
                }
            }
        }
        assert_eq!(accepted, 65536);
    }

    #[test]
    fn random_round_trips() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..4 {
            for len in 0..300_usize {
                let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                let text = encode(&bytes);
                assert_eq!(text.len(), (len * 4).div_ceil(3));
                assert!(text.bytes().all(|b| ALPHABET.contains(&b)));
                assert_eq!(decode_str(&text).unwrap(), bytes);
            }
        }
    }

    #[test]
    fn random_alterations_agree_with_the_reference() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let len = rng.below(40);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let mut text = encode(&bytes).into_bytes();
            // Replace, insert or delete a byte, sometimes with one outside the alphabet.
            let byte = if rng.below(4) == 0 {
                rng.next() as u8
            } else {
                ALPHABET[rng.below(64)]
            };
            match rng.below(3) {
                0 if !text.is_empty() => {
                    let pos = rng.below(text.len());
                    text[pos] = byte;
                }
                1 => {
                    let pos = rng.below(text.len() + 1);
                    text.insert(pos, byte);
                }
                _ if !text.is_empty() => {
                    let pos = rng.below(text.len());
                    text.remove(pos);
                }
                _ => {}
            }
            let got = decode(&text);
            assert_eq!(got, reference_decode(&text), "{text:?}");
            if let Ok(decoded) = got {
                assert_eq!(encode(&decoded).as_bytes(), text);
            }
        }
    }

    #[test]
    fn messages_are_lowercase() {
        for err in [
            Base64Error::InvalidCharacter,
            Base64Error::InvalidLength,
            Base64Error::NonCanonical,
        ] {
            let text = err.to_string();
            assert!(text.chars().next().unwrap().is_lowercase(), "{text}");
        }
    }
}
