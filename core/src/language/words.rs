//! The words of the transparency report and the delivery receipt, one [`Words`] per language.
//! Every field must be given for every language, so a missing word fails to compile. Counts
//! are written by small functions per language, which follow its plural rules.

use crate::model::NeedCategory;
use crate::time::Month;

/// The names of the need categories in one language; [`Words::need`] is the one place that
/// maps a category to its name.
pub(crate) struct NeedNames {
    pub food: &'static str,
    pub rent: &'static str,
    pub medical: &'static str,
    pub utilities: &'static str,
    pub education: &'static str,
    pub digital_equipment: &'static str,
    pub other: &'static str,
}

/// Everything the report and the receipt write in one language.
pub(crate) struct Words {
    // Numbers and dates.
    /// Between groups of three digits ("1,250").
    pub group_separator: &'static str,
    /// Before the minor units ("12.500").
    pub decimal_separator: &'static str,
    /// January to December.
    pub months: [&'static str; 12],
    /// The need categories.
    pub needs: NeedNames,
    /// The unit of services, for `n` hours.
    pub hours: fn(u64) -> &'static str,

    // The report.
    /// After the antenna's name in the page's title.
    pub report_title: &'static str,
    /// "made on {date}".
    pub made_on: fn(&str) -> String,
    /// A period of months: from and to.
    pub period_between: fn(&str, &str) -> String,
    /// An open-ended period since a month.
    pub period_since: fn(&str) -> String,
    /// A period until a month.
    pub period_until: fn(&str) -> String,
    /// No period given.
    pub all_months: &'static str,
    /// What the report is, under the title.
    pub report_intro: &'static str,
    /// The label under the count of households reached.
    pub households_reached: fn(u32) -> &'static str,
    /// The label under the count of deliveries.
    pub deliveries: fn(u32) -> &'static str,
    /// Section: received and given.
    pub received_and_given: &'static str,
    /// Column: received.
    pub received: &'static str,
    /// Column: pledged, not yet received.
    pub pledged: &'static str,
    /// Column: given.
    pub given: &'static str,
    /// Section: month by month.
    pub month_by_month: &'static str,
    /// No deliveries in the period.
    pub no_deliveries: &'static str,
    /// A month's heading: its deliveries and households.
    pub month_summary: fn(u32, u32) -> String,
    /// The chart's title (also its accessible name).
    pub chart_title: &'static str,
    /// How to read the chart, for those who do not see it.
    pub chart_description: &'static str,
    /// Column: the need.
    pub need: &'static str,
    /// Column: deliveries.
    pub deliveries_column: &'static str,
    /// Column: households.
    pub households_column: &'static str,
    /// Section: each donation.
    pub each_donation: &'static str,
    /// How a donor finds their donation.
    pub each_donation_note: &'static str,
    /// Column: reference.
    pub reference_column: &'static str,
    /// Column: month.
    pub month_column: &'static str,
    /// Column: donation.
    pub donation_column: &'static str,
    /// Column: left.
    pub left_column: &'static str,
    /// A donation used beyond its amount.
    pub over_allocated: &'static str,

    // The receipt.
    /// Between a label and its value ("Date: ...").
    pub colon: &'static str,
    /// The receipt's title.
    pub receipt_title: &'static str,
    /// Label: the household's code.
    pub household_code: &'static str,
    /// A household without a code.
    pub no_code: &'static str,
    /// Label: date.
    pub date: &'static str,
    /// Label: the need.
    pub need_label: &'static str,
    /// Label: what was given, as typed.
    pub what: &'static str,
    /// Label: given, before the funding lines.
    pub given_label: &'static str,
    /// Label: acknowledged.
    pub acknowledged: &'static str,
    /// Acknowledged with the household's code, on a date.
    pub acknowledged_with_code: fn(&str) -> String,
    /// Acknowledged on a date.
    pub acknowledged_on: fn(&str) -> String,
    /// Not acknowledged yet.
    pub not_yet: &'static str,
    /// Label: the delivery's reference.
    pub reference: &'static str,
    /// Goods or service from a donation: amount, unit, item.
    pub quantity_of: fn(&str, &str, &str) -> String,
    /// A donation whose ledger is not on the phone: amount, donation.
    pub not_on_this_phone: fn(&str, &str) -> String,
}

impl Words {
    /// The name of a need category.
    pub fn need(&self, category: NeedCategory) -> &'static str {
        let n = &self.needs;
        match category {
            NeedCategory::Food => n.food,
            NeedCategory::Rent => n.rent,
            NeedCategory::Medical => n.medical,
            NeedCategory::Utilities => n.utilities,
            NeedCategory::Education => n.education,
            NeedCategory::DigitalEquipment => n.digital_equipment,
            NeedCategory::Other => n.other,
        }
    }

