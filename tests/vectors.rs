//! The verifier against fixed vectors: tokens jose 6.2.17 signed for every algorithm
//! (`tests/vectors/jose.json`) and the examples of RFC 7515, RFC 7520 and RFC 8037
//! (`tests/vectors/rfc.json`); see `tests/vectors/README.md`.
//!
//! Each test walks every vector and collects every mismatch before failing, so one run reports
//! all of them, each with the vector's name, what was done and what came back.
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

use common::{
    all_vectors, b64url_decode, file_source, flip_positions, jose_vectors, object_diff, parse,
    rfc_vectors, segments, Vector, JOSE_JSON, RFC_JSON,
};
use edge_jwt::json::{JsString, Value};
use edge_jwt::{verify_token, ClaimOptions, Error, KeySet, VerifiedToken, VerifyOptions};

const JWS_INVALID: &str = "ERR_JWS_INVALID";
const JWT_INVALID: &str = "ERR_JWT_INVALID";
const ALG_NOT_ALLOWED: &str = "ERR_JOSE_ALG_NOT_ALLOWED";
const NOT_SUPPORTED: &str = "ERR_JOSE_NOT_SUPPORTED";
const NO_MATCHING_KEY: &str = "ERR_JWKS_NO_MATCHING_KEY";
const SIGNATURE_FAILED: &str = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
const EXPIRED: &str = "ERR_JWT_EXPIRED";
const CLAIM_FAILED: &str = "ERR_JWT_CLAIM_VALIDATION_FAILED";

/// Collects mismatches; panics with all of them at the end.
#[derive(Debug, Default)]
struct Failures(Vec<String>);

impl Failures {
    fn push(&mut self, message: String) {
        self.0.push(message);
    }

    fn check(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.0.push(message());
        }
    }

    /// `result` must be an error with one of `codes`.
    fn expect_code(
        &mut self,
        result: &Result<VerifiedToken, Error>,
        codes: &[&str],
        what: impl FnOnce() -> String,
    ) {
        match result {
            Err(err) if codes.contains(&err.code()) => {}
            other => self.0.push(format!(
                "{}: expected {}, got {}",
                what(),
                codes.join(" or "),
                describe(other)
            )),
        }
    }

    /// `result` must be a claim error with this code, claim and reason.
    fn expect_claim(
        &mut self,
        result: &Result<VerifiedToken, Error>,
        code: &str,
        claim: &str,
        reason: &str,
        what: impl FnOnce() -> String,
    ) {
        let ok = matches!(result, Err(err)
            if err.code() == code
                && err.claim().is_some_and(|c| c.is(claim))
                && err.reason().map(|r| r.as_str()) == Some(reason));
        if !ok {
            self.0.push(format!(
                "{}: expected {code} claim {claim:?} reason {reason:?}, got {}",
                what(),
                describe(result)
            ));
        }
    }

    fn expect_ok(&mut self, result: &Result<VerifiedToken, Error>, what: impl FnOnce() -> String) {
        if result.is_err() {
            self.0.push(format!(
                "{}: expected to verify, got {}",
                what(),
                describe(result)
            ));
        }
    }

    fn finish(self, test: &str) {
        assert!(
            self.0.is_empty(),
            "{test}: {} failure(s):\n  {}",
            self.0.len(),
            self.0.join("\n  ")
        );
    }
}

fn describe(result: &Result<VerifiedToken, Error>) -> String {
    match result {
        Ok(token) => format!("a verified {} token", token.algorithm().name()),
        Err(err) => format!(
            "{} (claim {:?}, reason {:?}): {err}",
            err.code(),
            err.claim(),
            err.reason().map(|r| r.as_str())
        ),
    }
}

/// The vector's own options: its `now` and its secret.
fn options(v: &Vector) -> VerifyOptions {
    let mut options = VerifyOptions::at(v.now);
    options.secret = v.secret.clone();
    options
}

fn verify_with(v: &Vector, token: &str, options: &VerifyOptions) -> Result<VerifiedToken, Error> {
    verify_token(token, v.keys.as_ref(), options)
}

