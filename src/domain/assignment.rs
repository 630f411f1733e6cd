//! Who judges whom: the automatic assignment of K jurors to each participant
//! of a stage, and the conflict-of-interest checks it shares with manual
//! assignment.
//!
//! # What [`assign`] decides, in order of importance
//!
//! 1. **No conflict of interest, ever.** A pair is out when the juror
//!    declared a conflict with the participant, or when a rule of the stage
//!    applies: the same municipality or the same TOS, compared after
//!    trimming, ignoring case and runs of spaces, and reading `ё` as `е`. An
//!    empty field on either side never matches.
//! 2. **Kept as they are:** manual assignments and pairs whose scoring has
//!    started. They count toward K and toward the juror's load. A conflict
//!    still wins: such a pair is released (and reported) when it conflicts.
//! 3. **As many assignments as possible**, up to K per participant. A
//!    participant that cannot have K is reported as a [`Shortfall`] with the
//!    reason for every juror it did not get. Without a load limit this only
//!    happens through conflicts; with one ([`AssignmentInput::max_load`]),
//!    the places there are go first to the participants with fewest jurors.
//! 4. **Even loads.** The largest juror load is as small as it can be, then
//!    the second largest, and so on (the load vector is decreasingly minimal,
//!    which is the same as the smallest sum of squared loads). Without
//!    conflicts this means loads differ by at most one.
//! 5. **Stability.** Among the most even solutions, the one that keeps the
//!    most existing automatic assignments: a rerun after nothing changed
//!    returns the same assignments, and a rerun after a change moves only
//!    what the change requires.
//! 6. **Co-juror spread** (a soft goal): when filling new places, a juror who
//!    has sat less often with the participant's other jurors comes first
//!    among equally loaded ones, so the same jurors are not always paired.
//! 7. **Determinism.** Every remaining tie is broken by id; the order of the
//!    input lists does not matter.
//!
//! # How
//!
//! Goals 3–5 are one minimum-cost maximum flow from participants to eligible
//! jurors. A juror's `L`-th participant costs `W·(L−1)`: the cost is convex,
//! so the cheapest flow spreads the load. A participant's `c`-th juror costs
//! `W'·(c−1)` with `W' ≫ W`, so scarce places go to those with fewest
//! jurors first. Each new pair costs 1, so existing pairs are kept when
//! balance allows. Participants are many and jurors few, so the residual
//! graph is contracted onto the jurors (a few dozen nodes instead of
//! thousands). The solver starts from the existing pairs plus a
//! least-loaded greedy fill, completes coverage along augmenting chains,
//! evens loads with chains of moves, and finally cancels negative cycles of
//! the juror graph (Bellman–Ford) until there are none left. That last step
//! proves the result optimal. The `solver` module has the details.

use super::ids::{JurorId, ParticipantId, StageId};
use super::participant::Participant;
use super::people::{Juror, Role};
use super::regulation::{ConflictRule, Stage};
use super::scoring::{Assignment, AssignmentOrigin, Conflict};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

mod solver;
#[cfg(test)]
mod tests;

/// Everything [`assign`] looks at, borrowed from the contest.
#[derive(Clone, Debug)]
pub struct AssignmentInput<'a> {
    pub stage: &'a StageId,
    /// K: how many jurors judge each participant.
    pub jurors_per_participant: usize,
    /// The stage's automatic conflict rules.
    pub rules: &'a [ConflictRule],
    /// The participants of the stage.
    pub participants: Vec<&'a Participant>,
    /// The people of the jury; only those with the role juror judge.
    pub jurors: Vec<&'a Juror>,
    /// Declared conflicts of interest.
    pub conflicts: Vec<&'a Conflict>,
    /// The stage's current assignments (those of other stages are ignored).
    pub existing: Vec<&'a Assignment>,
    /// (juror, participant) pairs whose scoring has started: kept unless they
    /// conflict, even when the assignment list lacks them.
    pub started: Vec<(&'a JurorId, &'a ParticipantId)>,
    /// The most participants an automatic assignment may give one juror;
    /// manual and started assignments may go beyond it.
    pub max_load: Option<usize>,
}