    /// The name of a need stored as its word (`food`), or the word itself if unknown.
    pub fn need_word(&self, word: &str) -> String {
        NeedCategory::parse(word)
            .map(|c| self.need(c).to_owned())
            .unwrap_or_else(|| word.replace('_', " "))
    }

    /// A month written `YYYY-MM` as people read it ("April 2020"), or as given if it is not one.
    pub fn month(&self, text: &str) -> String {
        match Month::parse(text) {
            Some(m) if (1..=12).contains(&m.month) => {
                format!("{} {}", self.months[usize::from(m.month) - 1], m.year)
            }
            _ => text.to_owned(),
        }
    }

    /// A date written `YYYY-MM-DD` as people read it ("10 May 2020"), or as given.
    pub fn date(&self, text: &str) -> String {
        let day = text.get(8..).and_then(|d| d.parse::<u8>().ok());
        match (text.get(..7).and_then(Month::parse), day) {
            (Some(m), Some(day)) if text.len() == 10 && (1..=12).contains(&m.month) => {
                format!("{day} {} {}", self.months[usize::from(m.month) - 1], m.year)
            }
            _ => text.to_owned(),
        }
    }

    /// A whole number with this language's group separator ("1,250").
    pub fn group(&self, n: u64) -> String {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(self.group_separator);
            }
            out.push(c);
        }
        out
    }

    /// `minor` units of `currency` as readers of this language write money: the core's major
    /// units ([`crate::model::major_units`]) with this language's decimal mark, and its digit
    /// groups when `grouped`.
    pub fn money(&self, minor: u64, currency: &str, grouped: bool) -> String {
        let plain = crate::model::major_units(minor, currency);
        let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
        let whole = match whole.parse() {
            Ok(n) if grouped => self.group(n),
            _ => whole.to_owned(),
        };
        if fraction.is_empty() {
            whole
        } else {
            format!("{whole}{}{fraction}", self.decimal_separator)
        }
    }
}

/// Arabic counts: one and two have their own words; 3–10 take the plural, 11–99 the
/// singular accusative, the rest the singular (the CLDR rules, Western digits).
fn arabic(n: u32, one: &str, two: &str, few: &str, many: &str, other: &str) -> String {
    match n {
        1 => one.to_owned(),
        2 => two.to_owned(),
        _ => match n % 100 {
            3..=10 => format!("{n} {few}"),
            11..=99 => format!("{n} {many}"),
            _ => format!("{n} {other}"),
        },
    }
}

/// English.
pub(crate) static ENGLISH: Words = Words {
    group_separator: ",",
    decimal_separator: ".",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    needs: NeedNames {
        food: "Food",
        rent: "Rent",
        medical: "Medical",
        utilities: "Utilities",
        education: "Education",
        digital_equipment: "Digital equipment",
        other: "Other",
    },
    hours: |n| if n == 1 { "hour" } else { "hours" },
    report_title: "transparency report",
    made_on: |date| format!("made on {date}"),
    period_between: |from, to| format!("{from} to {to}"),
    period_since: |from| format!("since {from}"),
    period_until: |to| format!("until {to}"),
    all_months: "all months",
    report_intro: "What this antenna received and gave. Totals and counts only: no household \
                   and no donor is named.",
    households_reached: |n| {
        if n == 1 {
            "household reached"
        } else {
            "households reached"
        }
    },
    deliveries: |n| if n == 1 { "delivery" } else { "deliveries" },
    received_and_given: "Received and given",
    received: "received",
    pledged: "pledged, not yet received",
    given: "given",
    month_by_month: "Month by month",
    no_deliveries: "No deliveries in this period.",
    month_summary: |deliveries, households| {
        format!(
            "{deliveries} {}, {households} {}",
            if deliveries == 1 {
                "delivery"
            } else {
                "deliveries"
            },
            if households == 1 {
                "household"
            } else {
                "households"
            }
        )
    },
    chart_title: "Deliveries by need, month by month",
    chart_description: "One bar per need and month; the number beside each bar is its \
                        deliveries.",
    need: "need",
    deliveries_column: "deliveries",
    households_column: "households",
    each_donation: "Each donation",
    each_donation_note: "A donor told their donation's reference finds it here.",
    reference_column: "reference",
    month_column: "month",
    donation_column: "donation",
    left_column: "left",
    over_allocated: "over-allocated; a lead is resolving it",
    colon: ": ",
    receipt_title: "Delivery receipt",
    household_code: "Household code",
    no_code: "none",
    date: "Date",
    need_label: "Need",
    what: "What",
    given_label: "Given",
    acknowledged: "Acknowledged",
    acknowledged_with_code: |date| format!("yes, with the household's code ({date})"),
    acknowledged_on: |date| format!("yes ({date})"),
    not_yet: "not yet",
    reference: "Reference",
    quantity_of: |amount, unit, item| format!("{amount} {unit} of {item}"),
    not_on_this_phone: |amount, donation| {
        format!("{amount} from donation {donation} (not on this phone yet)")
    },
};

