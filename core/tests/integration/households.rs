//! Households and cases: registration, edits, needs, notes, search, filters, roles.

use jiran_core::*;

use crate::support::*;

#[test]
fn test_a_registered_household_is_listed_and_found_in_both_scripts() {
    let (device, antenna) = antenna();
    let store = &device.store;
    let id = store
        .register_household(
            antenna,
            household("Mohamed Ben Ali", Some("+216 98 123 456")),
        )
        .unwrap();
    store
        .register_household(antenna, household("Salma Trabelsi", None))
        .unwrap();

    let list = store
        .households(antenna, &HouseholdFilter::default())
        .unwrap();
    assert_eq!(list.len(), 2);
    let item = list.iter().find(|h| h.id == id).unwrap();
    assert_eq!(item.head_name.as_deref(), Some("Mohamed Ben Ali"));
    assert_eq!(item.state, HouseholdState::Active);

    for typed in [
        "mohamed",
        "MOHAMMED",
        "Mhamed",
        "محمد",
        "benali",
        "بن علي",
        "moh ben",
        "98 123",
        "123456",
    ] {
        let found = store.search(antenna, typed, 10).unwrap();
        assert_eq!(found.first().map(|h| h.id), Some(id), "searching {typed:?}");
        assert!(
            found
                .iter()
                .all(|h| h.head_name.as_deref() != Some("Salma Trabelsi")),
            "{typed:?}"
        );
    }
    assert!(store.search(antenna, "Karim", 10).unwrap().is_empty());
    assert!(store.search(antenna, "   ", 10).unwrap().is_empty());
}

#[test]
fn test_an_arabic_name_is_found_typed_in_latin_letters_and_accents_are_ignored() {
    let (device, antenna) = antenna();
    let store = &device.store;
    let fatma = store
        .register_household(antenna, household("فاطمة الزهراء", None))
        .unwrap();
    let hedi = store
        .register_household(antenna, household("Hédi Chaouch", None))
        .unwrap();
    assert_eq!(store.search(antenna, "Fatma", 10).unwrap()[0].id, fatma);
    assert_eq!(store.search(antenna, "Fatima", 10).unwrap()[0].id, fatma);
    assert_eq!(store.search(antenna, "hedi", 10).unwrap()[0].id, hedi);
    assert_eq!(store.search(antenna, "HÉDI", 10).unwrap()[0].id, hedi);
    assert_eq!(store.search(antenna, "شاوش", 10).unwrap()[0].id, hedi);
}

#[test]
fn test_registration_is_validated_and_a_refused_one_records_nothing() {
    let (device, antenna) = antenna();
    let store = &device.store;
    let mut no_consent = household("Amel", None);
    no_consent.keep_data = false;
    let mut empty_name = household("  ", None);
    empty_name.priority = Priority::High;
    let mut no_members = household("Amel", None);
    no_members.members.clear();
    let mut bad_coordinates = household("Amel", None);
    bad_coordinates.coordinates = Some(Coordinates {
        latitude: 120.0,
        longitude: 10.0,
    });
    let mut bad_year = household("Amel", None);
    bad_year.members[0].birth_year = Some(1850);
    let cases = [
        (no_consent, "keep_data"),
        (empty_name, "name"),
        (no_members, "members"),
        (household("Amel", Some("call me")), "phone"),
        (bad_coordinates, "latitude"),
        (bad_year, "birth_year"),
    ];
    for (new, field) in cases {
        match store.register_household(antenna, new) {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected {field} to be refused, got {other:?}"),
        }
    }
    assert!(store
        .households(antenna, &HouseholdFilter::default())
        .unwrap()
        .is_empty());
    assert!(store.antenna(antenna).unwrap().households.is_empty());
    let unknown = AntennaId::random();
    assert!(matches!(
        store.register_household(unknown, household("Amel", None)),
        Err(Error::NotAMember(a)) if a == unknown
    ));
}

