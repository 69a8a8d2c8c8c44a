//! Better Auth session cookies: a `Cookie` header (up to the first NUL, lossily UTF-8) through
//! `find_cookies` (each name rule), then the `session_data` value (and the whole header text) through each
//! strategy's opener with a fixed secret, and any payload that opens through `check_session`; the
//! bytes after the NUL go straight to `check_session` as a verified payload (no MAC to forge),
//! with and without the secret that checks the `session_token` cookie's signature.
//! Property: no panic.
#![no_main]

mod common;

use edge_jwt::session_cookie::{
    check_session, find_cookies, open_compact, open_jwe, open_jwt_hs256, CookieNames, Opened,
    Strategy,
};
use libfuzzer_sys::fuzz_target;

/// The secret `scripts/fuzz.mjs` signs and encrypts its seed cookies with.
const SECRET: &[u8] = b"edge-jwt fuzzing secret, 32 bytes or more";
const NOW_MS: f64 = common::NOW * 1000.0;

fuzz_target!(|data: &[u8]| {
    let (header, payload) = common::split_nul(data);
    let (header, payload) = (
        String::from_utf8_lossy(header),
        String::from_utf8_lossy(payload),
    );
    let find = |names| {
        find_cookies(
            &header,
            "better-auth",
            "session_data",
            "session_token",
            names,
        )
    };
    let _ = (find(CookieNames::Secure), find(CookieNames::Plain));
    let cookies = find(CookieNames::Auto);
    let token = cookies.as_ref().and_then(|c| c.session_token.as_deref());
    for value in cookies
        .iter()
        .map(|c| c.data.as_str())
        .chain([header.as_ref()])
    {
        let _ = Strategy::detect(value);
        let opened =
            [open_compact, open_jwt_hs256, open_jwe].map(|open| open(value, SECRET, NOW_MS));
        for text in opened.iter().filter_map(|o| match o {
            Ok(Opened::Payload(t)) => Some(t),
            _ => None,
        }) {
            let _ = (
                check_session(text, token, Some(SECRET), "1", NOW_MS, false),
                check_session(text, token, None, "1", NOW_MS, true),
            );
        }
    }
    let _ = (
        check_session(&payload, token, Some(SECRET), "1", NOW_MS, false),
        check_session(&payload, token, None, "2", NOW_MS, true),
    );
});
