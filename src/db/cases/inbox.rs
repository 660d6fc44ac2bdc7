//! The inbox's query: which cases a person's list shows, and how many, paged by
//! page number or by keyset cursor.

use super::{CaseRow, date_text};
use crate::db::{DbResult, Page, PageRequest, Tx};
use crate::domain::case::Case;

/// Which cases an inbox shows: the ones addressed to these, or assigned to this
/// department, or anywhere under this region path; and of those, which states.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub representative_id: String,
    /// Units whose cases the person receives (a keeper's unit, a deputy's stations).
    pub unit_ids: Vec<String>,
    pub department_id: String,
    pub region_prefix: String,
    /// `open`, `overdue`, `answered`, `closed` or empty for all.
    pub status: String,
    /// Only cases due on or before this date (for "overdue" and "due soon").
    pub due_by: String,
    pub channel: String,
    /// The narrowing of a cockpit figure (all empty: none); every field narrows further.
    pub narrow: Narrowing,
}

/// What a cockpit figure counts, as a filter on the case list: the cohort (received
/// from `created_from` until before `created_until`, ms UTC; 0 for open-ended), where
/// and to whom the case was addressed, and `counted`, the counter the figure sums.
#[derive(Debug, Clone, Default)]
pub struct Narrowing {
    pub created_from: i64,
    pub created_until: i64,
    pub unit_id: String,
    pub representative_id: String,
    pub category: String,
    /// Exactly this region path (cases filed at the region itself, not below it).
    pub exact_path: String,
    /// Cases assigned (at some time) to this department.
    pub department_id: String,
    /// A `LIKE` pattern over title and text (`%word%`, already escaped with `\`).
    pub text_like: String,
    /// `acknowledged`, `answered_direct`, `forwarded`, `answered` or `closed`: the
    /// case's history has what `domain::tally` counts under that name.
    pub counted: String,
}

/// How many cases an inbox filter matches.
pub async fn inbox_count(tx: &mut Tx, filter: &InboxFilter) -> DbResult<i64> {
    let units = format!(",{},", filter.unit_ids.join(","));
    scalar!(
        tx,
        i64,
        "SELECT COUNT(*) FROM cases c
         WHERE (($1 <> '' AND c.representative_id = $1)
             OR ($2 <> ',,' AND c.unit_id IS NOT NULL AND c.representative_id IS NULL AND $2 LIKE '%,' || c.unit_id || ',%')
             OR ($3 <> '' AND EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id AND a.department_id = $3))
             OR ($4 <> '' AND c.region_path LIKE $4))
           AND ($5 = '' OR ($5 = 'open' AND c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded'))
                OR ($5 = 'answered' AND c.state = 'answered') OR ($5 = 'closed' AND c.state IN ('closed', 'withdrawn', 'merged')))
           AND ($6 = '' OR (c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded')
                AND (CASE WHEN c.acknowledged_at IS NULL THEN c.ack_due ELSE COALESCE(c.answer_due, c.ack_due) END) <= $6))
           AND ($7 = '' OR c.channel = $7)
           AND ($8 = 0 OR c.created_at >= $8) AND ($9 = 0 OR c.created_at < $9)
           AND ($10 = '' OR c.unit_id = $10) AND ($11 = '' OR c.representative_id = $11)
           AND ($12 = '' OR c.category = $12) AND ($13 = '' OR c.region_path = $13)
           AND ($14 = '' OR EXISTS (SELECT 1 FROM assignments d WHERE d.case_id = c.id AND d.department_id = $14))
           AND ($15 = '' OR c.title LIKE $15 ESCAPE '\\' OR c.body LIKE $15 ESCAPE '\\')
           AND ($16 = '' OR ($16 = 'closed' AND c.state = 'closed')
                OR ($16 = 'acknowledged' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id
                    AND e.kind IN ('acknowledge', 'reply', 'answer', 'forward')))
                OR ($16 = 'answered' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id
                    AND e.kind IN ('reply', 'answer')))
                OR ($16 = 'forwarded' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'forward'))
                OR ($16 = 'answered_direct' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'reply')
                    AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'forward')))",
        &filter.representative_id,
        &units,
        &filter.department_id,
        &filter.region_prefix,
        &filter.status,
        &filter.due_by,
        &filter.channel,
        filter.narrow.created_from,
        filter.narrow.created_until,
        &filter.narrow.unit_id,
        &filter.narrow.representative_id,
        &filter.narrow.category,
        &filter.narrow.exact_path,
        &filter.narrow.department_id,
        &filter.narrow.text_like,
        &filter.narrow.counted
    )
}

