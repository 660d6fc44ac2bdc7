//! QR codes of representatives and units, and their daily scan counts.

use super::{DbResult, Tx};
use crate::clock::Millis;

/// The code of `kind`/`target_id`, if one was made.
pub async fn code_of(tx: &mut Tx, kind: &str, target_id: &str) -> DbResult<Option<String>> {
    row!(tx, (String,), "SELECT code FROM codes WHERE kind = $1 AND target_id = $2", kind, target_id)
        .map(|r| r.map(|(code,)| code))
}

/// Makes `code` the code of the target, unless it already has one (then nothing changes).
pub async fn insert(tx: &mut Tx, code: &str, kind: &str, target_id: &str, now: Millis) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO codes (code, kind, target_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, target_id) DO NOTHING",
        code,
        kind,
        target_id,
        now
    )?;
    Ok(())
}

/// What a code points at: (kind, target id).
pub async fn target(tx: &mut Tx, code: &str) -> DbResult<Option<(String, String)>> {
    row!(tx, (String, String), "SELECT kind, target_id FROM codes WHERE code = $1", code)
}

/// Counts one scan of `code` on `day` (YYYY-MM-DD, China Standard Time).
pub async fn count_scan(tx: &mut Tx, code: &str, day: &str) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO code_scans (code, day, scans) VALUES ($1, $2, 1)
         ON CONFLICT (code, day) DO UPDATE SET scans = code_scans.scans + 1",
        code,
        day
    )?;
    Ok(())
}

/// Scans of `code` per day, oldest first.
pub async fn scans(tx: &mut Tx, code: &str) -> DbResult<Vec<(String, i64)>> {
    rows!(tx, (String, i64), "SELECT day, scans FROM code_scans WHERE code = $1 ORDER BY day", code)
}
