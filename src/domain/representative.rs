//! Representatives: People's Congress deputies (人大代表) and CPPCC members (政协委员).

use super::fields::{MobileNumber, entity_code, list, optional_text, required_text, yes_no};
use super::{FieldError, Msg};

/// Which congress a representative sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// 人民代表大会
    Congress,
    /// 政治协商会议
    Cppcc,
}

impl Body {
    pub fn as_str(self) -> &'static str {
        match self {
            Body::Congress => "congress",
            Body::Cppcc => "cppcc",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Body, FieldError> {
        match raw.trim() {
            "congress" | "人大" | "人大代表" => Ok(Body::Congress),
            "cppcc" | "政协" | "政协委员" => Ok(Body::Cppcc),
            _ => Err(FieldError::new(field, Msg::new("err-body"))),
        }
    }
}

/// The level of the congress a deputy was elected to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeputyLevel {
    National,
    Provincial,
    City,
    County,
    Town,
}

impl DeputyLevel {
    pub const ALL: [DeputyLevel; 5] =
        [DeputyLevel::National, DeputyLevel::Provincial, DeputyLevel::City, DeputyLevel::County, DeputyLevel::Town];

    pub fn as_str(self) -> &'static str {
        match self {
            DeputyLevel::National => "national",
            DeputyLevel::Provincial => "provincial",
            DeputyLevel::City => "city",
            DeputyLevel::County => "county",
            DeputyLevel::Town => "town",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<DeputyLevel, FieldError> {
        match raw.trim() {
            "national" | "全国" | "全国人大代表" => Ok(DeputyLevel::National),
            "provincial" | "省" | "省人大代表" => Ok(DeputyLevel::Provincial),
            "city" | "市" | "市人大代表" => Ok(DeputyLevel::City),
            "county" | "县" | "县级" | "县（市、区）" => Ok(DeputyLevel::County),
            "town" | "镇" | "乡镇" | "镇人大代表" => Ok(DeputyLevel::Town),
            _ => Err(FieldError::new(field, Msg::new("err-deputy-level"))),
        }
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RepresentativeFields {
    pub code: String,
    pub body: String,
    pub name: String,
    pub gender: String,
    pub level: String,
    pub sector: String,
    pub region_code: String,
    pub title: String,
    pub mobile: String,
    pub profile: String,
    /// Unit codes this representative serves at, comma separated.
    pub unit_codes: String,
    pub active: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RepresentativeInput {
    pub code: String,
    pub body: Body,
    pub name: String,
    pub gender: String,
    /// Deputies only.
    pub level: Option<DeputyLevel>,
    /// Members only: the sector (界别).
    pub sector: String,
    pub region_code: String,
    pub title: String,
    pub mobile: Option<MobileNumber>,
    pub profile: String,
    pub unit_codes: Vec<String>,
    pub active: bool,
}

impl RepresentativeInput {
    pub fn parse(raw: &RepresentativeFields) -> Result<RepresentativeInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let code = take(entity_code("code", &raw.code));
        let name = take(required_text("name", &raw.name, 20));
        let region_code = take(required_text("region_code", &raw.region_code, 12));
        let title = take(optional_text("title", &raw.title, 80));
        let profile = take(optional_text("profile", &raw.profile, 2000));
        let sector = take(optional_text("sector", &raw.sector, 40));
        let gender = match raw.gender.trim() {
            "" => String::new(),
            "男" | "male" | "m" => "male".to_string(),
            "女" | "female" | "f" => "female".to_string(),
            _ => {
                errors.push(FieldError::new("gender", Msg::new("err-gender")));
                String::new()
            }
        };
        let mobile = MobileNumber::parse_optional("mobile", &raw.mobile).map_err(|e| errors.push(e)).ok().flatten();
        let unit_codes = list("unit_codes", &raw.unit_codes, 10).map_err(|e| errors.push(e)).unwrap_or_default();
        let active = yes_no("active", &raw.active, true).map_err(|e| errors.push(e)).unwrap_or(true);
        let body = Body::parse("body", &raw.body).map_err(|e| errors.push(e)).ok();
        let level = match body {
            Some(Body::Congress) => DeputyLevel::parse("level", &raw.level).map_err(|e| errors.push(e)).ok(),
            _ => None,
        };
        match body {
            Some(body) if errors.is_empty() => Ok(RepresentativeInput {
                code,
                body,
                name,
                gender,
                level,
                sector,
                region_code,
                title,
                mobile,
                profile,
                unit_codes,
                active,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deputy_needs_a_level_and_a_valid_mobile() {
        let raw = RepresentativeFields {
            code: "D001".into(),
            body: "人大".into(),
            name: "王建国".into(),
            level: "县".into(),
            region_code: "331081001".into(),
            mobile: "13905761234".into(),
            unit_codes: "LLZ-01, LLZ-02".into(),
            ..Default::default()
        };
        let deputy = RepresentativeInput::parse(&raw).unwrap();
        assert_eq!(deputy.level, Some(DeputyLevel::County));
        assert_eq!(deputy.unit_codes.len(), 2);
        let bad = RepresentativeFields { level: "".into(), mobile: "12345".into(), ..raw };
        let fields: Vec<String> = RepresentativeInput::parse(&bad).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["mobile", "level"]);
    }
}

/// A representative as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Representative {
    pub id: String,
    pub input: RepresentativeInput,
    pub region_id: String,
    pub region_name: String,
    pub region_path: super::region::RegionPath,
    /// The ids of the units they serve at (the codes are in `input.unit_codes`).
    pub unit_ids: Vec<String>,
}
