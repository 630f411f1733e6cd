//! The Learning pane: training events, the attendance matrix (listeners ×
//! events) that a secretary scrolls, filters and marks from the keyboard,
//! and pictures: a listener's attendance over time and per topic, and the
//! distribution of activity ratings across listeners.

use crate::domain::ids::{EventId, ParticipantId};
use crate::domain::people::Role;
use crate::domain::topic::{EventFormat, Topic};
use crate::search::fold;
use crate::tui::action::{self, Action};
use crate::tui::pane::{Cx, Pane, PaneKind};
use crate::tui::theme;
use crate::tui::widgets::fit;
use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Sparkline, Wrap};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mode {
    Matrix,
    Events,
    Pictures,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Sort {
    Rating,
    Name,
}

struct Listener {
    id: ParticipantId,
    name: String,
    rating: f64,
}

struct EventRow {
    id: EventId,
    title: String,
    topic: Topic,
    format: EventFormat,
    start: chrono::NaiveDate,
    attendees: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Saved {
    mode: Mode,
    sort: Sort,
    topic: Option<Topic>,
    format: Option<EventFormat>,
    month: Option<(i32, u32)>,
    listener: Option<ParticipantId>,
    event: Option<EventId>,
}

pub struct LearningPane {
    mode: Mode,
    sort: Sort,
    listeners: Vec<Listener>,
    /// All events by date; `shown` indexes the filtered ones.
    events: Vec<EventRow>,
    shown: Vec<usize>,
    row: usize,
    col: usize,
    topic: Option<Topic>,
    format: Option<EventFormat>,
    month: Option<(i32, u32)>,
    /// Listener and event to keep selected across refreshes.
    keep: (Option<ParticipantId>, Option<EventId>),
    page: usize,
}

impl Default for LearningPane {
    fn default() -> Self {
        Self::new()
    }
}

impl LearningPane {
    pub fn new() -> Self {
        LearningPane {
            mode: Mode::Matrix,
            sort: Sort::Rating,
            listeners: Vec::new(),
            events: Vec::new(),
            shown: Vec::new(),
            row: 0,
            col: 0,
            topic: None,
            format: None,
            month: None,
            keep: (None, None),
            page: 10,
        }
    }

    fn filter(&mut self) {
        let keep_event = self.current_event().cloned().or(self.keep.1.clone());
        self.shown = self
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                self.topic.is_none_or(|t| e.topic == t)
                    && self.format.is_none_or(|f| e.format == f)
                    && self
                        .month
                        .is_none_or(|(y, m)| e.start.year() == y && e.start.month() == m)
            })
            .map(|(i, _)| i)
            .collect();
        self.col = keep_event
            .and_then(|id| self.shown.iter().position(|&i| self.events[i].id == id))
            .unwrap_or(0);
    }

    fn current_event(&self) -> Option<&EventId> {
        self.shown.get(self.col).map(|&i| &self.events[i].id)
    }

    fn current_listener(&self) -> Option<&ParticipantId> {
        self.listeners.get(self.row).map(|l| &l.id)
    }

    fn months(&self) -> Vec<(i32, u32)> {
        let mut m: Vec<(i32, u32)> = self
            .events
            .iter()
            .map(|e| (e.start.year(), e.start.month()))
            .collect();
        m.dedup();
        m
    }

    fn filters_text(&self, cx: &Cx) -> String {
        let tr = cx.tr;
        let mut parts = Vec::new();
        if let Some(t) = self.topic {
            parts.push(tr.t(&format!("topic.{}", t.code())).to_string());
        }
        if let Some(f) = self.format {
            parts.push(tr.t(&format!("format.{}", f.code())).to_string());
        }
        if let Some((y, m)) = self.month {
            parts.push(format!("{m:02}.{y}"));
        }
        if parts.is_empty() {
            tr.t("learning.all_events").to_string()
        } else {
            parts.join(" · ")
        }
    }

    fn event_line(&self, cx: &Cx) -> Line<'static> {
        match self.shown.get(self.col).map(|&i| &self.events[i]) {
            Some(e) => Line::from(vec![
                Span::styled(format!("{} ", e.id), theme::key()),
                Span::raw(format!(
                    "{} · {} · {} · {} · ",
                    e.start.format("%d.%m.%Y"),
                    cx.tr.t(&format!("format.{}", e.format.code())),
                    cx.tr.t(&format!("topic.{}", e.topic.code())),
                    e.title
                )),
                Span::styled(
                    cx.tr.f("learning.attendees", &[("n", &e.attendees)]),
                    theme::dim(),
                ),
            ]),
            None => Line::styled(cx.tr.t("learning.no_events"), theme::dim()),
        }
    }

    fn draw_matrix(&mut self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let block = Block::default().borders(Borders::ALL).title(format!(
            "{} · {}",
            cx.tr.t("learning.matrix"),
            self.filters_text(cx)
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height < 3 || inner.width < 20 {
            return;
        }
        frame.render_widget(
            Paragraph::new(self.event_line(cx)),
            Rect { height: 1, ..inner },
        );
        let name_w = (inner.width as usize / 3).clamp(12, 28);
        let rating_w = 6;
        let cell_w = 2;
        let cols_fit = (inner.width as usize).saturating_sub(name_w + rating_w + 2) / cell_w;
        let first_col = self.col.saturating_sub(cols_fit.saturating_sub(1));
        let visible: Vec<usize> = self
            .shown
            .iter()
            .copied()
            .skip(first_col)
            .take(cols_fit)
            .collect();
        // Header: the last digits of each event id, the selected one marked.
        let mut header = vec![Span::styled(
            format!(
                "{:<name_w$}{:>rating_w$}  ",
                cx.tr.t("learning.listener"),
                cx.tr.t("review.col.rating")
            ),
            theme::header(),
        )];
        for (k, &i) in visible.iter().enumerate() {
            let id = self.events[i].id.as_str();
            let tail: String = id
                .chars()
                .rev()
                .take(cell_w)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let style = if first_col + k == self.col {
                theme::selected()
            } else {
                theme::header()
            };
            header.push(Span::styled(format!("{tail:>cell_w$}"), style));
        }
        frame.render_widget(
            Paragraph::new(Line::from(header)),
            Rect {
                y: inner.y + 1,
                height: 1,
                ..inner
            },
        );
        let rows = inner.height.saturating_sub(2) as usize;
        self.page = rows.max(1);
        let first_row = self.row.saturating_sub(rows.saturating_sub(1));
        for (line, (r, l)) in self
            .listeners
            .iter()
            .enumerate()
            .skip(first_row)
            .take(rows)
            .enumerate()
        {
            let attended = cx.view.attendance(&l.id);
            let selected_row = r == self.row;
            let base = if selected_row {
                theme::selected()
            } else {
                Style::default()
            };
            let mut spans = vec![Span::styled(
                format!(
                    "{:<name_w$}{:>rating_w$}  ",
                    fit(&l.name, name_w),
                    cx.tr.num(l.rating)
                ),
                base,
            )];
            for (k, &i) in visible.iter().enumerate() {
                let here = attended.is_some_and(|a| a.attended(&self.events[i].id));
                let cursor = selected_row && first_col + k == self.col;
                let (text, style) = match (here, cursor) {
                    (true, true) => (" ●", theme::tab_active()),
                    (false, true) => (" ·", theme::tab_active()),
                    (true, false) => (" ●", if selected_row { base } else { theme::good() }),
                    (false, false) => (" ·", if selected_row { base } else { theme::dim() }),
                };
                spans.push(Span::styled(text, style));
            }
            frame.render_widget(
                Paragraph::new(Line::from(spans)),
                Rect {
                    y: inner.y + 2 + line as u16,
                    height: 1,
                    ..inner
                },
            );
        }
    }

    fn draw_events(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let block = Block::default().borders(Borders::ALL).title(format!(
            "{} · {}",
            cx.tr.t("learning.events"),
            self.filters_text(cx)
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = inner.width as usize;
        let rows = inner.height as usize;
        let first = self.col.saturating_sub(rows.saturating_sub(1));
        let lines: Vec<Line> = self
            .shown
            .iter()
            .enumerate()
            .skip(first)
            .take(rows)
            .map(|(k, &i)| {
                let e = &self.events[i];
                let text = format!(
                    "{:<6} {} {:<12} {:<4} {:>4}  {}",
                    e.id,
                    e.start.format("%d.%m.%y"),
                    fit(cx.tr.t(&format!("format.{}", e.format.code())), 12),
                    e.topic.number(),
                    e.attendees,
                    e.title
                );
                Line::styled(
                    fit(&text, width),
                    if k == self.col {
                        theme::selected()
                    } else {
                        Style::default()
                    },
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn draw_pictures(&self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let tr = cx.tr;
        let listener = self.listeners.get(self.row);
        let title = listener.map_or(String::new(), |l| {
            format!("{} · {}", l.name, tr.num(l.rating))
        });
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!("{} · {title}", tr.t("learning.pictures")));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height < 6 {
            return;
        }
        let [spark_title, spark, bars, hist] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Percentage(50),
            Constraint::Percentage(50),
        ])
        .areas(inner);
        let attended = listener.and_then(|l| cx.view.attendance(&l.id));
        // Over time: events attended per month.
        let months = self.months();
        let per_month: Vec<u64> = months
            .iter()
            .map(|(y, m)| {
                attended.map_or(0, |a| {
                    a.events
                        .keys()
                        .filter_map(|e| cx.view.event(e))
                        .filter(|e| e.start.year() == *y && e.start.month() == *m)
                        .count() as u64
                })
            })
            .collect();
        let range = match (months.first(), months.last()) {
            (Some(a), Some(b)) => format!("{:02}.{}–{:02}.{}", a.1, a.0, b.1, b.0),
            _ => String::new(),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                tr.f("review.attendance_over_time", &[("range", &range)]),
                theme::label(),
            )),
            spark_title,
        );
        frame.render_widget(
            Sparkline::default().data(&per_month).style(theme::good()),
            spark,
        );
        // Per topic.
        let mut per_topic = [0u64; 11];
        if let Some(a) = attended {
            for e in a.events.keys().filter_map(|e| cx.view.event(e)) {
                per_topic[e.topic.index()] += 1;
            }
        }
        let bar_w = ((bars.width as usize).saturating_sub(11) / 11).clamp(1, 6) as u16;
        let topic_bars: Vec<Bar> = Topic::ALL
            .iter()
            .map(|t| {
                Bar::default()
                    .value(per_topic[t.index()])
                    .label(Line::raw(fit(
                        tr.t(&format!("topic_short.{}", t.code())),
                        bar_w as usize,
                    )))
            })
            .collect();
        frame.render_widget(
            BarChart::default()
                .block(Block::default().title(tr.t("learning.per_topic")))
                .data(BarGroup::default().bars(&topic_bars))
                .bar_width(bar_w)
                .bar_gap(1)
                .bar_style(theme::heading()),
            bars,
        );
        // Ratings across listeners.
        let max = self
            .listeners
            .iter()
            .map(|l| l.rating)
            .fold(0.0f64, f64::max);
        let bins = 10usize;
        let width = (max / bins as f64).max(1.0).ceil();
        let mut counts = vec![0u64; bins];
        for l in &self.listeners {
            let b = ((l.rating / width) as usize).min(bins - 1);
            counts[b] += 1;
        }
        let hist_w = ((hist.width as usize).saturating_sub(bins) / bins).clamp(1, 7) as u16;
        let hist_bars: Vec<Bar> = counts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                Bar::default().value(*c).label(Line::raw(fit(
                    &format!("{}", (i as f64 * width) as i64),
                    hist_w as usize,
                )))
            })
            .collect();
        frame.render_widget(
            BarChart::default()
                .block(
                    Block::default()
                        .title(tr.f("learning.histogram", &[("n", &self.listeners.len())])),
                )
                .data(BarGroup::default().bars(&hist_bars))
                .bar_width(hist_w)
                .bar_gap(1)
                .bar_style(theme::good()),
            hist,
        );
    }
}

