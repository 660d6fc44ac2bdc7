//! Group commit for new cases: one writer task per [`App`] takes every submission
//! waiting in its queue and records them all in one transaction. First each is checked
//! and its case made, reading only (`check`: client token, addressee, meeting), so one
//! that fails gets its own error and leaves nothing behind; then the cases that passed
//! are written together, a few multi-row statements for the whole batch (`write_made`:
//! cases, history lines chained in memory after the head, notices, the cockpit's
//! counters). A request is answered "created" only after the commit that holds its
//! case returned (with SQLite's `synchronous = FULL`, on disk).
//!
//! One fsync then carries many cases: at a high rate the batches grow by themselves
//! (whatever queued during the previous commit), and at a low rate a batch is one case
//! with no added wait.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot};

use std::collections::HashMap;

use rand::RngCore;
use serde_json::json;

use super::{Submitted, new_event, notices};
use crate::actions::cockpit;
use crate::app::App;
use crate::db::aggregates::{self, Pending};
use crate::db::{self, Tx};
use crate::domain::Msg;
use crate::domain::attachment::Attachment;
use crate::domain::case::{Addressee, Case, CaseEvent, CaseInput, CaseState, format_tracking_code};
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
    content: Content,
    entered_by: EnteredBy,
    reply: oneshot::Sender<Result<Submitted>>,
}

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
}

#[derive(Debug, Default)]
struct Stats {
    batches: AtomicU64,
    submissions: AtomicU64,
}

impl Intake {
    /// Starts the writer task on the intake's own thread and runtime ([`runtime`]): a
    /// batch is a dozen round trips to the database's thread, and on the server's runtime
    /// each waited its turn behind the requests' tasks. It holds no `App` of its own, only
    /// the jobs', and ends when the queue's last sender is dropped.
    pub fn start() -> Intake {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let stats = Arc::new(Stats::default());
        let task = writer(receiver, stats.clone());
        match runtime() {
            Some(runtime) => drop(runtime.spawn(task)),
            None => drop(tokio::spawn(task)),
        }
        Intake { sender, stats }
    }

