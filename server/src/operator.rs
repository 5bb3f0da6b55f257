//! What the relay's operator does from the command line, beside serving: list antennas and
//! their devices, revoke a device, and make an invite, including the recovery path for an
//! antenna whose only lead lost their phone (`invite create --role lead`). Each answers JSON
//! lines an operator can read or script; none prints a token, and invite codes are printed
//! once, to the operator who asked.

use std::path::Path;

use jiran_core::{AntennaId, Role};
use serde_json::{json, Value};

use crate::auth;
use crate::config::Limits;
use crate::error::{Error, Result};
use crate::storage::{NewInvite, SqliteStorage, Storage};

/// Every antenna of the relay: id, name, devices (and how many are revoked), documents.
pub fn antennas(data: &Path) -> Result<Vec<Value>> {
    let storage = SqliteStorage::open(data)?;
    let mut out = Vec::new();
    for (antenna, name) in storage.antennas()? {
        let devices = storage.devices(&antenna)?;
        out.push(json!({
            "antenna_id": antenna.to_string(),
            "name": name,
            "devices": devices.len(),
            "revoked_devices": devices.iter().filter(|d| d.revoked).count(),
            "documents": storage.count_documents(&antenna)?,
        }));
    }
    Ok(out)
}

/// The devices of an antenna: id, name, role, whether revoked, and the public key each
/// registered when it joined.
pub fn devices(data: &Path, antenna: &str) -> Result<Vec<Value>> {
    let storage = SqliteStorage::open(data)?;
    let antenna = known_antenna(&storage, antenna)?;
    Ok(storage
        .devices(&antenna)?
        .into_iter()
        .map(|d| {
            json!({
                "device_id": d.id,
                "name": d.name,
                "role": d.role.as_str(),
                "revoked": d.revoked,
                "device_key": d.key.map(|k| k.to_string()),
            })
        })
        .collect())
}

/// Revokes a device: its token is refused from its next connection on, and its phone wipes
/// the antenna when it next reaches the relay. A relay serving now keeps a connection the
/// device already has open until it ends; a lead's revocation through the API closes it at
/// once.
pub fn revoke(data: &Path, device_id: &str) -> Result<Value> {
    let storage = SqliteStorage::open(data)?;
    let device = storage
        .device(device_id)?
        .ok_or_else(|| Error::Config(format!("no device {device_id} on this relay")))?;
    storage.revoke_device(&device.antenna, &device.id)?;
    let leads_left = storage
        .devices(&device.antenna)?
        .iter()
        .filter(|d| d.role == Role::Lead && !d.revoked)
        .count();
    tracing::info!(device = %device.id, antenna = %device.antenna, "device revoked by the operator");
    Ok(json!({
        "device_id": device.id,
        "antenna_id": device.antenna.to_string(),
        "revoked": true,
        "leads_left": leads_left,
    }))
}

/// Makes an invite to `antenna` with `role` for `uses` devices, valid `hours`. With
/// `role = lead` this is how an antenna whose only lead lost their phone gets one again; the
/// log records that an invite was made (antenna, role), never its code.
pub fn invite(data: &Path, antenna: &str, role: &str, uses: u32, hours: u32) -> Result<Value> {
    let role = Role::parse(role)
        .ok_or_else(|| Error::Config("role must be lead, volunteer or observer".into()))?;
    if !(1..=1000).contains(&uses) {
        return Err(Error::Config("uses must be between 1 and 1000".into()));
    }
    if !(1..=24 * 90).contains(&hours) {
        return Err(Error::Config(
            "hours must be between 1 and 2160 (90 days)".into(),
        ));
    }
    let storage = SqliteStorage::open(data)?;
    let antenna = known_antenna(&storage, antenna)?;
    let code = auth::new_invite_code();
    let expires_at = now() + i64::from(hours) * 3600;
    storage.create_invite(
        &auth::hash(&code),
        &NewInvite {
            antenna,
            role,
            uses,
            expires_at,
        },
    )?;
    tracing::info!(%antenna, role = role.as_str(), uses, "invite made by the operator");
    Ok(json!({
        "antenna_id": antenna.to_string(),
        "role": role.as_str(),
        "uses": uses,
        "expires_at": expires_at,
        "invite_code": code,
    }))
}

/// The default validity of an operator's invite, in hours (the relay's `invite_days`).
pub fn default_invite_hours() -> u32 {
    Limits::default().invite_days * 24
}

fn known_antenna(storage: &SqliteStorage, antenna: &str) -> Result<AntennaId> {
    let unknown = || Error::Config(format!("no antenna {antenna} on this relay"));
    let id: AntennaId = antenna.trim().parse().map_err(|_| unknown())?;
    if storage.antenna_exists(&id)? {
        Ok(id)
    } else {
        Err(unknown())
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
