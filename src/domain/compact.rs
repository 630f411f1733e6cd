//! Dates in the form each encoding reads fastest: text (`2021-01-15`) in
//! JSON backups and exports, a day number in the binary database records.
//! Parsing 600,000 date strings is a good part of opening a large contest.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

fn to_days(d: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&d)
}

fn from_days<E: serde::de::Error>(n: i32) -> Result<NaiveDate, E> {
    NaiveDate::from_num_days_from_ce_opt(n)
        .ok_or_else(|| E::custom(format!("day {n} is not a date")))
}

/// `#[serde(with = "compact::date")]`
pub mod date {
    use super::*;

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            d.serialize(s)
        } else {
            to_days(*d).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        if d.is_human_readable() {
            NaiveDate::deserialize(d)
        } else {
            from_days(i32::deserialize(d)?)
        }
    }
}

/// `#[serde(with = "compact::datetime")]`: microseconds since 1970 in binary.
pub mod datetime {
    use super::*;

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            t.serialize(s)
        } else {
            t.timestamp_micros().serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        if d.is_human_readable() {
            DateTime::<Utc>::deserialize(d)
        } else {
            let us = i64::deserialize(d)?;
            DateTime::from_timestamp_micros(us)
                .ok_or_else(|| serde::de::Error::custom(format!("{us} µs is not a time")))
        }
    }
}

/// A map from keys to optional dates (a listener's attendance marks).
pub mod date_map {
    use super::*;
    use std::collections::BTreeMap;

    pub fn serialize<K: Serialize + Ord, S: Serializer>(
        m: &BTreeMap<K, Option<NaiveDate>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            m.serialize(s)
        } else {
            s.collect_seq(m.iter().map(|(k, d)| (k, d.map(to_days))))
        }
    }

    pub fn deserialize<'de, K: Deserialize<'de> + Ord, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<K, Option<NaiveDate>>, D::Error> {
        if d.is_human_readable() {
            BTreeMap::deserialize(d)
        } else {
            let pairs: Vec<(K, Option<i32>)> = Vec::deserialize(d)?;
            pairs
                .into_iter()
                .map(|(k, n)| Ok((k, n.map(from_days).transpose()?)))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::learning::Attendance;

    #[test]
    fn text_for_people_numbers_for_the_database() {
        let mut a = Attendance::new("P1".into());
        a.events
            .insert("E1".into(), chrono::NaiveDate::from_ymd_opt(2021, 3, 1));
        a.events.insert("E2".into(), None);
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.contains("2021-03-01"), "{json}");
        assert_eq!(serde_json::from_str::<Attendance>(&json).unwrap(), a);
        let bytes = postcard::to_stdvec(&a).unwrap();
        assert!(bytes.len() < json.len() / 2);
        assert_eq!(postcard::from_bytes::<Attendance>(&bytes).unwrap(), a);
    }
}