    /// How many transactions the writer ran, and how many submissions they carried.
    pub fn stats(&self) -> (u64, u64) {
        (self.stats.batches.load(Ordering::Relaxed), self.stats.submissions.load(Ordering::Relaxed))
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

async fn writer(mut receiver: mpsc::Receiver<Job>, stats: Arc<Stats>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.submissions.fetch_add(jobs.len() as u64, Ordering::Relaxed);
        let batch = std::mem::replace(&mut jobs, Vec::with_capacity(MAX_BATCH));
        write_batch(batch).await;
    }
}

/// Records every job of the batch in one transaction and answers each: first each
/// job is checked and its case made (reads only: a job that fails gets its own error
/// and leaves nothing behind), then the cases that passed are written together (one
/// multi-row INSERT for the cases, one for their history lines, one for their notices,
/// one for the cockpit's counters), then the transaction commits and each job is
/// answered. A write that fails after the checks is the database's failure, not a
/// case's: the whole batch is rolled back and every job is told so.
async fn write_batch(batch: Vec<Job>) {
    let Some(first) = batch.first() else { return };
    let (db, app) = (first.app.db().clone(), first.app.clone());
    let mut phases = Phases::new(&app, batch.len());
    let mut tx = match db.write().await {
        Ok(tx) => tx,
        Err(e) => return fail_all(batch.into_iter().map(|job| job.reply), "cannot open the intake transaction", &e),
    };
    phases.done("begin");
    let mut answers = Vec::with_capacity(batch.len());
    let mut made: Vec<Made> = Vec::with_capacity(batch.len());
    let mut lookups = Lookups::default();
    if let Err(e) = lookups.read_addressees(&mut tx, batch.iter().map(|job| &job.content.input.addressee)).await {
        return fail_all(batch.into_iter().map(|job| job.reply), "cannot read the batch's addressees", &e);
    }
    for job in batch {
        let answer = match check(&job.app, &mut tx, job.content, &job.entered_by, &mut lookups).await {
            Ok(Checked::Existing(submitted)) => Ok(submitted),
            Ok(Checked::New(case)) => {
                let submitted = Submitted {
                    case_id: case.case.id.clone(),
                    tracking_code: case.case.tracking_code.clone(),
                    created: true,
                };
                if let Some(token) = &case.client_token {
                    lookups.tokens.insert(token.clone(), Submitted { created: false, ..submitted.clone() });
                }
                made.push(*case);
                Ok(submitted)
            }
            Err(e) => Err(e),
        };
        answers.push((job.reply, answer));
    }
    phases.done("check");
    if let Err(e) = write_made(&app, &mut tx, &mut made, &lookups).await {
        return fail_all(answers.into_iter().map(|(reply, _)| reply), "intake batch failed", &e);
    }
    phases.done("write");
    // A slice of the fold in progress rides on the batch's commit (`cockpit::carry_fold`).
    let carrying = match cockpit::carry_fold(&db, &mut tx).await {
        Ok(carrying) => carrying,
        Err(e) => return fail_all(answers.into_iter().map(|(reply, _)| reply), "intake batch failed", &e),
    };
    phases.done("carry");
    if let Err(e) = tx.commit().await {
        return fail_all(answers.into_iter().map(|(reply, _)| reply), "intake commit failed", &e);
    }
    if let Some(carrying) = carrying {
        carrying.committed();
    }
    phases.done("commit");
    for (reply, answer) in answers {
        // A request that gave up waiting has no one to answer; its case is kept.
        let _ = reply.send(answer);
    }
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
    fn new(app: &'a App, cases: usize) -> Phases<'a> {
        metrics::with_local_recorder(app.metrics(), || {
            metrics::histogram!("minyi_intake_batch_cases").record(cases as f64);
        });
        Phases { app, last: std::time::Instant::now() }
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

/// A case checked and made, not yet written.
struct Made {
    case: Case,
    client_token: Option<String>,
    meeting_id: Option<String>,
    /// Its first history line, not yet numbered or linked.
    event: CaseEvent,
    /// Files already written for the case.
    attachments: Vec<Attachment>,
    /// Its hot words ([`cockpit::case_words`]).
    words: Vec<String>,
}

enum Checked {
    /// The client token had already created this case.
    Existing(Submitted),
    New(Box<Made>),
}

/// What the checks of one batch read, kept for the rest of it: nothing a batch writes
/// changes an addressee, and a client token used earlier in the batch is found here
/// (its case is not written yet).
#[derive(Default)]
struct Lookups {
    /// By (is a representative, id): the addressee if it exists and is active.
    addressees: HashMap<(bool, String), Option<Receiver>>,
    tokens: HashMap<String, Submitted>,
}

impl Lookups {
    /// Reads every addressee of a batch in two statements (representatives, units), not
    /// one a case: a province's batch reaches as many deputies as it holds cases.
    async fn read_addressees(&mut self, tx: &mut Tx, addressees: impl Iterator<Item = &Addressee>) -> Result<()> {
        let (mut rep_ids, mut unit_ids) = (Vec::new(), Vec::new());
        for addressee in addressees {
            match addressee {
                Addressee::Representative(id) => rep_ids.push(id.as_str()),
                Addressee::Unit(id) => unit_ids.push(id.as_str()),
            }
        }
        for (is_rep, ids) in [(true, &mut rep_ids), (false, &mut unit_ids)] {
            ids.sort_unstable();
            ids.dedup();
            ids.retain(|id| !self.addressees.contains_key(&(is_rep, id.to_string())));
            for id in ids.iter() {
                self.addressees.insert((is_rep, id.to_string()), None);
            }
        }
        for rep in db::representatives::get_many(tx, &rep_ids).await? {
            let key = (true, rep.id.clone());
            self.addressees.insert(key, Receiver::of_representative(rep));
        }
        for unit in db::units::get_many(tx, &unit_ids).await? {
            let key = (false, unit.id.clone());
            self.addressees.insert(key, Receiver::of_unit(unit));
        }
        Ok(())
    }
}

/// Whom a new case goes to.
#[derive(Clone)]
struct Receiver {
    representative_id: Option<String>,
    unit_id: Option<String>,
    /// The representative's or the unit's name, which its notices greet.
    name: String,
    region_id: String,
    region_path: String,
    to_studio: bool,
}

impl Receiver {
    /// The representative, if active.
    fn of_representative(rep: crate::domain::representative::Representative) -> Option<Receiver> {
        rep.input.active.then(|| Receiver {
            to_studio: rep.input.body == crate::domain::representative::Body::Cppcc,
            name: rep.input.name,
            representative_id: Some(rep.id),
            unit_id: None,
            region_id: rep.region_id,
            region_path: rep.region_path.as_str().to_string(),
        })
    }

    /// The unit, if active.
    fn of_unit(unit: crate::domain::unit::Unit) -> Option<Receiver> {
        unit.input.active.then(|| Receiver {
            to_studio: unit.input.kind == UnitKind::Studio,
            name: unit.input.name,
            representative_id: None,
            unit_id: Some(unit.id),
            region_id: unit.region_id,
            region_path: unit.region_path.as_str().to_string(),
        })
    }
}

/// Writes the cases of a batch that passed their checks, numbered and linked into the
/// history after its head, with their notices and their cockpit counters.
async fn write_made(app: &App, tx: &mut Tx, made: &mut [Made], lookups: &Lookups) -> Result<()> {
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
    let subscriptions = db::webhooks::active(tx).await?;
    let mut notices = notices::PartyNotices::default();
    know_receivers(tx, &mut notices, made, lookups).await?;
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

/// Tells `notices` the name and accounts of every receiver of the batch, the accounts
/// read in two statements (of representatives, of units).
async fn know_receivers(
    tx: &mut Tx,
    notices: &mut notices::PartyNotices,
    made: &[Made],
    lookups: &Lookups,
) -> Result<()> {
    let mut receivers: HashMap<notices::ReceiverKey, (String, Vec<String>)> = HashMap::new();
    for m in made {
        let (rep, unit) = (&m.case.representative_id, &m.case.unit_id);
        let addressee = match (rep, unit) {
            (Some(id), _) => (true, id.clone()),
            (None, Some(id)) => (false, id.clone()),
            (None, None) => continue,
        };
        if let Some(Some(receiver)) = lookups.addressees.get(&addressee) {
            receivers.entry((rep.clone(), unit.clone())).or_insert_with(|| (receiver.name.clone(), Vec::new()));
        }
    }
    let rep_ids: Vec<&str> = receivers.keys().filter_map(|(rep, _)| rep.as_deref()).collect();
    let unit_ids: Vec<&str> =
        receivers.keys().filter(|(rep, _)| rep.is_none()).filter_map(|(_, u)| u.as_deref()).collect();
    let mut accounts: Vec<(notices::ReceiverKey, String)> = Vec::new();
    for (rep, user) in db::users::ids_for_representatives(tx, &rep_ids).await? {
        accounts.push(((Some(rep), None), user));
    }
    for (unit, user) in db::users::ids_for_units(tx, &unit_ids).await? {
        accounts.push(((None, Some(unit)), user));
    }
    for (key, user) in accounts {
        if let Some((_, users)) = receivers.get_mut(&key) {
            users.push(user);
        }
    }
    for (key, (name, users)) in receivers {
        notices.know_receiver(key, name, users);
    }
    Ok(())
}

fn fail_all(replies: impl Iterator<Item = oneshot::Sender<Result<Submitted>>>, what: &str, e: &dyn std::fmt::Display) {
    let reason = format!("{what}: {e:#}");
    for reply in replies {
        let _ = reply.send(Err(Error::Internal(anyhow::anyhow!("{reason}"))));
    }
}

/// Checks one submission and makes its case, reading only: the client token (in the
/// batch so far, then in the database), the addressee, the meeting its code names.
async fn check(
    app: &App,
    tx: &mut Tx,
    content: Content,
    entered_by: &EnteredBy,
    lookups: &mut Lookups,
) -> Result<Checked> {
    let Content { input, attachments, words } = content;
    let now = app.now();
    if let Some(token) = &input.client_token {
        if let Some(earlier) = lookups.tokens.get(token) {
            return Ok(Checked::Existing(earlier.clone()));
        }
        if let Some(existing) = db::cases::by_client_token(tx, token).await? {
            let submitted = Submitted { case_id: existing.id, tracking_code: existing.tracking_code, created: false };
            return Ok(Checked::Existing(submitted));
        }
    }
    let key = match &input.addressee {
        Addressee::Representative(id) => (true, id.clone()),
        Addressee::Unit(id) => (false, id.clone()),
    };
    if !lookups.addressees.contains_key(&key) {
        lookups.read_addressees(tx, std::iter::once(&input.addressee)).await?;
    }
    let receiver = lookups.addressees[&key].clone();
    let receiver = receiver.ok_or_else(|| Error::invalid("addressee", Msg::new("err-addressee")))?;
    if let Some(meeting_id) = &input.meeting_id {
        // A meeting's code leads to its own unit's form; anything else is a stale or forged link.
        let meeting = db::meetings::get(tx, meeting_id).await?.filter(|m| !m.input.state.is_cancelled());
        if meeting.is_none_or(|m| receiver.unit_id.as_deref() != Some(m.unit_id.as_str())) {
            return Err(Error::invalid("meeting_id", Msg::new("err-meeting")));
        }
    }
    let today = app.today();
    let (ack_due, answer_due) =
        case_dues(&app.policy(), &app.calendar(), today, receiver.to_studio).map_err(|e| Error::Internal(e.into()))?;
    let case = Case {
        id: db::new_id(),
        tracking_code: new_tracking_code(),
        channel: input.channel,
        state: CaseState::Received,
        resume_state: None,
        representative_id: receiver.representative_id,
        unit_id: receiver.unit_id,
        region_id: receiver.region_id,
        region_path: receiver.region_path,
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
    let data = json!({"channel": case.channel.as_str(), "category": case.category, "ack_due": case.ack_due.to_string(),
        "answer_due": answer_due.to_string()});
    let (kind, id, name) = entered_by;
    let event = new_event(&case, now, (kind, id, name), "submit", "", &case.body, data);
    let made = Made { case, client_token: input.client_token, meeting_id: input.meeting_id, event, attachments, words };
    Ok(Checked::New(Box::new(made)))
}

fn new_tracking_code() -> String {
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    format_tracking_code(&bytes)
}
