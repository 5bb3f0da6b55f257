//! The relay's one error type, and how API errors reach clients: stable messages, no internal
//! details, no personal data.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Everything that can go wrong in the relay.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The SQLite database failed.
    #[error("storage: {0}")]
    Storage(#[from] rusqlite::Error),
    /// A file operation failed.
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    /// The data directory was written by a newer relay.
    #[error(
        "the data directory was written by a newer jiran-relay (schema {found}, this one reads \
         up to {supported}); upgrade jiran-relay. Nothing was changed"
    )]
    NewerData {
        /// Schema found.
        found: i64,
        /// Newest this build reads.
        supported: i64,
    },
    /// The database file is not a relay database or is damaged.
    #[error("the relay database is damaged or not a jiran-relay database ({0})")]
    CorruptData(String),
    /// A backup given to `restore` was refused; nothing in the data directory was changed.
    #[error("refusing to restore {path}: {reason}; nothing was changed")]
    BadBackup {
        /// The backup file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `backup` was refused its target; nothing was written.
    #[error("refusing to back up to {path}: {reason}; nothing was written")]
    BadTarget {
        /// The target given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Another relay serves this data directory.
    #[error("a relay is serving {0}; stop it first")]
    InUse(String),
    /// A configuration file could not be read.
    #[error("configuration: {0}")]
    Config(String),
    /// A stored document could not be loaded.
    #[error("stored document `{0}` could not be loaded")]
    CorruptDocument(String),
    /// Automerge refused an operation.
    #[error("document engine: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}

/// The result type of the relay.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An HTTP API error: a status and a stable message for the client.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What the client is told.
    pub message: &'static str,
    /// For 429: seconds to wait before trying again (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// 400.
    pub const fn bad_request(message: &'static str) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message,
            retry_after: None,
        }
    }
    /// 401.
    pub const fn unauthorized() -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            message: "missing, unknown or revoked device token",
            retry_after: None,
        }
    }
    /// 403.
    pub const fn forbidden() -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            message: "only an antenna lead may do this",
            retry_after: None,
        }
    }
    /// 404.
    pub const fn not_found() -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: "not found",
            retry_after: None,
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        tracing::error!(%error, "request failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "the relay could not complete the request; see its log",
            retry_after: None,
        }
    }
}

impl ApiError {
    /// 429 with the wait: a rate limit (see `crate::throttle`).
    pub fn too_many(message: &'static str, wait: std::time::Duration) -> Self {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            message,
            retry_after: Some(wait.as_secs().max(1)),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(serde_json::json!({ "error": self.message })),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
