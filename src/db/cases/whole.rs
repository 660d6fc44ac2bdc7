//! A case with its assignments, history and attachments, read by one statement.
//!
//! One statement sees one snapshot on either engine, so the four parts agree with each
//! other without a transaction around them; and on SQLite each statement is a hand-off
//! to the connection's own thread and back, so one statement instead of four (and no
//! `BEGIN` or `ROLLBACK`) is most of a case page's time saved. The three lists come as
//! JSON arrays built by the engine's JSON aggregate, the one thing the engines name
//! differently (`json_group_array` with `json_object` or `json_array`, `json_agg` with
//! `json_build_object` or `json_build_array`).

use serde::Deserialize;

use super::super::attachments;
use super::super::{DbResult, Tx};
use super::{AssignmentRow, CaseRow, EventRow};
use crate::domain::attachment::Attachment;
use crate::domain::case::{Assignment, Case, CaseEvent};

/// Which case: by its id or by the tracking code a citizen holds.
#[derive(Debug, Clone, Copy)]
pub enum CaseKey<'a> {
    Id(&'a str),
    TrackingCode(&'a str),
}

/// A case and all that belongs to it, as of one moment.
#[derive(Debug, Clone)]
pub struct WholeCase {
    pub case: Case,
    /// By when they were made.
    pub assignments: Vec<Assignment>,
    /// In the order of the history.
    pub events: Vec<CaseEvent>,
    /// In the order they were sent.
    pub attachments: Vec<Attachment>,
}

#[derive(sqlx::FromRow)]
struct WholeRow {
    #[sqlx(flatten)]
    case: CaseRow,
    assignments_json: String,
    events_json: String,
    attachments_json: String,
}

/// A boolean column in JSON: `true`/`false` from PostgreSQL, `1`/`0` from SQLite.
pub(super) fn json_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Bool(bool),
        Int(i64),
    }
    Ok(match Stored::deserialize(d)? {
        Stored::Bool(b) => b,
        Stored::Int(i) => i != 0,
    })
}

fn list<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> DbResult<Vec<T>> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(format!("bad stored {what}: {e}").into()))
}

/// The case `key` names with its assignments, history and attachments, or `None`.
pub async fn whole(tx: &mut Tx, key: CaseKey<'_>) -> DbResult<Option<WholeCase>> {
    let (id, code) = match key {
        CaseKey::Id(id) => (Some(id), None),
        CaseKey::TrackingCode(code) => (None, Some(code)),
    };
    let row = row!(
        tx,
        WholeRow,
        sqlite: "SELECT c.*,
             (SELECT json_group_array(json_object('id', a.id, 'case_id', a.case_id, 'department_id', a.department_id,
                 'department_name', d.name, 'role', a.role, 'state', a.state, 'due_date', a.due_date,
                 'requested_due', a.requested_due, 'note', a.note, 'result', a.result, 'grade', a.grade,
                 'rework_count', a.rework_count, 'returned', a.returned, 'created_at', a.created_at,
                 'submitted_at', a.submitted_at, 'completed_at', a.completed_at) ORDER BY a.created_at, a.id)
              FROM assignments a JOIN departments d ON d.id = a.department_id WHERE a.case_id = c.id)
               AS assignments_json,
             (SELECT json_group_array(json_object('seq', e.seq, 'id', e.id, 'case_id', e.case_id, 'at', e.at,
                 'actor_kind', e.actor_kind, 'actor_id', e.actor_id, 'actor_name', e.actor_name, 'kind', e.kind,
                 'assignment_id', e.assignment_id, 'note', e.note, 'data', e.data, 'prev_hash', e.prev_hash,
                 'hash', e.hash) ORDER BY e.seq)
              FROM case_events e WHERE e.case_id = c.id) AS events_json,
             (SELECT json_group_array(json_array(t.id, t.case_id, t.kind, t.media_type, t.bytes, t.width,
                 t.height, t.position) ORDER BY t.position)
              FROM attachments t WHERE t.case_id = c.id) AS attachments_json
         FROM cases c WHERE c.id = COALESCE($1, (SELECT id FROM cases WHERE tracking_code = $2))",
        postgres: "SELECT c.*,
             COALESCE((SELECT CAST(json_agg(json_build_object('id', a.id, 'case_id', a.case_id,
                 'department_id', a.department_id, 'department_name', d.name, 'role', a.role, 'state', a.state,
                 'due_date', a.due_date, 'requested_due', a.requested_due, 'note', a.note, 'result', a.result,
                 'grade', a.grade, 'rework_count', a.rework_count, 'returned', a.returned,
                 'created_at', a.created_at, 'submitted_at', a.submitted_at, 'completed_at', a.completed_at)
                 ORDER BY a.created_at, a.id) AS TEXT)
              FROM assignments a JOIN departments d ON d.id = a.department_id WHERE a.case_id = c.id), '[]')
               AS assignments_json,
             COALESCE((SELECT CAST(json_agg(json_build_object('seq', e.seq, 'id', e.id, 'case_id', e.case_id,
                 'at', e.at, 'actor_kind', e.actor_kind, 'actor_id', e.actor_id, 'actor_name', e.actor_name,
                 'kind', e.kind, 'assignment_id', e.assignment_id, 'note', e.note, 'data', e.data,
                 'prev_hash', e.prev_hash, 'hash', e.hash) ORDER BY e.seq) AS TEXT)
              FROM case_events e WHERE e.case_id = c.id), '[]') AS events_json,
             COALESCE((SELECT CAST(json_agg(json_build_array(t.id, t.case_id, t.kind, t.media_type, t.bytes,
                 t.width, t.height, t.position) ORDER BY t.position) AS TEXT)
              FROM attachments t WHERE t.case_id = c.id), '[]') AS attachments_json
         FROM cases c WHERE c.id = COALESCE($1, (SELECT id FROM cases WHERE tracking_code = $2))",
        id,
        code
    )?;
    let Some(row) = row else { return Ok(None) };
    let assignments: Vec<AssignmentRow> = list(&row.assignments_json, "assignments")?;
    let events: Vec<EventRow> = list(&row.events_json, "history")?;
    // Each attachment as an array in the columns' order, decoded as `of_case` decodes its rows.
    let attachments: Vec<attachments::Row> = list(&row.attachments_json, "attachments")?;
    Ok(Some(WholeCase {
        case: row.case.into_case()?,
        assignments: assignments.into_iter().map(AssignmentRow::into_assignment).collect::<DbResult<_>>()?,
        events: events.into_iter().map(CaseEvent::from).collect(),
        attachments: attachments.into_iter().map(attachments::from_row).collect(),
    }))
}
