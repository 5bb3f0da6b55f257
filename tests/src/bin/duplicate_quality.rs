//! Precision and recall of duplicate detection on a generated antenna with known duplicates
//! (see `jiran_core::testing::families`), registered through the real store.
//!
//! `cargo run --release -p jiran-tests --bin duplicate_quality -- --households 5000`

use std::time::Instant;

use clap::Parser;
use jiran_core::testing::families;
use jiran_core::{NewAntenna, Store};

/// Measures duplicate detection.
#[derive(Parser)]
struct Cli {
    /// Households to generate.
    #[arg(long, default_value_t = 5000)]
    households: usize,
    /// Share of them that are second registrations of an earlier family.
    #[arg(long, default_value_t = 0.1)]
    duplicate_share: f64,
    /// Seed of the generator.
    #[arg(long, default_value_t = 2020)]
    seed: u64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let generated = families::generate(cli.households, cli.duplicate_share, cli.seed);
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path())?;
    let (antenna, _) = store.create_antenna(NewAntenna {
        name: "La Marsa".into(),
        locality: "La Marsa".into(),
        lead_name: "Leila".into(),
    })?;
    let mut ids = Vec::with_capacity(generated.households.len());
    for household in &generated.households {
        ids.push(store.register_household(antenna, household.clone())?);
    }
    let started = Instant::now();
    let found = store.possible_duplicates(antenna)?;
    let seconds = started.elapsed().as_secs_f64();
    let pairs: Vec<_> = found.iter().map(|d| (d.keep, d.other)).collect();
    let (precision, recall) = families::precision_recall(&generated, &ids, &pairs);
    println!(
        "{}",
        serde_json::json!({
            "households": cli.households,
            "known_duplicates": generated.duplicates.len(),
            "listed": found.len(),
            "precision": precision,
            "recall": recall,
            "possible_duplicates_s": seconds,
        })
    );
    Ok(())
}
