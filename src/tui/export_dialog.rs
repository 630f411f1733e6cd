//! The export dialog: which document (and for a protocol, which stage),
//! which format, whether a draft is allowed, and where to save it. The
//! export runs on its own thread; the dialog shows a gauge of its steps and
//! then where the file went, or why it was not written.
//!
//! Keys: ↑/↓ (Tab, Shift-Tab) move between fields, ←/→ (Space) change a
//! choice, typing edits the path (Backspace, Ctrl-U clears), Enter exports,
//! Esc closes. An existing file is replaced only after a second Enter; a
//! path whose extension names another format is corrected only after a
//! second Enter too.
//!
//! CSV has a separator field: `;` with decimal commas by default in
//! Russian (what a Russian Excel opens in columns), `,` in English.

use super::pane::{Flash, FlashKind};
use super::theme;
use crate::domain::ids::StageId;
use crate::interchange::export::{self, DocumentKind, ExportFormat, Request, Step, Written};
use crate::service::{Actor, Service, View};
use crate::text::I18n;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph, Wrap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::Instant;

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Focus {
    What,
    Stage,
    Format,
    Delimiter,
    Draft,
    Path,
}

/// What the export thread reports.
enum Report {
    Step(Step),
    Finished(Result<Written, String>),
}

enum State {
    Editing,
    /// The file exists: a second Enter replaces it.
    ConfirmReplace,
    /// The path's extension names another format: a second Enter saves
    /// under the format's extension.
    ConfirmExtension(ExportFormat),
    Running {
        reports: Receiver<Report>,
        step: Step,
        started: Instant,
    },
    Done(Result<Written, String>),
}

/// What a key did to the dialog.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Open,
    Close,
}

/// Where a served contest's exports go: the database's exports directory,
/// from which the person fetches them with scp or sftp.
#[derive(Clone, Debug)]
pub struct Exports {
    pub dir: PathBuf,
    /// The beginning of the line that fetches a file: `scp -P 2222 J01@host:`.
    pub fetch: String,
}

pub struct ExportDialog {
    tr: I18n,
    focus: Focus,
    kind: DocumentKind,
    stages: Vec<(StageId, String)>,
    stage: usize,
    format: ExportFormat,
    /// The CSV separator, one of [`DELIMITERS`].
    delimiter: u8,
    draft: bool,
    path: String,
    /// The person typed in the path: it is no longer recomputed.
    path_edited: bool,
    /// In a served contest: where exports go and how they are fetched.
    exports: Option<Exports>,
    year: Option<i32>,
    /// Where files are offered: `~` or the data directory.
    dir: String,
    state: State,
}

/// The CSV separators offered, with the catalogue key of each one's words.
const DELIMITERS: [(u8, &str); 3] = [
    (b';', "export_dialog.delimiter_semicolon"),
    (b',', "export_dialog.delimiter_comma"),
    (b'\t', "export_dialog.delimiter_tab"),
];

fn size(bytes: usize, tr: &I18n) -> String {
    use crate::text::number::FILE_SIZE;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", tr.fixed(bytes as f64 / 1024.0, FILE_SIZE))
    } else {
        format!(
            "{} MB",
            tr.fixed(bytes as f64 / (1024.0 * 1024.0), FILE_SIZE)
        )
    }
}

fn cycle<T: Copy + PartialEq>(all: &[T], now: T, forward: bool) -> T {
    let i = all.iter().position(|x| *x == now).unwrap_or(0);
    let n = all.len();
    all[if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    }]
}

