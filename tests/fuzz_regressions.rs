//! Regressions from hostile-input testing (`fuzz/`, see `fuzz/README.md`). A crash the fuzzers
//! find becomes a test here with its minimised input.
//!
//! No fuzz target has crashed so far. The first two tests are costs found while reviewing the
//! input paths for the fuzzers: work quadratic in the size of one input, before anything is
//! verified (fixed in f63fc4c). Each compares the hostile input with an input of the same shape
//! that takes the linear path, so the bound holds in debug and release builds alike. The third is
//! a jose difference that fix introduced (crit problems must be reported in array order), since
//! fixed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::time::{Duration, Instant};

use edge_jwt::base64url::encode;
use edge_jwt::{KeySet, UntrustedToken};

/// The fastest of three runs of `f`.
fn fastest(f: impl Fn()) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .min()
        .unwrap()
}

/// `hostile` may cost at most 20 times `baseline` (plus 5 ms of noise).
fn assert_linear(what: &str, hostile: Duration, baseline: Duration) {
    assert!(
        hostile <= baseline * 20 + Duration::from_millis(5),
        "{what}: {hostile:?}, against {baseline:?} for an input of the same size"
    );
}

/// A protected header with `members` junk members and `crit` listing `b64` `crits` times (each
/// entry is recognised, so none stops the loop), with `b64` itself first. `validate_crit` ran
/// `header.contains_key(name)` for every entry, a reverse linear scan over every member: members x
/// entries string comparisons. A 240 KB token (under `MAX_TOKEN_BYTES`) took 100-150 ms in a
/// native release build, against about 1 ms for a header of the same size, before any key or
/// signature is looked at. Fixed in f63fc4c (each distinct name checked once). The baseline has
/// the same members and the same array under another name, so only the `crit` work differs.
#[test]
#[cfg_attr(
    target_arch = "wasm32",
    ignore = "timed, and wasm32-unknown-unknown has no clock"
)]
fn crit_with_many_repeated_names_costs_linear_time() {
    let (members, crits) = (10_000, 14_000);
    let header = |array_name: &str| {
        let mut header = String::from("{\"b64\":true");
        for i in 0..members {
            header.push_str(&format!(",\"m{i:x}\":0"));
        }
        header.push_str(&format!(",\"alg\":\"HS256\",\"{array_name}\":["));
        header.push_str(&vec!["\"b64\""; crits].join(","));
        header.push(']');
        if array_name != "crit" {
            header.push_str(",\"crit\":[\"b64\"]");
        }
        header.push('}');
        format!("{}.e30.AAAA", encode(header.as_bytes()))
    };
    let (hostile, baseline) = (header("crit"), header("x"));
    assert!(UntrustedToken::parse(&hostile, &[]).is_ok());
    assert!(UntrustedToken::parse(&baseline, &[]).is_ok());
    assert_linear(
        "a header with 14000 crit entries and 10000 members",
        fastest(|| drop(UntrustedToken::parse(&hostile, &[]))),
        fastest(|| drop(UntrustedToken::parse(&baseline, &[]))),
    );
}

/// One JWK whose `key_ops` holds `n` distinct strings. `usable_for_verify` checked uniqueness by
/// comparing each entry with every earlier one: n²/2 comparisons. With n = 28000 (a 190 KB key
/// set, under `MAX_JWKS_BYTES`) `KeySet::from_json` took 2.3 s in a native release build: a key
/// set from a compromised or misconfigured JWKS endpoint (or any `createLocalJWKSet` input) cost
/// seconds of CPU on every parse, far past a Workers CPU limit. Fixed in f63fc4c (a set). n = 8000
/// keeps the test short; the baseline holds the same array under a member nobody reads.
#[test]
#[cfg_attr(
    target_arch = "wasm32",
    ignore = "timed, and wasm32-unknown-unknown has no clock"
)]
fn key_ops_with_many_entries_costs_linear_time() {
    let ops: Vec<String> = (0..8_000).map(|i| format!("\"{i:x}\"")).collect();
    let key = |name: &str| {
        format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","{name}":[{}]}}]}}"#,
            ops.join(",")
        )
    };
    let (hostile, baseline) = (key("key_ops"), key("x5u_"));
    assert!(KeySet::from_json(hostile.as_bytes()).is_ok());
    assert!(KeySet::from_json(baseline.as_bytes()).is_ok());
    assert_linear(
        "a JWK with 8000 key_ops",
        fastest(|| drop(KeySet::from_json(hostile.as_bytes()))),
        fastest(|| drop(KeySet::from_json(baseline.as_bytes()))),
    );
}

/// `crit` problems are reported in array order, as jose does (`validateCrit` walks the array):
/// with `["zzz","b64"]` and no `b64` member, the first problem is the unknown `zzz`
/// (`ERR_JOSE_NOT_SUPPORTED`), not the missing `b64` (`ERR_JWS_INVALID`). f63fc4c walks the
/// distinct names in sorted order instead, so `b64` comes first and the code is `ERR_JWS_INVALID`
/// (checked against jose 6.2.17: `ERR_JOSE_NOT_SUPPORTED`).
///
/// Fix: keep the array order and skip names already checked, e.g. `let mut seen =
/// BTreeSet::new(); for name in &names { if !seen.insert(name.as_str()) { continue; } ... }`.
#[test]
fn crit_problems_are_reported_in_array_order() {
    let code = |header: &str| {
        let token = format!("{}.e30.AAAA", encode(header.as_bytes()));
        UntrustedToken::parse(&token, &[]).unwrap_err().code()
    };
    assert_eq!(
        code(r#"{"alg":"HS256","crit":["zzz","b64"]}"#),
        "ERR_JOSE_NOT_SUPPORTED"
    );
    assert_eq!(
        code(r#"{"alg":"HS256","crit":["b64","zzz"]}"#),
        "ERR_JWS_INVALID"
    );
}
