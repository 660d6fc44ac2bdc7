//! A move as a form or a JSON body names it: strings by field name, parsed once
//! into a [`Move`] for pages and the API alike.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::app::App;
use crate::domain::case::{Assignment, AssignmentRole, Case, Grade};
use crate::domain::fields::{optional_text, required_text};
use crate::domain::workflow::{Move, MoveKind, NewAssignment};
use crate::domain::{FieldError, Msg};

/// How many departments one forward may name.
pub const MAX_FORWARD_ROWS: usize = 5;
/// Longest answer, result or added information.
pub const MAX_LONG_TEXT: usize = 2000;
/// Longest reason, question or note.
pub const MAX_SHORT_TEXT: usize = 500;
/// Most working days a forwarder may give a department in one go.
pub const MAX_WORKING_DAYS: u32 = 120;

/// The field names of forward row `n` (`department_id.0`, `role.0`, …).
pub fn row_field(name: &str, n: usize) -> String {
    format!("{name}.{n}")
}

/// Parses the fields of a move of `kind`. Forward rows are numbered from 0:
/// `department_id.N`, `role.N` (`lead` | `assisting`), `due.N` (a date) or
/// `due_days.N` (working days from today; empty takes the policy's default), `note.N`.
pub fn parse_move(app: &App, kind: MoveKind, fields: &BTreeMap<String, String>) -> Result<Move, Vec<FieldError>> {
    let mut errors = Vec::new();
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let mv = match kind {
        MoveKind::Acknowledge => Move::Acknowledge,
        MoveKind::Reply => Move::Reply { answer: long(&mut errors, "answer", get("answer")) },
        MoveKind::Answer => Move::Answer { answer: long(&mut errors, "answer", get("answer")) },
        MoveKind::AddInfo => Move::AddInfo { text: long(&mut errors, "text", get("text")) },
        MoveKind::SubmitResult => {
            let result = long(&mut errors, "result", get("result"));
            Move::SubmitResult { assignment_id: assignment(&mut errors, get("assignment_id")), result }
        }
        MoveKind::RequestInfo => Move::RequestInfo { question: short(&mut errors, "question", get("question")) },
        MoveKind::Close => Move::Close { note: short(&mut errors, "note", get("note")) },
        MoveKind::Withdraw => Move::Withdraw {
            reason: optional_text("reason", get("reason"), MAX_SHORT_TEXT)
                .map_err(|e| errors.push(e))
                .unwrap_or_default(),
        },
        MoveKind::Merge => Move::Merge { into_case_id: short(&mut errors, "into", get("into")) },
        MoveKind::CitizenRate => Move::CitizenRate { grade: grade(&mut errors, get("grade")) },
        MoveKind::SignFor => Move::SignFor { assignment_id: assignment(&mut errors, get("assignment_id")) },
        MoveKind::GrantExtension => {
            Move::GrantExtension { assignment_id: assignment(&mut errors, get("assignment_id")) }
        }
        MoveKind::Return | MoveKind::RefuseExtension | MoveKind::SendBack => {
            let assignment_id = assignment(&mut errors, get("assignment_id"));
            let reason = short(&mut errors, "reason", get("reason"));
            match kind {
                MoveKind::Return => Move::Return { assignment_id, reason },
                MoveKind::RefuseExtension => Move::RefuseExtension { assignment_id, reason },
                _ => Move::SendBack { assignment_id, reason },
            }
        }
        MoveKind::RequestExtension => {
            let assignment_id = assignment(&mut errors, get("assignment_id"));
            let new_due = date(&mut errors, "new_due", get("new_due"));
            let reason = short(&mut errors, "reason", get("reason"));
            Move::RequestExtension { assignment_id, new_due: new_due.unwrap_or_default(), reason }
        }
        MoveKind::RateResult => {
            let assignment_id = assignment(&mut errors, get("assignment_id"));
            Move::RateResult { assignment_id, grade: grade(&mut errors, get("grade")) }
        }
        MoveKind::Forward => Move::Forward { assignments: forward_rows(app, &mut errors, fields) },
    };
    if errors.is_empty() { Ok(mv) } else { Err(errors) }
}

fn long(errors: &mut Vec<FieldError>, field: &str, raw: &str) -> String {
    required_text(field, raw, MAX_LONG_TEXT).map_err(|e| errors.push(e)).unwrap_or_default()
}

fn short(errors: &mut Vec<FieldError>, field: &str, raw: &str) -> String {
    required_text(field, raw, MAX_SHORT_TEXT).map_err(|e| errors.push(e)).unwrap_or_default()
}

fn assignment(errors: &mut Vec<FieldError>, raw: &str) -> String {
    required_text("assignment_id", raw, 64).map_err(|e| errors.push(e)).unwrap_or_default()
}

