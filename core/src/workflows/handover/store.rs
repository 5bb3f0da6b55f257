//! The handover of households to the municipality: which households may leave the antenna
//! (decided in one function, [`consenting_households`]), the file
//! ([`super::formats`]), and the log of every handover in the antenna document.

use autosurgeon::reconcile_prop;
use rusqlite::params_from_iter;

use super::formats::{self as municipality, HandoverRow};
use crate::document::{lookup, DocumentKind};
use crate::error::{Error, Result};
use crate::ids::{AntennaId, HandoverId, HouseholdId};
use crate::model::{HandoverFormat, HandoverLog, HouseholdState, NeedCategory, Priority};
use crate::store::access::{map_at, LEADS};
use crate::store::documents::Batch;
use crate::store::events::StoreEvent;
use crate::store::Store;
use crate::time::Timestamp;
use crate::workflows::households::HouseholdWhere;

/// Which consenting households to hand over. Every field narrows the selection; none can
/// widen it past the households that agreed to be shared with the municipality. The
/// default hands over every consenting active household.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HandoverFilter {
    /// Only households in this state; `None` means active. Merged households are never
    /// handed over (they live on in the household they were merged into), so `Merged`
    /// selects nothing.
    pub state: Option<HouseholdState>,
    /// Only households of at least this priority.
    pub min_priority: Option<Priority>,
    /// Only households with an open need of this category.
    pub need: Option<NeedCategory>,
    /// Only households registered at or after this time.
    pub registered_since: Option<Timestamp>,
}

impl HandoverFilter {
    /// The filter in words, as logged: no personal data, only states, words and a date
    /// ("active; priority at least high; open need food; registered since 2020-04-01").
    pub fn describe(&self) -> String {
        let mut parts = vec![self.state.unwrap_or(HouseholdState::Active).to_string()];
        if let Some(p) = self.min_priority {
            parts.push(format!("priority at least {p}"));
        }
        if let Some(n) = self.need {
            parts.push(format!("open need {n}"));
        }
        if let Some(since) = self.registered_since {
            parts.push(format!("registered since {}", since.date()));
        }
        parts.join("; ")
    }
}

/// A handover made: the file, how many households it holds, and its id in the antenna's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handover {
    /// The entry in the antenna document's log of handovers.
    pub id: HandoverId,
    /// The file, ready to save or send.
    pub bytes: Vec<u8>,
    /// How many households it holds.
    pub households: u32,
}

impl Store {
    /// Hands the antenna's households that agreed to be shared with the municipality over as
    /// a file (leads only). A household without that consent is never in the file, whatever
    /// the filter; neither is a merged household, nor one whose document is not on this
    /// device. The phone number is included only when the household also agreed to be
    /// called.
    ///
    /// The handover is logged in the antenna document (who, when, how many, which filter,
    /// which format; never the data) in one change, and the file is returned only once that
    /// change is on disk.
    ///
    /// # Errors
    /// [`Error::NotPermitted`] for volunteers and observers; [`Error::NotAMember`],
    /// [`Error::UnknownAntenna`]. Nothing is logged when it fails.
    pub fn export_for_municipality(
        &self,
        antenna: AntennaId,
        filter: HandoverFilter,
        format: HandoverFormat,
    ) -> Result<Handover> {
        self.batch(|b| {
            let by = b.acting(antenna, "hand households over to the municipality", LEADS)?;
            let rows = consenting_households(b, antenna, &filter)?;
            let bytes = municipality::write(&rows, format)?;
            let households = u32::try_from(rows.len()).unwrap_or(u32::MAX);
            let id = HandoverId::random();
            let log = HandoverLog {
                by,
                at: b.now,
                households,
                format,
                filter: filter.describe(),
            };
            b.change(antenna.document(), "log handover", |tx| {
                let handovers = map_at(tx, &["handovers"])?;
                reconcile_prop(tx, handovers, id.as_str(), &log)?;
                Ok(())
            })?;
            b.events.push(StoreEvent::AntennaChanged(antenna));
            Ok(Handover {
                id,
                bytes,
                households,
            })
        })
    }

    /// Every handover logged in the antenna document (made on any device), oldest first.
    pub fn handovers(&self, antenna: AntennaId) -> Result<Vec<(HandoverId, HandoverLog)>> {
        self.read(|db, docs| {
            let loaded = docs
                .get(db, antenna.document())?
                .filter(|l| l.header.kind == DocumentKind::Antenna)
                .ok_or(Error::UnknownAntenna(antenna))?;
            let log: std::collections::BTreeMap<HandoverId, HandoverLog> =
                lookup(&loaded.doc, &["handovers"])?.unwrap_or_default();
            let mut out: Vec<_> = log.into_iter().collect();
            out.sort_by(|a, b| (a.1.at, &a.0).cmp(&(b.1.at, &b.0)));
            Ok(out)
        })
    }
}

/// The households that may be handed over under `filter`, oldest registration first. **The
/// one place that decides what leaves the antenna:** the derived table narrows by the filter
/// (and drops merged households and households without a document here), then each
/// remaining household's document is opened and kept only if its consent says it may be
/// shared with the municipality. Documents of households the filter excludes are never
/// opened.
fn consenting_households(
    b: &mut Batch<'_>,
    antenna: AntennaId,
    filter: &HandoverFilter,
) -> Result<Vec<HandoverRow>> {
    let state = filter.state.unwrap_or(HouseholdState::Active);
    if state == HouseholdState::Merged {
        return Ok(Vec::new());
    }
    let (clause, values) = HouseholdWhere::antenna(antenna)
        .with_document_unmerged()
        .state(Some(state))
        .min_priority(filter.min_priority)
        .open_need(filter.need)
        .registered_since(filter.registered_since)
        .finish();
    let sql = format!("SELECT id FROM households WHERE {clause} ORDER BY registered_at, id");
    let ids: Vec<String> = b
        .sql
        .prepare_cached(&sql)?
        .query_map(params_from_iter(values), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut rows = Vec::new();
    for id in ids.iter().filter_map(|id| id.parse::<HouseholdId>().ok()) {
        let doc = b.household(id)?;
        let consent = &doc.profile.consent;
        if doc.antenna != antenna || !consent.share_with_municipality {
            continue;
        }
        rows.push(HandoverRow {
            household: id,
            head_name: doc
                .profile
                .head()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            phone: doc
                .profile
                .phone
                .clone()
                .filter(|_| consent.contact_by_phone),
            address: doc.profile.address.text.clone(),
            size: doc.profile.members.len() as u32,
            open_needs: doc.case.open_need_categories(),
            priority: doc.case.priority,
            registered_at: doc.profile.registered_at,
            status: state,
        });
    }
    Ok(rows)
}
