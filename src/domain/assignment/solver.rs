//! The exact engine behind [`super::assign`]: a flow of participants to
//! jurors, solved on a graph whose nodes are the jurors.
//!
//! The flow network is the usual one: source → participant (capacity: the
//! jurors the participant still needs) → eligible juror (capacity 1) → sink
//! (capacity: the load limit). A juror's arc to the sink costs
//! `W · φ(load)` with the convex `φ(L) = L(L−1)/2`, a participant's arc from
//! the source `W' · φ(jurors)`, and every arc participant → juror that is not
//! an existing automatic assignment costs 1. With `W` larger than any keep
//! cost a simple cycle can carry, and `W'` larger than any juror cost, the
//! cheapest maximum flow is, in this order: the most assignments; the
//! smallest `Σ jurors²` over participants (only a load limit makes this
//! matter: the participants with fewest jurors get the places first); the
//! smallest `Σ load²` over jurors (on this kind of problem — the loads of all
//! maximum flows form an M-convex set — that is the same as the most even
//! load vector: the largest load as small as it can be, then the next one,
//! and so on); and the most existing assignments kept.
//!
//! Participants are many and jurors few, so the residual graph is contracted
//! onto the jurors: an arc `a → b` stands for "some participant judged by `a`
//! could be judged by `b` instead", and we keep, per juror pair, how many
//! participants offer that move, split by its keep cost. Two extra nodes
//! stand for the source (`S`: a participant short of jurors gains one, or
//! one loses a juror) and the sink (`T`: a juror's load goes up or down). A
//! simple cycle of the contracted graph is always a valid exchange (every
//! juror is entered once and left once, so no participant is asked to both
//! keep and leave a juror), and a flow is optimal exactly when the contracted
//! graph has no negative cycle. The greedy start and the balancing moves only
//! make that final cycle cancelling short.

use std::collections::{BTreeSet, VecDeque};

/// The pair has no conflict of interest.
pub(super) const ELIGIBLE: u8 = 1;
/// The pair is kept as it is: a manual assignment or one being scored.
pub(super) const FIXED: u8 = 2;
/// The pair is an existing automatic assignment that is still valid.
pub(super) const PREFERRED: u8 = 4;
/// The pair is an automatic assignment of the current solution.
const ASSIGNED: u8 = 8;

/// What the engine is asked: indices stand for participants and jurors in
/// the order of their ids.
pub(super) struct Problem {
    pub jurors: usize,
    /// K.
    pub per_participant: usize,
    /// Automatic jurors each participant still needs.
    pub need: Vec<usize>,
    /// Per juror, the assignments kept as they are.
    pub fixed_load: Vec<usize>,
    /// Per participant, the jurors kept as they are.
    pub fixed_of: Vec<Vec<u32>>,
    /// No automatic assignment takes a juror's load above this.
    pub cap: usize,
    /// `participants × jurors` flags: [`ELIGIBLE`], [`FIXED`], [`PREFERRED`].
    pub cells: Vec<u8>,
}

/// Per participant, the jurors assigned automatically, in index order.
pub(super) fn solve(problem: Problem) -> Vec<Vec<u32>> {
    let mut s = Solver::new(problem);
    s.greedy_start();
    s.start_tracking();
    while s.augment_coverage() {}
    while s.balance_step() {}
    while s.cancel_negative_cycle() {}
    s.jurors_of
        .into_iter()
        .map(|mut js| {
            js.sort_unstable();
            js
        })
        .collect()
}

/// One arc of the contracted residual graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// A participant judged by the first juror is judged by the second instead.
    Move(usize, usize),
    /// A participant short of jurors gains this juror.
    Gain(usize),
    /// A participant loses this juror.
    Drop(usize),
    /// A juror's load changes; nothing to do on the participants.
    Load,
}

