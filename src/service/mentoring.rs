//! The mentoring programme through the service: mentors from the team,
//! locks and forbids, proposals and the accepted matching.

use super::{Actor, Result, Service};
use crate::domain::contest::{Change, Contest, Key, Record, Standing};
use crate::domain::ids::{InternId, MentorId};
use crate::domain::matching::{
    self, BlockingPair, InternExplanation, MatchInput, MatchMode, Proposal,
};
use crate::domain::mentoring::{
    AcceptedMatching, AcceptedPair, DecisionKind, Formats, InternRequest, Mentor, Municipality,
    PairDecision, TopicLevel,
};
use crate::domain::people::Role;
use crate::domain::refusal::{Act, Refusal, Thing};
use crate::domain::topic::Topic;
use std::collections::BTreeMap;

/// A proposal, every intern's explanation and the blocking pairs.
pub struct Explained {
    pub data: MatchData,
    pub proposal: Proposal,
    pub explanations: Vec<InternExplanation>,
    pub blocking: Vec<BlockingPair>,
}

/// The data a proposal is computed from, owned so that it outlives the
/// contest snapshot it came from.
pub struct MatchData {
    pub mentors: Vec<Mentor>,
    pub interns: Vec<InternRequest>,
    pub municipalities: BTreeMap<String, Municipality>,
    pub rules: crate::domain::regulation::MentoringRules,
    pub locks: Vec<(MentorId, InternId)>,
    pub forbids: Vec<(MentorId, InternId)>,
}

impl MatchData {
    pub fn of(c: &Contest) -> MatchData {
        let pairs = |kind: DecisionKind| {
            c.decisions
                .values()
                .filter(|d| d.kind == kind)
                .map(|d| (d.mentor.clone(), d.intern.clone()))
                .collect::<Vec<_>>()
        };
        MatchData {
            mentors: c.mentors.values().cloned().collect(),
            interns: c.interns.values().cloned().collect(),
            municipalities: c
                .municipalities
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            rules: c.rules().map(|r| r.mentoring.clone()).unwrap_or_default(),
            locks: pairs(DecisionKind::Lock),
            forbids: pairs(DecisionKind::Forbid),
        }
    }

    pub fn input(&self) -> MatchInput<'_> {
        MatchInput {
            mentors: &self.mentors,
            interns: &self.interns,
            municipalities: &self.municipalities,
            rules: &self.rules,
            locks: &self.locks,
            forbids: &self.forbids,
        }
    }
}

impl Service {
    /// The mentoring data as the actor may see it (coordinators and observers).
    pub fn match_data(&self, actor: &Actor) -> Result<MatchData> {
        self.require(
            actor,
            &[Role::Coordinator, Role::Observer],
            Act::SeeMentoring,
        )?;
        Ok(MatchData::of(&self.contest()))
    }

    /// A proposal in `mode` from the current mentors, interns, locks and forbids.
    pub fn propose(&self, actor: &Actor, mode: MatchMode) -> Result<(MatchData, Proposal)> {
        let data = self.match_data(actor)?;
        let proposal = matching::propose(&data.input(), mode);
        Ok((data, proposal))
    }

    /// [`Service::propose`] with what a person reads beside it: every
    /// intern's explanation and the blocking pairs, from one preparation of
    /// the market (the Mentoring pane and `konkurs match`).
    pub fn propose_explained(&self, actor: &Actor, mode: MatchMode) -> Result<Explained> {
        let data = self.match_data(actor)?;
        let (proposal, explanations, blocking) = {
            let input = data.input();
            let prepared = matching::Prepared::new(&input);
            let proposal = prepared.propose(mode);
            let explanations = prepared.explain(&proposal).unwrap_or_default();
            let blocking = prepared.blocking_pairs(&proposal.assignment());
            (proposal, explanations, blocking)
        };
        Ok(Explained {
            data,
            proposal,
            explanations,
            blocking,
        })
    }

    /// Creates a mentor for every team member who has none yet: the
    /// regulation's capacity, both formats, and the topics the member
    /// trained in (level 3 for 3+ events of a topic, 2 for 2, 1 for 1).
    pub fn mentors_from_team(&self, actor: &Actor) -> Result<usize> {
        self.require(actor, &[Role::Coordinator], Act::AddMentors)?;
        let mut added = 0;
        self.commit_with(actor, "mentors.from_team", |c| {
            let standings = c.standings();
            let capacity = c.rules().map_or(3, |r| r.mentoring.capacity);
            let mut changes = Vec::new();
            for p in c.participants.values() {
                if standings.get(&p.id) != Some(&Standing::Team) {
                    continue;
                }
                if c.mentors
                    .values()
                    .any(|m| m.participant.as_ref() == Some(&p.id))
                {
                    continue;
                }
                let mut per_topic: BTreeMap<Topic, usize> = BTreeMap::new();
                if let Some(a) = c.attendance.get(&p.id) {
                    for e in a.events.keys().filter_map(|e| c.events.get(e)) {
                        *per_topic.entry(e.topic).or_default() += 1;
                    }
                }
                let topics: Vec<TopicLevel> = per_topic
                    .into_iter()
                    .map(|(topic, n)| TopicLevel {
                        topic,
                        level: n.min(3) as u8,
                    })
                    .collect();
                changes.push(Change::Put(Record::Mentor(Mentor {
                    id: MentorId::new(format!("M-{}", p.id)),
                    participant: Some(p.id.clone()),
                    full_name: p.full_name.clone(),
                    tos_name: p.tos_name.clone(),
                    municipality: p.municipality.clone(),
                    capacity,
                    topics: if topics.is_empty() {
                        vec![TopicLevel {
                            topic: Topic::Organisation,
                            level: 1,
                        }]
                    } else {
                        topics
                    },
                    formats: Formats::BOTH,
                    preferred_interns: Vec::new(),
                })));
            }
            added = changes.len();
            if changes.is_empty() {
                return Err(Refusal::NoTeamMemberLeft.into());
            }
            Ok((changes, format!("{added} team member(s) became mentors")))
        })?;
        Ok(added)
    }

