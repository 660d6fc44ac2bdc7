//! `/api/v1/webhooks`: the system administrator's webhook subscriptions as JSON.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::ApiJson;
use super::cases::iso_time;
use crate::actions::webhooks::{self, SubscriptionFields, Switch};
use crate::app::App;
use crate::db::webhooks::Subscription;
use crate::web::auth::{ApiError, Ctx};
use crate::web::error;

/// A subscription as the API shows it: never its secret.
fn subscription_json(s: &Subscription) -> Value {
    json!({
        "id": s.id,
        "name": s.name,
        "url": s.url,
        "region_id": s.region_id,
        "unit_id": s.unit_id,
        "department_id": s.department_id,
        "event_types": s.event_types.split(',').filter(|k| !k.is_empty()).collect::<Vec<_>>(),
        "state": s.state,
        "consecutive_failures": s.consecutive_failures,
        "created_at": iso_time(s.created_at),
        "updated_at": iso_time(s.updated_at),
    })
}

/// `GET /api/v1/webhooks`
pub async fn list(State(app): State<App>, ctx: Ctx) -> Result<Json<Value>, ApiError> {
    let lines = webhooks::list(&app, ctx.staff()?).await?;
    Ok(Json(json!({"items": lines.iter().map(subscription_json).collect::<Vec<_>>(), "next_cursor": null})))
}

/// `POST /api/v1/webhooks` → 201 with the subscription.
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(fields): ApiJson<SubscriptionFields>,
) -> Result<Response, ApiError> {
    let subscription = webhooks::create(&app, ctx.staff()?, &fields).await?;
    Ok(error::created(subscription_json(&subscription)))
}

/// `GET /api/v1/webhooks/{id}/deliveries`: the latest deliveries, newest first.
pub async fn deliveries(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let (_, log) = webhooks::deliveries(&app, ctx.staff()?, &id).await?;
    let items: Vec<Value> = log
        .iter()
        .map(|d| {
            json!({
                "id": d.id,
                "created_at": iso_time(d.created_at),
                "subject": d.subject,
                "state": d.state,
                "attempts": d.attempts,
                "next_attempt_at": iso_time(d.next_attempt_at),
                "sent_at": d.sent_at.map(iso_time),
                "last_error": d.last_error,
                "last_response": d.last_response,
            })
        })
        .collect();
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

/// `POST /api/v1/webhooks/{id}/pause` → the subscription, paused.
pub async fn pause(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    switch(&app, &ctx, &id, Switch::Pause).await
}

/// `POST /api/v1/webhooks/{id}/resume` → the subscription, active again.
pub async fn resume(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    switch(&app, &ctx, &id, Switch::Resume).await
}

/// `POST /api/v1/webhooks/{id}/deactivate` → the subscription, switched off for good.
pub async fn deactivate(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    switch(&app, &ctx, &id, Switch::Deactivate).await
}

async fn switch(app: &App, ctx: &Ctx, id: &str, to: Switch) -> Result<Json<Value>, ApiError> {
    let subscription = webhooks::switch(app, ctx.staff()?, id, to).await?;
    Ok(Json(subscription_json(&subscription)))
}
