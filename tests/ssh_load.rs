//! A bounded load test of `konkurs serve`: 50 jurors at once, each scoring
//! 100 criteria (20 participants × 5 criteria of the portfolio stage)
//! through the Scoring pane of their own SSH session, then checking the
//! database for every score.
//!
//! Run it (release build, about a minute on a 2-core machine):
//!
//! ```text
//! cargo test --release --test ssh_load -- --ignored --nocapture
//! ```
//!
//! Environment knobs: `KONKURS_LOAD_JURORS` (50), `KONKURS_LOAD_PARTICIPANTS`
//! (20 per juror), `KONKURS_LOAD_THINK_MS` (100: the pause between a juror's
//! keystrokes, i.e. 10 keys a second each, far faster than people type).
//!
//! What it measures:
//! * keystroke-to-redraw latency: from writing a key to the channel until
//!   the redraw bytes received show its effect (the client keeps a screen
//!   model of the escape sequences the server sends and checks it: the
//!   typed digit in the field, the saved value, the next participant);
//! * memory per idle session: the server's resident set size (VmRSS of
//!   /proc/PID/status) with 50 signed-in, idle sessions on screen, minus
//!   before any connection, divided by 50.
//!
//! The server is the real binary in its own process; the clients are
//! russh clients in this process, each with a 120×40 pty.

mod common;

use common::{BIN, PATIENCE, wait_for};
use konkurs::domain::contest::{Record, RegulationDoc};
use konkurs::domain::ids::GroupId;
use konkurs::domain::participant::{Indicators, Participant};
use konkurs::domain::people::{Juror, Role};
use konkurs::service::{Actor, ImportKind, Service};
use russh::ChannelMsg;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use unicode_width::UnicodeWidthChar;

const CRITERIA: [&str; 5] = [
    "Реализованные проекты",
    "Творческое задание",
    "Партнёрство",
    "Медиаактивность",
    "Опыт наставничества",
];
const COLS: u16 = 120;
const ROWS: u16 = 40;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The sample regulation without its educational stage, so that the
/// portfolio stage (scored by the jury) is open from the start.
fn portfolio_first() -> String {
    let text = konkurs::sample::REGULATION;
    let start = text.find("# --- Stage 1").unwrap();
    let end = text.find("# --- Stage 2").unwrap();
    let mut out = format!("{}{}", &text[..start], &text[end..]);
    out = out.replace(
        "carry_over = [{ stage = \"education\", weight = 0.2 }]\n",
        "",
    );
    out
}

fn key_of(juror: usize) -> PrivateKey {
    let mut seed = [7u8; 32];
    seed[..8].copy_from_slice(&(juror as u64).to_le_bytes());
    PrivateKey::from(Ed25519Keypair::from_seed(&seed))
}

fn juror_id(j: usize) -> String {
    format!("J{j:03}")
}

fn participant_id(p: usize) -> String {
    format!("P{p:03}")
}

/// The participants juror `j` scores, in the order the queue shows them.
fn queue_of(j: usize, per_juror: usize, participants: usize) -> Vec<usize> {
    let mut q: Vec<usize> = (0..per_juror).map(|k| (j + k) % participants).collect();
    q.sort_by_key(|p| participant_id(*p));
    q
}

/// The digit juror `j` gives participant `p` for criterion `c` (1..9:
/// no extreme that would need a comment).
fn score(j: usize, p: usize, c: usize) -> u8 {
    1 + ((j * 7 + p * 3 + c) % 9) as u8
}

fn build(dir: &Path, jurors: usize, participants: usize, per_juror: usize) {
    let service = Service::open(dir).unwrap();
    let me = Actor::local_coordinator();
    service
        .set_regulation(
            &me,
            RegulationDoc {
                file_name: "regulation.toml".into(),
                source: portfolio_first(),
            },
        )
        .unwrap();
    let groups = ["city", "urban", "rural"];
    let people = (0..participants)
        .map(|p| {
            Record::Participant(Participant {
                id: participant_id(p).as_str().into(),
                full_name: format!("Участник {p:03}"),
                tos_name: format!("ТОС {p:03}"),
                municipality: "Иркутск".into(),
                group: GroupId::new(groups[p % 3]),
                email: String::new(),
                phone: String::new(),
                application_date: chrono::NaiveDate::from_ymd_opt(2021, 2, 1).unwrap(),
                indicators: Indicators::default(),
                notes: String::new(),
            })
        })
        .collect();
    service
        .import_records(&me, ImportKind::Participants, people, "load", false)
        .unwrap();
    let jury = (0..jurors)
        .map(|j| {
            Record::Juror(Juror {
                id: juror_id(j).as_str().into(),
                full_name: format!("Эксперт {j:03}"),
                role: Role::Juror,
                email: String::new(),
                municipality: "Братск".into(),
                tos_name: String::new(),
                keys: Vec::new(),
            })
        })
        .collect();
    service
        .import_records(&me, ImportKind::Jurors, jury, "load", false)
        .unwrap();
    let stage = "portfolio".into();
    for j in 0..jurors {
        let id = juror_id(j).as_str().into();
        let line = key_of(j).public_key().to_openssh().unwrap();
        service.add_key(&me, &id, &line).unwrap();
        for p in queue_of(j, per_juror, participants) {
            service
                .assign(&me, &stage, &participant_id(p).as_str().into(), &id)
                .unwrap();
        }
    }
}

