//! Integrators' webhook subscriptions to case events, managed by the system
//! administrator: create, list, pause, resume, switch off (never deleted), and each
//! subscription's delivery log. Every change is in the admin log.

use super::{log, region_for, require};
use crate::app::App;
use crate::db::outbox::OutboxSummary;
use crate::db::webhooks::{NewSubscription, Subscription};
use crate::db::{self, Tx};
use crate::domain::fields::{optional_text, required_text};
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::region::RegionPath;
use crate::domain::user::Actor;
use crate::domain::workflow::MoveKind;
use crate::domain::{FieldError, Msg};
use crate::error::{Error, Result};

/// How many deliveries a subscription's log shows.
pub const DELIVERY_LOG_LENGTH: i64 = 100;
/// The shortest secret accepted: it is the HMAC key the receiver checks with.
pub const MIN_SECRET_CHARS: usize = 16;

/// What an administrator sends to subscribe. Filters are codes; empty means "all".
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SubscriptionFields {
    pub name: String,
    pub url: String,
    pub secret: String,
    pub region_code: String,
    pub unit_code: String,
    pub department_code: String,
    /// A comma list of event kinds (`submit`, `forward`, `answer`…).
    pub event_types: String,
}

/// What an administrator asks of a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    Pause,
    Resume,
    Deactivate,
}

impl Switch {
    pub fn parse(raw: &str) -> Option<Switch> {
        match raw {
            "pause" => Some(Switch::Pause),
            "resume" => Some(Switch::Resume),
            "deactivate" => Some(Switch::Deactivate),
            _ => None,
        }
    }

    fn state(self) -> &'static str {
        match self {
            Switch::Pause => "paused",
            Switch::Resume => "active",
            Switch::Deactivate => "inactive",
        }
    }
}

fn require_admin(actor: &Actor, action: Action) -> Result<()> {
    let root = RegionPath::from_stored("/".to_string());
    require(actor, action, Resource::Setting, &Target { region_path: &root, id: None, unit_ids: &[] })
}

/// Every event kind a subscription may name.
pub fn event_kinds() -> Vec<&'static str> {
    std::iter::once("submit").chain(MoveKind::ALL.iter().map(|k| k.as_str())).collect()
}

/// Subscribes `fields.url` to case events; the caller becomes its owner.
pub async fn create(app: &App, actor: &Actor, fields: &SubscriptionFields) -> Result<Subscription> {
    require_admin(actor, Action::Create)?;
    let mut errors = Vec::new();
    let name = required_text("name", &fields.name, 100).map_err(|e| errors.push(e)).unwrap_or_default();
    let url = required_text("url", &fields.url, 500).map_err(|e| errors.push(e)).unwrap_or_default();
    let web_address = url.starts_with("http://") || url.starts_with("https://");
    if !url.is_empty() && (!web_address || reqwest::Url::parse(&url).is_err()) {
        errors.push(FieldError::new("url", Msg::new("err-webhook-url")));
    }
    let secret = fields.secret.trim().to_string();
    if secret.chars().count() < MIN_SECRET_CHARS {
        errors.push(FieldError::new("secret", Msg::new("err-password-short").with("min", MIN_SECRET_CHARS as i64)));
    }
    let kinds = optional_text("event_types", &fields.event_types, 500).map_err(|e| errors.push(e)).unwrap_or_default();
    let known = event_kinds();
    let kinds: Vec<&str> = kinds.split(',').map(str::trim).filter(|k| !k.is_empty()).collect();
    if let Some(unknown) = kinds.iter().find(|k| !known.contains(k)) {
        errors.push(FieldError::new("event_types", Msg::new("err-webhook-event").with("kind", *unknown)));
    }
    let event_types = kinds.join(",");
    let now = app.now();
    let mut tx = app.db().write().await?;
    let (region_id, region_path) = match fields.region_code.trim() {
        "" => (String::new(), String::new()),
        code => match region_for(&mut tx, "region_code", code).await {
            Ok(region) => (region.id.clone(), region.path.as_str().to_string()),
            Err(Error::Invalid(mut more)) => {
                errors.append(&mut more);
                (String::new(), String::new())
            }
            Err(other) => return Err(other),
        },
    };
    let unit_id = match fields.unit_code.trim() {
        "" => String::new(),
        code => db::units::id_by_code(&mut tx, code).await?.unwrap_or_else(|| {
            errors.push(FieldError::new("unit_code", Msg::new("err-unknown-unit").with("code", code)));
            String::new()
        }),
    };
    let department_id = match fields.department_code.trim() {
        "" => String::new(),
        code => db::departments::id_by_code(&mut tx, code).await?.unwrap_or_else(|| {
            errors.push(FieldError::new("department_code", Msg::new("err-unknown-department")));
            String::new()
        }),
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let new = NewSubscription {
        name: &name,
        url: &url,
        secret: &secret,
        region_id: &region_id,
        region_path: &region_path,
        unit_id: &unit_id,
        department_id: &department_id,
        event_types: &event_types,
        owner_user_id: actor.user_id(),
    };
    let id = db::webhooks::insert(&mut tx, &new, now).await?;
    log(&mut tx, actor, "create_webhook", Resource::Setting, &id, &name, "/", &url, now).await?;
    let subscription = db::webhooks::get(&mut tx, &id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(subscription)
}

/// Every subscription, newest first.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<Subscription>> {
    require_admin(actor, Action::View)?;
    let mut tx = app.db().read().await?;
    Ok(db::webhooks::list(&mut tx).await?)
}

/// One subscription and its latest deliveries, newest first.
pub async fn deliveries(app: &App, actor: &Actor, id: &str) -> Result<(Subscription, Vec<OutboxSummary>)> {
    require_admin(actor, Action::View)?;
    let mut tx = app.db().read().await?;
    let subscription = db::webhooks::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let log = db::webhooks::deliveries(&mut tx, id, DELIVERY_LOG_LENGTH).await?;
    Ok((subscription, log))
}

/// Pauses, resumes or switches off a subscription. A switched-off one stays off.
pub async fn switch(app: &App, actor: &Actor, id: &str, to: Switch) -> Result<Subscription> {
    require_admin(actor, if to == Switch::Deactivate { Action::Deactivate } else { Action::Update })?;
    let now = app.now();
    let mut tx = app.db().write().await?;
    let subscription = db::webhooks::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if subscription.state == "inactive" && to != Switch::Deactivate {
        return Err(Error::Conflict(Msg::new("err-webhook-inactive")));
    }
    if db::webhooks::set_state(&mut tx, id, to.state(), now).await? {
        let action = format!("{}_webhook", to.state());
        log(&mut tx, actor, &action, Resource::Setting, id, &subscription.name, "/", &subscription.url, now).await?;
    }
    let subscription = fetch(&mut tx, id).await?;
    tx.commit().await?;
    Ok(subscription)
}

async fn fetch(tx: &mut Tx, id: &str) -> Result<Subscription> {
    db::webhooks::get(tx, id).await?.ok_or(Error::NotFound)
}
