//! Deputies and members, and the units they serve at.

use super::units::split_list;
use super::{DbResult, ListKey, Page, PageRequest, Tx, filter_params, key_params, like_pattern};
use crate::clock::Millis;
use crate::domain::fields::MobileNumber;
use crate::domain::permission::ListFilter;
use crate::domain::region::RegionPath;
use crate::domain::representative::{Body, DeputyLevel, Representative, RepresentativeInput};

#[derive(sqlx::FromRow)]
struct RepresentativeRow {
    id: String,
    code: String,
    body: String,
    name: String,
    gender: String,
    level: Option<String>,
    sector: String,
    region_id: String,
    region_code: String,
    region_name: String,
    region_path: String,
    title: String,
    mobile: String,
    profile: String,
    active: bool,
    unit_ids: String,
    unit_codes: String,
}

impl RepresentativeRow {
    fn into_representative(self) -> DbResult<Representative> {
        let corrupt = |what: &str| sqlx::Error::Decode(format!("representative {}: bad {what}", self.id).into());
        let body = Body::parse("body", &self.body).map_err(|_| corrupt("body"))?;
        let level = match &self.level {
            Some(raw) => Some(DeputyLevel::parse("level", raw).map_err(|_| corrupt("level"))?),
            None => None,
        };
        let mobile = MobileNumber::parse_optional("mobile", &self.mobile).map_err(|_| corrupt("mobile"))?;
        Ok(Representative {
            input: RepresentativeInput {
                code: self.code,
                body,
                name: self.name,
                gender: self.gender,
                level,
                sector: self.sector,
                region_code: self.region_code,
                title: self.title,
                mobile,
                profile: self.profile,
                unit_codes: split_list(&self.unit_codes),
                active: self.active,
            },
            id: self.id,
            region_id: self.region_id,
            region_name: self.region_name,
            region_path: RegionPath::from_stored(self.region_path),
            unit_ids: split_list(&self.unit_ids),
        })
    }
}

pub async fn insert(
    tx: &mut Tx,
    id: &str,
    rep: &RepresentativeInput,
    region_id: &str,
    unit_ids: &[String],
    now: Millis,
) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO representatives (id, code, body, name, gender, level, sector, region_id, title, mobile, profile,
             active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        id,
        &rep.code,
        rep.body.as_str(),
        &rep.name,
        &rep.gender,
        rep.level.map(DeputyLevel::as_str),
        &rep.sector,
        region_id,
        &rep.title,
        rep.mobile.as_ref().map(|m| m.as_str()).unwrap_or_default(),
        &rep.profile,
        rep.active,
        now
    )?;
    set_units(tx, id, unit_ids).await
}

pub async fn update(
    tx: &mut Tx,
    id: &str,
    rep: &RepresentativeInput,
    region_id: &str,
    unit_ids: &[String],
    now: Millis,
) -> DbResult<u64> {
    let touched = exec!(
        tx,
        "UPDATE representatives SET code = $2, body = $3, name = $4, gender = $5, level = $6, sector = $7,
             region_id = $8, title = $9, mobile = $10, profile = $11, active = $12, updated_at = $13
         WHERE id = $1",
        id,
        &rep.code,
        rep.body.as_str(),
        &rep.name,
        &rep.gender,
        rep.level.map(DeputyLevel::as_str),
        &rep.sector,
        region_id,
        &rep.title,
        rep.mobile.as_ref().map(|m| m.as_str()).unwrap_or_default(),
        &rep.profile,
        rep.active,
        now
    )?;
    set_units(tx, id, unit_ids).await?;
    Ok(touched)
}

/// Replaces the set of units a representative serves at. The link table holds
/// no user-entered data of its own, so rewriting it loses nothing.
async fn set_units(tx: &mut Tx, id: &str, unit_ids: &[String]) -> DbResult<()> {
    exec!(tx, "DELETE FROM unit_representatives WHERE representative_id = $1", id)?;
    for unit_id in unit_ids {
        exec!(tx, "INSERT INTO unit_representatives (unit_id, representative_id) VALUES ($1, $2)", unit_id, id)?;
    }
    Ok(())
}

