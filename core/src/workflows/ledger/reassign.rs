//! Reassigning funding: how a lead resolves an over-allocation that offline devices created,
//! moving a delivery's funding from one donation to another in one change.

use crate::input_problem::InputProblem;
use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc};
use autosurgeon::reconcile_prop;

use crate::error::{Error, Result};
use crate::ids::{AntennaId, DeliveryId, DonationId};
use crate::model::validate;
use crate::store::access::{existing, LEADS};
use crate::store::events::StoreEvent;
use crate::store::projection;
use crate::store::Store;

impl Store {
    /// Moves funding of a delivery from one donation to another (leads only): how a lead
    /// resolves an over-allocation that offline devices created (see
    /// [`Store::over_allocations`]). `amount` is how much to move, in the donations' unit;
    /// `None` moves all that `from` gives the delivery.
    ///
    /// One change to the delivery's ledger document rewrites the two entries of its funding.
    /// `to` must be received, of the same kind of gift as `from` (same currency; same goods
    /// item and unit; same service), allowed for the delivery's need, and have the amount
    /// left on this device.
    ///
    /// # Errors
    /// [`Error::NotPermitted`] for volunteers and observers; [`Error::UnknownDelivery`];
    /// [`Error::Invalid`] when `from` does not fund the delivery, `to` is `from`, the amount
    /// is zero or more than `from` gives it, or `to` is another kind of gift;
    /// [`Error::UnknownDonation`], [`Error::DonationNotReceived`],
    /// [`Error::RestrictedDonation`] or [`Error::InsufficientBalance`] for a `to` that cannot
    /// take it. Nothing is recorded then.
    pub fn reassign_funding(
        &self,
        antenna: AntennaId,
        delivery: &DeliveryId,
        from: &DonationId,
        to: &DonationId,
        amount: Option<u64>,
    ) -> Result<()> {
        if from == to {
            return Err(Error::invalid("to", InputProblem::SameDonation));
        }
        let amount = amount
            .map(|a| validate::positive("amount", a))
            .transpose()?;
        self.batch(|b| {
            b.acting(antenna, "reassign funding", LEADS)?;
            let (ledger, mut found) = b.delivery(antenna, delivery)?;
            let funded = *found
                .funding
                .get(from)
                .ok_or(Error::invalid("from", InputProblem::NotFundingThisDelivery))?;
            let moved = amount.unwrap_or(funded);
            if moved > funded {
                return Err(Error::invalid("amount", InputProblem::MoreThanFunded));
            }
            if b.gift_kind(antenna, from)? != b.gift_kind(antenna, to)? {
                return Err(Error::invalid("to", InputProblem::OtherKindOfGift));
            }
            b.check_funding(antenna, to, moved, found.category)?;
            let left = funded - moved;
            let now_to = found.funding.get(to).copied().unwrap_or(0) + moved;
            b.change(ledger.document(), "reassign funding", |tx| {
                let obj = existing(tx, &["deliveries"], delivery.as_str(), "delivery")?;
                let funding = match tx.get(&obj, "funding")? {
                    Some((automerge::Value::Object(ObjType::Map), id)) => id,
                    _ => return Err(Error::CorruptDocument(ledger.document())),
                };
                if left == 0 {
                    tx.delete(&funding, from.as_str())?;
                } else {
                    reconcile_prop(&mut *tx, &funding, from.as_str(), left)?;
                }
                reconcile_prop(&mut *tx, &funding, to.as_str(), now_to)?;
                Ok(())
            })?;
            if left == 0 {
                found.funding.remove(from);
            } else {
                found.funding.insert(from.clone(), left);
            }
            found.funding.insert(to.clone(), now_to);
            projection::delivery(&b.sql, antenna, ledger, delivery, &found)?;
            b.events.push(StoreEvent::LedgerChanged { antenna, ledger });
            Ok(())
        })
    }
}
