//! The cockpit (联络总站驾驶舱): counters kept as events happen, their rebuild from
//! the history, and the views over them.
//!
//! `record_event` runs inside the transaction that appends a case event and adds the
//! difference the event makes to the case's counters (`domain::tally`); the intake's new
//! cases note themselves in `agg_pending` instead, and a fold adds their counters (and
//! their places among the open cases by due day, `db::open_due`) thousands at a time:
//! every second, carried by the intake's own batches on SQLite, and before the cockpit
//! reads (`fold`). The cockpit
//! never scans the cases table for its figures; it sums `agg_*` rows over a region
//! subtree and a range of cohort days.

use chrono::NaiveDate;
use serde_json::Value;

use crate::db::aggregates::{self, Additions, CaseKey};
use crate::db::{self, Db, Tx};
use crate::domain::calendar::cst_date;
use crate::domain::case::{Case, CaseEvent, CaseState, Grade};
use crate::domain::tally::{HistoryEvent, tally};
use crate::domain::words::hot_words;
use crate::error::Result;

mod fold;
mod rebuild;
mod view;
pub use fold::*;
pub use rebuild::*;
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

fn case_key(case: &Case) -> CaseKey {
    key_of(
        case.created_at,
        &case.region_path,
        case.channel.as_str(),
        &case.category,
        case.unit_id.as_deref(),
        case.representative_id.as_deref(),
    )
}

/// Adds what `event` (just appended to `case`'s history, in this transaction)
/// changes in the cockpit's counters. A submission needs no reads: it is the
/// first event.
pub async fn record_event(tx: &mut Tx, case: &Case, event: &CaseEvent) -> Result<()> {
    let additions = additions_for(tx, case, event).await?;
    Ok(aggregates::apply(tx, &additions).await?)
}

/// What `event` of `case` adds to the counters: the difference between the case's
/// counters after it and before it.
async fn additions_for(tx: &mut Tx, case: &Case, event: &CaseEvent) -> Result<Additions> {
    if event.kind == "submit" {
        return Ok(submission_additions(case, event, &case_words(&case.title, &case.body)));
    }
    let key = case_key(case);
    let events: Vec<HistoryEvent> =
        db::cases::events(tx, &case.id).await?.iter().filter(|e| e.seq <= event.seq).map(history_event).collect();
    let facts = aggregates::assignment_facts(tx, &case.id).await?;
    // `event` is the last of these.
    let after = tally(&events, &facts);
    let before = tally(&events[..events.len().saturating_sub(1)], &facts);
    let mut additions = Additions::default();
    additions.case(&key, &after.minus(&before));
    Ok(additions)
}

/// What a case's submission (its first event) adds to the counters, `words` being its
/// [`case_words`]: it needs no reads, so the intake writer sums a whole batch's before
/// writing them (`cases::intake`).
pub fn submission_additions(case: &Case, event: &CaseEvent, words: &[String]) -> Additions {
    let key = case_key(case);
    let mut additions = Additions::default();
    additions.words(&key, words);
    additions.case(&key, &tally(&[history_event(event)], &[]));
    additions
}

/// A case's hot words, from its title and body (word segmentation: the intake
/// computes them in the request's task, before the case reaches the one writer).
pub fn case_words(title: &str, body: &str) -> Vec<String> {
    hot_words(&case_text(title, body))
}

/// The text a case's hot words come from.
fn case_text(title: &str, body: &str) -> String {
    format!("{title}\n{body}")
}

/// Every stored aggregate row, in key order, once the submissions still to be counted
/// are folded in (for the check that maintained and rebuilt counters agree).
pub async fn dump_aggregates(db: &Db) -> Result<Vec<String>> {
    fold_pending(db).await?;
    let mut tx = db.read().await?;
    Ok(aggregates::dump(&mut tx).await?)
}
