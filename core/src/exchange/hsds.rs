//! The provider directory in Open Referral's Human Services Data Specification (HSDS 3.0),
//! JSON, so a municipality's or a federation's list of services (food banks, social centres,
//! clinics, digital-help points) can be loaded instead of typed, and an antenna's directory
//! shared with others.
//!
//! The subset kept: a service with its organization, phones, e-mail, first physical address
//! (through `service_at_locations[].location.addresses[]`, or the organization's locations),
//! schedules (their `description`, or `byday opens_at–closes_at`) and taxonomy terms (through
//! `attributes[].taxonomy_term`). Everything else is ignored on import and not written on
//! export.
//!
//! **One service is one provider.** Its name is the service's name, followed by the
//! organization's when that differs and is not already part of it ("Colis alimentaires –
//! Croissant-Rouge"). The sector comes from the organization's `legal_status` (words such as
//! "government", "municipal" → public; "company", "private" → private; "mosque", "church",
//! "religious" → religious; anything else, "association" and nothing at all included →
//! non-profit). The contact is the phones, the e-mail and the address joined by `; `.
//!
//! **Need categories** are taxonomy terms. On export each category a provider serves becomes
//! an attribute whose term has `taxonomy: "jiran-need-category"` and the category's word as
//! `code` (`food`, `rent`, `medical`, `utilities`, `education`, `digital_equipment`,
//! `other`): read back exactly. Terms of other taxonomies are mapped by the words of their
//! name (English, French or Arabic; Open Eligibility's names work): food, meal, pantry,
//! nutrition, alimentaire, repas → food; housing, rent, shelter, logement, loyer → rent;
//! health, medical, clinic, dental, pharmacy, santé → medical; utilities, electricity, water,
//! energy → utilities; education, school, tutoring, scolaire → education; computer, digital,
//! internet, numérique, informatique → digital equipment. A service none of whose terms maps
//! serves `other`, so it is listed somewhere and a lead can correct it.
//!
//! **Ids.** A service's `id` is kept as the provider's `hsds_id`, so importing the same file
//! again finds the providers it added. A provider typed in gets an id derived from its
//! provider id (a UUID, version 8), the same at every export. Sub-objects (organization,
//! phone, location, ...) get ids derived from the service's.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ids::ProviderId;
use crate::model::{validate, NeedCategory, Provider, Sector};
use crate::search::fold;

/// The largest file imported: 5 MB. A directory of 2,000 services takes well under that.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// The most services one file may bring.
pub const MAX_SERVICES: usize = 2_000;
/// The taxonomy of the need categories this module writes.
pub const NEED_TAXONOMY: &str = "jiran-need-category";
/// The longest service id kept.
const MAX_ID: usize = 200;

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

/// The need category a taxonomy term's name (or any label) stands for, if one does.
pub fn need_category(term: &str) -> Option<NeedCategory> {
    const KEYS: &[(NeedCategory, &[&str])] = &[
        (
            NeedCategory::DigitalEquipment,
            &[
                "digital",
                "numerique",
                "computer",
                "informatique",
                "ordinateur",
                "internet",
                "رقمي",
                "حاسوب",
                "انترنت",
            ],
        ),
        (
            NeedCategory::Utilities,
            &[
                "utilit",
                "electric",
                "water",
                "eau",
                "energ",
                "facture",
                "كهرباء",
                "ماء",
            ],
        ),
        (
            NeedCategory::Food,
            &[
                "food",
                "meal",
                "pantry",
                "nutrition",
                "aliment",
                "repas",
                "طعام",
                "غذا",
            ],
        ),
        (
            NeedCategory::Medical,
            &[
                "health",
                "medic",
                "clinic",
                "dental",
                "pharma",
                "hospital",
                "hopital",
                "dispensaire",
                "sante",
                "prescription",
                "صحة",
                "صحي",
                "طبي",
            ],
        ),
        (
            NeedCategory::Rent,
            &[
                "housing",
                "rent",
                "shelter",
                "logement",
                "loyer",
                "hebergement",
                "سكن",
                "كراء",
            ],
        ),
        (
            NeedCategory::Education,
            &[
                "educat",
                "school",
                "tutor",
                "scolaire",
                "ecole",
                "تعليم",
                "مدرس",
            ],
        ),
    ];
    let folded = fold(term);
    KEYS.iter()
        .find(|(_, keys)| {
            folded
                .split(' ')
                .any(|word| keys.iter().any(|k| word.starts_with(k)))
        })
        .map(|(category, _)| *category)
}

fn refused(reason: String) -> Error {
    Error::ImportRefused(reason)
}

/// A UUID (RFC 9562 version 8: application-defined) from a hash of `parts`.
fn derived_uuid(parts: &[&str]) -> String {
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

fn sector_word(sector: Sector) -> &'static str {
    match sector {
        Sector::Public => "public",
        Sector::Private => "private",
        Sector::NonProfit => "non-profit",
        Sector::Religious => "religious",
    }
}

