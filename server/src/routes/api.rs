//! The JSON API: joining with an invite, invites and device management for leads.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use jiran_core::workflows::other_antennas::is_blinded_hash;
use jiran_core::{AntennaId, DeviceKey, Role};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::storage::{Device, NewInvite};
use crate::{AppState, ClientAddress};

/// A JSON request body whose refusals are the API's own errors: a JSON `{"error"}` with a
/// fixed sentence. (axum's own refusals are plain text quoting the parser, and so whatever
/// the client sent: a field of the wrong type holding a name or a phone number came back in
/// the error, and reached any log that records answers.)
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(body_refused(&rejection)),
        }
    }
}

/// The API error for a refused body: its status as axum judges it, a fixed message.
fn body_refused(rejection: &JsonRejection) -> ApiError {
    let message = match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON, with Content-Type: application/json"
        }
        JsonRejection::JsonSyntaxError(_) => "the body is not valid JSON",
        JsonRejection::JsonDataError(_) => {
            "the JSON body lacks a field, or a field has the wrong type"
        }
        _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => "the body is too large",
        _ => "the body could not be read",
    };
    ApiError {
        status: rejection.status(),
        message,
        retry_after: None,
    }
}

/// `POST /v1/join` body.
#[derive(Debug, Deserialize)]
pub struct JoinRequest {
    /// The invite code, as typed or scanned.
    pub invite_code: String,
    /// A name for the device ("Sami's phone").
    pub device_name: String,
    /// The device's public key (base58), which the relay registers: from then on it accepts
    /// changes under that key's actor id from this device only. Clients without one (the stock
    /// JS client) own the actor ids they are the first to write with.
    pub device_key: Option<String>,
    /// Proof that the device holds the key: its signature of the invite code and the key (see
    /// `jiran_core::DeviceKey::verifies_join`). Required with `device_key`.
    pub device_key_proof: Option<String>,
}

/// `POST /v1/antennas/{id}/invites` body.
#[derive(Debug, Deserialize)]
pub struct InviteRequest {
    /// `lead`, `volunteer` or `observer`.
    pub role: String,
    /// How many devices may use it (default 1).
    pub uses: Option<u32>,
    /// Hours it stays valid (default: the relay's `invite_days`).
    pub expires_in_hours: Option<u32>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Registers a device with an invite code; returns its token, shown only this once.
pub async fn join(
    State(app): State<AppState>,
    Extension(ClientAddress(address)): Extension<ClientAddress>,
    Body(request): Body<JoinRequest>,
) -> Result<Json<Value>, ApiError> {
    if let Err(wait) = app.throttles.join(address) {
        Metrics::inc(&app.metrics.rate_limited);
        return Err(ApiError::too_many(
            "too many join attempts from this address; wait and try again",
            wait,
        ));
    }
    let name = request.device_name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "device_name must be 1 to 100 characters on one line",
        ));
    }
    let key = match (&request.device_key, &request.device_key_proof) {
        (None, None) => None,
        (Some(key), Some(proof)) => {
            let key: DeviceKey = key
                .parse()
                .map_err(|_| ApiError::bad_request("device_key is not an Ed25519 public key"))?;
            if !key.verifies_join(&request.invite_code, proof) {
                app.throttles.join_failed(address);
                Metrics::inc(&app.metrics.auth_failures);
                return Err(ApiError::bad_request(
                    "device_key_proof does not prove this device holds device_key",
                ));
            }
            Some(key)
        }
        _ => {
            return Err(ApiError::bad_request(
                "device_key and device_key_proof go together",
            ))
        }
    };
    let token = auth::new_token();
    let device = app.storage.redeem_invite(
        &auth::hash(&request.invite_code),
        now(),
        &auth::new_device_id(),
        name,
        &auth::hash(&token),
        key.as_ref(),
    )?;
    let Some(device) = device else {
        app.throttles.join_failed(address);
        Metrics::inc(&app.metrics.auth_failures);
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            message: "this invite code is unknown, used up or expired; ask your antenna lead for a new one",
            retry_after: None,
        });
    };
    // The antenna document, so the device can register households from the moment it
    // joined, without waiting for a first sync that may be days away. Saved whole (compressed):
    // as stored, its changes are kept one by one and weigh several times more.
    let stored = app
        .storage
        .load_document(&device.antenna.document())?
        .concat();
    let antenna_document = automerge::Automerge::load(&stored)
        .map(|doc| doc.save())
        .unwrap_or_default();
    Ok(Json(json!({
        "device_id": device.id,
        "device_token": token,
        "antenna_id": device.antenna.to_string(),
        "role": device.role.as_str(),
        "antenna_document": BASE64.encode(antenna_document),
    })))
}

/// The lead of `antenna` making the request, or the error to answer.
fn lead(
    app: &AppState,
    headers: &HeaderMap,
    antenna: &str,
) -> Result<(Device, AntennaId), ApiError> {
    let token = auth::bearer(headers, None).ok_or_else(ApiError::unauthorized)?;
    let device = match app.storage.device_by_token(&auth::hash(&token))? {
        Some(d) if !d.revoked => d,
        _ => {
            Metrics::inc(&app.metrics.auth_failures);
            return Err(ApiError::unauthorized());
        }
    };
    let antenna: AntennaId = antenna.parse().map_err(|_| ApiError::not_found())?;
    if device.antenna != antenna || device.role != Role::Lead {
        return Err(ApiError::forbidden());
    }
    Ok((device, antenna))
}

