//! The one error type. Each variant maps to exactly one of jose's error codes (see [`Error::code`]),
//! so code written against jose's `err.code` keeps working. Messages say what was expected and what
//! was found, and never contain a token, a signature or a secret.

use std::fmt;

use crate::json::JsString;

/// Why a claim check failed, as jose's `JWTClaimValidationFailed.reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The claim is required and absent.
    Missing,
    /// The claim is present and its value does not pass the check.
    CheckFailed,
    /// The claim is present with a value of the wrong type (for example a string `exp`).
    Invalid,
}

impl Reason {
    /// jose's spelling: `missing`, `check_failed`, `invalid`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::CheckFailed => "check_failed",
            Self::Invalid => "invalid",
        }
    }
}

/// A claim a check refers to: a registered name, `typ` (a header value jose reports as a claim), or
/// any name listed in `requiredClaims` (a JavaScript string, which may hold a lone surrogate).
pub type Claim = JsString;

/// Every way a verification can fail.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Not a compact JWS: segment count, base64url, header JSON, `crit` syntax, size bounds.
    JwsInvalid(String),
    /// The payload is not a JSON object, or the token uses an unencoded payload (`b64: false`).
    JwtInvalid(String),
    /// The header `alg` is not in the caller's allow-list.
    AlgNotAllowed(String),
    /// Unknown `alg`, `none`, an unknown `crit` name, or an HMAC token checked against a key set.
    NotSupported(String),
    /// No key in the set fits the token.
    NoMatchingKey(String),
    /// Several keys fit and none of them verifies the signature.
    MultipleMatchingKeys(String),
    /// The key set (or the one key chosen from it) is malformed.
    JwksInvalid(String),
    /// The remote key set did not answer in time, and no usable cached keys exist.
    JwksTimeout(String),
    /// The remote key set answered non-2xx, a redirect, not JSON, too much, or could not be
    /// reached, and no usable cached keys exist.
    JwksFetchFailed(String),
    /// The signature does not verify, or the key is too weak for the algorithm.
    SignatureInvalid(String),
    /// Not a compact JWE this library opens (segments, header, `alg`/`enc`, sizes).
    JweInvalid(String),
    /// A JWE whose authentication tag does not verify with the key (wrong secret, or tampered).
    JweDecryptionFailed(String),
    /// `exp` has passed, or `iat` is older than `maxTokenAge`.
    Expired {
        /// What was checked and found.
        message: String,
        /// `exp` or `iat`.
        claim: Claim,
        /// Always [`Reason::CheckFailed`], kept for symmetry with jose.
        reason: Reason,
    },
    /// Any other claim check.
    ClaimInvalid {
        /// What was checked and found.
        message: String,
        /// The claim (or `typ`).
        claim: Claim,
        /// Why it failed.
        reason: Reason,
    },
}

/// Every code an [`Error`] can carry, one per variant, in declaration order. The one list of them:
/// `tests/shared_facts.rs` checks that the TypeScript side (`JOSEErrorCode` and the classes of
/// `js/errors.ts`, the code-to-class table of `js/failure.ts`) has exactly these.
pub const CODES: [&str; 14] = [
    "ERR_JWS_INVALID",
    "ERR_JWT_INVALID",
    "ERR_JOSE_ALG_NOT_ALLOWED",
    "ERR_JOSE_NOT_SUPPORTED",
    "ERR_JWKS_NO_MATCHING_KEY",
    "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
    "ERR_JWKS_INVALID",
    "ERR_JWKS_TIMEOUT",
    "ERR_JWKS_FETCH_FAILED",
    "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    "ERR_JWE_INVALID",
    "ERR_JWE_DECRYPTION_FAILED",
    "ERR_JWT_EXPIRED",
    "ERR_JWT_CLAIM_VALIDATION_FAILED",
];

