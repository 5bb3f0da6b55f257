//! Visits, calls and deliveries: a lead assigns one to a member for a household, with a due
//! time; each volunteer lists their own, most urgent first; done tasks record how it went.
//!
//! A task is part of its household's case (erasing the household erases it), written as one
//! change to the household document. Lists read the derived `tasks` table, so no household
//! document is opened to show them, and they carry no name, phone or address: a list may be
//! on a shared screen, and the app opens the household's detail for the rest.

use crate::input_problem::InputProblem;
use std::cmp::Reverse;

use autosurgeon::reconcile_prop;
use rusqlite::{params, Connection, OptionalExtension};

use crate::document::{lookup, DocumentKind};
use crate::error::{Error, Result};
use crate::ids::{AntennaId, HouseholdId, MemberId, TaskId};
use crate::model::{validate, Member, Priority, Role, Task, TaskKind, TaskStatus};
use crate::store::access::{existing, map_at, FIELD_WORK, LEADS};
use crate::store::documents::{Batch, Documents};
use crate::store::projection::priority_rank;
use crate::store::Store;
use crate::time::Timestamp;

const DAY_MS: i64 = 24 * 3600 * 1000;
/// How far back a due time may be: a lead writing down a visit agreed days ago.
const MAX_DAYS_PAST: i64 = 7;
/// How far ahead a due time may be.
const MAX_DAYS_AHEAD: i64 = 366;

/// The condition (on `tasks t` joined with `households h`) that keeps one row per task: a
/// merge copies a task into the kept household under the same id, so the copy in a merged
/// household is left out when its root holds the task, and an open copy is left out when
/// any copy was done or cancelled (a volunteer may complete the merged copy offline).
pub(crate) const ONE_ROW_PER_TASK: &str = "NOT EXISTS (
        SELECT 1 FROM tasks c
        WHERE c.id = t.id AND c.household_id != t.household_id
          AND (c.status != 'open' OR c.household_id = h.merged_root))";

/// A task to assign.
#[derive(Clone, Debug)]
pub struct NewTask {
    /// Visit, call or delivery.
    pub kind: TaskKind,
    /// The member who is to do it: a lead or volunteer of the household's antenna.
    pub assigned_to: MemberId,
    /// By when: from a week ago (writing down a visit agreed earlier) to a year ahead.
    pub due: Timestamp,
    /// What to do or ask, if anything; not empty when given.
    pub note: Option<String>,
}

/// One line of a member's task list. It names the household by id only, never by name, phone
/// or address, so the list can be shown on a shared screen; the app opens the household's
/// detail for the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskItem {
    /// The household the task is for (the document holding it).
    pub household: HouseholdId,
    /// The task.
    pub task: TaskId,
    /// Visit, call or delivery.
    pub kind: TaskKind,
    /// By when.
    pub due: Timestamp,
    /// The due time has passed.
    pub overdue: bool,
    /// Whole days since the due time (0 when not overdue, or overdue by less than a day).
    pub days_overdue: u32,
    /// Whole days until the due time (0 when overdue, or due within a day).
    pub days_left: u32,
    /// The household's priority.
    pub priority: Priority,
    /// The lead's instructions, as typed.
    pub note: Option<String>,
}

impl TaskItem {
    fn new(
        household: HouseholdId,
        task: TaskId,
        kind: TaskKind,
        due: Timestamp,
        priority: Priority,
        note: Option<String>,
        now: Timestamp,
    ) -> TaskItem {
        let ahead = due.millis() - now.millis();
        TaskItem {
            household,
            task,
            kind,
            due,
            overdue: ahead < 0,
            days_overdue: ((-ahead).max(0) / DAY_MS) as u32,
            days_left: (ahead.max(0) / DAY_MS) as u32,
            priority,
            note,
        }
    }
}

/// Orders tasks by urgency as of `now`: by how many days ahead of (or behind) `now` they are
/// due, the most overdue first; within the same day, households of higher priority first;
/// then by due time and ids, so every device shows the same order.
pub(crate) fn sort_by_urgency(items: &mut [TaskItem], now: Timestamp) {
    items.sort_by_cached_key(|t| {
        (
            (t.due.millis() - now.millis()).div_euclid(DAY_MS),
            Reverse(priority_rank(t.priority)),
            t.due,
            t.household,
            t.task.clone(),
        )
    });
}

