//! Who is turned away at the door: the server's event log, a limit on
//! failed sign-ins per source address, and the waiting room of connections
//! not yet signed in.
//!
//! Every refused key is written down (time, address, SSH user name, key
//! fingerprint) so that a coordinator can see who tried. A connection that
//! ends without signing in after trying is one failure (an agent offering
//! five keys is one, not five); an address with [`FAILURES_ALLOWED`]
//! failures within [`FAILURE_WINDOW`] is blocked for [`BLOCK_FOR`], twice
//! as long at each new block up to [`LONGEST_BLOCK`]. A blocked address is
//! not shut out: its registered keys still sign in (an office behind one
//! address keeps working), but its unknown keys are refused unlogged and it
//! may have only [`WAITING_WHEN_BLOCKED`] connections waiting.
//!
//! [`WaitingRoom`]: at most [`WAITING_PER_ADDRESS`] connections per address
//! and [`WAITING_IN_ALL`] in all may wait to sign in; a new one past either
//! closes the oldest that has sent nothing (else the oldest) of its address,
//! or of the address with the most waiting. A flood of idle connections
//! thus takes only its own seats, and a client that speaks SSH at once is
//! served even from the flooding address.

use std::collections::{HashMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failed attempts an address may make within [`FAILURE_WINDOW`].
pub const FAILURES_ALLOWED: usize = 10;
/// The window failures are counted in.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// How long an address that failed too often is blocked the first time.
pub const BLOCK_FOR: Duration = Duration::from_secs(60);
/// The longest block, however often an address fails.
pub const LONGEST_BLOCK: Duration = Duration::from_secs(3600);
/// Connections of one address waiting to sign in, at most.
pub const WAITING_PER_ADDRESS: usize = 16;
/// ... of a blocked address.
pub const WAITING_WHEN_BLOCKED: usize = 2;
/// Connections waiting to sign in, at most, in all.
pub const WAITING_IN_ALL: usize = 256;
/// Addresses remembered at most; the quietest are forgotten first.
const ADDRESSES_KEPT: usize = 4096;

/// The server's log: every line goes to standard error and is appended to
/// `konkurs.log` in the data directory, with the time in front.
pub struct EventLog {
    file: Mutex<Option<File>>,
}

impl EventLog {
    /// Appends to `path`; if it cannot be opened, lines still go to
    /// standard error (and the first one says why the file is missing).
    pub fn open(path: &Path) -> EventLog {
        let file = OpenOptions::new().create(true).append(true).open(path);
        let log = EventLog {
            file: Mutex::new(file.as_ref().ok().and_then(|f| f.try_clone().ok())),
        };
        if let Err(e) = file {
            log.write(&format!(
                "cannot write the log file {}: {e}; logging to standard error only",
                path.display()
            ));
        }
        log
    }

    pub fn write(&self, line: &str) {
        let line = format!(
            "{} konkurs serve: {line}",
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S%.3f %z")
        );
        eprintln!("{line}");
        if let Some(f) = self.file.lock().expect("log lock").as_mut() {
            let _ = writeln!(f, "{line}");
        }
    }
}

#[derive(Default)]
struct Record {
    failures: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    /// Blocks so far; each doubles the next. Forgotten after a quiet
    /// [`LONGEST_BLOCK`].
    blocks: u32,
    last_block_end: Option<Instant>,
}

impl Record {
    fn forget_before(&mut self, now: Instant) {
        while self
            .failures
            .front()
            .is_some_and(|t| now.duration_since(*t) >= FAILURE_WINDOW)
        {
            self.failures.pop_front();
        }
        if self.blocked_until.is_some_and(|t| now >= t) {
            self.last_block_end = self.blocked_until.take();
        }
        if self
            .last_block_end
            .is_some_and(|t| now.duration_since(t) >= LONGEST_BLOCK)
        {
            self.blocks = 0;
            self.last_block_end = None;
        }
    }

    fn is_quiet(&self) -> bool {
        self.failures.is_empty() && self.blocked_until.is_none() && self.blocks == 0
    }
}

/// Counts failed sign-ins per source address.
#[derive(Default)]
pub struct RateLimiter {
    records: Mutex<HashMap<IpAddr, Record>>,
}

impl RateLimiter {
    /// Whether `ip` is refused at `now`.
    pub fn blocked(&self, ip: IpAddr, now: Instant) -> bool {
        let mut records = self.records.lock().expect("limiter lock");
        match records.get_mut(&ip) {
            Some(r) => {
                r.forget_before(now);
                r.blocked_until.is_some()
            }
            None => false,
        }
    }

    /// Records a failure of `ip` at `now`; returns how long the address is
    /// blocked when this failure is the one that blocks it.
    pub fn fail(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let mut records = self.records.lock().expect("limiter lock");
        if records.len() >= ADDRESSES_KEPT && !records.contains_key(&ip) {
            records.retain(|_, r| {
                r.forget_before(now);
                !r.is_quiet()
            });
            if records.len() >= ADDRESSES_KEPT {
                // Still full of active addresses: forget the one whose
                // latest failure is oldest.
                if let Some(oldest) = records
                    .iter()
                    .min_by_key(|(_, r)| r.failures.back().copied())
                    .map(|(ip, _)| *ip)
                {
                    records.remove(&oldest);
                }
            }
        }
        let r = records.entry(ip).or_default();
        r.forget_before(now);
        if r.blocked_until.is_some() {
            return None;
        }
        r.failures.push_back(now);
        if r.failures.len() >= FAILURES_ALLOWED {
            r.failures.clear();
            let length = (BLOCK_FOR * 2u32.saturating_pow(r.blocks.min(16))).min(LONGEST_BLOCK);
            r.blocks += 1;
            r.blocked_until = Some(now + length);
            return Some(length);
        }
        None
    }
}

/// A connection waiting to sign in.
pub struct Waiting {
    pub id: u64,
    pub ip: IpAddr,
    pub since: Instant,
    /// Whether the client has sent anything yet.
    pub heard: Arc<AtomicBool>,
    /// Closes the connection when notified.
    pub close: Arc<tokio::sync::Notify>,
}

/// The connections waiting to sign in (see the module's documentation).
#[derive(Default)]
pub struct WaitingRoom {
    waiting: Mutex<Vec<Waiting>>,
}

impl WaitingRoom {
    /// Lets `w` in, closing another waiting connection when the room (for
    /// its address, `per_address` seats, or in all) is full; returns the
    /// address of the one closed.
    pub fn admit(&self, w: Waiting, per_address: usize) -> Option<IpAddr> {
        let mut waiting = self.waiting.lock().expect("waiting room lock");
        let of_address = waiting.iter().filter(|o| o.ip == w.ip).count();
        let crowd = if of_address >= per_address {
            Some(w.ip)
        } else if waiting.len() >= WAITING_IN_ALL {
            // The address with the most connections waiting.
            let mut counts: HashMap<IpAddr, usize> = HashMap::new();
            for o in waiting.iter() {
                *counts.entry(o.ip).or_default() += 1;
            }
            counts.into_iter().max_by_key(|(_, n)| *n).map(|(ip, _)| ip)
        } else {
            None
        };
        let mut closed = None;
        if let Some(ip) = crowd {
            let victim = waiting
                .iter()
                .enumerate()
                .filter(|(_, o)| o.ip == ip)
                .min_by_key(|(_, o)| (o.heard.load(Ordering::Acquire), o.since))
                .map(|(i, _)| i);
            if let Some(i) = victim {
                let o = waiting.swap_remove(i);
                o.close.notify_one();
                closed = Some(o.ip);
            }
        }
        waiting.push(w);
        closed
    }

    /// The connection `id` has signed in or gone.
    pub fn leave(&self, id: u64) {
        self.waiting
            .lock()
            .expect("waiting room lock")
            .retain(|o| o.id != id);
    }

    pub fn len(&self) -> usize {
        self.waiting.lock().expect("waiting room lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    #[test]
    fn an_address_is_blocked_after_too_many_failures_in_a_minute_and_then_let_in_again() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for i in 0..FAILURES_ALLOWED - 1 {
            assert!(
                limiter
                    .fail(ip(1), t0 + Duration::from_secs(i as u64))
                    .is_none()
            );
            assert!(!limiter.blocked(ip(1), t0 + Duration::from_secs(i as u64)));
        }
        let last = t0 + Duration::from_secs(20);
        assert_eq!(
            limiter.fail(ip(1), last),
            Some(BLOCK_FOR),
            "the tenth failure blocks"
        );
        assert!(limiter.blocked(ip(1), last + Duration::from_secs(59)));
        assert!(
            !limiter.blocked(ip(2), last),
            "other addresses are not affected"
        );
        assert!(!limiter.blocked(ip(1), last + BLOCK_FOR));
        // The count starts afresh after the block.
        assert!(limiter.fail(ip(1), last + BLOCK_FOR).is_none());
    }

    #[test]
    fn each_new_block_is_twice_as_long_up_to_an_hour_and_then_forgotten() {
        let limiter = RateLimiter::default();
        let mut t = Instant::now();
        let mut lengths = Vec::new();
        for _ in 0..8 {
            let mut blocked = None;
            for _ in 0..FAILURES_ALLOWED {
                blocked = limiter.fail(ip(1), t);
            }
            let length = blocked.expect("blocked");
            lengths.push(length.as_secs());
            t += length;
        }
        assert_eq!(lengths, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        // A quiet hour after the last block: the next is a minute again.
        t += LONGEST_BLOCK;
        assert!(!limiter.blocked(ip(1), t));
        let mut blocked = None;
        for _ in 0..FAILURES_ALLOWED {
            blocked = limiter.fail(ip(1), t);
        }
        assert_eq!(blocked, Some(BLOCK_FOR));
    }

    fn waiting(id: u64, ip: IpAddr, since: Instant, heard: bool) -> Waiting {
        Waiting {
            id,
            ip,
            since,
            heard: Arc::new(AtomicBool::new(heard)),
            close: Arc::new(tokio::sync::Notify::new()),
        }
    }

    #[test]
    fn a_full_address_closes_its_oldest_silent_connection_and_others_are_untouched() {
        let room = WaitingRoom::default();
        let t0 = Instant::now();
        room.admit(waiting(1000, ip(9), t0, false), WAITING_PER_ADDRESS);
        for i in 0..WAITING_PER_ADDRESS as u64 {
            // The first of the flood has spoken; the rest are silent.
            let w = waiting(i, ip(1), t0 + Duration::from_millis(i), i == 0);
            assert_eq!(room.admit(w, WAITING_PER_ADDRESS), None);
        }
        let next = waiting(99, ip(1), t0 + Duration::from_secs(1), false);
        assert_eq!(room.admit(next, WAITING_PER_ADDRESS), Some(ip(1)));
        let ids: Vec<u64> = room.waiting.lock().unwrap().iter().map(|w| w.id).collect();
        assert!(!ids.contains(&1), "the oldest silent one went: {ids:?}");
        assert!(ids.contains(&0) && ids.contains(&1000) && ids.contains(&99));
        room.leave(99);
        assert_eq!(room.len(), WAITING_PER_ADDRESS);
    }

    #[test]
    fn a_full_room_closes_a_connection_of_the_most_crowded_address() {
        let room = WaitingRoom::default();
        let t0 = Instant::now();
        let mut id = 0;
        for a in 0..=(WAITING_IN_ALL / WAITING_PER_ADDRESS) as u8 {
            let n = if a == 3 {
                WAITING_PER_ADDRESS
            } else {
                WAITING_PER_ADDRESS - 1
            };
            for _ in 0..n {
                if room.len() < WAITING_IN_ALL {
                    room.admit(waiting(id, ip(a), t0, false), WAITING_PER_ADDRESS);
                    id += 1;
                }
            }
        }
        assert_eq!(room.len(), WAITING_IN_ALL);
        let closed = room.admit(waiting(id, ip(200), t0, false), WAITING_PER_ADDRESS);
        assert_eq!(closed, Some(ip(3)));
        assert_eq!(room.len(), WAITING_IN_ALL);
    }

    #[test]
    fn failures_spread_over_more_than_a_minute_do_not_block() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for i in 0..3 * FAILURES_ALLOWED {
            let t = t0 + Duration::from_secs(7 * i as u64);
            assert!(limiter.fail(ip(1), t).is_none(), "failure {i}");
            assert!(!limiter.blocked(ip(1), t));
        }
    }

    #[test]
    fn the_number_of_remembered_addresses_is_bounded() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for i in 0..ADDRESSES_KEPT + 100 {
            let a = IpAddr::from([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
            limiter.fail(a, t0);
        }
        assert!(limiter.records.lock().unwrap().len() <= ADDRESSES_KEPT);
    }
}
