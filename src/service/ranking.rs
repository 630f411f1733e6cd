//! Stage rankings through the service: live analysis, closing a stage (the
//! ranking frozen with its hash, the advancing participants recorded),
//! reopening with a reason, resolving ties, and rankings as they stood at a
//! past moment, rebuilt from the audit log.

use super::{Actor, Result, Service, ServiceError, forbidden, view};
use crate::domain::activity::{self, ActivityRating};
use crate::domain::closing::{CloseBlocker, close_blockers};
use crate::domain::contest::{Change, Contest, Key, Record, RegulationChange};
use crate::domain::ids::{CriterionId, ParticipantId, StageId};
use crate::domain::participant::Participant;
use crate::domain::people::Role;
use crate::domain::ranking::{Analysis, StageInput, analyse};
use crate::domain::refusal::{Act, ListedTie, Refusal, Thing};
use crate::domain::regulation::{AdvanceRule, Aggregation, Regulation};
use crate::domain::scoring::{Assignment, ScoreSheet, SheetStatus, StageState, StageStatus};
use crate::domain::snapshot::{FrozenRanking, TieResolution};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Everything a stage's ranking is computed from, owned.
pub struct StageData {
    pub regulation: Regulation,
    pub regulation_hash: String,
    pub stage: StageId,
    pub participants: Vec<Participant>,
    /// Sheets of the stage whose juror is still assigned.
    pub sheets: Vec<ScoreSheet>,
    pub indicator_points: BTreeMap<ParticipantId, BTreeMap<CriterionId, f64>>,
    pub earlier_totals: BTreeMap<StageId, BTreeMap<ParticipantId, f64>>,
    pub activity: BTreeMap<ParticipantId, f64>,
    pub resolutions: Vec<Vec<ParticipantId>>,
}

impl StageData {
    pub fn of(
        c: &Contest,
        ratings: &BTreeMap<ParticipantId, ActivityRating>,
        stage: &StageId,
    ) -> Result<StageData> {
        let active = c.regulation.as_ref().ok_or(ServiceError::NoRegulation)?;
        let rules = &active.rules;
        let st = rules
            .stage(stage)
            .ok_or_else(|| Refusal::unknown(Thing::Stage, stage))?;
        let ids = c.stage_participants(stage);
        let participants: Vec<Participant> = ids
            .iter()
            .filter_map(|p| c.participants.get(p).cloned())
            .collect();
        let sheets = c
            .sheets
            .range((stage.clone(), ParticipantId::default(), Default::default())..)
            .take_while(|((s, _, _), _)| s == stage)
            .filter(|(k, _)| c.assignments.contains_key(*k))
            .map(|(_, s)| s.clone())
            .collect();
        let empty = ActivityRating::default();
        let indicator_points = participants
            .iter()
            .map(|p| {
                let r = ratings.get(&p.id).unwrap_or(&empty);
                (p.id.clone(), activity::stage_indicators(st, p, r))
            })
            .collect();
        let earlier_totals = c
            .snapshots
            .iter()
            .map(|(s, frozen)| {
                (
                    s.clone(),
                    frozen.totals().map(|(p, t)| (p.clone(), t)).collect(),
                )
            })
            .collect();
        let activity = participants
            .iter()
            .map(|p| (p.id.clone(), ratings.get(&p.id).map_or(0.0, |r| r.total)))
            .collect();
        let resolutions = c
            .resolutions
            .values()
            .filter(|r| &r.stage == stage)
            .map(|r| r.order.clone())
            .collect();
        Ok(StageData {
            regulation: rules.clone(),
            regulation_hash: active.doc.hash(),
            stage: stage.clone(),
            participants,
            sheets,
            indicator_points,
            earlier_totals,
            activity,
            resolutions,
        })
    }

    pub fn input(&self) -> StageInput<'_> {
        StageInput {
            regulation: &self.regulation,
            stage: self
                .regulation
                .stage(&self.stage)
                .expect("the stage was found when the data was taken"),
            participants: self.participants.iter().collect(),
            sheets: self.sheets.iter().collect(),
            indicator_points: &self.indicator_points,
            earlier_totals: &self.earlier_totals,
            activity_rating: &self.activity,
            resolutions: &self.resolutions,
        }
    }

    /// The method the regulation declares for the stage.
    pub fn declared_method(&self) -> Aggregation {
        self.regulation
            .stage(&self.stage)
            .map_or(Aggregation::Mean, |s| s.aggregation)
    }
}

