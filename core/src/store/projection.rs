//! The derived tables: what documents say, laid out for fast lists, search, balances and
//! volunteers' task lists.
//!
//! Each function replaces the rows of one document (or one record) with what the document
//! says now, so it is correct after a local action and after any merge alike.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::ids::MemberId;
use crate::ids::{AntennaId, DeliveryId, DonationId, HouseholdId, LedgerId};
use crate::model::resolve_merges;
use crate::model::{
    AntennaDocument, Delivery, Donation, Gift, HouseholdDocument, HouseholdState, HouseholdStatus,
    HouseholdSummary, NeedCategory, Priority,
};
use crate::search;
use crate::time::Timestamp;
use crate::Result;

/// The antenna-index summary of a household: what every member may see without its document.
pub(crate) fn summary(doc: &HouseholdDocument) -> HouseholdSummary {
    HouseholdSummary {
        status: doc.profile.status.state(),
        priority: doc.case.priority,
        size: doc.profile.members.len() as u32,
        open_needs: doc.case.open_need_categories(),
        assigned_to: doc.case.assigned_to.clone(),
        registered_at: doc.profile.registered_at,
    }
}

/// A summary read back from the `households` table, columns `status, priority, size,
/// open_needs, assigned_to, registered_at` starting at column `first`.
pub(crate) fn summary_from_row(
    row: &rusqlite::Row<'_>,
    first: usize,
) -> rusqlite::Result<HouseholdSummary> {
    let status: String = row.get(first)?;
    let mask: i64 = row.get(first + 3)?;
    let assigned: Option<String> = row.get(first + 4)?;
    Ok(HouseholdSummary {
        status: HouseholdState::parse(&status).unwrap_or(HouseholdState::Active),
        priority: Priority::ALL
            .get(row.get::<_, i64>(first + 1)? as usize)
            .copied()
            .unwrap_or(Priority::Normal),
        size: row.get(first + 2)?,
        open_needs: categories(mask),
        assigned_to: assigned.map(MemberId::from),
        registered_at: Timestamp(row.get(first + 5)?),
    })
}

/// The categories of a [`need_mask`].
pub(crate) fn categories(mask: i64) -> Vec<NeedCategory> {
    NeedCategory::ALL
        .iter()
        .copied()
        .filter(|c| mask & category_bit(*c) != 0)
        .collect()
}

/// Need categories as a bit set, for filtering in SQL.
pub(crate) fn need_mask(categories: &[NeedCategory]) -> i64 {
    categories.iter().fold(0, |mask, c| mask | category_bit(*c))
}

/// The bit of one need category in [`need_mask`].
pub(crate) fn category_bit(category: NeedCategory) -> i64 {
    let index = NeedCategory::ALL
        .iter()
        .position(|c| *c == category)
        .expect("ALL lists every category");
    1 << index
}

/// Priorities as sortable numbers.
pub(crate) fn priority_rank(priority: Priority) -> i64 {
    Priority::ALL
        .iter()
        .position(|p| *p == priority)
        .expect("ALL lists every priority") as i64
}

/// Replaces a household's row and search terms from its document.
pub(crate) fn household(
    db: &Connection,
    id: HouseholdId,
    doc: &HouseholdDocument,
) -> Result<HouseholdSummary> {
    let summary = summary(doc);
    let key = id.to_string();
    let was_merged: Option<String> = db
        .prepare_cached("SELECT merged_into FROM households WHERE id = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?
        .flatten();
    let head = doc.profile.head().map(|p| p.name.clone());
    let phone = doc.profile.phone.as_deref().map(search::phone_digits);
    db.prepare_cached(
        "INSERT INTO households (id, antenna_id, status, priority, size, open_needs, assigned_to,
                                 registered_at, head_name, sort_name, phone_digits, has_document,
                                 open_grievances, address, merged_into, after_shock,
                                 open_referrals, delivery_code)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, ?12, ?13, ?14, ?15, ?16, ?17)
         ON CONFLICT (id) DO UPDATE SET
             status = ?3, priority = ?4, size = ?5, open_needs = ?6, assigned_to = ?7,
             registered_at = ?8, head_name = ?9, sort_name = ?10, phone_digits = ?11,
             has_document = 1, open_grievances = ?12, address = ?13, merged_into = ?14,
             after_shock = ?15, open_referrals = ?16, delivery_code = ?17",
    )?
    .execute(params![
        key,
        doc.antenna.to_string(),
        summary.status.as_str(),
        priority_rank(summary.priority),
        summary.size,
        need_mask(&summary.open_needs),
        summary.assigned_to.as_ref().map(|m| m.as_str()),
        summary.registered_at.millis(),
        head,
        head.as_deref().map(search::fold),
        phone,
        doc.case.open_grievances(),
        doc.profile.address.text,
        match &doc.profile.status {
            HouseholdStatus::MergedInto(into) => Some(into.to_string()),
            _ => None,
        },
        doc.profile.shock.is_some(),
        doc.case.open_referrals(),
        doc.profile.delivery_code,
    ])?;
    // Only a household merged now or before can change how merges settle.
    if was_merged.is_some() || matches!(doc.profile.status, HouseholdStatus::MergedInto(_)) {
        merges(db, doc.antenna)?;
    }
    db.prepare_cached("DELETE FROM search_terms WHERE household_id = ?1")?
        .execute([&key])?;
    let mut insert = db.prepare_cached(
        "INSERT OR IGNORE INTO search_terms (term, household_id) VALUES (?1, ?2)",
    )?;
    for person in doc.profile.members.values() {
        for term in search::name_terms(&person.name) {
            insert.execute(params![term, key])?;
        }
    }
    tasks(db, id, doc)?;
    Ok(summary)
}

