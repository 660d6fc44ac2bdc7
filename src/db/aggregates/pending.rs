//! The submissions whose counters are still to be added (`agg_pending`): the intake
//! writes one small row a case, in order, where adding its counters would touch some
//! eighty rows all over the counter tables; a fold adds thousands at once, so a row of a
//! region or a day is written once a fold rather than once a batch of cases.

use super::super::{DbResult, Tx};

/// A submission still to be counted: its event's number in the history, its case, and
/// its hot words as the intake segmented them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub seq: i64,
    pub case_id: String,
    pub words: Vec<String>,
}

/// Notes `pending`, whose counters a fold will add.
pub async fn defer(tx: &mut Tx, pending: &[Pending]) -> DbResult<()> {
    let rows: Vec<(i64, &str, String)> =
        pending.iter().map(|p| (p.seq, p.case_id.as_str(), serde_json::json!(p.words).to_string())).collect();
    bulk_insert!(tx, "INSERT INTO agg_pending (seq, case_id, words) ", 3, rows, |b, row| {
        let (seq, case_id, words) = row;
        b.push_bind(*seq).push_bind(*case_id).push_bind(words.as_str());
    });
    Ok(())
}

/// The first `limit` submissions still to be counted, in order.
pub async fn first_pending(tx: &mut Tx, limit: i64) -> DbResult<Vec<Pending>> {
    let rows =
        rows!(tx, (i64, String, String), "SELECT seq, case_id, words FROM agg_pending ORDER BY seq LIMIT $1", limit)?;
    let mut pending = Vec::with_capacity(rows.len());
    for (seq, case_id, words) in rows {
        let words = serde_json::from_str(&words)
            .map_err(|e| sqlx::Error::Decode(format!("bad stored hot words of case {case_id}: {e}").into()))?;
        pending.push(Pending { seq, case_id, words });
    }
    Ok(pending)
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
