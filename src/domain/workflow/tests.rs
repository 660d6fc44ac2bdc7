//! The whole transition table as one snapshot: state × move × party → result.

use chrono::NaiveDate;

use super::*;
use crate::domain::case::{AssignmentRole, AssignmentState, CaseState, Grade};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).expect("a date in March 2026")
}

const TODAY: u32 = 10;

fn assignment(id: &str, department: &str, role: AssignmentRole, state: AssignmentState) -> AssignmentView {
    AssignmentView {
        id: id.to_string(),
        department_id: department.to_string(),
        role,
        state,
        due: day(20),
        requested_due: (state == AssignmentState::Accepted).then(|| day(27)),
    }
}

/// One case per state; a forwarded case once per state of its assignment `a1`.
fn fixtures() -> Vec<(String, CaseView)> {
    let mut out = Vec::new();
    for state in CaseState::ALL {
        let a1_states: Vec<AssignmentState> = match state {
            CaseState::Forwarded => AssignmentState::ALL.to_vec(),
            _ => vec![AssignmentState::Pending],
        };
        for a1 in a1_states {
            let mut assignments = Vec::new();
            if matches!(state, CaseState::Forwarded | CaseState::AwaitingInfo) {
                assignments.push(assignment("a1", "d1", AssignmentRole::Lead, a1));
            }
            let label = if state == CaseState::Forwarded {
                format!("{}/a1={}", state.as_str(), a1.as_str())
            } else {
                state.as_str().to_string()
            };
            out.push((
                label,
                CaseView {
                    state,
                    resume_state: (state == CaseState::AwaitingInfo).then_some(CaseState::Forwarded),
                    reopen_count: 0,
                    rating_until: Some(day(25)),
                    assignments,
                },
            ));
        }
    }
    out
}

/// A sample of each move; a forward names a lead department unless the case has one.
fn sample(kind: MoveKind, case: &CaseView) -> Move {
    let a = "a1".to_string();
    match kind {
        MoveKind::Acknowledge => Move::Acknowledge,
        MoveKind::Reply => Move::Reply { answer: "答复".into() },
        MoveKind::Forward => Move::Forward {
            assignments: vec![NewAssignment {
                department_id: "d2".into(),
                role: if case.assignments.iter().any(|a| a.state.is_live() && a.role == AssignmentRole::Lead) {
                    AssignmentRole::Assisting
                } else {
                    AssignmentRole::Lead
                },
                due: day(24),
                note: String::new(),
            }],
        },
        MoveKind::RequestInfo => Move::RequestInfo { question: "请补充照片".into() },
        MoveKind::Answer => Move::Answer { answer: "答复".into() },
        MoveKind::Close => Move::Close { note: "办结".into() },
        MoveKind::Merge => Move::Merge { into_case_id: "c2".into() },
        MoveKind::SignFor => Move::SignFor { assignment_id: a },
        MoveKind::Return => Move::Return { assignment_id: a, reason: "非本单位职责".into() },
        MoveKind::RequestExtension => {
            Move::RequestExtension { assignment_id: a, new_due: day(30), reason: "需协调".into() }
        }
        MoveKind::GrantExtension => Move::GrantExtension { assignment_id: a },
        MoveKind::RefuseExtension => Move::RefuseExtension { assignment_id: a, reason: "不同意".into() },
        MoveKind::SubmitResult => Move::SubmitResult { assignment_id: a, result: "已修复".into() },
        MoveKind::SendBack => Move::SendBack { assignment_id: a, reason: "未到现场".into() },
        MoveKind::RateResult => Move::RateResult { assignment_id: a, grade: Grade::Unsatisfied },
        MoveKind::AddInfo => Move::AddInfo { text: "补充".into() },
        MoveKind::CitizenRate => Move::CitizenRate { grade: Grade::Unsatisfied },
        MoveKind::Withdraw => Move::Withdraw { reason: "已解决".into() },
    }
}

