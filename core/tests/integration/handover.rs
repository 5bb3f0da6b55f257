//! The handover to the municipality: only consenting households, whatever the filter; the
//! phone only with consent to be called; every handover logged without the data; leads only.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use jiran_core::workflows::handover::formats::UTF8_BOM;
use jiran_core::*;

use crate::support::*;

const DAY: i64 = 24 * 3600 * 1000;

/// A household with the given consents, need and priority.
fn family(
    name: &str,
    phone: &str,
    address: &str,
    share: bool,
    call: bool,
    priority: Priority,
) -> NewHousehold {
    let mut new = household(name, Some(phone));
    new.address = address.into();
    new.share_with_municipality = share;
    new.contact_by_phone = call;
    new.priority = priority;
    new
}

fn contains(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

/// Everything the antenna document holds, as bytes (its changes) and as text (hydrated).
fn antenna_document(store: &Store, antenna: AntennaId) -> (Vec<u8>, String) {
    let changes = store
        .replication()
        .export_changes(antenna.document(), &[])
        .unwrap()
        .unwrap();
    (changes, format!("{:?}", store.antenna(antenna).unwrap()))
}

#[test]
fn test_no_filter_ever_hands_over_a_household_that_did_not_consent() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    // Consenting: one active with food, one graduated, one moved away, one merged away.
    let amel = s
        .register_household(
            antenna,
            family(
                "Amel Consent",
                "20 111 111",
                "Cité A",
                true,
                true,
                Priority::High,
            ),
        )
        .unwrap();
    s.add_need(amel, need(NeedCategory::Food, "recorded"))
        .unwrap();
    let graduated = s
        .register_household(
            antenna,
            family(
                "Gharbi Consent",
                "20 222 222",
                "Cité B",
                true,
                true,
                Priority::Low,
            ),
        )
        .unwrap();
    s.edit_household(
        graduated,
        HouseholdEdit {
            status: Some(HouseholdStatus::Graduated),
            ..Default::default()
        },
    )
    .unwrap();
    let moved = s
        .register_household(
            antenna,
            family(
                "Mabrouk Consent",
                "20 333 333",
                "Cité C",
                true,
                false,
                Priority::Urgent,
            ),
        )
        .unwrap();
    s.add_need(moved, need(NeedCategory::Rent, "recorded"))
        .unwrap();
    s.edit_household(
        moved,
        HouseholdEdit {
            status: Some(HouseholdStatus::MovedAway),
            ..Default::default()
        },
    )
    .unwrap();
    let twin = s
        .register_household(
            antenna,
            family(
                "Amel Twin",
                "20 444 444",
                "Cité A bis",
                true,
                true,
                Priority::Urgent,
            ),
        )
        .unwrap();
    s.add_need(twin, need(NeedCategory::Food, "recorded"))
        .unwrap();
    s.merge_households(amel, twin).unwrap();
    // Not consenting, in every state and with every need and priority the filters can ask for.
    let mut refusers = Vec::new();
    for (i, (status, priority, category)) in [
        (
            HouseholdStatus::Active,
            Priority::Urgent,
            NeedCategory::Food,
        ),
        (HouseholdStatus::Active, Priority::Low, NeedCategory::Rent),
        (
            HouseholdStatus::Graduated,
            Priority::High,
            NeedCategory::Medical,
        ),
        (
            HouseholdStatus::MovedAway,
            Priority::Normal,
            NeedCategory::Other,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let id = s
            .register_household(
                antenna,
                family(
                    &format!("Secret{i} Refuser"),
                    &format!("55 90{i} 90{i}"),
                    &format!("Hidden street {i}"),
                    false,
                    true,
                    priority,
                ),
            )
            .unwrap();
        s.add_need(id, need(category, "recorded")).unwrap();
        s.edit_household(
            id,
            HouseholdEdit {
                status: Some(status),
                ..Default::default()
            },
        )
        .unwrap();
        refusers.push(id);
    }

    let states = [
        None,
        Some(HouseholdState::Active),
        Some(HouseholdState::Graduated),
        Some(HouseholdState::MovedAway),
        Some(HouseholdState::Merged),
    ];
    let priorities = [None, Some(Priority::Low), Some(Priority::High)];
    let needs = [
        None,
        Some(NeedCategory::Food),
        Some(NeedCategory::Rent),
        Some(NeedCategory::Other),
    ];
    let since = [None, Some(Timestamp(Timestamp::now().millis() - DAY))];
    let formats = HandoverFormat::ALL;
    let mut exports = 0;
    for state in states {
        for min_priority in priorities {
            for need in needs {
                for registered_since in since {
                    let filter = HandoverFilter {
                        state,
                        min_priority,
                        need,
                        registered_since,
                    };
                    let format = formats[exports % formats.len()];
                    exports += 1;
                    let handover = s
                        .export_for_municipality(antenna, filter.clone(), format)
                        .unwrap();
                    for id in &refusers {
                        assert!(
                            !contains(&handover.bytes, &id.to_string()),
                            "{filter:?} handed over a household without consent"
                        );
                    }
                    for secret in ["Secret", "Refuser", "55 90", "Hidden street"] {
                        assert!(!contains(&handover.bytes, secret), "{filter:?}: {secret}");
                    }
                    assert!(
                        !contains(&handover.bytes, &twin.to_string()),
                        "a merged household is never handed over"
                    );
                }
            }
        }
    }
    assert_eq!(s.handovers(antenna).unwrap().len(), exports);

    // What the filters do select.
    let ids = |filter: HandoverFilter| {
        let bytes = s
            .export_for_municipality(antenna, filter, HandoverFormat::Json)
            .unwrap()
            .bytes;
        let rows: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r["household_id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(HandoverFilter::default()), [amel.to_string()]);
    assert_eq!(
        ids(HandoverFilter {
            state: Some(HouseholdState::Graduated),
            ..Default::default()
        }),
        [graduated.to_string()]
    );
    assert_eq!(
        ids(HandoverFilter {
            state: Some(HouseholdState::MovedAway),
            need: Some(NeedCategory::Rent),
            min_priority: Some(Priority::Urgent),
            ..Default::default()
        }),
        [moved.to_string()]
    );
    assert!(ids(HandoverFilter {
        need: Some(NeedCategory::Rent),
        ..Default::default()
    })
    .is_empty());
    assert!(ids(HandoverFilter {
        registered_since: Some(Timestamp(Timestamp::now().millis() + DAY)),
        ..Default::default()
    })
    .is_empty());
}

#[test]
fn test_the_csv_opens_right_in_a_spreadsheet_and_shows_the_phone_only_with_consent_to_call() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let fatma = s
        .register_household(
            antenna,
            family(
                "فاطمة بن علي",
                "+216 98 123 456",
                "=behind the mosque",
                true,
                true,
                Priority::High,
            ),
        )
        .unwrap();
    s.add_need(fatma, need(NeedCategory::Food, "recorded"))
        .unwrap();
    s.register_household(
        antenna,
        family(
            "Salah Nocall",
            "22 333 444",
            "Rue de Carthage",
            true,
            false,
            Priority::Normal,
        ),
    )
    .unwrap();

    let handover = s
        .export_for_municipality(antenna, HandoverFilter::default(), HandoverFormat::HxlCsv)
        .unwrap();
    assert_eq!(handover.households, 2);
    assert!(handover.bytes.starts_with(UTF8_BOM));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&handover.bytes[UTF8_BOM.len()..]);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 4, "header, hashtags, two households");
    assert_eq!(rows[1][1], "#contact+name");
    let fatma_row = rows.iter().find(|r| r[0] == fatma.to_string()).unwrap();
    assert_eq!(fatma_row[1], "فاطمة بن علي");
    assert_eq!(fatma_row[2], "'+216 98 123 456", "guarded against formulas");
    assert_eq!(fatma_row[3], "'=behind the mosque");
    assert_eq!(fatma_row[5], "food");
    assert_eq!(fatma_row[6], "high");
    assert_eq!(fatma_row[8], "active");
    let salah_row = rows.iter().find(|r| r[1] == "Salah Nocall").unwrap();
    assert_eq!(salah_row[2], "", "no consent to be called: no phone");
    assert!(!contains(&handover.bytes, "22 333 444"));
}