fn grade(errors: &mut Vec<FieldError>, raw: &str) -> Grade {
    Grade::parse("grade", raw).map_err(|e| errors.push(e)).unwrap_or(Grade::Satisfied)
}

fn date(errors: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<NaiveDate> {
    let parsed = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok();
    if parsed.is_none() {
        let key = if raw.trim().is_empty() { "err-required" } else { "err-date" };
        errors.push(FieldError::new(field, Msg::new(key)));
    }
    parsed
}

fn forward_rows(app: &App, errors: &mut Vec<FieldError>, fields: &BTreeMap<String, String>) -> Vec<NewAssignment> {
    let get = |name: &str, n: usize| fields.get(&row_field(name, n)).map(|v| v.trim()).unwrap_or_default();
    let mut out = Vec::new();
    for n in 0..MAX_FORWARD_ROWS {
        let department_id = get("department_id", n);
        if department_id.is_empty() {
            continue;
        }
        let role = match AssignmentRole::parse(get("role", n)) {
            Some(role) => role,
            None => {
                errors.push(FieldError::new(row_field("role", n), Msg::new("err-assignment-role")));
                AssignmentRole::Assisting
            }
        };
        let due = if !get("due", n).is_empty() {
            date(errors, &row_field("due", n), get("due", n))
        } else {
            let days = match get("due_days", n) {
                "" => Some(app.policy().assignment_days),
                raw => raw.parse::<u32>().ok().filter(|d| (1..=MAX_WORKING_DAYS).contains(d)),
            };
            match days {
                Some(days) => app.calendar().add_working_days(app.today(), days).ok(),
                None => {
                    let msg = Msg::new("err-working-days").with("max", MAX_WORKING_DAYS);
                    errors.push(FieldError::new(row_field("due_days", n), msg));
                    None
                }
            }
        };
        let note = optional_text(&row_field("note", n), get("note", n), MAX_SHORT_TEXT)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        out.push(NewAssignment { department_id: department_id.to_string(), role, due: due.unwrap_or_default(), note });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(row_field("department_id", 0), Msg::new("err-forward-none")));
    }
    out
}

/// A sample of each move, to ask the table which are open to this party now.
pub(super) fn probes(case: &Case, assignments: &[Assignment], today: chrono::NaiveDate) -> Vec<(Move, Option<String>)> {
    let text = "…".to_string();
    let mut out = vec![
        (Move::Acknowledge, None),
        (Move::Reply { answer: text.clone() }, None),
        (Move::RequestInfo { question: text.clone() }, None),
        (Move::Answer { answer: text.clone() }, None),
        (Move::Close { note: text.clone() }, None),
        (Move::Merge { into_case_id: "x".into() }, None),
        (Move::AddInfo { text: text.clone() }, None),
        (Move::CitizenRate { grade: crate::domain::case::Grade::Satisfied }, None),
        (Move::Withdraw { reason: text.clone() }, None),
    ];
    let _ = case;
    let far = today + chrono::Days::new(3650);
    out.push((
        Move::Forward {
            assignments: vec![crate::domain::workflow::NewAssignment {
                department_id: "\u{0}probe".into(),
                role: if assignments
                    .iter()
                    .any(|a| a.state.is_live() && a.role == crate::domain::case::AssignmentRole::Lead)
                {
                    crate::domain::case::AssignmentRole::Assisting
                } else {
                    crate::domain::case::AssignmentRole::Lead
                },
                due: far,
                note: String::new(),
            }],
        },
        None,
    ));
    for a in assignments {
        let id = a.id.clone();
        for mv in [
            Move::SignFor { assignment_id: id.clone() },
            Move::Return { assignment_id: id.clone(), reason: text.clone() },
            Move::RequestExtension { assignment_id: id.clone(), new_due: far, reason: text.clone() },
            Move::GrantExtension { assignment_id: id.clone() },
            Move::RefuseExtension { assignment_id: id.clone(), reason: text.clone() },
            Move::SubmitResult { assignment_id: id.clone(), result: text.clone() },
            Move::SendBack { assignment_id: id.clone(), reason: text.clone() },
            Move::RateResult { assignment_id: id.clone(), grade: crate::domain::case::Grade::Satisfied },
        ] {
            out.push((mv, Some(id.clone())));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_parser_names_its_field() {
        let mut errors = Vec::new();
        assert_eq!(date(&mut errors, "new_due", "2026-03-20"), NaiveDate::from_ymd_opt(2026, 3, 20));
        assert!(date(&mut errors, "new_due", "20 March").is_none());
        assert!(date(&mut errors, "new_due", "").is_none());
        let keys: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.msg.key)).collect();
        assert_eq!(keys, [("new_due", "err-date"), ("new_due", "err-required")]);
    }
}