impl Store {
    /// Assigns a visit, call or delivery for `household` to a member of its antenna (leads
    /// only). One change to the household document; the member's list shows it at once, and
    /// on other devices once the change arrives.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a due time more than a week past or a year ahead, an empty or
    /// overlong note, or an observer as assignee; [`Error::UnknownMember`] for an assignee
    /// not in the antenna; [`Error::NotPermitted`] when this device's member is not a lead.
    /// Nothing is recorded in any of these cases.
    pub fn assign_task(&self, household: HouseholdId, new: NewTask) -> Result<TaskId> {
        let note = new
            .note
            .as_deref()
            .map(|n| validate::required_text("note", n, validate::MAX_TEXT))
            .transpose()?;
        let id = TaskId::random();
        self.batch(|b| {
            let antenna = b.antenna_of(household)?;
            let lead = b.acting(antenna, "assign tasks", LEADS)?;
            let now = b.now;
            let ahead = new.due.millis() - now.millis();
            if !(-MAX_DAYS_PAST * DAY_MS..=MAX_DAYS_AHEAD * DAY_MS).contains(&ahead) {
                return Err(Error::invalid("due", InputProblem::DueOutOfRange));
            }
            match b.member(antenna, &new.assigned_to)? {
                None
                | Some(Member {
                    removed_at: Some(_),
                    ..
                }) => return Err(Error::UnknownMember(new.assigned_to.clone())),
                Some(Member {
                    role: Role::Observer,
                    ..
                }) => {
                    return Err(Error::invalid(
                        "assigned_to",
                        InputProblem::ObserverAssigned,
                    ))
                }
                Some(_) => {}
            }
            let task = Task {
                kind: new.kind,
                assigned_to: new.assigned_to.clone(),
                due: new.due,
                note,
                status: TaskStatus::Open,
                outcome: None,
                assigned_by: lead,
                created_at: now,
                closed_at: None,
                closed_by: None,
            };
            b.change(household.document(), "assign task", |tx| {
                // Created here only in documents written before tasks existed.
                let tasks = map_at(tx, &["case", "tasks"])?;
                reconcile_prop(tx, tasks, id.as_str(), &task)?;
                Ok(())
            })?;
            b.refresh_household(antenna, household, true)?;
            Ok(id.clone())
        })
    }

    /// Records that a task was done and how it went (`outcome`, required), by whom and when.
    /// The assignee or a lead may complete it; it then leaves the open lists.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty or overlong outcome, or a task already done or
    /// cancelled (completing twice is refused, so a first outcome is never overwritten);
    /// [`Error::UnknownRecord`] for a task not in this household; [`Error::NotPermitted`]
    /// for observers, and for volunteers completing another member's task.
    pub fn complete_task(
        &self,
        household: HouseholdId,
        task: &TaskId,
        outcome: &str,
    ) -> Result<()> {
        let outcome = validate::required_text("outcome", outcome, validate::MAX_TEXT)?;
        self.close_task(
            household,
            task,
            TaskStatus::Done,
            Some(outcome),
            "complete tasks",
            FIELD_WORK,
        )
    }

    /// Cancels a task that is no longer to be done (leads only); it leaves the open lists and
    /// stays in the household's detail as cancelled.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a task already done or cancelled; [`Error::UnknownRecord`] for
    /// a task not in this household; [`Error::NotPermitted`] when this device's member is not
    /// a lead.
    pub fn cancel_task(&self, household: HouseholdId, task: &TaskId) -> Result<()> {
        self.close_task(
            household,
            task,
            TaskStatus::Cancelled,
            None,
            "cancel tasks",
            LEADS,
        )
    }

    fn close_task(
        &self,
        household: HouseholdId,
        task: &TaskId,
        status: TaskStatus,
        outcome: Option<String>,
        action: &'static str,
        allowed: &[Role],
    ) -> Result<()> {
        self.batch(|b| {
            let antenna = b.antenna_of(household)?;
            let actor = b.acting(antenna, action, allowed)?;
            let current = b.task(household, task)?;
            if current.assigned_to != actor {
                let role = b.member(antenna, &actor)?.map(|m| m.role);
                if role != Some(Role::Lead) {
                    return Err(Error::NotPermitted {
                        role: role.unwrap_or(Role::Observer),
                        action: "complete another member's task",
                    });
                }
            }
            if !current.is_open() {
                return Err(Error::invalid("task", InputProblem::TaskClosed));
            }
            let now = b.now;
            b.change(household.document(), action, |tx| {
                let obj = existing(tx, &["case", "tasks"], task.as_str(), "task")?;
                reconcile_prop(&mut *tx, &obj, "status", status)?;
                // Only a completion writes the outcome: a cancellation merged with a
                // concurrent completion must not erase what the volunteer wrote.
                if let Some(outcome) = &outcome {
                    reconcile_prop(&mut *tx, &obj, "outcome", Some(outcome))?;
                }
                reconcile_prop(&mut *tx, &obj, "closed_at", Some(now))?;
                reconcile_prop(&mut *tx, &obj, "closed_by", Some(actor.clone()))?;
                Ok(())
            })?;
            b.refresh_household(antenna, household, true)
        })
    }

