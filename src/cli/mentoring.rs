//! `konkurs match`, `konkurs pair`, `konkurs mentors`: the mentoring
//! programme from the command line.

use super::{Cli, CliError, Console, Format, Place, open};
use crate::domain::matching::{self, MatchMode};
use crate::domain::mentoring::{DecisionKind, MeetingFormat};
use crate::service::{Actor, Service};
use crate::text::I18n;
use crate::text::describe;
use std::collections::HashMap;
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
    if candidates {
        let data = service.match_data(actor)?;
        let input = data.input();
        return write_candidates(io, &matching::Prepared::new(&input), format, tr);
    }
    let crate::service::Explained {
        data,
        proposal,
        explanations,
        blocking,
    } = service.propose_explained(actor, mode)?;
    let mut out = &mut io.out;
    if format == Format::Json {
        let doc = serde_json::json!({
            "proposal": proposal,
            "explanations": explanations,
            "blocking_pairs": blocking,
        });
        serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        let rows = proposal_rows(&data, &explanations, tr);
        write(
            &mut out,
            format,
            io.terminal,
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
    // Locks the proposal cannot keep: under the table, or beside the CSV
    // on standard error (the JSON has them in `proposal.issues`).
    let not_kept = describe::locks_not_kept(&proposal.issues, tr);
    for (mentor, intern, why) in &not_kept {
        let line = tr.f(
            "cli.match.lock_not_kept",
            &[("mentor", mentor), ("intern", intern), ("why", why)],
        );
        match format {
            Format::Table => writeln!(io.out, "{line}")?,
            Format::Csv => writeln!(io.err, "{line}")?,
            Format::Json => {}
        }
    }
    if let Some(reason) = accept {
        if !not_kept.is_empty() {
            return Err(CliError::said(
                "cli.match.locks_not_kept",
                &[("n", &not_kept.len())],
            ));
        }
        service.accept_matching(actor, &proposal, reason)?;
        writeln!(
            io.err,
            "{}",
            tr.f("cli.match.accepted", &[("n", &proposal.pairs.len())])
        )?;
    }
    Ok(())
}

/// Every intern's acceptable mentors with the points of each pair.
fn write_candidates(
    io: &mut Console,
    prepared: &matching::Prepared,
    format: Format,
    tr: &I18n,
) -> Result<(), CliError> {
    let table = prepared.candidates();
    let mut out = &mut io.out;
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
    write(
        &mut out,
        format,
        io.terminal,
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
    )
}

/// The proposal's rows: each intern with the mentor given (and why not
/// another), or why none could be.
fn proposal_rows(
    data: &crate::service::MatchData,
    explanations: &[matching::InternExplanation],
    tr: &I18n,
) -> Vec<Vec<String>> {
    let mentor_names: HashMap<&str, &str> = data
        .mentors
        .iter()
        .map(|m| (m.id.as_str(), m.full_name.as_str()))
        .collect();
    let intern_names: HashMap<&str, &str> = data
        .interns
        .iter()
        .map(|i| (i.id.as_str(), i.full_name.as_str()))
        .collect();
    let name_of_mentor = |id: &crate::domain::ids::MentorId| {
        mentor_names
            .get(id.as_str())
            .map_or(String::new(), |n| n.to_string())
    };
    let name_of_intern = |id: &crate::domain::ids::InternId| {
        intern_names
            .get(id.as_str())
            .map_or(String::new(), |n| n.to_string())
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    for e in explanations {
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
                        &[("mentor", &a.mentor), ("why", &describe::not_given(a, tr))],
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
    rows
}

/// A table or CSV (JSON is written from the records themselves).
/// Table cells are cut to keep the columns in view only on a terminal.
fn write(
    out: &mut impl Write,
    format: Format,
    terminal: bool,
    tr: &I18n,
    keys: &[&str],
    rows: &[Vec<String>],
) -> Result<(), CliError> {
    let format = if format == Format::Csv {
        Format::Csv
    } else {
        Format::Table
    };
    super::output::write_rows(out, format, tr, keys, rows, terminal)?;
    Ok(())
}

/// `konkurs match`: the matching of `mode`.
pub fn match_command(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    mode: MatchMode,
    format: Format,
    candidates: bool,
    accept: Option<&str>,
) -> Result<(), CliError> {
    let (service, actor) = open(cli, place)?;
    run(
        io,
        &service,
        &actor,
        mode,
        format,
        candidates,
        accept,
        &cli.i18n(),
    )
}

/// `konkurs pair lock | forbid | clear`: a coordinator's decision on one
/// pair; a lock no matching can keep is said at once.
pub fn pair(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    what: &str,
    mentor: &str,
    intern: &str,
    reason: &str,
) -> Result<(), CliError> {
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    let kind = match what {
        "lock" => Some(DecisionKind::Lock),
        "forbid" => Some(DecisionKind::Forbid),
        _ => None,
    };
    service.decide_pair(
        &actor,
        &crate::domain::ids::MentorId::new(mentor),
        &crate::domain::ids::InternId::new(intern),
        kind,
        reason,
    )?;
    writeln!(
        io.out,
        "{}",
        tr.f(
            &format!("cli.pair.{what}"),
            &[("mentor", &mentor), ("intern", &intern)]
        )
    )?;
    if kind == Some(DecisionKind::Lock) {
        // The lock is recorded; say at once if no matching can keep
        // it (or if it pushes out another lock of the mentor).
        let data = service.match_data(&actor)?;
        let input = data.input();
        let prepared = matching::Prepared::new(&input);
        for (m, i, why) in describe::locks_not_kept(prepared.issues(), tr) {
            if m.as_str() == mentor || i.as_str() == intern {
                writeln!(
                    io.err,
                    "{}",
                    tr.f(
                        "cli.pair.lock_not_kept",
                        &[("mentor", &m), ("intern", &i), ("why", &why)]
                    )
                )?;
            }
        }
    }
    Ok(())
}

/// `konkurs mentors from-team`: the team's members become mentors.
pub fn mentors_from_team(cli: &Cli, place: &Place, io: &mut Console) -> Result<(), CliError> {
    let (service, actor) = open(cli, place)?;
    let n = service.mentors_from_team(&actor)?;
    writeln!(
        io.out,
        "{}",
        cli.i18n().f("cli.mentors.from_team", &[("n", &n)])
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::matching::SOLVES;

    fn console() -> Console {
        Console {
            out: Box::new(std::io::sink()),
            err: Box::new(std::io::sink()),
            input: Box::new(std::io::empty()),
            terminal: false,
        }
    }

    #[test]
    fn candidates_are_listed_without_solving_a_proposal() {
        let dir = tempfile::tempdir().unwrap();
        let service = Service::open(dir.path()).unwrap();
        let actor = Actor::local("local");
        crate::sample::load(&service, &actor).unwrap();
        let tr = I18n::new(crate::text::Lang::En);
        for format in [Format::Table, Format::Json] {
            let before = SOLVES.with(|n| n.get());
            run(
                &mut console(),
                &service,
                &actor,
                MatchMode::Optimal,
                format,
                true,
                None,
                &tr,
            )
            .unwrap();
            assert_eq!(SOLVES.with(|n| n.get()), before, "{format:?}");
        }
        // A proposal is solved once, for the table, its explanations and
        // its blocking pairs.
        let before = SOLVES.with(|n| n.get());
        run(
            &mut console(),
            &service,
            &actor,
            MatchMode::Optimal,
            Format::Table,
            false,
            None,
            &tr,
        )
        .unwrap();
        assert_eq!(SOLVES.with(|n| n.get()), before + 1);
    }
}
