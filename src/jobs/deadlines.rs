//! The deadline sweep: reminders before a due date, a chase notice (催办) the
//! first working day after it, and escalation (督办) to the supervising office
//! when work is so many working days late. Each notice is keyed by the work, the
//! kind of notice and the due date, so it goes out once per deadline however
//! often the sweep runs; an extension (a new due date) starts a fresh set.

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

pub async fn sweep(app: &App) -> Result<SweepReport> {
    let today = app.today();
    let now = app.now();
    let policy = app.policy();
    // Anything due within the reminder window (in calendar days, generously).
    let horizon = today + chrono::Days::new(u64::from(policy.remind_before_days) * 3 + 7);
    let mut tx = app.db().write().await?;
    let mut work = db::cases::open_assignments_due_by(&mut tx, horizon).await?;
    work.extend(db::cases::open_cases_due_by(&mut tx, horizon).await?);
    let mut report = SweepReport::default();
    for item in &work {
        let due = NaiveDate::parse_from_str(&item.due_date, "%Y-%m-%d").map_err(|e| Error::Internal(e.into()))?;
        let notices = notices_due(&policy, &app.calendar(), due, today).map_err(|e| Error::Internal(e.into()))?;
        for notice in notices {
            let late = if due < today { app.calendar().working_days_between(due, today).unwrap_or(0) } else { 0 };
            let written = send(&mut tx, item, notice, due, late, now).await?;
            if written > 0 {
                match notice {
                    Notice::Reminder => report.reminders += 1,
                    Notice::Chase => report.chases += 1,
                    Notice::Escalation => report.escalations += 1,
                }
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}

async fn send(tx: &mut Tx, item: &DueWork, notice: Notice, due: NaiveDate, late: i64, now: i64) -> Result<usize> {
    let on_case = item.assignment_id.is_empty();
    let template = match (on_case, notice) {
        (false, Notice::Reminder) => "assignment_reminder",
        (false, Notice::Chase) => "assignment_chase",
        (false, Notice::Escalation) => "assignment_escalation",
        (true, Notice::Reminder) => "case_reminder",
        (true, Notice::Chase) => "case_chase",
        (true, Notice::Escalation) => "case_escalation",
    };
    let office = db::regions::get(tx, &item.office_region_id).await?.map(|r| r.name).unwrap_or_default();
    let context = json!({
        "department": item.department_name,
        "case_title": item.case_title,
        "tracking_code": item.tracking_code,
        "due_date": due.to_string(),
        "overdue_days": late,
        "office": office,
    });
    let audiences = match (on_case, notice) {
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
    let work_id = if on_case { &item.case_id } else { &item.assignment_id };
    let occasion = format!("deadline:{work_id}:{}:{due}", notice.as_str());
    let link = format!("/cases/{}", item.case_id);
    let mut written = 0;
    for audience in &audiences {
        let message = notify::Notice { template, context: &context, link: &link, occasion: &occasion };
        written += notify::enqueue_notice(tx, audience, &message, now).await?;
    }
    Ok(written)
}
