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

use super::Parsed;
use super::schema::Mapping;
use super::table::{Row, Table};
use super::text::{self, normalize};
use super::{ImportError, Message, Problem, Warning, ok_unless_problems};
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

/// An event a row marks, the day if known, and the column it came from.
type Mark = (EventId, Option<NaiveDate>, Option<String>);

/// The columns that may name a listener.
struct ListenerColumns {
    id: Option<usize>,
    email: Option<usize>,
    name: Option<usize>,
}

/// The contest's listeners by e-mail and by full name.
struct Directory {
    by_email: HashMap<String, Vec<ParticipantId>>,
    by_name: HashMap<String, Vec<ParticipantId>>,
}

impl Directory {
    /// Indexes every participant by trimmed lower-case e-mail and by normalized name.
    fn new(view: &View) -> Self {
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
        Directory { by_email, by_name }
    }

    /// Who a row names: by id, or else by e-mail, or else by full name.
    fn listener(
        &self,
        table: &Table,
        row: &Row,
        cols: &ListenerColumns,
    ) -> Result<ParticipantId, (Option<String>, Message)> {
        let id = cell(row, cols.id);
        let email = cell(row, cols.email);
        let name = cell(row, cols.name);
        if !id.is_empty() {
            Ok(ParticipantId::new(id))
        } else if !email.is_empty() {
            match self
                .by_email
                .get(&email.trim().to_lowercase())
                .map(Vec::as_slice)
            {
                Some([one]) => Ok(one.clone()),
                Some(many) if many.len() > 1 => Err((
                    header(table, cols.email),
                    Message::new("import.attendance.email_many")
                        .with("n", many.len())
                        .with("email", &email)
                        .with("ids", ids(many)),
                )),
                _ => Err((
                    header(table, cols.email),
                    Message::new("import.attendance.email_none").with("email", &email),
                )),
            }
        } else if !name.is_empty() {
            match self.by_name.get(&normalize(&name)).map(Vec::as_slice) {
                Some([one]) => Ok(one.clone()),
                Some(many) if many.len() > 1 => Err((
                    header(table, cols.name),
                    Message::new("import.attendance.name_many")
                        .with("n", many.len())
                        .with("name", &name)
                        .with("ids", ids(many)),
                )),
                _ => Err((
                    header(table, cols.name),
                    Message::new("import.attendance.name_none").with("name", &name),
                )),
            }
        } else {
            Err((None, Message::new("import.attendance.no_listener")))
        }
    }
}

/// A row's cell in the column, empty when there is no such column or cell.
fn cell(row: &Row, col: Option<usize>) -> String {
    col.and_then(|i| row.cells.get(i))
        .cloned()
        .unwrap_or_default()
}

/// The column's heading, if there is such a column.
fn header(table: &Table, col: Option<usize>) -> Option<String> {
    col.map(|i| table.headers[i].clone())
}

/// Which of the three shapes the file has; a matrix drops the warnings about its event columns.
fn shape(
    table: &Table,
    view: &View,
    mapping: &Mapping,
    warnings: &mut Vec<Warning>,
    event: Option<&EventId>,
) -> Result<Shape, ImportError> {
    let fail = |line: usize, m: Message| ImportError::one(&table.file, Problem::at(line, None, m));
    Ok(match (mapping.index("event_id"), event) {
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
    })
}

/// Which events a row marks, on which day; `None` when the row is to be skipped.
fn marks(
    table: &Table,
    shape: &Shape,
    mapping: &Mapping,
    row: &Row,
    problems: &mut Vec<Problem>,
) -> Option<Vec<Mark>> {
    let mut marks: Vec<Mark> = Vec::new();
    let date_cell = cell(row, mapping.index("date"));
    let date = if date_cell.is_empty() {
        Ok(None)
    } else {
        text::parse_date(&date_cell).map(Some)
    };
    match shape {
        Shape::PerMark | Shape::OneEvent(_) => {
            let date = match date {
                Ok(d) => d,
                Err(m) => {
                    problems.push(Problem::at(
                        row.line,
                        header(table, mapping.index("date")),
                        m,
                    ));
                    return None;
                }
            };
            let event = match shape {
                Shape::OneEvent(e) => e.clone(),
                _ => {
                    let e = cell(row, mapping.index("event_id"));
                    if e.is_empty() {
                        problems.push(Problem::at(
                            row.line,
                            header(table, mapping.index("event_id")),
                            Message::new("import.cell.empty"),
                        ));
                        return None;
                    }
                    EventId::new(e)
                }
            };
            marks.push((event, date, header(table, mapping.index("event_id"))));
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
    Some(marks)
}

pub fn parse(
    table: &Table,
    view: &View,
    mapping: Mapping,
    mut warnings: Vec<Warning>,
    event: Option<&EventId>,
) -> Result<Parsed, ImportError> {
    let cols = ListenerColumns {
        id: mapping.index("participant_id"),
        email: mapping.index("email"),
        name: mapping.index("full_name"),
    };
    if cols.id.is_none() && cols.email.is_none() && cols.name.is_none() {
        return Err(ImportError::one(
            &table.file,
            Problem::at(
                table.header_line,
                None,
                Message::new("import.attendance.no_listener_column")
                    .with("headers", table.headers.join(", ")),
            ),
        ));
    }
    let shape = shape(table, view, &mapping, &mut warnings, event)?;
    let directory = Directory::new(view);
    let mut out = Parsed {
        records: Vec::new(),
        lines: Vec::new(),
        mapping,
        warnings,
    };
    let mut problems = Vec::new();
    let mut seen: HashMap<(ParticipantId, EventId), usize> = HashMap::new();
    for row in &table.rows {
        let listener = match directory.listener(table, row, &cols) {
            Ok(l) => l,
            Err((column, message)) => {
                problems.push(Problem::at(row.line, column, message));
                continue;
            }
        };
        let Some(marks) = marks(table, &shape, &out.mapping, row, &mut problems) else {
            continue;
        };
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
    ok_unless_problems(&table.file, problems, out)
}
