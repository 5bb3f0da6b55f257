//! The one error of the bindings: the core's errors sorted by what the person holding the
//! phone can do about them. Each message is a sentence for a volunteer; none carries a
//! household's personal data (the core's messages name ids and fields only).

use jiran_core::Error;

/// Why an action did not happen. Nothing was recorded when one is returned.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum JiranError {
    /// Something typed (or a file to import) is missing, too long or malformed: correct it
    /// and try again.
    #[error("{message}")]
    InvalidInput { message: String },
    /// The household, donation or record is not on this phone (yet): sync, or check the list.
    #[error("{message}")]
    NotFound { message: String },
    /// This member's role does not allow the action: ask the antenna lead.
    #[error("{message}")]
    NotPermitted { message: String },
    /// The donation cannot fund this delivery (too little left, pledged only, restricted).
    #[error("{message}")]
    DonationUnavailable { message: String },
    /// The invite code is unknown, used up or expired: ask the lead for a new one.
    #[error("{message}")]
    InviteRefused { message: String },
    /// The relay no longer accepts this phone: join again with a new invite.
    #[error("{message}")]
    NeedsNewInvite { message: String },
    /// The relay cannot be reached now: work continues offline; try again later.
    #[error("{message}")]
    RelayUnreachable { message: String },
    /// The relay answered something unexpected: check its address, or tell its operator.
    #[error("{message}")]
    RelayProblem { message: String },
    /// This phone's storage failed (full, damaged, written by a newer app).
    #[error("{message}")]
    StorageProblem { message: String },
    /// A fault in Jiran itself: report it.
    #[error("{message}")]
    Internal { message: String },
}

impl From<Error> for JiranError {
    fn from(error: Error) -> Self {
        let message = error.to_string();
        match error {
            Error::Invalid { .. } | Error::ImportRefused(_) => JiranError::InvalidInput { message },
            Error::UnknownAntenna(_)
            | Error::UnknownHousehold(_)
            | Error::HouseholdErased(_)
            | Error::UnknownDonation(_)
            | Error::UnknownDelivery(_)
            | Error::UnknownRecord { .. }
            | Error::UnknownMember(_) => JiranError::NotFound { message },
            Error::NotAMember(_) | Error::NotPermitted { .. } | Error::LastLead => {
                JiranError::NotPermitted { message }
            }
            Error::InsufficientBalance { .. }
            | Error::DonationNotReceived(_)
            | Error::RestrictedDonation { .. } => JiranError::DonationUnavailable { message },
            Error::InviteRefused => JiranError::InviteRefused { message },
            Error::TokenRefused => JiranError::NeedsNewInvite { message },
            Error::RelayUnreachable(_) => JiranError::RelayUnreachable { message },
            Error::RelayAnswer(_) => JiranError::RelayProblem { message },
            Error::CorruptStore(_)
            | Error::NewerStore { .. }
            | Error::CorruptDocument(_)
            | Error::NewerDocument(_)
            | Error::Storage(_)
            | Error::Io(_) => JiranError::StorageProblem {
                message: format!("could not use this phone's storage: {message}"),
            },
            // Listed one by one, never `_`: a new core error is mapped here by hand, or the
            // build fails.
            Error::MalformedChanges(_)
            | Error::WrongDocumentKind(..)
            | Error::Automerge(_)
            | Error::Hydrate(_)
            | Error::Reconcile(_) => JiranError::Internal {
                message: format!("{message}; please report this to the Jiran team"),
            },
        }
    }
}

/// The result of every binding call.
pub type Result<T, E = JiranError> = std::result::Result<T, E>;
