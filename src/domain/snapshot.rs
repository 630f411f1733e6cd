//! A stage's ranking frozen when the stage is closed, and the coordinator's
//! orders for ties no rule breaks.
//!
//! The snapshot keeps every number of the ranking as it was, with the
//! hash that proves it unchanged ([`crate::domain::ranking::hash_rows`]) and
//! the hash of the regulation it was computed under. Later changes to the
//! data never change a closed stage's result.

use super::ids::{GroupId, JurorId, ParticipantId, StageId};
use super::ranking::{DecidedBy, Flag, HashedRow, Ranking, hash_rows};
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
    /// What placed the row among equal totals (stored as its code,
    /// `criterion:x`, `coordinator`).
    pub decided_by: Option<DecidedBy>,
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
                    decided_by: r.decided_by.clone(),
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
        hash_rows(&self.stage, self.method, &self.rows)
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

impl HashedRow for FrozenRow {
    fn hashed(&self) -> (&str, usize, f64, bool) {
        (
            self.participant.as_str(),
            self.rank,
            self.total,
            self.advances,
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::regulation::TieBreak;

    /// A frozen row as it was stored before `decided_by` was typed: the
    /// rule's code as a string.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct StoredRow {
        participant: ParticipantId,
        group: GroupId,
        rank: usize,
        group_rank: usize,
        juror_totals: Vec<(JurorId, f64)>,
        aggregate: f64,
        indicator_part: f64,
        carry_over_part: f64,
        total: f64,
        spread: f64,
        decided_by: Option<String>,
        outliers: Vec<JurorId>,
        advances: bool,
    }

    fn rows() -> Vec<(Option<DecidedBy>, Option<&'static str>)> {
        vec![
            (None, None),
            (Some(DecidedBy::Coordinator), Some("coordinator")),
            (
                Some(DecidedBy::Rule(TieBreak::Criterion("creative_task".into()))),
                Some("criterion:creative_task"),
            ),
            (
                Some(DecidedBy::Rule(TieBreak::Stage("education".into()))),
                Some("stage:education"),
            ),
            (
                Some(DecidedBy::Rule(TieBreak::PreviousStage)),
                Some("previous_stage"),
            ),
            (
                Some(DecidedBy::Rule(TieBreak::ActivityRating)),
                Some("activity_rating"),
            ),
            (
                Some(DecidedBy::Rule(TieBreak::ApplicationDate)),
                Some("application_date"),
            ),
        ]
    }

    fn row(decided_by: Option<DecidedBy>) -> FrozenRow {
        FrozenRow {
            participant: "p1".into(),
            group: "rural".into(),
            rank: 2,
            group_rank: 1,
            juror_totals: vec![("j1".into(), 7.5)],
            aggregate: 7.5,
            indicator_part: 1.0,
            carry_over_part: 0.5,
            total: 9.0,
            spread: 0.0,
            decided_by,
            outliers: vec![],
            advances: true,
        }
    }

    fn stored(decided_by: Option<&str>) -> StoredRow {
        StoredRow {
            participant: "p1".into(),
            group: "rural".into(),
            rank: 2,
            group_rank: 1,
            juror_totals: vec![("j1".into(), 7.5)],
            aggregate: 7.5,
            indicator_part: 1.0,
            carry_over_part: 0.5,
            total: 9.0,
            spread: 0.0,
            decided_by: decided_by.map(str::to_string),
            outliers: vec![],
            advances: true,
        }
    }

    #[test]
    fn what_decided_a_row_is_stored_as_the_rules_code_as_before() {
        for (typed, code) in rows() {
            let old = postcard::to_stdvec(&stored(code)).unwrap();
            let new = postcard::to_stdvec(&row(typed.clone())).unwrap();
            assert_eq!(new, old, "{code:?}");
            let read: FrozenRow = postcard::from_bytes(&old).unwrap();
            assert_eq!(read.decided_by, typed);
            // The backup's JSON too.
            let json = serde_json::to_string(&stored(code)).unwrap();
            assert_eq!(serde_json::to_string(&row(typed.clone())).unwrap(), json);
            let read: FrozenRow = serde_json::from_str(&json).unwrap();
            assert_eq!(read.decided_by, typed);
        }
    }

    #[test]
    fn a_stored_code_that_names_no_rule_is_refused() {
        let bytes = postcard::to_stdvec(&stored(Some("fastest"))).unwrap();
        assert!(postcard::from_bytes::<FrozenRow>(&bytes).is_err());
    }
}
