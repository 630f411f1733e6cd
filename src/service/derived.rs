//! Figures derived from the contest's data that every session shows: the
//! activity ratings and where each participant stands. They are computed
//! once per change of the data they come from, not once per session or
//! per frame: the cache compares its inputs by identity (persistent maps
//! share structure until they change), which costs nothing.

use crate::domain::activity::{self, ActivityRating};
use crate::domain::contest::{ActiveRegulation, Contest, Standing};
use crate::domain::ids::{EventId, ParticipantId, StageId};
use crate::domain::learning::{Attendance, TrainingEvent};
use crate::domain::participant::Participant;
use crate::domain::scoring::StageState;
use crate::domain::shared::SharedMap;
use imbl::OrdMap;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// What a view reads besides the records.
#[derive(Clone, Default)]
pub struct Derived {
    /// `None` while a large contest's ratings are being computed.
    pub ratings: Option<Arc<Ratings>>,
    pub standings: Arc<HashMap<ParticipantId, Standing>>,
}

pub type Ratings = BTreeMap<ParticipantId, ActivityRating>;

/// Up to this many participants the ratings are computed at once; above it,
/// on a thread, so that opening a large contest shows its first screen
/// without waiting for them.
const SYNC_LIMIT: usize = 20_000;

/// What the ratings are computed from.
#[derive(Clone)]
struct RatingInputs {
    regulation: Option<Arc<ActiveRegulation>>,
    participants: SharedMap<ParticipantId, Participant>,
    attendance: SharedMap<ParticipantId, Attendance>,
    events: OrdMap<EventId, TrainingEvent>,
}

impl RatingInputs {
    fn of(c: &Contest) -> RatingInputs {
        RatingInputs {
            regulation: c.regulation.clone(),
            participants: c.participants.clone(),
            attendance: c.attendance.clone(),
            events: c.events.clone(),
        }
    }

    fn same(&self, other: &RatingInputs) -> bool {
        let regulation = match (&self.regulation, &other.regulation) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        regulation
            && self.participants.ptr_eq(&other.participants)
            && self.attendance.ptr_eq(&other.attendance)
            && self.events.ptr_eq(&other.events)
    }

    fn compute(&self) -> Ratings {
        let formula = self
            .regulation
            .as_ref()
            .map(|r| r.rules.activity.clone())
            .unwrap_or_default();
        rate_all(&formula, &self.participants, &self.attendance, &self.events)
    }
}

/// Every listener's rating, a large contest's on two threads.
pub(super) fn rate_all(
    formula: &crate::domain::regulation::ActivityFormula,
    participants: &crate::domain::shared::SharedMap<
        crate::domain::ids::ParticipantId,
        crate::domain::participant::Participant,
    >,
    attendance: &crate::domain::shared::SharedMap<
        crate::domain::ids::ParticipantId,
        crate::domain::learning::Attendance,
    >,
    events: &imbl::OrdMap<crate::domain::ids::EventId, crate::domain::learning::TrainingEvent>,
) -> Ratings {
    let all: Vec<_> = participants.values().collect();
    crate::parallel::halves(all.len(), |r| {
        activity::rate_each(formula, &all[r], attendance, events)
    })
    .into_iter()
    .collect()
}

/// What the standings are computed from.
type StandingInputs = (
    Option<Arc<ActiveRegulation>>,
    SharedMap<ParticipantId, Participant>,
    OrdMap<StageId, StageState>,
);

#[derive(Default)]
struct State {
    ratings: Option<(RatingInputs, Arc<Ratings>)>,
    computing: Option<RatingInputs>,
    standings: Option<(StandingInputs, Arc<HashMap<ParticipantId, Standing>>)>,
}

#[derive(Default)]
pub struct Cache {
    state: Arc<Mutex<State>>,
    /// The threads computing a large contest's ratings that may still run.
    workers: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl Drop for Cache {
    /// A service closed while its ratings are computed waits for them, so
    /// that no thread outlives the database it was started for.
    fn drop(&mut self) {
        if let Ok(workers) = self.workers.get_mut() {
            for worker in workers.drain(..) {
                let _ = worker.join();
            }
        }
    }
}

impl Cache {
    /// The figures for `contest`; large contests' ratings may still be on
    /// their way (`ratings: None`), and `changes` is told when they arrive.
    pub fn get(&self, contest: &Contest, changes: &Arc<super::Changes>) -> Derived {
        let inputs = RatingInputs::of(contest);
        let mut state = self.state.lock().expect("derived cache lock");
        let standings = self.standings(&mut state, contest);
        let ratings = match &state.ratings {
            Some((i, r)) if i.same(&inputs) => Some(r.clone()),
            _ if contest.participants.len() <= SYNC_LIMIT => {
                let r = Arc::new(inputs.compute());
                state.ratings = Some((inputs, r.clone()));
                Some(r)
            }
            _ => {
                if !state.computing.as_ref().is_some_and(|c| c.same(&inputs)) {
                    state.computing = Some(inputs.clone());
                    let shared = self.state.clone();
                    let changes = changes.clone();
                    let worker = std::thread::spawn(move || {
                        let r = Arc::new(inputs.compute());
                        let mut state = shared.lock().expect("derived cache lock");
                        if state.computing.as_ref().is_some_and(|c| c.same(&inputs)) {
                            state.computing = None;
                            state.ratings = Some((inputs, r));
                            drop(state);
                            changes.bump();
                        }
                    });
                    let mut workers = self.workers.lock().expect("derived workers lock");
                    workers.retain(|w| !w.is_finished());
                    workers.push(worker);
                }
                None
            }
        };
        Derived { ratings, standings }
    }

    /// The ratings for `contest`, computed now if they are not ready:
    /// rankings and exports cannot wait for a redraw.
    pub fn ratings_now(&self, contest: &Contest) -> Arc<Ratings> {
        let inputs = RatingInputs::of(contest);
        if let Some((i, r)) = &self.state.lock().expect("derived cache lock").ratings
            && i.same(&inputs)
        {
            return r.clone();
        }
        let r = Arc::new(inputs.compute());
        self.state.lock().expect("derived cache lock").ratings = Some((inputs, r.clone()));
        r
    }

    fn standings(&self, state: &mut State, c: &Contest) -> Arc<HashMap<ParticipantId, Standing>> {
        if let Some(((reg, p, s), st)) = &state.standings {
            let same_reg = match (reg, &c.regulation) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            };
            if same_reg && p.ptr_eq(&c.participants) && s.ptr_eq(&c.stages) {
                return st.clone();
            }
        }
        let st = Arc::new(c.standings());
        state.standings = Some((
            (
                c.regulation.clone(),
                c.participants.clone(),
                c.stages.clone(),
            ),
            st.clone(),
        ));
        st
    }
}
