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

use super::{Submitted, append_uncounted, new_event, notices};
use crate::actions::cockpit;
use crate::app::App;
use crate::db::aggregates::{self, Additions};
use crate::db::{self, Tx};
use crate::domain::attachment::Attachment;
use rand::RngCore;
use serde_json::json;

use crate::domain::Msg;
use crate::domain::case::{Addressee, Case, CaseInput, CaseState, format_tracking_code};
use crate::domain::deadline::case_dues;
use crate::domain::unit::UnitKind;
use crate::domain::workflow::Recipient;
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
    // The cockpit's counters of every case kept, summed: cases of one region share
    // most of their rows, so the batch writes each row once.
    let mut counters = Additions::default();
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
        results.push(result.map(|(submitted, additions)| {
            counters.absorb(additions);
            submitted
        }));
        replies.push(job.reply);
    }
    let committed = match aggregates::apply(&mut tx, &counters).await {
        Ok(()) => tx.commit().await,
        Err(e) => Err(e),
    };
    if let Err(e) = committed {
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
) -> Result<(Submitted, Additions)> {
    db::savepoint(tx).await?;
    match record_in(app, tx, input, entered_by, attachments).await {
        Ok(recorded) => {
            db::release_savepoint(tx).await?;
            Ok(recorded)
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

/// Records one new case inside `tx`: the intake writer's shared transaction, which
/// every new case goes through (it commits many at once). Returns what the case adds to
/// the cockpit's counters, for the writer to add with the rest of its batch.
async fn record_in(
    app: &App,
    tx: &mut Tx,
    input: CaseInput,
    entered_by: EnteredBy,
    attachments: &[crate::domain::attachment::Attachment],
) -> Result<(Submitted, Additions)> {
    let now = app.now();
    if let Some(token) = &input.client_token
        && let Some(existing) = db::cases::by_client_token(tx, token).await?
    {
        let submitted = Submitted { case_id: existing.id, tracking_code: existing.tracking_code, created: false };
        return Ok((submitted, Additions::default()));
    }
    let (representative_id, unit_id, region_id, region_path, to_studio) = match &input.addressee {
        Addressee::Representative(id) => {
            let rep = db::representatives::get(tx, id).await?.filter(|r| r.input.active);
            let rep = rep.ok_or_else(|| Error::invalid("addressee", Msg::new("err-addressee")))?;
            let studio = rep.input.body == crate::domain::representative::Body::Cppcc;
            (Some(rep.id), None, rep.region_id, rep.region_path, studio)
        }
        Addressee::Unit(id) => {
            let unit = db::units::get(tx, id).await?.filter(|u| u.input.active);
            let unit = unit.ok_or_else(|| Error::invalid("addressee", Msg::new("err-addressee")))?;
            let studio = unit.input.kind == UnitKind::Studio;
            (None, Some(unit.id), unit.region_id, unit.region_path, studio)
        }
    };
    if let Some(meeting_id) = &input.meeting_id {
        // A meeting's code leads to its own unit's form; anything else is a stale or forged link.
        let meeting = db::meetings::get(tx, meeting_id).await?.filter(|m| !m.input.state.is_cancelled());
        if meeting.is_none_or(|m| unit_id.as_deref() != Some(m.unit_id.as_str())) {
            return Err(Error::invalid("meeting_id", Msg::new("err-meeting")));
        }
    }
    let today = app.today();
    let (ack_due, answer_due) =
        case_dues(&app.policy(), &app.calendar(), today, to_studio).map_err(|e| Error::Internal(e.into()))?;
    let case = Case {
        id: db::new_id(),
        tracking_code: new_tracking_code(),
        channel: input.channel,
        state: CaseState::Received,
        resume_state: None,
        representative_id,
        unit_id,
        region_id,
        region_path: region_path.as_str().to_string(),
        category: input.category.clone(),
        title: input.title(),
        body: input.body.clone(),
        citizen_name: if input.anonymous { String::new() } else { input.citizen_name.clone() },
        citizen_mobile: input.citizen_mobile.as_ref().map(|m| m.as_str().to_string()).unwrap_or_default(),
        anonymous: input.anonymous,
        address: input.address.clone(),
        location: input.location,
        ack_due,
        answer_due: Some(answer_due),
        acknowledged_at: None,
        answer: String::new(),
        answered_at: None,
        rating_until: None,
        citizen_grade: None,
        reopen_count: 0,
        merged_into: None,
        version: 1,
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    db::cases::insert(tx, &case, input.client_token.as_deref()).await?;
    db::attachments::insert_for_case(tx, &case.id, attachments, now).await?;
    if let Some(meeting_id) = &input.meeting_id {
        db::meetings::link_case(tx, &case.id, meeting_id).await?;
    }
    let data = json!({"channel": case.channel.as_str(), "category": case.category, "ack_due": case.ack_due.to_string(),
        "answer_due": answer_due.to_string()});
    let (kind, id, name) = &entered_by;
    let event = new_event(&case, now, (kind, id, name), "submit", "", &case.body, data);
    let event = append_uncounted(tx, event, now).await?;
    let detail = notices::NoticeDetail { reason: "", grade: "", due: Some(case.ack_due) };
    notices::notify_party(tx, &case, &Recipient::Receiver, "case_new", &detail, now).await?;
    let additions = cockpit::submission_additions(&case, &event);
    Ok((Submitted { case_id: case.id, tracking_code: case.tracking_code, created: true }, additions))
}

fn new_tracking_code() -> String {
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    format_tracking_code(&bytes)
}