/// The text of a terminal, kept from the escape sequences the server
/// sends: cursor moves, clears and printed characters (styles ignored).
struct Screen {
    cells: Vec<Vec<char>>,
    row: usize,
    col: usize,
    pending: Vec<u8>,
}

impl Screen {
    fn new() -> Screen {
        Screen {
            cells: vec![vec![' '; COLS as usize]; ROWS as usize],
            row: 0,
            col: 0,
            pending: Vec::new(),
        }
    }

    fn clear(&mut self) {
        for row in &mut self.cells {
            row.fill(' ');
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        let data = std::mem::take(&mut self.pending);
        let mut i = 0;
        while i < data.len() {
            let b = data[i];
            if b == 0x1b {
                // ESC [ params final, or ESC and one byte.
                if i + 1 >= data.len() {
                    self.pending = data[i..].to_vec();
                    return;
                }
                if data[i + 1] != b'[' {
                    i += 2;
                    continue;
                }
                let mut j = i + 2;
                while j < data.len() && !(0x40..=0x7e).contains(&data[j]) {
                    j += 1;
                }
                if j >= data.len() {
                    self.pending = data[i..].to_vec();
                    return;
                }
                let params = std::str::from_utf8(&data[i + 2..j]).unwrap_or("");
                match data[j] {
                    b'H' => {
                        let mut it = params.split(';').map(|n| n.parse::<usize>().unwrap_or(1));
                        self.row = it.next().unwrap_or(1).saturating_sub(1);
                        self.col = it.next().unwrap_or(1).saturating_sub(1);
                    }
                    b'J' if params == "2" || params == "3" => self.clear(),
                    b'J' => {
                        let (row, col) = (self.row, self.col);
                        for (r, line) in self.cells.iter_mut().enumerate().skip(row) {
                            let from = if r == row { col } else { 0 };
                            line.iter_mut().skip(from).for_each(|c| *c = ' ');
                        }
                    }
                    b'K' => {
                        let (row, col) = (self.row, self.col);
                        if let Some(line) = self.cells.get_mut(row) {
                            line.iter_mut().skip(col).for_each(|c| *c = ' ');
                        }
                    }
                    _ => {}
                }
                i = j + 1;
                continue;
            }
            if b == b'\r' {
                self.col = 0;
                i += 1;
                continue;
            }
            if b == b'\n' {
                self.row += 1;
                i += 1;
                continue;
            }
            if b < 0x20 {
                i += 1;
                continue;
            }
            let len = match b {
                0x00..=0x7f => 1,
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            if i + len > data.len() {
                self.pending = data[i..].to_vec();
                return;
            }
            let ch = std::str::from_utf8(&data[i..i + len])
                .ok()
                .and_then(|s| s.chars().next())
                .unwrap_or('?');
            if let Some(cell) = self
                .cells
                .get_mut(self.row)
                .and_then(|r| r.get_mut(self.col))
            {
                *cell = ch;
            }
            self.col += ch.width().unwrap_or(1).max(1);
            i += len;
        }
    }

    fn text(&self) -> String {
        self.cells
            .iter()
            .map(|r| r.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn line_with(&self, needle: &str) -> Option<String> {
        self.cells
            .iter()
            .map(|r| r.iter().collect::<String>())
            .find(|l| l.contains(needle))
    }
}

struct Client;

impl russh::client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// What one juror's session measured.
#[derive(Default)]
struct Run {
    /// (what the key did, how long until the screen showed it)
    latencies: Vec<(&'static str, Duration)>,
    errors: Vec<String>,
    exit_status: Option<u32>,
}

type Session = (
    russh::client::Handle<Client>,
    russh::Channel<russh::client::Msg>,
    Screen,
);

async fn connect(port: u16, j: usize) -> Result<Session, String> {
    let config = Arc::new(russh::client::Config {
        nodelay: true,
        ..Default::default()
    });
    let mut handle = russh::client::connect(config, ("127.0.0.1", port), Client)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let auth = handle
        .authenticate_publickey(
            juror_id(j),
            PrivateKeyWithHashAlg::new(Arc::new(key_of(j)), None),
        )
        .await
        .map_err(|e| format!("auth: {e}"))?;
    if !auth.success() {
        return Err("key refused".into());
    }
    let channel = handle
        .channel_open_session()
        .await
        .map_err(|e| format!("channel: {e}"))?;
    channel
        .request_pty(true, "xterm-256color", COLS as u32, ROWS as u32, 0, 0, &[])
        .await
        .map_err(|e| format!("pty: {e}"))?;
    channel
        .request_shell(true)
        .await
        .map_err(|e| format!("shell: {e}"))?;
    Ok((handle, channel, Screen::new()))
}

/// Reads channel data into the screen until `test` holds; returns when.
async fn until(
    channel: &mut russh::Channel<russh::client::Msg>,
    screen: &mut Screen,
    what: &str,
    test: impl Fn(&Screen) -> bool,
) -> Result<Instant, String> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if test(screen) {
            return Ok(Instant::now());
        }
        match tokio::time::timeout_at(deadline, channel.wait()).await {
            Err(_) => return Err(format!("waited for {what}; screen:\n{}", screen.text())),
            Ok(None) => return Err(format!("channel closed while waiting for {what}")),
            Ok(Some(ChannelMsg::Data { data })) => screen.feed(&data),
            Ok(Some(_)) => {}
        }
    }
}

/// One juror: open the Scoring pane and score every criterion of every
/// assigned participant, measuring each keystroke.
async fn juror(
    session: Session,
    j: usize,
    per_juror: usize,
    participants: usize,
    think: Duration,
) -> Run {
    let (handle, mut channel, mut screen) = session;
    let mut run = Run::default();
    let result: Result<(), String> = async {
        channel.data(&b"2"[..]).await.map_err(|e| e.to_string())?;
        until(&mut channel, &mut screen, "the Scoring pane", |s| {
            s.text().contains(&format!("Queue 0/{per_juror}"))
        })
        .await?;
        let queue = queue_of(j, per_juror, participants);
        for (n, &p) in queue.iter().enumerate() {
            let pid = participant_id(p);
            for (c, name) in CRITERIA.iter().enumerate() {
                let d = score(j, p, c);
                let typed = format!("{d}▏");
                tokio::time::sleep(think).await;
                let sent = Instant::now();
                channel
                    .data(&[b'0' + d][..])
                    .await
                    .map_err(|e| e.to_string())?;
                let seen = until(&mut channel, &mut screen, &format!("{pid}: {typed}"), |s| {
                    s.line_with(name).is_some_and(|l| l.contains(&typed))
                })
                .await?;
                run.latencies.push(("type a digit", seen - sent));
                let saved = format!("{d:>6} / 10");
                tokio::time::sleep(think).await;
                let sent = Instant::now();
                channel.data(&b"\r"[..]).await.map_err(|e| e.to_string())?;
                let seen = until(&mut channel, &mut screen, &format!("{pid}: {saved}"), |s| {
                    !s.text().contains('▏') && s.line_with(name).is_some_and(|l| l.contains(&saved))
                })
                .await?;
                run.latencies.push(("Enter: save the score", seen - sent));
            }
            if let Some(&next) = queue.get(n + 1) {
                // Back to the queue and to its top: the first one not scored.
                let next = format!("· {}", participant_id(next));
                tokio::time::sleep(think).await;
                let sent = Instant::now();
                channel
                    .data(&b"\x1b[D\x1b[H"[..])
                    .await
                    .map_err(|e| e.to_string())?;
                let seen = until(&mut channel, &mut screen, &next, |s| {
                    s.text().contains(&next)
                })
                .await?;
                run.latencies.push(("next participant", seen - sent));
            }
        }
        channel.data(&b"q"[..]).await.map_err(|e| e.to_string())?;
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, channel.wait()).await {
            if let ChannelMsg::ExitStatus { exit_status } = msg {
                run.exit_status = Some(exit_status);
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        run.errors.push(format!("{}: {e}", juror_id(j)));
    }
    let _ = handle
        .disconnect(russh::Disconnect::ByApplication, "", "")
        .await;
    run
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[test]
#[ignore = "load test: cargo test --release --test ssh_load -- --ignored --nocapture"]
fn fifty_jurors_score_at_once_over_ssh() {
    let jurors = env("KONKURS_LOAD_JURORS", 50);
    let per_juror = env("KONKURS_LOAD_PARTICIPANTS", 20);
    let think = Duration::from_millis(env("KONKURS_LOAD_THINK_MS", 100) as u64);
    let participants = (per_juror * 2).max(40);
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    build(dir.path(), jurors, participants, per_juror);
    eprintln!(
        "contest: {jurors} jurors × {per_juror} participants × 5 criteria, built in {:.1?}",
        started.elapsed()
    );

    let mut server = Command::new(BIN)
        .arg("--db")
        .arg(dir.path())
        .args(["--lang", "en", "serve", "--listen", "127.0.0.1:0"])
        .args(["--idle-timeout", "0", "--max-sessions", "64"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = server.id();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().expect("the server starts").unwrap();
        if let Some(rest) = line.strip_prefix("connect with: ssh -p ") {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    std::thread::sleep(Duration::from_millis(300));
    let rss_before = rss_kib(pid);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let runs: Vec<Run> = runtime.block_on(async {
        // Everyone signs in and sees the workstation; nobody types yet.
        let mut sessions = Vec::new();
        for j in 0..jurors {
            let mut s = connect(port, j).await.expect("a juror signs in");
            until(&mut s.1, &mut s.2, "the workstation", |s| {
                s.text().contains("1 Review")
            })
            .await
            .unwrap();
            sessions.push(s);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rss_idle = rss_kib(pid);
        eprintln!(
            "memory: server RSS {rss_before} KiB before, {rss_idle} KiB with {jurors} idle sessions: \
             {:.0} KiB per idle session",
            (rss_idle.saturating_sub(rss_before)) as f64 / jurors as f64
        );
        let t0 = Instant::now();
        let tasks: Vec<_> = sessions
            .into_iter()
            .enumerate()
            .map(|(j, s)| tokio::spawn(juror(s, j, per_juror, participants, think)))
            .collect();
        let mut runs = Vec::new();
        for t in tasks {
            runs.push(t.await.unwrap());
        }
        eprintln!(
            "scoring: {:.1?} for everyone; server RSS after: {} KiB",
            t0.elapsed(),
            rss_kib(pid)
        );
        runs
    });

    let errors: Vec<&String> = runs.iter().flat_map(|r| &r.errors).collect();
    let exits = runs.iter().filter(|r| r.exit_status == Some(0)).count();
    for kind in [
        None,
        Some("type a digit"),
        Some("Enter: save the score"),
        Some("next participant"),
    ] {
        let mut latencies: Vec<Duration> = runs
            .iter()
            .flat_map(|r| &r.latencies)
            .filter(|(k, _)| kind.is_none_or(|kind| kind == *k))
            .map(|(_, d)| *d)
            .collect();
        latencies.sort();
        if latencies.is_empty() {
            continue;
        }
        eprintln!(
            "latency, {} ({} keystrokes, {} ms between a juror's keys): p50 {:.1?}, p90 {:.1?}, p99 {:.1?}, max {:.1?}",
            kind.unwrap_or("all keys"),
            latencies.len(),
            think.as_millis(),
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.90),
            percentile(&latencies, 0.99),
            latencies.last().copied().unwrap_or_default(),
        );
    }
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let status = wait_for(PATIENCE, || server.try_wait().unwrap()).expect("the server stops");
    assert!(status.success(), "{status:?}");
    assert!(errors.is_empty(), "{} errors: {errors:#?}", errors.len());
    assert_eq!(exits, jurors, "every session ended with exit status 0");

    // Every score typed is in the database.
    let service = Service::open(dir.path()).unwrap();
    let view = service.view(&Actor::local_coordinator());
    let stage = "portfolio".into();
    let criteria = [
        "projects",
        "creative_task",
        "partnership",
        "media",
        "mentoring",
    ];
    let mut checked = 0;
    for j in 0..jurors {
        for p in queue_of(j, per_juror, participants) {
            let sheet = view
                .sheet(
                    &stage,
                    &participant_id(p).as_str().into(),
                    &juror_id(j).as_str().into(),
                )
                .unwrap_or_else(|| panic!("no sheet of {} by {}", participant_id(p), juror_id(j)));
            for (c, id) in criteria.iter().enumerate() {
                assert_eq!(
                    sheet.scores.get(*id).copied(),
                    Some(score(j, p, c) as f64),
                    "{} by {}: {id}",
                    participant_id(p),
                    juror_id(j)
                );
                checked += 1;
            }
        }
    }
    eprintln!("database: all {checked} scores present and right");
}
