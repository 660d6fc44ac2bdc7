//! Group commit for new cases, in two stages that overlap. The checker takes every
//! submission waiting in the App's queue, checks each and makes its case, reading only, on
//! a reading connection (`check`: client token, addressee, meeting), so one that fails gets
//! its own error and leaves nothing behind. The committer then writes the cases that passed
//! in one transaction, a few multi-row statements for the whole batch (`write_made`: cases,
//! history lines chained in memory after the head, notices, the cockpit's counters), while
//! the checker checks the next batch. A request is answered "created" only after the commit
//! that holds its case returned (with SQLite's `synchronous = FULL`, on disk).
//!
//! One fsync then carries many cases: at a high rate the batches grow by themselves
//! (whatever queued during the previous commit), and at a low rate a batch is one case
//! with no added wait.

mod check;

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot};

use self::check::{Answer, Batch, InFlight, Made, Read};
use super::{Submitted, notices};
use crate::actions::cockpit;
use crate::app::App;
use crate::db::aggregates::{self, Pending};
use crate::db::{self, Tx};
use crate::domain::attachment::Attachment;
use crate::domain::case::CaseInput;
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
    content: Content,
    entered_by: EnteredBy,
    reply: Reply,
}

/// Where a submission's answer goes.
type Reply = oneshot::Sender<Result<Submitted>>;

/// What a submission brings: the form, and what the request's task made of it already.
struct Content {
    input: CaseInput,
    /// Files already written for the case (the form's photos and voice), recorded with it.
    attachments: Vec<Attachment>,
    /// The case's hot words ([`cockpit::case_words`]), segmented in the request's task.
    words: Vec<String>,
}

/// The queue to an App's intake writer.
#[derive(Debug)]
pub struct Intake {
    sender: mpsc::Sender<Job>,
    stats: Arc<Stats>,
    in_flight: InFlight,
}

#[derive(Debug, Default)]
struct Stats {
    batches: AtomicU64,
    submissions: AtomicU64,
}

impl Intake {
    /// Starts the checker and the committer on the intake's own thread and runtime
    /// ([`runtime`]): a batch is a dozen round trips to the database's threads, and on the
    /// server's runtime each waited its turn behind the requests' tasks. They hold no `App`
    /// of their own, only the jobs', and end when the queue's last sender is dropped.
    pub fn start() -> Intake {
        let (sender, receiver) = mpsc::channel(QUEUE);
        // One checked batch waits for the committer at most: the checker takes the next
        // jobs only once the committer has started on the batch before.
        let (to_committer, checked) = mpsc::channel(1);
        let stats = Arc::new(Stats::default());
        let in_flight = InFlight::default();
        let tasks =
            (checker(receiver, to_committer, stats.clone(), in_flight.clone()), committer(checked, in_flight.clone()));
        match runtime() {
            Some(runtime) => {
                drop(runtime.spawn(tasks.0));
                drop(runtime.spawn(tasks.1));
            }
            None => {
                drop(tokio::spawn(tasks.0));
                drop(tokio::spawn(tasks.1));
            }
        }
        Intake { sender, stats, in_flight }
    }

    /// How many batches the checker took, and how many submissions they carried.
    pub fn stats(&self) -> (u64, u64) {
        (self.stats.batches.load(Ordering::Relaxed), self.stats.submissions.load(Ordering::Relaxed))
    }

    /// How many client tokens have a case checked and made, not yet committed.
    pub fn tokens_in_flight(&self) -> usize {
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// The runtime every intake writer runs on, on a thread of its own, started once and
/// never shut down: a PostgreSQL connection the writer opens is registered with it and
/// goes back to the pool for any task to use, so it must outlive every `App`. `None` if
/// the thread could not be started (the writers then run on the caller's runtime).
fn runtime() -> Option<&'static tokio::runtime::Handle> {
    static HANDLE: std::sync::OnceLock<Option<tokio::runtime::Handle>> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let (handle, started) = std::sync::mpsc::channel();
            let thread = std::thread::Builder::new().name("minyi-intake".to_string()).spawn(move || {
                match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(runtime) => {
                        let _ = handle.send(Some(runtime.handle().clone()));
                        runtime.block_on(std::future::pending::<()>());
                    }
                    Err(e) => {
                        tracing::error!("cannot start the intake writers' runtime: {e}");
                        let _ = handle.send(None);
                    }
                }
            });
            match thread {
                Ok(_) => started.recv().ok().flatten(),
                Err(e) => {
                    tracing::error!("cannot start the intake writers' thread: {e}");
                    None
                }
            }
        })
        .as_ref()
}

