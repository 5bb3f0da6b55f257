//! Reading an HSDS file: the services it holds, checked one by one, each becoming a provider;
//! errors name a service by its position, never by what it says.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::model::validate::{self, single_line};
use crate::model::{NeedCategory, Provider};
use crate::search::fold;

use super::taxonomy::{need_category, sector};
use std::collections::BTreeSet;

use super::{refused, MAX_FILE_BYTES, MAX_ID, MAX_SERVICES, NEED_TAXONOMY};

pub fn import(bytes: &[u8]) -> Result<Vec<Provider>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(refused("the file is larger than 5 MB".into()));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // serde_json's own messages may quote the file's content; keep the position only.
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        refused(format!(
            "it is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let items = services(&value)?;
    if items.is_empty() {
        return Err(refused("it lists no HSDS service".into()));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, (service, organization))| provider(i + 1, service, *organization))
        .collect()
}

pub(super) type Item<'a> = (&'a Map<String, Value>, Option<&'a Map<String, Value>>);

/// The service objects of a file, each with the organization it was nested in, if any.
pub(super) fn services(value: &Value) -> Result<Vec<Item<'_>>> {
    let not_services = || {
        refused(
            "it is not an HSDS list of services (expected a JSON array of service objects)".into(),
        )
    };
    let top: &[Value] = match value {
        Value::Array(items) => items,
        Value::Object(o) => match o.get("contents") {
            Some(Value::Array(items)) => items,
            Some(_) => return Err(not_services()),
            None => std::slice::from_ref(value),
        },
        _ => return Err(not_services()),
    };
    let mut out = Vec::new();
    for (i, item) in top.iter().enumerate() {
        let Value::Object(o) = item else {
            return Err(refused(format!("item {} is not a JSON object", i + 1)));
        };
        match o.get("services") {
            Some(Value::Array(nested)) if !o.contains_key("organization") => {
                for (j, s) in nested.iter().enumerate() {
                    let Value::Object(s) = s else {
                        return Err(refused(format!(
                            "item {}, service {} is not a JSON object",
                            i + 1,
                            j + 1
                        )));
                    };
                    out.push((s, Some(o)));
                }
            }
            _ => out.push((o, None)),
        }
        if out.len() > MAX_SERVICES {
            break;
        }
    }
    if out.len() > MAX_SERVICES {
        return Err(refused(format!(
            "it lists more than {MAX_SERVICES} services; at most {MAX_SERVICES} can be imported at once"
        )));
    }
    Ok(out)
}

/// Reads fields of one service, naming it by position in errors.
pub(super) struct Reader {
    position: usize,
}

impl Reader {
    fn fail(&self, field: &str, problem: &str) -> Error {
        refused(format!("service {}: {field} {problem}", self.position))
    }

    fn text<'a>(
        &self,
        obj: &'a Map<String, Value>,
        key: &str,
        field: &str,
    ) -> Result<Option<&'a str>> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim())),
            Some(_) => Err(self.fail(field, "must be text")),
        }
    }

    fn list<'a>(
        &self,
        obj: &'a Map<String, Value>,
        key: &str,
        field: &str,
    ) -> Result<Vec<&'a Map<String, Value>>> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Object(o) => Ok(o),
                    _ => Err(self.fail(field, "must be a list of objects")),
                })
                .collect(),
            Some(_) => Err(self.fail(field, "must be a list")),
        }
    }

    fn object<'a>(
        &self,
        obj: &'a Map<String, Value>,
        key: &str,
        field: &str,
    ) -> Result<Option<&'a Map<String, Value>>> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o)),
            Some(_) => Err(self.fail(field, "must be an object")),
        }
    }

    /// Checks a value against the directory's rules, naming the service on failure.
    fn checked(&self, result: Result<String>) -> Result<String> {
        result.map_err(|e| match e {
            Error::Invalid { field, problem } => self.fail(field, &problem.to_string()),
            other => other,
        })
    }
}

/// Line breaks kept, other control characters (a carriage return) dropped.
pub(super) fn multi_line(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_owned()
}

