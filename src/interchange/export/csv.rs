//! CSV for spreadsheet programs: UTF-8 with a byte-order mark (without it
//! Excel reads UTF-8 as the ANSI code page and Cyrillic turns to garbage),
//! the title and provenance on the first lines, then the tables.
//!
//! With `;` between cells (what a Russian-locale spreadsheet expects) the
//! numbers get a decimal comma too, so they stay numbers there.

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
    let builder = {
        let mut b = ::csv::WriterBuilder::new();
        b.delimiter(delimiter)
            .flexible(true)
            .terminator(::csv::Terminator::CRLF);
        b
    };
    for r in &rows {
        // An empty record is a blank line (the csv crate would write `""`).
        if r.is_empty() {
            out.extend_from_slice(b"\r\n");
            continue;
        }
        let mut w = builder.from_writer(&mut out);
        w.write_record(r).expect("writing to memory");
        w.flush().expect("writing to memory");
    }
    out
}
