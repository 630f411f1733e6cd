//! What stands between an open stage and its closing, each blocker with
//! what it takes to clear it: the ranking says who lacks sheets and which
//! ties straddle a cutoff; the stage's assignments and sheets say which
//! jurors are still scoring those participants, who abstained, and how
//! many sheets no assigned juror can bring any more.

use super::ids::{GroupId, JurorId, ParticipantId, StageId};
use super::ranking::Blocker;
use super::scoring::{Assignment, ScoreSheet, SheetStatus};

/// Why a stage cannot be closed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseBlocker {
    /// Stages close in order: this earlier one is still open.
    EarlierStageOpen { stage: StageId, name: String },
    /// A participant has fewer submitted sheets than the stage needs.
    MissingSheets {
        participant: ParticipantId,
        /// Submitted sheets.
        have: usize,
        need: usize,
        /// Assigned jurors whose sheet is not in yet (a draft, or not begun).
        scoring: Vec<JurorId>,
        /// Assigned jurors who abstained, each with the reason given.
        abstained: Vec<(JurorId, String)>,
        /// Sheets that no assigned juror can bring any more, even once
        /// everyone still scoring submits: another juror is needed for each.
        uncovered: usize,
    },
    /// Participants tied across an advancement cutoff: the coordinator
    /// orders them (a tie resolution).
    TieAtCutoff {
        /// Everyone sharing the rank, by id.
        participants: Vec<ParticipantId>,
        /// The group whose cutoff it straddles (`None` for an overall top N).
        group: Option<GroupId>,
        rank: usize,
        places: usize,
    },
}

impl CloseBlocker {
    /// What the coordinator must do first comes first: a stage to close
    /// before, a juror to find, a tie to order; sheets that only wait for
    /// the jurors scoring them come last.
    fn urgency(&self) -> u8 {
        match self {
            CloseBlocker::EarlierStageOpen { .. } => 0,
            CloseBlocker::MissingSheets { uncovered, .. } if *uncovered > 0 => 1,
            CloseBlocker::TieAtCutoff { .. } => 2,
            CloseBlocker::MissingSheets { .. } => 3,
        }
    }

    /// The participant whose sheets are missing, if that is the blocker.
    pub fn participant(&self) -> Option<&ParticipantId> {
        match self {
            CloseBlocker::MissingSheets { participant, .. } => Some(participant),
            _ => None,
        }
    }
}

/// The ranking's blockers with what the stage's assignments and sheets say
/// about each (`assignments` and `sheets` are the stage's, in any order):
/// those that need the coordinator first, else in the ranking's order.
pub fn close_blockers(
    blockers: &[Blocker],
    assignments: &[&Assignment],
    sheets: &[&ScoreSheet],
) -> Vec<CloseBlocker> {
    let mut out = blockers
        .iter()
        .map(|b| match b {
            Blocker::Incomplete {
                participant,
                have,
                need,
            } => {
                let mut scoring = Vec::new();
                let mut abstained = Vec::new();
                for a in assignments.iter().filter(|a| &a.participant == participant) {
                    let sheet = sheets
                        .iter()
                        .find(|s| &s.participant == participant && s.juror == a.juror);
                    match sheet.map(|s| s.status) {
                        Some(SheetStatus::Submitted) => {}
                        Some(SheetStatus::Abstained) => abstained.push((
                            a.juror.clone(),
                            sheet.map_or(String::new(), |s| s.comment.trim().to_string()),
                        )),
                        Some(SheetStatus::Draft) | None => scoring.push(a.juror.clone()),
                    }
                }
                scoring.sort();
                abstained.sort();
                CloseBlocker::MissingSheets {
                    participant: participant.clone(),
                    have: *have,
                    need: *need,
                    uncovered: need.saturating_sub(have + scoring.len()),
                    scoring,
                    abstained,
                }
            }
            Blocker::TieAtCutoff {
                participants,
                group,
                rank,
                places,
            } => CloseBlocker::TieAtCutoff {
                participants: participants.clone(),
                group: group.clone(),
                rank: *rank,
                places: *places,
            },
        })
        .collect::<Vec<_>>();
    out.sort_by_key(CloseBlocker::urgency);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scoring::AssignmentOrigin;
    use chrono::Utc;

    fn assignment(p: &str, j: &str) -> Assignment {
        Assignment {
            stage: StageId::new("portfolio"),
            participant: p.into(),
            juror: j.into(),
            origin: AssignmentOrigin::Auto,
        }
    }

    fn sheet(p: &str, j: &str, status: SheetStatus, comment: &str) -> ScoreSheet {
        let mut s = ScoreSheet::new(StageId::new("portfolio"), p.into(), j.into(), Utc::now());
        s.status = status;
        s.comment = comment.into();
        s
    }

    #[test]
    fn blockers_say_who_scores_who_abstained_and_put_what_needs_the_coordinator_first() {
        let tie = Blocker::TieAtCutoff {
            participants: vec!["P3".into(), "P4".into()],
            group: None,
            rank: 2,
            places: 2,
        };
        let assignments = [
            assignment("P1", "J1"),
            assignment("P1", "J2"),
            assignment("P1", "J3"),
            assignment("P2", "J1"),
        ];
        let sheets = [
            sheet("P1", "J1", SheetStatus::Submitted, ""),
            sheet("P1", "J2", SheetStatus::Abstained, " родственник "),
            sheet("P2", "J1", SheetStatus::Draft, ""),
        ];
        // In the ranking's order: P2 (only waiting), the tie, P1 (a juror short).
        let blockers = [
            Blocker::Incomplete {
                participant: "P2".into(),
                have: 0,
                need: 1,
            },
            tie.clone(),
            Blocker::Incomplete {
                participant: "P1".into(),
                have: 1,
                need: 3,
            },
        ];
        let found = close_blockers(
            &blockers,
            &assignments.iter().collect::<Vec<_>>(),
            &sheets.iter().collect::<Vec<_>>(),
        );
        assert_eq!(
            found,
            [
                CloseBlocker::MissingSheets {
                    participant: "P1".into(),
                    have: 1,
                    need: 3,
                    scoring: vec!["J3".into()],
                    abstained: vec![("J2".into(), "родственник".into())],
                    uncovered: 1,
                },
                CloseBlocker::TieAtCutoff {
                    participants: vec!["P3".into(), "P4".into()],
                    group: None,
                    rank: 2,
                    places: 2,
                },
                CloseBlocker::MissingSheets {
                    participant: "P2".into(),
                    have: 0,
                    need: 1,
                    scoring: vec!["J1".into()],
                    abstained: vec![],
                    uncovered: 0,
                },
            ]
        );
    }
}
