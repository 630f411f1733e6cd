//! Files in and out: CSV and XLSX imports, and the exported documents
//! ([`export`]).
//!
//! An import reads a file into a [`table::Table`], maps its headers to the
//! fields of a kind ([`schema`]), turns each row into a domain record
//! ([`records`]) and hands the batch to the service, which accepts all of it
//! or none. Every problem is reported as `file:line: column «X»: what`.

mod attendance;
pub mod export;
pub mod listing;
pub mod records;
pub mod schema;
pub mod table;
pub mod text;

use crate::service::{Actor, ImportKind, ImportReport, Service, ServiceError};
use crate::text::{I18n, Lang};
use std::fmt;
use std::path::Path;

/// A value a message words: text as it is, or a number written in the
/// language's form (`7,5` in Russian).
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Text(String),
    Number(f64),
    /// A word of the catalogue (`import.kind.participants`).
    Key(&'static str),
    /// A rule of the contest a record breaks, worded by the text layer.
    Breach(crate::domain::integrity::Breach),
    /// A value the service would refuse (a malformed SSH key), worded by the
    /// text layer.
    Refused(crate::domain::refusal::Refusal),
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Text(n.to_string())
    }
}

impl From<f64> for Arg {
    fn from(x: f64) -> Arg {
        Arg::Number(x)
    }
}

/// What is wrong, as a catalogue key (`import.…`) with its values; worded
/// in a language by [`Message::words`], in English by `Display`.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Message {
    /// The message `import.{key}` of the `import` catalogue.
    pub fn new(key: &'static str) -> Message {
        Message {
            key,
            args: Vec::new(),
        }
    }

    /// The message with `{name}` filled by `value`.
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Message {
        self.args.push((name, value.into()));
        self
    }

    pub fn words(&self, tr: &I18n) -> String {
        let values: Vec<String> = self
            .args
            .iter()
            .map(|(_, a)| match a {
                Arg::Text(s) => s.clone(),
                Arg::Number(x) => tr.decimal(x.to_string()),
                Arg::Key(k) => tr.t(k).to_string(),
                Arg::Breach(b) => crate::text::refusal::breach(b, tr),
                Arg::Refused(r) => crate::text::refusal::refusal(r, tr),
            })
            .collect();
        let args: Vec<(&str, &dyn fmt::Display)> = self
            .args
            .iter()
            .zip(&values)
            .map(|((name, _), v)| (*name, v as &dyn fmt::Display))
            .collect();
        tr.f(self.key, &args)
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words(&I18n::new(Lang::En)))
    }
}

/// One problem in a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The file's line (1-based); `None` for the file as a whole.
    pub line: Option<usize>,
    /// The column as the file names it.
    pub column: Option<String>,
    pub message: Message,
}

impl Problem {
    pub fn file(message: Message) -> Problem {
        Problem {
            line: None,
            column: None,
            message,
        }
    }

    pub fn at(line: usize, column: Option<String>, message: Message) -> Problem {
        Problem {
            line: Some(line),
            column,
            message,
        }
    }

    /// `file:line: column «X»: what`, in the language of `tr`.
    pub fn words(&self, file: &str, tr: &I18n) -> String {
        let mut s = file.to_string();
        if let Some(l) = self.line {
            s.push_str(&format!(":{l}"));
        }
        s.push_str(": ");
        if let Some(c) = &self.column {
            s.push_str(&tr.f("import.column", &[("column", c)]));
            s.push_str(": ");
        }
        s.push_str(&self.message.words(tr));
        s
    }
}

/// Why a file was refused. Nothing from it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl ImportError {
    pub fn one(file: &str, p: Problem) -> ImportError {
        ImportError {
            file: file.into(),
            problems: vec![p],
        }
    }

    /// Every problem (up to [`SHOWN_PROBLEMS`]) on a line of its own, in the
    /// language of `tr`.
    pub fn words(&self, tr: &I18n) -> String {
        let mut lines: Vec<String> = self
            .problems
            .iter()
            .take(SHOWN_PROBLEMS)
            .map(|p| p.words(&self.file, tr))
            .collect();
        if self.problems.len() > SHOWN_PROBLEMS {
            lines.push(tr.f(
                "import.more_problems",
                &[("n", &(self.problems.len() - SHOWN_PROBLEMS))],
            ));
        }
        lines.join("\n")
    }
}

/// `value` when reading the file found no problem; otherwise the file is
/// refused with every problem found.
pub(crate) fn ok_unless_problems<T>(
    file: &str,
    problems: Vec<Problem>,
    value: T,
) -> Result<T, ImportError> {
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(ImportError {
            file: file.to_string(),
            problems,
        })
    }
}

/// How many problems an error shows before it says "and N more".
const SHOWN_PROBLEMS: usize = 20;

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words(&I18n::new(Lang::En)))
    }
}

impl std::error::Error for ImportError {}

/// An import that failed: in the file, or in the service.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error("{0}\nnothing was imported")]
    File(ImportError),
    #[error(transparent)]
    Service(ServiceError),
}

impl ImportFailure {
    /// The failure in the person's language, for every interface to show.
    pub fn words(&self, tr: &I18n) -> String {
        match self {
            ImportFailure::File(e) => format!("{}\n{}", e.words(tr), tr.t("import.nothing")),
            ImportFailure::Service(e) => e.words(tr),
        }
    }
}

/// Something an import passed over without refusing the file: a column it
/// does not know.
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    pub file: String,
    pub problem: Problem,
}