/// One page of an inbox: open cases first, the next deadline (to acknowledge
/// until acknowledged, then to answer) first.
pub async fn inbox(tx: &mut Tx, filter: &InboxFilter, page: PageRequest) -> DbResult<Page<Case>> {
    Ok(inbox_after(tx, filter, page, None).await?.0)
}

/// The open states, in the order the inbox puts open cases first.
const OPEN_STATES: [&str; 4] = ["received", "acknowledged", "awaiting_info", "forwarded"];

/// A case's place in the inbox order: open first, the next deadline first, then
/// the oldest, then the id. A keyset cursor: the page after a key starts just past
/// it, so cases inserted or moved meanwhile never repeat a case or skip one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InboxKey {
    pub rank: i64,
    pub due: String,
    pub created_at: i64,
    pub id: String,
}

impl InboxKey {
    /// The key of a case, as the inbox query orders it.
    pub fn of(case: &Case) -> InboxKey {
        let rank = if OPEN_STATES.contains(&case.state.as_str()) { 0 } else { 1 };
        let due = if case.acknowledged_at.is_none() { case.ack_due } else { case.answer_due.unwrap_or(case.ack_due) };
        InboxKey { rank, due: date_text(due), created_at: case.created_at, id: case.id.clone() }
    }
}

/// One page of an inbox after a key (the first page without one); `page` gives
/// its size, and its number only when there is no key. Also whether more follow.
pub async fn inbox_after(
    tx: &mut Tx,
    filter: &InboxFilter,
    page: PageRequest,
    after: Option<&InboxKey>,
) -> DbResult<(Page<Case>, bool)> {
    let total = inbox_count(tx, filter).await?;
    let units = format!(",{},", filter.unit_ids.join(","));
    let rows = rows!(
        tx,
        CaseRow,
        "SELECT * FROM cases c
         WHERE (($1 <> '' AND c.representative_id = $1)
             OR ($2 <> ',,' AND c.unit_id IS NOT NULL AND c.representative_id IS NULL AND $2 LIKE '%,' || c.unit_id || ',%')
             OR ($3 <> '' AND EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id AND a.department_id = $3))
             OR ($4 <> '' AND c.region_path LIKE $4))
           AND ($5 = '' OR ($5 = 'open' AND c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded'))
                OR ($5 = 'answered' AND c.state = 'answered') OR ($5 = 'closed' AND c.state IN ('closed', 'withdrawn', 'merged')))
           AND ($6 = '' OR (c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded')
                AND (CASE WHEN c.acknowledged_at IS NULL THEN c.ack_due ELSE COALESCE(c.answer_due, c.ack_due) END) <= $6))
           AND ($7 = '' OR c.channel = $7)
           AND ($8 = 0 OR c.created_at >= $8) AND ($9 = 0 OR c.created_at < $9)
           AND ($10 = '' OR c.unit_id = $10) AND ($11 = '' OR c.representative_id = $11)
           AND ($12 = '' OR c.category = $12) AND ($13 = '' OR c.region_path = $13)
           AND ($14 = '' OR EXISTS (SELECT 1 FROM assignments d WHERE d.case_id = c.id AND d.department_id = $14))
           AND ($15 = '' OR c.title LIKE $15 ESCAPE '\\' OR c.body LIKE $15 ESCAPE '\\')
           AND ($16 = '' OR ($16 = 'closed' AND c.state = 'closed')
                OR ($16 = 'acknowledged' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id
                    AND e.kind IN ('acknowledge', 'reply', 'answer', 'forward')))
                OR ($16 = 'answered' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id
                    AND e.kind IN ('reply', 'answer')))
                OR ($16 = 'forwarded' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'forward'))
                OR ($16 = 'answered_direct' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'reply')
                    AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'forward')))
           AND ($19 = '' OR (CASE WHEN c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded') THEN 0 ELSE 1 END,
                CASE WHEN c.acknowledged_at IS NULL THEN c.ack_due ELSE COALESCE(c.answer_due, c.ack_due) END,
                c.created_at, c.id) > (CAST($20 AS BIGINT), $21, CAST($22 AS BIGINT), $23))
         ORDER BY CASE WHEN c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded') THEN 0 ELSE 1 END,
             CASE WHEN c.acknowledged_at IS NULL THEN c.ack_due ELSE COALESCE(c.answer_due, c.ack_due) END,
             c.created_at, c.id
         LIMIT $17 OFFSET $18",
        &filter.representative_id,
        &units,
        &filter.department_id,
        &filter.region_prefix,
        &filter.status,
        &filter.due_by,
        &filter.channel,
        filter.narrow.created_from,
        filter.narrow.created_until,
        &filter.narrow.unit_id,
        &filter.narrow.representative_id,
        &filter.narrow.category,
        &filter.narrow.exact_path,
        &filter.narrow.department_id,
        &filter.narrow.text_like,
        &filter.narrow.counted,
        page.size + 1,
        if after.is_some() { 0 } else { page.offset() },
        if after.is_some() { "after" } else { "" },
        after.map_or(0, |k| k.rank),
        after.map_or("", |k| k.due.as_str()),
        after.map_or(0, |k| k.created_at),
        after.map_or("", |k| k.id.as_str())
    )?;
    let mut items: Vec<Case> = rows.into_iter().map(CaseRow::into_case).collect::<DbResult<_>>()?;
    let more = items.len() as i64 > page.size;
    items.truncate(page.size as usize);
    Ok((Page { items, total }, more))
}

