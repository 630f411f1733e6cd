//! Domain values in words, from the language catalogues: for panes, the
//! command line and exported documents alike.

use crate::domain::activity::ActivityLine;
use crate::text::I18n;
use crate::text::number::KILOMETRES;

/// One line of an activity rating's breakdown, in words.
pub fn activity_line(l: &ActivityLine, tr: &I18n) -> String {
    match l {
        ActivityLine::Format {
            format,
            events,
            points_each,
            points,
        } => tr.f(
            "activity.format",
            &[
                ("format", &tr.t(&format!("format_plural.{}", format.code()))),
                ("n", events),
                ("each", &tr.num(*points_each)),
                ("points", &tr.num(*points)),
            ],
        ),
        ActivityLine::Topics {
            topics,
            bonus_each,
            points,
        } => tr.f(
            "activity.topics",
            &[
                ("n", topics),
                ("each", &tr.num(*bonus_each)),
                ("points", &tr.num(*points)),
            ],
        ),
        ActivityLine::AttendanceCap { cap, cut } => tr.f(
            "activity.attendance_cap",
            &[("cap", &tr.num(*cap)), ("cut", &tr.num(*cut))],
        ),
        ActivityLine::CreativeTasks {
            tasks,
            points_each,
            points,
        } => tr.f(
            "activity.creative",
            &[
                ("n", tasks),
                ("each", &tr.num(*points_each)),
                ("points", &tr.num(*points)),
            ],
        ),
        ActivityLine::SiteActivity {
            publications,
            points_each,
            points,
        } => tr.f(
            "activity.site",
            &[
                ("n", publications),
                ("each", &tr.num(*points_each)),
                ("points", &tr.num(*points)),
            ],
        ),
        ActivityLine::SiteActivityCap { cap, cut } => tr.f(
            "activity.site_cap",
            &[("cap", &tr.num(*cap)), ("cut", &tr.num(*cut))],
        ),
        ActivityLine::TotalCap { cap, cut } => tr.f(
            "activity.total_cap",
            &[("cap", &tr.num(*cap)), ("cut", &tr.num(*cut))],
        ),
    }
}

use crate::domain::matching::{
    Alternative, Issue, NotGiven, PairScore, Unacceptable, UnmatchedReason,
};
use crate::domain::mentoring::MeetingFormat;

/// A pair's score, part by part: `topics 20 + distance 4 + preference 6 = 30 (on site, 42 km)`.
pub fn pair_score(s: &PairScore, tr: &I18n) -> String {
    let how = match (s.format, s.distance_km) {
        (MeetingFormat::OnSite, Some(km)) => {
            tr.f("mentoring.on_site_km", &[("km", &tr.fixed(km, KILOMETRES))])
        }
        (MeetingFormat::OnSite, None) => tr.t("mentoring.on_site").to_string(),
        (MeetingFormat::Online, _) => tr.t("mentoring.online").to_string(),
    };
    tr.f(
        "mentoring.score",
        &[
            ("topics", &s.topic_points),
            ("distance", &s.distance_points),
            ("preference", &s.preference_points),
            ("total", &s.total),
            ("how", &how),
        ],
    )
}

/// Why a pair cannot be made.
pub fn unacceptable(u: &Unacceptable, tr: &I18n) -> String {
    match u {
        Unacceptable::NoCommonTopic => tr.t("mentoring.why.no_topic").to_string(),
        Unacceptable::NoCommonFormat => tr.t("mentoring.why.no_format").to_string(),
        Unacceptable::TooFar {
            distance_km,
            max_distance_km,
        } => tr.f(
            "mentoring.why.too_far",
            &[
                ("km", &tr.fixed(*distance_km, KILOMETRES)),
                ("max", &tr.fixed(*max_distance_km, KILOMETRES)),
            ],
        ),
        Unacceptable::UnknownMunicipality { municipalities } => tr.f(
            "mentoring.why.unknown_place",
            &[("places", &municipalities.join(", "))],
        ),
        Unacceptable::Forbidden => tr.t("mentoring.why.forbidden").to_string(),
    }
}

/// Why an intern did not get a mentor they could have had.
pub fn not_given(alternative: &Alternative, tr: &I18n) -> String {
    match &alternative.not_given {
        NotGiven::Forbidden => tr.t("mentoring.why.forbidden").to_string(),
        NotGiven::InternLocked => tr.t("mentoring.why.intern_locked").to_string(),
        NotGiven::NoPlaces { capacity, locked } => tr.f(
            "mentoring.why.no_places",
            &[("capacity", capacity), ("locked", locked)],
        ),
        NotGiven::MentorFull { occupants } => {
            // Each occupant as what they are next to the intern asking: a
            // locked pair keeps its place whatever its score, and an equal
            // score is no better.
            let own = alternative.score.total;
            let who = occupants
                .iter()
                .map(|o| {
                    let key = if o.locked {
                        "mentoring.occupant.locked"
                    } else if o.score > own {
                        "mentoring.occupant.higher"
                    } else if o.score == own {
                        "mentoring.occupant.equal"
                    } else {
                        "mentoring.occupant.lower"
                    };
                    tr.f(key, &[("intern", &o.intern), ("score", &o.score)])
                })
                .collect::<Vec<_>>()
                .join(", ");
            tr.f("mentoring.why.full", &[("who", &who)])
        }
        NotGiven::LowerTotal {
            score_change,
            matched_change,
        } => tr.f(
            match matched_change.signum() {
                -1 => "mentoring.why.lower_total_fewer",
                0 => "mentoring.why.lower_total_as_many",
                _ => "mentoring.why.lower_total_more",
            },
            &[("score", score_change), ("n", &matched_change.abs())],
        ),
        NotGiven::Tie => tr.t("mentoring.why.tie").to_string(),
        NotGiven::PrefersOwnMentor => tr.t("mentoring.why.prefers_own").to_string(),
    }
}

