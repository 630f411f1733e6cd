//! Who advances by the stage's rule, and the unresolved ties that straddle
//! a cutoff and so block the ranking.

use super::prepare::Prepared;
use super::{Blocker, Placing, Tie, key};
use crate::domain::regulation::AdvanceRule;
use std::collections::BTreeSet;

/// Who advances, per row, and the unresolved ties.
pub(super) struct Advancement {
    pub(super) advances: Vec<bool>,
    /// One per run of [`Placing::runs`].
    pub(super) ties: Vec<Tie>,
    /// The ties across a cutoff, each scope and rank once, in row order.
    pub(super) tie_blockers: Vec<Blocker>,
}

impl Prepared<'_> {
    /// Advancement under the stage's rule. A row advances when every row
    /// sharing its (group) rank fits in the places; an unresolved tie with
    /// rows on both sides of the cutoff blocks the ranking.
    pub(super) fn advancement(&self, placing: &Placing, total: &[f64]) -> Advancement {
        let Placing {
            order,
            runs,
            run_of,
            rank,
            group_rank,
            ..
        } = placing;
        let n = order.len();
        let (rank_size, group_size) = self.rank_sizes(placing);
        let group_places = self.group_places();
        let mut advances = vec![false; n];
        let mut straddles: BTreeSet<(Option<usize>, usize)> = BTreeSet::new();
        let mut tie_blockers: Vec<Blocker> = Vec::new();
        let mut run_blocks = vec![false; runs.len()];
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
        Advancement {
            advances,
            ties,
            tie_blockers,
        }
    }

    /// How many rows share each rank, overall and within each group.
    fn rank_sizes(&self, placing: &Placing) -> (Vec<usize>, Vec<Vec<usize>>) {
        let mut rank_size = vec![0usize; placing.order.len() + 1];
        for &r in &placing.rank {
            rank_size[r] += 1;
        }
        let mut group_size: Vec<Vec<usize>> =
            self.group_members.iter().map(|&m| vec![0; m + 1]).collect();
        for (&p, &r) in placing.order.iter().zip(&placing.group_rank) {
            group_size[self.group_of[p]][r] += 1;
        }
        (rank_size, group_size)
    }

    /// Per group, its places under a per-group rule (none otherwise).
    fn group_places(&self) -> Vec<usize> {
        match &self.rule {
            AdvanceRule::TopPerGroup(places) | AdvanceRule::Quota(places) => self
                .groups
                .iter()
                .map(|g| places.get(*g).copied().unwrap_or(0))
                .collect(),
            _ => Vec::new(),
        }
    }
}
