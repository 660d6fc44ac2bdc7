//! Lists under `/api/v1` page with keyset cursors: a cursor carries the sort key
//! of the last item shown, so rows inserted between two pages neither repeat an
//! item nor push one off unseen (page numbers do both).

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::http_api::{Server, answer, client, spawn};

/// A new anonymous case to the demo deputy; its id.
async fn new_case(server: &Server, representative_id: &str, text: &str) -> String {
    let body = json!({"channel": "deputy_code", "representative_id": representative_id, "category": "transport",
        "body": text});
    let (status, made) = answer(client().post(server.url("/api/v1/cases")).json(&body).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made["id"].as_str().unwrap().to_string()
}

async fn deputy_id(server: &Server) -> String {
    let deputy = server.session("deputy").await;
    let (_, me) = answer(deputy.get(server.url("/api/v1/me")).send().await.unwrap()).await;
    me["scope"]["id"].as_str().unwrap().to_string()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

/// Every case id of the inbox in its order, read by cursor.
async fn whole_list(server: &Server, token: &str) -> Vec<String> {
    let mut all = Vec::new();
    let mut path = "/api/v1/cases?status=all".to_string();
    loop {
        let (status, page) = server.bearer_get(token, &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        all.extend(ids(&page));
        let Some(cursor) = page["next_cursor"].as_str() else { return all };
        path = format!("/api/v1/cases?status=all&cursor={cursor}");
    }
}

#[tokio::test]
async fn inserting_cases_between_pages_neither_repeats_nor_skips_one() {
    let server = spawn().await;
    minyi::demo::load_demo_cases(&server.app).await.expect("the demo cases");
    let token = server.token_for("admin").await;
    let deputy = deputy_id(&server).await;
    // New cases sort together, just after this one (same deadline, made later).
    let probe = new_case(&server, &deputy, "第一件：村口的路灯坏了。").await;
    let before = whole_list(&server, &token).await;
    let unique: BTreeSet<&String> = before.iter().collect();
    assert_eq!(unique.len(), before.len(), "a walk by cursor shows each case once");
    let position = before.iter().position(|id| *id == probe).expect("the new case is listed");

    // Walk by cursor until the probe is behind us, then insert cases that sort before the cursor.
    let (_, mut page) = server.bearer_get(&token, "/api/v1/cases?status=all").await;
    let page_size = page["page_size"].as_u64().unwrap() as usize;
    assert!(position + page_size < before.len(), "the new cases sort before the last page: {position}");
    let mut seen = ids(&page);
    while seen.len() <= position {
        let cursor = page["next_cursor"].as_str().expect("more pages").to_string();
        page = server.bearer_get(&token, &format!("/api/v1/cases?status=all&cursor={cursor}")).await.1;
        seen.extend(ids(&page));
    }
    let mut inserted = Vec::new();
    for n in 0..3 {
        inserted.push(new_case(&server, &deputy, &format!("插入的第{n}件：菜市场门口积水。")).await);
    }
    while let Some(cursor) = page["next_cursor"].as_str().map(String::from) {
        page = server.bearer_get(&token, &format!("/api/v1/cases?status=all&cursor={cursor}")).await.1;
        assert!(page["page"].is_null(), "a page reached by cursor has no number");
        seen.extend(ids(&page));
    }
    assert_eq!(seen, before, "every case that was there, once each, in order; the new ones sort before the cursor");
    let after = whole_list(&server, &token).await;
    assert_eq!(after.len(), before.len() + 3);
    assert!(inserted.iter().all(|id| after.contains(id)) && !inserted.iter().any(|id| seen.contains(id)));

    // The same walk by page number repeats a case when cases are inserted ahead of it.
    let number_of = |page: usize| format!("/api/v1/cases?status=all&page={page}");
    let mut by_number = Vec::new();
    let mut number = 1;
    while by_number.len() <= position + 3 {
        by_number.extend(ids(&server.bearer_get(&token, &number_of(number)).await.1));
        number += 1;
    }
    new_case(&server, &deputy, "再插入一件：公交站没有遮雨棚。").await;
    by_number.extend(ids(&server.bearer_get(&token, &number_of(number)).await.1));
    let distinct: BTreeSet<&String> = by_number.iter().collect();
    assert!(distinct.len() < by_number.len(), "page numbers shift under an insert (what cursors avoid)");
}

#[tokio::test]
async fn a_cursor_is_opaque_and_checked() {
    let server = spawn().await;
    let token = server.token_for("admin").await;
    for cursor in ["%%%", "bm9wZQ", "eyJyYW5rIjoxfQ", "cDI"] {
        let (status, body) = server.bearer_get(&token, &format!("/api/v1/cases?cursor={cursor}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{cursor}: {body}");
        assert_eq!(body["error"]["fields"][0]["field"], "cursor", "{cursor}: {body}");
    }
}

/// Bodies that no operation accepts, for one whose body has these properties.
fn bad_bodies(properties: &serde_json::Map<String, Value>) -> Vec<(String, Vec<u8>)> {
    let mut bodies: Vec<(String, Vec<u8>)> = [
        ("unknown field", json!({"surely_not_a_field": 1}).to_string()),
        ("an array", "[]".to_string()),
        ("a string", "\"x\"".to_string()),
        ("null", "null".to_string()),
        ("a number", "123".to_string()),
        ("cut short", "{\"a\":".to_string()),
        ("not JSON", "username=admin&password=x".to_string()),
        ("trailing text", "{} {}".to_string()),
        ("deep nesting", format!("{}{}", "[".repeat(5000), "]".repeat(5000))),
    ]
    .into_iter()
    .map(|(name, body)| (name.to_string(), body.into_bytes()))
    .collect();
    for (name, schema) in properties {
        // A value of the wrong type for each property: an object fits none of them.
        let wrong = match schema["type"].as_str() {
            Some("string") => json!(12345),
            Some("integer") | Some("number") => json!("twelve"),
            Some("boolean") => json!("yes"),
            Some("array") => json!({"not": "a list"}),
            _ => json!({"nested": {"object": true}}),
        };
        bodies.push((format!("{name}: wrong type"), json!({name.as_str(): wrong}).to_string().into_bytes()));
        bodies.push((format!("{name}: negative"), json!({name.as_str(): -1}).to_string().into_bytes()));
        bodies.push((format!("{name}: huge"), json!({name.as_str(): "长".repeat(30_000)}).to_string().into_bytes()));
    }
    bodies
}

/// Never a 500 from input: every documented POST gets wrong types, unknown fields,
/// broken JSON and an oversized body; every GET a malformed query. Each answer is a
/// 4xx with the one error body (413 for the oversized one where there is a body).
#[tokio::test]
async fn bad_input_gets_a_4xx_with_the_one_error_body_never_a_500() {
    let server = spawn().await;
    let token = server.token_for("admin").await;
    let (_, doc) = answer(client().get(server.url("/api/v1/openapi.json")).send().await.unwrap()).await;
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let url = server.url(&path.replace("{resource}", "units").replace(['{', '}'], ""));
        if let Some(operation) = item.get("post") {
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            let properties = schema["properties"].as_object().cloned().unwrap_or_default();
            let mut bodies = bad_bodies(&properties);
            bodies.push(("oversized".to_string(), json!({"x": "a".repeat(11 * 1024 * 1024)}).to_string().into_bytes()));
            for (name, body) in bodies {
                // An operation without a body never reads one: it answers as for an empty body.
                let oversized = name == "oversized" && operation.get("requestBody").is_some();
                let response = client()
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let json: Value = response.json().await.unwrap_or(Value::Null);
                assert!(status.is_client_error(), "POST {path} with {name} → {status} {json}");
                assert!(json["error"]["code"].is_string(), "POST {path} with {name}: the one error body: {json}");
                if oversized {
                    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "POST {path} with {name}");
                }
                tried += 1;
            }
        }
        if item.get("get").is_some() && !path.ends_with("openapi.json") {
            for query in [
                "page=abc",
                "page=-1",
                "page=99999999999999999999",
                "cursor=!!",
                "cursor=eyJ9",
                "state=x",
                "status=zzz",
                "due_by=2026-13-45",
                "q=%00%FF",
                "channel=fax",
                "a[b]=c&a[b]=d",
            ] {
                let response = client().get(format!("{url}?{query}")).bearer_auth(&token).send().await.unwrap();
                let status = response.status();
                let is_json = response
                    .headers()
                    .get("content-type")
                    .is_some_and(|v| v.to_str().unwrap_or_default().starts_with("application/json"));
                let json: Value = if is_json { response.json().await.unwrap_or(Value::Null) } else { Value::Null };
                assert!(!status.is_server_error(), "GET {path}?{query} → {status} {json}");
                if !status.is_success() {
                    assert!(status.is_client_error(), "GET {path}?{query} → {status}");
                    assert!(json["error"]["code"].is_string(), "GET {path}?{query}: the one error body: {json}");
                }
                tried += 1;
            }
        }
    }
    assert!(tried > 500, "a broad sample: {tried}");
}
