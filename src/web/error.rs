//! The only place where error categories become HTTP status codes, for pages
//! (an HTML error page) and for the JSON API (one error body everywhere).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::error::Error;
use crate::i18n::{I18n, Lang};

fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Unauthenticated | Error::BadCredentials => StatusCode::UNAUTHORIZED,
        Error::Forbidden => StatusCode::FORBIDDEN,
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn code_of(error: &Error) -> &'static str {
    match error {
        Error::NotFound => "not_found",
        Error::Unauthenticated => "unauthenticated",
        Error::BadCredentials => "bad_credentials",
        Error::Forbidden => "forbidden",
        Error::Invalid(_) => "invalid",
        Error::Conflict(_) => "conflict",
        Error::Throttled { .. } => "throttled",
        Error::TooLarge => "too_large",
        Error::Internal(_) => "internal",
    }
}

/// The reader-facing message of an error.
pub fn message(i18n: &I18n, lang: Lang, error: &Error) -> String {
    match error {
        Error::NotFound => i18n.text(lang, "err-not-found"),
        Error::Unauthenticated => i18n.text(lang, "err-unauthenticated"),
        Error::BadCredentials => i18n.text(lang, "err-login-failed"),
        Error::Forbidden => i18n.text(lang, "err-forbidden"),
        Error::Invalid(fields) if fields.len() == 1 => i18n.msg(lang, &fields[0].msg),
        Error::Invalid(_) => i18n.text(lang, "err-invalid"),
        Error::Conflict(msg) => i18n.msg(lang, msg),
        Error::Throttled { retry_after_secs } => {
            i18n.msg(lang, &crate::domain::Msg::new("err-throttled").with("minutes", (retry_after_secs + 59) / 60))
        }
        Error::TooLarge => i18n.text(lang, "err-form-too-large"),
        Error::Internal(_) => i18n.text(lang, "err-internal"),
    }
}

fn log_internal(error: &Error) {
    if let Error::Internal(cause) = error {
        tracing::error!(error = format!("{cause:#}"), "internal error");
    }
}

fn with_retry_after(mut response: Response, error: &Error) -> Response {
    if let Error::Throttled { retry_after_secs } = error
        && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// An error for the JSON API: `{"error": {"code", "message", "fields": [{"field", "message"}]}}`.
pub fn api_error(i18n: &I18n, lang: Lang, error: &Error) -> Response {
    log_internal(error);
    let fields: Vec<_> = match error {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| json!({"field": f.field, "message": i18n.msg(lang, &f.msg), "code": f.msg.key}))
            .collect(),
        _ => Vec::new(),
    };
    let body = json!({"error": {"code": code_of(error), "message": message(i18n, lang, error), "fields": fields}});
    let response = (status_of(error), Json(body)).into_response();
    with_retry_after(response, error)
}

/// A stored API answer given again for a repeated `Idempotency-Key` (its status
/// was one this file chose the first time).
pub fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// An Open311 error: 403 for a missing or bad key, 404 for an unknown resource,
/// 400 for anything else the client sent; `body` writes the `errors` body for the code.
pub fn open311_error(error: &Error, content_type: &'static str, body: impl FnOnce(u16) -> String) -> Response {
    log_internal(error);
    let status = match error {
        Error::Unauthenticated | Error::BadCredentials | Error::Forbidden => StatusCode::FORBIDDEN,
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Error::Invalid(_) | Error::Conflict(_) | Error::Throttled { .. } | Error::TooLarge => StatusCode::BAD_REQUEST,
    };
    (status, [(header::CONTENT_TYPE, content_type)], body(status.as_u16())).into_response()
}

/// An Open311 answer in its format.
pub fn open311_ok(content_type: &'static str, body: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// An error page: `body` is the rendered page that explains it.
pub fn page_error(error: &Error, body: String) -> Response {
    log_internal(error);
    let response = (status_of(error), Html(body)).into_response();
    with_retry_after(response, error)
}

/// A form shown again with what was wrong (422, so tools can tell it failed).
pub fn form_with_errors(body: String) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response()
}

/// A record made by an API call: 201 with its JSON.
pub fn created(body: serde_json::Value) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// A page that did not render: the one deliberate plain 500.
pub fn render_failed(cause: askama::Error) -> Response {
    tracing::error!(error = %cause, "template rendering failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "500").into_response()
}

/// `GET /healthz`.
pub fn health(ok: bool) -> Response {
    if ok {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response()
    }
}

/// A file download.
pub fn attachment(content_type: &'static str, file_name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"export\"; filename*=UTF-8''{}", percent_encode(file_name));
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A file from disk as a download, read and sent a piece at a time (an export part
/// may be hundreds of megabytes; it is never held in memory whole).
pub fn attachment_file(content_type: &'static str, file_name: &str, file: tokio::fs::File, bytes: u64) -> Response {
    use tokio::io::AsyncReadExt;
    let chunks = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    let disposition = format!("attachment; filename=\"export\"; filename*=UTF-8''{}", percent_encode(file_name));
    let mut response = (StatusCode::OK, axum::body::Body::from_stream(chunks)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}
