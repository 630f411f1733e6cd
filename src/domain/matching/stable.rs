//! Stable matching: intern-proposing deferred acceptance with capacities (the
//! hospitals/residents problem), and the blocking pairs of any matching.
//!
//! Each intern proposes down their preference list; a mentor holds the best
//! proposals up to its free places and lets the worst go when a better one
//! comes. The result is the stable matching every intern likes at least as
//! well as any other stable matching, whatever order the proposals come in.

use super::market::{Market, RankKey};
use std::collections::{BinaryHeap, VecDeque};

/// Deferred acceptance over the unlocked interns, proposing in `order` (the
/// result does not depend on it). Locked interns keep their mentor and their
/// places are not offered.
pub(super) fn deferred_acceptance(
    market: &Market,
    order: impl IntoIterator<Item = usize>,
) -> Vec<Option<u32>> {
    let lists: Vec<Vec<u32>> = (0..market.interns.len())
        .map(|i| {
            if market.lock_of[i].is_some() {
                Vec::new()
            } else {
                market.intern_order(i)
            }
        })
        .collect();
    let mut next = vec![0usize; lists.len()];
    // Per mentor, the proposals held, the least wanted on top.
    let mut held: Vec<BinaryHeap<(RankKey, u32)>> = vec![BinaryHeap::new(); market.mentors.len()];
    let mut waiting: VecDeque<usize> = order
        .into_iter()
        .filter(|&i| market.lock_of[i].is_none())
        .collect();
    while let Some(mut i) = waiting.pop_front() {
        while let Some(&k) = lists[i].get(next[i]) {
            next[i] += 1;
            let edge = &market.edges[i][k as usize];
            let m = edge.mentor as usize;
            let places = market.places[m] as usize;
            if places == 0 {
                continue;
            }
            let key = market.mentor_key(edge, i as u32);
            if held[m].len() < places {
                held[m].push((key, i as u32));
                break;
            }
            let worst = held[m].peek().map(|w| w.0);
            if worst.is_some_and(|w| key < w) {
                let (_, let_go) = held[m].pop().expect("a full mentor holds someone");
                held[m].push((key, i as u32));
                i = let_go as usize;
            }
        }
    }
    let mut assigned = market.lock_of.clone();
    for (m, h) in held.into_iter().enumerate() {
        for (_, i) in h {
            assigned[i as usize] = Some(m as u32);
        }
    }
    assigned
}

/// A blocking pair by indices.
pub(super) struct Blocking {
    pub mentor: u32,
    pub intern: u32,
    pub intern_has: Option<u32>,
    pub mentor_drops: Option<u32>,
}

/// The blocking pairs of an assignment (see [`super::blocking_pairs`]).
pub(super) fn blocking_pairs(market: &Market, assigned: &[Option<u32>]) -> Vec<Blocking> {
    let nm = market.mentors.len();
    let mut count = vec![0u32; nm];
    // Per mentor, the least wanted intern it may let go.
    let mut worst: Vec<Option<(RankKey, u32)>> = vec![None; nm];
    for (i, m) in assigned.iter().enumerate() {
        let Some(m) = *m else { continue };
        let mu = m as usize;
        count[mu] += 1;
        if market.lock_of[i] == Some(m) {
            continue;
        }
        let key = market
            .edge(i, mu)
            .map_or((2, 0, i as u32), |e| market.mentor_key(e, i as u32));
        if worst[mu].is_none_or(|w| key > w.0) {
            worst[mu] = Some((key, i as u32));
        }
    }
    let mut out = Vec::new();
    for (i, has) in assigned.iter().enumerate() {
        if market.lock_of[i].is_some() {
            continue;
        }
        let has_key = has
            .and_then(|m| market.edge(i, m as usize))
            .map(|e| market.intern_key(e));
        for e in &market.edges[i] {
            let m = e.mentor as usize;
            if *has == Some(e.mentor) || has_key.is_some_and(|k| market.intern_key(e) >= k) {
                continue;
            }
            let drops = if count[m] < market.mentors[m].capacity {
                None
            } else {
                match worst[m] {
                    Some((w, j)) if market.mentor_key(e, i as u32) < w => Some(j),
                    _ => continue,
                }
            };
            out.push(Blocking {
                mentor: e.mentor,
                intern: i as u32,
                intern_has: *has,
                mentor_drops: drops,
            });
        }
    }
    out.sort_by_key(|b| (b.mentor, b.intern));
    out
}
