//! The relay, built inside this crate so that end-to-end tests can start it as a process
//! (`CARGO_BIN_EXE_relay`) and kill it with SIGKILL. Same code as `jiran-relay`.

fn main() -> std::process::ExitCode {
    jiran_server::cli::run()
}
