//! The largest antenna of our sources (La Marsa: 5,000+ families): 5,000 households, 200
//! donations, 60,000 deliveries over twelve months, recorded through the public API.
//!
//! Run: `cargo bench -p jiran-core --bench antenna`. The seeded store is kept under
//! `target/bench-data/` and reused by later runs (delete it to seed again).

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use jiran_core::*;

const HOUSEHOLDS: usize = 5_000;
const DONATIONS: usize = 200;
const DELIVERIES: usize = 60_000;
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

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data/antenna-5000")
}

/// The seeded store and its antenna; seeds it on first use.
fn seeded() -> (PathBuf, AntennaId) {
    let dir = data_dir();
    let marker = dir.join("antenna-id");
    if let Ok(id) = std::fs::read_to_string(&marker) {
        return (dir, id.trim().parse().expect("antenna id"));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let started = Instant::now();
    let store = Store::open(&dir).unwrap();
    let (antenna, _) = store
        .create_antenna(NewAntenna {
            name: "La Marsa".into(),
            locality: "La Marsa".into(),
            lead_name: "Leila".into(),
        })
        .unwrap();
    let mut households = Vec::with_capacity(HOUSEHOLDS);
    for i in 0..HOUSEHOLDS {
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
                    elderly: i % 9 == 0,
                    ..Default::default()
                },
            })
            .collect();
        let id = store
            .register_household(
                antenna,
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
                    share_with_municipality: i % 3 == 0,
                    contact_by_phone: true,
                    priority: Priority::ALL[i % Priority::ALL.len()],
                    shock: None,
                },
            )
            .unwrap();
        store
            .add_need(
                id,
                NewNeed {
                    category: NeedCategory::ALL[i % NeedCategory::ALL.len()],
                    description: "recorded at the first visit".into(),
                    urgency: Urgency::Medium,
                },
            )
            .unwrap();
        households.push(id);
    }
    let year_ago = Timestamp(Timestamp::now().millis() - 12 * MONTH_MS);
    let donations: Vec<DonationId> = (0..DONATIONS)
        .map(|i| {
            store
                .record_donation(
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
                .unwrap()
        })
        .collect();
    for i in 0..DELIVERIES {
        let at = Timestamp(year_ago.millis() + (i as i64) * (12 * MONTH_MS / DELIVERIES as i64));
        store
            .record_delivery(
                antenna,
                NewDelivery {
                    household: households[i % HOUSEHOLDS],
                    category: NeedCategory::Food,
                    description: "food parcel".into(),
                    funding: vec![(donations[i % DONATIONS].clone(), 5_000)],
                    delivered_at: Some(at),
                },
            )
            .unwrap();
    }
    drop(store);
    std::fs::write(&marker, antenna.to_string()).unwrap();
    eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    (dir, antenna)
}

fn disk_usage(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn bench(c: &mut Criterion) {
    let (dir, antenna) = seeded();
    {
        // Checkpoint so the size is the database's, not a leftover WAL.
        let store = Store::open(&dir).unwrap();
        drop(store);
    }
    eprintln!("store on disk: {:.1} MB", disk_usage(&dir) as f64 / 1e6);

    let mut group = c.benchmark_group("antenna_5000");
    group.sample_size(20);
    group.bench_function("open_cold_and_first_screen", |b| {
        b.iter(|| {
            let store = Store::open(&dir).unwrap();
            let first = store
                .households(
                    antenna,
                    &HouseholdFilter {
                        limit: Some(50),
                        ..Default::default()
                    },
                )
                .unwrap();
            assert_eq!(first.len(), 50);
        })
    });
    let store = Store::open(&dir).unwrap();
    group.bench_function("list_all_by_priority", |b| {
        b.iter(|| {
            assert_eq!(
                store
                    .households(antenna, &HouseholdFilter::default())
                    .unwrap()
                    .len(),
                HOUSEHOLDS
            )
        })
    });
    group.bench_function("list_filtered_open_food_needs", |b| {
        let filter = HouseholdFilter {
            need: Some(NeedCategory::Food),
            ..Default::default()
        };
        b.iter(|| assert!(!store.households(antenna, &filter).unwrap().is_empty()))
    });
    group.bench_function("search_name_latin", |b| {
        b.iter(|| assert!(!store.search(antenna, "mohamed ben", 50).unwrap().is_empty()))
    });
    group.bench_function("search_name_arabic", |b| {
        b.iter(|| assert!(!store.search(antenna, "فاطمة", 50).unwrap().is_empty()))
    });
    group.bench_function("search_phone_digits", |b| {
        b.iter(|| assert!(!store.search(antenna, "63 123", 50).unwrap().is_empty()))
    });
    let household = store
        .households(
            antenna,
            &HouseholdFilter {
                limit: Some(1),
                ..Default::default()
            },
        )
        .unwrap()[0]
        .id;
    let donation = store.donation_balances(antenna).unwrap()[0].id.clone();
    group.bench_function("record_delivery_durably", |b| {
        b.iter(|| {
            store
                .record_delivery(
                    antenna,
                    NewDelivery {
                        household,
                        category: NeedCategory::Food,
                        description: "food parcel".into(),
                        funding: vec![(donation.clone(), 1)],
                        delivered_at: None,
                    },
                )
                .unwrap()
        })
    });
    group.bench_function("donation_balances", |b| {
        b.iter(|| assert_eq!(store.donation_balances(antenna).unwrap().len(), DONATIONS))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
