//! The pure core: the contest's records and rules. No IO, no database, no
//! terminal: everything here is plain data and plain functions over it.

pub mod contest;
pub mod ids;
pub mod integrity;
pub mod learning;
pub mod mentoring;
pub mod participant;
pub mod people;
pub mod ranking;
pub mod regulation;
pub mod scoring;
pub mod stats;
pub mod topic;
