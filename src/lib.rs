//! konkurs: a terminal workstation for a contest jury and its mentorship
//! programme.

pub mod domain;
// `gen` is a reserved word in Rust 2024, hence the raw identifier:
// `konkurs::r#gen::generate`.
pub mod r#gen;
pub mod interchange;
pub mod service;
pub mod store;
pub mod tomlspan;
