//! Writes notes into a store, one per line of output, as fast as it can, until killed.
//!
//! Used by the durability test: every note this program reports as written must be found
//! after it is killed with SIGKILL and the store is reopened.
//!
//! Usage: `durability_writer STORE_DIR ANTENNA_ID HOUSEHOLD_ID`

use std::io::Write;

use jiran_core::{AntennaId, HouseholdId, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, antenna, household] = args.as_slice() else {
        return Err("usage: durability_writer STORE_DIR ANTENNA_ID HOUSEHOLD_ID".into());
    };
    let _antenna: AntennaId = antenna.parse()?;
    let household: HouseholdId = household.parse()?;
    let store = Store::open(dir)?;
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let note = store.add_note(household, &format!("note {i}"))?;
        // Reported only after the call returned Ok: the contract says it is on disk now.
        writeln!(out, "{i} {note}")?;
        out.flush()?;
    }
    Ok(())
}
