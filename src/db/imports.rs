//! Spreadsheets that passed every check and wait to be committed.

use super::{DbResult, Tx};
use crate::clock::Millis;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportBatch {
    pub id: String,
    pub resource: String,
    pub user_id: String,
    pub file_name: String,
    pub rows_json: String,
    pub row_count: i64,
    pub created_at: Millis,
    pub committed_at: Option<Millis>,
}

pub async fn insert(tx: &mut Tx, batch: &ImportBatch) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO import_batches (id, resource, user_id, file_name, rows_json, row_count, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &batch.id,
        &batch.resource,
        &batch.user_id,
        &batch.file_name,
        &batch.rows_json,
        batch.row_count,
        batch.created_at
    )?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: &str) -> DbResult<Option<ImportBatch>> {
    row!(
        tx,
        ImportBatch,
        "SELECT id, resource, user_id, file_name, rows_json, row_count, created_at, committed_at
         FROM import_batches WHERE id = $1",
        id
    )
}

/// Marks a batch committed; zero rows touched means someone committed it first.
pub async fn mark_committed(tx: &mut Tx, id: &str, now: Millis) -> DbResult<u64> {
    exec!(tx, "UPDATE import_batches SET committed_at = $2 WHERE id = $1 AND committed_at IS NULL", id, now)
}