/// The recorded outcome of `v` (verified, or its error code) must hold for `result`.
fn expect_recorded(
    failures: &mut Failures,
    v: &Vector,
    result: &Result<VerifiedToken, Error>,
    what: &str,
) {
    match &v.expect_error {
        None => failures.expect_ok(result, || format!("{} ({what})", v.name)),
        Some(code) => {
            failures.expect_code(result, &[code.as_str()], || format!("{} ({what})", v.name))
        }
    }
}

fn encode(bytes: &[u8]) -> String {
    edge_jwt::base64url::encode(bytes)
}

fn decoded_segment_text(segment: &str) -> String {
    String::from_utf8(b64url_decode(segment).expect("vector segments are base64url"))
        .expect("vector segments are UTF-8")
}

fn alg_names() -> Vec<&'static str> {
    vec![
        "EdDSA", "Ed25519", "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384",
        "PS512", "HS256", "HS384", "HS512",
    ]
}

#[test]
fn vector_files_are_complete_and_attributed() {
    let mut failures = Failures::default();

    let jose_source = file_source(JOSE_JSON);
    failures.check(
        jose_source.contains("generate-jose.mjs") && jose_source.contains("jose 6.2.17"),
        || format!("jose.json source does not name its generator and jose version: {jose_source}"),
    );
    let rfc_source = file_source(RFC_JSON);
    failures.check(rfc_source.contains("RFC"), || {
        format!("rfc.json source does not name the RFCs: {rfc_source}")
    });

    let jose = jose_vectors();
    failures.check(jose.len() == 15, || {
        format!("jose.json has {} vectors, expected 15", jose.len())
    });
    for alg in alg_names() {
        failures.check(jose.iter().any(|v| v.alg == alg), || {
            format!("jose.json has no {alg} vector")
        });
    }
    let rsa4096 = jose
        .iter()
        .find(|v| v.kid.as_deref() == Some("jose-RS256-4096"))
        .expect("jose.json has the RSA 4096 vector");
    let jwks = parse(rsa4096.jwks_json.as_deref().unwrap());
    let n = jwks
        .as_object()
        .unwrap()
        .get("keys")
        .unwrap()
        .as_array()
        .unwrap()[0]
        .as_object()
        .unwrap()
        .get_str("n")
        .unwrap()
        .to_owned();
    failures.check(b64url_decode(&n).unwrap().len() == 512, || {
        "jose-RS256-4096 does not hold a 4096-bit modulus".to_owned()
    });

    for v in &jose {
        failures.check(v.source.contains("jose 6.2.17"), || {
            format!(
                "{}: source {:?} does not name jose 6.2.17",
                v.name, v.source
            )
        });
        if v.is_hmac() {
            failures.check(v.secret.is_some() && v.keys.is_none(), || {
                format!("{}: an HS vector has a secret and no key set", v.name)
            });
            continue;
        }
        failures.check(v.secret.is_none() && v.keys.is_some(), || {
            format!(
                "{}: an asymmetric vector has a key set and no secret",
                v.name
            )
        });
        let jwks = parse(v.jwks_json.as_deref().unwrap());
        let key = jwks
            .as_object()
            .unwrap()
            .get("keys")
            .unwrap()
            .as_array()
            .unwrap()[0]
            .as_object()
            .unwrap()
            .clone();
        failures.check(
            key.get_str("kid") == v.kid.as_deref() && key.get_str("alg") == Some(v.alg.as_str()),
            || {
                format!(
                    "{}: the key does not carry the vector's kid and alg",
                    v.name
                )
            },
        );
        failures.check(key.get("d").is_none(), || {
            format!("{}: the key set holds a private key", v.name)
        });
    }

    let rfc = rfc_vectors();
    let expected = [
        ("rfc7515-a1", "HS256"),
        ("rfc7515-a2", "RS256"),
        ("rfc7515-a3", "ES256"),
        ("rfc7515-a4", "ES512"),
        ("rfc8037-a4", "EdDSA"),
        ("rfc7520-4.1", "RS256"),
        ("rfc7520-4.2", "PS384"),
        ("rfc7520-4.3", "ES512"),
        ("rfc7520-4.4", "HS256"),
    ];
    failures.check(rfc.len() == expected.len(), || {
        format!(
            "rfc.json has {} vectors, expected {}",
            rfc.len(),
            expected.len()
        )
    });
    for (name, alg) in expected {
        failures.check(rfc.iter().any(|v| v.name == name && v.alg == alg), || {
            format!("rfc.json has no {name} ({alg}) vector")
        });
    }
    for v in &rfc {
        failures.check(v.source.starts_with("RFC "), || {
            format!("{}: source {:?} does not name an RFC", v.name, v.source)
        });
        failures.check(v.secret.is_some() != v.keys.is_some(), || {
            format!("{}: needs exactly one of a secret and a key set", v.name)
        });
        // The recorded payload text is what the token signs (checks the vector, not the crate).
        if let Some(text) = &v.payload_text {
            let segment = segments(&v.token)[1];
            failures.check(&decoded_segment_text(segment) == text, || {
                format!("{}: payload_text is not the token's payload", v.name)
            });
        }
        failures.check(
            v.expect_error.is_none() || v.expect_error.as_deref() == Some(JWT_INVALID),
            || {
                format!(
                    "{}: RFC vectors either verify or are not claims sets",
                    v.name
                )
            },
        );
        failures.check(v.payload.is_some() == v.expect_error.is_none(), || {
            format!(
                "{}: a vector that verifies needs its claims, and only it",
                v.name
            )
        });
    }
    failures.finish("vector_files_are_complete_and_attributed");
}

