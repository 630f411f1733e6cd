//! The ranking's hash: a fingerprint of its rows that proves a frozen
//! ranking unchanged.

use super::{Ranking, RankingRow, key};
use crate::domain::ids::StageId;
use crate::domain::regulation::Aggregation;
use sha2::{Digest, Sha256};

impl Ranking {
    /// The SHA-256 of the ranking's canonical encoding, in lower-case hex.
    ///
    /// The encoding is the 18 bytes of the tag `konkurs-ranking-v1` (with
    /// no length before them), then the stage id and the method's code,
    /// then the number of rows, then for each row in order its participant
    /// id, rank, total and whether it advances. Those strings are their
    /// UTF-8 bytes preceded by their length, integers are 8 bytes
    /// little-endian, the total is rounded to 1e-9 and encoded as the
    /// signed integer number of 1e-9, and "advances" is one byte 0 or 1.
    pub fn compute_hash(&self) -> String {
        hash_rows(&self.stage, self.method, &self.rows)
    }

    /// The stored hash matches the rows: the ranking is as it was frozen.
    pub fn verify_hash(&self) -> bool {
        self.hash == self.compute_hash()
    }
}

/// What the hash reads of a row, live or frozen: its participant id, rank,
/// total and whether it advances.
pub trait HashedRow {
    fn hashed(&self) -> (&str, usize, f64, bool);
}

impl HashedRow for RankingRow {
    fn hashed(&self) -> (&str, usize, f64, bool) {
        (
            self.participant.as_str(),
            self.rank,
            self.total,
            self.advances,
        )
    }
}

/// The hash of [`Ranking::compute_hash`] from the rows' (participant, rank,
/// total, advances), so that a stored snapshot is checked the same way.
pub fn hash_rows<R: HashedRow>(stage: &StageId, method: Aggregation, rows: &[R]) -> String {
    let mut h = Sha256::new();
    h.update(b"konkurs-ranking-v1");
    put_str(&mut h, stage.as_str());
    put_str(&mut h, method.code());
    h.update((rows.len() as u64).to_le_bytes());
    for (participant, rank, total, advances) in rows.iter().map(R::hashed) {
        put_str(&mut h, participant);
        h.update((rank as u64).to_le_bytes());
        h.update(key(total).to_le_bytes());
        h.update([u8::from(advances)]);
    }
    format!("{:x}", h.finalize())
}

fn put_str(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_le_bytes());
    h.update(s.as_bytes());
}
