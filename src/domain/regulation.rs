//! The contest's regulation (Положение): groups and quotas, stages and their
//! criteria, how scores are aggregated, who advances, how ties are broken,
//! the activity rating formula and the mentoring defaults.
//!
//! The regulation is a TOML file. [`Regulation::parse`] reads it into the
//! file's own form (`file`), then converts that into the checked types here;
//! a wrong file gets errors that name the line and the field.

use super::code::codes;
use super::ids::{CriterionId, GroupId, StageId};
use super::topic::{EventFormat, Topic};
use crate::tomlspan::Located;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The whole regulation, checked ([`Regulation::parse`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Regulation {
    /// The contest's time zone, an IANA name (`Asia/Irkutsk`): times are
    /// shown and read in it. Without it, the machine's own zone applies.
    pub timezone: Option<String>,
    pub contest: ContestInfo,
    pub groups: Vec<Group>,
    pub activity: ActivityFormula,
    pub stages: Vec<Stage>,
    pub mentoring: MentoringRules,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestInfo {
    pub name: String,
    #[serde(default)]
    pub organiser: String,
    #[serde(default)]
    pub year: Option<i32>,
    /// The name of the team the winners form.
    #[serde(default)]
    pub team_name: String,
}

/// A territory group with its quota of winners.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    /// How many of the group's participants join the team.
    pub quota: usize,
    /// Other ways a data file names the group: the singular form, the usual
    /// abbreviation («Сельское поселение», «СП»).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The kinds of municipality (the `kind` column of the municipalities
    /// file) whose participants belong to this group, for a participants
    /// file without a group column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub municipality_kinds: Vec<String>,
}

impl Regulation {
    /// Whether some group names the municipality kinds it takes.
    pub fn maps_municipality_kinds(&self) -> bool {
        self.groups.iter().any(|g| !g.municipality_kinds.is_empty())
    }
}

/// One stage of the contest.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub id: StageId,
    pub name: String,
    pub description: String,
    /// Jurors do not see each other's scores until the stage is closed.
    pub blind: bool,
    pub aggregation: Aggregation,
    /// For `trimmed`: the fraction cut from each end; without it, the single
    /// highest and lowest are dropped when there are at least 3 jurors.
    pub trim_fraction: Option<f64>,
    /// How many jurors judge each participant (K).
    pub jurors_per_participant: usize,
    /// Whether scores may be given in half points.
    pub half_points: bool,
    pub comment_required: CommentRule,
    /// Automatic conflicts of interest.
    pub conflict_rules: Vec<ConflictRule>,
    /// Earlier stages' totals counted into this stage's total.
    pub carry_over: Vec<CarryOver>,
    pub advance: Advance,
    pub criteria: Vec<Criterion>,
    /// The chain that breaks the stage's ties, `total` first, each rule
    /// once: the stage's own `tie_break`, or else `[ranking].tie_break`.
    pub tie_break: Vec<TieBreak>,
}

codes! {
    /// How jurors' totals of one participant are combined.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Aggregation {
        #[default]
        Mean => "mean",
        Median => "median",
        /// The mean after dropping the extremes.
        Trimmed => "trimmed",
        /// Each juror's totals standardised over the participants they scored,
        /// then mapped back to the stage's scale.
        Zscore => "zscore",
    }
}

/// When a juror must justify a score in writing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentRule {
    #[default]
    Never,
    /// When any criterion gets its maximum or zero.
    Extremes,
    Always,
}

/// Automatic conflicts of interest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictRule {
    /// A juror does not judge participants from their own municipality.
    SameMunicipality,
    /// A juror does not judge participants from their own TOS.
    SameTos,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarryOver {
    pub stage: StageId,
    pub weight: f64,
}

