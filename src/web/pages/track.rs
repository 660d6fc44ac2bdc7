//! The citizen's side: following a case by its tracking code, and the moves
//! the citizen may make there (add information, rate, withdraw).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::case_view::{MoveForm, Returned, category_label, date_text, grade_label, move_forms};
use super::cases::{rendered_with_status, version_of};
use super::{Shell, render, urlencode};
use crate::actions::cases::{self, CaseDetail, CaseRef, Who, parse_move};
use crate::app::App;
use crate::domain::FieldError;
use crate::domain::case::{CaseState, normalize_tracking_code};
use crate::domain::workflow::MoveKind;
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError};
use crate::web::error;

#[derive(Template)]
#[template(path = "track_form.html")]
struct TrackForm<'a> {
    shell: Shell<'a>,
    code: String,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CodeQuery {
    code: String,
}

/// `GET /track`: a form to type a tracking code; with `?code=` it goes to that case.
pub async fn track_form(State(app): State<App>, ctx: Ctx, Query(query): Query<CodeQuery>) -> Response {
    let typed = query.code.trim();
    if let Some(code) = normalize_tracking_code(typed) {
        return Redirect::to(&format!("/track/{}", urlencode(&code))).into_response();
    }
    let shell = Shell::new(&app, &ctx, "track-title");
    let error = (!typed.is_empty()).then(|| shell.t("err-tracking-code"));
    let page = TrackForm { code: typed.to_string(), error, shell };
    if page.error.is_some() { super::render_invalid(&page) } else { render(&page) }
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage<'a> {
    shell: Shell<'a>,
    code: String,
    state: String,
    steps: Vec<Step>,
    ended: Option<String>,
    facts: Vec<(String, String)>,
    body: String,
    question: String,
    answer: String,
    history: Vec<PublicEntry>,
    forms: Vec<MoveForm>,
    files: Vec<super::case_view::FileView>,
    done: Option<String>,
    problem: Option<String>,
}

struct Step {
    label: String,
    status: &'static str,
    status_text: String,
}

struct PublicEntry {
    at: String,
    what: String,
    note: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// `GET /track/{code}`: the public view of one case.
pub async fn track_page(
    State(app): State<App>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let detail = cases::track(&app, &code).await?;
    let shell = Shell::new(&app, &ctx, "track-title");
    let done = MoveKind::parse(&done.done).map(|kind| shell.t(&format!("citizen-done-{}", kind.as_str())));
    let mut page = track_view(&app, shell, &detail, None);
    page.done = done;
    Ok(render(&page))
}

/// Where the case stands on the way 已受理 → 办理中 → 已答复 → 已办结; `None`
/// when it left that way (withdrawn or merged).
fn progress(state: CaseState) -> Option<usize> {
    match state {
        CaseState::Received | CaseState::Acknowledged | CaseState::AwaitingInfo => Some(0),
        CaseState::Forwarded => Some(1),
        CaseState::Answered => Some(2),
        CaseState::Closed => Some(3),
        CaseState::Withdrawn | CaseState::Merged => None,
    }
}

fn track_view<'a>(app: &App, shell: Shell<'a>, detail: &CaseDetail, returned: Option<&Returned<'_>>) -> TrackPage<'a> {
    let case = &detail.case;
    let reached = progress(case.state);
    let steps = ["step-received", "step-handling", "step-answered", "step-closed"]
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let status = match reached {
                Some(r) if i < r || (i == r && case.state.is_final()) => "done",
                Some(r) if i == r => "current",
                _ => "todo",
            };
            Step { label: shell.t(key), status, status_text: shell.t(&format!("step-status-{status}")) }
        })
        .collect();
    let name = if case.citizen_name.is_empty() { shell.t("citizen-anonymous") } else { case.citizen_name.clone() };
    let mut facts = vec![
        (shell.t("field-category"), category_label(&shell, &case.category)),
        (shell.t("field-submitted-at"), super::admin::china_time(case.created_at)),
        (shell.t("field-citizen"), name),
    ];
    if !case.citizen_mobile.is_empty() {
        facts.push((shell.t("field-mobile"), case.citizen_mobile.clone()));
    }
    if case.state.is_open() {
        facts.push((shell.t("field-answer-due"), date_text(case.answer_due)));
    }
    if let Some(until) = case.rating_until.filter(|_| case.state == CaseState::Answered) {
        facts.push((shell.t("field-rating-until"), date_text(Some(until))));
    }
    if let Some(grade) = case.citizen_grade {
        facts.push((shell.t("field-citizen-grade"), grade_label(&shell, grade)));
    }
    let question = if case.state == CaseState::AwaitingInfo {
        detail.events.iter().rev().find(|e| e.kind == "request_info").map(|e| e.note.clone()).unwrap_or_default()
    } else {
        String::new()
    };
    let history = detail
        .events
        .iter()
        .map(|e| PublicEntry {
            at: super::admin::china_time(e.at),
            what: shell.t(&format!("event-{}", e.kind)),
            note: e.note.clone(),
        })
        .collect();
    let base = format!("/track/{}", urlencode(&case.tracking_code));
    let forms = move_forms(&shell, detail, &base, app.policy().assignment_days, returned);
    TrackPage {
        code: case.tracking_code.clone(),
        state: shell.t(&format!("state-{}", case.state.as_str())),
        steps,
        ended: reached.is_none().then(|| shell.t(&format!("track-ended-{}", case.state.as_str()))),
        facts,
        body: case.body.clone(),
        question,
        answer: case.answer.clone(),
        history,
        forms,
        files: super::case_view::file_views(&shell, &base, detail),
        done: None,
        problem: None,
        shell,
    }
}

/// `POST /track/{code}/moves/{kind}`: the citizen's move, then back to the page.
pub async fn citizen_move(
    State(app): State<App>,
    ctx: Ctx,
    Path((code, kind)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let kind = MoveKind::parse(&kind).ok_or(Error::NotFound)?;
    let version = version_of(&fields)?;
    let result = match parse_move(&app, kind, &fields) {
        Ok(mv) => cases::act(&app, Who::Citizen, CaseRef::TrackingCode(&code), version, mv).await.map(|_| ()),
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match result {
        Ok(()) => {
            let code = normalize_tracking_code(&code).unwrap_or(code);
            Ok(Redirect::to(&format!("/track/{}?done={}", urlencode(&code), kind.as_str())).into_response())
        }
        Err(failure @ (Error::Invalid(_) | Error::Conflict(_))) => {
            let detail = cases::track(&app, &code).await?;
            let shell = Shell::new(&app, &ctx, "track-title");
            let errors: &[FieldError] = match &failure {
                Error::Invalid(errors) => errors,
                _ => &[],
            };
            let returned = Returned { kind, assignment_id: "", values: &fields, errors };
            let mut page = track_view(&app, shell, &detail, Some(&returned));
            page.problem = Some(error::message(app.i18n(), ctx.lang, &failure));
            Ok(rendered_with_status(&failure, &page))
        }
        Err(other) => Err(other.into()),
    }
}
