//! The records volunteers make, with plausible defaults: what tests register, fund and deliver.
//!
//! Two families of amounts: [`money`] and [`delivery`] take minor units (millimes for TND),
//! [`cash`] and [`delivery_in_dinars`] whole dinars.

use crate::{
    DonationId, DonationStatus, Gift, HouseholdId, NeedCategory, NewDelivery, NewDonation,
    NewHousehold, NewNeed, NewPerson, Priority, Relationship, Urgency, VulnerabilityFlags,
};

/// A head of household named `name`, born in 1970, with no vulnerability flag.
pub fn person(name: &str) -> NewPerson {
    NewPerson {
        name: name.into(),
        birth_year: Some(1970),
        relationship: Relationship::Head,
        flags: VulnerabilityFlags::default(),
    }
}

/// A household of one ([`person`]) "behind the mosque", with `phone` if given: it keeps its
/// data, may be called, is not shared with the municipality, and has normal priority.
pub fn household(name: &str, phone: Option<&str>) -> NewHousehold {
    NewHousehold {
        members: vec![person(name)],
        phone: phone.map(Into::into),
        address: "behind the mosque".into(),
        coordinates: None,
        keep_data: true,
        share_with_municipality: false,
        contact_by_phone: true,
        priority: Priority::Normal,
        shock: None,
    }
}

/// A family met in the field: one head of household born in 1965, reachable at `phone`,
/// "near the market", with high priority (otherwise as [`household`]).
pub fn family(name: &str, phone: &str) -> NewHousehold {
    NewHousehold {
        members: vec![NewPerson {
            birth_year: Some(1965),
            ..person(name)
        }],
        phone: Some(phone.into()),
        address: "near the market".into(),
        priority: Priority::High,
        ..household(name, None)
    }
}

/// An urgent need of `category`.
pub fn need(category: NeedCategory, description: &str) -> NewNeed {
    NewNeed {
        category,
        description: description.into(),
        urgency: Urgency::High,
    }
}

/// A received, unrestricted, anonymous donation of `amount_minor` millimes (TND).
pub fn money(amount_minor: u64) -> NewDonation {
    NewDonation {
        gift: Gift::Money {
            amount_minor,
            currency: "TND".into(),
        },
        donor: None,
        custodian: None,
        status: DonationStatus::Received,
        restricted_to: None,
        recorded_at: None,
    }
}

/// A received donation of `quantity` kg of `item` (otherwise as [`money`]).
pub fn goods(item: &str, quantity: u64) -> NewDonation {
    NewDonation {
        gift: Gift::Goods {
            item: item.into(),
            quantity,
            unit: "kg".into(),
        },
        ..money(1)
    }
}

/// A received cash donation of `dinars` TND from `donor` (otherwise as [`money`]).
pub fn cash(dinars: u64, donor: &str) -> NewDonation {
    NewDonation {
        donor: Some(donor.into()),
        ..money(dinars * 1000)
    }
}

/// A food parcel delivered now to `household`, paid `amount_minor` from `donation`.
pub fn delivery(household: HouseholdId, donation: &DonationId, amount_minor: u64) -> NewDelivery {
    NewDelivery {
        household,
        category: NeedCategory::Food,
        description: "food parcel".into(),
        funding: vec![(donation.clone(), amount_minor)],
        delivered_at: None,
    }
}

/// A delivery of `category` "delivered at the door" now to `household`, paid `dinars` TND
/// from `donation`.
pub fn delivery_in_dinars(
    household: HouseholdId,
    category: NeedCategory,
    donation: &DonationId,
    dinars: u64,
) -> NewDelivery {
    NewDelivery {
        category,
        description: "delivered at the door".into(),
        ..delivery(household, donation, dinars * 1000)
    }
}
