//! The foundation through the front door: sign-in, CSRF, throttling, scopes,
//! administration pages, import and export, the session API, health and metrics.

use minyi::domain::permission::Resource;
use serde_json::{Value, json};

use crate::http::{Server, spawn};
use crate::support::{load_demo, sqlite};

const DEMO_PASSWORD: &str = "minyi-demo-2026";

async fn demo_server() -> (crate::support::TestDb, Server) {
    let t = sqlite().await;
    load_demo(&t).await;
    let server = spawn(t.app.clone()).await;
    (t, server)
}

#[tokio::test]
async fn health_metrics_and_security_headers() {
    let (_t, server) = demo_server().await;
    let health = server.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let headers = health.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    let metrics = server.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("minyi_http_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/healthz\""), "{metrics}");
}

#[tokio::test]
async fn health_says_unavailable_when_the_database_is_gone() {
    let (t, server) = demo_server().await;
    t.app.db().close().await;
    assert_eq!(server.get("/healthz").await.status(), 503);
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let (_t, server) = demo_server().await;
    let _ = server.page("/login").await;
    let response =
        server.post_form("/login", &[("csrf", "forged"), ("username", "admin"), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains("页面已过期"));
    assert_eq!(server.get("/api/v1/me").await.status(), 401);
}

#[tokio::test]
async fn signing_in_wrong_then_right() {
    let (_t, server) = demo_server().await;
    let wrong = server.login("admin", "not-the-password").await;
    assert_eq!(wrong.status(), 422);
    let body = wrong.text().await.unwrap();
    assert!(body.contains("用户名或密码不正确"), "{body}");
    let unknown = server.login("nobody", "not-the-password").await;
    assert!(unknown.text().await.unwrap().contains("用户名或密码不正确"));
    let right = server.login("admin", DEMO_PASSWORD).await;
    assert_eq!(right.status(), 303);
    let me: Value = server.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["username"], "admin");
    assert_eq!(me["roles"], json!(["system_admin"]));
    // Signing out ends the session on the server.
    let (_, _, csrf) = server.page("/").await;
    assert_eq!(server.post_form("/logout", &[("csrf", &csrf)]).await.status(), 303);
    assert_eq!(server.get("/api/v1/me").await.status(), 401);
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_the_wait_shown() {
    let (_t, server) = demo_server().await;
    for _ in 0..5 {
        assert_eq!(server.login("office", "wrong-password").await.status(), 422);
    }
    let throttled = server.login("office", DEMO_PASSWORD).await;
    assert_eq!(throttled.status(), 429);
    let wait: i64 = throttled.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 15 * 60, "{wait}");
    assert!(throttled.text().await.unwrap().contains("分钟后再试"));
}

#[tokio::test]
async fn the_session_api_for_programs() {
    let (_t, server) = demo_server().await;
    let api = server.client.clone();
    let ok = api.post(server.url("/api/v1/session")).json(&json!({"username": "handler", "password": DEMO_PASSWORD}));
    let ok = ok.send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.headers().get("set-cookie").is_some());
    let me: Value = server.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["roles"], json!(["department_handler"]));
    assert_eq!(me["scope"]["kind"], "department");
    let bad = api.post(server.url("/api/v1/session")).json(&json!({"username": "handler", "password": "nope"}));
    let bad = bad.send().await.unwrap();
    assert_eq!(bad.status(), 401);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_credentials");
    let extra = api.post(server.url("/api/v1/session")).json(&json!({"username": "a", "password": "b", "admin": true}));
    let extra = extra.send().await.unwrap();
    assert_eq!(extra.status(), 422);
    let body: Value = extra.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "admin", "the unknown field is named");
    let missing = server.get("/api/v1/nothing-here").await;
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn pages_need_a_session_and_keep_to_the_scope() {
    let (t, server) = demo_server().await;
    let anonymous = server.get("/admin/units").await;
    assert_eq!(anonymous.status(), 303);
    assert!(anonymous.headers()["location"].to_str().unwrap().starts_with("/login?next="));
    // The town office of 石塘镇 sees its own stations only.
    server.login("town-office", DEMO_PASSWORD).await;
    let (status, body, _) = server.page("/admin/units?q=太平").await;
    assert_eq!(status, 200);
    assert!(body.contains("共 0 条"), "a town office must not list another town's stations");
    let admin = crate::support::actor(&t, "admin").await;
    let elsewhere =
        minyi::actions::records::list(&t.app, &admin, Resource::Unit, "太平", minyi::db::PageRequest::new(1, 5))
            .await
            .unwrap()
            .0;
    let other_unit = &elsewhere[0].id;
    assert_eq!(server.get(&format!("/admin/units/{other_unit}")).await.status(), 403);
    assert_eq!(server.get("/admin/regions/does-not-exist").await.status(), 404);
    // A keeper has no user administration at all.
    let keeper = crate::http::spawn(t.app.clone()).await;
    keeper.login("keeper", DEMO_PASSWORD).await;
    assert_eq!(keeper.get("/admin/users").await.status(), 403);
    assert_eq!(keeper.get("/admin/units").await.status(), 200);
}

