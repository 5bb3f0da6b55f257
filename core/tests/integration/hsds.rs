//! The provider directory in Open Referral HSDS: a realistic file loads, a directory goes to
//! another antenna and comes back the same, re-imports add nothing twice, and a bad file or a
//! volunteer changes nothing.

use jiran_core::workflows::directory::hsds::{MAX_FILE_BYTES, MAX_SERVICES};
use jiran_core::*;

use crate::support::*;

const FIXTURE: &[u8] = include_bytes!("../fixtures/hsds_la_marsa.json");

fn directory(
    store: &Store,
    antenna: AntennaId,
) -> Vec<(String, Sector, Vec<NeedCategory>, String, String)> {
    let mut out: Vec<_> = store
        .antenna(antenna)
        .unwrap()
        .providers
        .into_values()
        .map(|p| (p.name, p.sector, p.serves, p.contact, p.opening_hours))
        .collect();
    out.sort();
    out
}

fn provider(
    name: &str,
    sector: Sector,
    serves: Vec<NeedCategory>,
    contact: &str,
    hours: &str,
) -> NewProvider {
    NewProvider {
        name: name.into(),
        sector,
        serves,
        contact: contact.into(),
        opening_hours: hours.into(),
    }
}

#[test]
fn test_a_realistic_hsds_file_fills_the_directory() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let summary = s.import_providers_hsds(antenna, FIXTURE).unwrap();
    assert_eq!(
        summary,
        ImportSummary {
            added: 5,
            updated: 0,
            skipped: 0
        }
    );
    use NeedCategory::*;
    let expected = |name: &str, sector, serves: Vec<NeedCategory>, contact: &str, hours: &str| {
        (
            name.to_owned(),
            sector,
            serves,
            contact.to_owned(),
            hours.to_owned(),
        )
    };
    let mut wanted = vec![
        expected(
            "Banque alimentaire de La Marsa",
            Sector::NonProfit,
            vec![Food],
            "+216 71 774 000; 12 rue Ibn Khaldoun, La Marsa",
            "TU,TH 09:00–12:00",
        ),
        expected(
            "Centre social Erriadh – Municipalité de La Marsa",
            Sector::Public,
            vec![Rent, Utilities],
            "71 740 100; social@commune-lamarsa.example",
            "Lundi–vendredi 8h30–13h",
        ),
        expected(
            "Dispensaire de Sidi Daoud – Ministère de la Santé",
            Sector::Public,
            vec![Medical],
            "71 729 500",
            "MO,TU,WE,TH,FR,SA 08:00–14:00",
        ),
        expected(
            "Point numérique – Maison des jeunes de La Marsa",
            Sector::Public,
            vec![DigitalEquipment],
            "71 981 222 ext. 3",
            "WE 14:00–18:00; SA 09:00–12:00",
        ),
        expected(
            "جمعية الرحمة للإغاثة",
            Sector::NonProfit,
            vec![Food, Education],
            "+216 98 555 123; rahma@example.org",
            "كل يوم جمعة بعد الصلاة",
        ),
    ];
    wanted.sort();
    assert_eq!(directory(s, antenna), wanted);
    // Found by need, like providers typed in.
    let food: Vec<String> = s
        .providers_for(antenna, Food)
        .unwrap()
        .into_iter()
        .map(|(_, p)| p.name)
        .collect();
    assert_eq!(
        food,
        ["Banque alimentaire de La Marsa", "جمعية الرحمة للإغاثة"]
    );

    // The same file again: nothing added twice, nothing written.
    let heads = s.replication().heads(antenna.document()).unwrap();
    let again = s.import_providers_hsds(antenna, FIXTURE).unwrap();
    assert_eq!(
        again,
        ImportSummary {
            added: 0,
            updated: 0,
            skipped: 5
        }
    );
    assert_eq!(s.replication().heads(antenna.document()).unwrap(), heads);

    // A newer version of the file: the clinic's hours changed, and it is updated in place.
    let newer = String::from_utf8(FIXTURE.to_vec())
        .unwrap()
        .replace("\"closes_at\": \"14:00:00\"", "\"closes_at\": \"16:00:00\"");
    let summary = s.import_providers_hsds(antenna, newer.as_bytes()).unwrap();
    assert_eq!(
        summary,
        ImportSummary {
            added: 0,
            updated: 1,
            skipped: 4
        }
    );
    let providers = s.antenna(antenna).unwrap().providers;
    assert_eq!(providers.len(), 5);
    assert!(providers
        .values()
        .any(|p| p.opening_hours == "MO,TU,WE,TH,FR,SA 08:00–16:00"));
}

