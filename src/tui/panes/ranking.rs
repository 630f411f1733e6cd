//! The Ranking pane: a stage's ranking (rank, participant, group, total,
//! spread, flags) with the cutoff line drawn per group, a histogram of the
//! totals, the jurors' severity, the sensitivity to the aggregation method,
//! and closing or reopening the stage.

use crate::domain::ids::{ParticipantId, StageId};
use crate::domain::people::Role;
use crate::domain::ranking::{Flag, Ranking, RankingRow};
use crate::domain::regulation::{AdvanceRule, Aggregation};
use crate::service::StageReport;
use crate::text::number::{POINTS, STATISTIC};
use crate::text::time;
use crate::tui::action::{self, Action};
use crate::tui::pane::{Cx, Pane, PaneKind};
use crate::tui::theme;
use crate::tui::widgets::fit;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Clear, Paragraph, Wrap};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    Table,
    Statistics,
    Sensitivity,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Prompt {
    ConfirmClose,
    Reopen(String),
    Tie(String),
}

/// A line of the table: a row of the ranking, or a group's heading or cutoff.
enum Line_ {
    Heading(String),
    Row(usize),
    Cutoff(usize),
}

pub struct RankingPane {
    stage: Option<StageId>,
    method: Option<Aggregation>,
    report: Option<StageReport>,
    error: Option<String>,
    view: View,
    cursor: usize,
    prompt: Option<Prompt>,
    names: std::collections::BTreeMap<ParticipantId, String>,
}

impl Default for RankingPane {
    fn default() -> Self {
        Self::new()
    }
}

fn flags(row: &RankingRow) -> String {
    let mut s = String::new();
    for f in &row.flags {
        s.push_str(match f {
            Flag::Incomplete { .. } => "⚑",
            Flag::Outlier { .. } => "⚠",
            Flag::Tie => "=",
        });
    }
    s
}

impl RankingPane {
    pub fn new() -> Self {
        RankingPane {
            stage: None,
            method: None,
            report: None,
            error: None,
            view: View::Table,
            cursor: 0,
            prompt: None,
            names: Default::default(),
        }
    }

    fn ranking(&self) -> Option<&Ranking> {
        let r = self.report.as_ref()?;
        Some(
            r.analysis
                .ranking(self.method.unwrap_or_else(|| r.data.declared_method())),
        )
    }

    fn load(&mut self, cx: &Cx) {
        let Some(stage) = self.stage.clone() else {
            return;
        };
        match cx.service.analyse_stage(cx.actor, &stage) {
            Ok(report) => {
                self.names = report
                    .data
                    .participants
                    .iter()
                    .map(|p| (p.id.clone(), p.full_name.clone()))
                    .collect();
                self.report = Some(report);
                self.error = None;
            }
            Err(e) => {
                self.report = None;
                self.error = Some(e.words(cx.tr));
            }
        }
    }

