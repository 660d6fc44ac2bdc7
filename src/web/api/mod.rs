//! The JSON API under `/api/v1`. Handlers call the same actions as the pages.

pub mod admin;
pub mod body;
pub mod cases;
pub mod docs;
pub mod exports;
pub mod records;
pub mod settings;
pub mod tokens;
pub mod webhooks;

pub use body::{ApiJson, idempotency};

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde_json::json;

use crate::actions::accounts;
use crate::app::App;
use crate::domain::user::Actor;
use crate::error::Error;
use crate::web::auth::{ApiError, Ctx, expired_session_cookie, session_cookie};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    username: String,
    password: String,
}

/// `POST /api/v1/session`: signs in; the session cookie comes back with the user.
pub async fn create_session(
    State(app): State<App>,
    ctx: Ctx,
    jar: CookieJar,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let session = match accounts::login(&app, &credentials.username, &credentials.password, &ctx.address).await {
        Ok(session) => session,
        Err(Error::Invalid(_)) => return Err(Error::BadCredentials.into()),
        Err(other) => return Err(other.into()),
    };
    let body = me_body(&session.actor);
    Ok((jar.add(session_cookie(&app, session.token)), Json(body)).into_response())
}

/// `DELETE /api/v1/session`: signs out.
pub async fn delete_session(State(app): State<App>, ctx: Ctx, jar: CookieJar) -> Result<Response, ApiError> {
    if let Some(token) = &ctx.session_token {
        accounts::logout(&app, token).await?;
    }
    Ok((jar.add(expired_session_cookie()), Json(json!({"ok": true}))).into_response())
}

/// `GET /api/v1/me`: who is signed in, their roles and scope.
pub async fn me(ctx: Ctx) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = ctx.actor.as_ref().ok_or(Error::Unauthenticated)?;
    Ok(Json(me_body(actor)))
}

fn me_body(actor: &Actor) -> serde_json::Value {
    let (kind, id, path) = accounts::scope_summary(actor);
    json!({
        "id": actor.user_id(),
        "username": actor.username(),
        "display_name": actor.display_name(),
        "roles": [actor.role().as_str()],
        "scope": {"kind": kind, "id": id, "region_path": path},
    })
}