impl<'a> AssignmentInput<'a> {
    /// The input for a stage of the regulation, with K and the conflict
    /// rules taken from it and every list empty.
    pub fn new(stage: &'a Stage) -> Self {
        AssignmentInput {
            stage: &stage.id,
            jurors_per_participant: stage.jurors_per_participant,
            rules: &stage.conflict_rules,
            participants: Vec::new(),
            jurors: Vec::new(),
            conflicts: Vec::new(),
            existing: Vec::new(),
            started: Vec::new(),
            max_load: None,
        }
    }
}

/// Why a juror may not judge a participant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConflictReason {
    /// A declared conflict of interest, with the reason given.
    Declared(String),
    /// The juror and the participant are from the same municipality.
    SameMunicipality,
    /// The juror belongs to the participant's TOS.
    SameTos,
}

impl fmt::Display for ConflictReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConflictReason::Declared(r) if r.trim().is_empty() => f.write_str("declared conflict"),
            ConflictReason::Declared(r) => write!(f, "declared conflict: {}", r.trim()),
            ConflictReason::SameMunicipality => f.write_str("same municipality"),
            ConflictReason::SameTos => f.write_str("same TOS"),
        }
    }
}

/// Why a participant short of jurors did not get a particular juror.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    Conflict(ConflictReason),
    /// The juror was eligible but had reached the load limit.
    AtCapacity {
        load: usize,
    },
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::Conflict(r) => r.fmt(f),
            Unavailable::AtCapacity { load } => {
                write!(f, "eligible, but already at the load limit ({load})")
            }
        }
    }
}

/// A participant that could not get K jurors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shortfall {
    pub participant: ParticipantId,
    /// How many jurors it has.
    pub assigned: usize,
    /// K.
    pub needed: usize,
    /// Every juror of the jury it does not have, with the reason.
    pub unavailable: Vec<(JurorId, Unavailable)>,
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} has {} of {} jurors",
            self.participant, self.assigned, self.needed
        )?;
        let jury = self.assigned + self.unavailable.len();
        if jury < self.needed {
            write!(f, " (the jury has only {jury})")?;
        }
        for (i, (juror, why)) in self.unavailable.iter().enumerate() {
            let sep = if i == 0 { ": " } else { "; " };
            write!(f, "{sep}{juror} — {why}")?;
        }
        Ok(())
    }
}

/// How many participants a juror judges at the stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JurorLoad {
    pub juror: JurorId,
    /// All assignments of the juror.
    pub load: usize,
    /// Of which kept as they are (manual or being scored).
    pub fixed: usize,
}

/// Why an existing assignment is not in the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReleaseReason {
    /// The pair now has a conflict of interest.
    Conflict(ConflictReason),
    /// The person is not (or no longer) a juror of the jury.
    NotOnJury,
    /// The participant is not (or no longer) in the stage.
    NotInStage,
    /// The participant had more automatic jurors than K asks for.
    Surplus,
    /// Moved to another juror to even out the loads.
    Rebalanced,
}

impl fmt::Display for ReleaseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReleaseReason::Conflict(r) => r.fmt(f),
            ReleaseReason::NotOnJury => f.write_str("not a juror of the jury"),
            ReleaseReason::NotInStage => f.write_str("the participant is not in the stage"),
            ReleaseReason::Surplus => f.write_str("more jurors than the stage asks for"),
            ReleaseReason::Rebalanced => f.write_str("moved to even out the loads"),
        }
    }
}

/// An existing assignment the plan does not keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Released {
    pub assignment: Assignment,
    pub why: ReleaseReason,
    /// The juror had started scoring: a sheet exists for the pair.
    pub scoring_started: bool,
}

