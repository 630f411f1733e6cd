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

use super::contest::hex;
use super::ids::{CriterionId, GroupId, JurorId, ParticipantId, StageId};
use super::participant::Participant;
use super::regulation::{AdvanceRule, Aggregation, CriterionKind, Regulation, Stage, TieBreak};
use super::scoring::{ScoreSheet, SheetStatus};
use super::stats::{self, Concordance, Ratings};
use chrono::Datelike;
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecidedBy {
    /// A rule of the stage's tie-break chain (never `total`).
    Rule(TieBreak),
    /// A coordinator's resolution of a tie no rule breaks.
    Coordinator,
}

impl fmt::Display for DecidedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecidedBy::Rule(rule) => rule.fmt(f),
            DecidedBy::Coordinator => f.write_str("coordinator"),
        }
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

    /// The SHA-256 of the ranking's canonical encoding, in lower-case hex.
    ///
    /// The encoding is the 18 bytes of the tag `konkurs-ranking-v1` (with
    /// no length before them), then the stage id and the method's code,
    /// then the number of rows, then for each row in order its participant
    /// id, rank, total and whether it advances. Those strings are their
    /// UTF-8 bytes preceded by their length, integers are 8 bytes
    /// little-endian, the total is rounded to 1e-9 and encoded as the
    /// signed integer number of 1e-9, and "advances" is one byte 0 or 1.
    pub fn compute_hash(&self) -> String {
        hash_rows(
            &self.stage,
            self.method,
            self.rows
                .iter()
                .map(|r| (r.participant.as_str(), r.rank, r.total, r.advances)),
        )
    }

    /// The stored hash matches the rows: the ranking is as it was frozen.
    pub fn verify_hash(&self) -> bool {
        self.hash == self.compute_hash()
    }
}

/// The hash of [`Ranking::compute_hash`] from the rows' (participant, rank,
/// total, advances), so that a stored snapshot can be checked too.
pub fn hash_rows<'a>(
    stage: &StageId,
    method: Aggregation,
    rows: impl ExactSizeIterator<Item = (&'a str, usize, f64, bool)>,
) -> String {
    let mut h = Sha256::new();
    h.update(b"konkurs-ranking-v1");
    put_str(&mut h, stage.as_str());
    put_str(&mut h, method.code());
    h.update((rows.len() as u64).to_le_bytes());
    for (participant, rank, total, advances) in rows {
        put_str(&mut h, participant);
        h.update((rank as u64).to_le_bytes());
        h.update(key(total).to_le_bytes());
        h.update([u8::from(advances)]);
    }
    hex(&h.finalize())
}

fn put_str(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_le_bytes());
    h.update(s.as_bytes());
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

/// Combines `values`, one per cell of `layout` in cell order, into one per
/// unit by `method`; a unit without cells gets 0.
///
/// - **Mean** — the arithmetic mean.
/// - **Median** — the middle value, or the mean of the two middle values.
/// - **Trimmed** — the mean after dropping extremes: without `trim_fraction`
///   the single highest and lowest when there are at least 3 values; with a
///   fraction f, floor(f·n) from each end; never all of them (see
///   [`stats::trim_count`]).
/// - **Zscore** — removes each juror's leniency and scale. Juror j's values
///   are standardised over the participants j scored at this stage,
///   z = (x − μⱼ)/σⱼ, and mapped back to the stage's scale as μ + σ·z, where
///   μ and σ are the mean and population SD of all the values of the stage;
///   the participant's aggregate is the mean of the mapped values. A juror
///   who scored one participant, or gave everyone the same total (σⱼ = 0),
///   has no scale to remove and is only shifted: x − μⱼ + μ.
pub fn aggregate(
    layout: &Ratings,
    values: &[f64],
    method: Aggregation,
    trim_fraction: Option<f64>,
) -> Vec<f64> {
    let mapped;
    let values = if method == Aggregation::Zscore {
        mapped = zscore_map(layout, values);
        &mapped[..]
    } else {
        values
    };
    let mut buffer = Vec::new();
    (0..layout.unit_count())
        .map(|u| {
            let cells = &values[layout.cells(u)];
            let combined = match method {
                Aggregation::Mean | Aggregation::Zscore => stats::mean(cells),
                Aggregation::Median => {
                    buffer.clear();
                    buffer.extend_from_slice(cells);
                    stats::median_in_place(&mut buffer)
                }
                Aggregation::Trimmed => {
                    buffer.clear();
                    buffer.extend_from_slice(cells);
                    stats::trimmed_mean_in_place(&mut buffer, trim_fraction)
                }
            };
            combined.unwrap_or(0.0)
        })
        .collect()
}

