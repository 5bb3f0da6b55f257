//! The one error of the bindings: the core's errors sorted by what the person holding the
//! phone can do about them, each with the fields an app needs to say it in the person's own
//! language. `detail` is the core's English sentence, the fallback when an app has no words
//! of its own; none carries a household's personal data (the core's messages name ids and
//! fields only).

use jiran_core::{Error, InputProblem, Role};

/// What was looked for and is not on this phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Missing {
    /// An antenna this phone has not joined.
    Antenna,
    /// A household (never registered here, or not synced yet).
    Household,
    /// A donation.
    Donation,
    /// A delivery.
    Delivery,
    /// A member of the antenna.
    Member,
    /// A record inside a household or the directory: a need, a plan step, a provider, ...
    Record,
}

/// Why a donation cannot fund a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum DonationProblem {
    /// It has less left than the delivery asks for.
    TooLittleLeft,
    /// It is pledged, not received yet.
    NotReceived,
    /// It may fund only another need.
    Restricted,
}

/// Why an action did not happen. Nothing was recorded when one is returned.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum JiranError {
    /// Something typed is missing, too long or malformed: correct `field` and try again.
    #[error("{detail}")]
    InvalidInput {
        /// The field as the API names it (`phone`, `birth_year`, `amount`, ...), so an app
        /// can point at the box to correct.
        field: String,
        /// What is wrong, as a code to say in the app's language.
        problem: InputProblem,
        /// The core's English sentence.
        detail: String,
    },
    /// A file to import was refused as a whole (a directory, a document).
    #[error("{detail}")]
    FileRefused {
        /// The core's English sentence, naming the entry and field at fault.
        detail: String,
    },
    /// The record is not on this phone (yet): sync, or check the list.
    #[error("{detail}")]
    NotFound {
        /// What was looked for.
        missing: Missing,
        /// The core's English sentence.
        detail: String,
    },
    /// The household was erased: nothing more can be recorded about it.
    #[error("{detail}")]
    Erased {
        /// The core's English sentence.
        detail: String,
    },
    /// This member's role does not allow the action (or the phone is not a member at all,
    /// `role` empty): ask the antenna lead.
    #[error("{detail}")]
    NotPermitted {
        /// The member's role, if the phone is a member.
        role: Option<Role>,
        /// The core's English sentence, naming the action.
        detail: String,
    },
    /// The change would leave the antenna without a lead: make another member a lead first.
    #[error("{detail}")]
    LastLead {
        /// The core's English sentence.
        detail: String,
    },
    /// The donation cannot fund this delivery.
    #[error("{detail}")]
    DonationUnavailable {
        /// Why.
        reason: DonationProblem,
        /// The core's English sentence.
        detail: String,
    },
    /// The invite code is unknown, used up or expired: ask the lead for a new one.
    #[error("{detail}")]
    InviteRefused {
        /// The core's English sentence.
        detail: String,
    },
    /// The relay no longer accepts this phone: join again with a new invite.
    #[error("{detail}")]
    NeedsNewInvite {
        /// The core's English sentence.
        detail: String,
    },
    /// The relay cannot be reached now: work continues offline; try again later.
    #[error("{detail}")]
    RelayUnreachable {
        /// The core's English sentence.
        detail: String,
    },
    /// The relay answered something unexpected: check its address, or tell its operator.
    #[error("{detail}")]
    RelayProblem {
        /// The core's English sentence.
        detail: String,
    },
    /// The phone holds data from a newer version of Jiran: update the app.
    #[error("{detail}")]
    UpdateTheApp {
        /// The core's English sentence.
        detail: String,
    },
    /// This phone's storage failed (full or damaged).
    #[error("{detail}")]
    StorageProblem {
        /// The core's English sentence.
        detail: String,
    },
    /// A fault in Jiran itself: report it.
    #[error("{detail}")]
    Internal {
        /// The core's English sentence.
        detail: String,
    },
}

impl From<Error> for JiranError {
    fn from(error: Error) -> Self {
        let detail = error.to_string();
        let missing = |missing| JiranError::NotFound {
            missing,
            detail: detail.clone(),
        };
        // Listed one by one, never `_`: a new core error is mapped here by hand, or the build
        // fails.
        match error {
            Error::Invalid { field, problem } => JiranError::InvalidInput {
                field: field.to_owned(),
                problem,
                detail,
            },
            Error::ImportRefused(_) => JiranError::FileRefused { detail },
            Error::UnknownAntenna(_) => missing(Missing::Antenna),
            Error::UnknownHousehold(_) => missing(Missing::Household),
            Error::UnknownDonation(_) => missing(Missing::Donation),
            Error::UnknownDelivery(_) => missing(Missing::Delivery),
            Error::UnknownMember(_) => missing(Missing::Member),
            Error::UnknownRecord { .. } => missing(Missing::Record),
            Error::HouseholdErased(_) => JiranError::Erased { detail },
            Error::NotAMember(_) => JiranError::NotPermitted { role: None, detail },
            Error::NotPermitted { role, .. } => JiranError::NotPermitted {
                role: Some(role),
                detail,
            },
            Error::LastLead => JiranError::LastLead { detail },
            Error::InsufficientBalance { .. } => JiranError::DonationUnavailable {
                reason: DonationProblem::TooLittleLeft,
                detail,
            },
            Error::DonationNotReceived(_) => JiranError::DonationUnavailable {
                reason: DonationProblem::NotReceived,
                detail,
            },
            Error::RestrictedDonation { .. } => JiranError::DonationUnavailable {
                reason: DonationProblem::Restricted,
                detail,
            },
            Error::InviteRefused => JiranError::InviteRefused { detail },
            Error::TokenRefused => JiranError::NeedsNewInvite { detail },
            Error::RelayUnreachable(_) => JiranError::RelayUnreachable { detail },
            Error::RelayAnswer(_) => JiranError::RelayProblem { detail },
            Error::NewerStore { .. } | Error::NewerDocument(_) => {
                JiranError::UpdateTheApp { detail }
            }
            Error::CorruptStore(_)
            | Error::CorruptDocument(_)
            | Error::Storage(_)
            | Error::Io(_) => JiranError::StorageProblem {
                detail: format!("could not use this phone's storage: {detail}"),
            },
            Error::MalformedChanges(_)
            | Error::WrongDocumentKind(..)
            | Error::Automerge(_)
            | Error::Hydrate(_)
            | Error::Reconcile(_) => JiranError::Internal {
                detail: format!("{detail}; please report this to the Jiran team"),
            },
        }
    }
}

/// The result of every binding call.
pub type Result<T, E = JiranError> = std::result::Result<T, E>;
