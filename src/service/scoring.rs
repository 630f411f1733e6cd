//! The jury's work through the service: assignments, score sheets, submit
//! and reopen, conflicts and abstentions, undo and history.
//!
//! Every call checks who is asking. A juror scores only the participants
//! assigned to them, only at an open stage, only within the criterion's
//! range, and never after submitting. What a juror may read of other
//! jurors' sheets is decided in [`super::View`].

use super::{Actor, Result, Service, ServiceError, forbidden};
use crate::domain::assignment::AssignmentPlan;
use crate::domain::contest::{Change, Contest, Key, Record};
use crate::domain::ids::{CriterionId, JurorId, ParticipantId, StageId};
use crate::domain::people::{Role, SshKey};
use crate::domain::refusal::{Act, Refusal, Thing, Undone, UndoneChange};
use crate::domain::regulation::{CommentRule, CriterionKind, Stage};
use crate::domain::scoring::{
    Assignment, AssignmentOrigin, Conflict, ConflictOrigin, ScoreSheet, SheetStatus,
};
use crate::store::AuditEntry;
use serde::Serialize;

/// One change of a score sheet, for the history view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryItem {
    pub seq: u64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    /// The criterion the change touched, or `None` for the comment/status.
    pub criterion: Option<CriterionId>,
    pub before: String,
    pub after: String,
}

/// The audit actions that change a sheet and that a juror may undo.
const UNDOABLE: &[&str] = &["score.set", "score.comment"];
const UNDO_PREFIX: &str = "score.undo#";

