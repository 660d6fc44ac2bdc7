//! Cases (民意件): one opinion from the public and everything that follows it,
//! and assignments: a case forwarded to one department, with its own deadline.

use super::{FieldError, Msg};

/// How a case reached minyi.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Scanned a deputy's code (代表码).
    DeputyCode,
    /// Scanned a station's code (联络站码).
    StationCode,
    /// Asked a member studio (委员工作室).
    Studio,
    /// The website.
    Web,
    /// Entered by a keeper on a reception day (接待日).
    ReceptionDay,
    /// Imported from a hotline (12345).
    Hotline,
    /// Filed by a program through the API or Open311.
    Api,
}

impl Channel {
    pub const ALL: [Channel; 7] = [
        Channel::DeputyCode,
        Channel::StationCode,
        Channel::Studio,
        Channel::Web,
        Channel::ReceptionDay,
        Channel::Hotline,
        Channel::Api,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::DeputyCode => "deputy_code",
            Channel::StationCode => "station_code",
            Channel::Studio => "studio",
            Channel::Web => "web",
            Channel::ReceptionDay => "reception_day",
            Channel::Hotline => "hotline",
            Channel::Api => "api",
        }
    }

    /// Only staff enter cases from this channel (a keeper on a reception day, an office
    /// importing from a hotline); a citizen cannot claim it.
    pub fn needs_staff(self) -> bool {
        match self {
            Channel::ReceptionDay | Channel::Hotline => true,
            Channel::DeputyCode | Channel::StationCode | Channel::Studio | Channel::Web | Channel::Api => false,
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Channel, FieldError> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new(field, Msg::new("err-channel")))
    }
}

/// Where a case stands. Other code asks the category questions below, never
/// compares states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseState {
    /// 待受理: submitted, not yet acknowledged.
    Received,
    /// 已受理: the receiver has it and decides to answer or forward.
    Acknowledged,
    /// 待补充: the citizen was asked for more information.
    AwaitingInfo,
    /// 办理中: forwarded to one or more departments.
    Forwarded,
    /// 已答复: answered; the citizen may rate it.
    Answered,
    /// 已办结
    Closed,
    /// 已撤回 by the citizen.
    Withdrawn,
    /// 已合并 into another case.
    Merged,
}

