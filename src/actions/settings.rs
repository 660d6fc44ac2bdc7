//! The installation's own settings, for the system administrator: the wording of
//! notices and the log of their delivery.

use super::{log, require};
use crate::app::App;
use crate::db::channels::{ChannelKind, OwnerKind};
use crate::db::outbox::{DeliveryState, OutboxSummary};
use crate::db::{self, Page, PageRequest};
use crate::domain::deadline::DeadlinePolicy;
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::region::RegionPath;
use crate::domain::user::Actor;
use crate::domain::{FieldError, Msg};
use crate::error::{Error, Result};
use crate::notify::templates::{self, DEFAULTS};

fn require_settings(actor: &Actor, action: Action) -> Result<()> {
    let root = RegionPath::from_stored("/".to_string());
    require(actor, action, Resource::Setting, &Target { region_path: &root, id: None, unit_ids: &[] })
}

/// One notice's wording as the editing page shows it.
#[derive(Debug, Clone)]
pub struct TemplateView {
    pub key: &'static str,
    pub description: &'static str,
    pub variables: &'static [&'static str],
    pub subject: String,
    pub body: String,
    /// An administrator's wording replaces the built-in one.
    pub overridden: bool,
}

pub async fn templates(app: &App, actor: &Actor) -> Result<Vec<TemplateView>> {
    require_settings(actor, Action::View)?;
    let mut tx = app.db().read().await?;
    let stored = db::message_templates::list(&mut tx).await?;
    Ok(DEFAULTS
        .iter()
        .map(|default| {
            let custom = stored.iter().find(|s| s.key == default.key);
            TemplateView {
                key: default.key,
                description: default.description,
                variables: default.variables,
                subject: custom.map(|c| c.subject.clone()).unwrap_or_else(|| default.subject.to_string()),
                body: custom.map(|c| c.body.clone()).unwrap_or_else(|| default.body.to_string()),
                overridden: custom.is_some(),
            }
        })
        .collect())
}

