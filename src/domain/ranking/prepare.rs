//! The method-independent part of a stage's ranking, built once from the
//! input: participants and jurors numbered in id order, each juror's latest
//! Submitted sheet matched to its participant, the parts of every total, the
//! tie-break keys and the outliers.

use super::agreement::{deviations, outliers};
use super::{IdMap, JurorTotal, StageInput, key};
use crate::domain::ids::{CriterionId, GroupId, JurorId, ParticipantId, StageId};
use crate::domain::participant::Participant;
use crate::domain::regulation::{AdvanceRule, CriterionKind, Stage, TieBreak};
use crate::domain::scoring::{ScoreSheet, SheetStatus};
use crate::domain::stats::Ratings;
use chrono::Datelike;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How a rule of the chain compares participants: one key per participant,
/// smaller is better.
pub(super) enum RuleKeys {
    /// The stage total, which depends on the method.
    Total,
    /// A jury criterion's weighted points per cell, aggregated by the
    /// method.
    JuryCriterion(Vec<f64>),
    /// Keys that do not depend on the method.
    Fixed(Vec<i64>),
}

/// The method-independent part of a stage's ranking: participants and
/// jurors sorted, sheets matched, juror totals, indicator and carry-over
/// parts, tie-break keys and outliers. Built once, ranked under any method.
pub(super) struct Prepared<'a> {
    pub(super) stage: &'a Stage,
    pub(super) resolutions: &'a [Vec<ParticipantId>],
    pub(super) rule: AdvanceRule,
    pub(super) chain: &'a [TieBreak],
    /// The participants' ids, sorted, without repeats; a participant is
    /// known by its index here.
    pub(super) ids: Vec<ParticipantId>,
    /// The participants' groups, numbered as met.
    pub(super) groups: Vec<&'a GroupId>,
    /// Each participant's group number.
    pub(super) group_of: Vec<usize>,
    /// How many participants each group has.
    pub(super) group_members: Vec<usize>,
    /// Sorted by id.
    pub(super) jurors: Vec<&'a JurorId>,
    /// The juror totals: units are participants, raters are jurors.
    pub(super) totals: Ratings,
    /// Sheets needed per participant (0 for a stage without jury criteria).
    pub(super) need: usize,
    pub(super) indicator: Vec<f64>,
    pub(super) carry: Vec<f64>,
    pub(super) keys: Vec<RuleKeys>,
    /// Per cell: the total minus the mean of the other jurors' totals for
    /// the participant; `None` when the juror is alone.
    pub(super) deviation: Vec<Option<f64>>,
    /// The pooled within-participant SD (see [`Statistics::pooled_sd`](super::Statistics::pooled_sd)).
    pub(super) pooled_sd: Option<f64>,
    /// Per cell: more than 2 pooled SD from the other jurors' mean.
    pub(super) outlier: Vec<bool>,
    /// Per participant: the jurors' totals, as the rows show them.
    pub(super) juror_totals: Vec<Arc<[JurorTotal]>>,
}

/// A Submitted sheet with its participant and juror numbers.
type Cell<'a> = (usize, usize, &'a ScoreSheet);

/// A stage's jury criteria by id, the order sheets keep their scores in,
/// with their weights.
type Jury<'a> = [(&'a CriterionId, f64)];

