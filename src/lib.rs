//! konkurs: a terminal workstation for a contest jury and its mentorship
//! programme.

pub mod domain;
pub mod interchange;
pub mod service;
pub mod store;
pub mod tomlspan;
