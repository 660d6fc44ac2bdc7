//! The case workflow as one table: [`transition`] decides every move and returns
//! what changes and the effects, as data. Nothing else decides a move.

use chrono::NaiveDate;

mod moves;
pub use moves::{Move, MoveKind};

use super::Msg;
use super::case::{AssignmentRole, AssignmentState, CaseState};

/// Who is asking, in relation to this case. Working this out needs data (who
/// serves where), so the caller does it; the table only judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// The representative or unit the case is addressed to (its keeper, or a
    /// representative serving there): responsible until it closes.
    Receiver,
    /// A handler of one department.
    Department(String),
    /// The citizen, by tracking code.
    Citizen,
    /// An office administrator whose region covers the case.
    Office,
}

impl Party {
    pub fn kind(&self) -> &'static str {
        match self {
            Party::Receiver => "receiver",
            Party::Department(_) => "department",
            Party::Citizen => "citizen",
            Party::Office => "office",
        }
    }
}

/// One department asked to act, as the forwarder fills it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssignment {
    pub department_id: String,
    pub role: AssignmentRole,
    pub due: NaiveDate,
    pub note: String,
}

/// What the table needs to know of an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentView {
    pub id: String,
    pub department_id: String,
    pub role: AssignmentRole,
    pub state: AssignmentState,
    pub due: NaiveDate,
    pub requested_due: Option<NaiveDate>,
}

/// What the table needs to know of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseView {
    pub state: CaseState,
    /// The state to go back to when the citizen adds the information asked for.
    pub resume_state: Option<CaseState>,
    pub reopen_count: i64,
    /// The last day the citizen may rate (and so reopen) an answered case.
    pub rating_until: Option<NaiveDate>,
    pub assignments: Vec<AssignmentView>,
}

/// Who an effect's notice goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    Receiver,
    Department(String),
    Citizen,
}

/// What follows from a move, to be carried out by the caller in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The case's own deadline (to acknowledge, or to answer) starts or moves.
    CaseDeadline(Option<NaiveDate>),
    /// Tell someone, with a message template.
    Notify { to: Recipient, template: &'static str },
}

/// One assignment's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentChange {
    State(AssignmentState),
    /// The department asked for more time.
    ExtensionRequested(NaiveDate),
    /// More time granted: the new due date.
    DueMoved(NaiveDate),
    ExtensionRefused,
    /// Sent back, or rated unsatisfied: counted.
    Rework,
}

/// The verdict of the table on an allowed move.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub state: Option<CaseState>,
    pub resume_state: Option<CaseState>,
    pub reopened: bool,
    pub assignment_changes: Vec<(String, AssignmentChange)>,
    pub new_assignments: Vec<NewAssignment>,
    pub effects: Vec<Effect>,
}

impl Outcome {
    fn to(state: CaseState) -> Outcome {
        Outcome { state: Some(state), ..Outcome::default() }
    }

    fn notify(mut self, to: Recipient, template: &'static str) -> Outcome {
        self.effects.push(Effect::Notify { to, template });
        self
    }

    fn change(mut self, assignment_id: &str, change: AssignmentChange) -> Outcome {
        self.assignment_changes.push((assignment_id.to_string(), change));
        self
    }
}

/// Why a move is refused: not now (the state), not you (the party), or bad input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotNow(Msg),
    NotYou,
    Invalid(Msg),
}

/// Rules that are data, passed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// How many times an unsatisfied citizen may reopen a case.
    pub max_reopens: i64,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules { max_reopens: 1 }
    }
}

fn not_now(key: &'static str) -> Refusal {
    Refusal::NotNow(Msg::new(key))
}

