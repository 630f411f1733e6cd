//! The Mentoring pane: interns and their proposed mentors with each pair's
//! score parts and explanation, mentors with capacity gauges; run a
//! proposal, lock, forbid, pair by hand, rerun (the change is shown as a
//! difference) and accept.

use crate::domain::ids::{InternId, MentorId};
use crate::domain::matching::{self, InternExplanation, MatchMode, ProposalDiff};
use crate::domain::mentoring::DecisionKind;
use crate::domain::people::Role;
use crate::service::Explained;
use crate::text::describe;
use crate::tui::action::{self, Action};
use crate::tui::confirm::{Answer, Confirm};
use crate::tui::pane::{Cx, Pane, PaneKind};
use crate::tui::theme;
use crate::tui::widgets::fit;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// The proposal shown, with its explanations.
type Run = Explained;

/// What a confirmation with a reason is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Pending {
    Forbid(MentorId, InternId),
    Accept,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Interns,
    Mentors,
}

pub struct MentoringPane {
    mode: MatchMode,
    view: Mode,
    run: Option<Run>,
    cursor: usize,
    /// The selected mentor in the mentors view.
    mentor_cursor: usize,
    /// Set when the data changed since the proposal was made.
    stale: bool,
    /// The service's generation the proposal (or this pane's own last
    /// change: a lock, an acceptance) was made at.
    seen: u64,
    diff: Option<ProposalDiff>,
    prompt: Option<String>,
    confirm: Option<(Confirm, Pending)>,
}

impl Default for MentoringPane {
    fn default() -> Self {
        Self::new()
    }
}

impl MentoringPane {
    pub fn new() -> Self {
        MentoringPane {
            mode: MatchMode::Optimal,
            view: Mode::Interns,
            run: None,
            cursor: 0,
            mentor_cursor: 0,
            stale: false,
            seen: 0,
            diff: None,
            prompt: None,
            confirm: None,
        }
    }

    fn propose(&mut self, cx: &mut Cx) {
        match cx.service.propose_explained(cx.actor, self.mode) {
            Ok(run) => {
                let proposal = &run.proposal;
                if let Some(prev) = &self.run {
                    let d = matching::diff(&prev.proposal, proposal);
                    if !(d.added.is_empty() && d.removed.is_empty() && d.moved.is_empty()) {
                        self.diff = Some(d);
                    }
                }
                cx.info(cx.tr.f(
                    "mentoring.proposed",
                    &[
                        ("pairs", &proposal.pairs.len()),
                        ("total", &proposal.total_score),
                        ("unmatched", &proposal.unmatched.len()),
                    ],
                ));
                self.run = Some(run);
                self.stale = false;
                self.seen = cx.service.generation();
            }
            Err(e) => cx.refused(&e),
        }
    }

    /// The pane's actions in the interns view, and those of both views.
    fn act(&mut self, action: Action, n: usize, cx: &mut Cx) -> bool {
        if let Some(c) = action::moved(action, self.cursor, n) {
            self.cursor = c;
            return true;
        }
        match action {
            Action::RunMatching => self.propose(cx),
            Action::CycleMode => {
                let i = MatchMode::ALL
                    .iter()
                    .position(|m| *m == self.mode)
                    .unwrap_or(0);
                self.mode = MatchMode::ALL[(i + 1) % MatchMode::ALL.len()];
                self.propose(cx);
            }
            Action::NextView => {
                self.view = match self.view {
                    Mode::Interns => Mode::Mentors,
                    Mode::Mentors => Mode::Interns,
                }
            }
            Action::LockPair => self.decide(Some(DecisionKind::Lock), None, cx),
            Action::ForbidPair => self.ask_forbid(cx),
            Action::ClearDecision => self.decide(None, None, cx),
            Action::PairByHand => self.prompt = Some(String::new()),
            Action::AcceptMatching => self.ask_accept(cx),
            Action::MentorsFromTeam => match cx.service.mentors_from_team(cx.actor) {
                Ok(n) => {
                    cx.success(cx.tr.f("mentoring.from_team", &[("n", &n)]));
                    self.propose(cx);
                }
                Err(e) => cx.refused(&e),
            },
            _ => return false,
        }
        true
    }

