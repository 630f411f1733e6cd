//! The generator's tests: the files it writes, read back and imported
//! through konkurs itself.

use crate::people::feminine;
use crate::regulation::scaled;
use crate::tables::tables;
use crate::{FILE_NAMES, GenOptions, generate, group_sizes};
use chrono::NaiveDate;
use konkurs::domain::contest::{Collection, RegulationDoc};
use konkurs::domain::ids::GroupId;
use konkurs::domain::regulation::Regulation;
use konkurs::domain::topic::{EventFormat, Topic};
use konkurs::interchange::import_file;
use konkurs::interchange::text::{parse_topics, split_list};
use konkurs::service::{Actor, ImportKind, Service};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The repository's `sample-data/`.
fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data")
}

/// The import kind of each CSV file, in import order.
const KINDS: [(&str, ImportKind); 7] = [
    ("municipalities.csv", ImportKind::Municipalities),
    ("participants.csv", ImportKind::Participants),
    ("jurors.csv", ImportKind::Jurors),
    ("events.csv", ImportKind::Events),
    ("attendance.csv", ImportKind::Attendance),
    ("mentors.csv", ImportKind::Mentors),
    ("interns.csv", ImportKind::Interns),
];

fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &files.iter().find(|(n, _)| n == name).expect(name).1
}

/// A CSV file as (header, rows of cells by header).
fn table(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(bytes);
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Loads the regulation and imports every CSV file of `dir` into a fresh
/// database, through the same path as `konkurs import`.
fn import_dir(dir: &Path) -> Service {
    let db = tempfile::tempdir().unwrap();
    let service = Service::open(&db.path().join("db")).unwrap();
    let actor = Actor::local_coordinator();
    let source = std::fs::read_to_string(dir.join("regulation.toml")).unwrap();
    service
        .set_regulation(
            &actor,
            RegulationDoc {
                file_name: "regulation.toml".into(),
                source,
            },
        )
        .unwrap();
    for (name, kind) in KINDS {
        let outcome = import_file(&service, &actor, kind, &dir.join(name), false)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            outcome.warnings.is_empty(),
            "{name}: {:?}",
            outcome.warnings
        );
        assert!(outcome.report.changed(), "{name}: nothing imported");
    }
    // Keep the database directory alive as long as the service.
    std::mem::forget(db);
    service
}

fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

#[test]
fn files_come_in_import_order() {
    let files = generate(&GenOptions::default());
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, FILE_NAMES);
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let opts = GenOptions::default();
    assert_eq!(generate(&opts), generate(&opts));
    let other = generate(&GenOptions {
        seed: 2022,
        ..GenOptions::default()
    });
    let base = generate(&opts);
    for name in [
        "participants.csv",
        "jurors.csv",
        "events.csv",
        "attendance.csv",
        "mentors.csv",
        "interns.csv",
    ] {
        assert_ne!(file(&base, name), file(&other, name), "{name}");
    }
}

#[test]
fn the_default_regulation_is_the_sample_regulation() {
    let files = generate(&GenOptions::default());
    assert_eq!(
        std::str::from_utf8(file(&files, "regulation.toml")).unwrap(),
        konkurs::sample::REGULATION
    );
}

#[test]
fn scaled_regulations_are_valid_for_their_groups() {
    for n in [1, 2, 3, 5, 10, 37, 151, 1000, 100_000] {
        for experts in [0, 1, 3, 5, 48] {
            let sizes = group_sizes(n);
            assert_eq!(sizes.values().sum::<usize>(), n);
            let text = scaled(&sizes, experts);
            let rules =
                Regulation::parse(&text).unwrap_or_else(|e| panic!("{n} participants: {e:?}"));
            let members: BTreeMap<GroupId, usize> = sizes
                .iter()
                .map(|(g, s)| (GroupId::new(g.as_str()), *s))
                .collect();
            assert!(rules.check_quotas(&members).is_empty(), "{n}: {text}");
            for g in &rules.groups {
                let size = members[&g.id];
                let mut floor = g.quota;
                for stage in rules.stages.iter().rev() {
                    if let Some(&v) = stage.advance.per_group.get(&g.id) {
                        assert!(floor <= v && v <= size, "{n}: {} {v}", g.id);
                        floor = v;
                    }
                }
                if size > 0 {
                    assert!(g.quota >= 1);
                }
            }
            for stage in &rules.stages {
                assert!(stage.jurors_per_participant <= experts.max(1));
            }
        }
    }
    // A large contest gets a proportionally large team.
    let text = scaled(&group_sizes(1500), 20);
    let rules = Regulation::parse(&text).unwrap();
    assert_eq!(rules.groups[0].quota, 50);
}