/// The outcome of [`assign`]: the stage's assignments as they should be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignmentPlan {
    pub stage: StageId,
    pub jurors_per_participant: usize,
    /// Every assignment of the stage, by participant then juror.
    pub assignments: Vec<Assignment>,
    /// Every juror's load, by juror id.
    pub loads: Vec<JurorLoad>,
    /// Participants with fewer than K jurors, by id.
    pub shortfalls: Vec<Shortfall>,
    /// Existing assignments left out, by participant then juror.
    pub released: Vec<Released>,
    /// How many participants the stage has.
    pub participants: usize,
    /// Assignments of the plan that existed before.
    pub kept: usize,
    /// Assignments of the plan that are new.
    pub added: usize,
}

impl AssignmentPlan {
    /// The smallest and the largest juror load.
    pub fn load_range(&self) -> Option<(usize, usize)> {
        let min = self.loads.iter().map(|l| l.load).min()?;
        let max = self.loads.iter().map(|l| l.load).max()?;
        Some((min, max))
    }

    /// The juror's load, 0 for a juror the plan does not know.
    pub fn load_of(&self, juror: &JurorId) -> usize {
        self.loads
            .binary_search_by(|l| l.juror.cmp(juror))
            .map(|i| self.loads[i].load)
            .unwrap_or(0)
    }

    /// The jurors of a participant.
    pub fn jurors_of<'a>(
        &'a self,
        participant: &'a ParticipantId,
    ) -> impl Iterator<Item = &'a JurorId> {
        self.assignments
            .iter()
            .filter(move |a| &a.participant == participant)
            .map(|a| &a.juror)
    }

    /// The plan in one line, as the audit log records it (English, like
    /// every audit summary; the interfaces word the typed plan themselves).
    pub fn summary(&self) -> String {
        let k = self.jurors_per_participant;
        let manual = self
            .assignments
            .iter()
            .filter(|a| a.origin == AssignmentOrigin::Manual)
            .count();
        let auto = self.assignments.len() - manual;
        let mut s = format!(
            "Stage {}: {} participant(s), {} juror(s), {} per participant; {} assignment(s) ({} manual, {} automatic; {} kept, {} new)",
            self.stage,
            self.participants,
            self.loads.len(),
            k,
            self.assignments.len(),
            manual,
            auto,
            self.kept,
            self.added,
        );
        if let Some((min, max)) = self.load_range() {
            if min == max {
                s.push_str(&format!("; every juror judges {min}"));
            } else {
                s.push_str(&format!("; juror loads {min}–{max}"));
            }
        }
        match self.shortfalls.len() {
            0 if self.participants > 0 => {
                s.push_str(&format!("; every participant has {k} juror(s)"))
            }
            0 => {}
            n => s.push_str(&format!("; {n} participant(s) short of jurors")),
        }
        if !self.released.is_empty() {
            s.push_str(&format!("; {} assignment(s) released", self.released.len()));
        }
        s
    }
}

/// Why a manual assignment is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManualAssignmentError {
    #[error("{juror} ({role}) is not a juror: only jurors judge participants")]
    NotAJuror { juror: JurorId, role: Role },
    #[error("{juror} may not judge {participant}: {reason}; choose another juror")]
    Conflict {
        juror: JurorId,
        participant: ParticipantId,
        reason: ConflictReason,
    },
}

/// Whether the juror may not judge the participant, and why. A declared
/// conflict comes first (it carries a reason), then the stage's rules.
pub fn conflict_reason<'a>(
    juror: &Juror,
    participant: &Participant,
    declared: impl IntoIterator<Item = &'a Conflict>,
    rules: &[ConflictRule],
) -> Option<ConflictReason> {
    let declared = declared
        .into_iter()
        .filter(|c| c.juror == juror.id && c.participant == participant.id)
        .map(|c| c.reason.as_str())
        .min();
    if let Some(reason) = declared {
        return Some(ConflictReason::Declared(reason.to_string()));
    }
    rule_conflict(
        [&juror.municipality, &juror.tos_name],
        [&participant.municipality, &participant.tos_name],
        rules,
    )
}