    /// The open tasks assigned to this device's member in `antenna`, most urgent first as of
    /// `now` (see [`TaskItem`] for what a line shows and why no name).
    ///
    /// # Errors
    /// [`Error::NotAMember`] when this device has no member in the antenna.
    pub fn my_tasks(&self, antenna: AntennaId, now: Timestamp) -> Result<Vec<TaskItem>> {
        self.read(|db, _| {
            let me = own_member(db, antenna)?;
            open_tasks(db, antenna, &me, now)
        })
    }

    /// The open tasks assigned to `member`, most urgent first as of `now`: for a lead sharing
    /// out the work. Any member may list their own.
    ///
    /// # Errors
    /// [`Error::NotPermitted`] for another member's list when this device's member is not a
    /// lead; [`Error::UnknownMember`] for a member not in the antenna;
    /// [`Error::NotAMember`] when this device has no member in the antenna.
    pub fn tasks_of(
        &self,
        antenna: AntennaId,
        member: &MemberId,
        now: Timestamp,
    ) -> Result<Vec<TaskItem>> {
        self.read(|db, docs| {
            let me = own_member(db, antenna)?;
            if &me != member {
                let role = member_of(db, docs, antenna, &me)?
                    .ok_or(Error::NotAMember(antenna))?
                    .role;
                if role != Role::Lead {
                    return Err(Error::NotPermitted {
                        role,
                        action: "list another member's tasks",
                    });
                }
                if member_of(db, docs, antenna, member)?.is_none() {
                    return Err(Error::UnknownMember(member.clone()));
                }
            }
            open_tasks(db, antenna, member, now)
        })
    }

    /// How many tasks of the antenna are open past their due time as of `now` (each task
    /// counted once, merged copies included).
    pub(crate) fn overdue_tasks(&self, antenna: AntennaId, now: Timestamp) -> Result<u32> {
        self.read(|db, _| {
            let sql = format!(
                "SELECT count(*) FROM tasks t JOIN households h ON h.id = t.household_id
                 WHERE t.antenna_id = ?1 AND t.status = 'open' AND t.due < ?2
                   AND {ONE_ROW_PER_TASK}"
            );
            Ok(db
                .prepare_cached(&sql)?
                .query_row(params![antenna.to_string(), now.millis()], |r| r.get(0))?)
        })
    }
}

impl Batch<'_> {
    /// A task of a household, as its document says now.
    fn task(&mut self, household: HouseholdId, task: &TaskId) -> Result<Task> {
        let doc = self
            .doc(household.document(), DocumentKind::Household)?
            .ok_or(Error::UnknownHousehold(household))?;
        lookup(doc, &["case", "tasks", task.as_str()])?.ok_or_else(|| Error::UnknownRecord {
            kind: "task",
            id: task.to_string(),
        })
    }
}

/// The member this device acts as in `antenna`.
fn own_member(db: &Connection, antenna: AntennaId) -> Result<MemberId> {
    db.prepare_cached("SELECT member_id FROM memberships WHERE antenna_id = ?1")?
        .query_row([antenna.to_string()], |r| r.get::<_, String>(0))
        .optional()?
        .map(MemberId::from)
        .ok_or(Error::NotAMember(antenna))
}

/// A member's entry in the antenna document, without hydrating the whole document.
fn member_of(
    db: &Connection,
    docs: &mut Documents,
    antenna: AntennaId,
    member: &MemberId,
) -> Result<Option<Member>> {
    let loaded = docs
        .get(db, antenna.document())?
        .filter(|l| l.header.kind == DocumentKind::Antenna)
        .ok_or(Error::UnknownAntenna(antenna))?;
    lookup(&loaded.doc, &["members", member.as_str()])
}

