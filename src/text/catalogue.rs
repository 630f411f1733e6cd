//! Interface text in Russian and English.
//!
//! The catalogues `i18n/ru/*.toml` and `i18n/en/*.toml` (one file per
//! area: the interface, refusals, the command line, imports, times) are
//! built into the binary; nested tables flatten to dotted keys
//! (`pane.review`), and no key may stand in two files. A key
//! missing from a catalogue falls back to English, then to the key itself,
//! so a gap shows up on screen instead of crashing. `{name}` placeholders
//! are filled by [`I18n::f`].

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::LazyLock;

/// One catalogue file per area, in English and Russian.
macro_rules! areas {
    ($($area:literal),*) => {
        [$((
            $area,
            include_str!(concat!("../../i18n/en/", $area, ".toml")),
            include_str!(concat!("../../i18n/ru/", $area, ".toml")),
        )),*]
    };
}
const AREAS: [(&str, &str, &str); 7] = areas!(
    "interface",
    "refusal",
    "cli",
    "import",
    "time",
    "regulation",
    "methods"
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    /// The other of the two languages.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ru => Lang::En,
            Lang::En => Lang::Ru,
        }
    }

    /// Russian when the locale says so (`LC_ALL`, `LC_MESSAGES`, `LANG`).
    pub fn from_env() -> Lang {
        Lang::from_locale_vars(|var| std::env::var(var).ok()).unwrap_or(Lang::En)
    }

    /// The language a locale value names: Russian for `ru_RU.UTF-8` and
    /// the like, English for anything else (`C`, `en_GB.UTF-8`).
    pub fn from_locale(value: &str) -> Lang {
        if value.to_ascii_lowercase().starts_with("ru") {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    /// The language of the first locale variable set (`LC_ALL`, then
    /// `LC_MESSAGES`, then `LANG`, as the C library reads them), looked up
    /// with `get`; `None` when none is set. An SSH session reads the
    /// variables its client sent this way.
    pub fn from_locale_vars(get: impl Fn(&str) -> Option<String>) -> Option<Lang> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(get)
            .find(|v| !v.is_empty())
            .map(|v| Lang::from_locale(&v))
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out),
            _ => {}
        }
    }
}

fn catalogue(texts: impl Iterator<Item = (&'static str, &'static str)>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (area, text) in texts {
        let table: toml::Table = toml::from_str(text)
            .unwrap_or_else(|e| panic!("the built-in catalogue «{area}» is not valid TOML: {e}"));
        let mut part = HashMap::new();
        flatten("", &table, &mut part);
        for (k, v) in part {
            assert!(
                out.insert(k.clone(), v).is_none(),
                "{k} stands in two catalogue files"
            );
        }
    }
    out
}

/// Missing keys, kept once each so that `t` can return `&'static str`.
fn missing(key: &str) -> &'static str {
    static SEEN: LazyLock<std::sync::Mutex<std::collections::HashSet<&'static str>>> =
        LazyLock::new(Default::default);
    let mut seen = SEEN.lock().expect("i18n lock");
    if let Some(k) = seen.get(key) {
        return k;
    }
    let leaked: &'static str = Box::leak(key.to_string().into_boxed_str());
    seen.insert(leaked);
    leaked
}

/// Each language's catalogue, read when first asked: a command in English
/// never reads the Russian one, and the English one is read for a Russian
/// interface only when a key is missing there.
static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| catalogue(AREAS.iter().map(|(area, en, _)| (*area, *en))));
static RU: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| catalogue(AREAS.iter().map(|(area, _, ru)| (*area, *ru))));

/// The catalogue of `lang`.
fn of(lang: Lang) -> &'static HashMap<String, String> {
    match lang {
        Lang::Ru => &RU,
        Lang::En => &EN,
    }
}

/// The interface text of one language.
#[derive(Clone, Copy, Debug)]
pub struct I18n {
    pub lang: Lang,
}