#[test]
fn test_needs_plan_notes_referrals_and_grievances_make_up_the_case() {
    let (device, antenna) = antenna();
    let store = &device.store;
    let id = store
        .register_household(antenna, household("Naima", None))
        .unwrap();
    let food = store
        .add_need(
            id,
            NewNeed {
                category: NeedCategory::Food,
                description: "family of 6".into(),
                urgency: Urgency::High,
            },
        )
        .unwrap();
    let rent = store
        .add_need(
            id,
            NewNeed {
                category: NeedCategory::Rent,
                description: "April rent".into(),
                urgency: Urgency::Medium,
            },
        )
        .unwrap();
    store.set_need_status(id, &food, NeedStatus::Met).unwrap();
    let step = store
        .add_plan_step(
            id,
            NewPlanStep {
                description: "apply for the AMG card".into(),
                owner: None,
                due: Some("2020-05-15".into()),
            },
        )
        .unwrap();
    store
        .set_plan_step_status(id, &step, StepStatus::Doing)
        .unwrap();
    store
        .add_note(id, "first visit: the father lost his job at the café")
        .unwrap();
    store.add_note(id, "second visit").unwrap();
    store
        .add_limiting_factor(id, FactorKind::NoPapers, "ID card expired")
        .unwrap();
    let clinic = store
        .add_provider(
            antenna,
            NewProvider {
                name: "Centre de santé de base".into(),
                sector: Sector::Public,
                serves: vec![NeedCategory::Medical],
                contact: "71 000 000".into(),
                opening_hours: "Mon–Fri 8:00–13:00".into(),
            },
        )
        .unwrap();
    let referral = store.add_referral(id, &clinic, Some(rent.clone())).unwrap();
    store
        .set_referral_status(id, &referral, ReferralStatus::Accepted)
        .unwrap();
    let grievance = store
        .raise_grievance(id, "delivery", "the parcel arrived late", true)
        .unwrap();
    store
        .handle_grievance(
            id,
            &grievance,
            GrievanceStatus::Resolved,
            Some("apologised; new route"),
        )
        .unwrap();

    let detail = store.household(id).unwrap();
    let case = &detail.case;
    assert_eq!(case.needs[&food].status, NeedStatus::Met);
    assert!(case.needs[&food].closed_at.is_some());
    assert_eq!(case.open_need_categories(), vec![NeedCategory::Rent]);
    assert_eq!(case.plan[&step].status, StepStatus::Doing);
    assert_eq!(case.plan[&step].due.as_deref(), Some("2020-05-15"));
    let notes: Vec<&str> = case
        .notes_in_order()
        .iter()
        .map(|(_, n)| n.text.as_str())
        .collect();
    assert_eq!(notes.len(), 2);
    assert_eq!(case.limiting_factors.len(), 1);
    assert_eq!(case.referrals[&referral].status, ReferralStatus::Accepted);
    assert_eq!(
        case.grievances[&grievance].status,
        GrievanceStatus::Resolved
    );
    assert_eq!(
        case.grievances[&grievance].recorded_by, None,
        "raised anonymously"
    );

    // The antenna's index follows, without identifying data.
    let summary = &store.antenna(antenna).unwrap().households[&id.to_string()];
    assert_eq!(summary.open_needs, vec![NeedCategory::Rent]);

    // Bad references and inputs are refused.
    assert!(matches!(
        store.set_need_status(id, &NeedId::random(), NeedStatus::Met),
        Err(Error::UnknownRecord { kind: "need", .. })
    ));
    assert!(matches!(
        store.add_referral(id, &ProviderId::random(), None),
        Err(Error::UnknownRecord {
            kind: "provider",
            ..
        })
    ));
    assert!(matches!(
        store.add_note(id, "  "),
        Err(Error::Invalid { field: "text", .. })
    ));
    assert!(matches!(
        store.add_plan_step(
            id,
            NewPlanStep {
                description: "x".into(),
                owner: None,
                due: Some("2020-02-30".into())
            }
        ),
        Err(Error::Invalid { field: "due", .. })
    ));
    assert!(matches!(
        store.add_note(HouseholdId::random(), "hello"),
        Err(Error::UnknownHousehold(_))
    ));
    assert_eq!(
        store.household(id).unwrap().case.notes.len(),
        2,
        "refused notes left no trace"
    );
}

