//! The check of the hash-chained history (`minyi audit verify`).

use crate::app::App;
use crate::db;
use crate::error::Result;

/// What `minyi audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainReport {
    Sound { events: i64 },
    Broken { seq: i64, reason: String },
}

/// Checks the whole history: numbers without gaps, each event's hash, each link to
/// the one before, the head, and that no case lost all of its events.
pub async fn verify_chain(app: &App) -> Result<ChainReport> {
    let mut tx = app.db().read().await?;
    let (head_seq, head_hash) = db::cases::chain_head(&mut tx).await?;
    let (mut last_seq, mut last_hash) = (0i64, "genesis".to_string());
    loop {
        let batch = db::cases::events_after(&mut tx, last_seq, 1000).await?;
        if batch.is_empty() {
            break;
        }
        for event in batch {
            let broken = |reason: &str| Ok(ChainReport::Broken { seq: event.seq, reason: reason.to_string() });
            if event.seq != last_seq + 1 {
                return Ok(ChainReport::Broken { seq: last_seq + 1, reason: "missing event".into() });
            }
            if event.prev_hash != last_hash {
                return broken("does not link to the event before it");
            }
            if db::cases::event_hash(&event) != event.hash {
                return broken("its content was changed");
            }
            last_seq = event.seq;
            last_hash = event.hash;
        }
    }
    if last_seq != head_seq || last_hash != head_hash {
        return Ok(ChainReport::Broken { seq: last_seq + 1, reason: "events after it were removed".into() });
    }
    if let Some(case_id) = db::cases::case_ids_without_events(&mut tx).await?.first() {
        return Ok(ChainReport::Broken { seq: 0, reason: format!("case {case_id} has no history") });
    }
    Ok(ChainReport::Sound { events: last_seq })
}
