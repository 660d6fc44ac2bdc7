//! Outbound notices: writing them into the durable outbox, and delivering them to the
//! in-app inbox, by e-mail, to DingTalk robots and to generic JSON webhooks.
//!
//! Two halves, never mixed:
//! - **Writing** ([`enqueue_notice`]) runs inside the caller's transaction, so a notice
//!   exists exactly when the change it announces was committed. It renders the wording
//!   ([`render`]) and writes one outbox row per recipient and channel. It does no IO.
//! - **Delivering** ([`deliver_due`]) runs later, from the delivery loop: it claims due
//!   rows, sends each with no transaction open, and records the outcome on the row.
//!
//! This module never decides workflow: which notice goes to whom, and when, is decided
//! by the caller. Whether a notice went out is the outbox row's own state, never the
//! case's.

pub mod deliver;
pub mod dingtalk;
pub mod email;
pub mod subscriptions;
pub mod templates;
pub mod webhook;

use std::time::Duration;

pub use deliver::{DeliveryReport, MAX_ATTEMPTS, deliver_due, retry_delay_ms};
pub use templates::{Rendered, render};

use crate::app::App;
use crate::clock::Millis;
use std::collections::HashMap;

use crate::db::channels::{self, ChannelKind, NotificationChannel, OwnerKind};
use crate::db::message_templates::StoredTemplate;
use crate::db::outbox::{self, Channel, NewMessage};
use crate::db::{self, DbResult, Tx};

/// Sent with every DingTalk and webhook request: the outbox message's id, the same on
/// every retry, so a receiver can drop duplicates.
pub const MESSAGE_ID_HEADER: &str = "X-Minyi-Message-Id";
/// How long one HTTP delivery may take.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(15);
/// How much of a receiver's answer is read and kept on the row.
const MAX_RESPONSE_BYTES: usize = 2000;

/// Who a notice is for. Each resolves to the staff accounts whose in-app inbox receives
/// it and to the owner's active channels (e-mail, DingTalk, webhook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// One staff account.
    User(String),
    /// The handlers of a department (承办单位).
    Department(String),
    /// The office administrators of a region (its 人大办/政协办, which supervises).
    Region(String),
}

impl Audience {
    fn owner(&self) -> (OwnerKind, &str) {
        match self {
            Audience::User(id) => (OwnerKind::User, id),
            Audience::Department(id) => (OwnerKind::Department, id),
            Audience::Region(id) => (OwnerKind::Region, id),
        }
    }
}

/// One notice to write.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    /// The template key, e.g. `assignment_reminder` (see [`templates::DEFAULTS`]).
    pub template: &'a str,
    /// The template's variables, a JSON object. `link` is added from [`Notice::link`].
    pub context: &'a serde_json::Value,
    /// Where the notice points (an absolute URL for e-mail and DingTalk).
    pub link: &'a str,
    /// What makes this notice unique, e.g. `assignment:{id}:reminder:{due_date}`. The same
    /// occasion for the same audience is written once, however often it is enqueued.
    pub occasion: &'a str,
}

/// Writes `notice` for `audience` into the outbox, in the caller's transaction: one
/// inbox message per staff account of the audience and one message per active channel
/// of its owner. Returns how many rows were written; 0 when every one was already there
/// (the same occasion enqueued before, possibly by a racing job runner).
pub async fn enqueue_notice(tx: &mut Tx, audience: &Audience, notice: &Notice<'_>, now: Millis) -> DbResult<usize> {
    let mut notices = Notices::default();
    notices.add(tx, audience, notice, now).await?;
    notices.write(tx, now).await
}

/// Notices gathered for one transaction and written together ([`Notices::write`]): the
/// intake writer's batch of new cases. Within the transaction nothing changes who an
/// owner's accounts and channels are, or a template's stored wording, so each is read
/// once however many notices ask for it.
#[derive(Default)]
pub struct Notices {
    templates: HashMap<String, Option<StoredTemplate>>,
    owners: HashMap<(OwnerKind, String), (Vec<String>, Vec<NotificationChannel>)>,
    messages: Vec<NewMessage>,
}