/// A stage's ranking as the Ranking pane and `konkurs rank` show it.
pub struct StageReport {
    pub data: StageData,
    pub analysis: Analysis,
    /// The snapshot taken when the stage was closed, if it is.
    pub frozen: Option<FrozenRanking>,
    /// The regulation forced in after the snapshot was taken, which makes
    /// it stale: the stage was ranked under rules no longer in force.
    pub stale: Option<RegulationChange>,
    /// What stands between the open stage and its closing (by the
    /// regulation's method, as closing ranks it); empty once it is closed.
    pub blockers: Vec<CloseBlocker>,
}

impl StageReport {
    pub fn declared(&self) -> &crate::domain::ranking::Ranking {
        self.analysis.ranking(self.data.declared_method())
    }
}

/// What keeps `stage` from closing: an earlier stage still open, then the
/// declared ranking's blockers with who is scoring and who abstained.
fn close_blockers_of(c: &Contest, data: &StageData, analysis: &Analysis) -> Vec<CloseBlocker> {
    if c.stages.get(&data.stage).is_some_and(|s| s.is_closed()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(earlier) = c.previous_stage_open(&data.stage) {
        out.push(CloseBlocker::EarlierStageOpen {
            stage: earlier.id.clone(),
            name: earlier.name.clone(),
        });
    }
    let assignments: Vec<&Assignment> = c
        .assignments
        .range(
            (
                data.stage.clone(),
                ParticipantId::default(),
                Default::default(),
            )..,
        )
        .take_while(|((s, _, _), _)| s == &data.stage)
        .map(|(_, a)| a)
        .collect();
    let sheets: Vec<&ScoreSheet> = data.sheets.iter().collect();
    let ranking = analysis.ranking(data.declared_method());
    out.extend(close_blockers(&ranking.blockers, &assignments, &sheets));
    out
}

/// The stage's report in the contest `c`: its data, its analysis, its
/// snapshot and what keeps it from closing.
fn stage_report(
    c: &Contest,
    ratings: &BTreeMap<ParticipantId, ActivityRating>,
    stage: &StageId,
) -> Result<StageReport> {
    let data = StageData::of(c, ratings, stage)?;
    let analysis = analyse(&data.input());
    Ok(StageReport {
        frozen: c.snapshots.get(stage).cloned(),
        stale: c.stale_ranking(stage).cloned(),
        blockers: close_blockers_of(c, &data, &analysis),
        data,
        analysis,
    })
}

/// The stage's name for a person, or its id when the regulation lacks it.
fn stage_name(c: &Contest, stage: &StageId) -> String {
    c.rules()
        .and_then(|r| r.stage(stage))
        .map_or_else(|| stage.to_string(), |s| s.name.clone())
}

impl Service {
    /// A juror sees no ranking of an open stage; nobody but a coordinator
    /// sees one of a blind stage before it is closed.
    fn may_see_ranking(&self, c: &Contest, actor: &Actor, stage: &StageId) -> Result<()> {
        let closed = c.stages.get(stage).is_some_and(|s| s.is_closed());
        if actor.role == Role::Juror && !closed {
            return Err(forbidden(
                actor,
                Act::SeeOpenRanking {
                    stage: stage_name(c, stage),
                },
            ));
        }
        if view::blind_to(c, actor, stage) {
            return Err(view::blind_refusal(c, actor, stage).into());
        }
        Ok(())
    }

    /// Refuses unless `actor` may see every juror's scores of `stage` and
    /// what is computed from them: the rule of blind stages (see
    /// [`View::sees_all_scores`](super::View::sees_all_scores)), for
    /// documents that check it before any work.
    pub fn may_see_scores(&self, actor: &Actor, stage: &StageId) -> Result<()> {
        let c = self.contest();
        if view::blind_to(&c, actor, stage) {
            return Err(view::blind_refusal(&c, actor, stage).into());
        }
        Ok(())
    }

    /// The stage's ranking under every method, the jury's statistics and
    /// the sensitivity view; the frozen snapshot if the stage is closed.
    /// Jurors see only closed stages.
    pub fn analyse_stage(&self, actor: &Actor, stage: &StageId) -> Result<StageReport> {
        let c = self.contest();
        self.may_see_ranking(&c, actor, stage)?;
        let ratings = self.derived.ratings_now(&c);
        stage_report(&c, &ratings, stage)
    }

    /// The contest as it stood at `at`, rebuilt by undoing every change
    /// recorded after it.
    fn contest_as_of(&self, at: DateTime<Utc>) -> Result<Contest> {
        let mut c = self.contest();
        let zone = c.rules().and_then(|r| r.zone()).map(str::to_string);
        let (mut reached, mut first) = (false, None);
        for entry in self.store.audit_rev() {
            let e = entry?;
            if e.at <= at {
                reached = true;
                break;
            }
            first = Some(e.at);
            if !e.detailed {
                return Err(Refusal::NoDetailBefore {
                    seq: e.seq,
                    at: e.at,
                    zone,
                    summary: e.summary.clone(),
                }
                .into());
            }
            for change in e.changes.iter().rev() {
                let undo = match &change.before {
                    Some(r) => Change::Put(r.clone()),
                    None => Change::Delete(change.key.clone()),
                };
                c.apply(&undo).map_err(|errors| ServiceError::Regulation {
                    file: "regulation".into(),
                    errors,
                })?;
            }
        }
        if let (false, Some(first)) = (reached, first) {
            return Err(Refusal::BeforeTheDatabase { at, first, zone }.into());
        }
        Ok(c)
    }

    /// The stage's ranking as it stood at `at`. Refused to jurors, and to
    /// observers while the stage is blind and open now: a past ranking holds
    /// the same scores.
    pub fn analyse_stage_as_of(
        &self,
        actor: &Actor,
        stage: &StageId,
        at: DateTime<Utc>,
    ) -> Result<StageReport> {
        self.require(
            actor,
            &[Role::Coordinator, Role::Observer],
            Act::SeePastRankings,
        )?;
        self.may_see_scores(actor, stage)?;
        let c = self.contest_as_of(at)?;
        let formula = c.rules().map(|r| r.activity.clone()).unwrap_or_default();
        let ratings = super::derived::rate_all(&formula, &c.participants, &c.attendance, &c.events);
        stage_report(&c, &ratings, stage)
    }

    /// Closes a stage: its ranking (by the regulation's method) is frozen
    /// with its hash, and who advances is recorded; the next stage's
    /// participants are those. Refused while a participant lacks submitted
    /// sheets or a tie straddles a cutoff, and without a reason (the
    /// jury's decision, ...), which the audit entry keeps.
    pub fn close_stage(
        &self,
        actor: &Actor,
        stage: &StageId,
        reason: &str,
    ) -> Result<FrozenRanking> {
        self.require(actor, &[Role::Coordinator], Act::CloseStage)?;
        if reason.trim().is_empty() {
            return Err(Refusal::CloseReasonMissing.into());
        }
        let mut frozen = None;
        self.commit_with(actor, "stage.close", |c| {
            let rules = c.rules().ok_or(ServiceError::NoRegulation)?;
            rules
                .stage_index(stage)
                .ok_or_else(|| Refusal::unknown(Thing::Stage, stage))?;
            if c.stages.get(stage).is_some_and(|s| s.is_closed()) {
                return Err(Refusal::StageAlreadyClosed {
                    stage: stage_name(c, stage),
                }
                .into());
            }
            if let Some(previous) = c.previous_stage_open(stage) {
                return Err(Refusal::PreviousStageOpen {
                    previous: previous.name.clone(),
                }
                .into());
            }
            let ratings = self.derived.ratings_now(c);
            let data = StageData::of(c, &ratings, stage)?;
            if data.participants.is_empty() {
                return Err(Refusal::NobodyCompetes {
                    stage: stage_name(c, stage),
                }
                .into());
            }
            let ranking = crate::domain::ranking::rank(&data.input(), data.declared_method());
            if !ranking.is_final() {
                return Err(Refusal::NotFinal {
                    stage: stage_name(c, stage),
                    blockers: ranking.blockers.clone(),
                }
                .into());
            }
            let snapshot = FrozenRanking::freeze(
                &ranking,
                data.regulation_hash.clone(),
                self.now(),
                actor.id.clone(),
            );
            let summary = format!(
                "closed the stage {stage}: {} ranked, {} advance; ranking hash {}: {}",
                snapshot.rows.len(),
                snapshot.advancing.len(),
                snapshot.hash,
                reason.trim()
            );
            let state = StageState {
                stage: stage.clone(),
                status: StageStatus::Closed {
                    at: snapshot.at,
                    by: actor.id.clone(),
                    snapshot_hash: snapshot.hash.clone(),
                },
                advanced: snapshot.advancing.clone(),
            };
            frozen = Some(snapshot.clone());
            Ok((
                vec![
                    Change::Put(Record::Snapshot(snapshot)),
                    Change::Put(Record::Stage(state)),
                ],
                summary,
            ))
        })?;
        Ok(frozen.expect("set when the commit succeeds"))
    }

    /// Reopens a closed stage, with a reason kept in the audit log. Refused
    /// once a later stage is closed or its scoring has started.
    pub fn reopen_stage(&self, actor: &Actor, stage: &StageId, reason: &str) -> Result<()> {
        self.require(actor, &[Role::Coordinator], Act::ReopenStage)?;
        if reason.trim().is_empty() {
            return Err(Refusal::StageReopenReasonMissing.into());
        }
        self.commit_with(actor, "stage.reopen", |c| {
            let rules = c.rules().ok_or(ServiceError::NoRegulation)?;
            let index = rules
                .stage_index(stage)
                .ok_or_else(|| Refusal::unknown(Thing::Stage, stage))?;
            if !c.stages.get(stage).is_some_and(|s| s.is_closed()) {
                return Err(Refusal::StageNotClosed {
                    stage: stage_name(c, stage),
                }
                .into());
            }
            if let Some(next) = rules.stages.get(index + 1) {
                if c.stages.get(&next.id).is_some_and(|s| s.is_closed()) {
                    return Err(Refusal::LaterStageClosed {
                        next: next.name.clone(),
                    }
                    .into());
                }
                let started = c.sheets.values().any(|s| {
                    s.stage == next.id && (!s.scores.is_empty() || s.status != SheetStatus::Draft)
                });
                if started {
                    return Err(Refusal::LaterStageStarted {
                        next: next.name.clone(),
                    }
                    .into());
                }
            }
            Ok((
                vec![
                    Change::Delete(Key::Snapshot(stage.clone())),
                    Change::Delete(Key::Stage(stage.clone())),
                ],
                format!("reopened the stage {stage}: {}", reason.trim()),
            ))
        })?;
        Ok(())
    }

    /// Orders a tie that no rule breaks. `order` must list exactly the
    /// participants tied at one rank, best first.
    pub fn resolve_tie(
        &self,
        actor: &Actor,
        stage: &StageId,
        order: Vec<ParticipantId>,
        reason: &str,
    ) -> Result<()> {
        self.require(actor, &[Role::Coordinator], Act::ResolveTies)?;
        if reason.trim().is_empty() {
            return Err(Refusal::TieReasonMissing.into());
        }
        self.commit_with(actor, "stage.resolve_tie", |c| {
            if c.stages.get(stage).is_some_and(|s| s.is_closed()) {
                return Err(Refusal::StageAlreadyClosed {
                    stage: stage_name(c, stage),
                }
                .into());
            }
            let ratings = self.derived.ratings_now(c);
            let data = StageData::of(c, &ratings, stage)?;
            let ranking = crate::domain::ranking::rank(&data.input(), data.declared_method());
            let mut wanted = order.clone();
            wanted.sort();
            wanted.dedup();
            if wanted.len() != order.len() {
                return Err(Refusal::ListedTwice.into());
            }
            let tie = ranking.ties.iter().find(|t| {
                let mut ids = t.participants.clone();
                ids.sort();
                ids == wanted
            });
            if tie.is_none() {
                let rules = c.rules().ok_or(ServiceError::NoRegulation)?;
                let by_group = rules.stage(stage).is_some_and(|s| {
                    matches!(
                        rules.advance_rule(s),
                        AdvanceRule::TopPerGroup(_) | AdvanceRule::Quota(_)
                    )
                });
                let ties = ranking
                    .ties
                    .iter()
                    .map(|t| {
                        let rows: Vec<_> = ranking
                            .rows
                            .iter()
                            .filter(|r| t.participants.contains(&r.participant))
                            .collect();
                        let one_group = rows.first().filter(|first| {
                            by_group && rows.iter().all(|r| r.group == first.group)
                        });
                        ListedTie {
                            rank: one_group.map_or(t.rank, |r| r.group_rank),
                            group: one_group.map(|r| {
                                rules
                                    .group(&r.group)
                                    .map_or_else(|| r.group.to_string(), |g| g.name.clone())
                            }),
                            participants: t.participants.clone(),
                        }
                    })
                    .collect();
                return Err(Refusal::NotATie { ties }.into());
            }
            let resolution = TieResolution {
                stage: stage.clone(),
                order: order.clone(),
                reason: reason.trim().to_string(),
            };
            Ok((
                vec![Change::Put(Record::Resolution(resolution))],
                format!(
                    "tie at {stage} ordered {}: {}",
                    order
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join(" > "),
                    reason.trim()
                ),
            ))
        })?;
        Ok(())
    }
}
