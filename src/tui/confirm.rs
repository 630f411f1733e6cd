//! A confirmation that asks for a reason: what is about to happen, a
//! one-line reason field, Enter to go ahead, Esc to step back. Closing a
//! stage, forbidding a mentor–intern pair and accepting a matching use it;
//! the reason goes to the service, which refuses an empty one in words and
//! keeps it in the audit entry.

use super::theme;
use super::widgets::wrap;
use crate::text::I18n;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The longest reason kept (a pasted page is cut, never a crash).
const MAX_REASON: usize = 2000;

/// What a key did to a confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Still being typed.
    Typing,
    /// Esc: nothing happens.
    Cancel,
    /// Enter: go ahead with this reason (perhaps empty: the service says
    /// why it needs one).
    Go(String),
}

/// A question with a reason field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    /// The question (`Закрыть этап «Портфолио»?`).
    pub title: String,
    /// What going ahead does, a sentence a line.
    pub lines: Vec<String>,
    /// What Enter does, in a few words (`закрыть этап`).
    pub go: String,
    pub reason: String,
}

impl Confirm {
    pub fn new(title: String, lines: Vec<String>, go: String) -> Confirm {
        Confirm {
            title,
            lines,
            go,
            reason: String::new(),
        }
    }

    pub fn key(&mut self, key: &KeyEvent) -> Answer {
        match key.code {
            KeyCode::Esc => return Answer::Cancel,
            KeyCode::Enter => return Answer::Go(self.reason.trim().to_string()),
            KeyCode::Backspace => {
                self.reason.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.reason.clear()
            }
            // A pasted page is cut at the limit, never a crash.
            KeyCode::Char(c)
                if !key.modifiers.contains(KeyModifiers::CONTROL)
                    && self.reason.chars().count() < MAX_REASON =>
            {
                self.reason.push(c)
            }
            _ => {}
        }
        Answer::Typing
    }

    /// Pasted text joins the reason on one line.
    pub fn paste(&mut self, text: &str) {
        let room = MAX_REASON.saturating_sub(self.reason.chars().count());
        let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        self.reason.extend(line.chars().take(room));
    }

    /// A centred box over `area`: the consequences, the reason field, the
    /// keys.
    pub fn draw(&self, frame: &mut Frame, area: Rect, tr: &I18n) {
        let width = area.width.min(70);
        let inner = width.saturating_sub(2).max(1) as usize;
        let mut lines: Vec<Line> = Vec::new();
        for l in &self.lines {
            lines.extend(wrap(l, inner).into_iter().map(Line::raw));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(tr.t("confirm.reason"), theme::label()));
        let field = wrap(&format!("{}▏", self.reason), inner);
        lines.extend(
            field
                .into_iter()
                .map(|l| Line::from(Span::styled(l, theme::key()))),
        );
        lines.push(Line::styled(
            tr.f("confirm.keys", &[("go", &self.go)]),
            theme::dim(),
        ));
        let height = (lines.len() as u16 + 2).min(area.height);
        let popup = super::widgets::popup(area, width, height);
        // When it does not fit, the end (the field and the keys) stays in view.
        let scroll = (lines.len() as u16).saturating_sub(height.saturating_sub(2));
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).scroll((scroll, 0)).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(self.title.clone()),
            ),
            popup,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_then_enter_goes_ahead_with_the_reason_and_esc_steps_back() {
        let mut c = Confirm::new("?".into(), vec![], "go".into());
        for ch in " решение жюри ".chars() {
            assert_eq!(c.key(&key(KeyCode::Char(ch))), Answer::Typing);
        }
        c.key(&key(KeyCode::Backspace));
        assert_eq!(
            c.key(&key(KeyCode::Enter)),
            Answer::Go("решение жюри".into())
        );
        assert_eq!(c.key(&key(KeyCode::Esc)), Answer::Cancel);
        c.paste("протокол\nот 1 декабря");
        assert_eq!(c.reason, " решение жюрипротокол от 1 декабря");
    }
}
