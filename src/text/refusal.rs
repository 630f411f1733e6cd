//! Refusals in words, and what undo and automatic assignment did: the
//! keys are in `i18n/{en,ru}/refusal.toml`; numbers are written in the
//! language's form (`7,5` in Russian).

use super::I18n;
use crate::domain::assignment::{AssignmentPlan, ConflictReason, ReleaseReason, Unavailable};
use crate::domain::clean::{IdFault, MAX_ID_LEN, is_hidden};
use crate::domain::integrity::{Breach, Violation};
use crate::domain::people::{KeyError, SshKey};
use crate::domain::ranking::Blocker;
use crate::domain::refusal::{Act, Refusal, Thing, Undone, UndoneChange};
use std::fmt::Display;

/// The refusal as one sentence in `tr`'s language.
pub fn refusal(r: &Refusal, tr: &I18n) -> String {
    use Refusal as R;
    match r {
        R::Forbidden { .. }
        | R::Unknown { .. }
        | R::NotAJuror { .. }
        | R::BadKey(..)
        | R::KeyTaken { .. }
        | R::NoSuchKey { .. }
        | R::WrongRecordKind { .. } => access_refusal(r, tr),
        R::StageClosed { .. }
        | R::NotAssigned { .. }
        | R::SheetSubmitted { .. }
        | R::SheetAbstained { .. }
        | R::NoSuchCriterion { .. }
        | R::NotJuryCriterion { .. }
        | R::ScoreOutOfRange { .. }
        | R::NotHalfPoint { .. }
        | R::NotWholePoint { .. }
        | R::NotAllScored { .. }
        | R::CommentAlways
        | R::CommentForExtremes { .. }
        | R::NoSheet { .. }
        | R::SheetNotSubmitted { .. }
        | R::AlreadyScored { .. } => scoring_refusal(r, tr),
        R::AbstainReasonMissing
        | R::ConflictReasonMissing
        | R::SheetReopenReasonMissing
        | R::StageReopenReasonMissing
        | R::TieReasonMissing
        | R::CloseReasonMissing
        | R::AcceptReasonMissing
        | R::ForbidReasonMissing
        | R::RegulationReasonMissing => reason_refusal(r, tr),
        R::NotInStage { .. }
        | R::Conflict { .. }
        | R::NoJuryCriteria { .. }
        | R::NobodyToAssign { .. }
        | R::TooManyPerParticipant { .. }
        | R::NobodyCompetes { .. } => assignment_refusal(r, tr),
        R::ChangedSinceUndo | R::BeforeTheDatabase { .. } | R::NoDetailBefore { .. } => {
            history_refusal(r, tr)
        }
        R::StageAlreadyClosed { .. }
        | R::PreviousStageOpen { .. }
        | R::NotFinal { .. }
        | R::StageNotClosed { .. }
        | R::LaterStageClosed { .. }
        | R::LaterStageStarted { .. }
        | R::ListedTwice
        | R::NotATie { .. }
        | R::BlindStageOpen { .. }
        | R::RegulationChangesScoredStages { .. } => stage_refusal(r, tr),
        R::NoTeamMemberLeft | R::InternLocked { .. } | R::ProposalStale => mentoring_refusal(r, tr),
        R::TeamUndecided { .. }
        | R::ProtocolOpen { .. }
        | R::NoMatchingAccepted
        | R::NoStages
        | R::NobodyAtFinal { .. } => export_refusal(r, tr),
    }
}

