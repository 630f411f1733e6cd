//! Wording refusals, breaches and assignment plans in both languages, every placeholder filled.

use super::*;
use crate::domain::assignment::{Released, Shortfall};
use crate::domain::ids::{CriterionId, GroupId, JurorId, ParticipantId, StageId};
use crate::domain::people::Role;
use crate::domain::scoring::{Assignment, AssignmentOrigin};
use crate::text::Lang;

fn p(id: &str) -> ParticipantId {
    ParticipantId::new(id)
}

fn j(id: &str) -> JurorId {
    JurorId::new(id)
}

/// One refusal of every kind (the match below fails to compile when a
/// kind is added and not listed here).
fn every_refusal() -> Vec<Refusal> {
    let acts = vec![
        Act::LoadRegulation,
        Act::VerifyDatabase,
        Act::Backup,
        Act::Export,
        Act::ReadAudit,
        Act::SeePastRankings,
        Act::SeeOpenRanking {
            stage: "Конкурс портфолио".into(),
        },
        Act::CloseStage,
        Act::ReopenStage,
        Act::ResolveTies,
        Act::SeeMentoring,
        Act::AddMentors,
        Act::DecidePairs,
        Act::AcceptPairs,
        Act::Score,
        Act::ReopenSheet,
        Act::Undo,
        Act::Assign,
        Act::Unassign,
        Act::AddKey,
        Act::RemoveKey,
        Act::MarkAttendance,
        Act::Import {
            kind: "participants",
        },
        Act::ReadHistory {
            juror: j("J02"),
            participant: p("P005"),
        },
    ];
    let things = [
        Thing::Juror,
        Thing::Stage,
        Thing::Listener,
        Thing::Event,
        Thing::Participant,
        Thing::Mentor,
        Thing::Intern,
    ];
    let keys = [
        KeyError::Empty,
        KeyError::NoAlgorithm,
        KeyError::NoBlob("ssh-ed25519".into()),
        KeyError::BadBase64,
        KeyError::Mismatch {
            outer: "ssh-ed25519".into(),
            inner: "ssh-rsa".into(),
        },
        KeyError::PrivateKey,
        KeyError::Options("from=\"10.0.0.1\"".into()),
    ];
    let reasons = [
        ConflictReason::Declared(" ".into()),
        ConflictReason::Declared("родственник".into()),
        ConflictReason::SameMunicipality,
        ConflictReason::SameTos,
    ];
    let stage = || "Конкурс портфолио".to_string();
    let mut out: Vec<Refusal> = acts
        .into_iter()
        .map(|act| Refusal::Forbidden {
            actor: j("J02"),
            role: Role::Juror,
            act,
        })
        .collect();
    out.extend(things.into_iter().map(|what| Refusal::Unknown {
        what,
        id: "X9".into(),
    }));
    out.extend(keys.into_iter().map(Refusal::BadKey));
    out.extend(reasons.into_iter().map(|reason| Refusal::Conflict {
        juror: j("J01"),
        participant: p("P005"),
        reason,
    }));
    out.extend([
        Refusal::StageClosed { stage: stage() },
        Refusal::NotAssigned {
            participant: p("P005"),
            juror: j("J02"),
            stage: stage(),
        },
        Refusal::SheetSubmitted {
            participant: p("P005"),
        },
        Refusal::SheetAbstained {
            participant: p("P005"),
        },
        Refusal::NoSuchCriterion {
            stage: stage(),
            criterion: CriterionId::new("x"),
            jury: vec!["Медиаактивность".into(), "Партнёрство".into()],
        },
        Refusal::NotJuryCriterion {
            criterion: "Посещаемость".into(),
        },
        Refusal::ScoreOutOfRange {
            value: 11.0,
            max: 10.0,
            criterion: "Медиаактивность".into(),
        },
        Refusal::NotHalfPoint { value: 7.25 },
        Refusal::NotWholePoint { value: 7.5 },
        Refusal::NotAllScored {
            missing: vec!["Медиаактивность".into()],
        },
        Refusal::CommentAlways,
        Refusal::CommentForExtremes {
            criteria: vec!["Партнёрство".into()],
        },
        Refusal::AbstainReasonMissing,
        Refusal::ConflictReasonMissing,
        Refusal::SheetReopenReasonMissing,
        Refusal::StageReopenReasonMissing,
        Refusal::TieReasonMissing,
        Refusal::CloseReasonMissing,
        Refusal::AcceptReasonMissing,
        Refusal::ForbidReasonMissing,
        Refusal::NoSheet {
            juror: j("J02"),
            participant: p("P005"),
            stage: stage(),
        },
        Refusal::SheetNotSubmitted {
            juror: j("J02"),
            participant: p("P005"),
        },
        Refusal::ChangedSinceUndo,
        Refusal::NotAJuror {
            juror: j("C1"),
            role: Role::Observer,
        },
        Refusal::NotInStage {
            participant: p("P005"),
            stage: stage(),
        },
        Refusal::AlreadyScored {
            juror: j("J02"),
            participant: p("P005"),
        },
        Refusal::KeyTaken { owner: j("J01") },
        Refusal::NoSuchKey {
            juror: j("J01"),
            fingerprint: "SHA256:abc".into(),
        },
        Refusal::NoJuryCriteria { stage: stage() },
        Refusal::NobodyToAssign { stage: stage() },
        Refusal::TooManyPerParticipant {
            asked: 4_294_967_295,
            jurors: 5,
        },
        Refusal::NobodyCompetes { stage: stage() },
        Refusal::NoDetailBefore {
            seq: 12,
            at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            zone: None,
            summary: "import".into(),
        },
        Refusal::StageAlreadyClosed { stage: stage() },
        Refusal::PreviousStageOpen { previous: stage() },
        Refusal::NotFinal {
            stage: stage(),
            blockers: vec![
                Blocker::Incomplete {
                    participant: p("P005"),
                    have: 1,
                    need: 3,
                },
                Blocker::TieAtCutoff {
                    participants: vec![p("P001"), p("P002")],
                    group: Some(GroupId::new("rural")),
                    rank: 3,
                    places: 3,
                },
            ],
        },
        Refusal::StageNotClosed { stage: stage() },
        Refusal::LaterStageClosed { next: stage() },
        Refusal::LaterStageStarted { next: stage() },
        Refusal::ListedTwice,
        Refusal::NotATie { ties: Vec::new() },
        Refusal::NotATie {
            ties: vec![
                crate::domain::refusal::ListedTie {
                    rank: 2,
                    group: None,
                    participants: vec![p("P001"), p("P002")],
                },
                crate::domain::refusal::ListedTie {
                    rank: 3,
                    group: Some("Сельские поселения".into()),
                    participants: vec![p("P003"), p("P004")],
                },
            ],
        },
        Refusal::BeforeTheDatabase {
            at: chrono::DateTime::from_timestamp(1_600_000_000, 0).unwrap(),
            first: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            zone: Some("Asia/Irkutsk".into()),
        },
        Refusal::NoTeamMemberLeft,
        Refusal::InternLocked {
            intern: "I01".into(),
            mentor: "M01".into(),
        },
        Refusal::ProposalStale,
        Refusal::TeamUndecided {
            id: StageId::new("final"),
            stage: "Финал: защита практики".into(),
        },
        Refusal::ProtocolOpen {
            id: StageId::new("final"),
            stage: "Финал: защита практики".into(),
        },
        Refusal::NoMatchingAccepted,
        Refusal::NoStages,
        Refusal::NobodyAtFinal { stage: stage() },
        Refusal::BlindStageOpen {
            stage: stage(),
            done: 12,
            assigned: 180,
        },
        Refusal::BlindStageOpen {
            stage: stage(),
            done: 0,
            assigned: 0,
        },
        Refusal::RegulationChangesScoredStages {
            stages: vec![
                crate::domain::refusal::ScoredStage {
                    name: "Образовательный этап".into(),
                    closed: true,
                    sheets: 0,
                },
                crate::domain::refusal::ScoredStage {
                    name: stage(),
                    closed: false,
                    sheets: 12,
                },
            ],
        },
        Refusal::RegulationReasonMissing,
        Refusal::WrongRecordKind {
            index: 3,
            found: "events",
            expected: "participants",
        },
    ]);
    // Every kind is listed above.
    for r in &out {
        match r {
            Refusal::Forbidden { .. }
            | Refusal::Unknown { .. }
            | Refusal::StageClosed { .. }
            | Refusal::NotAssigned { .. }
            | Refusal::SheetSubmitted { .. }
            | Refusal::SheetAbstained { .. }
            | Refusal::NoSuchCriterion { .. }
            | Refusal::NotJuryCriterion { .. }
            | Refusal::ScoreOutOfRange { .. }
            | Refusal::NotHalfPoint { .. }
            | Refusal::NotWholePoint { .. }
            | Refusal::NotAllScored { .. }
            | Refusal::CommentAlways
            | Refusal::CommentForExtremes { .. }
            | Refusal::AbstainReasonMissing
            | Refusal::ConflictReasonMissing
            | Refusal::SheetReopenReasonMissing
            | Refusal::StageReopenReasonMissing
            | Refusal::TieReasonMissing
            | Refusal::CloseReasonMissing
            | Refusal::AcceptReasonMissing
            | Refusal::ForbidReasonMissing
            | Refusal::NoSheet { .. }
            | Refusal::SheetNotSubmitted { .. }
            | Refusal::ChangedSinceUndo
            | Refusal::NotAJuror { .. }
            | Refusal::NotInStage { .. }
            | Refusal::Conflict { .. }
            | Refusal::AlreadyScored { .. }
            | Refusal::BadKey(_)
            | Refusal::KeyTaken { .. }
            | Refusal::NoSuchKey { .. }
            | Refusal::NoJuryCriteria { .. }
            | Refusal::NobodyToAssign { .. }
            | Refusal::TooManyPerParticipant { .. }
            | Refusal::NobodyCompetes { .. }
            | Refusal::NoDetailBefore { .. }
            | Refusal::BeforeTheDatabase { .. }
            | Refusal::StageAlreadyClosed { .. }
            | Refusal::PreviousStageOpen { .. }
            | Refusal::NotFinal { .. }
            | Refusal::StageNotClosed { .. }
            | Refusal::LaterStageClosed { .. }
            | Refusal::LaterStageStarted { .. }
            | Refusal::ListedTwice
            | Refusal::NotATie { .. }
            | Refusal::NoTeamMemberLeft
            | Refusal::InternLocked { .. }
            | Refusal::ProposalStale
            | Refusal::TeamUndecided { .. }
            | Refusal::ProtocolOpen { .. }
            | Refusal::NoMatchingAccepted
            | Refusal::NoStages
            | Refusal::NobodyAtFinal { .. }
            | Refusal::BlindStageOpen { .. }
            | Refusal::RegulationChangesScoredStages { .. }
            | Refusal::RegulationReasonMissing
            | Refusal::WrongRecordKind { .. } => {}
        }
    }
    out
}