/// The advancement rule as written in the file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    pub rule: AdvanceKind,
    /// For `top` and `top_per_group`: how many advance (per group for the latter).
    #[serde(default)]
    pub n: Option<usize>,
    /// For `top_per_group`: a number per group instead of one `n` for all.
    #[serde(default)]
    pub per_group: BTreeMap<GroupId, usize>,
    /// For `threshold`: the lowest total that advances.
    #[serde(default)]
    pub min_total: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdvanceKind {
    /// The best N overall.
    Top,
    /// The best N of each territory group.
    TopPerGroup,
    /// Everyone whose total reaches a threshold.
    Threshold,
    /// The best of each group up to the group's quota: the team.
    Quota,
}

/// The advancement rule, checked.
#[derive(Clone, Debug, PartialEq)]
pub enum AdvanceRule {
    Top(usize),
    TopPerGroup(BTreeMap<GroupId, usize>),
    Threshold(f64),
    Quota(BTreeMap<GroupId, usize>),
}

/// Who scores a criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionKind {
    /// Scored by the jury's experts.
    Jury,
    /// Computed from data (attendance, projects, awards...).
    Indicator,
}

/// A criterion of a stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub id: CriterionId,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub kind: CriterionKind,
    pub max_points: f64,
    #[serde(default = "one")]
    pub weight: f64,
    /// For indicators: which data the points come from.
    #[serde(default)]
    pub source: Option<IndicatorSource>,
    /// For indicators: points per unit of the source (default 1), capped at
    /// `max_points`.
    #[serde(default)]
    pub per_unit: Option<f64>,
    /// For indicators: `[[from_value, points], ...]`; the highest band
    /// reached gives the points. Used instead of `per_unit`.
    #[serde(default)]
    pub bands: Vec<[f64; 2]>,
}

fn one() -> f64 {
    1.0
}

codes! {
    /// Data an indicator criterion takes its points from.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum IndicatorSource {
        /// Training events attended.
        Attendance => "attendance",
        /// Distinct topics of the events attended.
        DistinctTopics => "distinct_topics",
        /// The activity rating of the educational stage.
        ActivityRating => "activity_rating",
        ImplementedProjects => "implemented_projects",
        Awards => "awards",
        Reviews => "reviews",
        MentoringExperience => "mentoring_experience",
        SiteActivity => "site_activity",
        CreativeTasks => "creative_tasks",
    }
}

/// The formula of the educational stage's activity rating.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityFormula {
    /// Points for attending one event of each format.
    #[serde(default)]
    pub points_per_format: BTreeMap<EventFormat, f64>,
    /// A multiplier per topic (1 when absent).
    #[serde(default)]
    pub topic_multiplier: BTreeMap<Topic, f64>,
    /// Points for each distinct topic covered.
    #[serde(default)]
    pub topic_bonus: f64,
    /// Points per completed creative task.
    #[serde(default)]
    pub creative_task_points: f64,
    /// Points per publication on the union's site.
    #[serde(default)]
    pub site_activity_points: f64,
    /// The most the site activity can bring.
    #[serde(default)]
    pub site_activity_cap: Option<f64>,
    /// The most the attendance part can bring.
    #[serde(default)]
    pub attendance_cap: Option<f64>,
    /// The most the whole rating can be.
    #[serde(default)]
    pub cap: Option<f64>,
}

impl Default for ActivityFormula {
    fn default() -> Self {
        ActivityFormula {
            points_per_format: EventFormat::ALL.iter().map(|f| (*f, 1.0)).collect(),
            topic_multiplier: BTreeMap::new(),
            topic_bonus: 0.0,
            creative_task_points: 0.0,
            site_activity_points: 0.0,
            site_activity_cap: None,
            attendance_cap: None,
            cap: None,
        }
    }
}

