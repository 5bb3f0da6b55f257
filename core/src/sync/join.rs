//! The relay's HTTP API as a device uses it: joining an antenna with an invite code
//! (`POST /v1/join`) and, for leads, inviting others (`POST /v1/antennas/{id}/invites`).

use crate::input_problem::InputProblem;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::ids::AntennaId;
use crate::model::{validate, Role};
use crate::replication::RelayLink;
use crate::store::Store;

/// How long joining may take before the volunteer is told the relay is unreachable.
const JOIN_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
struct Joined {
    device_id: String,
    device_token: String,
    antenna_id: String,
    role: String,
    /// The antenna document as the relay stores it (base64); older relays do not send it.
    #[serde(default)]
    antenna_document: Option<String>,
}

/// Joins an antenna through the relay at `relay_url` (`http://host:port` or `https://...`)
/// with an invite code, and records the link in the store. Blocking: call it off the UI
/// thread. When it returns, the antenna document and this device's own enrolment in it are
/// on disk (from a relay that sends the document with the join, as `jiran-relay` does), so
/// the device can register households with no connection at all; the antenna's households
/// arrive with the first sync.
///
/// The relay registers this device's public key ([`Store::device_key`]) with it: from then on
/// the relay accepts a change under that key's actor id from this device only.
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
        return Err(Error::invalid("relay_url", InputProblem::NotARelayAddress));
    }
    let mut response = agent()
        .post(&format!("{base}/v1/join"))
        .send_json(serde_json::json!({
            "invite_code": invite_code.trim(),
            "device_name": device_name,
            "device_key": store.device_key().to_string(),
            "device_key_proof": store.join_proof(invite_code),
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
    store.replication().link_antenna(&link)?;
    // With the antenna document and this device's enrolment on disk, the device works
    // offline from now on. The document goes through the same checks as any merge; if the
    // relay's copy is unreadable the join still stands (the invite is spent) and the first
    // sync brings the document instead.
    if let Some(text) = joined.antenna_document {
        let replication = store.replication();
        let imported = BASE64
            .decode(text)
            .map_err(|_| Error::RelayAnswer("an antenna document that is not base64".into()))
            .and_then(|bytes| replication.import(antenna.document(), &bytes));
        match imported {
            Ok(_) => {
                replication.enrol(antenna)?;
            }
            Err(error) => {
                tracing::warn!(%error, "the antenna document sent with the join was refused");
            }
        }
    }
    Ok(link)
}

/// An invite a lead made for someone to join their antenna.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invite {
    /// The code to type or scan (shown as a QR code); give it only to the person invited.
    pub code: String,
    /// The role it grants.
    pub role: Role,
    /// How many devices may join with it.
    pub uses: u32,
    /// How long it stays valid.
    pub expires_in_hours: u32,
}

#[derive(Deserialize)]
struct Invited {
    invite_code: String,
}

/// Asks the relay for an invite to `antenna` with `role`, usable `uses` times for
/// `expires_in_hours` hours, with this device's lead token. Blocking: call it off the UI
/// thread. Nothing is recorded on the device; the relay keeps only the code's hash.
///
/// # Errors
/// [`Error::NotAMember`] if this device has not joined the antenna through a relay,
/// [`Error::NotPermitted`] unless it joined as a lead, [`Error::Invalid`] for `uses` outside
/// 1..=1000 or a validity outside 1..=2160 hours (90 days), [`Error::TokenRefused`] when the
/// relay no longer knows the device, [`Error::RelayUnreachable`] and [`Error::RelayAnswer`].
pub fn invite(
    store: &Store,
    antenna: AntennaId,
    role: Role,
    uses: u32,
    expires_in_hours: u32,
) -> Result<Invite> {
    let link = lead_link(store, antenna, "invite people")?;
    if !(1..=1000).contains(&uses) {
        return Err(Error::invalid(
            "uses",
            InputProblem::OutOfRange { min: 1, max: 1000 },
        ));
    }
    if !(1..=24 * 90).contains(&expires_in_hours) {
        return Err(Error::invalid(
            "expires_in_hours",
            InputProblem::OutOfRange { min: 1, max: 2160 },
        ));
    }
    let mut response = agent()
        .post(&format!("{}/v1/antennas/{antenna}/invites", link.relay_url))
        .header("Authorization", &format!("Bearer {}", link.token))
        .send_json(serde_json::json!({
            "role": role.as_str(),
            "uses": uses,
            "expires_in_hours": expires_in_hours,
        }))
        .map_err(|e| Error::RelayUnreachable(e.to_string()))?;
    match response.status().as_u16() {
        200 => {}
        401 => return Err(Error::TokenRefused),
        403 => {
            return Err(Error::NotPermitted {
                role: link.role,
                action: "invite people (the relay refused)",
            })
        }
        status => return Err(Error::RelayAnswer(format!("HTTP {status} to invite"))),
    }
    let invited: Invited = response
        .body_mut()
        .read_json()
        .map_err(|_| Error::RelayAnswer("an unreadable answer to invite".into()))?;
    Ok(Invite {
        code: invited.invite_code,
        role,
        uses,
        expires_in_hours,
    })
}

/// This device's link to the antenna's relay, checked to be a lead's: the relay's lead-only
/// calls need its token. `action` names what was tried, for the error.
pub(crate) fn lead_link(
    store: &Store,
    antenna: AntennaId,
    action: &'static str,
) -> Result<RelayLink> {
    let link = store
        .relay_link(antenna)?
        .ok_or(Error::NotAMember(antenna))?;
    if link.role != Role::Lead {
        return Err(Error::NotPermitted {
            role: link.role,
            action,
        });
    }
    Ok(link)
}

/// An HTTP client that reports statuses instead of failing on them, and gives up after
/// [`JOIN_TIMEOUT`].
pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(JOIN_TIMEOUT))
        .build()
        .new_agent()
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