/// Where an export of a case list has got to: the last case written, by the key
/// the export reads in (`created_at`, then `id`), which never changes, so a case
/// that moves while a long export runs is neither written twice nor skipped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportKey {
    pub created_at: i64,
    pub id: String,
}

impl ExportKey {
    /// Before the first case.
    pub fn start() -> ExportKey {
        ExportKey { created_at: -1, id: String::new() }
    }

    pub fn of(case: &Case) -> ExportKey {
        ExportKey { created_at: case.created_at, id: case.id.clone() }
    }
}

/// At most `size` cases of an inbox filter after `after`, oldest first: a page of an
/// export. The filter is [`inbox_count`]'s, clause for clause (the export's test
/// checks that both give the same cases).
pub async fn export_page(tx: &mut Tx, filter: &InboxFilter, after: &ExportKey, size: i64) -> DbResult<Vec<Case>> {
    let units = format!(",{},", filter.unit_ids.join(","));
    let rows = rows!(
        tx,
        CaseRow,
        "SELECT * FROM cases c
         WHERE (c.created_at, c.id) > (CAST($17 AS BIGINT), $18)
           AND (($1 <> '' AND c.representative_id = $1)
             OR ($2 <> ',,' AND c.unit_id IS NOT NULL AND c.representative_id IS NULL AND $2 LIKE '%,' || c.unit_id || ',%')
             OR ($3 <> '' AND EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id AND a.department_id = $3))
             OR ($4 <> '' AND c.region_path LIKE $4))
           AND ($5 = '' OR ($5 = 'open' AND c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded'))
                OR ($5 = 'answered' AND c.state = 'answered') OR ($5 = 'closed' AND c.state IN ('closed', 'withdrawn', 'merged')))
           AND ($6 = '' OR (c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded')
                AND (CASE WHEN c.acknowledged_at IS NULL THEN c.ack_due ELSE COALESCE(c.answer_due, c.ack_due) END) <= $6))
           AND ($7 = '' OR c.channel = $7)
           AND ($8 = 0 OR c.created_at >= $8) AND ($9 = 0 OR c.created_at < $9)
           AND ($10 = '' OR c.unit_id = $10) AND ($11 = '' OR c.representative_id = $11)
           AND ($12 = '' OR c.category = $12) AND ($13 = '' OR c.region_path = $13)
           AND ($14 = '' OR EXISTS (SELECT 1 FROM assignments d WHERE d.case_id = c.id AND d.department_id = $14))
           AND ($15 = '' OR c.title LIKE $15 ESCAPE '\\' OR c.body LIKE $15 ESCAPE '\\')
           AND ($16 = '' OR ($16 = 'closed' AND c.state = 'closed')
                OR ($16 = 'acknowledged' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id
                    AND e.kind IN ('acknowledge', 'reply', 'answer', 'forward')))
                OR ($16 = 'answered' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id
                    AND e.kind IN ('reply', 'answer')))
                OR ($16 = 'forwarded' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'forward'))
                OR ($16 = 'answered_direct' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'reply')
                    AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'forward')))
         ORDER BY c.created_at, c.id
         LIMIT $19",
        &filter.representative_id,
        &units,
        &filter.department_id,
        &filter.region_prefix,
        &filter.status,
        &filter.due_by,
        &filter.channel,
        filter.narrow.created_from,
        filter.narrow.created_until,
        &filter.narrow.unit_id,
        &filter.narrow.representative_id,
        &filter.narrow.category,
        &filter.narrow.exact_path,
        &filter.narrow.department_id,
        &filter.narrow.text_like,
        &filter.narrow.counted,
        after.created_at,
        after.id.as_str(),
        size
    )?;
    rows.into_iter().map(CaseRow::into_case).collect()
}

