//! The outbox and the delivery of notices: signing, the receivers' view of what we send,
//! retries, claiming by racing workers, dedupe, and leases that run out.
//!
//! Self-contained: its own engine harness (SQLite in a temporary folder always; a fresh
//! PostgreSQL database when `TEST_DATABASE_URL` is set), a loopback HTTP receiver and a
//! loopback SMTP sink. Time is a `FakeClock`; nothing waits on the wall clock but
//! network IO on 127.0.0.1.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use minyi::app::App;
use minyi::clock::FakeClock;
use minyi::config::{Config, SmtpConfig, SmtpTls};
use minyi::db::channels::{self, ChannelKind, OwnerKind};
use minyi::db::outbox::{self, Channel, DeliveryState, NewMessage};
use minyi::db::{Db, PageRequest};
use minyi::notify::{self, Audience, DeliveryReport, Notice, dingtalk, webhook};

const START: i64 = 1_800_000_000_000;

// ---------------------------------------------------------------------------------
// Engines

/// One database to run a test on, and what to clean up after.
struct TestDb {
    label: &'static str,
    db: Db,
    sqlite_dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>, // (admin URL, database name)
}

impl TestDb {
    /// A second, independent pool on the same database: a second process, as far as the
    /// database can tell.
    async fn second_handle(&self) -> Db {
        match (&self.sqlite_dir, &self.postgres) {
            (Some(dir), _) => Db::open_sqlite(dir.path()).await.unwrap(),
            (None, Some((admin_url, name))) => Db::open_postgres(&database_url(admin_url, name)).await.unwrap(),
            (None, None) => unreachable!("a test database is SQLite or PostgreSQL"),
        }
    }

    async fn finish(self) {
        self.db.close().await;
        if let Some((admin_url, name)) = self.postgres {
            let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
        }
    }
}

/// SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set (a fresh database each).
async fn engines() -> Vec<TestDb> {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_sqlite(dir.path()).await.unwrap();
    db.migrate().await.unwrap();
    let mut engines = vec![TestDb { label: "sqlite", db, sqlite_dir: Some(dir), postgres: None }];
    if let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") {
        let name = format!("minyi_n_{}", &minyi::db::new_id()[16..]);
        let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.unwrap();
        admin.close().await;
        let db = Db::open_postgres(&database_url(&admin_url, &name)).await.unwrap();
        db.migrate().await.unwrap();
        engines.push(TestDb { label: "postgres", db, sqlite_dir: None, postgres: Some((admin_url, name)) });
    }
    engines
}

/// `admin_url` with its database name replaced by `name`.
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin_url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let server = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    format!("{server}/{name}{query}")
}

fn app(db: Db, clock: &FakeClock) -> App {
    App::new(db, Arc::new(clock.clone()), Config::default())
}

fn app_with_smtp(db: Db, clock: &FakeClock, smtp: SmtpConfig) -> App {
    App::new(db, Arc::new(clock.clone()), Config { smtp: Some(smtp), ..Config::default() })
}

// ---------------------------------------------------------------------------------
// A loopback HTTP receiver (a DingTalk robot or a webhook endpoint)

#[derive(Debug, Clone)]
struct Received {
    path: String,
    query: HashMap<String, String>,
    headers: HashMap<String, String>,
    body: String,
}

const ANSWER_OK: u8 = 0;
const ANSWER_ERRCODE: u8 = 1;
const ANSWER_500: u8 = 2;

#[derive(Clone, Default)]
struct ReceiverState {
    received: Arc<Mutex<Vec<Received>>>,
    answer: Arc<AtomicU8>,
}

struct Receiver {
    base_url: String,
    state: ReceiverState,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start() -> Receiver {
        let state = ReceiverState::default();
        let router = axum::Router::new().fallback(receive).with_state(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Receiver { base_url, state, server }
    }

    fn answer_with(&self, answer: u8) {
        self.state.answer.store(answer, Ordering::SeqCst);
    }

    fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn receive(
    axum::extract::State(state): axum::extract::State<ReceiverState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    body: String,
) -> (axum::http::StatusCode, String) {
    let query = serde_urlencoded::from_str::<Vec<(String, String)>>(uri.query().unwrap_or("")).unwrap();
    state.received.lock().unwrap().push(Received {
        path: uri.path().to_string(),
        query: query.into_iter().collect(),
        headers: headers
            .iter()
            .map(|(name, value)| (name.as_str().to_string(), value.to_str().unwrap_or("").to_string()))
            .collect(),
        body,
    });
    match state.answer.load(Ordering::SeqCst) {
        ANSWER_OK => (axum::http::StatusCode::OK, r#"{"errcode":0,"errmsg":"ok"}"#.to_string()),
        ANSWER_ERRCODE => (axum::http::StatusCode::OK, r#"{"errcode":310000,"errmsg":"sign not match"}"#.to_string()),
        _ => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "boom".to_string()),
    }
}

// ---------------------------------------------------------------------------------
// A loopback SMTP sink: just enough SMTP for one client to hand over messages.

#[derive(Debug, Clone, Default)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

struct SmtpSink {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    server: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let kept = mails.clone();
        let server = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let mails = kept.clone();
                tokio::spawn(async move {
                    let _ = smtp_session(stream, mails).await;
                });
            }
        });
        SmtpSink { port, mails, server }
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn smtp_session(stream: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let mut mail = Mail::default();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let verb = command.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" | "HELO" => write.write_all(b"250 sink.test\r\n").await?,
            "MAIL" => {
                mail = Mail { from: command.clone(), ..Mail::default() };
                write.write_all(b"250 OK\r\n").await?;
            }
            "RCPT" => {
                mail.to.push(command.clone());
                write.write_all(b"250 OK\r\n").await?;
            }
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    mail.data.push_str(&line);
                }
                mails.lock().unwrap().push(std::mem::take(&mut mail));
                write.write_all(b"250 queued as 1\r\n").await?;
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"250 OK\r\n").await?,
        }
    }
}

