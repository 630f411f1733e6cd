//! The Scoring pane: a juror's queue for the current stage and the score
//! form. Type a score with the number keys (`7`, `1` `0`, `7` `.` `5`) and
//! Enter; `+`/`-` step; every change is saved through the service at once
//! and is durable when the status bar says "saved".
//!
//! A saved score changes only on purpose: digits fill an empty criterion,
//! but on one that holds a score they are refused until Enter or `e` opens
//! it for a change («7 → _»). The queue keeps its order until the juror
//! re-sorts it; `n`/`p` go to the sheets with work left. The justification
//! is written in a framed editor; a comment left unsaved by a dropped
//! session comes back as a pending draft, never as live typing.

use crate::domain::ids::{CriterionId, ParticipantId, StageId};
use crate::domain::people::Role;
use crate::domain::regulation::Stage;
use crate::domain::scoring::{ScoreSheet, SheetStatus};
use crate::service::HistoryItem;
use crate::tui::action::{self, Action};
use crate::tui::editor::{Edit, TextEditor};
use crate::tui::pane::{Cx, Pane, PaneKind};
use crate::tui::theme;
use crate::tui::widgets::fit;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph, Wrap};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Focus {
    Queue,
    Form,
}

/// A question the pane is asking.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Prompt {
    ConfirmSubmit,
    Conflict(String),
    Abstain(String),
}

/// One participant in the juror's queue.
struct Item {
    id: ParticipantId,
    name: String,
    tos: String,
    municipality: String,
    status: QueueStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum QueueStatus {
    Unscored,
    Draft,
    Submitted,
    Abstained,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Saved {
    participant: Option<ParticipantId>,
    criterion: usize,
    focus: Focus,
    /// The comment being written when the session ended, not yet saved.
    comment: Option<String>,
}

pub struct ScoringPane {
    stage: Option<StageId>,
    queue: Vec<Item>,
    cursor: usize,
    selected: Option<ParticipantId>,
    criterion: usize,
    focus: Focus,
    /// Digits typed for the selected criterion, not yet saved.
    buffer: String,
    /// The last key saved a score that could take no more digits and moved
    /// on by itself: an Enter right after it (typed from habit) is absorbed
    /// instead of skipping a criterion.
    moved_on: bool,
    editor: Option<TextEditor>,
    prompt: Option<Prompt>,
    history: Option<Vec<HistoryItem>>,
    /// The saved score of the selected criterion the juror chose to change
    /// (Enter or `e`): typed digits replace it.
    amend: Option<f64>,
    /// A comment left unsaved when a session ended, for the participant it
    /// was written for: shown as a pending draft until `c` opens it again.
    draft: Option<(ParticipantId, String)>,
}

impl Default for ScoringPane {
    fn default() -> Self {
        Self::new()
    }
}

impl ScoringPane {
    pub fn new() -> Self {
        ScoringPane {
            stage: None,
            queue: Vec::new(),
            cursor: 0,
            selected: None,
            criterion: 0,
            focus: Focus::Queue,
            buffer: String::new(),
            moved_on: false,
            editor: None,
            prompt: None,
            history: None,
            amend: None,
            draft: None,
        }
    }

    fn stage<'a>(&self, cx: &'a Cx) -> Option<&'a Stage> {
        let id = self.stage.as_ref()?;
        cx.view.regulation()?.rules.stage(id)
    }