impl Service {
    fn stage_of<'a>(&self, contest: &'a Contest, stage: &StageId) -> Result<&'a Stage> {
        let rules = contest.rules().ok_or(ServiceError::NoRegulation)?;
        rules
            .stage(stage)
            .ok_or_else(|| Refusal::unknown(Thing::Stage, stage).into())
    }

    fn open_stage<'a>(&self, contest: &'a Contest, stage: &StageId) -> Result<&'a Stage> {
        let s = self.stage_of(contest, stage)?;
        if contest.stages.get(stage).is_some_and(|st| st.is_closed()) {
            return Err(Refusal::StageClosed {
                stage: s.name.clone(),
            }
            .into());
        }
        Ok(s)
    }

    /// The juror's sheet of a participant, checking the juror may work on it.
    fn own_sheet(
        &self,
        contest: &Contest,
        actor: &Actor,
        stage: &StageId,
        participant: &ParticipantId,
    ) -> Result<ScoreSheet> {
        self.require(actor, &[Role::Juror], Act::Score)?;
        let st = self.open_stage(contest, stage)?;
        let key = (stage.clone(), participant.clone(), actor.id.clone());
        if !contest.assignments.contains_key(&key) {
            return Err(Refusal::NotAssigned {
                participant: participant.clone(),
                juror: actor.id.clone(),
                stage: st.name.clone(),
            }
            .into());
        }
        let sheet = contest.sheets.get(&key).cloned().unwrap_or_else(|| {
            ScoreSheet::new(
                stage.clone(),
                participant.clone(),
                actor.id.clone(),
                self.now(),
            )
        });
        match sheet.status {
            SheetStatus::Draft => Ok(sheet),
            SheetStatus::Submitted => Err(Refusal::SheetSubmitted {
                participant: participant.clone(),
            }
            .into()),
            SheetStatus::Abstained => Err(Refusal::SheetAbstained {
                participant: participant.clone(),
            }
            .into()),
        }
    }

    /// Sets (or with `None` clears) one criterion's score on the actor's
    /// draft sheet. The change is durable when this returns.
    pub fn set_score(
        &self,
        actor: &Actor,
        stage: &StageId,
        participant: &ParticipantId,
        criterion: &CriterionId,
        value: Option<f64>,
    ) -> Result<ScoreSheet> {
        let mut out = None;
        self.commit_with(actor, "score.set", |contest| {
            let mut sheet = self.own_sheet(contest, actor, stage, participant)?;
            let st = self.stage_of(contest, stage)?;
            let c = st
                .criterion(criterion)
                .ok_or_else(|| Refusal::NoSuchCriterion {
                    stage: st.name.clone(),
                    criterion: criterion.clone(),
                    jury: st.jury_criteria().map(|c| c.name.clone()).collect(),
                })?;
            if c.kind != CriterionKind::Jury {
                return Err(Refusal::NotJuryCriterion {
                    criterion: c.name.clone(),
                }
                .into());
            }
            if let Some(v) = value {
                check_value(v, c.max_points, st.half_points, &c.name)?;
            }
            let before = sheet.scores.get(criterion).copied();
            if before == value {
                out = Some(sheet);
                return Ok((Vec::new(), String::new()));
            }
            match value {
                Some(v) => sheet.scores.insert(criterion.clone(), v),
                None => sheet.scores.remove(criterion),
            };
            sheet.updated_at = self.now();
            let summary = format!(
                "{participant} {criterion}: {} -> {}",
                show(before),
                show(value)
            );
            out = Some(sheet.clone());
            Ok((vec![Change::Put(Record::Sheet(sheet))], summary))
        })?;
        Ok(out.expect("set in the closure"))
    }

    /// Saves the justification comment of the actor's draft sheet.
    pub fn set_comment(
        &self,
        actor: &Actor,
        stage: &StageId,
        participant: &ParticipantId,
        comment: &str,
    ) -> Result<ScoreSheet> {
        let mut out = None;
        self.commit_with(actor, "score.comment", |contest| {
            let mut sheet = self.own_sheet(contest, actor, stage, participant)?;
            if sheet.comment == comment {
                out = Some(sheet);
                return Ok((Vec::new(), String::new()));
            }
            sheet.comment = comment.to_string();
            sheet.updated_at = self.now();
            out = Some(sheet.clone());
            Ok((
                vec![Change::Put(Record::Sheet(sheet))],
                format!(
                    "{participant}: comment ({} characters)",
                    comment.chars().count()
                ),
            ))
        })?;
        Ok(out.expect("set in the closure"))
    }

    /// Submits the actor's sheet: every jury criterion scored, a comment
    /// where the regulation asks for one. A submitted sheet is locked.
    pub fn submit(
        &self,
        actor: &Actor,
        stage: &StageId,
        participant: &ParticipantId,
    ) -> Result<ScoreSheet> {
        let mut out = None;
        self.commit_with(actor, "score.submit", |contest| {
            let mut sheet = self.own_sheet(contest, actor, stage, participant)?;
            let st = self.stage_of(contest, stage)?;
            let missing: Vec<String> = st
                .jury_criteria()
                .filter(|c| !sheet.scores.contains_key(&c.id))
                .map(|c| c.name.clone())
                .collect();
            if !missing.is_empty() {
                return Err(Refusal::NotAllScored { missing }.into());
            }
            if let Some(why) = comment_needed(st, &sheet) {
                return Err(why.into());
            }
            sheet.status = SheetStatus::Submitted;
            sheet.updated_at = self.now();
            out = Some(sheet.clone());
            Ok((
                vec![Change::Put(Record::Sheet(sheet))],
                format!("{participant}: submitted"),
            ))
        })?;
        Ok(out.expect("set in the closure"))
    }

    /// A juror declines to judge a participant, with a reason. The sheet is
    /// kept as abstained and does not count; the coordinator sees it.
    pub fn abstain(
        &self,
        actor: &Actor,
        stage: &StageId,
        participant: &ParticipantId,
        reason: &str,
    ) -> Result<()> {
        self.reasoned_step(
            actor,
            "score.abstain",
            (stage, participant),
            (reason, Refusal::AbstainReasonMissing),
            |mut sheet, reason| {
                sheet.status = SheetStatus::Abstained;
                sheet.comment = reason.to_string();
                sheet.updated_at = self.now();
                (
                    vec![Change::Put(Record::Sheet(sheet))],
                    format!("{participant}: abstained: {reason}"),
                )
            },
        )
    }

    /// A juror declares a conflict of interest: the assignment and any
    /// draft are removed and the conflict is recorded.
    pub fn declare_conflict(
        &self,
        actor: &Actor,
        stage: &StageId,
        participant: &ParticipantId,
        reason: &str,
    ) -> Result<()> {
        self.reasoned_step(
            actor,
            "conflict.declare",
            (stage, participant),
            (reason, Refusal::ConflictReasonMissing),
            |_sheet, reason| {
                (
                    vec![
                        Change::Put(Record::Conflict(Conflict {
                            juror: actor.id.clone(),
                            participant: participant.clone(),
                            reason: reason.to_string(),
                            origin: ConflictOrigin::DeclaredByJuror,
                        })),
                        Change::Delete(Key::Assignment(
                            stage.clone(),
                            participant.clone(),
                            actor.id.clone(),
                        )),
                        Change::Delete(Key::Sheet(
                            stage.clone(),
                            participant.clone(),
                            actor.id.clone(),
                        )),
                    ],
                    format!("{participant}: conflict of interest declared: {reason}"),
                )
            },
        )
    }

    /// What abstaining and declaring a conflict share: refused with
    /// `missing` when the reason is blank; otherwise, in one commit as
    /// `action`, `step` is given the juror's own sheet of the participant
    /// (refused if the juror may not score it) and the trimmed reason, and
    /// says what to write.
    fn reasoned_step(
        &self,
        actor: &Actor,
        action: &str,
        (stage, participant): (&StageId, &ParticipantId),
        (reason, missing): (&str, Refusal),
        step: impl FnOnce(ScoreSheet, &str) -> (Vec<Change>, String),
    ) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(missing.into());
        }
        self.commit_with(actor, action, |contest| {
            let sheet = self.own_sheet(contest, actor, stage, participant)?;
            Ok(step(sheet, reason))
        })?;
        Ok(())
    }

    /// A coordinator reopens a submitted or abstained sheet, with a reason.
    pub fn reopen(
        &self,
        actor: &Actor,
        stage: &StageId,
        participant: &ParticipantId,
        juror: &JurorId,
        reason: &str,
    ) -> Result<()> {
        self.require(actor, &[Role::Coordinator], Act::ReopenSheet)?;
        if reason.trim().is_empty() {
            return Err(Refusal::SheetReopenReasonMissing.into());
        }
        self.commit_with(actor, "score.reopen", |contest| {
            let st = self.open_stage(contest, stage)?;
            let key = (stage.clone(), participant.clone(), juror.clone());
            let mut sheet = contest
                .sheets
                .get(&key)
                .cloned()
                .ok_or_else(|| Refusal::NoSheet {
                    juror: juror.clone(),
                    participant: participant.clone(),
                    stage: st.name.clone(),
                })?;
            if sheet.status == SheetStatus::Draft {
                return Err(Refusal::SheetNotSubmitted {
                    juror: juror.clone(),
                    participant: participant.clone(),
                }
                .into());
            }
            sheet.status = SheetStatus::Draft;
            sheet.updated_at = self.now();
            Ok((
                vec![Change::Put(Record::Sheet(sheet))],
                format!("{participant}/{juror}: reopened: {}", reason.trim()),
            ))
        })?;
        Ok(())
    }

    /// Undoes the actor's last change of a draft score or comment.
    pub fn undo(&self, actor: &Actor) -> Result<Option<Undone>> {
        self.require(actor, &[Role::Juror], Act::Undo)?;
        // Newest first: skip what earlier undos took back, stop at the first
        // undoable change.
        let mut undone = std::collections::HashSet::new();
        let mut found = None;
        for entry in self.store.audit_rev() {
            let e = entry?;
            if e.actor != actor.id.as_str() {
                continue;
            }
            if let Some(seq) = e
                .action
                .strip_prefix(UNDO_PREFIX)
                .and_then(|s| s.parse::<u64>().ok())
            {
                undone.insert(seq);
            } else if UNDOABLE.contains(&e.action.as_str()) && !undone.contains(&e.seq) {
                found = Some(e);
                break;
            }
        }
        let Some(last) = found.as_ref() else {
            return Ok(None);
        };
        let Some(change) = last.changes.first() else {
            return Ok(None);
        };
        let (Some(Record::Sheet(after)), before) = (&change.after, &change.before) else {
            return Ok(None);
        };
        let (stage, participant) = (after.stage.clone(), after.participant.clone());
        let summary = format!("undid #{}: {}", last.seq, last.summary);
        let seq = last.seq;
        let before = before.clone();
        let mut undone = None;
        self.commit_with(actor, &format!("{UNDO_PREFIX}{seq}"), |contest| {
            let current = self.own_sheet(contest, actor, &stage, &participant)?;
            if &current != after {
                return Err(Refusal::ChangedSinceUndo.into());
            }
            let restored = match &before {
                Some(Record::Sheet(b)) => Some(b),
                _ => None,
            };
            undone = Some(Undone {
                seq,
                participant: participant.clone(),
                what: undone_change(self.stage_of(contest, &stage)?, restored, after),
            });
            let restored = match &before {
                Some(Record::Sheet(b)) => Change::Put(Record::Sheet(b.clone())),
                _ => Change::Delete(Key::Sheet(
                    stage.clone(),
                    participant.clone(),
                    actor.id.clone(),
                )),
            };
            Ok((vec![restored], summary.clone()))
        })?;
        Ok(undone)
    }

    /// The changes of one sheet, oldest first. A juror sees the history of
    /// their own sheets, and of others' only where they may see the scores.
    pub fn history(
        &self,
        actor: &Actor,
        stage: &StageId,
        participant: &ParticipantId,
        juror: &JurorId,
    ) -> Result<Vec<HistoryItem>> {
        let view = self.view(actor);
        if !view.may_read(stage, participant, juror) {
            if *juror != actor.id && !view.sees_all_scores(stage) {
                return Err(view.blind_refusal(stage).into());
            }
            return Err(forbidden(
                actor,
                Act::ReadHistory {
                    juror: juror.clone(),
                    participant: participant.clone(),
                },
            ));
        }
        let key = Key::Sheet(stage.clone(), participant.clone(), juror.clone());
        let mut out = Vec::new();
        for e in self.store.audit_entries()? {
            for c in e.changes.iter().filter(|c| c.key == key) {
                let sheet = |r: &Option<Record>| match r {
                    Some(Record::Sheet(s)) => Some(s.clone()),
                    _ => None,
                };
                let (b, a) = (sheet(&c.before), sheet(&c.after));
                out.extend(sheet_diff(&e, b.as_ref(), a.as_ref()));
            }
        }
        Ok(out)
    }

    /// Assigns a juror to a participant at a stage by hand.
    pub fn assign(
        &self,
        actor: &Actor,
        stage: &StageId,
        participant: &ParticipantId,
        juror: &JurorId,
    ) -> Result<Option<AuditEntry>> {
        self.require(actor, &[Role::Coordinator], Act::Assign)?;
        self.commit_with(actor, "assign.manual", |contest| {
            let st = self.open_stage(contest, stage)?;
            let j = contest
                .jurors
                .get(juror)
                .ok_or_else(|| Refusal::unknown(Thing::Juror, juror))?;
            if j.role != Role::Juror {
                return Err(Refusal::NotAJuror {
                    juror: juror.clone(),
                    role: j.role,
                }
                .into());
            }
            let p = contest
                .participants
                .get(participant)
                .ok_or_else(|| Refusal::unknown(Thing::Participant, participant))?;
            if !contest.stage_participants(stage).contains(participant) {
                return Err(Refusal::NotInStage {
                    participant: participant.clone(),
                    stage: st.name.clone(),
                }
                .into());
            }
            if let Some(reason) = crate::domain::assignment::conflict_reason(
                j,
                p,
                contest.conflicts.get(&(juror.clone(), participant.clone())),
                &st.conflict_rules,
            ) {
                return Err(Refusal::Conflict {
                    juror: juror.clone(),
                    participant: participant.clone(),
                    reason,
                }
                .into());
            }
            let key = (stage.clone(), participant.clone(), juror.clone());
            if contest.assignments.contains_key(&key) {
                return Ok((Vec::new(), String::new()));
            }
            Ok((
                vec![Change::Put(Record::Assignment(Assignment {
                    stage: stage.clone(),
                    participant: participant.clone(),
                    juror: juror.clone(),
                    origin: AssignmentOrigin::Manual,
                }))],
                format!("{juror} assigned to {participant} at {stage}"),
            ))
        })
    }

    /// Removes an assignment; refused once the juror has scored anything.
    pub fn unassign(
        &self,
        actor: &Actor,
        stage: &StageId,
        participant: &ParticipantId,
        juror: &JurorId,
    ) -> Result<Option<AuditEntry>> {
        self.require(actor, &[Role::Coordinator], Act::Unassign)?;
        self.commit_with(actor, "assign.remove", |contest| {
            self.open_stage(contest, stage)?;
            let key = (stage.clone(), participant.clone(), juror.clone());
            if !contest.assignments.contains_key(&key) {
                return Ok((Vec::new(), String::new()));
            }
            if let Some(s) = contest.sheets.get(&key)
                && (!s.scores.is_empty() || s.status != SheetStatus::Draft)
            {
                return Err(Refusal::AlreadyScored {
                    juror: juror.clone(),
                    participant: participant.clone(),
                }
                .into());
            }
            Ok((
                vec![
                    Change::Delete(Key::Assignment(
                        stage.clone(),
                        participant.clone(),
                        juror.clone(),
                    )),
                    Change::Delete(Key::Sheet(
                        stage.clone(),
                        participant.clone(),
                        juror.clone(),
                    )),
                ],
                format!("{juror} unassigned from {participant} at {stage}"),
            ))
        })
    }

    /// Registers an SSH public key (an `authorized_keys` line) for a person.
    pub fn add_key(&self, actor: &Actor, juror: &JurorId, line: &str) -> Result<SshKey> {
        self.require(actor, &[Role::Coordinator], Act::AddKey)?;
        let key = SshKey::parse_authorized(line).map_err(Refusal::BadKey)?;
        self.commit_with(actor, "juror.add_key", |contest| {
            if let Some(owner) = contest
                .jurors
                .values()
                .find(|j| j.keys.iter().any(|k| k.same_key(&key)))
            {
                if &owner.id == juror {
                    return Ok((Vec::new(), String::new()));
                }
                return Err(Refusal::KeyTaken {
                    owner: owner.id.clone(),
                }
                .into());
            }
            let mut j = contest
                .jurors
                .get(juror)
                .cloned()
                .ok_or_else(|| Refusal::unknown(Thing::Juror, juror))?;
            j.keys.push(key.clone());
            Ok((
                vec![Change::Put(Record::Juror(j))],
                format!("{juror}: SSH key {} added", key.fingerprint()),
            ))
        })?;
        Ok(key)
    }

    /// Removes a registered key by its fingerprint.
    pub fn remove_key(&self, actor: &Actor, juror: &JurorId, fingerprint: &str) -> Result<()> {
        self.require(actor, &[Role::Coordinator], Act::RemoveKey)?;
        self.commit_with(actor, "juror.remove_key", |contest| {
            let mut j = contest
                .jurors
                .get(juror)
                .cloned()
                .ok_or_else(|| Refusal::unknown(Thing::Juror, juror))?;
            let before = j.keys.len();
            j.keys.retain(|k| k.fingerprint() != fingerprint);
            if j.keys.len() == before {
                return Err(Refusal::NoSuchKey {
                    juror: juror.clone(),
                    fingerprint: fingerprint.to_string(),
                }
                .into());
            }
            Ok((
                vec![Change::Put(Record::Juror(j))],
                format!("{juror}: SSH key {fingerprint} removed"),
            ))
        })?;
        Ok(())
    }

    /// The person a public key identifies, if any, acting over SSH with it.
    pub fn authenticate(&self, algorithm: &str, blob: &[u8]) -> Option<Actor> {
        let contest = self.contest();
        contest.jurors.values().find_map(|j| {
            let key = j
                .keys
                .iter()
                .find(|k| k.algorithm == algorithm && k.bytes() == blob)?;
            Some(Actor {
                id: j.id.clone(),
                name: j.full_name.clone(),
                role: j.role,
                channel: super::Channel::Ssh(key.fingerprint()),
            })
        })
    }

    /// Saves a person's working state (pane, cursor, unsaved text).
    pub fn save_session(&self, actor: &Actor, state: &[u8]) -> Result<()> {
        Ok(self.store.save_session(actor.id.as_str(), state)?)
    }

    pub fn session(&self, actor: &Actor) -> Result<Option<Vec<u8>>> {
        Ok(self.store.session(actor.id.as_str())?)
    }
}

