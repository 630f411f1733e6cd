//! Pairing mentors with interns.
//!
//! Every mentor–intern pair gets a score in integer points made of parts a
//! coordinator can read: how well the mentor's topics fit what the intern
//! wants, how close they live when they meet on site, and whether they named
//! each other in their stated preferences. Pairs that cannot work (no topic in
//! common, no way to meet, forbidden by the coordinator) are not scored but
//! rejected with the reasons.
//!
//! Three ways to propose pairs over the scores ([`MatchMode`]):
//! - *optimal*: the largest total score within the mentors' capacities
//!   (a min-cost flow solved with successive shortest paths);
//! - *max cardinality*: as many interns matched as possible, and among those
//!   the largest total;
//! - *stable*: intern-proposing deferred acceptance, where no mentor and
//!   intern would both rather be together than with whom they got.
//!
//! Locked pairs (including pairs made by hand) are kept as they are; forbidden
//! pairs are never proposed. Everything is deterministic: mentors and interns
//! are processed in id order and every tie is broken by id, so the result does
//! not depend on the order of the input.
//!
//! The module is pure: it borrows plain records and returns plain serialisable
//! values for the CLI and the TUI to show.

mod explain;
mod flow;
mod geo;
mod market;
mod score;
mod stable;

#[cfg(test)]
mod tests;

pub use explain::{
    Alternative, ExplainError, InternExplanation, NotGiven, Occupant, Rejection, UnmatchedReason,
};
pub use score::{PairScore, Unacceptable};

use super::code::codes;
use super::ids::{InternId, MentorId};
use super::mentoring::{InternRequest, Mentor, Municipality};
use super::regulation::MentoringRules;
use market::Market;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Everything a proposal is computed from, borrowed from the caller.
#[derive(Clone, Copy, Debug)]
pub struct MatchInput<'a> {
    pub mentors: &'a [Mentor],
    pub interns: &'a [InternRequest],
    /// Municipalities by name, for distances.
    pub municipalities: &'a BTreeMap<String, Municipality>,
    pub rules: &'a MentoringRules,
    /// Pairs kept as they are: manual pairs and pairs the coordinator fixed.
    pub locks: &'a [(MentorId, InternId)],
    /// Pairs the coordinator does not allow.
    pub forbids: &'a [(MentorId, InternId)],
}

codes! {
    /// How a proposal is chosen.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum MatchMode {
        /// The largest total score.
        Optimal => "optimal",
        /// As many interns matched as possible; among those, the largest total.
        MaxCardinality => "max_cardinality",
        /// A stable matching, the best one for the interns.
        Stable => "stable",
    }
}

/// One mentor and one intern, by id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pairing {
    pub mentor: MentorId,
    pub intern: InternId,
}

/// A pair of a proposal with its score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProposedPair {
    pub mentor: MentorId,
    pub intern: InternId,
    /// The pair was locked (or made by hand) and kept as it is.
    pub locked: bool,
    pub score: PairScore,
}

/// The outcome of pairing: who goes to whom, who is left, and what in the
/// input was ignored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Proposal {
    pub mode: MatchMode,
    /// Sorted by mentor id, then intern id.
    pub pairs: Vec<ProposedPair>,
    /// Interns without a mentor, sorted by id.
    pub unmatched: Vec<InternId>,
    /// The sum of the pairs' scores.
    pub total_score: i64,
    /// What in the input was ignored or could not be honoured.
    pub issues: Vec<Issue>,
}

impl Proposal {
    /// The pairs as (mentor, intern), e.g. for [`blocking_pairs`].
    pub fn assignment(&self) -> Vec<(MentorId, InternId)> {
        self.pairs
            .iter()
            .map(|p| (p.mentor.clone(), p.intern.clone()))
            .collect()
    }

