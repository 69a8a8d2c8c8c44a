//! `verify_token` on any text (up to the first NUL, lossily UTF-8) against every public key of
//! `tests/vectors/jose.json` and its HS256 secret, with time, allowed algorithms, `crit` and claim
//! options from the bytes after the NUL; twice, with two option sets. And the same through the
//! host-crypto path (`prepare_token`, the signature checked outside the core, `HostCheck::complete`) with
//! one token cache, so the second call may be a cache hit. Properties: no panic; a verified token
//! parses, with the algorithm that verified it, which was allowed; the host path gives the same
//! algorithm and claims, or the same error code, as `verify_token` with the same options.
#![no_main]

mod common;

use arbitrary::Unstructured;
use edge_jwt::token_cache::TokenCache;
use edge_jwt::{verify_token, UntrustedToken};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (token, rest) = common::split_nul(data);
    let token = String::from_utf8_lossy(token);
    let mut u = Unstructured::new(rest);
    let mut cache = TokenCache::new();
    for options in [
        common::verify_options(&mut u),
        common::verify_options(&mut u),
    ] {
        let result = verify_token(&token, Some(&common::KEYS.0), &options);
        if let Ok(verified) = &result {
            let untrusted = UntrustedToken::parse(&token, &options.crit).unwrap();
            assert_eq!(untrusted.algorithm(), Some(verified.algorithm()));
            let name = verified.algorithm().name();
            let allowed = options.algorithms.as_ref();
            assert!(allowed.is_none_or(|allowed| allowed.iter().any(|a| a == name)));
        }
        let host = common::host_verify(&token, &common::KEYS.0, &options, &mut cache);
        assert_eq!(
            common::verdict(&result),
            common::verdict(&host),
            "{options:?}"
        );
    }
});
