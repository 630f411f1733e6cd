//! The activity rating of the educational stage and the indicator points of
//! the regulation's `indicator` criteria.
//!
//! The contest's description says: listeners are registered, their activity
//! is rated, and the rating is one of the contest's indicators. The formula
//! is declared in the regulation (`[activity]`); this module computes it and
//! explains it line by line, so a secretary can answer "why 23.5?".

use super::ids::{CriterionId, EventId, ParticipantId};
use super::learning::{Attendance, TrainingEvent};
use super::participant::Participant;
use super::regulation::{ActivityFormula, Criterion, IndicatorSource, Stage};
use super::shared::SharedMap;
use super::topic::{EventFormat, Topic};
use imbl::OrdMap;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One line of a rating's breakdown.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "part")]
pub enum ActivityLine {
    /// Events of one format: how many, and the points they bring (the
    /// format's points times each event's topic multiplier).
    Format {
        format: EventFormat,
        events: usize,
        points_each: f64,
        points: f64,
    },
    /// The bonus for distinct topics covered.
    Topics {
        topics: usize,
        bonus_each: f64,
        points: f64,
    },
    /// The attendance part was above its cap by `cut` points.
    AttendanceCap {
        cap: f64,
        cut: f64,
    },
    CreativeTasks {
        tasks: u32,
        points_each: f64,
        points: f64,
    },
    SiteActivity {
        publications: u32,
        points_each: f64,
        points: f64,
    },
    SiteActivityCap {
        cap: f64,
        cut: f64,
    },
    /// The whole rating was above its cap by `cut` points.
    TotalCap {
        cap: f64,
        cut: f64,
    },
}

impl ActivityLine {
    /// The points the line adds (negative for a cap).
    pub fn points(&self) -> f64 {
        match self {
            ActivityLine::Format { points, .. }
            | ActivityLine::Topics { points, .. }
            | ActivityLine::CreativeTasks { points, .. }
            | ActivityLine::SiteActivity { points, .. } => *points,
            ActivityLine::AttendanceCap { cut, .. }
            | ActivityLine::SiteActivityCap { cut, .. }
            | ActivityLine::TotalCap { cut, .. } => -cut,
        }
    }
}

/// A listener's activity rating with its explanation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ActivityRating {
    pub total: f64,
    pub events_attended: usize,
    pub distinct_topics: usize,
    pub lines: Vec<ActivityLine>,
}

/// Rounds to 1e-9 so that sums do not show floating-point dust.
fn tidy(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// Computes one listener's rating. Attendance marks of unknown events are
/// ignored (the service never stores them).
pub fn rate(
    formula: &ActivityFormula,
    participant: &Participant,
    attendance: Option<&Attendance>,
    events: &OrdMap<EventId, TrainingEvent>,
) -> ActivityRating {
    Rater::new(formula, events).rate(participant, attendance)
}

/// What one event brings to the listeners who attended it.
#[derive(Clone, Copy)]
struct EventWorth {
    format: usize,
    topic: usize,
    points: f64,
}

/// The formula applied to a fixed set of events: each event's format, topic
/// and points are looked up once, so that rating a listener costs one hash
/// lookup per attendance mark.
pub struct Rater<'a> {
    formula: &'a ActivityFormula,
    events: HashMap<&'a str, EventWorth>,
}

impl<'a> Rater<'a> {
    pub fn new(formula: &'a ActivityFormula, events: &'a OrdMap<EventId, TrainingEvent>) -> Self {
        let events = events
            .iter()
            .map(|(id, e)| {
                let base = formula
                    .points_per_format
                    .get(&e.format)
                    .copied()
                    .unwrap_or(0.0);
                let mult = formula
                    .topic_multiplier
                    .get(&e.topic)
                    .copied()
                    .unwrap_or(1.0);
                let format = EventFormat::ALL
                    .iter()
                    .position(|f| *f == e.format)
                    .expect("every format is in EventFormat::ALL");
                let worth = EventWorth {
                    format,
                    topic: e.topic.index(),
                    points: base * mult,
                };
                (id.as_str(), worth)
            })
            .collect();
        Rater { formula, events }
    }

