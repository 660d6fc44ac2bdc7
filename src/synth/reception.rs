//! Believable reception days (接待日) for every station of a synthetic province: on
//! the 5th and the 20th of each month over the period and the month after it, at
//! 09:00 China time. Of the days gone by about 85% were held (with how many citizens
//! came and the station's first representatives), about 5% were cancelled (half of
//! them in time, half on the day or later) and the rest were never marked held. Pure:
//! the same seed makes the same days.

use chrono::{Datelike, NaiveDate};

use super::province::{Province, synth_id};
use super::rng::Rng;
use crate::clock::Millis;
use crate::domain::meeting::MeetingState;
use crate::domain::reception::china_midnight;

const DAY: Millis = 24 * 3600 * 1000;
const HOUR: Millis = 3600 * 1000;

/// One reception day, as written.
#[derive(Debug, Clone)]
pub struct SynthReception {
    pub id: String,
    /// The index of its station in `Province::units`.
    pub unit: usize,
    pub starts_at: Millis,
    pub state: MeetingState,
    pub citizens: i64,
    pub representatives: String,
    pub cancelled_at: Option<Millis>,
}

/// Every station's reception days from `first_day` to a month after `now`.
pub fn reception_days(province: &Province, seed: u64, first_day: Millis, now: Millis) -> Vec<SynthReception> {
    let mut rng = Rng::new(seed ^ 0x6a09_e667_f3bc_c908);
    // The first two representatives serving at each unit.
    let mut serving: Vec<Vec<&str>> = vec![Vec::new(); province.units.len()];
    for r in &province.representatives {
        if serving[r.unit].len() < 2 {
            serving[r.unit].push(&r.name);
        }
    }
    let dates = dates(china_date(first_day), china_date(now + 30 * DAY));
    let mut out = Vec::new();
    for (unit, u) in province.units.iter().enumerate() {
        if u.kind != "station" {
            continue;
        }
        for date in &dates {
            let starts_at = china_midnight(*date) + 9 * HOUR;
            let roll = rng.below(100);
            let (state, cancelled_at) = match roll {
                _ if starts_at > now => (MeetingState::Planned, None),
                0..85 => (MeetingState::Held, None),
                85..88 => (MeetingState::Cancelled, Some(starts_at - (2 + rng.below(5) as Millis) * DAY)),
                88..90 => (MeetingState::Cancelled, Some(starts_at + rng.below(30) as Millis * HOUR)),
                _ => (MeetingState::Planned, None),
            };
            let held = state == MeetingState::Held;
            out.push(SynthReception {
                id: synth_id(starts_at, &mut rng),
                unit,
                starts_at,
                state,
                citizens: if held { 1 + rng.below(20) as i64 } else { 0 },
                representatives: if held { serving[unit].join("、") } else { String::new() },
                cancelled_at: cancelled_at.map(|at| at.min(now)),
            });
        }
    }
    out
}

fn china_date(millis: Millis) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(millis + 8 * HOUR).map(|t| t.date_naive()).unwrap_or_default()
}

/// The 5th and the 20th of every month from `from` to `to`, both included.
fn dates(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
    while month <= to {
        for day in [5, 20] {
            if let Some(date) = month.with_day(day).filter(|d| (from..=to).contains(d)) {
                out.push(date);
            }
        }
        month = month.checked_add_months(chrono::Months::new(1)).unwrap_or(to.succ_opt().unwrap_or(to));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twice_a_month_within_the_span() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let got = dates(day("2026-01-10"), day("2026-03-05"));
        assert_eq!(got, [day("2026-01-20"), day("2026-02-05"), day("2026-02-20"), day("2026-03-05")]);
    }
}