/// Latin words a Russian sentence may hold: ids, key names, commands,
/// formats and key types.
const ALLOWED_LATIN: &[&str] = &[
    "P",
    "advance",
    "stage",
    "final",
    "match",
    "accept",
    "reason",
    "a",
    "draft",
    "force",
    "J",
    "C",
    "X",
    "I",
    "M",
    "SSH",
    "SHA",
    "abc",
    "konkurs",
    "init",
    "regulation",
    "reason",
    "resolve",
    "tie",
    "base",
    "pub",
    "ssh",
    "ed",
    "rsa",
    "ecdsa",
    "sha",
    "nistp",
    "sk",
    "openssh",
    "com",
    "dss",
    "AAAAC",
    "Nz",
    "rural",
    "UTC",
    "import",
    "events",
    "x",
    // An SSH key option as the person pasted it.
    "from",
];

/// The Latin words of `text` that are not ids or allowed names.
pub(crate) fn latin_words(text: &str, allowed: &[&str]) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty() && !allowed.contains(w))
        .map(str::to_string)
        .collect()
}

fn check_words(text: &str, lang: Lang) {
    assert!(
        !text.contains('{') && !text.contains('}'),
        "unfilled: {text}"
    );
    assert!(!text.contains("refusal."), "a key is missing: {text}");
    assert!(!text.trim().is_empty());
    if lang == Lang::Ru {
        let latin = latin_words(text, ALLOWED_LATIN);
        assert!(latin.is_empty(), "English in «{text}»: {latin:?}");
    }
}

