//! Synthetic contests: a seeded generator of every file a contest needs.
//!
//! [`generate`] writes a realistic and wholly fictional contest of TOS
//! leaders of the Irkutsk region: the regulation, the municipalities with
//! their coordinates, the listeners (who are also the applicants), the jury,
//! the training events and who attended them, the mentors and the interns.
//! Names, e-mails and phones are made up; the municipalities and their
//! coordinates are real.
//!
//! The tables it draws from (places, names, TOS words, streets, notes, the
//! subjects of each topic) are the CSV files of `data/`, built into the
//! crate and checked when they are first read.
//!
//! The same options always give byte-identical files: the generator uses
//! its own small PRNG (SplitMix64), one stream per kind of record, and no
//! hash-ordered collections in what it writes.

mod events;
mod files;
mod jury;
mod listeners;
mod mentoring;
mod people;
mod regulation;
mod rng;
mod tables;
#[cfg(test)]
mod tests;

pub use listeners::group_sizes;

/// How big a synthetic contest is, and which one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// Listeners of the educational stage (all of them apply to the contest).
    pub participants: usize,
    /// People of the jury: one coordinator, the experts and, from 7 on, one
    /// observer.
    pub jurors: usize,
    /// Training events.
    pub events: usize,
    /// Interns' requests for the mentoring programme.
    pub interns: usize,
    /// Experienced mentors added by hand (not contest participants).
    pub mentors: usize,
    /// Settlements listed besides the real municipalities, each near one of
    /// them, for a region's full list of places: when there are any, every
    /// intern lives in a settlement of their own (while there are enough)
    /// and every mentor in a random one. None by default.
    pub settlements: usize,
    pub seed: u64,
}

impl Default for GenOptions {
    /// The bundled sample contest: 150 listeners, 7 people of the jury,
    /// 44 events, 64 interns and 6 mentors, seed 2021.
    fn default() -> Self {
        GenOptions {
            participants: 150,
            jurors: 7,
            events: 44,
            interns: 64,
            mentors: 6,
            settlements: 0,
            seed: 2021,
        }
    }
}

/// The names of the files [`generate`] returns, in import order.
pub const FILE_NAMES: [&str; 8] = [
    "regulation.toml",
    "municipalities.csv",
    "participants.csv",
    "jurors.csv",
    "events.csv",
    "attendance.csv",
    "mentors.csv",
    "interns.csv",
];

/// Every file of a synthetic contest: (file name, contents), in import order:
/// regulation.toml, municipalities.csv, participants.csv, jurors.csv,
/// events.csv, attendance.csv, mentors.csv, interns.csv.
///
/// The CSV files are UTF-8 without a BOM, comma-separated, quoted where
/// needed, with the canonical English headers.
///
/// The regulation is `sample-data/regulation.toml` with its group quotas and
/// per-group advancement numbers scaled to the generated group sizes (and
/// `jurors_per_participant` capped at the number of experts). For the
/// default options the groups have exactly the sizes the sample regulation
/// is written for (60 rural, 40 urban, 50 city) and there are 5 experts, so
/// the generated regulation is byte for byte `sample-data/regulation.toml`,
/// and so are the other files: the default options write the bundled sample.
///
/// With zero participants (or events, jurors...) the corresponding files
/// hold only their header, which an import refuses as empty.
pub fn generate(opts: &GenOptions) -> Vec<(String, Vec<u8>)> {
    let listeners = listeners::generate(opts);
    let events = events::generate(opts, &listeners);
    let attendance = events::attendance(opts, &listeners, &events);
    let jurors = jury::generate(opts, &listeners);
    let settlements = mentoring::settlements(opts);
    let mut mentors = mentoring::mentors(opts);
    let (mut interns, mentor_prefs) = mentoring::interns(opts, &mentors);
    mentoring::settle(opts, &settlements, &mut mentors, &mut interns);
    let sizes = group_sizes(opts.participants);
    let experts = jurors.iter().filter(|j| j.role == "juror").count();
    let regulation = regulation::scaled(&sizes, experts);

    let files: [Vec<u8>; 8] = [
        regulation.into_bytes(),
        files::municipalities(&settlements),
        files::listeners(&listeners),
        files::jurors(&jurors),
        files::events(&events),
        attendance,
        files::mentors(&mentors, &mentor_prefs, &interns, &settlements),
        files::interns(&interns, &mentors, &settlements),
    ];
    FILE_NAMES
        .iter()
        .map(|n| n.to_string())
        .zip(files)
        .collect()
}

/// The streams of [`rng::Rng::stream`], one per kind of record.
mod streams {
    pub const LISTENERS: u64 = 1;
    pub const EVENTS: u64 = 2;
    pub const ATTENDANCE: u64 = 3;
    pub const JURORS: u64 = 4;
    pub const MENTORS: u64 = 5;
    pub const INTERNS: u64 = 6;
    pub const SETTLEMENTS: u64 = 7;
}
