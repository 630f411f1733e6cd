//! What one actor may see of the contest.
//!
//! A [`View`] is a snapshot of the contest filtered by the actor's role: a
//! juror sees the participants assigned to them and nothing of the mentoring
//! programme; coordinators and observers see everything. Panes, the CLI and
//! SSH sessions read only through views, so the rule lives in one place.

use super::Actor;
use crate::domain::contest::{ActiveRegulation, Collection, Contest};
use crate::domain::ids::{JurorId, ParticipantId};
use crate::domain::learning::{Attendance, TrainingEvent};
use crate::domain::mentoring::{InternRequest, Mentor, Municipality};
use crate::domain::participant::Participant;
use crate::domain::people::{Juror, Role};
use crate::domain::scoring::Conflict;
use std::collections::BTreeSet;

#[derive(Clone)]
pub struct View {
    contest: Contest,
    actor: Actor,
    /// For a juror: the participants assigned to them at any stage.
    assigned: Option<BTreeSet<ParticipantId>>,
}

impl View {
    pub(super) fn new(contest: Contest, actor: Actor) -> View {
        let assigned = (actor.role == Role::Juror).then(|| {
            contest
                .assignments
                .values()
                .filter(|a| a.juror == actor.id)
                .map(|a| a.participant.clone())
                .collect()
        });
        View {
            contest,
            actor,
            assigned,
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn regulation(&self) -> Option<&ActiveRegulation> {
        self.contest.regulation.as_deref()
    }

    fn sees_participant(&self, id: &ParticipantId) -> bool {
        self.assigned.as_ref().is_none_or(|a| a.contains(id))
    }

    fn sees_programme(&self) -> bool {
        self.actor.role != Role::Juror
    }

    /// The participants the actor may see, in id order.
    pub fn participants(&self) -> impl Iterator<Item = &Participant> {
        self.contest
            .participants
            .values()
            .filter(|p| self.sees_participant(&p.id))
    }

    pub fn participant(&self, id: &ParticipantId) -> Option<&Participant> {
        self.contest
            .participants
            .get(id)
            .filter(|p| self.sees_participant(&p.id))
    }

    /// A listener's attendance record, when the actor may see the listener.
    pub fn attendance(&self, id: &ParticipantId) -> Option<&Attendance> {
        self.contest
            .attendance
            .get(id)
            .filter(|a| self.sees_participant(&a.participant))
    }

    pub fn attendance_records(&self) -> impl Iterator<Item = &Attendance> {
        self.contest
            .attendance
            .values()
            .filter(|a| self.sees_participant(&a.participant))
    }

    /// Jurors: everyone for coordinators and observers, oneself for a juror.
    pub fn jurors(&self) -> impl Iterator<Item = &Juror> {
        self.contest
            .jurors
            .values()
            .filter(|j| self.actor.role != Role::Juror || j.id == self.actor.id)
    }

    /// The conflicts of interest registered for a juror (a juror sees only
    /// their own).
    pub fn conflicts_of<'a>(&'a self, juror: &'a JurorId) -> impl Iterator<Item = &'a Conflict> {
        let allowed = self.actor.role != Role::Juror || &self.actor.id == juror;
        self.contest
            .conflicts
            .values()
            .filter(move |c| allowed && &c.juror == juror)
    }

    pub fn events(&self) -> impl Iterator<Item = &TrainingEvent> {
        self.contest.events.values()
    }

    pub fn mentors(&self) -> impl Iterator<Item = &Mentor> {
        self.contest
            .mentors
            .values()
            .filter(|_| self.sees_programme())
    }

    pub fn interns(&self) -> impl Iterator<Item = &InternRequest> {
        self.contest
            .interns
            .values()
            .filter(|_| self.sees_programme())
    }

    pub fn municipalities(&self) -> impl Iterator<Item = &Municipality> {
        self.contest.municipalities.values()
    }

    /// How many records of a collection the actor can see.
    pub fn count(&self, c: Collection) -> usize {
        match c {
            Collection::Participants => self.participants().count(),
            Collection::Jurors => self.jurors().count(),
            Collection::Attendance => self.attendance_records().count(),
            Collection::Mentors => self.mentors().count(),
            Collection::Interns => self.interns().count(),
            Collection::Sheets | Collection::Assignments | Collection::Conflicts
                if self.actor.role != Role::Coordinator =>
            {
                0
            }
            other => self.contest.count(other),
        }
    }
}
