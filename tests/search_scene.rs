//! Scene 4 of the juror's keyboard path, replayed on the bundled sample
//! contest in Russian at 80×24: search people can trust. Each new query
//! selects its best hit and scrolls to it, ids are found, a word is found
//! where a field contains it (not letter by letter across fields), in
//! Cyrillic or Latin letters, and a one-typo query is offered matches
//! marked as such. The first scene also runs in the real binary in tmux
//! with the same keys.

mod common;

use common::Screen;
use crossterm::event::KeyCode;
use konkurs::search::fold;
use konkurs::service::{Actor, Service};
use std::sync::Arc;

/// The coordinator's workstation in Russian at 80×24, on the Review pane.
fn screen(service: &Arc<Service>) -> Screen {
    let mut s = Screen::new(service, service.actor("J01").unwrap(), 80, 24);
    s.alt('1');
    s
}

impl Screen {
    /// `/`, the query, Enter.
    fn search(&mut self, query: &str) {
        self.key(KeyCode::Char('/'));
        self.type_text(query);
        self.key(KeyCode::Enter);
    }

    /// Esc until the search is cleared.
    fn clear_search(&mut self) {
        self.key(KeyCode::Esc);
    }

    /// The selected participant's name, as the profile (Enter) shows it.
    fn selected_name(&mut self) -> String {
        self.key(KeyCode::Enter);
        let screen = self.text();
        self.key(KeyCode::Esc);
        screen
            .lines()
            .find_map(|l| {
                l.strip_prefix('│')
                    .map(|l| l.trim_end_matches('│').trim().to_string())
            })
            .unwrap_or_default()
    }
}

fn contest() -> (tempfile::TempDir, Arc<Service>) {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(dir.path())
        .unwrap()
        .with_clock(|| "2021-12-01T02:00:00Z".parse().unwrap());
    konkurs::sample::load(&service, &Actor::local_coordinator()).unwrap();
    (dir, Arc::new(service))
}

/// How many participants have `word` inside their name, TOS or
/// municipality, counted from the data.
fn containing(service: &Service, word: &str) -> usize {
    let fold_all = |s: &str| s.chars().map(fold).collect::<String>();
    let word = fold_all(word);
    service
        .view(&Actor::local_coordinator())
        .participants()
        .filter(|p| {
            [&p.full_name, &p.tos_name, &p.municipality]
                .iter()
                .any(|f| fold_all(f).contains(&word))
        })
        .count()
}

#[test]
fn a_new_query_selects_its_best_hit_and_shows_it() {
    let (_dir, service) = contest();
    let mut s = screen(&service);
    // The cursor on Журавлёв (P089), far down the list.
    for _ in 0..88 {
        s.key(KeyCode::Down);
    }
    assert_eq!(s.selected_name(), "Журавлёв Максим Николаевич");
    s.search("dolgikh");
    let screen = s.text();
    assert!(
        screen.contains("P005") && screen.contains("Долгих Алёна"),
        "{screen}"
    );
    assert!(
        screen.contains("P109") && screen.contains("Долгих Светла"),
        "{screen}"
    );
    assert!(!screen.contains("Журавлёв"), "{screen}");
    assert!(screen.contains("найдено: 2"), "{screen}");
    assert_eq!(s.selected_name(), "Долгих Алёна Михайловна");
    insta::assert_snapshot!("search_dolgikh", screen);
}

#[test]
fn ids_are_found() {
    let (_dir, service) = contest();
    let mut s = screen(&service);
    s.search("P005");
    let screen = s.text();
    assert!(screen.contains("найдено: 1"), "{screen}");
    assert!(
        screen.contains("P005") && screen.contains("Долгих"),
        "{screen}"
    );
    assert_eq!(s.selected_name(), "Долгих Алёна Михайловна");
    // Lower case, too.
    s.clear_search();
    s.search("p089");
    assert_eq!(s.selected_name(), "Журавлёв Максим Николаевич");
}

#[test]
fn a_word_is_found_where_a_field_contains_it_in_either_alphabet() {
    let (_dir, service) = contest();
    let want = containing(&service, "иркутск");
    assert!(want > 10, "the sample has people from Irkutsk: {want}");
    let mut s = screen(&service);
    for query in ["иркутск", "Иркутск", "irkutsk"] {
        s.search(query);
        let screen = s.text();
        assert!(
            screen.contains(&format!("найдено: {want}")),
            "{query}: {screen}"
        );
        assert!(
            screen.contains(&format!("{want} из {}", containing(&service, ""))),
            "the title counts the same hits: {screen}"
        );
        s.clear_search();
    }
}

#[test]
fn a_typo_is_offered_its_matches_marked_as_such() {
    let (_dir, service) = contest();
    let mut s = screen(&service);
    s.search("Иркустк");
    let screen = s.text();
    assert!(!screen.contains("Ничего не найдено"), "{screen}");
    assert!(
        screen.contains("точных совпадений нет; с одной опечаткой:"),
        "{screen}"
    );
    // Every «Иркутск…» in the sample begins a word: each is one typo away.
    let want = containing(&service, "иркутск");
    assert!(
        screen.contains(&format!("с одной опечаткой: {want}")),
        "{screen}"
    );
    insta::assert_snapshot!("search_typo", screen);
    // Four letters are too few to guess from.
    s.clear_search();
    s.search("Иоку");
    assert!(s.text().contains("Ничего не найдено"));
}

/// The first scene in the real binary: `konkurs demo` in Russian in tmux at
/// 80×24, the same keys in the same order.
#[test]
fn in_a_real_terminal_a_new_query_selects_its_best_hit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let t = common::Tmux::run(&[
        common::BIN.to_string(),
        "demo".into(),
        "--dir".into(),
        db.display().to_string(),
        "--lang".into(),
        "ru".into(),
    ]);
    t.wait_text("Участники 150 из 150");
    t.keys(&["-N", "88", "Down"]);
    t.keys(&["Enter"]);
    t.wait_text("Журавлёв Максим Николаевич");
    t.keys(&["Escape"]);
    t.wait_text("Участники 150 из 150");
    t.keys(&["/"]);
    t.keys(&["-l", "dolgikh"]);
    let screen = t.wait_text("найдено: 2");
    assert!(screen.contains("P005   Долгих"), "{screen}");
    assert!(screen.contains("P109   Долгих"), "{screen}");
    assert!(!screen.contains("Журавлёв"), "{screen}");
    // Enter ends the search, Enter again opens the selected one's profile.
    t.keys(&["Enter", "Enter"]);
    let screen = t.wait("the profile", |s| s.contains("ТОС \"Наран\""));
    assert!(screen.contains("Долгих Алёна Михайловна"), "{screen}");
}
