//! The whole contest as plain data, and the one way it changes.
//!
//! [`Contest`] holds every record in persistent maps, so a snapshot is a
//! cheap clone that a session can keep while others write. [`Change`] is the
//! unit of mutation: the store persists changes, [`Contest::apply`] replays
//! them in memory, and the audit log records them.

use super::ids::*;
use super::learning::{Attendance, TrainingEvent};
use super::mentoring::{AcceptedMatching, InternRequest, Mentor, Municipality, PairDecision};
use super::participant::Participant;
use super::people::Juror;
use super::regulation::Regulation;
use super::scoring::{Assignment, Conflict, ScoreSheet, StageState};
use super::shared::SharedMap;
use super::snapshot::{FrozenRanking, TieResolution};
use chrono::{DateTime, Utc};
use imbl::OrdMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The regulation file as loaded: its text is kept so that protocols can
/// quote it and its hash proves which rules a result was computed under.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegulationDoc {
    pub file_name: String,
    pub source: String,
}

impl RegulationDoc {
    /// The SHA-256 of the file's text, in hex.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.source.as_bytes()))
    }
}

/// A regulation replaced with `--force` after scoring had begun. It is
/// kept so that a ranking frozen under the old rules is known to be stale
/// ([`Contest::stale_ranking`]) and so that protocols say the rules changed
/// during the contest: when, by whom, from which text to which, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegulationChange {
    pub at: DateTime<Utc>,
    pub by: JurorId,
    pub old_file: String,
    /// The SHA-256 of the replaced regulation's text.
    pub old_hash: String,
    pub new_file: String,
    /// The SHA-256 of the new regulation's text.
    pub new_hash: String,
    /// The stages whose rules changed though they had sheets or were
    /// closed, in the regulation's order.
    pub stages: Vec<StageId>,
    /// The frozen rankings computed under the old rules: each stage with
    /// the hash of its ranking then.
    pub frozen: Vec<(StageId, String)>,
    pub reason: String,
}

impl RegulationChange {
    /// Its key: the time, to the microsecond, so that keys sort in order.
    pub fn key(&self) -> String {
        self.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

/// A regulation document together with its parsed rules.
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveRegulation {
    pub doc: RegulationDoc,
    pub rules: Regulation,
}

/// Every record of a contest.
#[derive(Clone, Debug, Default)]
pub struct Contest {
    pub regulation: Option<Arc<ActiveRegulation>>,
    pub municipalities: OrdMap<String, Municipality>,
    pub participants: SharedMap<ParticipantId, Participant>,
    pub jurors: OrdMap<JurorId, Juror>,
    pub events: OrdMap<EventId, TrainingEvent>,
    pub attendance: SharedMap<ParticipantId, Attendance>,
    pub mentors: OrdMap<MentorId, Mentor>,
    pub interns: OrdMap<InternId, InternRequest>,
    pub conflicts: OrdMap<(JurorId, ParticipantId), Conflict>,
    pub assignments: OrdMap<(StageId, ParticipantId, JurorId), Assignment>,
    pub sheets: OrdMap<(StageId, ParticipantId, JurorId), ScoreSheet>,
    pub stages: OrdMap<StageId, StageState>,
    pub decisions: OrdMap<(MentorId, InternId), PairDecision>,
    pub matching: Option<AcceptedMatching>,
    pub snapshots: OrdMap<StageId, FrozenRanking>,
    pub resolutions: OrdMap<(StageId, String), TieResolution>,
    pub regulation_changes: OrdMap<String, RegulationChange>,
}

/// The kinds of records, one per store tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    Regulation,
    Municipalities,
    Participants,
    Jurors,
    Events,
    Attendance,
    Mentors,
    Interns,
    Conflicts,
    Assignments,
    Sheets,
    Stages,
    Decisions,
    Matching,
    Snapshots,
    Resolutions,
    RegulationChanges,
}

impl Collection {
    pub const ALL: [Collection; 17] = [
        Collection::Regulation,
        Collection::Municipalities,
        Collection::Participants,
        Collection::Jurors,
        Collection::Events,
        Collection::Attendance,
        Collection::Mentors,
        Collection::Interns,
        Collection::Conflicts,
        Collection::Assignments,
        Collection::Sheets,
        Collection::Stages,
        Collection::Decisions,
        Collection::Matching,
        Collection::Snapshots,
        Collection::Resolutions,
        Collection::RegulationChanges,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Collection::Regulation => "regulation",
            Collection::Municipalities => "municipalities",
            Collection::Participants => "participants",
            Collection::Jurors => "jurors",
            Collection::Events => "events",
            Collection::Attendance => "attendance",
            Collection::Mentors => "mentors",
            Collection::Interns => "interns",
            Collection::Conflicts => "conflicts",
            Collection::Assignments => "assignments",
            Collection::Sheets => "sheets",
            Collection::Stages => "stages",
            Collection::Decisions => "decisions",
            Collection::Matching => "matching",
            Collection::Snapshots => "snapshots",
            Collection::Resolutions => "resolutions",
            Collection::RegulationChanges => "regulation_changes",
        }
    }
}