#[test]
fn every_refusal_is_worded_in_both_languages_with_every_placeholder_filled() {
    for lang in [Lang::En, Lang::Ru] {
        let tr = I18n::new(lang);
        for r in every_refusal() {
            check_words(&refusal(&r, &tr), lang);
        }
    }
}

#[test]
fn a_score_out_of_range_is_worded_with_the_criterion_and_the_language_s_numbers() {
    let r = Refusal::ScoreOutOfRange {
        value: 10.5,
        max: 10.0,
        criterion: "Медиаактивность".into(),
    };
    assert_eq!(
        refusal(&r, &I18n::new(Lang::Ru)),
        "оценка 10,5 вне допустимых пределов для критерия «Медиаактивность»: поставьте от 0 до 10"
    );
    assert_eq!(
        refusal(&r, &I18n::new(Lang::En)),
        "10.5 is out of range for «Медиаактивность»: give 0 to 10"
    );
}

#[test]
fn a_forbidden_act_names_the_role_in_the_language() {
    let r = Refusal::Forbidden {
        actor: j("J02"),
        role: Role::Juror,
        act: Act::SeeOpenRanking {
            stage: "Финал".into(),
        },
    };
    assert_eq!(
        refusal(&r, &I18n::new(Lang::Ru)),
        "J02 (эксперт) не может смотреть рейтинг этапа «Финал» до его закрытия"
    );
    assert_eq!(
        refusal(&r, &I18n::new(Lang::En)),
        "J02 (juror) may not see the ranking of the stage 'Финал' before it is closed"
    );
}

