//! The closed loop (民意处理): submitting a case, the moves on it, inboxes, the
//! citizen's tracking page, and the check of the history chain.

mod chain;
mod citizen;
mod form;
mod inbox;
pub mod intake;
mod moves;
mod notices;

pub use chain::{ChainReport, verify_chain};
pub use citizen::{AddresseeView, MyCase, addressee, addressee_at_meeting, my_cases, track};
pub use form::submit_with_files;
pub use inbox::{
    COUNTED, CaseNarrowing, DUE_SOON_WORKING_DAYS, INBOX_PAGE_SIZE, Inbox, InboxQuery, InboxStatus, NarrowingFields,
    cst_midnight, inbox, list_filter,
};
use moves::probes;
pub use moves::{MAX_FORWARD_ROWS, MAX_WORKING_DAYS, parse_move, row_field};

use serde_json::json;

use crate::app::App;
use crate::clock::Millis;
use crate::db::{self, Tx};
use crate::domain::Msg;
use crate::domain::case::{
    Assignment, AssignmentState, Case, CaseEvent, CaseFields, CaseInput, normalize_tracking_code,
};
use crate::domain::department::Department;
use crate::domain::region::{RegionLevel, RegionPath};
use crate::domain::user::{Actor, Scope};
use crate::domain::workflow::{
    AssignmentChange, AssignmentView, CaseView, Effect, Move, MoveKind, Outcome, Party, Refusal, transition,
};
use crate::error::{Error, Result};

/// A submission's result: the case and the code the citizen keeps.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub case_id: String,
    pub tracking_code: String,
    /// False when the same client token had already created this case.
    pub created: bool,
}

/// Who acts: a signed-in person, or the citizen holding the tracking code.
#[derive(Debug, Clone)]
pub enum Who<'a> {
    Staff(&'a Actor),
    Citizen,
}

/// A case with all that a page shows of it.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    pub case: Case,
    pub assignments: Vec<Assignment>,
    pub events: Vec<CaseEvent>,
    /// How the asker stands to this case (none for a citizen's view).
    pub party: Option<Party>,
    /// The moves the asker may make now, on the case or on an assignment.
    pub allowed: Vec<(MoveKind, Option<String>)>,
    /// The departments the asker is offered to forward to, when forwarding is allowed now
    /// (`forward_choices`).
    pub forward_choices: Vec<Department>,
    /// The citizen's photos and voice message, in the order sent.
    pub attachments: Vec<crate::domain::attachment::Attachment>,
}

/// A citizen (or a program) submits a case.
pub async fn submit(app: &App, fields: &CaseFields) -> Result<Submitted> {
    let input = CaseInput::parse(fields)?;
    if input.channel.needs_staff() {
        return Err(Error::invalid("channel", Msg::new("err-channel-staff")));
    }
    intake::submit(app, input, ("citizen", String::new(), "群众".to_string()), Vec::new()).await
}

/// A member of staff enters a case: a keeper on a reception day, an office from a
/// hotline, or on a citizen's behalf.
/// The history names the staff member who entered it.
pub async fn submit_for(app: &App, staff: &Actor, fields: &CaseFields) -> Result<Submitted> {
    let entered_by = (staff.role().as_str(), staff.user_id().to_string(), staff.display_name().to_string());
    intake::submit(app, CaseInput::parse(fields)?, entered_by, Vec::new()).await
}

/// How `actor` stands to `case`, if at all.
async fn party_of(tx: &mut Tx, actor: &Actor, case: &Case, assignments: &[Assignment]) -> Result<Option<Party>> {
    let case_path = RegionPath::from_stored(case.region_path.clone());
    Ok(match actor.scope() {
        Scope::Everything => Some(Party::Office),
        Scope::Subtree { path, .. } => path.contains(&case_path).then_some(Party::Office),
        Scope::Unit { unit_id, .. } => {
            (case.unit_id.as_deref() == Some(unit_id) && case.representative_id.is_none()).then_some(Party::Receiver)
        }
        Scope::Department { department_id, .. } => assignments
            .iter()
            .any(|a| &a.department_id == department_id)
            .then(|| Party::Department(department_id.clone())),
        Scope::Representative { representative_id, .. } => {
            if case.representative_id.as_deref() == Some(representative_id) {
                Some(Party::Receiver)
            } else if let (None, Some(unit_id)) = (&case.representative_id, &case.unit_id) {
                let rep = db::representatives::get(tx, representative_id).await?;
                rep.filter(|r| r.unit_ids.contains(unit_id)).map(|_| Party::Receiver)
            } else {
                None
            }
        }
    })
}

