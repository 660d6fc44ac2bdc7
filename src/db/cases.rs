//! Cases, assignments, and the hash-chained history.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::{DbResult, Tx};
use crate::domain::case::{Assignment, AssignmentRole, AssignmentState, Case, CaseEvent, CaseState, Channel, Grade};

mod inbox;
mod many;
mod whole;
pub use inbox::{
    ExportKey, InboxFilter, InboxKey, Narrowing, export_page, inbox, inbox_after, inbox_count, open_due_between,
};
pub use many::{events_by_seq, get_many};
pub use whole::{CaseKey, WholeCase, whole};

pub(super) fn date(raw: &str) -> DbResult<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|e| sqlx::Error::Decode(format!("bad date {raw}: {e}").into()))
}

fn opt_date(raw: Option<String>) -> DbResult<Option<NaiveDate>> {
    raw.as_deref().map(date).transpose()
}

pub fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("bad stored {what}").into())
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: String,
    tracking_code: String,
    channel: String,
    state: String,
    resume_state: Option<String>,
    representative_id: Option<String>,
    unit_id: Option<String>,
    region_id: String,
    region_path: String,
    category: String,
    title: String,
    body: String,
    citizen_name: String,
    citizen_mobile: String,
    anonymous: bool,
    address: String,
    ack_due: String,
    answer_due: Option<String>,
    acknowledged_at: Option<i64>,
    answer: String,
    answered_at: Option<i64>,
    rating_until: Option<String>,
    citizen_grade: Option<String>,
    reopen_count: i64,
    merged_into: Option<String>,
    version: i64,
    created_at: i64,
    updated_at: i64,
    closed_at: Option<i64>,
    latitude_e6: Option<i64>,
    longitude_e6: Option<i64>,
}

impl CaseRow {
    fn into_case(self) -> DbResult<Case> {
        Ok(Case {
            channel: Channel::parse("channel", &self.channel).map_err(|_| corrupt("channel"))?,
            state: CaseState::parse(&self.state).ok_or_else(|| corrupt("state"))?,
            resume_state: self
                .resume_state
                .as_deref()
                .map(|s| CaseState::parse(s).ok_or_else(|| corrupt("state")))
                .transpose()?,
            ack_due: date(&self.ack_due)?,
            answer_due: opt_date(self.answer_due)?,
            rating_until: opt_date(self.rating_until)?,
            citizen_grade: self
                .citizen_grade
                .as_deref()
                .map(|g| Grade::parse("grade", g).map_err(|_| corrupt("grade")))
                .transpose()?,
            location: match (self.latitude_e6, self.longitude_e6) {
                (Some(lat_e6), Some(lng_e6)) => Some(crate::domain::case::Location { lat_e6, lng_e6 }),
                _ => None,
            },
            id: self.id,
            tracking_code: self.tracking_code,
            representative_id: self.representative_id,
            unit_id: self.unit_id,
            region_id: self.region_id,
            region_path: self.region_path,
            category: self.category,
            title: self.title,
            body: self.body,
            citizen_name: self.citizen_name,
            citizen_mobile: self.citizen_mobile,
            anonymous: self.anonymous,
            address: self.address,
            acknowledged_at: self.acknowledged_at,
            answer: self.answer,
            answered_at: self.answered_at,
            reopen_count: self.reopen_count,
            merged_into: self.merged_into,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            closed_at: self.closed_at,
        })
    }
}

