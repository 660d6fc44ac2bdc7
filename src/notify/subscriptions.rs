//! Integrators' webhook subscriptions to case events: writing one delivery per matching
//! subscription in the transaction that appends the event, and, after delivery, pausing
//! a subscription whose deliveries keep failing (its owner is told in the app).
//!
//! The delivery itself is the outbox's (`channel = 'webhook'`, signed by [`super::webhook`]),
//! with its retries and backoff; this module only writes and reacts.

use serde_json::json;

use super::{Audience, Notice, enqueue_notice};
use crate::clock::Millis;
use crate::db::webhooks::Subscription;
use crate::db::{self, DbResult, Tx};
use crate::domain::case::CaseEvent;

/// A subscription is paused after this many deliveries in a row were given up.
pub const PAUSE_AFTER_FAILURES: i64 = 3;

/// The body a subscriber receives for one case event.
pub fn event_body(event: &CaseEvent, tracking_code: &str, state: &str) -> serde_json::Value {
    json!({
        "event_id": event.id,
        "event": event.kind,
        "case_id": event.case_id,
        "tracking_code": tracking_code,
        "state": state,
        "at": iso_time(event.at),
        "seq": event.seq,
    })
}

/// Writes, in the caller's transaction, one delivery of `event` to every active
/// subscription whose filter it passes. Returns how many were written.
pub async fn enqueue_case_event(tx: &mut Tx, event: &CaseEvent, now: Millis) -> DbResult<usize> {
    let subscriptions = db::webhooks::active(tx).await?;
    enqueue_to(tx, &subscriptions, event, now).await
}

/// [`enqueue_case_event`] with the active subscriptions already read (the intake
/// writer reads them once a batch).
pub async fn enqueue_to(
    tx: &mut Tx,
    subscriptions: &[Subscription],
    event: &CaseEvent,
    now: Millis,
) -> DbResult<usize> {
    if subscriptions.is_empty() {
        return Ok(0);
    }
    let Some(case) = db::cases::get(tx, &event.case_id).await? else { return Ok(0) };
    let department_ids: Vec<String> =
        db::cases::assignments(tx, &case.id).await?.into_iter().map(|a| a.department_id).collect();
    let body = event_body(event, &case.tracking_code, case.state.as_str()).to_string();
    let subject = format!("{} {}", event.kind, case.tracking_code);
    let mut written = 0;
    for subscription in subscriptions {
        if subscription.matches(&event.kind, &case.region_path, case.unit_id.as_deref(), &department_ids)
            && db::webhooks::enqueue_delivery(tx, subscription, &event.id, &subject, &body, now).await?
        {
            written += 1;
        }
    }
    Ok(written)
}

/// Records, in the caller's transaction, what became of a delivered or given-up
/// message on its subscription (if it has one): a delivery ends a run of failures; the
/// [`PAUSE_AFTER_FAILURES`]-th failure in a row pauses the subscription and tells its owner.
pub async fn after_delivery(tx: &mut Tx, message_id: &str, delivered: bool, now: Millis) -> DbResult<()> {
    let Some(subscription_id) = db::webhooks::subscription_of_message(tx, message_id).await? else {
        return Ok(());
    };
    if delivered {
        return db::webhooks::delivered(tx, &subscription_id).await;
    }
    if let Some(paused) = db::webhooks::given_up(tx, &subscription_id, PAUSE_AFTER_FAILURES, now).await? {
        tracing::warn!(id = %paused.id, "webhook subscription paused after repeated failures");
        let context = json!({"name": paused.name, "url": paused.url, "failures": paused.consecutive_failures});
        let notice = Notice {
            template: "webhook_paused",
            context: &context,
            link: &format!("/admin/webhooks/{}", paused.id),
            occasion: &format!("webhook:{}:paused:{now}", paused.id),
        };
        enqueue_notice(tx, &Audience::User(paused.owner_user_id.clone()), &notice, now).await?;
    }
    Ok(())
}

/// ISO 8601 in UTC+8 (the country's time), as the JSON API writes times.
fn iso_time(millis: Millis) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::Millis, false))
        .unwrap_or_default()
}
