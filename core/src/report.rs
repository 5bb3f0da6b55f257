//! The public transparency report of an antenna: what it received and what it gave, by month
//! and need, and how many households it reached. Donors asked for proof that their money
//! reached people; families feared stigma. So the report holds totals and counts only: no
//! names, phones, addresses, household ids or donor names, and it can be shared as it is.
//!
//! Pure: [`build`] turns ledger rows into a [`TransparencyReport`], which renders itself as
//! JSON ([`TransparencyReport::to_json`]) or as one self-contained printable HTML page
//! ([`TransparencyReport::to_html`]). The store gathers the rows (`Store::transparency_report`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::model::{minor_digits, NeedCategory};
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

impl Amount {
    /// The amount as people read it: `1,250.500 TND`, `40 kg semolina`, `6 hours tailoring`.
    pub fn display(&self) -> String {
        match self.kind.as_str() {
            "money" => {
                let digits = minor_digits(&self.unit);
                let scale = 10u64.pow(digits);
                let whole = group(self.amount / scale);
                if digits == 0 {
                    format!("{whole} {}", self.unit)
                } else {
                    let part = self.amount % scale;
                    format!(
                        "{whole}.{part:0width$} {}",
                        self.unit,
                        width = digits as usize
                    )
                }
            }
            _ => match &self.item {
                Some(item) => format!("{} {} {item}", group(self.amount), self.unit),
                None => format!("{} {}", group(self.amount), self.unit),
            },
        }
    }
}

fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn amounts(list: &[Amount]) -> String {
    if list.is_empty() {
        return "—".into();
    }
    list.iter()
        .map(|a| escape(&a.display()))
        .collect::<Vec<_>>()
        .join("<br>")
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Naskh Arabic',sans-serif;margin:2rem auto;max-width:50rem;padding:0 1rem;color:#1a1a1a;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #2e7d32;padding-bottom:.2rem}
.sub{color:#555;margin-top:0}.figures{display:flex;gap:1rem;flex-wrap:wrap}.figure{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;min-width:10rem}
.figure b{display:block;font-size:1.5rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f5f1}td.n{text-align:right}.note{color:#555;font-size:.9rem}.warn{color:#a15c00}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}}";

impl TransparencyReport {
    /// The report as pretty-printed JSON (UTF-8), the same figures as the HTML page.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serialises")
    }

    /// The report as one self-contained HTML page (inline style, no scripts, no images, no
    /// external resources), readable on a phone and printable on A4. Every text from the
    /// antenna is escaped.
    pub fn to_html(&self) -> String {
        let mut h = String::new();
        let period = match (&self.from, &self.to) {
            (Some(f), Some(t)) if f == t => f.clone(),
            (Some(f), Some(t)) => format!("{f} to {t}"),
            (Some(f), None) => format!("since {f}"),
            (None, Some(t)) => format!("until {t}"),
            (None, None) => "all months".into(),
        };
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\" dir=\"auto\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{name} — transparency report</title><style>{STYLE}</style></head><body>\n\
             <h1 dir=\"auto\">{name}</h1><p class=\"sub\" dir=\"auto\">{locality} · {period} · made on {on}</p>\n\
             <p class=\"note\">What this antenna received and gave. Totals and counts only: no \
             household and no donor is named.</p>\n",
            name = escape(&self.antenna),
            locality = escape(&self.locality),
            period = escape(&period),
            on = escape(&self.generated_on),
        );
        let _ = writeln!(
            h,
            "<div class=\"figures\"><div class=\"figure\"><b>{}</b>households reached</div>\
             <div class=\"figure\"><b>{}</b>deliveries</div></div>",
            self.households_reached, self.deliveries
        );
        let _ = writeln!(
            h,
            "<h2>Received and given</h2><table><tr><th>received</th><th>pledged, not yet received</th><th>given</th></tr>\
             <tr><td>{}</td><td>{}</td><td>{}</td></tr></table>",
            amounts(&self.received),
            amounts(&self.pledged),
            amounts(&self.given)
        );
        h.push_str("<h2>Month by month</h2>\n");
        if self.months.is_empty() {
            h.push_str("<p>No deliveries in this period.</p>\n");
        }
        for m in &self.months {
            let _ = write!(
                h,
                "<h3>{} — {} deliveries, {} households</h3><table><tr><th>need</th>\
                 <th>deliveries</th><th>households</th><th>given</th></tr>",
                escape(&m.month),
                m.deliveries,
                m.households_reached
            );
            for c in &m.categories {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                    escape(&c.category.replace('_', " ")),
                    c.deliveries,
                    c.households_reached,
                    amounts(&c.given)
                );
            }
            h.push_str("</table>\n");
        }
        if !self.donations.is_empty() {
            h.push_str(
                "<h2>Each donation</h2><p class=\"note\">A donor told their donation's reference \
                 finds it here.</p><table><tr><th>reference</th><th>month</th><th>donation</th>\
                 <th>given</th><th>left</th><th>households</th></tr>",
            );
            for d in &self.donations {
                let unit = |amount| {
                    Amount {
                        amount,
                        ..d.gift.clone()
                    }
                    .display()
                };
                let left = if d.over_allocated {
                    "<span class=\"warn\">over-allocated; a lead is resolving it</span>".to_owned()
                } else {
                    escape(&unit(d.remaining))
                };
                let _ = write!(
                    h,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                    escape(&d.reference),
                    escape(&d.month),
                    escape(&d.gift.display()),
                    escape(&unit(d.delivered)),
                    left,
                    d.households_reached
                );
            }
            h.push_str("</table>\n");
        }
        h.push_str("</body></html>\n");
        h
    }
}

#[cfg(test)]
mod tests {
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

    fn sample() -> TransparencyReport {
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
        let html = sample().to_html();
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
