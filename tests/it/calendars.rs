//! Administrators add or correct a calendar year, from a year file or an iCal
//! file; it is checked, stored, in force at once and again after a restart.

use std::sync::Arc;

use chrono::NaiveDate;
use minyi::actions::calendars;
use minyi::app::App;
use minyi::error::Error;

use crate::support::{actor, add_system_admin, engines, load_demo};

const YEAR_2027: &str = "year = 2027
source = \"试用：2027年节假日安排（演示数据）\"
[[holiday]]
name = \"元旦\"
dates = [\"2027-01-01\"]
[[holiday]]
name = \"春节\"
dates = [\"2027-02-06\", \"2027-02-07\", \"2027-02-08\", \"2027-02-09\", \"2027-02-10\", \"2027-02-11\", \"2027-02-12\"]
[[workday]]
date = \"2027-02-13\"
note = \"春节调休\"
";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn a_new_year_is_checked_stored_and_in_force() {
    for t in engines().await {
        let admin = add_system_admin(&t, "root").await;
        assert!(t.app.calendar().is_workday(day("2027-02-08")).is_err(), "{}: 2027 unknown at first", t.engine);
        let broken = calendars::save_year(&t.app, &admin, "year = 2027\nnonsense").await;
        assert!(matches!(broken, Err(Error::Invalid(_))), "{}: {broken:?}", t.engine);
        assert_eq!(calendars::save_year(&t.app, &admin, YEAR_2027).await.unwrap(), 2027);
        let calendar = t.app.calendar();
        assert!(!calendar.is_workday(day("2027-02-08")).unwrap(), "{}", t.engine);
        assert!(calendar.is_workday(day("2027-02-13")).unwrap(), "{}: a make-up Saturday", t.engine);
        // A restarted server loads it again from the database.
        let restarted = App::new(t.app.db().clone(), Arc::new(t.clock.clone()), t.app.config().clone());
        calendars::load(&restarted).await.unwrap();
        assert!(!restarted.calendar().is_workday(day("2027-02-08")).unwrap(), "{}", t.engine);
        // Correcting a shipped year by iCal: 2026-03-02 becomes a holiday.
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:调整放假\r\nDTSTART;VALUE=DATE:20260302\r\n\
                   DTEND;VALUE=DATE:20260303\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert_eq!(calendars::import_ical(&t.app, &admin, 2026, ics).await.unwrap(), 2026);
        assert!(!t.app.calendar().is_workday(day("2026-03-02")).unwrap(), "{}", t.engine);
    }
}

#[tokio::test]
async fn only_the_system_administrator_changes_the_calendar() {
    for t in engines().await {
        load_demo(&t).await;
        let office = actor(&t, "office").await;
        let refused = calendars::save_year(&t.app, &office, YEAR_2027).await;
        assert!(matches!(refused, Err(Error::Forbidden)), "{}: {refused:?}", t.engine);
        assert!(matches!(calendars::years(&t.app, &office).await, Err(Error::Forbidden)), "{}", t.engine);
    }
}