/// One record of any kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    Regulation(RegulationDoc),
    Municipality(Municipality),
    Participant(Participant),
    Juror(Juror),
    Event(TrainingEvent),
    Attendance(Attendance),
    Mentor(Mentor),
    Intern(InternRequest),
    Conflict(Conflict),
    Assignment(Assignment),
    Sheet(ScoreSheet),
    Stage(StageState),
    Decision(PairDecision),
    Matching(AcceptedMatching),
    Snapshot(FrozenRanking),
    Resolution(TieResolution),
    RegulationChange(RegulationChange),
}

/// The identity of a record: which collection, which key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    Regulation,
    Municipality(String),
    Participant(ParticipantId),
    Juror(JurorId),
    Event(EventId),
    Attendance(ParticipantId),
    Mentor(MentorId),
    Intern(InternId),
    Conflict(JurorId, ParticipantId),
    Assignment(StageId, ParticipantId, JurorId),
    Sheet(StageId, ParticipantId, JurorId),
    Stage(StageId),
    Decision(MentorId, InternId),
    Matching,
    Snapshot(StageId),
    Resolution(StageId, String),
    RegulationChange(String),
}

impl Key {
    pub fn collection(&self) -> Collection {
        match self {
            Key::Regulation => Collection::Regulation,
            Key::Municipality(_) => Collection::Municipalities,
            Key::Participant(_) => Collection::Participants,
            Key::Juror(_) => Collection::Jurors,
            Key::Event(_) => Collection::Events,
            Key::Attendance(_) => Collection::Attendance,
            Key::Mentor(_) => Collection::Mentors,
            Key::Intern(_) => Collection::Interns,
            Key::Conflict(..) => Collection::Conflicts,
            Key::Assignment(..) => Collection::Assignments,
            Key::Sheet(..) => Collection::Sheets,
            Key::Stage(_) => Collection::Stages,
            Key::Decision(..) => Collection::Decisions,
            Key::Matching => Collection::Matching,
            Key::Snapshot(_) => Collection::Snapshots,
            Key::Resolution(..) => Collection::Resolutions,
            Key::RegulationChange(_) => Collection::RegulationChanges,
        }
    }

