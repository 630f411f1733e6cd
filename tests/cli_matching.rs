//! `konkurs pair` and `konkurs match` tell the truth: a lock no matching can
//! keep is said at once and again under the proposal (and stops an accept),
//! a full mentor's interns are named for what they are, a worse arrangement
//! says what happens to the number of matched interns, and piped output
//! keeps every explanation whole.

mod common;

use common::konkurs;
use std::path::Path;

/// What one run said.
struct Said {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn run(db: &Path, args: &[&str]) -> Said {
    let out = konkurs(db, args);
    Said {
        ok: out.status.success(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A database with one municipality and these mentors and interns (CSV rows
/// after the header), everyone in Иркутск.
fn programme(dir: &Path, mentors: &[&str], interns: &[&str]) -> std::path::PathBuf {
    let db = dir.join("db");
    let files = [
        (
            "municipalities",
            "name,kind,latitude,longitude\nИркутск,city,52.2870,104.3050\n".to_string(),
        ),
        (
            "mentors",
            format!(
                "id,full_name,tos_name,municipality,capacity,topics,formats\n{}\n",
                mentors.join("\n")
            ),
        ),
        (
            "interns",
            format!(
                "id,full_name,tos_name,municipality,topics,formats\n{}\n",
                interns.join("\n")
            ),
        ),
    ];
    for (kind, text) in files {
        let path = dir.join(format!("{kind}.csv"));
        std::fs::write(&path, text).unwrap();
        let said = run(&db, &["import", kind, path.to_str().unwrap()]);
        assert!(said.ok, "import {kind}: {}", said.stderr);
    }
    db
}

#[test]
fn a_lock_no_matching_can_keep_is_said_at_once_and_stops_an_accept() {
    let dir = tempfile::tempdir().unwrap();
    let db = programme(
        dir.path(),
        &[
            "M1,Наставник Один,ТОС «А»,Иркутск,2,economics:2,online",
            "M2,Наставник Два,ТОС «Б»,Иркутск,1,economics:2,\"on_site, online\"",
        ],
        &[
            "I1,Стажёр Один,ТОС «В»,Иркутск,economics,on_site",
            "I2,Стажёр Два,ТОС «Г»,Иркутск,economics,online",
            "I3,Стажёр Три,ТОС «Д»,Иркутск,economics,online",
        ],
    );
    // M1 meets online only, I1 on site only: recorded, with a warning.
    let said = run(&db, &["pair", "lock", "M1", "I1"]);
    assert!(said.ok, "{}", said.stderr);
    assert!(
        said.stderr.contains("M1 – I1") && said.stderr.contains("no format in common"),
        "{}",
        said.stderr
    );
    // A lock that fits says nothing more.
    let said = run(&db, &["pair", "lock", "M2", "I2"]);
    assert!(said.ok && said.stderr.is_empty(), "{}", said.stderr);
    // M2 has one place, taken by the lock of I2.
    let said = run(&db, &["pair", "lock", "M2", "I3"]);
    assert!(said.ok, "{}", said.stderr);
    assert!(
        said.stderr.contains("M2 – I3") && said.stderr.contains("no place left"),
        "{}",
        said.stderr
    );
    // Russian too.
    let said = run(&db, &["--lang", "ru", "pair", "lock", "M1", "I1"]);
    assert!(said.ok, "{}", said.stderr);
    assert!(
        said.stderr.contains("нет общего формата"),
        "{}",
        said.stderr
    );

    // The plain table says which locks are not kept.
    let said = run(&db, &["match"]);
    assert!(said.ok, "{}", said.stderr);
    for line in [
        "lock not kept: M1 – I1: no format in common",
        "lock not kept: M2 – I3: the mentor has no place left",
    ] {
        assert!(said.stdout.contains(line), "{line}:\n{}", said.stdout);
    }
    // So does CSV, on standard error.
    let said = run(&db, &["match", "--format", "csv"]);
    assert!(
        said.ok && said.stderr.contains("M1 – I1"),
        "{}",
        said.stderr
    );

    // Accepting fails and records nothing.
    let said = run(&db, &["match", "--accept", "--reason", "as proposed"]);
    assert!(!said.ok, "{}", said.stdout);
    assert!(said.stderr.contains("2 lock(s)"), "{}", said.stderr);
    let audit = run(&db, &["list", "audit"]);
    assert!(
        !audit.stdout.contains("mentoring.accept"),
        "{}",
        audit.stdout
    );

    // Clear the bad locks and the same accept goes through.
    for (m, i) in [("M1", "I1"), ("M2", "I3")] {
        assert!(run(&db, &["pair", "clear", m, i]).ok);
    }
    let said = run(&db, &["match", "--accept", "--reason", "as proposed"]);
    assert!(said.ok, "{}", said.stderr);
    assert!(!said.stdout.contains("lock not kept"), "{}", said.stdout);
}

#[test]
fn a_full_mentor_names_locked_and_equal_interns_for_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let db = programme(
        dir.path(),
        &[
            "M1,Наставник Один,ТОС «А»,Иркутск,2,economics:3; it_media:3; partnership:3,online",
            "M2,Наставник Два,ТОС «Б»,Иркутск,1,volunteers:1; research:1,online",
            "M3,Наставник Три,ТОС «Ж»,Иркутск,1,it_media:1,online",
            "M4,Наставник Четыре,ТОС «З»,Иркутск,1,research:1,online",
        ],
        &[
            // Worth 30 with M1, locked there.
            "I1,Стажёр Один,ТОС «В»,Иркутск,economics,online",
            // Worth 60 with M1, which is full with a locked intern who
            // scores less and I5 who scores more; gets M3 (10).
            "I2,Стажёр Два,ТОС «Г»,Иркутск,economics; it_media,online",
            "I5,Стажёр Пять,ТОС «И»,Иркутск,economics; it_media; partnership,online",
            // Both worth 20 with M2: I3 gets it, I4 gets M4 (10).
            "I3,Стажёр Три,ТОС «Д»,Иркутск,volunteers; research,online",
            "I4,Стажёр Четыре,ТОС «Е»,Иркутск,volunteers; research,online",
        ],
    );
    assert!(run(&db, &["pair", "lock", "M1", "I1"]).ok);
    for mode in ["stable", "optimal"] {
        let said = run(&db, &["match", "--mode", mode]);
        assert!(said.ok, "{}", said.stderr);
        let row = |intern: &str| {
            said.stdout
                .lines()
                .find(|l| l.contains(&format!(" {intern} ")))
                .unwrap_or_else(|| panic!("{intern}:\n{}", said.stdout))
                .to_string()
        };
        let i2 = row("I2");
        assert!(
            i2.contains("I5 (a higher score, 90), I1 (locked)"),
            "{mode}: {i2}"
        );
        assert!(!i2.contains("better"), "{mode}: {i2}");
        let i4 = row("I4");
        assert!(i4.contains("I3 (an equal score, 20)"), "{mode}: {i4}");
        assert!(!i4.contains("better"), "{mode}: {i4}");
    }
    let said = run(&db, &["--lang", "ru", "match", "--mode", "stable"]);
    assert!(said.stdout.contains("I1 (закреплён)"), "{}", said.stdout);
    assert!(
        said.stdout.contains("I3 (баллов столько же: 20)"),
        "{}",
        said.stdout
    );
    assert!(!said.stdout.contains("подходят лучше"), "{}", said.stdout);
}

#[test]
fn a_worse_arrangement_says_what_happens_to_the_matched_interns() {
    let dir = tempfile::tempdir().unwrap();
    // I2 is worth 30 with M1 but only 10 with M2; I1 can only go to M1.
    let db = programme(
        dir.path(),
        &[
            "M1,Наставник Один,ТОС «А»,Иркутск,1,economics:1; research:3,online",
            "M2,Наставник Два,ТОС «Б»,Иркутск,1,research:1,online",
        ],
        &[
            "I1,Стажёр Один,ТОС «В»,Иркутск,economics,online",
            "I2,Стажёр Два,ТОС «Г»,Иркутск,research,online",
        ],
    );
    let cases = [
        // The optimum gives M1 to I2; I2 with M2 matches I1 too.
        (
            "optimal",
            "en",
            "the total changes by -10 points, though 1 more intern(s) get a mentor",
        ),
        (
            "optimal",
            "ru",
            "сумма баллов изменится на -10, хотя стажёров с наставником станет больше на 1",
        ),
        // Matching both, I2 with M1 would leave I1 without a mentor.
        (
            "max-cardinality",
            "en",
            "the total changes by 10 points and 1 fewer intern(s) get a mentor",
        ),
        (
            "max-cardinality",
            "ru",
            "сумма баллов изменится на 10, стажёров без наставника станет больше на 1",
        ),
    ];
    for (mode, lang, words) in cases {
        let said = run(&db, &["--lang", lang, "match", "--mode", mode]);
        assert!(said.ok, "{}", said.stderr);
        assert!(
            said.stdout.contains(words),
            "{mode} {lang}:\n{}",
            said.stdout
        );
    }
}

#[test]
fn piped_explanations_are_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = programme(
        dir.path(),
        &[
            "M1,Наставник Один,ТОС «А»,Иркутск,1,economics:3,online",
            "M2,Наставник Два,ТОС «Б»,Иркутск,1,economics:1,online",
        ],
        &[
            "I1,Стажёр Один,ТОС «В»,Иркутск,economics,online",
            "I2,Стажёр Два,ТОС «Г»,Иркутск,economics,online",
            "I3,Стажёр Три,ТОС «Д»,Иркутск,research,online",
        ],
    );
    let said = run(&db, &["match"]);
    assert!(said.ok, "{}", said.stderr);
    // Standard output is a pipe here: no cell is cut.
    assert!(!said.stdout.contains('…'), "{}", said.stdout);
    assert!(
        said.stdout.contains(
            "best alternative M1: the mentor's places are all taken: I1 (an equal score, 30)"
        ),
        "{}",
        said.stdout
    );
    assert!(
        said.stdout
            .contains("no mentor can take them: M1 — no topic in common; M2 — no topic in common"),
        "{}",
        said.stdout
    );
}

#[test]
fn piped_lists_keep_long_names_whole() {
    let dir = tempfile::tempdir().unwrap();
    let long = "ТОС «Улица Первооткрывателей Прибайкалья и Восточного Саяна»";
    let db = programme(
        dir.path(),
        &[&format!(
            "M1,Наставник Один,{long},Иркутск,1,economics:3,online"
        )],
        &["I1,Стажёр Один,ТОС «В»,Иркутск,economics,online"],
    );
    for list in ["mentors", "interns"] {
        let said = run(&db, &["--lang", "ru", "list", list]);
        assert!(said.ok, "{}", said.stderr);
        assert!(!said.stdout.contains('…'), "{list}:\n{}", said.stdout);
    }
    let said = run(&db, &["list", "mentors"]);
    assert!(said.stdout.contains(long), "{}", said.stdout);
}