/// Replaces a household's rows in `tasks` from its document.
fn tasks(db: &Connection, id: HouseholdId, doc: &HouseholdDocument) -> Result<()> {
    let key = id.to_string();
    db.prepare_cached("DELETE FROM tasks WHERE household_id = ?1")?
        .execute([&key])?;
    let mut insert = db.prepare_cached(
        "INSERT INTO tasks (household_id, id, antenna_id, kind, assigned_to, status, due, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let antenna = doc.antenna.to_string();
    for (task_id, task) in &doc.case.tasks {
        insert.execute(params![
            key,
            task_id.as_str(),
            antenna,
            task.kind.as_str(),
            task.assigned_to.as_str(),
            task.status.as_str(),
            task.due.millis(),
            task.note,
        ])?;
    }
    Ok(())
}

/// Settles which household each merged household of the antenna now lives in
/// ([`resolve_merges`]): `merged_root` for the merged, and a crossed merge's
/// survivor listed as active again.
pub(crate) fn merges(db: &Connection, antenna: AntennaId) -> Result<()> {
    let mut marks = BTreeMap::new();
    let mut stmt = db.prepare_cached(
        "SELECT id, merged_into, registered_at FROM households
         WHERE antenna_id = ?1 AND merged_into IS NOT NULL",
    )?;
    let rows = stmt.query_map([antenna.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (id, into, at) = row?;
        if let (Ok(id), Ok(into)) = (id.parse::<HouseholdId>(), into.parse::<HouseholdId>()) {
            marks.insert(id, (Some(into), at));
        }
    }
    let resolved = resolve_merges(&marks);
    let mut update = db.prepare_cached(
        "UPDATE households SET merged_root = ?2,
             status = CASE WHEN ?2 IS NULL THEN 'active' ELSE 'merged' END
         WHERE id = ?1",
    )?;
    for id in marks.keys() {
        let root = resolved.get(id).map(|r| r.to_string());
        update.execute(params![id.to_string(), root])?;
    }
    Ok(())
}

/// Fills in a household known only from the antenna's index (its document is not here yet).
pub(crate) fn index_entry(
    db: &Connection,
    antenna: AntennaId,
    id: &str,
    entry: &HouseholdSummary,
) -> Result<()> {
    db.prepare_cached(
        "INSERT INTO households (id, antenna_id, status, priority, size, open_needs, assigned_to,
                                 registered_at, has_document)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)
         ON CONFLICT (id) DO UPDATE SET
             status = ?3, priority = ?4, size = ?5, open_needs = ?6, assigned_to = ?7,
             registered_at = ?8
         WHERE has_document = 0",
    )?
    .execute(params![
        id,
        antenna.to_string(),
        entry.status.as_str(),
        priority_rank(entry.priority),
        entry.size,
        need_mask(&entry.open_needs),
        entry.assigned_to.as_ref().map(|m| m.as_str()),
        entry.registered_at.millis(),
    ])?;
    Ok(())
}

/// Refreshes every index entry of the antenna document.
pub(crate) fn antenna(db: &Connection, id: AntennaId, doc: &AntennaDocument) -> Result<()> {
    for (household, entry) in &doc.households {
        index_entry(db, id, household, entry)?;
    }
    Ok(())
}

/// Replaces one donation's row.
pub(crate) fn donation(
    db: &Connection,
    antenna: AntennaId,
    ledger: LedgerId,
    id: &DonationId,
    donation: &Donation,
) -> Result<()> {
    let item = match &donation.gift {
        Gift::Goods { item, .. } => Some(item.as_str()),
        Gift::Service { kind, .. } => Some(kind.as_str()),
        Gift::Money { .. } => None,
    };
    db.prepare_cached(
        "INSERT OR REPLACE INTO donations
             (id, antenna_id, ledger_id, kind, unit, item, amount, status, restricted_to,
              recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        id.as_str(),
        antenna.to_string(),
        ledger.to_string(),
        donation.gift.kind(),
        donation.gift.unit(),
        item,
        donation.gift.amount() as i64,
        donation.status.as_str(),
        donation.restricted_to.map(|c| c.as_str()),
        donation.recorded_at.millis(),
    ])?;
    Ok(())
}

/// Replaces one delivery's row and its allocations.
pub(crate) fn delivery(
    db: &Connection,
    antenna: AntennaId,
    ledger: LedgerId,
    id: &DeliveryId,
    delivery: &Delivery,
) -> Result<()> {
    db.prepare_cached(
        "INSERT OR REPLACE INTO deliveries
             (id, antenna_id, ledger_id, household_id, category, delivered_at, acknowledged)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id.as_str(),
        antenna.to_string(),
        ledger.to_string(),
        delivery.household.to_string(),
        delivery.category.as_str(),
        delivery.delivered_at.millis(),
        delivery.acknowledged.is_some(),
    ])?;
    db.prepare_cached("DELETE FROM allocations WHERE delivery_id = ?1")?
        .execute([id.as_str()])?;
    let mut insert = db.prepare_cached(
        "INSERT INTO allocations (delivery_id, donation_id, household_id, amount)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let household = delivery.household.to_string();
    for (donation, amount) in &delivery.funding {
        insert.execute(params![
            id.as_str(),
            donation.as_str(),
            household,
            *amount as i64
        ])?;
    }
    Ok(())
}

/// Replaces every row of a ledger document.
pub(crate) fn ledger(
    db: &Connection,
    antenna: AntennaId,
    id: LedgerId,
    doc: &crate::model::LedgerDocument,
) -> Result<()> {
    for (donation_id, d) in &doc.donations {
        donation(db, antenna, id, donation_id, d)?;
    }
    for (delivery_id, d) in &doc.deliveries {
        delivery(db, antenna, id, delivery_id, d)?;
    }
    Ok(())
}
