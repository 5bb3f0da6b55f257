//! The report as people read it: JSON, and one self-contained printable HTML page in the
//! caller's language (no scripts, no links, no external resources), so it can be printed,
//! mailed or posted as it is. The page shows the month-by-need figures as an inline SVG bar
//! chart with its numbers written as text, so it reads at a glance, in print and without
//! colour.

use std::fmt::Write as _;

use super::figures::{Amount, MonthTotals, TransparencyReport};
use crate::language::{Language, Words};

impl Amount {
    /// The amount as people read it, in English: `1,250.500 TND`, `40 kg semolina`,
    /// `6 hours tailoring`. The same as [`Amount::display_in`] with [`Language::English`].
    pub fn display(&self) -> String {
        self.display_in(Language::English)
    }

    /// The amount as readers of `language` write it: digit groups and decimal mark of the
    /// language (`1 250,500 TND` in French), the unit `hours` in its words. Currency codes,
    /// goods units and items stay as the antenna typed them.
    pub fn display_in(&self, language: Language) -> String {
        let w = language.words();
        match self.kind.as_str() {
            "money" => format!("{} {}", w.money(self.amount, &self.unit, true), self.unit),
            _ => {
                let unit = unit_in(w, &self.unit, self.amount);
                match &self.item {
                    Some(item) => format!("{} {unit} {item}", w.group(self.amount)),
                    None => format!("{} {unit}", w.group(self.amount)),
                }
            }
        }
    }
}

/// A goods or service unit in the reader's words: services are counted in `hours`, the one
/// unit the core itself writes; goods units are the antenna's own.
pub(crate) fn unit_in<'a>(w: &Words, unit: &'a str, amount: u64) -> std::borrow::Cow<'a, str> {
    if unit == "hours" {
        (w.hours)(amount).into()
    } else {
        unit.into()
    }
}

/// Escapes text for HTML content and attribute values (and SVG inside HTML).
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

