//! Visits, calls and deliveries: a lead assigns, each volunteer lists their own by urgency,
//! done tasks record their outcome.

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use jiran_core::*;

use crate::support::*;

const HOUR: i64 = 3600 * 1000;
const DAY: i64 = 24 * HOUR;

fn at(base: Timestamp, millis: i64) -> Timestamp {
    Timestamp(base.millis() + millis)
}

/// A member added by the lead, on a device of their own that holds the antenna.
fn member(lead: &Device, antenna: AntennaId, name: &str, role: Role) -> (Device, MemberId) {
    let id = lead.store.add_member(antenna, name, role).unwrap();
    let device = Device::new();
    device.store.join_antenna(antenna, &id).unwrap();
    sync(lead, &device, antenna);
    (device, id)
}

fn with_priority(name: &str, priority: Priority) -> NewHousehold {
    NewHousehold {
        priority,
        ..household(name, None)
    }
}

fn task(kind: TaskKind, to: &MemberId, due: Timestamp, note: Option<&str>) -> NewTask {
    NewTask {
        kind,
        assigned_to: to.clone(),
        due,
        note: note.map(Into::into),
    }
}

fn ids(items: &[TaskItem]) -> Vec<TaskId> {
    items.iter().map(|t| t.task.clone()).collect()
}

#[test]
fn test_each_volunteer_lists_only_their_tasks_most_overdue_first_and_a_done_task_keeps_its_outcome()
{
    let (lead, antenna) = antenna();
    let (sami, sami_id) = member(&lead, antenna, "Sami", Role::Volunteer);
    let (amel, amel_id) = member(&lead, antenna, "Amel", Role::Volunteer);
    let s = &lead.store;
    let fatma = s
        .register_household(antenna, with_priority("Fatma", Priority::High))
        .unwrap();
    let salah = s
        .register_household(antenna, with_priority("Salah", Priority::Normal))
        .unwrap();
    let nour = s
        .register_household(antenna, with_priority("Nour", Priority::Urgent))
        .unwrap();

    let base = Timestamp::now();
    let oldest = s
        .assign_task(
            salah,
            task(
                TaskKind::Call,
                &sami_id,
                at(base, HOUR),
                Some("ask about the rent"),
            ),
        )
        .unwrap();
    // Due on the same day, Salah's an hour earlier: Fatma's household has the higher priority.
    let fatma_visit = s
        .assign_task(
            fatma,
            task(TaskKind::Visit, &sami_id, at(base, DAY + 2 * HOUR), None),
        )
        .unwrap();
    let salah_call = s
        .assign_task(
            salah,
            task(TaskKind::Call, &sami_id, at(base, DAY + HOUR), None),
        )
        .unwrap();
    let nour_delivery = s
        .assign_task(
            nour,
            task(
                TaskKind::Delivery,
                &sami_id,
                at(base, 5 * DAY),
                Some("bring the school kit"),
            ),
        )
        .unwrap();
    let amel_call = s
        .assign_task(
            fatma,
            task(TaskKind::Call, &amel_id, at(base, 2 * DAY), None),
        )
        .unwrap();
    sync(&lead, &sami, antenna);
    sync(&lead, &amel, antenna);

    // Three days on: two of Sami's are late, one is not due yet; Amel's list is her own.
    let later = at(base, 3 * DAY);
    let listed = sami.store.my_tasks(antenna, later).unwrap();
    assert_eq!(
        ids(&listed),
        [
            oldest.clone(),
            fatma_visit.clone(),
            salah_call.clone(),
            nour_delivery.clone()
        ]
    );
    assert_eq!(
        (listed[0].household, listed[0].kind, listed[0].overdue),
        (salah, TaskKind::Call, true)
    );
    assert_eq!(listed[0].days_overdue, 2);
    assert_eq!(listed[0].note.as_deref(), Some("ask about the rent"));
    assert_eq!(
        (listed[1].priority, listed[1].days_overdue),
        (Priority::High, 1)
    );
    assert_eq!(
        (listed[3].overdue, listed[3].days_left, listed[3].priority),
        (false, 2, Priority::Urgent)
    );
    assert_eq!(
        ids(&amel.store.my_tasks(antenna, later).unwrap()),
        std::slice::from_ref(&amel_call)
    );
    assert_eq!(
        s.tasks_of(antenna, &sami_id, later).unwrap(),
        listed,
        "the lead sees Sami's list as Sami does"
    );

    // Sami visits Fatma and says how it went; it leaves the open list at once.
    sami.store
        .complete_task(fatma, &fatma_visit, "  visited; the fridge is empty  ")
        .unwrap();
    assert_eq!(
        ids(&sami.store.my_tasks(antenna, later).unwrap()),
        [oldest, salah_call, nour_delivery]
    );
    let done = &sami.store.household(fatma).unwrap().case.tasks[&fatma_visit];
    assert_eq!(done.status, TaskStatus::Done);
    assert_eq!(
        done.outcome.as_deref(),
        Some("visited; the fridge is empty")
    );
    assert_eq!(done.closed_by.as_ref(), Some(&sami_id));
    assert!(done.closed_at.is_some());

    // On the lead's phone after the sync: the outcome in the detail, and out of the list
    // (the derived list is refreshed by the merge, not only by local actions).
    sync(&lead, &sami, antenna);
    let detail = s.household(fatma).unwrap();
    let order: Vec<&TaskId> = detail
        .case
        .tasks_in_order()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(order, [&amel_call, &fatma_visit], "open first, then done");
    assert_eq!(
        detail.case.tasks[&fatma_visit].outcome.as_deref(),
        Some("visited; the fridge is empty")
    );
    assert_eq!(s.tasks_of(antenna, &sami_id, later).unwrap().len(), 3);
    assert!(!ids(&s.tasks_of(antenna, &sami_id, later).unwrap()).contains(&fatma_visit));
}

