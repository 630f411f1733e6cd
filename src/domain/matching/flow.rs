//! The optimal modes as a min-cost flow: source → intern (one place) →
//! mentor (one per acceptable pair, cost −weight) → sink (the mentor's
//! places). Successive shortest paths add one intern at a time along the
//! cheapest augmenting path and stop when no path lowers the cost.
//!
//! Interns vastly outnumber mentors, so the search runs on the mentors only:
//! an augmenting path enters a mentor from an unmatched intern, moves interns
//! from mentor to mentor, and ends at a mentor with a free place. The
//! potentials of the interns cancel along such a path, and an unmatched intern
//! is worth only its best pair with each mentor, which a sorted queue per
//! mentor gives in amortised constant time.

use super::MatchMode;
use super::market::Market;

const INF: i64 = i64::MAX / 4;

/// What the flow maximises, as one integer weight per pair. Two goals are
/// packed into one number so that the first always wins and the second
/// decides between equals:
/// - optimal: total score first, then the number of matched interns;
/// - max cardinality: the number of matched interns first, then the total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Objective {
    mode: MatchMode,
    score_factor: i64,
    pair_bonus: i64,
    /// The most the secondary goal can change by.
    secondary_bound: i64,
}

impl Objective {
    /// The objective of an optimal mode; `None` for the stable mode, which
    /// maximises nothing.
    pub fn of(market: &Market, mode: MatchMode) -> Option<Objective> {
        let free = market.free_interns();
        match mode {
            MatchMode::Optimal => {
                let n = free.count() as i64;
                Some(Objective {
                    mode,
                    score_factor: 2 * n + 1,
                    pair_bonus: 1,
                    secondary_bound: n,
                })
            }
            MatchMode::MaxCardinality => {
                let most: i64 = free
                    .map(|i| market.edges[i].iter().map(|e| e.score).max().unwrap_or(0))
                    .sum();
                Some(Objective {
                    mode,
                    score_factor: 1,
                    pair_bonus: 2 * most + 1,
                    secondary_bound: most,
                })
            }
            MatchMode::Stable => None,
        }
    }

    pub fn weight(&self, score: i64) -> i64 {
        score * self.score_factor + self.pair_bonus
    }

    /// Splits a change of the packed weight into the change of the total
    /// score and of the number of matched interns.
    pub fn decode(&self, change: i64) -> (i64, i64) {
        let base = match self.mode {
            MatchMode::MaxCardinality => self.pair_bonus,
            _ => self.score_factor,
        };
        let mut rest = change.rem_euclid(base);
        if rest > self.secondary_bound {
            rest -= base;
        }
        let main = (change - rest) / base;
        match self.mode {
            MatchMode::MaxCardinality => (rest, main),
            _ => (main, rest),
        }
    }
}

/// How Dijkstra reached a mentor.
#[derive(Clone, Copy, Debug)]
enum Step {
    None,
    /// From the source through an unmatched intern.
    Source(u32, i64),
    /// From another mentor, moving one of its interns (with the new weight).
    Move(u32, u32, i64),
}

/// The best assignment for the objective; locked interns keep their mentor.
pub(super) fn solve(market: &Market, objective: Objective) -> Vec<Option<u32>> {
    let nm = market.mentors.len();
    let mut assigned: Vec<Option<u32>> = market.lock_of.clone();
    let mut free: Vec<u32> = market.places.clone();
    // Unlocked interns placed by the solver, with the pair's weight.
    let mut occupants: Vec<Vec<(u32, i64)>> = vec![Vec::new(); nm];
    // Per mentor, the unlocked interns by weight, best first.
    let mut queue: Vec<Vec<(i64, u32)>> = vec![Vec::new(); nm];
    for i in market.free_interns() {
        for e in &market.edges[i] {
            if market.places[e.mentor as usize] > 0 {
                queue[e.mentor as usize].push((-objective.weight(e.score), i as u32));
            }
        }
    }
    for q in &mut queue {
        q.sort_unstable();
    }
    let mut head = vec![0usize; nm];
    // Potentials keep the reduced costs non-negative; the source's is 0.
    let mut potential: Vec<i64> = queue
        .iter()
        .map(|q| q.first().map_or(0, |&(minus_w, _)| minus_w))
        .collect();
    let mut sink_potential = potential.iter().copied().min().unwrap_or(0).min(0);

    let mut dist = vec![INF; nm];
    let mut step = vec![Step::None; nm];
    let mut done = vec![false; nm];
    loop {
        for m in 0..nm {
            done[m] = false;
            dist[m] = INF;
            step[m] = Step::None;
            let q = &queue[m];
            while head[m] < q.len() && assigned[q[head[m]].1 as usize].is_some() {
                head[m] += 1;
            }
            if let Some(&(minus_w, i)) = q.get(head[m]) {
                debug_assert!(minus_w - potential[m] >= 0);
                dist[m] = minus_w - potential[m];
                step[m] = Step::Source(i, -minus_w);
            }
        }
        let mut sink = INF;
        let mut last = None;
        loop {
            let mut best: Option<usize> = None;
            for m in 0..nm {
                if !done[m] && dist[m] < INF && best.is_none_or(|b| dist[m] < dist[b]) {
                    best = Some(m);
                }
            }
            let Some(u) = best else { break };
            if dist[u] >= sink {
                break;
            }
            done[u] = true;
            if free[u] > 0 {
                let d = dist[u] + potential[u] - sink_potential;
                debug_assert!(d >= dist[u]);
                if d < sink {
                    sink = d;
                    last = Some(u);
                }
            }
            for &(i, held) in &occupants[u] {
                for e in &market.edges[i as usize] {
                    let v = e.mentor as usize;
                    if v == u || done[v] || market.places[v] == 0 {
                        continue;
                    }
                    let w = objective.weight(e.score);
                    let reduced = held - w + potential[u] - potential[v];
                    debug_assert!(reduced >= 0);
                    if dist[u] + reduced < dist[v] {
                        dist[v] = dist[u] + reduced;
                        step[v] = Step::Move(u as u32, i, w);
                    }
                }
            }
        }
        let Some(end) = last else { break };
        if sink + sink_potential >= 0 {
            break;
        }
        for m in 0..nm {
            potential[m] += dist[m].min(sink);
        }
        sink_potential += sink;

        free[end] -= 1;
        let mut m = end;
        loop {
            match step[m] {
                Step::Source(i, w) => {
                    assigned[i as usize] = Some(m as u32);
                    occupants[m].push((i, w));
                    break;
                }
                Step::Move(from, i, w) => {
                    let from = from as usize;
                    let at = occupants[from]
                        .iter()
                        .position(|&(j, _)| j == i)
                        .expect("a moved intern sits with the mentor it leaves");
                    occupants[from].swap_remove(at);
                    assigned[i as usize] = Some(m as u32);
                    occupants[m].push((i, w));
                    m = from;
                }
                Step::None => unreachable!("every mentor on the path was reached"),
            }
        }
    }
    assigned
}

