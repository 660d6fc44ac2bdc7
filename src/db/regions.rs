//! The region tree.

use super::{DbResult, ListKey, Page, PageRequest, Tx, filter_params, key_params, like_pattern};
use crate::clock::Millis;
use crate::domain::permission::ListFilter;
use crate::domain::region::{Region, RegionCode, RegionLevel, RegionPath};

#[derive(sqlx::FromRow)]
struct RegionRow {
    id: String,
    code: String,
    name: String,
    level: String,
    parent_id: Option<String>,
    path: String,
    active: bool,
}

impl RegionRow {
    fn into_region(self) -> DbResult<Region> {
        let corrupt = |what: &str| sqlx::Error::Decode(format!("region {}: bad {what}", self.id).into());
        Ok(Region {
            code: RegionCode::parse("code", &self.code).map_err(|_| corrupt("code"))?,
            level: RegionLevel::parse("level", &self.level).map_err(|_| corrupt("level"))?,
            id: self.id,
            name: self.name,
            parent_id: self.parent_id,
            path: RegionPath::from_stored(self.path),
            active: self.active,
        })
    }
}

pub async fn insert(
    tx: &mut Tx,
    id: &str,
    code: &RegionCode,
    name: &str,
    level: RegionLevel,
    parent: Option<&Region>,
    now: Millis,
) -> DbResult<Region> {
    let path = match parent {
        Some(parent) => parent.path.child(id),
        None => RegionPath::root(id),
    };
    exec!(
        tx,
        "INSERT INTO regions (id, code, name, level, parent_id, path, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $7)",
        id,
        code.as_str(),
        name,
        level.as_str(),
        parent.map(|p| p.id.as_str()),
        path.as_str(),
        now
    )?;
    Ok(Region {
        id: id.to_string(),
        code: code.clone(),
        name: name.to_string(),
        level,
        parent_id: parent.map(|p| p.id.clone()),
        path,
        active: true,
    })
}

/// Renames a region or corrects its code; its place in the tree does not change.
pub async fn update(tx: &mut Tx, id: &str, code: &RegionCode, name: &str, now: Millis) -> DbResult<u64> {
    exec!(tx, "UPDATE regions SET code = $2, name = $3, updated_at = $4 WHERE id = $1", id, code.as_str(), name, now)
}

pub async fn set_active(tx: &mut Tx, id: &str, active: bool, now: Millis) -> DbResult<u64> {
    exec!(tx, "UPDATE regions SET active = $2, updated_at = $3 WHERE id = $1", id, active, now)
}

pub async fn get(tx: &mut Tx, id: &str) -> DbResult<Option<Region>> {
    let row =
        row!(tx, RegionRow, "SELECT id, code, name, level, parent_id, path, active FROM regions WHERE id = $1", id)?;
    row.map(RegionRow::into_region).transpose()
}

/// The path of the region at `level` that holds `path` (itself included), if any: the
/// regions of `path`'s lineage, looked up by path.
pub async fn enclosing(tx: &mut Tx, path: &RegionPath, level: RegionLevel) -> DbResult<Option<RegionPath>> {
    let found = row!(
        tx,
        (Option<String>,),
        sqlite: "SELECT MAX(path) FROM regions WHERE level = $2 AND path IN (SELECT value FROM json_each($1))",
        postgres: "SELECT MAX(path) FROM regions WHERE level = $2 AND path IN (SELECT jsonb_array_elements_text($1::jsonb))",
        super::id_list(&path.lineage()),
        level.as_str()
    )?;
    Ok(found.and_then(|(path,)| path).map(RegionPath::from_stored))
}

pub async fn by_code(tx: &mut Tx, code: &str) -> DbResult<Option<Region>> {
    let row = row!(
        tx,
        RegionRow,
        "SELECT id, code, name, level, parent_id, path, active FROM regions WHERE code = $1",
        code
    )?;
    row.map(RegionRow::into_region).transpose()
}

pub async fn children(tx: &mut Tx, parent_id: &str) -> DbResult<Vec<Region>> {
    let rows = rows!(
        tx,
        RegionRow,
        "SELECT id, code, name, level, parent_id, path, active FROM regions WHERE parent_id = $1 ORDER BY code",
        parent_id
    )?;
    rows.into_iter().map(RegionRow::into_region).collect()
}

