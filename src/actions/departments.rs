//! Managing departments (承办单位).

use super::{Saved, duplicate, log, parse_with_region, require, require_list};
use crate::app::App;
use crate::clock::Millis;
use crate::db::{self, Page, PageRequest, Tx};
use crate::domain::department::{Department, DepartmentFields, DepartmentInput};
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::user::Actor;
use crate::error::{Error, Result};

pub fn fields_of(dept: &Department) -> DepartmentFields {
    let input = &dept.input;
    DepartmentFields {
        code: input.code.clone(),
        name: input.name.clone(),
        region_code: input.region_code.clone(),
        fields: input.fields.join(","),
        supervising_office: input.supervising_office.clone(),
        contact_phone: input.contact_phone.clone(),
        active: if input.active { "是" } else { "否" }.to_string(),
    }
}

pub async fn list(app: &App, actor: &Actor, search: &str, page: PageRequest) -> Result<Page<Department>> {
    list_after(app, actor, search, page, None).await
}

/// A page of [`list`] just after a key (a keyset cursor; the first page without one).
pub async fn list_after(
    app: &App,
    actor: &Actor,
    search: &str,
    page: PageRequest,
    after: Option<&db::ListKey>,
) -> Result<Page<Department>> {
    let filter = require_list(actor, Resource::Department)?;
    let mut tx = app.db().read().await?;
    Ok(db::departments::list_after(&mut tx, &filter, search, page, after).await?)
}

pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<Department> {
    let mut tx = app.db().read().await?;
    let dept = db::departments::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    require(actor, Action::View, Resource::Department, &target(&dept))?;
    Ok(dept)
}

pub async fn save(app: &App, actor: &Actor, id: Option<&str>, fields: &DepartmentFields) -> Result<String> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let (id, _) = save_in(&mut tx, actor, id, fields, now).await?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) async fn import_row(tx: &mut Tx, actor: &Actor, fields: &DepartmentFields, now: Millis) -> Result<Saved> {
    let existing = db::departments::id_by_code(tx, fields.code.trim()).await?;
    let (_, saved) = save_in(tx, actor, existing.as_deref(), fields, now).await?;
    Ok(saved)
}

pub(crate) async fn save_in(
    tx: &mut Tx,
    actor: &Actor,
    id: Option<&str>,
    fields: &DepartmentFields,
    now: Millis,
) -> Result<(String, Saved)> {
    let existing = match id {
        Some(id) => Some(db::departments::get(tx, id).await?.ok_or(Error::NotFound)?),
        None => None,
    };
    // A handler keeps the department's contact details current, nothing more.
    let fields = match &existing {
        Some(dept) if !actor.role().is_admin() => {
            DepartmentFields { contact_phone: fields.contact_phone.clone(), ..fields_of(dept) }
        }
        _ => fields.clone(),
    };
    let (input, region) = parse_with_region(tx, DepartmentInput::parse(&fields), &fields.region_code).await?;
    let holder = db::departments::id_by_code(tx, &input.code).await?;
    match existing {
        None => {
            if holder.is_some() {
                return Err(duplicate("code", &input.code));
            }
            let new_id = db::new_id();
            let target = Target { region_path: &region.path, id: Some(&new_id), unit_ids: &[] };
            require(actor, Action::Create, Resource::Department, &target)?;
            db::departments::insert(tx, &new_id, &input, &region.id, now).await?;
            let path = region.path.as_str();
            log(tx, actor, "create", Resource::Department, &new_id, &input.name, path, &input.code, now).await?;
            Ok((new_id, Saved::Created))
        }
        Some(dept) => {
            require(actor, Action::Update, Resource::Department, &target(&dept))?;
            let moved = Target { region_path: &region.path, id: Some(&dept.id), unit_ids: &[] };
            require(actor, Action::Update, Resource::Department, &moved)?;
            if holder.is_some_and(|h| h != dept.id) {
                return Err(duplicate("code", &input.code));
            }
            db::departments::update(tx, &dept.id, &input, &region.id, now).await?;
            let path = region.path.as_str();
            log(tx, actor, "update", Resource::Department, &dept.id, &input.name, path, &input.code, now).await?;
            Ok((dept.id, Saved::Updated))
        }
    }
}

pub async fn set_active(app: &App, actor: &Actor, id: &str, active: bool) -> Result<()> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let dept = db::departments::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    require(actor, Action::Deactivate, Resource::Department, &target(&dept))?;
    let input = DepartmentInput { active, ..dept.input.clone() };
    db::departments::update(&mut tx, id, &input, &dept.region_id, now).await?;
    let action = if active { "activate" } else { "deactivate" };
    let path = dept.region_path.as_str();
    log(&mut tx, actor, action, Resource::Department, id, &dept.input.name, path, "", now).await?;
    tx.commit().await?;
    Ok(())
}

fn target(dept: &Department) -> Target<'_> {
    Target { region_path: &dept.region_path, id: Some(&dept.id), unit_ids: &[] }
}
