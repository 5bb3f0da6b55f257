//! Joining an antenna on a relay with an invite code (`POST /v1/join`).

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::{validate, Role};
use crate::store::{RelayLink, Store};

/// How long joining may take before the volunteer is told the relay is unreachable.
const JOIN_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
struct Joined {
    device_id: String,
    device_token: String,
    antenna_id: String,
    role: String,
}

/// Joins an antenna through the relay at `relay_url` (`http://host:port` or `https://...`)
/// with an invite code, and records the link in the store. Blocking: call it off the UI
/// thread. The antenna's documents arrive with the first sync.
///
/// # Errors
/// [`Error::Invalid`] for an empty name, [`Error::InviteRefused`] for an unknown, used or
/// expired code, [`Error::RelayUnreachable`] when the relay cannot be reached, and
/// [`Error::RelayAnswer`] when it answers something unexpected. Nothing is recorded then.
pub fn join(
    store: &Store,
    relay_url: &str,
    invite_code: &str,
    device_name: &str,
    display_name: &str,
) -> Result<RelayLink> {
    let device_name = validate::name("device_name", device_name)?;
    let display_name = validate::name("display_name", display_name)?;
    let base = relay_url.trim().trim_end_matches('/').to_owned();
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(Error::invalid(
            "relay_url",
            "must start with http:// or https://",
        ));
    }
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(JOIN_TIMEOUT))
        .build()
        .new_agent();
    let mut response = agent
        .post(&format!("{base}/v1/join"))
        .send_json(serde_json::json!({
            "invite_code": invite_code.trim(),
            "device_name": device_name,
        }))
        .map_err(|e| Error::RelayUnreachable(e.to_string()))?;
    match response.status().as_u16() {
        200 => {}
        403 => return Err(Error::InviteRefused),
        status => return Err(Error::RelayAnswer(format!("HTTP {status} to join"))),
    }
    let joined: Joined = response
        .body_mut()
        .read_json()
        .map_err(|_| Error::RelayAnswer("an unreadable answer to join".into()))?;
    let (Ok(antenna), Some(role)) = (joined.antenna_id.parse(), Role::parse(&joined.role)) else {
        return Err(Error::RelayAnswer("an unreadable answer to join".into()));
    };
    let link = RelayLink {
        antenna,
        relay_url: base,
        device_id: joined.device_id,
        token: joined.device_token,
        role,
        display_name,
        feed_cursor: 0,
        last_synced_at: None,
    };
    store.link_antenna(&link)?;
    Ok(link)
}

/// The websocket URL of a relay's sync endpoint.
pub(crate) fn sync_url(relay_url: &str) -> String {
    let base = relay_url.trim_end_matches('/');
    let ws = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_owned()
    };
    format!("{ws}/v1/sync")
}
