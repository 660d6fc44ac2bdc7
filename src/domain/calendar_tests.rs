use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn cal() -> Calendar {
    Calendar::builtin()
}

/// Checks one `is_workday` case: `(date, expected)`.
fn check_workday(date: &str, expected: bool) {
    assert_eq!(cal().is_workday(d(date)), Ok(expected), "is_workday({date})");
}

/// Checks one `add_working_days` case: `(from, n)` gives `expected`.
fn check_add(from: &str, n: u32, expected: &str) {
    assert_eq!(cal().add_working_days(d(from), n), Ok(d(expected)), "{from} + {n} working days");
}

/// Checks one `working_days_between` case.
fn check_between(from: &str, to: &str, expected: i64) {
    assert_eq!(cal().working_days_between(d(from), d(to)), Ok(expected), "working days from {from} to {to}");
}

/// Checks that a year source is refused with a parse error on `line`.
fn check_parse_error(text: &str, line: usize) {
    match parse_year(text) {
        Err(CalendarError::Parse { line: got, .. }) => assert_eq!(got, line, "wrong line for:\n{text}"),
        other => panic!("expected a parse error on line {line}, got {other:?} for:\n{text}"),
    }
}

const MINI: &str = "year = 2030\nsource = \"test\"\n[[holiday]]\nname = \"元旦\"\ndates = [\"2030-01-01\"]\n";

#[test]
fn workdays() {
    check_workday("2025-09-28", true); // Sunday, make-up working day
    check_workday("2025-01-26", true); // Sunday, make-up working day
    check_workday("2025-02-08", true); // Saturday, make-up working day
    check_workday("2025-10-11", true); // Saturday, make-up working day
    check_workday("2025-10-08", false); // Wednesday inside National Day
    check_workday("2025-10-09", true);
    check_workday("2025-10-12", false); // ordinary Sunday
    check_workday("2025-01-28", false); // New Year's Eve 2025
    check_workday("2026-01-04", true); // Sunday, make-up working day
    check_workday("2026-02-23", false);
    check_workday("2026-02-24", true);
    check_workday("2026-02-28", true);
    check_workday("2020-02-01", false); // cancelled by the 2020 extension
    check_workday("2020-02-03", true);
    check_workday("2022-12-31", false);
    check_workday("2023-01-02", false);
    check_workday("2024-02-09", true); // New Year's Eve 2024 was not a holiday
    check_workday("2024-06-10", false);
}

#[test]
fn adding_working_days() {
    check_add("2025-09-30", 1, "2025-10-09");
    check_add("2025-09-26", 1, "2025-09-28");
    check_add("2025-09-28", 3, "2025-10-09");
    check_add("2025-10-09", 2, "2025-10-11");
    check_add("2025-01-24", 1, "2025-01-26");
    check_add("2025-01-27", 1, "2025-02-05");
    check_add("2026-02-13", 1, "2026-02-14");
    check_add("2026-02-14", 1, "2026-02-24");
    check_add("2026-02-14", 5, "2026-02-28");
    check_add("2025-12-31", 1, "2026-01-04");
    check_add("2025-12-31", 2, "2026-01-05");
    check_add("2025-12-31", 0, "2025-12-31");
    check_add("2025-06-30", 15, "2025-07-21");
}

#[test]
fn counting_working_days() {
    check_between("2025-09-30", "2025-10-09", 1);
    check_between("2025-10-09", "2025-09-30", -1);
    check_between("2025-09-27", "2025-10-11", 6); // 9-28, 9-29, 9-30, 10-09, 10-10, 10-11
    check_between("2025-10-01", "2025-10-01", 0);
    check_between("2025-12-31", "2026-01-05", 2);
    check_between("2026-02-13", "2026-02-28", 6);
}

#[test]
fn adding_and_counting_agree() {
    let c = cal();
    let mut from = d("2020-01-01");
    while from < d("2026-12-01") {
        for n in [1, 3, 10] {
            let to = c.add_working_days(from, n).unwrap();
            assert_eq!(c.working_days_between(from, to), Ok(i64::from(n)), "{from} + {n}");
        }
        from += TimeDelta::days(5);
    }
}