#[test]
fn an_undone_score_names_the_criterion_and_both_values() {
    let u = Undone {
        seq: 24,
        participant: p("P005"),
        what: UndoneChange::Score {
            criterion: "Опыт наставничества".into(),
            restored: Some(0.5),
            taken_back: Some(1.0),
        },
    };
    let ru = undone(&u, &I18n::new(Lang::Ru));
    assert_eq!(ru, "№24: P005, «Опыт наставничества» — снова 0,5 (было 1)");
    check_words(&ru, Lang::Ru);
    let cleared = Undone {
        what: UndoneChange::Score {
            criterion: "Опыт наставничества".into(),
            restored: None,
            taken_back: Some(1.0),
        },
        ..u.clone()
    };
    assert!(undone(&cleared, &I18n::new(Lang::Ru)).contains("снова без оценки"));
    let comment = Undone {
        what: UndoneChange::Comment,
        ..u
    };
    check_words(&undone(&comment, &I18n::new(Lang::Ru)), Lang::Ru);
    check_words(&undone(&comment, &I18n::new(Lang::En)), Lang::En);
}

#[test]
fn an_assignment_plan_is_worded_line_by_line_in_russian() {
    let assignment = |p_: &str, j_: &str, origin| Assignment {
        stage: StageId::new("portfolio"),
        participant: p(p_),
        juror: j(j_),
        origin,
    };
    let plan = AssignmentPlan {
        stage: StageId::new("portfolio"),
        jurors_per_participant: 2,
        assignments: vec![
            assignment("P001", "J01", AssignmentOrigin::Manual),
            assignment("P001", "J02", AssignmentOrigin::Auto),
            assignment("P002", "J02", AssignmentOrigin::Auto),
        ],
        loads: vec![
            crate::domain::assignment::JurorLoad {
                juror: j("J01"),
                load: 1,
                fixed: 1,
            },
            crate::domain::assignment::JurorLoad {
                juror: j("J02"),
                load: 2,
                fixed: 0,
            },
        ],
        shortfalls: vec![Shortfall {
            participant: p("P002"),
            assigned: 1,
            needed: 2,
            unavailable: vec![
                (
                    j("J01"),
                    Unavailable::Conflict(ConflictReason::SameMunicipality),
                ),
                (j("J03"), Unavailable::AtCapacity { load: 4 }),
            ],
        }],
        released: vec![Released {
            assignment: assignment("P003", "J03", AssignmentOrigin::Auto),
            why: ReleaseReason::NotInStage,
            scoring_started: true,
        }],
        participants: 2,
        kept: 1,
        added: 2,
    };
    let ru = plan_lines(&plan, Lang::Ru);
    assert_eq!(ru.len(), 3, "{ru:?}");
    assert!(
        ru[0].starts_with("Этап «Конкурс портфолио»: участников — 2"),
        "{ru:?}"
    );
    assert!(ru[0].contains("нагрузка экспертов — от 1 до 2"), "{ru:?}");
    assert!(
        ru[1].contains("J01 — одно муниципальное образование"),
        "{ru:?}"
    );
    for line in &ru {
        check_words(line, Lang::Ru);
    }
    for line in plan_lines(&plan, Lang::En) {
        check_words(&line, Lang::En);
    }
    for why in [
        ReleaseReason::Conflict(ConflictReason::SameTos),
        ReleaseReason::NotOnJury,
        ReleaseReason::Surplus,
        ReleaseReason::Rebalanced,
    ] {
        let mut other = plan.clone();
        other.released[0].why = why;
        for line in plan_lines(&other, Lang::Ru) {
            check_words(&line, Lang::Ru);
        }
    }
}