impl Error {
    /// jose's error code for this error (one of [`CODES`]).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::JwsInvalid(_) => "ERR_JWS_INVALID",
            Self::JwtInvalid(_) => "ERR_JWT_INVALID",
            Self::AlgNotAllowed(_) => "ERR_JOSE_ALG_NOT_ALLOWED",
            Self::NotSupported(_) => "ERR_JOSE_NOT_SUPPORTED",
            Self::NoMatchingKey(_) => "ERR_JWKS_NO_MATCHING_KEY",
            Self::MultipleMatchingKeys(_) => "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
            Self::JwksInvalid(_) => "ERR_JWKS_INVALID",
            Self::JwksTimeout(_) => "ERR_JWKS_TIMEOUT",
            Self::JwksFetchFailed(_) => "ERR_JWKS_FETCH_FAILED",
            Self::SignatureInvalid(_) => "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            Self::JweInvalid(_) => "ERR_JWE_INVALID",
            Self::JweDecryptionFailed(_) => "ERR_JWE_DECRYPTION_FAILED",
            Self::Expired { .. } => "ERR_JWT_EXPIRED",
            Self::ClaimInvalid { .. } => "ERR_JWT_CLAIM_VALIDATION_FAILED",
        }
    }

    /// The claim a claim error refers to.
    #[must_use]
    pub fn claim(&self) -> Option<&Claim> {
        match self {
            Self::Expired { claim, .. } | Self::ClaimInvalid { claim, .. } => Some(claim),
            _ => None,
        }
    }

    /// Why a claim error failed.
    #[must_use]
    pub fn reason(&self) -> Option<Reason> {
        match self {
            Self::Expired { reason, .. } | Self::ClaimInvalid { reason, .. } => Some(*reason),
            _ => None,
        }
    }

    /// The human-readable message.
    #[must_use]
    pub fn message(&self) -> &str {
        match self {
            Self::JwsInvalid(m)
            | Self::JwtInvalid(m)
            | Self::AlgNotAllowed(m)
            | Self::NotSupported(m)
            | Self::NoMatchingKey(m)
            | Self::MultipleMatchingKeys(m)
            | Self::JwksInvalid(m)
            | Self::JwksTimeout(m)
            | Self::JwksFetchFailed(m)
            | Self::SignatureInvalid(m)
            | Self::JweInvalid(m)
            | Self::JweDecryptionFailed(m) => m,
            Self::Expired { message, .. } | Self::ClaimInvalid { message, .. } => message,
        }
    }

    pub(crate) fn claim_failed(claim: impl Into<Claim>, reason: Reason, message: String) -> Self {
        Self::ClaimInvalid {
            message,
            claim: claim.into(),
            reason,
        }
    }

    pub(crate) fn expired(claim: &str, message: String) -> Self {
        Self::Expired {
            message,
            claim: claim.into(),
            reason: Reason::CheckFailed,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_jose_codes() {
        let all = [
            (Error::JwsInvalid(String::new()), "ERR_JWS_INVALID"),
            (Error::JwtInvalid(String::new()), "ERR_JWT_INVALID"),
            (
                Error::AlgNotAllowed(String::new()),
                "ERR_JOSE_ALG_NOT_ALLOWED",
            ),
            (Error::NotSupported(String::new()), "ERR_JOSE_NOT_SUPPORTED"),
            (
                Error::NoMatchingKey(String::new()),
                "ERR_JWKS_NO_MATCHING_KEY",
            ),
            (
                Error::MultipleMatchingKeys(String::new()),
                "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
            ),
            (Error::JwksInvalid(String::new()), "ERR_JWKS_INVALID"),
            (Error::JwksTimeout(String::new()), "ERR_JWKS_TIMEOUT"),
            (
                Error::JwksFetchFailed(String::new()),
                "ERR_JWKS_FETCH_FAILED",
            ),
            (
                Error::SignatureInvalid(String::new()),
                "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            ),
            (Error::JweInvalid(String::new()), "ERR_JWE_INVALID"),
            (
                Error::JweDecryptionFailed(String::new()),
                "ERR_JWE_DECRYPTION_FAILED",
            ),
            (Error::expired("exp", String::new()), "ERR_JWT_EXPIRED"),
            (
                Error::claim_failed("aud", Reason::CheckFailed, String::new()),
                "ERR_JWT_CLAIM_VALIDATION_FAILED",
            ),
        ];
        // Fails to compile when a variant is added and not listed above.
        fn listed(error: &Error) {
            match error {
                Error::JwsInvalid(_)
                | Error::JwtInvalid(_)
                | Error::AlgNotAllowed(_)
                | Error::NotSupported(_)
                | Error::NoMatchingKey(_)
                | Error::MultipleMatchingKeys(_)
                | Error::JwksInvalid(_)
                | Error::JwksTimeout(_)
                | Error::JwksFetchFailed(_)
                | Error::SignatureInvalid(_)
                | Error::JweInvalid(_)
                | Error::JweDecryptionFailed(_)
                | Error::Expired { .. }
                | Error::ClaimInvalid { .. } => {}
            }
        }
        let mut codes = Vec::new();
        for (error, code) in all {
            listed(&error);
            assert_eq!(error.code(), code);
            codes.push(code);
        }
        assert_eq!(codes, CODES, "CODES lists every variant's code, in order");
    }

    #[test]
    fn claim_errors_carry_claim_and_reason() {
        let e = Error::claim_failed("nbf", Reason::Invalid, "x".into());
        assert!(e.claim().is_some_and(|c| c.is("nbf")));
        assert_eq!(e.reason().map(Reason::as_str), Some("invalid"));
        let e = Error::expired("iat", "y".into());
        assert!(e.claim().is_some_and(|c| c.is("iat")));
        assert_eq!(e.reason(), Some(Reason::CheckFailed));
        assert_eq!(Error::JwsInvalid("z".into()).claim(), None);
    }
}