/// The open cases under `region_prefix` (a region path, `/` for all) whose next due date
/// lies from `from` to `to` (`YYYY-MM-DD`, inclusive), the earliest due first, at most
/// `limit`: the cockpit's overdue and due-soon lists (`db::open_due::count` counts them).
///
/// Two ways to the same answer. Wide: from the index `cases_open_due` (open cases by next
/// due date; the expression is the index's) however many cases are closed, the region
/// matched by comparing the path's first characters, which keeps the planner off the
/// region-path indexes (at a province's root that would walk every case) and costs less
/// than `LIKE`; the root `/` compares nothing. It walks the province's cases due in the
/// window until it has found `limit` of the region's: right where they are many.
/// `narrow`: from `cases_region_due` (open cases by region path, then next due date), one
/// range for each region path of the subtree, sorted, then the listed few read whole:
/// right where they are few (the cockpit decides by counting them first).
pub async fn open_due_between(
    tx: &mut Tx,
    region_prefix: &str,
    from: &str,
    to: &str,
    limit: i64,
    narrow: bool,
) -> DbResult<Vec<Case>> {
    let rows = if narrow {
        rows!(
            tx,
            CaseRow,
            "SELECT * FROM cases WHERE id IN (
                 SELECT c.id FROM cases c
                 WHERE c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded')
                   AND c.region_path IN (SELECT path FROM regions WHERE path LIKE $1)
                   AND (CASE WHEN c.acknowledged_at IS NULL THEN c.ack_due ELSE COALESCE(c.answer_due, c.ack_due) END) >= $2
                   AND (CASE WHEN c.acknowledged_at IS NULL THEN c.ack_due ELSE COALESCE(c.answer_due, c.ack_due) END) <= $3
                 ORDER BY (CASE WHEN c.acknowledged_at IS NULL THEN c.ack_due ELSE COALESCE(c.answer_due, c.ack_due) END),
                     c.created_at, c.id
                 LIMIT $4)
             ORDER BY (CASE WHEN acknowledged_at IS NULL THEN ack_due ELSE COALESCE(answer_due, ack_due) END), created_at, id",
            format!("{region_prefix}%"),
            from,
            to,
            limit
        )?
    } else {
        rows!(
            tx,
            CaseRow,
            "SELECT * FROM cases c
             WHERE (CASE WHEN c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded')
                 THEN (CASE WHEN c.acknowledged_at IS NULL THEN c.ack_due ELSE COALESCE(c.answer_due, c.ack_due) END) END) >= $2
               AND (CASE WHEN c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded')
                 THEN (CASE WHEN c.acknowledged_at IS NULL THEN c.ack_due ELSE COALESCE(c.answer_due, c.ack_due) END) END) <= $3
               AND ($1 = '/' OR substr(c.region_path, 1, length($1)) = $1)
             ORDER BY (CASE WHEN c.state IN ('received', 'acknowledged', 'awaiting_info', 'forwarded')
                 THEN (CASE WHEN c.acknowledged_at IS NULL THEN c.ack_due ELSE COALESCE(c.answer_due, c.ack_due) END) END),
                 c.created_at, c.id
             LIMIT $4",
            region_prefix,
            from,
            to,
            limit
        )?
    };
    rows.into_iter().map(CaseRow::into_case).collect()
}
