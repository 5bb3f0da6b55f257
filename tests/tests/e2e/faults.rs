//! Sync through a hostile network and through crashes: a fault-injecting proxy between
//! phones and a real relay process, the relay killed with SIGKILL, a phone's process killed
//! with SIGKILL. Every record a call accepted must end up on every phone.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{create_antenna, invite, Relay};
use jiran_core::sync::SyncOptions;
use jiran_core::testing::{family, need};
use jiran_core::*;
use jiran_tests::phone::{converge, quick_options, Phone};
use jiran_tests::proxy::{Faults, Proxy};

fn seed() -> u64 {
    let seed = std::env::var("JIRAN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("faults drawn with JIRAN_SEED={seed}");
    seed
}

struct Antenna {
    _data: tempfile::TempDir,
    relay: Relay,
    lead: Phone,
    token: String,
}

async fn antenna() -> Antenna {
    let data = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(data.path(), "La Marsa");
    let relay = Relay::start(data.path());
    let lead = Phone::join(&relay.url, &code, "Leila").await;
    lead.synced().await;
    let token = lead.store.relay_link(lead.antenna).unwrap().unwrap().token;
    Antenna {
        _data: data,
        relay,
        lead,
        token,
    }
}

impl Antenna {
    fn invite(&self) -> String {
        invite(&self.relay.url, &self.token, self.lead.antenna, "volunteer")
    }
}

/// Registers `n` households with a need on `device`; returns their ids.
fn record(device: &Phone, n: usize, tag: &str) -> Vec<HouseholdId> {
    (0..n)
        .map(|i| {
            let h = device
                .store
                .register_household(
                    device.antenna,
                    family(&format!("{tag} {i}"), &format!("+216 2{i:07}")),
                )
                .unwrap();
            device
                .store
                .add_need(h, need(NeedCategory::Food, "parcel"))
                .unwrap();
            h
        })
        .collect()
}

fn assert_has(device: &Phone, households: &[HouseholdId]) {
    for h in households {
        let detail = device
            .store
            .household(*h)
            .unwrap_or_else(|e| panic!("{} lacks a household: {e}", device.name));
        assert_eq!(detail.case.needs.len(), 1, "{} lacks a need", device.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_sync_survives_drops_duplicates_cuts_and_stalls() {
    let world = antenna().await;
    let relay_addr = world.relay.address().parse().unwrap();
    let faults = Faults {
        latency: Duration::from_millis(10),
        drop: 0.01,
        duplicate: 0.01,
        stall: 0.01,
        stall_for: Duration::from_secs(5),
        cut_after: Some((1_000, 30_000)),
    };
    let proxy = Proxy::start(relay_addr, faults, seed()).await;
    let sami = Phone::join(&proxy.url(), &world.invite(), "Sami").await;
    sami.synced_within(Duration::from_secs(60)).await; // the antenna document arrives
    let from_sami = record(&sami, 25, "Sami");
    let from_lead = record(&world.lead, 15, "Leila");
    // Let the faults bite for a while, then heal the network and require convergence.
    tokio::time::sleep(Duration::from_secs(5)).await;
    proxy.set_faults(Faults::default());
    proxy.cut_all();
    converge(&[&world.lead, &sami], Duration::from_secs(60)).await;
    assert!(
        proxy.connections() > 2,
        "faults cut connections ({} made)",
        proxy.connections()
    );
    for device in [&world.lead, &sami] {
        assert_has(device, &from_sami);
        assert_has(device, &from_lead);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_backlog_reaches_the_relay_over_a_two_second_round_trip_with_disconnects() {
    let world = antenna().await;
    let relay_addr = world.relay.address().parse().unwrap();
    let poor = Faults {
        latency: Duration::from_secs(1),
        cut_after: Some((20_000, 60_000)),
        ..Faults::default()
    };
    let proxy = Proxy::start(relay_addr, Faults::default(), seed()).await;
    let options = SyncOptions {
        stall_timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(10),
        ..quick_options()
    };
    let sami = Phone::join_with(&proxy.url(), &world.invite(), "Sami", options).await;
    sami.synced().await;
    sami.engine.set_online(false);
    let mut households = record(&sami, 10, "Backlog");
    while sami.store.pending_changes(sami.antenna).unwrap() < 50 {
        households.extend(record(&sami, 1, "More"));
    }
    let backlog = sami.store.pending_changes(sami.antenna).unwrap();
    proxy.set_faults(poor);
    let started = Instant::now();
    sami.engine.set_online(true);
    sami.synced_within(Duration::from_secs(240)).await;
    let took = started.elapsed();
    println!(
        "poor link (2 s round trip, cuts every 20-60 KB): {backlog} changes reached the relay in {:.1} s over {} connections",
        took.as_secs_f64(),
        proxy.connections()
    );
    proxy.set_faults(Faults::default());
    converge(&[&world.lead, &sami], Duration::from_secs(60)).await;
    assert_has(&world.lead, &households);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_relay_killed_mid_sync_comes_back_and_nothing_is_lost() {
    let mut world = antenna().await;
    let sami = Phone::join(&world.relay.url, &world.invite(), "Sami").await;
    sami.synced().await;
    sami.engine.set_online(false);
    let from_sami = record(&sami, 40, "Sami");
    sami.engine.set_online(true);
    // Kill the relay while Sami's backlog is flowing, then again a moment later.
    tokio::time::sleep(Duration::from_millis(150)).await;
    world.relay.crash_and_restart();
    tokio::time::sleep(Duration::from_millis(300)).await;
    world.relay.crash_and_restart();
    sami.engine.sync_now();
    world.lead.engine.sync_now();
    converge(&[&world.lead, &sami], Duration::from_secs(60)).await;
    assert_has(&world.lead, &from_sami);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_phone_killed_mid_sync_reopens_with_everything_it_recorded() {
    let world = antenna().await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_field_phone"))
        .arg(dir.path())
        .args([&world.relay.url, &world.invite(), "500"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut recorded = Vec::new();
    while recorded.len() < 60 {
        let line = lines.next().expect("the phone reports").unwrap();
        if let Some(id) = line.strip_prefix("recorded ") {
            recorded.push(id.parse::<HouseholdId>().unwrap());
        }
    }
    child.kill().unwrap(); // SIGKILL, while it records and syncs
    child.wait().unwrap();

    let sami = Phone::reopen("Sami", dir, quick_options());
    assert_has(&sami, &recorded);
    converge(&[&world.lead, &sami], Duration::from_secs(60)).await;
    assert_has(&world.lead, &recorded);
}
