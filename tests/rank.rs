//! `konkurs rank` for a script: the JSON carries everything the table and
//! the lines under it show (the jury's statistics, who advances under which
//! method), and every figure leaves the program rounded, in the plain text
//! and in the JSON alike.

mod common;

use common::{konkurs, score_stage};
use konkurs::domain::contest::{Record, RegulationDoc};
use konkurs::domain::ids::StageId;
use konkurs::domain::participant::Participant;
use konkurs::domain::regulation::Aggregation;
use konkurs::service::{Actor, ImportKind, Service};
use konkurs::text::number::figure;
use serde_json::Value;
use std::path::Path;

fn json(db: &Path, args: &[&str]) -> Value {
    let out = konkurs(db, args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_no_noise(&text);
    serde_json::from_str(&text).unwrap()
}

/// No number in `text` has more decimals than a figure keeps.
fn assert_no_noise(text: &str) {
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || c == '.' {
            run.push(c);
            continue;
        }
        // A date (`01.06.2021`) has two points; a hash has none.
        if let (1, Some((_, decimals))) = (run.matches('.').count(), run.split_once('.')) {
            assert!(
                decimals.len() <= 6,
                "{run} has more decimals than a figure keeps"
            );
        }
        run.clear();
    }
}

/// A JSON number as the test reads it; `null` as `None`.
fn number(v: &Value) -> Option<f64> {
    if v.is_null() {
        None
    } else {
        Some(v.as_f64().unwrap_or_else(|| panic!("{v} is not a number")))
    }
}

#[test]
fn rank_json_carries_the_jury_statistics_and_the_sensitivity_to_the_method() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let portfolio = StageId::new("portfolio");
    let analysis = {
        let service = Service::open(&db).unwrap();
        let coordinator = Actor::local_coordinator();
        konkurs::sample::load(&service, &coordinator).unwrap();
        service
            .close_stage(&coordinator, &StageId::new("education"), "protocol")
            .unwrap();
        service.assign_auto(&coordinator, &portfolio, None).unwrap();
        score_stage(&service, &portfolio, &common::PORTFOLIO_CRITERIA, |_| {
            "Портфолио изучено; обоснование в протоколе.".into()
        });
        service
            .analyse_stage(&coordinator, &portfolio)
            .unwrap()
            .analysis
    };
    let doc = json(&db, &["rank", "--stage", "portfolio", "--format", "json"]);

    // What scripts already read stays where it was.
    for key in [
        "stage",
        "method",
        "hash",
        "final",
        "closed",
        "rows",
        "advancing",
    ] {
        assert!(doc.get(key).is_some(), "{key} is gone");
    }
    let declared = analysis.ranking(Aggregation::Mean);
    assert_eq!(doc["rows"].as_array().unwrap().len(), declared.rows.len());
    for (row, r) in doc["rows"].as_array().unwrap().iter().zip(&declared.rows) {
        assert_eq!(row["participant"], r.participant.as_str());
        assert_eq!(number(&row["total"]), Some(figure(r.total)));
        assert_eq!(number(&row["aggregate"]), Some(figure(r.aggregate)));
        assert_eq!(number(&row["carry_over"]), Some(figure(r.carry_over_part)));
        assert_eq!(number(&row["spread"]), Some(figure(r.spread)));
    }

    // The jury's statistics, as the domain computes them.
    let s = &analysis.statistics;
    let st = &doc["statistics"];
    assert_eq!(st["participants"], s.participants);
    assert_eq!(st["sheets"], s.sheets);
    let w = s
        .concordance
        .as_ref()
        .expect("three jurors per participant");
    assert_eq!(number(&st["concordance"]["kendall_w"]), Some(figure(w.w)));
    assert_eq!(
        number(&st["concordance"]["mean_rank_correlation"]),
        Some(figure(w.mean_rank_correlation))
    );
    assert_eq!(st["concordance"]["jurors"], w.raters);
    assert_eq!(st["concordance"]["juror_pairs"], w.pairs);
    let alpha = s.krippendorff_alpha.expect("alpha of a scored stage");
    assert_eq!(
        number(&st["krippendorff_alpha_interval"]),
        Some(figure(alpha))
    );
    assert_eq!(number(&st["pooled_sd"]), s.pooled_sd.map(figure));
    let jurors = st["jurors"].as_array().unwrap();
    assert_eq!(jurors.len(), s.jurors.len());
    assert!(
        s.jurors
            .iter()
            .any(|j| j.severity.is_some_and(|v| v != 0.0))
    );
    for (j, d) in jurors.iter().zip(&s.jurors) {
        assert_eq!(j["juror"], d.juror.as_str());
        assert_eq!(j["scored"], d.scored);
        assert_eq!(j["compared"], d.compared);
        assert_eq!(number(&j["severity"]), d.severity.map(figure));
        assert_eq!(j["outliers"], d.outliers);
    }
    let outliers = st["outliers"].as_array().unwrap();
    assert!(!s.outliers.is_empty(), "the scripted jurors make outliers");
    assert_eq!(outliers.len(), s.outliers.len());
    for (o, d) in outliers.iter().zip(&s.outliers) {
        assert_eq!(o["participant"], d.participant.as_str());
        assert_eq!(o["juror"], d.juror.as_str());
        assert_eq!(number(&o["total"]), Some(figure(d.total)));
        assert_eq!(number(&o["others_mean"]), Some(figure(d.others_mean)));
        assert_eq!(
            number(&o["deviation_in_sd"]),
            Some(figure(d.deviation_in_sd))
        );
    }

    // Who advances under which method.
    let by_method = doc["advancing_by_method"].as_object().unwrap();
    assert_eq!(by_method.len(), Aggregation::ALL.len());
    for ranking in &analysis.rankings {
        let listed: Vec<&str> = by_method[ranking.method.code()]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let advancing: Vec<&str> = ranking.advancing.iter().map(|p| p.as_str()).collect();
        assert_eq!(listed, advancing, "{}", ranking.method.code());
    }
    let sensitivity = doc["sensitivity"].as_array().unwrap();
    assert!(!analysis.sensitivity.is_empty(), "some fare differently");
    assert_eq!(sensitivity.len(), analysis.sensitivity.len());
    for (row, d) in sensitivity.iter().zip(&analysis.sensitivity) {
        assert_eq!(row["participant"], d.participant.as_str());
        assert_eq!(row["group"], d.group.as_str());
        let outcomes = row["outcomes"].as_array().unwrap();
        assert_eq!(outcomes.len(), d.outcomes.len());
        for (o, m) in outcomes.iter().zip(&d.outcomes) {
            assert_eq!(o["method"], m.method.code());
            assert_eq!(o["rank"], m.rank);
            assert_eq!(o["group_rank"], m.group_rank);
            assert_eq!(number(&o["total"]), Some(figure(m.total)));
            assert_eq!(o["advances"], m.advances);
        }
    }
}

