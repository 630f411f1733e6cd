//! Why the service refuses, as data: which rule, with its parameters. No
//! sentence lives here; `crate::text::refusal` words a refusal in the
//! person's language. Stages and criteria are carried by name (what a
//! person reads), participants, jurors and keys by id.

use super::assignment::ConflictReason;
use super::ids::{CriterionId, InternId, JurorId, MentorId, ParticipantId, StageId};
use super::people::{KeyError, Role};
use super::ranking::Blocker;
use chrono::{DateTime, Utc};

/// What a person tried to do that their role does not allow.
#[derive(Clone, Debug, PartialEq)]
pub enum Act {
    LoadRegulation,
    VerifyDatabase,
    Backup,
    Export,
    ReadAudit,
    SeePastRankings,
    /// A juror looking at a stage's ranking before the stage is closed.
    SeeOpenRanking {
        stage: String,
    },
    CloseStage,
    ReopenStage,
    ResolveTies,
    SeeMentoring,
    AddMentors,
    DecidePairs,
    AcceptPairs,
    Score,
    ReopenSheet,
    Undo,
    Assign,
    Unassign,
    AddKey,
    RemoveKey,
    MarkAttendance,
    /// An import of one kind of file (`participants`, `jurors`, ...).
    Import {
        kind: &'static str,
    },
    ReadHistory {
        juror: JurorId,
        participant: ParticipantId,
    },
}

/// The kind of record an unknown id was meant to name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thing {
    Juror,
    Stage,
    Listener,
    Event,
    Participant,
    Mentor,
    Intern,
}

