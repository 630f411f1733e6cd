//! The input made ready for the solvers: mentors and interns sorted by id and
//! numbered, every acceptable pair scored, stated preferences cleaned, locks
//! checked. Everything else in the module works on these indices.

use super::geo::Geo;
use super::score::{self, Fit, PairScore, Rejected, Teaching, Unacceptable};
use super::{Issue, MatchInput, MatchMode, Proposal, ProposedPair, Side};
use crate::domain::ids::{InternId, MentorId};
use crate::domain::mentoring::{Formats, InternRequest, MeetingFormat, Mentor, Municipality};
use crate::domain::regulation::MentoringRules;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A position in a preference list, lower is better: a stated choice
/// `(0, place, 0)` comes before any other partner `(1, -score, index)`.
pub(super) type RankKey = (u8, i64, u32);

/// An acceptable pair, stored with the intern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Edge {
    pub mentor: u32,
    /// The mentor's place in the intern's cleaned ranking (1-based), 0 if none.
    pub intern_rank: u32,
    /// The intern's place in the mentor's cleaned ranking (1-based), 0 if none.
    pub mentor_rank: u32,
    /// The pair's total score.
    pub score: i64,
}

pub(super) struct Market<'a> {
    pub rules: &'a MentoringRules,
    municipalities: &'a BTreeMap<String, Municipality>,
    /// Sorted by id; of records sharing an id, the first given.
    pub mentors: Vec<&'a Mentor>,
    pub interns: Vec<&'a InternRequest>,
    mentor_ids: HashMap<&'a str, u32>,
    intern_ids: HashMap<&'a str, u32>,
    teaching: Vec<Teaching>,
    mentor_formats: Vec<Formats>,
    intern_formats: Vec<Formats>,
    wanted: Vec<u16>,
    geo: Geo,
    /// Per intern, the mentors the coordinator forbids, sorted.
    forbidden: Vec<Vec<u32>>,
    /// Per intern, the acceptable pairs sorted by mentor.
    pub edges: Vec<Vec<Edge>>,
    /// Per intern, the cleaned stated ranking of mentors.
    pub intern_stated: Vec<Vec<u32>>,
    /// Per mentor, the length of the cleaned stated ranking of interns.
    pub mentor_stated_len: Vec<u32>,
    /// Per intern, the mentor of the lock that is kept.
    pub lock_of: Vec<Option<u32>>,
    /// Per mentor, the places left after the locks.
    pub places: Vec<u32>,
    pub issues: Vec<Issue>,
}

/// Sorts records by id and keeps the first of each id, reporting the others.
fn by_id<'a, T, K: Ord + Clone>(
    records: &'a [T],
    id: impl Fn(&T) -> &K,
    duplicate: impl Fn(K) -> Issue,
    issues: &mut Vec<Issue>,
) -> Vec<&'a T> {
    let mut sorted: Vec<&T> = records.iter().collect();
    sorted.sort_by(|a, b| id(a).cmp(id(b)));
    let mut kept: Vec<&T> = Vec::with_capacity(sorted.len());
    for r in sorted {
        match kept.last() {
            Some(last) if id(last) == id(r) => {
                if !issues.contains(&duplicate(id(r).clone())) {
                    issues.push(duplicate(id(r).clone()));
                }
            }
            _ => kept.push(r),
        }
    }
    kept
}

