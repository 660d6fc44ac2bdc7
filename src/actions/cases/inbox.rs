//! The inbox: the cases a signed-in person works on, filtered and counted.

use chrono::NaiveDate;

use crate::app::App;
use crate::db::cases::{InboxFilter, InboxKey};
use crate::db::{self, Page, PageRequest};
use crate::domain::case::{Case, Channel};
use crate::domain::user::{Actor, Scope};
use crate::domain::{FieldError, Msg};
use crate::error::{Error, Result};

/// Cases per inbox page.
pub const INBOX_PAGE_SIZE: i64 = 20;

/// The working days ahead that count as "due soon".
pub const DUE_SOON_WORKING_DAYS: u32 = 2;

/// Which of a person's cases an inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InboxStatus {
    All,
    /// Work remains (received, acknowledged, awaiting information, forwarded).
    Open,
    Answered,
    /// Closed, withdrawn or merged.
    Closed,
    /// Open and due within [`DUE_SOON_WORKING_DAYS`] working days (or already late).
    DueSoon,
    /// Open and due before today.
    Overdue,
}

impl InboxStatus {
    pub const ALL: [InboxStatus; 6] = [
        InboxStatus::All,
        InboxStatus::Open,
        InboxStatus::Answered,
        InboxStatus::Closed,
        InboxStatus::DueSoon,
        InboxStatus::Overdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InboxStatus::All => "all",
            InboxStatus::Open => "open",
            InboxStatus::Answered => "answered",
            InboxStatus::Closed => "closed",
            InboxStatus::DueSoon => "due_soon",
            InboxStatus::Overdue => "overdue",
        }
    }

    /// Empty means all.
    pub fn parse(field: &str, raw: &str) -> Result<InboxStatus, FieldError> {
        match raw.trim() {
            "" => Ok(InboxStatus::All),
            raw => InboxStatus::ALL
                .into_iter()
                .find(|s| s.as_str() == raw)
                .ok_or_else(|| FieldError::new(field, Msg::new("err-inbox-status"))),
        }
    }
}

/// An inbox request, parsed.
#[derive(Debug, Clone)]
pub struct InboxQuery {
    pub status: InboxStatus,
    /// Only open cases due on or before this date.
    pub due_by: Option<NaiveDate>,
    pub channel: Option<Channel>,
    pub page: i64,
    /// Start just after this case (a keyset cursor); `page` is then ignored.
    pub after: Option<InboxKey>,
    /// Only cases under this region (an office's or system administrator's
    /// narrowing, e.g. from the cockpit); empty for the whole inbox.
    pub region_id: String,
}

impl InboxQuery {
    /// From the strings of a query (`status`, `due_by` as `YYYY-MM-DD`, `channel`).
    pub fn parse(status: &str, due_by: &str, channel: &str, page: Option<i64>) -> Result<InboxQuery, Vec<FieldError>> {
        let mut errors = Vec::new();
        let status = InboxStatus::parse("status", status).map_err(|e| errors.push(e)).unwrap_or(InboxStatus::All);
        let due_by = match due_by.trim() {
            "" => None,
            raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| errors.push(FieldError::new("due_by", Msg::new("err-date"))))
                .ok(),
        };
        let channel = match channel.trim() {
            "" => None,
            raw => Channel::parse("channel", raw).map_err(|e| errors.push(e)).ok(),
        };
        if errors.is_empty() {
            Ok(InboxQuery {
                status,
                due_by,
                channel,
                page: page.unwrap_or(1).max(1),
                after: None,
                region_id: String::new(),
            })
        } else {
            Err(errors)
        }
    }
}

/// One page of an inbox, with how many cases each status filter would show.
#[derive(Debug, Clone)]
pub struct Inbox {
    pub cases: Page<Case>,
    pub page: PageRequest,
    pub counts: Vec<(InboxStatus, i64)>,
    /// The key of the last case shown when more follow: where the next page starts.
    pub next: Option<InboxKey>,
    /// Today in China Standard Time, for overdue flags.
    pub today: NaiveDate,
}

/// The cases a signed-in person works on: what is addressed to them, assigned to
/// their department, or (for offices) anywhere in their region.
pub async fn inbox(app: &App, actor: &Actor, query: &InboxQuery) -> Result<Inbox> {
    let today = app.today();
    let mut tx = app.db().read().await?;
    let mut base = InboxFilter {
        channel: query.channel.map(|c| c.as_str().to_string()).unwrap_or_default(),
        ..InboxFilter::default()
    };
    match actor.scope() {
        Scope::Everything => base.region_prefix = "/%".to_string(),
        Scope::Subtree { path, .. } => base.region_prefix = format!("{}%", path.as_str()),
        Scope::Unit { unit_id, .. } => base.unit_ids = vec![unit_id.clone()],
        Scope::Department { department_id, .. } => base.department_id = department_id.clone(),
        Scope::Representative { representative_id, .. } => {
            base.representative_id = representative_id.clone();
            if let Some(rep) = db::representatives::get(&mut tx, representative_id).await? {
                base.unit_ids = rep.unit_ids;
            }
        }
    }
    if !query.region_id.is_empty() {
        let region = db::regions::get(&mut tx, &query.region_id).await?.ok_or(Error::NotFound)?;
        let within = match actor.scope() {
            Scope::Everything => true,
            Scope::Subtree { path, .. } => path.contains(&region.path),
            Scope::Unit { .. } | Scope::Department { .. } | Scope::Representative { .. } => false,
        };
        if !within {
            return Err(Error::Forbidden);
        }
        base.region_prefix = format!("{}%", region.path.as_str());
    }
    let due_soon =
        app.calendar().add_working_days(today, DUE_SOON_WORKING_DAYS).map_err(|e| Error::Internal(e.into()))?;
    let yesterday = today.pred_opt().unwrap_or(today);
    let filter_for = |status: InboxStatus, due_by: Option<NaiveDate>| {
        let (status, status_due) = match status {
            InboxStatus::All => ("", None),
            InboxStatus::Open => ("open", None),
            InboxStatus::Answered => ("answered", None),
            InboxStatus::Closed => ("closed", None),
            InboxStatus::DueSoon => ("open", Some(due_soon)),
            InboxStatus::Overdue => ("open", Some(yesterday)),
        };
        let due = [status_due, due_by].into_iter().flatten().min();
        InboxFilter {
            status: status.to_string(),
            due_by: due.map(db::cases::date_text).unwrap_or_default(),
            ..base.clone()
        }
    };
    let page = PageRequest::new(query.page, INBOX_PAGE_SIZE);
    let filter = filter_for(query.status, query.due_by);
    let (cases, more) = db::cases::inbox_after(&mut tx, &filter, page, query.after.as_ref()).await?;
    let next = if more { cases.items.last().map(InboxKey::of) } else { None };
    let mut counts = Vec::new();
    for status in InboxStatus::ALL {
        let count = if status == query.status {
            cases.total
        } else {
            db::cases::inbox_count(&mut tx, &filter_for(status, query.due_by)).await?
        };
        counts.push((status, count));
    }
    Ok(Inbox { cases, page, counts, next, today })
}
