//! The ranking of one stage of the contest: who is where, why, and who
//! advances.
//!
//! [`rank`] turns a stage's score sheets, indicator points and earlier
//! totals into a [`Ranking`] whose every row explains itself: each juror's
//! total, how they were combined, the indicator and carry-over parts, the
//! rule that separated the row from an equal neighbour, and the flags a
//! coordinator must look at before closing the stage. [`statistics`] tells
//! how far the jury agrees, and [`sensitivity`] who would fare differently
//! under another aggregation method.
//!
//! # How a stage total is made
//!
//! 1. A juror's total for a participant is Σ weight × score over the stage's
//!    jury criteria, from that juror's **Submitted** sheet (Draft and
//!    Abstained sheets do not count; a criterion missing from a submitted
//!    sheet counts as 0).
//! 2. The jurors' totals are combined by the [`Aggregation`] method (see
//!    [`aggregate`]) into the participant's jury part.
//! 3. The indicator part is Σ weight × points over the stage's indicator
//!    criteria; the points come computed (and capped) from elsewhere.
//! 4. The carry-over part is Σ weight × the participant's total of the
//!    named earlier stage (0 when they have none).
//! 5. The stage total is the sum of the three parts.
//!
//! # Order and ties
//!
//! Rows are sorted by total, higher first, then by the stage's tie-break
//! chain ([`Regulation::tie_break`]), rule by rule:
//!
//! - `criterion:ID` — a jury criterion's weighted points (weight × score per
//!   juror) combined by the same method as the totals; an indicator
//!   criterion's weighted points; higher first;
//! - `stage:ID`, `previous_stage` (the stage just before this one in the
//!   regulation), `activity_rating` — higher first; a participant without a
//!   value comes after everyone with one;
//! - `application_date` — earlier first.
//!
//! A row tied on total with a neighbour records which rule separated them
//! ([`RankingRow::decided_by`]). Rows that no rule separates share a rank
//! and form an unresolved [`Tie`], unless a coordinator's resolution lists
//! exactly those participants: then its order is used and the rows are
//! "decided by coordinator".
//!
//! # Advancement
//!
//! By the stage's [`AdvanceRule`]: `Top(n)` takes the best n overall;
//! `TopPerGroup` and `Quota` take the best of each territory group by group
//! rank; `Threshold` takes every total that reaches the minimum. An
//! unresolved tie whose rows fall on both sides of a cutoff blocks the
//! ranking (none of its rows advances until it is resolved); a tie wholly
//! inside or outside the places does not. A participant with fewer sheets
//! than the stage needs blocks it too: their total is provisional.
//!
//! # Reproducibility
//!
//! The result does not depend on the order of the participants or sheets:
//! both are sorted by id before anything is summed, so every sum is taken in
//! one fixed order and gives the same bits. Totals and every other number a
//! comparison looks at are rounded to 1e-9 first, so two totals that differ
//! only by floating-point noise are equal. [`Ranking::hash`] proves a frozen
//! ranking unchanged.

mod advance;
mod agreement;
mod hash;
mod order;
mod prepare;
mod sensitivity;

#[cfg(test)]
mod tests;

pub use agreement::{JurorStatistics, Outlier, Statistics, statistics};
pub use hash::{HashedRow, hash_rows};
pub use order::aggregate;
pub use sensitivity::{MethodOutcome, SensitivityRow, sensitivity, sensitivity_of};

use super::ids::{CriterionId, GroupId, JurorId, ParticipantId, StageId};
use super::participant::Participant;
use super::regulation::{AdvanceRule, Aggregation, Regulation, Stage, TieBreak};
use super::scoring::ScoreSheet;
use order::Separation;
use prepare::Prepared;
use sensitivity::sensitivity_matched;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The rows of a ranking in order, before advancement: row i holds
/// participant `order[i]`.
struct Placing {
    order: Vec<usize>,
    /// What separates each row from the one above it.
    sep: Vec<Separation>,
    /// The runs of rows no rule or resolution separates (unresolved ties),
    /// as row ranges `start..end`.
    runs: Vec<(usize, usize)>,
    /// Per row, the run it belongs to.
    run_of: Vec<Option<usize>>,
    /// 1 for the best; tied rows share a rank and the next rank skips.
    rank: Vec<usize>,
    /// The rank among the rows of the same group.
    group_rank: Vec<usize>,
}