    fn sheet<'a>(&self, cx: &'a Cx) -> Option<&'a ScoreSheet> {
        cx.view
            .sheet(self.stage.as_ref()?, self.selected.as_ref()?, &cx.actor.id)
    }

    fn select(&mut self, cursor: usize) {
        if self.queue.is_empty() {
            self.cursor = 0;
            self.selected = None;
            return;
        }
        let cursor = cursor.min(self.queue.len() - 1);
        if self.selected.as_ref() != Some(&self.queue[cursor].id) {
            self.buffer.clear();
            self.amend = None;
            self.criterion = 0;
        }
        self.cursor = cursor;
        self.selected = Some(self.queue[cursor].id.clone());
    }

    /// Saves the typed score of the selected criterion, if any.
    fn commit_buffer(&mut self, cx: &mut Cx) -> bool {
        if self.buffer.is_empty() {
            self.amend = None;
            return true;
        }
        self.amend = None;
        let text = std::mem::take(&mut self.buffer);
        match crate::interchange::text::parse_decimal(&text) {
            Ok(v) => self.save(Some(v), cx),
            Err(e) => {
                cx.error(e.words(cx.tr));
                false
            }
        }
    }

    fn save(&mut self, value: Option<f64>, cx: &mut Cx) -> bool {
        let (Some(stage), Some(p)) = (self.stage.clone(), self.selected.clone()) else {
            return false;
        };
        let Some(crit) = self.criterion_id(cx) else {
            return false;
        };
        let before = self.current(cx);
        let name = self
            .stage(cx)
            .and_then(|s| s.criterion(&crit))
            .map(|c| c.name.clone())
            .unwrap_or_default();
        match cx.service.set_score(cx.actor, &stage, &p, &crit, value) {
            Ok(_) => {
                let shown = |v: Option<f64>| v.map_or("—".to_string(), |x| cx.tr.num(x));
                let text = cx.tr.f(
                    "scoring.changed",
                    &[
                        ("criterion", &name),
                        ("before", &shown(before)),
                        ("after", &shown(value)),
                        ("undo", &cx.key(PaneKind::Scoring, Action::Undo)),
                    ],
                );
                cx.success(text);
                true
            }
            Err(e) => {
                cx.refused(&e);
                false
            }
        }
    }

    fn criterion_id(&self, cx: &Cx) -> Option<CriterionId> {
        self.stage(cx)?
            .jury_criteria()
            .nth(self.criterion)
            .map(|c| c.id.clone())
    }

    /// The saved score of the selected criterion.
    fn current(&self, cx: &Cx) -> Option<f64> {
        let c = self.criterion_id(cx)?;
        self.sheet(cx)?.scores.get(&c).copied()
    }

    /// Why the selected sheet takes no more scores, if it is closed.
    fn closed(&self, cx: &Cx) -> Option<crate::service::ServiceError> {
        let p = self.selected.clone()?;
        match self.sheet(cx)?.status {
            SheetStatus::Draft => None,
            SheetStatus::Submitted => {
                Some(crate::domain::refusal::Refusal::SheetSubmitted { participant: p }.into())
            }
            SheetStatus::Abstained => {
                Some(crate::domain::refusal::Refusal::SheetAbstained { participant: p }.into())
            }
        }
    }

    /// Enter or `e` on a criterion: a saved score opens for a change.
    fn start_amend(&mut self, cx: &mut Cx) -> bool {
        if let Some(e) = self.closed(cx) {
            cx.refused(&e);
            return true;
        }
        match self.current(cx) {
            Some(v) if self.amend.is_none() && self.buffer.is_empty() => {
                self.focus = Focus::Form;
                self.amend = Some(v);
                cx.info(cx.tr.f("scoring.amend_hint", &[("value", &cx.tr.num(v))]));
                true
            }
            _ => false,
        }
    }

    fn criteria_count(&self, cx: &Cx) -> usize {
        self.stage(cx).map_or(0, |s| s.jury_criteria().count())
    }

    fn step(&mut self, up: bool, cx: &mut Cx) {
        self.buffer.clear();
        let Some(stage) = self.stage(cx) else { return };
        let Some(c) = stage.jury_criteria().nth(self.criterion) else {
            return;
        };
        let step = if stage.half_points { 0.5 } else { 1.0 };
        let max = c.max_points;
        let current = self.sheet(cx).and_then(|s| s.scores.get(&c.id).copied());
        let next = match (current, up) {
            (None, true) => 0.0,
            (None, false) => max,
            (Some(v), true) => (v + step).min(max),
            (Some(v), false) => (v - step).max(0.0),
        };
        self.save(Some(next), cx);
    }

    fn typed(&mut self, c: char, cx: &mut Cx) {
        if self.selected.is_none() {
            return;
        }
        self.focus = Focus::Form;
        if let Some(e) = self.closed(cx) {
            self.buffer.clear();
            cx.refused(&e);
            return;
        }
        if self.buffer.is_empty()
            && self.amend.is_none()
            && let Some(v) = self.current(cx)
        {
            let name = self
                .stage(cx)
                .and_then(|s| s.jury_criteria().nth(self.criterion))
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let text = cx.tr.f(
                "scoring.already_scored",
                &[
                    ("criterion", &name),
                    ("value", &cx.tr.num(v)),
                    ("key", &cx.key(PaneKind::Scoring, Action::EditScore)),
                ],
            );
            cx.error(text);
            return;
        }
        if self.buffer.len() >= 5 {
            return;
        }
        if c == '.' && self.buffer.contains('.') {
            return;
        }
        self.buffer.push(c);
        // A score that no further key can extend is saved at once: with a
        // maximum of 10, "2" waits for nothing (20 is too much), "1" waits.
        if let Some(stage) = self.stage(cx) {
            let max = stage
                .jury_criteria()
                .nth(self.criterion)
                .map_or(0.0, |c| c.max_points);
            let extendable = can_extend(&self.buffer, max, stage.half_points);
            if !extendable && self.commit_buffer(cx) {
                self.move_criterion(1, cx);
                self.moved_on = true;
            }
        }
    }

    fn move_criterion(&mut self, delta: isize, cx: &mut Cx) {
        let n = self.criteria_count(cx);
        if n == 0 {
            return;
        }
        self.criterion = (self.criterion as isize + delta).clamp(0, n as isize - 1) as usize;
        self.amend = None;
    }

    /// The pending draft of the selected participant, if one was left.
    fn pending_draft(&self) -> Option<&str> {
        match &self.draft {
            Some((p, text)) if Some(p) == self.selected.as_ref() => Some(text),
            _ => None,
        }
    }

    /// Opens the editor on the pending draft, or on the saved comment.
    fn open_editor(&mut self, cx: &mut Cx) {
        if let Some(e) = self.closed(cx) {
            cx.refused(&e);
            return;
        }
        let text = match self.pending_draft() {
            Some(d) => d.to_string(),
            None => self
                .sheet(cx)
                .map(|s| s.comment.clone())
                .unwrap_or_default(),
        };
        self.draft = None;
        self.editor = Some(TextEditor::new(&text));
        cx.info(cx.tr.t("scoring.mode.comment"));
        self.focus = Focus::Form;
    }

    fn save_comment(&mut self, cx: &mut Cx) {
        let (Some(stage), Some(p), Some(ed)) =
            (self.stage.clone(), self.selected.clone(), &self.editor)
        else {
            return;
        };
        match cx.service.set_comment(cx.actor, &stage, &p, &ed.text()) {
            Ok(_) => {
                cx.success(cx.tr.t("scoring.comment_saved"));
                self.editor = None;
            }
            Err(e) => cx.refused(&e),
        }
    }

    fn answer_prompt(&mut self, key: &KeyEvent, cx: &mut Cx) -> bool {
        let Some(prompt) = self.prompt.clone() else {
            return false;
        };
        let (Some(stage), Some(p)) = (self.stage.clone(), self.selected.clone()) else {
            self.prompt = None;
            return true;
        };
        match prompt {
            Prompt::ConfirmSubmit => {
                self.prompt = None;
                if matches!(
                    key.code,
                    KeyCode::Char('y' | 'Y' | 'д' | 'Д') | KeyCode::Enter
                ) {
                    match cx.service.submit(cx.actor, &stage, &p) {
                        Ok(_) => {
                            cx.success(cx.tr.f("scoring.submitted", &[("participant", &p)]));
                            self.advance_to_unscored();
                        }
                        Err(e) => cx.refused(&e),
                    }
                } else {
                    cx.info(cx.tr.t("scoring.not_submitted"));
                }
            }
            Prompt::Conflict(mut text) | Prompt::Abstain(mut text) => {
                let conflict = matches!(self.prompt, Some(Prompt::Conflict(_)));
                match key.code {
                    KeyCode::Esc => self.prompt = None,
                    // The reason is required: the prompt stays open for it.
                    KeyCode::Enter if text.trim().is_empty() => {
                        cx.error(cx.tr.t("scoring.reason_needed"));
                    }
                    KeyCode::Enter => {
                        self.prompt = None;
                        let result = if conflict {
                            cx.service.declare_conflict(cx.actor, &stage, &p, &text)
                        } else {
                            cx.service.abstain(cx.actor, &stage, &p, &text)
                        };
                        match result {
                            Ok(()) => cx.success(if conflict {
                                cx.tr.t("scoring.conflict_declared")
                            } else {
                                cx.tr.t("scoring.abstained")
                            }),
                            Err(e) => cx.refused(&e),
                        }
                        return true;
                    }
                    KeyCode::Backspace => {
                        text.pop();
                    }
                    KeyCode::Char(c)
                        if !key.modifiers.contains(KeyModifiers::CONTROL)
                            && text.chars().count() < 500 =>
                    {
                        text.push(c);
                    }
                    _ => {}
                }
                if self.prompt.is_some() {
                    self.prompt = Some(if conflict {
                        Prompt::Conflict(text)
                    } else {
                        Prompt::Abstain(text)
                    });
                }
            }
        }
        true
    }

    /// After a submit, moves to the next participant still to score.
    fn advance_to_unscored(&mut self) {
        if let Some(i) = self.with_work(true) {
            self.select(i);
        }
        self.focus = Focus::Queue;
    }

    /// The next (or previous) sheet in the queue's order with work left,
    /// neither submitted nor abstained; the search wraps around.
    fn with_work(&self, forward: bool) -> Option<usize> {
        let n = self.queue.len();
        (1..n)
            .map(|k| {
                if forward {
                    (self.cursor + k) % n
                } else {
                    (self.cursor + n - k) % n
                }
            })
            .find(|&i| self.queue[i].status < QueueStatus::Submitted)
    }

    /// `n`/`p`: the next or previous sheet with work left.
    fn go_to_work(&mut self, forward: bool, cx: &mut Cx) {
        self.commit_buffer(cx);
        match self.with_work(forward) {
            Some(i) => self.select(i),
            None => cx.info(cx.tr.t("scoring.no_work_left")),
        }
    }

    /// Orders the queue: work left first (unscored, then drafts), then
    /// what is done; by id within. Done on the first load and when the
    /// juror asks; a save never moves anyone.
    fn sort_queue(&mut self) {
        self.queue
            .sort_by(|a, b| a.status.cmp(&b.status).then_with(|| a.id.cmp(&b.id)));
        if let Some(i) = self
            .selected
            .as_ref()
            .and_then(|s| self.queue.iter().position(|it| &it.id == s))
        {
            self.cursor = i;
        }
    }

    fn draw_queue(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        // The same count the coordinator sees in the Jury pane.
        let done = self
            .stage
            .as_ref()
            .and_then(|st| cx.view.progress(st).get(&cx.actor.id).copied())
            .unwrap_or_default()
            .done();
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if self.focus == Focus::Queue {
                theme::heading()
            } else {
                Style::default()
            })
            .title(cx.tr.f(
                "scoring.queue",
                &[("done", &done), ("total", &self.queue.len())],
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height == 0 {
            return;
        }
        let ratio = if self.queue.is_empty() {
            0.0
        } else {
            done as f64 / self.queue.len() as f64
        };
        frame.render_widget(
            Gauge::default()
                .ratio(ratio)
                .label(format!("{done}/{}", self.queue.len()))
                .gauge_style(theme::good()),
            Rect { height: 1, ..inner },
        );
        let rows = inner.height.saturating_sub(1) as usize;
        let start = self.cursor.saturating_sub(rows.saturating_sub(1));
        for (line, (i, item)) in self
            .queue
            .iter()
            .enumerate()
            .skip(start)
            .take(rows)
            .enumerate()
        {
            let (mark, style) = match item.status {
                QueueStatus::Unscored => ("○", theme::warn()),
                QueueStatus::Draft => ("◐", theme::warn()),
                QueueStatus::Submitted => ("●", theme::good()),
                QueueStatus::Abstained => ("⊘", theme::dim()),
            };
            let selected = i == self.cursor;
            let base = if selected {
                theme::selected()
            } else {
                Style::default()
            };
            let width = inner.width as usize;
            let text = fit(
                &format!("{} {}", item.id, item.name),
                width.saturating_sub(2),
            );
            frame.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::styled(format!("{mark} "), if selected { base } else { style }),
                    Span::styled(text, base),
                ]))
                .style(base),
                Rect {
                    y: inner.y + 1 + line as u16,
                    height: 1,
                    ..inner
                },
            );
        }
    }

    fn draw_form(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let tr = cx.tr;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if self.focus == Focus::Form {
                theme::heading()
            } else {
                Style::default()
            })
            .title(tr.t("scoring.form"));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let (Some(stage), Some(item)) = (self.stage(cx), self.queue.get(self.cursor)) else {
            frame.render_widget(
                Paragraph::new(Line::styled(tr.t("scoring.choose"), theme::dim())),
                inner,
            );
            return;
        };
        let sheet = self.sheet(cx);
        let status = sheet.map_or(SheetStatus::Draft, |s| s.status);
        let width = inner.width as usize;
        let mut lines = vec![
            Line::styled(
                fit(&format!("{} · {}", item.name, item.id), width),
                theme::heading(),
            ),
            Line::styled(
                fit(&format!("{}, {}", item.tos, item.municipality), width),
                theme::label(),
            ),
        ];
        let status_line = match status {
            SheetStatus::Draft => tr.t("scoring.status.draft"),
            SheetStatus::Submitted => tr.t("scoring.status.submitted"),
            SheetStatus::Abstained => tr.t("scoring.status.abstained"),
        };
        lines.push(Line::styled(
            status_line,
            if status == SheetStatus::Submitted {
                theme::good()
            } else {
                theme::warn()
            },
        ));
        lines.extend(self.criterion_lines(stage, sheet, width, cx));
        if let Some(c) = stage.jury_criteria().nth(self.criterion)
            && !c.description.is_empty()
        {
            lines.push(Line::styled(c.description.clone(), theme::dim()));
        }
        let comment = sheet.map(|s| s.comment.clone()).unwrap_or_default();
        let needed = sheet.and_then(|s| crate::service::comment_needed(stage, s));
        lines.push(Line::styled(
            if needed.is_some() {
                tr.t("scoring.comment_required")
            } else {
                tr.t("scoring.comment")
            },
            if needed.is_some() {
                theme::bad()
            } else {
                theme::label()
            },
        ));
        if let Some(draft) = self.pending_draft() {
            lines.push(Line::styled(
                tr.f(
                    "scoring.pending_draft",
                    &[("key", &cx.key(PaneKind::Scoring, Action::EditComment))],
                ),
                theme::warn(),
            ));
            lines.push(Line::raw(draft.to_string()));
        }
        // Wrapped lines take more than one row: the comment goes below all.
        let text_h = lines
            .iter()
            .map(|l| wrapped_height(&l.to_string(), width).max(1))
            .sum::<usize>() as u16;
        let [top, bottom] =
            Layout::vertical([Constraint::Length(text_h), Constraint::Min(0)]).areas(inner);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), top);
        match &self.editor {
            Some(ed) => draw_editor(frame, ed, bottom, inner, &item.id, tr),
            None => {
                let shown = if comment.is_empty() {
                    Line::styled(
                        tr.f(
                            "scoring.comment_hint",
                            &[("key", &cx.key(PaneKind::Scoring, Action::EditComment))],
                        ),
                        theme::dim(),
                    )
                } else {
                    Line::raw(comment)
                };
                frame.render_widget(Paragraph::new(shown).wrap(Wrap { trim: false }), bottom);
            }
        }
    }

    /// One line per criterion of the jury, with the value typed or being
    /// typed, then the weighted total.
    fn criterion_lines(
        &self,
        stage: &Stage,
        sheet: Option<&ScoreSheet>,
        width: usize,
        cx: &Cx,
    ) -> Vec<Line<'static>> {
        let tr = cx.tr;
        let mut out = Vec::new();
        let name_w = width.saturating_sub(18).clamp(8, 44);
        let mut total = 0.0;
        let mut max_total = 0.0;
        for (i, c) in stage.jury_criteria().enumerate() {
            let value = sheet.and_then(|s| s.scores.get(&c.id).copied());
            total += value.unwrap_or(0.0) * c.weight;
            max_total += c.max_points * c.weight;
            let selected = i == self.criterion && self.focus == Focus::Form;
            let shown = if selected && let Some(old) = self.amend {
                format!("{} → {}_", cx.tr.num(old), self.buffer)
            } else if selected && !self.buffer.is_empty() {
                format!("{}▏", self.buffer)
            } else {
                value.map_or("·".into(), |x| cx.tr.num(x))
            };
            let base = if selected {
                theme::selected()
            } else {
                Style::default()
            };
            out.push(Line::from(vec![
                Span::styled(if selected { "▸ " } else { "  " }, base),
                Span::styled(format!("{:<name_w$}", fit(&c.name, name_w)), base),
                Span::styled(
                    format!("{shown:>8}"),
                    if value.is_none() && !selected {
                        theme::dim()
                    } else {
                        base
                    },
                ),
                Span::styled(format!(" / {:<4}", tr.num(c.max_points)), theme::label()),
            ]));
        }
        out.push(Line::from(vec![
            Span::styled(tr.t("scoring.total"), theme::label()),
            Span::raw(format!(" {} / {}", tr.num(total), tr.num(max_total))),
            Span::styled(
                if stage.half_points {
                    format!("  {}", tr.t("scoring.half_points"))
                } else {
                    String::new()
                },
                theme::dim(),
            ),
        ]));
        out
    }

    fn draw_prompt(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let Some(prompt) = &self.prompt else { return };
        let (title, text) = match prompt {
            Prompt::ConfirmSubmit => (
                cx.tr.t("scoring.confirm_submit"),
                cx.tr.t("scoring.confirm_submit_hint").to_string(),
            ),
            Prompt::Conflict(t) => (cx.tr.t("scoring.conflict_reason"), format!("{t}▏")),
            Prompt::Abstain(t) => (cx.tr.t("scoring.abstain_reason"), format!("{t}▏")),
        };
        let popup = crate::tui::widgets::popup(area, 64, 5);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(Block::default().borders(Borders::ALL).title(title)),
            popup,
        );
    }

    fn draw_history(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let Some(items) = &self.history else { return };
        let zone = cx.view.zone();
        let mut lines: Vec<Line> = items
            .iter()
            .map(|h| {
                let what = h
                    .criterion
                    .as_ref()
                    .and_then(|c| self.stage(cx)?.criterion(c).map(|c| c.name.clone()))
                    .unwrap_or_else(|| cx.tr.t("scoring.comment_or_status").to_string());
                Line::raw(format!(
                    "#{} {}  {}: {} → {}",
                    h.seq,
                    crate::text::time::show_seconds(h.at, &zone),
                    what,
                    sheet_word(&h.before, cx),
                    sheet_word(&h.after, cx)
                ))
            })
            .collect();
        if lines.is_empty() {
            lines.push(Line::styled(cx.tr.t("scoring.no_history"), theme::dim()));
        }
        let popup = crate::tui::widgets::popup(area, 76, (lines.len() as u16 + 2).min(area.height));
        let skip = lines
            .len()
            .saturating_sub(popup.height.saturating_sub(2) as usize);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines.split_off(skip)).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(cx.tr.t("scoring.history")),
            ),
            popup,
        );
    }
}

