//! Project Wycheproof's test vectors (`tests/vectors/wycheproof/`, copied from C2SP/wycheproof,
//! Apache-2.0; see the README there) run through the crate: the signature files through the
//! primitives (`crypto::{ecdsa, eddsa, rsa}::public_key` from the group's JWK, then
//! `crypto::verify`), and `json_web_signature_test.json` through `verify_token`.
//!
//! A `valid` case must verify and an `invalid` one must not; `acceptable` cases are recorded either
//! way. Each test walks its files in full and fails at the end with every mismatch (file, tcId,
//! comment, flags, what happened). The few cases where this library departs from Wycheproof's
//! verdict on purpose, or where Wycheproof's data is wrong, are listed in [`DIFFERENCES`] with the
//! reason, and must keep giving exactly the outcome listed there. RSA keys under 2048 bits are
//! refused by design and counted apart. `cargo test --test wycheproof -- --nocapture` prints a
//! summary per file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::as_conversions,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::string_slice,
    missing_docs
)]

use edge_jwt::alg::{Algorithm, Curve};
use edge_jwt::crypto::{self, ecdsa, eddsa, rsa, PublicKey};
use edge_jwt::json::{self, Object, Value};
use edge_jwt::{base64url, verify_token, Error, KeySet, VerifyOptions};

const JWT_INVALID: &str = "ERR_JWT_INVALID";
const JWS_INVALID: &str = "ERR_JWS_INVALID";
const NO_MATCHING_KEY: &str = "ERR_JWKS_NO_MATCHING_KEY";

/// What the library gives for a case listed in [`DIFFERENCES`].
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// It verifies.
    Verified,
    /// It fails with this error code.
    Code(&'static str),
}