/// Checks a manual assignment: the person must be a juror and must have no
/// conflict with the participant.
pub fn check_manual_assignment<'a>(
    juror: &Juror,
    participant: &Participant,
    declared: impl IntoIterator<Item = &'a Conflict>,
    rules: &[ConflictRule],
) -> Result<(), ManualAssignmentError> {
    if juror.role != Role::Juror {
        return Err(ManualAssignmentError::NotAJuror {
            juror: juror.id.clone(),
            role: juror.role,
        });
    }
    match conflict_reason(juror, participant, declared, rules) {
        Some(reason) => Err(ManualAssignmentError::Conflict {
            juror: juror.id.clone(),
            participant: participant.id.clone(),
            reason,
        }),
        None => Ok(()),
    }
}

/// A municipality or TOS name in the form names are compared in: trimmed,
/// lower case, `ё` read as `е`, runs of spaces as one.
pub fn normalize_place(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            out.push(if c == 'ё' { 'е' } else { c });
        }
    }
    out
}

fn rule_conflict(
    juror: [&str; 2],
    participant: [&str; 2],
    rules: &[ConflictRule],
) -> Option<ConflictReason> {
    let same = |a: &str, b: &str| {
        let a = normalize_place(a);
        !a.is_empty() && a == normalize_place(b)
    };
    if rules.contains(&ConflictRule::SameMunicipality) && same(juror[0], participant[0]) {
        return Some(ConflictReason::SameMunicipality);
    }
    if rules.contains(&ConflictRule::SameTos) && same(juror[1], participant[1]) {
        return Some(ConflictReason::SameTos);
    }
    None
}

/// Normalised names replaced by small numbers, so that 10⁵ pairs compare
/// integers instead of strings. `None` stands for an empty name.
#[derive(Default)]
struct Places(HashMap<String, u32>);

impl Places {
    fn id(&mut self, s: &str) -> Option<u32> {
        let key = normalize_place(s);
        if key.is_empty() {
            return None;
        }
        let next = self.0.len() as u32;
        Some(*self.0.entry(key).or_insert(next))
    }
}

/// The stage's people in id order, and the conflicts between them.
struct Jury<'a> {
    participants: Vec<&'a Participant>,
    jurors: Vec<&'a Juror>,
    /// Declared conflicts by (participant, juror) index, with the smallest
    /// reason when several are declared.
    declared: BTreeMap<(usize, usize), &'a str>,
    rules: &'a [ConflictRule],
    /// Interned (municipality, TOS) of participants and jurors.
    participant_places: Vec<[Option<u32>; 2]>,
    juror_places: Vec<[Option<u32>; 2]>,
}

impl<'a> Jury<'a> {
    fn new(input: &AssignmentInput<'a>) -> Self {
        let mut participants = input.participants.clone();
        participants.sort_by(|a, b| a.id.cmp(&b.id));
        participants.dedup_by(|a, b| a.id == b.id);
        let mut jurors: Vec<&Juror> = input
            .jurors
            .iter()
            .copied()
            .filter(|j| j.role == Role::Juror)
            .collect();
        jurors.sort_by(|a, b| a.id.cmp(&b.id));
        jurors.dedup_by(|a, b| a.id == b.id);
        let mut jury = Jury {
            participants,
            jurors,
            declared: BTreeMap::new(),
            rules: input.rules,
            participant_places: Vec::new(),
            juror_places: Vec::new(),
        };
        for &c in &input.conflicts {
            if let (Some(p), Some(j)) = (jury.participant(&c.participant), jury.juror(&c.juror)) {
                let reason = jury.declared.entry((p, j)).or_insert(c.reason.as_str());
                if c.reason.as_str() < *reason {
                    *reason = c.reason.as_str();
                }
            }
        }
        let (mut municipalities, mut tos) = (Places::default(), Places::default());
        jury.participant_places = jury
            .participants
            .iter()
            .map(|p| [municipalities.id(&p.municipality), tos.id(&p.tos_name)])
            .collect();
        jury.juror_places = jury
            .jurors
            .iter()
            .map(|j| [municipalities.id(&j.municipality), tos.id(&j.tos_name)])
            .collect();
        jury
    }

