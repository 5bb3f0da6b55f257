//! Duplicate households: likely pairs with scores and reasons, a lead's merge that loses
//! nothing, crossed merges made offline, and precision and recall on a generated antenna.

use jiran_core::workflows::duplicates::{DuplicateReason, PossibleDuplicate};
use jiran_core::*;

use crate::support::*;

fn family(name: &str, phone: Option<&str>, address: &str, members: usize) -> NewHousehold {
    let mut new = household(name, phone);
    new.address = address.into();
    for n in 1..members {
        let mut child = person(&format!("Child {n}"));
        child.relationship = Relationship::Child;
        new.members.push(child);
    }
    new
}

fn pair_of(
    found: &[PossibleDuplicate],
    a: HouseholdId,
    b: HouseholdId,
) -> Option<&PossibleDuplicate> {
    found
        .iter()
        .find(|d| (d.keep, d.other) == (a, b) || (d.keep, d.other) == (b, a))
}

#[test]
fn test_likely_duplicates_are_listed_with_a_score_and_reasons() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let fatma = s
        .register_household(
            antenna,
            family(
                "Fatma Ben Ali",
                Some("+216 98 123 456"),
                "Rue Ibn Khaldoun 12",
                3,
            ),
        )
        .unwrap();
    let fatma_again = s
        .register_household(
            antenna,
            family("فاطمة بن علي", None, "rue ibn khaldoun 12", 3),
        )
        .unwrap();
    let same_phone = s
        .register_household(
            antenna,
            family("Hedi Trabelsi", Some("98123456"), "Cité Ennour", 5),
        )
        .unwrap();
    let namesake = s
        .register_household(
            antenna,
            family("Fatma Benali", None, "Cité Ennour, bloc 4", 2),
        )
        .unwrap();

    let found = s.possible_duplicates(antenna).unwrap();
    let by_name = pair_of(&found, fatma, fatma_again).expect("the same family in two scripts");
    assert_eq!(
        (by_name.keep, by_name.other),
        (fatma, fatma_again),
        "the older is kept"
    );
    assert_eq!(
        by_name.reasons,
        [
            DuplicateReason::SimilarName,
            DuplicateReason::SameLandmark,
            DuplicateReason::SameSize
        ]
    );
    assert_eq!(by_name.score, 70);
    let by_phone = pair_of(&found, fatma, same_phone).expect("one phone number");
    assert_eq!(by_phone.reasons, [DuplicateReason::SamePhone]);
    // A namesake elsewhere is no evidence on its own.
    assert!(pair_of(&found, fatma, namesake).is_none());
    assert!(pair_of(&found, fatma_again, namesake).is_none());
    assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn test_a_lead_merges_b_into_a_and_nothing_is_lost() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let a = s
        .register_household(
            antenna,
            family("Fatma Ben Ali", None, "Rue Ibn Khaldoun 12", 3),
        )
        .unwrap();
    let b = s
        .register_household(
            antenna,
            family("Fatma Benali", Some("98 123 456"), "rue ibn khaldoun 12", 3),
        )
        .unwrap();
    s.add_need(
        a,
        NewNeed {
            category: NeedCategory::Food,
            description: "parcel".into(),
            urgency: Urgency::Medium,
        },
    )
    .unwrap();
    let need = s
        .add_need(
            b,
            NewNeed {
                category: NeedCategory::Medical,
                description: "insulin".into(),
                urgency: Urgency::Critical,
            },
        )
        .unwrap();
    s.add_note(b, "prefers visits after 5 pm").unwrap();
    s.add_plan_step(
        b,
        NewPlanStep {
            description: "apply for the AMG card".into(),
            owner: None,
            due: None,
        },
    )
    .unwrap();
    s.raise_grievance(b, "delivery", "the parcel came late", true)
        .unwrap();
    let clinic = s
        .add_provider(
            antenna,
            NewProvider {
                name: "Dispensaire".into(),
                sector: Sector::Public,
                serves: vec![NeedCategory::Medical],
                contact: "71 000 000".into(),
                opening_hours: "8-14".into(),
            },
        )
        .unwrap();
    s.add_referral(b, &clinic, Some(need.clone())).unwrap();
    let cash = s.record_donation(antenna, money(100_000)).unwrap();
    s.record_delivery(antenna, delivery(b, &cash, 20_000))
        .unwrap();
    assert!(pair_of(&s.possible_duplicates(antenna).unwrap(), a, b).is_some());

    s.merge_households(a, b).unwrap();

    let kept = s.household(a).unwrap();
    assert_eq!(kept.case.needs.len(), 2);
    assert!(kept.case.needs.contains_key(&need));
    assert_eq!(kept.case.plan.len(), 1);
    assert_eq!(kept.case.grievances.len(), 1);
    assert_eq!(kept.case.referrals.len(), 1);
    assert_eq!(kept.case.notes.len(), 2, "B's note and the merge note");
    assert_eq!(kept.profile.phone.as_deref(), Some("98 123 456"));
    assert_eq!(kept.deliveries.len(), 1, "B's delivery counts as A's");
    let merged = s.household(b).unwrap();
    assert_eq!(merged.profile.status, HouseholdStatus::MergedInto(a));
    assert_eq!(
        merged.case.needs.len(),
        1,
        "B's own document is kept as it was"
    );
    let listed: Vec<HouseholdId> = s
        .households(antenna, &HouseholdFilter::default())
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(listed, [a]);
    assert!(s.possible_duplicates(antenna).unwrap().is_empty());

    // Merging again copies nothing twice.
    s.merge_households(a, b).unwrap();
    assert_eq!(s.household(a).unwrap().case.notes.len(), 2);
    assert_eq!(s.household(a).unwrap().case.needs.len(), 2);
}

