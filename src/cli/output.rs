//! Printing lists as aligned tables, CSV or JSON.

use super::{CliError, Console, ListKind};
use crate::interchange::listing;
use crate::service::{Actor, ImportKind, Service};
use crate::text::{I18n, Lang};
use clap::ValueEnum;
use std::borrow::Cow;
use std::io::Write;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for reading in a terminal.
    Table,
    /// CSV with the import files' headers (re-importable).
    Csv,
    /// JSON records.
    Json,
}

/// The widest a table cell is printed before it is cut with '…'.
const MAX_CELL: usize = 40;

pub fn list(
    io: &mut Console,
    service: &Service,
    actor: &Actor,
    kind: ListKind,
    format: Format,
    tr: &I18n,
) -> Result<(), CliError> {
    let import_kind = match kind {
        ListKind::Participants => ImportKind::Participants,
        ListKind::Jurors => ImportKind::Jurors,
        ListKind::Events => ImportKind::Events,
        ListKind::Attendance => ImportKind::Attendance,
        ListKind::Mentors => ImportKind::Mentors,
        ListKind::Interns => ImportKind::Interns,
        ListKind::Municipalities => ImportKind::Municipalities,
        ListKind::Audit => return audit(io, service, actor, format, tr),
    };
    let view = service.view(actor);
    let mut out = &mut io.out;
    if format == Format::Json {
        let records = listing::records(import_kind, &view);
        serde_json::to_writer_pretty(&mut out, &records).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    let headers = listing::headers(import_kind, tr);
    let rows = listing::rows(import_kind, &view, tr);
    if format == Format::Csv {
        write_csv(&mut out, &headers, &rows, tr)?;
    } else {
        table(&mut out, &headers, &rows, tr, io.terminal)?;
    }
    Ok(())
}

fn audit(
    io: &mut Console,
    service: &Service,
    actor: &Actor,
    format: Format,
    tr: &I18n,
) -> Result<(), CliError> {
    let entries = service.audit(actor)?;
    let mut out = &mut io.out;
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, &entries).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    let zone = service.view(actor).zone();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                crate::text::time::show_seconds(e.at, &zone),
                e.actor.clone(),
                role(e.role, tr),
                if e.channel.is_empty() {
                    "-".to_string()
                } else {
                    e.channel.clone()
                },
                e.action.clone(),
                e.change_count.to_string(),
                e.summary.clone(),
                e.hash.chars().take(12).collect(),
            ]
        })
        .collect();
    write_rows(
        &mut out,
        format,
        tr,
        &[
            "seq", "at", "actor", "role", "channel", "action", "changes", "summary", "hash",
        ],
        &rows,
        io.terminal,
    )?;
    Ok(())
}

/// A role in words (`juror` in English, «эксперт» in Russian).
pub fn role(role: crate::domain::people::Role, tr: &I18n) -> String {
    listing::word(tr, "role", role.code())
}

/// The language a cell is written in: the person's for a table or CSV,
/// English codes and plain numbers for JSON.
pub fn cells(format: Format, tr: &I18n) -> I18n {
    if format == Format::Json {
        I18n::new(Lang::En)
    } else {
        *tr
    }
}

/// Rows under the columns `keys` as an aligned table or CSV headed by the
/// columns' names in the person's language (`cli.column.KEY`), or as JSON
/// records with the keys themselves (build the rows with [`cells`]). Table
/// cells are cut to [`MAX_CELL`] only when `cut` (for a terminal; piped
/// output keeps every cell whole).
pub fn write_rows(
    out: &mut impl Write,
    format: Format,
    tr: &I18n,
    keys: &[&str],
    rows: &[Vec<String>],
    cut: bool,
) -> std::io::Result<()> {
    let headers: Vec<&str> = keys
        .iter()
        .map(|k| tr.t(&format!("cli.column.{k}")))
        .collect();
    match format {
        Format::Table => table(out, &headers, rows, tr, cut),
        Format::Csv => write_csv(out, &headers, rows, tr),
        Format::Json => {
            let records: Vec<serde_json::Map<String, serde_json::Value>> = rows
                .iter()
                .map(|r| {
                    keys.iter()
                        .zip(r)
                        .map(|(h, v)| (h.to_string(), serde_json::Value::from(v.as_str())))
                        .collect()
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &records).map_err(std::io::Error::from)?;
            writeln!(out)
        }
    }
}

/// CSV as a spreadsheet of the person's locale reads it: `;` between cells
/// where numbers have a decimal comma (Russian), else `,`.
pub fn write_csv(
    out: &mut impl Write,
    headers: &[&str],
    rows: &[Vec<String>],
    tr: &I18n,
) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(if tr.decimal_comma() { b';' } else { b',' })
        .from_writer(out);
    w.write_record(headers)?;
    for r in rows {
        w.write_record(
            r.iter()
                .map(|c| crate::interchange::export::csv::defused(c).into_owned()),
        )?;
    }
    w.flush()
}

/// A cell on one line, whole: hidden characters shown as `\u{…}`, tabs
/// and line breaks as spaces.
fn whole(s: &str) -> Cow<'_, str> {
    match crate::text::visible::visible(s) {
        Cow::Borrowed(b) if !b.contains(['\n', '\t']) => Cow::Borrowed(b),
        shown => Cow::Owned(shown.replace(['\n', '\t'], " ")),
    }
}

/// [`whole`], cut to [`MAX_CELL`] columns with '…'.
fn cut(s: &str) -> Cow<'_, str> {
    let one_line = whole(s);
    if one_line.width() <= MAX_CELL {
        return one_line;
    }
    let mut out = String::new();
    let mut width = 0;
    for c in one_line.chars() {
        if width + 1 >= MAX_CELL {
            break;
        }
        out.push(c);
        width += c.width().unwrap_or(0);
    }
    out.push('…');
    Cow::Owned(out)
}

fn table(
    out: &mut impl Write,
    headers: &[&str],
    rows: &[Vec<String>],
    tr: &I18n,
    cut_cells: bool,
) -> std::io::Result<()> {
    // Each cell with its width, measured once.
    fn shown(c: &str, cut_cells: bool) -> (Cow<'_, str>, usize) {
        let text = if cut_cells { cut(c) } else { whole(c) };
        let width = text.width();
        (text, width)
    }
    let head: Vec<(Cow<str>, usize)> = headers.iter().map(|h| shown(h, cut_cells)).collect();
    let cells: Vec<Vec<(Cow<str>, usize)>> = rows
        .iter()
        .map(|r| r.iter().map(|c| shown(c, cut_cells)).collect())
        .collect();
    let mut widths: Vec<usize> = head.iter().map(|(_, w)| *w).collect();
    for r in &cells {
        for (i, (_, w)) in r.iter().enumerate() {
            widths[i] = widths[i].max(*w);
        }
    }
    // One write per block of lines, not per line: standard output flushes
    // at every line break it is given alone.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut line = String::new();
    for r in std::iter::once(&head).chain(&cells) {
        line.clear();
        for (i, (c, w)) in r.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(c);
            if i + 1 < r.len() {
                line.extend(std::iter::repeat_n(' ', widths[i].saturating_sub(*w)));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(out, "{}", tr.f("cli.rows", &[("n", &cells.len())]))?;
    out.flush()
}
