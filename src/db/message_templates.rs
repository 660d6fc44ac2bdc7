//! Administrators' own wording of notices. A key without a row here uses the built-in
//! default in `notify::templates`.

use super::{DbResult, Tx};
use crate::clock::Millis;

/// A stored override of one notice's subject and body (minijinja source).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredTemplate {
    pub key: String,
    pub subject: String,
    pub body: String,
    pub updated_at: Millis,
    pub updated_by: String,
}

pub async fn get(tx: &mut Tx, key: &str) -> DbResult<Option<StoredTemplate>> {
    row!(
        tx,
        StoredTemplate,
        "SELECT key, subject, body, updated_at, updated_by FROM message_templates WHERE key = $1",
        key
    )
}

pub async fn list(tx: &mut Tx) -> DbResult<Vec<StoredTemplate>> {
    rows!(tx, StoredTemplate, "SELECT key, subject, body, updated_at, updated_by FROM message_templates ORDER BY key")
}

/// Writes or replaces the override of `key`.
pub async fn save(tx: &mut Tx, key: &str, subject: &str, body: &str, now: Millis, updated_by: &str) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO message_templates (key, subject, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (key) DO UPDATE SET subject = excluded.subject, body = excluded.body,
                                         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        key,
        subject,
        body,
        now,
        updated_by
    )?;
    Ok(())
}

/// Removes the override, so the built-in default applies again; `false` if there was none.
pub async fn remove(tx: &mut Tx, key: &str) -> DbResult<bool> {
    Ok(exec!(tx, "DELETE FROM message_templates WHERE key = $1", key)? == 1)
}
