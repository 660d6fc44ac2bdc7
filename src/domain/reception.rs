//! Reception days (接待日) held versus planned: the rule the cockpit's station
//! management counts by, written once.
//!
//! A reception day is a meeting of kind `reception` (`domain::meeting`). Over a period
//! (China dates, both ends included) and on a given day `today`:
//!
//! - Only days whose date has come count: the period ends at `today` at the latest, so a
//!   day still ahead is neither planned nor missed yet.
//! - **Planned**: every reception day of the station dated in the period, except one
//!   cancelled *before* its date (a plan changed in time). A day cancelled on its date or
//!   later was planned and not held.
//! - **Held**: those of the planned marked held.
//! - A past day still marked planned is planned and not held.
//!
//! So `held <= planned` always, and `planned - held` is the days that were due and did
//! not take place.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::meeting::MeetingState;
use super::rates::Period;

const DAY_MS: i64 = 24 * 3600 * 1000;
/// China Standard Time is UTC+8 all year.
const CHINA_OFFSET_MS: i64 = 8 * 3600 * 1000;

/// One reception day as the count needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptionDay {
    pub unit_id: String,
    /// Milliseconds UTC.
    pub starts_at: i64,
    pub state: MeetingState,
    /// When it was cancelled, if it was.
    pub cancelled_at: Option<i64>,
}

/// Planned and held reception days of one station (or of a whole subtree).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReceptionCount {
    pub planned: i64,
    pub held: i64,
}

impl ReceptionCount {
    pub fn plus(&self, other: &ReceptionCount) -> ReceptionCount {
        ReceptionCount { planned: self.planned + other.planned, held: self.held + other.held }
    }

    /// Planned days that were not held.
    pub fn missed(&self) -> i64 {
        self.planned - self.held
    }
}

/// Milliseconds UTC of the start (00:00 China time) of the China date holding `millis`.
pub fn china_day_start(millis: i64) -> i64 {
    millis - (millis + CHINA_OFFSET_MS).rem_euclid(DAY_MS)
}

/// Milliseconds UTC of 00:00 China time on `day`.
pub fn china_midnight(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or_default() - CHINA_OFFSET_MS
}

/// The times counted for a period seen on `today`: `[from, until)` in milliseconds UTC,
/// or none when the period has not begun.
pub fn window(period: &Period, today: NaiveDate) -> Option<(i64, i64)> {
    let last = period.to().min(today);
    if last < period.from() {
        return None;
    }
    let after = last.succ_opt().unwrap_or(last);
    Some((china_midnight(period.from()), china_midnight(after)))
}

/// Whether a day in the counted window counts as planned (see the module's rule).
pub fn counts_as_planned(day: &ReceptionDay) -> bool {
    match day.state {
        MeetingState::Planned | MeetingState::Held => true,
        MeetingState::Cancelled => day.cancelled_at.is_some_and(|at| at >= china_day_start(day.starts_at)),
    }
}

/// What one day in the counted window counts: planned if [`counts_as_planned`], held if
/// also marked held.
pub fn count_of(day: &ReceptionDay) -> ReceptionCount {
    let planned = counts_as_planned(day);
    ReceptionCount { planned: i64::from(planned), held: i64::from(planned && day.state == MeetingState::Held) }
}

