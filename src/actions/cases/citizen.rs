//! What a citizen sees: the tracking view, and whom a submission page is for.

use super::{CaseDetail, Party, allowed_moves};
use crate::app::App;
use crate::db;
use crate::domain::case::Addressee;
use crate::error::{Error, Result};

/// A case as the citizen sees it by tracking code.
pub async fn track(app: &App, tracking_code: &str) -> Result<CaseDetail> {
    let code = crate::domain::case::normalize_tracking_code(tracking_code).ok_or(Error::NotFound)?;
    let mut tx = app.db().read().await?;
    let case = db::cases::by_tracking_code(&mut tx, &code).await?.ok_or(Error::NotFound)?;
    let assignments = db::cases::assignments(&mut tx, &case.id).await?;
    let events = db::cases::events(&mut tx, &case.id).await?;
    let allowed = allowed_moves(app, &case, &assignments, &Party::Citizen);
    let attachments = db::attachments::of_case(&mut tx, &case.id).await?;
    let forward_choices = Vec::new();
    Ok(for_citizen(CaseDetail { case, assignments, events, party: None, allowed, forward_choices, attachments }))
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
}

/// The active representative or unit a submission page is for; public facts only.
pub async fn addressee(app: &App, addressee: &Addressee) -> Result<AddresseeView> {
    let mut tx = app.db().read().await?;
    let name = match addressee {
        Addressee::Representative(id) => {
            db::representatives::get(&mut tx, id).await?.filter(|r| r.input.active).map(|r| r.input.name)
        }
        Addressee::Unit(id) => db::units::get(&mut tx, id).await?.filter(|u| u.input.active).map(|u| u.input.name),
    };
    Ok(AddresseeView { addressee: addressee.clone(), name: name.ok_or(Error::NotFound)? })
}
