//! The one writer. Every change to a contest — from the CLI, the terminal UI
//! or an SSH session — goes through [`Service`] with an [`Actor`], and is
//! refused when the actor's role may not make it.
//!
//! The service keeps the whole contest in memory ([`Contest`] is a set of
//! persistent maps, so a snapshot is cheap) and writes through to the store.
//! Readers get a [`View`] that shows only what their role may see.

mod derived;
mod import;
mod learning;
mod mentoring;
mod ranking;
mod scoring;
mod view;

pub use import::{ImportKind, ImportReport};
pub use mentoring::{Explained, MatchData};
pub use ranking::{StageData, StageReport};
pub use scoring::{HistoryItem, check_value, comment_needed};
pub use view::{Candidate, Progress, SheetState, View};

use crate::domain::contest::{Change, Contest, Record, RegulationChange, RegulationDoc};
use crate::domain::ids::{JurorId, ParticipantId, StageId};
use crate::domain::people::Role;
use crate::domain::refusal::{Act, Refusal, ScoredStage, Thing};
use crate::domain::regulation::RegulationErrors;
use crate::store::{AuditEntry, Stamp, Store, StoreError};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock};
use std::time::Duration;

/// Who is acting, in which role, and how their actions reach konkurs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub id: JurorId,
    pub name: String,
    pub role: Role,
    pub channel: Channel,
}

/// How an action came, as each audit entry records it. The local OS user
/// who owns the database directory is trusted as its coordinator and may
/// act as anyone with `--as` (for scripts); a person over SSH is who their
/// key says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Channel {
    /// The local workstation or command line, as the OS user: `local`.
    Local,
    /// The local OS user acting as this person with `--as`: `local --as J02`.
    LocalAs(JurorId),
    /// A local command forwarded through the control socket of a running
    /// server: `control`, or `control --as J02`.
    Control,
    ControlAs(JurorId),
    /// A session or command over SSH, signed in with the key of this
    /// fingerprint: `ssh SHA256:…`.
    Ssh(String),
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Channel::Local => f.write_str("local"),
            Channel::LocalAs(id) => write!(f, "local --as {id}"),
            Channel::Control => f.write_str("control"),
            Channel::ControlAs(id) => write!(f, "control --as {id}"),
            Channel::Ssh(fingerprint) => write!(f, "ssh {fingerprint}"),
        }
    }
}

impl Actor {
    /// The person at the server's own terminal: trusted as a coordinator,
    /// recorded in the audit log under their system user name.
    pub fn local_coordinator() -> Actor {
        Actor::local(&system_user())
    }

    /// The local coordinator as the system user `user` (tests and scripts
    /// that must not depend on who runs them).
    pub fn local(user: &str) -> Actor {
        Actor {
            id: JurorId::new(format!("local:{user}")),
            name: user.to_string(),
            role: Role::Coordinator,
            channel: Channel::Local,
        }
    }

    /// The same person, their command forwarded through the control socket.
    pub fn through_control(self) -> Actor {
        let channel = match self.channel {
            Channel::Local => Channel::Control,
            Channel::LocalAs(id) => Channel::ControlAs(id),
            other => other,
        };
        Actor { channel, ..self }
    }
}

/// The name of the system user running konkurs: `USER` (or `USERNAME`),
/// else the account of the process's user id in `/etc/passwd`, else that
/// number (a terminal started without a login environment has no `USER`).
fn system_user() -> String {
    if let Some(user) = ["USER", "USERNAME"]
        .into_iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|u| !u.is_empty())
    {
        return user;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) {
            let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
            let name = passwd.lines().find_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                (f.nth(1)? == uid.to_string()).then(|| name.to_string())
            });
            return name.unwrap_or_else(|| uid.to_string());
        }
    }
    "local".into()
}

/// Why the service refused.
#[derive(Debug)]
pub enum ServiceError {
    /// A rule refused the request; see [`Refusal`].
    Refused(Refusal),
    NoRegulation,
    /// Records of a batch that break the contest's rules, by batch index.
    Rejected(Vec<crate::domain::integrity::Violation>),
    Regulation {
        file: String,
        errors: RegulationErrors,
    },
    Store(StoreError),
}