fn show(v: Option<f64>) -> String {
    v.map_or("-".into(), crate::text::number::points)
}

/// Checks a score against its criterion: within 0..=max, and whole unless
/// the stage allows half points.
pub fn check_value(v: f64, max: f64, half_points: bool, name: &str) -> Result<()> {
    if !v.is_finite() || v < 0.0 || v > max {
        return Err(Refusal::ScoreOutOfRange {
            value: v,
            max,
            criterion: name.to_string(),
        }
        .into());
    }
    let step = if half_points { 0.5 } else { 1.0 };
    if ((v / step) - (v / step).round()).abs() > 1e-9 {
        return Err(if half_points {
            Refusal::NotHalfPoint { value: v }
        } else {
            Refusal::NotWholePoint { value: v }
        }
        .into());
    }
    Ok(())
}

/// Why a sheet cannot be submitted without a comment, if it cannot.
pub fn comment_needed(stage: &Stage, sheet: &ScoreSheet) -> Option<Refusal> {
    if !sheet.comment.trim().is_empty() {
        return None;
    }
    match stage.comment_required {
        CommentRule::Never => None,
        CommentRule::Always => Some(Refusal::CommentAlways),
        CommentRule::Extremes => {
            let extreme: Vec<String> = stage
                .jury_criteria()
                .filter(|c| {
                    sheet
                        .scores
                        .get(&c.id)
                        .is_some_and(|v| *v == 0.0 || *v == c.max_points)
                })
                .map(|c| c.name.clone())
                .collect();
            (!extreme.is_empty()).then_some(Refusal::CommentForExtremes { criteria: extreme })
        }
    }
}

