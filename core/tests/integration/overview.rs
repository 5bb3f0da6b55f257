//! The lead's antenna overview: counts from the derived tables, right after merges and after
//! an upgrade from an older store.

use jiran_core::*;

use super::support::*;

#[test]
fn test_the_overview_counts_priorities_needs_grievances_and_over_allocations() {
    let (lead, antenna) = antenna();
    let volunteer = join(&lead, antenna, Role::Volunteer);
    let mut urgent = household("Fatma Ben Ali", None);
    urgent.priority = Priority::Urgent;
    urgent.shock = Some("lost her work as a cleaner in the lockdown".into());
    let fatma = lead.store.register_household(antenna, urgent).unwrap();
    let salah = lead
        .store
        .register_household(antenna, household("Salah Trabelsi", None))
        .unwrap();
    lead.store
        .add_need(fatma, need(NeedCategory::Food, "recorded"))
        .unwrap();
    lead.store
        .add_need(fatma, need(NeedCategory::Rent, "recorded"))
        .unwrap();
    lead.store
        .add_need(salah, need(NeedCategory::Food, "recorded"))
        .unwrap();
    let answered = lead
        .store
        .raise_grievance(salah, "delivery", "the parcel came late", false)
        .unwrap();
    lead.store
        .handle_grievance(
            salah,
            &answered,
            GrievanceStatus::Resolved,
            Some("apologised"),
        )
        .unwrap();
    let donation = lead.store.record_donation(antenna, money(10_000)).unwrap();
    sync(&lead, &volunteer, antenna);

    // Offline on both sides: a grievance on one, deliveries that together overdraw on both.
    volunteer
        .store
        .raise_grievance(
            fatma,
            "respect",
            "a volunteer spoke loudly at the door",
            true,
        )
        .unwrap();
    lead.store
        .record_delivery(antenna, delivery(fatma, &donation, 7_000))
        .unwrap();
    volunteer
        .store
        .record_delivery(antenna, delivery(salah, &donation, 6_000))
        .unwrap();
    sync(&lead, &volunteer, antenna);

    for device in [&lead, &volunteer] {
        let overview = device.store.overview(antenna).unwrap();
        assert_eq!(overview.active_households, 2);
        assert_eq!(
            overview.by_priority,
            vec![
                (Priority::Urgent, 1),
                (Priority::High, 0),
                (Priority::Normal, 1),
                (Priority::Low, 0)
            ]
        );
        let count = |c: NeedCategory| overview.open_needs.iter().find(|l| l.0 == c).unwrap().1;
        assert_eq!(count(NeedCategory::Food), 2);
        assert_eq!(count(NeedCategory::Rent), 1);
        assert_eq!(count(NeedCategory::Medical), 0);
        assert_eq!(overview.open_needs.len(), NeedCategory::ALL.len());
        assert_eq!(
            overview.open_grievances, 1,
            "the resolved one is not counted"
        );
        assert_eq!(
            overview.after_shock, 1,
            "one household came with the crisis"
        );
        assert_eq!(overview.balances.len(), 1);
        assert_eq!(overview.balances[0].delivered, 13_000);
        assert_eq!(overview.over_allocations.len(), 1);
        assert_eq!(overview.over_allocations[0].allocated, 13_000);
    }
}

#[test]
fn test_an_older_store_is_rebuilt_so_its_overview_counts_grievances() {
    let (lead, antenna) = antenna();
    let fatma = lead
        .store
        .register_household(antenna, household("Fatma Ben Ali", None))
        .unwrap();
    lead.store
        .raise_grievance(fatma, "delivery", "nothing came this week", false)
        .unwrap();
    let cash = lead.store.record_donation(antenna, money(10_000)).unwrap();
    lead.store
        .record_delivery(antenna, delivery(fatma, &cash, 1_000))
        .unwrap();
    let path = lead.store.path().to_owned();
    let lead = {
        // What a version-2 store looks like: no grievance counts, no addresses or merges, no
        // erasures, no tasks, no delivery codes.
        let Device { dir, store } = lead;
        drop(store);
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute("DROP INDEX households_merged", []).unwrap();
        db.execute("DROP INDEX households_by_delivery_code", [])
            .unwrap();
        db.execute("DROP TABLE erased_households", []).unwrap();
        db.execute("DROP TABLE tasks", []).unwrap();
        for column in [
            "open_grievances",
            "address",
            "merged_into",
            "merged_root",
            "after_shock",
            "open_referrals",
            "delivery_code",
        ] {
            db.execute(&format!("ALTER TABLE households DROP COLUMN {column}"), [])
                .unwrap();
        }
        db.pragma_update(None, "user_version", 2).unwrap();
        drop(db);
        Device {
            store: Store::open(dir.path()).unwrap(),
            dir,
        }
    };
    assert_eq!(lead.store.overview(antenna).unwrap().open_grievances, 1);
    // The delivery codes' column is filled from the documents too.
    let code = lead.store.household(fatma).unwrap().profile.delivery_code;
    let list = lead
        .store
        .delivery_list(antenna, Timestamp::now().month())
        .unwrap();
    assert!(code.is_some());
    assert_eq!(list[0].delivery_code, code);
}
