//! The activity rating on hand-computed cases, its caps, and properties that hold for any formula.

use super::*;
use crate::domain::ids::GroupId;
use crate::domain::participant::Indicators;
use crate::domain::regulation::Regulation;
use chrono::NaiveDate;
use proptest::prelude::*;

fn formula() -> ActivityFormula {
    Regulation::parse(include_str!("../../../sample-data/regulation.toml"))
        .unwrap()
        .activity
}

fn listener(creative_tasks: u32, site_activity: u32) -> Participant {
    Participant {
        id: "P1".into(),
        full_name: "Иванова Анна".into(),
        tos_name: "ТОС".into(),
        municipality: "Иркутск".into(),
        group: GroupId::new("city"),
        email: String::new(),
        phone: String::new(),
        application_date: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
        indicators: Indicators {
            creative_tasks,
            site_activity,
            ..Default::default()
        },
        notes: String::new(),
    }
}

fn event(id: &str, topic: Topic, format: EventFormat) -> TrainingEvent {
    let d = NaiveDate::from_ymd_opt(2021, 3, 1).unwrap();
    TrainingEvent {
        id: id.into(),
        title: id.into(),
        topic,
        format,
        start: d,
        end: d,
        hours: 2.0,
        place: String::new(),
    }
}

fn events() -> OrdMap<EventId, TrainingEvent> {
    [
        event("E1", Topic::Economics, EventFormat::Webinar),
        event("E2", Topic::ItMedia, EventFormat::Webinar),
        event("E3", Topic::Economics, EventFormat::Seminar),
        event("E4", Topic::Partnership, EventFormat::Internship),
        event("E5", Topic::Volunteers, EventFormat::Forum),
    ]
    .into_iter()
    .map(|e| (e.id.clone(), e))
    .collect()
}

fn attended(ids: &[&str]) -> Attendance {
    let mut a = Attendance::new("P1".into());
    for id in ids {
        a.events.insert(EventId::new(*id), None);
    }
    a
}

#[test]
fn a_hand_computed_rating() {
    // Webinars 2 × 1 = 2; seminar 1 × 2 = 2; internship 1 × 4 = 4;
    // 3 distinct topics × 1.5 = 4.5 → attendance 12.5.
    // Creative tasks 2 × 3 = 6 → 18.5.
    // Site 25 × 0.5 = 12.5, capped at 10 (cut 2.5) → 28.5.
    let r = rate(
        &formula(),
        &listener(2, 25),
        Some(&attended(&["E1", "E2", "E3", "E4"])),
        &events(),
    );
    assert_eq!(r.total, 28.5);
    assert_eq!(r.events_attended, 4);
    assert_eq!(r.distinct_topics, 3);
    assert_eq!(
        r.lines,
        vec![
            ActivityLine::Format {
                format: EventFormat::Webinar,
                events: 2,
                points_each: 1.0,
                points: 2.0
            },
            ActivityLine::Format {
                format: EventFormat::Seminar,
                events: 1,
                points_each: 2.0,
                points: 2.0
            },
            ActivityLine::Format {
                format: EventFormat::Internship,
                events: 1,
                points_each: 4.0,
                points: 4.0
            },
            ActivityLine::Topics {
                topics: 3,
                bonus_each: 1.5,
                points: 4.5
            },
            ActivityLine::CreativeTasks {
                tasks: 2,
                points_each: 3.0,
                points: 6.0
            },
            ActivityLine::SiteActivity {
                publications: 25,
                points_each: 0.5,
                points: 12.5
            },
            ActivityLine::SiteActivityCap {
                cap: 10.0,
                cut: 2.5
            },
        ]
    );
    let sum: f64 = r.lines.iter().map(ActivityLine::points).sum();
    assert_eq!(sum, r.total, "the breakdown adds up to the rating");
}

#[test]
fn topic_multipliers_and_the_total_cap_apply() {
    let mut f = formula();
    f.topic_multiplier.insert(Topic::Economics, 2.0);
    f.cap = Some(5.0);
    // E1 webinar economics 1 × 2 = 2; E3 seminar economics 2 × 2 = 4; 1 topic × 1.5.
    let r = rate(
        &f,
        &listener(0, 0),
        Some(&attended(&["E1", "E3"])),
        &events(),
    );
    assert_eq!(r.total, 5.0);
    assert!(matches!(
        r.lines.last(),
        Some(ActivityLine::TotalCap { cap, cut }) if *cap == 5.0 && (*cut - 2.5).abs() < 1e-9
    ));
}

#[test]
fn no_attendance_rates_only_the_other_parts() {
    let r = rate(&formula(), &listener(1, 0), None, &events());
    assert_eq!(r.total, 3.0);
    assert_eq!(r.events_attended, 0);
}

#[test]
fn indicator_points_use_per_unit_or_bands_and_cap() {
    let reg = Regulation::parse(include_str!("../../../sample-data/regulation.toml")).unwrap();
    let education = &reg.stages[0];
    let attendance = education.criterion(&"attendance".into()).unwrap();
    assert_eq!(indicator_points(attendance, 7.0), 7.0);
    assert_eq!(
        indicator_points(attendance, 35.0),
        20.0,
        "capped at max_points"
    );
    let topics = education.criterion(&"topics".into()).unwrap();
    // bands = [[3, 2], [6, 5], [9, 8], [11, 10]]
    assert_eq!(indicator_points(topics, 2.0), 0.0);
    assert_eq!(indicator_points(topics, 3.0), 2.0);
    assert_eq!(indicator_points(topics, 8.0), 5.0);
    assert_eq!(indicator_points(topics, 11.0), 10.0);
    let r = rate(
        &reg.activity,
        &listener(2, 25),
        Some(&attended(&["E1", "E2", "E3", "E4"])),
        &events(),
    );
    let points = stage_indicators(education, &listener(2, 25), &r);
    assert_eq!(points[&CriterionId::new("attendance")], 4.0);
    assert_eq!(points[&CriterionId::new("activity")], 14.25);
    assert_eq!(points[&CriterionId::new("topics")], 2.0);
}