/// The representatives of `ids` that exist, in no particular order (one statement).
pub async fn get_many(tx: &mut Tx, ids: &[&str]) -> DbResult<Vec<Representative>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = rows!(
        tx,
        RepresentativeRow,
        sqlite: "SELECT p.id, p.code, p.body, p.name, p.gender, p.level, p.sector, p.region_id, r.code AS region_code,
             r.name AS region_name, r.path AS region_path, p.title, p.mobile, p.profile, p.active,
             COALESCE((SELECT STRING_AGG(ur.unit_id, ',') FROM unit_representatives ur WHERE ur.representative_id = p.id), '') AS unit_ids,
             COALESCE((SELECT STRING_AGG(u.code, ',') FROM unit_representatives ur JOIN units u ON u.id = ur.unit_id
                       WHERE ur.representative_id = p.id), '') AS unit_codes
         FROM representatives p JOIN regions r ON r.id = p.region_id WHERE p.id IN (SELECT value FROM json_each($1))",
        postgres: "SELECT p.id, p.code, p.body, p.name, p.gender, p.level, p.sector, p.region_id, r.code AS region_code,
             r.name AS region_name, r.path AS region_path, p.title, p.mobile, p.profile, p.active,
             COALESCE((SELECT STRING_AGG(ur.unit_id, ',') FROM unit_representatives ur WHERE ur.representative_id = p.id), '') AS unit_ids,
             COALESCE((SELECT STRING_AGG(u.code, ',') FROM unit_representatives ur JOIN units u ON u.id = ur.unit_id
                       WHERE ur.representative_id = p.id), '') AS unit_codes
         FROM representatives p JOIN regions r ON r.id = p.region_id
         WHERE p.id IN (SELECT jsonb_array_elements_text($1::jsonb))",
        super::id_list(ids)
    )?;
    rows.into_iter().map(RepresentativeRow::into_representative).collect()
}

pub async fn get(tx: &mut Tx, id: &str) -> DbResult<Option<Representative>> {
    let row = row!(
        tx,
        RepresentativeRow,
        "SELECT p.id, p.code, p.body, p.name, p.gender, p.level, p.sector, p.region_id, r.code AS region_code,
             r.name AS region_name, r.path AS region_path, p.title, p.mobile, p.profile, p.active,
             COALESCE((SELECT STRING_AGG(ur.unit_id, ',') FROM unit_representatives ur WHERE ur.representative_id = p.id), '') AS unit_ids,
             COALESCE((SELECT STRING_AGG(u.code, ',') FROM unit_representatives ur JOIN units u ON u.id = ur.unit_id
                       WHERE ur.representative_id = p.id), '') AS unit_codes
         FROM representatives p JOIN regions r ON r.id = p.region_id WHERE p.id = $1",
        id
    )?;
    row.map(RepresentativeRow::into_representative).transpose()
}

pub async fn id_by_code(tx: &mut Tx, code: &str) -> DbResult<Option<String>> {
    row!(tx, (String,), "SELECT id FROM representatives WHERE code = $1", code).map(|r| r.map(|(id,)| id))
}

pub async fn list(tx: &mut Tx, filter: &ListFilter, search: &str, page: PageRequest) -> DbResult<Page<Representative>> {
    list_after(tx, filter, search, page, None).await
}

