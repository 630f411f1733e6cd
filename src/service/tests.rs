//! Service tests on a small contest built in place: the sample regulation,
//! six participants, three jurors, a coordinator and an observer.

use super::*;
use crate::domain::contest::{Record, RegulationDoc};
use crate::domain::ids::*;
use crate::domain::participant::{Indicators, Participant};
use crate::domain::people::Juror;
use crate::domain::scoring::{SheetStatus, StageState, StageStatus};
use chrono::NaiveDate;

pub(crate) const REGULATION: &str = include_str!("../../sample-data/regulation.toml");

pub(crate) struct Fixture {
    pub _dir: tempfile::TempDir,
    pub service: Arc<Service>,
    pub coordinator: Actor,
}

fn participant(id: &str, group: &str, municipality: &str) -> Record {
    Record::Participant(Participant {
        id: id.into(),
        full_name: format!("Участник {id}"),
        tos_name: format!("ТОС {id}"),
        municipality: municipality.into(),
        group: GroupId::new(group),
        email: String::new(),
        phone: String::new(),
        application_date: NaiveDate::from_ymd_opt(2021, 1, 10).unwrap(),
        indicators: Indicators::default(),
        notes: String::new(),
    })
}

fn person(id: &str, role: Role, municipality: &str) -> Record {
    Record::Juror(Juror {
        id: id.into(),
        full_name: format!("Эксперт {id}"),
        role,
        email: String::new(),
        municipality: municipality.into(),
        tos_name: String::new(),
        keys: Vec::new(),
    })
}

/// A contest at the portfolio stage (education closed, everyone advanced).
pub(crate) fn fixture_with(regulation: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(dir.path()).unwrap();
    let coordinator = Actor::local("local");
    service
        .set_regulation(
            &coordinator,
            RegulationDoc {
                file_name: "regulation.toml".into(),
                source: regulation.into(),
            },
        )
        .unwrap();
    let people = vec![
        participant("P1", "city", "Иркутск"),
        participant("P2", "city", "Ангарск"),
        participant("P3", "urban", "Шелехов"),
        participant("P4", "urban", "Слюдянка"),
        participant("P5", "rural", "Хомутово"),
        participant("P6", "rural", "Оёк"),
    ];
    service
        .import_records(
            &coordinator,
            ImportKind::Participants,
            people,
            "test",
            false,
        )
        .unwrap();
    let jury = vec![
        person("J1", Role::Juror, "Иркутск"),
        person("J2", Role::Juror, "Братск"),
        person("J3", Role::Juror, "Тулун"),
        person("C1", Role::Coordinator, ""),
        person("O1", Role::Observer, ""),
    ];
    service
        .import_records(&coordinator, ImportKind::Jurors, jury, "test", false)
        .unwrap();
    // Close the educational stage with everyone advancing.
    service
        .commit_with(&coordinator, "test.close", |c| {
            Ok((
                vec![Change::Put(Record::Stage(StageState {
                    stage: "education".into(),
                    status: StageStatus::Closed {
                        at: Utc::now(),
                        by: "C1".into(),
                        snapshot_hash: "test".into(),
                    },
                    advanced: c.participants.keys().cloned().collect(),
                }))],
                "closed for a test".into(),
            ))
        })
        .unwrap();
    Fixture {
        _dir: dir,
        service: Arc::new(service),
        coordinator,
    }
}

pub(crate) fn fixture() -> Fixture {
    fixture_with(REGULATION)
}

fn portfolio() -> StageId {
    "portfolio".into()
}

fn actor(f: &Fixture, id: &str) -> Actor {
    f.service.actor(id).unwrap()
}

fn assign(f: &Fixture, p: &str, j: &str) {
    f.service
        .assign(&f.coordinator, &portfolio(), &p.into(), &j.into())
        .unwrap();
}

fn score(
    f: &Fixture,
    j: &str,
    p: &str,
    c: &str,
    v: f64,
) -> Result<crate::domain::scoring::ScoreSheet> {
    f.service
        .set_score(&actor(f, j), &portfolio(), &p.into(), &c.into(), Some(v))
}

fn err(r: Result<impl std::fmt::Debug>) -> String {
    r.expect_err("should be refused").to_string()
}