impl ServiceError {
    /// The refusal in the person's language, for every interface to show.
    pub fn words(&self, tr: &crate::text::I18n) -> String {
        match self {
            ServiceError::Refused(r) => crate::text::refusal::refusal(r, tr),
            ServiceError::NoRegulation => tr.t("refusal.no_regulation").to_string(),
            ServiceError::Rejected(v) => crate::text::refusal::rejected(v, tr),
            ServiceError::Regulation { file, errors } => {
                crate::text::regulation::errors(errors, file, tr)
            }
            ServiceError::Store(e) => crate::text::store::words(e, tr),
        }
    }
}

/// The English wording, the same as [`ServiceError::words`] gives.
impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.words(&crate::text::I18n::new(crate::text::Lang::En)))
    }
}

impl std::error::Error for ServiceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServiceError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Store(e)
    }
}

impl From<Refusal> for ServiceError {
    fn from(r: Refusal) -> Self {
        ServiceError::Refused(r)
    }
}

pub type Result<T> = std::result::Result<T, ServiceError>;

/// The refusal of an actor whose role does not allow `act`.
fn forbidden(actor: &Actor, act: Act) -> ServiceError {
    ServiceError::Refused(Refusal::Forbidden {
        actor: actor.id.clone(),
        role: actor.role,
        act,
    })
}

type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The counter every session watches: it moves with every committed change
/// and when derived figures computed in the background arrive.
#[derive(Default)]
pub struct Changes {
    generation: AtomicU64,
    changed: (Mutex<u64>, Condvar),
}

impl Changes {
    fn bump(&self) {
        let g = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        let (lock, cvar) = &self.changed;
        *lock.lock().expect("change lock") = g;
        cvar.notify_all();
    }
}

/// The contest service over one open database.
pub struct Service {
    store: Store,
    state: RwLock<Contest>,
    /// Serialises writers: a change is computed from the state it replaces.
    writer: Mutex<()>,
    changes: Arc<Changes>,
    clock: Clock,
    derived: derived::Cache,
    /// Set while saving fails (a full or failing disk), for every session
    /// to show; cleared by the next save that lands.
    saving: Mutex<Option<SavingTrouble>>,
}

/// Why saving fails now, and since when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SavingTrouble {
    /// The disk is full (or a file may not grow), rather than failing.
    pub full: bool,
    pub since: DateTime<Utc>,
}

impl Service {
    /// Opens the database in `path` and reads it into memory.
    pub fn open(path: &Path) -> Result<Service> {
        let store = Store::open(path)?;
        let contest = store.load()?;
        Ok(Service {
            store,
            state: RwLock::new(contest),
            writer: Mutex::new(()),
            changes: Arc::new(Changes::default()),
            clock: Arc::new(Utc::now),
            derived: derived::Cache::default(),
            saving: Mutex::new(None),
        })
    }

