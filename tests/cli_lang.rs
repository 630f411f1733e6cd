//! The command line in Russian: `--lang ru`, or a Russian locale, words
//! every message, table header and error of a command in Russian, with
//! decimal commas; JSON keeps its English keys.

mod common;

use common::BIN;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// What one run of konkurs said.
struct Said {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs `konkurs --db DB ARGS...` with no locale, feeding `stdin`.
fn run_with(db: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Said {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Said {
        ok: out.status.success(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `konkurs --db DB --lang ru ARGS...`.
fn ru(db: &Path, args: &[&str]) -> Said {
    ru_in(db, args, "")
}

fn ru_in(db: &Path, args: &[&str], stdin: &str) -> Said {
    let mut all = vec!["--lang", "ru"];
    all.extend_from_slice(args);
    run_with(db, &all, &[], stdin)
}

/// The Latin-letter words of `text` a Russian reader would see as English:
/// ids and hashes (any word with a digit, such as P005, J02 or ED25519),
/// paths and file names, options (`--db`), one-letter symbols (Kendall's
/// W), konkurs's own name and the `allowed` ids (stages, groups) are not.
fn english_words(text: &str, allowed: &[&str]) -> Vec<String> {
    let file_name = |t: &str| {
        t.rsplit_once('.')
            .is_some_and(|(_, ext)| ["csv", "xlsx", "json", "toml", "md"].contains(&ext))
    };
    text.split_whitespace()
        .filter(|token| !token.contains('/') && !token.starts_with("--") && !file_name(token))
        .flat_map(|token| {
            token
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()) && w.len() > 1)
        .filter(|w| w != "konkurs" && w != "UTC" && !allowed.contains(&w.as_str()))
        .collect()
}

/// Asserts that `text` has no English words but the `allowed` ids.
fn assert_russian(text: &str, allowed: &[&str]) {
    let english = english_words(text, allowed);
    assert!(
        english.is_empty(),
        "English words {english:?} on a Russian screen:\n{text}"
    );
}

/// The ids of the sample regulation a Russian screen may show.
const IDS: &[&str] = &["education", "portfolio", "final", "city", "urban", "rural"];

#[test]
fn the_english_word_finder_finds_english_and_skips_ids() {
    assert_eq!(
        english_words(
            "P005: saved (оценено: 2) J02 a1b2c3 /tmp/.tmpXy --db W list.csv rows",
            &[]
        ),
        vec!["saved", "rows"]
    );
    assert_eq!(
        english_words("этап portfolio", &["portfolio"]),
        Vec::<String>::new()
    );
}

#[test]
fn status_list_and_import_speak_russian() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::contest(&db);

    let status = ru(&db, &["status"]);
    assert!(status.ok, "{}", status.stderr);
    assert!(status.stdout.contains("база данных:"), "{}", status.stdout);
    assert!(status.stdout.contains("участники"), "{}", status.stdout);
    assert_russian(&status.stdout, IDS);

    let list = ru(&db, &["list", "participants"]);
    assert!(list.ok, "{}", list.stderr);
    let header = list.stdout.lines().next().unwrap();
    for column in ["Номер", "ФИО", "Муниципальное образование", "Дата заявки"]
    {
        assert!(header.contains(column), "{header}");
    }
    assert!(list.stdout.contains("(строк: 4)"), "{}", list.stdout);
    assert_russian(&list.stdout, IDS);

    // The CSV is separated by ';' and reads back unchanged.
    let csv = ru(&db, &["list", "participants", "--format", "csv"]);
    assert!(csv.stdout.starts_with("Номер;ФИО;"), "{}", csv.stdout);
    let file = dir.path().join("participants.csv");
    std::fs::write(&file, &csv.stdout).unwrap();
    let again = ru(
        &db,
        &[
            "import",
            "participants",
            file.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert!(again.ok, "{}", again.stderr);
    assert!(
        again
            .stdout
            .contains("(участники): будет добавлено 0, будет обновлено 0, без изменений 4"),
        "{}",
        again.stdout
    );
    assert!(again.stdout.contains("пробный запуск: ничего не записано"));
    assert_russian(&again.stdout, IDS);

    // A new listener and a column the import does not know.
    let new = dir.path().join("new.csv");
    std::fs::write(
        &new,
        "id,full_name,tos_name,municipality,group,application_date,shoe_size\n\
         P005,Егорова Нина,ТОС «Берёзка»,Ангарский городской округ,city,2021-01-15,38\n",
    )
    .unwrap();
    let imported = ru(&db, &["import", "participants", new.to_str().unwrap()]);
    assert!(imported.ok, "{}", imported.stderr);
    assert!(
        imported
            .stdout
            .contains("добавлено 1, обновлено 0, без изменений 0"),
        "{}",
        imported.stdout
    );
    assert!(imported.stdout.contains("  + P005"), "{}", imported.stdout);
    assert!(
        imported.stderr.starts_with("предупреждение: "),
        "{}",
        imported.stderr
    );

    // A file that is not there: «ошибка:».
    let missing = ru(&db, &["import", "participants", "нет-такого.csv"]);
    assert!(!missing.ok);
    assert!(missing.stderr.starts_with("ошибка: "), "{}", missing.stderr);
}

#[test]
fn rank_advance_score_and_progress_speak_russian() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::contest(&db);

    let rank = ru(&db, &["rank", "--stage", "education"]);
    assert!(rank.ok, "{}", rank.stderr);
    let header = rank.stdout.lines().next().unwrap();
    for column in ["Место", "Группа", "Участник", "ФИО", "Итог", "Проходит"]
    {
        assert!(header.contains(column), "{header}");
    }
    assert!(
        rank.stdout.contains("этап education, способ подсчёта"),
        "{}",
        rank.stdout
    );
    assert!(rank.stdout.contains("W Кендалла"), "{}", rank.stdout);
    assert_russian(&rank.stdout, IDS);

    // JSON keeps its English keys.
    let json = ru(&db, &["rank", "--stage", "education", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(doc["rows"][0]["full_name"].is_string(), "{}", json.stdout);
    assert_eq!(doc["method"], "mean");

    // Closing a stage is logged with its reason.
    let advance = ru(
        &db,
        &[
            "advance",
            "--stage",
            "education",
            "--reason",
            "решение жюри от 1 декабря",
        ],
    );
    assert!(advance.ok, "{}", advance.stderr);
    assert!(
        advance
            .stdout
            .starts_with("этап education закрыт: в рейтинге 4, проходят"),
        "{}",
        advance.stdout
    );
    assert_russian(&advance.stdout, IDS);

    for p in ["P001", "P002"] {
        let assigned = ru(
            &db,
            &[
                "assign",
                "--stage",
                "portfolio",
                "--participant",
                p,
                "--juror",
                "J01",
            ],
        );
        assert!(assigned.ok, "{}", assigned.stderr);
        assert_eq!(
            assigned.stdout.trim(),
            format!("J01 назначен(а) оценивать {p} на этапе portfolio")
        );
    }

    // Each answered line of `score --stdin`, a refused one too.
    let scored = ru_in(
        &db,
        &["--as", "J01", "score", "--stage", "portfolio", "--stdin"],
        "P001 projects=7 media=6,5\nP003 projects=5\nP002 projects=много\n",
    );
    // Two lines refused: the run fails, saying so in Russian.
    assert!(!scored.ok, "{}", scored.stdout);
    assert!(
        scored.stderr.contains("отклонено строк с оценками: 2 из 3"),
        "{}",
        scored.stderr
    );
    let lines: Vec<&str> = scored.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "принято 1: P001: сохранено (оценено критериев: 2)"
    );
    assert!(lines[1].starts_with("ошибка 2: "), "{}", scored.stdout);
    assert_eq!(lines[2], "ошибка 3: «projects=много»: «много» — не число");
    assert_russian(&scored.stdout, &["projects"]);

    // A score out of range is refused in Russian, naming the criterion.
    let out_of_range = ru(
        &db,
        &[
            "--as",
            "J01",
            "score",
            "--stage",
            "portfolio",
            "--participant",
            "P001",
            "projects=11",
        ],
    );
    assert!(!out_of_range.ok);
    assert!(
        out_of_range
            .stderr
            .starts_with("ошибка: оценка 11 вне допустимых пределов"),
        "{}",
        out_of_range.stderr
    );
    assert!(
        out_of_range.stderr.contains("поставьте от 0 до 10"),
        "{}",
        out_of_range.stderr
    );
    assert_russian(&out_of_range.stderr, &[]);

    let one = ru(
        &db,
        &[
            "--as",
            "J01",
            "score",
            "--stage",
            "portfolio",
            "--participant",
            "P002",
            "projects",
        ],
    );
    assert!(!one.ok);
    assert_eq!(
        one.stderr.trim(),
        "ошибка: «projects»: пишите оценки как критерий=балл, например projects=7,5"
    );

    let progress = ru(&db, &["progress", "--stage", "portfolio"]);
    assert!(progress.ok, "{}", progress.stderr);
    assert!(
        progress.stdout.starts_with("этап portfolio\n"),
        "{}",
        progress.stdout
    );
    for column in ["Эксперт", "Назначено", "Отправлено", "Осталось"]
    {
        assert!(progress.stdout.contains(column), "{}", progress.stdout);
    }
    assert!(
        progress
            .stdout
            .contains("экспертов, которые ещё не закончили оценку: 1"),
        "{}",
        progress.stdout
    );
    assert_russian(&progress.stdout, IDS);

    let sheets = ru(&db, &["progress", "--stage", "portfolio", "--sheets"]);
    assert!(sheets.ok, "{}", sheets.stderr);
    assert!(sheets.stdout.contains("черновик"), "{}", sheets.stdout);
    assert!(sheets.stdout.contains("не начат"), "{}", sheets.stdout);
    assert_russian(&sheets.stdout, IDS);
    // In CSV the cells are separated by ';'; JSON keeps English keys and codes.
    let csv = ru(
        &db,
        &[
            "progress",
            "--stage",
            "portfolio",
            "--sheets",
            "--format",
            "csv",
        ],
    );
    assert!(
        csv.stdout.starts_with("Участник;ФИО;Эксперт;Статус;"),
        "{}",
        csv.stdout
    );
    let json = ru(
        &db,
        &[
            "progress",
            "--stage",
            "portfolio",
            "--sheets",
            "--format",
            "json",
        ],
    );
    let rows: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(rows[0]["status"], "draft", "{}", json.stdout);

    // A failing command of the command line's own: «ошибка:» and Russian.
    let bad_time = ru(&db, &["rank", "--stage", "education", "--as-of", "вчера"]);
    assert!(!bad_time.ok);
    assert!(
        bad_time.stderr.starts_with("ошибка: «вчера» — не время"),
        "{}",
        bad_time.stderr
    );
    assert_russian(&bad_time.stderr, &[]);
    let backup = dir.path().join("backup.json");
    std::fs::write(&backup, "{}").unwrap();
    let refused = ru(&db, &["backup", backup.to_str().unwrap()]);
    assert!(!refused.ok);
    assert!(refused.stderr.starts_with("ошибка: "), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("уже существует"),
        "{}",
        refused.stderr
    );
    assert_russian(&refused.stderr, &["force"]);
}

#[test]
fn a_russian_locale_without_lang_speaks_russian() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::contest(&db);
    let said = run_with(&db, &["status"], &[("LANG", "ru_RU.UTF-8")], "");
    assert!(said.ok, "{}", said.stderr);
    assert!(said.stdout.contains("база данных:"), "{}", said.stdout);
    assert_russian(&said.stdout, IDS);
    let english = run_with(&db, &["status"], &[("LANG", "en_GB.UTF-8")], "");
    assert!(english.stdout.contains("database:"), "{}", english.stdout);
    let failed = run_with(
        &db,
        &["rank", "--stage", "education", "--as-of", "вчера"],
        &[("LANG", "ru_RU.UTF-8")],
        "",
    );
    assert!(failed.stderr.starts_with("ошибка: "), "{}", failed.stderr);
}

#[test]
fn the_demo_speaks_russian() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo");
    let said = run_with(
        dir.path(),
        &["--lang", "ru", "demo", "--dir", db.to_str().unwrap()],
        &[],
        "",
    );
    assert!(said.ok, "{}", said.stderr);
    assert!(
        said.stdout.starts_with("Демонстрационная база данных — "),
        "{}",
        said.stdout
    );
    assert!(said.stdout.contains("это не терминал"), "{}", said.stdout);
    assert_russian(&said.stdout, IDS);
}

#[test]
fn arguments_the_command_line_cannot_read_are_refused_in_russian() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let missing = ru(&db, &["rank"]);
    assert_eq!(
        missing.stderr.lines().next().unwrap(),
        "ошибка: не указаны обязательные параметры: --stage <STAGE>"
    );
    assert_eq!(
        missing.stderr.lines().nth(1).unwrap(),
        "Подробнее: konkurs --help"
    );
    let choice = ru(&db, &["rank", "--stage", "final", "--method", "лучший"]);
    assert!(
        choice
            .stderr
            .starts_with("ошибка: «лучший» — недопустимое значение --method <METHOD>; возможные значения: mean, median, trimmed, zscore"),
        "{}",
        choice.stderr
    );
    let unknown = run_with(&db, &["--lang=ru", "ранг"], &[], "");
    assert_eq!(
        unknown.stderr.lines().next().unwrap(),
        "ошибка: неизвестная команда «ранг»"
    );
    // In English clap's own words stay.
    let english = run_with(&db, &["rank"], &[], "");
    assert!(
        english
            .stderr
            .starts_with("error: the following required arguments"),
        "{}",
        english.stderr
    );
}

/// A listing written in Russian (headers, topics, formats and roles in
/// words, `;` between cells, decimal commas) imports back unchanged.
#[test]
fn every_russian_listing_imports_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(ru(&db, &["demo", "--dir", db.to_str().unwrap()]).ok);
    for (kind, words) in [
        ("municipalities", &["Широта", "52,"][..]),
        ("participants", &["ФИО"][..]),
        ("jurors", &["эксперт"][..]),
        ("events", &["вебинар", "Волонтёры"][..]),
        ("attendance", &["Дата посещения"][..]),
        ("mentors", &["очно", "онлайн"][..]),
        ("interns", &["Нужные темы"][..]),
    ] {
        let listing = ru(&db, &["list", kind, "--format", "csv"]);
        assert!(listing.ok, "{kind}: {}", listing.stderr);
        for word in words {
            assert!(
                listing.stdout.contains(word),
                "{kind}: no {word}:\n{}",
                listing.stdout
            );
        }
        let file = dir.path().join(format!("{kind}.csv"));
        std::fs::write(&file, &listing.stdout).unwrap();
        let again = ru(&db, &["import", kind, file.to_str().unwrap(), "--dry-run"]);
        assert!(
            again
                .stdout
                .contains("будет добавлено 0, будет обновлено 0"),
            "{kind}: {}{}",
            again.stdout,
            again.stderr
        );
    }
}
