//! # edge-jwt
//!
//! Verifies JSON Web Tokens (compact JWS) the way `jose`'s `jwtVerify` does, in pure Rust that
//! compiles to WebAssembly. The crate knows nothing of JavaScript; `src/wasm.rs` (built only for
//! `wasm32`) converts between JavaScript values and this API.
//!
//! Where things are:
//!
//! | concern | module |
//! |---|---|
//! | base64url (strict, no padding) | [`base64url`] |
//! | JSON with `JSON.parse` semantics, bounded depth | [`json`] |
//! | splitting a token, decoding its header, `crit`/`b64`/`alg` rules | [`token`] |
//! | algorithm names and what key each needs | [`alg`] |
//! | one JWK into a public key | [`jwk`] |
//! | a JWKS and choosing the key for a token | [`jwks`] |
//! | the rules of a remote key set cache (freshness, cooldown, stale keys) | [`remote`] |
//! | signature primitives (Ed25519, ECDSA, RSA, HMAC) | [`crypto`] |
//! | claim checks (`exp`, `nbf`, `iat`, `iss`, `aud`, ...) | [`claims`] |
//! | the options as a JSON document a binding hands over | [`options_document`] |
//! | the whole verification, in jose's order | [`verify`] |
//! | the bounded cache of tokens that verified | [`token_cache`] |
//! | Better Auth's `session_data` cookie (compact, jwt, jwe) | [`session_cookie`] |
//! | the one error type and its jose codes | [`error`] |
//! | `ring` behind the host-check seam, for native builds (feature `native-crypto`) | `native` |
//!
//! ## From Rust, natively
//!
//! With the `native-crypto` feature (`edge-jwt = { version = "0.1", features = ["native-crypto"] }`),
//! `native::verify_native(token, Some(&keys), &options)` with a `native::NativeKeySet` checks RSA,
//! ECDSA P-256/P-384 and Ed25519 signatures with `ring` and everything else (structure, allow-list,
//! key choice and strength, the Ed25519 edge cases, claims, error codes) with the same core, so it
//! gives the verdicts of [`verify_token`]. The wasm build never compiles it.
//!
//! ```
//! use edge_jwt::{verify_token, KeySet, VerifyOptions};
//! // RFC 8037 A.4: an Ed25519 JWS (its payload is not a JWT claims set, so the claims step refuses it
//! // after the signature has verified).
//! let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
//! let keys = KeySet::from_json(jwks.as_bytes()).unwrap();
//! let token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
//! let err = verify_token(token, Some(&keys), &VerifyOptions::at(0.0)).unwrap_err();
//! assert_eq!(err.code(), "ERR_JWT_INVALID");
//! ```

pub mod alg;
pub mod base64url;
pub mod claims;
pub mod crypto;
pub mod error;
pub mod json;
pub mod jwk;
pub mod jwks;
#[cfg(feature = "native-crypto")]
pub mod native;
pub mod options_document;
pub mod remote;
pub mod session_cookie;
pub mod token;
pub mod token_cache;
pub mod verify;

#[cfg(test)]
mod test_rng;

// Exported to JavaScript by wasm_bindgen, not to Rust callers.
#[cfg(target_arch = "wasm32")]
#[allow(unreachable_pub)]
mod wasm;

pub use alg::Algorithm;
pub use claims::ClaimOptions;
pub use error::{Claim, Error, Reason};
pub use jwks::KeySet;
pub use remote::{RemoteCache, RemotePolicy};
pub use token::UntrustedToken;
pub use token_cache::TokenCache;
pub use verify::{verify_token, VerifiedToken, VerifyOptions};