    /// One listener's rating.
    pub fn rate(
        &self,
        participant: &Participant,
        attendance: Option<&Attendance>,
    ) -> ActivityRating {
        let formula = self.formula;
        let mut per_format = [(0usize, 0.0f64); EventFormat::ALL.len()];
        let mut topics = [false; Topic::ALL.len()];
        let mut attended = 0;
        if let Some(a) = attendance {
            for id in a.events.keys() {
                let Some(e) = self.events.get(id.as_str()) else {
                    continue;
                };
                attended += 1;
                topics[e.topic] = true;
                let slot = &mut per_format[e.format];
                slot.0 += 1;
                slot.1 += e.points;
            }
        }
        let distinct_topics = topics.iter().filter(|t| **t).count();
        let mut lines = Vec::new();
        let mut attendance_part = 0.0;
        for (format, (n, points)) in EventFormat::ALL.into_iter().zip(per_format) {
            if n == 0 {
                continue;
            }
            attendance_part += points;
            lines.push(ActivityLine::Format {
                format,
                events: n,
                points_each: formula
                    .points_per_format
                    .get(&format)
                    .copied()
                    .unwrap_or(0.0),
                points: tidy(points),
            });
        }
        if formula.topic_bonus > 0.0 && distinct_topics > 0 {
            let points = distinct_topics as f64 * formula.topic_bonus;
            attendance_part += points;
            lines.push(ActivityLine::Topics {
                topics: distinct_topics,
                bonus_each: formula.topic_bonus,
                points: tidy(points),
            });
        }
        if let Some(cap) = formula.attendance_cap
            && attendance_part > cap
        {
            lines.push(ActivityLine::AttendanceCap {
                cap,
                cut: tidy(attendance_part - cap),
            });
            attendance_part = cap;
        }
        let ind = participant.indicators;
        let mut total = attendance_part;
        if formula.creative_task_points > 0.0 && ind.creative_tasks > 0 {
            let points = f64::from(ind.creative_tasks) * formula.creative_task_points;
            total += points;
            lines.push(ActivityLine::CreativeTasks {
                tasks: ind.creative_tasks,
                points_each: formula.creative_task_points,
                points: tidy(points),
            });
        }
        if formula.site_activity_points > 0.0 && ind.site_activity > 0 {
            let mut points = f64::from(ind.site_activity) * formula.site_activity_points;
            lines.push(ActivityLine::SiteActivity {
                publications: ind.site_activity,
                points_each: formula.site_activity_points,
                points: tidy(points),
            });
            if let Some(cap) = formula.site_activity_cap
                && points > cap
            {
                lines.push(ActivityLine::SiteActivityCap {
                    cap,
                    cut: tidy(points - cap),
                });
                points = cap;
            }
            total += points;
        }
        if let Some(cap) = formula.cap
            && total > cap
        {
            lines.push(ActivityLine::TotalCap {
                cap,
                cut: tidy(total - cap),
            });
            total = cap;
        }
        ActivityRating {
            total: tidy(total),
            events_attended: attended,
            distinct_topics,
            lines,
        }
    }
}

/// Every listener's rating, by id. Single-threaded: a caller that wants
/// more threads rates slices with [`rate_each`].
pub fn rate_all<'a>(
    formula: &ActivityFormula,
    participants: impl IntoIterator<Item = &'a Participant>,
    attendance: &SharedMap<ParticipantId, Attendance>,
    events: &OrdMap<EventId, TrainingEvent>,
) -> BTreeMap<ParticipantId, ActivityRating> {
    let participants: Vec<&Participant> = participants.into_iter().collect();
    rate_each(formula, &participants, attendance, events)
        .into_iter()
        .collect()
}

/// The ratings of `participants`, in their order.
pub fn rate_each(
    formula: &ActivityFormula,
    participants: &[&Participant],
    attendance: &SharedMap<ParticipantId, Attendance>,
    events: &OrdMap<EventId, TrainingEvent>,
) -> Vec<(ParticipantId, ActivityRating)> {
    let rater = Rater::new(formula, events);
    participants
        .iter()
        .map(|p| (p.id.clone(), rater.rate(p, attendance.get(&p.id))))
        .collect()
}

/// The raw value an indicator criterion reads from a listener's data.
pub fn source_value(
    source: IndicatorSource,
    participant: &Participant,
    rating: &ActivityRating,
) -> f64 {
    let ind = participant.indicators;
    match source {
        IndicatorSource::Attendance => rating.events_attended as f64,
        IndicatorSource::DistinctTopics => rating.distinct_topics as f64,
        IndicatorSource::ActivityRating => rating.total,
        IndicatorSource::ImplementedProjects => f64::from(ind.implemented_projects),
        IndicatorSource::Awards => f64::from(ind.awards),
        IndicatorSource::Reviews => f64::from(ind.reviews),
        IndicatorSource::MentoringExperience => f64::from(ind.mentoring_experience),
        IndicatorSource::SiteActivity => f64::from(ind.site_activity),
        IndicatorSource::CreativeTasks => f64::from(ind.creative_tasks),
    }
}

/// The points an indicator criterion gives for a value: by bands (the
/// highest band reached) or `per_unit` (default 1) per unit, capped at
/// `max_points`. Never negative.
pub fn indicator_points(criterion: &Criterion, value: f64) -> f64 {
    let points = if criterion.bands.is_empty() {
        value * criterion.per_unit.unwrap_or(1.0)
    } else {
        criterion
            .bands
            .iter()
            .filter(|[from, _]| value >= *from)
            .map(|[_, p]| *p)
            .next_back()
            .unwrap_or(0.0)
    };
    tidy(points.clamp(0.0, criterion.max_points))
}

/// A listener's points for every indicator criterion of a stage.
pub fn stage_indicators(
    stage: &Stage,
    participant: &Participant,
    rating: &ActivityRating,
) -> BTreeMap<CriterionId, f64> {
    stage
        .indicator_criteria()
        .filter_map(|c| {
            let source = c.source?;
            let value = source_value(source, participant, rating);
            Some((c.id.clone(), indicator_points(c, value)))
        })
        .collect()
}

#[cfg(test)]
mod tests;
