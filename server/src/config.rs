//! The command line (clap) and the optional TOML file of limits.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use serde::Deserialize;

use crate::error::{Error, Result};

/// jiran-relay: the relay antennas' phones sync through.
#[derive(Debug, Parser)]
#[command(name = "jiran-relay", version, about)]
pub struct Cli {
    /// What to do; `serve` if omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve websockets and the HTTP API.
    Serve(ServeArgs),
    /// Manage antennas.
    Antenna {
        /// What to do with antennas.
        #[command(subcommand)]
        command: AntennaCommand,
    },
    /// List and revoke devices.
    Device {
        /// What to do with devices.
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Make invites (the recovery path for an antenna without a lead: `--role lead`).
    Invite {
        /// What to do with invites.
        #[command(subcommand)]
        command: InviteCommand,
    },
    /// Copy the database to PATH (safe while serving).
    Backup {
        /// Where to write the backup.
        path: PathBuf,
        /// The data directory.
        #[arg(long, env = "JIRAN_DATA", default_value = "./jiran-data")]
        data: PathBuf,
    },
    /// Replace the database with the backup at PATH, after checking it; the replaced database
    /// is kept beside it (refused while a relay serves DIR).
    Restore {
        /// The backup to restore.
        path: PathBuf,
        /// Restore a backup that holds no antenna (an empty relay).
        #[arg(long)]
        allow_empty: bool,
        /// The data directory.
        #[arg(long, env = "JIRAN_DATA", default_value = "./jiran-data")]
        data: PathBuf,
    },
}

/// `antenna` subcommands.
#[derive(Debug, Subcommand)]
pub enum AntennaCommand {
    /// Create an antenna; prints `{"antenna_id", "invite_code"}` (a single-use lead invite).
    Create {
        /// The antenna's name.
        name: String,
        /// Where it works ("Cité Erriadh, La Marsa").
        #[arg(long, default_value = "")]
        locality: String,
        /// The data directory.
        #[arg(long, env = "JIRAN_DATA", default_value = "./jiran-data")]
        data: PathBuf,
    },
    /// List the relay's antennas, one JSON object a line (devices, documents).
    List {
        /// The data directory.
        #[arg(long, env = "JIRAN_DATA", default_value = "./jiran-data")]
        data: PathBuf,
    },
}

/// `device` subcommands.
#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// List an antenna's devices, one JSON object a line.
    List {
        /// The antenna.
        #[arg(long)]
        antenna: String,
        /// The data directory.
        #[arg(long, env = "JIRAN_DATA", default_value = "./jiran-data")]
        data: PathBuf,
    },
    /// Revoke a device: refused from its next connection; its phone wipes the antenna.
    Revoke {
        /// The device's id (from `device list`).
        id: String,
        /// The data directory.
        #[arg(long, env = "JIRAN_DATA", default_value = "./jiran-data")]
        data: PathBuf,
    },
}

/// `invite` subcommands.
#[derive(Debug, Subcommand)]
pub enum InviteCommand {
    /// Make an invite; prints it as JSON, its code shown this once.
    Create {
        /// The antenna.
        #[arg(long)]
        antenna: String,
        /// `lead`, `volunteer` or `observer`.
        #[arg(long)]
        role: String,
        /// How many devices may use it.
        #[arg(long, default_value_t = 1)]
        uses: u32,
        /// Hours it stays valid (default: `invite_days` of the default limits).
        #[arg(long)]
        hours: Option<u32>,
        /// The data directory.
        #[arg(long, env = "JIRAN_DATA", default_value = "./jiran-data")]
        data: PathBuf,
    },
}

/// `serve` options.
#[derive(Debug, Clone, Parser)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "JIRAN_LISTEN", default_value = "127.0.0.1:3030")]
    pub listen: SocketAddr,
    /// The data directory (created if missing).
    #[arg(long, env = "JIRAN_DATA", default_value = "./jiran-data")]
    pub data: PathBuf,
    /// A TOML file of limits.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

impl ServeArgs {
    /// The limits in force: the `--config` file's, checked ([`Limits::validate`]), or the
    /// defaults.
    pub fn limits(&self) -> Result<Limits> {
        match &self.config {
            Some(path) => Limits::load(path),
            None => Ok(Limits::default()),
        }
    }
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs::parse_from(["serve"])
    }
}

