//! The antenna's directory of providers: public, private, non-profit and religious services
//! a household can be referred to, added by hand or loaded from an HSDS file, and which of
//! them serve a need.

use autosurgeon::reconcile_prop;

use crate::error::Result;
use crate::ids::{AntennaId, ProviderId};
use crate::model::{validate, NeedCategory, Provider, Sector};
use crate::store::access::{map_at, LEADS};
use crate::store::events::StoreEvent;
use crate::store::Store;

/// A provider to add to the antenna's directory.
#[derive(Clone, Debug)]
pub struct NewProvider {
    /// Its name.
    pub name: String,
    /// Its sector.
    pub sector: Sector,
    /// The needs it serves.
    pub serves: Vec<NeedCategory>,
    /// How to reach it.
    pub contact: String,
    /// When it is open.
    pub opening_hours: String,
}

impl Store {
    /// Adds a provider to the antenna's directory (leads only).
    pub fn add_provider(&self, antenna: AntennaId, new: NewProvider) -> Result<ProviderId> {
        let mut serves = new.serves;
        serves.sort();
        serves.dedup();
        let provider = Provider {
            name: validate::name("name", &new.name)?,
            sector: new.sector,
            serves,
            contact: validate::contact(&new.contact)?,
            opening_hours: validate::text("opening_hours", &new.opening_hours, validate::MAX_NAME)?,
            hsds_id: None,
        };
        let id = ProviderId::random();
        self.batch(|b| {
            b.acting(antenna, "edit the directory", LEADS)?;
            b.change(antenna.document(), "add provider", |tx| {
                let providers = map_at(tx, &["providers"])?;
                reconcile_prop(tx, providers, id.as_str(), &provider)?;
                Ok(())
            })?;
            b.events.push(StoreEvent::AntennaChanged(antenna));
            Ok(id.clone())
        })
    }

    /// The providers of the antenna's directory that serve `category`, by name.
    pub fn providers_for(
        &self,
        antenna: AntennaId,
        category: NeedCategory,
    ) -> Result<Vec<(ProviderId, Provider)>> {
        let directory = self.antenna(antenna)?.providers;
        let mut out: Vec<(ProviderId, Provider)> = directory
            .into_iter()
            .filter(|(_, p)| p.serves.contains(&category))
            .collect();
        out.sort_by(|a, b| (&a.1.name, &a.0).cmp(&(&b.1.name, &b.0)));
        Ok(out)
    }
}