/// A list of amounts, each isolated (`<bdi>`) so a Latin unit keeps its order in Arabic.
fn amounts(list: &[Amount], language: Language) -> String {
    if list.is_empty() {
        return "—".into();
    }
    list.iter()
        .map(|a| format!("<bdi>{}</bdi>", escape(&a.display_in(language))))
        .collect::<Vec<_>>()
        .join("<br>")
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Naskh Arabic',sans-serif;margin:2rem auto;max-width:50rem;padding:0 1rem;color:#1a1a1a;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #2e7d32;padding-bottom:.2rem}
.sub{color:#555;margin-top:0}.figures{display:flex;gap:1rem;flex-wrap:wrap}.figure{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;min-width:10rem}
.figure b{display:block;font-size:1.5rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:start;vertical-align:top}
.wide{overflow-x:auto}th{background:#f1f5f1}td.n{text-align:end}.note{color:#555;font-size:.9rem}.warn{color:#a15c00}
svg.chart{display:block;width:100%;max-width:32rem;height:auto;margin:.5rem 0 1rem}svg.chart text{font-size:16px;fill:#1a1a1a}svg.chart .month{font-weight:bold;font-size:17px}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}svg.chart{break-inside:avoid}.wide{overflow:visible}}";

/// The chart's width in its own units; the page scales it to the phone or the sheet.
const CHART_WIDTH: u32 = 400;
/// The longest bar, leaving room for its number after it.
const BAR_MAX: u32 = 330;
/// One colour per need category, in the vocabulary's order; the bars are labelled in text
/// too, so nothing depends on telling the colours apart.
const BAR_COLOURS: [&str; 7] = [
    "#2e7d32", "#1565c0", "#c62828", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037",
];

impl TransparencyReport {
    /// The report as pretty-printed JSON (UTF-8), the same figures as the HTML page. Field
    /// values are the stored words (`food`, `2020-04`), whatever the reader's language.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serialises")
    }

    /// The report as one self-contained HTML page in `language` (inline style and inline SVG;
    /// no scripts, no links, no images or other external resources), readable on a phone and
    /// printable on A4. `<html lang dir>` are the language's (`dir="rtl"` for Arabic, whose
    /// chart is mirrored). Every text from the antenna is escaped; it names no household and
    /// no donor.
    pub fn to_html(&self, language: Language) -> String {
        let w = language.words();
        let mut h = String::new();
        let month = |m: &Option<String>| m.as_deref().map(|m| w.month(m));
        let period = match (month(&self.from), month(&self.to)) {
            (Some(f), Some(t)) if f == t => f,
            (Some(f), Some(t)) => (w.period_between)(&f, &t),
            (Some(f), None) => (w.period_since)(&f),
            (None, Some(t)) => (w.period_until)(&t),
            (None, None) => w.all_months.to_owned(),
        };
        let dir = if language.is_right_to_left() {
            "rtl"
        } else {
            "ltr"
        };
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{name} — {title}</title><style>{STYLE}</style></head><body>\n\
             <h1><bdi>{name}</bdi></h1><p class=\"sub\"><bdi>{locality}</bdi> · {period} · {made}</p>\n\
             <p class=\"note\">{intro}</p>\n",
            lang = language.code(),
            name = escape(&self.antenna),
            title = escape(w.report_title),
            locality = escape(&self.locality),
            period = escape(&period),
            made = escape(&(w.made_on)(&w.date(&self.generated_on))),
            intro = escape(w.report_intro),
        );
        let _ = writeln!(
            h,
            "<div class=\"figures\"><div class=\"figure\"><b>{}</b>{}</div>\
             <div class=\"figure\"><b>{}</b>{}</div></div>",
            self.households_reached,
            escape((w.households_reached)(self.households_reached)),
            self.deliveries,
            escape((w.deliveries)(self.deliveries)),
        );
        let _ = writeln!(
            h,
            "<h2>{}</h2><div class=\"wide\"><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>\
             <tr><td>{}</td><td>{}</td><td>{}</td></tr></table></div>",
            escape(w.received_and_given),
            escape(w.received),
            escape(w.pledged),
            escape(w.given),
            amounts(&self.received, language),
            amounts(&self.pledged, language),
            amounts(&self.given, language)
        );
        let _ = writeln!(h, "<h2>{}</h2>", escape(w.month_by_month));
        if self.months.is_empty() {
            let _ = writeln!(h, "<p>{}</p>", escape(w.no_deliveries));
        } else {
            h.push_str(&chart(&self.months, language));
        }
        for m in &self.months {
            let _ = write!(
                h,
                "<h3>{} — {}</h3><div class=\"wide\"><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                escape(&capitalised(&w.month(&m.month))),
                escape(&(w.month_summary)(m.deliveries, m.households_reached)),
                escape(w.need),
                escape(w.deliveries_column),
                escape(w.households_column),
                escape(w.given),
            );
            for c in &m.categories {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                    escape(&w.need_word(&c.category)),
                    c.deliveries,
                    c.households_reached,
                    amounts(&c.given, language)
                );
            }
            h.push_str("</table></div>\n");
        }
        if !self.donations.is_empty() {
            let _ = write!(
                h,
                "<h2>{}</h2><p class=\"note\">{}</p><div class=\"wide\"><table><tr><th>{}</th><th>{}</th><th>{}</th>\
                 <th>{}</th><th>{}</th><th>{}</th></tr>",
                escape(w.each_donation),
                escape(w.each_donation_note),
                escape(w.reference_column),
                escape(w.month_column),
                escape(w.donation_column),
                escape(w.given),
                escape(w.left_column),
                escape(w.households_column),
            );
            for d in &self.donations {
                let unit = |amount| {
                    Amount {
                        amount,
                        ..d.gift.clone()
                    }
                    .display_in(language)
                };
                let left = if d.over_allocated {
                    format!("<span class=\"warn\">{}</span>", escape(w.over_allocated))
                } else {
                    format!("<bdi>{}</bdi>", escape(&unit(d.remaining)))
                };
                let _ = write!(
                    h,
                    "<tr><td><code>{}</code></td><td>{}</td><td><bdi>{}</bdi></td>\
                     <td><bdi>{}</bdi></td><td>{}</td><td class=\"n\">{}</td></tr>",
                    escape(&d.reference),
                    escape(&w.month(&d.month)),
                    escape(&d.gift.display_in(language)),
                    escape(&unit(d.delivered)),
                    left,
                    d.households_reached
                );
            }
            h.push_str("</table></div>\n");
        }
        h.push_str("</body></html>\n");
        h
    }
}

/// The month-by-need chart: for each month its name, then one labelled horizontal bar per
/// need with its deliveries written after it. Laid out left to right and mirrored for a
/// right-to-left language (bars grow from the right, text anchored at its start, which is
/// then its right edge). Only shapes and text: no script, no link, no reference to anything.
fn chart(months: &[MonthTotals], language: Language) -> String {
    let w = language.words();
    let rtl = language.is_right_to_left();
    let most = months
        .iter()
        .flat_map(|m| m.categories.iter().map(|c| c.deliveries))
        .max()
        .unwrap_or(0)
        .max(1);
    // x in left-to-right coordinates, mirrored for right to left.
    let x = |left: u32| if rtl { CHART_WIDTH - left } else { left };
    let mut body = String::new();
    let mut y = 0u32;
    for (i, m) in months.iter().enumerate() {
        y += if i == 0 { 22 } else { 34 };
        let _ = write!(
            body,
            "<text class=\"month\" x=\"{}\" y=\"{y}\">{}</text>",
            x(0),
            escape(&capitalised(&w.month(&m.month)))
        );
        y += 6;
        for c in &m.categories {
            let colour = need_index(&c.category)
                .map(|i| BAR_COLOURS[i % BAR_COLOURS.len()])
                .unwrap_or("#555");
            let length =
                (u64::from(c.deliveries) * u64::from(BAR_MAX) / u64::from(most)).max(3) as u32;
            y += 20;
            let _ = write!(
                body,
                "<text x=\"{}\" y=\"{y}\">{}</text>",
                x(0),
                escape(&w.need_word(&c.category))
            );
            y += 5;
            let left = if rtl { CHART_WIDTH - length } else { 0 };
            let _ = write!(
                body,
                "<rect class=\"bar\" x=\"{left}\" y=\"{y}\" width=\"{length}\" height=\"14\" \
                 fill=\"{colour}\"></rect><text x=\"{}\" y=\"{}\">{}</text>",
                x(length + 6),
                y + 12,
                c.deliveries
            );
            y += 18;
        }
    }
    y += 6;
    let title = escape(w.chart_title);
    format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{title}\" viewBox=\"0 0 {CHART_WIDTH} {y}\" \
         direction=\"{dir}\" text-anchor=\"start\"><title>{title}</title><desc>{desc}</desc>{body}</svg>\n\
         <p class=\"note\">{desc}</p>\n",
        dir = if rtl { "rtl" } else { "ltr" },
        desc = escape(w.chart_description),
    )
}