/// A regulation whose second stage carries 40% of the first stage's total.
const CARRY_OVER: &str = r#"
timezone = "Asia/Irkutsk"

[contest]
name = "Проверка округления"
organiser = "Союз ТОС"
year = 2021
team_name = "Команда"

[[groups]]
id = "city"
name = "Городские округа"
quota = 1

[[stages]]
id = "first"
name = "Первый этап"
advance = { rule = "top", n = 1 }

[[stages.criteria]]
id = "awards"
name = "Награды"
kind = "indicator"
source = "awards"
per_unit = 1.0
max_points = 100
weight = 1.0

[[stages]]
id = "second"
name = "Второй этап"
carry_over = [{ stage = "first", weight = 0.4 }]
advance = { rule = "top", n = 1 }

[[stages.criteria]]
id = "reviews"
name = "Отзывы"
kind = "indicator"
source = "reviews"
per_unit = 1.0
max_points = 100
weight = 1.0
"#;

#[test]
fn a_carry_over_of_40_percent_of_29_is_11_6_in_the_plain_text_and_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    {
        let service = Service::open(&db).unwrap();
        let me = Actor::local_coordinator();
        service
            .set_regulation(
                &me,
                RegulationDoc {
                    file_name: "regulation.toml".into(),
                    source: CARRY_OVER.into(),
                },
            )
            .unwrap();
        let Record::Participant(p) = common::participant("P001", "Петрова Мария", "city")
        else {
            unreachable!()
        };
        let p = Participant {
            indicators: konkurs::domain::participant::Indicators {
                awards: 29,
                ..p.indicators
            },
            ..p
        };
        service
            .import_records(
                &me,
                ImportKind::Participants,
                vec![Record::Participant(p)],
                "test",
                false,
            )
            .unwrap();
        service
            .close_stage(&me, &StageId::new("first"), "protocol")
            .unwrap();
    }
    // The product as the machine computes it, which must not leak out.
    assert_eq!((0.4 * 29.0_f64).to_string(), "11.600000000000001");

    let doc = json(&db, &["rank", "--stage", "second", "--format", "json"]);
    assert_eq!(doc["rows"][0]["carry_over"].to_string(), "11.6");
    assert_eq!(doc["rows"][0]["total"].to_string(), "11.6");

    for lang in ["en", "ru"] {
        let out = konkurs(&db, &["--lang", lang, "rank", "--stage", "second"]);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert_no_noise(&text);
        let eleven_six = if lang == "ru" { "11,6" } else { "11.6" };
        let row = text.lines().find(|l| l.contains("P001")).unwrap();
        assert_eq!(row.matches(eleven_six).count(), 2, "{row}");
        assert!(!row.contains("11.600000000000001"), "{row}");
    }
}
