//! Crash safety: a juror's scoring runs in a real `konkurs` process
//! (`konkurs score --stdin`, which answers `ok N` once a score is durable)
//! and is killed with SIGKILL at random moments — right after an
//! acknowledgement, or in the middle of writes. After every kill the
//! database opens, `konkurs verify` passes, and every acknowledged score is
//! there.
//!
//! `KONKURS_CRASH_ROUNDS` sets the number of kills (default 24).

use konkurs::domain::ids::{CriterionId, JurorId, ParticipantId, StageId};
use konkurs::service::{Actor, Service};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CRITERIA: [&str; 5] = [
    "projects",
    "creative_task",
    "partnership",
    "media",
    "mentoring",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The sample contest at the portfolio stage, jurors assigned.
fn contest(dir: &std::path::Path) -> (JurorId, Vec<ParticipantId>) {
    let service = Service::open(dir).unwrap();
    let coordinator = Actor::local_coordinator();
    konkurs::sample::load(&service, &coordinator).unwrap();
    service
        .close_stage(
            &coordinator,
            &StageId::new("education"),
            "protocol of the jury",
        )
        .unwrap();
    service
        .assign_auto(&coordinator, &StageId::new("portfolio"), None)
        .unwrap();
    let juror = service.actor("J02").unwrap();
    let queue = service
        .view(&juror)
        .assignments(&StageId::new("portfolio"))
        .iter()
        .map(|a| a.participant.clone())
        .collect();
    (juror.id, queue)
}

#[test]
fn acknowledged_scores_survive_sigkill() {
    let rounds: usize = std::env::var("KONKURS_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    let dir = tempfile::tempdir().unwrap();
    let (juror, queue) = contest(dir.path());
    let mut rng = Rng(0xC0FF_EE00_D15C_0BAD);
    // For each (participant, criterion): the value of its last acknowledged
    // write, and values written after it but not acknowledged (a kill may
    // land after the commit and before the answer).
    let mut acked: BTreeMap<(ParticipantId, CriterionId), f64> = BTreeMap::new();
    let mut in_flight: BTreeMap<(ParticipantId, CriterionId), Vec<f64>> = BTreeMap::new();
    let mut total_acks = 0;
    for round in 0..rounds {
        let mut child = Command::new(env!("CARGO_BIN_EXE_konkurs"))
            .args(["--db"])
            .arg(dir.path())
            .args([
                "--as",
                juror.as_str(),
                "score",
                "--stage",
                "portfolio",
                "--stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("konkurs runs");
        let mut stdin = child.stdin.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill after a random number of acknowledgements, sometimes with
        // a burst of unacknowledged writes already sent.
        let kill_after = (rng.next() % 12) as usize;
        let burst = rng.next().is_multiple_of(3);
        let mut sent: Vec<(ParticipantId, CriterionId, f64)> = Vec::new();
        let mut got = 0;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let p = queue[(rng.next() % queue.len() as u64) as usize].clone();
            let c = CriterionId::new(CRITERIA[(rng.next() % 5) as usize]);
            let v = (rng.next() % 20) as f64 / 2.0 + 0.5;
            writeln!(stdin, "{p} {c}={v}").unwrap();
            stdin.flush().unwrap();
            in_flight.entry((p.clone(), c.clone())).or_default().push(v);
            sent.push((p, c, v));
            if burst && got == kill_after {
                // More writes in the pipe when the kill comes.
                for _ in 0..5 {
                    let p = queue[(rng.next() % queue.len() as u64) as usize].clone();
                    let c = CriterionId::new(CRITERIA[(rng.next() % 5) as usize]);
                    let v = (rng.next() % 20) as f64 / 2.0 + 0.5;
                    let _ = writeln!(stdin, "{p} {c}={v}");
                    in_flight.entry((p.clone(), c.clone())).or_default().push(v);
                }
                let _ = stdin.flush();
                std::thread::sleep(Duration::from_millis(rng.next() % 20));
                break;
            }
            let line = lines.next().expect("an answer").unwrap();
            assert!(line.starts_with("ok "), "round {round}: {line}");
            let (p, c, v) = sent[got].clone();
            got += 1;
            total_acks += 1;
            acked.insert((p.clone(), c.clone()), v);
            in_flight.insert((p, c), Vec::new());
            if got > kill_after {
                break;
            }
            assert!(Instant::now() < deadline, "round {round} hangs");
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();

        // The database opens, verifies, and holds every acknowledged score.
        let out = Command::new(env!("CARGO_BIN_EXE_konkurs"))
            .args(["--db"])
            .arg(dir.path())
            .arg("verify")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "round {round}: verify failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let service = Service::open(dir.path()).unwrap();
        let view = service.view(&Actor::local_coordinator());
        for ((p, c), v) in &acked {
            let stored = view
                .sheet(&StageId::new("portfolio"), p, &juror)
                .and_then(|s| s.scores.get(c).copied());
            let later = in_flight
                .get(&(p.clone(), c.clone()))
                .cloned()
                .unwrap_or_default();
            assert!(
                stored == Some(*v) || stored.is_some_and(|s| later.contains(&s)),
                "round {round}: {p} {c}: acknowledged {v}, stored {stored:?}, unacknowledged since {later:?}"
            );
            // What is stored now is the new baseline.
        }
        // Re-read the baseline for the next round from the database.
        for ((p, c), v) in acked.iter_mut() {
            if let Some(s) = view
                .sheet(&StageId::new("portfolio"), p, &juror)
                .and_then(|s| s.scores.get(c).copied())
            {
                *v = s;
            }
        }
        in_flight.values_mut().for_each(Vec::clear);
        drop(view);
        drop(service);
    }
    assert!(
        total_acks >= rounds,
        "{total_acks} acknowledgements in {rounds} rounds"
    );
}
