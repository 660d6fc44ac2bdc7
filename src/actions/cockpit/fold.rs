//! The intake's new cases counted: their submissions wait in `agg_pending`, and a fold sums
//! the counters of thousands at once, so a region's and a day's rows are written once for
//! many cases.
//!
//! On SQLite, where one connection writes, `serve` does not write a fold in one
//! transaction: every [`crate::jobs::FOLD_INTERVAL`] it sums the next [`FOLD_CASES`] on a
//! reading connection ([`plan_fold`]), and each intake batch adds the next
//! [`CARRY_ROWS`] of those rows inside its own transaction ([`carry_fold`]), so the writer
//! is never held by a fold for long (a whole fold of 4,000 cases held it 70–120 ms, and
//! every case posted meanwhile waited). `agg_fold` notes how far a carried fold got, in the
//! transaction that got it there. The cockpit (and everything else that must see every
//! case counted) calls [`fold_pending`], which first finishes the carried fold. On
//! PostgreSQL a fold is one transaction, as writers there do not wait on one another.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::submission_additions;
use crate::app::App;
use crate::db::aggregates::{self, Additions, Carried, Carry, Pending};
use crate::db::{self, Db, Tx};
use crate::domain::case::{Case, CaseEvent};
use crate::error::Result;

/// Submissions folded into the counters in one transaction: about a second of the intake
/// at its full rate. The more cases a fold takes, the more of them share a row (a region's
/// and a day's); with cases from all over the province 4,000 took 15–25% more cases a
/// second than 1,000, for no higher p99 (README, "The fold four times as big").
pub const FOLD_CASES: i64 = 4000;

/// Rows of a carried fold an intake batch adds: about 1.5 ms of the writer's time (a
/// fold's row costs 7–12 µs to add), against the 5–8 ms a batch of 30 cases takes.
pub const CARRY_ROWS: usize = 200;

/// A fold's sums: the counters, and the open cases by due day (`db::open_due::moved`).
type Folded = (Additions, Vec<(String, NaiveDate, i64)>);

/// Submissions read for a fold, with their cases and their submission events.
struct Submissions {
    pending: Vec<Pending>,
    cases: HashMap<String, Case>,
    events: HashMap<i64, CaseEvent>,
}

impl Submissions {
    async fn read(tx: &mut Tx, pending: Vec<Pending>) -> Result<Submissions> {
        let ids: Vec<&str> = pending.iter().map(|p| p.case_id.as_str()).collect();
        let seqs: Vec<i64> = pending.iter().map(|p| p.seq).collect();
        let cases = db::cases::get_many(tx, &ids).await?.into_iter().map(|c| (c.id.clone(), c)).collect();
        let events = db::cases::events_by_seq(tx, &seqs).await?.into_iter().map(|e| (e.seq, e)).collect();
        Ok(Submissions { pending, cases, events })
    }

    /// The sums of the submissions that `taken` says.
    fn sum(&self, taken: &dyn Fn(i64) -> bool) -> Result<Folded> {
        let mut sums = Additions::default();
        let mut open = Vec::new();
        for p in self.pending.iter().filter(|p| taken(p.seq)) {
            let (Some(case), Some(event)) = (self.cases.get(&p.case_id), self.events.get(&p.seq)) else {
                let what = format!("the submission {} of case {} to count is not stored", p.seq, p.case_id);
                return Err(anyhow::anyhow!(what).into());
            };
            sums.absorb(submission_additions(case, event, &p.words));
            open.extend(p.open.as_ref().map(|(path, due)| (path.clone(), *due, 1)));
        }
        Ok((sums, open))
    }

    fn seqs(&self) -> Vec<i64> {
        self.pending.iter().map(|p| p.seq).collect()
    }
}

