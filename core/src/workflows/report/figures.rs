//! The report's figures, pure: [`build`] turns ledger rows into a [`TransparencyReport`] of
//! totals and counts, by month and need, and each donation's account.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::NeedCategory;
use crate::time::{Month, Timestamp};

/// A donation as the report sees it: what was given, never by whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonationRow {
    /// The donation's id, so a donor told it can find their line.
    pub reference: String,
    /// `money`, `goods` or `service`.
    pub kind: String,
    /// Currency code, goods unit or `hours`.
    pub unit: String,
    /// The goods item or service kind.
    pub item: Option<String>,
    /// The donation's amount in its unit (money in minor units).
    pub amount: u64,
    /// Whether the custodian holds it (pledges are listed apart).
    pub received: bool,
    /// When it was recorded.
    pub recorded_at: Timestamp,
}

/// What one delivery took from one donation. `household` is only counted, never shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationRow {
    /// The delivery.
    pub delivery: String,
    /// The household reached (after merges), to count distinct households.
    pub household: String,
    /// The need answered.
    pub category: NeedCategory,
    /// When it was delivered.
    pub delivered_at: Timestamp,
    /// The donation drawn from.
    pub donation: String,
    /// How much, in the donation's unit.
    pub amount: u64,
}

/// An amount of one kind of gift.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Amount {
    /// `money`, `goods` or `service`.
    pub kind: String,
    /// Currency code, goods unit or `hours`.
    pub unit: String,
    /// The goods item or service kind (`None` for money).
    pub item: Option<String>,
    /// In the unit's smallest part (money in minor units: millimes, cents).
    pub amount: u64,
}

/// One need category in one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryTotals {
    /// The need, as its stored word (`food`, `rent`, ...).
    pub category: String,
    /// Deliveries made.
    pub deliveries: u32,
    /// Distinct households reached.
    pub households_reached: u32,
    /// What was given.
    pub given: Vec<Amount>,
}

/// One month of deliveries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthTotals {
    /// `YYYY-MM`.
    pub month: String,
    /// Deliveries made.
    pub deliveries: u32,
    /// Distinct households reached in the month.
    pub households_reached: u32,
    /// Per need category, in the vocabulary's order.
    pub categories: Vec<CategoryTotals>,
}

/// One donation's account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DonationAccount {
    /// The donation's id.
    pub reference: String,
    /// `YYYY-MM` it was recorded in.
    pub month: String,
    /// What it is and how much.
    pub gift: Amount,
    /// How much deliveries used.
    pub delivered: u64,
    /// What is left (zero when deliveries used more; see `over_allocated`).
    pub remaining: u64,
    /// Deliveries recorded offline used more than the donation holds; a lead resolves it.
    pub over_allocated: bool,
    /// Distinct households it reached.
    pub households_reached: u32,
}

/// The report. Field names are the JSON's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransparencyReport {
    /// The antenna's name.
    pub antenna: String,
    /// Where it works.
    pub locality: String,
    /// First and last month covered (`YYYY-MM`), `None` when open-ended.
    pub from: Option<String>,
    /// Last month covered.
    pub to: Option<String>,
    /// When the report was made (`YYYY-MM-DD`, UTC).
    pub generated_on: String,
    /// Distinct households reached over the period.
    pub households_reached: u32,
    /// Deliveries made over the period.
    pub deliveries: u32,
    /// Donations in hand, totalled by kind and unit (recorded in the period).
    pub received: Vec<Amount>,
    /// Pledged and not yet received.
    pub pledged: Vec<Amount>,
    /// Given over the period, totalled by kind and unit.
    pub given: Vec<Amount>,
    /// Month by month, oldest first.
    pub months: Vec<MonthTotals>,
    /// Each received donation's account (period's donations).
    pub donations: Vec<DonationAccount>,
}

