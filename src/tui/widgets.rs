//! Small drawing helpers shared by panes.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Cuts `text` to `width` display columns, ending with '…' when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

pub use crate::text::wrap;

/// Lines broken to fit `width` columns, so that a scrolled panel knows how
/// many rows it has: a line that fits keeps its styles; a longer one is
/// broken at spaces, its continuations indented by two.
pub fn wrap_lines<'a>(lines: Vec<Line<'a>>, width: usize) -> Vec<Line<'a>> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= width {
            out.push(line);
            continue;
        }
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let style = line.style;
        let mut first = true;
        let mut rest = text.as_str().to_string();
        while !rest.is_empty() {
            let room = if first {
                width
            } else {
                width.saturating_sub(2)
            };
            let mut parts = wrap(&rest, room).into_iter();
            let head = parts.next().unwrap_or_default();
            let shown = if first {
                head.clone()
            } else {
                format!("  {head}")
            };
            out.push(Line::styled(shown, style));
            first = false;
            let remaining: Vec<String> = parts.collect();
            rest = remaining.join(" ");
        }
    }
    out
}

/// `text` cut to `width`, as spans where the characters at `marks`
/// (character indices) have the `mark` style.
pub fn marked<'a>(
    text: &str,
    width: usize,
    marks: &[u16],
    base: Style,
    mark: Style,
) -> Vec<Span<'a>> {
    let shown = fit(text, width);
    if marks.is_empty() {
        return vec![Span::styled(shown, base)];
    }
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_marked = false;
    for (i, c) in shown.chars().enumerate() {
        let m = marks.contains(&(i as u16));
        if m != run_marked && !run.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                if run_marked { mark } else { base },
            ));
        }
        run_marked = m;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, if run_marked { mark } else { base }));
    }
    spans
}

/// A centred box `width` wide (at most the area) and `height` high.
pub fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_by_display_width() {
        assert_eq!(fit("Иванова", 10), "Иванова");
        assert_eq!(fit("Иванова Анна", 8), "Иванова…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn wraps_at_spaces_by_display_width() {
        assert_eq!(
            wrap("Выгрузить документ — экспорт", 12),
            vec!["Выгрузить", "документ —", "экспорт"]
        );
        assert_eq!(wrap("абвгдеж", 3), vec!["абв", "где", "ж"]);
        assert_eq!(wrap("", 5), vec![""]);
    }

    #[test]
    fn marks_characters() {
        let spans = marked(
            "Иванов",
            20,
            &[0, 1],
            Style::default(),
            Style::default().bold(),
        );
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0].content, "Ив");
        assert_eq!(spans[1].content, "анов");
    }
}
