//! A full disk: a juror scores in a real `konkurs score --stdin` whose
//! files may not grow (a file-size limit on the process: every write past
//! it fails as a write to a full disk does; konkurs ignores the SIGXFSZ
//! that would otherwise kill it). Lines answered `error` are not
//! stored, lines answered `ok` are; when the limit is lifted (space
//! returns) the same process saves again, without a restart; afterwards
//! the database verifies.

mod common;

use konkurs::domain::ids::{CriterionId, ParticipantId, StageId};
use konkurs::service::{Actor, Service};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const CRITERIA: [&str; 5] = common::PORTFOLIO_CRITERIA;

/// The sample contest at the portfolio stage, jurors assigned; J02's queue.
fn contest(dir: &std::path::Path) -> Vec<ParticipantId> {
    common::sample_at_portfolio(&Service::open(dir).unwrap())
}

fn set_file_limit(pid: u32, bytes: u64) {
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: prlimit on a child of this process with a valid struct.
    let rc = unsafe {
        libc::prlimit(
            pid as libc::pid_t,
            libc::RLIMIT_FSIZE,
            &limit,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0, "prlimit: {}", std::io::Error::last_os_error());
}

#[test]
fn a_full_disk_refuses_saves_honestly_and_saving_resumes_when_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    let queue = contest(dir.path());
    let db_file = dir.path().join("db");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_konkurs"));
    cmd.args(["--db"])
        .arg(dir.path())
        .args(["--as", "J02", "score", "--stage", "portfolio", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("konkurs runs");
    let mut stdin = child.stdin.take().unwrap();
    let mut answers = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut writes: BTreeMap<(ParticipantId, CriterionId), u32> = BTreeMap::new();
    let mut acked: BTreeMap<(ParticipantId, CriterionId), f64> = BTreeMap::new();
    let mut line = 0usize;
    let mut send = |stdin: &mut std::process::ChildStdin| {
        let p = queue[line % queue.len()].clone();
        let c = CriterionId::new(CRITERIA[(line / queue.len()) % CRITERIA.len()]);
        let n = writes.entry((p.clone(), c.clone())).or_default();
        *n += 1;
        // Each write of a key differs from the ones before it.
        let v = f64::from(*n % 20) / 2.0;
        line += 1;
        writeln!(stdin, "{p} {c}={v}").unwrap();
        stdin.flush().unwrap();
        (p, c, v)
    };
    // The first save lands; then no file may grow past its size: the disk
    // is full.
    let (p, c, v) = send(&mut stdin);
    let first = answers.next().expect("an answer").unwrap();
    assert!(first.starts_with("ok "), "{first}");
    acked.insert((p, c), v);
    set_file_limit(child.id(), std::fs::metadata(&db_file).unwrap().len());
    let deadline = Instant::now() + Duration::from_secs(120);
    let (mut ok_before, mut refused, mut sent) = (0, 0, 0);
    // Score until saving fails, then a few lines more.
    while refused < 5 {
        assert!(Instant::now() < deadline, "no save failed");
        let (p, c, v) = send(&mut stdin);
        sent += 1;
        assert!(sent < 20_000, "no save failed in {sent} lines");
        let Some(Ok(answer)) = answers.next() else {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "no answer to line {sent}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        if answer.starts_with("ok ") {
            assert_eq!(
                refused, 0,
                "a save after a failure at the same size: {answer}"
            );
            ok_before += 1;
            acked.insert((p, c), v);
        } else {
            assert!(
                answer.contains("not saved") && answer.contains("disk"),
                "line {sent}: {answer}"
            );
            if refused == 0 {
                eprintln!("after {ok_before} saves, line {sent}: {answer}");
            }
            refused += 1;
        }
    }
    // Space returns: the same process saves again.
    set_file_limit(child.id(), libc::RLIM_INFINITY);
    let mut ok_after = 0;
    for _ in 0..20 {
        let (p, c, v) = send(&mut stdin);
        let answer = answers.next().expect("an answer").unwrap();
        assert!(answer.starts_with("ok "), "after space returned: {answer}");
        ok_after += 1;
        acked.insert((p, c), v);
    }
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(ok_before > 0 && ok_after == 20, "{ok_before} {ok_after}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The refused lines make the run unsuccessful, and it says how many.
    assert_eq!(status.code(), Some(1), "{status:?}");
    assert!(stderr.contains("score lines were refused"), "{stderr}");

    let out = Command::new(env!("CARGO_BIN_EXE_konkurs"))
        .args(["--db"])
        .arg(dir.path())
        .arg("verify")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Exactly what was answered `ok` is stored: a line answered `error`
    // left nothing behind.
    let service = Service::open(dir.path()).unwrap();
    let juror = service.actor("J02").unwrap();
    let view = service.view(&Actor::local_coordinator());
    for (p, c) in writes.keys() {
        let stored = view
            .sheet(&StageId::new("portfolio"), p, &juror.id)
            .and_then(|s| s.scores.get(c).copied());
        assert_eq!(
            stored,
            acked.get(&(p.clone(), c.clone())).copied(),
            "{p} {c}"
        );
    }
}

/// `ssh C01@host import participants -` until the disk is full.
fn import_over_ssh(server: &common::Server, world: &common::World, id: &str) -> Output {
    let csv = format!(
        "id,full_name,tos_name,municipality,group,email,phone,application_date\n\
         {id},Участница {id},ТОС «{id}»,Иркутск,city,,,15.01.2021\n"
    );
    let mut child = Command::new("ssh")
        .args(server.ssh_args(&world.key("C01"), "C01"))
        .args(["--", "import", "participants", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(csv.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `konkurs serve` on a full disk stays up: a command that saves is
/// answered "not saved" and stores nothing, the log says saving fails and,
/// once there is room, that it works again; the next save lands.
#[test]
fn a_served_contest_survives_a_full_disk() {
    let world = common::World::new();
    let server = world.serve(&[]);
    let ok = import_over_ssh(&server, &world, "P101");
    assert!(ok.status.success(), "{ok:?}");
    // Nothing may grow any more.
    set_file_limit(server.pid(), 1);
    let refused = import_over_ssh(&server, &world, "P102");
    let said = String::from_utf8_lossy(&refused.stderr).to_string();
    assert!(!refused.status.success(), "{refused:?}");
    assert!(
        said.contains("not saved") && said.contains("full"),
        "{said}"
    );
    assert!(
        std::path::Path::new(&format!("/proc/{}", server.pid())).exists(),
        "the server is still up"
    );
    set_file_limit(server.pid(), libc::RLIM_INFINITY);
    let again = import_over_ssh(&server, &world, "P103");
    assert!(again.status.success(), "{again:?}");
    let out = Command::new("ssh")
        .args(server.ssh_args(&world.key("C01"), "C01"))
        .args(["--", "list", "participants", "--format", "csv"])
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(list.contains("P101") && list.contains("P103"), "{list}");
    assert!(
        !list.contains("P102"),
        "a refused import left nothing: {list}"
    );
    let log = std::fs::read_to_string(world.db.path().join("konkurs.log")).unwrap();
    assert!(log.contains("saving works again"), "{log}");
}
