//! The audit log proves every record. A backup edited by hand — a score
//! changed, a submitted sheet made up, a juror made a coordinator, the
//! last entries dropped, two entries swapped — is refused by `restore`
//! with what disagrees, before anything is written; the same edit made
//! straight in a copy of the database, around konkurs, is found by
//! `verify`.

mod common;

use common::{event, konkurs, score_stage};
use konkurs::domain::contest::{Change, Key, Record};
use konkurs::domain::ids::{CriterionId, JurorId, StageId};
use konkurs::domain::people::Role;
use konkurs::domain::proof::{Disagreement, Problem};
use konkurs::domain::scoring::{ScoreSheet, SheetStatus};
use konkurs::service::{Actor, ImportKind, Service};
use konkurs::store::Store;
use konkurs::store::backup::{Dump, RestoreError};
use serde_json::Value;
use std::path::Path;

/// The sample contest with its portfolio stage scored and submitted, then
/// three training events added one by one (the log's last three entries).
fn scored_contest(dir: &Path) -> Dump {
    let service = Service::open(dir).unwrap();
    let coordinator = Actor::local("secretary");
    konkurs::sample::load(&service, &coordinator).unwrap();
    let portfolio = StageId::new("portfolio");
    service
        .close_stage(
            &coordinator,
            &StageId::new("education"),
            "protocol of the jury",
        )
        .unwrap();
    service.assign_auto(&coordinator, &portfolio, None).unwrap();
    score_stage(&service, &portfolio, &common::PORTFOLIO_CRITERIA, |p| {
        format!("Обоснование оценки {p}: проекты описаны, результаты подтверждены.")
    });
    for (i, id) in ["E901", "E902", "E903"].into_iter().enumerate() {
        service
            .import_records(
                &coordinator,
                ImportKind::Events,
                vec![event(id, "Вебинар о ТОС", 20 + i as u32)],
                "events.csv",
                false,
            )
            .unwrap();
    }
    assert!(service.verify(&coordinator).unwrap().ok());
    service.backup(&coordinator).unwrap()
}

/// A submitted sheet of J02's.
fn j02_sheet(dump: &Dump) -> ScoreSheet {
    dump.records
        .iter()
        .find_map(|r| match r {
            Record::Sheet(s) if s.juror.as_str() == "J02" && s.status == SheetStatus::Submitted => {
                Some(s.clone())
            }
            _ => None,
        })
        .expect("J02 submitted a sheet")
}

fn sheet_key(s: &ScoreSheet) -> Key {
    Key::Sheet(s.stage.clone(), s.participant.clone(), s.juror.clone())
}

/// A participant of the portfolio stage J02 was not assigned.
fn not_j02s(dump: &Dump) -> konkurs::domain::ids::ParticipantId {
    let assigned: Vec<_> = dump
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Assignment(a) if a.juror.as_str() == "J02" => Some(a.participant.clone()),
            _ => None,
        })
        .collect();
    dump.records
        .iter()
        .find_map(|r| match r {
            Record::Sheet(s) if !assigned.contains(&s.participant) => Some(s.participant.clone()),
            _ => None,
        })
        .unwrap()
}

/// The five edits, each to a backup's JSON, and what `restore` must find.
struct Case {
    name: &'static str,
    edit: Box<dyn Fn(&mut Value)>,
    problems: Vec<Problem>,
    /// A phrase the command line's message holds.
    says: String,
}