impl ExportDialog {
    /// A dialog for the contest as `view` shows it; files are offered in
    /// the home directory, or in `data_dir` when there is no home.
    /// In a served contest (`exports`), the path is a file name in the
    /// exports directory.
    pub fn new(view: &View, tr: I18n, data_dir: &Path, exports: Option<Exports>) -> ExportDialog {
        let rules = view.regulation().map(|r| &r.rules);
        let stages: Vec<(StageId, String)> = rules
            .map(|r| {
                r.stages
                    .iter()
                    .map(|s| (s.id.clone(), s.name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        // The protocol most likely wanted: of the last closed stage.
        let stage = stages
            .iter()
            .rposition(|(id, _)| view.stage_state(id).is_some_and(|s| s.is_closed()))
            .unwrap_or(0);
        let dir = if std::env::var_os("HOME").is_some_and(|h| !h.is_empty()) {
            "~".to_string()
        } else {
            data_dir.display().to_string()
        };
        let mut d = ExportDialog {
            tr,
            focus: Focus::What,
            kind: DocumentKind::Team,
            stages,
            stage,
            format: ExportFormat::Xlsx,
            delimiter: export::default_delimiter(tr.lang),
            draft: false,
            path: String::new(),
            path_edited: false,
            year: rules.and_then(|r| r.contest.year),
            dir,
            exports,
            state: State::Editing,
        };
        d.offer_path();
        d
    }

    fn stage_id(&self) -> Option<&StageId> {
        self.stages.get(self.stage).map(|(id, _)| id)
    }

    /// Recomputes the offered path from the choices, unless typed over; a
    /// typed path keeps its name and gets the new format's extension.
    fn offer_path(&mut self) {
        if !self.path_edited {
            let name = export::default_file_name(
                self.kind,
                self.stage_id()
                    .filter(|_| self.kind == DocumentKind::Protocol),
                self.year,
                self.format,
            );
            self.path = match self.exports {
                Some(_) => name,
                None => format!("{}/{name}", self.dir.trim_end_matches('/')),
            };
        } else if ExportFormat::of_path(Path::new(&self.path)).is_some() {
            let p = PathBuf::from(&self.path).with_extension(self.format.extension());
            self.path = p.display().to_string();
        }
    }

    fn fields(&self) -> Vec<Focus> {
        let mut f = vec![Focus::What];
        if self.kind == DocumentKind::Protocol && !self.stages.is_empty() {
            f.push(Focus::Stage);
        }
        f.push(Focus::Format);
        if self.format == ExportFormat::Csv {
            f.push(Focus::Delimiter);
        }
        f.extend([Focus::Draft, Focus::Path]);
        f
    }

    fn move_focus(&mut self, forward: bool) {
        let fields = self.fields();
        self.focus = cycle(&fields, self.focus, forward);
    }

    fn change(&mut self, forward: bool) {
        match self.focus {
            Focus::What => self.kind = cycle(&DocumentKind::ALL, self.kind, forward),
            Focus::Stage if !self.stages.is_empty() => {
                let n = self.stages.len();
                self.stage = if forward {
                    (self.stage + 1) % n
                } else {
                    (self.stage + n - 1) % n
                };
            }
            Focus::Format => self.format = cycle(&ExportFormat::ALL, self.format, forward),
            Focus::Delimiter => {
                let all = DELIMITERS.map(|(d, _)| d);
                self.delimiter = cycle(&all, self.delimiter, forward);
            }
            Focus::Draft => self.draft = !self.draft,
            Focus::Stage | Focus::Path => return,
        }
        self.offer_path();
    }

    pub fn running(&self) -> bool {
        matches!(self.state, State::Running { .. })
    }

    /// Pasted text goes into the path.
    pub fn paste(&mut self, text: &str) {
        if matches!(
            self.state,
            State::Editing | State::ConfirmReplace | State::ConfirmExtension(_)
        ) {
            self.focus = Focus::Path;
            self.path.push_str(text.lines().next().unwrap_or("").trim());
            self.path_edited = true;
            self.state = State::Editing;
        }
    }

    /// Handles a key; `service` and `actor` run the export on Enter.
    pub fn key(&mut self, k: &KeyEvent, service: &Arc<Service>, actor: &Actor) -> Outcome {
        match &self.state {
            State::Running { .. } => return Outcome::Open,
            // Enter or Esc closes the result; any other key goes back to
            // the fields and does its work there.
            State::Done(_) => {
                if matches!(k.code, KeyCode::Esc | KeyCode::Enter) {
                    return Outcome::Close;
                }
                self.state = State::Editing;
            }
            State::ConfirmReplace => {
                return match k.code {
                    KeyCode::Enter => {
                        self.start(service, actor, true);
                        Outcome::Open
                    }
                    _ => {
                        self.state = State::Editing;
                        Outcome::Open
                    }
                };
            }
            State::ConfirmExtension(_) => {
                self.state = State::Editing;
                if k.code == KeyCode::Enter {
                    self.path = self.fixed_path();
                    self.enter(service, actor);
                }
                return Outcome::Open;
            }
            State::Editing => {}
        }
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Enter => match ExportFormat::of_path(Path::new(self.path.trim())) {
                Some(named) if named != self.format => {
                    self.state = State::ConfirmExtension(named);
                }
                _ => self.enter(service, actor),
            },
            KeyCode::Down | KeyCode::Tab => self.move_focus(true),
            KeyCode::Up | KeyCode::BackTab => self.move_focus(false),
            KeyCode::Right => self.change(true),
            KeyCode::Left => self.change(false),
            KeyCode::Char(' ') if self.focus != Focus::Path => self.change(true),
            KeyCode::Backspace if self.focus == Focus::Path => {
                self.path.pop();
                self.path_edited = true;
            }
            KeyCode::Char('u') if ctrl && self.focus == Focus::Path => {
                self.path.clear();
                self.path_edited = true;
            }
            KeyCode::Char(c) if !ctrl && self.focus == Focus::Path => {
                self.path.push(c);
                self.path_edited = true;
            }
            _ => {}
        }
        Outcome::Open
    }

    /// The path with the chosen format's extension.
    fn fixed_path(&self) -> String {
        PathBuf::from(self.path.trim())
            .with_extension(self.format.extension())
            .display()
            .to_string()
    }

    /// Where the file goes: the typed path, or in a served contest the
    /// typed name in the exports directory (a name only: no directories).
    fn target(&self) -> Result<PathBuf, String> {
        let typed = self.path.trim();
        match &self.exports {
            None => Ok(export::expand_home(typed)),
            Some(e) => match export::plain_file_name(Path::new(typed)) {
                Some(name) => Ok(e.dir.join(name)),
                None => Err(self.tr.f("export_dialog.name_only", &[("name", &typed)])),
            },
        }
    }

    /// Exports, after asking when the file exists.
    fn enter(&mut self, service: &Arc<Service>, actor: &Actor) {
        let target = match self.target() {
            Ok(t) => t,
            Err(why) => {
                self.state = State::Done(Err(why));
                return;
            }
        };
        if target.is_file() {
            self.state = State::ConfirmReplace;
        } else {
            self.start(service, actor, false);
        }
    }

    /// Starts the export on its own thread.
    fn start(&mut self, service: &Arc<Service>, actor: &Actor, force: bool) {
        let request = Request {
            stage: self.stage_id().cloned(),
            draft: self.draft,
            delimiter: self.delimiter,
            ..Request::new(self.kind, self.format, service.now(), self.tr.lang)
        };
        let path = match self.target() {
            Ok(p) => p,
            Err(why) => {
                self.state = State::Done(Err(why));
                return;
            }
        };
        let exports = self.exports.as_ref().map(|e| e.dir.clone());
        let (tx, rx) = channel();
        let service = Arc::clone(service);
        let actor = actor.clone();
        let tr = self.tr;
        std::thread::spawn(move || {
            let steps = tx.clone();
            if let Some(db) = exports.as_deref().and_then(Path::parent)
                && let Err(e) = export::exports_dir(db)
            {
                let _ = tx.send(Report::Finished(Err(e.to_string())));
                return;
            }
            let result = export::export(&service, &actor, &request, &path, force, &mut |s| {
                let _ = steps.send(Report::Step(s));
            })
            .map_err(|e| match e {
                // The dialog's own way to a draft instead of --draft.
                export::ExportError::NotFinal { why, .. } => tr.f(
                    "export_dialog.not_final",
                    &[("why", &crate::text::refusal::refusal(&why, &tr))],
                ),
                e => e.words(&tr),
            });
            let _ = tx.send(Report::Finished(result));
        });
        self.state = State::Running {
            reports: rx,
            step: Step::Reading,
            started: Instant::now(),
        };
    }

    /// Takes the export thread's reports. Returns whether the dialog
    /// should be redrawn, and the message for the status bar when the
    /// export has just finished.
    pub fn poll(&mut self) -> (bool, Option<Flash>) {
        let State::Running { reports, step, .. } = &mut self.state else {
            return (false, None);
        };
        loop {
            match reports.try_recv() {
                Ok(Report::Step(s)) => *step = s,
                Ok(Report::Finished(result)) => {
                    let flash = self.flash(&result);
                    self.state = State::Done(result);
                    return (true, Some(flash));
                }
                // Still working: redraw for the spinner.
                Err(TryRecvError::Empty) => return (true, None),
                Err(TryRecvError::Disconnected) => {
                    let result = Err(self.tr.t("refusal.export.stopped").to_string());
                    let flash = self.flash(&result);
                    self.state = State::Done(result);
                    return (true, Some(flash));
                }
            }
        }
    }

    fn outcome_text(&self, result: &Result<Written, String>) -> String {
        match result {
            Ok(w) if self.exports.is_some() => {
                let name = w.path.file_name().unwrap_or_default().to_string_lossy();
                let fetch = self.exports.as_ref().map_or("", |e| e.fetch.as_str());
                self.tr.f(
                    if w.draft {
                        "export_dialog.saved_served_draft"
                    } else {
                        "export_dialog.saved_served"
                    },
                    &[
                        ("name", &name),
                        ("size", &size(w.bytes, &self.tr)),
                        ("command", &format!("{fetch}{name} .")),
                    ],
                )
            }
            Ok(w) => self.tr.f(
                if w.draft {
                    "export_dialog.saved_draft"
                } else {
                    "export_dialog.saved"
                },
                &[
                    ("path", &w.path.display()),
                    ("size", &size(w.bytes, &self.tr)),
                ],
            ),
            Err(e) => self.tr.f("export_dialog.failed", &[("error", e)]),
        }
    }

    fn flash(&self, result: &Result<Written, String>) -> Flash {
        Flash {
            text: self.outcome_text(result),
            kind: if result.is_ok() {
                FlashKind::Success
            } else {
                FlashKind::Error
            },
        }
    }

    fn kind_name(&self) -> &'static str {
        self.tr
            .t(&format!("export_dialog.kind.{}", self.kind.code()))
    }

    /// A field's label key and its value as shown.
    fn field_value(&self, f: Focus) -> (&'static str, String) {
        let tr = &self.tr;
        match f {
            Focus::What => ("export_dialog.what", format!("◀ {} ▶", self.kind_name())),
            Focus::Stage => (
                "export_dialog.stage",
                format!(
                    "◀ {} ▶",
                    self.stages.get(self.stage).map_or("", |(_, n)| n.as_str())
                ),
            ),
            Focus::Format => (
                "export_dialog.format",
                format!("◀ {} ▶", self.format.extension().to_uppercase()),
            ),
            Focus::Delimiter => (
                "export_dialog.delimiter",
                format!(
                    "◀ {} ▶",
                    DELIMITERS
                        .iter()
                        .find(|(d, _)| *d == self.delimiter)
                        .map_or("", |(_, k)| tr.t(k))
                ),
            ),
            Focus::Draft => (
                "export_dialog.draft",
                format!(
                    "[{}] {}",
                    if self.draft { "x" } else { " " },
                    tr.t("export_dialog.draft_hint")
                ),
            ),
            Focus::Path => ("export_dialog.path", self.path.clone()),
        }
    }

    /// One field's line: its label padded to `label_w`, its value, and the
    /// cursor when the path is being typed.
    fn field_line(&self, f: Focus, label_w: usize, editing: bool) -> Line<'static> {
        let (label, value) = self.field_value(f);
        let label = self.tr.t(label);
        let pad = label_w.saturating_sub(unicode_width::UnicodeWidthStr::width(label));
        let focused = f == self.focus && editing;
        let mut spans = vec![
            Span::styled(format!(" {label}{} ", " ".repeat(pad)), theme::label()),
            Span::styled(
                value,
                if focused {
                    theme::selected()
                } else {
                    Style::default()
                },
            ),
        ];
        if focused && f == Focus::Path {
            spans.push(Span::styled("▏", theme::cursor()));
        }
        Line::from(spans)
    }

    /// Below the fields: the keys, a question, the progress or the outcome.
    fn draw_status(&self, frame: &mut Frame, status: Rect) {
        let tr = &self.tr;
        match &self.state {
            State::Editing => frame.render_widget(
                Paragraph::new(tr.t(if self.exports.is_some() {
                    "export_dialog.keys_served"
                } else {
                    "export_dialog.keys"
                }))
                .style(theme::dim())
                .wrap(Wrap { trim: true }),
                status,
            ),
            State::ConfirmReplace => frame.render_widget(
                Paragraph::new(tr.f(
                    "export_dialog.replace",
                    &[("path", &export::expand_home(self.path.trim()).display())],
                ))
                .style(theme::warn())
                .wrap(Wrap { trim: true }),
                status,
            ),
            State::ConfirmExtension(named) => frame.render_widget(
                Paragraph::new(tr.f(
                    "export_dialog.mismatch",
                    &[
                        ("path", &self.path.trim()),
                        ("ext", &named.extension()),
                        ("format", &self.format.extension().to_uppercase()),
                        ("fixed", &self.fixed_path()),
                    ],
                ))
                .style(theme::warn())
                .wrap(Wrap { trim: true }),
                status,
            ),
            State::Running { step, started, .. } => {
                let spin = SPINNER[(started.elapsed().as_millis() / 100) as usize % SPINNER.len()];
                let what = tr.t(match step {
                    Step::Reading => "export_dialog.step.reading",
                    Step::Rendering => "export_dialog.step.rendering",
                    Step::Writing => "export_dialog.step.writing",
                });
                frame.render_widget(
                    Gauge::default()
                        .ratio((step.index() as f64 + 0.5) / Step::COUNT as f64)
                        .label(format!("{spin} {what}"))
                        .gauge_style(theme::good()),
                    Rect {
                        height: 1,
                        ..status
                    },
                );
            }
            State::Done(result) => frame.render_widget(
                Paragraph::new(self.outcome_text(result))
                    .style(if result.is_ok() {
                        theme::good()
                    } else {
                        theme::bad()
                    })
                    .wrap(Wrap { trim: true }),
                status,
            ),
        }
    }

    pub fn draw(&self, frame: &mut Frame, body: Rect) {
        let tr = &self.tr;
        let fields = self.fields();
        let area = super::widgets::popup(body, 76, fields.len() as u16 + 7);
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(tr.t("export_dialog.title"));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let label_w = [
            "export_dialog.what",
            "export_dialog.stage",
            "export_dialog.format",
            "export_dialog.delimiter",
            "export_dialog.draft",
            "export_dialog.path",
        ]
        .iter()
        .map(|k| unicode_width::UnicodeWidthStr::width(tr.t(k)))
        .max()
        .unwrap_or(10);
        let editing = matches!(
            self.state,
            State::Editing | State::ConfirmReplace | State::ConfirmExtension(_)
        );
        let mut lines: Vec<Line> = fields
            .iter()
            .map(|f| self.field_line(*f, label_w, editing))
            .collect();
        lines.push(Line::raw(""));
        let status_row = inner.y + lines.len() as u16;
        frame.render_widget(Paragraph::new(lines), inner);
        let status = Rect {
            x: inner.x + 1,
            y: status_row,
            width: inner.width.saturating_sub(2),
            height: inner.height.saturating_sub(status_row - inner.y),
        };
        if status.height == 0 {
            return;
        }
        self.draw_status(frame, status);
    }
}