/// Planned and held reception days per station, for the days given, over `period` seen on `today`.
pub fn tally<'a>(
    days: impl IntoIterator<Item = &'a ReceptionDay>,
    period: &Period,
    today: NaiveDate,
) -> BTreeMap<String, ReceptionCount> {
    let mut out: BTreeMap<String, ReceptionCount> = BTreeMap::new();
    let Some((from, until)) = window(period, today) else { return out };
    for day in days {
        if day.starts_at < from || day.starts_at >= until || !counts_as_planned(day) {
            continue;
        }
        let count = out.entry(day.unit_id.clone()).or_default();
        *count = count.plus(&count_of(day));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::meeting::parse_start;

    fn at(text: &str) -> i64 {
        parse_start("t", text).unwrap()
    }

    fn day(unit: &str, starts: &str, state: MeetingState, cancelled: Option<&str>) -> ReceptionDay {
        ReceptionDay { unit_id: unit.into(), starts_at: at(starts), state, cancelled_at: cancelled.map(at) }
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// One station's count of a single day, for March 2026 seen on 15 March.
    fn check(d: ReceptionDay, expected: (i64, i64)) {
        let period = Period::parse("2026-03-01", "2026-03-31", date("2026-03-15")).unwrap();
        let counts = tally([&d], &period, date("2026-03-15"));
        let got = counts.get("A").copied().unwrap_or_default();
        assert_eq!((got.planned, got.held), expected, "{d:?}");
    }

    #[test]
    fn each_edge_of_held_versus_planned() {
        use MeetingState::{Cancelled, Held, Planned};
        check(day("A", "2026-03-05 09:00", Held, None), (1, 1));
        // A past day still marked planned: planned, not held.
        check(day("A", "2026-03-05 09:00", Planned, None), (1, 0));
        // Cancelled before its date: no longer planned.
        check(day("A", "2026-03-05 09:00", Cancelled, Some("2026-03-04 23:59")), (0, 0));
        // Cancelled on its date (even before the hour) or after: planned, not held.
        check(day("A", "2026-03-05 09:00", Cancelled, Some("2026-03-05 00:00")), (1, 0));
        check(day("A", "2026-03-05 09:00", Cancelled, Some("2026-03-09 10:00")), (1, 0));
        // A cancelled day with no moment recorded counts as cancelled in time.
        check(day("A", "2026-03-05 09:00", Cancelled, None), (0, 0));
        // Outside the period, on either side, by China date.
        check(day("A", "2026-02-28 23:30", Held, None), (0, 0));
        check(day("A", "2026-03-01 00:00", Held, None), (1, 1));
        check(day("A", "2026-04-01 09:00", Planned, None), (0, 0));
        // Later in the period but after today: not due yet.
        check(day("A", "2026-03-16 09:00", Planned, None), (0, 0));
        check(day("A", "2026-03-15 23:59", Planned, None), (1, 0));
        // Another station's day is not this one's.
        check(day("B", "2026-03-05 09:00", Held, None), (0, 0));
    }

    #[test]
    fn stations_are_counted_apart_and_a_future_period_counts_nothing() {
        let days = [
            day("A", "2026-03-02 09:00", MeetingState::Held, None),
            day("A", "2026-03-09 09:00", MeetingState::Planned, None),
            day("B", "2026-03-02 09:00", MeetingState::Held, None),
        ];
        let period = Period::parse("2026-03-01", "2026-03-31", date("2026-03-31")).unwrap();
        let counts = tally(&days, &period, date("2026-03-31"));
        assert_eq!(counts["A"], ReceptionCount { planned: 2, held: 1 });
        assert_eq!(counts["B"], ReceptionCount { planned: 1, held: 1 });
        assert_eq!(counts["A"].plus(&counts["B"]).missed(), 1);
        let ahead = Period::parse("2026-04-01", "2026-04-30", date("2026-05-01")).unwrap();
        assert!(tally(&days, &ahead, date("2026-03-31")).is_empty());
        assert_eq!(window(&ahead, date("2026-03-31")), None);
    }

    #[test]
    fn a_china_day_starts_at_midnight_china_time() {
        assert_eq!(china_day_start(at("2026-03-05 09:00")), at("2026-03-05 00:00"));
        assert_eq!(china_day_start(at("2026-03-05 00:00")), at("2026-03-05 00:00"));
        assert_eq!(china_day_start(at("2026-03-05 23:59")), at("2026-03-05 00:00"));
        assert_eq!(china_midnight(date("2026-03-05")), at("2026-03-05 00:00"));
    }
}
