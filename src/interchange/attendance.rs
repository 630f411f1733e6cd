//! Attendance files, in the three shapes they come in:
//!
//! - **a row per mark**: `participant_id, event_id[, date]`;
//! - **a sign-in matrix**: a row per listener and a column per event, headed
//!   by the event's id (`E007` or `E007 Фандрайзинг`), with `+`, `1`, `да`,
//!   `✓` or the date in the cell for "present", empty or `-` for absent;
//! - **a webinar platform's export of one event** (`--event E007`): a row per
//!   person who joined, with the join time.
//!
//! A listener is named by `participant_id`, or else by e-mail, or else by
//! full name (which must then be unique).

use super::records::Parsed;
use super::schema::Mapping;
use super::table::Table;
use super::text::{self, normalize};
use super::{ImportError, Message, Problem, Warning};
use crate::domain::contest::Record;
use crate::domain::ids::{EventId, ParticipantId};
use crate::domain::learning::Attendance;
use crate::service::View;
use chrono::NaiveDate;
use std::collections::HashMap;

enum Shape {
    PerMark,
    OneEvent(EventId),
    /// (column index, event) for each event column.
    Matrix(Vec<(usize, EventId)>),
}

/// What a sign-in sheet's cell says.
fn mark(cell: &str) -> Result<Option<Option<NaiveDate>>, Message> {
    let n = normalize(cell);
    match n.as_str() {
        "" | "-" | "0" | "нет" | "no" | "н" | "отс" | "отсутствовал" | "отсутствовала" => {
            Ok(None)
        }
        "+"
        | "1"
        | "да"
        | "yes"
        | "y"
        | "x"
        | "х"
        | "✓"
        | "✔"
        | "v"
        | "был"
        | "была"
        | "п"
        | "присутствовал"
        | "присутствовала" => Ok(Some(None)),
        _ => text::parse_date(cell)
            .map(|d| Some(Some(d)))
            .map_err(|_| Message::new("import.attendance.mark").with("value", cell)),
    }
}

