//! `konkurs activity`: the activity ranking of the educational stage with
//! each listener's breakdown.

use super::{Cli, CliError, Console, Format, Place, open};
use crate::service::{Actor, Service};
use crate::text::I18n;
use crate::text::describe;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Line<'a> {
    rank: usize,
    id: &'a str,
    full_name: &'a str,
    group: &'a str,
    events: usize,
    topics: usize,
    rating: f64,
    breakdown: &'a crate::domain::activity::ActivityRating,
}

pub fn run(
    io: &mut Console,
    service: &Service,
    actor: &Actor,
    format: Format,
    tr: &I18n,
) -> Result<(), CliError> {
    let view = service.view(actor);
    let mut rows: Vec<_> = view
        .participants()
        .filter_map(|p| view.rating(&p.id).map(|r| (p, r)))
        .collect();
    rows.sort_by(|a, b| {
        b.1.total
            .total_cmp(&a.1.total)
            .then_with(|| a.0.id.cmp(&b.0.id))
    });
    // Equal ratings share a rank.
    let mut ranks = Vec::with_capacity(rows.len());
    for (i, (_, r)) in rows.iter().enumerate() {
        let rank = if i > 0 && rows[i - 1].1.total == r.total {
            ranks[i - 1]
        } else {
            i + 1
        };
        ranks.push(rank);
    }
    let mut out = &mut io.out;
    match format {
        Format::Json => {
            let lines: Vec<Line> = rows
                .iter()
                .zip(&ranks)
                .map(|((p, r), rank)| Line {
                    rank: *rank,
                    id: p.id.as_str(),
                    full_name: &p.full_name,
                    group: p.group.as_str(),
                    events: r.events_attended,
                    topics: r.distinct_topics,
                    rating: r.total,
                    breakdown: r,
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &lines).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        Format::Csv | Format::Table => {
            let table: Vec<Vec<String>> = rows
                .iter()
                .zip(&ranks)
                .map(|((p, r), rank)| {
                    vec![
                        rank.to_string(),
                        p.id.to_string(),
                        p.full_name.clone(),
                        p.group.to_string(),
                        r.events_attended.to_string(),
                        r.distinct_topics.to_string(),
                        tr.num(r.total),
                        r.lines
                            .iter()
                            .map(|l| describe::activity_line(l, tr))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect();
            super::output::write_rows(
                &mut out,
                format,
                tr,
                &[
                    "rank",
                    "id",
                    "full_name",
                    "group",
                    "events",
                    "topics",
                    "rating",
                    "breakdown",
                ],
                &table,
                io.terminal,
            )?;
        }
    }
    Ok(())
}

/// `konkurs activity`, in the database the command opens.
pub fn command(cli: &Cli, place: &Place, io: &mut Console, format: Format) -> Result<(), CliError> {
    let (service, actor) = open(cli, place)?;
    run(io, &service, &actor, format, &cli.i18n())
}