/// Defaults of the mentoring programme.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentoringRules {
    /// How many interns a mentor takes unless their record says otherwise.
    #[serde(default = "default_capacity")]
    pub capacity: u32,
    /// On-site pairs farther apart than this are not allowed.
    #[serde(default = "default_max_distance")]
    pub max_distance_km: f64,
    /// Points per wanted topic the mentor teaches, times the mentor's level.
    #[serde(default = "default_topic_weight")]
    pub topic_weight: i64,
    /// Points of the distance band an on-site pair falls in (see `distance_bands`).
    #[serde(default = "default_distance_weight")]
    pub distance_weight: i64,
    /// `[[up_to_km, points], ...]` ascending by distance.
    #[serde(default = "default_distance_bands")]
    pub distance_bands: Vec<[f64; 2]>,
    /// Points for a stated preference: the first choice gets the most.
    #[serde(default = "default_preference_weight")]
    pub preference_weight: i64,
}

fn default_capacity() -> u32 {
    3
}
fn default_max_distance() -> f64 {
    500.0
}
fn default_topic_weight() -> i64 {
    10
}
fn default_distance_weight() -> i64 {
    1
}
fn default_distance_bands() -> Vec<[f64; 2]> {
    vec![[50.0, 6.0], [150.0, 4.0], [300.0, 2.0], [500.0, 0.0]]
}
fn default_preference_weight() -> i64 {
    3
}

impl Default for MentoringRules {
    fn default() -> Self {
        MentoringRules {
            capacity: default_capacity(),
            max_distance_km: default_max_distance(),
            topic_weight: default_topic_weight(),
            distance_weight: default_distance_weight(),
            distance_bands: default_distance_bands(),
            preference_weight: default_preference_weight(),
        }
    }
}

/// Everything that decides one stage's ranking, with the words a person
/// reads (names, descriptions) left out: two regulations that give a stage
/// equal rules rank it alike.
#[derive(Debug, PartialEq)]
struct StageRules {
    stage: Stage,
    /// The stage before it: who competes, and the `previous_stage` tie-break.
    previous: Option<StageId>,
    advance: AdvanceRule,
    /// The activity formula, when the stage counts the rating.
    activity: Option<ActivityFormula>,
}

/// One rule of the tie-break chain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TieBreak {
    /// The stage total (the primary key of every ranking).
    Total,
    /// The points of a criterion of this stage, higher first.
    Criterion(CriterionId),
    /// The total of a named earlier stage, higher first.
    Stage(StageId),
    /// The total of the stage before this one, higher first.
    PreviousStage,
    /// The activity rating, higher first.
    ActivityRating,
    /// The application date, earlier first.
    ApplicationDate,
}

impl TieBreak {
    pub fn parse(s: &str) -> Option<TieBreak> {
        let s = s.trim();
        Some(match s {
            "total" => TieBreak::Total,
            "previous_stage" => TieBreak::PreviousStage,
            "activity_rating" => TieBreak::ActivityRating,
            "application_date" => TieBreak::ApplicationDate,
            _ => {
                if let Some(c) = s.strip_prefix("criterion:") {
                    TieBreak::Criterion(CriterionId::new(c.trim()))
                } else if let Some(st) = s.strip_prefix("stage:") {
                    TieBreak::Stage(StageId::new(st.trim()))
                } else {
                    return None;
                }
            }
        })
    }
}

impl fmt::Display for TieBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TieBreak::Total => f.write_str("total"),
            TieBreak::Criterion(c) => write!(f, "criterion:{c}"),
            TieBreak::Stage(s) => write!(f, "stage:{s}"),
            TieBreak::PreviousStage => f.write_str("previous_stage"),
            TieBreak::ActivityRating => f.write_str("activity_rating"),
            TieBreak::ApplicationDate => f.write_str("application_date"),
        }
    }
}

/// A problem in a regulation file: where and what.
#[derive(Clone, Debug, PartialEq)]
pub struct RegulationError {
    pub line: usize,
    /// The field's path, e.g. `stages[1].criteria[0].weight`.
    pub field: String,
    pub problem: RegulationProblem,
}

