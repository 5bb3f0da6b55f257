//! A lead's follow-up lists: grievances by age, referrals with no news, providers by need.

use jiran_core::*;

use crate::support::*;

const DAY: i64 = 24 * 3600 * 1000;

fn days_from_now(days: i64) -> Timestamp {
    Timestamp(Timestamp::now().millis() + days * DAY)
}

fn provider(name: &str, serves: Vec<NeedCategory>) -> NewProvider {
    NewProvider {
        name: name.into(),
        sector: Sector::NonProfit,
        serves,
        contact: "71 000 000".into(),
        opening_hours: "8-14".into(),
    }
}

#[test]
fn test_grievances_waiting_for_an_answer_are_listed_oldest_first_and_answered_ones_leave() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let fatma = s
        .register_household(antenna, household("Fatma", None))
        .unwrap();
    let salah = s
        .register_household(antenna, household("Salah", None))
        .unwrap();
    let first = s
        .raise_grievance(fatma, "delivery", "nothing came", true)
        .unwrap();
    let second = s
        .raise_grievance(salah, "respect", "spoken to loudly", false)
        .unwrap();
    let third = s
        .raise_grievance(salah, "privacy", "a neighbour was told", false)
        .unwrap();
    s.handle_grievance(salah, &third, GrievanceStatus::Resolved, Some("apologised"))
        .unwrap();
    s.handle_grievance(salah, &second, GrievanceStatus::InReview, None)
        .unwrap();

    let listed = s.grievances_to_answer(antenna, days_from_now(3)).unwrap();
    let ids: Vec<_> = listed.iter().map(|g| g.grievance.clone()).collect();
    assert_eq!(ids, [first.clone(), second]);
    assert_eq!(listed[0].household, fatma);
    assert!(listed[0].anonymous && !listed[1].anonymous);
    assert_eq!(listed[0].days_waiting, 3);
    assert_eq!(listed[1].status, GrievanceStatus::InReview);

    s.handle_grievance(fatma, &first, GrievanceStatus::Dismissed, Some("not ours"))
        .unwrap();
    assert_eq!(
        s.grievances_to_answer(antenna, Timestamp::now())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn test_referrals_with_no_news_for_n_days_are_the_leads_calls_to_make() {
    let (lead, antenna) = antenna();
    let s = &lead.store;
    let food_bank = s
        .add_provider(
            antenna,
            provider("Banque alimentaire", vec![NeedCategory::Food]),
        )
        .unwrap();
    let clinic = s
        .add_provider(
            antenna,
            provider("Dispensaire", vec![NeedCategory::Medical]),
        )
        .unwrap();
    s.add_provider(
        antenna,
        provider(
            "Croissant-Rouge",
            vec![NeedCategory::Food, NeedCategory::Medical],
        ),
    )
    .unwrap();
    let names = |category| {
        s.providers_for(antenna, category)
            .unwrap()
            .into_iter()
            .map(|(_, p)| p.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(NeedCategory::Food),
        ["Banque alimentaire", "Croissant-Rouge"]
    );
    assert_eq!(
        names(NeedCategory::Medical),
        ["Croissant-Rouge", "Dispensaire"]
    );
    assert!(names(NeedCategory::Rent).is_empty());

    let fatma = s
        .register_household(antenna, household("Fatma", None))
        .unwrap();
    let waiting = s.add_referral(fatma, &food_bank, None).unwrap();
    let accepted = s.add_referral(fatma, &clinic, None).unwrap();
    s.set_referral_status(fatma, &accepted, ReferralStatus::Accepted)
        .unwrap();
    let done = s.add_referral(fatma, &clinic, None).unwrap();
    s.set_referral_status(fatma, &done, ReferralStatus::Done)
        .unwrap();

    // Nothing is late today; in ten days, the two still open are, the done one is not.
    assert!(s
        .referrals_to_follow_up(antenna, 7, Timestamp::now())
        .unwrap()
        .is_empty());
    let late = s
        .referrals_to_follow_up(antenna, 7, days_from_now(10))
        .unwrap();
    let ids: Vec<_> = late.iter().map(|r| r.referral.clone()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&waiting) && ids.contains(&accepted) && !ids.contains(&done));
    assert!(late
        .iter()
        .all(|r| r.days_without_news == 10 && r.household == fatma));
    assert!(late.windows(2).all(|w| w[0].updated_at <= w[1].updated_at));
}