    /// The mentor the proposal gives an intern.
    pub fn mentor_of(&self, intern: &InternId) -> Option<&MentorId> {
        self.pairs
            .iter()
            .find(|p| &p.intern == intern)
            .map(|p| &p.mentor)
    }
}

/// Which side of the programme stated a preference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Mentor,
    Intern,
}

/// Something in the input that was ignored or could not be honoured.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "issue", rename_all = "snake_case")]
pub enum Issue {
    /// Two mentor records share an id; the first one given is used.
    DuplicateMentor { mentor: MentorId },
    /// Two intern requests share an id; the first one given is used.
    DuplicateIntern { intern: InternId },
    /// A stated preference names someone who is not in the programme.
    UnknownPreferred {
        by: Side,
        mentor: MentorId,
        intern: InternId,
    },
    /// A stated preference names someone the pair cannot work with.
    UnacceptablePreferred {
        by: Side,
        mentor: MentorId,
        intern: InternId,
        reasons: Vec<Unacceptable>,
    },
    /// A stated preference names the same person twice; the first counts.
    RepeatedPreferred {
        by: Side,
        mentor: MentorId,
        intern: InternId,
    },
    /// A lock names a mentor or an intern who is not in the programme.
    LockUnknown { mentor: MentorId, intern: InternId },
    /// A lock on a pair that cannot work; the pair is not kept.
    LockRejected {
        mentor: MentorId,
        intern: InternId,
        reasons: Vec<Unacceptable>,
    },
    /// The intern is locked to another mentor too; the lock to `kept` stays.
    LockConflict {
        mentor: MentorId,
        intern: InternId,
        kept: MentorId,
    },
    /// The mentor has more locked interns than places; this lock is not kept
    /// (locks are kept in intern id order).
    LockOverCapacity {
        mentor: MentorId,
        intern: InternId,
        capacity: u32,
    },
    /// A forbid names a mentor or an intern who is not in the programme.
    ForbidUnknown { mentor: MentorId, intern: InternId },
}

/// The input made ready once (mentors and interns numbered, every
/// acceptable pair scored, preferences and locks read), for several questions
/// about the same data: a proposal, its explanations and its blocking pairs
/// cost one preparation instead of one each.
pub struct Prepared<'a> {
    market: Market<'a>,
}

