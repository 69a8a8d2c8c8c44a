//! Facts the other languages hold too, checked equal: the error codes of `src/error.rs` against the
//! TypeScript and Python error classes, and the Rust limits and names the TypeScript and Python
//! layers repeat. The Rust side is the source; a change there without the same change in `js/` or
//! `python/edge_jwt/` fails here.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::arithmetic_side_effects,
    clippy::as_conversions,
    clippy::cast_precision_loss,
    missing_docs
)]

use std::collections::BTreeSet;
use std::path::Path;

use edge_jwt::crypto::rsa::MIN_MODULUS_BITS;
use edge_jwt::error::CODES;
use edge_jwt::jwks::MAX_JWKS_BYTES;
use edge_jwt::remote::MAX_RETRY_INTERVAL_MS;
use edge_jwt::session_cookie::{
    CLOCK_TOLERANCE_SECONDS, SESSION_CACHE_AUDIENCE, SESSION_CACHE_TYP,
};

fn source(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("reading {}: {e}", full.display()))
}

/// The text between `start` (which must occur once) and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    assert_eq!(text.matches(start).count(), 1, "{start:?} occurs once");
    let from = text.find(start).map(|i| i + start.len()).unwrap();
    until(&text[from..], end)
}

/// The text before the first `end`.
fn until<'a>(text: &'a str, end: &str) -> &'a str {
    let len = text
        .find(end)
        .unwrap_or_else(|| panic!("{end:?} in {text:?}"));
    &text[..len]
}

/// Every single-quoted `ERR_…` literal in `text`.
fn codes_in(text: &str) -> BTreeSet<String> {
    text.split('\'')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("ERR_"))
        .map(str::to_owned)
        .collect()
}

/// The value of `const NAME = <integer literals joined by *>;` in a TypeScript source.
fn ts_integer(text: &str, name: &str) -> u64 {
    let expr = between(text, &format!("\nconst {name} = "), ";");
    expr.split('*')
        .map(|factor| factor.trim().replace('_', "").parse::<u64>())
        .product::<Result<u64, _>>()
        .unwrap_or_else(|e| panic!("{name} = {expr}: {e}"))
}

fn rust_codes() -> BTreeSet<String> {
    CODES.iter().map(|&c| c.to_owned()).collect()
}

#[test]
#[cfg_attr(
    target_arch = "wasm32",
    ignore = "reads the TypeScript sources from disk, which a wasm32 test cannot"
)]
fn the_code_union_has_every_rust_code_and_the_base_code() {
    let errors = source("js/errors.ts");
    let union = codes_in(between(&errors, "export type JOSEErrorCode =", ";"));
    let mut expected = rust_codes();
    expected.insert("ERR_JOSE_GENERIC".to_owned());
    assert_eq!(union, expected);
}

#[test]
#[cfg_attr(
    target_arch = "wasm32",
    ignore = "reads the TypeScript sources from disk, which a wasm32 test cannot"
)]
fn every_rust_code_has_exactly_one_error_class() {
    let errors = source("js/errors.ts");
    // A class states its code once: `defineError('Name', 'CODE')` or `static override code`.
    let mut declared = Vec::new();
    for piece in errors.split("defineError(").skip(1) {
        declared.extend(codes_in(until(piece, ")")));
    }
    for piece in errors
        .split("static override code: JOSEErrorCode = ")
        .skip(1)
    {
        declared.extend(codes_in(until(piece, ";")));
    }
    let unique: BTreeSet<String> = declared.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        declared.len(),
        "one class per code: {declared:?}"
    );
    assert_eq!(unique, rust_codes());
}

#[test]
#[cfg_attr(
    target_arch = "wasm32",
    ignore = "reads the TypeScript sources from disk, which a wasm32 test cannot"
)]
fn failure_maps_every_rust_code_to_its_class() {
    let errors = source("js/errors.ts");
    let failure = source("js/failure.ts");
    // The classes in `byCode`, by name, then each name's code in js/errors.ts.
    let table = between(&failure, "Object.fromEntries(", "].map(");
    let mut mapped = BTreeSet::new();
    for name in table.split("errors.").skip(1) {
        let name = name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap();
        let code = match errors.find(&format!("export const {name} = defineError(")) {
            Some(at) => codes_in(until(&errors[at..], ")")),
            None => {
                let class = between(&errors, &format!("export class {name} extends"), "\n}");
                codes_in(between(
                    class,
                    "static override code: JOSEErrorCode = ",
                    ";",
                ))
            }
        };
        assert_eq!(code.len(), 1, "{name} has one code");
        mapped.extend(code);
    }
    // The two claim errors are built apart from the table (they carry claim, reason, payload).
    let claims = between(&failure, "function toJoseError", "const Cls = byCode");
    let special = codes_in(claims);
    assert!(mapped.is_disjoint(&special));
    mapped.extend(special);
    assert_eq!(mapped, rust_codes());
}

