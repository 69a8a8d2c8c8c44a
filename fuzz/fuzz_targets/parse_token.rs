//! `UntrustedToken::parse` on any text (bytes taken as UTF-8, lossily), and strict base64url on
//! its segments. Properties: no panic; the header a token exposes is what its header JSON text
//! parses to; `decode(encode(bytes)) == bytes`; and a segment `decode` accepts is exactly `encode`
//! of its bytes (one encoding per byte string).
#![no_main]

use edge_jwt::base64url::{decode, decode_str, encode};
use edge_jwt::json::parse_object;
use edge_jwt::UntrustedToken;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    assert_eq!(decode(encode(data).as_bytes()).as_deref(), Ok(data));
    let text = String::from_utf8_lossy(data);
    for segment in text.split('.') {
        if let Ok(bytes) = decode_str(segment) {
            assert_eq!(encode(&bytes), segment);
        }
    }
    let Ok(token) = UntrustedToken::parse(&text, &[("exp".into(), true)]) else {
        return;
    };
    assert_eq!(
        parse_object(token.header_json().as_bytes()).as_ref(),
        Ok(token.header())
    );
    let _ = (token.algorithm(), token.alg(), token.kid(), token.b64());
    let _ = (
        token.signing_input(),
        token.signature(),
        token.payload_bytes(),
    );
});
