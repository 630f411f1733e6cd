//! The database: sled trees, one per collection, plus the audit log.
//!
//! Every value carries the schema version it was written with. A commit
//! writes its changes and the audit entry that records them in one sled
//! transaction, then flushes: when [`Store::commit`] returns, the change is on
//! disk. The audit log proves the records: replaying it from empty gives
//! them exactly, which [`Store::verify`] checks (see [`audit`]). Only one
//! process may open a database; a second one is told how to connect to the
//! first instead. The database directory is private ([`private`]).

pub mod audit;
pub mod backup;
mod chunk;
mod migrate;
pub mod private;

pub use audit::{AuditChange, AuditEntry};
pub use migrate::{CURRENT_SCHEMA, Migration};

use crate::domain::contest::{Change, Collection, Contest, Key, Record};
use crate::domain::people::Role;
use crate::domain::proof::Problem;
use crate::domain::shared::SharedMap;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard};

/// A problem with the database, said so that a person knows what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the database {path} is in use by another konkurs process{server}.\n\
         Only one process can open a database. To work with it now, connect to the running server: \
         {how}\n\
         Or stop the other process and try again."
    )]
    InUse {
        path: PathBuf,
        server: String,
        how: String,
    },
    #[error(
        "the database {path} was written by a newer konkurs (schema {found}, this konkurs knows up to {known}); \
         update konkurs to open it"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error(
        "the database {path} is damaged: {what}. Run `konkurs verify` and restore from a backup"
    )]
    Corrupt { path: PathBuf, what: String },
    #[error(
        "the database {path} is damaged: the stored regulation does not read ({} problem(s)). \
         Run `konkurs verify` and restore from a backup",
        .problems.0.len()
    )]
    BadRegulation {
        path: PathBuf,
        problems: crate::domain::regulation::RegulationErrors,
    },
    #[error(
        "not saved: writing to the disk of {path} failed ({source}); nothing of this change is stored. \
         Free space on the disk (or mend it) and save again"
    )]
    NotSaved {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the database {path} cannot be opened again after a failed write; free space on its disk and try again"
    )]
    Unavailable { path: PathBuf },
    #[error("database error at {path}: {source}")]
    Sled {
        path: PathBuf,
        #[source]
        source: sled::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl StoreError {
    /// The disk's error, when this is a write the disk refused (full, too
    /// large, failing) rather than a problem of the data.
    fn disk_failure(self) -> std::result::Result<std::io::Error, StoreError> {
        match self {
            StoreError::Sled {
                source: sled::Error::Io(e),
                ..
            }
            | StoreError::Io(e) => Ok(e),
            other => Err(other),
        }
    }

    /// Whether the disk is full (or a file may not grow), rather than failing.
    pub fn disk_full(&self) -> bool {
        let kind = match self {
            StoreError::NotSaved { source, .. } | StoreError::Io(source) => source.kind(),
            StoreError::Sled {
                source: sled::Error::Io(e),
                ..
            } => e.kind(),
            _ => return false,
        };
        matches!(
            kind,
            std::io::ErrorKind::StorageFull
                | std::io::ErrorKind::FileTooLarge
                | std::io::ErrorKind::QuotaExceeded
        )
    }
}

/// The changes of one chunk: each key with its new record, or `None` to
/// delete, after the change's place in its batch.
type ChunkChanges<'a> = Vec<(usize, Key, Option<&'a Record>)>;

/// A record of an unchunked tree: the change's place in its batch, the
/// tree (its place in [`Writes::trees`]), the key, and the value or `None`
/// to delete.
type PlainWrite = (usize, usize, Vec<u8>, Option<Vec<u8>>);

/// The record writes of one batch of changes, by tree.
#[derive(Default)]
struct Writes<'a> {
    collections: Vec<Collection>,
    trees: Vec<&'a sled::Tree>,
    /// Records of unchunked trees.
    plain: Vec<PlainWrite>,
    /// Changes of chunked trees, by (tree, chunk).
    chunked: std::collections::BTreeMap<(usize, u32), ChunkChanges<'a>>,
}

