//! `/api/v1/exports`: background exports as JSON, over the same actions as the
//! pages: start one, follow its progress, download its parts.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::ApiJson;
use super::cases::iso_time;
use crate::actions::exports::{self, CaseListParams, ExportSpec, ExportView};
use crate::app::App;
use crate::error::Error;
use crate::web::auth::{ApiError, Ctx};
use crate::web::error;

/// The body of `POST /api/v1/exports`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// `cases` or a record list (`units`, `representatives`, …).
    subject: String,
    /// `csv` or `xlsx`.
    format: String,
    /// For `cases`: the case list's filter, as `GET /api/v1/cases` and `/cases` take it.
    #[serde(default)]
    filter: CaseListParams,
}

fn export_json(view: &ExportView) -> Value {
    json!({
        "id": view.id,
        "subject": view.subject,
        "format": view.format.extension(),
        "state": view.state.as_str(),
        "rows_done": view.rows_done,
        "rows_total": view.rows_total,
        "parts": view.parts.iter().map(|p| json!({
            "number": p.number,
            "file_name": p.file_name,
            "href": format!("/api/v1/exports/{}/parts/{}", view.id, p.number),
        })).collect::<Vec<_>>(),
        "created_at": iso_time(view.created_at),
        "finished_at": view.finished_at.map(iso_time),
        "error": if view.error.is_empty() { Value::Null } else { json!(view.error) },
    })
}

/// `POST /api/v1/exports` → 201 with the queued export.
pub async fn start(State(app): State<App>, ctx: Ctx, ApiJson(body): ApiJson<StartBody>) -> Result<Response, ApiError> {
    let actor = ctx.staff()?;
    let spec = ExportSpec::parse(&body.subject, &body.format, &body.filter).map_err(Error::Invalid)?;
    let id = exports::start(&app, actor, ctx.lang, &spec).await?;
    let view = exports::get(&app, actor, &id).await?;
    Ok(error::created(export_json(&view)))
}

/// `GET /api/v1/exports`: the caller's own exports, the newest first.
pub async fn list(State(app): State<App>, ctx: Ctx) -> Result<Json<Value>, ApiError> {
    let views = exports::list(&app, ctx.staff()?).await?;
    Ok(Json(json!({"items": views.iter().map(export_json).collect::<Vec<_>>(), "next_cursor": null})))
}

/// `GET /api/v1/exports/{id}`: one of the caller's own exports (another's is 404).
pub async fn get(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let view = exports::get(&app, ctx.staff()?, &id).await?;
    Ok(Json(export_json(&view)))
}

/// `GET /api/v1/exports/{id}/parts/{number}`: a finished part, as a file.
pub async fn part(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let part = exports::part(&app, ctx.staff()?, &id, number.parse().map_err(|_| Error::NotFound)?).await?;
    let file = tokio::fs::File::open(&part.path).await.map_err(|e| Error::Internal(e.into()))?;
    Ok(error::attachment_file(part.format.content_type(), &part.file_name, file, part.bytes))
}
