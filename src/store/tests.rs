//! The store: commits load back audited, tampering is found, old databases migrate, dumps restore.

use super::*;
use crate::domain::ids::{GroupId, ParticipantId};
use crate::domain::participant::{Indicators, Participant};
use chrono::NaiveDate;

fn participant(id: &str, name: &str) -> Participant {
    Participant {
        id: ParticipantId::new(id),
        full_name: name.into(),
        tos_name: "ТОС «Берёзка»".into(),
        municipality: "Ангарский городской округ".into(),
        group: GroupId::new("city"),
        email: String::new(),
        phone: String::new(),
        application_date: NaiveDate::from_ymd_opt(2021, 1, 10).unwrap(),
        indicators: Indicators::default(),
        notes: String::new(),
    }
}

fn juror(id: &str, name: &str) -> crate::domain::people::Juror {
    crate::domain::people::Juror {
        id: id.into(),
        full_name: name.into(),
        role: Role::Juror,
        email: String::new(),
        municipality: String::new(),
        tos_name: String::new(),
        keys: Vec::new(),
    }
}

fn stamp(action: &str) -> Stamp {
    Stamp {
        actor: "secretary".into(),
        role: Role::Coordinator,
        channel: "local".into(),
        at: chrono::DateTime::parse_from_rfc3339("2021-02-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
        action: action.into(),
        summary: format!("{action} for a test"),
    }
}

fn put(p: Participant) -> Change {
    Change::Put(Record::Participant(p))
}

#[test]
fn committed_changes_load_back_and_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let e = store
            .commit(&stamp("import"), &[put(participant("P1", "Иванова Анна"))])
            .unwrap();
        assert_eq!(e.seq, 1);
        let e2 = store
            .commit(
                &stamp("edit"),
                &[put(participant("P1", "Иванова Анна Петровна"))],
            )
            .unwrap();
        assert_eq!(e2.prev_hash, e.hash);
        assert_eq!(
            e2.changes[0].before,
            Some(Record::Participant(participant("P1", "Иванова Анна")))
        );
    }
    let store = Store::open(dir.path()).unwrap();
    let contest = store.load().unwrap();
    assert_eq!(
        contest.participants[&ParticipantId::new("P1")].full_name,
        "Иванова Анна Петровна"
    );
    let report = store.verify().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.audit_entries, 2);
}

#[test]
fn deletes_remove_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store
        .commit(
            &stamp("add"),
            &[put(participant("P1", "A")), put(participant("P2", "B"))],
        )
        .unwrap();
    store
        .commit(
            &stamp("remove"),
            &[Change::Delete(Key::Participant("P1".into()))],
        )
        .unwrap();
    let c = store.load().unwrap();
    assert_eq!(c.participants.len(), 1);
    assert!(c.participants.contains_key(&ParticipantId::new("P2")));
}

#[test]
fn an_altered_audit_entry_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for i in 0..3 {
        store
            .commit(&stamp("add"), &[put(participant(&format!("P{i}"), "X"))])
            .unwrap();
    }
    // Change the summary inside entry 2 without fixing its hash.
    let raw = store
        .live()
        .unwrap()
        .audit
        .get(2u64.to_be_bytes())
        .unwrap()
        .unwrap()
        .to_vec();
    let needle = b"add for a test";
    let at = raw.windows(needle.len()).position(|w| w == needle).unwrap();
    let mut forged = raw.clone();
    forged[at] = b'A';
    store
        .live()
        .unwrap()
        .audit
        .insert(2u64.to_be_bytes(), forged)
        .unwrap();
    let report = store.verify().unwrap();
    assert!(!report.ok());
    assert!(
        report.problems.contains(&Problem::Altered { seq: 2 }),
        "{:?}",
        report.problems
    );

    // Removing an entry breaks the chain too.
    store
        .live()
        .unwrap()
        .audit
        .insert(2u64.to_be_bytes(), raw)
        .unwrap();
    assert!(store.verify().unwrap().ok());
    store
        .live()
        .unwrap()
        .audit
        .remove(2u64.to_be_bytes())
        .unwrap();
    assert!(!store.verify().unwrap().ok());
}

