//! A document as plain data, before it has a format: a title, a few lines
//! of provenance, and sections of tables, labelled fields and verbatim text.
//!
//! Each document (team list, protocol, ...) is built once into a
//! [`Document`]; the CSV, XLSX, Markdown and JSON writers only lay it out.
//! So the four files of one export always say the same thing.

use crate::text::I18n;
use chrono::{DateTime, Utc};

/// One value of a table or a field. Numbers stay numbers so that a
/// spreadsheet can sum them and JSON keeps them exact.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// Points and totals: shown with at most two decimals in text formats,
    /// kept as the figure (six decimals, see [`crate::text::number`]) in
    /// JSON and XLSX.
    Num(f64),
    /// An agreement statistic (Kendall's W, Krippendorff's α): shown with
    /// three decimals in text formats, kept as the figure in JSON and XLSX.
    Statistic(f64),
    Bool(bool),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }

    pub fn opt_num(x: Option<f64>) -> Cell {
        x.map_or(Cell::Empty, Cell::Num)
    }

    pub fn opt_statistic(x: Option<f64>) -> Cell {
        x.map_or(Cell::Empty, Cell::Statistic)
    }

    /// The cell as a person reads it: numbers as points (at most two
    /// decimals, rounded half-up); `decimal_comma` writes `7,5` (a Russian
    /// document, a spreadsheet of a Russian locale).
    pub fn display(&self, tr: &I18n, decimal_comma: bool) -> String {
        use crate::text::number::{STATISTIC, fixed, points, with_comma};
        let comma = |s: String| if decimal_comma { with_comma(s) } else { s };
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Num(x) => comma(points(*x)),
            Cell::Statistic(x) => comma(fixed(*x, STATISTIC)),
            Cell::Bool(b) => tr
                .t(if *b { "export.yes" } else { "export.no" })
                .to_string(),
        }
    }

    pub fn json(&self, tr: &I18n) -> serde_json::Value {
        match self {
            Cell::Empty => serde_json::Value::Null,
            Cell::Text(s) => serde_json::Value::String(s.clone()),
            Cell::Int(n) => serde_json::Value::from(*n),
            Cell::Num(x) | Cell::Statistic(x) if x.is_finite() => {
                serde_json::Value::from(crate::text::number::figure(*x))
            }
            Cell::Num(_) | Cell::Statistic(_) => serde_json::Value::String(self.display(tr, false)),
            Cell::Bool(b) => serde_json::Value::Bool(*b),
        }
    }
}

/// A column: a stable key (JSON) and the header a person reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub key: String,
    pub header: String,
}

impl Column {
    pub fn new(key: impl Into<String>, header: impl Into<String>) -> Column {
        Column {
            key: key.into(),
            header: header.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub key: String,
    pub title: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// A labelled value: "Regulation hash: 3f2a…".
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key: String,
    pub label: String,
    pub value: Cell,
}

impl Field {
    pub fn new(key: impl Into<String>, label: impl Into<String>, value: Cell) -> Field {
        Field {
            key: key.into(),
            label: label.into(),
            value,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Table(Table),
    Fields {
        key: String,
        title: Option<String>,
        fields: Vec<Field>,
    },
    /// Text kept exactly as it is (the regulation file).
    Text {
        key: String,
        title: Option<String>,
        /// The language of the text for Markdown's code fence (`toml`).
        syntax: &'static str,
        text: String,
    },
}

impl Block {
    pub fn key(&self) -> &str {
        match self {
            Block::Table(t) => &t.key,
            Block::Fields { key, .. } | Block::Text { key, .. } => key,
        }
    }

    pub fn title(&self) -> Option<&str> {
        match self {
            Block::Table(t) => t.title.as_deref(),
            Block::Fields { title, .. } | Block::Text { title, .. } => title.as_deref(),
        }
    }
}

/// A part of a document: a territory group of the team list, the method
/// appendix of a protocol. In XLSX each section is a sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub key: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// A whole document, ready to be written in any format.
#[derive(Clone, Debug)]
pub struct Document {
    /// `team`, `protocol`, `mentoring` or `register`.
    pub kind: &'static str,
    pub tr: I18n,
    /// The title as built, without the draft mark.
    pub title: String,
    /// The content is not final (an open stage, a matching not accepted).
    pub draft: bool,
    pub exported_at: DateTime<Utc>,
    /// The contest's time zone, which the document's times are shown in.
    pub zone: crate::text::time::Zone,
    /// Provenance: the contest, the export time, the data's audit head.
    pub meta: Vec<Field>,
    pub sections: Vec<Section>,
    /// When set, CSV writes the sections' tables (which share their
    /// columns) as one table, with this column first holding the
    /// section's title: the team list is one table with a group column.
    pub csv_merge: Option<Column>,
}

impl Document {
    /// The title a reader sees first: marked when the document is a draft.
    pub fn heading(&self) -> String {
        if self.draft {
            self.tr.f("export.draft_title", &[("title", &self.title)])
        } else {
            self.title.clone()
        }
    }
}
