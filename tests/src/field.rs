//! A day in the field: devices that join an antenna through a relay, and the records
//! volunteers make. Shared by the end-to-end tests and the demo.

use std::sync::Arc;
use std::time::Duration;

use jiran_core::sync::{SyncEngine, SyncOptions, SyncStatus};
use jiran_core::*;

/// A phone: its own store directory, store and sync engine.
#[allow(missing_debug_implementations)]
pub struct Device {
    /// Who holds it ("Sami").
    pub name: String,
    /// The store directory (removed when the device is dropped, unless kept).
    pub dir: tempfile::TempDir,
    /// The device's store.
    pub store: Arc<Store>,
    /// Its sync engine.
    pub engine: SyncEngine,
    /// The antenna it joined.
    pub antenna: AntennaId,
}

/// Sync pacing for tests on loopback: quick retries, quick stall detection.
pub fn quick_options() -> SyncOptions {
    SyncOptions {
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(800),
        stall_timeout: Duration::from_secs(4),
        connect_timeout: Duration::from_secs(4),
        window: 32,
    }
}

impl Device {
    /// A new phone that joins the antenna at `relay_url` with `invite_code`.
    pub async fn join(relay_url: &str, invite_code: &str, name: &str) -> Device {
        Device::join_with(relay_url, invite_code, name, quick_options()).await
    }

    /// [`Device::join`] with chosen sync options.
    pub async fn join_with(
        relay_url: &str,
        invite_code: &str,
        name: &str,
        options: SyncOptions,
    ) -> Device {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Arc::new(Store::open(dir.path()).expect("a new store"));
        let engine = SyncEngine::start(store.clone(), options).expect("the engine starts");
        let link = engine
            .join(relay_url, invite_code, &format!("{name}'s phone"), name)
            .await
            .expect("the invite is accepted");
        Device {
            name: name.to_owned(),
            dir,
            store,
            engine,
            antenna: link.antenna,
        }
    }

    /// Reopens a device from its directory (after its process or engine stopped).
    pub fn reopen(name: &str, dir: tempfile::TempDir, options: SyncOptions) -> Device {
        let store = Arc::new(Store::open(dir.path()).expect("the store reopens"));
        let antenna = store.replication().relay_links().expect("links")[0].antenna;
        let engine = SyncEngine::start(store.clone(), options).expect("the engine starts");
        Device {
            name: name.to_owned(),
            dir,
            store,
            engine,
            antenna,
        }
    }

    /// The device's relay token (a lead's, for the calls a lead makes to the relay).
    pub fn token(&self) -> String {
        self.store
            .relay_link(self.antenna)
            .expect("the store answers")
            .expect("the device joined through a relay")
            .token
    }

    /// Waits until the device is up to date with nothing unsent; panics after `within`.
    pub async fn synced_within(&self, within: Duration) -> SyncStatus {
        match self.engine.until_up_to_date(self.antenna, within).await {
            Ok(status) => status,
            Err(last) => panic!("{} did not get up to date; last status {last:?}", self.name),
        }
    }

    /// [`Device::synced_within`] 30 seconds.
    pub async fn synced(&self) -> SyncStatus {
        self.synced_within(Duration::from_secs(30)).await
    }

    /// Every document of the antenna on this device with its heads, sorted: two devices
    /// agree when these are equal.
    pub fn fingerprint(&self) -> Vec<(DocumentId, Vec<automerge::ChangeHash>)> {
        let mut out: Vec<_> = self
            .store
            .replication()
            .documents(self.antenna)
            .expect("documents")
            .into_iter()
            .map(|(id, _)| {
                let mut heads = self
                    .store
                    .replication()
                    .heads(id)
                    .expect("heads")
                    .unwrap_or_default();
                heads.sort();
                (id, heads)
            })
            .collect();
        out.sort();
        out
    }
}

/// A household with one head of household.
pub fn family(name: &str, phone: &str) -> NewHousehold {
    NewHousehold {
        members: vec![NewPerson {
            name: name.into(),
            birth_year: Some(1965),
            relationship: Relationship::Head,
            flags: Default::default(),
        }],
        phone: Some(phone.into()),
        address: "near the market".into(),
        coordinates: None,
        keep_data: true,
        share_with_municipality: false,
        contact_by_phone: true,
        priority: Priority::High,
        shock: None,
    }
}

/// A need.
pub fn need(category: NeedCategory, description: &str) -> NewNeed {
    NewNeed {
        category,
        description: description.into(),
        urgency: Urgency::High,
    }
}

/// A received cash donation of `dinars` TND.
pub fn cash(dinars: u64, donor: &str) -> NewDonation {
    NewDonation {
        gift: Gift::Money {
            amount_minor: dinars * 1000,
            currency: "TND".into(),
        },
        donor: Some(donor.into()),
        custodian: None,
        status: DonationStatus::Received,
        restricted_to: None,
        recorded_at: None,
    }
}

/// A delivery to `household` paid from `donation`.
pub fn delivery(
    household: HouseholdId,
    category: NeedCategory,
    donation: &DonationId,
    dinars: u64,
) -> NewDelivery {
    NewDelivery {
        household,
        category,
        description: "delivered at the door".into(),
        funding: vec![(donation.clone(), dinars * 1000)],
        delivered_at: None,
    }
}

/// Waits until every device is up to date and all hold the same documents at the same
/// heads; panics after `within` with what differs.
pub async fn converge(devices: &[&Device], within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let mut all_synced = true;
        for device in devices {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            all_synced &= device
                .engine
                .until_up_to_date(device.antenna, left.min(Duration::from_millis(200)))
                .await
                .is_ok();
        }
        // Fingerprints load every document: only worth it once everyone says up to date.
        if all_synced {
            let first = devices[0].fingerprint();
            if devices.iter().all(|d| d.fingerprint() == first) {
                return;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            let report: Vec<String> = devices
                .iter()
                .map(|d| {
                    format!(
                        "{}: {} documents, status {:?}",
                        d.name,
                        d.fingerprint().len(),
                        d.engine.status(d.antenna)
                    )
                })
                .collect();
            panic!("devices did not converge: {report:#?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