    fn participant(&self, id: &ParticipantId) -> Option<usize> {
        self.participants.binary_search_by(|p| p.id.cmp(id)).ok()
    }

    fn juror(&self, id: &JurorId) -> Option<usize> {
        self.jurors.binary_search_by(|j| j.id.cmp(id)).ok()
    }

    /// The participant × juror flags the solver starts from: eligible
    /// unless a declared conflict or a rule says otherwise.
    fn eligibility(&self) -> Vec<u8> {
        let m = self.jurors.len();
        let rule = |r: ConflictRule| self.rules.contains(&r);
        let (municipality, tos) = (
            rule(ConflictRule::SameMunicipality),
            rule(ConflictRule::SameTos),
        );
        let mut cells = Vec::with_capacity(self.participants.len() * m);
        for pp in &self.participant_places {
            for jp in &self.juror_places {
                let same = |k: usize| jp[k].is_some() && jp[k] == pp[k];
                let conflict = (municipality && same(0)) || (tos && same(1));
                cells.push(if conflict { 0 } else { solver::ELIGIBLE });
            }
        }
        for &(p, j) in self.declared.keys() {
            cells[p * m + j] = 0;
        }
        cells
    }

    fn conflict(&self, p: usize, j: usize) -> Option<ConflictReason> {
        if let Some(reason) = self.declared.get(&(p, j)) {
            return Some(ConflictReason::Declared(reason.to_string()));
        }
        let (pp, jp) = (self.participant_places[p], self.juror_places[j]);
        let same = |k: usize| jp[k].is_some() && jp[k] == pp[k];
        if same(0) && self.rules.contains(&ConflictRule::SameMunicipality) {
            Some(ConflictReason::SameMunicipality)
        } else if same(1) && self.rules.contains(&ConflictRule::SameTos) {
            Some(ConflictReason::SameTos)
        } else {
            None
        }
    }
}

/// An existing pair, merged over duplicates.
struct Prior {
    origin: AssignmentOrigin,
    started: bool,
}

/// Existing pairs by ids, manual winning over automatic duplicates; a pair
/// being scored counts as an existing assignment.
fn prior_pairs<'a>(
    input: &AssignmentInput<'a>,
) -> BTreeMap<(&'a ParticipantId, &'a JurorId), Prior> {
    let started: BTreeSet<(&ParticipantId, &JurorId)> =
        input.started.iter().map(|&(j, p)| (p, j)).collect();
    let mut prior: BTreeMap<(&ParticipantId, &JurorId), Prior> = BTreeMap::new();
    for a in input.existing.iter().filter(|a| &a.stage == input.stage) {
        let entry = prior.entry((&a.participant, &a.juror)).or_insert(Prior {
            origin: a.origin,
            started: false,
        });
        if a.origin == AssignmentOrigin::Manual {
            entry.origin = AssignmentOrigin::Manual;
        }
    }
    for &(p, j) in &started {
        prior
            .entry((p, j))
            .or_insert(Prior {
                origin: AssignmentOrigin::Auto,
                started: true,
            })
            .started = true;
    }
    prior
}

/// What the solver starts from: the prior pairs placed on the jury's grid,
/// and those that cannot stay whatever the solution.
struct Start {
    /// `participants × jurors` solver flags.
    cells: Vec<u8>,
    /// Per participant, the jurors kept as they are.
    fixed_of: Vec<Vec<u32>>,
    /// Per juror, the assignments kept as they are.
    fixed_load: Vec<usize>,
    /// Automatic jurors each participant still needs.
    need: Vec<usize>,
    /// The origin of every prior pair that is still valid, by indices.
    origin_of: BTreeMap<(usize, usize), AssignmentOrigin>,
    /// Per participant, how many valid automatic pairs it had.
    preferred_of: Vec<usize>,
    released: Vec<Released>,
}