/// The regions with no parent (a province, or the counties of a county-level
/// installation), in code order.
pub async fn top_level(tx: &mut Tx) -> DbResult<Vec<Region>> {
    let rows = rows!(
        tx,
        RegionRow,
        "SELECT id, code, name, level, parent_id, path, active FROM regions WHERE parent_id IS NULL ORDER BY code"
    )?;
    rows.into_iter().map(RegionRow::into_region).collect()
}

/// Every region in the subtree (for pickers and exports), in code order.
pub async fn all_in(tx: &mut Tx, filter: &ListFilter) -> DbResult<Vec<Region>> {
    if !narrows_regions(filter) {
        return Ok(Vec::new());
    }
    let (prefix, _, _) = filter_params(filter);
    let rows = rows!(
        tx,
        RegionRow,
        "SELECT id, code, name, level, parent_id, path, active FROM regions WHERE path LIKE $1 ORDER BY code",
        prefix
    )?;
    rows.into_iter().map(RegionRow::into_region).collect()
}

pub async fn list(tx: &mut Tx, filter: &ListFilter, search: &str, page: PageRequest) -> DbResult<Page<Region>> {
    list_after(tx, filter, search, page, None).await
}

/// A page of [`list`] just after a key (the first without one).
pub async fn list_after(
    tx: &mut Tx,
    filter: &ListFilter,
    search: &str,
    page: PageRequest,
    after: Option<&ListKey>,
) -> DbResult<Page<Region>> {
    let (flag, first, _, id) = key_params(after);
    if !narrows_regions(filter) {
        return Ok(Page { items: Vec::new(), total: 0 });
    }
    let (prefix, _, _) = filter_params(filter);
    let pattern = like_pattern(search);
    let total = scalar!(
        tx,
        i64,
        "SELECT COUNT(*) FROM regions WHERE path LIKE $1 AND (LOWER(name) LIKE $2 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\')",
        &prefix,
        &pattern
    )?;
    let rows = rows!(
        tx,
        RegionRow,
        "SELECT id, code, name, level, parent_id, path, active FROM regions
         WHERE path LIKE $1 AND (LOWER(name) LIKE $2 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\')
           AND ($5 = '' OR (code, id) > ($6, $7))
         ORDER BY code, id LIMIT $3 OFFSET $4",
        &prefix,
        &pattern,
        page.size,
        page.offset(),
        flag,
        first,
        id
    )?;
    let items = rows.into_iter().map(RegionRow::into_region).collect::<DbResult<_>>()?;
    Ok(Page { items, total })
}

/// The parent's code and name of each region on the same page of [`list`], in one
/// query (keyed by region id; empty for a root).
pub async fn parents_on_page(
    tx: &mut Tx,
    filter: &ListFilter,
    search: &str,
    page: PageRequest,
) -> DbResult<std::collections::HashMap<String, (String, String)>> {
    parents_on_page_after(tx, filter, search, page, None).await
}

/// The parents of the regions of [`list_after`]'s page.
pub async fn parents_on_page_after(
    tx: &mut Tx,
    filter: &ListFilter,
    search: &str,
    page: PageRequest,
    after: Option<&ListKey>,
) -> DbResult<std::collections::HashMap<String, (String, String)>> {
    let (flag, first, _, id) = key_params(after);
    if !narrows_regions(filter) {
        return Ok(std::collections::HashMap::new());
    }
    let (prefix, _, _) = filter_params(filter);
    let pattern = like_pattern(search);
    let rows = rows!(
        tx,
        (String, String, String),
        "SELECT r.id, COALESCE(p.code, ''), COALESCE(p.name, '') FROM regions r
         LEFT JOIN regions p ON p.id = r.parent_id
         WHERE r.path LIKE $1 AND (LOWER(r.name) LIKE $2 ESCAPE '\\' OR r.code LIKE $2 ESCAPE '\\')
           AND ($5 = '' OR (r.code, r.id) > ($6, $7))
         ORDER BY r.code, r.id LIMIT $3 OFFSET $4",
        &prefix,
        &pattern,
        page.size,
        page.offset(),
        flag,
        first,
        id
    )?;
    Ok(rows.into_iter().map(|(id, code, name)| (id, (code, name))).collect())
}

/// Regions are narrowed by subtree only; a filter meant for another list (one
/// record, a unit's representatives) shows no region rather than every region.
fn narrows_regions(filter: &ListFilter) -> bool {
    matches!(filter, ListFilter::All | ListFilter::Subtree(_))
}

pub async fn count(tx: &mut Tx) -> DbResult<i64> {
    scalar!(tx, i64, "SELECT COUNT(*) FROM regions")
}