/// A case whose Wycheproof verdict this library does not give, and why.
struct Difference {
    file: &'static str,
    tc_id: u64,
    expect: Expect,
    /// Why.
    reason: &'static str,
    /// A further check that the listed case still tests what it should.
    check: Check,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Check {
    None,
    /// The signature itself is sound: with `alg` removed from the group's key, the token verifies.
    VerifiesWithoutKeyAlg,
    /// What the case meant to send: `=` padding appended to segment `n` (0-based) is refused.
    PaddedSegmentRefused(usize),
}

const JWS_FILE: &str = "json_web_signature_test.json";
const SIGNATURE_FAILED: &str = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";

/// Deliberate differences (the first six) and errors in the Wycheproof data (the last two).
const DIFFERENCES: &[Difference] = &[
    Difference {
        file: JWS_FILE,
        tc_id: 346,
        expect: Expect::Code(NO_MATCHING_KEY),
        reason: "deliberate: RFC 7520 Figure 20 is a PS384 token, but the group's key says \
                 \"alg\":\"PS256\"; a key's alg must equal the token's (jose's key selection)",
        check: Check::VerifiesWithoutKeyAlg,
    },
    Difference {
        file: JWS_FILE,
        tc_id: 350,
        expect: Expect::Code(NO_MATCHING_KEY),
        reason: "deliberate: as tcId 346 (the key also has key_ops [\"verify\"])",
        check: Check::VerifiesWithoutKeyAlg,
    },
    Difference {
        file: JWS_FILE,
        tc_id: 347,
        expect: Expect::Code(NO_MATCHING_KEY),
        reason: "deliberate: RFC 7520 Figure 27 is an ES512 token, but the group's key says \
                 \"alg\":\"ES521\" (no such algorithm); a key's alg must equal the token's",
        check: Check::VerifiesWithoutKeyAlg,
    },
    Difference {
        file: JWS_FILE,
        tc_id: 351,
        expect: Expect::Code(NO_MATCHING_KEY),
        reason: "deliberate: as tcId 347 (the key also has key_ops [\"verify\"])",
        check: Check::VerifiesWithoutKeyAlg,
    },
    Difference {
        file: JWS_FILE,
        tc_id: 372,
        expect: Expect::Code(JWS_INVALID),
        reason: "deliberate: a '?' inserted in the header segment; Wycheproof accepts a decoder \
                 that skips it, base64url is strict here (README, security decisions)",
        check: Check::None,
    },
    Difference {
        file: JWS_FILE,
        tc_id: 373,
        expect: Expect::Code(SIGNATURE_FAILED),
        reason: "deliberate: a '?' inserted in the payload segment, with the MAC of the segment \
                 without it (tcId 357's); the MAC covers the segment as sent (as jose), and \
                 base64url is strict here",
        check: Check::None,
    },
    Difference {
        file: JWS_FILE,
        tc_id: 367,
        expect: Expect::Verified,
        reason:
            "Wycheproof data error: \"invalidBase64Padding\" is byte for byte the valid \
                 tcId 357 (commit bbbfa86 stripped a Python b'...' wrapper and the padding with it)",
        check: Check::PaddedSegmentRefused(2),
    },
    Difference {
        file: JWS_FILE,
        tc_id: 370,
        expect: Expect::Verified,
        reason: "Wycheproof data error: \"invalidBase64PaddingInPayload\" is byte for byte the \
                 valid tcId 357 (as tcId 367)",
        check: Check::PaddedSegmentRefused(1),
    },
];

/// The vector files, built into the test binary so that it also runs where there is no file
/// system (the wasm32 run of `scripts/test-wasm32.mjs`).
fn file_bytes(file: &str) -> &'static [u8] {
    match file {
        "ecdsa_secp256r1_sha256_p1363_test.json" => {
            include_bytes!("vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json")
        }
        "ecdsa_secp384r1_sha384_p1363_test.json" => {
            include_bytes!("vectors/wycheproof/ecdsa_secp384r1_sha384_p1363_test.json")
        }
        "ecdsa_secp521r1_sha512_p1363_test.json" => {
            include_bytes!("vectors/wycheproof/ecdsa_secp521r1_sha512_p1363_test.json")
        }
        "ed25519_test.json" => include_bytes!("vectors/wycheproof/ed25519_test.json"),
        "json_web_signature_test.json" => {
            include_bytes!("vectors/wycheproof/json_web_signature_test.json")
        }
        "rsa_pss_2048_sha256_mgf1_32_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json")
        }
        "rsa_pss_2048_sha384_mgf1_48_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_pss_2048_sha384_mgf1_48_test.json")
        }
        "rsa_pss_3072_sha256_mgf1_32_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_pss_3072_sha256_mgf1_32_test.json")
        }
        "rsa_pss_4096_sha256_mgf1_32_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_pss_4096_sha256_mgf1_32_test.json")
        }
        "rsa_pss_4096_sha384_mgf1_48_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_pss_4096_sha384_mgf1_48_test.json")
        }
        "rsa_pss_4096_sha512_mgf1_64_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_pss_4096_sha512_mgf1_64_test.json")
        }
        "rsa_pss_misc_test.json" => include_bytes!("vectors/wycheproof/rsa_pss_misc_test.json"),
        "rsa_signature_2048_sha256_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_2048_sha256_test.json")
        }
        "rsa_signature_2048_sha384_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_2048_sha384_test.json")
        }
        "rsa_signature_2048_sha512_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_2048_sha512_test.json")
        }
        "rsa_signature_3072_sha256_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_3072_sha256_test.json")
        }
        "rsa_signature_3072_sha384_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_3072_sha384_test.json")
        }
        "rsa_signature_3072_sha512_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_3072_sha512_test.json")
        }
        "rsa_signature_4096_sha256_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_4096_sha256_test.json")
        }
        "rsa_signature_4096_sha384_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_4096_sha384_test.json")
        }
        "rsa_signature_4096_sha512_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_4096_sha512_test.json")
        }
        "rsa_signature_8192_sha256_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_8192_sha256_test.json")
        }
        "rsa_signature_8192_sha384_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_8192_sha384_test.json")
        }
        "rsa_signature_8192_sha512_test.json" => {
            include_bytes!("vectors/wycheproof/rsa_signature_8192_sha512_test.json")
        }
        other => panic!("{other} is not one of the vector files"),
    }
}

fn load(file: &str) -> Object {
    json::parse_object(file_bytes(file)).unwrap_or_else(|err| panic!("{file}: {err}"))
}