fn full_sheet(f: &Fixture, j: &str, p: &str, v: f64) {
    for c in [
        "projects",
        "creative_task",
        "partnership",
        "media",
        "mentoring",
    ] {
        score(f, j, p, c, v).unwrap();
    }
}

#[test]
fn a_juror_scores_saves_drafts_and_submits() {
    let f = fixture();
    assign(&f, "P2", "J2");
    let sheet = score(&f, "J2", "P2", "projects", 7.5).unwrap();
    assert_eq!(sheet.status, SheetStatus::Draft);
    full_sheet(&f, "J2", "P2", 6.0);
    let j2 = actor(&f, "J2");
    f.service
        .set_comment(&j2, &portfolio(), &"P2".into(), "Сильное портфолио")
        .unwrap();
    let s = f.service.submit(&j2, &portfolio(), &"P2".into()).unwrap();
    assert_eq!(s.status, SheetStatus::Submitted);
    // The coordinator sees the progress.
    let progress = f.service.view(&f.coordinator).progress(&portfolio());
    assert_eq!(progress[&JurorId::new("J2")].submitted, 1);
}

#[test]
fn bad_scores_are_refused_clearly() {
    let f = fixture();
    assign(&f, "P2", "J2");
    let e = err(score(&f, "J2", "P2", "projects", 11.0));
    assert!(e.contains("out of range") && e.contains("0 to 10"), "{e}");
    let e = err(score(&f, "J2", "P2", "projects", -1.0));
    assert!(e.contains("out of range"), "{e}");
    let e = err(score(&f, "J2", "P2", "projects", 7.25));
    assert!(e.contains("not a whole or half point"), "{e}");
    let e = err(score(&f, "J2", "P2", "creativity", 5.0));
    assert!(
        e.contains("no criterion 'creativity'") && e.contains("«Творческое задание»"),
        "{e}"
    );
    let e = err(score(&f, "J2", "P2", "implemented", 5.0));
    assert!(e.contains("counted from data"), "{e}");
    let e = err(score(&f, "J2", "P3", "projects", 5.0));
    assert!(e.contains("not assigned to you"), "{e}");
    // Nothing of the refused calls was written.
    assert!(
        f.service
            .view(&f.coordinator)
            .sheet(&portfolio(), &"P2".into(), &"J2".into())
            .is_none()
    );
}

#[test]
fn half_points_are_refused_where_the_regulation_does_not_allow_them() {
    let f = fixture_with(&REGULATION.replacen("half_points = true", "half_points = false", 1));
    assign(&f, "P2", "J2");
    let e = err(score(&f, "J2", "P2", "projects", 7.5));
    assert!(e.contains("does not allow half points"), "{e}");
    assert!(score(&f, "J2", "P2", "projects", 7.0).is_ok());
}

#[test]
fn a_submitted_sheet_is_locked_until_the_coordinator_reopens_it() {
    let f = fixture();
    assign(&f, "P2", "J2");
    full_sheet(&f, "J2", "P2", 5.0);
    let j2 = actor(&f, "J2");
    f.service.submit(&j2, &portfolio(), &"P2".into()).unwrap();
    let e = err(score(&f, "J2", "P2", "projects", 6.0));
    assert!(e.contains("submitted") && e.contains("reopen"), "{e}");
    let e = err(f
        .service
        .reopen(&j2, &portfolio(), &"P2".into(), &"J2".into(), "oops"));
    assert!(e.contains("may not reopen"), "{e}");
    let e = err(f.service.reopen(
        &f.coordinator,
        &portfolio(),
        &"P2".into(),
        &"J2".into(),
        " ",
    ));
    assert!(e.contains("reason is required"), "{e}");
    f.service
        .reopen(
            &f.coordinator,
            &portfolio(),
            &"P2".into(),
            &"J2".into(),
            "a typo in media",
        )
        .unwrap();
    assert!(score(&f, "J2", "P2", "projects", 6.0).is_ok());
    let audit = f.service.audit(&f.coordinator).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "score.reopen" && e.summary.contains("a typo in media"))
    );
}