#[test]
fn test_what_an_offline_volunteer_records_for_a_merged_household_reaches_the_kept_one() {
    let (lead, antenna) = antenna();
    let a = lead
        .store
        .register_household(antenna, family("Salah Mejri", None, "Rue 9", 4))
        .unwrap();
    let b = lead
        .store
        .register_household(antenna, family("Salah Mejri", None, "rue 9", 4))
        .unwrap();
    let cash = lead.store.record_donation(antenna, money(100_000)).unwrap();
    let volunteer = join(&lead, antenna, Role::Volunteer);

    lead.store.merge_households(a, b).unwrap();
    // Offline, the volunteer still sees B: a delivery and a need for it.
    volunteer
        .store
        .record_delivery(antenna, delivery(b, &cash, 5_000))
        .unwrap();
    let need = volunteer
        .store
        .add_need(
            b,
            NewNeed {
                category: NeedCategory::Rent,
                description: "two months late".into(),
                urgency: Urgency::High,
            },
        )
        .unwrap();
    sync(&lead, &volunteer, antenna);

    for device in [&lead, &volunteer] {
        let kept = device.store.household(a).unwrap();
        assert_eq!(kept.deliveries.len(), 1);
        assert!(kept.case.needs.contains_key(&need));
    }
    // Merging again writes it into A's own document.
    lead.store.merge_households(a, b).unwrap();
    let doc_needs = lead.store.household(a).unwrap().case.needs.len();
    assert_eq!(doc_needs, 1);
}

#[test]
fn test_merges_that_make_no_sense_or_are_not_a_leads_are_refused_and_change_nothing() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let a = s
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let b = s
        .register_household(antenna, household("Amal", None))
        .unwrap();
    let c = s
        .register_household(antenna, household("Salma", None))
        .unwrap();
    let volunteer = join(&lead, antenna, Role::Volunteer);
    assert!(matches!(
        volunteer.store.merge_households(a, b),
        Err(Error::NotPermitted { .. })
    ));
    assert!(matches!(
        s.merge_households(a, a),
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        s.merge_households(a, HouseholdId::random()),
        Err(Error::UnknownHousehold(_))
    ));
    s.merge_households(a, b).unwrap();
    let error = s.merge_households(c, b).unwrap_err();
    assert!(error.to_string().contains("already merged"), "{error}");
    let error = s.merge_households(b, c).unwrap_err();
    assert!(error.to_string().contains("itself merged"), "{error}");
    assert_eq!(
        s.household(c).unwrap().profile.status,
        HouseholdStatus::Active
    );
    assert_eq!(
        s.household(b).unwrap().profile.status,
        HouseholdStatus::MergedInto(a)
    );

    // Another antenna's household (this lead leads two) cannot be merged in.
    let (other_antenna, _) = s
        .create_antenna(NewAntenna {
            name: "Beni Khalled".into(),
            locality: "Beni Khalled".into(),
            lead_name: "Leila".into(),
        })
        .unwrap();
    let theirs = s
        .register_household(other_antenna, household("Amel", None))
        .unwrap();
    let error = s.merge_households(a, theirs).unwrap_err();
    assert!(error.to_string().contains("two antennas"), "{error}");
    assert_eq!(
        s.household(theirs).unwrap().profile.status,
        HouseholdStatus::Active
    );
}

#[test]
fn test_crossed_merges_made_offline_end_the_same_on_every_device() {
    let (lead, antenna) = antenna();
    let a = lead
        .store
        .register_household(antenna, family("Hedi Gharbi", None, "Rue 5", 2))
        .unwrap();
    let b = lead
        .store
        .register_household(antenna, family("Hédi Gharbi", None, "rue 5", 2))
        .unwrap();
    let second_lead = join(&lead, antenna, Role::Lead);
    lead.store.add_note(a, "note on A").unwrap();
    second_lead.store.add_note(b, "note on B").unwrap();

    // Offline: one lead merges B into A, the other A into B.
    lead.store.merge_households(a, b).unwrap();
    second_lead.store.merge_households(b, a).unwrap();
    sync(&lead, &second_lead, antenna);

    for device in [&lead, &second_lead] {
        let listed: Vec<HouseholdId> = device
            .store
            .households(antenna, &HouseholdFilter::default())
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(listed, [a], "the older household survives on every device");
        let notes: Vec<String> = device
            .store
            .household(a)
            .unwrap()
            .case
            .notes
            .values()
            .map(|n| n.text.clone())
            .collect();
        assert!(notes.contains(&"note on A".to_owned()));
        assert!(notes.contains(&"note on B".to_owned()));
    }

    // A lead settles it: B merged into A again; A is active in its own document too.
    lead.store.merge_households(a, b).unwrap();
    sync(&lead, &second_lead, antenna);
    for device in [&lead, &second_lead] {
        assert_eq!(
            device.store.household(a).unwrap().profile.status,
            HouseholdStatus::Active
        );
        assert_eq!(
            device.store.household(b).unwrap().profile.status,
            HouseholdStatus::MergedInto(a)
        );
    }
    assert!(matches!(
        second_lead.store.merge_households(b, a),
        Err(Error::Invalid { .. })
    ));
}
