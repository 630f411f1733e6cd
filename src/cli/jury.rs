//! Jury commands: assign, score, reopen, keys, history, progress.

use super::{CliError, Result};
use crate::domain::ids::{CriterionId, JurorId, ParticipantId, StageId};
use crate::service::{Actor, Service};
use std::io::{BufRead, Write};

/// `crit=value` pairs from the command line; `crit=` clears a score.
pub fn parse_scores(items: &[String]) -> Result<Vec<(CriterionId, Option<f64>)>> {
    items
        .iter()
        .map(|item| {
            let (c, v) = item.split_once('=').ok_or_else(|| {
                CliError::Message(format!(
                    "'{item}': write scores as criterion=value, e.g. projects=7.5"
                ))
            })?;
            let v = v.trim();
            let value =
                if v.is_empty() {
                    None
                } else {
                    Some(crate::interchange::text::parse_decimal(v).map_err(|_| {
                        CliError::Message(format!("'{item}': '{v}' is not a number"))
                    })?)
                };
            Ok((CriterionId::new(c.trim()), value))
        })
        .collect()
}

/// What `konkurs score` does after setting the scores.
pub struct ScoreRequest<'a> {
    pub stage: &'a StageId,
    pub participant: &'a ParticipantId,
    pub scores: Vec<(CriterionId, Option<f64>)>,
    pub comment: Option<&'a str>,
    pub submit: bool,
    pub abstain: Option<&'a str>,
    pub conflict: Option<&'a str>,
}

/// Applies one scoring request and says what happened.
pub fn score(service: &Service, actor: &Actor, r: &ScoreRequest) -> Result<String> {
    if let Some(reason) = r.conflict {
        service.declare_conflict(actor, r.stage, r.participant, reason)?;
        return Ok(format!("{}: conflict of interest declared", r.participant));
    }
    if let Some(reason) = r.abstain {
        service.abstain(actor, r.stage, r.participant, reason)?;
        return Ok(format!("{}: abstained", r.participant));
    }
    let mut sheet = None;
    for (c, v) in &r.scores {
        sheet = Some(service.set_score(actor, r.stage, r.participant, c, *v)?);
    }
    if let Some(text) = r.comment {
        sheet = Some(service.set_comment(actor, r.stage, r.participant, text)?);
    }
    if r.submit {
        service.submit(actor, r.stage, r.participant)?;
        return Ok(format!("{}: submitted", r.participant));
    }
    Ok(match sheet {
        Some(s) => format!(
            "{}: saved ({} of the criteria scored)",
            r.participant,
            s.scores.len()
        ),
        None => format!("{}: nothing to change", r.participant),
    })
}

/// Reads score commands from standard input, one per line, and answers each
/// with `ok N: ...` once it is durable (or `error N: ...`):
/// `PARTICIPANT crit=value ... [submit] [# comment]`.
pub fn score_script(service: &Service, actor: &Actor, stage: &StageId) -> Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        let (line, comment) = match line.split_once('#') {
            Some((l, c)) => (l.to_string(), Some(c.trim().to_string())),
            None => (line, None),
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((p, rest)) = words.split_first() else {
            continue;
        };
        let submit = rest.last() == Some(&"submit");
        let items: Vec<String> = rest
            .iter()
            .filter(|w| **w != "submit")
            .map(|w| w.to_string())
            .collect();
        let answer = parse_scores(&items).and_then(|scores| {
            score(
                service,
                actor,
                &ScoreRequest {
                    stage,
                    participant: &ParticipantId::new(*p),
                    scores,
                    comment: comment.as_deref().filter(|c| !c.is_empty()),
                    submit,
                    abstain: None,
                    conflict: None,
                },
            )
        });
        match answer {
            Ok(text) => writeln!(out, "ok {}: {text}", n + 1)?,
            Err(e) => writeln!(out, "error {}: {e}", n + 1)?,
        }
        out.flush()?;
    }
    Ok(())
}

/// The stage asked for, or the current one.
fn stage_or_current(view: &crate::service::View, stage: Option<&StageId>) -> Result<StageId> {
    match stage {
        Some(s) => Ok(s.clone()),
        None => Ok(view
            .current_stage()
            .map(|s| s.id.clone())
            .ok_or(crate::service::ServiceError::NoRegulation)?),
    }
}

