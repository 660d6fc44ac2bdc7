//! The official working-day calendar of mainland China.
//!
//! Each year is described by one small text file (see `calendars/*.toml`) that lists the public holidays
//! and the make-up working days announced by the General Office of the State Council. The file is read by
//! a tiny hand-written parser for exactly that format, so this module stays pure: no IO, no clock.
//! A date in a year the calendar does not know is an error, never a guess.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Weekday};

/// The reasons a calendar question or a calendar source can be refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The date lies in a year for which no official notice has been loaded.
    #[error("no official working-day calendar is known for the year {0}")]
    UnknownYear(i32),
    /// A year source or an iCalendar file could not be read; `line` counts from 1 (0 means the whole text).
    #[error("calendar line {line}: {message}")]
    Parse { line: usize, message: String },
    /// Two sources describe the same year.
    #[error("the year {0} is described more than once")]
    DuplicateYear(i32),
}

fn perr(line: usize, message: impl Into<String>) -> CalendarError {
    CalendarError::Parse { line, message: message.into() }
}

/// The rest days and make-up working days that one year's notice lays down.
#[derive(Debug, Clone, PartialEq, Eq)]
struct YearData {
    source: String,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

/// A set of known years with their holidays and make-up working days.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calendar {
    years: BTreeMap<i32, YearData>,
}

const BUILTIN: [&str; 7] = [
    include_str!("../../calendars/2020.toml"),
    include_str!("../../calendars/2021.toml"),
    include_str!("../../calendars/2022.toml"),
    include_str!("../../calendars/2023.toml"),
    include_str!("../../calendars/2024.toml"),
    include_str!("../../calendars/2025.toml"),
    include_str!("../../calendars/2026.toml"),
];

impl Calendar {
    /// Returns the calendar built from the year files shipped with the program (2020 to 2026).
    ///
    /// It panics only if a shipped file does not parse, which a unit test rules out.
    pub fn builtin() -> Calendar {
        match Calendar::from_year_sources(&BUILTIN) {
            Ok(calendar) => calendar,
            Err(e) => panic!("the built-in calendar files do not parse: {e}"),
        }
    }

    /// Builds a calendar from the texts of year files; each year may appear only once.
    pub fn from_year_sources(sources: &[&str]) -> Result<Calendar, CalendarError> {
        let mut years = BTreeMap::new();
        for text in sources {
            let (year, data) = parse_year(text)?;
            if years.insert(year, data).is_some() {
                return Err(CalendarError::DuplicateYear(year));
            }
        }
        Ok(Calendar { years })
    }

    /// Adds one year from the text of its file, replacing that year if it was already known.
    pub fn with_year(mut self, year_source: &str) -> Result<Calendar, CalendarError> {
        let (year, data) = parse_year(year_source)?;
        self.years.insert(year, data);
        Ok(self)
    }

    /// Lists the years this calendar can answer for, in ascending order.
    pub fn known_years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// Returns the `source` line (the notice a year is based on) of a known year.
    pub fn source(&self, year: i32) -> Option<&str> {
        self.years.get(&year).map(|y| y.source.as_str())
    }

    /// Tells whether `date` is a working day: a make-up working day is one, a public holiday is not,
    /// Saturdays and Sundays are not, and every other day is.
    pub fn is_workday(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let year = date.year();
        if !self.years.contains_key(&year) {
            return Err(CalendarError::UnknownYear(year));
        }
        // A file may list a date of the neighbouring year (the 2023 New Year holiday began on 2022-12-31).
        let near = || (year - 1..=year + 1).filter_map(|y| self.years.get(&y));
        if near().any(|y| y.workdays.contains(&date)) {
            return Ok(true);
        }
        if near().any(|y| y.holidays.contains(&date)) {
            return Ok(false);
        }
        Ok(!weekend(date))
    }

