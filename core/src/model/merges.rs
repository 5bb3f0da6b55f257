//! How merge marks are read: which household a merged one now lives in. Part of the model
//! because every device must reach the same answer from the same marks, whatever order they
//! arrived in; the duplicates workflow writes the marks, the store's projection reads them.

use std::collections::BTreeMap;

use crate::ids::HouseholdId;

/// Where each merged household now lives, given every household's `merged into` mark and
/// registration time: follows chains (C into B, B into A: C lives in A) and breaks cycles
/// (A into B and B into A, two leads crossing offline) by keeping the oldest household of
/// the cycle. Every device computes the same answer from the same marks.
///
/// Returns, for each household that is merged, the household that survives it; a household
/// absent from the answer is not merged (a cycle's survivor included).
pub fn resolve_merges(
    marks: &BTreeMap<HouseholdId, (Option<HouseholdId>, i64)>,
) -> BTreeMap<HouseholdId, HouseholdId> {
    let mut out = BTreeMap::new();
    for (&start, _) in marks.iter().filter(|(_, (into, _))| into.is_some()) {
        let mut path = vec![start];
        let mut at = start;
        let survivor = loop {
            match marks.get(&at).and_then(|(into, _)| *into) {
                // The chain ends at a household that is not merged (or not known here).
                None => break at,
                Some(next) => {
                    if let Some(position) = path.iter().position(|h| *h == next) {
                        // A cycle: its oldest household survives.
                        let cycle = &path[position..];
                        break *cycle
                            .iter()
                            .min_by_key(|h| (marks.get(h).map(|(_, at)| *at), **h))
                            .expect("a cycle has members");
                    }
                    path.push(next);
                    at = next;
                }
            }
        };
        if survivor != start {
            out.insert(start, survivor);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> HouseholdId {
        HouseholdId(crate::ids::DocumentId::from_bytes([n; 16]))
    }

    #[test]
    fn test_merge_chains_lead_to_the_survivor_and_crossed_merges_keep_the_oldest() {
        let marks: BTreeMap<_, _> = [
            (id(1), (Some(id(2)), 10)), // A into B ...
            (id(2), (Some(id(1)), 20)), // ... and B into A: A is older, A survives.
            (id(3), (Some(id(2)), 30)), // C into B, which is merged into A.
            (id(4), (None, 40)),
            (id(5), (Some(id(9)), 50)), // into a household this device does not have.
        ]
        .into_iter()
        .collect();
        let resolved = resolve_merges(&marks);
        assert_eq!(resolved.get(&id(2)), Some(&id(1)));
        assert_eq!(resolved.get(&id(3)), Some(&id(1)));
        assert_eq!(resolved.get(&id(5)), Some(&id(9)));
        assert!(!resolved.contains_key(&id(1)) && !resolved.contains_key(&id(4)));
    }
}
