//! A stage's ranking frozen when the stage is closed, and the coordinator's
//! orders for ties no rule breaks.
//!
//! The snapshot keeps every number of the ranking as it was, with the
//! hash that proves it unchanged ([`crate::domain::ranking::hash_rows`]) and
//! the hash of the regulation it was computed under. Later changes to the
//! data never change a closed stage's result.

use super::ids::{GroupId, JurorId, ParticipantId, StageId};
use super::ranking::{Flag, Ranking, hash_rows};
use super::regulation::Aggregation;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One row of a frozen ranking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrozenRow {
    pub participant: ParticipantId,
    pub group: GroupId,
    pub rank: usize,
    pub group_rank: usize,
    /// Each juror's weighted total.
    pub juror_totals: Vec<(JurorId, f64)>,
    pub aggregate: f64,
    pub indicator_part: f64,
    pub carry_over_part: f64,
    pub total: f64,
    pub spread: f64,
    /// The tie-break rule that placed the row (`criterion:x`, `coordinator`).
    pub decided_by: Option<String>,
    /// Outliers among the jurors' totals.
    pub outliers: Vec<JurorId>,
    pub advances: bool,
}

/// A stage's ranking as it stood when the stage was closed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrozenRanking {
    pub stage: StageId,
    pub method: Aggregation,
    pub rows: Vec<FrozenRow>,
    /// Who advanced, in rank order.
    pub advancing: Vec<ParticipantId>,
    /// The ranking's hash (see [`Ranking::compute_hash`]).
    pub hash: String,
    /// The SHA-256 of the regulation's text it was computed under.
    pub regulation_hash: String,
    pub at: DateTime<Utc>,
    pub by: JurorId,
}

impl FrozenRanking {
    pub fn freeze(
        ranking: &Ranking,
        regulation_hash: String,
        at: DateTime<Utc>,
        by: JurorId,
    ) -> Self {
        FrozenRanking {
            stage: ranking.stage.clone(),
            method: ranking.method,
            rows: ranking
                .rows
                .iter()
                .map(|r| FrozenRow {
                    participant: r.participant.clone(),
                    group: r.group.clone(),
                    rank: r.rank,
                    group_rank: r.group_rank,
                    juror_totals: r
                        .juror_totals
                        .iter()
                        .map(|j| (j.juror.clone(), j.total))
                        .collect(),
                    aggregate: r.aggregate,
                    indicator_part: r.indicator_part,
                    carry_over_part: r.carry_over_part,
                    total: r.total,
                    spread: r.spread,
                    decided_by: r.decided_by.as_ref().map(|d| d.to_string()),
                    outliers: r
                        .flags
                        .iter()
                        .filter_map(|f| match f {
                            Flag::Outlier { juror } => Some(juror.clone()),
                            _ => None,
                        })
                        .collect(),
                    advances: r.advances,
                })
                .collect(),
            advancing: ranking.advancing.clone(),
            hash: ranking.hash.clone(),
            regulation_hash,
            at,
            by,
        }
    }

    /// Recomputes the hash from the stored rows.
    pub fn compute_hash(&self) -> String {
        hash_rows(
            &self.stage,
            self.method,
            self.rows
                .iter()
                .map(|r| (r.participant.as_str(), r.rank, r.total, r.advances)),
        )
    }

    /// The stored rows are those the hash was made of.
    pub fn verify(&self) -> bool {
        self.hash == self.compute_hash()
    }

    /// Each participant's total, for carry-over and tie-breaks of later stages.
    pub fn totals(&self) -> impl Iterator<Item = (&ParticipantId, f64)> {
        self.rows.iter().map(|r| (&r.participant, r.total))
    }
}

/// The order a coordinator decided for a tie that no rule breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieResolution {
    pub stage: StageId,
    /// Best first; exactly the tied participants.
    pub order: Vec<ParticipantId>,
    pub reason: String,
}

impl TieResolution {
    /// The key the resolution is stored under: the tied participants by id.
    pub fn key(&self) -> String {
        let mut ids: Vec<&str> = self.order.iter().map(|p| p.as_str()).collect();
        ids.sort_unstable();
        ids.join(",")
    }
}