fn cases(dump: &Dump) -> Vec<Case> {
    let sheet = j02_sheet(dump);
    let key = sheet_key(&sheet);
    let projects = sheet.scores[&CriterionId::new("projects")];
    let changed = if projects >= 9.0 { 1.0 } else { 9.5 };
    let n = dump.audit.len() as u64;
    let made_up = ScoreSheet {
        participant: not_j02s(dump),
        ..sheet.clone()
    };
    let made_up_json = serde_json::to_value(Record::Sheet(made_up.clone())).unwrap();
    let (participant, stage) = (
        sheet.participant.as_str().to_string(),
        sheet.stage.as_str().to_string(),
    );
    vec![
        Case {
            name: "a changed score",
            edit: Box::new(move |v: &mut Value| {
                let s = records(v)
                    .find(|r| {
                        r["sheet"]["participant"] == participant.as_str()
                            && r["sheet"]["stage"] == stage.as_str()
                            && r["sheet"]["juror"] == "J02"
                    })
                    .unwrap();
                s["sheet"]["scores"]["projects"] = changed.into();
            }),
            problems: vec![Problem::Records {
                key: key.clone(),
                disagreement: Disagreement::Field {
                    path: "scores.projects".into(),
                    expected: Value::from(projects).to_string(),
                    found: Value::from(changed).to_string(),
                },
                differing: 1,
            }],
            says: format!(
                "{}: the records disagree with the audit log: the field scores.projects is {} in the records, {} by the audit log",
                key.display(),
                Value::from(changed),
                Value::from(projects)
            ),
        },
        Case {
            name: "a made-up submitted sheet",
            edit: Box::new(move |v: &mut Value| {
                v["records"].as_array_mut().unwrap().push(made_up_json.clone());
            }),
            problems: vec![Problem::Records {
                key: sheet_key(&made_up),
                disagreement: Disagreement::Unexpected,
                differing: 1,
            }],
            says: format!(
                "{}: the records disagree with the audit log: the records hold it, but the audit log never wrote it",
                sheet_key(&made_up).display()
            ),
        },
        Case {
            name: "J02 made a coordinator",
            edit: Box::new(|v: &mut Value| {
                let j = records(v).find(|r| r["juror"]["id"] == "J02").unwrap();
                j["juror"]["role"] = "coordinator".into();
            }),
            problems: vec![Problem::Records {
                key: Key::Juror(JurorId::new("J02")),
                disagreement: Disagreement::Field {
                    path: "role".into(),
                    expected: "\"juror\"".into(),
                    found: "\"coordinator\"".into(),
                },
                differing: 1,
            }],
            says: "jurors/J02: the records disagree with the audit log: the field role is \"coordinator\" in the records, \"juror\" by the audit log".into(),
        },
        Case {
            name: "the last 3 entries dropped",
            edit: Box::new(|v: &mut Value| {
                let audit = v["audit"].as_array_mut().unwrap();
                audit.truncate(audit.len() - 3);
            }),
            problems: vec![
                Problem::HeadCount {
                    head: n,
                    entries: n - 3,
                },
                Problem::Records {
                    key: Key::Event("E901".into()),
                    disagreement: Disagreement::Unexpected,
                    differing: 3,
                },
            ],
            says: format!(
                "the head names {n} audit entries, but the log holds {}: entries were dropped at the end",
                n - 3
            ),
        },
        Case {
            name: "two entries swapped",
            edit: Box::new(|v: &mut Value| {
                v["audit"].as_array_mut().unwrap().swap(5, 6);
            }),
            problems: vec![
                Problem::OutOfSequence {
                    expected: 6,
                    found: 7,
                },
                Problem::BrokenLink { seq: 7 },
            ],
            says: "audit entry 7 does not continue the chain from the entry before it (the first broken link)".into(),
        },
    ]
}

fn records(v: &mut Value) -> impl Iterator<Item = &mut Value> {
    v["records"].as_array_mut().unwrap().iter_mut()
}

#[test]
fn an_edited_backup_is_refused_with_what_disagrees_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let dump = scored_contest(&dir.path().join("db"));
    let original = serde_json::to_value(&dump).unwrap();

    // The backup as written restores, and names its head.
    let head = original["head"].clone();
    assert_eq!(head["seq"], dump.audit.len() as u64);
    let fresh = tempfile::tempdir().unwrap();
    let restored = Store::open(fresh.path())
        .unwrap()
        .restore(&dump, "b.json")
        .unwrap();
    assert_eq!(restored.head.1, head["hash"].as_str().unwrap());

    for case in cases(&dump) {
        let mut edited = original.clone();
        (case.edit)(&mut edited);
        let back: Dump = serde_json::from_value(edited.clone()).unwrap();
        let target = tempfile::tempdir().unwrap();
        let store = Store::open(target.path()).unwrap();
        match store.restore(&back, "b.json") {
            Err(RestoreError::Disagrees { problems, .. }) => {
                assert_eq!(problems, case.problems, "{}", case.name)
            }
            other => panic!("{}: {other:?}", case.name),
        }
        assert!(store.is_empty(), "{}: nothing was written", case.name);
        drop(store);

        // The command line says what disagrees, and fails.
        let file = target.path().join("b.json");
        std::fs::write(&file, serde_json::to_vec_pretty(&edited).unwrap()).unwrap();
        let out = konkurs(
            &target.path().join("new"),
            &["restore", file.to_str().unwrap()],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {stderr}", case.name);
        assert!(
            stderr.contains("the backup was altered or damaged, so nothing was written")
                && stderr.contains(&case.says),
            "{}: {stderr}",
            case.name
        );
    }
}

