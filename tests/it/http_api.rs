//! The open JSON API through HTTP: tokens for programs, the one error body for bad
//! input, idempotent POSTs and cursor pagination, on the demo county (SQLite, or a
//! fresh PostgreSQL database when `TEST_DATABASE_URL` is set), with a fake clock.

use std::net::SocketAddr;
use std::sync::Arc;

use minyi::app::App;
use minyi::clock::FakeClock;
use minyi::config::Config;
use minyi::db::Db;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const PASSWORD: &str = "minyi-demo-2026";

pub struct Server {
    pub base: String,
    pub app: App,
    _dir: tempfile::TempDir,
}

async fn open_db(dir: &std::path::Path) -> Db {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let server = sqlx::PgPool::connect(&url).await.expect("PostgreSQL answers");
            let name = format!("minyi_api_{}", uuid::Uuid::now_v7().simple());
            // The name is ours: "minyi_api_" and the hex digits of a UUID.
            let create = sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"));
            sqlx::query(create).execute(&server).await.expect("a test database");
            server.close().await;
            let (base, _) = url.rsplit_once('/').expect("a database URL ends in /name");
            Db::open_postgres(&format!("{base}/{name}")).await.expect("PostgreSQL opens")
        }
        _ => Db::open_sqlite(dir).await.expect("SQLite opens"),
    }
}

/// The demo county served on a loopback port, the clock at 2026-03-02 09:00 CST.
pub async fn spawn() -> Server {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = open_db(dir.path()).await;
    db.migrate().await.expect("the schema migrates");
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00").expect("a time").timestamp_millis();
    let clock = FakeClock::at(start);
    let config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    let app = App::new(db, Arc::new(clock), config);
    minyi::demo::load_demo(&app).await.expect("the demo county loads");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("its address");
    let service = minyi::web::router(app.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    Server { base: format!("http://{addr}"), app, _dir: dir }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("a client")
}

/// Status and JSON body of a response (`Null` when the body is not JSON).
pub async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client signed in through `POST /api/v1/session`.
    pub async fn session(&self, username: &str) -> reqwest::Client {
        let client = client();
        let body = json!({"username": username, "password": PASSWORD});
        let (status, me) = answer(client.post(self.url("/api/v1/session")).json(&body).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{username} signs in: {me}");
        client
    }

    /// A token issued by the demo's system administrator, acting as `username`.
    pub async fn token_for(&self, username: &str) -> String {
        let admin = self.session("admin").await;
        let body = json!({"username": username, "name": format!("{username} 的对接程序")});
        let (status, issued) = answer(admin.post(self.url("/api/v1/tokens")).json(&body).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::CREATED, "{issued}");
        issued["token"].as_str().expect("the token").to_string()
    }

    pub async fn bearer_get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        answer(client().get(self.url(path)).bearer_auth(token).send().await.unwrap()).await
    }

    pub async fn bearer_post(&self, token: &str, path: &str, body: &Value, key: Option<&str>) -> (StatusCode, Value) {
        let mut request = client().post(self.url(path)).bearer_auth(token).json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        answer(request.send().await.unwrap()).await
    }
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_else(|| panic!("the one error body: {body}"))
}

fn field_names(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("fields in {body}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_token_acts_as_its_account_until_it_is_revoked() {
    let server = spawn().await;
    let token = server.token_for("town-office").await;
    assert!(token.starts_with("minyi_"), "{token}");

    let (status, me) = server.bearer_get(&token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "town-office");
    assert_eq!(me["scope"]["kind"], "region", "the account's own scope: {me}");
    let (status, inbox) = server.bearer_get(&token, "/api/v1/cases").await;
    assert_eq!(status, StatusCode::OK, "{inbox}");

    // Only a hash is stored: the secret appears nowhere in the database or the list.
    let admin = server.session("admin").await;
    let (_, list) = answer(admin.get(server.url("/api/v1/tokens")).send().await.unwrap()).await;
    let line = list["items"].as_array().unwrap().iter().find(|t| t["username"] == "town-office").unwrap().clone();
    assert_eq!(line["active"], true);
    assert!(!list.to_string().contains(&token));
    let mut tx = server.app.db().read().await.unwrap();
    let stored = minyi::db::api_tokens::list(&mut tx).await.unwrap();
    drop(tx);
    assert!(!format!("{stored:?}").contains(&token[6..]), "no secret stored");

    // A wrong token signs no one in; a page request with it is not signed in either.
    let (status, body) = server.bearer_get("minyi_0000", "/api/v1/me").await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "unauthenticated"));

    let revoke = format!("/api/v1/tokens/{}/revoke", line["id"].as_str().unwrap());
    let (status, revoked) = answer(admin.post(server.url(&revoke)).send().await.unwrap()).await;
    assert_eq!((status, revoked["active"].clone()), (StatusCode::OK, json!(false)), "{revoked}");
    let (status, _) = server.bearer_get(&token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked token no longer works");
}