fn view_of(case: &Case, assignments: &[Assignment]) -> CaseView {
    CaseView {
        state: case.state,
        resume_state: case.resume_state,
        reopen_count: case.reopen_count,
        rating_until: case.rating_until,
        assignments: assignments
            .iter()
            .map(|a| AssignmentView {
                id: a.id.clone(),
                department_id: a.department_id.clone(),
                role: a.role,
                state: a.state,
                due: a.due,
                requested_due: a.requested_due,
            })
            .collect(),
    }
}

fn allowed_moves(app: &App, case: &Case, assignments: &[Assignment], party: &Party) -> Vec<(MoveKind, Option<String>)> {
    let view = view_of(case, assignments);
    let today = app.today();
    probes(case, assignments, today)
        .into_iter()
        .filter(|(mv, _)| transition(&view, mv, party, today, app.rules()).is_ok())
        .map(|(mv, assignment)| (mv.kind(), assignment))
        .collect()
}

/// A case as a signed-in person may see it.
pub async fn detail(app: &App, actor: &Actor, case_id: &str) -> Result<CaseDetail> {
    // The case whole in one statement, one snapshot of it; what is read after it (who the
    // asker is to the case, where it may go) are people and departments, not the case.
    let mut tx = app.db().read_alone().await?;
    let whole = db::cases::whole(&mut tx, db::cases::CaseKey::Id(case_id)).await?.ok_or(Error::NotFound)?;
    let db::cases::WholeCase { mut case, assignments, events, attachments } = whole;
    let party = party_of(&mut tx, actor, &case, &assignments).await?.ok_or(Error::NotFound)?;
    // The citizen's number in full only for those who answer them: the receiver and the office.
    if !matches!(party, Party::Receiver | Party::Office) {
        case.citizen_mobile = mask_mobile(&case.citizen_mobile);
    }
    let allowed = allowed_moves(app, &case, &assignments, &party);
    let forward_choices = if allowed.iter().any(|(kind, _)| *kind == MoveKind::Forward) {
        reachable_departments(&mut tx, actor, &case).await?
    } else {
        Vec::new()
    };
    Ok(CaseDetail { case, assignments, events, party: Some(party), allowed, forward_choices, attachments })
}

/// A stored mobile number as `138****5678` (empty stays empty).
pub fn mask_mobile(stored: &str) -> String {
    crate::domain::fields::MobileNumber::parse("mobile", stored).map(|m| m.masked()).unwrap_or_default()
}

/// The departments `actor` is offered to forward the case to: active ones whose area
/// covers the case, and for an office those in its own region that lie in the case's
/// county (or under the case's region, when it is above a county). An office may name
/// any department of its region (`check_forward_reach`); a province's office is not
/// offered its thousands of departments in one list, only those where the case is.
pub async fn forward_choices(app: &App, actor: &Actor, case_id: &str) -> Result<Vec<Department>> {
    let mut tx = app.db().read().await?;
    let case = db::cases::get(&mut tx, case_id).await?.ok_or(Error::NotFound)?;
    let assignments = db::cases::assignments(&mut tx, case_id).await?;
    let party = party_of(&mut tx, actor, &case, &assignments).await?.ok_or(Error::NotFound)?;
    if !matches!(party, Party::Receiver | Party::Office) {
        return Err(Error::Forbidden);
    }
    reachable_departments(&mut tx, actor, &case).await
}

async fn reachable_departments(tx: &mut Tx, actor: &Actor, case: &Case) -> Result<Vec<Department>> {
    let case_path = RegionPath::from_stored(case.region_path.clone());
    let office = match actor.scope() {
        Scope::Everything | Scope::Subtree { .. } => actor.scope().region_path(),
        Scope::Unit { .. } | Scope::Department { .. } | Scope::Representative { .. } => {
            return Ok(db::departments::reachable(tx, &case_path).await?);
        }
    };
    let near = db::regions::enclosing(tx, &case_path, RegionLevel::County).await?.unwrap_or_else(|| case_path.clone());
    // The narrower of the office's region and the case's county: one holds the other.
    let within = if office.contains(&near) { near } else { office };
    Ok(db::departments::reachable_within(tx, &case_path, &within).await?)
}

