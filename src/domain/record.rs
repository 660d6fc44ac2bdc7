//! A deputy's or a station's public record (公开履职情况): counts over the cases
//! addressed to them, with no personal data.

use chrono::NaiveDate;

use super::calendar::cst_date;
use super::case::{CaseState, Grade};

/// What the record needs to know of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub state: CaseState,
    /// When the answer was given, in ms UTC.
    pub answered_at: Option<i64>,
    pub answer_due: Option<NaiveDate>,
    pub grade: Option<Grade>,
}

/// The public record: cases received, answered, answered on time, and how the
/// citizens rated the answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicRecord {
    pub received: u32,
    pub answered: u32,
    pub on_time: u32,
    pub rated: u32,
    /// Rated 满意 or 基本满意.
    pub satisfied: u32,
}

impl PublicRecord {
    /// The counts over the cases addressed to one deputy or station. A case merged
    /// into another is counted once, in the other.
    pub fn tally(cases: &[CaseFacts]) -> PublicRecord {
        let mut record = PublicRecord::default();
        for case in cases.iter().filter(|c| c.state != CaseState::Merged) {
            record.received += 1;
            if let Some(at) = case.answered_at {
                record.answered += 1;
                if case.answer_due.is_none_or(|due| cst_date(at) <= due) {
                    record.on_time += 1;
                }
            }
            if let Some(grade) = case.grade {
                record.rated += 1;
                if grade != Grade::Unsatisfied {
                    record.satisfied += 1;
                }
            }
        }
        record
    }

    /// Answered on time, in whole percent of the answered cases; none before the first answer.
    pub fn on_time_percent(&self) -> Option<u32> {
        percent(self.on_time, self.answered)
    }

    /// Satisfied or basically satisfied, in whole percent of the rated cases.
    pub fn satisfied_percent(&self) -> Option<u32> {
        percent(self.satisfied, self.rated)
    }
}

fn percent(part: u32, whole: u32) -> Option<u32> {
    (whole > 0).then(|| ((u64::from(part) * 100 + u64::from(whole) / 2) / u64::from(whole)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    /// Noon in China on 2026-03-`d`, in ms UTC.
    fn noon(d: u32) -> i64 {
        day(d).and_hms_opt(4, 0, 0).unwrap().and_utc().timestamp_millis()
    }

    fn case(state: CaseState, answered: Option<u32>, due: Option<u32>, grade: Option<Grade>) -> CaseFacts {
        CaseFacts { state, answered_at: answered.map(noon), answer_due: due.map(day), grade }
    }

    #[test]
    fn counts_answers_on_time_and_satisfaction_leaving_merged_cases_out() {
        let cases = [
            case(CaseState::Closed, Some(5), Some(5), Some(Grade::Satisfied)),
            case(CaseState::Answered, Some(6), Some(5), Some(Grade::Unsatisfied)),
            case(CaseState::Closed, Some(3), Some(9), Some(Grade::BasicallySatisfied)),
            case(CaseState::Forwarded, None, Some(20), None),
            case(CaseState::Merged, None, None, None),
        ];
        let record = PublicRecord::tally(&cases);
        assert_eq!(record, PublicRecord { received: 4, answered: 3, on_time: 2, rated: 3, satisfied: 2 });
        assert_eq!(record.on_time_percent(), Some(67));
        assert_eq!(record.satisfied_percent(), Some(67));
        assert_eq!(PublicRecord::tally(&[]).on_time_percent(), None, "no percentage before the first answer");
    }

    #[test]
    fn an_answer_late_in_the_evening_of_the_due_day_in_china_is_on_time() {
        // 23:30 in China on the 5th is 15:30 UTC on the 5th; 00:30 on the 6th is 16:30 UTC on the 5th.
        let evening = day(5).and_hms_opt(15, 30, 0).unwrap().and_utc().timestamp_millis();
        let after_midnight = day(5).and_hms_opt(16, 30, 0).unwrap().and_utc().timestamp_millis();
        let facts =
            |at| CaseFacts { state: CaseState::Closed, answered_at: Some(at), answer_due: Some(day(5)), grade: None };
        assert_eq!(PublicRecord::tally(&[facts(evening)]).on_time, 1);
        assert_eq!(PublicRecord::tally(&[facts(after_midnight)]).on_time, 0);
    }
}