/// A heading's first letter in capitals ("avril 2020" starts a French heading as "Avril").
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The position of a stored need word in the vocabulary, for its colour.
fn need_index(word: &str) -> Option<usize> {
    crate::model::NeedCategory::ALL
        .iter()
        .position(|c| c.as_str() == word)
}

#[cfg(test)]
mod tests {
    use super::super::figures::tests::sample;
    use super::*;

    /// The sample's report with a hostile antenna name and locality.
    fn hostile() -> TransparencyReport {
        TransparencyReport {
            antenna: "<script>alert(1)</script> & co".into(),
            locality: "\"><img onerror=alert(1)>".into(),
            ..sample()
        }
    }

    #[test]
    fn test_each_language_has_its_lang_and_direction() {
        for (language, head) in [
            (Language::English, "<html lang=\"en\" dir=\"ltr\">"),
            (Language::French, "<html lang=\"fr\" dir=\"ltr\">"),
            (Language::Arabic, "<html lang=\"ar\" dir=\"rtl\">"),
        ] {
            let html = sample().to_html(language);
            assert!(html.starts_with("<!DOCTYPE html>"), "{language:?}");
            assert!(html.contains(head), "{language:?}: {html}");
        }
        assert!(sample()
            .to_html(Language::Arabic)
            .contains("direction=\"rtl\""));
    }

