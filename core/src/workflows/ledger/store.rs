//! Donations and deliveries: recorded in the ledger document of their month, checked against
//! what each donation has left.

use crate::input_problem::InputProblem;
use std::collections::BTreeMap;

use autosurgeon::reconcile_prop;
use rusqlite::{params, OptionalExtension};

use super::codes::normalize_delivery_code;
use crate::document::{ledger_id, lookup, DocumentKind};
use crate::error::{Error, Result};
use crate::ids::{AntennaId, DeliveryId, DonationId, HouseholdId, LedgerId, MemberId};
use crate::model::{
    validate, Acknowledgement, Delivery, Donation, DonationStatus, Gift, NeedCategory,
};
use crate::store::access::{existing, map_at, FIELD_WORK};
use crate::store::documents::Batch;
use crate::store::events::StoreEvent;
use crate::store::projection;
use crate::store::Store;
use crate::time::Timestamp;

/// A donation to record.
#[derive(Clone, Debug)]
pub struct NewDonation {
    /// Money, goods or a service.
    pub gift: Gift,
    /// The donor's name, or `None` for an anonymous gift.
    pub donor: Option<String>,
    /// Who holds it; `None` means the member recording it.
    pub custodian: Option<MemberId>,
    /// Pledged or already received.
    pub status: DonationStatus,
    /// Only for this kind of need, if the donor asked.
    pub restricted_to: Option<NeedCategory>,
    /// When it was given, if not now (recorded later, offline).
    pub recorded_at: Option<Timestamp>,
}

/// A delivery to record.
#[derive(Clone, Debug)]
pub struct NewDelivery {
    /// The household receiving it.
    pub household: HouseholdId,
    /// The need it answers.
    pub category: NeedCategory,
    /// What was given.
    pub description: String,
    /// How much of each donation, in each donation's own unit.
    pub funding: Vec<(DonationId, u64)>,
    /// When it was delivered, if not now.
    pub delivered_at: Option<Timestamp>,
}

/// Deliveries may be recorded up to this long after the fact but not in the future (allowing
/// for clocks a little ahead).
const CLOCK_SKEW_MS: i64 = 24 * 3600 * 1000;

fn gift(gift: Gift) -> Result<Gift> {
    Ok(match gift {
        Gift::Money {
            amount_minor,
            currency,
        } => Gift::Money {
            amount_minor: validate::positive("amount", amount_minor)?,
            currency: validate::currency(&currency)?,
        },
        Gift::Goods {
            item,
            quantity,
            unit,
        } => Gift::Goods {
            item: validate::name("item", &item)?,
            quantity: validate::positive("quantity", quantity)?,
            unit: validate::name("unit", &unit)?,
        },
        Gift::Service { kind, hours } => Gift::Service {
            kind: validate::name("kind", &kind)?,
            hours: validate::positive("hours", hours)?,
        },
    })
}

fn not_in_future(field: &'static str, at: Timestamp) -> Result<Timestamp> {
    if at.millis() > Timestamp::now().millis() + CLOCK_SKEW_MS {
        return Err(Error::invalid(field, InputProblem::InTheFuture));
    }
    Ok(at)
}

