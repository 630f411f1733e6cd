//! The Review pane: the participants (the applicants), sorted and filtered
//! as the secretary likes, found by typing part of a name in any alphabet,
//! with a detail panel of the selected one's profile.

use crate::domain::contest::Standing;
use crate::domain::ids::{GroupId, ParticipantId};
use crate::domain::participant::Participant;
use crate::domain::people::Role;
use crate::search::{SearchIndex, fold};
use crate::text::{I18n, Lang, describe};
use crate::tui::action::{self, Action};
use crate::tui::pane::{Cx, Pane, PaneKind};
use crate::tui::theme;
use crate::tui::widgets::{fit, marked, wrap_lines};
use chrono::Datelike;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline, Wrap};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use unicode_width::UnicodeWidthStr;

/// The table's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Column {
    Id,
    Name,
    Tos,
    Municipality,
    Group,
    Rating,
    Status,
}

const COLUMNS: [Column; 7] = [
    Column::Id,
    Column::Name,
    Column::Tos,
    Column::Municipality,
    Column::Group,
    Column::Rating,
    Column::Status,
];

impl Column {
    fn key(self) -> &'static str {
        match self {
            Column::Id => "review.col.id",
            Column::Name => "review.col.name",
            Column::Tos => "review.col.tos",
            Column::Municipality => "review.col.municipality",
            Column::Group => "review.col.group",
            Column::Rating => "review.col.rating",
            Column::Status => "review.col.status",
        }
    }
}

/// Which participants the status filter shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusFilter {
    All,
    Competing,
    Out,
}

/// One participant's row: the participant (shared with the contest, not
/// copied), their group's place in the regulation, rating and standing.
struct Row {
    p: Arc<Participant>,
    /// Index into the pane's groups (`usize::MAX` for a group the
    /// regulation does not declare).
    group: usize,
    /// `None` while the ratings are being computed.
    rating: Option<f64>,
    standing: Standing,
}

/// What the pane remembers between sessions.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Saved {
    selected: Option<ParticipantId>,
    sort: Column,
    descending: bool,
    group: Option<GroupId>,
    stage: Option<usize>,
    status: StatusFilter,
    search: String,
    detail_side: bool,
    detail_open: bool,
}

pub struct ReviewPane {
    rows: Vec<Row>,
    /// Indices into `rows` of what the table shows, in order.
    shown: Vec<usize>,
    cursor: usize,
    offset: usize,
    selected: Option<ParticipantId>,
    sort: Column,
    descending: bool,
    /// Whether the sort was chosen since the search began (else a search
    /// orders by relevance).
    sort_chosen: bool,
    group: Option<GroupId>,
    stage: Option<usize>,
    status: StatusFilter,
    query: String,
    editing: bool,
    index: Option<SearchIndex>,
    /// The index being built in the background after a refresh.
    building: Option<IndexBuild>,
    /// Matches (in row order) of earlier, shorter queries, by their
    /// [`SearchIndex::key`]: typing narrows, Backspace widens.
    narrowing: Vec<(Vec<u8>, Vec<usize>)>,
    /// Whether the query's hits are one-typo matches (nothing matched).
    typo: bool,
    /// The best hit the filters show (a row index), to select after the
    /// query changes.
    best: Option<usize>,
    /// The profile beside the table (on screens at least 100 wide).
    detail_side: bool,
    /// The profile in place of the table (Enter; Esc goes back). While it
    /// is open the moving keys scroll it: ↓ reads on, it does not move to
    /// the next participant.
    detail_open: bool,
    /// The first row of the open profile in view.
    detail_scroll: usize,
    /// How far the open profile can scroll, and a page of it, at the last
    /// draw.
    detail_max: usize,
    detail_page: usize,
    /// Rows the table showed at the last draw, for paging.
    page: usize,
    groups: Vec<(GroupId, String)>,
    stage_names: Vec<String>,
    /// The longest name, TOS and municipality, for the columns' widths.
    natural: Natural,
}

impl Default for ReviewPane {
    fn default() -> Self {
        Self::new()
    }
}

impl ReviewPane {
    pub fn new() -> Self {
        ReviewPane {
            rows: Vec::new(),
            shown: Vec::new(),
            cursor: 0,
            offset: 0,
            selected: None,
            sort: Column::Id,
            descending: false,
            sort_chosen: false,
            group: None,
            stage: None,
            status: StatusFilter::All,
            query: String::new(),
            editing: false,
            index: None,
            building: None,
            narrowing: Vec::new(),
            typo: false,
            best: None,
            detail_side: true,
            detail_open: false,
            detail_scroll: 0,
            detail_max: 0,
            detail_page: 10,
            page: 10,
            groups: Vec::new(),
            stage_names: Vec::new(),
            natural: Natural::default(),
        }
    }