/// Makes one move on a case. `expected_version`, when given, must match: two people
/// acting at once cannot both win.
pub async fn act(
    app: &App,
    who: Who<'_>,
    case_ref: CaseRef<'_>,
    expected_version: Option<i64>,
    mv: Move,
) -> Result<CaseDetail> {
    let now = app.now();
    let today = app.today();
    let mut tx = app.db().write().await?;
    let case = match case_ref {
        CaseRef::Id(id) => db::cases::get(&mut tx, id).await?,
        CaseRef::TrackingCode(code) => match crate::domain::case::normalize_tracking_code(code) {
            Some(code) => db::cases::by_tracking_code(&mut tx, &code).await?,
            None => None,
        },
    }
    .ok_or(Error::NotFound)?;
    let assignments = db::cases::assignments(&mut tx, &case.id).await?;
    let (party, actor_label) = match who {
        Who::Staff(actor) => {
            let party = party_of(&mut tx, actor, &case, &assignments).await?.ok_or(Error::NotFound)?;
            (party, (actor_kind(actor), actor.user_id().to_string(), actor.display_name().to_string()))
        }
        Who::Citizen => (Party::Citizen, ("citizen", String::new(), "群众".to_string())),
    };
    // Only someone who may see the case learns that it changed under them.
    if let Some(expected) = expected_version
        && expected != case.version
    {
        return Err(Error::Conflict(Msg::new("err-stale")));
    }
    // The table judges first (whose move, and whether now); then the data it
    // cannot see: which departments are in reach, which case to merge into.
    let outcome =
        transition(&view_of(&case, &assignments), &mv, &party, today, app.rules()).map_err(
            |refusal| match refusal {
                Refusal::NotYou => Error::Forbidden,
                Refusal::NotNow(msg) => Error::Conflict(msg),
                Refusal::Invalid(msg) => Error::invalid("move", msg),
            },
        )?;
    if let Move::Forward { assignments: new } = &mv {
        check_forward_reach(&mut tx, who_actor(&who), &case, new).await?;
    }
    let mv = match mv {
        Move::Merge { into_case_id } => {
            let target = merge_target(&mut tx, who_actor(&who), &case, &into_case_id).await?;
            Move::Merge { into_case_id: target }
        }
        other => other,
    };
    let case_id = case.id.clone();
    apply(app, &mut tx, case, assignments, &mv, outcome, now, actor_label).await?;
    tx.commit().await?;
    match who {
        Who::Staff(actor) => detail(app, actor, &case_id).await,
        Who::Citizen => citizen::citizen_view(app, db::cases::CaseKey::Id(&case_id)).await,
    }
}

/// Which case a move is for.
#[derive(Debug, Clone, Copy)]
pub enum CaseRef<'a> {
    Id(&'a str),
    TrackingCode(&'a str),
}

fn who_actor<'a>(who: &Who<'a>) -> Option<&'a Actor> {
    match who {
        Who::Staff(actor) => Some(actor),
        Who::Citizen => None,
    }
}

/// The case to merge into, named by tracking code (or id): open, another one,
/// and one the actor also handles.
async fn merge_target(tx: &mut Tx, actor: Option<&Actor>, case: &Case, named: &str) -> Result<String> {
    let refused = || Error::invalid("into", Msg::new("err-merge-target"));
    let target = match normalize_tracking_code(named) {
        Some(code) => db::cases::by_tracking_code(tx, &code).await?,
        None => db::cases::get(tx, named.trim()).await?,
    };
    let (Some(target), Some(actor)) = (target, actor) else { return Err(refused()) };
    let target_assignments = db::cases::assignments(tx, &target.id).await?;
    let reachable = party_of(tx, actor, &target, &target_assignments).await?.is_some();
    if target.id == case.id || target.state.is_final() || !reachable {
        return Err(refused());
    }
    Ok(target.id)
}

fn actor_kind(actor: &Actor) -> &'static str {
    actor.role().as_str()
}

