//! The Jury pane: jurors with their progress per stage, their SSH keys
//! (shown as `ssh-keygen -l` shows them), declared conflicts and role; the
//! coordinator assigns automatically, registers keys and reopens sheets.
//! Its second view lists the stage's participants with their jurors and
//! sheets: there the coordinator picks a participant (from the list or by
//! search) and assigns a juror by hand, from the jurors sorted by load with
//! their conflicts of interest, or takes an assignment back.

use crate::domain::ids::{JurorId, ParticipantId, StageId};
use crate::domain::people::Role;
use crate::domain::scoring::{ConflictOrigin, SheetStatus};
use crate::search::SearchIndex;
use crate::service::{Candidate, Progress};
use crate::tui::action::{self, Action};
use crate::tui::pane::{Cx, Pane, PaneKind};
use crate::tui::theme;
use crate::tui::widgets::fit;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ask {
    AddKey,
    RemoveKey,
    Reopen,
}

struct Row {
    id: JurorId,
    name: String,
    role: Role,
    keys: usize,
    progress: Progress,
}

/// What the pane lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    Jurors,
    Participants,
}

/// Where an assigned juror's sheet of a participant is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    NotBegun,
    Draft,
    Submitted,
    Abstained,
}

impl Mark {
    fn of(sheet: Option<&crate::domain::scoring::ScoreSheet>) -> Mark {
        match sheet {
            None => Mark::NotBegun,
            Some(s) => match s.status {
                SheetStatus::Submitted => Mark::Submitted,
                SheetStatus::Abstained => Mark::Abstained,
                SheetStatus::Draft if s.scores.is_empty() && s.comment.is_empty() => Mark::NotBegun,
                SheetStatus::Draft => Mark::Draft,
            },
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Mark::NotBegun => "·",
            Mark::Draft => "✎",
            Mark::Submitted => "✓",
            Mark::Abstained => "✗",
        }
    }

    /// The catalogue key of the sheet's state in words.
    fn key(self) -> &'static str {
        match self {
            Mark::NotBegun => "jury.sheet.not_begun",
            Mark::Draft => "jury.sheet.draft",
            Mark::Submitted => "jury.sheet.submitted",
            Mark::Abstained => "jury.sheet.abstained",
        }
    }
}

/// A participant of the stage with the jurors assigned to them.
struct Entry {
    id: ParticipantId,
    name: String,
    /// Each assigned juror and where their sheet is.
    jurors: Vec<(JurorId, Mark)>,
    submitted: usize,
}

/// The stage's participants, and the search over them.
#[derive(Default)]
struct Participants {
    stage: Option<StageId>,
    /// Sheets each participant needs at the stage.
    need: usize,
    all: Vec<Entry>,
    index: Option<SearchIndex>,
    /// The search typed with `/` (kept after Enter; Esc clears it).
    query: String,
    searching: bool,
    /// Indices into `all` shown, in order (the best hits first).
    shown: Vec<usize>,
    cursor: usize,
    selected: Option<ParticipantId>,
}

/// Choosing a juror to assign to a participant, or to take off them.
struct Picker {
    remove: bool,
    participant: ParticipantId,
    candidates: Vec<Candidate>,
    cursor: usize,
}

pub struct JuryPane {
    rows: Vec<Row>,
    cursor: usize,
    selected: Option<JurorId>,
    prompt: Option<(Ask, String)>,
    /// The last automatic assignment's report, shown until a key is pressed.
    report: Option<(crate::domain::assignment::AssignmentPlan, String)>,
    shown: Shown,
    participants: Participants,
    picker: Option<Picker>,
}

impl Default for JuryPane {
    fn default() -> Self {
        Self::new()
    }
}

/// A bar of `width` cells, `done` of `total` filled.
fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

impl JuryPane {
    pub fn new() -> Self {
        JuryPane {
            rows: Vec::new(),
            cursor: 0,
            selected: None,
            prompt: None,
            report: None,
            shown: Shown::Jurors,
            participants: Participants::default(),
            picker: None,
        }
    }

    fn select(&mut self, i: usize) {
        if self.rows.is_empty() {
            self.cursor = 0;
            self.selected = None;
        } else {
            self.cursor = i.min(self.rows.len() - 1);
            self.selected = Some(self.rows[self.cursor].id.clone());
        }
    }

