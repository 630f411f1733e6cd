//! Jury commands: assign, score, reopen, keys, history, progress.

use super::{Cli, CliError, Command, Console, Format, Place, Result, open};
use crate::domain::ids::{CriterionId, JurorId, ParticipantId, StageId};
use crate::service::{Actor, Service};
use crate::text::I18n;
use std::io::{BufRead, Write};

/// `crit=value` pairs from the command line; `crit=` clears a score.
pub fn parse_scores(items: &[String]) -> Result<Vec<(CriterionId, Option<f64>)>> {
    items
        .iter()
        .map(|item| {
            let (c, v) = item
                .split_once('=')
                .ok_or_else(|| CliError::said("cli.score.not_a_pair", &[("item", item)]))?;
            let v = v.trim();
            let value = if v.is_empty() {
                None
            } else {
                Some(crate::interchange::text::parse_decimal(v).map_err(|_| {
                    CliError::said("cli.score.not_a_number", &[("item", item), ("value", &v)])
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
pub fn score(service: &Service, actor: &Actor, r: &ScoreRequest, tr: &I18n) -> Result<String> {
    let said = |key: &str| tr.f(key, &[("participant", r.participant)]);
    if let Some(reason) = r.conflict {
        service.declare_conflict(actor, r.stage, r.participant, reason)?;
        return Ok(said("cli.score.conflict"));
    }
    if let Some(reason) = r.abstain {
        service.abstain(actor, r.stage, r.participant, reason)?;
        return Ok(said("cli.score.abstained"));
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
        return Ok(said("cli.score.submitted"));
    }
    Ok(match sheet {
        Some(s) => tr.f(
            "cli.score.saved",
            &[("participant", r.participant), ("n", &s.scores.len())],
        ),
        None => said("cli.score.nothing"),
    })
}

/// Reads score commands from standard input, one per line, and answers each
/// with `ok N: ...` once it is durable (or `error N: ...`; in Russian
/// «принято N: …» and «ошибка N: …»):
/// `PARTICIPANT crit=value ... [submit] [# comment]`.
pub fn score_script(
    io: &mut Console,
    service: &Service,
    actor: &Actor,
    stage: &StageId,
    tr: &I18n,
) -> Result<()> {
    let Console { out, input, .. } = io;
    let (mut lines, mut refused) = (0usize, 0usize);
    for (n, line) in std::io::BufReader::new(input).lines().enumerate() {
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
                tr,
            )
        });
        let n = n + 1;
        lines += 1;
        refused += usize::from(answer.is_err());
        match answer {
            Ok(text) => writeln!(
                out,
                "{}",
                tr.f("cli.score.line_ok", &[("n", &n), ("text", &text)])
            )?,
            Err(e) => writeln!(
                out,
                "{}",
                tr.f(
                    "cli.score.line_error",
                    &[("n", &n), ("error", &e.words(tr))]
                )
            )?,
        }
        out.flush()?;
    }
    if refused > 0 {
        return Err(CliError::said(
            "cli.score.lines_refused",
            &[("refused", &refused), ("lines", &lines)],
        ));
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
pub fn progress(
    io: &mut Console,
    service: &Service,
    actor: &Actor,
    stage: Option<&StageId>,
    format: super::output::Format,
    tr: &I18n,
) -> Result<()> {
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
    let table = format == super::output::Format::Table;
    let mut out = &mut io.out;
    if table {
        writeln!(out, "{}", tr.f("cli.progress.stage", &[("stage", &stage)]))?;
    }
    super::output::write_rows(
        &mut out,
        format,
        tr,
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
        io.terminal,
    )?;
    if table {
        let waiting = rows.iter().filter(|r| r[6] != "0").count();
        writeln!(out, "{}", tr.f("cli.progress.waiting", &[("n", &waiting)]))?;
    }
    Ok(())
}

/// `konkurs progress --sheets`: one row per assignment of a stage with the
/// state of its sheet (a juror sees their own queue).
pub fn sheets(
    io: &mut Console,
    service: &Service,
    actor: &Actor,
    stage: Option<&StageId>,
    juror: Option<&JurorId>,
    format: super::output::Format,
    tr: &I18n,
) -> Result<()> {
    use crate::domain::scoring::SheetStatus;
    let view = service.view(actor);
    let stage = stage_or_current(&view, stage)?;
    let criteria = view
        .regulation()
        .and_then(|r| r.rules.stage(&stage))
        .map(|s| s.jury_criteria().count())
        .ok_or_else(|| CliError::said("cli.no_stage", &[("stage", &stage)]))?;
    let cells = super::output::cells(format, tr);
    let zone = view.zone();
    let rows: Vec<Vec<String>> = view
        .assignments(&stage)
        .into_iter()
        .filter(|a| juror.is_none_or(|j| a.juror == *j))
        .map(|a| {
            // The sheet's state, not its scores: what an observer of a
            // blind stage may know too.
            let sheet = view.sheet_state(&stage, &a.participant, &a.juror);
            let status = match sheet.map(|s| s.status) {
                Some(SheetStatus::Submitted) => "submitted",
                Some(SheetStatus::Abstained) => "abstained",
                Some(SheetStatus::Draft) => "draft",
                None => "not_started",
            };
            vec![
                a.participant.to_string(),
                view.participant(&a.participant)
                    .map(|p| p.full_name.clone())
                    .unwrap_or_default(),
                a.juror.to_string(),
                cells.t(&format!("cli.sheet.{status}")).to_string(),
                format!("{}/{criteria}", sheet.map_or(0, |s| s.scored)),
                sheet
                    .map(|s| crate::text::time::show_seconds(s.updated_at, &zone))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    super::output::write_rows(
        &mut io.out,
        format,
        tr,
        &[
            "participant",
            "full_name",
            "juror",
            "status",
            "scored",
            "updated",
        ],
        &rows,
        io.terminal,
    )?;
    Ok(())
}

/// `konkurs history`: every change of one sheet.
pub fn history(
    io: &mut Console,
    service: &Service,
    actor: &Actor,
    stage: &StageId,
    participant: &ParticipantId,
    juror: &JurorId,
    tr: &I18n,
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
                    .map_or(tr.t("cli.history.sheet").into(), |c| c.to_string()),
                h.before.clone(),
                h.after.clone(),
            ]
        })
        .collect();
    super::output::write_rows(
        &mut io.out,
        super::output::Format::Table,
        tr,
        &["seq", "at", "who", "action", "what", "old", "new"],
        &rows,
        io.terminal,
    )?;
    Ok(())
}

/// `konkurs assign`: one juror to one participant (or off them with
/// `--remove`), or the whole stage automatically.
pub fn assign(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    stage: &str,
    per_participant: Option<usize>,
    pair: Option<(&str, &str)>,
    remove: bool,
) -> Result<()> {
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    let stage = StageId::new(stage);
    match pair {
        Some((p, j)) => {
            let (p, j) = (ParticipantId::new(p), JurorId::new(j));
            let key = if remove {
                service.unassign(&actor, &stage, &p, &j)?;
                "cli.assign.removed"
            } else {
                service.assign(&actor, &stage, &p, &j)?;
                "cli.assign.added"
            };
            say!(
                io,
                "{}",
                tr.f(
                    key,
                    &[("juror", &j), ("participant", &p), ("stage", &stage)]
                )
            );
        }
        None => {
            let plan = service.assign_auto(&actor, &stage, per_participant)?;
            for line in crate::text::refusal::plan(&plan, stage.as_str(), tr) {
                say!(io, "{line}");
            }
        }
    }
    Ok(())
}

/// `konkurs score`: one sheet from the arguments, or a script of them from
/// standard input with `--stdin`.
pub fn score_command(cli: &Cli, place: &Place, io: &mut Console, command: &Command) -> Result<()> {
    let Command::Score {
        stage,
        participant,
        scores,
        comment,
        submit,
        abstain,
        conflict,
        stdin,
    } = command
    else {
        unreachable!("called for score only")
    };
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    let stage = StageId::new(stage.as_str());
    if *stdin {
        return score_script(io, &service, &actor, &stage, tr);
    }
    let participant = ParticipantId::new(participant.as_deref().unwrap_or_default());
    let text = score(
        &service,
        &actor,
        &ScoreRequest {
            stage: &stage,
            participant: &participant,
            scores: parse_scores(scores)?,
            comment: comment.as_deref(),
            submit: *submit,
            abstain: abstain.as_deref(),
            conflict: conflict.as_deref(),
        },
        tr,
    )?;
    say!(io, "{text}");
    Ok(())
}

/// `konkurs reopen`: a submitted sheet back to its juror, with the reason.
pub fn reopen(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    stage: &str,
    participant: &str,
    juror: &str,
    reason: &str,
) -> Result<()> {
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    service.reopen(
        &actor,
        &StageId::new(stage),
        &ParticipantId::new(participant),
        &JurorId::new(juror),
        reason,
    )?;
    say!(
        io,
        "{}",
        tr.f(
            "cli.reopen.done",
            &[
                ("juror", &juror),
                ("participant", &participant),
                ("stage", &stage)
            ]
        )
    );
    Ok(())
}

/// `konkurs undo`: the person's last change taken back.
pub fn undo(cli: &Cli, place: &Place, io: &mut Console) -> Result<()> {
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    match service.undo(&actor)? {
        Some(undone) => say!(io, "{}", crate::text::refusal::undone(&undone, tr)),
        None => say!(io, "{}", tr.t("cli.undo.nothing")),
    }
    Ok(())
}

/// `konkurs history`: the changes of one sheet (the person's own unless
/// `--juror` names another).
pub fn history_command(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    stage: &str,
    participant: &str,
    juror: Option<&str>,
) -> Result<()> {
    let (service, actor) = open(cli, place)?;
    let juror = juror.map_or_else(|| actor.id.clone(), JurorId::new);
    history(
        io,
        &service,
        &actor,
        &StageId::new(stage),
        &ParticipantId::new(participant),
        &juror,
        &cli.i18n(),
    )
}

/// `konkurs progress`: how far the jury is, by stage or sheet by sheet.
pub fn progress_command(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    stage: Option<&str>,
    by_sheet: bool,
    juror: Option<&str>,
    format: Format,
) -> Result<()> {
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    let stage = stage.map(StageId::new);
    if by_sheet {
        let juror = juror.map(JurorId::new);
        sheets(
            io,
            &service,
            &actor,
            stage.as_ref(),
            juror.as_ref(),
            format,
            tr,
        )
    } else {
        progress(io, &service, &actor, stage.as_ref(), format, tr)
    }
}
