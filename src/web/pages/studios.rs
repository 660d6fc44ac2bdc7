//! The member-studio directory for citizens (`/studios`), a studio's page and a
//! member's profile (`/members/{id}`), which leads to the form addressed to that member.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::{Shell, render, urlencode};
use crate::actions::studios::{self, Directory, MemberProfile, StudioPage, StudioQuery};
use crate::app::App;
use crate::web::auth::{Ctx, PageError};

/// One choice of a filter's `<select>`.
pub struct Opt {
    pub value: String,
    pub selected: bool,
}

fn options(values: &[String], chosen: &str) -> Vec<Opt> {
    values.iter().map(|v| Opt { value: v.clone(), selected: v == chosen.trim() }).collect()
}

#[derive(Template)]
#[template(path = "studios.html")]
struct DirectoryPage<'a> {
    shell: Shell<'a>,
    query: StudioQuery,
    directory: Directory,
    fields: Vec<Opt>,
    towns: Vec<Opt>,
    sectors: Vec<Opt>,
    /// Every page of the matches as (number, link keeping the filters, is this one).
    page_links: Vec<(usize, String, bool)>,
    page_label: String,
}

/// `GET /studios?q=…&field=…&town=…&sector=…`: the directory, searched and filtered.
pub async fn directory(
    State(app): State<App>,
    ctx: Ctx,
    Query(query): Query<StudioQuery>,
) -> Result<Response, PageError> {
    let directory = studios::directory(&app, &query).await?;
    let fields = options(&directory.fields, &query.field);
    let towns = options(&directory.towns, &query.town);
    let sectors = options(&directory.sectors, &query.sector);
    let shell = Shell::new(&app, &ctx, "studios-title");
    let filters = [("q", &query.q), ("field", &query.field), ("town", &query.town), ("sector", &query.sector)]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}&", urlencode(v.trim())))
        .collect::<String>();
    let page_links =
        (1..=directory.pages).map(|n| (n, format!("/studios?{filters}page={n}#found"), n == directory.page)).collect();
    let msg = crate::domain::Msg::new("page-of").with("page", directory.page).with("pages", directory.pages);
    let page_label = shell.msg(&msg);
    Ok(render(&DirectoryPage { shell, query, directory, fields, towns, sectors, page_links, page_label }))
}

#[derive(Template)]
#[template(path = "studio.html")]
struct StudioView<'a> {
    shell: Shell<'a>,
    page: StudioPage,
}

/// `GET /studios/{id}`: a studio and its members.
pub async fn studio(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let page = studios::studio(&app, &id).await?;
    let mut shell = Shell::new(&app, &ctx, "studios-title");
    shell.title = page.studio.input.name.clone();
    Ok(render(&StudioView { shell, page }))
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberView<'a> {
    shell: Shell<'a>,
    profile: MemberProfile,
}

/// `GET /members/{id}`: a CPPCC member's profile, with the button to ask them.
pub async fn member(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let profile = studios::member(&app, &id).await?;
    let mut shell = Shell::new(&app, &ctx, "studios-title");
    shell.title = profile.member.name.clone();
    Ok(render(&MemberView { shell, profile }))
}
