//! A small multi-line text editor for justification comments: typing in any
//! alphabet, arrows, Home/End, Backspace/Delete, paste. Enter or Ctrl-S saves
//! and closes, Esc cancels, Alt-Enter (or Ctrl-J) starts a new line. Long
//! lines wrap at the box's width.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthChar;

/// What a key did to the editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// The text or the cursor changed.
    Changed,
    /// Save the text and stop editing (Enter, Ctrl-S).
    Save,
    /// Stop editing without saving (Esc).
    Cancel,
    /// Not an editing key.
    Ignored,
}

/// The longest comment the editor takes, in characters.
pub const MAX_CHARS: usize = 20_000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextEditor {
    lines: Vec<Vec<char>>,
    row: usize,
    col: usize,
}

impl TextEditor {
    pub fn new(text: &str) -> TextEditor {
        let lines: Vec<Vec<char>> = text.split('\n').map(|l| l.chars().collect()).collect();
        let row = lines.len() - 1;
        let col = lines[row].len();
        TextEditor { lines, row, col }
    }

    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn len(&self) -> usize {
        self.lines.iter().map(|l| l.len() + 1).sum::<usize>()
    }

    fn insert(&mut self, c: char) {
        if self.len() >= MAX_CHARS {
            return;
        }
        if c == '\n' {
            let rest = self.lines[self.row].split_off(self.col);
            self.lines.insert(self.row + 1, rest);
            self.row += 1;
            self.col = 0;
        } else if !c.is_control() {
            self.lines[self.row].insert(self.col, c);
            self.col += 1;
        }
    }

    /// Inserts pasted text (new lines kept, other control characters dropped).
    pub fn insert_str(&mut self, s: &str) {
        for c in s.chars().filter(|c| *c != '\r') {
            self.insert(c);
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let shift = key.modifiers.contains(KeyModifiers::SHIFT);
        match key.code {
            KeyCode::Esc => return Edit::Cancel,
            KeyCode::Char('s') if ctrl => return Edit::Save,
            KeyCode::Char('j') if ctrl => self.insert('\n'),
            KeyCode::Char(c) if !ctrl && !alt => self.insert(c),
            KeyCode::Enter if alt || shift => self.insert('\n'),
            KeyCode::Enter => return Edit::Save,
            KeyCode::Tab => self.insert(' '),
            KeyCode::Backspace => {
                if self.col > 0 {
                    self.col -= 1;
                    self.lines[self.row].remove(self.col);
                } else if self.row > 0 {
                    let line = self.lines.remove(self.row);
                    self.row -= 1;
                    self.col = self.lines[self.row].len();
                    self.lines[self.row].extend(line);
                }
            }
            KeyCode::Delete => {
                if self.col < self.lines[self.row].len() {
                    self.lines[self.row].remove(self.col);
                } else if self.row + 1 < self.lines.len() {
                    let next = self.lines.remove(self.row + 1);
                    self.lines[self.row].extend(next);
                }
            }
            KeyCode::Left => {
                if self.col > 0 {
                    self.col -= 1;
                } else if self.row > 0 {
                    self.row -= 1;
                    self.col = self.lines[self.row].len();
                }
            }
            KeyCode::Right => {
                if self.col < self.lines[self.row].len() {
                    self.col += 1;
                } else if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = 0;
                }
            }
            KeyCode::Up if self.row > 0 => {
                self.row -= 1;
                self.col = self.col.min(self.lines[self.row].len());
            }
            KeyCode::Down if self.row + 1 < self.lines.len() => {
                self.row += 1;
                self.col = self.col.min(self.lines[self.row].len());
            }
            KeyCode::Home => self.col = 0,
            KeyCode::End => self.col = self.lines[self.row].len(),
            KeyCode::Up | KeyCode::Down => {}
            _ => return Edit::Ignored,
        }
        Edit::Changed
    }

    /// Draws the text wrapped to `area`; with `cursor`, places the terminal
    /// cursor where typing goes and scrolls to keep it visible.
    pub fn render(&self, frame: &mut Frame, area: Rect, style: Style, cursor: bool) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let width = area.width as usize;
        let mut visual: Vec<String> = Vec::new();
        let mut cursor_at = (0usize, 0usize);
        for (r, line) in self.lines.iter().enumerate() {
            let mut current = String::new();
            let mut used = 0;
            for (c_idx, ch) in line.iter().enumerate() {
                let w = ch.width().unwrap_or(0);
                if used + w > width {
                    visual.push(std::mem::take(&mut current));
                    used = 0;
                }
                if r == self.row && c_idx == self.col {
                    cursor_at = (visual.len(), used);
                }
                current.push(*ch);
                used += w;
            }
            if r == self.row && self.col >= line.len() {
                if used >= width {
                    visual.push(std::mem::take(&mut current));
                    used = 0;
                }
                cursor_at = (visual.len(), used);
            }
            visual.push(current);
        }
        let height = area.height as usize;
        let top = cursor_at.0.saturating_sub(height.saturating_sub(1));
        let lines: Vec<Line> = visual
            .into_iter()
            .skip(top)
            .take(height)
            .map(Line::raw)
            .collect();
        frame.render_widget(Paragraph::new(lines).style(style), area);
        if cursor {
            frame.set_cursor_position(Position {
                x: area.x + cursor_at.1.min(width.saturating_sub(1)) as u16,
                y: area.y + (cursor_at.0 - top) as u16,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::empty())
    }

    fn typed(e: &mut TextEditor, s: &str) {
        for c in s.chars() {
            e.handle(&if c == '\n' {
                KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)
            } else {
                key(KeyCode::Char(c))
            });
        }
    }

    #[test]
    fn types_cyrillic_lines_and_edits() {
        let mut e = TextEditor::new("");
        typed(&mut e, "Сильный проект\nНо мало партнёров");
        assert_eq!(e.text(), "Сильный проект\nНо мало партнёров");
        e.handle(&key(KeyCode::Home));
        e.handle(&key(KeyCode::Backspace));
        assert_eq!(e.text(), "Сильный проектНо мало партнёров");
        e.handle(&KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL));
        e.handle(&key(KeyCode::Up));
        e.handle(&key(KeyCode::End));
        e.handle(&key(KeyCode::Delete));
        assert_eq!(e.text(), "Сильный проектНо мало партнёров");
        assert_eq!(e.handle(&key(KeyCode::Esc)), Edit::Cancel);
        assert_eq!(e.handle(&key(KeyCode::Enter)), Edit::Save);
        assert_eq!(
            e.handle(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Edit::Save
        );
        assert_eq!(e.handle(&key(KeyCode::F(5))), Edit::Ignored);
    }

    #[test]
    fn paste_keeps_new_lines_and_starting_text_is_kept() {
        let mut e = TextEditor::new("Начало");
        e.insert_str(" и\r\nпродолжение");
        assert_eq!(e.text(), "Начало и\nпродолжение");
    }
}
