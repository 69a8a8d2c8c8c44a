//! A JSON parser that accepts exactly what JavaScript's `JSON.parse` accepts (RFC 8259 /
//! ECMA-404), bounded in depth, for token headers, claims sets and key sets. The JS layer later runs
//! `JSON.parse` on the same text, so the two must agree: numbers are `f64` (`1e400` is infinity,
//! `-0` stays negative), a lone surrogate escape is accepted (kept exactly, see [`MARK`]), and a
//! duplicated member name is allowed with the last value winning. The one difference is the bound:
//! arrays and objects nest at most [`MAX_DEPTH`] deep.
//!
//! The parser is iterative (an explicit stack of open containers, never deeper than
//! [`MAX_DEPTH`]), so no input can exhaust the call stack, and every byte is looked at a bounded
//! number of times, so time is linear in the input. Not `serde_json`: it refuses a lone surrogate
//! escape and `1e400`, which `JSON.parse` accepts, and keeps integers above 2^53 exact where
//! JavaScript rounds them (measured, docs/ARCHITECTURE.md "Dependencies").
//!
//! Parsed strings and member names are [`JsString`]s: JavaScript strings, which a Rust `String`
//! cannot always hold (see [`MARK`]), so no `String` stands for one.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// The deepest nesting of arrays and objects accepted: `[[1]]` is 2 deep.
pub const MAX_DEPTH: usize = 128;

/// How a parsed string holds what a Rust string cannot: `JSON.parse` keeps a lone surrogate escape
/// (`"\ud800"`) as a lone UTF-16 unit, and two strings must compare equal here exactly when they
/// do in JavaScript (`"\ud800"` is neither `"\udc00"` nor `"\ufffd"`). So in a parsed string
/// U+FFFD is always the first of two characters: U+FFFD U+FFFD stands for a U+FFFD of the input
/// (raw or escaped), and U+FFFD followed by U+10D800 to U+10DFFF for the lone surrogate U+D800 to
/// U+DFFF. The encoding is one-to-one, so string equality is JavaScript's;
/// [`JsString::to_json`] writes it back as `JSON.stringify` would write the JavaScript string.
pub const MARK: char = '\u{FFFD}';
/// Added to a lone surrogate's unit to give the character after [`MARK`].
const SURROGATE_OFFSET: u32 = 0x10_0000;

/// A string as JavaScript holds it (a `JSON.parse` result, a JS option value): UTF-16 text that
/// may hold lone surrogates, kept in the [`MARK`] encoding. Two `JsString`s are equal exactly when
/// the JavaScript strings are; [`JsString::is`] compares with Rust text the same way, and
/// [`JsString::to_json`] writes the string back as `JSON.stringify` would.
#[derive(Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct JsString(Cow<'static, str>);

impl Clone for JsString {
    // Out of line: inlined, a clone's two cases at every call site cost more WebAssembly than the
    // call.
    #[inline(never)]
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl JsString {
    /// The empty string.
    pub const EMPTY: Self = Self(Cow::Borrowed(""));

    /// The JavaScript string with the same characters as `text`.
    #[must_use]
    pub fn from_text(text: &str) -> Self {
        let mut out = String::with_capacity(text.len());
        push_text(&mut out, text);
        Self(Cow::Owned(out))
    }

    /// As [`JsString::from_text`], without a copy when `text` holds no U+FFFD.
    #[must_use]
    pub fn from_static(text: &'static str) -> Self {
        if text.contains(MARK) {
            Self::from_text(text)
        } else {
            Self(Cow::Borrowed(text))
        }
    }

    /// The [`MARK`] encoding: equal to the string's text when it holds no U+FFFD and no lone
    /// surrogate. For comparing and hashing; not text to show.
    #[must_use]
    pub fn as_marked(&self) -> &str {
        &self.0
    }

    /// Whether this is the JavaScript string of `text` (JavaScript's `===` on the two).
    #[must_use]
    pub fn is(&self, text: &str) -> bool {
        // (ASCII text, the usual case, cannot hold a MARK, and testing for it is quicker.)
        if text.is_ascii() || !text.contains(MARK) {
            *self.0 == *text
        } else {
            *self == Self::from_text(text)
        }
    }

    /// The text, a lone surrogate as U+FFFD (as `TextEncoder` and wasm-bindgen write one): for
    /// messages and for text a Rust API hands out.
    #[must_use]
    pub fn to_text_lossy(&self) -> Cow<'_, str> {
        if !self.0.contains(MARK) {
            return Cow::Borrowed(&self.0);
        }
        // After each MARK comes a second MARK (a U+FFFD) or a surrogate's character (also shown
        // as U+FFFD): either way one U+FFFD, and the character after the MARK is dropped.
        let mut out = String::with_capacity(self.0.len());
        let mut chars = self.0.chars();
        while let Some(c) = chars.next() {
            out.push(c);
            if c == MARK {
                chars.next();
            }
        }
        Cow::Owned(out)
    }

    /// The string as a JSON string literal, quotes included, exactly as JavaScript's
    /// `JSON.stringify` writes it (the escapes of [`quote`], a lone surrogate as `\udxxx`).
    #[must_use]
    pub fn to_json(&self) -> String {
        quote_marked(&self.0)
    }

    /// The string's UTF-16 code units, lone surrogates included: the exact JavaScript string, for
    /// a binding that hands it over (`String.fromCharCode` on the units rebuilds it).
    #[must_use]
    pub fn to_utf16(&self) -> Vec<u16> {
        let mut out = Vec::with_capacity(self.0.len());
        let mut units = [0u16; 2];
        let mut chars = self.0.chars();
        while let Some(c) = chars.next() {
            if c != MARK {
                out.extend_from_slice(c.encode_utf16(&mut units));
                continue;
            }
            // After a MARK: a second MARK (the input's U+FFFD) or a lone surrogate's character.
            match chars.next() {
                Some(s) if (0x10_D800..=0x10_DFFF).contains(&u32::from(s)) => {
                    let unit = u32::from(s).wrapping_sub(SURROGATE_OFFSET);
                    out.push(u16::try_from(unit).unwrap_or(0xFFFD));
                }
                Some(MARK) | None => out.push(0xFFFD),
                Some(other) => {
                    out.push(0xFFFD);
                    out.extend_from_slice(other.encode_utf16(&mut units));
                }
            }
        }
        out
    }

    /// The number of bytes of the encoding (a bound for sizes, not a JavaScript length).
    #[must_use]
    pub fn marked_len(&self) -> usize {
        self.0.len()
    }
}

impl PartialEq<str> for JsString {
    fn eq(&self, text: &str) -> bool {
        self.is(text)
    }
}

impl PartialEq<&str> for JsString {
    fn eq(&self, text: &&str) -> bool {
        self.is(text)
    }
}

impl From<&str> for JsString {
    fn from(text: &str) -> Self {
        Self::from_text(text)
    }
}

impl From<String> for JsString {
    fn from(text: String) -> Self {
        if text.contains(MARK) {
            Self::from_text(&text)
        } else {
            Self(Cow::Owned(text))
        }
    }
}

impl fmt::Display for JsString {
    /// The text, as [`JsString::to_text_lossy`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text_lossy())
    }
}

/// Appends input text to a parsed string: each U+FFFD doubled (see [`MARK`]).
fn push_text(out: &mut String, run: &str) {
    // (ASCII text, the usual case, cannot hold a MARK, and testing for it is quicker.)
    if !run.is_ascii() && run.contains(MARK) {
        for c in run.chars() {
            out.push(c);
            if c == MARK {
                out.push(MARK);
            }
        }
    } else {
        out.push_str(run);
    }
}

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
    String(JsString),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Object),
}

impl Value {
    /// The string, if this is one.
    #[must_use]
    pub fn as_js(&self) -> Option<&JsString> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The string's [`MARK`] encoding, if this is a string: equal to Rust text exactly when the
    /// text holds no U+FFFD and the string is that text. For comparing with such text (every
    /// name and value the crate itself looks for: `alg`, `kty`, base64url); a value compared with
    /// a caller's text goes through [`Value::as_js`].
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        self.as_js().map(JsString::as_marked)
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

/// A JSON object: members in document order, duplicates kept; lookups see the last one, as
/// `JSON.parse` does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    members: Vec<(JsString, Value)>,
}

/// Member names that header, claims and key documents use over and over (RFC 7515, 7517, 7519,
/// and the user fields of Better Auth's tokens), kept without allocating a string each time one is
/// parsed.
const COMMON_NAMES: [&str; 32] = [
    "alg",
    "kid",
    "typ",
    "cty",
    "crit",
    "b64",
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "keys",
    "kty",
    "crv",
    "use",
    "key_ops",
    "x",
    "y",
    "n",
    "e",
    "x5t",
    "x5c",
    "id",
    "name",
    "email",
    "emailVerified",
    "image",
    "role",
    "createdAt",
    "updatedAt",
];

