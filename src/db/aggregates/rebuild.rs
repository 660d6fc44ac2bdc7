//! How far a rebuild of the counters has got (`agg_rebuild`, one row at most): written
//! with each part of the spare counters it adds, so a rebuild that stopped goes on from
//! the chunk it was writing, past the rows of it already written.

use super::super::{DbResult, Tx};

/// Where a rebuild stands: it counts the history up to event `mark`; of the chunk of
/// cases with ids from `chunk_first` to `chunk_last`, the first `rows_done` summed rows
/// are written; the chunks before it counted `cases_before` cases and `events_before`
/// events. (A note of a rebuild before 2026-12-02, which read by region and named region
/// paths here, names no case: the next rebuild starts afresh.)
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RebuildProgress {
    pub mark: i64,
    pub chunk_first: String,
    pub chunk_last: String,
    pub rows_done: i64,
    pub cases_before: i64,
    pub events_before: i64,
}

/// The progress a stopped rebuild left, if one did.
pub async fn rebuild_progress(tx: &mut Tx) -> DbResult<Option<RebuildProgress>> {
    row!(
        tx,
        RebuildProgress,
        "SELECT mark, chunk_first, chunk_last, rows_done, cases_before, events_before FROM agg_rebuild WHERE id = 1"
    )
}

/// Notes `progress`, in the transaction that writes the rows it counts.
pub async fn save_rebuild_progress(tx: &mut Tx, progress: &RebuildProgress) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO agg_rebuild (id, mark, chunk_first, chunk_last, rows_done, cases_before, events_before)
         VALUES (1, $1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET mark = excluded.mark, chunk_first = excluded.chunk_first,
             chunk_last = excluded.chunk_last, rows_done = excluded.rows_done,
             cases_before = excluded.cases_before, events_before = excluded.events_before",
        progress.mark,
        progress.chunk_first.as_str(),
        progress.chunk_last.as_str(),
        progress.rows_done,
        progress.cases_before,
        progress.events_before
    )?;
    Ok(())
}

/// Forgets a rebuild's progress (its spare counters are emptied, or swapped in).
pub(super) async fn forget_rebuild(tx: &mut Tx) -> DbResult<()> {
    exec!(tx, "DELETE FROM agg_rebuild")?;
    Ok(())
}
