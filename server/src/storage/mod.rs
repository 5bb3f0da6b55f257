//! What the relay stores: documents (as appended changes and snapshots) and the directory of
//! antennas, invites and devices.
//!
//! The [`Storage`] trait is the seam for other backends (PostgreSQL for operators who outgrow
//! one machine): the protocol code only sees this trait. Every method that writes is durable
//! when it returns `Ok`.

pub mod sqlite;

pub use sqlite::SqliteStorage;

use jiran_core::{AntennaId, DeviceKey, DocumentId, Role};

use crate::error::Result;

/// A device registered with the relay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// Its id (random, not secret).
    pub id: String,
    /// The antenna it belongs to.
    pub antenna: AntennaId,
    /// What it may do there.
    pub role: Role,
    /// The name it gave when joining ("Sami's phone").
    pub name: String,
    /// Whether a lead revoked it.
    pub revoked: bool,
    /// The public key it registered when it joined, if it sent one: the Automerge actor id it
    /// alone may write with.
    pub key: Option<DeviceKey>,
}

/// An invite as stored (its code is kept only as a hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInvite {
    /// The antenna it joins.
    pub antenna: AntennaId,
    /// The role it grants.
    pub role: Role,
    /// How many devices may use it.
    pub uses: u32,
    /// Unix seconds after which it is refused.
    pub expires_at: i64,
}

/// Changes to append to one document (see [`Storage::append_changes`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Append {
    /// The document.
    pub doc: DocumentId,
    /// `Some(antenna)` for a document not stored yet: it is created in that antenna, in the
    /// same commit as its first changes, so a document exists on disk only once it has
    /// changes the relay accepted.
    pub new_in: Option<AntennaId>,
    /// The changes, each as Automerge encodes it.
    pub changes: Vec<Vec<u8>>,
}

/// What appending changes did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Bytes of changes now appended since the document's last snapshot.
    pub since_snapshot: u64,
    /// The document's place in its antenna's change feed (see
    /// [`Storage::changed_documents`]).
    pub seq: u64,
}

/// A household of the asking antenna that another antenna helps too, as the blinded index
/// knows it: the hash the asking antenna sent, and who the other antenna is. Nothing about
/// the other antenna's household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlindedMatch {
    /// The asking antenna's own hash.
    pub hash: String,
    /// The other antenna's name.
    pub antenna: String,
    /// How to reach the other antenna, as its lead gave it.
    pub contact: String,
}