/// French (France and Tunisia): a space before the colon, a narrow no-break space between
/// digit groups, a decimal comma.
pub(crate) static FRENCH: Words = Words {
    group_separator: "\u{202f}",
    decimal_separator: ",",
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    needs: NeedNames {
        food: "Alimentation",
        rent: "Loyer",
        medical: "Santé",
        utilities: "Factures",
        education: "Scolarité",
        digital_equipment: "Équipement numérique",
        other: "Autre",
    },
    hours: |n| if n <= 1 { "heure" } else { "heures" },
    report_title: "rapport de transparence",
    made_on: |date| format!("établi le {date}"),
    period_between: |from, to| format!("de {from} à {to}"),
    period_since: |from| format!("depuis {from}"),
    period_until: |to| format!("jusqu’à {to}"),
    all_months: "tous les mois",
    report_intro: "Ce que cette antenne a reçu et donné. Uniquement des totaux et des \
                   nombres : aucun foyer ni aucun donateur n’est nommé.",
    households_reached: |n| {
        if n <= 1 {
            "foyer aidé"
        } else {
            "foyers aidés"
        }
    },
    deliveries: |n| {
        if n <= 1 {
            "distribution"
        } else {
            "distributions"
        }
    },
    received_and_given: "Reçu et donné",
    received: "reçu",
    pledged: "promis, pas encore reçu",
    given: "donné",
    month_by_month: "Mois par mois",
    no_deliveries: "Aucune distribution sur cette période.",
    month_summary: |deliveries, households| {
        format!(
            "{deliveries} {}, {households} {}",
            if deliveries <= 1 {
                "distribution"
            } else {
                "distributions"
            },
            if households <= 1 { "foyer" } else { "foyers" }
        )
    },
    chart_title: "Distributions par besoin, mois par mois",
    chart_description: "Une barre par besoin et par mois ; le nombre à côté de chaque barre \
                        est celui de ses distributions.",
    need: "besoin",
    deliveries_column: "distributions",
    households_column: "foyers",
    each_donation: "Chaque don",
    each_donation_note: "Un donateur qui connaît la référence de son don le retrouve ici.",
    reference_column: "référence",
    month_column: "mois",
    donation_column: "don",
    left_column: "reste",
    over_allocated: "dépassé ; un responsable le règle",
    colon: "\u{a0}: ",
    receipt_title: "Reçu de distribution",
    household_code: "Code du foyer",
    no_code: "aucun",
    date: "Date",
    need_label: "Besoin",
    what: "Contenu",
    given_label: "Donné",
    acknowledged: "Réception confirmée",
    acknowledged_with_code: |date| format!("oui, avec le code du foyer ({date})"),
    acknowledged_on: |date| format!("oui ({date})"),
    not_yet: "pas encore",
    reference: "Référence",
    quantity_of: |amount, unit, item| {
        let elided = item
            .chars()
            .next()
            .is_some_and(|c| "aeiouyhàâéèêëîïôöûüAEIOUYHÀÂÉÈÊËÎÏÔÖÛÜ".contains(c));
        if elided {
            format!("{amount} {unit} d’{item}")
        } else {
            format!("{amount} {unit} de {item}")
        }
    },
    not_on_this_phone: |amount, donation| {
        format!("{amount} du don {donation} (pas encore sur ce téléphone)")
    },
};