impl Pane for LearningPane {
    fn kind(&self) -> PaneKind {
        PaneKind::Learning
    }

    fn commands(&self) -> Vec<Action> {
        let mut c = vec![
            Action::ToggleMark,
            Action::NextView,
            Action::FilterTopic,
            Action::FilterFormat,
            Action::FilterMonth,
            Action::ClearFilters,
            Action::SortNext,
            Action::Left,
            Action::Right,
        ];
        c.extend_from_slice(action::LIST);
        c
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        let page = self.page.max(1);
        let events_list = self.mode == Mode::Events;
        match action {
            Action::Up if events_list => self.col = self.col.saturating_sub(1),
            Action::Down if events_list => {
                self.col = (self.col + 1).min(self.shown.len().saturating_sub(1))
            }
            Action::Up => self.row = self.row.saturating_sub(1),
            Action::Down => self.row = (self.row + 1).min(self.listeners.len().saturating_sub(1)),
            Action::PageUp | Action::HalfPageUp => self.row = self.row.saturating_sub(page),
            Action::PageDown | Action::HalfPageDown => {
                self.row = (self.row + page).min(self.listeners.len().saturating_sub(1))
            }
            Action::First => self.row = 0,
            Action::Last => self.row = self.listeners.len().saturating_sub(1),
            Action::Left => self.col = self.col.saturating_sub(1),
            Action::Right => self.col = (self.col + 1).min(self.shown.len().saturating_sub(1)),
            Action::NextView => {
                self.mode = match self.mode {
                    Mode::Matrix => Mode::Events,
                    Mode::Events => Mode::Pictures,
                    Mode::Pictures => Mode::Matrix,
                }
            }
            Action::FilterTopic => {
                self.topic = match self.topic {
                    None => Some(Topic::ALL[0]),
                    Some(t) => Topic::ALL.get(t.index() + 1).copied(),
                };
                self.filter();
            }
            Action::FilterFormat => {
                let i = self
                    .format
                    .and_then(|f| EventFormat::ALL.iter().position(|x| *x == f));
                self.format = match i {
                    None => Some(EventFormat::ALL[0]),
                    Some(i) => EventFormat::ALL.get(i + 1).copied(),
                };
                self.filter();
            }
            Action::FilterMonth => {
                let months = self.months();
                let i = self.month.and_then(|m| months.iter().position(|x| *x == m));
                self.month = match i {
                    None => months.first().copied(),
                    Some(i) => months.get(i + 1).copied(),
                };
                self.filter();
            }
            Action::ClearFilters => {
                self.topic = None;
                self.format = None;
                self.month = None;
                self.filter();
            }
            Action::SortNext => {
                self.sort = match self.sort {
                    Sort::Rating => Sort::Name,
                    Sort::Name => Sort::Rating,
                };
                self.keep.0 = self.current_listener().cloned();
                self.refresh(cx);
            }
            Action::ToggleMark | Action::Select if self.mode == Mode::Matrix => {
                if cx.actor.role != Role::Coordinator {
                    cx.error(cx.tr.t("jury.coordinator_only"));
                    return true;
                }
                let (Some(p), Some(e)) = (
                    self.current_listener().cloned(),
                    self.current_event().cloned(),
                ) else {
                    return true;
                };
                let present = !cx.view.attendance(&p).is_some_and(|a| a.attended(&e));
                match cx.service.set_attendance(cx.actor, &p, &e, present) {
                    Ok(_) => cx.success(if present {
                        cx.tr
                            .f("learning.marked", &[("listener", &p), ("event", &e)])
                    } else {
                        cx.tr
                            .f("learning.unmarked", &[("listener", &p), ("event", &e)])
                    }),
                    Err(err) => cx.refused(&err),
                }
                self.keep = (Some(p), Some(e));
            }
            _ => return false,
        }
        self.keep = (
            self.current_listener().cloned(),
            self.current_event().cloned(),
        );
        true
    }

