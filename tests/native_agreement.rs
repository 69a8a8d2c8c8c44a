//! The two crypto providers give the same verdict on every case: the pure-Rust core
//! (`verify_token`, `crypto::verify`) and the native provider (`native::verify_native`,
//! `native::verify_with_key`, `ring` behind the host-check seam). Cases: every vector of
//! `tests/vectors/` (jose and RFC tokens) as signed and with single bits flipped in each segment,
//! every Wycheproof signature case (ECDSA P-256/384/521, Ed25519, RSA PKCS#1 v1.5 and PSS) at the
//! key level, and Wycheproof's JWS cases at the token level. Runs with
//! `cargo test --features native-crypto --test native_agreement`.
#![cfg(feature = "native-crypto")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::as_conversions,
    clippy::cast_possible_truncation,
    clippy::string_slice,
    missing_docs
)]

mod common;

use std::path::PathBuf;

use common::{all_vectors, flip_positions, segments};
use edge_jwt::alg::{Algorithm, Curve};
use edge_jwt::crypto::{self, ecdsa, eddsa, rsa, PublicKey};
use edge_jwt::json::{self, Object, Value};
use edge_jwt::native::{verify_native, verify_with_key, NativeKey, NativeKeySet};
use edge_jwt::{base64url, verify_token, Error, KeySet, VerifiedToken, VerifyOptions};

/// What a verification gave, comparable across providers.
fn outcome(result: &Result<VerifiedToken, Error>) -> String {
    match result {
        Ok(verified) => format!(
            "verified {} {}",
            verified.header_json(),
            verified.payload_json()
        ),
        Err(err) => format!(
            "{} claim={:?} reason={:?} {}",
            err.code(),
            err.claim(),
            err.reason().map(|r| r.as_str()),
            err.message()
        ),
    }
}

fn key_outcome(result: &Result<(), Error>) -> String {
    match result {
        Ok(()) => "verified".to_owned(),
        Err(err) => format!("{} {}", err.code(), err.message()),
    }
}

fn flip(segment: &str, index: usize, bit: u8) -> Option<String> {
    let mut bytes = base64url::decode_str(segment).ok()?;
    *bytes.get_mut(index)? ^= 1 << bit;
    Some(base64url::encode(&bytes))
}

#[test]
fn every_vector_and_its_bit_flips_get_one_verdict() {
    let mut compared = 0usize;
    let mut verified = 0usize;
    let mut mismatches = Vec::new();
    for vector in all_vectors() {
        let mut options = VerifyOptions::at(vector.now);
        options.secret.clone_from(&vector.secret);
        let native_keys = vector
            .jwks_json
            .as_ref()
            .map(|text| NativeKeySet::from_json(text.as_bytes()).unwrap());
        let mut tokens = vec![vector.token.clone()];
        let parts = segments(&vector.token);
        for (position, segment) in parts.iter().enumerate() {
            let len = base64url::decode_str(segment).map_or(0, |b| b.len());
            for (index, bit) in flip_positions(len) {
                if let Some(flipped) = flip(segment, index, bit) {
                    let mut changed = parts.map(str::to_owned);
                    changed[position] = flipped;
                    tokens.push(changed.join("."));
                }
            }
        }
        for token in tokens {
            let core = verify_token(&token, vector.keys.as_ref(), &options);
            let native = verify_native(&token, native_keys.as_ref(), &options);
            compared += 1;
            verified += usize::from(core.is_ok());
            if outcome(&core) != outcome(&native) {
                mismatches.push(format!(
                    "{} {token}: core {} / native {}",
                    vector.name,
                    outcome(&core),
                    outcome(&native)
                ));
            }
        }
    }
    println!("{compared} tokens compared, {verified} verified");
    assert!(compared > 1000 && verified >= 15, "{compared} / {verified}");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

fn load(file: &str) -> Object {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/wycheproof")
        .join(file);
    json::parse_object(&std::fs::read(&path).unwrap()).unwrap()
}

fn array<'a>(object: &'a Object, name: &str) -> &'a [Value] {
    object.get(name).and_then(Value::as_array).unwrap()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn bytes(jwk: &Object, name: &str) -> Vec<u8> {
    base64url::decode_str(jwk.get_str(name).unwrap()).unwrap()
}

/// A public JWK for the group: its JWK member, or (ECDSA groups without one) built from the
/// uncompressed point.
fn group_jwk(group: &Object, curve: Option<Curve>) -> Object {
    for member in ["publicKeyJwk", "keyJwk"] {
        if let Some(jwk) = group.get(member).and_then(Value::as_object) {
            return jwk.clone();
        }
    }
    let curve = curve.unwrap();
    let point = hex(group
        .get("publicKey")
        .and_then(Value::as_object)
        .and_then(|key| key.get_str("uncompressed"))
        .unwrap());
    let (x, y) = point[1..].split_at(curve.scalar_len());
    json::parse_object(
        format!(
            r#"{{"kty":"EC","crv":"{}","x":"{}","y":"{}"}}"#,
            curve.jwk_name(),
            base64url::encode(x),
            base64url::encode(y)
        )
        .as_bytes(),
    )
    .unwrap()
}

fn core_key(jwk: &Object, curve: Option<Curve>) -> Result<PublicKey, Error> {
    match jwk.get_str("kty") {
        Some("RSA") => rsa::public_key(&bytes(jwk, "n"), &bytes(jwk, "e")).map(PublicKey::Rsa),
        Some("EC") => {
            ecdsa::public_key(curve.unwrap(), &bytes(jwk, "x"), &bytes(jwk, "y")).map(PublicKey::Ec)
        }
        _ => eddsa::public_key(&bytes(jwk, "x")).map(PublicKey::Ed25519),
    }
}