#[test]
fn submit_needs_every_criterion_and_a_comment_for_extremes() {
    let f = fixture();
    assign(&f, "P2", "J2");
    let j2 = actor(&f, "J2");
    score(&f, "J2", "P2", "projects", 10.0).unwrap();
    let e = err(f.service.submit(&j2, &portfolio(), &"P2".into()));
    assert!(e.contains("not every criterion"), "{e}");
    full_sheet(&f, "J2", "P2", 5.0);
    score(&f, "J2", "P2", "media", 10.0).unwrap();
    let e = err(f.service.submit(&j2, &portfolio(), &"P2".into()));
    assert!(
        e.contains("justification comment") && e.contains("Медиаактивность"),
        "{e}"
    );
    f.service
        .set_comment(&j2, &portfolio(), &"P2".into(), "Лучшие медиа в районе")
        .unwrap();
    assert!(f.service.submit(&j2, &portfolio(), &"P2".into()).is_ok());
}

#[test]
fn nobody_but_an_assigned_juror_scores() {
    let f = fixture();
    assign(&f, "P2", "J2");
    let o1 = actor(&f, "O1");
    let e = err(f.service.set_score(
        &o1,
        &portfolio(),
        &"P2".into(),
        &"projects".into(),
        Some(5.0),
    ));
    assert!(e.contains("observer") && e.contains("may not score"), "{e}");
    let e = err(f.service.set_score(
        &f.coordinator,
        &portfolio(),
        &"P2".into(),
        &"projects".into(),
        Some(5.0),
    ));
    assert!(
        e.contains("coordinator") && e.contains("may not score"),
        "{e}"
    );
    let e = err(f
        .service
        .assign(&actor(&f, "J2"), &portfolio(), &"P3".into(), &"J2".into()));
    assert!(e.contains("may not assign"), "{e}");
}

#[test]
fn a_closed_stage_is_frozen() {
    let f = fixture();
    let e = err(f.service.assign(
        &f.coordinator,
        &"education".into(),
        &"P1".into(),
        &"J1".into(),
    ));
    assert!(e.contains("is closed"), "{e}");
    assign(&f, "P2", "J2");
    f.service
        .commit_with(&f.coordinator, "test.close", |_| {
            Ok((
                vec![Change::Put(Record::Stage(StageState {
                    stage: portfolio(),
                    status: StageStatus::Closed {
                        at: Utc::now(),
                        by: "C1".into(),
                        snapshot_hash: "x".into(),
                    },
                    advanced: Vec::new(),
                }))],
                "closed".into(),
            ))
        })
        .unwrap();
    let e = err(score(&f, "J2", "P2", "projects", 5.0));
    assert!(e.contains("is closed"), "{e}");
}

#[test]
fn conflicts_are_refused_at_assignment_and_declared_ones_remove_it() {
    let f = fixture();
    // J1 lives in Irkutsk, P1 too: the portfolio stage forbids the same municipality.
    let e = err(f
        .service
        .assign(&f.coordinator, &portfolio(), &"P1".into(), &"J1".into()));
    assert!(e.contains("same municipality"), "{e}");
    assign(&f, "P3", "J1");
    let j1 = actor(&f, "J1");
    score(&f, "J1", "P3", "projects", 4.0).unwrap();
    f.service
        .declare_conflict(&j1, &portfolio(), &"P3".into(), "a relative")
        .unwrap();
    let view = f.service.view(&f.coordinator);
    assert!(
        view.assignments(&portfolio())
            .iter()
            .all(|a| a.juror.as_str() != "J1")
    );
    assert!(
        view.conflicts()
            .any(|c| c.juror.as_str() == "J1" && c.reason == "a relative")
    );
    let e = err(f
        .service
        .assign(&f.coordinator, &portfolio(), &"P3".into(), &"J1".into()));
    assert!(e.contains("a relative"), "{e}");
}

