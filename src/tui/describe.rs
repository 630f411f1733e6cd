//! Domain values in words, from the language catalogues: for panes, the
//! command line and exported documents alike.

use super::i18n::I18n;
use crate::domain::activity::ActivityLine;
use crate::domain::points as num;

/// One line of an activity rating's breakdown, in words.
pub fn activity_line(l: &ActivityLine, tr: &I18n) -> String {
    match l {
        ActivityLine::Format {
            format,
            events,
            points_each,
            points,
        } => tr.f(
            "activity.format",
            &[
                ("format", &tr.t(&format!("format_plural.{}", format.code()))),
                ("n", events),
                ("each", &num(*points_each)),
                ("points", &num(*points)),
            ],
        ),
        ActivityLine::Topics {
            topics,
            bonus_each,
            points,
        } => tr.f(
            "activity.topics",
            &[
                ("n", topics),
                ("each", &num(*bonus_each)),
                ("points", &num(*points)),
            ],
        ),
        ActivityLine::AttendanceCap { cap, cut } => tr.f(
            "activity.attendance_cap",
            &[("cap", &num(*cap)), ("cut", &num(*cut))],
        ),
        ActivityLine::CreativeTasks {
            tasks,
            points_each,
            points,
        } => tr.f(
            "activity.creative",
            &[
                ("n", tasks),
                ("each", &num(*points_each)),
                ("points", &num(*points)),
            ],
        ),
        ActivityLine::SiteActivity {
            publications,
            points_each,
            points,
        } => tr.f(
            "activity.site",
            &[
                ("n", publications),
                ("each", &num(*points_each)),
                ("points", &num(*points)),
            ],
        ),
        ActivityLine::SiteActivityCap { cap, cut } => tr.f(
            "activity.site_cap",
            &[("cap", &num(*cap)), ("cut", &num(*cut))],
        ),
        ActivityLine::TotalCap { cap, cut } => tr.f(
            "activity.total_cap",
            &[("cap", &num(*cap)), ("cut", &num(*cut))],
        ),
    }
}