    fn selected(&self) -> Option<&InternExplanation> {
        self.run.as_ref()?.explanations.get(self.cursor)
    }

    /// Asks to accept the proposal, with a reason.
    fn ask_accept(&mut self, cx: &mut Cx) {
        let Some(run) = &self.run else { return };
        if self.stale {
            cx.error(cx.tr.t("mentoring.stale"));
            return;
        }
        let tr = cx.tr;
        let lines = vec![
            tr.f(
                "mentoring.accept_what",
                &[
                    (
                        "mode",
                        &tr.t(&format!("mentoring.mode.{}", self.mode.code())),
                    ),
                    ("pairs", &run.proposal.pairs.len()),
                    ("total", &run.proposal.total_score),
                    ("unmatched", &run.proposal.unmatched.len()),
                ],
            ),
            tr.t("mentoring.accept_then").to_string(),
        ];
        self.confirm = Some((
            Confirm::new(
                tr.t("mentoring.accept_title").to_string(),
                lines,
                tr.t("mentoring.accept_go").to_string(),
            ),
            Pending::Accept,
        ));
    }

    /// Asks to forbid the selected intern's pair, with a reason.
    fn ask_forbid(&mut self, cx: &mut Cx) {
        let Some((mentor, intern)) = self.target(Some(DecisionKind::Forbid), None) else {
            if self.selected().is_some() {
                cx.error(cx.tr.t("mentoring.no_pair"));
            }
            return;
        };
        let tr = cx.tr;
        let name = |m: Option<&str>| m.map_or(String::new(), str::to_string);
        let data = self.run.as_ref().map(|r| &r.data);
        let mentor_name = name(data.and_then(|d| {
            d.mentors
                .iter()
                .find(|m| m.id == mentor)
                .map(|m| m.full_name.as_str())
        }));
        let intern_name = name(data.and_then(|d| {
            d.interns
                .iter()
                .find(|i| i.id == intern)
                .map(|i| i.full_name.as_str())
        }));
        let lines = vec![tr.f(
            "mentoring.forbid_what",
            &[
                ("mentor", &mentor),
                ("mentor_name", &mentor_name),
                ("intern", &intern),
                ("intern_name", &intern_name),
                ("key", &cx.key(PaneKind::Mentoring, Action::ClearDecision)),
            ],
        )];
        self.confirm = Some((
            Confirm::new(
                tr.f(
                    "mentoring.forbid_title",
                    &[("mentor", &mentor), ("intern", &intern)],
                ),
                lines,
                tr.t("mentoring.forbid_go").to_string(),
            ),
            Pending::Forbid(mentor, intern),
        ));
    }

    /// A key for the open confirmation: Enter does what it asks with the
    /// reason typed (an empty one is refused and asked again), Esc drops it.
    fn answer(&mut self, key: &KeyEvent, cx: &mut Cx) {
        let Some((mut confirm, pending)) = self.confirm.take() else {
            return;
        };
        let reason = match confirm.key(key) {
            Answer::Typing => {
                self.confirm = Some((confirm, pending));
                return;
            }
            Answer::Cancel => return,
            Answer::Go(reason) => reason,
        };
        let done = match &pending {
            Pending::Forbid(mentor, intern) => self.decide_pair(
                Some(DecisionKind::Forbid),
                mentor.clone(),
                intern.clone(),
                &reason,
                cx,
            ),
            Pending::Accept => {
                let Some(run) = &self.run else { return };
                match cx.service.accept_matching(cx.actor, &run.proposal, &reason) {
                    Ok(()) => {
                        // Accepting changes nothing the proposal was made from.
                        self.seen = cx.service.generation();
                        cx.success(cx.tr.f(
                            "mentoring.accepted",
                            &[("pairs", &run.proposal.pairs.len())],
                        ));
                        true
                    }
                    Err(e) => {
                        cx.refused(&e);
                        false
                    }
                }
            }
        };
        if !done && reason.is_empty() {
            self.confirm = Some((confirm, pending));
        }
    }

