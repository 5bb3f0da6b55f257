//! The handover of households to the municipality, as a file: one row per household, in CSV
//! (UTF-8 with a byte-order mark), CSV with HXL hashtags, or JSON.
//!
//! Only formatting: which households may be in the file (their consent) is decided by the
//! store before rows reach this module (`Store::export_for_municipality`).

use std::borrow::Cow;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ids::HouseholdId;
use crate::model::{HandoverFormat, HouseholdState, NeedCategory, Priority};
use crate::time::Timestamp;

/// The UTF-8 byte-order mark. Spreadsheet programs (Excel above all) read a CSV file without
/// it in the system's legacy code page, which turns Arabic names into mojibake.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One household as handed over.
#[derive(Clone, Debug, PartialEq)]
pub struct HandoverRow {
    /// The household's id, so the municipality can tell the antenna which one it means.
    pub household: HouseholdId,
    /// The head's name, as the household gives it.
    pub head_name: String,
    /// A phone number, only when the household also agreed to be called.
    pub phone: Option<String>,
    /// Address or landmark, as typed.
    pub address: String,
    /// How many people live in it.
    pub size: u32,
    /// Categories of needs still open.
    pub open_needs: Vec<NeedCategory>,
    /// The antenna's priority for it.
    pub priority: Priority,
    /// When it was registered.
    pub registered_at: Timestamp,
    /// Active, graduated or moved away (never merged: a merged household lives on in the one
    /// it was merged into).
    pub status: HouseholdState,
}

/// The columns, in order: the header a person reads, and the HXL hashtag a machine reads.
///
/// HXL (Humanitarian Exchange Language) tags are core hashtags with attributes. Name, phone
/// and address are tagged `#contact`, so HXL tools that strip personal data (they drop every
/// `#contact` column) strip these too. `+registered` and `+priority` are custom attributes,
/// which HXL allows on any hashtag.
pub const COLUMNS: [(&str, &str); 9] = [
    ("Household", "#beneficiary+id"),
    ("Head of household", "#contact+name"),
    ("Phone", "#contact+phone"),
    ("Address or landmark", "#contact+address"),
    ("People", "#inneed+ind"),
    ("Open needs", "#need+name"),
    ("Priority", "#indicator+priority"),
    ("Registered on", "#date+registered"),
    ("Status", "#status"),
];

/// The file for `rows` in `format`.
///
/// CSV: the byte-order mark, a header row (for HXL, a row of hashtags under it), one row per
/// household, CRLF line ends; quoting by the `csv` crate; open needs as words joined by `; `;
/// every cell passed through [`spreadsheet_safe`]. JSON: an array of objects with the keys
/// `household_id`, `head_name`, `phone` (or null), `address`, `size`, `open_needs` (array of
/// words), `priority`, `registered_on` (`YYYY-MM-DD`), `status`; no apostrophes added.
pub fn write(rows: &[HandoverRow], format: HandoverFormat) -> Result<Vec<u8>> {
    match format {
        HandoverFormat::Csv => csv(rows, false),
        HandoverFormat::HxlCsv => csv(rows, true),
        HandoverFormat::Json => json(rows),
    }
}

/// A cell as a spreadsheet program will take it. Text starting with `=`, `+`, `-` or `@` is
/// read as a formula when the file is opened (CSV injection): a name or address typed as
/// `=HYPERLINK(...)` could run or leak something on the municipality's computer. Such cells
/// get a leading apostrophe, which spreadsheet programs take as "this is text" (OWASP's
/// advice). Tab and carriage return are guarded too: some programs skip them before looking
/// for a formula. The price: a phone written `+216 ...` shows as `'+216 ...`.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

fn needs(open: &[NeedCategory]) -> String {
    open.iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn csv(rows: &[HandoverRow], hxl: bool) -> Result<Vec<u8>> {
    let mut out = UTF8_BOM.to_vec();
    {
        let mut writer = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(&mut out);
        let fail = |e: ::csv::Error| Error::Io(std::io::Error::from(e));
        writer
            .write_record(COLUMNS.iter().map(|(header, _)| *header))
            .map_err(fail)?;
        if hxl {
            writer
                .write_record(COLUMNS.iter().map(|(_, tag)| *tag))
                .map_err(fail)?;
        }
        for row in rows {
            let cells = [
                row.household.to_string(),
                row.head_name.clone(),
                row.phone.clone().unwrap_or_default(),
                row.address.clone(),
                row.size.to_string(),
                needs(&row.open_needs),
                row.priority.as_str().to_owned(),
                row.registered_at.date(),
                row.status.as_str().to_owned(),
            ];
            writer
                .write_record(cells.iter().map(|c| spreadsheet_safe(c).into_owned()))
                .map_err(fail)?;
        }
        writer.flush()?;
    }
    Ok(out)
}

#[derive(Serialize)]
struct JsonRow<'a> {
    household_id: String,
    head_name: &'a str,
    phone: Option<&'a str>,
    address: &'a str,
    size: u32,
    open_needs: Vec<&'static str>,
    priority: &'static str,
    registered_on: String,
    status: &'static str,
}