impl<'a> Market<'a> {
    pub fn new(input: &MatchInput<'a>) -> Market<'a> {
        let mut issues = Vec::new();
        let mentors = by_id(
            input.mentors,
            |m| &m.id,
            |mentor| Issue::DuplicateMentor { mentor },
            &mut issues,
        );
        let interns = by_id(
            input.interns,
            |i| &i.id,
            |intern| Issue::DuplicateIntern { intern },
            &mut issues,
        );
        let mentor_ids = mentors
            .iter()
            .enumerate()
            .map(|(k, m)| (m.id.as_str(), k as u32))
            .collect();
        let intern_ids = interns
            .iter()
            .enumerate()
            .map(|(k, i)| (i.id.as_str(), k as u32))
            .collect();
        let geo = Geo::new(input.rules, &mentors, &interns, input.municipalities);
        let mut market = Market {
            rules: input.rules,
            municipalities: input.municipalities,
            teaching: mentors.iter().map(|m| Teaching::new(&m.topics)).collect(),
            mentor_formats: mentors.iter().map(|m| m.formats).collect(),
            intern_formats: interns.iter().map(|i| i.formats).collect(),
            wanted: interns
                .iter()
                .map(|i| score::topic_mask(&i.topics))
                .collect(),
            geo,
            forbidden: vec![Vec::new(); interns.len()],
            edges: Vec::new(),
            intern_stated: vec![Vec::new(); interns.len()],
            mentor_stated_len: vec![0; mentors.len()],
            lock_of: vec![None; interns.len()],
            places: mentors.iter().map(|m| m.capacity).collect(),
            mentors,
            interns,
            mentor_ids,
            intern_ids,
            issues,
        };
        market.read_forbids(input.forbids);
        market.score_fits();
        market.read_preferences();
        market.read_locks(input.locks);
        market
    }

    pub fn mentor_index(&self, id: &MentorId) -> Option<usize> {
        self.mentor_ids.get(id.as_str()).map(|&m| m as usize)
    }

    pub fn intern_index(&self, id: &InternId) -> Option<usize> {
        self.intern_ids.get(id.as_str()).map(|&i| i as usize)
    }

    fn read_forbids(&mut self, forbids: &[(MentorId, InternId)]) {
        let mut sorted: Vec<_> = forbids.iter().collect();
        sorted.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        sorted.dedup();
        for (mentor, intern) in sorted {
            match (self.mentor_index(mentor), self.intern_index(intern)) {
                (Some(m), Some(i)) => self.forbidden[i].push(m as u32),
                _ => self.issues.push(Issue::ForbidUnknown {
                    mentor: mentor.clone(),
                    intern: intern.clone(),
                }),
            }
        }
        for list in &mut self.forbidden {
            list.sort_unstable();
            list.dedup();
        }
    }

    /// The filters and the preference-free score of a pair, ignoring the
    /// coordinator's forbids.
    #[inline]
    pub fn fit(&self, m: usize, i: usize) -> Result<Fit, Rejected> {
        score::assess(
            self.rules,
            &self.teaching[m],
            self.wanted[i],
            self.mentor_formats[m],
            self.intern_formats[i],
            || self.geo.distance(self.rules, m, i),
        )
    }

    /// [`Market::fit`]'s answer for a pair that passes, asked for every
    /// pair of the market: the distance's questions answered without a sine
    /// (see [`Geo::reach`]), and no reasons gathered for a refusal.
    #[inline]
    fn quick_fit(&self, m: usize, i: usize) -> Option<Fit> {
        let teaching = &self.teaching[m];
        let wanted = self.wanted[i];
        if teaching.mask & wanted == 0 {
            return None;
        }
        let (mentor, intern) = (self.mentor_formats[m], self.intern_formats[i]);
        let online = mentor.online && intern.online;
        let reach = if mentor.on_site && intern.on_site {
            self.geo.reach(self.rules, m, i)
        } else {
            None
        };
        let (format, distance_points) = match reach {
            Some(r) if r.within => (MeetingFormat::OnSite, r.points),
            _ if online => (MeetingFormat::Online, 0),
            _ => return None,
        };
        Some(Fit {
            format,
            topic_points: self.rules.topic_weight * teaching.levels_over(wanted),
            distance_points,
        })
    }

    pub fn is_forbidden(&self, m: usize, i: usize) -> bool {
        let list = &self.forbidden[i];
        !list.is_empty() && list.binary_search(&(m as u32)).is_ok()
    }

    /// The mentors the coordinator forbids an intern, in id order.
    pub fn forbidden_for(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.forbidden[i].iter().map(|&m| m as usize)
    }

    /// The filters of a pair, the coordinator's forbids included.
    #[inline]
    pub fn check(&self, m: usize, i: usize) -> Result<Fit, Rejected> {
        let forbidden = self.is_forbidden(m, i);
        match self.fit(m, i) {
            Ok(_) if forbidden => Err(Rejected::FORBIDDEN),
            Ok(fit) => Ok(fit),
            Err(r) => Err(Rejected { forbidden, ..r }),
        }
    }

    /// Why a pair cannot be proposed, for a person.
    pub fn reasons(&self, m: usize, i: usize, rejected: Rejected) -> Vec<Unacceptable> {
        let unknown = [
            self.mentors[m].municipality.as_str(),
            self.interns[i].municipality.as_str(),
        ]
        .into_iter()
        .filter(|name| !self.municipalities.contains_key(*name))
        .fold(Vec::<String>::new(), |mut names, name| {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
            names
        });
        rejected.reasons(self.rules, unknown)
    }

    fn score_fits(&mut self) {
        let mut edges = Vec::with_capacity(self.interns.len());
        let mut list: Vec<Edge> = Vec::with_capacity(self.mentors.len());
        for i in 0..self.interns.len() {
            list.clear();
            for m in 0..self.mentors.len() {
                if let Some(fit) = self.quick_fit(m, i) {
                    if self.is_forbidden(m, i) {
                        continue;
                    }
                    list.push(Edge {
                        mentor: m as u32,
                        intern_rank: 0,
                        mentor_rank: 0,
                        score: fit.topic_points + fit.distance_points,
                    });
                }
            }
            edges.push(list.clone());
        }
        self.edges = edges;
    }

    /// The acceptable pair of an intern with a mentor.
    pub fn edge(&self, i: usize, m: usize) -> Option<&Edge> {
        let list = &self.edges[i];
        list.binary_search_by_key(&(m as u32), |e| e.mentor)
            .ok()
            .map(|k| &list[k])
    }

    fn edge_mut(&mut self, i: usize, m: usize) -> Option<&mut Edge> {
        let list = &mut self.edges[i];
        list.binary_search_by_key(&(m as u32), |e| e.mentor)
            .ok()
            .map(|k| &mut list[k])
    }

    /// Cleans the stated rankings (unknown, repeated and unacceptable names
    /// are left out and reported) and adds the preference points.
    fn read_preferences(&mut self) {
        let mut issues = Vec::new();
        for i in 0..self.interns.len() {
            let intern = self.interns[i];
            let mut seen: HashSet<u32> = HashSet::new();
            let mut list: Vec<u32> = Vec::new();
            for mentor in &intern.preferred_mentors {
                let issue = match self.mentor_index(mentor) {
                    None => Issue::UnknownPreferred {
                        by: Side::Intern,
                        mentor: mentor.clone(),
                        intern: intern.id.clone(),
                    },
                    Some(m) if !seen.insert(m as u32) => Issue::RepeatedPreferred {
                        by: Side::Intern,
                        mentor: mentor.clone(),
                        intern: intern.id.clone(),
                    },
                    Some(m) => match self.check(m, i) {
                        Ok(_) => {
                            list.push(m as u32);
                            continue;
                        }
                        Err(r) => Issue::UnacceptablePreferred {
                            by: Side::Intern,
                            mentor: mentor.clone(),
                            intern: intern.id.clone(),
                            reasons: self.reasons(m, i, r),
                        },
                    },
                };
                issues.push(issue);
            }
            for (place, &m) in list.iter().enumerate() {
                if let Some(e) = self.edge_mut(i, m as usize) {
                    e.intern_rank = place as u32 + 1;
                }
            }
            self.intern_stated[i] = list;
        }
        for m in 0..self.mentors.len() {
            let mentor = self.mentors[m];
            let mut seen: HashSet<u32> = HashSet::new();
            let mut list: Vec<u32> = Vec::new();
            for intern in &mentor.preferred_interns {
                let issue = match self.intern_index(intern) {
                    None => Issue::UnknownPreferred {
                        by: Side::Mentor,
                        mentor: mentor.id.clone(),
                        intern: intern.clone(),
                    },
                    Some(i) if !seen.insert(i as u32) => Issue::RepeatedPreferred {
                        by: Side::Mentor,
                        mentor: mentor.id.clone(),
                        intern: intern.clone(),
                    },
                    Some(i) => match self.check(m, i) {
                        Ok(_) => {
                            list.push(i as u32);
                            continue;
                        }
                        Err(r) => Issue::UnacceptablePreferred {
                            by: Side::Mentor,
                            mentor: mentor.id.clone(),
                            intern: intern.clone(),
                            reasons: self.reasons(m, i, r),
                        },
                    },
                };
                issues.push(issue);
            }
            for (place, &i) in list.iter().enumerate() {
                if let Some(e) = self.edge_mut(i as usize, m) {
                    e.mentor_rank = place as u32 + 1;
                }
            }
            self.mentor_stated_len[m] = list.len() as u32;
        }
        self.issues.extend(issues);
        let weight = self.rules.preference_weight;
        for i in 0..self.interns.len() {
            let stated = self.intern_stated[i].len() as u32;
            for e in &mut self.edges[i] {
                e.score +=
                    weight * preference_units(e, stated, self.mentor_stated_len[e.mentor as usize]);
            }
        }
    }

    /// Keeps the locks that can be kept: an intern keeps the lock to the
    /// mentor with the smallest id, and a mentor keeps as many locks as it
    /// has places, in intern id order.
    fn read_locks(&mut self, locks: &[(MentorId, InternId)]) {
        let mut sorted: Vec<_> = locks.iter().collect();
        sorted.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        sorted.dedup();
        for (mentor, intern) in sorted {
            let (Some(m), Some(i)) = (self.mentor_index(mentor), self.intern_index(intern)) else {
                self.issues.push(Issue::LockUnknown {
                    mentor: mentor.clone(),
                    intern: intern.clone(),
                });
                continue;
            };
            if let Err(r) = self.check(m, i) {
                let reasons = self.reasons(m, i, r);
                self.issues.push(Issue::LockRejected {
                    mentor: mentor.clone(),
                    intern: intern.clone(),
                    reasons,
                });
                continue;
            }
            if let Some(kept) = self.lock_of[i] {
                self.issues.push(Issue::LockConflict {
                    mentor: mentor.clone(),
                    intern: intern.clone(),
                    kept: self.mentors[kept as usize].id.clone(),
                });
                continue;
            }
            if self.places[m] == 0 {
                self.issues.push(Issue::LockOverCapacity {
                    mentor: mentor.clone(),
                    intern: intern.clone(),
                    capacity: self.mentors[m].capacity,
                });
                continue;
            }
            self.places[m] -= 1;
            self.lock_of[i] = Some(m as u32);
        }
    }

    /// The interns whose mentor is not fixed by a lock.
    pub fn free_interns(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.interns.len()).filter(|&i| self.lock_of[i].is_none())
    }

