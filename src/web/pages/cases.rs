//! The staff side of the closed loop: the inbox, the case page, and its moves.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::case_view::{
    MoveForm, Returned, TimelineEntry, category_label, channel_label, date_text, grade_label, move_forms, role_label,
    timeline,
};
use super::{Shell, render};
use crate::actions::cases::{
    self, CaseDetail, CaseNarrowing, CaseRef, Inbox, InboxQuery, InboxStatus, NarrowingFields, Who, parse_move,
};
use crate::app::App;
use crate::domain::case::{Case, Channel};
use crate::domain::workflow::{MoveKind, Party};
use crate::domain::{FieldError, Msg};
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError};
use crate::web::error;

#[derive(Template)]
#[template(path = "cases.html")]
struct InboxPage<'a> {
    shell: Shell<'a>,
    filters: Vec<FilterLink>,
    status: &'static str,
    /// The channel and due date filters, kept by the export buttons.
    channel: &'static str,
    due_by: String,
    region: String,
    /// The narrowing of a cockpit figure, kept as hidden fields of the channel form.
    narrow_fields: Vec<(&'static str, String)>,
    /// What the narrowing means, in words (empty when none).
    narrow_text: String,
    channels: Vec<ChannelChoice>,
    summary: String,
    total: i64,
    rows: Vec<CaseRow>,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

struct FilterLink {
    href: String,
    label: String,
    count: i64,
    current: bool,
}

struct ChannelChoice {
    value: &'static str,
    label: String,
    selected: bool,
}

struct CaseRow {
    href: String,
    code: String,
    title: String,
    state: String,
    channel: String,
    due: String,
    overdue: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct InboxParams {
    status: String,
    due_by: String,
    channel: String,
    page: String,
    region: String,
    #[serde(flatten)]
    narrow: NarrowingFields,
}

/// `GET /cases`: the signed-in person's cases, the next deadline first.
pub async fn inbox(State(app): State<App>, ctx: Ctx, Query(params): Query<InboxParams>) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let mut query = InboxQuery::parse(&params.status, &params.due_by, &params.channel, params.page.parse().ok())?;
    query.region_id = params.region.trim().to_string();
    query.narrow = CaseNarrowing::parse(&params.narrow)?;
    let inbox = cases::inbox(&app, actor, &query).await?;
    let shell = Shell::new(&app, &ctx, "cases-title");
    Ok(render(&inbox_page(shell, &query, &inbox)))
}

fn inbox_page<'a>(shell: Shell<'a>, query: &InboxQuery, inbox: &Inbox) -> InboxPage<'a> {
    let channel = query.channel.map(Channel::as_str).unwrap_or_default();
    let href = |status: InboxStatus, page: i64| {
        let mut href = format!("/cases?status={}", status.as_str());
        if !channel.is_empty() {
            href.push_str(&format!("&channel={channel}"));
        }
        if let Some(due_by) = query.due_by {
            href.push_str(&format!("&due_by={due_by}"));
        }
        if !query.region_id.is_empty() {
            href.push_str(&format!("&region={}", super::urlencode(&query.region_id)));
        }
        href.push_str(&query.narrow.query());
        if page > 1 {
            href.push_str(&format!("&page={page}"));
        }
        href
    };
    let filters = inbox
        .counts
        .iter()
        .map(|(status, count)| FilterLink {
            href: href(*status, 1),
            label: shell.t(&format!("inbox-{}", status.as_str())),
            count: *count,
            current: *status == query.status,
        })
        .collect();
    let channels =
        std::iter::once(ChannelChoice { value: "", label: shell.t("channel-all"), selected: channel.is_empty() })
            .chain(Channel::ALL.iter().map(|c| ChannelChoice {
                value: c.as_str(),
                label: channel_label(&shell, *c),
                selected: c.as_str() == channel,
            }))
            .collect();
    let rows = inbox.cases.items.iter().map(|case| case_row(&shell, case, inbox.today)).collect();
    let size = inbox.page.size;
    let pages = ((inbox.cases.total + size - 1) / size).max(1);
    let number = inbox.page.number;
    InboxPage {
        filters,
        status: query.status.as_str(),
        channel,
        due_by: query.due_by.map(|d| d.to_string()).unwrap_or_default(),
        region: query.region_id.clone(),
        narrow_fields: query.narrow.pairs(),
        narrow_text: narrow_text(&shell, &query.narrow),
        total: inbox.cases.total,
        channels,
        summary: shell.msg(&Msg::new("cases-summary").with("total", inbox.cases.total)),
        rows,
        page_label: shell.msg(&Msg::new("page-of").with("page", number).with("pages", pages)),
        prev_href: (number > 1).then(|| href(query.status, number - 1)),
        next_href: (number < pages).then(|| href(query.status, number + 1)),
        shell,
    }
}

