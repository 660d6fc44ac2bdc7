//! Calendar years an administrator added or corrected.

use super::{DbResult, Tx};
use crate::clock::Millis;

pub async fn list(tx: &mut Tx) -> DbResult<Vec<(i64, String)>> {
    rows!(tx, (i64, String), "SELECT year, source_text FROM calendar_years ORDER BY year")
}

pub async fn save(tx: &mut Tx, year: i64, source_text: &str, now: Millis, updated_by: &str) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO calendar_years (year, source_text, updated_at, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (year) DO UPDATE SET source_text = excluded.source_text, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by",
        year,
        source_text,
        now,
        updated_by
    )?;
    Ok(())
}
