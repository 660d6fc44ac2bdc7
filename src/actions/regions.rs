//! Managing the region tree.

use super::{Saved, duplicate, log, region_for, require, require_list};
use crate::app::App;
use crate::clock::Millis;
use crate::db::{self, Page, PageRequest, Tx};
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::region::{Region, RegionInput, RegionPath, check_parent_level};
use crate::domain::user::Actor;
use crate::domain::{FieldError, Msg};
use crate::error::{Error, Result};

/// The raw strings of a region, from a form or a spreadsheet row.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RegionFields {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: String,
}

impl RegionFields {
    pub fn of(region: &Region, parent_code: &str) -> RegionFields {
        RegionFields {
            code: region.code.as_str().to_string(),
            name: region.name.clone(),
            level: region.level.as_str().to_string(),
            parent_code: parent_code.to_string(),
        }
    }
}

pub async fn list(app: &App, actor: &Actor, search: &str, page: PageRequest) -> Result<Page<Region>> {
    let filter = require_list(actor, Resource::Region)?;
    if !actor.role().is_admin() {
        return Err(Error::Forbidden);
    }
    let mut tx = app.db().read().await?;
    Ok(db::regions::list(&mut tx, &filter, search, page).await?)
}

/// A page of regions with each one's parent (code, name), read in two queries;
/// with a key, the page just after it (a keyset cursor).
pub async fn list_with_parents(
    app: &App,
    actor: &Actor,
    search: &str,
    page: PageRequest,
    after: Option<&db::ListKey>,
) -> Result<(Page<Region>, std::collections::HashMap<String, (String, String)>)> {
    let filter = require_list(actor, Resource::Region)?;
    if !actor.role().is_admin() {
        return Err(Error::Forbidden);
    }
    let mut tx = app.db().read().await?;
    let regions = db::regions::list_after(&mut tx, &filter, search, page, after).await?;
    let parents = db::regions::parents_on_page_after(&mut tx, &filter, search, page, after).await?;
    Ok((regions, parents))
}

/// A region and its parent's code.
pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<(Region, String)> {
    let mut tx = app.db().read().await?;
    let region = db::regions::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    require(actor, Action::View, Resource::Region, &target(&region.path))?;
    let parent_code = match &region.parent_id {
        Some(parent_id) => db::regions::get(&mut tx, parent_id).await?.map(|p| p.code.as_str().to_string()),
        None => None,
    };
    Ok((region, parent_code.unwrap_or_default()))
}

pub async fn save(app: &App, actor: &Actor, id: Option<&str>, fields: &RegionFields) -> Result<Region> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let (region, _) = save_in(&mut tx, actor, id, fields, now).await?;
    tx.commit().await?;
    Ok(region)
}

/// Creates a region with this code, or updates the one that has it.
pub(crate) async fn import_row(tx: &mut Tx, actor: &Actor, fields: &RegionFields, now: Millis) -> Result<Saved> {
    let existing = db::regions::by_code(tx, fields.code.trim()).await?;
    let (_, saved) = save_in(tx, actor, existing.as_ref().map(|r| r.id.as_str()), fields, now).await?;
    Ok(saved)
}

pub(crate) async fn save_in(
    tx: &mut Tx,
    actor: &Actor,
    id: Option<&str>,
    fields: &RegionFields,
    now: Millis,
) -> Result<(Region, Saved)> {
    let input = RegionInput::parse(&fields.code, &fields.name, &fields.level, &fields.parent_code)?;
    let parent = match &input.parent_code {
        Some(code) => Some(region_for(tx, "parent_code", code.as_str()).await?),
        None => None,
    };
    if let Some(parent) = &parent {
        check_parent_level(parent.level, input.level).map_err(|e| Error::Invalid(vec![e]))?;
    }
    let holder = db::regions::by_code(tx, input.code.as_str()).await?;
    match id {
        None => {
            if holder.is_some() {
                return Err(duplicate("code", input.code.as_str()));
            }
            let new_id = db::new_id();
            let path = match &parent {
                Some(parent) => parent.path.child(&new_id),
                None => RegionPath::root(&new_id),
            };
            require(actor, Action::Create, Resource::Region, &target(&path))?;
            let region =
                db::regions::insert(tx, &new_id, &input.code, &input.name, input.level, parent.as_ref(), now).await?;
            log(
                tx,
                actor,
                "create",
                Resource::Region,
                &region.id,
                &region.name,
                path.as_str(),
                input.code.as_str(),
                now,
            )
            .await?;
            Ok((region, Saved::Created))
        }
        Some(id) => {
            let existing = db::regions::get(tx, id).await?.ok_or(Error::NotFound)?;
            require(actor, Action::Update, Resource::Region, &target(&existing.path))?;
            if holder.is_some_and(|h| h.id != existing.id) {
                return Err(duplicate("code", input.code.as_str()));
            }
            if existing.level != input.level || existing.parent_id != parent.as_ref().map(|p| p.id.clone()) {
                return Err(Error::Invalid(vec![FieldError::new("parent_code", Msg::new("err-region-move"))]));
            }
            db::regions::update(tx, id, &input.code, &input.name, now).await?;
            log(
                tx,
                actor,
                "update",
                Resource::Region,
                id,
                &input.name,
                existing.path.as_str(),
                input.code.as_str(),
                now,
            )
            .await?;
            let region = Region { code: input.code, name: input.name, ..existing };
            Ok((region, Saved::Updated))
        }
    }
}

pub async fn set_active(app: &App, actor: &Actor, id: &str, active: bool) -> Result<()> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let region = db::regions::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    require(actor, Action::Deactivate, Resource::Region, &target(&region.path))?;
    db::regions::set_active(&mut tx, id, active, now).await?;
    let action = if active { "activate" } else { "deactivate" };
    log(&mut tx, actor, action, Resource::Region, id, &region.name, region.path.as_str(), "", now).await?;
    tx.commit().await?;
    Ok(())
}

fn target(path: &RegionPath) -> Target<'_> {
    Target { region_path: path, id: None, unit_ids: &[] }
}