fn sector(legal_status: Option<&str>) -> Sector {
    let Some(status) = legal_status else {
        return Sector::NonProfit;
    };
    let folded = fold(status);
    let has = |keys: &[&str]| {
        folded
            .split(' ')
            .any(|word| keys.iter().any(|k| word.starts_with(k)))
    };
    if folded.contains("non profit")
        || folded.contains("nonprofit")
        || folded.contains("not for profit")
    {
        Sector::NonProfit
    } else if has(&[
        "religi", "mosque", "church", "eglise", "faith", "waqf", "diniy", "مسجد", "ديني",
    ]) {
        Sector::Religious
    } else if has(&[
        "public",
        "government",
        "gouvernement",
        "municipal",
        "ministry",
        "ministere",
        "state",
        "etat",
        "حكومي",
        "بلدي",
        "عمومي",
    ]) {
        Sector::Public
    } else if has(&[
        "private",
        "prive",
        "company",
        "business",
        "commercial",
        "entreprise",
        "societe",
        "limited",
        "ltd",
        "خاص",
    ]) {
        Sector::Private
    } else {
        Sector::NonProfit
    }
}

fn category_label(category: NeedCategory) -> &'static str {
    match category {
        NeedCategory::Food => "Food",
        NeedCategory::Rent => "Rent and housing",
        NeedCategory::Medical => "Health and medical care",
        NeedCategory::Utilities => "Utilities (water, electricity, gas)",
        NeedCategory::Education => "Education",
        NeedCategory::DigitalEquipment => "Digital equipment",
        NeedCategory::Other => "Other",
    }
}

/// A provider's contact split into phones, one e-mail, and the rest (the address). Parts
/// are separated by line breaks or `;`.
fn split_contact(contact: &str) -> (Vec<String>, Option<String>, Vec<String>) {
    let (mut phones, mut email, mut rest) = (Vec::new(), None, Vec::new());
    for part in contact
        .split(['\n', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if validate::phone(part).is_ok() {
            phones.push(part.to_owned());
        } else if email.is_none() && part.contains('@') && !part.contains(char::is_whitespace) {
            email = Some(part.to_owned());
        } else {
            rest.push(part.to_owned());
        }
    }
    (phones, email, rest)
}

fn service(id: &ProviderId, p: &Provider) -> Value {
    let sid = service_id(id, p);
    let org = derived_uuid(&["organization", &sid]);
    let (phones, email, rest) = split_contact(&p.contact);
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

type Item<'a> = (&'a Map<String, Value>, Option<&'a Map<String, Value>>);

/// The service objects of a file, each with the organization it was nested in, if any.
fn services(value: &Value) -> Result<Vec<Item<'_>>> {
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
struct Reader {
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
            Error::Invalid { field, problem } => self.fail(field, problem),
            other => other,
        })
    }
}

