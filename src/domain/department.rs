//! Departments (承办单位): government bodies that handle forwarded cases.

use super::FieldError;
use super::fields::{contact_phone, entity_code, list, optional_text, required_text, yes_no};

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct DepartmentFields {
    pub code: String,
    pub name: String,
    pub region_code: String,
    pub fields: String,
    pub supervising_office: String,
    pub contact_phone: String,
    pub active: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentInput {
    pub code: String,
    pub name: String,
    pub region_code: String,
    /// The fields of work it handles (交通, 教育…), used to suggest it when forwarding.
    pub fields: Vec<String>,
    pub supervising_office: String,
    pub contact_phone: String,
    pub active: bool,
}

impl DepartmentInput {
    pub fn parse(raw: &DepartmentFields) -> Result<DepartmentInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let code = take(entity_code("code", &raw.code));
        let name = take(required_text("name", &raw.name, 60));
        let region_code = take(required_text("region_code", &raw.region_code, 12));
        let supervising_office = take(optional_text("supervising_office", &raw.supervising_office, 60));
        let contact_phone = take(contact_phone("contact_phone", &raw.contact_phone));
        let fields = list("fields", &raw.fields, 12).map_err(|e| errors.push(e)).unwrap_or_default();
        let active = yes_no("active", &raw.active, true).map_err(|e| errors.push(e)).unwrap_or(true);
        if errors.is_empty() {
            Ok(DepartmentInput { code, name, region_code, fields, supervising_office, contact_phone, active })
        } else {
            Err(errors)
        }
    }
}

/// A department as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    pub id: String,
    pub input: DepartmentInput,
    pub region_id: String,
    pub region_name: String,
    pub region_path: super::region::RegionPath,
}