fn plan_lines(p: &AssignmentPlan, lang: Lang) -> Vec<String> {
    plan(p, "Конкурс портфолио", &I18n::new(lang))
}

#[test]
fn every_breach_of_a_batch_is_worded_in_both_languages() {
    use crate::domain::ids::EventId;
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2021, 3, d).unwrap();
    let breaches = vec![
        Breach::NoRegulation,
        Breach::UnknownGroup {
            group: GroupId::new("town"),
            known: vec![(GroupId::new("rural"), "Сельские поселения".into())],
        },
        Breach::EndsBeforeStart {
            start: day(10),
            end: day(9),
        },
        Breach::UnknownListener(p("P009")),
        Breach::UnknownEvent(EventId::new("E09")),
        Breach::OutsideEvent {
            date: day(20),
            event: EventId::new("E01"),
            start: day(1),
            end: day(2),
        },
        Breach::UnknownParticipant(p("P009")),
        Breach::UnknownJuror(j("J09")),
        Breach::BadId {
            id: "P001\u{200B}".into(),
            fault: crate::domain::clean::IdFault::Char('\u{200B}'),
        },
        Breach::BadId {
            id: "P 1".into(),
            fault: crate::domain::clean::IdFault::Char(' '),
        },
        Breach::BadId {
            id: "..".into(),
            fault: crate::domain::clean::IdFault::DotDot,
        },
        Breach::HiddenCharacter(crate::domain::clean::Hidden {
            c: '\u{202E}',
            line: 2,
            column: 3,
        }),
        Breach::HiddenCharacter(crate::domain::clean::Hidden {
            c: '\u{1b}',
            line: 1,
            column: 3,
        }),
    ];
    for b in &breaches {
        match b {
            Breach::NoRegulation
            | Breach::UnknownGroup { .. }
            | Breach::EndsBeforeStart { .. }
            | Breach::UnknownListener(_)
            | Breach::UnknownEvent(_)
            | Breach::OutsideEvent { .. }
            | Breach::UnknownParticipant(_)
            | Breach::UnknownJuror(_)
            | Breach::BadId { .. }
            | Breach::HiddenCharacter(_) => {}
        }
    }
    let violations: Vec<Violation> = breaches
        .into_iter()
        .enumerate()
        .map(|(index, breach)| Violation {
            index,
            field: "group",
            breach,
        })
        .collect();
    for lang in [Lang::En, Lang::Ru] {
        let text = rejected(&violations, &I18n::new(lang));
        let allowed: Vec<&str> = ALLOWED_LATIN
            .iter()
            .copied()
            .chain(["town", "group", "E", "FILE", "U", "B", "E", "u", "b", "P"])
            .collect();
        let unescaped = text.replace("\\u{", "");
        assert!(
            !unescaped.contains('{') && !text.contains("refusal."),
            "{text}"
        );
        if lang == Lang::Ru {
            assert!(
                text.starts_with("отклонено записей: 13; запись 1, поле group: "),
                "{text}"
            );
            let latin = latin_words(&text, &allowed);
            assert!(latin.is_empty(), "{text}: {latin:?}");
        }
    }
}

/// The time of the entry a past ranking cannot cross is the contest's.
#[test]
fn no_detail_before_shows_the_time_in_the_contests_zone() {
    let r = Refusal::NoDetailBefore {
        seq: 12,
        // 2023-11-14 22:13:20 UTC, 06:13:20 the next day in Irkutsk.
        at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        zone: Some("Asia/Irkutsk".into()),
        summary: "import".into(),
    };
    let ru = refusal(&r, &I18n::new(Lang::Ru));
    assert!(
        ru.contains("(2023-11-15 06:13:20 (UTC+08:00), import)"),
        "{ru}"
    );
    let en = refusal(&r, &I18n::new(Lang::En));
    assert!(en.contains("2023-11-15 06:13:20 (UTC+08:00)"), "{en}");
}