#[test]
fn every_wycheproof_signature_case_gets_one_verdict_per_key() {
    let files: [(&str, Algorithm, Option<Curve>); 19] = [
        (
            "ecdsa_secp256r1_sha256_p1363_test.json",
            Algorithm::Es256,
            Some(Curve::P256),
        ),
        (
            "ecdsa_secp384r1_sha384_p1363_test.json",
            Algorithm::Es384,
            Some(Curve::P384),
        ),
        (
            "ecdsa_secp521r1_sha512_p1363_test.json",
            Algorithm::Es512,
            Some(Curve::P521),
        ),
        ("ed25519_test.json", Algorithm::EdDsa, None),
        (
            "rsa_pss_2048_sha256_mgf1_32_test.json",
            Algorithm::Ps256,
            None,
        ),
        (
            "rsa_pss_2048_sha384_mgf1_48_test.json",
            Algorithm::Ps384,
            None,
        ),
        (
            "rsa_pss_3072_sha256_mgf1_32_test.json",
            Algorithm::Ps256,
            None,
        ),
        (
            "rsa_pss_4096_sha256_mgf1_32_test.json",
            Algorithm::Ps256,
            None,
        ),
        (
            "rsa_pss_4096_sha384_mgf1_48_test.json",
            Algorithm::Ps384,
            None,
        ),
        (
            "rsa_pss_4096_sha512_mgf1_64_test.json",
            Algorithm::Ps512,
            None,
        ),
        (
            "rsa_signature_2048_sha256_test.json",
            Algorithm::Rs256,
            None,
        ),
        (
            "rsa_signature_2048_sha384_test.json",
            Algorithm::Rs384,
            None,
        ),
        (
            "rsa_signature_2048_sha512_test.json",
            Algorithm::Rs512,
            None,
        ),
        (
            "rsa_signature_3072_sha256_test.json",
            Algorithm::Rs256,
            None,
        ),
        (
            "rsa_signature_3072_sha384_test.json",
            Algorithm::Rs384,
            None,
        ),
        (
            "rsa_signature_3072_sha512_test.json",
            Algorithm::Rs512,
            None,
        ),
        (
            "rsa_signature_4096_sha256_test.json",
            Algorithm::Rs256,
            None,
        ),
        (
            "rsa_signature_4096_sha384_test.json",
            Algorithm::Rs384,
            None,
        ),
        (
            "rsa_signature_4096_sha512_test.json",
            Algorithm::Rs512,
            None,
        ),
    ];
    let mut compared = 0usize;
    let mut by_ring = 0usize;
    let mut verified = 0usize;
    let mut mismatches = Vec::new();
    for (file, alg, curve) in files {
        let doc = load(file);
        for group in array(&doc, "testGroups") {
            let group = group.as_object().unwrap();
            let jwk = group_jwk(group, curve);
            let Ok(core) = core_key(&jwk, curve) else {
                continue; // refused at parse time: neither provider ever sees it
            };
            let native = NativeKey::from_jwk(&jwk, &core);
            by_ring += usize::from(native.is_some());
            for test in array(group, "tests") {
                let test = test.as_object().unwrap();
                let msg = hex(test.get_str("msg").unwrap());
                let sig = hex(test.get_str("sig").unwrap());
                let expected = crypto::verify(alg, &core, &msg, &sig);
                let actual = verify_with_key(alg, &core, native.as_ref(), &msg, &sig);
                compared += 1;
                verified += usize::from(expected.is_ok());
                if key_outcome(&expected) != key_outcome(&actual) {
                    mismatches.push(format!(
                        "{file} tcId {:?}: core {} / native {}",
                        test.get("tcId").and_then(Value::as_f64),
                        key_outcome(&expected),
                        key_outcome(&actual)
                    ));
                }
            }
        }
    }
    println!("{compared} cases compared ({verified} verified), {by_ring} groups on ring");
    assert!(compared > 3000 && verified > 500 && by_ring > 50);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn every_wycheproof_jws_case_gets_one_verdict() {
    let doc = load("json_web_signature_test.json");
    let mut compared = 0usize;
    let mut mismatches = Vec::new();
    for group in array(&doc, "testGroups") {
        let group = group.as_object().unwrap();
        let public = group.get("public").and_then(Value::as_object);
        let jwks = public.map(|jwk| {
            let mut set = Object::default();
            set.insert(
                "keys".into(),
                Value::Array(vec![Value::Object(jwk.clone())]),
            );
            common::object_to_json(&set)
        });
        let core_keys = jwks
            .as_ref()
            .map(|text| KeySet::from_json(text.as_bytes()).unwrap());
        let native_keys = jwks
            .as_ref()
            .map(|text| NativeKeySet::from_json(text.as_bytes()).unwrap());
        let mut options = VerifyOptions::at(0.0);
        options.secret = group
            .get("private")
            .and_then(Value::as_object)
            .filter(|jwk| jwk.get_str("kty") == Some("oct"))
            .map(|jwk| bytes(jwk, "k"));
        for test in array(group, "tests") {
            let Some(jws) = test.as_object().and_then(|t| t.get_str("jws")) else {
                continue;
            };
            let core = verify_token(jws, core_keys.as_ref(), &options);
            let native = verify_native(jws, native_keys.as_ref(), &options);
            compared += 1;
            if outcome(&core) != outcome(&native) {
                mismatches.push(format!(
                    "{jws}: core {} / native {}",
                    outcome(&core),
                    outcome(&native)
                ));
            }
        }
    }
    println!("{compared} JWS cases compared");
    assert!(compared > 100, "{compared}");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