impl Writes<'_> {
    /// Writes the records into the transaction's first trees (in the
    /// order of `trees`), and returns the record each of the batch's
    /// `count` changes replaced, in the batch's order.
    fn apply(
        &self,
        tx: &[sled::transaction::TransactionalTree],
        count: usize,
    ) -> std::result::Result<Vec<Option<Record>>, ConflictableTransactionError<String>> {
        let corrupt = ConflictableTransactionError::Abort;
        let mut before = vec![None; count];
        for (i, idx, k, v) in &self.plain {
            let old = match v {
                Some(v) => tx[*idx].insert(k.as_slice(), v.as_slice())?,
                None => tx[*idx].remove(k.as_slice())?,
            };
            before[*i] = old
                .map(|o| decode_record(&o))
                .transpose()
                .map_err(corrupt)?;
        }
        for ((idx, c), group) in &self.chunked {
            let key = chunk::chunk_key(*c);
            let mut records = match tx[*idx].get(key)? {
                Some(v) => chunk::decode(&v).map_err(corrupt)?,
                None => Vec::new(),
            };
            for (i, old) in chunk::apply(&mut records, group) {
                before[i] = old;
            }
            if records.is_empty() {
                tx[*idx].remove(&key[..])?;
            } else {
                tx[*idx].insert(&key[..], chunk::encode(&mut records))?;
            }
        }
        Ok(before)
    }
}

/// Who made a change and why, as the audit log records it.
#[derive(Clone, Debug)]
pub struct Stamp {
    pub actor: String,
    pub role: Role,
    /// How the action came: `local`, `local --as J02`, `control`,
    /// `ssh SHA256:…`.
    pub channel: String,
    pub at: DateTime<Utc>,
    /// A machine-readable code: `import.participants`, `score.save`...
    pub action: String,
    /// A sentence for people: `imported participants.csv: 3 added`.
    pub summary: String,
}

/// Where a running `konkurs serve` can be reached; written beside the
/// database so that a second process can tell the user how to connect.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServeInfo {
    pub pid: u32,
    pub listen: String,
}

pub const SERVE_INFO_FILE: &str = "serve.json";

/// The directory, inside the database directory, where documents exported
/// in a served contest are written, and from which coordinators and
/// observers fetch them with scp or sftp.
pub const EXPORTS_DIR: &str = "exports";

/// The local control socket of a running `konkurs serve`, inside the
/// database directory: commands started on the same machine run through it.
pub const CONTROL_SOCKET: &str = "control.sock";

/// The open database.
///
/// sled stops writing for good once one write has failed (a full disk, an
/// I/O error): every later write fails until the database is opened again.
/// So after a failed write the store lets go of sled and opens it again
/// from disk ([`Store::recover`]). Entries sled had taken in but konkurs
/// answered as not saved are taken back then, from the records each entry
/// holds from before it: an error answer means nothing was stored, and
/// memory and disk agree. Saving works again as soon as the disk does,
/// without a restart.
pub struct Store {
    path: PathBuf,
    /// What opening found open to other users and made private.
    tightened: Vec<private::Tightened>,
    /// sled, open; `None` between a failed write and a reopening that
    /// succeeded (every call tries to reopen first).
    live: RwLock<Option<Live>>,
    /// The audit head of the newest change answered as saved: what the
    /// disk must hold, and no more.
    confirmed: Mutex<audit::Head>,
}

/// sled and its trees, as opened from disk.
struct Live {
    db: sled::Db,
    /// sled's log file, for the fsync that makes a flush survive a power
    /// loss: sled itself writes with `sync_file_range` on Linux, which
    /// survives a crash of the process but not of the disk's write cache.
    log: Option<std::fs::File>,
    path: PathBuf,
    trees: Vec<(Collection, sled::Tree)>,
    audit: sled::Tree,
    meta: sled::Tree,
    sessions: sled::Tree,
}

/// The open sled of a [`Store`], held for one call.
struct Held<'a>(RwLockReadGuard<'a, Option<Live>>);

impl std::ops::Deref for Held<'_> {
    type Target = Live;
    fn deref(&self) -> &Live {
        self.0.as_ref().expect("held only while open")
    }
}

