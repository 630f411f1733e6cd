//! `konkurs rank`, `konkurs advance`, `konkurs reopen-stage`,
//! `konkurs resolve-tie`: stage rankings from the command line.

use super::{CliError, Format};
use crate::domain::ids::StageId;
use crate::domain::ranking::{Flag, Ranking};
use crate::domain::regulation::Aggregation;
use crate::service::{Actor, Service, StageReport};
use crate::text::I18n;
use crate::text::number::{STATISTIC, fixed, points};
use crate::text::time::Zone;
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

fn flags(row: &crate::domain::ranking::RankingRow) -> String {
    row.flags
        .iter()
        .map(|f| match f {
            Flag::Incomplete { have, need } => format!("incomplete {have}/{need}"),
            Flag::Outlier { juror } => format!("outlier {juror}"),
            Flag::Tie => "tie".to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn print(
    report: &StageReport,
    method: Option<Aggregation>,
    format: Format,
) -> Result<(), CliError> {
    let method = method.unwrap_or_else(|| report.data.declared_method());
    let ranking: &Ranking = report.analysis.ranking(method);
    let out = std::io::stdout();
    let mut out = out.lock();
    let names: std::collections::BTreeMap<_, _> = report
        .data
        .participants
        .iter()
        .map(|p| (&p.id, p.full_name.as_str()))
        .collect();
    if format == Format::Json {
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
                    "juror_totals": r.juror_totals.iter().map(|j| serde_json::json!({"juror": j.juror, "total": j.total})).collect::<Vec<_>>(),
                    "aggregate": r.aggregate,
                    "indicator_points": r.indicator_part,
                    "carry_over": r.carry_over_part,
                    "total": r.total,
                    "spread": r.spread,
                    "decided_by": r.decided_by.as_ref().map(|d| d.to_string()),
                    "flags": flags(r),
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
            "rows": rows,
            "advancing": ranking.advancing,
        });
        serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    let headers = [
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
    ];
    let rows: Vec<Vec<String>> = ranking
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
                    .map(|j| format!("{}={}", j.juror, points(j.total)))
                    .collect::<Vec<_>>()
                    .join(" "),
                points(r.indicator_part),
                points(r.aggregate),
                points(r.carry_over_part),
                points(r.total),
                r.decided_by
                    .as_ref()
                    .map_or(String::new(), |d| d.to_string()),
                flags(r),
                if r.advances {
                    "yes".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    match format {
        Format::Csv => super::output::write_csv(&mut out, &headers, &rows)?,
        _ => {
            super::output::write_table(&mut out, &headers, &rows)?;
            writeln!(
                out,
                "stage {} by {}: {} advance{}; hash {}",
                ranking.stage,
                method.code(),
                ranking.advancing.len(),
                if ranking.is_final() {
                    ""
                } else {
                    " (provisional: see the flags)"
                },
                ranking.hash
            )?;
            if let Some(f) = &report.frozen {
                writeln!(
                    out,
                    "closed {} by {}; frozen hash {} ({})",
                    crate::text::time::show(f.at, &Zone::of(Some(&report.data.regulation))),
                    f.by,
                    f.hash,
                    if f.verify() {
                        "verified"
                    } else {
                        "DOES NOT MATCH ITS ROWS"
                    }
                )?;
            }
            let s = &report.analysis.statistics;
            writeln!(
                out,
                "Kendall's W {}, Krippendorff's alpha {}, {} outlier(s)",
                s.concordance
                    .as_ref()
                    .map_or("-".into(), |c| fixed(c.w, STATISTIC)),
                s.krippendorff_alpha
                    .map_or("-".into(), |a| fixed(a, STATISTIC)),
                s.outliers.len()
            )?;
            for j in &s.jurors {
                if let Some(sev) = j.severity {
                    writeln!(
                        out,
                        "  {} severity {:+.2} over {} compared",
                        j.juror, sev, j.compared
                    )?;
                }
            }
            if !report.analysis.sensitivity.is_empty() {
                writeln!(out, "advancing depends on the method for:")?;
                for r in &report.analysis.sensitivity {
                    let by: Vec<String> = r
                        .outcomes
                        .iter()
                        .map(|o| {
                            format!(
                                "{} {}",
                                o.method.code(),
                                if o.advances { "yes" } else { "no" }
                            )
                        })
                        .collect();
                    writeln!(out, "  {}: {}", r.participant, by.join(", "))?;
                }
            }
        }
    }
    Ok(())
}

pub fn advance(service: &Service, actor: &Actor, stage: &StageId) -> Result<(), CliError> {
    let frozen = service.close_stage(actor, stage)?;
    println!(
        "closed the stage {}: {} ranked, {} advance; ranking hash {}",
        stage,
        frozen.rows.len(),
        frozen.advancing.len(),
        frozen.hash
    );
    Ok(())
}
