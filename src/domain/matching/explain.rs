//! Why a proposal is what it is, intern by intern: the score of the pair they
//! got, the best mentor they did not get and what stood in the way, and for
//! the unmatched, why no mentor was found.

use super::flow::{Objective, Residual};
use super::market::Market;
use super::score::{PairScore, Unacceptable};
use super::{Proposal, stable};
use crate::domain::ids::{InternId, MentorId};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::HashMap;

/// Why one intern got what they got.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InternExplanation {
    pub intern: InternId,
    pub mentor: Option<MentorId>,
    /// The pair was locked (or made by hand).
    pub locked: bool,
    /// The score of the pair the intern got, part by part.
    pub score: Option<PairScore>,
    /// The highest-scoring mentor the intern did not get, among those the
    /// pair filters allow (a pair only the coordinator forbids is included).
    pub best_alternative: Option<Alternative>,
    /// For an unmatched intern, why.
    pub unmatched: Option<UnmatchedReason>,
}

/// A mentor the intern did not get.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alternative {
    pub mentor: MentorId,
    pub score: PairScore,
    pub not_given: NotGiven,
}

/// What stood between an intern and a mentor.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NotGiven {
    /// The coordinator forbids the pair.
    Forbidden,
    /// The intern is locked to their mentor.
    InternLocked,
    /// The mentor has no place to give: `capacity` places, `locked` of them
    /// taken by locked pairs.
    NoPlaces { capacity: u32, locked: u32 },
    /// Every place is taken by an intern who scores higher with the mentor
    /// (optimal modes) or whom the mentor ranks higher (stable mode), or who
    /// is locked there.
    MentorFull { occupants: Vec<Occupant> },
    /// Giving the intern this mentor, and rearranging the rest as well as
    /// possible, would change the total score and the number of matched
    /// interns by these amounts: the best arrangement with the pair is worse.
    LowerTotal {
        score_change: i64,
        matched_change: i64,
    },
    /// Another arrangement just as good (same total, same number matched)
    /// gives the intern this mentor; the tie was settled by id order.
    Tie,
    /// The intern ranks the mentor they got higher (stable mode).
    PrefersOwnMentor,
}

/// An intern holding one of a mentor's places.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Occupant {
    pub intern: InternId,
    /// The pair's score with that mentor.
    pub score: i64,
    pub locked: bool,
}

/// Why an intern has no mentor.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum UnmatchedReason {
    /// No mentor can take the intern; each mentor with the reasons.
    NoAcceptableMentor { mentors: Vec<Rejection> },
    /// Every mentor who could take the intern is full.
    AcceptableMentorsFull { mentors: Vec<MentorId> },
}

/// A mentor who cannot take an intern, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rejection {
    pub mentor: MentorId,
    pub reasons: Vec<Unacceptable>,
}

/// A proposal that does not fit the data it is explained against.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ExplainError {
    #[error(
        "the proposal pairs mentor {mentor} with intern {intern}, who are not both in the programme; propose again"
    )]
    Unknown { mentor: MentorId, intern: InternId },
    #[error("the proposal gives intern {intern} more than one mentor; propose again")]
    InternTwice { intern: InternId },
    #[error(
        "the proposal pairs mentor {mentor} with intern {intern}, a pair that cannot work with the current data; propose again"
    )]
    Unacceptable {
        mentor: MentorId,
        intern: InternId,
        reasons: Vec<Unacceptable>,
    },
    #[error(
        "the proposal gives mentor {mentor} {given} interns, more than their {capacity} places; propose again"
    )]
    OverCapacity {
        mentor: MentorId,
        given: u32,
        capacity: u32,
    },
    #[error(
        "the proposal does not keep the lock of intern {intern} to mentor {mentor}; propose again"
    )]
    LockNotKept { mentor: MentorId, intern: InternId },
    #[error("the proposal is no longer the best for the current data; propose again")]
    NotOptimal,
    #[error(
        "the proposal is no longer stable for the current data ({blocking} blocking pairs); propose again"
    )]
    NotStable { blocking: usize },
}

