//! Delivery codes: lists and receipts that name households by a short random code, never by
//! name, and the codes themselves.
//!
//! A household's code lives in its document (`profile.delivery_code`), so it is erased with
//! the household, and in the derived `households` table, so lists and checks never open a
//! household document. Codes are random, 6 characters of an unambiguous alphabet (31⁶ ≈
//! 8.9 × 10⁸ codes), and checked against every code this device knows when made. Two devices
//! offline can still draw the same code for two households (any two codes: about 1 in 10⁹; a
//! registration offline against the 5,000 codes of a large antenna it cannot see: about 1 in
//! 180,000); the code then no longer tells those two apart, but a confirmation is still
//! checked against the delivery's own household (see ARCHITECTURE.md, "Delivery codes").

use crate::input_problem::InputProblem;
use autosurgeon::reconcile_prop;
use rusqlite::{params, Connection, OptionalExtension};

use crate::document::{ledger_id, lookup, DocumentKind};
use crate::error::{Error, Result};
use crate::ids::{AntennaId, DeliveryId, DonationId, HouseholdId, LedgerId, MemberId};
use crate::language::Language;
use crate::model::{Delivery, NeedCategory};
use crate::store::access::{map_at, FIELD_WORK};
use crate::store::documents::{Batch, Documents};
use crate::store::Store;
use crate::time::{Month, Timestamp};
use crate::workflows::report::unit_in;

/// The characters of delivery codes: digits and capitals without those read or typed for one
/// another (0/O, 1/I/L), so a code read aloud or from a crumpled card is typed right.
pub const DELIVERY_CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// How many characters a delivery code has: 31⁶ ≈ 8.9 × 10⁸ codes.
pub const DELIVERY_CODE_LENGTH: usize = 6;

/// A fresh random delivery code, written as shown: two groups of three ("K7M-4PQ").
pub fn random_delivery_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let chars: String = (0..DELIVERY_CODE_LENGTH)
        .map(|_| {
            let index = rng.random_range(0..DELIVERY_CODE_ALPHABET.len());
            char::from(DELIVERY_CODE_ALPHABET[index])
        })
        .collect();
    format_delivery_code(&chars)
}

/// A delivery code as typed, in the stored form ("k7m 4pq", "K7M4PQ" and "k7m-4pq" are all
/// "K7M-4PQ"): case, spaces and dashes do not matter. `None` if what remains is not six
/// characters of [`DELIVERY_CODE_ALPHABET`], so no such code exists.
pub fn normalize_delivery_code(typed: &str) -> Option<String> {
    let chars: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = chars.len() == DELIVERY_CODE_LENGTH
        && chars.bytes().all(|c| DELIVERY_CODE_ALPHABET.contains(&c));
    valid.then(|| format_delivery_code(&chars))
}

fn format_delivery_code(chars: &str) -> String {
    let (first, second) = chars.split_at(DELIVERY_CODE_LENGTH / 2);
    format!("{first}-{second}")
}

/// One delivery as a delivery list or receipt shows it: the household by its delivery code
/// only. No name, phone, address or household id, so a list left on a table or a receipt
/// shared from a phone tells a neighbour nothing about who was helped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryLine {
    /// The delivery.
    pub id: DeliveryId,
    /// The household's delivery code ("K7M-4PQ"); for a household merged into another, the
    /// code of the household it lives on in. `None` when the household's document is not on
    /// this device, predates codes, or was erased.
    pub delivery_code: Option<String>,
    /// The need it answered.
    pub category: NeedCategory,
    /// What was given, as the volunteer typed it.
    pub description: String,
    /// What each donation gave, in its own unit.
    pub given: Vec<FundingLine>,
    /// The volunteer who delivered it.
    pub delivered_by: MemberId,
    /// When.
    pub delivered_at: Timestamp,
    /// When the household's acknowledgement was recorded, if it was.
    pub acknowledged_at: Option<Timestamp>,
    /// Whether that acknowledgement was confirmed by the household's delivery code.
    pub code_confirmed: bool,
}

/// What one donation gave to a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundingLine {
    /// The donation.
    pub donation: DonationId,
    /// How much, in the donation's unit (minor units for money).
    pub amount: u64,
    /// `money`, `goods` or `service`; `None` while the donation's ledger is not on this device.
    pub kind: Option<String>,
    /// Currency code, goods unit or `hours`; `None` like `kind`.
    pub unit: Option<String>,
    /// The goods item or service kind (`None` for money).
    pub item: Option<String>,
}

/// A receipt for one delivery, to show, share or print from a phone: the antenna and the
/// delivery, the household by its code only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryReceipt {
    /// The antenna's name.
    pub antenna_name: String,
    /// The delivery.
    pub delivery: DeliveryLine,
}