impl<'a> Prepared<'a> {
    pub(super) fn new(input: &StageInput<'a>) -> Prepared<'a> {
        let stage = input.stage;
        let participants = sorted_participants(&input.participants);
        let (groups, group_of, group_members) = number_groups(&participants);

        let mut jury: Vec<(&CriterionId, f64)> =
            stage.jury_criteria().map(|c| (&c.id, c.weight)).collect();
        jury.sort_by(|a, b| a.0.cmp(b.0));
        // No sheet counts at a stage without jury criteria.
        let counted = if jury.is_empty() {
            Vec::new()
        } else {
            counted_sheets(input, &participants)
        };
        let (jurors, cells) = number_jurors(counted);
        let cells = latest_sheets(cells);
        let points = cell_points(&cells, &jury);
        let totals = Ratings::from_cells(
            participants.len(),
            jurors.len(),
            cells.iter().enumerate().map(|(c, &(p, j, _))| {
                let total: f64 = points[c * jury.len()..(c + 1) * jury.len()].iter().sum();
                (p, j, total)
            }),
        );
        let need = if jury.is_empty() {
            0
        } else {
            stage.jurors_per_participant.max(1)
        };

        let indicator_points = lookup_sorted(&participants, input.indicator_points);
        let indicator = indicator_parts(stage, &indicator_points);
        let carry = carry_over_parts(stage, &participants, input.earlier_totals);

        let chain = &stage.tie_break;
        let sources = KeySources {
            input,
            participants: &participants,
            jury: &jury,
            points: &points,
            indicator_points: &indicator_points,
        };
        let keys = chain.iter().map(|rule| sources.keys(rule)).collect();

        let (deviation, pooled_sd) = deviations(&totals);
        let outlier = outliers(&deviation, pooled_sd);
        let juror_totals = juror_totals(&totals, &jurors);

        Prepared {
            stage,
            resolutions: input.resolutions,
            rule: input.regulation.advance_rule(stage),
            chain,
            ids: participants.iter().map(|p| p.id.clone()).collect(),
            groups,
            group_of,
            group_members,
            jurors,
            totals,
            need,
            indicator,
            carry,
            keys,
            deviation,
            pooled_sd,
            outlier,
            juror_totals,
        }
    }
}

/// The participants sorted by id, each id once.
fn sorted_participants<'a>(participants: &[&'a Participant]) -> Vec<&'a Participant> {
    let mut participants = participants.to_vec();
    participants.sort_by(|a, b| {
        a.id.cmp(&b.id)
            .then_with(|| a.group.cmp(&b.group))
            .then_with(|| a.application_date.cmp(&b.application_date))
            .then_with(|| a.full_name.cmp(&b.full_name))
    });
    participants.dedup_by(|a, b| a.id == b.id);
    participants
}

/// The groups numbered as met, each participant's group number and how many
/// participants each group has.
fn number_groups<'a>(
    participants: &[&'a Participant],
) -> (Vec<&'a GroupId>, Vec<usize>, Vec<usize>) {
    let mut group_number: IdMap<&str, usize> = IdMap::default();
    let mut groups: Vec<&GroupId> = Vec::new();
    let mut group_members: Vec<usize> = Vec::new();
    let group_of: Vec<usize> = participants
        .iter()
        .map(|p| {
            let g = *group_number.entry(p.group.as_str()).or_insert_with(|| {
                groups.push(&p.group);
                group_members.push(0);
                groups.len() - 1
            });
            group_members[g] += 1;
            g
        })
        .collect();
    (groups, group_of, group_members)
}

/// The stage's Submitted sheets of listed participants, each with its
/// participant's number.
fn counted_sheets<'a>(
    input: &StageInput<'a>,
    participants: &[&Participant],
) -> Vec<(usize, &'a ScoreSheet)> {
    let index: IdMap<&str, usize> = participants
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    // Sheets usually come sorted by participant, as the contest keeps
    // them: the participant of the previous sheet is checked first.
    let mut last: Option<(&str, usize)> = None;
    input
        .sheets
        .iter()
        .filter(|s| s.status == SheetStatus::Submitted && s.stage == input.stage.id)
        .filter_map(|s| {
            let id = s.participant.as_str();
            let p = match last {
                Some((previous, p)) if previous == id => p,
                _ => *index.get(id)?,
            };
            last = Some((id, p));
            Some((p, *s))
        })
        .collect()
}

/// The jurors of the counted sheets sorted by id, and each sheet with its
/// participant's and its juror's number.
fn number_jurors<'a>(counted: Vec<(usize, &'a ScoreSheet)>) -> (Vec<&'a JurorId>, Vec<Cell<'a>>) {
    // Jurors numbered as met, then renumbered in id order.
    let mut met: IdMap<&str, usize> = IdMap::default();
    let mut jurors: Vec<&JurorId> = Vec::new();
    let mut cells: Vec<Cell> = counted
        .into_iter()
        .map(|(p, s)| {
            let j = *met.entry(s.juror.as_str()).or_insert_with(|| {
                jurors.push(&s.juror);
                jurors.len() - 1
            });
            (p, j, s)
        })
        .collect();
    let mut by_id: Vec<usize> = (0..jurors.len()).collect();
    by_id.sort_by_key(|&j| jurors[j]);
    let mut renumber = vec![0; jurors.len()];
    for (new, &old) in by_id.iter().enumerate() {
        renumber[old] = new;
    }
    let jurors: Vec<&JurorId> = by_id.iter().map(|&j| jurors[j]).collect();
    for cell in &mut cells {
        cell.1 = renumber[cell.1];
    }
    (jurors, cells)
}