fn json(rows: &[HandoverRow]) -> Result<Vec<u8>> {
    let rows: Vec<JsonRow<'_>> = rows
        .iter()
        .map(|r| JsonRow {
            household_id: r.household.to_string(),
            head_name: &r.head_name,
            phone: r.phone.as_deref(),
            address: &r.address,
            size: r.size,
            open_needs: r.open_needs.iter().map(|c| c.as_str()).collect(),
            priority: r.priority.as_str(),
            registered_on: r.registered_at.date(),
            status: r.status.as_str(),
        })
        .collect();
    serde_json::to_vec_pretty(&rows).map_err(|e| Error::Io(std::io::Error::other(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, phone: Option<&str>, address: &str) -> HandoverRow {
        HandoverRow {
            household: HouseholdId::random(),
            head_name: name.into(),
            phone: phone.map(Into::into),
            address: address.into(),
            size: 5,
            open_needs: vec![NeedCategory::Food, NeedCategory::Rent],
            priority: Priority::High,
            registered_at: Timestamp(1_586_000_000_000),
            status: HouseholdState::Active,
        }
    }

    fn records(bytes: &[u8]) -> Vec<Vec<String>> {
        assert!(bytes.starts_with(UTF8_BOM), "the file starts with the BOM");
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[3..]);
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn test_csv_starts_with_the_bom_and_keeps_arabic_quotes_and_commas_whole() {
        let rows = [row(
            "فاطمة بن علي",
            Some("98 123 456"),
            "Rue de Carthage, \"behind\" the mosque\nsecond line",
        )];
        let bytes = write(&rows, HandoverFormat::Csv).unwrap();
        let records = records(&bytes);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0][0], "Household");
        assert_eq!(records[0].len(), COLUMNS.len());
        let cells = &records[1];
        assert_eq!(cells[0], rows[0].household.to_string());
        assert_eq!(cells[1], "فاطمة بن علي");
        assert_eq!(cells[2], "98 123 456");
        assert_eq!(
            cells[3],
            "Rue de Carthage, \"behind\" the mosque\nsecond line"
        );
        assert_eq!(cells[4], "5");
        assert_eq!(cells[5], "food; rent");
        assert_eq!(cells[6], "high");
        assert_eq!(cells[7], "2020-04-04");
        assert_eq!(cells[8], "active");
        assert!(bytes.windows(2).any(|w| w == b"\r\n"), "CRLF line ends");
    }

    #[test]
    fn test_hxl_puts_a_row_of_hashtags_under_the_header() {
        let bytes = write(&[row("Salah", None, "x")], HandoverFormat::HxlCsv).unwrap();
        let records = records(&bytes);
        assert_eq!(records.len(), 3);
        assert_eq!(records[1][0], "#beneficiary+id");
        assert!(records[1].iter().all(|t| t.starts_with('#')));
        assert_eq!(records[1][2], "#contact+phone");
        assert_eq!(records[2][2], "", "no phone: an empty cell");
    }

    #[test]
    fn test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised() {
        for attack in [
            "=HYPERLINK(\"http://evil\",\"x\")",
            "+1+2",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
        ] {
            let bytes = write(&[row(attack, None, attack)], HandoverFormat::Csv).unwrap();
            let cells = &records(&bytes)[1];
            assert_eq!(cells[1], format!("'{attack}"));
            assert_eq!(cells[3], format!("'{attack}"));
        }
        let bytes = write(
            &[row("Fatma", Some("+216 98 123 456"), "a")],
            HandoverFormat::Csv,
        )
        .unwrap();
        assert_eq!(records(&bytes)[1][2], "'+216 98 123 456");
        assert_eq!(spreadsheet_safe("Fatma = Salah"), "Fatma = Salah");
    }

    #[test]
    fn test_json_is_an_array_of_households_without_apostrophes() {
        let rows = [row("=Fatma", Some("+216 98 123 456"), "حي النصر")];
        let bytes = write(&rows, HandoverFormat::Json).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let first = &value.as_array().unwrap()[0];
        assert_eq!(first["head_name"], "=Fatma");
        assert_eq!(first["phone"], "+216 98 123 456");
        assert_eq!(first["address"], "حي النصر");
        assert_eq!(first["open_needs"], serde_json::json!(["food", "rent"]));
        assert_eq!(first["registered_on"], "2020-04-04");
        assert_eq!(first["household_id"], rows[0].household.to_string());
        let empty = write(&[], HandoverFormat::Json).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&empty).unwrap(),
            serde_json::json!([])
        );
    }
}