    /// Locks a pair (or makes it by hand) or forbids it; `None` clears the
    /// decision. A forbid needs a reason; any reason given is kept in the
    /// audit entry.
    pub fn decide_pair(
        &self,
        actor: &Actor,
        mentor: &MentorId,
        intern: &InternId,
        kind: Option<DecisionKind>,
        reason: &str,
    ) -> Result<()> {
        self.require(actor, &[Role::Coordinator], Act::DecidePairs)?;
        let reason = reason.trim();
        if kind == Some(DecisionKind::Forbid) && reason.is_empty() {
            return Err(Refusal::ForbidReasonMissing.into());
        }
        self.commit_with(actor, "mentoring.decide", |c| {
            if !c.mentors.contains_key(mentor) {
                return Err(Refusal::unknown(Thing::Mentor, mentor).into());
            }
            if !c.interns.contains_key(intern) {
                return Err(Refusal::unknown(Thing::Intern, intern).into());
            }
            let key = (mentor.clone(), intern.clone());
            let current = c.decisions.get(&key);
            let change = match kind {
                None if current.is_none() => return Ok((Vec::new(), String::new())),
                None => Change::Delete(Key::Decision(mentor.clone(), intern.clone())),
                Some(k) => {
                    if current.is_some_and(|d| d.kind == k && d.reason == reason) {
                        return Ok((Vec::new(), String::new()));
                    }
                    if k == DecisionKind::Lock
                        && let Some(other) = c.decisions.values().find(|d| {
                            d.kind == DecisionKind::Lock
                                && &d.intern == intern
                                && &d.mentor != mentor
                        })
                    {
                        return Err(Refusal::InternLocked {
                            intern: intern.clone(),
                            mentor: other.mentor.clone(),
                        }
                        .into());
                    }
                    Change::Put(Record::Decision(PairDecision {
                        mentor: mentor.clone(),
                        intern: intern.clone(),
                        kind: k,
                        reason: reason.to_string(),
                    }))
                }
            };
            let what = match kind {
                Some(DecisionKind::Lock) => "locked",
                Some(DecisionKind::Forbid) => "forbidden",
                None => "cleared",
            };
            let summary = match (kind, reason) {
                (Some(_), r) if !r.is_empty() => format!("{mentor} – {intern}: {what}: {r}"),
                _ => format!("{mentor} – {intern}: {what}"),
            };
            Ok((vec![change], summary))
        })?;
        Ok(())
    }

    /// Accepts a proposal as the programme's matching, with a reason the
    /// audit entry keeps. It must still hold: the data it came from may
    /// have changed since.
    pub fn accept_matching(&self, actor: &Actor, proposal: &Proposal, reason: &str) -> Result<()> {
        self.require(actor, &[Role::Coordinator], Act::AcceptPairs)?;
        if reason.trim().is_empty() {
            return Err(Refusal::AcceptReasonMissing.into());
        }
        self.commit_with(actor, "mentoring.accept", |c| {
            let data = MatchData::of(c);
            let fresh = matching::propose(&data.input(), proposal.mode);
            if fresh
                .pairs
                .iter()
                .map(|p| (&p.mentor, &p.intern))
                .ne(proposal.pairs.iter().map(|p| (&p.mentor, &p.intern)))
            {
                return Err(Refusal::ProposalStale.into());
            }
            Ok((
                vec![Change::Put(Record::Matching(AcceptedMatching {
                    mode: proposal.mode.code().to_string(),
                    pairs: proposal
                        .pairs
                        .iter()
                        .map(|p| AcceptedPair {
                            mentor: p.mentor.clone(),
                            intern: p.intern.clone(),
                            score: p.score.total,
                        })
                        .collect(),
                    total: proposal.total_score,
                    at: self.now(),
                    by: actor.id.clone(),
                }))],
                format!(
                    "accepted the {} matching: {} pairs, total {}: {}",
                    proposal.mode.code(),
                    proposal.pairs.len(),
                    proposal.total_score,
                    reason.trim()
                ),
            ))
        })?;
        Ok(())
    }
}
