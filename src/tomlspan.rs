//! Line numbers for TOML files.
//!
//! serde tells *what* is wrong with a regulation or a keymap; this module
//! tells *where*: it maps a field path such as `stages[1].criteria[0].weight`
//! to its line, and a byte offset back to the path of the field there.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A parsed document that remembers where each value is.
pub struct Located<'a> {
    text: &'a str,
    root: Option<Spanned<DeTable<'a>>>,
}

impl<'a> Located<'a> {
    pub fn new(text: &'a str) -> Self {
        Located {
            text,
            root: DeTable::parse(text).ok(),
        }
    }

    /// The 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(self.text, offset)
    }

    /// The line of the value at `path` (`stages[1].criteria[0].weight`), or of
    /// the closest enclosing value that exists.
    pub fn line_of(&self, path: &str) -> usize {
        let Some(root) = &self.root else { return 1 };
        let root = DeValue::Table(root.get_ref().clone());
        let mut current = &root;
        let mut offset = 0;
        for segment in parse_path(path) {
            let found = match (&segment, current) {
                // A key points at where the key is written.
                (Segment::Key(k), DeValue::Table(t)) => t
                    .iter()
                    .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                    .map(|(key, value)| (key.span().start, value)),
                (Segment::Index(i), DeValue::Array(a)) => a.get(*i).map(|v| (v.span().start, v)),
                _ => None,
            };
            let Some((at, value)) = found else { break };
            offset = at;
            current = value.get_ref();
        }
        self.line_col(offset).0
    }

    /// The path of the innermost field whose value contains `offset`.
    pub fn path_at(&self, offset: usize) -> String {
        let Some(root) = &self.root else {
            return String::new();
        };
        let mut path = Vec::new();
        find(&DeValue::Table(root.get_ref().clone()), offset, &mut path);
        format_path(&path)
    }
}

/// Depth-first search for the innermost key or value whose span holds
/// `offset`. Tables declared with a header span only their header, so every
/// child is searched rather than only those whose parent contains the offset.
fn find(v: &DeValue, offset: usize, path: &mut Vec<Segment>) -> bool {
    match v {
        DeValue::Table(t) => {
            for (key, value) in t.iter() {
                path.push(Segment::Key(key.get_ref().to_string()));
                if find(value.get_ref(), offset, path)
                    || key.span().contains(&offset)
                    || value.span().contains(&offset)
                {
                    return true;
                }
                path.pop();
            }
            false
        }
        DeValue::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                path.push(Segment::Index(i));
                if find(e.get_ref(), offset, path) || e.span().contains(&offset) {
                    return true;
                }
                path.pop();
            }
            false
        }
        _ => false,
    }
}

/// Splits `a.b[2].c` into segments.
pub fn parse_path(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            out.push(Segment::Key(rest[..open].to_string()));
            rest = &rest[open..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let close = stripped.find(']').unwrap_or(stripped.len());
                if let Ok(i) = stripped[..close].parse() {
                    out.push(Segment::Index(i));
                }
                rest = stripped.get(close + 1..).unwrap_or("");
            }
        } else {
            out.push(Segment::Key(rest.to_string()));
        }
    }
    out
}

pub fn format_path(path: &[Segment]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Segment::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Segment::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// The 1-based line and column of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"title = "x"

[[stages]]
id = "a"
criteria = [
  { id = "c1", weight = 1.0 },
  { id = "c2", weight = -2.0 },
]

[[stages]]
id = "b"

[[stages.criteria]]
id = "d1"
weight = 3
"#;

    #[test]
    fn finds_lines_of_paths() {
        let l = Located::new(DOC);
        assert_eq!(l.line_of("title"), 1);
        assert_eq!(l.line_of("stages[0].id"), 4);
        assert_eq!(l.line_of("stages[0].criteria[1].weight"), 7);
        assert_eq!(l.line_of("stages[1].id"), 11);
        assert_eq!(l.line_of("stages[1].criteria[0].weight"), 15);
        // A missing field points at the closest thing that exists.
        assert_eq!(l.line_of("stages[1].criteria[0].name"), 13);
    }

    #[test]
    fn finds_paths_at_offsets() {
        let l = Located::new(DOC);
        let at = DOC.find("-2.0").unwrap();
        assert_eq!(l.path_at(at), "stages[0].criteria[1].weight");
        let at = DOC.find("weight = 3").unwrap() + 9;
        assert_eq!(l.path_at(at), "stages[1].criteria[0].weight");
    }

    #[test]
    fn paths_parse_and_format() {
        let p = parse_path("a.b[2][3].c");
        assert_eq!(format_path(&p), "a.b[2][3].c");
    }
}