/// A dropped tail with the head edited to match is still caught: the
/// records no longer follow from the log.
#[test]
fn a_truncated_log_with_its_head_rewritten_still_disagrees_with_the_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut dump = scored_contest(&dir.path().join("db"));
    dump.audit.truncate(dump.audit.len() - 3);
    let last = dump.audit.last().unwrap();
    dump.head = Some(konkurs::store::backup::DumpHead {
        seq: last.seq,
        hash: last.hash.clone(),
    });
    let target = tempfile::tempdir().unwrap();
    let err = Store::open(target.path())
        .unwrap()
        .restore(&dump, "b.json")
        .unwrap_err();
    assert!(
        matches!(&err, RestoreError::Disagrees { problems, .. } if problems == &[Problem::Records {
            key: Key::Event("E901".into()),
            disagreement: Disagreement::Unexpected,
            differing: 3,
        }]),
        "{err:?}"
    );
}

/// Copies a closed database directory.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        let target = to.join(item.file_name());
        if item.file_type().unwrap().is_dir() {
            copy_dir(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), &target).unwrap();
        }
    }
}

/// An edit made in a copy of the database, around konkurs.
type EditCopy = Box<dyn Fn(&Path)>;

/// Opens a copy of `db` with sled itself, as anyone with the files could.
fn raw(copy: &Path, edit: impl FnOnce(&sled::Tree)) {
    let db = sled::open(copy).unwrap();
    edit(&db.open_tree("audit").unwrap());
    db.flush().unwrap();
}

#[test]
fn the_same_edits_made_around_konkurs_in_a_copied_database_are_found_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let dump = scored_contest(&db);
    let expected: Vec<Vec<Problem>> = cases(&dump).into_iter().map(|c| c.problems).collect();
    let sheet = j02_sheet(&dump);
    let projects = sheet.scores[&CriterionId::new("projects")];
    let mut changed = sheet.clone();
    changed.scores.insert(
        CriterionId::new("projects"),
        if projects >= 9.0 { 1.0 } else { 9.5 },
    );
    let made_up = ScoreSheet {
        participant: not_j02s(&dump),
        ..sheet.clone()
    };
    let mut j02 = dump
        .records
        .iter()
        .find_map(|r| match r {
            Record::Juror(j) if j.id.as_str() == "J02" => Some(j.clone()),
            _ => None,
        })
        .unwrap();
    j02.role = Role::Coordinator;
    let edits: Vec<EditCopy> = vec![
        Box::new(move |copy| {
            let store = Store::open(copy).unwrap();
            store
                .write_bypassing_audit(&[Change::Put(Record::Sheet(changed.clone()))])
                .unwrap();
        }),
        Box::new(move |copy| {
            let store = Store::open(copy).unwrap();
            store
                .write_bypassing_audit(&[Change::Put(Record::Sheet(made_up.clone()))])
                .unwrap();
        }),
        Box::new(move |copy| {
            let store = Store::open(copy).unwrap();
            store
                .write_bypassing_audit(&[Change::Put(Record::Juror(j02.clone()))])
                .unwrap();
        }),
        Box::new(|copy| {
            raw(copy, |audit| {
                for _ in 0..3 {
                    audit.pop_max().unwrap();
                }
            })
        }),
        Box::new(|copy| {
            raw(copy, |audit| {
                let (six, seven) = (6u64.to_be_bytes(), 7u64.to_be_bytes());
                let a = audit.get(six).unwrap().unwrap();
                let b = audit.get(seven).unwrap().unwrap();
                audit.insert(six, b).unwrap();
                audit.insert(seven, a).unwrap();
            })
        }),
    ];
    for (i, (edit, problems)) in edits.iter().zip(expected).enumerate() {
        let copy = dir.path().join(format!("copy-{i}"));
        copy_dir(&db, &copy);
        edit(&copy);
        let report = Store::open(&copy).unwrap().verify().unwrap();
        assert_eq!(report.problems, problems, "edit {i}");
        let out = konkurs(&copy, &["verify"]);
        assert_eq!(out.status.code(), Some(1), "edit {i}: {out:?}");
    }

    // The untouched database verifies, and says its head.
    let report = Store::open(&db).unwrap().verify().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(
        (report.audit_entries, report.head_hash.as_str()),
        (
            dump.audit.len() as u64,
            dump.head.as_ref().unwrap().hash.as_str()
        )
    );
    let out = konkurs(&db, &["verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout.contains(&format!(
            "{} audit entries, head {}",
            dump.audit.len(),
            report.head_hash
        )),
        "{stdout}"
    );
}
