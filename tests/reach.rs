//! Everything reachable at 80×24, in Russian on the
//! sample contest: the profile scrolls to its last line without leaving the
//! participant, Enter on a Ranking row explains the place, the tables use
//! the width they are given, the tab bar keeps the current pane's name
//! whole, and the help says first how to close it and scrolls only as far
//! as its text.

mod common;

use common::Screen;
use crossterm::event::KeyCode;
use konkurs::domain::ids::StageId;
use konkurs::service::{Actor, Service};
use std::sync::Arc;

/// The sample contest: the educational stage closed (its ranking counted
/// from data), jurors assigned to the portfolio stage.
fn contest() -> (tempfile::TempDir, Arc<Service>) {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(dir.path())
        .unwrap()
        .with_clock(|| "2021-12-01T02:00:00Z".parse().unwrap());
    let me = Actor::local_coordinator();
    konkurs::sample::load(&service, &me).unwrap();
    service
        .close_stage(&me, &StageId::new("education"), "protocol of the jury")
        .unwrap();
    service
        .assign_auto(&me, &StageId::new("portfolio"), Some(3))
        .unwrap();
    (dir, Arc::new(service))
}

fn coordinator(service: &Arc<Service>, w: u16, h: u16) -> Screen {
    Screen::new(service, service.actor("J01").unwrap(), w, h)
}

