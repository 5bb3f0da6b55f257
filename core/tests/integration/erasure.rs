//! Erasing a household: gone from every device that syncs, refused when an old copy comes
//! back, the accounts whole, and only a lead may do it.

use jiran_core::*;

use super::support::{antenna, delivery, household, join, money, push, sync, Device};

fn listed(device: &Device, antenna: AntennaId) -> Vec<HouseholdId> {
    device
        .store
        .households(antenna, &HouseholdFilter::default())
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn test_an_erasure_reaches_other_devices_and_an_old_copy_is_refused_even_after_a_restart() {
    let (lead, antenna) = antenna();
    let sami = join(&lead, antenna, Role::Volunteer);
    let fatma = sami
        .store
        .register_household(antenna, household("Fatma Ben Ali", Some("+216 98 123 456")))
        .unwrap();
    let donation = sami.store.record_donation(antenna, money(50_000)).unwrap();
    sami.store
        .record_delivery(antenna, delivery(fatma, &donation, 20_000))
        .unwrap();
    sync(&lead, &sami, antenna);
    let old_copy = sami
        .store
        .replication()
        .export_document(fatma.document())
        .unwrap()
        .unwrap();

    let sami_member = sami.store.memberships().unwrap()[0].1.clone();
    lead.store
        .assign_task(
            fatma,
            NewTask {
                kind: TaskKind::Visit,
                assigned_to: sami_member,
                due: Timestamp::now(),
                note: Some("ask Fatma about the rent".into()),
            },
        )
        .unwrap();
    sync(&lead, &sami, antenna);
    assert_eq!(
        sami.store
            .my_tasks(antenna, Timestamp::now())
            .unwrap()
            .len(),
        1
    );

    lead.store.erase_household(fatma).unwrap();
    assert!(listed(&lead, antenna).is_empty());
    sync(&lead, &sami, antenna);
    assert!(
        sami.store
            .my_tasks(antenna, Timestamp::now())
            .unwrap()
            .is_empty(),
        "its tasks go with it"
    );
    assert!(listed(&sami, antenna).is_empty());
    assert!(sami
        .store
        .replication()
        .export_document(fatma.document())
        .unwrap()
        .is_none());
    assert!(sami.store.search(antenna, "Fatma", 10).unwrap().is_empty());
    assert_eq!(
        sami.store.erased_households(antenna).unwrap()[0].0,
        fatma,
        "the tombstone names the household by id only"
    );

    // The accounts still add up, without anyone's identity.
    let balance = &sami.store.donation_balances(antenna).unwrap()[0];
    assert_eq!((balance.delivered, balance.remaining), (20_000, 30_000));

    // A device with an old copy (a backup, a phone offline for months) cannot bring it back,
    // before or after the store is reopened and its derived tables rebuilt.
    let sami = sami.reopen();
    assert_eq!(
        sami.store
            .replication()
            .import(fatma.document(), &old_copy)
            .unwrap(),
        ImportOutcome::Erased
    );
    sami.store.replication().rebuild_indexes().unwrap();
    assert_eq!(
        sami.store
            .replication()
            .import(fatma.document(), &old_copy)
            .unwrap(),
        ImportOutcome::Erased
    );
    assert!(listed(&sami, antenna).is_empty());
    assert!(sami
        .store
        .replication()
        .export_document(fatma.document())
        .unwrap()
        .is_none());
}

#[test]
fn test_a_device_that_edited_the_household_offline_loses_it_when_the_tombstone_arrives() {
    let (lead, antenna) = antenna();
    let amira = join(&lead, antenna, Role::Volunteer);
    let fatma = lead
        .store
        .register_household(antenna, household("Fatma Ben Ali", None))
        .unwrap();
    sync(&lead, &amira, antenna);

    // Offline, Amira changes the household (and with it its index entry); meanwhile the lead
    // erases it.
    amira
        .store
        .add_note(fatma, "asked about school fees")
        .unwrap();
    lead.store.erase_household(fatma).unwrap();
    push(&lead, &amira, antenna);
    assert!(listed(&amira, antenna).is_empty());
    assert!(amira
        .store
        .replication()
        .export_document(fatma.document())
        .unwrap()
        .is_none());
    sync(&lead, &amira, antenna);
    assert!(listed(&lead, antenna).is_empty());
    assert!(listed(&amira, antenna).is_empty());
    assert!(
        !lead
            .store
            .antenna(antenna)
            .unwrap()
            .households
            .contains_key(&fatma.to_string()),
        "an index entry written concurrently with the erasure is removed"
    );
}

#[test]
fn test_only_a_lead_erases_and_a_refusal_changes_nothing() {
    let (lead, antenna) = antenna();
    let sami = join(&lead, antenna, Role::Volunteer);
    let fatma = lead
        .store
        .register_household(antenna, household("Fatma Ben Ali", None))
        .unwrap();
    sync(&lead, &sami, antenna);
    let before = sami
        .store
        .replication()
        .export_document(fatma.document())
        .unwrap();

    assert!(matches!(
        sami.store.erase_household(fatma),
        Err(Error::NotPermitted { .. })
    ));
    assert!(matches!(
        lead.store.erase_household(HouseholdId::random()),
        Err(Error::UnknownHousehold(_))
    ));
    assert_eq!(
        sami.store
            .replication()
            .export_document(fatma.document())
            .unwrap(),
        before
    );
    assert_eq!(listed(&sami, antenna), [fatma]);
    assert!(sami.store.erased_households(antenna).unwrap().is_empty());

    // Erasing twice is harmless.
    lead.store.erase_household(fatma).unwrap();
    lead.store.erase_household(fatma).unwrap();
    assert_eq!(lead.store.erased_households(antenna).unwrap().len(), 1);
}

#[test]
fn test_households_merged_into_an_erased_one_are_the_same_family_and_go_with_it() {
    let (lead, antenna) = antenna();
    let first = lead
        .store
        .register_household(antenna, household("Fatma Ben Ali", Some("98123456")))
        .unwrap();
    let again = lead
        .store
        .register_household(antenna, household("Fatma Benali", Some("98123456")))
        .unwrap();
    lead.store.merge_households(first, again).unwrap();
    lead.store.erase_household(first).unwrap();
    assert!(lead
        .store
        .replication()
        .export_document(again.document())
        .unwrap()
        .is_none());
    let erased: Vec<HouseholdId> = lead
        .store
        .erased_households(antenna)
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert!(erased.contains(&first) && erased.contains(&again));
}
