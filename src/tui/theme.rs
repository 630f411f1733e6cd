//! Styles, in one place. Colours are the terminal's own 16 so that the
//! workstation stays readable on light and dark themes and over SSH.

use super::pane::FlashKind;
use ratatui::style::{Color, Modifier, Style};

pub fn tabs() -> Style {
    Style::default().fg(Color::Gray)
}

pub fn tab_active() -> Style {
    Style::default()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

pub fn status() -> Style {
    Style::default().bg(Color::DarkGray).fg(Color::White)
}

pub fn status_actor() -> Style {
    Style::default()
        .bg(Color::Blue)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}

pub fn status_role() -> Style {
    Style::default().bg(Color::DarkGray).fg(Color::Cyan)
}

pub fn dim() -> Style {
    Style::default().add_modifier(Modifier::DIM)
}

pub fn pending() -> Style {
    Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}

pub fn flash(kind: FlashKind) -> Style {
    match kind {
        FlashKind::Info => Style::default().fg(Color::White).bg(Color::Blue),
        FlashKind::Success => Style::default().fg(Color::Black).bg(Color::Green),
        FlashKind::Error => Style::default()
            .fg(Color::White)
            .bg(Color::Red)
            .add_modifier(Modifier::BOLD),
    }
}

pub fn heading() -> Style {
    Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

pub fn key() -> Style {
    Style::default().fg(Color::Yellow)
}

pub fn cursor() -> Style {
    Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::SLOW_BLINK)
}

pub fn selected() -> Style {
    Style::default()
        .bg(Color::Cyan)
        .fg(Color::Black)
        .add_modifier(Modifier::BOLD)
}

pub fn header() -> Style {
    Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

/// Characters a search matched.
pub fn matched() -> Style {
    Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

pub fn good() -> Style {
    Style::default().fg(Color::Green)
}

pub fn warn() -> Style {
    Style::default().fg(Color::Yellow)
}

pub fn bad() -> Style {
    Style::default().fg(Color::Red)
}

pub fn label() -> Style {
    Style::default().fg(Color::Gray)
}