    #[test]
    fn test_every_page_is_self_contained_and_escapes_the_antennas_text() {
        for language in Language::ALL {
            let html = hostile().to_html(language);
            for external in [
                "<script", "src=", "href", "@import", "url(", "<img", "<a ", "http",
            ] {
                assert!(!html.contains(external), "{language:?}: {external}");
            }
            assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
            assert!(html.contains("&quot;&gt;&lt;img"), "{language:?}");
            assert!(
                !html.contains("h1<") && !html.contains(">h2"),
                "household ids are never shown"
            );
        }
    }

    #[test]
    fn test_the_chart_has_one_labelled_bar_per_month_and_need() {
        let report = sample();
        let bars: usize = report.months.iter().map(|m| m.categories.len()).sum();
        assert_eq!(bars, 3, "April: food and rent; May: food");
        for language in Language::ALL {
            let html = report.to_html(language);
            let w = language.words();
            assert_eq!(html.matches("<svg ").count(), 1, "{language:?}");
            assert_eq!(html.matches("<rect class=\"bar\"").count(), bars);
            let svg = &html[html.find("<svg ").unwrap()..html.find("</svg>").unwrap()];
            assert!(svg.contains("role=\"img\""));
            assert!(svg.contains(&format!("aria-label=\"{}\"", w.chart_title)));
            assert!(svg.contains(&format!("<title>{}</title>", w.chart_title)));
            // The months and needs are written in the language, the values as text.
            let april = capitalised(&w.month("2020-04"));
            assert_eq!(svg.matches(&april).count(), 1, "{language:?}");
            assert_eq!(svg.matches(w.need(crate::NeedCategory::Food)).count(), 2);
            assert!(svg.contains(">2</text>") && svg.contains(">1</text>"));
        }
    }

    #[test]
    fn test_the_arabic_chart_grows_from_the_right() {
        let html = sample().to_html(Language::Arabic);
        // April's food: 2 deliveries, the longest bar, ends at the right edge.
        assert!(html.contains(&format!(
            "x=\"{}\" y=\"53\" width=\"{BAR_MAX}\"",
            CHART_WIDTH - BAR_MAX
        )));
        let english = sample().to_html(Language::English);
        assert!(english.contains(&format!("x=\"0\" y=\"53\" width=\"{BAR_MAX}\"")));
    }

    #[test]
    fn test_the_three_languages_differ_and_speak_their_own_words() {
        let [en, fr, ar] = Language::ALL.map(|l| sample().to_html(l));
        assert!(en != fr && fr != ar && en != ar);
        for english in [
            "deliveries",
            "households",
            "Month by month",
            "received",
            "Food",
            "April",
            "transparency",
        ] {
            assert!(en.contains(english), "{english}");
            for (other, page) in [("fr", &fr), ("ar", &ar)] {
                assert!(!page.contains(english), "{english:?} in the {other} page");
            }
        }
        for french in [
            "Alimentation",
            "Avril 2020",
            "Mois par mois",
            "<bdi>210,000 TND</bdi>",
        ] {
            assert!(fr.contains(french), "{french}");
        }
        for arabic in [
            "غذاء",
            "أفريل 2020",
            "شهرًا بشهر",
            "3 تسليمات، أسرتان",
            "عدد الأسر المستفيدة",
        ] {
            assert!(ar.contains(arabic), "{arabic}");
        }
        // Amounts are isolated so that "TND" keeps its place in right-to-left text.
        assert!(ar.contains("<bdi>210.000 TND</bdi>"));
    }

    #[test]
    fn test_amounts_in_each_language() {
        let money = Amount {
            kind: "money".into(),
            unit: "TND".into(),
            item: None,
            amount: 1_250_500,
        };
        assert_eq!(money.display_in(Language::French), "1\u{202f}250,500 TND");
        assert_eq!(money.display_in(Language::Arabic), "1,250.500 TND");
        let service = Amount {
            kind: "service".into(),
            unit: "hours".into(),
            item: Some("tailoring".into()),
            amount: 6,
        };
        assert_eq!(service.display(), "6 hours tailoring");
        assert_eq!(service.display_in(Language::French), "6 heures tailoring");
        assert_eq!(service.display_in(Language::Arabic), "6 ساعات tailoring");
    }
}