impl CaseState {
    pub const ALL: [CaseState; 8] = [
        CaseState::Received,
        CaseState::Acknowledged,
        CaseState::AwaitingInfo,
        CaseState::Forwarded,
        CaseState::Answered,
        CaseState::Closed,
        CaseState::Withdrawn,
        CaseState::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Received => "received",
            CaseState::Acknowledged => "acknowledged",
            CaseState::AwaitingInfo => "awaiting_info",
            CaseState::Forwarded => "forwarded",
            CaseState::Answered => "answered",
            CaseState::Closed => "closed",
            CaseState::Withdrawn => "withdrawn",
            CaseState::Merged => "merged",
        }
    }

    pub fn parse(raw: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Work remains to be done by someone in government.
    pub fn is_open(self) -> bool {
        match self {
            CaseState::Received | CaseState::Acknowledged | CaseState::AwaitingInfo | CaseState::Forwarded => true,
            CaseState::Answered | CaseState::Closed | CaseState::Withdrawn | CaseState::Merged => false,
        }
    }

    /// Nothing more will happen to it.
    pub fn is_final(self) -> bool {
        match self {
            CaseState::Closed | CaseState::Withdrawn | CaseState::Merged => true,
            CaseState::Received
            | CaseState::Acknowledged
            | CaseState::AwaitingInfo
            | CaseState::Forwarded
            | CaseState::Answered => false,
        }
    }

    /// The citizen has been given an answer (now or before it was closed).
    pub fn is_answered(self) -> bool {
        match self {
            CaseState::Answered | CaseState::Closed => true,
            CaseState::Received
            | CaseState::Acknowledged
            | CaseState::AwaitingInfo
            | CaseState::Forwarded
            | CaseState::Withdrawn
            | CaseState::Merged => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AssignmentState {
    /// 待签收
    Pending,
    /// 办理中 (signed for, or sent back for rework)
    Accepted,
    /// 已提交结果, waiting for the forwarder's rating
    Submitted,
    /// 已完成: rated satisfied or basically satisfied
    Completed,
    /// 已退回: not this department's; the forwarder re-routes
    Returned,
    /// 已撤销: the case was withdrawn or merged
    Cancelled,
}

impl AssignmentState {
    pub const ALL: [AssignmentState; 6] = [
        AssignmentState::Pending,
        AssignmentState::Accepted,
        AssignmentState::Submitted,
        AssignmentState::Completed,
        AssignmentState::Returned,
        AssignmentState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentState::Pending => "pending",
            AssignmentState::Accepted => "accepted",
            AssignmentState::Submitted => "submitted",
            AssignmentState::Completed => "completed",
            AssignmentState::Returned => "returned",
            AssignmentState::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<AssignmentState> {
        AssignmentState::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The department still owes work (its deadline runs).
    pub fn is_open(self) -> bool {
        match self {
            AssignmentState::Pending | AssignmentState::Accepted => true,
            AssignmentState::Submitted
            | AssignmentState::Completed
            | AssignmentState::Returned
            | AssignmentState::Cancelled => false,
        }
    }

    /// It still counts towards the case (not returned or cancelled).
    pub fn is_live(self) -> bool {
        match self {
            AssignmentState::Pending
            | AssignmentState::Accepted
            | AssignmentState::Submitted
            | AssignmentState::Completed => true,
            AssignmentState::Returned | AssignmentState::Cancelled => false,
        }
    }
}

/// A rating: 满意 · 基本满意 · 不满意.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grade {
    Satisfied,
    BasicallySatisfied,
    Unsatisfied,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Satisfied => "satisfied",
            Grade::BasicallySatisfied => "basically_satisfied",
            Grade::Unsatisfied => "unsatisfied",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Grade, FieldError> {
        match raw.trim() {
            "satisfied" | "满意" => Ok(Grade::Satisfied),
            "basically_satisfied" | "基本满意" => Ok(Grade::BasicallySatisfied),
            "unsatisfied" | "不满意" => Ok(Grade::Unsatisfied),
            _ => Err(FieldError::new(field, Msg::new("err-grade"))),
        }
    }

    pub fn is_satisfied(self) -> bool {
        match self {
            Grade::Satisfied | Grade::BasicallySatisfied => true,
            Grade::Unsatisfied => false,
        }
    }
}

/// A lead department answers for the result; assisting ones contribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentRole {
    Lead,
    Assisting,
}

impl AssignmentRole {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentRole::Lead => "lead",
            AssignmentRole::Assisting => "assisting",
        }
    }

    pub fn parse(raw: &str) -> Option<AssignmentRole> {
        match raw {
            "lead" => Some(AssignmentRole::Lead),
            "assisting" => Some(AssignmentRole::Assisting),
            _ => None,
        }
    }
}

/// A tracking code the citizen keeps: 10 characters from an alphabet without
/// look-alikes, grouped for reading aloud (e.g. `MY7K-3QX9-PA`).
pub fn format_tracking_code(random: &[u8; 10]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let chars: Vec<char> = random.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    format!(
        "{}-{}-{}",
        chars[..4].iter().collect::<String>(),
        chars[4..8].iter().collect::<String>(),
        chars[8..].iter().collect::<String>()
    )
}

/// Normalises what a citizen types as a tracking code: upper case, no spaces; the
/// dashes are optional.
pub fn normalize_tracking_code(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    (compact.len() == 10).then(|| format!("{}-{}-{}", &compact[..4], &compact[4..8], &compact[8..]))
}

/// The categories a citizen chooses from (they become Open311 services later).
pub const CATEGORIES: [&str; 11] = [
    "construction",
    "transport",
    "environment",
    "education",
    "health",
    "social_security",
    "agriculture",
    "fishery",
    "market",
    "public_safety",
    "other",
];

/// Who a case is addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressee {
    Representative(String),
    Unit(String),
}

