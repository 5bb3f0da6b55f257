//! The one household filter in SQL: the conditions on the derived `households` table that the
//! household list and the handover to the municipality both select by, written once so the
//! two can never disagree on what "active", "at least high priority" or "an open need of
//! food" means.

use rusqlite::types::Value;

use crate::ids::{AntennaId, MemberId};
use crate::model::{HouseholdState, NeedCategory, Priority};
use crate::store::projection::{category_bit, priority_rank};
use crate::time::Timestamp;

/// A `WHERE` clause over the `households` table and its bound values, built one condition at
/// a time; every condition narrows the selection, none widens it.
#[derive(Debug)]
pub(crate) struct HouseholdWhere {
    sql: String,
    values: Vec<Value>,
}

impl HouseholdWhere {
    /// Households of `antenna`.
    pub(crate) fn antenna(antenna: AntennaId) -> HouseholdWhere {
        HouseholdWhere {
            sql: String::from("antenna_id = ?"),
            values: vec![Value::Text(antenna.to_string())],
        }
    }

    /// Only households in `state`; `None` means every state but merged (a merged household
    /// lives on in the one it was merged into).
    pub(crate) fn state(mut self, state: Option<HouseholdState>) -> Self {
        match state {
            Some(state) => self.bind(" AND status = ?", Value::Text(state.as_str().to_owned())),
            None => self.sql.push_str(" AND status != 'merged'"),
        }
        self
    }

    /// Only households of at least this priority.
    pub(crate) fn min_priority(mut self, min: Option<Priority>) -> Self {
        if let Some(min) = min {
            self.bind(" AND priority >= ?", Value::Integer(priority_rank(min)));
        }
        self
    }

    /// Only households with an open need of this category.
    pub(crate) fn open_need(mut self, need: Option<NeedCategory>) -> Self {
        if let Some(need) = need {
            self.bind(
                " AND (open_needs & ?) != 0",
                Value::Integer(category_bit(need)),
            );
        }
        self
    }

    /// Only households followed by this member.
    pub(crate) fn assigned_to(mut self, member: Option<&MemberId>) -> Self {
        if let Some(member) = member {
            self.bind(
                " AND assigned_to = ?",
                Value::Text(member.as_str().to_owned()),
            );
        }
        self
    }

    /// Only households registered at or after this time.
    pub(crate) fn registered_since(mut self, since: Option<Timestamp>) -> Self {
        if let Some(since) = since {
            self.bind(" AND registered_at >= ?", Value::Integer(since.millis()));
        }
        self
    }

    /// Only households whose document is on this device and that are not merged into
    /// another, whatever their status says (what may be opened and handed over).
    pub(crate) fn with_document_unmerged(mut self) -> Self {
        self.sql
            .push_str(" AND has_document = 1 AND merged_root IS NULL");
        self
    }

    /// The clause (without `WHERE`) and its values, in the order of its `?`s.
    pub(crate) fn finish(self) -> (String, Vec<Value>) {
        (self.sql, self.values)
    }

    fn bind(&mut self, condition: &str, value: Value) {
        self.sql.push_str(condition);
        self.values.push(value);
    }
}