#[test]
fn blind_scores_stay_hidden_from_other_jurors_through_every_call() {
    let f = fixture();
    assign(&f, "P3", "J2");
    assign(&f, "P3", "J3");
    full_sheet(&f, "J2", "P3", 6.0);
    f.service
        .submit(&actor(&f, "J2"), &portfolio(), &"P3".into())
        .unwrap();
    let j3 = actor(&f, "J3");
    let view = f.service.view(&j3);
    assert!(
        view.sheet(&portfolio(), &"P3".into(), &"J2".into())
            .is_none()
    );
    assert!(view.sheets(&portfolio(), &"P3".into()).is_empty());
    assert!(
        view.stage_sheets(&portfolio())
            .iter()
            .all(|s| s.juror == j3.id)
    );
    assert!(view.progress(&portfolio()).keys().all(|j| *j == j3.id));
    let e = err(f
        .service
        .history(&j3, &portfolio(), &"P3".into(), &"J2".into()));
    assert!(e.contains("is blind"), "{e}");
    assert!(f.service.audit(&j3).is_err());
    assert!(f.service.backup(&j3).is_err());
    // The observer does not see open blind scores either; the coordinator does.
    let o1 = actor(&f, "O1");
    assert!(
        f.service
            .view(&o1)
            .sheets(&portfolio(), &"P3".into())
            .is_empty()
    );
    assert_eq!(
        f.service
            .view(&f.coordinator)
            .sheets(&portfolio(), &"P3".into())
            .len(),
        1
    );
    // Own sheets stay readable, with history.
    let j2 = actor(&f, "J2");
    assert_eq!(
        f.service.view(&j2).sheets(&portfolio(), &"P3".into()).len(),
        1
    );
    assert!(
        !f.service
            .history(&j2, &portfolio(), &"P3".into(), &"J2".into())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn undo_takes_back_the_last_change_and_history_shows_every_version() {
    let f = fixture();
    assign(&f, "P2", "J2");
    let j2 = actor(&f, "J2");
    score(&f, "J2", "P2", "projects", 5.0).unwrap();
    score(&f, "J2", "P2", "projects", 8.0).unwrap();
    score(&f, "J2", "P2", "media", 3.0).unwrap();
    let undone = f.service.undo(&j2).unwrap().unwrap();
    assert!(
        matches!(
            &undone.what,
            crate::domain::refusal::UndoneChange::Score { restored: None, taken_back: Some(v), .. }
                if *v == 3.0
        ),
        "{undone:?}"
    );
    let sheet = |f: &Fixture| {
        f.service
            .view(&f.coordinator)
            .sheet(&portfolio(), &"P2".into(), &"J2".into())
            .cloned()
            .unwrap()
    };
    assert!(!sheet(&f).scores.contains_key(&CriterionId::new("media")));
    f.service.undo(&j2).unwrap().unwrap();
    assert_eq!(sheet(&f).scores[&CriterionId::new("projects")], 5.0);
    f.service.undo(&j2).unwrap().unwrap();
    assert!(
        f.service
            .view(&f.coordinator)
            .sheet(&portfolio(), &"P2".into(), &"J2".into())
            .is_none(),
        "the first score's undo removes the sheet it created"
    );
    assert_eq!(f.service.undo(&j2).unwrap(), None, "nothing more to undo");
    let history = f
        .service
        .history(&j2, &portfolio(), &"P2".into(), &"J2".into())
        .unwrap();
    let projects: Vec<(String, String)> = history
        .iter()
        .filter(|h| {
            h.criterion
                .as_ref()
                .is_some_and(|c| c.as_str() == "projects")
        })
        .map(|h| (h.before.clone(), h.after.clone()))
        .collect();
    assert_eq!(
        projects,
        vec![
            ("-".to_string(), "5".to_string()),
            ("5".into(), "8".into()),
            ("8".into(), "5".into()),
            ("5".into(), "-".into())
        ]
    );
    assert!(history.iter().all(|h| h.actor == "J2"));
}

#[test]
fn keys_identify_one_person_each() {
    let f = fixture();
    let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBMXQOi7B9ucD7hm08REueGTTIdCnpf5E60hj4HQw7Vw juror@example";
    let key = f
        .service
        .add_key(&f.coordinator, &"J1".into(), line)
        .unwrap();
    assert_eq!(
        key.fingerprint(),
        "SHA256:idM9aM8TxwqeMKVJFOotfQ50l1DPUP+2J4wtdT4iUgU"
    );
    let e = err(f.service.add_key(&f.coordinator, &"J2".into(), line));
    assert!(e.contains("already registered for J1"), "{e}");
    let who = f.service.authenticate("ssh-ed25519", &key.bytes()).unwrap();
    assert_eq!(who.id.as_str(), "J1");
    assert_eq!(who.role, Role::Juror);
    assert!(f.service.authenticate("ssh-ed25519", b"other").is_none());
    let e = err(f.service.add_key(&actor(&f, "J1"), &"J1".into(), line));
    assert!(e.contains("may not register"), "{e}");
}

#[test]
fn abstaining_needs_a_reason_and_locks_the_sheet() {
    let f = fixture();
    assign(&f, "P4", "J3");
    let j3 = actor(&f, "J3");
    let e = err(f.service.abstain(&j3, &portfolio(), &"P4".into(), ""));
    assert!(e.contains("say why"), "{e}");
    f.service
        .abstain(&j3, &portfolio(), &"P4".into(), "не успеваю изучить")
        .unwrap();
    let e = err(score(&f, "J3", "P4", "projects", 5.0));
    assert!(e.contains("abstained"), "{e}");
    assert_eq!(
        f.service.view(&f.coordinator).progress(&portfolio())[&JurorId::new("J3")].abstained,
        1
    );
}

#[test]
fn a_regulation_whose_quota_exceeds_its_group_is_refused() {
    let f = fixture();
    let text = REGULATION.replacen("quota = 3", "quota = 4", 1);
    let e = err(f.service.set_regulation(
        &f.coordinator,
        RegulationDoc {
            file_name: "regulation.toml".into(),
            source: text,
        },
    ));
    assert!(e.starts_with("regulation.toml:"), "{e}");
    assert!(e.contains("groups[1].quota") && e.contains("only 2"), "{e}");
}

#[test]
fn automatic_assignment_is_balanced_conflict_free_and_says_who_falls_short() {
    let f = fixture();
    let plan = f
        .service
        .assign_auto(&f.coordinator, &portfolio(), None)
        .unwrap();
    let en = crate::text::I18n::new(crate::text::Lang::En);
    let report = crate::text::refusal::plan(&plan, "portfolio", &en).join("\n");
    // P1 is from Irkutsk like J1: only two jurors are left for it.
    assert!(report.contains("P1 has 2 of 3 jurors"), "{report}");
    assert!(
        report.contains("J1") && report.contains("same municipality"),
        "{report}"
    );
    let view = f.service.view(&f.coordinator);
    let assignments = view.assignments(&portfolio());
    assert_eq!(assignments.len(), 17);
    assert!(
        !assignments
            .iter()
            .any(|a| a.juror.as_str() == "J1" && a.participant.as_str() == "P1")
    );
    let progress = view.progress(&portfolio());
    let loads: Vec<usize> = progress.values().map(|p| p.assigned).collect();
    assert!(
        loads.iter().max().unwrap() - loads.iter().min().unwrap() <= 1,
        "{loads:?}"
    );
    // A rerun changes nothing.
    let seq = f.service.audit(&f.coordinator).unwrap().len();
    f.service
        .assign_auto(&f.coordinator, &portfolio(), None)
        .unwrap();
    assert_eq!(f.service.audit(&f.coordinator).unwrap().len(), seq);
    // Jurors cannot run it; a stage without jury criteria has nobody to assign.
    let e = err(f.service.assign_auto(&actor(&f, "J2"), &portfolio(), None));
    assert!(e.contains("may not assign"), "{e}");
    // A count beyond the jury is refused before anything is sized by it.
    let e = err(f
        .service
        .assign_auto(&f.coordinator, &portfolio(), Some(4_294_967_295)));
    assert!(e.contains("4294967295 jurors per participant"), "{e}");
    assert_eq!(f.service.audit(&f.coordinator).unwrap().len(), seq);
}

#[test]
fn a_view_at_the_audit_head_holds_exactly_the_data_the_head_names() {
    let f = fixture();
    assign(&f, "P2", "J2");
    let j2 = actor(&f, "J2");
    let base = f.service.store().audit_head().unwrap().0;
    // One commit per comment: after commit k the comment is k and the head
    // is base + k. A reader taking the view and the head apart could see
    // one without the other while the writer runs.
    let writer = {
        let service = f.service.clone();
        let j2 = j2.clone();
        std::thread::spawn(move || {
            for k in 1..=150u64 {
                service
                    .set_comment(&j2, &portfolio(), &"P2".into(), &k.to_string())
                    .unwrap();
            }
        })
    };
    let mut seen = 0;
    while !writer.is_finished() || seen == 0 {
        let (view, (seq, _)) = f.service.view_at_head(&f.coordinator).unwrap();
        let comment = view
            .sheet(&portfolio(), &"P2".into(), &"J2".into())
            .map(|s| s.comment.clone())
            .unwrap_or_default();
        let expected = if seq == base {
            String::new()
        } else {
            (seq - base).to_string()
        };
        assert_eq!(comment, expected, "head {seq}");
        seen += 1;
    }
    writer.join().unwrap();
}

#[test]
fn a_commit_that_panics_leaves_the_service_writable() {
    let f = fixture();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = f.service.commit_with(&f.coordinator, "test.panic", |_| {
            panic!("a bug in one session's commit")
        });
    }));
    assert!(panicked.is_err());
    assign(&f, "P2", "J2");
    let view = f.service.view(&f.coordinator);
    assert!(
        view.assignments(&portfolio())
            .iter()
            .any(|a| a.participant.as_str() == "P2" && a.juror.as_str() == "J2")
    );
}

