//! The documents a contest ends with, exported from the sample contest run
//! to the end (stages closed in order, deterministic scores, a juror's
//! abstention and a declared conflict, the team, mentors from the team, an
//! accepted matching), on a scripted clock and at a fixed export time.
//!
//! Text formats are compared with golden files in `tests/golden/export/`;
//! to pin new output after a deliberate change, run with `KONKURS_BLESS=1`
//! and read the diff. XLSX is read back with calamine and compared with the
//! data.

mod common;

use calamine::{Data, Reader};
use chrono::{DateTime, TimeZone, Utc};
use common::score_stage;
use konkurs::domain::ids::{JurorId, ParticipantId, StageId};
use konkurs::domain::matching::MatchMode;
use konkurs::domain::people::Role;
use konkurs::interchange::export::{self, DocumentKind, ExportFormat, Request};
use konkurs::service::{Actor, Channel, Service};
use konkurs::text::Lang;
use konkurs::text::number::figure;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, LazyLock};

/// The export time of every golden document.
fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 6, 1, 12, 0, 0).unwrap()
}

fn secretary() -> Actor {
    Actor {
        id: JurorId::new("J01"),
        name: "Вишневская Зинаида Ильинична".into(),
        role: Role::Coordinator,
        channel: Channel::Local,
    }
}

struct Contest {
    service: Arc<Service>,
}

/// The justification every scripted juror writes (with a comma, a pipe and
/// quotes, which every format must carry).
fn justification(p: &ParticipantId) -> String {
    format!("{p}: портфолио изучено, «сильные стороны» отмечены; 7,5 | итог")
}

/// Gives `participant` another juror at `stage` (after an abstention or a
/// declared conflict): the first juror by id who may judge them.
fn reassign(service: &Service, stage: &StageId, participant: &ParticipantId) {
    let coordinator = secretary();
    let view = service.view(&coordinator);
    let taken: Vec<JurorId> = view
        .assignments(stage)
        .iter()
        .filter(|a| &a.participant == participant)
        .map(|a| a.juror.clone())
        .collect();
    let free: Vec<JurorId> = view
        .jurors()
        .filter(|j| j.role == Role::Juror && !taken.contains(&j.id))
        .map(|j| j.id.clone())
        .collect();
    for j in free {
        if service.assign(&coordinator, stage, participant, &j).is_ok() {
            return;
        }
    }
    panic!("no juror can take {participant}");
}

/// The sample contest run through the service to the given point, in a
/// database under the target directory that the next run replaces (a
/// static's temporary directory would never be removed).
fn run_contest(name: &str, close_final: bool) -> Contest {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let start = Utc
        .with_ymd_and_hms(2021, 3, 1, 9, 0, 0)
        .unwrap()
        .timestamp();
    let tick = AtomicI64::new(0);
    // A scripted clock: every reading is a minute later, so the audit log
    // and the snapshots are the same on every run.
    let service = Service::open(&dir).unwrap().with_clock(move || {
        let n = tick.fetch_add(1, Ordering::SeqCst);
        Utc.timestamp_opt(start + 60 * n, 0).unwrap()
    });
    let coordinator = secretary();
    konkurs::sample::load(&service, &coordinator).unwrap();
    let education = StageId::new("education");
    let portfolio = StageId::new("portfolio");
    let final_stage = StageId::new("final");
    service
        .close_stage(&coordinator, &education, "protocol of the jury")
        .unwrap();

    service.assign_auto(&coordinator, &portfolio, None).unwrap();
    // A juror abstains, another declares a conflict; both get replaced.
    let j03 = service.actor("J03").unwrap();
    let abstained = service.view(&j03).assignments(&portfolio)[0]
        .participant
        .clone();
    service
        .abstain(
            &j03,
            &portfolio,
            &abstained,
            "не успеваю изучить портфолио до срока",
        )
        .unwrap();
    reassign(&service, &portfolio, &abstained);
    let j04 = service.actor("J04").unwrap();
    let conflicted = service.view(&j04).assignments(&portfolio)[0]
        .participant
        .clone();
    service
        .declare_conflict(
            &j04,
            &portfolio,
            &conflicted,
            "работали вместе в одном проекте",
        )
        .unwrap();
    reassign(&service, &portfolio, &conflicted);
    score_stage(
        &service,
        &portfolio,
        &common::PORTFOLIO_CRITERIA,
        justification,
    );
    service
        .close_stage(&coordinator, &portfolio, "protocol of the jury")
        .unwrap();

    service
        .assign_auto(&coordinator, &final_stage, None)
        .unwrap();
    score_stage(
        &service,
        &final_stage,
        &["defence", "internship_programme", "answers"],
        justification,
    );
    if close_final {
        service
            .close_stage(&coordinator, &final_stage, "protocol of the jury")
            .unwrap();
        service.mentors_from_team(&coordinator).unwrap();
        let (_, proposal) = service.propose(&coordinator, MatchMode::Optimal).unwrap();
        service
            .accept_matching(&coordinator, &proposal, "programme council")
            .unwrap();
    }
    Contest {
        service: Arc::new(service),
    }
}

/// Every stage closed, the team formed, the matching accepted.
static FINISHED: LazyLock<Contest> = LazyLock::new(|| run_contest("export-finished", true));
/// The final scored but not closed; no matching accepted.
static IN_PROGRESS: LazyLock<Contest> = LazyLock::new(|| run_contest("export-in-progress", false));

