//! Deadline policies as data, counted in official working days.

use chrono::NaiveDate;

use super::calendar::{Calendar, CalendarError};

/// How many working days each step may take. Defaults follow common practice;
/// an office changes them as data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DeadlinePolicy {
    /// To acknowledge a new case (响应).
    pub acknowledge_days: u32,
    /// For a representative to answer the citizen.
    pub answer_days: u32,
    /// For a member studio to answer (the CPPCC's promise: 3 working days).
    pub studio_answer_days: u32,
    /// For a department to deliver its result, unless the forwarder sets another.
    pub assignment_days: u32,
    /// For the citizen to rate an answer (and so perhaps reopen it).
    pub rating_window_days: u32,
    /// A reminder goes out this many working days before a due date.
    pub remind_before_days: u32,
    /// Escalation to the supervising office this many working days after.
    pub escalate_after_days: u32,
}

impl Default for DeadlinePolicy {
    fn default() -> DeadlinePolicy {
        DeadlinePolicy {
            acknowledge_days: 2,
            answer_days: 15,
            studio_answer_days: 3,
            assignment_days: 10,
            rating_window_days: 15,
            remind_before_days: 1,
            escalate_after_days: 5,
        }
    }
}

/// The dates a new case must meet: acknowledge by, answer by.
pub fn case_dues(
    policy: &DeadlinePolicy,
    calendar: &Calendar,
    received: NaiveDate,
    to_studio: bool,
) -> Result<(NaiveDate, NaiveDate), CalendarError> {
    let answer_days = if to_studio { policy.studio_answer_days } else { policy.answer_days };
    Ok((
        calendar.add_working_days(received, policy.acknowledge_days)?,
        calendar.add_working_days(received, answer_days)?,
    ))
}