#[test]
fn unknown_years_are_errors() {
    let c = cal();
    assert_eq!(c.is_workday(d("2019-12-31")), Err(CalendarError::UnknownYear(2019)));
    assert_eq!(c.is_workday(d("2027-01-01")), Err(CalendarError::UnknownYear(2027)));
    assert_eq!(c.add_working_days(d("2026-12-30"), 5), Err(CalendarError::UnknownYear(2027)));
    assert_eq!(c.add_working_days(d("2019-12-30"), 1), Err(CalendarError::UnknownYear(2019)));
    assert_eq!(c.working_days_between(d("2019-12-30"), d("2020-01-03")), Err(CalendarError::UnknownYear(2019)));
    assert_eq!(c.working_days_between(d("2026-12-30"), d("2027-01-02")), Err(CalendarError::UnknownYear(2027)));
    assert_eq!(c.add_working_days(d("2027-06-01"), 0), Ok(d("2027-06-01")));
    assert!(CalendarError::UnknownYear(2027).to_string().contains("2027"));
}

#[test]
fn builtin_files_are_sound() {
    let c = cal();
    assert_eq!(c.known_years(), (2020..=2026).collect::<Vec<_>>());
    for (year, data) in &c.years {
        assert!(data.holidays.len() >= 20, "{year} has only {} holidays", data.holidays.len());
        assert!(data.source.contains("国务院办公厅"), "{year}: {}", data.source);
        assert!(data.holidays.is_disjoint(&data.workdays), "{year}");
        for w in &data.workdays {
            assert!(matches!(w.weekday(), Weekday::Sat | Weekday::Sun), "{w} is not a weekend day");
        }
        for h in data.holidays.iter().chain(&data.workdays) {
            assert!((h.year() - year).abs() <= 1);
        }
    }
    for (i, text) in BUILTIN.iter().enumerate() {
        let (year, _) = parse_year(text).unwrap();
        assert_eq!(year, 2020 + i as i32);
    }
    // Every file's days off sum to the official total: 2025 has 28 listed rest days, 2026 has 33.
    assert_eq!(c.years[&2025].holidays.len(), 28);
    assert_eq!(c.years[&2026].holidays.len(), 33);
    assert_eq!(c.years[&2020].workdays.len(), 6);
}

#[test]
fn replacing_and_adding_a_year() {
    let c = cal().with_year(MINI).unwrap();
    assert!(c.known_years().contains(&2030));
    assert_eq!(c.is_workday(d("2030-01-01")), Ok(false));
    assert_eq!(c.source(2030), Some("test"));
    let fixed = "year = 2025\nsource = \"更正\"\n[[holiday]]\nname = \"x\"\ndates = [\"2025-03-03\"]\n";
    let c = c.with_year(fixed).unwrap();
    assert_eq!(c.is_workday(d("2025-10-08")), Ok(true));
    assert_eq!(c.is_workday(d("2025-03-03")), Ok(false));
    assert_eq!(c.is_workday(d("2025-09-28")), Ok(false));
    assert_eq!(Calendar::from_year_sources(&[MINI, MINI]), Err(CalendarError::DuplicateYear(2030)));
}

#[test]
fn parser_accepts_comments_and_multiline_lists() {
    let text = "# header\nyear = 2030 # trailing\nsource = \"a # not a comment \\\"q\\\"\"\n\n[[holiday]]  \n\
                name = \"春节\"\ndates = [\n  \"2030-02-01\", # one\n  \"2030-02-02\",\n]\n[[workday]]\ndate = \"2030-02-09\"\n";
    let (year, data) = parse_year(text).unwrap();
    assert_eq!(year, 2030);
    assert_eq!(data.source, "a # not a comment \"q\"");
    assert_eq!(data.holidays.len(), 2);
    assert_eq!(data.workdays.len(), 1);
}

#[test]
fn parser_reports_line_numbers() {
    check_parse_error("year = 2030\nsource = \"s\"\nbogus = 1\n", 3);
    check_parse_error("year = 2030\nsource = \"s\"\n[[holiday]]\nname = \"x\"\ndates = [\"2030-13-01\"]\n", 5);
    check_parse_error("year = 2030\nsource = \"s\"\n[[holiday]]\nname = \"x\"\n", 3);
    check_parse_error("year = 2030\nsource = \"s\n", 2);
    check_parse_error("year = 2030\nyear = 2031\n", 2);
    check_parse_error("year = x\n", 1);
    check_parse_error("source = \"s\"\n", 0);
    check_parse_error("year = 2030\n", 0);
    check_parse_error("year = 2030\nsource = \"s\"\n[[workday]]\ndate = \"2030-01-02\"\n", 3); // a Wednesday
    check_parse_error("year = 2030\nsource = \"s\"\n[[workday]]\ndate = \"2035-01-05\"\n", 3);
    check_parse_error(&format!("{MINI}[[workday]]\ndate = \"2030-01-01\"\n"), 6);
    check_parse_error(
        "year = 2030\nsource = \"s\"\n[[holiday]]\nname = \"x\"\ndates = [\"2030-01-01\" \"2030-01-02\"]\n",
        5,
    );
    check_parse_error("year = 2030\nsource = \"s\"\n[[holiday]]\nname = \"x\"\ndates = [\"2030-01-01\",\n", 5);
}