/// Who may act, and on what: roles, unknown ids, juror keys, imported records.
fn access_refusal(r: &Refusal, tr: &I18n) -> String {
    use Refusal as R;
    let k = |key: &str| format!("refusal.{key}");
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&k(key), args);
    match r {
        R::Forbidden { actor, role, act } => f(
            "forbidden",
            &[
                ("actor", actor),
                ("role", &tr.t(&format!("role.{}", role.code()))),
                ("act", &act_words(act, tr)),
            ],
        ),
        R::Unknown { what, id } => f(&format!("unknown.{}", thing(*what)), &[("id", id)]),
        R::NotAJuror { juror, role } => f(
            "not_a_juror",
            &[
                ("juror", juror),
                ("role", &tr.t(&format!("role.{}", role.code()))),
            ],
        ),
        R::BadKey(e) => key_error(e, tr),
        R::KeyTaken { owner } => f("key_taken", &[("owner", owner)]),
        R::NoSuchKey { juror, fingerprint } => f(
            "no_such_key",
            &[("juror", juror), ("fingerprint", fingerprint)],
        ),
        R::WrongRecordKind {
            index,
            found,
            expected,
        } => f(
            "wrong_record_kind",
            &[
                ("index", index),
                ("found", found),
                (
                    "expected",
                    &tr.t(&format!("refusal.import_kind.{expected}")),
                ),
            ],
        ),
        _ => unreachable!("refusal() routes only these variants here"),
    }
}

/// A score sheet: its assignment, its criteria, its points and comments.
fn scoring_refusal(r: &Refusal, tr: &I18n) -> String {
    use Refusal as R;
    let k = |key: &str| format!("refusal.{key}");
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&k(key), args);
    match r {
        R::StageClosed { stage } => f("stage_closed", &[("stage", stage)]),
        R::NotAssigned {
            participant,
            juror,
            stage,
        } => f(
            "not_assigned",
            &[
                ("participant", participant),
                ("juror", juror),
                ("stage", stage),
            ],
        ),
        R::SheetSubmitted { participant } => f("sheet_submitted", &[("participant", participant)]),
        R::SheetAbstained { participant } => f("sheet_abstained", &[("participant", participant)]),
        R::NoSuchCriterion {
            stage,
            criterion,
            jury,
        } => f(
            "no_such_criterion",
            &[
                ("stage", stage),
                ("criterion", criterion),
                ("jury", &quoted(jury)),
            ],
        ),
        R::NotJuryCriterion { criterion } => f("not_jury_criterion", &[("criterion", criterion)]),
        R::ScoreOutOfRange {
            value,
            max,
            criterion,
        } => f(
            "score_out_of_range",
            &[
                ("value", &tr.num(*value)),
                ("max", &tr.num(*max)),
                ("criterion", criterion),
            ],
        ),
        R::NotHalfPoint { value } => f("not_half_point", &[("value", &tr.num(*value))]),
        R::NotWholePoint { value } => f("not_whole_point", &[("value", &tr.num(*value))]),
        R::NotAllScored { missing } => f("not_all_scored", &[("missing", &quoted(missing))]),
        R::CommentAlways => f("comment_always", &[]),
        R::CommentForExtremes { criteria } => {
            f("comment_for_extremes", &[("criteria", &quoted(criteria))])
        }
        R::NoSheet {
            juror,
            participant,
            stage,
        } => f(
            "no_sheet",
            &[
                ("juror", juror),
                ("participant", participant),
                ("stage", stage),
            ],
        ),
        R::SheetNotSubmitted { juror, participant } => f(
            "sheet_not_submitted",
            &[("juror", juror), ("participant", participant)],
        ),
        R::AlreadyScored { juror, participant } => f(
            "already_scored",
            &[("juror", juror), ("participant", participant)],
        ),
        _ => unreachable!("refusal() routes only these variants here"),
    }
}

/// A reason the act needs and was not given.
fn reason_refusal(r: &Refusal, tr: &I18n) -> String {
    use Refusal as R;
    let k = |key: &str| format!("refusal.{key}");
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&k(key), args);
    match r {
        R::AbstainReasonMissing => f("abstain_reason_missing", &[]),
        R::ConflictReasonMissing => f("conflict_reason_missing", &[]),
        R::SheetReopenReasonMissing => f("sheet_reopen_reason_missing", &[]),
        R::StageReopenReasonMissing => f("stage_reopen_reason_missing", &[]),
        R::TieReasonMissing => f("tie_reason_missing", &[]),
        R::CloseReasonMissing => f("close_reason_missing", &[]),
        R::AcceptReasonMissing => f("accept_reason_missing", &[]),
        R::ForbidReasonMissing => f("forbid_reason_missing", &[]),
        R::RegulationReasonMissing => f("regulation_reason_missing", &[]),
        _ => unreachable!("refusal() routes only these variants here"),
    }
}

