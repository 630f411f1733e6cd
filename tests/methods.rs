//! The methods text, written once in the text layer, is the README's
//! «Methods» section in both languages and what `konkurs help methods`
//! prints. `KONKURS_BLESS=1 cargo test --test methods` rewrites the
//! README's section after a deliberate change of the text.

use konkurs::text::{I18n, Lang, methods};
use std::process::Command;

fn section(readme: &str, lang: &str) -> Option<(usize, usize)> {
    let open = format!("<!-- methods:{lang} -->\n");
    let close = format!("<!-- /methods:{lang} -->");
    let start = readme.find(&open)? + open.len();
    let end = readme[start..].find(&close)? + start;
    Some((start, end))
}

#[test]
fn the_readme_carries_the_methods_in_both_languages() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let mut readme = std::fs::read_to_string(path).unwrap();
    let bless = std::env::var_os("KONKURS_BLESS").is_some();
    for (lang, code) in [(Lang::En, "en"), (Lang::Ru, "ru")] {
        let text = methods::markdown(&I18n::new(lang));
        let (start, end) = section(&readme, code)
            .unwrap_or_else(|| panic!("README.md has no <!-- methods:{code} --> section"));
        if bless {
            readme.replace_range(start..end, &text);
        } else {
            assert_eq!(
                readme[start..end],
                text,
                "the README's methods ({code}) differ from the text; run KONKURS_BLESS=1 cargo test --test methods"
            );
        }
    }
    if bless {
        std::fs::write(path, readme).unwrap();
    }
}

#[test]
fn help_methods_prints_the_methods_in_the_language_asked() {
    for (lang, words) in [
        ("en", "Which sheets count"),
        ("ru", "Какие листы оценки учитываются"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_konkurs"))
            .args(["--lang", lang, "help", "methods"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(words), "{text}");
        assert!(
            text.lines()
                .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80)
        );
    }
}

/// Every protocol's method appendix names every rule its stage uses: the
/// method, each tie-break rule, the advancement with its numbers.
#[test]
fn every_protocols_appendix_names_every_rule_its_stage_uses() {
    use konkurs::service::{Actor, Service};
    let dir = tempfile::tempdir().unwrap();
    let rules = {
        let service = Service::open(dir.path()).unwrap();
        konkurs::sample::load(&service, &Actor::local_coordinator()).unwrap();
        service
            .view(&Actor::local_coordinator())
            .regulation()
            .unwrap()
            .rules
            .clone()
    };
    for (lang, code) in [(Lang::En, "en"), (Lang::Ru, "ru")] {
        let tr = I18n::new(lang);
        for stage in &rules.stages {
            let out = Command::new(env!("CARGO_BIN_EXE_konkurs"))
                .arg("--db")
                .arg(dir.path())
                .args(["--lang", code, "export", "protocol", "--stage"])
                .args([stage.id.as_str(), "--format", "md", "--out", "-", "--draft"])
                .output()
                .unwrap();
            assert!(out.status.success(), "{}: {out:?}", stage.id);
            let md = String::from_utf8(out.stdout).unwrap();
            let parts = methods::ranking(Some((&rules, stage)), &tr);
            assert!(parts.iter().any(|p| p.key == "ties"));
            for part in parts {
                let text = part.paragraphs.join(" ");
                assert!(md.contains(&text), "{}: {} missing", stage.id, part.title);
            }
            let chain = rules.tie_break(stage);
            for rule in chain.iter().skip(1) {
                let name = match rule {
                    konkurs::domain::regulation::TieBreak::Criterion(c) => c.to_string(),
                    konkurs::domain::regulation::TieBreak::Stage(s) => {
                        rules.stage(s).unwrap().name.clone()
                    }
                    other => tr
                        .t(&format!("methods.ties.{}", tie_code(other)))
                        .split(" — ")
                        .next()
                        .unwrap()
                        .to_string(),
                };
                assert!(md.contains(&name), "{}: the rule {name}", stage.id);
            }
        }
    }
}

fn tie_code(rule: &konkurs::domain::regulation::TieBreak) -> &'static str {
    use konkurs::domain::regulation::TieBreak;
    match rule {
        TieBreak::PreviousStage => "previous_stage",
        TieBreak::ActivityRating => "activity_rating",
        TieBreak::ApplicationDate => "application_date",
        _ => "",
    }
}
