//! The documents a contest ends with: the team list, the stage protocols,
//! the mentoring list and the listener register, as CSV, XLSX, Markdown or
//! JSON.
//!
//! A document is built from the service's view of the contest into a
//! format-neutral [`Document`] ([`build`]), laid out in a format
//! ([`render`]) and written next to its target then renamed over it
//! ([`export`]), so a failed export leaves nothing half-written. The export
//! time is part of the request: the same database and the same time give
//! byte-identical files.
//!
//! Coordinators and observers may export; a juror may not, because a
//! protocol holds every juror's scores.

pub mod csv;
pub mod document;
mod json;
mod markdown;
mod mentoring;
mod protocol;
mod register;
mod team;
mod xlsx;

pub use document::{Block, Cell, Column, Document, Field, Section, Table};

use crate::domain::code::codes;
use crate::domain::ids::StageId;
use crate::domain::refusal::Refusal;
use crate::domain::snapshot::FrozenRanking;
use crate::service::{Actor, Service, ServiceError, StageReport, View};
use crate::text::time::Zone;
use crate::text::{I18n, Lang};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

codes! {
    /// Which document to export.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
    pub enum DocumentKind {
        /// The team: the winners by territory group with their stage totals.
        Team => "team",
        /// One stage's protocol: every juror's scores and the method appendix.
        Protocol => "protocol",
        /// The mentors with their interns and each pair's score.
        Mentoring => "mentoring",
        /// The listeners with attendance per topic and the activity rating.
        Register => "register",
    }
}

codes! {
    /// The file format of an export; its code is the file's extension.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
    pub enum ExportFormat {
        /// An Excel workbook: a sheet per territory group or part.
        Xlsx => "xlsx",
        /// CSV, UTF-8 with a byte-order mark.
        Csv => "csv",
        /// Markdown.
        #[value(alias = "markdown")]
        Md => "md",
        /// JSON with stable English keys.
        Json => "json",
    }
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        self.code()
    }

    /// The format a file name's extension names.
    pub fn of_path(path: &Path) -> Option<ExportFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "markdown" => Some(ExportFormat::Md),
            _ => ExportFormat::ALL.into_iter().find(|f| f.extension() == ext),
        }
    }
}

/// What to export, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub kind: DocumentKind,
    pub format: ExportFormat,
    /// The stage of a protocol.
    pub stage: Option<StageId>,
    /// The export time stamped in the document (and the workbook's metadata).
    pub at: DateTime<Utc>,
    /// The CSV delimiter (`,` or `;`); `;` also writes numbers with a
    /// decimal comma. By default [`default_delimiter`] of the language.
    pub delimiter: u8,
    /// Allow a document that is not final (an open stage, a matching not
    /// accepted); it is then marked DRAFT.
    pub draft: bool,
    pub lang: Lang,
}

impl Request {
    pub fn new(kind: DocumentKind, format: ExportFormat, at: DateTime<Utc>, lang: Lang) -> Request {
        Request {
            kind,
            format,
            stage: None,
            at,
            delimiter: default_delimiter(lang),
            draft: false,
            lang,
        }
    }
}

/// The CSV delimiter a document in `lang` is written with unless another
/// is chosen: `;` in Russian (with decimal commas: the form a Russian
/// spreadsheet opens in columns), `,` in English.
pub fn default_delimiter(lang: Lang) -> u8 {
    match lang {
        Lang::Ru => b';',
        Lang::En => b',',
    }
}

/// Why an export was refused. Nothing was written.
#[derive(Debug)]
pub enum ExportError {
    Service(ServiceError),
    NoStage {
        known: String,
    },
    UnknownStage {
        stage: String,
        known: String,
    },
    /// The document is not final and no draft was asked for: why, and what
    /// a draft of it would hold.
    NotFinal {
        why: Refusal,
        draft: Draft,
    },
    Refused(Refusal),
    Exists {
        path: String,
    },
    IsDirectory {
        path: String,
        example: String,
    },
    NoDirectory {
        path: String,
        dir: String,
    },
    NotADirectory {
        path: String,
        dir: String,
    },
    Write {
        path: String,
        reason: String,
    },
    Render(String),
}

/// What a draft of a document that is not final would hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draft {
    /// The document as it stands, marked DRAFT.
    Draft,
    /// A fresh optimal mentoring proposal instead of the accepted matching.
    Proposal,
}

