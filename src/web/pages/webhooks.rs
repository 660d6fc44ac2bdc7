//! `/admin/webhooks`: the system administrator subscribes integrators to case events,
//! pauses, resumes and switches subscriptions off (after a confirmation), and reads
//! each one's delivery log.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::admin::china_time;
use super::{ConfirmPage, Shell, render, render_invalid};
use crate::actions::webhooks::{self, SubscriptionFields, Switch};
use crate::app::App;
use crate::db::webhooks::Subscription;
use crate::domain::Msg;
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError};

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage<'a> {
    shell: Shell<'a>,
    subscriptions: Vec<Line>,
    event_kinds: String,
    saved: bool,
    errors: Vec<String>,
}

struct Line {
    id: String,
    name: String,
    url: String,
    filter: String,
    state: String,
    state_label: String,
    failures: i64,
}

fn line(shell: &Shell<'_>, s: &Subscription) -> Line {
    let mut filter = Vec::new();
    if !s.region_id.is_empty() {
        filter.push(format!("{}: {}", shell.t("webhook-region"), s.region_id));
    }
    if !s.unit_id.is_empty() {
        filter.push(format!("{}: {}", shell.t("webhook-unit"), s.unit_id));
    }
    if !s.department_id.is_empty() {
        filter.push(format!("{}: {}", shell.t("webhook-department"), s.department_id));
    }
    if !s.event_types.is_empty() {
        filter.push(format!("{}: {}", shell.t("webhook-events"), s.event_types));
    }
    Line {
        id: s.id.clone(),
        name: s.name.clone(),
        url: s.url.clone(),
        filter: if filter.is_empty() { shell.t("all") } else { filter.join("；") },
        state: s.state.clone(),
        state_label: shell.t(&format!("webhook-state-{}", s.state)),
        failures: s.consecutive_failures,
    }
}

async fn page<'a>(app: &'a App, ctx: &Ctx) -> Result<WebhooksPage<'a>, PageError> {
    let list = webhooks::list(app, ctx.staff()?).await?;
    let shell = Shell::new(app, ctx, "nav-webhooks");
    let subscriptions = list.iter().map(|s| line(&shell, s)).collect();
    Ok(WebhooksPage {
        shell,
        subscriptions,
        event_kinds: webhooks::event_kinds().join(", "),
        saved: false,
        errors: Vec::new(),
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn show(State(app): State<App>, ctx: Ctx, Query(query): Query<SavedQuery>) -> Result<Response, PageError> {
    let mut view = page(&app, &ctx).await?;
    view.saved = query.saved.is_some();
    Ok(render(&view))
}

/// The page's form: the API's fields and the CSRF token (which the API's strict fields refuse).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SubscriptionForm {
    name: String,
    url: String,
    secret: String,
    region_code: String,
    unit_code: String,
    department_code: String,
    event_types: String,
}

pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<SubscriptionForm>,
) -> Result<Response, PageError> {
    let fields = SubscriptionFields {
        name: form.name,
        url: form.url,
        secret: form.secret,
        region_code: form.region_code,
        unit_code: form.unit_code,
        department_code: form.department_code,
        event_types: form.event_types,
    };
    match webhooks::create(&app, ctx.staff()?, &fields).await {
        Ok(_) => Ok(Redirect::to("/admin/webhooks?saved=1").into_response()),
        Err(Error::Invalid(problems)) => {
            let mut view = page(&app, &ctx).await?;
            view.errors = problems.iter().map(|p| format!("{}: {}", p.field, view.shell.msg(&p.msg))).collect();
            Ok(render_invalid(&view))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "webhook_deliveries.html")]
struct DeliveriesPage<'a> {
    shell: Shell<'a>,
    subscription: Line,
    rows: Vec<DeliveryLine>,
}

struct DeliveryLine {
    at: String,
    subject: String,
    state: String,
    attempts: i64,
    answer: String,
}

pub async fn deliveries(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let (subscription, log) = webhooks::deliveries(&app, ctx.staff()?, &id).await?;
    let shell = Shell::new(&app, &ctx, "webhook-deliveries");
    let rows = log
        .iter()
        .map(|d| DeliveryLine {
            at: china_time(d.created_at),
            subject: d.subject.clone(),
            state: shell.t(&format!("delivery-state-{}", d.state)),
            attempts: d.attempts,
            answer: if d.last_error.is_empty() {
                d.last_response.clone()
            } else {
                format!("{} {}", d.last_error, d.last_response)
            },
        })
        .collect();
    Ok(render(&DeliveriesPage { subscription: line(&shell, &subscription), rows, shell }))
}

fn switch_of(raw: &str) -> Result<Switch, PageError> {
    Switch::parse(raw).ok_or_else(|| Error::NotFound.into())
}

/// Pausing and resuming act at once; switching off asks first.
pub async fn confirm_switch(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, to)): Path<(String, String)>,
) -> Result<Response, PageError> {
    if switch_of(&to)? != Switch::Deactivate {
        return Err(Error::NotFound.into());
    }
    let (subscription, _) = webhooks::deliveries(&app, ctx.staff()?, &id).await?;
    let shell = Shell::new(&app, &ctx, "deactivate");
    Ok(render(&ConfirmPage {
        question: shell.msg(&Msg::new("confirm-webhook-deactivate").with("name", &subscription.name)),
        action: format!("/admin/webhooks/{id}/{to}"),
        confirm_label: shell.t("deactivate"),
        cancel: "/admin/webhooks".to_string(),
        shell,
    }))
}

pub async fn switch(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, to)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    webhooks::switch(&app, ctx.staff()?, &id, switch_of(&to)?).await?;
    Ok(Redirect::to("/admin/webhooks?saved=1").into_response())
}
