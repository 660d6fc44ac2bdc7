//! The working-day calendar page: the years known, and adding or correcting one.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::{Shell, render, render_invalid};
use crate::actions::calendars::{self, YearView};
use crate::app::App;
use crate::domain::Msg;
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError};

#[derive(Template)]
#[template(path = "calendars.html")]
struct CalendarPage<'a> {
    shell: Shell<'a>,
    years: Vec<YearView>,
    saved: Option<String>,
    error: Option<String>,
    source: String,
    ical_year: String,
    ics: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<i32>,
}

async fn page<'a>(app: &'a App, ctx: &Ctx) -> Result<CalendarPage<'a>, PageError> {
    let years = calendars::years(app, ctx.staff()?).await?;
    Ok(CalendarPage {
        shell: Shell::new(app, ctx, "nav-calendars"),
        years,
        saved: None,
        error: None,
        source: String::new(),
        ical_year: String::new(),
        ics: String::new(),
    })
}

pub async fn show(State(app): State<App>, ctx: Ctx, Query(query): Query<SavedQuery>) -> Result<Response, PageError> {
    let mut view = page(&app, &ctx).await?;
    view.saved = query.saved.map(|year| view.shell.msg(&Msg::new("calendar-saved").with("year", year)));
    Ok(render(&view))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct YearForm {
    source: String,
    year: String,
    ics: String,
}

pub async fn save_year(
    State(app): State<App>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<YearForm>,
) -> Result<Response, PageError> {
    let result = calendars::save_year(&app, ctx.staff()?, &form.source).await;
    finish(&app, &ctx, result, form).await
}

pub async fn import_ical(
    State(app): State<App>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<YearForm>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let result = match form.year.trim().parse::<i32>() {
        Ok(year) => calendars::import_ical(&app, actor, year, &form.ics).await,
        Err(_) => Err(Error::invalid("year", Msg::new("err-calendar-year"))),
    };
    finish(&app, &ctx, result, form).await
}

async fn finish(app: &App, ctx: &Ctx, result: Result<i32, Error>, form: YearForm) -> Result<Response, PageError> {
    match result {
        Ok(year) => Ok(Redirect::to(&format!("/admin/calendars?saved={year}")).into_response()),
        Err(Error::Invalid(fields)) => {
            let mut view = page(app, ctx).await?;
            view.error = fields.first().map(|f| view.shell.msg(&f.msg));
            view.source = form.source;
            view.ical_year = form.year;
            view.ics = form.ics;
            Ok(render_invalid(&view))
        }
        Err(other) => Err(other.into()),
    }
}
