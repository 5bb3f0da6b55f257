//! Who wrote a change, through a relay restored from an older backup: the relay accepts a
//! change only from the device whose key is its actor, so a phone never forwards another
//! phone's changes; what the restored relay lost comes back from its authors' phones, and
//! honest phones are never refused meanwhile.

use std::time::Duration;

use crate::support::{create_antenna, invite, relay_command, Relay};
use jiran_core::testing::family;
use jiran_core::*;
use jiran_tests::phone::{converge, quick_options, Phone};

const CONVERGE: Duration = Duration::from_secs(40);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_after_a_restore_from_an_old_backup_each_phone_resends_its_own_changes() {
    let data = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(data.path(), "La Marsa");
    let mut relay = Relay::start(data.path());
    let lead = Phone::join(&relay.url, &code, "Leila").await;
    lead.synced().await;
    let sami_code = invite(&relay.url, &lead.token(), lead.antenna, "volunteer");
    let sami = Phone::join(&relay.url, &sami_code, "Sami").await;
    converge(&[&lead, &sami], CONVERGE).await;
    let backup = data.path().join("backup.sqlite3");
    let out = relay_command("backup", &backup, data.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // After the backup: the lead registers a family, and Sami's phone receives it.
    let fatma = lead
        .store
        .register_household(lead.antenna, family("Fatma Ben Ali", "+216 98 123 456"))
        .unwrap();
    converge(&[&lead, &sami], CONVERGE).await;
    assert!(sami.store.household(fatma).is_ok());

    // The lead's phone goes quiet; the relay is restored from the older backup.
    let lead_token = lead.token();
    let antenna = lead.antenna;
    let Phone {
        dir: lead_dir,
        engine,
        store,
        ..
    } = lead;
    drop(engine);
    drop(store);
    relay.kill();
    let out = relay_command("restore", &backup, data.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    relay.restart();

    // Sami's phone holds the lead's family, which the relay lacks; it does not forward it
    // (the relay would refuse it as the lead's), and its own new family reaches the relay.
    let amel = sami
        .store
        .register_household(antenna, family("Amel Gharbi", "+216 22 913 407"))
        .unwrap();
    let newcomer_code = invite(&relay.url, &lead_token, antenna, "volunteer");
    let newcomer = Phone::join(&relay.url, &newcomer_code, "Nour").await;
    let arrived = async {
        while newcomer.store.household(amel).is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(CONVERGE, arrived)
        .await
        .expect("Sami's own family reaches the restored relay");
    assert!(
        newcomer.store.household(fatma).is_err(),
        "the lead's family waits for the lead's phone"
    );

    // The lead's phone comes back and resends its own changes: everyone converges.
    let lead = Phone::reopen("Leila", lead_dir, quick_options());
    converge(&[&lead, &sami, &newcomer], CONVERGE).await;
    for phone in [&lead, &sami, &newcomer] {
        assert!(phone.store.household(fatma).is_ok(), "{}", phone.name);
        assert!(phone.store.household(amel).is_ok(), "{}", phone.name);
    }
}
