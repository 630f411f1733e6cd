//! What one actor may see of the contest.
//!
//! A [`View`] is a snapshot of the contest filtered by the actor's role: a
//! juror sees the participants assigned to them and nothing of the mentoring
//! programme; coordinators and observers see everything else, but for one
//! rule: until a blind stage is closed, only coordinators see the jurors'
//! scores and what is computed from them ([`blind_to`]). Panes, the CLI,
//! exports and SSH sessions read only through views and the service, so the
//! rules live in one place.

use super::Actor;
use super::derived::Derived;
use crate::domain::activity::{self, ActivityRating};
use crate::domain::contest::Standing;
use crate::domain::contest::{ActiveRegulation, Collection, Contest};
use crate::domain::ids::StageId;
use crate::domain::ids::{CriterionId, EventId};
use crate::domain::ids::{JurorId, ParticipantId};
use crate::domain::learning::{Attendance, TrainingEvent};
use crate::domain::mentoring::{InternRequest, Mentor, Municipality};
use crate::domain::participant::Participant;
use crate::domain::people::{Juror, Role};
use crate::domain::refusal::Refusal;
use crate::domain::regulation::Stage;
use crate::domain::scoring::{Assignment, Conflict, ScoreSheet, SheetStatus, StageState};
use std::collections::BTreeMap;
use std::collections::BTreeSet;

/// How far a juror has got at a stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub assigned: usize,
    pub drafted: usize,
    pub submitted: usize,
    pub abstained: usize,
}

impl Progress {
    /// The sheets with no work left: submitted or abstained. A declared
    /// conflict of interest removes the assignment, so it counts in neither
    /// `done` nor `assigned`. The juror's queue and the coordinator's Jury
    /// pane both show `done/assigned`.
    pub fn done(&self) -> usize {
        self.submitted + self.abstained
    }
}

/// A juror as the coordinator weighs them for one participant at a stage:
/// how loaded they are, whether they may judge the participant, whether
/// they already do.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub juror: JurorId,
    pub name: String,
    /// The juror's assignments at the stage.
    pub load: usize,
    /// Why the juror may not judge the participant, if they may not.
    pub conflict: Option<crate::domain::assignment::ConflictReason>,
    /// Already assigned to the participant at the stage.
    pub assigned: bool,
    /// The juror's sheet of the participant, if one is begun.
    pub sheet: Option<SheetStatus>,
}

#[derive(Clone)]
pub struct View {
    contest: Contest,
    actor: Actor,
    /// For a juror: the participants assigned to them at any stage.
    assigned: Option<BTreeSet<ParticipantId>>,
    derived: Derived,
}

/// What [`View::sheet_state`] tells of a sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SheetState {
    pub status: SheetStatus,
    /// How many criteria hold a score.
    pub scored: usize,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The one rule of blind stages: until a blind stage is closed, only
/// coordinators see the jurors' scores and everything computed from them.
/// Anyone else sees how far the jury has got, and a juror their own sheets.
/// A stage the regulation does not name counts as blind.
pub(super) fn blind_to(contest: &Contest, actor: &Actor, stage: &StageId) -> bool {
    if actor.role == Role::Coordinator {
        return false;
    }
    let blind = contest
        .rules()
        .and_then(|r| r.stage(stage))
        .is_none_or(|s| s.blind);
    let closed = contest.stages.get(stage).is_some_and(|s| s.is_closed());
    blind && !closed
}

/// The refusal [`blind_to`] calls for, with the sheets done and assigned
/// that the actor may know of.
pub(super) fn blind_refusal(contest: &Contest, actor: &Actor, stage: &StageId) -> Refusal {
    let lines = progress(contest, actor, stage);
    Refusal::BlindStageOpen {
        stage: contest
            .rules()
            .and_then(|r| r.stage(stage))
            .map_or_else(|| stage.to_string(), |s| s.name.clone()),
        done: lines.values().map(Progress::done).sum(),
        assigned: lines.values().map(|p| p.assigned).sum(),
    }
}

/// Each juror's progress at a stage, as `actor` may see it (a juror: their
/// own line).
fn progress(contest: &Contest, actor: &Actor, stage: &StageId) -> BTreeMap<JurorId, Progress> {
    let mut out: BTreeMap<JurorId, Progress> = BTreeMap::new();
    let assignments = contest
        .assignments
        .range((stage.clone(), ParticipantId::default(), JurorId::default())..)
        .take_while(|((s, _, _), _)| s == stage)
        .map(|(_, a)| a)
        .filter(|a| actor.role != Role::Juror || a.juror == actor.id);
    for a in assignments {
        let p = out.entry(a.juror.clone()).or_default();
        p.assigned += 1;
        if let Some(s) =
            contest
                .sheets
                .get(&(stage.clone(), a.participant.clone(), a.juror.clone()))
        {
            match s.status {
                SheetStatus::Submitted => p.submitted += 1,
                SheetStatus::Abstained => p.abstained += 1,
                SheetStatus::Draft if !s.scores.is_empty() || !s.comment.is_empty() => {
                    p.drafted += 1
                }
                SheetStatus::Draft => {}
            }
        }
    }
    out
}