/// All problems found in a regulation file. The text layer words them
/// (`crate::text::regulation`).
#[derive(Clone, Debug, PartialEq)]
pub struct RegulationErrors(pub Vec<RegulationError>);

/// The regulation's limits: far beyond any contest, and low enough that a
/// hostile file costs nothing.
pub mod limits {
    /// The file's size.
    pub const TEXT_BYTES: usize = 1 << 20;
    pub const STAGES: usize = 20;
    pub const GROUPS: usize = 100;
    /// Criteria of one stage.
    pub const CRITERIA: usize = 100;
    /// Bands of one indicator.
    pub const BANDS: usize = 100;
    /// A criterion's `max_points`.
    pub const POINTS: f64 = 10_000.0;
    /// A criterion's or a carried-over stage's weight.
    pub const WEIGHT: f64 = 1_000.0;
    pub const JURORS_PER_PARTICIPANT: usize = 100;
}

/// What is wrong with a regulation, as data: the text layer words it in
/// the person's language.
#[derive(Clone, Debug, PartialEq)]
pub enum RegulationProblem {
    /// The file is not valid TOML: what the parser met (its own words,
    /// `unclosed table`) and what it expected there (`` `]` ``, `newline`).
    Syntax {
        what: String,
        expected: Vec<String>,
    },
    /// A key the regulation does not have at that place.
    UnknownField {
        field: String,
        expected: Vec<String>,
    },
    /// A key the regulation needs is absent.
    MissingField {
        field: String,
    },
    /// A value outside the allowed list (a format, an aggregation...).
    UnknownValue {
        value: String,
        expected: Vec<String>,
    },
    /// A value of the wrong kind: what was found and what was expected.
    WrongType {
        found: ValueKind,
        expected: ValueKind,
    },
    /// A value of the right kind out of its range (a negative count).
    WrongValue {
        found: ValueKind,
        expected: ValueKind,
    },
    /// A key written twice.
    DuplicateKey {
        key: String,
    },
    /// Another message of the TOML reader, in its own words.
    Reader {
        message: String,
    },
    UnknownZone {
        zone: String,
    },
    NoContestName,
    NoGroups,
    NoGroupId,
    /// An id that is not letters, digits, `-`, `_` and `.`.
    BadId {
        id: String,
        fault: crate::domain::clean::IdFault,
    },
    GroupIdTwice {
        id: GroupId,
    },
    NoStages,
    StageIdTwice {
        id: StageId,
    },
    NoCriteria {
        stage: StageId,
    },
    CriterionIdTwice {
        id: CriterionId,
    },
    MaxPointsNotPositive {
        got: f64,
    },
    NegativeWeight {
        got: f64,
    },
    /// The setting `name` is below zero.
    Negative {
        name: String,
        got: f64,
    },
    /// The setting `name` is above what a contest can mean (or infinite).
    AboveLimit {
        name: String,
        got: f64,
        max: f64,
    },
    /// More stages, criteria, groups or bands than a contest has.
    TooMany {
        what: String,
        got: usize,
        max: usize,
    },
    /// The file is larger than a regulation is.
    TooLong {
        bytes: usize,
        max: usize,
    },
    IndicatorWithoutSource,
    PerUnitAndBands,
    BandPointsOutOfRange {
        max: f64,
        got: f64,
    },
    BandsNotAscending,
    JuryWithIndicatorSettings,
    NoJurors,
    TrimFraction {
        got: f64,
    },
    NotEarlierStage {
        stage: StageId,
        earlier: Vec<StageId>,
    },
    TieBreakUnknownCriterion {
        criterion: CriterionId,
        stage: StageId,
        has: Vec<CriterionId>,
    },
    TieBreakNotEarlierStage {
        named: StageId,
        stage: StageId,
    },
    UnknownTieBreak {
        rule: String,
    },
    MaxDistanceNegative,
    DistanceBandsNotAscending,
    NegativePoints {
        got: f64,
    },
    NegativeMultiplier {
        got: f64,
    },
    TopNeedsN,
    TopPerGroupNeedsN,
    NAtLeastOne,
    UnknownGroup {
        group: GroupId,
        groups: Vec<GroupId>,
    },
    ThresholdNeedsMinTotal,
    QuotaTooLarge {
        group: GroupId,
        quota: usize,
        members: usize,
    },
}

