//! The stock JS client (@automerge/automerge-repo with its websocket adapter, from npm)
//! syncs through jiran-relay unchanged. Installs the npm packages on first run.

use std::path::Path;
use std::process::Command;

use crate::support::*;

/// `tests/js-interop`, its npm packages installed.
fn js_dir() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("js-interop");
    if !dir.join("node_modules/@automerge/automerge-repo").exists() {
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm is needed for the JS interop test");
        assert!(status.success(), "npm install failed");
    }
    dir
}

/// Fifty stock JS clients on one document make 200 changes between them as fast as they can
/// (the load benchmark's burst), three times: every client ends with every change. Before
/// the relay kept a change that arrived without its dependency aside for its sender and
/// asked for the dependency, about one run in eight ended with one writer's last change
/// never reaching anyone (a false positive of the relay's Bloom filter is enough).
#[test]
fn test_fifty_stock_js_clients_converge_after_a_burst() {
    let dir = js_dir();
    let (_data, relay, lead) = relay_with_limits("max_connections_per_device = 100\n");
    for run in 1..=3 {
        let output = Command::new("node")
            .args(["load.mjs", "burst", &relay.ws_url(), &lead.token])
            .env("CLIENTS", "50")
            .env("BURST", "200")
            .env("TIMEOUT_MS", "30000")
            .current_dir(&dir)
            .output()
            .expect("node is needed for the JS interop test");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stdout.contains("\"converge_s\""),
            "run {run}: stdout:\n{stdout}\nstderr:\n{stderr}"
        );
    }
}

#[test]
fn test_the_stock_js_client_syncs_through_the_relay_within_one_antenna_only() {
    let dir = js_dir();
    let w = world();
    let output = Command::new("node")
        .arg("interop.mjs")
        .arg(w.relay.ws_url())
        .args([&w.lead.token, &w.volunteer.token, &w.stranger.token])
        .current_dir(&dir)
        .output()
        .expect("node is needed for the JS interop test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("interop: 4 passed, 0 failed"), "{stdout}");
}