    /// The key's parts, outermost first.
    pub fn parts(&self) -> Vec<&str> {
        match self {
            Key::Regulation => vec!["current"],
            Key::Municipality(m) => vec![m.as_str()],
            Key::Participant(p) => vec![p.as_str()],
            Key::Juror(j) => vec![j.as_str()],
            Key::Event(e) => vec![e.as_str()],
            Key::Attendance(p) => vec![p.as_str()],
            Key::Mentor(m) => vec![m.as_str()],
            Key::Intern(i) => vec![i.as_str()],
            Key::Conflict(j, p) => vec![j.as_str(), p.as_str()],
            Key::Assignment(s, p, j) | Key::Sheet(s, p, j) => {
                vec![s.as_str(), p.as_str(), j.as_str()]
            }
            Key::Stage(s) => vec![s.as_str()],
            Key::Decision(m, i) => vec![m.as_str(), i.as_str()],
            Key::Matching => vec!["current"],
            Key::Snapshot(s) => vec![s.as_str()],
            Key::Resolution(s, k) => vec![s.as_str(), k.as_str()],
            Key::RegulationChange(k) => vec![k.as_str()],
        }
    }

    /// A readable form for the audit log: `sheets/portfolio/P001/J02`.
    pub fn display(&self) -> String {
        format!("{}/{}", self.collection().name(), self.parts().join("/"))
    }
}

impl Record {
    pub fn key(&self) -> Key {
        match self {
            Record::Regulation(_) => Key::Regulation,
            Record::Municipality(m) => Key::Municipality(m.name.clone()),
            Record::Participant(p) => Key::Participant(p.id.clone()),
            Record::Juror(j) => Key::Juror(j.id.clone()),
            Record::Event(e) => Key::Event(e.id.clone()),
            Record::Attendance(a) => Key::Attendance(a.participant.clone()),
            Record::Mentor(m) => Key::Mentor(m.id.clone()),
            Record::Intern(i) => Key::Intern(i.id.clone()),
            Record::Conflict(c) => Key::Conflict(c.juror.clone(), c.participant.clone()),
            Record::Assignment(a) => {
                Key::Assignment(a.stage.clone(), a.participant.clone(), a.juror.clone())
            }
            Record::Sheet(s) => Key::Sheet(s.stage.clone(), s.participant.clone(), s.juror.clone()),
            Record::Stage(s) => Key::Stage(s.stage.clone()),
            Record::Decision(d) => Key::Decision(d.mentor.clone(), d.intern.clone()),
            Record::Matching(_) => Key::Matching,
            Record::Snapshot(s) => Key::Snapshot(s.stage.clone()),
            Record::Resolution(r) => Key::Resolution(r.stage.clone(), r.key()),
            Record::RegulationChange(c) => Key::RegulationChange(c.key()),
        }
    }

    pub fn collection(&self) -> Collection {
        self.key().collection()
    }
}

/// A single mutation of the contest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Put(Record),
    Delete(Key),
}

impl Change {
    pub fn key(&self) -> Key {
        match self {
            Change::Put(r) => r.key(),
            Change::Delete(k) => k.clone(),
        }
    }
}

/// Why a regulation document could not become the active regulation.
pub type RegulationParseError = super::regulation::RegulationErrors;

impl Contest {
    /// The active regulation's rules, if one is loaded.
    pub fn rules(&self) -> Option<&Regulation> {
        self.regulation.as_deref().map(|r| &r.rules)
    }

    /// The forced regulation change that made `stage`'s frozen ranking
    /// stale: the latest one made while that very ranking was in force.
    /// Reopening and closing the stage ranks it again under the new rules.
    pub fn stale_ranking(&self, stage: &StageId) -> Option<&RegulationChange> {
        let frozen = self.snapshots.get(stage)?;
        self.regulation_changes.values().rev().find(|c| {
            c.at >= frozen.at
                && c.frozen
                    .iter()
                    .any(|(s, hash)| s == stage && *hash == frozen.hash)
        })
    }

    /// The stage before `stage` when it is still open: stages close in
    /// order, so `stage` cannot be closed until it is.
    pub fn previous_stage_open(&self, stage: &StageId) -> Option<&super::regulation::Stage> {
        let rules = self.rules()?;
        let index = rules.stage_index(stage)?.checked_sub(1)?;
        let previous = &rules.stages[index];
        (!self.stages.get(&previous.id).is_some_and(|s| s.is_closed())).then_some(previous)
    }