/// Everything the ranking of one stage needs, borrowed from the contest.
#[derive(Clone, Debug)]
pub struct StageInput<'a> {
    pub regulation: &'a Regulation,
    pub stage: &'a Stage,
    /// Who competes at this stage (with group and application date).
    pub participants: Vec<&'a Participant>,
    /// Every sheet of this stage; only Submitted sheets count, Abstained
    /// and Draft do not. Sheets of other stages or of participants not
    /// listed above are ignored.
    pub sheets: Vec<&'a ScoreSheet>,
    /// Points of the stage's indicator criteria, computed from data
    /// elsewhere (unweighted, already capped at `max_points`):
    /// participant → criterion → points.
    pub indicator_points: &'a BTreeMap<ParticipantId, BTreeMap<CriterionId, f64>>,
    /// Totals of earlier stages (for `carry_over` and the `stage:` and
    /// `previous_stage` tie-breaks).
    pub earlier_totals: &'a BTreeMap<StageId, BTreeMap<ParticipantId, f64>>,
    pub activity_rating: &'a BTreeMap<ParticipantId, f64>,
    /// Orders the coordinator decided for ties no rule breaks, each a list
    /// of participant ids, best first.
    pub resolutions: &'a [Vec<ParticipantId>],
}

/// One juror's total for a participant.
#[derive(Clone, Debug, PartialEq)]
pub struct JurorTotal {
    pub juror: JurorId,
    /// Σ weight × score over the stage's jury criteria.
    pub total: f64,
}

/// Something about a row a coordinator should look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flag {
    /// Fewer Submitted sheets than the stage's `jurors_per_participant`:
    /// the jury part is provisional.
    Incomplete { have: usize, need: usize },
    /// This juror's total is more than 2 pooled SD away from the mean of the
    /// other jurors' totals for the participant (see [`Statistics`]).
    Outlier { juror: JurorId },
    /// Tied with a neighbour and no rule or resolution breaks the tie.
    Tie,
}

/// What placed a row above or below a neighbour with an equal total.
///
/// A frozen ranking stores it as its code (`criterion:x`, `previous_stage`,
/// `coordinator`): the string it has always been stored as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DecidedBy {
    /// A rule of the stage's tie-break chain (never `total`).
    Rule(TieBreak),
    /// A coordinator's resolution of a tie no rule breaks.
    Coordinator,
}

impl DecidedBy {
    /// Reads a code [`DecidedBy`] is written as.
    pub fn parse(s: &str) -> Option<DecidedBy> {
        match s.trim() {
            "coordinator" => Some(DecidedBy::Coordinator),
            rule => TieBreak::parse(rule).map(DecidedBy::Rule),
        }
    }
}

impl fmt::Display for DecidedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecidedBy::Rule(rule) => rule.fmt(f),
            DecidedBy::Coordinator => f.write_str("coordinator"),
        }
    }
}

impl From<DecidedBy> for String {
    fn from(d: DecidedBy) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for DecidedBy {
    type Error = String;

    fn try_from(s: String) -> Result<DecidedBy, String> {
        DecidedBy::parse(&s).ok_or_else(|| format!("no tie-break rule is called `{s}`"))
    }
}

/// One participant's line of a ranking, with everything that explains it.
#[derive(Clone, Debug, PartialEq)]
pub struct RankingRow {
    pub participant: ParticipantId,
    pub group: GroupId,
    /// The Submitted sheets' totals, by juror id (shared by the rankings
    /// of the stage under the different methods).
    pub juror_totals: Arc<[JurorTotal]>,
    /// The jurors' totals combined by the ranking's method (0 without
    /// sheets or jury criteria).
    pub aggregate: f64,
    /// The aggregate rests on fewer sheets than the stage needs.
    pub provisional: bool,
    /// Σ weight × points over the indicator criteria.
    pub indicator_part: f64,
    /// Σ weight × earlier stage total over the stage's `carry_over`.
    pub carry_over_part: f64,
    /// `aggregate + indicator_part + carry_over_part`.
    pub total: f64,
    /// The population standard deviation of the jurors' totals.
    pub spread: f64,
    pub flags: Vec<Flag>,
    /// 1 for the best; tied rows share a rank and the next rank skips
    /// (1, 2, 2, 4).
    pub rank: usize,
    /// The rank among the participants of the same group.
    pub group_rank: usize,
    /// When the row's total equals that of the row above: what put it below
    /// that row. When it is the first of several equal totals: what put it
    /// above the row below. `None` when the total alone decides, or when the
    /// tie is unresolved (see [`Flag::Tie`]).
    pub decided_by: Option<DecidedBy>,
    pub advances: bool,
}

/// A tie no rule breaks and no resolution orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tie {
    /// The rank all the tied rows share.
    pub rank: usize,
    /// By id; a coordinator resolution must list exactly these.
    pub participants: Vec<ParticipantId>,
    /// The tie straddles an advancement cutoff.
    pub blocks_advancement: bool,
}

