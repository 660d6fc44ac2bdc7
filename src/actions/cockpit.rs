//! The cockpit (联络总站驾驶舱): counters kept as events happen, their rebuild from
//! the history, and the views over them.
//!
//! `record_event` runs inside the transaction that appends a case event and adds the
//! difference the event makes to the case's counters (`domain::tally`); the intake's new
//! cases note themselves in `agg_pending` instead, and `fold_pending` adds their counters
//! (and their places among the open cases by due day, `db::open_due`) a thousand at a
//! time, before the cockpit reads and every second. The cockpit
//! never scans the cases table for its figures; it sums `agg_*` rows over a region
//! subtree and a range of cohort days.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::Value;

use crate::app::App;
use crate::db::aggregates::{self, Additions, CaseKey};
use crate::db::{self, Db, Tx};
use crate::domain::calendar::cst_date;
use crate::domain::case::{Case, CaseEvent, CaseState, Grade};
use crate::domain::tally::{HistoryEvent, tally};
use crate::domain::words::hot_words;
use crate::error::Result;

mod rebuild;
mod view;
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

/// Submissions folded into the counters in one transaction: about a second of the intake
/// at its full rate. The more cases a fold takes, the more of them share a row (a region's
/// and a day's); with cases from all over the province 4,000 took 15–25% more cases a
/// second than 1,000, for no higher p99 (README, "The fold four times as big").
pub const FOLD_CASES: i64 = 4000;

/// A fold's sums: the counters, and the open cases by due day (`db::open_due::moved`).
type Folded<'a> = (Additions, Vec<(&'a str, NaiveDate, i64)>);

/// Adds the counters of every submission the intake left to be counted
/// (`aggregates::defer`), and the open ones among the open cases by due day,
/// [`FOLD_CASES`] at a time, and returns how many. The cockpit
/// folds before it reads, so it counts every case acknowledged before it was asked;
/// `serve` folds every [`crate::jobs::FOLD_INTERVAL`]. The cases are read and their
/// counters summed on a reading connection; the writer is held only to take them and
/// add the sums, and not at all when nothing waits.
pub async fn fold_pending(db: &Db) -> Result<u64> {
    fold_pending_in_chunks(db, FOLD_CASES).await
}

/// [`fold_pending`], `chunk` submissions a transaction (the tests take a few at a time).
pub async fn fold_pending_in_chunks(db: &Db, chunk: i64) -> Result<u64> {
    let mut folded = 0;
    loop {
        let (pending, seqs, cases, events) = {
            let mut tx = db.read().await?;
            let pending = aggregates::first_pending(&mut tx, chunk).await?;
            if pending.is_empty() {
                return Ok(folded);
            }
            let ids: Vec<&str> = pending.iter().map(|p| p.case_id.as_str()).collect();
            let seqs: Vec<i64> = pending.iter().map(|p| p.seq).collect();
            let cases: HashMap<String, Case> =
                db::cases::get_many(&mut tx, &ids).await?.into_iter().map(|c| (c.id.clone(), c)).collect();
            let events: HashMap<i64, CaseEvent> =
                db::cases::events_by_seq(&mut tx, &seqs).await?.into_iter().map(|e| (e.seq, e)).collect();
            (pending, seqs, cases, events)
        };
        let sum = |taken: &dyn Fn(i64) -> bool| -> Result<Folded> {
            let mut sums = Additions::default();
            let mut open = Vec::new();
            for p in pending.iter().filter(|p| taken(p.seq)) {
                let (Some(case), Some(event)) = (cases.get(&p.case_id), events.get(&p.seq)) else {
                    let what = format!("the submission {} of case {} to count is not stored", p.seq, p.case_id);
                    return Err(anyhow::anyhow!(what).into());
                };
                sums.absorb(submission_additions(case, event, &p.words));
                open.extend(p.open.as_ref().map(|(path, due)| (path.as_str(), *due, 1)));
            }
            Ok((sums, open))
        };
        let sums = sum(&|_| true)?;
        let mut tx = db.write().await?;
        let taken = aggregates::take_pending(&mut tx, &seqs).await?;
        let (sums, open) = if taken.len() == pending.len() {
            sums
        } else {
            // Another fold (another server on PostgreSQL) took some of them meanwhile.
            let taken: std::collections::HashSet<i64> = taken.iter().copied().collect();
            sum(&|seq| taken.contains(&seq))?
        };
        aggregates::apply(&mut tx, &sums).await?;
        db::open_due::moved(&mut tx, &open).await?;
        tx.commit().await?;
        folded += taken.len() as u64;
        if (pending.len() as i64) < chunk {
            return Ok(folded);
        }
    }
}

/// [`fold_pending`] for `app`, told to `/metrics`: `minyi_cockpit_fold_cases` (the cases a
/// fold counted) and `minyi_cockpit_fold_seconds` (how long it took, reading included) —
/// a fold holds the writer, so it shows in the intake's slowest answers.
pub async fn fold_pending_for(app: &App) -> Result<u64> {
    let started = std::time::Instant::now();
    let folded = fold_pending(app.db()).await?;
    if folded > 0 {
        metrics::with_local_recorder(app.metrics(), || {
            metrics::histogram!("minyi_cockpit_fold_cases").record(folded as f64);
            metrics::histogram!("minyi_cockpit_fold_seconds").record(started.elapsed().as_secs_f64());
        });
    }
    Ok(folded)
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
