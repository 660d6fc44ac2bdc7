//! Importing a spreadsheet: upload, preview with every problem named, commit.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::admin::resource_of;
use super::{Shell, admin_href, render, render_invalid};
use crate::actions::import;
use crate::app::App;
use crate::domain::Msg;
use crate::domain::columns::columns;
use crate::domain::permission::Resource;
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError, check_csrf};
use crate::web::error;

#[derive(Template)]
#[template(path = "import.html")]
struct UploadPage<'a> {
    shell: Shell<'a>,
    base: &'static str,
    columns: String,
    error: Option<String>,
}

fn upload_page<'a>(app: &'a App, ctx: &Ctx, resource: Resource, error: Option<String>) -> UploadPage<'a> {
    let shell = Shell::new(app, ctx, "import");
    let names: Vec<String> = columns(resource)
        .iter()
        .map(|c| if c.required { format!("{}*", c.header) } else { c.header.to_string() })
        .collect();
    let columns = shell.msg(&Msg::new("import-columns").with("columns", names.join("、")));
    UploadPage { shell, base: admin_href(resource), columns, error }
}

pub async fn upload_form(State(app): State<App>, ctx: Ctx, Path(slug): Path<String>) -> Result<Response, PageError> {
    ctx.staff()?;
    let resource = resource_of(&slug)?;
    Ok(render(&upload_page(&app, &ctx, resource, None)))
}

/// A CSV with only the header row, to fill in.
pub async fn template(Path(slug): Path<String>, ctx: Ctx) -> Result<Response, PageError> {
    ctx.staff()?;
    let resource = resource_of(&slug)?;
    let header: Vec<&str> = columns(resource).iter().map(|c| c.header).collect();
    let body = format!("\u{feff}{}\r\n", header.join(","));
    let name = format!("minyi-{}-template.csv", resource.as_str());
    Ok(error::attachment("text/csv; charset=utf-8", &name, body.into_bytes()))
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage<'a> {
    shell: Shell<'a>,
    base: &'static str,
    summary: String,
    ignored: String,
    errors: Vec<ErrorLine>,
    commit_action: String,
}

struct ErrorLine {
    row: usize,
    column: String,
    message: String,
}

pub async fn preview(
    State(app): State<App>,
    ctx: Ctx,
    Path(slug): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let resource = resource_of(&slug)?;
    let (mut csrf, mut file) = (String::new(), None);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                let message = app.i18n().msg(ctx.lang, &file_too_large());
                return Ok(render_invalid(&upload_page(&app, &ctx, resource, Some(message))));
            }
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes)),
                    Err(_) => {
                        let message = app.i18n().msg(ctx.lang, &file_too_large());
                        return Ok(render_invalid(&upload_page(&app, &ctx, resource, Some(message))));
                    }
                }
            }
            _ => {}
        }
    }
    check_csrf(Some(&ctx), &csrf)?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let message = app.i18n().text(ctx.lang, "err-file-empty");
        return Ok(render_invalid(&upload_page(&app, &ctx, resource, Some(message))));
    };
    let preview = match import::preview(&app, actor, resource, &name, &bytes).await {
        Ok(preview) => preview,
        Err(Error::Invalid(fields)) => {
            let message = fields.first().map(|f| app.i18n().msg(ctx.lang, &f.msg));
            return Ok(render_invalid(&upload_page(&app, &ctx, resource, message)));
        }
        Err(other) => return Err(other.into()),
    };
    let shell = Shell::new(&app, &ctx, "import-preview");
    let summary = shell.msg(
        &Msg::new("import-summary")
            .with("rows", preview.rows)
            .with("created", preview.created)
            .with("updated", preview.updated),
    );
    let ignored = if preview.ignored_columns.is_empty() {
        String::new()
    } else {
        shell.msg(&Msg::new("import-ignored").with("columns", preview.ignored_columns.join("、")))
    };
    let errors: Vec<ErrorLine> = preview
        .errors
        .iter()
        .map(|e| ErrorLine { row: e.row, column: e.column.clone(), message: shell.msg(&e.msg) })
        .collect();
    let base = admin_href(resource);
    let page = PreviewPage {
        commit_action: format!("{base}/import/{}", preview.batch_id.clone().unwrap_or_default()),
        base,
        summary,
        ignored,
        errors,
        shell,
    };
    Ok(if page.errors.is_empty() { render(&page) } else { render_invalid(&page) })
}

fn file_too_large() -> Msg {
    Msg::new("err-file-too-large").with("mb", import::MAX_FILE_BYTES / 1024 / 1024)
}

pub async fn commit(
    State(app): State<App>,
    ctx: Ctx,
    Path((slug, batch)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let resource = resource_of(&slug)?;
    let done = import::commit(&app, actor, &batch).await?;
    let target = format!("{}?imported={}", admin_href(resource), done.created + done.updated);
    Ok(Redirect::to(&target).into_response())
}
