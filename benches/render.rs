//! The workstation over 100,000 participants: drawing a full frame of the
//! Review pane at 200×60, and start-up to the first frame (opening the
//! database, building the App, drawing).
//!
//! Run with `cargo bench --bench render`.

/// The allocator the konkurs binary uses, so that figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use divan::Bencher;
use konkurs::service::{Actor, Service};
use konkurs::text::{I18n, Lang};
use konkurs::tui::keymap::Keymap;
use konkurs::tui::{App, AppOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;

fn main() {
    common::database(100_000);
    divan::main();
}

fn app(service: Arc<Service>) -> App {
    App::new(
        service,
        Actor::local_coordinator(),
        AppOptions {
            tr: I18n::new(Lang::Ru),
            keymap: Keymap::builtin("default").unwrap(),
            db_label: "bench".into(),
            user_keymap: None,
        },
    )
}

/// One full frame of the Review pane (table and profile) at 200×60.
#[divan::bench(sample_count = 100)]
fn review_frame_200x60(b: Bencher) {
    let service = Arc::new(Service::open(&common::database(100_000)).unwrap());
    let mut app = app(service);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    terminal.draw(|f| app.draw(f)).unwrap();
    b.bench_local(|| {
        terminal.draw(|f| app.draw(f)).unwrap();
    });
}

/// Opening the database of 100,000 participants to the first frame drawn.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn startup_to_first_frame(b: Bencher) {
    let dir = common::database(100_000);
    b.bench_local(|| {
        let service = Arc::new(Service::open(&dir).unwrap());
        let mut app = app(service.clone());
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        terminal.draw(|f| app.draw(f)).unwrap();
        // Returned, so that closing the database is not timed.
        (app, service)
    });
}
