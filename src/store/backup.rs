//! `konkurs backup` / `konkurs restore`: the whole database as one readable
//! JSON document — every record, the audit log, its head and the saved
//! sessions.
//!
//! A backup proves itself the way a database does: `restore` replays its
//! audit log from empty and requires the result to be its records exactly,
//! checks the numbering, every hash and link, and that the head it carries
//! (the last entry's number and hash) names the last entry, all before it
//! writes anything. An edited record, an added one, a dropped or reordered
//! entry is refused with what disagrees.

use super::audit::{self, AuditEntry, Head};
use super::{CURRENT_SCHEMA, Result, Store, StoreError, chunk, encode_record, key_bytes};
use crate::domain::contest::{Collection, Key, Record};
use crate::domain::proof::Problem;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::Transactional;
use std::collections::{HashMap, HashSet};
use std::path::Path;

pub const FORMAT: &str = "konkurs-backup";

/// The JSON document of a backup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dump {
    pub format: String,
    pub schema: u32,
    pub created_at: DateTime<Utc>,
    /// The audit log's last entry: how many entries, and its hash. A log
    /// cut short at the end no longer reaches it. Backups of schema 1 have
    /// none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<DumpHead>,
    pub records: Vec<Record>,
    pub audit: Vec<AuditEntry>,
    pub sessions: Vec<SavedSession>,
}

/// The head of a backup's audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DumpHead {
    pub seq: u64,
    pub hash: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedSession {
    pub user: String,
    /// The session state, base64.
    pub state: String,
}

/// Why a backup file cannot be restored.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("{file}: not a konkurs backup: {why}")]
    NotABackup { file: String, why: String },
    #[error(
        "{file}: the backup's schema {found} is newer than this konkurs ({known}); update konkurs"
    )]
    TooNew {
        file: String,
        found: u32,
        known: u32,
    },
    /// The backup does not hold together: its records, audit chain, head or
    /// numbering disagree. Nothing was written.
    #[error("{file}: the backup was altered or damaged: {problems:?}")]
    Disagrees {
        file: String,
        problems: Vec<Problem>,
    },
    #[error(
        "the database {0} already holds data; restore into a new directory (--db NEW_DIR) or remove it first"
    )]
    NotEmpty(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a restore wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct Restored {
    pub records: usize,
    /// The audit log's length and last hash after the restore: the
    /// backup's head, or the checkpoint's when one was written.
    pub head: (u64, String),
    /// When the backup's log (of schema 1) could not prove some records:
    /// the checkpoint entry that now records them.
    pub checkpoint: Option<Checkpoint>,
}

/// A checkpoint entry written by a restore.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    /// The checkpoint's number: the new head.
    pub seq: u64,
    /// The records it recorded, and the first key-only entry that left them unproved.
    pub records: usize,
    pub first: u64,
}

impl Store {
    /// Everything in the database as a [`Dump`].
    pub fn dump(&self, created_at: DateTime<Utc>) -> Result<Dump> {
        let contest = self.load()?;
        let b64 = base64::engine::general_purpose::STANDARD;
        let head = self.head()?;
        Ok(Dump {
            format: FORMAT.into(),
            schema: CURRENT_SCHEMA,
            created_at,
            head: Some(DumpHead {
                seq: head.seq,
                hash: head.hash,
            }),
            records: contest.records().collect(),
            audit: self.audit_entries()?,
            sessions: self
                .sessions()?
                .into_iter()
                .map(|(user, state)| SavedSession {
                    user,
                    state: b64.encode(state),
                })
                .collect(),
        })
    }

    /// Checks a dump as `verify` checks a database, then writes it into
    /// this (empty) database in one transaction. Nothing is written when
    /// the dump's records, chain, head or numbering disagree.
    pub fn restore(&self, dump: &Dump, file: &str) -> std::result::Result<Restored, RestoreError> {
        let restored = self.live()?.restore(dump, file)?;
        let (seq, hash) = restored.head.clone();
        self.confirm(Head { seq, hash });
        Ok(restored)
    }
}

/// The audit entries of a dump, resealed as stored, by sequence number.
type Sealed = Vec<(u64, Vec<u8>)>;

/// The first key-only entry of a schema 1 log and the records it left unproved.
type Unproved = Option<(u64, Vec<Key>)>;