    /// The table's lines: grouped by territory group with a cutoff line
    /// when the rule advances per group, else one list with one cutoff.
    fn lines(&self, cx: &Cx) -> Vec<Line_> {
        let Some(ranking) = self.ranking() else {
            return Vec::new();
        };
        let per_group = matches!(
            ranking.rule,
            AdvanceRule::TopPerGroup(_) | AdvanceRule::Quota(_)
        );
        let mut out = Vec::new();
        if per_group {
            let groups = cx
                .view
                .regulation()
                .map(|r| r.rules.groups.clone())
                .unwrap_or_default();
            for g in groups {
                let rows: Vec<usize> = ranking
                    .rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.group == g.id)
                    .map(|(i, _)| i)
                    .collect();
                if rows.is_empty() {
                    continue;
                }
                let places = match &ranking.rule {
                    AdvanceRule::TopPerGroup(m) | AdvanceRule::Quota(m) => {
                        m.get(&g.id).copied().unwrap_or(0)
                    }
                    _ => 0,
                };
                out.push(Line_::Heading(format!(
                    "{} · {}",
                    g.name,
                    cx.tr.f("ranking.places", &[("n", &places)])
                )));
                let advancing = rows.iter().filter(|&&i| ranking.rows[i].advances).count();
                for (k, i) in rows.iter().enumerate() {
                    out.push(Line_::Row(*i));
                    if k + 1 == advancing && advancing < rows.len() {
                        out.push(Line_::Cutoff(places));
                    }
                }
            }
        } else {
            let advancing = ranking.rows.iter().filter(|r| r.advances).count();
            for i in 0..ranking.rows.len() {
                out.push(Line_::Row(i));
                if i + 1 == advancing && advancing < ranking.rows.len() {
                    out.push(Line_::Cutoff(advancing));
                }
            }
        }
        out
    }

    fn selected_row(&self, cx: &Cx) -> Option<&RankingRow> {
        let lines = self.lines(cx);
        let rows: Vec<usize> = lines
            .iter()
            .filter_map(|l| match l {
                Line_::Row(i) => Some(*i),
                _ => None,
            })
            .collect();
        let i = *rows.get(self.cursor)?;
        self.ranking()?.rows.get(i)
    }

    fn row_count(&self) -> usize {
        self.ranking().map_or(0, |r| r.rows.len())
    }

    fn draw_table(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let Some(ranking) = self.ranking() else {
            return;
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .title(cx.tr.t("ranking.table"));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = inner.width as usize;
        let name_w = width.saturating_sub(38).clamp(6, 40);
        let header = format!(
            "{:>4} {:<6} {:<name_w$} {:>7} {:>6} {:<4} {}",
            cx.tr.t("ranking.col.rank"),
            cx.tr.t("review.col.id"),
            cx.tr.t("review.col.name"),
            cx.tr.t("ranking.col.total"),
            cx.tr.t("ranking.col.spread"),
            cx.tr.t("ranking.col.flags"),
            cx.tr.t("ranking.col.advances"),
        );
        let lines = self.lines(cx);
        // Which line holds the cursor row, to scroll to it.
        let mut row_no = 0;
        let mut cursor_line = 0;
        for (k, l) in lines.iter().enumerate() {
            if let Line_::Row(_) = l {
                if row_no == self.cursor {
                    cursor_line = k;
                }
                row_no += 1;
            }
        }
        let visible = inner.height.saturating_sub(1) as usize;
        let start = cursor_line.saturating_sub(visible.saturating_sub(1));
        let mut out = vec![Line::styled(fit(&header, width), theme::header())];
        let mut row_no = lines[..start]
            .iter()
            .filter(|l| matches!(l, Line_::Row(_)))
            .count();
        for l in lines.iter().skip(start).take(visible) {
            match l {
                Line_::Heading(t) => out.push(Line::styled(fit(t, width), theme::heading())),
                Line_::Cutoff(places) => out.push(Line::styled(
                    fit(
                        &format!(
                            "{:─<w$}",
                            format!("── {} ", cx.tr.f("ranking.cutoff", &[("n", places)])),
                            w = width
                        ),
                        width,
                    ),
                    theme::warn(),
                )),
                Line_::Row(i) => {
                    let r = &ranking.rows[*i];
                    let name = self.names.get(&r.participant).cloned().unwrap_or_default();
                    let text = format!(
                        "{:>4} {:<6} {:<name_w$} {:>7} {:>6} {:<4} {}",
                        r.rank,
                        fit(r.participant.as_str(), 6),
                        fit(&name, name_w),
                        cx.tr.num(r.total),
                        cx.tr.num(r.spread),
                        flags(r),
                        if r.advances { "✓" } else { "" }
                    );
                    let style = if row_no == self.cursor {
                        theme::selected()
                    } else if r
                        .flags
                        .iter()
                        .any(|f| matches!(f, Flag::Incomplete { .. } | Flag::Tie))
                    {
                        theme::warn()
                    } else if r.advances {
                        theme::good()
                    } else {
                        Style::default()
                    };
                    out.push(Line::styled(fit(&text, width), style));
                    row_no += 1;
                }
            }
        }
        frame.render_widget(Paragraph::new(out), inner);
    }

    fn draw_detail(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let tr = cx.tr;
        let block = Block::default()
            .borders(Borders::ALL)
            .title(tr.t("ranking.detail"));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(r) = self.selected_row(cx) else {
            return;
        };
        let label = |k: &str| Span::styled(format!("{}: ", tr.t(k)), theme::label());
        let mut lines = vec![
            Line::styled(
                format!(
                    "{} · {}",
                    self.names.get(&r.participant).cloned().unwrap_or_default(),
                    r.participant
                ),
                theme::heading(),
            ),
            Line::from(vec![
                label("ranking.place"),
                Span::raw(tr.f(
                    "ranking.place_text",
                    &[("rank", &r.rank), ("group_rank", &r.group_rank)],
                )),
            ]),
        ];
        lines.push(Line::styled(tr.t("ranking.jurors"), theme::label()));
        for j in r.juror_totals.iter() {
            let outlier = r
                .flags
                .iter()
                .any(|f| matches!(f, Flag::Outlier { juror } if *juror == j.juror));
            lines.push(Line::styled(
                format!(
                    "  {} {}{}",
                    j.juror,
                    tr.num(j.total),
                    if outlier { "  ⚠" } else { "" }
                ),
                if outlier {
                    theme::warn()
                } else {
                    Style::default()
                },
            ));
        }
        if r.juror_totals.is_empty() {
            lines.push(Line::styled(
                format!("  {}", tr.t("ranking.no_jury")),
                theme::dim(),
            ));
        }
        for (k, v) in [
            ("ranking.aggregate", r.aggregate),
            ("ranking.indicators", r.indicator_part),
            ("ranking.carry_over", r.carry_over_part),
            ("ranking.col.total", r.total),
        ] {
            lines.push(Line::from(vec![label(k), Span::raw(tr.num(v))]));
        }
        if let (Some(d), Some(rep)) = (&r.decided_by, &self.report) {
            // In words, as the protocol says it.
            let rules = &rep.data.regulation;
            let words = rules.stage(&rep.data.stage).map_or_else(
                || d.to_string(),
                |s| crate::text::describe::decided_by(&d.to_string(), rules, s, tr),
            );
            lines.push(Line::from(vec![
                label("ranking.decided_by"),
                Span::raw(words),
            ]));
        }
        for f in &r.flags {
            lines.push(Line::styled(
                match f {
                    Flag::Incomplete { have, need } => {
                        tr.f("ranking.flag.incomplete", &[("have", have), ("need", need)])
                    }
                    Flag::Outlier { juror } => tr.f("ranking.flag.outlier", &[("juror", juror)]),
                    Flag::Tie => tr.t("ranking.flag.tie").to_string(),
                },
                theme::warn(),
            ));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }

    fn draw_statistics(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let tr = cx.tr;
        let (Some(report), Some(ranking)) = (&self.report, self.ranking()) else {
            return;
        };
        let s = &report.analysis.statistics;
        let block = Block::default()
            .borders(Borders::ALL)
            .title(tr.t("ranking.statistics"));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [head, hist, sev] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Percentage(50),
            Constraint::Percentage(50),
        ])
        .areas(inner);
        frame.render_widget(
            Paragraph::new(vec![
                Line::raw(
                    tr.f(
                        "ranking.agreement",
                        &[
                            (
                                "w",
                                &s.concordance
                                    .as_ref()
                                    .map_or("—".into(), |c| tr.fixed(c.w, STATISTIC)),
                            ),
                            (
                                "alpha",
                                &s.krippendorff_alpha
                                    .map_or("—".into(), |a| tr.fixed(a, STATISTIC)),
                            ),
                            ("outliers", &s.outliers.len()),
                        ],
                    ),
                ),
                Line::styled(tr.t("ranking.agreement_hint"), theme::dim()),
            ]),
            head,
        );
        // Histogram of totals.
        let totals: Vec<f64> = ranking.rows.iter().map(|r| r.total).collect();
        let (lo, hi) = totals
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), t| (a.min(*t), b.max(*t)));
        let bins = 10usize;
        let width = ((hi - lo) / bins as f64).max(1e-9);
        let mut counts = vec![0u64; bins];
        for t in &totals {
            counts[(((t - lo) / width) as usize).min(bins - 1)] += 1;
        }
        let bar_w = ((hist.width as usize).saturating_sub(bins) / bins).clamp(1, 8) as u16;
        let bars: Vec<Bar> = counts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                Bar::default().value(*c).label(Line::raw(fit(
                    &tr.fixed(lo + i as f64 * width, 0),
                    bar_w as usize,
                )))
            })
            .collect();
        if !totals.is_empty() {
            frame.render_widget(
                BarChart::default()
                    .block(Block::default().title(tr.t("ranking.histogram")))
                    .data(BarGroup::default().bars(&bars))
                    .bar_width(bar_w)
                    .bar_gap(1)
                    .bar_style(theme::heading()),
                hist,
            );
        }
        // Severity: offset from the other jurors, shifted to be drawn as bars.
        let sev_lines: Vec<Line> = s
            .jurors
            .iter()
            .map(|j| {
                let v = j.severity.unwrap_or(0.0);
                let len = (v.abs() * 2.0).round().min(30.0) as usize;
                let bar = if v < 0.0 {
                    format!("{:>30}", "◀".repeat(len))
                } else {
                    format!("{:>30}{}", "", "▶".repeat(len))
                };
                let fixed = tr.fixed(v, POINTS);
                let signed = if fixed.starts_with('-') {
                    fixed
                } else {
                    format!("+{fixed}")
                };
                Line::from(vec![
                    Span::styled(format!("{:<5} {signed:>6} ", j.juror), theme::label()),
                    Span::styled(bar, if v < 0.0 { theme::bad() } else { theme::good() }),
                ])
            })
            .collect();
        let mut sev_all = vec![Line::styled(tr.t("ranking.severity"), theme::heading())];
        sev_all.extend(sev_lines);
        frame.render_widget(Paragraph::new(sev_all), sev);
    }

    fn draw_sensitivity(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let tr = cx.tr;
        let Some(report) = &self.report else { return };
        let block = Block::default()
            .borders(Borders::ALL)
            .title(tr.t("ranking.sensitivity"));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let methods = Aggregation::ALL.map(|a| tr.t(&format!("ranking.method.{}", a.code())));
        // A column per method, wide enough for the longest name and a gap.
        let w = methods
            .iter()
            .map(|m| unicode_width::UnicodeWidthStr::width(*m))
            .max()
            .unwrap_or(0)
            .max(5)
            + 1;
        let mut lines = vec![Line::styled(
            format!(
                "{:<8} {:<24} {}",
                tr.t("review.col.id"),
                tr.t("review.col.name"),
                methods.map(|m| format!("{m:<w$}")).join("")
            ),
            theme::header(),
        )];
        for r in &report.analysis.sensitivity {
            let name = self.names.get(&r.participant).cloned().unwrap_or_default();
            let outcomes: String = r
                .outcomes
                .iter()
                .map(|o| {
                    format!(
                        "{:<w$}",
                        format!("{}{}", o.rank, if o.advances { "✓" } else { "✗" })
                    )
                })
                .collect();
            lines.push(Line::raw(format!(
                "{:<8} {:<24} {outcomes}",
                r.participant,
                fit(&name, 24)
            )));
        }
        if report.analysis.sensitivity.is_empty() {
            lines.push(Line::styled(tr.t("ranking.robust"), theme::good()));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn answer(&mut self, key: &KeyEvent, cx: &mut Cx) -> bool {
        let Some(prompt) = self.prompt.take() else {
            return false;
        };
        let prompt_ref = prompt.clone();
        let Some(stage) = self.stage.clone() else {
            return true;
        };
        match prompt_ref {
            Prompt::ConfirmClose => {
                if matches!(
                    key.code,
                    KeyCode::Char('y' | 'Y' | 'д' | 'Д') | KeyCode::Enter
                ) {
                    match cx.service.close_stage(cx.actor, &stage) {
                        Ok(f) => {
                            cx.success(cx.tr.f("ranking.closed", &[("n", &f.advancing.len())]))
                        }
                        Err(e) => cx.refused(&e),
                    }
                }
            }
            Prompt::Reopen(text) | Prompt::Tie(text) if key.code == KeyCode::Enter => {
                let result = match &prompt {
                    Prompt::Tie(_) => {
                        let (ids, reason) = text.split_once('|').unwrap_or((&text, ""));
                        cx.service.resolve_tie(
                            cx.actor,
                            &stage,
                            ids.split_whitespace().map(ParticipantId::new).collect(),
                            reason,
                        )
                    }
                    _ => cx.service.reopen_stage(cx.actor, &stage, &text),
                };
                match result {
                    Ok(()) => cx.success(cx.tr.t("ranking.done")),
                    Err(e) => cx.refused(&e),
                }
            }
            Prompt::Reopen(mut text) | Prompt::Tie(mut text) => {
                let tie = matches!(prompt, Prompt::Tie(_));
                match key.code {
                    KeyCode::Esc => return true,
                    KeyCode::Backspace => {
                        text.pop();
                    }
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        text.push(c)
                    }
                    _ => {}
                }
                self.prompt = Some(if tie {
                    Prompt::Tie(text)
                } else {
                    Prompt::Reopen(text)
                });
            }
        }
        true
    }
}

