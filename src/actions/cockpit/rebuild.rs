//! The cockpit's counters rebuilt from the history (`minyi cockpit rebuild`, the fill at
//! the end of `minyi synth`, and after a migration that emptied them), while the server
//! keeps counting; a rebuild that stops goes on from where it stopped.

use std::collections::HashMap;

use super::{additions_for, case_text, history_event, key_of};
use crate::db::aggregates::{self, Additions, Counters, RebuildProgress};
use crate::db::{self, Db, Tx};
use crate::domain::tally::{AssignmentFact, HistoryEvent, tally};
use crate::domain::words::hot_words;
use crate::error::Result;

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
    /// Cases read in one read transaction, in the order they came (by id), and summed in
    /// memory before they are written. The cases of a few hours share their day's, week's
    /// and month's rows of every region above them, so such a row is written once a chunk,
    /// not once a case. Each case adds about 50 rows of about 300 bytes.
    pub read_cases: i64,
    /// Counter rows written in one write transaction.
    pub write_rows: usize,
    /// How long to pause after each write transaction, so that a server writing to the
    /// same SQLite file in another process gets the database in between (its busy
    /// handler retries at most [`SQLITE_PAUSE`] apart). Zero when nobody else writes: a
    /// writer in this process waits for the one writing connection in turn.
    pub pause: std::time::Duration,
}

/// What a rebuild uses: chunks of 25,000 cases (about a day's, ten million cases a year;
/// two in memory at once, one summed while the other is written), write transactions of
/// some tens of milliseconds. Read by time, a chunk of 5,000 cases took half as long again
/// (see the README).
pub const REBUILD_CHUNKS: Chunks = Chunks { read_cases: 25_000, write_rows: 10_000, pause: std::time::Duration::ZERO };

/// How many cases a rebuild will count (for its progress bar).
pub async fn cases_to_rebuild(db: &Db) -> Result<u64> {
    let mut tx = db.read().await?;
    Ok(aggregates::case_count(&mut tx).await?.max(0) as u64)
}

/// Rebuilds the cockpit's counters from the history (`case_events`) while the server
/// keeps counting: it notes the last event, fills the spare copy of the counters
/// (`aggregates::Counters::Next`) with every case's history up to that event, summed a
/// chunk of cases at a time, in the order they came, and written in short transactions
/// (a province's history is bigger than the page cache: read by region, it is read at
/// random; read by time, it is read straight through), then, in one last
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
    let start = rebuild_start(db).await?;
    let mark = start.mark;
    let mut done = Rebuilt { cases: start.cases, events: start.events, resumed: start.resumed, ..Rebuilt::default() };
    // The sums written meanwhile, by a task of their own: a chunk is read and summed on
    // this task while the writer stores the sums before (a machine's two cores).
    let mut writing: Option<tokio::task::JoinHandle<Result<Written>>> = None;
    let mut after = start.after;
    // A rebuild that goes on begins with the chunk it was writing, whatever its size.
    let mut first_chunk = start.first_chunk;
    let mut skip_rows = start.rows_done;
    let mut chunks_read = 0;
    while let Some(last) = start.last.as_deref() {
        let (through, most) = match first_chunk.take() {
            Some(through) => (through, i64::MAX),
            None => (last.to_string(), chunks.read_cases.max(1)),
        };
        let (cases_before, events_before) = (done.cases as i64, done.events as i64);
        let mut summing = Additions::default();
        let Some((first, through)) = sum_cases(db, (&after, &through), most, mark, &mut done, &mut summing).await?
        else {
            break;
        };
        let noted = RebuildProgress {
            mark,
            chunk_first: first,
            chunk_last: through.clone(),
            rows_done: std::mem::take(&mut skip_rows),
            cases_before,
            events_before,
        };
        if written(writing.take()).await? == Written::Stopped {
            return Ok(Rebuilt { stopped: true, ..done });
        }
        writing = Some(tokio::spawn(write_next(db.clone(), summing, chunks, noted, stop.clone())));
        chunks_read += 1;
        progress(done.cases).await;
        after = through;
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
    aggregates::clear_fold(&mut tx).await?;
    aggregates::refill_reception(&mut tx).await?;
    db::open_due::refill(&mut tx).await?;
    tx.commit().await?;
    if chunks_read == 0 {
        progress(done.cases).await;
    }
    Ok(done)
}

