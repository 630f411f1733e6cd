//! `konkurs match`, `konkurs pair`, `konkurs mentors`: the mentoring
//! programme from the command line.

use super::{CliError, Console, Format};
use crate::domain::matching::{self, MatchMode};
use crate::domain::mentoring::MeetingFormat;
use crate::service::{Actor, Service};
use crate::text::I18n;
use crate::text::describe;
use std::io::Write;

/// Prints a proposal (pairs with their score parts, unmatched interns with
/// the reason, blocking pairs), or with `candidates` every intern's
/// acceptable mentors; `accept` (with its reason) stores the proposal as
/// the matching.
#[allow(clippy::too_many_arguments)]
pub fn run(
    io: &mut Console,
    service: &Service,
    actor: &Actor,
    mode: MatchMode,
    format: Format,
    candidates: bool,
    accept: Option<&str>,
    tr: &I18n,
) -> Result<(), CliError> {
    let (data, proposal) = service.propose(actor, mode)?;
    let input = data.input();
    let mut out = &mut io.out;
    if candidates {
        let table = matching::candidates(&input);
        if format == Format::Json {
            serde_json::to_writer_pretty(&mut out, &table).map_err(std::io::Error::from)?;
            writeln!(out)?;
            return Ok(());
        }
        let rows: Vec<Vec<String>> = table
            .iter()
            .flat_map(|ic| {
                ic.candidates.iter().map(move |c| {
                    vec![
                        ic.intern.to_string(),
                        c.mentor.to_string(),
                        crate::interchange::listing::word(
                            tr,
                            "mentoring",
                            match c.score.format {
                                MeetingFormat::OnSite => "on_site",
                                MeetingFormat::Online => "online",
                            },
                        ),
                        c.score.distance_km.map_or(String::new(), |d| {
                            tr.decimal(crate::text::number::fixed(
                                d,
                                crate::text::number::KILOMETRES,
                            ))
                        }),
                        c.score.topic_points.to_string(),
                        c.score.distance_points.to_string(),
                        c.score.preference_points.to_string(),
                        c.score.total.to_string(),
                    ]
                })
            })
            .collect();
        return write(
            &mut out,
            format,
            tr,
            &[
                "intern",
                "mentor",
                "format",
                "km",
                "topics",
                "distance",
                "preference",
                "total",
            ],
            &rows,
        );
    }
    let explanations =
        matching::explain(&input, &proposal).map_err(|e| CliError::Message(e.to_string()))?;
    let assignment = proposal.assignment();
    let blocking = matching::blocking_pairs(&input, &assignment);
    if format == Format::Json {
        let doc = serde_json::json!({
            "proposal": proposal,
            "explanations": explanations,
            "blocking_pairs": blocking,
        });
        serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        let name_of_mentor = |id: &crate::domain::ids::MentorId| {
            data.mentors
                .iter()
                .find(|m| &m.id == id)
                .map_or(String::new(), |m| m.full_name.clone())
        };
        let name_of_intern = |id: &crate::domain::ids::InternId| {
            data.interns
                .iter()
                .find(|i| &i.id == id)
                .map_or(String::new(), |i| i.full_name.clone())
        };
        let mut rows: Vec<Vec<String>> = Vec::new();
        for e in &explanations {
            match (&e.mentor, &e.score) {
                (Some(m), Some(s)) => rows.push(vec![
                    m.to_string(),
                    name_of_mentor(m),
                    e.intern.to_string(),
                    name_of_intern(&e.intern),
                    if e.locked {
                        tr.t("cli.yes").into()
                    } else {
                        String::new()
                    },
                    s.topic_points.to_string(),
                    s.distance_points.to_string(),
                    s.preference_points.to_string(),
                    s.total.to_string(),
                    match &e.best_alternative {
                        Some(a) => tr.f(
                            "mentoring.alternative",
                            &[
                                ("mentor", &a.mentor),
                                ("why", &describe::not_given(&a.not_given, tr)),
                            ],
                        ),
                        None => String::new(),
                    },
                ]),
                _ => rows.push(vec![
                    String::new(),
                    String::new(),
                    e.intern.to_string(),
                    name_of_intern(&e.intern),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    e.unmatched
                        .as_ref()
                        .map_or(String::new(), |r| describe::unmatched(r, tr)),
                ]),
            }
        }
        write(
            &mut out,
            format,
            tr,
            &[
                "mentor",
                "mentor_name",
                "intern",
                "intern_name",
                "locked",
                "topics",
                "distance",
                "preference",
                "total",
                "explanation",
            ],
            &rows,
        )?;
        if format == Format::Table {
            writeln!(
                out,
                "{}",
                tr.f(
                    "cli.match.summary",
                    &[
                        ("mode", &tr.t(&format!("cli.match.mode.{}", mode.code()))),
                        ("pairs", &proposal.pairs.len()),
                        ("total", &proposal.total_score),
                        ("unmatched", &proposal.unmatched.len()),
                        ("blocking", &blocking.len()),
                    ],
                )
            )?;
            for b in &blocking {
                writeln!(
                    out,
                    "{}",
                    tr.f(
                        "cli.match.blocking",
                        &[("mentor", &b.mentor), ("intern", &b.intern)]
                    )
                )?;
            }
        }
    }
    if let Some(reason) = accept {
        service.accept_matching(actor, &proposal, reason)?;
        writeln!(
            io.err,
            "{}",
            tr.f("cli.match.accepted", &[("n", &proposal.pairs.len())])
        )?;
    }
    Ok(())
}

/// A table or CSV (JSON is written from the records themselves).
fn write(
    out: &mut impl Write,
    format: Format,
    tr: &I18n,
    keys: &[&str],
    rows: &[Vec<String>],
) -> Result<(), CliError> {
    let format = if format == Format::Csv {
        Format::Csv
    } else {
        Format::Table
    };
    super::output::write_rows(out, format, tr, keys, rows)?;
    Ok(())
}
