//! `UntrustedToken::parse` on any text (bytes taken as UTF-8, lossily). Property: no panic, and the
//! header a token exposes is what its header JSON text parses to.
#![no_main]

use edge_jwt::json::parse_object;
use edge_jwt::UntrustedToken;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(token) = UntrustedToken::parse(&text, &[("exp".to_owned(), true)]) else {
        return;
    };
    assert_eq!(
        parse_object(token.header_json().as_bytes()).as_ref(),
        Ok(token.header())
    );
    let _ = (
        token.algorithm(),
        token.alg_name(),
        token.kid(),
        token.b64(),
    );
    let _ = (
        token.signing_input(),
        token.signature(),
        token.payload_bytes(),
    );
});
