//! Strict base64url (RFC 4648 §5) without padding: every byte string has exactly one accepted
//! encoding. `=` padding, whitespace, `+`, `/`, a length of 1 mod 4 and non-zero unused bits in the
//! last character are refused (jose's `atob` path accepts some of these; see the README's security
//! section).

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

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The 6-bit value of an alphabet byte.
fn sextet(byte: u8) -> Result<u32, Base64Error> {
    let value = match byte {
        b'A'..=b'Z' => byte.wrapping_sub(b'A'),
        b'a'..=b'z' => byte.wrapping_sub(b'a').wrapping_add(26),
        b'0'..=b'9' => byte.wrapping_sub(b'0').wrapping_add(52),
        b'-' => 62,
        b'_' => 63,
        _ => return Err(Base64Error::InvalidCharacter),
    };
    Ok(u32::from(value))
}

fn sextets<const N: usize>(chars: &[u8; N]) -> Result<u32, Base64Error> {
    chars
        .iter()
        .try_fold(0u32, |acc, &c| Ok((acc << 6) | sextet(c)?))
}

/// Decodes strict base64url bytes.
///
/// # Errors
/// [`Base64Error`] as described in the module docs.
pub fn decode(input: &[u8]) -> Result<Vec<u8>, Base64Error> {
    let mut chunks = input.chunks_exact(4);
    let mut out = Vec::with_capacity((input.len() / 4).saturating_mul(3).saturating_add(2));
    for chunk in chunks.by_ref() {
        let quad: &[u8; 4] = chunk.try_into().map_err(|_| Base64Error::InvalidLength)?;
        let [_, a, b, c] = sextets(quad)?.to_be_bytes();
        out.extend_from_slice(&[a, b, c]);
    }
    match *chunks.remainder() {
        [] => {}
        [x, y] => {
            let n = sextets(&[x, y])?;
            if n & 0xf != 0 {
                return Err(Base64Error::NonCanonical);
            }
            let [_, _, _, a] = (n >> 4).to_be_bytes();
            out.push(a);
        }
        [x, y, z] => {
            let n = sextets(&[x, y, z])?;
            if n & 0x3 != 0 {
                return Err(Base64Error::NonCanonical);
            }
            let [_, _, a, b] = (n >> 2).to_be_bytes();
            out.extend_from_slice(&[a, b]);
        }
        _ => return Err(Base64Error::InvalidLength),
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

/// Encodes without padding.
#[must_use]
pub fn encode(input: &[u8]) -> String {
    let char_of = |sextet: u32| -> char {
        let index = usize::try_from(sextet & 0x3f).unwrap_or(0);
        ALPHABET.get(index).copied().map_or('A', char::from)
    };
    let mut out = String::with_capacity((input.len() / 3).saturating_add(1).saturating_mul(4));
    let mut chunks = input.chunks_exact(3);
    for chunk in chunks.by_ref() {
        let n = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
        for shift in [18, 12, 6, 0] {
            out.push(char_of(n >> shift));
        }
    }
    match *chunks.remainder() {
        [] => {}
        [a] => {
            let n = u32::from(a) << 4;
            out.push(char_of(n >> 6));
            out.push(char_of(n));
        }
        [a, b] => {
            let n = ((u32::from(a) << 8) | u32::from(b)) << 2;
            out.push(char_of(n >> 12));
            out.push(char_of(n >> 6));
            out.push(char_of(n));
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::arithmetic_side_effects,
        clippy::as_conversions,
        clippy::cast_possible_truncation
    )]
    use super::*;

    #[test]
    fn rfc4648_vectors() {
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
        }
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode_str("-_8").unwrap(), [0xfb, 0xff]);
    }

    #[test]
    fn refusals() {
        assert!(decode_str("Zm9v=").is_err());
        for bad in ["Zg==", "Zm 9v", "Zm9\n", "Zm+v", "Zm/v", "Zm9vé", "%%%%"] {
            assert_eq!(decode_str(bad), Err(Base64Error::InvalidCharacter), "{bad}");
        }
        assert_eq!(decode_str("Z"), Err(Base64Error::InvalidLength));
        assert_eq!(decode_str("Zm9vY"), Err(Base64Error::InvalidLength));
        assert_eq!(decode_str("Zh"), Err(Base64Error::NonCanonical));
        assert_eq!(decode_str("Zm9"), Err(Base64Error::NonCanonical));
    }

    #[test]
    fn round_trips_and_every_single_char_alteration() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for len in 0..300 {
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let text = encode(&bytes);
            assert_eq!(decode_str(&text).unwrap(), bytes);
            // Any other character in any position either decodes to other bytes or is refused.
            if let Some(pos) = (!text.is_empty()).then(|| next() as usize % text.len()) {
                let mut altered = text.clone().into_bytes();
                altered[pos] = ALPHABET[next() as usize % 64];
                if altered != text.as_bytes() {
                    assert_ne!(decode(&altered).ok(), Some(bytes.clone()));
                }
            }
        }
    }
}
