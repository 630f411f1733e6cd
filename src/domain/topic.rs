//! The vocabulary of the educational stage: the 11 training topics and the
//! formats training runs in.
//!
//! Codes are stable English snake_case words used in files and in the
//! regulation; the names a person reads live in the language catalogues.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the 11 topics of the training programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Organisation of TOS: stages, territory, powers and functions.
    Organisation,
    /// TOS in Russia and abroad: legal status, experience, public goods.
    RussiaAndAbroad,
    /// Economics of TOS: financing, fundraising, accounting, projects, support.
    Economics,
    /// Studying one's territory: surveys, problems and resources.
    Research,
    /// Neighbourhood and house management.
    Management,
    /// Partnership with local government, municipal institutions and business.
    Partnership,
    /// IT, social networks, messengers, crowdfunding.
    ItMedia,
    /// National projects and TOS.
    NationalProjects,
    /// Volunteers as a resource of TOS.
    Volunteers,
    /// Resource centres for TOS.
    ResourceCentres,
    /// Social entrepreneurship: tourism products, cooperation, local economy.
    SocialEntrepreneurship,
}

impl Topic {
    pub const ALL: [Topic; 11] = [
        Topic::Organisation,
        Topic::RussiaAndAbroad,
        Topic::Economics,
        Topic::Research,
        Topic::Management,
        Topic::Partnership,
        Topic::ItMedia,
        Topic::NationalProjects,
        Topic::Volunteers,
        Topic::ResourceCentres,
        Topic::SocialEntrepreneurship,
    ];

    /// The stable code used in files and in the regulation.
    pub fn code(self) -> &'static str {
        match self {
            Topic::Organisation => "organisation",
            Topic::RussiaAndAbroad => "russia_and_abroad",
            Topic::Economics => "economics",
            Topic::Research => "research",
            Topic::Management => "management",
            Topic::Partnership => "partnership",
            Topic::ItMedia => "it_media",
            Topic::NationalProjects => "national_projects",
            Topic::Volunteers => "volunteers",
            Topic::ResourceCentres => "resource_centres",
            Topic::SocialEntrepreneurship => "social_entrepreneurship",
        }
    }

    /// The topic's number in the programme, 1 to 11.
    pub fn number(self) -> usize {
        Topic::ALL.iter().position(|t| *t == self).unwrap_or(0) + 1
    }

    /// Parses a code (`economics`) or a programme number (`3`).
    pub fn from_code(s: &str) -> Option<Topic> {
        let s = s.trim();
        if let Ok(n) = s.parse::<usize>() {
            return (1..=11).contains(&n).then(|| Topic::ALL[n - 1]);
        }
        Topic::ALL
            .into_iter()
            .find(|t| t.code().eq_ignore_ascii_case(s))
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

/// The format a training event runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventFormat {
    Webinar,
    Seminar,
    Training,
    Internship,
    Consultation,
    Forum,
}

impl EventFormat {
    pub const ALL: [EventFormat; 6] = [
        EventFormat::Webinar,
        EventFormat::Seminar,
        EventFormat::Training,
        EventFormat::Internship,
        EventFormat::Consultation,
        EventFormat::Forum,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventFormat::Webinar => "webinar",
            EventFormat::Seminar => "seminar",
            EventFormat::Training => "training",
            EventFormat::Internship => "internship",
            EventFormat::Consultation => "consultation",
            EventFormat::Forum => "forum",
        }
    }

    pub fn from_code(s: &str) -> Option<EventFormat> {
        let s = s.trim();
        EventFormat::ALL
            .into_iter()
            .find(|f| f.code().eq_ignore_ascii_case(s))
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
        assert_eq!(Topic::from_code("economics"), Some(Topic::Economics));
        assert_eq!(
            Topic::from_code(" 11 "),
            Some(Topic::SocialEntrepreneurship)
        );
        assert_eq!(Topic::from_code("12"), None);
        assert_eq!(Topic::from_code("0"), None);
        for t in Topic::ALL {
            assert_eq!(Topic::from_code(t.code()), Some(t));
            assert_eq!(Topic::from_code(&t.number().to_string()), Some(t));
        }
    }
}
