//! Who is turned away at the door: the server's event log, and a limit on
//! failed sign-ins per source address.
//!
//! Every refused key is written down (time, address, SSH user name, key
//! fingerprint) so that a coordinator can see who tried; an address that
//! fails [`FAILURES_ALLOWED`] times within [`FAILURE_WINDOW`] is refused
//! outright for [`BLOCK_FOR`], which makes guessing keys slow and keeps the
//! log readable.

use std::collections::{HashMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts an address may make within [`FAILURE_WINDOW`].
pub const FAILURES_ALLOWED: usize = 10;
/// The window failures are counted in.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// How long an address that failed too often is refused.
pub const BLOCK_FOR: Duration = Duration::from_secs(60);
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
            self.blocked_until = None;
        }
    }

    fn is_quiet(&self) -> bool {
        self.failures.is_empty() && self.blocked_until.is_none()
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

    /// Records a failure of `ip` at `now`; returns true when this failure
    /// is the one that blocks the address.
    pub fn fail(&self, ip: IpAddr, now: Instant) -> bool {
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
            return false;
        }
        r.failures.push_back(now);
        if r.failures.len() >= FAILURES_ALLOWED {
            r.failures.clear();
            r.blocked_until = Some(now + BLOCK_FOR);
            return true;
        }
        false
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
            assert!(!limiter.fail(ip(1), t0 + Duration::from_secs(i as u64)));
            assert!(!limiter.blocked(ip(1), t0 + Duration::from_secs(i as u64)));
        }
        let last = t0 + Duration::from_secs(20);
        assert!(limiter.fail(ip(1), last), "the tenth failure blocks");
        assert!(limiter.blocked(ip(1), last + Duration::from_secs(59)));
        assert!(
            !limiter.blocked(ip(2), last),
            "other addresses are not affected"
        );
        assert!(!limiter.blocked(ip(1), last + BLOCK_FOR));
        // The count starts afresh after the block.
        assert!(!limiter.fail(ip(1), last + BLOCK_FOR));
    }

    #[test]
    fn failures_spread_over_more_than_a_minute_do_not_block() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for i in 0..3 * FAILURES_ALLOWED {
            let t = t0 + Duration::from_secs(7 * i as u64);
            assert!(!limiter.fail(ip(1), t), "failure {i}");
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
