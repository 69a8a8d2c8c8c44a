//! A JSON parser that accepts exactly what JavaScript's `JSON.parse` accepts (RFC 8259), bounded
//! in depth, for token headers, claims sets and key sets. The JS layer later runs `JSON.parse` on the
//! same text, so the two must agree: numbers are `f64` (`1e400` is infinity, `-0` stays negative),
//! a lone surrogate escape is accepted (decoded here as U+FFFD), and a duplicated member name is
//! allowed with the last value winning. A few hundred lines instead of `serde_json`, which would
//! cost about as much WebAssembly as the RSA implementation.

use std::fmt;

/// The deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 128;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as JavaScript holds it.
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Object),
}

impl Value {
    /// The string, if this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The object, if this is one.
    #[must_use]
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Self::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The items, if this is an array.
    #[must_use]
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Whether this is `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }
}

/// A JSON object: members in document order, duplicates kept; lookups see the last one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    members: Vec<(String, Value)>,
}

impl Object {
    /// The value of `name` (the last one, if the name is duplicated).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// Whether `name` is a member (any value, `null` included).
    #[must_use]
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The value of `name` if it is a string.
    #[must_use]
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// Members in document order, duplicates included.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.members
            .iter()
            .map(|(key, value)| (key.as_str(), value))
    }

    /// The number of members, duplicates included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are no members.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Appends a member.
    pub fn insert(&mut self, name: String, value: Value) {
        self.members.push((name, value));
    }
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonErrorKind {
    /// The bytes are not UTF-8.
    InvalidUtf8,
    /// The text ended inside a value.
    UnexpectedEnd,
    /// A character that cannot start or continue a value here.
    UnexpectedCharacter,
    /// A number that breaks the JSON grammar.
    InvalidNumber,
    /// A backslash escape that JSON does not define.
    InvalidEscape,
    /// A raw control character inside a string.
    ControlCharacterInString,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More than whitespace after the value.
    TrailingCharacters,
    /// Valid JSON whose top level is not an object.
    NotAnObject,
}

/// Why a document was refused, and the byte offset where that was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    /// What went wrong.
    pub kind: JsonErrorKind,
    /// Where, in bytes from the start.
    pub offset: usize,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            JsonErrorKind::InvalidUtf8 => "not valid UTF-8",
            JsonErrorKind::UnexpectedEnd => "unexpected end",
            JsonErrorKind::UnexpectedCharacter => "unexpected character",
            JsonErrorKind::InvalidNumber => "invalid number",
            JsonErrorKind::InvalidEscape => "invalid escape",
            JsonErrorKind::ControlCharacterInString => "control character in a string",
            JsonErrorKind::TooDeep => "nested too deeply",
            JsonErrorKind::TrailingCharacters => "characters after the value",
            JsonErrorKind::NotAnObject => "not an object",
        };
        write!(f, "invalid JSON: {what} at byte {}", self.offset)
    }
}

impl std::error::Error for JsonError {}

/// `text` as a JSON string literal, quotes included.
#[must_use]
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len().saturating_add(2));
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses one JSON document.
///
/// # Errors
/// [`JsonError`] for anything `JSON.parse` would refuse, and for nesting deeper than [`MAX_DEPTH`].
pub fn parse(input: &[u8]) -> Result<Value, JsonError> {
    let text = std::str::from_utf8(input).map_err(|err| JsonError {
        kind: JsonErrorKind::InvalidUtf8,
        offset: err.valid_up_to(),
    })?;
    let mut parser = Parser { text, pos: 0 };
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos < text.len() {
        return Err(parser.error(JsonErrorKind::TrailingCharacters));
    }
    Ok(value)
}

/// The members of a top-level object with the byte range of each value's raw text (for checking
/// a MAC over the exact bytes that were signed).
///
/// # Errors
/// As [`parse`], and [`JsonErrorKind::NotAnObject`].
pub fn object_member_spans(
    input: &str,
) -> Result<Vec<(String, std::ops::Range<usize>)>, JsonError> {
    let mut parser = Parser {
        text: input,
        pos: 0,
    };
    parser.skip_whitespace();
    if parser.peek() != Some(b'{') {
        return Err(parser.error(JsonErrorKind::NotAnObject));
    }
    parser.bump();
    let mut spans = Vec::new();
    parser.skip_whitespace();
    if parser.peek() == Some(b'}') {
        parser.bump();
    } else {
        loop {
            parser.skip_whitespace();
            if parser.peek() != Some(b'"') {
                return Err(parser.error(JsonErrorKind::UnexpectedCharacter));
            }
            let name = parser.string()?;
            parser.skip_whitespace();
            if parser.next()? != b':' {
                return Err(parser.back_error(JsonErrorKind::UnexpectedCharacter));
            }
            parser.skip_whitespace();
            let start = parser.pos;
            parser.value(1)?;
            spans.push((name, start..parser.pos));
            parser.skip_whitespace();
            match parser.next()? {
                b',' => {}
                b'}' => break,
                _ => return Err(parser.back_error(JsonErrorKind::UnexpectedCharacter)),
            }
        }
    }
    parser.skip_whitespace();
    if parser.pos < input.len() {
        return Err(parser.error(JsonErrorKind::TrailingCharacters));
    }
    Ok(spans)
}

/// Parses a document whose top level must be an object.
///
/// # Errors
/// As [`parse`], and [`JsonErrorKind::NotAnObject`].
pub fn parse_object(input: &[u8]) -> Result<Object, JsonError> {
    match parse(input)? {
        Value::Object(object) => Ok(object),
        _ => Err(JsonError {
            kind: JsonErrorKind::NotAnObject,
            offset: 0,
        }),
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, kind: JsonErrorKind) -> JsonError {
        JsonError {
            kind,
            offset: self.pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    fn next(&mut self) -> Result<u8, JsonError> {
        let byte = self
            .peek()
            .ok_or_else(|| self.error(JsonErrorKind::UnexpectedEnd))?;
        self.bump();
        Ok(byte)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn expect_literal(&mut self, literal: &str, value: Value) -> Result<Value, JsonError> {
        let end = self.pos.saturating_add(literal.len());
        match self.text.as_bytes().get(self.pos..end) {
            Some(found) if found == literal.as_bytes() => {
                self.pos = end;
                Ok(value)
            }
            Some(_) => Err(self.error(JsonErrorKind::UnexpectedCharacter)),
            None if literal.as_bytes().starts_with(self.rest()) => {
                self.pos = self.text.len();
                Err(self.error(JsonErrorKind::UnexpectedEnd))
            }
            None => Err(self.error(JsonErrorKind::UnexpectedCharacter)),
        }
    }

    fn rest(&self) -> &[u8] {
        self.text.as_bytes().get(self.pos..).unwrap_or_default()
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        match self.peek() {
            None => Err(self.error(JsonErrorKind::UnexpectedEnd)),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.expect_literal("true", Value::Bool(true)),
            Some(b'f') => self.expect_literal("false", Value::Bool(false)),
            Some(b'n') => self.expect_literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(_) => Err(self.error(JsonErrorKind::UnexpectedCharacter)),
        }
    }

    fn enter(&self, depth: usize) -> Result<usize, JsonError> {
        let inner = depth.saturating_add(1);
        if inner > MAX_DEPTH {
            Err(self.error(JsonErrorKind::TooDeep))
        } else {
            Ok(inner)
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        let inner = self.enter(depth)?;
        self.bump(); // [
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(inner)?);
            self.skip_whitespace();
            match self.next()? {
                b',' => {}
                b']' => return Ok(Value::Array(items)),
                _ => return Err(self.back_error(JsonErrorKind::UnexpectedCharacter)),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        let inner = self.enter(depth)?;
        self.bump(); // {
        let mut object = Object::default();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(Value::Object(object));
        }
        loop {
            self.skip_whitespace();
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
                Some(_) => return Err(self.error(JsonErrorKind::UnexpectedCharacter)),
            }
            let name = self.string()?;
            self.skip_whitespace();
            if self.next()? != b':' {
                return Err(self.back_error(JsonErrorKind::UnexpectedCharacter));
            }
            self.skip_whitespace();
            let value = self.value(inner)?;
            object.insert(name, value);
            self.skip_whitespace();
            match self.next()? {
                b',' => {}
                b'}' => return Ok(Value::Object(object)),
                _ => return Err(self.back_error(JsonErrorKind::UnexpectedCharacter)),
            }
        }
    }

    /// An error at the byte just consumed.
    fn back_error(&self, kind: JsonErrorKind) -> JsonError {
        JsonError {
            kind,
            offset: self.pos.saturating_sub(1),
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            let start = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.bump();
            }
            // The run stops at an ASCII byte (or the end), so it ends on a char boundary.
            out.push_str(self.text.get(start..self.pos).unwrap_or_default());
            match self.peek() {
                None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.bump();
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.error(JsonErrorKind::ControlCharacterInString)),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let decoded = match self.next()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode_escape()?,
            _ => return Err(self.back_error(JsonErrorKind::InvalidEscape)),
        };
        out.push(decoded);
        Ok(())
    }

    /// After `\u`: four hex digits; a high surrogate followed by `\u` and a low surrogate combine,
    /// and any lone surrogate becomes U+FFFD (`JSON.parse` keeps it; a Rust string cannot).
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            let is_pair = self.rest().starts_with(b"\\u");
            if is_pair {
                let saved = self.pos;
                self.pos = self.pos.saturating_add(2);
                let second = self.hex4()?;
                if (0xDC00..0xE000).contains(&second) {
                    let high = first.saturating_sub(0xD800);
                    let low = second.saturating_sub(0xDC00);
                    let code = 0x10000_u32.saturating_add(high << 10).saturating_add(low);
                    return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
                }
                // Not a low surrogate: leave that escape to be read on its own.
                self.pos = saved;
            }
            return Ok('\u{FFFD}');
        }
        Ok(char::from_u32(first).unwrap_or('\u{FFFD}'))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut value = 0u32;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b) => char::from(b)
                    .to_digit(16)
                    .ok_or_else(|| self.error(JsonErrorKind::InvalidEscape))?,
                None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
            };
            self.bump();
            value = (value << 4) | digit;
        }
        Ok(value)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.bump();
        }
        self.pos.saturating_sub(start)
    }

    fn number(&mut self) -> Result<f64, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => self.bump(),
            Some(b'1'..=b'9') => {
                self.digits();
            }
            None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
            Some(_) => return Err(self.error(JsonErrorKind::InvalidNumber)),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if self.digits() == 0 {
                return Err(self.number_error());
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            if self.digits() == 0 {
                return Err(self.number_error());
            }
        }
        self.text
            .get(start..self.pos)
            .and_then(|digits| digits.parse::<f64>().ok())
            .ok_or_else(|| self.error(JsonErrorKind::InvalidNumber))
    }

    fn number_error(&self) -> JsonError {
        match self.peek() {
            None => self.error(JsonErrorKind::UnexpectedEnd),
            Some(_) => self.error(JsonErrorKind::InvalidNumber),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::arithmetic_side_effects,
        clippy::as_conversions,
        clippy::cast_possible_truncation
    )]
    use super::*;

    fn ok(text: &str) -> Value {
        parse(text.as_bytes()).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn kind(text: &[u8]) -> JsonErrorKind {
        parse(text).unwrap_err().kind
    }

    #[test]
    fn accepts_the_grammar() {
        assert_eq!(ok(" null "), Value::Null);
        assert_eq!(ok("true"), Value::Bool(true));
        assert_eq!(ok("false"), Value::Bool(false));
        assert_eq!(ok("0"), Value::Number(0.0));
        assert_eq!(ok("-12.5e+2"), Value::Number(-1250.0));
        assert_eq!(ok("1E-2"), Value::Number(0.01));
        assert_eq!(ok("1e400"), Value::Number(f64::INFINITY));
        assert!(ok("-0").as_f64().unwrap().is_sign_negative());
        assert_eq!(ok("\t[1,[2,{}],\r\n\"x\"]").as_array().unwrap().len(), 3);
        let o = ok(r#"{"a":1,"b":{"c":[true,null]},"a":2}"#);
        let o = o.as_object().unwrap();
        assert_eq!(o.get("a"), Some(&Value::Number(2.0)), "last duplicate wins");
        assert_eq!(o.len(), 3);
        assert!(o.get("b").unwrap().as_object().unwrap().contains_key("c"));
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(
            ok(r#""a\"\\\/\b\f\n\r\t""#).as_str(),
            Some("a\"\\/\u{8}\u{c}\n\r\t")
        );
        assert_eq!(ok(r#""\u00e9\u20AC""#).as_str(), Some("é€"));
        assert_eq!(ok(r#""\ud83d\ude00""#).as_str(), Some("😀"));
        assert_eq!(ok(r#""\ud83d""#).as_str(), Some("\u{FFFD}"));
        assert_eq!(ok(r#""\ude00x""#).as_str(), Some("\u{FFFD}x"));
        assert_eq!(ok(r#""\ud83d\u0041""#).as_str(), Some("\u{FFFD}A"));
        assert_eq!(ok("\"héllo 😀\"").as_str(), Some("héllo 😀"));
        assert_eq!(kind(br#""\x""#), JsonErrorKind::InvalidEscape);
        assert_eq!(kind(br#""\u12""#), JsonErrorKind::InvalidEscape);
        assert_eq!(kind(br#""\u12"#), JsonErrorKind::UnexpectedEnd);
        assert_eq!(kind(b"\"a\nb\""), JsonErrorKind::ControlCharacterInString);
        assert_eq!(kind(b"\"\x00\""), JsonErrorKind::ControlCharacterInString);
        assert_eq!(kind(b"\"abc"), JsonErrorKind::UnexpectedEnd);
        assert_eq!(kind(b"\"\xc0\xaf\""), JsonErrorKind::InvalidUtf8);
    }

    #[test]
    fn refuses_what_json_parse_refuses() {
        for bad in [
            "",
            " ",
            "01",
            "1.",
            ".5",
            "+1",
            "-",
            "1e",
            "1e+",
            "NaN",
            "Infinity",
            "-Infinity",
            "[1,]",
            "{\"a\":1,}",
            "'x'",
            "{a:1}",
            "[1 2]",
            "/*c*/1",
            "1 //c",
            "tru",
            "nul",
            "\u{feff}{}",
            "{\"a\" 1}",
            "[",
            "{",
            "{\"a\":}",
            "\u{a0}1",
            "0x10",
            "1_000",
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(kind(b"1 2"), JsonErrorKind::TrailingCharacters);
        assert_eq!(
            parse_object(b"[]").unwrap_err().kind,
            JsonErrorKind::NotAnObject
        );
        assert!(parse_object(b" {} ").unwrap().is_empty());
    }

    #[test]
    fn member_spans_are_raw_text() {
        let text = r#" { "a" : {"x": [1, 2]} , "b":1e3,"a":"z" } "#;
        let spans = object_member_spans(text).unwrap();
        let raw: Vec<(&str, &str)> = spans
            .iter()
            .map(|(name, range)| (name.as_str(), text.get(range.clone()).unwrap()))
            .collect();
        assert_eq!(
            raw,
            [("a", r#"{"x": [1, 2]}"#), ("b", "1e3"), ("a", r#""z""#)]
        );
        assert!(object_member_spans("[1]").is_err());
        assert!(object_member_spans(r#"{"a":1} x"#).is_err());
        assert!(object_member_spans("{}").unwrap().is_empty());
    }

    #[test]
    fn quote_round_trips() {
        for text in ["", "plain", "q\"b\\s/\n\r\t\u{1}\u{1f}é😀"] {
            assert_eq!(ok(&quote(text)).as_str(), Some(text));
        }
    }

    #[test]
    fn depth_is_bounded_without_recursion_blowup() {
        let ok_depth = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(ok_depth.as_bytes()).is_ok());
        let too_deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(kind(too_deep.as_bytes()), JsonErrorKind::TooDeep);
        let hostile = "[{\"a\":".repeat(100_000);
        assert_eq!(kind(hostile.as_bytes()), JsonErrorKind::TooDeep);
    }

    #[test]
    fn large_input_is_linear() {
        let big = format!("[{}1]", "1.5e3,".repeat(200_000));
        let start = std::time::Instant::now();
        assert_eq!(ok(&big).as_array().unwrap().len(), 200_001);
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn truncations_and_random_bytes_never_panic() {
        let sample = br#"{"sub":"u\u00e9","aud":["a","b"],"exp":1.7e9,"n":null,"o":{"t":true}}"#;
        for end in 0..sample.len() {
            let _ = parse(&sample[..end]);
        }
        let pieces: [&[u8]; 14] = [
            b"{", b"}", b"[", b"]", b"\"", b"\\u", b"d83d", b":", b",", b"1e9", b"-", b"true",
            b"\xff", b" ",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            let mut doc = Vec::new();
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if state % 5 == 0 {
                    doc.push(state as u8);
                } else {
                    doc.extend_from_slice(pieces[(state >> 8) as usize % pieces.len()]);
                }
            }
            state = state.wrapping_add(1);
            let _ = parse(&doc);
        }
    }
}
