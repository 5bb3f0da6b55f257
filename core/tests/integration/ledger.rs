//! Donations, deliveries, balances and over-allocation.

use jiran_core::*;

use crate::support::*;

#[test]
fn test_deliveries_draw_down_donations_and_stock() {
    let (device, antenna) = antenna();
    let store = &device.store;
    let household_a = store
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let household_b = store
        .register_household(antenna, household("Borhen", None))
        .unwrap();
    let cash = store.record_donation(antenna, money(100_000)).unwrap();
    let semolina = store
        .record_donation(
            antenna,
            NewDonation {
                gift: Gift::Goods {
                    item: "semolina".into(),
                    quantity: 50,
                    unit: "kg".into(),
                },
                donor: Some("Boulangerie Ennour".into()),
                ..money(1)
            },
        )
        .unwrap();
    let tailor = store
        .record_donation(
            antenna,
            NewDonation {
                gift: Gift::Service {
                    kind: "tailoring".into(),
                    hours: 10,
                },
                ..money(1)
            },
        )
        .unwrap();
    store
        .record_delivery(antenna, delivery(household_a, &cash, 30_000))
        .unwrap();
    store
        .record_delivery(antenna, delivery(household_b, &cash, 20_000))
        .unwrap();
    let parcel = store
        .record_delivery(
            antenna,
            NewDelivery {
                funding: vec![(semolina.clone(), 5), (cash.clone(), 10_000)],
                ..delivery(household_a, &cash, 1)
            },
        )
        .unwrap();
    store.acknowledge_delivery(antenna, &parcel).unwrap();

    let balances = store.donation_balances(antenna).unwrap();
    let cash_balance = balances.iter().find(|b| b.id == cash).unwrap();
    assert_eq!(
        (
            cash_balance.amount,
            cash_balance.delivered,
            cash_balance.remaining
        ),
        (100_000, 60_000, 40_000)
    );
    assert_eq!(cash_balance.households_reached, 2);
    assert_eq!(cash_balance.unit, "TND");
    let tailor_balance = balances.iter().find(|b| b.id == tailor).unwrap();
    assert_eq!(
        (tailor_balance.kind.as_str(), tailor_balance.remaining),
        ("service", 10)
    );

    let stock = store.stock(antenna).unwrap();
    let money_line = stock.iter().find(|l| l.kind == "money").unwrap();
    assert_eq!(
        (money_line.unit.as_str(), money_line.remaining),
        ("TND", 40_000)
    );
    let goods = stock.iter().find(|l| l.kind == "goods").unwrap();
    assert_eq!(
        (goods.item.as_deref(), goods.unit.as_str(), goods.remaining),
        (Some("semolina"), "kg", 45)
    );

    let detail = store.household(household_a).unwrap();
    assert_eq!(detail.deliveries.len(), 2);
    assert!(detail
        .deliveries
        .iter()
        .any(|d| d.id == parcel && d.delivery.acknowledged.is_some()));
    assert!(store.over_allocations(antenna).unwrap().is_empty());
}

#[test]
fn test_bad_deliveries_are_refused_and_leave_the_ledger_untouched() {
    let (device, antenna) = antenna();
    let store = &device.store;
    let household_a = store
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let cash = store.record_donation(antenna, money(10_000)).unwrap();
    let pledged = store
        .record_donation(
            antenna,
            NewDonation {
                status: DonationStatus::Pledged,
                ..money(5_000)
            },
        )
        .unwrap();
    let rent_only = store
        .record_donation(
            antenna,
            NewDonation {
                restricted_to: Some(NeedCategory::Rent),
                ..money(5_000)
            },
        )
        .unwrap();
    let before = store.donation_balances(antenna).unwrap();

    let too_much = store.record_delivery(antenna, delivery(household_a, &cash, 10_001));
    assert!(matches!(
        too_much,
        Err(Error::InsufficientBalance {
            remaining: 10_000,
            requested: 10_001,
            ..
        })
    ));
    assert!(matches!(
        store.record_delivery(antenna, delivery(household_a, &cash, 0)),
        Err(Error::Invalid {
            field: "amount",
            ..
        })
    ));
    assert!(matches!(
        store.record_delivery(antenna, delivery(household_a, &pledged, 1)),
        Err(Error::DonationNotReceived(_))
    ));
    assert!(matches!(
        store.record_delivery(antenna, delivery(household_a, &rent_only, 1)),
        Err(Error::RestrictedDonation {
            allowed: NeedCategory::Rent,
            ..
        })
    ));
    assert!(matches!(
        store.record_delivery(antenna, delivery(household_a, &DonationId::random(), 1)),
        Err(Error::UnknownDonation(_))
    ));
    assert!(matches!(
        store.record_delivery(antenna, delivery(HouseholdId::random(), &cash, 1)),
        Err(Error::UnknownHousehold(_))
    ));
    assert!(matches!(
        store.record_delivery(
            antenna,
            NewDelivery {
                funding: vec![],
                ..delivery(household_a, &cash, 1)
            }
        ),
        Err(Error::Invalid {
            field: "funding",
            ..
        })
    ));
    // Two allocations of one donation in one delivery count together.
    assert!(matches!(
        store.record_delivery(
            antenna,
            NewDelivery {
                funding: vec![(cash.clone(), 6_000), (cash.clone(), 6_000)],
                ..delivery(household_a, &cash, 1)
            }
        ),
        Err(Error::InsufficientBalance {
            requested: 12_000,
            ..
        })
    ));
    assert_eq!(store.donation_balances(antenna).unwrap(), before);
    assert!(store.household(household_a).unwrap().deliveries.is_empty());

    // Pledged, then received: now it can fund.
    store.mark_donation_received(antenna, &pledged).unwrap();
    store
        .record_delivery(antenna, delivery(household_a, &pledged, 5_000))
        .unwrap();
}

