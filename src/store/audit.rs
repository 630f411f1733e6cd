//! The append-only, hash-chained audit log.
//!
//! Each entry is stored as `[schema][postcard(Sealed)]` where `Sealed` holds
//! the entry's encoded body, the previous entry's hash and its own hash,
//! `sha256(prev_hash || body)`. Hashing the stored body bytes, not a
//! re-encoding, keeps old entries verifiable whatever the code becomes.

use super::{CURRENT_SCHEMA, Stamp};
use crate::domain::contest::{Change, Key, Record, hex};
use crate::domain::people::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Above this many changes an entry lists keys only, with a digest of the
/// records, so that a 100,000-row import does not write a 100 MB entry.
pub const DETAIL_LIMIT: usize = 1000;

/// One recorded change: the key, and the record before and after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditChange {
    pub key: Key,
    pub before: Option<Record>,
    pub after: Option<Record>,
}

/// Who did what when, and what it changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: Role,
    pub action: String,
    pub summary: String,
    pub change_count: u64,
    /// Whether `changes` carries the records; false for bulk changes above
    /// [`DETAIL_LIMIT`], which keep keys only and `digest`.
    pub detailed: bool,
    pub changes: Vec<AuditChange>,
    /// SHA-256 of the encoded records after the change, for bulk entries.
    pub digest: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Body {
    seq: u64,
    at: DateTime<Utc>,
    actor: String,
    role: Role,
    action: String,
    summary: String,
    change_count: u64,
    detailed: bool,
    changes: Vec<AuditChange>,
    digest: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Sealed {
    body: Vec<u8>,
    prev_hash: [u8; 32],
    hash: [u8; 32],
}

/// The newest entry: the next one continues from it.
#[derive(Clone, Debug, Default)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

impl Head {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(&(self.seq, &self.hash)).expect("encodes")
    }

    pub fn decode(bytes: &[u8]) -> Result<Head, String> {
        let (seq, hash): (u64, String) =
            postcard::from_bytes(bytes).map_err(|e| format!("audit head: {e}"))?;
        Ok(Head { seq, hash })
    }
}

/// The record changes an entry will describe, in full or as keys.
pub fn describe_changes(
    changes: &[Change],
    before: &dyn Fn(&Key) -> Option<Record>,
) -> (Vec<AuditChange>, bool, String) {
    let detailed = changes.len() <= DETAIL_LIMIT;
    let mut digest = Sha256::new();
    let list = changes
        .iter()
        .map(|c| {
            let key = c.key();
            let after = match c {
                Change::Put(r) => Some(r.clone()),
                Change::Delete(_) => None,
            };
            if !detailed {
                digest.update(postcard::to_stdvec(&(&key, &after)).expect("encodes"));
            }
            AuditChange {
                before: if detailed { before(&key) } else { None },
                after: if detailed { after } else { None },
                key,
            }
        })
        .collect();
    let digest = if detailed {
        String::new()
    } else {
        hex(&digest.finalize())
    };
    (list, detailed, digest)
}

fn hash_of(prev: &[u8; 32], body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(body);
    h.finalize().into()
}

fn unhex(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = s
            .get(i * 2..i * 2 + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0);
    }
    out
}

/// Builds the entry that follows `head`, and its stored bytes.
pub fn seal(
    head: Head,
    stamp: &Stamp,
    (changes, detailed, digest): (Vec<AuditChange>, bool, String),
) -> (AuditEntry, Vec<u8>) {
    let seq = head.seq + 1;
    let body = Body {
        seq,
        at: stamp.at,
        actor: stamp.actor.clone(),
        role: stamp.role,
        action: stamp.action.clone(),
        summary: stamp.summary.clone(),
        change_count: changes.len() as u64,
        detailed,
        changes,
        digest,
    };
    let body_bytes = postcard::to_stdvec(&body).expect("encodes");
    let prev = unhex(&head.hash);
    let hash = hash_of(&prev, &body_bytes);
    let sealed = Sealed {
        body: body_bytes,
        prev_hash: prev,
        hash,
    };
    let mut stored = vec![CURRENT_SCHEMA as u8];
    stored.extend(postcard::to_stdvec(&sealed).expect("encodes"));
    (entry_of(body, &prev, &hash), stored)
}

