//! Background exports on the pages: starting one (`POST /exports`, from the case
//! list's buttons or a record list too long to download at once), its progress
//! (`/exports/{id}`, refreshed in place by htmx polling `/exports/{id}/progress`), the
//! person's own exports (`/exports`) and the downloads of the finished parts.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::{Shell, render};
use crate::actions::exports::{self, CaseListParams, ExportSpec, ExportState, ExportView};
use crate::app::App;
use crate::domain::Msg;
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError};
use crate::web::error;

/// The form of an export button: what to export, the format, and the case list's filter.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct StartForm {
    subject: String,
    format: String,
    #[serde(flatten)]
    list: CaseListParams,
}

/// `POST /exports`: queues the export and shows its progress.
pub async fn start(
    State(app): State<App>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<StartForm>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let spec = ExportSpec::parse(&form.subject, &form.format, &form.list)?;
    let id = exports::start(&app, actor, ctx.lang, &spec).await?;
    Ok(Redirect::to(&format!("/exports/{id}")).into_response())
}

/// The progress of one export and, once done, its downloads: the part of the page
/// htmx replaces while the export runs.
pub struct Progress {
    id: String,
    pending: bool,
    failed: bool,
    done: i64,
    total: i64,
    label: String,
    summary: String,
    parts: Vec<(String, String)>,
}

impl Progress {
    fn of(shell: &Shell<'_>, view: &ExportView) -> Progress {
        let msg = |key: &'static str| {
            Msg::new(key).with("done", view.rows_done).with("total", view.rows_total).with("parts", view.parts.len())
        };
        let summary = match view.state {
            ExportState::Queued => shell.t("export-queued"),
            ExportState::Running => shell.msg(&msg("export-progress")),
            ExportState::Done => shell.msg(&msg("export-done")),
            ExportState::Failed => shell.t(if view.error.is_empty() { "export-failed-internal" } else { &view.error }),
            ExportState::Expired => shell.msg(&Msg::new("export-expired").with("days", exports::KEEP_DAYS)),
        };
        Progress {
            id: view.id.clone(),
            pending: view.state.is_pending(),
            failed: view.state == ExportState::Failed,
            done: view.rows_done,
            total: view.rows_total,
            label: shell.msg(&msg("export-progress")),
            summary,
            parts: view
                .parts
                .iter()
                .map(|p| (format!("/exports/{}/parts/{}", view.id, p.number), p.file_name.clone()))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage<'a> {
    shell: Shell<'a>,
    what: String,
    p: Progress,
}

#[derive(Template)]
#[template(path = "export_progress.html")]
struct ProgressFragment<'a> {
    shell: Shell<'a>,
    p: Progress,
}

/// `GET /exports/{id}`: one of the person's own exports (another person's is not found).
pub async fn show(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let view = exports::get(&app, ctx.staff()?, &id).await?;
    let shell = Shell::new(&app, &ctx, "export-title");
    let what = subject_label(&shell, &view);
    let p = Progress::of(&shell, &view);
    Ok(render(&ExportPage { shell, what, p }))
}

/// `GET /exports/{id}/progress`: the progress part alone, for htmx.
pub async fn progress(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let view = exports::get(&app, ctx.staff()?, &id).await?;
    let shell = Shell::new(&app, &ctx, "export-title");
    let p = Progress::of(&shell, &view);
    Ok(render(&ProgressFragment { shell, p }))
}

fn subject_label(shell: &Shell<'_>, view: &ExportView) -> String {
    let list = if view.subject == "cases" { shell.t("nav-cases") } else { shell.t(&format!("nav-{}", view.subject)) };
    format!("{list} · {}", view.format.extension().to_uppercase())
}

#[derive(Template)]
#[template(path = "exports.html")]
struct ListPage<'a> {
    shell: Shell<'a>,
    rows: Vec<ListRow>,
}

struct ListRow {
    href: String,
    what: String,
    created: String,
    summary: String,
}

/// `GET /exports`: the person's own exports, the newest first.
pub async fn list(State(app): State<App>, ctx: Ctx) -> Result<Response, PageError> {
    let views = exports::list(&app, ctx.staff()?).await?;
    let shell = Shell::new(&app, &ctx, "exports-title");
    let rows = views
        .iter()
        .map(|view| ListRow {
            href: format!("/exports/{}", view.id),
            what: subject_label(&shell, view),
            created: china_time(view.created_at),
            summary: Progress::of(&shell, view).summary,
        })
        .collect();
    Ok(render(&ListPage { shell, rows }))
}

fn china_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000)
        .map(|d| d.naive_utc().format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// `GET /exports/{id}/parts/{number}`: a finished part, as a download.
pub async fn part(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let part = exports::part(&app, ctx.staff()?, &id, number.parse().map_err(|_| Error::NotFound)?).await?;
    let file = tokio::fs::File::open(&part.path).await.map_err(|e| Error::Internal(e.into()))?;
    Ok(error::attachment_file(part.format.content_type(), &part.file_name, file, part.bytes))
}
