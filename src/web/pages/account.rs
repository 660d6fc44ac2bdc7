//! Signing in and out, and changing one's password.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;

use super::home::local_path;
use super::{Shell, render, render_invalid};
use crate::actions::accounts;
use crate::app::App;
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError, expired_session_cookie, session_cookie};
use crate::web::error;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    shell: Shell<'a>,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
}

pub async fn login_form(State(app): State<App>, ctx: Ctx, Query(query): Query<LoginQuery>) -> Response {
    let page = LoginPage {
        shell: Shell::new(&app, &ctx, "login-title"),
        next: local_path(&query.next),
        username: String::new(),
        error: None,
    };
    render(&page)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

pub async fn login(
    State(app): State<App>,
    ctx: Ctx,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, PageError> {
    match accounts::login(&app, &form.username, &form.password, &ctx.address).await {
        Ok(session) => {
            let jar = jar.add(session_cookie(&app, session.token));
            Ok((jar, Redirect::to(&local_path(&form.next))).into_response())
        }
        Err(failure @ (Error::Invalid(_) | Error::Throttled { .. })) => {
            let page = LoginPage {
                shell: Shell::new(&app, &ctx, "login-title"),
                next: local_path(&form.next),
                username: form.username,
                error: Some(error::message(app.i18n(), ctx.lang, &failure)),
            };
            // A throttled sign-in keeps its 429 and Retry-After; a wrong password is a 422 form.
            match failure {
                Error::Throttled { .. } => Ok(error::page_error(&failure, page.render().unwrap_or_default())),
                _ => Ok(render_invalid(&page)),
            }
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn logout(
    State(app): State<App>,
    ctx: Ctx,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    if let Some(token) = &ctx.session_token {
        accounts::logout(&app, token).await?;
    }
    Ok((jar.add(expired_session_cookie()), Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    shell: Shell<'a>,
    done: bool,
    errors: Vec<String>,
}

pub async fn password_form(State(app): State<App>, ctx: Ctx) -> Result<Response, PageError> {
    ctx.staff()?;
    Ok(render(&PasswordPage { shell: Shell::new(&app, &ctx, "password-title"), done: false, errors: Vec::new() }))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    new: String,
}

pub async fn change_password(
    State(app): State<App>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let token = ctx.session_token.clone().unwrap_or_default();
    match accounts::change_password(&app, actor, &token, &form.current, &form.new).await {
        Ok(()) => Ok(render(&PasswordPage {
            shell: Shell::new(&app, &ctx, "password-title"),
            done: true,
            errors: Vec::new(),
        })),
        Err(Error::Invalid(fields)) => {
            let shell = Shell::new(&app, &ctx, "password-title");
            let errors = fields.iter().map(|f| shell.msg(&f.msg)).collect();
            Ok(render_invalid(&PasswordPage { shell, done: false, errors }))
        }
        Err(other) => Err(other.into()),
    }
}
