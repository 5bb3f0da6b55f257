//! The stock JS client (@automerge/automerge-repo with its websocket adapter, from npm)
//! syncs through jiran-relay unchanged. Installs the npm packages on first run.

use std::path::Path;
use std::process::Command;

use crate::support::*;

#[test]
fn test_the_stock_js_client_syncs_through_the_relay_within_one_antenna_only() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("js-interop");
    if !dir.join("node_modules/@automerge/automerge-repo").exists() {
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm is needed for the JS interop test");
        assert!(status.success(), "npm install failed");
    }
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
