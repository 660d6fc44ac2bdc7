//! Cases and events read by the list, in one statement each (the cockpit's fold of the
//! submissions still to be counted, `actions::cockpit::fold_pending`).

use super::super::{DbResult, Tx, id_list};
use super::{CaseRow, EventRow};
use crate::domain::case::{Case, CaseEvent};

/// The cases of `ids` that exist, in no particular order.
pub async fn get_many(tx: &mut Tx, ids: &[&str]) -> DbResult<Vec<Case>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = rows!(
        tx,
        CaseRow,
        sqlite: "SELECT * FROM cases WHERE id IN (SELECT value FROM json_each($1))",
        postgres: "SELECT * FROM cases WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))",
        id_list(ids)
    )?;
    rows.into_iter().map(CaseRow::into_case).collect()
}

/// The events numbered `seqs` that exist, in order.
pub async fn events_by_seq(tx: &mut Tx, seqs: &[i64]) -> DbResult<Vec<CaseEvent>> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let rows = rows!(
        tx,
        EventRow,
        sqlite: "SELECT * FROM case_events WHERE seq IN (SELECT value FROM json_each($1)) ORDER BY seq",
        postgres: "SELECT * FROM case_events WHERE seq IN (SELECT CAST(jsonb_array_elements_text($1::jsonb) AS BIGINT))
             ORDER BY seq",
        id_list(seqs)
    )?;
    Ok(rows.into_iter().map(CaseEvent::from).collect())
}
