//! Background exports: a list too long to build in one request (the case list at
//! province scale, a long record list) is queued as a durable job, written page by
//! page to files in the data folder by a runner task, split into parts of at most
//! `Config::export_part_rows` rows, and offered to its owner, and only its owner,
//! as downloads. Progress (`rows_done` of `rows_total`) is stored after every page.
//!
//! A job runs as its owner's account *at the time it runs*: the scope is checked
//! again, so a person never receives rows they may no longer see. A job whose
//! runner died (its lease ran out) is claimed again and started from the first row:
//! the files of the lost run are replaced, nothing is left half-written under a
//! final name.

mod files;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::cases::{CaseNarrowing, InboxQuery, NarrowingFields};
use super::export::Format;
use super::require;
use crate::app::App;
use crate::clock::Millis;
use crate::db::cases::ExportKey;
use crate::db::exports::{Export, NewExport};
use crate::db::{self, PageRequest};
use crate::domain::case::Case;
use crate::domain::columns::columns;
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::user::Actor;
use crate::domain::{FieldError, Msg};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use files::PartWriter;

/// How long a runner holds a job without reporting progress before another runner
/// may start it again (every page renews it).
pub const LEASE_MS: Millis = 60_000;

/// The most data rows one XLSX sheet holds (1,048,576 rows, one of them the header).
pub const XLSX_MAX_ROWS: i64 = 1_048_575;

/// How many of a person's exports `/exports` lists.
pub const LISTED: i64 = 50;

/// The case list's filter as its URL gives it (the strings of `/cases?…`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseListParams {
    pub status: String,
    pub due_by: String,
    pub channel: String,
    pub region: String,
    #[serde(flatten)]
    pub narrow: NarrowingFields,
}

impl CaseListParams {
    /// The inbox query these strings mean; field errors as the case list gives them.
    pub fn query(&self) -> Result<InboxQuery, Vec<FieldError>> {
        let mut query = InboxQuery::parse(&self.status, &self.due_by, &self.channel, None)?;
        query.region_id = self.region.trim().to_string();
        query.narrow = CaseNarrowing::parse(&self.narrow)?;
        Ok(query)
    }
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The case list exactly as `/cases` shows it with these parameters.
    Cases(Box<CaseListParams>),
    /// An administrator's record list (the columns an import reads).
    Records(Resource),
}

/// An export request, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSpec {
    pub subject: Subject,
    pub format: Format,
}

impl ExportSpec {
    /// From `subject` (`cases` or a record list's name), `format` (`csv`, `xlsx`) and,
    /// for the case list, its filter.
    pub fn parse(subject: &str, format: &str, list: &CaseListParams) -> Result<ExportSpec, Vec<FieldError>> {
        let mut errors = Vec::new();
        let format = Format::parse(format.trim());
        if format.is_none() {
            errors.push(FieldError::new("format", Msg::new("err-export-format")));
        }
        let subject = match subject.trim() {
            "cases" => match list.query() {
                Ok(_) => Some(Subject::Cases(Box::new(list.clone()))),
                Err(list_errors) => {
                    errors.extend(list_errors);
                    None
                }
            },
            raw => match Resource::parse(raw) {
                Some(r) if records_exportable(r) => Some(Subject::Records(r)),
                _ => {
                    errors.push(FieldError::new("subject", Msg::new("err-export-subject")));
                    None
                }
            },
        };
        match (subject, format) {
            (Some(subject), Some(format)) if errors.is_empty() => Ok(ExportSpec { subject, format }),
            _ => Err(errors),
        }
    }
}

fn records_exportable(resource: Resource) -> bool {
    !matches!(resource, Resource::AdminLog | Resource::Setting)
}

/// Where an export stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportState {
    Queued,
    Running,
    Done,
    Failed,
    /// Its files were deleted [`KEEP_DAYS`] after it finished.
    Expired,
}

