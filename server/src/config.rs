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
        }
    }
}

impl Limits {
    /// Reads limits from a TOML file.
    pub fn load(path: &Path) -> Result<Limits> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    }
}
