//! Departments (承办单位).

use super::units::split_list;
use super::{DbResult, ListKey, Page, PageRequest, Tx, filter_params, key_params, like_pattern};
use crate::clock::Millis;
use crate::domain::department::{Department, DepartmentInput};
use crate::domain::permission::ListFilter;
use crate::domain::region::RegionPath;

#[derive(sqlx::FromRow)]
struct DepartmentRow {
    id: String,
    code: String,
    name: String,
    region_id: String,
    region_code: String,
    region_name: String,
    region_path: String,
    fields: String,
    supervising_office: String,
    contact_phone: String,
    active: bool,
}

impl DepartmentRow {
    fn into_department(self) -> Department {
        Department {
            input: DepartmentInput {
                code: self.code,
                name: self.name,
                region_code: self.region_code,
                fields: split_list(&self.fields),
                supervising_office: self.supervising_office,
                contact_phone: self.contact_phone,
                active: self.active,
            },
            id: self.id,
            region_id: self.region_id,
            region_name: self.region_name,
            region_path: RegionPath::from_stored(self.region_path),
        }
    }
}

pub async fn insert(tx: &mut Tx, id: &str, dept: &DepartmentInput, region_id: &str, now: Millis) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO departments (id, code, name, region_id, fields, supervising_office, contact_phone, active,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        id,
        &dept.code,
        &dept.name,
        region_id,
        dept.fields.join(","),
        &dept.supervising_office,
        &dept.contact_phone,
        dept.active,
        now
    )?;
    Ok(())
}

pub async fn update(tx: &mut Tx, id: &str, dept: &DepartmentInput, region_id: &str, now: Millis) -> DbResult<u64> {
    exec!(
        tx,
        "UPDATE departments SET code = $2, name = $3, region_id = $4, fields = $5, supervising_office = $6,
             contact_phone = $7, active = $8, updated_at = $9
         WHERE id = $1",
        id,
        &dept.code,
        &dept.name,
        region_id,
        dept.fields.join(","),
        &dept.supervising_office,
        &dept.contact_phone,
        dept.active,
        now
    )
}

pub async fn get(tx: &mut Tx, id: &str) -> DbResult<Option<Department>> {
    let row = row!(
        tx,
        DepartmentRow,
        "SELECT d.id, d.code, d.name, d.region_id, r.code AS region_code, r.name AS region_name, r.path AS region_path,
             d.fields, d.supervising_office, d.contact_phone, d.active
         FROM departments d JOIN regions r ON r.id = d.region_id WHERE d.id = $1",
        id
    )?;
    Ok(row.map(DepartmentRow::into_department))
}

pub async fn id_by_code(tx: &mut Tx, code: &str) -> DbResult<Option<String>> {
    row!(tx, (String,), "SELECT id FROM departments WHERE code = $1", code).map(|r| r.map(|(id,)| id))
}

pub async fn list(tx: &mut Tx, filter: &ListFilter, search: &str, page: PageRequest) -> DbResult<Page<Department>> {
    list_after(tx, filter, search, page, None).await
}

/// A page of [`list`] just after a key (the first without one).
pub async fn list_after(
    tx: &mut Tx,
    filter: &ListFilter,
    search: &str,
    page: PageRequest,
    after: Option<&ListKey>,
) -> DbResult<Page<Department>> {
    let (flag, first, second, id) = key_params(after);
    if let ListFilter::AtUnit(_) = filter {
        // That filter is for representatives; it shows no department rather than every one.
        return Ok(Page { items: Vec::new(), total: 0 });
    }
    let (prefix, only_id, _) = filter_params(filter);
    let pattern = like_pattern(search);
    let total = scalar!(
        tx,
        i64,
        "SELECT COUNT(*) FROM departments d JOIN regions r ON r.id = d.region_id
         WHERE r.path LIKE $1 AND ($2 = '' OR d.id = $2)
           AND (LOWER(d.name) LIKE $3 ESCAPE '\\' OR LOWER(d.code) LIKE $3 ESCAPE '\\' OR LOWER(d.fields) LIKE $3 ESCAPE '\\')",
        &prefix,
        &only_id,
        &pattern
    )?;
    let rows = rows!(
        tx,
        DepartmentRow,
        "SELECT d.id, d.code, d.name, d.region_id, r.code AS region_code, r.name AS region_name, r.path AS region_path,
             d.fields, d.supervising_office, d.contact_phone, d.active
         FROM departments d JOIN regions r ON r.id = d.region_id
         WHERE r.path LIKE $1 AND ($2 = '' OR d.id = $2)
           AND (LOWER(d.name) LIKE $3 ESCAPE '\\' OR LOWER(d.code) LIKE $3 ESCAPE '\\' OR LOWER(d.fields) LIKE $3 ESCAPE '\\')
           AND ($6 = '' OR (r.code, d.code, d.id) > ($7, $8, $9))
         ORDER BY r.code, d.code, d.id LIMIT $4 OFFSET $5",
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
    Ok(Page { items: rows.into_iter().map(DepartmentRow::into_department).collect(), total })
}

pub async fn count(tx: &mut Tx) -> DbResult<i64> {
    scalar!(tx, i64, "SELECT COUNT(*) FROM departments")
}

/// Active departments a case at `case_path` may be forwarded to: those whose area
/// covers the case (their region is in its lineage).
pub async fn reachable(tx: &mut Tx, case_path: &RegionPath) -> DbResult<Vec<Department>> {
    reachable_and_under(tx, case_path, "", "").await
}

/// [`reachable`], and those of `office`'s region and below.
pub async fn reachable_within(tx: &mut Tx, case_path: &RegionPath, office: &RegionPath) -> DbResult<Vec<Department>> {
    reachable_and_under(tx, case_path, office.as_str(), &office.subtree_end()).await
}

/// The departments of the regions of `case_path`'s lineage, looked up by path, and of the
/// regions from `start` up to `end` (none when `start` is empty). SQLite reads those as one
/// range of the paths' index; PostgreSQL compares them byte by byte (`COLLATE "C"`, the
/// order `RegionPath::subtree_end` assumes), over its few thousand regions.
async fn reachable_and_under(tx: &mut Tx, case_path: &RegionPath, start: &str, end: &str) -> DbResult<Vec<Department>> {
    let rows = rows!(
        tx,
        DepartmentRow,
        sqlite: "SELECT d.id, d.code, d.name, d.region_id, r.code AS region_code, r.name AS region_name, r.path AS region_path,
             d.fields, d.supervising_office, d.contact_phone, d.active
         FROM departments d JOIN regions r ON r.id = d.region_id
         WHERE d.active AND (r.path IN (SELECT value FROM json_each($1)) OR ($2 <> '' AND r.path >= $2 AND r.path < $3))
         ORDER BY LENGTH(r.path), r.code, d.code",
        postgres: "SELECT d.id, d.code, d.name, d.region_id, r.code AS region_code, r.name AS region_name, r.path AS region_path,
             d.fields, d.supervising_office, d.contact_phone, d.active
         FROM departments d JOIN regions r ON r.id = d.region_id
         WHERE d.active AND (r.path IN (SELECT jsonb_array_elements_text($1::jsonb))
             OR ($2 <> '' AND r.path COLLATE \"C\" >= $2 AND r.path COLLATE \"C\" < $3))
         ORDER BY LENGTH(r.path), r.code, d.code",
        super::id_list(&case_path.lineage()),
        start,
        end
    )?;
    Ok(rows.into_iter().map(DepartmentRow::into_department).collect())
}