    /// The record stored under `key`, if any.
    pub fn get(&self, key: &Key) -> Option<Record> {
        Some(match key {
            Key::Regulation => Record::Regulation(self.regulation.as_ref()?.doc.clone()),
            Key::Municipality(m) => Record::Municipality(self.municipalities.get(m)?.clone()),
            Key::Participant(p) => Record::Participant(self.participants.get(p)?.clone()),
            Key::Juror(j) => Record::Juror(self.jurors.get(j)?.clone()),
            Key::Event(e) => Record::Event(self.events.get(e)?.clone()),
            Key::Attendance(p) => Record::Attendance(self.attendance.get(p)?.clone()),
            Key::Mentor(m) => Record::Mentor(self.mentors.get(m)?.clone()),
            Key::Intern(i) => Record::Intern(self.interns.get(i)?.clone()),
            Key::Conflict(j, p) => {
                Record::Conflict(self.conflicts.get(&(j.clone(), p.clone()))?.clone())
            }
            Key::Assignment(s, p, j) => Record::Assignment(
                self.assignments
                    .get(&(s.clone(), p.clone(), j.clone()))?
                    .clone(),
            ),
            Key::Sheet(s, p, j) => {
                Record::Sheet(self.sheets.get(&(s.clone(), p.clone(), j.clone()))?.clone())
            }
            Key::Stage(s) => Record::Stage(self.stages.get(s)?.clone()),
            Key::Decision(m, i) => {
                Record::Decision(self.decisions.get(&(m.clone(), i.clone()))?.clone())
            }
            Key::Matching => Record::Matching(self.matching.clone()?),
            Key::Snapshot(s) => Record::Snapshot(self.snapshots.get(s)?.clone()),
            Key::Resolution(s, k) => {
                Record::Resolution(self.resolutions.get(&(s.clone(), k.clone()))?.clone())
            }
            Key::RegulationChange(k) => {
                Record::RegulationChange(self.regulation_changes.get(k)?.clone())
            }
        })
    }

    /// Applies one change. A regulation document that does not parse is
    /// refused (the service checks it before it gets here).
    pub fn apply(&mut self, change: &Change) -> Result<(), RegulationParseError> {
        match change {
            Change::Put(record) => self.insert(record.clone())?,
            Change::Delete(key) => self.delete(key),
        }
        Ok(())
    }