fn entry_of(b: Body, prev: &[u8; 32], hash: &[u8; 32]) -> AuditEntry {
    AuditEntry {
        seq: b.seq,
        at: b.at,
        actor: b.actor,
        role: b.role,
        action: b.action,
        summary: b.summary,
        change_count: b.change_count,
        detailed: b.detailed,
        changes: b.changes,
        digest: b.digest,
        prev_hash: if b.seq == 1 { String::new() } else { hex(prev) },
        hash: hex(hash),
    }
}

/// Decodes a stored entry; also says whether its own hash is right.
pub fn open(stored: &[u8]) -> Result<(AuditEntry, bool), String> {
    let (_, rest) = stored.split_first().ok_or("empty audit entry")?;
    let sealed: Sealed = postcard::from_bytes(rest).map_err(|e| format!("audit entry: {e}"))?;
    let body: Body =
        postcard::from_bytes(&sealed.body).map_err(|e| format!("audit entry body: {e}"))?;
    let ok = hash_of(&sealed.prev_hash, &sealed.body) == sealed.hash;
    Ok((entry_of(body, &sealed.prev_hash, &sealed.hash), ok))
}

/// The stored bytes of an entry read back from a backup. `konkurs verify`
/// then checks that the restored chain is intact.
pub fn reseal(entry: &AuditEntry) -> Vec<u8> {
    let body = Body {
        seq: entry.seq,
        at: entry.at,
        actor: entry.actor.clone(),
        role: entry.role,
        action: entry.action.clone(),
        summary: entry.summary.clone(),
        change_count: entry.change_count,
        detailed: entry.detailed,
        changes: entry.changes.clone(),
        digest: entry.digest.clone(),
    };
    let body_bytes = postcard::to_stdvec(&body).expect("encodes");
    let prev = unhex(&entry.prev_hash);
    let hash = hash_of(&prev, &body_bytes);
    let sealed = Sealed {
        body: body_bytes,
        prev_hash: prev,
        hash,
    };
    let mut stored = vec![CURRENT_SCHEMA as u8];
    stored.extend(postcard::to_stdvec(&sealed).expect("encodes"));
    stored
}

/// What `konkurs verify` found.
#[derive(Clone, Debug, Default)]
pub struct VerifyReport {
    pub records: usize,
    pub audit_entries: u64,
    pub head_hash: String,
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

pub fn verify_chain(
    entries: impl Iterator<Item = sled::Result<(Vec<u8>, Vec<u8>)>>,
    head_seq: u64,
    head_hash: &str,
    report: &mut VerifyReport,
) -> sled::Result<()> {
    let mut prev = [0u8; 32];
    for (expected_seq, item) in (1u64..).zip(entries) {
        let (k, v) = item?;
        let key_seq = k.as_slice().try_into().map(u64::from_be_bytes).unwrap_or(0);
        match open(&v) {
            Err(what) => report
                .problems
                .push(format!("audit entry {key_seq}: {what}")),
            Ok((entry, self_ok)) => {
                if entry.seq != expected_seq || key_seq != entry.seq {
                    report.problems.push(format!(
                        "audit entry {key_seq}: expected sequence number {expected_seq}, found {}",
                        entry.seq
                    ));
                }
                if !self_ok {
                    report.problems.push(format!(
                        "audit entry {}: its hash does not match its content (it was altered)",
                        entry.seq
                    ));
                }
                let stored_prev = if entry.seq == 1 {
                    [0u8; 32]
                } else {
                    unhex(&entry.prev_hash)
                };
                if stored_prev != prev {
                    report.problems.push(format!(
                        "audit entry {}: it does not continue the chain (an entry before it was removed or altered)",
                        entry.seq
                    ));
                }
                prev = unhex(&entry.hash);
                report.head_hash = entry.hash;
            }
        }
        report.audit_entries += 1;
    }
    if report.audit_entries != head_seq {
        report.problems.push(format!(
            "the audit log has {} entries but its head says {head_seq}",
            report.audit_entries
        ));
    } else if head_seq > 0 && report.head_hash != head_hash {
        report
            .problems
            .push("the audit log's last entry is not the recorded head".into());
    }
    Ok(())
}
