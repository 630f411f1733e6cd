//! Mentor–intern matching: scores, locks and forbids, each mode checked against brute force.

use super::*;
use crate::domain::mentoring::{Formats, MeetingFormat, TopicLevel};
use crate::domain::topic::Topic;
use proptest::prelude::*;

const ON_SITE: Formats = Formats {
    on_site: true,
    online: false,
};
const ONLINE: Formats = Formats {
    on_site: false,
    online: true,
};
const BOTH: Formats = Formats::BOTH;

fn places() -> BTreeMap<String, Municipality> {
    [
        ("Иркутск", 52.2870, 104.3050),
        ("Ангарск", 52.5448, 103.8885),
        ("Братск", 56.1514, 101.6342),
        ("Бодайбо", 57.8506, 114.1933),
    ]
    .into_iter()
    .map(|(name, latitude, longitude)| {
        (
            name.to_string(),
            Municipality {
                name: name.to_string(),
                kind: String::new(),
                latitude,
                longitude,
            },
        )
    })
    .collect()
}

fn mentor(
    id: &str,
    place: &str,
    capacity: u32,
    topics: &[(Topic, u8)],
    formats: Formats,
) -> Mentor {
    Mentor {
        id: id.into(),
        participant: None,
        full_name: format!("Mentor {id}"),
        tos_name: String::new(),
        municipality: place.into(),
        capacity,
        topics: topics
            .iter()
            .map(|&(topic, level)| TopicLevel { topic, level })
            .collect(),
        formats,
        preferred_interns: Vec::new(),
    }
}