/// Assigning jurors to participants.
fn assignment_refusal(r: &Refusal, tr: &I18n) -> String {
    use Refusal as R;
    let k = |key: &str| format!("refusal.{key}");
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&k(key), args);
    match r {
        R::NotInStage { participant, stage } => f(
            "not_in_stage",
            &[("participant", participant), ("stage", stage)],
        ),
        R::Conflict {
            juror,
            participant,
            reason,
        } => f(
            "conflict",
            &[
                ("juror", juror),
                ("participant", participant),
                ("reason", &conflict_reason(reason, tr)),
            ],
        ),
        R::NoJuryCriteria { stage } => f("no_jury_criteria", &[("stage", stage)]),
        R::NobodyToAssign { stage } => f("nobody_to_assign", &[("stage", stage)]),
        R::TooManyPerParticipant { asked, jurors } => f(
            "too_many_per_participant",
            &[("asked", asked), ("jurors", jurors)],
        ),
        R::NobodyCompetes { stage } => f("nobody_competes", &[("stage", stage)]),
        _ => unreachable!("refusal() routes only these variants here"),
    }
}

/// Undo and looking back in time.
fn history_refusal(r: &Refusal, tr: &I18n) -> String {
    use Refusal as R;
    let k = |key: &str| format!("refusal.{key}");
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&k(key), args);
    match r {
        R::ChangedSinceUndo => f("changed_since_undo", &[]),
        R::BeforeTheDatabase { at, first, zone } => {
            let zone = zone
                .as_deref()
                .and_then(super::time::Zone::named)
                .unwrap_or(super::time::Zone::Local);
            f(
                "before_the_database",
                &[
                    ("at", &super::time::show_seconds(*at, &zone)),
                    ("first", &super::time::show_seconds(*first, &zone)),
                ],
            )
        }
        R::NoDetailBefore {
            seq,
            at,
            zone,
            summary,
        } => f(
            "no_detail_before",
            &[
                ("seq", seq),
                (
                    "at",
                    &super::time::show_seconds(
                        *at,
                        &zone
                            .as_deref()
                            .and_then(super::time::Zone::named)
                            .unwrap_or(super::time::Zone::Local),
                    ),
                ),
                ("summary", summary),
            ],
        ),
        _ => unreachable!("refusal() routes only these variants here"),
    }
}

