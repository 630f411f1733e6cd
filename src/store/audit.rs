//! The append-only, hash-chained audit log, and what it proves.
//!
//! # The chain
//!
//! Entry *n* (1, 2, 3, …) is stored in the `audit` tree under *n* as 8
//! big-endian bytes. Its value is
//!
//! ```text
//! [format: 1 byte][postcard(Sealed { body: bytes, prev_hash: 32 bytes, hash: 32 bytes })]
//! ```
//!
//! with `hash(n) = SHA-256(hash(n-1) ‖ body(n))` and `hash(0)` 32 zero
//! bytes: each entry's hash covers its whole body and, through the
//! previous hash, every entry before it. The hash is taken over the body's
//! stored bytes, not a re-encoding, so an old entry stays verifiable
//! whatever the code becomes. The `meta` tree's `audit_head` holds
//! `(n, hex(hash(n)))` of the newest entry, written in the same transaction
//! as the entry; protocols print it, `konkurs verify` reports it and a
//! backup carries it, so a log cut short at the end is caught by its
//! count, and a log rewritten from some entry on by its head hash. For
//! a fresh `konkurs demo`, `konkurs verify` says `469 records, 8 audit
//! entries, head 21b3ad0c…` (the hash differs from run to run: each entry
//! holds its time): the head is `hash(8)`, and one byte changed in any of
//! the 8 bodies changes it.
//!
//! # What an entry proves
//!
//! A format-2 body holds who (actor, role, and the channel the action came
//! through: `local`, `local --as J02`, `control`, `ssh SHA256:…`), when,
//! the action and its summary, and for every record the change touched its
//! key, the record before and the record after (none: deleted or absent),
//! whatever the number of changes. Replaying the bodies 1…*n* from an
//! empty database therefore gives exactly the records: `konkurs verify`
//! requires that of the database, record by record and field by field, and
//! `konkurs restore` of a backup before it writes anything. An edit that
//! bypasses the log (a changed score, an added sheet, a changed role)
//! shows as a record that differs from the replay; a removed, added or
//! reordered entry as a break in the numbering or the chain.
//!
//! Format 1 (schema 1) bodies have no channel, and an entry of more than
//! 1,000 changes held the keys and a digest only, which proves nothing
//! about its records. Opening such a database migrates it: an
//! `audit.checkpoint` entry records, as they are then, the records that
//! such entries wrote last, and the replay goes on from there.
//!
//! # Cost
//!
//! An import of 100,000 participants writes one entry of 100,000 changes:
//! 22.5 MB of encoded changes, the size of the records themselves, which
//! takes about 0.15 s to describe, encode and hash (SHA-256 runs on the
//! CPU's SHA extensions), and leaves the database 21 MB larger on disk (54
//! MB before, 75 MB after). `verify` replays the log of 100,000
//! participants and their 5,000,000 attendance marks in about 1.5 s. The
//! README's performance table has the measured figures and the command.

use super::Stamp;
use crate::domain::contest::{Change, Key, Record, hex};
use crate::domain::people::Role;
use crate::domain::proof::{Disagreement, Problem, difference};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The format of the entries this konkurs writes.
pub const FORMAT: u8 = 2;

/// The action of an entry that records, as they stand, records the log
/// could not prove (written by key-only entries of an older konkurs).
pub const CHECKPOINT: &str = "audit.checkpoint";

/// The changes of a checkpoint for `keys`: each key's record as it stands,
/// or its deletion when there is none.
pub fn checkpoint_changes(keys: &[Key], record: impl Fn(&Key) -> Option<Record>) -> Vec<Change> {
    keys.iter()
        .map(|k| match record(k) {
            Some(r) => Change::Put(r),
            None => Change::Delete(k.clone()),
        })
        .collect()
}

/// Who writes a checkpoint (konkurs itself, locally) and why: `records`
/// records last written by key-only entries, the first of them `first`,
/// in a log of schema `schema`.
pub fn checkpoint_stamp(at: DateTime<Utc>, records: usize, first: u64, schema: u32) -> Stamp {
    Stamp {
        actor: "konkurs".into(),
        role: Role::Coordinator,
        channel: "local".into(),
        at: chrono::SubsecRound::trunc_subsecs(at, 6),
        action: CHECKPOINT.into(),
        summary: format!(
            "{records} records last written by audit entries of schema {schema} that kept keys only \
             (the first: entry {first}) recorded as they stand, so that the log proves them"
        ),
    }
}