    /// The pair a decision about the selected intern is about: the mentor
    /// given, else (to clear) the intern's own lock or forbid, else the
    /// proposed mentor or the best alternative.
    fn target(
        &self,
        kind: Option<DecisionKind>,
        mentor: Option<MentorId>,
    ) -> Option<(MentorId, InternId)> {
        let e = self.selected()?;
        let intern = e.intern.clone();
        // Clearing takes back the intern's own lock or forbid first, even
        // one the proposal could not keep.
        let decided = (kind.is_none())
            .then_some(self.run.as_ref())
            .flatten()
            .and_then(|run| {
                run.data
                    .locks
                    .iter()
                    .chain(&run.data.forbids)
                    .find(|(_, i)| *i == intern)
                    .map(|(m, _)| m.clone())
            });
        let mentor = mentor.or(decided).or_else(|| {
            e.mentor
                .clone()
                .or_else(|| e.best_alternative.as_ref().map(|a| a.mentor.clone()))
        })?;
        Some((mentor, intern))
    }

    fn decide(&mut self, kind: Option<DecisionKind>, mentor: Option<MentorId>, cx: &mut Cx) {
        if self.selected().is_none() {
            return;
        }
        match self.target(kind, mentor) {
            Some((mentor, intern)) => {
                self.decide_pair(kind, mentor, intern, "", cx);
            }
            None => cx.error(cx.tr.t("mentoring.no_pair")),
        }
    }

    /// Makes the decision through the service, proposes again and says
    /// what came of it; returns whether it was made.
    fn decide_pair(
        &mut self,
        kind: Option<DecisionKind>,
        mentor: MentorId,
        intern: InternId,
        reason: &str,
        cx: &mut Cx,
    ) -> bool {
        match cx
            .service
            .decide_pair(cx.actor, &mentor, &intern, kind, reason)
        {
            Ok(()) => {
                let key = match kind {
                    Some(DecisionKind::Lock) => "mentoring.locked",
                    Some(DecisionKind::Forbid) => "mentoring.forbidden",
                    None => "mentoring.cleared",
                };
                self.propose(cx);
                let not_kept = (kind == Some(DecisionKind::Lock))
                    .then_some(self.run.as_ref())
                    .flatten()
                    .and_then(|run| {
                        describe::lock_not_kept(&run.proposal, &mentor, &intern, cx.tr)
                    });
                match not_kept {
                    Some(warning) => cx.error(warning),
                    None => cx.success(cx.tr.f(key, &[("mentor", &mentor), ("intern", &intern)])),
                }
                true
            }
            Err(e) => {
                cx.refused(&e);
                false
            }
        }
    }

