//! What a case's history adds to the cockpit's counters.
//!
//! A case's counters are a snapshot computed from its whole history by one pure
//! fold, [`tally`]. The maintained aggregates add the difference between the
//! snapshot after an event and the snapshot before it, in the transaction that
//! appends the event; the rebuild adds the final snapshot of every case. Both sum
//! to the same numbers because the differences telescope, and both use this one
//! function. Every counter is filed under the day the case was received (its
//! cohort), so "cases received in March" keep their rates as they are worked on.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::calendar::cst_date;
use super::case::{CaseState, Grade};

/// One event of a case's history, as the fold needs it (parsed from the stored row).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HistoryEvent {
    /// The move's name (`submit`, `acknowledge`, `forward`, …).
    pub kind: String,
    pub at: i64,
    pub assignment_id: String,
    /// The case's state after the event, when the event recorded it.
    pub state_after: Option<CaseState>,
    pub grade: Option<Grade>,
    /// For `forward`: the departments and their due dates, in order.
    pub forwarded: Vec<(String, NaiveDate)>,
    /// For `request_extension`: the date asked for.
    pub new_due: Option<NaiveDate>,
    /// For `submit`: the dates to acknowledge and to answer by.
    pub ack_due: Option<NaiveDate>,
    pub answer_due: Option<NaiveDate>,
}

/// An assignment as the fold needs it: its department never changes, and a
/// forward creates its assignments at the forward's own time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentFact {
    pub id: String,
    pub department_id: String,
    pub created_at: i64,
}

/// Counters of one case (or a sum of cases). Flags are 0 or 1 per case; the
/// others count events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaseCounts {
    pub received: i64,
    pub acknowledged: i64,
    /// Acknowledged on or before its acknowledgement date (and not merged away).
    pub ack_on_time: i64,
    /// Answered by the receiver without forwarding.
    pub answered_direct: i64,
    pub forwarded: i64,
    pub answered: i64,
    /// First answered on or before the answer date set at submission.
    pub answered_on_time: i64,
    pub closed: i64,
    /// Closed, and the citizen's last rating (if any) was not 不满意.
    pub solved: i64,
    pub withdrawn: i64,
    pub merged: i64,
    /// Times the citizen's 不满意 reopened it.
    pub reopened: i64,
    /// The citizen's latest rating.
    pub citizen_satisfied: i64,
    pub citizen_basic: i64,
    pub citizen_unsatisfied: i64,
    /// The receiver's latest rating of each department's result.
    pub rep_satisfied: i64,
    pub rep_basic: i64,
    pub rep_unsatisfied: i64,
    /// Rated by both the citizen and the receiver.
    pub rated_both: i64,
    /// Rated by both, one satisfied and the other not.
    pub disagree: i64,
    pub returns: i64,
    pub reworks: i64,
    pub extensions: i64,
}

/// Counters of one department's assignments of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeptCounts {
    pub assigned: i64,
    pub returned: i64,
    pub reworked: i64,
    pub ext_requested: i64,
    pub ext_granted: i64,
    pub submitted: i64,
    /// Results submitted on or before the assignment's due date at the time.
    pub submitted_on_time: i64,
    pub completed: i64,
    pub rated_satisfied: i64,
    pub rated_basic: i64,
    pub rated_unsatisfied: i64,
}

macro_rules! counters {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl $ty {
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field)),*];

            pub fn values(&self) -> Vec<i64> {
                vec![$(self.$field),*]
            }

            pub fn from_values(values: &[i64]) -> $ty {
                let mut it = values.iter().copied();
                $ty { $($field: it.next().unwrap_or(0)),* }
            }

            pub fn plus(&self, other: &$ty) -> $ty {
                $ty { $($field: self.$field + other.$field),* }
            }

            pub fn minus(&self, other: &$ty) -> $ty {
                $ty { $($field: self.$field - other.$field),* }
            }

            pub fn is_zero(&self) -> bool {
                *self == $ty::default()
            }
        }
    };
}

counters!(CaseCounts {
    received,
    acknowledged,
    ack_on_time,
    answered_direct,
    forwarded,
    answered,
    answered_on_time,
    closed,
    solved,
    withdrawn,
    merged,
    reopened,
    citizen_satisfied,
    citizen_basic,
    citizen_unsatisfied,
    rep_satisfied,
    rep_basic,
    rep_unsatisfied,
    rated_both,
    disagree,
    returns,
    reworks,
    extensions,
});

