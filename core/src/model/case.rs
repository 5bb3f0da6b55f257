//! A household's case: "precise social assistance" treats each household as unique, with its
//! needs, limiting factors, a personal plan, referrals, grievances and notes.
//!
//! Every collection is a map keyed by a random id, so two volunteers adding entries offline
//! keep both; each entry's fields merge last-writer-wins.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::vocabulary::{
    FactorKind, GrievanceStatus, NeedCategory, NeedStatus, Priority, ReferralStatus, StepStatus,
    Urgency,
};
use crate::ids::{FactorId, GrievanceId, MemberId, NeedId, NoteId, ProviderId, ReferralId, StepId};
use crate::time::Timestamp;

/// One household's case.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Case {
    /// What the household needs.
    pub needs: BTreeMap<NeedId, Need>,
    /// What keeps it from getting help on its own.
    pub limiting_factors: BTreeMap<FactorId, LimitingFactor>,
    /// The personal plan.
    pub plan: BTreeMap<StepId, PlanStep>,
    /// Referrals to providers of the antenna's directory.
    pub referrals: BTreeMap<ReferralId, Referral>,
    /// Complaints raised by the household.
    pub grievances: BTreeMap<GrievanceId, Grievance>,
    /// Append-only notes: never edited or removed, so none is lost in a merge.
    pub notes: BTreeMap<NoteId, Note>,
    /// The volunteer who follows the household.
    pub assigned_to: Option<MemberId>,
    /// How urgently the antenna should act.
    pub priority: Priority,
}

impl Case {
    /// An empty case with normal priority.
    pub fn new() -> Self {
        Case {
            needs: BTreeMap::new(),
            limiting_factors: BTreeMap::new(),
            plan: BTreeMap::new(),
            referrals: BTreeMap::new(),
            grievances: BTreeMap::new(),
            notes: BTreeMap::new(),
            assigned_to: None,
            priority: Priority::Normal,
        }
    }

    /// The categories of needs still open or in progress, sorted and without repeats.
    pub fn open_need_categories(&self) -> Vec<NeedCategory> {
        let mut categories: Vec<NeedCategory> = self
            .needs
            .values()
            .filter(|n| n.is_open())
            .map(|n| n.category)
            .collect();
        categories.sort();
        categories.dedup();
        categories
    }

    /// How many grievances are still waiting for an answer (open or in review).
    pub fn open_grievances(&self) -> u32 {
        self.grievances
            .values()
            .filter(|g| matches!(g.status, GrievanceStatus::Open | GrievanceStatus::InReview))
            .count() as u32
    }

    /// How many referrals still wait for an outcome (proposed or accepted).
    pub fn open_referrals(&self) -> u32 {
        self.referrals
            .values()
            .filter(|r| {
                matches!(
                    r.status,
                    ReferralStatus::Proposed | ReferralStatus::Accepted
                )
            })
            .count() as u32
    }

    /// Adds the entries of `other` this case lacks (same id: this case's entry stays), as a
    /// household absorbs one merged into it.
    pub fn absorb(&mut self, other: Case) {
        fn add<K: Ord, V>(into: &mut BTreeMap<K, V>, from: BTreeMap<K, V>) {
            for (k, v) in from {
                into.entry(k).or_insert(v);
            }
        }
        add(&mut self.needs, other.needs);
        add(&mut self.limiting_factors, other.limiting_factors);
        add(&mut self.plan, other.plan);
        add(&mut self.referrals, other.referrals);
        add(&mut self.grievances, other.grievances);
        add(&mut self.notes, other.notes);
    }

    /// Notes in the order they were written (time, then id for equal times).
    pub fn notes_in_order(&self) -> Vec<(&NoteId, &Note)> {
        let mut notes: Vec<_> = self.notes.iter().collect();
        notes.sort_by(|a, b| (a.1.at, a.0).cmp(&(b.1.at, b.0)));
        notes
    }
}

impl Default for Case {
    fn default() -> Self {
        Self::new()
    }
}

/// Something the household needs.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Need {
    /// What kind of need.
    pub category: NeedCategory,
    /// Details, as typed.
    pub description: String,
    /// How soon.
    pub urgency: Urgency,
    /// Where it stands.
    pub status: NeedStatus,
    /// Who recorded it.
    pub opened_by: MemberId,
    /// When.
    pub opened_at: Timestamp,
    /// When it was met or closed.
    pub closed_at: Option<Timestamp>,
}

impl Need {
    /// Open or in progress.
    pub fn is_open(&self) -> bool {
        matches!(self.status, NeedStatus::Open | NeedStatus::InProgress)
    }
}

/// Something that keeps a household from getting help on its own.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct LimitingFactor {
    /// What kind.
    pub kind: FactorKind,
    /// Details, as typed.
    pub description: String,
    /// Who recorded it.
    pub recorded_by: MemberId,
    /// When.
    pub recorded_at: Timestamp,
}

/// One step of the household's personal plan.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct PlanStep {
    /// What is to be done.
    pub description: String,
    /// Who does it.
    pub owner: Option<MemberId>,
    /// By when, `YYYY-MM-DD`.
    pub due: Option<String>,
    /// Progress.
    pub status: StepStatus,
    /// When it was added.
    pub created_at: Timestamp,
}

/// A referral of the household to a provider of the antenna's directory.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Referral {
    /// The provider.
    pub provider: ProviderId,
    /// The need it answers, if any.
    pub need: Option<NeedId>,
    /// Progress.
    pub status: ReferralStatus,
    /// Who proposed it.
    pub proposed_by: MemberId,
    /// When.
    pub proposed_at: Timestamp,
    /// When its status last changed.
    pub updated_at: Timestamp,
}

/// A complaint raised by the household.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Grievance {
    /// What it is about (delivery, behaviour, privacy, ...), as typed.
    pub category: String,
    /// The complaint.
    pub text: String,
    /// Progress.
    pub status: GrievanceStatus,
    /// The volunteer who wrote it down; `None` when raised anonymously.
    pub recorded_by: Option<MemberId>,
    /// When it was raised.
    pub raised_at: Timestamp,
    /// How it was resolved or why dismissed.
    pub resolution: Option<String>,
    /// Who handled it.
    pub handled_by: Option<MemberId>,
}

/// A note in the case. Notes are append-only.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Note {
    /// Who wrote it.
    pub author: MemberId,
    /// When.
    pub at: Timestamp,
    /// The note.
    pub text: String,
}