impl ExportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportState::Queued => "queued",
            ExportState::Running => "running",
            ExportState::Done => "done",
            ExportState::Failed => "failed",
            ExportState::Expired => "expired",
        }
    }

    fn of(raw: &str) -> ExportState {
        match raw {
            "running" => ExportState::Running,
            "done" => ExportState::Done,
            "failed" => ExportState::Failed,
            "expired" => ExportState::Expired,
            _ => ExportState::Queued,
        }
    }

    /// Still to change: a page showing it keeps asking.
    pub fn is_pending(self) -> bool {
        matches!(self, ExportState::Queued | ExportState::Running)
    }
}

/// One export as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportView {
    pub id: String,
    /// `cases` or a record list's name.
    pub subject: String,
    pub format: Format,
    pub state: ExportState,
    pub rows_done: i64,
    pub rows_total: i64,
    /// The finished files, in order (all of them once the export is done).
    pub parts: Vec<PartInfo>,
    pub created_at: Millis,
    pub finished_at: Option<Millis>,
    /// A catalogue key saying why it failed (empty otherwise).
    pub error: String,
    /// Which run wrote the files (each run writes in a folder of its own).
    attempt: i64,
}

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartInfo {
    /// From 1.
    pub number: i64,
    /// The name a download is saved as: `minyi-cases-20260302-part-1-of-3.xlsx`.
    pub file_name: String,
}