/// Why an intern has no mentor.
pub fn unmatched(r: &UnmatchedReason, tr: &I18n) -> String {
    match r {
        UnmatchedReason::NoAcceptableMentor { mentors } => {
            if mentors.is_empty() {
                return tr.t("mentoring.why.no_mentors").to_string();
            }
            // «M01 — no common topic, no common format; M02 — …»
            let mut list = String::new();
            for (k, m) in mentors.iter().enumerate() {
                if k > 0 {
                    list.push_str("; ");
                }
                list.push_str(m.mentor.as_str());
                list.push_str(" — ");
                for (n, u) in m.reasons.iter().enumerate() {
                    if n > 0 {
                        list.push_str(", ");
                    }
                    list.push_str(&unacceptable(u, tr));
                }
            }
            tr.f("mentoring.why.none_acceptable", &[("list", &list)])
        }
        UnmatchedReason::AcceptableMentorsFull { mentors } => {
            let mut list = String::with_capacity(mentors.len() * 8);
            for (k, m) in mentors.iter().enumerate() {
                if k > 0 {
                    list.push_str(", ");
                }
                list.push_str(m.as_str());
            }
            tr.f("mentoring.why.all_full", &[("list", &list)])
        }
    }
}

/// Why a lock on `mentor` – `intern` was not kept in `proposal`, if it was
/// not.
pub fn lock_not_kept(
    proposal: &crate::domain::matching::Proposal,
    mentor: &crate::domain::ids::MentorId,
    intern: &crate::domain::ids::InternId,
    tr: &I18n,
) -> Option<String> {
    lock_problem(&proposal.issues, mentor, intern, tr).map(|why| {
        tr.f(
            "mentoring.lock_not_kept",
            &[("mentor", mentor), ("intern", intern), ("why", &why)],
        )
    })
}

/// The locks a matching cannot keep, from its issues: (mentor, intern, why).
pub fn locks_not_kept(
    issues: &[Issue],
    tr: &I18n,
) -> Vec<(
    crate::domain::ids::MentorId,
    crate::domain::ids::InternId,
    String,
)> {
    issues
        .iter()
        .filter_map(|issue| {
            let (mentor, intern) = match issue {
                Issue::LockUnknown { mentor, intern }
                | Issue::LockRejected { mentor, intern, .. }
                | Issue::LockConflict { mentor, intern, .. }
                | Issue::LockOverCapacity { mentor, intern, .. } => (mentor, intern),
                _ => return None,
            };
            let why = lock_problem(std::slice::from_ref(issue), mentor, intern, tr)?;
            Some((mentor.clone(), intern.clone(), why))
        })
        .collect()
}

/// Why the lock on `mentor` – `intern` cannot be kept, by the issues.
fn lock_problem(
    issues: &[Issue],
    mentor: &crate::domain::ids::MentorId,
    intern: &crate::domain::ids::InternId,
    tr: &I18n,
) -> Option<String> {
    issues.iter().find_map(|issue| {
        let why = match issue {
            Issue::LockUnknown {
                mentor: m,
                intern: i,
            } if m == mentor && i == intern => tr.t("mentoring.lock_unknown").to_string(),
            Issue::LockRejected {
                mentor: m,
                intern: i,
                reasons,
            } if m == mentor && i == intern => reasons
                .iter()
                .map(|r| unacceptable(r, tr))
                .collect::<Vec<_>>()
                .join("; "),
            Issue::LockConflict {
                mentor: m,
                intern: i,
                kept,
            } if m == mentor && i == intern => tr.f("mentoring.lock_conflict", &[("kept", kept)]),
            Issue::LockOverCapacity {
                mentor: m,
                intern: i,
                capacity,
            } if m == mentor && i == intern => {
                tr.f("mentoring.lock_over_capacity", &[("capacity", capacity)])
            }
            _ => return None,
        };
        Some(why)
    })
}

use crate::domain::regulation::{Regulation, Stage, TieBreak};

