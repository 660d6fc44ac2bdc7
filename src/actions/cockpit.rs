//! The cockpit (联络总站驾驶舱): counters kept as events happen, their rebuild from
//! the history, and the views over them.
//!
//! `record_event` runs inside the transaction that appends a case event and adds the
//! difference the event makes to the case's counters (`domain::tally`). The cockpit
//! never scans the cases table for its figures; it sums `agg_*` rows over a region
//! subtree and a range of cohort days.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::Value;

use crate::db::aggregates::{self, Additions, CaseKey};
use crate::db::{self, Db, Tx};
use crate::domain::calendar::cst_date;
use crate::domain::case::{Case, CaseEvent, CaseState, Grade};
use crate::domain::tally::{AssignmentFact, HistoryEvent, tally};
use crate::domain::words::hot_words;
use crate::error::Result;

mod view;
pub use view::*;

/// Reads what the fold needs from a stored event.
pub fn history_event(event: &CaseEvent) -> HistoryEvent {
    let data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
    let text = |key: &str| data.get(key).and_then(Value::as_str);
    let date = |key: &str| text(key).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let forwarded = data
        .get("assignments")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    let dept = a.get("department_id")?.as_str()?.to_string();
                    let due = NaiveDate::parse_from_str(a.get("due")?.as_str()?, "%Y-%m-%d").ok()?;
                    Some((dept, due))
                })
                .collect()
        })
        .unwrap_or_default();
    HistoryEvent {
        kind: event.kind.clone(),
        at: event.at,
        assignment_id: event.assignment_id.clone(),
        state_after: text("state").and_then(CaseState::parse),
        grade: text("grade").and_then(|g| Grade::parse("grade", g).ok()),
        forwarded,
        new_due: date("new_due"),
        ack_due: date("ack_due"),
        answer_due: date("answer_due"),
    }
}

fn key_of(
    created_at: i64,
    region_path: &str,
    channel: &str,
    category: &str,
    unit: Option<&str>,
    rep: Option<&str>,
) -> CaseKey {
    CaseKey {
        day: cst_date(created_at),
        region_path: region_path.to_string(),
        channel: channel.to_string(),
        category: category.to_string(),
        unit_id: unit.unwrap_or_default().to_string(),
        representative_id: rep.unwrap_or_default().to_string(),
    }
}

/// Adds what `event` (just appended to `case`'s history, in this transaction)
/// changes in the cockpit's counters. A submission needs no reads: it is the
/// first event.
pub async fn record_event(tx: &mut Tx, case: &Case, event: &CaseEvent) -> Result<()> {
    let key = key_of(
        case.created_at,
        &case.region_path,
        case.channel.as_str(),
        &case.category,
        case.unit_id.as_deref(),
        case.representative_id.as_deref(),
    );
    let mut additions = Additions::default();
    let delta = if event.kind == "submit" {
        additions.words(&key, &hot_words(&case_text(&case.title, &case.body)));
        tally(&[history_event(event)], &[])
    } else {
        let events: Vec<HistoryEvent> = db::cases::events(tx, &case.id).await?.iter().map(history_event).collect();
        let facts = aggregates::assignment_facts(tx, &case.id).await?;
        // The event just appended is the case's last.
        let after = tally(&events, &facts);
        let before = tally(&events[..events.len().saturating_sub(1)], &facts);
        after.minus(&before)
    };
    additions.case(&key, &delta);
    Ok(aggregates::apply(tx, &additions).await?)
}

