//! Blind means blind for everyone: on the sample contest with its blind
//! portfolio stage open and partly scored, the observer (J07) and a juror
//! (J03) walk every way of reading the contest — the service's calls, the
//! command line (`--as J07 rank`, `--as-of`, `progress`, `history`,
//! `export`, `list`, `status`, in both languages) and every pane and view
//! of the workstation — and meet no other juror's score, total or
//! justification. The coordinator walking the same way meets them, so the
//! needles searched for are the ones that would leak.

mod common;

use common::{Screen, konkurs};
use crossterm::event::{KeyCode, KeyModifiers};
use konkurs::domain::ids::{CriterionId, JurorId, ParticipantId, StageId};
use konkurs::domain::refusal::Refusal;
use konkurs::interchange::export::{self, DocumentKind, ExportFormat, Request};
use konkurs::service::{Actor, Service, ServiceError};
use konkurs::text::Lang;
use std::path::Path;
use std::sync::Arc;

fn portfolio() -> StageId {
    StageId::new("portfolio")
}

/// A juror's justification: a phrase no other text holds.
fn secret(juror: &str, p: &ParticipantId) -> String {
    format!("Тайное обоснование {juror} по {p}")
}

/// The first `n` participants of a juror's queue at the portfolio stage.
fn queue(service: &Service, juror: &str, n: usize) -> Vec<ParticipantId> {
    let actor = service.actor(juror).unwrap();
    let mut q: Vec<ParticipantId> = service
        .view(&actor)
        .assignments(&portfolio())
        .iter()
        .map(|a| a.participant.clone())
        .collect();
    q.sort();
    q.truncate(n);
    q
}

/// Scores a sheet criterion by criterion with a justification; submits it
/// when asked.
fn score(service: &Service, juror: &str, p: &ParticipantId, values: [f64; 5], submit: bool) {
    let actor = service.actor(juror).unwrap();
    let criteria = [
        "projects",
        "creative_task",
        "partnership",
        "media",
        "mentoring",
    ];
    for (c, v) in criteria.iter().zip(values) {
        service
            .set_score(&actor, &portfolio(), p, &CriterionId::new(*c), Some(v))
            .unwrap();
    }
    service
        .set_comment(&actor, &portfolio(), p, &secret(juror, p))
        .unwrap();
    if submit {
        service.submit(&actor, &portfolio(), p).unwrap();
    }
}

/// What must not leak, and whose it is.
struct Needles {
    /// (owner, text): the justifications and the jurors' totals as the
    /// command line and the documents write them, in both languages.
    all: Vec<(String, String)>,
    /// A participant J02 has scored (for `history`).
    j02_sheet: ParticipantId,
}

impl Needles {
    /// The needles of everyone but `reader` found in `text`.
    fn found(&self, reader: &str, text: &str) -> Vec<String> {
        self.all
            .iter()
            .filter(|(owner, n)| owner != reader && text.contains(n.as_str()))
            .map(|(_, n)| n.clone())
            .collect()
    }
}

/// The sample contest: the educational stage closed, the portfolio stage
/// assigned and open. J02 submits one sheet (total 40.25) and drafts
/// another (28.75); J04 submits one (31.25); J03 drafts one of their own.
fn contest(db: &Path) -> Needles {
    let service = Service::open(db).unwrap();
    let me = Actor::local_coordinator();
    konkurs::sample::load(&service, &me).unwrap();
    service
        .close_stage(&me, &StageId::new("education"), "protocol of the jury")
        .unwrap();
    service.assign_auto(&me, &portfolio(), Some(3)).unwrap();
    let j02 = queue(&service, "J02", 2);
    let j04 = queue(&service, "J04", 1);
    let j03 = queue(&service, "J03", 1);
    // 1.5 × 9.5 + 1.5 × 7 + 6.5 + 5 + 4 = 40.25
    score(&service, "J02", &j02[0], [9.5, 7.0, 6.5, 5.0, 4.0], true);
    // 1.5 × 6.5 + 1.5 × 5 + 5.5 + 3 + 3 = 28.75
    score(&service, "J02", &j02[1], [6.5, 5.0, 5.5, 3.0, 3.0], false);
    // 1.5 × 8.5 + 1.5 × 6 + 4.5 + 3 + 2 = 31.25
    score(&service, "J04", &j04[0], [8.5, 6.0, 4.5, 3.0, 2.0], true);
    // J03's own: 1.5 × 4.5 + 1.5 × 4 + 3.5 + 2 + 1 = 19.25
    score(&service, "J03", &j03[0], [4.5, 4.0, 3.5, 2.0, 1.0], false);
    let mut all = Vec::new();
    for (owner, total) in [
        ("J02", "40.25"),
        ("J02", "28.75"),
        ("J04", "31.25"),
        ("J03", "19.25"),
    ] {
        all.push((owner.to_string(), total.to_string()));
        all.push((owner.to_string(), total.replace('.', ",")));
    }
    for (owner, p) in [
        ("J02", &j02[0]),
        ("J02", &j02[1]),
        ("J04", &j04[0]),
        ("J03", &j03[0]),
    ] {
        all.push((owner.to_string(), secret(owner, p)));
    }
    Needles {
        all,
        j02_sheet: j02[0].clone(),
    }
}

