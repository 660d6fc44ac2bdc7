//! The two Open311 formats: XML (required by the spec) and JSON (the "Spark
//! convention": the root becomes an array of objects). Each answer is built once
//! as JSON values and written in either.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    /// `requests.xml` → (`requests`, Xml); no or another suffix → None.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        if let Some(stem) = file.strip_suffix(".xml") {
            Some((stem, Format::Xml))
        } else {
            file.strip_suffix(".json").map(|stem| (stem, Format::Json))
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "text/xml; charset=utf-8",
            Format::Json => "application/json; charset=utf-8",
        }
    }
}

/// The element name of one item of a list element.
fn singular(list: &str) -> &str {
    match list {
        "services" => "service",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        "service_requests" => "request",
        "service_request_updates" => "request_update",
        "errors" => "error",
        "notes" => "note",
        other => other.strip_suffix('s').unwrap_or(other),
    }
}

/// A list of objects under `root`, one `item` element each (`<services><service>…`),
/// or as a JSON array.
pub fn list(format: Format, root: &str, item: &str, items: &[Value]) -> String {
    match format {
        Format::Json => Value::Array(items.to_vec()).to_string(),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            out.push_str(&format!("<{root}>"));
            for value in items {
                element(&mut out, item, value);
            }
            out.push_str(&format!("</{root}>"));
            out
        }
    }
}

/// One object as the root (`<service_definition>…`), or as a JSON object.
pub fn single(format: Format, root: &str, value: &Value) -> String {
    match format {
        Format::Json => value.to_string(),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            element(&mut out, root, value);
            out
        }
    }
}

fn element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (key, child) in map {
                element(out, key, child);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            for item in items {
                element(out, singular(name), item);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(text) => out.push_str(&format!("<{name}>{}</{name}>", escape(text))),
        Value::Bool(b) => out.push_str(&format!("<{name}>{b}</{name}>")),
        Value::Number(n) => out.push_str(&format!("<{name}>{n}</{name}>")),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}