#[test]
fn every_vector_verifies_or_gives_its_recorded_code() {
    let mut failures = Failures::default();
    for v in all_vectors() {
        let [header_segment, _, _] = segments(&v.token);
        let result = verify_with(&v, &v.token, &options(&v));
        expect_recorded(&mut failures, &v, &result, "as recorded");

        // The same with the algorithm allow-listed.
        let mut allowed = options(&v);
        allowed.algorithms = Some(vec![v.alg.as_str().into()]);
        let again = verify_with(&v, &v.token, &allowed);
        expect_recorded(&mut failures, &v, &again, "algorithms: [its alg]");

        match result {
            Ok(token) => {
                failures.check(token.algorithm().name() == v.alg, || {
                    format!("{}: algorithm() is {}", v.name, token.algorithm().name())
                });
                failures.check(
                    token.header().get_str("alg") == Some(v.alg.as_str()),
                    || {
                        format!(
                            "{}: header alg is {:?}",
                            v.name,
                            token.header().get_str("alg")
                        )
                    },
                );
                failures.check(token.header().get_str("kid") == v.kid.as_deref(), || {
                    format!(
                        "{}: header kid is {:?}",
                        v.name,
                        token.header().get_str("kid")
                    )
                });
                let expected = v.payload.as_ref().unwrap();
                for diff in object_diff(token.payload(), expected, "payload") {
                    failures.push(format!("{}: {diff}", v.name));
                }
                // The JSON texts parse to the same header and payload.
                match parse(token.payload_json()) {
                    Value::Object(payload) => {
                        for diff in object_diff(&payload, expected, "payload_json") {
                            failures.push(format!("{}: {diff}", v.name));
                        }
                    }
                    _ => failures.push(format!("{}: payload_json is not an object", v.name)),
                }
                let header_text = decoded_segment_text(header_segment);
                match (parse(token.header_json()), parse(&header_text)) {
                    (Value::Object(actual), Value::Object(expected)) => {
                        for diff in object_diff(&actual, &expected, "header_json") {
                            failures.push(format!("{}: {diff}", v.name));
                        }
                        for diff in object_diff(token.header(), &expected, "header") {
                            failures.push(format!("{}: {diff}", v.name));
                        }
                    }
                    _ => failures.push(format!("{}: header_json is not an object", v.name)),
                }
                // Spot checks of the unicode and nested members, through the accessors.
                if v.from_jose {
                    let payload = token.payload();
                    failures.check(
                        payload.get_str("name") == Some("Zoë Ångström — 東京 🚀"),
                        || format!("{}: name is {:?}", v.name, payload.get_str("name")),
                    );
                    let nested = payload
                        .get("https://example.com/claims")
                        .and_then(Value::as_object)
                        .and_then(|claims| claims.get("org"))
                        .and_then(Value::as_object)
                        .and_then(|org| org.get("id"))
                        .and_then(Value::as_f64);
                    failures.check(nested == Some(42.0), || {
                        format!("{}: nested org.id is {nested:?}", v.name)
                    });
                }
            }
            Err(err) => {
                failures.check(err.claim().is_none() && err.reason().is_none(), || {
                    format!(
                        "{}: a {} error carries a claim or reason",
                        v.name,
                        err.code()
                    )
                });
            }
        }
    }
    failures.finish("every_vector_verifies_or_gives_its_recorded_code");
}

