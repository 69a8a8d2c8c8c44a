//! Shared helpers for the integration tests: loading the vector files in `tests/vectors/`, an
//! independent strict base64url decoder, a JSON writer for rebuilding key sets, and a structural
//! JSON comparison.
#![allow(dead_code, unreachable_pub)]

use edge_jwt::json::{self, Object, Value};
use edge_jwt::KeySet;

/// `tests/vectors/jose.json`: tokens jose 6.2.17 signed (see `tests/vectors/README.md`).
pub const JOSE_JSON: &str = include_str!("../vectors/jose.json");
/// `tests/vectors/rfc.json`: examples transcribed from RFC 7515, RFC 7520 and RFC 8037.
pub const RFC_JSON: &str = include_str!("../vectors/rfc.json");

/// One token with its keys and what verifying it must give.
#[derive(Debug, Clone)]
pub struct Vector {
    /// `jose-<kid>` or the RFC vector's name.
    pub name: String,
    /// Where the vector comes from.
    pub source: String,
    /// The header `alg`.
    pub alg: String,
    /// The header `kid`, if the token has one.
    pub kid: Option<String>,
    /// The compact token.
    pub token: String,
    /// The key set as JSON text (None for HS vectors).
    pub jwks_json: Option<String>,
    /// The parsed key set.
    pub keys: Option<KeySet>,
    /// The key material of the first key (to tell key sets apart).
    pub key_identity: Option<String>,
    /// The HMAC secret.
    pub secret: Option<Vec<u8>>,
    /// The time to verify at.
    pub now: f64,
    /// `None`: verifies. `Some(code)`: fails with that jose code.
    pub expect_error: Option<String>,
    /// The expected claims (for vectors that verify).
    pub payload: Option<Object>,
    /// The signed bytes as text, when they are not a claims set.
    pub payload_text: Option<String>,
    /// True for jose.json vectors.
    pub from_jose: bool,
}

impl Vector {
    /// A claim of the expected payload, as a number.
    pub fn number_claim(&self, name: &str) -> Option<f64> {
        self.payload.as_ref()?.get(name)?.as_f64()
    }

    /// True for HS256/384/512.
    pub fn is_hmac(&self) -> bool {
        self.alg.starts_with("HS")
    }
}

/// Parses JSON text with the crate's parser.
pub fn parse(text: &str) -> Value {
    json::parse(text.as_bytes()).unwrap_or_else(|err| panic!("invalid JSON ({err}): {text:.80}"))
}

fn field<'a>(object: &'a Object, name: &str, context: &str) -> &'a Value {
    object
        .get(name)
        .unwrap_or_else(|| panic!("{context}: no \"{name}\""))
}

fn string_field(object: &Object, name: &str, context: &str) -> String {
    field(object, name, context)
        .as_str()
        .unwrap_or_else(|| panic!("{context}: \"{name}\" is not a string"))
        .to_owned()
}

fn optional_string(object: &Object, name: &str) -> Option<String> {
    object.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// The top-level `source` of a vector file.
pub fn file_source(text: &str) -> String {
    let document = parse(text);
    let object = document.as_object().expect("a vector file is an object");
    string_field(object, "source", "vector file")
}

fn key_set_fields(jwks: &Value, context: &str) -> (Option<String>, Option<KeySet>, Option<String>) {
    match jwks {
        Value::Null => (None, None, None),
        Value::Object(object) => {
            let text = to_json(jwks);
            let keys = KeySet::from_json(text.as_bytes())
                .unwrap_or_else(|err| panic!("{context}: the key set does not parse: {err:?}"));
            let first = field(object, "keys", context)
                .as_array()
                .and_then(|keys| keys.first())
                .and_then(Value::as_object)
                .unwrap_or_else(|| panic!("{context}: the key set has no first key"));
            let identity = ["kty", "crv", "n", "e", "x", "y"]
                .iter()
                .map(|name| optional_string(first, name).unwrap_or_default())
                .collect::<Vec<_>>()
                .join("|");
            (Some(text), Some(keys), Some(identity))
        }
        _ => panic!("{context}: \"jwks\" is neither null nor an object"),
    }
}

fn secret_field(object: &Object, context: &str) -> Option<Vec<u8>> {
    optional_string(object, "secret_b64url").map(|secret| {
        b64url_decode(&secret).unwrap_or_else(|| panic!("{context}: bad secret_b64url"))
    })
}

/// Every vector of `jose.json`.
pub fn jose_vectors() -> Vec<Vector> {
    let document = parse(JOSE_JSON);
    let root = document.as_object().expect("jose.json is an object");
    let source = string_field(root, "source", "jose.json");
    let now = field(root, "now", "jose.json")
        .as_f64()
        .expect("now is a number");
    let vectors = field(root, "vectors", "jose.json")
        .as_array()
        .expect("vectors is an array");
    vectors
        .iter()
        .map(|value| {
            let object = value.as_object().expect("a vector is an object");
            let kid = string_field(object, "kid", "jose vector");
            let context = format!("jose.json {kid}");
            let (jwks_json, keys, key_identity) =
                key_set_fields(field(object, "jwks", &context), &context);
            let payload = field(object, "payload", &context)
                .as_object()
                .unwrap_or_else(|| panic!("{context}: payload is not an object"))
                .clone();
            Vector {
                name: format!("jose {kid}"),
                source: optional_string(object, "source").unwrap_or_else(|| source.clone()),
                alg: string_field(object, "alg", &context),
                kid: Some(kid),
                token: string_field(object, "token", &context),
                jwks_json,
                keys,
                key_identity,
                secret: secret_field(object, &context),
                now,
                expect_error: None,
                payload: Some(payload),
                payload_text: None,
                from_jose: true,
            }
        })
        .collect()
}

/// Every vector of `rfc.json`.
pub fn rfc_vectors() -> Vec<Vector> {
    let document = parse(RFC_JSON);
    let root = document.as_object().expect("rfc.json is an object");
    let vectors = field(root, "vectors", "rfc.json")
        .as_array()
        .expect("vectors is an array");
    vectors
        .iter()
        .map(|value| {
            let object = value.as_object().expect("a vector is an object");
            let name = string_field(object, "name", "rfc vector");
            let context = format!("rfc.json {name}");
            let (jwks_json, keys, key_identity) =
                key_set_fields(field(object, "jwks", &context), &context);
            let expect = string_field(object, "expect", &context);
            let token = string_field(object, "token", &context);
            let header = b64url_decode(token.split('.').next().unwrap_or_default())
                .unwrap_or_else(|| panic!("{context}: bad header segment"));
            let header = parse(std::str::from_utf8(&header).expect("header is UTF-8"));
            let kid = header
                .as_object()
                .and_then(|h| h.get_str("kid"))
                .map(str::to_owned);
            Vector {
                name: name.clone(),
                source: string_field(object, "source", &context),
                alg: string_field(object, "alg", &context),
                kid,
                token,
                jwks_json,
                keys,
                key_identity,
                secret: secret_field(object, &context),
                now: field(object, "now", &context)
                    .as_f64()
                    .unwrap_or_else(|| panic!("{context}: now is not a number")),
                expect_error: if expect == "valid" {
                    None
                } else {
                    Some(expect)
                },
                payload: object.get("payload").and_then(Value::as_object).cloned(),
                payload_text: optional_string(object, "payload_text"),
                from_jose: false,
            }
        })
        .collect()
}

/// jose.json then rfc.json.
pub fn all_vectors() -> Vec<Vector> {
    let mut all = jose_vectors();
    all.extend(rfc_vectors());
    all
}

/// Decodes strict base64url (RFC 4648 §5, no padding, no other characters, canonical final
/// bits). Independent of the crate's decoder on purpose.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        }))
    }
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for &c in chunk {
            acc = (acc << 6) | sextet(c)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]),
            3 => {
                if acc & 0b11 != 0 {
                    return None;
                }
                out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]);
            }
            2 => {
                if acc & 0b1111 != 0 {
                    return None;
                }
                out.push((acc >> 4) as u8);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Writes a JSON value (enough for key sets: strings, numbers, booleans, null, arrays, objects).
pub fn to_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, &mut out);
    out
}

