//! Delivery codes: every household has one, lists and receipts show it instead of who the
//! household is, and a delivery confirmed with it says so on every device.

use std::collections::HashSet;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, ROOT};
use jiran_core::document::{write_header, DocumentKind};
use jiran_core::*;

use crate::support::*;

const NAME: &str = "Fatma Ben Ali";
const PHONE: &str = "+216 98 123 456";

fn code_of(device: &Device, household: HouseholdId) -> String {
    device
        .store
        .household(household)
        .unwrap()
        .profile
        .delivery_code
        .expect("a delivery code")
}

fn ledger_heads(device: &Device, antenna: AntennaId) -> Vec<automerge::ChangeHash> {
    let ledger = document::ledger_id(antenna, Timestamp::now().month());
    device
        .store
        .replication()
        .heads(ledger.document())
        .unwrap()
        .unwrap()
}

/// A household with a delivery, funded by money and goods.
fn delivered(device: &Device, antenna: AntennaId) -> (HouseholdId, DeliveryId) {
    let store = &device.store;
    let fatma = store
        .register_household(antenna, household(NAME, Some(PHONE)))
        .unwrap();
    let cash = store.record_donation(antenna, money(50_000)).unwrap();
    let semolina = store
        .record_donation(antenna, goods("semolina", 20))
        .unwrap();
    let parcel = store
        .record_delivery(
            antenna,
            NewDelivery {
                funding: vec![(cash, 12_000), (semolina, 5)],
                ..delivery(fatma, &DonationId::from("unused"), 1)
            },
        )
        .unwrap();
    (fatma, parcel)
}

#[test]
fn test_every_household_gets_a_code_no_other_household_has() {
    let (device, antenna) = antenna();
    let mut codes = HashSet::new();
    for i in 0..300 {
        let id = device
            .store
            .register_household(antenna, household(&format!("Household {i}"), None))
            .unwrap();
        let code = code_of(&device, id);
        assert_eq!(code.len(), 7, "grouped: K7M-4PQ");
        assert_eq!(
            normalize_delivery_code(&code).as_deref(),
            Some(code.as_str())
        );
        assert!(codes.insert(code), "codes are unique in the antenna");
    }
    assert_eq!(codes.len(), 300);
    // The code is part of the household document: a rebuild of the derived tables finds it.
    let some = device
        .store
        .households(antenna, &HouseholdFilter::default())
        .unwrap()[0]
        .id;
    let before = code_of(&device, some);
    let device = device.reopen();
    device.store.replication().rebuild_indexes().unwrap();
    assert_eq!(code_of(&device, some), before);
}

#[test]
fn test_delivery_lists_and_receipts_show_the_code_never_who_the_household_is() {
    let (device, antenna) = antenna();
    let (fatma, parcel) = delivered(&device, antenna);
    let code = code_of(&device, fatma);

    let list = device
        .store
        .delivery_list(antenna, Timestamp::now().month())
        .unwrap();
    assert_eq!(list.len(), 1);
    let line = &list[0];
    assert_eq!(line.id, parcel);
    assert_eq!(line.delivery_code.as_deref(), Some(code.as_str()));
    assert_eq!(line.category, NeedCategory::Food);
    assert_eq!(line.description, "food parcel");
    assert_eq!(line.given.len(), 2);
    assert!(line.given.iter().any(|g| g.amount == 12_000
        && g.kind.as_deref() == Some("money")
        && g.unit.as_deref() == Some("TND")));
    assert!(line
        .given
        .iter()
        .any(|g| g.amount == 5 && g.unit.as_deref() == Some("kg")));
    assert_eq!((line.acknowledged_at, line.code_confirmed), (None, false));

    let receipt = device.store.delivery_receipt(antenna, &parcel).unwrap();
    assert_eq!(receipt.antenna_name, "La Marsa – Cité Erriadh");
    assert_eq!(&receipt.delivery, line);
    let text = receipt.to_text(Language::English);
    // In French and Arabic too, the receipt names the household by its code only.
    for language in [Language::French, Language::Arabic] {
        let other = receipt.to_text(language);
        assert!(other.contains(code.as_str()) && other.contains("food parcel"));
        assert!(!other.contains("Acknowledged") && !other.contains("Fatma"));
    }
    for expected in [
        "La Marsa – Cité Erriadh",
        code.as_str(),
        "12.000 TND",
        "5 kg of semolina",
        "food parcel",
        "Acknowledged: not yet",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }

    // Nothing that tells who the household is: not its name, phone, address or id.
    let everything = format!("{list:?} {receipt:?} {text}");
    for secret in [
        "Fatma",
        "Ben Ali",
        "98 123",
        "98123",
        "mosque",
        &fatma.to_string(),
    ] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }

    // Another month has its own list; an unknown delivery has no receipt.
    let empty = device
        .store
        .delivery_list(
            antenna,
            Month {
                year: 2019,
                month: 1,
            },
        )
        .unwrap();
    assert!(empty.is_empty());
    assert!(matches!(
        device
            .store
            .delivery_receipt(antenna, &DeliveryId::from("nope")),
        Err(Error::UnknownDelivery(_))
    ));
    assert!(matches!(
        device
            .store
            .delivery_list(AntennaId::random(), Timestamp::now().month()),
        Err(Error::UnknownAntenna(_))
    ));
}