#[test]
fn test_households_are_filtered_by_status_priority_need_and_volunteer() {
    let (device, antenna) = antenna();
    let store = &device.store;
    let volunteer = store.add_member(antenna, "Sami", Role::Volunteer).unwrap();
    let a = store
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let b = store
        .register_household(antenna, household("Borhen", None))
        .unwrap();
    let c = store
        .register_household(antenna, household("Chedly", None))
        .unwrap();
    store
        .edit_household(
            a,
            HouseholdEdit {
                priority: Some(Priority::Urgent),
                assigned_to: Some(Some(volunteer.clone())),
                ..Default::default()
            },
        )
        .unwrap();
    store
        .add_need(
            b,
            NewNeed {
                category: NeedCategory::Medical,
                description: String::new(),
                urgency: Urgency::Low,
            },
        )
        .unwrap();
    store
        .edit_household(
            c,
            HouseholdEdit {
                status: Some(HouseholdStatus::Graduated),
                ..Default::default()
            },
        )
        .unwrap();

    let ids = |filter: HouseholdFilter| -> Vec<HouseholdId> {
        store
            .households(antenna, &filter)
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    assert_eq!(ids(HouseholdFilter::default())[0], a, "most urgent first");
    assert_eq!(
        ids(HouseholdFilter {
            min_priority: Some(Priority::High),
            ..Default::default()
        }),
        vec![a]
    );
    assert_eq!(
        ids(HouseholdFilter {
            need: Some(NeedCategory::Medical),
            ..Default::default()
        }),
        vec![b]
    );
    assert_eq!(
        ids(HouseholdFilter {
            assigned_to: Some(volunteer),
            ..Default::default()
        }),
        vec![a]
    );
    assert_eq!(
        ids(HouseholdFilter {
            state: Some(HouseholdState::Graduated),
            ..Default::default()
        }),
        vec![c]
    );
    assert_eq!(
        ids(HouseholdFilter {
            sort: HouseholdSort::Name,
            ..Default::default()
        }),
        vec![a, b, c]
    );
    assert_eq!(
        ids(HouseholdFilter {
            limit: Some(1),
            ..Default::default()
        })
        .len(),
        1
    );
}

#[test]
fn test_an_observer_reads_but_cannot_write_and_a_volunteer_cannot_manage_members() {
    let (lead, antenna) = antenna();
    let id = lead
        .store
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let observer = join(&lead, antenna, Role::Observer);
    assert_eq!(
        observer.store.household(id).unwrap().profile.members.len(),
        1
    );
    assert!(matches!(
        observer.store.add_note(id, "hello"),
        Err(Error::NotPermitted {
            role: Role::Observer,
            ..
        })
    ));
    assert!(matches!(
        observer
            .store
            .register_household(antenna, household("Borhen", None)),
        Err(Error::NotPermitted {
            role: Role::Observer,
            ..
        })
    ));
    let volunteer = join(&lead, antenna, Role::Volunteer);
    volunteer.store.add_note(id, "visited").unwrap();
    assert!(matches!(
        volunteer.store.add_member(antenna, "Eve", Role::Lead),
        Err(Error::NotPermitted {
            role: Role::Volunteer,
            ..
        })
    ));
}

#[test]
fn test_concurrent_edits_merge_field_by_field_and_keep_every_need_and_note() {
    let (lead, antenna) = antenna();
    let id = lead
        .store
        .register_household(antenna, household("Amel", Some("98 000 001")))
        .unwrap();
    let other = join(&lead, antenna, Role::Volunteer);
    // Offline on both devices.
    lead.store
        .edit_household(
            id,
            HouseholdEdit {
                phone: Some(Some("98 000 002".into())),
                ..Default::default()
            },
        )
        .unwrap();
    other
        .store
        .edit_household(
            id,
            HouseholdEdit {
                address: Some("next to the bakery".into()),
                ..Default::default()
            },
        )
        .unwrap();
    lead.store
        .add_need(
            id,
            NewNeed {
                category: NeedCategory::Food,
                description: String::new(),
                urgency: Urgency::High,
            },
        )
        .unwrap();
    other
        .store
        .add_need(
            id,
            NewNeed {
                category: NeedCategory::Medical,
                description: String::new(),
                urgency: Urgency::Low,
            },
        )
        .unwrap();
    lead.store.add_note(id, "from the lead").unwrap();
    other.store.add_note(id, "from the volunteer").unwrap();
    sync(&lead, &other, antenna);

    let a = lead.store.household(id).unwrap();
    let b = other.store.household(id).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.profile.phone.as_deref(), Some("98 000 002"));
    assert_eq!(a.profile.address.text, "next to the bakery");
    assert_eq!(a.case.needs.len(), 2);
    assert_eq!(a.case.notes.len(), 2);
    let summary = &lead.store.antenna(antenna).unwrap().households[&id.to_string()];
    assert_eq!(
        summary.open_needs,
        vec![NeedCategory::Food, NeedCategory::Medical]
    );
    assert_eq!(
        lead.store.antenna(antenna).unwrap(),
        other.store.antenna(antenna).unwrap()
    );
}

#[test]
fn test_the_antenna_document_holds_no_identifying_data() {
    let (device, antenna) = antenna();
    let store = &device.store;
    let id = store
        .register_household(
            antenna,
            household("Zeineb Khemiri", Some("+216 22 333 444")),
        )
        .unwrap();
    store
        .edit_household(
            id,
            HouseholdEdit {
                address: Some("Rue de Carthage".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let changes = store
        .replication()
        .export_changes(antenna.document(), &[])
        .unwrap()
        .unwrap();
    let doc = format!("{:?}", store.antenna(antenna).unwrap());
    for secret in ["Zeineb", "Khemiri", "22 333 444", "Carthage"] {
        assert!(!doc.contains(secret), "{secret} in the antenna document");
        assert!(
            !changes
                .windows(secret.len())
                .any(|w| w == secret.as_bytes()),
            "{secret} in its changes"
        );
    }
    assert!(
        doc.contains(&id.to_string()),
        "the household is indexed by id"
    );
}
