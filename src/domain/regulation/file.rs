//! The regulation as its file writes it, and the reading of it into the
//! checked [`Regulation`](super::Regulation).
//!
//! serde reads the file into the types here and says what is misspelt,
//! missing or of the wrong kind. The conversion says the rest (ids, counts,
//! ranges, what refers to what) and reads each tie-break rule once. These
//! types keep the names of the checked ones, so that serde's messages
//! (`expected struct Stage`) stay those a person has always been shown.

use super::{
    ActivityFormula, Advance, AdvanceKind, Aggregation, CarryOver, CommentRule, ConflictRule,
    ContestInfo, Criterion, CriterionKind, Group, MentoringRules, RegulationProblem, TieBreak,
    limits,
};
use crate::domain::ids::{CriterionId, StageId};
use serde::Deserialize;
use std::collections::BTreeSet;

/// The whole regulation, as the file writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Regulation {
    #[serde(default)]
    timezone: Option<String>,
    contest: ContestInfo,
    groups: Vec<Group>,
    #[serde(default)]
    ranking: RankingDefaults,
    #[serde(default)]
    activity: ActivityFormula,
    stages: Vec<Stage>,
    #[serde(default)]
    mentoring: MentoringRules,
}

/// Settings shared by all stages unless a stage overrides them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RankingDefaults {
    /// The tie-break chain, e.g. `["total", "criterion:creative_task",
    /// "previous_stage", "activity_rating", "application_date"]`.
    #[serde(default)]
    tie_break: Vec<String>,
}

/// One stage, as written (see [`super::Stage`] for what the fields mean).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stage {
    id: StageId,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    blind: bool,
    #[serde(default)]
    aggregation: Aggregation,
    #[serde(default)]
    trim_fraction: Option<f64>,
    #[serde(default)]
    jurors_per_participant: usize,
    #[serde(default)]
    half_points: bool,
    #[serde(default)]
    comment_required: CommentRule,
    #[serde(default)]
    conflict_rules: Vec<ConflictRule>,
    #[serde(default)]
    carry_over: Vec<CarryOver>,
    advance: Advance,
    /// Overrides `[ranking].tie_break` for this stage.
    #[serde(default)]
    tie_break: Option<Vec<String>>,
    criteria: Vec<Criterion>,
}

impl TryFrom<Regulation> for super::Regulation {
    /// Every problem, as `(field path, problem)` pairs in the file's order.
    type Error = Vec<(String, RegulationProblem)>;

    fn try_from(file: Regulation) -> Result<Self, Self::Error> {
        let mut out: Vec<(String, RegulationProblem)> = file.beyond_limits();
        let mut bad = |field: String, problem: RegulationProblem| out.push((field, problem));
        let default = file.check_contest(&mut bad);
        let mut earlier: Vec<StageId> = Vec::new();
        let mut chains = Vec::with_capacity(file.stages.len());
        for (s, stage) in file.stages.iter().enumerate() {
            chains.push(file.check_stage(s, stage, &earlier, &default, &mut bad));
            earlier.push(stage.id.clone());
        }
        file.check_mentoring(&mut bad);
        file.check_activity(&mut bad);
        if !out.is_empty() {
            return Err(out);
        }
        Ok(super::Regulation {
            timezone: file.timezone,
            contest: file.contest,
            groups: file.groups,
            activity: file.activity,
            stages: file
                .stages
                .into_iter()
                .zip(chains)
                .map(|(stage, tie_break)| stage.checked(tie_break))
                .collect(),
            mentoring: file.mentoring,
        })
    }
}

impl Stage {
    /// The checked stage, with the chain that breaks its ties.
    fn checked(self, tie_break: Vec<TieBreak>) -> super::Stage {
        super::Stage {
            id: self.id,
            name: self.name,
            description: self.description,
            blind: self.blind,
            aggregation: self.aggregation,
            trim_fraction: self.trim_fraction,
            jurors_per_participant: self.jurors_per_participant,
            half_points: self.half_points,
            comment_required: self.comment_required,
            conflict_rules: self.conflict_rules,
            carry_over: self.carry_over,
            advance: self.advance,
            criteria: self.criteria,
            tie_break,
        }
    }
}