impl Pane for RankingPane {
    fn kind(&self) -> PaneKind {
        PaneKind::Ranking
    }

    fn commands(&self) -> Vec<Action> {
        let mut c = vec![
            Action::NextStage,
            Action::PrevStage,
            Action::CycleMethod,
            Action::NextView,
            Action::CloseStage,
            Action::ReopenStage,
            Action::ResolveTie,
        ];
        c.extend_from_slice(action::LIST);
        c
    }

    fn editing(&self) -> bool {
        matches!(self.prompt, Some(Prompt::Reopen(_) | Prompt::Tie(_)))
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx) -> bool {
        self.answer(key, cx)
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        let stages: Vec<StageId> = cx
            .view
            .regulation()
            .map(|r| r.rules.stages.iter().map(|s| s.id.clone()).collect())
            .unwrap_or_default();
        let i = self
            .stage
            .as_ref()
            .and_then(|s| stages.iter().position(|x| x == s))
            .unwrap_or(0);
        let n = self.row_count();
        if matches!(
            action,
            Action::CloseStage | Action::ReopenStage | Action::ResolveTie
        ) && cx.actor.role != Role::Coordinator
        {
            cx.error(cx.tr.t("jury.coordinator_only"));
            return true;
        }
        match action {
            Action::NextStage | Action::PrevStage => {
                let j = if action == Action::NextStage {
                    (i + 1).min(stages.len().saturating_sub(1))
                } else {
                    i.saturating_sub(1)
                };
                self.stage = stages.get(j).cloned();
                self.method = None;
                self.cursor = 0;
                self.load(cx);
            }
            Action::CycleMethod if self.report.as_ref().is_some_and(|r| r.frozen.is_some()) => {
                cx.info(cx.tr.t("ranking.method_frozen"));
            }
            Action::CycleMethod => {
                let current = self
                    .method
                    .or_else(|| self.report.as_ref().map(|r| r.data.declared_method()))
                    .unwrap_or(Aggregation::Mean);
                let k = Aggregation::ALL
                    .iter()
                    .position(|a| *a == current)
                    .unwrap_or(0);
                self.method = Some(Aggregation::ALL[(k + 1) % Aggregation::ALL.len()]);
                cx.info(cx.tr.f(
                    "ranking.method_now",
                    &[(
                        "method",
                        &cx.tr.t(&format!(
                            "ranking.method.{}",
                            self.method.unwrap_or(Aggregation::Mean).code()
                        )),
                    )],
                ));
            }
            Action::NextView => {
                self.view = match self.view {
                    View::Table => View::Statistics,
                    View::Statistics => View::Sensitivity,
                    View::Sensitivity => View::Table,
                }
            }
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
            Action::PageUp | Action::HalfPageUp => self.cursor = self.cursor.saturating_sub(10),
            Action::PageDown | Action::HalfPageDown => {
                self.cursor = (self.cursor + 10).min(n.saturating_sub(1))
            }
            Action::First => self.cursor = 0,
            Action::Last => self.cursor = n.saturating_sub(1),
            Action::CloseStage => self.prompt = Some(Prompt::ConfirmClose),
            Action::ReopenStage => self.prompt = Some(Prompt::Reopen(String::new())),
            Action::ResolveTie => self.prompt = Some(Prompt::Tie(String::new())),
            _ => return false,
        }
        true
    }