fn intern(id: &str, place: &str, topics: &[Topic], formats: Formats) -> InternRequest {
    InternRequest {
        id: id.into(),
        full_name: format!("Intern {id}"),
        tos_name: String::new(),
        municipality: place.into(),
        topics: topics.to_vec(),
        formats,
        preferred_mentors: Vec::new(),
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(MentorId, InternId)> {
    list.iter().map(|&(m, i)| (m.into(), i.into())).collect()
}

/// Owned data for a [`MatchInput`].
#[derive(Clone, Debug)]
struct Case {
    mentors: Vec<Mentor>,
    interns: Vec<InternRequest>,
    places: BTreeMap<String, Municipality>,
    rules: MentoringRules,
    locks: Vec<(MentorId, InternId)>,
    forbids: Vec<(MentorId, InternId)>,
}

impl Case {
    fn new(mentors: Vec<Mentor>, interns: Vec<InternRequest>) -> Case {
        Case {
            mentors,
            interns,
            places: places(),
            rules: MentoringRules::default(),
            locks: Vec::new(),
            forbids: Vec::new(),
        }
    }

    fn input(&self) -> MatchInput<'_> {
        MatchInput {
            mentors: &self.mentors,
            interns: &self.interns,
            municipalities: &self.places,
            rules: &self.rules,
            locks: &self.locks,
            forbids: &self.forbids,
        }
    }

    fn propose(&self, mode: MatchMode) -> Proposal {
        propose(&self.input(), mode)
    }

    fn score(&self, m: &str, i: &str) -> PairScore {
        evaluate_pair(&self.input(), &m.into(), &i.into())
            .expect("both are known")
            .expect("the pair is acceptable")
    }

    fn rejected(&self, m: &str, i: &str) -> Vec<Unacceptable> {
        evaluate_pair(&self.input(), &m.into(), &i.into())
            .expect("both are known")
            .expect_err("the pair is not acceptable")
    }
}

fn pairs_of(p: &Proposal) -> Vec<(&str, &str)> {
    p.pairs
        .iter()
        .map(|x| (x.mentor.as_str(), x.intern.as_str()))
        .collect()
}

/// Only topics count: a mentor's level in the wanted topic decides.
fn topics_only() -> MentoringRules {
    MentoringRules {
        distance_weight: 0,
        preference_weight: 0,
        topic_weight: 1,
        ..MentoringRules::default()
    }
}

#[test]
fn the_score_adds_topic_distance_and_preference_parts() {
    let mut m1 = mentor(
        "M1",
        "Иркутск",
        2,
        &[
            (Topic::Economics, 3),
            (Topic::ItMedia, 2),
            (Topic::Volunteers, 1),
        ],
        BOTH,
    );
    m1.preferred_interns = vec!["I2".into(), "I1".into()];
    let m2 = mentor("M2", "Иркутск", 1, &[(Topic::Economics, 1)], BOTH);
    let mut i1 = intern(
        "I1",
        "Ангарск",
        &[Topic::Economics, Topic::ItMedia, Topic::Research],
        BOTH,
    );
    i1.preferred_mentors = vec!["M1".into(), "M2".into()];
    let i2 = intern("I2", "Иркутск", &[Topic::Economics], BOTH);
    let case = Case::new(vec![m1, m2], vec![i1, i2]);
    let s = case.score("M1", "I1");
    assert_eq!(s.format, MeetingFormat::OnSite);
    let km = s.distance_km.unwrap();
    assert!((35.0..45.0).contains(&km), "{km}");
    assert_eq!(
        s.topics,
        vec![
            TopicLevel {
                topic: Topic::Economics,
                level: 3
            },
            TopicLevel {
                topic: Topic::ItMedia,
                level: 2
            },
        ]
    );
    // topic_weight 10 × (3 + 2); the 0–50 km band gives 6 points.
    assert_eq!(s.topic_points, 50);
    assert_eq!(s.distance_points, 6);
    // The intern's first of two choices: 2; the mentor's second of two: 1.
    assert_eq!((s.intern_rank, s.mentor_rank), (Some(1), Some(2)));
    assert_eq!(s.preference_points, 3 * (2 + 1));
    assert_eq!(s.total, 50 + 6 + 9);
    let s2 = case.score("M2", "I1");
    assert_eq!(s2.preference_points, 3);
    assert_eq!(s2.total, 10 + 6 + 3);
}

#[test]
fn the_meeting_format_follows_formats_and_distance() {
    let eco = &[(Topic::Economics, 1)];
    let mentors = vec![
        mentor("M1", "Иркутск", 1, eco, BOTH),
        mentor("M2", "Иркутск", 1, eco, ON_SITE),
        mentor("M3", "Нигде", 1, eco, ON_SITE),
        mentor("M4", "Нигде", 1, eco, BOTH),
        mentor("M5", "Иркутск", 1, eco, ONLINE),
    ];
    let interns = vec![
        intern("I1", "Бодайбо", &[Topic::Economics], BOTH),
        intern("I2", "Ангарск", &[Topic::Economics], ON_SITE),
        intern("I3", "Братск", &[Topic::Economics], BOTH),
    ];
    let case = Case::new(mentors, interns);
    // 800 km apart but both accept online: they meet online, no distance points.
    let s = case.score("M1", "I1");
    assert_eq!(s.format, MeetingFormat::Online);
    assert_eq!(s.distance_points, 0);
    assert!(s.distance_km.unwrap() > 500.0);
    // On site only and too far: refused with the distance.
    match case.rejected("M2", "I1").as_slice() {
        [
            Unacceptable::TooFar {
                distance_km,
                max_distance_km,
            },
        ] => {
            assert!(*distance_km > 500.0);
            assert_eq!(*max_distance_km, 500.0);
        }
        other => panic!("{other:?}"),
    }
    // Bratsk is in the 300–500 km band: on site, 0 points.
    let s = case.score("M1", "I3");
    assert_eq!((s.format, s.distance_points), (MeetingFormat::OnSite, 0));
    // An unknown municipality blocks a pair that can only meet on site...
    assert_eq!(
        case.rejected("M3", "I2"),
        vec![Unacceptable::UnknownMunicipality {
            municipalities: vec!["Нигде".into()]
        }]
    );
    // ...but not one that can meet online.
    let s = case.score("M4", "I1");
    assert_eq!((s.format, s.distance_km), (MeetingFormat::Online, None));
    assert_eq!(
        case.rejected("M5", "I2"),
        vec![Unacceptable::NoCommonFormat]
    );
}

#[test]
fn a_pair_without_a_common_topic_or_forbidden_is_refused_with_every_reason() {
    let mut case = Case::new(
        vec![mentor("M1", "Иркутск", 1, &[(Topic::Economics, 2)], ONLINE)],
        vec![intern("I1", "Иркутск", &[Topic::Research], ON_SITE)],
    );
    case.forbids = pairs(&[("M1", "I1")]);
    assert_eq!(
        case.rejected("M1", "I1"),
        vec![
            Unacceptable::NoCommonTopic,
            Unacceptable::NoCommonFormat,
            Unacceptable::Forbidden
        ]
    );
}

#[test]
fn forbidden_pairs_are_never_proposed_and_a_lock_on_one_is_reported() {
    let eco = &[(Topic::Economics, 3)];
    let mut case = Case::new(
        vec![
            mentor("M1", "Иркутск", 1, eco, BOTH),
            mentor("M2", "Иркутск", 1, &[(Topic::Economics, 1)], BOTH),
        ],
        vec![intern("I1", "Иркутск", &[Topic::Economics], BOTH)],
    );
    case.forbids = pairs(&[("M1", "I1")]);
    case.locks = pairs(&[("M1", "I1")]);
    for mode in MatchMode::ALL {
        let p = case.propose(mode);
        assert_eq!(pairs_of(&p), vec![("M2", "I1")], "{mode:?}");
        assert_eq!(
            p.issues,
            vec![Issue::LockRejected {
                mentor: "M1".into(),
                intern: "I1".into(),
                reasons: vec![Unacceptable::Forbidden],
            }]
        );
    }
}

#[test]
fn locks_are_kept_and_take_the_mentors_places() {
    let rules = topics_only();
    let mut case = Case::new(
        vec![
            mentor(
                "M1",
                "Иркутск",
                2,
                &[(Topic::Economics, 3), (Topic::Research, 1)],
                BOTH,
            ),
            mentor("M2", "Иркутск", 1, &[(Topic::Economics, 1)], BOTH),
        ],
        vec![
            intern("I1", "Иркутск", &[Topic::Economics], BOTH),
            intern("I2", "Иркутск", &[Topic::Economics], BOTH),
            intern("I3", "Иркутск", &[Topic::Research], BOTH),
        ],
    );
    case.rules = rules;
    let free = case.propose(MatchMode::Optimal);
    assert_eq!(pairs_of(&free), vec![("M1", "I1"), ("M1", "I2")]);
    // I3 (1 point with M1) is locked to M1: one place is left there.
    case.locks = pairs(&[("M1", "I3")]);
    for mode in MatchMode::ALL {
        let p = case.propose(mode);
        assert_eq!(
            pairs_of(&p),
            vec![("M1", "I1"), ("M1", "I3"), ("M2", "I2")],
            "{mode:?}"
        );
        assert!(
            p.pairs
                .iter()
                .all(|x| x.locked == (x.intern.as_str() == "I3"))
        );
        assert_eq!(p.total_score, 3 + 1 + 1);
    }
}

#[test]
fn conflicting_and_excess_locks_are_reported() {
    let eco = &[(Topic::Economics, 1)];
    let mut case = Case::new(
        vec![
            mentor("M1", "Иркутск", 1, eco, BOTH),
            mentor("M2", "Иркутск", 1, eco, BOTH),
        ],
        ["I1", "I2", "I3"]
            .into_iter()
            .map(|i| intern(i, "Иркутск", &[Topic::Economics], BOTH))
            .collect(),
    );
    case.locks = pairs(&[("M2", "I1"), ("M1", "I1"), ("M1", "I2"), ("M9", "I3")]);
    let p = case.propose(MatchMode::Optimal);
    assert_eq!(
        p.issues,
        vec![
            Issue::LockConflict {
                mentor: "M2".into(),
                intern: "I1".into(),
                kept: "M1".into()
            },
            Issue::LockOverCapacity {
                mentor: "M1".into(),
                intern: "I2".into(),
                capacity: 1
            },
            Issue::LockUnknown {
                mentor: "M9".into(),
                intern: "I3".into()
            },
        ]
    );
    assert!(
        p.pairs
            .iter()
            .any(|x| x.locked && x.mentor.as_str() == "M1" && x.intern.as_str() == "I1")
    );
    assert_eq!(p.pairs.len(), 2);
}

#[test]
fn preferences_naming_unknown_or_unacceptable_mentors_are_ignored_and_reported() {
    let mut i1 = intern("I1", "Иркутск", &[Topic::Economics], BOTH);
    i1.preferred_mentors = vec!["M9".into(), "M2".into(), "M1".into(), "M2".into()];
    let mut m1 = mentor("M1", "Иркутск", 1, &[(Topic::Economics, 1)], BOTH);
    m1.preferred_interns = vec!["I1".into(), "I7".into()];
    let case = Case::new(
        vec![
            m1,
            mentor("M2", "Иркутск", 1, &[(Topic::Research, 1)], BOTH),
        ],
        vec![i1],
    );
    let p = case.propose(MatchMode::Stable);
    assert_eq!(
        p.issues,
        vec![
            Issue::UnknownPreferred {
                by: Side::Intern,
                mentor: "M9".into(),
                intern: "I1".into()
            },
            Issue::UnacceptablePreferred {
                by: Side::Intern,
                mentor: "M2".into(),
                intern: "I1".into(),
                reasons: vec![Unacceptable::NoCommonTopic]
            },
            Issue::RepeatedPreferred {
                by: Side::Intern,
                mentor: "M2".into(),
                intern: "I1".into()
            },
            Issue::UnknownPreferred {
                by: Side::Mentor,
                mentor: "M1".into(),
                intern: "I7".into()
            },
        ]
    );
    // What is left of both lists is one name each: one point each.
    let s = case.score("M1", "I1");
    assert_eq!((s.intern_rank, s.mentor_rank), (Some(1), Some(1)));
    assert_eq!(s.preference_points, 3 * 2);
    assert_eq!(pairs_of(&p), vec![("M1", "I1")]);
}

#[test]
fn a_mentor_without_places_gets_nobody() {
    let mut case = Case::new(
        vec![
            mentor("M1", "Иркутск", 0, &[(Topic::Economics, 3)], BOTH),
            mentor("M2", "Иркутск", 1, &[(Topic::Economics, 1)], BOTH),
        ],
        vec![
            intern("I1", "Иркутск", &[Topic::Economics], BOTH),
            intern("I2", "Иркутск", &[Topic::Economics], BOTH),
        ],
    );
    case.rules = topics_only();
    for mode in MatchMode::ALL {
        let p = case.propose(mode);
        assert_eq!(pairs_of(&p), vec![("M2", "I1")], "{mode:?}");
        assert_eq!(p.unmatched, vec![InternId::from("I2")]);
        let why = explain(&case.input(), &p).unwrap();
        let alt = why[0].best_alternative.as_ref().unwrap();
        assert_eq!(alt.mentor.as_str(), "M1");
        assert_eq!(
            alt.not_given,
            NotGiven::NoPlaces {
                capacity: 0,
                locked: 0
            }
        );
    }
}

#[test]
fn with_more_places_than_interns_everyone_acceptable_is_matched() {
    let mut case = Case::new(
        vec![
            mentor("M1", "Иркутск", 3, &[(Topic::Economics, 3)], BOTH),
            mentor(
                "M2",
                "Братск",
                3,
                &[(Topic::Economics, 1), (Topic::Research, 2)],
                BOTH,
            ),
        ],
        vec![
            intern("I1", "Иркутск", &[Topic::Economics], BOTH),
            intern("I2", "Братск", &[Topic::Economics, Topic::Research], BOTH),
            intern("I3", "Ангарск", &[Topic::Research], ON_SITE),
            intern("I4", "Бодайбо", &[Topic::Organisation], BOTH),
        ],
    );
    case.rules.max_distance_km = 700.0;
    for mode in MatchMode::ALL {
        let p = case.propose(mode);
        assert_eq!(p.pairs.len(), 3, "{mode:?}");
        // I4 wants a topic nobody teaches.
        assert_eq!(p.unmatched, vec![InternId::from("I4")]);
        let why = explain(&case.input(), &p).unwrap();
        assert_eq!(
            why[3].unmatched,
            Some(UnmatchedReason::NoAcceptableMentor {
                mentors: vec![
                    Rejection {
                        mentor: "M1".into(),
                        reasons: vec![Unacceptable::NoCommonTopic]
                    },
                    Rejection {
                        mentor: "M2".into(),
                        reasons: vec![Unacceptable::NoCommonTopic]
                    },
                ]
            })
        );
    }
}

#[test]
fn with_fewer_places_than_interns_every_place_is_filled() {
    let case = Case::new(
        vec![
            mentor("M1", "Иркутск", 2, &[(Topic::Economics, 2)], BOTH),
            mentor("M2", "Ангарск", 1, &[(Topic::Economics, 3)], BOTH),
        ],
        (1..=6)
            .map(|k| intern(&format!("I{k}"), "Иркутск", &[Topic::Economics], BOTH))
            .collect(),
    );
    for mode in MatchMode::ALL {
        let p = case.propose(mode);
        assert_eq!(p.pairs.len(), 3, "{mode:?}");
        assert_eq!(p.unmatched.len(), 3);
        let why = explain(&case.input(), &p).unwrap();
        for w in why.iter().filter(|w| w.mentor.is_none()) {
            assert_eq!(
                w.unmatched,
                Some(UnmatchedReason::AcceptableMentorsFull {
                    mentors: vec!["M1".into(), "M2".into()]
                })
            );
        }
    }
}

#[test]
fn max_cardinality_matches_more_interns_at_a_lower_total() {
    // I2 is worth 3 with M1 but only 1 with M2; I1 can only go to M1.
    let mut case = Case::new(
        vec![
            mentor(
                "M1",
                "Иркутск",
                1,
                &[(Topic::Economics, 1), (Topic::Research, 3)],
                BOTH,
            ),
            mentor("M2", "Иркутск", 1, &[(Topic::Research, 1)], BOTH),
        ],
        vec![
            intern("I1", "Иркутск", &[Topic::Economics], BOTH),
            intern("I2", "Иркутск", &[Topic::Research], BOTH),
        ],
    );
    case.rules = topics_only();
    let best = case.propose(MatchMode::Optimal);
    assert_eq!(pairs_of(&best), vec![("M1", "I2")]);
    assert_eq!(best.total_score, 3);
    let most = case.propose(MatchMode::MaxCardinality);
    assert_eq!(pairs_of(&most), vec![("M1", "I1"), ("M2", "I2")]);
    assert_eq!(most.total_score, 2);
    assert_eq!(most.mentor_of(&"I2".into()), Some(&MentorId::from("M2")));
    assert_eq!(best.mentor_of(&"I1".into()), None);
    let d = diff(&best, &most);
    assert_eq!(
        d.added,
        vec![Pairing {
            mentor: "M1".into(),
            intern: "I1".into()
        }]
    );
    assert_eq!(
        d.moved,
        vec![Move {
            intern: "I2".into(),
            from: "M1".into(),
            to: "M2".into()
        }]
    );
    assert_eq!((d.removed.len(), d.unchanged, d.total_change), (0, 0, -1));

    // In the optimum, I1 did not get M1: M1 is full with I2, who scores higher.
    let why = explain(&case.input(), &best).unwrap();
    let alt = why[0].best_alternative.as_ref().unwrap();
    assert_eq!(
        alt.not_given,
        NotGiven::MentorFull {
            occupants: vec![Occupant {
                intern: "I2".into(),
                score: 3,
                locked: false
            }]
        }
    );
    // I2 could have had M2, which has a free place: the total would drop by
    // 1 (I1 taking M1 instead), with one more intern matched.
    let alt = why[1].best_alternative.as_ref().unwrap();
    assert_eq!(alt.mentor.as_str(), "M2");
    assert_eq!(
        alt.not_given,
        NotGiven::LowerTotal {
            score_change: -1,
            matched_change: 1
        }
    );
    // Under max cardinality I2 did not get M1: one intern fewer.
    let why = explain(&case.input(), &most).unwrap();
    let alt = why[1].best_alternative.as_ref().unwrap();
    assert_eq!(
        alt.not_given,
        NotGiven::LowerTotal {
            score_change: 1,
            matched_change: -1
        }
    );
}

/// Three mentors, three interns, everyone acceptable, complete rankings on
/// both sides: the intern-optimal and mentor-optimal stable matchings differ.
fn marriage() -> Case {
    let eco = &[(Topic::Economics, 1)];
    fn rank<T: for<'s> From<&'s str>>(ids: &[&str]) -> Vec<T> {
        ids.iter().map(|&s| s.into()).collect()
    }
    let mut mentors: Vec<Mentor> = ["M1", "M2", "M3"]
        .into_iter()
        .map(|id| mentor(id, "Иркутск", 1, eco, BOTH))
        .collect();
    mentors[0].preferred_interns = rank(&["I2", "I1", "I3"]);
    mentors[1].preferred_interns = rank(&["I1", "I2", "I3"]);
    mentors[2].preferred_interns = rank(&["I1", "I2", "I3"]);
    let mut interns: Vec<InternRequest> = ["I1", "I2", "I3"]
        .into_iter()
        .map(|id| intern(id, "Иркутск", &[Topic::Economics], BOTH))
        .collect();
    interns[0].preferred_mentors = rank(&["M1", "M2", "M3"]);
    interns[1].preferred_mentors = rank(&["M2", "M1", "M3"]);
    interns[2].preferred_mentors = rank(&["M1", "M2", "M3"]);
    Case::new(mentors, interns)
}

#[test]
fn the_stable_mode_gives_the_intern_optimal_stable_matching() {
    let case = marriage();
    let p = case.propose(MatchMode::Stable);
    assert_eq!(pairs_of(&p), vec![("M1", "I1"), ("M2", "I2"), ("M3", "I3")]);
    assert!(blocking_pairs(&case.input(), &p.assignment()).is_empty());
    // The mentor-optimal one is stable too, and every intern likes it less.
    let other = pairs(&[("M1", "I2"), ("M2", "I1"), ("M3", "I3")]);
    assert!(blocking_pairs(&case.input(), &other).is_empty());
}

#[test]
fn blocking_pairs_name_who_would_leave_whom() {
    let case = marriage();
    let bad = pairs(&[("M1", "I3"), ("M2", "I2"), ("M3", "I1")]);
    assert_eq!(
        blocking_pairs(&case.input(), &bad),
        vec![
            BlockingPair {
                mentor: "M1".into(),
                intern: "I1".into(),
                intern_has: Some("M3".into()),
                mentor_drops: Some("I3".into()),
            },
            BlockingPair {
                mentor: "M2".into(),
                intern: "I1".into(),
                intern_has: Some("M3".into()),
                mentor_drops: Some("I2".into()),
            },
        ]
    );
    // An unmatched intern and a mentor with a free place block.
    let half = pairs(&[("M1", "I1"), ("M2", "I2")]);
    assert_eq!(
        blocking_pairs(&case.input(), &half),
        vec![BlockingPair {
            mentor: "M3".into(),
            intern: "I3".into(),
            intern_has: None,
            mentor_drops: None,
        }]
    );
}

#[test]
fn without_stated_preferences_the_stable_mode_follows_the_scores() {
    let mut case = Case::new(
        vec![
            mentor(
                "M1",
                "Иркутск",
                1,
                &[(Topic::Economics, 3), (Topic::Research, 1)],
                BOTH,
            ),
            mentor(
                "M2",
                "Иркутск",
                1,
                &[(Topic::Economics, 2), (Topic::Research, 2)],
                BOTH,
            ),
        ],
        vec![
            intern("I1", "Иркутск", &[Topic::Economics], BOTH),
            intern("I2", "Иркутск", &[Topic::Economics, Topic::Research], BOTH),
        ],
    );
    case.rules = topics_only();
    // I1: M1 3, M2 2. I2: M1 4, M2 4 (tie: M1 by id). M1 ranks I2 (4) over I1 (3).
    let lists = preference_lists(&case.input());
    assert_eq!(lists.interns[1].mentors, vec!["M1".into(), "M2".into()]);
    assert_eq!(lists.mentors[0].interns, vec!["I2".into(), "I1".into()]);
    assert_eq!(lists.mentors[0].stated, 0);
    let p = case.propose(MatchMode::Stable);
    assert_eq!(pairs_of(&p), vec![("M1", "I2"), ("M2", "I1")]);
    let why = explain(&case.input(), &p).unwrap();
    // I1 did not get M1: M1 is full with I2, whom it ranks higher.
    assert_eq!(
        why[0].best_alternative.as_ref().unwrap().not_given,
        NotGiven::MentorFull {
            occupants: vec![Occupant {
                intern: "I2".into(),
                score: 4,
                locked: false
            }]
        }
    );
}

#[test]
fn an_intern_who_prefers_their_mentor_is_told_so() {
    let mut case = Case::new(
        vec![
            mentor("M1", "Иркутск", 1, &[(Topic::Economics, 3)], BOTH),
            mentor("M2", "Иркутск", 1, &[(Topic::Economics, 1)], BOTH),
        ],
        vec![intern("I1", "Иркутск", &[Topic::Economics], BOTH)],
    );
    case.rules = topics_only();
    case.interns[0].preferred_mentors = vec!["M2".into()];
    let p = case.propose(MatchMode::Stable);
    assert_eq!(pairs_of(&p), vec![("M2", "I1")]);
    let why = explain(&case.input(), &p).unwrap();
    assert_eq!(
        why[0].best_alternative.as_ref().unwrap().not_given,
        NotGiven::PrefersOwnMentor
    );
}

#[test]
fn explanations_name_forbids_and_locks() {
    let mut case = Case::new(
        vec![
            mentor("M1", "Иркутск", 2, &[(Topic::Economics, 3)], BOTH),
            mentor("M2", "Иркутск", 2, &[(Topic::Economics, 1)], BOTH),
        ],
        vec![
            intern("I1", "Иркутск", &[Topic::Economics], BOTH),
            intern("I2", "Иркутск", &[Topic::Economics], BOTH),
        ],
    );
    case.forbids = pairs(&[("M1", "I1")]);
    case.locks = pairs(&[("M2", "I2")]);
    let p = case.propose(MatchMode::Optimal);
    assert_eq!(pairs_of(&p), vec![("M2", "I1"), ("M2", "I2")]);
    let why = explain(&case.input(), &p).unwrap();
    let alt = why[0].best_alternative.as_ref().unwrap();
    assert_eq!(
        (alt.mentor.as_str(), &alt.not_given),
        ("M1", &NotGiven::Forbidden)
    );
    assert!(why[1].locked);
    assert_eq!(
        why[1].best_alternative.as_ref().unwrap().not_given,
        NotGiven::InternLocked
    );
}

#[test]
fn a_stale_proposal_is_not_explained() {
    let mut case = Case::new(
        vec![
            mentor("M1", "Иркутск", 1, &[(Topic::Economics, 3)], BOTH),
            mentor("M2", "Иркутск", 1, &[(Topic::Economics, 1)], BOTH),
        ],
        vec![intern("I1", "Иркутск", &[Topic::Economics], BOTH)],
    );
    let p = case.propose(MatchMode::Optimal);
    assert_eq!(pairs_of(&p), vec![("M1", "I1")]);
    // M2 became the better mentor.
    case.mentors[1].topics[0].level = 3;
    case.mentors[1].topics.push(TopicLevel {
        topic: Topic::Economics,
        level: 3,
    });
    case.interns[0].preferred_mentors = vec!["M2".into()];
    assert_eq!(explain(&case.input(), &p), Err(ExplainError::NotOptimal));
    case.mentors[0].capacity = 0;
    assert!(matches!(
        explain(&case.input(), &p),
        Err(ExplainError::OverCapacity { .. })
    ));
    case.mentors.remove(0);
    assert!(matches!(
        explain(&case.input(), &p),
        Err(ExplainError::Unknown { .. })
    ));
}

#[test]
fn candidates_list_acceptable_mentors_best_first() {
    let mut case = Case::new(
        vec![
            mentor("M3", "Иркутск", 1, &[(Topic::Economics, 2)], BOTH),
            mentor("M1", "Иркутск", 1, &[(Topic::Economics, 2)], BOTH),
            mentor("M2", "Иркутск", 1, &[(Topic::Economics, 3)], BOTH),
            mentor("M4", "Иркутск", 1, &[(Topic::Research, 3)], BOTH),
        ],
        vec![intern("I1", "Иркутск", &[Topic::Economics], BOTH)],
    );
    case.forbids = pairs(&[("M2", "I1")]);
    case.mentors[0].topics.push(TopicLevel {
        topic: Topic::Research,
        level: 1,
    });
    let c = candidates(&case.input());
    let order: Vec<(&str, i64)> = c[0]
        .candidates
        .iter()
        .map(|c| (c.mentor.as_str(), c.score.total))
        .collect();
    // M2 is forbidden, M4 shares no topic; M1 and M3 tie and go by id.
    assert_eq!(order, vec![("M1", 26), ("M3", 26)]);
}

#[test]
fn a_proposal_serialises_for_the_cli() {
    let case = marriage();
    let p = case.propose(MatchMode::Stable);
    let json = serde_json::to_string(&p).unwrap();
    assert!(json.contains(r#""mode":"stable""#), "{json}");
    assert!(json.contains(r#""format":"on_site""#), "{json}");
    let why = serde_json::to_string(&explain(&case.input(), &p).unwrap()).unwrap();
    assert!(why.contains(r#""reason":"prefers_own_mentor""#), "{why}");
    let mut with_issue = case.clone();
    with_issue.locks = pairs(&[("M9", "I1")]);
    let json = serde_json::to_string(&with_issue.propose(MatchMode::Optimal)).unwrap();
    assert!(json.contains(r#""issue":"lock_unknown""#), "{json}");
}

#[test]
fn modes_are_named_by_their_codes() {
    for mode in MatchMode::ALL {
        assert_eq!(MatchMode::from_code(mode.code()), Some(mode));
        assert_eq!(
            serde_json::to_string(&mode).unwrap(),
            format!("\"{}\"", mode.code())
        );
    }
    assert_eq!(MatchMode::from_code("greedy"), None);
}

#[test]
fn the_input_order_does_not_matter() {
    let mut case = marriage();
    case.interns[2].preferred_mentors.clear();
    case.mentors[1].capacity = 2;
    let mut reversed = case.clone();
    reversed.mentors.reverse();
    reversed.interns.reverse();
    for mode in MatchMode::ALL {
        assert_eq!(case.propose(mode), reversed.propose(mode), "{mode:?}");
    }
}

// ---------------------------------------------------------------------------
// Random tiny instances against brute force.

const TOPICS: [Topic; 4] = [
    Topic::Organisation,
    Topic::Economics,
    Topic::Research,
    Topic::ItMedia,
];
const PLACES: [&str; 5] = ["Иркутск", "Ангарск", "Братск", "Бодайбо", "Нигде"];

fn arb_formats() -> impl Strategy<Value = Formats> {
    prop_oneof![Just(BOTH), Just(BOTH), Just(ON_SITE), Just(ONLINE)]
}

fn arb_mentor(
    interns: usize,
) -> impl Strategy<Value = (u32, Vec<(usize, u8)>, Formats, usize, Vec<usize>)> {
    (
        0..=3u32,
        prop::collection::vec((0..TOPICS.len(), 1..=3u8), 0..=3),
        arb_formats(),
        0..PLACES.len(),
        prop::collection::vec(0..=interns, 0..=3),
    )
}

fn arb_intern(mentors: usize) -> impl Strategy<Value = (Vec<usize>, Formats, usize, Vec<usize>)> {
    (
        prop::collection::vec(0..TOPICS.len(), 1..=2),
        arb_formats(),
        0..PLACES.len(),
        prop::collection::vec(0..=mentors, 0..=3),
    )
}

/// A random instance of up to 3 mentors and 7 interns; ids past the end
/// (`M9`, `I9`) name nobody.
fn arb_case() -> impl Strategy<Value = Case> {
    (1..=3usize, 0..=7usize).prop_flat_map(|(nm, ni)| {
        (
            prop::collection::vec(arb_mentor(ni), nm),
            prop::collection::vec(arb_intern(nm), ni),
            prop::collection::vec((0..=nm, 0..=ni), 0..=3),
            prop::collection::vec((0..nm, 0..=ni), 0..=2),
            (prop_oneof![Just(0i64), Just(1), Just(10)], 0..=3i64),
        )
            .prop_map(
                move |(ms, is, locks, forbids, (topic_weight, preference_weight))| {
                    let mid = |k: usize| {
                        MentorId::new(if k < nm {
                            format!("M{}", k + 1)
                        } else {
                            "M9".into()
                        })
                    };
                    let iid = |k: usize| {
                        InternId::new(if k < ni {
                            format!("I{}", k + 1)
                        } else {
                            "I9".into()
                        })
                    };
                    let mentors = ms
                        .into_iter()
                        .enumerate()
                        .map(|(k, (capacity, topics, formats, place, prefs))| Mentor {
                            preferred_interns: prefs.into_iter().map(iid).collect(),
                            ..mentor(
                                mid(k).as_str(),
                                PLACES[place],
                                capacity,
                                &topics
                                    .into_iter()
                                    .map(|(t, l)| (TOPICS[t], l))
                                    .collect::<Vec<_>>(),
                                formats,
                            )
                        })
                        .collect();
                    let interns = is
                        .into_iter()
                        .enumerate()
                        .map(|(k, (topics, formats, place, prefs))| InternRequest {
                            preferred_mentors: prefs.into_iter().map(mid).collect(),
                            ..intern(
                                iid(k).as_str(),
                                PLACES[place],
                                &topics.into_iter().map(|t| TOPICS[t]).collect::<Vec<_>>(),
                                formats,
                            )
                        })
                        .collect();
                    Case {
                        mentors,
                        interns,
                        places: places(),
                        rules: MentoringRules {
                            topic_weight,
                            preference_weight,
                            ..MentoringRules::default()
                        },
                        locks: locks.into_iter().map(|(m, i)| (mid(m), iid(i))).collect(),
                        forbids: forbids.into_iter().map(|(m, i)| (mid(m), iid(i))).collect(),
                    }
                },
            )
    })
}

/// Brute force over all assignments of a case, built from the public API.
struct Brute {
    mentors: Vec<MentorId>,
    interns: Vec<InternId>,
    capacity: Vec<u32>,
    /// Per intern, (mentor, score) of each acceptable mentor.
    options: Vec<Vec<(usize, i64)>>,
    /// The locks that must hold, worked out independently.
    locked: Vec<Option<usize>>,
    /// Preference lists as positions: rank[i][m], mentor_rank[m][i].
    intern_rank: Vec<Vec<Option<usize>>>,
    mentor_rank: Vec<Vec<Option<usize>>>,
}

impl Brute {
    fn new(case: &Case) -> Brute {
        let input = case.input();
        let mut mentors: Vec<MentorId> = case.mentors.iter().map(|m| m.id.clone()).collect();
        mentors.sort();
        let mut interns: Vec<InternId> = case.interns.iter().map(|i| i.id.clone()).collect();
        interns.sort();
        let mut capacity: Vec<u32> = Vec::new();
        for id in &mentors {
            capacity.push(case.mentors.iter().find(|m| &m.id == id).unwrap().capacity);
        }
        let mi = |id: &MentorId| mentors.iter().position(|m| m == id);
        let ii = |id: &InternId| interns.iter().position(|i| i == id);
        let options: Vec<Vec<(usize, i64)>> = candidates(&input)
            .into_iter()
            .map(|c| {
                c.candidates
                    .iter()
                    .map(|c| (mi(&c.mentor).unwrap(), c.score.total))
                    .collect()
            })
            .collect();
        // Locks: by intern then mentor; acceptable; one per intern; within places.
        let mut locks: Vec<&(MentorId, InternId)> = case.locks.iter().collect();
        locks.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        let mut locked = vec![None; interns.len()];
        let mut left = capacity.clone();
        for (m, i) in locks {
            let (Some(m), Some(i)) = (mi(m), ii(i)) else {
                continue;
            };
            if locked[i].is_none() && options[i].iter().any(|o| o.0 == m) && left[m] > 0 {
                left[m] -= 1;
                locked[i] = Some(m);
            }
        }
        let lists = preference_lists(&input);
        let mut intern_rank = vec![vec![None; mentors.len()]; interns.len()];
        for (i, p) in lists.interns.iter().enumerate() {
            for (r, m) in p.mentors.iter().enumerate() {
                intern_rank[i][mi(m).unwrap()] = Some(r);
            }
        }
        let mut mentor_rank = vec![vec![None; interns.len()]; mentors.len()];
        for (m, p) in lists.mentors.iter().enumerate() {
            for (r, i) in p.interns.iter().enumerate() {
                mentor_rank[m][ii(i).unwrap()] = Some(r);
            }
        }
        Brute {
            mentors,
            interns,
            capacity,
            options,
            locked,
            intern_rank,
            mentor_rank,
        }
    }

    /// Calls `f` with every assignment that keeps the locks and capacities,
    /// optionally with one more pair forced.
    fn each(&self, forced: Option<(usize, usize)>, mut f: impl FnMut(&[Option<usize>])) {
        let n = self.interns.len();
        let choices: Vec<Vec<Option<usize>>> = (0..n)
            .map(|i| match (self.locked[i], forced) {
                (Some(m), _) => vec![Some(m)],
                (None, Some((fm, fi))) if fi == i => vec![Some(fm)],
                _ => std::iter::once(None)
                    .chain(self.options[i].iter().map(|o| Some(o.0)))
                    .collect(),
            })
            .collect();
        let mut at = vec![0usize; n];
        loop {
            let a: Vec<Option<usize>> = (0..n).map(|i| choices[i][at[i]]).collect();
            let mut used = vec![0u32; self.mentors.len()];
            for m in a.iter().flatten() {
                used[*m] += 1;
            }
            if used.iter().zip(&self.capacity).all(|(u, c)| u <= c) {
                f(&a);
            }
            let mut k = 0;
            loop {
                if k == n {
                    return;
                }
                at[k] += 1;
                if at[k] < choices[k].len() {
                    break;
                }
                at[k] = 0;
                k += 1;
            }
        }
    }

    fn score(&self, a: &[Option<usize>]) -> (i64, i64) {
        let mut total = 0;
        let mut count = 0;
        for (i, m) in a.iter().enumerate() {
            if let Some(m) = m {
                total += self.options[i].iter().find(|o| o.0 == *m).unwrap().1;
                count += 1;
            }
        }
        (total, count)
    }

    /// The best (total, matched) for a mode, optionally with a pair forced.
    fn best(&self, mode: MatchMode, forced: Option<(usize, usize)>) -> Option<(i64, i64)> {
        let mut best: Option<(i64, i64)> = None;
        let key = |(t, c): (i64, i64)| {
            if mode == MatchMode::MaxCardinality {
                (c, t)
            } else {
                (t, c)
            }
        };
        self.each(forced, |a| {
            let s = self.score(a);
            if best.is_none_or(|b| key(s) > key(b)) {
                best = Some(s);
            }
        });
        best
    }

    fn stable(&self, a: &[Option<usize>]) -> bool {
        for (i, has) in a.iter().enumerate() {
            if self.locked[i].is_some() {
                continue;
            }
            for m in 0..self.mentors.len() {
                let Some(r) = self.intern_rank[i][m] else {
                    continue;
                };
                if has.is_some_and(|h| h == m || self.intern_rank[i][h].is_some_and(|hr| hr < r)) {
                    continue;
                }
                let held: Vec<usize> = (0..a.len()).filter(|&j| a[j] == Some(m)).collect();
                if (held.len() as u32) < self.capacity[m] {
                    return false;
                }
                let mine = self.mentor_rank[m][i].unwrap();
                if held.iter().any(|&j| {
                    self.locked[j] != Some(m) && self.mentor_rank[m][j].is_none_or(|rj| rj > mine)
                }) {
                    return false;
                }
            }
        }
        true
    }

    fn assignment_of(&self, p: &Proposal) -> Vec<Option<usize>> {
        let mut a = vec![None; self.interns.len()];
        for x in &p.pairs {
            let i = self.interns.iter().position(|i| i == &x.intern).unwrap();
            assert!(a[i].is_none(), "an intern is given twice");
            a[i] = Some(self.mentors.iter().position(|m| m == &x.mentor).unwrap());
        }
        a
    }

    /// Capacities and locks hold, and the total is the sum of the pairs.
    fn check_valid(&self, p: &Proposal) -> Vec<Option<usize>> {
        let a = self.assignment_of(p);
        let mut used = vec![0u32; self.mentors.len()];
        for m in a.iter().flatten() {
            used[*m] += 1;
        }
        for (u, c) in used.iter().zip(&self.capacity) {
            assert!(u <= c, "capacity broken: {u} > {c}");
        }
        for (i, l) in self.locked.iter().enumerate() {
            if l.is_some() {
                assert_eq!(a[i], *l, "lock of {} not kept", self.interns[i]);
            }
        }
        for x in &p.pairs {
            let i = self.interns.iter().position(|i| i == &x.intern).unwrap();
            assert_eq!(x.locked, self.locked[i].is_some());
        }
        assert_eq!(self.score(&a).0, p.total_score);
        a
    }
}

fn permute<T: Clone>(v: &[T], keys: &[u32]) -> Vec<T> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by_key(|&k| (keys[k % keys.len()], k));
    idx.into_iter().map(|k| v[k].clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn optimal_modes_agree_with_brute_force(case in arb_case()) {
        let brute = Brute::new(&case);
        for mode in [MatchMode::Optimal, MatchMode::MaxCardinality] {
            let p = case.propose(mode);
            let a = brute.check_valid(&p);
            let best = brute.best(mode, None).expect("the locks alone are an assignment");
            prop_assert_eq!(brute.score(&a), best, "{:?}", mode);

            // Every claim "the total would drop" is exact.
            let why = explain(&case.input(), &p).expect("a fresh proposal is explained");
            for (i, w) in why.iter().enumerate() {
                if let Some(UnmatchedReason::AcceptableMentorsFull { mentors }) = &w.unmatched {
                    for id in mentors {
                        let m = brute.mentors.iter().position(|x| x == id).unwrap();
                        prop_assert_eq!(a.iter().filter(|x| **x == Some(m)).count() as u32, brute.capacity[m]);
                    }
                }
                let Some(alt) = &w.best_alternative else { continue };
                let m = brute.mentors.iter().position(|x| x == &alt.mentor).unwrap();
                match &alt.not_given {
                    NotGiven::LowerTotal { score_change, matched_change } => {
                        let forced = brute.best(mode, Some((m, i))).expect("the pair can be forced");
                        prop_assert_eq!((forced.0 - best.0, forced.1 - best.1), (*score_change, *matched_change));
                        let worse = if mode == MatchMode::MaxCardinality {
                            (*matched_change, *score_change) < (0, 0)
                        } else {
                            (*score_change, *matched_change) < (0, 0)
                        };
                        prop_assert!(worse);
                    }
                    NotGiven::Tie => {
                        prop_assert_eq!(brute.best(mode, Some((m, i))), Some(best));
                    }
                    NotGiven::MentorFull { occupants } => {
                        prop_assert_eq!(occupants.len() as u32, brute.capacity[m]);
                        prop_assert!(occupants.iter().all(|o| o.locked || o.score >= alt.score.total));
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn optimal_breaks_total_ties_by_matching_more(case in arb_case()) {
        let brute = Brute::new(&case);
        let p = case.propose(MatchMode::Optimal);
        let a = brute.assignment_of(&p);
        let (total, count) = brute.score(&a);
        let mut most = 0;
        brute.each(None, |x| {
            let (t, c) = brute.score(x);
            if t == total {
                most = most.max(c);
            }
        });
        prop_assert_eq!(count, most);
    }

    #[test]
    fn stable_mode_is_stable_and_intern_optimal(case in arb_case(), keys in prop::collection::vec(any::<u32>(), 8)) {
        let brute = Brute::new(&case);
        let p = case.propose(MatchMode::Stable);
        let a = brute.check_valid(&p);
        prop_assert!(brute.stable(&a));
        prop_assert!(blocking_pairs(&case.input(), &p.assignment()).is_empty());
        explain(&case.input(), &p).expect("a fresh proposal is explained");
        let rank = |i: usize, m: Option<usize>| m.map_or(usize::MAX, |m| brute.intern_rank[i][m].unwrap());
        let mut seen = 0usize;
        brute.each(None, |s| {
            seen += 1;
            let stable = brute.stable(s);
            if stable {
                for i in 0..s.len() {
                    assert!(rank(i, a[i]) <= rank(i, s[i]), "intern {} does better in another stable matching", brute.interns[i]);
                }
            }
            // The public blocking pairs agree with the brute-force definition.
            if seen.is_multiple_of(7) {
                let ids: Vec<(MentorId, InternId)> = s
                    .iter()
                    .enumerate()
                    .filter_map(|(i, m)| Some((brute.mentors[(*m)?].clone(), brute.interns[i].clone())))
                    .collect();
                assert_eq!(blocking_pairs(&case.input(), &ids).is_empty(), stable);
            }
        });

        // The proposal order does not matter.
        let market = Market::new(&case.input());
        let n = market.interns.len();
        let reference = stable::deferred_acceptance(&market, 0..n);
        prop_assert_eq!(&stable::deferred_acceptance(&market, (0..n).rev()), &reference);
        let order: Vec<usize> = permute(&(0..n).collect::<Vec<_>>(), &keys);
        prop_assert_eq!(&stable::deferred_acceptance(&market, order), &reference);
    }

    #[test]
    fn results_do_not_depend_on_input_order(case in arb_case(), keys in prop::collection::vec(any::<u32>(), 8)) {
        let mut shuffled = case.clone();
        shuffled.mentors = permute(&case.mentors, &keys);
        shuffled.interns = permute(&case.interns, &keys[1..]);
        shuffled.locks = permute(&case.locks, &keys[2..]);
        shuffled.forbids = permute(&case.forbids, &keys[3..]);
        for mode in MatchMode::ALL {
            let p = case.propose(mode);
            prop_assert_eq!(&p, &shuffled.propose(mode));
            prop_assert_eq!(explain(&case.input(), &p), explain(&shuffled.input(), &p));
            prop_assert!(diff(&p, &shuffled.propose(mode)).is_empty());
        }
        prop_assert_eq!(candidates(&case.input()), candidates(&shuffled.input()));
        prop_assert_eq!(preference_lists(&case.input()), preference_lists(&shuffled.input()));
    }

    #[test]
    fn preference_lists_are_stated_rankings_then_scores_then_ids(case in arb_case()) {
        let input = case.input();
        let table = candidates(&input);
        let score = |m: &MentorId, i: &InternId| {
            table
                .iter()
                .find(|c| &c.intern == i)?
                .candidates
                .iter()
                .find(|c| &c.mentor == m)
                .map(|c| c.score.total)
        };
        // The stated names that are acceptable, first occurrences only.
        fn cleaned<T: PartialEq + Clone>(stated: &[T], ok: impl Fn(&T) -> bool) -> Vec<T> {
            let mut out: Vec<T> = Vec::new();
            for x in stated {
                if ok(x) && !out.contains(x) {
                    out.push(x.clone());
                }
            }
            out
        }
        let lists = preference_lists(&input);
        for p in &lists.interns {
            let request = case.interns.iter().find(|i| i.id == p.intern).unwrap();
            let mut expected = cleaned(&request.preferred_mentors, |m| score(m, &p.intern).is_some());
            let stated = expected.len();
            let mut rest: Vec<(i64, MentorId)> = case
                .mentors
                .iter()
                .filter(|m| !expected.contains(&m.id))
                .filter_map(|m| Some((-score(&m.id, &p.intern)?, m.id.clone())))
                .collect();
            rest.sort();
            expected.extend(rest.into_iter().map(|(_, m)| m));
            prop_assert_eq!(&p.mentors, &expected);
            prop_assert_eq!(p.stated, stated);
        }
        for p in &lists.mentors {
            let mentor = case.mentors.iter().find(|m| m.id == p.mentor).unwrap();
            let mut expected = cleaned(&mentor.preferred_interns, |i| score(&p.mentor, i).is_some());
            let stated = expected.len();
            let mut rest: Vec<(i64, InternId)> = case
                .interns
                .iter()
                .filter(|i| !expected.contains(&i.id))
                .filter_map(|i| Some((-score(&p.mentor, &i.id)?, i.id.clone())))
                .collect();
            rest.sort();
            expected.extend(rest.into_iter().map(|(_, i)| i));
            prop_assert_eq!(&p.interns, &expected);
            prop_assert_eq!(p.stated, stated);
        }
    }

    #[test]
    fn every_lock_is_kept_or_reported(case in arb_case()) {
        let p = case.propose(MatchMode::Optimal);
        for (m, i) in &case.locks {
            let kept = p.pairs.iter().any(|x| x.locked && &x.mentor == m && &x.intern == i);
            let reported = p.issues.iter().any(|issue| match issue {
                Issue::LockUnknown { mentor, intern }
                | Issue::LockRejected { mentor, intern, .. }
                | Issue::LockConflict { mentor, intern, .. }
                | Issue::LockOverCapacity { mentor, intern, .. } => mentor == m && intern == i,
                _ => false,
            });
            prop_assert!(kept != reported, "lock {} {}: kept {} reported {}", m, i, kept, reported);
        }
    }
}
