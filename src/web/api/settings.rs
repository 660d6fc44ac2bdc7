//! `/api/v1/settings`, `/api/v1/channels`, `/api/v1/calendars`, `/api/v1/deliveries`:
//! the system administrator's settings pages as JSON, over the same actions
//! (`actions::settings`, `actions::calendars`), so the checks are the same.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::ApiJson;
use super::body::{ApiQuery, page_number};
use super::cases::iso_time;
use crate::actions::calendars;
use crate::actions::settings::{self, ChannelFields, ChannelView, PolicyFields, TemplateView};
use crate::app::App;
use crate::db::PageRequest;
use crate::domain::Msg;
use crate::error::Error;
use crate::web::auth::{ApiError, Ctx};
use crate::web::error;

/// Deliveries listed per page.
const DELIVERIES_PAGE_SIZE: i64 = 50;

fn template_json(t: &TemplateView) -> Value {
    json!({"key": t.key, "description": t.description, "variables": t.variables, "subject": t.subject,
        "body": t.body, "overridden": t.overridden})
}

/// `GET /api/v1/settings`: the notice wordings and the deadline policy (the system
/// administrator's, as on `/admin/settings`).
pub async fn show(State(app): State<App>, ctx: Ctx) -> Result<Json<Value>, ApiError> {
    let templates = settings::templates(&app, ctx.staff()?).await?;
    let templates: Vec<_> = templates.iter().map(template_json).collect();
    Ok(Json(json!({"templates": templates, "policy": app.policy().as_ref()})))
}

/// The deadline policy in working days; every number is required.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    acknowledge_days: u32,
    answer_days: u32,
    studio_answer_days: u32,
    assignment_days: u32,
    rating_window_days: u32,
    remind_before_days: u32,
    escalate_after_days: u32,
}

/// `POST /api/v1/settings/policy` → the policy now in force (the form's ranges apply).
pub async fn save_policy(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<PolicyBody>,
) -> Result<Json<Value>, ApiError> {
    let fields = PolicyFields {
        acknowledge_days: body.acknowledge_days.to_string(),
        answer_days: body.answer_days.to_string(),
        studio_answer_days: body.studio_answer_days.to_string(),
        assignment_days: body.assignment_days.to_string(),
        rating_window_days: body.rating_window_days.to_string(),
        remind_before_days: body.remind_before_days.to_string(),
        escalate_after_days: body.escalate_after_days.to_string(),
    };
    let policy = settings::save_policy(&app, ctx.staff()?, &fields).await?;
    Ok(Json(json!(policy)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    subject: String,
    body: String,
}

/// The wording of one notice, after a change.
async fn template_of(app: &App, ctx: &Ctx, key: &str) -> Result<Json<Value>, ApiError> {
    let views = settings::templates(app, ctx.staff()?).await?;
    let view = views.iter().find(|t| t.key == key).ok_or(Error::NotFound)?;
    Ok(Json(template_json(view)))
}

/// `POST /api/v1/settings/templates/{key}` `{"subject", "body"}` → the wording
/// (checked by rendering it before it is kept).
pub async fn save_template(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<TemplateBody>,
) -> Result<Json<Value>, ApiError> {
    settings::save_template(&app, ctx.staff()?, &key, &body.subject, &body.body).await?;
    template_of(&app, &ctx, &key).await
}

/// `POST /api/v1/settings/templates/{key}/reset` → the built-in wording again.
pub async fn reset_template(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    settings::reset_template(&app, ctx.staff()?, &key).await?;
    template_of(&app, &ctx, &key).await
}

fn channel_json(c: &ChannelView) -> Value {
    json!({"id": c.id, "owner_kind": c.owner_kind, "owner_label": c.owner_label, "kind": c.kind,
        "target": c.target, "signed": c.signed, "active": c.active})
}

/// `GET /api/v1/channels`: where notices go (e-mail, DingTalk robots, webhooks).
pub async fn channels(State(app): State<App>, ctx: Ctx) -> Result<Json<Value>, ApiError> {
    let list = settings::channels(&app, ctx.staff()?).await?;
    Ok(Json(json!({"items": list.iter().map(channel_json).collect::<Vec<_>>(), "next_cursor": null})))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelBody {
    owner_kind: String,
    owner_code: String,
    kind: String,
    target: String,
    #[serde(default)]
    secret: String,
}

/// `POST /api/v1/channels` → 201 with the channel.
pub async fn add_channel(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<ChannelBody>,
) -> Result<Response, ApiError> {
    let actor = ctx.staff()?;
    let fields = ChannelFields {
        owner_kind: body.owner_kind,
        owner_code: body.owner_code,
        kind: body.kind,
        target: body.target,
        secret: body.secret,
    };
    let id = settings::add_channel(&app, actor, &fields).await?;
    let list = settings::channels(&app, actor).await?;
    let channel = list.iter().find(|c| c.id == id).ok_or(Error::NotFound)?;
    Ok(error::created(channel_json(channel)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveBody {
    active: bool,
}

/// `POST /api/v1/channels/{id}/active` `{"active": false}` → the channel (kept, never deleted).
pub async fn set_channel_active(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActiveBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    settings::set_channel_active(&app, actor, &id, body.active).await?;
    let list = settings::channels(&app, actor).await?;
    let channel = list.iter().find(|c| c.id == id).ok_or(Error::NotFound)?;
    Ok(Json(channel_json(channel)))
}

/// `GET /api/v1/calendars`: the known working-day years and their sources.
pub async fn calendars(State(app): State<App>, ctx: Ctx) -> Result<Json<Value>, ApiError> {
    let years = calendars::years(&app, ctx.staff()?).await?;
    let items: Vec<Value> = years.iter().map(|y| json!({"year": y.year, "source": y.source})).collect();
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearBody {
    source: String,
}

/// `POST /api/v1/calendars` `{"source": "<a year file>"}` → the year added or corrected.
pub async fn save_year(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<YearBody>,
) -> Result<Json<Value>, ApiError> {
    let year = calendars::save_year(&app, ctx.staff()?, &body.source).await?;
    Ok(Json(json!({"year": year})))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IcalBody {
    year: i32,
    ics: String,
}

/// `POST /api/v1/calendars/ical` `{"year", "ics"}` → the year taken from an iCal file.
pub async fn import_ical(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<IcalBody>,
) -> Result<Json<Value>, ApiError> {
    let year = calendars::import_ical(&app, ctx.staff()?, body.year, &body.ics).await?;
    Ok(Json(json!({"year": year})))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DeliveriesParams {
    state: String,
    page: String,
}

/// `GET /api/v1/deliveries?state=&page=`: the outbox, newest first, with each
/// attempt's outcome and the receiver's answer.
pub async fn deliveries(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<DeliveriesParams>,
) -> Result<Json<Value>, ApiError> {
    let state = params.state.trim();
    if !["", "pending", "sending", "sent", "failed"].contains(&state) {
        return Err(Error::invalid("state", Msg::new("err-query")).into());
    }
    let page = PageRequest::new(page_number(&params.page)?, DELIVERIES_PAGE_SIZE);
    let list = settings::deliveries(&app, ctx.staff()?, state, page).await?;
    let items: Vec<Value> = list
        .items
        .iter()
        .map(|d| {
            json!({
                "id": d.id,
                "created_at": iso_time(d.created_at),
                "channel": d.channel,
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
    Ok(Json(json!({"items": items, "total": list.total, "page": page.number, "page_size": page.size})))
}
