//! The workstation: tabs of panes, the help overlay, the command palette,
//! the export dialog and the status bar.
//!
//! [`App`] knows nothing of the terminal it runs in: it takes crossterm
//! events (plain data) and draws into any ratatui [`Frame`], so a local
//! terminal and every SSH session each run their own App over one shared
//! [`Service`]. Drawing reads a snapshot ([`View`]) taken when the contest
//! last changed, so it never waits for the database.

use super::action::{self, Action};
use super::export_dialog::{self, ExportDialog};
use super::keymap::{Chord, Keymap, Lookup, format_sequence};
use super::pane::{Cx, Flash, FlashKind, Pane, PaneKind};
use super::panes;
use super::theme;
use super::widgets::{popup, wrap};
use crate::service::{Actor, Service, View};
use crate::text::I18n;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use fuzzy_matcher::FuzzyMatcher;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Tabs};
use std::sync::Arc;
use unicode_width::UnicodeWidthStr;

/// How often the working state is saved while it changes.
const PERSIST_EVERY: std::time::Duration = std::time::Duration::from_millis(300);

/// What the App needs besides the service and the actor.
pub struct AppOptions {
    pub tr: I18n,
    pub keymap: Keymap,
    /// How the status bar names the database.
    pub db_label: String,
    /// The person's own keymap file, applied again when the keys are
    /// switched between default and vim (none over SSH).
    pub user_keymap: Option<std::path::PathBuf>,
}

enum Overlay {
    None,
    Help { scroll: usize },
    Palette(Palette),
    Export(Box<ExportDialog>),
}

struct Palette {
    input: String,
    selected: usize,
}

/// One workstation session.
pub struct App {
    service: Arc<Service>,
    actor: Actor,
    tr: I18n,
    keymap: Keymap,
    user_keymap: Option<std::path::PathBuf>,
    db_label: String,
    /// In a session of `konkurs serve`: where exports go.
    exports: Option<crate::tui::export_dialog::Exports>,
    view: View,
    generation: u64,
    panes: Vec<Box<dyn Pane>>,
    stale: Vec<bool>,
    active: usize,
    overlay: Overlay,
    pending: Vec<Chord>,
    flash: Option<Flash>,
    quit: bool,
    /// The working state last saved to the database, to save only changes.
    saved_session: Option<serde_json::Value>,
    last_persist: std::time::Instant,
}

impl App {
    /// The workstation of a served contest: exports are written to the
    /// exports directory and fetched with scp or sftp.
    pub fn with_exports(mut self, exports: crate::tui::export_dialog::Exports) -> App {
        self.exports = Some(exports);
        self
    }

    pub fn new(service: Arc<Service>, actor: Actor, options: AppOptions) -> App {
        let generation = service.generation();
        let view = service.view(&actor);
        let panes = panes::all(&actor);
        let n = panes.len();
        let mut app = App {
            service,
            actor,
            tr: options.tr,
            keymap: options.keymap,
            user_keymap: options.user_keymap,
            db_label: options.db_label,
            exports: None,
            view,
            generation,
            panes,
            stale: vec![true; n],
            active: 0,
            overlay: Overlay::None,
            pending: Vec::new(),
            flash: None,
            quit: false,
            saved_session: None,
            last_persist: std::time::Instant::now(),
        };
        app.refresh_active();
        if let Ok(Some(bytes)) = app.service.session(&app.actor)
            && let Ok(state) = serde_json::from_slice::<serde_json::Value>(&bytes)
        {
            app.restore_session(&state);
            app.saved_session = Some(state);
        }
        app
    }

    /// Saves the working state (pane, selection, unsaved comment) when it
    /// changed, so that a dropped connection loses nothing.
    pub fn persist_session(&mut self) {
        self.last_persist = std::time::Instant::now();
        let state = self.session_state();
        if self.saved_session.as_ref() == Some(&state) {
            return;
        }
        if let Ok(bytes) = serde_json::to_vec(&state)
            && self.service.save_session(&self.actor, &bytes).is_ok()
        {
            self.saved_session = Some(state);
        }
    }

