//! Background export jobs (`exports`): one row per export a person asked for, with
//! its state (`queued → running → done | failed`), its progress and how many parts
//! (files) it wrote. A running job is held by one runner under a lease; a lease that
//! runs out (the process crashed) makes the job claimable again, from the start.

use super::{DbResult, Tx, new_id};
use crate::clock::Millis;

/// One export as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Export {
    pub id: String,
    pub owner_user_id: String,
    /// `cases`, or the slug of a record list (`units`, `representatives`, …).
    pub subject: String,
    /// The list's filter as JSON (empty for a record list).
    pub params: String,
    pub format: String,
    pub lang: String,
    pub state: String,
    pub rows_done: i64,
    pub rows_total: i64,
    pub part_rows: i64,
    pub parts: i64,
    pub attempts: i64,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<Millis>,
    pub error: String,
    pub created_at: Millis,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
}

/// An export to queue.
pub struct NewExport<'a> {
    pub owner_user_id: &'a str,
    pub subject: &'a str,
    pub params: &'a str,
    pub format: &'a str,
    pub lang: &'a str,
    pub part_rows: i64,
}

pub async fn insert(tx: &mut Tx, new: &NewExport<'_>, now: Millis) -> DbResult<String> {
    let id = new_id();
    exec!(
        tx,
        "INSERT INTO exports (id, owner_user_id, subject, params, format, lang, state, part_rows, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8)",
        &id,
        new.owner_user_id,
        new.subject,
        new.params,
        new.format,
        new.lang,
        new.part_rows,
        now
    )?;
    Ok(id)
}

pub async fn get(tx: &mut Tx, id: &str) -> DbResult<Option<Export>> {
    row!(tx, Export, "SELECT * FROM exports WHERE id = $1", id)
}

/// A person's exports, the newest first (at most `limit`).
pub async fn list_for_owner(tx: &mut Tx, owner_user_id: &str, limit: i64) -> DbResult<Vec<Export>> {
    rows!(
        tx,
        Export,
        "SELECT * FROM exports WHERE owner_user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        owner_user_id,
        limit
    )
}

/// Claims the oldest job that is queued, or running under a lease that has run out
/// (its runner died): it becomes `running`, held by `worker` until `until`, with its
/// progress and parts back at zero (it starts again from the first row). `None`
/// when no job waits. Two runners never claim the same job: the update is
/// conditional on the state and lease read.
pub async fn claim_next(tx: &mut Tx, worker: &str, now: Millis, until: Millis) -> DbResult<Option<Export>> {
    loop {
        let candidate = row!(
            tx,
            Export,
            "SELECT * FROM exports
             WHERE state = 'queued' OR (state = 'running' AND claimed_until < $1)
             ORDER BY created_at, id LIMIT 1",
            now
        )?;
        let Some(job) = candidate else { return Ok(None) };
        let claimed = exec!(
            tx,
            "UPDATE exports SET state = 'running', claimed_by = $2, claimed_until = $3, rows_done = 0, parts = 0,
                 attempts = attempts + 1, started_at = $4, error = ''
             WHERE id = $1 AND state = $5 AND COALESCE(claimed_until, 0) = $6",
            &job.id,
            worker,
            until,
            now,
            &job.state,
            job.claimed_until.unwrap_or(0)
        )?;
        if claimed == 1 {
            return get(tx, &job.id).await;
        }
    }
}

/// Records the count of rows the run will write (read when it starts).
pub async fn set_total(tx: &mut Tx, id: &str, worker: &str, rows_total: i64) -> DbResult<bool> {
    let n = exec!(
        tx,
        "UPDATE exports SET rows_total = $3 WHERE id = $1 AND claimed_by = $2 AND state = 'running'",
        id,
        worker,
        rows_total
    )?;
    Ok(n == 1)
}

/// Records progress after a page and renews the lease; false when this worker no
/// longer holds the job (its lease ran out and another runner took it).
pub async fn progress(
    tx: &mut Tx,
    id: &str,
    worker: &str,
    rows_done: i64,
    parts: i64,
    until: Millis,
) -> DbResult<bool> {
    let n = exec!(
        tx,
        "UPDATE exports SET rows_done = $3, parts = $4, claimed_until = $5
         WHERE id = $1 AND claimed_by = $2 AND state = 'running'",
        id,
        worker,
        rows_done,
        parts,
        until
    )?;
    Ok(n == 1)
}

/// The job is complete: every row is in its `parts` files.
pub async fn finish(tx: &mut Tx, id: &str, worker: &str, rows_done: i64, parts: i64, now: Millis) -> DbResult<bool> {
    let n = exec!(
        tx,
        "UPDATE exports SET state = 'done', rows_done = $3, parts = $4, finished_at = $5, claimed_by = NULL,
             claimed_until = NULL
         WHERE id = $1 AND claimed_by = $2 AND state = 'running'",
        id,
        worker,
        rows_done,
        parts,
        now
    )?;
    Ok(n == 1)
}

/// The job cannot be completed (its owner may no longer see the list, or a file
/// could not be written); `error` says why, for the owner.
pub async fn fail(tx: &mut Tx, id: &str, worker: &str, error: &str, now: Millis) -> DbResult<bool> {
    let n = exec!(
        tx,
        "UPDATE exports SET state = 'failed', error = $3, finished_at = $4, claimed_by = NULL, claimed_until = NULL
         WHERE id = $1 AND claimed_by = $2 AND state = 'running'",
        id,
        worker,
        error,
        now
    )?;
    Ok(n == 1)
}

/// Finished exports (done or failed) that finished before `before`, the oldest first.
pub async fn finished_before(tx: &mut Tx, before: Millis, limit: i64) -> DbResult<Vec<String>> {
    let ids = rows!(
        tx,
        (String,),
        "SELECT id FROM exports WHERE state IN ('done', 'failed') AND finished_at < $1 ORDER BY finished_at, id
         LIMIT $2",
        before,
        limit
    )?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// The export's files were deleted: the job stays, as the record that it was made.
pub async fn expire(tx: &mut Tx, id: &str) -> DbResult<bool> {
    let n = exec!(tx, "UPDATE exports SET state = 'expired' WHERE id = $1 AND state IN ('done', 'failed')", id)?;
    Ok(n == 1)
}
