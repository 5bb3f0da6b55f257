//! The `jiran-relay` command line (`jiran-relay --help`).

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::config::{AntennaCommand, Cli, Command, DeviceCommand, InviteCommand, ServeArgs};

/// Runs the `jiran-relay` command line: parses the arguments, does what they say, and returns
/// the process's exit code. (Also what the end-to-end tests' relay binary runs.)
pub fn run() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .finish()
        .with(filter_fn(|metadata| !dumps_payloads(metadata)))
        .init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(args),
        Command::Antenna {
            command:
                AntennaCommand::Create {
                    name,
                    locality,
                    data,
                },
        } => crate::create_antenna(&data, &name, &locality).map(|(antenna, code)| {
            println!(
                "{}",
                serde_json::json!({ "antenna_id": antenna.to_string(), "invite_code": code })
            );
        }),
        Command::Antenna {
            command: AntennaCommand::List { data },
        } => crate::operator::antennas(&data).map(print_lines),
        Command::Device {
            command: DeviceCommand::List { antenna, data },
        } => crate::operator::devices(&data, &antenna).map(print_lines),
        Command::Device {
            command: DeviceCommand::Revoke { id, data },
        } => crate::operator::revoke(&data, &id).map(|v| print_lines(vec![v])),
        Command::Invite {
            command:
                InviteCommand::Create {
                    antenna,
                    role,
                    uses,
                    hours,
                    data,
                },
        } => crate::operator::invite(
            &data,
            &antenna,
            &role,
            uses,
            hours.unwrap_or_else(crate::operator::default_invite_hours),
        )
        .map(|v| print_lines(vec![v])),
        Command::Backup { path, data } => crate::backup(&data, &path),
        Command::Restore {
            path,
            data,
            allow_empty,
        } => crate::restore(&data, &path, allow_empty).map(|restored| {
            let s = restored.summary;
            println!(
                "restored {} into {}: {} antennas, {} documents (schema {})",
                path.display(),
                data.join(crate::storage::sqlite::DATABASE_FILE).display(),
                s.antennas,
                s.documents,
                s.schema
            );
            match restored.kept {
                Some(kept) => println!(
                    "the replaced database is kept at {}; delete it when you no longer need it",
                    kept.display()
                ),
                None => println!("there was no database to keep aside"),
            }
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("jiran-relay: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Prints one JSON value a line (what the operator's commands answer).
fn print_lines(values: Vec<serde_json::Value>) {
    for value in values {
        println!("{value}");
    }
}

fn serve(args: ServeArgs) -> crate::error::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // Limits out of range, and a data directory another relay serves, are refused before
    // anything listens.
    args.limits()?;
    let lock = crate::lock_data(&args.data)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen).await?;
        let address = listener.local_addr()?;
        tracing::info!(%address, data = %args.data.display(), "serving");
        println!("jiran-relay listening on http://{address}");
        crate::serve_locked(&args, listener, shutdown_signal(), lock).await
    })
}

/// Libraries whose trace events dump what devices send (websocket frames, Automerge
/// operations with their values, refused request bodies) and so households' names and phone
/// numbers. Their events above debug level say nothing of content.
const PAYLOAD_TARGETS: [&str; 6] = [
    "tungstenite",
    "tokio_tungstenite",
    "automerge",
    "axum",
    "hyper",
    "hyper_util",
];

/// Whether an event or span may carry personal data: trace level from a library of
/// [`PAYLOAD_TARGETS`]. Those are never logged, whatever `RUST_LOG` asks, so the log holds no
/// personal data at any level.
fn dumps_payloads(metadata: &tracing::Metadata<'_>) -> bool {
    *metadata.level() == tracing::Level::TRACE
        && PAYLOAD_TARGETS.iter().any(|target| {
            metadata.target() == *target
                || metadata
                    .target()
                    .strip_prefix(target)
                    .is_some_and(|rest| rest.starts_with("::"))
        })
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
