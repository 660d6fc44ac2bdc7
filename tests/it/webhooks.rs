//! Outbound webhooks for integrators: a case event writes one delivery per matching
//! subscription in the move's own transaction; an independent receiver (a tiny axum
//! server on 127.0.0.1:0) checks the signature itself with the `hmac` crate; failures
//! are retried with backoff and, when they keep coming, pause the subscription and tell
//! its owner. Time is the FakeClock; nothing sleeps.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use minyi::actions::cases::{self, CaseRef, Who};
use minyi::actions::webhooks::{self, SubscriptionFields, Switch};
use minyi::db;
use minyi::domain::case::{AssignmentRole, CaseFields};
use minyi::domain::user::{Actor, Scope};
use minyi::domain::workflow::{Move, NewAssignment};
use minyi::error::Error;
use minyi::notify::deliver_due;

use crate::support::{TestDb, actor, admin_log_len, engines, load_demo};

const HOUR_MS: i64 = 3600 * 1000;

/// One request as the receiver saw it, and whether its signature held.
#[derive(Debug, Clone)]
struct Received {
    body: Value,
    signature_ok: bool,
}

/// A receiver that answers with the status in `status` and checks every request's
/// signature against `secret` with the `hmac` crate, independently of minyi's code.
struct Receiver {
    url: String,
    status: Arc<AtomicU16>,
    seen: Arc<Mutex<Vec<Received>>>,
}