/// The kind of a TOML value, as the reader's messages name it.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// A string; with the text written, when known.
    Text(Option<String>),
    /// A whole number.
    Integer(Option<String>),
    /// A whole number not below 0.
    Count,
    /// A number with a fraction.
    Number(Option<String>),
    Boolean(Option<String>),
    Array,
    Table,
    /// A date and time.
    Datetime,
    /// Anything else, in the reader's words.
    Other(String),
}

impl RegulationProblem {
    /// The problem a message of the TOML reader (serde's or the parser's)
    /// states.
    fn from_reader(message: &str) -> RegulationProblem {
        let m = message.trim();
        let tick = |s: &str| -> Vec<String> {
            s.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        let first = |s: &str| tick(s).into_iter().next().unwrap_or_default();
        let expected = |s: &str| match s.find(", expected") {
            Some(at) => tick(&s[at..]),
            None => Vec::new(),
        };
        if let Some(rest) = m.strip_prefix("unknown field ") {
            let head = rest.split(", ").next().unwrap_or(rest);
            RegulationProblem::UnknownField {
                field: first(head),
                expected: expected(rest),
            }
        } else if let Some(rest) = m.strip_prefix("missing field ") {
            RegulationProblem::MissingField { field: first(rest) }
        } else if let Some(rest) = m.strip_prefix("unknown variant ") {
            let head = rest.split(", ").next().unwrap_or(rest);
            RegulationProblem::UnknownValue {
                value: first(head),
                expected: expected(rest),
            }
        } else if let Some(rest) = m.strip_prefix("invalid type: ")
            && let Some((found, wanted)) = rest.rsplit_once(", expected ")
        {
            RegulationProblem::WrongType {
                found: ValueKind::found(found),
                expected: ValueKind::expected(wanted),
            }
        } else if let Some(rest) = m.strip_prefix("invalid value: ")
            && let Some((found, wanted)) = rest.rsplit_once(", expected ")
        {
            RegulationProblem::WrongValue {
                found: ValueKind::found(found),
                expected: ValueKind::expected(wanted),
            }
        } else if let Some(rest) = m.strip_prefix("duplicate key") {
            RegulationProblem::DuplicateKey { key: first(rest) }
        } else if [
            "invalid ",
            "missing ",
            "unclosed ",
            "unexpected ",
            "extra ",
            "string values",
            "key with",
        ]
        .iter()
        .any(|start| m.starts_with(start))
        {
            let (what, expected) = m.split_once(", expected ").unwrap_or((m, ""));
            RegulationProblem::Syntax {
                what: what.to_string(),
                expected: expected
                    .split(", ")
                    .filter(|e| !e.is_empty())
                    .map(str::to_string)
                    .collect(),
            }
        } else {
            RegulationProblem::Reader {
                message: m.to_string(),
            }
        }
    }
}

impl ValueKind {
    /// The value serde found: `string "five"`, `integer `5``, `sequence`.
    fn found(text: &str) -> ValueKind {
        let (kind, value) = match text.split_once(' ') {
            Some((k, v)) => (
                k,
                Some(v.trim_matches(|c| c == '`' || c == '"').to_string()),
            ),
            None => (text, None),
        };
        match kind {
            "string" => ValueKind::Text(value),
            "integer" => ValueKind::Integer(value),
            "floating" => ValueKind::Number(value.map(|v| {
                v.trim_start_matches("point")
                    .trim()
                    .trim_matches('`')
                    .to_string()
            })),
            "boolean" => ValueKind::Boolean(value),
            "sequence" => ValueKind::Array,
            "map" => ValueKind::Table,
            _ => ValueKind::Other(text.to_string()),
        }
    }

