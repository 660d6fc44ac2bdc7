//! Meetings of stations and studios, and the meeting a case was sent from.

use std::collections::HashMap;

use super::{DbResult, Page, PageRequest, Tx, filter_params, like_pattern};
use crate::clock::Millis;
use crate::domain::meeting::{Meeting, MeetingInput, MeetingKind, MeetingState};
use crate::domain::permission::ListFilter;
use crate::domain::reception::ReceptionCount;
use crate::domain::region::RegionPath;

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: String,
    unit_id: String,
    unit_code: String,
    unit_name: String,
    region_path: String,
    kind: String,
    title: String,
    starts_at: i64,
    place: String,
    agenda: String,
    state: String,
    citizens: i64,
    representatives: String,
    cancelled_at: Option<i64>,
}

impl MeetingRow {
    fn into_meeting(self) -> DbResult<Meeting> {
        let corrupt = |what: &str| sqlx::Error::Decode(format!("meeting {}: bad {what}", self.id).into());
        let kind = MeetingKind::parse("kind", &self.kind).map_err(|_| corrupt("kind"))?;
        let state = MeetingState::parse("state", &self.state).map_err(|_| corrupt("state"))?;
        Ok(Meeting {
            input: MeetingInput {
                unit_code: self.unit_code,
                kind,
                title: self.title,
                starts_at: self.starts_at,
                place: self.place,
                agenda: self.agenda,
                state,
                citizens: self.citizens,
                representatives: self.representatives,
            },
            cancelled_at: self.cancelled_at,
            id: self.id,
            unit_id: self.unit_id,
            unit_name: self.unit_name,
            region_path: RegionPath::from_stored(self.region_path),
        })
    }
}

/// Adds a meeting; a reception day is counted in the cockpit's `agg_reception` in the
/// same transaction (as by [`update`] and [`set_cancelled`]).
pub async fn insert(tx: &mut Tx, id: &str, meeting: &MeetingInput, unit_id: &str, now: Millis) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO meetings (id, unit_id, kind, title, starts_at, place, agenda, state, citizens, representatives,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        id,
        unit_id,
        meeting.kind.as_str(),
        &meeting.title,
        meeting.starts_at,
        &meeting.place,
        &meeting.agenda,
        meeting.state.as_str(),
        meeting.citizens,
        &meeting.representatives,
        now
    )?;
    let after = get(tx, id).await?;
    super::aggregates::reception_moved(tx, None, after.as_ref()).await
}

pub async fn update(tx: &mut Tx, id: &str, meeting: &MeetingInput, unit_id: &str, now: Millis) -> DbResult<u64> {
    let before = get(tx, id).await?;
    let changed = exec!(
        tx,
        "UPDATE meetings SET unit_id = $2, kind = $3, title = $4, starts_at = $5, place = $6, agenda = $7, state = $8,
             citizens = $9, representatives = $10, updated_at = $11
         WHERE id = $1",
        id,
        unit_id,
        meeting.kind.as_str(),
        &meeting.title,
        meeting.starts_at,
        &meeting.place,
        &meeting.agenda,
        meeting.state.as_str(),
        meeting.citizens,
        &meeting.representatives,
        now
    )?;
    let after = get(tx, id).await?;
    super::aggregates::reception_moved(tx, before.as_ref(), after.as_ref()).await?;
    Ok(changed)
}

/// Cancels a meeting (at `now`, kept in `cancelled_at`) or restores it as planned.
pub async fn set_cancelled(tx: &mut Tx, id: &str, cancelled: bool, now: Millis) -> DbResult<u64> {
    let (state, at) = if cancelled { (MeetingState::Cancelled, Some(now)) } else { (MeetingState::Planned, None) };
    let before = get(tx, id).await?;
    let changed = exec!(
        tx,
        "UPDATE meetings SET state = $2, cancelled_at = $3, updated_at = $4 WHERE id = $1",
        id,
        state.as_str(),
        at,
        now
    )?;
    let after = get(tx, id).await?;
    super::aggregates::reception_moved(tx, before.as_ref(), after.as_ref()).await?;
    Ok(changed)
}