/// The cells sorted by participant and juror, a repeated (participant,
/// juror) keeping its most recent sheet.
fn latest_sheets(mut cells: Vec<Cell>) -> Vec<Cell> {
    // Sheets that compare equal here are equal in all that counts, so an
    // unstable sort gives the same cells whatever the input order.
    cells.sort_unstable_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| newer_first(a.2, b.2))
    });
    cells.dedup_by(|later, earlier| (later.0, later.1) == (earlier.0, earlier.1));
    cells
}

/// Each cell's weighted points per jury criterion, in `jury` order: cell
/// c's are at `c * jury.len()..(c + 1) * jury.len()`.
fn cell_points(cells: &[Cell], jury: &Jury) -> Vec<f64> {
    let mut points = vec![0.0; cells.len() * jury.len()];
    for (c, (_, _, sheet)) in cells.iter().enumerate() {
        weighted_points(
            sheet,
            jury,
            &mut points[c * jury.len()..(c + 1) * jury.len()],
        );
    }
    points
}

/// Per participant, Σ weight × points over the stage's indicator criteria.
fn indicator_parts(
    stage: &Stage,
    indicator_points: &[Option<&BTreeMap<CriterionId, f64>>],
) -> Vec<f64> {
    indicator_points
        .iter()
        .map(|points| {
            stage
                .indicator_criteria()
                .map(|c| c.weight * points.and_then(|m| m.get(&c.id)).copied().unwrap_or(0.0))
                .sum()
        })
        .collect()
}

/// Per participant, Σ weight × earlier stage total over the stage's
/// `carry_over`.
fn carry_over_parts(
    stage: &Stage,
    participants: &[&Participant],
    earlier_totals: &BTreeMap<StageId, BTreeMap<ParticipantId, f64>>,
) -> Vec<f64> {
    let mut carry = vec![0.0; participants.len()];
    for c in &stage.carry_over {
        for (sum, v) in carry
            .iter_mut()
            .zip(stage_totals(participants, earlier_totals, &c.stage))
        {
            *sum += c.weight * v.unwrap_or(0.0);
        }
    }
    carry
}

/// Per participant, their total of an earlier stage, if any.
fn stage_totals(
    participants: &[&Participant],
    earlier_totals: &BTreeMap<StageId, BTreeMap<ParticipantId, f64>>,
    id: &StageId,
) -> Vec<Option<f64>> {
    match earlier_totals.get(id) {
        Some(map) => lookup_sorted(participants, map)
            .into_iter()
            .map(|v| v.copied())
            .collect(),
        None => vec![None; participants.len()],
    }
}

/// What the keys of the tie-break rules are made of.
struct KeySources<'s> {
    input: &'s StageInput<'s>,
    participants: &'s [&'s Participant],
    jury: &'s Jury<'s>,
    /// Per cell, as [`cell_points`] lays them out.
    points: &'s [f64],
    indicator_points: &'s [Option<&'s BTreeMap<CriterionId, f64>>],
}

