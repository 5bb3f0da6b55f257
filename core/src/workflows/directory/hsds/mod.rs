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

mod export;
mod import;
mod taxonomy;

pub use export::{export, service_id};
pub use import::import;
pub use taxonomy::need_category;

use crate::error::Error;

/// The largest file imported: 5 MB. A directory of 2,000 services takes well under that.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// The most services one file may bring.
pub const MAX_SERVICES: usize = 2_000;
/// The taxonomy of the need categories this module writes.
pub const NEED_TAXONOMY: &str = "jiran-need-category";
/// The longest service id kept.
pub(super) const MAX_ID: usize = 200;

pub(super) fn refused(reason: String) -> Error {
    Error::ImportRefused(reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    use super::export::derived_uuid;
    use super::taxonomy::sector;
    use crate::ids::ProviderId;
    use crate::model::{NeedCategory, Provider, Sector};

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
