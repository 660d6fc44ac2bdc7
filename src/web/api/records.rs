//! `/api/v1/records/{resource}`: the administration of the five kinds of people
//! and places (regions, units, representatives, departments, users) through the
//! same generic record actions as the admin pages, so the checks are the same.
//! A record's fields are the spreadsheet columns of its kind (`domain::columns`),
//! all strings, as the forms send them.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::ApiJson;
use super::body::{ApiQuery, cursor_of, key_of_cursor, page_number};
use crate::actions::records::{self, Record};
use crate::app::App;
use crate::db::{ListKey, PageRequest};
use crate::domain::Msg;
use crate::domain::columns::columns;
use crate::domain::permission::Resource;
use crate::error::Error;
use crate::web::auth::{ApiError, Ctx};
use crate::web::error;

/// Records listed per page.
const PAGE_SIZE: i64 = 50;

/// One of the five kinds, or a 404.
pub fn kind(raw: &str) -> Result<Resource, Error> {
    match Resource::parse(raw) {
        Some(
            r @ (Resource::Region
            | Resource::Unit
            | Resource::Representative
            | Resource::Department
            | Resource::User
            | Resource::Meeting),
        ) => Ok(r),
        Some(Resource::AdminLog | Resource::Setting) | None => Err(Error::NotFound),
    }
}

fn record_json(record: &Record) -> Value {
    json!({"id": record.id, "active": record.active, "region_name": record.region_name, "fields": record.fields})
}

/// The fields sent, every one a column of the kind (an unknown one is named).
fn fields_of(resource: Resource, sent: BTreeMap<String, String>) -> Result<records::Fields, Error> {
    let known = columns(resource);
    let unknown: Vec<_> = sent
        .keys()
        .filter(|k| !known.iter().any(|c| c.field == k.as_str()))
        .map(|k| {
            crate::domain::FieldError::new(k.as_str(), Msg::new("err-json-unknown-field").with("name", k.as_str()))
        })
        .collect();
    if unknown.is_empty() { Ok(sent) } else { Err(Error::Invalid(unknown)) }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    q: String,
    page: String,
    cursor: String,
}

/// `GET /api/v1/records/{resource}?q=&page=|cursor=`: 50 a page; `next_cursor` is a
/// keyset cursor (the last record's sort key), so records added between two
/// requests neither repeat nor skip one.
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Path(resource): Path<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    let resource = kind(&resource)?;
    let after: Option<ListKey> = match params.cursor.trim() {
        "" => None,
        cursor => Some(key_of_cursor(cursor)?),
    };
    let (mut items, total, page, more) = match (&after, params.page.trim()) {
        (None, raw) if !raw.is_empty() => {
            let page = PageRequest::new(page_number(raw)?, PAGE_SIZE);
            let (items, total) = records::list(&app, actor, resource, &params.q, page).await?;
            (items, total, json!(page.number), page.number * page.size < total)
        }
        (after, _) => {
            // One more than a page, to know whether another follows.
            let page = PageRequest::new(1, PAGE_SIZE + 1);
            let (items, total) = records::list_after(&app, actor, resource, &params.q, page, after.as_ref()).await?;
            let more = items.len() as i64 > PAGE_SIZE;
            (items, total, if after.is_some() { Value::Null } else { json!(1) }, more)
        }
    };
    items.truncate(PAGE_SIZE as usize);
    let next_cursor = if more { items.last().map(|r| json!(cursor_of(&records::key_of(resource, r)))) } else { None };
    Ok(Json(json!({
        "items": items.iter().map(record_json).collect::<Vec<_>>(),
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "next_cursor": next_cursor.unwrap_or(Value::Null),
    })))
}

/// `GET /api/v1/records/{resource}/{id}`.
pub async fn get(
    State(app): State<App>,
    ctx: Ctx,
    Path((resource, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let record = records::get(&app, ctx.staff()?, kind(&resource)?, &id).await?;
    Ok(Json(record_json(&record)))
}

/// `POST /api/v1/records/{resource}` with the fields → 201 with the record.
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    Path(resource): Path<String>,
    ApiJson(sent): ApiJson<BTreeMap<String, String>>,
) -> Result<Response, ApiError> {
    let actor = ctx.staff()?;
    let resource = kind(&resource)?;
    let id = records::save(&app, actor, resource, None, &fields_of(resource, sent)?).await?;
    let record = records::get(&app, actor, resource, &id).await?;
    Ok(error::created(record_json(&record)))
}

/// `POST /api/v1/records/{resource}/{id}` with all the fields → the record.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path((resource, id)): Path<(String, String)>,
    ApiJson(sent): ApiJson<BTreeMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    let resource = kind(&resource)?;
    records::save(&app, actor, resource, Some(&id), &fields_of(resource, sent)?).await?;
    Ok(Json(record_json(&records::get(&app, actor, resource, &id).await?)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveBody {
    active: bool,
}

/// `POST /api/v1/records/{resource}/{id}/active` `{"active": false}` → the record
/// (nothing is ever deleted).
pub async fn set_active(
    State(app): State<App>,
    ctx: Ctx,
    Path((resource, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ActiveBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    let resource = kind(&resource)?;
    records::set_active(&app, actor, resource, &id, body.active).await?;
    Ok(Json(record_json(&records::get(&app, actor, resource, &id).await?)))
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct HeldBody {
    citizens: String,
    representatives: String,
}

/// `POST /api/v1/records/meetings/{id}/held` `{"citizens": "12", "representatives": "…"}`
/// → the meeting, marked held (the list page's one-line form). Other kinds: 404.
pub async fn mark_held(
    State(app): State<App>,
    ctx: Ctx,
    Path((resource, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<HeldBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    if kind(&resource)? != Resource::Meeting {
        return Err(Error::NotFound.into());
    }
    crate::actions::meetings::mark_held(&app, actor, &id, &body.citizens, &body.representatives).await?;
    Ok(Json(record_json(&records::get(&app, actor, Resource::Meeting, &id).await?)))
}