/// What taking back the change `restored` → `taken` of a sheet does: the
/// first criterion whose score differs, else the comment.
fn undone_change(stage: &Stage, restored: Option<&ScoreSheet>, taken: &ScoreSheet) -> UndoneChange {
    let empty = std::collections::BTreeMap::new();
    let before = restored.map_or(&empty, |s| &s.scores);
    let changed = before
        .keys()
        .chain(taken.scores.keys())
        .find(|k| before.get(*k) != taken.scores.get(*k));
    match changed {
        Some(id) => UndoneChange::Score {
            criterion: stage
                .criterion(id)
                .map_or_else(|| id.to_string(), |c| c.name.clone()),
            restored: before.get(id).copied(),
            taken_back: taken.scores.get(id).copied(),
        },
        None => UndoneChange::Comment,
    }
}

/// What one audit change did to a sheet, criterion by criterion.
fn sheet_diff(
    e: &AuditEntry,
    before: Option<&ScoreSheet>,
    after: Option<&ScoreSheet>,
) -> Vec<HistoryItem> {
    let mut out = Vec::new();
    let item = |criterion: Option<CriterionId>, b: String, a: String| HistoryItem {
        seq: e.seq,
        at: e.at,
        actor: e.actor.clone(),
        action: e.action.clone(),
        criterion,
        before: b,
        after: a,
    };
    let empty = std::collections::BTreeMap::new();
    let bs = before.map_or(&empty, |s| &s.scores);
    let as_ = after.map_or(&empty, |s| &s.scores);
    let keys: std::collections::BTreeSet<&CriterionId> = bs.keys().chain(as_.keys()).collect();
    for k in keys {
        let (b, a) = (bs.get(k).copied(), as_.get(k).copied());
        if b != a {
            out.push(item(Some(k.clone()), show(b), show(a)));
        }
    }
    let bc = before.map(|s| s.comment.as_str()).unwrap_or("");
    let ac = after.map(|s| s.comment.as_str()).unwrap_or("");
    if bc != ac {
        out.push(item(None, format!("«{bc}»"), format!("«{ac}»")));
    }
    let status = |s: Option<&ScoreSheet>| {
        s.map_or("-".to_string(), |s| {
            format!("{:?}", s.status).to_lowercase()
        })
    };
    if before.map(|s| s.status) != after.map(|s| s.status)
        && (before.is_some() || after.is_some_and(|s| s.status != SheetStatus::Draft))
    {
        out.push(item(None, status(before), status(after)));
    }
    out
}

