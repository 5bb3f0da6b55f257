//! HTTP routes: the websocket at `/v1/sync`, the JSON API, health and metrics.

pub mod api;
pub mod health;
pub mod sync_ws;
