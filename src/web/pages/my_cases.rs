//! The citizen's "my cases": every case sent with a mobile number, for whoever
//! also holds the tracking code of one of them. Posted, so the number stays out
//! of addresses and logs.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Shell, render, render_invalid, urlencode};
use crate::actions::cases;
use crate::app::App;
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError};

#[derive(Template)]
#[template(path = "my_cases.html")]
struct MyCasesPage<'a> {
    shell: Shell<'a>,
    fields: MineFields,
    errors: Vec<(String, String)>,
    /// `None` before the form is sent.
    cases: Option<Vec<Line>>,
}

impl MyCasesPage<'_> {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

struct Line {
    href: String,
    code: String,
    title: String,
    state: String,
    at: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct MineFields {
    mobile: String,
    code: String,
}

/// `GET /track/mine`: the form (mobile number and one tracking code).
pub async fn form(State(app): State<App>, ctx: Ctx) -> Response {
    let page = MyCasesPage {
        shell: Shell::new(&app, &ctx, "my-cases-title"),
        fields: MineFields::default(),
        errors: Vec::new(),
        cases: None,
    };
    render(&page)
}

/// `POST /track/mine`: the list, or the form again with the message in place.
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    CsrfForm(fields): CsrfForm<MineFields>,
) -> Result<Response, PageError> {
    let shell = Shell::new(&app, &ctx, "my-cases-title");
    match cases::my_cases(&app, &fields.mobile, &fields.code).await {
        Ok(found) => {
            let cases = found
                .into_iter()
                .map(|c| Line {
                    href: format!("/track/{}", urlencode(&c.tracking_code)),
                    state: shell.t(&format!("state-{}", c.state.as_str())),
                    at: super::admin::china_time(c.created_at),
                    code: c.tracking_code,
                    title: c.title,
                })
                .collect();
            Ok(render(&MyCasesPage { shell, fields, errors: Vec::new(), cases: Some(cases) }))
        }
        Err(Error::Invalid(errors)) => {
            let errors = errors.iter().map(|e| (e.field.clone(), shell.msg(&e.msg))).collect();
            Ok(render_invalid(&MyCasesPage { shell, fields, errors, cases: None }))
        }
        Err(other) => Err(other.into()),
    }
}
