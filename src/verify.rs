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
    match prepare_token(token, keys, options, &|_| false)? {
        Prepared::Verified(verified) => Ok(verified),
        // Unreachable: no algorithm was handed to the host.
        Prepared::HostCheck { .. } => Err(Error::NotSupported(
            "the signature was left to a host provider that does not exist".to_owned(),
        )
        .into()),
    }
}

/// How far [`prepare_token`] got.
#[derive(Debug, Clone)]
pub enum Prepared {
    /// Fully verified here (HMAC, or an algorithm the host does not handle).
    Verified(VerifiedToken),
    /// Everything but the signature is checked: the host must verify it with one of these keys
    /// (positions in the key set, all well-formed and strong enough; possibly none), then call
    /// [`finish_token`].
    HostCheck {
        /// The algorithm.
        algorithm: Algorithm,
        /// Positions of the usable candidate keys in the set.
        keys: Vec<usize>,
    },
}

/// Runs every step up to the signature; for public-key algorithms for which `host_handles`
/// answers true, stops there so that the host's native crypto can check the signature (the
/// keys to try are returned). The rules (structure, allow-list, key selection, key validity and
/// strength) are the same whichever provider checks the signature.
///
/// # Errors
/// A [`Failure`].
pub fn prepare_token(
    token: &str,
    keys: Option<&KeySet>,
    options: &VerifyOptions,
    host_handles: &dyn Fn(Algorithm) -> bool,
) -> Result<Prepared, Failure> {
    let (untrusted, algorithm) = parse_checked(token, options)?;
    if algorithm.is_hmac() {
        let Some(secret) = &options.secret else {
            return Err(Error::NotSupported(format!(
                "{algorithm} tokens are verified only with a shared secret (options.secret); \
                 a key set never supplies a symmetric key"
            ))
            .into());
        };
        let input = untrusted.signing_input()?;
        let signature = untrusted.signature()?;
        crypto::hmac::verify(algorithm, secret, input, &signature)?;
        return finish(&untrusted, algorithm, options).map(Prepared::Verified);
    }
    let keys = require_keys(keys, algorithm)?;
    // jose resolves the key before it decodes the signature; keep that order for error codes.
    let selection = keys.select(algorithm, untrusted.kid())?;
    let input = untrusted.signing_input()?;
    let signature = untrusted.signature()?;
    if host_handles(algorithm) {
        let usable = selection.usable_keys()?;
        if !crypto::host_precheck(algorithm, &signature) {
            return Err(selection.mismatch_error().into());
        }
        return Ok(Prepared::HostCheck {
            algorithm,
            keys: usable.into_iter().map(|(index, _)| index).collect(),
        });
    }
    selection.verify(input, &signature)?;
    finish(&untrusted, algorithm, options).map(Prepared::Verified)
}

/// Completes a verification whose signature the host checked: `host_verified` says whether one
/// of the keys [`prepare_token`] returned verified it. A mismatch gives the same error the Rust
/// provider gives; a match goes on to the payload and the claims.
///
/// # Errors
/// A [`Failure`].
pub fn finish_token(
    token: &str,
    keys: Option<&KeySet>,
    options: &VerifyOptions,
    host_verified: bool,
) -> Result<VerifiedToken, Failure> {
    let (untrusted, algorithm) = parse_checked(token, options)?;
    if !host_verified {
        let keys = require_keys(keys, algorithm)?;
        let selection = keys.select(algorithm, untrusted.kid())?;
        return Err(selection.mismatch_error().into());
    }
    finish(&untrusted, algorithm, options)
}

/// Structure, header, allow-list, algorithm support.
fn parse_checked<'t>(
    token: &'t str,
    options: &VerifyOptions,
) -> Result<(UntrustedToken<'t>, Algorithm), Error> {
    let untrusted = UntrustedToken::parse(token, &options.crit)?;
    let alg_name = untrusted.alg_name();
    if let Some(allowed) = &options.algorithms {
        if !allowed.iter().any(|a| a == alg_name) {
            return Err(Error::AlgNotAllowed(format!(
                "the token's alg {:?} is not in the allowed algorithms [{}]",
                alg_name.chars().take(32).collect::<String>(),
                allowed.join(", ")
            )));
        }
    }
    let algorithm = untrusted.algorithm().ok_or_else(|| {
        Error::NotSupported(format!(
            "the token's alg {:?} is not supported (supported: {})",
            alg_name.chars().take(32).collect::<String>(),
            Algorithm::ALL.map(Algorithm::name).join(", ")
        ))
    })?;
    Ok((untrusted, algorithm))
}

fn require_keys(keys: Option<&KeySet>, algorithm: Algorithm) -> Result<&KeySet, Error> {
    keys.ok_or_else(|| {
        Error::NoMatchingKey(format!(
            "{algorithm} tokens need a public key from a key set, and none was given \
             (options.secret only verifies HS256/384/512)"
        ))
    })
}

/// After the signature: the payload, `b64`, and the claims.
fn finish(
    untrusted: &UntrustedToken<'_>,
    algorithm: Algorithm,
    options: &VerifyOptions,
) -> Result<VerifiedToken, Failure> {
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
