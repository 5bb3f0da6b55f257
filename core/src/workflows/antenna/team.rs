//! The antenna's team as a lead manages it: who is in it, with which role and device; changing
//! a member's role; removing a member. An antenna never loses its last lead by a lead's own
//! hand: the last lead can be neither demoted nor removed.
//!
//! Roles and removals are written in the antenna document by a lead's phone, offline too; they
//! take effect on other phones when the change arrives, and the relay (which refuses such a
//! change from anyone but a lead) applies them to the member's device when it stores the
//! change: a promoted volunteer's token becomes a lead's, a removed member's device is revoked.

use automerge::{ObjType, ReadDoc, ROOT};
use autosurgeon::reconcile_prop;

use crate::document::DocumentKind;
use crate::error::{Error, Result};
use crate::ids::{AntennaId, MemberId};
use crate::model::{Member, Role};
use crate::store::access::{map_at, LEADS};
use crate::store::events::StoreEvent;
use crate::store::{DeviceKey, Store};
use crate::time::Timestamp;

/// A member of the antenna, as the team list shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamMember {
    /// Their id (their device's id at the relay).
    pub id: MemberId,
    /// The name other members see.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// When they joined.
    pub joined_at: Timestamp,
    /// Their device's public key, when that device wrote it itself (an entry claiming a key
    /// in a change not made under that key is not believed, and shows none).
    pub device_key: Option<DeviceKey>,
    /// When a lead removed them (`None` while they are in the team).
    pub removed_at: Option<Timestamp>,
    /// Whether this is the member this device acts as.
    pub is_me: bool,
}

impl Store {
    /// The antenna's members: those in the team first (leads, then volunteers, then
    /// observers, each by name), then removed members, most recently removed first.
    pub fn team(&self, antenna: AntennaId) -> Result<Vec<TeamMember>> {
        let me = self
            .memberships()?
            .into_iter()
            .find(|(a, _)| *a == antenna)
            .map(|(_, m)| m);
        let doc = self.antenna(antenna)?;
        let keys = self.read(|db, docs| {
            let loaded = docs
                .get(db, antenna.document())?
                .filter(|l| l.header.kind == DocumentKind::Antenna)
                .ok_or(Error::UnknownAntenna(antenna))?;
            Ok(self_written_keys(&loaded.doc))
        })?;
        let mut team: Vec<TeamMember> = doc
            .members
            .into_iter()
            .map(|(id, member)| TeamMember {
                device_key: keys
                    .iter()
                    .find(|(m, _)| *m == id)
                    .map(|(_, key)| *key)
                    .filter(|key| member.device_key.as_deref() == Some(&key.to_string())),
                is_me: me.as_ref() == Some(&id),
                display_name: member.display_name,
                role: member.role,
                joined_at: member.joined_at,
                removed_at: member.removed_at,
                id,
            })
            .collect();
        let rank = |role: Role| match role {
            Role::Lead => 0,
            Role::Volunteer => 1,
            Role::Observer => 2,
        };
        team.sort_by(|a, b| {
            (a.removed_at.is_some(), std::cmp::Reverse(a.removed_at))
                .cmp(&(b.removed_at.is_some(), std::cmp::Reverse(b.removed_at)))
                .then(rank(a.role).cmp(&rank(b.role)))
                .then_with(|| a.display_name.cmp(&b.display_name))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(team)
    }

    /// Gives a member another role (leads only). Promoting a volunteer to lead or demoting a
    /// lead takes effect on every phone, and at the relay, when the change syncs.
    ///
    /// # Errors
    /// [`Error::NotPermitted`] for volunteers and observers; [`Error::UnknownMember`] for a
    /// member not in the team (or removed); [`Error::LastLead`] when it would leave the antenna
    /// without a lead. Nothing is recorded then.
    pub fn change_role(&self, antenna: AntennaId, member: &MemberId, role: Role) -> Result<()> {
        self.change_member(antenna, member, "change roles", |entry, _| {
            entry.role = role;
        })
    }

    /// Removes a member from the antenna (leads only): from then on their phone may do
    /// nothing in it, and the relay revokes their device when the change syncs, which wipes
    /// the antenna from it. What they recorded stays.
    ///
    /// # Errors
    /// As [`Store::change_role`].
    pub fn remove_member(&self, antenna: AntennaId, member: &MemberId) -> Result<()> {
        self.change_member(antenna, member, "remove members", |entry, now| {
            entry.removed_at = Some(now);
        })
    }

    fn change_member(
        &self,
        antenna: AntennaId,
        member: &MemberId,
        action: &'static str,
        change: impl FnOnce(&mut Member, Timestamp),
    ) -> Result<()> {
        self.batch(|b| {
            b.acting(antenna, action, LEADS)?;
            let mut entry = b
                .member(antenna, member)?
                .filter(|m| m.removed_at.is_none())
                .ok_or_else(|| Error::UnknownMember(member.clone()))?;
            change(&mut entry, b.now);
            let doc = b.antenna(antenna)?;
            let leads_left = doc
                .members
                .iter()
                .filter(|(id, m)| {
                    let m = if *id == member { &entry } else { *m };
                    m.role == Role::Lead && m.removed_at.is_none()
                })
                .count();
            if leads_left == 0 {
                return Err(Error::LastLead);
            }
            b.change(antenna.document(), action, |tx| {
                let members = map_at(tx, &["members"])?;
                reconcile_prop(tx, members, member.as_str(), &entry)?;
                Ok(())
            })?;
            b.events.push(StoreEvent::AntennaChanged(antenna));
            Ok(())
        })
    }
}

/// Each member's `device_key` whose current value was written under that key: the only
/// claims a phone believes, since only the key's holder makes changes under it.
pub(crate) fn self_written_keys(doc: &automerge::Automerge) -> Vec<(MemberId, DeviceKey)> {
    let Ok(Some((automerge::Value::Object(ObjType::Map), members))) = doc.get(ROOT, "members")
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for id in doc.keys(&members) {
        let Ok(Some((automerge::Value::Object(ObjType::Map), entry))) = doc.get(&members, &id)
        else {
            continue;
        };
        let Ok(Some((value, op))) = doc.get(&entry, "device_key") else {
            continue;
        };
        let (Some(text), automerge::ObjId::Id(_, actor, _)) = (value.as_str(), &op) else {
            continue;
        };
        match text.parse::<DeviceKey>() {
            Ok(key) if key.actor() == *actor => out.push((MemberId::from(id), key)),
            _ => {}
        }
    }
    out
}
