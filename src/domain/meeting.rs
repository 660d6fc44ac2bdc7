//! Meetings (督政议事 · 民生议事堂): a supervision, deliberation or consultation
//! meeting that a station or studio holds, planned, then held or cancelled.

use chrono::NaiveDateTime;

use super::fields::{optional_text, required_text};
use super::{FieldError, Msg};

/// What sort of meeting it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingKind {
    /// 督政会: government agencies answer to deputies and the people at the station.
    Supervision,
    /// 议事会: residents and deputies deliberate on a local matter.
    Deliberation,
    /// 民生议事堂 / 协商会: a CPPCC studio's consultation.
    Consultation,
    /// 接待日: the station's representatives receive citizens in person (`domain::reception`
    /// counts those held against those planned).
    Reception,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 4] =
        [MeetingKind::Supervision, MeetingKind::Deliberation, MeetingKind::Consultation, MeetingKind::Reception];

    pub fn as_str(self) -> &'static str {
        match self {
            MeetingKind::Supervision => "supervision",
            MeetingKind::Deliberation => "deliberation",
            MeetingKind::Consultation => "consultation",
            MeetingKind::Reception => "reception",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<MeetingKind, FieldError> {
        match raw.trim() {
            "supervision" | "督政" | "督政会" => Ok(MeetingKind::Supervision),
            "deliberation" | "议事" | "议事会" => Ok(MeetingKind::Deliberation),
            "consultation" | "协商" | "协商会" | "民生议事堂" => Ok(MeetingKind::Consultation),
            "reception" | "接待" | "接待日" => Ok(MeetingKind::Reception),
            _ => Err(FieldError::new(field, Msg::new("err-meeting-kind"))),
        }
    }
}

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingState {
    Planned,
    Held,
    Cancelled,
}

impl MeetingState {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingState::Planned => "planned",
            MeetingState::Held => "held",
            MeetingState::Cancelled => "cancelled",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<MeetingState, FieldError> {
        match raw.trim() {
            "" | "planned" | "计划召开" | "计划" => Ok(MeetingState::Planned),
            "held" | "已召开" => Ok(MeetingState::Held),
            "cancelled" | "已取消" => Ok(MeetingState::Cancelled),
            _ => Err(FieldError::new(field, Msg::new("err-meeting-state"))),
        }
    }

    /// A cancelled meeting is off every public page and code sheet.
    pub fn is_cancelled(self) -> bool {
        match self {
            MeetingState::Cancelled => true,
            MeetingState::Planned | MeetingState::Held => false,
        }
    }
}

/// China Standard Time is UTC+8 all year.
const CHINA_OFFSET_MS: i64 = 8 * 3600 * 1000;

/// A start time as people write it, in China time: `2026-12-05 09:30` (or with a `T`,
/// as a browser's date-time field sends it), to milliseconds UTC.
pub fn parse_start(field: &str, raw: &str) -> Result<i64, FieldError> {
    let text = raw.trim();
    ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|local| local.and_utc().timestamp_millis() - CHINA_OFFSET_MS)
        .ok_or_else(|| FieldError::new(field, Msg::new("err-meeting-start")))
}

/// Milliseconds UTC as China time, the way [`parse_start`] reads it back.
pub fn format_start(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis + CHINA_OFFSET_MS)
        .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// A meeting as entered, checked. The unit is named by its code.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingInput {
    pub unit_code: String,
    pub kind: MeetingKind,
    pub title: String,
    /// Milliseconds UTC.
    pub starts_at: i64,
    pub place: String,
    pub agenda: String,
    pub state: MeetingState,
    /// How many citizens came (0: not recorded); what a held reception day records.
    pub citizens: i64,
    /// The representatives who received them or took part, by name, as written.
    pub representatives: String,
}

/// The raw strings of a meeting, as a form or the API gives them.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct MeetingFields {
    pub unit_code: String,
    pub kind: String,
    pub title: String,
    pub starts_at: String,
    pub place: String,
    pub agenda: String,
    pub state: String,
    pub citizens: String,
    pub representatives: String,
}