/// What `konkurs verify` found: the records, the log's length and head,
/// and every problem (none when the log proves the records).
#[derive(Clone, Debug, Default)]
pub struct VerifyReport {
    pub records: usize,
    pub audit_entries: u64,
    /// The newest entry's hash, hex: the head a protocol prints.
    pub head_hash: String,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

const META_SCHEMA: &[u8] = b"schema";
const META_AUDIT_HEAD: &[u8] = b"audit_head";
const KEY_SEPARATOR: u8 = 0x1f;

impl Store {
    /// Opens (or creates) the database in `path`, migrating an older one.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_with(path, migrate::MIGRATIONS, CURRENT_SCHEMA)
    }

    /// Opens with an explicit migration list (tests use their own).
    pub fn open_with(path: &Path, migrations: &[Migration], current: u32) -> Result<Store> {
        private::deny_others();
        std::fs::create_dir_all(path)?;
        let tightened = private::tighten(path)?;
        private::log(path, &tightened);
        let live = Live::open(path)?;
        for dir in [
            path.to_path_buf(),
            path.join(EXPORTS_DIR),
            path.join("backups"),
        ] {
            backup::sweep_partials(&dir);
        }
        let store = Store {
            confirmed: Mutex::new(live.head()?),
            live: RwLock::new(Some(live)),
            path: path.to_path_buf(),
            tightened,
        };
        migrate::bring_up_to_date(&store, migrations, current)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What opening found open to other users in the database directory
    /// and made private (also written to `konkurs.log` there).
    pub fn tightened(&self) -> &[private::Tightened] {
        &self.tightened
    }

    /// sled, opened again first if a failed write let go of it.
    fn live(&self) -> Result<Held<'_>> {
        {
            let held = self.live.read().unwrap_or_else(PoisonError::into_inner);
            if held.is_some() {
                return Ok(Held(held));
            }
        }
        self.reopen()?;
        let held = self.live.read().unwrap_or_else(PoisonError::into_inner);
        if held.is_some() {
            Ok(Held(held))
        } else {
            Err(StoreError::Unavailable {
                path: self.path.clone(),
            })
        }
    }

    /// Runs a write; when the disk fails it, answers [`StoreError::NotSaved`]
    /// and lets go of sled, to open it again from disk.
    fn writing<T>(&self, write: impl FnOnce(&Live) -> Result<T>) -> Result<T> {
        let result = {
            let live = self.live()?;
            write(&live)
        };
        match result {
            Err(e) => match e.disk_failure() {
                Ok(source) => {
                    self.recover();
                    Err(StoreError::NotSaved {
                        path: self.path.clone(),
                        source,
                    })
                }
                Err(e) => Err(e),
            },
            ok => ok,
        }
    }

    /// After a failed write: closes sled and opens it again from disk,
    /// taking back what was not answered as saved. When the disk still
    /// fails, the store stays closed and the next call tries again.
    fn recover(&self) {
        let old = self
            .live
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(old);
        let _ = self.reopen();
    }

    fn reopen(&self) -> Result<()> {
        let mut slot = self.live.write().unwrap_or_else(PoisonError::into_inner);
        if slot.is_some() {
            return Ok(());
        }
        let live = Live::open(&self.path)?;
        self.reconcile(&live)?;
        *slot = Some(live);
        Ok(())
    }

    /// Takes back the entries past the confirmed head: sled had them when
    /// the disk failed, but konkurs answered that they were not saved.
    fn reconcile(&self, live: &Live) -> Result<()> {
        let mut confirmed = self
            .confirmed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let head = live.head()?;
        if head.seq <= confirmed.seq {
            *confirmed = head;
            return Ok(());
        }
        let unsaved = live.audit_since(confirmed.seq + 1)?;
        live.take_back(&unsaved, &confirmed)?;
        live.flush()
    }

    /// The head of the newest change answered as saved.
    fn confirm(&self, head: audit::Head) {
        *self
            .confirmed
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = head;
    }

    /// The schema version recorded in the database (0 for a new one).
    pub fn schema(&self) -> Result<u32> {
        self.live()?.schema()
    }

    fn set_schema(&self, v: u32) -> Result<()> {
        self.writing(|live| live.set_schema(v))
    }

    /// Whether the database holds no records and no history.
    pub fn is_empty(&self) -> bool {
        self.live().map(|l| l.is_empty()).unwrap_or(false)
    }