/// Builds the report for the months `from..=to` (either open) from the antenna's donations
/// and allocations. Deliveries and donations outside the period are left out.
pub fn build(
    antenna: &str,
    locality: &str,
    from: Option<Month>,
    to: Option<Month>,
    donations: &[DonationRow],
    allocations: &[AllocationRow],
    now: Timestamp,
) -> TransparencyReport {
    let within = |t: Timestamp| {
        let m = t.month();
        from.is_none_or(|f| m >= f) && to.is_none_or(|l| m <= l)
    };
    let by_id: BTreeMap<&str, &DonationRow> = donations
        .iter()
        .map(|d| (d.reference.as_str(), d))
        .collect();
    let allocations: Vec<&AllocationRow> = allocations
        .iter()
        .filter(|a| within(a.delivered_at))
        .collect();

    let mut months: BTreeMap<Month, Vec<&AllocationRow>> = BTreeMap::new();
    for a in &allocations {
        months.entry(a.delivered_at.month()).or_default().push(a);
    }
    let months = months
        .into_iter()
        .map(|(month, rows)| {
            let categories = NeedCategory::ALL
                .iter()
                .filter_map(|c| {
                    let rows: Vec<&AllocationRow> =
                        rows.iter().copied().filter(|a| a.category == *c).collect();
                    (!rows.is_empty()).then(|| CategoryTotals {
                        category: c.as_str().to_owned(),
                        deliveries: distinct(&rows, |a| &a.delivery),
                        households_reached: distinct(&rows, |a| &a.household),
                        given: totals(&rows, &by_id),
                    })
                })
                .collect();
            MonthTotals {
                month: month.to_string(),
                deliveries: distinct(&rows, |a| &a.delivery),
                households_reached: distinct(&rows, |a| &a.household),
                categories,
            }
        })
        .collect();

    let period_donations: Vec<&DonationRow> =
        donations.iter().filter(|d| within(d.recorded_at)).collect();
    let gather = |received: bool| {
        let mut out: Vec<Amount> = Vec::new();
        for d in period_donations.iter().filter(|d| d.received == received) {
            add(&mut out, gift(d), d.amount);
        }
        out
    };
    let accounts = period_donations
        .iter()
        .filter(|d| d.received)
        .map(|d| {
            let used: Vec<&AllocationRow> = allocations
                .iter()
                .copied()
                .filter(|a| a.donation == d.reference)
                .collect();
            let delivered: u64 = used.iter().map(|a| a.amount).sum();
            DonationAccount {
                reference: d.reference.clone(),
                month: d.recorded_at.month().to_string(),
                gift: Amount {
                    amount: d.amount,
                    ..gift(d)
                },
                delivered,
                remaining: d.amount.saturating_sub(delivered),
                over_allocated: delivered > d.amount,
                households_reached: distinct(&used, |a| &a.household),
            }
        })
        .collect();

    TransparencyReport {
        antenna: antenna.to_owned(),
        locality: locality.to_owned(),
        from: from.map(|m| m.to_string()),
        to: to.map(|m| m.to_string()),
        generated_on: now.date(),
        households_reached: distinct(&allocations, |a| &a.household),
        deliveries: distinct(&allocations, |a| &a.delivery),
        received: gather(true),
        pledged: gather(false),
        given: totals(&allocations, &by_id),
        months,
        donations: accounts,
    }
}

fn distinct<'a>(rows: &[&'a AllocationRow], key: impl Fn(&'a AllocationRow) -> &'a String) -> u32 {
    rows.iter().map(|a| key(a)).collect::<BTreeSet<_>>().len() as u32
}

fn gift(d: &DonationRow) -> Amount {
    Amount {
        kind: d.kind.clone(),
        unit: d.unit.clone(),
        item: if d.kind == "money" {
            None
        } else {
            d.item.clone()
        },
        amount: 0,
    }
}

fn add(out: &mut Vec<Amount>, like: Amount, amount: u64) {
    match out
        .iter_mut()
        .find(|a| a.kind == like.kind && a.unit == like.unit && a.item == like.item)
    {
        Some(line) => line.amount = line.amount.saturating_add(amount),
        None => out.push(Amount { amount, ..like }),
    }
}

