//! The provider directory to and from Open Referral HSDS files (see
//! [`super::hsds`] for the format and the category mapping).

use std::collections::{HashMap, HashSet};

use autosurgeon::reconcile_prop;

use super::hsds;
use crate::error::Result;
use crate::ids::{AntennaId, ProviderId};
use crate::model::Provider;
use crate::search::fold;
use crate::store::access::{existing, map_at, LEADS};
use crate::store::events::StoreEvent;
use crate::store::Store;

/// What an HSDS import did to the directory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Services new to the directory, added as providers.
    pub added: u32,
    /// Providers already in the directory whose name, sector, needs served, contact or
    /// opening hours the file changed.
    pub updated: u32,
    /// Services already in the directory exactly as in the file, or repeated in the file.
    pub skipped: u32,
}

impl Store {
    /// The antenna's provider directory as an HSDS JSON file (any member: the directory
    /// holds no household data).
    pub fn export_providers_hsds(&self, antenna: AntennaId) -> Result<Vec<u8>> {
        let providers: Vec<(ProviderId, Provider)> =
            self.antenna(antenna)?.providers.into_iter().collect();
        hsds::export(&providers)
    }

    /// Loads the services of an HSDS JSON file into the antenna's directory (leads only), in
    /// one change: a file refused anywhere adds nothing.
    ///
    /// A service is the provider already in the directory with the same HSDS id (imported
    /// before, or exported from this directory), or else with the same name (compared
    /// without case, accents or punctuation). The file wins for the fields it carries:
    /// a known provider whose name, sector, needs served, contact or opening hours differ is
    /// updated, field by field; one that does not differ is skipped, as is a service repeated
    /// in the file. Everything else is added.
    ///
    /// # Errors
    /// [`crate::Error::NotPermitted`] for volunteers and observers (checked before the file
    /// is read); [`crate::Error::ImportRefused`] for a file too large, malformed, with too
    /// many services or an overlong field, naming the service by position, never its content.
    pub fn import_providers_hsds(&self, antenna: AntennaId, bytes: &[u8]) -> Result<ImportSummary> {
        self.batch(|b| {
            b.acting(antenna, "edit the directory", LEADS)?;
            let incoming = hsds::import(bytes)?;
            let directory = b.antenna(antenna)?.providers;
            let mut by_id: HashMap<String, ProviderId> = HashMap::new();
            let mut by_name: HashMap<String, ProviderId> = HashMap::new();
            for (id, p) in &directory {
                by_id.insert(hsds::service_id(id, p), id.clone());
                by_name.entry(fold(&p.name)).or_insert_with(|| id.clone());
            }
            let mut summary = ImportSummary::default();
            let mut touched: HashSet<ProviderId> = HashSet::new();
            let mut added: Vec<(ProviderId, Provider)> = Vec::new();
            let mut updated: Vec<(ProviderId, Provider, Provider)> = Vec::new();
            for mut provider in incoming {
                let name = fold(&provider.name);
                let known = provider
                    .hsds_id
                    .as_ref()
                    .and_then(|id| by_id.get(id))
                    .or_else(|| by_name.get(&name))
                    .cloned();
                match known {
                    Some(id) if touched.contains(&id) => summary.skipped += 1,
                    Some(id) => {
                        touched.insert(id.clone());
                        let old = directory[&id].clone();
                        // Keep the link the provider has (or the id derived from its own).
                        if old.hsds_id.is_some()
                            || provider.hsds_id.as_deref() == Some(&hsds::service_id(&id, &old))
                        {
                            provider.hsds_id = old.hsds_id.clone();
                        }
                        let visible = |p: &Provider| {
                            (
                                p.name.clone(),
                                p.sector,
                                p.serves.clone(),
                                p.contact.clone(),
                                p.opening_hours.clone(),
                            )
                        };
                        if visible(&old) != visible(&provider) {
                            summary.updated += 1;
                        } else {
                            summary.skipped += 1;
                        }
                        if old != provider {
                            updated.push((id, provider, old));
                        }
                    }
                    None => {
                        let id = ProviderId::random();
                        summary.added += 1;
                        touched.insert(id.clone());
                        if let Some(hsds_id) = &provider.hsds_id {
                            by_id.insert(hsds_id.clone(), id.clone());
                        }
                        by_name.insert(name, id.clone());
                        added.push((id, provider));
                    }
                }
            }
            if added.is_empty() && updated.is_empty() {
                return Ok(summary);
            }
            b.change(antenna.document(), "import providers (HSDS)", |tx| {
                let providers = map_at(tx, &["providers"])?;
                for (id, provider) in &added {
                    reconcile_prop(&mut *tx, &providers, id.as_str(), provider)?;
                }
                for (id, new, old) in &updated {
                    let entry = existing(tx, &["providers"], id.as_str(), "provider")?;
                    if new.name != old.name {
                        reconcile_prop(&mut *tx, &entry, "name", &new.name)?;
                    }
                    if new.sector != old.sector {
                        reconcile_prop(&mut *tx, &entry, "sector", new.sector)?;
                    }
                    if new.serves != old.serves {
                        reconcile_prop(&mut *tx, &entry, "serves", &new.serves)?;
                    }
                    if new.contact != old.contact {
                        reconcile_prop(&mut *tx, &entry, "contact", &new.contact)?;
                    }
                    if new.opening_hours != old.opening_hours {
                        reconcile_prop(&mut *tx, &entry, "opening_hours", &new.opening_hours)?;
                    }
                    if new.hsds_id != old.hsds_id {
                        reconcile_prop(&mut *tx, &entry, "hsds_id", &new.hsds_id)?;
                    }
                }
                Ok(())
            })?;
            b.events.push(StoreEvent::AntennaChanged(antenna));
            Ok(summary)
        })
    }
}
