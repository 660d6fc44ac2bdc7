//! The administration log page (`/admin/log`): who did what, newest first.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use super::admin::{ListQuery, china_time};
use super::{Shell, render};
use crate::actions::records;
use crate::app::App;
use crate::db::PageRequest;
use crate::web::auth::{Ctx, PageError};

#[derive(Template)]
#[template(path = "log.html")]
struct LogPage<'a> {
    shell: Shell<'a>,
    summary: String,
    entries: Vec<LogLine>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

struct LogLine {
    at: String,
    who: String,
    action: String,
    what: String,
    detail: String,
}

pub async fn admin_log(
    State(app): State<App>,
    ctx: Ctx,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let page = PageRequest::new(query.page.unwrap_or(1), 50);
    let entries = records::admin_log(&app, actor, page).await?;
    let shell = Shell::new(&app, &ctx, "nav-log");
    let lines = entries
        .items
        .iter()
        .map(|e| LogLine {
            at: china_time(e.at),
            who: e.actor_name.clone(),
            action: shell.t(&format!("log-action-{}", e.action)),
            what: format!("{} · {}", shell.t(&format!("nav-{}", e.resource)), e.target_label),
            detail: e.detail.clone(),
        })
        .collect();
    let pages = ((entries.total + 49) / 50).max(1);
    let page_view = LogPage {
        summary: shell.msg(&crate::domain::Msg::new("list-summary").with("total", entries.total)),
        entries: lines,
        prev_href: (page.number > 1).then(|| format!("/admin/log?page={}", page.number - 1)),
        next_href: (page.number < pages).then(|| format!("/admin/log?page={}", page.number + 1)),
        shell,
    };
    Ok(render(&page_view))
}
