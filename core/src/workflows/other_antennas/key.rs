//! The federation key and the keyed (blinded) hashes of the check with other antennas.
//!
//! Antennas on one relay that agree to it share a *federation key*, passed between their
//! leads by hand (a QR code, a message), never through the relay. Each lead's phone sends the
//! relay one keyed hash (HMAC-SHA256) per normalised phone number and national ID number of
//! its households; the relay answers which of those hashes other antennas sent too, with those
//! antennas' names and contacts. The relay cannot reverse a hash by trying every phone number,
//! because it does not have the key; an antenna learns only "this household of ours is also
//! helped by antenna X", never who X helps.
//!
//! Pure: hashing and normalisation only. The exchange with the relay is
//! [`super::check`].

use crate::input_problem::InputProblem;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::search::phone_key;

/// Bytes of a federation key (256 bits: guessing it is out of reach).
const KEY_BYTES: usize = 32;

/// Bytes of each blinded hash sent (128 bits: no accidental collisions at any antenna size).
const HASH_BYTES: usize = 16;

/// The key antennas of a federation share to blind their households' identifiers. Shown and
/// typed as base58 text; never sent to the relay, never logged (`Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct FederationKey([u8; KEY_BYTES]);

impl std::fmt::Debug for FederationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FederationKey(<secret>)")
    }
}

impl FederationKey {
    /// A new random key, for the first antenna of a federation to share with the others.
    pub fn generate() -> FederationKey {
        let mut bytes = [0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        FederationKey(bytes)
    }

    /// A key as typed or scanned.
    ///
    /// # Errors
    /// [`Error::Invalid`] unless it is the text of a key ([`FederationKey::to_text`]).
    pub fn parse(text: &str) -> Result<FederationKey> {
        let bytes = bs58::decode(text.trim())
            .into_vec()
            .ok()
            .filter(|b| b.len() == KEY_BYTES)
            .ok_or(Error::invalid(
                "federation_key",
                InputProblem::NotAFederationKey,
            ))?;
        let mut key = [0u8; KEY_BYTES];
        key.copy_from_slice(&bytes);
        Ok(FederationKey(key))
    }

    /// The key as text to share (about 44 characters of base58).
    pub fn to_text(&self) -> String {
        bs58::encode(self.0).into_string()
    }

    /// The blinded hash of one identifier of a kind (`phone`, `national_id`), as hex.
    fn blind(&self, kind: &str, value: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key size");
        mac.update(b"jiran/blinded/v1/");
        mac.update(kind.as_bytes());
        mac.update(b":");
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        digest[..HASH_BYTES]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The blinded hashes of a household: one for its phone (last eight digits, so
    /// `+216 98 123 456` and `98123456` agree) and one for its head's national ID number
    /// (letters and digits only, upper case), for those it has.
    pub fn household_hashes(&self, phone: Option<&str>, national_id: Option<&str>) -> Vec<String> {
        let mut hashes = Vec::new();
        if let Some(phone) = phone.and_then(phone_key) {
            hashes.push(self.blind("phone", &phone));
        }
        if let Some(id) = national_id.map(normalise_national_id) {
            if id.len() >= 4 {
                hashes.push(self.blind("national_id", &id));
            }
        }
        hashes
    }
}

/// A national ID number as compared: letters and digits only, upper case.
pub fn normalise_national_id(id: &str) -> String {
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether `text` is a blinded hash as [`FederationKey::household_hashes`] makes them (the
/// relay checks what it is sent with this).
pub fn is_blinded_hash(text: &str) -> bool {
    text.len() == HASH_BYTES * 2
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_the_same_family_blinds_alike_however_its_numbers_are_typed() {
        let key = FederationKey::generate();
        let a = key.household_hashes(Some("+216 98 123 456"), Some("0812 3456"));
        let b = key.household_hashes(Some("98-123-456"), Some("08123456"));
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
        assert!(a.iter().all(|h| is_blinded_hash(h)));
        assert_ne!(
            a[0], a[1],
            "a phone and an ID with the same digits never meet"
        );
    }

    #[test]
    fn test_without_the_key_nothing_matches_and_the_key_round_trips_as_text() {
        let key = FederationKey::generate();
        let other = FederationKey::generate();
        assert_ne!(
            key.household_hashes(Some("98123456"), None),
            other.household_hashes(Some("98123456"), None)
        );
        assert_eq!(FederationKey::parse(&key.to_text()).unwrap(), key);
        assert!(FederationKey::parse("not a key").is_err());
        assert!(FederationKey::parse(&bs58::encode([1u8; 8]).into_string()).is_err());
        assert!(!format!("{key:?}").contains(&key.to_text()));
    }

    #[test]
    fn test_a_household_without_numbers_sends_nothing() {
        let key = FederationKey::generate();
        assert!(key.household_hashes(None, None).is_empty());
        assert!(key.household_hashes(Some("123"), Some("12")).is_empty());
    }
}