    /// Reads every record into memory (see [`Live::load`]).
    pub fn load(&self) -> Result<Contest> {
        self.live()?.load()
    }

    /// Writes `changes` and their audit entry atomically, then flushes. The
    /// entry records each change with the record it replaced, as the
    /// transaction found it, and the record after it. An error means
    /// nothing of it is stored.
    pub fn commit(&self, stamp: &Stamp, changes: &[Change]) -> Result<AuditEntry> {
        self.writing(|live| {
            let entry = live.commit(stamp, changes)?;
            live.flush()?;
            self.confirm(audit::Head {
                seq: entry.seq,
                hash: entry.hash.clone(),
            });
            Ok(entry)
        })
    }

    /// Writes `changes` to the records only, with no audit entry: what an
    /// edit that bypasses konkurs does. [`Store::verify`] reports it as a
    /// record that differs from the audit log; tests use it to prove that.
    #[doc(hidden)]
    pub fn write_bypassing_audit(&self, changes: &[Change]) -> Result<()> {
        self.writing(|live| live.write_bypassing_audit(changes))
    }

    /// Makes everything written so far durable.
    pub fn flush(&self) -> Result<()> {
        self.writing(|live| live.flush())
    }

    /// The audit log, oldest first.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        self.live()?.audit_entries()
    }

    /// The audit log newest first, decoded as it is read.
    pub fn audit_rev(&self) -> Box<dyn Iterator<Item = Result<AuditEntry>> + Send> {
        let (tree, path) = match self.live() {
            Ok(live) => (live.audit.clone(), self.path.clone()),
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        Box::new(tree.iter().rev().map(move |item| {
            let (_, v) = item.map_err(|e| sled_error(&path, e))?;
            audit::open(&v)
                .map(|(entry, _)| entry)
                .map_err(|what| StoreError::Corrupt {
                    path: path.clone(),
                    what,
                })
        }))
    }

    /// The audit log from entry `from` (inclusive).
    pub fn audit_since(&self, from: u64) -> Result<Vec<AuditEntry>> {
        self.live()?.audit_since(from)
    }

    /// The newest audit entry's sequence number and hash.
    pub fn audit_head(&self) -> Result<(u64, String)> {
        let head = self.head()?;
        Ok((head.seq, head.hash))
    }

    fn head(&self) -> Result<audit::Head> {
        self.live()?.head()
    }

    /// Replays the audit log from empty and requires the result to be the
    /// stored records exactly (see [`Live::verify`]).
    pub fn verify(&self) -> Result<VerifyReport> {
        self.live()?.verify()
    }

    /// Reads the whole audit log, checking and replaying it.
    pub(crate) fn walk_log(&self) -> Result<audit::Walk> {
        self.live()?.walk_log()
    }

    fn stored_records(&self) -> Result<(Vec<Record>, Vec<Problem>)> {
        self.live()?.stored_records()
    }

    /// A user's saved working state (pane, cursor, unsaved text).
    pub fn session(&self, user: &str) -> Result<Option<Vec<u8>>> {
        self.live()?.session(user)
    }

    /// Saves a user's working state durably. Not audited: it is not contest data.
    pub fn save_session(&self, user: &str, state: &[u8]) -> Result<()> {
        self.writing(|live| {
            live.save_session(user, state)?;
            live.flush()
        })
    }

    /// Every saved session, for backups.
    pub fn sessions(&self) -> Result<Vec<(String, Vec<u8>)>> {
        self.live()?.sessions()
    }

    /// Raw access for migrations and the pre-migration backup.
    pub(crate) fn with_db<T>(&self, f: impl FnOnce(&sled::Db) -> T) -> Result<T> {
        Ok(f(&self.live()?.db))
    }
}

impl Live {
    fn open(path: &Path) -> Result<Live> {
        let db = open_sled(path)?;
        let sled_err = |e| sled_error(path, e);
        let mut trees = Vec::new();
        for c in Collection::ALL {
            trees.push((c, db.open_tree(c.name()).map_err(sled_err)?));
        }
        Ok(Live {
            log: std::fs::File::open(path.join("db")).ok(),
            audit: db.open_tree("audit").map_err(sled_err)?,
            meta: db.open_tree("meta").map_err(sled_err)?,
            sessions: db.open_tree("sessions").map_err(sled_err)?,
            db,
            path: path.to_path_buf(),
            trees,
        })
    }