/// jose's claim options set from the vector's own claims pass; one wrong option fails with the
/// claim and reason jose reports.
#[test]
fn claim_options_follow_jose() {
    let mut failures = Failures::default();
    for v in all_vectors()
        .into_iter()
        .filter(|v| v.expect_error.is_none())
    {
        let payload = v.payload.clone().unwrap();
        let header_typ = {
            let header = decoded_segment_text(segments(&v.token)[0]);
            parse(&header).as_object().unwrap().get_js("typ").cloned()
        };
        let iss = payload.get_js("iss").cloned();
        let sub = payload.get_js("sub").cloned();
        let aud = match payload.get("aud") {
            Some(Value::String(aud)) => Some(aud.clone()),
            // An array aud needs only one of them among the accepted audiences.
            Some(Value::Array(items)) => items.last().and_then(Value::as_js).cloned(),
            _ => None,
        };
        let iat = payload.get("iat").and_then(Value::as_f64);
        let names: Vec<JsString> = payload.iter().map(|(name, _)| name.clone()).collect();

        let base = |f: &dyn Fn(&mut ClaimOptions)| {
            let mut options = options(&v);
            f(&mut options.claims);
            options
        };
        let all_matching = |claims: &mut ClaimOptions| {
            claims.issuer = iss.clone().map(|i| vec!["https://other.example".into(), i]);
            claims.audience = aud.clone().map(|a| vec![a]);
            claims.subject = sub.clone();
            claims.typ = header_typ.clone();
            claims.required_claims = names.clone();
            claims.max_token_age = iat.map(|iat| v.now - iat);
        };
        let result = verify_with(&v, &v.token, &base(&all_matching));
        failures.expect_ok(&result, || {
            format!("{} (every claim option matching)", v.name)
        });

        // typ matches case-insensitively and with an application/ prefix.
        if let Some(typ) = &header_typ {
            let options = base(&|c: &mut ClaimOptions| {
                c.typ = Some(format!("application/{}", typ.as_marked().to_lowercase()).into());
            });
            let result = verify_with(&v, &v.token, &options);
            failures.expect_ok(&result, || {
                format!("{} (typ application/{typ} lowercased)", v.name)
            });
        }

        let wrong = [
            (
                "iss",
                "check_failed",
                base(&|c: &mut ClaimOptions| {
                    c.issuer = Some(vec!["https://not-the-issuer.example".into()])
                }),
            ),
            (
                "aud",
                if aud.is_some() {
                    "check_failed"
                } else {
                    "missing"
                },
                base(&|c: &mut ClaimOptions| c.audience = Some(vec!["not-the-audience".into()])),
            ),
            (
                "sub",
                if sub.is_some() {
                    "check_failed"
                } else {
                    "missing"
                },
                base(&|c: &mut ClaimOptions| c.subject = Some("not-the-subject".into())),
            ),
            (
                "edge-jwt-absent",
                "missing",
                base(&|c: &mut ClaimOptions| c.required_claims = vec!["edge-jwt-absent".into()]),
            ),
            (
                "typ",
                "check_failed",
                base(&|c: &mut ClaimOptions| c.typ = Some("at+jwt".into())),
            ),
        ];
        for (claim, reason, options) in &wrong {
            let result = verify_with(&v, &v.token, options);
            failures.expect_claim(&result, CLAIM_FAILED, claim, reason, || {
                format!("{} (wrong {claim})", v.name)
            });
        }

        // maxTokenAge: exactly the token's age passes, one second less is ERR_JWT_EXPIRED for iat;
        // a token without iat fails the presence check.
        match iat {
            Some(iat) => {
                let age = v.now - iat;
                let ok = verify_with(
                    &v,
                    &v.token,
                    &base(&|c: &mut ClaimOptions| c.max_token_age = Some(age)),
                );
                failures.expect_ok(&ok, || format!("{} (max_token_age = age {age})", v.name));
                let late = verify_with(
                    &v,
                    &v.token,
                    &base(&|c: &mut ClaimOptions| c.max_token_age = Some(age - 1.0)),
                );
                failures.expect_claim(&late, EXPIRED, "iat", "check_failed", || {
                    format!("{} (max_token_age = age - 1)", v.name)
                });
            }
            None => {
                let result = verify_with(
                    &v,
                    &v.token,
                    &base(&|c: &mut ClaimOptions| c.max_token_age = Some(3600.0)),
                );
                failures.expect_claim(&result, CLAIM_FAILED, "iat", "missing", || {
                    format!("{} (max_token_age without iat)", v.name)
                });
            }
        }
    }
    failures.finish("claim_options_follow_jose");
}