#[test]
fn a_second_open_says_how_to_connect_instead() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    let err = Store::open(dir.path())
        .err()
        .expect("the second open must fail");
    let text = err.to_string();
    assert!(matches!(err, StoreError::InUse { .. }), "{text}");
    assert!(text.contains("in use by another konkurs process"), "{text}");
    assert!(text.contains("ssh -p 2222"), "{text}");

    std::fs::write(
        dir.path().join(SERVE_INFO_FILE),
        r#"{"pid": 4242, "listen": "0.0.0.0:2200"}"#,
    )
    .unwrap();
    let text = Store::open(dir.path()).err().unwrap().to_string();
    assert!(text.contains("pid 4242"), "{text}");
    assert!(text.contains("ssh -p 2200"), "{text}");
}

#[test]
fn a_newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store.set_schema(CURRENT_SCHEMA + 1).unwrap();
        store.flush().unwrap();
    }
    let err = Store::open(dir.path()).err().unwrap();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
}

fn double_names(store: &Store) -> Result<()> {
    let live = store.live()?;
    let tree = live.tree(Collection::Jurors);
    for item in tree.iter() {
        let (k, v) = item.map_err(|e| live.sled_err(e))?;
        let Ok(Record::Juror(mut j)) = decode_record(&v) else {
            continue;
        };
        j.full_name = format!("{0} {0}", j.full_name);
        tree.insert(k, encode_record(&Record::Juror(j)))
            .map_err(|e| live.sled_err(e))?;
    }
    Ok(())
}

#[test]
fn an_older_database_is_backed_up_then_migrated() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store
            .commit(
                &stamp("add"),
                &[Change::Put(Record::Juror(juror("J1", "Анна")))],
            )
            .unwrap();
    }
    // Pretend the schema this konkurs writes is one newer, with a migration.
    let migrations = [Migration {
        from: CURRENT_SCHEMA,
        what: "double every name",
        run: double_names,
    }];
    // Values still carry CURRENT_SCHEMA, which is what decode expects here.
    let store = Store::open_with(dir.path(), &migrations, CURRENT_SCHEMA + 1).unwrap();
    assert_eq!(store.schema().unwrap(), CURRENT_SCHEMA + 1);
    let backups: Vec<_> = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(backups[0].starts_with(&format!("pre-migration-v{CURRENT_SCHEMA}-")));
    let c = store.load().unwrap();
    assert_eq!(
        c.jurors[&crate::domain::ids::JurorId::new("J1")].full_name,
        "Анна Анна"
    );
}

#[test]
fn a_dump_restores_into_an_empty_database_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store
        .commit(
            &stamp("add"),
            &[
                put(participant("P1", "Анна")),
                put(participant("P2", "Ёлкина")),
            ],
        )
        .unwrap();
    store.save_session("J1", b"pane=scoring").unwrap();
    let dump = store.dump(Utc::now()).unwrap();
    let json = serde_json::to_string_pretty(&dump).unwrap();
    assert!(json.contains("Ёлкина"), "the dump is readable text");

    let other = tempfile::tempdir().unwrap();
    let restored = Store::open(other.path()).unwrap();
    let back: backup::Dump = serde_json::from_str(&json).unwrap();
    restored.restore(&back, "backup.json").unwrap();
    assert!(restored.verify().unwrap().ok());
    let again = restored.dump(dump.created_at).unwrap();
    assert_eq!(again, dump);

    // Restoring over data is refused; so is an altered backup.
    assert!(matches!(
        restored.restore(&back, "backup.json"),
        Err(backup::RestoreError::NotEmpty(_))
    ));
    let mut forged = back.clone();
    forged.audit[0].summary = "nothing happened".into();
    let third = tempfile::tempdir().unwrap();
    let err = Store::open(third.path())
        .unwrap()
        .restore(&forged, "backup.json")
        .unwrap_err();
    assert!(
        matches!(&err, backup::RestoreError::Disagrees { problems, .. }
            if problems.contains(&Problem::Altered { seq: 1 })),
        "{err}"
    );
}