/// How many rows `text` takes when wrapped at word boundaries to `width`.
fn wrapped_height(text: &str, width: usize) -> usize {
    use unicode_width::UnicodeWidthStr;
    if width == 0 {
        return 1;
    }
    let mut rows = 1;
    let mut used = 0;
    for word in text.split(' ') {
        let w = word.width();
        if used > 0 && used + 1 + w > width {
            rows += 1;
            used = 0;
        } else if used > 0 {
            used += 1;
        }
        used += w;
        while used > width {
            rows += 1;
            used -= width;
        }
    }
    rows
}

/// A list of keys ("Enter — save · Esc — cancel") in rows of `width`,
/// breaking only between items, so a key stays beside what it does.
fn packed(items: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut rows: Vec<String> = Vec::new();
    for item in items.split(" · ") {
        match rows.last_mut() {
            Some(row) if row.width() + 3 + item.width() <= width => {
                row.push_str(" · ");
                row.push_str(item);
            }
            _ => rows.push(item.to_string()),
        }
    }
    rows
}

/// Whether typing more could still give a valid score (`1` → `10` with a
/// maximum of 10; `7` → `7.5` with half points).
fn can_extend(buffer: &str, max: f64, half_points: bool) -> bool {
    let Ok(v) = buffer.parse::<f64>() else {
        return true;
    };
    if buffer.ends_with('.') {
        return true;
    }
    if buffer.contains('.') {
        return false;
    }
    (half_points && v + 0.5 <= max) || v * 10.0 <= max
}

