//! A household's case: "precise social assistance" treats each household as unique, with its
//! needs, limiting factors, a personal plan, referrals, grievances and notes.
//!
//! Every collection is a map keyed by a random id, so two volunteers adding entries offline
//! keep both; each entry's fields merge last-writer-wins.
//!
//! Tasks (visits, calls, deliveries a lead assigns) live here too: they concern one
//! household, so erasing the household erases them.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::vocabulary::{
    FactorKind, GrievanceStatus, NeedCategory, NeedStatus, Priority, ReferralStatus, StepStatus,
    TaskKind, TaskStatus, Urgency,
};
use crate::ids::{
    FactorId, GrievanceId, MemberId, NeedId, NoteId, ProviderId, ReferralId, StepId, TaskId,
};
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
    /// Visits, calls and deliveries assigned to volunteers. Documents written before tasks
    /// existed have no such map: they read as having none, and the first task creates it.
    #[autosurgeon(missing = "BTreeMap::new")]
    pub tasks: BTreeMap<TaskId, Task>,
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
            tasks: BTreeMap::new(),
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
        add(&mut self.tasks, other.tasks);
    }

    /// Tasks still to do first, by due time; then done and cancelled ones, most recently
    /// closed first. Ties by id, so every device shows the same order.
    pub fn tasks_in_order(&self) -> Vec<(&TaskId, &Task)> {
        let mut tasks: Vec<_> = self.tasks.iter().collect();
        tasks.sort_by(|a, b| {
            let key = |(id, t): &(&TaskId, &Task)| {
                let open = t.status == TaskStatus::Open;
                let when = if open {
                    t.due.millis()
                } else {
                    -t.closed_at.unwrap_or(t.due).millis()
                };
                (!open, when, (*id).clone())
            };
            key(a).cmp(&key(b))
        });
        tasks
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

/// A visit, call or delivery a lead assigned to a volunteer, and, once done, how it went.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Task {
    /// What to do.
    pub kind: TaskKind,
    /// The member who does it.
    pub assigned_to: MemberId,
    /// By when.
    pub due: Timestamp,
    /// The lead's instructions, as typed.
    pub note: Option<String>,
    /// Open, done or cancelled.
    pub status: TaskStatus,
    /// How it went, as the volunteer wrote it when done.
    pub outcome: Option<String>,
    /// The lead who assigned it.
    pub assigned_by: MemberId,
    /// When it was assigned.
    pub created_at: Timestamp,
    /// When it was done or cancelled.
    pub closed_at: Option<Timestamp>,
    /// Who did or cancelled it.
    pub closed_by: Option<MemberId>,
}

impl Task {
    /// Still to be done.
    pub fn is_open(&self) -> bool {
        self.status == TaskStatus::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ReadDoc, ROOT};

    fn task(due: i64, status: TaskStatus, closed_at: Option<i64>) -> Task {
        Task {
            kind: TaskKind::Visit,
            assigned_to: MemberId::from("sami"),
            due: Timestamp(due),
            note: None,
            status,
            outcome: None,
            assigned_by: MemberId::from("leila"),
            created_at: Timestamp(0),
            closed_at: closed_at.map(Timestamp),
            closed_by: None,
        }
    }

    #[test]
    fn test_a_case_written_before_tasks_existed_reads_as_having_none() {
        let mut case = Case::new();
        case.tasks
            .insert(TaskId::from("t1"), task(5, TaskStatus::Open, None));
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile_prop(&mut doc, ROOT, "case", &case).unwrap();
        let (_, obj) = doc.get(ROOT, "case").unwrap().unwrap();
        doc.delete(&obj, "tasks").unwrap();
        let read: Case = autosurgeon::hydrate_prop(&doc, ROOT, "case").unwrap();
        assert!(read.tasks.is_empty());
        assert_eq!(read.priority, Priority::Normal);
    }

    #[test]
    fn test_tasks_read_back_as_written() {
        let mut case = Case::new();
        let mut done = task(5, TaskStatus::Done, Some(9));
        done.outcome = Some("visited; needs a food parcel".into());
        done.note = Some("ask about the rent".into());
        case.tasks.insert(TaskId::from("t1"), done);
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile_prop(&mut doc, ROOT, "case", &case).unwrap();
        let read: Case = autosurgeon::hydrate_prop(&doc, ROOT, "case").unwrap();
        assert_eq!(read, case);
    }

    #[test]
    fn test_open_tasks_come_first_by_due_then_closed_ones_latest_first() {
        let mut case = Case::new();
        for (id, t) in [
            ("a", task(30, TaskStatus::Done, Some(40))),
            ("b", task(20, TaskStatus::Open, None)),
            ("c", task(10, TaskStatus::Open, None)),
            ("d", task(5, TaskStatus::Cancelled, Some(50))),
        ] {
            case.tasks.insert(TaskId::from(id), t);
        }
        let order: Vec<&str> = case
            .tasks_in_order()
            .into_iter()
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(order, ["c", "b", "d", "a"]);
    }

    #[test]
    fn test_a_merge_brings_the_other_households_tasks() {
        let mut kept = Case::new();
        kept.tasks
            .insert(TaskId::from("same"), task(1, TaskStatus::Done, Some(2)));
        let mut other = Case::new();
        other
            .tasks
            .insert(TaskId::from("same"), task(1, TaskStatus::Open, None));
        other
            .tasks
            .insert(TaskId::from("new"), task(3, TaskStatus::Open, None));
        kept.absorb(other);
        assert_eq!(kept.tasks.len(), 2);
        assert!(
            !kept.tasks[&TaskId::from("same")].is_open(),
            "kept's entry stays"
        );
    }
}
