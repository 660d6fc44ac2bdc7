//! How many open cases are next due on each day (`open_due`), under every region path
//! above the case and its own (and `/`). [`super::cases::update`] moves a case from what
//! it counted before to what it counts after, in the transaction that changes it. A new
//! case is added by the cockpit's fold (`actions::cockpit::fold_pending`), from the
//! region path and due date the intake noted in `agg_pending`, as its other counters are
//! (synth adds its cases at once, [`added`]). So the cockpit's overdue total of any region
//! is one range of one region path's rows, however many open cases lie below it, once the
//! cases waiting are folded; until then a row may even be below zero, when a case is moved
//! before its fold added it. The rule is `domain::case::Case::next_due`: open, and due to
//! be acknowledged, or once acknowledged to be answered.
//!
//! It is derived from the cases alone: the counter plus the cases waiting for a fold equal
//! the open cases, and [`refill`] makes it so again from them (at start when it is empty
//! while open cases exist, and in the cockpit's rebuild).

use std::collections::BTreeMap;

use super::aggregates::ancestors;
use super::{DbResult, Tx};
use crate::domain::case::Case;

/// One case's place in the counter, if it counts: its region path and next due date.
pub fn filed(case: &Case) -> Option<(&str, chrono::NaiveDate)> {
    case.next_due().map(|due| (case.region_path.as_str(), due))
}

/// Adds the open ones of new `cases`.
pub async fn added(tx: &mut Tx, cases: impl Iterator<Item = &Case>) -> DbResult<()> {
    let open: Vec<_> = cases.filter_map(filed).map(|(p, d)| (p, d, 1)).collect();
    moved(tx, &open).await
}

/// Adds `change` (+1 or -1 for one case; how many cases, when [`refill`] counts them)
/// under every region path above each `(path, due)`,
/// summed first and written in key order in one multi-row upsert, so two writers never
/// take rows in opposite orders.
pub async fn moved<P: AsRef<str>>(tx: &mut Tx, changes: &[(P, chrono::NaiveDate, i64)]) -> DbResult<()> {
    let mut rows: BTreeMap<(&str, String), i64> = BTreeMap::new();
    for (path, due, change) in changes {
        let due = super::cases::date_text(*due);
        for (above, _) in ancestors(path.as_ref()) {
            *rows.entry((above, due.clone())).or_default() += change;
        }
    }
    let rows: Vec<_> = rows.into_iter().filter(|(_, n)| *n != 0).collect();
    bulk_insert!(
        tx,
        "INSERT INTO open_due (region_path, due, cases) ",
        " ON CONFLICT (region_path, due) DO UPDATE SET cases = open_due.cases + excluded.cases",
        3,
        rows,
        |b, row| {
            let ((path, due), n) = row;
            b.push_bind(*path).push_bind(due.as_str()).push_bind(*n);
        }
    );
    Ok(())
}

/// The open cases under `prefix` (a region path, or `/`) next due from `from` to `to`
/// (`YYYY-MM-DD`, both included).
pub async fn count(tx: &mut Tx, prefix: &str, from: &str, to: &str) -> DbResult<i64> {
    scalar!(
        tx,
        i64,
        "SELECT CAST(COALESCE(SUM(cases), 0) AS BIGINT) FROM open_due WHERE region_path = $1 AND due >= $2 AND due <= $3",
        prefix,
        from,
        to
    )
}

/// Whether open cases exist but the counter holds nothing (a database just migrated).
pub async fn need_filling(tx: &mut Tx) -> DbResult<bool> {
    let n = scalar!(
        tx,
        i64,
        "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM cases WHERE state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded'))
             AND NOT EXISTS (SELECT 1 FROM open_due) THEN 1 ELSE 0 END AS BIGINT)"
    )?;
    Ok(n == 1)
}

/// Counts the open cases again from the cases themselves (by the `cases_region_due`
/// index), less the new cases a fold is still to add (`agg_pending`, none after a
/// rebuild took them); returns how many open cases it counted.
pub async fn refill(tx: &mut Tx) -> DbResult<u64> {
    exec!(tx, "DELETE FROM open_due")?;
    let rows = rows!(
        tx,
        (String, String, i64),
        "SELECT region_path, (CASE WHEN acknowledged_at IS NULL THEN ack_due ELSE COALESCE(answer_due, ack_due) END) AS due,
             CAST(COUNT(*) AS BIGINT) AS n
         FROM cases WHERE state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded')
         GROUP BY region_path, (CASE WHEN acknowledged_at IS NULL THEN ack_due ELSE COALESCE(answer_due, ack_due) END)"
    )?;
    let mut changes = Vec::with_capacity(rows.len());
    let mut cases = 0;
    for (path, due, n) in &rows {
        let due = super::cases::date(due)?;
        changes.push((path.as_str(), due, *n));
        cases += *n as u64;
    }
    let waiting = super::aggregates::pending_open(tx).await?;
    for (path, due, n) in &waiting {
        changes.push((path.as_str(), *due, -n));
    }
    moved(tx, &changes).await?;
    Ok(cases)
}
