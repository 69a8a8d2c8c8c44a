//! Helpers shared by the fuzz targets: how an input is cut into parts, claim options drawn from
//! bytes, and the keys of `tests/vectors/jose.json`.
#![allow(dead_code)]

use arbitrary::Unstructured;
use edge_jwt::json::{parse_object, Object, Value};
use edge_jwt::{base64url, ClaimOptions, KeySet};

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

/// Claim options from the fuzzer's bytes; no bytes give the defaults.
pub fn claim_options(u: &mut Unstructured<'_>) -> ClaimOptions {
    ClaimOptions {
        issuer: u.arbitrary().unwrap_or_default(),
        audience: u.arbitrary().unwrap_or_default(),
        subject: u.arbitrary().unwrap_or_default(),
        typ: u.arbitrary().unwrap_or_default(),
        clock_tolerance: u.arbitrary().unwrap_or_default(),
        max_token_age: u.arbitrary().unwrap_or_default(),
        required_claims: u.arbitrary().unwrap_or_default(),
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
    set.insert("keys".to_owned(), Value::Array(keys));
    let keys = KeySet::from_object(&set).unwrap();
    (keys, base64url::decode_str(secret).unwrap())
}
