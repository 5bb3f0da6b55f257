//! Duplicate detection on a generated antenna with known duplicates, through the real store:
//! a floor on precision and recall, so a change that makes detection worse fails here. The
//! 5,000-household figures come from `duplicate_quality` (see ARCHITECTURE.md).

use jiran_core::testing::families;
use jiran_core::{NewAntenna, Store};

#[test]
fn test_duplicate_detection_finds_most_second_registrations_and_few_false_pairs() {
    let generated = families::generate(600, 0.1, 7);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (antenna, _) = store
        .create_antenna(NewAntenna {
            name: "La Marsa".into(),
            locality: "La Marsa".into(),
            lead_name: "Leila".into(),
        })
        .unwrap();
    let ids: Vec<_> = generated
        .households
        .iter()
        .map(|h| store.register_household(antenna, h.clone()).unwrap())
        .collect();
    let found: Vec<_> = store
        .possible_duplicates(antenna)
        .unwrap()
        .iter()
        .map(|d| (d.keep, d.other))
        .collect();
    let (precision, recall) = families::precision_recall(&generated, &ids, &found);
    assert!(
        generated.duplicates.len() >= 40,
        "the set has duplicates to find"
    );
    assert!(precision >= 0.9, "precision {precision:.3}");
    assert!(recall >= 0.75, "recall {recall:.3}");
}
