//! The panes of the workstation.

mod placeholder;
mod review;

pub use review::ReviewPane;

use super::pane::{Pane, PaneKind};
use crate::service::Actor;

/// The panes an actor gets, in tab order.
pub fn all(_actor: &Actor) -> Vec<Box<dyn Pane>> {
    vec![
        Box::new(ReviewPane::new()),
        Box::new(placeholder::Placeholder::new(PaneKind::Scoring)),
        Box::new(placeholder::Placeholder::new(PaneKind::Ranking)),
        Box::new(placeholder::Placeholder::new(PaneKind::Mentoring)),
        Box::new(placeholder::Placeholder::new(PaneKind::Learning)),
        Box::new(placeholder::Placeholder::new(PaneKind::Jury)),
    ]
}