impl View {
    pub(super) fn new(contest: Contest, actor: Actor, derived: Derived) -> View {
        let assigned = (actor.role == Role::Juror).then(|| {
            contest
                .assignments
                .values()
                .filter(|a| a.juror == actor.id)
                .map(|a| a.participant.clone())
                .collect()
        });
        View {
            contest,
            actor,
            assigned,
            derived,
        }
    }

    /// A listener's activity rating with its breakdown.
    pub fn rating(&self, id: &ParticipantId) -> Option<&ActivityRating> {
        self.derived
            .ratings
            .as_ref()?
            .get(id)
            .filter(|_| self.sees_participant(id))
    }

    /// Where a participant stands: the furthest stage, in or out.
    pub fn standing(&self, id: &ParticipantId) -> Option<Standing> {
        self.derived
            .standings
            .get(id)
            .copied()
            .filter(|_| self.sees_participant(id))
    }

    /// The stage the jury works on now: the first one not closed.
    pub fn current_stage(&self) -> Option<&Stage> {
        let id = self.contest.current_stage()?;
        self.regulation()?.rules.stage(&id)
    }

    pub fn current_stage_name(&self) -> Option<String> {
        self.current_stage().map(|s| s.name.clone())
    }

    /// A listener's points for each indicator criterion of a stage.
    pub fn indicator_points(
        &self,
        stage: &Stage,
        id: &ParticipantId,
    ) -> BTreeMap<CriterionId, f64> {
        match (self.contest.participants.get(id), self.rating(id)) {
            (Some(p), Some(r)) => activity::stage_indicators(stage, p, r),
            _ => BTreeMap::new(),
        }
    }

    /// Whether the actor may read `sheet`: always their own; others' when
    /// the stage is not blind or is closed (coordinators read everything).
    /// See [`View::may_read`].
    fn sees_sheet(&self, sheet: &ScoreSheet) -> bool {
        self.may_read(&sheet.stage, &sheet.participant, &sheet.juror)
    }

    /// Whether the actor may read `juror`'s scores of `participant` at
    /// `stage` (whether or not a sheet exists yet).
    pub fn may_read(&self, stage: &StageId, participant: &ParticipantId, juror: &JurorId) -> bool {
        match self.actor.role {
            Role::Coordinator => true,
            Role::Juror if *juror == self.actor.id => true,
            Role::Juror | Role::Observer => {
                self.sees_all_scores(stage) && self.sees_participant(participant)
            }
        }
    }

    /// Whether the actor sees every juror's scores of `stage` and all that
    /// is computed from them: totals, aggregates, the ranking, statistics,
    /// sensitivity, sheets' histories, protocols. False for anyone but a
    /// coordinator while the stage is blind and open.
    pub fn sees_all_scores(&self, stage: &StageId) -> bool {
        !blind_to(&self.contest, &self.actor, stage)
    }

    /// The refusal of `stage`'s scores while it is blind and open, with the
    /// progress the actor may know instead.
    pub fn blind_refusal(&self, stage: &StageId) -> Refusal {
        blind_refusal(&self.contest, &self.actor, stage)
    }

    /// What anyone who sees an assignment may know of its sheet, scores
    /// aside (so an observer of a blind stage too): its state, how many
    /// criteria hold a score, when it last changed.
    pub fn sheet_state(
        &self,
        stage: &StageId,
        participant: &ParticipantId,
        juror: &JurorId,
    ) -> Option<SheetState> {
        if self.actor.role == Role::Juror && *juror != self.actor.id {
            return None;
        }
        self.contest
            .sheets
            .get(&(stage.clone(), participant.clone(), juror.clone()))
            .map(|s| SheetState {
                status: s.status,
                scored: s.scores.len(),
                updated_at: s.updated_at,
            })
    }

    /// One juror's sheet of a participant, if the actor may read it.
    pub fn sheet(
        &self,
        stage: &StageId,
        participant: &ParticipantId,
        juror: &JurorId,
    ) -> Option<&ScoreSheet> {
        self.contest
            .sheets
            .get(&(stage.clone(), participant.clone(), juror.clone()))
            .filter(|s| self.sees_sheet(s))
    }

