//! The crate's own RSA against OpenSSL's verdicts (`tests/vectors/rsa-openssl.json`, made by
//! `tests/vectors/generate-rsa.mjs` with node:crypto): moduli of 2048 to 4097 bits on and off byte
//! boundaries, exponents 3, 65537, 2^31 - 1, 2^32 + 1 and 2^33 - 1, PKCS#1 v1.5 and PSS with their
//! edge cases. Every vector must get OpenSSL's verdict, except those marked `differs` (a signature
//! that is not k bytes long, which OpenSSL's PSS verification takes and RFC 8017 does not): those
//! must be refused, by `rsa::verify` and by `host_precheck` before any host would see them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::as_conversions,
    clippy::cast_possible_truncation,
    clippy::unreachable,
    missing_docs
)]

mod common;

use std::collections::BTreeMap;

use common::{b64url_decode, parse};
use edge_jwt::alg::Algorithm;
use edge_jwt::crypto::{self, rsa, PublicKey};
use edge_jwt::json::Value;

const VECTORS: &str = include_str!("vectors/rsa-openssl.json");

fn field<'a>(value: &'a Value, name: &str) -> &'a Value {
    value
        .as_object()
        .and_then(|o| o.get(name))
        .unwrap_or_else(|| panic!("missing {name}"))
}

fn text<'a>(value: &'a Value, name: &str) -> &'a str {
    field(value, name).as_str().unwrap()
}

#[test]
fn every_vector_gets_openssls_verdict() {
    let document = parse(VECTORS);
    let keys: Vec<(usize, PublicKey)> = field(&document, "keys")
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let n = b64url_decode(text(k, "n")).unwrap();
            let e = b64url_decode(text(k, "e")).unwrap();
            let key = rsa::public_key(&n, &e).expect("every key of the file is accepted");
            let bits = field(k, "bits").as_f64().unwrap() as usize;
            assert_eq!(key.bits(), bits);
            (bits, PublicKey::Rsa(key))
        })
        .collect();
    let mut failures = Vec::new();
    // bits -> (vectors, valid for OpenSSL, differing on purpose)
    let mut per_size: BTreeMap<usize, (usize, usize, usize)> = BTreeMap::new();
    let mut exponents = std::collections::BTreeSet::new();
    let mut cases = std::collections::BTreeSet::new();
    for vector in field(&document, "vectors").as_array().unwrap() {
        let index = field(vector, "key").as_f64().unwrap() as usize;
        let (bits, key) = &keys[index];
        let alg = Algorithm::from_name(text(vector, "alg")).unwrap();
        let message = text(vector, "msg").as_bytes();
        let signature = b64url_decode(text(vector, "sig")).unwrap();
        let openssl = field(vector, "openssl").as_bool().unwrap();
        let expect = field(vector, "expect").as_bool().unwrap();
        let differs = vector.as_object().unwrap().get("differs").is_some();
        let PublicKey::Rsa(rsa_key) = key else {
            unreachable!()
        };
        let ours = crypto::verify(alg, key, message, &signature).is_ok();
        assert_eq!(
            ours,
            rsa::verify(alg, rsa_key, message, &signature).unwrap()
        );
        let name = format!("key {index} ({bits} bits), {alg}, {}", text(vector, "case"));
        if differs {
            // Only one kind of difference is allowed, and it is refused before the host too.
            if !(openssl && !expect && signature.len() != bits.div_ceil(8)) {
                failures.push(format!("{name}: a difference that is not about length"));
            }
            if crypto::host_precheck(alg, key, &signature) {
                failures.push(format!("{name}: the host precheck lets it through"));
            }
        } else if expect != openssl {
            failures.push(format!("{name}: the expectation is not OpenSSL's verdict"));
        }
        if ours != expect {
            failures.push(format!("{name}: ours {ours}, OpenSSL {openssl}"));
        }
        let entry = per_size.entry(*bits).or_default();
        entry.0 += 1;
        entry.1 += usize::from(openssl);
        entry.2 += usize::from(differs);
        exponents.insert(text(
            &field(&document, "keys").as_array().unwrap()[index],
            "e",
        ));
        cases.insert(format!("{alg} {}", text(vector, "case")));
    }
    for (bits, (count, valid, differs)) in &per_size {
        println!("{bits} bits: {count} vectors, {valid} valid for OpenSSL, {differs} refused on purpose (length)");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The file covers what it says it covers.
    let sizes: Vec<usize> = per_size.keys().copied().collect();
    assert_eq!(
        sizes,
        [2048, 2049, 2050, 2055, 2056, 2057, 2063, 2064, 3071, 3072, 3073, 4095, 4096, 4097]
    );
    assert_eq!(exponents.len(), 5, "{exponents:?}");
    println!("{} kinds of vector (algorithm and case)", cases.len());
    assert!(cases.len() >= 60, "{} kinds of vector", cases.len());
    for (_, (count, valid, _)) in per_size {
        assert!(valid > 0 && valid < count);
    }
}