#[test]
fn test_bad_donations_are_refused() {
    let (device, antenna) = antenna();
    let store = &device.store;
    let cases = [
        (money(0), "amount"),
        (
            NewDonation {
                gift: Gift::Money {
                    amount_minor: 5,
                    currency: "dinar".into(),
                },
                ..money(1)
            },
            "currency",
        ),
        (
            NewDonation {
                gift: Gift::Goods {
                    item: " ".into(),
                    quantity: 3,
                    unit: "kg".into(),
                },
                ..money(1)
            },
            "item",
        ),
        (
            NewDonation {
                gift: Gift::Goods {
                    item: "oil".into(),
                    quantity: 0,
                    unit: "l".into(),
                },
                ..money(1)
            },
            "quantity",
        ),
        (
            NewDonation {
                gift: Gift::Service {
                    kind: "plumbing".into(),
                    hours: 0,
                },
                ..money(1)
            },
            "hours",
        ),
        (
            NewDonation {
                recorded_at: Some(Timestamp(i64::MAX / 2)),
                ..money(1)
            },
            "recorded_at",
        ),
    ];
    for (new, field) in cases {
        match store.record_donation(antenna, new) {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected {field} to be refused, got {other:?}"),
        }
    }
    assert!(matches!(
        store.record_donation(
            antenna,
            NewDonation {
                custodian: Some(MemberId::random()),
                ..money(1)
            }
        ),
        Err(Error::UnknownMember(_))
    ));
    assert!(store.donation_balances(antenna).unwrap().is_empty());
}

#[test]
fn test_offline_deliveries_that_overdraw_a_donation_are_reported_after_merge() {
    let (lead, antenna) = antenna();
    let family = lead
        .store
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let cash = lead.store.record_donation(antenna, money(100_000)).unwrap();
    let volunteer = join(&lead, antenna, Role::Volunteer);
    // Both offline: each sees 100 TND left and spends 70.
    let first = lead
        .store
        .record_delivery(antenna, delivery(family, &cash, 70_000))
        .unwrap();
    let second = volunteer
        .store
        .record_delivery(antenna, delivery(family, &cash, 70_000))
        .unwrap();
    assert!(lead.store.over_allocations(antenna).unwrap().is_empty());
    sync(&lead, &volunteer, antenna);

    for device in [&lead, &volunteer] {
        let over = device.store.over_allocations(antenna).unwrap();
        assert_eq!(over.len(), 1);
        assert_eq!((over[0].amount, over[0].allocated), (100_000, 140_000));
        let mut involved = over[0].deliveries.clone();
        involved.sort();
        let mut expected = vec![first.clone(), second.clone()];
        expected.sort();
        assert_eq!(involved, expected);
        let balance = &device.store.donation_balances(antenna).unwrap()[0];
        assert_eq!((balance.delivered, balance.remaining), (140_000, 0));
        assert_eq!(device.store.household(family).unwrap().deliveries.len(), 2);
    }
}

