//! Strict base64url. Properties: no panic; `encode` then `decode` gives the bytes back; and any text
//! `decode` accepts is exactly what `encode` writes for its bytes (one encoding per byte string).
#![no_main]

use edge_jwt::base64url::{decode, decode_str, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    assert_eq!(decode_str(&encode(data)).as_deref(), Ok(data));
    if let Ok(bytes) = decode(data) {
        assert_eq!(encode(&bytes).as_bytes(), data);
    }
});
