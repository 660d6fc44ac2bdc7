//! Who is asking: the session cookie becomes an [`Actor`], the language cookie a
//! [`Lang`], and every form carries a CSRF token that must match its cookie.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::de::DeserializeOwned;

use crate::actions::{accounts, api_tokens};
use crate::app::App;
use crate::domain::user::Actor;
use crate::error::Error;
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "minyi_session";
pub const CSRF_COOKIE: &str = "minyi_csrf";
pub const LANG_COOKIE: &str = "minyi_lang";
/// `large` when the reader chose the large-text mode (适老化); kept for a year.
pub const TEXT_SIZE_COOKIE: &str = "minyi_text";

/// The request's context, made once per request by [`context`].
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub csrf: String,
    pub actor: Option<Actor>,
    pub session_token: Option<String>,
    pub address: String,
    /// The large-text mode for older readers (适老化), chosen once and kept.
    pub large_text: bool,
    /// The path and query of this request (to come back to after signing in).
    pub here: String,
}

impl Ctx {
    /// The signed-in staff member, or the error that sends them to sign in.
    pub fn staff(&self) -> Result<&Actor, Error> {
        self.actor.as_ref().ok_or(Error::Unauthenticated)
    }
}

/// An action failed; the [`context`] middleware renders it as a page or as JSON.
#[derive(Clone)]
pub struct Failed {
    pub error: Arc<Error>,
    pub api: bool,
}

/// The error of an HTML handler.
pub struct PageError(pub Error);

/// The error of a JSON API handler.
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for PageError {
    fn from(error: E) -> PageError {
        PageError(error.into())
    }
}

impl<E: Into<Error>> From<E> for ApiError {
    fn from(error: E) -> ApiError {
        ApiError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::empty());
        response.extensions_mut().insert(Failed { error: Arc::new(self.0), api: false });
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::empty());
        response.extensions_mut().insert(Failed { error: Arc::new(self.0), api: true });
        response
    }
}

/// Builds the [`Ctx`] of every request, renders failures, and issues the CSRF
/// cookie to a browser that has none.
pub async fn context(State(app): State<App>, jar: CookieJar, mut request: Request, next: Next) -> Response {
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    let lang = jar.get(LANG_COOKIE).map(|c| Lang::from_code(c.value())).unwrap_or(Lang::Zh);
    let (csrf, new_csrf) = match jar.get(CSRF_COOKIE).map(|c| c.value().to_string()) {
        Some(token) if token.len() == 64 => (token, false),
        _ => (accounts::random_token(), true),
    };
    let session_token = jar.get(SESSION_COOKIE).map(|c| c.value().to_string());
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    // A program's token wins over a cookie; a wrong token signs no one in.
    let found = match (&bearer, &session_token) {
        (Some(token), _) => api_tokens::actor_for_token(&app, token).await,
        (None, Some(token)) => accounts::actor_for_token(&app, token).await,
        (None, None) => Ok(None),
    };
    let actor = found.unwrap_or_else(|e| {
        tracing::error!(error = %e, "session lookup failed");
        None
    });
    let here = request.uri().path_and_query().map(|pq| pq.as_str().to_string()).unwrap_or_else(|| "/".to_string());
    let large_text = jar.get(TEXT_SIZE_COOKIE).is_some_and(|c| c.value() == "large");
    let ctx = Ctx { lang, csrf: csrf.clone(), actor, session_token, address, large_text, here };
    request.extensions_mut().insert(ctx.clone());
    let mut response = next.run(request).await;
    if let Some(failed) = response.extensions_mut().remove::<Failed>() {
        response = super::pages::render_failure(&app, &ctx, &failed);
    }
    if new_csrf {
        let cookie = Cookie::build((CSRF_COOKIE, csrf))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(app.config().secure_cookies)
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Ctx, PageError> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| PageError(Error::Internal(anyhow::anyhow!("the context middleware did not run"))))
    }
}

/// A form body whose `csrf` field matches the browser's CSRF cookie.
pub struct CsrfForm<T>(pub T);

/// Largest urlencoded form accepted.
const FORM_LIMIT: usize = 256 * 1024;

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, _state: &S) -> Result<CsrfForm<T>, PageError> {
        let ctx = request.extensions().get::<Ctx>().cloned();
        let bytes = axum::body::to_bytes(request.into_body(), FORM_LIMIT)
            .await
            .map_err(|_| Error::invalid("form", crate::domain::Msg::new("err-form-too-large")))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| Error::invalid("form", crate::domain::Msg::new("err-form")))?;
        let sent = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or_default();
        check_csrf(ctx.as_ref(), sent)?;
        // No text column may store a NUL character.
        if let Some((name, _)) = pairs.iter().find(|(k, v)| k.contains('\0') || v.contains('\0')) {
            return Err(Error::invalid(name.as_str(), crate::domain::Msg::new("err-nul")).into());
        }
        let value = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| Error::invalid("form", crate::domain::Msg::new("err-form")))?;
        Ok(CsrfForm(value))
    }
}

/// Whether a submitted token matches the cookie's, compared in constant time.
pub fn check_csrf(ctx: Option<&Ctx>, sent: &str) -> Result<(), Error> {
    let expected = ctx.map(|c| c.csrf.as_bytes()).unwrap_or_default();
    let sent = sent.as_bytes();
    let same = expected.len() == sent.len()
        && !expected.is_empty()
        && expected.iter().zip(sent).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if same { Ok(()) } else { Err(Error::Conflict(crate::domain::Msg::new("err-csrf"))) }
}

/// The session cookie set at sign-in. It lives as long as the browser does; the
/// server ends the session itself after `session_hours`.
pub fn session_cookie(app: &App, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(app.config().secure_cookies)
        .build()
}

pub fn expired_session_cookie() -> Cookie<'static> {
    let mut cookie = Cookie::build((SESSION_COOKIE, "")).path("/").build();
    cookie.make_removal();
    cookie
}
