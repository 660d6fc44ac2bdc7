//! Webhook subscriptions of integrators, and the outbox rows written for them.
//!
//! A subscription is never deleted: it is `active`, `paused` (by an administrator, or
//! by delivery after repeated failures) or `inactive` (switched off for good).

use super::outbox::OutboxSummary;
use super::{DbResult, Tx, new_id};
use crate::clock::Millis;

/// One subscription as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Subscription {
    pub id: String,
    pub name: String,
    pub url: String,
    pub secret: String,
    /// `''` for every region, else the root of the subtree.
    pub region_id: String,
    pub region_path: String,
    pub unit_id: String,
    pub department_id: String,
    /// A comma list of event kinds; `''` for every event.
    pub event_types: String,
    pub state: String,
    pub consecutive_failures: i64,
    pub owner_user_id: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Subscription {
    /// Whether an event of `kind` on a case in `region_path`, addressed to `unit_id` and
    /// assigned to `department_ids`, is one this subscription asked for.
    pub fn matches(&self, kind: &str, region_path: &str, unit_id: Option<&str>, department_ids: &[String]) -> bool {
        let kind_ok = self.event_types.is_empty() || self.event_types.split(',').any(|k| k.trim() == kind);
        let region_ok = self.region_path.is_empty() || region_path.starts_with(&self.region_path);
        let unit_ok = self.unit_id.is_empty() || unit_id == Some(self.unit_id.as_str());
        let department_ok = self.department_id.is_empty() || department_ids.contains(&self.department_id);
        kind_ok && region_ok && unit_ok && department_ok
    }
}

/// A subscription to write.
#[derive(Debug, Clone)]
pub struct NewSubscription<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub secret: &'a str,
    pub region_id: &'a str,
    pub region_path: &'a str,
    pub unit_id: &'a str,
    pub department_id: &'a str,
    pub event_types: &'a str,
    pub owner_user_id: &'a str,
}

pub async fn insert(tx: &mut Tx, new: &NewSubscription<'_>, now: Millis) -> DbResult<String> {
    let id = new_id();
    exec!(
        tx,
        "INSERT INTO webhook_subscriptions (id, name, url, secret, region_id, region_path, unit_id, department_id,
             event_types, state, consecutive_failures, owner_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', 0, $10, $11, $11)",
        &id,
        new.name,
        new.url,
        new.secret,
        new.region_id,
        new.region_path,
        new.unit_id,
        new.department_id,
        new.event_types,
        new.owner_user_id,
        now
    )?;
    Ok(id)
}

pub async fn get(tx: &mut Tx, id: &str) -> DbResult<Option<Subscription>> {
    row!(tx, Subscription, "SELECT * FROM webhook_subscriptions WHERE id = $1", id)
}

/// Every subscription, newest first.
pub async fn list(tx: &mut Tx) -> DbResult<Vec<Subscription>> {
    rows!(tx, Subscription, "SELECT * FROM webhook_subscriptions ORDER BY created_at DESC, id DESC")
}

/// The subscriptions that receive events now.
pub async fn active(tx: &mut Tx) -> DbResult<Vec<Subscription>> {
    rows!(tx, Subscription, "SELECT * FROM webhook_subscriptions WHERE state = 'active' ORDER BY id")
}

/// Moves a subscription to `state`; resuming also forgets past failures. `false` when
/// it was already there.
pub async fn set_state(tx: &mut Tx, id: &str, state: &str, now: Millis) -> DbResult<bool> {
    let updated = exec!(
        tx,
        "UPDATE webhook_subscriptions
         SET state = $2, updated_at = $3,
             consecutive_failures = CASE WHEN $2 = 'active' THEN 0 ELSE consecutive_failures END
         WHERE id = $1 AND state <> $2",
        id,
        state,
        now
    )?;
    Ok(updated == 1)
}

/// Writes one delivery for `subscription`, due at once; the same event for the same
/// subscription is written once.
pub async fn enqueue_delivery(
    tx: &mut Tx,
    subscription: &Subscription,
    event_id: &str,
    subject: &str,
    payload: &str,
    now: Millis,
) -> DbResult<bool> {
    let inserted = exec!(
        tx,
        "INSERT INTO outbox (id, created_at, channel, recipient_user_id, target, secret, subject, body, link,
                             payload, dedupe_key, state, attempts, next_attempt_at, subscription_id)
         VALUES ($1, $2, 'webhook', NULL, $3, $4, $5, '', '', $6, $7, 'pending', 0, $2, $8)
         ON CONFLICT (dedupe_key) DO NOTHING",
        new_id(),
        now,
        &subscription.url,
        &subscription.secret,
        subject,
        payload,
        format!("webhook:{event_id}:{}", subscription.id),
        &subscription.id
    )?;
    Ok(inserted == 1)
}

/// The subscription an outbox message was written for, if any.
pub async fn subscription_of_message(tx: &mut Tx, message_id: &str) -> DbResult<Option<String>> {
    Ok(row!(tx, (Option<String>,), "SELECT subscription_id FROM outbox WHERE id = $1", message_id)?.and_then(|r| r.0))
}

/// A delivery went through: the run of failures is over.
pub async fn delivered(tx: &mut Tx, id: &str) -> DbResult<()> {
    exec!(tx, "UPDATE webhook_subscriptions SET consecutive_failures = 0 WHERE id = $1", id)?;
    Ok(())
}

/// A delivery was given up: counts it, and pauses an active subscription once `limit`
/// deliveries in a row were given up. Returns the subscription when this call paused it.
pub async fn given_up(tx: &mut Tx, id: &str, limit: i64, now: Millis) -> DbResult<Option<Subscription>> {
    exec!(tx, "UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1 WHERE id = $1", id)?;
    let paused = exec!(
        tx,
        "UPDATE webhook_subscriptions SET state = 'paused', updated_at = $3
         WHERE id = $1 AND state = 'active' AND consecutive_failures >= $2",
        id,
        limit,
        now
    )?;
    if paused == 1 { get(tx, id).await } else { Ok(None) }
}

/// A subscription's deliveries, newest first.
pub async fn deliveries(tx: &mut Tx, id: &str, limit: i64) -> DbResult<Vec<OutboxSummary>> {
    rows!(
        tx,
        OutboxSummary,
        "SELECT id, created_at, channel, recipient_user_id, target, subject, dedupe_key, state, attempts,
                next_attempt_at, last_error, last_response, sent_at
         FROM outbox WHERE subscription_id = $1
         ORDER BY created_at DESC, id DESC LIMIT $2",
        id,
        limit
    )
}