fn arb_formula() -> impl Strategy<Value = ActivityFormula> {
    (
        prop::collection::vec(0.0f64..5.0, 6),
        0.0f64..3.0,
        0.0f64..4.0,
        0.0f64..2.0,
        prop::option::of(0.0f64..20.0),
        prop::option::of(0.0f64..30.0),
        prop::option::of(0.0f64..50.0),
    )
        .prop_map(|(fp, tb, ct, sa, sc, ac, cap)| ActivityFormula {
            points_per_format: EventFormat::ALL.iter().copied().zip(fp).collect(),
            topic_multiplier: BTreeMap::new(),
            topic_bonus: tb,
            creative_task_points: ct,
            site_activity_points: sa,
            site_activity_cap: sc,
            attendance_cap: ac,
            cap,
        })
}

proptest! {
    #[test]
    fn adding_an_attended_event_never_lowers_a_rating(
        f in arb_formula(),
        mask in prop::collection::vec(any::<bool>(), 5),
        extra in 0usize..5,
        tasks in 0u32..5,
        site in 0u32..40,
    ) {
        let ids = ["E1", "E2", "E3", "E4", "E5"];
        let chosen: Vec<&str> = ids.iter().zip(&mask).filter(|(_, m)| **m).map(|(i, _)| *i).collect();
        let mut more = chosen.clone();
        more.push(ids[extra]);
        let p = listener(tasks, site);
        let before = rate(&f, &p, Some(&attended(&chosen)), &events());
        let after = rate(&f, &p, Some(&attended(&more)), &events());
        prop_assert!(after.total + 1e-9 >= before.total);
    }

    #[test]
    fn caps_hold(
        f in arb_formula(),
        mask in prop::collection::vec(any::<bool>(), 5),
        tasks in 0u32..20,
        site in 0u32..200,
    ) {
        let ids = ["E1", "E2", "E3", "E4", "E5"];
        let chosen: Vec<&str> = ids.iter().zip(&mask).filter(|(_, m)| **m).map(|(i, _)| *i).collect();
        let r = rate(&f, &listener(tasks, site), Some(&attended(&chosen)), &events());
        if let Some(cap) = f.cap {
            prop_assert!(r.total <= cap + 1e-9);
        }
        let attendance: f64 = r.lines.iter().filter(|l| matches!(l,
            ActivityLine::Format { .. } | ActivityLine::Topics { .. } | ActivityLine::AttendanceCap { .. }))
            .map(ActivityLine::points).sum();
        if let Some(cap) = f.attendance_cap {
            prop_assert!(attendance <= cap + 1e-6);
        }
        let site_part: f64 = r.lines.iter().filter(|l| matches!(l,
            ActivityLine::SiteActivity { .. } | ActivityLine::SiteActivityCap { .. }))
            .map(ActivityLine::points).sum();
        if let Some(cap) = f.site_activity_cap {
            prop_assert!(site_part <= cap + 1e-6);
        }
        let sum: f64 = r.lines.iter().map(ActivityLine::points).sum();
        prop_assert!((sum - r.total).abs() < 1e-6);
        prop_assert!(r.total >= 0.0);
    }
}

#[test]
fn a_large_contest_rated_in_two_halves_gets_every_listener_rated_alone() {
    let all = ["E1", "E2", "E3", "E4", "E5"];
    let people: Vec<Participant> = (0..crate::parallel::FROM + 7)
        .map(|i| Participant {
            id: ParticipantId::new(format!("P{i:06}")),
            ..listener((i % 3) as u32, (i % 40) as u32)
        })
        .collect();
    let attendance: SharedMap<ParticipantId, Attendance> = people
        .iter()
        .map(|p| {
            let mut a = Attendance::new(p.id.clone());
            let n: usize = p.id.as_str()[1..].parse().unwrap();
            for (k, id) in all.iter().enumerate() {
                if (n >> k) & 1 == 1 {
                    a.events.insert(EventId::new(*id), None);
                }
            }
            (p.id.clone(), a)
        })
        .collect();
    let f = formula();
    let ev = events();
    // As the service rates a large contest: each half on its own thread.
    let all: Vec<&Participant> = people.iter().collect();
    let rated: BTreeMap<ParticipantId, ActivityRating> =
        crate::parallel::halves(all.len(), |r| rate_each(&f, &all[r], &attendance, &ev))
            .into_iter()
            .collect();
    assert_eq!(rated, rate_all(&f, &people, &attendance, &ev));
    assert_eq!(rated.len(), people.len());
    for p in people.iter().step_by(97).chain(people.last()) {
        assert_eq!(
            rated[&p.id],
            rate(&f, p, attendance.get(&p.id), &ev),
            "{}",
            p.id
        );
    }
    assert_ne!(rated.values().next(), rated.values().last());
}
