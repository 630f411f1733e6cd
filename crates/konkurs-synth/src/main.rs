//! The `konkurs-synth` binary: writes a synthetic contest to a directory.

use clap::Parser;
use konkurs_synth::{GenOptions, generate};
use std::path::PathBuf;
use std::process::ExitCode;

/// Write a seeded synthetic contest of any size, in the files `konkurs`
/// imports (for trials and benchmarks).
///
/// The contest is fictional people of the real municipalities of the
/// Irkutsk region: the regulation (the sample one, its quotas scaled to the
/// groups), the municipalities, the listeners, the jury, the events, the
/// attendance, the mentors and the interns. The same options give the same
/// files, byte for byte.
#[derive(Parser, Debug)]
#[command(
    name = "konkurs-synth",
    version,
    after_help = "\
With the default options the files are the bundled sample contest:
  cargo run -p konkurs-synth -- --out sample-data
run from the repository's root writes sample-data/ again.

Load a contest into a database in this order:
  konkurs --db DB init --regulation DIR/regulation.toml
  konkurs --db DB import municipalities DIR/municipalities.csv
  (then participants, jurors, events, attendance, mentors, interns)"
)]
struct Args {
    /// Listeners of the educational stage; all of them apply to the contest.
    #[arg(long, value_name = "N", default_value_t = GenOptions::default().participants)]
    participants: usize,
    /// People of the jury: a coordinator, the experts and, from 7 on, an
    /// observer.
    #[arg(long, value_name = "M", default_value_t = GenOptions::default().jurors)]
    jurors: usize,
    /// Training events of the educational stage.
    #[arg(long, value_name = "N", default_value_t = GenOptions::default().events)]
    events: usize,
    /// Interns' requests for the mentoring programme.
    #[arg(long, value_name = "N", default_value_t = GenOptions::default().interns)]
    interns: usize,
    /// Experienced mentors added by hand (not contest participants).
    #[arg(long, value_name = "N", default_value_t = GenOptions::default().mentors)]
    mentors: usize,
    /// Settlements listed besides the real municipalities; the interns and
    /// mentors then live in them (a region's full list of places).
    #[arg(long, value_name = "N", default_value_t = GenOptions::default().settlements)]
    settlements: usize,
    /// Which contest of that size: another seed, other people.
    #[arg(long, default_value_t = GenOptions::default().seed)]
    seed: u64,
    /// The directory to write the files to (created if needed); files of
    /// the same names in it are replaced.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let opts = GenOptions {
        participants: args.participants,
        jurors: args.jurors,
        events: args.events,
        interns: args.interns,
        mentors: args.mentors,
        settlements: args.settlements,
        seed: args.seed,
    };
    let out = &args.out;
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("konkurs-synth: cannot create {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    for (name, bytes) in generate(&opts) {
        let path = out.join(&name);
        if let Err(e) = konkurs::store::backup::write_atomically(&path, &bytes) {
            eprintln!("konkurs-synth: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
    ExitCode::SUCCESS
}