impl Regulation {
    /// Counts and values no contest means (see [`limits`]), as `(field
    /// path, problem)` pairs: a weight of 1e308 or a million criteria would
    /// only make every total infinite or every command slow.
    fn beyond_limits(&self) -> Vec<(String, RegulationProblem)> {
        use RegulationProblem as P;
        let mut out = Vec::new();
        let mut count = |field: String, what: &str, got: usize, max: usize| {
            if got > max {
                out.push((
                    field,
                    P::TooMany {
                        what: what.into(),
                        got,
                        max,
                    },
                ));
            }
        };
        count("groups".into(), "groups", self.groups.len(), limits::GROUPS);
        count("stages".into(), "stages", self.stages.len(), limits::STAGES);
        for (i, stage) in self.stages.iter().enumerate() {
            let at = format!("stages[{i}]");
            count(
                format!("{at}.criteria"),
                "criteria",
                stage.criteria.len(),
                limits::CRITERIA,
            );
            for (j, crit) in stage.criteria.iter().enumerate() {
                count(
                    format!("{at}.criteria[{j}].bands"),
                    "bands",
                    crit.bands.len(),
                    limits::BANDS,
                );
            }
        }
        let mut value = |field: String, name: &str, got: f64, max: f64| {
            // NaN and infinity fail this too.
            if got.is_nan() || got > max {
                out.push((
                    field,
                    P::AboveLimit {
                        name: name.into(),
                        got,
                        max,
                    },
                ));
            }
        };
        for (i, stage) in self.stages.iter().enumerate() {
            let at = format!("stages[{i}]");
            value(
                format!("{at}.jurors_per_participant"),
                "jurors_per_participant",
                stage.jurors_per_participant as f64,
                limits::JURORS_PER_PARTICIPANT as f64,
            );
            for (j, crit) in stage.criteria.iter().enumerate() {
                let cat = format!("{at}.criteria[{j}]");
                value(
                    format!("{cat}.max_points"),
                    "max_points",
                    crit.max_points,
                    limits::POINTS,
                );
                value(
                    format!("{cat}.weight"),
                    "weight",
                    crit.weight,
                    limits::WEIGHT,
                );
            }
            for (k, carry) in stage.carry_over.iter().enumerate() {
                value(
                    format!("{at}.carry_over[{k}].weight"),
                    "weight",
                    carry.weight,
                    limits::WEIGHT,
                );
            }
        }
        out
    }

    /// Time zone, contest name, groups, the presence of stages and the
    /// contest tie-break, which it returns read.
    fn check_contest(&self, bad: &mut impl FnMut(String, RegulationProblem)) -> WrittenChain {
        use RegulationProblem as P;
        if let Some(zone) = &self.timezone
            && zone.parse::<chrono_tz::Tz>().is_err()
        {
            bad("timezone".into(), P::UnknownZone { zone: zone.clone() });
        }
        if self.contest.name.trim().is_empty() {
            bad("contest.name".into(), P::NoContestName);
        }
        if self.groups.is_empty() {
            bad("groups".into(), P::NoGroups);
        }
        self.check_groups(bad);
        if self.stages.is_empty() {
            bad("stages".into(), P::NoStages);
        }
        WrittenChain::read(&self.ranking.tie_break, "ranking.tie_break", bad)
    }

    /// Each group's id: present, well formed, not repeated.
    fn check_groups(&self, bad: &mut impl FnMut(String, RegulationProblem)) {
        use RegulationProblem as P;
        let mut group_ids = BTreeSet::new();
        for (i, g) in self.groups.iter().enumerate() {
            if g.id.as_str().trim().is_empty() {
                bad(format!("groups[{i}].id"), P::NoGroupId);
            } else if let Some(fault) = crate::domain::clean::id_fault(g.id.as_str()) {
                let id = g.id.to_string();
                bad(format!("groups[{i}].id"), P::BadId { id, fault });
            }
            if !group_ids.insert(g.id.clone()) {
                bad(
                    format!("groups[{i}].id"),
                    P::GroupIdTwice { id: g.id.clone() },
                );
            }
        }
    }

