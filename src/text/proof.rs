//! What `konkurs verify` and `konkurs restore` found, in words.

use super::I18n;
use crate::domain::proof::{Disagreement, Problem};

/// One problem as a sentence in the person's language.
pub fn problem(p: &Problem, tr: &I18n) -> String {
    match p {
        Problem::UnreadableRecord { place, why } => tr.f(
            "cli.proof.unreadable_record",
            &[("place", place), ("why", why)],
        ),
        Problem::Misplaced { key } => tr.f("cli.proof.misplaced", &[("key", &key.display())]),
        Problem::Duplicate { key } => tr.f("cli.proof.duplicate", &[("key", &key.display())]),
        Problem::UnreadableEntry { seq, why } => {
            tr.f("cli.proof.unreadable_entry", &[("seq", seq), ("why", why)])
        }
        Problem::OutOfSequence { expected, found } => tr.f(
            "cli.proof.out_of_sequence",
            &[("expected", expected), ("found", found)],
        ),
        Problem::Altered { seq } => tr.f("cli.proof.altered", &[("seq", seq)]),
        Problem::BrokenLink { seq } => tr.f("cli.proof.broken_link", &[("seq", seq)]),
        Problem::HeadCount { head, entries } => tr.f(
            "cli.proof.head_count",
            &[("head", head), ("entries", entries)],
        ),
        Problem::HeadHash { seq, head, last } => tr.f(
            "cli.proof.head_hash",
            &[("seq", seq), ("head", head), ("last", last)],
        ),
        Problem::NoHead => tr.t("cli.proof.no_head").to_string(),
        Problem::Before {
            seq,
            key,
            disagreement,
        } => tr.f(
            "cli.proof.before",
            &[
                ("seq", seq),
                ("key", &key.display()),
                ("how", &how("cli.proof.before_how", disagreement, tr)),
            ],
        ),
        Problem::Records {
            key,
            disagreement,
            differing,
        } => {
            let first = tr.f(
                "cli.proof.records",
                &[
                    ("key", &key.display()),
                    ("how", &how("cli.proof.records_how", disagreement, tr)),
                ],
            );
            if *differing > 1 {
                format!(
                    "{first} {}",
                    tr.f("cli.proof.records_more", &[("n", differing)])
                )
            } else {
                first
            }
        }
        Problem::Unproved { seq, records } => {
            tr.f("cli.proof.unproved", &[("seq", seq), ("n", records)])
        }
    }
}

/// How a record differs, from the catalogue section `section`.
fn how(section: &str, d: &Disagreement, tr: &I18n) -> String {
    match d {
        Disagreement::Missing => tr.t(&format!("{section}.missing")).to_string(),
        Disagreement::Unexpected => tr.t(&format!("{section}.unexpected")).to_string(),
        Disagreement::Field {
            path,
            expected,
            found,
        } => tr.f(
            &format!("{section}.field"),
            &[("path", path), ("expected", expected), ("found", found)],
        ),
    }
}
