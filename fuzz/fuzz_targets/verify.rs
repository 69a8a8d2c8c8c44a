//! `verify_token` on any text (up to the first NUL, lossily UTF-8) against every public key of
//! `tests/vectors/jose.json` and its HS256 secret; time, allowed algorithms, `crit` and claim
//! options come from the bytes after the NUL. Properties: no panic; a verified token parses, with
//! the algorithm that verified it, and that algorithm was allowed.
#![no_main]

mod common;

use std::sync::LazyLock;

use arbitrary::Unstructured;
use edge_jwt::{verify_token, KeySet, UntrustedToken, VerifyOptions};
use libfuzzer_sys::fuzz_target;

static KEYS: LazyLock<(KeySet, Vec<u8>)> = LazyLock::new(common::jose_keys);

fuzz_target!(|data: &[u8]| {
    let (token, rest) = common::split_nul(data);
    let token = String::from_utf8_lossy(token);
    let mut u = Unstructured::new(rest);
    let mut options = VerifyOptions::at(common::NOW + f64::from(u.arbitrary::<i32>().unwrap_or(0)));
    options.algorithms = u.arbitrary().unwrap_or_default();
    options.crit = u.arbitrary().unwrap_or_default();
    options.secret = Some(KEYS.1.clone());
    options.claims = common::claim_options(&mut u);
    if let Ok(verified) = verify_token(&token, Some(&KEYS.0), &options) {
        let untrusted = UntrustedToken::parse(&token, &options.crit).unwrap();
        assert_eq!(untrusted.algorithm(), Some(verified.algorithm()));
        let name = verified.algorithm().name();
        assert!(options
            .algorithms
            .is_none_or(|allowed| allowed.iter().any(|a| a == name)));
    }
});