/// A page of [`list`] just after a key (the first without one).
pub async fn list_after(
    tx: &mut Tx,
    filter: &ListFilter,
    search: &str,
    page: PageRequest,
    after: Option<&ListKey>,
) -> DbResult<Page<Representative>> {
    let (flag, first, _, id) = key_params(after);
    let (prefix, only_id, at_unit) = filter_params(filter);
    let pattern = like_pattern(search);
    let total = scalar!(
        tx,
        i64,
        "SELECT COUNT(*) FROM representatives p JOIN regions r ON r.id = p.region_id
         WHERE r.path LIKE $1 AND ($2 = '' OR p.id = $2)
           AND ($3 = '' OR EXISTS (SELECT 1 FROM unit_representatives ur WHERE ur.representative_id = p.id AND ur.unit_id = $3))
           AND (LOWER(p.name) LIKE $4 ESCAPE '\\' OR LOWER(p.code) LIKE $4 ESCAPE '\\' OR LOWER(p.sector) LIKE $4 ESCAPE '\\')",
        &prefix,
        &only_id,
        &at_unit,
        &pattern
    )?;
    let rows = rows!(
        tx,
        RepresentativeRow,
        "SELECT p.id, p.code, p.body, p.name, p.gender, p.level, p.sector, p.region_id, r.code AS region_code,
             r.name AS region_name, r.path AS region_path, p.title, p.mobile, p.profile, p.active,
             COALESCE((SELECT STRING_AGG(ur.unit_id, ',') FROM unit_representatives ur WHERE ur.representative_id = p.id), '') AS unit_ids,
             COALESCE((SELECT STRING_AGG(u.code, ',') FROM unit_representatives ur JOIN units u ON u.id = ur.unit_id
                       WHERE ur.representative_id = p.id), '') AS unit_codes
         FROM representatives p JOIN regions r ON r.id = p.region_id
         WHERE r.path LIKE $1 AND ($2 = '' OR p.id = $2)
           AND ($3 = '' OR EXISTS (SELECT 1 FROM unit_representatives ur WHERE ur.representative_id = p.id AND ur.unit_id = $3))
           AND (LOWER(p.name) LIKE $4 ESCAPE '\\' OR LOWER(p.code) LIKE $4 ESCAPE '\\' OR LOWER(p.sector) LIKE $4 ESCAPE '\\')
           AND ($7 = '' OR (p.code, p.id) > ($8, $9))
         ORDER BY p.code, p.id LIMIT $5 OFFSET $6",
        &prefix,
        &only_id,
        &at_unit,
        &pattern,
        page.size,
        page.offset(),
        flag,
        first,
        id
    )?;
    let items = rows.into_iter().map(RepresentativeRow::into_representative).collect::<DbResult<_>>()?;
    Ok(Page { items, total })
}

pub async fn count(tx: &mut Tx) -> DbResult<i64> {
    scalar!(tx, i64, "SELECT COUNT(*) FROM representatives")
}

#[derive(sqlx::FromRow)]
struct NameRow {
    id: String,
    name: String,
}

/// The active representatives who serve at a unit, as (id, name), in code order.
pub async fn names_at_unit(tx: &mut Tx, unit_id: &str) -> DbResult<Vec<(String, String)>> {
    let rows = rows!(
        tx,
        NameRow,
        "SELECT p.id, p.name FROM unit_representatives ur JOIN representatives p ON p.id = ur.representative_id
         WHERE ur.unit_id = $1 AND p.active ORDER BY p.code",
        unit_id
    )?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// Links a representative to a new photo (replacing the link to an older one).
pub async fn set_photo(tx: &mut Tx, representative_id: &str, photo_id: &str, now: Millis) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO representative_photos (representative_id, photo_id, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (representative_id) DO UPDATE SET photo_id = $2, updated_at = $3",
        representative_id,
        photo_id,
        now
    )?;
    Ok(())
}

/// The id of a representative's photo, if one was uploaded.
pub async fn photo_of(tx: &mut Tx, representative_id: &str) -> DbResult<Option<String>> {
    row!(tx, (String,), "SELECT photo_id FROM representative_photos WHERE representative_id = $1", representative_id)
        .map(|r| r.map(|(id,)| id))
}