    /// The sheets of a participant at a stage that the actor may read.
    pub fn sheets(&self, stage: &StageId, participant: &ParticipantId) -> Vec<&ScoreSheet> {
        self.contest
            .sheets
            .range((stage.clone(), participant.clone(), JurorId::default())..)
            .take_while(|((s, p, _), _)| s == stage && p == participant)
            .map(|(_, sheet)| sheet)
            .filter(|s| self.sees_sheet(s))
            .collect()
    }

    /// Every sheet of a stage the actor may read.
    pub fn stage_sheets(&self, stage: &StageId) -> Vec<&ScoreSheet> {
        self.contest
            .sheets
            .range((stage.clone(), ParticipantId::default(), JurorId::default())..)
            .take_while(|((s, _, _), _)| s == stage)
            .map(|(_, sheet)| sheet)
            .filter(|s| self.sees_sheet(s))
            .collect()
    }

    /// The assignments of a stage: all for coordinators and observers, one's
    /// own for a juror.
    pub fn assignments(&self, stage: &StageId) -> Vec<&Assignment> {
        self.contest
            .assignments
            .range((stage.clone(), ParticipantId::default(), JurorId::default())..)
            .take_while(|((s, _, _), _)| s == stage)
            .map(|(_, a)| a)
            .filter(|a| self.actor.role != Role::Juror || a.juror == self.actor.id)
            .collect()
    }

    /// How far each juror has got at a stage (the actor's own line for a
    /// juror): assigned, drafted (some scores), submitted, abstained.
    pub fn progress(&self, stage: &StageId) -> BTreeMap<JurorId, Progress> {
        progress(&self.contest, &self.actor, stage)
    }

