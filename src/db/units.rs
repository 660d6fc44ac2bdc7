//! Stations and studios.

use super::{DbResult, ListKey, Page, PageRequest, Tx, filter_params, key_params, like_pattern};
use crate::clock::Millis;
use crate::domain::permission::ListFilter;
use crate::domain::region::RegionPath;
use crate::domain::unit::{StudioKind, Unit, UnitInput, UnitKind};

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: String,
    code: String,
    kind: String,
    studio_kind: Option<String>,
    name: String,
    region_id: String,
    region_code: String,
    region_name: String,
    region_path: String,
    address: String,
    opening_hours: String,
    reception_days: String,
    contact_name: String,
    contact_phone: String,
    service_fields: String,
    sector: String,
    online: bool,
    active: bool,
}

impl UnitRow {
    fn into_unit(self) -> DbResult<Unit> {
        let corrupt = |what: &str| sqlx::Error::Decode(format!("unit {}: bad {what}", self.id).into());
        let kind = UnitKind::parse("kind", &self.kind).map_err(|_| corrupt("kind"))?;
        let studio_kind = match &self.studio_kind {
            Some(raw) => Some(StudioKind::parse("studio_kind", raw).map_err(|_| corrupt("studio_kind"))?),
            None => None,
        };
        Ok(Unit {
            input: UnitInput {
                code: self.code,
                kind,
                studio_kind,
                name: self.name,
                region_code: self.region_code,
                address: self.address,
                opening_hours: self.opening_hours,
                reception_days: self.reception_days,
                contact_name: self.contact_name,
                contact_phone: self.contact_phone,
                service_fields: split_list(&self.service_fields),
                sector: self.sector,
                online: self.online,
                active: self.active,
            },
            id: self.id,
            region_id: self.region_id,
            region_name: self.region_name,
            region_path: RegionPath::from_stored(self.region_path),
        })
    }
}

/// Lists are stored as text joined with `,` (the domain forbids commas inside items).
pub(crate) fn split_list(stored: &str) -> Vec<String> {
    stored.split(',').filter(|s| !s.is_empty()).map(String::from).collect()
}

pub async fn insert(tx: &mut Tx, id: &str, unit: &UnitInput, region_id: &str, now: Millis) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO units (id, code, kind, studio_kind, name, region_id, address, opening_hours, reception_days,
             contact_name, contact_phone, service_fields, sector, online, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
        id,
        &unit.code,
        unit.kind.as_str(),
        unit.studio_kind.map(StudioKind::as_str),
        &unit.name,
        region_id,
        &unit.address,
        &unit.opening_hours,
        &unit.reception_days,
        &unit.contact_name,
        &unit.contact_phone,
        unit.service_fields.join(","),
        &unit.sector,
        unit.online,
        unit.active,
        now
    )?;
    Ok(())
}

pub async fn update(tx: &mut Tx, id: &str, unit: &UnitInput, region_id: &str, now: Millis) -> DbResult<u64> {
    exec!(
        tx,
        "UPDATE units SET code = $2, kind = $3, studio_kind = $4, name = $5, region_id = $6, address = $7,
             opening_hours = $8, reception_days = $9, contact_name = $10, contact_phone = $11,
             service_fields = $12, sector = $13, online = $14, active = $15, updated_at = $16
         WHERE id = $1",
        id,
        &unit.code,
        unit.kind.as_str(),
        unit.studio_kind.map(StudioKind::as_str),
        &unit.name,
        region_id,
        &unit.address,
        &unit.opening_hours,
        &unit.reception_days,
        &unit.contact_name,
        &unit.contact_phone,
        unit.service_fields.join(","),
        &unit.sector,
        unit.online,
        unit.active,
        now
    )
}

/// The units of `ids` that exist, in no particular order (one statement).
pub async fn get_many(tx: &mut Tx, ids: &[&str]) -> DbResult<Vec<Unit>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = rows!(
        tx,
        UnitRow,
        sqlite: "SELECT u.id, u.code, u.kind, u.studio_kind, u.name, u.region_id, r.code AS region_code, r.name AS region_name,
             r.path AS region_path, u.address, u.opening_hours, u.reception_days, u.contact_name, u.contact_phone,
             u.service_fields, u.sector, u.online, u.active
         FROM units u JOIN regions r ON r.id = u.region_id WHERE u.id IN (SELECT value FROM json_each($1))",
        postgres: "SELECT u.id, u.code, u.kind, u.studio_kind, u.name, u.region_id, r.code AS region_code, r.name AS region_name,
             r.path AS region_path, u.address, u.opening_hours, u.reception_days, u.contact_name, u.contact_phone,
             u.service_fields, u.sector, u.online, u.active
         FROM units u JOIN regions r ON r.id = u.region_id WHERE u.id IN (SELECT jsonb_array_elements_text($1::jsonb))",
        super::id_list(ids)
    )?;
    rows.into_iter().map(UnitRow::into_unit).collect()
}