async fn receiver(secret: &'static str) -> Receiver {
    let status = Arc::new(AtomicU16::new(200));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (answer, log) = (status.clone(), seen.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (answer, log) = (answer.clone(), log.clone());
            async move {
                let timestamp = headers.get("X-Minyi-Timestamp").and_then(|v| v.to_str().ok()).unwrap_or("");
                let signature = headers.get("X-Minyi-Signature").and_then(|v| v.to_str().ok()).unwrap_or("");
                let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
                mac.update(format!("{timestamp}.{body}").as_bytes());
                let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
                let signature_ok = !timestamp.is_empty() && signature == expected;
                let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                log.lock().unwrap().push(Received { body, signature_ok });
                let status = StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap();
                (status, format!("receiver says {}", status.as_u16()))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, status, seen }
}

fn subscription(name: &str, url: &str, secret: &str) -> SubscriptionFields {
    SubscriptionFields { name: name.into(), url: url.into(), secret: secret.into(), ..SubscriptionFields::default() }
}

/// A citizen's case to the demo deputy; returns its id.
async fn submit_case(t: &TestDb, deputy: &Actor) -> String {
    let Scope::Representative { representative_id, .. } = deputy.scope().clone() else { panic!("a deputy") };
    let fields = CaseFields {
        channel: "deputy_code".into(),
        representative_id,
        category: "transport".into(),
        body: "村口的路灯坏了".into(),
        ..CaseFields::default()
    };
    cases::submit(&t.app, &fields).await.unwrap_or_else(|e| panic!("{}: submit: {e:?}", t.engine)).case_id
}

async fn forward_to_transport(t: &TestDb, deputy: &Actor, case_id: &str) {
    let department_id = {
        let mut tx = t.read().await;
        db::departments::id_by_code(&mut tx, "BM-001").await.unwrap().expect("市交通运输局")
    };
    let due = t.app.calendar().add_working_days(t.app.today(), 3).unwrap();
    let forward = Move::Forward {
        assignments: vec![NewAssignment { department_id, role: AssignmentRole::Lead, due, note: String::new() }],
    };
    cases::act(&t.app, Who::Staff(deputy), CaseRef::Id(case_id), None, forward)
        .await
        .unwrap_or_else(|e| panic!("{}: forward: {e:?}", t.engine));
}

#[tokio::test]
async fn matching_events_are_delivered_signed_and_filters_hold() {
    for t in engines().await {
        load_demo(&t).await;
        let admin = actor(&t, "admin").await;
        let deputy = actor(&t, "deputy").await;
        let everything = receiver("secret-of-everything").await;
        let answers_only = receiver("secret-of-answers-only").await;
        let transport = receiver("secret-of-the-transport-bureau").await;
        let log_before = admin_log_len(&t).await;
        webhooks::create(&t.app, &admin, &subscription("全部", &everything.url, "secret-of-everything")).await.unwrap();
        let fields = SubscriptionFields {
            event_types: "answer".into(),
            ..subscription("只要答复", &answers_only.url, "secret-of-answers-only")
        };
        webhooks::create(&t.app, &admin, &fields).await.unwrap();
        let fields = SubscriptionFields {
            department_code: "BM-001".into(),
            ..subscription("交通局", &transport.url, "secret-of-the-transport-bureau")
        };
        webhooks::create(&t.app, &admin, &fields).await.unwrap();
        assert_eq!(admin_log_len(&t).await, log_before + 3, "{}: each subscription is in the admin log", t.engine);

        let case_id = submit_case(&t, &deputy).await;
        forward_to_transport(&t, &deputy, &case_id).await;
        let report = deliver_due(&t.app, "test-worker", 100).await.unwrap();
        assert_eq!(report.failed + report.retrying, 0, "{}: {report:?}", t.engine);

        let seen = everything.seen.lock().unwrap().clone();
        let kinds: Vec<&str> = seen.iter().map(|r| r.body["event"].as_str().unwrap_or("")).collect();
        assert_eq!(kinds.len(), 2, "{}: submit and forward: {seen:?}", t.engine);
        assert!(kinds.contains(&"submit") && kinds.contains(&"forward"), "{}: {kinds:?}", t.engine);
        assert!(seen.iter().all(|r| r.signature_ok), "{}: the receiver verified every signature", t.engine);
        let forward = seen.iter().find(|r| r.body["event"] == "forward").unwrap();
        assert_eq!(forward.body["case_id"], case_id.as_str(), "{}", t.engine);
        assert_eq!(forward.body["state"], "forwarded", "{}: {}", t.engine, forward.body);
        assert!(forward.body["tracking_code"].as_str().is_some_and(|c| !c.is_empty()), "{}", t.engine);
        assert!(forward.body["at"].as_str().is_some_and(|at| at.ends_with("+08:00")), "{}", t.engine);

        assert!(answers_only.seen.lock().unwrap().is_empty(), "{}: no answer was given", t.engine);
        let transport_seen = transport.seen.lock().unwrap().clone();
        assert_eq!(transport_seen.len(), 1, "{}: only once the bureau has the case: {transport_seen:?}", t.engine);
        assert_eq!(transport_seen[0].body["event"], "forward", "{}", t.engine);
        assert!(transport_seen[0].signature_ok, "{}", t.engine);
    }
}

#[tokio::test]
async fn a_failed_delivery_is_retried_with_backoff_then_succeeds_and_is_logged() {
    for t in engines().await {
        load_demo(&t).await;
        let admin = actor(&t, "admin").await;
        let deputy = actor(&t, "deputy").await;
        let hook = receiver("a-secret-of-sixteen+").await;
        let sub =
            webhooks::create(&t.app, &admin, &subscription("热线", &hook.url, "a-secret-of-sixteen+")).await.unwrap();
        hook.status.store(503, Ordering::SeqCst);
        submit_case(&t, &deputy).await;

        let first = deliver_due(&t.app, "w", 100).await.unwrap();
        assert_eq!((first.retrying, first.failed), (1, 0), "{}: the webhook waits: {first:?}", t.engine);
        let (_, log) = webhooks::deliveries(&t.app, &admin, &sub.id).await.unwrap();
        assert_eq!(log.len(), 1, "{}", t.engine);
        assert_eq!(log[0].state, "pending", "{}", t.engine);
        assert_eq!(log[0].last_error, "HTTP 503", "{}", t.engine);
        assert_eq!(log[0].last_response, "receiver says 503", "{}: the answer is kept", t.engine);

        hook.status.store(200, Ordering::SeqCst);
        t.clock.advance_ms(30 * 1000);
        let early = deliver_due(&t.app, "w", 100).await.unwrap();
        assert_eq!(early.claimed, 0, "{}: the backoff is respected", t.engine);
        t.clock.advance_ms(31 * 1000);
        let second = deliver_due(&t.app, "w", 100).await.unwrap();
        assert_eq!(second.sent, 1, "{}: {second:?}", t.engine);
        let (sub, log) = webhooks::deliveries(&t.app, &admin, &sub.id).await.unwrap();
        assert_eq!((log[0].state.as_str(), log[0].attempts), ("sent", 2), "{}", t.engine);
        assert_eq!(log[0].last_response, "receiver says 200", "{}", t.engine);
        assert_eq!(sub.consecutive_failures, 0, "{}", t.engine);
        let seen = hook.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "{}", t.engine);
        assert!(seen.iter().all(|r| r.signature_ok), "{}", t.engine);
    }
}

