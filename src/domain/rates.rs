//! The rates offices are judged by, as pure functions of summed counters, and the
//! period a cockpit looks at.
//!
//! Every rate is over the cases *received* in the period (their cohort), so a rate
//! does not change because a case received long ago was closed today. A rate
//! whose denominator is zero is not an error: it is [`Rate::Undefined`] with the
//! reason, shown as "—".

use chrono::{Datelike, NaiveDate};

use super::tally::{CaseCounts, DeptCounts};
use super::{FieldError, Msg};

/// A share of something, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rate {
    Share { numerator: i64, denominator: i64 },
    Undefined { reason: Msg },
}

impl Rate {
    fn of(numerator: i64, denominator: i64, reason: &'static str) -> Rate {
        if denominator <= 0 {
            Rate::Undefined { reason: Msg::new(reason) }
        } else {
            Rate::Share { numerator, denominator }
        }
    }

    /// Per mille (‰), for sorting and charts; none when undefined.
    pub fn per_mille(&self) -> Option<i64> {
        match self {
            Rate::Share { numerator, denominator } => Some(numerator * 1000 / denominator),
            Rate::Undefined { .. } => None,
        }
    }

    /// `87.5%`, or `—` when there is nothing to divide by.
    pub fn display(&self) -> String {
        match self.per_mille() {
            Some(pm) => format!("{}.{}%", pm / 10, pm % 10),
            None => "—".to_string(),
        }
    }
}

/// 响应率: cases acknowledged on or before their acknowledgement date, of the cases
/// received (merged duplicates leave both sides).
pub fn response_rate(c: &CaseCounts) -> Rate {
    Rate::of(c.ack_on_time, c.received - c.merged, "rate-none-received")
}

/// 按期答复率: cases first answered on or before the answer date set when they were
/// received, of the cases answered.
pub fn on_time_rate(c: &CaseCounts) -> Rate {
    Rate::of(c.answered_on_time, c.answered, "rate-none-answered")
}

/// 解决率: closed cases whose citizen's last rating was not 不满意, of the closed cases.
pub fn solution_rate(c: &CaseCounts) -> Rate {
    Rate::of(c.solved, c.closed, "rate-none-closed")
}

/// 满意率 as rated by citizens: 满意 or 基本满意, of the cases the citizen rated (the
/// latest rating of each case counts).
pub fn satisfaction_by_citizens(c: &CaseCounts) -> Rate {
    let rated = c.citizen_satisfied + c.citizen_basic + c.citizen_unsatisfied;
    Rate::of(c.citizen_satisfied + c.citizen_basic, rated, "rate-none-rated-citizen")
}

/// 满意率 as rated by representatives (the receiver rating each department's
/// result; the latest rating of each assignment counts).
pub fn satisfaction_by_representatives(c: &CaseCounts) -> Rate {
    let rated = c.rep_satisfied + c.rep_basic + c.rep_unsatisfied;
    Rate::of(c.rep_satisfied + c.rep_basic, rated, "rate-none-rated-representative")
}

/// Where the two disagree: of the cases rated by both, those where one side was
/// satisfied and the other not.
pub fn disagreement_rate(c: &CaseCounts) -> Rate {
    Rate::of(c.disagree, c.rated_both, "rate-none-rated-both")
}

/// A department's on-time rate: results submitted by the due date in force then
/// (after any granted extension), of results submitted.
pub fn department_on_time_rate(d: &DeptCounts) -> Rate {
    Rate::of(d.submitted_on_time, d.submitted, "rate-none-submitted")
}

/// A department's 满意率: results the receiver rated 满意 or 基本满意, of those rated.
pub fn department_satisfaction(d: &DeptCounts) -> Rate {
    let rated = d.rated_satisfied + d.rated_basic + d.rated_unsatisfied;
    Rate::of(d.rated_satisfied + d.rated_basic, rated, "rate-none-rated-representative")
}

/// The cohort days a cockpit looks at, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

/// The longest period one view covers (ten years).
pub const MAX_PERIOD_DAYS: i64 = 3660;