/// Writes new cases, each with its client token if it has one: one multi-row INSERT
/// for up to [`super::MAX_BINDS`] values (the intake writer's batch, or synth's). The
/// open cases by due day (`super::open_due`) are the caller's to count: synth adds them at
/// once ([`super::open_due::added`]), the intake leaves them to the cockpit's fold.
pub async fn insert_many(tx: &mut Tx, cases: &[(&Case, Option<&str>)]) -> DbResult<()> {
    bulk_insert!(
        tx,
        "INSERT INTO cases (id, tracking_code, client_token, channel, state, resume_state, representative_id, unit_id,
             region_id, region_path, category, title, body, citizen_name, citizen_mobile, anonymous, address, ack_due,
             answer_due, acknowledged_at, answer, answered_at, rating_until, citizen_grade, reopen_count, merged_into,
             version, created_at, updated_at, closed_at, latitude_e6, longitude_e6) ",
        32,
        cases,
        |b, pair| {
            let (c, client_token) = pair;
            b.push_bind(&c.id)
                .push_bind(&c.tracking_code)
                .push_bind(*client_token)
                .push_bind(c.channel.as_str())
                .push_bind(c.state.as_str())
                .push_bind(c.resume_state.map(CaseState::as_str))
                .push_bind(c.representative_id.as_deref())
                .push_bind(c.unit_id.as_deref())
                .push_bind(&c.region_id)
                .push_bind(&c.region_path)
                .push_bind(&c.category)
                .push_bind(&c.title)
                .push_bind(&c.body)
                .push_bind(&c.citizen_name)
                .push_bind(&c.citizen_mobile)
                .push_bind(c.anonymous)
                .push_bind(&c.address)
                .push_bind(date_text(c.ack_due))
                .push_bind(c.answer_due.map(date_text))
                .push_bind(c.acknowledged_at)
                .push_bind(&c.answer)
                .push_bind(c.answered_at)
                .push_bind(c.rating_until.map(date_text))
                .push_bind(c.citizen_grade.map(Grade::as_str))
                .push_bind(c.reopen_count)
                .push_bind(c.merged_into.as_deref())
                .push_bind(c.version)
                .push_bind(c.created_at)
                .push_bind(c.updated_at)
                .push_bind(c.closed_at)
                .push_bind(c.location.map(|l| l.lat_e6))
                .push_bind(c.location.map(|l| l.lng_e6));
        }
    );
    Ok(())
}

/// Writes a case's changed fields if nobody changed it since `case.version - 1`;
/// returns false when someone did (the caller reports a conflict). Moves the count of
/// open cases by due day (`super::open_due`) from what the stored case counted to what
/// `case` counts.
pub async fn update(tx: &mut Tx, case: &Case) -> DbResult<bool> {
    let Some(before) = get(tx, &case.id).await? else { return Ok(false) };
    let touched = exec!(
        tx,
        "UPDATE cases SET state = $3, resume_state = $4, acknowledged_at = $5, answer = $6, answered_at = $7,
             rating_until = $8, citizen_grade = $9, reopen_count = $10, merged_into = $11, version = $2,
             updated_at = $12, closed_at = $13, answer_due = $14
         WHERE id = $1 AND version = $2 - 1",
        &case.id,
        case.version,
        case.state.as_str(),
        case.resume_state.map(CaseState::as_str),
        case.acknowledged_at,
        &case.answer,
        case.answered_at,
        case.rating_until.map(date_text),
        case.citizen_grade.map(Grade::as_str),
        case.reopen_count,
        case.merged_into.as_deref(),
        case.updated_at,
        case.closed_at,
        case.answer_due.map(date_text)
    )?;
    if touched != 1 {
        return Ok(false);
    }
    let (was, is) = (super::open_due::filed(&before), super::open_due::filed(case));
    if was != is {
        let changes: Vec<_> = was.map(|(p, d)| (p, d, -1)).into_iter().chain(is.map(|(p, d)| (p, d, 1))).collect();
        super::open_due::moved(tx, &changes).await?;
    }
    Ok(true)
}

pub async fn get(tx: &mut Tx, id: &str) -> DbResult<Option<Case>> {
    row!(tx, CaseRow, "SELECT * FROM cases WHERE id = $1", id)?.map(CaseRow::into_case).transpose()
}

pub async fn by_tracking_code(tx: &mut Tx, code: &str) -> DbResult<Option<Case>> {
    row!(tx, CaseRow, "SELECT * FROM cases WHERE tracking_code = $1", code)?.map(CaseRow::into_case).transpose()
}

/// The latest cases sent with this mobile number (the citizen's "my cases").
pub async fn by_mobile(tx: &mut Tx, mobile: &str, limit: i64) -> DbResult<Vec<Case>> {
    rows!(
        tx,
        CaseRow,
        "SELECT * FROM cases WHERE citizen_mobile = $1 ORDER BY created_at DESC LIMIT $2",
        mobile,
        limit
    )?
    .into_iter()
    .map(CaseRow::into_case)
    .collect()
}