#[test]
fn test_each_handover_is_logged_in_the_antenna_document_without_personal_data() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let lead_id = s.memberships().unwrap()[0].1.clone();
    let id = s
        .register_household(
            antenna,
            family(
                "Zeineb Khemiri",
                "+216 22 333 444",
                "Rue de Marseille",
                true,
                true,
                Priority::High,
            ),
        )
        .unwrap();
    s.add_need(id, need(NeedCategory::Medical, "recorded"))
        .unwrap();
    let before = Timestamp::now();
    let filter = HandoverFilter {
        min_priority: Some(Priority::High),
        need: Some(NeedCategory::Medical),
        registered_since: Some(Timestamp(1_585_699_200_000)),
        ..Default::default()
    };
    let handover = s
        .export_for_municipality(antenna, filter, HandoverFormat::Csv)
        .unwrap();
    assert_eq!(handover.households, 1);
    assert!(contains(&handover.bytes, "Zeineb Khemiri"));

    let [(logged, log)] = s.handovers(antenna).unwrap().try_into().unwrap();
    assert_eq!(logged, handover.id);
    assert_eq!(log.by, lead_id);
    assert!(log.at >= before);
    assert_eq!(log.households, 1);
    assert_eq!(log.format, HandoverFormat::Csv);
    assert_eq!(
        log.filter,
        "active; priority at least high; open need medical; registered since 2020-04-01"
    );
    let (changes, hydrated) = antenna_document(s, antenna);
    for secret in ["Zeineb", "Khemiri", "22 333 444", "Marseille"] {
        assert!(
            !contains(&changes, secret),
            "{secret} in the antenna document"
        );
        assert!(
            !hydrated.contains(secret),
            "{secret} in the antenna document"
        );
    }
    assert_eq!(s.antenna(antenna).unwrap().handovers.len(), 1);

    // The log travels with the antenna document to the other devices.
    let other = join(&lead, antenna, Role::Observer);
    assert_eq!(other.store.handovers(antenna).unwrap().len(), 1);
    // And a reopened store still has it.
    let lead = lead.reopen();
    assert_eq!(lead.store.handovers(antenna).unwrap()[0].0, handover.id);
}