/// `konkurs progress`: each juror's assigned / drafted / submitted counts.
pub fn progress(service: &Service, actor: &Actor, stage: Option<&StageId>) -> Result<()> {
    let view = service.view(actor);
    let stage = stage_or_current(&view, stage)?;
    let progress = view.progress(&stage);
    let rows: Vec<Vec<String>> = view
        .jurors()
        .filter(|j| j.role == crate::domain::people::Role::Juror)
        .map(|j| {
            let p = progress.get(&j.id).copied().unwrap_or_default();
            vec![
                j.id.to_string(),
                j.full_name.clone(),
                p.assigned.to_string(),
                p.drafted.to_string(),
                p.submitted.to_string(),
                p.abstained.to_string(),
                (p.assigned - p.submitted - p.abstained).to_string(),
            ]
        })
        .collect();
    println!("stage {stage}");
    super::output::write_table(
        &mut std::io::stdout().lock(),
        &[
            "juror",
            "name",
            "assigned",
            "drafted",
            "submitted",
            "abstained",
            "left",
        ],
        &rows,
    )?;
    let waiting = rows.iter().filter(|r| r[6] != "0").count();
    println!("{waiting} juror(s) still scoring");
    Ok(())
}

/// `konkurs progress --sheets`: one row per assignment of a stage with the
/// state of its sheet (a juror sees their own queue).
pub fn sheets(
    service: &Service,
    actor: &Actor,
    stage: Option<&StageId>,
    juror: Option<&JurorId>,
    format: super::output::Format,
) -> Result<()> {
    use crate::domain::scoring::SheetStatus;
    let view = service.view(actor);
    let stage = stage_or_current(&view, stage)?;
    let criteria = view
        .regulation()
        .and_then(|r| r.rules.stage(&stage))
        .map(|s| s.jury_criteria().count())
        .ok_or_else(|| CliError::Message(format!("the regulation has no stage '{stage}'")))?;
    let headers = [
        "participant",
        "full_name",
        "juror",
        "status",
        "scored",
        "updated",
    ];
    let zone = view.zone();
    let rows: Vec<Vec<String>> = view
        .assignments(&stage)
        .into_iter()
        .filter(|a| juror.is_none_or(|j| a.juror == *j))
        .map(|a| {
            let sheet = view.sheet(&stage, &a.participant, &a.juror);
            let status = match sheet.map(|s| s.status) {
                Some(SheetStatus::Submitted) => "submitted",
                Some(SheetStatus::Abstained) => "abstained",
                Some(SheetStatus::Draft) => "draft",
                None => "not started",
            };
            vec![
                a.participant.to_string(),
                view.participant(&a.participant)
                    .map(|p| p.full_name.clone())
                    .unwrap_or_default(),
                a.juror.to_string(),
                status.to_string(),
                format!("{}/{criteria}", sheet.map_or(0, |s| s.scores.len())),
                sheet
                    .map(|s| crate::text::time::show_seconds(s.updated_at, &zone))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    super::output::write_rows(&mut std::io::stdout().lock(), format, &headers, &rows)?;
    Ok(())
}

/// `konkurs history`: every change of one sheet.
pub fn history(
    service: &Service,
    actor: &Actor,
    stage: &StageId,
    participant: &ParticipantId,
    juror: &JurorId,
) -> Result<()> {
    let items = service.history(actor, stage, participant, juror)?;
    let zone = service.view(actor).zone();
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|h| {
            vec![
                h.seq.to_string(),
                crate::text::time::show_seconds(h.at, &zone),
                h.actor.clone(),
                h.action.clone(),
                h.criterion
                    .as_ref()
                    .map_or("comment/status".into(), |c| c.to_string()),
                h.before.clone(),
                h.after.clone(),
            ]
        })
        .collect();
    super::output::write_table(
        &mut std::io::stdout().lock(),
        &["seq", "at", "who", "action", "what", "old", "new"],
        &rows,
    )?;
    Ok(())
}