impl Pane for ScoringPane {
    fn kind(&self) -> PaneKind {
        PaneKind::Scoring
    }

    fn commands(&self) -> Vec<Action> {
        let mut c = vec![
            Action::Digit0,
            Action::Digit1,
            Action::Digit2,
            Action::Digit3,
            Action::Digit4,
            Action::Digit5,
            Action::Digit6,
            Action::Digit7,
            Action::Digit8,
            Action::Digit9,
            Action::DecimalPoint,
            Action::Increase,
            Action::Decrease,
            Action::ClearScore,
            Action::EditScore,
            Action::EditComment,
            Action::Submit,
            Action::Undo,
            Action::History,
            Action::DeclareConflict,
            Action::Abstain,
            Action::NextParticipant,
            Action::PrevParticipant,
            Action::SortNext,
            Action::Left,
            Action::Right,
        ];
        c.extend_from_slice(action::LIST);
        c
    }

    fn editing(&self) -> bool {
        self.editor.is_some()
            || matches!(self.prompt, Some(Prompt::Conflict(_) | Prompt::Abstain(_)))
    }

    fn mode(&self, tr: &crate::text::I18n) -> Option<String> {
        if self.editor.is_some() {
            Some(tr.t("scoring.mode.comment").to_string())
        } else if matches!(self.prompt, Some(Prompt::Conflict(_) | Prompt::Abstain(_))) {
            Some(tr.t("scoring.mode.reason").to_string())
        } else if self.amend.is_some() {
            Some(tr.t("scoring.mode.amend").to_string())
        } else {
            None
        }
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx) -> bool {
        if self.history.is_some() {
            self.history = None;
            return true;
        }
        if self.prompt.is_some() {
            return self.answer_prompt(key, cx);
        }
        if let Some(ed) = &mut self.editor {
            match ed.handle(key) {
                Edit::Changed => {}
                Edit::Save => self.save_comment(cx),
                Edit::Cancel => {
                    self.editor = None;
                    cx.info(cx.tr.t("scoring.comment_cancelled"));
                }
                Edit::Ignored => return false,
            }
            return true;
        }
        // Enter saves a typed score and moves to the next criterion.
        if key.code == KeyCode::Enter && !self.buffer.is_empty() {
            if self.commit_buffer(cx) {
                self.move_criterion(1, cx);
            }
            return true;
        }
        if key.code == KeyCode::Esc && (!self.buffer.is_empty() || self.amend.is_some()) {
            self.buffer.clear();
            self.amend = None;
            cx.info(cx.tr.t("scoring.amend_cancelled"));
            return true;
        }
        false
    }