/// Why a ranking cannot be taken as final yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocker {
    /// A participant has fewer Submitted sheets than the stage needs.
    Incomplete {
        participant: ParticipantId,
        have: usize,
        need: usize,
    },
    /// An unresolved tie across the cutoff: some of the tied rows would
    /// advance and some would not.
    TieAtCutoff {
        /// Everyone sharing the rank (a resolution must list exactly these).
        participants: Vec<ParticipantId>,
        /// The group whose cutoff it straddles (`None` for `top`).
        group: Option<GroupId>,
        /// The shared (group) rank.
        rank: usize,
        /// How many advance in that scope.
        places: usize,
    },
}

/// The ranking of a stage under one aggregation method.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking {
    pub stage: StageId,
    pub method: Aggregation,
    pub rule: AdvanceRule,
    /// The tie-break chain applied, `total` first.
    pub chain: Vec<TieBreak>,
    /// Best first; unresolved ties by participant id.
    pub rows: Vec<RankingRow>,
    /// Who advances, in rank order. Rows of a tie that straddles a cutoff do
    /// not advance until it is resolved; with blockers the list is
    /// provisional.
    pub advancing: Vec<ParticipantId>,
    pub ties: Vec<Tie>,
    /// Empty when the ranking can be taken as final.
    pub blockers: Vec<Blocker>,
    /// SHA-256 (hex) of the canonical encoding; see [`Ranking::compute_hash`].
    pub hash: String,
}

impl Ranking {
    /// No blockers: every sheet is in and no tie straddles a cutoff.
    pub fn is_final(&self) -> bool {
        self.blockers.is_empty()
    }

    pub fn row(&self, participant: &ParticipantId) -> Option<&RankingRow> {
        self.rows.iter().find(|r| &r.participant == participant)
    }
}

/// Rounds to 1e-9 and scales to an integer: the form every comparison uses,
/// so that floating-point noise never flips a tie.
fn key(x: f64) -> i64 {
    (x * 1e9).round() as i64
}

/// The stage's ranking under `method`.
pub fn rank(input: &StageInput, method: Aggregation) -> Ranking {
    Prepared::new(input).rank(method)
}

/// The stage's rankings under every method, in [`Aggregation::ALL`] order.
pub fn rank_all(input: &StageInput) -> Vec<Ranking> {
    Prepared::new(input).rank_every_method().0
}

/// Everything a stage's ranking pane shows: the ranking under every method,
/// the jury's statistics and the sensitivity to the method.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// One per method, in [`Aggregation::ALL`] order.
    pub rankings: Vec<Ranking>,
    pub statistics: Statistics,
    pub sensitivity: Vec<SensitivityRow>,
}

impl Analysis {
    pub fn ranking(&self, method: Aggregation) -> &Ranking {
        self.rankings
            .iter()
            .find(|r| r.method == method)
            .expect("a ranking per method")
    }
}

/// [`rank_all`], [`statistics`] and [`sensitivity`] together, reading and
/// matching the stage's sheets once instead of once per call.
pub fn analyse(input: &StageInput) -> Analysis {
    let prepared = Prepared::new(input);
    let (rankings, matched) = prepared.rank_every_method();
    let sensitivity = sensitivity_matched(&rankings, &matched);
    Analysis {
        statistics: prepared.statistics(),
        rankings,
        sensitivity,
    }
}

/// A map for looking ids up. Unkeyed FxHash is quick; keyed hashing
/// defends against chosen keys, but these are the contest's own ids, and no
/// result depends on the hash.
type IdMap<K, V> = rustc_hash::FxHashMap<K, V>;
