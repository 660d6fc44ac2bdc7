//! One door to the five kinds of people and places (and meetings), for callers (the admin pages,
//! exports) that treat them alike: rows of field → value, named by [`Resource`].

use std::collections::BTreeMap;

use crate::app::App;
use crate::db::{self, PageRequest};
use crate::domain::permission::Resource;
use crate::domain::user::Actor;
use crate::error::{Error, Result};

pub type Fields = BTreeMap<String, String>;

/// One record as a list or a form shows it.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub fields: Fields,
    pub active: bool,
    /// Where it sits, for the list ("温岭市 › 太平街道").
    pub region_name: String,
}

pub fn to_fields<T: serde::Serialize>(value: &T) -> Result<Fields> {
    let json = serde_json::to_value(value).map_err(|e| Error::Internal(e.into()))?;
    serde_json::from_value(json).map_err(|e| Error::Internal(e.into()))
}

pub fn from_fields<T: serde::de::DeserializeOwned>(fields: &Fields) -> Result<T> {
    let json = serde_json::to_value(fields).map_err(|e| Error::Internal(e.into()))?;
    serde_json::from_value(json).map_err(|e| Error::Internal(e.into()))
}

/// A page of records in the actor's scope, matching `search`.
pub async fn list(
    app: &App,
    actor: &Actor,
    resource: Resource,
    search: &str,
    page: PageRequest,
) -> Result<(Vec<Record>, i64)> {
    list_after(app, actor, resource, search, page, None).await
}

/// A record's place in its list (the columns the list sorts by, then its id), for
/// a keyset cursor.
pub fn key_of(resource: Resource, record: &Record) -> db::ListKey {
    let field = |name: &str| record.fields.get(name).cloned().unwrap_or_default();
    let (first, second) = match resource {
        Resource::Unit | Resource::Department => (field("region_code"), field("code")),
        Resource::User => (field("username"), String::new()),
        Resource::Region | Resource::Representative | Resource::AdminLog | Resource::Setting | Resource::Meeting => {
            (field("code"), String::new())
        }
    };
    db::ListKey { first, second, id: record.id.clone() }
}

/// A page of [`list`] just after a key (a keyset cursor; the first page without one).
pub async fn list_after(
    app: &App,
    actor: &Actor,
    resource: Resource,
    search: &str,
    page: PageRequest,
    after: Option<&db::ListKey>,
) -> Result<(Vec<Record>, i64)> {
    use super::*;
    Ok(match resource {
        Resource::Region => {
            let (list, parents) = regions::list_with_parents(app, actor, search, page, after).await?;
            let mut records = Vec::new();
            for region in list.items {
                let (parent_code, parent_name) = parents.get(&region.id).cloned().unwrap_or_default();
                records.push(Record {
                    fields: to_fields(&regions::RegionFields::of(&region, &parent_code))?,
                    region_name: parent_name,
                    active: region.active,
                    id: region.id,
                });
            }
            (records, list.total)
        }
        Resource::Unit => {
            let list = units::list_after(app, actor, search, page, after).await?;
            let records = list
                .items
                .into_iter()
                .map(|u| {
                    let fields = to_fields(&units::fields_of(&u))?;
                    Ok(Record { active: u.input.active, region_name: u.region_name, id: u.id, fields })
                })
                .collect::<Result<_>>()?;
            (records, list.total)
        }
        Resource::Representative => {
            let list = representatives::list_after(app, actor, search, page, after).await?;
            let records = list
                .items
                .into_iter()
                .map(|r| {
                    let fields = to_fields(&representatives::fields_of(&r))?;
                    Ok(Record { active: r.input.active, region_name: r.region_name, id: r.id, fields })
                })
                .collect::<Result<_>>()?;
            (records, list.total)
        }
        Resource::Department => {
            let list = departments::list_after(app, actor, search, page, after).await?;
            let records = list
                .items
                .into_iter()
                .map(|d| {
                    let fields = to_fields(&departments::fields_of(&d))?;
                    Ok(Record { active: d.input.active, region_name: d.region_name, id: d.id, fields })
                })
                .collect::<Result<_>>()?;
            (records, list.total)
        }
        Resource::User => {
            let list = users::list_after(app, actor, search, page, after).await?;
            let records = list
                .items
                .into_iter()
                .map(|a| {
                    let fields = to_fields(&users::fields_of(&a))?;
                    Ok(Record { active: a.active, region_name: a.scope_name, id: a.id, fields })
                })
                .collect::<Result<_>>()?;
            (records, list.total)
        }
        Resource::Meeting => {
            let list = meetings::list(app, actor, search, page).await?;
            let records = list.items.iter().map(meeting_record).collect::<Result<_>>()?;
            (records, list.total)
        }
        Resource::AdminLog | Resource::Setting => return Err(Error::NotFound),
    })
}