/// One recorded change: the key, and the record before and after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditChange {
    pub key: Key,
    pub before: Option<Record>,
    pub after: Option<Record>,
}

/// Who did what when, through which channel, and what it changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: Role,
    /// How the action came: `local`, `local --as J02`, `control`,
    /// `control --as J02`, `ssh SHA256:…`; empty in entries written before
    /// konkurs recorded it.
    #[serde(default)]
    pub channel: String,
    pub action: String,
    pub summary: String,
    pub change_count: u64,
    /// Whether `changes` carries the records. Always true in format 2;
    /// false for format-1 entries above 1,000 changes, which kept keys
    /// only and `digest`.
    pub detailed: bool,
    pub changes: Vec<AuditChange>,
    /// SHA-256 of the encoded records after the change, for format-1
    /// entries that kept keys only; empty otherwise.
    pub digest: String,
    /// The layout of the stored body (1 or 2); backups written before
    /// format 2 do not name it.
    #[serde(default = "format_1")]
    pub format: u8,
    pub prev_hash: String,
    pub hash: String,
}

fn format_1() -> u8 {
    1
}

/// A format-1 body (schema 1).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct BodyV1 {
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

/// A format-2 body: every change in full, and the channel.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct BodyV2 {
    seq: u64,
    at: DateTime<Utc>,
    actor: String,
    role: Role,
    channel: String,
    action: String,
    summary: String,
    changes: Vec<AuditChange>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Sealed {
    body: Vec<u8>,
    prev_hash: [u8; 32],
    hash: [u8; 32],
}

/// The newest entry: the next one continues from it.
#[derive(Clone, Debug, Default, PartialEq)]
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

/// The record changes an entry will describe: each change's key, the
/// record `before(place, key)` says it replaced, and the record after it.
pub fn describe_changes(
    changes: &[Change],
    before: impl Fn(usize, &Key) -> Option<Record>,
) -> Vec<AuditChange> {
    changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let key = c.key();
            AuditChange {
                before: before(i, &key),
                after: match c {
                    Change::Put(r) => Some(r.clone()),
                    Change::Delete(_) => None,
                },
                key,
            }
        })
        .collect()
}

fn hash_of(prev: &[u8; 32], body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(body);
    h.finalize().into()
}

pub(super) fn unhex(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = s
            .get(i * 2..i * 2 + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0);
    }
    out
}

fn stored_bytes(format: u8, sealed: &Sealed) -> Vec<u8> {
    let mut stored = vec![format];
    stored.extend(postcard::to_stdvec(sealed).expect("encodes"));
    stored
}

/// A body chained to `head`: the previous hash, the entry's hash and the
/// stored bytes in `format`.
fn chained(head: &Head, format: u8, body: &impl Serialize) -> ([u8; 32], [u8; 32], Vec<u8>) {
    let body = postcard::to_stdvec(body).expect("encodes");
    let prev = unhex(&head.hash);
    let hash = hash_of(&prev, &body);
    let sealed = Sealed {
        body,
        prev_hash: prev,
        hash,
    };
    (prev, hash, stored_bytes(format, &sealed))
}

/// Builds the entry that follows `head`, and its stored bytes.
pub fn seal(head: &Head, stamp: &Stamp, changes: Vec<AuditChange>) -> (AuditEntry, Vec<u8>) {
    let body = BodyV2 {
        seq: head.seq + 1,
        at: stamp.at,
        actor: stamp.actor.clone(),
        role: stamp.role,
        channel: stamp.channel.clone(),
        action: stamp.action.clone(),
        summary: stamp.summary.clone(),
        changes,
    };
    let (prev, hash, stored) = chained(head, FORMAT, &body);
    (entry_v2(body, &prev, &hash), stored)
}

fn shown_prev(seq: u64, prev: &[u8; 32]) -> String {
    if seq == 1 { String::new() } else { hex(prev) }
}

fn entry_v1(b: BodyV1, prev: &[u8; 32], hash: &[u8; 32]) -> AuditEntry {
    AuditEntry {
        seq: b.seq,
        at: b.at,
        actor: b.actor,
        role: b.role,
        channel: String::new(),
        action: b.action,
        summary: b.summary,
        change_count: b.change_count,
        detailed: b.detailed,
        changes: b.changes,
        digest: b.digest,
        format: 1,
        prev_hash: shown_prev(b.seq, prev),
        hash: hex(hash),
    }
}

