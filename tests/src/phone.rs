//! Phones: a store and its sync engine that join an antenna through a relay, as a volunteer's
//! phone does. Shared by the end-to-end tests, the demo and `field_phone`. The records the
//! phones make come from `jiran_core::testing`.

use std::sync::Arc;
use std::time::Duration;

use jiran_core::sync::{SyncEngine, SyncOptions, SyncStatus};
use jiran_core::*;

/// A phone: its own store directory, store and sync engine, joined to one antenna through a
/// relay. Everything it records is on disk in `dir` once the call returns, and reaches the
/// relay through `engine` when it is online.
#[allow(missing_debug_implementations)]
pub struct Phone {
    /// Who holds it ("Sami").
    pub name: String,
    /// The store directory (removed when the phone is dropped, unless kept).
    pub dir: tempfile::TempDir,
    /// The phone's store.
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

impl Phone {
    /// A new phone that joins the antenna at `relay_url` with `invite_code`.
    pub async fn join(relay_url: &str, invite_code: &str, name: &str) -> Phone {
        Phone::join_with(relay_url, invite_code, name, quick_options()).await
    }

    /// [`Phone::join`] with chosen sync options.
    pub async fn join_with(
        relay_url: &str,
        invite_code: &str,
        name: &str,
        options: SyncOptions,
    ) -> Phone {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Arc::new(Store::open(dir.path()).expect("a new store"));
        let engine = SyncEngine::start(store.clone(), options).expect("the engine starts");
        let link = engine
            .join(relay_url, invite_code, &format!("{name}'s phone"), name)
            .await
            .expect("the invite is accepted");
        Phone {
            name: name.to_owned(),
            dir,
            store,
            engine,
            antenna: link.antenna,
        }
    }

    /// Reopens a phone from its directory (after its process or engine stopped).
    pub fn reopen(name: &str, dir: tempfile::TempDir, options: SyncOptions) -> Phone {
        let store = Arc::new(Store::open(dir.path()).expect("the store reopens"));
        let antenna = store.replication().relay_links().expect("links")[0].antenna;
        let engine = SyncEngine::start(store.clone(), options).expect("the engine starts");
        Phone {
            name: name.to_owned(),
            dir,
            store,
            engine,
            antenna,
        }
    }

    /// The phone's relay token (a lead's, for the calls a lead makes to the relay).
    pub fn token(&self) -> String {
        self.store
            .relay_link(self.antenna)
            .expect("the store answers")
            .expect("the phone joined through a relay")
            .token
    }

    /// Waits until the phone is up to date with nothing unsent; panics after `within`.
    pub async fn synced_within(&self, within: Duration) -> SyncStatus {
        match self.engine.until_up_to_date(self.antenna, within).await {
            Ok(status) => status,
            Err(last) => panic!("{} did not get up to date; last status {last:?}", self.name),
        }
    }

    /// [`Phone::synced_within`] 30 seconds.
    pub async fn synced(&self) -> SyncStatus {
        self.synced_within(Duration::from_secs(30)).await
    }

    /// Every document of the antenna on this phone with its heads, sorted: two phones agree
    /// when these are equal.
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

/// Waits until every phone is up to date and all hold the same documents at the same heads;
/// panics after `within` with what differs.
pub async fn converge(phones: &[&Phone], within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let mut all_synced = true;
        for phone in phones {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            all_synced &= phone
                .engine
                .until_up_to_date(phone.antenna, left.min(Duration::from_millis(200)))
                .await
                .is_ok();
        }
        // Fingerprints load every document: only worth it once everyone says up to date.
        if all_synced {
            let first = phones[0].fingerprint();
            if phones.iter().all(|d| d.fingerprint() == first) {
                return;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            let report: Vec<String> = phones
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
            // Which documents differ, and how: the first thing to look at in a failure.
            let prints: Vec<_> = phones.iter().map(|d| d.fingerprint()).collect();
            let mut differing = std::collections::BTreeSet::new();
            for print in &prints {
                for (doc, heads) in print {
                    if prints.iter().any(|p| !p.contains(&(*doc, heads.clone()))) {
                        differing.insert(*doc);
                    }
                }
            }
            let detail: Vec<String> = differing
                .iter()
                .map(|doc| {
                    let heads: Vec<String> = prints
                        .iter()
                        .zip(phones)
                        .map(|(p, d)| {
                            let h = p.iter().find(|(id, _)| id == doc).map(|(_, h)| {
                                h.iter()
                                    .map(|x| x.to_string()[..8].to_owned())
                                    .collect::<Vec<_>>()
                            });
                            format!("{}: heads {h:?}", d.name)
                        })
                        .collect();
                    format!("{doc}: {}", heads.join(", "))
                })
                .collect();
            panic!("devices did not converge: {report:#?}\ndiffering documents: {detail:#?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