/// The residual graph of an assignment, over the mentors plus the source and
/// the sink, with the cheapest composite arc between each two nodes. A
/// negative cycle in it is a way to improve the assignment; without one,
/// the cheapest path from a mentor says what forcing a pair would cost.
pub(super) struct Residual {
    nodes: usize,
    cost: Vec<i64>,
    potential: Vec<i64>,
}

impl Residual {
    /// `None` when the assignment is not optimal for the objective.
    pub fn new(
        market: &Market,
        objective: Objective,
        assigned: &[Option<u32>],
    ) -> Option<Residual> {
        let nm = market.mentors.len();
        let nodes = nm + 2;
        let (source, sink) = (nm, nm + 1);
        let mut cost = vec![INF; nodes * nodes];
        let mut arc = |a: usize, b: usize, c: i64| {
            let x = &mut cost[a * nodes + b];
            *x = (*x).min(c);
        };
        let mut held = vec![0u32; nm];
        let mut any = false;
        for i in market.free_interns() {
            match assigned[i] {
                None => {
                    for e in &market.edges[i] {
                        arc(source, e.mentor as usize, -objective.weight(e.score));
                    }
                }
                Some(m) => {
                    let m = m as usize;
                    held[m] += 1;
                    any = true;
                    let w = objective.weight(market.edge(i, m)?.score);
                    arc(m, source, w);
                    arc(sink, m, 0);
                    for e in &market.edges[i] {
                        if e.mentor as usize != m {
                            arc(m, e.mentor as usize, w - objective.weight(e.score));
                        }
                    }
                }
            }
        }
        for (m, (&held, &places)) in held.iter().zip(&market.places).enumerate() {
            if held < places {
                arc(m, sink, 0);
            }
        }
        arc(sink, source, 0);
        if any {
            arc(source, sink, 0);
        }
        // Bellman–Ford from a virtual root joined to every node.
        let mut potential = vec![0i64; nodes];
        for round in 0..=nodes {
            let mut changed = false;
            for a in 0..nodes {
                for b in 0..nodes {
                    let c = cost[a * nodes + b];
                    if c < INF && potential[a] + c < potential[b] {
                        potential[b] = potential[a] + c;
                        changed = true;
                    }
                }
            }
            if !changed {
                return Some(Residual {
                    nodes,
                    cost,
                    potential,
                });
            }
            if round == nodes {
                break;
            }
        }
        None
    }

    /// The cheapest paths from a mentor to every node (the source is node
    /// `mentors`), in real costs; `None` where there is no path.
    pub fn paths_from(&self, from: usize) -> Vec<Option<i64>> {
        let n = self.nodes;
        let mut dist = vec![INF; n];
        let mut done = vec![false; n];
        dist[from] = 0;
        loop {
            let mut best: Option<usize> = None;
            for v in 0..n {
                if !done[v] && dist[v] < INF && best.is_none_or(|b| dist[v] < dist[b]) {
                    best = Some(v);
                }
            }
            let Some(u) = best else { break };
            done[u] = true;
            for v in 0..n {
                let c = self.cost[u * n + v];
                if c < INF && !done[v] {
                    let reduced = c + self.potential[u] - self.potential[v];
                    debug_assert!(reduced >= 0);
                    if dist[u] + reduced < dist[v] {
                        dist[v] = dist[u] + reduced;
                    }
                }
            }
        }
        dist.into_iter()
            .enumerate()
            .map(|(v, d)| (d < INF).then(|| d - self.potential[from] + self.potential[v]))
            .collect()
    }
}