/// Checks that an assignment is a matching of this market.
fn validate(market: &Market, proposal: &Proposal) -> Result<Vec<Option<u32>>, ExplainError> {
    let (assigned, left_out) = market.assignment_of(&proposal.assignment());
    if let Some((mentor, intern)) = left_out.into_iter().next() {
        return Err(
            if market.mentor_index(&mentor).is_some() && market.intern_index(&intern).is_some() {
                ExplainError::InternTwice { intern }
            } else {
                ExplainError::Unknown { mentor, intern }
            },
        );
    }
    let mut count = vec![0u32; market.mentors.len()];
    for (i, m) in assigned.iter().enumerate() {
        if let Some(m) = *m {
            let m = m as usize;
            count[m] += 1;
            if let Err(r) = market.check(m, i) {
                return Err(ExplainError::Unacceptable {
                    mentor: market.mentors[m].id.clone(),
                    intern: market.interns[i].id.clone(),
                    reasons: market.reasons(m, i, r),
                });
            }
        }
        if let Some(l) = market.lock_of[i]
            && *m != Some(l)
        {
            return Err(ExplainError::LockNotKept {
                mentor: market.mentors[l as usize].id.clone(),
                intern: market.interns[i].id.clone(),
            });
        }
    }
    for (m, given) in count.into_iter().enumerate() {
        let capacity = market.mentors[m].capacity;
        if given > capacity {
            return Err(ExplainError::OverCapacity {
                mentor: market.mentors[m].id.clone(),
                given,
                capacity,
            });
        }
    }
    Ok(assigned)
}

pub(super) fn explain(
    market: &Market,
    proposal: &Proposal,
) -> Result<Vec<InternExplanation>, ExplainError> {
    let assigned = validate(market, proposal)?;
    // The optimal modes: the residual graph of the assignment, to price a
    // pair the optimum did not make. The stable mode: stability is what
    // explains every pair.
    let optimum = match Objective::of(market, proposal.mode) {
        Some(objective) => Some((
            Residual::new(market, objective, &assigned).ok_or(ExplainError::NotOptimal)?,
            objective,
        )),
        None => {
            let blocking = stable::blocking_pairs(market, &assigned).len();
            if blocking > 0 {
                return Err(ExplainError::NotStable { blocking });
            }
            None
        }
    };
    let mut occupants: Vec<Vec<usize>> = vec![Vec::new(); market.mentors.len()];
    for (i, m) in assigned.iter().enumerate() {
        if let Some(m) = m {
            occupants[*m as usize].push(i);
        }
    }
    let mut explainer = Explainer {
        market,
        assigned,
        occupants,
        optimum,
        paths: HashMap::new(),
    };
    Ok((0..market.interns.len())
        .map(|i| explainer.intern(i))
        .collect())
}

struct Explainer<'m, 'a> {
    market: &'m Market<'a>,
    assigned: Vec<Option<u32>>,
    occupants: Vec<Vec<usize>>,
    optimum: Option<(Residual, Objective)>,
    /// Cheapest residual paths from a mentor, computed when first needed.
    paths: HashMap<usize, Vec<Option<i64>>>,
}

impl Explainer<'_, '_> {
    fn intern(&mut self, i: usize) -> InternExplanation {
        let market = self.market;
        let current = self.assigned[i].map(|m| m as usize);
        InternExplanation {
            intern: market.interns[i].id.clone(),
            mentor: current.map(|m| market.mentors[m].id.clone()),
            locked: current.is_some() && market.lock_of[i] == self.assigned[i],
            score: current.and_then(|m| market.pair_score(m, i)),
            best_alternative: self.best_alternative(i, current),
            unmatched: current.is_none().then(|| self.unmatched(i)),
        }
    }

    fn score(&self, m: usize, i: usize) -> i64 {
        self.market.edge(i, m).map_or(0, |e| e.score)
    }