/// Creates an invite (leads only).
pub async fn create_invite(
    State(app): State<AppState>,
    Path(antenna): Path<String>,
    headers: HeaderMap,
    Body(request): Body<InviteRequest>,
) -> Result<Json<Value>, ApiError> {
    let (me, antenna) = lead(&app, &headers, &antenna)?;
    if let Err(wait) = app.throttles.invite(&me.id) {
        Metrics::inc(&app.metrics.rate_limited);
        return Err(ApiError::too_many(
            "too many invites from this device; wait and try again",
            wait,
        ));
    }
    let role = Role::parse(&request.role).ok_or(ApiError::bad_request(
        "role must be lead, volunteer or observer",
    ))?;
    let uses = request.uses.unwrap_or(1);
    if !(1..=1000).contains(&uses) {
        return Err(ApiError::bad_request("uses must be between 1 and 1000"));
    }
    let hours = request
        .expires_in_hours
        .unwrap_or(app.limits.invite_days * 24);
    if !(1..=24 * 90).contains(&hours) {
        return Err(ApiError::bad_request(
            "expires_in_hours must be between 1 and 2160 (90 days)",
        ));
    }
    let code = auth::new_invite_code();
    let invite = NewInvite {
        antenna,
        role,
        uses,
        expires_at: now() + i64::from(hours) * 3600,
    };
    app.storage.create_invite(&auth::hash(&code), &invite)?;
    Ok(Json(json!({ "invite_code": code })))
}

/// Lists the antenna's devices (leads only).
pub async fn devices(
    State(app): State<AppState>,
    Path(antenna): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let (_, antenna) = lead(&app, &headers, &antenna)?;
    let devices: Vec<Value> = app
        .storage
        .devices(&antenna)?
        .into_iter()
        .map(|d| json!({ "device_id": d.id, "name": d.name, "role": d.role.as_str(), "revoked": d.revoked }))
        .collect();
    Ok(Json(json!({ "devices": devices })))
}

/// Revokes a device (leads only): its connections close with the "revoked" reason, and its
/// token is refused from now on.
pub async fn revoke(
    State(app): State<AppState>,
    Path((antenna, device_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let (me, antenna) = lead(&app, &headers, &antenna)?;
    if me.id == device_id {
        let other_leads = app
            .storage
            .devices(&antenna)?
            .iter()
            .filter(|d| d.role == Role::Lead && !d.revoked && d.id != me.id)
            .count();
        if other_leads == 0 {
            return Err(ApiError {
                status: StatusCode::CONFLICT,
                message:
                    "the antenna's last lead cannot revoke itself; make another member a lead first",
                retry_after: None,
            });
        }
    }
    if !app.storage.revoke_device(&antenna, &device_id)? {
        return Err(ApiError::not_found());
    }
    app.hub.revoke(&device_id);
    tracing::info!(device = %device_id, "device revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /v1/antennas/{id}/blinded-index` body.
#[derive(Debug, Deserialize)]
pub struct BlindedIndexRequest {
    /// How other antennas may reach this one ("Leila, +216 ...", an e-mail).
    pub contact: String,
    /// Keyed hashes of the antenna's households' phone and national ID numbers
    /// (`jiran_core::workflows::other_antennas`), 32 lowercase hex characters each.
    pub hashes: Vec<String>,
}

/// Opts the antenna into the blinded cross-antenna index, or refreshes its entries (leads
/// only), and answers which of its hashes other opted-in antennas hold: `{"matches": [{"hash",
/// "antenna", "contact"}]}`. The relay never learns who the hashes stand for, and an antenna
/// never learns anything of another's households but that one of its own is helped there too.
pub async fn replace_blinded_index(
    State(app): State<AppState>,
    Path(antenna): Path<String>,
    headers: HeaderMap,
    Body(request): Body<BlindedIndexRequest>,
) -> Result<Json<Value>, ApiError> {
    let (_, antenna) = lead(&app, &headers, &antenna)?;
    let contact = request.contact.trim();
    if contact.is_empty() || contact.chars().count() > 200 || contact.chars().any(char::is_control)
    {
        return Err(ApiError::bad_request(
            "contact must be 1 to 200 characters on one line",
        ));
    }
    let most = (2 * app.limits.max_documents_per_antenna) as usize;
    if request.hashes.len() > most {
        return Err(ApiError::bad_request(
            "too many hashes: at most two per household the antenna may hold",
        ));
    }
    if let Err(wait) = app.throttles.blinded(antenna, request.hashes.len()) {
        Metrics::inc(&app.metrics.rate_limited);
        return Err(ApiError::too_many(
            "too many hashes sent to the blinded index this hour; wait and try again",
            wait,
        ));
    }
    if !request.hashes.iter().all(|h| is_blinded_hash(h)) {
        return Err(ApiError::bad_request(
            "hashes must be 32 lowercase hexadecimal characters each",
        ));
    }
    let matches: Vec<Value> = app
        .storage
        .replace_blinded_index(&antenna, contact, &request.hashes)?
        .into_iter()
        .map(|m| json!({ "hash": m.hash, "antenna": m.antenna, "contact": m.contact }))
        .collect();
    tracing::info!(
        hashes = request.hashes.len(),
        matches = matches.len(),
        "blinded index refreshed"
    );
    Ok(Json(json!({ "matches": matches })))
}

/// Takes the antenna out of the blinded index (leads only): its hashes and contact are gone.
pub async fn leave_blinded_index(
    State(app): State<AppState>,
    Path(antenna): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let (_, antenna) = lead(&app, &headers, &antenna)?;
    app.storage.leave_blinded_index(&antenna)?;
    Ok(StatusCode::NO_CONTENT)
}
