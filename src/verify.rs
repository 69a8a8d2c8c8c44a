//! The whole verification of a JWT, step by step in jose's order: structure and header
//! ([`UntrustedToken`]), the `algorithms` allow-list, the key (a key set for public-key algorithms,
//! the caller's secret for HMAC), the signature, then the payload and its claims. The signature is
//! always checked before any claim.

use std::sync::Arc;

use crate::alg::Algorithm;
use crate::claims::{self, ClaimOptions};
use crate::crypto;
use crate::error::Error;
use crate::json::{self, JsString, Object};
use crate::jwks::{KeySet, Mismatch};
use crate::token::{self, UntrustedToken};
use crate::token_cache::{CachedToken, TokenCache};

/// Everything a verification depends on besides the token and the keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VerifyOptions {
    /// The current time in seconds since the epoch (jose: `floor(Date.now() / 1000)`).
    pub now: f64,
    /// Allowed header `alg` values; `None` allows every algorithm the key fits.
    pub algorithms: Option<Vec<JsString>>,
    /// Extension header names the caller understands (jose's `crit` option), with whether each must
    /// be integrity protected.
    pub crit: Vec<(JsString, bool)>,
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

/// The decoded protected header and claims of a verified token (shared by the token cache and
/// the results it answers, so a cache hit copies nothing).
#[derive(Debug)]
pub struct TokenParts {
    /// The protected header.
    pub header: Object,
    /// The protected header as JSON text.
    pub header_json: String,
    /// The claims.
    pub payload: Object,
    /// The claims as JSON text.
    pub payload_json: String,
}

