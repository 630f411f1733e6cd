//! A pane that is not built yet: says what it will hold and which command
//! does the job meanwhile.

use crate::tui::action::Action;
use crate::tui::pane::{Cx, Pane, PaneKind};
use crate::tui::theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub struct Placeholder {
    kind: PaneKind,
}

impl Placeholder {
    pub fn new(kind: PaneKind) -> Self {
        Placeholder { kind }
    }
}

impl Pane for Placeholder {
    fn kind(&self) -> PaneKind {
        self.kind
    }

    fn commands(&self) -> Vec<Action> {
        Vec::new()
    }

    fn on_action(&mut self, _action: Action, _cx: &mut Cx) -> bool {
        false
    }

    fn refresh(&mut self, _cx: &Cx) {}

    fn draw(&mut self, frame: &mut Frame, area: Rect, cx: &Cx) {
        let name = self.kind.name();
        let lines = vec![
            Line::styled(
                cx.tr.t(&format!("placeholder.{name}.what")),
                theme::heading(),
            ),
            Line::raw(""),
            Line::raw(cx.tr.t("placeholder.meanwhile")),
            Line::styled(
                format!("  {}", cx.tr.t(&format!("placeholder.{name}.command"))),
                theme::key(),
            ),
        ];
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(cx.tr.t(&format!("pane.{name}"))),
            ),
            area,
        );
    }
}