/// Each cell's value standardised within its rater and mapped back to the
/// scale of all values (see [`aggregate`]).
fn zscore_map(layout: &Ratings, values: &[f64]) -> Vec<f64> {
    let (Some(mu), Some(sigma)) = (stats::mean(values), stats::population_sd(values)) else {
        return Vec::new();
    };
    let raters = layout.raters();
    let mut count = vec![0usize; layout.rater_count()];
    let mut sum = vec![0.0; layout.rater_count()];
    for (&r, &x) in raters.iter().zip(values) {
        count[r] += 1;
        sum[r] += x;
    }
    let means: Vec<f64> = sum
        .iter()
        .zip(&count)
        .map(|(s, &n)| if n > 0 { s / n as f64 } else { 0.0 })
        .collect();
    let mut squares = vec![0.0; layout.rater_count()];
    for (&r, &x) in raters.iter().zip(values) {
        squares[r] += (x - means[r]) * (x - means[r]);
    }
    let sds: Vec<f64> = squares
        .iter()
        .zip(&count)
        .map(|(s, &n)| if n > 0 { (s / n as f64).sqrt() } else { 0.0 })
        .collect();
    raters
        .iter()
        .zip(values)
        .map(|(&r, &x)| {
            let (mean_j, sd_j) = (means[r], sds[r]);
            if count[r] >= 2 && sd_j > 1e-9 * (1.0 + mean_j.abs()) {
                mu + sigma * (x - mean_j) / sd_j
            } else {
                x - mean_j + mu
            }
        })
        .collect()
}

/// How a rule of the chain compares participants: one key per participant,
/// smaller is better.
enum RuleKeys {
    /// The stage total, which depends on the method.
    Total,
    /// A jury criterion's weighted points per cell, aggregated by the
    /// method.
    JuryCriterion(Vec<f64>),
    /// Keys that do not depend on the method.
    Fixed(Vec<i64>),
}

/// The method-independent part of a stage's ranking: participants and
/// jurors sorted, sheets matched, juror totals, indicator and carry-over
/// parts, tie-break keys and outliers. Built once, ranked under any method.
struct Prepared<'a> {
    stage: &'a Stage,
    resolutions: &'a [Vec<ParticipantId>],
    rule: AdvanceRule,
    chain: Vec<TieBreak>,
    /// The participants' ids, sorted, without repeats; a participant is
    /// known by its index here.
    ids: Vec<ParticipantId>,
    /// The participants' groups, numbered as met.
    groups: Vec<&'a GroupId>,
    /// Each participant's group number.
    group_of: Vec<usize>,
    /// How many participants each group has.
    group_members: Vec<usize>,
    /// Sorted by id.
    jurors: Vec<&'a JurorId>,
    /// The juror totals: units are participants, raters are jurors.
    totals: Ratings,
    /// Sheets needed per participant (0 for a stage without jury criteria).
    need: usize,
    indicator: Vec<f64>,
    carry: Vec<f64>,
    keys: Vec<RuleKeys>,
    /// Per cell: the total minus the mean of the other jurors' totals for
    /// the participant; `None` when the juror is alone.
    deviation: Vec<Option<f64>>,
    /// The pooled within-participant SD (see [`Statistics::pooled_sd`]).
    pooled_sd: Option<f64>,
    /// Per cell: more than 2 pooled SD from the other jurors' mean.
    outlier: Vec<bool>,
    /// Per participant: the jurors' totals, as the rows show them.
    juror_totals: Vec<Arc<[JurorTotal]>>,
}