impl<'a> Prepared<'a> {
    pub fn new(input: &MatchInput<'a>) -> Prepared<'a> {
        Prepared {
            market: Market::new(input),
        }
    }

    /// What in the input was ignored or could not be honoured (the
    /// `issues` of any proposal made from it).
    pub fn issues(&self) -> &[Issue] {
        &self.market.issues
    }

    /// See [`propose`].
    pub fn propose(&self, mode: MatchMode) -> Proposal {
        #[cfg(test)]
        SOLVES.with(|n| n.set(n.get() + 1));
        let market = &self.market;
        let assigned = match flow::Objective::of(market, mode) {
            Some(objective) => flow::solve(market, objective),
            None => stable::deferred_acceptance(market, 0..market.interns.len()),
        };
        market.proposal(mode, &assigned)
    }

    /// See [`candidates`].
    pub fn candidates(&self) -> Vec<InternCandidates> {
        let market = &self.market;
        (0..market.interns.len())
            .map(|i| {
                let mut edges: Vec<_> = market.edges[i].iter().collect();
                edges.sort_by_key(|e| (std::cmp::Reverse(e.score), e.mentor));
                InternCandidates {
                    intern: market.interns[i].id.clone(),
                    candidates: edges
                        .into_iter()
                        .map(|e| Candidate {
                            mentor: market.mentors[e.mentor as usize].id.clone(),
                            score: market
                                .pair_score(e.mentor as usize, i)
                                .expect("an acceptable pair has a score"),
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// See [`blocking_pairs`].
    pub fn blocking_pairs(&self, matching: &[(MentorId, InternId)]) -> Vec<BlockingPair> {
        let market = &self.market;
        let (assigned, _) = market.assignment_of(matching);
        stable::blocking_pairs(market, &assigned)
            .into_iter()
            .map(|b| BlockingPair {
                mentor: market.mentors[b.mentor as usize].id.clone(),
                intern: market.interns[b.intern as usize].id.clone(),
                intern_has: b.intern_has.map(|m| market.mentors[m as usize].id.clone()),
                mentor_drops: b
                    .mentor_drops
                    .map(|i| market.interns[i as usize].id.clone()),
            })
            .collect()
    }

    /// See [`explain`].
    pub fn explain(&self, proposal: &Proposal) -> Result<Vec<InternExplanation>, ExplainError> {
        explain::explain(&self.market, proposal)
    }
}

#[cfg(test)]
thread_local! {
    /// How many proposals this thread has solved, for tests of the callers
    /// that must not solve what they never show.
    pub static SOLVES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Proposes pairs in the given mode.
pub fn propose(input: &MatchInput, mode: MatchMode) -> Proposal {
    Prepared::new(input).propose(mode)
}

/// Scores one pair, or says why it cannot work. `None` when the mentor or the
/// intern is not in the input. The whole input is prepared for it, so for a
/// table of many pairs use [`candidates`].
pub fn evaluate_pair(
    input: &MatchInput,
    mentor: &MentorId,
    intern: &InternId,
) -> Option<Result<PairScore, Vec<Unacceptable>>> {
    let market = Market::new(input);
    let m = market.mentor_index(mentor)?;
    let i = market.intern_index(intern)?;
    Some(market.evaluate(m, i))
}

/// One intern's acceptable mentors, best first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InternCandidates {
    pub intern: InternId,
    pub candidates: Vec<Candidate>,
}

/// An acceptable mentor of an intern with the pair's score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub mentor: MentorId,
    pub score: PairScore,
}

/// For every intern (in id order), each acceptable mentor with the pair's
/// score parts, by score descending, then mentor id: the table a coordinator
/// checks a proposal against.
pub fn candidates(input: &MatchInput) -> Vec<InternCandidates> {
    Prepared::new(input).candidates()
}

/// The preference lists the stable mode and [`blocking_pairs`] use.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PreferenceLists {
    pub interns: Vec<InternPreferences>,
    pub mentors: Vec<MentorPreferences>,
}

/// An intern's acceptable mentors, most wanted first: the stated ranking
/// (unknown and unacceptable names left out), then the others by pair score
/// descending, then mentor id.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InternPreferences {
    pub intern: InternId,
    pub mentors: Vec<MentorId>,
    /// How many of `mentors` come from the intern's own ranking.
    pub stated: usize,
}

/// A mentor's acceptable interns, most wanted first, built like
/// [`InternPreferences`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MentorPreferences {
    pub mentor: MentorId,
    pub interns: Vec<InternId>,
    pub stated: usize,
}

/// Each side's preference list over its acceptable partners.
pub fn preference_lists(input: &MatchInput) -> PreferenceLists {
    let market = Market::new(input);
    let interns = (0..market.interns.len())
        .map(|i| InternPreferences {
            intern: market.interns[i].id.clone(),
            mentors: market
                .intern_order(i)
                .into_iter()
                .map(|k| {
                    market.mentors[market.edges[i][k as usize].mentor as usize]
                        .id
                        .clone()
                })
                .collect(),
            stated: market.intern_stated[i].len(),
        })
        .collect();
    let mut by_mentor: Vec<Vec<(market::RankKey, u32)>> = vec![Vec::new(); market.mentors.len()];
    for (i, edges) in market.edges.iter().enumerate() {
        for e in edges {
            by_mentor[e.mentor as usize].push((market.mentor_key(e, i as u32), i as u32));
        }
    }
    let mentors = by_mentor
        .into_iter()
        .enumerate()
        .map(|(m, mut list)| {
            list.sort_unstable();
            MentorPreferences {
                mentor: market.mentors[m].id.clone(),
                interns: list
                    .into_iter()
                    .map(|(_, i)| market.interns[i as usize].id.clone())
                    .collect(),
                stated: market.mentor_stated_len[m] as usize,
            }
        })
        .collect();
    PreferenceLists { interns, mentors }
}

/// A mentor and an intern who would both rather be together than with whom a
/// matching gives them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlockingPair {
    pub mentor: MentorId,
    pub intern: InternId,
    /// The intern's mentor in the matching, if any.
    pub intern_has: Option<MentorId>,
    /// The intern the mentor would let go (its least wanted one that is not
    /// locked); `None` when the mentor has a free place.
    pub mentor_drops: Option<InternId>,
}

/// The blocking pairs of any matching, by the lists of [`preference_lists`]:
/// pairs (m, i), both acceptable, where i prefers m to its mentor (or has none)
/// and m has a free place or prefers i to one of its interns.
///
/// Locked pairs are fixed: a locked intern does not block, and a mentor cannot
/// let a locked intern go, though the locked intern takes a place. Pairs of
/// the matching naming unknown people are ignored; a partner the intern cannot
/// work with counts as worse than any acceptable one. Sorted by mentor id, then
/// intern id.
pub fn blocking_pairs(input: &MatchInput, matching: &[(MentorId, InternId)]) -> Vec<BlockingPair> {
    Prepared::new(input).blocking_pairs(matching)
}

/// Why each intern got what they got: the pair's score, the best mentor they
/// did not get and why, and for the unmatched, why no mentor was found.
///
/// The proposal must have been made from this input: a proposal that breaks a
/// capacity, a lock or a filter, or (for the optimal modes) is no longer
/// optimal, or (for the stable mode) no longer stable, is refused, because its
/// explanations would be wrong.
pub fn explain(
    input: &MatchInput,
    proposal: &Proposal,
) -> Result<Vec<InternExplanation>, ExplainError> {
    Prepared::new(input).explain(proposal)
}

/// An intern who moved from one mentor to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Move {
    pub intern: InternId,
    pub from: MentorId,
    pub to: MentorId,
}

/// The difference between two proposals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProposalDiff {
    /// Pairs of interns who had no mentor before.
    pub added: Vec<Pairing>,
    /// Pairs of interns who have no mentor now.
    pub removed: Vec<Pairing>,
    /// Interns whose mentor changed.
    pub moved: Vec<Move>,
    /// How many pairs are the same in both.
    pub unchanged: usize,
    /// The next total score minus the previous one.
    pub total_change: i64,
}

