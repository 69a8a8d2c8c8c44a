//! `json::parse` on any bytes. Properties: no panic; `parse_object` agrees with `parse`; and every
//! document serde_json accepts is accepted (serde_json takes a subset of what `JSON.parse` takes:
//! it refuses lone surrogate escapes and numbers beyond f64, and nests at most 128 deep, as here).
#![no_main]

use edge_jwt::json::{parse, parse_object, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = parse(data);
    let object = parse_object(data);
    assert_eq!(matches!(parsed, Ok(Value::Object(_))), object.is_ok());
    if serde_json::from_slice::<serde_json::Value>(data).is_ok() {
        assert!(
            parsed.is_ok(),
            "serde_json accepts it, edge_jwt::json says {parsed:?}"
        );
    }
});