/// Planned and held reception days per unit of the cockpit's station list (the first
/// `limit` stations under a region-path prefix `/a/b/`, in the order of
/// `aggregates::stations`), dated in `[from, until)` (milliseconds UTC;
/// `domain::reception::window`), by the rule of `domain::reception`: a day cancelled
/// before its China date is not planned; one cancelled on or after it is planned and not
/// held. Units with none are left out. The listed units drive seeks into the index
/// `meetings_unit_reception`, which holds all the count reads (the units chosen as
/// `aggregates::stations` chooses them). The subtree's total comes from the counters
/// (`aggregates::reception_total`).
pub async fn reception_counts(
    tx: &mut Tx,
    prefix: &str,
    from: Millis,
    until: Millis,
    limit: i64,
) -> DbResult<HashMap<String, ReceptionCount>> {
    let like = format!("{prefix}%");
    let rows = rows!(
        tx,
        (String, i64, i64),
        "SELECT m.unit_id, CAST(COUNT(*) AS BIGINT) AS planned,
             CAST(SUM(CASE WHEN m.state = 'held' THEN 1 ELSE 0 END) AS BIGINT) AS held
         FROM meetings m
         WHERE m.unit_id IN (
                 SELECT id FROM (SELECT u.id FROM units u WHERE $5
                     ORDER BY u.active DESC, u.last_case_day, u.name, u.id LIMIT $4) AS everywhere
                 UNION ALL
                 SELECT id FROM (SELECT u.id FROM units u JOIN regions r ON r.id = u.region_id WHERE NOT $5 AND r.path LIKE $1
                     ORDER BY u.active DESC, u.last_case_day, u.name, u.id LIMIT $4) AS below)
           AND m.kind = 'reception' AND m.starts_at >= $2 AND m.starts_at < $3
           AND (m.state <> 'cancelled' OR m.cancelled_at >= m.starts_at - (m.starts_at + 28800000) % 86400000)
         GROUP BY m.unit_id",
        &like,
        from,
        until,
        limit,
        prefix == "/"
    )?;
    Ok(rows.into_iter().map(|(unit, planned, held)| (unit, ReceptionCount { planned, held })).collect())
}

/// A unit's next planned reception day at or after `from`, if one is planned.
pub async fn next_reception(tx: &mut Tx, unit_id: &str, from: Millis) -> DbResult<Option<Meeting>> {
    let row = row!(
        tx,
        MeetingRow,
        "SELECT m.id, m.unit_id, u.code AS unit_code, u.name AS unit_name, r.path AS region_path, m.kind, m.title,
             m.starts_at, m.place, m.agenda, m.state,
             m.citizens, m.representatives, m.cancelled_at
         FROM meetings m JOIN units u ON u.id = m.unit_id JOIN regions r ON r.id = u.region_id
         WHERE m.unit_id = $1 AND m.kind = 'reception' AND m.state = 'planned' AND m.starts_at >= $2
         ORDER BY m.starts_at, m.id LIMIT 1",
        unit_id,
        from
    )?;
    row.map(MeetingRow::into_meeting).transpose()
}

pub async fn get(tx: &mut Tx, id: &str) -> DbResult<Option<Meeting>> {
    let row = row!(
        tx,
        MeetingRow,
        "SELECT m.id, m.unit_id, u.code AS unit_code, u.name AS unit_name, r.path AS region_path, m.kind, m.title,
             m.starts_at, m.place, m.agenda, m.state,
             m.citizens, m.representatives, m.cancelled_at
         FROM meetings m JOIN units u ON u.id = m.unit_id JOIN regions r ON r.id = u.region_id
         WHERE m.id = $1",
        id
    )?;
    row.map(MeetingRow::into_meeting).transpose()
}

