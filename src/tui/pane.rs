//! What a pane is: a component that owns its state, handles the actions it
//! lists, and draws itself from the current view of the contest.

use super::action::Action;
use super::keymap::Keymap;
use crate::service::{Actor, Service, View};
use crate::text::I18n;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use serde::{Deserialize, Serialize};

/// The panes, in tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaneKind {
    Review,
    Scoring,
    Ranking,
    Mentoring,
    Learning,
    Jury,
}

impl PaneKind {
    pub const ALL: [PaneKind; 6] = [
        PaneKind::Review,
        PaneKind::Scoring,
        PaneKind::Ranking,
        PaneKind::Mentoring,
        PaneKind::Learning,
        PaneKind::Jury,
    ];

    /// The keymap section and catalogue key of the pane.
    pub fn name(self) -> &'static str {
        match self {
            PaneKind::Review => "review",
            PaneKind::Scoring => "scoring",
            PaneKind::Ranking => "ranking",
            PaneKind::Mentoring => "mentoring",
            PaneKind::Learning => "learning",
            PaneKind::Jury => "jury",
        }
    }

    pub fn go_action(self) -> Action {
        match self {
            PaneKind::Review => Action::GoReview,
            PaneKind::Scoring => Action::GoScoring,
            PaneKind::Ranking => Action::GoRanking,
            PaneKind::Mentoring => Action::GoMentoring,
            PaneKind::Learning => Action::GoLearning,
            PaneKind::Jury => Action::GoJury,
        }
    }
}

/// How a message in the status bar should look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashKind {
    Info,
    Success,
    Error,
}

/// A short message in the status bar: "saved", "submitted", an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub kind: FlashKind,
}

/// What a pane may use while it handles an event or draws.
pub struct Cx<'a> {
    pub service: &'a Service,
    pub actor: &'a Actor,
    pub view: &'a View,
    pub tr: &'a I18n,
    pub keymap: &'a Keymap,
    /// Set by a handler to tell the user what happened.
    pub flash: Option<Flash>,
    /// Set by a handler to move to another pane.
    pub switch_to: Option<PaneKind>,
    /// Set with `switch_to`: the participant the pane moved to should show
    /// (a blocker's participant, shown in the Jury pane).
    pub show: Option<crate::domain::ids::ParticipantId>,
}

impl Cx<'_> {
    pub fn info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            kind: FlashKind::Info,
        });
    }

    pub fn success(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            kind: FlashKind::Success,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            kind: FlashKind::Error,
        });
    }

    /// The service's refusal, in the person's language.
    pub fn refused(&mut self, e: &crate::service::ServiceError) {
        self.error(e.words(self.tr));
    }

    /// The title of a panel being read, from the catalogue entry `key`:
    /// `{id}` what is read, `{up}{down} {page_up} {page_down}` the keys
    /// that scroll it, `{back}` the key that leaves it.
    pub fn reading_title(&self, pane: PaneKind, key: &str, id: &dyn std::fmt::Display) -> String {
        self.tr.f(
            key,
            &[
                ("id", &id.to_string()),
                ("up", &self.key(pane, Action::Up)),
                ("down", &self.key(pane, Action::Down)),
                ("page_up", &self.key(pane, Action::PageUp)),
                ("page_down", &self.key(pane, Action::PageDown)),
                ("back", &self.key(pane, Action::Back)),
            ],
        )
    }

    /// The first key bound to `action` in `pane`, for hints ("press s").
    pub fn key(&self, pane: PaneKind, action: Action) -> String {
        self.keymap
            .keys_for(pane.name(), action)
            .into_iter()
            .next()
            .unwrap_or_else(|| format!(": {}", self.tr.action(pane.name(), action.name())))
    }
}

/// A pane of the workstation.
pub trait Pane {
    fn kind(&self) -> PaneKind;

    /// The actions this pane handles beyond the global ones; the help
    /// overlay lists them with their keys.
    fn commands(&self) -> Vec<Action>;

    /// A key before the keymap sees it. Panes with text input (a search
    /// box, a comment) take keys here while editing.
    fn on_key(&mut self, _key: &KeyEvent, _cx: &mut Cx) -> bool {
        false
    }

    /// Pasted text (bracketed paste).
    fn on_paste(&mut self, _text: &str, _cx: &mut Cx) -> bool {
        false
    }

    /// Another pane sent the person here to work on `participant`: select
    /// it. Returns whether the pane could.
    fn show_participant(
        &mut self,
        _participant: &crate::domain::ids::ParticipantId,
        _cx: &mut Cx,
    ) -> bool {
        false
    }

    /// An action from the keymap or the palette; returns whether it was used.
    fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool;

    fn draw(&mut self, frame: &mut Frame, area: Rect, cx: &Cx);

    /// The contest changed: recompute what the pane shows.
    fn refresh(&mut self, cx: &Cx);

    /// Whether the pane is taking typed text (keys then go to `on_key` first
    /// and global single-letter keys do not fire).
    fn editing(&self) -> bool {
        false
    }

    /// What the keys do now when it is not what they usually do (a text
    /// being written, a saved score being changed): the status bar says it
    /// in place of the help hint, so a mode is never invisible.
    fn mode(&self, _tr: &crate::text::I18n) -> Option<String> {
        None
    }

    /// The methods behind what the pane shows, in words, for the end of its
    /// help (`?`): how its ranking or its pairs are made. None for most.
    fn methods(
        &self,
        _rules: &crate::domain::regulation::Regulation,
        _tr: &crate::text::I18n,
    ) -> Vec<crate::text::methods::Part> {
        Vec::new()
    }

    /// The pane's working state, to restore in the next session.
    fn save(&self) -> serde_json::Value {
        serde_json::Value::Null
    }

    fn restore(&mut self, _state: &serde_json::Value, _cx: &Cx) {}
}