impl ExportView {
    fn of(job: &Export) -> ExportView {
        let format = Format::parse(&job.format).unwrap_or(Format::Csv);
        let state = ExportState::of(&job.state);
        let day = chrono::DateTime::from_timestamp_millis(job.created_at).unwrap_or_default().format("%Y%m%d");
        let parts = if state == ExportState::Done {
            (1..=job.parts)
                .map(|number| {
                    let suffix = if job.parts > 1 { format!("-part-{number}-of-{}", job.parts) } else { String::new() };
                    PartInfo {
                        number,
                        file_name: format!("minyi-{}-{day}{suffix}.{}", job.subject, format.extension()),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        ExportView {
            id: job.id.clone(),
            subject: job.subject.clone(),
            format,
            state,
            rows_done: job.rows_done,
            rows_total: job.rows_total.max(job.rows_done),
            parts,
            created_at: job.created_at,
            finished_at: job.finished_at,
            error: job.error.clone(),
            attempt: job.attempts,
        }
    }
}

/// Queues an export of a list the actor may see, in the language of its headers
/// and labels; returns its id. The list's scope is checked now (and again when it
/// runs); the start is recorded in the admin log.
pub async fn start(app: &App, actor: &Actor, lang: Lang, spec: &ExportSpec) -> Result<String> {
    let (subject, params) = match &spec.subject {
        Subject::Cases(list) => {
            let query = list.query().map_err(Error::Invalid)?;
            // Refuses a region outside the actor's scope, as the list itself does.
            super::cases::list_filter(app, actor, &query).await?;
            ("cases".to_string(), serde_json::to_string(list).map_err(|e| Error::Internal(e.into()))?)
        }
        Subject::Records(resource) => {
            require_records(actor, *resource)?;
            (resource.as_str().to_string(), String::new())
        }
    };
    let now = app.now();
    let mut tx = app.db().write().await?;
    let new = NewExport {
        owner_user_id: actor.user_id(),
        subject: &subject,
        params: &params,
        format: spec.format.extension(),
        lang: lang.code(),
        part_rows: app.config().export_part_rows.clamp(1, XLSX_MAX_ROWS),
    };
    let id = db::exports::insert(&mut tx, &new, now).await?;
    let path = actor.scope().region_path();
    let label = format!("{subject}.{}", spec.format.extension());
    let entry = db::admin_log::NewEntry {
        actor_user_id: Some(actor.user_id()),
        actor_name: actor.display_name(),
        action: "export",
        resource: &subject,
        target_id: &id,
        target_label: &label,
        region_path: path.as_str(),
        detail: &params,
    };
    db::admin_log::append(&mut tx, &entry, now).await?;
    tx.commit().await?;
    app.exports_queued().notify_one();
    Ok(id)
}

fn require_records(actor: &Actor, resource: Resource) -> Result<()> {
    let path = actor.scope().region_path();
    require(actor, Action::Export, resource, &Target { region_path: &path, id: None, unit_ids: &[] })
}

/// One of the actor's own exports; another person's is `NotFound`, as if it did not exist.
pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<ExportView> {
    let mut tx = app.db().read().await?;
    let job = db::exports::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if job.owner_user_id != actor.user_id() {
        return Err(Error::NotFound);
    }
    Ok(ExportView::of(&job))
}

/// The actor's own exports, the newest first.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<ExportView>> {
    let mut tx = app.db().read().await?;
    let jobs = db::exports::list_for_owner(&mut tx, actor.user_id(), LISTED).await?;
    Ok(jobs.iter().map(ExportView::of).collect())
}

/// A finished part of one of the actor's own exports, to be sent as a download.
#[derive(Debug, Clone)]
pub struct PartFile {
    pub path: PathBuf,
    pub file_name: String,
    pub format: Format,
    pub bytes: u64,
}

pub async fn part(app: &App, actor: &Actor, id: &str, number: i64) -> Result<PartFile> {
    let view = get(app, actor, id).await?;
    let info = view.parts.iter().find(|p| p.number == number).ok_or(Error::NotFound)?;
    let path = files::part_path(&folder(app, id).join(view.attempt.to_string()), number, view.format);
    let bytes = tokio::fs::metadata(&path).await.map_err(|e| Error::Internal(e.into()))?.len();
    Ok(PartFile { path, file_name: info.file_name.clone(), format: view.format, bytes })
}

fn folder(app: &App, id: &str) -> PathBuf {
    app.config().data_dir.join("exports").join(id)
}

/// How long an export's files are kept after it finished. They hold citizens' names
/// and numbers: a list is exported to be used now, not kept in the data folder.
pub const KEEP_DAYS: i64 = 7;
/// How many exports one transaction of [`expire_old`] marks.
const EXPIRE_BATCH: i64 = 100;

/// Deletes the files of every export that finished more than [`KEEP_DAYS`] ago and
/// marks it expired (the job stays, as the record it was made); returns how many. One
/// whose files cannot be deleted is logged and left as it is, without holding back the
/// others.
/// Files first, then the mark: a crash between the two leaves the job to the next
/// sweep, which finds nothing left to delete and marks it.
pub async fn expire_old(app: &App) -> Result<usize> {
    let before = app.now() - KEEP_DAYS * 24 * 60 * 60 * 1000;
    let mut expired = 0;
    loop {
        let ids = {
            let mut tx = app.db().read().await?;
            db::exports::finished_before(&mut tx, before, EXPIRE_BATCH).await?
        };
        if ids.is_empty() {
            return Ok(expired);
        }
        let mut deleted = Vec::new();
        for id in &ids {
            match tokio::fs::remove_dir_all(folder(app, id)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    tracing::error!(export = %id, error = %e, "cannot delete an old export's files; it stays until they can be")
                }
                _ => deleted.push(id),
            }
        }
        // A page whose files could none be deleted ends this sweep; the next tries again.
        if deleted.is_empty() {
            return Ok(expired);
        }
        let mut tx = app.db().write().await?;
        for id in deleted {
            expired += usize::from(db::exports::expire(&mut tx, id).await?);
        }
        tx.commit().await?;
    }
}

// --- the runner ------------------------------------------------------------------

/// What one step of a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A page of rows was written; more may follow.
    Page { rows: usize },
    /// Every row is written and the job is done.
    Done,
    /// Another runner holds the job now (this one's lease ran out): stop.
    Lost,
}

/// A job a runner holds: where its reading has got to and the part being written.
pub struct Run {
    job: Export,
    worker: String,
    source: Source,
    lang: Lang,
    writer: Option<PartWriter>,
    rows_done: i64,
}

enum Source {
    Cases { filter: Box<db::cases::InboxFilter>, after: ExportKey },
    Records { actor: Box<Actor>, resource: Resource, page: i64 },
}

impl Run {
    pub fn id(&self) -> &str {
        &self.job.id
    }

