//! The closed loop as JSON: cases, their events, and the citizen's tracking view.
//! The shapes live in [`case_json`], [`summary_json`] and [`public_json`] only.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::actions::cases::{self, CaseDetail, CaseRef, InboxQuery, Who, parse_move};
use crate::app::App;
use crate::domain::Msg;
use crate::domain::attachment::Upload;
use crate::domain::case::{Case, CaseEvent, CaseFields, Channel};
use crate::domain::workflow::MoveKind;
use crate::error::Error;
use crate::web::api::ApiJson;
use crate::web::api::body::{ApiQuery, cursor_of, key_of_cursor, parse_json};
use crate::web::auth::{ApiError, Ctx};
use crate::web::error;
use crate::web::pages::submit::read_file_part;

/// A time as ISO 8601 in China Standard Time.
pub fn iso_time(millis: i64) -> Value {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| json!(t.with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)))
        .unwrap_or(Value::Null)
}

fn opt_time(millis: Option<i64>) -> Value {
    millis.map(iso_time).unwrap_or(Value::Null)
}

fn allowed_json(detail: &CaseDetail) -> Vec<Value> {
    detail
        .allowed
        .iter()
        .map(|(kind, assignment_id)| match assignment_id {
            Some(id) => json!({"event": kind.as_str(), "assignment_id": id}),
            None => json!({"event": kind.as_str()}),
        })
        .collect()
}

fn event_json(event: &CaseEvent) -> Value {
    json!({
        "seq": event.seq,
        "at": iso_time(event.at),
        "actor_kind": event.actor_kind,
        "actor_name": event.actor_name,
        "event": event.kind,
        "assignment_id": if event.assignment_id.is_empty() { Value::Null } else { json!(event.assignment_id) },
        "note": event.note,
        "data": serde_json::from_str::<Value>(&event.data).unwrap_or(Value::Null),
    })
}

/// A case in a list.
pub fn summary_json(case: &Case, today: chrono::NaiveDate) -> Value {
    json!({
        "id": case.id,
        "tracking_code": case.tracking_code,
        "title": case.title,
        "state": case.state.as_str(),
        "channel": case.channel.as_str(),
        "category": case.category,
        "due": case.next_due().map(|d| d.to_string()),
        "overdue": case.is_overdue(today),
        "created_at": iso_time(case.created_at),
        "version": case.version,
    })
}

/// A case as a signed-in person sees it: state, deadlines, assignments, history
/// and the events the caller may send now.
pub fn case_json(detail: &CaseDetail, today: chrono::NaiveDate) -> Value {
    let case = &detail.case;
    let assignments: Vec<Value> = detail
        .assignments
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "department_id": a.department_id,
                "department_name": a.department_name,
                "role": a.role.as_str(),
                "state": a.state.as_str(),
                "due": a.due.to_string(),
                "overdue": a.is_overdue(today),
                "requested_due": a.requested_due.map(|d| d.to_string()),
                "note": a.note,
                "result": a.result,
                "grade": a.grade.map(|g| g.as_str()),
                "rework_count": a.rework_count,
                "returned": a.returned,
            })
        })
        .collect();
    let choices: Vec<Value> = detail
        .forward_choices
        .iter()
        .map(|d| json!({"id": d.id, "code": d.input.code, "name": d.input.name, "region_name": d.region_name}))
        .collect();
    json!({
        "id": case.id,
        "tracking_code": case.tracking_code,
        "version": case.version,
        "state": case.state.as_str(),
        "channel": case.channel.as_str(),
        "category": case.category,
        "title": case.title,
        "body": case.body,
        "citizen": {"name": case.citizen_name, "mobile": case.citizen_mobile, "anonymous": case.anonymous,
            "address": case.address},
        "ack_due": case.ack_due.to_string(),
        "answer_due": case.answer_due.map(|d| d.to_string()),
        "overdue": case.is_overdue(today),
        "acknowledged_at": opt_time(case.acknowledged_at),
        "answer": case.answer,
        "answered_at": opt_time(case.answered_at),
        "rating_until": case.rating_until.map(|d| d.to_string()),
        "citizen_grade": case.citizen_grade.map(|g| g.as_str()),
        "reopen_count": case.reopen_count,
        "merged_into": case.merged_into,
        "created_at": iso_time(case.created_at),
        "updated_at": iso_time(case.updated_at),
        "closed_at": opt_time(case.closed_at),
        "party": detail.party.as_ref().map(|p| p.kind()),
        "assignments": assignments,
        "history": detail.events.iter().map(event_json).collect::<Vec<_>>(),
        "allowed_events": allowed_json(detail),
        "forward_choices": choices,
    })
}