impl<'a> Prepared<'a> {
    fn new(input: &StageInput<'a>) -> Prepared<'a> {
        let stage = input.stage;

        let mut participants: Vec<&Participant> = input.participants.clone();
        participants.sort_by(|a, b| {
            a.id.cmp(&b.id)
                .then_with(|| a.group.cmp(&b.group))
                .then_with(|| a.application_date.cmp(&b.application_date))
                .then_with(|| a.full_name.cmp(&b.full_name))
        });
        participants.dedup_by(|a, b| a.id == b.id);
        let index: IdMap<&str, usize> = participants
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let mut group_number: IdMap<&str, usize> = IdMap::default();
        let mut groups: Vec<&GroupId> = Vec::new();
        let mut group_members: Vec<usize> = Vec::new();
        let group_of: Vec<usize> = participants
            .iter()
            .map(|p| {
                let g = *group_number.entry(p.group.as_str()).or_insert_with(|| {
                    groups.push(&p.group);
                    group_members.push(0);
                    groups.len() - 1
                });
                group_members[g] += 1;
                g
            })
            .collect();

        // The stage's jury criteria by id, the order sheets keep their scores in.
        let mut jury: Vec<(&CriterionId, f64)> =
            stage.jury_criteria().map(|c| (&c.id, c.weight)).collect();
        jury.sort_by(|a, b| a.0.cmp(b.0));

        // Submitted sheets of listed participants; none count at a stage
        // without jury criteria.
        let counted: Vec<(usize, &ScoreSheet)> = if jury.is_empty() {
            Vec::new()
        } else {
            // Sheets usually come sorted by participant, as the contest keeps
            // them: the participant of the previous sheet is checked first.
            let mut last: Option<(&str, usize)> = None;
            input
                .sheets
                .iter()
                .filter(|s| s.status == SheetStatus::Submitted && s.stage == stage.id)
                .filter_map(|s| {
                    let id = s.participant.as_str();
                    let p = match last {
                        Some((previous, p)) if previous == id => p,
                        _ => *index.get(id)?,
                    };
                    last = Some((id, p));
                    Some((p, *s))
                })
                .collect()
        };
        // Jurors numbered as met, then renumbered in id order.
        let mut met: IdMap<&str, usize> = IdMap::default();
        let mut jurors: Vec<&JurorId> = Vec::new();
        let mut cells: Vec<(usize, usize, &ScoreSheet)> = counted
            .into_iter()
            .map(|(p, s)| {
                let j = *met.entry(s.juror.as_str()).or_insert_with(|| {
                    jurors.push(&s.juror);
                    jurors.len() - 1
                });
                (p, j, s)
            })
            .collect();
        let mut by_id: Vec<usize> = (0..jurors.len()).collect();
        by_id.sort_by_key(|&j| jurors[j]);
        let mut renumber = vec![0; jurors.len()];
        for (new, &old) in by_id.iter().enumerate() {
            renumber[old] = new;
        }
        let jurors: Vec<&JurorId> = by_id.iter().map(|&j| jurors[j]).collect();
        for cell in &mut cells {
            cell.1 = renumber[cell.1];
        }
        // A repeated (participant, juror) keeps the most recent sheet. Sheets
        // that compare equal here are equal in all that counts, so an
        // unstable sort gives the same cells whatever the input order.
        cells.sort_unstable_by(|a, b| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then_with(|| newer_first(a.2, b.2))
        });
        cells.dedup_by(|later, earlier| (later.0, later.1) == (earlier.0, earlier.1));
        // Each cell's weighted points per jury criterion, in `jury` order.
        let mut points = vec![0.0; cells.len() * jury.len()];
        for (c, (_, _, sheet)) in cells.iter().enumerate() {
            weighted_points(
                sheet,
                &jury,
                &mut points[c * jury.len()..(c + 1) * jury.len()],
            );
        }
        let totals = Ratings::from_cells(
            participants.len(),
            jurors.len(),
            cells.iter().enumerate().map(|(c, &(p, j, _))| {
                let total: f64 = points[c * jury.len()..(c + 1) * jury.len()].iter().sum();
                (p, j, total)
            }),
        );

        let need = if jury.is_empty() {
            0
        } else {
            stage.jurors_per_participant.max(1)
        };

        let indicator_points = lookup_sorted(&participants, input.indicator_points);
        let indicator: Vec<f64> = indicator_points
            .iter()
            .map(|points| {
                stage
                    .indicator_criteria()
                    .map(|c| c.weight * points.and_then(|m| m.get(&c.id)).copied().unwrap_or(0.0))
                    .sum()
            })
            .collect();

        let stage_totals = |id: &StageId| -> Vec<Option<f64>> {
            match input.earlier_totals.get(id) {
                Some(map) => lookup_sorted(&participants, map)
                    .into_iter()
                    .map(|v| v.copied())
                    .collect(),
                None => vec![None; participants.len()],
            }
        };
        let mut carry = vec![0.0; participants.len()];
        for c in &stage.carry_over {
            for (sum, v) in carry.iter_mut().zip(stage_totals(&c.stage)) {
                *sum += c.weight * v.unwrap_or(0.0);
            }
        }

        let chain = input.regulation.tie_break(stage);
        let higher_first = |values: Vec<Option<f64>>| -> RuleKeys {
            RuleKeys::Fixed(
                values
                    .into_iter()
                    .map(|v| v.map_or(i64::MAX, |v| -key(v)))
                    .collect(),
            )
        };
        let previous = input
            .regulation
            .stage_index(&stage.id)
            .and_then(|i| i.checked_sub(1))
            .map(|i| &input.regulation.stages[i].id);
        let keys = chain
            .iter()
            .map(|rule| match rule {
                TieBreak::Total => RuleKeys::Total,
                TieBreak::Criterion(id) => match stage.criterion(id) {
                    Some(c) if c.kind == CriterionKind::Jury => {
                        let k = jury.iter().position(|(j, _)| *j == id).unwrap_or(0);
                        RuleKeys::JuryCriterion(
                            points.iter().skip(k).step_by(jury.len()).copied().collect(),
                        )
                    }
                    Some(c) => RuleKeys::Fixed(
                        indicator_points
                            .iter()
                            .map(|m| {
                                -key(c.weight * m.and_then(|m| m.get(id)).copied().unwrap_or(0.0))
                            })
                            .collect(),
                    ),
                    None => RuleKeys::Fixed(vec![0; participants.len()]),
                },
                TieBreak::Stage(id) => higher_first(stage_totals(id)),
                TieBreak::PreviousStage => match previous {
                    Some(id) => higher_first(stage_totals(id)),
                    None => RuleKeys::Fixed(vec![0; participants.len()]),
                },
                TieBreak::ActivityRating => higher_first(
                    lookup_sorted(&participants, input.activity_rating)
                        .into_iter()
                        .map(|v| v.copied())
                        .collect(),
                ),
                TieBreak::ApplicationDate => RuleKeys::Fixed(
                    participants
                        .iter()
                        .map(|p| i64::from(p.application_date.num_days_from_ce()))
                        .collect(),
                ),
            })
            .collect();

        let (deviation, pooled_sd) = deviations(&totals);
        let outlier = deviation
            .iter()
            .map(|d| match (d, pooled_sd) {
                (Some(d), Some(sd)) => sd > 0.0 && d.abs() > 2.0 * sd,
                _ => false,
            })
            .collect();
        let juror_totals = (0..participants.len())
            .map(|p| {
                totals
                    .cells(p)
                    .map(|c| JurorTotal {
                        juror: jurors[totals.raters()[c]].clone(),
                        total: totals.values()[c],
                    })
                    .collect()
            })
            .collect();

        Prepared {
            stage,
            resolutions: input.resolutions,
            rule: input.regulation.advance_rule(stage),
            chain,
            ids: participants.iter().map(|p| p.id.clone()).collect(),
            groups,
            group_of,
            group_members,
            jurors,
            totals,
            need,
            indicator,
            carry,
            keys,
            deviation,
            pooled_sd,
            outlier,
            juror_totals,
        }
    }

