//! A fold carried by the intake's batches (`agg_fold`; SQLite, where one connection writes):
//! the counters of the submissions waiting up to a number, summed once in memory
//! ([`Carried`]), are added a slice of rows at a time inside the intake's own transactions
//! ([`carry`]), so no transaction holds the writer for the whole fold. Each slice notes how
//! many rows are added in `agg_fold`, in its transaction, so after a stop the same
//! submissions are summed again (they stay in `agg_pending` until the last slice) and the
//! rows already added are skipped.

use chrono::NaiveDate;

use super::super::{DbResult, Tx};
use super::{Additions, apply};

/// A fold in progress: the counters of the `cases` submissions waiting up to `last_seq`,
/// less the `rows_done` rows already added, and the open cases by due day among them.
#[derive(Debug)]
pub struct Carried {
    pub last_seq: i64,
    pub cases: i64,
    pub rows_done: i64,
    /// Whether `agg_fold` notes this fold (a slice was added, or it was read from there).
    pub noted: bool,
    pub rest: Additions,
    pub open: Vec<(String, NaiveDate, i64)>,
}

/// What [`carry`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carry {
    /// Added a slice; rows are left.
    Added,
    /// Added the last rows, the open cases, and deleted the submissions and the note.
    Finished,
    /// Added nothing: the fold is not the one the database notes (a rebuild took its
    /// submissions, or another fold went on with it). Forget it.
    Stale,
}

/// The fold `agg_fold` notes, if any: its last submission, its number of cases and the
/// rows added.
pub async fn noted_fold(tx: &mut Tx) -> DbResult<Option<(i64, i64, i64)>> {
    row!(tx, (i64, i64, i64), "SELECT last_seq, cases, rows_done FROM agg_fold WHERE id = 1")
}

/// Adds the next `rows` rows of `fold` (all that are left if fewer) in `tx`, noting them
/// in `agg_fold`; with the last ones, also its open cases, and deletes its submissions and
/// the note. `fold` is moved on in memory: if `tx` does not commit, forget it.
pub async fn carry(tx: &mut Tx, fold: &mut Carried, rows: usize) -> DbResult<Carry> {
    let part = fold.rest.take_slice(rows);
    let done = fold.rows_done + part.slice_len() as i64;
    let noted = if fold.noted {
        exec!(
            tx,
            "UPDATE agg_fold SET rows_done = $3 WHERE id = 1 AND last_seq = $1 AND rows_done = $2",
            fold.last_seq,
            fold.rows_done,
            done
        )?
    } else {
        // The first slice: its submissions must all still wait (a rebuild takes them).
        let waiting = scalar!(tx, i64, "SELECT COUNT(*) FROM agg_pending WHERE seq <= $1", fold.last_seq)?;
        if waiting != fold.cases {
            return Ok(Carry::Stale);
        }
        exec!(
            tx,
            "INSERT INTO agg_fold (id, last_seq, cases, rows_done) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
            fold.last_seq,
            fold.cases,
            done
        )?
    };
    if noted != 1 {
        return Ok(Carry::Stale);
    }
    fold.noted = true;
    fold.rows_done = done;
    apply(tx, &part).await?;
    if fold.rest.slice_len() > 0 {
        return Ok(Carry::Added);
    }
    super::super::open_due::moved(tx, &fold.open).await?;
    exec!(tx, "DELETE FROM agg_pending WHERE seq <= $1", fold.last_seq)?;
    exec!(tx, "DELETE FROM agg_fold WHERE id = 1")?;
    Ok(Carry::Finished)
}

/// Forgets the fold in progress (a rebuild, which counts its submissions from the history).
pub async fn clear_fold(tx: &mut Tx) -> DbResult<u64> {
    exec!(tx, "DELETE FROM agg_fold")
}