pub async fn by_client_token(tx: &mut Tx, token: &str) -> DbResult<Option<Case>> {
    row!(tx, CaseRow, "SELECT * FROM cases WHERE client_token = $1", token)?.map(CaseRow::into_case).transpose()
}

#[derive(sqlx::FromRow, serde::Deserialize)]
struct AssignmentRow {
    id: String,
    case_id: String,
    department_id: String,
    department_name: String,
    role: String,
    state: String,
    due_date: String,
    requested_due: Option<String>,
    note: String,
    result: String,
    grade: Option<String>,
    rework_count: i64,
    #[serde(deserialize_with = "whole::json_bool")]
    returned: bool,
    created_at: i64,
    submitted_at: Option<i64>,
    completed_at: Option<i64>,
}

impl AssignmentRow {
    fn into_assignment(self) -> DbResult<Assignment> {
        Ok(Assignment {
            role: AssignmentRole::parse(&self.role).ok_or_else(|| corrupt("role"))?,
            state: AssignmentState::parse(&self.state).ok_or_else(|| corrupt("assignment state"))?,
            due: date(&self.due_date)?,
            requested_due: opt_date(self.requested_due)?,
            grade: self.grade.as_deref().map(|g| Grade::parse("grade", g).map_err(|_| corrupt("grade"))).transpose()?,
            id: self.id,
            case_id: self.case_id,
            department_id: self.department_id,
            department_name: self.department_name,
            note: self.note,
            result: self.result,
            rework_count: self.rework_count,
            returned: self.returned,
            created_at: self.created_at,
            submitted_at: self.submitted_at,
            completed_at: self.completed_at,
        })
    }
}

pub async fn assignments(tx: &mut Tx, case_id: &str) -> DbResult<Vec<Assignment>> {
    let rows = rows!(
        tx,
        AssignmentRow,
        "SELECT a.id, a.case_id, a.department_id, d.name AS department_name, a.role, a.state, a.due_date,
             a.requested_due, a.note, a.result, a.grade, a.rework_count, a.returned, a.created_at, a.submitted_at,
             a.completed_at
         FROM assignments a JOIN departments d ON d.id = a.department_id
         WHERE a.case_id = $1 ORDER BY a.created_at, a.id",
        case_id
    )?;
    rows.into_iter().map(AssignmentRow::into_assignment).collect()
}

pub async fn insert_assignment(tx: &mut Tx, a: &Assignment) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO assignments (id, case_id, department_id, role, state, due_date, requested_due, note, result, grade,
             rework_count, returned, created_at, updated_at, submitted_at, completed_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, '', NULL, 0, FALSE, $8, $8, NULL, NULL)",
        &a.id,
        &a.case_id,
        &a.department_id,
        a.role.as_str(),
        a.state.as_str(),
        date_text(a.due),
        &a.note,
        a.created_at
    )?;
    Ok(())
}

pub async fn update_assignment(tx: &mut Tx, a: &Assignment, now: i64) -> DbResult<u64> {
    exec!(
        tx,
        "UPDATE assignments SET state = $2, due_date = $3, requested_due = $4, result = $5, grade = $6,
             rework_count = $7, returned = $8, submitted_at = $9, completed_at = $10, updated_at = $11
         WHERE id = $1",
        &a.id,
        a.state.as_str(),
        date_text(a.due),
        a.requested_due.map(date_text),
        &a.result,
        a.grade.map(Grade::as_str),
        a.rework_count,
        a.returned,
        a.submitted_at,
        a.completed_at,
        now
    )
}

/// The hash of an event's canonical text.
pub fn event_hash(event: &CaseEvent) -> String {
    hex::encode(Sha256::digest(event.canonical().as_bytes()))
}

/// The chain's last number and hash, as [`claim_chain`] hands it out and [`link`] moves it.
pub type ChainHead = (i64, String);

/// Numbers `event` after `head`, links it to the head's hash and hashes it; the event
/// becomes the head. Pure: the head is written with [`move_chain`].
pub fn link(event: &mut CaseEvent, head: &mut ChainHead) {
    head.0 += 1;
    event.seq = head.0;
    event.prev_hash = std::mem::take(&mut head.1);
    event.hash = event_hash(event);
    head.1 = event.hash.clone();
}