    pub fn quit_requested(&self) -> bool {
        self.quit
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn active_pane(&self) -> PaneKind {
        self.panes[self.active].kind()
    }

    /// A fresh context over the current view, with the panes it is handed
    /// to: both borrow parts of the app, so they come out together.
    fn cx_and_panes(&mut self) -> (Cx<'_>, &mut [Box<dyn Pane>]) {
        let cx = Cx {
            service: &self.service,
            actor: &self.actor,
            view: &self.view,
            tr: &self.tr,
            keymap: &self.keymap,
            flash: None,
            switch_to: None,
            show: None,
        };
        (cx, &mut self.panes)
    }

    /// Runs `f` with a context over the current view, then keeps what the
    /// handler asked for (a message, a pane switch).
    fn with_pane<R>(&mut self, f: impl FnOnce(&mut dyn Pane, &mut Cx) -> R) -> R {
        let active = self.active;
        let (mut cx, panes) = self.cx_and_panes();
        let r = f(panes[active].as_mut(), &mut cx);
        let (flash, switch, show) = (cx.flash, cx.switch_to, cx.show);
        if flash.is_some() {
            self.flash = flash;
        }
        if let Some(kind) = switch {
            self.go(kind);
            if let Some(p) = show {
                self.show_participant(&p);
            }
        }
        r
    }

    /// Has the active pane show `participant` (another pane sent the
    /// person there); keeps the message it leaves.
    fn show_participant(&mut self, participant: &crate::domain::ids::ParticipantId) {
        self.with_pane(|pane, cx| pane.show_participant(participant, cx));
    }

    fn refresh_active(&mut self) {
        if self.stale[self.active] {
            self.stale[self.active] = false;
            let active = self.active;
            let (cx, panes) = self.cx_and_panes();
            panes[active].refresh(&cx);
        }
    }

    /// Switches between the default and the vim keys (the person's own
    /// keymap file applied again on top).
    fn switch_keys(&mut self) {
        let vim = self.keymap.sources.iter().any(|s| s.ends_with("vim.toml"));
        let target = if vim { "default" } else { "vim" };
        match Keymap::load(target, self.user_keymap.as_deref()) {
            Ok(map) => {
                self.keymap = map;
                self.pending.clear();
                self.flash = Some(Flash {
                    text: self.tr.f("status.keys_switched", &[("keys", &target)]),
                    kind: FlashKind::Success,
                });
            }
            Err(e) => {
                self.flash = Some(Flash {
                    text: e.to_string(),
                    kind: FlashKind::Error,
                })
            }
        }
    }

    /// Picks up changes made elsewhere (other sessions, the CLI). Returns
    /// whether the screen should be redrawn.
    pub fn tick(&mut self) -> bool {
        if self.last_persist.elapsed() >= PERSIST_EVERY {
            self.persist_session();
        }
        let mut redraw = false;
        if let Overlay::Export(d) = &mut self.overlay {
            let (changed, finished) = d.poll();
            redraw = changed;
            if finished.is_some() {
                self.flash = finished;
            }
        }
        let g = self.service.generation();
        if g == self.generation {
            return redraw;
        }
        self.generation = g;
        self.view = self.service.view(&self.actor);
        self.stale.iter_mut().for_each(|s| *s = true);
        self.refresh_active();
        true
    }

    fn go(&mut self, kind: PaneKind) {
        if let Some(i) = self.panes.iter().position(|p| p.kind() == kind) {
            self.active = i;
            self.pending.clear();
            self.refresh_active();
        }
    }

    /// Handles one input event.
    pub fn handle(&mut self, event: &Event) {
        match event {
            Event::Key(k) if k.kind != KeyEventKind::Release => self.key(k),
            Event::Paste(text) => {
                if let Overlay::Palette(p) = &mut self.overlay {
                    p.input.push_str(text.lines().next().unwrap_or(""));
                    p.selected = 0;
                } else if let Overlay::Export(d) = &mut self.overlay {
                    d.paste(text);
                } else {
                    self.with_pane(|p, cx| p.on_paste(text, cx));
                }
            }
            _ => {}
        }
        self.tick();
    }

    fn key(&mut self, k: &KeyEvent) {
        match &mut self.overlay {
            Overlay::Help { scroll } => {
                match k.code {
                    KeyCode::Down | KeyCode::Char('j') => *scroll += 1,
                    KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                    KeyCode::PageDown => *scroll += 10,
                    KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                    _ => self.overlay = Overlay::None,
                }
                return;
            }
            Overlay::Palette(p) => {
                match k.code {
                    KeyCode::Esc => self.overlay = Overlay::None,
                    KeyCode::Enter => {
                        let chosen = self
                            .palette_matches()
                            .get(p_selected(&self.overlay))
                            .copied();
                        self.overlay = Overlay::None;
                        if let Some(a) = chosen {
                            self.dispatch(a);
                        }
                    }
                    KeyCode::Down | KeyCode::Tab => p.selected += 1,
                    KeyCode::Up | KeyCode::BackTab => p.selected = p.selected.saturating_sub(1),
                    KeyCode::Backspace => {
                        p.input.pop();
                        p.selected = 0;
                    }
                    KeyCode::Char('u') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                        p.input.clear();
                        p.selected = 0;
                    }
                    KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                        p.input.push(c);
                        p.selected = 0;
                    }
                    _ => {}
                }
                return;
            }
            Overlay::Export(d) => {
                if d.key(k, &self.service, &self.actor) == export_dialog::Outcome::Close {
                    self.overlay = Overlay::None;
                }
                return;
            }
            Overlay::None => {}
        }
        if self.pending.is_empty() && self.with_pane(|p, cx| p.on_key(k, cx)) {
            return;
        }
        if self.panes[self.active].editing() {
            return;
        }
        self.pending.push(Chord::from_event(k));
        let section = self.panes[self.active].kind().name();
        match self.keymap.lookup(section, &self.pending) {
            Lookup::Action(a) => {
                let keys = std::mem::take(&mut self.pending);
                // A pane key the pane has no use for now (digits in Scoring
                // for a coordinator) does what it does everywhere else.
                if !self.dispatch(a)
                    && let Lookup::Action(general) = self.keymap.lookup("", &keys)
                    && general != a
                {
                    self.dispatch(general);
                }
            }
            Lookup::Prefix { .. } => {}
            Lookup::Unbound => {
                let last = self.pending.pop();
                if self.pending.is_empty() {
                    return;
                }
                // The keys so far were a prefix that did not complete: do
                // what they mean alone, then read the new key afresh.
                let before = self.keymap.lookup(section, &self.pending);
                self.pending.clear();
                if let Lookup::Prefix { exact: Some(a) } = before {
                    self.dispatch(a);
                }
                if last.is_some() {
                    self.key(k);
                }
            }
        }
    }

    /// Does what an action asks: global ones here, the rest in the pane.
    /// Returns false when it went to the pane and the pane had no use for it.
    pub fn dispatch(&mut self, action: Action) -> bool {
        match action {
            Action::Quit => {
                self.persist_session();
                self.quit = true
            }
            Action::Help => self.overlay = Overlay::Help { scroll: 0 },
            Action::Palette => {
                self.overlay = Overlay::Palette(Palette {
                    input: String::new(),
                    selected: 0,
                })
            }
            Action::Export if self.actor.role == crate::domain::people::Role::Juror => {
                self.flash = Some(Flash {
                    text: self.tr.t("export_dialog.not_for_jurors").into(),
                    kind: FlashKind::Error,
                });
            }
            Action::Export => {
                self.overlay = Overlay::Export(Box::new(ExportDialog::new(
                    &self.view,
                    self.tr,
                    self.service.path(),
                    self.exports.clone(),
                )));
            }
            Action::NextPane => {
                let next = (self.active + 1) % self.panes.len();
                self.go(self.panes[next].kind());
            }
            Action::PrevPane => {
                let prev = (self.active + self.panes.len() - 1) % self.panes.len();
                self.go(self.panes[prev].kind());
            }
            Action::SwitchKeys => self.switch_keys(),
            Action::SwitchLanguage => {
                self.tr = I18n::new(self.tr.lang.other());
                // Panes keep text made at their last refresh.
                self.stale.iter_mut().for_each(|s| *s = true);
                self.refresh_active();
                self.flash = Some(Flash {
                    text: self.tr.t("status.language_switched").into(),
                    kind: FlashKind::Success,
                });
            }
            Action::Refresh => {
                self.generation = u64::MAX;
                self.tick();
                self.flash = Some(Flash {
                    text: self.tr.t("status.refreshed").into(),
                    kind: FlashKind::Info,
                });
            }
            a => {
                if let Some(kind) = PaneKind::ALL.into_iter().find(|k| k.go_action() == a) {
                    self.go(kind);
                    return true;
                }
                let used = self.with_pane(|p, cx| p.on_action(a, cx));
                if !used && a == Action::Back {
                    self.flash = None;
                }
                return used;
            }
        }
        true
    }

    /// The actions the palette shows for its input, best first.
    fn palette_matches(&self) -> Vec<Action> {
        let Overlay::Palette(p) = &self.overlay else {
            return Vec::new();
        };
        let matcher = fuzzy_matcher::skim::SkimMatcherV2::default().ignore_case();
        let query: String = p.input.chars().map(crate::search::fold).collect();
        let section = self.active_pane().name();
        let mut scored: Vec<(i64, usize, Action)> = Action::ALL
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                // Found by its words in either language, and by its name.
                let text = format!(
                    "{} {} {}",
                    self.tr.action(section, a.name()),
                    I18n::new(self.tr.lang.other()).action(section, a.name()),
                    a.name()
                )
                .chars()
                .map(crate::search::fold)
                .collect::<String>();
                if query.is_empty() {
                    Some((0, i, *a))
                } else {
                    matcher.fuzzy_match(&text, &query).map(|s| (s, i, *a))
                }
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, _, a)| a).collect()
    }

    /// Draws the whole screen.
    pub fn draw(&mut self, frame: &mut Frame) {
        let area = frame.area();
        if area.height < 3 || area.width < 10 {
            frame.render_widget(Paragraph::new(self.tr.t("app.too_small")), area);
            return;
        }
        let [tabs, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(self.status_height(area.width, area.height)),
        ])
        .areas(area);
        self.draw_tabs(frame, tabs);
        self.refresh_active();
        let active = self.active;
        let (cx, panes) = self.cx_and_panes();
        panes[active].draw(frame, body, &cx);
        self.draw_status(frame, status);
        match &self.overlay {
            Overlay::None => {}
            Overlay::Help { scroll } => {
                let max = self.draw_help(frame, body, *scroll);
                // Scrolled no further than the text goes, so that ↑ moves at once.
                if let Overlay::Help { scroll } = &mut self.overlay {
                    *scroll = (*scroll).min(max);
                }
            }
            Overlay::Palette(_) => self.draw_palette(frame, body),
            Overlay::Export(d) => d.draw(frame, body),
        }
    }

    fn draw_tabs(&self, frame: &mut Frame, area: Rect) {
        // The keys that switch panes from here (in Scoring, digits type scores).
        let here = self.active_pane().name();
        let tabs: Vec<(String, &str)> = self
            .panes
            .iter()
            .map(|p| {
                let key = self
                    .keymap
                    .keys_for(here, p.kind().go_action())
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                (key, self.tr.t(&format!("pane.{}", p.kind().name())))
            })
            .collect();
        let titles = fit_tabs(&tabs, self.active, area.width as usize);
        let tabs = Tabs::new(titles.into_iter().map(Line::from).collect::<Vec<_>>())
            .select(self.active)
            .style(theme::tabs())
            .highlight_style(theme::tab_active())
            .divider("│");
        frame.render_widget(tabs, area);
    }

    /// A message (or mode) that does not fit the status line beside who is
    /// working takes the status area alone, over as many lines as it needs
    /// (at most a third of the screen), so that no refusal is cut off.
    fn status_height(&self, width: u16, height: u16) -> u16 {
        let Some((text, _)) = self.status_message() else {
            return 1;
        };
        let left: usize = self.status_left().iter().map(|s| s.content.width()).sum();
        if text.width() + 2 + left <= width as usize {
            return 1;
        }
        let inner = width.saturating_sub(2).max(1) as usize;
        (super::widgets::wrap(&text, inner).len() as u16).clamp(1, (height / 3).max(1))
    }

    /// Who is working, in which role, at which stage, on which database.
    fn status_left(&self) -> Vec<Span<'static>> {
        let role = self.tr.t(&format!("role.{}", self.actor.role.code()));
        let mut left = vec![
            Span::styled(format!(" {} ", self.actor.name), theme::status_actor()),
            Span::styled(format!(" {role} "), theme::status_role()),
        ];
        if let Some(stage) = self.view.current_stage_name() {
            left.push(Span::raw(format!(" {} ", stage)));
        }
        left.push(Span::styled(format!(" {} ", self.db_label), theme::dim()));
        if !self.pending.is_empty() {
            left.push(Span::styled(
                format!(" {}… ", format_sequence(&self.pending)),
                theme::pending(),
            ));
        }
        left
    }

    /// What the status line says on its right: the pane's mode (with a
    /// refusal beside it), else the last message; `None` leaves room for the
    /// help key.
    fn status_message(&self) -> Option<(String, Style)> {
        let mode = self.panes[self.active].mode(&self.tr);
        // While saving fails, every session says so; a mode (what the keys
        // do now) still comes first, and a refused save flashes beside it.
        if let (Some(trouble), None) = (self.service.saving_trouble(), &mode) {
            let key = if trouble.full {
                "status.saving_full"
            } else {
                "status.saving_failed"
            };
            return Some((self.tr.t(key).to_string(), theme::flash(FlashKind::Error)));
        }
        match (&self.flash, mode) {
            (Some(f), Some(mode)) if f.kind == FlashKind::Error => {
                Some((format!("{} · {mode}", f.text), theme::flash(f.kind)))
            }
            (_, Some(mode)) => Some((mode.to_string(), theme::pending())),
            (Some(f), None) => Some((f.text.clone(), theme::flash(f.kind))),
            (None, None) => None,
        }
    }

    fn draw_status(&self, frame: &mut Frame, area: Rect) {
        let message = self.status_message();
        let left = self.status_left();
        let used: usize = left.iter().map(|s| s.content.width()).sum();
        let alone = message.as_ref().is_some_and(|(text, _)| {
            area.height > 1 || used + text.width() + 2 > area.width as usize
        });
        if let (true, Some((text, style))) = (alone, &message) {
            let inner = Rect {
                x: area.x + 1,
                width: area.width.saturating_sub(2),
                ..area
            };
            frame.render_widget(Block::default().style(*style), area);
            let lines: Vec<Line> = super::widgets::wrap(text, inner.width as usize)
                .into_iter()
                .map(Line::from)
                .collect();
            frame.render_widget(Paragraph::new(lines).style(*style), inner);
            return;
        }
        let right = match message {
            Some((text, style)) => Span::styled(format!(" {text} "), style),
            None => {
                let help = self
                    .keymap
                    .keys_for(self.active_pane().name(), Action::Help)
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| "?".into());
                Span::styled(
                    format!(" {help} {} ", self.tr.t("status.help")),
                    theme::dim(),
                )
            }
        };
        let right_w = right.content.width();
        let mut spans = left;
        if used + right_w < area.width as usize {
            spans.push(Span::raw(" ".repeat(area.width as usize - used - right_w)));
            spans.push(right);
        } else {
            spans.insert(0, right);
        }
        frame.render_widget(
            Paragraph::new(Line::from(spans)).style(theme::status()),
            area,
        );
    }

    /// The help overlay, generated from the pane's commands and the keymap:
    /// first how to close it, then the pane's keys, moving, and the keys
    /// that work everywhere. A description too long for the box wraps under
    /// itself, not under the keys. Returns how far it can scroll, so that
    /// the scroll stops at the last line.
    fn draw_help(&self, frame: &mut Frame, body: Rect, scroll: usize) -> usize {
        let pane = self.panes[self.active].as_ref();
        let section = pane.kind().name();
        let area = popup(body, 70, u16::MAX);
        let text_width = area.width.saturating_sub(2) as usize;
        let mut lines: Vec<Line> = vec![
            Line::styled(self.tr.t("help.close"), theme::dim()),
            Line::raw(""),
        ];
        let group = |title: &str, actions: &[Action], lines: &mut Vec<Line>| {
            lines.push(Line::styled(title.to_string(), theme::heading()));
            // Actions with the same description (the ten digits) share a line.
            let mut rows: Vec<(String, Vec<String>)> = Vec::new();
            for a in actions {
                let text = self.tr.action(section, a.name()).to_string();
                let keys = self.keymap.keys_for(section, *a);
                // An action without a key is reached from the palette (`:`)
                // by its words.
                let keys = if keys.is_empty() {
                    vec![":".to_string()]
                } else {
                    keys
                };
                match rows.iter_mut().find(|(t, _)| *t == text) {
                    Some((_, k)) => k.extend(keys),
                    None => rows.push((text, keys)),
                }
            }
            for (text, keys) in rows {
                let keys = format!("  {:<16} ", keys.join(" "));
                let indent = keys.width();
                let mut parts = wrap(&text, text_width.saturating_sub(indent).max(10)).into_iter();
                lines.push(Line::from(vec![
                    Span::styled(keys, theme::key()),
                    Span::raw(parts.next().unwrap_or_default()),
                ]));
                lines.extend(parts.map(|p| Line::raw(format!("{}{p}", " ".repeat(indent)))));
            }
            lines.push(Line::raw(""));
        };
        let own = pane.commands();
        let (listing, rest): (Vec<Action>, Vec<Action>) =
            own.into_iter().partition(|a| action::LIST.contains(a));
        group(
            &self.tr.f(
                "help.pane",
                &[("pane", &self.tr.t(&format!("pane.{section}")))],
            ),
            &rest,
            &mut lines,
        );
        if !listing.is_empty() {
            group(self.tr.t("help.moving"), &listing, &mut lines);
        }
        group(self.tr.t("help.global"), action::GLOBAL, &mut lines);
        if let Some(active) = self.view.regulation() {
            for part in pane.methods(&active.rules, &self.tr) {
                lines.push(Line::styled(part.title, theme::heading()));
                for paragraph in &part.paragraphs {
                    lines.extend(
                        wrap(paragraph, text_width.saturating_sub(2).max(10))
                            .into_iter()
                            .map(|l| Line::raw(format!("  {l}"))),
                    );
                }
                lines.push(Line::raw(""));
            }
        }
        lines.pop();
        let area = popup(body, 70, lines.len() as u16 + 2);
        let visible = area.height.saturating_sub(2) as usize;
        let max_scroll = lines.len().saturating_sub(visible);
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines)
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(self.tr.t("help.title")),
                )
                .scroll((scroll.min(max_scroll) as u16, 0)),
            area,
        );
        max_scroll
    }

    fn draw_palette(&self, frame: &mut Frame, body: Rect) {
        let Overlay::Palette(p) = &self.overlay else {
            return;
        };
        let matches = self.palette_matches();
        let selected = p.selected.min(matches.len().saturating_sub(1));
        let section = self.active_pane().name();
        let area = popup(body, 70, 14);
        let inner_rows = area.height.saturating_sub(3) as usize;
        let start = selected.saturating_sub(inner_rows.saturating_sub(1));
        let mut lines = vec![Line::from(vec![
            Span::styled(": ", theme::key()),
            Span::raw(p.input.clone()),
            Span::styled("▏", theme::cursor()),
        ])];
        for (i, a) in matches.iter().enumerate().skip(start).take(inner_rows) {
            let keys = self.keymap.keys_for(section, *a).join(", ");
            let style = if i == selected {
                theme::selected()
            } else {
                Style::default()
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<34}", self.tr.action(section, a.name())), style),
                Span::styled(format!(" {keys}"), theme::key().add_modifier(Modifier::DIM)),
            ]));
        }
        if matches.is_empty() {
            lines.push(Line::styled(self.tr.t("palette.nothing"), theme::dim()));
        }
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(self.tr.t("palette.title")),
            ),
            area,
        );
    }

    /// The panes' working state, to be restored next time.
    pub fn session_state(&self) -> serde_json::Value {
        let panes: serde_json::Map<String, serde_json::Value> = self
            .panes
            .iter()
            .map(|p| (p.kind().name().to_string(), p.save()))
            .collect();
        serde_json::json!({ "pane": self.active_pane(), "panes": panes })
    }

    /// Restores what [`App::session_state`] saved.
    pub fn restore_session(&mut self, state: &serde_json::Value) {
        if let Some(kind) = state
            .get("pane")
            .and_then(|p| serde_json::from_value::<PaneKind>(p.clone()).ok())
        {
            self.go(kind);
        }
        if let Some(panes) = state.get("panes").and_then(|p| p.as_object()) {
            for i in 0..self.panes.len() {
                let name = self.panes[i].kind().name();
                if let Some(s) = panes.get(name) {
                    let (cx, live) = self.cx_and_panes();
                    live[i].refresh(&cx);
                    live[i].restore(s, &cx);
                    self.stale[i] = false;
                }
            }
        }
    }
}

