//! The score of one mentor–intern pair and the filters that forbid a pair.

use crate::domain::mentoring::{Formats, MeetingFormat, TopicLevel};
use crate::domain::regulation::MentoringRules;
use crate::domain::topic::Topic;
use serde::Serialize;

/// A pair's score in integer points, part by part.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairScore {
    /// How the pair meets: on site when both accept it and the distance is
    /// within the regulation's limit, else online.
    pub format: MeetingFormat,
    /// The distance between their municipalities, when both are known.
    pub distance_km: Option<f64>,
    /// The intern's wanted topics the mentor teaches, with the mentor's level.
    pub topics: Vec<TopicLevel>,
    /// `topic_weight` × the sum of the mentor's levels in `topics`.
    pub topic_points: i64,
    /// `distance_weight` × the points of the distance band (on site only).
    pub distance_points: i64,
    /// `preference_weight` × (the intern's points for the mentor + the
    /// mentor's points for the intern): of a ranking of L names the first
    /// gets L, the last 1, the unranked 0.
    pub preference_points: i64,
    /// The mentor's place in the intern's stated ranking (1 = first choice).
    pub intern_rank: Option<u32>,
    /// The intern's place in the mentor's stated ranking.
    pub mentor_rank: Option<u32>,
    pub total: i64,
}

/// Why a pair cannot be proposed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Unacceptable {
    /// The mentor teaches none of the topics the intern wants.
    NoCommonTopic,
    /// The two accept no format in common.
    NoCommonFormat,
    /// Both accept only on-site meetings, and they live too far apart.
    TooFar {
        distance_km: f64,
        max_distance_km: f64,
    },
    /// Both accept only on-site meetings, and a municipality is not known, so
    /// the distance cannot be checked.
    UnknownMunicipality { municipalities: Vec<String> },
    /// The coordinator does not allow this pair.
    Forbidden,
}

/// What makes a pair impossible to meet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum FormatProblem {
    NoCommonFormat,
    TooFar(f64),
    UnknownMunicipality,
}

/// The parts of a pair's score that do not depend on stated preferences.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Fit {
    pub format: MeetingFormat,
    pub topic_points: i64,
    pub distance_points: i64,
}

/// The outcome of the hard filters of one pair, cheap to copy; turned into
/// [`Unacceptable`] values only when a person reads them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Rejected {
    pub no_topic: bool,
    pub format: Option<FormatProblem>,
    pub forbidden: bool,
}

/// A mentor's teaching, as a bit mask of topics and a level per topic.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Teaching {
    pub mask: u16,
    /// Indexed by [`Topic::index`]; 16 entries so that any bit of the mask
    /// is a valid index.
    pub levels: [u8; 16],
}

impl Teaching {
    pub fn new(topics: &[TopicLevel]) -> Teaching {
        let mut t = Teaching::default();
        for tl in topics {
            let k = tl.topic.index();
            t.mask |= 1 << k;
            t.levels[k] = t.levels[k].max(tl.level);
        }
        t
    }

    /// The sum of the mentor's levels over the wanted topics it teaches.
    pub fn levels_over(&self, wanted: u16) -> i64 {
        let mut common = self.mask & wanted;
        let mut sum = 0;
        while common != 0 {
            let k = common.trailing_zeros() as usize;
            sum += i64::from(self.levels[k]);
            common &= common - 1;
        }
        sum
    }

    /// The wanted topics the mentor teaches, in programme order.
    pub fn common(&self, wanted: u16) -> Vec<TopicLevel> {
        Topic::ALL
            .into_iter()
            .filter(|t| self.mask & wanted & (1 << t.index()) != 0)
            .map(|topic| TopicLevel {
                topic,
                level: self.levels[topic.index()],
            })
            .collect()
    }
}

/// The bit mask of a list of topics.
pub(super) fn topic_mask(topics: &[Topic]) -> u16 {
    topics.iter().fold(0, |m, t| m | 1 << t.index())
}

/// The points of the band a distance falls in: the first band whose upper
/// bound is not below the distance; beyond the last band, none. Band points are
/// rounded to whole points.
pub(super) fn band_points(rules: &MentoringRules, distance_km: f64) -> i64 {
    rules
        .distance_bands
        .iter()
        .find(|b| distance_km <= b[0])
        .map_or(0, |b| b[1].round() as i64)
}

/// How far apart a pair lives: the distance and the distance part of the
/// score it would bring on site (`distance_weight` × band points).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Distance {
    pub km: f64,
    pub points: i64,
}

impl Distance {
    pub fn new(rules: &MentoringRules, km: f64) -> Distance {
        Distance {
            km,
            points: rules.distance_weight * band_points(rules, km),
        }
    }
}

/// Applies the hard filters to a pair and scores what does not depend on
/// stated preferences. `distance` gives `None` when a municipality is
/// unknown; it is asked only when both accept on-site meetings, the one case
/// the distance decides anything. The coordinator's forbids are not checked
/// here.
#[inline]
pub(super) fn assess(
    rules: &MentoringRules,
    teaching: &Teaching,
    wanted: u16,
    mentor_formats: Formats,
    intern_formats: Formats,
    distance: impl FnOnce() -> Option<Distance>,
) -> Result<Fit, Rejected> {
    let no_topic = teaching.mask & wanted == 0;
    let on_site = mentor_formats.on_site && intern_formats.on_site;
    let online = mentor_formats.online && intern_formats.online;
    let distance = if on_site { distance() } else { None };
    let format = match distance {
        Some(d) if on_site && d.km <= rules.max_distance_km => Ok(MeetingFormat::OnSite),
        _ if online => Ok(MeetingFormat::Online),
        _ if !on_site => Err(FormatProblem::NoCommonFormat),
        Some(d) => Err(FormatProblem::TooFar(d.km)),
        None => Err(FormatProblem::UnknownMunicipality),
    };
    match format {
        Ok(format) if !no_topic => Ok(Fit {
            format,
            topic_points: rules.topic_weight * teaching.levels_over(wanted),
            distance_points: match (format, distance) {
                (MeetingFormat::OnSite, Some(d)) => d.points,
                _ => 0,
            },
        }),
        _ => Err(Rejected {
            no_topic,
            format: format.err(),
            forbidden: false,
        }),
    }
}

impl Rejected {
    /// The reasons, for a person. `municipalities` are the names that were not
    /// found, used when the problem is an unknown municipality.
    pub fn reasons(
        &self,
        rules: &MentoringRules,
        municipalities: Vec<String>,
    ) -> Vec<Unacceptable> {
        let mut out = Vec::new();
        if self.no_topic {
            out.push(Unacceptable::NoCommonTopic);
        }
        match self.format {
            Some(FormatProblem::NoCommonFormat) => out.push(Unacceptable::NoCommonFormat),
            Some(FormatProblem::TooFar(d)) => out.push(Unacceptable::TooFar {
                distance_km: d,
                max_distance_km: rules.max_distance_km,
            }),
            Some(FormatProblem::UnknownMunicipality) => {
                out.push(Unacceptable::UnknownMunicipality { municipalities })
            }
            None => {}
        }
        if self.forbidden {
            out.push(Unacceptable::Forbidden);
        }
        out
    }

    /// The coordinator's forbid alone.
    pub const FORBIDDEN: Rejected = Rejected {
        no_topic: false,
        format: None,
        forbidden: true,
    };
}
