//! The photos and voice messages of a case: to the staff who may see the case,
//! and to the citizen who holds its tracking code.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::actions::attachments::{self, File, Variant};
use crate::app::App;
use crate::web::auth::{Ctx, PageError};

/// `GET /cases/{id}/files/{file}`
pub async fn staff_full(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    Ok(send(attachments::staff_file(&app, ctx.staff()?, &id, &file, Variant::Full).await?))
}

/// `GET /cases/{id}/files/{file}/thumb`
pub async fn staff_thumb(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    Ok(send(attachments::staff_file(&app, ctx.staff()?, &id, &file, Variant::Thumb).await?))
}

/// `GET /track/{code}/files/{file}`
pub async fn citizen_full(
    State(app): State<App>,
    Path((code, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    Ok(send(attachments::citizen_file(&app, &code, &file, Variant::Full).await?))
}

/// `GET /track/{code}/files/{file}/thumb`
pub async fn citizen_thumb(
    State(app): State<App>,
    Path((code, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    Ok(send(attachments::citizen_file(&app, &code, &file, Variant::Thumb).await?))
}

fn send(file: File) -> Response {
    let headers = [
        (header::CONTENT_TYPE, file.media_type),
        (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
        (header::CONTENT_DISPOSITION, "inline".to_string()),
    ];
    (headers, file.bytes).into_response()
}