    /// One stage, given the ids of the stages before it and the default
    /// tie-break chain; returns the chain that breaks the stage's ties.
    fn check_stage(
        &self,
        s: usize,
        stage: &Stage,
        earlier: &[StageId],
        default: &WrittenChain,
        bad: &mut impl FnMut(String, RegulationProblem),
    ) -> Vec<TieBreak> {
        use RegulationProblem as P;
        let at = format!("stages[{s}]");
        if let Some(fault) = crate::domain::clean::id_fault(stage.id.as_str()) {
            let id = stage.id.to_string();
            bad(format!("{at}.id"), P::BadId { id, fault });
        }
        if earlier.contains(&stage.id) {
            bad(
                format!("{at}.id"),
                P::StageIdTwice {
                    id: stage.id.clone(),
                },
            );
        }
        if stage.criteria.is_empty() {
            bad(
                format!("{at}.criteria"),
                P::NoCriteria {
                    stage: stage.id.clone(),
                },
            );
        }
        let mut ids = BTreeSet::new();
        for (c, crit) in stage.criteria.iter().enumerate() {
            check_criterion(&format!("{at}.criteria[{c}]"), crit, &mut ids, bad);
        }
        let has_jury = stage.criteria.iter().any(|c| c.kind == CriterionKind::Jury);
        if has_jury && stage.jurors_per_participant == 0 {
            bad(format!("{at}.jurors_per_participant"), P::NoJurors);
        }
        if let Some(f) = stage.trim_fraction
            && !(0.0..0.5).contains(&f)
        {
            bad(format!("{at}.trim_fraction"), P::TrimFraction { got: f });
        }
        check_carry_over(stage, &at, earlier, bad);
        self.check_advance(stage, &at, bad);
        let own;
        let chain = match &stage.tie_break {
            Some(written) => {
                own = WrittenChain::read(written, &format!("{at}.tie_break"), bad);
                &own
            }
            None => default,
        };
        check_stage_tie_break(stage, chain, &ids, earlier, bad);
        chain.resolved()
    }

    /// Mentoring: the distance limit, the distance bands and the weights.
    fn check_mentoring(&self, bad: &mut impl FnMut(String, RegulationProblem)) {
        use RegulationProblem as P;
        let m = &self.mentoring;
        if !m.max_distance_km.is_finite() || m.max_distance_km < 0.0 {
            bad("mentoring.max_distance_km".into(), P::MaxDistanceNegative);
        }
        for (b, band) in m.distance_bands.iter().enumerate() {
            if b > 0 && m.distance_bands[b - 1][0] >= band[0] {
                bad(
                    format!("mentoring.distance_bands[{b}]"),
                    P::DistanceBandsNotAscending,
                );
            }
        }
        for (name, v) in [
            ("topic_weight", m.topic_weight),
            ("distance_weight", m.distance_weight),
            ("preference_weight", m.preference_weight),
        ] {
            if v < 0 {
                bad(
                    format!("mentoring.{name}"),
                    P::Negative {
                        name: name.into(),
                        got: v as f64,
                    },
                );
            }
        }
    }

