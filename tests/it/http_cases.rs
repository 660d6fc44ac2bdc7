//! The closed loop through HTTP: the JSON API and the pages, on a fresh SQLite
//! database (or, when `TEST_DATABASE_URL` is set, a fresh PostgreSQL database)
//! holding the demo county, with a fake clock at 2026-03-02 09:00 CST. The
//! harness lives here so this file stands on its own.

use std::net::SocketAddr;
use std::sync::Arc;

use minyi::actions::cases::{ChainReport, verify_chain};
use minyi::app::App;
use minyi::clock::FakeClock;
use minyi::config::Config;
use minyi::db::Db;
use minyi::domain::user::{Actor, Role, Scope, UserFields};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "minyi-demo-2026";
const HANDLER_PASSWORD: &str = "handler-pass-2026";
const MOBILE: &str = "13812345678";

struct Server {
    base: String,
    app: App,
    clock: FakeClock,
    dir: tempfile::TempDir,
    /// The URL of this test's own PostgreSQL database, when `TEST_DATABASE_URL` is set.
    postgres_url: Option<String>,
}

/// A fresh SQLite file, or a fresh database on the PostgreSQL of `TEST_DATABASE_URL`.
async fn open_db(dir: &std::path::Path) -> (Db, Option<String>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let server = sqlx::PgPool::connect(&url).await.expect("PostgreSQL answers");
            let name = format!("minyi_http_{}", uuid::Uuid::now_v7().simple());
            // The name is ours: "minyi_http_" and the hex digits of a UUID.
            let create = sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"));
            sqlx::query(create).execute(&server).await.expect("a test database");
            server.close().await;
            let (base, _) = url.rsplit_once('/').expect("a database URL ends in /name");
            let url = format!("{base}/{name}");
            (Db::open_postgres(&url).await.expect("PostgreSQL opens"), Some(url))
        }
        _ => (Db::open_sqlite(dir).await.expect("SQLite opens"), None),
    }
}

async fn spawn() -> Server {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (db, postgres_url) = open_db(dir.path()).await;
    db.migrate().await.expect("the schema migrates");
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00").expect("a time").timestamp_millis();
    let clock = FakeClock::at(start);
    let config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    let app = App::new(db, Arc::new(clock.clone()), config);
    minyi::demo::load_demo(&app).await.expect("the demo county loads");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("its address");
    let service = minyi::web::router(app.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    Server { base: format!("http://{addr}"), app, clock, dir, postgres_url }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().expect("a client")
}

/// The value of the first `<input … name="{name}" value="…">` on a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} field in the page")) + marker.len();
    html[start..].split('"').next().unwrap_or_default().to_string()
}