    /// The hits of the current query, as row indices in relevance order.
    fn hits(&mut self) -> Vec<usize> {
        if self.index.is_none() {
            // Built on a thread since the last refresh; wait for it if the
            // first key comes before it is ready.
            self.index = match self.building.take().and_then(IndexBuild::finish) {
                Some(index) if index.len() == self.rows.len() => Some(index),
                _ => Some(build_index(&self.rows)),
            };
        }
        let index = self.index.as_ref().expect("just built");
        let key = SearchIndex::key(&self.query);
        while let Some((prev, _)) = self.narrowing.last() {
            if key.starts_with(prev) {
                break;
            }
            self.narrowing.pop();
        }
        let candidates = self.narrowing.last().map(|(_, hits)| hits.as_slice());
        let found = index.find(&self.query, candidates);
        self.typo = found.typo;
        if self.narrowing.last().is_none_or(|(prev, _)| *prev != key) {
            self.narrowing.push((key, found.matched));
        }
        found.ordered.into_iter().map(|h| h.item).collect()
    }

    /// Recomputes `shown` from the filters, the search and the sort, keeping
    /// the selected participant selected when it is still shown.
    fn recompute(&mut self) {
        let searching = !self.query.trim().is_empty();
        self.typo = false;
        let base: Vec<usize> = if searching {
            self.hits()
        } else {
            (0..self.rows.len()).collect()
        };
        let stages = self.stage_names.len();
        let mut shown: Vec<usize> = base
            .into_iter()
            .filter(|&i| {
                let r = &self.rows[i];
                self.group.as_ref().is_none_or(|g| &r.p.group == g)
                    && self.stage.is_none_or(|s| r.standing.stage(stages) >= s)
                    && match self.status {
                        StatusFilter::All => true,
                        StatusFilter::Competing => !matches!(r.standing, Standing::Out(_)),
                        StatusFilter::Out => matches!(r.standing, Standing::Out(_)),
                    }
            })
            .collect();
        self.best = shown.first().copied().filter(|_| searching);
        if !searching || self.sort_chosen {
            let rows = &self.rows;
            let groups = &self.groups;
            let group_name = |r: &Row| groups.get(r.group).map_or("", |(_, n)| n.as_str());
            let lower = |s: &str| s.chars().map(fold).collect::<String>();
            // Text columns sort by a folded copy made once per row here.
            let keys: Option<Vec<String>> = match self.sort {
                Column::Name => Some(rows.iter().map(|r| lower(&r.p.full_name)).collect()),
                Column::Tos => Some(rows.iter().map(|r| lower(&r.p.tos_name)).collect()),
                Column::Municipality => {
                    Some(rows.iter().map(|r| lower(&r.p.municipality)).collect())
                }
                _ => None,
            };
            let cmp = |a: &usize, b: &usize| {
                let (x, y) = (&rows[*a], &rows[*b]);
                let ord = match (self.sort, &keys) {
                    (_, Some(k)) => k[*a].cmp(&k[*b]),
                    (Column::Group, _) => group_name(x).cmp(group_name(y)),
                    (Column::Rating, _) => {
                        x.rating.unwrap_or(0.0).total_cmp(&y.rating.unwrap_or(0.0))
                    }
                    (Column::Status, _) => x.standing.stage(stages).cmp(&y.standing.stage(stages)),
                    _ => natural(x.p.id.as_str(), y.p.id.as_str()),
                };
                let ord = if self.descending { ord.reverse() } else { ord };
                ord.then_with(|| natural(x.p.id.as_str(), y.p.id.as_str()))
            };
            shown.sort_by(cmp);
        }
        self.shown = shown;
        self.cursor = self
            .selected
            .as_ref()
            .and_then(|sel| self.shown.iter().position(|&i| &self.rows[i].p.id == sel))
            .unwrap_or(0);
        self.selected = self
            .shown
            .get(self.cursor)
            .map(|&i| self.rows[i].p.id.clone());
    }

    /// After the query changed: the hits afresh, and the best one selected
    /// (the table scrolls to it when drawn). A widened query (Backspace)
    /// keeps the selected participant when they are still a hit.
    fn query_changed(&mut self, widened: bool) {
        let before = self.selected.clone();
        self.recompute();
        if widened && before.is_some() && self.selected == before {
            return;
        }
        if let Some(best) = self.best {
            let at = self.shown.iter().position(|&i| i == best).unwrap_or(0);
            self.select(at);
        }
    }