    /// Returns the `n`th working day strictly after `from`; for `n = 0` it returns `from` unchanged.
    ///
    /// It fails as soon as the count reaches a year the calendar does not know.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut left = n;
        if left == 0 {
            return Ok(from);
        }
        for day in from.iter_days().skip(1) {
            if self.is_workday(day)? {
                left -= 1;
                if left == 0 {
                    return Ok(day);
                }
            }
        }
        Err(CalendarError::UnknownYear(NaiveDate::MAX.year()))
    }

    /// Counts the working days `d` with `from < d <= to`; if `to` is before `from` the count is negated.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
        if to < from {
            return Ok(-self.working_days_between(to, from)?);
        }
        let mut count = 0;
        for day in from.iter_days().skip(1).take_while(|d| *d <= to) {
            if self.is_workday(day)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

/// Returns the calendar date in China Standard Time (UTC+8, no daylight saving) of an instant given in
/// milliseconds since the Unix epoch; instants beyond chrono's range map to its first or last date.
pub fn cst_date(millis_utc: i64) -> NaiveDate {
    let days = millis_utc.saturating_add(8 * 3_600_000).div_euclid(86_400_000);
    // 719 163 is the day number of 1970-01-01 counted from 0001-01-01 as day 1.
    let date = i32::try_from(days).ok().and_then(|d| NaiveDate::from_num_days_from_ce_opt(d.checked_add(719_163)?));
    date.unwrap_or(if days < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Kind {
    #[default]
    Top,
    Holiday,
    Workday,
}

/// One `[[holiday]]` or `[[workday]]` table while it is being read.
#[derive(Default)]
struct Entry {
    kind: Kind,
    line: usize,
    name: Option<String>,
    dates: Option<Vec<NaiveDate>>,
    date: Option<NaiveDate>,
    note: Option<String>,
}

/// Reads one year file: `year`, `source`, `[[holiday]]` tables (`name`, `dates`) and `[[workday]]`
/// tables (`date`, optional `note`), with `#` comments and blank lines.
fn parse_year(text: &str) -> Result<(i32, YearData), CalendarError> {
    let mut year: Option<i32> = None;
    let mut source: Option<String> = None;
    let mut days: Vec<(NaiveDate, usize, Kind)> = Vec::new();
    let mut entry = Entry::default();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, strip_comment(l).trim()));
    while let Some((no, line)) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let header = [("[[holiday]]", Kind::Holiday), ("[[workday]]", Kind::Workday)].into_iter().find(|h| h.0 == line);
        if let Some((_, kind)) = header {
            finish(std::mem::replace(&mut entry, Entry { kind, line: no, ..Entry::default() }), &mut days)?;
            continue;
        }
        let (key, value) = line.split_once('=').ok_or_else(|| perr(no, "expected `key = value` or a table header"))?;
        let (key, mut value) = (key.trim(), value.trim().to_string());
        if value.starts_with('[') {
            while !value.ends_with(']') {
                let (_, more) = lines.next().ok_or_else(|| perr(no, "the list is not closed with `]`"))?;
                value.push(' ');
                value.push_str(more);
            }
        }
        let v = value.as_str();
        match (entry.kind, key) {
            (Kind::Top, "year") => {
                let y = v.parse().ok().filter(|y| (1900..=2200).contains(y));
                set(&mut year, y.ok_or_else(|| perr(no, "`year` must be a whole number from 1900 to 2200"))?, no)?
            }
            (Kind::Top, "source") => set(&mut source, parse_string(v, no)?, no)?,
            (Kind::Holiday, "name") => set(&mut entry.name, parse_string(v, no)?, no)?,
            (Kind::Holiday, "dates") => {
                let dates = parse_list(v, no)?.iter().map(|s| parse_date(s, no)).collect::<Result<_, _>>()?;
                set(&mut entry.dates, dates, no)?
            }
            (Kind::Workday, "date") => set(&mut entry.date, parse_date(&parse_string(v, no)?, no)?, no)?,
            (Kind::Workday, "note") => set(&mut entry.note, parse_string(v, no)?, no)?,
            _ => return Err(perr(no, format!("unknown key `{key}` here"))),
        }
    }
    finish(entry, &mut days)?;
    let year = year.ok_or_else(|| perr(0, "`year = ...` is missing"))?;
    let source = source.ok_or_else(|| perr(0, "`source = \"...\"` is missing"))?;
    let holidays: BTreeSet<NaiveDate> = days.iter().filter(|e| e.2 == Kind::Holiday).map(|e| e.0).collect();
    let mut workdays = BTreeSet::new();
    for (date, no, kind) in days {
        if (date.year() - year).abs() > 1 {
            return Err(perr(no, format!("{date} is too far from the year {year}")));
        } else if kind == Kind::Workday && holidays.contains(&date) {
            return Err(perr(no, format!("{date} is listed both as a holiday and as a working day")));
        } else if kind == Kind::Workday && !weekend(date) {
            return Err(perr(no, format!("the make-up working day {date} is not a Saturday or Sunday")));
        } else if kind == Kind::Workday {
            workdays.insert(date);
        }
    }
    Ok((year, YearData { source, holidays, workdays }))
}