fn request(kind: DocumentKind, format: ExportFormat) -> Request {
    Request::new(kind, format, at(), Lang::Ru)
}

fn protocol(stage: &str, format: ExportFormat) -> Request {
    Request {
        stage: Some(StageId::new(stage)),
        ..request(DocumentKind::Protocol, format)
    }
}

fn render(contest: &Contest, r: &Request) -> Vec<u8> {
    let doc =
        export::build(&contest.service, &secretary(), r).unwrap_or_else(|e| panic!("{r:?}: {e}"));
    export::render(&doc, r).unwrap()
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/export")
}

/// Compares `bytes` with the golden file `name`, or writes it when
/// blessing. A mismatch names the first differing line.
fn golden(name: &str, bytes: &[u8]) {
    let path = golden_dir().join(name);
    if std::env::var_os("KONKURS_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with KONKURS_BLESS=1 to create it",
            path.display()
        )
    });
    if expected != bytes {
        let got = String::from_utf8_lossy(bytes);
        let want = String::from_utf8_lossy(&expected);
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
        panic!(
            "{name} differs from its golden file at line {}:\n  got:  {:?}\n  want: {:?}\n\
             (KONKURS_BLESS=1 cargo test --test export re-blesses after a deliberate change)",
            line + 1,
            got.lines().nth(line),
            want.lines().nth(line)
        );
    }
}

#[test]
fn every_document_matches_its_golden_file_and_is_reproducible() {
    let c = &*FINISHED;
    let mut cases: Vec<(String, Request)> = Vec::new();
    for (format, ext) in [
        (ExportFormat::Csv, "csv"),
        (ExportFormat::Md, "md"),
        (ExportFormat::Json, "json"),
    ] {
        cases.push((format!("team.{ext}"), request(DocumentKind::Team, format)));
        cases.push((
            format!("protocol-portfolio.{ext}"),
            protocol("portfolio", format),
        ));
        cases.push((
            format!("mentoring.{ext}"),
            request(DocumentKind::Mentoring, format),
        ));
        cases.push((
            format!("register.{ext}"),
            request(DocumentKind::Register, format),
        ));
    }
    cases.push((
        "team-comma.csv".into(),
        Request {
            delimiter: b',',
            ..request(DocumentKind::Team, ExportFormat::Csv)
        },
    ));
    cases.push((
        "team-en.md".into(),
        Request {
            lang: Lang::En,
            ..request(DocumentKind::Team, ExportFormat::Md)
        },
    ));
    cases.push((
        "protocol-education.md".into(),
        protocol("education", ExportFormat::Md),
    ));
    cases.push((
        "protocol-final.md".into(),
        protocol("final", ExportFormat::Md),
    ));
    for (name, r) in &cases {
        let first = render(c, r);
        golden(name, &first);
        assert_eq!(first, render(c, r), "{name}: a second export differs");
    }
}

/// Every cell of every sheet of a workbook, as calamine reads it back.
fn workbook(bytes: &[u8]) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book = calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(std::io::Cursor::new(
        bytes.to_vec(),
    ))
    .unwrap();
    let names = book.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            assert_eq!(range.start(), Some((0, 0)), "{name} starts at A1");
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (name, rows)
        })
        .collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(x) => *x,
        Data::Int(n) => *n as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The header row of a sheet: the title, the provenance and a blank row
/// come first.
const HEADER_ROW: usize = 3;

#[test]
fn the_team_workbook_has_a_sheet_per_group_with_the_frozen_results() {
    let c = &*FINISHED;
    let r = request(DocumentKind::Team, ExportFormat::Xlsx);
    let bytes = render(c, &r);
    assert_eq!(bytes, render(c, &r), "two exports of the same data differ");
    let later = Request {
        at: at() + chrono::Duration::hours(1),
        ..r.clone()
    };
    assert_ne!(
        bytes,
        render(c, &later),
        "the export time is in the workbook"
    );

    let view = c.service.view(&secretary());
    let rules = &view.regulation().unwrap().rules;
    let frozen = view.snapshot(&StageId::new("final")).unwrap();
    let portfolio = view.snapshot(&StageId::new("portfolio")).unwrap();
    let book = workbook(&bytes);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    let groups: Vec<&str> = rules.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, groups, "one sheet per territory group, in order");
    for ((name, rows), group) in book.iter().zip(&rules.groups) {
        assert_eq!(
            text(&rows[0][0]),
            format!(
                "Состав команды «#ТОСыПрибайкальяПрофи»: победители по территориальным группам — {name}"
            )
        );
        // 12:00 UTC is 20:00 in Irkutsk.
        assert!(text(&rows[1][0]).contains("Дата выгрузки: 2021-06-01 20:00 (UTC+08:00)"));
        let header: Vec<String> = rows[HEADER_ROW].iter().map(text).collect();
        assert_eq!(
            header,
            [
                "Место",
                "Код",
                "ФИО",
                "ТОС",
                "Муниципальное образование",
                "Образовательный этап: балл",
                "Конкурс портфолио: балл",
                "Итоговый балл (Финал: защита практики)"
            ]
        );
        let mut members: Vec<_> = frozen
            .rows
            .iter()
            .filter(|r| r.advances && r.group == group.id)
            .collect();
        members.sort_by_key(|r| r.group_rank);
        assert_eq!(members.len(), group.quota, "{name}");
        let data = &rows[HEADER_ROW + 1..];
        assert_eq!(data.len(), members.len(), "{name}");
        for (row, m) in data.iter().zip(members) {
            let p = view.participant(&m.participant).unwrap();
            assert_eq!(number(&row[0]), m.group_rank as f64);
            assert_eq!(text(&row[1]), p.id.as_str());
            assert_eq!(text(&row[2]), p.full_name);
            assert_eq!(text(&row[3]), p.tos_name);
            let at_portfolio = portfolio
                .rows
                .iter()
                .find(|r| r.participant == m.participant)
                .unwrap();
            assert_eq!(number(&row[6]), at_portfolio.total);
            assert_eq!(number(&row[7]), m.total);
        }
    }
}