/// Meetings in a list filter's reach (a subtree, or one unit's), soonest last:
/// the newest plans come first.
pub async fn list(tx: &mut Tx, filter: &ListFilter, search: &str, page: PageRequest) -> DbResult<Page<Meeting>> {
    let (prefix, only_id, at_unit) = filter_params(filter);
    let pattern = like_pattern(search);
    let total = scalar!(
        tx,
        i64,
        "SELECT COUNT(*) FROM meetings m JOIN units u ON u.id = m.unit_id JOIN regions r ON r.id = u.region_id
         WHERE r.path LIKE $1 AND ($2 = '' OR m.id = $2) AND ($3 = '' OR m.unit_id = $3)
           AND (LOWER(m.title) LIKE $4 ESCAPE '\\' OR LOWER(u.name) LIKE $4 ESCAPE '\\' OR LOWER(m.place) LIKE $4 ESCAPE '\\')",
        &prefix,
        &only_id,
        &at_unit,
        &pattern
    )?;
    let rows = rows!(
        tx,
        MeetingRow,
        "SELECT m.id, m.unit_id, u.code AS unit_code, u.name AS unit_name, r.path AS region_path, m.kind, m.title,
             m.starts_at, m.place, m.agenda, m.state,
             m.citizens, m.representatives, m.cancelled_at
         FROM meetings m JOIN units u ON u.id = m.unit_id JOIN regions r ON r.id = u.region_id
         WHERE r.path LIKE $1 AND ($2 = '' OR m.id = $2) AND ($3 = '' OR m.unit_id = $3)
           AND (LOWER(m.title) LIKE $4 ESCAPE '\\' OR LOWER(u.name) LIKE $4 ESCAPE '\\' OR LOWER(m.place) LIKE $4 ESCAPE '\\')
         ORDER BY m.starts_at DESC, m.id LIMIT $5 OFFSET $6",
        &prefix,
        &only_id,
        &at_unit,
        &pattern,
        page.size,
        page.offset()
    )?;
    let items = rows.into_iter().map(MeetingRow::into_meeting).collect::<DbResult<_>>()?;
    Ok(Page { items, total })
}

/// A unit's planned meetings that start at or after `from`, soonest first.
pub async fn upcoming_at_unit(tx: &mut Tx, unit_id: &str, from: Millis, limit: i64) -> DbResult<Vec<Meeting>> {
    let rows = rows!(
        tx,
        MeetingRow,
        "SELECT m.id, m.unit_id, u.code AS unit_code, u.name AS unit_name, r.path AS region_path, m.kind, m.title,
             m.starts_at, m.place, m.agenda, m.state,
             m.citizens, m.representatives, m.cancelled_at
         FROM meetings m JOIN units u ON u.id = m.unit_id JOIN regions r ON r.id = u.region_id
         WHERE m.unit_id = $1 AND m.state = 'planned' AND m.starts_at >= $2
         ORDER BY m.starts_at, m.id LIMIT $3",
        unit_id,
        from,
        limit
    )?;
    rows.into_iter().map(MeetingRow::into_meeting).collect()
}

/// Records that a case was sent from a meeting's code.
pub async fn link_case(tx: &mut Tx, case_id: &str, meeting_id: &str) -> DbResult<()> {
    exec!(tx, "INSERT INTO case_meetings (case_id, meeting_id) VALUES ($1, $2)", case_id, meeting_id)?;
    Ok(())
}

/// The meeting a case was sent from, as (id, title), if any.
pub async fn of_case(tx: &mut Tx, case_id: &str) -> DbResult<Option<(String, String)>> {
    row!(
        tx,
        (String, String),
        "SELECT m.id, m.title FROM case_meetings c JOIN meetings m ON m.id = c.meeting_id WHERE c.case_id = $1",
        case_id
    )
}