impl Store {
    /// Records a donation in the ledger of its month.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a zero amount, a bad currency or empty names;
    /// [`Error::UnknownMember`] for a custodian who is not in the antenna.
    pub fn record_donation(&self, antenna: AntennaId, new: NewDonation) -> Result<DonationId> {
        let gift = gift(new.gift)?;
        let donor = new
            .donor
            .as_deref()
            .map(|d| validate::name("donor", d))
            .transpose()?;
        let recorded_at = new
            .recorded_at
            .map(|t| not_in_future("recorded_at", t))
            .transpose()?;
        let id = DonationId::random();
        self.batch(|b| {
            let actor = b.acting(antenna, "record donations", FIELD_WORK)?;
            let custodian = new.custodian.unwrap_or_else(|| actor.clone());
            if b.member(antenna, &custodian)?.is_none() {
                return Err(Error::UnknownMember(custodian));
            }
            let recorded_at = recorded_at.unwrap_or(b.now);
            let donation = Donation {
                gift,
                donor,
                custodian,
                status: new.status,
                restricted_to: new.restricted_to,
                recorded_by: actor,
                recorded_at,
                received_at: (new.status == DonationStatus::Received).then_some(recorded_at),
            };
            let ledger = ledger_id(antenna, recorded_at.month());
            b.create_ledger(ledger.document(), antenna, recorded_at.month())?;
            b.change(ledger.document(), "record donation", |tx| {
                let donations = map_at(tx, &["donations"])?;
                reconcile_prop(tx, donations, id.as_str(), &donation)?;
                Ok(())
            })?;
            projection::donation(&b.sql, antenna, ledger, &id, &donation)?;
            b.events.push(StoreEvent::LedgerChanged { antenna, ledger });
            Ok(id.clone())
        })
    }

    /// Records that a pledged donation reached its custodian.
    pub fn mark_donation_received(&self, antenna: AntennaId, donation: &DonationId) -> Result<()> {
        self.batch(|b| {
            b.acting(antenna, "record donations", FIELD_WORK)?;
            let ledger = b
                .ledger_holding("donations", antenna, donation.as_str())?
                .ok_or_else(|| Error::UnknownDonation(donation.clone()))?;
            let now = b.now;
            b.change(ledger.document(), "receive donation", |tx| {
                let obj = existing(tx, &["donations"], donation.as_str(), "donation")?;
                reconcile_prop(&mut *tx, &obj, "status", DonationStatus::Received)?;
                reconcile_prop(&mut *tx, &obj, "received_at", Some(now))?;
                Ok(())
            })?;
            b.sql.execute(
                "UPDATE donations SET status = 'received' WHERE id = ?1",
                [donation.as_str()],
            )?;
            b.events.push(StoreEvent::LedgerChanged { antenna, ledger });
            Ok(())
        })
    }

    /// Records a delivery to a household, funded by one or more donations.
    ///
    /// # Errors
    /// [`Error::UnknownHousehold`], [`Error::UnknownDonation`], [`Error::DonationNotReceived`],
    /// [`Error::RestrictedDonation`] or [`Error::InsufficientBalance`] when the delivery does
    /// not fit what is on this device; [`Error::Invalid`] for empty or zero funding.
    pub fn record_delivery(&self, antenna: AntennaId, new: NewDelivery) -> Result<DeliveryId> {
        let description =
            validate::required_text("description", &new.description, validate::MAX_TEXT)?;
        if new.funding.is_empty() {
            return Err(Error::invalid("funding", InputProblem::NoFunding));
        }
        let mut funding = BTreeMap::new();
        for (donation, amount) in new.funding {
            let amount = validate::positive("amount", amount)?;
            let total = funding.entry(donation).or_insert(0u64);
            *total = total.saturating_add(amount);
        }
        let delivered_at = new
            .delivered_at
            .map(|t| not_in_future("delivered_at", t))
            .transpose()?;
        let id = DeliveryId::random();
        self.batch(|b| {
            let actor = b.acting(antenna, "record deliveries", FIELD_WORK)?;
            b.check_household(antenna, new.household)?;
            for (donation, amount) in &funding {
                b.check_funding(antenna, donation, *amount, new.category)?;
            }
            let delivered_at = delivered_at.unwrap_or(b.now);
            let delivery = Delivery {
                household: new.household,
                category: new.category,
                description,
                funding,
                delivered_by: actor,
                delivered_at,
                acknowledged: None,
            };
            let ledger = ledger_id(antenna, delivered_at.month());
            b.create_ledger(ledger.document(), antenna, delivered_at.month())?;
            b.change(ledger.document(), "record delivery", |tx| {
                let deliveries = map_at(tx, &["deliveries"])?;
                reconcile_prop(tx, deliveries, id.as_str(), &delivery)?;
                Ok(())
            })?;
            projection::delivery(&b.sql, antenna, ledger, &id, &delivery)?;
            b.events.push(StoreEvent::LedgerChanged { antenna, ledger });
            Ok(id.clone())
        })
    }