fn write_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format!("{n}")),
        Value::String(s) => write_string(s.as_marked(), out),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(object) => write_object(object, out),
    }
}

/// Writes a JSON object.
pub fn object_to_json(object: &Object) -> String {
    let mut out = String::new();
    write_object(object, &mut out);
    out
}

fn write_object(object: &Object, out: &mut String) {
    out.push('{');
    for (index, (name, member)) in object.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        write_string(name.as_marked(), out);
        out.push(':');
        write_json(member, out);
    }
    out.push('}');
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Compares two JSON values structurally; returns the differences, each with its path.
pub fn json_diff(actual: &Value, expected: &Value, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    diff_into(actual, expected, path, &mut out);
    out
}

/// Compares two JSON objects structurally (same member names, equal values).
pub fn object_diff(actual: &Object, expected: &Object, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    diff_objects(actual, expected, path, &mut out);
    out
}

fn diff_into(actual: &Value, expected: &Value, path: &str, out: &mut Vec<String>) {
    match (actual, expected) {
        (Value::Null, Value::Null) => {}
        (Value::Bool(a), Value::Bool(b)) if a == b => {}
        (Value::Number(a), Value::Number(b)) if a == b => {}
        (Value::String(a), Value::String(b)) if a == b => {}
        (Value::Array(a), Value::Array(b)) => {
            if a.len() == b.len() {
                for (index, (x, y)) in a.iter().zip(b).enumerate() {
                    diff_into(x, y, &format!("{path}[{index}]"), out);
                }
            } else {
                out.push(format!("{path}: {} items, expected {}", a.len(), b.len()));
            }
        }
        (Value::Object(a), Value::Object(b)) => diff_objects(a, b, path, out),
        _ => out.push(format!(
            "{path}: {} but expected {}",
            to_json(actual),
            to_json(expected)
        )),
    }
}

fn diff_objects(actual: &Object, expected: &Object, path: &str, out: &mut Vec<String>) {
    for (name, member) in expected.iter() {
        match actual.member(name) {
            Some(found) => diff_into(found, member, &format!("{path}.{name}"), out),
            None => out.push(format!("{path}.{name}: missing")),
        }
    }
    for (name, _) in actual.iter() {
        if expected.member(name).is_none() {
            out.push(format!("{path}.{name}: unexpected member"));
        }
    }
}

/// Splits a compact token into its three segments.
pub fn segments(token: &str) -> [&str; 3] {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact token has three segments");
    [parts[0], parts[1], parts[2]]
}

/// A handful of (byte index, bit) pairs spread over a segment of `len` bytes: the first, second,
/// last and second-to-last bytes and the quarter points, each with bit 0, bit 7 and one in
/// between.
pub fn flip_positions(len: usize) -> Vec<(usize, u8)> {
    let mut indexes = vec![
        0,
        1,
        len / 4,
        len / 2,
        len * 3 / 4,
        len.saturating_sub(2),
        len - 1,
    ];
    indexes.retain(|&i| i < len);
    indexes.sort_unstable();
    indexes.dedup();
    let mut out = Vec::new();
    for (n, index) in indexes.into_iter().enumerate() {
        for bit in [0u8, 7, 1 + (n as u8 * 2) % 6] {
            if !out.contains(&(index, bit)) {
                out.push((index, bit));
            }
        }
    }
    out
}