impl super::Live {
    fn restore(&self, dump: &Dump, file: &str) -> std::result::Result<Restored, RestoreError> {
        self.admit(dump, file)?;
        // Check everything before writing anything.
        let (mut sealed, walk, checkpoint) = check(dump, file)?;
        let sessions = sessions(dump, file)?;
        let head = Head {
            seq: walk.entries,
            hash: walk.last_hash.clone(),
        };
        let (head, written) = match checkpoint {
            Some((first, keys)) => {
                let (head, written) = seal_checkpoint(dump, &head, first, &keys, &mut sealed);
                (head, Some(written))
            }
            None => (head, None),
        };
        self.write(dump, &sealed, &head, &sessions)?;
        self.flush()?;
        Ok(Restored {
            records: dump.records.len(),
            head: (head.seq, head.hash),
            checkpoint: written,
        })
    }

    /// Refuses a file that is not a backup, one newer than this konkurs, or a database not empty.
    fn admit(&self, dump: &Dump, file: &str) -> std::result::Result<(), RestoreError> {
        if dump.format != FORMAT {
            return Err(RestoreError::NotABackup {
                file: file.into(),
                why: format!("its format is '{}', expected '{FORMAT}'", dump.format),
            });
        }
        if dump.schema > CURRENT_SCHEMA {
            return Err(RestoreError::TooNew {
                file: file.into(),
                found: dump.schema,
                known: CURRENT_SCHEMA,
            });
        }
        if !self.is_empty() {
            return Err(RestoreError::NotEmpty(self.path.display().to_string()));
        }
        Ok(())
    }

    /// Writes the records, the audit log, its head and the sessions in one transaction.
    fn write(
        &self,
        dump: &Dump,
        sealed: &Sealed,
        head: &Head,
        sessions: &[(String, Vec<u8>)],
    ) -> std::result::Result<(), RestoreError> {
        let mut trees: Vec<&sled::Tree> = Collection::ALL.iter().map(|c| self.tree(*c)).collect();
        trees.push(&self.audit);
        trees.push(&self.meta);
        trees.push(&self.sessions);
        let n = Collection::ALL.len();
        let result: std::result::Result<(), sled::transaction::TransactionError<()>> =
            trees.as_slice().transaction(|tx| {
                let mut chunks: std::collections::BTreeMap<(usize, u32), Vec<Record>> =
                    Default::default();
                for r in &dump.records {
                    let idx = Collection::ALL
                        .iter()
                        .position(|c| *c == r.collection())
                        .expect("every collection is listed");
                    if chunk::is_chunked(r.collection()) {
                        chunks
                            .entry((idx, chunk::chunk_of(&r.key())))
                            .or_default()
                            .push(r.clone());
                    } else {
                        tx[idx].insert(key_bytes(&r.key()), encode_record(r))?;
                    }
                }
                for ((idx, c), mut records) in chunks {
                    tx[idx].insert(&chunk::chunk_key(c)[..], chunk::encode(&mut records))?;
                }
                for (seq, stored) in sealed {
                    tx[n].insert(&seq.to_be_bytes(), stored.as_slice())?;
                }
                if head.seq > 0 {
                    tx[n + 1].insert(super::META_AUDIT_HEAD, head.encode())?;
                }
                for (user, state) in sessions {
                    tx[n + 2].insert(user.as_bytes(), state.as_slice())?;
                }
                Ok(())
            });
        result.map_err(|e| match e {
            sled::transaction::TransactionError::Storage(e) => {
                RestoreError::Store(self.sled_err(e))
            }
            sled::transaction::TransactionError::Abort(()) => unreachable!("never aborts"),
        })
    }
}

/// Checks a dump as `verify` checks a database: its chain, head, records and numbering.
fn check(
    dump: &Dump,
    file: &str,
) -> std::result::Result<(Sealed, audit::Walk, Unproved), RestoreError> {
    let mut walk = audit::Walk::default();
    let mut sealed = Vec::with_capacity(dump.audit.len());
    for entry in &dump.audit {
        let stored = audit::reseal(entry).map_err(|why| RestoreError::NotABackup {
            file: file.into(),
            why: format!("audit entry {}: {why}", entry.seq),
        })?;
        walk.step(None, &stored);
        sealed.push((entry.seq, stored));
    }
    match &dump.head {
        Some(h) => walk.check_head(&Head {
            seq: h.seq,
            hash: h.hash.clone(),
        }),
        None if dump.schema >= 2 => walk.problems.push(Problem::NoHead),
        None => {}
    }
    let mut problems = Vec::new();
    let mut seen: HashSet<Key> = HashSet::with_capacity(dump.records.len());
    let mut duplicate = None;
    let records: Vec<Record> = dump
        .records
        .iter()
        .filter(|r| {
            let fresh = seen.insert(r.key());
            if !fresh && duplicate.is_none() {
                duplicate = Some(r.key());
            }
            fresh
        })
        .cloned()
        .collect();
    if let Some(key) = duplicate {
        problems.push(Problem::Duplicate { key });
    }
    walk.compare(records);
    // A log of schema 1 may leave records unproved: they are restored
    // as they are and recorded by a checkpoint, as opening a database
    // of schema 1 does. A log of this konkurs may not.
    let checkpoint = match walk.unproved() {
        Some((first, keys)) if dump.schema < 2 => Some((first, keys)),
        Some((seq, keys)) => {
            walk.problems.push(Problem::Unproved {
                seq,
                records: keys.len(),
            });
            None
        }
        None => None,
    };
    problems.append(&mut walk.problems);
    if !problems.is_empty() {
        return Err(RestoreError::Disagrees {
            file: file.into(),
            problems,
        });
    }
    Ok((sealed, walk, checkpoint))
}

