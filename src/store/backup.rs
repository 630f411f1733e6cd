//! `konkurs backup` / `konkurs restore`: the whole database as one readable
//! JSON document — every record, the audit log and the saved sessions.

use super::audit::{self, AuditEntry};
use super::{CURRENT_SCHEMA, Result, Store, StoreError, chunk, encode_record, key_bytes};
use crate::domain::contest::{Collection, Record};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::Transactional;
use std::path::Path;

pub const FORMAT: &str = "konkurs-backup";

/// The JSON document of a backup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dump {
    pub format: String,
    pub schema: u32,
    pub created_at: DateTime<Utc>,
    pub records: Vec<Record>,
    pub audit: Vec<AuditEntry>,
    pub sessions: Vec<SavedSession>,
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
    #[error("{file}: audit entry {seq}: {why}; the backup was altered or damaged")]
    BrokenChain { file: String, seq: u64, why: String },
    #[error(
        "the database {0} already holds data; restore into a new directory (--db NEW_DIR) or remove it first"
    )]
    NotEmpty(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Everything in the database as a [`Dump`].
    pub fn dump(&self, created_at: DateTime<Utc>) -> Result<Dump> {
        let contest = self.load()?;
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(Dump {
            format: FORMAT.into(),
            schema: CURRENT_SCHEMA,
            created_at,
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

    /// Writes a dump into this (empty) database in one transaction.
    pub fn restore(&self, dump: &Dump, file: &str) -> std::result::Result<(), RestoreError> {
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
            return Err(RestoreError::NotEmpty(self.path().display().to_string()));
        }
        // Check the chain before writing anything.
        let mut sealed = Vec::with_capacity(dump.audit.len());
        let mut prev = String::new();
        for (i, entry) in dump.audit.iter().enumerate() {
            let stored = audit::reseal(entry);
            let (reopened, _) = audit::open(&stored).map_err(|why| RestoreError::BrokenChain {
                file: file.into(),
                seq: entry.seq,
                why,
            })?;
            let why = if entry.seq != i as u64 + 1 {
                Some(format!("expected sequence number {}", i + 1))
            } else if reopened.hash != entry.hash {
                Some("its hash does not match its content".to_string())
            } else if entry.prev_hash != prev {
                Some("it does not continue the chain".to_string())
            } else {
                None
            };
            if let Some(why) = why {
                return Err(RestoreError::BrokenChain {
                    file: file.into(),
                    seq: entry.seq,
                    why,
                });
            }
            prev = entry.hash.clone();
            sealed.push((entry.seq, stored));
        }
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut sessions = Vec::new();
        for s in &dump.sessions {
            let state = b64.decode(&s.state).map_err(|e| RestoreError::NotABackup {
                file: file.into(),
                why: format!("the session of '{}' is not base64: {e}", s.user),
            })?;
            sessions.push((s.user.clone(), state));
        }

        let mut trees: Vec<&sled::Tree> = Collection::ALL.iter().map(|c| self.tree(*c)).collect();
        trees.push(&self.audit);
        trees.push(&self.meta);
        trees.push(&self.sessions);
        let n = Collection::ALL.len();
        let head = audit::Head {
            seq: dump.audit.len() as u64,
            hash: prev,
        };
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
                for (seq, stored) in &sealed {
                    tx[n].insert(&seq.to_be_bytes(), stored.as_slice())?;
                }
                if head.seq > 0 {
                    tx[n + 1].insert(super::META_AUDIT_HEAD, head.encode())?;
                }
                for (user, state) in &sessions {
                    tx[n + 2].insert(user.as_bytes(), state.as_slice())?;
                }
                Ok(())
            });
        result.map_err(|e| match e {
            sled::transaction::TransactionError::Storage(e) => {
                RestoreError::Store(self.sled_err(e))
            }
            sled::transaction::TransactionError::Abort(()) => unreachable!("never aborts"),
        })?;
        self.flush()?;
        Ok(())
    }
}

/// Writes `text` to `path` so that a crash leaves either the old file or the
/// new one, never half of it: a temporary file in the same directory, synced,
/// then renamed over. The file is private to its owner (0600): a backup holds
/// everything, and an export every score of its stage.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
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