    fn refresh(&mut self, cx: &Cx) {
        if self.stage.is_none() {
            self.stage = cx.view.current_stage().map(|s| s.id.clone());
        }
        self.load(cx);
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let tr = cx.tr;
        let Some(report) = &self.report else {
            let text = self
                .error
                .clone()
                .unwrap_or_else(|| tr.t("ranking.nothing").to_string());
            frame.render_widget(
                Paragraph::new(text).wrap(Wrap { trim: true }).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(tr.t("pane.ranking")),
                ),
                area,
            );
            return;
        };
        let stage_name = report
            .data
            .regulation
            .stage(&report.data.stage)
            .map_or(report.data.stage.to_string(), |s| s.name.clone());
        let method = self.method.unwrap_or_else(|| report.data.declared_method());
        let ranking = report.analysis.ranking(method);
        // An earlier stage still open: this one cannot be closed yet.
        let earlier_open = cx
            .view
            .previous_stage_open(&report.data.stage)
            .map(|s| s.name.clone());
        let ready = ranking.is_final() && earlier_open.is_none();
        let state = match &report.frozen {
            Some(f) => tr.f(
                "ranking.frozen",
                &[
                    ("hash", &f.hash.chars().take(12).collect::<String>()),
                    ("at", &time::show(f.at, &cx.view.zone())),
                ],
            ),
            None if ready => tr.t("ranking.open_final").to_string(),
            None => match &earlier_open {
                Some(name) => tr.f("ranking.earlier_open", &[("name", name)]),
                None => tr.f("ranking.open_blocked", &[("n", &ranking.blockers.len())]),
            },
        };
        let head = vec![
            Line::styled(
                format!(
                    "{} · {} · {}",
                    stage_name,
                    tr.t(&format!("ranking.method.{}", method.code())),
                    tr.f("ranking.advance_n", &[("n", &ranking.advancing.len())])
                ),
                theme::heading(),
            ),
            Line::styled(
                state,
                if report.frozen.is_some() {
                    theme::good()
                } else if ready {
                    Style::default()
                } else {
                    theme::warn()
                },
            ),
        ];
        let [h, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(3)]).areas(area);
        frame.render_widget(Paragraph::new(head), h);
        match self.view {
            View::Table if body.width >= 100 => {
                let [t, d] =
                    Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)])
                        .areas(body);
                self.draw_table(frame, t, cx);
                self.draw_detail(frame, d, cx);
            }
            View::Table => self.draw_table(frame, body, cx),
            View::Statistics => self.draw_statistics(frame, body, cx),
            View::Sensitivity => self.draw_sensitivity(frame, body, cx),
        }
        if let Some(p) = &self.prompt {
            // A short title; what to type, then the typing, inside.
            let (title, lines) = match p {
                Prompt::ConfirmClose => (
                    tr.t("ranking.confirm_close"),
                    vec![Line::raw(tr.t("ranking.confirm_close_hint"))],
                ),
                Prompt::Reopen(t) => (
                    tr.t("ranking.reopen_title"),
                    vec![
                        Line::styled(tr.t("ranking.ask_reason"), theme::dim()),
                        Line::raw(format!("{t}▏")),
                    ],
                ),
                Prompt::Tie(t) => (
                    tr.t("ranking.tie_title"),
                    vec![
                        Line::styled(tr.t("ranking.ask_tie"), theme::dim()),
                        Line::raw(format!("{t}▏")),
                    ],
                ),
            };
            let popup = crate::tui::app::popup(area, 70, 7);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(Block::default().borders(Borders::ALL).title(title)),
                popup,
            );
        }
    }
}