    /// Records that the household acknowledged receiving a delivery, on the volunteer's word
    /// (`code_confirmed` false; see [`Store::acknowledge_delivery_with_code`]).
    pub fn acknowledge_delivery(&self, antenna: AntennaId, delivery: &DeliveryId) -> Result<()> {
        self.batch(|b| {
            let actor = b.acting(antenna, "record deliveries", FIELD_WORK)?;
            let ledger = b
                .ledger_holding("deliveries", antenna, delivery.as_str())?
                .ok_or_else(|| Error::UnknownDelivery(delivery.clone()))?;
            let ack = Acknowledgement {
                at: b.now,
                recorded_by: actor,
                code_confirmed: false,
            };
            b.acknowledge(antenna, ledger, delivery, &ack)
        })
    }

    /// Records that the household acknowledged a delivery by giving its delivery code, typed
    /// as the household says it (case, spaces and dashes do not matter). The acknowledgement
    /// is marked `code_confirmed`, so the accounts show the household itself confirmed it.
    ///
    /// The code must be the delivery's household's, or, when that household was merged with
    /// others (one family registered twice), the code of any household of the family: the
    /// one it lives on in and every one merged into that.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`code`) when the code does not match (the message never repeats
    /// it), is not a code at all, or the household has none yet;
    /// [`Error::HouseholdErased`] when the household was erased;
    /// [`Error::UnknownDelivery`] or [`Error::UnknownHousehold`] when the delivery or the
    /// household's document is not on this device. Nothing is recorded then.
    pub fn acknowledge_delivery_with_code(
        &self,
        antenna: AntennaId,
        delivery: &DeliveryId,
        code: &str,
    ) -> Result<()> {
        let typed = normalize_delivery_code(code)
            .ok_or(Error::invalid("code", InputProblem::NotADeliveryCode))?;
        self.batch(|b| {
            let actor = b.acting(antenna, "record deliveries", FIELD_WORK)?;
            let (ledger, found) = b.delivery(antenna, delivery)?;
            let codes = b.family_codes(antenna, found.household)?;
            let matches = codes
                .iter()
                .filter_map(|c| normalize_delivery_code(c))
                .any(|c| c == typed);
            if !matches {
                return Err(Error::invalid("code", InputProblem::WrongDeliveryCode));
            }
            let ack = Acknowledgement {
                at: b.now,
                recorded_by: actor,
                code_confirmed: true,
            };
            b.acknowledge(antenna, ledger, delivery, &ack)
        })
    }
}