/// The relay's storage.
pub trait Storage: Send + Sync + 'static {
    /// The antenna a document belongs to, if the relay has it.
    fn document_antenna(&self, doc: &DocumentId) -> Result<Option<AntennaId>>;
    /// The stored chunks of a document (a snapshot then changes), to load in order.
    fn load_document(&self, doc: &DocumentId) -> Result<Vec<Vec<u8>>>;
    /// Appends changes to documents, all or none, in one durable commit (the relay's group
    /// commit); durable when `Ok`. Creates the documents marked new (refusing, and storing
    /// nothing, if one is already held under another antenna), so none is ever stored empty.
    /// Moves each document to the end of its antenna's change feed. Answers one [`Appended`]
    /// per entry of `batch`, in order.
    fn append_changes(&self, batch: &[Append]) -> Result<Vec<Appended>>;
    /// The antenna's change feed: documents created or changed after sequence number
    /// `since`, oldest first, at most `limit`, each with its sequence number. A device that
    /// synced every document listed up to `n` may ask again from `n` and miss nothing.
    fn changed_documents(
        &self,
        antenna: &AntennaId,
        since: u64,
        limit: usize,
    ) -> Result<Vec<(DocumentId, u64)>>;
    /// Replaces a document's snapshot and drops its appended changes, atomically. `snapshot`
    /// must contain every stored change.
    fn replace_snapshot(&self, doc: &DocumentId, snapshot: &[u8]) -> Result<()>;
    /// Erases documents of `antenna` (households its lead erased): their content and history
    /// are deleted and overwritten, write-ahead log included, and a tombstone (the id only)
    /// makes [`Storage::is_erased`] true for good: for every antenna when the document was
    /// stored here, for `antenna` alone when it was not (so a lead cannot block an id of
    /// another antenna, a derived ledger id for instance). Documents of another antenna are
    /// left alone. Answers how many stored documents were erased.
    fn erase_documents(&self, antenna: &AntennaId, docs: &[DocumentId]) -> Result<usize>;
    /// Opts an antenna into the blinded cross-antenna index (or refreshes it): its entries
    /// become exactly `hashes`, other antennas see `contact`, all in one commit. Answers which
    /// of `hashes` other opted-in antennas hold, with their names and contacts.
    fn replace_blinded_index(
        &self,
        antenna: &AntennaId,
        contact: &str,
        hashes: &[String],
    ) -> Result<Vec<BlindedMatch>>;
    /// Takes an antenna out of the blinded index: its hashes and contact are deleted.
    /// `false` if it was not in.
    fn leave_blinded_index(&self, antenna: &AntennaId) -> Result<bool>;
    /// Whether a document was erased for `antenna`: it must never be stored again (see
    /// [`Storage::erase_documents`] for whom a tombstone blocks).
    fn is_erased(&self, doc: &DocumentId, antenna: &AntennaId) -> Result<bool>;
    /// How many documents an antenna has.
    fn count_documents(&self, antenna: &AntennaId) -> Result<u64>;

    /// Creates an antenna and its antenna document (from the document's first change),
    /// atomically.
    fn create_antenna(&self, antenna: &AntennaId, name: &str, first_change: &[u8]) -> Result<()>;
    /// Whether an antenna exists.
    fn antenna_exists(&self, antenna: &AntennaId) -> Result<bool>;
    /// Stores an invite under the hash of its code.
    fn create_invite(&self, code_hash: &str, invite: &NewInvite) -> Result<()>;
    /// Uses an invite (if valid at `now`) to register a device with `token_hash`, atomically.
    /// With `key` (checked by the caller to be held by the joining device), the device may
    /// write under the actor id that key is (as may other registrations of the same phone, in
    /// other antennas).
    fn redeem_invite(
        &self,
        code_hash: &str,
        now: i64,
        device_id: &str,
        device_name: &str,
        token_hash: &str,
        key: Option<&DeviceKey>,
    ) -> Result<Option<Device>>;
    /// The device that owns an Automerge actor id that is not a device key (a client without
    /// a key, such as the stock JS client, owns the actors it wrote with first), if any does.
    fn actor_owner(&self, actor: &[u8]) -> Result<Option<String>>;
    /// Records that each device owns its actor, unless another already does; durable when
    /// `Ok`.
    fn bind_actors(&self, bindings: &[(Vec<u8>, String)]) -> Result<()>;
    /// The device holding a token, revoked or not.
    fn device_by_token(&self, token_hash: &str) -> Result<Option<Device>>;
    /// The devices of an antenna.
    fn devices(&self, antenna: &AntennaId) -> Result<Vec<Device>>;
    /// Gives a device of an antenna another role (what a lead's change to the antenna's
    /// members made it); `false` if there is no such device.
    fn set_device_role(&self, antenna: &AntennaId, device_id: &str, role: Role) -> Result<bool>;
    /// Revokes a device of an antenna; `false` if there is no such device.
    fn revoke_device(&self, antenna: &AntennaId, device_id: &str) -> Result<bool>;
    /// Bytes used on disk.
    fn size_bytes(&self) -> Result<u64>;
    /// This storage's stable id (told to peers in `peer` messages), made on first use.
    fn storage_id(&self) -> Result<String>;
    /// Checks the storage answers.
    fn ping(&self) -> Result<()>;
}