/// Decides one move. `today` is the date in China Standard Time.
pub fn transition(
    case: &CaseView,
    mv: &Move,
    party: &Party,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Outcome, Refusal> {
    use CaseState::*;
    let state = case.state;
    if state.is_final() {
        return Err(not_now("refuse-final"));
    }
    if let Some(assignment_id) = mv.assignment_id() {
        let assignment =
            case.assignments.iter().find(|a| a.id == assignment_id).ok_or(not_now("refuse-no-assignment"))?;
        return assignment_move(case, assignment, mv, party, today);
    }
    let receiver = matches!(party, Party::Receiver);
    let office = matches!(party, Party::Office);
    let citizen = matches!(party, Party::Citizen);
    match mv {
        Move::Acknowledge => {
            if !receiver {
                return Err(Refusal::NotYou);
            }
            match state {
                Received => Ok(Outcome::to(Acknowledged)),
                _ => Err(not_now("refuse-already-acknowledged")),
            }
        }
        Move::Reply { answer } | Move::Answer { answer } => {
            if !receiver {
                return Err(Refusal::NotYou);
            }
            if answer.trim().is_empty() {
                return Err(Refusal::Invalid(Msg::new("err-required")));
            }
            let ready = match (mv.kind(), state) {
                (MoveKind::Reply, Received | Acknowledged) => true,
                (MoveKind::Answer, Forwarded) => {
                    let live: Vec<_> = case.assignments.iter().filter(|a| a.state.is_live()).collect();
                    if live.is_empty() || live.iter().any(|a| a.state != AssignmentState::Completed) {
                        return Err(not_now("refuse-assignments-open"));
                    }
                    true
                }
                _ => false,
            };
            if !ready {
                return Err(not_now("refuse-not-now"));
            }
            Ok(Outcome { effects: vec![Effect::CaseDeadline(None)], ..Outcome::to(Answered) }
                .notify(Recipient::Citizen, "case_answered"))
        }
        Move::Forward { assignments } => {
            if !(receiver || office) {
                return Err(Refusal::NotYou);
            }
            if !matches!(state, Received | Acknowledged | Forwarded) {
                return Err(not_now("refuse-not-now"));
            }
            if assignments.is_empty() {
                return Err(Refusal::Invalid(Msg::new("err-forward-none")));
            }
            let leads = assignments.iter().filter(|a| a.role == AssignmentRole::Lead).count();
            let live_lead = case.assignments.iter().any(|a| a.state.is_live() && a.role == AssignmentRole::Lead);
            if leads > 1 || (leads == 1 && live_lead) || (leads == 0 && !live_lead) {
                return Err(Refusal::Invalid(Msg::new("err-forward-one-lead")));
            }
            for new in assignments {
                if new.due <= today {
                    return Err(Refusal::Invalid(Msg::new("err-due-past")));
                }
                let busy = case.assignments.iter().any(|a| a.department_id == new.department_id && a.state.is_live());
                if busy {
                    return Err(Refusal::Invalid(Msg::new("err-forward-twice")));
                }
            }
            let mut outcome = Outcome { new_assignments: assignments.clone(), ..Outcome::to(Forwarded) };
            for new in assignments {
                outcome = outcome.notify(Recipient::Department(new.department_id.clone()), "assignment_new");
            }
            Ok(outcome)
        }
        Move::RequestInfo { question } => {
            if !receiver {
                return Err(Refusal::NotYou);
            }
            if question.trim().is_empty() {
                return Err(Refusal::Invalid(Msg::new("err-required")));
            }
            match state {
                Acknowledged | Forwarded => Ok(Outcome { resume_state: Some(state), ..Outcome::to(AwaitingInfo) }
                    .notify(Recipient::Citizen, "case_info_requested")),
                _ => Err(not_now("refuse-not-now")),
            }
        }
        Move::AddInfo { text } => {
            if !citizen {
                return Err(Refusal::NotYou);
            }
            if text.trim().is_empty() {
                return Err(Refusal::Invalid(Msg::new("err-required")));
            }
            match state {
                AwaitingInfo => Ok(Outcome::to(case.resume_state.unwrap_or(Acknowledged))
                    .notify(Recipient::Receiver, "case_info_added")),
                _ => Err(not_now("refuse-not-asked")),
            }
        }
        Move::CitizenRate { grade } => {
            if !citizen {
                return Err(Refusal::NotYou);
            }
            if state != Answered {
                return Err(not_now("refuse-not-answered"));
            }
            let in_time = case.rating_until.is_none_or(|until| today <= until);
            if !in_time {
                return Err(not_now("refuse-rating-late"));
            }
            if grade.is_satisfied() || case.reopen_count >= rules.max_reopens {
                Ok(Outcome::to(Closed).notify(Recipient::Receiver, "case_rated"))
            } else {
                Ok(Outcome { reopened: true, ..Outcome::to(Acknowledged) }.notify(Recipient::Receiver, "case_reopened"))
            }
        }
        Move::Withdraw { .. } => {
            if !citizen {
                return Err(Refusal::NotYou);
            }
            if !state.is_open() {
                return Err(not_now("refuse-not-now"));
            }
            Ok(cancel_open_assignments(case, Outcome::to(Withdrawn)).notify(Recipient::Receiver, "case_withdrawn"))
        }
        Move::Merge { into_case_id } => {
            if !(receiver || office) {
                return Err(Refusal::NotYou);
            }
            if into_case_id.is_empty() {
                return Err(Refusal::Invalid(Msg::new("err-required")));
            }
            if !state.is_open() {
                return Err(not_now("refuse-not-now"));
            }
            Ok(cancel_open_assignments(case, Outcome::to(Merged)).notify(Recipient::Citizen, "case_merged"))
        }
        Move::Close { note } => {
            if note.trim().is_empty() {
                return Err(Refusal::Invalid(Msg::new("err-required")));
            }
            match (party, state) {
                (Party::Receiver | Party::Office, Answered) => Ok(Outcome::to(Closed)),
                (Party::Office, Received | Acknowledged | AwaitingInfo | Forwarded) => {
                    Ok(cancel_open_assignments(case, Outcome::to(Closed)).notify(Recipient::Citizen, "case_closed"))
                }
                (Party::Receiver, _) => Err(not_now("refuse-not-now")),
                _ => Err(Refusal::NotYou),
            }
        }
        Move::SignFor { .. }
        | Move::Return { .. }
        | Move::RequestExtension { .. }
        | Move::GrantExtension { .. }
        | Move::RefuseExtension { .. }
        | Move::SubmitResult { .. }
        | Move::SendBack { .. }
        | Move::RateResult { .. } => Err(not_now("refuse-no-assignment")),
    }
}

fn cancel_open_assignments(case: &CaseView, mut outcome: Outcome) -> Outcome {
    for assignment in case.assignments.iter().filter(|a| a.state.is_live() && a.state != AssignmentState::Completed) {
        outcome = outcome.change(&assignment.id, AssignmentChange::State(AssignmentState::Cancelled));
    }
    outcome.effects.push(Effect::CaseDeadline(None));
    outcome
}

fn assignment_move(
    case: &CaseView,
    assignment: &AssignmentView,
    mv: &Move,
    party: &Party,
    today: NaiveDate,
) -> Result<Outcome, Refusal> {
    use AssignmentState::*;
    let department = matches!(party, Party::Department(id) if *id == assignment.department_id);
    let forwarder = matches!(party, Party::Receiver | Party::Office);
    if case.state != CaseState::Forwarded && case.state != CaseState::AwaitingInfo {
        return Err(not_now("refuse-not-now"));
    }
    let id = assignment.id.as_str();
    let to_department = Recipient::Department(assignment.department_id.clone());
    match mv {
        Move::SignFor { .. } => {
            if !department {
                return Err(Refusal::NotYou);
            }
            match assignment.state {
                Pending => Ok(Outcome::default().change(id, AssignmentChange::State(Accepted))),
                _ => Err(not_now("refuse-not-now")),
            }
        }
        Move::Return { reason, .. } => {
            if !department {
                return Err(Refusal::NotYou);
            }
            if reason.trim().is_empty() {
                return Err(Refusal::Invalid(Msg::new("err-required")));
            }
            if !matches!(assignment.state, Pending | Accepted) {
                return Err(not_now("refuse-not-now"));
            }
            let others_live = case.assignments.iter().any(|a| a.id != assignment.id && a.state.is_live());
            let mut outcome = Outcome::default().change(id, AssignmentChange::State(Returned));
            if !others_live {
                // Nobody left to handle it: back to the receiver to re-route (after
                // the citizen's reply, if one is awaited).
                match case.state {
                    CaseState::AwaitingInfo => outcome.resume_state = Some(CaseState::Acknowledged),
                    _ => outcome.state = Some(CaseState::Acknowledged),
                }
            }
            Ok(outcome.notify(Recipient::Receiver, "assignment_returned"))
        }
        Move::RequestExtension { new_due, reason, .. } => {
            if !department {
                return Err(Refusal::NotYou);
            }
            if reason.trim().is_empty() {
                return Err(Refusal::Invalid(Msg::new("err-required")));
            }
            if !matches!(assignment.state, Pending | Accepted) {
                return Err(not_now("refuse-not-now"));
            }
            if today > assignment.due {
                return Err(not_now("refuse-extension-late"));
            }
            if assignment.requested_due.is_some() {
                return Err(not_now("refuse-extension-pending"));
            }
            if *new_due <= assignment.due {
                return Err(Refusal::Invalid(Msg::new("err-extension-earlier")));
            }
            Ok(Outcome::default()
                .change(id, AssignmentChange::ExtensionRequested(*new_due))
                .notify(Recipient::Receiver, "extension_requested"))
        }
        Move::GrantExtension { .. } | Move::RefuseExtension { .. } => {
            if !forwarder {
                return Err(Refusal::NotYou);
            }
            let Some(requested) = assignment.requested_due else {
                return Err(not_now("refuse-no-extension"));
            };
            if mv.kind() == MoveKind::GrantExtension {
                Ok(Outcome::default()
                    .change(id, AssignmentChange::DueMoved(requested))
                    .notify(to_department, "extension_granted")
                    .notify(Recipient::Citizen, "extension_granted_citizen"))
            } else {
                Ok(Outcome::default()
                    .change(id, AssignmentChange::ExtensionRefused)
                    .notify(to_department, "extension_refused"))
            }
        }
        Move::SubmitResult { result, .. } => {
            if !department {
                return Err(Refusal::NotYou);
            }
            if result.trim().is_empty() {
                return Err(Refusal::Invalid(Msg::new("err-required")));
            }
            match assignment.state {
                Pending | Accepted => Ok(Outcome::default()
                    .change(id, AssignmentChange::State(Submitted))
                    .notify(Recipient::Receiver, "assignment_result")),
                _ => Err(not_now("refuse-not-now")),
            }
        }
        Move::SendBack { reason, .. } => {
            if !forwarder {
                return Err(Refusal::NotYou);
            }
            if reason.trim().is_empty() {
                return Err(Refusal::Invalid(Msg::new("err-required")));
            }
            match assignment.state {
                Submitted => Ok(Outcome::default()
                    .change(id, AssignmentChange::State(Accepted))
                    .change(id, AssignmentChange::Rework)
                    .notify(to_department, "assignment_sent_back")),
                _ => Err(not_now("refuse-no-result")),
            }
        }
        Move::RateResult { grade, .. } => {
            if !matches!(party, Party::Receiver) {
                return Err(Refusal::NotYou);
            }
            if assignment.state != Submitted {
                return Err(not_now("refuse-no-result"));
            }
            let outcome = if grade.is_satisfied() {
                Outcome::default().change(id, AssignmentChange::State(Completed))
            } else {
                Outcome::default().change(id, AssignmentChange::State(Accepted)).change(id, AssignmentChange::Rework)
            };
            Ok(outcome.notify(to_department, "assignment_rated"))
        }
        Move::Acknowledge
        | Move::Reply { .. }
        | Move::Forward { .. }
        | Move::RequestInfo { .. }
        | Move::Answer { .. }
        | Move::Close { .. }
        | Move::Merge { .. }
        | Move::AddInfo { .. }
        | Move::CitizenRate { .. }
        | Move::Withdraw { .. } => Err(not_now("refuse-not-now")),
    }
}

#[cfg(test)]
mod tests;