    /// The highest-scoring other mentor (then the smallest id), counting
    /// pairs only the coordinator forbids, and what stood in the way.
    fn best_alternative(&mut self, i: usize, current: Option<usize>) -> Option<Alternative> {
        let market = self.market;
        let (score, m) = market.edges[i]
            .iter()
            .map(|e| (e.score, e.mentor as usize))
            .chain(market.forbidden_for(i).filter_map(|m| {
                let fit = market.fit(m, i).ok()?;
                Some((fit.topic_points + fit.distance_points, m))
            }))
            .filter(|&(_, m)| Some(m) != current)
            .min_by_key(|&(score, m)| (Reverse(score), m))?;
        let not_given = if market.is_forbidden(m, i) {
            NotGiven::Forbidden
        } else if market.lock_of[i].is_some() {
            NotGiven::InternLocked
        } else if market.places[m] == 0 {
            NotGiven::NoPlaces {
                capacity: market.mentors[m].capacity,
                locked: market.mentors[m].capacity - market.places[m],
            }
        } else if self.optimum.is_some() {
            self.not_in_optimum(i, current, m, score)
        } else {
            self.not_in_stable(i, current, m)
        };
        Some(Alternative {
            mentor: market.mentors[m].id.clone(),
            score: market.pair_score(m, i).expect("an alternative fits"),
            not_given,
        })
    }

    /// The interns holding a mentor's places, by score descending, then id.
    fn occupants(&self, m: usize) -> Vec<Occupant> {
        let mut held: Vec<(i64, usize)> = self.occupants[m]
            .iter()
            .map(|&j| (self.score(m, j), j))
            .collect();
        held.sort_by_key(|&(s, j)| (Reverse(s), j));
        held.into_iter()
            .map(|(score, j)| Occupant {
                intern: self.market.interns[j].id.clone(),
                score,
                locked: self.market.lock_of[j].is_some(),
            })
            .collect()
    }

    /// Stability says why: the intern likes their own mentor better, or the
    /// mentor is full with interns it likes better.
    fn not_in_stable(&self, i: usize, current: Option<usize>, m: usize) -> NotGiven {
        let market = self.market;
        let own = current.and_then(|c| market.edge(i, c));
        let alt = market.edge(i, m).expect("not forbidden, so acceptable");
        if own.is_some_and(|o| market.intern_key(o) < market.intern_key(alt)) {
            NotGiven::PrefersOwnMentor
        } else {
            NotGiven::MentorFull {
                occupants: self.occupants(m),
            }
        }
    }

    /// The optimum says why: the mentor is full with interns who score
    /// higher, or forcing the pair would make the best arrangement worse.
    fn not_in_optimum(
        &mut self,
        i: usize,
        current: Option<usize>,
        m: usize,
        score: i64,
    ) -> NotGiven {
        let market = self.market;
        let occupants = self.occupants(m);
        let outscored = occupants.len() as u32 >= market.mentors[m].capacity
            && occupants.iter().all(|o| {
                let j = market
                    .intern_index(&o.intern)
                    .expect("an occupant is known");
                o.locked || (o.score, Reverse(j)) > (score, Reverse(i))
            });
        if outscored {
            return NotGiven::MentorFull { occupants };
        }
        let (residual, objective) = self.optimum.as_ref().expect("an optimal mode");
        // Forcing the pair: the intern enters m, and the cheapest residual
        // path from m back to where the intern leaves (its mentor, or the
        // source when unmatched) closes the cycle.
        let dist = self
            .paths
            .entry(m)
            .or_insert_with(|| residual.paths_from(m));
        let back = match current {
            None => dist[market.mentors.len()],
            Some(c) => {
                dist[c].map(|d| d + objective.weight(market.edge(i, c).map_or(0, |e| e.score)))
            }
        };
        match back.map(|back| objective.decode(objective.weight(score) - back)) {
            Some((0, 0)) => NotGiven::Tie,
            Some((score_change, matched_change)) => NotGiven::LowerTotal {
                score_change,
                matched_change,
            },
            None => NotGiven::MentorFull { occupants },
        }
    }

    fn unmatched(&self, i: usize) -> UnmatchedReason {
        let market = self.market;
        if market.edges[i].is_empty() {
            UnmatchedReason::NoAcceptableMentor {
                mentors: (0..market.mentors.len())
                    .map(|m| Rejection {
                        mentor: market.mentors[m].id.clone(),
                        reasons: market
                            .check(m, i)
                            .err()
                            .map(|r| market.reasons(m, i, r))
                            .unwrap_or_default(),
                    })
                    .collect(),
            }
        } else {
            UnmatchedReason::AcceptableMentorsFull {
                mentors: market.edges[i]
                    .iter()
                    .map(|e| market.mentors[e.mentor as usize].id.clone())
                    .collect(),
            }
        }
    }
}