/// A case as the holder of its tracking code sees it (the action has already
/// taken out personal data and work notes).
pub fn public_json(detail: &CaseDetail) -> Value {
    let case = &detail.case;
    let history: Vec<Value> =
        detail.events.iter().map(|e| json!({"at": iso_time(e.at), "event": e.kind, "note": e.note})).collect();
    json!({
        "tracking_code": case.tracking_code,
        "version": case.version,
        "state": case.state.as_str(),
        "category": case.category,
        "channel": case.channel.as_str(),
        "title": case.title,
        "body": case.body,
        "citizen": {"name": case.citizen_name, "mobile": case.citizen_mobile},
        "ack_due": case.ack_due.to_string(),
        "answer_due": case.answer_due.map(|d| d.to_string()),
        "answer": case.answer,
        "answered_at": opt_time(case.answered_at),
        "rating_until": case.rating_until.map(|d| d.to_string()),
        "citizen_grade": case.citizen_grade.map(|g| g.as_str()),
        "reopen_count": case.reopen_count,
        "created_at": iso_time(case.created_at),
        "closed_at": opt_time(case.closed_at),
        "history": history,
        "allowed_events": allowed_json(detail),
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NewCase {
    channel: String,
    representative_id: String,
    unit_id: String,
    category: String,
    body: String,
    name: String,
    mobile: String,
    anonymous: bool,
    address: String,
    client_token: String,
    /// The citizen agreed to the privacy notice: required without a signed-in caller.
    consent: bool,
}

/// `POST /api/v1/cases`: 201 with `{"id", "tracking_code"}`; the same client token
/// (or `Idempotency-Key`) again gives 200 with the same case. Without a signed-in
/// caller it is the citizen's form as JSON: `consent: true` is required, and the
/// form's limits per address and per mobile number apply. As `multipart/form-data`
/// it carries the citizen's photos and voice message too: the JSON in a part named
/// `case`, files in parts named `photos` and `voice`, checked as the form's are.
pub async fn create(State(app): State<App>, ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let header_key =
        request.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (new, uploads) = if multipart {
        let form =
            Multipart::from_request(request, &app).await.map_err(|_| Error::invalid("body", Msg::new("err-form")))?;
        read_case_parts(form).await?
    } else {
        let ApiJson(new) = ApiJson::<NewCase>::from_request(request, &app).await?;
        (new, Vec::new())
    };
    let fields = CaseFields {
        channel: if new.channel.is_empty() { Channel::Api.as_str().to_string() } else { new.channel },
        representative_id: new.representative_id,
        unit_id: new.unit_id,
        category: new.category,
        body: new.body,
        name: new.name,
        mobile: new.mobile,
        anonymous: if new.anonymous { "yes" } else { "no" }.to_string(),
        address: new.address,
        client_token: if new.client_token.is_empty() { header_key } else { new.client_token },
        ..Default::default()
    };
    let submitted = match &ctx.actor {
        // Staff enter what they were told (a reception day, a call): the pages take no files from them either.
        Some(_) if !uploads.is_empty() => {
            return Err(Error::invalid("photos", Msg::new("err-api-files-citizen")).into());
        }
        Some(actor) => cases::submit_for(&app, actor, &fields).await?,
        None => cases::submit_with_files(&app, &fields, uploads, &ctx.address, new.consent).await?,
    };
    let body = json!({"id": submitted.case_id, "tracking_code": submitted.tracking_code});
    Ok(if submitted.created { error::created(body) } else { Json(body).into_response() })
}

/// The parts of a multipart case: the JSON in `case`, the files in `photos` and
/// `voice` (a file over its limit is read to its end, not kept, and refused by the
/// same check as the form's); any other part is refused by name.
async fn read_case_parts(mut form: Multipart) -> Result<(NewCase, Vec<Upload>), Error> {
    let mut new = None;
    let mut uploads = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(|_| Error::TooLarge)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "case" => {
                let bytes = field.bytes().await.map_err(|_| Error::TooLarge)?;
                if bytes.len() > crate::web::api::body::MAX_JSON_BYTES {
                    return Err(Error::TooLarge);
                }
                new = Some(parse_json::<NewCase>(&bytes)?);
            }
            "photos" | "voice" => {
                uploads.push(read_file_part(name, &mut field).await.ok_or(Error::TooLarge)?);
            }
            other => {
                return Err(Error::invalid(
                    other,
                    Msg::new("err-json-unknown-field").with("name", format!("\"{other}\"")),
                ));
            }
        }
    }
    let new = new.ok_or_else(|| Error::invalid("case", Msg::new("err-required")))?;
    Ok((new, uploads))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    status: String,
    due_by: String,
    channel: String,
    page: String,
    cursor: String,
}

/// `GET /api/v1/cases`: the caller's inbox, a page at a time; `next_cursor` (a
/// keyset cursor) or `page` reads the next.
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    let page = match params.page.trim() {
        "" => None,
        raw => Some(raw.parse().map_err(|_| Error::invalid("page", Msg::new("err-page")))?),
    };
    let mut query = InboxQuery::parse(&params.status, &params.due_by, &params.channel, page)?;
    if !params.cursor.trim().is_empty() {
        query.after = Some(key_of_cursor(&params.cursor)?);
    }
    let inbox = cases::inbox(&app, actor, &query).await?;
    let items: Vec<Value> = inbox.cases.items.iter().map(|c| summary_json(c, inbox.today)).collect();
    let next_cursor = inbox.next.as_ref().map(cursor_of);
    // A page number means something only when the page was not reached by a cursor.
    let page = if query.after.is_some() { Value::Null } else { json!(inbox.page.number) };
    Ok(Json(json!({"items": items, "total": inbox.cases.total, "page": page,
        "page_size": inbox.page.size, "next_cursor": next_cursor})))
}