counters!(DeptCounts {
    assigned,
    returned,
    reworked,
    ext_requested,
    ext_granted,
    submitted,
    submitted_on_time,
    completed,
    rated_satisfied,
    rated_basic,
    rated_unsatisfied,
});

/// The snapshot of one case: its own counters and those of each department it
/// was assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    pub case: CaseCounts,
    pub departments: BTreeMap<String, DeptCounts>,
}

impl Tally {
    /// What `self` adds over `before` (both of the same case).
    pub fn minus(&self, before: &Tally) -> Tally {
        let mut departments = BTreeMap::new();
        for (id, after) in &self.departments {
            let earlier = before.departments.get(id).copied().unwrap_or_default();
            departments.insert(id.clone(), after.minus(&earlier));
        }
        for (id, earlier) in &before.departments {
            if !self.departments.contains_key(id) {
                departments.insert(id.clone(), DeptCounts::default().minus(earlier));
            }
        }
        departments.retain(|_, d| !d.is_zero());
        Tally { case: self.case.minus(&before.case), departments }
    }
}

#[derive(Debug, Clone, Default)]
struct AssignmentFold {
    department_id: String,
    due: Option<NaiveDate>,
    requested: Option<NaiveDate>,
    grade: Option<Grade>,
}

fn grade_counts(grade: Option<Grade>) -> (i64, i64, i64) {
    match grade {
        Some(Grade::Satisfied) => (1, 0, 0),
        Some(Grade::BasicallySatisfied) => (0, 1, 0),
        Some(Grade::Unsatisfied) => (0, 0, 1),
        None => (0, 0, 0),
    }
}