/// A tie-break rule in words.
pub fn tie_rule(rule: &TieBreak, rules: &Regulation, stage: &Stage, tr: &I18n) -> String {
    match rule {
        TieBreak::Total => tr.t("export.tie.total").to_string(),
        TieBreak::Criterion(c) => tr.f(
            "export.tie.criterion",
            &[(
                "name",
                &stage
                    .criterion(c)
                    .map_or_else(|| c.to_string(), |c| c.name.clone()),
            )],
        ),
        TieBreak::Stage(s) => tr.f(
            "export.tie.stage",
            &[(
                "name",
                &rules
                    .stage(s)
                    .map_or_else(|| s.to_string(), |s| s.name.clone()),
            )],
        ),
        TieBreak::PreviousStage => tr.t("export.tie.previous_stage").to_string(),
        TieBreak::ActivityRating => tr.t("export.tie.activity_rating").to_string(),
        TieBreak::ApplicationDate => tr.t("export.tie.application_date").to_string(),
    }
}

/// What decided a row's place, in words: the rule, or the coordinator.
pub fn decided(d: &DecidedBy, rules: &Regulation, stage: &Stage, tr: &I18n) -> String {
    match d {
        DecidedBy::Coordinator => tr.t("export.tie.coordinator").to_string(),
        DecidedBy::Rule(t) => tie_rule(t, rules, stage, tr),
    }
}

use crate::domain::closing::CloseBlocker;
use crate::domain::ranking::DecidedBy;

/// A blocker to closing a stage, for the Ranking pane's list: a headline
/// (who, and what is missing), then indented lines that say who is still
/// scoring, who abstained and why, and what clears it. `name` gives a
/// participant's full name; `key` is the key that goes to the fix.
pub fn close_blocker(
    b: &CloseBlocker,
    rules: &Regulation,
    name: &dyn Fn(&crate::domain::ids::ParticipantId) -> String,
    key: &str,
    tr: &I18n,
) -> Vec<String> {
    let ids = |list: &[crate::domain::ids::JurorId]| {
        list.iter()
            .map(|j| j.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match b {
        CloseBlocker::EarlierStageOpen { name, .. } => vec![
            tr.f("blocker.earlier", &[("stage", name)]),
            format!(
                "  {}",
                tr.f("blocker.earlier_fix", &[("stage", name), ("key", &key)])
            ),
        ],
        CloseBlocker::MissingSheets {
            participant,
            have,
            need,
            scoring,
            abstained,
            uncovered,
        } => {
            let mut out = vec![tr.f(
                "blocker.missing",
                &[
                    ("participant", participant),
                    ("name", &name(participant)),
                    ("have", have),
                    ("need", need),
                ],
            )];
            if !scoring.is_empty() {
                out.push(format!(
                    "  {}",
                    tr.f("blocker.scoring", &[("jurors", &ids(scoring))])
                ));
            }
            for (juror, why) in abstained {
                out.push(format!(
                    "  {}",
                    if why.is_empty() {
                        tr.f("blocker.abstained_blank", &[("juror", juror)])
                    } else {
                        tr.f("blocker.abstained", &[("juror", juror), ("reason", why)])
                    }
                ));
            }
            out.push(format!(
                "  {}",
                if *uncovered > 0 {
                    tr.f("blocker.uncovered", &[("n", uncovered), ("key", &key)])
                } else {
                    tr.f("blocker.waiting", &[("key", &key)])
                }
            ));
            out
        }
        CloseBlocker::TieAtCutoff {
            participants,
            group,
            rank,
            places,
        } => {
            let who = participants
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let head = match group {
                Some(g) => tr.f(
                    "blocker.tie_group",
                    &[
                        ("participants", &who),
                        ("rank", rank),
                        (
                            "group",
                            &rules.group(g).map_or(g.to_string(), |g| g.name.clone()),
                        ),
                        ("places", places),
                    ],
                ),
                None => tr.f(
                    "blocker.tie",
                    &[("participants", &who), ("rank", rank), ("places", places)],
                ),
            };
            vec![
                head,
                format!("  {}", tr.f("blocker.tie_fix", &[("key", &key)])),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lang;

    #[test]
    fn a_blocker_says_who_lacks_which_sheet_who_abstained_and_what_clears_it() {
        let rules = Regulation::parse(crate::sample::REGULATION).unwrap();
        let name = |_: &crate::domain::ids::ParticipantId| "Соколова Елена".to_string();
        let missing = CloseBlocker::MissingSheets {
            participant: "P001".into(),
            have: 1,
            need: 3,
            scoring: vec!["J05".into()],
            abstained: vec![("J03".into(), "родственница".into())],
            uncovered: 1,
        };
        let ru = I18n::new(Lang::Ru);
        assert_eq!(
            close_blocker(&missing, &rules, &name, "Enter", &ru),
            [
                "P001 Соколова Елена: отправлено листов 1 из 3",
                "  ещё оценивают: J05",
                "  J03 — отказ от оценки: «родственница»",
                "  не хватает экспертов: 1; Enter — назначить во вкладке «Жюри»",
            ]
        );
        let tie = CloseBlocker::TieAtCutoff {
            participants: vec!["P010".into(), "P011".into()],
            group: Some("rural".into()),
            rank: 10,
            places: 10,
        };
        assert_eq!(
            close_blocker(&tie, &rules, &name, "Enter", &I18n::new(Lang::En)),
            [
                "P010, P011: equal totals at place 10 in «Сельские поселения», on the cutoff (10 advance)",
                "  order them best first, with a reason: Enter",
            ]
        );
    }
}
