//! The verbs of minyi: one public function is one use case and one transaction.
//!
//! Pages, the JSON API, the command line and jobs all come through here, so every
//! rule (validation, permission, the admin log) is applied the same way whoever asks.

pub mod accounts;
pub mod api_tokens;
pub mod attachments;
pub mod calendars;
pub mod cases;
pub mod cockpit;
pub mod codes;
pub mod departments;
pub mod export;
pub mod exports;
pub mod import;
pub mod intake;
pub mod meetings;
pub mod open311;
pub mod records;
pub mod regions;
pub mod representatives;
pub mod settings;
pub mod status;
pub mod studios;
pub mod units;
pub mod users;
pub mod webhooks;

use crate::clock::Millis;
use crate::db::{self, Tx};
use crate::domain::permission::{Action, ListFilter, Resource, Target, allowed, list_filter};
use crate::domain::user::Actor;
use crate::error::{Error, Result};

/// What a create-or-update did, for the admin log and import previews.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    Updated,
}

impl Saved {
    pub fn as_str(self) -> &'static str {
        match self {
            Saved::Created => "create",
            Saved::Updated => "update",
        }
    }
}

pub(crate) fn require(actor: &Actor, action: Action, resource: Resource, target: &Target<'_>) -> Result<()> {
    if allowed(actor, action, resource, target) { Ok(()) } else { Err(Error::Forbidden) }
}

pub(crate) fn require_list(actor: &Actor, resource: Resource) -> Result<ListFilter> {
    list_filter(actor, resource).ok_or(Error::Forbidden)
}

/// Appends one line to the admin log, in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn log(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    resource: Resource,
    target_id: &str,
    target_label: &str,
    region_path: &str,
    detail: &str,
    now: Millis,
) -> Result<()> {
    let entry = db::admin_log::NewEntry {
        actor_user_id: Some(actor.user_id()),
        actor_name: actor.username(),
        action,
        resource: resource.as_str(),
        target_id,
        target_label,
        region_path,
        detail,
    };
    db::admin_log::append(tx, &entry, now).await?;
    Ok(())
}

/// Looks up a region by its official code for a record being saved; an unknown
/// code is the user's mistake, named on the field.
pub(crate) async fn region_for(tx: &mut Tx, field: &str, code: &str) -> Result<crate::domain::region::Region> {
    use crate::domain::Msg;
    db::regions::by_code(tx, code.trim())
        .await?
        .ok_or_else(|| Error::invalid(field, Msg::new("err-unknown-region").with("code", code.trim())))
}

/// A parsed record and the region it names, with every problem of both reported
/// together (so an import row lists all that is wrong with it at once).
pub(crate) async fn parse_with_region<T>(
    tx: &mut Tx,
    parsed: std::result::Result<T, Vec<crate::domain::FieldError>>,
    region_code: &str,
) -> Result<(T, crate::domain::region::Region)> {
    use crate::domain::{FieldError, Msg};
    let code = region_code.trim();
    let region = if code.is_empty() { None } else { db::regions::by_code(tx, code).await? };
    let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
    if region.is_none() && !code.is_empty() && !errors.iter().any(|e| e.field == "region_code") {
        errors.push(FieldError::new("region_code", Msg::new("err-unknown-region").with("code", code)));
    }
    match (parsed, region) {
        (Ok(value), Some(region)) if errors.is_empty() => Ok((value, region)),
        _ => Err(Error::Invalid(errors)),
    }
}

/// A code already taken by another record.
pub(crate) fn duplicate(field: &str, code: &str) -> Error {
    Error::invalid(field, crate::domain::Msg::new("err-duplicate").with("code", code))
}
