//! The database at the size of a large contest: importing 100,000
//! participants from CSV, opening a database that holds them to the first
//! answered query, and verifying it: the whole audit log replayed from
//! empty and compared with every record.
//!
//! Run with `cargo bench --bench store` (the first run generates the data
//! under target/bench-data/, which takes a minute). Before the timings it
//! prints the bytes an import of 100,000 participants leaves on disk.

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
    import_bytes();
    divan::main();
}

/// The database's bytes on disk after the regulation and the import of
/// 100,000 participants, and the size of the import's audit entry (every
/// record in full) as a backup's JSON holds it.
fn import_bytes() {
    let files = common::files(100_000);
    let dir = tempfile::tempdir().unwrap();
    let actor = Actor::local_coordinator();
    let service = Service::open(dir.path()).unwrap();
    service
        .set_regulation(
            &actor,
            RegulationDoc {
                file_name: "regulation.toml".into(),
                source: std::fs::read_to_string(files.join("regulation.toml")).unwrap(),
            },
        )
        .unwrap();
    let start = std::time::Instant::now();
    interchange::import_file(
        &service,
        &actor,
        ImportKind::Participants,
        &files.join("participants.csv"),
        false,
    )
    .unwrap();
    let took = start.elapsed();
    let entry = service.audit(&actor).unwrap().pop().unwrap();
    let encoded = postcard::to_stdvec(&entry.changes).unwrap().len();
    drop(service);
    println!(
        "import of 100,000 participants: {:.2} s once; the database {} bytes on disk, \
         the import's audit entry {} changes, {encoded} bytes of changes encoded",
        took.as_secs_f64(),
        common::dir_bytes(dir.path()),
        entry.change_count,
    );
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

/// `konkurs verify` on the database of 100,000 participants and their
/// attendance: every entry's hash and link checked, the log replayed from
/// empty and compared with every stored record, field by field.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn verify_100k(b: Bencher) {
    let dir = common::database(100_000);
    let store = konkurs::store::Store::open(&dir).unwrap();
    b.bench_local(|| {
        let report = store.verify().unwrap();
        assert!(report.ok(), "{:?}", report.problems);
        assert!(report.records > 200_000);
    });
}

/// The audit detail of that import alone: the entry of 100,000 changes
/// described (each record after the change) and sealed (encoded and
/// hashed), without the import around it.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn seal_import_entry_100k(b: Bencher) {
    use konkurs::domain::contest::{Change, Record};
    use konkurs::store::{Stamp, audit};
    let dir = common::database(100_000);
    let contest = konkurs::store::Store::open(&dir).unwrap().load().unwrap();
    let changes: Vec<Change> = contest
        .participants
        .values()
        .map(|p| Change::Put(Record::Participant(p.clone())))
        .collect();
    assert_eq!(changes.len(), 100_000);
    let stamp = Stamp {
        actor: "local:secretary".into(),
        role: konkurs::domain::people::Role::Coordinator,
        channel: "local".into(),
        at: chrono::Utc::now(),
        action: "import.participants".into(),
        summary: "imported participants.csv: 100000 added".into(),
    };
    b.bench_local(|| {
        let described = audit::describe_changes(&changes, |_, _| None);
        audit::seal(&audit::Head::default(), &stamp, described)
    });
}
