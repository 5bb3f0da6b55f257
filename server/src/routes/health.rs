//! `GET /healthz`, `GET /readyz`, `GET /metrics`.

use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The relay can serve: its storage answers.
pub async fn readyz(State(app): State<AppState>) -> (StatusCode, &'static str) {
    match app.storage.ping() {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::error!(%error, "storage does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable")
        }
    }
}

/// Prometheus text format.
pub async fn metrics(State(app): State<AppState>) -> String {
    app.metrics.render(app.storage.size_bytes().unwrap_or(0))
}
