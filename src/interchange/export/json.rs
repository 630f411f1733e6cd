//! JSON for programs: stable English keys (the columns' keys, not their
//! headers), numbers at full precision, the headers alongside so a reader
//! can label them, the regulation's full text in the protocol.

use super::document::{Block, Document, Field};
use serde_json::{Map, Value, json};

fn fields(doc: &Document, fields: &[Field]) -> Value {
    Value::Array(
        fields
            .iter()
            .map(|f| json!({"key": f.key, "label": f.label, "value": f.value.json(&doc.tr)}))
            .collect(),
    )
}

pub fn write(doc: &Document) -> Vec<u8> {
    let sections: Vec<Value> = doc
        .sections
        .iter()
        .map(|s| {
            let blocks: Vec<Value> = s
                .blocks
                .iter()
                .map(|b| match b {
                    Block::Table(t) => {
                        let rows: Vec<Value> = t
                            .rows
                            .iter()
                            .map(|r| {
                                let mut m = Map::new();
                                for (c, v) in t.columns.iter().zip(r) {
                                    m.insert(c.key.clone(), v.json(&doc.tr));
                                }
                                Value::Object(m)
                            })
                            .collect();
                        json!({
                            "kind": "table",
                            "key": t.key,
                            "title": t.title,
                            "columns": t.columns.iter().map(|c| json!({"key": c.key, "header": c.header})).collect::<Vec<_>>(),
                            "rows": rows,
                        })
                    }
                    Block::Fields { key, title, fields: f } => json!({
                        "kind": "fields",
                        "key": key,
                        "title": title,
                        "fields": fields(doc, f),
                    }),
                    Block::Text {
                        key,
                        title,
                        syntax,
                        text,
                    } => json!({
                        "kind": "text",
                        "key": key,
                        "title": title,
                        "syntax": syntax,
                        "text": text,
                    }),
                })
                .collect();
            json!({"key": s.key, "title": s.title, "blocks": blocks})
        })
        .collect();
    let value = json!({
        "document": doc.kind,
        "title": doc.heading(),
        "draft": doc.draft,
        "language": match doc.tr.lang {
            crate::text::Lang::Ru => "ru",
            crate::text::Lang::En => "en",
        },
        "exported_at": doc
            .zone
            .local(doc.exported_at)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "meta": fields(doc, &doc.meta),
        "sections": sections,
    });
    let mut out = serde_json::to_vec_pretty(&value).expect("a document serialises");
    out.push(b'\n');
    out
}