struct Solver {
    n: usize,
    m: usize,
    cap: usize,
    cells: Vec<u8>,
    need: Vec<usize>,
    fixed_of: Vec<Vec<u32>>,
    /// Automatic jurors per participant.
    jurors_of: Vec<Vec<u32>>,
    /// Total load per juror, kept assignments included.
    load: Vec<usize>,
    /// Automatic assignments per juror.
    auto_load: Vec<usize>,
    /// Participants judged automatically, per juror.
    members: Vec<BTreeSet<u32>>,
    tracking: bool,
    /// `moves[a·m + b][cost + 1]`: participants at `a` that could go to `b`.
    moves: Vec<[u32; 3]>,
    /// Buckets per juror and participant's number of jurors: `k + 1` wide.
    width: usize,
    /// `gains[b·width + c][new]`: participants with `c` jurors, short of
    /// jurors, that could gain `b`.
    gains: Vec<[u32; 2]>,
    /// `drops[a·width + c][new]`: automatic assignments of `a` to
    /// participants with `c` jurors.
    drops: Vec<[u32; 2]>,
    /// Participants with fewer automatic jurors than they need.
    deficit: BTreeSet<u32>,
}

impl Solver {
    fn new(p: Problem) -> Self {
        let m = p.jurors;
        let n = p.need.len();
        Solver {
            n,
            m,
            cap: p.cap,
            width: p.per_participant + 1,
            cells: p.cells,
            need: p.need,
            fixed_of: p.fixed_of,
            jurors_of: vec![Vec::new(); n],
            load: p.fixed_load,
            auto_load: vec![0; m],
            members: vec![BTreeSet::new(); m],
            tracking: false,
            moves: Vec::new(),
            gains: Vec::new(),
            drops: Vec::new(),
            deficit: BTreeSet::new(),
        }
    }

    fn cell(&self, p: usize, j: usize) -> u8 {
        self.cells[p * self.m + j]
    }

    /// The juror may be added to the participant's jurors.
    fn open(&self, p: usize, j: usize) -> bool {
        let c = self.cell(p, j);
        c & ELIGIBLE != 0 && c & (FIXED | ASSIGNED) == 0
    }

    /// 1 when the pair would be a new assignment, 0 when it existed.
    fn new_cost(&self, p: usize, j: usize) -> usize {
        usize::from(self.cell(p, j) & PREFERRED == 0)
    }

    fn has_room(&self, j: usize) -> bool {
        self.load[j] < self.cap
    }

    /// How many jurors the participant has, kept ones included.
    fn jurors(&self, p: usize) -> usize {
        self.fixed_of[p].len() + self.jurors_of[p].len()
    }

    /// Starts from the still-valid existing assignments, then fills the
    /// participants in rounds (one juror each per round, so that a load
    /// limit leaves shortfalls spread out), with the least loaded eligible
    /// juror; among equally loaded ones, the juror who has sat least often
    /// with the participant's other jurors comes first (spreading co-jurors),
    /// then the smaller id. Participants with fewest candidates go first.
    fn greedy_start(&mut self) {
        let (n, m) = (self.n, self.m);
        for p in 0..n {
            for j in 0..m {
                if self.jurors_of[p].len() == self.need[p] {
                    break;
                }
                if self.cell(p, j) & PREFERRED != 0 && self.open(p, j) && self.has_room(j) {
                    self.assign(p, j);
                }
            }
        }
        let mut together = vec![0u32; m * m];
        for p in 0..n {
            let all: Vec<u32> = self.fixed_of[p]
                .iter()
                .chain(&self.jurors_of[p])
                .copied()
                .collect();
            for (i, &a) in all.iter().enumerate() {
                for &b in &all[i + 1..] {
                    together[a as usize * m + b as usize] += 1;
                    together[b as usize * m + a as usize] += 1;
                }
            }
        }
        let mut order: Vec<(usize, usize)> = (0..n)
            .map(|p| ((0..m).filter(|&j| self.open(p, j)).count(), p))
            .collect();
        order.sort_unstable();
        // With a load limit, one juror per participant per round, so that
        // the places run out evenly; without one, each participant at once,
        // which lets the co-juror spreading see the whole panel.
        let (rounds, per_round) = if self.cap == usize::MAX {
            (1, usize::MAX)
        } else {
            (self.width, 1)
        };
        for round in 0..rounds {
            for &(_, p) in &order {
                let mut given = 0;
                while given < per_round
                    && self.jurors_of[p].len() < self.need[p]
                    && (rounds == 1 || self.jurors(p) <= round)
                {
                    let Some(j) = self.least_loaded(p, &together) else {
                        break;
                    };
                    for &c in self.fixed_of[p].iter().chain(&self.jurors_of[p]) {
                        together[j * m + c as usize] += 1;
                        together[c as usize * m + j] += 1;
                    }
                    self.assign(p, j);
                    given += 1;
                }
            }
        }
    }

