//! Fixtures shared by the integration tests: devices with a store in a temporary directory,
//! synced by hand. The records they make come from `jiran_core::testing`, re-exported here.

pub use jiran_core::testing::*;
use jiran_core::*;
use tempfile::TempDir;

/// A device without a network: its store, in a temporary directory removed when the device
/// is dropped. Devices exchange documents by hand ([`push`], [`sync`]).
pub struct Device {
    pub dir: TempDir,
    pub store: Store,
}

impl Device {
    pub fn new() -> Device {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        Device { dir, store }
    }

    pub fn reopen(self) -> Device {
        let Device { dir, store } = self;
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        Device { dir, store }
    }
}

/// A lead's device with a fresh antenna.
pub fn antenna() -> (Device, AntennaId) {
    let device = Device::new();
    let (antenna, _) = device
        .store
        .create_antenna(NewAntenna {
            name: "La Marsa – Cité Erriadh".into(),
            locality: "La Marsa".into(),
            lead_name: "Leila".into(),
        })
        .unwrap();
    (device, antenna)
}

/// A second device joining `antenna` as a new member with `role`.
pub fn join(lead: &Device, antenna: AntennaId, role: Role) -> Device {
    let member = lead.store.add_member(antenna, "Sami", role).unwrap();
    let device = Device::new();
    device.store.join_antenna(antenna, &member).unwrap();
    sync(lead, &device, antenna);
    device
}

/// Sends every document of `antenna` from `from` to `to` (one direction).
pub fn push(from: &Device, to: &Device, antenna: AntennaId) {
    for (id, _) in from.store.replication().documents(antenna).unwrap() {
        let bytes = from
            .store
            .replication()
            .export_document(id)
            .unwrap()
            .unwrap();
        to.store.replication().import(id, &bytes).unwrap();
    }
}

/// Both directions, until neither side has anything new.
pub fn sync(a: &Device, b: &Device, antenna: AntennaId) {
    for _ in 0..5 {
        push(a, b, antenna);
        push(b, a, antenna);
        if same_documents(&[a, b], antenna) {
            return;
        }
    }
    panic!("devices did not converge");
}

/// Whether every device holds the same documents at the same heads.
pub fn same_documents(devices: &[&Device], antenna: AntennaId) -> bool {
    let state = |d: &Device| {
        d.store
            .replication()
            .documents(antenna)
            .unwrap()
            .into_iter()
            .map(|(id, _)| (id, d.store.replication().heads(id).unwrap()))
            .collect::<Vec<_>>()
    };
    let first = state(devices[0]);
    devices.iter().all(|d| state(d) == first)
}