#[tokio::test]
async fn tokens_are_issued_only_within_the_issuers_scope() {
    let server = spawn().await;
    let office = server.session("town-office").await;
    let issue = |username: &str| json!({"username": username, "name": "热线"});
    let (status, body) =
        answer(office.post(server.url("/api/v1/tokens")).json(&issue("admin")).send().await.unwrap()).await;
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "forbidden"), "an office cannot act as the system");
    let deputy = server.session("deputy").await;
    let (status, _) =
        answer(deputy.post(server.url("/api/v1/tokens")).json(&issue("deputy")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a deputy issues no tokens");
    let (status, body) = answer(deputy.get(server.url("/api/v1/tokens")).send().await.unwrap()).await;
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    let admin = server.session("admin").await;
    let (status, body) =
        answer(admin.post(server.url("/api/v1/tokens")).json(&issue("nobody-here")).send().await.unwrap()).await;
    assert_eq!((status, field_names(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["username".to_string()]));
    let (status, body) = answer(
        admin
            .post(server.url("/api/v1/tokens"))
            .json(&json!({"username": "deputy", "name": " "}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, field_names(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_string()]));
}

#[tokio::test]
async fn the_tokens_page_issues_a_token_once_and_revokes_it() {
    let server = spawn().await;
    let browser = client();
    let login = browser.get(server.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = crate::http::csrf_of(&login);
    let form = [("csrf", csrf.as_str()), ("username", "admin"), ("password", PASSWORD), ("next", "/")];
    browser.post(server.url("/login")).form(&form).send().await.unwrap();
    let page = browser.get(server.url("/admin/tokens")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    let csrf = crate::http::csrf_of(&page);
    let form = [("csrf", csrf.as_str()), ("username", "deputy"), ("name", "代表履职 App")];
    let issued = browser.post(server.url("/admin/tokens")).form(&form).send().await.unwrap().text().await.unwrap();
    let token = issued.split("<code>").nth(1).and_then(|t| t.split("</code>").next()).expect("the token, shown once");
    let (status, me) = server.bearer_get(token, "/api/v1/me").await;
    assert_eq!((status, me["username"].clone()), (StatusCode::OK, json!("deputy")));
    let again = browser.get(server.url("/admin/tokens")).send().await.unwrap().text().await.unwrap();
    assert!(again.contains("代表履职 App") && !again.contains(token), "listed, the secret not shown again");
    let action = again.split("action=\"/admin/tokens/").nth(1).and_then(|t| t.split('"').next()).unwrap();
    let revoked = browser.post(server.url(&format!("/admin/tokens/{action}"))).form(&[("csrf", &csrf)]).send().await;
    assert_eq!(revoked.unwrap().status(), StatusCode::SEE_OTHER);
    let (status, _) = server.bearer_get(token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let refused = browser.post(server.url("/admin/tokens")).form(&[("username", "deputy"), ("name", "x")]).send();
    assert_eq!(refused.await.unwrap().status(), StatusCode::CONFLICT, "no CSRF token, no token");
}

#[tokio::test]
async fn bad_input_gets_the_one_error_body_with_fields() {
    let server = spawn().await;
    let token = server.token_for("deputy").await;
    let (_, me) = server.bearer_get(&token, "/api/v1/me").await;
    let rep = me["scope"]["id"].as_str().unwrap().to_string();
    let good =
        json!({"representative_id": rep, "category": "transport", "body": "路灯坏了。", "mobile": "13812345678"});

    let mut unknown = good.clone();
    unknown["colour"] = json!("red");
    let (status, body) = server.bearer_post(&token, "/api/v1/cases", &unknown, None).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"), "{body}");
    assert_eq!(field_names(&body), ["colour"]);
    assert_eq!(body["error"]["fields"][0]["code"], "err-json-unknown-field");

    let mut wrong_type = good.clone();
    wrong_type["anonymous"] = json!("yes");
    let (status, body) = server.bearer_post(&token, "/api/v1/cases", &wrong_type, None).await;
    assert_eq!((status, field_names(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["anonymous".to_string()]));
    assert_eq!(body["error"]["fields"][0]["code"], "err-json-type");

    let nested = json!({"event": "forward", "assignments": [{"department_id": "x", "due_days": "ten"}]});
    let (status, body) = server.bearer_post(&token, "/api/v1/cases/nope/events", &nested, None).await;
    assert_eq!(
        (status, field_names(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["assignments[0].due_days".into()])
    );

    let send = |body: &'static str, content_type: &'static str| {
        client()
            .post(server.url("/api/v1/cases"))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let (status, body) = answer(send("{\"body\": ", "application/json").await.unwrap()).await;
    assert_eq!((status, field_names(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["body".to_string()]));
    let (status, body) = answer(send("body=x", "application/x-www-form-urlencoded").await.unwrap()).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("err-json-content-type"))
    );

    let huge = json!({"body": "长".repeat(100_000)});
    let (status, body) = server.bearer_post(&token, "/api/v1/cases", &huge, None).await;
    assert_eq!((status, error_code(&body)), (StatusCode::PAYLOAD_TOO_LARGE, "too_large"), "{body}");
    let (status, body) = server.bearer_post(&token, "/api/v1/cases", &huge, Some("big-1")).await;
    assert_eq!((status, error_code(&body)), (StatusCode::PAYLOAD_TOO_LARGE, "too_large"), "through the key check too");

    let (status, body) = server.bearer_get(&token, "/api/v1/cases?cursor=%%%").await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"));
    let (status, body) = server.bearer_get(&token, "/api/v1/cases?cursor=bm9wZQ").await;
    assert_eq!((status, field_names(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["cursor".to_string()]));
    let (status, body) = server.bearer_get(&token, "/api/v1/nothing-here").await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn the_same_idempotency_key_twice_makes_one_case_and_one_move() {
    let server = spawn().await;
    let token = server.token_for("deputy").await;
    let (_, me) = server.bearer_get(&token, "/api/v1/me").await;
    let rep = me["scope"]["id"].as_str().unwrap().to_string();
    let total = |inbox: &Value| inbox["total"].as_i64().expect("a total");
    let (_, before) = server.bearer_get(&token, "/api/v1/cases?status=all").await;
    let new = json!({"channel": "hotline", "representative_id": rep, "category": "transport",
        "body": "桥头的护栏松动了。", "mobile": "13812345678"});
    let (first_status, first) = server.bearer_post(&token, "/api/v1/cases", &new, Some("hotline-0001")).await;
    assert_eq!(first_status, StatusCode::CREATED, "{first}");
    let (second_status, second) = server.bearer_post(&token, "/api/v1/cases", &new, Some("hotline-0001")).await;
    assert_eq!((second_status, &second), (StatusCode::CREATED, &first), "the stored answer, replayed");
    let (_, after) = server.bearer_get(&token, "/api/v1/cases?status=all").await;
    assert_eq!(total(&after), total(&before) + 1, "one case");
    let case_id = first["id"].as_str().unwrap();

    let mut other = new.clone();
    other["body"] = json!("另一件事。");
    let (status, body) = server.bearer_post(&token, "/api/v1/cases", &other, Some("hotline-0001")).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "conflict"), "same key, other body");

    // A failed request gives its key back; a key claimed by a request still running is a conflict.
    let mut broken = new.clone();
    broken["category"] = json!("nonsense");
    let (status, _) = server.bearer_post(&token, "/api/v1/cases", &broken, Some("hotline-0002")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fixed = new.clone();
    fixed["body"] = json!("桥尾的护栏也松动了。");
    let (status, _) = server.bearer_post(&token, "/api/v1/cases", &fixed, Some("hotline-0002")).await;
    assert_eq!(status, StatusCode::CREATED, "the key was given back after the failure");
    let principal = format!("user:{}", me["id"].as_str().unwrap());
    let mut tx = server.app.db().write().await.unwrap();
    assert!(minyi::db::api_tokens::reserve(&mut tx, &principal, "hotline-0003", "h", 0).await.unwrap());
    tx.commit().await.unwrap();
    let (status, body) = server.bearer_post(&token, "/api/v1/cases", &fixed, Some("hotline-0003")).await;
    assert_eq!(
        (status, body["error"]["message"].as_str().unwrap_or("").contains("处理中")),
        (StatusCode::CONFLICT, true)
    );

    let path = format!("/api/v1/cases/{case_id}/events");
    let ack = json!({"event": "acknowledge", "version": 1});
    let (status, once) = server.bearer_post(&token, &path, &ack, Some("ack-1")).await;
    assert_eq!(status, StatusCode::OK, "{once}");
    let (status, twice) = server.bearer_post(&token, &path, &ack, Some("ack-1")).await;
    assert_eq!((status, &twice), (StatusCode::OK, &once));
    let (_, case) = server.bearer_get(&token, &format!("/api/v1/cases/{case_id}")).await;
    let acks = case["history"].as_array().unwrap().iter().filter(|e| e["event"] == "acknowledge").count();
    assert_eq!(acks, 1, "one move");
    let (status, _) = server.bearer_post(&token, &path, &ack, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "without the key the same move again is refused as stale");
}

#[tokio::test]
async fn a_cursor_walks_every_case_once() {
    let server = spawn().await;
    minyi::demo::load_demo_cases(&server.app).await.expect("the demo cases");
    let token = server.token_for("admin").await;
    let (status, first) = server.bearer_get(&token, "/api/v1/cases?status=all").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let total = first["total"].as_i64().unwrap();
    assert!(total > first["page_size"].as_i64().unwrap(), "more than one page: {total}");
    let mut seen = std::collections::BTreeSet::new();
    let mut page = first;
    loop {
        for item in page["items"].as_array().unwrap() {
            assert!(seen.insert(item["id"].as_str().unwrap().to_string()), "seen once");
        }
        let Some(cursor) = page["next_cursor"].as_str().map(String::from) else { break };
        let (status, next) = server.bearer_get(&token, &format!("/api/v1/cases?status=all&cursor={cursor}")).await;
        assert_eq!(status, StatusCode::OK);
        page = next;
    }
    assert_eq!(seen.len() as i64, total);
}

#[tokio::test]
async fn the_records_of_the_admin_pages_are_managed_through_the_api_with_the_same_checks() {
    let server = spawn().await;
    let admin = server.token_for("admin").await;
    let office = server.token_for("town-office").await;
    let (status, page) = server.bearer_get(&admin, "/api/v1/records/regions?q=石塘").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let town = page["items"].as_array().unwrap().iter().find(|r| r["fields"]["level"] == "town").unwrap().clone();
    let town_code = town["fields"]["code"].as_str().unwrap().to_string();

    let village =
        json!({"code": format!("{town_code}299"), "name": "测试村", "level": "village", "parent_code": town_code});
    let (status, made) = server.bearer_post(&office, "/api/v1/records/regions", &village, Some("region-1")).await;
    assert_eq!(status, StatusCode::CREATED, "the town office may add a village in its town: {made}");
    let id = made["id"].as_str().unwrap().to_string();
    let (status, again) = server.bearer_post(&office, "/api/v1/records/regions", &village, Some("region-1")).await;
    assert_eq!((status, again["id"].clone()), (StatusCode::CREATED, json!(id)), "replayed, not made twice");

    let mut renamed = village.clone();
    renamed["name"] = json!("测试新村");
    let (status, updated) = server.bearer_post(&office, &format!("/api/v1/records/regions/{id}"), &renamed, None).await;
    assert_eq!((status, updated["fields"]["name"].clone()), (StatusCode::OK, json!("测试新村")), "{updated}");
    let off = json!({"active": false});
    let (status, switched) =
        server.bearer_post(&office, &format!("/api/v1/records/regions/{id}/active"), &off, None).await;
    assert_eq!((status, switched["active"].clone()), (StatusCode::OK, json!(false)), "{switched}");

    // The same refusals as the pages: outside the office's town, its own town, the settings.
    let outside = json!({"code": "331081001299", "name": "别处村", "level": "village", "parent_code": "331081001"});
    let (status, _) = server.bearer_post(&office, "/api/v1/records/regions", &outside, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server
        .bearer_post(&office, &format!("/api/v1/records/regions/{}/active", town["id"].as_str().unwrap()), &off, None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an office does not switch off its own region");
    let (status, body) = server.bearer_get(&office, "/api/v1/settings").await;
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    let (status, settings) = server.bearer_get(&admin, "/api/v1/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settings["policy"]["studio_answer_days"], 3);
    assert!(!settings["templates"].as_array().unwrap().is_empty());

    // Bad input: an unknown field, a wrong type, an unknown kind.
    let mut extra = village.clone();
    extra["colour"] = json!("red");
    let (status, body) = server.bearer_post(&admin, "/api/v1/records/regions", &extra, None).await;
    assert_eq!((status, field_names(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["colour".to_string()]));
    let (status, body) = server.bearer_post(&admin, "/api/v1/records/regions", &json!({"code": 1}), None).await;
    assert_eq!((status, field_names(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["code".to_string()]));
    let (status, _) = server.bearer_get(&admin, "/api/v1/records/settings").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, users) = server.bearer_get(&admin, "/api/v1/records/users").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        users["items"].as_array().unwrap().iter().all(|u| u["fields"]["password"].as_str().unwrap_or("").is_empty())
    );
}
