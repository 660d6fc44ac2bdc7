//! Managing stations and studios.

use super::{Saved, duplicate, log, parse_with_region, require, require_list};
use crate::app::App;
use crate::clock::Millis;
use crate::db::{self, Page, PageRequest, Tx};
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::unit::{Unit, UnitFields, UnitInput};
use crate::domain::user::Actor;
use crate::error::{Error, Result};

pub fn fields_of(unit: &Unit) -> UnitFields {
    let input = &unit.input;
    let yes_no = |b: bool| if b { "是" } else { "否" }.to_string();
    UnitFields {
        code: input.code.clone(),
        kind: input.kind.as_str().to_string(),
        studio_kind: input.studio_kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        name: input.name.clone(),
        region_code: input.region_code.clone(),
        address: input.address.clone(),
        opening_hours: input.opening_hours.clone(),
        reception_days: input.reception_days.clone(),
        contact_name: input.contact_name.clone(),
        contact_phone: input.contact_phone.clone(),
        service_fields: input.service_fields.join(","),
        sector: input.sector.clone(),
        online: yes_no(input.online),
        active: yes_no(input.active),
    }
}

pub async fn list(app: &App, actor: &Actor, search: &str, page: PageRequest) -> Result<Page<Unit>> {
    list_after(app, actor, search, page, None).await
}

/// A page of [`list`] just after a key (a keyset cursor; the first page without one).
pub async fn list_after(
    app: &App,
    actor: &Actor,
    search: &str,
    page: PageRequest,
    after: Option<&db::ListKey>,
) -> Result<Page<Unit>> {
    let filter = require_list(actor, Resource::Unit)?;
    let mut tx = app.db().read().await?;
    Ok(db::units::list_after(&mut tx, &filter, search, page, after).await?)
}

pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<Unit> {
    let mut tx = app.db().read().await?;
    let unit = db::units::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    require(actor, Action::View, Resource::Unit, &target(&unit))?;
    Ok(unit)
}

pub async fn save(app: &App, actor: &Actor, id: Option<&str>, fields: &UnitFields) -> Result<String> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let (id, _) = save_in(&mut tx, actor, id, fields, now).await?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) async fn import_row(tx: &mut Tx, actor: &Actor, fields: &UnitFields, now: Millis) -> Result<Saved> {
    let existing = db::units::id_by_code(tx, fields.code.trim()).await?;
    let (_, saved) = save_in(tx, actor, existing.as_deref(), fields, now).await?;
    Ok(saved)
}

pub(crate) async fn save_in(
    tx: &mut Tx,
    actor: &Actor,
    id: Option<&str>,
    fields: &UnitFields,
    now: Millis,
) -> Result<(String, Saved)> {
    let existing = match id {
        Some(id) => Some(db::units::get(tx, id).await?.ok_or(Error::NotFound)?),
        None => None,
    };
    // A keeper edits the station's public profile, not what it is or where.
    let fields = match &existing {
        Some(unit) if !actor.role().is_admin() => UnitFields {
            address: fields.address.clone(),
            opening_hours: fields.opening_hours.clone(),
            reception_days: fields.reception_days.clone(),
            contact_name: fields.contact_name.clone(),
            contact_phone: fields.contact_phone.clone(),
            service_fields: fields.service_fields.clone(),
            ..fields_of(unit)
        },
        _ => fields.clone(),
    };
    let (input, region) = parse_with_region(tx, UnitInput::parse(&fields), &fields.region_code).await?;
    let holder = db::units::id_by_code(tx, &input.code).await?;
    match existing {
        None => {
            if holder.is_some() {
                return Err(duplicate("code", &input.code));
            }
            let new_id = db::new_id();
            let target = Target { region_path: &region.path, id: Some(&new_id), unit_ids: &[] };
            require(actor, Action::Create, Resource::Unit, &target)?;
            db::units::insert(tx, &new_id, &input, &region.id, now).await?;
            log(tx, actor, "create", Resource::Unit, &new_id, &input.name, region.path.as_str(), &input.code, now)
                .await?;
            Ok((new_id, Saved::Created))
        }
        Some(unit) => {
            require(actor, Action::Update, Resource::Unit, &target(&unit))?;
            // Moving it elsewhere needs the right to create it there.
            let moved = Target { region_path: &region.path, id: Some(&unit.id), unit_ids: &[] };
            require(actor, Action::Update, Resource::Unit, &moved)?;
            if holder.is_some_and(|h| h != unit.id) {
                return Err(duplicate("code", &input.code));
            }
            db::units::update(tx, &unit.id, &input, &region.id, now).await?;
            log(tx, actor, "update", Resource::Unit, &unit.id, &input.name, region.path.as_str(), &input.code, now)
                .await?;
            Ok((unit.id, Saved::Updated))
        }
    }
}

/// Switches a unit on or off (it is never deleted).
pub async fn set_active(app: &App, actor: &Actor, id: &str, active: bool) -> Result<()> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let unit = db::units::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    require(actor, Action::Deactivate, Resource::Unit, &target(&unit))?;
    let input = UnitInput { active, ..unit.input.clone() };
    db::units::update(&mut tx, id, &input, &unit.region_id, now).await?;
    let action = if active { "activate" } else { "deactivate" };
    log(&mut tx, actor, action, Resource::Unit, id, &unit.input.name, unit.region_path.as_str(), "", now).await?;
    tx.commit().await?;
    Ok(())
}

fn target(unit: &Unit) -> Target<'_> {
    Target { region_path: &unit.region_path, id: Some(&unit.id), unit_ids: &[] }
}