    /// Every juror, as a candidate to judge `participant` at `stage` (for
    /// coordinators; empty for anyone else): the least loaded first, those
    /// with a conflict of interest last.
    pub fn candidates(&self, stage: &StageId, participant: &ParticipantId) -> Vec<Candidate> {
        let (Some(st), Some(p)) = (
            self.regulation().and_then(|r| r.rules.stage(stage)),
            self.contest.participants.get(participant),
        ) else {
            return Vec::new();
        };
        if self.actor.role != Role::Coordinator {
            return Vec::new();
        }
        let mut load: BTreeMap<&JurorId, usize> = BTreeMap::new();
        for a in self.assignments(stage) {
            *load.entry(&a.juror).or_default() += 1;
        }
        let mut out: Vec<Candidate> = self
            .contest
            .jurors
            .values()
            .filter(|j| j.role == Role::Juror)
            .map(|j| {
                let key = (stage.clone(), participant.clone(), j.id.clone());
                Candidate {
                    juror: j.id.clone(),
                    name: j.full_name.clone(),
                    load: load.get(&j.id).copied().unwrap_or(0),
                    conflict: crate::domain::assignment::conflict_reason(
                        j,
                        p,
                        self.contest
                            .conflicts
                            .get(&(j.id.clone(), participant.clone())),
                        &st.conflict_rules,
                    ),
                    assigned: self.contest.assignments.contains_key(&key),
                    sheet: self.contest.sheets.get(&key).map(|s| s.status),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (a.conflict.is_some(), a.load, &a.juror).cmp(&(b.conflict.is_some(), b.load, &b.juror))
        });
        out
    }

    /// Every registered conflict (a juror sees their own).
    pub fn conflicts(&self) -> impl Iterator<Item = &Conflict> {
        self.contest
            .conflicts
            .values()
            .filter(|c| self.actor.role != Role::Juror || c.juror == self.actor.id)
    }

    /// The state of a stage (open when none is stored).
    pub fn stage_state(&self, stage: &StageId) -> Option<&StageState> {
        self.contest.stages.get(stage)
    }

    /// The stage before `stage` when it is still open (see
    /// [`Contest::previous_stage_open`]).
    pub fn previous_stage_open(
        &self,
        stage: &StageId,
    ) -> Option<&crate::domain::regulation::Stage> {
        self.contest.previous_stage_open(stage)
    }

    /// The participants competing at a stage, as far as the actor sees them.
    pub fn stage_participants(&self, stage: &StageId) -> Vec<ParticipantId> {
        self.contest
            .stage_participants(stage)
            .into_iter()
            .filter(|p| self.sees_participant(p))
            .collect()
    }

    /// The accepted mentoring matching (not for jurors).
    pub fn matching(&self) -> Option<&crate::domain::mentoring::AcceptedMatching> {
        self.contest
            .matching
            .as_ref()
            .filter(|_| self.sees_programme())
    }

    /// The coordinator's locks and forbids (not for jurors).
    pub fn decisions(&self) -> impl Iterator<Item = &crate::domain::mentoring::PairDecision> {
        self.contest
            .decisions
            .values()
            .filter(|_| self.sees_programme())
    }

    /// The regulations forced in after scoring had begun, oldest first.
    pub fn regulation_changes(
        &self,
    ) -> impl Iterator<Item = &crate::domain::contest::RegulationChange> {
        self.contest.regulation_changes.values()
    }

    /// The forced regulation change that made `stage`'s frozen ranking
    /// stale, if one did.
    pub fn stale_ranking(
        &self,
        stage: &StageId,
    ) -> Option<&crate::domain::contest::RegulationChange> {
        self.contest.stale_ranking(stage)
    }

    /// The frozen ranking of a closed stage.
    pub fn snapshot(&self, stage: &StageId) -> Option<&crate::domain::snapshot::FrozenRanking> {
        self.contest.snapshots.get(stage)
    }

    /// The events by id.
    pub fn event(&self, id: &EventId) -> Option<&TrainingEvent> {
        self.contest.events.get(id)
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn regulation(&self) -> Option<&ActiveRegulation> {
        self.contest.regulation.as_deref()
    }

    /// The contest's time zone: the regulation's, else the machine's.
    pub fn zone(&self) -> crate::text::time::Zone {
        crate::text::time::Zone::of(self.regulation().map(|r| &r.rules))
    }

    fn sees_participant(&self, id: &ParticipantId) -> bool {
        self.assigned.as_ref().is_none_or(|a| a.contains(id))
    }

    fn sees_programme(&self) -> bool {
        self.actor.role != Role::Juror
    }

    /// The participants the actor may see, in id order.
    pub fn participants(&self) -> impl Iterator<Item = &Participant> {
        self.contest
            .participants
            .values()
            .filter(|p| self.sees_participant(&p.id))
    }

    /// The participants the actor may see, shared rather than copied.
    pub fn participants_shared(&self) -> impl Iterator<Item = &std::sync::Arc<Participant>> {
        self.contest
            .participants
            .shared_values()
            .filter(|p| self.sees_participant(&p.id))
    }

    pub fn participant(&self, id: &ParticipantId) -> Option<&Participant> {
        self.contest
            .participants
            .get(id)
            .filter(|p| self.sees_participant(&p.id))
    }

    /// A listener's attendance record, when the actor may see the listener.
    pub fn attendance(&self, id: &ParticipantId) -> Option<&Attendance> {
        self.contest
            .attendance
            .get(id)
            .filter(|a| self.sees_participant(&a.participant))
    }

    pub fn attendance_records(&self) -> impl Iterator<Item = &Attendance> {
        self.contest
            .attendance
            .values()
            .filter(|a| self.sees_participant(&a.participant))
    }

    /// Jurors: everyone for coordinators and observers, oneself for a juror.
    pub fn jurors(&self) -> impl Iterator<Item = &Juror> {
        self.contest
            .jurors
            .values()
            .filter(|j| self.actor.role != Role::Juror || j.id == self.actor.id)
    }

    /// The conflicts of interest registered for a juror (a juror sees only
    /// their own).
    pub fn conflicts_of<'a>(&'a self, juror: &'a JurorId) -> impl Iterator<Item = &'a Conflict> {
        let allowed = self.actor.role != Role::Juror || &self.actor.id == juror;
        self.contest
            .conflicts
            .values()
            .filter(move |c| allowed && &c.juror == juror)
    }

    pub fn events(&self) -> impl Iterator<Item = &TrainingEvent> {
        self.contest.events.values()
    }

    pub fn mentors(&self) -> impl Iterator<Item = &Mentor> {
        self.contest
            .mentors
            .values()
            .filter(|_| self.sees_programme())
    }

    pub fn interns(&self) -> impl Iterator<Item = &InternRequest> {
        self.contest
            .interns
            .values()
            .filter(|_| self.sees_programme())
    }

    pub fn municipalities(&self) -> impl Iterator<Item = &Municipality> {
        self.contest.municipalities.values()
    }

    /// How many records of a collection the actor can see.
    pub fn count(&self, c: Collection) -> usize {
        match c {
            Collection::Participants => self.participants().count(),
            Collection::Jurors => self.jurors().count(),
            Collection::Attendance => self.attendance_records().count(),
            Collection::Mentors => self.mentors().count(),
            Collection::Interns => self.interns().count(),
            Collection::Sheets | Collection::Assignments | Collection::Conflicts
                if self.actor.role != Role::Coordinator =>
            {
                0
            }
            other => self.contest.count(other),
        }
    }
}