pub async fn get(tx: &mut Tx, id: &str) -> DbResult<Option<Unit>> {
    let row = row!(
        tx,
        UnitRow,
        "SELECT u.id, u.code, u.kind, u.studio_kind, u.name, u.region_id, r.code AS region_code, r.name AS region_name,
             r.path AS region_path, u.address, u.opening_hours, u.reception_days, u.contact_name, u.contact_phone,
             u.service_fields, u.sector, u.online, u.active
         FROM units u JOIN regions r ON r.id = u.region_id WHERE u.id = $1",
        id
    )?;
    row.map(UnitRow::into_unit).transpose()
}

pub async fn id_by_code(tx: &mut Tx, code: &str) -> DbResult<Option<String>> {
    row!(tx, (String,), "SELECT id FROM units WHERE code = $1", code).map(|r| r.map(|(id,)| id))
}

pub async fn list(tx: &mut Tx, filter: &ListFilter, search: &str, page: PageRequest) -> DbResult<Page<Unit>> {
    list_after(tx, filter, search, page, None).await
}

/// A page of [`list`] just after a key (the first without one).
pub async fn list_after(
    tx: &mut Tx,
    filter: &ListFilter,
    search: &str,
    page: PageRequest,
    after: Option<&ListKey>,
) -> DbResult<Page<Unit>> {
    let (flag, first, second, id) = key_params(after);
    if let ListFilter::AtUnit(_) = filter {
        // That filter is for representatives; it shows no unit rather than every unit.
        return Ok(Page { items: Vec::new(), total: 0 });
    }
    let (prefix, only_id, _) = filter_params(filter);
    let pattern = like_pattern(search);
    let total = scalar!(
        tx,
        i64,
        "SELECT COUNT(*) FROM units u JOIN regions r ON r.id = u.region_id
         WHERE r.path LIKE $1 AND ($2 = '' OR u.id = $2)
           AND (LOWER(u.name) LIKE $3 ESCAPE '\\' OR LOWER(u.code) LIKE $3 ESCAPE '\\' OR LOWER(r.name) LIKE $3 ESCAPE '\\')",
        &prefix,
        &only_id,
        &pattern
    )?;
    let rows = rows!(
        tx,
        UnitRow,
        "SELECT u.id, u.code, u.kind, u.studio_kind, u.name, u.region_id, r.code AS region_code, r.name AS region_name,
             r.path AS region_path, u.address, u.opening_hours, u.reception_days, u.contact_name, u.contact_phone,
             u.service_fields, u.sector, u.online, u.active
         FROM units u JOIN regions r ON r.id = u.region_id
         WHERE r.path LIKE $1 AND ($2 = '' OR u.id = $2)
           AND (LOWER(u.name) LIKE $3 ESCAPE '\\' OR LOWER(u.code) LIKE $3 ESCAPE '\\' OR LOWER(r.name) LIKE $3 ESCAPE '\\')
           AND ($6 = '' OR (r.code, u.code, u.id) > ($7, $8, $9))
         ORDER BY r.code, u.code, u.id LIMIT $4 OFFSET $5",
        &prefix,
        &only_id,
        &pattern,
        page.size,
        page.offset(),
        flag,
        first,
        second,
        id
    )?;
    let items = rows.into_iter().map(UnitRow::into_unit).collect::<DbResult<_>>()?;
    Ok(Page { items, total })
}

pub async fn count(tx: &mut Tx) -> DbResult<i64> {
    scalar!(tx, i64, "SELECT COUNT(*) FROM units")
}

/// Every active member studio (委员工作室), by name: the citizens' directory.
pub async fn active_studios(tx: &mut Tx) -> DbResult<Vec<Unit>> {
    let rows = rows!(
        tx,
        UnitRow,
        "SELECT u.id, u.code, u.kind, u.studio_kind, u.name, u.region_id, r.code AS region_code, r.name AS region_name,
             r.path AS region_path, u.address, u.opening_hours, u.reception_days, u.contact_name, u.contact_phone,
             u.service_fields, u.sector, u.online, u.active
         FROM units u JOIN regions r ON r.id = u.region_id
         WHERE u.kind = 'studio' AND u.active ORDER BY u.name, u.code"
    )?;
    rows.into_iter().map(UnitRow::into_unit).collect()
}