    /// How an intern ranks a mentor (lower is better).
    pub fn intern_key(&self, e: &Edge) -> RankKey {
        if e.intern_rank > 0 {
            (0, i64::from(e.intern_rank), 0)
        } else {
            (1, -e.score, e.mentor)
        }
    }

    /// How a mentor ranks an intern (lower is better).
    pub fn mentor_key(&self, e: &Edge, intern: u32) -> RankKey {
        if e.mentor_rank > 0 {
            (0, i64::from(e.mentor_rank), 0)
        } else {
            (1, -e.score, intern)
        }
    }

    /// An intern's acceptable pairs, most wanted first, as positions in
    /// `edges[i]`: the order of `intern_key` (stated choices by place; then
    /// score descending; then position, which follows mentor order).
    pub fn intern_order(&self, i: usize) -> Vec<u32> {
        let edges = &self.edges[i];
        counted_order(edges).unwrap_or_else(|| wide_order(edges))
    }

    /// The shown score of a pair that passes the filters other than the
    /// coordinator's forbids; `None` for any other pair.
    pub fn pair_score(&self, m: usize, i: usize) -> Option<PairScore> {
        let fit = self.fit(m, i).ok()?;
        let edge = self.edge(i, m).copied().unwrap_or(Edge {
            mentor: m as u32,
            intern_rank: 0,
            mentor_rank: 0,
            score: fit.topic_points + fit.distance_points,
        });
        let preference_points = self.rules.preference_weight
            * preference_units(
                &edge,
                self.intern_stated[i].len() as u32,
                self.mentor_stated_len[m],
            );
        let rank = |r: u32| (r > 0).then_some(r);
        Some(PairScore {
            format: fit.format,
            distance_km: self.geo.distance(self.rules, m, i).map(|d| d.km),
            topics: self.teaching[m].common(self.wanted[i]),
            topic_points: fit.topic_points,
            distance_points: fit.distance_points,
            preference_points,
            intern_rank: rank(edge.intern_rank),
            mentor_rank: rank(edge.mentor_rank),
            total: fit.topic_points + fit.distance_points + preference_points,
        })
    }