impl Period {
    /// Parses `from` and `to` (`YYYY-MM-DD`); an empty `from` means the first day of
    /// `today`'s year, an empty `to` means today.
    pub fn parse(from: &str, to: &str, today: NaiveDate) -> Result<Period, FieldError> {
        let date = |field: &str, raw: &str, default: NaiveDate| {
            let raw = raw.trim();
            if raw.is_empty() {
                return Ok(default);
            }
            NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| FieldError::new(field, Msg::new("err-period-date")))
        };
        let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        let from = date("from", from, year_start)?;
        let to = date("to", to, today)?;
        if from > to {
            return Err(FieldError::new("to", Msg::new("err-period-order")));
        }
        if (to - from).num_days() > MAX_PERIOD_DAYS {
            return Err(FieldError::new("from", Msg::new("err-period-long")));
        }
        Ok(Period { from, to })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }
}

/// How the cockpit's counters file a day: under the day itself (`d`, `YYYY-MM-DD`) and
/// under its month (`m`, `YYYY-MM`), so a long period is summed from whole months and
/// only its ragged ends from days.
pub const GRAINS: [&str; 2] = ["d", "m"];

/// The buckets a day is filed under, one per grain of [`GRAINS`].
pub fn buckets_of(day: NaiveDate) -> [(&'static str, String); 2] {
    [("d", day.to_string()), ("m", month_of(day))]
}

/// A period as buckets to sum: the whole months inside it, and the days of its ragged
/// ends. Each range is inclusive; an empty range is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buckets {
    /// First and last whole month (`YYYY-MM`).
    pub months: Option<(String, String)>,
    /// The days before the first whole month (`YYYY-MM-DD`).
    pub head: Option<(String, String)>,
    /// The days after the last whole month.
    pub tail: Option<(String, String)>,
}

impl Period {
    /// The period as whole months and ragged-end days: a day is in exactly one of them.
    pub fn buckets(&self) -> Buckets {
        let first_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
        let next_month = |d: NaiveDate| first_of(first_of(d) + chrono::Duration::days(32));
        // The first whole month starts on `from` if `from` is a first, else next month.
        let start = if self.from.day() == 1 { self.from } else { next_month(self.from) };
        // The last whole month ends on `to` if tomorrow is a first.
        let after_to = self.to + chrono::Duration::days(1);
        let end = if after_to.day() == 1 { after_to } else { first_of(self.to) };
        let range = |a: NaiveDate, b: NaiveDate| (a <= b).then(|| (a.to_string(), b.to_string()));
        if start >= end {
            // No whole month: every day is a ragged end.
            return Buckets { months: None, head: range(self.from, self.to), tail: None };
        }
        let last_month = end - chrono::Duration::days(1);
        Buckets {
            months: Some((month_of(start), month_of(last_month))),
            head: range(self.from, start - chrono::Duration::days(1)),
            tail: range(end, self.to),
        }
    }

    /// The part of the period up to `last` (none if the period starts after it).
    pub fn until(&self, last: NaiveDate) -> Option<Period> {
        (self.from <= last).then(|| Period { from: self.from, to: self.to.min(last) })
    }

    /// The buckets to read for the period on `today`. No case is received after today,
    /// so a period that reaches today sums the same as one running to the end of its
    /// last month: that month is read as one row instead of a row for each day so far
    /// ("this month", "the year so far").
    pub fn buckets_as_of(&self, today: NaiveDate) -> Buckets {
        if self.to < today {
            return self.buckets();
        }
        let first_of_next = (self.to.with_day(1).unwrap_or(self.to) + chrono::Duration::days(32)).with_day(1);
        let end_of_month = first_of_next.map_or(self.to, |d| d - chrono::Duration::days(1));
        Period { from: self.from, to: end_of_month }.buckets()
    }
}

