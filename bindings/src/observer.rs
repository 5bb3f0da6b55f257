//! Following the store from the app: every change on disk and every sync status, delivered
//! to a callback the app implements.

use std::sync::{Arc, Mutex};

use jiran_core::{AntennaId, HouseholdId, LedgerId, StoreEvent};
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use crate::views::SyncStatus;

/// What changed. Sent after the change is on disk, whether made on this phone or merged from
/// another.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum StoreChange {
    /// The antenna's members, directory or household list changed.
    Antenna { antenna: AntennaId },
    /// A household's profile or case changed.
    Household {
        antenna: AntennaId,
        household: HouseholdId,
    },
    /// A household was erased (here or by a lead elsewhere): close any screen showing it.
    HouseholdErased {
        antenna: AntennaId,
        household: HouseholdId,
    },
    /// Donations or deliveries changed: balances may have moved.
    Ledger {
        antenna: AntennaId,
        ledger: LedgerId,
    },
    /// The observer fell behind and missed changes: reload what is on screen.
    Many,
}

/// The app's side of a subscription. Called on a background thread: hand the value to the UI
/// thread and return quickly.
#[uniffi::export(with_foreign)]
pub trait StoreObserver: Send + Sync {
    /// Something changed on disk.
    fn on_change(&self, change: StoreChange);
    /// An antenna's sync status changed.
    fn on_sync_status(&self, status: SyncStatus);
}

/// A running subscription; it ends with `cancel` or when the app drops it.
#[derive(Debug, uniffi::Object)]
pub struct Subscription {
    task: Mutex<Option<JoinHandle<()>>>,
}

#[uniffi::export]
impl Subscription {
    /// Stops the callbacks. Calling it again does nothing.
    pub fn cancel(&self) {
        if let Some(task) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            task.abort();
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl Subscription {
    /// Forwards the store's events to `observer` on `runtime` until cancelled.
    pub(crate) fn start(
        runtime: &tokio::runtime::Runtime,
        mut events: tokio::sync::broadcast::Receiver<StoreEvent>,
        observer: Arc<dyn StoreObserver>,
    ) -> Subscription {
        let task = runtime.spawn(async move {
            loop {
                let change = match events.recv().await {
                    Ok(StoreEvent::AntennaChanged(antenna)) => StoreChange::Antenna { antenna },
                    Ok(StoreEvent::HouseholdChanged { antenna, household }) => {
                        StoreChange::Household { antenna, household }
                    }
                    Ok(StoreEvent::HouseholdErased { antenna, household }) => {
                        StoreChange::HouseholdErased { antenna, household }
                    }
                    Ok(StoreEvent::LedgerChanged { antenna, ledger }) => {
                        StoreChange::Ledger { antenna, ledger }
                    }
                    Ok(StoreEvent::SyncStatus { antenna, status }) => {
                        observer.on_sync_status(SyncStatus::new(antenna, status));
                        continue;
                    }
                    Err(RecvError::Lagged(_)) => StoreChange::Many,
                    Err(RecvError::Closed) => return,
                };
                observer.on_change(change);
            }
        });
        Subscription {
            task: Mutex::new(Some(task)),
        }
    }
}