fn array<'a>(object: &'a Object, name: &str) -> &'a [Value] {
    object
        .get(name)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no {name:?} array"))
}

fn str_of<'a>(object: &'a Object, name: &str) -> &'a str {
    object
        .get_str(name)
        .unwrap_or_else(|| panic!("no {name:?} string"))
}

fn object_of<'a>(object: &'a Object, name: &str) -> &'a Object {
    object
        .get(name)
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("no {name:?} object"))
}

/// The groups of a file, each with its tests.
fn groups(doc: &Object) -> impl Iterator<Item = (&Object, Vec<&Object>)> {
    array(doc, "testGroups").iter().map(|group| {
        let group = group.as_object().unwrap();
        let tests = array(group, "tests")
            .iter()
            .map(|t| t.as_object().unwrap())
            .collect();
        (group, tests)
    })
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex length: {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// A base64url JWK member, decoded with the crate's own (strict) decoder.
fn jwk_bytes(jwk: &Object, name: &str) -> Vec<u8> {
    base64url::decode_str(str_of(jwk, name)).unwrap()
}

/// What the library did with one case.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Verified,
    /// Refused, with the error code and message.
    Rejected(&'static str, String),
}

impl Outcome {
    fn of(result: Result<(), Error>) -> Self {
        match result {
            Ok(()) => Self::Verified,
            Err(err) => Self::Rejected(err.code(), err.message().to_owned()),
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Verified => "verified".to_owned(),
            Self::Rejected(code, message) => format!("rejected: {code} {message}"),
        }
    }
}

/// Counts and notes for one file.
#[derive(Debug)]
struct Tally {
    file: &'static str,
    total: usize,
    passed: usize,
    acceptable: Vec<String>,
    /// `valid` cases refused because the RSA key is under 2048 bits, as designed.
    weak_keys: Vec<u64>,
    /// Cases listed in [`DIFFERENCES`] that gave the listed outcome.
    differences: Vec<u64>,
    mismatches: Vec<String>,
    /// Failed checks beyond the verdicts (not counted among the cases).
    other_failures: Vec<String>,
}

impl Tally {
    fn new(file: &'static str) -> Self {
        Self {
            file,
            total: 0,
            passed: 0,
            acceptable: Vec::new(),
            weak_keys: Vec::new(),
            differences: Vec::new(),
            mismatches: Vec::new(),
            other_failures: Vec::new(),
        }
    }

    /// Records `outcome` for `test`; `weak_key` says the key is an RSA key under 2048 bits.
    fn record(&mut self, test: &Object, outcome: &Outcome, weak_key: bool) {
        self.total += 1;
        let tc_id = test.get("tcId").and_then(Value::as_f64).unwrap() as u64;
        let result = str_of(test, "result");
        let flags: Vec<&str> = array(test, "flags")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let case = || {
            format!(
                "{} tcId {tc_id} ({result}; comment {:?}; flags {flags:?})",
                self.file,
                str_of(test, "comment")
            )
        };
        if let Some(d) = DIFFERENCES
            .iter()
            .find(|d| d.file == self.file && d.tc_id == tc_id)
        {
            match (d.expect, outcome) {
                (Expect::Verified, Outcome::Verified) => self.differences.push(tc_id),
                (Expect::Code(want), Outcome::Rejected(code, _)) if want == *code => {
                    self.differences.push(tc_id);
                }
                (expect, other) => self.mismatches.push(format!(
                    "{}: listed as a known difference ({expect:?}: {}) but {}",
                    case(),
                    d.reason,
                    other.describe()
                )),
            }
            return;
        }
        match (result, outcome) {
            ("acceptable", outcome) => self.acceptable.push(format!(
                "tcId {tc_id} {flags:?} {}",
                match outcome {
                    Outcome::Verified => "verified".to_owned(),
                    Outcome::Rejected(code, _) => format!("rejected ({code})"),
                }
            )),
            ("valid", Outcome::Verified) | ("invalid", Outcome::Rejected(..)) => self.passed += 1,
            ("valid", Outcome::Rejected(..)) if weak_key => self.weak_keys.push(tc_id),
            (_, outcome) => self
                .mismatches
                .push(format!("{}: {}", case(), outcome.describe())),
        }
    }

    fn summary(&self) -> String {
        let mut line = format!(
            "{}: passed {} of {} ({} acceptable{}{})",
            self.file,
            self.passed,
            self.total,
            self.acceptable.len(),
            if self.acceptable.is_empty() {
                String::new()
            } else {
                format!(": {}", self.acceptable.join("; "))
            },
            if self.weak_keys.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} refused for an RSA key under 2048 bits, by design",
                    self.weak_keys.len()
                )
            }
        );
        if !self.differences.is_empty() {
            line.push_str(&format!(
                "; {} known differences: tcId {:?}",
                self.differences.len(),
                self.differences
            ));
        }
        if !self.mismatches.is_empty() {
            line.push_str(&format!("; {} MISMATCHES", self.mismatches.len()));
        }
        line
    }
}