impl I18n {
    pub fn new(lang: Lang) -> I18n {
        I18n { lang }
    }

    /// The text for `key`. A key no catalogue has is shown as itself, so
    /// the gap is visible (and tests catch it).
    pub fn t(&self, key: &str) -> &'static str {
        match of(self.lang).get(key).or_else(|| EN.get(key)) {
            Some(s) => s.as_str(),
            None => missing(key),
        }
    }

    /// What `action` does in `pane` (the help and the palette): the pane's
    /// own wording when the catalogue has one (`action.ranking.next_view`),
    /// else the shared one (`action.next_view`).
    pub fn action(&self, pane: &str, action: &str) -> &'static str {
        let own = format!("action.{pane}.{action}");
        match of(self.lang).get(&own).or_else(|| EN.get(&own)) {
            Some(s) => s.as_str(),
            None => self.t(&format!("action.{action}")),
        }
    }

    /// Whether numbers are written with a decimal comma (Russian).
    pub fn decimal_comma(&self) -> bool {
        self.lang == Lang::Ru
    }

    /// Points, scores and totals as this language writes them: at most two
    /// decimals, rounded half-up (`7,5` in Russian, `7.5` in English).
    pub fn num(&self, x: f64) -> String {
        self.decimal(super::number::points(x))
    }

    /// `x` with exactly `places` decimals, rounded half-up, in this
    /// language's form (`0,870`).
    pub fn fixed(&self, x: f64, places: usize) -> String {
        self.decimal(super::number::fixed(x, places))
    }

    /// [`Self::fixed`] with the sign always written (`+1,50`, `-0,25`).
    pub fn signed(&self, x: f64, places: usize) -> String {
        self.decimal(super::number::signed(x, places))
    }

    /// A number written with `.` in this language's form.
    pub fn decimal(&self, text: String) -> String {
        if self.decimal_comma() {
            super::number::with_comma(text)
        } else {
            text
        }
    }

    /// The text for `key` with `{name}` placeholders filled, in one pass:
    /// a value is written as it is, never searched for placeholders itself.
    pub fn f(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        use std::fmt::Write;
        let template = self.t(key);
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let arg = after.find('}').and_then(|close| {
                let name = &after[..close];
                args.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, value)| (close, value))
            });
            match arg {
                Some((close, value)) => {
                    let _ = write!(out, "{value}");
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// Every key of a language's catalogue (for tests).
    pub fn keys(lang: Lang) -> Vec<String> {
        let mut keys: Vec<String> = of(lang).keys().cloned().collect();
        keys.sort();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let en = I18n::keys(Lang::En);
        let ru = I18n::keys(Lang::Ru);
        let missing_ru: Vec<_> = en.iter().filter(|k| !ru.contains(k)).collect();
        let missing_en: Vec<_> = ru.iter().filter(|k| !en.contains(k)).collect();
        assert!(missing_ru.is_empty(), "missing in ru.toml: {missing_ru:?}");
        assert!(missing_en.is_empty(), "missing in en.toml: {missing_en:?}");
    }

    #[test]
    fn placeholders_are_filled_and_gaps_fall_back() {
        let ru = I18n::new(Lang::Ru);
        assert_eq!(ru.t("pane.review"), "Участники");
        assert_eq!(ru.t("no.such.key"), "no.such.key");
        let en = I18n::new(Lang::En);
        assert_eq!(en.f("status.rows", &[("n", &3), ("total", &10)]), "3 of 10");
    }

    #[test]
    fn a_value_is_written_as_it_is_even_when_it_looks_like_a_placeholder() {
        let en = I18n::new(Lang::En);
        // A name typed as «{total}» is a name, not the next placeholder.
        assert_eq!(
            en.f("status.rows", &[("n", &"{total}"), ("total", &10)]),
            "{total} of 10"
        );
        // Braces that name no argument stay as they are.
        assert_eq!(en.f("status.rows", &[("n", &3)]), "3 of {total}");
    }
}