/// Where a rebuild begins: the history up to event `mark` is counted, for the cases by id
/// after `after` up to `last` (the last case when the rebuild began; none when there are no
/// cases). A rebuild that goes on from one stopped (`resumed`) redoes the chunk that one
/// was writing, up to case `first_chunk`, and skips the chunk's first `rows_done` rows;
/// the chunks before counted `cases` and `events`.
struct Start {
    mark: i64,
    after: String,
    last: Option<String>,
    first_chunk: Option<String>,
    rows_done: i64,
    cases: u64,
    events: u64,
    resumed: bool,
}

/// Where to begin: where a stopped rebuild noted it had got to, if the first and last
/// cases of its chunk are still found; otherwise from the first case, at the history's
/// last event, with the spare counters emptied. The sums of a chunk come out the same the
/// second time: only the history up to `mark` counts, and a case made since holds none of
/// it.
async fn rebuild_start(db: &Db) -> Result<Start> {
    let mut tx = db.write().await?;
    let last = aggregates::last_case_id(&mut tx).await?;
    let mut resumable = None;
    if let Some(noted) = aggregates::rebuild_progress(&mut tx).await?
        && noted.chunk_first <= noted.chunk_last
        && aggregates::case_exists(&mut tx, &noted.chunk_first).await?
        && aggregates::case_exists(&mut tx, &noted.chunk_last).await?
    {
        resumable = Some(noted);
    }
    let start = match resumable {
        Some(noted) => Start {
            mark: noted.mark,
            after: aggregates::case_id_before(&mut tx, &noted.chunk_first).await?,
            last: last.map(|last| last.max(noted.chunk_last.clone())),
            first_chunk: Some(noted.chunk_last),
            rows_done: noted.rows_done,
            cases: noted.cases_before.max(0) as u64,
            events: noted.events_before.max(0) as u64,
            resumed: true,
        },
        None => {
            aggregates::clear_next(&mut tx).await?;
            let (mark, _) = db::cases::chain_head(&mut tx).await?;
            let (after, first_chunk) = (String::new(), None);
            Start { mark, after, last, first_chunk, rows_done: 0, cases: 0, events: 0, resumed: false }
        }
    };
    tx.commit().await?;
    Ok(start)
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

/// Adds at most `most` cases by id after `range.0`, up to `range.1`, to `sums`, in one read
/// transaction: the histories up to `mark` are settled, and a case's facts never change,
/// so they are read without holding the writer. Returns the ids of the first and the last
/// case added, or none when no case is left.
async fn sum_cases(
    db: &Db,
    (after, through): (&str, &str),
    most: i64,
    mark: i64,
    done: &mut Rebuilt,
    sums: &mut Additions,
) -> Result<Option<(String, String)>> {
    let mut tx = db.read().await?;
    let (mut first, mut last, mut read) = (None, after.to_string(), 0);
    while read < most {
        let batch = aggregates::cases_after(&mut tx, &last, through, REBUILD_BATCH.min(most - read)).await?;
        let Some(batch_last) = batch.last() else { break };
        let (batch_first, batch_last) = (batch[0].id.clone(), batch_last.id.clone());
        sum_batch(&mut tx, &batch, (&batch_first, &batch_last), mark, done, sums).await?;
        first.get_or_insert(batch_first);
        read += batch.len() as i64;
        last = batch_last;
    }
    Ok(first.map(|first| (first, last)))
}

/// Adds `batch`, the cases with ids from `range.0` to `range.1`, each with its history up to
/// event `mark`, to `sums`.
async fn sum_batch(
    tx: &mut Tx,
    batch: &[aggregates::CaseFacts],
    (first, last): (&str, &str),
    mark: i64,
    done: &mut Rebuilt,
    sums: &mut Additions,
) -> Result<()> {
    let mut events: HashMap<String, Vec<HistoryEvent>> = HashMap::new();
    for event in db::cases::events_between(tx, first, last).await? {
        if event.seq <= mark {
            done.events += 1;
            events.entry(event.case_id.clone()).or_default().push(history_event(&event));
        }
    }
    let mut facts: HashMap<String, Vec<AssignmentFact>> = HashMap::new();
    for (case_id, fact) in aggregates::assignments_between(tx, first, last).await? {
        facts.entry(case_id).or_default().push(fact);
    }
    for case in batch {
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
    Ok(())
}
