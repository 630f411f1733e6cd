//! Text from the outside shown on a terminal: a control character (C0 but
//! tab and newline, DEL, C1), a bidi override or a zero-width character in a
//! name or comment is shown as `\u{1b}`, never sent as it is, so a name
//! cannot retitle the terminal, move the cursor or reorder what is read.

use std::borrow::Cow;

pub use crate::domain::clean::is_hidden;

/// `text` with every hidden character written as `\u{…}`.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !crate::domain::clean::may_hide(text) || !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_overrides_are_shown_not_sent() {
        assert_eq!(visible("Иванова"), "Иванова");
        assert_eq!(
            visible("Ива\u{1b}]0;pwned\u{7}нова"),
            "Ива\\u{1b}]0;pwned\\u{7}нова"
        );
        assert_eq!(visible("abc\u{202E}fed"), "abc\\u{202e}fed");
        assert_eq!(visible("a\u{200B}b\u{85}c"), "a\\u{200b}b\\u{85}c");
        assert_eq!(visible("строка\nещё\tтаб"), "строка\nещё\tтаб");
    }
}
