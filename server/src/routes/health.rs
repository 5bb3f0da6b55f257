//! `GET /healthz`, `GET /readyz`, `GET /metrics`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth;
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

/// Prometheus text format, to a request bearing the configured `metrics_token`: the counters
/// tell who is busy and how the relay is loaded, which is the operator's business only. 404
/// when no token is configured (metrics off), 401 without the right token.
pub async fn metrics(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = &app.limits.metrics_token else {
        return (StatusCode::NOT_FOUND, "metrics are off: set metrics_token").into_response();
    };
    let given = auth::bearer(&headers, None);
    let matches = given.is_some_and(|given| {
        // Compared by hash, so the time taken says nothing about the token.
        auth::hash(&given) == auth::hash(&token.0)
    });
    if !matches {
        return (
            StatusCode::UNAUTHORIZED,
            "metrics need the metrics_token as a bearer token",
        )
            .into_response();
    }
    app.metrics
        .render(app.storage.size_bytes().unwrap_or(0))
        .into_response()
}
