//! `jiran-relay`: run `jiran-relay --help`.

fn main() -> std::process::ExitCode {
    jiran_server::cli::run()
}
