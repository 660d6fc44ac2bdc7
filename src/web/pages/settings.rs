//! The system administrator's settings: notice wording and the delivery log.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::admin::china_time;
use super::{ConfirmPage, Shell, render, render_invalid};
use crate::actions::settings::{self, PolicyFields};
use crate::app::App;
use crate::db::PageRequest;
use crate::domain::Msg;
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError};

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage<'a> {
    shell: Shell<'a>,
    templates: Vec<settings::TemplateView>,
    /// (field, label, value) of each number of the deadline policy.
    policy: Vec<(&'static str, String, String)>,
    policy_saved: bool,
    policy_errors: Vec<String>,
}

async fn settings_page<'a>(
    app: &'a App,
    ctx: &Ctx,
    values: Option<&PolicyFields>,
) -> Result<SettingsPage<'a>, PageError> {
    let actor = ctx.staff()?;
    let templates = settings::templates(app, actor).await?;
    let shell = Shell::new(app, ctx, "nav-settings");
    let current = app.policy();
    let numbers = [
        ("acknowledge_days", current.acknowledge_days, values.map(|v| &v.acknowledge_days)),
        ("answer_days", current.answer_days, values.map(|v| &v.answer_days)),
        ("studio_answer_days", current.studio_answer_days, values.map(|v| &v.studio_answer_days)),
        ("assignment_days", current.assignment_days, values.map(|v| &v.assignment_days)),
        ("rating_window_days", current.rating_window_days, values.map(|v| &v.rating_window_days)),
        ("remind_before_days", current.remind_before_days, values.map(|v| &v.remind_before_days)),
        ("escalate_after_days", current.escalate_after_days, values.map(|v| &v.escalate_after_days)),
    ];
    let policy = numbers
        .into_iter()
        .map(|(field, now, typed)| {
            (field, shell.t(&format!("policy-{field}")), typed.cloned().unwrap_or(now.to_string()))
        })
        .collect();
    Ok(SettingsPage { shell, templates, policy, policy_saved: false, policy_errors: Vec::new() })
}

pub async fn overview(
    State(app): State<App>,
    ctx: Ctx,
    Query(query): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let mut page = settings_page(&app, &ctx, None).await?;
    page.policy_saved = query.saved.is_some();
    Ok(render(&page))
}

pub async fn save_policy(
    State(app): State<App>,
    ctx: Ctx,
    CsrfForm(fields): CsrfForm<PolicyFields>,
) -> Result<Response, PageError> {
    match settings::save_policy(&app, ctx.staff()?, &fields).await {
        Ok(_) => Ok(Redirect::to("/admin/settings?saved=1#policy").into_response()),
        Err(Error::Invalid(problems)) => {
            let mut page = settings_page(&app, &ctx, Some(&fields)).await?;
            page.policy_errors = problems
                .iter()
                .map(|p| format!("{}：{}", page.shell.t(&format!("policy-{}", p.field)), page.shell.msg(&p.msg)))
                .collect();
            Ok(render_invalid(&page))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "template_edit.html")]
struct EditPage<'a> {
    shell: Shell<'a>,
    key: String,
    description: String,
    variables: String,
    subject: String,
    body: String,
    overridden: bool,
    saved: bool,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

async fn edit_page<'a>(app: &'a App, ctx: &Ctx, key: &str) -> Result<EditPage<'a>, PageError> {
    let actor = ctx.staff()?;
    let view = settings::templates(app, actor).await?.into_iter().find(|t| t.key == key).ok_or(Error::NotFound)?;
    let shell = Shell::new(app, ctx, "template-edit");
    let variables: Vec<String> = view.variables.iter().map(|v| format!("{{{{ {v} }}}}")).collect();
    Ok(EditPage {
        variables: shell.msg(&Msg::new("template-variables").with("variables", variables.join("  "))),
        key: view.key.to_string(),
        description: view.description.to_string(),
        subject: view.subject,
        body: view.body,
        overridden: view.overridden,
        saved: false,
        error: None,
        shell,
    })
}

pub async fn edit(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let mut page = edit_page(&app, &ctx, &key).await?;
    page.saved = query.saved.is_some();
    Ok(render(&page))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct TemplateForm {
    subject: String,
    body: String,
}

pub async fn save(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
    CsrfForm(form): CsrfForm<TemplateForm>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    match settings::save_template(&app, actor, &key, &form.subject, &form.body).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/templates/{key}?saved=1")).into_response()),
        Err(Error::Invalid(fields)) => {
            let mut page = edit_page(&app, &ctx, &key).await?;
            page.error = fields.first().map(|f| page.shell.msg(&f.msg));
            page.subject = form.subject;
            page.body = form.body;
            Ok(render_invalid(&page))
        }
        Err(other) => Err(other.into()),
    }
}

/// Going back to the built-in wording discards an administrator's text: ask first.
pub async fn confirm_reset(State(app): State<App>, ctx: Ctx, Path(key): Path<String>) -> Result<Response, PageError> {
    let page = edit_page(&app, &ctx, &key).await?;
    let shell = Shell::new(&app, &ctx, "template-reset");
    Ok(render(&ConfirmPage {
        question: shell.msg(&Msg::new("confirm-template-reset").with("name", &page.description)),
        action: format!("/admin/templates/{key}/reset"),
        confirm_label: shell.t("template-reset"),
        cancel: format!("/admin/templates/{key}"),
        shell,
    }))
}

pub async fn reset(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    settings::reset_template(&app, actor, &key).await?;
    Ok(Redirect::to(&format!("/admin/templates/{key}?saved=1")).into_response())
}

#[derive(Template)]
#[template(path = "deliveries.html")]
struct DeliveriesPage<'a> {
    shell: Shell<'a>,
    state: String,
    states: Vec<(&'static str, String)>,
    summary: String,
    rows: Vec<DeliveryLine>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

struct DeliveryLine {
    at: String,
    channel: String,
    subject: String,
    state: String,
    attempts: i64,
    answer: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DeliveriesQuery {
    state: String,
    page: Option<i64>,
}

pub async fn deliveries(
    State(app): State<App>,
    ctx: Ctx,
    Query(query): Query<DeliveriesQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let page = PageRequest::new(query.page.unwrap_or(1), 50);
    let list = settings::deliveries(&app, actor, &query.state, page).await?;
    let shell = Shell::new(&app, &ctx, "deliveries-title");
    let rows = list
        .items
        .iter()
        .map(|d| DeliveryLine {
            at: china_time(d.created_at),
            channel: shell.t(&format!("delivery-channel-{}", d.channel)),
            subject: d.subject.clone(),
            state: shell.t(&format!("delivery-state-{}", d.state)),
            attempts: d.attempts,
            answer: if d.last_error.is_empty() { d.last_response.clone() } else { d.last_error.clone() },
        })
        .collect();
    let states = ["pending", "sending", "sent", "failed"]
        .into_iter()
        .map(|s| (s, shell.t(&format!("delivery-state-{s}"))))
        .collect();
    let pages = ((list.total + 49) / 50).max(1);
    let href = |n: i64| format!("/admin/deliveries?state={}&page={n}", query.state);
    Ok(render(&DeliveriesPage {
        summary: shell.msg(&Msg::new("list-summary").with("total", list.total)),
        state: query.state.clone(),
        states,
        rows,
        prev_href: (page.number > 1).then(|| href(page.number - 1)),
        next_href: (page.number < pages).then(|| href(page.number + 1)),
        shell,
    }))
}