/// The Monday of a day's ISO week, which names the week in trends.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// `YYYY-MM`, which names the month in trends.
pub fn month_of(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{CaseState, Grade};
    use crate::domain::tally::{AssignmentFact, HistoryEvent, tally};

    // A hand-built set of cases, received in March 2026 (China time, 10:00).
    fn at(day: u32) -> i64 {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap().and_hms_opt(2, 0, 0).unwrap().and_utc().timestamp_millis()
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    fn buckets(from: &str, to: &str) -> Buckets {
        let today = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        Period::parse(from, to, today).unwrap().buckets()
    }

    fn some(a: &str, b: &str) -> Option<(String, String)> {
        Some((a.to_string(), b.to_string()))
    }

    #[test]
    fn a_period_is_whole_months_and_ragged_days() {
        // Ragged at both ends.
        let b = buckets("2026-01-15", "2026-04-10");
        assert_eq!(b.months, some("2026-02", "2026-03"));
        assert_eq!(b.head, some("2026-01-15", "2026-01-31"));
        assert_eq!(b.tail, some("2026-04-01", "2026-04-10"));
        // Exactly whole months, across a leap February and a year's end.
        let b = buckets("2023-12-01", "2024-02-29");
        assert_eq!((b.months, b.head, b.tail), (some("2023-12", "2024-02"), None, None));
        // The default period: the year so far.
        let b = buckets("2026-01-01", "2026-11-29");
        assert_eq!((b.months, b.head, b.tail), (some("2026-01", "2026-10"), None, some("2026-11-01", "2026-11-29")));
        // Inside one month, or across two without a whole one: days only.
        let b = buckets("2026-03-02", "2026-03-30");
        assert_eq!((b.months, b.head, b.tail), (None, some("2026-03-02", "2026-03-30"), None));
        let b = buckets("2026-03-20", "2026-04-10");
        assert_eq!((b.months, b.head, b.tail), (None, some("2026-03-20", "2026-04-10"), None));
        // One day; one whole month.
        let b = buckets("2026-03-31", "2026-03-31");
        assert_eq!((b.months, b.head, b.tail), (None, some("2026-03-31", "2026-03-31"), None));
        let b = buckets("2026-02-01", "2026-02-28");
        assert_eq!((b.months, b.head, b.tail), (some("2026-02", "2026-02"), None, None));
    }

    #[test]
    fn every_day_of_a_period_is_in_exactly_one_bucket() {
        let start = NaiveDate::from_ymd_opt(2027, 12, 20).unwrap();
        for len in [0, 1, 10, 11, 12, 40, 70, 400] {
            for shift in [0, 5, 12, 43] {
                let from = start + chrono::Duration::days(shift);
                let to = from + chrono::Duration::days(len);
                let b = Period::parse(&from.to_string(), &to.to_string(), to).unwrap().buckets();
                let inside = |r: &Option<(String, String)>, key: &str| {
                    r.as_ref().is_some_and(|(a, z)| a.as_str() <= key && key <= z.as_str())
                };
                let mut day = from - chrono::Duration::days(40);
                while day <= to + chrono::Duration::days(40) {
                    let (d, m) = (day.to_string(), month_of(day));
                    let hits = [inside(&b.months, &m), inside(&b.head, &d), inside(&b.tail, &d)];
                    let n = hits.iter().filter(|h| **h).count();
                    assert_eq!(n, usize::from(from <= day && day <= to), "{from}..{to}: {day} in {hits:?}");
                    day += chrono::Duration::days(1);
                }
            }
        }
    }

    #[test]
    fn a_period_reaching_today_reads_its_last_month_whole() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let as_of = |from: &str, to: &str| {
            let b = Period::parse(from, to, today).unwrap().buckets_as_of(today);
            (b.months, b.head, b.tail)
        };
        // The year so far, and this month: whole months only.
        assert_eq!(as_of("", ""), (some("2026-01", "2026-11"), None, None));
        assert_eq!(as_of("2026-11-01", ""), (some("2026-11", "2026-11"), None, None));
        // Beyond today too (those days hold nothing yet).
        assert_eq!(as_of("2026-10-01", "2026-12-15"), (some("2026-10", "2026-12"), None, None));
        // A ragged start stays days; a period that ended before today is read as it is.
        assert_eq!(as_of("2026-10-15", ""), (some("2026-11", "2026-11"), some("2026-10-15", "2026-10-31"), None));
        assert_eq!(as_of("2026-11-02", ""), (None, some("2026-11-02", "2026-11-30"), None));
        assert_eq!(
            as_of("2026-01-01", "2026-11-28"),
            (some("2026-01", "2026-10"), None, some("2026-11-01", "2026-11-28"))
        );
        // At a year's end.
        let dec = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let b = Period::parse("2026-12-01", "", dec).unwrap().buckets_as_of(dec);
        assert_eq!((b.months, b.head, b.tail), (some("2026-12", "2026-12"), None, None));
    }

    fn ev(kind: &str, day: u32) -> HistoryEvent {
        HistoryEvent { kind: kind.into(), at: at(day), ..Default::default() }
    }

    fn submit(day: u32) -> HistoryEvent {
        // Acknowledge within a day, answer within ten.
        HistoryEvent { ack_due: Some(d(day + 1)), answer_due: Some(d(day + 10)), ..ev("submit", day) }
    }

    fn to(mut e: HistoryEvent, state: CaseState) -> HistoryEvent {
        e.state_after = Some(state);
        e
    }

    fn graded(mut e: HistoryEvent, grade: Grade, state: CaseState) -> HistoryEvent {
        e.grade = Some(grade);
        e.state_after = Some(state);
        e
    }

    fn on(mut e: HistoryEvent, assignment: &str) -> HistoryEvent {
        e.assignment_id = assignment.into();
        e
    }

    struct Case {
        events: Vec<HistoryEvent>,
        facts: Vec<AssignmentFact>,
    }

    fn plain(events: Vec<HistoryEvent>) -> Case {
        Case { events, facts: Vec::new() }
    }

    fn dataset() -> Vec<Case> {
        use CaseState::*;
        use Grade::*;
        let fwd = |day: u32, due: u32| HistoryEvent {
            forwarded: vec![("roads".into(), d(due))],
            ..to(ev("forward", day), Forwarded)
        };
        let roads =
            |id: &str, day: u32| AssignmentFact { id: id.into(), department_id: "roads".into(), created_at: at(day) };
        vec![
            // 1. Acknowledged on time, replied directly on time, citizen satisfied, closed.
            plain(vec![
                submit(2),
                to(ev("acknowledge", 3), Acknowledged),
                to(ev("reply", 5), Answered),
                graded(ev("citizen_rate", 6), Satisfied, Closed),
            ]),
            // 2. Acknowledged late (ack due 3rd, acknowledged 5th), answered late, still unrated.
            plain(vec![submit(2), to(ev("acknowledge", 5), Acknowledged), to(ev("reply", 20), Answered)]),
            // 3. Reopened: unsatisfied once, answered again, then satisfied and closed.
            plain(vec![
                submit(4),
                to(ev("reply", 4), Answered),
                graded(ev("citizen_rate", 5), Unsatisfied, Acknowledged),
                to(ev("reply", 8), Answered),
                graded(ev("citizen_rate", 9), BasicallySatisfied, Closed),
            ]),
            // 4. Merged into another case on the day it came: leaves the response rate.
            plain(vec![submit(6), to(ev("acknowledge", 6), Acknowledged), to(ev("merge", 6), Merged)]),
            // 5. Forwarded; the department asks for and is granted an extension, submits
            //    after its first due date but before the extended one; the receiver is
            //    satisfied, the citizen is not (the reopen limit closes it): disagreement.
            Case {
                events: vec![
                    submit(9),
                    fwd(9, 12),
                    HistoryEvent { new_due: Some(d(16)), ..on(ev("request_extension", 11), "a5") },
                    on(ev("grant_extension", 11), "a5"),
                    on(ev("submit_result", 15), "a5"),
                    on(graded(ev("rate_result", 15), Satisfied, Forwarded), "a5"),
                    to(ev("answer", 16), Answered),
                    graded(ev("citizen_rate", 17), Unsatisfied, Closed),
                ],
                facts: vec![roads("a5", 9)],
            },
            // 6. Forwarded, returned by the department, forwarded again, sent back once,
            //    then rated unsatisfied by the receiver (rework): not yet answered.
            Case {
                events: vec![
                    submit(10),
                    fwd(10, 13),
                    on(ev("return", 10), "a6"),
                    fwd(11, 14),
                    on(ev("submit_result", 12), "b6"),
                    on(ev("send_back", 12), "b6"),
                    on(ev("submit_result", 13), "b6"),
                    on(graded(ev("rate_result", 13), Unsatisfied, Forwarded), "b6"),
                ],
                facts: vec![roads("a6", 10), roads("b6", 11)],
            },
            // 7. Withdrawn before anyone acknowledged it.
            plain(vec![submit(12), to(ev("withdraw", 12), Withdrawn)]),
        ]
    }

    fn sum() -> (CaseCounts, DeptCounts) {
        let mut case = CaseCounts::default();
        let mut dept = DeptCounts::default();
        for c in dataset() {
            let t = tally(&c.events, &c.facts);
            case = case.plus(&t.case);
            for d in t.departments.values() {
                dept = dept.plus(d);
            }
        }
        (case, dept)
    }

    fn check(rate: Rate, expected: &str) {
        let got = match &rate {
            Rate::Share { numerator, denominator } => format!("{numerator}/{denominator} {}", rate.display()),
            Rate::Undefined { reason } => format!("— {}", reason.key),
        };
        assert_eq!(got, expected);
    }

    #[test]
    fn response_rate_counts_acknowledgement_by_its_date_and_drops_merged_cases() {
        // On time: 1, 3 (reply acknowledges), 5 and 6 (forward acknowledges). Late: 2.
        // 4 is merged (out of both sides); 7 was withdrawn unacknowledged (counts against).
        check(response_rate(&sum().0), "4/6 66.6%");
        check(response_rate(&CaseCounts::default()), "— rate-none-received");
    }

    #[test]
    fn on_time_rate_uses_the_first_answer_even_when_reopened() {
        // Answered: 1 (5th ≤ 12th), 2 (20th > 12th), 3 (first answer 4th), 5 (16th ≤ 19th).
        check(on_time_rate(&sum().0), "3/4 75.0%");
        check(on_time_rate(&CaseCounts { received: 3, ..Default::default() }), "— rate-none-answered");
    }

    #[test]
    fn solution_rate_is_closed_without_a_last_unsatisfied_rating() {
        // Closed: 1 (satisfied), 3 (reopened, then basically satisfied), 5 (closed unsatisfied).
        check(solution_rate(&sum().0), "2/3 66.6%");
        check(solution_rate(&CaseCounts { received: 1, answered: 1, ..Default::default() }), "— rate-none-closed");
    }

    #[test]
    fn satisfaction_by_citizens_takes_each_cases_latest_rating() {
        // 1 satisfied, 3 basically satisfied (its earlier 不满意 no longer counts), 5 unsatisfied.
        check(satisfaction_by_citizens(&sum().0), "2/3 66.6%");
        let (case, _) = sum();
        assert_eq!(case.reopened, 1);
        check(satisfaction_by_citizens(&CaseCounts::default()), "— rate-none-rated-citizen");
    }

    #[test]
    fn satisfaction_by_representatives_takes_each_assignments_latest_rating() {
        // a5 satisfied, b6 unsatisfied; a6 was returned and never rated.
        check(satisfaction_by_representatives(&sum().0), "1/2 50.0%");
        check(satisfaction_by_representatives(&CaseCounts::default()), "— rate-none-rated-representative");
    }

    #[test]
    fn disagreement_is_among_cases_rated_by_both() {
        // Only case 5 is rated by both, and they disagree.
        check(disagreement_rate(&sum().0), "1/1 100.0%");
        check(disagreement_rate(&CaseCounts { citizen_satisfied: 2, ..Default::default() }), "— rate-none-rated-both");
    }

    #[test]
    fn department_on_time_uses_the_extended_due_date() {
        // a5 submitted on the 15th, due the 12th extended to the 16th: on time. b6
        // submitted on the 12th and 13th, due the 14th: both on time.
        let (case, dept) = sum();
        check(department_on_time_rate(&dept), "3/3 100.0%");
        assert_eq!((dept.assigned, dept.returned, dept.reworked, dept.ext_granted), (3, 1, 2, 1));
        assert_eq!((case.returns, case.reworks, case.extensions), (1, 2, 1));
        check(department_satisfaction(&dept), "1/2 50.0%");
        check(department_on_time_rate(&DeptCounts::default()), "— rate-none-submitted");
    }

    #[test]
    fn counts_of_the_hand_built_set() {
        let (case, _) = sum();
        assert_eq!(
            (
                case.received,
                case.acknowledged,
                case.answered_direct,
                case.forwarded,
                case.closed,
                case.merged,
                case.withdrawn
            ),
            (7, 6, 3, 2, 3, 1, 1)
        );
    }

    #[test]
    fn periods_parse_with_clear_errors() {
        let today = d(15);
        let p = Period::parse("", "", today).unwrap();
        assert_eq!((p.from().to_string(), p.to().to_string()), ("2026-01-01".into(), "2026-03-15".into()));
        let err = |from: &str, to: &str| Period::parse(from, to, today).unwrap_err().msg.key;
        assert_eq!(err("2026-13-01", ""), "err-period-date");
        assert_eq!(err("2026-03-10", "2026-03-01"), "err-period-order");
        assert_eq!(err("2000-01-01", "2026-03-01"), "err-period-long");
        assert_eq!(week_of(d(15)).to_string(), "2026-03-09");
        assert_eq!(month_of(d(15)), "2026-03");
    }
}