/// `GET /api/v1/cases/{id}`.
pub async fn get(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    let detail = cases::detail(&app, actor, &id).await?;
    Ok(Json(case_json(&detail, app.today())))
}

/// One event sent to a case: its name, the version the caller saw (optional),
/// and the fields of that move.
#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct EventBody {
    event: String,
    version: Option<i64>,
    assignment_id: Option<String>,
    answer: Option<String>,
    question: Option<String>,
    note: Option<String>,
    into: Option<String>,
    reason: Option<String>,
    new_due: Option<String>,
    result: Option<String>,
    grade: Option<String>,
    text: Option<String>,
    assignments: Vec<NewAssignmentBody>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NewAssignmentBody {
    department_id: String,
    role: String,
    due: String,
    due_days: Option<u32>,
    note: String,
}

/// An event as the shared parser reads it.
struct SentEvent {
    kind: MoveKind,
    version: Option<i64>,
    fields: BTreeMap<String, String>,
}

/// The event's move kind and its fields as the shared parser reads them.
fn fields_of(body: EventBody) -> Result<SentEvent, Error> {
    let kind = MoveKind::parse(body.event.trim()).ok_or_else(|| Error::invalid("event", Msg::new("err-event")))?;
    let mut fields = BTreeMap::new();
    let named = [
        ("assignment_id", body.assignment_id),
        ("answer", body.answer),
        ("question", body.question),
        ("note", body.note),
        ("into", body.into),
        ("reason", body.reason),
        ("new_due", body.new_due),
        ("result", body.result),
        ("grade", body.grade),
        ("text", body.text),
    ];
    for (name, value) in named {
        if let Some(value) = value {
            fields.insert(name.to_string(), value);
        }
    }
    if body.assignments.len() > cases::MAX_FORWARD_ROWS {
        let msg = Msg::new("err-too-many").with("max", cases::MAX_FORWARD_ROWS);
        return Err(Error::invalid("assignments", msg));
    }
    for (n, a) in body.assignments.into_iter().enumerate() {
        fields.insert(cases::row_field("department_id", n), a.department_id);
        fields.insert(cases::row_field("role", n), a.role);
        fields.insert(cases::row_field("due", n), a.due);
        fields.insert(cases::row_field("due_days", n), a.due_days.map(|d| d.to_string()).unwrap_or_default());
        fields.insert(cases::row_field("note", n), a.note);
    }
    Ok(SentEvent { kind, version: body.version, fields })
}

/// `POST /api/v1/cases/{id}/events`: one move; the case as `GET` returns it.
pub async fn event(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EventBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = ctx.staff()?;
    let sent = fields_of(body)?;
    let mv = parse_move(&app, sent.kind, &sent.fields)?;
    let detail = cases::act(&app, Who::Staff(actor), CaseRef::Id(&id), sent.version, mv).await?;
    Ok(Json(case_json(&detail, app.today())))
}

/// `GET /api/v1/track/{code}`: the public view.
pub async fn track(State(app): State<App>, Path(code): Path<String>) -> Result<Json<Value>, ApiError> {
    let detail = cases::track(&app, &code).await?;
    Ok(Json(public_json(&detail)))
}

/// `POST /api/v1/track/{code}/events`: the citizen's move (add information, rate, withdraw).
pub async fn track_event(
    State(app): State<App>,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<EventBody>,
) -> Result<Json<Value>, ApiError> {
    let sent = fields_of(body)?;
    let mv = parse_move(&app, sent.kind, &sent.fields)?;
    let detail = cases::act(&app, Who::Citizen, CaseRef::TrackingCode(&code), sent.version, mv).await?;
    Ok(Json(public_json(&detail)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MineBody {
    mobile: String,
    code: String,
}

/// `POST /api/v1/track/mine` `{"mobile", "code"}`: every case sent with that mobile
/// number, for the holder of one of their tracking codes (nothing personal).
pub async fn my_cases(State(app): State<App>, ApiJson(body): ApiJson<MineBody>) -> Result<Json<Value>, ApiError> {
    let found = cases::my_cases(&app, &body.mobile, &body.code).await?;
    let items: Vec<Value> = found
        .iter()
        .map(|c| {
            json!({"tracking_code": c.tracking_code, "title": c.title, "state": c.state.as_str(),
                "created_at": iso_time(c.created_at)})
        })
        .collect();
    Ok(Json(json!({"items": items, "next_cursor": null})))
}