impl ExportError {
    /// The refusal in the person's language.
    pub fn words(&self, tr: &I18n) -> String {
        let k = |key: &str| format!("refusal.export.{key}");
        match self {
            ExportError::Service(e) => e.words(tr),
            ExportError::NoStage { known } => tr.f(&k("no_stage"), &[("known", known)]),
            ExportError::UnknownStage { stage, known } => {
                tr.f(&k("unknown_stage"), &[("stage", stage), ("known", known)])
            }
            ExportError::NotFinal { why, draft } => tr.f(
                &k("not_final"),
                &[
                    ("why", &crate::text::refusal::refusal(why, tr)),
                    (
                        "draft",
                        &tr.t(&k(match draft {
                            Draft::Draft => "draft",
                            Draft::Proposal => "proposal",
                        })),
                    ),
                ],
            ),
            ExportError::Refused(r) => crate::text::refusal::refusal(r, tr),
            ExportError::Exists { path } => tr.f(&k("exists"), &[("path", path)]),
            ExportError::IsDirectory { path, example } => {
                tr.f(&k("is_directory"), &[("path", path), ("example", example)])
            }
            ExportError::NoDirectory { path, dir } => {
                tr.f(&k("no_directory"), &[("path", path), ("dir", dir)])
            }
            ExportError::NotADirectory { path, dir } => {
                tr.f(&k("not_a_directory"), &[("path", path), ("dir", dir)])
            }
            ExportError::Write { path, reason } => {
                tr.f(&k("write"), &[("path", path), ("reason", reason)])
            }
            ExportError::Render(why) => why.clone(),
        }
    }
}

/// The English wording, the same as [`ExportError::words`] gives.
impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.words(&I18n::new(Lang::En)))
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Service(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ServiceError> for ExportError {
    fn from(e: ServiceError) -> Self {
        ExportError::Service(e)
    }
}

/// Where an export is: the dialog shows it as a gauge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Reading,
    Rendering,
    Writing,
}

impl Step {
    pub const COUNT: usize = 3;

    pub fn index(self) -> usize {
        match self {
            Step::Reading => 0,
            Step::Rendering => 1,
            Step::Writing => 2,
        }
    }
}

/// What a finished export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub bytes: usize,
    /// The document is a draft (marked DRAFT).
    pub draft: bool,
}

/// What every document builder reads from.
pub(crate) struct Ctx<'a> {
    pub service: &'a Service,
    pub actor: &'a Actor,
    pub view: View,
    pub tr: I18n,
    pub request: &'a Request,
    /// The audit log's head (sequence number, hash) when the data was read:
    /// which state of the database the document shows.
    pub audit: (u64, String),
    /// The contest's time zone: documents show times in it.
    pub zone: Zone,
}

impl Ctx<'_> {
    /// A document with the provenance every document carries: the
    /// contest, the export time, the state of the data (the audit log's
    /// head), and whether it is final.
    pub fn document(
        &self,
        kind: DocumentKind,
        title: String,
        status: Option<String>,
        sections: Vec<Section>,
    ) -> Result<Document, ExportError> {
        let tr = &self.tr;
        let (seq, hash) = &self.audit;
        let mut meta = Vec::new();
        if let Some(r) = self.view.regulation() {
            meta.push(Field::new(
                "contest",
                tr.t("export.meta.contest"),
                Cell::text(&r.rules.contest.name),
            ));
            if !r.rules.contest.organiser.is_empty() {
                meta.push(Field::new(
                    "organiser",
                    tr.t("export.meta.organiser"),
                    Cell::text(&r.rules.contest.organiser),
                ));
            }
        }
        meta.push(Field::new(
            "exported_at",
            tr.t("export.meta.exported_at"),
            Cell::text(self.time(self.request.at)),
        ));
        meta.push(Field::new(
            "data",
            tr.t("export.meta.data"),
            Cell::text(tr.f(
                "export.meta.data_value",
                &[("seq", seq), ("hash", &short(hash))],
            )),
        ));
        let draft = status.is_some();
        meta.push(Field::new(
            "status",
            tr.t("export.meta.status"),
            Cell::text(status.unwrap_or_else(|| tr.t("export.status.final").to_string())),
        ));
        Ok(Document {
            kind: kind.code(),
            tr: self.tr,
            title,
            draft,
            exported_at: self.request.at,
            zone: self.zone,
            meta,
            sections,
            csv_merge: None,
        })
    }

    /// A time as documents show it: in the contest's zone, with its offset.
    pub fn time(&self, at: DateTime<Utc>) -> String {
        crate::text::time::show(at, &self.zone)
    }

    /// The stage a request names, checked against the regulation.
    pub fn stage(&self) -> Result<&crate::domain::regulation::Stage, ExportError> {
        let rules = &self
            .view
            .regulation()
            .ok_or(ServiceError::NoRegulation)?
            .rules;
        let known = rules
            .stages
            .iter()
            .map(|s| s.id.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let id = self
            .request
            .stage
            .as_ref()
            .ok_or_else(|| ExportError::NoStage {
                known: known.clone(),
            })?;
        rules.stage(id).ok_or_else(|| ExportError::UnknownStage {
            stage: id.to_string(),
            known,
        })
    }

    /// The name of a territory group as the regulation gives it.
    pub fn group_name(&self, id: &crate::domain::ids::GroupId) -> String {
        self.view
            .regulation()
            .and_then(|r| r.rules.group(id))
            .map_or_else(|| id.to_string(), |g| g.name.clone())
    }
}

