//! Open311 GeoReport v2 at `/open311/v2`, in `.xml` and `.json`: discovery,
//! services (case categories), service definitions, requests (cases) and their
//! lookup. Errors follow the spec: 403 for a key problem, 404 for an unknown
//! resource, 400 otherwise, with the `errors` body in the asked format.
//! Handlers parse, call one action in `actions::open311`, and write the answer
//! with `format`.

pub mod format;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{Value, json};

use crate::actions::api_tokens;
use crate::actions::cases::CaseDetail;
use crate::actions::open311::{self, NewRequest, RequestQuery};
use crate::app::App;
use crate::domain::Msg;
use crate::domain::case::{AssignmentRole, CATEGORIES, Case};
use crate::domain::user::Actor;
use crate::error::Error;
use crate::web::auth::Ctx;
use crate::web::error;
use format::Format;

/// Longest form accepted on a POST.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The parameters of a request (query string or form), as pairs in order.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(raw: &[u8]) -> Result<Params, Error> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(raw).map_err(|_| Error::invalid("form", Msg::new("err-form")))?;
        // No text column may store a NUL character.
        if let Some((name, _)) = pairs.iter().find(|(k, v)| k.contains('\0') || v.contains('\0')) {
            return Err(Error::invalid(name.as_str(), Msg::new("err-nul")));
        }
        Ok(Params(pairs))
    }

    /// The value of `name`; a parameter sent empty is absent.
    fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default()
    }

    /// A comma list.
    fn list(&self, name: &str) -> Vec<String> {
        self.get(name).split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
    }
}

fn fail(app: &App, ctx: &Ctx, format: Format, problem: &Error) -> Response {
    let description = match problem {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, app.i18n().msg(ctx.lang, &f.msg)))
            .collect::<Vec<_>>()
            .join("; "),
        Error::Unauthenticated | Error::Forbidden => app.i18n().text(ctx.lang, "err-open311-key"),
        other => error::message(app.i18n(), ctx.lang, other),
    };
    error::open311_error(problem, format.content_type(), |code| {
        format::list(format, "errors", "error", &[json!({"code": code.to_string(), "description": description})])
    })
}

fn answer(format: Format, body: String) -> Response {
    error::open311_ok(format.content_type(), body)
}

/// The suffix of `file` as a format, with its stem; an unknown suffix is a 404 (in XML).
fn split(file: &str) -> Result<(&str, Format), Format> {
    Format::split(file).ok_or(Format::Xml)
}

async fn key_actor(app: &App, params: &Params) -> Result<Actor, Error> {
    let key = params.get("api_key");
    if key.is_empty() {
        return Err(Error::Unauthenticated);
    }
    api_tokens::actor_for_token(app, &key).await?.ok_or(Error::Forbidden)
}

/// `GET /open311/v2/{discovery|services|requests}.{fmt}`.
pub async fn get_root(
    State(app): State<App>,
    ctx: Ctx,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let (stem, format) = match split(&file) {
        Ok(found) => found,
        Err(format) => return fail(&app, &ctx, format, &Error::NotFound),
    };
    let result = match Params::parse(query.unwrap_or_default().as_bytes()) {
        Ok(params) => match stem {
            "discovery" => Ok(discovery(format)),
            "services" => services(&app, &ctx, format, &params).await,
            "requests" => list_requests(&app, &ctx, format, &params).await,
            "servicerequestupdates" => list_updates(&app, format, &params).await,
            _ => Err(Error::NotFound),
        },
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| fail(&app, &ctx, format, &e))
}

fn discovery(format: Format) -> Response {
    let host = "/open311/v2";
    let formats = json!(["text/xml", "application/json"]);
    let body = json!({
        "changeset": "2026-11-29T00:00:00Z",
        "contact": "民意平台 minyi",
        "key_service": "/admin/tokens",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": host,
            "changeset": "2026-11-29T00:00:00Z",
            "type": "production",
            "formats": formats,
        }],
    });
    answer(format, format::single(format, "discovery", &body))
}

/// The group of a category, for `services`.
fn group_of(category: &str) -> &'static str {
    match category {
        "construction" | "transport" | "environment" => "urban",
        "education" | "health" | "social_security" => "livelihood",
        "agriculture" | "fishery" => "rural",
        "market" | "public_safety" => "governance",
        _ => "other",
    }
}