impl Batch<'_> {
    /// A delivery of the antenna and the ledger holding it, or [`Error::UnknownDelivery`].
    pub(super) fn delivery(
        &mut self,
        antenna: AntennaId,
        delivery: &DeliveryId,
    ) -> Result<(LedgerId, Delivery)> {
        let unknown = || Error::UnknownDelivery(delivery.clone());
        let ledger = self
            .ledger_holding("deliveries", antenna, delivery.as_str())?
            .ok_or_else(unknown)?;
        let doc = self
            .doc(ledger.document(), DocumentKind::Ledger)?
            .ok_or_else(unknown)?;
        let found: Option<Delivery> = lookup(doc, &["deliveries", delivery.as_str()])?;
        Ok((ledger, found.ok_or_else(unknown)?))
    }

    /// Writes a delivery's acknowledgement and its derived flag.
    fn acknowledge(
        &mut self,
        antenna: AntennaId,
        ledger: LedgerId,
        delivery: &DeliveryId,
        ack: &Acknowledgement,
    ) -> Result<()> {
        self.change(ledger.document(), "acknowledge delivery", |tx| {
            let obj = existing(tx, &["deliveries"], delivery.as_str(), "delivery")?;
            reconcile_prop(tx, &obj, "acknowledged", Some(ack))?;
            Ok(())
        })?;
        self.sql.execute(
            "UPDATE deliveries SET acknowledged = 1 WHERE id = ?1",
            [delivery.as_str()],
        )?;
        self.events
            .push(StoreEvent::LedgerChanged { antenna, ledger });
        Ok(())
    }

    /// What kind of gift a donation is, as funding compares them: kind, unit, and the goods
    /// item or service kind (case aside).
    pub(super) fn gift_kind(
        &mut self,
        antenna: AntennaId,
        donation: &DonationId,
    ) -> Result<(String, String, Option<String>)> {
        let row: Option<(String, String, Option<String>)> = self
            .sql
            .query_row(
                "SELECT kind, unit, item FROM donations WHERE id = ?1 AND antenna_id = ?2",
                params![donation.as_str(), antenna.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (kind, unit, item) = row.ok_or_else(|| Error::UnknownDonation(donation.clone()))?;
        Ok((kind, unit, item.map(|i| i.trim().to_lowercase())))
    }

    /// The ledger holding a donation or delivery (`table` names which), as this device
    /// knows it.
    fn ledger_holding(
        &mut self,
        table: &'static str,
        antenna: AntennaId,
        id: &str,
    ) -> Result<Option<LedgerId>> {
        let ledger: Option<String> = self
            .sql
            .query_row(
                &format!("SELECT ledger_id FROM {table} WHERE id = ?1 AND antenna_id = ?2"),
                params![id, antenna.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(ledger.and_then(|l| l.parse().ok()))
    }

    fn check_household(&mut self, antenna: AntennaId, household: HouseholdId) -> Result<()> {
        let found: Option<String> = self
            .sql
            .query_row(
                "SELECT status FROM households WHERE id = ?1 AND antenna_id = ?2",
                params![household.to_string(), antenna.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match found.as_deref() {
            None => Err(Error::UnknownHousehold(household)),
            Some("merged") => Err(Error::invalid("household", InputProblem::HouseholdMerged)),
            Some(_) => Ok(()),
        }
    }

    /// Refuses funding a donation cannot give, as far as this device knows. Offline edits
    /// merged later can still over-allocate; [`Store::over_allocations`] reports those.
    pub(super) fn check_funding(
        &mut self,
        antenna: AntennaId,
        donation: &DonationId,
        amount: u64,
        category: NeedCategory,
    ) -> Result<()> {
        let row: Option<(i64, String, Option<String>, String)> = self
            .sql
            .query_row(
                "SELECT amount, status, restricted_to, unit FROM donations
                 WHERE id = ?1 AND antenna_id = ?2",
                params![donation.as_str(), antenna.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (total, status, restricted, unit) =
            row.ok_or_else(|| Error::UnknownDonation(donation.clone()))?;
        if status != DonationStatus::Received.as_str() {
            return Err(Error::DonationNotReceived(donation.clone()));
        }
        if let Some(allowed) = restricted.as_deref().and_then(NeedCategory::parse) {
            if allowed != category {
                return Err(Error::RestrictedDonation {
                    donation: donation.clone(),
                    allowed,
                });
            }
        }
        let used: i64 = self.sql.query_row(
            "SELECT COALESCE(SUM(amount), 0) FROM allocations WHERE donation_id = ?1",
            [donation.as_str()],
            |r| r.get(0),
        )?;
        let remaining = (total - used).max(0) as u64;
        if amount > remaining {
            return Err(Error::InsufficientBalance {
                donation: donation.clone(),
                remaining,
                requested: amount,
                unit,
            });
        }
        Ok(())
    }
}