impl ProposalDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.moved.is_empty()
    }
}

/// What changes from one proposal to the next, by intern id.
pub fn diff(previous: &Proposal, next: &Proposal) -> ProposalDiff {
    let before: BTreeMap<&InternId, &MentorId> = previous
        .pairs
        .iter()
        .map(|p| (&p.intern, &p.mentor))
        .collect();
    let after: BTreeMap<&InternId, &MentorId> =
        next.pairs.iter().map(|p| (&p.intern, &p.mentor)).collect();
    let interns: BTreeSet<&InternId> = before.keys().chain(after.keys()).copied().collect();
    let mut d = ProposalDiff {
        total_change: next.total_score - previous.total_score,
        ..ProposalDiff::default()
    };
    for intern in interns {
        match (before.get(intern), after.get(intern)) {
            (Some(a), Some(b)) if a == b => d.unchanged += 1,
            (Some(a), Some(b)) => d.moved.push(Move {
                intern: intern.clone(),
                from: (*a).clone(),
                to: (*b).clone(),
            }),
            (None, Some(b)) => d.added.push(Pairing {
                mentor: (*b).clone(),
                intern: intern.clone(),
            }),
            (Some(a), None) => d.removed.push(Pairing {
                mentor: (*a).clone(),
                intern: intern.clone(),
            }),
            (None, None) => {}
        }
    }
    d
}