/// The dump's saved sessions, decoded from base64.
fn sessions(dump: &Dump, file: &str) -> std::result::Result<Vec<(String, Vec<u8>)>, RestoreError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut sessions = Vec::new();
    for s in &dump.sessions {
        let state = b64.decode(&s.state).map_err(|e| RestoreError::NotABackup {
            file: file.into(),
            why: format!("the session of '{}' is not base64: {e}", s.user),
        })?;
        sessions.push((s.user.clone(), state));
    }
    Ok(sessions)
}

/// Seals the checkpoint that records a schema 1 log's unproved records after `head`.
fn seal_checkpoint(
    dump: &Dump,
    head: &Head,
    first: u64,
    keys: &[Key],
    sealed: &mut Sealed,
) -> (Head, Checkpoint) {
    let by_key: HashMap<Key, &Record> = dump.records.iter().map(|r| (r.key(), r)).collect();
    let changes = audit::checkpoint_changes(keys, |k| by_key.get(k).map(|r| (*r).clone()));
    let stamp = audit::checkpoint_stamp(Utc::now(), changes.len(), first, dump.schema);
    let described = audit::describe_changes(&changes, |_, k| by_key.get(k).map(|r| (*r).clone()));
    let (entry, stored) = audit::seal(head, &stamp, described);
    sealed.push((entry.seq, stored));
    let written = Checkpoint {
        seq: entry.seq,
        records: changes.len(),
        first,
    };
    (
        Head {
            seq: entry.seq,
            hash: entry.hash,
        },
        written,
    )
}

/// Writes `text` to `path` so that a crash leaves either the old file or the
/// new one, never half of it: a temporary file in the same directory, synced,
/// then renamed over. The file is private to its owner (0600): a backup holds
/// everything, and an export every score of its stage. The temporary file is
/// named `.<name>.konkurs-<pid>-<random>.partial`; one a killed process left
/// behind is removed by the next write into the same directory, and by the
/// next opening of the database for its own directories ([`sweep_partials`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    sweep_partials(dir);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.{PARTIAL_MARK}{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(PARTIAL_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

const PARTIAL_MARK: &str = "konkurs-";
const PARTIAL_SUFFIX: &str = ".partial";

/// Removes the temporary files of [`write_atomically`] in `dir` whose
/// process is gone (killed while writing a backup or an export), and
/// returns how many. Those of a running process are left alone.
pub fn sweep_partials(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(pid) = partial_owner(name) else {
            continue;
        };
        if !process_alive(pid) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The process that writes a temporary file named as [`write_atomically`]
/// names them.
fn partial_owner(name: &str) -> Option<u32> {
    if !name.starts_with('.') || !name.ends_with(PARTIAL_SUFFIX) {
        return None;
    }
    let (_, rest) = name.rsplit_once(PARTIAL_MARK)?;
    rest.split('-').next()?.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only asks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        alive || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

#[cfg(test)]
mod partial_tests {
    use super::*;

    #[test]
    fn a_killed_writers_partial_file_is_swept_and_a_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // A process that has exited: its pid is free (a recycled pid only
        // keeps the file until the next sweep).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let left = dir
            .path()
            .join(format!(".backup.json.konkurs-{dead}-a1B2c3.partial"));
        let live = dir.path().join(format!(
            ".export.csv.konkurs-{}-x9Y8z7.partial",
            std::process::id()
        ));
        let other = dir.path().join(".hidden-but-not-ours");
        for f in [&left, &live, &other] {
            std::fs::write(f, b"half").unwrap();
        }
        write_atomically(&dir.path().join("backup.json"), b"{}").unwrap();
        assert!(!left.exists(), "the killed writer's file is removed");
        assert!(live.exists(), "a running writer's file is kept");
        assert!(other.exists(), "a file konkurs did not name is kept");
        assert_eq!(
            std::fs::read(dir.path().join("backup.json")).unwrap(),
            b"{}"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }
}