    /// The juror to add to the participant: least loaded, then least often
    /// together with the participant's other jurors, then by id.
    fn least_loaded(&self, p: usize, together: &[u32]) -> Option<usize> {
        let m = self.m;
        (0..m)
            .filter(|&j| self.open(p, j) && self.has_room(j))
            .min_by_key(|&j| {
                let paired: u32 = self.fixed_of[p]
                    .iter()
                    .chain(&self.jurors_of[p])
                    .map(|&c| together[j * m + c as usize])
                    .sum();
                (self.load[j], paired, j)
            })
    }

    fn start_tracking(&mut self) {
        let m = self.m;
        self.moves = vec![[0; 3]; m * m];
        self.gains = vec![[0; 2]; m * self.width];
        self.drops = vec![[0; 2]; m * self.width];
        self.tracking = true;
        for p in 0..self.n {
            self.count_in(p, true);
        }
    }

    /// Adds (or removes) the participant's share of the contracted graph.
    fn count_in(&mut self, p: usize, add: bool) {
        let m = self.m;
        let bump = |v: &mut u32| {
            if add { *v += 1 } else { *v -= 1 }
        };
        let open: Vec<(usize, usize)> = (0..m)
            .filter(|&b| self.open(p, b))
            .map(|b| (b, self.new_cost(p, b)))
            .collect();
        let c = self.jurors(p);
        for &a in &self.jurors_of[p] {
            let a = a as usize;
            let ca = self.new_cost(p, a);
            bump(&mut self.drops[a * self.width + c][ca]);
            for &(b, cb) in &open {
                // cost = cb − ca, stored at cost + 1
                bump(&mut self.moves[a * m + b][1 + cb - ca]);
            }
        }
        if self.jurors_of[p].len() < self.need[p] {
            for &(b, cb) in &open {
                bump(&mut self.gains[b * self.width + c][cb]);
            }
            if add {
                self.deficit.insert(p as u32);
            } else {
                self.deficit.remove(&(p as u32));
            }
        }
    }

    fn assign(&mut self, p: usize, j: usize) {
        self.cells[p * self.m + j] |= ASSIGNED;
        self.jurors_of[p].push(j as u32);
        self.load[j] += 1;
        self.auto_load[j] += 1;
        self.members[j].insert(p as u32);
    }

    fn unassign(&mut self, p: usize, j: usize) {
        self.cells[p * self.m + j] &= !ASSIGNED;
        self.jurors_of[p].retain(|&x| x as usize != j);
        self.load[j] -= 1;
        self.auto_load[j] -= 1;
        self.members[j].remove(&(p as u32));
    }

    /// Changes one participant's jurors, keeping the counts up to date.
    fn reassign(&mut self, p: usize, from: Option<usize>, to: Option<usize>) {
        if self.tracking {
            self.count_in(p, false);
        }
        if let Some(a) = from {
            self.unassign(p, a);
        }
        if let Some(b) = to {
            self.assign(p, b);
        }
        if self.tracking {
            self.count_in(p, true);
        }
    }

    fn can_move(&self, a: usize, b: usize) -> bool {
        self.moves[a * self.m + b].iter().any(|&c| c > 0)
    }

    fn gain_buckets(&self, b: usize) -> &[[u32; 2]] {
        &self.gains[b * self.width..(b + 1) * self.width]
    }

    fn drop_buckets(&self, a: usize) -> &[[u32; 2]] {
        &self.drops[a * self.width..(a + 1) * self.width]
    }

    /// The cheapest gain of `b`: the participant with fewest jurors, then
    /// one that had `b` before. (jurors, new)
    fn best_gain(&self, b: usize) -> Option<(usize, usize)> {
        self.gain_buckets(b)
            .iter()
            .enumerate()
            .find_map(|(c, n)| n.iter().position(|&x| x > 0).map(|new| (c, new)))
    }