#[test]
fn test_a_wrong_code_is_refused_and_nothing_is_recorded() {
    let (device, antenna) = antenna();
    let (fatma, parcel) = delivered(&device, antenna);
    let neighbour = device
        .store
        .register_household(antenna, household("Borhen", None))
        .unwrap();
    let code = code_of(&device, fatma);
    let other = code_of(&device, neighbour);
    let unused = (0..)
        .map(|_| random_delivery_code())
        .find(|c| *c != code && *c != other)
        .unwrap();
    let before = ledger_heads(&device, antenna);

    for wrong in [other.as_str(), unused.as_str()] {
        match device
            .store
            .acknowledge_delivery_with_code(antenna, &parcel, wrong)
        {
            Err(
                error @ Error::Invalid {
                    field: "code",
                    problem,
                },
            ) => {
                assert_eq!(problem, InputProblem::WrongDeliveryCode);
                let message = error.to_string();
                assert!(!message.contains(wrong) && !message.contains(&code));
            }
            other => panic!("a wrong code must be refused, got {other:?}"),
        }
    }
    // Not a code at all: said so, without repeating it.
    match device
        .store
        .acknowledge_delivery_with_code(antenna, &parcel, "hello")
    {
        Err(error @ Error::Invalid { field: "code", .. }) => {
            assert!(!error.to_string().contains("hello"))
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(matches!(
        device
            .store
            .acknowledge_delivery_with_code(antenna, &DeliveryId::from("nope"), &code),
        Err(Error::UnknownDelivery(_))
    ));

    assert_eq!(ledger_heads(&device, antenna), before, "nothing recorded");
    let line = &device
        .store
        .delivery_list(antenna, Timestamp::now().month())
        .unwrap()[0];
    assert_eq!((line.acknowledged_at, line.code_confirmed), (None, false));
}

#[test]
fn test_the_right_code_however_typed_confirms_the_delivery_on_every_device() {
    let (lead, antenna) = antenna();
    let cash = lead.store.record_donation(antenna, money(50_000)).unwrap();
    let sami = join(&lead, antenna, Role::Volunteer);
    let fatma = sami
        .store
        .register_household(antenna, household(NAME, Some(PHONE)))
        .unwrap();
    let code = code_of(&sami, fatma);
    let typed = [
        code.to_lowercase(),
        code.replace('-', ""),
        format!(" {} ", code.to_lowercase().replace('-', " ")),
    ];
    let mut confirmed = Vec::new();
    for form in &typed {
        let parcel = sami
            .store
            .record_delivery(antenna, delivery(fatma, &cash, 1_000))
            .unwrap();
        sami.store
            .acknowledge_delivery_with_code(antenna, &parcel, form)
            .unwrap();
        confirmed.push(parcel);
    }
    // On the volunteer's word only: acknowledged, not code-confirmed.
    let by_word = sami
        .store
        .record_delivery(antenna, delivery(fatma, &cash, 1_000))
        .unwrap();
    sami.store.acknowledge_delivery(antenna, &by_word).unwrap();

    sync(&lead, &sami, antenna);
    for device in [&lead, &sami] {
        let list = device
            .store
            .delivery_list(antenna, Timestamp::now().month())
            .unwrap();
        assert_eq!(list.len(), 4);
        for line in &list {
            assert!(line.acknowledged_at.is_some());
            assert_eq!(line.code_confirmed, confirmed.contains(&line.id));
            assert_eq!(line.delivery_code.as_deref(), Some(code.as_str()));
        }
        let detail = device.store.household(fatma).unwrap();
        assert_eq!(detail.profile.delivery_code.as_deref(), Some(code.as_str()));
        for record in &detail.deliveries {
            let ack = record.delivery.acknowledged.as_ref().unwrap();
            assert_eq!(ack.code_confirmed, confirmed.contains(&record.id));
        }
        let text = device
            .store
            .delivery_receipt(antenna, &confirmed[0])
            .unwrap()
            .to_text(Language::English);
        assert!(text.contains("Acknowledged: yes, with the household's code"));
    }
}

#[test]
fn test_a_household_registered_before_codes_gets_one_when_issued() {
    let (lead, antenna) = antenna();
    let cash = lead.store.record_donation(antenna, money(50_000)).unwrap();
    // A household document as an older version wrote it: no delivery code.
    let old = HouseholdId::random();
    let mut doc = AutoCommit::new();
    write_header(&mut doc, DocumentKind::Household, antenna, None).unwrap();
    let profile = Household {
        members: [(PersonId::random(), person_named("Amel"))].into(),
        phone: None,
        address: Address::default(),
        consent: Consent {
            keep_data: true,
            share_with_municipality: false,
            contact_by_phone: false,
            recorded_by: MemberId::from("someone"),
            recorded_at: Timestamp(1_588_291_200_000),
        },
        status: HouseholdStatus::Active,
        registered_by: MemberId::from("someone"),
        registered_at: Timestamp(1_588_291_200_000),
        shock: None,
        national_id: None,
        delivery_code: None,
    };
    autosurgeon::reconcile_prop(&mut doc, ROOT, "profile", &profile).unwrap();
    autosurgeon::reconcile_prop(&mut doc, ROOT, "case", Case::new()).unwrap();
    let Some((automerge::Value::Object(ObjType::Map), profile_obj)) =
        doc.get(ROOT, "profile").unwrap()
    else {
        panic!("profile is a map")
    };
    doc.delete(&profile_obj, "delivery_code").unwrap();
    assert!(doc.get(&profile_obj, "delivery_code").unwrap().is_none());
    lead.store
        .replication()
        .import(old.document(), &doc.save())
        .unwrap();

    assert_eq!(
        lead.store.household(old).unwrap().profile.delivery_code,
        None
    );
    let parcel = lead
        .store
        .record_delivery(antenna, delivery(old, &cash, 1_000))
        .unwrap();
    let list = lead
        .store
        .delivery_list(antenna, Timestamp::now().month())
        .unwrap();
    assert_eq!(list[0].delivery_code, None);
    assert!(matches!(
        lead.store
            .acknowledge_delivery_with_code(antenna, &parcel, "K7M-4PQ"),
        Err(Error::Invalid { field: "code", .. })
    ));

    let code = lead.store.issue_delivery_code(old).unwrap();
    assert_eq!(
        normalize_delivery_code(&code).as_deref(),
        Some(code.as_str())
    );
    assert_eq!(
        lead.store.issue_delivery_code(old).unwrap(),
        code,
        "one code"
    );
    assert_eq!(code_of(&lead, old), code);
    lead.store
        .acknowledge_delivery_with_code(antenna, &parcel, &code)
        .unwrap();
    let line = &lead
        .store
        .delivery_list(antenna, Timestamp::now().month())
        .unwrap()[0];
    assert_eq!(line.delivery_code.as_deref(), Some(code.as_str()));
    assert!(line.code_confirmed);

    // A registered household already has one: issuing returns it and records nothing.
    let fatma = lead
        .store
        .register_household(antenna, household(NAME, None))
        .unwrap();
    let heads = lead.store.replication().heads(fatma.document()).unwrap();
    assert_eq!(
        lead.store.issue_delivery_code(fatma).unwrap(),
        code_of(&lead, fatma)
    );
    assert_eq!(
        lead.store.replication().heads(fatma.document()).unwrap(),
        heads
    );
    // Observers cannot issue codes.
    let observer = join(&lead, antenna, Role::Observer);
    assert!(matches!(
        observer.store.issue_delivery_code(fatma),
        Err(Error::NotPermitted { .. })
    ));
}

fn person_named(name: &str) -> Person {
    Person {
        name: name.into(),
        birth_year: None,
        relationship: Relationship::Head,
        flags: VulnerabilityFlags::default(),
    }
}

#[test]
fn test_a_merged_family_confirms_with_the_code_of_either_registration() {
    let (lead, antenna) = antenna();
    let cash = lead.store.record_donation(antenna, money(50_000)).unwrap();
    let first = lead
        .store
        .register_household(antenna, household(NAME, Some(PHONE)))
        .unwrap();
    let second = lead
        .store
        .register_household(antenna, household("فاطمة بن علي", Some(PHONE)))
        .unwrap();
    let stranger = lead
        .store
        .register_household(antenna, household("Borhen", None))
        .unwrap();
    let (first_code, second_code) = (code_of(&lead, first), code_of(&lead, second));
    let to_second = lead
        .store
        .record_delivery(antenna, delivery(second, &cash, 1_000))
        .unwrap();
    let to_first = lead
        .store
        .record_delivery(antenna, delivery(first, &cash, 1_000))
        .unwrap();
    lead.store.merge_households(first, second).unwrap();

    // Lists show the code of the household the family lives on in.
    let list = lead
        .store
        .delivery_list(antenna, Timestamp::now().month())
        .unwrap();
    assert!(list
        .iter()
        .all(|l| l.delivery_code.as_deref() == Some(first_code.as_str())));
    // A stranger's code is refused; either registration's code is accepted.
    assert!(matches!(
        lead.store
            .acknowledge_delivery_with_code(antenna, &to_second, &code_of(&lead, stranger)),
        Err(Error::Invalid { field: "code", .. })
    ));
    lead.store
        .acknowledge_delivery_with_code(antenna, &to_second, &first_code)
        .unwrap();
    lead.store
        .acknowledge_delivery_with_code(antenna, &to_first, &second_code)
        .unwrap();
}

#[test]
fn test_an_erased_household_has_no_code_to_confirm_and_its_deliveries_stay_nameless() {
    let (lead, antenna) = antenna();
    let (fatma, parcel) = delivered(&lead, antenna);
    let code = code_of(&lead, fatma);
    lead.store.erase_household(fatma).unwrap();
    assert!(matches!(
        lead.store
            .acknowledge_delivery_with_code(antenna, &parcel, &code),
        Err(Error::HouseholdErased(h)) if h == fatma
    ));
    assert!(matches!(
        lead.store.issue_delivery_code(fatma),
        Err(Error::HouseholdErased(_))
    ));
    let receipt = lead.store.delivery_receipt(antenna, &parcel).unwrap();
    assert_eq!(receipt.delivery.delivery_code, None);
    assert!(receipt
        .to_text(Language::English)
        .contains("Household code: none"));
    assert!(receipt
        .to_text(Language::French)
        .contains("Code du foyer\u{a0}: aucun"));
}
