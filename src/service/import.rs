//! Importing records: update by id, all or nothing.
//!
//! The interchange layer turns a file into records; this module decides what
//! they change (added, updated, unchanged), refuses the whole batch when one
//! record breaks a rule, and commits the rest as one audited change.

use super::{Actor, Result, Service, ServiceError};
use crate::domain::contest::{Change, Collection, Contest, Record};
use crate::domain::people::Role;
use crate::domain::refusal::{Act, Refusal};
use serde::Serialize;

/// The kinds of files konkurs imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Participants,
    Jurors,
    Events,
    Attendance,
    Mentors,
    Interns,
    Municipalities,
}

impl ImportKind {
    pub fn name(self) -> &'static str {
        match self {
            ImportKind::Participants => "participants",
            ImportKind::Jurors => "jurors",
            ImportKind::Events => "events",
            ImportKind::Attendance => "attendance",
            ImportKind::Mentors => "mentors",
            ImportKind::Interns => "interns",
            ImportKind::Municipalities => "municipalities",
        }
    }

    /// The collections a file of this kind may write.
    fn collections(self) -> &'static [Collection] {
        match self {
            ImportKind::Participants => &[Collection::Participants],
            ImportKind::Jurors => &[Collection::Jurors, Collection::Conflicts],
            ImportKind::Events => &[Collection::Events],
            ImportKind::Attendance => &[Collection::Attendance],
            ImportKind::Mentors => &[Collection::Mentors],
            ImportKind::Interns => &[Collection::Interns],
            ImportKind::Municipalities => &[Collection::Municipalities],
        }
    }
}

/// One field that an update changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What an import did, or would do with `--dry-run`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub kind: String,
    pub source: String,
    pub dry_run: bool,
    pub added: Vec<String>,
    pub updated: Vec<(String, Vec<FieldChange>)>,
    pub unchanged: usize,
    /// The audit entry that recorded the import.
    pub audit_seq: Option<u64>,
}

impl ImportReport {
    pub fn changed(&self) -> bool {
        !self.added.is_empty() || !self.updated.is_empty()
    }
}

impl Service {
    /// Imports a batch of records of one kind. Records are matched to stored
    /// ones by id: new ones are added, different ones replaced, identical
    /// ones left alone; records not in the batch are kept. Attendance marks
    /// are merged into each listener's record. Any record that breaks a rule
    /// refuses the whole batch ([`ServiceError::Rejected`], by batch index).
    pub fn import_records(
        &self,
        actor: &Actor,
        kind: ImportKind,
        records: Vec<Record>,
        source: &str,
        dry_run: bool,
    ) -> Result<ImportReport> {
        self.require(
            actor,
            &[Role::Coordinator],
            Act::Import { kind: kind.name() },
        )?;
        if let Some((i, r)) = records
            .iter()
            .enumerate()
            .find(|(_, r)| !kind.collections().contains(&r.collection()))
        {
            return Err(Refusal::WrongRecordKind {
                index: i,
                found: r.collection().name(),
                expected: kind.name(),
            }
            .into());
        }
        let mut report = ImportReport {
            kind: kind.name().into(),
            source: source.into(),
            dry_run,
            ..Default::default()
        };
        let plan = |contest: &Contest, report: &mut ImportReport| -> Result<Vec<Change>> {
            let violations = crate::domain::integrity::check_batch(contest, &records);
            if !violations.is_empty() {
                return Err(ServiceError::Rejected(violations));
            }
            // Attendance marks of one listener may come on many rows: fold
            // them into one record per listener before comparing.
            let mut merged: Vec<Record> = Vec::new();
            let mut slot: std::collections::HashMap<crate::domain::contest::Key, usize> =
                Default::default();
            for record in &records {
                let key = record.key();
                match (slot.get(&key), record) {
                    (Some(&i), Record::Attendance(new)) => {
                        if let Record::Attendance(acc) = &mut merged[i] {
                            acc.events
                                .extend(new.events.iter().map(|(e, d)| (e.clone(), *d)));
                        }
                    }
                    _ => {
                        slot.insert(key, merged.len());
                        merged.push(merge_with_stored(contest, record));
                    }
                }
            }
            // The report counts the kind's own records (jurors, not the
            // conflict rows that come with them).
            let primary = kind.collections()[0];
            let mut changes = Vec::new();
            for record in merged {
                if record.collection() != primary {
                    if contest.get(&record.key()).as_ref() != Some(&record) {
                        changes.push(Change::Put(record));
                    }
                    continue;
                }
                let label = record.key().parts().join("/");
                match contest.get(&record.key()) {
                    None => {
                        report.added.push(label);
                        changes.push(Change::Put(record));
                    }
                    Some(old) if old == record => report.unchanged += 1,
                    Some(old) => {
                        report.updated.push((label, field_changes(&old, &record)));
                        changes.push(Change::Put(record));
                    }
                }
            }
            Ok(changes)
        };
        if dry_run {
            let contest = self.contest();
            plan(&contest, &mut report)?;
            return Ok(report);
        }
        let entry = self.commit_with(actor, &format!("import.{}", kind.name()), |contest| {
            let changes = plan(contest, &mut report)?;
            let summary = format!(
                "imported {} from {}: {} added, {} updated, {} unchanged",
                kind.name(),
                source,
                report.added.len(),
                report.updated.len(),
                report.unchanged
            );
            Ok((changes, summary))
        })?;
        report.audit_seq = entry.map(|e| e.seq);
        Ok(report)
    }
}

/// Attendance marks add to a listener's record (a mark without a date,
/// such as «+» in a sign-in sheet, keeps a date already known); other
/// records replace.
fn merge_with_stored(contest: &Contest, record: &Record) -> Record {
    match record {
        Record::Attendance(new) => match contest.attendance.get(&new.participant) {
            Some(old) => {
                let mut merged = old.clone();
                for (event, date) in &new.events {
                    let known = merged.events.get(event).copied().flatten();
                    merged.events.insert(event.clone(), date.or(known));
                }
                Record::Attendance(merged)
            }
            None => record.clone(),
        },
        _ => record.clone(),
    }
}

/// The top-level fields that differ between two versions of a record.
fn field_changes(old: &Record, new: &Record) -> Vec<FieldChange> {
    let inner = |r: &Record| -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(r) {
            Ok(serde_json::Value::Object(outer)) => outer
                .into_iter()
                .next()
                .and_then(|(_, v)| v.as_object().cloned())
                .unwrap_or_default(),
            _ => Default::default(),
        }
    };
    let (a, b) = (inner(old), inner(new));
    let show = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => format!("'{s}'"),
        Some(v) => v.to_string(),
        None => "-".into(),
    };
    b.iter()
        .filter(|(k, v)| a.get(*k) != Some(v))
        .map(|(k, v)| FieldChange {
            field: k.clone(),
            before: show(a.get(k)),
            after: show(Some(v)),
        })
        .collect()
}
