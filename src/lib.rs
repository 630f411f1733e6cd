//! konkurs: a terminal workstation for a contest jury and its mentorship
//! programme.

pub mod cli;
pub mod domain;
pub mod interchange;
pub mod parallel;
pub mod sample;
pub mod search;
pub mod service;
pub mod ssh;
pub mod store;
pub mod text;
pub mod tomlspan;
pub mod tui;