    /// The search line's count: the hits, or the one-typo hits as such.
    fn found_text(&self, tr: &I18n) -> String {
        let key = if self.typo {
            "review.found_typo"
        } else {
            "review.found"
        };
        tr.f(key, &[("n", &self.shown.len())])
    }

    fn select(&mut self, cursor: usize) {
        if self.shown.is_empty() {
            self.cursor = 0;
            self.selected = None;
            return;
        }
        self.cursor = cursor.min(self.shown.len() - 1);
        self.selected = Some(self.rows[self.shown[self.cursor]].p.id.clone());
    }

    fn edit_key(&mut self, key: &KeyEvent, cx: &mut Cx) -> bool {
        match key.code {
            KeyCode::Esc => {
                self.editing = false;
                self.query.clear();
                self.recompute();
            }
            KeyCode::Enter => {
                self.editing = false;
                if !self.shown.is_empty() {
                    cx.info(self.found_text(cx.tr));
                }
            }
            KeyCode::Backspace => {
                self.query.pop();
                self.query_changed(true);
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.query.clear();
                self.query_changed(true);
            }
            KeyCode::Down => self.select(self.cursor + 1),
            KeyCode::Up => self.select(self.cursor.saturating_sub(1)),
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                self.query.push(c);
                self.query_changed(false);
            }
            _ => return false,
        }
        true
    }

    fn status_text(&self, standing: Standing, cx: &Cx) -> String {
        let stage = |i: usize| self.stage_names.get(i).cloned().unwrap_or_default();
        match standing {
            Standing::Competing(i) => cx.tr.f("standing.competing", &[("stage", &stage(i))]),
            Standing::Out(i) => cx.tr.f("standing.out", &[("stage", &stage(i))]),
            Standing::Team => cx.tr.t("standing.team").to_string(),
        }
    }

    fn title(&self, cx: &Cx) -> String {
        let mut parts = vec![format!(
            "{} {}",
            cx.tr.t("pane.review"),
            cx.tr.f(
                "status.rows",
                &[("n", &self.shown.len()), ("total", &self.rows.len())]
            )
        )];
        if let Some(g) = &self.group {
            let name = self
                .groups
                .iter()
                .find(|(id, _)| id == g)
                .map_or(g.to_string(), |(_, n)| n.clone());
            parts.push(format!("{}: {name}", cx.tr.t("review.col.group")));
        }
        if let Some(s) = self.stage {
            parts.push(format!(
                "{}: {}",
                cx.tr.t("review.filter.stage"),
                self.stage_names.get(s).cloned().unwrap_or_default()
            ));
        }
        if self.status != StatusFilter::All {
            let key = match self.status {
                StatusFilter::Competing => "review.filter.competing",
                _ => "review.filter.out",
            };
            parts.push(cx.tr.t(key).to_string());
        }
        parts.join(" · ")
    }

    /// The search line above the table: the query, how many it found, the
    /// hint while nothing is typed.
    fn search_line(&self, cx: &Cx) -> Line<'static> {
        let mut spans = vec![
            Span::styled("/ ", theme::key()),
            Span::raw(self.query.clone()),
        ];
        if self.editing {
            spans.push(Span::styled("▏", theme::cursor()));
        }
        spans.push(Span::styled(
            format!("  {}", self.found_text(cx.tr)),
            if self.typo {
                theme::key()
            } else {
                theme::dim()
            },
        ));
        if self.editing && self.query.is_empty() {
            spans.push(Span::styled(
                format!("  {}", cx.tr.t("review.search_hint")),
                theme::dim(),
            ));
        }
        Line::from(spans)
    }

    /// The column headers, the sorted one with its arrow.
    fn header_line(&self, columns: &[(Column, usize)], cx: &Cx) -> Line<'static> {
        let header: Vec<Span> = columns
            .iter()
            .map(|&(c, width)| {
                let arrow = if c == self.sort && (self.sort_chosen || self.query.trim().is_empty())
                {
                    if self.descending { "▼" } else { "▲" }
                } else {
                    ""
                };
                let text = format!("{}{arrow}", cx.tr.t(c.key()));
                Span::styled(pad(&fit(&text, width), width), theme::header())
            })
            .flat_map(|s| [s, Span::raw(" ")])
            .collect();
        Line::from(header)
    }

    /// One participant's row: each column fitted, the search's hits marked.
    fn row_spans(
        &self,
        r: &Row,
        is_sel: bool,
        columns: &[(Column, usize)],
        query: &str,
        cx: &Cx,
    ) -> Vec<Span<'static>> {
        let base = if is_sel {
            theme::selected()
        } else {
            Style::default()
        };
        let mark = if is_sel { base } else { theme::matched() };
        let marks = if query.is_empty() {
            Vec::new()
        } else {
            SearchIndex::highlights(&searched_fields(&r.p), query)
        };
        let field = |f: u8| -> Vec<u16> {
            marks
                .iter()
                .filter(|(x, _)| *x == f)
                .map(|(_, c)| *c)
                .collect()
        };
        let status = self.status_text(r.standing, cx);
        let status_style = match r.standing {
            Standing::Out(_) if !is_sel => theme::dim(),
            Standing::Team if !is_sel => theme::good(),
            _ => base,
        };
        let mut spans = Vec::new();
        for &(c, width) in columns {
            let (text, f, style) = match c {
                Column::Id => (r.p.id.to_string(), Some(0u8), base),
                Column::Name => (r.p.full_name.clone(), Some(1), base),
                Column::Tos => (r.p.tos_name.clone(), Some(2), base),
                Column::Municipality => (r.p.municipality.clone(), Some(3), base),
                Column::Group => (
                    match self.groups.get(r.group) {
                        Some((id, name)) => group_label(id.as_str(), name, width, cx.tr),
                        None => fit(r.p.group.as_str(), width),
                    },
                    None,
                    base,
                ),
                Column::Rating => (
                    format!(
                        "{:>width$}",
                        r.rating.map_or("…".to_string(), |x| cx.tr.num(x))
                    ),
                    None,
                    base,
                ),
                Column::Status => (status.clone(), None, status_style),
            };
            let cut = fit(&text, width);
            let used = cut.width().min(width);
            match f {
                Some(f) => spans.extend(marked(&text, width, &field(f), style, mark)),
                None => spans.push(Span::styled(cut, style)),
            }
            spans.push(Span::styled(" ".repeat(width - used + 1), base));
        }
        spans
    }

    fn draw_table(&mut self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let block = Block::default().borders(Borders::ALL).title(self.title(cx));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let mut y = inner.y;
        let mut height = inner.height as usize;
        if self.editing || !self.query.is_empty() {
            frame.render_widget(
                Paragraph::new(self.search_line(cx)),
                Rect {
                    x: inner.x,
                    y,
                    width: inner.width,
                    height: 1,
                },
            );
            y += 1;
            height = height.saturating_sub(1);
        }
        if height == 0 {
            return;
        }
        let columns = layout_columns(inner.width as usize, &self.natural);
        frame.render_widget(
            Paragraph::new(self.header_line(&columns, cx)),
            Rect {
                x: inner.x,
                y,
                width: inner.width,
                height: 1,
            },
        );
        y += 1;
        let rows_h = height.saturating_sub(1);
        self.page = rows_h.max(1);
        if self.shown.is_empty() {
            if rows_h > 0 {
                let text = if self.rows.is_empty() && cx.actor.role == Role::Juror {
                    // A juror sees only the participants given to them.
                    cx.tr.t("review.empty_assigned")
                } else if self.rows.is_empty() {
                    cx.tr.t("review.empty")
                } else {
                    cx.tr.t("review.nothing_found")
                };
                frame.render_widget(
                    Paragraph::new(Line::styled(text, theme::dim())).wrap(Wrap { trim: true }),
                    Rect {
                        x: inner.x,
                        y,
                        width: inner.width,
                        height: rows_h as u16,
                    },
                );
            }
            return;
        }
        if self.cursor < self.offset {
            self.offset = self.cursor;
        }
        if self.cursor >= self.offset + rows_h {
            self.offset = self.cursor + 1 - rows_h.max(1);
        }
        let query = self.query.trim().to_string();
        for (line, &i) in self.shown.iter().enumerate().skip(self.offset).take(rows_h) {
            let is_sel = line == self.cursor;
            let base = if is_sel {
                theme::selected()
            } else {
                Style::default()
            };
            let spans = self.row_spans(&self.rows[i], is_sel, &columns, &query, cx);
            let line_area = Rect {
                x: inner.x,
                y: y + (line - self.offset) as u16,
                width: inner.width,
                height: 1,
            };
            frame.render_widget(Paragraph::new(Line::from(spans)).style(base), line_area);
        }
    }

    /// Scrolls the open profile by `by` rows (negative: up), within its text.
    fn scroll_detail(&mut self, by: isize) {
        self.detail_scroll = self
            .detail_scroll
            .saturating_add_signed(by)
            .min(self.detail_max);
    }

    fn draw_detail(&mut self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let title = match (&self.selected, self.detail_open) {
            // Reading the profile: say which keys scroll it and which go back.
            (Some(id), true) => cx.reading_title(PaneKind::Review, "review.detail_reading", id),
            _ => cx.tr.t("review.detail").to_string(),
        };
        let block = Block::default().borders(Borders::ALL).title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(p) = self
            .selected
            .as_ref()
            .and_then(|id| cx.view.participant(id))
        else {
            frame.render_widget(
                Paragraph::new(Line::styled(cx.tr.t("review.none_selected"), theme::dim())),
                inner,
            );
            return;
        };
        let lines = self.profile_lines(p, cx);
        let tr = cx.tr;
        let months = attendance_by_month(cx, &p.id);
        let spark_h = if months.1.is_empty() || inner.height < 12 {
            0
        } else {
            3
        };
        let [text_area, spark_area] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(spark_h)]).areas(inner);
        let lines = wrap_lines(lines, text_area.width as usize);
        let visible = text_area.height as usize;
        self.detail_page = visible.max(1);
        self.detail_max = if self.detail_open {
            lines.len().saturating_sub(visible)
        } else {
            0
        };
        self.detail_scroll = self.detail_scroll.min(self.detail_max);
        frame.render_widget(
            Paragraph::new(lines).scroll((self.detail_scroll as u16, 0)),
            text_area,
        );
        if spark_h > 0 {
            let (label_text, data) = months;
            let [title, spark] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(2)]).areas(spark_area);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    tr.f("review.attendance_over_time", &[("range", &label_text)]),
                    theme::label(),
                )),
                title,
            );
            frame.render_widget(Sparkline::default().data(&data).style(theme::good()), spark);
        }
    }

    /// The profile's text: who the participant is, their indicators, their
    /// points at the current stage, their activity rating and the notes.
    fn profile_lines(&self, p: &Participant, cx: &Cx) -> Vec<Line<'static>> {
        let tr = cx.tr;
        let label = |k: &str| Span::styled(format!("{}: ", tr.t(k)), theme::label());
        let group = cx
            .view
            .regulation()
            .and_then(|r| r.rules.group(&p.group))
            .map_or(p.group.to_string(), |g| g.name.clone());
        let mut lines = vec![
            Line::styled(p.full_name.clone(), theme::heading()),
            Line::from(vec![label("review.col.id"), Span::raw(p.id.to_string())]),
            Line::from(vec![label("review.col.tos"), Span::raw(p.tos_name.clone())]),
            Line::from(vec![
                label("review.col.municipality"),
                Span::raw(p.municipality.clone()),
            ]),
            Line::from(vec![label("review.col.group"), Span::raw(group)]),
            Line::from(vec![
                label("review.applied"),
                Span::raw(p.application_date.format("%d.%m.%Y").to_string()),
            ]),
        ];
        if !p.email.is_empty() || !p.phone.is_empty() {
            lines.push(Line::from(vec![
                label("review.contacts"),
                Span::raw(
                    [p.email.as_str(), p.phone.as_str()]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ]));
        }
        if let Some(s) = cx.view.standing(&p.id) {
            lines.push(Line::from(vec![
                label("review.col.status"),
                Span::raw(self.status_text(s, cx)),
            ]));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(tr.t("review.indicators"), theme::heading()));
        let i = p.indicators;
        for (key, v) in [
            ("indicator.implemented_projects", i.implemented_projects),
            ("indicator.awards", i.awards),
            ("indicator.reviews", i.reviews),
            ("indicator.mentoring_experience", i.mentoring_experience),
            ("indicator.site_activity", i.site_activity),
            ("indicator.creative_tasks", i.creative_tasks),
        ] {
            lines.push(Line::from(vec![label(key), Span::raw(v.to_string())]));
        }
        push_stage_points(&mut lines, p, cx);
        push_rating(&mut lines, p, cx);
        if !p.notes.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled(tr.t("review.notes"), theme::heading()));
            lines.push(Line::raw(p.notes.clone()));
        }
        lines
    }
}