/// The chain head, held by this transaction until it commits (on PostgreSQL the row
/// lock serialises appends; SQLite has one writer anyway).
pub async fn claim_chain(tx: &mut Tx) -> DbResult<ChainHead> {
    row!(tx, (i64, String), "UPDATE chain_head SET seq = seq WHERE id = 1 RETURNING seq, hash")?
        .ok_or_else(|| corrupt("chain head"))
}

/// Moves the chain head to `head` (the last event written).
pub async fn move_chain(tx: &mut Tx, head: &ChainHead) -> DbResult<()> {
    exec!(tx, "UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1", head.0, &head.1)?;
    Ok(())
}

/// Appends one event to the history: takes the next number and the previous hash
/// from the chain head (which serialises appends), and moves the head.
pub async fn append_event(tx: &mut Tx, mut event: CaseEvent) -> DbResult<CaseEvent> {
    let mut head = claim_chain(tx).await?;
    link(&mut event, &mut head);
    insert_events(tx, &[&event]).await?;
    move_chain(tx, &head).await?;
    Ok(event)
}

/// Writes events already numbered and linked ([`link`]): one multi-row INSERT for up
/// to [`super::MAX_BINDS`] values.
pub async fn insert_events(tx: &mut Tx, events: &[&CaseEvent]) -> DbResult<()> {
    bulk_insert!(
        tx,
        "INSERT INTO case_events (seq, id, case_id, at, actor_kind, actor_id, actor_name, kind, assignment_id, note,
             data, prev_hash, hash) ",
        13,
        events,
        |b, e| {
            b.push_bind(e.seq)
                .push_bind(&e.id)
                .push_bind(&e.case_id)
                .push_bind(e.at)
                .push_bind(&e.actor_kind)
                .push_bind(&e.actor_id)
                .push_bind(&e.actor_name)
                .push_bind(&e.kind)
                .push_bind(&e.assignment_id)
                .push_bind(&e.note)
                .push_bind(&e.data)
                .push_bind(&e.prev_hash)
                .push_bind(&e.hash);
        }
    );
    Ok(())
}

#[derive(sqlx::FromRow, serde::Deserialize)]
struct EventRow {
    seq: i64,
    id: String,
    case_id: String,
    at: i64,
    actor_kind: String,
    actor_id: String,
    actor_name: String,
    kind: String,
    assignment_id: String,
    note: String,
    data: String,
    prev_hash: String,
    hash: String,
}

