//! A `RemoteCache` with any policy driven through any sequence of operations at any times (NaN,
//! infinities and going backwards included); an empty body stands for a valid key set. Properties:
//! no panic; keys are served exactly when they are fresh or stale; a failure is never more than an
//! attempt; what was accepted or restored is what the cache holds.
#![no_main]

use edge_jwt::remote::{Freshness, Plan};
use edge_jwt::{Error, RemoteCache, RemotePolicy};
use libfuzzer_sys::fuzz_target;

const JWKS: &[u8] = br#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;

type Op<'a> = (u8, f64, f64, f64, &'a [u8], Option<&'a str>);

fuzz_target!(|input: ((f64, f64, f64), Vec<Op<'_>>)| {
    let ((cache_max_age, cooldown, stale_if_error), ops) = input;
    let mut cache = RemoteCache::new(RemotePolicy {
        cache_max_age,
        cooldown,
        stale_if_error,
    });
    for (op, now, a, b, body, cache_control) in ops {
        let body = if body.is_empty() { JWKS } else { body };
        match op % 5 {
            0 => assert!(
                cache.accept(now, body, cache_control).is_err()
                    || cache
                        .snapshot()
                        .is_some_and(|s| s.1.to_bits() == now.to_bits())
            ),
            1 => cache.reject(now, &Error::JwksFetchFailed(String::new())),
            2 => assert!(
                !cache.restore(now, body, a, b).unwrap_or(false)
                    || cache
                        .snapshot()
                        .is_some_and(|s| s.1.to_bits() == a.to_bits())
            ),
            3 => assert_eq!(
                cache.keys_for_verification(now).is_some(),
                cache.keys(now).is_some()
            ),
            _ => {
                let _ = (
                    cache.may_refetch_for_unknown_kid(now),
                    cache.cooling_down(now),
                    cache.key_count(),
                );
            }
        }
        let usable = matches!(cache.freshness(now), Freshness::Fresh | Freshness::Stale);
        assert_eq!(cache.keys(now).is_some(), usable);
        assert_eq!(
            matches!(cache.plan(now, a < b), Plan::Use | Plan::UseAndRefresh),
            usable
        );
        assert_eq!(
            cache.snapshot().is_some(),
            cache.freshness(now) != Freshness::Missing
        );
        assert!(cache.stats().failures <= cache.stats().fetches);
    }
});
