//! What a UI shows about sync, in words a volunteer can act on.

use std::time::Duration;

use crate::time::Timestamp;

/// Where an antenna's sync stands on this device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncState {
    /// Not connected. Work continues offline; the device retries by itself.
    Offline {
        /// When it tries again, if it will.
        retry_in: Option<Duration>,
    },
    /// Opening a connection to the relay.
    Connecting,
    /// Exchanging documents with the relay.
    Syncing {
        /// Documents still to exchange (known so far).
        documents_left: usize,
    },
    /// Everything is exchanged; new changes flow as they are made.
    UpToDate,
    /// Sync stopped until someone acts.
    NeedsAction(Problem),
}

/// Why sync needs someone to act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A lead revoked this device; the antenna's data was wiped from it.
    Revoked,
    /// The relay does not know this device's token (it may have been restored from an old
    /// backup): join again with a new invite.
    TokenRefused,
    /// The relay refused some of this device's documents (for example, the antenna reached
    /// its document limit). They stay on this device.
    DocumentsRefused(usize),
    /// The relay could not store changes; nothing is lost on this device.
    RelayStorage,
    /// Storing what the relay sent failed on this device (a full disk, for example).
    LocalStorage(String),
}

/// The status of one antenna's sync, as shown at a glance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncStatus {
    /// Where sync stands.
    pub state: SyncState,
    /// Changes made on this device that the relay has not confirmed yet.
    pub pending_changes: u64,
    /// When this device was last up to date with the relay.
    pub last_synced_at: Option<Timestamp>,
}

impl SyncStatus {
    /// One sentence for the volunteer.
    pub fn message(&self) -> String {
        let pending = match self.pending_changes {
            0 => String::new(),
            1 => " 1 change is not on the relay yet.".to_owned(),
            n => format!(" {n} changes are not on the relay yet."),
        };
        let since = self
            .last_synced_at
            .map(|t| format!(" Last up to date {}.", t.date()))
            .unwrap_or_default();
        match &self.state {
            SyncState::Offline { .. } => {
                format!("Offline: your work is saved on this phone and will sync when a connection returns.{pending}{since}")
            }
            SyncState::Connecting => format!("Connecting to the relay…{pending}"),
            SyncState::Syncing { documents_left } => {
                format!("Syncing: {documents_left} documents left.{pending}")
            }
            SyncState::UpToDate => format!("Up to date.{pending}"),
            SyncState::NeedsAction(problem) => match problem {
                Problem::Revoked => "This phone was removed from the antenna by a lead; its data was deleted from the phone.".to_owned(),
                Problem::TokenRefused => format!("The relay no longer recognises this phone: ask your antenna lead for a new invite.{pending}"),
                Problem::DocumentsRefused(n) => format!("The relay refused {n} documents from this phone; they are kept here. Tell your antenna lead.{pending}"),
                Problem::RelayStorage => format!("The relay cannot save right now; your work is kept on this phone and will be sent later.{pending}"),
                Problem::LocalStorage(_) => format!("This phone could not save what the relay sent (is its storage full?). Nothing already saved was lost.{pending}"),
            },
        }
    }
}
