//! The jury's work through the service: assignments, score sheets, submit
//! and reopen, conflicts and abstentions, undo and history.
//!
//! Every call checks who is asking. A juror scores only the participants
//! assigned to them, only at an open stage, only within the criterion's
//! range, and never after submitting. What a juror may read of other
//! jurors' sheets is decided in [`super::View`].

use super::{Actor, Result, Service, ServiceError};
use crate::domain::contest::{Change, Contest, Key, Record};
use crate::domain::ids::{CriterionId, JurorId, ParticipantId, StageId};
use crate::domain::people::{Role, SshKey};
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
        rules.stage(stage).ok_or_else(|| ServiceError::NotFound {
            what: "stage",
            id: stage.to_string(),
        })
    }

    fn open_stage<'a>(&self, contest: &'a Contest, stage: &StageId) -> Result<&'a Stage> {
        let s = self.stage_of(contest, stage)?;
        if contest.stages.get(stage).is_some_and(|st| st.is_closed()) {
            return Err(ServiceError::Invalid(format!(
                "the stage '{}' is closed; its scores can no longer change (a coordinator can reopen it)",
                s.name
            )));
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
        self.require(actor, &[Role::Juror], "score participants")?;
        self.open_stage(contest, stage)?;
        let key = (stage.clone(), participant.clone(), actor.id.clone());
        if !contest.assignments.contains_key(&key) {
            return Err(ServiceError::Invalid(format!(
                "{participant} is not assigned to you ({}) at the stage '{stage}'",
                actor.id
            )));
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
            SheetStatus::Submitted => Err(ServiceError::Invalid(format!(
                "you have submitted your scores of {participant}; ask the coordinator to reopen them to change anything"
            ))),
            SheetStatus::Abstained => Err(ServiceError::Invalid(format!(
                "you abstained from judging {participant}; ask the coordinator to reopen the sheet"
            ))),
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
            let c = st.criterion(criterion).ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "the stage '{stage}' has no criterion '{criterion}'; its jury criteria are {}",
                    st.jury_criteria()
                        .map(|c| c.id.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            if c.kind != CriterionKind::Jury {
                return Err(ServiceError::Invalid(format!(
                    "'{criterion}' is counted from data, not scored by the jury"
                )));
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
                return Err(ServiceError::Invalid(format!(
                    "not every criterion is scored yet: {}",
                    missing.join(", ")
                )));
            }
            if let Some(why) = comment_needed(st, &sheet) {
                return Err(ServiceError::Invalid(why));
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
        if reason.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "say why you abstain: the coordinator needs it to find another juror".into(),
            ));
        }
        self.commit_with(actor, "score.abstain", |contest| {
            let mut sheet = self.own_sheet(contest, actor, stage, participant)?;
            sheet.status = SheetStatus::Abstained;
            sheet.comment = reason.trim().to_string();
            sheet.updated_at = self.now();
            Ok((
                vec![Change::Put(Record::Sheet(sheet))],
                format!("{participant}: abstained: {}", reason.trim()),
            ))
        })?;
        Ok(())
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
        if reason.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "say what the conflict of interest is (e.g. a relative, the same TOS)".into(),
            ));
        }
        self.commit_with(actor, "conflict.declare", |contest| {
            self.own_sheet(contest, actor, stage, participant)?;
            Ok((
                vec![
                    Change::Put(Record::Conflict(Conflict {
                        juror: actor.id.clone(),
                        participant: participant.clone(),
                        reason: reason.trim().to_string(),
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
                format!(
                    "{participant}: conflict of interest declared: {}",
                    reason.trim()
                ),
            ))
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
        self.require(actor, &[Role::Coordinator], "reopen a juror's scores")?;
        if reason.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "a reason is required to reopen scores; it is kept in the audit log".into(),
            ));
        }
        self.commit_with(actor, "score.reopen", |contest| {
            self.open_stage(contest, stage)?;
            let key = (stage.clone(), participant.clone(), juror.clone());
            let mut sheet = contest.sheets.get(&key).cloned().ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "{juror} has no sheet of {participant} at '{stage}'"
                ))
            })?;
            if sheet.status == SheetStatus::Draft {
                return Err(ServiceError::Invalid(format!(
                    "the sheet of {juror} for {participant} is not submitted; nothing to reopen"
                )));
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
    pub fn undo(&self, actor: &Actor) -> Result<Option<String>> {
        self.require(actor, &[Role::Juror], "undo score changes")?;
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
        self.commit_with(actor, &format!("{UNDO_PREFIX}{seq}"), |contest| {
            let current = self.own_sheet(contest, actor, &stage, &participant)?;
            if &current != after {
                return Err(ServiceError::Invalid(
                    "the sheet changed since; undo only takes back your latest change".into(),
                ));
            }
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
        Ok(Some(summary))
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
            return Err(ServiceError::Forbidden {
                actor: actor.id.to_string(),
                role: actor.role,
                what: format!("read the history of {juror}'s scores of {participant}"),
            });
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
        self.require(actor, &[Role::Coordinator], "assign jurors")?;
        self.commit_with(actor, "assign.manual", |contest| {
            let st = self.open_stage(contest, stage)?;
            let j = contest
                .jurors
                .get(juror)
                .ok_or_else(|| ServiceError::NotFound {
                    what: "juror",
                    id: juror.to_string(),
                })?;
            if j.role != Role::Juror {
                return Err(ServiceError::Invalid(format!(
                    "{juror} is a {}, not a juror",
                    j.role
                )));
            }
            let p =
                contest
                    .participants
                    .get(participant)
                    .ok_or_else(|| ServiceError::NotFound {
                        what: "participant",
                        id: participant.to_string(),
                    })?;
            if !contest.stage_participants(stage).contains(participant) {
                return Err(ServiceError::Invalid(format!(
                    "{participant} does not compete at the stage '{stage}'"
                )));
            }
            if let Some(reason) = crate::domain::assignment::conflict_reason(
                j,
                p,
                contest.conflicts.get(&(juror.clone(), participant.clone())),
                &st.conflict_rules,
            ) {
                return Err(ServiceError::Invalid(format!(
                    "{juror} cannot judge {participant}: {reason}"
                )));
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
        self.require(actor, &[Role::Coordinator], "unassign jurors")?;
        self.commit_with(actor, "assign.remove", |contest| {
            self.open_stage(contest, stage)?;
            let key = (stage.clone(), participant.clone(), juror.clone());
            if !contest.assignments.contains_key(&key) {
                return Ok((Vec::new(), String::new()));
            }
            if let Some(s) = contest.sheets.get(&key)
                && (!s.scores.is_empty() || s.status != SheetStatus::Draft)
            {
                return Err(ServiceError::Invalid(format!(
                    "{juror} has already scored {participant}; reopen or keep the assignment"
                )));
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
        self.require(actor, &[Role::Coordinator], "register SSH keys")?;
        let key =
            SshKey::parse_authorized(line).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        self.commit_with(actor, "juror.add_key", |contest| {
            if let Some(owner) = contest
                .jurors
                .values()
                .find(|j| j.keys.iter().any(|k| k.same_key(&key)))
            {
                if &owner.id == juror {
                    return Ok((Vec::new(), String::new()));
                }
                return Err(ServiceError::Invalid(format!(
                    "this key is already registered for {}; one key identifies one person",
                    owner.id
                )));
            }
            let mut j =
                contest
                    .jurors
                    .get(juror)
                    .cloned()
                    .ok_or_else(|| ServiceError::NotFound {
                        what: "juror",
                        id: juror.to_string(),
                    })?;
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
        self.require(actor, &[Role::Coordinator], "remove SSH keys")?;
        self.commit_with(actor, "juror.remove_key", |contest| {
            let mut j =
                contest
                    .jurors
                    .get(juror)
                    .cloned()
                    .ok_or_else(|| ServiceError::NotFound {
                        what: "juror",
                        id: juror.to_string(),
                    })?;
            let before = j.keys.len();
            j.keys.retain(|k| k.fingerprint() != fingerprint);
            if j.keys.len() == before {
                return Err(ServiceError::Invalid(format!(
                    "{juror} has no key {fingerprint}"
                )));
            }
            Ok((
                vec![Change::Put(Record::Juror(j))],
                format!("{juror}: SSH key {fingerprint} removed"),
            ))
        })?;
        Ok(())
    }

    /// The person a public key identifies, if any.
    pub fn authenticate(&self, algorithm: &str, blob: &[u8]) -> Option<Actor> {
        let contest = self.contest();
        contest.jurors.values().find_map(|j| {
            j.keys
                .iter()
                .any(|k| k.algorithm == algorithm && k.bytes() == blob)
                .then(|| Actor {
                    id: j.id.clone(),
                    name: j.full_name.clone(),
                    role: j.role,
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
        return Err(ServiceError::Invalid(format!(
            "{} is out of range for «{name}»: give 0 to {}",
            show(Some(v)),
            show(Some(max))
        )));
    }
    let step = if half_points { 0.5 } else { 1.0 };
    if ((v / step) - (v / step).round()).abs() > 1e-9 {
        return Err(ServiceError::Invalid(if half_points {
            format!("{} is not a whole or half point", show(Some(v)))
        } else {
            format!(
                "{} is not a whole number; this stage does not allow half points",
                show(Some(v))
            )
        }));
    }
    Ok(())
}

/// Why a sheet cannot be submitted without a comment, if it cannot.
pub fn comment_needed(stage: &Stage, sheet: &ScoreSheet) -> Option<String> {
    if !sheet.comment.trim().is_empty() {
        return None;
    }
    match stage.comment_required {
        CommentRule::Never => None,
        CommentRule::Always => Some(
            "the regulation asks for a justification comment on every sheet of this stage".into(),
        ),
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
            (!extreme.is_empty()).then(|| {
                format!(
                    "a justification comment is required for the maximum or minimum score ({})",
                    extreme.join(", ")
                )
            })
        }
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
    /// whose scoring has started. Returns the plan's summary, with the
    /// participants who cannot get K jurors and why.
    pub fn assign_auto(
        &self,
        actor: &Actor,
        stage: &StageId,
        per_participant: Option<usize>,
    ) -> Result<String> {
        use crate::domain::assignment::{AssignmentInput, assign};
        self.require(actor, &[Role::Coordinator], "assign jurors")?;
        let mut report = String::new();
        self.commit_with(actor, "assign.auto", |contest| {
            let st = self.open_stage(contest, stage)?;
            if !st.has_jury() {
                return Err(ServiceError::Invalid(format!(
                    "the stage '{}' has no jury criteria: it is counted from data, no jurors to assign",
                    st.name
                )));
            }
            let ids = contest.stage_participants(stage);
            if ids.is_empty() {
                return Err(ServiceError::Invalid(format!(
                    "nobody competes at the stage '{}' yet: close the stage before it first",
                    st.name
                )));
            }
            let mut input = AssignmentInput::new(st);
            if let Some(k) = per_participant {
                input.jurors_per_participant = k;
            }
            input.participants = ids.iter().filter_map(|p| contest.participants.get(p)).collect();
            input.jurors = contest.jurors.values().collect();
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
                .filter(|s| &s.stage == stage && (!s.scores.is_empty() || s.status != SheetStatus::Draft))
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
            report = plan.summary();
            for s in &plan.shortfalls {
                report.push_str(&format!("\n{s}"));
            }
            for r in &plan.released {
                report.push_str(&format!(
                    "\nreleased {} from {}: {}{}",
                    r.assignment.juror,
                    r.assignment.participant,
                    r.why,
                    if r.scoring_started { " (scoring had started)" } else { "" }
                ));
            }
            report.push('\n');
            Ok((changes, report.lines().next().unwrap_or_default().to_string()))
        })?;
        Ok(report)
    }
}