    fn on_paste(&mut self, text: &str, _cx: &mut Cx) -> bool {
        match &mut self.editor {
            Some(ed) => {
                ed.insert_str(text);
                true
            }
            None => false,
        }
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        if cx.actor.role != Role::Juror {
            return false;
        }
        let moved_on = std::mem::take(&mut self.moved_on);
        if let Some(d) = action.digit() {
            self.typed(d, cx);
            return true;
        }
        match action {
            Action::Select if moved_on && self.focus == Focus::Form && self.buffer.is_empty() => {}
            Action::Select | Action::EditScore
                if self.focus == Focus::Form && self.start_amend(cx) => {}
            Action::EditScore if self.selected.is_some() => {
                self.focus = Focus::Form;
                if !self.start_amend(cx) {
                    cx.info(cx.tr.t("scoring.type_score"));
                }
            }
            Action::SortNext => {
                self.sort_queue();
                cx.info(cx.tr.t("scoring.sorted"));
            }
            Action::DecimalPoint => self.typed('.', cx),
            Action::Up if self.focus == Focus::Form => {
                self.commit_buffer(cx);
                self.move_criterion(-1, cx);
            }
            Action::Down if self.focus == Focus::Form => {
                self.commit_buffer(cx);
                self.move_criterion(1, cx);
            }
            Action::Up => self.select(self.cursor.saturating_sub(1)),
            Action::Down => self.select(self.cursor + 1),
            Action::PageUp | Action::HalfPageUp => self.select(self.cursor.saturating_sub(10)),
            Action::PageDown | Action::HalfPageDown => self.select(self.cursor + 10),
            Action::First if self.focus == Focus::Form => self.criterion = 0,
            Action::Last if self.focus == Focus::Form => {
                self.criterion = self.criteria_count(cx).saturating_sub(1)
            }
            Action::First => self.select(0),
            Action::Last => self.select(self.queue.len().saturating_sub(1)),
            Action::Select | Action::Right if self.focus == Focus::Queue => {
                if self.selected.is_some() {
                    self.focus = Focus::Form
                }
            }
            Action::Select => {
                if self.commit_buffer(cx) {
                    self.move_criterion(1, cx);
                }
            }
            Action::Left | Action::Back if self.focus == Focus::Form => {
                self.commit_buffer(cx);
                self.focus = Focus::Queue;
            }
            Action::NextParticipant => self.go_to_work(true, cx),
            Action::PrevParticipant => self.go_to_work(false, cx),
            Action::Increase => self.step(true, cx),
            Action::Decrease => self.step(false, cx),
            Action::ClearScore => {
                if !self.buffer.is_empty() {
                    self.buffer.pop();
                } else if self.current(cx).is_some() {
                    self.save(None, cx);
                }
            }
            Action::EditComment if self.selected.is_some() => {
                self.commit_buffer(cx);
                self.open_editor(cx);
            }
            Action::Submit if self.selected.is_some() => {
                if self.commit_buffer(cx) {
                    self.prompt = Some(Prompt::ConfirmSubmit);
                }
            }
            Action::DeclareConflict if self.selected.is_some() => {
                self.prompt = Some(Prompt::Conflict(String::new()))
            }
            Action::Abstain if self.selected.is_some() => {
                self.prompt = Some(Prompt::Abstain(String::new()))
            }
            Action::Undo => {
                self.buffer.clear();
                self.amend = None;
                match cx.service.undo(cx.actor) {
                    Ok(Some(undone)) => cx.success(cx.tr.f(
                        "scoring.undone",
                        &[("what", &crate::text::refusal::undone(&undone, cx.tr))],
                    )),
                    Ok(None) => cx.info(cx.tr.t("scoring.nothing_to_undo")),
                    Err(e) => cx.refused(&e),
                }
            }
            Action::History => {
                if let (Some(stage), Some(p)) = (&self.stage, &self.selected) {
                    match cx.service.history(cx.actor, stage, p, &cx.actor.id) {
                        Ok(items) => self.history = Some(items),
                        Err(e) => cx.refused(&e),
                    }
                }
            }
            _ => return false,
        }
        true
    }

