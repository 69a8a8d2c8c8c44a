//! `claims::validate` with a header and a payload (the JSON objects before the first and second
//! NUL), the time and the options drawn from the remaining bytes. Properties: no panic; a failure is
//! `ERR_JWT_EXPIRED` or `ERR_JWT_CLAIM_VALIDATION_FAILED` and names its claim and reason.
#![no_main]

mod common;

use arbitrary::Unstructured;
use edge_jwt::claims::validate;
use edge_jwt::json::parse_object;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (header, rest) = common::split_nul(data);
    let (payload, rest) = common::split_nul(rest);
    let (Ok(header), Ok(payload)) = (parse_object(header), parse_object(payload)) else {
        return;
    };
    let mut u = Unstructured::new(rest);
    let now = common::NOW + u.arbitrary::<f64>().unwrap_or(0.0);
    if let Err(err) = validate(&header, &payload, &common::claim_options(&mut u), now) {
        assert!(matches!(
            err.code(),
            "ERR_JWT_EXPIRED" | "ERR_JWT_CLAIM_VALIDATION_FAILED"
        ));
        assert!(err.claim().is_some() && err.reason().is_some(), "{err:?}");
    }
});