fn totals(rows: &[&AllocationRow], donations: &BTreeMap<&str, &DonationRow>) -> Vec<Amount> {
    let mut out = Vec::new();
    for a in rows {
        if let Some(d) = donations.get(a.donation.as_str()) {
            add(&mut out, gift(d), a.amount);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const DAY: i64 = 24 * 3600 * 1000;
    // 2020-04-01 and 2020-05-01, UTC.
    const APRIL: i64 = 1_585_699_200_000;
    const MAY: i64 = 1_588_291_200_000;

    fn donation(reference: &str, amount: u64, received: bool) -> DonationRow {
        DonationRow {
            reference: reference.into(),
            kind: "money".into(),
            unit: "TND".into(),
            item: None,
            amount,
            received,
            recorded_at: Timestamp(APRIL),
        }
    }

    fn given(
        delivery: &str,
        household: &str,
        category: NeedCategory,
        at: i64,
        amount: u64,
    ) -> AllocationRow {
        AllocationRow {
            delivery: delivery.into(),
            household: household.into(),
            category,
            delivered_at: Timestamp(at),
            donation: "d1".into(),
            amount,
        }
    }

    pub(crate) fn sample() -> TransparencyReport {
        let donations = [donation("d1", 500_000, true), donation("d2", 80_000, false)];
        let allocations = [
            given("x1", "h1", NeedCategory::Food, APRIL + DAY, 30_000),
            given("x2", "h2", NeedCategory::Food, APRIL + 2 * DAY, 30_000),
            given("x3", "h1", NeedCategory::Rent, APRIL + 3 * DAY, 120_000),
            given("x4", "h1", NeedCategory::Food, MAY + DAY, 30_000),
        ];
        build(
            "La Marsa <Cité>",
            "Tunis",
            None,
            None,
            &donations,
            &allocations,
            Timestamp(MAY + 9 * DAY),
        )
    }

    #[test]
    fn test_totals_by_month_and_need_count_each_household_once() {
        let r = sample();
        assert_eq!((r.households_reached, r.deliveries), (2, 4));
        assert_eq!(r.months.len(), 2);
        let april = &r.months[0];
        assert_eq!(
            (
                april.month.as_str(),
                april.deliveries,
                april.households_reached
            ),
            ("2020-04", 3, 2)
        );
        let food = &april.categories[0];
        assert_eq!(
            (
                food.category.as_str(),
                food.deliveries,
                food.households_reached
            ),
            ("food", 2, 2)
        );
        assert_eq!(food.given[0].amount, 60_000);
        assert_eq!(r.given[0].amount, 210_000);
        assert_eq!(r.received[0].amount, 500_000);
        assert_eq!(r.pledged[0].amount, 80_000);
        let account = &r.donations[0];
        assert_eq!(
            (
                account.delivered,
                account.remaining,
                account.households_reached
            ),
            (210_000, 290_000, 2)
        );
    }

    #[test]
    fn test_a_period_leaves_out_other_months() {
        let may = Timestamp(MAY).month();
        let donations = [donation("d1", 500_000, true)];
        let allocations = [
            given("x1", "h1", NeedCategory::Food, APRIL + DAY, 30_000),
            given("x4", "h2", NeedCategory::Food, MAY + DAY, 30_000),
        ];
        let r = build(
            "A",
            "B",
            Some(may),
            Some(may),
            &donations,
            &allocations,
            Timestamp(MAY),
        );
        assert_eq!((r.deliveries, r.months.len()), (1, 1));
        assert!(r.received.is_empty(), "the donation was recorded in April");
    }

    #[test]
    fn test_the_page_is_self_contained_escaped_and_names_no_one() {
        let html = sample().to_html(crate::Language::English);
        assert!(html.contains("La Marsa &lt;Cité&gt;"));
        assert!(!html.contains("<Cité>"));
        for external in ["<script", "src=", "href=", "@import", "url("] {
            assert!(!html.contains(external), "{external}");
        }
        assert!(html.contains("210.000 TND"));
        assert!(
            !html.contains("h1<") && !html.contains(">h2"),
            "household ids are never shown"
        );
        let json: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        assert_eq!(json["households_reached"], 2);
        assert!(!sample().to_json().contains("\"h1\""));
    }

    #[test]
    fn test_months_are_read_as_written() {
        assert_eq!(
            Month::parse("2020-04"),
            Some(Month {
                year: 2020,
                month: 4
            })
        );
        for wrong in ["2020-13", "2020-4", "20-04", "April", ""] {
            assert_eq!(Month::parse(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn test_amounts_read_as_people_write_them() {
        let money = |amount, unit: &str| Amount {
            kind: "money".into(),
            unit: unit.into(),
            item: None,
            amount,
        };
        assert_eq!(money(1_250_500, "TND").display(), "1,250.500 TND");
        assert_eq!(money(1_999, "EUR").display(), "19.99 EUR");
        let goods = Amount {
            kind: "goods".into(),
            unit: "kg".into(),
            item: Some("semolina".into()),
            amount: 40,
        };
        assert_eq!(goods.display(), "40 kg semolina");
    }
}
