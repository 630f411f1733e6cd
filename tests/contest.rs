//! The sample contest run from the first stage to the team and its
//! mentoring pairs, through the same service the workstation uses: every
//! number of the result can be traced, the team fills the quotas, and a
//! closed stage never changes.

mod common;

use chrono::Utc;
use common::{konkurs, score_stage};
use konkurs::domain::ids::{CriterionId, StageId};
use konkurs::domain::matching::MatchMode;
use konkurs::domain::regulation::Aggregation;
use konkurs::service::{Actor, Service};

#[test]
fn the_sample_contest_runs_from_the_first_stage_to_the_team() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(dir.path()).unwrap();
    let coordinator = Actor::local_coordinator();
    konkurs::sample::load(&service, &coordinator).unwrap();
    let education = StageId::new("education");
    let portfolio = StageId::new("portfolio");
    let final_stage = StageId::new("final");

    // Education: counted from data, closed straight away.
    let frozen = service
        .close_stage(&coordinator, &education, "protocol of the jury")
        .unwrap();
    assert_eq!(frozen.advancing.len(), 25 + 15 + 20);
    assert!(frozen.verify());
    // Every education total is its indicator points, traceable to the data.
    let report = service.analyse_stage(&coordinator, &education).unwrap();
    let ranking = report.declared();
    let row = &ranking.rows[0];
    let points: f64 = report.data.indicator_points[&row.participant]
        .values()
        .sum();
    assert!(
        (row.total - points).abs() < 1e-9,
        "{} vs {points}",
        row.total
    );

    // Portfolio: assign, score, close.
    let before_scoring = Utc::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    service.assign_auto(&coordinator, &portfolio, None).unwrap();
    let e = service
        .close_stage(&coordinator, &portfolio, "protocol of the jury")
        .unwrap_err()
        .to_string();
    assert!(e.contains("lack submitted sheets"), "{e}");
    score_stage(&service, &portfolio, &common::PORTFOLIO_CRITERIA, |_| {
        "Портфолио изучено; обоснование в протоколе.".into()
    });
    let report = service.analyse_stage(&coordinator, &portfolio).unwrap();
    let ranking = report.declared();
    assert!(ranking.is_final(), "{:?}", ranking.blockers);
    // A row's total is its jurors' mean plus indicators plus the carried education total.
    let row = &ranking.rows[5];
    let mean: f64 =
        row.juror_totals.iter().map(|j| j.total).sum::<f64>() / row.juror_totals.len() as f64;
    let education_total = service
        .view(&coordinator)
        .snapshot(&education)
        .unwrap()
        .rows
        .iter()
        .find(|r| r.participant == row.participant)
        .unwrap()
        .total;
    assert!((row.aggregate - mean).abs() < 1e-9);
    assert!((row.carry_over_part - 0.2 * education_total).abs() < 1e-9);
    assert!((row.total - (row.aggregate + row.indicator_part + row.carry_over_part)).abs() < 1e-9);
    // As it stood before scoring, everyone was incomplete.
    let past = service
        .analyse_stage_as_of(&coordinator, &portfolio, before_scoring)
        .unwrap();
    assert!(
        past.declared()
            .rows
            .iter()
            .all(|r| r.juror_totals.is_empty())
    );
    let frozen_portfolio = service
        .close_stage(&coordinator, &portfolio, "protocol of the jury")
        .unwrap();
    assert_eq!(frozen_portfolio.advancing.len(), 10 + 6 + 8);

    // The final, then the team.
    service
        .assign_auto(&coordinator, &final_stage, None)
        .unwrap();
    score_stage(
        &service,
        &final_stage,
        &["defence", "internship_programme", "answers"],
        |_| "Портфолио изучено; обоснование в протоколе.".into(),
    );
    let report = service.analyse_stage(&coordinator, &final_stage).unwrap();
    assert_eq!(report.data.declared_method(), Aggregation::Trimmed);
    let team = service
        .close_stage(&coordinator, &final_stage, "protocol of the jury")
        .unwrap();
    assert_eq!(
        team.advancing.len(),
        5 + 3 + 4,
        "the team is the sum of the quotas"
    );
    let view = service.view(&coordinator);
    for (group, quota) in [("rural", 5), ("urban", 3), ("city", 4)] {
        let n = team
            .advancing
            .iter()
            .filter(|p| view.participant(p).unwrap().group.as_str() == group)
            .count();
        assert_eq!(n, quota, "{group}");
    }

    // Closed stages are frozen: no score changes, the snapshot still verifies.
    let j = service.actor("J02").unwrap();
    let any = service.view(&j).assignments(&portfolio)[0]
        .participant
        .clone();
    let e = service
        .set_score(&j, &portfolio, &any, &CriterionId::new("media"), Some(1.0))
        .unwrap_err()
        .to_string();
    assert!(e.contains("is closed"), "{e}");
    let again = service
        .view(&coordinator)
        .snapshot(&portfolio)
        .unwrap()
        .clone();
    assert_eq!(again, frozen_portfolio);
    assert!(again.verify());
    // Reopening the portfolio is refused: the final's scoring depends on it.
    let e = service
        .reopen_stage(&coordinator, &portfolio, "a complaint")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("the stage 'Финал: защита практики' after it is closed"),
        "{e}"
    );

    // Jurors see closed rankings only; they could not see this one while open.
    assert!(service.analyse_stage(&j, &final_stage).is_ok());

    // The team mentors: proposals, explanations, acceptance.
    let n = service.mentors_from_team(&coordinator).unwrap();
    assert_eq!(n, 12);
    let (_, proposal) = service.propose(&coordinator, MatchMode::Optimal).unwrap();
    assert!(!proposal.pairs.is_empty());
    service
        .accept_matching(&coordinator, &proposal, "programme council")
        .unwrap();
    assert_eq!(
        service.view(&coordinator).matching().unwrap().pairs.len(),
        proposal.pairs.len()
    );
    // The whole history verifies.
    assert!(service.verify(&coordinator).unwrap().ok());

    // A backup of the finished contest (frozen rankings full of fractions)
    // restores into an empty database with its audit chain intact.
    let dump = service.backup(&coordinator).unwrap();
    let json = serde_json::to_vec_pretty(&dump).unwrap();
    let back: konkurs::store::backup::Dump = serde_json::from_slice(&json).unwrap();
    let other = tempfile::tempdir().unwrap();
    let restored = konkurs::store::Store::open(other.path()).unwrap();
    restored.restore(&back, "backup.json").unwrap();
    assert!(restored.verify().unwrap().ok());
    let again = restored.dump(dump.created_at).unwrap();
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        serde_json::to_string(&dump).unwrap()
    );
}