    /// The score of a pair, or why it cannot be proposed.
    pub fn evaluate(&self, m: usize, i: usize) -> Result<PairScore, Vec<Unacceptable>> {
        match self.check(m, i) {
            Ok(_) => Ok(self
                .pair_score(m, i)
                .expect("an acceptable pair has a score")),
            Err(r) => Err(self.reasons(m, i, r)),
        }
    }

    /// Maps a matching given by ids to indices. Pairs naming unknown people
    /// are left out; of several mentors given to one intern, the first in id
    /// order counts. The second value lists what was left out.
    pub fn assignment_of(
        &self,
        matching: &[(MentorId, InternId)],
    ) -> (Vec<Option<u32>>, Vec<(MentorId, InternId)>) {
        let mut sorted: Vec<_> = matching.iter().collect();
        sorted.sort();
        let mut assigned = vec![None; self.interns.len()];
        let mut left_out = Vec::new();
        for (mentor, intern) in sorted {
            match (self.mentor_index(mentor), self.intern_index(intern)) {
                (Some(m), Some(i)) if assigned[i].is_none() => assigned[i] = Some(m as u32),
                _ => left_out.push((mentor.clone(), intern.clone())),
            }
        }
        (assigned, left_out)
    }

    /// Turns a solver's assignment (locked interns included) into a proposal.
    pub fn proposal(&self, mode: MatchMode, assigned: &[Option<u32>]) -> Proposal {
        let mut pairs: Vec<ProposedPair> = assigned
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let m = (*m)? as usize;
                Some(ProposedPair {
                    mentor: self.mentors[m].id.clone(),
                    intern: self.interns[i].id.clone(),
                    locked: self.lock_of[i] == Some(m as u32),
                    score: self.pair_score(m, i)?,
                })
            })
            .collect();
        pairs.sort_by(|a, b| (&a.mentor, &a.intern).cmp(&(&b.mentor, &b.intern)));
        Proposal {
            mode,
            total_score: pairs.iter().map(|p| p.score.total).sum(),
            unmatched: assigned
                .iter()
                .enumerate()
                .filter(|(_, m)| m.is_none())
                .map(|(i, _)| self.interns[i].id.clone())
                .collect(),
            pairs,
            issues: self.issues.clone(),
        }
    }
}

