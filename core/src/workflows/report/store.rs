//! Gathers the transparency report (see [`super`]) from the derived ledger tables:
//! no document is opened but the antenna's (for its name).

use crate::input_problem::InputProblem;
use rusqlite::params;

use super::figures::{self as report, AllocationRow, DonationRow, TransparencyReport};
use crate::error::{Error, Result};
use crate::ids::AntennaId;
use crate::model::{DonationStatus, NeedCategory};
use crate::store::Store;
use crate::time::{Month, Timestamp};

impl Store {
    /// The antenna's public transparency report for the months `from..=to` (either open):
    /// received, pledged and given by kind, by month and need, households reached (each
    /// counted once, merged households as one, erased ones still counted), and each
    /// donation's account. It holds no names, phones, addresses, household ids or donors, so
    /// any member may make it and share it (`to_json`, `to_html`).
    ///
    /// # Errors
    /// [`Error::Invalid`] if `from` is after `to`; [`Error::UnknownAntenna`].
    pub fn transparency_report(
        &self,
        antenna: AntennaId,
        from: Option<Month>,
        to: Option<Month>,
    ) -> Result<TransparencyReport> {
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(Error::invalid("from", InputProblem::FromAfterTo));
            }
        }
        let doc = self.antenna(antenna)?;
        let (donations, allocations) = self.read(|db, _| {
            let key = antenna.to_string();
            let mut stmt = db.prepare_cached(
                "SELECT id, kind, unit, item, amount, status, recorded_at FROM donations
                 WHERE antenna_id = ?1 ORDER BY recorded_at, id",
            )?;
            let donations: Vec<DonationRow> = stmt
                .query_map([&key], |r| {
                    Ok(DonationRow {
                        reference: r.get(0)?,
                        kind: r.get(1)?,
                        unit: r.get(2)?,
                        item: r.get(3)?,
                        amount: r.get::<_, i64>(4)?.max(0) as u64,
                        received: r.get::<_, String>(5)? == DonationStatus::Received.as_str(),
                        recorded_at: Timestamp(r.get(6)?),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut stmt = db.prepare_cached(
                // A merged household counts as the one it was merged into.
                "SELECT d.id, COALESCE(h.merged_root, d.household_id), d.category,
                        d.delivered_at, a.donation_id, a.amount
                 FROM deliveries d
                 JOIN allocations a ON a.delivery_id = d.id
                 LEFT JOIN households h ON h.id = d.household_id
                 WHERE d.antenna_id = ?1",
            )?;
            let allocations: Vec<AllocationRow> = stmt
                .query_map(params![key], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                })?
                .filter_map(|row| {
                    let (delivery, household, category, at, donation, amount) = match row {
                        Ok(row) => row,
                        Err(error) => return Some(Err(error)),
                    };
                    Some(Ok(AllocationRow {
                        delivery,
                        household,
                        category: NeedCategory::parse(&category)?,
                        delivered_at: Timestamp(at),
                        donation,
                        amount: amount.max(0) as u64,
                    }))
                })
                .collect::<rusqlite::Result<_>>()?;
            Ok((donations, allocations))
        })?;
        Ok(report::build(
            &doc.name,
            &doc.locality,
            from,
            to,
            &donations,
            &allocations,
            Timestamp::now(),
        ))
    }
}
