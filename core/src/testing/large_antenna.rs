//! The largest antenna of our sources (La Marsa: 5,000+ families), generated: what the store
//! benchmark (`cargo bench -p jiran-core --bench antenna`) measures.
//!
//! Households of one to five members with common Tunisian names in Latin and Arabic script,
//! one need each; cash donations recorded a year ago; deliveries spread evenly over the twelve
//! months since, each paid 5 TND from one donation. Everything is recorded through the public
//! API, so the store holds exactly what phones would have written.

use crate::{
    AntennaId, DonationId, DonationStatus, Gift, HouseholdId, NeedCategory, NewAntenna,
    NewDelivery, NewDonation, NewHousehold, NewNeed, NewPerson, Priority, Relationship, Result,
    Store, Timestamp, Urgency, VulnerabilityFlags,
};

const MONTH_MS: i64 = 30 * 24 * 3600 * 1000;

const FIRST: &[&str] = &[
    "Mohamed",
    "Fatma",
    "Ahmed",
    "Amel",
    "Youssef",
    "Salma",
    "Hedi",
    "Naima",
    "Karim",
    "Leila",
    "محمد",
    "فاطمة",
    "أحمد",
    "يوسف",
    "سلمى",
    "Mhamed",
    "Sami",
    "Rim",
    "Walid",
    "Hend",
];
const FAMILY: &[&str] = &[
    "Ben Ali",
    "Trabelsi",
    "Gharbi",
    "Chaouch",
    "Khemiri",
    "Jebali",
    "Ayari",
    "Mejri",
    "بن علي",
    "الطرابلسي",
    "Hammami",
    "Sassi",
    "Dridi",
    "Zouari",
    "Baccouche",
    "Mansouri",
];

/// Creates the antenna "La Marsa" in `store` and records `households` households (each with a
/// need), `donations` donations of 2,000 TND and `deliveries` deliveries in it. The same sizes
/// give the same records (only the dates follow today's). Deliveries draw on the donations in
/// turn, so none is over-allocated while `deliveries` is at most 400 times `donations`.
pub fn seed(
    store: &Store,
    households: usize,
    donations: usize,
    deliveries: usize,
) -> Result<AntennaId> {
    let (antenna, _) = store.create_antenna(NewAntenna {
        name: "La Marsa".into(),
        locality: "La Marsa".into(),
        lead_name: "Leila".into(),
    })?;
    let mut registered: Vec<HouseholdId> = Vec::with_capacity(households);
    for i in 0..households {
        let id = store.register_household(antenna, household(i))?;
        store.add_need(
            id,
            NewNeed {
                category: NeedCategory::ALL[i % NeedCategory::ALL.len()],
                description: "recorded at the first visit".into(),
                urgency: Urgency::Medium,
            },
        )?;
        registered.push(id);
    }
    let year_ago = Timestamp(Timestamp::now().millis() - 12 * MONTH_MS);
    let funds: Vec<DonationId> = (0..donations)
        .map(|i| {
            store.record_donation(
                antenna,
                NewDonation {
                    gift: Gift::Money {
                        amount_minor: 2_000_000,
                        currency: "TND".into(),
                    },
                    donor: (i % 2 == 0).then(|| format!("Donor {i}")),
                    custodian: None,
                    status: DonationStatus::Received,
                    restricted_to: None,
                    recorded_at: Some(Timestamp(year_ago.millis() - 1000)),
                },
            )
        })
        .collect::<Result<_>>()?;
    for i in 0..deliveries {
        let at = Timestamp(year_ago.millis() + (i as i64) * (12 * MONTH_MS / deliveries as i64));
        store.record_delivery(
            antenna,
            NewDelivery {
                household: registered[i % households],
                category: NeedCategory::Food,
                description: "food parcel".into(),
                funding: vec![(funds[i % donations].clone(), 5_000)],
                delivered_at: Some(at),
            },
        )?;
    }
    Ok(antenna)
}

/// The `i`-th household of the antenna: `1 + i % 5` members, a phone, a street number, one in
/// three shared with the municipality, the priorities in turn.
fn household(i: usize) -> NewHousehold {
    let name = format!(
        "{} {}",
        FIRST[i % FIRST.len()],
        FAMILY[(i / 7) % FAMILY.len()]
    );
    let members = (0..1 + i % 5)
        .map(|m| NewPerson {
            name: if m == 0 {
                name.clone()
            } else {
                format!("{} {m}", FIRST[(i + m) % FIRST.len()])
            },
            birth_year: Some(1940 + (i % 70) as u16),
            relationship: if m == 0 {
                Relationship::Head
            } else {
                Relationship::Child
            },
            flags: VulnerabilityFlags {
                elderly: i.is_multiple_of(9),
                ..Default::default()
            },
        })
        .collect();
    NewHousehold {
        members,
        phone: Some(format!(
            "+216 {:02} {:03} {:03}",
            20 + i % 80,
            i % 1000,
            (i * 7) % 1000
        )),
        address: format!("rue {} n°{}", i % 120, i % 40),
        coordinates: None,
        keep_data: true,
        share_with_municipality: i.is_multiple_of(3),
        contact_by_phone: true,
        priority: Priority::ALL[i % Priority::ALL.len()],
        shock: None,
    }
}
