//! The vocabulary of the educational stage: the 11 training topics and the
//! formats training runs in.
//!
//! Codes are stable English snake_case words used in files and in the
//! regulation; the names a person reads live in the language catalogues.

use super::code::codes;
use serde::{Deserialize, Serialize};
use std::fmt;

codes! {
    /// One of the 11 topics of the training programme; its code is used in
    /// files and in the regulation.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Topic {
        /// Organisation of TOS: stages, territory, powers and functions.
        Organisation => "organisation",
        /// TOS in Russia and abroad: legal status, experience, public goods.
        RussiaAndAbroad => "russia_and_abroad",
        /// Economics of TOS: financing, fundraising, accounting, projects, support.
        Economics => "economics",
        /// Studying one's territory: surveys, problems and resources.
        Research => "research",
        /// Neighbourhood and house management.
        Management => "management",
        /// Partnership with local government, municipal institutions and business.
        Partnership => "partnership",
        /// IT, social networks, messengers, crowdfunding.
        ItMedia => "it_media",
        /// National projects and TOS.
        NationalProjects => "national_projects",
        /// Volunteers as a resource of TOS.
        Volunteers => "volunteers",
        /// Resource centres for TOS.
        ResourceCentres => "resource_centres",
        /// Social entrepreneurship: tourism products, cooperation, local economy.
        SocialEntrepreneurship => "social_entrepreneurship",
    }
}

impl Topic {
    /// The topic's number in the programme, 1 to 11.
    pub fn number(self) -> usize {
        Topic::ALL.iter().position(|t| *t == self).unwrap_or(0) + 1
    }

    /// Parses a code (`economics`) or a programme number (`3`).
    pub fn parse(s: &str) -> Option<Topic> {
        let s = s.trim();
        if let Ok(n) = s.parse::<usize>() {
            return (1..=Topic::ALL.len())
                .contains(&n)
                .then(|| Topic::ALL[n - 1]);
        }
        Topic::from_code(s)
    }

    /// The index of the topic in [`Topic::ALL`], for per-topic arrays.
    pub fn index(self) -> usize {
        self.number() - 1
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

codes! {
    /// The format a training event runs in.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum EventFormat {
        Webinar => "webinar",
        Seminar => "seminar",
        Training => "training",
        Internship => "internship",
        Consultation => "consultation",
        Forum => "forum",
    }
}

impl fmt::Display for EventFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_parse_by_code_and_number() {
        assert_eq!(Topic::parse("economics"), Some(Topic::Economics));
        assert_eq!(Topic::parse(" Economics "), Some(Topic::Economics));
        assert_eq!(Topic::parse(" 11 "), Some(Topic::SocialEntrepreneurship));
        assert_eq!(Topic::parse("12"), None);
        assert_eq!(Topic::parse("0"), None);
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.code()), Some(t));
            assert_eq!(Topic::parse(&t.number().to_string()), Some(t));
        }
        // A code is a code: the number is a reading of a file's cell.
        assert_eq!(Topic::from_code("3"), None);
    }
}