fn describe(result: &Result<Outcome, Refusal>) -> String {
    match result {
        Err(Refusal::NotYou) => "-".to_string(),
        Err(Refusal::NotNow(msg)) => format!("no:{}", msg.key.trim_start_matches("refuse-")),
        Err(Refusal::Invalid(msg)) => format!("invalid:{}", msg.key),
        Ok(outcome) => {
            let mut parts = vec![outcome.state.map(|s| s.as_str().to_string()).unwrap_or_else(|| "=".to_string())];
            for (id, change) in &outcome.assignment_changes {
                parts.push(match change {
                    AssignmentChange::State(s) => format!("{id}:{}", s.as_str()),
                    AssignmentChange::ExtensionRequested(d) => format!("{id}:asks{d}"),
                    AssignmentChange::DueMoved(d) => format!("{id}:due{d}"),
                    AssignmentChange::ExtensionRefused => format!("{id}:refused"),
                    AssignmentChange::Rework => format!("{id}:rework"),
                });
            }
            if outcome.reopened {
                parts.push("reopened".into());
            }
            for new in &outcome.new_assignments {
                parts.push(format!("+{}", new.department_id));
            }
            parts.join(" ")
        }
    }
}

#[test]
fn the_whole_transition_table() {
    let parties = [
        ("receiver", Party::Receiver),
        ("dept-d1", Party::Department("d1".into())),
        ("dept-d9", Party::Department("d9".into())),
        ("citizen", Party::Citizen),
        ("office", Party::Office),
    ];
    let mut table = String::new();
    for (label, case) in fixtures() {
        table.push_str(&format!("## {label}\n"));
        for kind in MoveKind::ALL {
            let cells: Vec<String> = parties
                .iter()
                .map(|(name, party)| {
                    let result = transition(&case, &sample(kind, &case), party, day(TODAY), &Rules::default());
                    format!("{name}={}", describe(&result))
                })
                .collect();
            table.push_str(&format!("{:<18} {}\n", kind.as_str(), cells.join(" | ")));
        }
    }
    insta::assert_snapshot!(table);
}

/// A data-driven check: each line is one situation and what must come of it.
fn check(case: &CaseView, mv: Move, party: Party, today: NaiveDate, expected: &str) {
    let result = transition(case, &mv, &party, today, &Rules::default());
    assert_eq!(describe(&result), expected, "{mv:?} by {party:?}");
}

#[test]
fn citizen_rating_reopens_once_and_only_in_time() {
    let answered = |reopen_count| CaseView {
        state: CaseState::Answered,
        resume_state: None,
        reopen_count,
        rating_until: Some(day(25)),
        assignments: vec![],
    };
    let rate = |grade| Move::CitizenRate { grade };
    check(&answered(0), rate(Grade::Unsatisfied), Party::Citizen, day(20), "acknowledged reopened");
    check(&answered(1), rate(Grade::Unsatisfied), Party::Citizen, day(20), "closed");
    check(&answered(0), rate(Grade::BasicallySatisfied), Party::Citizen, day(20), "closed");
    check(&answered(0), rate(Grade::Satisfied), Party::Citizen, day(26), "no:rating-late");
}

#[test]
fn extensions_and_answers() {
    let forwarded = |states: &[(&str, AssignmentState)]| CaseView {
        state: CaseState::Forwarded,
        resume_state: None,
        reopen_count: 0,
        rating_until: None,
        assignments: states
            .iter()
            .map(|(id, s)| AssignmentView {
                id: id.to_string(),
                department_id: format!("d-{id}"),
                role: if *id == "a1" { AssignmentRole::Lead } else { AssignmentRole::Assisting },
                state: *s,
                due: day(20),
                requested_due: None,
            })
            .collect(),
    };
    let ask = |new_due| Move::RequestExtension { assignment_id: "a1".into(), new_due, reason: "协调中".into() };
    let dept = Party::Department("d-a1".into());
    let one = forwarded(&[("a1", AssignmentState::Accepted)]);
    check(&one, ask(day(27)), dept.clone(), day(20), "= a1:asks2026-03-27");
    check(&one, ask(day(27)), dept.clone(), day(21), "no:extension-late");
    check(&one, ask(day(19)), dept, day(10), "invalid:err-extension-earlier");
    let answer = || Move::Answer { answer: "已办结".into() };
    let done = forwarded(&[("a1", AssignmentState::Completed), ("a2", AssignmentState::Returned)]);
    check(&done, answer(), Party::Receiver, day(10), "answered");
    let half = forwarded(&[("a1", AssignmentState::Completed), ("a2", AssignmentState::Submitted)]);
    check(&half, answer(), Party::Receiver, day(10), "no:assignments-open");
    let returned = forwarded(&[("a1", AssignmentState::Pending)]);
    let back = Move::Return { assignment_id: "a1".into(), reason: "不属本单位".into() };
    check(&returned, back, Party::Department("d-a1".into()), day(10), "acknowledged a1:returned");
}
