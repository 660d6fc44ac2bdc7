//! Meetings of stations and studios (督政议事 · 民生议事堂): a keeper, or an office
//! over the unit, plans one, changes it, marks it held, or cancels it (asked first,
//! and logged); the public sees the planned ones on the unit's page and by its code.

use super::{log, require, require_list};
use crate::app::App;
use crate::clock::Millis;
use crate::db::{self, Page, PageRequest, Tx};
use crate::domain::meeting::{Meeting, MeetingFields, MeetingInput, MeetingState};
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::user::{Actor, Scope};
use crate::domain::{FieldError, Msg};
use crate::error::{Error, Result};

/// At most this many upcoming meetings on a unit's public page.
pub const UPCOMING_LIMIT: i64 = 5;

pub fn fields_of(meeting: &Meeting) -> MeetingFields {
    meeting.input.fields()
}

pub async fn list(app: &App, actor: &Actor, search: &str, page: PageRequest) -> Result<Page<Meeting>> {
    let filter = require_list(actor, Resource::Meeting)?;
    let mut tx = app.db().read().await?;
    Ok(db::meetings::list(&mut tx, &filter, search, page).await?)
}

pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<Meeting> {
    let mut tx = app.db().read().await?;
    let meeting = db::meetings::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let units = [meeting.unit_id.clone()];
    require(actor, Action::View, Resource::Meeting, &target(&meeting, &units))?;
    Ok(meeting)
}

/// Creates (no id) or changes a meeting; returns its id. A keeper who leaves the unit
/// empty means their own station. Cancelling is not done here but by [`set_active`],
/// after the question; a cancelled meeting stays cancelled when edited.
pub async fn save(app: &App, actor: &Actor, id: Option<&str>, fields: &MeetingFields) -> Result<String> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let id = save_in(&mut tx, actor, id, fields, now).await?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) async fn save_in(
    tx: &mut Tx,
    actor: &Actor,
    id: Option<&str>,
    fields: &MeetingFields,
    now: Millis,
) -> Result<String> {
    let existing = match id {
        Some(id) => Some(db::meetings::get(tx, id).await?.ok_or(Error::NotFound)?),
        None => None,
    };
    // Left empty, the unit stays what it was, or is a keeper's own.
    let mut fields = fields.clone();
    if fields.unit_code.trim().is_empty() {
        if let Some(meeting) = &existing {
            fields.unit_code = meeting.input.unit_code.clone();
        } else if let Scope::Unit { unit_id, .. } = actor.scope()
            && let Some(unit) = db::units::get(tx, unit_id).await?
        {
            fields.unit_code = unit.input.code;
        }
    }
    let parsed = MeetingInput::parse(&fields);
    let unit = match fields.unit_code.trim() {
        "" => None,
        code => match db::units::id_by_code(tx, code).await? {
            Some(unit_id) => db::units::get(tx, &unit_id).await?,
            None => None,
        },
    };
    let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
    if unit.is_none() && !fields.unit_code.trim().is_empty() {
        errors.push(FieldError::new("unit_code", Msg::new("err-unknown-unit").with("code", fields.unit_code.trim())));
    }
    let was_cancelled = existing.as_ref().is_some_and(|m| m.input.state.is_cancelled());
    if let Ok(input) = &parsed
        && input.state.is_cancelled()
        && !was_cancelled
    {
        errors.push(FieldError::new("state", Msg::new("err-meeting-cancel-button")));
    }
    let (mut input, unit) = match (parsed, unit) {
        (Ok(input), Some(unit)) if errors.is_empty() => (input, unit),
        _ => return Err(Error::Invalid(errors)),
    };
    if was_cancelled {
        input.state = MeetingState::Cancelled;
    }
    let units = [unit.id.clone()];
    let place = Target { region_path: &unit.region_path, id: None, unit_ids: &units };
    let label = input.title.clone();
    let detail = crate::domain::meeting::format_start(input.starts_at);
    let id = match existing {
        None => {
            require(actor, Action::Create, Resource::Meeting, &place)?;
            let new_id = db::new_id();
            db::meetings::insert(tx, &new_id, &input, &unit.id, now).await?;
            log(tx, actor, "create", Resource::Meeting, &new_id, &label, unit.region_path.as_str(), &detail, now)
                .await?;
            new_id
        }
        Some(meeting) => {
            let before = [meeting.unit_id.clone()];
            require(actor, Action::Update, Resource::Meeting, &target(&meeting, &before))?;
            // Moving it to another unit needs the right to plan it there.
            require(actor, Action::Update, Resource::Meeting, &place)?;
            db::meetings::update(tx, &meeting.id, &input, &unit.id, now).await?;
            log(tx, actor, "update", Resource::Meeting, &meeting.id, &label, unit.region_path.as_str(), &detail, now)
                .await?;
            meeting.id
        }
    };
    Ok(id)
}

/// Cancels a meeting (`active = false`) or takes the cancellation back, as planned.
/// Nothing is deleted; the admin log records who did it.
pub async fn set_active(app: &App, actor: &Actor, id: &str, active: bool) -> Result<()> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let meeting = db::meetings::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let units = [meeting.unit_id.clone()];
    require(actor, Action::Deactivate, Resource::Meeting, &target(&meeting, &units))?;
    if meeting.input.state.is_cancelled() != active {
        return Ok(());
    }
    db::meetings::set_cancelled(&mut tx, id, !active, now).await?;
    let action = if active { "restore" } else { "cancel" };
    log(&mut tx, actor, action, Resource::Meeting, id, &meeting.input.title, meeting.region_path.as_str(), "", now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks a planned meeting held, with how many citizens came and who received them
/// (both may be left empty): the list's one-line form, and the API's. Held stays held;
/// a cancelled meeting must be restored first.
pub async fn mark_held(app: &App, actor: &Actor, id: &str, citizens: &str, representatives: &str) -> Result<()> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let meeting = db::meetings::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let units = [meeting.unit_id.clone()];
    require(actor, Action::Update, Resource::Meeting, &target(&meeting, &units))?;
    if meeting.input.state.is_cancelled() {
        return Err(Error::Conflict(Msg::new("err-meeting-held-cancelled")));
    }
    let mut fields = meeting.input.fields();
    fields.state = MeetingState::Held.as_str().to_string();
    if !citizens.trim().is_empty() {
        fields.citizens = citizens.to_string();
    }
    if !representatives.trim().is_empty() {
        fields.representatives = representatives.to_string();
    }
    let input = MeetingInput::parse(&fields).map_err(Error::Invalid)?;
    db::meetings::update(&mut tx, id, &input, &meeting.unit_id, now).await?;
    let detail = crate::domain::meeting::format_start(input.starts_at);
    log(&mut tx, actor, "held", Resource::Meeting, id, &input.title, meeting.region_path.as_str(), &detail, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

fn target<'a>(meeting: &'a Meeting, units: &'a [String]) -> Target<'a> {
    Target { region_path: &meeting.region_path, id: Some(&meeting.id), unit_ids: units }
}