impl Service {
    /// Assigns K jurors to every participant of a stage automatically:
    /// balanced, free of conflicts, keeping manual assignments and those
    /// whose scoring has started. Returns the plan: its figures, the
    /// participants who cannot get K jurors and why, the released ones.
    pub fn assign_auto(
        &self,
        actor: &Actor,
        stage: &StageId,
        per_participant: Option<usize>,
    ) -> Result<AssignmentPlan> {
        use crate::domain::assignment::{AssignmentInput, assign};
        self.require(actor, &[Role::Coordinator], Act::Assign)?;
        let mut out = None;
        self.commit_with(actor, "assign.auto", |contest| {
            let st = self.open_stage(contest, stage)?;
            if !st.has_jury() {
                return Err(Refusal::NoJuryCriteria {
                    stage: st.name.clone(),
                }
                .into());
            }
            let ids = contest.stage_participants(stage);
            if ids.is_empty() {
                return Err(Refusal::NobodyToAssign {
                    stage: st.name.clone(),
                }
                .into());
            }
            let mut input = AssignmentInput::new(st);
            if let Some(k) = per_participant {
                input.jurors_per_participant = k;
            }
            input.participants = ids
                .iter()
                .filter_map(|p| contest.participants.get(p))
                .collect();
            input.jurors = contest.jurors.values().collect();
            // Nothing is sized by the count asked for before it is checked.
            let jurors = input
                .jurors
                .iter()
                .filter(|j| j.role == Role::Juror)
                .count();
            if input.jurors_per_participant > jurors {
                return Err(Refusal::TooManyPerParticipant {
                    asked: input.jurors_per_participant,
                    jurors,
                }
                .into());
            }
            input.conflicts = contest.conflicts.values().collect();
            let existing: Vec<&Assignment> = contest
                .assignments
                .values()
                .filter(|a| &a.stage == stage)
                .collect();
            input.existing = existing.clone();
            let started: Vec<(&JurorId, &ParticipantId)> = contest
                .sheets
                .values()
                .filter(|s| {
                    &s.stage == stage && (!s.scores.is_empty() || s.status != SheetStatus::Draft)
                })
                .map(|s| (&s.juror, &s.participant))
                .collect();
            input.started = started;
            let plan = assign(&input);
            let mut changes = Vec::new();
            let new: std::collections::BTreeSet<(ParticipantId, JurorId)> = plan
                .assignments
                .iter()
                .map(|a| (a.participant.clone(), a.juror.clone()))
                .collect();
            for a in &existing {
                if !new.contains(&(a.participant.clone(), a.juror.clone())) {
                    changes.push(Change::Delete(Key::Assignment(
                        stage.clone(),
                        a.participant.clone(),
                        a.juror.clone(),
                    )));
                    // An unscored draft goes with its assignment.
                    if contest
                        .sheets
                        .get(&(stage.clone(), a.participant.clone(), a.juror.clone()))
                        .is_some_and(|s| s.scores.is_empty() && s.status == SheetStatus::Draft)
                    {
                        changes.push(Change::Delete(Key::Sheet(
                            stage.clone(),
                            a.participant.clone(),
                            a.juror.clone(),
                        )));
                    }
                }
            }
            for a in &plan.assignments {
                let key = (a.stage.clone(), a.participant.clone(), a.juror.clone());
                if contest.assignments.get(&key) != Some(a) {
                    changes.push(Change::Put(Record::Assignment(a.clone())));
                }
            }
            let summary = plan.summary();
            out = Some(plan);
            Ok((changes, summary))
        })?;
        Ok(out.expect("set in the closure"))
    }
}
