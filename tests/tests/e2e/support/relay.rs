//! A relay process on a loopback port: the relay binary this crate builds (`src/bin/relay.rs`,
//! the same code as `jiran-relay`), so tests can kill it with SIGKILL and start it again.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use jiran_core::AntennaId;
use serde_json::Value;

/// The relay binary (the same code as `jiran-relay`).
pub const RELAY: &str = env!("CARGO_BIN_EXE_relay");

/// A relay process on 127.0.0.1 serving a data directory, killed when dropped.
pub struct Relay {
    /// The process: tests signal it (SIGTERM) and wait for its exit.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its data directory.
    pub data: PathBuf,
    /// Arguments after `serve --listen … --data …` (a config file), kept for restarts.
    extra: Vec<String>,
    /// Where its log (stderr) goes, if anywhere; kept for restarts, which append to it.
    log: Option<PathBuf>,
    /// `RUST_LOG` for the process, if set (the log-leak tests run it at `trace`).
    level: Option<String>,
}

impl Relay {
    /// Starts a relay on a free port.
    pub fn start(data: &Path) -> Relay {
        Relay::start_with(data, &[])
    }

    /// Starts a relay on a free port with more `serve` arguments (`--config FILE`).
    pub fn start_with(data: &Path, extra: &[&str]) -> Relay {
        Relay::spawn(data, extra, None, None)
    }

    /// [`Relay::start_with`], its log (stderr) written to the file `log` (emptied first).
    pub fn start_logging(data: &Path, extra: &[&str], log: &Path) -> Relay {
        Relay::spawn(data, extra, Some(log), None)
    }

    /// [`Relay::start_logging`] with `RUST_LOG=level`.
    pub fn start_logging_at(data: &Path, level: &str, log: &Path) -> Relay {
        Relay::spawn(data, &[], Some(log), Some(level))
    }

    /// [`Relay::start_with`] at `RUST_LOG=level`, its log written to `log` (emptied first).
    pub fn start_logging_with(data: &Path, extra: &[&str], level: &str, log: &Path) -> Relay {
        Relay::spawn(data, extra, Some(log), Some(level))
    }

    fn spawn(data: &Path, extra: &[&str], log: Option<&Path>, level: Option<&str>) -> Relay {
        let stderr = match log {
            Some(log) => File::create(log).expect("the relay's log file").into(),
            None => Stdio::null(),
        };
        let extra: Vec<String> = extra.iter().map(|&arg| arg.to_owned()).collect();
        let level = level.map(str::to_owned);
        let mut child = serve(data, "127.0.0.1:0", &extra, stderr, level.as_deref())
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
            extra,
            log: log.map(Path::to_owned),
            level,
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        self.url.trim_start_matches("http://").to_owned()
    }

    /// `ws://127.0.0.1:PORT/v1/sync`, where peers sync.
    pub fn ws_url(&self) -> String {
        format!("{}/v1/sync", self.url.replace("http://", "ws://"))
    }

    /// Kills the relay with SIGKILL and starts it again on the same port, data and arguments.
    pub fn crash_and_restart(&mut self) {
        self.stop();
        self.restart();
    }

    /// SIGKILL, leaving the data for [`Relay::restart`] (an operator's work in between: a
    /// restore).
    pub fn kill(&mut self) {
        self.stop();
    }

    /// Starts a killed relay again on the same port, data and arguments.
    pub fn restart(&mut self) {
        let address = self.address();
        // The port is free again once the process is gone; retry briefly if not yet.
        for attempt in 0.. {
            let stderr = match &self.log {
                Some(log) => OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(log)
                    .expect("the relay's log file")
                    .into(),
                None => Stdio::null(),
            };
            let mut child = serve(
                &self.data,
                &address,
                &self.extra,
                stderr,
                self.level.as_deref(),
            )
            .spawn()
            .expect("the relay starts");
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

    /// Kills the relay with SIGKILL and waits for it to be gone.
    pub fn kill9(mut self) {
        self.child.kill().expect("the relay is killed");
        self.child.wait().expect("the relay is gone");
    }

    /// SIGKILL, whatever state the process is in.
    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `relay serve --listen ADDRESS --data DATA EXTRA…`, its address read from stdout.
fn serve(
    data: &Path,
    address: &str,
    extra: &[String],
    stderr: Stdio,
    level: Option<&str>,
) -> Command {
    let mut command = Command::new(RELAY);
    command
        .args(["serve", "--listen", address, "--data"])
        .arg(data)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(stderr);
    if let Some(level) = level {
        command.env("RUST_LOG", level);
    }
    command
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

/// Runs `relay COMMAND PATH --data DIR` (`backup`, `restore`) to completion.
pub fn relay_command(command: &str, path: &Path, data: &Path) -> Output {
    Command::new(RELAY)
        .arg(command)
        .arg(path)
        .arg("--data")
        .arg(data)
        .output()
        .expect("the relay runs")
}
