//! The front page, and the language switch.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::{Shell, render};
use crate::actions::{self, status::Counts};
use crate::app::App;
use crate::i18n::Lang;
use crate::web::auth::{Ctx, LANG_COOKIE, PageError};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    shell: Shell<'a>,
    counts: Counts,
}

pub async fn home(State(app): State<App>, ctx: Ctx) -> Result<Response, PageError> {
    let counts = actions::status::counts(&app).await?;
    Ok(render(&HomePage { shell: Shell::new(&app, &ctx, "home-title"), counts }))
}

#[derive(serde::Deserialize)]
pub struct Back {
    #[serde(default)]
    back: String,
}

/// Remembers the chosen language and returns to the page the person was on.
pub async fn switch_lang(jar: CookieJar, Path(code): Path<String>, Query(back): Query<Back>) -> Response {
    let lang = Lang::from_code(&code);
    let cookie = Cookie::build((LANG_COOKIE, lang.code())).path("/").same_site(SameSite::Lax).permanent().build();
    (jar.add(cookie), Redirect::to(&local_path(&back.back))).into_response()
}

/// `GET /text-size/{large|normal}`: the large-text mode (适老化) on or off, kept in a
/// cookie for a year, and back to the page.
pub async fn switch_text_size(jar: CookieJar, Path(size): Path<String>, Query(back): Query<Back>) -> Response {
    let value = if size == "large" { "large" } else { "normal" };
    let cookie = Cookie::build((crate::web::auth::TEXT_SIZE_COOKIE, value))
        .path("/")
        .same_site(SameSite::Lax)
        .permanent()
        .build();
    (jar.add(cookie), Redirect::to(&local_path(&back.back))).into_response()
}

/// Only a path on this site: never another host (`//evil`, `https://…`).
pub fn local_path(target: &str) -> String {
    if target.starts_with('/') && !target.starts_with("//") && !target.contains('\\') {
        target.to_string()
    } else {
        "/".to_string()
    }
}