/// The participant's indicator points at the current stage, under a heading,
/// when the stage gives any.
fn push_stage_points(lines: &mut Vec<Line<'static>>, p: &Participant, cx: &Cx) {
    let tr = cx.tr;
    if let Some(stage) = cx.view.current_stage() {
        let points = cx.view.indicator_points(stage, &p.id);
        if !points.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                tr.f("review.indicator_points", &[("stage", &stage.name)]),
                theme::heading(),
            ));
            for c in stage.indicator_criteria() {
                let v = points.get(&c.id).copied().unwrap_or(0.0);
                lines.push(Line::from(vec![
                    Span::styled(format!("{}: ", c.name), theme::label()),
                    Span::raw(format!("{} / {}", tr.num(v), tr.num(c.max_points))),
                ]));
            }
        }
    }
}

/// The participant's activity rating with the lines that make it up.
fn push_rating(lines: &mut Vec<Line<'static>>, p: &Participant, cx: &Cx) {
    let tr = cx.tr;
    if let Some(r) = cx.view.rating(&p.id) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            tr.f("review.rating", &[("total", &tr.num(r.total))]),
            theme::heading(),
        ));
        for l in &r.lines {
            lines.push(Line::raw(format!(
                "  {}",
                describe::activity_line(l, cx.tr)
            )));
        }
        if r.lines.is_empty() {
            lines.push(Line::styled(
                format!("  {}", tr.t("activity.nothing")),
                theme::dim(),
            ));
        }
    }
}

