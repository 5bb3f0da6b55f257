//! `jiran-relay`: the self-hostable relay antennas' phones sync through.
//!
//! Not built yet (issue 3). Until then this binary says so and exits non-zero, so no script
//! mistakes it for a running relay.

fn main() -> std::process::ExitCode {
    eprintln!(
        "jiran-relay is not built yet (see issue 3). To see the core work, run:\n  \
         cargo run -p jiran-core --example demo"
    );
    std::process::ExitCode::from(2)
}
