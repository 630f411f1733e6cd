//! The pure core: the contest's records and rules. No IO, no database, no
//! terminal: everything here is plain data and plain functions over it.

pub mod activity;
pub mod assignment;
pub mod compact;
pub mod contest;
pub mod ids;
pub mod integrity;
pub mod learning;
pub mod matching;
pub mod mentoring;
pub mod participant;
pub mod people;
pub mod ranking;
pub mod regulation;
pub mod scoring;
pub mod shared;
pub mod snapshot;
pub mod stats;
pub mod topic;

/// Points as people write them: `7`, `7.5`, `12.25`.
pub fn points(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
