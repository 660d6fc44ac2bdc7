//! Where each department's, office's or person's notices go: DingTalk robots,
//! e-mail addresses, webhooks.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::{ConfirmPage, Shell, render, render_invalid, switch_of};
use crate::actions::settings::{self, ChannelFields};
use crate::app::App;
use crate::domain::Msg;
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError};

#[derive(Template)]
#[template(path = "channels.html")]
struct ChannelsPage<'a> {
    shell: Shell<'a>,
    channels: Vec<Line>,
    saved: bool,
    errors: Vec<String>,
}

struct Line {
    id: String,
    owner: String,
    kind: String,
    target: String,
    signed: bool,
    active: bool,
}

async fn page<'a>(app: &'a App, ctx: &Ctx) -> Result<ChannelsPage<'a>, PageError> {
    let list = settings::channels(app, ctx.staff()?).await?;
    let shell = Shell::new(app, ctx, "nav-channels");
    let channels = list
        .into_iter()
        .map(|c| Line {
            owner: format!("{} · {}", shell.t(&format!("channel-owner-{}", c.owner_kind)), c.owner_label),
            kind: shell.t(&format!("delivery-channel-{}", c.kind)),
            id: c.id,
            target: c.target,
            signed: c.signed,
            active: c.active,
        })
        .collect();
    Ok(ChannelsPage { shell, channels, saved: false, errors: Vec::new() })
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

pub async fn add(
    State(app): State<App>,
    ctx: Ctx,
    CsrfForm(fields): CsrfForm<ChannelFields>,
) -> Result<Response, PageError> {
    match settings::add_channel(&app, ctx.staff()?, &fields).await {
        Ok(_) => Ok(Redirect::to("/admin/channels?saved=1").into_response()),
        Err(Error::Invalid(problems)) => {
            let mut view = page(&app, &ctx).await?;
            view.errors = problems.iter().map(|p| view.shell.msg(&p.msg)).collect();
            Ok(render_invalid(&view))
        }
        Err(other) => Err(other.into()),
    }
}

/// Switching a channel off stops a department's reminders reaching it: ask first.
pub async fn confirm_active(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, to)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let active = switch_of(&to)?;
    let view = page(&app, &ctx).await?;
    let line = view.channels.iter().find(|c| c.id == id).ok_or(Error::NotFound)?;
    let (title, question) =
        if active { ("activate", "confirm-activate") } else { ("deactivate", "confirm-deactivate") };
    let shell = Shell::new(&app, &ctx, title);
    Ok(render(&ConfirmPage {
        question: shell.msg(&Msg::new(question).with("name", format!("{} {}", line.owner, line.kind))),
        action: format!("/admin/channels/{id}/active/{to}"),
        confirm_label: shell.t(title),
        cancel: "/admin/channels".to_string(),
        shell,
    }))
}

pub async fn set_active(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, to)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    settings::set_channel_active(&app, ctx.staff()?, &id, switch_of(&to)?).await?;
    Ok(Redirect::to("/admin/channels?saved=1").into_response())
}