pub(super) fn provider(
    position: usize,
    s: &Map<String, Value>,
    parent: Option<&Map<String, Value>>,
) -> Result<Provider> {
    let r = Reader { position };
    let organization = r.object(s, "organization", "organization")?.or(parent);

    let hsds_id = match s.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if id.trim().is_empty() => None,
        Some(Value::String(id)) => Some(single_line(id)),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err(r.fail("id", "must be text")),
    };
    if hsds_id
        .as_ref()
        .is_some_and(|id| id.chars().count() > MAX_ID)
    {
        return Err(r.fail("id", "is too long (200 characters at most)"));
    }

    // Name: the service's, with the organization's when it adds something.
    let service_name = r.text(s, "name", "name")?.map(single_line);
    let org_name = match organization {
        Some(o) => r.text(o, "name", "organization.name")?.map(single_line),
        None => None,
    };
    let name = match (service_name, org_name) {
        (Some(service), Some(org)) => {
            let (fs, fo) = (fold(&service), fold(&org));
            let both = format!("{service} – {org}");
            if fo.is_empty() || fs.contains(&fo) || both.chars().count() > validate::MAX_NAME {
                service
            } else {
                both
            }
        }
        (Some(service), None) => service,
        (None, Some(org)) => org,
        (None, None) => return Err(r.fail("name", "is missing")),
    };
    let name = r.checked(validate::name("name", &name))?;

    let legal_status = match organization {
        Some(o) => r.text(o, "legal_status", "organization.legal_status")?,
        None => None,
    };

    // Locations: the service's, then its organization's.
    let mut locations = Vec::new();
    let at_locations = r.list(s, "service_at_locations", "service_at_locations")?;
    for sal in &at_locations {
        if let Some(l) = r.object(sal, "location", "service_at_locations.location")? {
            locations.push(l);
        }
    }
    if let Some(o) = organization {
        locations.extend(r.list(o, "locations", "organization.locations")?);
    }

    // Contact: phones, e-mail, first address.
    let mut phones: Vec<String> = Vec::new();
    let mut phone_lists = vec![r.list(s, "phones", "phones")?];
    for sal in &at_locations {
        phone_lists.push(r.list(sal, "phones", "service_at_locations.phones")?);
    }
    for l in &locations {
        phone_lists.push(r.list(l, "phones", "location.phones")?);
    }
    if let Some(o) = organization {
        phone_lists.push(r.list(o, "phones", "organization.phones")?);
    }
    for phone in phone_lists.into_iter().flatten() {
        let Some(number) = r.text(phone, "number", "phones.number")? else {
            continue;
        };
        let mut number = single_line(number);
        match phone.get("extension") {
            Some(Value::Number(n)) => number.push_str(&format!(" ext. {n}")),
            Some(Value::String(x)) if !x.trim().is_empty() => {
                number.push_str(&format!(" ext. {}", single_line(x)))
            }
            _ => {}
        }
        if !phones.contains(&number) {
            phones.push(number);
        }
    }
    let email = match r.text(s, "email", "email")? {
        Some(e) => Some(single_line(e)),
        None => match organization {
            Some(o) => r.text(o, "email", "organization.email")?.map(single_line),
            None => None,
        },
    };
    let mut address = None;
    'locations: for l in &locations {
        for a in r.list(l, "addresses", "location.addresses")? {
            let mut parts = Vec::new();
            for (key, field) in [
                ("address_1", "addresses.address_1"),
                ("address_2", "addresses.address_2"),
                ("city", "addresses.city"),
            ] {
                if let Some(part) = r.text(a, key, field)? {
                    parts.push(single_line(part));
                }
            }
            if !parts.is_empty() {
                address = Some(parts.join(", "));
                break 'locations;
            }
        }
    }
    let contact: Vec<String> = phones.into_iter().chain(email).chain(address).collect();
    let contact = r.checked(validate::contact(&contact.join("; ")))?;

    // Opening hours: the service's schedules, else its locations'.
    let mut schedules = r.list(s, "schedules", "schedules")?;
    if schedules.is_empty() {
        for sal in &at_locations {
            schedules.extend(r.list(sal, "schedules", "service_at_locations.schedules")?);
        }
    }
    if schedules.is_empty() {
        for l in &locations {
            schedules.extend(r.list(l, "schedules", "location.schedules")?);
        }
    }
    let mut hours = Vec::new();
    for schedule in schedules {
        if let Some(text) = schedule_text(&r, schedule)? {
            if !hours.contains(&text) {
                hours.push(text);
            }
        }
    }
    let opening_hours = hours.join("; ");
    if opening_hours.chars().count() > validate::MAX_NAME {
        return Err(r.fail(
            "opening_hours",
            "(its schedules together) is too long (200 characters at most)",
        ));
    }
    let opening_hours = r.checked(validate::text(
        "opening_hours",
        &opening_hours,
        validate::MAX_NAME,
    ))?;

    // Need categories from taxonomy terms.
    let mut serves = BTreeSet::new();
    for attribute in r.list(s, "attributes", "attributes")? {
        let label = r.text(attribute, "label", "attributes.label")?;
        let term = r.object(attribute, "taxonomy_term", "attributes.taxonomy_term")?;
        let mut found = None;
        if let Some(term) = term {
            let taxonomy = r.text(term, "taxonomy", "taxonomy_term.taxonomy")?;
            let code = r.text(term, "code", "taxonomy_term.code")?;
            let term_name = r.text(term, "name", "taxonomy_term.name")?;
            if taxonomy == Some(NEED_TAXONOMY) {
                found = code.and_then(NeedCategory::parse);
            }
            found = found.or_else(|| term_name.and_then(need_category));
        }
        found = found.or_else(|| label.and_then(need_category));
        serves.extend(found);
    }
    if serves.is_empty() {
        serves.insert(NeedCategory::Other);
    }

    Ok(Provider {
        name,
        sector: sector(legal_status),
        serves: serves.into_iter().collect(),
        contact,
        opening_hours,
        hsds_id,
    })
}

pub(super) fn schedule_text(r: &Reader, schedule: &Map<String, Value>) -> Result<Option<String>> {
    if let Some(description) = r.text(schedule, "description", "schedules.description")? {
        return Ok(Some(multi_line(description)));
    }
    let hhmm = |t: &str| -> String {
        let t = single_line(t);
        let b = t.as_bytes();
        if b.len() >= 5 && b[2] == b':' && b[..5].iter().all(|c| c.is_ascii_digit() || *c == b':') {
            t[..5].to_owned()
        } else {
            t
        }
    };
    let days = r
        .text(schedule, "byday", "schedules.byday")?
        .map(single_line);
    let opens = r
        .text(schedule, "opens_at", "schedules.opens_at")?
        .map(hhmm);
    let closes = r
        .text(schedule, "closes_at", "schedules.closes_at")?
        .map(hhmm);
    let hours = match (opens, closes) {
        (Some(o), Some(c)) => Some(format!("{o}–{c}")),
        (Some(o), None) => Some(format!("from {o}")),
        (None, Some(c)) => Some(format!("until {c}")),
        (None, None) => None,
    };
    let text: Vec<String> = days.into_iter().chain(hours).collect();
    Ok((!text.is_empty()).then(|| text.join(" ")))
}