/// A citizen's opinion as submitted, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseInput {
    pub channel: Channel,
    pub addressee: Addressee,
    pub category: String,
    pub body: String,
    pub citizen_name: String,
    pub citizen_mobile: Option<super::fields::MobileNumber>,
    pub anonymous: bool,
    pub address: String,
    pub location: Option<Location>,
    /// Makes a retried submission idempotent.
    pub client_token: Option<String>,
    /// The meeting whose code the citizen scanned (a meeting of the addressed unit).
    pub meeting_id: Option<String>,
}

/// A position from the citizen's phone, in millionths of a degree (about 10 cm).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub lat_e6: i64,
    pub lng_e6: i64,
}

impl Location {
    /// Both empty is no position; otherwise both decimal degrees, on the globe.
    pub fn parse(latitude: &str, longitude: &str) -> Result<Option<Location>, FieldError> {
        let (lat, lng) = (latitude.trim(), longitude.trim());
        if lat.is_empty() && lng.is_empty() {
            return Ok(None);
        }
        let bad = || FieldError::new("location", Msg::new("err-location"));
        let degrees = |raw: &str, max: f64| {
            raw.parse::<f64>().ok().filter(|d| d.is_finite() && d.abs() <= max).map(|d| (d * 1e6).round() as i64)
        };
        match (degrees(lat, 90.0), degrees(lng, 180.0)) {
            (Some(lat_e6), Some(lng_e6)) => Ok(Some(Location { lat_e6, lng_e6 })),
            _ => Err(bad()),
        }
    }

    /// Decimal degrees with six places, as `28.123456,121.123456`.
    pub fn text(&self) -> String {
        let part =
            |v: i64| format!("{}{}.{:06}", if v < 0 { "-" } else { "" }, v.abs() / 1_000_000, v.abs() % 1_000_000);
        format!("{},{}", part(self.lat_e6), part(self.lng_e6))
    }
}

/// The raw strings of a submission.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct CaseFields {
    pub channel: String,
    pub representative_id: String,
    pub unit_id: String,
    pub category: String,
    pub body: String,
    pub name: String,
    pub mobile: String,
    pub anonymous: String,
    pub address: String,
    /// The phone's position in decimal degrees, if the citizen allowed it (both or neither).
    pub latitude: String,
    pub longitude: String,
    pub client_token: String,
    /// Sent from a meeting's code: that meeting's id.
    pub meeting_id: String,
}

/// Open311 GeoReport v2 allows descriptions of up to 4,000 characters.
pub const MAX_BODY_CHARS: usize = 4000;

impl CaseInput {
    pub fn parse(raw: &CaseFields) -> Result<CaseInput, Vec<FieldError>> {
        use super::fields::{MobileNumber, optional_text, required_text, yes_no};
        let mut errors = Vec::new();
        let channel = Channel::parse("channel", &raw.channel).map_err(|e| errors.push(e)).ok();
        let addressee = match (raw.representative_id.trim(), raw.unit_id.trim()) {
            (rep, "") if !rep.is_empty() => Some(Addressee::Representative(rep.to_string())),
            ("", unit) if !unit.is_empty() => Some(Addressee::Unit(unit.to_string())),
            _ => {
                errors.push(FieldError::new("addressee", Msg::new("err-addressee")));
                None
            }
        };
        let category = if CATEGORIES.contains(&raw.category.trim()) {
            raw.category.trim().to_string()
        } else {
            errors.push(FieldError::new("category", Msg::new("err-category")));
            String::new()
        };
        let body = required_text("body", &raw.body, MAX_BODY_CHARS).map_err(|e| errors.push(e)).unwrap_or_default();
        let citizen_name = optional_text("name", &raw.name, 20).map_err(|e| errors.push(e)).unwrap_or_default();
        let citizen_mobile =
            MobileNumber::parse_optional("mobile", &raw.mobile).map_err(|e| errors.push(e)).ok().flatten();
        let anonymous = yes_no("anonymous", &raw.anonymous, false).map_err(|e| errors.push(e)).unwrap_or_default();
        let address = optional_text("address", &raw.address, 120).map_err(|e| errors.push(e)).unwrap_or_default();
        let location = Location::parse(&raw.latitude, &raw.longitude).map_err(|e| errors.push(e)).ok().flatten();
        let token = raw.client_token.trim();
        let client_token = if token.is_empty() {
            None
        } else if token.len() <= 64 && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            Some(token.to_string())
        } else {
            errors.push(FieldError::new("client_token", Msg::new("err-code")));
            None
        };
        let meeting = raw.meeting_id.trim();
        let meeting_id = if meeting.is_empty() {
            None
        } else if meeting.len() <= 64 && meeting.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            Some(meeting.to_string())
        } else {
            errors.push(FieldError::new("meeting_id", Msg::new("err-meeting")));
            None
        };
        match (channel, addressee) {
            (Some(channel), Some(addressee)) if errors.is_empty() => Ok(CaseInput {
                meeting_id,
                channel,
                addressee,
                category,
                body,
                citizen_name,
                citizen_mobile,
                anonymous,
                address,
                location,
                client_token,
            }),
            _ => Err(errors),
        }
    }

    /// A short title: the first line of the text, at most 30 characters.
    pub fn title(&self) -> String {
        let first = self.body.lines().next().unwrap_or_default().trim();
        let mut title: String = first.chars().take(30).collect();
        if first.chars().count() > 30 {
            title.push('…');
        }
        title
    }
}