    /// The rankings under every method, in [`Aggregation::ALL`] order, and
    /// for each the row of each row of the first (see [`sensitivity_matched`]).
    fn rank_every_method(&self) -> (Vec<Ranking>, Vec<Vec<Option<usize>>>) {
        let (rankings, orders): (Vec<Ranking>, Vec<Vec<usize>>) = Aggregation::ALL
            .into_iter()
            .map(|m| self.rank_ordered(m))
            .unzip();
        let matched = orders
            .iter()
            .map(|order| {
                let mut row_of = vec![0; order.len()];
                for (i, &p) in order.iter().enumerate() {
                    row_of[p] = i;
                }
                orders[0].iter().map(|&p| Some(row_of[p])).collect()
            })
            .collect();
        (rankings, matched)
    }

    fn rank(&self, method: Aggregation) -> Ranking {
        self.rank_ordered(method).0
    }

    /// The ranking, and the participant (index) of each of its rows.
    fn rank_ordered(&self, method: Aggregation) -> (Ranking, Vec<usize>) {
        let n = self.ids.len();
        let trim = self.stage.trim_fraction;
        let jury = aggregate(&self.totals, self.totals.values(), method, trim);
        let total: Vec<f64> = (0..n)
            .map(|p| jury[p] + self.indicator[p] + self.carry[p])
            .collect();

        // One row of keys per participant, a column per rule of the chain.
        let width = self.keys.len();
        let mut keys = vec![0i64; n * width];
        for (r, rule) in self.keys.iter().enumerate() {
            let column: Vec<i64> = match rule {
                RuleKeys::Total => total.iter().map(|&t| -key(t)).collect(),
                RuleKeys::JuryCriterion(cells) => aggregate(&self.totals, cells, method, trim)
                    .into_iter()
                    .map(|v| -key(v))
                    .collect(),
                RuleKeys::Fixed(k) => k.clone(),
            };
            for (p, k) in column.into_iter().enumerate() {
                keys[p * width + r] = k;
            }
        }
        let row_keys = |p: usize| &keys[p * width..(p + 1) * width];

        // Participants are sorted by id, so the index breaks what the chain
        // leaves tied in id order.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| row_keys(a).cmp(row_keys(b)).then(a.cmp(&b)));

        // What separates each row from the one above it.
        let mut sep: Vec<Separation> = (0..n)
            .map(|i| {
                if i == 0 {
                    return Separation::Total;
                }
                let (a, b) = (row_keys(order[i - 1]), row_keys(order[i]));
                match a.iter().zip(b).position(|(x, y)| x != y) {
                    Some(0) => Separation::Total,
                    Some(rule) => Separation::Rule(rule),
                    None => Separation::Tied,
                }
            })
            .collect();

        // Runs of rows no rule separates: apply a coordinator's resolution
        // that lists exactly the run, or leave it tied.
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        for i in 1..=n {
            if i == n || sep[i] != Separation::Tied {
                if i - start >= 2 {
                    let ids: Vec<&ParticipantId> =
                        order[start..i].iter().map(|&p| &self.ids[p]).collect();
                    match self.resolution_for(&ids) {
                        Some(resolution) => {
                            let position =
                                |p: &usize| resolution.iter().position(|id| id == &self.ids[*p]);
                            order[start..i].sort_by_key(position);
                            for s in &mut sep[start + 1..i] {
                                *s = Separation::Coordinator;
                            }
                        }
                        None => runs.push((start, i)),
                    }
                }
                start = i;
            }
        }

        let mut rank = vec![0usize; n];
        for i in 0..n {
            rank[i] = if sep[i] == Separation::Tied {
                rank[i - 1]
            } else {
                i + 1
            };
        }
        // How many rows share each rank, overall and within each group.
        let mut rank_size = vec![0usize; n + 1];
        for &r in &rank {
            rank_size[r] += 1;
        }
        let mut group_rank = vec![0usize; n];
        let mut group_size: Vec<Vec<usize>> =
            self.group_members.iter().map(|&m| vec![0; m + 1]).collect();
        // Per group: (rows so far, last overall rank, last group rank).
        let mut seen = vec![(0usize, 0usize, 0usize); self.groups.len()];
        for i in 0..n {
            let g = self.group_of[order[i]];
            let state = &mut seen[g];
            group_rank[i] = if state.0 > 0 && state.1 == rank[i] {
                state.2
            } else {
                state.0 + 1
            };
            *state = (state.0 + 1, rank[i], group_rank[i]);
            group_size[g][group_rank[i]] += 1;
        }
        let mut run_of: Vec<Option<usize>> = vec![None; n];
        for (k, &(a, b)) in runs.iter().enumerate() {
            for r in &mut run_of[a..b] {
                *r = Some(k);
            }
        }

        // Advancement, and the ties that straddle a cutoff.
        let mut advances = vec![false; n];
        let mut straddles: BTreeSet<(Option<usize>, usize)> = BTreeSet::new();
        let mut tie_blockers: Vec<Blocker> = Vec::new();
        let mut run_blocks = vec![false; runs.len()];
        let group_places: Vec<usize> = match &self.rule {
            AdvanceRule::TopPerGroup(places) | AdvanceRule::Quota(places) => self
                .groups
                .iter()
                .map(|g| places.get(*g).copied().unwrap_or(0))
                .collect(),
            _ => Vec::new(),
        };
        for i in 0..n {
            let g = self.group_of[order[i]];
            let (r, size, places, scope) = match &self.rule {
                AdvanceRule::Threshold(min) => {
                    advances[i] = key(total[order[i]]) >= key(*min);
                    continue;
                }
                AdvanceRule::Top(places) => (rank[i], rank_size[rank[i]], *places, None),
                AdvanceRule::TopPerGroup(_) | AdvanceRule::Quota(_) => (
                    group_rank[i],
                    group_size[g][group_rank[i]],
                    group_places[g],
                    Some(g),
                ),
            };
            let last = r + size - 1;
            advances[i] = last <= places;
            if r <= places && places < last {
                let run = run_of[i].expect("rows sharing a rank form a run");
                run_blocks[run] = true;
                if straddles.insert((scope, r)) {
                    let (a, b) = runs[run];
                    tie_blockers.push(Blocker::TieAtCutoff {
                        participants: self.ids_by_id(&order[a..b]),
                        group: scope.map(|g| self.groups[g].clone()),
                        rank: r,
                        places,
                    });
                }
            }
        }

        let ties: Vec<Tie> = runs
            .iter()
            .zip(&run_blocks)
            .map(|(&(a, b), &blocks)| Tie {
                rank: rank[a],
                participants: self.ids_by_id(&order[a..b]),
                blocks_advancement: blocks,
            })
            .collect();

        let mut blockers = Vec::new();
        let mut rows = Vec::with_capacity(n);
        for i in 0..n {
            let p = order[i];
            let cells = self.totals.cells(p);
            let values = &self.totals.values()[cells.clone()];
            let have = values.len();
            let provisional = have < self.need;
            let mut flags = Vec::new();
            if provisional {
                flags.push(Flag::Incomplete {
                    have,
                    need: self.need,
                });
                blockers.push(Blocker::Incomplete {
                    participant: self.ids[p].clone(),
                    have,
                    need: self.need,
                });
            }
            for c in cells.clone() {
                if self.outlier[c] {
                    flags.push(Flag::Outlier {
                        juror: self.jurors[self.totals.raters()[c]].clone(),
                    });
                }
            }
            if run_of[i].is_some() {
                flags.push(Flag::Tie);
            }
            let above = (i > 0).then(|| sep[i]);
            let below = (i + 1 < n).then(|| sep[i + 1]);
            let decided_by = match above
                .filter(|s| *s != Separation::Total)
                .or(below.filter(|s| *s != Separation::Total))
            {
                Some(Separation::Rule(r)) => Some(DecidedBy::Rule(self.chain[r].clone())),
                Some(Separation::Coordinator) => Some(DecidedBy::Coordinator),
                _ => None,
            };
            rows.push(RankingRow {
                participant: self.ids[p].clone(),
                group: self.groups[self.group_of[p]].clone(),
                juror_totals: self.juror_totals[p].clone(),
                aggregate: jury[p],
                provisional,
                indicator_part: self.indicator[p],
                carry_over_part: self.carry[p],
                total: total[p],
                spread: stats::population_sd(values).unwrap_or(0.0),
                flags,
                rank: rank[i],
                group_rank: group_rank[i],
                decided_by,
                advances: advances[i],
            });
        }
        blockers.extend(tie_blockers);

        let mut ranking = Ranking {
            stage: self.stage.id.clone(),
            method,
            rule: self.rule.clone(),
            chain: self.chain.clone(),
            advancing: rows
                .iter()
                .filter(|r| r.advances)
                .map(|r| r.participant.clone())
                .collect(),
            rows,
            ties,
            blockers,
            hash: String::new(),
        };
        ranking.hash = ranking.compute_hash();
        (ranking, order)
    }

