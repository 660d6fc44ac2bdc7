//! A citizen sends an opinion to a representative or a unit, and gets a
//! tracking code. Works with JavaScript off; a retried form makes one case.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use super::case_view::{Choice, category_choices};
use super::{Shell, render, render_invalid, urlencode};
use crate::actions::{accounts, cases};
use crate::app::App;
use crate::domain::FieldError;
use crate::domain::case::{Addressee, CaseFields, Channel};
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError};

#[derive(Template)]
#[template(path = "submit.html")]
struct SubmitPage<'a> {
    shell: Shell<'a>,
    to_name: String,
    fields: CaseFields,
    categories: Vec<Choice>,
    errors: Vec<(String, String)>,
}

impl SubmitPage<'_> {
    /// The message for `field`, if it was wrong.
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    fn anonymous(&self) -> bool {
        !self.fields.anonymous.is_empty()
    }
}

#[derive(Template)]
#[template(path = "submitted.html")]
struct SubmittedPage<'a> {
    shell: Shell<'a>,
    code: String,
    track_href: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct To {
    unit: String,
    representative: String,
}

fn addressee_of(representative_id: &str, unit_id: &str) -> Result<Addressee, Error> {
    match (representative_id.trim(), unit_id.trim()) {
        (rep, "") if !rep.is_empty() => Ok(Addressee::Representative(rep.to_string())),
        ("", unit) if !unit.is_empty() => Ok(Addressee::Unit(unit.to_string())),
        _ => Err(Error::NotFound),
    }
}

fn page<'a>(shell: Shell<'a>, to_name: String, fields: CaseFields, errors: &[FieldError]) -> SubmitPage<'a> {
    let categories = category_choices(&shell, &fields.category);
    let errors = errors.iter().map(|e| (e.field.clone(), shell.msg(&e.msg))).collect();
    SubmitPage { to_name, fields, categories, errors, shell }
}

/// `GET /submit?unit=…` or `?representative=…`: the form, with a fresh client
/// token so that sending it twice makes one case.
pub async fn submit_form(State(app): State<App>, ctx: Ctx, Query(to): Query<To>) -> Result<Response, PageError> {
    let addressee = addressee_of(&to.representative, &to.unit)?;
    let target = cases::addressee(&app, &addressee).await?;
    let fields = CaseFields {
        representative_id: to.representative.trim().to_string(),
        unit_id: if to.representative.trim().is_empty() { to.unit.trim().to_string() } else { String::new() },
        client_token: accounts::random_token(),
        ..CaseFields::default()
    };
    Ok(render(&page(Shell::new(&app, &ctx, "submit-title"), target.name, fields, &[])))
}

/// `POST /submit`: the case is made (or found again by its client token) and its
/// tracking code shown; wrong input shows the form again as typed.
pub async fn submit(
    State(app): State<App>,
    ctx: Ctx,
    CsrfForm(mut fields): CsrfForm<CaseFields>,
) -> Result<Response, PageError> {
    fields.channel = Channel::Web.as_str().to_string();
    match cases::submit(&app, &fields).await {
        Ok(submitted) => {
            let page = SubmittedPage {
                shell: Shell::new(&app, &ctx, "submitted-title"),
                track_href: format!("/track/{}", urlencode(&submitted.tracking_code)),
                code: submitted.tracking_code,
            };
            Ok(render(&page))
        }
        Err(Error::Invalid(errors)) => {
            let addressee = addressee_of(&fields.representative_id, &fields.unit_id)?;
            let target = cases::addressee(&app, &addressee).await?;
            Ok(render_invalid(&page(Shell::new(&app, &ctx, "submit-title"), target.name, fields, &errors)))
        }
        Err(other) => Err(other.into()),
    }
}
