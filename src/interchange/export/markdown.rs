//! Markdown: a heading per document and per section, pipe tables, fields as
//! a list, and the regulation verbatim in a code fence. Reads well as plain
//! text and renders on any Git host or in a Markdown viewer.

use super::document::{Block, Cell, Document};

/// A cell safe inside a pipe table: `|` escaped, line breaks as `<br>`.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

pub fn write(doc: &Document) -> Vec<u8> {
    let show = |c: &Cell| c.display(&doc.tr, doc.tr.decimal_comma());
    let mut out = String::new();
    out += &format!("# {}\n\n", doc.heading());
    for f in &doc.meta {
        out += &format!("- **{}**: {}\n", f.label, cell(&show(&f.value)));
    }
    for s in &doc.sections {
        out += &format!("\n## {}\n", s.title);
        for b in &s.blocks {
            out.push('\n');
            if let Some(t) = b.title() {
                out += &format!("### {t}\n\n");
            }
            match b {
                Block::Table(t) => {
                    if t.rows.is_empty() {
                        out += &format!("_{}_\n", doc.tr.t("export.none"));
                        continue;
                    }
                    let headers: Vec<String> = t.columns.iter().map(|c| cell(&c.header)).collect();
                    out += &format!("| {} |\n", headers.join(" | "));
                    // Numeric columns are right-aligned.
                    let rule: Vec<&str> = (0..t.columns.len())
                        .map(|i| {
                            let mut cells = t.rows.iter().filter_map(|r| r.get(i));
                            let numeric = cells.clone().any(|c| !matches!(c, Cell::Empty))
                                && cells.all(|c| {
                                    matches!(
                                        c,
                                        Cell::Empty
                                            | Cell::Int(_)
                                            | Cell::Num(_)
                                            | Cell::Statistic(_)
                                    )
                                });
                            if numeric { "--:" } else { "---" }
                        })
                        .collect();
                    out += &format!("|{}|\n", rule.join("|"));
                    for r in &t.rows {
                        let cells: Vec<String> = r.iter().map(|c| cell(&show(c))).collect();
                        out += &format!("| {} |\n", cells.join(" | "));
                    }
                }
                Block::Fields { fields, .. } => {
                    for f in fields {
                        out += &format!("- **{}**: {}\n", f.label, cell(&show(&f.value)));
                    }
                }
                Block::Text { syntax, text, .. } => {
                    // A fence longer than any backtick run in the text.
                    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
                    let fence = "`".repeat(longest.max(2) + 1);
                    out += &format!("{fence}{syntax}\n{}", text);
                    if !text.ends_with('\n') {
                        out.push('\n');
                    }
                    out += &format!("{fence}\n");
                }
            }
        }
    }
    out.into_bytes()
}