fn entry_v2(b: BodyV2, prev: &[u8; 32], hash: &[u8; 32]) -> AuditEntry {
    AuditEntry {
        seq: b.seq,
        at: b.at,
        actor: b.actor,
        role: b.role,
        channel: b.channel,
        action: b.action,
        summary: b.summary,
        change_count: b.changes.len() as u64,
        detailed: true,
        changes: b.changes,
        digest: String::new(),
        format: 2,
        prev_hash: shown_prev(b.seq, prev),
        hash: hex(hash),
    }
}

/// Decodes a stored entry; also says whether its own hash is right.
pub fn open(stored: &[u8]) -> Result<(AuditEntry, bool), String> {
    let (format, rest) = stored.split_first().ok_or("empty audit entry")?;
    let sealed: Sealed = postcard::from_bytes(rest).map_err(|e| format!("audit entry: {e}"))?;
    let ok = hash_of(&sealed.prev_hash, &sealed.body) == sealed.hash;
    let bad_body = |e: postcard::Error| format!("audit entry body: {e}");
    let entry = match format {
        1 => entry_v1(
            postcard::from_bytes(&sealed.body).map_err(bad_body)?,
            &sealed.prev_hash,
            &sealed.hash,
        ),
        2 => entry_v2(
            postcard::from_bytes(&sealed.body).map_err(bad_body)?,
            &sealed.prev_hash,
            &sealed.hash,
        ),
        f => return Err(format!("audit entry of unknown format {f}")),
    };
    Ok((entry, ok))
}

/// The stored bytes of an entry read back from a backup, with the hashes
/// the backup claims: [`open`] then says whether the entry is intact, as it
/// does for an entry of the database. An entry copied faithfully gets back
/// the very bytes it was stored as.
pub fn reseal(entry: &AuditEntry) -> Result<Vec<u8>, String> {
    let body = match entry.format {
        1 => postcard::to_stdvec(&BodyV1 {
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
        }),
        2 => postcard::to_stdvec(&BodyV2 {
            seq: entry.seq,
            at: entry.at,
            actor: entry.actor.clone(),
            role: entry.role,
            channel: entry.channel.clone(),
            action: entry.action.clone(),
            summary: entry.summary.clone(),
            changes: entry.changes.clone(),
        }),
        f => return Err(format!("unknown entry format {f}")),
    }
    .expect("encodes");
    let sealed = Sealed {
        body,
        prev_hash: if entry.seq == 1 && entry.prev_hash.is_empty() {
            [0u8; 32]
        } else {
            unhex(&entry.prev_hash)
        },
        hash: unhex(&entry.hash),
    };
    Ok(stored_bytes(entry.format, &sealed))
}

/// A log read oldest first: each entry's number, hash and link checked,
/// and its changes replayed onto what the entries before it left.
#[derive(Default)]
pub struct Walk {
    /// Entries read.
    pub entries: u64,
    /// The newest entry's hash, hex.
    pub last_hash: String,
    prev: [u8; 32],
    /// What the log leaves: each key's record.
    state: HashMap<Key, Record>,
    /// Keys last written by a format-1 entry that kept keys only, with the
    /// entry's number: the log says nothing of their records.
    unproved: HashMap<Key, u64>,
    pub problems: Vec<Problem>,
}

impl Walk {
    /// Reads the next entry, stored as `stored` (under the number
    /// `stored_under` in the database; a backup has no such number).
    pub fn step(&mut self, stored_under: Option<u64>, stored: &[u8]) {
        self.entries += 1;
        let place = self.entries;
        let (entry, intact) = match open(stored) {
            Ok(opened) => opened,
            Err(why) => {
                self.note(Problem::UnreadableEntry {
                    seq: stored_under.unwrap_or(place),
                    why,
                });
                return;
            }
        };
        if entry.seq != place || stored_under.is_some_and(|k| k != entry.seq) {
            self.note(Problem::OutOfSequence {
                expected: place,
                found: entry.seq,
            });
        }
        if !intact {
            self.note(Problem::Altered { seq: entry.seq });
        }
        if unhex(&entry.prev_hash) != self.prev {
            self.note(Problem::BrokenLink { seq: entry.seq });
        }
        self.prev = unhex(&entry.hash);
        self.last_hash = entry.hash.clone();
        self.replay(entry);
    }