impl Warning {
    /// `file:line: column «X»: …`, in the language of `tr`.
    pub fn words(&self, tr: &I18n) -> String {
        self.problem.words(&self.file, tr)
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words(&I18n::new(Lang::En)))
    }
}

/// A file's records, each with the line it came from.
pub struct Parsed {
    pub records: Vec<crate::domain::contest::Record>,
    /// `lines[i]` is the file line of `records[i]`.
    pub lines: Vec<usize>,
    pub mapping: schema::Mapping,
    pub warnings: Vec<Warning>,
}

/// What a successful import did, and the unknown columns it ignored.
#[derive(Debug)]
pub struct ImportOutcome {
    pub report: ImportReport,
    pub warnings: Vec<Warning>,
}

/// Imports a file of `kind` through the service: all of it, or nothing.
pub fn import_file(
    service: &Service,
    actor: &Actor,
    kind: ImportKind,
    path: &Path,
    dry_run: bool,
) -> Result<ImportOutcome, ImportFailure> {
    import_file_with(
        service,
        actor,
        kind,
        path,
        dry_run,
        &records::Options::default(),
    )
}

/// [`import_file`] with options (the event of a one-event attendance export).
pub fn import_file_with(
    service: &Service,
    actor: &Actor,
    kind: ImportKind,
    path: &Path,
    dry_run: bool,
    options: &records::Options,
) -> Result<ImportOutcome, ImportFailure> {
    let table = table::read_table(path).map_err(ImportFailure::File)?;
    import_table_with(service, actor, kind, &table, dry_run, options)
}

/// [`import_file_with`] for a file's content read elsewhere (standard
/// input); `file` names it in problems and the report.
pub fn import_bytes_with(
    service: &Service,
    actor: &Actor,
    kind: ImportKind,
    file: &str,
    bytes: Vec<u8>,
    dry_run: bool,
    options: &records::Options,
) -> Result<ImportOutcome, ImportFailure> {
    let table = table::read_bytes(file, bytes).map_err(ImportFailure::File)?;
    import_table_with(service, actor, kind, &table, dry_run, options)
}

/// Imports an already read table (tests and the TUI use it directly).
pub fn import_table(
    service: &Service,
    actor: &Actor,
    kind: ImportKind,
    table: &table::Table,
    dry_run: bool,
) -> Result<ImportOutcome, ImportFailure> {
    import_table_with(
        service,
        actor,
        kind,
        table,
        dry_run,
        &records::Options::default(),
    )
}

fn import_table_with(
    service: &Service,
    actor: &Actor,
    kind: ImportKind,
    table: &table::Table,
    dry_run: bool,
    options: &records::Options,
) -> Result<ImportOutcome, ImportFailure> {
    let view = service.view(actor);
    let parsed = records::parse_with(kind, table, &view, options).map_err(ImportFailure::File)?;
    let source = Path::new(&table.file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| table.file.clone());
    match service.import_records(actor, kind, parsed.records, &source, dry_run) {
        Ok(report) => Ok(ImportOutcome {
            report,
            warnings: parsed.warnings,
        }),
        Err(ServiceError::Rejected(violations)) => {
            let problems = violations
                .into_iter()
                .map(|v| {
                    let line = parsed.lines.get(v.index).copied().unwrap_or(0);
                    let column = parsed.mapping.header_of(v.field).map(str::to_string);
                    let column = if kind == ImportKind::Attendance
                        && v.field == "event_id"
                        && column.is_none()
                    {
                        options.event.as_ref().map(|e| format!("--event {e}"))
                    } else {
                        column
                    };
                    Problem::at(
                        line,
                        column.or(Some(v.field.to_string())),
                        Message::new("import.as_is").with("text", Arg::Breach(v.breach)),
                    )
                })
                .collect();
            Err(ImportFailure::File(ImportError {
                file: table.file.clone(),
                problems,
            }))
        }
        Err(e) => Err(ImportFailure::Service(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message key the import code names is in both catalogues: a
    /// typo would show the key itself to the person.
    #[test]
    fn every_message_key_is_in_the_catalogues() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("table.rs"),
            include_str!("records.rs"),
            include_str!("schema.rs"),
            include_str!("attendance.rs"),
            include_str!("text.rs"),
        ];
        let mut keys = Vec::new();
        for source in sources {
            for part in source.split("\"import.").skip(1) {
                let name = &part[..part.find('"').expect("a closing quote")];
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                {
                    keys.push(format!("import.{name}"));
                }
            }
        }
        assert!(keys.len() > 50, "{}", keys.len());
        for lang in [Lang::En, Lang::Ru] {
            let known = I18n::keys(lang);
            let missing: Vec<&String> = keys.iter().filter(|k| !known.contains(k)).collect();
            assert!(missing.is_empty(), "{lang:?}: {missing:?}");
        }
    }

    #[test]
    fn a_problem_names_file_line_and_column_in_the_language() {
        let e = ImportError::one(
            "участники.csv",
            Problem::at(
                3,
                Some("Широта".into()),
                Message::new("import.cell.out_of_range")
                    .with("value", 95.25)
                    .with("min", -90.0)
                    .with("max", 90.0),
            ),
        );
        assert_eq!(
            ImportFailure::File(e.clone()).words(&I18n::new(Lang::Ru)),
            "участники.csv:3: столбец «Широта»: 95,25 — вне допустимых пределов: нужно от -90 до 90\nничего не импортировано"
        );
        assert_eq!(
            e.to_string(),
            "участники.csv:3: column «Широта»: 95.25 is out of range: expected -90 to 90"
        );
    }
}