fn csrf(html: &str) -> String {
    hidden(html, "csrf")
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser signed in as `username` through the sign-in form.
    async fn login(&self, username: &str, password: &str) -> reqwest::Client {
        let client = browser();
        let page = client.get(self.url("/login")).send().await.unwrap().text().await.unwrap();
        let form =
            [("csrf", csrf(&page)), ("username", username.into()), ("password", password.into()), ("next", "/".into())];
        let response = client.post(self.url("/login")).form(&form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{username} signs in");
        let me: Value = client.get(self.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["username"], username);
        client
    }

    async fn page(&self, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
        let response = client.get(self.url(path)).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    async fn get_json(&self, client: &reqwest::Client, path: &str) -> (StatusCode, Value) {
        let response = client.get(self.url(path)).send().await.unwrap();
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    async fn post_json(&self, client: &reqwest::Client, path: &str, body: Value) -> (StatusCode, Value) {
        let response = client.post(self.url(path)).json(&body).send().await.unwrap();
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    /// One event on a case by a signed-in person; asserts the status.
    async fn event(&self, client: &reqwest::Client, case_id: &str, body: Value, expected: StatusCode) -> Value {
        let (status, json) = self.post_json(client, &format!("/api/v1/cases/{case_id}/events"), body.clone()).await;
        assert_eq!(status, expected, "{body} → {json}");
        json
    }

    /// A department handler account for the department with this code.
    async fn handler_for(&self, username: &str, department_code: &str) -> reqwest::Client {
        let admin = Actor::new(
            "test-admin".into(),
            "test-admin".into(),
            "测试管理员".into(),
            Role::SystemAdmin,
            Scope::Everything,
        )
        .expect("a system administrator");
        let fields = UserFields {
            username: username.into(),
            display_name: format!("{department_code} 经办人"),
            role: "department_handler".into(),
            scope_code: department_code.into(),
            password: HANDLER_PASSWORD.into(),
            active: "是".into(),
        };
        minyi::actions::users::save(&self.app, &admin, None, &fields).await.expect("the account is made");
        self.login(username, HANDLER_PASSWORD).await
    }

    /// The demo deputy's client and representative id.
    async fn deputy(&self) -> (reqwest::Client, String) {
        let client = self.login("deputy", PASSWORD).await;
        let (_, me) = self.get_json(&client, "/api/v1/me").await;
        (client, me["scope"]["id"].as_str().expect("a representative id").to_string())
    }

    /// A new anonymous case to the deputy; returns (id, tracking code).
    async fn new_case(&self, representative_id: &str, token: &str) -> (String, String) {
        let body = json!({"channel": "deputy_code", "representative_id": representative_id, "category": "transport",
            "body": "村口的路灯坏了三个月，晚上出行很不安全。", "mobile": MOBILE, "anonymous": true, "client_token": token, "consent": true});
        let (status, json) = self.post_json(&browser(), "/api/v1/cases", body).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        (json["id"].as_str().unwrap().to_string(), json["tracking_code"].as_str().unwrap().to_string())
    }
}

fn assignment_of<'a>(case: &'a Value, department_id: &str) -> &'a Value {
    case["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|a| a["department_id"] == department_id)
        .unwrap_or_else(|| panic!("an assignment to {department_id} in {case}"))
}

fn allowed(case: &Value) -> Vec<String> {
    case["allowed_events"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_closed_loop_from_submission_to_closing_with_a_sound_history() {
    let server = spawn().await;
    let (deputy, rep_id) = server.deputy().await;
    let (case_id, code) = server.new_case(&rep_id, "loop-token-1").await;
    let path = format!("/api/v1/cases/{case_id}");

    let case = server.event(&deputy, &case_id, json!({"event": "acknowledge", "version": 1}), StatusCode::OK).await;
    assert_eq!(case["state"], "acknowledged");
    assert_eq!(case["citizen"]["mobile"], MOBILE, "the receiver sees the whole number");
    assert!(allowed(&case).contains(&"forward".to_string()));

    // Departments the deputy may reach: the transport bureau (the demo handler's) and two more.
    let choices = case["forward_choices"].as_array().unwrap().clone();
    let by_name = |name: &str| choices.iter().find(|d| d["name"] == name).unwrap_or_else(|| panic!("{name}")).clone();
    let transport = by_name("市交通运输局");
    let others: Vec<&Value> = choices.iter().filter(|d| d["id"] != transport["id"]).collect();
    let (second, third) = (others[0].clone(), others[1].clone());
    let id = |d: &Value| d["id"].as_str().unwrap().to_string();
    let code_of = |d: &Value| d["code"].as_str().unwrap().to_string();

    let forward = json!({"event": "forward", "assignments": [
        {"department_id": id(&transport), "role": "lead", "due_days": 10, "note": "请核实并尽快修复"},
        {"department_id": id(&second), "role": "assisting"}]});
    let case = server.event(&deputy, &case_id, forward, StatusCode::OK).await;
    assert_eq!(case["state"], "forwarded");
    assert_eq!(case["assignments"].as_array().unwrap().len(), 2);
    assert_eq!(assignment_of(&case, &id(&transport))["due"], "2026-03-16", "10 working days from 2 March");

    // The assisting department says it is not theirs; the deputy re-routes.
    let handler_b = server.handler_for("handler-b", &code_of(&second)).await;
    let (status, seen) = server.get_json(&handler_b, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["citizen"]["mobile"], "138****5678", "a department sees the number masked");
    let b_assignment = assignment_of(&seen, &id(&second))["id"].clone();
    let body = json!({"event": "return", "assignment_id": b_assignment, "reason": "不属于本单位职责"});
    server.event(&handler_b, &case_id, body, StatusCode::OK).await;
    let forward = json!({"event": "forward", "assignments": [{"department_id": id(&third), "role": "assisting", "due": "2026-03-20"}]});
    let case = server.event(&deputy, &case_id, forward, StatusCode::OK).await;
    assert_eq!(assignment_of(&case, &id(&second))["state"], "returned");

    // Both departments deliver; the lead's first result is rated unsatisfied and redone.
    let handler_a = server.login("handler", PASSWORD).await;
    let handler_c = server.handler_for("handler-c", &code_of(&third)).await;
    let a_id = assignment_of(&case, &id(&transport))["id"].clone();
    let c_id = assignment_of(&case, &id(&third))["id"].clone();
    server.event(&handler_a, &case_id, json!({"event": "sign_for", "assignment_id": a_id}), StatusCode::OK).await;
    let result = json!({"event": "submit_result", "assignment_id": a_id, "result": "已安排人员查看。"});
    server.event(&handler_a, &case_id, result, StatusCode::OK).await;
    let result = json!({"event": "submit_result", "assignment_id": c_id, "result": "已配合排查线路。"});
    server.event(&handler_c, &case_id, result, StatusCode::OK).await;
    let rate = json!({"event": "rate_result", "assignment_id": a_id, "grade": "unsatisfied"});
    let case = server.event(&deputy, &case_id, rate, StatusCode::OK).await;
    let lead = assignment_of(&case, &id(&transport));
    assert_eq!((lead["state"].as_str(), lead["rework_count"].as_i64()), (Some("accepted"), Some(1)));
    let result = json!({"event": "submit_result", "assignment_id": a_id, "result": "三盏路灯已全部修复。"});
    server.event(&handler_a, &case_id, result, StatusCode::OK).await;
    server
        .event(
            &deputy,
            &case_id,
            json!({"event": "rate_result", "assignment_id": a_id, "grade": "满意"}),
            StatusCode::OK,
        )
        .await;
    let rate = json!({"event": "rate_result", "assignment_id": c_id, "grade": "basically_satisfied"});
    server.event(&deputy, &case_id, rate, StatusCode::OK).await;
    let answer = json!({"event": "answer", "answer": "路灯已修复，感谢您的反映。"});
    let case = server.event(&deputy, &case_id, answer, StatusCode::OK).await;
    assert_eq!(case["state"], "answered");

    // The citizen, by tracking code: unsatisfied reopens; answered again; satisfied closes.
    let citizen = browser();
    let track = format!("/api/v1/track/{code}");
    let (status, public) = server.get_json(&citizen, &track).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(allowed(&public), ["citizen_rate"]);
    assert_eq!(public["citizen"]["mobile"], "138****5678");
    assert!(public.get("assignments").is_none() && !public.to_string().contains("请核实并尽快修复"), "{public}");
    let events = format!("{track}/events");
    let (status, public) =
        server.post_json(&citizen, &events, json!({"event": "citizen_rate", "grade": "unsatisfied"})).await;
    assert_eq!(status, StatusCode::OK, "{public}");
    assert_eq!((public["state"].as_str(), public["reopen_count"].as_i64()), (Some("acknowledged"), Some(1)));
    let reply = json!({"event": "reply", "answer": "已请交通部门加装两盏路灯，本周内完成。"});
    server.event(&deputy, &case_id, reply, StatusCode::OK).await;
    let (status, public) =
        server.post_json(&citizen, &events, json!({"event": "citizen_rate", "grade": "satisfied"})).await;
    assert_eq!(status, StatusCode::OK, "{public}");
    assert_eq!(public["state"], "closed");
    let (_, case) = server.get_json(&deputy, &path).await;
    assert_eq!(case["state"], "closed");
    assert!(allowed(&case).is_empty());
    let kinds: Vec<&str> = case["history"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "submit",
            "acknowledge",
            "forward",
            "return",
            "forward",
            "sign_for",
            "submit_result",
            "submit_result",
            "rate_result",
            "submit_result",
            "rate_result",
            "rate_result",
            "answer",
            "citizen_rate",
            "reply",
            "citizen_rate"
        ]
    );

    // The history is a sound chain until someone edits a stored note.
    assert_eq!(verify_chain(&server.app).await.unwrap(), ChainReport::Sound { events: 16 });
    let tamper = "UPDATE case_events SET note = $1 WHERE seq = $2";
    match &server.postgres_url {
        Some(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(tamper).bind("路灯早就修好了").bind(4_i64).execute(&pool).await.unwrap();
            pool.close().await;
        }
        None => {
            let file = server.dir.path().join(minyi::db::SQLITE_FILE);
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display())).await.unwrap();
            sqlx::query(tamper).bind("路灯早就修好了").bind(4_i64).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
    match verify_chain(&server.app).await.unwrap() {
        ChainReport::Broken { seq, .. } => assert_eq!(seq, 4),
        sound => panic!("a changed note must break the chain, got {sound:?}"),
    }
}

#[tokio::test]
async fn refusals_scope_conflicts_and_idempotency() {
    let server = spawn().await;
    let (deputy, rep_id) = server.deputy().await;

    // The same client token, or Idempotency-Key, twice: one case.
    let (case_id, code) = server.new_case(&rep_id, "same-token").await;
    let again = json!({"channel": "deputy_code", "representative_id": rep_id, "category": "transport",
        "body": "重复提交", "anonymous": false, "client_token": "same-token", "consent": true});
    let (status, json) = server.post_json(&browser(), "/api/v1/cases", again).await;
    assert_eq!((status, json["id"].as_str()), (StatusCode::OK, Some(case_id.as_str())));
    let keyed = json!({"channel": "web", "representative_id": rep_id, "category": "health", "body": "卫生院排队时间太长",
            "consent": true});
    let send = || browser().post(server.url("/api/v1/cases")).header("Idempotency-Key", "key-42").json(&keyed).send();
    let (first, second) = (send().await.unwrap(), send().await.unwrap());
    assert_eq!((first.status(), second.status()), (StatusCode::CREATED, StatusCode::OK));
    let (first, second): (Value, Value) = (first.json().await.unwrap(), second.json().await.unwrap());
    assert_eq!(first["id"], second["id"]);
    let (_, inbox) = server.get_json(&deputy, "/api/v1/cases?status=open").await;
    assert_eq!(inbox["total"], 2, "{inbox}");
    assert_eq!((inbox["page"].as_i64(), inbox["page_size"].as_i64()), (Some(1), Some(20)));

    // Bad input, unknown fields and no session.
    let (status, json) = server.post_json(&browser(), "/api/v1/cases", json!({"body": "", "colour": "red"})).await;
    assert_eq!(
        (status, json["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("colour")),
        "the unknown field is named"
    );
    let (status, json) = server.post_json(&browser(), "/api/v1/cases", json!({"channel": "web", "body": ""})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        json["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["addressee", "category", "body", "consent"], "consent is required without a session");
    let (status, json) = server.get_json(&browser(), "/api/v1/cases").await;
    assert_eq!((status, json["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));

    // Not allowed now → 409 with the reason; not your move → 403; out of scope → 404.
    server.event(&deputy, &case_id, json!({"event": "acknowledge"}), StatusCode::OK).await;
    let refused = server.event(&deputy, &case_id, json!({"event": "acknowledge"}), StatusCode::CONFLICT).await;
    assert_eq!(refused["error"]["code"], "conflict");
    assert_eq!(refused["error"]["message"], "这件民意件已经受理过了。");
    let town_handler = server.login("town-handler", PASSWORD).await;
    let (status, json) = server.get_json(&town_handler, &format!("/api/v1/cases/{case_id}")).await;
    assert_eq!((status, json["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    server.event(&town_handler, &case_id, json!({"event": "reply", "answer": "x"}), StatusCode::NOT_FOUND).await;
    let (_, case) = server.get_json(&deputy, &format!("/api/v1/cases/{case_id}")).await;
    let transport =
        case["forward_choices"].as_array().unwrap().iter().find(|d| d["name"] == "市交通运输局").unwrap().clone();
    let forward = json!({"event": "forward", "assignments": [{"department_id": transport["id"], "role": "lead"}]});
    server.event(&deputy, &case_id, forward, StatusCode::OK).await;
    let handler = server.login("handler", PASSWORD).await;
    let refused =
        server.event(&handler, &case_id, json!({"event": "answer", "answer": "好"}), StatusCode::FORBIDDEN).await;
    assert_eq!(refused["error"]["code"], "forbidden");
    let bad = server.event(&deputy, &case_id, json!({"event": "fly"}), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(bad["error"]["fields"][0]["field"], "event");
    let bad = server
        .event(&deputy, &case_id, json!({"event": "reply", "answre": "typo"}), StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert_eq!(bad["error"]["fields"][0]["field"], "answre", "the unknown field is named");

    // Two people act on the same version at once: one wins, the other is told it is stale.
    let (_, case) = server.get_json(&deputy, &format!("/api/v1/cases/{case_id}")).await;
    let version = case["version"].as_i64().unwrap();
    let office = server.login("office", PASSWORD).await;
    let path = format!("/api/v1/cases/{case_id}/events");
    let ask = json!({"event": "request_info", "question": "请补充路灯的具体位置", "version": version});
    let close = json!({"event": "close", "note": "已由办公室统一办理", "version": version});
    let (one, other) = tokio::join!(server.post_json(&deputy, &path, ask), server.post_json(&office, &path, close));
    let mut statuses = [one.0, other.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{one:?} {other:?}");
    let loser = if one.0 == StatusCode::CONFLICT { one.1 } else { other.1 };
    assert_eq!(loser["error"]["message"], "这件民意件刚刚有人办理过，页面已更新为最新情况，请确认后再操作。");

    // An unknown tracking code is simply not found.
    let (status, _) = server.get_json(&browser(), "/api/v1/track/ABCD-EFGH-JK").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page) = server.page(&browser(), "/track/ABCD-EFGH-JK").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("您要找的内容不存在"));
    let (status, _) = server.get_json(&browser(), &format!("/api/v1/track/{}", code.to_lowercase())).await;
    assert_eq!(status, StatusCode::OK, "codes are read in any case");
}

#[tokio::test]
async fn the_pages_of_the_loop_work_with_forms() {
    let server = spawn().await;
    let (deputy, rep_id) = server.deputy().await;

    // A citizen submits through the page; a retried form makes no second case.
    let citizen = browser();
    let (status, form) = server.page(&citizen, &format!("/submit?representative={rep_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("您的意见将直接送达"), "{form}");
    let token = hidden(&form, "client_token");
    assert_eq!(token.len(), 64);
    let mut fields = vec![
        ("csrf", csrf(&form)),
        ("client_token", token),
        ("representative_id", rep_id.clone()),
        ("unit_id", String::new()),
        ("body", String::new()),
        ("category", "environment".into()),
        ("name", "王小明".into()),
        ("mobile", MOBILE.into()),
    ];
    let response = citizen.post(server.url("/submit")).form(&fields).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("此项必填") && page.contains("王小明"), "the form comes back as typed");
    assert!(page.contains("请阅读并同意个人信息保护说明"), "the privacy consent is asked for, in place: {page}");
    fields[4].1 = "河道里有人倾倒垃圾，气味很大。".into();
    fields.push(("consent", "yes".into()));
    let done = citizen.post(server.url("/submit")).form(&fields).send().await.unwrap().text().await.unwrap();
    let again = citizen.post(server.url("/submit")).form(&fields).send().await.unwrap().text().await.unwrap();
    let code =
        done.split("<output").nth(1).and_then(|s| s.split('>').nth(1)).and_then(|s| s.split('<').next()).unwrap();
    assert_eq!(code.len(), 12, "{done}");
    assert!(again.contains(code), "the same form twice gives the same tracking code");

    // The inbox, the case page, a move through its form, and a stale form.
    let (status, inbox) = server.page(&deputy, "/cases").await;
    assert_eq!(status, StatusCode::OK);
    assert!(inbox.contains("民意件") && inbox.contains("河道里有人倾倒垃圾") && inbox.contains("待受理"), "{inbox}");
    let (_, list) = server.get_json(&deputy, "/api/v1/cases").await;
    let case_id = list["items"][0]["id"].as_str().unwrap().to_string();
    let (status, page) = server.page(&deputy, &format!("/cases/{case_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("王小明") && page.contains(MOBILE) && page.contains("受理期限"), "{page}");
    let ack = [("csrf", csrf(&page)), ("version", hidden(&page, "version"))];
    let url = server.url(&format!("/cases/{case_id}/moves/acknowledge"));
    let after = deputy.post(&url).form(&ack).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::OK);
    let after = after.text().await.unwrap();
    assert!(after.contains("已办理完成") && after.contains("转交承办单位"), "{after}");
    let stale = deputy.post(server.url(&format!("/cases/{case_id}/moves/request_info"))).form(&[
        ("csrf", csrf(&page)),
        ("version", hidden(&page, "version")),
        ("question", "请补充位置".into()),
    ]);
    let stale = stale.send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(stale.text().await.unwrap().contains("刚刚有人办理过"));
    let empty = deputy.post(server.url(&format!("/cases/{case_id}/moves/reply"))).form(&[
        ("csrf", csrf(&after)),
        ("version", hidden(&after, "version")),
        ("answer", "  ".into()),
    ]);
    let empty = empty.send().await.unwrap();
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("此项必填"));
    let no_csrf = deputy.post(url).form(&[("version", "2")]).send().await.unwrap();
    assert_eq!(no_csrf.status(), StatusCode::CONFLICT);

    // The citizen's page: progress, no full name or number; a reply, then a rating through the form.
    let reply =
        [("csrf", csrf(&after)), ("version", hidden(&after, "version")), ("answer", "已联系环保部门清理。".into())];
    deputy.post(server.url(&format!("/cases/{case_id}/moves/reply"))).form(&reply).send().await.unwrap();
    let (status, track) = server.page(&citizen, &format!("/track/{code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        track.contains("办理进度") && track.contains("已联系环保部门清理") && track.contains("评价答复"),
        "{track}"
    );
    assert!(
        !track.contains(MOBILE) && track.contains("138****5678") && track.contains("王*") && !track.contains("王小明")
    );
    let rate = [("csrf", csrf(&track)), ("version", hidden(&track, "version")), ("grade", "satisfied".into())];
    let rated =
        citizen.post(server.url(&format!("/track/{code}/moves/citizen_rate"))).form(&rate).send().await.unwrap();
    assert_eq!(rated.status(), StatusCode::OK);
    let rated = rated.text().await.unwrap();
    assert!(rated.contains("感谢您的评价") && rated.contains("已办结"), "{rated}");
    let (status, form) = server.page(&citizen, &format!("/track?code={}", code.to_lowercase().replace('-', ""))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(code), "a typed code leads to its page");

    // Time passes: an open case past its deadline is flagged in words.
    let (other_id, _) = server.new_case(&rep_id, "late-token").await;
    let (_, page) = server.page(&deputy, &format!("/cases/{other_id}")).await;
    let forward_url = server.url(&format!("/cases/{other_id}/moves/forward"));
    let mut forward = vec![("csrf", csrf(&page)), ("version", hidden(&page, "version")), ("role.0", "lead".into())];
    let refused = deputy.post(&forward_url).form(&forward).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("请至少选择一个承办单位"));
    let select = page.split("name=\"department_id.0\"").nth(1).expect("a department choice");
    let first = select.split("<option value=\"").nth(2).and_then(|s| s.split('"').next()).unwrap().to_string();
    forward.extend([("department_id.0", first), ("due_days.0", "5".into()), ("note.0", "请尽快处理".into())]);
    let forwarded = deputy.post(&forward_url).form(&forward).send().await.unwrap().text().await.unwrap();
    assert!(
        forwarded.contains("待签收") && forwarded.contains("2026-03-09") && forwarded.contains("请尽快处理"),
        "{forwarded}"
    );
    server.clock.advance_ms(40 * 24 * 3600 * 1000);
    let deputy = server.login("deputy", PASSWORD).await;
    let (_, overdue) = server.page(&deputy, "/cases?status=overdue").await;
    assert!(overdue.contains("已超期") && overdue.contains("村口的路灯坏了"), "{overdue}");
    let (_, overdue) = server.get_json(&deputy, "/api/v1/cases?status=overdue").await;
    assert_eq!((overdue["total"].as_i64(), overdue["items"][0]["id"].as_str()), (Some(1), Some(other_id.as_str())));
    assert_eq!(overdue["items"][0]["overdue"], true);
}

#[test]
fn both_catalogues_name_the_same_keys() {
    let zh = minyi::i18n::message_ids(minyi::i18n::ZH_SOURCE);
    let en = minyi::i18n::message_ids(minyi::i18n::EN_SOURCE);
    let missing_en: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
    let missing_zh: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
    assert!(missing_en.is_empty() && missing_zh.is_empty(), "en lacks {missing_en:?}; zh lacks {missing_zh:?}");
    let i18n = minyi::i18n::I18n::new();
    let mut keys: Vec<String> = Vec::new();
    for state in minyi::domain::case::CaseState::ALL {
        keys.push(format!("state-{}", state.as_str()));
    }
    for kind in minyi::domain::workflow::MoveKind::ALL {
        keys.push(format!("move-{}", kind.as_str()));
        keys.push(format!("event-{}", kind.as_str()));
    }
    for category in minyi::domain::case::CATEGORIES {
        keys.push(format!("category-{category}"));
    }
    for channel in minyi::domain::case::Channel::ALL {
        keys.push(format!("channel-{}", channel.as_str()));
    }
    for state in minyi::domain::case::AssignmentState::ALL {
        keys.push(format!("astate-{}", state.as_str()));
    }
    for status in minyi::actions::cases::InboxStatus::ALL {
        keys.push(format!("inbox-{}", status.as_str()));
    }
    keys.extend(
        ["event-submit", "grade-satisfied", "grade-basically_satisfied", "grade-unsatisfied"].map(String::from),
    );
    let absent: Vec<_> = keys.iter().filter(|k| !i18n.has(minyi::i18n::Lang::Zh, k)).collect();
    assert!(absent.is_empty(), "missing catalogue keys: {absent:?}");
}

/// The anonymous JSON intake is the form by another door: consent is required and
/// the same limits per network address and per mobile number apply.
#[tokio::test]
async fn the_anonymous_json_intake_needs_consent_and_keeps_the_forms_limits() {
    let server = spawn().await;
    let (_, rep_id) = server.deputy().await;
    let case = |n: usize, mobile: &str, consent: bool| {
        json!({"channel": "deputy_code", "representative_id": rep_id, "category": "transport",
            "body": format!("第{n}件：村口的路灯坏了。"), "mobile": mobile, "client_token": format!("json-{n}"),
            "consent": consent})
    };
    let (status, json) = server.post_json(&browser(), "/api/v1/cases", case(0, "", false)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json["error"]["fields"][0]["field"], "consent", "{json}");
    assert_eq!(json["error"]["fields"][0]["message"], "请阅读并同意个人信息保护说明后再提交。", "{json}");

    // Five a day from one mobile number; the sixth is refused and names the number.
    for n in 1..=5 {
        let (status, json) = server.post_json(&browser(), "/api/v1/cases", case(n, MOBILE, true)).await;
        assert_eq!(status, StatusCode::CREATED, "{n}: {json}");
    }
    let (status, json) = server.post_json(&browser(), "/api/v1/cases", case(6, MOBILE, true)).await;
    assert_eq!(
        (status, json["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("mobile"))
    );
    assert!(json["error"]["fields"][0]["message"].as_str().unwrap().contains("今天已提交 5 件"), "{json}");
    // A retry of an accepted one still finds its case.
    let (status, _) = server.post_json(&browser(), "/api/v1/cases", case(5, MOBILE, true)).await;
    assert_eq!(status, StatusCode::OK);

    // Twenty an hour from one address, counted with the form's.
    for n in 7..22 {
        let (status, json) = server.post_json(&browser(), "/api/v1/cases", case(n, "", true)).await;
        assert_eq!(status, StatusCode::CREATED, "{n}: {json}");
    }
    let (status, json) = server.post_json(&browser(), "/api/v1/cases", case(22, "", true)).await;
    assert_eq!(
        (status, json["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("form"))
    );
    assert!(json["error"]["fields"][0]["message"].as_str().unwrap().contains("请一小时后再试"), "{json}");
}
