//! `konkurs match` as a coordinator runs it: the whole process (start,
//! open the database, prepare the market, match, explain every intern,
//! find the blocking pairs, print the table to /dev/null) on a region's
//! market of 200 mentors × 5,000 interns over 5,000 distinct places.
//!
//! The goal for stable is 120 ms: 25 times faster than the Python
//! `matching` package's `HospitalResident` creating and solving the same
//! lists (about 3 s); for optimal, 300 ms.
//!
//! Run: `cargo bench --bench match_process`

use divan::Bencher;
use konkurs::domain::contest::RegulationDoc;
use konkurs::interchange;
use konkurs::service::{Actor, ImportKind, Service};
use konkurs_synth::{GenOptions, generate};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    divan::main();
}

/// The market's database, made once and kept under `target/bench-data/`.
fn market() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let dir = root.join(format!(
        "market-5000-places-v{}",
        konkurs::store::CURRENT_SCHEMA
    ));
    let done = dir.join(".complete");
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let files = root.join("market-5000-places-files");
    std::fs::create_dir_all(&files).unwrap();
    let opts = GenOptions {
        mentors: 200,
        interns: 5_000,
        settlements: 5_000,
        ..GenOptions::default()
    };
    for (name, bytes) in generate(&opts) {
        std::fs::write(files.join(name), bytes).unwrap();
    }
    {
        let service = Service::open(&dir).unwrap();
        let actor = Actor::local_coordinator();
        let source = std::fs::read_to_string(files.join("regulation.toml")).unwrap();
        service
            .set_regulation(
                &actor,
                RegulationDoc {
                    file_name: "regulation.toml".into(),
                    source,
                },
            )
            .unwrap();
        for (kind, name) in [
            (ImportKind::Municipalities, "municipalities.csv"),
            (ImportKind::Mentors, "mentors.csv"),
            (ImportKind::Interns, "interns.csv"),
        ] {
            interchange::import_file(&service, &actor, kind, &files.join(name), false)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    std::fs::write(done, b"").unwrap();
    dir
}

fn run(db: &Path, mode: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_konkurs"))
        .arg("--db")
        .arg(db)
        .args(["match", "--mode", mode])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "konkurs match --mode {mode}: {status}");
}

#[divan::bench(sample_count = 21, sample_size = 1, args = ["stable", "optimal"])]
fn whole_process(bencher: Bencher, mode: &str) {
    let db = market();
    bencher.bench_local(|| run(&db, mode));
}