#[test]
fn generated_files_import_cleanly() {
    for opts in [
        GenOptions::default(),
        GenOptions {
            participants: 12,
            jurors: 3,
            events: 5,
            interns: 4,
            mentors: 1,
            settlements: 0,
            seed: 7,
        },
    ] {
        let dir = tempfile::tempdir().unwrap();
        let files = generate(&opts);
        write_all(dir.path(), &files);
        let service = import_dir(dir.path());
        let view = service.view(&Actor::local_coordinator());
        assert_eq!(view.count(Collection::Participants), opts.participants);
        assert_eq!(view.count(Collection::Jurors), opts.jurors);
        assert_eq!(view.count(Collection::Events), opts.events);
        assert_eq!(view.count(Collection::Mentors), opts.mentors);
        assert_eq!(view.count(Collection::Interns), opts.interns);
        assert_eq!(
            view.count(Collection::Municipalities),
            tables().places.len()
        );
        // Every listener attended something.
        assert_eq!(view.count(Collection::Attendance), opts.participants);
        let marks: usize = view.attendance_records().map(|a| a.events.len()).sum();
        let rows = table(file(&files, "attendance.csv")).len();
        assert_eq!(marks, rows);
    }
}

#[test]
fn the_bundled_sample_imports_cleanly() {
    let dir = sample_data();
    let service = import_dir(&dir);
    let view = service.view(&Actor::local_coordinator());
    assert_eq!(view.count(Collection::Participants), 150);
    assert_eq!(view.count(Collection::Events), 44);
    assert_eq!(view.count(Collection::Interns), 64);
    let rules = &view.regulation().unwrap().rules;
    let mut members: BTreeMap<GroupId, usize> = BTreeMap::new();
    for p in view.participants() {
        *members.entry(p.group.clone()).or_default() += 1;
    }
    assert!(rules.check_quotas(&members).is_empty());
    for name in FILE_NAMES.iter().filter(|n| n.ends_with(".csv")) {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "{name} has a BOM");
        assert!(std::str::from_utf8(&bytes).is_ok(), "{name}");
    }
}