#[test]
fn the_other_workbooks_read_back_as_their_data() {
    let c = &*FINISHED;
    let view = c.service.view(&secretary());

    // The protocol: the ranking's rows, the method, the regulation.
    let bytes = render(c, &protocol("portfolio", ExportFormat::Xlsx));
    let book = workbook(&bytes);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["Протокол", "Статистика жюри", "Методика", "Положение"]
    );
    let frozen = view.snapshot(&StageId::new("portfolio")).unwrap();
    let rows = &book[0].1;
    assert_eq!(text(&rows[HEADER_ROW][0]), "Место");
    let first = &rows[HEADER_ROW + 1];
    let best = &frozen.rows[0];
    assert_eq!(text(&first[3]), best.participant.as_str());
    let total_col = rows[HEADER_ROW]
        .iter()
        .position(|h| text(h) == "Итого")
        .unwrap();
    assert_eq!(number(&first[total_col]), figure(best.total));
    let data = &rows[HEADER_ROW + 1..];
    let participants: std::collections::BTreeSet<String> =
        data.iter().map(|r| text(&r[3])).collect();
    assert_eq!(participants.len(), frozen.rows.len());
    // The jury's statistics, as the domain computes them.
    let statistics = c
        .service
        .analyse_stage(&secretary(), &StageId::new("portfolio"))
        .unwrap()
        .analysis
        .statistics;
    let sheet = &book[1].1;
    let stat = |label: &str| {
        sheet
            .iter()
            .find(|r| text(&r[0]).starts_with(label))
            .map(|r| number(&r[1]))
            .unwrap_or_else(|| panic!("no {label}"))
    };
    let w = statistics.concordance.unwrap().w;
    assert_eq!(stat("W Кендалла"), figure(w));
    assert_eq!(
        stat("Альфа Криппендорфа"),
        figure(statistics.krippendorff_alpha.unwrap())
    );
    assert_eq!(stat("Выбросов"), statistics.outliers.len() as f64);
    let method = &book[2].1;
    let field = |label: &str| {
        method
            .iter()
            .find(|r| text(&r[0]) == label)
            .map(|r| text(&r[1]))
            .unwrap_or_else(|| panic!("no {label}"))
    };
    assert_eq!(field("SHA-256 зафиксированного рейтинга"), frozen.hash);
    assert_eq!(
        field("SHA-256 положения"),
        view.regulation().unwrap().doc.hash()
    );
    // The text follows its title ("the regulation as loaded: file, hash").
    let sheet = &book[3].1;
    assert!(text(&sheet[HEADER_ROW][0]).contains(&view.regulation().unwrap().doc.hash()));
    let regulation: Vec<String> = sheet[HEADER_ROW + 1..]
        .iter()
        .map(|r| text(&r[0]))
        .collect();
    let source: Vec<&str> = view.regulation().unwrap().doc.source.lines().collect();
    assert_eq!(regulation.len(), source.len());
    assert!(regulation.iter().zip(&source).all(|(a, b)| a == b));

    // The register: a row per listener, a column per topic.
    let book = workbook(&render(
        c,
        &request(DocumentKind::Register, ExportFormat::Xlsx),
    ));
    assert_eq!(book.len(), 1);
    let rows = &book[0].1;
    let header: Vec<String> = rows[HEADER_ROW].iter().map(text).collect();
    let topics: Vec<&String> = header.iter().filter(|h| h.contains(". ")).collect();
    assert_eq!(topics.len(), 11);
    assert!(topics[0].starts_with("1. ") && topics[10].starts_with("11. "));
    let data = &rows[HEADER_ROW + 1..];
    assert_eq!(data.len(), view.participants().count());
    let events = header.iter().position(|h| h == "Мероприятий").unwrap();
    let rating = header
        .iter()
        .position(|h| h == "Рейтинг активности")
        .unwrap();
    for row in data {
        let per_topic: f64 = row[5..16].iter().map(number).sum();
        assert_eq!(per_topic, number(&row[events]), "{}", text(&row[0]));
        let id = ParticipantId::new(text(&row[0]));
        assert_eq!(
            number(&row[rating]),
            figure(view.rating(&id).unwrap().total)
        );
    }

    // The mentoring list: the accepted pairs.
    let book = workbook(&render(
        c,
        &request(DocumentKind::Mentoring, ExportFormat::Xlsx),
    ));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Наставники", "Пары", "Без наставника"]);
    let accepted = view.matching().unwrap();
    let pairs: Vec<(String, String)> = book[1].1[HEADER_ROW + 1..]
        .iter()
        .take_while(|r| !text(&r[0]).is_empty())
        .map(|r| (text(&r[0]), text(&r[3])))
        .collect();
    let mut want: Vec<(String, String)> = accepted
        .pairs
        .iter()
        .map(|p| (p.mentor.to_string(), p.intern.to_string()))
        .collect();
    want.sort();
    assert_eq!(pairs, want);
}