#[test]
fn test_a_task_assigned_on_one_phone_is_listed_on_the_other_after_a_sync() {
    let (lead, antenna) = antenna();
    let (sami, sami_id) = member(&lead, antenna, "Sami", Role::Volunteer);
    let fatma = lead
        .store
        .register_household(antenna, household("Fatma", None))
        .unwrap();
    sync(&lead, &sami, antenna);
    assert!(sami
        .store
        .my_tasks(antenna, Timestamp::now())
        .unwrap()
        .is_empty());
    let due = at(Timestamp::now(), 2 * DAY);
    let visit = lead
        .store
        .assign_task(
            fatma,
            task(TaskKind::Visit, &sami_id, due, Some("bring the form")),
        )
        .unwrap();
    // One direction only: the household document's changes, merged on Sami's phone.
    push(&lead, &sami, antenna);
    let [item] = &sami.store.my_tasks(antenna, Timestamp::now()).unwrap()[..] else {
        panic!("one task expected");
    };
    assert_eq!((item.household, &item.task, item.due), (fatma, &visit, due));
    assert_eq!(item.note.as_deref(), Some("bring the form"));

    // The lead cancels it while Sami's phone is offline; the merge takes it off Sami's list.
    lead.store.cancel_task(fatma, &visit).unwrap();
    push(&lead, &sami, antenna);
    assert!(sami
        .store
        .my_tasks(antenna, Timestamp::now())
        .unwrap()
        .is_empty());
    let cancelled = &sami.store.household(fatma).unwrap().case.tasks[&visit];
    assert_eq!(cancelled.status, TaskStatus::Cancelled);
    assert_eq!(cancelled.outcome, None);
}