/// Arabic: right to left, Western digits; the months as written in Tunisia.
pub(crate) static ARABIC: Words = Words {
    group_separator: ",",
    decimal_separator: ".",
    months: [
        "جانفي",
        "فيفري",
        "مارس",
        "أفريل",
        "ماي",
        "جوان",
        "جويلية",
        "أوت",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ],
    needs: NeedNames {
        food: "غذاء",
        rent: "إيجار",
        medical: "صحة",
        utilities: "فواتير",
        education: "تعليم",
        digital_equipment: "معدات رقمية",
        other: "أخرى",
    },
    hours: |n| {
        if (3..=10).contains(&(n % 100)) {
            "ساعات"
        } else {
            "ساعة"
        }
    },
    report_title: "تقرير الشفافية",
    made_on: |date| format!("أُعدّ في {date}"),
    period_between: |from, to| format!("من {from} إلى {to}"),
    period_since: |from| format!("منذ {from}"),
    period_until: |to| format!("حتى {to}"),
    all_months: "كل الأشهر",
    report_intro: "ما تلقّاه هذا الفرع وما قدّمه. مجاميع وأعداد فقط: لا تُذكر أي أسرة ولا أي متبرّع.",
    households_reached: |_| "عدد الأسر المستفيدة",
    deliveries: |_| "عدد التسليمات",
    received_and_given: "ما تمّ تلقّيه وما تمّ تقديمه",
    received: "المُستلَم",
    pledged: "الموعود به، لم يُستلَم بعد",
    given: "المُقدَّم",
    month_by_month: "شهرًا بشهر",
    no_deliveries: "لا توجد تسليمات في هذه الفترة.",
    month_summary: |deliveries, households| {
        format!(
            "{}، {}",
            arabic(
                deliveries,
                "تسليم واحد",
                "تسليمان",
                "تسليمات",
                "تسليمًا",
                "تسليم"
            ),
            arabic(households, "أسرة واحدة", "أسرتان", "أسر", "أسرة", "أسرة")
        )
    },
    chart_title: "التسليمات حسب الحاجة، شهرًا بشهر",
    chart_description: "شريط لكل حاجة في كل شهر؛ الرقم بجانب الشريط هو عدد تسليماتها.",
    need: "الحاجة",
    deliveries_column: "التسليمات",
    households_column: "الأسر",
    each_donation: "كل تبرّع",
    each_donation_note: "المتبرّع الذي يعرف مرجع تبرّعه يجده هنا.",
    reference_column: "المرجع",
    month_column: "الشهر",
    donation_column: "التبرّع",
    left_column: "المتبقّي",
    over_allocated: "تجاوز المبلغ؛ يعالجه أحد المسؤولين",
    colon: ": ",
    receipt_title: "وصل تسليم",
    household_code: "رمز الأسرة",
    no_code: "لا يوجد",
    date: "التاريخ",
    need_label: "الحاجة",
    what: "ما تمّ تقديمه",
    given_label: "من التبرّعات",
    acknowledged: "تأكيد الاستلام",
    acknowledged_with_code: |date| format!("نعم، برمز الأسرة ({date})"),
    acknowledged_on: |date| format!("نعم ({date})"),
    not_yet: "ليس بعد",
    reference: "المرجع",
    quantity_of: |amount, unit, item| format!("{amount} {unit} من {item}"),
    not_on_this_phone: |amount, donation| {
        format!("{amount} من التبرّع {donation} (ليس على هذا الهاتف بعد)")
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_counts_follow_each_language() {
        assert_eq!((ENGLISH.month_summary)(1, 1), "1 delivery, 1 household");
        assert_eq!((ENGLISH.month_summary)(2, 3), "2 deliveries, 3 households");
        assert_eq!((FRENCH.month_summary)(1, 2), "1 distribution, 2 foyers");
        assert_eq!((ARABIC.month_summary)(1, 2), "تسليم واحد، أسرتان");
        assert_eq!((ARABIC.month_summary)(5, 12), "5 تسليمات، 12 أسرة");
        assert_eq!((FRENCH.quantity_of)("5", "kg", "huile"), "5 kg d’huile");
        assert_eq!(
            (FRENCH.quantity_of)("5", "kg", "semoule"),
            "5 kg de semoule"
        );
    }

    #[test]
    fn test_months_and_dates_are_written_out() {
        assert_eq!(ENGLISH.month("2020-04"), "April 2020");
        assert_eq!(FRENCH.date("2020-05-10"), "10 mai 2020");
        assert_eq!(ARABIC.month("2020-12"), "ديسمبر 2020");
        assert_eq!(ENGLISH.month("soon"), "soon");
        assert_eq!(FRENCH.money(1_250_500, "TND", true), "1\u{202f}250,500");
        assert_eq!(ENGLISH.need_word("digital_equipment"), "Digital equipment");
    }
}