/// A token whose signature verified and whose claims passed.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    algorithm: Algorithm,
    parts: Arc<TokenParts>,
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
        &self.parts.header
    }

    /// The protected header as JSON text.
    #[must_use]
    pub fn header_json(&self) -> &str {
        &self.parts.header_json
    }

    /// The claims.
    #[must_use]
    pub fn payload(&self) -> &Object {
        &self.parts.payload
    }

    /// The claims as JSON text.
    #[must_use]
    pub fn payload_json(&self) -> &str {
        &self.parts.payload_json
    }

    fn cached(&self, secret: Option<&[u8]>) -> CachedToken {
        CachedToken {
            algorithm: self.algorithm,
            secret: secret.map(<[u8]>::to_vec),
            parts: Arc::clone(&self.parts),
        }
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
    match prepare_token(token, keys, options, &|_| false, None)? {
        Prepared::Verified(verified) => Ok(verified),
        // Unreachable: no algorithm was handed to the host.
        Prepared::HostCheck(_) => Err(Error::NotSupported(
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
    /// Everything but the signature is checked: the host must verify it with one of
    /// [`HostCheck::keys`], then call [`HostCheck::complete`] with its answer.
    HostCheck(HostCheck),
}

/// A verification waiting for the host's answer on the signature. Both outcomes are decided
/// already (the claims were checked against the same options and clock), and neither is revealed
/// before the answer, so the errors come in jose's order: a bad signature hides a bad payload.
#[derive(Debug, Clone)]
pub struct HostCheck {
    algorithm: Algorithm,
    keys: Vec<usize>,
    signature: Vec<u8>,
    /// The token, kept for the cache only when [`prepare_token`] was given one.
    token: Option<String>,
    if_verified: Result<VerifiedToken, Failure>,
    /// What the error is made of when the host says no (written only then).
    if_not: Mismatch,
}

impl HostCheck {
    /// The algorithm the host checks.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Positions in the key set of the usable candidate keys (all well-formed and strong
    /// enough; possibly none).
    #[must_use]
    pub fn keys(&self) -> &[usize] {
        &self.keys
    }

    /// The signature, decoded from the token's third segment (strict base64url), so that the host
    /// decodes nothing. What it signs is the token's text up to its last dot.
    #[must_use]
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The verification, given whether one of [`Self::keys`] verified the signature. A token
    /// that verified goes into `cache` if [`prepare_token`] was given a cache too (pass the cache
    /// of the key set the keys came from, and none if that set has been replaced since).
    ///
    /// # Errors
    /// The key mismatch error the Rust provider would give, or the payload or claim [`Failure`].
    pub fn complete(
        self,
        host_verified: bool,
        cache: Option<&mut TokenCache>,
    ) -> Result<VerifiedToken, Failure> {
        if !host_verified {
            return Err(self.if_not.error().into());
        }
        let verified = self.if_verified?;
        if let (Some(cache), Some(token)) = (cache, &self.token) {
            cache.insert(token, verified.cached(None));
        }
        Ok(verified)
    }
}

/// Runs every step up to the signature; for public-key algorithms for which `host_handles`
/// answers true, stops there so that the host's native crypto can check the signature (the
/// keys to try are returned). The rules (structure, allow-list, key selection, key validity and
/// strength) are the same whichever provider checks the signature.
///
/// With a `cache` (the [`TokenCache`] of this key set), a token that verified before skips the
/// signature check; its header rules and claims are checked as always. A token that verifies here
/// is added to it.
///
/// # Errors
/// A [`Failure`].
pub fn prepare_token(
    token: &str,
    keys: Option<&KeySet>,
    options: &VerifyOptions,
    host_handles: &dyn Fn(Algorithm) -> bool,
    mut cache: Option<&mut TokenCache>,
) -> Result<Prepared, Failure> {
    if let Some(hit) = cache
        .as_deref_mut()
        .and_then(|c| c.get(token, options.secret.as_deref()))
    {
        return answer_from_cache(hit, options).map(Prepared::Verified);
    }
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
        let verified = finish(untrusted, algorithm, options)?;
        if let Some(cache) = cache {
            cache.insert(token, verified.cached(Some(secret)));
        }
        return Ok(Prepared::Verified(verified));
    }
    let keys = require_keys(keys, algorithm)?;
    // jose resolves the key before it decodes the signature; keep that order for error codes.
    let selection = keys.select(algorithm, untrusted.kid())?;
    let input = untrusted.signing_input()?;
    let signature = untrusted.signature()?;
    if host_handles(algorithm) {
        // Only the keys a signature of this shape can verify with go to the host; none is a
        // mismatch, as the Rust provider would find.
        let keys: Vec<usize> = selection
            .usable_keys()?
            .into_iter()
            .filter(|(_, key)| crypto::host_precheck(algorithm, key, &signature))
            .map(|(index, _)| index)
            .collect();
        if keys.is_empty() {
            return Err(selection.mismatch_error().into());
        }
        return Ok(Prepared::HostCheck(HostCheck {
            algorithm,
            keys,
            signature,
            token: cache.is_some().then(|| token.to_owned()),
            if_verified: finish(untrusted, algorithm, options),
            if_not: selection.mismatch(),
        }));
    }
    selection.verify(input, &signature)?;
    let verified = finish(untrusted, algorithm, options)?;
    if let Some(cache) = cache {
        cache.insert(token, verified.cached(None));
    }
    Ok(Prepared::Verified(verified))
}

/// A token that verified before with these keys (and, for HMAC, this secret): the rules that
/// depend on the options are applied again (`crit`, the allow-list, the claims at `options.now`),
/// and only the signature is skipped. The header and claims are shared, not copied.
fn answer_from_cache(hit: &CachedToken, options: &VerifyOptions) -> Result<VerifiedToken, Failure> {
    token::validate_crit(&hit.parts.header, &options.crit)?;
    check_allowed(&JsString::from_static(hit.algorithm.name()), options)?;
    claims::validate(
        &hit.parts.header,
        &hit.parts.payload,
        &options.claims,
        options.now,
    )
    .map_err(|error| Failure {
        error,
        payload_json: Some(hit.parts.payload_json.clone()),
    })?;
    Ok(VerifiedToken {
        algorithm: hit.algorithm,
        parts: Arc::clone(&hit.parts),
    })
}

/// The `algorithms` allow-list, applied to the header's `alg` as written.
fn check_allowed(alg: &JsString, options: &VerifyOptions) -> Result<(), Error> {
    let Some(allowed) = &options.algorithms else {
        return Ok(());
    };
    if allowed.contains(alg) {
        return Ok(());
    }
    // (Only a failure shows the name, so only a failure makes its text.)
    let shown = alg.to_text_lossy().chars().take(32).collect::<String>();
    let allowed: Vec<_> = allowed.iter().map(JsString::to_text_lossy).collect();
    Err(Error::AlgNotAllowed(format!(
        "the token's alg {shown:?} is not in the allowed algorithms [{}]",
        allowed.join(", ")
    )))
}

/// Structure, header, allow-list, algorithm support.
fn parse_checked<'t>(
    token: &'t str,
    options: &VerifyOptions,
) -> Result<(UntrustedToken<'t>, Algorithm), Error> {
    let untrusted = UntrustedToken::parse(token, &options.crit)?;
    let alg = untrusted.alg();
    check_allowed(alg, options)?;
    let shown = || alg.to_text_lossy().chars().take(32).collect::<String>();
    let algorithm = untrusted.algorithm().ok_or_else(|| {
        Error::NotSupported(format!(
            "the token's alg {:?} is not supported (supported: {})",
            shown(),
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
    untrusted: UntrustedToken<'_>,
    algorithm: Algorithm,
    options: &VerifyOptions,
) -> Result<VerifiedToken, Failure> {
    // jose refuses b64:false before it looks at the payload: an unencoded payload segment need not
    // be base64url, and the answer is ERR_JWT_INVALID either way.
    if !untrusted.b64() {
        return Err(Error::JwtInvalid(
            "JWTs must not use an unencoded payload (b64: false)".to_owned(),
        )
        .into());
    }
    let payload_bytes = untrusted.payload_bytes()?;
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
    let (header, header_json) = untrusted.into_header();
    Ok(VerifiedToken {
        algorithm,
        parts: Arc::new(TokenParts {
            header,
            header_json,
            payload,
            payload_json,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token_cache::TokenCache;

    // RFC 8037 A.2 public key; the token below is signed by nobody (its signature is zeros).
    const JWKS: &[u8] = br#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;

    fn unsigned_token(payload: &str) -> String {
        use crate::base64url::encode;
        format!(
            "{}.{}.{}",
            encode(br#"{"alg":"EdDSA"}"#),
            encode(payload.as_bytes()),
            encode(&[0; 64])
        )
    }

    #[test]
    fn an_unencoded_payload_is_jwt_invalid_even_when_not_base64url() {
        use crate::base64url::encode;
        // RFC 7797: with b64:false the payload segment is the raw payload, here JSON text, which
        // is not base64url. The MAC verifies; jose then answers ERR_JWT_INVALID (not JWS_INVALID).
        let secret = b"secret".to_vec();
        let header = encode(br#"{"alg":"HS256","crit":["b64"],"b64":false}"#);
        for payload in [r#"{"sub":"x"}"#, "eyJzdWIiOiJ4In0"] {
            let input = format!("{header}.{payload}");
            let mac = {
                use hmac::Mac;
                let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&secret).unwrap();
                mac.update(input.as_bytes());
                mac.finalize().into_bytes()
            };
            let token = format!("{input}.{}", encode(&mac));
            let mut options = VerifyOptions::at(0.0);
            options.secret = Some(secret.clone());
            let err = verify_token(&token, None, &options).unwrap_err();
            assert_eq!(err.code(), "ERR_JWT_INVALID", "{payload}");
            // A bad MAC still fails first.
            let bad = format!("{input}.{}", encode(&[0; 32]));
            let err = verify_token(&bad, None, &options).unwrap_err();
            assert_eq!(
                err.code(),
                "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
                "{payload}"
            );
        }
    }

    /// As [`unsigned_token`], with a signature the host would be asked about: `R` the base point
    /// (not small-order), `S` zero (canonical). It verifies with no key.
    fn host_checked_token(payload: &str) -> String {
        use crate::base64url::encode;
        let mut signature = [0u8; 64];
        signature[0] = 0x58;
        for byte in signature.iter_mut().take(32).skip(1) {
            *byte = 0x66;
        }
        format!(
            "{}.{}.{}",
            encode(br#"{"alg":"EdDSA"}"#),
            encode(payload.as_bytes()),
            encode(&signature)
        )
    }

    #[test]
    fn a_host_check_says_what_the_rust_provider_says() {
        let one = KeySet::from_json(JWKS).unwrap();
        let key =
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let two = KeySet::from_json(format!(r#"{{"keys":[{key},{key}]}}"#).as_bytes()).unwrap();
        let token = host_checked_token(r#"{"sub":"a"}"#);
        let options = VerifyOptions::at(0.0);
        for keys in [&one, &two] {
            let rust = verify_token(&token, Some(keys), &options).unwrap_err();
            let Ok(Prepared::HostCheck(check)) =
                prepare_token(&token, Some(keys), &options, &|_| true, None)
            else {
                panic!("the host should check EdDSA");
            };
            let host = check.complete(false, None).unwrap_err().error;
            assert_eq!(host, rust);
        }
        assert!(verify_token(&token, Some(&two), &options)
            .unwrap_err()
            .message()
            .starts_with("2 keys in the set fit this EdDSA token and none"));
    }

    #[test]
    fn a_host_checked_token_is_cached_when_prepared_with_the_cache() {
        let keys = KeySet::from_json(JWKS).unwrap();
        let token = host_checked_token(r#"{"sub":"a"}"#);
        let options = VerifyOptions::at(0.0);
        let mut cache = TokenCache::new();
        for with_cache in [false, true] {
            let prepared = prepare_token(
                &token,
                Some(&keys),
                &options,
                &|_| true,
                with_cache.then_some(&mut cache),
            );
            let Ok(Prepared::HostCheck(check)) = prepared else {
                panic!("the host should check EdDSA");
            };
            check.complete(true, Some(&mut cache)).unwrap();
            assert_eq!(cache.len(), usize::from(with_cache));
        }
    }

    #[test]
    fn a_cache_hit_skips_only_the_signature() {
        let keys = KeySet::from_json(JWKS).unwrap();
        let token = unsigned_token(r#"{"sub":"a","exp":100}"#);
        let options = VerifyOptions::at(50.0);
        let mut cache = TokenCache::new();
        let err =
            prepare_token(&token, Some(&keys), &options, &|_| false, Some(&mut cache)).unwrap_err();
        assert_eq!(err.error.code(), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
        assert!(cache.is_empty(), "a failed token is never cached");

        // Plant the token as if it had verified: the cache answers, without the signature...
        let header = json::parse_object(br#"{"alg":"EdDSA"}"#).unwrap();
        let payload = json::parse_object(br#"{"sub":"a","exp":100}"#).unwrap();
        cache.insert(
            &token,
            CachedToken {
                algorithm: Algorithm::EdDsa,
                secret: None,
                parts: Arc::new(TokenParts {
                    header,
                    header_json: r#"{"alg":"EdDSA"}"#.into(),
                    payload,
                    payload_json: r#"{"sub":"a","exp":100}"#.into(),
                }),
            },
        );
        let hit = prepare_token(&token, Some(&keys), &options, &|_| false, Some(&mut cache));
        assert!(matches!(hit, Ok(Prepared::Verified(_))));
        // ...but the claims are checked at the current time, and the header rules still apply.
        let later = VerifyOptions::at(100.0);
        let err =
            prepare_token(&token, Some(&keys), &later, &|_| false, Some(&mut cache)).unwrap_err();
        assert_eq!(err.error.code(), "ERR_JWT_EXPIRED");
        let mut narrow = VerifyOptions::at(50.0);
        narrow.algorithms = Some(vec!["ES256".into()]);
        let err =
            prepare_token(&token, Some(&keys), &narrow, &|_| false, Some(&mut cache)).unwrap_err();
        assert_eq!(err.error.code(), "ERR_JOSE_ALG_NOT_ALLOWED");
        // Without the cache, the same token fails its signature.
        let err = prepare_token(&token, Some(&keys), &options, &|_| false, None).unwrap_err();
        assert_eq!(err.error.code(), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    }
}
