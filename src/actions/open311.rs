//! Open311 GeoReport v2 as use cases: a jurisdiction is a region's code, a
//! service is a case category, a service request is a case. The program behind
//! an API key acts as the key's account, with its scope, through the same
//! actions as the pages (`cases::submit_for`, `cases::detail`, `cases::inbox`).

use super::cases::{self, CaseDetail, InboxQuery, InboxStatus, Submitted};
use crate::app::App;
use crate::db;
use crate::domain::Msg;
use crate::domain::case::{CATEGORIES, Case, CaseFields, Channel};
use crate::domain::user::{Actor, Scope};
use crate::error::{Error, Result};
use crate::i18n::Lang;

/// The spec's default window for `GET requests`, and its most results.
pub const DEFAULT_WINDOW_DAYS: i64 = 90;
pub const MAX_REQUESTS: usize = 1000;

/// An unknown jurisdiction is a 404; none given means this installation's own.
pub async fn check_jurisdiction(app: &App, jurisdiction_id: &str) -> Result<()> {
    let code = jurisdiction_id.trim();
    if code.is_empty() {
        return Ok(());
    }
    let mut tx = app.db().read().await?;
    db::regions::by_code(&mut tx, code).await?.map(|_| ()).ok_or(Error::NotFound)
}

/// A known service code (case category), or a 404.
pub fn service(code: &str) -> Result<&'static str> {
    CATEGORIES.iter().copied().find(|c| *c == code.trim()).ok_or(Error::NotFound)
}

/// What a client posts to `requests`, already taken out of the form.
#[derive(Debug, Clone, Default)]
pub struct NewRequest {
    pub service_code: String,
    pub lat: String,
    pub long: String,
    pub address_string: String,
    pub address_id: String,
    pub description: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    /// `attribute[unit]`: the station or studio the request is for.
    pub unit_code: String,
    /// `attribute[anonymous]`: `yes` or `no`.
    pub anonymous: String,
}

/// Files a service request as a case entered by the key's account. A key bound to a
/// unit or a representative sends it there; any other names the unit.
pub async fn submit(app: &App, actor: &Actor, request: &NewRequest) -> Result<Submitted> {
    let category = service(&request.service_code)?;
    let location = [request.address_string.trim(), request.address_id.trim()].into_iter().find(|s| !s.is_empty());
    let address = match (location, request.lat.trim(), request.long.trim()) {
        (Some(place), _, _) => place.to_string(),
        (None, lat, long) if !lat.is_empty() && !long.is_empty() => {
            let (Ok(lat), Ok(long)) = (lat.parse::<f64>(), long.parse::<f64>()) else {
                return Err(Error::invalid("lat", Msg::new("err-open311-location")));
            };
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&long) {
                return Err(Error::invalid("lat", Msg::new("err-open311-location")));
            }
            format!("{lat:.6},{long:.6}")
        }
        _ => return Err(Error::invalid("lat", Msg::new("err-open311-location"))),
    };
    let (representative_id, unit_id) = match actor.scope() {
        Scope::Unit { unit_id, .. } => (String::new(), unit_id.clone()),
        Scope::Representative { representative_id, .. } => (representative_id.clone(), String::new()),
        // A department handles cases; it does not file them.
        Scope::Department { .. } => return Err(Error::Forbidden),
        Scope::Everything | Scope::Subtree { .. } => {
            let code = request.unit_code.trim();
            if code.is_empty() {
                return Err(Error::invalid("attribute[unit]", Msg::new("err-required")));
            }
            let unknown = || Error::invalid("attribute[unit]", Msg::new("err-unknown-unit").with("code", code));
            let mut tx = app.db().read().await?;
            let id = db::units::id_by_code(&mut tx, code).await?.ok_or_else(unknown)?;
            let unit = db::units::get(&mut tx, &id).await?.ok_or_else(unknown)?;
            // An office files only to units in its own region.
            if !actor.scope().region_path().contains(&unit.region_path) {
                return Err(unknown());
            }
            (String::new(), id)
        }
    };
    let name = format!("{}{}", request.last_name.trim(), request.first_name.trim());
    // The spec makes the description optional; a case needs words for whoever receives
    // it, so it says what was reported and that nothing was written (in the office's language).
    let body = if request.description.trim().is_empty() {
        let service = app.i18n().text(Lang::Zh, &format!("category-{category}"));
        app.i18n().msg(Lang::Zh, &Msg::new("open311-no-description").with("service", service))
    } else {
        request.description.clone()
    };
    let fields = CaseFields {
        channel: Channel::Api.as_str().to_string(),
        representative_id,
        unit_id,
        category: category.to_string(),
        body,
        name,
        mobile: request.phone.clone(),
        anonymous: if request.anonymous.trim() == "yes" { "yes" } else { "no" }.to_string(),
        address,
        client_token: String::new(),
        latitude: request.lat.trim().to_string(),
        longitude: request.long.trim().to_string(),
        meeting_id: String::new(),
    };
    cases::submit_for(app, actor, &fields).await
}

/// One request, as the key's account may see it.
pub async fn request(app: &App, actor: &Actor, id: &str) -> Result<CaseDetail> {
    cases::detail(app, actor, id).await
}

