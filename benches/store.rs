//! The database at the size of a large contest: importing 100,000
//! participants from CSV, and opening a database that holds them to the
//! first answered query.
//!
//! Run with `cargo bench --bench store` (the first run generates the data
//! under target/bench-data/, which takes a minute).

/// The allocator the konkurs binary uses, so that figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use divan::Bencher;
use konkurs::domain::contest::RegulationDoc;
use konkurs::domain::ids::ParticipantId;
use konkurs::interchange;
use konkurs::service::{Actor, ImportKind, Service};

fn main() {
    common::database(100_000);
    divan::main();
}

/// A fresh database with the regulation, then the 100,000-row participants
/// file (22 MB of CSV): read, checked, and written in one audited commit.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn import_100k_participants(b: Bencher) {
    let files = common::files(100_000);
    let regulation = std::fs::read_to_string(files.join("regulation.toml")).unwrap();
    b.with_inputs(|| {
        let dir = tempfile::tempdir().unwrap();
        let service = Service::open(dir.path()).unwrap();
        service
            .set_regulation(
                &Actor::local_coordinator(),
                RegulationDoc {
                    file_name: "regulation.toml".into(),
                    source: regulation.clone(),
                },
            )
            .unwrap();
        (dir, service)
    })
    .bench_local_values(|(dir, service)| {
        let outcome = interchange::import_file(
            &service,
            &Actor::local_coordinator(),
            ImportKind::Participants,
            &files.join("participants.csv"),
            false,
        )
        .unwrap();
        assert_eq!(outcome.report.added.len(), 100_000);
        (dir, service)
    });
}

/// Opening the database of 100,000 participants (and their attendance) and
/// answering the first query: the participant P050000.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn open_to_first_query(b: Bencher) {
    let dir = common::database(100_000);
    b.bench_local(|| {
        let service = Service::open(&dir).unwrap();
        let view = service.view(&Actor::local_coordinator());
        let p = view
            .participant(&ParticipantId::new("P050000"))
            .map(|p| p.full_name.len());
        assert!(p.is_some());
        drop(view);
        // Returned, so that closing the database is not timed.
        service
    });
}
