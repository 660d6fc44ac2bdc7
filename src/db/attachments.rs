//! The metadata of photos and voice messages attached to cases (the files are
//! in the data folder, see `actions::attachments`).

use super::{DbResult, Tx};
use crate::clock::Millis;
use crate::domain::attachment::Attachment;

pub async fn insert(tx: &mut Tx, a: &Attachment, now: Millis) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO attachments (id, case_id, kind, media_type, bytes, width, height, position, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &a.id,
        &a.case_id,
        &a.kind,
        &a.media_type,
        a.bytes,
        a.width,
        a.height,
        a.position,
        now
    )?;
    Ok(())
}

/// Stores the attachments written for a new case as that case's.
pub async fn insert_for_case(tx: &mut Tx, case_id: &str, attachments: &[Attachment], now: Millis) -> DbResult<()> {
    for attachment in attachments {
        insert(tx, &Attachment { case_id: case_id.to_string(), ..attachment.clone() }, now).await?;
    }
    Ok(())
}

/// An attachment's columns in the order `of_case` selects them (and `cases::whole` lists them).
pub(super) type Row = (String, String, String, String, i64, i64, i64, i64);

pub(super) fn from_row((id, case_id, kind, media_type, bytes, width, height, position): Row) -> Attachment {
    Attachment { id, case_id, kind, media_type, bytes, width, height, position }
}

/// The attachments of a case, in the order they were sent.
pub async fn of_case(tx: &mut Tx, case_id: &str) -> DbResult<Vec<Attachment>> {
    let rows = rows!(
        tx,
        Row,
        "SELECT id, case_id, kind, media_type, bytes, width, height, position FROM attachments
         WHERE case_id = $1 ORDER BY position",
        case_id
    )?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// How many cases and attachments are stored (for checks that nothing was half stored).
pub async fn totals(tx: &mut Tx) -> DbResult<(i64, i64)> {
    row!(tx, (i64, i64), "SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM attachments)")
        .map(|r| r.unwrap_or((0, 0)))
}