/// Which columns fit in `width`, with their widths, in display order. The
/// name always shows; the others join by priority while they fit at their
/// narrowest. The room left widens the name to its longest (`natural`),
/// then the municipality, then the TOS, and what is still left goes to
/// them by weight.
fn layout_columns(width: usize, natural: &Natural) -> Vec<(Column, usize)> {
    let fixed = |c: Column| match c {
        Column::Id => 6,
        Column::Rating => 7,
        Column::Group => 11,
        Column::Status => 16,
        Column::Name => 14,
        Column::Tos | Column::Municipality => 12,
    };
    let mut chosen = vec![Column::Id, Column::Name];
    let used = |cols: &[Column]| cols.iter().map(|c| fixed(*c) + 1).sum::<usize>();
    for c in [
        Column::Rating,
        Column::Municipality,
        Column::Group,
        Column::Tos,
        Column::Status,
    ] {
        let mut with = chosen.clone();
        with.push(c);
        if used(&with) <= width {
            chosen = with;
        }
    }
    let mut out: Vec<(Column, usize)> = COLUMNS
        .iter()
        .filter(|c| chosen.contains(c))
        .map(|c| (*c, fixed(*c)))
        .collect();
    let mut spare = width.saturating_sub(used(&chosen));
    for (column, longest) in [
        (Column::Name, natural.name),
        (Column::Municipality, natural.municipality),
        (Column::Tos, natural.tos),
    ] {
        if let Some((_, w)) = out.iter_mut().find(|(c, _)| *c == column) {
            let grow = longest.saturating_sub(*w).min(spare);
            *w += grow;
            spare -= grow;
        }
    }
    let weights = |c: Column| match c {
        Column::Name => 4,
        Column::Tos | Column::Municipality => 3,
        _ => 0,
    };
    let total_weight: usize = out.iter().map(|(c, _)| weights(*c)).sum();
    let mut left = spare;
    for (c, w) in out.iter_mut() {
        let extra = (spare * weights(*c)).checked_div(total_weight).unwrap_or(0);
        *w += extra;
        left -= extra;
    }
    if let Some(name) = out.iter_mut().find(|(c, _)| *c == Column::Name) {
        name.1 += left;
    }
    out
}

