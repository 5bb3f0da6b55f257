//! Phones on a relay process, as most end-to-end stories start: an antenna with its lead's
//! phone, and volunteers the lead invites.

use std::path::Path;

use jiran_tests::phone::Phone;

use super::{create_antenna, invite, Relay};

/// A relay with an antenna, its lead's phone joined and synced.
pub async fn antenna_with_lead(data: &Path) -> (Relay, Phone) {
    let (_, code) = create_antenna(data, "La Marsa");
    let relay = Relay::start(data);
    let lead = Phone::join(&relay.url, &code, "Leila").await;
    lead.synced().await;
    (relay, lead)
}

/// A volunteer's phone, invited by `lead`, joined.
pub async fn volunteer(relay: &Relay, lead: &Phone, name: &str) -> Phone {
    let code = invite(&relay.url, &lead.token(), lead.antenna, "volunteer");
    Phone::join(&relay.url, &code, name).await
}
