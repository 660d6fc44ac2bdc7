//! Delivering due outbox messages: claim in one short write transaction (which also
//! delivers the inbox messages it claimed, all at once), send each other message with
//! no transaction open, record each outcome in another short transaction.

use super::{Outcome, dingtalk, email, subscriptions, webhook};
use crate::app::App;
use crate::clock::Millis;
use crate::db::outbox::{self, Channel, OutboxMessage};
use crate::error::Result;

/// Attempts before a message is given up (`failed`).
pub const MAX_ATTEMPTS: i64 = 8;
/// The wait after the first failed attempt; it doubles after each further one.
pub const FIRST_RETRY_MS: Millis = 60 * 1000;
/// The longest wait between two attempts.
pub const LONGEST_RETRY_MS: Millis = 6 * 60 * 60 * 1000;
/// A claim lasts this long, plus [`LEASE_PER_MESSAGE_MS`] for each message claimed: more
/// than the slowest delivery of the batch can take, so a live worker keeps its claims.
pub const LEASE_BASE_MS: Millis = 60 * 1000;
pub const LEASE_PER_MESSAGE_MS: Millis = 45 * 1000;

/// What one [`deliver_due`] call did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Messages claimed by this call.
    pub claimed: usize,
    pub sent: usize,
    /// Failed this time; will be tried again.
    pub retrying: usize,
    /// Given up for good.
    pub failed: usize,
    /// Taken over by another worker after this one's lease ran out; nothing recorded.
    pub lost: usize,
}

/// How long to wait after a message's `attempts`-th failed attempt: 1 min, 2, 4, 8…,
/// at most 6 hours.
pub fn retry_delay_ms(attempts: i64) -> Millis {
    let doublings = attempts.clamp(1, 30) - 1;
    FIRST_RETRY_MS.saturating_mul(1 << doublings).min(LONGEST_RETRY_MS)
}

/// Delivers up to `limit` due messages as `worker_id`. Safe to run from several tasks
/// or processes at once: each message is claimed by one of them. Network IO happens
/// with no database transaction open. Only a database failure is an error; a failed
/// delivery is recorded on its message and retried later.
pub async fn deliver_due(app: &App, worker_id: &str, limit: i64) -> Result<DeliveryReport> {
    let limit = limit.clamp(1, 500);
    let lease_ms = LEASE_BASE_MS + limit * LEASE_PER_MESSAGE_MS;
    let now = app.now();
    let mut tx = app.db().write().await?;
    let claimed = outbox::claim_due(&mut tx, worker_id, now, lease_ms, limit).await?;
    // Inbox messages need no network: they are delivered in the claim's transaction,
    // all at once (at a high intake there is one for every new case).
    let to_inbox = outbox::deliver_claimed_inbox(&mut tx, worker_id, now).await?;
    tx.commit().await?;

    let mut report = DeliveryReport { claimed: claimed.len(), ..DeliveryReport::default() };
    report.sent += usize::try_from(to_inbox).unwrap_or(usize::MAX);
    for message in &claimed {
        let recorded = match message.channel() {
            Some(Channel::Inbox) if message.recipient_user_id.is_some() => continue,
            Some(Channel::Inbox) => {
                let outcome = Outcome::give_up("an inbox message without a recipient".to_string(), String::new());
                record(app, worker_id, message, outcome).await?
            }
            Some(channel) => {
                let outcome = send(app, channel, message).await;
                record(app, worker_id, message, outcome).await?
            }
            None => {
                let outcome = Outcome::give_up(format!("unknown channel {}", message.channel), String::new());
                record(app, worker_id, message, outcome).await?
            }
        };
        match recorded {
            Recorded::Sent => report.sent += 1,
            Recorded::Retrying => report.retrying += 1,
            Recorded::Failed => report.failed += 1,
            Recorded::Lost => report.lost += 1,
        }
    }
    if report.claimed > 0 {
        tracing::info!(worker_id, ?report, "outbox delivery");
    }
    Ok(report)
}

enum Recorded {
    Sent,
    Retrying,
    Failed,
    Lost,
}

/// Sends one message over the network. No transaction is open here.
async fn send(app: &App, channel: Channel, message: &OutboxMessage) -> Outcome {
    match channel {
        Channel::Email => {
            email::send(app.config().smtp.as_ref(), &message.target, &message.subject, &message.body, &message.id).await
        }
        Channel::DingTalk => {
            dingtalk::send(app.http(), &message.target, &message.secret, &message.payload, &message.id, app.now()).await
        }
        Channel::Webhook => {
            webhook::send(app.http(), &message.target, &message.secret, &message.payload, &message.id, app.now()).await
        }
        Channel::Inbox => Outcome::give_up("an inbox message is not sent over the network".to_string(), String::new()),
    }
}

async fn record(app: &App, worker_id: &str, message: &OutboxMessage, outcome: Outcome) -> Result<Recorded> {
    let now = app.now();
    let (error, response, give_up) = match outcome {
        Outcome::Delivered { response } => {
            let mut tx = app.db().write().await?;
            if !outbox::mark_sent(&mut tx, &message.id, worker_id, &response, now).await? {
                return Ok(lost(message, worker_id));
            }
            subscriptions::after_delivery(&mut tx, &message.id, true, now).await?;
            tx.commit().await?;
            return Ok(Recorded::Sent);
        }
        Outcome::Retry { error, response } => (error, response, message.attempts >= MAX_ATTEMPTS),
        Outcome::GiveUp { error, response } => (error, response, true),
    };
    let next_attempt_at = if give_up { now } else { now + retry_delay_ms(message.attempts) };
    if give_up {
        tracing::error!(id = %message.id, attempts = message.attempts, error, "delivery given up");
    } else {
        tracing::warn!(id = %message.id, attempts = message.attempts, error, "delivery failed; will retry");
    }
    let mut tx = app.db().write().await?;
    if !outbox::mark_failed_attempt(&mut tx, &message.id, worker_id, &error, &response, next_attempt_at, give_up)
        .await?
    {
        return Ok(lost(message, worker_id));
    }
    if give_up {
        subscriptions::after_delivery(&mut tx, &message.id, false, now).await?;
    }
    tx.commit().await?;
    Ok(if give_up { Recorded::Failed } else { Recorded::Retrying })
}

fn lost(message: &OutboxMessage, worker_id: &str) -> Recorded {
    tracing::warn!(id = %message.id, worker_id, "the claim ran out before the outcome was recorded");
    Recorded::Lost
}
