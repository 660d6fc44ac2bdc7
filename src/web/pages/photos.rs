//! A representative's photo: uploaded by someone who may change the record, shown
//! to everyone on the deputy's and member's public pages and on the poster.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::admin::resource_of;
use super::{Shell, render, render_invalid};
use crate::actions::attachments::Variant;
use crate::actions::representatives;
use crate::app::App;
use crate::domain::attachment::{MAX_PHOTO_BYTES, Upload};
use crate::domain::permission::Resource;
use crate::domain::{FieldError, Msg};
use crate::error::Error;
use crate::web::auth::{Ctx, PageError, check_csrf};

/// Largest photo upload, with room for the multipart envelope.
pub const PHOTO_LIMIT: usize = MAX_PHOTO_BYTES + 64 * 1024;

#[derive(Template)]
#[template(path = "photo.html")]
struct PhotoPage<'a> {
    shell: Shell<'a>,
    id: String,
    name: String,
    has_photo: bool,
    error: Option<String>,
    saved: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Saved {
    saved: Option<String>,
}

fn representative(slug: &str) -> Result<(), Error> {
    match resource_of(slug)? {
        Resource::Representative => Ok(()),
        _ => Err(Error::NotFound),
    }
}

async fn page<'a>(app: &'a App, ctx: &'a Ctx, id: &str, error: Option<String>) -> Result<PhotoPage<'a>, PageError> {
    let actor = ctx.staff()?;
    let (rep, has_photo) = representatives::get_with_photo(app, actor, id).await?;
    let mut shell = Shell::new(app, ctx, "photo-title");
    shell.title = format!("{} · {}", shell.t("photo-title"), rep.input.name);
    Ok(PhotoPage { shell, id: rep.id, name: rep.input.name, has_photo, error, saved: false })
}

/// `GET /admin/representatives/{id}/photo`: the current photo (or placeholder) and the upload form.
pub async fn form(
    State(app): State<App>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Query(saved): Query<Saved>,
) -> Result<Response, PageError> {
    representative(&slug)?;
    let mut page = page(&app, &ctx, &id, None).await?;
    page.saved = saved.saved.is_some();
    Ok(render(&page))
}

/// `POST /admin/representatives/{id}/photo` (multipart: `csrf`, `photo`).
pub async fn upload(
    State(app): State<App>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    representative(&slug)?;
    let actor = ctx.staff()?;
    let (mut csrf, mut upload) = (String::new(), Upload { field: "photo".into(), bytes: Vec::new(), too_large: false });
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                upload.too_large = true;
                break;
            }
        };
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "photo" => match field.bytes().await {
                Ok(bytes) => upload.bytes = bytes.to_vec(),
                Err(_) => upload.too_large = true,
            },
            _ => {}
        }
    }
    check_csrf(Some(&ctx), &csrf)?;
    match representatives::set_photo(&app, actor, &id, upload).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/representatives/{id}/photo?saved=1")).into_response()),
        Err(Error::Invalid(errors)) => {
            let shell_msg = |e: &FieldError| app.i18n().msg(ctx.lang, &e.msg);
            let message =
                errors.first().map(shell_msg).unwrap_or_else(|| app.i18n().msg(ctx.lang, &Msg::new("err-form")));
            Ok(render_invalid(&page(&app, &ctx, &id, Some(message)).await?))
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /photos/representatives/{id}`: an active representative's photo, for anyone.
pub async fn full(State(app): State<App>, Path(id): Path<String>) -> Result<Response, PageError> {
    Ok(send(representatives::photo(&app, &id, Variant::Full).await?))
}

/// `GET /photos/representatives/{id}/thumb`
pub async fn thumb(State(app): State<App>, Path(id): Path<String>) -> Result<Response, PageError> {
    Ok(send(representatives::photo(&app, &id, Variant::Thumb).await?))
}

fn send(file: crate::actions::attachments::File) -> Response {
    use axum::http::header;
    let headers = [
        (header::CONTENT_TYPE, file.media_type),
        (header::CACHE_CONTROL, "public, max-age=300".to_string()),
        (header::CONTENT_DISPOSITION, "inline".to_string()),
    ];
    (headers, file.bytes).into_response()
}
