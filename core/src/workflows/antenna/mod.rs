//! An antenna and its team: founding one on this device, joining one, adding members, and
//! the antenna as this device sees it; and the team a lead manages (`team`).

mod team;

use autosurgeon::reconcile_prop;
use rusqlite::params;
pub(crate) use team::self_written_keys;
pub use team::TeamMember;

use crate::document::{write_antenna_profile, DocumentHeader, DocumentKind};
use crate::error::Result;
use crate::ids::{AntennaId, MemberId};
use crate::model::{validate, AntennaDocument, Member, Role};
use crate::store::access::{map_at, LEADS};
use crate::store::events::StoreEvent;
use crate::store::Store;

/// What it takes to start an antenna.
#[derive(Clone, Debug)]
pub struct NewAntenna {
    /// Its name ("La Marsa – Cité Erriadh").
    pub name: String,
    /// Where it works.
    pub locality: String,
    /// The display name of the lead creating it on this device.
    pub lead_name: String,
}

impl Store {
    /// Creates an antenna on this device, with this device acting as its first lead.
    ///
    /// # Errors
    /// [`crate::Error::Invalid`] if the name, locality or lead's name is empty or too long.
    pub fn create_antenna(&self, new: NewAntenna) -> Result<(AntennaId, MemberId)> {
        let name = validate::name("name", &new.name)?;
        let locality = validate::text("locality", &new.locality, validate::MAX_NAME)?;
        let lead_name = validate::name("lead_name", &new.lead_name)?;
        let id = AntennaId::random();
        let lead = MemberId::random();
        let key = self.device_key().to_string();
        self.batch(|b| {
            let now = b.now;
            let header = DocumentHeader {
                kind: DocumentKind::Antenna,
                antenna: id,
            };
            b.create(id.document(), header, "create antenna", |tx| {
                write_antenna_profile(tx, &name, &locality, now)?;
                let members = map_at(tx, &["members"])?;
                let member = Member {
                    display_name: lead_name.clone(),
                    role: Role::Lead,
                    joined_at: now,
                    device_key: Some(key.clone()),
                    removed_at: None,
                };
                reconcile_prop(&mut *tx, members, lead.as_str(), &member)?;
                Ok(())
            })?;
            b.sql.execute(
                "INSERT INTO memberships (antenna_id, member_id) VALUES (?1, ?2)",
                params![id.to_string(), lead.as_str()],
            )?;
            b.events.push(StoreEvent::AntennaChanged(id));
            Ok((id, lead))
        })
    }

    /// Records that this device acts as `member` in `antenna` (after joining it). The
    /// antenna document may arrive later; until it does, actions are refused.
    pub fn join_antenna(&self, antenna: AntennaId, member: &MemberId) -> Result<()> {
        self.batch(|b| {
            b.sql.execute(
                "INSERT INTO memberships (antenna_id, member_id) VALUES (?1, ?2)
                 ON CONFLICT (antenna_id) DO UPDATE SET member_id = ?2",
                params![antenna.to_string(), member.as_str()],
            )?;
            Ok(())
        })
    }

    /// Adds a member to the antenna (leads only). Returns the new member's id, which their
    /// device uses to join.
    pub fn add_member(
        &self,
        antenna: AntennaId,
        display_name: &str,
        role: Role,
    ) -> Result<MemberId> {
        let display_name = validate::name("display_name", display_name)?;
        let id = MemberId::random();
        self.batch(|b| {
            b.acting(antenna, "add members", LEADS)?;
            let now = b.now;
            b.change(antenna.document(), "add member", |tx| {
                let members = map_at(tx, &["members"])?;
                let member = Member {
                    display_name,
                    role,
                    joined_at: now,
                    device_key: None,
                    removed_at: None,
                };
                reconcile_prop(tx, members, id.as_str(), &member)?;
                Ok(())
            })?;
            b.events.push(StoreEvent::AntennaChanged(antenna));
            Ok(id.clone())
        })
    }

    /// The antenna document as it is on this device.
    pub fn antenna(&self, antenna: AntennaId) -> Result<AntennaDocument> {
        self.read(|db, docs| {
            let loaded = docs
                .get(db, antenna.document())?
                .filter(|l| l.header.kind == DocumentKind::Antenna)
                .ok_or(crate::Error::UnknownAntenna(antenna))?;
            Ok(autosurgeon::hydrate(&loaded.doc)?)
        })
    }

    /// The antennas this device is a member of, with the member id it acts as.
    pub fn memberships(&self) -> Result<Vec<(AntennaId, MemberId)>> {
        self.read(|db, _| {
            let mut stmt = db.prepare("SELECT antenna_id, member_id FROM memberships")?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (antenna, member) = row?;
                if let Ok(antenna) = antenna.parse() {
                    out.push((antenna, MemberId::from(member)));
                }
            }
            Ok(out)
        })
    }
}