/// A stage's ranking as a document quotes it: the frozen snapshot of a
/// closed stage, or (for a draft) the live ranking by the regulation's
/// method, frozen in memory at the export time.
pub(crate) struct StageResult {
    pub report: StageReport,
    pub ranking: FrozenRanking,
    pub closed: bool,
}

pub(crate) fn stage_result(cx: &Ctx, stage: &StageId) -> Result<StageResult, ExportError> {
    let report = cx.service.analyse_stage(cx.actor, stage)?;
    let (ranking, closed) = match &report.frozen {
        Some(f) => (f.clone(), true),
        None => (
            FrozenRanking::freeze(
                report.declared(),
                report.data.regulation_hash.clone(),
                cx.request.at,
                cx.actor.id.clone(),
            ),
            false,
        ),
    };
    Ok(StageResult {
        report,
        ranking,
        closed,
    })
}

/// The first 16 hex digits of a hash: enough to tell, short enough to read.
fn short(hash: &str) -> String {
    if hash.is_empty() {
        "-".into()
    } else {
        hash.chars().take(16).collect()
    }
}

/// Builds the document a request asks for.
pub fn build(service: &Service, actor: &Actor, request: &Request) -> Result<Document, ExportError> {
    service.may_export(actor)?;
    let (view, audit) = service.view_at_head(actor)?;
    let cx = Ctx {
        service,
        actor,
        zone: view.zone(),
        view,
        tr: I18n::new(request.lang),
        request,
        audit,
    };
    match request.kind {
        DocumentKind::Team => team::build(&cx),
        DocumentKind::Protocol => protocol::build(&cx),
        DocumentKind::Mentoring => mentoring::build(&cx),
        DocumentKind::Register => register::build(&cx),
    }
}

/// Lays a document out in a format.
pub fn render(doc: &Document, request: &Request) -> Result<Vec<u8>, ExportError> {
    Ok(match request.format {
        ExportFormat::Csv => csv::write(doc, request.delimiter),
        ExportFormat::Xlsx => xlsx::write(doc)?,
        ExportFormat::Md => markdown::write(doc),
        ExportFormat::Json => json::write(doc),
    })
}

/// Refuses a target that cannot or must not be written, before any work.
pub fn check_target(path: &Path, force: bool) -> Result<(), ExportError> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(ExportError::IsDirectory {
            example: path.join("konkurs-team.xlsx").display().to_string(),
            path: shown,
        });
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match std::fs::metadata(dir) {
        Err(_) => {
            // A path through a file is "not a directory", not "missing".
            let through_file = dir.ancestors().skip(1).any(|a| a.is_file());
            return Err(if through_file {
                ExportError::NotADirectory {
                    path: shown,
                    dir: dir
                        .ancestors()
                        .find(|a| a.is_file())
                        .unwrap_or(dir)
                        .display()
                        .to_string(),
                }
            } else {
                ExportError::NoDirectory {
                    path: shown,
                    dir: dir.display().to_string(),
                }
            });
        }
        Ok(m) if !m.is_dir() => {
            return Err(ExportError::NotADirectory {
                path: shown,
                dir: dir.display().to_string(),
            });
        }
        Ok(_) => {}
    }
    if path.exists() && !force {
        return Err(ExportError::Exists { path: shown });
    }
    Ok(())
}

