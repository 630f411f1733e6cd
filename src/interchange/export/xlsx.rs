//! XLSX: one sheet per section (a territory group of the team list, the
//! method appendix of a protocol). Every sheet starts with the document's
//! title (marked when it is a draft) and its provenance, then the tables
//! with a styled header row that stays in view (frozen) and a filter.
//!
//! The workbook's creation time is the export time, so one database and one
//! `--at` give the same bytes.

use super::ExportError;
use super::document::{Block, Cell, Document, Section};
use crate::text::number::figure;
use chrono::{Datelike, Timelike};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use std::collections::BTreeSet;
use unicode_width::UnicodeWidthStr;

/// The widest a column is made, in character widths; longer text wraps.
const MAX_WIDTH: usize = 60;
const MIN_WIDTH: usize = 4;
/// Sheet names: at most 31 characters, none of these.
const FORBIDDEN_IN_NAMES: &[char] = &['[', ']', ':', '*', '?', '/', '\\'];

struct Styles {
    title: Format,
    draft: Format,
    meta: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    number: Format,
    statistic: Format,
    integer: Format,
    label: Format,
    code: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            draft: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_font_color(Color::RGB(0xC00000)),
            meta: Format::new().set_font_color(Color::RGB(0x595959)),
            subtitle: Format::new().set_bold().set_font_size(12),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border(FormatBorder::Thin),
            text: Format::new().set_align(FormatAlign::Top).set_text_wrap(),
            number: Format::new()
                .set_align(FormatAlign::Top)
                .set_num_format("0.00"),
            statistic: Format::new()
                .set_align(FormatAlign::Top)
                .set_num_format("0.000"),
            integer: Format::new()
                .set_align(FormatAlign::Top)
                .set_num_format("0"),
            label: Format::new().set_bold().set_align(FormatAlign::Top),
            code: Format::new().set_font_name("Consolas"),
        }
    }
}

fn err(e: XlsxError) -> ExportError {
    ExportError::Render(format!("the XLSX workbook could not be made: {e}"))
}

