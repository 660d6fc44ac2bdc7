//! Every action a person can take in the pages can be taken through `/api/v1` with
//! the same action: the inventory in ARCHITECTURE.md ("API parity") is checked
//! against the router and the handlers' sources, and the routes added for parity
//! are exercised here on the demo county (SQLite, or PostgreSQL when set).

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::http_api::{PASSWORD, Server, answer, client, spawn};

/// Page routes whose API twin calls another action, each with the reason (also
/// written under the table). A new entry here is a decision, not an accident.
const KNOWN_DIFFERENCES: [(&str, &str); 0] = [];

fn source(relative: &str) -> String {
    std::fs::read_to_string(format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"))).expect(relative)
}

/// Every Rust source under a folder of `src/`, joined.
fn sources_under(relative: &str) -> String {
    let dir = format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"));
    let mut text = String::new();
    for entry in std::fs::read_dir(&dir).expect(relative) {
        let path = entry.expect("a file").path();
        if path.extension().is_some_and(|e| e == "rs") {
            text.push_str(&std::fs::read_to_string(&path).expect("a source"));
        }
    }
    text
}

/// (method, path) of every route in `web::router`, read from its source.
fn router_routes() -> BTreeSet<(String, String)> {
    let source = source("src/web/mod.rs");
    let mut routes = BTreeSet::new();
    for piece in source.split(".route(").skip(1) {
        let Some(path) = piece.trim_start().strip_prefix('"').and_then(|p| p.split('"').next()) else { continue };
        let handlers = piece.split(".route_layer(").next().unwrap_or(piece);
        for method in ["get", "post", "delete"] {
            if handlers.contains(&format!(" {method}(")) || handlers.contains(&format!(".{method}(")) {
                routes.insert((method.to_uppercase(), path.to_string()));
            }
        }
    }
    routes
}

struct Row {
    page: String,
    action: String,
    api: Vec<(String, String)>,
}

/// The words in backticks of a table cell.
fn quoted(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// The rows of the "API parity" table in ARCHITECTURE.md.
fn parity_table() -> Vec<Row> {
    let doc = source("ARCHITECTURE.md");
    let section = doc.split("## API parity").nth(1).expect("ARCHITECTURE.md has an API parity section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `/")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        assert_eq!(cells.len(), 3, "a row of three cells: {line}");
        let page = quoted(cells[0]).into_iter().next().expect("the page route");
        let action = quoted(cells[1]).into_iter().next().expect("the action");
        let api = quoted(cells[2])
            .iter()
            .map(|route| {
                let (method, path) = route.split_once(' ').expect("METHOD /path");
                (method.to_string(), path.to_string())
            })
            .collect();
        rows.push(Row { page, action, api });
    }
    rows
}

#[test]
fn every_page_action_has_its_api_route_calling_the_same_action() {
    let routes = router_routes();
    let page_posts: BTreeSet<String> = routes
        .iter()
        .filter(|(method, path)| method == "POST" && !path.starts_with("/api/") && !path.starts_with("/open311/"))
        .map(|(_, path)| path.clone())
        .collect();
    assert!(page_posts.len() >= 20, "the router was read: {page_posts:?}");
    let table = parity_table();
    let mapped: BTreeSet<String> = table.iter().map(|r| r.page.clone()).collect();
    let unmapped: Vec<_> = page_posts.difference(&mapped).collect();
    assert!(unmapped.is_empty(), "page POST routes with no API row in ARCHITECTURE.md: {unmapped:?}");
    let stale: Vec<_> = mapped.difference(&page_posts).collect();
    assert!(stale.is_empty(), "rows for page routes the router no longer has: {stale:?}");

    let pages = sources_under("src/web/pages");
    let api = sources_under("src/web/api");
    for row in &table {
        assert!(!row.api.is_empty(), "{}: an API route", row.page);
        for route in &row.api {
            assert!(routes.contains(route), "{}: {route:?} is not in the router", row.page);
        }
        let call = format!("{}(", row.action);
        assert!(pages.contains(&call), "{}: no page handler calls {}", row.page, row.action);
        let known = KNOWN_DIFFERENCES.iter().any(|(page, _)| *page == row.page);
        assert!(known || api.contains(&call), "{}: no API handler calls {}", row.page, row.action);
    }
    for (page, _) in KNOWN_DIFFERENCES {
        let row = table.iter().find(|r| r.page == page).expect("a known difference is a row of the table");
        assert!(!api.contains(&format!("{}(", row.action)), "{page} now calls the same action: drop the exception");
    }
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_else(|| panic!("the one error body: {body}"))
}

fn field_names(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn settings_channels_and_calendars_through_the_api() {
    let server = spawn().await;
    let admin = server.token_for("admin").await;
    let office = server.token_for("office").await;

    // The deadline policy: the form's ranges, only for the system administrator.
    let policy = json!({"acknowledge_days": 3, "answer_days": 12, "studio_answer_days": 3, "assignment_days": 8,
        "rating_window_days": 15, "remind_before_days": 1, "escalate_after_days": 5});
    let (status, saved) = server.bearer_post(&admin, "/api/v1/settings/policy", &policy, None).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["answer_days"], 12);
    assert_eq!(server.app.policy().answer_days, 12, "in force at once");
    let (_, shown) = server.bearer_get(&admin, "/api/v1/settings").await;
    assert_eq!(shown["policy"]["assignment_days"], 8);
    let mut wrong = policy.clone();
    wrong["answer_days"] = json!(0);
    let (status, body) = server.bearer_post(&admin, "/api/v1/settings/policy", &wrong, None).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"));
    assert_eq!(field_names(&body), ["answer_days"]);
    let (status, body) = server.bearer_post(&office, "/api/v1/settings/policy", &policy, None).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));

    // Notice wording: saved after a check, then restored.
    let path = "/api/v1/settings/templates/assignment_reminder";
    let wording = json!({"subject": "请尽快办理：{{ case_title }}", "body": "明天到期，请抓紧办理。"});
    let (status, template) = server.bearer_post(&admin, path, &wording, None).await;
    assert_eq!(status, StatusCode::OK, "{template}");
    assert_eq!(
        (template["overridden"].as_bool(), template["body"].as_str()),
        (Some(true), Some("明天到期，请抓紧办理。"))
    );
    let broken = json!({"subject": "{{ case_title", "body": "x"});
    let (status, body) = server.bearer_post(&admin, path, &broken, None).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"), "a template that does not render");
    let (status, template) = server.bearer_post(&admin, &format!("{path}/reset"), &json!({}), None).await;
    assert_eq!((status, template["overridden"].as_bool()), (StatusCode::OK, Some(false)), "{template}");
    let (status, _) = server.bearer_post(&admin, "/api/v1/settings/templates/no_such/reset", &json!({}), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Channels: added, listed, switched off (kept).
    let channel = json!({"owner_kind": "user", "owner_code": "deputy", "kind": "email", "target": "deputy@example.cn"});
    let (status, added) = server.bearer_post(&admin, "/api/v1/channels", &channel, None).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let id = added["id"].as_str().unwrap().to_string();
    assert_eq!((added["kind"].as_str(), added["active"].as_bool()), (Some("email"), Some(true)));
    let off = format!("/api/v1/channels/{id}/active");
    let (status, switched) = server.bearer_post(&admin, &off, &json!({"active": false}), None).await;
    assert_eq!((status, switched["active"].as_bool()), (StatusCode::OK, Some(false)));
    let (_, list) = server.bearer_get(&admin, "/api/v1/channels").await;
    let listed = list["items"].as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).expect("still listed");
    assert_eq!(listed["active"], false);
    let bad = json!({"owner_kind": "user", "owner_code": "nobody", "kind": "fax", "target": "x"});
    let (status, body) = server.bearer_post(&admin, "/api/v1/channels", &bad, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field_names(&body).contains(&"kind".to_string()), "{body}");

    // Calendars: the years, a year file again, an iCal file.
    let (status, years) = server.bearer_get(&admin, "/api/v1/calendars").await;
    assert_eq!(status, StatusCode::OK);
    assert!(years["items"].as_array().unwrap().iter().any(|y| y["year"] == 2026), "{years}");
    let source = include_str!("../../calendars/2026.toml");
    let (status, year) = server.bearer_post(&admin, "/api/v1/calendars", &json!({"source": source}), None).await;
    assert_eq!((status, year["year"].as_i64()), (StatusCode::OK, Some(2026)), "{year}");
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:调整放假\r\nDTSTART;VALUE=DATE:20260304\r\n\
               DTEND;VALUE=DATE:20260305\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let (status, year) =
        server.bearer_post(&admin, "/api/v1/calendars/ical", &json!({"year": 2026, "ics": ics}), None).await;
    assert_eq!((status, year["year"].as_i64()), (StatusCode::OK, Some(2026)), "{year}");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
    assert!(!server.app.calendar().is_workday(day).unwrap(), "the holiday is in force");
    let (status, _) = server.bearer_post(&office, "/api/v1/calendars", &json!({"source": source}), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Every change is in the admin log, which the API reads too; the outbox likewise.
    let (status, log) = server.bearer_get(&admin, "/api/v1/admin-log").await;
    assert_eq!(status, StatusCode::OK);
    let targets: Vec<&str> = log["items"].as_array().unwrap().iter().filter_map(|e| e["target_id"].as_str()).collect();
    assert!(targets.contains(&"deadline_policy") && targets.contains(&id.as_str()), "{targets:?}");
    let (status, deliveries) = server.bearer_get(&admin, "/api/v1/deliveries?state=pending").await;
    assert_eq!(status, StatusCode::OK, "{deliveries}");
    assert!(deliveries["items"].is_array() && deliveries["total"].is_i64());
    let (status, body) = server.bearer_get(&admin, "/api/v1/deliveries?state=lost").await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"));
}