#[test]
fn csv_keeps_cyrillic_with_a_bom_and_russian_csv_has_semicolons_and_decimal_commas() {
    let c = &*FINISHED;
    // `,` chosen instead of the Russian default.
    let bytes = render(
        c,
        &Request {
            delimiter: b',',
            ..request(DocumentKind::Team, ExportFormat::Csv)
        },
    );
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
    let text = std::str::from_utf8(&bytes[3..]).expect("valid UTF-8");
    let view = c.service.view(&secretary());
    let frozen = view.snapshot(&StageId::new("final")).unwrap();
    for r in frozen.rows.iter().filter(|r| r.advances) {
        let p = view.participant(&r.participant).unwrap();
        assert!(text.contains(&p.full_name), "{}", p.full_name);
    }
    assert!(text.starts_with("Состав команды «#ТОСыПрибайкальяПрофи»"));
    // Read back as CSV: a row per team member with the final total.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let header = records
        .iter()
        .position(|r| r.get(0) == Some("Территориальная группа"))
        .unwrap();
    assert_eq!(records.len() - header - 1, 12);

    // Russian CSV by default: `;` between cells and a decimal comma.
    let semi = render(c, &request(DocumentKind::Team, ExportFormat::Csv));
    let semi = std::str::from_utf8(&semi[3..]).unwrap();
    let best = frozen.rows.iter().find(|r| r.advances).unwrap();
    let line = semi
        .lines()
        .find(|l| l.contains(best.participant.as_str()))
        .unwrap();
    assert!(
        line.ends_with(&konkurs::text::number::points(best.total).replace('.', ",")),
        "{line}"
    );
    assert!(line.contains(';'));
    assert!(
        semi.lines().any(|l| l.contains(';') && l.contains(',')),
        "some figure has a decimal comma: {semi}"
    );
}

