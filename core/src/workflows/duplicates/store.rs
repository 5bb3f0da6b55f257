//! Duplicate households: listing likely pairs for a lead, and merging one into another.
//!
//! A merge copies the merged household's case into the kept one and marks it merged; its own
//! document stays, so nothing is lost and a merge can be repeated to bring across what an
//! offline device added later. Which household a merged one lives in is settled from the
//! marks alone ([`crate::model::resolve_merges`]), so crossed merges made offline by two
//! leads end the same way on every device.

use crate::input_problem::InputProblem;
use automerge::ROOT;
use autosurgeon::reconcile_prop;

use super::find::{self as duplicates, Fingerprint, PossibleDuplicate};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, NoteId};
use crate::model::{HouseholdStatus, Note};
use crate::store::access::{map_at, LEADS};
use crate::store::Store;
use crate::AntennaId;

impl Store {
    /// Pairs of active households of the antenna that may be one family registered twice,
    /// most likely first, each with a score and the reasons (see [`super`]).
    /// Households already merged are left out.
    pub fn possible_duplicates(&self, antenna: AntennaId) -> Result<Vec<PossibleDuplicate>> {
        let households = self.read(|db, _| {
            let mut stmt = db.prepare_cached(
                "SELECT id, registered_at, head_name, phone_digits, address, size
                 FROM households
                 WHERE antenna_id = ?1 AND has_document = 1 AND status != 'merged'",
            )?;
            let rows = stmt.query_map([antenna.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, registered_at, head_name, phone, address, size) = row?;
                if let Ok(id) = id.parse() {
                    out.push(Fingerprint {
                        id,
                        registered_at,
                        head_name,
                        phone,
                        address,
                        size,
                    });
                }
            }
            Ok(out)
        })?;
        Ok(duplicates::find(&households))
    }

    /// Merges household `merged` into `keep` (a lead's decision): `merged`'s needs, limiting
    /// factors, plan, referrals, grievances and notes are copied into `keep` (entries keep
    /// their ids, so merging again, or two leads merging the same pair, adds nothing twice),
    /// `keep` takes `merged`'s phone if it has none, a note records the merge, and `merged` is
    /// marked merged into `keep`. Deliveries to `merged`, recorded before or after, count as
    /// `keep`'s. Refused for a household merged into itself, households of two antennas, a
    /// `keep` that is itself merged, and a `merged` already merged into another household.
    pub fn merge_households(&self, keep: HouseholdId, merged: HouseholdId) -> Result<()> {
        if keep == merged {
            return Err(Error::Invalid {
                field: "merged",
                problem: InputProblem::MergeIntoItself,
            });
        }
        self.batch(|b| {
            let antenna = b.antenna_of(keep)?;
            if b.antenna_of(merged)? != antenna {
                return Err(Error::Invalid {
                    field: "merged",
                    problem: InputProblem::MergeAcrossAntennas,
                });
            }
            let actor = b.acting(antenna, "merge households", LEADS)?;
            let kept = b.household(keep)?;
            let from = b.household(merged)?;
            // Decided on the settled merges, not on the raw marks: after crossed merges the
            // survivor is marked merged too, and merging the other into it again is how a lead
            // settles it for good.
            let root = |b: &mut crate::store::documents::Batch<'_>, id: HouseholdId| {
                b.sql
                    .query_row(
                        "SELECT merged_root FROM households WHERE id = ?1",
                        [id.to_string()],
                        |r| r.get::<_, Option<String>>(0),
                    )
                    .map_err(Error::from)
            };
            if root(b, keep)?.is_some() {
                return Err(Error::Invalid {
                    field: "keep",
                    problem: InputProblem::KeepIsMerged,
                });
            }
            if root(b, merged)?.is_some_and(|r| r != keep.to_string()) {
                return Err(Error::Invalid {
                    field: "merged",
                    problem: InputProblem::AlreadyMerged,
                });
            }
            // The kept case with what it lacks of the merged one, and one note per merged
            // household (merging again finds it already there).
            let mut case = kept.case.clone();
            case.absorb(from.case);
            case.notes
                .entry(NoteId::from(format!("merged-{merged}")))
                .or_insert_with(|| Note {
                    author: actor,
                    at: b.now,
                    text: format!("Household {merged} was merged into this one."),
                });
            b.change(keep.document(), "merge a duplicate household", |tx| {
                if case != kept.case {
                    reconcile_prop(&mut *tx, ROOT, "case", &case)?;
                }
                if kept.profile.phone.is_none() && from.profile.phone.is_some() {
                    let profile = map_at(tx, &["profile"])?;
                    reconcile_prop(tx, profile, "phone", &from.profile.phone)?;
                }
                if kept.profile.status == HouseholdStatus::MergedInto(merged) {
                    // The survivor of crossed merges: active again, for good.
                    let profile = map_at(tx, &["profile"])?;
                    reconcile_prop(tx, profile, "status", HouseholdStatus::Active)?;
                }
                Ok(())
            })?;
            b.change(merged.document(), "mark merged", |tx| {
                let profile = map_at(tx, &["profile"])?;
                reconcile_prop(tx, profile, "status", HouseholdStatus::MergedInto(keep))?;
                Ok(())
            })?;
            b.refresh_household(antenna, keep, true)?;
            b.refresh_household(antenna, merged, true)?;
            Ok(())
        })
    }
}