impl Start {
    fn new(
        input: &AssignmentInput<'_>,
        jury: &Jury<'_>,
        prior: &BTreeMap<(&ParticipantId, &JurorId), Prior>,
    ) -> Self {
        let (n, m) = (jury.participants.len(), jury.jurors.len());
        let mut released = Vec::new();
        let mut cells = jury.eligibility();
        let mut fixed_of: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut origin_of: BTreeMap<(usize, usize), AssignmentOrigin> = BTreeMap::new();
        let mut preferred_of = vec![0usize; n];
        for ((pid, jid), pr) in prior {
            let why = match (jury.participant(pid), jury.juror(jid)) {
                (None, _) => Some(ReleaseReason::NotInStage),
                (_, None) => Some(ReleaseReason::NotOnJury),
                (Some(p), Some(j)) => jury.conflict(p, j).map(ReleaseReason::Conflict),
            };
            if let Some(why) = why {
                released.push(Released {
                    assignment: Assignment {
                        stage: input.stage.clone(),
                        participant: (*pid).clone(),
                        juror: (*jid).clone(),
                        origin: pr.origin,
                    },
                    why,
                    scoring_started: pr.started,
                });
                continue;
            }
            let (p, j) = (jury.participant(pid).unwrap(), jury.juror(jid).unwrap());
            origin_of.insert((p, j), pr.origin);
            if pr.origin == AssignmentOrigin::Manual || pr.started {
                cells[p * m + j] |= solver::FIXED;
                fixed_of[p].push(j as u32);
            } else {
                cells[p * m + j] |= solver::PREFERRED;
                preferred_of[p] += 1;
            }
        }
        let mut fixed_load = vec![0usize; m];
        for js in &fixed_of {
            for &j in js {
                fixed_load[j as usize] += 1;
            }
        }
        let k = input.jurors_per_participant;
        let need = fixed_of.iter().map(|f| k.saturating_sub(f.len())).collect();
        Start {
            cells,
            fixed_of,
            fixed_load,
            need,
            origin_of,
            preferred_of,
            released,
        }
    }

    /// The participant's jurors in index order: those kept as they are,
    /// then the solver's, with their origin.
    fn jurors_of(&self, p: usize, auto: &[u32]) -> Vec<(usize, AssignmentOrigin)> {
        let mut mine: Vec<(usize, AssignmentOrigin)> = self.fixed_of[p]
            .iter()
            .map(|&j| (j as usize, self.origin_of[&(p, j as usize)]))
            .chain(auto.iter().map(|&j| (j as usize, AssignmentOrigin::Auto)))
            .collect();
        mine.sort_unstable_by_key(|&(j, _)| j);
        mine
    }

    /// Releases the participant's existing automatic pairs the solution
    /// dropped; `has` marks the jurors it kept.
    fn release_dropped(
        &mut self,
        input: &AssignmentInput<'_>,
        jury: &Jury<'_>,
        p: usize,
        has: &[bool],
    ) {
        let m = jury.jurors.len();
        for (j, &kept) in has.iter().enumerate() {
            let was = self.cells[p * m + j] & solver::PREFERRED != 0;
            if was && !kept {
                self.released.push(Released {
                    assignment: Assignment {
                        stage: input.stage.clone(),
                        participant: jury.participants[p].id.clone(),
                        juror: jury.jurors[j].id.clone(),
                        origin: AssignmentOrigin::Auto,
                    },
                    why: if self.preferred_of[p] > self.need[p] {
                        ReleaseReason::Surplus
                    } else {
                        ReleaseReason::Rebalanced
                    },
                    scoring_started: false,
                });
            }
        }
    }
}