#[test]
fn groups_match_the_kind_of_municipality() {
    let files = generate(&GenOptions {
        participants: 2000,
        ..GenOptions::default()
    });
    let kinds: BTreeMap<String, String> = table(file(&files, "municipalities.csv"))
        .into_iter()
        .map(|r| (r["name"].clone(), r["kind"].clone()))
        .collect();
    assert!(kinds.len() >= 20);
    for kind in ["rural", "urban", "city"] {
        assert!(kinds.values().filter(|k| *k == kind).count() >= 5);
    }
    let participants = table(file(&files, "participants.csv"));
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for p in &participants {
        assert_eq!(kinds.get(&p["municipality"]), Some(&p["group"]), "{p:?}");
        *counts.entry(p["group"].clone()).or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = group_sizes(2000);
    assert_eq!(counts, expected);
    for name in ["jurors.csv", "mentors.csv", "interns.csv"] {
        for r in table(file(&files, name)) {
            let m = &r["municipality"];
            assert!(m.is_empty() || kinds.contains_key(m), "{name}: {m}");
        }
    }
}

#[test]
fn events_cover_every_topic_and_format() {
    let files = generate(&GenOptions::default());
    let events = table(file(&files, "events.csv"));
    assert_eq!(events.len(), 44);
    let topics: BTreeSet<&str> = events.iter().map(|e| e["topic"].as_str()).collect();
    let formats: BTreeSet<&str> = events.iter().map(|e| e["format"].as_str()).collect();
    assert_eq!(topics, Topic::ALL.iter().map(|t| t.code()).collect());
    assert_eq!(formats, EventFormat::ALL.iter().map(|f| f.code()).collect());
    let first = NaiveDate::from_ymd_opt(2021, 2, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(2021, 11, 30).unwrap();
    let mut previous = first;
    for e in &events {
        let start: NaiveDate = e["start"].parse().unwrap();
        let end: NaiveDate = e["end"].parse().unwrap();
        assert!(first <= start && start <= end && end <= last, "{e:?}");
        assert!(previous <= start, "events are listed by date");
        previous = start;
        let multi = matches!(e["format"].as_str(), "internship" | "forum");
        assert_eq!(multi, end > start, "{e:?}");
        assert!(e["hours"].parse::<u32>().unwrap() > 0);
        assert!(!e["place"].is_empty());
    }
}

#[test]
fn attendance_varies_between_listeners() {
    for (n, lo, hi) in [(150, 6.5, 9.5), (20_000, 5.0, 7.5)] {
        let files = generate(&GenOptions {
            participants: n,
            ..GenOptions::default()
        });
        let rows = table(file(&files, "attendance.csv"));
        let mut per: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &rows {
            *per.entry(r["participant_id"].as_str()).or_default() += 1;
        }
        assert_eq!(per.len(), n);
        let mean = rows.len() as f64 / n as f64;
        assert!((lo..hi).contains(&mean), "{n}: mean {mean}");
        let max = per.values().max().copied().unwrap();
        let few = per.values().filter(|c| **c <= 2).count();
        assert!(max >= 20, "{n}: the keenest attend {max}");
        assert!(few * 10 >= n, "{n}: only {few} attend 1-2 events");
    }
}

#[test]
fn mentors_and_interns_are_consistent() {
    let files = generate(&GenOptions::default());
    let mentors = table(file(&files, "mentors.csv"));
    let interns = table(file(&files, "interns.csv"));
    assert_eq!(mentors.len(), 6);
    assert_eq!(interns.len(), 64);
    let mentor_ids: BTreeSet<&str> = mentors.iter().map(|m| m["id"].as_str()).collect();
    let intern_ids: BTreeSet<&str> = interns.iter().map(|i| i["id"].as_str()).collect();
    for m in &mentors {
        assert!(m["participant_id"].is_empty());
        for p in split_list(&m["preferred_interns"]) {
            assert!(intern_ids.contains(p), "{p}");
        }
    }
    let mut with_prefs = 0;
    for i in &interns {
        let n = parse_topics(&i["topics"]).unwrap().len();
        assert!((1..=3).contains(&n));
        let prefs: Vec<&str> = split_list(&i["preferred_mentors"]).collect();
        with_prefs += usize::from(!prefs.is_empty());
        for p in prefs {
            assert!(mentor_ids.contains(p), "{p}");
        }
    }
    assert!((20..=44).contains(&with_prefs), "{with_prefs} of 64");
}

#[test]
fn jurors_have_a_coordinator_experts_and_an_observer() {
    let files = generate(&GenOptions::default());
    let jurors = table(file(&files, "jurors.csv"));
    let roles: Vec<&str> = jurors.iter().map(|j| j["role"].as_str()).collect();
    assert_eq!(
        roles,
        [
            "coordinator",
            "juror",
            "juror",
            "juror",
            "juror",
            "juror",
            "observer"
        ]
    );
    assert!(jurors.iter().all(|j| j["ssh_key"].is_empty()));
    let files = generate(&GenOptions {
        jurors: 50,
        ..GenOptions::default()
    });
    let jurors = table(file(&files, "jurors.csv"));
    assert!(jurors.iter().any(|j| !j["tos_name"].is_empty()));
    assert!(jurors.iter().any(|j| !j["conflicts"].is_empty()));
    assert!(jurors.iter().any(|j| j["municipality"].is_empty()));
}

#[test]
fn surnames_take_the_feminine_form() {
    assert_eq!(feminine("Иванов"), "Иванова");
    assert_eq!(feminine("Соловьёв"), "Соловьёва");
    assert_eq!(feminine("Ильин"), "Ильина");
    assert_eq!(feminine("Каменский"), "Каменская");
    assert_eq!(feminine("Черных"), "Черных");
    assert_eq!(feminine("Шевчук"), "Шевчук");
    assert_eq!(feminine("Ткаченко"), "Ткаченко");
}

#[test]
fn e_mail_addresses_are_latin_and_unique() {
    let files = generate(&GenOptions {
        participants: 2000,
        ..GenOptions::default()
    });
    let mut seen = BTreeSet::new();
    for p in table(file(&files, "participants.csv")) {
        let email = &p["email"];
        if email.is_empty() {
            continue;
        }
        let (local, domain) = email.split_once('@').expect(email);
        assert_eq!(domain, "example.ru");
        assert!(
            local
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.'),
            "{email}"
        );
        // The surname, spelled in Latin letters, is in the address.
        let surname = p["full_name"].split(' ').next().unwrap();
        assert!(
            local.contains(&konkurs::search::to_latin(surname)),
            "{email} {surname}"
        );
        assert!(seen.insert(email.clone()), "{email} twice");
    }
    assert!(seen.len() > 1800);
}

#[test]
fn the_default_contest_is_the_bundled_sample() {
    for (name, bytes) in generate(&GenOptions::default()) {
        let sample = std::fs::read(sample_data().join(&name)).unwrap();
        assert!(sample == bytes, "sample-data/{name} differs");
    }
}