/// The open tasks of `member`, one line per task, by urgency.
fn open_tasks(
    db: &Connection,
    antenna: AntennaId,
    member: &MemberId,
    now: Timestamp,
) -> Result<Vec<TaskItem>> {
    let sql = format!(
        "SELECT t.household_id, t.id, t.kind, t.due, t.note, h.priority
         FROM tasks t JOIN households h ON h.id = t.household_id
         WHERE t.antenna_id = ?1 AND t.assigned_to = ?2 AND t.status = 'open'
           AND {ONE_ROW_PER_TASK}"
    );
    let mut stmt = db.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![antenna.to_string(), member.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut items = Vec::new();
    for row in rows {
        let (household, task, kind, due, note, rank) = row?;
        // A word from a newer version, or a malformed id, is left out rather than misread.
        let (Ok(household), Some(kind)) = (household.parse(), TaskKind::parse(&kind)) else {
            continue;
        };
        let priority = Priority::ALL
            .get(rank as usize)
            .copied()
            .unwrap_or(Priority::Normal);
        items.push(TaskItem::new(
            household,
            TaskId::from(task),
            kind,
            Timestamp(due),
            priority,
            note,
            now,
        ));
    }
    sort_by_urgency(&mut items, now);
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600 * 1000;

    fn item(household: HouseholdId, task: &str, due: i64, priority: Priority) -> TaskItem {
        TaskItem::new(
            household,
            TaskId::from(task),
            TaskKind::Visit,
            Timestamp(due),
            priority,
            None,
            Timestamp(0),
        )
    }

    #[test]
    fn test_the_most_overdue_come_first_then_by_due_day_then_priority() {
        let now = Timestamp(0);
        let (a, b) = (HouseholdId::random(), HouseholdId::random());
        let mut items = vec![
            item(a, "tomorrow-low", DAY_MS + HOUR, Priority::Low),
            item(a, "in-two-hours-normal", 2 * HOUR, Priority::Normal),
            item(b, "in-five-hours-urgent", 5 * HOUR, Priority::Urgent),
            item(a, "late-an-hour", -HOUR, Priority::Low),
            item(b, "late-three-days", -3 * DAY_MS, Priority::Low),
            item(
                a,
                "late-two-days-normal",
                -2 * DAY_MS + HOUR,
                Priority::Normal,
            ),
            item(
                b,
                "late-two-days-high",
                -2 * DAY_MS + 2 * HOUR,
                Priority::High,
            ),
        ];
        sort_by_urgency(&mut items, now);
        let order: Vec<&str> = items.iter().map(|t| t.task.as_str()).collect();
        assert_eq!(
            order,
            [
                "late-three-days",
                "late-two-days-high",
                "late-two-days-normal",
                "late-an-hour",
                "in-five-hours-urgent",
                "in-two-hours-normal",
                "tomorrow-low",
            ]
        );
    }

    #[test]
    fn test_equal_tasks_are_ordered_by_household_then_task_id() {
        let (a, b) = (HouseholdId::random(), HouseholdId::random());
        let (first, second) = if a < b { (a, b) } else { (b, a) };
        let mut items = vec![
            item(second, "x", HOUR, Priority::High),
            item(first, "z", HOUR, Priority::High),
            item(first, "y", HOUR, Priority::High),
        ];
        sort_by_urgency(&mut items, Timestamp(0));
        let order: Vec<(HouseholdId, &str)> = items
            .iter()
            .map(|t| (t.household, t.task.as_str()))
            .collect();
        assert_eq!(order, [(first, "y"), (first, "z"), (second, "x")]);
    }

    #[test]
    fn test_days_overdue_and_days_left_count_whole_days() {
        let h = HouseholdId::random();
        let late = item(h, "late", -(2 * DAY_MS + HOUR), Priority::Normal);
        assert!(late.overdue);
        assert_eq!((late.days_overdue, late.days_left), (2, 0));
        let soon = item(h, "soon", 3 * HOUR, Priority::Normal);
        assert!(!soon.overdue);
        assert_eq!((soon.days_overdue, soon.days_left), (0, 0));
        let later = item(h, "later", 4 * DAY_MS + HOUR, Priority::Normal);
        assert_eq!((later.days_overdue, later.days_left), (0, 4));
        let just_late = item(h, "just", -HOUR, Priority::Normal);
        assert!(just_late.overdue);
        assert_eq!(just_late.days_overdue, 0);
    }
}