/// At and after `exp` every vector is ERR_JWT_EXPIRED for `exp`; `nbf` and the clock tolerance
/// follow jose's comparisons.
#[test]
fn expiry_and_not_before_follow_jose() {
    let mut failures = Failures::default();
    let mut with_exp = 0;
    for v in all_vectors() {
        let Some(exp) = v.number_claim("exp") else {
            // Not a claims set: still ERR_JWT_INVALID at any time.
            for now in [0.0, 4_102_444_800.0, 9_999_999_999.0] {
                let mut options = options(&v);
                options.now = now;
                let result = verify_with(&v, &v.token, &options);
                expect_recorded(&mut failures, &v, &result, &format!("at {now}"));
            }
            continue;
        };
        with_exp += 1;
        let at = |now: f64, tolerance: f64| {
            let mut options = options(&v);
            options.now = now;
            options.claims.clock_tolerance = tolerance;
            verify_with(&v, &v.token, &options)
        };
        for (now, tolerance) in [
            (exp, 0.0),
            (exp + 1.0, 0.0),
            (exp + 86_400.0, 0.0),
            (exp + 5.0, 5.0),
        ] {
            failures.expect_claim(&at(now, tolerance), EXPIRED, "exp", "check_failed", || {
                format!("{} (now {now}, tolerance {tolerance}, exp {exp})", v.name)
            });
        }
        for (now, tolerance) in [(exp - 1.0, 0.0), (exp + 4.0, 5.0)] {
            failures.expect_ok(&at(now, tolerance), || {
                format!("{} (now {now}, tolerance {tolerance}, exp {exp})", v.name)
            });
        }
        if let Some(nbf) = v.number_claim("nbf") {
            failures.expect_claim(
                &at(nbf - 1.0, 0.0),
                CLAIM_FAILED,
                "nbf",
                "check_failed",
                || format!("{} (now nbf - 1)", v.name),
            );
            failures.expect_ok(&at(nbf, 0.0), || format!("{} (now = nbf)", v.name));
            failures.expect_ok(&at(nbf - 5.0, 5.0), || {
                format!("{} (now nbf - 5, tolerance 5)", v.name)
            });
        }
    }
    failures.check(with_exp == 18, || {
        format!("{with_exp} vectors carry exp, expected 18")
    });
    failures.finish("expiry_and_not_before_follow_jose");
}

