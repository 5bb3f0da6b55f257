//! Property test: replicas applying random operations and exchanging changes in random orders
//! and groupings converge to identical documents, and nothing recorded is lost.

use jiran_core::*;
use proptest::prelude::*;

use crate::support::*;

#[derive(Clone, Debug)]
enum Op {
    Register,
    Need(usize),
    Note(usize),
    Phone(usize, u32),
    CloseNeed(usize),
    Deliver(usize, u64),
    /// Send the changes of one random document from one replica to another, either all of
    /// them or only those since the receiver's heads.
    Exchange {
        from: usize,
        to: usize,
        doc: usize,
        whole: bool,
    },
}

fn op() -> impl Strategy<Value = (usize, Op)> {
    let op = prop_oneof![
        1 => Just(Op::Register),
        2 => any::<usize>().prop_map(Op::Need),
        2 => any::<usize>().prop_map(Op::Note),
        1 => (any::<usize>(), 100_000u32..999_999).prop_map(|(h, p)| Op::Phone(h, p)),
        1 => any::<usize>().prop_map(Op::CloseNeed),
        2 => (any::<usize>(), 1u64..400).prop_map(|(h, a)| Op::Deliver(h, a)),
        3 => (any::<usize>(), any::<usize>(), any::<usize>(), any::<bool>())
            .prop_map(|(from, to, doc, whole)| Op::Exchange { from, to, doc, whole }),
    ];
    (0usize..3, op)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_and_lose_nothing(ops in prop::collection::vec(op(), 1..40)) {
        let (lead, antenna) = antenna();
        let cash = lead.store.record_donation(antenna, money(1_000)).unwrap();
        let seed = lead.store.register_household(antenna, household("Seed", None)).unwrap();
        let first_volunteer = join(&lead, antenna, Role::Volunteer);
        let second_volunteer = join(&lead, antenna, Role::Volunteer);
        let replicas = [lead, first_volunteer, second_volunteer];
        for r in &replicas[1..] {
            sync(&replicas[0], r, antenna);
        }
        let mut notes = 0;
        let mut needs = 0;
        let mut deliveries = 0;
        for (at, op) in ops {
            let store = &replicas[at].store;
            let households: Vec<HouseholdId> = store.households(antenna, &HouseholdFilter::default()).unwrap()
                .into_iter().filter(|h| h.head_name.is_some()).map(|h| h.id).collect();
            let pick = |i: usize| households.get(i % households.len().max(1)).copied().unwrap_or(seed);
            match op {
                Op::Register => { store.register_household(antenna, household("Amel", None)).unwrap(); }
                Op::Need(h) => {
                    store.add_need(pick(h), NewNeed { category: NeedCategory::Food, description: String::new(), urgency: Urgency::Low }).unwrap();
                    needs += 1;
                }
                Op::Note(h) => { store.add_note(pick(h), "note").unwrap(); notes += 1; }
                Op::Phone(h, p) => {
                    store.edit_household(pick(h), HouseholdEdit { phone: Some(Some(format!("98{p}"))), ..Default::default() }).unwrap();
                }
                Op::CloseNeed(h) => {
                    let detail = store.household(pick(h)).unwrap();
                    if let Some(need) = detail.case.needs.keys().next() {
                        store.set_need_status(pick(h), need, NeedStatus::Met).unwrap();
                    }
                }
                Op::Deliver(h, amount) => {
                    // Refused when this replica sees too little left: that is the point.
                    if store.record_delivery(antenna, delivery(pick(h), &cash, amount)).is_ok() {
                        deliveries += 1;
                    }
                }
                Op::Exchange { from, to, doc, whole } => {
                    let (from, to) = (&replicas[from % 3], &replicas[to % 3]);
                    let docs = from.store.replication().documents(antenna).unwrap();
                    let (id, _) = docs[doc % docs.len()];
                    let heads = if whole { vec![] } else { to.store.replication().heads(id).unwrap().unwrap_or_default() };
                    let bytes = from.store.replication().export_changes(id, &heads).unwrap().unwrap();
                    if to.store.replication().heads(id).unwrap().is_some() || whole {
                        to.store.replication().import(id, &bytes).unwrap();
                    }
                }
            }
        }
        for _ in 0..4 {
            for a in 0..3 {
                for b in 0..3 {
                    if a != b { push(&replicas[a], &replicas[b], antenna); }
                }
            }
        }
        prop_assert!(same_documents(&[&replicas[0], &replicas[1], &replicas[2]], antenna));
        let first = &replicas[0].store;
        let households = first.households(antenna, &HouseholdFilter::default()).unwrap();
        let mut total_notes = 0;
        let mut total_needs = 0;
        for h in &households {
            let detail = first.household(h.id).unwrap();
            for r in &replicas[1..] {
                prop_assert_eq!(&r.store.household(h.id).unwrap(), &detail);
            }
            total_notes += detail.case.notes.len();
            total_needs += detail.case.needs.len();
        }
        prop_assert_eq!(total_notes, notes);
        prop_assert_eq!(total_needs, needs);
        for r in &replicas {
            let balance = &r.store.donation_balances(antenna).unwrap()[0];
            let recorded: u64 = r.store.households(antenna, &HouseholdFilter::default()).unwrap()
                .iter().map(|h| r.store.household(h.id).unwrap().deliveries.len() as u64).sum();
            prop_assert_eq!(recorded, deliveries);
            prop_assert_eq!(balance.delivered, first.donation_balances(antenna).unwrap()[0].delivered);
            prop_assert_eq!(r.store.antenna(antenna).unwrap(), first.antenna(antenna).unwrap());
        }
    }
}