/// Fills a key's slot, refusing a key given twice in one table.
fn set<T>(slot: &mut Option<T>, value: T, no: usize) -> Result<(), CalendarError> {
    match slot.replace(value) {
        Some(_) => Err(perr(no, "this key is given twice")),
        None => Ok(()),
    }
}

/// Checks that a finished table has its required keys and records its dates.
fn finish(entry: Entry, days: &mut Vec<(NaiveDate, usize, Kind)>) -> Result<(), CalendarError> {
    let missing = |what: &str| perr(entry.line, format!("this table needs {what}"));
    match entry.kind {
        Kind::Top => {}
        Kind::Holiday => {
            entry.name.as_ref().ok_or_else(|| missing("a `name`"))?;
            let dates = entry.dates.filter(|d| !d.is_empty()).ok_or_else(|| missing("a non-empty `dates` list"))?;
            days.extend(dates.into_iter().map(|d| (d, entry.line, Kind::Holiday)));
        }
        Kind::Workday => days.push((entry.date.ok_or_else(|| missing("a `date`"))?, entry.line, Kind::Workday)),
    }
    Ok(())
}

fn weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Cuts a `#` comment off a line, leaving any `#` inside a quoted string alone.
fn strip_comment(line: &str) -> &str {
    let (mut in_string, mut escaped) = (false, false);
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return &line[..i],
            _ => {}
        }
    }
    line
}

/// Reads one quoted string at the start of `s` and returns it with the text after the closing quote.
fn take_string(s: &str, no: usize) -> Result<(String, &str), CalendarError> {
    let rest = s.strip_prefix('"').ok_or_else(|| perr(no, "expected a quoted string"))?;
    let mut out = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &rest[i + 1..])),
            '\\' => match chars.next().map(|(_, e)| e) {
                Some(e @ ('"' | '\\')) => out.push(e),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                _ => return Err(perr(no, "unknown escape in a string")),
            },
            _ => out.push(c),
        }
    }
    Err(perr(no, "the string is not closed"))
}

fn parse_string(s: &str, no: usize) -> Result<String, CalendarError> {
    let (value, rest) = take_string(s, no)?;
    if rest.trim().is_empty() { Ok(value) } else { Err(perr(no, "unexpected text after the string")) }
}

/// Reads a list of quoted strings such as `["2025-01-01", "2025-01-02"]`; a trailing comma is allowed.
fn parse_list(s: &str, no: usize) -> Result<Vec<String>, CalendarError> {
    let inner = s.strip_prefix('[').and_then(|r| r.strip_suffix(']'));
    let (mut items, mut rest) = (Vec::new(), inner.ok_or_else(|| perr(no, "expected a list in `[ ]`"))?.trim());
    while !rest.is_empty() {
        let (item, after) = take_string(rest, no)?;
        items.push(item);
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(r) => r.trim_start(),
            None if after.is_empty() => after,
            None => return Err(perr(no, "expected `,` between list items")),
        };
    }
    Ok(items)
}

fn parse_date(s: &str, no: usize) -> Result<NaiveDate, CalendarError> {
    let ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let date = if ok { NaiveDate::parse_from_str(s, "%Y-%m-%d").ok() } else { None };
    date.ok_or_else(|| perr(no, format!("`{s}` is not a date of the form YYYY-MM-DD")))
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n").replace('\t', "\\t"))
}

/// Holiday names in the order first seen, each with its dates.
type Named = Vec<(String, BTreeSet<NaiveDate>)>;
/// Make-up working days, each with the summary of the event that named it.
type Notes = BTreeMap<NaiveDate, String>;

