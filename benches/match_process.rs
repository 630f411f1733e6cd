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
use konkurs::service::ImportKind;
use konkurs_synth::GenOptions;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;

fn main() {
    divan::main();
}

/// The market's database, made once and kept under `target/bench-data/`.
fn market() -> PathBuf {
    let opts = GenOptions {
        mentors: 200,
        interns: 5_000,
        settlements: 5_000,
        ..GenOptions::default()
    };
    let files = common::files_of("market-5000-places-files", &opts);
    common::database_of(
        "market-5000-places",
        &files,
        &[
            (ImportKind::Municipalities, "municipalities.csv"),
            (ImportKind::Mentors, "mentors.csv"),
            (ImportKind::Interns, "interns.csv"),
        ],
    )
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