/// Flipping one bit of the decoded header, payload or signature and re-encoding never verifies.
#[test]
fn one_bit_flips_are_rejected() {
    let mut failures = Failures::default();
    let mut tried = 0usize;
    for v in all_vectors() {
        let parts = segments(&v.token);
        let decoded: Vec<Vec<u8>> = parts.iter().map(|s| b64url_decode(s).unwrap()).collect();
        for (index, segment) in parts.iter().enumerate() {
            failures.check(encode(&decoded[index]) == *segment, || {
                format!(
                    "{}: base64url::encode does not reproduce segment {index}",
                    v.name
                )
            });
        }
        for (index, kind) in ["header", "payload", "signature"].iter().enumerate() {
            let allowed: &[&str] = if index == 0 {
                // A flip in the header may break its JSON or UTF-8, change alg (unknown alg, or
                // another alg the key does not fit) or kid, or just change the signed bytes.
                &[
                    JWS_INVALID,
                    SIGNATURE_FAILED,
                    NOT_SUPPORTED,
                    NO_MATCHING_KEY,
                ]
            } else {
                &[SIGNATURE_FAILED]
            };
            for (byte, bit) in flip_positions(decoded[index].len()) {
                let mut bytes = decoded[index].clone();
                bytes[byte] ^= 1 << bit;
                let mut pieces: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
                pieces[index] = encode(&bytes);
                let token = pieces.join(".");
                let result = verify_with(&v, &token, &options(&v));
                tried += 1;
                failures.expect_code(&result, allowed, || {
                    format!("{}: {kind} byte {byte} bit {bit} flipped", v.name)
                });
            }
        }
    }
    failures.check(tried > 24 * 3 * 10, || {
        format!("only {tried} flips were tried")
    });
    failures.finish("one_bit_flips_are_rejected");
}