    fn run_prompt(&mut self, ask: Ask, text: &str, cx: &mut Cx) {
        let Some(juror) = self.selected.clone() else {
            return;
        };
        let text = text.trim();
        match ask {
            Ask::AddKey => match cx.service.add_key(cx.actor, &juror, text) {
                Ok(k) => cx.success(cx.tr.f("jury.key_added", &[("key", &k.fingerprint())])),
                Err(e) => cx.refused(&e),
            },
            Ask::RemoveKey => {
                let keys: Vec<String> = cx
                    .view
                    .jurors()
                    .find(|j| j.id == juror)
                    .map(|j| j.keys.iter().map(|k| k.fingerprint()).collect())
                    .unwrap_or_default();
                let fp = text
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| keys.get(n.wrapping_sub(1)).cloned())
                    .unwrap_or_else(|| text.to_string());
                match cx.service.remove_key(cx.actor, &juror, &fp) {
                    Ok(()) => cx.success(cx.tr.t("jury.key_removed")),
                    Err(e) => cx.refused(&e),
                }
            }
            Ask::Reopen => {
                let (p, reason) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
                let Some(stage) = cx.view.current_stage().map(|s| s.id.clone()) else {
                    return;
                };
                match cx
                    .service
                    .reopen(cx.actor, &stage, &ParticipantId::new(p), &juror, reason)
                {
                    Ok(()) => cx.success(cx.tr.t("jury.reopened")),
                    Err(e) => cx.refused(&e),
                }
            }
        }
    }

    fn draw_list(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let stage = cx.view.current_stage();
        let still = self
            .rows
            .iter()
            .filter(|r| r.progress.assigned > r.progress.done())
            .count();
        let title = match stage {
            Some(s) => cx.tr.f("jury.title", &[("stage", &s.name), ("n", &still)]),
            None => cx.tr.t("pane.jury").to_string(),
        };
        let block = Block::default().borders(Borders::ALL).title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = inner.width as usize;
        let bar_w = if width >= 60 { 12 } else { 6 };
        // id, role, keys and the progress column are fixed; the name takes the rest.
        let name_w = width.saturating_sub(5 + 11 + 4 + bar_w + 12).clamp(6, 36);
        let header = format!(
            "{:<5} {:<name_w$} {:<11} {:>4} {}",
            cx.tr.t("jury.col.id"),
            cx.tr.t("jury.col.name"),
            cx.tr.t("jury.col.role"),
            cx.tr.t("jury.col.keys"),
            cx.tr.t("jury.col.done"),
        );
        let mut lines = vec![Line::styled(fit(&header, width), theme::header())];
        let rows = inner.height.saturating_sub(1) as usize;
        let start = self.cursor.saturating_sub(rows.saturating_sub(1));
        for (i, r) in self.rows.iter().enumerate().skip(start).take(rows) {
            let p = r.progress;
            let base = if i == self.cursor {
                theme::selected()
            } else {
                Style::default()
            };
            let role = cx.tr.t(&format!("role.{}", r.role.code()));
            let done = if r.role == Role::Juror {
                format!(
                    "{} {}/{}",
                    bar(p.done(), p.assigned, bar_w),
                    p.done(),
                    p.assigned
                )
            } else {
                String::new()
            };
            let text = format!(
                "{:<5} {:<name_w$} {:<11} {:>4} {done}",
                fit(r.id.as_str(), 5),
                fit(&r.name, name_w),
                fit(role, 11),
                r.keys,
            );
            lines.push(Line::styled(fit(&text, width), base));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn draw_detail(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(cx.tr.t("jury.detail"));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(j) = self
            .selected
            .as_ref()
            .and_then(|id| cx.view.jurors().find(|j| &j.id == id))
        else {
            return;
        };
        let tr = cx.tr;
        let label = |k: &str| Span::styled(format!("{}: ", tr.t(k)), theme::label());
        let mut lines = vec![
            Line::styled(j.full_name.clone(), theme::heading()),
            Line::from(vec![
                label("jury.col.role"),
                Span::raw(tr.t(&format!("role.{}", j.role.code()))),
            ]),
        ];
        for (k, v) in [
            ("jury.email", &j.email),
            ("jury.municipality", &j.municipality),
            ("jury.tos", &j.tos_name),
        ] {
            if !v.is_empty() {
                lines.push(Line::from(vec![label(k), Span::raw(v.clone())]));
            }
        }
        if let Some(rules) = cx.view.regulation() {
            let stages: Vec<_> = rules.rules.stages.iter().filter(|s| s.has_jury()).collect();
            if j.role == Role::Juror && !stages.is_empty() {
                lines.push(Line::raw(""));
                lines.push(Line::styled(tr.t("jury.progress"), theme::heading()));
                for s in stages {
                    let p = cx
                        .view
                        .progress(&s.id)
                        .get(&j.id)
                        .copied()
                        .unwrap_or_default();
                    lines.push(Line::raw(tr.f(
                        "jury.progress_line",
                        &[
                            ("stage", &s.name),
                            ("done", &p.done()),
                            ("assigned", &p.assigned),
                            ("drafted", &p.drafted),
                            ("submitted", &p.submitted),
                            ("abstained", &p.abstained),
                        ],
                    )));
                }
            }
        }
        let conflicts: Vec<_> = cx.view.conflicts_of(&j.id).collect();
        if !conflicts.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled(tr.t("jury.conflicts"), theme::heading()));
            for c in conflicts {
                let who = cx
                    .view
                    .participant(&c.participant)
                    .map_or(String::new(), |p| p.full_name.clone());
                let origin = match c.origin {
                    ConflictOrigin::Registered => tr.t("jury.conflict.registered"),
                    ConflictOrigin::DeclaredByJuror => tr.t("jury.conflict.declared"),
                };
                lines.push(Line::raw(format!(
                    "{} {who}: {} ({origin})",
                    c.participant, c.reason
                )));
            }
        }
        // Keys last: progress and conflicts matter more on a small screen.
        lines.push(Line::raw(""));
        lines.push(Line::styled(tr.t("jury.keys"), theme::heading()));
        if j.keys.is_empty() {
            lines.push(Line::styled(
                tr.f(
                    "jury.no_keys",
                    &[("key", &cx.key(PaneKind::Jury, Action::AddKey))],
                ),
                theme::dim(),
            ));
        }
        for (n, k) in j.keys.iter().enumerate() {
            lines.push(Line::raw(format!("{}. {}", n + 1, k.describe())));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}

/// The participants view: the stage's participants with their jurors,
/// the search over them, and the juror picker.
impl JuryPane {
    /// Reads the current stage's participants, their jurors and sheets,
    /// keeping the search and the selection.
    fn load_participants(&mut self, cx: &Cx) {
        let list = &mut self.participants;
        let stage = cx.view.current_stage();
        list.need = stage.map_or(0, |s| s.jurors_per_participant);
        let id = stage.map(|s| s.id.clone());
        if id != list.stage {
            list.query.clear();
            list.cursor = 0;
        }
        list.stage = id;
        let Some(stage) = list.stage.clone() else {
            list.all.clear();
            list.index = None;
            list.shown.clear();
            return;
        };
        let mut jurors: std::collections::BTreeMap<&ParticipantId, Vec<(JurorId, Mark)>> =
            Default::default();
        let assignments = cx.view.assignments(&stage);
        for a in &assignments {
            let sheet = cx.view.sheet(&stage, &a.participant, &a.juror);
            jurors
                .entry(&a.participant)
                .or_default()
                .push((a.juror.clone(), Mark::of(sheet)));
        }
        list.all = cx
            .view
            .stage_participants(&stage)
            .into_iter()
            .map(|id| {
                let jurors = jurors.remove(&id).unwrap_or_default();
                let p = cx.view.participant(&id);
                Entry {
                    name: p.map_or(String::new(), |p| p.full_name.clone()),
                    submitted: jurors.iter().filter(|(_, m)| *m == Mark::Submitted).count(),
                    jurors,
                    id,
                }
            })
            .collect();
        // Those short of sheets first, then by id.
        let need = list.need;
        list.all
            .sort_by(|a, b| (a.submitted >= need, &a.id).cmp(&(b.submitted >= need, &b.id)));
        let fields: Vec<[String; 4]> = list
            .all
            .iter()
            .map(|e| {
                let p = cx.view.participant(&e.id);
                [
                    e.id.to_string(),
                    e.name.clone(),
                    p.map_or(String::new(), |p| p.tos_name.clone()),
                    p.map_or(String::new(), |p| p.municipality.clone()),
                ]
            })
            .collect();
        list.index = Some(SearchIndex::new(
            fields
                .iter()
                .map(|f| f.iter().map(String::as_str).collect::<Vec<_>>()),
        ));
        self.filter();
    }

    /// The participants the search keeps (all without one), keeping the
    /// selected one selected when it is still there.
    fn filter(&mut self) {
        let list = &mut self.participants;
        list.shown = match (&list.index, list.query.trim()) {
            (Some(index), q) if !q.is_empty() => {
                index.search(q, None).into_iter().map(|h| h.item).collect()
            }
            _ => (0..list.all.len()).collect(),
        };
        let keep = list
            .selected
            .as_ref()
            .and_then(|p| list.shown.iter().position(|&i| &list.all[i].id == p));
        let at = keep.unwrap_or(list.cursor);
        self.select_participant(at);
    }

    fn select_participant(&mut self, i: usize) {
        let list = &mut self.participants;
        if list.shown.is_empty() {
            list.cursor = 0;
        } else {
            list.cursor = i.min(list.shown.len() - 1);
            list.selected = Some(list.all[list.shown[list.cursor]].id.clone());
        }
    }

    fn entry(&self) -> Option<&Entry> {
        let list = &self.participants;
        list.shown.get(list.cursor).map(|&i| &list.all[i])
    }

    /// Opens the juror picker for the selected participant: the jurors
    /// who could be assigned, or (with `remove`) those assigned.
    fn open_picker(&mut self, remove: bool, cx: &mut Cx) {
        let (Some(stage), Some(entry)) = (self.participants.stage.clone(), self.entry()) else {
            cx.info(cx.tr.t("jury.no_participant"));
            return;
        };
        let participant = entry.id.clone();
        let candidates: Vec<Candidate> = cx
            .view
            .candidates(&stage, &participant)
            .into_iter()
            .filter(|c| c.assigned == remove)
            .collect();
        if candidates.is_empty() {
            cx.info(cx.tr.f(
                if remove {
                    "jury.nobody_assigned"
                } else {
                    "jury.nobody_to_assign"
                },
                &[("participant", &participant)],
            ));
            return;
        }
        self.picker = Some(Picker {
            remove,
            participant,
            candidates,
            cursor: 0,
        });
    }

    /// Assigns (or takes off) the juror chosen in the picker.
    fn pick(&mut self, cx: &mut Cx) {
        let Some(picker) = self.picker.take() else {
            return;
        };
        let (Some(stage), Some(c)) = (
            self.participants.stage.clone(),
            picker.candidates.get(picker.cursor),
        ) else {
            return;
        };
        let (p, j) = (&picker.participant, &c.juror);
        let result = if picker.remove {
            cx.service.unassign(cx.actor, &stage, p, j)
        } else {
            cx.service.assign(cx.actor, &stage, p, j)
        };
        match result {
            Ok(_) => cx.success(cx.tr.f(
                if picker.remove {
                    "jury.unassigned_one"
                } else {
                    "jury.assigned_one"
                },
                &[("juror", j), ("participant", p)],
            )),
            Err(e) => {
                cx.refused(&e);
                // A refusal (a conflict, scores already given) leaves the
                // list open to choose another.
                self.picker = Some(picker);
            }
        }
    }

    /// The participants view's actions; `None` when it has no use for one.
    fn participants_action(&mut self, action: Action, cx: &mut Cx) -> Option<bool> {
        if let Some(mut picker) = self.picker.take() {
            match action {
                Action::Select => {
                    self.picker = Some(picker);
                    self.pick(cx);
                }
                Action::Back => {}
                a => match action::moved(a, picker.cursor, picker.candidates.len()) {
                    Some(i) => {
                        picker.cursor = i;
                        self.picker = Some(picker);
                    }
                    None => return Some(false),
                },
            }
            return Some(true);
        }
        let n = self.participants.shown.len();
        if let Some(i) = action::moved(action, self.participants.cursor, n) {
            self.select_participant(i);
            return Some(true);
        }
        match action {
            Action::Search => {
                self.participants.searching = true;
                self.participants.query.clear();
                self.filter();
            }
            Action::Back if !self.participants.query.is_empty() => {
                self.participants.query.clear();
                self.filter();
            }
            Action::AssignJuror => self.open_picker(false, cx),
            Action::UnassignJuror => self.open_picker(true, cx),
            _ => return None,
        }
        Some(true)
    }

    /// A key while the search is typed: letters narrow the list, Enter
    /// keeps it, Esc drops it; the moving keys still move. A key with Alt
    /// or Ctrl ends the typing (keeping the search) and does what it does.
    fn search_key(&mut self, key: &KeyEvent) -> bool {
        let list = &mut self.participants;
        if key.code == KeyCode::Char('u') && key.modifiers.contains(KeyModifiers::CONTROL) {
            list.query.clear();
            self.filter();
            return true;
        }
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            list.searching = false;
            return false;
        }
        match key.code {
            KeyCode::Esc => {
                list.searching = false;
                list.query.clear();
            }
            KeyCode::Enter => list.searching = false,
            KeyCode::Backspace => {
                list.query.pop();
            }
            KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
                let i = match key.code {
                    KeyCode::Up => list.cursor.saturating_sub(1),
                    KeyCode::Down => list.cursor + 1,
                    KeyCode::PageUp => list.cursor.saturating_sub(10),
                    _ => list.cursor + 10,
                };
                self.select_participant(i);
                return true;
            }
            KeyCode::Char(c) => {
                if list.query.chars().count() < 100 {
                    list.query.push(c);
                }
                // A new query selects its best hit.
                list.selected = None;
                list.cursor = 0;
            }
            _ => return true,
        }
        self.filter();
        true
    }

    fn draw_participants(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let tr = cx.tr;
        let list = &self.participants;
        let missing = list.all.iter().filter(|e| e.submitted < list.need).count();
        let title = match cx.view.current_stage() {
            Some(s) => tr.f(
                "jury.participants_title",
                &[("stage", &s.name), ("n", &missing)],
            ),
            None => tr.t("pane.jury").to_string(),
        };
        let block = Block::default().borders(Borders::ALL).title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = inner.width as usize;
        let mut lines = Vec::new();
        if list.searching || !list.query.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", tr.t("jury.search")), theme::label()),
                Span::raw(list.query.clone()),
                Span::styled(if list.searching { "▏" } else { "" }, theme::cursor()),
                Span::styled(
                    format!(
                        "  {}",
                        tr.f(
                            "status.rows",
                            &[("n", &list.shown.len()), ("total", &list.all.len())]
                        )
                    ),
                    theme::dim(),
                ),
            ]));
        }
        // id, the sheets and the jurors are fixed; the name takes the rest.
        let jurors_w = 16;
        let name_w = width.saturating_sub(6 + 9 + jurors_w + 3).clamp(6, 40);
        let header = format!(
            "{:<6} {:<name_w$} {:<9} {}",
            tr.t("jury.col.id"),
            tr.t("jury.col.name"),
            tr.t("jury.col.sheets"),
            tr.t("jury.col.jurors"),
        );
        lines.push(Line::styled(fit(&header, width), theme::header()));
        let rows = (inner.height as usize).saturating_sub(lines.len());
        let start = list.cursor.saturating_sub(rows.saturating_sub(1));
        for (k, &i) in list.shown.iter().enumerate().skip(start).take(rows) {
            let e = &list.all[i];
            let marks: Vec<String> = e
                .jurors
                .iter()
                .map(|(j, m)| format!("{j}{}", m.symbol()))
                .collect();
            let sheets = tr.f(
                "jury.sheets_of",
                &[("have", &e.submitted), ("need", &list.need)],
            );
            let text = format!(
                "{:<6} {:<name_w$} {:<9} {}",
                fit(e.id.as_str(), 6),
                fit(&e.name, name_w),
                sheets,
                marks.join(" ")
            );
            let style = if k == list.cursor {
                theme::selected()
            } else if e.submitted < list.need {
                theme::warn()
            } else {
                Style::default()
            };
            lines.push(Line::styled(fit(&text, width), style));
        }
        if list.shown.is_empty() {
            lines.push(Line::styled(tr.t("jury.no_participants"), theme::dim()));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }

    /// The selected participant: where they are from and each assigned
    /// juror's sheet in words, with the keys that assign and take off.
    fn draw_entry(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let tr = cx.tr;
        let block = Block::default()
            .borders(Borders::ALL)
            .title(tr.t("jury.participant"));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(e) = self.entry() else { return };
        let mut lines = vec![Line::styled(
            format!("{} · {}", e.id, e.name),
            theme::heading(),
        )];
        if let Some(p) = cx.view.participant(&e.id) {
            lines.push(Line::raw(format!("{}, {}", p.tos_name, p.municipality)));
        }
        lines.push(Line::styled(
            tr.f(
                "jury.sheets_line",
                &[("have", &e.submitted), ("need", &self.participants.need)],
            ),
            theme::label(),
        ));
        if e.jurors.is_empty() {
            lines.push(Line::styled(tr.t("jury.no_jurors"), theme::dim()));
        }
        let stage = self.participants.stage.clone();
        for (j, m) in &e.jurors {
            let name = cx
                .view
                .jurors()
                .find(|x| &x.id == j)
                .map_or(String::new(), |x| x.full_name.clone());
            let mut state = tr.t(m.key()).to_string();
            if *m == Mark::Abstained
                && let Some(why) = stage
                    .as_ref()
                    .and_then(|s| cx.view.sheet(s, &e.id, j))
                    .map(|s| s.comment.trim().to_string())
                    .filter(|w| !w.is_empty())
            {
                state = tr.f("jury.abstained_why", &[("reason", &why)]);
            }
            lines.push(Line::raw(format!("  {} {j} {name} — {state}", m.symbol())));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            tr.f(
                "jury.entry_keys",
                &[
                    ("assign", &cx.key(PaneKind::Jury, Action::AssignJuror)),
                    ("unassign", &cx.key(PaneKind::Jury, Action::UnassignJuror)),
                    ("search", &cx.key(PaneKind::Jury, Action::Search)),
                    ("view", &cx.key(PaneKind::Jury, Action::NextView)),
                ],
            ),
            theme::dim(),
        ));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }

    /// The juror picker over `area`: jurors sorted by load, a conflict
    /// of interest said beside the juror; or the assigned jurors with
    /// their sheets.
    fn draw_picker(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let Some(picker) = &self.picker else { return };
        let tr = cx.tr;
        // The whole width; as high as the jurors need, within the area.
        let height = (picker.candidates.len() as u16 + 4).min(area.height);
        let popup = Rect { height, ..area };
        let name = self
            .participants
            .all
            .iter()
            .find(|e| e.id == picker.participant)
            .map_or(String::new(), |e| e.name.clone());
        let title = tr.f(
            if picker.remove {
                "jury.pick.unassign_title"
            } else {
                "jury.pick.assign_title"
            },
            &[("participant", &picker.participant), ("name", &name)],
        );
        let block = Block::default().borders(Borders::ALL).title(title);
        let inner = block.inner(popup);
        frame.render_widget(Clear, popup);
        frame.render_widget(block, popup);
        let w = inner.width as usize;
        let mut lines = vec![Line::styled(
            fit(
                tr.t(if picker.remove {
                    "jury.pick.unassign_hint"
                } else {
                    "jury.pick.assign_hint"
                }),
                w,
            ),
            theme::dim(),
        )];
        let rows = (inner.height as usize).saturating_sub(2);
        let start = picker.cursor.saturating_sub(rows.saturating_sub(1));
        for (i, c) in picker.candidates.iter().enumerate().skip(start).take(rows) {
            let state = if picker.remove {
                let mark = match c.sheet {
                    None => Mark::NotBegun,
                    Some(SheetStatus::Submitted) => Mark::Submitted,
                    Some(SheetStatus::Abstained) => Mark::Abstained,
                    Some(SheetStatus::Draft) => Mark::Draft,
                };
                tr.t(mark.key()).to_string()
            } else {
                match &c.conflict {
                    Some(why) => format!("✗ {}", crate::text::refusal::conflict_reason(why, tr)),
                    None => String::new(),
                }
            };
            let name_w = w.saturating_sub(6 + 6 + 20).clamp(6, 30);
            let text = format!(
                "{:<5} {:<name_w$} {:>4}  {state}",
                fit(c.juror.as_str(), 5),
                fit(&c.name, name_w),
                c.load,
            );
            let style = if i == picker.cursor {
                theme::selected()
            } else if c.conflict.is_some() && !picker.remove {
                theme::bad()
            } else {
                Style::default()
            };
            lines.push(Line::styled(fit(&text, w), style));
        }
        while lines.len() + 1 < inner.height as usize {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(
            fit(
                &tr.f(
                    if picker.remove {
                        "jury.pick.unassign_keys"
                    } else {
                        "jury.pick.assign_keys"
                    },
                    &[
                        ("select", &cx.key(PaneKind::Jury, Action::Select)),
                        ("back", &cx.key(PaneKind::Jury, Action::Back)),
                    ],
                ),
                w,
            ),
            theme::dim(),
        ));
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

impl Pane for JuryPane {
    fn kind(&self) -> PaneKind {
        PaneKind::Jury
    }

    fn commands(&self) -> Vec<Action> {
        let mut c = vec![
            Action::NextView,
            Action::AssignJuror,
            Action::UnassignJuror,
            Action::Search,
            Action::AutoAssign,
            Action::AddKey,
            Action::RemoveKey,
            Action::ReopenSheet,
        ];
        c.extend_from_slice(action::LIST);
        c
    }

    fn editing(&self) -> bool {
        self.prompt.is_some() || self.participants.searching
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx) -> bool {
        if self.report.is_some() {
            self.report = None;
            return true;
        }
        if self.participants.searching && self.shown == Shown::Participants {
            return self.search_key(key);
        }
        let Some((ask, mut text)) = self.prompt.take() else {
            return false;
        };
        match key.code {
            KeyCode::Esc => {}
            KeyCode::Enter => self.run_prompt(ask, &text, cx),
            KeyCode::Backspace => {
                text.pop();
                self.prompt = Some((ask, text));
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                if text.len() < 16 * 1024 {
                    text.push(c);
                }
                self.prompt = Some((ask, text));
            }
            _ => self.prompt = Some((ask, text)),
        }
        true
    }

    fn on_paste(&mut self, text: &str, _cx: &mut Cx) -> bool {
        match &mut self.prompt {
            Some((_, t)) => {
                t.push_str(text.trim());
                true
            }
            None if self.participants.searching => {
                self.participants
                    .query
                    .push_str(text.lines().next().unwrap_or("").trim());
                self.filter();
                true
            }
            None => false,
        }
    }

    fn show_participant(&mut self, participant: &ParticipantId, cx: &mut Cx) -> bool {
        self.shown = Shown::Participants;
        self.picker = None;
        self.participants.searching = false;
        self.participants.query.clear();
        self.load_participants(cx);
        let list = &self.participants;
        let Some(at) = list
            .shown
            .iter()
            .position(|&i| &list.all[i].id == participant)
        else {
            return false;
        };
        self.select_participant(at);
        if cx.actor.role == Role::Coordinator {
            cx.info(cx.tr.f(
                "jury.shown",
                &[
                    ("participant", participant),
                    ("assign", &cx.key(PaneKind::Jury, Action::AssignJuror)),
                ],
            ));
        }
        true
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        let coordinator = cx.actor.role == Role::Coordinator;
        // The participants' jurors are for the coordinators (and observers
        // to read); a juror's Jury pane is their own line.
        let juror = cx.actor.role == Role::Juror;
        if (matches!(action, Action::AssignJuror | Action::UnassignJuror) && !coordinator)
            || (juror && matches!(action, Action::NextView | Action::Search))
        {
            cx.error(cx.tr.t("jury.coordinator_only"));
            return true;
        }
        if action == Action::NextView {
            self.picker = None;
            self.shown = match self.shown {
                Shown::Jurors => Shown::Participants,
                Shown::Participants => Shown::Jurors,
            };
            return true;
        }
        if self.shown == Shown::Jurors
            && matches!(
                action,
                Action::AssignJuror | Action::UnassignJuror | Action::Search
            )
        {
            // Assigning starts from a participant: the participants view.
            self.shown = Shown::Participants;
            if action == Action::Search {
                return self.on_action(action, cx);
            }
            cx.info(cx.tr.f(
                "jury.pick_participant",
                &[("key", &cx.key(PaneKind::Jury, action))],
            ));
            return true;
        }
        if self.shown == Shown::Participants
            && let Some(used) = self.participants_action(action, cx)
        {
            return used;
        }
        match action {
            Action::Up => self.select(self.cursor.saturating_sub(1)),
            Action::Down => self.select(self.cursor + 1),
            Action::PageUp | Action::HalfPageUp => self.select(self.cursor.saturating_sub(10)),
            Action::PageDown | Action::HalfPageDown => self.select(self.cursor + 10),
            Action::First => self.select(0),
            Action::Last => self.select(self.rows.len().saturating_sub(1)),
            Action::AutoAssign | Action::AddKey | Action::RemoveKey | Action::ReopenSheet
                if !coordinator =>
            {
                cx.error(cx.tr.t("jury.coordinator_only"));
            }
            Action::AutoAssign => {
                let Some((stage, name)) = cx
                    .view
                    .current_stage()
                    .map(|s| (s.id.clone(), s.name.clone()))
                else {
                    return true;
                };
                match cx.service.assign_auto(cx.actor, &stage, None) {
                    Ok(plan) => {
                        cx.success(cx.tr.t("jury.assigned"));
                        self.report = Some((plan, name));
                    }
                    Err(e) => cx.refused(&e),
                }
            }
            Action::AddKey => self.prompt = Some((Ask::AddKey, String::new())),
            Action::RemoveKey => self.prompt = Some((Ask::RemoveKey, String::new())),
            Action::ReopenSheet => self.prompt = Some((Ask::Reopen, String::new())),
            _ => return false,
        }
        true
    }

    fn refresh(&mut self, cx: &Cx) {
        self.load_participants(cx);
        if let Some(picker) = &mut self.picker {
            // The picker shows the jurors as they are now.
            let remove = picker.remove;
            let fresh: Vec<Candidate> = match &self.participants.stage {
                Some(stage) => cx
                    .view
                    .candidates(stage, &picker.participant)
                    .into_iter()
                    .filter(|c| c.assigned == remove)
                    .collect(),
                None => Vec::new(),
            };
            picker.cursor = picker.cursor.min(fresh.len().saturating_sub(1));
            picker.candidates = fresh;
            if picker.candidates.is_empty() {
                self.picker = None;
            }
        }
        let stage = cx.view.current_stage().map(|s| s.id.clone());
        let progress = stage
            .as_ref()
            .map(|s| cx.view.progress(s))
            .unwrap_or_default();
        self.rows = cx
            .view
            .jurors()
            .map(|j| Row {
                id: j.id.clone(),
                name: j.full_name.clone(),
                role: j.role,
                keys: j.keys.len(),
                progress: progress.get(&j.id).copied().unwrap_or_default(),
            })
            .collect();
        let keep = self
            .selected
            .as_ref()
            .and_then(|s| self.rows.iter().position(|r| &r.id == s));
        self.select(keep.unwrap_or(self.cursor));
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let [list, detail] = if area.width >= 90 {
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area)
        } else {
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
        };
        match self.shown {
            Shown::Jurors => {
                self.draw_list(frame, list, cx);
                self.draw_detail(frame, detail, cx);
            }
            Shown::Participants => {
                self.draw_participants(frame, list, cx);
                self.draw_entry(frame, detail, cx);
                // Over the list: the participant's jurors stay in view.
                self.draw_picker(frame, list, cx);
            }
        }
        if let Some((ask, text)) = &self.prompt {
            let title = match ask {
                Ask::AddKey => cx.tr.t("jury.ask.add_key"),
                Ask::RemoveKey => cx.tr.t("jury.ask.remove_key"),
                Ask::Reopen => cx.tr.t("jury.ask.reopen"),
            };
            let popup = crate::tui::widgets::popup(area, 76, 5);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(format!("{text}▏"))
                    .wrap(Wrap { trim: false })
                    .block(Block::default().borders(Borders::ALL).title(title)),
                popup,
            );
        }
        if let Some((plan, stage)) = &self.report {
            let lines: Vec<Line> = crate::text::refusal::plan(plan, stage, cx.tr)
                .into_iter()
                .map(Line::raw)
                .collect();
            let popup =
                crate::tui::widgets::popup(area, 80, (lines.len() as u16 + 2).min(area.height));
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(cx.tr.t("jury.report")),
                ),
                popup,
            );
        }
    }
}
