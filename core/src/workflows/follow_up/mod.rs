//! What a lead must follow up: grievances waiting for an answer, oldest first, and referrals
//! with no news. Only households the derived tables show with something open are opened.

use rusqlite::params;

use crate::document::DocumentKind;
use crate::error::Result;
use crate::ids::{AntennaId, GrievanceId, HouseholdId, ProviderId, ReferralId};
use crate::model::{GrievanceStatus, HouseholdDocument, ReferralStatus};
use crate::store::Store;
use crate::time::Timestamp;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// A grievance waiting for an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrievanceToAnswer {
    /// The household that raised it.
    pub household: HouseholdId,
    /// The grievance.
    pub grievance: GrievanceId,
    /// What it is about.
    pub category: String,
    /// Open or in review.
    pub status: GrievanceStatus,
    /// When it was raised.
    pub raised_at: Timestamp,
    /// Whole days since then.
    pub days_waiting: u32,
    /// Raised anonymously (no volunteer's name on it).
    pub anonymous: bool,
}

/// A referral with no news for a while.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferralToFollowUp {
    /// The household referred.
    pub household: HouseholdId,
    /// The referral.
    pub referral: ReferralId,
    /// The provider.
    pub provider: ProviderId,
    /// Proposed or accepted.
    pub status: ReferralStatus,
    /// When its status last changed.
    pub updated_at: Timestamp,
    /// Whole days since then.
    pub days_without_news: u32,
}

impl Store {
    /// Grievances of the antenna's active households still open or in review, longest
    /// waiting first, as of `now`.
    pub fn grievances_to_answer(
        &self,
        antenna: AntennaId,
        now: Timestamp,
    ) -> Result<Vec<GrievanceToAnswer>> {
        let mut out = Vec::new();
        for (household, doc) in self.households_with(antenna, "open_grievances")? {
            for (id, g) in doc.case.grievances {
                if matches!(g.status, GrievanceStatus::Open | GrievanceStatus::InReview) {
                    out.push(GrievanceToAnswer {
                        household,
                        grievance: id,
                        category: g.category,
                        status: g.status,
                        raised_at: g.raised_at,
                        days_waiting: days_between(g.raised_at, now),
                        anonymous: g.recorded_by.is_none(),
                    });
                }
            }
        }
        out.sort_by(|a, b| (a.raised_at, &a.grievance).cmp(&(b.raised_at, &b.grievance)));
        Ok(out)
    }

    /// Referrals of the antenna's active households still proposed or accepted whose status
    /// has not changed for more than `no_news_for_days` days as of `now`, longest silent
    /// first: the lead's calls to make.
    pub fn referrals_to_follow_up(
        &self,
        antenna: AntennaId,
        no_news_for_days: u32,
        now: Timestamp,
    ) -> Result<Vec<ReferralToFollowUp>> {
        let mut out = Vec::new();
        for (household, doc) in self.households_with(antenna, "open_referrals")? {
            for (id, r) in doc.case.referrals {
                let waiting = matches!(
                    r.status,
                    ReferralStatus::Proposed | ReferralStatus::Accepted
                );
                let silent = days_between(r.updated_at, now);
                if waiting && silent > no_news_for_days {
                    out.push(ReferralToFollowUp {
                        household,
                        referral: id,
                        provider: r.provider,
                        status: r.status,
                        updated_at: r.updated_at,
                        days_without_news: silent,
                    });
                }
            }
        }
        out.sort_by(|a, b| (a.updated_at, &a.referral).cmp(&(b.updated_at, &b.referral)));
        Ok(out)
    }

    /// The documents of the antenna's active households whose derived `column` is not zero.
    fn households_with(
        &self,
        antenna: AntennaId,
        column: &'static str,
    ) -> Result<Vec<(HouseholdId, HouseholdDocument)>> {
        self.read(|db, docs| {
            let mut stmt = db.prepare_cached(&format!(
                "SELECT id FROM households
                 WHERE antenna_id = ?1 AND status = 'active' AND has_document = 1 AND {column} > 0"
            ))?;
            let ids: Vec<String> = stmt
                .query_map(params![antenna.to_string()], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids.iter().filter_map(|id| id.parse::<HouseholdId>().ok()) {
                if let Some(loaded) = docs.get(db, id.document())? {
                    if loaded.header.kind == DocumentKind::Household {
                        out.push((id, autosurgeon::hydrate(&loaded.doc)?));
                    }
                }
            }
            Ok(out)
        })
    }
}

fn days_between(from: Timestamp, to: Timestamp) -> u32 {
    ((to.millis() - from.millis()).max(0) / DAY_MS) as u32
}