/// The longest text of each widening column, in display columns.
#[derive(Clone, Copy, Debug, Default)]
struct Natural {
    name: usize,
    tos: usize,
    municipality: usize,
}

impl Natural {
    fn of(rows: &[Row]) -> Natural {
        rows.iter().fold(Natural::default(), |n, r| Natural {
            name: n.name.max(r.p.full_name.width()),
            tos: n.tos.max(r.p.tos_name.width()),
            municipality: n.municipality.max(r.p.municipality.width()),
        })
    }
}

/// A group's name that fits `width`; when it does not fit, its short form
/// in the interface's language: the initials in Russian («Городские округа»
/// → «ГО», as the groups are abbreviated there anyway), the group's id in
/// English (`city`), since Russian initials mean nothing to an English reader.
fn group_label(id: &str, name: &str, width: usize, tr: &I18n) -> String {
    if name.width() <= width {
        return name.to_string();
    }
    match tr.lang {
        Lang::Ru => {
            let initials: String = name
                .split_whitespace()
                .filter_map(|w| w.chars().next())
                .flat_map(char::to_uppercase)
                .collect();
            fit(&initials, width)
        }
        Lang::En => fit(id, width),
    }
}

fn build_index(rows: &[Row]) -> SearchIndex {
    SearchIndex::new(rows.iter().map(|r| searched_fields(&r.p)))
}

/// What '/' searches in: the id, the name, the TOS and the municipality.
fn searched_fields(p: &Participant) -> [&str; 4] {
    [
        p.id.as_str(),
        p.full_name.as_str(),
        p.tos_name.as_str(),
        p.municipality.as_str(),
    ]
}

/// A search index being built on a thread. Dropping it (the list was
/// refreshed, or the session closed) stops the thread and waits for it.
struct IndexBuild {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<SearchIndex>>,
}