/// The text a case's hot words come from.
fn case_text(title: &str, body: &str) -> String {
    format!("{title}\n{body}")
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rebuilt {
    pub cases: u64,
    pub events: u64,
}

const REBUILD_BATCH: i64 = 2000;
/// A rebuild reports its progress after about this many cases.
pub const REBUILD_CHUNK: i64 = 5000;

/// How many cases a rebuild will count (for its progress bar).
pub async fn cases_to_rebuild(db: &Db) -> Result<u64> {
    let mut tx = db.read().await?;
    let paths = aggregates::case_paths(&mut tx).await?;
    Ok(paths.iter().map(|(_, n)| *n as u64).sum())
}

/// Rebuilds the cockpit's counters from the history (`case_events`): empties them and
/// files every case again, region path by region path, in one write transaction, so
/// nobody ever sees half the counters and no event of the same moment is missed or
/// counted twice (a region's counters sum cases from many paths, so they cannot be
/// refiled a path at a time). New cases wait for it; it is a repair, run when the
/// counters are in doubt or new ones were added. `progress` is told the number of cases
/// done about every `REBUILD_CHUNK` cases.
pub async fn rebuild_aggregates(db: &Db, progress: impl FnMut(u64)) -> Result<Rebuilt> {
    rebuild_aggregates_in_chunks(db, REBUILD_CHUNK, progress).await
}

/// Fills the counters from the history when cases exist but no counter does (after a
/// migration that changed how they are kept); does nothing otherwise.
pub async fn fill_if_empty(db: &Db) -> Result<Option<Rebuilt>> {
    let need = {
        let mut tx = db.read().await?;
        aggregates::need_filling(&mut tx).await?
    };
    if !need {
        return Ok(None);
    }
    tracing::info!("the cockpit's counters are empty: counting every case again from its history");
    let rebuilt = rebuild_aggregates(db, |done| tracing::info!(done, "cases counted")).await?;
    tracing::info!(cases = rebuilt.cases, events = rebuilt.events, "the cockpit's counters are filled");
    Ok(Some(rebuilt))
}

/// [`rebuild_aggregates`] reporting progress after about `chunk_cases` cases.
pub async fn rebuild_aggregates_in_chunks(db: &Db, chunk_cases: i64, mut progress: impl FnMut(u64)) -> Result<Rebuilt> {
    let mut tx = db.write().await?;
    aggregates::lock_for_rebuild(&mut tx).await?;
    let paths = aggregates::case_paths(&mut tx).await?;
    aggregates::clear(&mut tx).await?;
    let mut done = Rebuilt::default();
    let mut reported = 0;
    for (path, _) in &paths {
        rebuild_path(&mut tx, path, &mut done).await?;
        if done.cases - reported >= chunk_cases as u64 {
            progress(done.cases);
            reported = done.cases;
        }
    }
    tx.commit().await?;
    if reported < done.cases || done.cases == 0 {
        progress(done.cases);
    }
    Ok(done)
}

/// Files every case of region path `path` again (its counters are empty).
async fn rebuild_path(tx: &mut Tx, path: &str, done: &mut Rebuilt) -> Result<()> {
    let mut after = String::new();
    loop {
        let batch = aggregates::cases_in_path_after(tx, path, &after, REBUILD_BATCH).await?;
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else { return Ok(()) };
        let (first, last) = (first.id.clone(), last.id.clone());
        let mut events: HashMap<String, Vec<HistoryEvent>> = HashMap::new();
        for event in db::cases::events_in_path_between(tx, path, &first, &last).await? {
            done.events += 1;
            events.entry(event.case_id.clone()).or_default().push(history_event(&event));
        }
        let mut facts: HashMap<String, Vec<AssignmentFact>> = HashMap::new();
        for (case_id, fact) in aggregates::assignments_in_path_between(tx, path, &first, &last).await? {
            facts.entry(case_id).or_default().push(fact);
        }
        let mut additions = Additions::default();
        for case in &batch {
            let history = events.get(&case.id).map(Vec::as_slice).unwrap_or_default();
            let snapshot = tally(history, facts.get(&case.id).map(Vec::as_slice).unwrap_or_default());
            let key = key_of(
                case.created_at,
                &case.region_path,
                &case.channel,
                &case.category,
                case.unit_id.as_deref(),
                case.representative_id.as_deref(),
            );
            additions.case(&key, &snapshot);
            // As `record_event` does: a case's words are filed with its submission.
            if history.iter().any(|e| e.kind == "submit") {
                additions.words(&key, &hot_words(&case_text(&case.title, &case.body)));
            }
        }
        aggregates::apply(tx, &additions).await?;
        done.cases += batch.len() as u64;
        after = last;
    }
}

/// Every stored aggregate row, in key order (for the check that maintained and
/// rebuilt counters agree).
pub async fn dump_aggregates(db: &Db) -> Result<Vec<String>> {
    let mut tx = db.read().await?;
    Ok(aggregates::dump(&mut tx).await?)
}