/// `P001, P007`.
fn ids(many: &[ParticipantId]) -> String {
    many.iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn parse(
    table: &Table,
    view: &View,
    mapping: Mapping,
    mut warnings: Vec<Warning>,
    event: Option<&EventId>,
) -> Result<Parsed, ImportError> {
    let fail = |line: usize, m: Message| ImportError::one(&table.file, Problem::at(line, None, m));
    let (id_col, email_col, name_col) = (
        mapping.index("participant_id"),
        mapping.index("email"),
        mapping.index("full_name"),
    );
    if id_col.is_none() && email_col.is_none() && name_col.is_none() {
        return Err(fail(
            table.header_line,
            Message::new("import.attendance.no_listener_column")
                .with("headers", table.headers.join(", ")),
        ));
    }
    let shape = match (mapping.index("event_id"), event) {
        (Some(_), Some(_)) => {
            return Err(fail(
                table.header_line,
                Message::new("import.attendance.event_column_and_option"),
            ));
        }
        (Some(_), None) => Shape::PerMark,
        (None, Some(e)) => {
            if view.event(e).is_none() {
                return Err(ImportError::one(
                    &table.file,
                    Problem::file(
                        Message::new("import.attendance.unknown_event").with("event", e.as_str()),
                    ),
                ));
            }
            Shape::OneEvent(e.clone())
        }
        (None, None) => {
            let columns: Vec<(usize, EventId)> = table
                .headers
                .iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    let first = h.split_whitespace().next()?;
                    view.event(&EventId::new(first)).map(|e| (i, e.id.clone()))
                })
                .collect();
            if columns.is_empty() {
                return Err(fail(
                    table.header_line,
                    Message::new("import.attendance.no_event_column"),
                ));
            }
            warnings.retain(|w| {
                !columns
                    .iter()
                    .any(|(i, _)| w.problem.column.as_ref() == Some(&table.headers[*i]))
            });
            Shape::Matrix(columns)
        }
    };

    let mut by_email: HashMap<String, Vec<ParticipantId>> = HashMap::new();
    let mut by_name: HashMap<String, Vec<ParticipantId>> = HashMap::new();
    for p in view.participants() {
        if !p.email.trim().is_empty() {
            by_email
                .entry(p.email.trim().to_lowercase())
                .or_default()
                .push(p.id.clone());
        }
        by_name
            .entry(normalize(&p.full_name))
            .or_default()
            .push(p.id.clone());
    }
    let cell = |row: &super::table::Row, col: Option<usize>| -> String {
        col.and_then(|i| row.cells.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let header = |col: Option<usize>| col.map(|i| table.headers[i].clone());

    let mut out = Parsed {
        records: Vec::new(),
        lines: Vec::new(),
        mapping,
        warnings,
    };
    let mut problems = Vec::new();
    let mut seen: HashMap<(ParticipantId, EventId), usize> = HashMap::new();
    for row in &table.rows {
        // Who is it?
        let id = cell(row, id_col);
        let email = cell(row, email_col);
        let name = cell(row, name_col);
        let listener = if !id.is_empty() {
            Ok(ParticipantId::new(id))
        } else if !email.is_empty() {
            match by_email
                .get(&email.trim().to_lowercase())
                .map(Vec::as_slice)
            {
                Some([one]) => Ok(one.clone()),
                Some(many) if many.len() > 1 => Err((
                    header(email_col),
                    Message::new("import.attendance.email_many")
                        .with("n", many.len())
                        .with("email", &email)
                        .with("ids", ids(many)),
                )),
                _ => Err((
                    header(email_col),
                    Message::new("import.attendance.email_none").with("email", &email),
                )),
            }
        } else if !name.is_empty() {
            match by_name.get(&normalize(&name)).map(Vec::as_slice) {
                Some([one]) => Ok(one.clone()),
                Some(many) if many.len() > 1 => Err((
                    header(name_col),
                    Message::new("import.attendance.name_many")
                        .with("n", many.len())
                        .with("name", &name)
                        .with("ids", ids(many)),
                )),
                _ => Err((
                    header(name_col),
                    Message::new("import.attendance.name_none").with("name", &name),
                )),
            }
        } else {
            Err((None, Message::new("import.attendance.no_listener")))
        };
        let listener = match listener {
            Ok(l) => l,
            Err((column, message)) => {
                problems.push(Problem::at(row.line, column, message));
                continue;
            }
        };
        // Which events, on which day?
        let mut marks: Vec<(EventId, Option<NaiveDate>, Option<String>)> = Vec::new();
        let date_cell = cell(row, out.mapping.index("date"));
        let date = if date_cell.is_empty() {
            Ok(None)
        } else {
            text::parse_date(&date_cell).map(Some)
        };
        match &shape {
            Shape::PerMark | Shape::OneEvent(_) => {
                let date = match date {
                    Ok(d) => d,
                    Err(m) => {
                        problems.push(Problem::at(row.line, header(out.mapping.index("date")), m));
                        continue;
                    }
                };
                let event = match &shape {
                    Shape::OneEvent(e) => e.clone(),
                    _ => {
                        let e = cell(row, out.mapping.index("event_id"));
                        if e.is_empty() {
                            problems.push(Problem::at(
                                row.line,
                                header(out.mapping.index("event_id")),
                                Message::new("import.cell.empty"),
                            ));
                            continue;
                        }
                        EventId::new(e)
                    }
                };
                marks.push((event, date, header(out.mapping.index("event_id"))));
            }
            Shape::Matrix(columns) => {
                for (i, e) in columns {
                    match mark(&row.cells[*i]) {
                        Ok(Some(d)) => marks.push((e.clone(), d, Some(table.headers[*i].clone()))),
                        Ok(None) => {}
                        Err(m) => {
                            problems.push(Problem::at(row.line, Some(table.headers[*i].clone()), m))
                        }
                    }
                }
            }
        }
        for (event, date, column) in marks {
            if let Some(first) = seen.insert((listener.clone(), event.clone()), row.line) {
                problems.push(Problem::at(
                    row.line,
                    column,
                    Message::new("import.attendance.duplicate")
                        .with("listener", listener.as_str())
                        .with("event", event.as_str())
                        .with("line", first),
                ));
                continue;
            }
            let mut a = Attendance::new(listener.clone());
            a.events.insert(event, date);
            out.records.push(Record::Attendance(a));
            out.lines.push(row.line);
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ImportError {
            file: table.file.clone(),
            problems,
        })
    }
}