    /// A resolution listing exactly these participants (in any order), once
    /// each.
    fn resolution_for(&self, ids: &[&ParticipantId]) -> Option<&'a Vec<ParticipantId>> {
        let wanted: BTreeSet<&ParticipantId> = ids.iter().copied().collect();
        self.resolutions
            .iter()
            .find(|r| r.len() == ids.len() && r.iter().collect::<BTreeSet<_>>() == wanted)
    }

    /// The ids of these participants, sorted.
    fn ids_by_id(&self, rows: &[usize]) -> Vec<ParticipantId> {
        let mut ids: Vec<ParticipantId> = rows.iter().map(|&p| self.ids[p].clone()).collect();
        ids.sort();
        ids
    }
}

/// What separates a row from the one above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Separation {
    /// A different total.
    Total,
    /// The rule at this index of the chain.
    Rule(usize),
    /// A coordinator's resolution.
    Coordinator,
    /// Nothing: an unresolved tie.
    Tied,
}

/// Weight × score for each of the stage's jury criteria (`jury`, sorted by
/// id) from a sheet's scores (also sorted by id): 0 for a criterion the
/// sheet lacks; scores of other criteria are ignored.
fn weighted_points(sheet: &ScoreSheet, jury: &[(&CriterionId, f64)], out: &mut [f64]) {
    // Usually the sheet scores exactly the jury criteria: one pass in step.
    if sheet.scores.len() == jury.len() {
        let mut same = true;
        for ((o, (k, v)), &(id, weight)) in out.iter_mut().zip(&sheet.scores).zip(jury) {
            if k != id {
                same = false;
                break;
            }
            *o = weight * v;
        }
        if same {
            return;
        }
    }
    let mut scores = sheet.scores.iter().peekable();
    for (o, &(id, weight)) in out.iter_mut().zip(jury) {
        while scores.next_if(|(k, _)| *k < id).is_some() {}
        *o = match scores.next_if(|(k, _)| *k == id) {
            Some((_, v)) => weight * v,
            None => 0.0,
        };
    }
}

