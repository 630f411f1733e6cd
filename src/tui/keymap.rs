//! Keymaps as data: TOML files that map keys (or sequences of keys) to
//! actions, section by section.
//!
//! `keymaps/default.toml` is the base; `keymaps/vim.toml` patches it; a
//! user's `keymap.toml` in the config directory patches the result and
//! names only the keys it changes (`"x" = "none"` unbinds a key). A key is
//! looked up in the pane's section, then `navigation`, then `global`.

use super::action::Action;
use crate::tomlspan::line_col;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

pub const DEFAULT: &str = include_str!("../../keymaps/default.toml");
pub const VIM: &str = include_str!("../../keymaps/vim.toml");

/// The sections a keymap file may have.
pub const SECTIONS: &[&str] = &[
    "global",
    "navigation",
    "review",
    "scoring",
    "ranking",
    "mentoring",
    "learning",
    "jury",
];

/// The built-in keymaps `--keymap` can name.
pub const BUILTIN: &[&str] = &["default", "vim"];

/// One key with its modifiers, normalised so that a file's `G` and a
/// terminal's Shift+g are the same chord.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Chord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Chord {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Chord {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // The character already says whether Shift was down.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            c => c,
        };
        Chord { code, mods }
    }

    pub fn from_event(k: &KeyEvent) -> Chord {
        Chord::new(k.code, k.modifiers)
    }

    /// Parses `q`, `G`, `ctrl-d`, `alt-x`, `enter`, `shift-tab`, `f5`, `space`.
    pub fn parse(s: &str) -> Option<Chord> {
        let mut mods = KeyModifiers::empty();
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                mods |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else if rest.chars().count() > 1 && lower.starts_with("shift-") {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            (None, _) => return None,
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                f if f.starts_with('f') => {
                    let n: u8 = f[1..].parse().ok()?;
                    if !(1..=12).contains(&n) {
                        return None;
                    }
                    KeyCode::F(n)
                }
                _ => return None,
            },
        };
        Some(Chord::new(code, mods))
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A key or a sequence of keys (`g g`).
pub type Sequence = Vec<Chord>;

pub fn parse_sequence(s: &str) -> Option<Sequence> {
    if s == " " {
        return Some(vec![Chord::new(KeyCode::Char(' '), KeyModifiers::empty())]);
    }
    let seq: Option<Sequence> = s.split_whitespace().map(Chord::parse).collect();
    seq.filter(|s| !s.is_empty())
}

pub fn format_sequence(seq: &[Chord]) -> String {
    seq.iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A problem in a keymap file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// What a sequence of keys means so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A complete binding, and no longer one starts with these keys.
    Action(Action),
    /// The start of a longer binding; `exact` is what the keys mean if no
    /// more come.
    Prefix {
        exact: Option<Action>,
    },
    Unbound,
}

/// Bindings by section.
#[derive(Clone, Debug, Default)]
pub struct Keymap {
    /// `None` unbinds (kept so that a patch can remove a base binding).
    sections: HashMap<String, HashMap<Sequence, Option<Action>>>,
    /// Which files made it, for the status line and errors.
    pub sources: Vec<String>,
}