/// The refusal of a call, as data.
fn refusal<T: std::fmt::Debug>(r: Result<T>) -> Refusal {
    match r.expect_err("should be refused") {
        ServiceError::Refused(r) => r,
        other => panic!("not a refusal: {other:?}"),
    }
}

#[test]
fn an_open_blind_stage_shows_its_scores_to_coordinators_only_through_every_call() {
    let f = fixture();
    for p in ["P1", "P3", "P5"] {
        assign(&f, p, "J2");
        assign(&f, p, "J3");
    }
    full_sheet(&f, "J2", "P3", 6.0);
    f.service
        .submit(&actor(&f, "J2"), &portfolio(), &"P3".into())
        .unwrap();
    score(&f, "J3", "P5", "projects", 4.0).unwrap();
    let at = f.service.now();
    let blind = |done, assigned| Refusal::BlindStageOpen {
        stage: "Конкурс портфолио".into(),
        done,
        assigned,
    };

    // The observer: no ranking, live or past, no history, no scores; the
    // progress counts instead.
    let o1 = actor(&f, "O1");
    assert_eq!(
        refusal(f.service.analyse_stage(&o1, &portfolio()).map(|_| ())),
        blind(1, 6)
    );
    assert_eq!(
        refusal(
            f.service
                .analyse_stage_as_of(&o1, &portfolio(), at)
                .map(|_| ())
        ),
        blind(1, 6)
    );
    assert_eq!(
        refusal(
            f.service
                .history(&o1, &portfolio(), &"P3".into(), &"J2".into())
        ),
        blind(1, 6)
    );
    assert_eq!(
        refusal(f.service.may_see_scores(&o1, &portfolio())),
        blind(1, 6)
    );
    let view = f.service.view(&o1);
    assert!(!view.sees_all_scores(&portfolio()));
    assert!(view.stage_sheets(&portfolio()).is_empty());
    let progress = view.progress(&portfolio());
    assert_eq!(progress[&JurorId::new("J2")].submitted, 1);
    assert_eq!(progress[&JurorId::new("J3")].drafted, 1);
    // A sheet's state is progress, not scores.
    let state = view
        .sheet_state(&portfolio(), &"P3".into(), &"J2".into())
        .unwrap();
    assert_eq!((state.status, state.scored), (SheetStatus::Submitted, 5));

    // A juror: their own sheets only, and their own progress in the refusal.
    let j3 = actor(&f, "J3");
    assert_eq!(
        refusal(
            f.service
                .history(&j3, &portfolio(), &"P3".into(), &"J2".into())
        ),
        blind(0, 3)
    );
    assert!(f.service.analyse_stage(&j3, &portfolio()).is_err());
    assert!(
        f.service
            .analyse_stage_as_of(&j3, &portfolio(), at)
            .is_err()
    );
    let view = f.service.view(&j3);
    assert!(
        view.sheet_state(&portfolio(), &"P3".into(), &"J2".into())
            .is_none()
    );
    assert_eq!(view.stage_sheets(&portfolio()).len(), 1);
    assert!(
        f.service
            .history(&j3, &portfolio(), &"P5".into(), &"J3".into())
            .is_ok()
    );

    // The coordinator sees everything.
    let report = f
        .service
        .analyse_stage(&f.coordinator, &portfolio())
        .unwrap();
    assert!(
        report
            .declared()
            .rows
            .iter()
            .any(|r| r.juror_totals.iter().any(|j| j.juror.as_str() == "J2"))
    );
    assert!(
        f.service
            .may_see_scores(&f.coordinator, &portfolio())
            .is_ok()
    );

    // A stage that is not blind hides nothing from the observer.
    let open = REGULATION.replacen("blind = true", "blind = false", 1);
    let g = fixture_with(&open);
    assert!(
        g.service
            .analyse_stage(&g.service.actor("O1").unwrap(), &portfolio())
            .is_ok()
    );
}

