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
        "body": text, "consent": true});
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
        ("a NUL character", "{\"x\": \"a\\u0000b\"}".to_string()),
        ("a NUL character in a spreadsheet", "code,name\r\na\u{0}b,c\r\n".to_string()),
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
        bodies.push((format!("{name}: NUL"), json!({name.as_str(): "a\u{0}b"}).to_string().into_bytes()));
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

/// Every region of the list in its order, read by cursor: (id, code, level).
async fn all_regions(server: &Server, token: &str) -> Vec<(String, String, String)> {
    let mut all = Vec::new();
    let mut path = "/api/v1/records/regions".to_string();
    loop {
        let (status, page) = server.bearer_get(token, &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        all.extend(region_lines(&page));
        let Some(cursor) = page["next_cursor"].as_str() else { return all };
        path = format!("/api/v1/records/regions?cursor={cursor}");
    }
}

fn region_lines(page: &Value) -> Vec<(String, String, String)> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (text(&r["id"]), text(&r["fields"]["code"]), text(&r["fields"]["level"]))
        })
        .collect()
}

#[tokio::test]
async fn records_added_between_pages_neither_repeat_nor_skip_one() {
    let server = spawn().await;
    let token = server.token_for("admin").await;
    let before = all_regions(&server, &token).await;
    assert!(before.len() > 100, "several pages of regions: {}", before.len());
    let (_, mut page) = server.bearer_get(&token, "/api/v1/records/regions").await;
    let mut seen = region_lines(&page);
    // Walk until a town already passed leaves room for new villages before the cursor.
    let town = loop {
        let last = seen.last().unwrap().1.clone();
        let passed = seen.iter().find(|(_, code, level)| level == "town" && format!("{code}299") < last);
        if let Some((_, code, _)) = passed {
            break code.clone();
        }
        let cursor = page["next_cursor"].as_str().expect("a town before the end").to_string();
        page = server.bearer_get(&token, &format!("/api/v1/records/regions?cursor={cursor}")).await.1;
        seen.extend(region_lines(&page));
    };
    assert!(page["next_cursor"].is_string(), "more pages follow");
    for (n, name) in [(298, "新建一村"), (299, "新建二村")] {
        let village = json!({"code": format!("{town}{n}"), "name": name, "level": "village", "parent_code": town});
        let (status, made) = server.bearer_post(&token, "/api/v1/records/regions", &village, None).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
    }
    while let Some(cursor) = page["next_cursor"].as_str().map(String::from) {
        page = server.bearer_get(&token, &format!("/api/v1/records/regions?cursor={cursor}")).await.1;
        assert!(page["page"].is_null());
        seen.extend(region_lines(&page));
    }
    assert_eq!(seen, before, "every region that was there, once each, in order");
    assert_eq!(
        all_regions(&server, &token).await.len(),
        before.len() + 2,
        "the new villages are listed from the start"
    );
    let (status, body) = server.bearer_get(&token, "/api/v1/records/regions?cursor=eyJpZCI6MX0").await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor"))
    );
}

/// A NUL character, which PostgreSQL cannot store in text, is refused where it
/// comes in (a JSON body, a query, a spreadsheet cell, an Open311 form) as bad
/// input, on every engine, instead of failing in the database.
#[tokio::test]
async fn a_nul_character_is_refused_as_bad_input() {
    let server = spawn().await;
    let token = server.token_for("admin").await;
    let (_, regions) = server.bearer_get(&token, "/api/v1/records/regions?q=石塘").await;
    let town = regions["items"][0]["fields"]["code"].as_str().unwrap().to_string();
    let village =
        json!({"code": format!("{town}297"), "name": "空\u{0}字符村", "level": "village", "parent_code": town});
    let (status, body) = server.bearer_post(&token, "/api/v1/records/regions", &village, None).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("err-nul"))
    );
    let (status, body) = server.bearer_get(&token, "/api/v1/records/regions?q=a%00b").await;
    assert_eq!(
        (status, body["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("err-nul"))
    );

    let csv = client().get(server.url("/api/v1/records/regions/export/csv")).bearer_auth(&token).send().await;
    let mut csv = String::from_utf8(csv.unwrap().bytes().await.unwrap().to_vec()).unwrap();
    csv = csv.replacen("石塘", "石\u{0}塘", 1);
    let response = client()
        .post(server.url("/api/v1/records/regions/import"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let (status, body) = answer(response).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("err-nul"))
    );

    let keeper = server.token_for("keeper").await;
    let form = [
        ("api_key", keeper.as_str()),
        ("service_code", "transport"),
        ("address_string", "渔港路 1 号"),
        ("description", "路灯\u{0}坏了"),
    ];
    let response = client().post(server.url("/open311/v2/requests.json")).form(&form).send().await.unwrap();
    let (status, body) = answer(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body[0]["code"], "400", "{body}");

    // A page's form likewise (here a notice's wording, kept as typed).
    let browser = crate::http::browser();
    let login = browser.get(server.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = crate::http::csrf_of(&login);
    let form = [("csrf", csrf.as_str()), ("username", "admin"), ("password", crate::http_api::PASSWORD), ("next", "/")];
    assert!(browser.post(server.url("/login")).form(&form).send().await.unwrap().status().is_redirection());
    let path = server.url("/admin/templates/assignment_reminder");
    let csrf = crate::http::csrf_of(&browser.get(&path).send().await.unwrap().text().await.unwrap());
    let form = [("csrf", csrf.as_str()), ("subject", "提醒\u{0}"), ("body", "请及时办理。")];
    let response = browser.post(&path).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