/// The longest of [`COMMON_NAMES`] (`emailVerified`).
const MAX_COMMON_NAME_LEN: usize = 13;

/// `name` borrowed from [`COMMON_NAMES`] when it is one of them.
fn common_name(name: &[u8]) -> Option<&'static str> {
    COMMON_NAMES
        .iter()
        .copied()
        .find(|common| common.as_bytes() == name)
}

impl Object {
    /// The value of the member named `name` (the last one, if the name is duplicated). `name` is
    /// one the crate looks for (`alg`, `kid`, ...): text without U+FFFD, whose [`MARK`] encoding
    /// is itself. A caller's name goes through [`Object::member`].
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members
            .iter()
            .rev()
            .find(|(key, _)| key.as_marked() == name)
            .map(|(_, value)| value)
    }

    /// Whether a member is named `name`, text without U+FFFD as for [`Object::get`] (any value,
    /// `null` included).
    #[must_use]
    pub fn contains_key(&self, name: &str) -> bool {
        self.members.iter().any(|(key, _)| key.as_marked() == name)
    }

    /// The value of the member named `name`, a JavaScript string (the last one, if duplicated).
    #[must_use]
    pub fn member(&self, name: &JsString) -> Option<&Value> {
        self.members
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// Whether a member is named `name`, a JavaScript string.
    #[must_use]
    pub fn contains(&self, name: &JsString) -> bool {
        self.members.iter().any(|(key, _)| key == name)
    }

    /// The value of `name` if it is a string.
    #[must_use]
    pub fn get_js(&self, name: &str) -> Option<&JsString> {
        self.get(name).and_then(Value::as_js)
    }

    /// The value of `name` if it is a string, as [`Value::as_str`].
    #[must_use]
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// Members in document order, duplicates included.
    pub fn iter(&self) -> impl Iterator<Item = (&JsString, &Value)> {
        self.members.iter().map(|(key, value)| (key, value))
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

    /// Appends a member (a name already present is kept, and this one now wins lookups).
    pub fn insert(&mut self, name: JsString, value: Value) {
        self.members.push((name, value));
    }
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonErrorKind {
    /// The bytes are not UTF-8.
    InvalidUtf8,
    /// The text ended inside a value (or before one).
    UnexpectedEnd,
    /// A character that cannot start or continue a value here.
    UnexpectedCharacter,
    /// A number that breaks the JSON grammar.
    InvalidNumber,
    /// A backslash escape that JSON does not define.
    InvalidEscape,
    /// A raw control character (below U+0020) inside a string.
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
    /// Where, in bytes from the start of the input.
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

/// Parses one JSON document.
///
/// # Errors
/// [`JsonError`] for anything `JSON.parse` would refuse, and for nesting deeper than [`MAX_DEPTH`].
pub fn parse(input: &[u8]) -> Result<Value, JsonError> {
    let mut parser = Parser::new(utf8(input)?);
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.finish()?;
    Ok(value)
}

/// Parses a document whose top level must be an object.
///
/// # Errors
/// As [`parse`], and [`JsonErrorKind::NotAnObject`] (at the value's first byte) for a valid
/// document whose top level is something else.
pub fn parse_object(input: &[u8]) -> Result<Object, JsonError> {
    let mut parser = Parser::new(utf8(input)?);
    parser.skip_whitespace();
    let start = parser.pos;
    let value = parser.value(0)?;
    parser.finish()?;
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(JsonError {
            kind: JsonErrorKind::NotAnObject,
            offset: start,
        }),
    }
}

/// The members of a top-level object, each with the byte range of its value's raw text in `input`
/// (for checking a MAC over the exact bytes that were signed). Duplicates are kept, in document
/// order.
///
/// # Errors
/// As [`parse_object`] (the text is already UTF-8, so never [`JsonErrorKind::InvalidUtf8`]).
pub fn object_member_spans(input: &str) -> Result<Vec<(JsString, Range<usize>)>, JsonError> {
    let mut parser = Parser::new(input);
    parser.skip_whitespace();
    let start = parser.pos;
    if parser.peek() != Some(b'{') {
        // Tell a syntax error apart from valid JSON that is not an object, as parse_object does.
        parser.value(0)?;
        parser.finish()?;
        return Err(JsonError {
            kind: JsonErrorKind::NotAnObject,
            offset: start,
        });
    }
    parser.bump(1);
    parser.skip_whitespace();
    let mut spans = Vec::new();
    if parser.peek() == Some(b'}') {
        parser.bump(1);
    } else {
        loop {
            let name = parser.member_name()?;
            parser.skip_whitespace();
            let value_start = parser.pos;
            // The top-level object is depth 1.
            parser.value(1)?;
            spans.push((name, value_start..parser.pos));
            parser.skip_whitespace();
            match parser.next_byte()? {
                b',' => parser.skip_whitespace(),
                b'}' => break,
                _ => return Err(parser.error_before(JsonErrorKind::UnexpectedCharacter)),
            }
        }
    }
    parser.finish()?;
    Ok(spans)
}

/// `text` as a JSON string literal, quotes included, exactly as JavaScript's `JSON.stringify`
/// writes it: `"` and `\` escaped, `\b \f \n \r \t` for those controls, `\u00xx` (lowercase hex)
/// for the other controls below U+0020, everything else (`/`, DEL, U+2028, ...) as is.
#[must_use]
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len().saturating_add(2));
    out.push('"');
    push_quoted(&mut out, text);
    out.push('"');
    out
}

/// As [`quote`], of a [`MARK`]-encoded string: a lone surrogate as `\udxxx`. A U+FFFD not
/// followed by U+FFFD or a surrogate's character (not in a [`JsString`]) is written as itself.
fn quote_marked(text: &str) -> String {
    let mut out = String::with_capacity(text.len().saturating_add(2));
    out.push('"');
    let mut pieces = text.split(MARK);
    if let Some(first) = pieces.next() {
        push_quoted(&mut out, first);
    }
    // After each MARK: a second MARK (an empty piece, when the input had U+FFFD U+FFFD), or a
    // surrogate's character at the start of the piece.
    let mut after_doubled = false;
    for piece in pieces {
        if after_doubled {
            after_doubled = false;
            push_quoted(&mut out, piece);
            continue;
        }
        let mut chars = piece.chars();
        match chars.next() {
            None => {
                out.push(MARK);
                after_doubled = true;
            }
            Some(c) if (0x10_D800..=0x10_DFFF).contains(&u32::from(c)) => {
                let unit = u32::from(c).wrapping_sub(SURROGATE_OFFSET);
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(char::from_digit((unit >> shift) & 0xF, 16).unwrap_or('0'));
                }
                push_quoted(&mut out, chars.as_str());
            }
            Some(_) => {
                out.push(MARK);
                push_quoted(&mut out, piece);
            }
        }
    }
    out.push('"');
    out
}

/// Writes plain text (no [`MARK`]) with `JSON.stringify`'s escapes.
fn push_quoted(out: &mut String, text: &str) {
    // Each piece is a run of plain characters, possibly ending with one that needs an escape.
    for piece in text.split_inclusive(needs_escape) {
        let mut chars = piece.chars();
        match chars.next_back() {
            Some(last) if needs_escape(last) => {
                out.push_str(chars.as_str());
                push_escaped(out, last);
            }
            _ => out.push_str(piece),
        }
    }
}

fn needs_escape(c: char) -> bool {
    c < ' ' || c == '"' || c == '\\'
}

fn push_escaped(out: &mut String, c: char) {
    let short = match c {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\u{8}' => "\\b",
        '\u{c}' => "\\f",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        _ => "",
    };
    if short.is_empty() {
        let code = u32::from(c);
        out.push_str("\\u00");
        out.push(char::from_digit((code >> 4) & 0xF, 16).unwrap_or('0'));
        out.push(char::from_digit(code & 0xF, 16).unwrap_or('0'));
    } else {
        out.push_str(short);
    }
}

fn utf8(input: &[u8]) -> Result<&str, JsonError> {
    std::str::from_utf8(input).map_err(|err| JsonError {
        kind: JsonErrorKind::InvalidUtf8,
        offset: err.valid_up_to(),
    })
}

/// An array or object still open, with what has been read of it.
enum Frame {
    Array(Vec<Value>),
    /// The members so far, and the name whose value is being read.
    Object(Object, JsString),
}

/// The open containers. The innermost is kept out of the `Vec`, so a document without nested
/// containers (a token header or claims set) needs no allocation for them.
#[derive(Default)]
struct Stack {
    innermost: Option<Frame>,
    /// The others, outermost first.
    outer: Vec<Frame>,
}

impl Stack {
    /// How many containers are open.
    fn depth(&self) -> usize {
        self.outer
            .len()
            .saturating_add(usize::from(self.innermost.is_some()))
    }

    fn push(&mut self, frame: Frame) {
        if let Some(enclosing) = self.innermost.replace(frame) {
            self.outer.push(enclosing);
        }
    }

