//! What the audit log proves about the records, as data.
//!
//! `konkurs verify` and `konkurs restore` replay the audit log from empty
//! and compare the result with the records, record by record and field by
//! field. What they find is said here as values (which entry, which key,
//! which field, what each side holds); `crate::text::proof` words them.

use super::contest::{Key, Record};

/// How a record found (in the records, or in an entry's "before") differs
/// from the record the audit log gives for its key.
#[derive(Clone, Debug, PartialEq)]
pub enum Disagreement {
    /// The log gives a record; none is found.
    Missing,
    /// A record is found; the log never wrote it, or deleted it.
    Unexpected,
    /// Both hold it and a field differs: its path (`role`,
    /// `scores.projects`), the log's value and the value found, as JSON.
    Field {
        path: String,
        expected: String,
        found: String,
    },
}

/// One thing `verify` or `restore` found wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// A stored record that does not decode: where, and why.
    UnreadableRecord { place: String, why: String },
    /// A record stored under another key than its own.
    Misplaced { key: Key },
    /// Two records under one key (a backup can hold that; a database not).
    Duplicate { key: Key },
    /// An audit entry that does not decode.
    UnreadableEntry { seq: u64, why: String },
    /// The entry in place `expected` carries the number `found`: entries
    /// were removed, added or reordered.
    OutOfSequence { expected: u64, found: u64 },
    /// The entry's hash does not match its content: it was altered.
    Altered { seq: u64 },
    /// The entry does not continue the chain from the entry before it.
    BrokenLink { seq: u64 },
    /// The head says `head` entries; the log holds `entries`. Entries were
    /// dropped at the end (or the head was altered).
    HeadCount { head: u64, entries: u64 },
    /// The head names another hash than the last entry's.
    HeadHash {
        seq: u64,
        head: String,
        last: String,
    },
    /// A backup written by this konkurs that names no head.
    NoHead,
    /// An entry says a record was one thing before it; the log up to that
    /// entry says another.
    Before {
        seq: u64,
        key: Key,
        disagreement: Disagreement,
    },
    /// The records differ from the replayed log: the first differing
    /// record in key order, and how many differ in all.
    Records {
        key: Key,
        disagreement: Disagreement,
        differing: usize,
    },
    /// Records last written by entries of an older konkurs that held keys
    /// only, which therefore prove nothing about them: the first such
    /// entry and how many records rest on such entries.
    Unproved { seq: u64, records: usize },
}

/// Where `found` first differs from `expected` (two records under one
/// key), field by field in the order the record lists its fields.
pub fn difference(expected: &Record, found: &Record) -> Option<Disagreement> {
    if expected == found {
        return None;
    }
    let (a, b) = (json(expected), json(found));
    // A record is `{"kind": {fields}}`: the path starts inside the kind.
    let (a, b) = match (&a, &b) {
        (serde_json::Value::Object(x), serde_json::Value::Object(y))
            if x.len() == 1 && y.len() == 1 =>
        {
            match (x.iter().next(), y.iter().next()) {
                (Some((ka, va)), Some((kb, vb))) if ka == kb => (va.clone(), vb.clone()),
                _ => (a.clone(), b.clone()),
            }
        }
        _ => (a.clone(), b.clone()),
    };
    let mut path = Vec::new();
    let (x, y) = first_difference(&a, &b, &mut path).unwrap_or((&a, &b));
    Some(Disagreement::Field {
        path: if path.is_empty() {
            "-".into()
        } else {
            path.join(".")
        },
        expected: x.to_string(),
        found: y.to_string(),
    })
}

fn json(r: &Record) -> serde_json::Value {
    serde_json::to_value(r).expect("records serialise")
}

/// The first place two values differ: objects key by key (in the first's
/// order, then keys only the second has), arrays item by item.
fn first_difference<'a>(
    a: &'a serde_json::Value,
    b: &'a serde_json::Value,
    path: &mut Vec<String>,
) -> Option<(&'a serde_json::Value, &'a serde_json::Value)> {
    use serde_json::Value;
    static NOTHING: Value = Value::Null;
    if a == b {
        return None;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            for k in keys {
                let (va, vb) = (x.get(k).unwrap_or(&NOTHING), y.get(k).unwrap_or(&NOTHING));
                path.push(k.clone());
                if let Some(found) = first_difference(va, vb, path) {
                    return Some(found);
                }
                path.pop();
            }
            Some((a, b))
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let (va, vb) = (x.get(i).unwrap_or(&NOTHING), y.get(i).unwrap_or(&NOTHING));
                path.push(i.to_string());
                if let Some(found) = first_difference(va, vb, path) {
                    return Some(found);
                }
                path.pop();
            }
            Some((a, b))
        }
        _ => Some((a, b)),
    }
}