#[test]
fn test_two_devices_opening_the_same_month_offline_keep_both_ledgers_entries() {
    let (lead, antenna) = antenna();
    let volunteer = join(&lead, antenna, Role::Volunteer);
    // Neither device has a ledger yet: both create this month's ledger offline.
    let a = lead.store.record_donation(antenna, money(1_000)).unwrap();
    let b = volunteer
        .store
        .record_donation(antenna, money(2_000))
        .unwrap();
    sync(&lead, &volunteer, antenna);
    for device in [&lead, &volunteer] {
        let ids: Vec<DonationId> = device
            .store
            .donation_balances(antenna)
            .unwrap()
            .into_iter()
            .map(|b| b.id)
            .collect();
        assert!(ids.contains(&a) && ids.contains(&b));
        let ledgers = device
            .store
            .replication()
            .documents(antenna)
            .unwrap()
            .into_iter()
            .filter(|(_, k)| *k == jiran_core::document::DocumentKind::Ledger)
            .count();
        assert_eq!(ledgers, 1, "one ledger document per month");
    }
}

fn balance_of(device: &Device, antenna: AntennaId, donation: &DonationId) -> (u64, u64) {
    let balances = device.store.donation_balances(antenna).unwrap();
    let b = balances.iter().find(|b| b.id == *donation).unwrap();
    (b.delivered, b.remaining)
}

fn funding_of(device: &Device, household: HouseholdId, id: &DeliveryId) -> Vec<(DonationId, u64)> {
    let detail = device.store.household(household).unwrap();
    let record = detail.deliveries.iter().find(|d| d.id == *id).unwrap();
    record
        .delivery
        .funding
        .iter()
        .map(|(d, a)| (d.clone(), *a))
        .collect()
}

#[test]
fn test_a_lead_resolves_an_over_allocation_by_reassigning_funding() {
    let (lead, antenna) = antenna();
    let family = lead
        .store
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let cash = lead.store.record_donation(antenna, money(100_000)).unwrap();
    let reserve = lead.store.record_donation(antenna, money(50_000)).unwrap();
    let volunteer = join(&lead, antenna, Role::Volunteer);
    // Offline, each spends 70 of the 100 TND.
    lead.store
        .record_delivery(antenna, delivery(family, &cash, 70_000))
        .unwrap();
    let second = volunteer
        .store
        .record_delivery(antenna, delivery(family, &cash, 70_000))
        .unwrap();
    sync(&lead, &volunteer, antenna);
    let over = lead.store.over_allocations(antenna).unwrap();
    assert_eq!(
        (over.len(), over[0].allocated - over[0].amount),
        (1, 40_000)
    );

    // The lead moves the 40 TND excess of one delivery to the reserve.
    lead.store
        .reassign_funding(antenna, &second, &cash, &reserve, Some(40_000))
        .unwrap();
    assert!(lead.store.over_allocations(antenna).unwrap().is_empty());
    sync(&lead, &volunteer, antenna);
    for device in [&lead, &volunteer] {
        assert!(device.store.over_allocations(antenna).unwrap().is_empty());
        assert_eq!(balance_of(device, antenna, &cash), (100_000, 0));
        assert_eq!(balance_of(device, antenna, &reserve), (40_000, 10_000));
        let mut funding = funding_of(device, family, &second);
        funding.sort();
        let mut expected = vec![(cash.clone(), 30_000), (reserve.clone(), 40_000)];
        expected.sort();
        assert_eq!(funding, expected, "the delivery still adds up to 70 TND");
    }

    // `None` moves everything the donation gives the delivery: here, more than the reserve
    // has left, so it is refused; back the other way it fits.
    assert!(matches!(
        lead.store
            .reassign_funding(antenna, &second, &cash, &reserve, None),
        Err(Error::InsufficientBalance {
            remaining: 10_000,
            requested: 30_000,
            ..
        })
    ));
    let fresh = lead.store.record_donation(antenna, money(40_000)).unwrap();
    lead.store
        .reassign_funding(antenna, &second, &reserve, &fresh, None)
        .unwrap();
    assert_eq!(
        funding_of(&lead, family, &second),
        {
            let mut expected = vec![(cash.clone(), 30_000), (fresh.clone(), 40_000)];
            expected.sort();
            expected
        },
        "the reserve's entry is gone from the delivery"
    );
    assert_eq!(balance_of(&lead, antenna, &reserve), (0, 50_000));
    assert_eq!(balance_of(&lead, antenna, &fresh), (40_000, 0));
}