/// A quick unkeyed hasher for looking ids up (the multiply-rotate step of
/// FxHash). Keyed hashing defends against chosen keys; these are the
/// contest's own ids, and no result depends on the hash.
#[derive(Default)]
struct IdHasher(u64);

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 56));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The multiply leaves the low bits, which pick the bucket, depending
    /// on the low bits of the input only: finish with a full mix
    /// (MurmurHash3's fmix64).
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Orders two sheets of the same juror and participant: the most recently
/// updated first, then by content, so that the choice never depends on the
/// order they were given in.
fn newer_first(a: &ScoreSheet, b: &ScoreSheet) -> Ordering {
    fn scores(s: &ScoreSheet) -> impl Iterator<Item = (&str, u64)> {
        s.scores.iter().map(|(k, v)| (k.as_str(), v.to_bits()))
    }
    b.updated_at.cmp(&a.updated_at).then_with(|| {
        scores(a)
            .cmp(scores(b))
            .then_with(|| a.comment.cmp(&b.comment))
    })
}

/// For each participant (sorted by id), the map's value under its id. Both
/// are sorted by id, so a merge walk does it, unless the map is much larger
/// than the list.
fn lookup_sorted<'m, V>(
    participants: &[&Participant],
    map: &'m BTreeMap<ParticipantId, V>,
) -> Vec<Option<&'m V>> {
    if map.len() > 8 * participants.len() + 16 {
        return participants.iter().map(|p| map.get(&p.id)).collect();
    }
    let mut entries = map.iter().peekable();
    participants
        .iter()
        .map(|p| {
            while entries.next_if(|(k, _)| *k < &p.id).is_some() {}
            entries.next_if(|(k, _)| *k == &p.id).map(|(_, v)| v)
        })
        .collect()
}

