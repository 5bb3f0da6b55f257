//! Identifiers: document ids compatible with automerge-repo, and short random ids for records
//! inside a document (needs, notes, deliveries, ...).
//!
//! Ids are opaque, random and carry no personal data, so they may appear in logs, error
//! messages and on the relay.

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, Reconcile};
use rand::RngCore;

/// A document id in the automerge-repo format: 16 random bytes, base58check encoded, so the
/// stock JS client and the relay accept our documents unchanged.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

impl DocumentId {
    /// A fresh random id.
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The id made of exactly these bytes (used for ids derived from other ids).
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The 16 raw bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

/// A string that is not a valid document id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid document id")]
pub struct BadDocumentId(pub String);

impl FromStr for DocumentId {
    type Err = BadDocumentId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.strip_prefix("automerge:").unwrap_or(s);
        let bytes = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|_| BadDocumentId(s.to_owned()))?;
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| BadDocumentId(s.to_owned()))?;
        Ok(Self(bytes))
    }
}

/// Declares a newtype over [`DocumentId`] for one kind of document, stored as its string form.
macro_rules! document_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
        pub struct $name(pub DocumentId);

        impl $name {
            /// A fresh random id.
            pub fn random() -> Self {
                Self(DocumentId::random())
            }

            /// The underlying document id.
            pub fn document(&self) -> DocumentId {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = BadDocumentId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, reconciler: R) -> Result<(), R::Error> {
                self.0.to_string().reconcile(reconciler)
            }
        }

        impl Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
                s.parse().map_err(|_| {
                    autosurgeon::HydrateError::unexpected("a document id", s.to_owned())
                })
            }
        }
    };
}

document_id!(
    /// The antenna: one neighbourhood group. Also the id of its antenna document.
    AntennaId
);
document_id!(
    /// A household, and the id of the one document holding its profile and case.
    HouseholdId
);
document_id!(
    /// A ledger document (donations and deliveries of one antenna for one month).
    LedgerId
);

/// Declares a short random id for a record inside a document. Stored as a string; usable as
/// an Automerge map key, so concurrent additions on two devices never collide.
macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Reconcile)]
        pub struct $name(String);

        // By hand, not derived: the derive does not support `Option<$name>`.
        impl Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
                Ok(Self(s.to_owned()))
            }
        }

        impl $name {
            /// A fresh random id (80 bits, base58).
            pub fn random() -> Self {
                let mut bytes = [0u8; 10];
                rand::rng().fill_bytes(&mut bytes);
                Self(bs58::encode(bytes).into_string())
            }

            /// The id as stored.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

record_id!(
    /// A member of an antenna (a volunteer, lead or observer), stable across their devices.
    MemberId
);
record_id!(
    /// A person within a household.
    PersonId
);
record_id!(
    /// A need in a household's case.
    NeedId
);
record_id!(
    /// A limiting factor recorded in a household's case.
    FactorId
);
record_id!(
    /// A step of a household's personal plan.
    StepId
);
record_id!(
    /// A referral of a household to a provider.
    ReferralId
);
record_id!(
    /// A grievance raised by a household.
    GrievanceId
);
record_id!(
    /// A note in a household's case.
    NoteId
);
record_id!(
    /// A task (visit, call, delivery) a lead assigned to a volunteer for a household.
    TaskId
);
record_id!(
    /// A service provider in the antenna's directory.
    ProviderId
);
record_id!(
    /// A donation (money, goods or a service).
    DonationId
);
record_id!(
    /// A delivery of aid to a household.
    DeliveryId
);
record_id!(
    /// One handover of households to the municipality, as logged in the antenna document.
    HandoverId
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn test_document_id_rejects_bad_checksum() {
        let id = DocumentId::random().to_string();
        let mut broken = id.clone();
        let last = broken.pop().unwrap();
        broken.push(if last == '1' { '2' } else { '1' });
        assert!(broken.parse::<DocumentId>().is_err());
        assert_eq!(id.parse::<DocumentId>().unwrap().to_string(), id);
    }

    #[test]
    fn test_document_id_accepts_automerge_url_prefix() {
        let id = DocumentId::random();
        assert_eq!(format!("automerge:{id}").parse::<DocumentId>().unwrap(), id);
    }

    proptest! {
        #[test]
        fn document_id_roundtrips(bytes in any::<[u8; 16]>()) {
            let id = DocumentId::from_bytes(bytes);
            prop_assert_eq!(id.to_string().parse::<DocumentId>().unwrap(), id);
        }
    }
}