#[test]
fn test_a_provider_typed_in_before_is_updated_not_added_twice() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let typed = s
        .add_provider(
            antenna,
            provider(
                "BANQUE ALIMENTAIRE de la Marsa",
                Sector::NonProfit,
                vec![NeedCategory::Food],
                "71 774 000",
                "mardi",
            ),
        )
        .unwrap();
    let summary = s.import_providers_hsds(antenna, FIXTURE).unwrap();
    assert_eq!((summary.added, summary.updated, summary.skipped), (4, 1, 0));
    let providers = s.antenna(antenna).unwrap().providers;
    assert_eq!(providers.len(), 5);
    let updated = &providers[&typed];
    assert_eq!(updated.name, "Banque alimentaire de La Marsa");
    assert_eq!(updated.opening_hours, "TU,TH 09:00–12:00");
    assert_eq!(
        updated.hsds_id.as_deref(),
        Some("7b1d0c5e-2f4a-4c61-9a52-0d6e1f3b8a01"),
        "linked to the file's service, so the next import matches it by id"
    );
}

#[test]
fn test_a_directory_exported_and_imported_into_another_antenna_is_the_same() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    for p in [
        provider(
            "Banque alimentaire",
            Sector::NonProfit,
            vec![NeedCategory::Food],
            "71 000 000; banque@example.org; Rue de Carthage, La Marsa",
            "Mon–Fri 8:00–12:00",
        ),
        provider(
            "Dispensaire",
            Sector::Public,
            vec![NeedCategory::Medical, NeedCategory::Utilities],
            "+216 71 729 500",
            "",
        ),
        provider(
            "جمعية الخير",
            Sector::Religious,
            vec![
                NeedCategory::Food,
                NeedCategory::Education,
                NeedCategory::DigitalEquipment,
            ],
            "98 555 123; 98 555 124; behind the mosque",
            "الجمعة",
        ),
        provider("Épicerie Ben Salah", Sector::Private, vec![], "", ""),
    ] {
        s.add_provider(antenna, p).unwrap();
    }
    let exported = s.export_providers_hsds(antenna).unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&exported).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 4);
    assert!(
        parsed[0]["id"].as_str().unwrap().len() == 36,
        "service ids are UUIDs"
    );

    let (other, elsewhere) = crate::support::antenna();
    let summary = other
        .store
        .import_providers_hsds(elsewhere, &exported)
        .unwrap();
    assert_eq!(summary.added, 4);
    let mut before = directory(s, antenna);
    // A provider serving nothing is exported without categories and comes back as `other`.
    for entry in &mut before {
        if entry.2.is_empty() {
            entry.2 = vec![NeedCategory::Other];
        }
    }
    assert_eq!(directory(&other.store, elsewhere), before);

    // The other antenna's export keeps the service ids, so going back adds nothing.
    let back = other.store.export_providers_hsds(elsewhere).unwrap();
    let heads = s.replication().heads(antenna.document()).unwrap();
    let summary = s.import_providers_hsds(antenna, &back).unwrap();
    assert_eq!(summary.added, 0);
    assert_eq!(summary.skipped + summary.updated, 4);
    assert_eq!(
        summary.updated, 1,
        "only the provider that came back serving `other`"
    );
    assert_ne!(s.replication().heads(antenna.document()).unwrap(), heads);
    let again = s.import_providers_hsds(antenna, &back).unwrap();
    assert_eq!((again.added, again.updated, again.skipped), (0, 0, 4));
}