/// A meeting as a record: "active" while it is not cancelled, and the unit holding it
/// where other records name their region.
fn meeting_record(meeting: &crate::domain::meeting::Meeting) -> Result<Record> {
    Ok(Record {
        id: meeting.id.clone(),
        fields: to_fields(&super::meetings::fields_of(meeting))?,
        active: !meeting.input.state.is_cancelled(),
        region_name: meeting.unit_name.clone(),
    })
}

/// One record's fields, if the actor may see it.
pub async fn get(app: &App, actor: &Actor, resource: Resource, id: &str) -> Result<Record> {
    use super::*;
    Ok(match resource {
        Resource::Region => {
            let (region, parent_code) = regions::get(app, actor, id).await?;
            let fields = to_fields(&regions::RegionFields::of(&region, &parent_code))?;
            Record { id: region.id, fields, active: region.active, region_name: String::new() }
        }
        Resource::Unit => {
            let u = units::get(app, actor, id).await?;
            Record {
                fields: to_fields(&units::fields_of(&u))?,
                active: u.input.active,
                region_name: u.region_name,
                id: u.id,
            }
        }
        Resource::Representative => {
            let r = representatives::get(app, actor, id).await?;
            let fields = to_fields(&representatives::fields_of(&r))?;
            Record { fields, active: r.input.active, region_name: r.region_name, id: r.id }
        }
        Resource::Department => {
            let d = departments::get(app, actor, id).await?;
            let fields = to_fields(&departments::fields_of(&d))?;
            Record { fields, active: d.input.active, region_name: d.region_name, id: d.id }
        }
        Resource::User => {
            let a = users::get(app, actor, id).await?;
            Record { fields: to_fields(&users::fields_of(&a))?, active: a.active, region_name: a.scope_name, id: a.id }
        }
        Resource::Meeting => meeting_record(&meetings::get(app, actor, id).await?)?,
        Resource::AdminLog | Resource::Setting => return Err(Error::NotFound),
    })
}

/// Creates (no id) or updates a record; returns its id.
pub async fn save(app: &App, actor: &Actor, resource: Resource, id: Option<&str>, fields: &Fields) -> Result<String> {
    use super::*;
    match resource {
        Resource::Region => Ok(regions::save(app, actor, id, &from_fields(fields)?).await?.id),
        Resource::Unit => units::save(app, actor, id, &from_fields(fields)?).await,
        Resource::Representative => representatives::save(app, actor, id, &from_fields(fields)?).await,
        Resource::Department => departments::save(app, actor, id, &from_fields(fields)?).await,
        Resource::User => users::save(app, actor, id, &from_fields(fields)?).await,
        Resource::Meeting => meetings::save(app, actor, id, &from_fields(fields)?).await,
        Resource::AdminLog | Resource::Setting => Err(Error::NotFound),
    }
}

/// Switches a record on or off; records are never deleted.
pub async fn set_active(app: &App, actor: &Actor, resource: Resource, id: &str, active: bool) -> Result<()> {
    use super::*;
    match resource {
        Resource::Region => regions::set_active(app, actor, id, active).await,
        Resource::Unit => units::set_active(app, actor, id, active).await,
        Resource::Representative => representatives::set_active(app, actor, id, active).await,
        Resource::Department => departments::set_active(app, actor, id, active).await,
        Resource::User => users::set_active(app, actor, id, active).await,
        Resource::Meeting => meetings::set_active(app, actor, id, active).await,
        Resource::AdminLog | Resource::Setting => Err(Error::NotFound),
    }
}

pub async fn admin_log(app: &App, actor: &Actor, page: PageRequest) -> Result<db::Page<db::admin_log::AdminLogEntry>> {
    if !actor.role().is_admin() {
        return Err(Error::Forbidden);
    }
    let prefix = match actor.scope() {
        crate::domain::user::Scope::Everything => "/".to_string(),
        scope => scope.region_path().as_str().to_string(),
    };
    let mut tx = app.db().read().await?;
    Ok(db::admin_log::list(&mut tx, &prefix, page).await?)
}