/// A forward may only name active departments whose area covers the case (or,
/// for an office, that lie in its own region).
async fn check_forward_reach(
    tx: &mut Tx,
    actor: Option<&Actor>,
    case: &Case,
    new: &[crate::domain::workflow::NewAssignment],
) -> Result<()> {
    let case_path = RegionPath::from_stored(case.region_path.clone());
    for assignment in new {
        let dept = db::departments::get(tx, &assignment.department_id).await?;
        let Some(dept) = dept.filter(|d| d.input.active) else {
            return Err(Error::invalid("department_id", Msg::new("err-unknown-department")));
        };
        let covers = dept.region_path.contains(&case_path);
        let office_reach = actor.is_some_and(|a| match a.scope() {
            Scope::Everything => true,
            Scope::Subtree { path, .. } => path.contains(&dept.region_path),
            _ => false,
        });
        if !(covers || office_reach) {
            return Err(Error::invalid("department_id", Msg::new("err-department-out-of-reach")));
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn apply(
    app: &App,
    tx: &mut Tx,
    mut case: Case,
    mut assignments: Vec<Assignment>,
    mv: &Move,
    outcome: Outcome,
    now: Millis,
    actor: (&str, String, String),
) -> Result<()> {
    let today = app.today();
    let mut data = json!({});
    let mut note = String::new();
    let mut event_assignment = String::new();
    match mv {
        Move::Acknowledge => case.acknowledged_at = Some(now),
        Move::Reply { answer } | Move::Answer { answer } => {
            note = answer.clone();
            case.acknowledged_at.get_or_insert(now);
            case.answer = answer.clone();
            case.answered_at = Some(now);
            let until = app.calendar().add_working_days(today, app.policy().rating_window_days);
            case.rating_until = Some(until.map_err(|e| Error::Internal(e.into()))?);
        }
        Move::Forward { assignments: new } => {
            case.acknowledged_at.get_or_insert(now);
            data = json!({"assignments": new.iter().map(|a| json!({"department_id": a.department_id, "role": a.role.as_str(), "due": a.due.to_string(), "note": a.note})).collect::<Vec<_>>()});
        }
        Move::RequestInfo { question } => note = question.clone(),
        Move::AddInfo { text } => note = text.clone(),
        Move::CitizenRate { grade } => {
            case.citizen_grade = Some(*grade);
            data = json!({"grade": grade.as_str()});
        }
        Move::Withdraw { reason } | Move::Close { note: reason } => note = reason.clone(),
        Move::Merge { into_case_id } => {
            case.merged_into = Some(into_case_id.clone());
            data = json!({"into": into_case_id});
        }
        Move::SignFor { assignment_id } | Move::GrantExtension { assignment_id } => {
            event_assignment = assignment_id.clone()
        }
        Move::Return { assignment_id, reason }
        | Move::RefuseExtension { assignment_id, reason }
        | Move::SendBack { assignment_id, reason } => {
            event_assignment = assignment_id.clone();
            note = reason.clone();
        }
        Move::RequestExtension { assignment_id, new_due, reason } => {
            event_assignment = assignment_id.clone();
            note = reason.clone();
            data = json!({"new_due": new_due.to_string()});
        }
        Move::SubmitResult { assignment_id, result } => {
            event_assignment = assignment_id.clone();
            note = result.clone();
            if let Some(a) = assignments.iter_mut().find(|a| &a.id == assignment_id) {
                a.result = result.clone();
                a.submitted_at = Some(now);
            }
        }
        Move::RateResult { assignment_id, grade } => {
            event_assignment = assignment_id.clone();
            data = json!({"grade": grade.as_str()});
            if let Some(a) = assignments.iter_mut().find(|a| &a.id == assignment_id) {
                a.grade = Some(*grade);
            }
        }
    }
    if let Some(state) = outcome.state {
        case.state = state;
    }
    if outcome.resume_state.is_some() {
        case.resume_state = outcome.resume_state;
    }
    if outcome.reopened {
        case.reopen_count += 1;
        case.answered_at = None;
        case.rating_until = None;
        let due = app.calendar().add_working_days(today, app.policy().answer_days);
        case.answer_due = Some(due.map_err(|e| Error::Internal(e.into()))?);
    }
    if case.state.is_final() {
        case.closed_at = Some(now);
    }
    let mut changed = Vec::new();
    for (assignment_id, change) in &outcome.assignment_changes {
        let Some(a) = assignments.iter_mut().find(|a| &a.id == assignment_id) else { continue };
        match change {
            AssignmentChange::State(state) => {
                a.state = *state;
                match state {
                    AssignmentState::Completed => a.completed_at = Some(now),
                    AssignmentState::Returned => a.returned = true,
                    AssignmentState::Pending
                    | AssignmentState::Accepted
                    | AssignmentState::Submitted
                    | AssignmentState::Cancelled => {}
                }
            }
            AssignmentChange::ExtensionRequested(date) => a.requested_due = Some(*date),
            AssignmentChange::DueMoved(date) => {
                a.due = *date;
                a.requested_due = None;
            }
            AssignmentChange::ExtensionRefused => a.requested_due = None,
            AssignmentChange::Rework => a.rework_count += 1,
        }
        if !changed.contains(assignment_id) {
            changed.push(assignment_id.clone());
        }
    }
    for id in &changed {
        if let Some(a) = assignments.iter().find(|a| &a.id == id) {
            db::cases::update_assignment(tx, a, now).await?;
        }
    }
    for new in &outcome.new_assignments {
        let assignment = Assignment {
            id: db::new_id(),
            case_id: case.id.clone(),
            department_id: new.department_id.clone(),
            department_name: String::new(),
            role: new.role,
            state: AssignmentState::Pending,
            due: new.due,
            requested_due: None,
            note: new.note.clone(),
            result: String::new(),
            grade: None,
            rework_count: 0,
            returned: false,
            created_at: now,
            submitted_at: None,
            completed_at: None,
        };
        db::cases::insert_assignment(tx, &assignment).await?;
    }
    case.version += 1;
    case.updated_at = now;
    if !db::cases::update(tx, &case).await? {
        return Err(Error::Conflict(Msg::new("err-stale")));
    }
    if let serde_json::Value::Object(map) = &mut data {
        map.insert("state".into(), json!(case.state.as_str()));
        map.insert("effects".into(), json!(outcome.effects.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>()));
    }
    let (kind, id, name) = actor;
    let event = new_event(&case, now, (kind, &id, &name), mv.kind().as_str(), &event_assignment, &note, data);
    let event = append_uncounted(tx, event, now).await?;
    // The cockpit's counters move in the same transaction as the history.
    super::cockpit::record_event(tx, &case, &event).await?;
    let grade = match mv {
        Move::RateResult { grade, .. } | Move::CitizenRate { grade } => grade.as_str(),
        _ => "",
    };
    let due = assignments.iter().find(|a| a.id == event_assignment).and_then(|a| a.requested_due.or(Some(a.due)));
    let mut gathered = notices::PartyNotices::default();
    for effect in &outcome.effects {
        if let Effect::Notify { to, template } = effect {
            let detail = notices::NoticeDetail { reason: &note, grade, due };
            gathered.add(tx, &case, to, template, &detail, now).await?;
        }
    }
    gathered.write(tx, now).await?;
    Ok(())
}

/// An event of `case`, not yet appended (its sequence number and hashes come then).
fn new_event(
    case: &Case,
    now: Millis,
    actor: (&str, &str, &str),
    kind: &str,
    assignment_id: &str,
    note: &str,
    data: serde_json::Value,
) -> CaseEvent {
    CaseEvent {
        seq: 0,
        id: db::new_id(),
        case_id: case.id.clone(),
        at: now,
        actor_kind: actor.0.to_string(),
        actor_id: actor.1.to_string(),
        actor_name: actor.2.to_string(),
        kind: kind.to_string(),
        assignment_id: assignment_id.to_string(),
        note: note.to_string(),
        data: data.to_string(),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// Appends `event` to its case's history and tells its subscribers, leaving the
/// cockpit's counters to the caller (the intake writer adds a whole batch's at once).
async fn append_uncounted(tx: &mut Tx, event: CaseEvent, now: Millis) -> Result<CaseEvent> {
    let event = db::cases::append_event(tx, event).await?;
    crate::notify::subscriptions::enqueue_case_event(tx, &event, now).await?;
    Ok(event)
}