/// Every command a person may type to read the contest, as `who`, in
/// `lang`: the output and errors of each.
fn commands(db: &Path, who: &str, lang: &str, needles: &Needles) -> Vec<(String, String)> {
    let p = needles.j02_sheet.to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["rank", "--stage", "portfolio"],
        vec!["rank", "--stage", "portfolio", "--format", "json"],
        vec!["rank", "--stage", "portfolio", "--method", "median"],
        vec![
            "rank",
            "--stage",
            "portfolio",
            "--as-of",
            "2100-01-01 00:00",
        ],
        vec!["rank", "--stage", "final"],
        vec!["progress", "--stage", "portfolio"],
        vec!["progress", "--stage", "portfolio", "--sheets"],
        vec!["progress", "--stage", "portfolio", "--format", "json"],
        vec![
            "history",
            "--stage",
            "portfolio",
            "--participant",
            &p,
            "--juror",
            "J02",
        ],
        vec![
            "export",
            "protocol",
            "--stage",
            "portfolio",
            "--draft",
            "--format",
            "md",
            "--out",
            "-",
        ],
        vec![
            "export",
            "protocol",
            "--stage",
            "portfolio",
            "--draft",
            "--format",
            "json",
            "--out",
            "-",
        ],
        vec!["export", "team", "--draft", "--format", "csv", "--out", "-"],
        vec!["export", "register", "--format", "md", "--out", "-"],
        vec![
            "export",
            "mentoring",
            "--draft",
            "--format",
            "md",
            "--out",
            "-",
        ],
        vec!["list", "participants", "--format", "json"],
        vec!["list", "jurors", "--format", "json"],
        vec!["list", "attendance", "--format", "json"],
        vec!["list", "mentors", "--format", "json"],
        vec!["list", "interns", "--format", "json"],
        vec!["list", "audit", "--format", "json"],
        vec!["status"],
    ];
    cases
        .into_iter()
        .map(|args| {
            let mut all = vec!["--lang", lang];
            if who != "local" {
                all.extend(["--as", who]);
            }
            all.extend(args.iter().copied());
            let out = konkurs(db, &all);
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !text.contains("in use by another konkurs process"),
                "konkurs {}: {text}",
                all.join(" ")
            );
            (all.join(" "), text)
        })
        .collect()
}

/// Every pane and view of the workstation as `actor`, at a size that shows
/// the explanation beside the ranking: each screen's text.
fn screens(service: &Arc<Service>, actor: &Actor) -> Vec<(String, String)> {
    let scenes: &[(&str, char, &[KeyCode])] = &[
        ("review", '1', &[]),
        ("review_profile", '1', &[KeyCode::Enter]),
        ("scoring", '2', &[]),
        ("scoring_form", '2', &[KeyCode::Enter]),
        (
            "scoring_history",
            '2',
            &[KeyCode::Enter, KeyCode::Char('H')],
        ),
        ("ranking", '3', &[]),
        ("ranking_explained", '3', &[KeyCode::Enter]),
        ("ranking_statistics", '3', &[KeyCode::Char('v')]),
        (
            "ranking_sensitivity",
            '3',
            &[KeyCode::Char('v'), KeyCode::Char('v')],
        ),
        ("ranking_next_stage", '3', &[KeyCode::Char(']')]),
        (
            "ranking_education",
            '3',
            &[KeyCode::Char('['), KeyCode::Char('[')],
        ),
        ("mentoring", '4', &[]),
        ("learning", '5', &[]),
        ("jury", '6', &[]),
    ];
    scenes
        .iter()
        .map(|(name, pane, keys)| {
            let mut s = Screen::new(service, actor.clone(), 160, 50);
            s.press(KeyCode::Char(*pane), KeyModifiers::ALT);
            for k in *keys {
                s.key(*k);
            }
            (name.to_string(), s.text())
        })
        .collect()
}

/// Every document, built through the service as `actor` and laid out as
/// Markdown: its text, or the refusal.
fn documents(service: &Service, actor: &Actor) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for kind in DocumentKind::ALL {
        for lang in [Lang::En, Lang::Ru] {
            let mut request = Request::new(kind, ExportFormat::Md, service.now(), lang);
            request.stage = Some(portfolio());
            request.draft = true;
            let text = match export::build(service, actor, &request)
                .and_then(|doc| export::render(&doc, &request))
            {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => e.to_string(),
            };
            out.push((format!("{} ({lang:?})", kind.code()), text));
        }
    }
    out
}

/// The refusal a service call ended with.
fn refusal<T>(r: Result<T, ServiceError>) -> Option<Refusal> {
    match r {
        Err(ServiceError::Refused(r)) => Some(r),
        _ => None,
    }
}