/// Saves an administrator's wording once it renders with the key's variables.
pub async fn save_template(app: &App, actor: &Actor, key: &str, subject: &str, body: &str) -> Result<()> {
    require_settings(actor, Action::Update)?;
    let default = templates::default_template(key).ok_or(Error::NotFound)?;
    templates::check(key, subject, body)
        .map_err(|problem| Error::invalid("body", Msg::new("err-template").with("problem", problem)))?;
    let now = app.now();
    let mut tx = app.db().write().await?;
    db::message_templates::save(&mut tx, key, subject, body, now, actor.username()).await?;
    log(&mut tx, actor, "update", Resource::Setting, key, default.description, "/", subject, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Goes back to the built-in wording (the replaced text stays in the admin log).
pub async fn reset_template(app: &App, actor: &Actor, key: &str) -> Result<()> {
    require_settings(actor, Action::Update)?;
    let default = templates::default_template(key).ok_or(Error::NotFound)?;
    let now = app.now();
    let mut tx = app.db().write().await?;
    let old = db::message_templates::get(&mut tx, key).await?;
    if db::message_templates::remove(&mut tx, key).await? {
        let detail = old.map(|o| format!("{}\n{}", o.subject, o.body)).unwrap_or_default();
        log(&mut tx, actor, "reset_template", Resource::Setting, key, default.description, "/", &detail, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The delivery log: every notice, its channel, its state and the receiver's answer.
pub async fn deliveries(app: &App, actor: &Actor, state: &str, page: PageRequest) -> Result<Page<OutboxSummary>> {
    require_settings(actor, Action::View)?;
    let state = if state.is_empty() { None } else { Some(DeliveryState::parse(state).ok_or(Error::NotFound)?) };
    let mut tx = app.db().read().await?;
    Ok(db::outbox::list(&mut tx, state, page).await?)
}

/// A notification channel as the settings page shows it (never its secret).
#[derive(Debug, Clone)]
pub struct ChannelView {
    pub id: String,
    pub owner_kind: &'static str,
    pub owner_label: String,
    pub kind: &'static str,
    pub target: String,
    pub signed: bool,
    pub active: bool,
}

pub async fn channels(app: &App, actor: &Actor) -> Result<Vec<ChannelView>> {
    require_settings(actor, Action::View)?;
    let mut tx = app.db().read().await?;
    let mut out = Vec::new();
    for channel in db::channels::list_all(&mut tx).await? {
        let owner_label = match channel.owner_kind {
            OwnerKind::Department => db::departments::get(&mut tx, &channel.owner_id).await?.map(|d| d.input.name),
            OwnerKind::Region => db::regions::get(&mut tx, &channel.owner_id).await?.map(|r| r.name),
            OwnerKind::User => db::users::get(&mut tx, &channel.owner_id).await?.map(|u| u.display_name),
        };
        out.push(ChannelView {
            owner_label: owner_label.unwrap_or_default(),
            owner_kind: channel.owner_kind.as_str(),
            kind: channel.kind.as_str(),
            // A robot's URL carries its access token: show only where it goes.
            target: channel.target.split('?').next().unwrap_or_default().to_string(),
            signed: !channel.secret.is_empty(),
            active: channel.active,
            id: channel.id,
        });
    }
    Ok(out)
}

/// The raw strings of a new channel.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ChannelFields {
    /// `department`, `region` or `user`.
    pub owner_kind: String,
    /// The department's or region's code, or the username.
    pub owner_code: String,
    /// `email`, `dingtalk` or `webhook`.
    pub kind: String,
    pub target: String,
    pub secret: String,
}

pub async fn add_channel(app: &App, actor: &Actor, fields: &ChannelFields) -> Result<String> {
    require_settings(actor, Action::Create)?;
    let mut errors = Vec::new();
    let owner_kind = OwnerKind::parse(fields.owner_kind.trim());
    let kind = ChannelKind::parse(fields.kind.trim());
    if owner_kind.is_none() {
        errors.push(FieldError::new("owner_kind", Msg::new("err-channel-owner")));
    }
    let target = fields.target.trim();
    let target_ok = match kind {
        Some(ChannelKind::Email) => {
            target.contains('@') && !target.contains(char::is_whitespace) && target.len() <= 254
        }
        Some(ChannelKind::DingTalk | ChannelKind::Webhook) => {
            (target.starts_with("https://") || target.starts_with("http://")) && target.len() <= 2000
        }
        None => {
            errors.push(FieldError::new("kind", Msg::new("err-channel-kind")));
            true
        }
    };
    if !target_ok {
        errors.push(FieldError::new("target", Msg::new("err-channel-target")));
    }
    let now = app.now();
    let mut tx = app.db().write().await?;
    let code = fields.owner_code.trim();
    let owner_id = match owner_kind {
        Some(OwnerKind::Department) => db::departments::id_by_code(&mut tx, code).await?,
        Some(OwnerKind::Region) => db::regions::by_code(&mut tx, code).await?.map(|r| r.id),
        Some(OwnerKind::User) => db::users::id_by_username(&mut tx, &code.to_lowercase()).await?,
        None => None,
    };
    if owner_kind.is_some() && owner_id.is_none() {
        errors.push(FieldError::new("owner_code", Msg::new("err-unknown-scope").with("code", code)));
    }
    let (Some(owner_kind), Some(kind), Some(owner_id)) = (owner_kind, kind, owner_id) else {
        return Err(Error::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let id = db::channels::insert(&mut tx, owner_kind, &owner_id, kind, target, fields.secret.trim(), now).await?;
    let label = format!("{} {}", kind.as_str(), code);
    log(
        &mut tx,
        actor,
        "create",
        Resource::Setting,
        &id,
        &label,
        "/",
        target.split('?').next().unwrap_or_default(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn set_channel_active(app: &App, actor: &Actor, id: &str, active: bool) -> Result<()> {
    require_settings(actor, Action::Deactivate)?;
    let now = app.now();
    let mut tx = app.db().write().await?;
    if !db::channels::set_active(&mut tx, id, active, now).await? {
        return Err(Error::NotFound);
    }
    let action = if active { "activate" } else { "deactivate" };
    log(&mut tx, actor, action, Resource::Setting, id, "channel", "/", "", now).await?;
    tx.commit().await?;
    Ok(())
}

const POLICY_KEY: &str = "deadline_policy";

/// Puts the stored deadline policy in force (the defaults when none is stored).
pub async fn load_policy(app: &App) -> Result<()> {
    let mut tx = app.db().read().await?;
    if let Some(text) = db::settings::get(&mut tx, POLICY_KEY).await? {
        match serde_json::from_str::<DeadlinePolicy>(&text) {
            Ok(policy) => app.replace_policy(policy),
            Err(error) => tracing::error!(error = %error, "the stored deadline policy does not parse; defaults used"),
        }
    }
    Ok(())
}

/// The raw numbers of the deadline policy form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PolicyFields {
    pub acknowledge_days: String,
    pub answer_days: String,
    pub studio_answer_days: String,
    pub assignment_days: String,
    pub rating_window_days: String,
    pub remind_before_days: String,
    pub escalate_after_days: String,
}

/// Checks and stores a new deadline policy, and puts it in force for new deadlines
/// (deadlines already set keep their dates).
pub async fn save_policy(app: &App, actor: &Actor, fields: &PolicyFields) -> Result<DeadlinePolicy> {
    require_settings(actor, Action::Update)?;
    let mut errors = Vec::new();
    let mut number = |field: &str, raw: &str, min: u32, max: u32| match raw.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            errors.push(FieldError::new(field, Msg::new("err-days").with("min", min).with("max", max)));
            0
        }
    };
    let policy = DeadlinePolicy {
        acknowledge_days: number("acknowledge_days", &fields.acknowledge_days, 1, 30),
        answer_days: number("answer_days", &fields.answer_days, 1, 90),
        studio_answer_days: number("studio_answer_days", &fields.studio_answer_days, 1, 30),
        assignment_days: number("assignment_days", &fields.assignment_days, 1, 90),
        rating_window_days: number("rating_window_days", &fields.rating_window_days, 1, 60),
        remind_before_days: number("remind_before_days", &fields.remind_before_days, 0, 10),
        escalate_after_days: number("escalate_after_days", &fields.escalate_after_days, 1, 30),
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let text = serde_json::to_string(&policy).map_err(|e| Error::Internal(e.into()))?;
    let now = app.now();
    let mut tx = app.db().write().await?;
    db::settings::set(&mut tx, POLICY_KEY, &text).await?;
    log(&mut tx, actor, "update", Resource::Setting, POLICY_KEY, "deadline policy", "/", &text, now).await?;
    tx.commit().await?;
    app.replace_policy(policy.clone());
    Ok(policy)
}