#[tokio::test]
async fn the_language_switch_and_no_open_redirect() {
    let (_t, server) = demo_server().await;
    let switch = server.get("/lang/en?back=/login").await;
    assert_eq!(switch.status(), 303);
    assert_eq!(switch.headers()["location"], "/login");
    let (_, body, _) = server.page("/login").await;
    assert!(body.contains("Staff sign-in"), "{body}");
    assert!(body.contains("lang=\"en\""));
    let away = server.get("/lang/zh-CN?back=//evil.example/").await;
    assert_eq!(away.headers()["location"], "/");
    let (_, body, _) = server.page("/login").await;
    assert!(body.contains("工作人员登录"));
}

#[tokio::test]
async fn deactivating_asks_first_and_is_recorded() {
    let (t, server) = demo_server().await;
    server.login("admin", DEMO_PASSWORD).await;
    let admin = crate::support::actor(&t, "admin").await;
    let units =
        minyi::actions::records::list(&t.app, &admin, Resource::Unit, "LLZ-002", minyi::db::PageRequest::new(1, 5))
            .await
            .unwrap()
            .0;
    let id = &units[0].id;
    let (status, body, csrf) = server.page(&format!("/admin/units/{id}/active/off")).await;
    assert_eq!(status, 200);
    assert!(body.contains("确定要停用"), "{body}");
    let done = server.post_form(&format!("/admin/units/{id}/active/off"), &[("csrf", &csrf)]).await;
    assert_eq!(done.status(), 303);
    let record = minyi::actions::records::get(&t.app, &admin, Resource::Unit, id).await.unwrap();
    assert!(!record.active, "switched off, and still there");
    let (_, log, _) = server.page("/admin/log").await;
    assert!(log.contains("停用"), "{log}");
}

#[tokio::test]
async fn import_from_a_spreadsheet_names_each_problem_then_commits() {
    let (t, server) = demo_server().await;
    server.login("office", DEMO_PASSWORD).await;
    let (_, _, csrf) = server.page("/admin/departments/import").await;
    let upload = |csv: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("bm.csv"));
        server.client.post(server.url("/admin/departments/import")).multipart(form).send()
    };
    let bad = upload(
        "编号,名称,所属区域代码,联系电话\nBM-900,市测试局,331081,0576-86000000\nBM-901,市另一局,999999,打电话\n",
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("<td>3</td><td>所属区域代码</td>"), "{body}");
    assert!(body.contains("<td>3</td><td>联系电话</td>"), "{body}");
    let admin = crate::support::actor(&t, "admin").await;
    let search = |q: &'static str| {
        minyi::actions::records::list(&t.app, &admin, Resource::Department, q, minyi::db::PageRequest::new(1, 5))
    };
    assert!(search("BM-900").await.unwrap().0.is_empty(), "nothing is written when any row is wrong");
    let good = upload("编号,名称,所属区域代码\nBM-900,市测试局,331081\n").await.unwrap();
    assert_eq!(good.status(), 200);
    let body = good.text().await.unwrap();
    let action = body.split("action=\"/admin/departments/import/").nth(1).unwrap().split('"').next().unwrap();
    let csrf = crate::http::csrf_of(&body);
    let commit = server.post_form(&format!("/admin/departments/import/{action}"), &[("csrf", &csrf)]).await;
    assert_eq!(commit.status(), 303);
    assert_eq!(search("BM-900").await.unwrap().0.len(), 1);
    let again = server.post_form(&format!("/admin/departments/import/{action}"), &[("csrf", &csrf)]).await;
    assert_eq!(again.status(), 409, "a batch is committed once");
}

#[tokio::test]
async fn export_gives_a_spreadsheet_excel_reads() {
    let (_t, server) = demo_server().await;
    server.login("office", DEMO_PASSWORD).await;
    let csv = server.get("/admin/representatives/export/csv").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let bytes = csv.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}编号,类别,姓名".as_bytes()));
    let xlsx = server.get("/admin/representatives/export/xlsx").await;
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
    let keeper = crate::http::spawn(_t.app.clone()).await;
    keeper.login("keeper", DEMO_PASSWORD).await;
    assert_eq!(keeper.get("/admin/representatives/export/csv").await.status(), 403);
}