impl IndexBuild {
    fn start(people: Vec<Arc<Participant>>) -> IndexBuild {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            SearchIndex::new(
                people
                    .iter()
                    .take_while(|_| !flag.load(Ordering::Relaxed))
                    .map(|p| searched_fields(p)),
            )
        });
        IndexBuild {
            stop,
            thread: Some(thread),
        }
    }

    /// Waits for the index.
    fn finish(mut self) -> Option<SearchIndex> {
        self.thread.take()?.join().ok()
    }
}

impl Drop for IndexBuild {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Pads with spaces to `width` display columns.
fn pad(s: &str, width: usize) -> String {
    let w = s.width();
    if w >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - w))
    }
}

/// Compares ids so that P2 comes before P10: the text before the trailing
/// digits, then the digits as a number (without allocating).
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    fn split(s: &str) -> (&str, usize, &str) {
        let head = s.trim_end_matches(|c: char| c.is_ascii_digit());
        let digits = s[head.len()..].trim_start_matches('0');
        (head, digits.len(), digits)
    }
    let (ha, la, ta) = split(a);
    let (hb, lb, tb) = split(b);
    ha.cmp(hb)
        .then(la.cmp(&lb))
        .then_with(|| ta.cmp(tb))
        .then_with(|| a.cmp(b))
}

/// Events attended per month over the months the training ran, and the
/// range as text ("02.2021–11.2021").
fn attendance_by_month(cx: &Cx, id: &ParticipantId) -> (String, Vec<u64>) {
    let month = |d: chrono::NaiveDate| d.year() * 12 + d.month0() as i32;
    let (Some(first), Some(last)) = (
        cx.view.events().map(|e| month(e.start)).min(),
        cx.view.events().map(|e| month(e.start)).max(),
    ) else {
        return (String::new(), Vec::new());
    };
    let mut data = vec![0u64; (last - first + 1).clamp(1, 240) as usize];
    if let Some(a) = cx.view.attendance(id) {
        for e in a.events.keys().filter_map(|e| cx.view.event(e)) {
            let i = (month(e.start) - first) as usize;
            if let Some(slot) = data.get_mut(i) {
                *slot += 1;
            }
        }
    }
    let label = |m: i32| format!("{:02}.{}", m % 12 + 1, m / 12);
    (format!("{}–{}", label(first), label(last)), data)
}

impl Pane for ReviewPane {
    fn kind(&self) -> PaneKind {
        PaneKind::Review
    }

    fn commands(&self) -> Vec<Action> {
        let mut c = vec![
            Action::Search,
            Action::SortNext,
            Action::SortReverse,
            Action::FilterGroup,
            Action::FilterStage,
            Action::FilterStatus,
            Action::ClearFilters,
            Action::ToggleDetail,
        ];
        c.extend_from_slice(action::LIST);
        c
    }

    fn editing(&self) -> bool {
        self.editing
    }

    fn on_key(&mut self, key: &KeyEvent, cx: &mut Cx) -> bool {
        self.editing && self.edit_key(key, cx)
    }

