//! The terminal workstation: an App of panes over the shared service.
//!
//! keystroke → keymap → [`action::Action`] → pane → service. The App draws
//! to any ratatui backend; [`terminal`] runs it in the local terminal and
//! the SSH server runs one per connection.

pub mod action;
pub mod app;
pub mod confirm;

pub mod editor;
pub mod export_dialog;

pub mod keymap;
pub mod pane;
pub mod panes;
pub mod terminal;
pub mod theme;
pub mod widgets;

pub use app::{App, AppOptions};

#[cfg(test)]
mod tests;