    /// Activity: points per format, topic multipliers, bonuses and caps.
    fn check_activity(&self, bad: &mut impl FnMut(String, RegulationProblem)) {
        use RegulationProblem as P;
        let a = &self.activity;
        for (f, p) in &a.points_per_format {
            if !p.is_finite() || *p < 0.0 {
                bad(
                    format!("activity.points_per_format.{f}"),
                    P::NegativePoints { got: *p },
                );
            }
        }
        for (t, p) in &a.topic_multiplier {
            if !p.is_finite() || *p < 0.0 {
                bad(
                    format!("activity.topic_multiplier.{t}"),
                    P::NegativeMultiplier { got: *p },
                );
            }
        }
        for (name, v) in [
            ("topic_bonus", Some(a.topic_bonus)),
            ("creative_task_points", Some(a.creative_task_points)),
            ("site_activity_points", Some(a.site_activity_points)),
            ("site_activity_cap", a.site_activity_cap),
            ("attendance_cap", a.attendance_cap),
            ("cap", a.cap),
        ] {
            if let Some(v) = v
                && (!v.is_finite() || v < 0.0)
            {
                bad(
                    format!("activity.{name}"),
                    P::Negative {
                        name: name.into(),
                        got: v,
                    },
                );
            }
        }
    }

    fn check_advance(
        &self,
        stage: &Stage,
        at: &str,
        bad: &mut impl FnMut(String, RegulationProblem),
    ) {
        use RegulationProblem as P;
        let adv = &stage.advance;
        let field = format!("{at}.advance");
        match adv.rule {
            AdvanceKind::Top => match adv.n {
                Some(0) | None => bad(format!("{field}.n"), P::TopNeedsN),
                _ => {}
            },
            AdvanceKind::TopPerGroup => {
                if adv.n.is_none() && adv.per_group.is_empty() {
                    bad(format!("{field}.n"), P::TopPerGroupNeedsN);
                }
                if adv.n == Some(0) {
                    bad(format!("{field}.n"), P::NAtLeastOne);
                }
                for g in adv.per_group.keys() {
                    if !self.groups.iter().any(|x| &x.id == g) {
                        bad(
                            format!("{field}.per_group.{g}"),
                            P::UnknownGroup {
                                group: g.clone(),
                                groups: self.groups.iter().map(|g| g.id.clone()).collect(),
                            },
                        );
                    }
                }
            }
            AdvanceKind::Threshold => match adv.min_total {
                Some(t) if t.is_finite() => {}
                _ => bad(format!("{field}.min_total"), P::ThresholdNeedsMinTotal),
            },
            AdvanceKind::Quota => {}
        }
    }
}

/// A tie-break chain as the file writes it, read: where it is written,
/// and the rules with their places in it (a rule with an unknown name is
/// left out, once said).
struct WrittenChain {
    /// The chain's field path: `ranking.tie_break`, `stages[1].tie_break`.
    at: String,
    rules: Vec<(usize, TieBreak)>,
}

impl WrittenChain {
    fn read(
        written: &[String],
        at: &str,
        bad: &mut impl FnMut(String, RegulationProblem),
    ) -> WrittenChain {
        let mut rules = Vec::with_capacity(written.len());
        for (k, rule) in written.iter().enumerate() {
            match TieBreak::parse(rule) {
                Some(t) => rules.push((k, t)),
                None => bad(
                    format!("{at}[{k}]"),
                    RegulationProblem::UnknownTieBreak { rule: rule.clone() },
                ),
            }
        }
        WrittenChain {
            at: at.to_string(),
            rules,
        }
    }

    /// The chain that breaks ties: `total` first, then each rule once.
    fn resolved(&self) -> Vec<TieBreak> {
        let mut chain = vec![TieBreak::Total];
        for (_, t) in &self.rules {
            if !chain.contains(t) {
                chain.push(t.clone());
            }
        }
        chain
    }
}