impl KeySources<'_> {
    /// How `rule` compares the participants.
    fn keys(&self, rule: &TieBreak) -> RuleKeys {
        let stage = self.input.stage;
        let none = || RuleKeys::Fixed(vec![0; self.participants.len()]);
        match rule {
            TieBreak::Total => RuleKeys::Total,
            TieBreak::Criterion(id) => match stage.criterion(id) {
                Some(c) if c.kind == CriterionKind::Jury => {
                    let k = self.jury.iter().position(|(j, _)| *j == id).unwrap_or(0);
                    RuleKeys::JuryCriterion(
                        self.points
                            .iter()
                            .skip(k)
                            .step_by(self.jury.len())
                            .copied()
                            .collect(),
                    )
                }
                Some(c) => RuleKeys::Fixed(
                    self.indicator_points
                        .iter()
                        .map(|m| -key(c.weight * m.and_then(|m| m.get(id)).copied().unwrap_or(0.0)))
                        .collect(),
                ),
                None => none(),
            },
            TieBreak::Stage(id) => higher_first(self.stage_totals(id)),
            TieBreak::PreviousStage => match self.previous_stage() {
                Some(id) => higher_first(self.stage_totals(id)),
                None => none(),
            },
            TieBreak::ActivityRating => higher_first(
                lookup_sorted(self.participants, self.input.activity_rating)
                    .into_iter()
                    .map(|v| v.copied())
                    .collect(),
            ),
            TieBreak::ApplicationDate => RuleKeys::Fixed(
                self.participants
                    .iter()
                    .map(|p| i64::from(p.application_date.num_days_from_ce()))
                    .collect(),
            ),
        }
    }

    fn stage_totals(&self, id: &StageId) -> Vec<Option<f64>> {
        stage_totals(self.participants, self.input.earlier_totals, id)
    }

    /// The stage just before this one in the regulation.
    fn previous_stage(&self) -> Option<&StageId> {
        let regulation = self.input.regulation;
        regulation
            .stage_index(&self.input.stage.id)
            .and_then(|i| i.checked_sub(1))
            .map(|i| &regulation.stages[i].id)
    }
}

/// Keys of values where higher is better and a missing value comes last.
fn higher_first(values: Vec<Option<f64>>) -> RuleKeys {
    RuleKeys::Fixed(
        values
            .into_iter()
            .map(|v| v.map_or(i64::MAX, |v| -key(v)))
            .collect(),
    )
}

/// Per participant: the jurors' totals, as the rows show them.
fn juror_totals(totals: &Ratings, jurors: &[&JurorId]) -> Vec<Arc<[JurorTotal]>> {
    (0..totals.unit_count())
        .map(|p| {
            totals
                .cells(p)
                .map(|c| JurorTotal {
                    juror: jurors[totals.raters()[c]].clone(),
                    total: totals.values()[c],
                })
                .collect()
        })
        .collect()
}

/// Weight × score for each of the stage's jury criteria (`jury`, sorted by
/// id) from a sheet's scores (also sorted by id): 0 for a criterion the
/// sheet lacks; scores of other criteria are ignored.
fn weighted_points(sheet: &ScoreSheet, jury: &[(&CriterionId, f64)], out: &mut [f64]) {
    // Usually the sheet scores exactly the jury criteria: one pass in step.
    if sheet.scores.len() == jury.len() {
        let mut same = true;
        for ((o, (k, v)), &(id, weight)) in out.iter_mut().zip(&sheet.scores).zip(jury) {
            if k != id {
                same = false;
                break;
            }
            *o = weight * v;
        }
        if same {
            return;
        }
    }
    let mut scores = sheet.scores.iter().peekable();
    for (o, &(id, weight)) in out.iter_mut().zip(jury) {
        while scores.next_if(|(k, _)| *k < id).is_some() {}
        *o = match scores.next_if(|(k, _)| *k == id) {
            Some((_, v)) => weight * v,
            None => 0.0,
        };
    }
}

/// Orders two sheets of the same juror and participant: the most recently
/// updated first, then by content, so that the choice never depends on the
/// order they were given in.
fn newer_first(a: &ScoreSheet, b: &ScoreSheet) -> Ordering {
    fn scores(s: &ScoreSheet) -> impl Iterator<Item = (&str, u64)> {
        s.scores.iter().map(|(k, v)| (k.as_str(), v.to_bits()))
    }
    b.updated_at.cmp(&a.updated_at).then_with(|| {
        scores(a)
            .cmp(scores(b))
            .then_with(|| a.comment.cmp(&b.comment))
    })
}

/// For each participant (sorted by id), the map's value under its id. Both
/// are sorted by id, so a merge walk does it, unless the map is much larger
/// than the list.
fn lookup_sorted<'m, V>(
    participants: &[&Participant],
    map: &'m BTreeMap<ParticipantId, V>,
) -> Vec<Option<&'m V>> {
    if map.len() > 8 * participants.len() + 16 {
        return participants.iter().map(|p| map.get(&p.id)).collect();
    }
    let mut entries = map.iter().peekable();
    participants
        .iter()
        .map(|p| {
            while entries.next_if(|(k, _)| *k < &p.id).is_some() {}
            entries.next_if(|(k, _)| *k == &p.id).map(|(_, v)| v)
        })
        .collect()
}