/// Control characters (a file's line breaks, tabs) as spaces, runs of spaces as one.
fn single_line(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Line breaks kept, other control characters (a carriage return) dropped.
fn multi_line(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_owned()
}

fn provider(
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
    let contact = contact.join("; ");
    if contact.chars().count() > validate::MAX_TEXT {
        return Err(r.fail(
            "contact",
            "(phones, e-mail and address together) is too long (2,000 characters at most)",
        ));
    }
    let contact = r.checked(validate::text("contact", &contact, validate::MAX_TEXT))?;

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

fn schedule_text(r: &Reader, schedule: &Map<String, Value>) -> Result<Option<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(name: &str, contact: &str, serves: Vec<NeedCategory>) -> Provider {
        Provider {
            name: name.into(),
            sector: Sector::Religious,
            serves,
            contact: contact.into(),
            opening_hours: "Mon–Fri 8:00–12:00".into(),
            hsds_id: None,
        }
    }

    #[test]
    fn test_export_then_import_gives_the_same_providers() {
        let id = ProviderId::random();
        let p = provider(
            "جمعية الخير",
            "71 000 000; +216 98 123 456; khayr@example.org; Rue de Carthage, La Marsa",
            vec![NeedCategory::Food, NeedCategory::DigitalEquipment],
        );
        let bytes = export(&[(id.clone(), p.clone())]).unwrap();
        let back = import(&bytes).unwrap();
        assert_eq!(back.len(), 1);
        let mut expected = p;
        expected.hsds_id = Some(service_id(&id, &expected));
        assert_eq!(back[0], expected);
        // Exporting again keeps the same ids.
        assert_eq!(bytes, export(&[(id, back[0].clone())]).unwrap());
    }

    #[test]
    fn test_derived_ids_are_uuids_and_stable() {
        let a = derived_uuid(&["service", "abc"]);
        assert_eq!(a, derived_uuid(&["service", "abc"]));
        assert_ne!(a, derived_uuid(&["service", "abd"]));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8", "version 8");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "RFC variant");
    }

    #[test]
    fn test_terms_of_other_taxonomies_map_by_their_words() {
        for (term, category) in [
            ("Food Pantry", NeedCategory::Food),
            ("Help Pay for Utilities", NeedCategory::Utilities),
            ("Help Pay for Housing", NeedCategory::Rent),
            ("Primary Care", NeedCategory::Other),
            ("Health Education", NeedCategory::Medical),
            ("Computer Class", NeedCategory::DigitalEquipment),
            ("Aide alimentaire", NeedCategory::Food),
            ("Soutien scolaire", NeedCategory::Education),
            ("Santé", NeedCategory::Medical),
            ("مساعدة غذائية", NeedCategory::Food),
        ] {
            assert_eq!(
                need_category(term).unwrap_or(NeedCategory::Other),
                category,
                "{term}"
            );
        }
        assert_eq!(
            need_category("Bureau"),
            None,
            "`eau` matches whole word starts only"
        );
    }

    #[test]
    fn test_sectors_come_from_the_legal_status() {
        assert_eq!(sector(Some("Municipal service")), Sector::Public);
        assert_eq!(sector(Some("Non-profit association")), Sector::NonProfit);
        assert_eq!(sector(Some("non_profit")), Sector::NonProfit);
        assert_eq!(sector(Some("Private company")), Sector::Private);
        assert_eq!(sector(Some("Mosque")), Sector::Religious);
        assert_eq!(sector(Some("Limited Company")), Sector::Private);
        assert_eq!(sector(None), Sector::NonProfit);
    }

    #[test]
    fn test_refusals_name_the_service_and_never_its_content() {
        let secret = "Fatma Secret";
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (
                format!("[{{\"id\":\"1\",\"name\":\"{secret}").into_bytes(),
                "not valid JSON",
            ),
            (b"{\"name\": 3}".to_vec(), "service 1: name must be text"),
            (b"42".to_vec(), "not an HSDS list"),
            (b"[]".to_vec(), "no HSDS service"),
            (
                format!("[{{\"name\":\"ok\"}},{{\"name\":\"{}\"}}]", "x".repeat(201)).into_bytes(),
                "service 2: name is too long",
            ),
            (
                format!("[{{\"name\":\"{secret}\",\"phones\":\"{secret}\"}}]").into_bytes(),
                "service 1: phones must be a list",
            ),
            (b"[{\"id\": \"x\"}]".to_vec(), "service 1: name is missing"),
        ];
        for (bytes, expected) in cases {
            let message = import(&bytes).unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
            assert!(!message.contains("Fatma"), "{message}");
            assert!(message.contains("Nothing was imported"), "{message}");
        }
        let many: Vec<Value> = (0..=MAX_SERVICES)
            .map(|i| json!({"name": i.to_string()}))
            .collect();
        let message = import(&serde_json::to_vec(&many).unwrap())
            .unwrap_err()
            .to_string();
        assert!(message.contains("at most 2000"), "{message}");
        let huge = vec![b' '; MAX_FILE_BYTES + 1];
        assert!(import(&huge)
            .unwrap_err()
            .to_string()
            .contains("larger than 5 MB"));
    }

    #[test]
    fn test_organizations_with_nested_services_and_api_pages_are_read() {
        let file = json!([{
            "id": "org-1",
            "name": "Croissant-Rouge",
            "legal_status": "association",
            "phones": [{"id": "p", "number": "71 111 111", "extension": 12}],
            "locations": [{"id": "l", "location_type": "physical",
                           "addresses": [{"address_1": "5 rue X", "city": "La Marsa"}]}],
            "services": [{
                "id": "s-1",
                "name": "Colis alimentaires",
                "schedules": [{"byday": "MO,WE", "opens_at": "09:00:00", "closes_at": "12:30"}],
                "attributes": [{"taxonomy_term": {"name": "Emergency Food"}}]
            }]
        }]);
        let [p] = import(&serde_json::to_vec(&file).unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(p.name, "Colis alimentaires – Croissant-Rouge");
        assert_eq!(p.contact, "71 111 111 ext. 12; 5 rue X, La Marsa");
        assert_eq!(p.opening_hours, "MO,WE 09:00–12:30");
        assert_eq!(p.serves, [NeedCategory::Food]);
        assert_eq!(p.sector, Sector::NonProfit);
        assert_eq!(p.hsds_id.as_deref(), Some("s-1"));
        let page = json!({"total_items": 1, "contents": [{"name": "Point numérique"}]});
        let [p] = import(&serde_json::to_vec(&page).unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(
            (p.name.as_str(), p.serves.as_slice()),
            ("Point numérique", &[NeedCategory::Other][..])
        );
        assert_eq!(p.hsds_id, None);
    }
}
