//! The largest antenna of our sources (La Marsa: 5,000+ families): 5,000 households, 200
//! donations, 60,000 deliveries over twelve months, recorded through the public API by
//! `jiran_core::testing::large_antenna`.
//!
//! Run: `cargo bench -p jiran-core --bench antenna`. The seeded store is kept under
//! `target/bench-data/` and reused by later runs (delete it to seed again).

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use jiran_core::testing::large_antenna;
use jiran_core::*;

const HOUSEHOLDS: usize = 5_000;
const DONATIONS: usize = 200;
const DELIVERIES: usize = 60_000;

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
    let antenna = large_antenna::seed(&store, HOUSEHOLDS, DONATIONS, DELIVERIES).unwrap();
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
