//! A volunteer's phone as its own process: joins an antenna (first run) or reopens its store,
//! syncs, and registers households one by one, printing `recorded HOUSEHOLD_ID` after each
//! call returns Ok. Runs until killed.
//!
//! Used by the end-to-end tests that kill a device with SIGKILL in the middle of a sync.
//!
//! Usage: `field_phone STORE_DIR RELAY_URL INVITE_CODE HOUSEHOLDS`

use std::io::Write;
use std::sync::Arc;

use jiran_core::sync::SyncEngine;
use jiran_core::testing::{family, need};
use jiran_core::{NeedCategory, Store};
use jiran_tests::phone::quick_options;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, relay, code, households] = args.as_slice() else {
        return Err("usage: field_phone STORE_DIR RELAY_URL INVITE_CODE HOUSEHOLDS".into());
    };
    let households: u32 = households.parse()?;
    let store = Arc::new(Store::open(dir)?);
    let engine = SyncEngine::start(store.clone(), quick_options())?;
    let antenna = match store.replication().relay_links()?.first() {
        Some(link) => link.antenna,
        None => {
            let antenna = engine
                .join(relay, code, "Sami's phone", "Sami")
                .await?
                .antenna;
            // Work starts once the antenna document is here.
            if let Err(status) = engine
                .until_up_to_date(antenna, std::time::Duration::from_secs(60))
                .await
            {
                return Err(format!("the first sync did not finish: {status:?}").into());
            }
            antenna
        }
    };
    let mut out = std::io::stdout();
    writeln!(out, "joined {antenna}")?;
    for i in 0..households {
        let household = store.register_household(
            antenna,
            family(&format!("Family {i}"), &format!("+216 20 000 {i:03}")),
        )?;
        store.add_need(household, need(NeedCategory::Food, "parcel"))?;
        // Reported only once both calls returned Ok: they are on disk now.
        writeln!(out, "recorded {household}")?;
        out.flush()?;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    writeln!(out, "done")?;
    out.flush()?;
    std::future::pending::<()>().await;
    Ok(())
}
