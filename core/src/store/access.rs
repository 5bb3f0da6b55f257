//! Who is acting, and what they may do; typed reads of documents inside an action.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT};
use rusqlite::OptionalExtension;

use super::documents::Batch;
use crate::document::{lookup, DocumentKind};
use crate::error::{Error, Result};
use crate::ids::{AntennaId, HouseholdId, MemberId, ProviderId};
use crate::model::{AntennaDocument, HouseholdDocument, Member, Provider, Role};

/// Roles that may record households, needs, notes, donations and deliveries.
pub(crate) const FIELD_WORK: &[Role] = &[Role::Lead, Role::Volunteer];
/// Roles that may manage the antenna itself.
pub(crate) const LEADS: &[Role] = &[Role::Lead];

impl Batch<'_> {
    /// The member this device acts as in `antenna`, checked to have one of `allowed` roles.
    pub(crate) fn acting(
        &mut self,
        antenna: AntennaId,
        action: &'static str,
        allowed: &[Role],
    ) -> Result<MemberId> {
        let member: MemberId = self
            .sql
            .query_row(
                "SELECT member_id FROM memberships WHERE antenna_id = ?1",
                [antenna.to_string()],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(MemberId::from)
            .ok_or(Error::NotAMember(antenna))?;
        let role = self
            .member(antenna, &member)?
            .filter(|m| m.removed_at.is_none())
            .ok_or(Error::NotAMember(antenna))?
            .role;
        if allowed.contains(&role) {
            Ok(member)
        } else {
            Err(Error::NotPermitted { role, action })
        }
    }

    /// A member of the antenna, without reading the whole antenna document.
    pub(crate) fn member(
        &mut self,
        antenna: AntennaId,
        member: &MemberId,
    ) -> Result<Option<Member>> {
        self.antenna_entry(antenna, &["members", member.as_str()])
    }

    /// A provider of the antenna's directory.
    pub(crate) fn provider(
        &mut self,
        antenna: AntennaId,
        provider: &ProviderId,
    ) -> Result<Option<Provider>> {
        self.antenna_entry(antenna, &["providers", provider.as_str()])
    }

    fn antenna_entry<T: autosurgeon::Hydrate>(
        &mut self,
        antenna: AntennaId,
        path: &[&str],
    ) -> Result<Option<T>> {
        let doc = self
            .doc(antenna.document(), DocumentKind::Antenna)?
            .ok_or(Error::UnknownAntenna(antenna))?;
        lookup(doc, path)
    }

    /// The whole antenna document.
    pub(crate) fn antenna(&mut self, antenna: AntennaId) -> Result<AntennaDocument> {
        let doc = self
            .doc(antenna.document(), DocumentKind::Antenna)?
            .ok_or(Error::UnknownAntenna(antenna))?;
        Ok(autosurgeon::hydrate(doc)?)
    }

    /// The whole household document.
    pub(crate) fn household(&mut self, household: HouseholdId) -> Result<HouseholdDocument> {
        let doc = self
            .doc(household.document(), DocumentKind::Household)?
            .ok_or(Error::UnknownHousehold(household))?;
        Ok(autosurgeon::hydrate(doc)?)
    }

    /// The antenna a household belongs to.
    pub(crate) fn antenna_of(&mut self, household: HouseholdId) -> Result<AntennaId> {
        match self.header(household.document())? {
            Some(h) if h.kind == DocumentKind::Household => Ok(h.antenna),
            _ => Err(Error::UnknownHousehold(household)),
        }
    }
}

/// The map at `path` from the root, created if missing (a document written by an older
/// version may lack a map added later).
pub(crate) fn map_at<T: Transactable>(tx: &mut T, path: &[&str]) -> Result<ObjId> {
    let mut obj = ROOT;
    for key in path {
        obj = match tx.get(&obj, *key)? {
            Some((automerge::Value::Object(ObjType::Map), id)) => id,
            _ => tx.put_object(&obj, *key, ObjType::Map)?,
        };
    }
    Ok(obj)
}

/// The map of an existing record in a keyed collection, or [`Error::UnknownRecord`].
pub(crate) fn existing<T: Transactable>(
    tx: &mut T,
    path: &[&str],
    key: &str,
    kind: &'static str,
) -> Result<ObjId> {
    let parent = map_at(tx, path)?;
    match tx.get(&parent, key)? {
        Some((automerge::Value::Object(ObjType::Map), obj)) => Ok(obj),
        _ => Err(Error::UnknownRecord {
            kind,
            id: key.to_owned(),
        }),
    }
}