impl From<EventRow> for CaseEvent {
    fn from(r: EventRow) -> CaseEvent {
        CaseEvent {
            seq: r.seq,
            id: r.id,
            case_id: r.case_id,
            at: r.at,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            kind: r.kind,
            assignment_id: r.assignment_id,
            note: r.note,
            data: r.data,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

pub async fn events(tx: &mut Tx, case_id: &str) -> DbResult<Vec<CaseEvent>> {
    let rows = rows!(tx, EventRow, "SELECT * FROM case_events WHERE case_id = $1 ORDER BY seq", case_id)?;
    Ok(rows.into_iter().map(CaseEvent::from).collect())
}

/// The events of the cases whose ids lie from `first` to `last`, by case and in order.
pub async fn events_between(tx: &mut Tx, first: &str, last: &str) -> DbResult<Vec<CaseEvent>> {
    let rows = rows!(
        tx,
        EventRow,
        "SELECT * FROM case_events WHERE case_id >= $1 AND case_id <= $2 ORDER BY case_id, seq",
        first,
        last
    )?;
    Ok(rows.into_iter().map(CaseEvent::from).collect())
}

/// Events after `after_seq`, in order, at most `limit` (for the chain check).
pub async fn events_after(tx: &mut Tx, after_seq: i64, limit: i64) -> DbResult<Vec<CaseEvent>> {
    let rows = rows!(tx, EventRow, "SELECT * FROM case_events WHERE seq > $1 ORDER BY seq LIMIT $2", after_seq, limit)?;
    Ok(rows.into_iter().map(CaseEvent::from).collect())
}

pub async fn chain_head(tx: &mut Tx) -> DbResult<(i64, String)> {
    row!(tx, (i64, String), "SELECT seq, hash FROM chain_head WHERE id = 1")?.ok_or_else(|| corrupt("chain head"))
}

/// Every case id (for the check that no case lost its history).
pub async fn case_ids_without_events(tx: &mut Tx) -> DbResult<Vec<String>> {
    rows!(
        tx,
        (String,),
        "SELECT c.id FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id)"
    )
    .map(|rows| rows.into_iter().map(|(id,)| id).collect())
}

/// Open work with a deadline, as the deadline sweep sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueWork {
    /// The assignment's id, or empty for the case's own answer deadline.
    pub assignment_id: String,
    pub case_id: String,
    pub case_title: String,
    pub tracking_code: String,
    /// The department that owes the work (empty for a case's own deadline).
    pub department_id: String,
    pub department_name: String,
    /// The region whose office supervises: the department's, or the case's.
    pub office_region_id: String,
    pub due_date: String,
}

/// Assignments still owed (pending or being handled) due on or before `horizon`, but
/// not those escalated for that due date already: the sweep has nothing left to send
/// for them (the occasion's key is `jobs::deadlines`'s). Read by `assignments_open_due`.
pub async fn open_assignments_due_by(tx: &mut Tx, horizon: NaiveDate) -> DbResult<Vec<DueWork>> {
    rows!(
        tx,
        DueWork,
        "SELECT a.id AS assignment_id, c.id AS case_id, c.title AS case_title, c.tracking_code, a.department_id,
             d.name AS department_name, d.region_id AS office_region_id, a.due_date
         FROM assignments a JOIN cases c ON c.id = a.case_id JOIN departments d ON d.id = a.department_id
         WHERE a.state IN ('pending', 'accepted') AND a.due_date <= $1
           AND c.state IN ('forwarded', 'awaiting_info')
           AND NOT EXISTS (SELECT 1 FROM deadline_notices n
                           WHERE n.occasion = 'deadline:' || a.id || ':escalation:' || a.due_date)
         ORDER BY a.due_date, a.id",
        date_text(horizon)
    )
}

/// Cases whose receiver still owes the citizen an answer, due on or before `horizon`,
/// but not those escalated for that due date already. Read by `cases_answer_due`.
pub async fn open_cases_due_by(tx: &mut Tx, horizon: NaiveDate) -> DbResult<Vec<DueWork>> {
    rows!(
        tx,
        DueWork,
        "SELECT '' AS assignment_id, c.id AS case_id, c.title AS case_title, c.tracking_code, '' AS department_id,
             '' AS department_name, c.region_id AS office_region_id, c.answer_due AS due_date
         FROM cases c
         WHERE c.state IN ('received', 'acknowledged') AND c.answer_due IS NOT NULL AND c.answer_due <= $1
           AND NOT EXISTS (SELECT 1 FROM deadline_notices n
                           WHERE n.occasion = 'deadline:' || c.id || ':escalation:' || c.answer_due)
         ORDER BY c.answer_due, c.id",
        date_text(horizon)
    )
}

#[derive(sqlx::FromRow)]
struct FactsRow {
    state: String,
    answered_at: Option<i64>,
    answer_due: Option<String>,
    citizen_grade: Option<String>,
}

/// What a public record counts of each case addressed to a deputy (`representative_id`)
/// or to a station (`unit_id`); pass `""` for the other.
pub async fn record_facts(
    tx: &mut Tx,
    representative_id: &str,
    unit_id: &str,
) -> DbResult<Vec<crate::domain::record::CaseFacts>> {
    let rows = rows!(
        tx,
        FactsRow,
        "SELECT state, answered_at, answer_due, citizen_grade FROM cases
         WHERE ($1 <> '' AND representative_id = $1) OR ($2 <> '' AND unit_id = $2)",
        representative_id,
        unit_id
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(crate::domain::record::CaseFacts {
                state: CaseState::parse(&r.state).ok_or_else(|| corrupt("state"))?,
                answered_at: r.answered_at,
                answer_due: opt_date(r.answer_due)?,
                grade: r
                    .citizen_grade
                    .as_deref()
                    .map(|g| Grade::parse("grade", g).map_err(|_| corrupt("grade")))
                    .transpose()?,
            })
        })
        .collect()
}