    /// Keeps the first problem of each kind: after one removed entry every
    /// later one is out of place, and the first says where.
    fn note(&mut self, p: Problem) {
        let kind = std::mem::discriminant(&p);
        if !self
            .problems
            .iter()
            .any(|q| std::mem::discriminant(q) == kind)
        {
            self.problems.push(p);
        }
    }

    fn replay(&mut self, e: AuditEntry) {
        if !e.detailed {
            for c in e.changes {
                self.state.remove(&c.key);
                self.unproved.insert(c.key, e.seq);
            }
            return;
        }
        for c in e.changes {
            let unproved = self.unproved.remove(&c.key).is_some();
            // Format 1 took every before from the state ahead of the whole
            // batch; format 2 says exactly what each change found.
            if e.format >= 2
                && !unproved
                && let Some(d) = disagreement(self.state.get(&c.key), c.before.as_ref())
            {
                self.note(Problem::Before {
                    seq: e.seq,
                    key: c.key.clone(),
                    disagreement: d,
                });
            }
            match c.after {
                Some(r) => {
                    self.state.insert(c.key, r);
                }
                None => {
                    self.state.remove(&c.key);
                }
            }
        }
    }

    /// Compares the head the database or the backup names with the log.
    pub fn check_head(&mut self, head: &Head) {
        if head.seq != self.entries {
            self.note(Problem::HeadCount {
                head: head.seq,
                entries: self.entries,
            });
        } else if head.seq > 0 && head.hash != self.last_hash {
            self.note(Problem::HeadHash {
                seq: head.seq,
                head: head.hash.clone(),
                last: self.last_hash.clone(),
            });
        }
    }

    /// The keys whose records the log cannot prove, with the first entry
    /// that left one so.
    pub fn unproved(&self) -> Option<(u64, Vec<Key>)> {
        let first = self.unproved.values().min()?;
        let mut keys: Vec<Key> = self.unproved.keys().cloned().collect();
        keys.sort();
        Some((*first, keys))
    }

    /// Compares the records the log leaves with `records` (each key once),
    /// and notes the first differing record in key order with the number
    /// that differ. Records the log cannot prove are left out; say so with
    /// [`Walk::unproved`].
    pub fn compare(&mut self, records: impl IntoIterator<Item = Record>) {
        let mut first: Option<(Key, Disagreement)> = None;
        let mut differing = 0;
        let mut consider = |key: Key, d: Disagreement| {
            differing += 1;
            if first.as_ref().is_none_or(|(k, _)| key < *k) {
                first = Some((key, d));
            }
        };
        for r in records {
            let key = r.key();
            if self.unproved.contains_key(&key) {
                continue;
            }
            if let Some(d) = disagreement(self.state.remove(&key).as_ref(), Some(&r)) {
                consider(key, d);
            }
        }
        for (key, _) in self.state.drain() {
            consider(key, Disagreement::Missing);
        }
        if let Some((key, disagreement)) = first {
            self.note(Problem::Records {
                key,
                disagreement,
                differing,
            });
        }
    }
}

/// How `found` differs from what the log gives (`expected`), if it does.
fn disagreement(expected: Option<&Record>, found: Option<&Record>) -> Option<Disagreement> {
    match (expected, found) {
        (None, None) => None,
        (Some(_), None) => Some(Disagreement::Missing),
        (None, Some(_)) => Some(Disagreement::Unexpected),
        (Some(a), Some(b)) => difference(a, b),
    }
}

/// A format-1 entry, as konkurs wrote it before format 2: tests build
/// databases of schema 1 with it. Above 1,000 changes it keeps keys only.
#[cfg(test)]
pub fn seal_v1(head: &Head, stamp: &Stamp, changes: &[Change]) -> (AuditEntry, Vec<u8>) {
    let detailed = changes.len() <= 1000;
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
                before: None,
                after: if detailed { after } else { None },
                key,
            }
        })
        .collect();
    let body = BodyV1 {
        seq: head.seq + 1,
        at: stamp.at,
        actor: stamp.actor.clone(),
        role: stamp.role,
        action: stamp.action.clone(),
        summary: stamp.summary.clone(),
        change_count: changes.len() as u64,
        detailed,
        changes: list,
        digest: if detailed {
            String::new()
        } else {
            hex(&digest.finalize())
        },
    };
    let (prev, hash, stored) = chained(head, 1, &body);
    (entry_v1(body, &prev, &hash), stored)
}