#[test]
fn many_participants_go_into_chunks_and_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let many: Vec<Change> = (0..2000)
        .map(|i| put(participant(&format!("P{i:05}"), &format!("Участник {i}"))))
        .collect();
    store.commit(&stamp("import"), &many).unwrap();
    assert!(store.live().unwrap().tree(Collection::Participants).len() <= chunk::CHUNKS as usize);
    // One change rewrites one chunk; a delete removes one record only.
    store
        .commit(
            &stamp("edit"),
            &[
                put(participant("P00007", "Изменённое имя")),
                Change::Delete(Key::Participant("P01999".into())),
            ],
        )
        .unwrap();
    let c = store.load().unwrap();
    assert_eq!(c.participants.len(), 1999);
    assert_eq!(
        c.participants[&ParticipantId::new("P00007")].full_name,
        "Изменённое имя"
    );
    assert!(!c.participants.contains_key(&ParticipantId::new("P01999")));
    let report = store.verify().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.records, 1999);
}

use crate::domain::proof::Disagreement;

#[test]
fn a_large_entry_holds_every_record_and_the_log_replays_to_the_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let many: Vec<Change> = (0..2500)
        .map(|i| put(participant(&format!("P{i:05}"), &format!("Участник {i}"))))
        .collect();
    let e = store.commit(&stamp("import"), &many).unwrap();
    assert!(e.detailed);
    assert_eq!(e.change_count, 2500);
    assert!(e.changes.iter().all(|c| c.after.is_some()));
    // An entry that changes nothing (a command sent over SSH) replays too.
    store.commit(&stamp("command.ssh"), &[]).unwrap();
    let report = store.verify().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!((report.records, report.audit_entries), (2500, 2));
    assert_eq!(report.head_hash, store.audit_head().unwrap().1);

    // A record written around the log is found, with the field that differs.
    store
        .write_bypassing_audit(&[put(participant("P01234", "Подменённое имя"))])
        .unwrap();
    assert_eq!(
        store.verify().unwrap().problems,
        [Problem::Records {
            key: Key::Participant("P01234".into()),
            disagreement: Disagreement::Field {
                path: "full_name".into(),
                expected: "\"Участник 1234\"".into(),
                found: "\"Подменённое имя\"".into(),
            },
            differing: 1,
        }]
    );
    // So is one deleted around it, and one added.
    store
        .write_bypassing_audit(&[
            put(participant("P01234", "Участник 1234")),
            Change::Delete(Key::Participant("P00002".into())),
            put(participant("P99999", "Никто")),
        ])
        .unwrap();
    assert_eq!(
        store.verify().unwrap().problems,
        [Problem::Records {
            key: Key::Participant("P00002".into()),
            disagreement: Disagreement::Missing,
            differing: 2,
        }]
    );
}

#[test]
fn a_key_changed_twice_in_one_batch_says_what_each_change_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let e = store
        .commit(
            &stamp("edit"),
            &[put(participant("P1", "А")), put(participant("P1", "Б"))],
        )
        .unwrap();
    assert_eq!(e.changes[0].before, None);
    assert_eq!(
        e.changes[1].before,
        Some(Record::Participant(participant("P1", "А")))
    );
    assert!(store.verify().unwrap().ok());
}

