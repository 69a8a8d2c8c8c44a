//! The whole verification of a JWT, step by step in jose's order: structure and header
//! ([`UntrustedToken`]), the `algorithms` allow-list, the key (a key set for public-key algorithms,
//! the caller's secret for HMAC), the signature, then the payload and its claims. The signature is
//! always checked before any claim.

use crate::alg::Algorithm;
use crate::claims::{self, ClaimOptions};
use crate::crypto;
use crate::error::Error;
use crate::json::{self, Object};
use crate::jwks::KeySet;
use crate::token::{self, UntrustedToken};

/// Everything a verification depends on besides the token and the keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VerifyOptions {
    /// The current time in seconds since the epoch (jose: `floor(Date.now() / 1000)`).
    pub now: f64,
    /// Allowed header `alg` values; `None` allows every algorithm the key fits.
    pub algorithms: Option<Vec<String>>,
    /// Extension header names the caller understands (jose's `crit` option), with whether each must
    /// be integrity protected.
    pub crit: Vec<(String, bool)>,
    /// The shared secret for `HS256/384/512` tokens.
    pub secret: Option<Vec<u8>>,
    /// Claim requirements.
    pub claims: ClaimOptions,
}

impl VerifyOptions {
    /// Defaults, at time `now` (seconds since the epoch).
    #[must_use]
    pub fn at(now: f64) -> Self {
        Self {
            now,
            ..Self::default()
        }
    }
}

/// A token whose signature verified and whose claims passed.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    algorithm: Algorithm,
    header: Object,
    header_json: String,
    payload: Object,
    payload_json: String,
}

impl VerifiedToken {
    /// The algorithm that verified it.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The protected header.
    #[must_use]
    pub fn header(&self) -> &Object {
        &self.header
    }

    /// The protected header as JSON text.
    #[must_use]
    pub fn header_json(&self) -> &str {
        &self.header_json
    }

    /// The claims.
    #[must_use]
    pub fn payload(&self) -> &Object {
        &self.payload
    }

    /// The claims as JSON text.
    #[must_use]
    pub fn payload_json(&self) -> &str {
        &self.payload_json
    }
}

/// A verification that failed after the signature verified carries the payload text, so callers
/// can show it (jose's `error.payload`).
#[derive(Debug, Clone)]
pub struct Failure {
    /// What failed.
    pub error: Error,
    /// The payload JSON text, for claim errors (the signature had verified).
    pub payload_json: Option<String>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self {
            error,
            payload_json: None,
        }
    }
}

/// Verifies `token` with `keys` (public-key algorithms) or `options.secret` (HMAC).
///
/// # Errors
/// Any [`Error`]; see [`verify_token_detailed`] for the payload of a claim failure.
pub fn verify_token(
    token: &str,
    keys: Option<&KeySet>,
    options: &VerifyOptions,
) -> Result<VerifiedToken, Error> {
    verify_token_detailed(token, keys, options).map_err(|failure| failure.error)
}

/// As [`verify_token`], and a claim failure also returns the payload text.
///
/// # Errors
/// A [`Failure`] with the [`Error`] and, for claim errors, the payload.
pub fn verify_token_detailed(
    token: &str,
    keys: Option<&KeySet>,
    options: &VerifyOptions,
) -> Result<VerifiedToken, Failure> {
    let untrusted = UntrustedToken::parse(token, &options.crit)?;
    let alg_name = untrusted.alg_name();
    if let Some(allowed) = &options.algorithms {
        if !allowed.iter().any(|a| a == alg_name) {
            return Err(Error::AlgNotAllowed(format!(
                "the token's alg {:?} is not in the allowed algorithms [{}]",
                alg_name.chars().take(32).collect::<String>(),
                allowed.join(", ")
            ))
            .into());
        }
    }
    let algorithm = untrusted.algorithm().ok_or_else(|| {
        Error::NotSupported(format!(
            "the token's alg {:?} is not supported (supported: {})",
            alg_name.chars().take(32).collect::<String>(),
            Algorithm::ALL.map(Algorithm::name).join(", ")
        ))
    })?;

    check_signature(&untrusted, algorithm, keys, options)?;

    let payload_bytes = untrusted.payload_bytes()?;
    if !untrusted.b64() {
        return Err(Error::JwtInvalid(
            "JWTs must not use an unencoded payload (b64: false)".to_owned(),
        )
        .into());
    }
    let payload_json = token::utf8_text(payload_bytes)
        .ok_or_else(|| Error::JwtInvalid("the claims set is not valid UTF-8".to_owned()))?;
    let payload = json::parse_object(payload_json.as_bytes()).map_err(|err| {
        Error::JwtInvalid(format!(
            "the claims set must be a top-level JSON object ({err})"
        ))
    })?;
    if let Err(error) = claims::validate(untrusted.header(), &payload, &options.claims, options.now)
    {
        return Err(Failure {
            error,
            payload_json: Some(payload_json),
        });
    }
    Ok(VerifiedToken {
        algorithm,
        header: untrusted.header().clone(),
        header_json: untrusted.header_json().to_owned(),
        payload,
        payload_json,
    })
}

fn check_signature(
    untrusted: &UntrustedToken<'_>,
    algorithm: Algorithm,
    keys: Option<&KeySet>,
    options: &VerifyOptions,
) -> Result<(), Error> {
    if algorithm.is_hmac() {
        let Some(secret) = &options.secret else {
            return Err(Error::NotSupported(format!(
                "{algorithm} tokens are verified only with a shared secret (options.secret); \
                 a key set never supplies a symmetric key"
            )));
        };
        let input = untrusted.signing_input()?;
        let signature = untrusted.signature()?;
        return crypto::hmac::verify(algorithm, secret, input, &signature);
    }
    let Some(keys) = keys else {
        return Err(Error::NoMatchingKey(format!(
            "{algorithm} tokens need a public key from a key set, and none was given \
             (options.secret only verifies HS256/384/512)"
        )));
    };
    // jose resolves the key before it decodes the signature; keep that order for error codes.
    let selection = keys.select(algorithm, untrusted.kid())?;
    let input = untrusted.signing_input()?;
    let signature = untrusted.signature()?;
    selection.verify(input, &signature)
}
