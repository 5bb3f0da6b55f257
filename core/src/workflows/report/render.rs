//! The report as people read it: plain text, JSON, and one self-contained printable HTML
//! page (no scripts, no links, no external resources), so it can be printed, mailed or posted
//! as it is.

use std::fmt::Write as _;

use super::figures::{Amount, TransparencyReport};
use crate::model::minor_digits;

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