    /// Reads the next page in its own read transaction, writes its rows, and stores
    /// the progress (renewing the lease).
    pub async fn step(&mut self, app: &App) -> Result<Step> {
        let size = app.config().export_page_rows.max(1);
        let (rows, last) = match &mut self.source {
            Source::Cases { filter, after } => {
                let mut tx = app.db().read().await?;
                let cases = db::cases::export_page(&mut tx, filter, after, size).await?;
                drop(tx);
                if let Some(case) = cases.last() {
                    *after = ExportKey::of(case);
                }
                let today = app.today();
                let rows: Vec<Vec<String>> = cases.iter().map(|c| case_cells(app, self.lang, c, today)).collect();
                let last = (rows.len() as i64) < size;
                (rows, last)
            }
            Source::Records { actor, resource, page } => {
                let size = size.min(500);
                let (records, _) =
                    super::records::list(app, actor, *resource, "", PageRequest::new(*page, size)).await?;
                *page += 1;
                let fields: Vec<&str> = columns(*resource).iter().map(|c| c.field).collect();
                let rows: Vec<Vec<String>> = records
                    .iter()
                    .map(|r| fields.iter().map(|f| r.fields.get(*f).cloned().unwrap_or_default()).collect())
                    .collect();
                let last = (rows.len() as i64) < size;
                (rows, last)
            }
        };
        let count = rows.len();
        let writer = self.writer.take().ok_or_else(|| Error::Internal(anyhow::anyhow!("the export has no writer")))?;
        let writer = tokio::task::spawn_blocking(move || writer.write(rows, last))
            .await
            .map_err(|e| Error::Internal(e.into()))??;
        self.rows_done += count as i64;
        let parts = writer.parts_done();
        self.writer = Some(writer);
        let now = app.now();
        let mut tx = app.db().write().await?;
        let held = if last {
            db::exports::finish(&mut tx, &self.job.id, &self.worker, self.rows_done, parts, now).await?
        } else {
            db::exports::progress(&mut tx, &self.job.id, &self.worker, self.rows_done, parts, now + LEASE_MS).await?
        };
        tx.commit().await?;
        Ok(match (held, last) {
            (false, _) => Step::Lost,
            (true, true) => Step::Done,
            (true, false) => Step::Page { rows: count },
        })
    }

