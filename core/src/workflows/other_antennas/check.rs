//! The check with other antennas as a lead's phone runs it against the relay
//! (`PUT`/`DELETE /v1/antennas/{id}/blinded-index`); see [`super`] for what is
//! shared and what is not.

use crate::input_problem::InputProblem;
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::ids::{AntennaId, HouseholdId};
use crate::model::validate;
use crate::replication::RelayLink;
use crate::store::Store;
use crate::sync::join::{agent, lead_link};

/// Another antenna that helps one of ours too: all the blinded index tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherAntenna {
    /// Its name.
    pub name: String,
    /// How to reach it, as its lead gave it.
    pub contact: String,
}

/// One of our households that other antennas help too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlsoHelped {
    /// Our household.
    pub household: HouseholdId,
    /// The antennas that hold the same phone or national ID number (sorted, without repeats).
    pub antennas: Vec<OtherAntenna>,
}

/// What a refusal names as tried.
const ACTION: &str = "take part in the blinded index";

#[derive(Deserialize)]
struct Matches {
    matches: Vec<Match>,
}

#[derive(Deserialize)]
struct Match {
    hash: String,
    antenna: String,
    contact: String,
}

/// Sends the antenna's blinded hashes to its relay (opting in, or refreshing what was sent)
/// and answers which of its households other opted-in antennas with the same federation key
/// help too, with how to reach them. `contact` is what those antennas will see of ours.
/// Blocking: call it off the UI thread. Leads only.
///
/// # Errors
/// [`Error::Invalid`] without a federation key ([`Store::set_federation_key`]) or with an
/// empty contact, [`Error::NotAMember`] / [`Error::NotPermitted`] unless this device joined
/// the antenna's relay as a lead, [`Error::TokenRefused`], [`Error::RelayUnreachable`] and
/// [`Error::RelayAnswer`].
pub fn check_other_antennas(
    store: &Store,
    antenna: AntennaId,
    contact: &str,
) -> Result<Vec<AlsoHelped>> {
    let contact = validate::required_text("contact", contact, 200)?;
    let link = lead_link(store, antenna, ACTION)?;
    let key = store.federation_key(antenna)?.ok_or(Error::invalid(
        "federation_key",
        InputProblem::NoFederationKey,
    ))?;
    let households = store.blinded_hashes(antenna, &key)?;
    let mut by_hash: BTreeMap<&str, HouseholdId> = BTreeMap::new();
    for (household, hashes) in &households {
        for hash in hashes {
            by_hash.insert(hash, *household);
        }
    }
    let hashes: Vec<&str> = by_hash.keys().copied().collect();
    let mut response = agent()
        .put(&format!(
            "{}/v1/antennas/{antenna}/blinded-index",
            link.relay_url
        ))
        .header("Authorization", &format!("Bearer {}", link.token))
        .send_json(serde_json::json!({ "contact": contact, "hashes": hashes }))
        .map_err(|e| Error::RelayUnreachable(e.to_string()))?;
    check_status(response.status().as_u16(), &link, "the blinded index")?;
    let answer: Matches = response
        .body_mut()
        .read_json()
        .map_err(|_| Error::RelayAnswer("an unreadable answer about the blinded index".into()))?;
    let mut found: BTreeMap<HouseholdId, Vec<OtherAntenna>> = BTreeMap::new();
    for m in answer.matches {
        // Only our own hashes can come back; anything else is ignored.
        if let Some(household) = by_hash.get(m.hash.as_str()) {
            let antennas = found.entry(*household).or_default();
            let other = OtherAntenna {
                name: m.antenna,
                contact: m.contact,
            };
            if !antennas.contains(&other) {
                antennas.push(other);
            }
        }
    }
    Ok(found
        .into_iter()
        .map(|(household, mut antennas)| {
            antennas.sort_by(|a, b| a.name.cmp(&b.name));
            AlsoHelped {
                household,
                antennas,
            }
        })
        .collect())
}

/// Takes the antenna out of the blinded index: the relay deletes its hashes and contact.
/// Blocking. Leads only; errors as [`check_other_antennas`].
pub fn leave_blinded_index(store: &Store, antenna: AntennaId) -> Result<()> {
    let link = lead_link(store, antenna, ACTION)?;
    let response = agent()
        .delete(&format!(
            "{}/v1/antennas/{antenna}/blinded-index",
            link.relay_url
        ))
        .header("Authorization", &format!("Bearer {}", link.token))
        .call()
        .map_err(|e| Error::RelayUnreachable(e.to_string()))?;
    check_status(response.status().as_u16(), &link, "the blinded index")
}

fn check_status(status: u16, link: &RelayLink, what: &str) -> Result<()> {
    match status {
        200 | 204 => Ok(()),
        401 => Err(Error::TokenRefused),
        403 => Err(Error::NotPermitted {
            role: link.role,
            action: "take part in the blinded index (the relay refused)",
        }),
        status => Err(Error::RelayAnswer(format!("HTTP {status} about {what}"))),
    }
}
