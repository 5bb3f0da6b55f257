//! Writing the directory as HSDS: one service object per provider, with its organization,
//! contacts, address, schedule and need categories as taxonomy terms.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ids::ProviderId;
use crate::model::{validate, Provider};

use super::taxonomy::{category_label, sector_word};
use super::NEED_TAXONOMY;

/// The HSDS id of a provider's service: the one it was imported with, or one derived from
/// its provider id.
pub fn service_id(id: &ProviderId, provider: &Provider) -> String {
    match &provider.hsds_id {
        Some(hsds) => hsds.clone(),
        None => derived_uuid(&["service", id.as_str()]),
    }
}

/// The directory as an HSDS JSON array of service objects, by name.
pub fn export(providers: &[(ProviderId, Provider)]) -> Result<Vec<u8>> {
    let mut sorted: Vec<&(ProviderId, Provider)> = providers.iter().collect();
    sorted.sort_by(|a, b| (&a.1.name, &a.0).cmp(&(&b.1.name, &b.0)));
    let services: Vec<Value> = sorted.iter().map(|(id, p)| service(id, p)).collect();
    serde_json::to_vec_pretty(&services).map_err(|e| Error::Io(std::io::Error::other(e)))
}

/// The providers an HSDS JSON file describes, in the file's order, each with its `hsds_id`.
///
/// Accepts an array of service objects, an HSDS API page (`{"contents": [...]}`), a single
/// service, or organizations with their `services`. Nothing is recorded here.
///
/// # Errors
/// [`Error::ImportRefused`] for a file over [`MAX_FILE_BYTES`], not JSON, not services, with
/// more than [`MAX_SERVICES`] services, a service without a name, or a field too long; the
/// message names the service by position and the field, never its content.
/// A UUID (RFC 9562 version 8: application-defined) from a hash of `parts`.
pub(super) fn derived_uuid(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    hash.update(b"jiran/hsds/v1");
    for part in parts {
        hash.update([0u8]);
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

pub(super) fn service(id: &ProviderId, p: &Provider) -> Value {
    let sid = service_id(id, p);
    let org = derived_uuid(&["organization", &sid]);
    let validate::ContactParts {
        phones,
        email,
        rest,
    } = validate::ContactParts::of(&p.contact);
    let mut s = Map::new();
    s.insert("id".into(), json!(sid));
    s.insert("organization_id".into(), json!(org));
    s.insert("name".into(), json!(p.name));
    s.insert("status".into(), json!("active"));
    if let Some(email) = email {
        s.insert("email".into(), json!(email));
    }
    s.insert(
        "organization".into(),
        json!({
            "id": org,
            "name": p.name,
            "description": "",
            "legal_status": sector_word(p.sector),
        }),
    );
    let phones: Vec<Value> = phones
        .iter()
        .enumerate()
        .map(|(i, number)| {
            json!({
                "id": derived_uuid(&["phone", &sid, &i.to_string()]),
                "service_id": sid,
                "number": number,
            })
        })
        .collect();
    s.insert("phones".into(), Value::Array(phones));
    let mut schedules = Vec::new();
    if !p.opening_hours.is_empty() {
        schedules.push(json!({
            "id": derived_uuid(&["schedule", &sid]),
            "service_id": sid,
            "description": p.opening_hours,
        }));
    }
    s.insert("schedules".into(), Value::Array(schedules));
    let mut at_locations = Vec::new();
    if !rest.is_empty() {
        let location = derived_uuid(&["location", &sid]);
        at_locations.push(json!({
            "id": derived_uuid(&["service_at_location", &sid]),
            "service_id": sid,
            "location_id": location,
            "location": {
                "id": location,
                "location_type": "physical",
                "name": p.name,
                "addresses": [{
                    "id": derived_uuid(&["address", &sid]),
                    "location_id": location,
                    "address_1": rest.join("; "),
                    "city": "",
                    "state_province": "",
                    "postal_code": "",
                    "country": "",
                    "address_type": "physical",
                }],
            },
        }));
    }
    s.insert("service_at_locations".into(), Value::Array(at_locations));
    let attributes: Vec<Value> = p
        .serves
        .iter()
        .map(|c| {
            let term = derived_uuid(&["taxonomy_term", NEED_TAXONOMY, c.as_str()]);
            json!({
                "id": derived_uuid(&["attribute", &sid, c.as_str()]),
                "link_id": sid,
                "link_entity": "service",
                "taxonomy_term_id": term,
                "taxonomy_term": {
                    "id": term,
                    "code": c.as_str(),
                    "name": category_label(*c),
                    "description": format!("Serves households with a need of this kind: {}", category_label(*c)),
                    "taxonomy": NEED_TAXONOMY,
                },
            })
        })
        .collect();
    s.insert("attributes".into(), Value::Array(attributes));
    Value::Object(s)
}