/// Which requests a client asks for; empty strings are absent (as the spec says).
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub service_request_ids: Vec<String>,
    pub service_codes: Vec<String>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// `open`, `closed`, or both when empty.
    pub statuses: Vec<String>,
}

/// The requests in the key's scope that match, newest first: by ids alone when
/// ids are given; otherwise within the window (90 days back from `end`, or now),
/// at most [`MAX_REQUESTS`].
pub async fn requests(app: &App, actor: &Actor, query: &RequestQuery) -> Result<Vec<Case>> {
    if !query.service_request_ids.is_empty() {
        let mut found = Vec::new();
        for id in &query.service_request_ids {
            match cases::detail(app, actor, id).await {
                Ok(detail) => found.push(detail.case),
                Err(Error::NotFound) => {}
                Err(other) => return Err(other),
            }
        }
        return Ok(found);
    }
    for code in &query.service_codes {
        service(code)?;
    }
    let window = DEFAULT_WINDOW_DAYS * 24 * 3600 * 1000;
    let end = query.end.unwrap_or_else(|| app.now());
    let start = query.start.unwrap_or(end - window);
    if start > end || end - start > window {
        return Err(Error::invalid("start_date", Msg::new("err-open311-window")));
    }
    let mut found = Vec::new();
    let mut page = 1;
    loop {
        let inbox_query = InboxQuery {
            status: InboxStatus::All,
            due_by: None,
            channel: None,
            page,
            after: None,
            region_id: String::new(),
            narrow: Default::default(),
        };
        let inbox = cases::inbox(app, actor, &inbox_query).await?;
        let last = inbox.page.number * inbox.page.size >= inbox.cases.total;
        for case in inbox.cases.items {
            let status = if case.state.is_final() { "closed" } else { "open" };
            let fits = case.created_at >= start
                && case.created_at <= end
                && (query.service_codes.is_empty() || query.service_codes.contains(&case.category))
                && (query.statuses.is_empty() || query.statuses.iter().any(|s| s == status));
            if fits && found.len() < MAX_REQUESTS {
                found.push(case);
            }
        }
        if last || found.len() >= MAX_REQUESTS {
            break;
        }
        page += 1;
    }
    found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    Ok(found)
}

/// The department responsible for each of `cases` (already read through [`requests`], so in
/// the key's scope): the latest lead assignment's name, or empty while none is assigned.
pub async fn lead_agencies(app: &App, cases: &[Case]) -> Result<Vec<String>> {
    let mut tx = app.db().read().await?;
    let mut agencies = Vec::with_capacity(cases.len());
    for case in cases {
        let assignments = crate::db::cases::assignments(&mut tx, &case.id).await?;
        let lead = assignments.iter().rev().find(|a| a.role == crate::domain::case::AssignmentRole::Lead);
        agencies.push(lead.map(|a| a.department_name.clone()).unwrap_or_default());
    }
    Ok(agencies)
}

/// A W3C date-time with a zone (`2026-03-02T09:00:00+08:00` or `…Z`) in milliseconds;
/// empty is absent.
pub fn parse_datetime(field: &str, raw: &str) -> Result<Option<i64>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| Some(t.timestamp_millis()))
        .map_err(|_| Error::invalid(field, Msg::new("err-open311-date")))
}

/// One step of a case as the mySociety `servicerequestupdates` extension shows it.
#[derive(Debug, Clone)]
pub struct Update {
    pub update_id: String,
    pub service_request_id: String,
    pub at: i64,
    /// The extended status FixMyStreet knows (`FIXED`, `INTERNAL_REFERRAL`, …).
    pub status: &'static str,
    pub description: String,
}

/// The extended status of an event of the case history.
fn extended_status(kind: &str) -> &'static str {
    match kind {
        "forward" => "INTERNAL_REFERRAL",
        "request_info" => "INVESTIGATING",
        "reply" | "answer" => "FIXED",
        "close" => "CLOSED",
        "merge" => "DUPLICATE",
        "withdraw" => "CANCELLED",
        "submit" | "submitted" => "OPEN",
        _ => "IN_PROGRESS",
    }
}

/// The steps of cases in the key's region within the window (the last 90 days by
/// default), oldest first, at most [`MAX_REQUESTS`]. Only region-wide keys (an
/// office's, the system's) may follow every case's steps.
pub async fn updates(app: &App, actor: &Actor, start: Option<i64>, end: Option<i64>) -> Result<Vec<Update>> {
    let prefix = match actor.scope() {
        Scope::Everything => "/%".to_string(),
        Scope::Subtree { path, .. } => format!("{}%", path.as_str()),
        Scope::Unit { .. } | Scope::Department { .. } | Scope::Representative { .. } => return Err(Error::Forbidden),
    };
    let window = DEFAULT_WINDOW_DAYS * 24 * 3600 * 1000;
    let end = end.unwrap_or_else(|| app.now());
    let start = start.unwrap_or(end - window);
    if start > end || end - start > window {
        return Err(Error::invalid("start_date", Msg::new("err-open311-window")));
    }
    let mut tx = app.db().read().await?;
    let rows = db::open311::updates(&mut tx, &prefix, start, end, MAX_REQUESTS as i64).await?;
    Ok(rows
        .into_iter()
        .map(|r| Update {
            status: extended_status(&r.kind),
            update_id: r.id,
            service_request_id: r.case_id,
            at: r.at,
            description: r.note,
        })
        .collect())
}
