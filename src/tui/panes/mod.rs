//! The panes of the workstation.

mod jury;
mod learning;
mod mentoring;
mod placeholder;
mod review;
mod scoring;

pub use jury::JuryPane;
pub use learning::LearningPane;
pub use mentoring::MentoringPane;
pub use review::ReviewPane;
pub use scoring::ScoringPane;

use super::pane::{Pane, PaneKind};
use crate::service::Actor;

/// The panes an actor gets, in tab order.
pub fn all(_actor: &Actor) -> Vec<Box<dyn Pane>> {
    vec![
        Box::new(ReviewPane::new()),
        Box::new(ScoringPane::new()),
        Box::new(placeholder::Placeholder::new(PaneKind::Ranking)),
        Box::new(MentoringPane::new()),
        Box::new(LearningPane::new()),
        Box::new(JuryPane::new()),
    ]
}