#[tokio::test]
async fn a_subscription_that_keeps_failing_is_paused_and_its_owner_told() {
    for t in engines().await {
        load_demo(&t).await;
        let admin = actor(&t, "admin").await;
        let deputy = actor(&t, "deputy").await;
        let hook = receiver("another-long-secret").await;
        let sub =
            webhooks::create(&t.app, &admin, &subscription("坏地址", &hook.url, "another-long-secret")).await.unwrap();
        hook.status.store(500, Ordering::SeqCst);
        for _ in 0..webhooks_pause_after() {
            submit_case(&t, &deputy).await;
        }
        // Eight attempts each, the backoff at most six hours: step seven hours at a time.
        for _ in 0..=minyi::notify::MAX_ATTEMPTS {
            deliver_due(&t.app, "w", 100).await.unwrap();
            t.clock.advance_ms(7 * HOUR_MS);
        }
        deliver_due(&t.app, "w", 100).await.unwrap(); // the owner's in-app notice
        let (sub_now, log) = webhooks::deliveries(&t.app, &admin, &sub.id).await.unwrap();
        assert!(log.iter().all(|d| d.state == "failed"), "{}: {log:?}", t.engine);
        assert_eq!(sub_now.state, "paused", "{}", t.engine);
        assert_eq!(sub_now.consecutive_failures, webhooks_pause_after(), "{}", t.engine);
        let mut tx = t.read().await;
        let inbox = db::outbox::inbox_for_user(&mut tx, admin.user_id(), db::PageRequest::new(1, 20)).await.unwrap();
        drop(tx);
        assert!(
            inbox.items.iter().any(|m| m.subject.contains("接口推送已暂停") && m.subject.contains("坏地址")),
            "{}: the owner is told: {:?}",
            t.engine,
            inbox.items.iter().map(|m| &m.subject).collect::<Vec<_>>()
        );

        // Paused, it receives nothing new; resumed, it does again.
        submit_case(&t, &deputy).await;
        assert_eq!(webhooks::deliveries(&t.app, &admin, &sub.id).await.unwrap().1.len(), 3, "{}", t.engine);
        let resumed = webhooks::switch(&t.app, &admin, &sub.id, Switch::Resume).await.unwrap();
        assert_eq!((resumed.state.as_str(), resumed.consecutive_failures), ("active", 0), "{}", t.engine);
        submit_case(&t, &deputy).await;
        assert_eq!(webhooks::deliveries(&t.app, &admin, &sub.id).await.unwrap().1.len(), 4, "{}", t.engine);

        // Switched off, it stays off.
        webhooks::switch(&t.app, &admin, &sub.id, Switch::Deactivate).await.unwrap();
        let again = webhooks::switch(&t.app, &admin, &sub.id, Switch::Resume).await;
        assert!(matches!(again, Err(Error::Conflict(_))), "{}: {again:?}", t.engine);
    }
}

fn webhooks_pause_after() -> i64 {
    minyi::notify::subscriptions::PAUSE_AFTER_FAILURES
}

#[tokio::test]
async fn only_the_system_administrator_manages_subscriptions_and_bad_input_is_named() {
    for t in engines().await {
        load_demo(&t).await;
        let admin = actor(&t, "admin").await;
        let office = actor(&t, "office").await;
        let fields = subscription("x", "https://example.org/hook", "sixteen-characters");
        assert!(matches!(webhooks::create(&t.app, &office, &fields).await, Err(Error::Forbidden)), "{}", t.engine);
        assert!(matches!(webhooks::list(&t.app, &office).await, Err(Error::Forbidden)), "{}", t.engine);
        let bad = SubscriptionFields {
            name: String::new(),
            url: "ftp://example.org".into(),
            secret: "short".into(),
            region_code: "999999".into(),
            unit_code: "NOPE".into(),
            department_code: "NOPE".into(),
            event_types: "submit,explode".into(),
        };
        let fields = crate::support::invalid_fields(t.engine, webhooks::create(&t.app, &admin, &bad).await);
        for field in ["name", "url", "secret", "region_code", "unit_code", "department_code", "event_types"] {
            assert!(fields.iter().any(|f| f == field), "{}: {field} named in {fields:?}", t.engine);
        }
    }
}