impl DeliveryReceipt {
    /// The receipt as plain text in `language`, a few short lines that fit a phone's share
    /// sheet or a receipt printer. It holds what [`DeliveryLine`] holds and nothing more: no
    /// name, phone or address; the volunteer's description stays as typed. In a right-to-left
    /// language (Arabic) every line starts with a right-to-left mark, so each line reads from
    /// the right even when it begins with the antenna's Latin name or a code.
    pub fn to_text(&self, language: Language) -> String {
        let w = language.words();
        let d = &self.delivery;
        let mut lines = vec![self.antenna_name.clone(), w.receipt_title.to_owned()];
        let labelled = |label: &str, value: &str| format!("{label}{}{value}", w.colon);
        lines.push(labelled(
            w.household_code,
            d.delivery_code.as_deref().unwrap_or(w.no_code),
        ));
        lines.push(labelled(w.date, &w.date(&d.delivered_at.date())));
        lines.push(labelled(w.need_label, w.need(d.category)));
        if !d.description.is_empty() {
            lines.push(labelled(w.what, &d.description));
        }
        lines.push(format!("{}{}", w.given_label, w.colon.trim_end()));
        for line in &d.given {
            lines.push(format!("  {}", line.to_text(language)));
        }
        let acknowledged = match (d.acknowledged_at, d.code_confirmed) {
            (Some(at), true) => (w.acknowledged_with_code)(&w.date(&at.date())),
            (Some(at), false) => (w.acknowledged_on)(&w.date(&at.date())),
            (None, _) => w.not_yet.to_owned(),
        };
        lines.push(labelled(w.acknowledged, &acknowledged));
        lines.push(labelled(w.reference, d.id.as_str()));
        let mark = if language.is_right_to_left() {
            "\u{200f}"
        } else {
            ""
        };
        lines
            .iter()
            .map(|line| format!("{mark}{line}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl FundingLine {
    /// The amount in words a reader of `language` expects: "12.000 TND", "5 kg of semolina",
    /// "3 hours of tailoring" ("5 kg de semolina", "3 heures de tailoring"): digits and units
    /// as in the report, items as the antenna typed them.
    pub fn to_text(&self, language: Language) -> String {
        let w = language.words();
        match (self.kind.as_deref(), self.unit.as_deref()) {
            (Some("money"), Some(currency)) => {
                format!("{} {currency}", w.money(self.amount, currency, false))
            }
            (Some(_), Some(unit)) => {
                let unit = unit_in(w, unit, self.amount);
                match &self.item {
                    Some(item) => (w.quantity_of)(&self.amount.to_string(), &unit, item),
                    None => format!("{} {unit}", self.amount),
                }
            }
            _ => (w.not_on_this_phone)(&self.amount.to_string(), self.donation.as_str()),
        }
    }
}

impl Store {
    /// The household's delivery code, issued now if it has none (households registered before
    /// codes existed). A household has one code: calling this again returns the same one.
    /// For leads and volunteers.
    ///
    /// Two devices issuing a code for the same household offline each write one; after they
    /// sync, the last writer's is the household's code on both.
    ///
    /// # Errors
    /// [`Error::HouseholdErased`] for an erased household; [`Error::UnknownHousehold`] if its
    /// document is not on this device; [`Error::NotPermitted`] for observers. Nothing is
    /// recorded then.
    pub fn issue_delivery_code(&self, household: HouseholdId) -> Result<String> {
        self.batch(|b| {
            if b.is_erased(household)? {
                return Err(Error::HouseholdErased(household));
            }
            let antenna = b.antenna_of(household)?;
            b.acting(antenna, "issue delivery codes", FIELD_WORK)?;
            let doc = b
                .doc(household.document(), DocumentKind::Household)?
                .ok_or(Error::UnknownHousehold(household))?;
            let existing: Option<Option<String>> = lookup(doc, &["profile", "delivery_code"])?;
            if let Some(code) = existing.flatten() {
                return Ok(code);
            }
            let code = b.unique_delivery_code(antenna)?;
            b.change(household.document(), "issue delivery code", |tx| {
                let profile = map_at(tx, &["profile"])?;
                reconcile_prop(tx, profile, "delivery_code", Some(code.as_str()))?;
                Ok(())
            })?;
            b.refresh_household(antenna, household, true)?;
            Ok(code)
        })
    }

    /// The deliveries of one month, oldest first, each naming its household by delivery code
    /// only: what a volunteer carries on a delivery round or a lead shows the donors.
    ///
    /// # Errors
    /// [`Error::UnknownAntenna`] if the antenna is not on this device. A month with no ledger
    /// on this device is an empty list.
    pub fn delivery_list(&self, antenna: AntennaId, month: Month) -> Result<Vec<DeliveryLine>> {
        self.read(|db, docs| {
            antenna_name(db, docs, antenna)?;
            let ledger = ledger_id(antenna, month);
            let Some(loaded) = docs.get(db, ledger.document())? else {
                return Ok(Vec::new());
            };
            let deliveries: Option<std::collections::BTreeMap<DeliveryId, Delivery>> =
                lookup(&loaded.doc, &["deliveries"])?;
            let mut lines = deliveries
                .unwrap_or_default()
                .into_iter()
                .map(|(id, delivery)| line(db, id, delivery))
                .collect::<Result<Vec<_>>>()?;
            lines.sort_by(|a, b| (a.delivered_at, &a.id).cmp(&(b.delivered_at, &b.id)));
            Ok(lines)
        })
    }

    /// A receipt for one delivery (see [`DeliveryReceipt::to_text`] for the text to share).
    ///
    /// # Errors
    /// [`Error::UnknownDelivery`] if the delivery is not in the antenna's ledgers on this
    /// device; [`Error::UnknownAntenna`] if the antenna is not.
    pub fn delivery_receipt(
        &self,
        antenna: AntennaId,
        delivery: &DeliveryId,
    ) -> Result<DeliveryReceipt> {
        self.read(|db, docs| {
            let antenna_name = antenna_name(db, docs, antenna)?;
            let ledger: Option<String> = db
                .prepare_cached(
                    "SELECT ledger_id FROM deliveries WHERE id = ?1 AND antenna_id = ?2",
                )?
                .query_row(params![delivery.as_str(), antenna.to_string()], |r| {
                    r.get(0)
                })
                .optional()?;
            let ledger: LedgerId = ledger
                .and_then(|l| l.parse().ok())
                .ok_or_else(|| Error::UnknownDelivery(delivery.clone()))?;
            let found: Option<Delivery> = match docs.get(db, ledger.document())? {
                Some(loaded) => lookup(&loaded.doc, &["deliveries", delivery.as_str()])?,
                None => None,
            };
            let found = found.ok_or_else(|| Error::UnknownDelivery(delivery.clone()))?;
            Ok(DeliveryReceipt {
                antenna_name,
                delivery: line(db, delivery.clone(), found)?,
            })
        })
    }
}

/// The antenna's name, or [`Error::UnknownAntenna`].
fn antenna_name(db: &Connection, docs: &mut Documents, antenna: AntennaId) -> Result<String> {
    let loaded = docs
        .get(db, antenna.document())?
        .filter(|l| l.header.kind == DocumentKind::Antenna)
        .ok_or(Error::UnknownAntenna(antenna))?;
    Ok(lookup(&loaded.doc, &["name"])?.unwrap_or_default())
}

/// The list line of one delivery: the household's code from the derived table (the code of
/// the household it was merged into, if it was), the donations' units from theirs.
fn line(db: &Connection, id: DeliveryId, delivery: Delivery) -> Result<DeliveryLine> {
    let code: Option<String> = db
        .prepare_cached(
            "SELECT COALESCE(root.delivery_code, h.delivery_code)
             FROM households h LEFT JOIN households root ON root.id = h.merged_root
             WHERE h.id = ?1",
        )?
        .query_row([delivery.household.to_string()], |r| r.get(0))
        .optional()?
        .flatten();
    let mut donation = db.prepare_cached("SELECT kind, unit, item FROM donations WHERE id = ?1")?;
    let mut given = Vec::with_capacity(delivery.funding.len());
    for (donation_id, amount) in delivery.funding {
        let found: Option<(String, String, Option<String>)> = donation
            .query_row([donation_id.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let (kind, unit, item) = match found {
            Some((kind, unit, item)) => (Some(kind), Some(unit), item),
            None => (None, None, None),
        };
        given.push(FundingLine {
            donation: donation_id,
            amount,
            kind,
            unit,
            item,
        });
    }
    let (acknowledged_at, code_confirmed) = match &delivery.acknowledged {
        Some(ack) => (Some(ack.at), ack.code_confirmed),
        None => (None, false),
    };
    Ok(DeliveryLine {
        id,
        delivery_code: code,
        category: delivery.category,
        description: delivery.description,
        given,
        delivered_by: delivery.delivered_by,
        delivered_at: delivery.delivered_at,
        acknowledged_at,
        code_confirmed,
    })
}

/// How many random codes to draw before giving up on finding a free one (each is taken with
/// probability below 10⁻⁵ even at 5,000 households, so one draw almost always does).
const CODE_DRAWS: usize = 100;

impl Batch<'_> {
    /// A random delivery code that no household of the antenna on this device has.
    pub(crate) fn unique_delivery_code(&mut self, antenna: AntennaId) -> Result<String> {
        let mut taken = self.sql.prepare_cached(
            "SELECT 1 FROM households WHERE antenna_id = ?1 AND delivery_code = ?2",
        )?;
        first_free(random_delivery_code, |code| {
            Ok(taken
                .query_row(params![antenna.to_string(), code], |_| Ok(()))
                .optional()?
                .is_some())
        })
    }

    /// The codes a household may confirm its deliveries with: its own, and, since a merge
    /// says two registrations are one family, those of its whole family (the household it
    /// was merged into and every household merged into that one). Whichever card the family
    /// kept, its code is accepted.
    ///
    /// # Errors
    /// [`Error::HouseholdErased`] for an erased household, [`Error::UnknownHousehold`] if its
    /// document is not on this device, and [`Error::Invalid`] (`code`) if the family has no
    /// code yet.
    pub(crate) fn family_codes(
        &mut self,
        antenna: AntennaId,
        household: HouseholdId,
    ) -> Result<Vec<String>> {
        if self.is_erased(household)? {
            return Err(Error::HouseholdErased(household));
        }
        let key = household.to_string();
        let row: Option<(Option<String>, bool)> = self
            .sql
            .prepare_cached(
                "SELECT merged_root, has_document FROM households
                 WHERE id = ?1 AND antenna_id = ?2",
            )?
            .query_row(params![key, antenna.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((root, true)) = row else {
            return Err(Error::UnknownHousehold(household));
        };
        let root = root.unwrap_or_else(|| key.clone());
        let mut stmt = self.sql.prepare_cached(
            "SELECT delivery_code FROM households
             WHERE (id = ?1 OR id = ?2 OR merged_root = ?2) AND delivery_code IS NOT NULL",
        )?;
        let codes = stmt
            .query_map(params![key, root], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if codes.is_empty() {
            return Err(Error::invalid("code", InputProblem::NoDeliveryCode));
        }
        Ok(codes)
    }
}

/// The first code `draw` gives that `taken` says is free, within [`CODE_DRAWS`] draws.
fn first_free(
    mut draw: impl FnMut() -> String,
    mut taken: impl FnMut(&str) -> Result<bool>,
) -> Result<String> {
    for _ in 0..CODE_DRAWS {
        let code = draw();
        if !taken(&code)? {
            return Ok(code);
        }
    }
    Err(Error::invalid(
        "delivery_code",
        InputProblem::NoFreeDeliveryCode,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_delivery_codes_are_two_groups_of_unambiguous_characters() {
        for _ in 0..200 {
            let code = random_delivery_code();
            assert_eq!(code.len(), 7);
            assert_eq!(&code[3..4], "-");
            assert!(code
                .bytes()
                .filter(|c| *c != b'-')
                .all(|c| DELIVERY_CODE_ALPHABET.contains(&c)));
            assert_eq!(
                normalize_delivery_code(&code).as_deref(),
                Some(code.as_str())
            );
        }
    }

    #[test]
    fn test_typed_codes_ignore_case_spaces_and_dashes() {
        for typed in ["K7M-4PQ", "k7m4pq", " k7m 4pq ", "K-7-M-4-P-Q"] {
            assert_eq!(normalize_delivery_code(typed).as_deref(), Some("K7M-4PQ"));
        }
        // Too short, too long, or characters no code has (O, 0, 1, I, L).
        for typed in ["K7M-4P", "K7M-4PQR", "K7M-4PO", "K7M-4P0", "", "é7M-4PQ"] {
            assert_eq!(normalize_delivery_code(typed), None, "{typed}");
        }
    }

    #[test]
    fn test_a_code_already_taken_is_drawn_again() {
        let mut draws = ["AAA-AAA", "AAA-AAA", "BBB-BBB"].into_iter();
        let code = first_free(
            || draws.next().unwrap().to_owned(),
            |code| Ok(code == "AAA-AAA"),
        )
        .unwrap();
        assert_eq!(code, "BBB-BBB");
        assert!(first_free(|| "AAA-AAA".to_owned(), |_| Ok(true)).is_err());
    }

    #[test]
    fn test_amounts_are_written_in_their_currency_and_unit() {
        let line = |kind: &str, unit: &str, item: Option<&str>, amount| FundingLine {
            donation: DonationId::from("d1"),
            amount,
            kind: Some(kind.to_owned()),
            unit: Some(unit.to_owned()),
            item: item.map(str::to_owned),
        };
        assert_eq!(
            line("money", "TND", None, 12_000).to_text(Language::English),
            "12.000 TND"
        );
        assert_eq!(
            line("money", "EUR", None, 1_205).to_text(Language::English),
            "12.05 EUR"
        );
        assert_eq!(
            line("money", "JPY", None, 500).to_text(Language::English),
            "500 JPY"
        );
        assert_eq!(
            line("goods", "kg", Some("semolina"), 5).to_text(Language::English),
            "5 kg of semolina"
        );
        assert_eq!(
            line("service", "hours", Some("tailoring"), 3).to_text(Language::English),
            "3 hours of tailoring"
        );
        let unknown = FundingLine {
            kind: None,
            unit: None,
            ..line("money", "TND", None, 7)
        };
        assert!(unknown
            .to_text(Language::English)
            .contains("not on this phone yet"));
    }
}

#[cfg(test)]
mod receipt_tests {
    use super::*;

    /// 2020-04-02, UTC.
    const APRIL_2: i64 = 1_585_785_600_000;

    fn receipt(antenna_name: &str, acknowledged: bool) -> DeliveryReceipt {
        DeliveryReceipt {
            antenna_name: antenna_name.into(),
            delivery: DeliveryLine {
                id: DeliveryId::from("dl-1"),
                delivery_code: Some("K7M-4PQ".into()),
                category: NeedCategory::Food,
                description: "colis <b>".into(),
                given: vec![
                    FundingLine {
                        donation: DonationId::from("d1"),
                        amount: 12_000,
                        kind: Some("money".into()),
                        unit: Some("TND".into()),
                        item: None,
                    },
                    FundingLine {
                        donation: DonationId::from("d2"),
                        amount: 5,
                        kind: Some("goods".into()),
                        unit: Some("kg".into()),
                        item: Some("huile".into()),
                    },
                ],
                delivered_by: MemberId::from("m1"),
                delivered_at: Timestamp(APRIL_2),
                acknowledged_at: acknowledged.then_some(Timestamp(APRIL_2)),
                code_confirmed: acknowledged,
            },
        }
    }

    #[test]
    fn test_the_receipt_in_english() {
        let text = receipt("La Marsa", true).to_text(Language::English);
        assert_eq!(
            text,
            "La Marsa\nDelivery receipt\nHousehold code: K7M-4PQ\nDate: 2 April 2020\n\
             Need: Food\nWhat: colis <b>\nGiven:\n  12.000 TND\n  5 kg of huile\n\
             Acknowledged: yes, with the household's code (2 April 2020)\nReference: dl-1"
        );
    }

    #[test]
    fn test_the_receipt_in_french() {
        let text = receipt("La Marsa", false).to_text(Language::French);
        for expected in [
            "Reçu de distribution",
            "Code du foyer\u{a0}: K7M-4PQ",
            "Date\u{a0}: 2 avril 2020",
            "Besoin\u{a0}: Alimentation",
            "  12,000 TND",
            "  5 kg d’huile",
            "Réception confirmée\u{a0}: pas encore",
            "Référence\u{a0}: dl-1",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
    }

    #[test]
    fn test_the_receipt_in_arabic_reads_from_the_right() {
        let text = receipt("La Marsa", true).to_text(Language::Arabic);
        assert!(text.lines().all(|line| line.starts_with('\u{200f}')));
        for expected in [
            "وصل تسليم",
            "رمز الأسرة: K7M-4PQ",
            "التاريخ: 2 أفريل 2020",
            "الحاجة: غذاء",
            "5 kg من huile",
            "نعم، برمز الأسرة (2 أفريل 2020)",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
    }

    #[test]
    fn test_the_three_receipts_differ_and_keep_to_their_language() {
        let texts = Language::ALL.map(|l| receipt("La Marsa", false).to_text(l));
        assert!(texts[0] != texts[1] && texts[1] != texts[2]);
        for english in [
            "Delivery receipt",
            "Household code",
            "not yet",
            "Food",
            " of ",
        ] {
            assert!(texts[0].contains(english), "{english}");
            assert!(!texts[1].contains(english) && !texts[2].contains(english));
        }
        for text in &texts {
            // The household is named by its code only; the receipt holds nothing else.
            assert!(text.contains("K7M-4PQ") && text.contains("La Marsa"));
        }
        let unknown = FundingLine {
            kind: None,
            unit: None,
            ..receipt("x", false).delivery.given[0].clone()
        };
        assert!(unknown
            .to_text(Language::French)
            .contains("pas encore sur ce téléphone"));
    }
}
