//! Chunked trees for the bulk collections.
//!
//! sled costs about a microsecond and a half per item to iterate, so a
//! tree of 100,000 participants takes longer to walk than to decode. The
//! participants and their attendance are therefore stored as 256 chunks per
//! tree: a record lives in the chunk its key hashes to, and a chunk's value
//! is the list of its records (`[schema][postcard(Vec<Record>)]`). Opening a
//! database then reads 256 values instead of 100,000, and a change rewrites
//! one chunk of a few hundred records.

use super::{CURRENT_SCHEMA, key_bytes};
use crate::domain::contest::{Collection, Key, Record};
use std::collections::HashMap;

/// The collections stored in chunks.
pub const CHUNKED: [Collection; 2] = [Collection::Participants, Collection::Attendance];

/// Chunks per chunked tree.
pub const CHUNKS: u32 = 256;

pub fn is_chunked(c: Collection) -> bool {
    CHUNKED.contains(&c)
}

/// The chunk a key's record lives in: FNV-1a of the key's bytes.
pub fn chunk_of(key: &Key) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key_bytes(key) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % u64::from(CHUNKS)) as u32
}

/// The sled key of a chunk.
pub fn chunk_key(chunk: u32) -> [u8; 4] {
    chunk.to_be_bytes()
}

/// `[schema][postcard(records)]`, the records in key order.
pub fn encode(records: &mut [Record]) -> Vec<u8> {
    records.sort_by_cached_key(|r| key_bytes(&r.key()));
    let mut out = vec![CURRENT_SCHEMA as u8];
    out.extend(postcard::to_stdvec(records).expect("records always encode"));
    out
}

pub fn decode(bytes: &[u8]) -> Result<Vec<Record>, String> {
    match bytes.split_first() {
        Some((v, rest)) if super::migrate::RECORD_LAYOUT.contains(&u32::from(*v)) => {
            postcard::from_bytes(rest).map_err(|e| format!("cannot decode a chunk: {e}"))
        }
        Some((v, _)) => Err(format!(
            "a chunk written with schema {v}, expected {CURRENT_SCHEMA}"
        )),
        None => Err("an empty chunk".into()),
    }
}

/// Applies puts (`Some`) and deletes (`None`) by key to a chunk's records,
/// in order; returns each change's place in its batch with the record it
/// replaced. The chunk's records are found through an index of their keys,
/// made once: an import fills a chunk with hundreds of records.
pub fn apply(
    records: &mut Vec<Record>,
    changes: &[(usize, Key, Option<&Record>)],
) -> Vec<(usize, Option<Record>)> {
    let mut index: HashMap<Key, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key(), i))
        .collect();
    changes
        .iter()
        .map(|(i, key, record)| {
            let old = match (index.get(key).copied(), record) {
                (Some(at), Some(r)) => Some(std::mem::replace(&mut records[at], (*r).clone())),
                (None, Some(r)) => {
                    index.insert(key.clone(), records.len());
                    records.push((*r).clone());
                    None
                }
                (Some(at), None) => {
                    index.remove(key);
                    let old = records.swap_remove(at);
                    if let Some(moved) = records.get(at) {
                        index.insert(moved.key(), at);
                    }
                    Some(old)
                }
                (None, None) => None,
            };
            (*i, old)
        })
        .collect()
}