impl Notices {
    /// Renders `notice` for `audience`: one inbox message per staff account of the
    /// audience and one message per active channel of its owner. Reads, writes nothing;
    /// returns how many messages it made.
    pub async fn add(&mut self, tx: &mut Tx, audience: &Audience, notice: &Notice<'_>, now: Millis) -> DbResult<usize> {
        let (owner_kind, owner_id) = audience.owner();
        let key = (owner_kind, owner_id.to_string());
        if !self.owners.contains_key(&key) {
            let accounts = channels::inbox_recipients(tx, owner_kind, owner_id).await?;
            let active = channels::list_for_owner(tx, owner_kind, owner_id).await?.into_iter().filter(|c| c.active);
            self.owners.insert(key.clone(), (accounts, active.collect()));
        }
        let (accounts, owner_channels) = &self.owners[&key];
        if accounts.is_empty() && owner_channels.is_empty() {
            tracing::debug!(
                template = notice.template,
                ?audience,
                "a notice has no recipient: no account and no channel"
            );
            return Ok(0);
        }
        let mut context = notice.context.clone();
        if let serde_json::Value::Object(map) = &mut context {
            map.entry("link").or_insert_with(|| serde_json::Value::String(notice.link.to_string()));
        }
        if !self.templates.contains_key(notice.template) {
            let stored = db::message_templates::get(tx, notice.template).await?;
            self.templates.insert(notice.template.to_string(), stored);
        }
        let stored = self.templates.get(notice.template).and_then(Option::as_ref);
        let Rendered { subject, body } = templates::render_stored(stored, notice.template, &context);
        let base = NewMessage {
            channel: Channel::Inbox,
            recipient_user_id: None,
            target: String::new(),
            secret: String::new(),
            subject,
            body,
            link: notice.link.to_string(),
            payload: String::new(),
            dedupe_key: String::new(),
        };
        for user_id in accounts {
            self.messages.push(NewMessage {
                recipient_user_id: Some(user_id.clone()),
                dedupe_key: format!("{}|inbox|{user_id}", notice.occasion),
                ..base.clone()
            });
        }
        for channel in owner_channels {
            let dedupe_key = format!("{}|{}|{}", notice.occasion, channel.kind.as_str(), channel.id);
            let (kind, payload) = match channel.kind {
                ChannelKind::Email => (Channel::Email, String::new()),
                ChannelKind::DingTalk => {
                    let text = dingtalk::markdown_text(&base.subject, &base.body);
                    (Channel::DingTalk, dingtalk::markdown_message(&base.subject, &text, &[]).to_string())
                }
                ChannelKind::Webhook => {
                    let payload = serde_json::json!({
                        "event": notice.template,
                        "occasion": notice.occasion,
                        "idempotency_key": dedupe_key,
                        "subject": base.subject,
                        "body": base.body,
                        "link": notice.link,
                        "data": context,
                        "created_at": now,
                    });
                    (Channel::Webhook, payload.to_string())
                }
            };
            self.messages.push(NewMessage {
                channel: kind,
                recipient_user_id: match audience {
                    Audience::User(id) => Some(id.clone()),
                    Audience::Department(_) | Audience::Region(_) => None,
                },
                target: channel.target.clone(),
                secret: channel.secret.clone(),
                payload,
                dedupe_key,
                ..base.clone()
            });
        }
        Ok(accounts.len() + owner_channels.len())
    }

    /// Writes every message gathered; returns how many rows were written (a dedupe key
    /// already there is skipped).
    pub async fn write(self, tx: &mut Tx, now: Millis) -> DbResult<usize> {
        Ok(outbox::enqueue_many(tx, &self.messages, now).await? as usize)
    }
}

/// Makes rustls use the `ring` cryptography (we build without aws-lc). Idempotent:
/// the first call in a process installs it, later calls find it there.
pub fn install_crypto_provider() {
    // An error only says a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The HTTP client for DingTalk robots and webhooks: plain `http://` and `https://`
/// (rustls on ring, the platform's certificate store), a timeout, and no redirects (a
/// webhook that moved must be reconfigured, not followed blindly).
pub fn http_client() -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(HTTP_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("minyi/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTP client's fixed configuration is valid")
}

/// A name for this process's delivery worker, distinct from every other process's.
pub fn worker_id() -> String {
    let id = crate::db::new_id();
    format!("pid{}-{}", std::process::id(), &id[id.len() - 8..])
}

/// How often the delivery loop looks for due messages.
pub const DELIVERY_INTERVAL: Duration = Duration::from_secs(15);
/// How many messages one pass of the loop claims at a time.
pub const DELIVERY_BATCH: i64 = 50;

/// Runs [`deliver_due`] every [`DELIVERY_INTERVAL`] until the task is aborted; a full
/// batch is followed by the next one at once.
pub fn spawn_delivery_loop(app: App) -> tokio::task::JoinHandle<()> {
    let worker_id = worker_id();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(DELIVERY_INTERVAL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            loop {
                match deliver_due(&app, &worker_id, DELIVERY_BATCH).await {
                    Ok(report) if report.claimed as i64 == DELIVERY_BATCH => continue,
                    Ok(_) => break,
                    Err(error) => {
                        tracing::error!(error = %error, "outbox delivery failed");
                        break;
                    }
                }
            }
        }
    })
}

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered {
        response: String,
    },
    /// Failed this time; worth trying again later.
    Retry {
        error: String,
        response: String,
    },
    /// Can never succeed as it stands (a malformed address, say): give up now.
    GiveUp {
        error: String,
        response: String,
    },
}

impl Outcome {
    pub fn delivered(response: String) -> Outcome {
        Outcome::Delivered { response: clip(response) }
    }

    pub fn retry(error: String, response: String) -> Outcome {
        Outcome::Retry { error: clip(error), response: clip(response) }
    }

    pub fn give_up(error: String, response: String) -> Outcome {
        Outcome::GiveUp { error: clip(error), response: clip(response) }
    }
}

/// Sends a request and reads at most [`MAX_RESPONSE_BYTES`] of the answer. The error
/// names no URL (a robot's URL carries its access token).
async fn exchange(request: reqwest::RequestBuilder) -> Result<(u16, String), String> {
    let mut response = request.send().await.map_err(|error| error.without_url().to_string())?;
    let status = response.status().as_u16();
    let mut bytes = Vec::new();
    while bytes.len() < MAX_RESPONSE_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(error) => return Err(error.without_url().to_string()),
        }
    }
    Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
}

/// At most [`MAX_RESPONSE_BYTES`], cut at a character boundary.
fn clip(mut text: String) -> String {
    if text.len() > MAX_RESPONSE_BYTES {
        let mut end = MAX_RESPONSE_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}
