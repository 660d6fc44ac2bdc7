//! Accepted citizen submissions per key (hashed address or mobile number), for rate limits.

use super::{DbResult, Tx};
use crate::clock::Millis;

/// How many submissions `key_hash` made after `since`.
pub async fn count_since(tx: &mut Tx, key_hash: &str, since: Millis) -> DbResult<i64> {
    scalar!(tx, i64, "SELECT COUNT(*) FROM intake_hits WHERE key_hash = $1 AND at > $2", key_hash, since)
}

/// Records one submission of `key_hash` at `at`.
pub async fn record(tx: &mut Tx, key_hash: &str, at: Millis) -> DbResult<()> {
    exec!(tx, "INSERT INTO intake_hits (key_hash, at) VALUES ($1, $2)", key_hash, at)?;
    Ok(())
}

/// Forgets submissions older than `before` (they count toward no limit any more).
pub async fn forget_before(tx: &mut Tx, before: Millis) -> DbResult<()> {
    exec!(tx, "DELETE FROM intake_hits WHERE at < $1", before)?;
    Ok(())
}