    fn pop(&mut self) -> Option<Frame> {
        let frame = self.innermost.take();
        self.innermost = self.outer.pop();
        frame
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// The next byte to read, at most `bytes.len()`.
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn error(&self, kind: JsonErrorKind) -> JsonError {
        JsonError {
            kind,
            offset: self.pos,
        }
    }

    /// An error at the byte just consumed.
    fn error_before(&self, kind: JsonErrorKind) -> JsonError {
        JsonError {
            kind,
            offset: self.pos.saturating_sub(1),
        }
    }

    /// [`JsonErrorKind::UnexpectedEnd`] at the end, `kind` anywhere else.
    fn error_here(&self, kind: JsonErrorKind) -> JsonError {
        if self.pos >= self.bytes.len() {
            self.error(JsonErrorKind::UnexpectedEnd)
        } else {
            self.error(kind)
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// Moves `n` bytes on. Callers only skip bytes they have looked at, so `pos` stays within the
    /// input (and past it, `peek` and `rest` would only see the end).
    fn bump(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n);
    }

    fn next_byte(&mut self) -> Result<u8, JsonError> {
        let byte = self
            .peek()
            .ok_or_else(|| self.error(JsonErrorKind::UnexpectedEnd))?;
        self.bump(1);
        Ok(byte)
    }

    fn skip_whitespace(&mut self) {
        let n = self
            .rest()
            .iter()
            .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        self.bump(n);
    }

    /// After the value: only whitespace may follow.
    fn finish(&mut self) -> Result<(), JsonError> {
        self.skip_whitespace();
        if self.pos < self.bytes.len() {
            return Err(self.error(JsonErrorKind::TrailingCharacters));
        }
        Ok(())
    }

    /// The text between two offsets that both sit just before an ASCII byte (or at the end).
    fn slice(&self, start: usize, end: usize) -> Result<&'a str, JsonError> {
        self.text
            .get(start..end)
            .ok_or_else(|| self.error(JsonErrorKind::UnexpectedCharacter))
    }

    /// One value starting at `pos` (whitespace already skipped), inside `outer_depth` containers.
    /// Containers are kept on an explicit stack, so this never recurses.
    fn value(&mut self, outer_depth: usize) -> Result<Value, JsonError> {
        let mut stack = Stack::default();
        'value: loop {
            let mut done = match self.peek() {
                Some(open @ (b'[' | b'{')) => {
                    if outer_depth.saturating_add(stack.depth()) >= MAX_DEPTH {
                        return Err(self.error(JsonErrorKind::TooDeep));
                    }
                    self.bump(1);
                    self.skip_whitespace();
                    match (open, self.peek()) {
                        (b'[', Some(b']')) => {
                            self.bump(1);
                            Value::Array(Vec::new())
                        }
                        (b'[', _) => {
                            stack.push(Frame::Array(Vec::new()));
                            continue 'value;
                        }
                        (_, Some(b'}')) => {
                            self.bump(1);
                            Value::Object(Object::default())
                        }
                        _ => {
                            let name = self.member_name()?;
                            stack.push(Frame::Object(Object::default(), name));
                            self.skip_whitespace();
                            continue 'value;
                        }
                    }
                }
                Some(b'"') => Value::String(self.string()?),
                Some(b't') => self.literal(b"true", Value::Bool(true))?,
                Some(b'f') => self.literal(b"false", Value::Bool(false))?,
                Some(b'n') => self.literal(b"null", Value::Null)?,
                Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
                Some(_) => return Err(self.error(JsonErrorKind::UnexpectedCharacter)),
                None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
            };
            // A value is complete: hand it to the innermost open container, closing containers
            // for as long as their closing bracket follows.
            loop {
                let Some(frame) = stack.innermost.as_mut() else {
                    // (Whitespace after the value is the caller's: spans end at the value.)
                    return Ok(done);
                };
                self.skip_whitespace();
                match frame {
                    Frame::Array(items) => {
                        items.push(done);
                        match self.next_byte()? {
                            b',' => {
                                self.skip_whitespace();
                                continue 'value;
                            }
                            b']' => {}
                            _ => return Err(self.error_before(JsonErrorKind::UnexpectedCharacter)),
                        }
                    }
                    Frame::Object(object, name) => {
                        object.members.push((std::mem::take(name), done));
                        match self.next_byte()? {
                            b',' => {
                                self.skip_whitespace();
                                *name = self.member_name()?;
                                self.skip_whitespace();
                                continue 'value;
                            }
                            b'}' => {}
                            _ => return Err(self.error_before(JsonErrorKind::UnexpectedCharacter)),
                        }
                    }
                }
                // The closing bracket was read: the container is a complete value in turn.
                done = match stack.pop() {
                    Some(Frame::Array(items)) => Value::Array(items),
                    Some(Frame::Object(object, _)) => Value::Object(object),
                    // Not reached: the stack had this frame on top a moment ago.
                    None => return Err(self.error_before(JsonErrorKind::UnexpectedCharacter)),
                };
            }
        }
    }

    /// `"name"`, whitespace, `:`.
    fn member_name(&mut self) -> Result<JsString, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.error_here(JsonErrorKind::UnexpectedCharacter));
        }
        let name = match self.common_name() {
            Some(common) => JsString(Cow::Borrowed(common)),
            None => self.string()?,
        };
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.error_here(JsonErrorKind::UnexpectedCharacter));
        }
        self.bump(1);
        Ok(name)
    }

    /// At an opening quote: one of [`COMMON_NAMES`] written as is and its closing quote, skipped.
    /// (Those names hold no character that needs an escape, so the text is the name.)
    fn common_name(&mut self) -> Option<&'static str> {
        let text = self.rest().get(1..)?;
        let len = text
            .iter()
            .take(MAX_COMMON_NAME_LEN.saturating_add(1))
            .position(|&b| b == b'"')?;
        let name = common_name(text.get(..len)?)?;
        self.bump(len.saturating_add(2));
        Some(name)
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Result<Value, JsonError> {
        let matched = self
            .rest()
            .iter()
            .zip(word)
            .take_while(|(a, b)| a == b)
            .count();
        self.bump(matched);
        if matched == word.len() {
            Ok(value)
        } else {
            Err(self.error_here(JsonErrorKind::UnexpectedCharacter))
        }
    }

    /// The number of ASCII digits at `pos`, skipped.
    fn digits(&mut self) -> usize {
        let n = self
            .rest()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.bump(n);
        n
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, then the correctly rounded `f64`.
    fn number(&mut self) -> Result<f64, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.bump(1);
        }
        match self.peek() {
            Some(b'0') => {
                self.bump(1);
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return Err(self.error(JsonErrorKind::InvalidNumber));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error_here(JsonErrorKind::InvalidNumber)),
        }
        if self.peek() == Some(b'.') {
            self.bump(1);
            if self.digits() == 0 {
                return Err(self.error_here(JsonErrorKind::InvalidNumber));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump(1);
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump(1);
            }
            if self.digits() == 0 {
                return Err(self.error_here(JsonErrorKind::InvalidNumber));
            }
        }
        // Rust's float parsing accepts every string of this grammar, rounds correctly as
        // JavaScript does, gives infinity past the largest f64 and keeps the sign of `-0`.
        self.slice(start, self.pos)?
            .parse::<f64>()
            .map_err(|_| JsonError {
                kind: JsonErrorKind::InvalidNumber,
                offset: start,
            })
    }

    /// A string starting at its opening quote. Runs without escapes are copied whole; a string
    /// without any escape is one allocation of its exact length.
    fn string(&mut self) -> Result<JsString, JsonError> {
        self.bump(1);
        let start = self.pos;
        self.skip_plain();
        let mut out = match self.peek() {
            Some(b'"') => {
                let run = self.slice(start, self.pos)?;
                let mut s = String::with_capacity(run.len());
                push_text(&mut s, run);
                self.bump(1);
                return Ok(JsString(Cow::Owned(s)));
            }
            Some(b'\\') => {
                let run = self.slice(start, self.pos)?;
                let mut out = String::with_capacity(run.len().saturating_add(16));
                push_text(&mut out, run);
                out
            }
            Some(_) => return Err(self.error(JsonErrorKind::ControlCharacterInString)),
            None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
        };
        // At a backslash.
        loop {
            self.bump(1);
            self.escape(&mut out)?;
            let run_start = self.pos;
            self.skip_plain();
            push_text(&mut out, self.slice(run_start, self.pos)?);
            match self.peek() {
                Some(b'"') => {
                    self.bump(1);
                    return Ok(JsString(Cow::Owned(out)));
                }
                Some(b'\\') => {}
                Some(_) => return Err(self.error(JsonErrorKind::ControlCharacterInString)),
                None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
            }
        }
    }

    /// Skips to the next `"`, `\` or control character (or the end).
    fn skip_plain(&mut self) {
        let n = plain_prefix_len(self.rest());
        self.bump(n);
    }

    /// After a backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let decoded = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.bump(1);
                return self.unicode_escape(out);
            }
            _ => return Err(self.error_here(JsonErrorKind::InvalidEscape)),
        };
        self.bump(1);
        out.push(decoded);
        Ok(())
    }

    /// After `\u`: four hex digits. A high surrogate followed by a `\u` escape of a low surrogate
    /// combine into one character; any other surrogate, which `JSON.parse` keeps as a lone UTF-16
    /// unit, is kept as [`MARK`] and its character, and what follows is read on its own.
    fn unicode_escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let unit = self.hex4()?;
        if (0xD800..0xDC00).contains(&unit) {
            if let Some(low) = self.low_surrogate_escape() {
                self.bump(6);
                let code = 0x10000_u32
                    .wrapping_add((unit & 0x3FF) << 10)
                    .wrapping_add(low & 0x3FF);
                out.push(char::from_u32(code).unwrap_or(MARK));
                return Ok(());
            }
        }
        match char::from_u32(unit) {
            Some(MARK) => {
                out.push(MARK);
                out.push(MARK);
            }
            Some(c) => out.push(c),
            // A lone surrogate (0xD800..=0xDFFF): U+10D800..=U+10DFFF are characters.
            None => {
                out.push(MARK);
                out.push(char::from_u32(unit.wrapping_add(SURROGATE_OFFSET)).unwrap_or(MARK));
            }
        }
        Ok(())
    }

    /// The unit of a `\uXXXX` escape of a low surrogate at `pos`, if that is what follows.
    fn low_surrogate_escape(&self) -> Option<u32> {
        match *self.rest() {
            [b'\\', b'u', a, b, c, d, ..] => {
                let unit = [a, b, c, d]
                    .iter()
                    .try_fold(0u32, |acc, &h| Some((acc << 4) | hex_digit(h)?))?;
                (0xDC00..0xE000).contains(&unit).then_some(unit)
            }
            _ => None,
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut unit = 0u32;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(hex_digit)
                .ok_or_else(|| self.error_here(JsonErrorKind::InvalidEscape))?;
            unit = (unit << 4) | digit;
            self.bump(1);
        }
        Ok(unit)
    }
}

