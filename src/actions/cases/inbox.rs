//! The inbox: the cases a signed-in person works on, filtered and counted.

use chrono::NaiveDate;

use crate::app::App;
use crate::db::cases::{InboxFilter, InboxKey, Narrowing};
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
    /// What a cockpit figure counts (nothing narrowed by default).
    pub narrow: CaseNarrowing,
}

/// The counters a cockpit figure links to, by their name in a case-list URL
/// (`counted=`); `received` is every case of the cohort.
pub const COUNTED: [&str; 6] = ["received", "acknowledged", "answered_direct", "forwarded", "answered", "closed"];

/// The strings of a case-list URL that narrow it to what a cockpit figure counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct NarrowingFields {
    /// Received from this day (China time, `YYYY-MM-DD`)…
    pub from: String,
    /// …to this day, inclusive.
    pub to: String,
    pub unit: String,
    /// A representative's id.
    pub rep: String,
    pub category: String,
    /// `1`: only cases filed at the region itself, not below it.
    pub here: String,
    pub department: String,
    /// Words the title or text contains.
    pub q: String,
    /// One of [`COUNTED`].
    pub counted: String,
}

/// [`NarrowingFields`], checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseNarrowing {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub fields: NarrowingFields,
}

impl CaseNarrowing {
    pub fn parse(fields: &NarrowingFields) -> Result<CaseNarrowing, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut date = |name: &str, raw: &str| match raw.trim() {
            "" => None,
            raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| errors.push(FieldError::new(name, Msg::new("err-date"))))
                .ok(),
        };
        let (from, to) = (date("from", &fields.from), date("to", &fields.to));
        let mut fields = NarrowingFields {
            from: from.map(|d| d.to_string()).unwrap_or_default(),
            to: to.map(|d| d.to_string()).unwrap_or_default(),
            unit: fields.unit.trim().to_string(),
            rep: fields.rep.trim().to_string(),
            category: fields.category.trim().to_string(),
            here: if fields.here.trim().is_empty() { String::new() } else { "1".to_string() },
            department: fields.department.trim().to_string(),
            q: fields.q.trim().chars().take(50).collect(),
            counted: fields.counted.trim().to_string(),
        };
        if fields.counted == "received" {
            fields.counted.clear();
        }
        if !fields.counted.is_empty() && !COUNTED.contains(&fields.counted.as_str()) {
            errors.push(FieldError::new("counted", Msg::new("err-inbox-status")));
        }
        if errors.is_empty() { Ok(CaseNarrowing { from, to, fields }) } else { Err(errors) }
    }

    pub fn is_empty(&self) -> bool {
        self.fields == NarrowingFields::default()
    }

    /// The URL parameters that are set, by name (`from`, `to`, … `counted`).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let f = &self.fields;
        [
            ("from", &f.from),
            ("to", &f.to),
            ("unit", &f.unit),
            ("rep", &f.rep),
            ("category", &f.category),
            ("here", &f.here),
            ("department", &f.department),
            ("q", &f.q),
            ("counted", &f.counted),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect()
    }

    /// `&from=…&to=…` and the rest that are set, for links that keep the narrowing.
    pub fn query(&self) -> String {
        let mut out = String::new();
        for (name, value) in self.pairs() {
            out.push('&');
            out.push_str(name);
            out.push('=');
            out.push_str(
                &percent_encoding::utf8_percent_encode(&value, percent_encoding::NON_ALPHANUMERIC).to_string(),
            );
        }
        out
    }

    fn filter(&self, region_path: Option<&str>) -> Narrowing {
        let f = &self.fields;
        let escaped: String =
            f.q.chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
        Narrowing {
            created_from: self.from.map(cst_midnight).unwrap_or(0),
            created_until: self.to.and_then(|d| d.succ_opt()).map(cst_midnight).unwrap_or(0),
            unit_id: f.unit.clone(),
            representative_id: f.rep.clone(),
            category: f.category.clone(),
            exact_path: if f.here.is_empty() { String::new() } else { region_path.unwrap_or("-").to_string() },
            department_id: f.department.clone(),
            text_like: if f.q.is_empty() { String::new() } else { format!("%{escaped}%") },
            counted: f.counted.clone(),
        }
    }
}