#[test]
fn ical_import_round_trip() {
    let c = cal();
    let data = &c.years[&2025];
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:中国节假日\r\n");
    for h in &data.holidays {
        let next = *h + TimeDelta::days(1);
        let (a, b) = (h.format("%Y%m%d"), next.format("%Y%m%d"));
        ics += &format!(
            "BEGIN:VEVENT\r\nSUMMARY:节假日 休\r\nDTSTART;VALUE=DATE:{a}\r\nDTEND;VALUE=DATE:{b}\r\nEND:VEVENT\r\n"
        );
    }
    for w in &data.workdays {
        ics += &format!(
            "BEGIN:VEVENT\r\nSUMMARY:调休上\r\n 班\r\nDTSTART;VALUE=DATE:{}\r\nEND:VEVENT\r\n",
            w.format("%Y%m%d")
        );
    }
    ics += "END:VCALENDAR\r\n";
    let text = from_ical(2025, &ics).unwrap();
    let (year, imported) = parse_year(&text).unwrap();
    assert_eq!(year, 2025);
    assert_eq!(imported.holidays, data.holidays);
    assert_eq!(imported.workdays, data.workdays);
    assert!(imported.source.contains("中国节假日"));
    let c2 = Calendar::builtin().with_year(&text).unwrap();
    assert_eq!(c2.add_working_days(d("2025-09-30"), 1), Ok(d("2025-10-09")));
}

#[test]
fn ical_ranges_utc_times_and_other_years() {
    let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:National Day Holi\n day\nDTSTART;VALUE=DATE:20250930\n\
               DTEND;VALUE=DATE:20251009\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:Makeup workday\n\
               DTSTART:20250927T160000Z\nDTEND:20250928T160000Z\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:生日\n\
               DTSTART;VALUE=DATE:20250305\nEND:VEVENT\nEND:VCALENDAR\n";
    let (_, data) = parse_year(&from_ical(2025, ics).unwrap()).unwrap();
    assert_eq!(data.holidays.len(), 9);
    assert!(data.holidays.contains(&d("2025-09-30")) && data.holidays.contains(&d("2025-10-08")));
    assert_eq!(data.workdays.iter().copied().collect::<Vec<_>>(), vec![d("2025-09-28")]);
    assert!(matches!(from_ical(2024, ics), Err(CalendarError::Parse { .. })));
    let odd = "BEGIN:VEVENT\nSUMMARY:春节\\, \"休\" \\\\\nDTSTART;VALUE=DATE:20250128\nEND:VEVENT\n";
    let text = from_ical(2025, odd).unwrap();
    assert!(text.contains(r#"name = "春节, \"休\" \\""#), "{text}");
    assert_eq!(parse_year(&text).unwrap().1.holidays.len(), 1);
    let bad = "BEGIN:VEVENT\nSUMMARY:假\nDTSTART:2025x\nEND:VEVENT\n";
    assert_eq!(from_ical(2025, bad).unwrap_err(), perr(3, "`2025x` is not an iCalendar date"));
}

#[test]
fn china_standard_time_dates() {
    const H: i64 = 3_600_000;
    assert_eq!(cst_date(0), d("1970-01-01"));
    assert_eq!(cst_date(16 * H - 1), d("1970-01-01"));
    assert_eq!(cst_date(16 * H), d("1970-01-02"));
    assert_eq!(cst_date(-8 * H), d("1970-01-01"));
    assert_eq!(cst_date(-8 * H - 1), d("1969-12-31"));
    // 2025-09-30T16:30:00Z is 2025-10-01 00:30 in Beijing.
    assert_eq!(cst_date(1_759_249_800_000), d("2025-10-01"));
    assert_eq!(cst_date(i64::MAX), NaiveDate::MAX);
    assert_eq!(cst_date(i64::MIN), NaiveDate::MIN);
}