#[test]
#[cfg_attr(
    target_arch = "wasm32",
    ignore = "reads the TypeScript sources from disk, which a wasm32 test cannot"
)]
fn remote_limits_equal_the_rust_ones() {
    let remote = source("js/remote.ts");
    assert_eq!(
        ts_integer(&remote, "MAX_BODY_BYTES"),
        u64::try_from(MAX_JWKS_BYTES).unwrap()
    );
    assert_eq!(
        ts_integer(&remote, "MAX_RETRY_INTERVAL_MS") as f64,
        MAX_RETRY_INTERVAL_MS
    );
}

#[test]
#[cfg_attr(
    target_arch = "wasm32",
    ignore = "reads the TypeScript sources from disk, which a wasm32 test cannot"
)]
fn session_cache_facts_equal_the_rust_ones() {
    let session = source("js/session.ts");
    let options = between(&session, "await verifyToken(data, options.jwks, {", "}");
    assert!(options.contains(&format!("typ: '{SESSION_CACHE_TYP}',")));
    assert!(options.contains(&format!("audience: '{SESSION_CACHE_AUDIENCE}',")));
    assert!(options.contains(&format!("clockTolerance: {CLOCK_TOLERANCE_SECONDS},")));
    let gate = source("js/gate.ts");
    assert_eq!(
        between(&gate, "\nconst SESSION_CACHE_TYP = ", ";"),
        format!("'{SESSION_CACHE_TYP}'")
    );
    assert_eq!(
        between(&gate, "\nconst SESSION_CACHE_AUDIENCE = ", ";"),
        format!("'{SESSION_CACHE_AUDIENCE}'")
    );
}

#[test]
#[cfg_attr(
    target_arch = "wasm32",
    ignore = "reads the TypeScript sources from disk, which a wasm32 test cannot"
)]
fn the_rsa_key_size_floor_equals_the_rust_one() {
    let key_forms = source("js/key-forms.ts");
    assert_eq!(
        ts_integer(&key_forms, "MIN_MODULUS_BITS"),
        u64::try_from(MIN_MODULUS_BITS).unwrap()
    );
}

/// The value of `NAME = <integer literals joined by *>` at the start of a line of Python.
fn py_integer(text: &str, name: &str) -> u64 {
    let expr = between(text, &format!("\n{name} = "), "\n");
    expr.split('*')
        .map(|factor| factor.trim().replace('_', "").parse::<u64>())
        .product::<Result<u64, _>>()
        .unwrap_or_else(|e| panic!("{name} = {expr}: {e}"))
}

#[test]
#[cfg_attr(
    target_arch = "wasm32",
    ignore = "reads the Python sources from disk, which a wasm32 test cannot"
)]
fn python_facts_equal_the_rust_ones() {
    let remote = source("python/edge_jwt/remote.py");
    assert_eq!(
        py_integer(&remote, "MAX_BODY_BYTES"),
        u64::try_from(MAX_JWKS_BYTES).unwrap()
    );
    let better_auth = source("python/edge_jwt/better_auth.py");
    assert_eq!(
        between(&better_auth, "\nSESSION_CACHE_TYP = ", "\n"),
        format!("\"{SESSION_CACHE_TYP}\"")
    );
    assert_eq!(
        between(&better_auth, "\nSESSION_CACHE_AUDIENCE = ", "\n"),
        format!("\"{SESSION_CACHE_AUDIENCE}\"")
    );
    // One class per code: `code = "ERR_..."`, plus the base class's ERR_JOSE_GENERIC.
    let errors = source("python/edge_jwt/errors.py");
    let declared: Vec<String> = errors
        .split("code = \"")
        .chain(errors.split("code: ClassVar[str] = \""))
        .skip(1)
        .filter_map(|piece| piece.split('"').next())
        .filter(|code| code.starts_with("ERR_"))
        .map(str::to_owned)
        .collect();
    let unique: BTreeSet<String> = declared.iter().cloned().collect();
    let mut expected = rust_codes();
    expected.insert("ERR_JOSE_GENERIC".to_owned());
    assert_eq!(unique, expected);
}
