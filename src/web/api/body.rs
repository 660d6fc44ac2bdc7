//! What every JSON API request body goes through: a size limit (413), JSON with
//! no unknown fields, and wrong types named per field, all in the one error body;
//! and the `Idempotency-Key` of every POST under `/api/v1`.

use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::actions::api_tokens::{self, Claim};
use crate::app::App;
use crate::db::api_tokens::StoredAnswer;
use crate::domain::{FieldError, Msg};
use crate::error::Error;
use crate::web::auth::{ApiError, Ctx, Failed};
use crate::web::error;

/// Largest JSON body the API reads.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// Longest idempotency key kept.
const MAX_KEY_CHARS: usize = 200;

/// A JSON body parsed into `T` (which should deny unknown fields).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<ApiJson<T>, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("application/json"));
        if !is_json {
            // Also what keeps a cross-site form from posting here.
            return Err(Error::invalid("body", Msg::new("err-json-content-type")).into());
        }
        let bytes = read_limited(request, MAX_JSON_BYTES).await?;
        parse_json(&bytes).map(ApiJson).map_err(ApiError)
    }
}

/// The body, or `TooLarge` past `limit` bytes (declared or sent).
pub async fn read_limited(request: Request, limit: usize) -> Result<axum::body::Bytes, Error> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(Error::TooLarge);
    }
    axum::body::to_bytes(request.into_body(), limit).await.map_err(|_| Error::TooLarge)
}

/// Parses JSON; every problem becomes a field error naming where it is.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    if has_nul_escape(bytes) {
        return Err(Error::invalid("body", Msg::new("err-nul")));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| Error::Invalid(vec![field_error(&e)]))?;
    deserializer.end().map_err(|_| Error::invalid("body", Msg::new("err-json")))?;
    Ok(value)
}

/// Whether JSON text holds `\u0000` (a NUL character no text column may store; raw
/// control characters are already refused by the parser). An escaped backslash
/// before `u0000` is not one.
fn has_nul_escape(bytes: &[u8]) -> bool {
    bytes.windows(6).enumerate().any(|(at, window)| {
        window == b"\\u0000" && bytes[..at].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

fn field_error(error: &serde_path_to_error::Error<serde_json::Error>) -> FieldError {
    let inner = error.inner();
    let path = error.path().to_string();
    let at = if path == "." { String::new() } else { path };
    let text = inner.to_string();
    let quoted = text.split('`').nth(1).unwrap_or_default().to_string();
    let join = |name: &str| if at.is_empty() { name.to_string() } else { format!("{at}.{name}") };
    match inner.classify() {
        serde_json::error::Category::Data if text.starts_with("unknown field") => {
            let field = if at.ends_with(&quoted) { at.clone() } else { join(&quoted) };
            FieldError::new(&field, Msg::new("err-json-unknown-field").with("name", quoted))
        }
        serde_json::error::Category::Data if text.starts_with("missing field") => {
            FieldError::new(join(&quoted), Msg::new("err-required"))
        }
        serde_json::error::Category::Data => {
            let expected = text.rsplit("expected ").next().unwrap_or_default().split(" at line").next();
            let msg = Msg::new("err-json-type").with("expected", expected.unwrap_or_default().to_string());
            FieldError::new(if at.is_empty() { "body" } else { &at }, msg)
        }
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => {
            FieldError::new("body", Msg::new("err-json"))
        }
    }
}

/// A repeated POST with the same `Idempotency-Key` from the same signed-in caller
/// gets the stored answer and does nothing again; the same key with another body,
/// or while the first request still runs, is a conflict (the key is claimed before
/// the request runs, so two at once cannot both act). Only successful answers are kept (a failed request changed
/// nothing and may be retried). Anonymous calls are not kept here: case intake
/// already turns the key into the case's client token.
pub async fn idempotency(State(app): State<App>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let key = request.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(|k| k.trim().to_string());
    let actor = request.extensions().get::<Ctx>().and_then(|c| c.actor.clone());
    let (Some(key), Some(actor)) = (key.filter(|k| !k.is_empty()), actor) else {
        return next.run(request).await;
    };
    if key.chars().count() > MAX_KEY_CHARS {
        return ApiError(Error::invalid("Idempotency-Key", Msg::new("err-too-long").with("max", MAX_KEY_CHARS)))
            .into_response();
    }
    let principal = format!("user:{}", actor.user_id());
    let (parts, body) = request.into_parts();
    // The largest body any API route reads (a spreadsheet to import); each route keeps its own limit.
    let bytes =
        match read_limited(Request::from_parts(parts.clone(), body), crate::actions::import::MAX_FILE_BYTES).await {
            Ok(bytes) => bytes,
            Err(e) => return ApiError(e).into_response(),
        };
    let mut hasher = Sha256::new();
    hasher.update(parts.uri.path().as_bytes());
    hasher.update([0]);
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());
    match api_tokens::claim(&app, &principal, &key, &request_hash).await {
        Ok(Claim::Run) => {}
        Ok(Claim::Answered(stored)) => {
            return error::replay(u16::try_from(stored.status).unwrap_or(200), stored.body);
        }
        Err(e) => return ApiError(e).into_response(),
    }
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    if response.extensions().get::<Failed>().is_some() || !response.status().is_success() {
        if let Err(e) = api_tokens::release(&app, &principal, &key).await {
            tracing::error!(error = ?e, "releasing an idempotency key");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError(Error::Internal(anyhow::anyhow!("reading an API answer"))).into_response();
    };
    let answer = StoredAnswer {
        request_hash,
        status: i64::from(parts.status.as_u16()),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let Err(e) = api_tokens::store_answer(&app, &principal, &key, &answer).await {
        tracing::error!(error = ?e, "storing an idempotent answer");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A query string parsed into `T`; a malformed one is a field error, not plain text.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _state: &S) -> Result<ApiQuery<T>, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        if query.to_ascii_lowercase().contains("%00") {
            return Err(ApiError(Error::invalid("query", Msg::new("err-nul"))));
        }
        serde_urlencoded::from_str(query)
            .map(ApiQuery)
            .map_err(|_| ApiError(Error::invalid("query", Msg::new("err-query"))))
    }
}

/// A `page=` parameter: empty is the first page; anything else must be a number from 1.
pub fn page_number(raw: &str) -> Result<i64, Error> {
    match raw.trim() {
        "" => Ok(1),
        raw => raw.parse().ok().filter(|n| *n >= 1).ok_or_else(|| Error::invalid("page", Msg::new("err-page"))),
    }
}

/// An opaque keyset cursor: the sort key of the last item shown (base64url of its
/// JSON). The next page starts just past it, so rows inserted meanwhile neither
/// repeat an item nor skip one.
pub fn cursor_of<K: serde::Serialize>(key: &K) -> String {
    use base64::Engine;
    let json = serde_json::to_vec(key).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// The sort key a cursor carries; anything else is a field error on `cursor`.
pub fn key_of_cursor<K: DeserializeOwned>(cursor: &str) -> Result<K, Error> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| Error::invalid("cursor", Msg::new("err-cursor")))
}