/// "Received 2026-01-01 to 2026-03-31 · answered · containing 路灯", as the list's heading says it.
fn narrow_text(shell: &Shell<'_>, n: &CaseNarrowing) -> String {
    if n.is_empty() {
        return String::new();
    }
    let f = &n.fields;
    let mut parts = Vec::new();
    if !f.from.is_empty() || !f.to.is_empty() {
        parts.push(shell.msg(&Msg::new("cases-narrow-period").with("from", f.from.clone()).with("to", f.to.clone())));
    }
    if !f.counted.is_empty() {
        parts.push(shell.t(&format!("cockpit-{}", f.counted.replace('_', "-"))));
    }
    if !f.category.is_empty() {
        parts.push(category_label(shell, &f.category));
    }
    if !f.q.is_empty() {
        parts.push(shell.msg(&Msg::new("cases-narrow-words").with("words", f.q.clone())));
    }
    if !f.unit.is_empty() || !f.rep.is_empty() || !f.department.is_empty() || !f.here.is_empty() {
        parts.push(shell.t("cases-narrow-addressed"));
    }
    shell.msg(&Msg::new("cases-narrowed").with("what", parts.join(" · ")))
}

fn case_row(shell: &Shell<'_>, case: &Case, today: chrono::NaiveDate) -> CaseRow {
    CaseRow {
        href: format!("/cases/{}", case.id),
        code: case.tracking_code.clone(),
        title: case.title.clone(),
        state: shell.t(&format!("state-{}", case.state.as_str())),
        channel: channel_label(shell, case.channel),
        due: date_text(case.next_due()),
        overdue: case.is_overdue(today),
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage<'a> {
    shell: Shell<'a>,
    code: String,
    state: String,
    facts: Vec<(String, String)>,
    overdue: bool,
    body: String,
    answer: String,
    assignments: Vec<AssignmentView>,
    forms: Vec<MoveForm>,
    files: Vec<super::case_view::FileView>,
    timeline: Vec<TimelineEntry>,
    done: Option<String>,
    problem: Option<String>,
}

struct AssignmentView {
    department: String,
    role: String,
    state: String,
    due: String,
    overdue: bool,
    requested_due: String,
    note: String,
    result: String,
    grade: String,
    rework_count: i64,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// `GET /cases/{id}`: the case, its history, and a form for each move allowed now.
pub async fn case_page(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let detail = cases::detail(&app, actor, &id).await?;
    let shell = Shell::new(&app, &ctx, "case-title");
    let done = MoveKind::parse(&done.done)
        .map(|kind| shell.msg(&Msg::new("move-done").with("move", shell.t(&format!("move-{}", kind.as_str())))));
    let mut page = case_page_view(&app, shell, &detail, None);
    page.done = done;
    Ok(render(&page))
}

fn case_page_view<'a>(
    app: &App,
    shell: Shell<'a>,
    detail: &CaseDetail,
    returned: Option<&Returned<'_>>,
) -> CasePage<'a> {
    let case = &detail.case;
    let today = app.today();
    let mut shell = shell;
    shell.title = case.title.clone();
    let name = if case.anonymous || case.citizen_name.is_empty() {
        shell.t("citizen-anonymous")
    } else {
        case.citizen_name.clone()
    };
    let receiving = matches!(detail.party, Some(Party::Receiver | Party::Office));
    let mut facts = vec![
        (shell.t("field-tracking-code"), case.tracking_code.clone()),
        (shell.t("field-state"), shell.t(&format!("state-{}", case.state.as_str()))),
        (shell.t("field-category"), category_label(&shell, &case.category)),
        (shell.t("field-channel"), channel_label(&shell, case.channel)),
        (shell.t("field-submitted-at"), super::admin::china_time(case.created_at)),
        (shell.t("field-citizen"), name),
        (shell.t("field-mobile"), case.citizen_mobile.clone()),
        (shell.t("field-ack-due"), date_text(Some(case.ack_due))),
        (shell.t("field-answer-due"), date_text(case.answer_due)),
    ];
    if receiving && !case.address.is_empty() {
        facts.push((shell.t("field-address"), case.address.clone()));
    }
    if receiving && let Some(location) = case.location {
        facts.push((shell.t("field-location"), location.text()));
    }
    if case.reopen_count > 0 {
        facts.push((shell.t("field-reopen-count"), case.reopen_count.to_string()));
    }
    if let Some(grade) = case.citizen_grade {
        facts.push((shell.t("field-citizen-grade"), grade_label(&shell, grade)));
    }
    let assignments = detail
        .assignments
        .iter()
        .map(|a| AssignmentView {
            department: a.department_name.clone(),
            role: role_label(&shell, a.role),
            state: shell.t(&format!("astate-{}", a.state.as_str())),
            due: date_text(Some(a.due)),
            overdue: a.is_overdue(today),
            requested_due: date_text(a.requested_due),
            note: a.note.clone(),
            result: a.result.clone(),
            grade: a.grade.map(|g| grade_label(&shell, g)).unwrap_or_default(),
            rework_count: a.rework_count,
        })
        .collect();
    let base = format!("/cases/{}", case.id);
    let forms = move_forms(&shell, detail, &base, app.policy().assignment_days, returned);
    CasePage {
        code: case.tracking_code.clone(),
        state: shell.t(&format!("state-{}", case.state.as_str())),
        facts,
        overdue: case.is_overdue(today),
        body: case.body.clone(),
        answer: case.answer.clone(),
        assignments,
        forms,
        files: super::case_view::file_views(&shell, &base, detail),
        timeline: timeline(&shell, detail),
        done: None,
        problem: None,
        shell,
    }
}