#[test]
fn test_refused_task_actions_leave_the_stored_data_unchanged() {
    let (lead, antenna) = antenna();
    let (sami, sami_id) = member(&lead, antenna, "Sami", Role::Volunteer);
    let (amel, amel_id) = member(&lead, antenna, "Amel", Role::Volunteer);
    let (auditor, auditor_id) = member(&lead, antenna, "Auditor", Role::Observer);
    let s = &lead.store;
    let fatma = s
        .register_household(antenna, household("Fatma", None))
        .unwrap();
    let now = Timestamp::now();
    let due = at(now, DAY);
    let amels = s
        .assign_task(fatma, task(TaskKind::Visit, &amel_id, due, None))
        .unwrap();
    for device in [&sami, &amel, &auditor] {
        sync(&lead, device, antenna);
    }
    let doc = fatma.document();
    let state = |d: &Device| {
        (
            d.store.replication().heads(doc).unwrap(),
            d.store.household(fatma).unwrap().case.tasks,
        )
    };

    // The lead's own mistakes.
    let before = state(&lead);
    let refused = [
        s.assign_task(
            fatma,
            task(TaskKind::Call, &MemberId::from("nobody"), due, None),
        ),
        s.assign_task(fatma, task(TaskKind::Call, &auditor_id, due, None)),
        s.assign_task(
            fatma,
            task(TaskKind::Call, &sami_id, at(now, -8 * DAY), None),
        ),
        s.assign_task(
            fatma,
            task(TaskKind::Call, &sami_id, at(now, 367 * DAY), None),
        ),
        s.assign_task(fatma, task(TaskKind::Call, &sami_id, due, Some("   "))),
        s.assign_task(
            fatma,
            task(TaskKind::Call, &sami_id, due, Some(&"x".repeat(2001))),
        ),
    ];
    assert!(matches!(refused[0], Err(Error::UnknownMember(_))));
    for (result, field) in refused[1..]
        .iter()
        .zip(["assigned_to", "due", "due", "note", "note"])
    {
        match result {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(*f, field),
            other => panic!("expected an invalid {field}, got {other:?}"),
        }
    }
    assert!(matches!(
        s.complete_task(fatma, &TaskId::from("no-such-task"), "done"),
        Err(Error::UnknownRecord { kind: "task", .. })
    ));
    assert_eq!(state(&lead), before);

    // A volunteer may not assign, cancel, or complete another member's task.
    let before = state(&sami);
    let v = &sami.store;
    assert!(matches!(
        v.assign_task(fatma, task(TaskKind::Visit, &sami_id, due, None)),
        Err(Error::NotPermitted {
            role: Role::Volunteer,
            ..
        })
    ));
    assert!(matches!(
        v.complete_task(fatma, &amels, "done it for her"),
        Err(Error::NotPermitted {
            role: Role::Volunteer,
            action: "complete another member's task"
        })
    ));
    assert!(matches!(
        v.cancel_task(fatma, &amels),
        Err(Error::NotPermitted { .. })
    ));
    assert!(matches!(
        v.tasks_of(antenna, &amel_id, now),
        Err(Error::NotPermitted { .. })
    ));
    assert_eq!(state(&sami), before);
    assert!(matches!(
        auditor.store.complete_task(fatma, &amels, "seen"),
        Err(Error::NotPermitted {
            role: Role::Observer,
            ..
        })
    ));

    // The assignee: an outcome is required and bounded; completing twice is refused, so
    // the first outcome is never overwritten.
    let before = state(&amel);
    let a = &amel.store;
    for outcome in ["", " \n ", &"x".repeat(2001)] {
        assert!(matches!(
            a.complete_task(fatma, &amels, outcome),
            Err(Error::Invalid {
                field: "outcome",
                ..
            })
        ));
    }
    assert_eq!(state(&amel), before);
    a.complete_task(fatma, &amels, "visited").unwrap();
    let after_first = state(&amel);
    assert!(matches!(
        a.complete_task(fatma, &amels, "visited again"),
        Err(Error::Invalid { field: "task", .. })
    ));
    assert_eq!(state(&amel), after_first);
    sync(&lead, &amel, antenna);
    assert!(matches!(
        s.cancel_task(fatma, &amels),
        Err(Error::Invalid { field: "task", .. })
    ));
    assert_eq!(
        s.household(fatma).unwrap().case.tasks[&amels]
            .outcome
            .as_deref(),
        Some("visited")
    );
    // Error messages name fields, never what was typed.
    let message = s
        .assign_task(
            fatma,
            task(TaskKind::Call, &sami_id, due, Some(&"Fatma ".repeat(400))),
        )
        .unwrap_err()
        .to_string();
    assert!(!message.contains("Fatma"), "{message}");
}

#[test]
fn test_a_task_copied_by_a_merge_is_listed_once_and_overdue_tasks_are_counted() {
    let (lead, antenna) = antenna();
    let (_sami, sami_id) = member(&lead, antenna, "Sami", Role::Volunteer);
    let s = &lead.store;
    let first = s
        .register_household(antenna, household("Fatma Ben Ali", Some("98 123 456")))
        .unwrap();
    let second = s
        .register_household(antenna, household("Fatma Benali", Some("98123456")))
        .unwrap();
    let late = s
        .assign_task(
            second,
            task(TaskKind::Visit, &sami_id, at(Timestamp::now(), -DAY), None),
        )
        .unwrap();
    assert_eq!(s.overview(antenna).unwrap().overdue_tasks, 1);
    s.merge_households(first, second).unwrap();

    let listed = s.tasks_of(antenna, &sami_id, Timestamp::now()).unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|t| (t.household, t.task.clone()))
            .collect::<Vec<_>>(),
        [(first, late.clone())],
        "the copy in the kept household, once"
    );
    assert_eq!(s.overview(antenna).unwrap().overdue_tasks, 1);
    assert!(s.household(first).unwrap().case.tasks.contains_key(&late));

    s.complete_task(first, &late, "visited, one family indeed")
        .unwrap();
    assert!(s
        .tasks_of(antenna, &sami_id, Timestamp::now())
        .unwrap()
        .is_empty());
    assert_eq!(s.overview(antenna).unwrap().overdue_tasks, 0);
}