impl Keymap {
    /// Parses one keymap file.
    pub fn parse(text: &str, file: &str) -> Result<Keymap, KeymapError> {
        let err = |offset: usize, message: String| KeymapError {
            file: file.into(),
            line: line_col(text, offset).0,
            message,
        };
        let root = DeTable::parse(text).map_err(|e| {
            err(
                e.span().map_or(0, |s| s.start),
                format!("not valid TOML: {}", e.message().trim()),
            )
        })?;
        let mut map = Keymap {
            sections: HashMap::new(),
            sources: vec![file.to_string()],
        };
        for (section, value) in root.get_ref().iter() {
            let name = section.get_ref().to_string();
            if !SECTIONS.contains(&name.as_str()) {
                return Err(err(
                    section.span().start,
                    format!(
                        "unknown section [{name}]; sections are: {}",
                        SECTIONS.join(", ")
                    ),
                ));
            }
            let DeValue::Table(bindings) = value.get_ref() else {
                return Err(err(
                    section.span().start,
                    format!("[{name}] must be a table of \"key\" = \"action\" lines"),
                ));
            };
            let target = map.sections.entry(name.clone()).or_default();
            for (key, action) in bindings.iter() {
                let key_text = key.get_ref().to_string();
                let seq = parse_sequence(&key_text).ok_or_else(|| {
                    err(
                        key.span().start,
                        format!(
                            "[{name}] unknown key '{key_text}'; write keys like q, G, ctrl-d, alt-x, enter, esc, tab, shift-tab, space, up, pagedown, home, f1, and sequences like 'g g'"
                        ),
                    )
                })?;
                let DeValue::String(action_name) = action.get_ref() else {
                    return Err(err(
                        action.span().start,
                        format!(
                            "[{name}] '{key_text}': the action must be a string, e.g. \"quit\""
                        ),
                    ));
                };
                let bound = if action_name.as_ref() == "none" {
                    None
                } else {
                    Some(Action::from_name(action_name).ok_or_else(|| {
                        err(
                            action.span().start,
                            format!(
                                "[{name}] '{key_text}': unknown action '{action_name}'; valid actions: none, {}",
                                Action::ALL
                                    .iter()
                                    .map(|a| a.name())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })?)
                };
                target.insert(seq, bound);
            }
        }
        Ok(map)
    }

    /// Applies `patch` on top: each key it names replaces this map's binding.
    pub fn merge(&mut self, patch: Keymap) {
        for (section, bindings) in patch.sections {
            self.sections.entry(section).or_default().extend(bindings);
        }
        self.sources.extend(patch.sources);
    }

    /// A built-in keymap by name (`default`, `vim`).
    pub fn builtin(name: &str) -> Option<Keymap> {
        let base =
            Keymap::parse(DEFAULT, "keymaps/default.toml").expect("the default keymap is valid");
        match name {
            "default" => Some(base),
            "vim" => {
                let mut map = base;
                map.merge(Keymap::parse(VIM, "keymaps/vim.toml").expect("the vim keymap is valid"));
                Some(map)
            }
            _ => None,
        }
    }

    /// The keymap a session uses: a built-in by name (or a file path), then
    /// the user's `keymap.toml` if there is one.
    pub fn load(choice: &str, user_file: Option<&Path>) -> Result<Keymap, KeymapError> {
        let mut map = match Keymap::builtin(choice) {
            Some(m) => m,
            None if choice.ends_with(".toml") => {
                let mut base = Keymap::builtin("default").expect("built in");
                base.merge(read_file(Path::new(choice))?);
                base
            }
            None => {
                return Err(KeymapError {
                    file: "--keymap".into(),
                    line: 0,
                    message: format!(
                        "unknown keymap '{choice}'; choose {} or a .toml file",
                        BUILTIN.join(" or ")
                    ),
                });
            }
        };
        if let Some(path) = user_file
            && path.exists()
        {
            map.merge(read_file(path)?);
        }
        Ok(map)
    }

    /// What `seq` means in a pane whose section is `pane`.
    pub fn lookup(&self, pane: &str, seq: &[Chord]) -> Lookup {
        let order = [pane, "navigation", "global"];
        let mut exact = None;
        let mut longer = false;
        for section in order {
            let Some(bindings) = self.sections.get(section) else {
                continue;
            };
            for (keys, action) in bindings {
                let Some(action) = action else { continue };
                if keys.as_slice() == seq {
                    if exact.is_none() && !self.shadowed(section, &order, seq) {
                        exact = Some(*action);
                    }
                } else if keys.len() > seq.len() && keys.starts_with(seq) {
                    longer = true;
                }
            }
        }
        match (exact, longer) {
            (Some(a), false) => Lookup::Action(a),
            (exact, true) => Lookup::Prefix { exact },
            (None, false) => Lookup::Unbound,
        }
    }

    /// Whether an earlier section unbinds `seq` explicitly (`"x" = "none"`).
    fn shadowed(&self, section: &str, order: &[&str], seq: &[Chord]) -> bool {
        order.iter().take_while(|s| **s != section).any(|s| {
            self.sections
                .get(*s)
                .and_then(|b| b.get(seq))
                .is_some_and(|a| a.is_none())
        })
    }

    /// The keys bound to `action` in a pane, best first, for help and hints.
    pub fn keys_for(&self, pane: &str, action: Action) -> Vec<String> {
        let mut out: Vec<(usize, String)> = Vec::new();
        for (rank, section) in [pane, "navigation", "global"].iter().enumerate() {
            if let Some(bindings) = self.sections.get(*section) {
                for (keys, bound) in bindings {
                    if *bound == Some(action)
                        && matches!(self.lookup(pane, keys), Lookup::Action(a) | Lookup::Prefix { exact: Some(a) } if a == action)
                    {
                        out.push((
                            rank * 100 + keys.len() * 10 + format_sequence(keys).len(),
                            format_sequence(keys),
                        ));
                    }
                }
            }
        }
        out.sort();
        out.dedup_by(|a, b| a.1 == b.1);
        out.into_iter().map(|(_, k)| k).collect()
    }
}

fn read_file(path: &Path) -> Result<Keymap, KeymapError> {
    let text = std::fs::read_to_string(path).map_err(|e| KeymapError {
        file: path.display().to_string(),
        line: 0,
        message: format!("cannot read it: {e}"),
    })?;
    Keymap::parse(&text, &path.display().to_string())
}

/// Where the user's keymap lives: `$KONKURS_CONFIG/keymap.toml`, or the
/// platform config directory's `konkurs/keymap.toml`.
pub fn user_keymap_path() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("KONKURS_CONFIG") {
        return Some(PathBuf::from(dir).join("keymap.toml"));
    }
    directories::ProjectDirs::from("ru", "Soyuz TOS", "konkurs")
        .map(|d| d.config_dir().join("keymap.toml"))
}

#[cfg(test)]
mod tests;