async fn services(app: &App, ctx: &Ctx, format: Format, params: &Params) -> Result<Response, Error> {
    open311::check_jurisdiction(app, &params.get("jurisdiction_id")).await?;
    let i18n = app.i18n();
    let items: Vec<Value> = CATEGORIES
        .iter()
        .map(|code| {
            let name = i18n.text(ctx.lang, &format!("category-{code}"));
            let keywords = [crate::i18n::Lang::Zh, crate::i18n::Lang::En]
                .map(|lang| i18n.text(lang, &format!("category-{code}")))
                .join(",");
            json!({
                "service_code": code,
                "service_name": name,
                "description": name,
                "metadata": true,
                "type": "realtime",
                "keywords": keywords,
                "group": i18n.text(ctx.lang, &format!("open311-group-{}", group_of(code))),
            })
        })
        .collect();
    Ok(answer(format, format::list(format, "services", "service", &items)))
}

/// `GET /open311/v2/services/{service_code}.{fmt}`: the attributes a request may carry.
pub async fn service_definition(
    State(app): State<App>,
    ctx: Ctx,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let (code, format) = match split(&file) {
        Ok(found) => found,
        Err(format) => return fail(&app, &ctx, format, &Error::NotFound),
    };
    let result = async {
        let params = Params::parse(query.unwrap_or_default().as_bytes())?;
        open311::check_jurisdiction(&app, &params.get("jurisdiction_id")).await?;
        let code = open311::service(code)?;
        let t = |key: &str| app.i18n().text(ctx.lang, key);
        let body = json!({
            "service_code": code,
            "attributes": [
                {"variable": true, "code": "unit", "datatype": "string", "required": false,
                 "datatype_description": t("open311-unit-format"), "order": 1,
                 "description": t("open311-unit"), "values": []},
                {"variable": true, "code": "anonymous", "datatype": "singlevaluelist", "required": false,
                 "datatype_description": "", "order": 2, "description": t("open311-anonymous"),
                 "values": [{"key": "no", "name": t("no")}, {"key": "yes", "name": t("yes")}]},
            ],
        });
        Ok::<_, Error>(answer(format, format::single(format, "service_definition", &body)))
    }
    .await;
    result.unwrap_or_else(|e| fail(&app, &ctx, format, &e))
}

/// `POST /open311/v2/requests.{fmt}` (form-encoded, with `api_key`).
pub async fn post_root(State(app): State<App>, ctx: Ctx, Path(file): Path<String>, body: Bytes) -> Response {
    let (stem, format) = match split(&file) {
        Ok(found) => found,
        Err(format) => return fail(&app, &ctx, format, &Error::NotFound),
    };
    let result = async {
        if stem != "requests" {
            return Err(Error::NotFound);
        }
        if body.len() > MAX_FORM_BYTES {
            return Err(Error::TooLarge);
        }
        let params = Params::parse(&body)?;
        let actor = key_actor(&app, &params).await?;
        open311::check_jurisdiction(&app, &params.get("jurisdiction_id")).await?;
        let request = NewRequest {
            service_code: params.get("service_code"),
            lat: params.get("lat"),
            long: params.get("long"),
            address_string: params.get("address_string"),
            address_id: params.get("address_id"),
            description: params.get("description"),
            first_name: params.get("first_name"),
            last_name: params.get("last_name"),
            phone: params.get("phone"),
            unit_code: params.get("attribute[unit]"),
            anonymous: params.get("attribute[anonymous]"),
        };
        if request.service_code.is_empty() {
            return Err(Error::invalid("service_code", Msg::new("err-required")));
        }
        let submitted = open311::submit(&app, &actor, &request).await?;
        let item = json!({"service_request_id": submitted.case_id, "service_notice": "", "account_id": ""});
        Ok(answer(format, format::list(format, "service_requests", "request", &[item])))
    }
    .await;
    result.unwrap_or_else(|e| fail(&app, &ctx, format, &e))
}

/// A time as W3C date-time in China Standard Time.
fn w3c(millis: i64) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
        .unwrap_or_default()
}

/// A case as a GeoReport request object; `agency` is the lead department's name.
fn request_json(app: &App, ctx: &Ctx, case: &Case, agency: &str) -> Value {
    let closed = case.state.is_final();
    let t = |key: &str| app.i18n().text(ctx.lang, key);
    let state = t(&format!("state-{}", case.state.as_str()));
    let notes = if case.answer.is_empty() { state } else { format!("{state}：{}", case.answer) };
    let updated = if closed { case.closed_at.unwrap_or(case.updated_at) } else { case.updated_at };
    let expected = case.next_due().map(|d| format!("{d}T23:59:59+08:00")).unwrap_or_default();
    // The position the request was filed with (or the phone's), in WGS84 decimal degrees.
    let position = case.location.map(|l| l.text()).unwrap_or_default();
    let (lat, long) = position.split_once(',').unwrap_or_default();
    json!({
        "service_request_id": case.id,
        "status": if closed { "closed" } else { "open" },
        "status_notes": notes,
        "service_name": t(&format!("category-{}", case.category)),
        "service_code": case.category,
        "description": case.body,
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": expected,
        "address": case.address,
        "address_id": "",
        "zipcode": "",
        "lat": lat,
        "long": long,
        "media_url": "",
    })
}

