//! Deputy, station and meeting codes: the short link a QR code carries, and the QR image.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::admin::resource_of;
use crate::actions::codes::{self, CodeTarget, Landing};
use crate::app::App;
use crate::domain::permission::Resource;
use crate::domain::record::PublicRecord;
use crate::error::Error;
use crate::web::auth::{Ctx, PageError};
use askama::Template;

use super::{Shell, render};

#[derive(Template)]
#[template(path = "poster.html")]
struct PosterPage<'a> {
    shell: Shell<'a>,
    poster: codes::Poster,
    link: String,
    svg: String,
}

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage<'a> {
    shell: Shell<'a>,
    deputy: Option<codes::DeputyLanding>,
    station: Option<codes::StationLanding>,
    /// A meeting's page also shows the station holding it.
    meeting: Option<codes::MeetingBrief>,
    record: PublicRecord,
    /// The form, already addressed.
    form_href: String,
    /// A plain link to a map search for the station's address (no map embedded).
    map_href: String,
}

/// `GET /q/{code}`: a scan. Counted, then the deputy's or station's public page,
/// with a prominent button to the form already addressed.
pub async fn scan(State(app): State<App>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, PageError> {
    let page = match codes::landing(&app, &code).await? {
        Landing::Deputy(deputy) => {
            let mut shell = Shell::new(&app, &ctx, "landing-deputy-title");
            shell.title = deputy.name.clone();
            let form_href = format!("/submit?representative={}", deputy.id);
            let record = deputy.record.clone();
            let map_href = String::new();
            LandingPage { shell, deputy: Some(deputy), station: None, meeting: None, record, form_href, map_href }
        }
        Landing::Station(station) => {
            let mut shell = Shell::new(&app, &ctx, "landing-station-title");
            shell.title = station.name.clone();
            let form_href = format!("/submit?unit={}", station.id);
            let map_href = map_href(&station.address);
            let record = station.record.clone();
            LandingPage { shell, deputy: None, station: Some(station), meeting: None, record, form_href, map_href }
        }
        Landing::Meeting(landing) => {
            let mut shell = Shell::new(&app, &ctx, "landing-meeting-title");
            shell.title = landing.meeting.title.clone();
            let form_href = if landing.meeting.cancelled {
                format!("/submit?unit={}", landing.station.id)
            } else {
                format!("/submit?unit={}&meeting={}", landing.station.id, landing.meeting.id)
            };
            let map_href = map_href(&landing.station.address);
            let record = landing.station.record.clone();
            let (meeting, station) = (Some(landing.meeting), Some(landing.station));
            LandingPage { shell, deputy: None, station, meeting, record, form_href, map_href }
        }
    };
    Ok(render(&page))
}

/// A plain link to a map search for an address, or nothing without one.
fn map_href(address: &str) -> String {
    if address.trim().is_empty() {
        String::new()
    } else {
        format!("https://map.baidu.com/search/{}", utf8_percent_encode(address.trim(), NON_ALPHANUMERIC))
    }
}

/// `GET /admin/{units|representatives|meetings}/{id}/qr.svg`: the QR image of the record's code.
pub async fn qr_svg(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let svg = codes::qr_svg(&code_url(&app, &ctx, &headers, slug, id).await?)?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

/// `GET /admin/{units|representatives|meetings}/{id}/qr.png`: the same QR image as PNG.
pub async fn qr_png(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let png = codes::qr_png(&code_url(&app, &ctx, &headers, slug, id).await?)?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

/// The full `/q/…` link of a record's code, on the host the browser asked.
async fn code_url(app: &App, ctx: &Ctx, headers: &HeaderMap, slug: String, id: String) -> Result<String, PageError> {
    let actor = ctx.staff()?;
    let target = match resource_of(&slug)? {
        Resource::Unit => CodeTarget::Unit(id),
        Resource::Representative => CodeTarget::Representative(id),
        Resource::Meeting => CodeTarget::Meeting(id),
        _ => return Err(Error::NotFound.into()),
    };
    let code = codes::code_for(app, actor, &target).await?;
    Ok(format!("{}/q/{code}", site(app, headers)))
}

/// `GET /admin/{units|representatives|meetings}/{id}/poster`: an A4 poster of the code to print.
pub async fn poster(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let target = match resource_of(&slug)? {
        Resource::Unit => CodeTarget::Unit(id),
        Resource::Representative => CodeTarget::Representative(id),
        Resource::Meeting => CodeTarget::Meeting(id),
        _ => return Err(Error::NotFound.into()),
    };
    let poster = codes::poster(&app, actor, &target).await?;
    let link = format!("{}/q/{}", site(&app, &headers), poster.code);
    let svg = codes::qr_svg(&link)?;
    let mut shell = Shell::new(&app, &ctx, "poster-title");
    shell.title = poster.name.clone();
    Ok(render(&PosterPage { shell, poster, link, svg }))
}

/// One card of the printed sheet: the code's QR image inline.
struct SheetCard {
    name: String,
    kind: String,
    link: String,
    svg: String,
}

#[derive(Template)]
#[template(path = "code_sheet.html")]
struct SheetPage<'a> {
    shell: Shell<'a>,
    cards: Vec<SheetCard>,
}

/// `GET /codes/sheet`: every station, deputy and meeting code in the signed-in keeper's or
/// office's scope, several to an A4 page, to print at once.
pub async fn sheet(State(app): State<App>, ctx: Ctx, headers: HeaderMap) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let site = site(&app, &headers);
    let shell = Shell::new(&app, &ctx, "sheet-title");
    let mut cards = Vec::new();
    for entry in codes::sheet(&app, actor).await? {
        let link = format!("{site}/q/{}", entry.code);
        let svg = codes::qr_svg(&link)?;
        cards.push(SheetCard { name: entry.name, kind: shell.t(&entry.kind_key), link, svg });
    }
    Ok(render(&SheetPage { shell, cards }))
}

fn site(app: &App, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if app.config().secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}