/// The solution read back participant by participant.
struct Tally {
    /// Every assignment, by participant then juror.
    assignments: Vec<Assignment>,
    /// Per juror, every assignment.
    load: Vec<usize>,
    /// Assignments that existed before.
    kept: usize,
    /// Participants left short of K: index, jurors assigned, which jurors
    /// it has.
    short: Vec<(usize, usize, Vec<bool>)>,
}

/// Walks the participants in id order, turning the solver's answer into
/// assignments and releasing the existing pairs it dropped.
fn tally(
    input: &AssignmentInput<'_>,
    jury: &Jury<'_>,
    start: &mut Start,
    auto: &[Vec<u32>],
) -> Tally {
    let m = jury.jurors.len();
    let k = input.jurors_per_participant;
    let mut tally = Tally {
        assignments: Vec::new(),
        load: start.fixed_load.clone(),
        kept: 0,
        short: Vec::new(),
    };
    let mut has = vec![false; m];
    for (p, auto) in auto.iter().enumerate() {
        let mine = start.jurors_of(p, auto);
        for &(j, origin) in &mine {
            has[j] = true;
            if start.origin_of.contains_key(&(p, j)) {
                tally.kept += 1;
            }
            tally.assignments.push(Assignment {
                stage: input.stage.clone(),
                participant: jury.participants[p].id.clone(),
                juror: jury.jurors[j].id.clone(),
                origin,
            });
        }
        for &j in auto {
            tally.load[j as usize] += 1;
        }
        start.release_dropped(input, jury, p, &has);
        if mine.len() < k {
            // Filled in later, once every load is known.
            tally.short.push((p, mine.len(), has.clone()));
        }
        for &(j, _) in &mine {
            has[j] = false;
        }
    }
    tally
}

/// The participants left short of K, with why each other juror could not
/// judge them.
fn shortfalls(jury: &Jury<'_>, k: usize, tally: &Tally) -> Vec<Shortfall> {
    let m = jury.jurors.len();
    tally
        .short
        .iter()
        .map(|(p, assigned, has)| Shortfall {
            participant: jury.participants[*p].id.clone(),
            assigned: *assigned,
            needed: k,
            unavailable: (0..m)
                .filter(|&j| !has[j])
                .map(|j| {
                    let why = match jury.conflict(*p, j) {
                        Some(r) => Unavailable::Conflict(r),
                        None => Unavailable::AtCapacity {
                            load: tally.load[j],
                        },
                    };
                    (jury.jurors[j].id.clone(), why)
                })
                .collect(),
        })
        .collect()
}

/// Assigns K jurors to every participant of the stage; see the module
/// documentation for what it optimises and in which order.
pub fn assign(input: &AssignmentInput<'_>) -> AssignmentPlan {
    let jury = Jury::new(input);
    let k = input.jurors_per_participant;
    let mut start = Start::new(input, &jury, &prior_pairs(input));
    let auto = solver::solve(solver::Problem {
        jurors: jury.jurors.len(),
        per_participant: k,
        need: start.need.clone(),
        fixed_load: start.fixed_load.clone(),
        fixed_of: start.fixed_of.clone(),
        cap: input.max_load.unwrap_or(usize::MAX),
        cells: start.cells.clone(),
    });
    let tally = tally(input, &jury, &mut start, &auto);
    let shortfalls = shortfalls(&jury, k, &tally);
    let mut released = start.released;
    released.sort_by(|a, b| {
        (&a.assignment.participant, &a.assignment.juror)
            .cmp(&(&b.assignment.participant, &b.assignment.juror))
    });
    let loads = jury
        .jurors
        .iter()
        .zip(tally.load.iter().zip(&start.fixed_load))
        .map(|(juror, (&load, &fixed))| JurorLoad {
            juror: juror.id.clone(),
            load,
            fixed,
        })
        .collect();
    let added = tally.assignments.len() - tally.kept;
    AssignmentPlan {
        stage: input.stage.clone(),
        jurors_per_participant: k,
        assignments: tally.assignments,
        loads,
        shortfalls,
        released,
        participants: jury.participants.len(),
        kept: tally.kept,
        added,
    }
}
