//! This device's identity: an Ed25519 key pair made on first use and kept in the store. Its
//! public key is the device's Automerge actor id, so every change the device writes names the
//! key that the relay registered when the device joined, and the relay can refuse a change
//! that claims another device's actor (see ARCHITECTURE.md, "Threat model").
//!
//! Stores made before device keys existed keep their old random actor id as a *legacy* actor:
//! their earlier changes carry it, and the device still counts them as its own.

use crate::input_problem::InputProblem;
use std::fmt;
use std::str::FromStr;

use automerge::ActorId;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};

/// A device's public key: what the relay registers when the device joins, and the device's
/// Automerge actor id. Shown and sent as base58 (44 characters or so).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceKey([u8; 32]);

impl DeviceKey {
    /// The key's 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The Automerge actor id of the device holding this key.
    pub fn actor(&self) -> ActorId {
        ActorId::from(&self.0[..])
    }

    /// The device key an actor id is, if it is one: 32 bytes that are a valid Ed25519 point.
    /// Actor ids of older stores and of other clients (16 random bytes) are not keys.
    pub fn from_actor(actor: &ActorId) -> Option<DeviceKey> {
        let bytes: [u8; 32] = actor.to_bytes().try_into().ok()?;
        VerifyingKey::from_bytes(&bytes).ok()?;
        Some(DeviceKey(bytes))
    }
}

impl DeviceKey {
    /// Whether `proof` (base58, as a joining phone makes it) shows that the holder of this key's
    /// secret half redeems `invite_code`: what the relay checks before it registers the key,
    /// so nobody can register another device's public key as their own.
    pub fn verifies_join(&self, invite_code: &str, proof: &str) -> bool {
        let Ok(bytes) = bs58::decode(proof.trim()).into_vec() else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(&bytes) else {
            return false;
        };
        let Ok(key) = VerifyingKey::from_bytes(&self.0) else {
            return false;
        };
        key.verify(&join_message(invite_code, self), &signature)
            .is_ok()
    }
}

/// What a joining device signs: the invite code it redeems and its key, so a proof is good
/// for one redemption only.
fn join_message(invite_code: &str, key: &DeviceKey) -> Vec<u8> {
    let mut message = b"jiran/join/v1\n".to_vec();
    message.extend_from_slice(invite_code.trim().as_bytes());
    message.push(b'\n');
    message.extend_from_slice(key.as_bytes());
    message
}

impl fmt::Display for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).into_string())
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey({self})")
    }
}

impl FromStr for DeviceKey {
    type Err = Error;

    /// Parses the base58 form; refuses anything that is not a valid Ed25519 public key.
    fn from_str(text: &str) -> Result<DeviceKey> {
        let invalid = || Error::invalid("device_key", InputProblem::NotADeviceKey);
        let bytes = bs58::decode(text.trim())
            .into_vec()
            .map_err(|_| invalid())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| invalid())?;
        VerifyingKey::from_bytes(&bytes).map_err(|_| invalid())?;
        Ok(DeviceKey(bytes))
    }
}

/// The device's key pair and the actor ids its changes carry.
pub(crate) struct DeviceIdentity {
    signing: SigningKey,
    legacy_actor: Option<ActorId>,
}

impl fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret key.
        f.debug_struct("DeviceIdentity")
            .field("key", &self.key())
            .finish()
    }
}

impl DeviceIdentity {
    /// The identity kept in the store, made (and written) on first use.
    pub(crate) fn load_or_create(db: &Connection) -> Result<DeviceIdentity> {
        let get = |key: &str| -> Result<Option<Vec<u8>>> {
            Ok(db
                .query_row("SELECT value FROM device WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        let legacy_actor = get("actor")?.map(ActorId::from);
        let signing = match get("signing_key")? {
            Some(secret) => {
                let secret: [u8; 32] = secret
                    .try_into()
                    .map_err(|_| Error::CorruptStore("the device key is damaged".into()))?;
                SigningKey::from_bytes(&secret)
            }
            None => {
                let mut secret = [0u8; 32];
                rand::rng().fill_bytes(&mut secret);
                db.execute(
                    "INSERT INTO device (key, value) VALUES ('signing_key', ?1)",
                    [&secret[..]],
                )?;
                SigningKey::from_bytes(&secret)
            }
        };
        Ok(DeviceIdentity {
            signing,
            legacy_actor,
        })
    }

    /// The device's public key.
    pub(crate) fn key(&self) -> DeviceKey {
        DeviceKey(self.signing.verifying_key().to_bytes())
    }

    /// The actor id this device writes with.
    pub(crate) fn actor(&self) -> ActorId {
        self.key().actor()
    }

    /// The proof that this device holds its key, for redeeming `invite_code` (base58).
    pub(crate) fn join_proof(&self, invite_code: &str) -> String {
        let signature = self.signing.sign(&join_message(invite_code, &self.key()));
        bs58::encode(signature.to_bytes()).into_string()
    }

    /// Whether changes by `actor` are this device's own (its key, or its actor from before
    /// device keys existed).
    pub(crate) fn is_own(&self, actor: &ActorId) -> bool {
        actor.to_bytes() == self.key().as_bytes() || self.legacy_actor.as_ref() == Some(actor)
    }
}
