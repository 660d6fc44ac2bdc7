//! Group commit for new cases: one writer task per [`App`] takes every submission
//! waiting in its queue, records each with the same per-case code as always
//! (`record_in`: the same checks, event, chain link and notices) inside one shared
//! transaction, commits once, and only then answers each waiting request. Each case
//! runs under its own savepoint, so one that fails is rolled back alone and gets its
//! own error; the others still commit. A request is answered "created" only after the
//! commit that holds its case returned (with SQLite's `synchronous = FULL`, on disk).
//!
//! One fsync then carries many cases: at a high rate the batches grow by themselves
//! (whatever queued during the previous commit), and at a low rate a batch is one case
//! with no added wait.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot};

use super::{Submitted, record_in};
use crate::app::App;
use crate::db::{self, Tx};
use crate::domain::attachment::Attachment;
use crate::domain::case::CaseInput;
use crate::error::{Error, Result};

/// At most this many cases a transaction.
pub const MAX_BATCH: usize = 512;
/// Submissions that may wait for the writer before senders wait too.
const QUEUE: usize = 16_384;

/// Who entered a case: the actor kind, id and name the history records.
pub type EnteredBy = (&'static str, String, String);

struct Job {
    /// The App of the request: its clock, calendar and policy apply to the case.
    app: App,
    input: CaseInput,
    entered_by: EnteredBy,
    /// Files already written for the case (the form's photos and voice), recorded with it.
    attachments: Vec<Attachment>,
    reply: oneshot::Sender<Result<Submitted>>,
}

/// The queue to an App's intake writer.
#[derive(Debug)]
pub struct Intake {
    sender: mpsc::Sender<Job>,
    stats: Arc<Stats>,
}

#[derive(Debug, Default)]
struct Stats {
    batches: AtomicU64,
    submissions: AtomicU64,
}

impl Intake {
    /// Starts the writer task on the current runtime. It holds no `App` of its own,
    /// only the jobs', and ends when the queue's last sender is dropped.
    pub fn start() -> Intake {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let stats = Arc::new(Stats::default());
        tokio::spawn(writer(receiver, stats.clone()));
        Intake { sender, stats }
    }

    /// How many transactions the writer ran, and how many submissions they carried.
    pub fn stats(&self) -> (u64, u64) {
        (self.stats.batches.load(Ordering::Relaxed), self.stats.submissions.load(Ordering::Relaxed))
    }
}

/// Records one case through the App's intake writer and waits until it is committed.
pub(super) async fn submit(
    app: &App,
    input: CaseInput,
    entered_by: EnteredBy,
    attachments: Vec<Attachment>,
) -> Result<Submitted> {
    let (reply, answer) = oneshot::channel();
    let job = Job { app: app.clone(), input, entered_by, attachments, reply };
    let stopped = || Error::Internal(anyhow::anyhow!("the intake writer has stopped"));
    app.intake().sender.send(job).await.map_err(|_| stopped())?;
    answer.await.map_err(|_| stopped())?
}

async fn writer(mut receiver: mpsc::Receiver<Job>, stats: Arc<Stats>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.submissions.fetch_add(jobs.len() as u64, Ordering::Relaxed);
        let batch = std::mem::replace(&mut jobs, Vec::with_capacity(MAX_BATCH));
        write_batch(batch).await;
    }
}

/// Records every job of the batch in one transaction and answers each.
async fn write_batch(batch: Vec<Job>) {
    let Some(first) = batch.first() else { return };
    let db = first.app.db().clone();
    let mut tx = match db.write().await {
        Ok(tx) => tx,
        Err(e) => return fail_all(batch, &e.to_string()),
    };
    let mut results = Vec::with_capacity(batch.len());
    let mut replies = Vec::with_capacity(batch.len());
    for job in batch {
        let result = record_one(&mut tx, &job.app, job.input, job.entered_by, &job.attachments).await;
        if let Err(Error::Internal(e)) = &result
            && e.downcast_ref::<sqlx::Error>().is_some_and(is_broken)
        {
            // The connection itself failed: nothing of this batch can commit.
            drop(tx);
            replies.push(job.reply);
            let reason = format!("{e:#}");
            for reply in replies {
                let _ = reply.send(Err(Error::Internal(anyhow::anyhow!("intake batch failed: {reason}"))));
            }
            return;
        }
        results.push(result);
        replies.push(job.reply);
    }
    if let Err(e) = tx.commit().await {
        let reason = e.to_string();
        for reply in replies {
            let _ = reply.send(Err(Error::Internal(anyhow::anyhow!("intake commit failed: {reason}"))));
        }
        return;
    }
    for (reply, result) in replies.into_iter().zip(results) {
        // A request that gave up waiting has no one to answer; its case is kept.
        let _ = reply.send(result);
    }
}

/// One case under its own savepoint: kept if it succeeds, undone alone if it fails.
async fn record_one(
    tx: &mut Tx,
    app: &App,
    input: CaseInput,
    entered_by: EnteredBy,
    attachments: &[Attachment],
) -> Result<Submitted> {
    db::savepoint(tx).await?;
    match record_in(app, tx, input, entered_by, attachments).await {
        Ok(submitted) => {
            db::release_savepoint(tx).await?;
            Ok(submitted)
        }
        Err(e) => {
            db::rollback_to_savepoint(tx).await?;
            Err(e)
        }
    }
}

fn is_broken(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::PoolTimedOut | sqlx::Error::WorkerCrashed)
}

fn fail_all(batch: Vec<Job>, reason: &str) {
    for job in batch {
        let _ = job.reply.send(Err(Error::Internal(anyhow::anyhow!("cannot open the intake transaction: {reason}"))));
    }
}
