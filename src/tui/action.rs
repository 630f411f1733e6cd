//! The vocabulary of the interface: every thing a key can do is an
//! [`Action`]. Keymaps map keys to actions by name; panes say which actions
//! they handle; the help overlay and the command palette are generated from
//! those lists and the language catalogues (`action.<name>`).

use std::fmt;

macro_rules! actions {
    ($($variant:ident => $name:literal,)*) => {
        /// Something the user can ask for.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            /// Every action, in the order the palette lists them.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The snake_case name used in keymap files.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            pub fn from_name(s: &str) -> Option<Action> {
                match s {
                    $($name => Some(Action::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

actions! {
    // Anywhere.
    Quit => "quit",
    Help => "help",
    Palette => "palette",
    Search => "search",
    NextPane => "next_pane",
    PrevPane => "prev_pane",
    GoReview => "go_review",
    GoScoring => "go_scoring",
    GoRanking => "go_ranking",
    GoMentoring => "go_mentoring",
    GoLearning => "go_learning",
    GoJury => "go_jury",
    Refresh => "refresh",
    SwitchKeys => "switch_keys",
    SwitchLanguage => "switch_language",
    // Moving in lists and forms.
    Up => "up",
    Down => "down",
    Left => "left",
    Right => "right",
    PageUp => "page_up",
    PageDown => "page_down",
    HalfPageUp => "half_page_up",
    HalfPageDown => "half_page_down",
    First => "first",
    Last => "last",
    Select => "select",
    Back => "back",
    // Review.
    SortNext => "sort_next",
    SortReverse => "sort_reverse",
    FilterGroup => "filter_group",
    FilterStage => "filter_stage",
    FilterStatus => "filter_status",
    ClearFilters => "clear_filters",
    ToggleDetail => "toggle_detail",
    // Scoring.
    Digit0 => "digit_0",
    Digit1 => "digit_1",
    Digit2 => "digit_2",
    Digit3 => "digit_3",
    Digit4 => "digit_4",
    Digit5 => "digit_5",
    Digit6 => "digit_6",
    Digit7 => "digit_7",
    Digit8 => "digit_8",
    Digit9 => "digit_9",
    DecimalPoint => "decimal_point",
    Increase => "increase",
    Decrease => "decrease",
    ClearScore => "clear_score",
    EditScore => "edit_score",
    EditComment => "edit_comment",
    Submit => "submit",
    Undo => "undo",
    History => "history",
    DeclareConflict => "declare_conflict",
    Abstain => "abstain",
    NextParticipant => "next_participant",
    PrevParticipant => "prev_participant",
    // Jury.
    AutoAssign => "auto_assign",
    AddKey => "add_key",
    RemoveKey => "remove_key",
    ReopenSheet => "reopen_sheet",
    AssignJuror => "assign_juror",
    UnassignJuror => "unassign_juror",
    // Learning.
    ToggleMark => "toggle_mark",
    NextView => "next_view",
    FilterTopic => "filter_topic",
    FilterFormat => "filter_format",
    FilterMonth => "filter_month",
    // Mentoring.
    RunMatching => "run_matching",
    CycleMode => "cycle_mode",
    LockPair => "lock_pair",
    ForbidPair => "forbid_pair",
    ClearDecision => "clear_decision",
    PairByHand => "pair_by_hand",
    AcceptMatching => "accept_matching",
    MentorsFromTeam => "mentors_from_team",
    // Ranking.
    NextStage => "next_stage",
    PrevStage => "prev_stage",
    CycleMethod => "cycle_method",
    ShowBlockers => "show_blockers",
    CloseStage => "close_stage",
    ReopenStage => "reopen_stage",
    ResolveTie => "resolve_tie",
    // Documents.
    Export => "export",
}

impl Action {
    /// The digit a `digit_N` action types.
    pub fn digit(self) -> Option<char> {
        let d = match self {
            Action::Digit0 => '0',
            Action::Digit1 => '1',
            Action::Digit2 => '2',
            Action::Digit3 => '3',
            Action::Digit4 => '4',
            Action::Digit5 => '5',
            Action::Digit6 => '6',
            Action::Digit7 => '7',
            Action::Digit8 => '8',
            Action::Digit9 => '9',
            _ => return None,
        };
        Some(d)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Actions every pane accepts.
pub const GLOBAL: &[Action] = &[
    Action::Help,
    Action::Palette,
    Action::NextPane,
    Action::PrevPane,
    Action::GoReview,
    Action::GoScoring,
    Action::GoRanking,
    Action::GoMentoring,
    Action::GoLearning,
    Action::GoJury,
    Action::Refresh,
    Action::Export,
    Action::SwitchKeys,
    Action::SwitchLanguage,
    Action::Quit,
];

/// Moving in a list.
/// Where the cursor of a list of `len` rows goes for a moving action (a
/// page is 10 rows), or `None` when the action does not move it.
pub fn moved(action: Action, cursor: usize, len: usize) -> Option<usize> {
    let last = len.saturating_sub(1);
    Some(match action {
        Action::Up => cursor.saturating_sub(1),
        Action::Down => (cursor + 1).min(last),
        Action::PageUp | Action::HalfPageUp => cursor.saturating_sub(10),
        Action::PageDown | Action::HalfPageDown => (cursor + 10).min(last),
        Action::First => 0,
        Action::Last => last,
        _ => return None,
    })
}

pub const LIST: &[Action] = &[
    Action::Up,
    Action::Down,
    Action::PageUp,
    Action::PageDown,
    Action::HalfPageUp,
    Action::HalfPageDown,
    Action::First,
    Action::Last,
    Action::Select,
    Action::Back,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(*a));
            assert!(seen.insert(a.name()), "{} twice", a.name());
        }
        assert_eq!(Action::from_name("nonsense"), None);
    }

    #[test]
    fn every_action_is_described_in_both_languages() {
        use crate::text::{I18n, Lang};
        for lang in [Lang::En, Lang::Ru] {
            let keys = I18n::keys(lang);
            for a in Action::ALL {
                let key = format!("action.{}", a.name());
                assert!(keys.contains(&key), "{lang:?}: no {key}");
            }
        }
    }
}