    /// Gives the job up as failed, with a catalogue key saying why.
    pub async fn fail(self, app: &App, reason: &str) -> Result<()> {
        let mut tx = app.db().write().await?;
        db::exports::fail(&mut tx, &self.job.id, &self.worker, reason, app.now()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Claims the oldest waiting job for `worker` (a runner's own id) and prepares it:
/// its owner's current scope, the count of rows, an empty folder, the first part.
/// `None` when nothing waits. A job that cannot be prepared (its owner may no
/// longer see the list) is marked failed, and the next is tried.
pub async fn claim(app: &App, worker: &str) -> Result<Option<Run>> {
    loop {
        let now = app.now();
        let mut tx = app.db().write().await?;
        let job = db::exports::claim_next(&mut tx, worker, now, now + LEASE_MS).await?;
        tx.commit().await?;
        let Some(job) = job else { return Ok(None) };
        match prepare(app, worker, job.clone()).await {
            Ok(run) => return Ok(Some(run)),
            Err(error) => {
                let reason = failure_key(&error);
                tracing::warn!(export = %job.id, error = %error, "an export could not start");
                let mut tx = app.db().write().await?;
                db::exports::fail(&mut tx, &job.id, worker, reason, app.now()).await?;
                tx.commit().await?;
            }
        }
    }
}

/// Runs the oldest waiting job to its end; false when none waits. A job that fails
/// is marked so, with the reason, and counts as run.
pub async fn run_next(app: &App, worker: &str) -> Result<bool> {
    let Some(mut run) = claim(app, worker).await? else { return Ok(false) };
    loop {
        match run.step(app).await {
            Ok(Step::Page { .. }) => continue,
            Ok(Step::Done | Step::Lost) => return Ok(true),
            Err(error) => {
                tracing::error!(export = %run.id(), error = %error, "an export failed");
                let reason = failure_key(&error);
                run.fail(app, reason).await?;
                return Ok(true);
            }
        }
    }
}

fn failure_key(error: &Error) -> &'static str {
    match error {
        Error::NotFound | Error::Forbidden | Error::Unauthenticated => "export-failed-scope",
        _ => "export-failed-internal",
    }
}

async fn prepare(app: &App, worker: &str, job: Export) -> Result<Run> {
    let actor = {
        let mut tx = app.db().read().await?;
        let account = db::users::get(&mut tx, &job.owner_user_id).await?.ok_or(Error::NotFound)?;
        if !account.active {
            return Err(Error::Forbidden);
        }
        super::accounts::actor_of(account)?
    };
    let lang = Lang::from_code(&job.lang);
    let format = Format::parse(&job.format).ok_or_else(|| Error::Internal(anyhow::anyhow!("unknown format")))?;
    let (source, total, headers) = if job.subject == "cases" {
        let params: CaseListParams = serde_json::from_str(&job.params).map_err(|e| Error::Internal(e.into()))?;
        let query = params.query().map_err(Error::Invalid)?;
        let filter = super::cases::list_filter(app, &actor, &query).await?;
        let mut tx = app.db().read().await?;
        let total = db::cases::inbox_count(&mut tx, &filter).await?;
        let headers = CASE_COLUMNS.iter().map(|key| app.i18n().text(lang, key)).collect();
        (Source::Cases { filter: Box::new(filter), after: ExportKey::start() }, total, headers)
    } else {
        let resource = Resource::parse(&job.subject).filter(|r| records_exportable(*r)).ok_or(Error::NotFound)?;
        require_records(&actor, resource)?;
        let (_, total) = super::records::list(app, &actor, resource, "", PageRequest::new(1, 1)).await?;
        let headers = columns(resource).iter().map(|c| c.header.to_string()).collect();
        (Source::Records { actor: Box::new(actor), resource, page: 1 }, total, headers)
    };
    let root = folder(app, &job.id);
    let dir = root.join(job.attempts.to_string());
    let part_rows = job.part_rows.max(1);
    let writer = tokio::task::spawn_blocking(move || PartWriter::start(&root, dir, format, headers, part_rows))
        .await
        .map_err(|e| Error::Internal(e.into()))??;
    let mut tx = app.db().write().await?;
    db::exports::set_total(&mut tx, &job.id, worker, total).await?;
    tx.commit().await?;
    Ok(Run { job, worker: worker.to_string(), source, lang, writer: Some(writer), rows_done: 0 })
}

/// The case list's columns, by catalogue key.
const CASE_COLUMNS: [&str; 9] = [
    "export-col-code",
    "export-col-title",
    "export-col-state",
    "export-col-channel",
    "export-col-category",
    "export-col-received",
    "export-col-due",
    "export-col-overdue",
    "export-col-closed",
];

fn case_cells(app: &App, lang: Lang, case: &Case, today: chrono::NaiveDate) -> Vec<String> {
    let t = |key: String| app.i18n().text(lang, &key);
    let time = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000)
            .map(|d| d.naive_utc().format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    vec![
        case.tracking_code.clone(),
        case.title.clone(),
        t(format!("state-{}", case.state.as_str())),
        t(format!("channel-{}", case.channel.as_str())),
        if case.category.is_empty() { String::new() } else { t(format!("category-{}", case.category)) },
        time(case.created_at),
        case.next_due().map(|d| d.to_string()).unwrap_or_default(),
        if case.is_overdue(today) { t("export-yes".to_string()) } else { String::new() },
        case.closed_at.map(time).unwrap_or_default(),
    ]
}
