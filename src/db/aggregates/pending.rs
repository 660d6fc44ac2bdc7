//! The submissions whose counters are still to be added (`agg_pending`): the intake
//! writes one small row a case, in order, where adding its counters would touch some
//! eighty rows all over the counter tables; a fold adds thousands at once, so a row of a
//! region or a day is written once a fold rather than once a batch of cases. The same
//! holds for the open cases by due day (`db::open_due`), five rows a case: the row notes the
//! case's region path and due date for the fold to add.

use chrono::NaiveDate;

use super::super::cases::{date, date_text};
use super::super::{DbResult, Tx};

/// A submission still to be counted: its event's number in the history, its case, its
/// hot words as the intake segmented them, and the region path and due date under which
/// it is an open case (`db::open_due::filed`; `None` when the case is not open, or when the
/// intake that noted it counted it in `open_due` itself, before 2026-12-01).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub seq: i64,
    pub case_id: String,
    pub words: Vec<String>,
    pub open: Option<(String, NaiveDate)>,
}

/// Notes `pending`, whose counters a fold will add.
pub async fn defer(tx: &mut Tx, pending: &[Pending]) -> DbResult<()> {
    bulk_insert!(tx, "INSERT INTO agg_pending (seq, case_id, words, open_path, open_due) ", 5, pending, |b, p| {
        let (path, due) = p.open.as_ref().map(|(path, due)| (path.as_str(), date_text(*due))).unzip();
        b.push_bind(p.seq)
            .push_bind(p.case_id.as_str())
            .push_bind(serde_json::json!(p.words).to_string())
            .push_bind(path)
            .push_bind(due);
    });
    Ok(())
}

/// The first `limit` submissions still to be counted, in order.
pub async fn first_pending(tx: &mut Tx, limit: i64) -> DbResult<Vec<Pending>> {
    let rows = rows!(
        tx,
        PendingRow,
        "SELECT seq, case_id, words, open_path, open_due FROM agg_pending ORDER BY seq LIMIT $1",
        limit
    )?;
    pending_of(rows)
}

/// The submissions still to be counted numbered up to `last_seq`, in order (a carried
/// fold's, `carried::Carried`).
pub async fn pending_through(tx: &mut Tx, last_seq: i64) -> DbResult<Vec<Pending>> {
    let rows = rows!(
        tx,
        PendingRow,
        "SELECT seq, case_id, words, open_path, open_due FROM agg_pending WHERE seq <= $1 ORDER BY seq",
        last_seq
    )?;
    pending_of(rows)
}

/// A row of `agg_pending` as read: seq, case id, hot words (JSON), open path and due date.
type PendingRow = (i64, String, String, Option<String>, Option<String>);

fn pending_of(rows: Vec<PendingRow>) -> DbResult<Vec<Pending>> {
    let mut pending = Vec::with_capacity(rows.len());
    for (seq, case_id, words, path, due) in rows {
        let words = serde_json::from_str(&words)
            .map_err(|e| sqlx::Error::Decode(format!("bad stored hot words of case {case_id}: {e}").into()))?;
        let open = match (path, due) {
            (Some(path), Some(due)) => Some((path, date(&due)?)),
            _ => None,
        };
        pending.push(Pending { seq, case_id, words, open });
    }
    Ok(pending)
}

/// How many of the submissions still to be counted are open cases under each region path
/// and due date: what the fold will add to `open_due`.
pub async fn pending_open(tx: &mut Tx) -> DbResult<Vec<(String, NaiveDate, i64)>> {
    let rows = rows!(
        tx,
        (String, String, i64),
        "SELECT open_path, open_due, CAST(COUNT(*) AS BIGINT) FROM agg_pending WHERE open_path IS NOT NULL
         GROUP BY open_path, open_due"
    )?;
    rows.into_iter().map(|(path, due, n)| Ok((path, date(&due)?, n))).collect()
}

/// Takes the submissions numbered `seqs` that are still to be counted, and returns their
/// numbers: they are deleted in this transaction, which must add their counters before it
/// commits. Two folds at once never take the same row: on PostgreSQL the second waits for
/// the first's delete and then finds the row gone.
pub async fn take_pending(tx: &mut Tx, seqs: &[i64]) -> DbResult<Vec<i64>> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let rows = rows!(
        tx,
        (i64,),
        sqlite: "DELETE FROM agg_pending WHERE seq IN (SELECT value FROM json_each($1)) RETURNING seq",
        postgres: "DELETE FROM agg_pending WHERE seq IN (SELECT CAST(jsonb_array_elements_text($1::jsonb) AS BIGINT))
             RETURNING seq",
        super::super::id_list(seqs)
    )?;
    Ok(rows.into_iter().map(|(seq,)| seq).collect())
}

/// Forgets every submission still to be counted (a rebuild that counted them from the
/// history, in the transaction that swaps its counters in); returns how many.
pub async fn clear_pending(tx: &mut Tx) -> DbResult<u64> {
    exec!(tx, "DELETE FROM agg_pending")
}
