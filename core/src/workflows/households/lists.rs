//! What volunteers and leads look at: household lists, search and a household's detail. All
//! run on the derived tables; only detail opens documents.

use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use super::filter::HouseholdWhere;
use crate::document::{lookup, DocumentKind};
use crate::error::{Error, Result};
use crate::ids::{AntennaId, DeliveryId, HouseholdId, LedgerId, MemberId, NoteId};
use crate::model::{
    Case, Delivery, Household, HouseholdDocument, HouseholdState, NeedCategory, Priority,
};
use crate::search::Query;
use crate::store::documents::Documents;
use crate::store::projection::summary_from_row;
use crate::store::Store;
use crate::time::Timestamp;
use crate::workflows::antenna::self_written_keys;

/// Which households to list, and in what order. The default lists every household by
/// priority.
#[derive(Clone, Debug, Default)]
pub struct HouseholdFilter {
    /// Only households in this state. `None` lists every state but merged: a merged
    /// household lives on in the one it was merged into.
    pub state: Option<HouseholdState>,
    /// Only households of at least this priority.
    pub min_priority: Option<Priority>,
    /// Only households with an open need of this category.
    pub need: Option<NeedCategory>,
    /// Only households followed by this volunteer.
    pub assigned_to: Option<MemberId>,
    /// The order.
    pub sort: HouseholdSort,
    /// At most this many (all if `None`).
    pub limit: Option<u32>,
}

/// Orders of the household list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HouseholdSort {
    /// Most urgent first, then oldest registration first.
    #[default]
    Priority,
    /// Newest registration first.
    Newest,
    /// By the head's name (households not yet on this device last).
    Name,
}

/// One line of the household list.
#[derive(Clone, Debug, PartialEq)]
pub struct HouseholdListItem {
    /// The household.
    pub id: HouseholdId,
    /// The head's name; `None` while the household's document is not on this device.
    pub head_name: Option<String>,
    /// Its state.
    pub state: HouseholdState,
    /// Its priority.
    pub priority: Priority,
    /// How many people.
    pub size: u32,
    /// Categories of open needs.
    pub open_needs: Vec<NeedCategory>,
    /// Who follows it.
    pub assigned_to: Option<MemberId>,
    /// When it was registered.
    pub registered_at: Timestamp,
}

/// Everything about one household.
#[derive(Clone, Debug, PartialEq)]
pub struct HouseholdDetail {
    /// The household.
    pub id: HouseholdId,
    /// Its antenna.
    pub antenna: AntennaId,
    /// Who it is, with its delivery code (`profile.delivery_code`, the code lists and
    /// receipts show instead of its name).
    pub profile: Household,
    /// Its case, tasks included (see [`Case::tasks_in_order`]), with what households merged
    /// into it hold and it lacks.
    pub case: Case,
    /// What it received, oldest first.
    pub deliveries: Vec<DeliveryRecord>,
    /// Who really wrote each of the household's own notes: the member whose device made the
    /// change that wrote it, known by the key that device wrote into its member entry itself
    /// (see `Store::team`). A note's `author` field is what its writer claimed; a note
    /// missing here (forged, written by an older app, or copied in by a merge) has no verified
    /// author, and apps show it as such.
    pub written_by: BTreeMap<NoteId, MemberId>,
}

/// A delivery with its id and ledger.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryRecord {
    /// The delivery.
    pub id: DeliveryId,
    /// The ledger document holding it.
    pub ledger: LedgerId,
    /// What it says.
    pub delivery: Delivery,
}

/// The columns [`list_item`] reads, in its order.
const LIST_COLUMNS: &str =
    "h.id, h.head_name, h.status, h.priority, h.size, h.open_needs, h.assigned_to, h.registered_at";

fn list_item(row: &rusqlite::Row<'_>) -> rusqlite::Result<HouseholdListItem> {
    let id: String = row.get(0)?;
    let summary = summary_from_row(row, 2)?;
    Ok(HouseholdListItem {
        id: id
            .parse()
            .unwrap_or(HouseholdId(crate::ids::DocumentId::from_bytes([0; 16]))),
        head_name: row.get(1)?,
        state: summary.status,
        priority: summary.priority,
        size: summary.size,
        open_needs: summary.open_needs,
        assigned_to: summary.assigned_to,
        registered_at: summary.registered_at,
    })
}