    fn sled_err(&self, e: sled::Error) -> StoreError {
        sled_error(&self.path, e)
    }

    fn corrupt(&self, what: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what: what.into(),
        }
    }

    fn tree(&self, c: Collection) -> &sled::Tree {
        &self
            .trees
            .iter()
            .find(|(x, _)| *x == c)
            .expect("every collection has a tree")
            .1
    }

    /// The schema version recorded in the database (0 for a new one).
    pub fn schema(&self) -> Result<u32> {
        Ok(self
            .meta
            .get(META_SCHEMA)
            .map_err(|e| self.sled_err(e))?
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0))
    }

    fn set_schema(&self, v: u32) -> Result<()> {
        self.meta
            .insert(META_SCHEMA, &v.to_be_bytes())
            .map_err(|e| self.sled_err(e))?;
        Ok(())
    }

    /// Whether the database holds no records and no history.
    pub fn is_empty(&self) -> bool {
        self.audit.is_empty() && self.trees.iter().all(|(_, t)| t.is_empty())
    }

    /// Reads every record into memory. The participants are decoded and
    /// laid out on a second thread while this one does the attendance and
    /// the smaller collections. The bulk collections are built at once from
    /// all their records (sorted, then laid out), far cheaper than one
    /// insert at a time.
    pub fn load(&self) -> Result<Contest> {
        let all = 0..chunk::CHUNKS;
        let (participants, rest) = std::thread::scope(|s| {
            let other = s.spawn(|| {
                self.read_records(|c| c == Collection::Participants, all.clone())
                    .map(|records| {
                        records
                            .into_iter()
                            .filter_map(|r| match r {
                                Record::Participant(p) => Some((p.id.clone(), p)),
                                _ => None,
                            })
                            .collect::<SharedMap<_, _>>()
                    })
            });
            let rest = self.read_records(|c| c != Collection::Participants, all.clone());
            (
                other.join().expect("the loading thread does not panic"),
                rest,
            )
        });
        let mut attendance = Vec::new();
        let mut contest = Contest::default();
        for record in rest? {
            match record {
                Record::Attendance(a) => attendance.push((a.participant.clone(), a)),
                other => contest
                    .insert(other)
                    .map_err(|problems| StoreError::BadRegulation {
                        path: self.path.clone(),
                        problems,
                    })?,
            }
        }
        contest.attendance = attendance.into_iter().collect();
        contest.participants = participants?;
        Ok(contest)
    }

    /// Decodes the records of the trees `which` selects: of chunked trees
    /// only the chunks in `chunks`, of the others every record.
    fn read_records(
        &self,
        which: impl Fn(Collection) -> bool,
        chunks: std::ops::Range<u32>,
    ) -> Result<Vec<Record>> {
        let mut out = Vec::new();
        for (c, tree) in self.trees.iter().filter(|(c, _)| which(*c)) {
            if chunk::is_chunked(*c) {
                let range = chunk::chunk_key(chunks.start)..chunk::chunk_key(chunks.end);
                for item in tree.range(range) {
                    let (k, v) = item.map_err(|e| self.sled_err(e))?;
                    out.extend(chunk::decode(&v).map_err(|what| {
                        self.corrupt(format!("{} chunk {:?}: {what}", c.name(), k.as_ref()))
                    })?);
                }
                continue;
            }
            for item in tree.iter() {
                let (k, v) = item.map_err(|e| self.sled_err(e))?;
                out.push(decode_record(&v).map_err(|what| {
                    self.corrupt(format!(
                        "{} record {}: {what}",
                        c.name(),
                        String::from_utf8_lossy(&k).replace(KEY_SEPARATOR as char, "/")
                    ))
                })?);
            }
        }
        Ok(out)
    }

    /// Writes `changes` and their audit entry atomically, then flushes. The
    /// entry records each change with the record it replaced, as the
    /// transaction found it, and the record after it.
    pub fn commit(&self, stamp: &Stamp, changes: &[Change]) -> Result<AuditEntry> {
        let writes = self.plan_writes(changes);
        let mut trees = writes.trees.clone();
        trees.push(&self.audit);
        trees.push(&self.meta);
        let n = writes.trees.len();
        let result: std::result::Result<AuditEntry, TransactionError<String>> =
            trees.as_slice().transaction(|tx| {
                let before = writes.apply(tx, changes.len())?;
                let head = tx[n + 1]
                    .get(META_AUDIT_HEAD)?
                    .map(|h| audit::Head::decode(&h))
                    .transpose()
                    .map_err(ConflictableTransactionError::Abort)?
                    .unwrap_or_default();
                let described = audit::describe_changes(changes, |i, _| before[i].clone());
                let (entry, stored) = audit::seal(&head, stamp, described);
                tx[n].insert(&entry.seq.to_be_bytes(), stored)?;
                tx[n + 1].insert(
                    META_AUDIT_HEAD,
                    audit::Head {
                        seq: entry.seq,
                        hash: entry.hash.clone(),
                    }
                    .encode(),
                )?;
                Ok(entry)
            });
        let entry = match result {
            Ok(e) => e,
            Err(TransactionError::Abort(what)) => return Err(self.corrupt(what)),
            Err(TransactionError::Storage(e)) => return Err(self.sled_err(e)),
        };
        Ok(entry)
    }

    /// Writes `changes` to the records only, with no audit entry: what an
    /// edit that bypasses konkurs does. [`Store::verify`] reports it as a
    /// record that differs from the audit log; tests use it to prove that.
    #[doc(hidden)]
    pub fn write_bypassing_audit(&self, changes: &[Change]) -> Result<()> {
        let writes = self.plan_writes(changes);
        let result: std::result::Result<(), TransactionError<String>> = writes
            .trees
            .as_slice()
            .transaction(|tx| writes.apply(tx, changes.len()).map(|_| ()));
        match result {
            Ok(()) => self.flush(),
            Err(TransactionError::Abort(what)) => Err(self.corrupt(what)),
            Err(TransactionError::Storage(e)) => Err(self.sled_err(e)),
        }
    }

    /// Takes back `unsaved` (the newest entries of the log, oldest first):
    /// puts back the record each change replaced, removes the entries and
    /// sets the head to `head`, in one transaction.
    fn take_back(&self, unsaved: &[AuditEntry], head: &audit::Head) -> Result<()> {
        let mut changes = Vec::new();
        for entry in unsaved.iter().rev() {
            if !entry.detailed {
                return Err(self.corrupt(format!(
                    "audit entry #{} was not saved and does not hold the records to take it back",
                    entry.seq
                )));
            }
            for c in entry.changes.iter().rev() {
                changes.push(match &c.before {
                    Some(r) => Change::Put(r.clone()),
                    None => Change::Delete(c.key.clone()),
                });
            }
        }
        let writes = self.plan_writes(&changes);
        let mut trees = writes.trees.clone();
        trees.push(&self.audit);
        trees.push(&self.meta);
        let n = writes.trees.len();
        let result: std::result::Result<(), TransactionError<String>> =
            trees.as_slice().transaction(|tx| {
                writes.apply(tx, changes.len())?;
                for entry in unsaved {
                    tx[n].remove(&entry.seq.to_be_bytes())?;
                }
                if head.seq == 0 {
                    tx[n + 1].remove(META_AUDIT_HEAD)?;
                } else {
                    tx[n + 1].insert(META_AUDIT_HEAD, head.encode())?;
                }
                Ok(())
            });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(what)) => Err(self.corrupt(what)),
            Err(TransactionError::Storage(e)) => Err(self.sled_err(e)),
        }
    }

    /// The trees `changes` touch and what to write in each.
    fn plan_writes<'a>(&'a self, changes: &'a [Change]) -> Writes<'a> {
        let mut writes = Writes::default();
        for (i, change) in changes.iter().enumerate() {
            let key = change.key();
            let c = key.collection();
            let idx = match writes.collections.iter().position(|x| *x == c) {
                Some(i) => i,
                None => {
                    writes.collections.push(c);
                    writes.trees.push(self.tree(c));
                    writes.collections.len() - 1
                }
            };
            let record = match change {
                Change::Put(r) => Some(r),
                Change::Delete(_) => None,
            };
            if chunk::is_chunked(c) {
                writes
                    .chunked
                    .entry((idx, chunk::chunk_of(&key)))
                    .or_default()
                    .push((i, key, record));
            } else {
                writes
                    .plain
                    .push((i, idx, key_bytes(&key), record.map(encode_record)));
            }
        }
        writes
    }

    /// Makes everything written so far durable: sled writes its buffers
    /// out, then the log file is fsynced so that the disk's own cache holds
    /// nothing of it either.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.sled_err(e))?;
        if let Some(log) = &self.log {
            log.sync_data()?;
        }
        Ok(())
    }

    /// The audit log, oldest first.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        let mut out = Vec::new();
        for item in self.audit.iter() {
            let (_, v) = item.map_err(|e| self.sled_err(e))?;
            out.push(audit::open(&v).map_err(|w| self.corrupt(w))?.0);
        }
        Ok(out)
    }

    /// The audit log from entry `from` (inclusive).
    pub fn audit_since(&self, from: u64) -> Result<Vec<AuditEntry>> {
        let mut out = Vec::new();
        for item in self.audit.range(from.to_be_bytes()..) {
            let (_, v) = item.map_err(|e| self.sled_err(e))?;
            out.push(audit::open(&v).map_err(|w| self.corrupt(w))?.0);
        }
        Ok(out)
    }

    fn head(&self) -> Result<audit::Head> {
        Ok(self
            .meta
            .get(META_AUDIT_HEAD)
            .map_err(|e| self.sled_err(e))?
            .map(|h| audit::Head::decode(&h))
            .transpose()
            .map_err(|w| self.corrupt(w))?
            .unwrap_or_default())
    }

    /// Replays the audit log from empty and requires the result to be the
    /// stored records exactly: every record, every field. Also checks that
    /// every record decodes and sits where its key says, that the entries
    /// are numbered 1, 2, 3… with each hash matching its content and
    /// continuing the chain, and that the head names the last entry. The
    /// log is read on a second thread while this one reads the records.
    pub fn verify(&self) -> Result<VerifyReport> {
        let head = self.head()?;
        let (walk, stored) = std::thread::scope(|s| {
            let walker = s.spawn(|| self.walk_log());
            let stored = self.stored_records();
            (
                walker.join().expect("the verifying thread does not panic"),
                stored,
            )
        });
        let mut walk = walk?;
        let (records, mut problems) = stored?;
        walk.check_head(&head);
        let count = records.len();
        walk.compare(records);
        if let Some((seq, keys)) = walk.unproved() {
            walk.problems.push(Problem::Unproved {
                seq,
                records: keys.len(),
            });
        }
        problems.append(&mut walk.problems);
        Ok(VerifyReport {
            records: count,
            audit_entries: walk.entries,
            head_hash: walk.last_hash,
            problems,
        })
    }

    /// Reads the whole audit log, checking and replaying it.
    pub(crate) fn walk_log(&self) -> Result<audit::Walk> {
        let mut walk = audit::Walk::default();
        for item in self.audit.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let under = k.as_ref().try_into().map(u64::from_be_bytes).unwrap_or(0);
            walk.step(Some(under), &v);
        }
        Ok(walk)
    }

    /// Every stored record, with the problems of those that do not decode
    /// or do not sit where their key says.
    fn stored_records(&self) -> Result<(Vec<Record>, Vec<Problem>)> {
        let mut records = Vec::new();
        let mut problems = Vec::new();
        for (c, tree) in &self.trees {
            if chunk::is_chunked(*c) {
                for item in tree.iter() {
                    let (k, v) = item.map_err(|e| self.sled_err(e))?;
                    match chunk::decode(&v) {
                        Ok(decoded) => {
                            for r in decoded {
                                if r.collection() != *c
                                    || chunk::chunk_key(chunk::chunk_of(&r.key())) != k.as_ref()
                                {
                                    problems.push(Problem::Misplaced { key: r.key() });
                                }
                                records.push(r);
                            }
                        }
                        Err(why) => problems.push(Problem::UnreadableRecord {
                            place: format!("{} chunk {:?}", c.name(), k.as_ref()),
                            why,
                        }),
                    }
                }
                continue;
            }
            for item in tree.iter() {
                let (k, v) = item.map_err(|e| self.sled_err(e))?;
                match decode_record(&v) {
                    Ok(r) => {
                        if r.collection() != *c || key_bytes(&r.key()) != k.as_ref() {
                            problems.push(Problem::Misplaced { key: r.key() });
                        }
                        records.push(r);
                    }
                    Err(why) => problems.push(Problem::UnreadableRecord {
                        place: format!(
                            "{}/{}",
                            c.name(),
                            String::from_utf8_lossy(&k).replace(KEY_SEPARATOR as char, "/")
                        ),
                        why,
                    }),
                }
            }
        }
        Ok((records, problems))
    }

    /// A user's saved working state (pane, cursor, unsaved text).
    pub fn session(&self, user: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .sessions
            .get(user.as_bytes())
            .map_err(|e| self.sled_err(e))?
            .map(|v| v.to_vec()))
    }

    /// Saves a user's working state durably. Not audited: it is not contest data.
    pub fn save_session(&self, user: &str, state: &[u8]) -> Result<()> {
        self.sessions
            .insert(user.as_bytes(), state)
            .map_err(|e| self.sled_err(e))?;
        Ok(())
    }

    /// Every saved session, for backups.
    pub fn sessions(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut out = Vec::new();
        for item in self.sessions.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            out.push((String::from_utf8_lossy(&k).into_owned(), v.to_vec()));
        }
        Ok(out)
    }
}

