//! Times as a person reads and types them: in the contest's own time zone.
//!
//! Instants are stored in UTC. Every time shown (on screen, on the command
//! line, in documents) is in the contest's zone with its offset,
//! `2021-12-01 10:00 (UTC+08:00)`, and every time typed without a zone is
//! read in it. The zone is the regulation's `timezone` (an IANA name such
//! as `Asia/Irkutsk`), else the machine's own.

use crate::domain::regulation::Regulation;
use crate::text::I18n;
use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// A time zone the contest's times are read and shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// An IANA zone (`Asia/Irkutsk`).
    Named(Tz),
    /// The machine's own zone (the regulation names none).
    Local,
}

impl Zone {
    /// The IANA zone `name` names, if any.
    pub fn named(name: &str) -> Option<Zone> {
        name.parse::<Tz>().ok().map(Zone::Named)
    }

    /// The contest's zone: the regulation's `timezone`, else the machine's.
    pub fn of(regulation: Option<&Regulation>) -> Zone {
        regulation
            .and_then(Regulation::zone)
            .and_then(Zone::named)
            .unwrap_or(Zone::Local)
    }

    /// The zone's offset from UTC at `at`.
    pub fn offset_at(&self, at: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Named(tz) => tz.offset_from_utc_datetime(&at.naive_utc()).fix(),
            Zone::Local => chrono::Local
                .offset_from_utc_datetime(&at.naive_utc())
                .fix(),
        }
    }

    /// `at` on this zone's clock.
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.offset_at(at))
    }

    /// The instant this zone's clock shows as `naive`: the earlier one when
    /// the clocks go back, none when they skip it.
    fn instant(&self, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
        fn first<T: TimeZone>(r: LocalResult<DateTime<T>>) -> Option<DateTime<Utc>> {
            r.earliest().map(|t| t.with_timezone(&Utc))
        }
        match self {
            Zone::Named(tz) => first(tz.from_local_datetime(&naive)),
            Zone::Local => first(chrono::Local.from_local_datetime(&naive)),
        }
    }
}

/// `at` in `zone` with its offset: `2021-12-01 10:00 (UTC+08:00)`.
pub fn show(at: DateTime<Utc>, zone: &Zone) -> String {
    shown(at, zone, "%Y-%m-%d %H:%M")
}

/// [`show`] with seconds, for logs where the order of changes matters:
/// `2021-12-01 10:00:05 (UTC+08:00)`.
pub fn show_seconds(at: DateTime<Utc>, zone: &Zone) -> String {
    shown(at, zone, "%Y-%m-%d %H:%M:%S")
}

/// The date of `at` in `zone`: `2021-12-01`.
pub fn date(at: DateTime<Utc>, zone: &Zone) -> String {
    zone.local(at).format("%Y-%m-%d").to_string()
}

/// The offset of `zone` at `at` as shown after a time: `UTC+08:00`.
pub fn offset(at: DateTime<Utc>, zone: &Zone) -> String {
    format!("UTC{}", zone.local(at).format("%:z"))
}

fn shown(at: DateTime<Utc>, zone: &Zone, form: &str) -> String {
    format!("{} ({})", zone.local(at).format(form), offset(at, zone))
}

/// Why a typed time was not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error(
        "'{text}' is not a time: write 2021-12-01 10:00, 2021-12-01T10:00:00 or 2021-12-01 \
         (the end of that day), in the contest's time zone, or add Z or +08:00 for another zone"
    )]
    NotATime { text: String },
    #[error("'{text}' does not exist in the contest's time zone: the clocks skip it")]
    Skipped { text: String },
}

impl TimeError {
    /// The error in the person's language.
    pub fn words(&self, tr: &I18n) -> String {
        match self {
            TimeError::NotATime { text } => tr.f("time.not_a_time", &[("text", text)]),
            TimeError::Skipped { text } => tr.f("time.skipped", &[("text", text)]),
        }
    }
}

/// Reads a typed time: `2021-12-01 10:00`, with seconds or without, with a
/// `T` or a space, in `zone`; with `Z` or an offset (`+08:00`, `+0800`,
/// `+08`) in that zone instead; a plain date `2021-12-01` is the end of
/// that day in `zone`.
pub fn parse(text: &str, zone: &Zone) -> Result<DateTime<Utc>, TimeError> {
    let not_a_time = || TimeError::NotATime {
        text: text.to_string(),
    };
    let s = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let end = d.and_hms_opt(23, 59, 59).expect("a valid time of day");
        return zone.instant(end).ok_or_else(|| TimeError::Skipped {
            text: text.to_string(),
        });
    }
    // The date and the time, separated by one `T` or one space.
    let (day, rest) = s
        .split_at_checked(10)
        .filter(|(_, r)| r.starts_with(['T', 't', ' ']))
        .ok_or_else(not_a_time)?;
    let rest = &rest[1..];
    // The time of day, then what follows it: nothing, `Z` or an offset.
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .unwrap_or(rest.len());
    let (clock, suffix) = rest.split_at(end);
    let naive = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&format!("{day} {clock}"), f).ok())
        .ok_or_else(not_a_time)?;
    let suffix = suffix.trim_start();
    if suffix.is_empty() {
        return zone.instant(naive).ok_or_else(|| TimeError::Skipped {
            text: text.to_string(),
        });
    }
    let offset = if suffix.eq_ignore_ascii_case("z") {
        Some(FixedOffset::east_opt(0).expect("UTC"))
    } else {
        parse_offset(suffix)
    };
    let offset = offset.ok_or_else(not_a_time)?;
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(not_a_time)
}