/// The preference points of a pair before the weight, given the lengths of
/// the intern's and the mentor's cleaned rankings: of a ranking of L names the
/// first gets L and the last 1, the unranked 0.
fn preference_units(e: &Edge, intern_list: u32, mentor_list: u32) -> i64 {
    let points = |rank: u32, len: u32| {
        if rank == 0 {
            0
        } else {
            i64::from(len) - i64::from(rank) + 1
        }
    };
    points(e.intern_rank, intern_list) + points(e.mentor_rank, mentor_list)
}

/// [`Market::intern_order`] by counting, when the scores span little more
/// than the list is long (they always do in a real market: a few hundred
/// points at most): the stated choices sorted by place, then every other
/// pair put straight into its score's slot, in position order.
fn counted_order(edges: &[Edge]) -> Option<Vec<u32>> {
    let highest = edges.iter().map(|e| e.score).max()?;
    let lowest = edges.iter().map(|e| e.score).min()?;
    let span = usize::try_from(highest.checked_sub(lowest)?).ok()?;
    if span > 8 * edges.len() + 1024 {
        return None;
    }
    let mut stated: Vec<(u32, u32)> = Vec::new();
    // Pairs per score below the highest, then where each score's run starts.
    let mut start = vec![0u32; span + 2];
    for (k, e) in edges.iter().enumerate() {
        if e.intern_rank > 0 {
            stated.push((e.intern_rank, k as u32));
        } else {
            start[(highest - e.score) as usize + 1] += 1;
        }
    }
    stated.sort_unstable();
    start[0] = stated.len() as u32;
    for b in 1..start.len() {
        start[b] += start[b - 1];
    }
    let mut order = vec![0u32; edges.len()];
    for (slot, &(_, k)) in stated.iter().enumerate() {
        order[slot] = k;
    }
    for (k, e) in edges.iter().enumerate() {
        if e.intern_rank == 0 {
            let run = &mut start[(highest - e.score) as usize];
            order[*run as usize] = k as u32;
            *run += 1;
        }
    }
    Some(order)
}

/// [`Market::intern_order`] for any scores, with 128-bit keys.
fn wide_order(edges: &[Edge]) -> Vec<u32> {
    let mut keys: Vec<u128> = edges
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let order = if e.intern_rank > 0 {
                u128::from(e.intern_rank)
            } else {
                // Scores in descending order as unsigned numbers.
                1 << 64 | u128::from(!((e.score as u64) ^ (1 << 63)))
            };
            order << 32 | k as u128
        })
        .collect();
    keys.sort_unstable();
    keys.into_iter().map(|key| key as u32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_orders_are_sorted_ones_and_give_way_when_scores_spread_wide() {
        let mut state = 11u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for round in 0..500 {
            let len = 1 + next(300) as usize;
            let edges: Vec<Edge> = (0..len)
                .map(|k| Edge {
                    mentor: k as u32,
                    // Few stated choices, many equal scores, some negative.
                    intern_rank: if next(10) == 0 { next(5) as u32 + 1 } else { 0 },
                    mentor_rank: 0,
                    score: next(40) as i64 - 10 + if round % 7 == 0 { 1 << 40 } else { 0 },
                })
                .collect();
            let counted = counted_order(&edges).expect("near scores are counted");
            assert_eq!(counted, wide_order(&edges), "round {round}");
        }
        let huge = [i64::MIN, 0, i64::MAX].map(|score| Edge {
            mentor: 0,
            intern_rank: 0,
            mentor_rank: 0,
            score,
        });
        assert_eq!(counted_order(&huge), None);
        assert_eq!(counted_order(&[]), None);
        assert_eq!(wide_order(&huge), vec![2, 1, 0]);
    }
}
