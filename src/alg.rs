//! JWS signature algorithm names (RFC 7518 §3, RFC 8037, RFC 9864) and the kind of key each needs.

use std::fmt;

/// A hash function used by a signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// An elliptic curve for ECDSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-256 (`ES256`).
    P256,
    /// NIST P-384 (`ES384`).
    P384,
    /// NIST P-521 (`ES512`).
    P521,
}

impl Curve {
    /// The JWK `crv` name.
    #[must_use]
    pub fn jwk_name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
        }
    }

    /// Bytes in one coordinate or scalar, so a raw `R||S` signature is twice this.
    #[must_use]
    pub fn scalar_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }
}

/// What family of key an algorithm verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFamily {
    /// A shared secret (`kty: oct`); never taken from a key set.
    Secret,
    /// An RSA public key (`kty: RSA`).
    Rsa,
    /// An EC public key on this curve (`kty: EC`).
    Ec(Curve),
    /// An Ed25519 public key (`kty: OKP`, `crv: Ed25519`).
    Ed25519,
}

/// A supported JWS signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    Hs256,
    /// HMAC with SHA-384.
    Hs384,
    /// HMAC with SHA-512.
    Hs512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// RSASSA-PSS with SHA-256 (salt 32 bytes).
    Ps256,
    /// RSASSA-PSS with SHA-384 (salt 48 bytes).
    Ps384,
    /// RSASSA-PSS with SHA-512 (salt 64 bytes).
    Ps512,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// ECDSA on P-384 with SHA-384.
    Es384,
    /// ECDSA on P-521 with SHA-512.
    Es512,
    /// Ed25519, under its RFC 8037 name `EdDSA`.
    EdDsa,
    /// Ed25519, under its RFC 9864 name `Ed25519`.
    Ed25519,
}

impl Algorithm {
    /// Every supported algorithm.
    pub const ALL: [Self; 14] = [
        Self::Hs256,
        Self::Hs384,
        Self::Hs512,
        Self::Rs256,
        Self::Rs384,
        Self::Rs512,
        Self::Ps256,
        Self::Ps384,
        Self::Ps512,
        Self::Es256,
        Self::Es384,
        Self::Es512,
        Self::EdDsa,
        Self::Ed25519,
    ];

    /// The algorithm for a header `alg` value; `None` for unknown names and for `none` (exact,
    /// case-sensitive match, as JOSE requires).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// The registered name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Hs384 => "HS384",
            Self::Hs512 => "HS512",
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
            Self::Ps256 => "PS256",
            Self::Ps384 => "PS384",
            Self::Ps512 => "PS512",
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Es512 => "ES512",
            Self::EdDsa => "EdDSA",
            Self::Ed25519 => "Ed25519",
        }
    }

    /// The kind of key the algorithm verifies with.
    #[must_use]
    pub fn key_family(self) -> KeyFamily {
        match self {
            Self::Hs256 | Self::Hs384 | Self::Hs512 => KeyFamily::Secret,
            Self::Rs256 | Self::Rs384 | Self::Rs512 | Self::Ps256 | Self::Ps384 | Self::Ps512 => {
                KeyFamily::Rsa
            }
            Self::Es256 => KeyFamily::Ec(Curve::P256),
            Self::Es384 => KeyFamily::Ec(Curve::P384),
            Self::Es512 => KeyFamily::Ec(Curve::P521),
            Self::EdDsa | Self::Ed25519 => KeyFamily::Ed25519,
        }
    }

    /// The hash the algorithm signs; Ed25519 hashes internally and reports SHA-512.
    #[must_use]
    pub fn hash(self) -> Hash {
        match self {
            Self::Hs256 | Self::Rs256 | Self::Ps256 | Self::Es256 => Hash::Sha256,
            Self::Hs384 | Self::Rs384 | Self::Ps384 | Self::Es384 => Hash::Sha384,
            Self::Hs512 | Self::Rs512 | Self::Ps512 | Self::Es512 | Self::EdDsa | Self::Ed25519 => {
                Hash::Sha512
            }
        }
    }

    /// Whether this is an HMAC algorithm (verified only with a caller-supplied secret).
    #[must_use]
    pub fn is_hmac(self) -> bool {
        self.key_family() == KeyFamily::Secret
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.name()), Some(alg));
        }
        for name in [
            "none", "None", "NONE", "hs256", "RS1", "", "ES256K", "Ed448",
        ] {
            assert_eq!(Algorithm::from_name(name), None, "{name}");
        }
    }

    #[test]
    fn families() {
        assert_eq!(Algorithm::Es512.key_family(), KeyFamily::Ec(Curve::P521));
        assert_eq!(Algorithm::Ed25519.key_family(), KeyFamily::Ed25519);
        assert!(Algorithm::Hs384.is_hmac());
        assert!(!Algorithm::Ps256.is_hmac());
        assert_eq!(Curve::P521.scalar_len(), 66);
    }
}
