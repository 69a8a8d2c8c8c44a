//! A bounded cache of tokens whose signature has verified with one key set (in the spirit of
//! fast-jwt's). A token seen again skips only the signature check: its header rules
//! (`algorithms`, `crit`) and its claims are checked again, against the current clock and
//! options, on every use. Only tokens that verified are inserted, so an attacker cannot fill it
//! with tokens of their own; it is bounded in entries and in bytes, oldest out first, and it lives
//! with one key set, so a remote set's new keys start with an empty cache.

use std::collections::{BTreeMap, VecDeque};

use std::sync::Arc;

use crate::alg::Algorithm;
use crate::verify::TokenParts;

/// The most tokens kept.
pub const MAX_ENTRIES: usize = 1_000;
/// The most bytes kept (tokens plus their decoded header and payload, counted twice for the
/// parsed copies).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// What a cached token verified to.
#[derive(Debug, Clone)]
pub struct CachedToken {
    /// The algorithm that verified it.
    pub algorithm: Algorithm,
    /// The secret an HMAC token verified with (none for a public-key token): a lookup with
    /// another secret does not find it.
    pub secret: Option<Vec<u8>>,
    /// Its decoded header and claims, shared with every result answered from the cache.
    pub parts: Arc<TokenParts>,
}

impl CachedToken {
    fn cost(&self, token: &str) -> usize {
        token
            .len()
            .saturating_add(self.parts.header_json.len().saturating_mul(2))
            .saturating_add(self.parts.payload_json.len().saturating_mul(2))
            .saturating_add(self.secret.as_ref().map_or(0, Vec::len))
    }
}

/// The cache.
#[derive(Debug, Clone, Default)]
pub struct TokenCache {
    entries: BTreeMap<String, CachedToken>,
    order: VecDeque<String>,
    bytes: usize,
    hits: u64,
}

impl TokenCache {
    /// An empty cache.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The entry for exactly this token text; for an HMAC token, only if it verified with
    /// `secret`.
    pub fn get(&mut self, token: &str, secret: Option<&[u8]>) -> Option<&CachedToken> {
        let found = self
            .entries
            .get(token)
            .filter(|entry| !entry.algorithm.is_hmac() || entry.secret.as_deref() == secret);
        if found.is_some() {
            self.hits = self.hits.saturating_add(1);
        }
        found
    }

    /// Keeps a verified token, evicting the oldest entries to stay within the bounds. A token too
    /// large for the byte bound on its own is not kept.
    pub fn insert(&mut self, token: &str, verified: CachedToken) {
        let cost = verified.cost(token);
        if cost > MAX_BYTES || self.entries.contains_key(token) {
            return;
        }
        while self.entries.len() >= MAX_ENTRIES || self.bytes.saturating_add(cost) > MAX_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(entry) = self.entries.remove(&oldest) {
                self.bytes = self.bytes.saturating_sub(entry.cost(&oldest));
            }
        }
        self.bytes = self.bytes.saturating_add(cost);
        self.order.push_back(token.to_owned());
        self.entries.insert(token.to_owned(), verified);
    }

    /// Drops a token (its claims no longer pass, say it expired).
    pub fn remove(&mut self, token: &str) {
        if let Some(entry) = self.entries.remove(token) {
            self.bytes = self.bytes.saturating_sub(entry.cost(token));
            self.order.retain(|t| t != token);
        }
    }

    /// How many tokens are kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The bytes counted against [`MAX_BYTES`].
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Lookups that found their token.
    #[must_use]
    pub fn hits(&self) -> u64 {
        self.hits
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::arithmetic_side_effects)]
    use super::*;
    use crate::json::Object;

    fn entry(size: usize) -> CachedToken {
        CachedToken {
            algorithm: Algorithm::EdDsa,
            secret: None,
            parts: Arc::new(TokenParts {
                header: Object::default(),
                header_json: "{}".to_owned(),
                payload: Object::default(),
                payload_json: "x".repeat(size),
            }),
        }
    }

    #[test]
    fn an_hmac_token_is_found_only_with_its_secret() {
        let mut cache = TokenCache::new();
        let mut hmac = entry(1);
        hmac.algorithm = Algorithm::Hs256;
        hmac.secret = Some(b"one".to_vec());
        cache.insert("t", hmac);
        assert!(cache.get("t", Some(b"one")).is_some());
        assert!(cache.get("t", Some(b"two")).is_none());
        assert!(cache.get("t", None).is_none());
        cache.insert("p", entry(1));
        assert!(
            cache.get("p", Some(b"any")).is_some(),
            "a public-key token ignores the secret"
        );
    }

    #[test]
    fn bounded_in_entries() {
        let mut cache = TokenCache::new();
        for i in 0..MAX_ENTRIES + 10 {
            cache.insert(&format!("t{i}"), entry(10));
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        assert!(cache.get("t0", None).is_none(), "oldest out first");
        assert!(cache.get(&format!("t{}", MAX_ENTRIES + 9), None).is_some());
        assert_eq!(cache.hits(), 1);
    }

    #[test]
    fn bounded_in_bytes() {
        let mut cache = TokenCache::new();
        let big = MAX_BYTES / 2 / 3;
        for i in 0..10 {
            cache.insert(&format!("t{i}"), entry(big));
        }
        assert!(cache.bytes() <= MAX_BYTES);
        assert!(cache.len() < 10);
        cache.insert("huge", entry(MAX_BYTES));
        assert!(cache.get("huge", None).is_none());
        let before = cache.len();
        cache.remove("t9");
        assert_eq!(cache.len(), before - 1);
    }
}