    /// What serde expected: a Rust type (`usize`, `f64`) or its words.
    fn expected(text: &str) -> ValueKind {
        let t = text.trim();
        match t {
            "usize" | "u8" | "u16" | "u32" | "u64" => ValueKind::Count,
            "i8" | "i16" | "i32" | "i64" | "isize" | "an integer" => ValueKind::Integer(None),
            "f32" | "f64" | "a number" => ValueKind::Number(None),
            "a string" | "a borrowed string" | "a character" => ValueKind::Text(None),
            "a boolean" => ValueKind::Boolean(None),
            "a datetime" | "a date-time" => ValueKind::Datetime,
            _ if t.starts_with("a sequence") || t.starts_with("an array") => ValueKind::Array,
            _ if t.starts_with("struct ") || t.starts_with("a map") || t.starts_with("a table") => {
                ValueKind::Table
            }
            _ if t.starts_with("enum ") || t.starts_with("variant ") => ValueKind::Text(None),
            _ => ValueKind::Other(t.to_string()),
        }
    }
}

impl Regulation {
    /// Parses and checks a regulation file's text.
    pub fn parse(text: &str) -> Result<Regulation, RegulationErrors> {
        if text.len() > limits::TEXT_BYTES {
            return Err(RegulationErrors(vec![RegulationError {
                line: 1,
                field: String::new(),
                problem: RegulationProblem::TooLong {
                    bytes: text.len(),
                    max: limits::TEXT_BYTES,
                },
            }]));
        }
        let located = Located::new(text);
        let file: file::Regulation = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let (line, _) = located.line_col(offset);
            let mut problem = RegulationProblem::from_reader(e.message());
            // The parser names a key written twice by its place only.
            if let RegulationProblem::DuplicateKey { key } = &mut problem
                && key.is_empty()
                && let Some(span) = e.span()
            {
                *key = text.get(span).unwrap_or_default().trim().to_string();
            }
            RegulationErrors(vec![RegulationError {
                line,
                field: located.path_at(offset),
                problem,
            }])
        })?;
        Regulation::try_from(file).map_err(|problems| {
            RegulationErrors(
                problems
                    .into_iter()
                    .map(|(field, problem)| RegulationError {
                        line: located.line_of(&field),
                        field,
                        problem,
                    })
                    .collect(),
            )
        })
    }

    /// The checked tie-break chain of a stage; `total` always comes first
    /// (see [`Stage::tie_break`]).
    pub fn tie_break<'a>(&self, stage: &'a Stage) -> &'a [TieBreak] {
        &stage.tie_break
    }

    /// The checked advancement rule of a stage.
    pub fn advance_rule(&self, stage: &Stage) -> AdvanceRule {
        let adv = &stage.advance;
        let per_group = |n: Option<usize>| -> BTreeMap<GroupId, usize> {
            self.groups
                .iter()
                .map(|g| {
                    let v = adv.per_group.get(&g.id).copied().or(n).unwrap_or(0);
                    (g.id.clone(), v)
                })
                .collect()
        };
        match adv.rule {
            AdvanceKind::Top => AdvanceRule::Top(adv.n.unwrap_or(0)),
            AdvanceKind::TopPerGroup => AdvanceRule::TopPerGroup(per_group(adv.n)),
            AdvanceKind::Threshold => AdvanceRule::Threshold(adv.min_total.unwrap_or(0.0)),
            AdvanceKind::Quota => AdvanceRule::Quota(
                self.groups
                    .iter()
                    .map(|g| (g.id.clone(), g.quota))
                    .collect(),
            ),
        }
    }

    /// The stages of `self` that `new` would rank differently: their
    /// criteria, weights, scales, aggregation, advancement (with the group
    /// quotas it reads), tie-breaks, carry-over, blindness, place in the
    /// order, or the activity formula when the stage counts the activity
    /// rating. Names and descriptions decide nothing and may change. A stage
    /// `new` no longer has is changed. In `self`'s order.
    pub fn stages_changed_by<'a>(&'a self, new: &Regulation) -> Vec<&'a Stage> {
        self.stages
            .iter()
            .filter(|s| {
                new.stage(&s.id)
                    .is_none_or(|t| self.stage_rules(s) != new.stage_rules(t))
            })
            .collect()
    }

    /// What decides a stage's ranking under this regulation.
    fn stage_rules(&self, stage: &Stage) -> StageRules {
        let mut plain = stage.clone();
        plain.name.clear();
        plain.description.clear();
        for c in &mut plain.criteria {
            c.name.clear();
            c.description.clear();
        }
        let counts_activity = stage.tie_break.contains(&TieBreak::ActivityRating)
            || stage
                .indicator_criteria()
                .any(|c| c.source == Some(IndicatorSource::ActivityRating));
        StageRules {
            previous: self
                .stage_index(&stage.id)
                .and_then(|i| i.checked_sub(1))
                .map(|i| self.stages[i].id.clone()),
            advance: self.advance_rule(stage),
            activity: counts_activity.then(|| self.activity.clone()),
            stage: plain,
        }
    }

    /// The IANA name of the contest's time zone, when the regulation sets one.
    pub fn zone(&self) -> Option<&str> {
        self.timezone.as_deref()
    }

    pub fn stage(&self, id: &StageId) -> Option<&Stage> {
        self.stages.iter().find(|s| &s.id == id)
    }

    pub fn stage_index(&self, id: &StageId) -> Option<usize> {
        self.stages.iter().position(|s| &s.id == id)
    }

    pub fn group(&self, id: &GroupId) -> Option<&Group> {
        self.groups.iter().find(|g| &g.id == id)
    }

    /// Checks the quotas against how many participants each group has:
    /// returns `(field path, problem)` for each group whose quota is larger.
    pub fn check_quotas(
        &self,
        members: &BTreeMap<GroupId, usize>,
    ) -> Vec<(String, RegulationProblem)> {
        self.groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                let n = members.get(&g.id).copied().unwrap_or(0);
                (g.quota > n).then(|| {
                    (
                        format!("groups[{i}].quota"),
                        RegulationProblem::QuotaTooLarge {
                            group: g.id.clone(),
                            quota: g.quota,
                            members: n,
                        },
                    )
                })
            })
            .collect()
    }

    /// [`Regulation::check_quotas`] with line numbers from the file's text.
    pub fn check_quotas_in(
        &self,
        text: &str,
        members: &BTreeMap<GroupId, usize>,
    ) -> Result<(), RegulationErrors> {
        let problems = self.check_quotas(members);
        if problems.is_empty() {
            return Ok(());
        }
        let located = Located::new(text);
        Err(RegulationErrors(
            problems
                .into_iter()
                .map(|(field, problem)| RegulationError {
                    line: located.line_of(&field),
                    field,
                    problem,
                })
                .collect(),
        ))
    }
}

impl Stage {
    pub fn criterion(&self, id: &CriterionId) -> Option<&Criterion> {
        self.criteria.iter().find(|c| &c.id == id)
    }

    pub fn jury_criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria
            .iter()
            .filter(|c| c.kind == CriterionKind::Jury)
    }

    pub fn indicator_criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria
            .iter()
            .filter(|c| c.kind == CriterionKind::Indicator)
    }

    pub fn has_jury(&self) -> bool {
        self.jury_criteria().next().is_some()
    }

    /// The largest weighted jury total one juror can give.
    pub fn max_jury_total(&self) -> f64 {
        self.jury_criteria().map(|c| c.max_points * c.weight).sum()
    }
}

mod file;
#[cfg(test)]
mod tests;