/// Writes `changes` and a format-1 entry for them, as konkurs did at
/// schema 1 (above 1,000 changes: keys only).
fn commit_v1(store: &Store, stamp: &Stamp, changes: &[Change]) {
    let head = store.head().unwrap();
    let (entry, stored) = audit::seal_v1(&head, stamp, changes);
    store.write_bypassing_audit(changes).unwrap();
    store
        .live()
        .unwrap()
        .audit
        .insert(entry.seq.to_be_bytes(), stored)
        .unwrap();
    store
        .live()
        .unwrap()
        .meta
        .insert(
            META_AUDIT_HEAD,
            audit::Head {
                seq: entry.seq,
                hash: entry.hash,
            }
            .encode(),
        )
        .unwrap();
    store.flush().unwrap();
}

#[test]
fn a_database_of_schema_1_gets_a_checkpoint_for_its_key_only_entries() {
    let dir = tempfile::tempdir().unwrap();
    let legacy_dump;
    {
        let store = Store::open_with(dir.path(), &[], 1).unwrap();
        commit_v1(
            &store,
            &stamp("jurors"),
            &[Change::Put(Record::Juror(juror("J1", "Анна")))],
        );
        let many: Vec<Change> = (0..1500)
            .map(|i| put(participant(&format!("P{i:05}"), &format!("Участник {i}"))))
            .collect();
        commit_v1(&store, &stamp("import"), &many);
        commit_v1(
            &store,
            &stamp("edit"),
            &[put(participant("P00007", "Правка"))],
        );
        let report = store.verify().unwrap();
        assert_eq!(
            report.problems,
            [Problem::Unproved {
                seq: 2,
                records: 1499
            }]
        );
        let mut dump = store.dump(Utc::now()).unwrap();
        dump.schema = 1;
        dump.head = None;
        legacy_dump = dump;
    }

    // Opening it with this konkurs migrates it: a checkpoint records the
    // 1,499 records that only the key-only entry wrote.
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.schema().unwrap(), CURRENT_SCHEMA);
    let report = store.verify().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.audit_entries, 4);
    let last = store.audit_entries().unwrap().pop().unwrap();
    assert_eq!(last.action, audit::CHECKPOINT);
    assert_eq!((last.change_count, last.channel.as_str()), (1499, "local"));
    assert!(dir.path().join("backups").is_dir());

    // A backup of schema 1 restores the same way, with its checkpoint...
    let other = tempfile::tempdir().unwrap();
    let restored = Store::open(other.path())
        .unwrap()
        .restore(&legacy_dump, "old.json")
        .unwrap();
    let checkpoint = restored.checkpoint.expect("a checkpoint");
    assert_eq!(
        (checkpoint.seq, checkpoint.records, checkpoint.first),
        (4, 1499, 2)
    );
    // ...but a backup of this konkurs may not leave records unproved.
    let mut current = legacy_dump.clone();
    current.schema = CURRENT_SCHEMA;
    current.head = Some(backup::DumpHead {
        seq: 3,
        hash: current.audit[2].hash.clone(),
    });
    let third = tempfile::tempdir().unwrap();
    let err = Store::open(third.path())
        .unwrap()
        .restore(&current, "new.json")
        .unwrap_err();
    assert!(
        matches!(&err, backup::RestoreError::Disagrees { problems, .. }
            if problems == &[Problem::Unproved { seq: 2, records: 1499 }]),
        "{err:?}"
    );
}

/// Every path under `dir` (itself included) with its permission bits.
#[cfg(unix)]
fn modes(dir: &Path) -> Vec<(PathBuf, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = vec![(
        dir.to_path_buf(),
        std::fs::metadata(dir).unwrap().permissions().mode() & 0o777,
    )];
    for item in std::fs::read_dir(dir).unwrap() {
        let path = item.unwrap().path();
        if path.is_dir() {
            out.extend(modes(&path));
        } else {
            out.push((
                path.clone(),
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            ));
        }
    }
    out
}