fn doc(source: String) -> RegulationDoc {
    RegulationDoc {
        file_name: "regulation-2.toml".into(),
        source,
    }
}

#[test]
fn a_regulation_changing_a_scored_stage_is_refused_then_forced_with_its_hashes_and_reason() {
    // The sample's quotas, cut to the fixture's two participants per group.
    let base = REGULATION
        .replacen("quota = 5", "quota = 2", 1)
        .replacen("quota = 3", "quota = 2", 1)
        .replacen("quota = 4", "quota = 2", 1);
    let f = fixture_with(&base);
    assign(&f, "P3", "J2");
    score(&f, "J2", "P3", "projects", 7.0).unwrap();
    let old_hash = f
        .service
        .view(&f.coordinator)
        .regulation()
        .unwrap()
        .doc
        .hash();

    // Changing the scored stage, or the closed one, is refused, naming it.
    let heavier = base.replacen("weight = 1.5", "weight = 3.0", 1);
    assert_eq!(
        refusal(
            f.service
                .set_regulation(&f.coordinator, doc(heavier.clone()))
        ),
        Refusal::RegulationChangesScoredStages {
            stages: vec![crate::domain::refusal::ScoredStage {
                name: "Конкурс портфолио".into(),
                closed: false,
                sheets: 1,
            }],
        }
    );
    let e = err(f
        .service
        .set_regulation(&f.coordinator, doc(heavier.clone())));
    assert!(
        e.contains("'Конкурс портфолио' (1 score sheets)") && e.contains("--force --reason"),
        "{e}"
    );
    let formula = base.replace("topic_bonus = 1.5", "topic_bonus = 3.0");
    match refusal(f.service.set_regulation(&f.coordinator, doc(formula))) {
        Refusal::RegulationChangesScoredStages { stages } => assert_eq!(
            stages.iter().map(|s| s.closed).collect::<Vec<_>>(),
            [true, false],
            "{stages:?}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        f.service
            .view(&f.coordinator)
            .regulation()
            .unwrap()
            .doc
            .hash(),
        old_hash,
        "a refused regulation changes nothing"
    );

    // A stage not yet scored may change, and words may change anywhere.
    let final_changed = base.replace("aggregation = \"trimmed\"", "aggregation = \"median\"");
    assert!(
        f.service
            .set_regulation(&f.coordinator, doc(final_changed.clone()))
            .unwrap()
            .is_some()
    );

    // Forced: a reason is needed, and nobody but a coordinator may.
    assert_eq!(
        refusal(
            f.service
                .force_regulation(&f.coordinator, doc(heavier.clone()), "  ")
        ),
        Refusal::RegulationReasonMissing
    );
    assert!(matches!(
        refusal(
            f.service
                .force_regulation(&actor(&f, "O1"), doc(heavier.clone()), "why")
        ),
        Refusal::Forbidden { .. }
    ));
    let before = f
        .service
        .view(&f.coordinator)
        .regulation()
        .unwrap()
        .doc
        .hash();
    let entry = f
        .service
        .force_regulation(
            &f.coordinator,
            doc(heavier.clone()),
            "projects weigh double, by the jury's decision of 1 June",
        )
        .unwrap()
        .unwrap();
    let new_hash = doc(heavier).hash();
    assert_eq!(entry.action, "regulation.force");
    assert!(
        entry.summary.contains(&before)
            && entry.summary.contains(&new_hash)
            && entry.summary.contains("changed stages: portfolio")
            && entry.summary.contains("reason: projects weigh double"),
        "{}",
        entry.summary
    );
    let view = f.service.view(&f.coordinator);
    let changes: Vec<_> = view.regulation_changes().collect();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (
            changes[0].old_hash.as_str(),
            changes[0].new_hash.as_str(),
            changes[0].stages.clone()
        ),
        (before.as_str(), new_hash.as_str(), vec![portfolio()])
    );
    // No frozen ranking of the portfolio stage: nothing is stale.
    assert!(changes[0].frozen.is_empty());
    assert!(view.stale_ranking(&portfolio()).is_none());
}