#[test]
fn test_volunteers_and_observers_cannot_hand_over_and_nothing_is_logged() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let mut shared = household("Fatma", Some("98 123 456"));
    shared.share_with_municipality = true;
    s.register_household(antenna, shared).unwrap();
    for role in [Role::Volunteer, Role::Observer] {
        let device = join(&lead, antenna, role);
        let heads = device
            .store
            .replication()
            .heads(antenna.document())
            .unwrap();
        let refused = device
            .store
            .export_for_municipality(antenna, HandoverFilter::default(), HandoverFormat::Csv)
            .unwrap_err();
        assert!(
            matches!(refused, Error::NotPermitted { role: r, .. } if r == role),
            "{refused}"
        );
        assert_eq!(
            device
                .store
                .replication()
                .heads(antenna.document())
                .unwrap(),
            heads
        );
        assert!(device.store.handovers(antenna).unwrap().is_empty());
    }
    assert!(s.handovers(antenna).unwrap().is_empty());
}

#[test]
fn test_an_antenna_document_from_before_handovers_reads_and_logs_them() {
    // An antenna document as an older version wrote it: no `handovers` map, and a provider
    // without `hsds_id`.
    let antenna = AntennaId::random();
    let lead = MemberId::from("lead-from-before");
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "schema", 1u64).unwrap();
    doc.put(ROOT, "kind", "antenna").unwrap();
    doc.put(ROOT, "antenna", antenna.to_string()).unwrap();
    doc.put(ROOT, "name", "Old antenna").unwrap();
    doc.put(ROOT, "locality", "La Marsa").unwrap();
    doc.put(ROOT, "created_at", 1_585_699_200_000i64).unwrap();
    let members = doc.put_object(ROOT, "members", ObjType::Map).unwrap();
    let member = doc
        .put_object(&members, lead.as_str(), ObjType::Map)
        .unwrap();
    doc.put(&member, "display_name", "Leila").unwrap();
    doc.put(&member, "role", "lead").unwrap();
    doc.put(&member, "joined_at", 1_585_699_200_000i64).unwrap();
    let providers = doc.put_object(ROOT, "providers", ObjType::Map).unwrap();
    let provider = doc.put_object(&providers, "p1", ObjType::Map).unwrap();
    doc.put(&provider, "name", "Dispensaire").unwrap();
    doc.put(&provider, "sector", "public").unwrap();
    doc.put_object(&provider, "serves", ObjType::List).unwrap();
    doc.put(&provider, "contact", "71 000 000").unwrap();
    doc.put(&provider, "opening_hours", "8-14").unwrap();
    doc.put_object(ROOT, "households", ObjType::Map).unwrap();
    doc.commit();

    let device = Device::new();
    device.store.join_antenna(antenna, &lead).unwrap();
    device
        .store
        .replication()
        .import(antenna.document(), &doc.save())
        .unwrap();
    let read = device.store.antenna(antenna).unwrap();
    assert!(read.handovers.is_empty());
    assert_eq!(read.providers[&ProviderId::from("p1")].hsds_id, None);
    assert!(device.store.handovers(antenna).unwrap().is_empty());
    assert!(device.store.export_providers_hsds(antenna).is_ok());

    let handover = device
        .store
        .export_for_municipality(antenna, HandoverFilter::default(), HandoverFormat::Json)
        .unwrap();
    assert_eq!(handover.households, 0);
    assert_eq!(device.store.handovers(antenna).unwrap().len(), 1);
}