fn lead_agency(detail: &CaseDetail) -> String {
    detail
        .assignments
        .iter()
        .rev()
        .find(|a| a.role == AssignmentRole::Lead)
        .map(|a| a.department_name.clone())
        .unwrap_or_default()
}

async fn list_requests(app: &App, ctx: &Ctx, format: Format, params: &Params) -> Result<Response, Error> {
    let actor = key_actor(app, params).await?;
    open311::check_jurisdiction(app, &params.get("jurisdiction_id")).await?;
    let statuses = params.list("status");
    if statuses.iter().any(|s| s != "open" && s != "closed") {
        return Err(Error::invalid("status", Msg::new("err-open311-status")));
    }
    let query = RequestQuery {
        service_request_ids: params.list("service_request_id"),
        service_codes: params.list("service_code"),
        start: open311::parse_datetime("start_date", &params.get("start_date"))?,
        end: open311::parse_datetime("end_date", &params.get("end_date"))?,
        statuses,
    };
    let page_size = match params.get("page_size").as_str() {
        "" => open311::MAX_REQUESTS,
        raw => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=open311::MAX_REQUESTS).contains(n))
            .ok_or_else(|| Error::invalid("page_size", Msg::new("err-page")))?,
    };
    let page = match params.get("page").as_str() {
        "" => 1,
        raw => {
            raw.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| Error::invalid("page", Msg::new("err-page")))?
        }
    };
    let cases = open311::requests(app, &actor, &query).await?;
    let shown: Vec<Case> = cases.into_iter().skip((page - 1) * page_size).take(page_size).collect();
    let agencies = open311::lead_agencies(app, &shown).await?;
    let items: Vec<Value> =
        shown.iter().zip(&agencies).map(|(case, agency)| request_json(app, ctx, case, agency)).collect();
    Ok(answer(format, format::list(format, "service_requests", "request", &items)))
}

/// The mySociety extension FixMyStreet follows: the steps of cases in a window.
async fn list_updates(app: &App, format: Format, params: &Params) -> Result<Response, Error> {
    let actor = key_actor(app, params).await?;
    open311::check_jurisdiction(app, &params.get("jurisdiction_id")).await?;
    let start = open311::parse_datetime("start_date", &params.get("start_date"))?;
    let end = open311::parse_datetime("end_date", &params.get("end_date"))?;
    let items: Vec<Value> = open311::updates(app, &actor, start, end)
        .await?
        .into_iter()
        .map(|u| {
            json!({
                "update_id": u.update_id,
                "service_request_id": u.service_request_id,
                "status": u.status,
                "updated_datetime": w3c(u.at),
                "description": u.description,
                "media_url": "",
                "external_status_code": u.status,
            })
        })
        .collect();
    Ok(answer(format, format::list(format, "service_request_updates", "request_update", &items)))
}

/// `GET /open311/v2/requests/{id}.{fmt}`: an array of one.
pub async fn get_request(
    State(app): State<App>,
    ctx: Ctx,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let (id, format) = match split(&file) {
        Ok(found) => found,
        Err(format) => return fail(&app, &ctx, format, &Error::NotFound),
    };
    let result = async {
        let params = Params::parse(query.unwrap_or_default().as_bytes())?;
        let actor = key_actor(&app, &params).await?;
        open311::check_jurisdiction(&app, &params.get("jurisdiction_id")).await?;
        let detail = open311::request(&app, &actor, id).await?;
        let item = request_json(&app, &ctx, &detail.case, &lead_agency(&detail));
        Ok::<_, Error>(answer(format, format::list(format, "service_requests", "request", &[item])))
    }
    .await;
    result.unwrap_or_else(|e| fail(&app, &ctx, format, &e))
}

/// `GET /open311/v2/tokens/{token}.{fmt}`: minyi numbers every request at once and
/// hands out no tokens, so every token is unknown (404).
pub async fn get_token(State(app): State<App>, ctx: Ctx, Path(file): Path<String>) -> Response {
    let format = split(&file).map(|(_, f)| f).unwrap_or_else(|f| f);
    fail(&app, &ctx, format, &Error::NotFound)
}