    /// Uses a fixed or scripted clock (tests, reproducible exports).
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The time, to the microsecond: what the database keeps, so that a
    /// record read back equals the one written.
    pub fn now(&self) -> DateTime<Utc> {
        chrono::SubsecRound::trunc_subsecs((self.clock)(), 6)
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Makes everything saved so far durable (the server, as it stops).
    pub fn flush(&self) -> std::result::Result<(), StoreError> {
        self.store.flush()
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    /// The contest as it is now, unfiltered. Only the service's own modules
    /// use it; everyone else reads through [`Service::view`].
    fn contest(&self) -> Contest {
        self.state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// What `actor` may see of the contest now.
    pub fn view(&self, actor: &Actor) -> View {
        let contest = self.contest();
        let derived = self.derived.get(&contest, &self.changes);
        View::new(contest, actor.clone(), derived)
    }

    /// What `actor` may see, with the audit log's head (sequence, hash) of
    /// exactly that state: taken together under the writer lock, so that
    /// a document stamped with the head holds the data the head names.
    pub fn view_at_head(&self, actor: &Actor) -> Result<(View, (u64, String))> {
        let (contest, head) = {
            let _writer = self.writer();
            (self.contest(), self.store.audit_head()?)
        };
        let derived = self.derived.get(&contest, &self.changes);
        Ok((View::new(contest, actor.clone(), derived), head))
    }

    /// Increases with every committed change; sessions redraw when it moves.
    pub fn generation(&self) -> u64 {
        self.changes.generation.load(Ordering::Acquire)
    }

    /// Waits until the generation passes `seen` or `timeout` elapses; returns
    /// the generation then.
    pub fn wait_for_change(&self, seen: u64, timeout: Duration) -> u64 {
        let (lock, cvar) = &self.changes.changed;
        let guard = lock.lock().expect("change lock");
        let (guard, _) = cvar
            .wait_timeout_while(guard, timeout, |g| *g <= seen)
            .expect("change lock");
        *guard
    }

    /// Finds the person a `--as ID` names: acting locally as them.
    pub fn actor(&self, id: &str) -> Result<Actor> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        let j = state
            .jurors
            .get(id)
            .ok_or_else(|| Refusal::unknown(Thing::Juror, id))?;
        Ok(Actor {
            id: j.id.clone(),
            name: j.full_name.clone(),
            role: j.role,
            channel: Channel::LocalAs(j.id.clone()),
        })
    }

    /// The one writer's lock. A writer that panicked changed nothing (the
    /// state is replaced only after the store has committed), so a lock it
    /// poisoned is taken as it is: one session's panic never stops every
    /// other session from saving.
    fn writer(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Refuses unless the actor has one of `roles`.
    fn require(&self, actor: &Actor, roles: &[Role], act: Act) -> Result<()> {
        if roles.contains(&actor.role) {
            Ok(())
        } else {
            Err(forbidden(actor, act))
        }
    }

    /// The single write path: checks the batch's integrity, writes it and
    /// its audit entry durably, then updates memory and tells every session.
    /// `compute` sees the state under the writer lock and returns the
    /// changes to make (or refuses).
    fn commit_with(
        &self,
        actor: &Actor,
        action: &str,
        compute: impl FnOnce(&Contest) -> Result<(Vec<Change>, String)>,
    ) -> Result<Option<AuditEntry>> {
        let _writer = self.writer();
        let current = self.contest();
        let (changes, summary) = compute(&current)?;
        if changes.is_empty() {
            return Ok(None);
        }
        let puts: Vec<Record> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Put(r) => Some(r.clone()),
                Change::Delete(_) => None,
            })
            .collect();
        let violations = crate::domain::integrity::check_batch(&current, &puts);
        if !violations.is_empty() {
            return Err(ServiceError::Rejected(violations));
        }
        let mut next = current.clone();
        next.apply_all(&changes)
            .map_err(|errors| ServiceError::Regulation {
                file: "regulation".into(),
                errors,
            })?;
        let stamp = Stamp {
            actor: actor.id.to_string(),
            role: actor.role,
            channel: actor.channel.to_string(),
            at: self.now(),
            action: action.to_string(),
            summary,
        };
        let entry = self.store_commit(&stamp, &changes)?;
        *self.state.write().unwrap_or_else(PoisonError::into_inner) = next;
        self.bump();
        Ok(Some(entry))
    }

    /// Writes through the store, keeping [`Service::saving_trouble`]: set
    /// when the disk refuses a write, cleared when a write lands again.
    fn store_commit(&self, stamp: &Stamp, changes: &[Change]) -> Result<AuditEntry> {
        match self.store.commit(stamp, changes) {
            Ok(entry) => {
                self.set_saving_trouble(None);
                Ok(entry)
            }
            Err(e) => {
                if matches!(
                    e,
                    StoreError::NotSaved { .. } | StoreError::Unavailable { .. }
                ) {
                    self.set_saving_trouble(Some(SavingTrouble {
                        full: e.disk_full(),
                        since: self.now(),
                    }));
                }
                Err(e.into())
            }
        }
    }

    /// Why saving fails now, if it does: every session shows it until a
    /// save lands again.
    pub fn saving_trouble(&self) -> Option<SavingTrouble> {
        *self.saving.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set_saving_trouble(&self, now: Option<SavingTrouble>) {
        let mut saving = self.saving.lock().unwrap_or_else(PoisonError::into_inner);
        if saving.is_some() != now.is_some() {
            *saving = now;
            drop(saving);
            self.bump();
        }
    }

    fn bump(&self) {
        self.changes.bump();
    }

    /// Loads (or replaces) the regulation. Refused when the file is invalid,
    /// when a group's quota exceeds the participants it already has, or
    /// when it changes the rules of a stage that already has score sheets
    /// or is closed (rules change before scoring, or visibly: see
    /// [`Service::force_regulation`]).
    pub fn set_regulation(&self, actor: &Actor, doc: RegulationDoc) -> Result<Option<AuditEntry>> {
        self.load_regulation(actor, doc, None)
    }

    /// Replaces the regulation even though it changes the rules of stages
    /// already scored or closed. The audit entry holds the old and the new
    /// text's SHA-256 and the reason; a [`RegulationChange`] record keeps
    /// them for the protocols and marks the frozen rankings of the changed
    /// stages stale ([`Contest::stale_ranking`]).
    pub fn force_regulation(
        &self,
        actor: &Actor,
        doc: RegulationDoc,
        reason: &str,
    ) -> Result<Option<AuditEntry>> {
        if reason.trim().is_empty() {
            self.require(actor, &[Role::Coordinator], Act::LoadRegulation)?;
            return Err(Refusal::RegulationReasonMissing.into());
        }
        self.load_regulation(actor, doc, Some(reason.trim()))
    }

    fn load_regulation(
        &self,
        actor: &Actor,
        doc: RegulationDoc,
        force: Option<&str>,
    ) -> Result<Option<AuditEntry>> {
        self.require(actor, &[Role::Coordinator], Act::LoadRegulation)?;
        let rules =
            crate::domain::regulation::Regulation::parse(&doc.source).map_err(|errors| {
                ServiceError::Regulation {
                    file: doc.file_name.clone(),
                    errors,
                }
            })?;
        let action = if force.is_some() {
            "regulation.force"
        } else {
            "regulation.set"
        };
        self.commit_with(actor, action, |contest| {
            if !contest.participants.is_empty() {
                rules
                    .check_quotas_in(&doc.source, &contest.group_sizes())
                    .map_err(|errors| ServiceError::Regulation {
                        file: doc.file_name.clone(),
                        errors,
                    })?;
            }
            let Some(old) = contest.regulation.as_deref() else {
                return Ok(loaded(&doc, &rules, force));
            };
            if old.doc.source == doc.source {
                return Ok((Vec::new(), String::new()));
            }
            let touched = scored_stages_changed(contest, &old.rules, &rules);
            if touched.is_empty() {
                return Ok(loaded(&doc, &rules, force));
            }
            let Some(reason) = force else {
                return Err(Refusal::RegulationChangesScoredStages {
                    stages: touched
                        .iter()
                        .map(|(stage, closed, sheets)| ScoredStage {
                            name: stage.name.clone(),
                            closed: *closed,
                            sheets: *sheets,
                        })
                        .collect(),
                }
                .into());
            };
            let stages: Vec<StageId> = touched.iter().map(|(s, ..)| s.id.clone()).collect();
            let frozen: Vec<(StageId, String)> = stages
                .iter()
                .filter_map(|s| Some((s.clone(), contest.snapshots.get(s)?.hash.clone())))
                .collect();
            let change = RegulationChange {
                at: self.now(),
                by: actor.id.clone(),
                old_file: old.doc.file_name.clone(),
                old_hash: old.doc.hash(),
                new_file: doc.file_name.clone(),
                new_hash: doc.hash(),
                stages,
                frozen,
                reason: reason.to_string(),
            };
            let ids = |v: &mut dyn Iterator<Item = &StageId>| {
                v.map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
            };
            let mut summary = format!(
                "replaced the regulation after scoring: {} (sha256 {}) with {} (sha256 {}); \
                 changed stages: {}",
                change.old_file,
                change.old_hash,
                change.new_file,
                change.new_hash,
                ids(&mut change.stages.iter()),
            );
            if !change.frozen.is_empty() {
                summary += &format!(
                    "; frozen rankings now stale: {}",
                    ids(&mut change.frozen.iter().map(|(s, _)| s))
                );
            }
            summary += &format!("; reason: {reason}");
            Ok((
                vec![
                    Change::Put(Record::Regulation(doc.clone())),
                    Change::Put(Record::RegulationChange(change)),
                ],
                summary,
            ))
        })
    }

    /// Records in the audit log that `actor` sent `command` over SSH (an
    /// entry that changes no record), before it runs.
    pub fn note_command(&self, actor: &Actor, command: &str) -> Result<()> {
        let _writer = self.writer();
        let stamp = Stamp {
            actor: actor.id.to_string(),
            role: actor.role,
            channel: actor.channel.to_string(),
            at: self.now(),
            action: "command.ssh".to_string(),
            summary: format!("over SSH: konkurs {command}"),
        };
        self.store_commit(&stamp, &[])?;
        Ok(())
    }

    /// Checks the database: the audit log, replayed from empty, gives the
    /// stored records exactly, and its chain holds (see [`Store::verify`]).
    pub fn verify(&self, actor: &Actor) -> Result<crate::store::VerifyReport> {
        self.require(
            actor,
            &[Role::Coordinator, Role::Observer],
            Act::VerifyDatabase,
        )?;
        Ok(self.store.verify()?)
    }

    /// The whole database as a backup document.
    pub fn backup(&self, actor: &Actor) -> Result<crate::store::backup::Dump> {
        self.require(actor, &[Role::Coordinator], Act::Backup)?;
        Ok(self.store.dump(self.now())?)
    }

    /// Refuses unless the actor may export documents: coordinators and
    /// observers; not jurors, because a protocol holds every juror's scores.
    pub fn may_export(&self, actor: &Actor) -> Result<()> {
        self.require(actor, &[Role::Coordinator, Role::Observer], Act::Export)
    }

    /// The audit log, oldest first (coordinators only: it holds every score).
    pub fn audit(&self, actor: &Actor) -> Result<Vec<AuditEntry>> {
        self.require(actor, &[Role::Coordinator], Act::ReadAudit)?;
        Ok(self.store.audit_entries()?)
    }
}

/// The changes and summary of a regulation loaded with no stage's scoring
/// touched.
fn loaded(
    doc: &RegulationDoc,
    rules: &crate::domain::regulation::Regulation,
    force: Option<&str>,
) -> (Vec<Change>, String) {
    let mut summary = format!(
        "loaded the regulation {} ({} stages, {} groups)",
        doc.file_name,
        rules.stages.len(),
        rules.groups.len()
    );
    if let Some(reason) = force {
        summary += &format!("; forced: {reason}");
    }
    (vec![Change::Put(Record::Regulation(doc.clone()))], summary)
}

/// The stages whose rules `new` changes from `old` and that already have
/// score sheets or are closed: each with whether it is closed and how many
/// sheets it has.
fn scored_stages_changed<'a>(
    contest: &Contest,
    old: &'a crate::domain::regulation::Regulation,
    new: &crate::domain::regulation::Regulation,
) -> Vec<(&'a crate::domain::regulation::Stage, bool, usize)> {
    old.stages_changed_by(new)
        .into_iter()
        .map(|stage| {
            let closed = contest.stages.get(&stage.id).is_some_and(|s| s.is_closed());
            let sheets = contest
                .sheets
                .range(
                    (
                        stage.id.clone(),
                        ParticipantId::default(),
                        JurorId::default(),
                    )..,
                )
                .take_while(|((s, _, _), _)| *s == stage.id)
                .count();
            (stage, closed, sheets)
        })
        .filter(|(_, closed, sheets)| *closed || *sheets > 0)
        .collect()
}

#[cfg(test)]
pub(crate) mod tests;
