//! A relay process for end-to-end tests, and the calls a lead makes to it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use jiran_core::AntennaId;
use serde_json::{json, Value};

/// The relay binary (the same code as `jiran-relay`).
pub const RELAY: &str = env!("CARGO_BIN_EXE_relay");

/// A relay process on 127.0.0.1, killed when dropped.
pub struct Relay {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its data directory.
    pub data: PathBuf,
}

impl Relay {
    /// Starts a relay on a free port.
    pub fn start(data: &Path) -> Relay {
        Relay::start_on(data, "127.0.0.1:0")
    }

    /// Starts a relay listening on `address`.
    pub fn start_on(data: &Path, address: &str) -> Relay {
        let mut child = Command::new(RELAY)
            .args(["serve", "--listen", address, "--data"])
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the relay starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the relay prints its address");
        let url = line
            .trim()
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "relay said {line:?}");
        Relay {
            child,
            url,
            data: data.to_owned(),
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        self.url.trim_start_matches("http://").to_owned()
    }

    /// Kills the relay with SIGKILL and starts it again on the same port and data.
    pub fn crash_and_restart(&mut self) {
        self.kill9();
        let address = self.address();
        // The port is free again once the process is gone; retry briefly if not yet.
        for attempt in 0.. {
            let child = Command::new(RELAY)
                .args(["serve", "--listen", &address, "--data"])
                .arg(&self.data)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("the relay starts");
            let mut child = child;
            let mut line = String::new();
            let _ = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line);
            if line.contains("listening") {
                self.child = child;
                return;
            }
            let _ = child.wait();
            assert!(
                attempt < 50,
                "the relay could not listen on {address} again"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// Kills the relay with SIGKILL.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// `relay antenna create NAME`: the antenna and its lead's invite code.
pub fn create_antenna(data: &Path, name: &str) -> (AntennaId, String) {
    let output = Command::new(RELAY)
        .args(["antenna", "create", name, "--data"])
        .arg(data)
        .output()
        .expect("the relay runs");
    assert!(output.status.success(), "antenna create failed: {output:?}");
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    (
        value["antenna_id"]
            .as_str()
            .expect("an id")
            .parse()
            .expect("an antenna id"),
        value["invite_code"].as_str().expect("a code").to_owned(),
    )
}

/// An invite for `role`, made with a lead's token.
pub fn invite(relay_url: &str, lead_token: &str, antenna: AntennaId, role: &str) -> String {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent
        .post(&format!("{relay_url}/v1/antennas/{antenna}/invites"))
        .header("Authorization", &format!("Bearer {lead_token}"))
        .send_json(json!({ "role": role }))
        .expect("the relay answers");
    assert_eq!(response.status().as_u16(), 200, "invite refused");
    let body: Value = response.body_mut().read_json().expect("JSON");
    body["invite_code"].as_str().expect("a code").to_owned()
}

/// Revokes a device, with a lead's token.
pub fn revoke(relay_url: &str, lead_token: &str, antenna: AntennaId, device_id: &str) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let response = agent
        .delete(&format!(
            "{relay_url}/v1/antennas/{antenna}/devices/{device_id}"
        ))
        .header("Authorization", &format!("Bearer {lead_token}"))
        .call()
        .expect("the relay answers");
    assert_eq!(response.status().as_u16(), 204, "revocation refused");
}
