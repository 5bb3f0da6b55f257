//! The handover to the municipality writes files and parses none, so this target fuzzes the
//! writer (`jiran_core::workflows::handover::formats::write`) and reads its output back with
//! the parsers a municipality's tools use (the `csv` crate, `serde_json`): the nearest thing
//! to a handover parser, and the one whose failures would matter (a name that breaks a row, a
//! cell a spreadsheet runs as a formula).
//!
//! Input: arbitrary rows (names, phones and addresses are any Unicode: quotes, commas, line
//! breaks, `=HYPERLINK(...)`). Asserts, for each of the three formats: writing succeeds; CSV
//! starts with the byte-order mark, has the header (and the HXL hashtag row), then exactly
//! one record per household whose cells read back as written after the formula guard, and
//! no cell read back starts with `=`, `+`, `-`, `@`, tab or carriage return; JSON reads back
//! as one object per household with every field exactly as given (no apostrophe added).

#![no_main]

use std::cell::RefCell;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;

use arbitrary::Arbitrary;
use jiran_core::workflows::handover::formats::{
    spreadsheet_safe, write, HandoverRow, COLUMNS, UTF8_BOM,
};
use jiran_core::{
    DocumentId, HandoverFormat, HouseholdId, HouseholdState, NeedCategory, Priority, Timestamp,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Row {
    id: [u8; 16],
    head_name: String,
    phone: Option<String>,
    address: String,
    size: u32,
    needs: Vec<u8>,
    priority: u8,
    registered_at: i64,
    status: u8,
}

impl Row {
    fn handover_row(&self) -> HandoverRow {
        HandoverRow {
            household: HouseholdId(DocumentId::from_bytes(self.id)),
            head_name: self.head_name.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            size: self.size,
            open_needs: self
                .needs
                .iter()
                .map(|i| NeedCategory::ALL[*i as usize % NeedCategory::ALL.len()])
                .collect(),
            priority: Priority::ALL[self.priority as usize % Priority::ALL.len()],
            registered_at: Timestamp(self.registered_at),
            status: HouseholdState::ALL[self.status as usize % HouseholdState::ALL.len()],
        }
    }
}

fn cells(row: &HandoverRow) -> [String; 9] {
    [
        row.household.to_string(),
        row.head_name.clone(),
        row.phone.clone().unwrap_or_default(),
        row.address.clone(),
        row.size.to_string(),
        row.open_needs
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        row.priority.as_str().to_owned(),
        row.registered_at.date(),
        row.status.as_str().to_owned(),
    ]
}

/// The bytes the CSV reader reads: one reader serves every input, as building a CSV reader
/// (its state machine) costs more than reading a handover file does.
#[derive(Clone, Default)]
struct Source(Rc<RefCell<Cursor<Vec<u8>>>>);

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

impl Seek for Source {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.0.borrow_mut().seek(pos)
    }
}

thread_local! {
    static READER: (Source, RefCell<csv::Reader<Source>>) = {
        let source = Source::default();
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(source.clone());
        (source, RefCell::new(reader))
    };
}

/// The records of a CSV file, as the `csv` crate reads them.
fn records(body: &[u8]) -> Vec<Vec<String>> {
    READER.with(|(source, reader)| {
        *source.0.borrow_mut() = Cursor::new(body.to_vec());
        let mut reader = reader.borrow_mut();
        reader
            .seek(csv::Position::new())
            .expect("rewinding the reader");
        reader
            .records()
            .map(|r| {
                r.expect("the CSV we wrote parses")
                    .iter()
                    .map(str::to_owned)
                    .collect()
            })
            .collect()
    })
}

fn check_csv(rows: &[HandoverRow], bytes: &[u8], hxl: bool) {
    let body = bytes
        .strip_prefix(UTF8_BOM)
        .expect("the CSV starts with the byte-order mark");
    let records = records(body);
    let skip = if hxl { 2 } else { 1 };
    assert_eq!(records.len(), rows.len() + skip, "one record per household");
    let headers: Vec<&str> = COLUMNS.iter().map(|(h, _)| *h).collect();
    assert_eq!(records[0], headers, "header row");
    if hxl {
        let tags: Vec<&str> = COLUMNS.iter().map(|(_, t)| *t).collect();
        assert_eq!(records[1], tags, "HXL hashtag row");
    }
    for (row, record) in rows.iter().zip(&records[skip..]) {
        let expected: Vec<String> = cells(row)
            .iter()
            .map(|c| spreadsheet_safe(c).into_owned())
            .collect();
        assert_eq!(record, &expected, "cells read back as written");
        for cell in record {
            assert!(
                !matches!(
                    cell.chars().next(),
                    Some('=' | '+' | '-' | '@' | '\t' | '\r')
                ),
                "a cell a spreadsheet would run as a formula"
            );
        }
    }
}

fn check_json(rows: &[HandoverRow], bytes: &[u8]) {
    let value: serde_json::Value = serde_json::from_slice(bytes).expect("the JSON we wrote parses");
    let items = value.as_array().expect("a JSON array");
    assert_eq!(items.len(), rows.len(), "one object per household");
    for (row, item) in rows.iter().zip(items) {
        let expected = serde_json::json!({
            "household_id": row.household.to_string(),
            "head_name": row.head_name,
            "phone": row.phone,
            "address": row.address,
            "size": row.size,
            "open_needs": row.open_needs.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            "priority": row.priority.as_str(),
            "registered_on": row.registered_at.date(),
            "status": row.status.as_str(),
        });
        assert_eq!(item, &expected, "a household read back from the JSON");
    }
}

fuzz_target!(|rows: Vec<Row>| {
    let rows: Vec<HandoverRow> = rows.iter().map(Row::handover_row).collect();
    for format in HandoverFormat::ALL {
        let bytes = write(&rows, *format).expect("writing a handover file");
        match format {
            HandoverFormat::Csv => check_csv(&rows, &bytes, false),
            HandoverFormat::HxlCsv => check_csv(&rows, &bytes, true),
            HandoverFormat::Json => check_json(&rows, &bytes),
        }
    }
});