/// Builds, renders and writes a document to `path`: into a temporary file
/// in the same directory, then renamed over `path`, so that a failure
/// leaves no file, or the old one. An existing file is replaced only with
/// `force`. `progress` is told each step.
pub fn export(
    service: &Service,
    actor: &Actor,
    request: &Request,
    path: &Path,
    force: bool,
    progress: &mut dyn FnMut(Step),
) -> Result<Written, ExportError> {
    service.may_export(actor)?;
    check_target(path, force)?;
    progress(Step::Reading);
    let doc = build(service, actor, request)?;
    progress(Step::Rendering);
    let bytes = render(&doc, request)?;
    progress(Step::Writing);
    if !force && path.exists() {
        return Err(ExportError::Exists {
            path: path.display().to_string(),
        });
    }
    crate::store::backup::write_atomically(path, &bytes).map_err(|e| ExportError::Write {
        path: path.display().to_string(),
        reason: io_reason(&e),
    })?;
    Ok(Written {
        path: path.to_path_buf(),
        bytes: bytes.len(),
        draft: doc.draft,
    })
}

/// `name` when it is a plain file name (no directory, not hidden, not too
/// long): what a document exported in a served contest may be called.
pub fn plain_file_name(name: &Path) -> Option<&str> {
    let mut parts = name.components();
    let plain = match (parts.next(), parts.next()) {
        (Some(std::path::Component::Normal(n)), None) => n.to_str(),
        _ => None,
    };
    plain.filter(|n| !n.starts_with('.') && n.len() <= 200)
}

/// The exports directory of the database in `db`, made if needed and
/// private to the server's user (0700; each document in it is 0600, as
/// every document konkurs writes).
pub fn exports_dir(db: &Path) -> std::io::Result<std::path::PathBuf> {
    let dir = db.join(crate::store::EXPORTS_DIR);
    if !dir.is_dir() {
        std::fs::create_dir_all(&dir)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::symlink_metadata(&dir)?;
        if meta.is_dir() && meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(dir)
}

/// Why the system refused a write, without the name of the temporary file
/// it was refused for (the person asked for another name).
fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" at path ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The file name an export is offered under: `konkurs-team-2021.xlsx`,
/// `konkurs-protocol-final-2021.md`.
pub fn default_file_name(
    kind: DocumentKind,
    stage: Option<&StageId>,
    year: Option<i32>,
    format: ExportFormat,
) -> String {
    let mut name = format!("konkurs-{}", kind.code());
    if kind == DocumentKind::Protocol
        && let Some(s) = stage
    {
        name += &format!("-{s}");
    }
    if let Some(y) = year {
        name += &format!("-{y}");
    }
    format!("{name}.{}", format.extension())
}

/// `~` or `~/x` as the home directory (the dialog's path field).
pub fn expand_home(path: &str) -> PathBuf {
    let home = || std::env::var_os("HOME").filter(|h| !h.is_empty());
    if path == "~" {
        if let Some(h) = home() {
            return PathBuf::from(h);
        }
    } else if let Some(rest) = path.strip_prefix("~/")
        && let Some(h) = home()
    {
        return PathBuf::from(h).join(rest);
    }
    PathBuf::from(path)
}

/// Reads `--delimiter`: one ASCII character, or `tab`.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1
            && s.is_ascii()
            && !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '"') =>
        {
            Ok(s.as_bytes()[0])
        }
        _ => Err(format!(
            "'{s}' cannot separate cells: use ',' or ';' (or 'tab')"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_names() {
        assert_eq!(
            ExportFormat::of_path(Path::new("a/team.XLSX")),
            Some(ExportFormat::Xlsx)
        );
        assert_eq!(ExportFormat::of_path(Path::new("team")), None);
        assert_eq!(
            default_file_name(
                DocumentKind::Protocol,
                Some(&StageId::new("final")),
                Some(2021),
                ExportFormat::Md
            ),
            "konkurs-protocol-final-2021.md"
        );
        assert_eq!(
            default_file_name(DocumentKind::Team, None, None, ExportFormat::Csv),
            "konkurs-team.csv"
        );
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert!(parse_delimiter("ab").is_err());
        assert!(parse_delimiter("a").is_err());
    }

    /// The command line names a document and a format by its code.
    #[test]
    fn the_command_lines_values_are_the_codes() {
        use clap::ValueEnum;
        for k in DocumentKind::ALL {
            assert_eq!(k.to_possible_value().unwrap().get_name(), k.code());
        }
        for f in ExportFormat::ALL {
            assert_eq!(f.to_possible_value().unwrap().get_name(), f.code());
        }
        assert_eq!(DocumentKind::value_variants(), DocumentKind::ALL);
        assert_eq!(ExportFormat::value_variants(), ExportFormat::ALL);
    }
}