/// Opens sled. A lock held by this same process is let go of by sled's
/// background threads shortly after the database is dropped, so a lock
/// error is tried again for a moment before it is reported as a database
/// in use.
fn open_sled(path: &Path) -> Result<sled::Db> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    loop {
        match sled::Config::new()
            .path(path)
            .cache_capacity(256 * 1024 * 1024)
            .open()
        {
            Ok(db) => return Ok(db),
            Err(e) => {
                let error = open_error(path, e);
                if !matches!(error, StoreError::InUse { .. })
                    || std::time::Instant::now() >= deadline
                {
                    return Err(error);
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
}

fn sled_error(path: &Path, e: sled::Error) -> StoreError {
    StoreError::Sled {
        path: path.to_path_buf(),
        source: e,
    }
}

fn open_error(path: &Path, e: sled::Error) -> StoreError {
    let text = e.to_string();
    if text.contains("could not acquire lock") || text.contains("WouldBlock") {
        let info = std::fs::read(path.join(SERVE_INFO_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice::<ServeInfo>(&b).ok());
        let (server, how) = match info {
            Some(i) => {
                let port = i.listen.rsplit(':').next().unwrap_or("2222").to_string();
                (
                    format!(" (konkurs serve, pid {}, listening on {})", i.pid, i.listen),
                    format!("ssh -p {port} <your-id>@<server-host>"),
                )
            }
            None => (
                String::new(),
                "if it is `konkurs serve`, use ssh -p 2222 <your-id>@<server-host>; \
                 to share a database, run `konkurs serve --db <dir>` and let everyone connect over SSH"
                    .to_string(),
            ),
        };
        return StoreError::InUse {
            path: path.to_path_buf(),
            server,
            how,
        };
    }
    StoreError::Sled {
        path: path.to_path_buf(),
        source: e,
    }
}

/// The bytes a key is stored under: its parts joined by the unit separator.
pub fn key_bytes(key: &Key) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, part) in key.parts().iter().enumerate() {
        if i > 0 {
            out.push(KEY_SEPARATOR);
        }
        out.extend_from_slice(part.as_bytes());
    }
    out
}

/// `[schema version][postcard record]`.
pub fn encode_record(r: &Record) -> Vec<u8> {
    let mut out = vec![CURRENT_SCHEMA as u8];
    out.extend(postcard::to_stdvec(r).expect("records always encode"));
    out
}

pub fn decode_record(bytes: &[u8]) -> std::result::Result<Record, String> {
    match bytes.split_first() {
        Some((v, rest)) if migrate::RECORD_LAYOUT.contains(&u32::from(*v)) => {
            postcard::from_bytes(rest).map_err(|e| format!("cannot decode: {e}"))
        }
        Some((v, _)) => Err(format!(
            "written with schema {v}, expected {CURRENT_SCHEMA}"
        )),
        None => Err("empty value".into()),
    }
}

#[cfg(test)]
mod tests;
