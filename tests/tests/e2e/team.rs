//! The team through a relay: a lead's promotion and removal, made on the lead's phone, take
//! effect at the relay when they sync — the promoted volunteer's lead actions are accepted,
//! the removed member's phone is revoked and wipes the antenna.

use std::time::Duration;

use crate::support::{antenna_with_lead, volunteer};
use jiran_core::testing::family;
use jiran_core::*;
use jiran_tests::phone::{converge, Phone};

const CONVERGE: Duration = Duration::from_secs(30);

fn member_of(phone: &Phone) -> MemberId {
    phone
        .store
        .relay_link(phone.antenna)
        .unwrap()
        .unwrap()
        .member()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_promotion_and_a_removal_take_effect_at_the_relay_when_they_sync() {
    let data = tempfile::tempdir().unwrap();
    let (relay, lead) = antenna_with_lead(data.path()).await;
    let sami = volunteer(&relay, &lead, "Sami").await;
    let nour = volunteer(&relay, &lead, "Nour").await;
    let fatma = lead
        .store
        .register_household(lead.antenna, family("Fatma Ben Ali", "+216 98 123 456"))
        .unwrap();
    converge(&[&lead, &sami, &nour], CONVERGE).await;
    let team = lead.store.team(lead.antenna).unwrap();
    assert_eq!(team.len(), 3);
    assert!(
        team.iter().all(|m| m.device_key.is_some()),
        "each phone wrote its key"
    );

    // Promoted on the lead's phone; once synced, Sami erases a household and the relay
    // accepts it (its token is a lead's now).
    lead.store
        .change_role(lead.antenna, &member_of(&sami), Role::Lead)
        .unwrap();
    converge(&[&lead, &sami, &nour], CONVERGE).await;
    sami.store.erase_household(fatma).unwrap();
    converge(&[&lead, &sami, &nour], CONVERGE).await;
    assert!(matches!(
        lead.store.household(fatma),
        Err(Error::UnknownHousehold(_) | Error::HouseholdErased(_))
    ));
    assert_eq!(lead.store.erased_households(lead.antenna).unwrap().len(), 1);

    // Nour is removed: the relay revokes Nour's phone, which wipes the antenna.
    lead.store
        .remove_member(lead.antenna, &member_of(&nour))
        .unwrap();
    lead.synced().await;
    let wiped = async {
        while nour
            .store
            .memberships()
            .unwrap()
            .iter()
            .any(|(a, _)| *a == nour.antenna)
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(CONVERGE, wiped)
        .await
        .expect("the removed member's phone wipes the antenna");
    assert!(nour
        .store
        .replication()
        .documents(nour.antenna)
        .unwrap()
        .is_empty());
}
