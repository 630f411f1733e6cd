//! The regulation of a generated contest: the sample regulation with its
//! numbers scaled to the contest's groups and jury.

use crate::GenOptions;
use crate::listeners::group_sizes;
use konkurs::domain::regulation::Regulation;
use konkurs::sample::REGULATION as SAMPLE_REGULATION;
use std::collections::BTreeMap;
use toml_edit::{DocumentMut, Item, TableLike, Value};

/// The sample regulation with quotas and advancement numbers scaled from the
/// default group sizes to `sizes`, and `jurors_per_participant` capped at
/// the number of experts. Only those numbers change: the comments, the
/// order and the layout of the file stay as written, so that with the
/// default sizes and 5 experts it is the sample byte for byte.
pub fn scaled(sizes: &BTreeMap<String, usize>, experts: usize) -> String {
    let rules = Regulation::parse(SAMPLE_REGULATION).expect("the sample regulation is valid");
    let reference = group_sizes(GenOptions::default().participants);
    let scale = |group: &str, v: usize| -> usize {
        let n = sizes.get(group).copied().unwrap_or(0);
        match reference.get(group) {
            Some(&r) if r > 0 => (v as f64 * n as f64 / r as f64).round() as usize,
            _ => v,
        }
    };
    // Each group's numbers must not grow from stage to stage: the education
    // stage advances at least as many as the portfolio stage, which advances
    // at least the quota; and none exceeds the group's size.
    let mut quotas: Vec<usize> = Vec::with_capacity(rules.groups.len());
    let mut per_stage: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); rules.stages.len()];
    for g in &rules.groups {
        let id = g.id.as_str();
        let n = sizes.get(id).copied().unwrap_or(0);
        let quota = scale(id, g.quota).clamp(usize::from(n > 0), n);
        quotas.push(quota);
        let mut floor = quota;
        for (s, stage) in rules.stages.iter().enumerate().rev() {
            if let Some(&v) = stage.advance.per_group.get(&g.id) {
                let v = scale(id, v).clamp(floor, n.max(floor));
                per_stage[s].insert(id.to_string(), v);
                floor = v;
            }
        }
    }

    let mut doc: DocumentMut = SAMPLE_REGULATION
        .parse()
        .expect("the sample regulation is TOML");
    if let Some(groups) = doc.get_mut("groups").and_then(Item::as_array_of_tables_mut) {
        for (group, quota) in groups.iter_mut().zip(quotas) {
            if let Some(value) = group.get_mut("quota").and_then(Item::as_value_mut) {
                set_number(value, quota);
            }
        }
    }
    if let Some(stages) = doc.get_mut("stages").and_then(Item::as_array_of_tables_mut) {
        for (stage, per_group) in stages.iter_mut().zip(&per_stage) {
            if let Some(value) = stage
                .get_mut("jurors_per_participant")
                .and_then(Item::as_value_mut)
            {
                let k = value
                    .as_integer()
                    .and_then(|k| usize::try_from(k).ok())
                    .unwrap_or(1);
                set_number(value, k.min(experts.max(1)));
            }
            let numbers = stage
                .get_mut("advance")
                .and_then(Item::as_table_like_mut)
                .and_then(|advance| advance.get_mut("per_group"))
                .and_then(Item::as_table_like_mut);
            if let Some(numbers) = numbers {
                set_per_group(numbers, per_group);
            }
        }
    }
    doc.to_string()
}

/// Sets the numbers of `per_group = { rural = 25, urban = 15 }` that
/// `values` has.
fn set_per_group(numbers: &mut dyn TableLike, values: &BTreeMap<String, usize>) {
    for (group, item) in numbers.iter_mut() {
        if let (Some(&v), Some(value)) = (values.get(group.get()), item.as_value_mut()) {
            set_number(value, v);
        }
    }
}

/// Replaces a number, keeping the spaces and the comment around it.
fn set_number(value: &mut Value, n: usize) {
    let decor = value.decor().clone();
    *value = Value::from(i64::try_from(n).expect("a group's size fits in i64"));
    *value.decor_mut() = decor;
}
