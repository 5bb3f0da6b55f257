//! The antenna at a glance, for a lead reviewing offline: who is waiting, for what, what is
//! open, and what the money and goods allow. Read from the derived tables only.

use rusqlite::params;

use crate::error::Result;
use crate::ids::AntennaId;
use crate::model::{HouseholdState, NeedCategory, Priority};
use crate::store::projection::{categories, priority_rank};
use crate::store::Store;
use crate::workflows::ledger::{DonationBalance, OverAllocation};

/// What a lead sees first: active households by priority and by open need, open grievances,
/// overdue tasks, donation balances and over-allocations to resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AntennaOverview {
    /// Households being helped (state active), including those whose document has not
    /// arrived on this device yet.
    pub active_households: u32,
    /// Active households per priority, most urgent first; every priority is listed.
    pub by_priority: Vec<(Priority, u32)>,
    /// Active households with at least one open need of each category, in the vocabulary's
    /// order; every category is listed.
    pub open_needs: Vec<(NeedCategory, u32)>,
    /// Grievances waiting for an answer (open or in review), over households on this device.
    pub open_grievances: u32,
    /// Active households registered after a shock (job lost in the lockdown, a disaster):
    /// how many the crisis brought, over households on this device.
    pub after_shock: u32,
    /// Tasks (visits, calls, deliveries) still open past their due time, over households on
    /// this device: work to share out again or chase.
    pub overdue_tasks: u32,
    /// Every donation's balance (see [`Store::donation_balances`]).
    pub balances: Vec<DonationBalance>,
    /// Donations whose merged deliveries exceed them (see [`Store::over_allocations`]).
    pub over_allocations: Vec<OverAllocation>,
}

impl Store {
    /// The antenna at a glance. Cost grows with the number of households but opens no
    /// document.
    pub fn overview(&self, antenna: AntennaId) -> Result<AntennaOverview> {
        let mut by_priority: Vec<(Priority, u32)> =
            Priority::ALL.iter().rev().map(|p| (*p, 0)).collect();
        let mut open_needs: Vec<(NeedCategory, u32)> =
            NeedCategory::ALL.iter().map(|c| (*c, 0)).collect();
        let (active, grievances, after_shock) = self.read(|db, _| {
            let mut stmt = db.prepare_cached(
                "SELECT priority, open_needs, open_grievances, after_shock FROM households
                 WHERE antenna_id = ?1 AND status = ?2",
            )?;
            let mut rows = stmt.query(params![
                antenna.to_string(),
                HouseholdState::Active.as_str()
            ])?;
            let (mut active, mut grievances, mut after_shock) = (0u32, 0u32, 0u32);
            while let Some(row) = rows.next()? {
                active += 1;
                let rank: i64 = row.get(0)?;
                if let Some(line) = by_priority
                    .iter_mut()
                    .find(|(p, _)| priority_rank(*p) == rank)
                {
                    line.1 += 1;
                }
                for category in categories(row.get(1)?) {
                    if let Some(line) = open_needs.iter_mut().find(|(c, _)| *c == category) {
                        line.1 += 1;
                    }
                }
                grievances += row.get::<_, u32>(2)?;
                after_shock += u32::from(row.get::<_, bool>(3)?);
            }
            Ok((active, grievances, after_shock))
        })?;
        Ok(AntennaOverview {
            active_households: active,
            by_priority,
            open_needs,
            open_grievances: grievances,
            after_shock,
            overdue_tasks: self.overdue_tasks(antenna, crate::time::Timestamp::now())?,
            balances: self.donation_balances(antenna)?,
            over_allocations: self.over_allocations(antenna)?,
        })
    }
}