/// A valid, unique sheet name from a section's title.
fn sheet_name(title: &str, used: &mut BTreeSet<String>) -> String {
    let clean: String = title
        .chars()
        .map(|c| {
            if FORBIDDEN_IN_NAMES.contains(&c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim().trim_matches('\'').to_string();
    let base: String = if clean.is_empty() {
        "Sheet".into()
    } else {
        clean.chars().take(31).collect()
    };
    let mut name = base.clone();
    let mut n = 2;
    while used.contains(&name.to_lowercase()) {
        let suffix = format!(" {n}");
        name = base
            .chars()
            .take(31 - suffix.chars().count())
            .collect::<String>()
            + &suffix;
        n += 1;
    }
    used.insert(name.to_lowercase());
    name
}

/// Column widths fitted to the content (by the widest line of a cell).
fn widths(doc: &Document, section: &Section) -> Vec<usize> {
    let mut w: Vec<usize> = Vec::new();
    let mut fit = |col: usize, s: &str| {
        if w.len() <= col {
            w.resize(col + 1, MIN_WIDTH);
        }
        let widest = s.lines().map(|l| l.width()).max().unwrap_or(0);
        w[col] = w[col].max((widest + 2).clamp(MIN_WIDTH, MAX_WIDTH));
    };
    for b in &section.blocks {
        match b {
            Block::Table(t) => {
                for (i, c) in t.columns.iter().enumerate() {
                    // Headers wrap: count their longest word, not the whole.
                    let word = c.header.split_whitespace().map(|x| x.width()).max();
                    fit(
                        i,
                        &"x".repeat(word.unwrap_or(0).max(c.header.width().min(16))),
                    );
                }
                for r in &t.rows {
                    for (i, v) in r.iter().enumerate() {
                        fit(i, &v.display(&doc.tr, false));
                    }
                }
            }
            Block::Fields { fields, .. } => {
                for f in fields {
                    fit(0, &f.label);
                    fit(1, &f.value.display(&doc.tr, false));
                }
            }
            // The text spans the sheet; it does not widen the first column.
            Block::Text { .. } => {}
        }
    }
    w
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    doc: &Document,
    st: &Styles,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            sheet.write_string_with_format(row, col, s, &st.text)?;
        }
        Cell::Int(n) => {
            sheet.write_number_with_format(row, col, *n as f64, &st.integer)?;
        }
        Cell::Num(x) => {
            sheet.write_number_with_format(row, col, figure(*x), &st.number)?;
        }
        Cell::Statistic(x) => {
            sheet.write_number_with_format(row, col, figure(*x), &st.statistic)?;
        }
        Cell::Bool(_) => {
            sheet.write_string_with_format(row, col, cell.display(&doc.tr, false), &st.text)?;
        }
    }
    Ok(())
}

fn write_section(
    sheet: &mut Worksheet,
    doc: &Document,
    section: &Section,
    st: &Styles,
) -> Result<(), XlsxError> {
    // The title on every sheet: a printed or forwarded sheet still says
    // what it is, and a draft says so everywhere.
    let title = format!("{} — {}", doc.heading(), section.title);
    sheet.write_string_with_format(0, 0, &title, if doc.draft { &st.draft } else { &st.title })?;
    let meta: Vec<String> = doc
        .meta
        .iter()
        .map(|f| {
            format!(
                "{}: {}",
                f.label,
                f.value.display(&doc.tr, doc.tr.decimal_comma())
            )
        })
        .collect();
    sheet.write_string_with_format(1, 0, meta.join(" · "), &st.meta)?;
    if doc.draft {
        sheet.set_header(format!("&C&\"-,Bold\"{}", doc.tr.t("export.draft_mark")));
    }
    for (i, w) in widths(doc, section).into_iter().enumerate() {
        sheet.set_column_width(i as u16, w as f64)?;
    }
    let mut row: u32 = 3;
    for (i, b) in section.blocks.iter().enumerate() {
        if i > 0 {
            row += 1;
        }
        if let Some(t) = b.title() {
            sheet.write_string_with_format(row, 0, t, &st.subtitle)?;
            row += 1;
        }
        match b {
            Block::Table(t) => {
                let header_row = row;
                for (c, col) in t.columns.iter().enumerate() {
                    sheet.write_string_with_format(row, c as u16, &col.header, &st.header)?;
                }
                row += 1;
                if t.rows.is_empty() {
                    sheet.write_string_with_format(row, 0, doc.tr.t("export.none"), &st.meta)?;
                    row += 1;
                    continue;
                }
                for r in &t.rows {
                    for (c, v) in r.iter().enumerate() {
                        write_cell(sheet, row, c as u16, v, doc, st)?;
                    }
                    row += 1;
                }
                // A table that opens a sheet is its main one: its header
                // stays in view while scrolling and repeats on every page.
                if i == 0 && !t.columns.is_empty() {
                    sheet.set_freeze_panes(header_row + 1, 0)?;
                    sheet.set_repeat_rows(header_row, header_row)?;
                    sheet.autofilter(header_row, 0, row - 1, t.columns.len() as u16 - 1)?;
                }
            }
            Block::Fields { fields, .. } => {
                for f in fields {
                    sheet.write_string_with_format(row, 0, &f.label, &st.label)?;
                    write_cell(sheet, row, 1, &f.value, doc, st)?;
                    row += 1;
                }
            }
            Block::Text { text, .. } => {
                for line in text.lines() {
                    if !line.is_empty() {
                        sheet.write_string_with_format(row, 0, line, &st.code)?;
                    }
                    row += 1;
                }
            }
        }
    }
    Ok(())
}

pub fn write(doc: &Document) -> Result<Vec<u8>, ExportError> {
    let st = Styles::new();
    let mut workbook = Workbook::new();
    let at = doc.exported_at;
    let created = ExcelDateTime::from_ymd(at.year() as u16, at.month() as u8, at.day() as u8)
        .and_then(|d| d.and_hms(at.hour() as u16, at.minute() as u8, at.second()))
        .map_err(err)?;
    let contest = doc
        .meta
        .iter()
        .find(|f| f.key == "contest")
        .map(|f| f.value.display(&doc.tr, false))
        .unwrap_or_default();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(doc.heading())
            .set_subject(contest)
            .set_author("konkurs")
            .set_creation_datetime(&created),
    );
    let mut used = BTreeSet::new();
    for section in &doc.sections {
        let sheet = workbook.add_worksheet();
        sheet
            .set_name(sheet_name(&section.title, &mut used))
            .map_err(err)?;
        write_section(sheet, doc, section, &st).map_err(err)?;
    }
    workbook.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = BTreeSet::new();
        assert_eq!(
            sheet_name("Сельские поселения", &mut used),
            "Сельские поселения"
        );
        assert_eq!(
            sheet_name("Сельские поселения", &mut used),
            "Сельские поселения 2"
        );
        assert_eq!(sheet_name("a/b: [c]?", &mut used), "a-b- -c--");
        let long = "Финал: защита практики и программы стажировки";
        let name = sheet_name(long, &mut used);
        assert_eq!(name.chars().count(), 31);
        assert!(!name.contains(':'));
        assert_eq!(sheet_name("", &mut used), "Sheet");
    }
}
