//! The public transparency report from a real store: right totals, each household counted
//! once, and nothing in it that names a household or a donor.

use jiran_core::*;

use super::support::{antenna, delivery, household, money};

#[test]
fn test_the_report_adds_up_counts_each_family_once_and_names_no_one() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let fatma = s
        .register_household(antenna, household("Fatma Ben Ali", Some("+216 98 123 456")))
        .unwrap();
    let twice = s
        .register_household(antenna, household("Fatma Benali", Some("98123456")))
        .unwrap();
    let hamza = s
        .register_household(
            antenna,
            household("Hamza Trabelsi", Some("+216 55 111 222")),
        )
        .unwrap();
    let gift = s
        .record_donation(
            antenna,
            NewDonation {
                donor: Some("Hedi Mansour".into()),
                ..money(500_000)
            },
        )
        .unwrap();
    s.record_donation(
        antenna,
        NewDonation {
            status: DonationStatus::Pledged,
            ..money(80_000)
        },
    )
    .unwrap();
    s.record_delivery(antenna, delivery(fatma, &gift, 30_000))
        .unwrap();
    s.record_delivery(antenna, delivery(twice, &gift, 30_000))
        .unwrap();
    s.record_delivery(
        antenna,
        NewDelivery {
            category: NeedCategory::Rent,
            description: "March rent for Hamza Trabelsi".into(),
            ..delivery(hamza, &gift, 120_000)
        },
    )
    .unwrap();
    // The family registered twice is one family.
    s.merge_households(fatma, twice).unwrap();

    let report = s.transparency_report(antenna, None, None).unwrap();
    assert_eq!(report.households_reached, 2);
    assert_eq!(report.deliveries, 3);
    assert_eq!(report.given[0].amount, 180_000);
    assert_eq!(report.received[0].amount, 500_000);
    assert_eq!(report.pledged[0].amount, 80_000);
    let month = &report.months[0];
    let food = month
        .categories
        .iter()
        .find(|c| c.category == "food")
        .unwrap();
    assert_eq!((food.deliveries, food.households_reached), (2, 1));
    assert_eq!(report.donations[0].remaining, 320_000);
    assert_eq!(report.donations[0].households_reached, 2);

    let json = report.to_json();
    let html = report.to_html(Language::English);
    let pages: Vec<String> = Language::ALL.iter().map(|l| report.to_html(*l)).collect();
    for text in [&json].into_iter().chain(&pages) {
        for secret in [
            "Fatma",
            "Benali",
            "Hamza",
            "Trabelsi",
            "98123456",
            "123 456",
            "Hedi",
            "behind the mosque",
            "March rent",
            &fatma.to_string(),
            &hamza.to_string(),
        ] {
            assert!(!text.contains(secret), "{secret:?} is in the report");
        }
    }
    assert!(html.contains("180.000 TND"), "{html}");
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["antenna"], "La Marsa – Cité Erriadh");

    // A period with no activity, and a period the wrong way round.
    let later = Month {
        year: 2999,
        month: 1,
    };
    let empty = s.transparency_report(antenna, Some(later), None).unwrap();
    assert_eq!((empty.deliveries, empty.months.len()), (0, 0));
    assert!(empty
        .to_html(Language::English)
        .contains("No deliveries in this period"));
    assert!(empty
        .to_html(Language::French)
        .contains("Aucune distribution sur cette période"));
    assert!(matches!(
        s.transparency_report(
            antenna,
            Some(later),
            Some(Month {
                year: 2020,
                month: 1
            })
        ),
        Err(Error::Invalid { field: "from", .. })
    ));
}
