//! What Open311 reads that no other part does: case events in a time window,
//! for the `servicerequestupdates` extension.

use super::{DbResult, Tx};
use crate::clock::Millis;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UpdateRow {
    pub id: String,
    pub case_id: String,
    pub at: Millis,
    pub kind: String,
    pub note: String,
}

/// Events of cases under `region_prefix` (a LIKE pattern) between `start` and `end`,
/// oldest first, at most `limit`.
pub async fn updates(
    tx: &mut Tx,
    region_prefix: &str,
    start: Millis,
    end: Millis,
    limit: i64,
) -> DbResult<Vec<UpdateRow>> {
    rows!(
        tx,
        UpdateRow,
        "SELECT e.id, e.case_id, e.at, e.kind, e.note FROM case_events e JOIN cases c ON c.id = e.case_id
         WHERE c.region_path LIKE $1 AND e.at >= $2 AND e.at <= $3 ORDER BY e.at, e.seq LIMIT $4",
        region_prefix,
        start,
        end,
        limit
    )
}
