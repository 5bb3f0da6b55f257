//! A process killed with SIGKILL right after a write returned loses nothing it reported.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use jiran_core::testing::{household, person};
use jiran_core::{NewAntenna, NewHousehold, NewPerson, NoteId, Store};

#[test]
fn test_every_write_that_returned_survives_a_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (antenna, household) = {
        let store = Store::open(dir.path()).unwrap();
        let (antenna, _) = store
            .create_antenna(NewAntenna {
                name: "Beni Khalled".into(),
                locality: "Nabeul".into(),
                lead_name: "Leila".into(),
            })
            .unwrap();
        let household = store
            .register_household(
                antenna,
                NewHousehold {
                    members: vec![NewPerson {
                        birth_year: None,
                        ..person("Amel")
                    }],
                    address: "near the citrus market".into(),
                    contact_by_phone: false,
                    ..household("Amel", None)
                },
            )
            .unwrap();
        (antenna, household)
    };

    for round in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_durability_writer"))
            .arg(dir.path())
            .arg(antenna.to_string())
            .arg(household.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut reported: Vec<NoteId> = Vec::new();
        // Kill at a different point each round, right after a write returned.
        while reported.len() < 25 + round * 40 {
            let line = lines.next().expect("the writer stopped early").unwrap();
            let id = line.split_once(' ').unwrap().1;
            reported.push(NoteId::from(id));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();

        let store = Store::open(dir.path()).unwrap();
        let notes = store.household(household).unwrap().case.notes;
        for id in &reported {
            assert!(
                notes.contains_key(id),
                "round {round}: note {id} was reported written but is gone"
            );
        }
    }
}