fn p_selected(overlay: &Overlay) -> usize {
    match overlay {
        Overlay::Palette(p) => p.selected,
        _ => 0,
    }
}

/// Tab titles (`key name`) that fit in `width` columns: in full when they
/// can, else the other tabs' names are cut (down to the key alone) so that
/// every key stays in view and the active tab keeps its whole name.
fn fit_tabs(tabs: &[(String, &str)], active: usize, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let longest = tabs
        .iter()
        .map(|(_, n)| n.chars().count())
        .max()
        .unwrap_or(0);
    let titles = |cut: usize| -> Vec<String> {
        tabs.iter()
            .enumerate()
            .map(|(i, (key, name))| {
                let count = name.chars().count();
                if i == active || count <= cut + 1 {
                    format!("{key} {name}")
                } else if cut == 0 {
                    key.clone()
                } else {
                    let short: String = name.chars().take(cut).collect();
                    format!("{key} {short}…")
                }
            })
            .collect()
    };
    // Each title is padded by a space on both sides; a divider between.
    let fits = |t: &[String]| {
        t.iter().map(|s| s.width() + 2).sum::<usize>() + t.len().saturating_sub(1) <= width
    };
    (0..=longest)
        .rev()
        .map(titles)
        .find(|t| fits(t))
        .unwrap_or_else(|| tabs.iter().map(|(key, _)| key.clone()).collect())
}