/// `+08:00`, `+0800` or `+08` (and `-`).
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || s[1..].matches(':').count() > 1 {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn irkutsk() -> Zone {
        Zone::named("Asia/Irkutsk").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn times_are_shown_in_the_zone_with_the_offset() {
        let at = utc("2021-12-01T02:00:05Z");
        assert_eq!(show(at, &irkutsk()), "2021-12-01 10:00 (UTC+08:00)");
        assert_eq!(
            show_seconds(at, &irkutsk()),
            "2021-12-01 10:00:05 (UTC+08:00)"
        );
        // 23:30 UTC is already the next morning in Irkutsk.
        assert_eq!(date(utc("2021-11-30T23:30:00Z"), &irkutsk()), "2021-12-01");
        let moscow = Zone::named("Europe/Moscow").unwrap();
        assert_eq!(show(at, &moscow), "2021-12-01 05:00 (UTC+03:00)");
        let utc_zone = Zone::named("UTC").unwrap();
        assert_eq!(show(at, &utc_zone), "2021-12-01 02:00 (UTC+00:00)");
    }

    #[test]
    fn every_accepted_form_is_read_in_the_zone() {
        let ten = utc("2021-12-01T02:00:00Z");
        for s in [
            "2021-12-01 10:00",
            "2021-12-01T10:00",
            "2021-12-01 10:00:00",
            "2021-12-01T10:00:00",
            "2021-12-01t10:00:00",
            " 2021-12-01 10:00 ",
            "2021-12-01T10:00:00.000",
        ] {
            assert_eq!(parse(s, &irkutsk()), Ok(ten), "{s}");
        }
        assert_eq!(
            parse("2021-12-01 10:00:30", &irkutsk()),
            Ok(utc("2021-12-01T02:00:30Z"))
        );
        // A plain date is the end of that day in the zone.
        assert_eq!(
            parse("2021-12-01", &irkutsk()),
            Ok(utc("2021-12-01T15:59:59Z"))
        );
    }

    #[test]
    fn an_explicit_zone_wins() {
        let ten_utc = utc("2021-12-01T10:00:00Z");
        for s in [
            "2021-12-01T10:00:00Z",
            "2021-12-01 10:00Z",
            "2021-12-01T10:00z",
            "2021-12-01T18:00:00+08:00",
            "2021-12-01 18:00+0800",
            "2021-12-01 18:00 +08:00",
            "2021-12-01T18:00+08",
            "2021-12-01T07:00:00-03:00",
        ] {
            assert_eq!(parse(s, &irkutsk()), Ok(ten_utc), "{s}");
        }
    }

    #[test]
    fn bad_input_says_what_is_accepted() {
        for s in [
            "tomorrow",
            "",
            "2021-12-01 25:00",
            "2021-13-01",
            "2021-12-01 10",
            "01.12.2021 10:00",
            "2021-12-01 10:00 Irkutsk",
            "2021-12-01 10:00+8",
            "2021-12-01 10:00+08:00:00",
            "2021-12-01_10:00",
        ] {
            let e = parse(s, &irkutsk()).unwrap_err();
            assert_eq!(
                e,
                TimeError::NotATime {
                    text: s.to_string()
                },
                "{s}"
            );
        }
        let e = parse("tomorrow", &irkutsk()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "'tomorrow' is not a time: write 2021-12-01 10:00, 2021-12-01T10:00:00 or \
             2021-12-01 (the end of that day), in the contest's time zone, or add Z or +08:00 \
             for another zone"
        );
        let ru = e.words(&I18n::new(crate::text::Lang::Ru));
        assert!(ru.starts_with("«tomorrow» — не время"), "{ru}");
    }

    #[test]
    fn a_time_the_clocks_skip_is_refused() {
        // Moscow moved its clocks from 02:00 to 03:00 on 2011-03-27.
        let moscow = Zone::named("Europe/Moscow").unwrap();
        assert_eq!(
            parse("2011-03-27 02:30", &moscow),
            Err(TimeError::Skipped {
                text: "2011-03-27 02:30".into()
            })
        );
    }

    #[test]
    fn unknown_zones_are_not_zones() {
        assert_eq!(Zone::named("Asia/Irktusk"), None);
        assert_eq!(Zone::of(None), Zone::Local);
    }
}