/// Records one case through the App's intake writer and waits until it is committed.
pub(super) async fn submit(
    app: &App,
    input: CaseInput,
    entered_by: EnteredBy,
    attachments: Vec<Attachment>,
) -> Result<Submitted> {
    let (reply, answer) = oneshot::channel();
    // Word segmentation is the costliest part of a new case: done here, in parallel,
    // it keeps the one writer's time for the database.
    let words = cockpit::case_words(&input.title(), &input.body);
    let job = Job { app: app.clone(), content: Content { input, attachments, words }, entered_by, reply };
    let stopped = || Error::Internal(anyhow::anyhow!("the intake writer has stopped"));
    app.intake().sender.send(job).await.map_err(|_| stopped())?;
    answer.await.map_err(|_| stopped())?
}

/// Takes the jobs waiting, checks them ([`check::batch`]) and hands the batch to the
/// committer, once the committer has taken the batch before.
async fn checker(
    mut receiver: mpsc::Receiver<Job>,
    to_committer: mpsc::Sender<Batch>,
    stats: Arc<Stats>,
    in_flight: InFlight,
) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    // Room for one batch means the committer took the one before: jobs that queued while it
    // was written make the next batch.
    while let Ok(room) = to_committer.reserve().await {
        if receiver.recv_many(&mut jobs, MAX_BATCH).await == 0 {
            break;
        }
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.submissions.fetch_add(jobs.len() as u64, Ordering::Relaxed);
        let batch = std::mem::replace(&mut jobs, Vec::with_capacity(MAX_BATCH));
        let app = batch[0].app.clone();
        let mut phases = Phases::new(&app);
        phases.cases(batch.len());
        let checked = check::batch(batch, &in_flight).await;
        phases.done("check");
        if let Some(checked) = checked {
            room.send(checked);
        }
    }
}

/// Writes each checked batch in its own transaction and answers its jobs.
async fn committer(mut checked: mpsc::Receiver<Batch>, in_flight: InFlight) {
    let mut failed = Failed::default();
    while let Some(batch) = checked.recv().await {
        write_batch(batch, &in_flight, &mut failed).await;
    }
}

/// The cases of the last few batches whose commit failed: a repeat of a token checked while
/// one of them was in flight is told to send again, not given a case that is not there.
#[derive(Default)]
struct Failed {
    /// One entry a batch, the newest last; a batch checked is at most two behind the one committed.
    batches: VecDeque<Vec<String>>,
}

impl Failed {
    const KEPT: usize = 4;

    fn note(&mut self, case_ids: Vec<String>) {
        if self.batches.len() == Self::KEPT {
            self.batches.pop_front();
        }
        self.batches.push_back(case_ids);
    }

    fn has(&self, case_id: &str) -> bool {
        self.batches.iter().flatten().any(|id| id == case_id)
    }
}

/// Records the cases of a checked batch in one transaction and answers its jobs. A write
/// that fails is the database's failure, not a case's: the whole batch is rolled back and
/// every job is told so. The batch's tokens leave `in_flight` once its commit has returned,
/// either way.
async fn write_batch(batch: Batch, in_flight: &InFlight, failed: &mut Failed) {
    let Batch { app, mut made, read, answers } = batch;
    let written = write(&app, &mut made, read).await;
    {
        let mut waiting = in_flight.lock().unwrap_or_else(|e| e.into_inner());
        for token in made.iter().filter_map(|m| m.client_token.as_ref()) {
            waiting.remove(token);
        }
    }
    let unsaved = match &written {
        Ok(()) => Vec::new(),
        Err(_) => made.into_iter().map(|m| m.case.id).collect(),
    };
    failed.note(unsaved);
    if let Err((what, e)) = written {
        return fail_all(answers.into_iter().map(|(reply, _)| reply), what, &e);
    }
    for (reply, answer) in answers {
        let answer = match answer {
            Answer::New(submitted) => Ok(submitted),
            Answer::Repeat(submitted) if failed.has(&submitted.case_id) => {
                Err(Error::Internal(anyhow::anyhow!("the case this client token made was not saved; send it again")))
            }
            Answer::Repeat(submitted) => Ok(submitted),
        };
        // A request that gave up waiting has no one to answer; its case is kept.
        let _ = reply.send(answer);
    }
}