/// Everything the `who` walk found of the needles: `where: needles`.
fn walk(db: &Path, who: &str, needles: &Needles) -> Vec<String> {
    let mut leaks = Vec::new();
    let mut look = |place: String, text: &str| {
        let found = needles.found(who, text);
        if !found.is_empty() {
            leaks.push(format!("{place}: {found:?}"));
        }
    };
    for lang in ["en", "ru"] {
        for (command, text) in commands(db, who, lang, needles) {
            look(format!("konkurs {command}"), &text);
        }
    }
    let service = Arc::new(Service::open(db).unwrap());
    let actor = match who {
        "local" => Actor::local_coordinator(),
        id => service.actor(id).unwrap(),
    };
    for (scene, text) in screens(&service, &actor) {
        look(format!("the {scene} screen"), &text);
    }
    for (doc, text) in documents(&service, &actor) {
        look(format!("the {doc} document"), &text);
    }
    // The service's own calls, in their debug form (every field).
    let view = service.view(&actor);
    for sheet in view.stage_sheets(&portfolio()) {
        look("View::stage_sheets".into(), &format!("{sheet:?}"));
    }
    if let Ok(report) = service.analyse_stage(&actor, &portfolio()) {
        look(
            "Service::analyse_stage".into(),
            &format!(
                "{:?}",
                report.analysis.ranking(report.data.declared_method())
            ),
        );
    }
    for juror in ["J02", "J04"] {
        if let Ok(items) = service.history(
            &actor,
            &portfolio(),
            &needles.j02_sheet,
            &JurorId::new(juror),
        ) {
            look("Service::history".into(), &format!("{items:?}"));
        }
    }
    leaks
}

#[test]
fn an_open_blind_stage_shows_no_other_jurors_score_or_total_on_any_read_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let needles = contest(&db);

    // The needles are there to be found: the coordinator finds them.
    let coordinator = walk(&db, "local", &needles);
    for needle in [
        "40.25",
        "40,25",
        "31.25",
        "Тайное обоснование J02",
        "Тайное обоснование J04",
    ] {
        assert!(
            coordinator.iter().any(|l| l.contains(needle)),
            "the coordinator should see {needle}: {coordinator:#?}"
        );
    }

    // The observer and a juror find none of them.
    for who in ["J07", "J03"] {
        let leaks = walk(&db, who, &needles);
        assert!(
            leaks.is_empty(),
            "{who} saw scores of the open blind stage:\n{}",
            leaks.join("\n")
        );
    }

    // The observer is told why, with the progress counts.
    let out = konkurs(&db, &["--as", "J07", "rank", "--stage", "portfolio"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("the stage 'Конкурс портфолио' is blind")
            && said.contains("2 of 180 score sheets are done"),
        "{said}"
    );
    let out = konkurs(
        &db,
        &[
            "--lang",
            "ru",
            "--as",
            "J07",
            "rank",
            "--stage",
            "portfolio",
        ],
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("готово листов оценки: 2 из 180"),
        "{out:?}"
    );
    // The observer's progress is whole: J02's submitted sheet counts.
    let out = konkurs(
        &db,
        &[
            "--as",
            "J07",
            "progress",
            "--stage",
            "portfolio",
            "--sheets",
        ],
    );
    let sheets = String::from_utf8_lossy(&out.stdout);
    let p = needles.j02_sheet.as_str();
    assert!(
        sheets
            .lines()
            .any(|l| l.starts_with(p) && l.contains("J02") && l.contains("submitted")),
        "{sheets}"
    );
    let service = Arc::new(Service::open(&db).unwrap());
    let j07 = service.actor("J07").unwrap();
    assert_eq!(
        refusal(service.analyse_stage(&j07, &portfolio())),
        Some(Refusal::BlindStageOpen {
            stage: "Конкурс портфолио".into(),
            done: 2,
            assigned: 180,
        })
    );
    let mut ranking = Screen::new(&service, j07.clone(), 80, 24);
    ranking.alt('3');
    let screen = ranking.text();
    assert!(
        screen.contains("оценивается вслепую") && screen.contains("2 из 180"),
        "{screen}"
    );
}

#[test]
fn a_closed_blind_stage_shows_its_scores_to_the_observer() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(dir.path()).unwrap();
    let me = Actor::local_coordinator();
    konkurs::sample::load(&service, &me).unwrap();
    service
        .close_stage(&me, &StageId::new("education"), "protocol of the jury")
        .unwrap();
    service.assign_auto(&me, &portfolio(), Some(3)).unwrap();
    common::score_stage(&service, &portfolio(), &common::PORTFOLIO_CRITERIA, |p| {
        format!("{p}: обосновано")
    });
    let j07 = service.actor("J07").unwrap();
    assert!(service.analyse_stage(&j07, &portfolio()).is_err());
    service
        .close_stage(&me, &portfolio(), "protocol of the jury")
        .unwrap();
    let report = service.analyse_stage(&j07, &portfolio()).unwrap();
    assert!(
        report
            .declared()
            .rows
            .iter()
            .all(|r| !r.juror_totals.is_empty())
    );
    let p = &report.declared().rows[0].participant;
    let juror = &report.declared().rows[0].juror_totals[0].juror;
    assert!(service.history(&j07, &portfolio(), p, juror).is_ok());
    assert!(service.may_see_scores(&j07, &portfolio()).is_ok());
}
