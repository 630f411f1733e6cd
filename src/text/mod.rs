//! Text: everything konkurs says to a person, in Russian or English.
//!
//! The language catalogues ([`catalogue`]), domain values in words
//! ([`describe`]), and the wording of refusals, numbers and dates. Every
//! interface (the workstation, the command line, the SSH server and the
//! exported documents) words what it shows through this layer, and it
//! depends on the domain alone, so nothing below the interfaces imports
//! them to find a sentence.

pub mod catalogue;
pub mod describe;
pub mod number;
pub mod proof;
pub mod refusal;
pub mod regulation;
pub mod store;
pub mod time;
pub mod visible;

pub use catalogue::{I18n, Lang};
