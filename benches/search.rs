//! Search as a person types it in the Review pane, over 100,000
//! participants (id, name, TOS, municipality): the time of each keystroke,
//! narrowing from the previous query as the pane does, one-typo queries
//! included (they look through everyone). Beside it, `fzf
//! --filter` over the same 100,000 lines for the same queries, when fzf is
//! installed (`apt-get install fzf`).
//!
//! Run with `cargo bench --bench search`.

/// The allocator the konkurs binary uses, so that figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use konkurs::search::{SearchIndex, fold};
use konkurs::service::{Actor, Service};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What people type: Latin for Cyrillic names, Cyrillic, municipalities.
const QUERIES: &[&str] = &[
    "ivanova",
    "sokolova",
    "petrov",
    "kuznetsova",
    "angarsk",
    "irkutsk",
    "bratsk",
    "shelekhov",
    "tos zarya",
    "berezka",
    "иванова",
    "соколова",
    "ангарск",
    "усть-илимск",
    "мария петровна",
    "hodorkovskaya",
    "zhukova",
    "tsvetkova",
    "elena",
    "p0500",
    "иркустк",
    "sokolvoa",
];

fn main() {
    let dir = common::database(100_000);
    let service = Service::open(&dir).unwrap();
    let view = service.view(&Actor::local_coordinator());
    let rows: Vec<[String; 4]> = view
        .participants()
        .map(|p| {
            [
                p.id.to_string(),
                p.full_name.clone(),
                p.tos_name.clone(),
                p.municipality.clone(),
            ]
        })
        .collect();
    drop(view);
    let t = Instant::now();
    let index = SearchIndex::new(rows.iter().map(|r| r.each_ref().map(String::as_str)));
    let build = t.elapsed();

    // Each query typed one character at a time, narrowing like the pane.
    let mut per_key = Vec::new();
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    for _round in 0..3 {
        for q in QUERIES {
            let mut previous: Option<(Vec<u8>, Vec<usize>)> = None;
            let mut typed = String::new();
            for c in q.chars() {
                typed.push(c);
                let t = Instant::now();
                let key = SearchIndex::key(&typed);
                let candidates = previous
                    .as_ref()
                    .filter(|(k, _)| key.starts_with(k))
                    .map(|(_, m)| m.as_slice());
                let found = index.find(&typed, candidates);
                per_key.push(t.elapsed());
                slowest.push((t.elapsed(), typed.clone()));
                previous = Some((key, found.matched));
            }
        }
    }
    let keys = common::stats(per_key);
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    slowest.dedup_by(|a, b| a.1 == b.1);
    // Whole queries from scratch (a paste, or Backspace to an empty box).
    let mut whole = Vec::new();
    for q in QUERIES {
        let t = Instant::now();
        let _ = index.search(q, None);
        whole.push(t.elapsed());
    }
    let whole = common::stats(whole);
    println!(
        "index of {} participants built in {:.1} ms",
        rows.len(),
        common::ms(build)
    );
    println!("per keystroke (narrowing):          {keys}");
    println!("whole query from scratch:           {whole}");
    let slow: Vec<String> = slowest
        .iter()
        .take(6)
        .map(|(d, q)| format!("«{q}» {:.1} ms", common::ms(*d)))
        .collect();
    println!("the slowest keystrokes:             {}", slow.join(", "));

    // fzf on the same lines, the same whole queries, from scratch.
    let lines: String = rows
        .iter()
        .map(|r| format!("{}  {}  {}  {}\n", r[0], r[1], r[2], r[3]))
        .collect();
    let mut fzf = Vec::new();
    for q in QUERIES {
        let Some(d) = run_fzf(&lines, q) else {
            println!("fzf: not installed; install it (apt-get install fzf) for the comparison");
            return;
        };
        fzf.push(d);
    }
    let fzf = common::stats(fzf);
    println!("fzf --filter, whole query:          {fzf}");
    println!(
        "ratio of medians, fzf / konkurs (whole query): {:.1}",
        fzf.median.as_secs_f64() / whole.median.as_secs_f64()
    );
    let _ = fold('a');
}

/// The wall time of `fzf --filter QUERY` over `lines`, or None without fzf.
fn run_fzf(lines: &str, query: &str) -> Option<Duration> {
    let t = Instant::now();
    let mut child = Command::new("fzf")
        .args(["--filter", query])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(lines.as_bytes()).ok()?;
    child.wait().ok()?;
    Some(t.elapsed())
}