    /// The cheapest drop at `a`: the participant with most jurors, then a
    /// new pair rather than a kept one. (jurors, new)
    fn best_drop(&self, a: usize) -> Option<(usize, usize)> {
        self.drop_buckets(a)
            .iter()
            .enumerate()
            .rev()
            .find_map(|(c, n)| {
                [1, 0]
                    .into_iter()
                    .find(|&new| n[new] > 0)
                    .map(|new| (c, new))
            })
    }

    /// Carries out one arc, with the cheapest participant that offers it
    /// (the lowest index among equals).
    fn apply(&mut self, step: Step) {
        match step {
            Step::Move(a, b) => {
                let cls = self.moves[a * self.m + b]
                    .iter()
                    .position(|&c| c > 0)
                    .expect("a move the counts offer");
                let p = self.members[a]
                    .iter()
                    .map(|&p| p as usize)
                    .find(|&p| {
                        self.open(p, b) && 1 + self.new_cost(p, b) - self.new_cost(p, a) == cls
                    })
                    .expect("a participant for the move");
                self.reassign(p, Some(a), Some(b));
            }
            Step::Gain(b) => {
                let (c, new) = self.best_gain(b).expect("a gain the counts offer");
                let p = self
                    .deficit
                    .iter()
                    .map(|&p| p as usize)
                    .find(|&p| self.jurors(p) == c && self.open(p, b) && self.new_cost(p, b) == new)
                    .expect("a participant for the gain");
                self.reassign(p, None, Some(b));
            }
            Step::Drop(a) => {
                let (c, new) = self.best_drop(a).expect("a drop the counts offer");
                let p = self.members[a]
                    .iter()
                    .map(|&p| p as usize)
                    .find(|&p| self.jurors(p) == c && self.new_cost(p, a) == new)
                    .expect("a participant for the drop");
                self.reassign(p, Some(a), None);
            }
            Step::Load => {}
        }
    }

    /// Breadth-first search on the contracted graph without the sink and
    /// without arcs into the source (node `m`). Returns the parent of each
    /// reached node.
    fn search(&self, from: usize) -> Vec<Option<usize>> {
        let m = self.m;
        let s = m;
        let mut parent = vec![None; m + 1];
        let mut queue = VecDeque::from([from]);
        let mut seen = vec![false; m + 1];
        seen[from] = true;
        while let Some(x) = queue.pop_front() {
            for y in 0..m {
                if seen[y] {
                    continue;
                }
                let arc = if x == s {
                    self.best_gain(y).is_some()
                } else {
                    self.can_move(x, y)
                };
                if arc {
                    seen[y] = true;
                    parent[y] = Some(x);
                    queue.push_back(y);
                }
            }
        }
        parent
    }

    fn follow(&mut self, parent: &[Option<usize>], from: usize, to: usize) {
        let s = self.m;
        let mut nodes = vec![to];
        let mut x = to;
        while x != from {
            x = parent[x].expect("a path to follow");
            nodes.push(x);
        }
        nodes.reverse();
        for w in nodes.windows(2) {
            let step = if w[0] == s {
                Step::Gain(w[1])
            } else {
                Step::Move(w[0], w[1])
            };
            self.apply(step);
        }
    }

    /// Gives one more juror to a participant short of jurors, along a chain
    /// of moves ending at a juror below the load limit.
    fn augment_coverage(&mut self) -> bool {
        if self.deficit.is_empty() || self.cap == usize::MAX {
            // Without a load limit the greedy start already gave every
            // participant all the jurors it can have.
            return false;
        }
        let s = self.m;
        let parent = self.search(s);
        let target = (0..self.m).find(|&j| parent[j].is_some() && self.has_room(j));
        match target {
            Some(t) => {
                self.follow(&parent, s, t);
                true
            }
            None => false,
        }
    }

