//! The Ranking pane: a stage's ranking (rank, participant, group, total,
//! spread, flags) with the cutoff line drawn per group, a histogram of the
//! totals, the jurors' severity, the sensitivity to the aggregation method,
//! and closing or reopening the stage.

use crate::domain::closing::CloseBlocker;
use crate::domain::ids::{ParticipantId, StageId};
use crate::domain::people::Role;
use crate::domain::ranking::{Flag, Ranking, RankingRow};
use crate::domain::regulation::{AdvanceRule, Aggregation};
use crate::service::StageReport;
use crate::text::number::{POINTS, STATISTIC};
use crate::text::time;
use crate::tui::action::{self, Action};
use crate::tui::confirm::{Answer, Confirm};
use crate::tui::pane::{Cx, Pane, PaneKind};
use crate::tui::theme;
use crate::tui::widgets::{fit, wrap, wrap_lines};
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
    Close(Confirm),
    Reopen(String),
    Tie(String),
}

/// The list of what keeps the stage from closing, open over the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BlockerList {
    /// The selected blocker.
    selected: usize,
    /// Opened by an attempt to close the stage (the list then says so).
    refused: bool,
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
    /// The explanation of the selected row opened with Enter: the first
    /// row in view (Esc closes it; the moving keys scroll it).
    explain: Option<usize>,
    /// How far the explanation scrolls, and a page of it, at the last draw.
    explain_max: usize,
    explain_page: usize,
    blockers: Option<BlockerList>,
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
            explain: None,
            explain_max: 0,
            explain_page: 10,
            blockers: None,
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

    /// The selected row's place explained: each juror's scores by
    /// criterion, the indicator points, the carry-over, the neighbours and
    /// what set it apart from them, and why it advances or not.
    fn explanation(&self, cx: &Cx) -> Vec<Line<'static>> {
        let tr = cx.tr;
        let (Some(r), Some(report), Some(ranking)) =
            (self.selected_row(cx), &self.report, self.ranking())
        else {
            return Vec::new();
        };
        let rules = &report.data.regulation;
        let stage = rules.stage(&report.data.stage);
        let label = |k: &str| Span::styled(format!("{}: ", tr.t(k)), theme::label());
        let name = |id: &ParticipantId| self.names.get(id).cloned().unwrap_or_default();
        let group = rules
            .group(&r.group)
            .map_or(r.group.to_string(), |g| g.name.clone());
        let jury: Vec<_> = stage
            .map(|s| s.jury_criteria().collect())
            .unwrap_or_default();
        let mut lines = vec![
            Line::styled(
                format!("{} · {}", name(&r.participant), r.participant),
                theme::heading(),
            ),
            Line::from(vec![
                label("ranking.place"),
                Span::raw(tr.f(
                    "ranking.place_text",
                    &[("rank", &r.rank), ("group_rank", &r.group_rank)],
                )),
                Span::styled(format!(" · {group}"), theme::dim()),
            ]),
            Line::from(vec![
                label("ranking.col.total"),
                Span::raw(tr.f(
                    if jury.is_empty() {
                        "ranking.sum_data"
                    } else {
                        "ranking.sum"
                    },
                    &[
                        ("total", &tr.num(r.total)),
                        ("jury", &tr.num(r.aggregate)),
                        (
                            "method",
                            &tr.t(&format!("ranking.method.{}", ranking.method.code())),
                        ),
                        ("indicators", &tr.num(r.indicator_part)),
                        ("carry_over", &tr.num(r.carry_over_part)),
                    ],
                )),
            ]),
        ];
        lines.extend(sheet_lines(r, report, &jury, tr));
        if let Some(stage) = stage {
            lines.extend(data_lines(r, report, stage, tr));
        }
        lines.extend(self.neighbour_lines(r, stage, cx));
        // Why it advances or not.
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            self.why(r, &ranking.rule, &group, cx),
            if r.advances {
                theme::good()
            } else {
                theme::heading()
            },
        ));
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
        lines
    }

    /// The neighbours of the row, and what set it apart from them.
    fn neighbour_lines(
        &self,
        r: &RankingRow,
        stage: Option<&crate::domain::regulation::Stage>,
        cx: &Cx,
    ) -> Vec<Line<'static>> {
        let tr = cx.tr;
        let Some(report) = &self.report else {
            return Vec::new();
        };
        let rules = &report.data.regulation;
        let name = |id: &ParticipantId| self.names.get(id).cloned().unwrap_or_default();
        let mut lines = Vec::new();
        lines.push(Line::raw(""));
        lines.push(Line::styled(tr.t("ranking.neighbours"), theme::heading()));
        let (above, below) = self.neighbours(cx);
        for (key, row) in [("ranking.above", above), ("ranking.below", below)] {
            if let Some(n) = row {
                lines.push(Line::raw(format!(
                    "  {}",
                    tr.f(
                        key,
                        &[
                            ("rank", &n.rank),
                            ("id", &n.participant),
                            ("name", &name(&n.participant)),
                            ("total", &tr.num(n.total)),
                        ],
                    )
                )));
            }
        }
        // An unbroken tie is said with the flags below.
        let decided = match (&r.decided_by, stage) {
            (Some(d), Some(s)) => tr.f(
                "ranking.decided_tie",
                &[("rule", &crate::text::describe::decided(d, rules, s, tr))],
            ),
            _ if r.flags.contains(&Flag::Tie) => String::new(),
            _ => tr.t("ranking.decided_total").to_string(),
        };
        if !decided.is_empty() {
            lines.push(Line::raw(format!("  {decided}")));
        }
        lines
    }

    /// The rows just above and below the selected one, within its group
    /// when places are given per group.
    fn neighbours(&self, cx: &Cx) -> (Option<&RankingRow>, Option<&RankingRow>) {
        let Some(ranking) = self.ranking() else {
            return (None, None);
        };
        // The table's rows in order, a heading starting a new run.
        let mut runs: Vec<Vec<usize>> = vec![Vec::new()];
        for l in self.lines(cx) {
            match l {
                Line_::Heading(_) => runs.push(Vec::new()),
                Line_::Row(i) => runs.last_mut().expect("one run").push(i),
                Line_::Cutoff(_) => {}
            }
        }
        let mut seen = 0;
        for run in runs {
            if self.cursor < seen + run.len() {
                let k = self.cursor - seen;
                let at = |k: Option<usize>| {
                    k.and_then(|k| run.get(k))
                        .and_then(|&i| ranking.rows.get(i))
                };
                return (at(k.checked_sub(1)), at(Some(k + 1)));
            }
            seen += run.len();
        }
        (None, None)
    }

    /// Why the row advances or not, by the stage's rule.
    fn why(&self, r: &RankingRow, rule: &AdvanceRule, group: &str, cx: &Cx) -> String {
        let tr = cx.tr;
        let verdict = if r.advances { "in" } else { "out" };
        match rule {
            _ if !r.advances && r.flags.contains(&Flag::Tie) => tr.t("ranking.why.tie").to_string(),
            AdvanceRule::Top(n) => tr.f(
                &format!("ranking.why.top_{verdict}"),
                &[("rank", &r.rank), ("n", n)],
            ),
            AdvanceRule::TopPerGroup(m) | AdvanceRule::Quota(m) => tr.f(
                &format!("ranking.why.group_{verdict}"),
                &[
                    ("rank", &r.group_rank),
                    ("group", &group),
                    ("n", &m.get(&r.group).copied().unwrap_or(0)),
                ],
            ),
            AdvanceRule::Threshold(t) => tr.f(
                &format!("ranking.why.threshold_{verdict}"),
                &[("total", &tr.num(r.total)), ("threshold", &tr.num(*t))],
            ),
        }
    }

    /// The explanation in a bordered panel, scrolled by `scroll` rows when
    /// `reading` (the panel opened with Enter); returns how far it scrolls.
    fn draw_explanation(
        &self,
        frame: &mut Frame,
        area: Rect,
        cx: &Cx,
        scroll: Option<usize>,
    ) -> (usize, usize) {
        let tr = cx.tr;
        let title = match (scroll, self.selected_row(cx)) {
            (Some(_), Some(r)) => {
                cx.reading_title(PaneKind::Ranking, "ranking.explain_title", &r.participant)
            }
            _ => tr.t("ranking.detail").to_string(),
        };
        let block = Block::default().borders(Borders::ALL).title(title);
        let inner = block.inner(area);
        frame.render_widget(Clear, area);
        frame.render_widget(block, area);
        let lines = wrap_lines(self.explanation(cx), inner.width as usize);
        let visible = inner.height as usize;
        let max = lines.len().saturating_sub(visible);
        let scroll = scroll.unwrap_or(0).min(max);
        frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
        (max, visible.max(1))
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
                let signed = tr.signed(v, POINTS);
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
        let Some(stage) = self.stage.clone() else {
            return true;
        };
        let tie = matches!(prompt, Prompt::Tie(_));
        match prompt {
            Prompt::Close(mut confirm) => match confirm.key(key) {
                Answer::Typing => self.prompt = Some(Prompt::Close(confirm)),
                Answer::Cancel => {}
                Answer::Go(reason) => match cx.service.close_stage(cx.actor, &stage, &reason) {
                    Ok(f) => cx.success(cx.tr.f("ranking.closed", &[("n", &f.advancing.len())])),
                    Err(e) => {
                        cx.refused(&e);
                        // Without a reason the question stays, to type one.
                        if reason.is_empty() {
                            self.prompt = Some(Prompt::Close(confirm));
                        }
                    }
                },
            },
            Prompt::Reopen(text) | Prompt::Tie(text) if key.code == KeyCode::Enter => {
                let result = if tie {
                    let (ids, reason) = text.split_once('|').unwrap_or((&text, ""));
                    cx.service.resolve_tie(
                        cx.actor,
                        &stage,
                        ids.split_whitespace().map(ParticipantId::new).collect(),
                        reason,
                    )
                } else {
                    cx.service.reopen_stage(cx.actor, &stage, &text)
                };
                match result {
                    Ok(()) => cx.success(cx.tr.t("ranking.done")),
                    Err(e) => cx.refused(&e),
                }
            }
            Prompt::Reopen(mut text) | Prompt::Tie(mut text) => {
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

    /// What closing the stage does, asked with a reason; or, while
    /// something keeps it from closing, the list of what does.
    fn ask_to_close(&mut self, cx: &mut Cx) {
        let tr = cx.tr;
        let Some(report) = &self.report else { return };
        if report.frozen.is_some() {
            cx.info(tr.f(
                "ranking.already_closed",
                &[("key", &cx.key(PaneKind::Ranking, Action::ReopenStage))],
            ));
            return;
        }
        if !report.blockers.is_empty() {
            self.blockers = Some(BlockerList {
                selected: 0,
                refused: true,
            });
            return;
        }
        let rules = &report.data.regulation;
        let stage = rules.stage(&report.data.stage);
        let name = stage.map_or(report.data.stage.to_string(), |s| s.name.clone());
        let last = rules.stages.last().map(|s| &s.id) == Some(&report.data.stage);
        let ranking = report.declared();
        let method = tr.t(&format!("ranking.method.{}", ranking.method.code()));
        let lines = vec![
            tr.f(
                if last {
                    "ranking.close_what_final"
                } else {
                    "ranking.close_what"
                },
                &[
                    ("n", &ranking.advancing.len()),
                    ("ranked", &ranking.rows.len()),
                    ("method", &method),
                ],
            ),
            tr.f(
                "ranking.close_undo",
                &[("key", &cx.key(PaneKind::Ranking, Action::ReopenStage))],
            ),
        ];
        self.prompt = Some(Prompt::Close(Confirm::new(
            tr.f("ranking.close_title", &[("stage", &name)]),
            lines,
            tr.t("ranking.close_go").to_string(),
        )));
    }

    /// Goes to where the selected blocker is cleared: a participant's
    /// jurors in the Jury pane, the tie's order here, the earlier stage.
    fn fix_blocker(&mut self, cx: &mut Cx) {
        let Some(list) = self.blockers.take() else {
            return;
        };
        let Some(b) = self
            .report
            .as_ref()
            .and_then(|r| r.blockers.get(list.selected))
            .cloned()
        else {
            return;
        };
        match b {
            CloseBlocker::MissingSheets { participant, .. } => {
                cx.switch_to = Some(PaneKind::Jury);
                cx.show = Some(participant);
            }
            CloseBlocker::TieAtCutoff { participants, .. } => {
                let ids: Vec<String> = participants.iter().map(|p| p.to_string()).collect();
                self.prompt = Some(Prompt::Tie(format!("{} | ", ids.join(" "))));
                cx.info(cx.tr.t("ranking.tie_order_hint"));
            }
            CloseBlocker::EarlierStageOpen { stage, .. } => {
                self.stage = Some(stage);
                self.method = None;
                self.cursor = 0;
                self.load(cx);
            }
        }
    }

    /// The blockers, each a headline and its details, the selected one
    /// marked, over `area`; the last line says the keys.
    fn draw_blockers(&self, frame: &mut Frame, area: Rect, list: BlockerList, cx: &Cx) {
        let tr = cx.tr;
        let Some(report) = &self.report else { return };
        let stage = report
            .data
            .regulation
            .stage(&report.data.stage)
            .map_or(report.data.stage.to_string(), |s| s.name.clone());
        let block = Block::default().borders(Borders::ALL).title(tr.f(
            "ranking.blockers_title",
            &[("stage", &stage), ("n", &report.blockers.len())],
        ));
        let inner = block.inner(area);
        frame.render_widget(Clear, area);
        frame.render_widget(block, area);
        let width = inner.width as usize;
        let enter = cx.key(PaneKind::Ranking, Action::Select);
        let name = |p: &ParticipantId| self.names.get(p).cloned().unwrap_or_default();
        // Every blocker's lines, wrapped, with where the selected one starts.
        let mut lines: Vec<Line> = Vec::new();
        let mut selected = (0, 0);
        for (i, b) in report.blockers.iter().enumerate() {
            let start = lines.len();
            let words =
                crate::text::describe::close_blocker(b, &report.data.regulation, &name, &enter, tr);
            for (k, w) in words.iter().enumerate() {
                let style = match (i == list.selected, k) {
                    (true, 0) => theme::selected(),
                    (_, 0) => theme::warn(),
                    (true, _) => Style::default(),
                    _ => theme::dim(),
                };
                let indent = w.len() - w.trim_start().len();
                for (n, part) in wrap(w.trim_start(), width.saturating_sub(indent).max(10))
                    .into_iter()
                    .enumerate()
                {
                    let pad = if k == 0 && n > 0 { 2 } else { indent };
                    lines.push(Line::styled(format!("{}{part}", " ".repeat(pad)), style));
                }
            }
            if i == list.selected {
                selected = (start, lines.len());
            }
        }
        let mut top: Vec<Line> = Vec::new();
        if list.refused {
            top.push(Line::styled(tr.t("ranking.cannot_close"), theme::heading()));
        }
        let keys = tr.f(
            "ranking.blockers_keys",
            &[
                ("up", &cx.key(PaneKind::Ranking, Action::Up)),
                ("down", &cx.key(PaneKind::Ranking, Action::Down)),
                ("select", &enter),
                ("back", &cx.key(PaneKind::Ranking, Action::Back)),
            ],
        );
        let bottom: Vec<Line> = wrap(&keys, width.max(1))
            .into_iter()
            .map(|l| Line::styled(l, theme::dim()))
            .collect();
        let room = (inner.height as usize).saturating_sub(top.len() + bottom.len());
        // Scrolled so that the whole selected blocker is in view.
        let scroll = selected
            .1
            .saturating_sub(room)
            .min(selected.0)
            .min(lines.len().saturating_sub(room));
        let mut shown = top;
        shown.extend(lines.into_iter().skip(scroll).take(room));
        while shown.len() < (inner.height as usize).saturating_sub(bottom.len()) {
            shown.push(Line::raw(""));
        }
        shown.extend(bottom);
        frame.render_widget(Paragraph::new(shown), inner);
    }
}

impl Pane for RankingPane {
    fn kind(&self) -> PaneKind {
        PaneKind::Ranking
    }

    fn methods(
        &self,
        rules: &crate::domain::regulation::Regulation,
        tr: &crate::text::I18n,
    ) -> Vec<crate::text::methods::Part> {
        let stage = self.stage.as_ref().and_then(|s| rules.stage(s));
        match stage {
            Some(stage) => crate::text::methods::ranking(Some((rules, stage)), tr),
            None => crate::text::methods::ranking(None, tr),
        }
    }

    fn commands(&self) -> Vec<Action> {
        let mut c = vec![
            Action::NextStage,
            Action::PrevStage,
            Action::CycleMethod,
            Action::NextView,
            Action::ShowBlockers,
            Action::CloseStage,
            Action::ReopenStage,
            Action::ResolveTie,
        ];
        c.extend_from_slice(action::LIST);
        c
    }

    fn editing(&self) -> bool {
        self.prompt.is_some()
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx) -> bool {
        self.answer(key, cx)
    }

    fn on_paste(&mut self, text: &str, _cx: &mut Cx) -> bool {
        match &mut self.prompt {
            Some(Prompt::Close(c)) => c.paste(text),
            Some(Prompt::Reopen(t) | Prompt::Tie(t)) => {
                t.push_str(text.lines().next().unwrap_or(""))
            }
            None => return false,
        }
        true
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
        if let Some(mut list) = self.blockers {
            let count = self.report.as_ref().map_or(0, |r| r.blockers.len());
            match action {
                Action::Select => self.fix_blocker(cx),
                Action::Back | Action::ShowBlockers => self.blockers = None,
                a => match action::moved(a, list.selected, count) {
                    Some(i) => {
                        list.selected = i;
                        self.blockers = Some(list);
                    }
                    // Anything else closes the list and does what it does.
                    None => {
                        self.blockers = None;
                        return self.on_action(action, cx);
                    }
                },
            }
            return true;
        }
        if let Some(scroll) = self.explain {
            let page = self.explain_page;
            let to = match action {
                Action::Up => Some(scroll.saturating_sub(1)),
                Action::Down => Some(scroll + 1),
                Action::PageUp | Action::HalfPageUp => Some(scroll.saturating_sub(page)),
                Action::PageDown | Action::HalfPageDown => Some(scroll + page),
                Action::First => Some(0),
                Action::Last => Some(self.explain_max),
                Action::Select | Action::Back => None,
                // Anything else closes the panel and does what it does.
                _ => {
                    self.explain = None;
                    return self.on_action(action, cx);
                }
            };
            self.explain = to.map(|s| s.min(self.explain_max));
            return true;
        }
        match action {
            Action::Select if self.view == View::Table && self.selected_row(cx).is_some() => {
                self.explain = Some(0);
            }
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
            Action::CloseStage => self.ask_to_close(cx),
            Action::ShowBlockers => match &self.report {
                Some(r) if r.frozen.is_some() => cx.info(cx.tr.f(
                    "ranking.already_closed",
                    &[("key", &cx.key(PaneKind::Ranking, Action::ReopenStage))],
                )),
                Some(r) if r.blockers.is_empty() => cx.info(cx.tr.f(
                    "ranking.nothing_blocks",
                    &[("key", &cx.key(PaneKind::Ranking, Action::CloseStage))],
                )),
                Some(_) => {
                    self.explain = None;
                    self.blockers = Some(BlockerList {
                        selected: 0,
                        refused: false,
                    })
                }
                None => {}
            },
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
        // The list follows what is left to clear.
        let left = self.report.as_ref().map_or(0, |r| r.blockers.len());
        self.blockers = self.blockers.filter(|_| left > 0).map(|l| BlockerList {
            selected: l.selected.min(left - 1),
            ..l
        });
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
        let ready = report.blockers.is_empty();
        let state = match &report.frozen {
            // Ranked under rules no longer in force: reopen and close again.
            Some(_) if let Some(c) = &report.stale => tr.f(
                "ranking.stale",
                &[("at", &time::show(c.at, &cx.view.zone()))],
            ),
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
                None => tr.f(
                    "ranking.open_blocked",
                    &[
                        ("n", &report.blockers.len()),
                        ("key", &cx.key(PaneKind::Ranking, Action::ShowBlockers)),
                    ],
                ),
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
                if report.stale.is_some() {
                    theme::warn()
                } else if report.frozen.is_some() {
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
                self.draw_explanation(frame, d, cx, None);
            }
            View::Table => self.draw_table(frame, body, cx),
            View::Statistics => self.draw_statistics(frame, body, cx),
            View::Sensitivity => self.draw_sensitivity(frame, body, cx),
        }
        if let (Some(scroll), View::Table) = (self.explain, self.view) {
            let (max, page) = self.draw_explanation(frame, body, cx, Some(scroll));
            self.explain_max = max;
            self.explain_page = page;
            self.explain = Some(scroll.min(max));
        }
        if let Some(list) = self.blockers {
            self.draw_blockers(frame, body, list, cx);
        }
        // A short title; what to type, then the typing, inside.
        let (title, lines) = match &self.prompt {
            None => return,
            Some(Prompt::Close(c)) => return c.draw(frame, area, tr),
            Some(Prompt::Reopen(t)) => (
                tr.t("ranking.reopen_title"),
                vec![
                    Line::styled(tr.t("ranking.ask_reason"), theme::dim()),
                    Line::raw(format!("{t}▏")),
                ],
            ),
            Some(Prompt::Tie(t)) => (
                tr.t("ranking.tie_title"),
                vec![
                    Line::styled(tr.t("ranking.ask_tie"), theme::dim()),
                    Line::raw(format!("{t}▏")),
                ],
            ),
        };
        let popup = crate::tui::widgets::popup(area, 70, 7);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::default().borders(Borders::ALL).title(title)),
            popup,
        );
    }
}

/// Each juror's sheet of the row, criterion by criterion, outliers marked.
fn sheet_lines(
    r: &RankingRow,
    report: &StageReport,
    jury: &[&crate::domain::regulation::Criterion],
    tr: &crate::text::I18n,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    lines.push(Line::raw(""));
    lines.push(Line::styled(tr.t("ranking.sheets"), theme::heading()));
    let mut sheets: Vec<_> = report
        .data
        .sheets
        .iter()
        .filter(|sh| sh.participant == r.participant)
        .collect();
    sheets.sort_by(|a, b| a.juror.cmp(&b.juror));
    if jury.is_empty() || sheets.is_empty() {
        let key = if jury.is_empty() {
            "ranking.no_jury"
        } else {
            "ranking.no_sheets"
        };
        lines.push(Line::styled(format!("  {}", tr.t(key)), theme::dim()));
    }
    for sh in sheets {
        let status = tr.t(&format!("export.sheet.{}", sh.status.code()));
        let total = r
            .juror_totals
            .iter()
            .find(|j| j.juror == sh.juror)
            .map(|j| {
                format!(
                    " · {}",
                    tr.f("ranking.juror_total", &[("total", &tr.num(j.total))])
                )
            })
            .unwrap_or_default();
        let outlier = r
            .flags
            .iter()
            .any(|f| matches!(f, Flag::Outlier { juror } if *juror == sh.juror));
        lines.push(Line::styled(
            format!(
                "  {} · {status}{total}{}",
                sh.juror,
                if outlier { "  ⚠" } else { "" }
            ),
            if outlier {
                theme::warn()
            } else {
                theme::label()
            },
        ));
        for c in jury {
            lines.push(Line::raw(format!(
                "    {}: {}",
                c.name,
                out_of(sh.scores.get(&c.id).copied(), c.max_points, tr)
            )));
        }
    }
    lines
}

/// The points counted from data and what earlier stages bring.
fn data_lines(
    r: &RankingRow,
    report: &StageReport,
    stage: &crate::domain::regulation::Stage,
    tr: &crate::text::I18n,
) -> Vec<Line<'static>> {
    let rules = &report.data.regulation;
    let mut lines = Vec::new();
    if stage.indicator_criteria().next().is_some() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(tr.t("ranking.indicators"), theme::heading()));
        let points = report.data.indicator_points.get(&r.participant);
        for c in stage.indicator_criteria() {
            lines.push(Line::raw(format!(
                "  {}: {}",
                c.name,
                out_of(
                    Some(points.and_then(|p| p.get(&c.id)).copied().unwrap_or(0.0)),
                    c.max_points,
                    tr
                )
            )));
        }
    }
    // What earlier stages bring.
    if !stage.carry_over.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(tr.t("ranking.carry_over"), theme::heading()));
        for c in &stage.carry_over {
            let earlier = report
                .data
                .earlier_totals
                .get(&c.stage)
                .and_then(|t| t.get(&r.participant))
                .copied()
                .unwrap_or(0.0);
            let stage_name = rules
                .stage(&c.stage)
                .map_or(c.stage.to_string(), |s| s.name.clone());
            lines.push(Line::raw(format!(
                "  {stage_name}: {} × {} = {}",
                tr.num(c.weight),
                tr.num(earlier),
                tr.num(c.weight * earlier)
            )));
        }
    }
    lines
}

/// `7 / 10`, or `— / 10` without a score.
fn out_of(v: Option<f64>, max: f64, tr: &crate::text::I18n) -> String {
    format!(
        "{} / {}",
        v.map_or("—".to_string(), |v| tr.num(v)),
        tr.num(max)
    )
}
