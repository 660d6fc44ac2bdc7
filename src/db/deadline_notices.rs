//! Which deadline notices the sweep has sent (`jobs::deadlines`), by occasion; one that
//! found no recipient counts as sent.

use super::{DbResult, Tx};
use crate::clock::Millis;

/// Whether the notice of `occasion` was sent.
pub async fn sent(tx: &mut Tx, occasion: &str) -> DbResult<bool> {
    let found = scalar!(tx, i64, "SELECT COUNT(*) FROM deadline_notices WHERE occasion = $1", occasion)?;
    Ok(found > 0)
}

/// Records the notice of `occasion` as sent; false when it was already (another sweep
/// got there first: on PostgreSQL this waits for that sweep's transaction to end).
pub async fn mark_sent(tx: &mut Tx, occasion: &str, now: Millis) -> DbResult<bool> {
    let written = exec!(
        tx,
        "INSERT INTO deadline_notices (occasion, sent_at) VALUES ($1, $2) ON CONFLICT (occasion) DO NOTHING",
        occasion,
        now
    )?;
    Ok(written > 0)
}