    /// Moves one participant from the most loaded juror that can shed one to
    /// a juror at least two below it, along a chain of moves that leaves
    /// every participant's number of jurors as it is. Quick, and enough on
    /// its own when the start is far from even; the cycle cancelling then
    /// only polishes.
    fn balance_step(&mut self) -> bool {
        let m = self.m;
        let Some(&min) = self.load.iter().min() else {
            return false;
        };
        let mut order: Vec<usize> = (0..m).collect();
        order.sort_by_key(|&j| (std::cmp::Reverse(self.load[j]), j));
        for a in order {
            if self.load[a] < min + 2 {
                return false;
            }
            if self.auto_load[a] == 0 {
                continue;
            }
            let parent = self.search(a);
            let target = (0..m)
                .filter(|&b| {
                    b != a
                        && parent[b].is_some()
                        && self.load[b] + 2 <= self.load[a]
                        && self.has_room(b)
                })
                .min_by_key(|&b| (self.load[b], b));
            if let Some(b) = target {
                self.follow(&parent, a, b);
                return true;
            }
        }
        false
    }

    /// Finds a negative cycle of the contracted residual graph with
    /// Bellman–Ford and carries it out; false when the flow is optimal.
    fn cancel_negative_cycle(&mut self) -> bool {
        let m = self.m;
        let (s, t) = (m, m + 1);
        // Any simple cycle crosses at most m + 2 arcs of keep cost ±1, so
        // one unit of juror balance outweighs them all.
        let w = m as i64 + 3;
        // A simple cycle crosses the sink at most once, changing the juror
        // cost by at most w·(n + 1) in either direction; one unit of
        // participant balance outweighs that.
        let wp = w * (self.n as i64 + 2);
        let mut arcs: Vec<(usize, usize, i64, Step)> = Vec::new();
        for a in 0..m {
            for b in 0..m {
                if let Some(cls) = self.moves[a * m + b].iter().position(|&c| c > 0) {
                    arcs.push((a, b, cls as i64 - 1, Step::Move(a, b)));
                }
            }
            if let Some((c, new)) = self.best_drop(a) {
                let cost = -wp * (c as i64 - 1) - new as i64;
                arcs.push((a, s, cost, Step::Drop(a)));
            }
            if self.auto_load[a] > 0 {
                let marginal = self.load[a] as i64 - 1;
                arcs.push((t, a, -w * marginal, Step::Load));
            }
            if let Some((c, new)) = self.best_gain(a) {
                arcs.push((s, a, wp * c as i64 + new as i64, Step::Gain(a)));
            }
            if self.has_room(a) {
                arcs.push((a, t, w * self.load[a] as i64, Step::Load));
            }
        }
        let v = m + 2;
        let mut dist = vec![0i64; v];
        let mut pred = vec![usize::MAX; v];
        for _ in 0..v {
            let mut relaxed = false;
            for (i, &(x, y, c, _)) in arcs.iter().enumerate() {
                if dist[x] + c < dist[y] {
                    dist[y] = dist[x] + c;
                    pred[y] = i;
                    relaxed = true;
                }
            }
            if !relaxed {
                return false;
            }
        }
        // Relaxation went on for v passes, so the predecessor graph holds a
        // cycle, and every such cycle is negative.
        let Some(cycle) = predecessor_cycle(&pred, |i| arcs[i].0) else {
            return false;
        };
        debug_assert!(cycle.iter().map(|&i| arcs[i].2).sum::<i64>() < 0);
        for i in cycle {
            self.apply(arcs[i].3);
        }
        true
    }
}

/// A cycle of the predecessor graph (`pred[node]` is the index of the arc
/// that last lowered the node, `tail(arc)` its start), as arc indices in
/// the cycle's direction.
fn predecessor_cycle(pred: &[usize], tail: impl Fn(usize) -> usize) -> Option<Vec<usize>> {
    let v = pred.len();
    // 0: not seen, 1 + k: seen on the walk from start node k.
    let mut mark = vec![0usize; v];
    for start in 0..v {
        let mut x = start;
        while mark[x] == 0 && pred[x] != usize::MAX {
            mark[x] = start + 1;
            x = tail(pred[x]);
        }
        if mark[x] == start + 1 {
            let mut cycle = Vec::new();
            let first = x;
            loop {
                cycle.push(pred[x]);
                x = tail(pred[x]);
                if x == first {
                    break;
                }
            }
            cycle.reverse();
            return Some(cycle);
        }
    }
    None
}