#[test]
fn test_refused_reassignments_leave_the_ledger_untouched() {
    let (lead, antenna) = antenna();
    let store = &lead.store;
    let family = store
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let cash = store.record_donation(antenna, money(100_000)).unwrap();
    let other_cash = store.record_donation(antenna, money(100_000)).unwrap();
    let euros = store
        .record_donation(
            antenna,
            NewDonation {
                gift: Gift::Money {
                    amount_minor: 100_000,
                    currency: "EUR".into(),
                },
                ..money(1)
            },
        )
        .unwrap();
    let rent_only = store
        .record_donation(
            antenna,
            NewDonation {
                restricted_to: Some(NeedCategory::Rent),
                ..money(100_000)
            },
        )
        .unwrap();
    let little = store.record_donation(antenna, money(1_000)).unwrap();
    let pledged = store
        .record_donation(
            antenna,
            NewDonation {
                status: DonationStatus::Pledged,
                ..money(100_000)
            },
        )
        .unwrap();
    let semolina = store
        .record_donation(antenna, goods("semolina", 50))
        .unwrap();
    let sugar = store.record_donation(antenna, goods("sugar", 50)).unwrap();
    let more_semolina = store
        .record_donation(antenna, goods("Semolina", 50))
        .unwrap();
    let parcel = store
        .record_delivery(antenna, delivery(family, &cash, 50_000))
        .unwrap();
    let sack = store
        .record_delivery(antenna, delivery(family, &semolina, 10))
        .unwrap();
    let volunteer = join(&lead, antenna, Role::Volunteer);
    let ledger = document::ledger_id(antenna, Timestamp::now().month()).document();
    let heads = store.replication().heads(ledger).unwrap();
    let balances = store.donation_balances(antenna).unwrap();

    let refusals: Vec<(&str, Result<()>)> = vec![
        (
            "volunteer",
            volunteer
                .store
                .reassign_funding(antenna, &parcel, &cash, &other_cash, None),
        ),
        (
            "another currency",
            store.reassign_funding(antenna, &parcel, &cash, &euros, None),
        ),
        (
            "another goods item",
            store.reassign_funding(antenna, &sack, &semolina, &sugar, None),
        ),
        (
            "restricted",
            store.reassign_funding(antenna, &parcel, &cash, &rent_only, None),
        ),
        (
            "too little left",
            store.reassign_funding(antenna, &parcel, &cash, &little, Some(5_000)),
        ),
        (
            "pledged",
            store.reassign_funding(antenna, &parcel, &cash, &pledged, None),
        ),
        (
            "unknown delivery",
            store.reassign_funding(antenna, &DeliveryId::from("nope"), &cash, &other_cash, None),
        ),
        (
            "unknown donation",
            store.reassign_funding(antenna, &parcel, &cash, &DonationId::random(), None),
        ),
        (
            "not funding that delivery",
            store.reassign_funding(antenna, &parcel, &other_cash, &cash, None),
        ),
        (
            "to itself",
            store.reassign_funding(antenna, &parcel, &cash, &cash, None),
        ),
        (
            "zero",
            store.reassign_funding(antenna, &parcel, &cash, &other_cash, Some(0)),
        ),
        (
            "more than it gives",
            store.reassign_funding(antenna, &parcel, &cash, &other_cash, Some(50_001)),
        ),
    ];
    for (case, result) in refusals {
        let expected = match case {
            "volunteer" => matches!(result, Err(Error::NotPermitted { .. })),
            "another currency" | "another goods item" | "to itself" => {
                matches!(result, Err(Error::Invalid { field: "to", .. }))
            }
            "restricted" => matches!(
                result,
                Err(Error::RestrictedDonation {
                    allowed: NeedCategory::Rent,
                    ..
                })
            ),
            "too little left" => matches!(
                result,
                Err(Error::InsufficientBalance {
                    remaining: 1_000,
                    requested: 5_000,
                    ..
                })
            ),
            "pledged" => matches!(result, Err(Error::DonationNotReceived(_))),
            "unknown delivery" => matches!(result, Err(Error::UnknownDelivery(_))),
            "unknown donation" => matches!(result, Err(Error::UnknownDonation(_))),
            "not funding that delivery" => {
                matches!(result, Err(Error::Invalid { field: "from", .. }))
            }
            "zero" | "more than it gives" => {
                matches!(
                    result,
                    Err(Error::Invalid {
                        field: "amount",
                        ..
                    })
                )
            }
            _ => unreachable!(),
        };
        assert!(expected, "{case}: {result:?}");
    }
    assert_eq!(
        store.replication().heads(ledger).unwrap(),
        heads,
        "nothing recorded"
    );
    assert_eq!(store.donation_balances(antenna).unwrap(), balances);

    // The same goods item, however capitalised, is the same kind of gift.
    store
        .reassign_funding(antenna, &sack, &semolina, &more_semolina, Some(4))
        .unwrap();
    assert_eq!(balance_of(&lead, antenna, &semolina), (6, 44));
    assert_eq!(balance_of(&lead, antenna, &more_semolina), (4, 46));
}
