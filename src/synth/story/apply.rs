//! What `actions::cases::apply` does with an allowed move, done in memory on a
//! synthetic case: the same field changes, assignment changes and event.

use serde_json::json;

use super::{Sim, Who};
use crate::domain::calendar::cst_date;
use crate::domain::case::{Assignment, AssignmentState};
use crate::domain::workflow::{AssignmentChange, AssignmentView, CaseView, Move, Outcome};
use crate::synth::province::synth_id;

impl Sim<'_, '_> {
    pub(super) fn view(&self) -> CaseView {
        CaseView {
            state: self.case.state,
            resume_state: self.case.resume_state,
            reopen_count: self.case.reopen_count,
            rating_until: self.case.rating_until,
            assignments: self
                .assignments
                .iter()
                .map(|(a, _)| AssignmentView {
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

    pub(super) fn apply(&mut self, mv: &Move, outcome: Outcome, who: Who) {
        let now = self.t;
        let today = cst_date(now);
        let calendar = self.world.calendar;
        let policy = self.world.policy;
        let case = &mut self.case;
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
                let until = calendar.add_working_days(today, policy.rating_window_days);
                case.rating_until = Some(until.unwrap_or(today + chrono::Days::new(21)));
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
                if let Some((a, at)) = self.assignments.iter_mut().find(|(a, _)| &a.id == assignment_id) {
                    a.result = result.clone();
                    a.submitted_at = Some(now);
                    *at = now;
                }
            }
            Move::RateResult { assignment_id, grade } => {
                event_assignment = assignment_id.clone();
                data = json!({"grade": grade.as_str()});
                if let Some((a, at)) = self.assignments.iter_mut().find(|(a, _)| &a.id == assignment_id) {
                    a.grade = Some(*grade);
                    *at = now;
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
            let due = calendar.add_working_days(today, policy.answer_days);
            case.answer_due = Some(due.unwrap_or(today + chrono::Days::new(21)));
        }
        if case.state.is_final() {
            case.closed_at = Some(now);
        }
        for (assignment_id, change) in &outcome.assignment_changes {
            let Some((a, at)) = self.assignments.iter_mut().find(|(a, _)| &a.id == assignment_id) else { continue };
            *at = now;
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
        }
        for new in &outcome.new_assignments {
            let assignment = Assignment {
                id: synth_id(now, self.rng),
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
            self.assignments.push((assignment, now));
        }
        case.version += 1;
        case.updated_at = now;
        if let serde_json::Value::Object(map) = &mut data {
            map.insert("state".into(), json!(case.state.as_str()));
            map.insert("effects".into(), json!(outcome.effects.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>()));
        }
        self.event(who, mv.kind().as_str(), &event_assignment, &note, data);
    }
}
