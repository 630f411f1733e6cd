//! The read-only SFTP subsystem of `konkurs serve` against the real
//! OpenSSH `scp` and `sftp`: a coordinator and an observer fetch an export
//! byte for byte; every change, every way out of the exports directory
//! and every symbolic link is refused and logged; a juror gets nothing and
//! is told why; an SFTP session counts against `--max-sessions` and ends
//! when the server stops.
//!
//! Needs `ssh`, `scp`, `sftp` and `ssh-keygen` (apt-get install -y
//! openssh-client); without them the tests fail and say so.

mod common;

use common::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The OpenSSH options every client here uses, with the port flag of
/// `scp` and `sftp` (`-P`).
fn client_args(server: &Server, key: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec!["-F".into(), "/dev/null".into()];
    args.extend(["-P".into(), server.port.to_string()]);
    args.extend(["-i".into(), key.display().to_string()]);
    for option in [
        "StrictHostKeyChecking=no",
        "UserKnownHostsFile=/dev/null",
        "IdentitiesOnly=yes",
        "BatchMode=yes",
        "PreferredAuthentications=publickey",
        "LogLevel=ERROR",
        "ConnectTimeout=10",
    ] {
        args.extend(["-o".into(), option.into()]);
    }
    args
}

/// Waits (bounded) for a child; kills it and fails the test if it hangs.
fn finish(mut child: Child, what: &str) -> Output {
    let done = wait_for(PATIENCE, || child.try_wait().unwrap());
    if done.is_none() {
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        panic!(
            "{what} did not finish within {PATIENCE:?}; it printed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    child.wait_with_output().unwrap()
}

/// `scp -s` (the SFTP protocol) of `remote` from the server to `dest`.
fn scp(server: &Server, key: &Path, user: &str, remote: &str, dest: &Path) -> Output {
    let child = Command::new("scp")
        .arg("-s")
        .arg("-q")
        .args(client_args(server, key))
        .arg(format!("{user}@127.0.0.1:{remote}"))
        .arg(dest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("scp runs (apt-get install -y openssh-client)");
    finish(child, "scp")
}

/// `sftp -b -` with `batch` as its commands.
fn sftp(server: &Server, key: &Path, user: &str, batch: &str) -> Output {
    sftp_with(server, key, user, &[], batch)
}

/// `sftp -b -` with more options.
fn sftp_with(server: &Server, key: &Path, user: &str, extra: &[&str], batch: &str) -> Output {
    let mut child = sftp_child(server, key, user, extra);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(batch.as_bytes())
        .unwrap();
    finish(child, "sftp")
}

/// `sftp -b -` reading its commands from a pipe the test holds.
fn sftp_child(server: &Server, key: &Path, user: &str, extra: &[&str]) -> Child {
    Command::new("sftp")
        .args(["-b", "-"])
        .args(extra)
        .args(client_args(server, key))
        .arg(format!("{user}@127.0.0.1"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sftp runs (apt-get install -y openssh-client)")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A contest with `exports/register.xlsx`, written by `konkurs export`.
fn world_with_an_export() -> (World, PathBuf) {
    require("scp", "-h");
    require("sftp", "-h");
    let world = World::new();
    let exports = world.db.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    let file = exports.join("register.xlsx");
    let out = konkurs(
        world.db.path(),
        &["export", "register", "--out", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "export: {out:?}");
    (world, file)
}

/// The server's log once it holds `needle`.
fn log_with(world: &World, needle: &str) -> String {
    let path = world.db.path().join("konkurs.log");
    let mut last = String::new();
    wait_for(PATIENCE, || {
        last = std::fs::read_to_string(&path).ok()?;
        last.contains(needle).then(|| last.clone())
    })
    .unwrap_or_else(|| panic!("«{needle}» is not in konkurs.log:\n{last}"))
}

#[test]
fn a_coordinator_and_an_observer_fetch_an_export_byte_for_byte() {
    let (world, file) = world_with_an_export();
    let server = world.serve(&[]);
    let here = tempfile::tempdir().unwrap();
    let original = std::fs::read(&file).unwrap();
    assert!(original.len() > 1000, "a real workbook");
    for who in ["C01", "O01"] {
        let dest = here.path().join(format!("{who}.xlsx"));
        let out = scp(&server, &world.key(who), who, "register.xlsx", &dest);
        assert!(out.status.success(), "scp as {who}: {out:?}");
        assert_eq!(
            std::fs::read(&dest).unwrap(),
            original,
            "{who}'s copy is the file"
        );
    }
    let log = log_with(&world, "O01 from 127.0.0.1:");
    let line = log
        .lines()
        .find(|l| l.contains("C01 from 127.0.0.1:") && l.contains("fetches"))
        .unwrap_or_else(|| panic!("the fetch is logged:\n{log}"));
    assert!(
        line.contains(&format!(
            "fetches exports/register.xlsx ({} bytes)",
            original.len()
        )),
        "{line}"
    );
    log_with(&world, "sftp session of C01 from 127.0.0.1:");
}

#[test]
fn a_large_file_comes_whole_however_many_reads_the_client_sends_at_once() {
    let (world, file) = world_with_an_export();
    // 24 MB that no compression shrinks, from a fixed seed.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let big: Vec<u8> = (0..24_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let exports = file.parent().unwrap();
    std::fs::write(exports.join("big.bin"), &big).unwrap();
    let server = world.serve(&[]);
    let here = tempfile::tempdir().unwrap();
    let dest = here.path().join("big.bin");
    // 128 reads of 256 KiB in flight: 32 MB asked for before any is read.
    let out = sftp_with(
        &server,
        &world.key("O01"),
        "O01",
        &["-B", "262144", "-R", "128"],
        &format!("get big.bin {}\n", dest.display()),
    );
    assert!(out.status.success(), "{out:?}");
    assert!(std::fs::read(&dest).unwrap() == big, "the copy is the file");
}

#[test]
fn sftp_lists_the_exports_and_refuses_every_change_and_every_way_out() {
    let (world, file) = world_with_an_export();
    let exports = file.parent().unwrap().to_path_buf();
    // What must stay hidden: a link out, a half-written export, a directory.
    std::os::unix::fs::symlink("/etc/passwd", exports.join("passwd.txt")).unwrap();
    std::os::unix::fs::symlink("../konkurs.log", exports.join("log.txt")).unwrap();
    std::fs::write(exports.join(".tmpAbC123"), b"half").unwrap();
    std::fs::create_dir(exports.join("old")).unwrap();
    std::fs::write(exports.join("old").join("inner.csv"), b"x").unwrap();
    let server = world.serve(&[]);
    let here = tempfile::tempdir().unwrap();
    let upload = here.path().join("upload.txt");
    std::fs::write(&upload, b"not welcome").unwrap();
    let got = |name: &str| here.path().join(name);
    // `-` lets the batch go on after a refused command.
    let batch = format!(
        "ls -1\n\
         -put {upload} upload.txt\n\
         -put {upload} ../upload.txt\n\
         -get ../konkurs.log {log}\n\
         -get /etc/passwd {passwd}\n\
         -get passwd.txt {link}\n\
         -get log.txt {link2}\n\
         -get old/inner.csv {inner}\n\
         -rm register.xlsx\n\
         -rename register.xlsx moved.xlsx\n\
         -mkdir new\n\
         -rmdir old\n\
         -chmod 600 register.xlsx\n\
         -ln -s register.xlsx again.xlsx\n\
         -cd ..\n\
         get register.xlsx {copy}\n",
        upload = upload.display(),
        log = got("konkurs.log").display(),
        passwd = got("passwd").display(),
        link = got("passwd.txt").display(),
        link2 = got("log.txt").display(),
        inner = got("inner.csv").display(),
        copy = got("copy.xlsx").display(),
    );
    let before: Vec<_> = {
        let mut names: Vec<_> = std::fs::read_dir(&exports)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let mode = std::fs::metadata(&file).unwrap();
    let out = sftp(&server, &world.key("C01"), "C01", &batch);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");

    // `ls` names the one served file, nothing hidden.
    let listing: Vec<&str> = stdout
        .split("sftp> ls -1\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| !l.starts_with("sftp>"))
        .map(str::trim)
        .collect();
    assert_eq!(listing, ["register.xlsx"], "{stdout}");

    // Nothing came out but the export; nothing went in or changed.
    for name in [
        "konkurs.log",
        "passwd",
        "passwd.txt",
        "log.txt",
        "inner.csv",
    ] {
        assert!(!got(name).exists(), "{name} was fetched:\n{stderr}");
    }
    assert_eq!(
        std::fs::read(got("copy.xlsx")).unwrap(),
        std::fs::read(&file).unwrap()
    );
    let after: Vec<_> = {
        let mut names: Vec<_> = std::fs::read_dir(&exports)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    assert_eq!(before, after, "the exports directory is as it was");
    assert!(!world.db.path().join("upload.txt").exists());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode(),
        mode.permissions().mode()
    );
    assert!(
        stderr.contains("Permission denied"),
        "the client is told it may not:\n{stderr}"
    );

    // Every refusal is written down with who and from where.
    let log = log_with(&world, "refused a link");
    let refused: Vec<&str> = log.lines().filter(|l| l.contains("refused")).collect();
    for what in [
        "refused an upload to '/upload.txt' by C01 from 127.0.0.1:",
        "refused the path '/../upload.txt' by C01",
        "refused the path '/../konkurs.log' by C01",
        "'..' leads out of the exports directory",
        "refused the path '/etc/passwd' by C01",
        "refused 'passwd.txt' by C01",
        "refused 'log.txt' by C01",
        "it is a symbolic link",
        "refused the path '/old/inner.csv' by C01",
        "refused removing '/register.xlsx' by C01",
        "refused renaming '/register.xlsx' to '/moved.xlsx' by C01",
        "refused making the directory '/new' by C01",
        "refused changing the attributes of '/register.xlsx' by C01",
        "refused a link",
    ] {
        assert!(
            refused.iter().any(|l| l.contains(what)),
            "«{what}» is not logged:\n{}",
            refused.join("\n")
        );
    }
    let fetches = log.lines().filter(|l| l.contains("fetches")).count();
    assert_eq!(fetches, 1, "one file was fetched:\n{log}");
}

#[test]
fn a_juror_lists_nothing_fetches_nothing_and_is_told_why() {
    let (world, file) = world_with_an_export();
    let server = world.serve(&[]);
    let here = tempfile::tempdir().unwrap();
    let out = sftp(&server, &world.key("J01"), "J01", "ls\n");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("register.xlsx"), "{stdout}");
    assert!(
        stderr.contains("jurors cannot fetch files from this server"),
        "{stderr}"
    );
    let dest = here.path().join("register.xlsx");
    let out = scp(&server, &world.key("J01"), "J01", "register.xlsx", &dest);
    assert!(!out.status.success());
    assert!(!dest.exists());
    assert!(
        text(&out.stderr).contains("jurors cannot fetch files from this server"),
        "{out:?}"
    );
    let log = log_with(&world, "refused an sftp session of J01 from 127.0.0.1:");
    assert!(log.contains("jurors fetch no exported documents"), "{log}");
    assert!(!log.contains("fetches"), "{log}");
    assert!(file.exists());
}

#[test]
fn an_sftp_session_counts_against_the_limit_and_ends_when_the_server_stops() {
    let (world, _) = world_with_an_export();
    let mut server = world.serve(&["--max-sessions", "1"]);
    let here = tempfile::tempdir().unwrap();
    // The first session stays open: its commands come from a pipe.
    let mut first = sftp_child(&server, &world.key("C01"), "C01", &[]);
    let mut commands = first.stdin.take().unwrap();
    commands.write_all(b"ls\n").unwrap();
    commands.flush().unwrap();
    log_with(&world, "sftp session of C01 from 127.0.0.1:");
    let dest = here.path().join("second.xlsx");
    let out = scp(&server, &world.key("O01"), "O01", "register.xlsx", &dest);
    assert!(!out.status.success());
    assert!(!dest.exists());
    assert!(
        text(&out.stderr).contains("already has 1 sessions open"),
        "{out:?}"
    );
    log_with(&world, "refused an sftp session of O01");

    // Stopping the server ends the open session well within its grace.
    let started = Instant::now();
    let status = server.stop();
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the SFTP session held the server for {:?}",
        started.elapsed()
    );
    drop(commands);
    let out = finish(first, "the first sftp");
    assert!(text(&out.stdout).contains("register.xlsx"), "{out:?}");
    log_with(&world, "closed: the server is stopping");
}
