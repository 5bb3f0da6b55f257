//! The closed vocabularies of the model (need categories, statuses, roles, ...).
//!
//! Each is stored in documents as a lowercase `snake_case` string, so other languages and
//! exports read the same words, and an unknown word written by a newer version is reported
//! as such rather than misread.

/// Declares an enum stored as a fixed lowercase word.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in documents and exports.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// The value for a stored word, if it is one.
            pub fn parse(word: &str) -> Option<Self> {
                match word { $($word => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, reconciler: R) -> Result<(), R::Error> {
                self.as_str().reconcile(reconciler)
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
                Self::parse(s).ok_or_else(|| {
                    autosurgeon::HydrateError::unexpected(stringify!($name), s.to_owned())
                })
            }
        }
    };
}

vocabulary!(
    /// What a member may do in an antenna.
    Role {
        /// Runs the antenna: manages members, merges and erases households.
        Lead = "lead",
        /// Registers households and records needs, notes and deliveries.
        Volunteer = "volunteer",
        /// Reads only (a municipality social worker, an auditor).
        Observer = "observer",
    }
);

vocabulary!(
    /// Kinds of need, as the antennas grouped them.
    NeedCategory {
        /// Food parcels, meals.
        Food = "food",
        /// Rent and housing costs.
        Rent = "rent",
        /// Medicine, medical fees.
        Medical = "medical",
        /// Water, electricity, gas bills.
        Utilities = "utilities",
        /// School fees, supplies.
        Education = "education",
        /// Phones, computers, connections.
        DigitalEquipment = "digital_equipment",
        /// Anything else.
        Other = "other",
    }
);

vocabulary!(
    /// How soon a need must be met.
    Urgency {
        /// Can wait weeks.
        Low = "low",
        /// Within days.
        Medium = "medium",
        /// Within a day or two.
        High = "high",
        /// Today.
        Critical = "critical",
    }
);

vocabulary!(
    /// Where a need stands.
    NeedStatus {
        /// Recorded, nothing done yet.
        Open = "open",
        /// Someone is working on it.
        InProgress = "in_progress",
        /// Met.
        Met = "met",
        /// Closed without being met (no longer relevant, referred elsewhere).
        Closed = "closed",
    }
);

vocabulary!(
    /// A household's priority for the antenna.
    Priority {
        /// Follow up when time allows.
        Low = "low",
        /// The default.
        Normal = "normal",
        /// Before the normal ones.
        High = "high",
        /// First.
        Urgent = "urgent",
    }
);

vocabulary!(
    /// The sector of a service provider in the directory.
    Sector {
        /// Municipality, ministry delegation, public hospital.
        Public = "public",
        /// Shops, businesses.
        Private = "private",
        /// Associations, NGOs.
        NonProfit = "non_profit",
        /// Mosques, churches, religious charities.
        Religious = "religious",
    }
);

vocabulary!(
    /// A person's relationship to the head of the household.
    Relationship {
        /// The head of the household.
        Head = "head",
        /// Husband or wife.
        Spouse = "spouse",
        /// Son or daughter.
        Child = "child",
        /// Father or mother.
        Parent = "parent",
        /// Brother or sister.
        Sibling = "sibling",
        /// Grandchild.
        Grandchild = "grandchild",
        /// Any other relative or co-resident.
        Other = "other",
    }
);

vocabulary!(
    /// A plan step's progress.
    StepStatus {
        /// Not started.
        Todo = "todo",
        /// Under way.
        Doing = "doing",
        /// Done.
        Done = "done",
        /// Given up.
        Dropped = "dropped",
    }
);

vocabulary!(
    /// A referral's progress.
    ReferralStatus {
        /// Suggested to the household.
        Proposed = "proposed",
        /// The provider accepted the household.
        Accepted = "accepted",
        /// The provider delivered the service.
        Done = "done",
        /// The provider or the household declined.
        Declined = "declined",
    }
);

vocabulary!(
    /// A grievance's progress.
    GrievanceStatus {
        /// Raised, not yet handled.
        Open = "open",
        /// Someone is looking into it.
        InReview = "in_review",
        /// Resolved; see the resolution.
        Resolved = "resolved",
        /// Dismissed; see the resolution.
        Dismissed = "dismissed",
    }
);

vocabulary!(
    /// Whether a donation is promised or in the custodian's hands.
    DonationStatus {
        /// Promised; cannot fund deliveries yet.
        Pledged = "pledged",
        /// Received by the custodian.
        Received = "received",
    }
);

vocabulary!(
    /// Something that keeps a household from getting help on its own.
    FactorKind {
        /// No identity papers.
        NoPapers = "no_papers",
        /// No phone or no internet.
        NoPhone = "no_phone",
        /// No bank or postal account.
        NoBankAccount = "no_bank_account",
        /// Cannot travel to services.
        Mobility = "mobility",
        /// Does not read, or does not speak the administration's language.
        Literacy = "literacy",
        /// Fears stigma if neighbours learn they are helped.
        Stigma = "stigma",
        /// Anything else.
        Other = "other",
    }
);

vocabulary!(
    /// A household's status without the merge target: what lists filter on.
    HouseholdState {
        /// Followed by the antenna.
        Active = "active",
        /// No longer needs help.
        Graduated = "graduated",
        /// Left the neighbourhood.
        MovedAway = "moved_away",
        /// Merged into another household.
        Merged = "merged",
    }
);

vocabulary!(
    /// The file format of a handover to the municipality.
    HandoverFormat {
        /// CSV, UTF-8 with a byte-order mark so spreadsheet programs read Arabic right.
        Csv = "csv",
        /// The same CSV with a second row of HXL hashtags under the header.
        HxlCsv = "hxl_csv",
        /// A JSON array of households.
        Json = "json",
    }
);

vocabulary!(
    /// What a lead asks a volunteer to do for a household.
    TaskKind {
        /// Go and see the household.
        Visit = "visit",
        /// Call the household.
        Call = "call",
        /// Bring the household something (a parcel, a document).
        Delivery = "delivery",
    }
);

vocabulary!(
    /// Where a task stands.
    TaskStatus {
        /// To be done.
        Open = "open",
        /// Done; the outcome says how it went.
        Done = "done",
        /// No longer to be done (a lead cancelled it).
        Cancelled = "cancelled",
    }
);
