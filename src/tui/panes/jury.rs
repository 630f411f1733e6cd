//! The Jury pane: jurors with their progress per stage, their SSH keys
//! (shown as `ssh-keygen -l` shows them), declared conflicts and role; the
//! coordinator assigns automatically, registers keys and reopens sheets.

use crate::domain::ids::{JurorId, ParticipantId};
use crate::domain::people::Role;
use crate::domain::scoring::ConflictOrigin;
use crate::service::Progress;
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

pub struct JuryPane {
    rows: Vec<Row>,
    cursor: usize,
    selected: Option<JurorId>,
    prompt: Option<(Ask, String)>,
    /// The last automatic assignment's report, shown until a key is pressed.
    report: Option<(crate::domain::assignment::AssignmentPlan, String)>,
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

impl Pane for JuryPane {
    fn kind(&self) -> PaneKind {
        PaneKind::Jury
    }

    fn commands(&self) -> Vec<Action> {
        let mut c = vec![
            Action::AutoAssign,
            Action::AddKey,
            Action::RemoveKey,
            Action::ReopenSheet,
        ];
        c.extend_from_slice(action::LIST);
        c
    }

    fn editing(&self) -> bool {
        self.prompt.is_some()
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx) -> bool {
        if self.report.is_some() {
            self.report = None;
            return true;
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
            None => false,
        }
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        let coordinator = cx.actor.role == Role::Coordinator;
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
        if area.width >= 90 {
            let [list, detail] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(area);
            self.draw_list(frame, list, cx);
            self.draw_detail(frame, detail, cx);
        } else {
            let [list, detail] =
                Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(area);
            self.draw_list(frame, list, cx);
            self.draw_detail(frame, detail, cx);
        }
        if let Some((ask, text)) = &self.prompt {
            let title = match ask {
                Ask::AddKey => cx.tr.t("jury.ask.add_key"),
                Ask::RemoveKey => cx.tr.t("jury.ask.remove_key"),
                Ask::Reopen => cx.tr.t("jury.ask.reopen"),
            };
            let popup = crate::tui::app::popup(area, 76, 5);
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
            let popup = crate::tui::app::popup(area, 80, (lines.len() as u16 + 2).min(area.height));
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