/// Per cell, the total minus the mean of the other jurors' totals for the
/// same participant; and the pooled within-participant SD.
fn deviations(totals: &Ratings) -> (Vec<Option<f64>>, Option<f64>) {
    let mut deviation = vec![None; totals.len()];
    let mut variances = Vec::new();
    for u in 0..totals.unit_count() {
        let cells = totals.cells(u);
        let values = &totals.values()[cells.clone()];
        let m = values.len();
        if m < 2 {
            continue;
        }
        let sum: f64 = values.iter().sum();
        for (c, &x) in cells.zip(values) {
            deviation[c] = Some(x - (sum - x) / (m - 1) as f64);
        }
        variances.extend(stats::sample_variance(values));
    }
    (deviation, stats::mean(&variances).map(f64::sqrt))
}

/// How the jury of a stage judged: severity, agreement and outliers.
#[derive(Clone, Debug, PartialEq)]
pub struct Statistics {
    pub stage: StageId,
    pub participants: usize,
    /// Submitted sheets counted.
    pub sheets: usize,
    /// By juror id.
    pub jurors: Vec<JurorStatistics>,
    /// Kendall's W of the jurors' totals, generalised to a jury where each
    /// participant is scored by K of N jurors (see [`stats::kendall_w`]).
    pub concordance: Option<Concordance>,
    /// Krippendorff's alpha of the jurors' totals, interval metric (units
    /// are participants, coders are jurors; see
    /// [`stats::krippendorff_alpha_interval`]).
    pub krippendorff_alpha: Option<f64>,
    /// The pooled within-participant SD of the jurors' totals: the square
    /// root of the mean, over participants with at least two totals, of the
    /// sample variance of their totals. The yardstick of [`Outlier`].
    pub pooled_sd: Option<f64>,
    /// By participant id, then juror id.
    pub outliers: Vec<Outlier>,
}

/// One juror's behaviour at a stage.
#[derive(Clone, Debug, PartialEq)]
pub struct JurorStatistics {
    pub juror: JurorId,
    /// Participants the juror submitted a sheet for.
    pub scored: usize,
    /// Of those, participants another juror also scored.
    pub compared: usize,
    /// The mean, over the compared participants, of the juror's total minus
    /// the mean of the other jurors' totals on the same participant:
    /// negative for a strict juror, positive for a lenient one. `None` when
    /// nothing can be compared.
    pub severity: Option<f64>,
    pub outliers: usize,
}

/// A juror's total far from the rest of the jury's on a participant.
#[derive(Clone, Debug, PartialEq)]
pub struct Outlier {
    pub participant: ParticipantId,
    pub juror: JurorId,
    pub total: f64,
    /// The mean of the other jurors' totals for the participant.
    pub others_mean: f64,
    /// `(total − others_mean) / pooled_sd`: beyond ±2 to be an outlier.
    pub deviation_in_sd: f64,
}

/// The jury's severity, agreement and outliers at a stage.
pub fn statistics(input: &StageInput) -> Statistics {
    Prepared::new(input).statistics()
}