    fn refresh(&mut self, cx: &Cx) {
        let view = cx.view;
        self.stage = view.current_stage().map(|s| s.id.clone());
        let Some(stage) = self.stage.clone() else {
            self.queue.clear();
            return;
        };
        let mut queue: Vec<Item> = view
            .assignments(&stage)
            .into_iter()
            .filter(|a| a.juror == cx.actor.id)
            .filter_map(|a| {
                let p = view.participant(&a.participant)?;
                let status = match view.sheet(&stage, &p.id, &cx.actor.id) {
                    None => QueueStatus::Unscored,
                    Some(s) => match s.status {
                        SheetStatus::Submitted => QueueStatus::Submitted,
                        SheetStatus::Abstained => QueueStatus::Abstained,
                        SheetStatus::Draft if s.scores.is_empty() && s.comment.is_empty() => {
                            QueueStatus::Unscored
                        }
                        SheetStatus::Draft => QueueStatus::Draft,
                    },
                };
                Some(Item {
                    id: p.id.clone(),
                    name: p.full_name.clone(),
                    tos: p.tos_name.clone(),
                    municipality: p.municipality.clone(),
                    status,
                })
            })
            .collect();
        // The order the juror has stays; newcomers go last, by id.
        let first = self.queue.is_empty();
        let place: std::collections::HashMap<ParticipantId, usize> = self
            .queue
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id.clone(), i))
            .collect();
        queue.sort_by(|a, b| {
            let at = |it: &Item| place.get(&it.id).copied().unwrap_or(usize::MAX);
            at(a).cmp(&at(b)).then_with(|| a.id.cmp(&b.id))
        });
        self.queue = queue;
        if first {
            self.sort_queue();
        }
        let keep = self
            .selected
            .as_ref()
            .and_then(|s| self.queue.iter().position(|i| &i.id == s));
        match keep {
            Some(i) => self.cursor = i,
            None => self.select(0),
        }
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, cx: &Cx) {
        if cx.actor.role != Role::Juror {
            let text = cx.tr.f(
                "scoring.not_a_juror",
                &[("key", &cx.key(PaneKind::Scoring, Action::GoJury))],
            );
            frame.render_widget(
                Paragraph::new(text).wrap(Wrap { trim: true }).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(cx.tr.t("pane.scoring")),
                ),
                area,
            );
            return;
        }
        let Some(stage) = self.stage(cx) else {
            frame.render_widget(
                Paragraph::new(cx.tr.t("scoring.no_stage")).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(cx.tr.t("pane.scoring")),
                ),
                area,
            );
            return;
        };
        let title = format!("{} · {}", cx.tr.t("pane.scoring"), stage.name);
        if self.queue.is_empty() {
            frame.render_widget(
                Paragraph::new(cx.tr.t("scoring.empty_queue"))
                    .wrap(Wrap { trim: true })
                    .block(Block::default().borders(Borders::ALL).title(title)),
                area,
            );
            return;
        }
        let queue_w = if area.width >= 100 {
            36
        } else {
            (area.width / 3).max(16)
        };
        if area.width < 50 {
            // Too narrow for both: show what has the focus.
            match self.focus {
                Focus::Queue => self.draw_queue(frame, area, cx),
                Focus::Form => self.draw_form(frame, area, cx),
            }
        } else {
            let [q, f] =
                Layout::horizontal([Constraint::Length(queue_w), Constraint::Min(10)]).areas(area);
            self.draw_queue(frame, q, cx);
            self.draw_form(frame, f, cx);
        }
        self.draw_prompt(frame, area, cx);
        self.draw_history(frame, area, cx);
    }

    fn save(&self) -> serde_json::Value {
        serde_json::to_value(Saved {
            participant: self.selected.clone(),
            criterion: self.criterion,
            focus: self.focus,
            comment: match (&self.editor, &self.selected) {
                (Some(e), _) => Some(e.text()),
                (None, Some(_)) => self.pending_draft().map(str::to_string),
                _ => None,
            },
        })
        .unwrap_or_default()
    }

    fn restore(&mut self, state: &serde_json::Value, cx: &Cx) {
        if let Ok(s) = serde_json::from_value::<Saved>(state.clone()) {
            // A session always comes back in the normal mode: an unsaved
            // comment is a pending draft, not an open editor.
            self.draft = s.participant.clone().zip(s.comment);
            self.selected = s.participant;
            self.criterion = s.criterion;
            self.focus = s.focus;
            self.editor = None;
            self.buffer.clear();
            self.amend = None;
            self.refresh(cx);
            if let Some((_, text)) = &self.draft
                && self.sheet(cx).map(|s| s.comment.as_str()).unwrap_or("") == text
            {
                self.draft = None;
            }
        }
    }
}