#[test]
fn test_a_household_document_from_before_tasks_gets_its_task_map_on_first_use() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let fatma = s
        .register_household(antenna, household("Fatma", None))
        .unwrap();
    // What an older version wrote: a case without the `tasks` map.
    let bytes = s
        .replication()
        .export_document(fatma.document())
        .unwrap()
        .unwrap();
    let mut doc = automerge::AutoCommit::load(&bytes).unwrap();
    let (_, case) = doc.get(ROOT, "case").unwrap().unwrap();
    doc.delete(&case, "tasks").unwrap();
    doc.commit();
    s.replication()
        .import(fatma.document(), &doc.save())
        .unwrap();
    assert!(s.household(fatma).unwrap().case.tasks.is_empty());

    let (_, me) = s.memberships().unwrap()[0].clone();
    let call = s
        .assign_task(
            fatma,
            task(TaskKind::Call, &me, at(Timestamp::now(), DAY), None),
        )
        .unwrap();
    assert_eq!(
        ids(&s.my_tasks(antenna, Timestamp::now()).unwrap()),
        std::slice::from_ref(&call)
    );
    s.complete_task(fatma, &call, "called").unwrap();
    assert_eq!(
        s.household(fatma).unwrap().case.tasks[&call].status,
        TaskStatus::Done
    );
}

#[test]
fn test_an_older_store_is_rebuilt_so_its_task_lists_are_filled() {
    let (lead, antenna) = antenna();
    let fatma = lead
        .store
        .register_household(antenna, household("Fatma", None))
        .unwrap();
    let (_, me) = lead.store.memberships().unwrap()[0].clone();
    let visit = lead
        .store
        .assign_task(
            fatma,
            task(TaskKind::Visit, &me, at(Timestamp::now(), DAY), None),
        )
        .unwrap();
    let path = lead.store.path().to_owned();
    let Device { dir, store } = lead;
    drop(store);
    // A store of the version before tasks: no tasks table (nor the delivery codes after it).
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute("DROP TABLE tasks", []).unwrap();
    db.execute("DROP INDEX households_by_delivery_code", [])
        .unwrap();
    db.execute("ALTER TABLE households DROP COLUMN delivery_code", [])
        .unwrap();
    db.execute("ALTER TABLE relay_links DROP COLUMN relay_storage_id", [])
        .unwrap();
    db.pragma_update(None, "user_version", 5).unwrap();
    drop(db);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        ids(&store.my_tasks(antenna, Timestamp::now()).unwrap()),
        [visit]
    );
}

#[test]
fn test_a_completion_and_a_cancellation_made_offline_merge_without_losing_the_outcome() {
    let (lead, antenna) = antenna();
    let (sami, sami_id) = member(&lead, antenna, "Sami", Role::Volunteer);
    let fatma = lead
        .store
        .register_household(antenna, household("Fatma", None))
        .unwrap();
    let visit = lead
        .store
        .assign_task(
            fatma,
            task(TaskKind::Visit, &sami_id, at(Timestamp::now(), DAY), None),
        )
        .unwrap();
    sync(&lead, &sami, antenna);
    // Both phones offline: the lead cancels, Sami has already been and says how it went.
    lead.store.cancel_task(fatma, &visit).unwrap();
    sami.store
        .complete_task(fatma, &visit, "visited; all is well")
        .unwrap();
    sync(&lead, &sami, antenna);
    let on_lead = lead.store.household(fatma).unwrap().case.tasks[&visit].clone();
    let on_sami = sami.store.household(fatma).unwrap().case.tasks[&visit].clone();
    assert_eq!(on_lead, on_sami, "both phones settle on the same task");
    assert!(!on_lead.is_open());
    assert_eq!(on_lead.outcome.as_deref(), Some("visited; all is well"));
    for device in [&lead, &sami] {
        assert!(device
            .store
            .tasks_of(antenna, &sami_id, Timestamp::now())
            .unwrap()
            .is_empty());
    }
}