impl Prepared<'_> {
    fn statistics(&self) -> Statistics {
        let totals = &self.totals;
        let jurors_n = self.jurors.len();
        let (mut scored, mut compared) = (vec![0usize; jurors_n], vec![0usize; jurors_n]);
        let mut severity_sum = vec![0.0; jurors_n];
        let mut outlier_count = vec![0usize; jurors_n];
        let mut outliers = Vec::new();
        for p in 0..totals.unit_count() {
            for c in totals.cells(p) {
                let j = totals.raters()[c];
                scored[j] += 1;
                if let Some(d) = self.deviation[c] {
                    compared[j] += 1;
                    severity_sum[j] += d;
                }
                if self.outlier[c] {
                    let d = self.deviation[c].unwrap_or(0.0);
                    let sd = self.pooled_sd.unwrap_or(1.0);
                    outlier_count[j] += 1;
                    outliers.push(Outlier {
                        participant: self.ids[p].clone(),
                        juror: self.jurors[j].clone(),
                        total: totals.values()[c],
                        others_mean: totals.values()[c] - d,
                        deviation_in_sd: d / sd,
                    });
                }
            }
        }
        Statistics {
            stage: self.stage.id.clone(),
            participants: self.ids.len(),
            sheets: totals.len(),
            jurors: (0..jurors_n)
                .map(|j| JurorStatistics {
                    juror: self.jurors[j].clone(),
                    scored: scored[j],
                    compared: compared[j],
                    severity: (compared[j] > 0).then(|| severity_sum[j] / compared[j] as f64),
                    outliers: outlier_count[j],
                })
                .collect(),
            concordance: stats::kendall_w(totals),
            krippendorff_alpha: stats::krippendorff_alpha_interval(totals),
            pooled_sd: self.pooled_sd,
            outliers,
        }
    }
}

/// A participant's place under one aggregation method.
#[derive(Clone, Debug, PartialEq)]
pub struct MethodOutcome {
    pub method: Aggregation,
    pub rank: usize,
    pub group_rank: usize,
    pub total: f64,
    pub advances: bool,
}

/// A participant whose advancement depends on the aggregation method.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitivityRow {
    pub participant: ParticipantId,
    pub group: GroupId,
    /// One per method, in [`Aggregation::ALL`] order.
    pub outcomes: Vec<MethodOutcome>,
}

/// Ranks the stage under every method and lists the participants who
/// advance under some methods and not under others, best first (by their
/// best rank, then id).
pub fn sensitivity(input: &StageInput) -> Vec<SensitivityRow> {
    let (rankings, matched) = Prepared::new(input).rank_every_method();
    sensitivity_matched(&rankings, &matched)
}

/// [`sensitivity`] over rankings already made (of the same stage, one per
/// method).
pub fn sensitivity_of(rankings: &[Ranking]) -> Vec<SensitivityRow> {
    let Some(first) = rankings.first() else {
        return Vec::new();
    };
    let matched: Vec<Vec<Option<usize>>> = rankings
        .iter()
        .map(|r| {
            let row_of: IdMap<&str, usize> = r
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| (row.participant.as_str(), i))
                .collect();
            first
                .rows
                .iter()
                .map(|row| row_of.get(row.participant.as_str()).copied())
                .collect()
        })
        .collect();
    sensitivity_matched(rankings, &matched)
}

/// [`sensitivity_of`] where `matched[k][i]` is the row of `rankings[k]`
/// that holds the participant of row `i` of `rankings[0]`.
fn sensitivity_matched(
    rankings: &[Ranking],
    matched: &[Vec<Option<usize>>],
) -> Vec<SensitivityRow> {
    let Some(first) = rankings.first() else {
        return Vec::new();
    };
    let row = |k: usize, i: usize| matched[k][i].map(|r| &rankings[k].rows[r]);
    let mut out: Vec<SensitivityRow> = (0..first.rows.len())
        .filter(|&i| {
            let advances = first.rows[i].advances;
            (1..rankings.len()).any(|k| row(k, i).is_some_and(|r| r.advances) != advances)
        })
        .map(|i| SensitivityRow {
            participant: first.rows[i].participant.clone(),
            group: first.rows[i].group.clone(),
            outcomes: (0..rankings.len())
                .filter_map(|k| {
                    row(k, i).map(|r| MethodOutcome {
                        method: rankings[k].method,
                        rank: r.rank,
                        group_rank: r.group_rank,
                        total: r.total,
                        advances: r.advances,
                    })
                })
                .collect(),
        })
        .collect();
    let best = |s: &SensitivityRow| s.outcomes.iter().map(|o| o.rank).min().unwrap_or(0);
    out.sort_by(|a, b| {
        best(a)
            .cmp(&best(b))
            .then_with(|| a.participant.cmp(&b.participant))
    });
    out
}

#[cfg(test)]
mod tests;