    fn on_paste(&mut self, text: &str, _cx: &mut Cx) -> bool {
        if !self.editing {
            return false;
        }
        self.query.push_str(text.lines().next().unwrap_or(""));
        self.query_changed(false);
        true
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        let page = self.page.max(1);
        match action {
            Action::Search => {
                self.editing = true;
                self.sort_chosen = false;
            }
            // The open profile has the moving keys: they scroll it.
            Action::Up if self.detail_open => self.scroll_detail(-1),
            Action::Down if self.detail_open => self.scroll_detail(1),
            Action::PageUp | Action::HalfPageUp if self.detail_open => {
                self.scroll_detail(-(self.detail_page as isize))
            }
            Action::PageDown | Action::HalfPageDown if self.detail_open => {
                self.scroll_detail(self.detail_page as isize)
            }
            Action::First if self.detail_open => self.detail_scroll = 0,
            Action::Last if self.detail_open => self.detail_scroll = self.detail_max,
            Action::Up => self.select(self.cursor.saturating_sub(1)),
            Action::Down => self.select(self.cursor + 1),
            Action::PageUp => self.select(self.cursor.saturating_sub(page)),
            Action::PageDown => self.select(self.cursor + page),
            Action::HalfPageUp => self.select(self.cursor.saturating_sub(page / 2)),
            Action::HalfPageDown => self.select(self.cursor + page / 2),
            Action::First => self.select(0),
            Action::Last => self.select(self.shown.len().saturating_sub(1)),
            Action::Select => {
                self.detail_open = !self.detail_open && self.selected.is_some();
                self.detail_scroll = 0;
            }
            Action::ToggleDetail => {
                self.detail_side = !self.detail_side;
                self.detail_open = false;
            }
            Action::Back => {
                if self.detail_open {
                    self.detail_open = false;
                } else if !self.query.is_empty() {
                    self.query.clear();
                    self.recompute();
                } else {
                    return false;
                }
            }
            Action::SortNext => {
                let i = COLUMNS.iter().position(|c| *c == self.sort).unwrap_or(0);
                self.sort = COLUMNS[(i + 1) % COLUMNS.len()];
                self.descending = self.sort == Column::Rating;
                self.sort_chosen = true;
                self.recompute();
                cx.info(
                    cx.tr
                        .f("review.sorted", &[("column", &cx.tr.t(self.sort.key()))]),
                );
            }
            Action::SortReverse => {
                self.descending = !self.descending;
                self.sort_chosen = true;
                self.recompute();
            }
            Action::FilterGroup => {
                let i = self
                    .group
                    .as_ref()
                    .and_then(|g| self.groups.iter().position(|(id, _)| id == g));
                self.group = match i {
                    None => self.groups.first().map(|(g, _)| g.clone()),
                    Some(i) => self.groups.get(i + 1).map(|(g, _)| g.clone()),
                };
                self.recompute();
            }
            Action::FilterStage => {
                self.stage = match self.stage {
                    None if !self.stage_names.is_empty() => Some(0),
                    Some(s) if s + 1 < self.stage_names.len() => Some(s + 1),
                    _ => None,
                };
                self.recompute();
            }
            Action::FilterStatus => {
                self.status = match self.status {
                    StatusFilter::All => StatusFilter::Competing,
                    StatusFilter::Competing => StatusFilter::Out,
                    StatusFilter::Out => StatusFilter::All,
                };
                self.recompute();
            }
            Action::ClearFilters => {
                self.group = None;
                self.stage = None;
                self.status = StatusFilter::All;
                self.query.clear();
                self.recompute();
                cx.info(cx.tr.t("review.filters_cleared"));
            }
            _ => return false,
        }
        true
    }

    fn refresh(&mut self, cx: &Cx) {
        let view = cx.view;
        let rules = view.regulation().map(|r| &r.rules);
        self.groups = rules
            .map(|r| {
                r.groups
                    .iter()
                    .map(|g| (g.id.clone(), g.name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        self.stage_names = rules
            .map(|r| r.stages.iter().map(|s| s.name.clone()).collect())
            .unwrap_or_default();
        let group_index: BTreeMap<&GroupId, usize> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, (g, _))| (g, i))
            .collect();
        self.rows = view
            .participants_shared()
            .map(|p| Row {
                group: group_index.get(&p.group).copied().unwrap_or(usize::MAX),
                rating: view.rating(&p.id).map(|r| r.total),
                standing: view.standing(&p.id).unwrap_or(Standing::Competing(0)),
                p: p.clone(),
            })
            .collect();
        self.natural = Natural::of(&self.rows);
        self.index = None;
        self.narrowing.clear();
        // Large lists get their search index built before the first '/'.
        self.building = (self.rows.len() > 5_000)
            .then(|| IndexBuild::start(self.rows.iter().map(|r| r.p.clone()).collect()));
        self.recompute();
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, cx: &Cx) {
        if self.detail_open {
            self.draw_detail(frame, area, cx);
        } else if self.detail_side && area.width >= 100 {
            // The profile reads well at 40 to 50 columns; the table takes
            // the rest, so that a wide screen shows whole names.
            let profile = (area.width * 42 / 100).clamp(40, 50);
            let [table, detail] =
                Layout::horizontal([Constraint::Min(1), Constraint::Length(profile)]).areas(area);
            self.draw_table(frame, table, cx);
            self.draw_detail(frame, detail, cx);
        } else {
            self.draw_table(frame, area, cx);
        }
    }

    fn save(&self) -> serde_json::Value {
        serde_json::to_value(Saved {
            selected: self.selected.clone(),
            sort: self.sort,
            descending: self.descending,
            group: self.group.clone(),
            stage: self.stage,
            status: self.status,
            search: self.query.clone(),
            detail_side: self.detail_side,
            detail_open: self.detail_open,
        })
        .unwrap_or_default()
    }

    fn restore(&mut self, state: &serde_json::Value, _cx: &Cx) {
        if let Ok(s) = serde_json::from_value::<Saved>(state.clone()) {
            self.selected = s.selected;
            self.sort = s.sort;
            self.descending = s.descending;
            self.group = s.group;
            self.stage = s.stage;
            self.status = s.status;
            self.query = s.search;
            self.detail_side = s.detail_side;
            self.detail_open = s.detail_open;
            self.recompute();
        }
    }
}