/// Adds the counters of every submission the intake left to be counted
/// (`aggregates::defer`), and the open ones among the open cases by due day, and returns
/// how many: first the rest of a carried fold, then [`FOLD_CASES`] a transaction. The
/// cockpit folds before it reads, so it counts every case acknowledged before it was asked.
/// The cases are read and their counters summed on a reading connection; the writer is
/// held only to take them and add the sums, and not at all when nothing waits.
pub async fn fold_pending(db: &Db) -> Result<u64> {
    fold_pending_in_chunks(db, FOLD_CASES).await
}

/// [`fold_pending`], `chunk` submissions a transaction (the tests take a few at a time).
pub async fn fold_pending_in_chunks(db: &Db, chunk: i64) -> Result<u64> {
    let mut carried = match db.carried_fold() {
        Some(slot) => Some(slot.lock().await),
        None => None,
    };
    let mut folded = match carried.as_deref_mut() {
        Some(fold) => finish_carried(db, fold).await?,
        None => 0,
    };
    loop {
        let read = {
            let mut tx = db.read().await?;
            let pending = aggregates::first_pending(&mut tx, chunk).await?;
            if pending.is_empty() {
                return Ok(folded);
            }
            Submissions::read(&mut tx, pending).await?
        };
        let seqs = read.seqs();
        let sums = read.sum(&|_| true)?;
        let mut tx = db.write().await?;
        let taken = aggregates::take_pending(&mut tx, &seqs).await?;
        let (sums, open) = if taken.len() == seqs.len() {
            sums
        } else {
            // Another fold (another server on PostgreSQL) took some of them meanwhile.
            let taken: std::collections::HashSet<i64> = taken.iter().copied().collect();
            read.sum(&|seq| taken.contains(&seq))?
        };
        aggregates::apply(&mut tx, &sums).await?;
        db::open_due::moved(&mut tx, &open).await?;
        tx.commit().await?;
        folded += taken.len() as u64;
        if (seqs.len() as i64) < chunk {
            return Ok(folded);
        }
    }
}

/// Adds what is left of the carried fold (the one in `slot`, or the one `agg_fold` notes,
/// after a stop) in one transaction, and returns how many cases it counted.
async fn finish_carried(db: &Db, slot: &mut Option<Carried>) -> Result<u64> {
    let mut fold = match slot.take() {
        Some(fold) => fold,
        None => match noted_fold(db).await? {
            Some(fold) => fold,
            None => return Ok(0),
        },
    };
    let mut tx = db.write().await?;
    match aggregates::carry(&mut tx, &mut fold, usize::MAX).await? {
        Carry::Finished => {
            tx.commit().await?;
            Ok(fold.cases as u64)
        }
        // A rebuild counted its cases meanwhile; they are no longer waiting.
        Carry::Stale | Carry::Added => Ok(0),
    }
}

/// The fold `agg_fold` notes, summed again from its submissions, less the rows added.
async fn noted_fold(db: &Db) -> Result<Option<Carried>> {
    let mut tx = db.read().await?;
    let Some((last_seq, cases, rows_done)) = aggregates::noted_fold(&mut tx).await? else { return Ok(None) };
    let pending = aggregates::pending_through(&mut tx, last_seq).await?;
    if pending.len() as i64 != cases {
        let what = format!(
            "the fold in progress counts {cases} cases up to submission {last_seq}, but {} wait to be counted",
            pending.len()
        );
        return Err(anyhow::anyhow!(what).into());
    }
    let (mut rest, open) = Submissions::read(&mut tx, pending).await?.sum(&|_| true)?;
    rest.take_slice(rows_done as usize);
    Ok(Some(Carried { last_seq, cases, rows_done, noted: true, rest, open }))
}

