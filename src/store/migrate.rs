//! Schema versions and migrations.
//!
//! The database records the schema version it was written with. Opening an
//! older database first writes a raw copy of every tree to
//! `backups/pre-migration-v{N}-{time}.json` inside the data directory, then
//! runs each migration in order, recording the new version after each one.
//!
//! | schema | what changed |
//! |---|---|
//! | 1 | the first |
//! | 2 | audit entries of format 2: every change in full however many, and the channel; records are encoded as in 1 |

use super::{Result, Store, StoreError};
use crate::domain::contest::{Key, Record};
use base64::Engine;
use std::collections::HashMap;
use std::io::Write;

/// The schema this konkurs writes.
pub const CURRENT_SCHEMA: u32 = 2;

/// The schemas whose records (and chunks) are encoded as this konkurs
/// encodes them: `[schema][postcard(Record)]` since schema 1.
pub const RECORD_LAYOUT: std::ops::RangeInclusive<u32> = 1..=CURRENT_SCHEMA;

/// Turns a database of schema `from` into schema `from + 1`.
pub struct Migration {
    pub from: u32,
    pub what: &'static str,
    pub run: fn(&Store) -> Result<()>,
}

/// The migrations of konkurs's schema history.
pub static MIGRATIONS: &[Migration] = &[Migration {
    from: 1,
    what: "a checkpoint in the audit log for the records that key-only entries wrote",
    run: checkpoint_key_only_entries,
}];

/// Schema 1 kept keys only in an audit entry of more than 1,000 changes,
/// so the log could not prove the records such entries wrote last. One
/// `audit.checkpoint` entry records them as they stand; from it on, the
/// log proves every record. A log without such entries needs none.
fn checkpoint_key_only_entries(store: &Store) -> Result<()> {
    let walk = store.walk_log()?;
    let Some((first, keys)) = walk.unproved() else {
        return Ok(());
    };
    let stored: HashMap<Key, Record> = store
        .stored_records()?
        .0
        .into_iter()
        .map(|r| (r.key(), r))
        .collect();
    let changes = super::audit::checkpoint_changes(&keys, |k| stored.get(k).cloned());
    let stamp = super::audit::checkpoint_stamp(chrono::Utc::now(), changes.len(), first, 1);
    store.commit(&stamp, &changes)?;
    Ok(())
}

pub(super) fn bring_up_to_date(
    store: &Store,
    migrations: &[Migration],
    current: u32,
) -> Result<()> {
    let found = store.schema()?;
    if found == current {
        return Ok(());
    }
    if found == 0 && store.is_empty() {
        return store.set_schema(current);
    }
    if found > current {
        return Err(StoreError::TooNew {
            path: store.path().to_path_buf(),
            found,
            known: current,
        });
    }
    raw_backup(store, found)?;
    for version in found..current {
        let m = migrations
            .iter()
            .find(|m| m.from == version)
            .ok_or_else(|| StoreError::Corrupt {
                path: store.path().to_path_buf(),
                what: format!("no migration from schema {version}; this konkurs cannot open it"),
            })?;
        (m.run)(store)?;
        store.set_schema(version + 1)?;
        store.flush()?;
    }
    Ok(())
}

/// Writes every tree's raw keys and values (base64) to a JSON file.
fn raw_backup(store: &Store, schema: u32) -> Result<std::path::PathBuf> {
    let dir = store.path().join("backups");
    std::fs::create_dir_all(&dir)?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    let file = dir.join(format!("pre-migration-v{schema}-{stamp}.json"));
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut trees = Vec::new();
    for (_, name, items) in store.with_db(|db| db.export())? {
        let entries: Vec<Vec<String>> = items
            .map(|kv| kv.iter().map(|part| b64.encode(part)).collect())
            .collect();
        trees.push(serde_json::json!({
            "tree": String::from_utf8_lossy(&name),
            "entries": entries,
        }));
    }
    let doc =
        serde_json::json!({ "format": "konkurs-raw-backup", "schema": schema, "trees": trees });
    let mut f = std::fs::File::create(&file)?;
    f.write_all(serde_json::to_string(&doc).expect("json").as_bytes())?;
    f.sync_all()?;
    Ok(file)
}
