//! Helpers shared by the fuzz targets: how an input is cut into parts, options drawn from bytes,
//! the keys of `tests/vectors/jose.json`, and the host-provider path of a verification.
#![allow(dead_code)]

use std::sync::LazyLock;

use arbitrary::Unstructured;
use edge_jwt::json::{parse_object, JsString, Object, Value};
use edge_jwt::token_cache::TokenCache;
use edge_jwt::verify::{prepare_token, Prepared};
use edge_jwt::{
    base64url, crypto, ClaimOptions, Error, KeySet, UntrustedToken, VerifiedToken, VerifyOptions,
};

/// `now` of `tests/vectors/jose.json` (2026-11-23): its tokens are valid then.
pub const NOW: f64 = 1_795_392_000.0;

/// The bytes before the first NUL and those after it. JSON text and tokens never contain a NUL, so
/// a seed that is a plain token or document is used whole, and the fuzzer can append option bytes.
pub fn split_nul(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[]),
    }
}

/// An optional string from the fuzzer's bytes, as the JavaScript string of that text.
fn js_string(u: &mut Unstructured<'_>) -> Option<JsString> {
    u.arbitrary::<Option<String>>()
        .unwrap_or_default()
        .map(JsString::from)
}

/// An optional list of strings from the fuzzer's bytes, as JavaScript strings.
fn js_strings(u: &mut Unstructured<'_>) -> Option<Vec<JsString>> {
    u.arbitrary::<Option<Vec<String>>>()
        .unwrap_or_default()
        .map(|list| list.into_iter().map(JsString::from).collect())
}

/// Claim options from the fuzzer's bytes; no bytes give the defaults.
pub fn claim_options(u: &mut Unstructured<'_>) -> ClaimOptions {
    ClaimOptions {
        issuer: js_strings(u),
        audience: js_strings(u),
        subject: js_string(u),
        typ: js_string(u),
        clock_tolerance: u.arbitrary().unwrap_or_default(),
        max_token_age: u.arbitrary().unwrap_or_default(),
        required_claims: js_strings(u).unwrap_or_default(),
    }
}

/// Verification options from the fuzzer's bytes: a time around [`NOW`], allowed algorithms,
/// recognised `crit` names and claim options; the secret is the HS256 one of [`KEYS`].
pub fn verify_options(u: &mut Unstructured<'_>) -> VerifyOptions {
    let mut options = VerifyOptions::at(NOW + f64::from(u.arbitrary::<i32>().unwrap_or(0)));
    options.algorithms = js_strings(u);
    options.crit = u
        .arbitrary::<Vec<(String, bool)>>()
        .unwrap_or_default()
        .into_iter()
        .map(|(name, protected)| (JsString::from(name), protected))
        .collect();
    options.secret = Some(KEYS.1.clone());
    options.claims = claim_options(u);
    options
}

/// [`jose_keys`], made once.
pub static KEYS: LazyLock<(KeySet, Vec<u8>)> = LazyLock::new(jose_keys);

/// A verification the way `verifyToken` runs it with host crypto: `prepare_token` hands every
/// public-key algorithm to the "host" (here the crate's own primitive, so only the plumbing is
/// compared), then `HostCheck::complete`, both with `cache`.
pub fn host_verify(
    token: &str,
    keys: &KeySet,
    options: &VerifyOptions,
    cache: &mut TokenCache,
) -> Result<VerifiedToken, Error> {
    let prepared = prepare_token(token, Some(keys), options, &|_| true, Some(&mut *cache));
    let check = match prepared.map_err(|failure| failure.error)? {
        Prepared::Verified(verified) => return Ok(verified),
        Prepared::HostCheck(check) => check,
    };
    let algorithm = check.algorithm();
    let untrusted = UntrustedToken::parse(token, &options.crit)?;
    let (input, signature) = (untrusted.signing_input()?, untrusted.signature()?);
    // What the core hands the host is exactly the token's decoded signature.
    assert_eq!(check.signature(), &signature[..]);
    let verified = check.keys().iter().any(|&index| {
        keys.keys()[index]
            .public_key()
            .is_ok_and(|key| crypto::verify(algorithm, key, input, &signature).is_ok())
    });
    check
        .complete(verified, Some(cache))
        .map_err(|failure| failure.error)
}

/// What a verification gave, in a form two providers must agree on: the algorithm and the claims
/// text, or the error code.
pub fn verdict(
    result: &Result<VerifiedToken, Error>,
) -> Result<(&'static str, &str), &'static str> {
    match result {
        Ok(verified) => Ok((verified.algorithm().name(), verified.payload_json())),
        Err(err) => Err(err.code()),
    }
}

/// Every public key of `tests/vectors/jose.json` (one per algorithm, RSA 2048 and 4096, each with
/// its kid) in one set, and its HS256 secret.
pub fn jose_keys() -> (KeySet, Vec<u8>) {
    let doc = parse_object(include_bytes!("../../../tests/vectors/jose.json")).unwrap();
    let vectors = doc.get("vectors").and_then(Value::as_array).unwrap();
    let keys: Vec<Value> = vectors
        .iter()
        .filter_map(|v| {
            v.as_object()?
                .get("jwks")?
                .as_object()?
                .get("keys")?
                .as_array()
        })
        .flatten()
        .cloned()
        .collect();
    let secret = vectors
        .iter()
        .filter_map(Value::as_object)
        .find(|v| v.get_str("alg") == Some("HS256"))
        .and_then(|v| v.get_str("secret_b64url"))
        .unwrap();
    let mut set = Object::default();
    set.insert("keys".into(), Value::Array(keys));
    let keys = KeySet::from_object(&set).unwrap();
    (keys, base64url::decode_str(secret).unwrap())
}
