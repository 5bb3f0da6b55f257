//! What the antenna holds and has given: each donation's balance, the stock of money, goods
//! and services, and donations that offline devices over-allocated. Read from the derived
//! ledger tables only.

use crate::error::Result;
use crate::ids::{AntennaId, DeliveryId, DonationId};
use crate::model::{DonationStatus, NeedCategory};
use crate::store::Store;

/// What one donation has given and has left, in its own unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonationBalance {
    /// The donation.
    pub id: DonationId,
    /// `money`, `goods` or `service`.
    pub kind: String,
    /// Currency code, goods unit or `hours`.
    pub unit: String,
    /// The goods item or service kind.
    pub item: Option<String>,
    /// Pledged or received.
    pub status: DonationStatus,
    /// Only for this need, if restricted.
    pub restricted_to: Option<NeedCategory>,
    /// The donation's amount.
    pub amount: u64,
    /// How much deliveries used.
    pub delivered: u64,
    /// `amount - delivered`, or zero when over-allocated (see [`Store::over_allocations`]).
    pub remaining: u64,
    /// How many distinct households it reached (a count, never who).
    pub households_reached: u32,
}

/// Goods or money of one kind still held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockLine {
    /// `money`, `goods` or `service`.
    pub kind: String,
    /// The goods item or service kind (`None` for money).
    pub item: Option<String>,
    /// Currency, goods unit or `hours`.
    pub unit: String,
    /// Received, in total.
    pub received: u64,
    /// Delivered, in total.
    pub delivered: u64,
    /// Still held (received donations only).
    pub remaining: u64,
}

/// A donation whose deliveries, merged from several devices, add up to more than it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverAllocation {
    /// The donation.
    pub donation: DonationId,
    /// Its unit.
    pub unit: String,
    /// Its amount.
    pub amount: u64,
    /// What its deliveries add up to.
    pub allocated: u64,
    /// The deliveries drawing on it, oldest first.
    pub deliveries: Vec<DeliveryId>,
}

impl Store {
    /// Per donation: amount, delivered, remaining and households reached.
    pub fn donation_balances(&self, antenna: AntennaId) -> Result<Vec<DonationBalance>> {
        self.read(|db, _| {
            let mut stmt = db.prepare_cached(
                "SELECT d.id, d.kind, d.unit, d.item, d.status, d.restricted_to, d.amount,
                        COALESCE(SUM(a.amount), 0), COUNT(DISTINCT a.household_id)
                 FROM donations d
                 LEFT JOIN allocations a ON a.donation_id = d.id
                 WHERE d.antenna_id = ?1
                 GROUP BY d.id
                 ORDER BY d.recorded_at, d.id",
            )?;
            let rows = stmt.query_map([antenna.to_string()], |r| {
                let amount = r.get::<_, i64>(6)?.max(0) as u64;
                let delivered = r.get::<_, i64>(7)?.max(0) as u64;
                let status: String = r.get(4)?;
                let restricted: Option<String> = r.get(5)?;
                Ok(DonationBalance {
                    id: DonationId::from(r.get::<_, String>(0)?),
                    kind: r.get(1)?,
                    unit: r.get(2)?,
                    item: r.get(3)?,
                    status: DonationStatus::parse(&status).unwrap_or(DonationStatus::Pledged),
                    restricted_to: restricted.as_deref().and_then(NeedCategory::parse),
                    amount,
                    delivered,
                    remaining: amount.saturating_sub(delivered),
                    households_reached: r.get(8)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Money per currency, goods per item and unit, services per kind: received, delivered
    /// and still held (received donations only).
    pub fn stock(&self, antenna: AntennaId) -> Result<Vec<StockLine>> {
        let mut lines: Vec<StockLine> = Vec::new();
        for balance in self.donation_balances(antenna)? {
            if balance.status != DonationStatus::Received {
                continue;
            }
            let item = if balance.kind == "money" {
                None
            } else {
                balance.item.clone()
            };
            let line = match lines
                .iter_mut()
                .find(|l| l.kind == balance.kind && l.item == item && l.unit == balance.unit)
            {
                Some(line) => line,
                None => {
                    lines.push(StockLine {
                        kind: balance.kind.clone(),
                        item,
                        unit: balance.unit.clone(),
                        received: 0,
                        delivered: 0,
                        remaining: 0,
                    });
                    lines.last_mut().expect("just pushed")
                }
            };
            line.received += balance.amount;
            line.delivered += balance.delivered;
            line.remaining += balance.remaining;
        }
        Ok(lines)
    }

    /// Donations whose deliveries add up to more than they have: what offline devices
    /// recorded without seeing each other. Never hidden: shown to leads until resolved.
    pub fn over_allocations(&self, antenna: AntennaId) -> Result<Vec<OverAllocation>> {
        self.read(|db, _| {
            let mut stmt = db.prepare_cached(
                "SELECT d.id, d.unit, d.amount, SUM(a.amount)
                 FROM donations d JOIN allocations a ON a.donation_id = d.id
                 WHERE d.antenna_id = ?1
                 GROUP BY d.id
                 HAVING SUM(a.amount) > d.amount
                 ORDER BY d.recorded_at, d.id",
            )?;
            let over: Vec<(String, String, i64, i64)> = stmt
                .query_map([antenna.to_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut deliveries = db.prepare_cached(
                "SELECT a.delivery_id FROM allocations a
                 JOIN deliveries d ON d.id = a.delivery_id
                 WHERE a.donation_id = ?1 ORDER BY d.delivered_at, d.id",
            )?;
            let mut out = Vec::new();
            for (donation, unit, amount, allocated) in over {
                let ids = deliveries
                    .query_map([&donation], |r| r.get::<_, String>(0))?
                    .map(|id| id.map(DeliveryId::from))
                    .collect::<rusqlite::Result<_>>()?;
                out.push(OverAllocation {
                    donation: DonationId::from(donation),
                    unit,
                    amount: amount.max(0) as u64,
                    allocated: allocated.max(0) as u64,
                    deliveries: ids,
                });
            }
            Ok(out)
        })
    }
}