/// The instant (ms UTC) a day begins in China Standard Time.
pub fn cst_midnight(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0) - 8 * 3_600_000
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
                narrow: CaseNarrowing::default(),
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
    let filters = Filters::of(app, &mut tx, actor, query, today).await?;
    let page = PageRequest::new(query.page, INBOX_PAGE_SIZE);
    let filter = filters.for_status(query.status, query.due_by);
    let (cases, more) = db::cases::inbox_after(&mut tx, &filter, page, query.after.as_ref()).await?;
    let next = if more { cases.items.last().map(InboxKey::of) } else { None };
    let mut counts = Vec::new();
    for status in InboxStatus::ALL {
        let count = if status == query.status {
            cases.total
        } else {
            db::cases::inbox_count(&mut tx, &filters.for_status(status, query.due_by)).await?
        };
        counts.push((status, count));
    }
    Ok(Inbox { cases, page, counts, next, today })
}

/// The filter of exactly the cases [`inbox`] lists for this query (all its pages),
/// in the actor's scope: what an export of the list reads.
pub async fn list_filter(app: &App, actor: &Actor, query: &InboxQuery) -> Result<InboxFilter> {
    let mut tx = app.db().read().await?;
    let filters = Filters::of(app, &mut tx, actor, query, app.today()).await?;
    Ok(filters.for_status(query.status, query.due_by))
}

/// The actor's scope and the query's region, channel and narrowing, and the dates
/// the status filters need.
struct Filters {
    base: InboxFilter,
    due_soon: NaiveDate,
    yesterday: NaiveDate,
}

impl Filters {
    async fn of(app: &App, tx: &mut db::Tx, actor: &Actor, query: &InboxQuery, today: NaiveDate) -> Result<Filters> {
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
                if let Some(rep) = db::representatives::get(tx, representative_id).await? {
                    base.unit_ids = rep.unit_ids;
                }
            }
        }
        if !query.region_id.is_empty() {
            let region = db::regions::get(tx, &query.region_id).await?.ok_or(Error::NotFound)?;
            let within = match actor.scope() {
                Scope::Everything => true,
                Scope::Subtree { path, .. } => path.contains(&region.path),
                Scope::Unit { .. } | Scope::Department { .. } | Scope::Representative { .. } => false,
            };
            if !within {
                return Err(Error::Forbidden);
            }
            base.region_prefix = format!("{}%", region.path.as_str());
            base.narrow = query.narrow.filter(Some(region.path.as_str()));
        } else {
            base.narrow = query.narrow.filter(None);
        }
        let due_soon =
            app.calendar().add_working_days(today, DUE_SOON_WORKING_DAYS).map_err(|e| Error::Internal(e.into()))?;
        let yesterday = today.pred_opt().unwrap_or(today);
        Ok(Filters { base, due_soon, yesterday })
    }

    fn for_status(&self, status: InboxStatus, due_by: Option<NaiveDate>) -> InboxFilter {
        let (status, status_due) = match status {
            InboxStatus::All => ("", None),
            InboxStatus::Open => ("open", None),
            InboxStatus::Answered => ("answered", None),
            InboxStatus::Closed => ("closed", None),
            InboxStatus::DueSoon => ("open", Some(self.due_soon)),
            InboxStatus::Overdue => ("open", Some(self.yesterday)),
        };
        let due = [status_due, due_by].into_iter().flatten().min();
        InboxFilter {
            status: status.to_string(),
            due_by: due.map(db::cases::date_text).unwrap_or_default(),
            ..self.base.clone()
        }
    }
}
