//! Who may read the database, and who did what through which channel: the
//! database directory stays private (0700, every file 0600) through
//! `init`, `import`, `serve` and `export`, an older one is tightened when
//! opened, and every audit entry says how its action came.

mod common;

use common::{BIN, Server, add_key, fingerprint, keygen, konkurs, require};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn sample(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(file)
        .display()
        .to_string()
}

/// Every path under `dir` (itself included) with its permission bits.
fn modes(dir: &Path) -> Vec<(PathBuf, u32)> {
    let meta = std::fs::symlink_metadata(dir).unwrap();
    let mut out = vec![(dir.to_path_buf(), meta.permissions().mode() & 0o777)];
    if meta.is_dir() {
        for item in std::fs::read_dir(dir).unwrap() {
            out.extend(modes(&item.unwrap().path()));
        }
    }
    out
}

/// Fails unless `db` is 0700 and everything in it 0600 (directories 0700).
fn private(db: &Path, after: &str) -> Vec<String> {
    let all = modes(db);
    for (path, mode) in &all {
        let want = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "after {after}: {} is {mode:o}", path.display());
    }
    all.iter()
        .map(|(p, _)| p.strip_prefix(db).unwrap().display().to_string())
        .collect()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_database_stays_private_through_init_import_serve_and_export() {
    require("ssh", "-V");
    require("ssh-keygen", "-?");
    let parent = tempfile::tempdir().unwrap();
    let db = parent.path().join("contest");
    ok(konkurs(
        &db,
        &["init", "--regulation", &sample("regulation.toml")],
    ));
    let files = private(&db, "init");
    for sled_file in ["db", "conf"] {
        assert!(files.iter().any(|f| f == sled_file), "{files:?}");
    }
    for kind in ["municipalities", "participants", "jurors"] {
        ok(konkurs(
            &db,
            &["import", kind, &sample(&format!("{kind}.csv"))],
        ));
    }
    ok(konkurs(
        &db,
        &["--as", "J01", "import", "events", &sample("events.csv")],
    ));
    private(&db, "import");

    // What leaves the database for the person who asked is theirs alone too.
    let register = parent.path().join("register.xlsx");
    let backup = parent.path().join("backup.json");
    ok(konkurs(
        &db,
        &["export", "register", "--out", register.to_str().unwrap()],
    ));
    ok(konkurs(&db, &["backup", backup.to_str().unwrap()]));
    for file in [&register, &backup] {
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }

    let keys = tempfile::tempdir().unwrap();
    let key = keygen(keys.path(), "J01");
    add_key(&db, "J01", &key);
    let mut server = Server::start(&db, &[]);
    let files = private(&db, "serve");
    for made in [
        "serve.json",
        "konkurs.log",
        "control.sock",
        "ssh_host_ed25519_key",
    ] {
        assert!(files.iter().any(|f| f == made), "{made}: {files:?}");
    }
    let out = Command::new("ssh")
        .args(server.ssh_args(&key, "J01"))
        .args(["--", "export", "register"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    ok(out);
    let files = private(&db, "export");
    assert!(
        files
            .iter()
            .any(|f| f == "exports/konkurs-register-2021.xlsx"),
        "{files:?}"
    );

    // A local command while serving goes through the control socket.
    ok(konkurs(
        &db,
        &["--as", "J01", "import", "mentors", &sample("mentors.csv")],
    ));
    let audit: serde_json::Value =
        serde_json::from_str(&ok(konkurs(&db, &["list", "audit", "--format", "json"]))).unwrap();
    let channel_of = |action: &str| -> Vec<String> {
        audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"].as_str().unwrap().starts_with(action))
            .map(|e| e["channel"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(channel_of("regulation.set"), ["local"]);
    assert_eq!(channel_of("import.participants"), ["local"], "{audit:#}");
    assert_eq!(channel_of("import.events"), ["local --as J01"]);
    assert_eq!(
        channel_of("command.ssh"),
        [format!("ssh {}", fingerprint(&key))]
    );
    assert_eq!(channel_of("import.mentors"), ["control --as J01"]);
    // The table has the column too.
    let table = ok(konkurs(&db, &["list", "audit"]));
    let header = table.lines().next().unwrap();
    assert!(header.contains("channel"), "{header}");
    assert!(table.contains("local --as J01"), "{table}");
    server.stop();
}

#[test]
fn an_older_database_open_to_everyone_is_made_private_when_opened_and_it_is_logged() {
    let parent = tempfile::tempdir().unwrap();
    let db = parent.path().join("contest");
    ok(konkurs(
        &db,
        &["init", "--regulation", &sample("regulation.toml")],
    ));
    let set =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    set(&db, 0o755);
    for (path, _) in modes(&db).into_iter().skip(1) {
        set(&path, if path.is_dir() { 0o755 } else { 0o644 });
    }
    let loose = modes(&db).len();
    let out = Command::new(BIN)
        .args(["--lang", "en", "--db"])
        .arg(&db)
        .arg("status")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{} was open to other users: {loose} files and directories made private to their owner",
            db.display()
        )),
        "{stderr}"
    );
    private(&db, "opening");
    let log = std::fs::read_to_string(db.join("konkurs.log")).unwrap();
    assert!(
        log.contains("konkurs: db was open to other users (0644); made private (0600)"),
        "{log}"
    );
    // Once private, opening says nothing more.
    let again = konkurs(&db, &["status"]);
    assert!(again.stderr.is_empty(), "{again:?}");
}