    fn draw_interns(&self, frame: &mut Frame, area: Rect, run: &Run, cx: &Cx) {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(cx.tr.t("mentoring.interns"));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let rows = inner.height as usize;
        let start = self.cursor.saturating_sub(rows.saturating_sub(1));
        let width = inner.width as usize;
        let locked: std::collections::BTreeSet<(&MentorId, &InternId)> =
            run.data.locks.iter().map(|(m, i)| (m, i)).collect();
        let lines: Vec<Line> = run
            .explanations
            .iter()
            .enumerate()
            .skip(start)
            .take(rows)
            .map(|(i, e)| {
                let name = run
                    .data
                    .interns
                    .iter()
                    .find(|x| x.id == e.intern)
                    .map_or(String::new(), |x| x.full_name.clone());
                let (mentor, score, style) = match (&e.mentor, &e.score) {
                    (Some(m), Some(s)) => {
                        let lock = if locked.contains(&(m, &e.intern)) {
                            "🔒"
                        } else {
                            ""
                        };
                        (
                            format!("→ {m}{lock}"),
                            s.total.to_string(),
                            Style::default(),
                        )
                    }
                    _ => (
                        cx.tr.t("mentoring.unmatched").to_string(),
                        String::new(),
                        theme::bad(),
                    ),
                };
                let text = format!(
                    "{:<6} {:<w$} {:<10} {:>4}",
                    e.intern,
                    fit(&name, width.saturating_sub(24).max(4)),
                    mentor,
                    score,
                    w = width.saturating_sub(24).max(4)
                );
                Line::styled(
                    fit(&text, width),
                    if i == self.cursor {
                        theme::selected()
                    } else {
                        style
                    },
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn draw_mentors(&self, frame: &mut Frame, area: Rect, run: &Run, cx: &Cx) {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(cx.tr.t("mentoring.mentors"));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = inner.width as usize;
        let rows = inner.height as usize;
        let start = self.mentor_cursor.saturating_sub(rows.saturating_sub(1));
        let lines: Vec<Line> = run
            .data
            .mentors
            .iter()
            .enumerate()
            .skip(start)
            .take(rows)
            .map(|(i, m)| {
                let used = run
                    .proposal
                    .pairs
                    .iter()
                    .filter(|p| p.mentor == m.id)
                    .count();
                let cap = m.capacity as usize;
                let bar_w = 10;
                let filled = (used * bar_w).checked_div(cap).unwrap_or(0).min(bar_w);
                let bar = format!("{}{}", "█".repeat(filled), "░".repeat(bar_w - filled));
                let text = format!(
                    "{:<8} {:<w$} {bar} {used}/{cap}",
                    m.id,
                    fit(&m.full_name, width.saturating_sub(26).max(4)),
                    w = width.saturating_sub(26).max(4)
                );
                Line::styled(
                    fit(&text, width),
                    if i == self.mentor_cursor {
                        theme::selected()
                    } else if used >= cap && cap > 0 {
                        theme::warn()
                    } else {
                        Style::default()
                    },
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }

    /// The selected mentor: what they teach, how, and their interns.
    fn draw_mentor_detail(&self, frame: &mut Frame, area: Rect, run: &Run, cx: &Cx) {
        let tr = cx.tr;
        let Some(m) = run.data.mentors.get(self.mentor_cursor) else {
            return;
        };
        let label = |k: &str| Span::styled(format!("{}: ", tr.t(k)), theme::label());
        let topics: Vec<String> = m
            .topics
            .iter()
            .map(|t| {
                format!(
                    "{} ({})",
                    tr.t(&format!("topic.{}", t.topic.code())),
                    t.level
                )
            })
            .collect();
        let mut lines = vec![
            Line::styled(format!("{} · {}", m.full_name, m.id), theme::heading()),
            Line::raw(format!("{}, {}", m.tos_name, m.municipality)),
            Line::from(vec![
                label("mentoring.teaches"),
                Span::raw(topics.join(", ")),
            ]),
            Line::raw(""),
        ];
        for p in run.proposal.pairs.iter().filter(|p| p.mentor == m.id) {
            let name = run
                .data
                .interns
                .iter()
                .find(|i| i.id == p.intern)
                .map_or("", |i| i.full_name.as_str());
            lines.push(Line::raw(format!(
                "{} {}{}  {}",
                p.intern,
                name,
                if p.locked { " 🔒" } else { "" },
                p.score.total
            )));
        }
        if !run.proposal.pairs.iter().any(|p| p.mentor == m.id) {
            lines.push(Line::styled(tr.t("mentoring.no_interns"), theme::dim()));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(tr.t("mentoring.mentors_hint"), theme::dim()));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
    }

    fn draw_detail(&self, frame: &mut Frame, area: Rect, run: &Run, cx: &Cx) {
        let tr = cx.tr;
        let block =
            Block::default()
                .borders(Borders::ALL)
                .title(tr.t(if self.view == Mode::Mentors {
                    "mentoring.mentor_title"
                } else {
                    "mentoring.why_title"
                }));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if self.view == Mode::Mentors {
            self.draw_mentor_detail(frame, inner, run, cx);
            return;
        }
        let Some(e) = self.selected() else { return };
        let Some(intern) = run.data.interns.iter().find(|i| i.id == e.intern) else {
            return;
        };
        let label = |k: &str| Span::styled(format!("{}: ", tr.t(k)), theme::label());
        let topics: Vec<&str> = intern
            .topics
            .iter()
            .map(|t| tr.t(&format!("topic.{}", t.code())))
            .collect();
        let mut lines = vec![
            Line::styled(
                format!("{} · {}", intern.full_name, intern.id),
                theme::heading(),
            ),
            Line::raw(format!("{}, {}", intern.tos_name, intern.municipality)),
            Line::from(vec![label("mentoring.wants"), Span::raw(topics.join(", "))]),
        ];
        if !intern.preferred_mentors.is_empty() {
            lines.push(Line::from(vec![
                label("mentoring.prefers"),
                Span::raw(
                    intern
                        .preferred_mentors
                        .iter()
                        .map(|m| m.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ]));
        }
        lines.push(Line::raw(""));
        match (&e.mentor, &e.score) {
            (Some(m), Some(s)) => {
                let name = run
                    .data
                    .mentors
                    .iter()
                    .find(|x| &x.id == m)
                    .map_or(String::new(), |x| x.full_name.clone());
                lines.push(Line::styled(format!("→ {m} {name}"), theme::good()));
                lines.push(Line::raw(describe::pair_score(s, tr)));
            }
            _ => {
                lines.push(Line::styled(tr.t("mentoring.unmatched"), theme::bad()));
                if let Some(r) = &e.unmatched {
                    lines.push(Line::raw(describe::unmatched(r, tr)));
                }
            }
        }
        if let Some(a) = &e.best_alternative {
            lines.push(Line::raw(""));
            lines.push(Line::raw(tr.f(
                "mentoring.alternative",
                &[("mentor", &a.mentor), ("why", &describe::not_given(a, tr))],
            )));
            lines.push(Line::styled(
                describe::pair_score(&a.score, tr),
                theme::dim(),
            ));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}

impl Pane for MentoringPane {
    fn kind(&self) -> PaneKind {
        PaneKind::Mentoring
    }

    fn methods(
        &self,
        rules: &crate::domain::regulation::Regulation,
        tr: &crate::text::I18n,
    ) -> Vec<crate::text::methods::Part> {
        crate::text::methods::matching(&rules.mentoring, tr)
    }

    fn commands(&self) -> Vec<Action> {
        let mut c = vec![
            Action::RunMatching,
            Action::CycleMode,
            Action::LockPair,
            Action::ForbidPair,
            Action::ClearDecision,
            Action::PairByHand,
            Action::AcceptMatching,
            Action::MentorsFromTeam,
            Action::NextView,
        ];
        c.extend_from_slice(action::LIST);
        c
    }

    fn editing(&self) -> bool {
        self.prompt.is_some() || self.confirm.is_some()
    }

    fn on_paste(&mut self, text: &str, _cx: &mut Cx) -> bool {
        match (&mut self.confirm, &mut self.prompt) {
            (Some((c, _)), _) => c.paste(text),
            (None, Some(t)) => t.push_str(text.lines().next().unwrap_or("").trim()),
            (None, None) => return false,
        }
        true
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx) -> bool {
        if self.confirm.is_some() {
            self.answer(key, cx);
            return true;
        }
        // The difference from the previous proposal closes with any key;
        // Esc and Enter only close it, the others go on to do their work.
        if self.diff.take().is_some() && matches!(key.code, KeyCode::Esc | KeyCode::Enter) {
            return true;
        }
        let Some(mut text) = self.prompt.take() else {
            return false;
        };
        match key.code {
            KeyCode::Esc => {}
            KeyCode::Enter => self.decide(
                Some(DecisionKind::Lock),
                Some(MentorId::new(text.trim())),
                cx,
            ),
            KeyCode::Backspace => {
                text.pop();
                self.prompt = Some(text);
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                text.push(c);
                self.prompt = Some(text);
            }
            _ => self.prompt = Some(text),
        }
        true
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        if cx.actor.role == Role::Juror {
            return false;
        }
        let n = self.run.as_ref().map_or(0, |r| r.explanations.len());
        let coordinator_only = matches!(
            action,
            Action::LockPair
                | Action::ForbidPair
                | Action::ClearDecision
                | Action::PairByHand
                | Action::AcceptMatching
                | Action::MentorsFromTeam
        );
        if coordinator_only && cx.actor.role != Role::Coordinator {
            cx.error(cx.tr.t("jury.coordinator_only"));
            return true;
        }
        if self.view == Mode::Mentors {
            let mentors = self.run.as_ref().map_or(0, |r| r.data.mentors.len());
            if let Some(c) = action::moved(action, self.mentor_cursor, mentors) {
                self.mentor_cursor = c;
                return true;
            }
            if matches!(
                action,
                Action::LockPair | Action::ForbidPair | Action::ClearDecision | Action::PairByHand
            ) {
                cx.info(cx.tr.t("mentoring.mentors_hint"));
                return true;
            }
        }
        self.act(action, n, cx)
    }

    fn refresh(&mut self, cx: &Cx) {
        if self.run.is_none() && cx.actor.role != Role::Juror {
            if let Ok(run) = cx.service.propose_explained(cx.actor, self.mode) {
                self.run = Some(run);
                self.seen = cx.service.generation();
            }
        } else if cx.service.generation() != self.seen {
            self.stale = true;
        }
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let tr = cx.tr;
        if cx.actor.role == Role::Juror {
            frame.render_widget(
                Paragraph::new(tr.t("mentoring.not_for_jurors")).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(tr.t("pane.mentoring")),
                ),
                area,
            );
            return;
        }
        let Some(run) = &self.run else {
            frame.render_widget(
                Paragraph::new(tr.t("mentoring.nothing"))
                    .wrap(Wrap { trim: true })
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .title(tr.t("pane.mentoring")),
                    ),
                area,
            );
            return;
        };
        let [head, body] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(3)]).areas(area);
        let accepted =
            cx.view
                .matching()
                .map_or(tr.t("mentoring.none_accepted").to_string(), |m| {
                    tr.f(
                        "mentoring.accepted_at",
                        &[
                            ("pairs", &m.pairs.len()),
                            ("at", &crate::text::time::show(m.at, &cx.view.zone())),
                            ("mode", &tr.t(&format!("mentoring.mode.{}", m.mode))),
                        ],
                    )
                });
        let summary = tr.f(
            "mentoring.summary",
            &[
                (
                    "mode",
                    &tr.t(&format!("mentoring.mode.{}", self.mode.code())),
                ),
                ("pairs", &run.proposal.pairs.len()),
                ("total", &run.proposal.total_score),
                ("unmatched", &run.proposal.unmatched.len()),
                ("blocking", &run.blocking.len()),
            ],
        );
        let mut head_lines = vec![
            Line::styled(summary, theme::heading()),
            Line::styled(accepted, theme::dim()),
        ];
        if self.stale {
            head_lines[1] = Line::styled(tr.t("mentoring.stale"), theme::warn());
        }
        frame.render_widget(Paragraph::new(head_lines), head);
        let left_w = if body.width >= 100 {
            body.width * 45 / 100
        } else {
            body.width / 2
        };
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Min(10)]).areas(body);
        match self.view {
            Mode::Interns => self.draw_interns(frame, left, run, cx),
            Mode::Mentors => self.draw_mentors(frame, left, run, cx),
        }
        self.draw_detail(frame, right, run, cx);
        if let Some(d) = &self.diff {
            let mut lines: Vec<Line> = Vec::new();
            for p in &d.added {
                lines.push(Line::styled(
                    format!("+ {} → {}", p.intern, p.mentor),
                    theme::good(),
                ));
            }
            for p in &d.removed {
                lines.push(Line::styled(
                    format!("− {} → {}", p.intern, p.mentor),
                    theme::bad(),
                ));
            }
            for m in &d.moved {
                lines.push(Line::raw(format!("~ {}: {} → {}", m.intern, m.from, m.to)));
            }
            lines.push(Line::styled(
                tr.f("mentoring.diff_total", &[("change", &d.total_change)]),
                theme::dim(),
            ));
            let popup =
                crate::tui::widgets::popup(area, 60, (lines.len() as u16 + 2).min(area.height));
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(lines).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(tr.t("mentoring.diff")),
                ),
                popup,
            );
        }
        if let Some((c, _)) = &self.confirm {
            c.draw(frame, area, tr);
        }
        if let Some(text) = &self.prompt {
            let popup = crate::tui::widgets::popup(area, 60, 3);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(format!("{text}▏")).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(tr.t("mentoring.ask_mentor")),
                ),
                popup,
            );
        }
    }
}