/// The first line of the table that holds a participant's row (its id).
fn selected_id(screen: &str) -> Option<String> {
    screen
        .split(|c: char| c.is_whitespace() || c == '│')
        .find(|w| w.len() == 4 && w.starts_with('P') && w[1..].chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
}

#[test]
fn the_profile_scrolls_to_the_rating_and_attendance_without_leaving_the_participant() {
    let (_dir, service) = contest();
    let mut s = coordinator(&service, 80, 24);
    s.alt('1');
    let table = s.text();
    let first = selected_id(&table).expect("a participant in the table");
    s.key(KeyCode::Enter);
    let top = s.text();
    assert!(top.contains(&first), "the profile opens on {first}:\n{top}");
    // At 80×24 the rating breakdown is below the screen.
    assert!(!top.contains("Рейтинг активности"), "{top}");
    // ↓ reads on, it does not open the next participant.
    for _ in 0..40 {
        s.key(KeyCode::Down);
    }
    let bottom = s.text();
    assert!(bottom.contains("Рейтинг активности"), "{bottom}");
    assert!(bottom.contains("Посещения по месяцам"), "{bottom}");
    assert!(
        bottom.contains(&first),
        "still {first}'s profile:\n{bottom}"
    );
    insta::assert_snapshot!("profile_scrolled_80x24", bottom);
    // PgUp goes back to the top; Esc back to the table on the same row.
    s.key(KeyCode::PageUp).key(KeyCode::PageUp);
    assert_eq!(s.text(), top);
    s.key(KeyCode::Esc);
    assert_eq!(selected_id(&s.text()), Some(first));
}

#[test]
fn the_profile_says_how_it_scrolls_on_screen_and_in_the_help() {
    let (_dir, service) = contest();
    let mut s = coordinator(&service, 80, 24);
    s.alt('1').key(KeyCode::Enter);
    let profile = s.text();
    assert!(profile.contains("↑↓ PgUp PgDn"), "{profile}");
    s.key(KeyCode::Char('?')).key(KeyCode::PageDown);
    let help = s.text();
    assert!(help.contains("PgUp PgDn листают"), "{help}");
}

#[test]
fn enter_on_a_ranking_row_explains_the_place_and_esc_closes_it() {
    let (_dir, service) = contest();
    let mut s = coordinator(&service, 80, 24);
    s.alt('3').key(KeyCode::Char('['));
    let table = s.text();
    assert!(
        table.contains("Этап 1") || table.contains("Обучение"),
        "{table}"
    );
    s.key(KeyCode::Down).key(KeyCode::Enter);
    let panel = s.text();
    for words in [
        "Объяснение P041",
        "Итог: 58 = показатели 58 + перенесено 0",
        "Баллы показателей",
        "Соседи по рейтингу",
        "выше: 1. P003",
        "порядок решило правило: рейтинг активности",
        "Проходит: 2-е место в группе «Сельские поселения»",
    ] {
        assert!(panel.contains(words), "{words}:\n{panel}");
    }
    insta::assert_snapshot!("ranking_explained_80x24", panel);
    s.key(KeyCode::Esc);
    assert_eq!(s.text(), table);
}

#[test]
fn the_review_table_shows_whole_names_at_160_columns() {
    let (_dir, service) = contest();
    let mut s = coordinator(&service, 160, 40);
    s.alt('1');
    let text = s.text();
    let names: Vec<String> = service
        .view(&Actor::local_coordinator())
        .participants()
        .map(|p| p.full_name.clone())
        .take(30)
        .collect();
    let shown = names.iter().filter(|n| text.contains(n.as_str())).count();
    assert!(shown >= 30, "{shown} of 30 names whole:\n{text}");
    // At 80 columns the table still holds the id, name, municipality and rating.
    let mut s = coordinator(&service, 80, 24);
    s.alt('1');
    let text = s.text();
    for header in ["№", "ФИО", "МО", "Рейтинг"] {
        assert!(text.lines().nth(2).unwrap().contains(header), "{text}");
    }
}

#[test]
fn the_scoring_tab_keeps_its_whole_name_and_the_others_are_cut_evenly() {
    let (_dir, service) = contest();
    for width in [80u16, 100, 120] {
        let mut s = Screen::new(&service, service.actor("J02").unwrap(), width, 24);
        s.alt('2');
        let text = s.text();
        let tabs = text.lines().next().unwrap();
        assert!(tabs.contains("Alt-2 Оценка"), "{width}: {tabs}");
        // Every key in view, and the other names cut to the same length.
        let cuts: Vec<usize> = tabs
            .split('│')
            .filter(|t| t.contains('…'))
            .map(|t| t.trim().chars().count())
            .collect();
        for n in 1..=6 {
            assert!(tabs.contains(&format!("Alt-{n}")), "{width}: {tabs}");
        }
        assert!(cuts.windows(2).all(|w| w[0] == w[1]), "{width}: {tabs}");
        assert!(tabs.chars().count() <= width as usize, "{width}: {tabs}");
    }
}

#[test]
fn the_help_says_first_how_to_close_it_and_scrolls_only_as_far_as_its_text() {
    let (_dir, service) = contest();
    let mut s = coordinator(&service, 80, 24);
    s.alt('1').key(KeyCode::Char('?'));
    let help = s.text();
    let first = help
        .lines()
        .skip(1)
        .find(|l| l.contains('│') && l.chars().any(char::is_alphabetic) && !l.contains('┌'))
        .unwrap_or_default()
        .to_string();
    assert!(first.contains("любая клавиша закрывает"), "{help}");
    for _ in 0..200 {
        s.key(KeyCode::Down);
    }
    let end = s.text();
    // The last line of the text is in view and the box is full of text.
    assert!(end.contains("Выгрузить документ"), "{end}");
    let blank = end
        .lines()
        .filter(|l| {
            l.trim_start_matches(' ').starts_with('│')
                && l.trim().trim_matches('│').trim().is_empty()
        })
        .count();
    assert!(blank <= 2, "scrolled past the end:\n{end}");
    // Up once shows a line that was just above.
    s.key(KeyCode::Up);
    assert_ne!(s.text(), end);
}

#[test]
fn the_explanation_shows_each_jurors_scores_by_criterion() {
    let (_dir, service) = contest();
    let portfolio = StageId::new("portfolio");
    let me = Actor::local_coordinator();
    let sheets: Vec<_> = service
        .view(&me)
        .assignments(&portfolio)
        .iter()
        .map(|a| (a.participant.clone(), a.juror.clone()))
        .collect();
    for (p, j) in sheets {
        let juror = service.actor(j.as_str()).unwrap();
        service
            .set_score(&juror, &portfolio, &p, &"projects".into(), Some(7.0))
            .unwrap();
    }
    let mut s = coordinator(&service, 80, 24);
    s.alt('3').key(KeyCode::Enter);
    let panel = s.text();
    for words in [
        "Оценки экспертов по критериям",
        "черновик (не учитывается)",
        "Реализованные проекты: 7 / 10",
    ] {
        assert!(panel.contains(words), "{words}:\n{panel}");
    }
    // The panel scrolls to the verdict, and no further than its last line.
    for _ in 0..60 {
        s.key(KeyCode::Down);
    }
    let end = s.text();
    assert!(end.contains("роходит"), "{end}");
    s.key(KeyCode::Up);
    assert_ne!(s.text(), end);
}

/// The real binary in tmux: Enter on a Ranking row opens the explanation,
/// ↓ scrolls it without changing the participant, Esc closes it; in the
/// Review pane Enter opens the profile and ↓ reads on in it.
#[test]
fn the_binary_explains_a_ranking_row_and_scrolls_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let t = common::Tmux::run(&[
        common::BIN.to_string(),
        "demo".into(),
        "--dir".into(),
        dir.path().join("db").display().to_string(),
        "--lang".into(),
        "ru".into(),
    ]);
    t.wait_text("Участники 150 из 150");
    t.keys(&["M-3"]);
    t.wait_text("Место №");
    t.keys(&["Enter"]);
    // Beside the ranking the panel is titled without keys; opened with
    // Enter it names the participant and the keys that scroll it.
    let panel = t.wait_text("Объяснение P003 ·");
    assert!(panel.contains("Соседи по рейтингу"), "{panel}");
    assert!(panel.contains("Проходит: 1-е место"), "{panel}");
    t.keys(&["Escape"]);
    t.wait("the explanation closed", |s| {
        !s.contains("Объяснение P003 ·")
    });
    t.keys(&["M-1"]);
    t.wait_text("Участники 150 из 150");
    t.keys(&["Enter"]);
    let profile = t.wait_text("Анкета P001");
    assert!(profile.contains("Показатели"), "{profile}");
    t.keys(&["Down", "Down", "Down"]);
    let read = t.wait_text("Анкета P001");
    assert!(!read.contains("Анкета P002"), "{read}");
    t.keys(&["Escape"]);
    t.wait_text("Участники 150 из 150");
    t.keys(&["q"]);
    t.wait_text("EXIT=0");
}
