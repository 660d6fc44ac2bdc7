//! The record of what administrators did. Rows are only ever added.

use super::{DbResult, Page, PageRequest, Tx, new_id};
use crate::clock::Millis;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdminLogEntry {
    pub id: String,
    pub at: Millis,
    pub actor_name: String,
    pub action: String,
    pub resource: String,
    pub target_id: String,
    pub target_label: String,
    pub detail: String,
}

/// One line of the log, as an action writes it.
pub struct NewEntry<'a> {
    pub actor_user_id: Option<&'a str>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub resource: &'a str,
    pub target_id: &'a str,
    pub target_label: &'a str,
    pub region_path: &'a str,
    pub detail: &'a str,
}

pub async fn append(tx: &mut Tx, entry: &NewEntry<'_>, now: Millis) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO admin_log (id, at, actor_user_id, actor_name, action, resource, target_id, target_label,
             region_path, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        new_id(),
        now,
        entry.actor_user_id,
        entry.actor_name,
        entry.action,
        entry.resource,
        entry.target_id,
        entry.target_label,
        entry.region_path,
        entry.detail
    )?;
    Ok(())
}

/// The newest entries first, limited to those whose target lies under `path_prefix`.
pub async fn list(tx: &mut Tx, path_prefix: &str, page: PageRequest) -> DbResult<Page<AdminLogEntry>> {
    let pattern = format!("{path_prefix}%");
    let total = scalar!(tx, i64, "SELECT COUNT(*) FROM admin_log WHERE region_path LIKE $1", &pattern)?;
    let items = rows!(
        tx,
        AdminLogEntry,
        "SELECT id, at, actor_name, action, resource, target_id, target_label, detail FROM admin_log
         WHERE region_path LIKE $1 ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3",
        &pattern,
        page.size,
        page.offset()
    )?;
    Ok(Page { items, total })
}
