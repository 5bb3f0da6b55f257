//! Device tokens and invite codes: random, shown once, stored only as SHA-256 hashes.

use axum::http::HeaderMap;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh device token: 256 random bits, hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh invite code: 96 random bits in base58 (about 17 characters, no look-alike
/// letters), short enough to type from a message.
pub fn new_invite_code() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    bs58::encode(bytes).into_string()
}

/// A fresh device id (not secret).
pub fn new_device_id() -> String {
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    bs58::encode(bytes).into_string()
}

/// What is stored for a token or code.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The bearer token of a request: `Authorization: Bearer ...`, or the `token` query parameter
/// for browser websockets that cannot set headers.
pub fn bearer(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(value) = headers.get(axum::http::header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        return value.strip_prefix("Bearer ").map(|t| t.trim().to_owned());
    }
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "token")
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_tokens_are_long_random_and_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token());
        assert_ne!(hash(&a), a);
        assert_eq!(hash(&a), hash(&a));
    }

    #[test]
    fn test_bearer_comes_from_the_header_or_the_query() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers, Some("x=1&token=abc")), Some("abc".into()));
        headers.insert("authorization", "Bearer xyz".parse().unwrap());
        assert_eq!(bearer(&headers, Some("token=abc")), Some("xyz".into()));
        assert_eq!(bearer(&HeaderMap::new(), None), None);
    }
}
