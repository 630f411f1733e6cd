//! The jury's work: who judges whom, the score sheets they fill in, the
//! conflicts they declare, and the state of each stage.

use super::code::codes;
use super::ids::{CriterionId, JurorId, ParticipantId, StageId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How an assignment came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentOrigin {
    Auto,
    Manual,
}

/// A juror is to judge a participant at a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub stage: StageId,
    pub participant: ParticipantId,
    pub juror: JurorId,
    pub origin: AssignmentOrigin,
}

codes! {
    /// Where a sheet is in its life; its code is how files and catalogues
    /// name it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum SheetStatus {
        /// Being filled in; saved automatically, still editable.
        Draft => "draft",
        /// Locked by the juror; only a coordinator can reopen it.
        Submitted => "submitted",
        /// The juror chose not to judge this participant.
        Abstained => "abstained",
    }
}

/// One juror's scores of one participant at one stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreSheet {
    pub stage: StageId,
    pub participant: ParticipantId,
    pub juror: JurorId,
    /// Points per jury criterion; a criterion not yet scored is absent.
    pub scores: BTreeMap<CriterionId, f64>,
    /// The juror's justification.
    pub comment: String,
    pub status: SheetStatus,
    #[serde(with = "super::compact::datetime")]
    pub updated_at: DateTime<Utc>,
}

impl ScoreSheet {
    pub fn new(
        stage: StageId,
        participant: ParticipantId,
        juror: JurorId,
        at: DateTime<Utc>,
    ) -> Self {
        ScoreSheet {
            stage,
            participant,
            juror,
            scores: BTreeMap::new(),
            comment: String::new(),
            status: SheetStatus::Draft,
            updated_at: at,
        }
    }
}

/// Where a conflict of interest came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictOrigin {
    /// Listed in the jurors file or added by the coordinator.
    Registered,
    /// Declared by the juror while scoring.
    DeclaredByJuror,
}

/// A juror must not judge a participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub juror: JurorId,
    pub participant: ParticipantId,
    pub reason: String,
    pub origin: ConflictOrigin,
}

/// Whether a stage is still being judged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    Open,
    Closed {
        at: DateTime<Utc>,
        by: JurorId,
        /// The hash of the frozen ranking.
        snapshot_hash: String,
    },
}

/// The state of one stage of the contest. A stage without a stored state is
/// open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageState {
    pub stage: StageId,
    pub status: StageStatus,
    /// Who advanced to the next stage when this one was closed, in rank order.
    pub advanced: Vec<ParticipantId>,
}

impl StageState {
    pub fn is_closed(&self) -> bool {
        matches!(self.status, StageStatus::Closed { .. })
    }
}