#[cfg(unix)]
#[test]
fn a_database_is_private_and_an_open_one_is_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("contest");
    {
        let store = Store::open(&dir).unwrap();
        let many: Vec<Change> = (0..3000)
            .map(|i| put(participant(&format!("P{i:05}"), "Участник")))
            .collect();
        store.commit(&stamp("import"), &many).unwrap();
        assert!(store.tightened().is_empty());
    }
    let all = modes(&dir);
    assert!(all.iter().any(|(p, _)| p.ends_with("db")), "{all:?}");
    assert!(all.iter().any(|(p, _)| p.ends_with("conf")), "{all:?}");
    for (path, mode) in &all {
        let want = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{} is {mode:o}", path.display());
    }

    // As an older konkurs left it: readable by everyone.
    let set = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    set(&dir, 0o755).unwrap();
    set(&dir.join("db"), 0o644).unwrap();
    set(&dir.join("conf"), 0o664).unwrap();
    let store = Store::open(&dir).unwrap();
    let mut found: Vec<(String, u32, u32)> = store
        .tightened()
        .iter()
        .map(|t| (t.path.display().to_string(), t.was, t.now))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (String::new(), 0o755, 0o700),
            ("conf".into(), 0o664, 0o600),
            ("db".into(), 0o644, 0o600),
        ]
    );
    for (path, mode) in modes(&dir) {
        let want = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, want, "{} is {mode:o}", path.display());
    }
    let log = std::fs::read_to_string(dir.join(private::LOG_FILE)).unwrap();
    assert!(
        log.contains("konkurs: db was open to other users (0644); made private (0600)"),
        "{log}"
    );
    assert!(
        log.contains("konkurs: . was open to other users (0755)"),
        "{log}"
    );
}

/// What sled took in before the disk failed, but konkurs answered as not
/// saved (the entries past the confirmed head), is taken back when the
/// store opens sled again: the records as before, the entries gone, the
/// head the confirmed one, and the log still proves the records.
#[test]
fn entries_answered_as_not_saved_are_taken_back_on_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store
        .commit(&stamp("import"), &[put(participant("P1", "Иванова Анна"))])
        .unwrap();
    let confirmed = store.head().unwrap();
    let before = store.load().unwrap();
    // Two entries sled holds past the answer: a change, an addition and a
    // juror, then a second change of the same participant.
    store
        .commit(
            &stamp("edit"),
            &[
                put(participant("P1", "Иванова-Петрова Анна")),
                put(participant("P2", "Петров Иван")),
                Change::Put(Record::Juror(juror("J1", "Смирнова Елена"))),
            ],
        )
        .unwrap();
    store
        .commit(&stamp("edit"), &[put(participant("P1", "Сидорова Анна"))])
        .unwrap();
    store.confirm(confirmed.clone());
    store.recover();
    assert_eq!(store.head().unwrap(), confirmed);
    assert_eq!(store.audit_entries().unwrap().len(), 1);
    let after = store.load().unwrap();
    assert_eq!(
        after.records().collect::<Vec<_>>(),
        before.records().collect::<Vec<_>>()
    );
    assert!(store.verify().unwrap().ok());
    // And saving goes on from there.
    let e = store
        .commit(&stamp("edit"), &[put(participant("P3", "Орлов Пётр"))])
        .unwrap();
    assert_eq!(e.seq, 2);
    assert!(store.verify().unwrap().ok());
}

#[test]
fn a_stored_regulation_that_does_not_read_is_named_damage_with_its_problems() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let doc = crate::domain::contest::RegulationDoc {
        file_name: "regulation.toml".into(),
        source: "[contest]\nname = 1\n".into(),
    };
    store
        .write_bypassing_audit(&[Change::Put(Record::Regulation(doc))])
        .unwrap();
    let e = store.load().unwrap_err();
    let StoreError::BadRegulation { problems, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(!problems.0.is_empty());
    // Worded in the person's language by the text layer.
    let ru = crate::text::store::words(&e, &crate::text::I18n::new(crate::text::Lang::Ru));
    assert!(
        ru.contains("повреждена") && ru.contains("сохранённый регламент"),
        "{ru}"
    );
}