/// The stage's tie-break chain names criteria of this stage and earlier
/// stages only; a problem is said where the chain is written.
fn check_stage_tie_break(
    stage: &Stage,
    chain: &WrittenChain,
    ids: &BTreeSet<CriterionId>,
    earlier: &[StageId],
    bad: &mut impl FnMut(String, RegulationProblem),
) {
    use RegulationProblem as P;
    for (k, rule) in &chain.rules {
        let field = format!("{}[{k}]", chain.at);
        match rule {
            TieBreak::Criterion(c) if !ids.contains(c) => bad(
                field,
                P::TieBreakUnknownCriterion {
                    criterion: c.clone(),
                    stage: stage.id.clone(),
                    has: stage.criteria.iter().map(|c| c.id.clone()).collect(),
                },
            ),
            TieBreak::Stage(st) if !earlier.contains(st) => bad(
                field,
                P::TieBreakNotEarlierStage {
                    named: st.clone(),
                    stage: stage.id.clone(),
                },
            ),
            _ => {}
        }
    }
}

/// One criterion at `cat`: id, points, weight and the settings its kind allows.
fn check_criterion(
    cat: &str,
    crit: &Criterion,
    ids: &mut BTreeSet<CriterionId>,
    bad: &mut impl FnMut(String, RegulationProblem),
) {
    use RegulationProblem as P;
    if let Some(fault) = crate::domain::clean::id_fault(crit.id.as_str()) {
        let id = crit.id.to_string();
        bad(format!("{cat}.id"), P::BadId { id, fault });
    }
    if !ids.insert(crit.id.clone()) {
        bad(
            format!("{cat}.id"),
            P::CriterionIdTwice {
                id: crit.id.clone(),
            },
        );
    }
    if !(crit.max_points.is_finite() && crit.max_points > 0.0) {
        bad(
            format!("{cat}.max_points"),
            P::MaxPointsNotPositive {
                got: crit.max_points,
            },
        );
    }
    if crit.weight < 0.0 {
        bad(
            format!("{cat}.weight"),
            P::NegativeWeight { got: crit.weight },
        );
    }
    match crit.kind {
        CriterionKind::Indicator => check_indicator(cat, crit, bad),
        CriterionKind::Jury => {
            if crit.source.is_some() || crit.per_unit.is_some() || !crit.bands.is_empty() {
                bad(format!("{cat}.kind"), P::JuryWithIndicatorSettings);
            }
        }
    }
}

/// An indicator criterion: its source, points per unit or ascending bands within the maximum.
fn check_indicator(cat: &str, crit: &Criterion, bad: &mut impl FnMut(String, RegulationProblem)) {
    use RegulationProblem as P;
    if crit.source.is_none() {
        bad(format!("{cat}.source"), P::IndicatorWithoutSource);
    }
    if let Some(p) = crit.per_unit
        && (!p.is_finite() || p < 0.0)
    {
        bad(
            format!("{cat}.per_unit"),
            P::Negative {
                name: "per_unit".into(),
                got: p,
            },
        );
    }
    if crit.per_unit.is_some() && !crit.bands.is_empty() {
        bad(format!("{cat}.bands"), P::PerUnitAndBands);
    }
    for (b, pair) in crit.bands.iter().enumerate() {
        if pair[1] > crit.max_points || pair[1] < 0.0 {
            bad(
                format!("{cat}.bands[{b}]"),
                P::BandPointsOutOfRange {
                    max: crit.max_points,
                    got: pair[1],
                },
            );
        }
        if b > 0 && crit.bands[b - 1][0] >= pair[0] {
            bad(format!("{cat}.bands[{b}]"), P::BandsNotAscending);
        }
    }
}

/// Carry-over: only from earlier stages, never with a negative weight.
fn check_carry_over(
    stage: &Stage,
    at: &str,
    earlier: &[StageId],
    bad: &mut impl FnMut(String, RegulationProblem),
) {
    use RegulationProblem as P;
    for (k, carry) in stage.carry_over.iter().enumerate() {
        if !earlier.contains(&carry.stage) {
            bad(
                format!("{at}.carry_over[{k}].stage"),
                P::NotEarlierStage {
                    stage: carry.stage.clone(),
                    earlier: earlier.to_vec(),
                },
            );
        }
        if carry.weight < 0.0 {
            bad(
                format!("{at}.carry_over[{k}].weight"),
                P::NegativeWeight { got: carry.weight },
            );
        }
    }
}