/// What `konkurs list KIND --format csv` prints imports back as it is:
/// nothing added, nothing updated.
#[test]
fn every_listing_imports_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let konkurs = |args: &[&str]| said(&db, args);
    konkurs(&["demo", "--dir", db.to_str().unwrap()]);
    for kind in [
        "municipalities",
        "participants",
        "jurors",
        "events",
        "attendance",
        "mentors",
        "interns",
    ] {
        let file = dir.path().join(format!("{kind}.csv"));
        std::fs::write(&file, konkurs(&["list", kind, "--format", "csv"])).unwrap();
        let said = konkurs(&["import", kind, file.to_str().unwrap(), "--dry-run"]);
        assert!(
            said.contains("would add 0, would update 0"),
            "{kind}: {said}"
        );
    }
}

/// A «+» in a sign-in sheet for a mark whose date is known keeps the date.
#[test]
fn a_sign_in_mark_without_a_date_keeps_the_known_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let konkurs = |args: &[&str]| said(&db, args);
    konkurs(&["demo", "--dir", db.to_str().unwrap()]);
    let mark = "P001,Соколова Елена Павловна,sokolova.ep@example.ru,E004,2021-02-07";
    assert!(konkurs(&["list", "attendance", "--format", "csv"]).contains(mark));
    let sheet = dir.path().join("sheet.csv");
    std::fs::write(&sheet, "ФИО,E004\nСоколова Елена Павловна,+\n").unwrap();
    let said = konkurs(&["import", "attendance", sheet.to_str().unwrap()]);
    assert!(said.contains("updated 0, unchanged 1"), "{said}");
    assert!(konkurs(&["list", "attendance", "--format", "csv"]).contains(mark));
}

/// What `konkurs --db DB ARGS` prints, when it succeeds.
fn said(db: &std::path::Path, args: &[&str]) -> String {
    let out = konkurs(db, args);
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// A regulation refused under `--lang ru` is worded in Russian with its
/// file, line and field, and the database keeps nothing of it.
#[test]
fn a_wrong_regulation_is_refused_in_russian_with_its_line() {
    let sample = include_str!("../sample-data/regulation.toml");
    let cases = [
        (
            sample.replacen("weight = 1.0", "weight = -1.5", 1),
            "weight = -1.5",
            "stages[0].criteria[0].weight: вес не может быть отрицательным (указано -1,5)",
        ),
        (
            sample.replacen("\"Asia/Irkutsk\"", "\"Asia/Irktusk\"", 1),
            "timezone = ",
            "timezone: неизвестный часовой пояс 'Asia/Irktusk': укажите название по базе IANA, \
             например Asia/Irkutsk",
        ),
    ];
    for (text, needle, said) in cases {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let file = dir.path().join("regulation.toml");
        std::fs::write(&file, &text).unwrap();
        let out = konkurs(
            &db,
            &[
                "--lang",
                "ru",
                "init",
                "--regulation",
                file.to_str().unwrap(),
            ],
        );
        assert!(!out.status.success(), "{out:?}");
        let line = text[..text.find(needle).unwrap()].matches('\n').count() + 1;
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains(&format!("regulation.toml:{line}: {said}")),
            "{stderr}"
        );
        assert!(
            !stderr.contains("must not") && !stderr.contains("unknown"),
            "{stderr}"
        );
        let service = Service::open(&db).unwrap();
        assert!(
            service
                .audit(&Actor::local_coordinator())
                .unwrap()
                .is_empty(),
            "the refused regulation changed the database"
        );
    }
}