// ---------------------------------------------------------------------------------
// Helpers

fn message(channel: Channel, target: &str, dedupe_key: &str) -> NewMessage {
    NewMessage {
        channel,
        recipient_user_id: None,
        target: target.to_string(),
        secret: String::new(),
        subject: "【民意】办理提醒".to_string(),
        body: "请及时办理。".to_string(),
        link: "https://minyi.example/cases/1".to_string(),
        payload: format!(r#"{{"key":"{dedupe_key}"}}"#),
        dedupe_key: dedupe_key.to_string(),
    }
}

async fn enqueue(db: &Db, message: &NewMessage, now: i64) -> bool {
    let mut tx = db.write().await.unwrap();
    let inserted = outbox::enqueue_many(&mut tx, std::slice::from_ref(message), now).await.unwrap();
    tx.commit().await.unwrap();
    inserted == 1
}

async fn by_key(db: &Db, dedupe_key: &str) -> outbox::OutboxMessage {
    let mut tx = db.read().await.unwrap();
    outbox::get_by_dedupe_key(&mut tx, dedupe_key).await.unwrap().expect("the message is in the outbox")
}

async fn add_channel(db: &Db, owner: OwnerKind, owner_id: &str, kind: ChannelKind, target: &str, secret: &str) {
    let mut tx = db.write().await.unwrap();
    channels::insert(&mut tx, owner, owner_id, kind, target, secret, START).await.unwrap();
    tx.commit().await.unwrap();
}

fn reminder_context() -> serde_json::Value {
    serde_json::json!({
        "department": "市住房和城乡建设局",
        "case_title": "老旧小区加装电梯",
        "tracking_code": "MY2027-0001",
        "due_date": "2027年1月15日",
    })
}

async fn enqueue_reminder(db: &Db, audience: &Audience, occasion: &str) -> usize {
    let context = reminder_context();
    let notice =
        Notice { template: "assignment_reminder", context: &context, link: "https://minyi.example/cases/7", occasion };
    let mut tx = db.write().await.unwrap();
    let written = notify::enqueue_notice(&mut tx, audience, &notice, START).await.unwrap();
    tx.commit().await.unwrap();
    written
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

// ---------------------------------------------------------------------------------
// DingTalk format

#[test]
fn dingtalk_sign_matches_a_known_vector() {
    // Computed outside Rust (Python's hmac, hashlib, base64 and urllib.parse.quote_plus).
    let known = "figG6qqCA%2FlRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ%3D";
    assert_eq!(dingtalk::sign("SECexample0123456789", 1_700_000_000_000), known);

    // And computed here, step by step, as DingTalk's documentation describes it.
    let secret = "SECexample0123456789";
    let string_to_sign = format!("{}\n{}", 1_700_000_000_000_i64, secret);
    let base64 =
        base64::engine::general_purpose::STANDARD.encode(hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()));
    let url_encoded = base64.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    assert_eq!(url_encoded, known);
}

#[test]
fn dingtalk_signed_url_appends_timestamp_and_sign() {
    let sign = dingtalk::sign("SECx", 1_700_000_000_000);
    assert_eq!(
        dingtalk::signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECx", 1_700_000_000_000),
        format!("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign={sign}")
    );
    assert_eq!(
        dingtalk::signed_url("http://127.0.0.1:9/robot", "SECx", 1_700_000_000_000),
        format!("http://127.0.0.1:9/robot?timestamp=1700000000000&sign={sign}")
    );
    assert_eq!(dingtalk::signed_url("http://127.0.0.1:9/robot?a=1", "", 5), "http://127.0.0.1:9/robot?a=1");
}

#[test]
fn dingtalk_markdown_message_has_the_robot_shape() {
    let message = dingtalk::markdown_message("办理提醒", "#### 办理提醒\n\n请及时办理。", &["13800000000".to_string()]);
    assert_eq!(
        message,
        serde_json::json!({
            "msgtype": "markdown",
            "markdown": { "title": "办理提醒", "text": "#### 办理提醒\n\n请及时办理。" },
            "at": { "atMobiles": ["13800000000"], "isAtAll": false },
        })
    );
}

#[test]
fn dingtalk_reply_is_success_only_for_errcode_zero() {
    assert_eq!(dingtalk::parse_reply(200, r#"{"errcode":0,"errmsg":"ok"}"#), Ok(()));
    assert_eq!(
        dingtalk::parse_reply(200, r#"{"errcode":310000,"errmsg":"keywords not in content"}"#),
        Err("DingTalk errcode 310000: keywords not in content".to_string())
    );
    assert_eq!(dingtalk::parse_reply(502, r#"{"errcode":0}"#), Err("HTTP 502".to_string()));
    assert!(dingtalk::parse_reply(200, "<html>").is_err());
    assert!(dingtalk::parse_reply(200, "{}").is_err());
}

#[test]
fn webhook_signature_matches_a_known_vector() {
    // Computed outside Rust (Python's hmac and hashlib).
    assert_eq!(
        webhook::signature("hook-key", 1_700_000_000, r#"{"a":1}"#),
        "sha256=d919240286eec80391c7661561d6f4e190a02e31fec2c0e6f279d19a16c7d0ae"
    );
}

#[test]
fn retries_back_off_exponentially_up_to_six_hours() {
    let minutes: Vec<i64> = (1..=10).map(|attempt| notify::retry_delay_ms(attempt) / 60_000).collect();
    assert_eq!(minutes, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 360]);
    assert_eq!(notify::retry_delay_ms(1_000), 6 * 60 * 60 * 1000);
}

// ---------------------------------------------------------------------------------
// Delivery

#[tokio::test]
async fn dingtalk_notice_is_delivered_once_and_marked_sent() {
    let receiver = Receiver::start().await;
    for engine in engines().await {
        let clock = FakeClock::at(START);
        let app = app(engine.db.clone(), &clock);
        let robot = format!("{}/robot/send?access_token=tok-{}", receiver.base_url, engine.label);
        add_channel(&engine.db, OwnerKind::Department, "dept-1", ChannelKind::DingTalk, &robot, "SECrobot").await;
        let occasion = format!("assignment:a1:reminder:2027-01-15:{}", engine.label);
        assert_eq!(enqueue_reminder(&engine.db, &Audience::Department("dept-1".into()), &occasion).await, 1);

        clock.advance_ms(1_000);
        let report = notify::deliver_due(&app, "worker-a", 10).await.unwrap();
        assert_eq!(report, DeliveryReport { claimed: 1, sent: 1, ..DeliveryReport::default() }, "{}", engine.label);

        let requests: Vec<Received> = receiver
            .received()
            .into_iter()
            .filter(|r| r.query.get("access_token") == Some(&format!("tok-{}", engine.label)))
            .collect();
        assert_eq!(requests.len(), 1, "{}", engine.label);
        let request = &requests[0];
        assert_eq!(request.path, "/robot/send");
        assert_eq!(request.query["timestamp"], (START + 1_000).to_string());
        // The receiver checks the signature its own way (the query is already URL-decoded).
        let string_to_sign = format!("{}\nSECrobot", START + 1_000);
        let expected =
            base64::engine::general_purpose::STANDARD.encode(hmac_sha256(b"SECrobot", string_to_sign.as_bytes()));
        assert_eq!(request.query["sign"], expected);
        let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(body["msgtype"], "markdown");
        assert_eq!(body["markdown"]["title"], "【民意】办理提醒：老旧小区加装电梯");
        let text = body["markdown"]["text"].as_str().unwrap();
        assert!(text.starts_with("#### 【民意】办理提醒：老旧小区加装电梯\n\n市住房和城乡建设局："), "{text}");
        assert!(
            text.contains("（MY2027-0001）将于2027年1月15日到期，请及时办理。查看：https://minyi.example/cases/7"),
            "{text}"
        );
        assert_eq!(body["at"]["isAtAll"], false);

        let key = format!("{occasion}|dingtalk|");
        let mut tx = engine.db.read().await.unwrap();
        let page = outbox::list(&mut tx, Some(DeliveryState::Sent), PageRequest::new(1, 50)).await.unwrap();
        drop(tx);
        let row = page.items.iter().find(|item| item.dedupe_key.starts_with(&key)).expect("a sent row");
        assert_eq!(row.attempts, 1);
        assert_eq!(row.sent_at, Some(START + 1_000));
        assert!(row.last_response.contains(r#""errcode":0"#));
        assert_eq!(request.headers["x-minyi-message-id"], row.id);

        // Nothing is due any more: a second pass sends nothing.
        clock.advance_ms(24 * 60 * 60 * 1000);
        assert_eq!(notify::deliver_due(&app, "worker-a", 10).await.unwrap(), DeliveryReport::default());
        engine.finish().await;
    }
}

#[tokio::test]
async fn a_failing_robot_is_retried_with_backoff_and_then_given_up() {
    let receiver = Receiver::start().await;
    receiver.answer_with(ANSWER_ERRCODE);
    for engine in engines().await {
        let clock = FakeClock::at(START);
        let app = app(engine.db.clone(), &clock);
        let url = format!("{}/robot/{}", receiver.base_url, engine.label);
        let key = format!("failing-{}", engine.label);
        let mut robot_message = message(Channel::DingTalk, &url, &key);
        robot_message.secret = "SECx".to_string();
        assert!(enqueue(&engine.db, &robot_message, START).await);

        for attempt in 1..=notify::MAX_ATTEMPTS {
            let report = notify::deliver_due(&app, "worker-a", 10).await.unwrap();
            let row = by_key(&engine.db, &key).await;
            assert_eq!(row.attempts, attempt, "{}", engine.label);
            assert!(row.last_error.contains("errcode 310000: sign not match"), "{}", row.last_error);
            assert!(row.last_response.contains("310000"));
            assert_eq!(row.claimed_by, None);
            if attempt < notify::MAX_ATTEMPTS {
                assert_eq!(report, DeliveryReport { claimed: 1, retrying: 1, ..DeliveryReport::default() });
                assert_eq!(row.state, "pending");
                assert_eq!(row.next_attempt_at, clock_now(&clock) + notify::retry_delay_ms(attempt));
                // Not due before its time…
                clock.set(row.next_attempt_at - 1);
                assert_eq!(notify::deliver_due(&app, "worker-a", 10).await.unwrap().claimed, 0);
                // …due at it.
                clock.set(row.next_attempt_at);
            } else {
                assert_eq!(report, DeliveryReport { claimed: 1, failed: 1, ..DeliveryReport::default() });
                assert_eq!(row.state, "failed");
            }
        }
        let attempts_seen = receiver.received().iter().filter(|r| r.path == format!("/robot/{}", engine.label)).count();
        assert_eq!(attempts_seen as i64, notify::MAX_ATTEMPTS);
        // Given up means given up.
        clock.advance_ms(30 * 24 * 60 * 60 * 1000);
        assert_eq!(notify::deliver_due(&app, "worker-a", 10).await.unwrap().claimed, 0);
        engine.finish().await;
    }
}

fn clock_now(clock: &FakeClock) -> i64 {
    use minyi::clock::Clock;
    clock.now_ms()
}

#[tokio::test]
async fn a_server_error_is_a_failed_attempt() {
    let receiver = Receiver::start().await;
    receiver.answer_with(ANSWER_500);
    for engine in engines().await {
        let clock = FakeClock::at(START);
        let app = app(engine.db.clone(), &clock);
        let key = format!("http500-{}", engine.label);
        assert!(
            enqueue(&engine.db, &message(Channel::Webhook, &format!("{}/hook", receiver.base_url), &key), START).await
        );
        let report = notify::deliver_due(&app, "worker-a", 10).await.unwrap();
        assert_eq!(report.retrying, 1);
        let row = by_key(&engine.db, &key).await;
        assert_eq!((row.state.as_str(), row.attempts, row.last_error.as_str()), ("pending", 1, "HTTP 500"));
        assert_eq!(row.last_response, "boom");
        assert_eq!(row.next_attempt_at, START + 60_000);
        engine.finish().await;
    }
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_failed_attempt() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    for engine in engines().await {
        let clock = FakeClock::at(START);
        let app = app(engine.db.clone(), &clock);
        let key = format!("unreachable-{}", engine.label);
        assert!(
            enqueue(&engine.db, &message(Channel::Webhook, &format!("http://127.0.0.1:{port}/hook"), &key), START)
                .await
        );
        assert_eq!(notify::deliver_due(&app, "worker-a", 10).await.unwrap().retrying, 1);
        let row = by_key(&engine.db, &key).await;
        assert_eq!(row.state, "pending");
        assert!(!row.last_error.is_empty());
        engine.finish().await;
    }
}

#[tokio::test]
async fn a_generic_webhook_is_signed_so_the_receiver_can_verify_it() {
    let receiver = Receiver::start().await;
    for engine in engines().await {
        let clock = FakeClock::at(START);
        let app = app(engine.db.clone(), &clock);
        let url = format!("{}/hooks/{}", receiver.base_url, engine.label);
        add_channel(&engine.db, OwnerKind::Region, "region-9", ChannelKind::Webhook, &url, "hook-secret").await;
        let occasion = format!("assignment:a9:reminder:{}", engine.label);
        assert_eq!(enqueue_reminder(&engine.db, &Audience::Region("region-9".into()), &occasion).await, 1);

        clock.advance_ms(2_500);
        assert_eq!(notify::deliver_due(&app, "worker-a", 10).await.unwrap().sent, 1);
        let requests: Vec<Received> =
            receiver.received().into_iter().filter(|r| r.path == format!("/hooks/{}", engine.label)).collect();
        assert_eq!(requests.len(), 1);
        let request = &requests[0];

        // The receiver's own check: HMAC-SHA256(secret, timestamp + "." + body), in hex.
        let timestamp = &request.headers["x-minyi-timestamp"];
        assert_eq!(timestamp, &((START + 2_500) / 1000).to_string());
        let signed = format!("{timestamp}.{}", request.body);
        let expected = format!("sha256={}", hex::encode(hmac_sha256(b"hook-secret", signed.as_bytes())));
        assert_eq!(request.headers["x-minyi-signature"], expected);
        assert!(request.headers["content-type"].starts_with("application/json"));

        let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(body["event"], "assignment_reminder");
        assert_eq!(body["occasion"], occasion.as_str());
        assert_eq!(body["subject"], "【民意】办理提醒：老旧小区加装电梯");
        assert_eq!(body["link"], "https://minyi.example/cases/7");
        assert_eq!(body["data"]["tracking_code"], "MY2027-0001");
        assert!(body["idempotency_key"].as_str().unwrap().starts_with(&occasion));
        engine.finish().await;
    }
}

#[tokio::test]
async fn an_email_goes_through_the_smtp_server() {
    let sink = SmtpSink::start().await;
    for engine in engines().await {
        let clock = FakeClock::at(START);
        let smtp = SmtpConfig {
            host: "127.0.0.1".to_string(),
            port: sink.port,
            username: String::new(),
            password: String::new(),
            from: "民意平台 <minyi@example.gov.cn>".to_string(),
            tls: SmtpTls::None,
        };
        let app = app_with_smtp(engine.db.clone(), &clock, smtp);
        let address = format!("handler-{}@example.org", engine.label);
        add_channel(&engine.db, OwnerKind::Department, "dept-mail", ChannelKind::Email, &address, "").await;
        let occasion = format!("assignment:m1:reminder:{}", engine.label);
        assert_eq!(enqueue_reminder(&engine.db, &Audience::Department("dept-mail".into()), &occasion).await, 1);

        let report = notify::deliver_due(&app, "worker-a", 10).await.unwrap();
        assert_eq!(report, DeliveryReport { claimed: 1, sent: 1, ..DeliveryReport::default() }, "{}", engine.label);
        let mails: Vec<Mail> =
            sink.mails().into_iter().filter(|mail| mail.to.iter().any(|to| to.contains(&address))).collect();
        assert_eq!(mails.len(), 1);
        let mail = &mails[0];
        assert!(mail.from.contains("<minyi@example.gov.cn>"), "{}", mail.from);
        let row = by_key(&engine.db, &format!("{occasion}|email|{}", channel_id(&engine.db, "dept-mail").await)).await;
        assert!(mail.data.contains(&format!("Message-ID: <{}@minyi>", row.id)), "{}", mail.data);
        assert!(mail.data.contains("Content-Type: text/plain; charset=utf-8"), "{}", mail.data);
        assert!(decoded_text(&mail.data).contains("将于2027年1月15日到期，请及时办理。"), "{}", mail.data);
        assert!(row.last_response.starts_with("250"), "{}", row.last_response);
        engine.finish().await;
    }
}

#[tokio::test]
async fn email_without_a_mail_server_waits_in_the_outbox() {
    for engine in engines().await {
        let clock = FakeClock::at(START);
        let app = app(engine.db.clone(), &clock);
        let key = format!("no-smtp-{}", engine.label);
        assert!(enqueue(&engine.db, &message(Channel::Email, "someone@example.org", &key), START).await);
        assert_eq!(notify::deliver_due(&app, "worker-a", 10).await.unwrap().retrying, 1);
        assert!(by_key(&engine.db, &key).await.last_error.contains("MINYI_SMTP_HOST"));
        engine.finish().await;
    }
}

async fn channel_id(db: &Db, department: &str) -> String {
    let mut tx = db.read().await.unwrap();
    channels::list_for_owner(&mut tx, OwnerKind::Department, department).await.unwrap()[0].id.clone()
}

/// The message's text, whichever transfer encoding lettre chose for it.
fn decoded_text(data: &str) -> String {
    let (headers, body) = data.split_once("\r\n\r\n").unwrap_or((data, ""));
    if headers.contains("Content-Transfer-Encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(joined).unwrap()).unwrap()
    } else if headers.contains("Content-Transfer-Encoding: quoted-printable") {
        let mut bytes = Vec::new();
        let body = body.replace("=\r\n", "");
        let mut chars = body.bytes();
        while let Some(byte) = chars.next() {
            if byte == b'=' {
                let high = chars.next().unwrap();
                let low = chars.next().unwrap();
                bytes.push(u8::from_str_radix(&format!("{}{}", high as char, low as char), 16).unwrap());
            } else {
                bytes.push(byte);
            }
        }
        String::from_utf8(bytes).unwrap()
    } else {
        body.to_string()
    }
}

#[tokio::test]
async fn an_inbox_notice_lands_in_the_users_inbox() {
    use minyi::db::users::{self, ScopeIds};
    use minyi::domain::user::Role;
    for engine in engines().await {
        let clock = FakeClock::at(START);
        let app = app(engine.db.clone(), &clock);
        let user_id = format!("user-{}", engine.label);
        let mut tx = engine.db.write().await.unwrap();
        let username = format!("u{}", engine.label);
        let scope = ScopeIds::default();
        let user = users::NewUser {
            id: &user_id,
            username: &username,
            display_name: "张三",
            password_hash: "x",
            role: Role::SystemAdmin,
            scope: &scope,
            active: true,
        };
        users::insert(&mut tx, &user, START).await.unwrap();
        tx.commit().await.unwrap();

        let occasion = "case:c1:new";
        assert_eq!(enqueue_reminder(&engine.db, &Audience::User(user_id.clone()), occasion).await, 1);
        // The same occasion again writes nothing.
        assert_eq!(enqueue_reminder(&engine.db, &Audience::User(user_id.clone()), occasion).await, 0);

        assert_eq!(notify::deliver_due(&app, "worker-a", 10).await.unwrap().sent, 1);
        let mut tx = engine.db.write().await.unwrap();
        let inbox = outbox::inbox_for_user(&mut tx, &user_id, PageRequest::new(1, 20)).await.unwrap();
        assert_eq!(inbox.total, 1);
        let message = &inbox.items[0];
        assert_eq!(message.subject, "【民意】办理提醒：老旧小区加装电梯");
        assert_eq!(message.link, "https://minyi.example/cases/7");
        assert_eq!(outbox::unread_count(&mut tx, &user_id).await.unwrap(), 1);
        assert!(!outbox::mark_read(&mut tx, &message.id, "someone-else", START).await.unwrap());
        assert!(outbox::mark_read(&mut tx, &message.id, &user_id, START).await.unwrap());
        assert_eq!(outbox::unread_count(&mut tx, &user_id).await.unwrap(), 0);
        tx.commit().await.unwrap();
        engine.finish().await;
    }
}

#[tokio::test]
async fn inbox_messages_are_delivered_together_and_only_the_workers_own() {
    for engine in engines().await {
        let clock = FakeClock::at(START);
        let app = app(engine.db.clone(), &clock);
        for n in 0..25 {
            let mut inbox_message = message(Channel::Inbox, "", &format!("many-{}-{n}", engine.label));
            inbox_message.recipient_user_id = Some(format!("user-{}", n % 2));
            inbox_message.subject = format!("第{n}条");
            assert!(enqueue(&engine.db, &inbox_message, START).await);
        }
        let nobody = format!("nobody-{}", engine.label);
        assert!(enqueue(&engine.db, &message(Channel::Inbox, "", &nobody), START).await);
        // One more, claimed by another worker whose lease still holds: not this worker's to deliver.
        let held = format!("held-{}", engine.label);
        let mut held_message = message(Channel::Inbox, "", &held);
        held_message.recipient_user_id = Some("user-0".to_string());
        assert!(enqueue(&engine.db, &held_message, START - 1).await);
        let mut tx = engine.db.write().await.unwrap();
        assert_eq!(outbox::claim_due(&mut tx, "worker-b", START, 60_000, 1).await.unwrap().len(), 1);
        tx.commit().await.unwrap();

        clock.advance_ms(1_000);
        let report = notify::deliver_due(&app, "worker-a", 50).await.unwrap();
        let expected = DeliveryReport { claimed: 26, sent: 25, failed: 1, ..DeliveryReport::default() };
        assert_eq!(report, expected, "{}", engine.label);
        let mut tx = engine.db.read().await.unwrap();
        let first = outbox::inbox_for_user(&mut tx, "user-0", PageRequest::new(1, 50)).await.unwrap();
        let second = outbox::inbox_for_user(&mut tx, "user-1", PageRequest::new(1, 50)).await.unwrap();
        assert_eq!((first.total, second.total), (13, 12), "{}", engine.label);
        let mut subjects: Vec<String> = first.items.iter().chain(&second.items).map(|m| m.subject.clone()).collect();
        subjects.sort();
        let mut wanted: Vec<String> = (0..25).map(|n| format!("第{n}条")).collect();
        wanted.sort();
        assert_eq!(subjects, wanted, "{}: each message once, its own words", engine.label);
        assert!(first.items.iter().all(|m| m.created_at == START + 1_000), "{}", engine.label);
        let row = outbox::get_by_dedupe_key(&mut tx, &held).await.unwrap().unwrap();
        assert_eq!((row.state.as_str(), row.claimed_by.as_deref()), ("sending", Some("worker-b")), "{}", engine.label);
        let row = outbox::get_by_dedupe_key(&mut tx, &nobody).await.unwrap().unwrap();
        assert_eq!(row.state, "failed", "{}", engine.label);
        let sent = outbox::list(&mut tx, Some(DeliveryState::Sent), PageRequest::new(1, 50)).await.unwrap();
        assert_eq!(sent.total, 25, "{}", engine.label);
        assert!(sent.items.iter().all(|m| m.sent_at == Some(START + 1_000)), "{}", engine.label);
        let row = outbox::get_by_dedupe_key(&mut tx, &format!("many-{}-0", engine.label)).await.unwrap().unwrap();
        assert_eq!((row.state.as_str(), row.claimed_by, row.attempts), ("sent", None, 1), "{}", engine.label);
        drop(tx);

        // Nothing is due any more: a second pass delivers nothing again.
        assert_eq!(notify::deliver_due(&app, "worker-a", 50).await.unwrap(), DeliveryReport::default());
        engine.finish().await;
    }
}

// ---------------------------------------------------------------------------------
// Claiming, dedupe and leases

#[tokio::test]
async fn two_workers_racing_deliver_each_message_exactly_once() {
    let receiver = Receiver::start().await;
    for engine in engines().await {
        let clock = FakeClock::at(START);
        // Two pools on one database: two processes, as far as the database can tell.
        let first = app(engine.db.clone(), &clock);
        let second = app(engine.second_handle().await, &clock);
        let url = format!("{}/race/{}", receiver.base_url, engine.label);
        for n in 0..20 {
            assert!(
                enqueue(&engine.db, &message(Channel::Webhook, &url, &format!("race-{}-{n}", engine.label)), START)
                    .await
            );
        }

        async fn drain(app: &App, worker_id: &str) -> usize {
            let mut sent = 0;
            loop {
                let report = notify::deliver_due(app, worker_id, 3).await.unwrap();
                assert_eq!(report.lost + report.failed + report.retrying, 0);
                sent += report.sent;
                if report.claimed == 0 {
                    return sent;
                }
            }
        }
        let (sent_by_first, sent_by_second) = tokio::join!(drain(&first, "worker-1"), drain(&second, "worker-2"));
        assert_eq!(sent_by_first + sent_by_second, 20, "{}", engine.label);

        let mut per_message: HashMap<String, usize> = HashMap::new();
        for request in receiver.received().into_iter().filter(|r| r.path == format!("/race/{}", engine.label)) {
            *per_message.entry(request.headers["x-minyi-message-id"].clone()).or_default() += 1;
        }
        assert_eq!(per_message.len(), 20, "{}", engine.label);
        assert!(per_message.values().all(|count| *count == 1), "{}: {per_message:?}", engine.label);

        let mut tx = engine.db.read().await.unwrap();
        let sent = outbox::list(&mut tx, Some(DeliveryState::Sent), PageRequest::new(1, 100)).await.unwrap();
        assert_eq!(sent.total, 20);
        drop(tx);
        second.db().close().await;
        engine.finish().await;
    }
}

#[tokio::test]
async fn the_same_dedupe_key_is_written_once() {
    for engine in engines().await {
        let original = message(Channel::Webhook, "http://127.0.0.1:9/first", "reminder:a1:2027-01-15");
        let mut again = original.clone();
        again.target = "http://127.0.0.1:9/second".to_string();
        assert!(enqueue(&engine.db, &original, START).await);
        assert!(!enqueue(&engine.db, &again, START + 5).await);

        let mut tx = engine.db.read().await.unwrap();
        let all = outbox::list(&mut tx, None, PageRequest::new(1, 50)).await.unwrap();
        assert_eq!(all.total, 1, "{}", engine.label);
        assert_eq!(all.items[0].target, "http://127.0.0.1:9/first");
        assert_eq!(all.items[0].state, "pending");
        drop(tx);
        engine.finish().await;
    }
}

#[tokio::test]
async fn a_claim_whose_lease_ran_out_is_taken_by_another_worker() {
    for engine in engines().await {
        let key = format!("lease-{}", engine.label);
        assert!(enqueue(&engine.db, &message(Channel::Webhook, "http://127.0.0.1:9/hook", &key), START).await);

        // Worker 1 claims it for one minute, then (say) its process dies.
        let mut tx = engine.db.write().await.unwrap();
        let claimed = outbox::claim_due(&mut tx, "worker-1", START, 60_000, 10).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!((claimed[0].state.as_str(), claimed[0].attempts), ("sending", 1));
        assert_eq!(claimed[0].claimed_by.as_deref(), Some("worker-1"));
        assert_eq!(claimed[0].claimed_until, Some(START + 60_000));

        // While the lease holds, nobody else gets it.
        let mut tx = engine.db.write().await.unwrap();
        assert!(outbox::claim_due(&mut tx, "worker-2", START + 60_000, 60_000, 10).await.unwrap().is_empty());
        tx.commit().await.unwrap();

        // After it, worker 2 does.
        let mut tx = engine.db.write().await.unwrap();
        let reclaimed = outbox::claim_due(&mut tx, "worker-2", START + 60_001, 60_000, 10).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(reclaimed.len(), 1, "{}", engine.label);
        assert_eq!(reclaimed[0].id, claimed[0].id);
        assert_eq!(reclaimed[0].attempts, 2);
        assert_eq!(reclaimed[0].claimed_by.as_deref(), Some("worker-2"));

        // Worker 1, back from the dead, can no longer record anything on it.
        let mut tx = engine.db.write().await.unwrap();
        assert!(!outbox::mark_sent(&mut tx, &claimed[0].id, "worker-1", "", START + 60_002).await.unwrap());
        assert!(
            !outbox::mark_failed_attempt(&mut tx, &claimed[0].id, "worker-1", "late", "", START, false).await.unwrap()
        );
        assert!(outbox::mark_sent(&mut tx, &claimed[0].id, "worker-2", "ok", START + 60_003).await.unwrap());
        tx.commit().await.unwrap();
        let row = by_key(&engine.db, &key).await;
        assert_eq!((row.state.as_str(), row.sent_at, row.claimed_by), ("sent", Some(START + 60_003), None));
        engine.finish().await;
    }
}

#[tokio::test]
async fn a_message_held_by_a_dead_worker_is_delivered_once_after_its_lease() {
    for engine in engines().await {
        let clock = FakeClock::at(START);
        let app = app(engine.db.clone(), &clock);
        let key = format!("dead-{}", engine.label);
        let mut inbox_message = message(Channel::Inbox, "", &key);
        inbox_message.recipient_user_id = Some("user-dead".to_string());
        assert!(enqueue(&engine.db, &inbox_message, START).await);

        // Worker 1 claims it and dies.
        let mut tx = engine.db.write().await.unwrap();
        let lease_ms = notify::deliver::LEASE_BASE_MS;
        assert_eq!(outbox::claim_due(&mut tx, "worker-1", START, lease_ms, 10).await.unwrap().len(), 1);
        tx.commit().await.unwrap();

        // While its lease holds, worker 2 leaves the message alone; after it, delivers it.
        clock.set(START + lease_ms);
        assert_eq!(notify::deliver_due(&app, "worker-2", 10).await.unwrap().claimed, 0);
        clock.set(START + lease_ms + 1);
        let report = notify::deliver_due(&app, "worker-2", 10).await.unwrap();
        assert_eq!(report, DeliveryReport { claimed: 1, sent: 1, ..DeliveryReport::default() }, "{}", engine.label);

        let mut tx = engine.db.write().await.unwrap();
        assert_eq!(outbox::inbox_for_user(&mut tx, "user-dead", PageRequest::new(1, 10)).await.unwrap().total, 1);
        // Worker 1, back, can record nothing on it.
        let row = outbox::get_by_dedupe_key(&mut tx, &key).await.unwrap().unwrap();
        assert!(!outbox::mark_sent(&mut tx, &row.id, "worker-1", "", START).await.unwrap());
        assert_eq!((row.state.as_str(), row.attempts), ("sent", 2));
        tx.commit().await.unwrap();
        engine.finish().await;
    }
}

// ---------------------------------------------------------------------------------
// Channels and templates

#[tokio::test]
async fn inactive_channels_receive_nothing() {
    for engine in engines().await {
        add_channel(&engine.db, OwnerKind::Department, "dept-off", ChannelKind::Webhook, "http://127.0.0.1:9/a", "")
            .await;
        add_channel(&engine.db, OwnerKind::Department, "dept-off", ChannelKind::Email, "a@example.org", "").await;
        let id = channel_id(&engine.db, "dept-off").await;
        let mut tx = engine.db.write().await.unwrap();
        assert!(channels::set_active(&mut tx, &id, false, START).await.unwrap());
        let listed = channels::list_for_owner(&mut tx, OwnerKind::Department, "dept-off").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            listed.iter().map(|c| (c.kind, c.active)).collect::<Vec<_>>(),
            vec![(ChannelKind::Webhook, false), (ChannelKind::Email, true)]
        );
        assert_eq!(enqueue_reminder(&engine.db, &Audience::Department("dept-off".into()), "occasion-off").await, 1);
        engine.finish().await;
    }
}

#[tokio::test]
async fn templates_use_the_override_and_fall_back_to_the_default() {
    for engine in engines().await {
        let context = serde_json::json!({
            "department": "市民政局", "case_title": "养老服务", "tracking_code": "MY-9", "due_date": "1月9日", "link": "L"
        });
        let mut tx = engine.db.write().await.unwrap();
        let default = notify::render(&mut tx, "assignment_reminder", &context).await.unwrap();
        assert_eq!(default.subject, "【民意】办理提醒：养老服务");
        assert_eq!(default.body, "市民政局：您单位承办的民意件「养老服务」（MY-9）将于1月9日到期，请及时办理。查看：L");

        minyi::db::message_templates::save(
            &mut tx,
            "assignment_reminder",
            "提醒 {{ case_title }}",
            "{{ department }}，请办理。",
            START,
            "admin",
        )
        .await
        .unwrap();
        let custom = notify::render(&mut tx, "assignment_reminder", &context).await.unwrap();
        assert_eq!((custom.subject.as_str(), custom.body.as_str()), ("提醒 养老服务", "市民政局，请办理。"));

        // A broken override (bad syntax, or a variable nobody passes) falls back to the default.
        minyi::db::message_templates::save(&mut tx, "assignment_reminder", "{{ case_title ", "x", START, "admin")
            .await
            .unwrap();
        assert_eq!(notify::render(&mut tx, "assignment_reminder", &context).await.unwrap(), default);
        minyi::db::message_templates::save(&mut tx, "assignment_reminder", "{{ no_such }}", "x", START, "admin")
            .await
            .unwrap();
        assert_eq!(notify::render(&mut tx, "assignment_reminder", &context).await.unwrap(), default);
        assert!(minyi::db::message_templates::remove(&mut tx, "assignment_reminder").await.unwrap());
        tx.commit().await.unwrap();
        engine.finish().await;
    }
}

#[test]
fn every_default_template_renders_with_its_variables() {
    for template in notify::templates::DEFAULTS {
        assert_eq!(notify::templates::check(template.key, template.subject, template.body), Ok(()), "{}", template.key);
        assert!(template.subject.starts_with("【民意】"), "{}", template.key);
    }
    assert!(notify::templates::check("assignment_reminder", "{{ case_titel }}", "").is_err());
    assert!(notify::templates::check("assignment_reminder", "{% for %}", "").is_err());
    // A runaway loop is stopped, not run forever.
    assert!(
        notify::templates::check(
            "assignment_reminder",
            "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
            ""
        )
        .is_err()
    );
    // A default missing a variable still renders, with it left empty.
    let rendered = notify::templates::render_default("assignment_escalation", &serde_json::json!({"case_title": "T"}));
    assert_eq!(rendered.subject, "【民意】督办：T");
}

#[test]
fn smtp_settings_come_from_the_environment_variables() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string())
    };
    assert!(minyi::config::smtp_from_vars(vars(&[])).unwrap().is_none());
    let smtp = minyi::config::smtp_from_vars(vars(&[
        ("MINYI_SMTP_HOST", "smtp.example.gov.cn"),
        ("MINYI_SMTP_USER", "minyi"),
        ("MINYI_SMTP_PASSWORD", " secret "),
        ("MINYI_SMTP_FROM", "民意 <minyi@example.gov.cn>"),
    ]))
    .unwrap()
    .unwrap();
    assert_eq!((smtp.port, smtp.tls, smtp.password.as_str()), (587, SmtpTls::StartTls, " secret "));
    assert!(!format!("{smtp:?}").contains("secret"));
    let smtps = minyi::config::smtp_from_vars(vars(&[
        ("MINYI_SMTP_HOST", "h"),
        ("MINYI_SMTP_FROM", "a@b.c"),
        ("MINYI_SMTP_TLS", "tls"),
    ]))
    .unwrap()
    .unwrap();
    assert_eq!((smtps.port, smtps.tls), (465, SmtpTls::Tls));
    assert!(
        minyi::config::smtp_from_vars(vars(&[
            ("MINYI_SMTP_HOST", "h"),
            ("MINYI_SMTP_FROM", "a@b.c"),
            ("MINYI_SMTP_TLS", "ssl3")
        ]))
        .is_err()
    );
    assert!(minyi::config::smtp_from_vars(vars(&[("MINYI_SMTP_HOST", "h")])).is_err());
    assert!(
        minyi::config::smtp_from_vars(vars(&[
            ("MINYI_SMTP_HOST", "h"),
            ("MINYI_SMTP_FROM", "a@b.c"),
            ("MINYI_SMTP_PORT", "x")
        ]))
        .is_err()
    );
}