/// One VEVENT of an iCalendar file while it is being read.
#[derive(Default)]
struct Event {
    line: usize,
    summary: String,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

/// Turns an iCalendar file into the text of one year file for `year`, ready to be stored and loaded.
///
/// An event whose SUMMARY contains 班 or "workday" marks make-up working days; otherwise an event whose
/// SUMMARY contains 休, 假 or "holiday" marks holidays (so "春节调休上班" is a working day). An event
/// covers DTSTART up to but not including DTEND (one day if DTEND is missing); only dates in `year` are
/// kept, and other events are ignored. UTC times (ending in `Z`) are converted to China Standard Time.
pub fn from_ical(year: i32, ics_text: &str) -> Result<String, CalendarError> {
    let mut named: Named = Vec::new();
    let mut workdays: Notes = BTreeMap::new();
    let mut calendar_name = String::new();
    let mut event: Option<Event> = None;
    for (no, line) in unfold(ics_text) {
        let Some((head, value)) = line.split_once(':') else { continue };
        let name = head.split(';').next().unwrap_or_default().trim().to_ascii_uppercase();
        let is_vevent = value.trim().eq_ignore_ascii_case("VEVENT");
        match (name.as_str(), event.as_mut()) {
            ("BEGIN", _) if is_vevent => event = Some(Event { line: no, ..Event::default() }),
            ("END", Some(_)) if is_vevent => {
                add_event(year, event.take().unwrap_or_default(), &mut named, &mut workdays)?
            }
            ("SUMMARY", Some(e)) => e.summary = unescape_ical(value),
            ("DTSTART", Some(e)) => e.start = Some(ical_date(value, no)?),
            ("DTEND", Some(e)) => e.end = Some(ical_date(value, no)?),
            ("X-WR-CALNAME", None) => calendar_name = unescape_ical(value),
            _ => {}
        }
    }
    if named.is_empty() {
        return Err(perr(0, format!("the iCalendar file marks no holidays in {year}")));
    }
    let label = if calendar_name.is_empty() { String::from("未命名日历") } else { calendar_name };
    let mut out = format!("year = {year}\nsource = {}\n", quote(&format!("iCalendar 导入：{label}")));
    for (name, dates) in &named {
        let list: Vec<String> = dates.iter().map(|d| format!("\"{d}\"")).collect();
        out.push_str(&format!("\n[[holiday]]\nname = {}\ndates = [{}]\n", quote(name), list.join(", ")));
    }
    for (date, note) in &workdays {
        out.push_str(&format!("\n[[workday]]\ndate = \"{date}\"\nnote = {}\n", quote(note)));
    }
    parse_year(&out)?;
    Ok(out)
}

/// Files the dates of one finished event under holidays or make-up working days.
fn add_event(year: i32, e: Event, named: &mut Named, workdays: &mut Notes) -> Result<(), CalendarError> {
    let start = e.start.ok_or_else(|| perr(e.line, "an event has no DTSTART"))?;
    let end = e.end.filter(|end| *end > start).unwrap_or(start + TimeDelta::days(1));
    let dates = start.iter_days().take_while(|d| *d < end).filter(|d| d.year() == year);
    let lower = e.summary.to_lowercase();
    if lower.contains('班') || lower.contains("workday") {
        for d in dates {
            workdays.insert(d, e.summary.clone());
        }
    } else if lower.contains('休') || lower.contains('假') || lower.contains("holiday") {
        let dates: BTreeSet<NaiveDate> = dates.collect();
        if dates.is_empty() {
            return Ok(());
        }
        match named.iter_mut().find(|(name, _)| *name == e.summary) {
            Some((_, known)) => known.extend(dates),
            None => named.push((e.summary, dates)),
        }
    }
    Ok(())
}

/// Joins folded lines (a line starting with a space or tab continues the previous one), keeping the
/// number of each logical line's first physical line.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), out.last_mut()) {
            (Some(more), Some((_, last))) => last.push_str(more),
            _ => out.push((i + 1, raw.to_string())),
        }
    }
    out
}

fn unescape_ical(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.trim().chars();
    while let Some(c) = chars.next() {
        // `\n` (a line break) becomes a space; `\,`, `\;` and `\\` stand for the character itself.
        out.push(if c == '\\' { chars.next().filter(|e| !matches!(e, 'n' | 'N')).unwrap_or(' ') } else { c });
    }
    out
}

/// Reads a DATE (`20250101`) or DATE-TIME (`20250101T000000`, or UTC with a trailing `Z`) value.
fn ical_date(value: &str, no: usize) -> Result<NaiveDate, CalendarError> {
    let v = value.trim();
    if let Some(utc) = v.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| perr(no, "bad UTC date-time"))?;
        return Ok(cst_date(t.and_utc().timestamp_millis()));
    }
    let day = v.get(..8).filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
    day.and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
        .ok_or_else(|| perr(no, format!("`{v}` is not an iCalendar date")))
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