/// SQLite: sums the next [`FOLD_CASES`] submissions waiting, on a reading connection, for
/// the intake's batches to add ([`carry_fold`]), after adding what they left of the one
/// before (they carry nothing while no case comes); returns the cases counted meanwhile.
/// PostgreSQL: [`fold_pending`].
pub async fn plan_fold(db: &Db) -> Result<u64> {
    let Some(slot) = db.carried_fold() else { return fold_pending(db).await };
    let mut carried = slot.lock().await;
    let folded = finish_carried(db, &mut carried).await?;
    let mut tx = db.read().await?;
    let pending = aggregates::first_pending(&mut tx, FOLD_CASES).await?;
    let Some(last_seq) = pending.last().map(|p| p.seq) else { return Ok(folded) };
    let cases = pending.len() as i64;
    let read = Submissions::read(&mut tx, pending).await?;
    drop(tx);
    // Tens of milliseconds of summing, kept off the threads that answer requests.
    let summed = tokio::task::spawn_blocking(move || read.sum(&|_| true)).await;
    let (rest, open) = summed.map_err(|e| anyhow::anyhow!("summing a fold failed: {e}"))??;
    *carried = Some(Carried { last_seq, cases, rows_done: 0, noted: false, rest, open });
    Ok(folded)
}

/// The carried fold an intake batch took a slice of: the batch holds it until its
/// transaction ends, and calls [`Carrying::committed`] once it committed; dropped
/// without, the fold is forgotten in memory (`agg_fold` still says where it stands).
pub struct Carrying {
    fold: tokio::sync::OwnedMutexGuard<Option<Carried>>,
    committed: bool,
}

impl Carrying {
    pub fn committed(mut self) {
        self.committed = true;
    }
}

impl Drop for Carrying {
    fn drop(&mut self) {
        if !self.committed {
            *self.fold = None;
        }
    }
}

/// Adds the next [`CARRY_ROWS`] rows of the carried fold in `tx` (an intake batch's), if
/// one is in progress and no one else holds it.
pub async fn carry_fold(db: &Db, tx: &mut Tx) -> Result<Option<Carrying>> {
    carry_fold_rows(db, tx, CARRY_ROWS).await
}

/// [`carry_fold`], `rows` rows (the tests take a few at a time).
pub async fn carry_fold_rows(db: &Db, tx: &mut Tx, rows: usize) -> Result<Option<Carrying>> {
    let Some(slot) = db.carried_fold() else { return Ok(None) };
    let Ok(mut guard) = slot.clone().try_lock_owned() else { return Ok(None) };
    let Some(fold) = guard.as_mut() else { return Ok(None) };
    match aggregates::carry(tx, fold, rows).await {
        Ok(Carry::Added) => Ok(Some(Carrying { fold: guard, committed: false })),
        Ok(Carry::Finished) => {
            *guard = None;
            Ok(Some(Carrying { fold: guard, committed: false }))
        }
        Ok(Carry::Stale) => {
            *guard = None;
            Ok(None)
        }
        Err(e) => {
            *guard = None;
            Err(e.into())
        }
    }
}

/// [`fold_pending`] for `app`, told to `/metrics`: `minyi_cockpit_fold_cases` (the cases a
/// fold counted) and `minyi_cockpit_fold_seconds` (how long it took, reading included) —
/// a fold holds the writer, so it shows in the intake's slowest answers.
pub async fn fold_pending_for(app: &App) -> Result<u64> {
    let started = std::time::Instant::now();
    let folded = fold_pending(app.db()).await?;
    record_fold(app, folded, started);
    Ok(folded)
}

/// [`plan_fold`] for `app` (`serve`, every [`crate::jobs::FOLD_INTERVAL`]), the cases it
/// counted told to `/metrics` as [`fold_pending_for`] tells them.
pub async fn plan_fold_for(app: &App) -> Result<u64> {
    let started = std::time::Instant::now();
    let folded = plan_fold(app.db()).await?;
    record_fold(app, folded, started);
    Ok(folded)
}

fn record_fold(app: &App, folded: u64, started: std::time::Instant) {
    if folded > 0 {
        metrics::with_local_recorder(app.metrics(), || {
            metrics::histogram!("minyi_cockpit_fold_cases").record(folded as f64);
            metrics::histogram!("minyi_cockpit_fold_seconds").record(started.elapsed().as_secs_f64());
        });
    }
}
