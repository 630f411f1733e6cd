//! The ranking under one aggregation method: the jurors' totals combined,
//! the rows sorted by total and the tie-break chain, coordinators'
//! resolutions applied to what no rule separates, ranks given and the rows
//! made with what explains them.

use super::advance::Advancement;
use super::prepare::{Prepared, RuleKeys};
use super::{Blocker, DecidedBy, Flag, Placing, Ranking, RankingRow, key};
use crate::domain::ids::ParticipantId;
use crate::domain::regulation::Aggregation;
use crate::domain::stats::{self, Ratings};
use std::collections::BTreeSet;

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

/// What separates a row from the one above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Separation {
    /// A different total.
    Total,
    /// The rule at this index of the chain.
    Rule(usize),
    /// A coordinator's resolution.
    Coordinator,
    /// Nothing: an unresolved tie.
    Tied,
}

impl<'a> Prepared<'a> {
    /// The rankings under every method, in [`Aggregation::ALL`] order, and
    /// for each the row of each row of the first (see
    /// [`sensitivity_matched`](super::sensitivity::sensitivity_matched)).
    pub(super) fn rank_every_method(&self) -> (Vec<Ranking>, Vec<Vec<Option<usize>>>) {
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

    pub(super) fn rank(&self, method: Aggregation) -> Ranking {
        self.rank_ordered(method).0
    }

    /// The ranking, and the participant (index) of each of its rows.
    fn rank_ordered(&self, method: Aggregation) -> (Ranking, Vec<usize>) {
        let trim = self.stage.trim_fraction;
        let jury = aggregate(&self.totals, self.totals.values(), method, trim);
        let total: Vec<f64> = (0..self.ids.len())
            .map(|p| jury[p] + self.indicator[p] + self.carry[p])
            .collect();
        let placing = self.place(method, &total);
        let Advancement {
            advances,
            ties,
            tie_blockers,
        } = self.advancement(&placing, &total);
        let (rows, mut blockers) = self.rows(&placing, &jury, &total, &advances);
        blockers.extend(tie_blockers);

        let mut ranking = Ranking {
            stage: self.stage.id.clone(),
            method,
            rule: self.rule.clone(),
            chain: self.chain.to_vec(),
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
        (ranking, placing.order)
    }

    /// One row of keys per participant, a column per rule of the chain,
    /// smaller first.
    fn key_table(&self, method: Aggregation, total: &[f64]) -> Vec<i64> {
        let n = self.ids.len();
        let trim = self.stage.trim_fraction;
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
        keys
    }

    /// The rows sorted by the chain, ties resolved where a coordinator
    /// did, and ranked.
    fn place(&self, method: Aggregation, total: &[f64]) -> Placing {
        let n = self.ids.len();
        let keys = self.key_table(method, total);
        let width = self.keys.len();
        let row_keys = |p: usize| &keys[p * width..(p + 1) * width];

        // Participants are sorted by id, so the index breaks what the chain
        // leaves tied in id order.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| row_keys(a).cmp(row_keys(b)).then(a.cmp(&b)));

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
        let runs = self.resolve_ties(&mut order, &mut sep);

        let mut rank = vec![0usize; n];
        for i in 0..n {
            rank[i] = if sep[i] == Separation::Tied {
                rank[i - 1]
            } else {
                i + 1
            };
        }
        let group_rank = self.group_ranks(&order, &rank);
        let mut run_of: Vec<Option<usize>> = vec![None; n];
        for (k, &(a, b)) in runs.iter().enumerate() {
            for r in &mut run_of[a..b] {
                *r = Some(k);
            }
        }
        Placing {
            order,
            sep,
            runs,
            run_of,
            rank,
            group_rank,
        }
    }

    /// Runs of rows no rule separates: applies a coordinator's resolution
    /// that lists exactly the run, and returns the runs left tied.
    fn resolve_ties(&self, order: &mut [usize], sep: &mut [Separation]) -> Vec<(usize, usize)> {
        let n = order.len();
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
        runs
    }

    /// Each row's rank among the rows of its group.
    fn group_ranks(&self, order: &[usize], rank: &[usize]) -> Vec<usize> {
        let mut group_rank = vec![0usize; order.len()];
        // Per group: (rows so far, last overall rank, last group rank).
        let mut seen = vec![(0usize, 0usize, 0usize); self.groups.len()];
        for (i, &p) in order.iter().enumerate() {
            let state = &mut seen[self.group_of[p]];
            group_rank[i] = if state.0 > 0 && state.1 == rank[i] {
                state.2
            } else {
                state.0 + 1
            };
            *state = (state.0 + 1, rank[i], group_rank[i]);
        }
        group_rank
    }

    /// The rows with what explains them, and the blockers of incomplete
    /// sheets, in row order.
    fn rows(
        &self,
        placing: &Placing,
        jury: &[f64],
        total: &[f64],
        advances: &[bool],
    ) -> (Vec<RankingRow>, Vec<Blocker>) {
        let n = placing.order.len();
        let sep = &placing.sep;
        let mut blockers = Vec::new();
        let mut rows = Vec::with_capacity(n);
        for (i, &p) in placing.order.iter().enumerate() {
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
            if placing.run_of[i].is_some() {
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
                rank: placing.rank[i],
                group_rank: placing.group_rank[i],
                decided_by,
                advances: advances[i],
            });
        }
        (rows, blockers)
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
    pub(super) fn ids_by_id(&self, rows: &[usize]) -> Vec<ParticipantId> {
        let mut ids: Vec<ParticipantId> = rows.iter().map(|&p| self.ids[p].clone()).collect();
        ids.sort();
        ids
    }
}
