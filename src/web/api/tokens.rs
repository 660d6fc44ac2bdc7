//! `/api/v1/tokens`: an administrator issues and revokes tokens for programs.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::ApiJson;
use super::cases::iso_time;
use crate::actions::api_tokens::{self, TokenFields, TokenLine};
use crate::app::App;
use crate::web::auth::{ApiError, Ctx};
use crate::web::error;

fn token_json(line: &TokenLine) -> Value {
    json!({
        "id": line.id,
        "username": line.username,
        "name": line.name,
        "created_by": line.created_by,
        "created_at": iso_time(line.created_at),
        "revoked_at": line.revoked_at.map(iso_time),
        "active": line.revoked_at.is_none(),
    })
}

/// `GET /api/v1/tokens`: the tokens of accounts in the caller's scope (never their secrets).
pub async fn list(State(app): State<App>, ctx: Ctx) -> Result<Json<Value>, ApiError> {
    let lines = api_tokens::list(&app, ctx.staff()?).await?;
    Ok(Json(json!({"items": lines.iter().map(token_json).collect::<Vec<_>>(), "next_cursor": null})))
}

/// `POST /api/v1/tokens` `{"username", "name"}` → 201 with the token, shown this once.
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(fields): ApiJson<TokenFields>,
) -> Result<Response, ApiError> {
    let issued = api_tokens::create(&app, ctx.staff()?, &fields).await?;
    Ok(error::created(json!({"id": issued.id, "token": issued.token})))
}

/// `POST /api/v1/tokens/{id}/revoke` → the token, revoked.
pub async fn revoke(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let line = api_tokens::revoke(&app, ctx.staff()?, &id).await?;
    Ok(Json(token_json(&line)))
}