impl Store {
    /// Lists an antenna's households, filtered and sorted.
    pub fn households(
        &self,
        antenna: AntennaId,
        filter: &HouseholdFilter,
    ) -> Result<Vec<HouseholdListItem>> {
        self.read(|db, _| {
            let (clause, mut values) = HouseholdWhere::antenna(antenna)
                .state(filter.state)
                .min_priority(filter.min_priority)
                .open_need(filter.need)
                .assigned_to(filter.assigned_to.as_ref())
                .finish();
            let mut sql = format!("SELECT {LIST_COLUMNS} FROM households h WHERE {clause}");
            sql.push_str(match filter.sort {
                HouseholdSort::Priority => " ORDER BY priority DESC, registered_at, id",
                HouseholdSort::Newest => " ORDER BY registered_at DESC, id",
                HouseholdSort::Name => " ORDER BY sort_name IS NULL, sort_name, id",
            });
            if let Some(limit) = filter.limit {
                sql.push_str(" LIMIT ?");
                values.push(Value::Integer(i64::from(limit)));
            }
            let mut stmt = db.prepare_cached(&sql)?;
            let rows = stmt.query_map(params_from_iter(values), list_item)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Finds households by name or phone, however typed: any case, with or without accents,
    /// in Arabic script or Latin transliteration, and by any part of a phone number. Every
    /// word typed must match a name in the household; best matches first.
    pub fn search(
        &self,
        antenna: AntennaId,
        typed: &str,
        limit: u32,
    ) -> Result<Vec<HouseholdListItem>> {
        let query = Query::parse(typed);
        if query.is_empty() {
            return Ok(Vec::new());
        }
        // One statement: per query word, the households with a term starting with it (folded
        // word scores 3, phonetic key 1); households matching every word, plus those whose
        // phone contains the digits (score 5); best first.
        let mut ctes = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        for (i, (word, key)) in query.words.iter().enumerate() {
            ctes.push(format!(
                "w{i} AS (SELECT household_id, MAX(weight) AS s FROM (
                     SELECT household_id, 3 AS weight FROM search_terms WHERE term >= ? AND term < ?
                     UNION ALL
                     SELECT household_id, 1 AS weight FROM search_terms WHERE term >= ? AND term < ?)
                 GROUP BY household_id)"
            ));
            for prefix in [format!("w:{word}"), format!("k:{key}")] {
                let mut upper = prefix.clone();
                upper.push(char::MAX);
                values.push(Value::Text(prefix));
                values.push(Value::Text(upper));
            }
        }
        let mut parts = Vec::new();
        if !query.words.is_empty() {
            let score = (0..query.words.len())
                .map(|i| format!("w{i}.s"))
                .collect::<Vec<_>>()
                .join(" + ");
            let joins: String = (1..query.words.len())
                .map(|i| format!(" JOIN w{i} ON w{i}.household_id = w0.household_id"))
                .collect();
            parts.push(format!(
                "SELECT w0.household_id AS id, {score} AS score FROM w0{joins}"
            ));
        }
        if let Some(digits) = &query.digits {
            parts.push(
                "SELECT id, 5 AS score FROM households WHERE antenna_id = ? AND phone_digits LIKE ?"
                    .to_owned(),
            );
            values.push(Value::Text(antenna.to_string()));
            values.push(Value::Text(format!("%{digits}%")));
        }
        let with = if ctes.is_empty() {
            String::new()
        } else {
            format!("WITH {} ", ctes.join(", "))
        };
        let sql = format!(
            "{with}SELECT {LIST_COLUMNS}, SUM(m.score) AS score
             FROM households h JOIN ({}) m ON m.id = h.id
             WHERE h.antenna_id = ?
             GROUP BY h.id
             ORDER BY score DESC, h.priority DESC, h.sort_name, h.id
             LIMIT ?",
            parts.join(" UNION ALL ")
        );
        values.push(Value::Text(antenna.to_string()));
        values.push(Value::Integer(i64::from(limit)));
        self.read(|db, _| {
            let mut stmt = db.prepare_cached(&sql)?;
            let rows = stmt.query_map(params_from_iter(values), list_item)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Everything about one household, with the deliveries it received. A household that
    /// others were merged into shows their case entries too.
    pub fn household(&self, household: HouseholdId) -> Result<HouseholdDetail> {
        self.read(|db, docs| {
            let loaded = docs
                .get(db, household.document())?
                .filter(|l| l.header.kind == DocumentKind::Household)
                .ok_or(Error::UnknownHousehold(household))?;
            let note_actors = note_actors(&loaded.doc);
            let mut doc: HouseholdDocument = autosurgeon::hydrate(&loaded.doc)?;
            // What households merged into this one hold and it lacks (entries an offline
            // device added after the merge, or the other side of crossed merges).
            let mut merged =
                db.prepare_cached("SELECT id FROM households WHERE merged_root = ?1")?;
            let ids: Vec<String> = merged
                .query_map([household.to_string()], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in ids.iter().filter_map(|id| id.parse::<HouseholdId>().ok()) {
                if let Some(other) = docs.get(db, id.document())? {
                    let other: HouseholdDocument = autosurgeon::hydrate(&other.doc)?;
                    doc.case.absorb(other.case);
                }
            }
            let deliveries = deliveries_of(db, docs, household)?;
            let keys = match docs.get(db, doc.antenna.document())? {
                Some(antenna) => self_written_keys(&antenna.doc),
                None => Vec::new(),
            };
            let written_by = note_actors
                .into_iter()
                .filter_map(|(note, actor)| {
                    let (member, _) = keys.iter().find(|(_, key)| key.actor() == actor)?;
                    Some((note, member.clone()))
                })
                .collect();
            Ok(HouseholdDetail {
                id: household,
                antenna: doc.antenna,
                profile: doc.profile,
                case: doc.case,
                deliveries,
                written_by,
            })
        })
    }
}

/// Each note of a household document with the actor of the change that created it.
fn note_actors(doc: &automerge::Automerge) -> Vec<(NoteId, automerge::ActorId)> {
    use automerge::{ObjType, ReadDoc, Value as Am, ROOT};
    let Ok(Some((Am::Object(ObjType::Map), case))) = doc.get(ROOT, "case") else {
        return Vec::new();
    };
    let Ok(Some((Am::Object(ObjType::Map), notes))) = doc.get(&case, "notes") else {
        return Vec::new();
    };
    doc.keys(&notes)
        .filter_map(|id| match doc.get(&notes, &id) {
            Ok(Some((_, automerge::ObjId::Id(_, actor, _)))) => Some((NoteId::from(id), actor)),
            _ => None,
        })
        .collect()
}

fn deliveries_of(
    db: &Connection,
    docs: &mut Documents,
    household: HouseholdId,
) -> Result<Vec<DeliveryRecord>> {
    let mut stmt = db.prepare_cached(
        // A household's deliveries include those recorded for households merged into it,
        // before or after the merge (an offline device may record one later).
        "SELECT id, ledger_id FROM deliveries
         WHERE household_id = ?1
            OR household_id IN (SELECT id FROM households WHERE merged_root = ?1)
         ORDER BY delivered_at, id",
    )?;
    let rows: Vec<(String, String)> = stmt
        .query_map([household.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, ledger) in rows {
        let Ok(ledger) = ledger.parse::<LedgerId>() else {
            continue;
        };
        let Some(loaded) = docs.get(db, ledger.document())? else {
            continue;
        };
        let delivery: Option<Delivery> = lookup(&loaded.doc, &["deliveries", &id])?;
        if let Some(delivery) = delivery {
            out.push(DeliveryRecord {
                id: DeliveryId::from(id),
                ledger,
                delivery,
            });
        }
    }
    Ok(out)
}
