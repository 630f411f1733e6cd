//! Shared by the benchmarks: synthetic contests on disk (made once and kept
//! under `target/bench-data/`) and percentiles of timed samples.
#![allow(dead_code)]

use konkurs::domain::contest::RegulationDoc;
use konkurs::interchange;
use konkurs::service::{Actor, ImportKind, Service};
use konkurs_synth::{GenOptions, generate};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data")
}

/// The options of a synthetic contest with `participants` listeners and
/// 50 jurors.
fn contest(participants: usize) -> GenOptions {
    GenOptions {
        participants,
        jurors: 50,
        events: 500.min(participants.max(44)),
        interns: 64,
        mentors: 6,
        settlements: 0,
        seed: 2021,
    }
}

/// The files of a synthetic contest with `participants` listeners and 50 jurors.
pub fn files(participants: usize) -> PathBuf {
    files_of(&format!("files-{participants}"), &contest(participants))
}

/// The files `opts` generates, written once under `target/bench-data/NAME`.
pub fn files_of(name: &str, opts: &GenOptions) -> PathBuf {
    let dir = root().join(name);
    if dir.join("interns.csv").exists() {
        return dir;
    }
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in generate(opts) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    dir
}

/// Every file of a contest, in import order.
pub const ALL_FILES: [(ImportKind, &str); 7] = [
    (ImportKind::Municipalities, "municipalities.csv"),
    (ImportKind::Participants, "participants.csv"),
    (ImportKind::Jurors, "jurors.csv"),
    (ImportKind::Events, "events.csv"),
    (ImportKind::Attendance, "attendance.csv"),
    (ImportKind::Mentors, "mentors.csv"),
    (ImportKind::Interns, "interns.csv"),
];

/// A database holding that contest (everything imported), made by this
/// konkurs's schema (a database kept from an older one would be migrated).
pub fn database(participants: usize) -> PathBuf {
    database_of(
        &format!("db-{participants}"),
        &files(participants),
        &ALL_FILES,
    )
}

/// A database of the regulation and the files `which` of `files`, made
/// once under `target/bench-data/NAME-vSCHEMA`.
pub fn database_of(name: &str, files: &Path, which: &[(ImportKind, &str)]) -> PathBuf {
    let dir = root().join(format!("{name}-v{}", konkurs::store::CURRENT_SCHEMA));
    let done = dir.join(".complete");
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    {
        let service = Service::open(&dir).unwrap();
        load_files(&service, files, which);
    }
    std::fs::write(done, b"").unwrap();
    dir
}

/// Loads the regulation and every file of `files` into `service`.
pub fn load(service: &Service, files: &Path) {
    load_files(service, files, &ALL_FILES)
}

/// Loads the regulation and the files `which` of `files` into `service`.
pub fn load_files(service: &Service, files: &Path, which: &[(ImportKind, &str)]) {
    let actor = Actor::local_coordinator();
    service
        .set_regulation(
            &actor,
            RegulationDoc {
                file_name: "regulation.toml".into(),
                source: std::fs::read_to_string(files.join("regulation.toml")).unwrap(),
            },
        )
        .unwrap();
    for &(kind, name) in which {
        interchange::import_file(service, &actor, kind, &files.join(name), false)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// The bytes of every file under `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                dir_bytes(&e.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

/// Median, 99th percentile and the rest of a set of timings.
pub struct Stats {
    pub n: usize,
    pub median: Duration,
    pub p99: Duration,
    pub mean: Duration,
    pub max: Duration,
}

pub fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let n = samples.len();
    let at = |q: f64| samples[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
    Stats {
        n,
        median: at(0.5),
        p99: at(0.99),
        mean: samples.iter().sum::<Duration>() / n as u32,
        max: samples[n - 1],
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "median {:.3} ms, p99 {:.3} ms, mean {:.3} ms, max {:.3} ms ({} samples)",
            ms(self.median),
            ms(self.p99),
            ms(self.mean),
            ms(self.max),
            self.n
        )
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
