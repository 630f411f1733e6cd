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
use std::fmt;
use std::path::Path;

/// One problem in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file's line (1-based); `None` for the file as a whole.
    pub line: Option<usize>,
    /// The column as the file names it.
    pub column: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn file(message: String) -> Problem {
        Problem {
            line: None,
            column: None,
            message,
        }
    }

    pub fn at(line: usize, column: Option<String>, message: String) -> Problem {
        Problem {
            line: Some(line),
            column,
            message,
        }
    }
}

/// Why a file was refused. Nothing from it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
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
}

/// How many problems an error shows before it says "and N more".
const SHOWN_PROBLEMS: usize = 20;

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().take(SHOWN_PROBLEMS).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if let Some(l) = p.line {
                write!(f, ":{l}")?;
            }
            write!(f, ": ")?;
            if let Some(c) = &p.column {
                write!(f, "column «{c}»: ")?;
            }
            write!(f, "{}", p.message)?;
        }
        if self.problems.len() > SHOWN_PROBLEMS {
            write!(
                f,
                "\n... and {} more problems",
                self.problems.len() - SHOWN_PROBLEMS
            )?;
        }
        Ok(())
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
    pub fn words(&self, tr: &crate::text::I18n) -> String {
        match self {
            ImportFailure::File(e) => {
                let _ = tr;
                format!("{e}\nnothing was imported")
            }
            ImportFailure::Service(e) => e.words(tr),
        }
    }
}

/// What a successful import did, and the unknown columns it ignored.
#[derive(Debug)]
pub struct ImportOutcome {
    pub report: ImportReport,
    pub warnings: Vec<String>,
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
                        crate::text::refusal::breach(
                            &v.breach,
                            &crate::text::I18n::new(crate::text::Lang::En),
                        ),
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
