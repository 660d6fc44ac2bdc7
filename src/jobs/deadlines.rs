//! The deadline sweep: reminders before a due date, a chase notice (催办) the
//! first working day after it, and escalation (督办) to the supervising office
//! when work is so many working days late. Each notice is keyed by the work, the
//! kind of notice and the due date, so it goes out once per deadline however
//! often the sweep runs; an extension (a new due date) starts a fresh set.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;

use crate::app::App;
use crate::db::cases::DueWork;
use crate::db::{self, Tx};
use crate::domain::deadline::{Notice, notices_due};
use crate::error::{Error, Result};
use crate::notify::{self, Audience};

/// How many notices of each kind a sweep wrote (0 when all were written before).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub reminders: usize,
    pub chases: usize,
    pub escalations: usize,
}

/// A notice the sweep found due and not yet sent.
struct Pending {
    item: DueWork,
    notice: Notice,
    due: NaiveDate,
    occasion: String,
}

/// How many notices one write transaction of the sweep records, so that a sweep with
/// thousands to send (the first after a long pause) lets new cases in between.
const WRITE_CHUNK: usize = 200;

/// Sends the deadline notices due today that were not sent before. Which are due is
/// read first, without holding the write lock; write transactions of [`WRITE_CHUNK`]
/// then record and render only those (each checked again there, so two sweeps at once
/// send each once) and write their messages together. A notice that finds no one to
/// receive it (an office or department without an account or channel) is recorded too
/// and logged, not tried again every sweep: whoever gets an account later finds the
/// work in their lists, and the chase or escalation that follows reaches them.
pub async fn sweep(app: &App) -> Result<SweepReport> {
    let today = app.today();
    let now = app.now();
    let policy = app.policy();
    // Anything due within the reminder window (in calendar days, generously).
    let horizon = today + chrono::Days::new(u64::from(policy.remind_before_days) * 3 + 7);
    let mut pending = Vec::new();
    {
        let mut tx = app.db().read().await?;
        let mut work = db::cases::open_assignments_due_by(&mut tx, horizon).await?;
        work.extend(db::cases::open_cases_due_by(&mut tx, horizon).await?);
        for item in work {
            let due = NaiveDate::parse_from_str(&item.due_date, "%Y-%m-%d").map_err(|e| Error::Internal(e.into()))?;
            let notices = notices_due(&policy, &app.calendar(), due, today).map_err(|e| Error::Internal(e.into()))?;
            for notice in notices {
                let occasion = occasion(&item, notice, due);
                if !db::deadline_notices::sent(&mut tx, &occasion).await? {
                    pending.push(Pending { item: item.clone(), notice, due, occasion });
                }
            }
        }
    }
    let mut report = SweepReport::default();
    let mut offices = HashMap::new();
    let mut unreachable = 0;
    for chunk in pending.chunks(WRITE_CHUNK) {
        let mut tx = app.db().write().await?;
        let mut notices = notify::Notices::default();
        for p in chunk {
            if !db::deadline_notices::mark_sent(&mut tx, &p.occasion, now).await? {
                continue;
            }
            let late = if p.due < today { app.calendar().working_days_between(p.due, today).unwrap_or(0) } else { 0 };
            if gather(&mut tx, &mut notices, &mut offices, p, late, now).await? == 0 {
                unreachable += 1;
                continue;
            }
            match p.notice {
                Notice::Reminder => report.reminders += 1,
                Notice::Chase => report.chases += 1,
                Notice::Escalation => report.escalations += 1,
            }
        }
        notices.write(&mut tx, now).await?;
        tx.commit().await?;
    }
    if unreachable > 0 {
        tracing::warn!(unreachable, "deadline notices found no one to receive them (no account and no channel)");
    }
    Ok(report)
}

/// What keys a notice: the work, the kind of notice and the due date. The sweep's reads
/// (`db::cases::open_cases_due_by`, `open_assignments_due_by`) build the escalation's key
/// in SQL to pass over work escalated already: the two must stay alike.
fn occasion(item: &DueWork, notice: Notice, due: NaiveDate) -> String {
    let work_id = if item.assignment_id.is_empty() { &item.case_id } else { &item.assignment_id };
    format!("deadline:{work_id}:{}:{due}", notice.as_str())
}

/// Renders a pending notice for its audiences into `notices`; returns how many messages
/// it makes (none when no one can receive it). `offices` keeps the office names read.
async fn gather(
    tx: &mut Tx,
    notices: &mut notify::Notices,
    offices: &mut HashMap<String, String>,
    p: &Pending,
    late: i64,
    now: i64,
) -> Result<usize> {
    let item = &p.item;
    let on_case = item.assignment_id.is_empty();
    let template = match (on_case, p.notice) {
        (false, Notice::Reminder) => "assignment_reminder",
        (false, Notice::Chase) => "assignment_chase",
        (false, Notice::Escalation) => "assignment_escalation",
        (true, Notice::Reminder) => "case_reminder",
        (true, Notice::Chase) => "case_chase",
        (true, Notice::Escalation) => "case_escalation",
    };
    if !offices.contains_key(&item.office_region_id) {
        let name = db::regions::get(tx, &item.office_region_id).await?.map(|r| r.name).unwrap_or_default();
        offices.insert(item.office_region_id.clone(), name);
    }
    let context = json!({
        "department": item.department_name,
        "case_title": item.case_title,
        "tracking_code": item.tracking_code,
        "due_date": p.due.to_string(),
        "overdue_days": late,
        "office": offices[&item.office_region_id],
    });
    let audiences = match (on_case, p.notice) {
        (_, Notice::Escalation) => vec![Audience::Region(item.office_region_id.clone())],
        (false, _) => vec![Audience::Department(item.department_id.clone())],
        (true, _) => {
            let case = db::cases::get(tx, &item.case_id).await?.ok_or(Error::NotFound)?;
            let users = match (&case.representative_id, &case.unit_id) {
                (Some(rep), _) => db::users::ids_for_representative(tx, rep).await?,
                (None, Some(unit)) => db::users::ids_for_unit(tx, unit).await?,
                (None, None) => Vec::new(),
            };
            users.into_iter().map(Audience::User).collect()
        }
    };
    let link = format!("/cases/{}", item.case_id);
    let mut made = 0;
    for audience in &audiences {
        let message = notify::Notice { template, context: &context, link: &link, occasion: &p.occasion };
        made += notices.add(tx, audience, &message, now).await?;
    }
    Ok(made)
}