    fn refresh(&mut self, cx: &Cx) {
        let view = cx.view;
        let mut attendees: std::collections::HashMap<&EventId, usize> = Default::default();
        for a in view.attendance_records() {
            for e in a.events.keys() {
                *attendees.entry(e).or_default() += 1;
            }
        }
        let mut events: Vec<EventRow> = view
            .events()
            .map(|e| EventRow {
                id: e.id.clone(),
                title: e.title.clone(),
                topic: e.topic,
                format: e.format,
                start: e.start,
                attendees: attendees.get(&e.id).copied().unwrap_or(0),
            })
            .collect();
        events.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
        self.events = events;
        let mut listeners: Vec<Listener> = view
            .participants()
            .map(|p| Listener {
                id: p.id.clone(),
                name: p.full_name.clone(),
                rating: view.rating(&p.id).map_or(0.0, |r| r.total),
            })
            .collect();
        match self.sort {
            Sort::Rating => listeners
                .sort_by(|a, b| b.rating.total_cmp(&a.rating).then_with(|| a.id.cmp(&b.id))),
            Sort::Name => listeners.sort_by_cached_key(|l| {
                (l.name.chars().map(fold).collect::<String>(), l.id.clone())
            }),
        }
        self.listeners = listeners;
        let (keep_l, keep_e) = self.keep.clone();
        self.row = keep_l
            .and_then(|id| self.listeners.iter().position(|l| l.id == id))
            .unwrap_or(self.row)
            .min(self.listeners.len().saturating_sub(1));
        self.keep.1 = keep_e;
        self.filter();
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, cx: &Cx) {
        if self.events.is_empty() && self.listeners.is_empty() {
            frame.render_widget(
                Paragraph::new(cx.tr.t("learning.empty"))
                    .wrap(Wrap { trim: true })
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .title(cx.tr.t("pane.learning")),
                    ),
                area,
            );
            return;
        }
        match self.mode {
            Mode::Matrix => self.draw_matrix(frame, area, cx),
            Mode::Events => self.draw_events(frame, area, cx),
            Mode::Pictures => self.draw_pictures(frame, area, cx),
        }
    }

    fn save(&self) -> serde_json::Value {
        serde_json::to_value(Saved {
            mode: self.mode,
            sort: self.sort,
            topic: self.topic,
            format: self.format,
            month: self.month,
            listener: self.current_listener().cloned(),
            event: self.current_event().cloned(),
        })
        .unwrap_or_default()
    }

    fn restore(&mut self, state: &serde_json::Value, cx: &Cx) {
        if let Ok(s) = serde_json::from_value::<Saved>(state.clone()) {
            self.mode = s.mode;
            self.sort = s.sort;
            self.topic = s.topic;
            self.format = s.format;
            self.month = s.month;
            self.keep = (s.listener, s.event);
            self.refresh(cx);
        }
    }
}