/// Writes the cases made, and a slice of the fold in progress, in one transaction.
async fn write(app: &App, made: &mut [Made], read: Read) -> std::result::Result<(), (&'static str, Error)> {
    let db = app.db().clone();
    let mut phases = Phases::new(app);
    let mut tx = db.write().await.map_err(|e| ("cannot open the intake transaction", e.into()))?;
    phases.done("begin");
    write_made(app, &mut tx, made, read).await.map_err(|e| ("intake batch failed", e))?;
    phases.done("write");
    // A slice of the fold in progress rides on the batch's commit (`cockpit::carry_fold`).
    let carrying = cockpit::carry_fold(&db, &mut tx).await.map_err(|e| ("intake batch failed", e))?;
    phases.done("carry");
    tx.commit().await.map_err(|e| ("intake commit failed", e.into()))?;
    if let Some(carrying) = carrying {
        carrying.committed();
    }
    phases.done("commit");
    Ok(())
}

/// Where a batch's time goes, for `/metrics`: `minyi_intake_batch_cases` (how many
/// submissions a transaction carried) and `minyi_intake_phase_seconds` by phase (`begin`:
/// waiting for the writer connection; `check`; `write`; `carry`, a slice of the fold in
/// progress; `commit`, with its fsync).
struct Phases<'a> {
    app: &'a App,
    last: std::time::Instant,
}

impl<'a> Phases<'a> {
    fn new(app: &'a App) -> Phases<'a> {
        Phases { app, last: std::time::Instant::now() }
    }

    /// Records how many submissions a batch took.
    fn cases(&self, cases: usize) {
        metrics::with_local_recorder(self.app.metrics(), || {
            metrics::histogram!("minyi_intake_batch_cases").record(cases as f64);
        });
    }

    fn done(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        let seconds = (now - self.last).as_secs_f64();
        self.last = now;
        metrics::with_local_recorder(self.app.metrics(), || {
            metrics::histogram!("minyi_intake_phase_seconds", "phase" => phase).record(seconds);
        });
    }
}

/// Writes the cases of a batch that passed their checks, numbered and linked into the
/// history after its head, with their notices and their cockpit counters.
async fn write_made(app: &App, tx: &mut Tx, made: &mut [Made], read: Read) -> Result<()> {
    if made.is_empty() {
        return Ok(());
    }
    let now = app.now();
    let mut head = db::cases::claim_chain(tx).await?;
    for m in made.iter_mut() {
        db::cases::link(&mut m.event, &mut head);
    }
    let cases: Vec<_> = made.iter().map(|m| (&m.case, m.client_token.as_deref())).collect();
    db::cases::insert_many(tx, &cases).await?;
    let events: Vec<_> = made.iter().map(|m| &m.event).collect();
    db::cases::insert_events(tx, &events).await?;
    db::cases::move_chain(tx, &head).await?;
    let Read { subscriptions, receivers } = read;
    let mut notices = notices::PartyNotices::default();
    for (key, (name, users)) in receivers {
        notices.know_receiver(key, name, users);
    }
    // The cockpit's counters of every case, and its place among the open cases by due day,
    // are added by a fold of thousands of cases (`cockpit::fold_pending`); a case adds one
    // row here, where its counters would add some eighty all over the counter tables.
    let mut pending = Vec::with_capacity(made.len());
    for m in made.iter() {
        db::attachments::insert_for_case(tx, &m.case.id, &m.attachments, m.case.created_at).await?;
        if let Some(meeting_id) = &m.meeting_id {
            db::meetings::link_case(tx, &m.case.id, meeting_id).await?;
        }
        crate::notify::subscriptions::enqueue_to(tx, &subscriptions, &m.event, m.case.created_at).await?;
        let detail = notices::NoticeDetail { reason: "", grade: "", due: Some(m.case.ack_due) };
        notices.add(tx, &m.case, &Recipient::Receiver, "case_new", &detail, m.case.created_at).await?;
        let open = db::open_due::filed(&m.case).map(|(path, due)| (path.to_string(), due));
        pending.push(Pending { seq: m.event.seq, case_id: m.case.id.clone(), words: m.words.clone(), open });
    }
    notices.write(tx, now).await?;
    aggregates::defer(tx, &pending).await?;
    Ok(())
}

fn fail_all(replies: impl Iterator<Item = oneshot::Sender<Result<Submitted>>>, what: &str, e: &dyn std::fmt::Display) {
    let reason = format!("{what}: {e:#}");
    for reply in replies {
        let _ = reply.send(Err(Error::Internal(anyhow::anyhow!("{reason}"))));
    }
}
