//! The pure core: the contest's records and rules. No IO, no database, no
//! terminal: everything here is plain data and plain functions over it.

pub mod activity;
pub mod assignment;
pub mod clean;
pub mod closing;
pub mod code;
pub mod compact;
pub mod contest;
pub mod ids;
pub mod integrity;
pub mod learning;
pub mod matching;
pub mod mentoring;
pub mod participant;
pub mod people;
pub mod proof;
pub mod ranking;
pub mod refusal;
pub mod regulation;
pub mod scoring;
pub mod shared;
pub mod snapshot;
pub mod stats;
pub mod topic;
