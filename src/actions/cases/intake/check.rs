//! The first stage of the intake: each submission of a batch checked and its case made,
//! reading only, on a reading connection, while the batch before it is written
//! ([`super::committer`]). A client token is looked for in the batch so far, then among the
//! cases of batches checked but not yet committed ([`InFlight`]), then in the database, in
//! that order: a batch's tokens leave `InFlight` only after its commit, so a token not
//! found there is either committed, and read, or new.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rand::RngCore;
use serde_json::json;

use super::{Content, EnteredBy, Job, Reply};
use crate::actions::cases::notices::ReceiverKey;
use crate::actions::cases::{Submitted, new_event};
use crate::app::App;
use crate::db::webhooks::Subscription;
use crate::db::{self, Tx};
use crate::domain::Msg;
use crate::domain::attachment::Attachment;
use crate::domain::case::{Addressee, Case, CaseEvent, CaseState, format_tracking_code};
use crate::domain::deadline::case_dues;
use crate::domain::unit::UnitKind;
use crate::error::{Error, Result};

/// The client tokens of the cases made by batches checked but not yet committed, with
/// what a repeat of each is answered.
pub(super) type InFlight = Arc<Mutex<HashMap<String, Submitted>>>;

/// A batch checked: its cases made, on their way to the committer.
pub(super) struct Batch {
    /// The App of the batch's first job: its database and metrics.
    pub app: App,
    pub made: Vec<Made>,
    /// What the committer needs read, read here.
    pub read: Read,
    /// Answered once the batch is committed.
    pub answers: Vec<(Reply, Answer)>,
}

/// What writing a checked batch needs read, read beside the checks rather than by the committer,
/// a round trip to the database's thread less each: the active webhook subscriptions, and the
/// name and accounts of every receiver of its cases, for their notices.
pub(super) struct Read {
    pub subscriptions: Vec<Subscription>,
    pub receivers: HashMap<ReceiverKey, (String, Vec<String>)>,
}

/// What a job of a checked batch is answered once the batch is committed.
pub(super) enum Answer {
    /// Its new case, in this batch.
    New(Submitted),
    /// Its token's case, made by an earlier batch that was not committed when this one was
    /// checked: answered only if that batch's commit did not fail.
    Repeat(Submitted),
}

/// Checks every job of `jobs` on one reading connection. A job that fails its check, or
/// repeats a token whose case is committed, is answered at once; the others go into the
/// batch, and the tokens of its new cases into `in_flight`. `None` if nothing is left to
/// write or answer.
pub(super) async fn batch(jobs: Vec<Job>, in_flight: &InFlight) -> Option<Batch> {
    let app = jobs.first()?.app.clone();
    let mut tx = match app.db().read_alone().await {
        Ok(tx) => tx,
        Err(e) => return fail_all(jobs, "cannot read for the intake's checks", &e),
    };
    let mut lookups = Lookups::default();
    if let Err(e) = lookups.read_addressees(&mut tx, jobs.iter().map(|job| &job.content.input.addressee)).await {
        return fail_all(jobs, "cannot read the batch's addressees", &e);
    }
    let (mut made, mut answers) = (Vec::with_capacity(jobs.len()), Vec::with_capacity(jobs.len()));
    for job in jobs {
        match check(&job.app, &mut tx, job.content, &job.entered_by, &mut lookups, in_flight).await {
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
                answers.push((job.reply, Answer::New(submitted)));
            }
            Ok(Checked::InBatch(submitted)) => answers.push((job.reply, Answer::New(submitted))),
            Ok(Checked::InFlight(submitted)) => answers.push((job.reply, Answer::Repeat(submitted))),
            // A case already committed, or an error: nothing of it waits for this batch.
            Ok(Checked::Committed(submitted)) => drop(job.reply.send(Ok(submitted))),
            Err(e) => drop(job.reply.send(Err(e))),
        }
    }
    if answers.is_empty() {
        return None;
    }
    let read = match read(&mut tx, &made, &lookups).await {
        Ok(read) => read,
        Err(e) => {
            super::fail_all(answers.into_iter().map(|(reply, _)| reply), "cannot read the batch's receivers", &e);
            return None;
        }
    };
    let mut waiting = in_flight.lock().unwrap_or_else(|e| e.into_inner());
    waiting.extend(lookups.tokens.drain());
    drop(waiting);
    Some(Batch { app, made, read, answers })
}

/// The subscriptions, and the name and accounts of every receiver of the batch, the accounts
/// read in two statements (of representatives, of units).
async fn read(tx: &mut Tx, made: &[Made], lookups: &Lookups) -> Result<Read> {
    let subscriptions = db::webhooks::active(tx).await?;
    let mut receivers: HashMap<ReceiverKey, (String, Vec<String>)> = HashMap::new();
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
    let mut accounts: Vec<(ReceiverKey, String)> = Vec::new();
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
    Ok(Read { subscriptions, receivers })
}

fn fail_all(jobs: Vec<Job>, what: &str, e: &dyn std::fmt::Display) -> Option<Batch> {
    super::fail_all(jobs.into_iter().map(|job| job.reply), what, e);
    None
}

/// A case checked and made, not yet written.
pub(super) struct Made {
    pub case: Case,
    pub client_token: Option<String>,
    pub meeting_id: Option<String>,
    /// Its first history line, not yet numbered or linked.
    pub event: CaseEvent,
    /// Files already written for the case.
    pub attachments: Vec<Attachment>,
    /// Its hot words ([`cockpit::case_words`]).
    pub words: Vec<String>,
}

enum Checked {
    New(Box<Made>),
    /// The client token had already created this case, earlier in the batch.
    InBatch(Submitted),
    /// ... in a batch checked but not yet committed.
    InFlight(Submitted),
    /// ... in a case already committed.
    Committed(Submitted),
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

/// Checks one submission and makes its case, reading only: the client token (in the
/// batch so far, then among the batches in flight, then in the database), the addressee,
/// the meeting its code names.
async fn check(
    app: &App,
    tx: &mut Tx,
    content: Content,
    entered_by: &EnteredBy,
    lookups: &mut Lookups,
    in_flight: &InFlight,
) -> Result<Checked> {
    let Content { input, attachments, words } = content;
    let now = app.now();
    if let Some(token) = &input.client_token {
        if let Some(earlier) = lookups.tokens.get(token) {
            return Ok(Checked::InBatch(earlier.clone()));
        }
        // Looked for among the batches not yet committed before the database: see the module's note.
        if let Some(earlier) = in_flight.lock().unwrap_or_else(|e| e.into_inner()).get(token) {
            return Ok(Checked::InFlight(earlier.clone()));
        }
        if let Some(existing) = db::cases::by_client_token(tx, token).await? {
            let submitted = Submitted { case_id: existing.id, tracking_code: existing.tracking_code, created: false };
            return Ok(Checked::Committed(submitted));
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