/// A sheet's status in a history line in words; scores in the language's
/// form (`7,5` in Russian).
fn sheet_word(value: &str, cx: &Cx) -> String {
    match value {
        "draft" | "submitted" | "abstained" => {
            cx.tr.t(&format!("scoring.word.{value}")).to_string()
        }
        number if number.parse::<f64>().is_ok() => cx.tr.decimal(number.to_string()),
        other => other.to_string(),
    }
}

/// The comment editor, framed with its title and its keys, below the scores
/// (`bottom`), or over the whole form (`inner`) when there is too little
/// room: while it has the keys, nothing else on the screen looks like it
/// does.
fn draw_editor(
    frame: &mut Frame,
    ed: &crate::tui::editor::TextEditor,
    bottom: Rect,
    inner: Rect,
    participant: &dyn std::fmt::Display,
    tr: &crate::text::I18n,
) {
    // A framed editor with its title and its keys: while it has
    // the keys, nothing else on the screen looks like it does.
    let area = if bottom.height >= 4 {
        bottom
    } else {
        // Too little room below the scores: the editor covers the form.
        inner
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::heading())
        .title(Span::styled(
            tr.f("scoring.editor_title", &[("participant", participant)]),
            theme::heading(),
        ));
    let inside = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let keys = packed(tr.t("scoring.editor_keys"), inside.width as usize);
    let keys_h = (keys.len() as u16).min(inside.height / 2);
    let keys = Paragraph::new(
        keys.into_iter()
            .map(|l| Line::styled(l, theme::key()))
            .collect::<Vec<_>>(),
    );
    let [text_area, keys_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(keys_h)]).areas(inside);
    frame.render_widget(keys, keys_area);
    ed.render(frame, text_area, Style::default(), true);
}

#[cfg(test)]
mod tests {
    use super::can_extend;

    #[test]
    fn scores_that_cannot_grow_are_saved_at_once() {
        assert!(can_extend("1", 10.0, false));
        assert!(!can_extend("2", 10.0, false));
        assert!(!can_extend("10", 10.0, false));
        assert!(can_extend("7", 10.0, true));
        assert!(can_extend("7.", 10.0, true));
        assert!(!can_extend("7.5", 10.0, true));
        assert!(!can_extend("10", 10.0, true));
        assert!(can_extend("2", 25.0, false));
    }
}
