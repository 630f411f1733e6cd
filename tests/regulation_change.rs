//! Rules change before scoring, or visibly: on the sample contest with its
//! educational stage closed, `konkurs init` with a regulation that changes
//! that stage is refused naming it; `--force --reason` replaces it with an
//! audit entry holding both files' SHA-256 and the reason, the frozen
//! ranking is marked stale in `rank` and in the Ranking pane, and the
//! protocols say the regulation changed during the contest. Ranking the
//! stage again clears the mark; a scored stage is protected the same way.

mod common;

use common::{Screen, konkurs};
use konkurs::domain::contest::RegulationDoc;
use konkurs::domain::ids::{CriterionId, StageId};
use konkurs::service::{Actor, Service};
use std::path::Path;
use std::process::Output;
use std::sync::Arc;

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = konkurs(db, args);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "konkurs {args:?}: {stderr}");
    stdout
}

fn hash(source: &str) -> String {
    RegulationDoc {
        file_name: String::new(),
        source: source.into(),
    }
    .hash()
}

fn audit_len(db: &Path) -> usize {
    let list: serde_json::Value =
        serde_json::from_str(&ok(db, &["list", "audit", "--format", "json"])).unwrap();
    list.as_array().unwrap().len()
}

#[test]
fn a_regulation_replaced_after_scoring_is_refused_then_forced_visibly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    {
        let service = Service::open(&db).unwrap();
        let me = Actor::local_coordinator();
        konkurs::sample::load(&service, &me).unwrap();
        service
            .close_stage(&me, &StageId::new("education"), "protocol of the jury")
            .unwrap();
    }
    let sample = konkurs::sample::REGULATION;
    // A richer bonus per topic: the activity rating, so the educational
    // stage (closed) and the later stages' tie-breaks change.
    let changed = sample.replace("topic_bonus = 1.5", "topic_bonus = 2.5");
    assert_ne!(changed, sample);
    let file = dir.path().join("regulation-2.toml");
    std::fs::write(&file, &changed).unwrap();
    let file = file.to_str().unwrap();
    let before = audit_len(&db);

    // Refused, naming the stage, and nothing changes.
    let out = konkurs(&db, &["init", "--regulation", file]);
    let (_, said) = text(&out);
    assert!(!out.status.success());
    assert!(
        said.contains("'Образовательный этап' (closed)")
            && said.contains("--force --reason")
            && !said.contains("Конкурс портфолио"),
        "{said}"
    );
    let out = konkurs(&db, &["--lang", "ru", "init", "--regulation", file]);
    let (_, said) = text(&out);
    assert!(said.contains("«Образовательный этап» (закрыт)"), "{said}");
    assert_eq!(audit_len(&db), before, "a refused regulation is not logged");
    // --force needs a reason.
    let out = konkurs(&db, &["init", "--regulation", file, "--force"]);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("--reason"), "{out:?}");

    // Forced: logged with both hashes and the reason.
    let reason = "the union's board raised the topic bonus on 1 June";
    let said = ok(
        &db,
        &["init", "--regulation", file, "--force", "--reason", reason],
    );
    assert!(
        said.contains("frozen rankings now stale: education"),
        "{said}"
    );
    let list: serde_json::Value =
        serde_json::from_str(&ok(&db, &["list", "audit", "--format", "json"])).unwrap();
    let last = list.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "regulation.force", "{last}");
    let summary = last["summary"].as_str().unwrap();
    for part in [hash(sample), hash(&changed), reason.to_string()] {
        assert!(summary.contains(&part), "{part} not in {summary}");
    }

    // The frozen ranking is stale: in `rank`, its JSON and the pane.
    let rank = ok(&db, &["rank", "--stage", "education"]);
    assert!(rank.contains("STALE") && rank.contains(reason), "{rank}");
    let json: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["rank", "--stage", "education", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(json["stale"]["new_regulation_hash"], hash(&changed));
    assert_eq!(json["stale"]["old_regulation_hash"], hash(sample));
    {
        let service = Arc::new(Service::open(&db).unwrap());
        let mut screen = Screen::new(&service, service.actor("J01").unwrap(), 80, 24);
        screen.alt('3').key(crossterm::event::KeyCode::Char('['));
        let shown = screen.text();
        assert!(
            shown.contains("Образовательный этап") && shown.contains("рейтинг устарел"),
            "{shown}"
        );
    }

    // The protocol says when, the hashes and why.
    let protocol = ok(
        &db,
        &[
            "export",
            "protocol",
            "--stage",
            "education",
            "--format",
            "md",
            "--out",
            "-",
        ],
    );
    for part in [
        "The regulation replaced during the contest, after scoring had begun",
        "Frozen ranking stale",
        &hash(sample),
        &hash(&changed),
        reason,
    ] {
        assert!(protocol.contains(part), "{part} not in the protocol");
    }

    // Ranked again under the new rules, the stage is no longer stale; the
    // protocol still tells of the change.
    ok(
        &db,
        &[
            "reopen-stage",
            "--stage",
            "education",
            "--reason",
            "rank again under the new bonus",
        ],
    );
    ok(
        &db,
        &[
            "advance",
            "--stage",
            "education",
            "--reason",
            "ranked again",
        ],
    );
    let rank = ok(&db, &["rank", "--stage", "education"]);
    assert!(!rank.contains("STALE"), "{rank}");
    let protocol = ok(
        &db,
        &[
            "export",
            "protocol",
            "--stage",
            "education",
            "--format",
            "md",
            "--out",
            "-",
        ],
    );
    assert!(
        !protocol.contains("Frozen ranking stale") && protocol.contains(reason),
        "{protocol}"
    );

    // A stage with score sheets is protected the same way.
    {
        let service = Service::open(&db).unwrap();
        let me = Actor::local_coordinator();
        let portfolio = StageId::new("portfolio");
        service.assign_auto(&me, &portfolio, Some(3)).unwrap();
        let j02 = service.actor("J02").unwrap();
        let first = service.view(&j02).assignments(&portfolio)[0]
            .participant
            .clone();
        service
            .set_score(
                &j02,
                &portfolio,
                &first,
                &CriterionId::new("media"),
                Some(6.0),
            )
            .unwrap();
    }
    let heavier = changed.replacen("weight = 1.5", "weight = 2.5", 1);
    let other = dir.path().join("regulation-3.toml");
    std::fs::write(&other, &heavier).unwrap();
    let out = konkurs(&db, &["init", "--regulation", other.to_str().unwrap()]);
    let (_, said) = text(&out);
    assert!(!out.status.success());
    assert!(
        said.contains("'Конкурс портфолио' (1 score sheets)")
            && !said.contains("Образовательный этап"),
        "{said}"
    );
    // A change to the final, not yet scored, is loaded as before.
    let final_only = changed.replace("aggregation = \"trimmed\"", "aggregation = \"median\"");
    let other = dir.path().join("regulation-4.toml");
    std::fs::write(&other, &final_only).unwrap();
    let said = ok(&db, &["init", "--regulation", other.to_str().unwrap()]);
    assert!(said.contains("regulation loaded"), "{said}");
}