/// Signs in through the API with a password; the status.
async fn sign_in(server: &Server, username: &str, password: &str) -> StatusCode {
    let body = json!({"username": username, "password": password});
    client().post(server.url("/api/v1/session")).json(&body).send().await.unwrap().status()
}

#[tokio::test]
async fn passwords_imports_exports_and_codes_through_the_api() {
    let server = spawn().await;
    let admin = server.token_for("admin").await;

    // A reset gives a temporary password that signs in; the old one no longer does.
    let (_, users) = server.bearer_get(&admin, "/api/v1/records/users?q=handler").await;
    let handler = users["items"].as_array().unwrap().iter().find(|u| u["fields"]["username"] == "handler").unwrap();
    let reset = format!("/api/v1/records/users/{}/reset", handler["id"].as_str().unwrap());
    let (status, issued) = server.bearer_post(&admin, &reset, &json!({}), None).await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let temporary = issued["temporary_password"].as_str().unwrap().to_string();
    assert_eq!(sign_in(&server, "handler", PASSWORD).await, StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in(&server, "handler", &temporary).await, StatusCode::OK);
    let not_a_user = reset.replace("/users/", "/regions/");
    assert_eq!(server.bearer_post(&admin, &not_a_user, &json!({}), None).await.0, StatusCode::NOT_FOUND);
    let deputy = server.token_for("deputy").await;
    assert_eq!(server.bearer_post(&deputy, &reset, &json!({}), None).await.0, StatusCode::FORBIDDEN);

    // One's own password: the current one is checked, then the new one signs in.
    let change = json!({"current": "wrong", "new": "a-new-password-2026"});
    let (status, body) = server.bearer_post(&deputy, "/api/v1/me/password", &change, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_names(&body), ["current"]);
    let change = json!({"current": PASSWORD, "new": "a-new-password-2026"});
    let (status, _) = server.bearer_post(&deputy, "/api/v1/me/password", &change, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sign_in(&server, "deputy", "a-new-password-2026").await, StatusCode::OK);

    // Export, then import the same file: a preview that changes nothing yet, then the commit, once.
    let response = client().get(server.url("/api/v1/records/departments/export/csv")).bearer_auth(&admin);
    let response = response.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let csv = response.bytes().await.unwrap();
    let rows = String::from_utf8_lossy(&csv).lines().count() - 1;
    assert!(rows > 5, "the demo's departments: {rows}");
    let import = |body: Vec<u8>| {
        client()
            .post(server.url("/api/v1/records/departments/import?file_name=departments.csv"))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let (status, preview) = answer(import(csv.to_vec()).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!((preview["rows"].as_u64(), preview["updated"].as_u64()), (Some(rows as u64), Some(rows as u64)));
    let commit = format!("/api/v1/records/departments/import/{}", preview["batch_id"].as_str().unwrap());
    let (status, done) = server.bearer_post(&admin, &commit, &json!({}), None).await;
    assert_eq!((status, done["updated"].as_u64()), (StatusCode::OK, Some(rows as u64)), "{done}");
    let (status, again) = server.bearer_post(&admin, &commit, &json!({}), None).await;
    assert_eq!((status, code(&again)), (StatusCode::CONFLICT, "conflict"), "a batch is committed once");
    // A row at fault is named by row and column, and nothing is kept to commit.
    let mut broken = String::from_utf8_lossy(&csv).into_owned();
    broken.push_str("\r\n,没有代码的单位,,,,\r\n");
    let (status, body) = answer(import(broken.into_bytes()).await.unwrap()).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"), "{body}");
    assert!(field_names(&body).iter().all(|f| f.starts_with("rows[")), "{body}");
    let (status, body) = answer(import(Vec::new()).await.unwrap()).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"), "an empty file");

    // Codes: every code in scope, and one record's code with its link, which opens the landing page.
    let (status, sheet) = server.bearer_get(&admin, "/api/v1/codes").await;
    assert_eq!(status, StatusCode::OK);
    let items = sheet["items"].as_array().unwrap();
    assert!(items.iter().any(|c| c["kind"] == "station") && items.iter().any(|c| c["kind"] == "congress"));
    let (_, units) = server.bearer_get(&admin, "/api/v1/records/units").await;
    let unit_id = units["items"][0]["id"].as_str().unwrap();
    let (status, unit_code) = server.bearer_get(&admin, &format!("/api/v1/records/units/{unit_id}/code")).await;
    assert_eq!(status, StatusCode::OK, "{unit_code}");
    let link = unit_code["url"].as_str().unwrap();
    assert!(link.ends_with(&format!("/q/{}", unit_code["code"].as_str().unwrap())), "{link}");
    assert!(items.iter().any(|c| c["code"] == unit_code["code"]), "the same code on the sheet");
    assert_eq!(client().get(link).send().await.unwrap().status(), StatusCode::OK);
    let (status, _) = server.bearer_get(&admin, &format!("/api/v1/records/departments/{unit_id}/code")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_citizen_lists_their_cases_through_the_api() {
    let server = spawn().await;
    let deputy = server.session("deputy").await;
    let (_, me) = answer(deputy.get(server.url("/api/v1/me")).send().await.unwrap()).await;
    let rep = me["scope"]["id"].as_str().unwrap();
    let mut codes = Vec::new();
    for text in ["村口的路灯坏了三个月。", "菜市场门口积水严重。"] {
        let body = json!({"channel": "deputy_code", "representative_id": rep, "category": "transport", "body": text,
            "mobile": "13912345678", "consent": true});
        let (status, made) = answer(client().post(server.url("/api/v1/cases")).json(&body).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        codes.push(made["tracking_code"].as_str().unwrap().to_string());
    }
    let mine = |mobile: &str, code: &str| {
        let body = json!({"mobile": mobile, "code": code});
        client().post(server.url("/api/v1/track/mine")).json(&body).send()
    };
    let (status, list) = answer(mine("13912345678", &codes[0]).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let listed: BTreeSet<&str> =
        list["items"].as_array().unwrap().iter().map(|c| c["tracking_code"].as_str().unwrap()).collect();
    assert_eq!(listed, codes.iter().map(String::as_str).collect(), "both cases, nothing else");
    assert!(list["items"][0].get("mobile").is_none(), "nothing personal");
    let (status, body) = answer(mine("13800000000", &codes[0]).await.unwrap()).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"), "a wrong pair");
}
