//! Who would fare differently under another aggregation method.

use super::prepare::Prepared;
use super::{IdMap, Ranking, StageInput};
use crate::domain::ids::{GroupId, ParticipantId};
use crate::domain::regulation::Aggregation;

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
pub(super) fn sensitivity_matched(
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