    /// Applies changes in order.
    pub fn apply_all<'a>(
        &mut self,
        changes: impl IntoIterator<Item = &'a Change>,
    ) -> Result<(), RegulationParseError> {
        for c in changes {
            self.apply(c)?;
        }
        Ok(())
    }

    /// Stores a record, replacing the one with the same key.
    pub fn insert(&mut self, record: Record) -> Result<(), RegulationParseError> {
        match record {
            Record::Regulation(doc) => {
                let rules = Regulation::parse(&doc.source)?;
                self.regulation = Some(Arc::new(ActiveRegulation { doc, rules }));
            }
            Record::Municipality(m) => {
                self.municipalities.insert(m.name.clone(), m);
            }
            Record::Participant(p) => {
                self.participants.insert(p.id.clone(), p);
            }
            Record::Juror(j) => {
                self.jurors.insert(j.id.clone(), j);
            }
            Record::Event(e) => {
                self.events.insert(e.id.clone(), e);
            }
            Record::Attendance(a) => {
                self.attendance.insert(a.participant.clone(), a);
            }
            Record::Mentor(m) => {
                self.mentors.insert(m.id.clone(), m);
            }
            Record::Intern(i) => {
                self.interns.insert(i.id.clone(), i);
            }
            Record::Conflict(c) => {
                self.conflicts
                    .insert((c.juror.clone(), c.participant.clone()), c);
            }
            Record::Assignment(a) => {
                self.assignments
                    .insert((a.stage.clone(), a.participant.clone(), a.juror.clone()), a);
            }
            Record::Sheet(s) => {
                self.sheets
                    .insert((s.stage.clone(), s.participant.clone(), s.juror.clone()), s);
            }
            Record::Stage(s) => {
                self.stages.insert(s.stage.clone(), s);
            }
            Record::Decision(d) => {
                self.decisions
                    .insert((d.mentor.clone(), d.intern.clone()), d);
            }
            Record::Matching(m) => self.matching = Some(m),
            Record::Snapshot(s) => {
                self.snapshots.insert(s.stage.clone(), s);
            }
            Record::Resolution(r) => {
                self.resolutions.insert((r.stage.clone(), r.key()), r);
            }
            Record::RegulationChange(c) => {
                self.regulation_changes.insert(c.key(), c);
            }
        }
        Ok(())
    }

    fn delete(&mut self, key: &Key) {
        match key {
            Key::Regulation => self.regulation = None,
            Key::Municipality(m) => {
                self.municipalities.remove(m);
            }
            Key::Participant(p) => {
                self.participants.remove(p);
            }
            Key::Juror(j) => {
                self.jurors.remove(j);
            }
            Key::Event(e) => {
                self.events.remove(e);
            }
            Key::Attendance(p) => {
                self.attendance.remove(p);
            }
            Key::Mentor(m) => {
                self.mentors.remove(m);
            }
            Key::Intern(i) => {
                self.interns.remove(i);
            }
            Key::Conflict(j, p) => {
                self.conflicts.remove(&(j.clone(), p.clone()));
            }
            Key::Assignment(s, p, j) => {
                self.assignments.remove(&(s.clone(), p.clone(), j.clone()));
            }
            Key::Sheet(s, p, j) => {
                self.sheets.remove(&(s.clone(), p.clone(), j.clone()));
            }
            Key::Stage(s) => {
                self.stages.remove(s);
            }
            Key::Decision(m, i) => {
                self.decisions.remove(&(m.clone(), i.clone()));
            }
            Key::Matching => self.matching = None,
            Key::Snapshot(s) => {
                self.snapshots.remove(s);
            }
            Key::Resolution(s, k) => {
                self.resolutions.remove(&(s.clone(), k.clone()));
            }
            Key::RegulationChange(k) => {
                self.regulation_changes.remove(k);
            }
        }
    }

    /// Every record, collection by collection, in key order.
    pub fn records(&self) -> impl Iterator<Item = Record> + '_ {
        let regulation = self
            .regulation
            .iter()
            .map(|r| Record::Regulation(r.doc.clone()));
        regulation
            .chain(
                self.municipalities
                    .values()
                    .cloned()
                    .map(Record::Municipality),
            )
            .chain(self.participants.values().cloned().map(Record::Participant))
            .chain(self.jurors.values().cloned().map(Record::Juror))
            .chain(self.events.values().cloned().map(Record::Event))
            .chain(self.attendance.values().cloned().map(Record::Attendance))
            .chain(self.mentors.values().cloned().map(Record::Mentor))
            .chain(self.interns.values().cloned().map(Record::Intern))
            .chain(self.conflicts.values().cloned().map(Record::Conflict))
            .chain(self.assignments.values().cloned().map(Record::Assignment))
            .chain(self.sheets.values().cloned().map(Record::Sheet))
            .chain(self.stages.values().cloned().map(Record::Stage))
            .chain(self.decisions.values().cloned().map(Record::Decision))
            .chain(self.matching.iter().cloned().map(Record::Matching))
            .chain(self.snapshots.values().cloned().map(Record::Snapshot))
            .chain(self.resolutions.values().cloned().map(Record::Resolution))
            .chain(
                self.regulation_changes
                    .values()
                    .cloned()
                    .map(Record::RegulationChange),
            )
    }

    /// How many records of each collection there are.
    pub fn count(&self, c: Collection) -> usize {
        match c {
            Collection::Regulation => usize::from(self.regulation.is_some()),
            Collection::Municipalities => self.municipalities.len(),
            Collection::Participants => self.participants.len(),
            Collection::Jurors => self.jurors.len(),
            Collection::Events => self.events.len(),
            Collection::Attendance => self.attendance.len(),
            Collection::Mentors => self.mentors.len(),
            Collection::Interns => self.interns.len(),
            Collection::Conflicts => self.conflicts.len(),
            Collection::Assignments => self.assignments.len(),
            Collection::Sheets => self.sheets.len(),
            Collection::Stages => self.stages.len(),
            Collection::Decisions => self.decisions.len(),
            Collection::Matching => usize::from(self.matching.is_some()),
            Collection::Snapshots => self.snapshots.len(),
            Collection::Resolutions => self.resolutions.len(),
            Collection::RegulationChanges => self.regulation_changes.len(),
        }
    }

    /// The participants competing at a stage: everyone at the first stage;
    /// at a later stage, those who advanced from the stage before once it was
    /// closed.
    pub fn stage_participants(&self, stage: &StageId) -> Vec<ParticipantId> {
        let Some(rules) = self.rules() else {
            return Vec::new();
        };
        match rules.stage_index(stage) {
            Some(0) => self.participants.keys().cloned().collect(),
            Some(i) => {
                let previous = &rules.stages[i - 1].id;
                self.stages
                    .get(previous)
                    .map(|s| s.advanced.clone())
                    .unwrap_or_default()
            }
            None => Vec::new(),
        }
    }

    /// The first stage that is not closed: the one the jury works on now.
    pub fn current_stage(&self) -> Option<StageId> {
        let rules = self.rules()?;
        rules
            .stages
            .iter()
            .find(|s| !self.stages.get(&s.id).is_some_and(|st| st.is_closed()))
            .or(rules.stages.last())
            .map(|s| s.id.clone())
    }

    /// The number of participants in each territory group.
    pub fn group_sizes(&self) -> std::collections::BTreeMap<GroupId, usize> {
        let mut out = std::collections::BTreeMap::new();
        for p in self.participants.values() {
            *out.entry(p.group.clone()).or_insert(0) += 1;
        }
        out
    }
}

