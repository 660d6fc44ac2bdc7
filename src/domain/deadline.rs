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

/// A notice the deadline sweep sends about one piece of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// 提醒: the due date is near.
    Reminder,
    /// 催办: the first working day after the due date.
    Chase,
    /// 督办: so many working days overdue that the supervising office is told.
    Escalation,
}

impl Notice {
    pub fn as_str(self) -> &'static str {
        match self {
            Notice::Reminder => "reminder",
            Notice::Chase => "chase",
            Notice::Escalation => "escalation",
        }
    }
}

/// The notices that are due today for work due on `due`. The sweep sends each at
/// most once (it keys them by work, notice and due date), so asking again the
/// next day, or twice the same day, is harmless.
pub fn notices_due(
    policy: &DeadlinePolicy,
    calendar: &Calendar,
    due: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<Notice>, CalendarError> {
    let mut notices = Vec::new();
    if today <= due {
        // Working days still left before the due date, the due date included.
        let left = calendar.working_days_between(today, due)?;
        if left <= i64::from(policy.remind_before_days) {
            notices.push(Notice::Reminder);
        }
    } else {
        let late = calendar.working_days_between(due, today)?;
        if late >= 1 {
            notices.push(Notice::Chase);
        }
        if late >= i64::from(policy.escalate_after_days) {
            notices.push(Notice::Escalation);
        }
    }
    Ok(notices)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a test date")
    }

    fn check(due: &str, today: &str, expected: &[Notice]) {
        let calendar = Calendar::builtin();
        let got = notices_due(&DeadlinePolicy::default(), &calendar, d(due), d(today)).expect("known years");
        assert_eq!(got, expected, "due {due}, today {today}");
    }

    #[test]
    fn reminders_chases_and_escalations_follow_working_days() {
        use Notice::*;
        // Due Friday 2026-03-06.
        check("2026-03-06", "2026-03-04", &[]);
        check("2026-03-06", "2026-03-05", &[Reminder]);
        check("2026-03-06", "2026-03-06", &[Reminder]);
        check("2026-03-06", "2026-03-07", &[]); // Saturday: not yet a working day late
        check("2026-03-06", "2026-03-09", &[Chase]);
        check("2026-03-06", "2026-03-12", &[Chase]);
        check("2026-03-06", "2026-03-13", &[Chase, Escalation]);
        // Due 2025-09-30, before the National Day holiday: the first working day after is 10-09.
        check("2025-09-30", "2025-10-03", &[]);
        check("2025-09-30", "2025-10-09", &[Chase]);
        // The day before a holiday-long weekend still gets its reminder on the last working day.
        check("2025-10-09", "2025-09-30", &[Reminder]);
    }

    #[test]
    fn studio_cases_are_answered_within_three_working_days() {
        let calendar = Calendar::builtin();
        let policy = DeadlinePolicy::default();
        let (ack, answer) = case_dues(&policy, &calendar, d("2026-02-13"), true).expect("known");
        // 2026-02-14 is a make-up working Saturday; the Spring Festival runs 02-15..02-23.
        assert_eq!(ack, d("2026-02-24"));
        assert_eq!(answer, d("2026-02-25"));
    }
}