/// HS tokens verify only with their own secret, and only through `options.secret`.
#[test]
fn hmac_needs_the_right_secret() {
    let mut failures = Failures::default();
    let vectors = all_vectors();
    let hmac: Vec<&Vector> = vectors.iter().filter(|v| v.is_hmac()).collect();
    let some_key_set = vectors.iter().find_map(|v| v.keys.clone()).unwrap();
    failures.check(hmac.len() == 5, || {
        format!("{} HS vectors, expected 5", hmac.len())
    });
    for v in &hmac {
        let secret = v.secret.clone().unwrap();
        let mut wrong_secrets = vec![
            ("last byte changed", {
                let mut s = secret.clone();
                *s.last_mut().unwrap() ^= 0x01;
                s
            }),
            ("first bit changed", {
                let mut s = secret.clone();
                s[0] ^= 0x80;
                s
            }),
            // Not a zero byte: HMAC pads short keys with zeros, so `secret || 0x00` is the same key.
            ("one byte longer", {
                let mut s = secret.clone();
                s.push(0x01);
                s
            }),
            ("one byte shorter", secret[..secret.len() - 1].to_vec()),
            ("as its base64url text", encode(&secret).into_bytes()),
        ];
        for other in &hmac {
            if other.secret != v.secret {
                wrong_secrets.push(("another vector's secret", other.secret.clone().unwrap()));
            }
        }
        for (what, wrong) in wrong_secrets {
            let mut options = options(v);
            options.secret = Some(wrong);
            let result = verify_token(&v.token, None, &options);
            failures.expect_code(&result, &[SIGNATURE_FAILED], || {
                format!("{} (secret {what})", v.name)
            });
        }

        // The allow-list is checked before the key: RS256 only refuses an HS token whatever the secret.
        for secret in [Some(secret.clone()), Some(b"wrong".to_vec()), None] {
            let mut options = options(v);
            options.secret = secret.clone();
            options.algorithms = Some(vec!["RS256".into()]);
            let result = verify_token(&v.token, None, &options);
            failures.expect_code(&result, &[ALG_NOT_ALLOWED], || {
                format!(
                    "{} (algorithms [RS256], secret given: {})",
                    v.name,
                    secret.is_some()
                )
            });
        }

        // No secret: a key set never supplies a symmetric key.
        let mut no_secret = options(v);
        no_secret.secret = None;
        let result = verify_token(&v.token, None, &no_secret);
        failures.expect_code(&result, &[NOT_SUPPORTED], || {
            format!("{} (no secret, no keys)", v.name)
        });
        let result = verify_token(&v.token, Some(&some_key_set), &no_secret);
        failures.expect_code(&result, &[NOT_SUPPORTED], || {
            format!("{} (no secret, a public key set)", v.name)
        });
        let oct = format!(
            r#"{{"keys":[{{"kty":"oct","k":"{}","alg":"{}"{}}}]}}"#,
            encode(&secret),
            v.alg,
            v.kid
                .as_deref()
                .map(|kid| format!(r#","kid":"{kid}""#))
                .unwrap_or_default()
        );
        match KeySet::from_json(oct.as_bytes()) {
            Ok(oct_set) => {
                let result = verify_token(&v.token, Some(&oct_set), &no_secret);
                failures.expect_code(&result, &[NOT_SUPPORTED], || {
                    format!(
                        "{} (no secret, the secret as an oct JWK in the key set)",
                        v.name
                    )
                });
            }
            Err(err) => failures.push(format!(
                "{}: a set with an oct key does not parse: {err:?}",
                v.name
            )),
        }

        // The secret verifies even when a key set is passed as well.
        let result = verify_token(&v.token, Some(&some_key_set), &options(v));
        expect_recorded(&mut failures, v, &result, "secret and an unrelated key set");
    }
    failures.finish("hmac_needs_the_right_secret");
}

/// The `algorithms` allow-list is exact and is checked before anything else about the key.
#[test]
fn algorithm_allow_list_is_exact() {
    let mut failures = Failures::default();
    for v in all_vectors() {
        let other = match v.alg.as_str() {
            "EdDSA" => "Ed25519",
            "Ed25519" => "EdDSA",
            "RS256" => "PS256",
            "HS256" => "HS384",
            _ => "RS256",
        };
        let lists: Vec<(String, Vec<String>)> = vec![
            ("[]".to_owned(), vec![]),
            (format!("[{other}]"), vec![other.to_owned()]),
            (
                format!("[{}]", v.alg.to_lowercase()),
                vec![v.alg.to_lowercase()],
            ),
            (format!("[\" {}\"]", v.alg), vec![format!(" {}", v.alg)]),
        ];
        for (what, list) in lists {
            let mut options = options(&v);
            options.algorithms = Some(list.into_iter().map(JsString::from).collect());
            let result = verify_with(&v, &v.token, &options);
            failures.expect_code(&result, &[ALG_NOT_ALLOWED], || {
                format!("{} (algorithms {what})", v.name)
            });
            // Not even a matching key set changes that, nor a missing one.
            let result = verify_token(&v.token, None, &options);
            failures.expect_code(&result, &[ALG_NOT_ALLOWED], || {
                format!("{} (algorithms {what}, no key set)", v.name)
            });
        }
        let mut options = options(&v);
        options.algorithms = Some(
            ["none", "HS256", v.alg.as_str(), "ES256"]
                .iter()
                .map(|s| JsString::from(*s))
                .collect(),
        );
        let result = verify_with(&v, &v.token, &options);
        expect_recorded(
            &mut failures,
            &v,
            &result,
            "algorithms listing it among others",
        );
    }
    failures.finish("algorithm_allow_list_is_exact");
}

/// A token checked against another vector's key set finds no key, or a key that does not verify.
#[test]
fn foreign_key_sets_do_not_verify() {
    let mut failures = Failures::default();
    let vectors = all_vectors();
    let mut pairs = 0usize;
    for v in vectors.iter().filter(|v| !v.is_hmac()) {
        for w in vectors.iter().filter(|w| w.keys.is_some()) {
            if w.key_identity == v.key_identity {
                continue; // the same key (RFC 7520 4.1 and 4.2 share theirs)
            }
            pairs += 1;
            let result = verify_token(&v.token, w.keys.as_ref(), &options(v));
            failures.expect_code(&result, &[NO_MATCHING_KEY, SIGNATURE_FAILED], || {
                format!("{} against the key set of {}", v.name, w.name)
            });
        }
        // No key set at all cannot verify either.
        let result = verify_token(&v.token, None, &options(v));
        failures.check(result.is_err(), || {
            format!("{}: verified with no key set", v.name)
        });
    }
    failures.check(pairs > 300, || format!("only {pairs} foreign pairs"));
    failures.finish("foreign_key_sets_do_not_verify");
}

/// One key set holding every vector's public key: each token with a kid still finds its own key
/// (by kid, kty, crv and alg) and gives its recorded outcome.
#[test]
fn a_combined_key_set_selects_by_kid_and_type() {
    let mut failures = Failures::default();
    let vectors = all_vectors();
    let mut seen = Vec::new();
    let mut keys = Vec::new();
    for v in &vectors {
        let (Some(identity), Some(text)) = (&v.key_identity, &v.jwks_json) else {
            continue;
        };
        if seen.contains(identity) {
            continue;
        }
        seen.push(identity.clone());
        let jwks = parse(text);
        for key in jwks
            .as_object()
            .unwrap()
            .get("keys")
            .unwrap()
            .as_array()
            .unwrap()
        {
            keys.push(common::to_json(key));
        }
    }
    let combined = format!(r#"{{"keys":[{}]}}"#, keys.join(","));
    let set = KeySet::from_json(combined.as_bytes()).expect("the combined key set parses");
    let mut checked = 0;
    for v in vectors.iter().filter(|v| !v.is_hmac() && v.kid.is_some()) {
        checked += 1;
        let result = verify_token(&v.token, Some(&set), &options(v));
        expect_recorded(&mut failures, v, &result, "combined key set");
    }
    failures.check(checked == 15, || {
        format!("{checked} vectors with a kid, expected 15")
    });
    failures.finish("a_combined_key_set_selects_by_kid_and_type");
}

/// Segments are strict base64url without padding; the structure is exactly three segments.
///
/// This is the crate's contract and is stricter than jose on Node: jose decodes with `atob`,
/// which skips ASCII whitespace and accepts correct `=` padding (a padded signature verifies
/// there). Where jose's answer differs only by when it fails, both codes are accepted.
#[test]
fn segments_are_strict() {
    let mut failures = Failures::default();
    for v in all_vectors() {
        let [h, p, s] = segments(&v.token);
        let padding = |segment: &str| "=".repeat((4 - segment.len() % 4) % 4);
        let mut cases: Vec<(String, String, &[&str])> = vec![
            (
                "signature with one =".into(),
                format!("{h}.{p}.{s}="),
                &[JWS_INVALID],
            ),
            (
                "signature with +".into(),
                format!("{h}.{p}.+{}", &s[1..]),
                &[JWS_INVALID],
            ),
            (
                "signature with /".into(),
                format!("{h}.{p}.{}/", &s[..s.len() - 1]),
                &[JWS_INVALID],
            ),
            (
                "signature with a space".into(),
                format!("{h}.{p}. {s}"),
                &[JWS_INVALID],
            ),
            // Only the segment check or the signature can refuse these (jose: the signature).
            (
                "header with one =".into(),
                format!("{h}=.{p}.{s}"),
                &[JWS_INVALID, SIGNATURE_FAILED],
            ),
            (
                "payload with one =".into(),
                format!("{h}.{p}=.{s}"),
                &[JWS_INVALID, SIGNATURE_FAILED],
            ),
            ("two segments".into(), format!("{h}.{p}"), &[JWS_INVALID]),
            (
                "four segments".into(),
                format!("{h}.{p}.{s}.{s}"),
                &[JWS_INVALID],
            ),
            ("empty header".into(), format!(".{p}.{s}"), &[JWS_INVALID]),
            (
                "empty signature".into(),
                format!("{h}.{p}."),
                &[SIGNATURE_FAILED],
            ),
            ("empty token".into(), String::new(), &[JWS_INVALID]),
        ];
        // Correct base64 padding, where the length calls for it: still not base64url as JWS uses it.
        if !padding(s).is_empty() {
            cases.push((
                "signature padded".into(),
                format!("{h}.{p}.{s}{}", padding(s)),
                &[JWS_INVALID],
            ));
        }
        if !padding(p).is_empty() {
            cases.push((
                "payload padded".into(),
                format!("{h}.{p}{}.{s}", padding(p)),
                &[JWS_INVALID, SIGNATURE_FAILED],
            ));
        }
        if !padding(h).is_empty() {
            cases.push((
                "header padded".into(),
                format!("{h}{}.{p}.{s}", padding(h)),
                &[JWS_INVALID, SIGNATURE_FAILED],
            ));
        }
        for (what, token, codes) in cases {
            let result = verify_with(&v, &token, &options(&v));
            failures.expect_code(&result, codes, || format!("{} ({what})", v.name));
        }
    }
    failures.finish("segments_are_strict");
}
