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
pub mod methods;
pub mod number;
pub mod proof;
pub mod refusal;
pub mod regulation;
pub mod store;
pub mod time;
pub mod visible;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub use catalogue::{I18n, Lang};

/// `text` broken into lines of at most `width` display columns, at spaces
/// where it can (a word longer than a line is cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        loop {
            let need = if line.is_empty() {
                0
            } else {
                UnicodeWidthStr::width(line.as_str()) + 1
            };
            if need + UnicodeWidthStr::width(word.as_str()) <= width {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
                continue;
            }
            // A word wider than the line: as much as fits, the rest below.
            let mut head = String::new();
            let mut rest = word.chars().peekable();
            while let Some(c) = rest.peek() {
                if UnicodeWidthStr::width(head.as_str()) + UnicodeWidthChar::width(*c).unwrap_or(0)
                    > width
                {
                    break;
                }
                head.push(*c);
                rest.next();
            }
            out.push(head);
            word = rest.collect();
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}