/// Where a participant stands in the contest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Competing at the stage with this index.
    Competing(usize),
    /// Did not advance from the stage with this index.
    Out(usize),
    /// Advanced from the final stage: a member of the team.
    Team,
}

impl Standing {
    /// The index of the furthest stage reached.
    pub fn stage(self, stages: usize) -> usize {
        match self {
            Standing::Competing(i) | Standing::Out(i) => i,
            Standing::Team => stages.saturating_sub(1),
        }
    }
}

impl Contest {
    /// Every participant's standing: the furthest stage reached and whether
    /// they are still in the contest.
    pub fn standings(&self) -> std::collections::HashMap<ParticipantId, Standing> {
        let mut out: std::collections::HashMap<ParticipantId, Standing> = self
            .participants
            .keys()
            .map(|p| (p.clone(), Standing::Competing(0)))
            .collect();
        let Some(rules) = self.rules() else {
            return out;
        };
        for (i, stage) in rules.stages.iter().enumerate() {
            let Some(state) = self.stages.get(&stage.id).filter(|s| s.is_closed()) else {
                break;
            };
            let advanced: std::collections::HashSet<&ParticipantId> =
                state.advanced.iter().collect();
            for (p, standing) in out.iter_mut() {
                if *standing == Standing::Competing(i) {
                    *standing = if !advanced.contains(p) {
                        Standing::Out(i)
                    } else if i + 1 == rules.stages.len() {
                        Standing::Team
                    } else {
                        Standing::Competing(i + 1)
                    };
                }
            }
        }
        out
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