/// Closing, reopening and breaking ties of a stage, and changing the regulation under it.
fn stage_refusal(r: &Refusal, tr: &I18n) -> String {
    use Refusal as R;
    let k = |key: &str| format!("refusal.{key}");
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&k(key), args);
    match r {
        R::StageAlreadyClosed { stage } => f("stage_already_closed", &[("stage", stage)]),
        R::PreviousStageOpen { previous } => f("previous_stage_open", &[("previous", previous)]),
        R::NotFinal { stage, blockers } => f(
            "not_final",
            &[
                ("stage", stage),
                ("blockers", &blockers_words(blockers, tr)),
            ],
        ),
        R::StageNotClosed { stage } => f("stage_not_closed", &[("stage", stage)]),
        R::LaterStageClosed { next } => f("later_stage_closed", &[("next", next)]),
        R::LaterStageStarted { next } => f("later_stage_started", &[("next", next)]),
        R::ListedTwice => f("listed_twice", &[]),
        R::NotATie { ties } => {
            let list = if ties.is_empty() {
                tr.t("refusal.not_a_tie_none").to_string()
            } else {
                ties.iter()
                    .map(|t| match &t.group {
                        Some(group) => f(
                            "not_a_tie_item_group",
                            &[
                                ("rank", &t.rank),
                                ("group", group),
                                ("participants", &joined(&t.participants)),
                            ],
                        ),
                        None => f(
                            "not_a_tie_item",
                            &[
                                ("rank", &t.rank),
                                ("participants", &joined(&t.participants)),
                            ],
                        ),
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            f("not_a_tie", &[("ties", &list)])
        }
        R::BlindStageOpen {
            stage,
            done,
            assigned,
        } => f(
            if *assigned == 0 {
                "blind_stage_open_unassigned"
            } else {
                "blind_stage_open"
            },
            &[("stage", stage), ("done", done), ("assigned", assigned)],
        ),
        R::RegulationChangesScoredStages { stages } => {
            let list = stages
                .iter()
                .map(|s| {
                    if s.closed {
                        f("scored_stage.closed", &[("stage", &s.name)])
                    } else {
                        f(
                            "scored_stage.sheets",
                            &[("stage", &s.name), ("n", &s.sheets)],
                        )
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            f("regulation_changes_scored_stages", &[("stages", &list)])
        }
        _ => unreachable!("refusal() routes only these variants here"),
    }
}

/// Mentoring pairs and teams.
fn mentoring_refusal(r: &Refusal, tr: &I18n) -> String {
    use Refusal as R;
    let k = |key: &str| format!("refusal.{key}");
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&k(key), args);
    match r {
        R::NoTeamMemberLeft => f("no_team_member_left", &[]),
        R::InternLocked { intern, mentor } => {
            f("intern_locked", &[("intern", intern), ("mentor", mentor)])
        }
        R::ProposalStale => f("proposal_stale", &[]),
        _ => unreachable!("refusal() routes only these variants here"),
    }
}

/// An export that is not ready.
fn export_refusal(r: &Refusal, tr: &I18n) -> String {
    use Refusal as R;
    let k = |key: &str| format!("refusal.{key}");
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&k(key), args);
    match r {
        R::TeamUndecided { id, stage } => {
            f("export.team_undecided", &[("id", id), ("stage", stage)])
        }
        R::ProtocolOpen { id, stage } => f("export.protocol_open", &[("id", id), ("stage", stage)]),
        R::NoMatchingAccepted => f("export.no_matching_accepted", &[]),
        R::NoStages => f("export.no_stages", &[]),
        R::NobodyAtFinal { stage } => f("export.nobody_at_final", &[("stage", stage)]),
        _ => unreachable!("refusal() routes only these variants here"),
    }
}

/// What the person may not do, as the end of a sentence.
fn act_words(act: &Act, tr: &I18n) -> String {
    let k = |key: &str| format!("refusal.act.{key}");
    match act {
        Act::LoadRegulation => tr.t(&k("load_regulation")).into(),
        Act::VerifyDatabase => tr.t(&k("verify_database")).into(),
        Act::Backup => tr.t(&k("backup")).into(),
        Act::Export => tr.t(&k("export")).into(),
        Act::ReadAudit => tr.t(&k("read_audit")).into(),
        Act::SeePastRankings => tr.t(&k("see_past_rankings")).into(),
        Act::SeeOpenRanking { stage } => tr.f(&k("see_open_ranking"), &[("stage", stage)]),
        Act::CloseStage => tr.t(&k("close_stage")).into(),
        Act::ReopenStage => tr.t(&k("reopen_stage")).into(),
        Act::ResolveTies => tr.t(&k("resolve_ties")).into(),
        Act::SeeMentoring => tr.t(&k("see_mentoring")).into(),
        Act::AddMentors => tr.t(&k("add_mentors")).into(),
        Act::DecidePairs => tr.t(&k("decide_pairs")).into(),
        Act::AcceptPairs => tr.t(&k("accept_pairs")).into(),
        Act::Score => tr.t(&k("score")).into(),
        Act::ReopenSheet => tr.t(&k("reopen_sheet")).into(),
        Act::Undo => tr.t(&k("undo")).into(),
        Act::Assign => tr.t(&k("assign")).into(),
        Act::Unassign => tr.t(&k("unassign")).into(),
        Act::AddKey => tr.t(&k("add_key")).into(),
        Act::RemoveKey => tr.t(&k("remove_key")).into(),
        Act::MarkAttendance => tr.t(&k("mark_attendance")).into(),
        Act::Import { kind } => tr.f(
            &k("import"),
            &[("kind", &tr.t(&format!("refusal.import_kind.{kind}")))],
        ),
        Act::ReadHistory { juror, participant } => tr.f(
            &k("read_history"),
            &[("juror", juror), ("participant", participant)],
        ),
    }
}

fn thing(t: Thing) -> &'static str {
    match t {
        Thing::Juror => "juror",
        Thing::Stage => "stage",
        Thing::Listener => "listener",
        Thing::Event => "event",
        Thing::Participant => "participant",
        Thing::Mentor => "mentor",
        Thing::Intern => "intern",
    }
}

/// Why a juror may not judge a participant.
pub fn conflict_reason(r: &ConflictReason, tr: &I18n) -> String {
    match r {
        ConflictReason::Declared(why) if why.trim().is_empty() => {
            tr.t("refusal.conflict_reason.declared_blank").into()
        }
        ConflictReason::Declared(why) => tr.f(
            "refusal.conflict_reason.declared",
            &[("reason", &why.trim())],
        ),
        ConflictReason::SameMunicipality => {
            tr.t("refusal.conflict_reason.same_municipality").into()
        }
        ConflictReason::SameTos => tr.t("refusal.conflict_reason.same_tos").into(),
    }
}

fn key_error(e: &KeyError, tr: &I18n) -> String {
    match e {
        KeyError::Empty => tr.t("refusal.key.empty").into(),
        KeyError::NoAlgorithm => tr.f(
            "refusal.key.no_algorithm",
            &[("list", &SshKey::ALGORITHMS.join(", "))],
        ),
        KeyError::NoBlob(algorithm) => tr.f("refusal.key.no_blob", &[("algorithm", algorithm)]),
        KeyError::BadBase64 => tr.t("refusal.key.bad_base64").into(),
        KeyError::Mismatch { outer, inner } => tr.f(
            "refusal.key.mismatch",
            &[("outer", outer), ("inner", inner)],
        ),
        KeyError::PrivateKey => tr.t("refusal.key.private_key").into(),
        KeyError::Options(options) => tr.f("refusal.key.options", &[("options", options)]),
    }
}

/// Why a stage cannot be closed yet: who lacks sheets (the first twelve),
/// then each tie across a cutoff.
fn blockers_words(blockers: &[Blocker], tr: &I18n) -> String {
    let incomplete: Vec<String> = blockers
        .iter()
        .filter_map(|b| match b {
            Blocker::Incomplete {
                participant,
                have,
                need,
            } => Some(tr.f(
                "refusal.blocker.incomplete_item",
                &[("participant", participant), ("have", have), ("need", need)],
            )),
            _ => None,
        })
        .collect();
    let mut parts = Vec::new();
    if !incomplete.is_empty() {
        let mut list = incomplete
            .iter()
            .take(12)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if incomplete.len() > 12 {
            list.push_str(", ...");
        }
        parts.push(tr.f(
            "refusal.blocker.incomplete",
            &[("n", &incomplete.len()), ("list", &list)],
        ));
    }
    for b in blockers {
        if let Blocker::TieAtCutoff {
            participants,
            group,
            rank,
            places,
        } = b
        {
            let group = group.as_ref().map_or(String::new(), |g| {
                tr.f("refusal.blocker.tie_group", &[("group", g)])
            });
            parts.push(tr.f(
                "refusal.blocker.tie",
                &[
                    ("participants", &joined(participants)),
                    ("rank", rank),
                    ("group", &group),
                    ("places", places),
                ],
            ));
        }
    }
    parts.join(tr.t("refusal.blocker.separator"))
}

/// Records of a batch refused by the contest's rules: how many, then each
/// record's field and why.
pub fn rejected(violations: &[Violation], tr: &I18n) -> String {
    let mut out = tr.f("refusal.rejected", &[("n", &violations.len())]);
    for v in violations {
        out.push_str(&tr.f(
            "refusal.rejected_item",
            &[
                ("index", &(v.index + 1)),
                ("field", &v.field),
                ("why", &breach(&v.breach, tr)),
            ],
        ));
    }
    out
}

/// Why a record breaks the contest's rules.
pub fn breach(b: &Breach, tr: &I18n) -> String {
    let k = |key: &str| format!("refusal.breach.{key}");
    match b {
        Breach::NoRegulation => tr.t(&k("no_regulation")).into(),
        Breach::UnknownGroup { group, known } => tr.f(
            &k("unknown_group"),
            &[
                ("group", group),
                (
                    "known",
                    &known
                        .iter()
                        .map(|(id, name)| format!("{id} ({name})"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        ),
        Breach::EndsBeforeStart { start, end } => {
            tr.f(&k("ends_before_start"), &[("start", start), ("end", end)])
        }
        Breach::UnknownListener(id) => tr.f(&k("unknown_listener"), &[("id", id)]),
        Breach::UnknownEvent(id) => tr.f(&k("unknown_event"), &[("id", id)]),
        Breach::OutsideEvent {
            date,
            event,
            start,
            end,
        } => tr.f(
            &k("outside_event"),
            &[
                ("date", date),
                ("event", event),
                ("start", start),
                ("end", end),
            ],
        ),
        Breach::UnknownParticipant(id) => tr.f(&k("unknown_participant"), &[("id", id)]),
        Breach::UnknownJuror(id) => tr.f(&k("unknown_juror"), &[("id", id)]),
        Breach::BadId { id, fault } => {
            let why = match fault {
                IdFault::Empty => tr.t(&k("bad_id.empty")).to_string(),
                IdFault::Char(c) => tr.f(&k("bad_id.char"), &[("char", &character(*c, tr))]),
                IdFault::DotDot => tr.t(&k("bad_id.dot_dot")).to_string(),
                IdFault::TooLong => tr.f(&k("bad_id.too_long"), &[("max", &MAX_ID_LEN)]),
            };
            tr.f(
                &k("bad_id.text"),
                &[("id", &super::visible::visible(id)), ("why", &why)],
            )
        }
        Breach::HiddenCharacter(h) => tr.f(
            &k(if h.line == 1 {
                "hidden"
            } else {
                "hidden_on_line"
            }),
            &[
                ("line", &h.line),
                ("column", &h.column),
                ("char", &character(h.c, tr)),
            ],
        ),
    }
}

/// A character named so that it can be seen: `'/'`, `a space`, `U+200B,
/// an invisible (zero-width) character`.
pub fn character(c: char, tr: &I18n) -> String {
    let k = |key: &str| format!("refusal.breach.char.{key}");
    let code = format!("U+{:04X}", c as u32);
    if c == ' ' {
        tr.t(&k("space")).to_string()
    } else if matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    {
        tr.f(&k("direction"), &[("code", &code)])
    } else if c.is_control() {
        tr.f(&k("control"), &[("code", &code)])
    } else if is_hidden(c) || c.is_whitespace() {
        tr.f(&k("invisible"), &[("code", &code)])
    } else {
        tr.f(&k("plain"), &[("c", &c)])
    }
}

/// What an undo took back, for «undone: …».
pub fn undone(u: &Undone, tr: &I18n) -> String {
    match &u.what {
        UndoneChange::Score {
            criterion,
            restored,
            taken_back,
        } => {
            let value = |v: &Option<f64>| {
                v.map_or_else(
                    || tr.t("refusal.undone.no_score").to_string(),
                    |v| tr.num(v),
                )
            };
            tr.f(
                "refusal.undone.score",
                &[
                    ("seq", &u.seq),
                    ("participant", &u.participant),
                    ("criterion", criterion),
                    ("restored", &value(restored)),
                    ("taken_back", &value(taken_back)),
                ],
            )
        }
        UndoneChange::Comment => tr.f(
            "refusal.undone.comment",
            &[("seq", &u.seq), ("participant", &u.participant)],
        ),
    }
}

/// An automatic assignment's outcome: one summary line, then a line per
/// participant short of jurors and per released assignment.
pub fn plan(plan: &AssignmentPlan, stage: &str, tr: &I18n) -> Vec<String> {
    let k = |key: &str| format!("refusal.plan.{key}");
    let manual = plan
        .assignments
        .iter()
        .filter(|a| a.origin == crate::domain::scoring::AssignmentOrigin::Manual)
        .count();
    let per = plan.jurors_per_participant;
    let mut summary = tr.f(
        &k("summary"),
        &[
            ("stage", &stage),
            ("participants", &plan.participants),
            ("jurors", &plan.loads.len()),
            ("k", &per),
            ("total", &plan.assignments.len()),
            ("manual", &manual),
            ("auto", &(plan.assignments.len() - manual)),
            ("kept", &plan.kept),
            ("added", &plan.added),
        ],
    );
    if let Some((min, max)) = plan.load_range() {
        summary.push_str(&if min == max {
            tr.f(&k("loads_even"), &[("n", &min)])
        } else {
            tr.f(&k("loads_range"), &[("min", &min), ("max", &max)])
        });
    }
    match plan.shortfalls.len() {
        0 if plan.participants > 0 => summary.push_str(&tr.f(&k("all_covered"), &[("k", &per)])),
        0 => {}
        n => summary.push_str(&tr.f(&k("short"), &[("n", &n)])),
    }
    if !plan.released.is_empty() {
        summary.push_str(&tr.f(&k("released"), &[("n", &plan.released.len())]));
    }
    let mut lines = vec![summary];
    for s in &plan.shortfalls {
        let mut line = tr.f(
            &k("shortfall"),
            &[
                ("participant", &s.participant),
                ("assigned", &s.assigned),
                ("needed", &s.needed),
            ],
        );
        let jury = s.assigned + s.unavailable.len();
        if jury < s.needed {
            line.push_str(&tr.f(&k("shortfall_jury"), &[("jury", &jury)]));
        }
        for (i, (juror, why)) in s.unavailable.iter().enumerate() {
            line.push_str(if i == 0 { ": " } else { "; " });
            let why = match why {
                Unavailable::Conflict(r) => conflict_reason(r, tr),
                Unavailable::AtCapacity { load } => tr.f(&k("at_capacity"), &[("load", load)]),
            };
            line.push_str(&tr.f(&k("unavailable"), &[("juror", juror), ("why", &why)]));
        }
        lines.push(line);
    }
    for r in &plan.released {
        let why = match &r.why {
            ReleaseReason::Conflict(c) => conflict_reason(c, tr),
            ReleaseReason::NotOnJury => tr.t(&k("not_on_jury")).into(),
            ReleaseReason::NotInStage => tr.t(&k("not_in_stage")).into(),
            ReleaseReason::Surplus => tr.t(&k("surplus")).into(),
            ReleaseReason::Rebalanced => tr.t(&k("rebalanced")).into(),
        };
        let mut line = tr.f(
            &k("released_line"),
            &[
                ("juror", &r.assignment.juror),
                ("participant", &r.assignment.participant),
                ("why", &why),
            ],
        );
        if r.scoring_started {
            line.push_str(tr.t(&k("scoring_started")));
        }
        lines.push(line);
    }
    lines
}

/// Names in «», comma-separated.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("«{n}»"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn joined(ids: &[impl Display]) -> String {
    ids.iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
pub(crate) mod tests;
