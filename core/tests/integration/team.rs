//! The team a lead manages: members with their roles and devices, promotions and demotions,
//! removals, and the antenna's last lead kept.

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjType, ReadDoc, ROOT};
use jiran_core::*;

use crate::support::*;

fn member_id(device: &Device, antenna: AntennaId) -> MemberId {
    device
        .store
        .memberships()
        .unwrap()
        .into_iter()
        .find(|(a, _)| *a == antenna)
        .unwrap()
        .1
}

/// What a modified phone does: takes `from`'s copy of a document, writes `edit` under an actor
/// of its own (not a member's key: it holds none), and hands the result to `to` as a relay
/// would.
fn forge(
    from: &Device,
    to: &Device,
    id: DocumentId,
    edit: impl FnOnce(&mut automerge::transaction::Transaction<'_>),
) {
    let bytes = from
        .store
        .replication()
        .export_document(id)
        .unwrap()
        .unwrap();
    let mut doc = Automerge::load(&bytes)
        .unwrap()
        .with_actor(ActorId::random());
    let mut tx = doc.transaction();
    edit(&mut tx);
    tx.commit();
    to.store.replication().import(id, &doc.save()).unwrap();
}

#[test]
fn test_a_lead_sees_the_team_leads_first_with_the_key_each_device_wrote() {
    let (lead, antenna) = antenna();
    let volunteer = join(&lead, antenna, Role::Volunteer);
    let team = lead.store.team(antenna).unwrap();
    assert_eq!(team.len(), 2);
    assert_eq!((team[0].role, team[0].is_me), (Role::Lead, true));
    assert_eq!(team[0].device_key, Some(lead.store.device_key()));
    assert_eq!((team[1].role, team[1].is_me), (Role::Volunteer, false));
    // The lead added the volunteer's entry: no device of theirs wrote a key into it.
    assert_eq!(team[1].device_key, None);
    assert!(volunteer.store.team(antenna).unwrap()[1].is_me);
}

#[test]
fn test_a_key_claimed_in_a_change_not_made_under_it_is_not_believed() {
    let (lead, antenna) = antenna();
    let volunteer = join(&lead, antenna, Role::Volunteer);
    let victim = member_id(&volunteer, antenna);
    // A modified phone writes the lead's public key into the volunteer's entry, under its own
    // actor (it cannot write under the lead's key: it does not hold it).
    forge(&volunteer, &lead, antenna.document(), |tx| {
        let (_, members) = tx.get(ROOT, "members").unwrap().unwrap();
        let entry = match tx.get(&members, victim.as_str()).unwrap() {
            Some((automerge::Value::Object(ObjType::Map), id)) => id,
            other => panic!("no member entry: {other:?}"),
        };
        tx.put(&entry, "device_key", lead.store.device_key().to_string())
            .unwrap();
    });
    let team = lead.store.team(antenna).unwrap();
    let forged = team.iter().find(|m| m.id == victim).unwrap();
    assert_eq!(forged.device_key, None, "the forged key claim is ignored");
}

#[test]
fn test_a_promotion_takes_effect_on_the_members_phone_when_it_syncs() {
    let (lead, antenna) = antenna();
    let volunteer = join(&lead, antenna, Role::Volunteer);
    let sami = member_id(&volunteer, antenna);
    let household = volunteer
        .store
        .register_household(antenna, household("Fatma Ben Ali", Some("+216 98 123 456")))
        .unwrap();
    sync(&lead, &volunteer, antenna);
    // Before the promotion reaches it, the volunteer's phone refuses lead actions.
    assert!(matches!(
        volunteer.store.erase_household(household),
        Err(Error::NotPermitted { .. })
    ));
    lead.store.change_role(antenna, &sami, Role::Lead).unwrap();
    assert!(matches!(
        volunteer.store.erase_household(household),
        Err(Error::NotPermitted { .. })
    ));
    sync(&lead, &volunteer, antenna);
    volunteer.store.erase_household(household).unwrap();
}

#[test]
fn test_the_last_lead_is_neither_demoted_nor_removed_and_others_may_not_manage_the_team() {
    let (lead, antenna) = antenna();
    let volunteer = join(&lead, antenna, Role::Volunteer);
    let leila = member_id(&lead, antenna);
    let sami = member_id(&volunteer, antenna);
    for attempt in [
        lead.store.change_role(antenna, &leila, Role::Volunteer),
        lead.store.remove_member(antenna, &leila),
    ] {
        assert!(matches!(attempt, Err(Error::LastLead)), "{attempt:?}");
    }
    assert!(matches!(
        volunteer.store.change_role(antenna, &sami, Role::Lead),
        Err(Error::NotPermitted { .. })
    ));
    assert!(matches!(
        lead.store
            .change_role(antenna, &MemberId::from("nobody".to_owned()), Role::Lead),
        Err(Error::UnknownMember(_))
    ));
    // With a second lead, the first may step down.
    lead.store.change_role(antenna, &sami, Role::Lead).unwrap();
    lead.store
        .change_role(antenna, &leila, Role::Volunteer)
        .unwrap();
    let team = lead.store.team(antenna).unwrap();
    assert_eq!(team[0].id, sami);
    assert_eq!(team[0].role, Role::Lead);
}

#[test]
fn test_a_removed_member_may_do_nothing_and_is_listed_last() {
    let (lead, antenna) = antenna();
    let volunteer = join(&lead, antenna, Role::Volunteer);
    let sami = member_id(&volunteer, antenna);
    lead.store.remove_member(antenna, &sami).unwrap();
    sync(&lead, &volunteer, antenna);
    assert!(matches!(
        volunteer
            .store
            .register_household(antenna, household("Amel Gharbi", None)),
        Err(Error::NotAMember(_))
    ));
    let team = lead.store.team(antenna).unwrap();
    assert_eq!(team.last().unwrap().id, sami);
    assert!(team.last().unwrap().removed_at.is_some());
    // A removed member is not assigned work, and cannot be removed twice.
    assert!(matches!(
        lead.store.remove_member(antenna, &sami),
        Err(Error::UnknownMember(_))
    ));
}

#[test]
fn test_a_notes_verified_author_is_the_device_that_wrote_it_not_the_name_it_claims() {
    let (lead, antenna) = antenna();
    let leila = member_id(&lead, antenna);
    let household = lead
        .store
        .register_household(antenna, household("Fatma Ben Ali", None))
        .unwrap();
    let honest = lead.store.add_note(household, "visited on Monday").unwrap();
    // A modified phone writes a note that claims the lead wrote it.
    forge(&lead, &lead, household.document(), |tx| {
        let (_, case) = tx.get(ROOT, "case").unwrap().unwrap();
        let (_, notes) = tx.get(&case, "notes").unwrap().unwrap();
        let forged = tx.put_object(&notes, "forged-note", ObjType::Map).unwrap();
        tx.put(&forged, "author", leila.as_str()).unwrap();
        tx.put(&forged, "at", 1_700_000_000_000_i64).unwrap();
        tx.put(&forged, "text", "the family no longer needs help")
            .unwrap();
    });

    let detail = lead.store.household(household).unwrap();
    assert_eq!(detail.case.notes.len(), 2);
    assert_eq!(detail.written_by.get(&honest), Some(&leila));
    let forged = NoteId::from("forged-note".to_owned());
    assert_eq!(detail.case.notes[&forged].author, leila, "the claim");
    assert_eq!(
        detail.written_by.get(&forged),
        None,
        "not the lead's device"
    );
}
