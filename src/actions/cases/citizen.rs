//! What a citizen sees: the tracking view, and whom a submission page is for.

use super::{CaseDetail, Party, allowed_moves};
use crate::app::App;
use crate::db;
use crate::domain::case::Addressee;
use crate::domain::deadline::case_dues;
use crate::domain::representative::Body;
use crate::domain::unit::UnitKind;
use crate::error::{Error, Result};

/// A case as the citizen sees it by tracking code.
pub async fn track(app: &App, tracking_code: &str) -> Result<CaseDetail> {
    let code = crate::domain::case::normalize_tracking_code(tracking_code).ok_or(Error::NotFound)?;
    citizen_view(app, db::cases::CaseKey::TrackingCode(&code)).await
}

/// The case `key` names as its citizen sees it (by tracking code, or after a citizen's move).
pub(super) async fn citizen_view(app: &App, key: db::cases::CaseKey<'_>) -> Result<CaseDetail> {
    let mut tx = app.db().read_alone().await?;
    let whole = db::cases::whole(&mut tx, key).await?.ok_or(Error::NotFound)?;
    drop(tx);
    let db::cases::WholeCase { case, assignments, events, attachments } = whole;
    let allowed = allowed_moves(app, &case, &assignments, &Party::Citizen);
    let forward_choices = Vec::new();
    Ok(for_citizen(CaseDetail { case, assignments, events, party: None, allowed, forward_choices, attachments }))
}

/// At most this many of a citizen's cases are listed.
const MY_CASES_LIMIT: i64 = 50;

/// One line of a citizen's "my cases": nothing personal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyCase {
    pub tracking_code: String,
    pub title: String,
    pub state: crate::domain::case::CaseState,
    pub created_at: crate::clock::Millis,
}

/// The citizen's "my cases": every case sent with `mobile`, shown to whoever
/// also holds the tracking code of one of them (both must match; a wrong pair
/// says the same whichever half is wrong).
pub async fn my_cases(app: &App, mobile: &str, tracking_code: &str) -> Result<Vec<MyCase>> {
    let mobile = crate::domain::fields::MobileNumber::parse("mobile", mobile).map_err(|e| Error::Invalid(vec![e]))?;
    let no_match = || Error::invalid("code", crate::domain::Msg::new("err-my-cases-no-match"));
    let code = crate::domain::case::normalize_tracking_code(tracking_code).ok_or_else(no_match)?;
    let mut tx = app.db().read().await?;
    let case = db::cases::by_tracking_code(&mut tx, &code).await?.ok_or_else(no_match)?;
    if case.citizen_mobile != mobile.as_str() {
        return Err(no_match());
    }
    let cases = db::cases::by_mobile(&mut tx, mobile.as_str(), MY_CASES_LIMIT).await?;
    Ok(cases
        .into_iter()
        .map(|c| MyCase { tracking_code: c.tracking_code, title: c.title, state: c.state, created_at: c.created_at })
        .collect())
}

/// What the holder of a tracking code may see: no personal data in full, no
/// department's work notes, no assignments.
pub(super) fn for_citizen(mut detail: CaseDetail) -> CaseDetail {
    let case = &mut detail.case;
    case.citizen_name = case.citizen_name.chars().next().map(|c| format!("{c}*")).unwrap_or_default();
    case.citizen_mobile = super::mask_mobile(&case.citizen_mobile);
    case.address = String::new();
    detail.assignments.clear();
    detail.events.retain(|e| citizen_sees(&e.kind).is_some());
    for event in &mut detail.events {
        if citizen_sees(&event.kind) != Some(true) {
            event.note = String::new();
        }
        event.data = "{}".to_string();
        event.assignment_id = String::new();
        event.actor_id = String::new();
    }
    detail
}

/// Whether the citizen sees an event of this kind (`Some`), and its note (`Some(true)`).
fn citizen_sees(kind: &str) -> Option<bool> {
    match kind {
        "submit" | "request_info" | "add_info" | "reply" | "answer" | "withdraw" => Some(true),
        "acknowledge" | "forward" | "grant_extension" | "citizen_rate" | "close" | "merge" => Some(false),
        _ => None,
    }
}

/// Whom a new submission goes to, as the submission page names it.
#[derive(Debug, Clone)]
pub struct AddresseeView {
    pub addressee: Addressee,
    pub name: String,
    /// For a CPPCC member or a member studio: the promise to answer within so many
    /// working days, and the date that is for a question sent today.
    pub studio_promise: Option<(u32, chrono::NaiveDate)>,
    /// Sent from a meeting's code: the meeting's title.
    pub meeting_title: Option<String>,
}

/// The active representative or unit a submission page is for; public facts only.
pub async fn addressee(app: &App, addressee: &Addressee) -> Result<AddresseeView> {
    let mut tx = app.db().read().await?;
    let found = match addressee {
        Addressee::Representative(id) => db::representatives::get(&mut tx, id)
            .await?
            .filter(|r| r.input.active)
            .map(|r| (r.input.name, r.input.body == Body::Cppcc)),
        Addressee::Unit(id) => db::units::get(&mut tx, id)
            .await?
            .filter(|u| u.input.active)
            .map(|u| (u.input.name, u.input.kind == UnitKind::Studio)),
    };
    let (name, to_studio) = found.ok_or(Error::NotFound)?;
    let studio_promise = if to_studio {
        let policy = app.policy();
        let (_, answer_due) =
            case_dues(&policy, &app.calendar(), app.today(), true).map_err(|e| Error::Internal(e.into()))?;
        Some((policy.studio_answer_days, answer_due))
    } else {
        None
    };
    Ok(AddresseeView { addressee: addressee.clone(), name, studio_promise, meeting_title: None })
}

/// A unit's submission page reached from one of its meetings' codes: the unit as
/// [`addressee`] shows it, and the meeting's title. A cancelled meeting, or one of
/// another unit, is not found.
pub async fn addressee_at_meeting(app: &App, unit_id: &str, meeting_id: &str) -> Result<AddresseeView> {
    let mut view = addressee(app, &Addressee::Unit(unit_id.to_string())).await?;
    let mut tx = app.db().read().await?;
    let meeting = db::meetings::get(&mut tx, meeting_id).await?.filter(|m| !m.input.state.is_cancelled());
    let meeting = meeting.filter(|m| m.unit_id == unit_id).ok_or(Error::NotFound)?;
    view.meeting_title = Some(meeting.input.title);
    Ok(view)
}