/// Folds a case's history (in order) into its counters. `assignments` are the
/// case's assignments, used to know which assignment a forward created.
pub fn tally(events: &[HistoryEvent], assignments: &[AssignmentFact]) -> Tally {
    let mut t = Tally::default();
    let mut state = None;
    let mut ack_due = None;
    let mut answer_due = None;
    let mut acknowledged_on = None;
    let mut first_answer_on = None;
    let mut replied = false;
    let mut citizen_grade = None;
    let mut folds: BTreeMap<String, AssignmentFold> = BTreeMap::new();
    let mut used: Vec<&str> = Vec::new();
    for event in events {
        let day = cst_date(event.at);
        let dept = |id: &str, folds: &BTreeMap<String, AssignmentFold>| folds.get(id).map(|f| f.department_id.clone());
        match event.kind.as_str() {
            "submit" => {
                t.case.received = 1;
                ack_due = event.ack_due;
                answer_due = event.answer_due;
            }
            "acknowledge" => {
                acknowledged_on.get_or_insert(day);
            }
            "reply" | "answer" => {
                acknowledged_on.get_or_insert(day);
                first_answer_on.get_or_insert(day);
                replied |= event.kind == "reply";
            }
            "forward" => {
                acknowledged_on.get_or_insert(day);
                t.case.forwarded = 1;
                for (department_id, due) in &event.forwarded {
                    let made = assignments.iter().find(|a| {
                        a.created_at == event.at && &a.department_id == department_id && !used.contains(&a.id.as_str())
                    });
                    let Some(made) = made else { continue };
                    used.push(made.id.as_str());
                    t.departments.entry(department_id.clone()).or_default().assigned += 1;
                    folds.insert(
                        made.id.clone(),
                        AssignmentFold { department_id: department_id.clone(), due: Some(*due), ..Default::default() },
                    );
                }
            }
            "return" => {
                t.case.returns += 1;
                if let Some(d) = dept(&event.assignment_id, &folds) {
                    t.departments.entry(d).or_default().returned += 1;
                }
            }
            "send_back" => {
                t.case.reworks += 1;
                if let Some(d) = dept(&event.assignment_id, &folds) {
                    t.departments.entry(d).or_default().reworked += 1;
                }
            }
            "request_extension" => {
                if let Some(f) = folds.get_mut(&event.assignment_id) {
                    f.requested = event.new_due;
                    t.departments.entry(f.department_id.clone()).or_default().ext_requested += 1;
                }
            }
            "grant_extension" => {
                t.case.extensions += 1;
                if let Some(f) = folds.get_mut(&event.assignment_id) {
                    if let Some(requested) = f.requested.take() {
                        f.due = Some(requested);
                    }
                    t.departments.entry(f.department_id.clone()).or_default().ext_granted += 1;
                }
            }
            "refuse_extension" => {
                if let Some(f) = folds.get_mut(&event.assignment_id) {
                    f.requested = None;
                }
            }
            "submit_result" => {
                if let Some(f) = folds.get(&event.assignment_id) {
                    let d = t.departments.entry(f.department_id.clone()).or_default();
                    d.submitted += 1;
                    if f.due.is_some_and(|due| day <= due) {
                        d.submitted_on_time += 1;
                    }
                }
            }
            "rate_result" => {
                if event.grade == Some(Grade::Unsatisfied) {
                    t.case.reworks += 1;
                }
                if let Some(f) = folds.get_mut(&event.assignment_id) {
                    f.grade = event.grade;
                    if event.grade == Some(Grade::Unsatisfied) {
                        t.departments.entry(f.department_id.clone()).or_default().reworked += 1;
                    }
                }
            }
            "citizen_rate" => {
                citizen_grade = event.grade;
                if event.state_after == Some(CaseState::Acknowledged) {
                    t.case.reopened += 1;
                }
            }
            _ => {}
        }
        if let Some(after) = event.state_after {
            state = Some(after);
        }
    }
    let merged = state == Some(CaseState::Merged);
    t.case.acknowledged = i64::from(acknowledged_on.is_some());
    t.case.ack_on_time = i64::from(!merged && acknowledged_on.zip(ack_due).is_some_and(|(on, due)| on <= due));
    t.case.answered = i64::from(first_answer_on.is_some());
    t.case.answered_on_time = i64::from(first_answer_on.zip(answer_due).is_some_and(|(on, due)| on <= due));
    t.case.answered_direct = i64::from(replied && t.case.forwarded == 0);
    t.case.closed = i64::from(state == Some(CaseState::Closed));
    t.case.solved = i64::from(state == Some(CaseState::Closed) && citizen_grade != Some(Grade::Unsatisfied));
    t.case.withdrawn = i64::from(state == Some(CaseState::Withdrawn));
    t.case.merged = i64::from(merged);
    (t.case.citizen_satisfied, t.case.citizen_basic, t.case.citizen_unsatisfied) = grade_counts(citizen_grade);
    let mut receiver_satisfied = None;
    for fold in folds.values() {
        let (s, b, u) = grade_counts(fold.grade);
        t.case.rep_satisfied += s;
        t.case.rep_basic += b;
        t.case.rep_unsatisfied += u;
        let d = t.departments.entry(fold.department_id.clone()).or_default();
        d.rated_satisfied += s;
        d.rated_basic += b;
        d.rated_unsatisfied += u;
        d.completed += s + b;
        if let Some(grade) = fold.grade {
            receiver_satisfied = Some(receiver_satisfied.unwrap_or(true) && grade.is_satisfied());
        }
    }
    if let (Some(citizen), Some(receiver)) = (citizen_grade, receiver_satisfied) {
        t.case.rated_both = 1;
        t.case.disagree = i64::from(citizen.is_satisfied() != receiver);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: &str, at_day: u32) -> HistoryEvent {
        HistoryEvent { kind: kind.into(), at: at(at_day), ..Default::default() }
    }

    fn at(day: u32) -> i64 {
        // 2026-03-{day} 10:00 China time.
        let date = NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        date.and_hms_opt(2, 0, 0).unwrap().and_utc().timestamp_millis()
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    #[test]
    fn differences_telescope_to_the_final_snapshot() {
        let submit = HistoryEvent { ack_due: Some(d(3)), answer_due: Some(d(20)), ..ev("submit", 2) };
        let forward = HistoryEvent { forwarded: vec![("dep".into(), d(10))], ..ev("forward", 3) };
        let facts = [AssignmentFact { id: "a1".into(), department_id: "dep".into(), created_at: at(3) }];
        let submit_result = HistoryEvent { assignment_id: "a1".into(), ..ev("submit_result", 9) };
        let rate = HistoryEvent { assignment_id: "a1".into(), grade: Some(Grade::Satisfied), ..ev("rate_result", 9) };
        let history = vec![submit, forward, submit_result, rate];
        let mut sum = Tally::default();
        for n in 1..=history.len() {
            let step = tally(&history[..n], &facts).minus(&tally(&history[..n - 1], &facts));
            sum.case = sum.case.plus(&step.case);
            for (k, v) in step.departments {
                let e = sum.departments.entry(k).or_default();
                *e = e.plus(&v);
            }
        }
        assert_eq!(sum, tally(&history, &facts));
        assert_eq!(sum.departments["dep"].submitted_on_time, 1);
        assert_eq!(sum.case.ack_on_time, 1);
    }
}