/// `POST /cases/{id}/moves/{kind}`: one move, then back to the case (PRG). A stale
/// version or a move no longer open shows the fresh page with the reason; bad
/// input shows the form again with what was typed.
pub async fn make_move(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, kind)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let kind = MoveKind::parse(&kind).ok_or(Error::NotFound)?;
    let version = version_of(&fields)?;
    let result = match parse_move(&app, kind, &fields) {
        Ok(mv) => cases::act(&app, Who::Staff(actor), CaseRef::Id(&id), version, mv).await.map(|_| ()),
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?done={}", kind.as_str())).into_response()),
        Err(failure @ (Error::Invalid(_) | Error::Conflict(_))) => {
            let detail = cases::detail(&app, actor, &id).await?;
            let shell = Shell::new(&app, &ctx, "case-title");
            let errors: &[FieldError] = match &failure {
                Error::Invalid(errors) => errors,
                _ => &[],
            };
            let assignment_id = fields.get("assignment_id").map(String::as_str).unwrap_or_default();
            let returned = Returned { kind, assignment_id, values: &fields, errors };
            let mut page = case_page_view(&app, shell, &detail, Some(&returned));
            page.problem = Some(error::message(app.i18n(), ctx.lang, &failure));
            Ok(rendered_with_status(&failure, &page))
        }
        Err(other) => Err(other.into()),
    }
}

/// The hidden `version` of a form: the case as the person saw it.
pub fn version_of(fields: &BTreeMap<String, String>) -> Result<Option<i64>, Error> {
    match fields.get("version").map(|v| v.trim()).unwrap_or_default() {
        "" => Ok(None),
        raw => raw.parse().map(Some).map_err(|_| Error::invalid("version", Msg::new("err-form"))),
    }
}

/// A page that explains a refused request, with the refusal's status.
pub fn rendered_with_status<T: Template>(failure: &Error, page: &T) -> Response {
    match page.render() {
        Ok(body) => error::page_error(failure, body),
        Err(cause) => error::render_failed(cause),
    }
}