impl MeetingInput {
    pub fn parse(raw: &MeetingFields) -> Result<MeetingInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let unit_code = take(required_text("unit_code", &raw.unit_code, 32));
        let title = take(required_text("title", &raw.title, 80));
        let place = take(required_text("place", &raw.place, 120));
        let agenda = take(optional_text("agenda", &raw.agenda, 2000));
        let kind = MeetingKind::parse("kind", &raw.kind).map_err(|e| errors.push(e)).ok();
        let starts_at = parse_start("starts_at", &raw.starts_at).map_err(|e| errors.push(e)).ok();
        let state = MeetingState::parse("state", &raw.state).map_err(|e| errors.push(e)).ok();
        let citizens = parse_citizens("citizens", &raw.citizens).map_err(|e| errors.push(e)).ok();
        let representatives =
            optional_text("representatives", &raw.representatives, 200).map_err(|e| errors.push(e)).unwrap_or_default();
        match (kind, starts_at, state, citizens) {
            (Some(kind), Some(starts_at), Some(state), Some(citizens)) if errors.is_empty() => {
                Ok(MeetingInput { unit_code, kind, title, starts_at, place, agenda, state, citizens, representatives })
            }
            _ => Err(errors),
        }
    }

    pub fn fields(&self) -> MeetingFields {
        MeetingFields {
            unit_code: self.unit_code.clone(),
            kind: self.kind.as_str().to_string(),
            title: self.title.clone(),
            starts_at: format_start(self.starts_at),
            place: self.place.clone(),
            agenda: self.agenda.clone(),
            state: self.state.as_str().to_string(),
            citizens: if self.citizens == 0 { String::new() } else { self.citizens.to_string() },
            representatives: self.representatives.clone(),
        }
    }
}

/// How many citizens came: empty for none recorded, else a whole number up to 100,000.
pub fn parse_citizens(field: &str, raw: &str) -> Result<i64, FieldError> {
    match raw.trim() {
        "" => Ok(0),
        text => text
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=100_000).contains(n))
            .ok_or_else(|| FieldError::new(field, Msg::new("err-meeting-citizens"))),
    }
}

/// A meeting as stored, with the unit that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: String,
    pub input: MeetingInput,
    pub unit_id: String,
    pub unit_name: String,
    pub region_path: super::region::RegionPath,
    /// When it was cancelled (milliseconds UTC); none while it is not.
    pub cancelled_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> MeetingFields {
        MeetingFields {
            unit_code: "LLZ-01".into(),
            kind: "督政会".into(),
            title: "城区停车难督政会".into(),
            starts_at: "2026-12-05 09:30".into(),
            place: "太平街道人大代表联络站二楼".into(),
            ..MeetingFields::default()
        }
    }

    #[test]
    fn a_meeting_parses_with_its_time_in_china_time() {
        let meeting = MeetingInput::parse(&fields()).unwrap();
        assert_eq!(meeting.kind, MeetingKind::Supervision);
        assert_eq!(meeting.state, MeetingState::Planned);
        // 09:30 in China is 01:30 UTC.
        assert_eq!(meeting.starts_at, 1_796_434_200_000);
        assert_eq!(meeting.fields().starts_at, "2026-12-05 09:30");
        let browser = MeetingFields { starts_at: "2026-12-05T09:30".into(), ..fields() };
        assert_eq!(MeetingInput::parse(&browser).unwrap().starts_at, meeting.starts_at);
    }

    #[test]
    fn what_is_wrong_is_named_field_by_field() {
        let check = |raw: MeetingFields, expected: &[&str]| {
            let named: Vec<String> = MeetingInput::parse(&raw).unwrap_err().into_iter().map(|e| e.field).collect();
            assert_eq!(named, expected);
        };
        check(MeetingFields { title: " ".into(), ..fields() }, &["title"]);
        check(MeetingFields { starts_at: "下周三".into(), ..fields() }, &["starts_at"]);
        check(MeetingFields { starts_at: "2026-02-30 09:00".into(), ..fields() }, &["starts_at"]);
        check(MeetingFields { kind: "party".into(), state: "maybe".into(), ..fields() }, &["kind", "state"]);
        check(MeetingFields { place: String::new(), unit_code: String::new(), ..fields() }, &["unit_code", "place"]);
        check(MeetingFields { agenda: "议".repeat(2001), ..fields() }, &["agenda"]);
        check(MeetingFields { citizens: "十二".into(), ..fields() }, &["citizens"]);
        check(
            MeetingFields { citizens: "-1".into(), representatives: "代".repeat(201), ..fields() },
            &["citizens", "representatives"],
        );
    }

    #[test]
    fn a_held_reception_day_records_who_came_and_who_received_them() {
        let raw = MeetingFields {
            kind: "接待日".into(),
            state: "held".into(),
            citizens: " 12 ".into(),
            representatives: "王建国、李秀英".into(),
            ..fields()
        };
        let day = MeetingInput::parse(&raw).unwrap();
        assert_eq!((day.kind, day.state, day.citizens), (MeetingKind::Reception, MeetingState::Held, 12));
        assert_eq!(day.fields().citizens, "12");
        assert_eq!(day.fields().kind, "reception");
        assert_eq!(MeetingInput::parse(&fields()).unwrap().fields().citizens, "", "none recorded reads back empty");
    }
}
