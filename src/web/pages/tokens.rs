//! `/admin/tokens`: an administrator issues tokens for programs (shown once) and
//! revokes them.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::{Shell, render, render_invalid};
use crate::actions::api_tokens::{self, TokenFields};
use crate::app::App;
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError};

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage<'a> {
    shell: Shell<'a>,
    tokens: Vec<Line>,
    /// A token just issued: shown this once.
    issued: Option<String>,
    errors: Vec<String>,
}

struct Line {
    id: String,
    username: String,
    name: String,
    created_by: String,
    active: bool,
}

async fn page<'a>(app: &'a App, ctx: &Ctx) -> Result<TokensPage<'a>, PageError> {
    let list = api_tokens::list(app, ctx.staff()?).await?;
    let tokens = list
        .into_iter()
        .map(|t| Line {
            active: t.revoked_at.is_none(),
            id: t.id,
            username: t.username,
            name: t.name,
            created_by: t.created_by,
        })
        .collect();
    Ok(TokensPage { shell: Shell::new(app, ctx, "nav-tokens"), tokens, issued: None, errors: Vec::new() })
}

pub async fn show(State(app): State<App>, ctx: Ctx) -> Result<Response, PageError> {
    Ok(render(&page(&app, &ctx).await?))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    username: String,
    name: String,
}

pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let fields = TokenFields { username: form.username, name: form.name };
    match api_tokens::create(&app, ctx.staff()?, &fields).await {
        Ok(issued) => {
            let mut view = page(&app, &ctx).await?;
            view.issued = Some(issued.token);
            Ok(render(&view))
        }
        Err(Error::Invalid(problems)) => {
            let mut view = page(&app, &ctx).await?;
            view.errors = problems.iter().map(|p| view.shell.msg(&p.msg)).collect();
            Ok(render_invalid(&view))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn revoke(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    api_tokens::revoke(&app, ctx.staff()?, &id).await?;
    Ok(Redirect::to("/admin/tokens").into_response())
}
