//! The HSDS import (`jiran_core::workflows::directory::hsds::import`): a lead loads a file
//! from a municipality or a federation, so its bytes are anyone's.
//!
//! Asserts: no panic; a refusal is `Error::ImportRefused` (never another error, so the app
//! shows the reason); every provider read passes the directory's own validation unchanged
//! (name, contact in its normal form, opening hours, id length, at least one need category, categories sorted
//! and distinct); and exporting what was read then importing it again gives the same names,
//! contacts, sectors, categories, opening hours and HSDS ids, and after that one round a fixed point
//! (a directory shared between antennas does not drift).

#![no_main]

use jiran_core::model::validate;
use jiran_core::workflows::directory::hsds::{self, MAX_SERVICES};
use jiran_core::{Error, Provider, ProviderId};
use libfuzzer_sys::fuzz_target;

/// Sorted as `hsds::export` writes them: by name, then id.
fn sorted(providers: Vec<Provider>) -> Vec<(ProviderId, Provider)> {
    let mut pairs: Vec<(ProviderId, Provider)> = providers
        .into_iter()
        .enumerate()
        .map(|(i, p)| (ProviderId::from(format!("p{i:05}")), p))
        .collect();
    pairs.sort_by(|a, b| (&a.1.name, &a.0).cmp(&(&b.1.name, &b.0)));
    pairs
}

fn round_trip(pairs: &[(ProviderId, Provider)]) -> Vec<Provider> {
    let bytes = hsds::export(pairs).expect("exporting a directory read from a file");
    hsds::import(&bytes).unwrap_or_else(|e| panic!("our own export is refused: {e}"))
}

fuzz_target!(|data: &[u8]| {
    let providers = match hsds::import(data) {
        Ok(providers) => providers,
        Err(Error::ImportRefused(_)) => return,
        Err(other) => panic!("a refusal that is not ImportRefused: {other:?}"),
    };
    assert!(!providers.is_empty() && providers.len() <= MAX_SERVICES);
    for p in &providers {
        assert_eq!(validate::name("name", &p.name).ok().as_ref(), Some(&p.name));
        assert_eq!(
            validate::contact(&p.contact).ok().as_ref(),
            Some(&p.contact)
        );
        assert_eq!(
            validate::text("opening_hours", &p.opening_hours, validate::MAX_NAME)
                .ok()
                .as_ref(),
            Some(&p.opening_hours)
        );
        if let Some(id) = &p.hsds_id {
            assert!(
                !id.trim().is_empty() && id.chars().count() <= 200,
                "hsds id"
            );
        }
        assert!(!p.serves.is_empty(), "a provider serves no category");
        assert!(p.serves.windows(2).all(|w| w[0] < w[1]), "categories");
    }

    let first = sorted(providers);
    let once = round_trip(&first);
    assert_eq!(once.len(), first.len(), "the export lost or added services");
    for ((id, before), after) in first.iter().zip(&once) {
        assert_eq!(after.name, before.name, "name");
        assert_eq!(after.sector, before.sector, "sector");
        assert_eq!(after.contact, before.contact, "contact");
        assert_eq!(after.serves, before.serves, "need categories");
        assert_eq!(after.opening_hours, before.opening_hours, "opening hours");
        assert_eq!(
            after.hsds_id.as_deref(),
            Some(hsds::service_id(id, before).as_str()),
            "HSDS id"
        );
    }
    let again_input: Vec<(ProviderId, Provider)> = first
        .iter()
        .map(|(id, _)| id.clone())
        .zip(once.iter().cloned())
        .collect();
    let twice = round_trip(&again_input);
    assert_eq!(twice, once, "export then import is not a fixed point");
});
