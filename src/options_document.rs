//! The options document: [`VerifyOptions`] (without the time and the secret) as a small JSON
//! object, the form in which a binding hands options over once. `js/options.ts` writes it, already
//! validated and normalised (durations in seconds, single values as one-element lists); this file
//! maps its members onto the Rust options and refuses a member of the wrong type.
//!
//! Members: `algorithms`, `issuer`, `audience`, `requiredClaims` (lists of strings), `subject`,
//! `typ` (strings), `clockTolerance`, `maxTokenAge` (seconds), `crit` (an object of names to
//! booleans), `tokenCache` (a boolean, default true). Absent or `null` members keep the defaults.

use crate::claims::ClaimOptions;
use crate::json::{self, JsString, Object, Value};
use crate::verify::VerifyOptions;

/// Options read from a document, and whether verified tokens are remembered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OptionsDocument {
    /// The options (`now` 0, no secret: both are given per verification).
    pub options: VerifyOptions,
    /// `tokenCache`: whether the key set's cache of verified tokens is used.
    pub token_cache: bool,
}

/// Reads an options document.
///
/// # Errors
/// What is wrong with it, as a message (bindings report it as `ERR_INVALID_OPTIONS`).
pub fn read(document: &[u8]) -> Result<OptionsDocument, String> {
    let document = json::parse_object(document)
        .map_err(|_| "the options document is not a JSON object".to_owned())?;
    let token_cache = match document.get("tokenCache") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(on)) => *on,
        Some(_) => return Err("tokenCache must be a boolean".to_owned()),
    };
    let options = VerifyOptions {
        algorithms: string_list(&document, "algorithms")?,
        crit: crit(&document)?,
        claims: ClaimOptions {
            issuer: string_list(&document, "issuer")?,
            audience: string_list(&document, "audience")?,
            subject: string(&document, "subject")?,
            typ: string(&document, "typ")?,
            clock_tolerance: number(&document, "clockTolerance")?.unwrap_or(0.0),
            max_token_age: number(&document, "maxTokenAge")?,
            required_claims: string_list(&document, "requiredClaims")?.unwrap_or_default(),
        },
        ..VerifyOptions::default()
    };
    Ok(OptionsDocument {
        options,
        token_cache,
    })
}

fn string(document: &Object, name: &str) -> Result<Option<JsString>, String> {
    match document.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{name} must be a string")),
    }
}

fn number(document: &Object, name: &str) -> Result<Option<f64>, String> {
    match document.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(Some(*n)),
        Some(_) => Err(format!("{name} must be a number")),
    }
}

fn string_list(document: &Object, name: &str) -> Result<Option<Vec<JsString>>, String> {
    match document.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_js().cloned())
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| format!("{name} must be a list of strings")),
        Some(_) => Err(format!("{name} must be a list")),
    }
}

fn crit(document: &Object) -> Result<Vec<(JsString, bool)>, String> {
    match document.get("crit") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(names)) => names
            .iter()
            .map(|(name, protected)| protected.as_bool().map(|p| (name.clone(), p)))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| "crit must map names to booleans".to_owned()),
        Some(_) => Err("crit must be an object".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn members_map_onto_the_options() {
        let document = read(
            br#"{"algorithms":["ES256"],"issuer":["https://a"],"audience":null,"subject":"u1",
                "clockTolerance":5,"maxTokenAge":60,"requiredClaims":["exp"],
                "crit":{"b64":true},"tokenCache":false}"#,
        )
        .unwrap();
        assert!(!document.token_cache);
        let o = &document.options;
        assert!(o.algorithms.as_ref().unwrap()[0].is("ES256"));
        assert!(o.claims.issuer.as_ref().unwrap()[0].is("https://a"));
        assert!(o.claims.audience.is_none());
        assert!(o.claims.subject.as_ref().unwrap().is("u1"));
        assert_eq!(o.claims.clock_tolerance, 5.0);
        assert_eq!(o.claims.max_token_age, Some(60.0));
        assert!(o.crit[0].0.is("b64") && o.crit[0].1);
        assert!(read(b"{}").unwrap().token_cache);
    }

    #[test]
    fn a_member_of_the_wrong_type_is_named() {
        assert_eq!(
            read(br#"{"issuer":"a"}"#).unwrap_err(),
            "issuer must be a list"
        );
        assert_eq!(read(br#"{"typ":1}"#).unwrap_err(), "typ must be a string");
        assert_eq!(
            read(br#"{"tokenCache":1}"#).unwrap_err(),
            "tokenCache must be a boolean"
        );
        assert_eq!(
            read(b"[]").unwrap_err(),
            "the options document is not a JSON object"
        );
    }
}
