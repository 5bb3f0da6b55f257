//! Bytes on the wire: a new phone's first sync of an antenna, and a reconnect after one
//! offline edit, counted by a proxy between the phone and a real relay process.
//!
//! In CI with 150 households (asserted). The full figure, 5,000 households:
//! `JIRAN_HOUSEHOLDS=5000 cargo test --release -p jiran-tests --test e2e bandwidth -- --nocapture`

use std::time::Duration;

use crate::support::{create_antenna, invite, Relay};
use jiran_core::testing::{family, need};
use jiran_core::*;
use jiran_tests::phone::{converge, Phone};
use jiran_tests::proxy::{Faults, Proxy};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_first_sync_costs_little_more_than_the_saves_and_a_reconnect_kilobytes() {
    let households: usize = std::env::var("JIRAN_HOUSEHOLDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(150);
    let data = tempfile::tempdir().unwrap();
    let (antenna, code) = create_antenna(data.path(), "La Marsa");
    let relay = Relay::start(data.path());
    let lead = Phone::join(&relay.url, &code, "Leila").await;
    lead.synced().await;
    lead.engine.set_online(false);
    for i in 0..households {
        let h = lead
            .store
            .register_household(
                antenna,
                family(&format!("Family {i}"), &format!("+216 2{i:07}")),
            )
            .unwrap();
        lead.store
            .add_need(h, need(NeedCategory::Food, "parcel"))
            .unwrap();
        lead.store
            .add_note(h, "first visit: two children, rent unpaid since March")
            .unwrap();
    }
    lead.engine.set_online(true);
    lead.synced_within(Duration::from_secs(600)).await;

    let saves: u64 = lead
        .store
        .replication()
        .documents(antenna)
        .unwrap()
        .into_iter()
        .map(|(id, _)| {
            lead.store
                .replication()
                .export_document(id)
                .unwrap()
                .unwrap()
                .len() as u64
        })
        .sum();
    let proxy = Proxy::start(relay.address().parse().unwrap(), Faults::default(), 0).await;
    let token = lead.store.relay_link(antenna).unwrap().unwrap().token;
    let sami = Phone::join(
        &proxy.url(),
        &invite(&relay.url, &token, antenna, "volunteer"),
        "Sami",
    )
    .await;
    converge(&[&lead, &sami], Duration::from_secs(600)).await;
    let (up, down) = proxy.bytes();
    let ratio = down as f64 / saves as f64;
    println!(
        "first sync of {households} households: {down} bytes received, {up} sent; the saves are {saves} bytes: {ratio:.2}x"
    );
    assert!(
        ratio <= 1.5,
        "first sync received {ratio:.2}x the saves (target 1.5x)"
    );

    sami.engine.set_online(false);
    let first = sami.store.households(antenna, &Default::default()).unwrap()[0].id;
    sami.store
        .add_note(first, "called back: rent paid")
        .unwrap();
    let before = proxy.bytes();
    sami.engine.set_online(true);
    converge(&[&lead, &sami], Duration::from_secs(60)).await;
    let after = proxy.bytes();
    let total = (after.0 - before.0) + (after.1 - before.1);
    println!(
        "reconnect after one offline note: {} bytes sent, {} received",
        after.0 - before.0,
        after.1 - before.1
    );
    assert!(total < 16 * 1024, "a reconnect moved {total} bytes");
}
