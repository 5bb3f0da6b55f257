//! The one error type of `jiran-core`.
//!
//! Messages name ids and fields, never the content of a household's data: they may be logged
//! or shown on another device.

use crate::ids::{AntennaId, DeliveryId, DocumentId, DonationId, HouseholdId, MemberId};
use crate::input_problem::InputProblem;
use crate::model::{NeedCategory, Role};

/// Everything that can go wrong in the core. Deliberately exhaustive: the bindings map
/// each variant by hand, so a new one fails their build until it is given a code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input failed validation; nothing was recorded.
    #[error("{field}: {problem}")]
    Invalid {
        /// The field, as the API names it.
        field: &'static str,
        /// What is wrong with it (never the value itself).
        problem: InputProblem,
    },
    /// The antenna is not on this device.
    #[error("antenna `{0}` is not on this device")]
    UnknownAntenna(AntennaId),
    /// The household is not in this antenna on this device.
    #[error("household `{0}` is not on this device")]
    UnknownHousehold(HouseholdId),
    /// The household was erased (a lead's tombstone reached this device): only its id is left,
    /// in the accounts.
    #[error(
        "household `{0}` was erased: only its id is left, in the accounts, so it has no \
         delivery code to issue or confirm"
    )]
    HouseholdErased(HouseholdId),
    /// The donation is not in the antenna's ledgers on this device.
    #[error("donation `{0}` is not on this device")]
    UnknownDonation(DonationId),
    /// The delivery is not in the antenna's ledgers on this device.
    #[error("delivery `{0}` is not on this device")]
    UnknownDelivery(DeliveryId),
    /// No such record (need, plan step, referral, grievance, provider) where it was looked for.
    #[error("no {kind} `{id}` here")]
    UnknownRecord {
        /// What was looked for: `need`, `plan step`, `provider`, ...
        kind: &'static str,
        /// Its id.
        id: String,
    },
    /// The member is not in the antenna.
    #[error("member `{0}` is not in this antenna")]
    UnknownMember(MemberId),
    /// This device has no member identity in the antenna.
    #[error("this device is not a member of antenna `{0}`")]
    NotAMember(AntennaId),
    /// The member's role does not allow the action.
    #[error("a {role} may not {action}")]
    NotPermitted {
        /// The acting member's role.
        role: Role,
        /// What they tried.
        action: &'static str,
    },
    /// The change would leave the antenna without a lead (demoting or removing its last one):
    /// promote another member first.
    #[error("an antenna keeps at least one lead: make another member a lead first")]
    LastLead,
    /// A delivery would take more from a donation than it has left.
    #[error(
        "donation `{donation}` has {remaining} {unit} left; the delivery asks for {requested}"
    )]
    InsufficientBalance {
        /// The donation.
        donation: DonationId,
        /// What it has left.
        remaining: u64,
        /// What the delivery asked for.
        requested: u64,
        /// The unit of both amounts.
        unit: String,
    },
    /// A delivery tried to draw from a donation that is only pledged.
    #[error("donation `{0}` is pledged, not received: record it as received first")]
    DonationNotReceived(DonationId),
    /// A delivery tried to use a donation restricted to another kind of need.
    #[error("donation `{donation}` may only fund {allowed} needs")]
    RestrictedDonation {
        /// The donation.
        donation: DonationId,
        /// The only category it may fund.
        allowed: NeedCategory,
    },
    /// The store file is not a Jiran store or is damaged; it was not modified.
    #[error("the store is damaged or not a Jiran store ({0}); it was left untouched")]
    CorruptStore(String),
    /// The store was written by a newer version; it was not modified.
    #[error(
        "the store was written by a newer version of Jiran (schema {found}, this version \
         reads up to {supported}); update the app. The store was left untouched"
    )]
    NewerStore {
        /// The schema version found.
        found: i64,
        /// The newest this version reads.
        supported: i64,
    },
    /// A stored document could not be read.
    #[error("document `{0}` is damaged")]
    CorruptDocument(DocumentId),
    /// A document was written by a newer version of Jiran.
    #[error("document `{0}` was written by a newer version of Jiran; update the app")]
    NewerDocument(DocumentId),
    /// Changes received from another device could not be applied; nothing was stored.
    #[error("changes received for document `{0}` are malformed or change what the document is; nothing was stored")]
    MalformedChanges(DocumentId),
    /// A document is not of the kind expected (e.g. a household id given for a ledger).
    #[error("document `{0}` is not a {1} document")]
    WrongDocumentKind(DocumentId, &'static str),
    /// The relay refused the invite code; nothing was recorded.
    #[error(
        "this invite code is unknown, used up or expired; ask your antenna lead for a new one"
    )]
    InviteRefused,
    /// The relay no longer knows this device's token (revoked, or the relay was restored from
    /// an old backup).
    #[error("the relay no longer accepts this device; join again with a new invite")]
    TokenRefused,
    /// The relay could not be reached.
    #[error("could not reach the relay ({0}); check the address and the connection")]
    RelayUnreachable(String),
    /// The relay answered something this version does not understand.
    #[error("the relay answered {0}; is the address right and the relay up to date?")]
    RelayAnswer(String),
    /// A file to import was refused as a whole; nothing was imported. The reason is built by
    /// the core from positions, field names and limits only, never from the file's content
    /// (which may name people).
    #[error("this file cannot be imported: {0}. Nothing was imported")]
    ImportRefused(String),
    /// The local SQLite database failed.
    #[error("local storage failed: {0}")]
    Storage(#[from] rusqlite::Error),
    /// A file operation failed.
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    /// Automerge refused an operation or a change.
    #[error("document engine: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// A document did not have the expected shape.
    #[error("document has an unexpected shape: {0}")]
    Hydrate(#[from] autosurgeon::HydrateError),
    /// Writing a value into a document failed.
    #[error("document update failed: {0}")]
    Reconcile(#[from] autosurgeon::ReconcileError),
}

/// The result type of `jiran-core`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A validation failure of `field`.
    pub(crate) fn invalid(field: &'static str, problem: InputProblem) -> Self {
        Error::Invalid { field, problem }
    }
}
