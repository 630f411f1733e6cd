//! The bad-input corpus: every file in `tests/data/bad/` is refused with the
//! exact message in its `.expected` file, and nothing from it reaches the
//! database (a backup taken before and after is identical).
//!
//! The kind comes from the file name's first word: `participants-…`,
//! `attendance-…`, `regulation-…`, `keymap-…`. To pin new messages after a
//! deliberate change, run with `KONKURS_BLESS=1` and read the diff.

use konkurs::domain::contest::RegulationDoc;
use konkurs::interchange::{self, records::Options};
use konkurs::service::{Actor, ImportKind, Service};
use konkurs::text::{I18n, Lang};
use konkurs::tui::keymap::Keymap;
use std::path::{Path, PathBuf};

const REGULATION: &str = include_str!("../sample-data/regulation.toml");

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
}

/// A small contest: the sample regulation, five participants, three events,
/// a juror and a coordinator.
fn base() -> (tempfile::TempDir, Service, Actor) {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(dir.path()).unwrap();
    let actor = Actor::local_coordinator();
    service
        .set_regulation(
            &actor,
            RegulationDoc {
                file_name: "regulation.toml".into(),
                source: REGULATION.into(),
            },
        )
        .unwrap();
    for (kind, file) in [
        (ImportKind::Participants, "participants.csv"),
        (ImportKind::Events, "events.csv"),
        (ImportKind::Jurors, "jurors.csv"),
    ] {
        interchange::import_file(&service, &actor, kind, &data("base").join(file), false)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    (dir, service, actor)
}

fn kind_of(name: &str) -> &str {
    name.split('-').next().unwrap_or("")
}

fn import_kind(word: &str) -> Option<ImportKind> {
    Some(match word {
        "participants" => ImportKind::Participants,
        "jurors" => ImportKind::Jurors,
        "events" => ImportKind::Events,
        "attendance" => ImportKind::Attendance,
        "mentors" => ImportKind::Mentors,
        "interns" => ImportKind::Interns,
        "municipalities" => ImportKind::Municipalities,
        _ => return None,
    })
}

/// What konkurs says about a file, with its path replaced by `{file}`.
fn refusal(service: &Service, actor: &Actor, path: &Path) -> String {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let shown = path.display().to_string();
    let text = match kind_of(&name) {
        "regulation" => {
            let source = std::fs::read_to_string(path).unwrap();
            match service.set_regulation(
                actor,
                RegulationDoc {
                    file_name: shown.clone(),
                    source,
                },
            ) {
                Ok(_) => panic!("{name}: the regulation was accepted"),
                Err(e) => e.to_string(),
            }
        }
        "keymap" => match Keymap::load(&shown, None) {
            Ok(_) => panic!("{name}: the keymap was accepted"),
            Err(e) => e.to_string(),
        },
        word => {
            let kind = import_kind(word).unwrap_or_else(|| panic!("{name}: unknown kind"));
            match interchange::import_file_with(
                service,
                actor,
                kind,
                path,
                false,
                &Options::default(),
            ) {
                Ok(o) => panic!("{name}: the file was accepted: {:?}", o.report),
                Err(e) => e.to_string(),
            }
        }
    };
    text.replace(&shown, "{file}")
}

fn snapshot(service: &Service, actor: &Actor) -> String {
    let mut dump = service.backup(actor).unwrap();
    dump.created_at = chrono::DateTime::UNIX_EPOCH;
    serde_json::to_string(&dump).unwrap()
}

#[test]
fn every_bad_file_is_refused_with_its_message_and_changes_nothing() {
    let (_dir, service, actor) = base();
    let before = snapshot(&service, &actor);
    let bless = std::env::var_os("KONKURS_BLESS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(data("bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "expected"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    let mut wrong = Vec::new();
    for path in &files {
        let got = refusal(&service, &actor, path);
        let expected_path = PathBuf::from(format!("{}.expected", path.display()));
        if bless {
            std::fs::write(&expected_path, format!("{got}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no .expected file", path.display()));
        if got.trim_end() != expected.trim_end() {
            wrong.push(format!(
                "{}:\n  expected: {}\n  got:      {}",
                path.display(),
                expected.trim_end(),
                got
            ));
        }
        assert_eq!(
            snapshot(&service, &actor),
            before,
            "{} changed the database",
            path.display()
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_ten_megabyte_line_is_refused_with_its_line_number() {
    let (_dir, service, actor) = base();
    let before = snapshot(&service, &actor);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("participants.csv");
    let mut bytes = b"id,full_name,tos_name,municipality,group,application_date\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    std::fs::write(&path, bytes).unwrap();
    let e = interchange::import_file(&service, &actor, ImportKind::Participants, &path, false)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!(
            "{}:2: the line is 10485760 bytes long",
            path.display()
        )),
        "{e}"
    );
    assert!(e.ends_with("nothing was imported"), "{e}");
    assert_eq!(snapshot(&service, &actor), before);
}

#[test]
fn the_base_files_import_and_import_again_without_change() {
    let (_dir, service, actor) = base();
    let again = interchange::import_file(
        &service,
        &actor,
        ImportKind::Participants,
        &data("base").join("participants.csv"),
        false,
    )
    .unwrap();
    assert!(!again.report.changed(), "{:?}", again.report);
    assert_eq!(again.report.unchanged, 5);
}

// --- The files a secretary really has --------------------------------------

const SAMPLE_PARTICIPANTS: &str = include_str!("../sample-data/participants.csv");

/// The Russian headers a secretary types, for the sample's columns.
const RUSSIAN_HEADERS: [&str; 15] = [
    "Код",
    "Ф.И.О",
    "Название ТОС",
    "Муниципальное образование",
    "Группа",
    "Эл. почта",
    "Телефон",
    "Дата заявки",
    "Реализованные проекты",
    "Награды",
    "Отзывы",
    "Опыт наставничества",
    "Публикации на сайте",
    "Творческие задания",
    "Примечание",
];

/// A group as a secretary writes it: singular, abbreviated, in odd case,
/// with extra spaces, quotes and «ё» — a different way on each row.
fn as_a_secretary_writes(group: &str, row: usize) -> &'static str {
    let ways: &[&str] = match group {
        "city" => &[
            "Городской округ",
            "ГО",
            "городской  округ",
            "«Городской округ»",
        ],
        "urban" => &[
            "Городское поселение",
            "ГП",
            "ГОРОДСКОЕ ПОСЕЛЕНИЕ",
            "\"Городское поселение\"",
        ],
        "rural" => &[
            "Сельское поселение",
            "СП",
            "сельское поселение ",
            "Сельские поселения",
        ],
        other => panic!("{other}"),
    };
    ways[row % ways.len()]
}

/// The sample participants as Russian Excel saves them: Windows-1251, `;`,
/// CRLF, Russian headers, dates as ДД.ММ.ГГГГ, groups in the secretary's
/// words; `edit` may change a data row's cells (by the row's index).
fn excel_participants(edit: impl Fn(usize, &mut Vec<String>)) -> Vec<u8> {
    let mut reader = csv::Reader::from_reader(SAMPLE_PARTICIPANTS.as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(RUSSIAN_HEADERS).unwrap();
    for (i, record) in reader.records().enumerate() {
        let mut cells: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        cells[4] = as_a_secretary_writes(&cells[4], i).to_string();
        let date = chrono::NaiveDate::parse_from_str(&cells[7], "%Y-%m-%d").unwrap();
        cells[7] = date.format("%d.%m.%Y").to_string();
        edit(i, &mut cells);
        writer.write_record(&cells).unwrap();
    }
    let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    assert!(text.contains("\r\n"));
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(&text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// The sample's group of each participant.
fn sample_groups() -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_reader(SAMPLE_PARTICIPANTS.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[4].to_string())
        })
        .collect()
}

fn stored_groups(service: &Service, actor: &Actor) -> Vec<(String, String)> {
    let view = service.view(actor);
    let mut groups: Vec<(String, String)> = view
        .participants()
        .map(|p| (p.id.to_string(), p.group.to_string()))
        .collect();
    groups.sort();
    groups
}

fn empty_contest() -> (tempfile::TempDir, Service, Actor) {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(dir.path()).unwrap();
    let actor = Actor::local_coordinator();
    service
        .set_regulation(
            &actor,
            RegulationDoc {
                file_name: "regulation.toml".into(),
                source: REGULATION.into(),
            },
        )
        .unwrap();
    (dir, service, actor)
}

#[test]
fn a_participants_file_saved_from_russian_excel_imports_every_row() {
    let (_dir, service, actor) = empty_contest();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("участники.csv");
    std::fs::write(&path, excel_participants(|_, _| {})).unwrap();
    let outcome =
        interchange::import_file(&service, &actor, ImportKind::Participants, &path, false)
            .unwrap_or_else(|e| panic!("{e}"));
    let expected = sample_groups();
    assert_eq!(outcome.report.added.len(), expected.len());
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let mut expected = expected;
    expected.sort();
    assert_eq!(stored_groups(&service, &actor), expected);
    let view = service.view(&actor);
    let p = view.participant(&"P002".into()).unwrap();
    assert_eq!(p.tos_name, "ТОС \"Улица Сибирская\"");
    assert_eq!(p.application_date.to_string(), "2020-12-29");
}

#[test]
fn a_wrong_group_on_line_3_of_an_excel_file_is_named_with_the_closest_group() {
    let (_dir, service, actor) = empty_contest();
    let before = snapshot(&service, &actor);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("участники.csv");
    let bytes = excel_participants(|i, cells| {
        if i == 1 {
            cells[4] = "Городской окр.".into();
        }
    });
    std::fs::write(&path, bytes).unwrap();
    let failure =
        interchange::import_file(&service, &actor, ImportKind::Participants, &path, false)
            .unwrap_err();
    let file = path.display();
    assert_eq!(
        failure.to_string(),
        format!(
            "{file}:3: column «Группа»: unknown group 'Городской окр.': perhaps «Городские округа» (city)?\nnothing was imported"
        )
    );
    assert_eq!(
        failure.words(&I18n::new(Lang::Ru)),
        format!(
            "{file}:3: столбец «Группа»: неизвестная группа „Городской окр.“ — возможно, „Городские округа“ (city)?\nничего не импортировано"
        )
    );
    assert_eq!(failure.words(&I18n::new(Lang::En)), failure.to_string());
    assert_eq!(snapshot(&service, &actor), before);
}

#[test]
fn numbers_in_a_russian_refusal_have_a_decimal_comma() {
    let (_dir, service, actor) = empty_contest();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("мо.csv");
    std::fs::write(&path, "Название;Широта;Долгота\r\nИркутск;95,25;104,3\r\n").unwrap();
    let failure =
        interchange::import_file(&service, &actor, ImportKind::Municipalities, &path, false)
            .unwrap_err();
    assert_eq!(
        failure.words(&I18n::new(Lang::Ru)),
        format!(
            "{}:2: столбец «Широта»: 95,25 — вне допустимых пределов: нужно от -90 до 90\nничего не импортировано",
            path.display()
        )
    );
    assert!(
        failure
            .to_string()
            .contains("95.25 is out of range: expected -90 to 90"),
        "{failure}"
    );
}

#[test]
fn mentors_and_interns_files_read_the_same_headers_as_participants() {
    let (_dir, service, actor) = empty_contest();
    let tmp = tempfile::tempdir().unwrap();
    let mentors = tmp.path().join("наставники.csv");
    std::fs::write(
        &mentors,
        "Код;Ф.И.О;Название ТОС;район;Темы\r\n\
         M01;Фёдорова Ксения Ивановна;ТОС «Улица Молодёжная»;Ангарский городской округ;economics:3\r\n",
    )
    .unwrap();
    let interns = tmp.path().join("стажёры.csv");
    std::fs::write(
        &interns,
        "Код;Полное имя;Название ТОС;Район;Нужные темы\r\n\
         I01;Харитонова Юлия Валерьевна;ТОС «Иволга»;г. Иркутск;economics\r\n",
    )
    .unwrap();
    for (kind, path) in [
        (ImportKind::Mentors, &mentors),
        (ImportKind::Interns, &interns),
    ] {
        let outcome = interchange::import_file(&service, &actor, kind, path, false)
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(outcome.report.added.len(), 1, "{kind:?}");
        assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    }
    let view = service.view(&actor);
    let mentor = view.mentors().next().unwrap();
    assert_eq!(mentor.full_name, "Фёдорова Ксения Ивановна");
    assert_eq!(mentor.municipality, "Ангарский городской округ");
    let intern = view.interns().next().unwrap();
    assert_eq!(intern.full_name, "Харитонова Юлия Валерьевна");
    assert_eq!(intern.municipality, "г. Иркутск");
}

#[test]
fn without_a_group_column_the_group_comes_from_the_municipality_kind() {
    let (_dir, service, actor) = empty_contest();
    interchange::import_file(
        &service,
        &actor,
        ImportKind::Municipalities,
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/municipalities.csv"),
        false,
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("участники.csv");
    let mut reader = csv::Reader::from_reader(SAMPLE_PARTICIPANTS.as_bytes());
    let mut writer = csv::Writer::from_writer(Vec::new());
    let keep = [0, 1, 2, 3, 7];
    let header = reader.headers().unwrap().clone();
    writer
        .write_record(keep.iter().map(|i| &header[*i]))
        .unwrap();
    for r in reader.records() {
        let r = r.unwrap();
        writer.write_record(keep.iter().map(|i| &r[*i])).unwrap();
    }
    std::fs::write(&path, writer.into_inner().unwrap()).unwrap();
    interchange::import_file(&service, &actor, ImportKind::Participants, &path, false)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut expected = sample_groups();
    expected.sort();
    assert_eq!(stored_groups(&service, &actor), expected);
}

#[test]
fn an_unknown_column_is_passed_over_with_a_warning_in_the_language() {
    let (_dir, service, actor) = empty_contest();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("наставники.csv");
    std::fs::write(
        &path,
        "Код;ФИО;район;Темы;Любимый цвет\r\nM01;Фёдорова Ксения;г. Иркутск;economics;синий\r\n",
    )
    .unwrap();
    let outcome = interchange::import_file(&service, &actor, ImportKind::Mentors, &path, false)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.warnings.len(), 1, "{:?}", outcome.warnings);
    let known = "id, participant_id, full_name, tos_name, municipality, capacity, topics, formats, preferred_interns";
    assert_eq!(
        outcome.warnings[0].words(&I18n::new(Lang::Ru)),
        format!(
            "{}:1: столбец «Любимый цвет»: такого столбца нет в файле наставников, он пропущен (известные столбцы: {known})",
            path.display()
        )
    );
    assert_eq!(
        outcome.warnings[0].to_string(),
        format!(
            "{}:1: column «Любимый цвет»: it is not one of the mentors columns and is ignored (known: {known})",
            path.display()
        )
    );
}