/// A case as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: String,
    pub tracking_code: String,
    pub channel: Channel,
    pub state: CaseState,
    pub resume_state: Option<CaseState>,
    pub representative_id: Option<String>,
    pub unit_id: Option<String>,
    pub region_id: String,
    pub region_path: String,
    pub category: String,
    pub title: String,
    pub body: String,
    pub citizen_name: String,
    pub citizen_mobile: String,
    pub anonymous: bool,
    pub address: String,
    /// Where the citizen was, from the phone, if they allowed it.
    pub location: Option<Location>,
    pub ack_due: chrono::NaiveDate,
    pub answer_due: Option<chrono::NaiveDate>,
    pub acknowledged_at: Option<i64>,
    pub answer: String,
    pub answered_at: Option<i64>,
    pub rating_until: Option<chrono::NaiveDate>,
    pub citizen_grade: Option<Grade>,
    pub reopen_count: i64,
    pub merged_into: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
}

impl Case {
    /// The date the case must next meet while it is open: acknowledging it until
    /// it is acknowledged, then answering it.
    pub fn next_due(&self) -> Option<chrono::NaiveDate> {
        if !self.state.is_open() {
            return None;
        }
        match self.acknowledged_at {
            None => Some(self.ack_due),
            Some(_) => self.answer_due.or(Some(self.ack_due)),
        }
    }

    /// Open, and its next due date is before `today`.
    pub fn is_overdue(&self, today: chrono::NaiveDate) -> bool {
        self.next_due().is_some_and(|due| due < today)
    }
}

/// An assignment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub id: String,
    pub case_id: String,
    pub department_id: String,
    pub department_name: String,
    pub role: AssignmentRole,
    pub state: AssignmentState,
    pub due: chrono::NaiveDate,
    pub requested_due: Option<chrono::NaiveDate>,
    pub note: String,
    pub result: String,
    pub grade: Option<Grade>,
    pub rework_count: i64,
    pub returned: bool,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub completed_at: Option<i64>,
}

impl Assignment {
    /// The department still owes work and its due date is before `today`.
    pub fn is_overdue(&self, today: chrono::NaiveDate) -> bool {
        self.state.is_open() && self.due < today
    }
}

/// One line of a case's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    pub seq: i64,
    pub id: String,
    pub case_id: String,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: String,
    pub actor_name: String,
    pub kind: String,
    pub assignment_id: String,
    pub note: String,
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
}

impl CaseEvent {
    /// The text the hash covers: every field but the hash itself, each on its own
    /// line with its length, so that no two events share a text.
    pub fn canonical(&self) -> String {
        let fields = [
            self.seq.to_string(),
            self.id.clone(),
            self.case_id.clone(),
            self.at.to_string(),
            self.actor_kind.clone(),
            self.actor_id.clone(),
            self.actor_name.clone(),
            self.kind.clone(),
            self.assignment_id.clone(),
            self.note.clone(),
            self.data.clone(),
            self.prev_hash.clone(),
        ];
        fields.iter().map(|f| format!("{}:{f}\n", f.len())).collect()
    }
}
