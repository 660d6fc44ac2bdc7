//! The installation's own settings, for the system administrator: the wording of
//! notices and the log of their delivery.

use super::{log, require};
use crate::app::App;
use crate::db::outbox::{DeliveryState, OutboxSummary};
use crate::db::{self, Page, PageRequest};
use crate::domain::Msg;
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::region::RegionPath;
use crate::domain::user::Actor;
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
