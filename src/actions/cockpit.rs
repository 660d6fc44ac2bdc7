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
use crate::db::aggregates::{self, Additions, CaseKey, Counters, RebuildProgress};
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

/// Submissions folded into the counters in one transaction: a short hold of the writer
/// at the intake's full rate, while the cases of a region and a day share their rows (2,000 raised the intake's p99 by a fifth for no more cases a second; see
/// the README).
pub const FOLD_CASES: i64 = 1000;

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
    let mut folded = 0;
    loop {
        let (pending, seqs, cases, events) = {
            let mut tx = db.read().await?;
            let pending = aggregates::first_pending(&mut tx, FOLD_CASES).await?;
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
        if (pending.len() as i64) < FOLD_CASES {
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

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rebuilt {
    pub cases: u64,
    pub events: u64,
    /// Events that came while the rebuild ran, added at its end.
    pub replayed: u64,
    /// It went on from where a rebuild before it had stopped (`cases` and `events`
    /// include what that one counted).
    pub resumed: bool,
    /// It stopped when asked ([`Stop`]), before swapping its counters in: the cockpit
    /// still reads the old ones, and the next rebuild goes on from here.
    pub stopped: bool,
}

/// Asks a running rebuild to stop after the write transaction it is in (Ctrl-C on
/// `minyi cockpit rebuild`). Whatever the rebuild wrote stays, with a note of how far it
/// got (`db::aggregates::RebuildProgress`): the next rebuild goes on from there, as it
/// does after a crash.
#[derive(Debug, Clone, Default)]
pub struct Stop(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Stop {
    pub fn request(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    fn requested(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

const REBUILD_BATCH: i64 = 2000;

/// How a rebuild divides its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunks {
    /// Cases read in one read transaction (whole region paths at a time) and summed in
    /// memory before they are written. Neighbouring paths share every region above them,
    /// so a row of a county, a city or the root is written once a chunk, not once a path.
    /// Each case adds about 50 rows of about 300 bytes.
    pub read_cases: i64,
    /// Counter rows written in one write transaction.
    pub write_rows: usize,
    /// How long to pause after each write transaction, so that a server writing to the
    /// same SQLite file in another process gets the database in between (its busy
    /// handler retries at most [`SQLITE_PAUSE`] apart). Zero when nobody else writes: a
    /// writer in this process waits for the one writing connection in turn.
    pub pause: std::time::Duration,
}

/// What a rebuild uses: chunks of about 5,000 cases (two in memory at once, one summed
/// while the other is written), write transactions of some tens of milliseconds.
pub const REBUILD_CHUNKS: Chunks = Chunks { read_cases: 5000, write_rows: 10_000, pause: std::time::Duration::ZERO };

/// How many cases a rebuild will count (for its progress bar).
pub async fn cases_to_rebuild(db: &Db) -> Result<u64> {
    let mut tx = db.read().await?;
    let paths = aggregates::case_paths(&mut tx).await?;
    Ok(paths.iter().map(|(_, n)| *n as u64).sum())
}

/// Rebuilds the cockpit's counters from the history (`case_events`) while the server
/// keeps counting: it notes the last event, fills the spare copy of the counters
/// (`aggregates::Counters::Next`) with every case's history up to that event, summed a
/// chunk of region paths at a time and written in short transactions, then, in one last
/// transaction that holds off new events, adds the events that came meanwhile and swaps
/// the copies. Nobody sees half-built counters, and no event is missed or counted twice.
/// `progress` is told the number of cases done after each chunk.
/// A rebuild that stopped (asked to, or by a crash) is gone on with, from the chunk it was
/// writing (see [`Stop`]).
pub async fn rebuild_aggregates(db: &Db, progress: impl FnMut(u64)) -> Result<Rebuilt> {
    rebuild_aggregates_pausing(db, std::time::Duration::ZERO, &Stop::default(), progress).await
}

/// [`rebuild_aggregates`], pausing for `pause` after each write transaction (see
/// [`Chunks::pause`]), and stopping when `stop` asks.
pub async fn rebuild_aggregates_pausing(
    db: &Db,
    pause: std::time::Duration,
    stop: &Stop,
    mut progress: impl FnMut(u64),
) -> Result<Rebuilt> {
    rebuild_aggregates_in_chunks(db, Chunks { pause, ..REBUILD_CHUNKS }, stop, async |done| progress(done)).await
}

/// How long a rebuild on SQLite pauses after each write transaction when a server in
/// another process may be waiting to write (a citizen's case): SQLite's busy handler
/// retries at most this far apart.
pub const SQLITE_PAUSE: std::time::Duration = std::time::Duration::from_millis(120);

/// Fills the counters from the history when cases exist but no counter does (after a
/// migration that changed how they are kept), and the reception-day counters from the
/// meetings and the open cases by due day (`db::open_due`) from the cases when only they
/// are missing; does nothing otherwise.
pub async fn fill_if_empty(db: &Db) -> Result<Option<Rebuilt>> {
    let (need, reception, open_due) = {
        let mut tx = db.read().await?;
        (
            aggregates::need_filling(&mut tx).await?,
            aggregates::reception_need_filling(&mut tx).await?,
            db::open_due::need_filling(&mut tx).await?,
        )
    };
    if !need {
        if reception {
            let mut tx = db.write().await?;
            let days = aggregates::refill_reception(&mut tx).await?;
            tx.commit().await?;
            tracing::info!(days, "the reception days are counted for the cockpit");
        }
        if open_due {
            let mut tx = db.write().await?;
            let cases = db::open_due::refill(&mut tx).await?;
            tx.commit().await?;
            tracing::info!(cases, "the open cases are counted by due day for the cockpit");
        }
        return Ok(None);
    }
    tracing::info!("the cockpit's counters are empty: counting every case again from its history");
    let rebuilt = rebuild_aggregates(db, |done| tracing::info!(done, "cases counted")).await?;
    tracing::info!(cases = rebuilt.cases, events = rebuilt.events, "the cockpit's counters are filled");
    Ok(Some(rebuilt))
}

/// [`rebuild_aggregates`] divided as `chunks` says; `progress` is awaited after each
/// chunk of cases read, while this task holds no transaction (the sums of the chunks
/// before may be being written).
pub async fn rebuild_aggregates_in_chunks(
    db: &Db,
    chunks: Chunks,
    stop: &Stop,
    mut progress: impl AsyncFnMut(u64),
) -> Result<Rebuilt> {
    let (paths, start) = rebuild_start(db).await?;
    let mark = start.mark;
    let mut done = Rebuilt { cases: start.cases, events: start.events, resumed: start.resumed, ..Rebuilt::default() };
    // The sums written meanwhile, by a task of their own: a chunk is read and summed on
    // this task while the writer stores the sums before (a machine's two cores).
    let mut writing: Option<tokio::task::JoinHandle<Result<Written>>> = None;
    let mut chunk: Vec<&str> = Vec::new();
    let mut in_chunk = 0;
    // A rebuild that goes on begins with the chunk it was writing, whatever its size.
    let (mut first_end, mut skip_rows) = (start.first_end, start.rows_done);
    for (i, (path, cases)) in paths.iter().enumerate().skip(start.from) {
        chunk.push(path);
        in_chunk += cases;
        let full = first_end.map_or(in_chunk >= chunks.read_cases, |end| i >= end);
        if !full && i + 1 < paths.len() {
            continue;
        }
        first_end = None;
        let noted = RebuildProgress {
            mark,
            chunk_first: chunk.first().map(|p| p.to_string()).unwrap_or_default(),
            chunk_last: path.clone(),
            rows_done: std::mem::take(&mut skip_rows),
            cases_before: done.cases as i64,
            events_before: done.events as i64,
        };
        let mut summing = Additions::default();
        sum_paths(db, &chunk, mark, &mut done, &mut summing).await?;
        if written(writing.take()).await? == Written::Stopped {
            return Ok(Rebuilt { stopped: true, ..done });
        }
        writing = Some(tokio::spawn(write_next(db.clone(), summing, chunks, noted, stop.clone())));
        progress(done.cases).await;
        chunk.clear();
        in_chunk = 0;
        if stop.requested() {
            written(writing.take()).await?;
            return Ok(Rebuilt { stopped: true, ..done });
        }
    }
    if written(writing.take()).await? == Written::Stopped {
        return Ok(Rebuilt { stopped: true, ..done });
    }
    let mut tx = db.write().await?;
    aggregates::lock_for_swap(&mut tx).await?;
    let mut after = mark;
    let mut meanwhile = Additions::default();
    loop {
        let events = db::cases::events_after(&mut tx, after, REBUILD_BATCH).await?;
        let Some(last) = events.last() else { break };
        after = last.seq;
        for event in &events {
            let case = db::cases::get(&mut tx, &event.case_id).await?.ok_or(crate::error::Error::NotFound)?;
            meanwhile.absorb(additions_for(&mut tx, &case, event).await?);
            done.events += 1;
            done.replayed += 1;
        }
    }
    aggregates::apply_to(&mut tx, Counters::Next, &meanwhile).await?;
    aggregates::swap(&mut tx).await?;
    // Every submission still to be folded is in the history replayed above.
    aggregates::clear_pending(&mut tx).await?;
    aggregates::refill_reception(&mut tx).await?;
    db::open_due::refill(&mut tx).await?;
    tx.commit().await?;
    if paths.is_empty() {
        progress(0).await;
    }
    Ok(done)
}

/// Where a rebuild begins: the history up to event `mark` is counted; the region paths
/// from index `from` on are still to be summed. A rebuild that goes on from one stopped
/// (`resumed`) redoes the chunk that one was writing, up to index `first_end`, and skips
/// the chunk's first `rows_done` rows; the chunks before counted `cases` and `events`.
struct Start {
    mark: i64,
    from: usize,
    first_end: Option<usize>,
    rows_done: i64,
    cases: u64,
    events: u64,
    resumed: bool,
}

/// The region paths holding cases (`aggregates::case_paths`), and where to begin: where a
/// stopped rebuild noted it had got to, if its chunk's paths are still found; otherwise
/// from the first path, at the history's last event, with the spare counters emptied.
/// The sums of a chunk come out the same the second time: only the history up to `mark`
/// counts, and a path that came since holds no case from before it.
async fn rebuild_start(db: &Db) -> Result<(Vec<(String, i64)>, Start)> {
    let mut tx = db.write().await?;
    let paths = aggregates::case_paths(&mut tx).await?;
    let at = |path: &str| paths.iter().position(|(p, _)| p == path);
    let noted = aggregates::rebuild_progress(&mut tx).await?;
    let start = match noted.as_ref().map(|n| (n, at(&n.chunk_first), at(&n.chunk_last))) {
        Some((noted, Some(from), Some(end))) if from <= end => Start {
            mark: noted.mark,
            from,
            first_end: Some(end),
            rows_done: noted.rows_done,
            cases: noted.cases_before.max(0) as u64,
            events: noted.events_before.max(0) as u64,
            resumed: true,
        },
        _ => {
            aggregates::clear_next(&mut tx).await?;
            let (mark, _) = db::cases::chain_head(&mut tx).await?;
            Start { mark, from: 0, first_end: None, rows_done: 0, cases: 0, events: 0, resumed: false }
        }
    };
    tx.commit().await?;
    Ok((paths, start))
}

/// Whether a chunk's sums were all written, or the writer stopped when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    Whole,
    Stopped,
}

/// Writes `sums`, the chunk `noted` names, into the spare copy of the counters,
/// `chunks.write_rows` rows a transaction, each noting in itself how far it got; the
/// first `noted.rows_done` rows, which a stopped rebuild wrote already, are left out.
/// After a transaction, stops if `stop` asks.
async fn write_next(
    db: Db,
    mut sums: Additions,
    chunks: Chunks,
    mut noted: RebuildProgress,
    stop: Stop,
) -> Result<Written> {
    if noted.rows_done > 0 {
        // In key order, as they were written; a station's latest day came with the first.
        sums.take_first(noted.rows_done as usize);
    }
    while !sums.is_empty() {
        let part = sums.take_first(chunks.write_rows.max(1));
        noted.rows_done += part.len() as i64;
        let mut tx = db.write().await?;
        aggregates::apply_to(&mut tx, Counters::Next, &part).await?;
        aggregates::save_rebuild_progress(&mut tx, &noted).await?;
        tx.commit().await?;
        if stop.requested() && !sums.is_empty() {
            return Ok(Written::Stopped);
        }
        if db.engine() == db::Engine::Sqlite && !chunks.pause.is_zero() {
            tokio::time::sleep(chunks.pause).await;
        }
    }
    Ok(Written::Whole)
}

/// Waits for the task writing sums, if one is.
async fn written(task: Option<tokio::task::JoinHandle<Result<Written>>>) -> Result<Written> {
    match task {
        None => Ok(Written::Whole),
        Some(task) => task.await.map_err(|e| anyhow::anyhow!("writing the rebuilt counters: {e}"))?,
    }
}

/// Adds every case of the region paths `paths` to `sums`, in one read transaction: the
/// histories up to `mark` are settled, and a case's facts never change, so they are read
/// without holding the writer.
async fn sum_paths(db: &Db, paths: &[&str], mark: i64, done: &mut Rebuilt, sums: &mut Additions) -> Result<()> {
    let mut tx = db.read().await?;
    for path in paths {
        rebuild_path(&mut tx, path, mark, done, sums).await?;
    }
    Ok(())
}

/// Adds every case of region path `path`, with its history up to event `mark`, to `sums`.
async fn rebuild_path(tx: &mut Tx, path: &str, mark: i64, done: &mut Rebuilt, sums: &mut Additions) -> Result<()> {
    let mut after = String::new();
    loop {
        let batch = aggregates::cases_in_path_after(tx, path, &after, REBUILD_BATCH).await?;
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else { return Ok(()) };
        let (first, last) = (first.id.clone(), last.id.clone());
        let mut events: HashMap<String, Vec<HistoryEvent>> = HashMap::new();
        for event in db::cases::events_in_path_between(tx, path, &first, &last).await? {
            if event.seq <= mark {
                done.events += 1;
                events.entry(event.case_id.clone()).or_default().push(history_event(&event));
            }
        }
        let mut facts: HashMap<String, Vec<AssignmentFact>> = HashMap::new();
        for (case_id, fact) in aggregates::assignments_in_path_between(tx, path, &first, &last).await? {
            facts.entry(case_id).or_default().push(fact);
        }
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
            sums.case(&key, &snapshot);
            // As `record_event` does: a case's words are filed with its submission.
            if history.iter().any(|e| e.kind == "submit") {
                sums.words(&key, &hot_words(&case_text(&case.title, &case.body)));
            }
        }
        done.cases += batch.len() as u64;
        after = last;
    }
}

/// Every stored aggregate row, in key order, once the submissions still to be counted
/// are folded in (for the check that maintained and rebuilt counters agree).
pub async fn dump_aggregates(db: &Db) -> Result<Vec<String>> {
    fold_pending(db).await?;
    let mut tx = db.read().await?;
    Ok(aggregates::dump(&mut tx).await?)
}