fn hex_digit(byte: u8) -> Option<u32> {
    char::from(byte).to_digit(16)
}

/// Whether `byte` ends a run of string content: `"`, `\` or a control character.
fn is_special(byte: u8) -> bool {
    byte == b'"' || byte == b'\\' || byte < 0x20
}

/// The length of the longest prefix of `bytes` without `"`, `\` or a control character. Eight
/// bytes are tested at a time (SWAR), then the block with the special byte one at a time.
fn plain_prefix_len(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const QUOTES: u64 = 0x2222_2222_2222_2222;
    const BACKSLASHES: u64 = 0x5C5C_5C5C_5C5C_5C5C;
    const SPACES: u64 = 0x2020_2020_2020_2020;
    // Non-zero when some byte of `word` is zero / below 0x20 (each flag's high bit is exact for
    // "some byte qualifies", which is all that is asked here).
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let mut skipped = 0usize;
    let mut blocks = bytes.chunks_exact(8);
    for block in blocks.by_ref() {
        let Ok(block) = <[u8; 8]>::try_from(block) else {
            break;
        };
        let word = u64::from_le_bytes(block);
        let below_space = word.wrapping_sub(SPACES) & !word & HIGHS;
        if has_zero(word ^ QUOTES) | has_zero(word ^ BACKSLASHES) | below_space != 0 {
            break;
        }
        skipped = skipped.saturating_add(8);
    }
    let tail = bytes.get(skipped..).unwrap_or_default();
    let more = tail
        .iter()
        .position(|&b| is_special(b))
        .unwrap_or(tail.len());
    skipped.saturating_add(more)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::string_slice,
        clippy::arithmetic_side_effects,
        clippy::as_conversions,
        clippy::cast_possible_truncation
    )]
    use super::*;

    #[test]
    fn utf16_units_are_the_javascript_string() {
        let Value::String(s) = ok(r#""a\ud800\ufffd\udc00\ud83d\ude00é""#) else {
            panic!("not a string");
        };
        assert_eq!(
            s.to_utf16(),
            vec![0x61, 0xD800, 0xFFFD, 0xDC00, 0xD83D, 0xDE00, 0xE9]
        );
        assert_eq!(
            JsString::from_text("x\u{FFFD}").to_utf16(),
            vec![0x78, 0xFFFD]
        );
    }

    fn ok(text: &str) -> Value {
        parse(text.as_bytes()).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn err(text: &[u8]) -> JsonError {
        match parse(text) {
            Ok(v) => panic!("{:?} parsed as {v:?}", String::from_utf8_lossy(text)),
            Err(e) => e,
        }
    }

    fn kind(text: &[u8]) -> JsonErrorKind {
        err(text).kind
    }

    fn num(text: &str) -> f64 {
        ok(text)
            .as_f64()
            .unwrap_or_else(|| panic!("{text:?} is not a number"))
    }

    use crate::test_rng::Rng;

    /// Writes a value back as JSON (numbers in a form that reads back to the same f64).
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) if n.is_nan() => out.push_str("null"),
            Value::Number(n) if n.is_infinite() => {
                out.push_str(if *n > 0.0 { "1e999" } else { "-1e999" });
            }
            Value::Number(n) => out.push_str(&format!("{n:e}")),
            Value::String(s) => out.push_str(&s.to_json()),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            Value::Object(object) => {
                out.push('{');
                for (i, (name, item)) in object.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&name.to_json());
                    out.push(':');
                    write(item, out);
                }
                out.push('}');
            }
        }
    }

    #[test]
    fn literals_and_whitespace() {
        assert_eq!(ok("null"), Value::Null);
        assert_eq!(ok("true"), Value::Bool(true));
        assert_eq!(ok("false"), Value::Bool(false));
        assert_eq!(ok(" \t\r\n null \t\r\n "), Value::Null);
        assert_eq!(
            ok("[ 1 , \"a\" , { \"k\" : [ ] } ]")
                .as_array()
                .unwrap()
                .len(),
            3
        );
        // Only those four whitespace characters.
        for bad in [
            "\u{c}1",
            "\u{b}1",
            "1\u{c}",
            "\u{a0}1",
            "\u{feff}{}",
            "\u{2028}1",
            "\u{3000}1",
            "[1,\u{c}2]",
            "\u{0}1",
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert_eq!(kind(b"tru"), JsonErrorKind::UnexpectedEnd);
        assert_eq!(kind(b"nul"), JsonErrorKind::UnexpectedEnd);
        assert_eq!(kind(b"f"), JsonErrorKind::UnexpectedEnd);
        assert_eq!(
            err(b"trUe"),
            JsonError {
                kind: JsonErrorKind::UnexpectedCharacter,
                offset: 2
            }
        );
        assert_eq!(kind(b"True"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(kind(b"NULL"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(kind(b"truex"), JsonErrorKind::TrailingCharacters);
        assert_eq!(kind(b"undefined"), JsonErrorKind::UnexpectedCharacter);
    }

    #[test]
    fn numbers() {
        assert_eq!(num("0"), 0.0);
        assert!(num("0").is_sign_positive());
        assert!(num("-0").is_sign_negative());
        assert!(num("-0.0").is_sign_negative());
        assert!(num("-0e5").is_sign_negative());
        assert_eq!(num("-12.5e+2"), -1250.0);
        assert_eq!(num("1E-2"), 0.01);
        assert_eq!(num("1e2"), 100.0);
        assert_eq!(num("1E+2"), 100.0);
        assert_eq!(num("10"), 10.0);
        assert_eq!(num("0.1"), 0.1);
        assert_eq!(num("0e0"), 0.0);
        assert_eq!(num("123456789"), 123_456_789.0);
        assert_eq!(num("1e400"), f64::INFINITY);
        assert_eq!(num("-1e400"), f64::NEG_INFINITY);
        assert_eq!(num("1e-400"), 0.0);
        assert!(num("-1e-400").is_sign_negative());
        assert_eq!(num("1e99999999999999999999999"), f64::INFINITY);
        assert_eq!(num("1.7976931348623157e308"), f64::MAX);
        assert_eq!(num("5e-324"), 5e-324);
        assert_eq!(num("9007199254740993"), 9_007_199_254_740_992.0);
        assert_eq!(num("0.30000000000000004"), 0.1 + 0.2);
        // Many digits: still correctly rounded.
        let long = format!("0.{}1", "0".repeat(5000));
        assert_eq!(num(&long), 0.0);
        let long = format!("1{}", "0".repeat(400));
        assert_eq!(num(&long), f64::INFINITY);
        let long = format!("{}e-300", "1".repeat(300));
        assert_eq!(
            num(&long),
            format!("{}e-300", "1".repeat(300)).parse::<f64>().unwrap()
        );

        for (bad, expected) in [
            ("01", JsonErrorKind::InvalidNumber),
            ("-01", JsonErrorKind::InvalidNumber),
            ("00", JsonErrorKind::InvalidNumber),
            ("1.", JsonErrorKind::UnexpectedEnd),
            ("1.e5", JsonErrorKind::InvalidNumber),
            ("[1.]", JsonErrorKind::InvalidNumber),
            (".5", JsonErrorKind::UnexpectedCharacter),
            ("+1", JsonErrorKind::UnexpectedCharacter),
            ("-", JsonErrorKind::UnexpectedEnd),
            ("-a", JsonErrorKind::InvalidNumber),
            ("- 1", JsonErrorKind::InvalidNumber),
            ("--1", JsonErrorKind::InvalidNumber),
            ("-.5", JsonErrorKind::InvalidNumber),
            ("1e", JsonErrorKind::UnexpectedEnd),
            ("1e+", JsonErrorKind::UnexpectedEnd),
            ("1E-", JsonErrorKind::UnexpectedEnd),
            ("[1e]", JsonErrorKind::InvalidNumber),
            ("1e+-1", JsonErrorKind::InvalidNumber),
            ("1.5.5", JsonErrorKind::TrailingCharacters),
            ("1e5e5", JsonErrorKind::TrailingCharacters),
            ("0x10", JsonErrorKind::TrailingCharacters),
            ("1_000", JsonErrorKind::TrailingCharacters),
            ("NaN", JsonErrorKind::UnexpectedCharacter),
            ("Infinity", JsonErrorKind::UnexpectedCharacter),
            ("-Infinity", JsonErrorKind::InvalidNumber),
            ("-NaN", JsonErrorKind::InvalidNumber),
            ("١", JsonErrorKind::UnexpectedCharacter),
        ] {
            assert_eq!(kind(bad.as_bytes()), expected, "{bad:?}");
        }
        assert_eq!(err(b"[1,01]").offset, 4);
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(ok(r#""""#).as_str(), Some(""));
        assert_eq!(
            ok(r#""a\"\\\/\b\f\n\r\t""#).as_str(),
            Some("a\"\\/\u{8}\u{c}\n\r\t")
        );
        assert_eq!(ok(r#""\u00e9\u20AC\u0000""#).as_str(), Some("é€\0"));
        assert_eq!(
            ok("\"héllo 😀 \u{7f} \u{2028}\"").as_str(),
            Some("héllo 😀 \u{7f} \u{2028}")
        );
        assert_eq!(ok(r#""abc\ndef\\ghi""#).as_str(), Some("abc\ndef\\ghi"));
        assert_eq!(ok(r#""\"""#).as_str(), Some("\""));
        // Surrogate pairs combine; a lone surrogate is kept as MARK and U+10D800 + (unit - 0xD800),
        // and a U+FFFD of the input (raw or escaped) as MARK MARK.
        assert_eq!(ok(r#""\ud83d\ude00""#).as_str(), Some("😀"));
        assert_eq!(ok(r#""\uD83D\uDE00x""#).as_str(), Some("😀x"));
        assert_eq!(ok(r#""\udbff\udfff""#).as_str(), Some("\u{10FFFF}"));
        assert_eq!(ok(r#""\ud800\udc00""#).as_str(), Some("\u{10000}"));
        assert_eq!(ok(r#""\ud83d""#).as_str(), Some("\u{FFFD}\u{10D83D}"));
        assert_eq!(ok(r#""\ude00x""#).as_str(), Some("\u{FFFD}\u{10DE00}x"));
        assert_eq!(
            ok(r#""\ud83d\u0041""#).as_str(),
            Some("\u{FFFD}\u{10D83D}A")
        );
        assert_eq!(
            ok(r#""\ud83dx\ude00""#).as_str(),
            Some("\u{FFFD}\u{10D83D}x\u{FFFD}\u{10DE00}")
        );
        assert_eq!(
            ok(r#""\ud83d\ud83d\ude00""#).as_str(),
            Some("\u{FFFD}\u{10D83D}😀")
        );
        assert_eq!(
            ok(r#""\ude00\ud83d""#).as_str(),
            Some("\u{FFFD}\u{10DE00}\u{FFFD}\u{10D83D}")
        );
        assert_eq!(ok(r#""\ud83d\n""#).as_str(), Some("\u{FFFD}\u{10D83D}\n"));
        assert_eq!(ok(r#""\udfff""#).as_str(), Some("\u{FFFD}\u{10DFFF}"));
        assert_eq!(ok(r#""\ud800""#).as_str(), Some("\u{FFFD}\u{10D800}"));
        assert_eq!(ok(r#""\ufffd""#).as_str(), Some("\u{FFFD}\u{FFFD}"));
        assert_eq!(ok("\"a\u{FFFD}b\"").as_str(), Some("a\u{FFFD}\u{FFFD}b"));
        assert_eq!(
            ok("\"\u{FFFD}\\n\u{FFFD}\"").as_str(),
            Some("\u{FFFD}\u{FFFD}\n\u{FFFD}\u{FFFD}")
        );
        // A raw (UTF-8) character next to a lone surrogate is not paired with it.
        assert_eq!(
            ok("\"\\ud83d\u{e000}\"").as_str(),
            Some("\u{FFFD}\u{10D83D}\u{e000}")
        );

        for (bad, expected, offset) in [
            (&br#""\x""#[..], JsonErrorKind::InvalidEscape, 2),
            (br#""\u12""#, JsonErrorKind::InvalidEscape, 5),
            (br#""\u12"#, JsonErrorKind::UnexpectedEnd, 5),
            (br#""\uZZZZ""#, JsonErrorKind::InvalidEscape, 3),
            (br#""\U0041""#, JsonErrorKind::InvalidEscape, 2),
            (br#""\'""#, JsonErrorKind::InvalidEscape, 2),
            (br#""\0""#, JsonErrorKind::InvalidEscape, 2),
            (br#""\v""#, JsonErrorKind::InvalidEscape, 2),
            (br#""\a""#, JsonErrorKind::InvalidEscape, 2),
            (b"\"\\\n\"", JsonErrorKind::InvalidEscape, 2),
            (b"\"\\", JsonErrorKind::UnexpectedEnd, 2),
            (br#""\ud83d\u12""#, JsonErrorKind::InvalidEscape, 11),
            (br#""\ud83d\""#, JsonErrorKind::UnexpectedEnd, 9),
            (b"\"a\nb\"", JsonErrorKind::ControlCharacterInString, 2),
            (b"\"\x00\"", JsonErrorKind::ControlCharacterInString, 1),
            (b"\"\x1f\"", JsonErrorKind::ControlCharacterInString, 1),
            (b"\"\t\"", JsonErrorKind::ControlCharacterInString, 1),
            (b"\"\\n\r\"", JsonErrorKind::ControlCharacterInString, 3),
            (b"\"abc", JsonErrorKind::UnexpectedEnd, 4),
            (b"\"", JsonErrorKind::UnexpectedEnd, 1),
            (b"'x'", JsonErrorKind::UnexpectedCharacter, 0),
            (b"\"\xc0\xaf\"", JsonErrorKind::InvalidUtf8, 1),
            (b"\"\xed\xa0\x80\"", JsonErrorKind::InvalidUtf8, 1),
            (b"\"\xff\"", JsonErrorKind::InvalidUtf8, 1),
            (b"\"\xe2\x82\"", JsonErrorKind::InvalidUtf8, 1),
        ] {
            let e = err(bad);
            assert_eq!(
                (e.kind, e.offset),
                (expected, offset),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn long_strings_find_every_special_byte() {
        // The 8-byte scan must stop at a special byte in any position of a block.
        for len in 0..40 {
            for pos in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut text = vec![b'a'; len];
                    text[pos] = special;
                    assert_eq!(plain_prefix_len(&text), pos);
                }
                // Bytes just outside the special classes do not stop it.
                let mut text = vec![b'a'; len];
                text[pos] = [b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xff][pos % 8];
                assert_eq!(plain_prefix_len(&text), len);
            }
        }
        let mut rng = Rng(7);
        for _ in 0..20_000 {
            let text: Vec<u8> = (0..rng.below(40)).map(|_| rng.next() as u8).collect();
            let expected = text
                .iter()
                .position(|&b| is_special(b))
                .unwrap_or(text.len());
            assert_eq!(plain_prefix_len(&text), expected);
        }
        let long = format!("\"{}\\n{}\"", "é".repeat(1000), "x".repeat(1001));
        assert_eq!(ok(&long).as_str().unwrap().len(), 2000 + 1 + 1001);
    }

    #[test]
    fn arrays_and_objects() {
        assert_eq!(ok("[]"), Value::Array(vec![]));
        assert_eq!(ok("{}"), Value::Object(Object::default()));
        assert_eq!(ok("[ ]"), Value::Array(vec![]));
        assert_eq!(ok("{ }"), Value::Object(Object::default()));
        assert_eq!(
            ok("[1,[2,[]],{}]"),
            Value::Array(vec![
                Value::Number(1.0),
                Value::Array(vec![Value::Number(2.0), Value::Array(vec![])]),
                Value::Object(Object::default()),
            ])
        );
        let v = ok(r#"{"a":1,"b":{"c":[true,null]},"":"empty","a":2}"#);
        let o = v.as_object().unwrap();
        assert_eq!(o.len(), 4);
        assert!(!o.is_empty());
        assert_eq!(o.get("a"), Some(&Value::Number(2.0)), "last duplicate wins");
        assert_eq!(o.get_str(""), Some("empty"));
        assert_eq!(o.get_str("a"), None);
        assert!(o.contains_key("b"));
        assert!(!o.contains_key("c"));
        assert!(o.get("b").unwrap().as_object().unwrap().contains_key("c"));
        assert_eq!(
            o.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["a", "b", "", "a"],
            "document order, duplicates kept"
        );
        let inner = o.get("b").unwrap().as_object().unwrap().get("c").unwrap();
        assert_eq!(inner.as_array().unwrap()[0].as_bool(), Some(true));
        assert!(inner.as_array().unwrap()[1].is_null());
        // Escaped names compare decoded.
        let v = ok(r#"{"\u0061":1,"a":null}"#);
        assert!(v.as_object().unwrap().get("a").unwrap().is_null());
        let v = ok(r#"{"k":null}"#);
        assert!(v.as_object().unwrap().contains_key("k"));
        assert_eq!(v.as_object().unwrap().get_str("k"), None);

        for (bad, expected, offset) in [
            ("[1,]", JsonErrorKind::UnexpectedCharacter, 3),
            ("[,1]", JsonErrorKind::UnexpectedCharacter, 1),
            ("[1,,2]", JsonErrorKind::UnexpectedCharacter, 3),
            ("{\"a\":1,}", JsonErrorKind::UnexpectedCharacter, 7),
            ("{,}", JsonErrorKind::UnexpectedCharacter, 1),
            ("{a:1}", JsonErrorKind::UnexpectedCharacter, 1),
            ("{'a':1}", JsonErrorKind::UnexpectedCharacter, 1),
            ("{\"a\" 1}", JsonErrorKind::UnexpectedCharacter, 5),
            ("{\"a\"=1}", JsonErrorKind::UnexpectedCharacter, 4),
            ("{\"a\":}", JsonErrorKind::UnexpectedCharacter, 5),
            ("{\"a\":1 \"b\":2}", JsonErrorKind::UnexpectedCharacter, 7),
            ("{1:1}", JsonErrorKind::UnexpectedCharacter, 1),
            ("{null:1}", JsonErrorKind::UnexpectedCharacter, 1),
            ("[1 2]", JsonErrorKind::UnexpectedCharacter, 3),
            ("[1;2]", JsonErrorKind::UnexpectedCharacter, 2),
            ("[1}", JsonErrorKind::UnexpectedCharacter, 2),
            ("{\"a\":1]", JsonErrorKind::UnexpectedCharacter, 6),
            ("[", JsonErrorKind::UnexpectedEnd, 1),
            ("[1", JsonErrorKind::UnexpectedEnd, 2),
            ("[1,", JsonErrorKind::UnexpectedEnd, 3),
            ("{", JsonErrorKind::UnexpectedEnd, 1),
            ("{\"a\"", JsonErrorKind::UnexpectedEnd, 4),
            ("{\"a\":", JsonErrorKind::UnexpectedEnd, 5),
            ("{\"a\":1", JsonErrorKind::UnexpectedEnd, 6),
            ("{\"a\":1,", JsonErrorKind::UnexpectedEnd, 7),
            ("]", JsonErrorKind::UnexpectedCharacter, 0),
            ("}", JsonErrorKind::UnexpectedCharacter, 0),
            ("[]]", JsonErrorKind::TrailingCharacters, 2),
            ("{}}", JsonErrorKind::TrailingCharacters, 2),
            ("[] []", JsonErrorKind::TrailingCharacters, 3),
            ("1 2", JsonErrorKind::TrailingCharacters, 2),
            ("{} x", JsonErrorKind::TrailingCharacters, 3),
            ("null\0", JsonErrorKind::TrailingCharacters, 4),
            ("/*c*/1", JsonErrorKind::UnexpectedCharacter, 0),
            ("1 //c", JsonErrorKind::TrailingCharacters, 2),
            ("[1/*c*/]", JsonErrorKind::UnexpectedCharacter, 2),
            ("# c\n1", JsonErrorKind::UnexpectedCharacter, 0),
            ("", JsonErrorKind::UnexpectedEnd, 0),
            ("  \n ", JsonErrorKind::UnexpectedEnd, 4),
        ] {
            let e = err(bad.as_bytes());
            assert_eq!((e.kind, e.offset), (expected, offset), "{bad:?}");
        }
    }

    #[test]
    fn parse_object_wants_an_object() {
        assert!(parse_object(b" {} ").unwrap().is_empty());
        let o = parse_object(br#"{"alg":"EdDSA","alg":"none"}"#).unwrap();
        assert_eq!(o.get_str("alg"), Some("none"));
        for (text, offset) in [
            ("[]", 0),
            (" 1", 1),
            ("\"{}\"", 0),
            ("null", 0),
            ("\n[{}]", 1),
        ] {
            assert_eq!(
                parse_object(text.as_bytes()),
                Err(JsonError {
                    kind: JsonErrorKind::NotAnObject,
                    offset
                }),
                "{text:?}"
            );
        }
        // A syntax error is reported as such, not as "not an object".
        assert_eq!(
            parse_object(b"[1,]").unwrap_err().kind,
            JsonErrorKind::UnexpectedCharacter
        );
        assert_eq!(
            parse_object(b"{} {}").unwrap_err().kind,
            JsonErrorKind::TrailingCharacters
        );
        assert_eq!(
            parse_object(b"\xff").unwrap_err().kind,
            JsonErrorKind::InvalidUtf8
        );
    }

    #[test]
    fn member_spans_are_raw_text() {
        let text = r#" { "a" : {"x": [1, 2]} , "b":1e3,"a":"z\"" ,"c" : [ ] } "#;
        let spans = object_member_spans(text).unwrap();
        let raw: Vec<(&str, &str)> = spans
            .iter()
            .map(|(name, range)| (name.as_marked(), &text[range.clone()]))
            .collect();
        assert_eq!(
            raw,
            [
                ("a", r#"{"x": [1, 2]}"#),
                ("b", "1e3"),
                ("a", r#""z\"""#),
                ("c", "[ ]")
            ]
        );
        assert!(object_member_spans("{}").unwrap().is_empty());
        assert!(object_member_spans(" { } ").unwrap().is_empty());
        let not_object = object_member_spans("[1]").unwrap_err();
        assert_eq!(not_object.kind, JsonErrorKind::NotAnObject);
        for bad in [
            r#"{"a":1} x"#,
            r#"{"a":1,}"#,
            r#"{"a"}"#,
            r#"{"a":1"#,
            "[1,]",
            "",
            "{",
        ] {
            assert!(object_member_spans(bad).is_err(), "{bad:?}");
        }
        // Depth counts the top-level object.
        let deep = format!(
            "{{\"a\":{}{}}}",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert!(object_member_spans(&deep).is_ok());
        let deep = format!(
            "{{\"a\":{}{}}}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert_eq!(
            object_member_spans(&deep).unwrap_err().kind,
            JsonErrorKind::TooDeep
        );
        // Every member parse_object sees, with the same values.
        let text = r#"{"n":-0.5e1,"s":"\ud83d\ude00","o":{"p":[{}]},"n":true}"#;
        let object = parse_object(text.as_bytes()).unwrap();
        let spans = object_member_spans(text).unwrap();
        assert_eq!(spans.len(), object.len());
        for ((name, range), (key, value)) in spans.iter().zip(object.iter()) {
            assert_eq!(name, key);
            assert_eq!(&ok(&text[range.clone()]), value);
        }
    }

    #[test]
    fn common_names_are_names_like_any_other() {
        assert_eq!(
            COMMON_NAMES.iter().map(|n| n.len()).max(),
            Some(MAX_COMMON_NAME_LEN)
        );
        // Written plainly, escaped, or inserted by hand: one name, the last value wins.
        let object = parse_object(br#"{"alg":1,"al\u0067":2,"kid":"k","kidx":3,"ki":4}"#).unwrap();
        assert_eq!(object.get("alg"), Some(&Value::Number(2.0)));
        assert_eq!(object.get_str("kid"), Some("k"));
        assert_eq!(object.get("kidx"), Some(&Value::Number(3.0)));
        assert_eq!(object.get("ki"), Some(&Value::Number(4.0)));
        let mut by_hand = Object::default();
        by_hand.insert("alg".into(), Value::Number(1.0));
        by_hand.insert("alg".into(), Value::Number(2.0));
        let names: Vec<&str> = object.iter().map(|(name, _)| name.as_marked()).collect();
        assert_eq!(names, ["alg", "alg", "kid", "kidx", "ki"]);
        assert_eq!(parse_object(br#"{"alg":1,"alg":2}"#).unwrap(), by_hand);
        // A common name cut short by the end of the input, or followed by no colon.
        for bad in [
            &br#"{"alg"#[..],
            br#"{"alg""#,
            br#"{"alg" 1}"#,
            br#"{"emailVerified"#,
        ] {
            assert!(parse_object(bad).is_err());
        }
        assert_eq!(
            object_member_spans(r#"{"exp":1,"x":"y"}"#).unwrap(),
            [("exp".into(), 7..8), ("x".into(), 13..16)]
        );
    }

    /// A [`JsString`] from its [`MARK`] encoding, as the parser makes one.
    fn marked(encoding: &str) -> JsString {
        JsString(Cow::Owned(encoding.to_owned()))
    }

    #[test]
    fn quote_matches_json_stringify() {
        // Expected strings are JavaScript's JSON.stringify output.
        for (text, expected) in [
            ("", r#""""#),
            ("plain", r#""plain""#),
            ("q\"b\\s/", r#""q\"b\\s/""#),
            ("\u{8}\u{c}\n\r\t", r#""\b\f\n\r\t""#),
            ("\0\u{1}\u{b}\u{1f}", r#""\u0000\u0001\u000b\u001f""#),
            ("\u{7f}é😀\u{2028}", "\"\u{7f}é😀\u{2028}\""),
            ("a\"", r#""a\"""#),
            ("\"a", r#""\"a""#),
            // Parsed strings that hold U+FFFD or lone surrogates (see MARK).
            ("\u{fffd}\u{fffd}", "\"\u{fffd}\""),
            (
                "x\u{fffd}\u{fffd}\u{fffd}\u{fffd}y",
                "\"x\u{fffd}\u{fffd}y\"",
            ),
            ("\u{fffd}\u{10d800}", r#""\ud800""#),
            ("a\u{fffd}\u{10dfff}\n", r#""a\udfff\n""#),
            ("\u{fffd}\u{10dc00}\u{fffd}\u{10d800}", r#""\udc00\ud800""#),
            ("\u{fffd}\u{fffd}\u{fffd}\u{10db00}", "\"\u{fffd}\\udb00\""),
            ("\u{10d800}", "\"\u{10d800}\""),
        ] {
            assert_eq!(marked(text).to_json(), expected, "{text:?}");
            assert_eq!(ok(&marked(text).to_json()).as_str(), Some(text));
        }
        // A U+FFFD that is not the first of a pair (not the parser's encoding) is written as is.
        assert_eq!(marked("a\u{fffd}b").to_json(), "\"a\u{fffd}b\"");
        assert_eq!(marked("\u{fffd}").to_json(), "\"\u{fffd}\"");
        // Plain text is quoted as it is, U+FFFD included.
        assert_eq!(quote("a\u{fffd}\u{fffd}b"), "\"a\u{fffd}\u{fffd}b\"");
        let every_char: String = (0..0x800).filter_map(char::from_u32).collect();
        assert_eq!(ok(&quote(&every_char)).as_str(), Some(every_char.as_str()));
    }

    #[test]
    fn js_strings_meet_rust_text_as_javascript_would() {
        // (parsed JSON, the Rust text of the same JavaScript string or None, the text shown)
        let cases = [
            (r#""plain""#, Some("plain"), "plain"),
            (r#""\ufffd""#, Some("\u{fffd}"), "\u{fffd}"),
            (
                "\"a\u{fffd}\u{fffd}b\"",
                Some("a\u{fffd}\u{fffd}b"),
                "a\u{fffd}\u{fffd}b",
            ),
            (r#""\ud83d\ude00""#, Some("😀"), "😀"),
            (r#""\ud800""#, None, "\u{fffd}"),
            (r#""x\udc00\ufffdy""#, None, "x\u{fffd}\u{fffd}y"),
            ("\"\u{10d800}\"", Some("\u{10d800}"), "\u{10d800}"),
        ];
        for (json, text, shown) in cases {
            let Value::String(parsed) = ok(json) else {
                panic!("{json} is a string")
            };
            assert_eq!(parsed.to_text_lossy(), shown, "{json}");
            assert_eq!(parsed.to_string(), shown, "{json}");
            assert_eq!(
                ok(&parsed.to_json()),
                Value::String(parsed.clone()),
                "{json}"
            );
            if let Some(text) = text {
                assert!(parsed.is(text) && parsed == *text, "{json} is {text:?}");
                assert_eq!(JsString::from_text(text), parsed, "{json}");
                assert_eq!(JsString::from(text.to_owned()), parsed, "{json}");
            }
            // Never equal to the text shown in its place when it holds a lone surrogate.
            assert_eq!(parsed.is(shown), text.is_some(), "{json} vs {shown:?}");
        }
        assert!(!ok(r#""\ufffd""#).as_js().unwrap().is("\u{fffd}\u{fffd}"));
        assert!(!ok(r#""ab""#).as_js().unwrap().is("a"));
        assert!(!ok(r#""a""#).as_js().unwrap().is("ab"));
        assert_eq!(
            JsString::from_static("\u{fffd}"),
            JsString::from_text("\u{fffd}")
        );
        assert_eq!(JsString::from_static("iss").as_marked(), "iss");
        assert_eq!(JsString::EMPTY, JsString::from_text(""));
    }

    #[test]
    fn strings_compare_as_javascript_strings() {
        // Equal here exactly when equal in JavaScript: lone surrogates are neither each other nor
        // U+FFFD, and the escaped and raw forms of one character are one string.
        let texts = [
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\ud800\udc00""#,
            "\"\u{10000}\"",
            r#""\ufffd""#,
            "\"\u{fffd}\"",
            r#""\ufffd\ufffd""#,
            r#""\ud800\ud800""#,
            r#""\ud800\ufffd""#,
            r#""\ufffd\ud800""#,
            "\"\u{10d800}\"",
            "\"\u{fffd}\u{10d800}\"",
        ];
        // JavaScript-equal pairs, by index into `texts`.
        let same = |a: usize, b: usize| a == b || matches!((a.min(b), a.max(b)), (2, 3) | (4, 5));
        for (i, a) in texts.iter().enumerate() {
            for (j, b) in texts.iter().enumerate() {
                assert_eq!(ok(a) == ok(b), same(i, j), "{a} vs {b}");
            }
        }
        // Member names too: two lone surrogates are two members, as with JSON.parse.
        let object = parse_object(br#"{"\ud800":1,"\udc00":2,"\ufffd":3}"#).unwrap();
        assert_eq!(object.len(), 3);
    }

    #[test]
    fn depth_is_bounded() {
        let nested =
            |depth: usize, open: &str, close: &str| open.repeat(depth) + &close.repeat(depth);
        assert!(parse(nested(MAX_DEPTH, "[", "]").as_bytes()).is_ok());
        assert!(parse(
            nested(MAX_DEPTH - 1, "{\"a\":", "}")
                .replace(":}", ":{}}")
                .as_bytes()
        )
        .is_ok());
        assert!(parse(nested(MAX_DEPTH, "{\"a\":[", "]}").as_bytes()).is_err());
        let deep_objects = nested(MAX_DEPTH - 1, "{\"a\":", "}");
        // 127 objects around an empty object: 128 deep.
        let doc = deep_objects.replacen("}", "{}}", 1);
        assert!(parse(doc.as_bytes()).is_ok());
        let doc = deep_objects.replacen("}", "{\"b\":[]}}", 1);
        assert_eq!(kind(doc.as_bytes()), JsonErrorKind::TooDeep);
        // The 129th opening bracket is the one reported, empty or not.
        let e = err(nested(MAX_DEPTH + 1, "[", "]").as_bytes());
        assert_eq!((e.kind, e.offset), (JsonErrorKind::TooDeep, MAX_DEPTH));
        let doc = format!("{}[1]{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(kind(doc.as_bytes()), JsonErrorKind::TooDeep);
        // Deep in width as well: depth is per path, not per document.
        let wide = format!(
            "[{}]",
            vec![nested(MAX_DEPTH - 1, "[", "]"); 1000].join(",")
        );
        assert!(parse(wide.as_bytes()).is_ok());
    }

    #[test]
    #[cfg_attr(
        target_arch = "wasm32",
        ignore = "spawns a thread: none on wasm32-unknown-unknown"
    )]
    fn hostile_nesting_neither_overflows_nor_recurses() {
        for unit in ["[", "{\"a\":", "[{\"\":"] {
            let hostile = unit.repeat(100_000);
            assert_eq!(kind(hostile.as_bytes()), JsonErrorKind::TooDeep);
            let closed = hostile.clone() + &"]".repeat(100_000);
            assert_eq!(kind(closed.as_bytes()), JsonErrorKind::TooDeep);
        }
        // Run on a small stack: nothing here depends on recursion depth.
        let handle = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(|| {
                let doc = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
                assert!(parse(doc.as_bytes()).is_ok());
                let doc = "[{\"a\":".repeat(1_000_000);
                assert_eq!(kind(doc.as_bytes()), JsonErrorKind::TooDeep);
            })
            .unwrap();
        handle.join().unwrap();
    }

    #[test]
    #[cfg_attr(
        target_arch = "wasm32",
        ignore = "timed: no clock on wasm32-unknown-unknown"
    )]
    fn large_inputs_take_linear_time() {
        // About 1 MB of numbers, then the same with strings and objects.
        let numbers = format!("[{}0]", "-1.5e3,123456,0.25,".repeat(55_000));
        assert!(numbers.len() > 1_000_000);
        let strings = format!(
            "[{}0]",
            r#"{"k":"v\n\u00e9","x":[true,null]},"#.repeat(30_000)
        );
        assert!(strings.len() > 1_000_000);
        let long_string = format!("\"{}\"", "abcdefgh".repeat(150_000));
        let many_escapes = format!("\"{}\"", "\\u0041\\n".repeat(100_000));
        let many_keys = format!("{{{}\"z\":0}}", "\"a\":1,".repeat(200_000));
        for doc in [&numbers, &strings, &long_string, &many_escapes, &many_keys] {
            let start = std::time::Instant::now();
            let value = ok(doc);
            // Generous even for an unoptimised build on a loaded machine; quadratic behaviour on
            // a megabyte would take minutes.
            assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
            drop(value);
        }
        assert_eq!(ok(&numbers).as_array().unwrap().len(), 165_001);
        assert_eq!(ok(&many_escapes).as_str().unwrap().len(), 200_000);
        assert_eq!(
            ok(&many_keys).as_object().unwrap().get("a"),
            Some(&Value::Number(1.0))
        );
    }

    #[test]
    fn every_truncation_is_an_error_and_never_panics() {
        let sample = r#" {"sub":"u\u00e9\ud83d\ude00","aud":["a","b"],"exp":1.7e9,"n":null,"t":true,"f":false,"o":{"x":-0.5E-3,"é":"😀"},"e":[],"z":{}} "#;
        assert!(parse(sample.as_bytes()).is_ok());
        let bytes = sample.as_bytes();
        let end_of_value = sample.trim_end().len();
        for end in 0..end_of_value {
            let e = err(&bytes[..end]);
            assert!(
                matches!(
                    e.kind,
                    JsonErrorKind::UnexpectedEnd | JsonErrorKind::InvalidUtf8
                ),
                "{end}: {e}"
            );
            assert!(e.offset <= end);
            assert!(object_member_spans(std::str::from_utf8(&bytes[..end]).unwrap_or("")).is_err());
        }
        // Every single byte removed or replaced: never a panic.
        for pos in 0..bytes.len() {
            let mut cut = bytes.to_vec();
            cut.remove(pos);
            let _ = parse(&cut);
            for replacement in [b'"', b'\\', b'{', b']', b',', b'0', 0xff, 0x01] {
                let mut changed = bytes.to_vec();
                changed[pos] = replacement;
                let _ = parse(&changed);
            }
        }
    }

    #[test]
    fn random_documents_never_panic_and_round_trip() {
        let pieces: [&[u8]; 34] = [
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"",
            b"\\",
            b"\\u",
            b"d83d",
            b"\\ude00",
            b"dc00",
            b":",
            b",",
            b"1e9",
            b"-",
            b"0",
            b".",
            b"e",
            b"+",
            b"true",
            b"false",
            b"null",
            b"tru",
            b" ",
            b"\n",
            b"\t",
            b"\"a\"",
            b"\"k\":",
            b"\\n",
            b"\\/",
            b"\xc3\xa9",
            b"\xf0\x9f\x98\x80",
            b"\xff",
            b"\x00",
            b"12.5",
        ];
        let sample = br#"{"sub":"u\u00e9\ud83d\ude00","aud":["a","b"],"exp":1.7e9,"o":{"x":-0.5E-3},"e":[],"a":1,"a":[2]}"#;
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut accepted, mut objects) = (0, 0);
        for round in 0..20_000 {
            let mut doc = Vec::new();
            if round % 2 == 0 {
                // Token soup with some random bytes.
                for _ in 0..rng.below(24) {
                    if rng.below(6) == 0 {
                        doc.push(rng.next() as u8);
                    } else {
                        doc.extend_from_slice(pieces[rng.below(pieces.len())]);
                    }
                }
            } else {
                // A valid document with one to three bytes replaced, inserted or removed.
                doc.extend_from_slice(sample);
                for _ in 0..=rng.below(3) {
                    let pos = rng.below(doc.len());
                    let byte = if rng.below(2) == 0 {
                        rng.next() as u8
                    } else {
                        b"{}[]\",:\\ -.eE0123456789tfnu"[rng.below(27)]
                    };
                    match rng.below(3) {
                        0 => doc[pos] = byte,
                        1 => doc.insert(pos, byte),
                        _ => {
                            doc.remove(pos);
                        }
                    }
                }
            }
            let parsed = parse(&doc);
            let object = parse_object(&doc);
            assert_eq!(matches!(parsed, Ok(Value::Object(_))), object.is_ok());
            // The spans of the members are those parse_object reads, in the same order.
            if let Ok(text) = std::str::from_utf8(&doc) {
                match (&object, object_member_spans(text)) {
                    (Ok(object), Ok(spans)) => {
                        objects += 1;
                        assert_eq!(spans.len(), object.len());
                        for ((name, range), (key, value)) in spans.iter().zip(object.iter()) {
                            assert_eq!(name, key);
                            assert_eq!(&ok(&text[range.clone()]), value);
                        }
                    }
                    (Err(e), Err(f)) => assert_eq!(e, &f),
                    (left, right) => panic!("{text:?}: {left:?} but {right:?}"),
                }
            }
            match parsed {
                Ok(value) => {
                    accepted += 1;
                    let mut text = String::new();
                    write(&value, &mut text);
                    assert_eq!(ok(&text), value, "{:?}", String::from_utf8_lossy(&doc));
                }
                Err(e) => assert!(e.offset <= doc.len()),
            }
        }
        assert!(accepted > 1000, "too few valid documents: {accepted}");
        assert!(objects > 500, "too few objects: {objects}");
    }

    #[test]
    fn random_values_round_trip() {
        fn generate(rng: &mut Rng, depth: usize) -> Value {
            match rng.below(if depth >= 6 { 4 } else { 6 }) {
                0 => Value::Null,
                1 => Value::Bool(rng.below(2) == 0),
                2 => Value::Number(f64::from_bits(rng.next())),
                3 => Value::String(
                    (0..rng.below(12))
                        .map(|_| {
                            let c = match rng.below(4) {
                                0 => rng.below(0x80) as u32,
                                1 => rng.below(0x20) as u32,
                                2 => rng.below(0x11_0000) as u32,
                                _ => [0x22, 0x5c, 0x2f, 0xfffd][rng.below(4)],
                            };
                            char::from_u32(c).unwrap_or('\u{fffd}')
                        })
                        .collect::<String>()
                        .into(),
                ),
                4 => Value::Array(
                    (0..rng.below(5))
                        .map(|_| generate(rng, depth + 1))
                        .collect(),
                ),
                _ => {
                    let mut o = Object::default();
                    for _ in 0..rng.below(5) {
                        let name = ["a", "b", "", "é", "\n"][rng.below(5)].into();
                        o.insert(name, generate(rng, depth + 1));
                    }
                    Value::Object(o)
                }
            }
        }
        let mut rng = Rng(42);
        for _ in 0..3000 {
            // (A NaN is written as null, so the first text may differ from the value; the second
            // pass must reproduce it exactly.)
            let value = generate(&mut rng, 0);
            let mut text = String::new();
            write(&value, &mut text);
            let parsed = ok(&text);
            let mut again = String::new();
            write(&parsed, &mut again);
            assert_eq!(text, again);
        }
    }

    #[test]
    fn messages_never_echo_input() {
        let e = err(b"{\"secret\": nope}");
        assert_eq!(
            e.to_string(),
            "invalid JSON: unexpected character at byte 12"
        );
        assert_eq!(
            err(b"\"secret\xff").to_string(),
            "invalid JSON: not valid UTF-8 at byte 7"
        );
        for text in [&b"[1,"[..], b"01", b"\"\\x\"", b"\"\x01\"", b"1 2", b"\xff"] {
            let message = err(text).to_string();
            assert!(message.starts_with("invalid JSON: "), "{message}");
        }
    }
}