#[test]
fn test_bad_files_and_members_who_are_not_leads_change_nothing() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    s.add_provider(
        antenna,
        provider(
            "Dispensaire",
            Sector::Public,
            vec![NeedCategory::Medical],
            "71 000 000",
            "",
        ),
    )
    .unwrap();
    let heads = s.replication().heads(antenna.document()).unwrap();
    let before = directory(s, antenna);

    let secret = "Fatma Secret";
    let too_long = format!(
        "[{{\"id\":\"a\",\"name\":\"Good\"}},{{\"id\":\"b\",\"name\":\"{secret} {}\"}}]",
        "x".repeat(300)
    );
    let too_many = serde_json::to_vec(
        &(0..=MAX_SERVICES)
            .map(|i| serde_json::json!({"id": i.to_string(), "name": format!("Service {i}")}))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let oversized = {
        let mut bytes = b"[{\"name\":\"x\",\"description\":\"".to_vec();
        bytes.extend(std::iter::repeat_n(b'a', MAX_FILE_BYTES));
        bytes.extend(b"\"}]");
        bytes
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            format!("[{{\"name\": \"{secret}\",").into_bytes(),
            "not valid JSON",
        ),
        (b"\"just a string\"".to_vec(), "not an HSDS list"),
        (too_long.into_bytes(), "service 2: name is too long"),
        (too_many, "at most 2000"),
        (oversized, "larger than 5 MB"),
        (
            format!("[{{\"name\":\"Good\"}},{{\"name\":\"{secret}\",\"schedules\":{{}}}}]")
                .into_bytes(),
            "service 2: schedules must be a list",
        ),
    ];
    for (bytes, expected) in cases {
        let error = s.import_providers_hsds(antenna, &bytes).unwrap_err();
        assert!(matches!(error, Error::ImportRefused(_)), "{error}");
        let message = error.to_string();
        assert!(message.contains(expected), "{message}");
        assert!(
            !message.contains("Fatma"),
            "the message repeats the file: {message}"
        );
        assert_eq!(
            s.replication().heads(antenna.document()).unwrap(),
            heads,
            "{expected}"
        );
    }
    assert_eq!(directory(s, antenna), before);

    for role in [Role::Volunteer, Role::Observer] {
        let device = join(&lead, antenna, role);
        let heads = device
            .store
            .replication()
            .heads(antenna.document())
            .unwrap();
        let refused = device
            .store
            .import_providers_hsds(antenna, FIXTURE)
            .unwrap_err();
        assert!(matches!(refused, Error::NotPermitted { .. }), "{refused}");
        // Checked before the file is read: a bad file gets the same answer.
        assert!(matches!(
            device.store.import_providers_hsds(antenna, b"garbage"),
            Err(Error::NotPermitted { .. })
        ));
        assert_eq!(
            device
                .store
                .replication()
                .heads(antenna.document())
                .unwrap(),
            heads
        );
        // Reading the directory is anyone's.
        assert!(device.store.export_providers_hsds(antenna).is_ok());
    }
}

/// Found by the `hsds_import` fuzz target (docs/fuzzing.md): a contact typed with bare `;`
/// between its parts was stored as typed, written to HSDS as phones, e-mail and an address,
/// and read back joined with `; `, one character longer per part; near the 2,000-character
/// limit the antenna's own export was then refused on import. The directory now stores a
/// contact in one normal form, checked against the limit in that form: the long contact is
/// refused when it is typed (clearly, storing nothing), and one that fits round-trips exactly.
#[test]
fn test_an_exported_directory_with_a_long_contact_imports_again() {
    let (lead, home) = antenna();
    // 400 address parts of four characters, separated by a bare `;`: 1,999 characters as
    // typed, 2,399 in the normal form.
    let typed = vec!["rue."; 400].join(";");
    assert!(typed.chars().count() <= 2_000);
    let heads = lead.store.replication().heads(home.document()).unwrap();
    let croissant_rouge = |contact: &str| {
        provider(
            "Croissant-Rouge",
            Sector::NonProfit,
            vec![NeedCategory::Food],
            contact,
            "",
        )
    };
    let refused = lead
        .store
        .add_provider(home, croissant_rouge(&typed))
        .unwrap_err();
    assert!(
        matches!(
            &refused,
            Error::Invalid {
                field: "contact",
                ..
            }
        ),
        "{refused}"
    );
    assert!(!refused.to_string().contains("rue."), "{refused}");
    assert_eq!(
        lead.store.replication().heads(home.document()).unwrap(),
        heads
    );

    // 329 parts joined by `; `: 1,999 characters, with a phone and an e-mail typed last and
    // a line break, all kept and put in the normal order.
    let mut typed = vec!["rue."; 327].join(";");
    typed.push_str("\ncontact@croissant.tn ;  +216  71 111 111");
    lead.store
        .add_provider(home, croissant_rouge(&typed))
        .unwrap();
    let contact = directory(&lead.store, home)[0].3.clone();
    assert!(contact.starts_with("+216 71 111 111; contact@croissant.tn; rue.; rue."));
    assert_eq!(contact.chars().count(), 1_999);
    let file = lead.store.export_providers_hsds(home).unwrap();
    let (other, elsewhere) = antenna();
    other
        .store
        .import_providers_hsds(elsewhere, &file)
        .expect("an antenna's own export imports again");
    assert_eq!(
        directory(&other.store, elsewhere)[0].3,
        contact,
        "the contact survives the round trip"
    );
}
