//! The rest of the administration pages as JSON, over the same actions: password
//! resets, spreadsheet import (preview, then commit) and export, deputy and
//! station codes, the admin log, and one's own password.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::http::header;
use axum::response::Response;
use serde_json::{Value, json};

use super::ApiJson;
use super::body::{ApiQuery, page_number, read_limited};
use super::cases::iso_time;
use super::records::kind;
use crate::actions::codes::{self, CodeTarget};
use crate::actions::export::{self, Format};
use crate::actions::{accounts, import, records};
use crate::app::App;
use crate::db::PageRequest;
use crate::domain::attachment::{MAX_PHOTO_BYTES, Upload};
use crate::domain::permission::Resource;
use crate::domain::{FieldError, Msg};
use crate::error::Error;
use crate::web::auth::{ApiError, Ctx};
use crate::web::error;

/// Admin-log lines per page.
const LOG_PAGE_SIZE: i64 = 50;

/// `POST /api/v1/records/users/{id}/reset` → a one-time temporary password; the
/// person is signed out everywhere. Other kinds have no password: 404.
pub async fn reset_password(
    State(app): State<App>,
    ctx: Ctx,
    Path((resource, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    if kind(&resource)? != Resource::User {
        return Err(Error::NotFound.into());
    }
    let temporary = accounts::reset_password(&app, actor, &id).await?;
    Ok(Json(json!({"id": id, "temporary_password": temporary})))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ImportParams {
    file_name: String,
}

/// `POST /api/v1/records/{resource}/import?file_name=` with the spreadsheet (CSV in
/// UTF-8 or GBK, or XLSX; at most 10 MB, 413 beyond) as the body: the preview, with nothing written. Every row
/// problem is a field `rows[N].<column>`; with none, `batch_id` is the batch to commit.
pub async fn import_preview(
    State(app): State<App>,
    ctx: Ctx,
    Path(resource): Path<String>,
    ApiQuery(params): ApiQuery<ImportParams>,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    let resource = kind(&resource)?;
    let bytes = read_limited(request, import::MAX_FILE_BYTES).await?;
    if bytes.is_empty() {
        return Err(Error::invalid("body", Msg::new("err-file-empty")).into());
    }
    let name = if params.file_name.trim().is_empty() { "api-upload" } else { params.file_name.trim() };
    let preview = import::preview(&app, actor, resource, name, &bytes).await?;
    if !preview.errors.is_empty() {
        let fields = preview
            .errors
            .into_iter()
            .map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), e.msg))
            .collect();
        return Err(Error::Invalid(fields).into());
    }
    Ok(Json(json!({
        "batch_id": preview.batch_id,
        "rows": preview.rows,
        "created": preview.created,
        "updated": preview.updated,
        "ignored_columns": preview.ignored_columns,
    })))
}

/// `POST /api/v1/records/{resource}/import/{batch}` → what the previewed batch created
/// and updated, in one transaction (a batch is committed once).
pub async fn import_commit(
    State(app): State<App>,
    ctx: Ctx,
    Path((resource, batch)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    kind(&resource)?;
    let done = import::commit(&app, actor, &batch).await?;
    Ok(Json(json!({"created": done.created, "updated": done.updated})))
}

/// `GET /api/v1/records/{resource}/export/{csv|xlsx}`: every record in scope, in the
/// spreadsheet columns an import reads.
pub async fn export(
    State(app): State<App>,
    ctx: Ctx,
    Path((resource, format)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let actor = ctx.staff()?;
    let resource = kind(&resource)?;
    let format = Format::parse(&format).ok_or(Error::NotFound)?;
    let bytes = match export::export(&app, actor, resource, format).await? {
        export::Exported::File(bytes) => bytes,
        export::Exported::TooLong { rows } => {
            let limit = app.config().export_direct_max_rows;
            let msg = crate::domain::Msg::new("export-too-long-api").with("rows", rows).with("limit", limit);
            return Err(Error::Conflict(msg).into());
        }
    };
    let name = format!("minyi-{}.{}", resource.as_str(), format.extension());
    Ok(error::attachment(format.content_type(), &name, bytes))
}

/// `GET /api/v1/records/{units|representatives}/{id}/code`: the record's code, the
/// link its QR image carries, and its scans by day (the code is made on first request).
pub async fn code(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((resource, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    let target = match kind(&resource)? {
        Resource::Unit => CodeTarget::Unit(id),
        Resource::Representative => CodeTarget::Representative(id),
        _ => return Err(Error::NotFound.into()),
    };
    let code = codes::code_for(&app, actor, &target).await?;
    let scans = codes::scans(&app, actor, &target).await?;
    let scans: Vec<Value> = scans.iter().map(|(day, count)| json!({"day": day, "count": count})).collect();
    Ok(Json(json!({"code": code, "url": format!("{}/q/{code}", site(&app, &headers)), "scans": scans})))
}

/// `GET /api/v1/codes`: every station, studio, deputy and member code in the
/// caller's scope (what `/codes/sheet` prints).
pub async fn code_sheet(State(app): State<App>, ctx: Ctx, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let entries = codes::sheet(&app, ctx.staff()?).await?;
    let site = site(&app, &headers);
    let items: Vec<Value> = entries
        .iter()
        .map(|e| {
            // `opt-kind-station`, `opt-body-cppcc` …: the code word after the prefix.
            let kind = e.kind_key.rsplit('-').next().unwrap_or_default();
            json!({"name": e.name, "kind": kind, "code": e.code, "url": format!("{site}/q/{}", e.code)})
        })
        .collect();
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

fn site(app: &App, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if app.config().secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct LogParams {
    page: String,
}

/// `GET /api/v1/admin-log?page=`: every administrative change in the caller's region, newest first.
pub async fn admin_log(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<LogParams>,
) -> Result<Json<Value>, ApiError> {
    let page = PageRequest::new(page_number(&params.page)?, LOG_PAGE_SIZE);
    let list = records::admin_log(&app, ctx.staff()?, page).await?;
    let items: Vec<Value> = list
        .items
        .iter()
        .map(|e| {
            json!({"id": e.id, "at": iso_time(e.at), "actor_name": e.actor_name, "action": e.action,
                "resource": e.resource, "target_id": e.target_id, "target_label": e.target_label, "detail": e.detail})
        })
        .collect();
    Ok(Json(json!({"items": items, "total": list.total, "page": page.number, "page_size": page.size})))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    current: String,
    new: String,
}

/// `POST /api/v1/me/password` `{"current", "new"}`: changes one's own password; every
/// other session of the account is signed out (the caller's own session stays).
pub async fn change_password(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    let token = ctx.session_token.clone().unwrap_or_default();
    accounts::change_password(&app, actor, &token, &body.current, &body.new).await?;
    Ok(Json(json!({"ok": true})))
}

/// `POST /api/v1/records/representatives/{id}/photo` with the image (JPEG, PNG or WebP;
/// 413 past the limit) as the body: re-encoded without EXIF/GPS, with a thumbnail.
/// Other kinds have no photo: 404.
pub async fn upload_photo(
    State(app): State<App>,
    ctx: Ctx,
    Path((resource, id)): Path<(String, String)>,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    let bytes = read_limited(request, MAX_PHOTO_BYTES).await?;
    if kind(&resource)? != Resource::Representative {
        return Err(Error::NotFound.into());
    }
    let upload = Upload { field: "photo".into(), bytes: bytes.to_vec(), too_large: false };
    crate::actions::representatives::set_photo(&app, actor, &id, upload).await?;
    Ok(Json(json!({"id": id, "photo": format!("/photos/representatives/{id}")})))
}