/// Why the service refused a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    Forbidden {
        actor: JurorId,
        role: Role,
        act: Act,
    },
    Unknown {
        what: Thing,
        id: String,
    },
    /// Scores of a closed stage cannot change.
    StageClosed {
        stage: String,
    },
    NotAssigned {
        participant: ParticipantId,
        juror: JurorId,
        stage: String,
    },
    SheetSubmitted {
        participant: ParticipantId,
    },
    SheetAbstained {
        participant: ParticipantId,
    },
    NoSuchCriterion {
        stage: String,
        criterion: CriterionId,
        /// The names of the stage's jury criteria.
        jury: Vec<String>,
    },
    /// The criterion is counted from data, not scored by the jury.
    NotJuryCriterion {
        criterion: String,
    },
    ScoreOutOfRange {
        value: f64,
        max: f64,
        criterion: String,
    },
    NotHalfPoint {
        value: f64,
    },
    NotWholePoint {
        value: f64,
    },
    /// Submit with criteria still unscored (their names).
    NotAllScored {
        missing: Vec<String>,
    },
    /// The regulation asks for a comment on every sheet of the stage.
    CommentAlways,
    /// A comment is needed for the extreme scores of these criteria.
    CommentForExtremes {
        criteria: Vec<String>,
    },
    AbstainReasonMissing,
    ConflictReasonMissing,
    SheetReopenReasonMissing,
    StageReopenReasonMissing,
    TieReasonMissing,
    /// Closing a stage is logged with a reason (the jury's decision, ...).
    CloseReasonMissing,
    /// Accepting a matching is logged with a reason.
    AcceptReasonMissing,
    /// Forbidding a mentor–intern pair is logged with a reason.
    ForbidReasonMissing,
    NoSheet {
        juror: JurorId,
        participant: ParticipantId,
        stage: String,
    },
    SheetNotSubmitted {
        juror: JurorId,
        participant: ParticipantId,
    },
    /// Undo found the sheet changed since the change it would take back.
    ChangedSinceUndo,
    NotAJuror {
        juror: JurorId,
        role: Role,
    },
    NotInStage {
        participant: ParticipantId,
        stage: String,
    },
    Conflict {
        juror: JurorId,
        participant: ParticipantId,
        reason: ConflictReason,
    },
    AlreadyScored {
        juror: JurorId,
        participant: ParticipantId,
    },
    BadKey(KeyError),
    KeyTaken {
        owner: JurorId,
    },
    NoSuchKey {
        juror: JurorId,
        fingerprint: String,
    },
    NoJuryCriteria {
        stage: String,
    },
    /// Automatic assignment with nobody at the stage yet.
    NobodyToAssign {
        stage: String,
    },
    /// More jurors per participant asked for than there are jurors.
    TooManyPerParticipant {
        asked: usize,
        jurors: usize,
    },
    /// Closing a stage nobody competes at.
    NobodyCompetes {
        stage: String,
    },
    /// A past ranking cannot be rebuilt across a bulk change.
    NoDetailBefore {
        seq: u64,
        at: DateTime<Utc>,
        /// The contest's time zone (IANA), the time is shown in.
        zone: Option<String>,
        summary: String,
    },
    /// `--as-of` names a time before the database's first entry.
    BeforeTheDatabase {
        at: DateTime<Utc>,
        first: DateTime<Utc>,
        /// The contest's time zone (IANA), the times are shown in.
        zone: Option<String>,
    },
    StageAlreadyClosed {
        stage: String,
    },
    /// Stages close in order.
    PreviousStageOpen {
        previous: String,
    },
    NotFinal {
        stage: String,
        blockers: Vec<Blocker>,
    },
    StageNotClosed {
        stage: String,
    },
    LaterStageClosed {
        next: String,
    },
    LaterStageStarted {
        next: String,
    },
    ListedTwice,
    /// The participants given are not one unresolved tie; the ties are
    /// these.
    NotATie {
        ties: Vec<ListedTie>,
    },
    NoTeamMemberLeft,
    InternLocked {
        intern: InternId,
        mentor: MentorId,
    },
    ProposalStale,
    /// Export: the final stage is open, so the team is not decided.
    TeamUndecided {
        id: StageId,
        stage: String,
    },
    /// Export: the stage is open, so its protocol is not final.
    ProtocolOpen {
        id: StageId,
        stage: String,
    },
    /// Export: no mentoring matching is accepted yet.
    NoMatchingAccepted,
    /// Export: the regulation declares no stages, so there is no team.
    NoStages,
    /// Export: nobody competes at the final stage yet.
    NobodyAtFinal {
        stage: String,
    },
    /// A blind stage is open: until it is closed only coordinators see the
    /// jurors' scores and everything computed from them (totals,
    /// aggregates, the ranking, statistics, sensitivity, a sheet's history,
    /// a protocol). What the person may know instead: how many of the
    /// sheets they can see are done (submitted or abstained) of those
    /// assigned.
    BlindStageOpen {
        stage: String,
        done: usize,
        assigned: usize,
    },
    /// The new regulation changes the rules of stages that already have
    /// score sheets or are closed; `--force` with a reason replaces it
    /// anyway, visibly.
    RegulationChangesScoredStages {
        stages: Vec<ScoredStage>,
    },
    /// A regulation forced in after scoring needs a reason.
    RegulationReasonMissing,
    /// A record of a batch is of a kind the import does not write.
    WrongRecordKind {
        index: usize,
        found: &'static str,
        expected: &'static str,
    },
}

/// A stage a regulation change would touch after its scoring began.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredStage {
    pub name: String,
    pub closed: bool,
    /// Its score sheets (drafts, submitted, abstained).
    pub sheets: usize,
}

impl Refusal {
    /// No `what` has the id `id`.
    pub fn unknown(what: Thing, id: impl ToString) -> Refusal {
        Refusal::Unknown {
            what,
            id: id.to_string(),
        }
    }
}

/// What an undo took back: one change of the person's own sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Undone {
    /// The audit entry of the change taken back.
    pub seq: u64,
    pub participant: ParticipantId,
    pub what: UndoneChange,
}

#[derive(Clone, Debug, PartialEq)]
pub enum UndoneChange {
    /// A score: the criterion's name, the value restored and the value
    /// taken back (`None`: no score).
    Score {
        criterion: String,
        restored: Option<f64>,
        taken_back: Option<f64>,
    },
    /// The justification comment.
    Comment,
}

/// An unresolved tie as a refusal lists it: the rank in the territory
/// group when the stage advances by group and the tie lies in one group
/// (as `advance` speaks of it), else the overall rank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedTie {
    pub rank: usize,
    /// The group's name, when `rank` is the rank within it.
    pub group: Option<String>,
    pub participants: Vec<ParticipantId>,
}
