//! `konkurs rank`, `konkurs advance`, `konkurs reopen-stage`,
//! `konkurs resolve-tie`: stage rankings from the command line.

use super::{Cli, CliError, Console, Format, Place, open};
use crate::domain::ids::{ParticipantId, StageId};
use crate::domain::ranking::{Flag, Ranking, Statistics};
use crate::domain::regulation::Aggregation;
use crate::service::{Actor, Service, StageReport};
use crate::text::number::{POINTS, STATISTIC, figure};
use crate::text::time::Zone;
use crate::text::{I18n, Lang, describe};
use chrono::{DateTime, Utc};
use std::io::Write;

/// Reads `--as-of` and `--at`: a time in the contest's zone
/// (`2021-06-01 12:00`, `2021-06-01T12:00:00`, `2021-06-01`), or with `Z`
/// or an offset; see [`crate::text::time::parse`].
pub fn parse_time(
    s: &str,
    service: &Service,
    actor: &Actor,
    tr: &I18n,
) -> Result<DateTime<Utc>, CliError> {
    crate::text::time::parse(s, &service.view(actor).zone())
        .map_err(|e| CliError::Message(e.words(tr)))
}

fn flags(row: &crate::domain::ranking::RankingRow, tr: &I18n) -> String {
    row.flags
        .iter()
        .map(|f| match f {
            Flag::Incomplete { have, need } => tr.f(
                "cli.rank.flag.incomplete",
                &[("have", have), ("need", need)],
            ),
            Flag::Outlier { juror } => tr.f("cli.rank.flag.outlier", &[("juror", juror)]),
            Flag::Tie => tr.t("cli.rank.flag.tie").to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What decided a row's place among equal totals: the rule's code in
/// English (as the JSON has it), the rule in words in Russian.
fn decided(report: &StageReport, d: &crate::domain::ranking::DecidedBy, tr: &I18n) -> String {
    let rules = &report.data.regulation;
    match (tr.lang, rules.stage(&report.data.stage)) {
        (Lang::Ru, Some(stage)) => describe::decided(d, rules, stage, tr),
        _ => d.to_string(),
    }
}

/// The jury's statistics for a script: everything the lines under the
/// table say, and the figures behind them.
fn statistics_json(s: &Statistics) -> serde_json::Value {
    serde_json::json!({
        "participants": s.participants,
        "sheets": s.sheets,
        "concordance": s.concordance.as_ref().map(|c| serde_json::json!({
            "kendall_w": figure(c.w),
            "mean_rank_correlation": figure(c.mean_rank_correlation),
            "jurors": c.raters,
            "juror_pairs": c.pairs,
        })),
        "krippendorff_alpha_interval": s.krippendorff_alpha.map(figure),
        "pooled_sd": s.pooled_sd.map(figure),
        "jurors": s.jurors.iter().map(|j| serde_json::json!({
            "juror": j.juror,
            "scored": j.scored,
            "compared": j.compared,
            "severity": j.severity.map(figure),
            "outliers": j.outliers,
        })).collect::<Vec<_>>(),
        "outliers": s.outliers.iter().map(|o| serde_json::json!({
            "participant": o.participant,
            "juror": o.juror,
            "total": figure(o.total),
            "others_mean": figure(o.others_mean),
            "deviation_in_sd": figure(o.deviation_in_sd),
        })).collect::<Vec<_>>(),
    })
}

pub fn print(
    io: &mut Console,
    report: &StageReport,
    method: Option<Aggregation>,
    format: Format,
    tr: &I18n,
) -> Result<(), CliError> {
    let method = method.unwrap_or_else(|| report.data.declared_method());
    let ranking: &Ranking = report.analysis.ranking(method);
    let mut out = &mut io.out;
    let names: Names = report
        .data
        .participants
        .iter()
        .map(|p| (&p.id, p.full_name.as_str()))
        .collect();
    if format == Format::Json {
        return write_json(out, report, ranking, method, &names);
    }
    let rows = table_rows(report, ranking, &names, tr);
    super::output::write_rows(
        &mut out,
        format,
        tr,
        &[
            "rank",
            "group",
            "group_rank",
            "participant",
            "full_name",
            "juror_totals",
            "indicators",
            "aggregate",
            "carry_over",
            "total",
            "decided_by",
            "flags",
            "advances",
        ],
        &rows,
        io.terminal,
    )?;
    if format == Format::Csv {
        return Ok(());
    }
    write_summary(out, report, ranking, method, tr)?;
    write_agreement(out, report, tr)
}

/// The full names of the stage's participants by id.
type Names<'a> = std::collections::BTreeMap<&'a ParticipantId, &'a str>;

/// The ranking, its statistics and the sensitivity to the method as one
/// JSON document.
fn write_json(
    out: &mut dyn Write,
    report: &StageReport,
    ranking: &Ranking,
    method: Aggregation,
    names: &Names,
) -> Result<(), CliError> {
    let rows: Vec<serde_json::Value> = ranking
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "rank": r.rank,
                "group_rank": r.group_rank,
                "participant": r.participant,
                "full_name": names.get(&r.participant),
                "group": r.group,
                "juror_totals": r.juror_totals.iter().map(|j| serde_json::json!({"juror": j.juror, "total": figure(j.total)})).collect::<Vec<_>>(),
                "aggregate": figure(r.aggregate),
                "indicator_points": figure(r.indicator_part),
                "carry_over": figure(r.carry_over_part),
                "total": figure(r.total),
                "spread": figure(r.spread),
                "decided_by": r.decided_by.as_ref().map(|d| d.to_string()),
                "flags": flags(r, &I18n::new(Lang::En)),
                "advances": r.advances,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "stage": ranking.stage,
        "method": method.code(),
        "hash": ranking.hash,
        "final": ranking.is_final(),
        "closed": report.frozen.is_some(),
        "frozen_hash": report.frozen.as_ref().map(|f| f.hash.clone()),
        "stale": report.stale.as_ref().map(|c| serde_json::json!({
            "at": c.at,
            "by": c.by,
            "old_regulation_hash": c.old_hash,
            "new_regulation_hash": c.new_hash,
            "reason": c.reason,
        })),
        "rows": rows,
        "advancing": ranking.advancing,
        "statistics": statistics_json(&report.analysis.statistics),
        "advancing_by_method": report
            .analysis
            .rankings
            .iter()
            .map(|r| (r.method.code().to_string(), serde_json::json!(r.advancing)))
            .collect::<serde_json::Map<_, _>>(),
        "sensitivity": report.analysis.sensitivity.iter().map(|r| serde_json::json!({
            "participant": r.participant,
            "full_name": names.get(&r.participant),
            "group": r.group,
            "outcomes": r.outcomes.iter().map(|o| serde_json::json!({
                "method": o.method.code(),
                "rank": o.rank,
                "group_rank": o.group_rank,
                "total": figure(o.total),
                "advances": o.advances,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// The ranking's rows as the table shows them.
fn table_rows(
    report: &StageReport,
    ranking: &Ranking,
    names: &Names,
    tr: &I18n,
) -> Vec<Vec<String>> {
    ranking
        .rows
        .iter()
        .map(|r| {
            vec![
                r.rank.to_string(),
                r.group.to_string(),
                r.group_rank.to_string(),
                r.participant.to_string(),
                names.get(&r.participant).copied().unwrap_or("").to_string(),
                r.juror_totals
                    .iter()
                    .map(|j| format!("{}={}", j.juror, tr.num(j.total)))
                    .collect::<Vec<_>>()
                    .join(" "),
                tr.num(r.indicator_part),
                tr.num(r.aggregate),
                tr.num(r.carry_over_part),
                tr.num(r.total),
                r.decided_by
                    .as_ref()
                    .map_or(String::new(), |d| decided(report, d, tr)),
                flags(r, tr),
                if r.advances {
                    tr.t("cli.yes").into()
                } else {
                    String::new()
                },
            ]
        })
        .collect()
}

/// What the ranking is: its method and hash, whether it is frozen, and
/// whether the regulation changed under it.
fn write_summary(
    out: &mut dyn Write,
    report: &StageReport,
    ranking: &Ranking,
    method: Aggregation,
    tr: &I18n,
) -> Result<(), CliError> {
    let method_word = tr.t(&format!("cli.method.{}", method.code()));
    writeln!(
        out,
        "{}",
        tr.f(
            if ranking.is_final() {
                "cli.rank.summary"
            } else {
                "cli.rank.summary_provisional"
            },
            &[
                ("stage", &ranking.stage),
                ("method", &method_word),
                ("n", &ranking.advancing.len()),
                ("hash", &ranking.hash),
            ],
        )
    )?;
    if let Some(f) = &report.frozen {
        writeln!(
            out,
            "{}",
            tr.f(
                if f.verify() {
                    "cli.rank.frozen"
                } else {
                    "cli.rank.frozen_broken"
                },
                &[
                    (
                        "at",
                        &crate::text::time::show(f.at, &Zone::of(Some(&report.data.regulation)))
                    ),
                    ("by", &f.by),
                    ("hash", &f.hash),
                ],
            )
        )?;
    }
    if let Some(c) = &report.stale {
        let short = |h: &str| h.chars().take(12).collect::<String>();
        writeln!(
            out,
            "{}",
            tr.f(
                "cli.rank.stale",
                &[
                    (
                        "at",
                        &crate::text::time::show(c.at, &Zone::of(Some(&report.data.regulation)))
                    ),
                    ("by", &c.by),
                    ("old", &short(&c.old_hash)),
                    ("new", &short(&c.new_hash)),
                    ("reason", &c.reason),
                ],
            )
        )?;
    }
    Ok(())
}

/// How far the jurors agree, each juror's severity, and who advances under
/// which method.
fn write_agreement(out: &mut dyn Write, report: &StageReport, tr: &I18n) -> Result<(), CliError> {
    let s = &report.analysis.statistics;
    writeln!(
        out,
        "{}",
        tr.f(
            "cli.rank.agreement",
            &[
                (
                    "w",
                    &s.concordance
                        .as_ref()
                        .map_or("-".into(), |c| tr.fixed(c.w, STATISTIC)),
                ),
                (
                    "alpha",
                    &s.krippendorff_alpha
                        .map_or("-".into(), |a| tr.fixed(a, STATISTIC)),
                ),
                ("outliers", &s.outliers.len()),
            ],
        )
    )?;
    for j in &s.jurors {
        if let Some(sev) = j.severity {
            writeln!(
                out,
                "  {}",
                tr.f(
                    "cli.rank.severity",
                    &[
                        ("juror", &j.juror),
                        ("severity", &tr.signed(sev, POINTS)),
                        ("n", &j.compared),
                    ],
                )
            )?;
        }
    }
    if !report.analysis.sensitivity.is_empty() {
        writeln!(out, "{}", tr.t("cli.rank.sensitivity"))?;
        for r in &report.analysis.sensitivity {
            let by: Vec<String> = r
                .outcomes
                .iter()
                .map(|o| {
                    format!(
                        "{} {}",
                        tr.t(&format!("cli.method.{}", o.method.code())),
                        tr.t(if o.advances { "cli.yes" } else { "cli.no" })
                    )
                })
                .collect();
            writeln!(out, "  {}: {}", r.participant, by.join(", "))?;
        }
    }
    Ok(())
}

pub fn advance(
    io: &mut Console,
    service: &Service,
    actor: &Actor,
    stage: &StageId,
    reason: &str,
    tr: &I18n,
) -> Result<(), CliError> {
    let frozen = service.close_stage(actor, stage, reason)?;
    writeln!(
        io.out,
        "{}",
        tr.f(
            "cli.advance.done",
            &[
                ("stage", stage),
                ("ranked", &frozen.rows.len()),
                ("n", &frozen.advancing.len()),
                ("hash", &frozen.hash),
            ],
        )
    )?;
    Ok(())
}

/// `konkurs rank`: the stage's ranking now (or `--as-of` a past time), by
/// the regulation's method or the one named.
pub fn rank(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    stage: &str,
    method: Option<Aggregation>,
    as_of: Option<&str>,
    format: Format,
) -> Result<(), CliError> {
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    let stage = StageId::new(stage);
    let report = match as_of {
        Some(t) => {
            let at = parse_time(t, &service, &actor, tr)?;
            service.analyse_stage_as_of(&actor, &stage, at)?
        }
        None => service.analyse_stage(&actor, &stage)?,
    };
    print(io, &report, method, format, tr)
}

/// `konkurs advance`: closes the stage and freezes its ranking.
pub fn advance_command(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    stage: &str,
    reason: &str,
) -> Result<(), CliError> {
    let (service, actor) = open(cli, place)?;
    advance(
        io,
        &service,
        &actor,
        &StageId::new(stage),
        reason,
        &cli.i18n(),
    )
}

/// `konkurs reopen-stage`: a closed stage open again, with the reason.
pub fn reopen_stage(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    stage: &str,
    reason: &str,
) -> Result<(), CliError> {
    let (service, actor) = open(cli, place)?;
    service.reopen_stage(&actor, &StageId::new(stage), reason)?;
    writeln!(
        io.out,
        "{}",
        cli.i18n().f("cli.reopen_stage.done", &[("stage", &stage)])
    )?;
    Ok(())
}

/// `konkurs resolve-tie`: the order of tied participants, decided by the jury.
pub fn resolve_tie(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    stage: &str,
    participants: &[String],
    reason: &str,
) -> Result<(), CliError> {
    let (service, actor) = open(cli, place)?;
    service.resolve_tie(
        &actor,
        &StageId::new(stage),
        participants
            .iter()
            .map(|p| ParticipantId::new(p.as_str()))
            .collect(),
        reason,
    )?;
    writeln!(
        io.out,
        "{}",
        cli.i18n().f(
            "cli.resolve_tie.done",
            &[("order", &participants.join(" > "))]
        )
    )?;
    Ok(())
}