/// Limits, from the `--config` file; every field optional.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest websocket message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Most open websocket connections.
    pub max_connections: u64,
    /// Messages per second one connection may send, sustained (bursts of twice that). Over
    /// it the relay slows its reading; a peer kept over it for 10 seconds is closed with 4008.
    pub messages_per_second: u32,
    /// Most documents one antenna may hold.
    pub max_documents_per_antenna: u64,
    /// Days a new invite stays valid unless the lead says otherwise.
    pub invite_days: u32,
    /// Most disk the database may take, in MiB; none if unset. Past it the relay refuses
    /// new changes (their senders are closed with 4500 and keep them) and goes on serving
    /// what it has: a quota the operator chooses, before the disk itself is full.
    pub max_storage_mb: Option<u64>,
    /// Seconds a new websocket has to send `join`; past them it is closed with 4408, so a
    /// socket that never speaks the protocol holds nothing for long.
    pub join_timeout_seconds: u64,
    /// Seconds a connection has to send a complete HTTP request head (a new connection, or a
    /// kept-alive one between requests); past them it is closed, so half-open requests hold
    /// nothing for long.
    pub header_timeout_seconds: u64,
    /// Bytes the relay holds queued for one connection that does not read them. Past it the
    /// connection is closed with 4009 and what it had queued is dropped, so a peer that
    /// cannot keep up costs at most this (plus one message); the peer reconnects
    /// and sync resumes. A message that finds the queue within the limit is
    /// taken whatever its size, so a document larger than the limit still reaches a device
    /// that reads.
    pub max_queued_bytes_per_connection: usize,
    /// Websockets one device may have open at once; past it a new one is refused with 429,
    /// so one device (or its stolen token) cannot take the relay's connections.
    pub max_connections_per_device: u64,
    /// The bearer token `GET /metrics` requires; `/metrics` answers 404 without one
    /// configured, and 401 to a request without this token. `/healthz` and `/readyz` stay
    /// open.
    pub metrics_token: Option<MetricsToken>,
    /// Join attempts one client address may make a minute (a failed one counts five): an
    /// invite code cannot be guessed by trying, and a distribution day's ten phones join.
    pub joins_per_minute: u32,
    /// Invites one lead device may make an hour.
    pub invites_per_hour: u32,
    /// Hashes one antenna may send the blinded index an hour: its own households' refresh
    /// fits many times, trying every phone number does not (10⁸ hashes).
    pub blinded_hashes_per_hour: u32,
}

/// The `/metrics` token, kept out of `Debug` output (and so out of any log).
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct MetricsToken(pub String);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(…)")
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 16 * 1024 * 1024,
            max_connections: 10_000,
            // A new device syncing a 5,000-household antenna sends about 10,000 messages.
            messages_per_second: 5_000,
            max_documents_per_antenna: 100_000,
            invite_days: 7,
            max_storage_mb: None,
            join_timeout_seconds: 10,
            header_timeout_seconds: 10,
            max_queued_bytes_per_connection: 4 * 1024 * 1024,
            max_connections_per_device: 4,
            metrics_token: None,
            joins_per_minute: 60,
            invites_per_hour: 100,
            blinded_hashes_per_hour: 50_000,
        }
    }
}

impl Limits {
    /// The smallest `max_message_bytes`: a `join` and a small household's sync message fit.
    pub const MIN_MESSAGE_BYTES: usize = 1024;
    /// The largest `max_message_bytes` (the websocket layer may reserve a whole message's
    /// size for one frame).
    pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

    /// Reads limits from a TOML file and checks them ([`Limits::validate`]).
    pub fn load(path: &Path) -> Result<Limits> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
        let limits: Limits =
            toml::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        limits
            .validate()
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        Ok(limits)
    }

    /// Checks every limit is in its range, so a typo (a 0, a unit confused) is refused at start
    /// with the key's name instead of a relay that refuses every message, connection,
    /// document or write. The ranges are in docs/operating.md.
    pub fn validate(&self) -> std::result::Result<(), String> {
        fn check(key: &str, value: u64, min: u64, max: u64, unit: &str) -> Result<(), String> {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(format!(
                    "{key} = {value} is out of range: it must be {min} to {max} {unit}"
                ))
            }
        }
        check(
            "max_message_bytes",
            self.max_message_bytes as u64,
            Self::MIN_MESSAGE_BYTES as u64,
            Self::MAX_MESSAGE_BYTES as u64,
            "(bytes)",
        )?;
        check(
            "max_connections",
            self.max_connections,
            1,
            1_000_000,
            "(connections)",
        )?;
        check(
            "messages_per_second",
            u64::from(self.messages_per_second),
            1,
            1_000_000,
            "(messages a second)",
        )?;
        check(
            "max_documents_per_antenna",
            self.max_documents_per_antenna,
            1,
            u64::from(u32::MAX),
            "(documents)",
        )?;
        check("invite_days", u64::from(self.invite_days), 1, 366, "(days)")?;
        check(
            "join_timeout_seconds",
            self.join_timeout_seconds,
            1,
            300,
            "(seconds)",
        )?;
        check(
            "header_timeout_seconds",
            self.header_timeout_seconds,
            1,
            300,
            "(seconds)",
        )?;
        check(
            "max_queued_bytes_per_connection",
            self.max_queued_bytes_per_connection as u64,
            64 * 1024,
            1 << 30,
            "(bytes)",
        )?;
        check(
            "max_connections_per_device",
            self.max_connections_per_device,
            1,
            1_000_000,
            "(connections)",
        )?;
        if let Some(token) = &self.metrics_token {
            if token.0.len() < 16 {
                return Err(
                    "metrics_token must be at least 16 characters (a long random string)".into(),
                );
            }
        }
        check(
            "joins_per_minute",
            u64::from(self.joins_per_minute),
            1,
            100_000,
            "(attempts a minute per address)",
        )?;
        check(
            "invites_per_hour",
            u64::from(self.invites_per_hour),
            1,
            100_000,
            "(invites an hour per lead device)",
        )?;
        check(
            "blinded_hashes_per_hour",
            u64::from(self.blinded_hashes_per_hour),
            1,
            10_000_000,
            "(hashes an hour per antenna)",
        )?;
        if let Some(mb) = self.max_storage_mb {
            check(
                "max_storage_mb",
                mb,
                1,
                1 << 30,
                "(MiB), or left out for no quota",
            )?;
        }
        Ok(())
    }
}
