//! The moves anyone can make on a case, with and without their data.

use chrono::NaiveDate;

use super::NewAssignment;
use crate::domain::case::Grade;

/// Every move anyone can make on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    Acknowledge,
    /// Answer directly, without forwarding.
    Reply {
        answer: String,
    },
    Forward {
        assignments: Vec<NewAssignment>,
    },
    RequestInfo {
        question: String,
    },
    /// Answer the citizen once every assignment is complete.
    Answer {
        answer: String,
    },
    Close {
        note: String,
    },
    Merge {
        into_case_id: String,
    },
    SignFor {
        assignment_id: String,
    },
    Return {
        assignment_id: String,
        reason: String,
    },
    RequestExtension {
        assignment_id: String,
        new_due: NaiveDate,
        reason: String,
    },
    GrantExtension {
        assignment_id: String,
    },
    RefuseExtension {
        assignment_id: String,
        reason: String,
    },
    SubmitResult {
        assignment_id: String,
        result: String,
    },
    SendBack {
        assignment_id: String,
        reason: String,
    },
    RateResult {
        assignment_id: String,
        grade: Grade,
    },
    AddInfo {
        text: String,
    },
    CitizenRate {
        grade: Grade,
    },
    Withdraw {
        reason: String,
    },
}

/// The name of a move, without its data: for the API and the snapshot table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoveKind {
    Acknowledge,
    Reply,
    Forward,
    RequestInfo,
    Answer,
    Close,
    Merge,
    SignFor,
    Return,
    RequestExtension,
    GrantExtension,
    RefuseExtension,
    SubmitResult,
    SendBack,
    RateResult,
    AddInfo,
    CitizenRate,
    Withdraw,
}

impl MoveKind {
    pub const ALL: [MoveKind; 18] = [
        MoveKind::Acknowledge,
        MoveKind::Reply,
        MoveKind::Forward,
        MoveKind::RequestInfo,
        MoveKind::Answer,
        MoveKind::Close,
        MoveKind::Merge,
        MoveKind::SignFor,
        MoveKind::Return,
        MoveKind::RequestExtension,
        MoveKind::GrantExtension,
        MoveKind::RefuseExtension,
        MoveKind::SubmitResult,
        MoveKind::SendBack,
        MoveKind::RateResult,
        MoveKind::AddInfo,
        MoveKind::CitizenRate,
        MoveKind::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MoveKind::Acknowledge => "acknowledge",
            MoveKind::Reply => "reply",
            MoveKind::Forward => "forward",
            MoveKind::RequestInfo => "request_info",
            MoveKind::Answer => "answer",
            MoveKind::Close => "close",
            MoveKind::Merge => "merge",
            MoveKind::SignFor => "sign_for",
            MoveKind::Return => "return",
            MoveKind::RequestExtension => "request_extension",
            MoveKind::GrantExtension => "grant_extension",
            MoveKind::RefuseExtension => "refuse_extension",
            MoveKind::SubmitResult => "submit_result",
            MoveKind::SendBack => "send_back",
            MoveKind::RateResult => "rate_result",
            MoveKind::AddInfo => "add_info",
            MoveKind::CitizenRate => "citizen_rate",
            MoveKind::Withdraw => "withdraw",
        }
    }

    pub fn parse(raw: &str) -> Option<MoveKind> {
        MoveKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// Moves that act on one assignment rather than on the whole case.
    pub fn targets_assignment(self) -> bool {
        matches!(
            self,
            MoveKind::SignFor
                | MoveKind::Return
                | MoveKind::RequestExtension
                | MoveKind::GrantExtension
                | MoveKind::RefuseExtension
                | MoveKind::SubmitResult
                | MoveKind::SendBack
                | MoveKind::RateResult
        )
    }
}

impl Move {
    pub fn kind(&self) -> MoveKind {
        match self {
            Move::Acknowledge => MoveKind::Acknowledge,
            Move::Reply { .. } => MoveKind::Reply,
            Move::Forward { .. } => MoveKind::Forward,
            Move::RequestInfo { .. } => MoveKind::RequestInfo,
            Move::Answer { .. } => MoveKind::Answer,
            Move::Close { .. } => MoveKind::Close,
            Move::Merge { .. } => MoveKind::Merge,
            Move::SignFor { .. } => MoveKind::SignFor,
            Move::Return { .. } => MoveKind::Return,
            Move::RequestExtension { .. } => MoveKind::RequestExtension,
            Move::GrantExtension { .. } => MoveKind::GrantExtension,
            Move::RefuseExtension { .. } => MoveKind::RefuseExtension,
            Move::SubmitResult { .. } => MoveKind::SubmitResult,
            Move::SendBack { .. } => MoveKind::SendBack,
            Move::RateResult { .. } => MoveKind::RateResult,
            Move::AddInfo { .. } => MoveKind::AddInfo,
            Move::CitizenRate { .. } => MoveKind::CitizenRate,
            Move::Withdraw { .. } => MoveKind::Withdraw,
        }
    }

    pub(super) fn assignment_id(&self) -> Option<&str> {
        match self {
            Move::SignFor { assignment_id }
            | Move::Return { assignment_id, .. }
            | Move::RequestExtension { assignment_id, .. }
            | Move::GrantExtension { assignment_id }
            | Move::RefuseExtension { assignment_id, .. }
            | Move::SubmitResult { assignment_id, .. }
            | Move::SendBack { assignment_id, .. }
            | Move::RateResult { assignment_id, .. } => Some(assignment_id),
            Move::Acknowledge
            | Move::Reply { .. }
            | Move::Forward { .. }
            | Move::RequestInfo { .. }
            | Move::Answer { .. }
            | Move::Close { .. }
            | Move::Merge { .. }
            | Move::AddInfo { .. }
            | Move::CitizenRate { .. }
            | Move::Withdraw { .. } => None,
        }
    }
}
