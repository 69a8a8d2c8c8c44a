//! `KeySet::from_json` on any bytes up to the first NUL; every key read, and for each algorithm the
//! keys that fit verify the bytes after the NUL as a signature. Property: no panic.
#![no_main]

mod common;

use edge_jwt::jwk::Member;
use edge_jwt::{Algorithm, KeySet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (document, signature) = common::split_nul(data);
    let Ok(keys) = KeySet::from_json(document) else {
        return;
    };
    let first_kid = keys
        .keys()
        .first()
        .map_or(Member::Absent, |key| key.kid().clone());
    for alg in Algorithm::ALL {
        for kid in [&Member::Absent, &first_kid] {
            if let Ok(selection) = keys.select(alg, kid) {
                let _ = selection.verify(b"eyJhbGciOiJub25lIn0.e30", signature);
            }
        }
    }
});
