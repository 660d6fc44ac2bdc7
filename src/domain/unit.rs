//! Grassroots units: liaison stations (联络站) and member studios (委员工作室).

use super::fields::{contact_phone, entity_code, list, optional_text, required_text, yes_no};
use super::{FieldError, Msg};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// 人大代表联络站
    Station,
    /// 政协委员工作室
    Studio,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Station => "station",
            UnitKind::Studio => "studio",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<UnitKind, FieldError> {
        match raw.trim() {
            "station" | "联络站" | "代表联络站" => Ok(UnitKind::Station),
            "studio" | "工作室" | "委员工作室" => Ok(UnitKind::Studio),
            _ => Err(FieldError::new(field, Msg::new("err-unit-kind"))),
        }
    }
}

/// A studio serves a town (镇街) or a sector (界别).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StudioKind {
    Town,
    Sector,
}

impl StudioKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StudioKind::Town => "town",
            StudioKind::Sector => "sector",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<StudioKind, FieldError> {
        match raw.trim() {
            "town" | "镇街" | "镇" | "街道" => Ok(StudioKind::Town),
            "sector" | "界别" => Ok(StudioKind::Sector),
            _ => Err(FieldError::new(field, Msg::new("err-studio-kind"))),
        }
    }
}

/// What a station or studio is, as entered by a person, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitInput {
    pub code: String,
    pub kind: UnitKind,
    pub studio_kind: Option<StudioKind>,
    pub name: String,
    pub region_code: String,
    pub address: String,
    pub opening_hours: String,
    pub reception_days: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub service_fields: Vec<String>,
    pub sector: String,
    pub online: bool,
    pub active: bool,
}

/// The raw strings of a unit, as a form or a spreadsheet row gives them.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct UnitFields {
    pub code: String,
    pub kind: String,
    pub studio_kind: String,
    pub name: String,
    pub region_code: String,
    pub address: String,
    pub opening_hours: String,
    pub reception_days: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub service_fields: String,
    pub sector: String,
    pub online: String,
    pub active: String,
}

impl UnitInput {
    pub fn parse(raw: &UnitFields) -> Result<UnitInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let code = take(entity_code("code", &raw.code));
        let name = take(required_text("name", &raw.name, 60));
        let region_code = take(required_text("region_code", &raw.region_code, 12));
        let address = take(optional_text("address", &raw.address, 120));
        let opening_hours = take(optional_text("opening_hours", &raw.opening_hours, 80));
        let reception_days = take(optional_text("reception_days", &raw.reception_days, 80));
        let contact_name = take(optional_text("contact_name", &raw.contact_name, 20));
        let contact_phone = take(contact_phone("contact_phone", &raw.contact_phone));
        let sector = take(optional_text("sector", &raw.sector, 40));
        let service_fields =
            list("service_fields", &raw.service_fields, 12).map_err(|e| errors.push(e)).unwrap_or_default();
        let online = yes_no("online", &raw.online, false).map_err(|e| errors.push(e)).unwrap_or_default();
        let active = yes_no("active", &raw.active, true).map_err(|e| errors.push(e)).unwrap_or(true);
        let kind = UnitKind::parse("kind", &raw.kind).map_err(|e| errors.push(e)).ok();
        let studio_kind = match kind {
            Some(UnitKind::Studio) => {
                StudioKind::parse("studio_kind", &raw.studio_kind).map_err(|e| errors.push(e)).ok()
            }
            _ => None,
        };
        if studio_kind == Some(StudioKind::Sector) && sector.is_empty() {
            errors.push(FieldError::new("sector", Msg::new("err-required")));
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok(UnitInput {
                code,
                kind,
                studio_kind,
                name,
                region_code,
                address,
                opening_hours,
                reception_days,
                contact_name,
                contact_phone,
                service_fields,
                sector,
                online,
                active,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn station() -> UnitFields {
        UnitFields {
            code: "LLZ-01".into(),
            kind: "联络站".into(),
            name: "太平街道人大代表联络站".into(),
            region_code: "331081001".into(),
            ..UnitFields::default()
        }
    }

    #[test]
    fn a_station_parses_and_a_sector_studio_needs_its_sector() {
        let unit = UnitInput::parse(&station()).unwrap();
        assert_eq!(unit.kind, UnitKind::Station);
        assert!(unit.active);
        let studio = UnitFields { kind: "studio".into(), studio_kind: "界别".into(), ..station() };
        let errors = UnitInput::parse(&studio).unwrap_err();
        assert_eq!(errors[0].field, "sector");
        let bad = UnitFields { contact_phone: "call me".into(), kind: "shop".into(), ..station() };
        let fields: Vec<String> = UnitInput::parse(&bad).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["contact_phone", "kind"]);
    }
}

/// A station or studio as stored, with the region it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub id: String,
    pub input: UnitInput,
    pub region_id: String,
    pub region_name: String,
    pub region_path: super::region::RegionPath,
}