/// Prints every summary, then fails with every mismatch.
fn report(tallies: &[Tally]) {
    for tally in tallies {
        println!("{}", tally.summary());
        assert_eq!(
            tally.total,
            tally.passed
                + tally.acceptable.len()
                + tally.weak_keys.len()
                + tally.differences.len()
                + tally.mismatches.len()
        );
    }
    let mismatches: Vec<&String> = tallies
        .iter()
        .flat_map(|t| t.mismatches.iter().chain(&t.other_failures))
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// One group's key (or why it was refused) and whether it is an RSA key under 2048 bits.
fn key_outcome(key: Result<PublicKey, Error>) -> (Result<PublicKey, Outcome>, bool) {
    match key {
        Ok(key) => {
            let weak = matches!(&key, PublicKey::Rsa(k) if k.bits() < rsa::MIN_MODULUS_BITS);
            (Ok(key), weak)
        }
        Err(err) => (
            Err(Outcome::Rejected(
                err.code(),
                format!("the key was refused: {}", err.message()),
            )),
            false,
        ),
    }
}

/// Every case of a signature file: the group's key from `key_of`, each test's `msg` and `sig`
/// through `crypto::verify` with `alg`.
fn run_signature_file(
    file: &'static str,
    alg: Algorithm,
    hash_name: Option<&str>,
    key_of: impl Fn(&Object) -> Result<PublicKey, Error>,
) -> Tally {
    let doc = load(file);
    let mut tally = Tally::new(file);
    for (group, tests) in groups(&doc) {
        if let Some(hash_name) = hash_name {
            assert_eq!(str_of(group, "sha"), hash_name, "{file}: group hash");
        }
        let (key, weak) = key_outcome(key_of(group));
        for test in tests {
            let outcome = match &key {
                Err(refused) => refused.clone(),
                Ok(key) => Outcome::of(crypto::verify(
                    alg,
                    key,
                    &hex(str_of(test, "msg")),
                    &hex(str_of(test, "sig")),
                )),
            };
            tally.record(test, &outcome, weak);
        }
    }
    tally
}

/// An ECDSA key from the group's JWK, or, for the few groups without one, from the uncompressed
/// point `04 || x || y` in `publicKey`.
fn ecdsa_key(curve: Curve) -> impl Fn(&Object) -> Result<PublicKey, Error> {
    move |group| {
        let (x, y) = match group.get("publicKeyJwk").and_then(Value::as_object) {
            Some(jwk) => {
                assert_eq!(str_of(jwk, "crv"), curve.jwk_name());
                (jwk_bytes(jwk, "x"), jwk_bytes(jwk, "y"))
            }
            None => {
                let point = hex(str_of(object_of(group, "publicKey"), "uncompressed"));
                assert_eq!(point.len(), 1 + 2 * curve.scalar_len());
                assert_eq!(point[0], 4, "an uncompressed point");
                let (x, y) = point[1..].split_at(curve.scalar_len());
                (x.to_vec(), y.to_vec())
            }
        };
        ecdsa::public_key(curve, &x, &y).map(PublicKey::Ec)
    }
}

/// An RSA key from the group's JWK (`keyJwk` in the PKCS #1 files, `publicKeyJwk` in the PSS ones).
fn rsa_key(member: &'static str) -> impl Fn(&Object) -> Result<PublicKey, Error> {
    move |group| {
        let jwk = object_of(group, member);
        rsa::public_key(&jwk_bytes(jwk, "n"), &jwk_bytes(jwk, "e")).map(PublicKey::Rsa)
    }
}

#[test]
fn ecdsa_p1363() {
    let tallies = [
        run_signature_file(
            "ecdsa_secp256r1_sha256_p1363_test.json",
            Algorithm::Es256,
            Some("SHA-256"),
            ecdsa_key(Curve::P256),
        ),
        run_signature_file(
            "ecdsa_secp384r1_sha384_p1363_test.json",
            Algorithm::Es384,
            Some("SHA-384"),
            ecdsa_key(Curve::P384),
        ),
        run_signature_file(
            "ecdsa_secp521r1_sha512_p1363_test.json",
            Algorithm::Es512,
            Some("SHA-512"),
            ecdsa_key(Curve::P521),
        ),
    ];
    report(&tallies);
}

#[test]
fn ed25519() {
    let key_of = |group: &Object| {
        let jwk = object_of(group, "publicKeyJwk");
        assert_eq!(str_of(jwk, "crv"), "Ed25519");
        eddsa::public_key(&jwk_bytes(jwk, "x")).map(PublicKey::Ed25519)
    };
    let eddsa = run_signature_file("ed25519_test.json", Algorithm::EdDsa, None, key_of);
    // The RFC 9864 name runs the same check: it must give the same answers.
    let ed25519 = run_signature_file("ed25519_test.json", Algorithm::Ed25519, None, key_of);
    assert_eq!(
        (eddsa.passed, &eddsa.acceptable, &eddsa.mismatches),
        (ed25519.passed, &ed25519.acceptable, &ed25519.mismatches)
    );
    report(&[eddsa]);
}

#[test]
fn rsa_pkcs1_v1_5() {
    let files: [(&'static str, Algorithm, &str); 12] = [
        (
            "rsa_signature_2048_sha256_test.json",
            Algorithm::Rs256,
            "SHA-256",
        ),
        (
            "rsa_signature_2048_sha384_test.json",
            Algorithm::Rs384,
            "SHA-384",
        ),
        (
            "rsa_signature_2048_sha512_test.json",
            Algorithm::Rs512,
            "SHA-512",
        ),
        (
            "rsa_signature_3072_sha256_test.json",
            Algorithm::Rs256,
            "SHA-256",
        ),
        (
            "rsa_signature_3072_sha384_test.json",
            Algorithm::Rs384,
            "SHA-384",
        ),
        (
            "rsa_signature_3072_sha512_test.json",
            Algorithm::Rs512,
            "SHA-512",
        ),
        (
            "rsa_signature_4096_sha256_test.json",
            Algorithm::Rs256,
            "SHA-256",
        ),
        (
            "rsa_signature_4096_sha384_test.json",
            Algorithm::Rs384,
            "SHA-384",
        ),
        (
            "rsa_signature_4096_sha512_test.json",
            Algorithm::Rs512,
            "SHA-512",
        ),
        (
            "rsa_signature_8192_sha256_test.json",
            Algorithm::Rs256,
            "SHA-256",
        ),
        (
            "rsa_signature_8192_sha384_test.json",
            Algorithm::Rs384,
            "SHA-384",
        ),
        (
            "rsa_signature_8192_sha512_test.json",
            Algorithm::Rs512,
            "SHA-512",
        ),
    ];
    let tallies: Vec<Tally> = files
        .into_iter()
        .map(|(file, alg, hash)| run_signature_file(file, alg, Some(hash), rsa_key("keyJwk")))
        .collect();
    report(&tallies);
}

#[test]
fn rsa_pss() {
    // Only files whose salt length equals the hash length, with MGF1 over the same hash: the
    // only PSS parameters JWS (RFC 7518 §3.5) and this library use.
    let files: [(&'static str, Algorithm, &str, f64); 6] = [
        (
            "rsa_pss_2048_sha256_mgf1_32_test.json",
            Algorithm::Ps256,
            "SHA-256",
            32.0,
        ),
        (
            "rsa_pss_2048_sha384_mgf1_48_test.json",
            Algorithm::Ps384,
            "SHA-384",
            48.0,
        ),
        (
            "rsa_pss_3072_sha256_mgf1_32_test.json",
            Algorithm::Ps256,
            "SHA-256",
            32.0,
        ),
        (
            "rsa_pss_4096_sha256_mgf1_32_test.json",
            Algorithm::Ps256,
            "SHA-256",
            32.0,
        ),
        (
            "rsa_pss_4096_sha384_mgf1_48_test.json",
            Algorithm::Ps384,
            "SHA-384",
            48.0,
        ),
        (
            "rsa_pss_4096_sha512_mgf1_64_test.json",
            Algorithm::Ps512,
            "SHA-512",
            64.0,
        ),
    ];
    let tallies: Vec<Tally> = files
        .into_iter()
        .map(|(file, alg, hash, salt)| {
            for (group, _) in groups(&load(file)) {
                assert_eq!(str_of(group, "mgf"), "MGF1", "{file}");
                assert_eq!(str_of(group, "mgfSha"), hash, "{file}");
                assert_eq!(
                    group.get("sLen").and_then(Value::as_f64),
                    Some(salt),
                    "{file}"
                );
            }
            run_signature_file(file, alg, Some(hash), rsa_key("publicKeyJwk"))
        })
        .collect();
    report(&tallies);
}

/// `rsa_pss_misc_test.json`: one valid signature for each combination of hash (SHA-1, -224, -256,
/// -384, -512), MGF1 hash and salt length (0, 20, 28, 32, 48, 64), 2048-bit keys. Each is checked
/// as PS256, PS384 and PS512: it must verify exactly when its parameters are the algorithm's (the
/// hash, MGF1 over the same hash, a salt as long as the hash), and be refused otherwise.
#[test]
fn rsa_pss_misc() {
    let file = "rsa_pss_misc_test.json";
    let doc = load(file);
    let (mut verified, mut refused, mut failures) = (0usize, 0usize, Vec::new());
    for (group, tests) in groups(&doc) {
        assert_eq!(str_of(group, "mgf"), "MGF1", "{file}");
        let public = object_of(group, "publicKey");
        let key = rsa::public_key(
            &hex(str_of(public, "modulus")),
            &hex(str_of(public, "publicExponent")),
        )
        .map(PublicKey::Rsa)
        .unwrap();
        let (sha, mgf_sha) = (str_of(group, "sha"), str_of(group, "mgfSha"));
        let salt = group.get("sLen").and_then(Value::as_f64).unwrap();
        for test in tests {
            assert_eq!(
                str_of(test, "result"),
                "valid",
                "{file}: every case is a valid signature"
            );
            let (msg, sig) = (hex(str_of(test, "msg")), hex(str_of(test, "sig")));
            for (alg, hash, hash_len) in [
                (Algorithm::Ps256, "SHA-256", 32.0),
                (Algorithm::Ps384, "SHA-384", 48.0),
                (Algorithm::Ps512, "SHA-512", 64.0),
            ] {
                let expected = sha == hash && mgf_sha == hash && salt == hash_len;
                let ours = crypto::verify(alg, &key, &msg, &sig).is_ok();
                if ours == expected {
                    if ours {
                        verified += 1;
                    } else {
                        refused += 1;
                    }
                } else {
                    failures.push(format!(
                        "{file} tcId {}: {sha}, MGF1 {mgf_sha}, salt {salt} as {alg}: expected {expected}, got {ours}",
                        group_test_id(test)
                    ));
                }
            }
        }
    }
    println!(
        "{file}: {verified} verified with their own parameters, {refused} refused under the others"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!((verified, refused), (3, 447));
}

fn group_test_id(test: &Object) -> String {
    test.get("tcId")
        .and_then(Value::as_f64)
        .map_or_else(|| "?".to_owned(), |id| id.to_string())
}

/// A key set holding `jwk` alone.
fn key_set(jwk: &Object) -> KeySet {
    let mut set = Object::default();
    set.insert(
        "keys".into(),
        Value::Array(vec![Value::Object(jwk.clone())]),
    );
    KeySet::from_object(&set).unwrap()
}

/// `jwk` without its `alg` member.
fn without_alg(jwk: &Object) -> Object {
    let mut out = Object::default();
    for (name, value) in jwk.iter().filter(|(name, _)| *name != "alg") {
        out.insert(name.to_owned(), value.clone());
    }
    out
}

/// A JWS through `verify_token`: the signature verified when the result is a token, or
/// `ERR_JWT_INVALID` (raised only after the signature verified, when the payload is not a JSON
/// object, as for Wycheproof's `foo` payloads).
fn jws_outcome(jws: &str, keys: Option<&KeySet>, options: &VerifyOptions) -> Outcome {
    match verify_token(jws, keys, options) {
        Ok(_) => Outcome::Verified,
        Err(err) if err.code() == JWT_INVALID => Outcome::Verified,
        Err(err) => Outcome::Rejected(err.code(), err.message().to_owned()),
    }
}

/// Runs a difference's further check; `Some(what went wrong)` when it fails.
fn check_difference(
    check: Check,
    jws: &str,
    public: Option<&Object>,
    keys: Option<&KeySet>,
    options: &VerifyOptions,
) -> Option<String> {
    match check {
        Check::None => None,
        Check::VerifiesWithoutKeyAlg => {
            let relaxed = key_set(&without_alg(public?));
            let outcome = jws_outcome(jws, Some(&relaxed), options);
            (outcome != Outcome::Verified).then(|| {
                format!(
                    "with the key's alg removed it should verify, but {}",
                    outcome.describe()
                )
            })
        }
        Check::PaddedSegmentRefused(index) => {
            let mut segments: Vec<String> = jws.split('.').map(str::to_owned).collect();
            let segment = &mut segments[index];
            while segment.len() % 4 != 0 {
                segment.push('=');
            }
            let padded = segments.join(".");
            assert_ne!(padded, jws, "the segment needs padding");
            // Refused one way or another: a padded signature segment is not base64url, and a
            // padded payload segment is not the text the MAC covers.
            match jws_outcome(&padded, keys, options) {
                Outcome::Rejected(..) => None,
                Outcome::Verified => Some(format!(
                    "{padded} (segment {index} padded with '=') must be refused, but it verified"
                )),
            }
        }
    }
}

#[test]
fn json_web_signature() {
    let doc = load(JWS_FILE);
    let mut tally = Tally::new(JWS_FILE);
    for (group, tests) in groups(&doc) {
        // The public key as a one-key set; for HMAC groups (an `oct` private key only), the
        // secret as `options.secret`, since a key set never supplies a symmetric key.
        let public = group.get("public").and_then(Value::as_object);
        let keys = public.map(key_set);
        let mut options = VerifyOptions::at(0.0);
        options.secret = group
            .get("private")
            .and_then(Value::as_object)
            .filter(|jwk| jwk.get_str("kty") == Some("oct"))
            .map(|jwk| jwk_bytes(jwk, "k"));
        for test in tests {
            let jws = str_of(test, "jws");
            let outcome = jws_outcome(jws, keys.as_ref(), &options);
            tally.record(test, &outcome, false);
            let tc_id = test.get("tcId").and_then(Value::as_f64).unwrap() as u64;
            let listed = DIFFERENCES
                .iter()
                .find(|d| d.file == JWS_FILE && d.tc_id == tc_id);
            if let Some(failure) =
                listed.and_then(|d| check_difference(d.check, jws, public, keys.as_ref(), &options))
            {
                tally
                    .other_failures
                    .push(format!("{JWS_FILE} tcId {tc_id}: {failure}"));
            }
        }
    }
    for d in DIFFERENCES.iter().filter(|d| d.file == JWS_FILE) {
        println!("{JWS_FILE} tcId {}: {:?}, {}", d.tc_id, d.expect, d.reason);
    }
    report(&[tally]);
}