#[test]
fn the_protocols_regulation_sheet_keeps_the_toml_lines_as_written() {
    let c = &*FINISHED;
    for delimiter in [b';', b','] {
        let bytes = render(
            c,
            &Request {
                delimiter,
                ..protocol("portfolio", ExportFormat::Csv)
            },
        );
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        // A line without the delimiter is written as it is, quotes included.
        assert!(lines.contains(&r#"id = "rural""#), "{text}");
        assert!(lines.contains(&"quota = 5"), "{text}");
        assert!(!text.contains(r#""id = ""rural""""#), "{text}");
        // A blank line of the regulation is a blank line, not `""`.
        assert!(!lines.contains(&r#""""#), "{text}");
        // Read back as CSV, every line of the regulation comes back whole.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let cells: Vec<String> = reader
            .records()
            .map(|r| r.unwrap())
            .filter(|r| r.len() == 1)
            .map(|r| r[0].to_string())
            .collect();
        for line in konkurs::sample::REGULATION
            .lines()
            .filter(|l| !l.is_empty())
        {
            assert!(
                cells.iter().any(|c| c == line),
                "{line:?} is not read back whole"
            );
        }
    }
}

#[test]
fn what_is_not_final_is_refused_or_exported_as_a_marked_draft() {
    let c = &*IN_PROGRESS;
    let refusal = |r: &Request| {
        export::build(&c.service, &secretary(), r)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        refusal(&request(DocumentKind::Team, ExportFormat::Xlsx)),
        "the final stage 'final' is not closed, so the team is not decided yet: close it \
         (konkurs advance --stage final --reason REASON), or add --draft to export a draft marked DRAFT"
    );
    assert_eq!(
        refusal(&protocol("final", ExportFormat::Md)),
        "the stage 'final' is not closed, so its protocol is not final: close it \
         (konkurs advance --stage final --reason REASON), or add --draft to export a draft marked DRAFT"
    );
    assert_eq!(
        refusal(&request(DocumentKind::Mentoring, ExportFormat::Csv)),
        "no mentoring matching is accepted yet: accept one (konkurs match --accept --reason REASON, or a in \
         the Mentoring pane), or add --draft to export a fresh optimal proposal marked DRAFT"
    );
    // An observer sees no scores of an open blind stage, draft or not, in
    // a protocol or in the team list drawn from it.
    let observer = c.service.actor("J07").unwrap();
    for r in [
        protocol("final", ExportFormat::Md),
        request(DocumentKind::Team, ExportFormat::Md),
    ] {
        for draft in [false, true] {
            let e = export::build(&c.service, &observer, &Request { draft, ..r.clone() })
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with(
                    "the stage 'Финал: защита практики' is blind: until it is closed, \
                     only coordinators see the jurors' scores and totals; "
                ),
                "{e}"
            );
        }
    }
    // A closed stage's protocol is final while a later stage is open.
    let closed = render(c, &protocol("portfolio", ExportFormat::Md));
    assert!(closed.starts_with("# Протокол этапа «Конкурс портфолио»".as_bytes()));

    let draft = |r: Request| Request { draft: true, ..r };
    for r in [
        request(DocumentKind::Team, ExportFormat::Csv),
        protocol("final", ExportFormat::Csv),
        request(DocumentKind::Mentoring, ExportFormat::Csv),
    ] {
        let bytes = render(c, &draft(r.clone()));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert!(
            text.starts_with("ЧЕРНОВИК — "),
            "{:?}: {}",
            r.kind,
            &text[..80]
        );
        assert!(
            text.contains("\r\nСтатус;черновик: "),
            "{:?}: {text}",
            r.kind
        );
    }
    let md = render(c, &draft(request(DocumentKind::Team, ExportFormat::Md)));
    assert!(md.starts_with("# ЧЕРНОВИК — Состав команды".as_bytes()));
    let json: serde_json::Value =
        serde_json::from_slice(&render(c, &draft(protocol("final", ExportFormat::Json)))).unwrap();
    assert_eq!(json["draft"], true);
    assert!(json["title"].as_str().unwrap().starts_with("ЧЕРНОВИК — "));
    // Every sheet of a draft workbook says so.
    for r in [
        request(DocumentKind::Team, ExportFormat::Xlsx),
        protocol("final", ExportFormat::Xlsx),
        request(DocumentKind::Mentoring, ExportFormat::Xlsx),
    ] {
        let book = workbook(&render(c, &draft(r.clone())));
        assert!(book.len() >= 3, "{:?}", r.kind);
        for (name, rows) in &book {
            assert!(
                text(&rows[0][0]).starts_with("ЧЕРНОВИК — "),
                "{:?} {name}: {:?}",
                r.kind,
                rows[0][0]
            );
        }
    }
    // The draft team is the live ranking of the final: the quotas filled.
    let book = workbook(&render(
        c,
        &draft(request(DocumentKind::Team, ExportFormat::Xlsx)),
    ));
    let members: usize = book
        .iter()
        .map(|(_, rows)| rows.len() - HEADER_ROW - 1)
        .sum();
    assert_eq!(members, 5 + 3 + 4);
}

/// The files in a directory, by name.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn bad_requests_are_refused_with_what_to_do_and_nothing_is_written() {
    let c = &*FINISHED;
    let dir = tempfile::tempdir().unwrap();
    let team = request(DocumentKind::Team, ExportFormat::Csv);
    let try_export = |actor: &Actor, r: &Request, path: &Path, force: bool| {
        export::export(&c.service, actor, r, path, force, &mut |_| {})
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    let me = secretary();
    let out = dir.path().join("team.csv");

    // A juror: protocols hold every juror's scores.
    let juror = c.service.actor("J02").unwrap();
    assert_eq!(
        try_export(&juror, &team, &out, false),
        "J02 (juror) may not export documents (a protocol holds every juror's scores)"
    );
    // An observer may.
    let observer = c.service.actor("J07").unwrap();
    export::export(&c.service, &observer, &team, &out, false, &mut |_| {}).unwrap();
    std::fs::remove_file(&out).unwrap();

    // A protocol without a stage, or of a stage that does not exist.
    let no_stage = request(DocumentKind::Protocol, ExportFormat::Md);
    assert_eq!(
        try_export(&me, &no_stage, &out, false),
        "a protocol is of one stage: add --stage STAGE, one of education, portfolio, final"
    );
    assert_eq!(
        try_export(&me, &protocol("semifinal", ExportFormat::Md), &out, false),
        "unknown stage 'semifinal': the stages are education, portfolio, final"
    );
    assert!(listing(dir.path()).is_empty());

    // An existing file is kept unless --force.
    std::fs::write(&out, "the old list").unwrap();
    assert_eq!(
        try_export(&me, &team, &out, false),
        format!(
            "{} exists; choose another name or add --force to replace it",
            out.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the old list");
    let written = export::export(&c.service, &me, &team, &out, true, &mut |_| {}).unwrap();
    assert_eq!(
        written.bytes,
        std::fs::metadata(&out).unwrap().len() as usize
    );
    assert!(std::fs::read(&out).unwrap().starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(listing(dir.path()), ["team.csv"]);
    // Private to its owner, like a backup: it holds the contest's data.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
    assert_eq!(mode(&out) & 0o777, 0o600, "{:o}", mode(&out));

    // A directory that does not exist, a path through a file, a directory.
    let missing = dir.path().join("no/such/team.csv");
    assert_eq!(
        try_export(&me, &team, &missing, false),
        format!(
            "cannot write {}: the directory {} does not exist; create it or choose another place",
            missing.display(),
            dir.path().join("no/such").display()
        )
    );
    let through = out.join("team.csv");
    assert_eq!(
        try_export(&me, &team, &through, true),
        format!(
            "cannot write {}: {} is not a directory; choose another place",
            through.display(),
            out.display()
        )
    );
    assert_eq!(
        try_export(&me, &team, dir.path(), true),
        format!(
            "{} is a directory; give a file name, e.g. {}",
            dir.path().display(),
            dir.path().join("konkurs-team.xlsx").display()
        )
    );
    assert_eq!(
        listing(dir.path()),
        ["team.csv"],
        "nothing else was created"
    );

    // A directory one may not write to: no file, no temporary file.
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = std::fs::write(locked.join("probe"), "x").is_ok();
    if probe {
        // Running as root: permissions do not stop writing here.
        eprintln!("skipping the read-only directory case: running as a superuser");
    } else {
        let target = locked.join("team.csv");
        let e = try_export(&me, &team, &target, false);
        assert_eq!(
            e,
            format!(
                "cannot write {}: Permission denied (os error 13); choose a directory you can write to",
                target.display()
            )
        );
        assert!(listing(&locked).is_empty());
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Runs the command line in this process.
fn cli(args: &[&str]) -> Result<(), String> {
    use clap::Parser;
    let mut all = vec!["konkurs"];
    all.extend_from_slice(args);
    konkurs::cli::run(
        konkurs::cli::Cli::parse_from(all),
        &konkurs::cli::Place::Local,
        &mut konkurs::cli::Console::process(),
    )
    .map_err(|e| e.to_string())
}

#[test]
fn the_command_line_exports_and_checks_its_options() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db = db.to_str().unwrap();
    let regulation = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/regulation.toml");
    cli(&["--db", db, "init", "--regulation", regulation]).unwrap();
    let out = dir.path().join("register.csv");
    let out_s = out.to_str().unwrap();
    cli(&[
        "--db",
        db,
        "--lang",
        "ru",
        "export",
        "register",
        "--out",
        out_s,
        "--at",
        "2021-06-01 12:00",
        "--delimiter",
        ";",
    ])
    .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("\u{feff}Реестр слушателей\r\n"), "{text}");
    // --at is read in the contest's zone (the sample's Asia/Irkutsk).
    assert!(
        text.contains("Дата выгрузки;2021-06-01 12:00 (UTC+08:00)\r\n"),
        "{text}"
    );
    // Again without --force: refused, the file kept.
    let again = cli(&["--db", db, "export", "register", "--out", out_s]).unwrap_err();
    assert_eq!(
        again,
        format!("{out_s} exists; choose another name or add --force to replace it")
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);

    for (args, message) in [
        (
            vec!["export", "team", "--stage", "final"],
            "--stage is for protocols; the team has no stage (remove --stage)".to_string(),
        ),
        (
            vec!["export", "team", "--format", "csv", "--out", "team.xlsx"],
            "team.xlsx ends in .xlsx but --format is csv; change one of them".to_string(),
        ),
        (
            vec!["export", "register", "--out", "r.xlsx", "--delimiter", ";"],
            "--delimiter is for CSV; the xlsx format has no cells to separate (remove --delimiter)"
                .to_string(),
        ),
        (
            vec!["export", "register", "--out", "r.csv", "--delimiter", "ab"],
            "'ab' cannot separate cells: use ',' or ';' (or 'tab')".to_string(),
        ),
        (
            vec!["export", "register", "--out", "r.csv", "--at", "tomorrow"],
            "'tomorrow' is not a time: write 2021-12-01 10:00, 2021-12-01T10:00:00 or 2021-12-01 \
             (the end of that day), in the contest's time zone, or add Z or +08:00 for another zone"
                .to_string(),
        ),
        (
            vec!["export", "register", "--out", "r.xlsx", "--format", "csv"],
            "r.xlsx ends in .xlsx but --format is csv; change one of them".to_string(),
        ),
        (
            vec![
                "export",
                "protocol",
                "--stage",
                "semifinal",
                "--out",
                out_s,
                "--force",
            ],
            "unknown stage 'semifinal': the stages are education, portfolio, final".to_string(),
        ),
        (
            vec!["export", "team", "--out", out_s, "--force"],
            "the final stage 'final' is not closed, so the team is not decided yet: close it \
             (konkurs advance --stage final --reason REASON), or add --draft to export a draft marked DRAFT"
                .to_string(),
        ),
    ] {
        let mut all = vec!["--db", db];
        all.extend(args.iter().copied());
        assert_eq!(cli(&all).unwrap_err(), message, "{args:?}");
    }
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        text,
        "refusals wrote nothing"
    );
}

/// The sample contest with its listeners, events and attendance, in a
/// fresh database driven through the command line.
fn sample_database(dir: &Path) -> String {
    let db = dir.join("db").to_str().unwrap().to_string();
    let sample = |f: &str| format!("{}/sample-data/{f}", env!("CARGO_MANIFEST_DIR"));
    cli(&[
        "--db",
        &db,
        "init",
        "--regulation",
        &sample("regulation.toml"),
    ])
    .unwrap();
    for (kind, file) in [
        ("participants", "participants.csv"),
        ("events", "events.csv"),
        ("attendance", "attendance.csv"),
    ] {
        cli(&["--db", &db, "import", kind, &sample(file)]).unwrap();
    }
    db
}

#[test]
fn russian_csv_has_semicolons_and_decimal_commas_and_at_is_read_in_the_contests_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_database(dir.path());
    let out = dir.path().join("register.csv");
    let out_s = out.to_str().unwrap();
    cli(&[
        "--db",
        &db,
        "--lang",
        "ru",
        "export",
        "register",
        "--format",
        "csv",
        "--out",
        out_s,
        "--at",
        "2021-12-01 10:00",
    ])
    .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    // 10:00 in Irkutsk, with its offset; the date is Irkutsk's.
    assert!(
        text.contains("\r\nДата выгрузки;2021-12-01 10:00 (UTC+08:00)\r\n"),
        "{text}"
    );
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with('P')).collect();
    assert!(rows.len() > 10, "{text}");
    // P001's rating 45.5 and its breakdown, in the Russian form.
    let p001 = rows[0];
    assert!(p001.starts_with("P001;Соколова Елена Павловна;"), "{p001}");
    assert!(p001.contains(";45,5;"), "{p001}");
    assert!(p001.contains("разных тем: 7 × 1,5 = 10,5"), "{p001}");
    assert!(!rows.iter().any(|r| r.contains(" × 1.5")), "{rows:?}");

    // `--delimiter ','` chooses otherwise: commas between cells, decimal points.
    cli(&[
        "--db",
        &db,
        "--lang",
        "ru",
        "export",
        "register",
        "--format",
        "csv",
        "--out",
        out_s,
        "--at",
        "2021-12-01T10:00:00",
        "--delimiter",
        ",",
        "--force",
    ])
    .unwrap();
    let comma = std::fs::read_to_string(&out).unwrap();
    assert!(
        comma.contains("\r\nДата выгрузки,2021-12-01 10:00 (UTC+08:00)\r\n"),
        "{comma}"
    );
    let p001 = comma.lines().find(|l| l.starts_with("P001,")).unwrap();
    assert!(p001.contains(",45.5,"), "{p001}");

    // The JSON stamps the same instant: 02:00 UTC is 10:00 in Irkutsk; an
    // explicit Z is still UTC.
    let json = dir.path().join("register.json");
    for (at, stamped, utc_hour) in [
        ("2021-12-01 10:00", "2021-12-01T10:00:00+08:00", 2),
        ("2021-12-01T02:00:00Z", "2021-12-01T10:00:00+08:00", 2),
        ("2021-12-01 10:00+03:00", "2021-12-01T15:00:00+08:00", 7),
    ] {
        cli(&[
            "--db",
            &db,
            "export",
            "register",
            "--out",
            json.to_str().unwrap(),
            "--at",
            at,
            "--force",
        ])
        .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(v["exported_at"], stamped, "{at}");
        let exported: DateTime<Utc> = v["exported_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            exported,
            Utc.with_ymd_and_hms(2021, 12, 1, utc_hour, 0, 0).unwrap(),
            "{at}"
        );
    }
}

/// Runs the built binary: its standard output, or its error.
fn run_konkurs(args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_konkurs"))
        .args(args)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Runs the built binary; its standard output.
fn konkurs(args: &[&str]) -> String {
    run_konkurs(args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn the_audit_log_is_shown_in_the_contests_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_database(dir.path());
    let audit = konkurs(&["--db", &db, "list", "audit"]);
    let first = audit.lines().nth(1).unwrap_or_default();
    assert!(first.contains("(UTC+08:00)"), "{audit}");
    // The changes were made just now: today's date in Irkutsk.
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%d")
        .to_string();
    let stamp = first.split_whitespace().nth(1).unwrap();
    assert_eq!(stamp, today, "{first}");
}

#[test]
fn the_ranking_as_of_a_time_is_read_in_the_contests_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_database(dir.path());
    let irkutsk = |minutes: i64| {
        (chrono::Utc::now() + chrono::Duration::minutes(minutes))
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let rank =
        |at: &str| run_konkurs(&["--db", &db, "rank", "--stage", "education", "--as-of", at]);
    // Two hours ago on Irkutsk's clock the database did not exist yet (read
    // as UTC, the same text would be six hours ahead, after everything).
    let before = rank(&irkutsk(-120)).unwrap_err();
    assert!(
        before.contains("the database holds nothing from before"),
        "{before}"
    );
    // A minute ahead on Irkutsk's clock, everything is.
    let now = rank(&irkutsk(1)).unwrap();
    assert!(now.contains("P003"), "{now}");
    // An explicit offset still says which clock is meant.
    let earlier_utc = (chrono::Utc::now() - chrono::Duration::minutes(120))
        .format("%Y-%m-%dT%H:%MZ")
        .to_string();
    assert!(rank(&earlier_utc).is_err());
}

#[test]
fn the_export_dialog_writes_the_chosen_document_and_says_where() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use konkurs::text::I18n;
    use konkurs::tui::keymap::Keymap;
    use konkurs::tui::{App, AppOptions};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let c = &*FINISHED;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new(
        c.service.clone(),
        secretary(),
        AppOptions {
            tr: I18n::new(Lang::En),
            keymap: Keymap::builtin("default").unwrap(),
            db_label: "contest".into(),
            user_keymap: None,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut screen = |app: &mut App| {
        terminal.draw(|f| app.draw(f)).unwrap();
        let buf = terminal.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let press = |app: &mut App, code: KeyCode, modifiers: KeyModifiers| {
        app.handle(&Event::Key(KeyEvent::new(code, modifiers)));
    };
    let key = |app: &mut App, code: KeyCode| press(app, code, KeyModifiers::empty());

    // Ctrl-E opens the dialog, offering the team list as XLSX.
    press(&mut app, KeyCode::Char('e'), KeyModifiers::CONTROL);
    let text = screen(&mut app);
    assert!(text.contains("Export"), "{text}");
    assert!(text.contains("◀ team list ▶"), "{text}");
    assert!(text.contains("konkurs-team-2021.xlsx"), "{text}");
    // A protocol: of the last closed stage, or the one chosen.
    key(&mut app, KeyCode::Right);
    let text = screen(&mut app);
    assert!(text.contains("◀ stage protocol ▶"), "{text}");
    assert!(text.contains("◀ Финал: защита практики ▶"), "{text}");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Left);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Right);
    let text = screen(&mut app);
    assert!(text.contains("◀ Конкурс портфолио ▶"), "{text}");
    assert!(text.contains("◀ CSV ▶"), "{text}");
    assert!(
        text.contains("konkurs-protocol-portfolio-2021.csv"),
        "{text}"
    );
    // CSV has a separator: in English `,` by default.
    assert!(text.contains("◀ , (decimal point) ▶"), "{text}");
    // Where: typed over the offered path (past the separator and the draft).
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    let target = dir.path().join("portfolio.csv");
    for ch in target.to_str().unwrap().chars() {
        key(&mut app, KeyCode::Char(ch));
    }
    key(&mut app, KeyCode::Enter);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let text = loop {
        app.tick();
        let text = screen(&mut app);
        if text.contains("saved to") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert!(text.contains("saved to"), "{text}");
    assert!(text.contains("portfolio.csv"), "{text}");
    let bytes = std::fs::read(&target).unwrap();
    let written = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(written.starts_with("Protocol of the stage «Конкурс портфолио»"));

    // Back to the fields (the key does its work there: ↑ moves up a
    // field), then again to the same file: a second Enter replaces it.
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    let text = screen(&mut app);
    assert!(text.contains("exists: Enter replaces it"), "{text}");
    key(&mut app, KeyCode::Esc);
    // Esc closes; the status bar keeps the outcome.
    key(&mut app, KeyCode::Esc);
    let text = screen(&mut app);
    assert!(!text.contains("Save to"), "{text}");
    assert!(text.contains("saved to"), "{text}");

    // A juror cannot open it.
    let mut juror = App::new(
        c.service.clone(),
        c.service.actor("J02").unwrap(),
        AppOptions {
            tr: I18n::new(Lang::En),
            keymap: Keymap::builtin("default").unwrap(),
            db_label: "contest".into(),
            user_keymap: None,
        },
    );
    press(&mut juror, KeyCode::Char('e'), KeyModifiers::CONTROL);
    let text = screen(&mut juror);
    assert!(text.contains("Jurors do not export"), "{text}");
}

#[test]
fn the_russian_export_dialog_offers_the_separator_and_asks_about_a_wrong_extension() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use konkurs::text::I18n;
    use konkurs::tui::keymap::Keymap;
    use konkurs::tui::{App, AppOptions};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let c = &*FINISHED;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new(
        c.service.clone(),
        secretary(),
        AppOptions {
            tr: I18n::new(Lang::Ru),
            keymap: Keymap::builtin("default").unwrap(),
            db_label: "contest".into(),
            user_keymap: None,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut screen = |app: &mut App| {
        terminal.draw(|f| app.draw(f)).unwrap();
        let buf = terminal.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let press = |app: &mut App, code: KeyCode, modifiers: KeyModifiers| {
        app.handle(&Event::Key(KeyEvent::new(code, modifiers)));
    };
    let key = |app: &mut App, code: KeyCode| press(app, code, KeyModifiers::empty());

    press(&mut app, KeyCode::Char('e'), KeyModifiers::CONTROL);
    // The register (the kind before the team list), as CSV.
    key(&mut app, KeyCode::Left);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Right);
    let text = screen(&mut app);
    assert!(text.contains("◀ реестр слушателей ▶"), "{text}");
    assert!(text.contains("◀ CSV ▶"), "{text}");
    // Russian CSV: `;` with decimal commas unless chosen otherwise.
    assert!(
        text.contains("Разделитель        ◀ ; (десятичная запятая, для Excel) ▶"),
        "{text}"
    );
    // A name ending in .xlsx for a CSV: asked, not written as is.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    let target = dir.path().join("final.xlsx");
    for ch in target.to_str().unwrap().chars() {
        key(&mut app, KeyCode::Char(ch));
    }
    key(&mut app, KeyCode::Enter);
    let text = screen(&mut app);
    assert!(
        text.contains("оканчивается на .xlsx, а формат — CSV"),
        "{text}"
    );
    assert!(listing(dir.path()).is_empty());
    // Esc goes back to the fields; Enter, then Enter again, saves it as .csv.
    key(&mut app, KeyCode::Esc);
    assert!(!screen(&mut app).contains("оканчивается на"));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let text = loop {
        app.tick();
        let text = screen(&mut app);
        if text.contains("сохранено в") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert!(text.contains("сохранено в"), "{text}");
    assert_eq!(listing(dir.path()), ["final.csv"]);
    let written = std::fs::read_to_string(dir.path().join("final.csv")).unwrap();
    assert!(written.contains("\r\nДата выгрузки;"), "{written}");
    let p001 = written.lines().find(|l| l.starts_with("P001;")).unwrap();
    assert!(p001.contains(";45,5;"), "{p001}");
}
